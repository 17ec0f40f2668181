#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Interop tier, step 1: boot the Linux kernel's NVMe/TCP target (nvmet) in
# a VM and check, with a probe independent of our C code, that it answers
# an ICReq on the forwarded ports the way the protocol notes say (PFV 0,
# CPDA 0, digests echoed, MAXH2CDATA 0x400000), and that doing so leaves no
# error in the guest's kernel log.

abs_srcdir=${abs_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
source "$abs_srcdir/functions.sh"
source "$abs_srcdir/interop/interop-functions.sh"
set -e -u -o pipefail

interop_init
start_vm
echo "boot-to-ready: ${INTEROP_BOOT_SECONDS}s"

probe ()
{
  with_timeout 30 /usr/bin/python3 "$abs_srcdir/interop/icreq-probe.py" "$@"
}

expect_icresp ()
{
  local port=$1 want=$2 got
  shift 2
  got=$(probe 127.0.0.1 "$port" --wait 10 "$@") ||
    fail "no valid ICResp from nvmet on 127.0.0.1:$port ($*)"
  echo "ICResp on 127.0.0.1:$port ${*:-(no digests)}: $got"
  [ "$got" = "$want" ] || fail "ICResp: got '$got', expected '$want'"
}

# The first answer also proves the forward reaches a listening target.
expect_icresp "$INTEROP_PORT" "pfv=0 cpda=0 hdgst=0 ddgst=0 maxh2cdata=4194304"
expect_icresp "$INTEROP_PORT" "pfv=0 cpda=0 hdgst=1 ddgst=0 maxh2cdata=4194304" --hdgst
expect_icresp "$INTEROP_PORT" "pfv=0 cpda=0 hdgst=0 ddgst=1 maxh2cdata=4194304" --ddgst
expect_icresp "$INTEROP_PORT" "pfv=0 cpda=0 hdgst=1 ddgst=1 maxh2cdata=4194304" --hdgst --ddgst
expect_icresp "$INTEROP_PORT2" "pfv=0 cpda=0 hdgst=0 ddgst=0 maxh2cdata=4194304"

# The configuration the other interop tests rely on is really there.
cfs=/sys/kernel/config/nvmet
got=$(vm_exec "cat $cfs/ports/2/param_inline_data_size") ||
  fail "cannot read port 2's inline data size in the guest"
[ "$got" = 4096 ] || fail "port 2 inline_data_size is '$got', expected 4096"
for ns in "$INTEROP_NQN/namespaces/1" "$INTEROP_NQN/namespaces/2" \
          "$INTEROP_NQN_RESTRICTED/namespaces/1" "$INTEROP_NQN_NULL/namespaces/1"; do
  got=$(vm_exec "cat $cfs/subsystems/$ns/enable") ||
    fail "cannot read $ns/enable in the guest"
  [ "$got" = 1 ] || fail "namespace $ns is not enabled"
done
echo "configfs: ports 4420 and 4421 (inline 4096), 3 subsystems, 4 namespaces enabled"

# Connections that end right after the ICResp must not upset the target.
vm_check_kernel_log || fail "nvmet logged errors (above)"
echo "guest kernel log: no errors"

# The log check is not vacuous: an ICReq with PFV 1 makes nvmet log an
# error ("bad nvme-tcp pdu version") and close the connection.
vm_mark bad-pfv >/dev/null || fail "cannot write a marker into the guest's log"
if probe 127.0.0.1 "$INTEROP_PORT" --pfv 1 >/dev/null 2>&1; then
  fail "nvmet answered an ICReq with PFV 1"
fi
echo "ICReq with PFV 1: refused"
if vm_check_kernel_log bad-pfv 2>"$TMPDIR_TEST/badpfv.log"; then
  fail "the kernel log check did not see nvmet's error about PFV 1"
fi
grep -q 'nvmet_tcp' "$TMPDIR_TEST/badpfv.log" ||
  fail "unexpected kernel log after PFV 1: $(cat "$TMPDIR_TEST/badpfv.log")"
echo "kernel log check sees nvmet's error: $(grep nvmet_tcp "$TMPDIR_TEST/badpfv.log" | head -n 1)"
echo "PASS: kernel nvmet up in ${INTEROP_BOOT_SECONDS}s and answering ICReq"
