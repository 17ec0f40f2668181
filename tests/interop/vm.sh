#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# vm.sh [--env FILE] [CONFIG]: boot the interop VM (the Linux kernel's
# NVMe/TCP target, see interop-functions.sh) by hand and keep it running
# until interrupted.  Prints the forwarded ports and the test NQNs as shell
# assignments (also written to FILE with --env), e.g.:
#
#   tests/interop/vm.sh --env /tmp/vm.env &
#   . /tmp/vm.env   # once it exists
#   ./run nbdkit nvmeof nvme+tcp://127.0.0.1:$INTEROP_PORT/$INTEROP_NQN ...
#   bash -c 'exec 3<>/dev/tcp/127.0.0.1/$INTEROP_CTL_PORT; echo dmesg >&3; cat <&3'

envfile=
while [ $# -gt 0 ]; do
  case $1 in
    --env) envfile=$2; shift 2 ;;
    -h|--help) sed -n '4,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) break ;;
  esac
done

abs_srcdir=${abs_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
source "$abs_srcdir/functions.sh"
source "$abs_srcdir/interop/interop-functions.sh"
set -e -u -o pipefail

interop_init
start_vm "$@"
vars=$(for v in INTEROP_ADDR INTEROP_PORT INTEROP_PORT2 INTEROP_PORT3 INTEROP_CTL_PORT \
                INTEROP_NQN INTEROP_NQN_RESTRICTED INTEROP_NQN_NULL \
                INTEROP_NQN_AUTH INTEROP_NQN_TLS INTEROP_HOSTNQN INTEROP_HOSTNQN_REFUSED \
                INTEROP_CONSOLE; do
         printf '%s=%q\n' "$v" "${!v}"
       done)
printf '%s\n' "$vars"
if [ -n "$envfile" ]; then
  printf '%s\n' "$vars" >"$envfile.tmp"
  mv "$envfile.tmp" "$envfile"
  cleanup_fn rm -f "$envfile"
fi
echo "vm.sh: running; interrupt (Ctrl-C) or SIGTERM to stop it" >&2
# Ends when the VM does (nvmeof_interop.maxlife) or on a signal.
while _alive "$INTEROP_VM_PID"; do
  sleep 1
done
