#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The NVMe over raw Ethernet example of README.md runs as written, as root:
# every line of its block, in order, in one shell, with only the names of
# the two network namespaces made unique to this test (they are global);
# the interface names live inside them.  Each command must be known here,
# so that a new line of the example cannot go untested, and what it did is
# checked: the target answers discovery, nbdinfo shows its namespace, and
# the clean-up leaves nothing behind.
source "${abs_srcdir:-$(dirname "$0")}/functions.sh"
source "$abs_srcdir/functions-eth.sh"
set -e -u -o pipefail

requires_netns
requires_plugin
requires_target
requires_nbdinfo
requires_built "$NVMEOF_CLI"
d=$TMPDIR_TEST
readme="$abs_top_srcdir/README.md"

awk '/^## NVMe over raw Ethernet/ { f = 1 }
     f && /^```sh/ { b = 1; next }
     b && /^```/ { exit }
     b { print }' "$readme" |
  sed -e ':a' -e '/\\$/N; s/\\\n */ /; ta' |
  grep -v -e '^#' -e '^[[:space:]]*$' >"$d/commands" ||
  fail "no NVMe over raw Ethernet block in README.md"
echo "README example:"
sed 's/^/  /' "$d/commands"

tgt="nvmeof-$$-readme-tgt"
host="nvmeof-$$-readme-host"
# Whatever happens, nothing stays behind.
_gone ()
{
  local ns
  for ns in "$@"; do
    ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null || true
    ip netns del "$ns" 2>/dev/null || true
  done
}
cleanup_fn _gone "$tgt" "$host"

ran=0
while IFS= read -r cmd; do
  cmd=${cmd//nvme-tgt/"$tgt"}
  cmd=${cmd//nvme-host/"$host"}
  echo
  echo "== $cmd"
  case $cmd in
    "ip netns add "*|"ip link add "*|"ip -n "*" link set "*" up"|\
    "MAC="*|"ip netns pids "*)
      eval "$cmd" ;;
    "ip netns del "*)
      eval "$cmd"
      ! ip netns list | grep -q "^${cmd##* }\\b" || fail "namespace left" ;;
    "ip netns exec $tgt nvmeof-target "*)
      # It goes into the background once it serves.
      eval "with_timeout 60 $cmd"
      target_pids=$(ip netns pids "$tgt")
      [ -n "$target_pids" ] || fail "no target running" ;;
    "ip netns exec $host nvmeof discover "*)
      eval "with_timeout 60 $cmd" | tee "$d/out"
      grep -q 'controllers on veth-host: 1 ' "$d/out" ||
        fail "discover did not find the target"
      grep -q 'nsid 1: 67108864 bytes' "$d/out" || fail "discover: namespace" ;;
    "ip netns exec $host nbdkit "*)
      eval "with_timeout 120 $cmd" | tee "$d/out"
      grep -q 'export-size: 67108864' "$d/out" || fail "nbdinfo: size" ;;
    *)
      fail "README command not known to this test: $cmd" ;;
  esac
  ran=$((ran + 1))
done <"$d/commands"
[ "$ran" -ge 10 ] || fail "only $ran commands ran"
for pid in $target_pids; do
  _wait_gone "$pid" 20 || fail "the target (pid $pid) did not exit"
done
echo
echo "$ran commands ran"
echo PASS
