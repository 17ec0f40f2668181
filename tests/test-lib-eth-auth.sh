#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# In-band authentication (DH-HMAC-CHAP) over NVMe/Ethernet: everything
# above the transport is unchanged, so a target that requires it refuses a
# host without the secret in one line, takes one with it (one-way and
# bidirectional, every queue authenticating), and the data path works:
# an nbdcopy round trip through the plugin, compared.
source "${abs_srcdir:-$(dirname "$0")}/functions.sh"
source "$abs_srcdir/functions-plugin.sh"
source "$abs_srcdir/functions-eth.sh"
source "$abs_srcdir/functions-eth-plugin.sh"
set -e -u -o pipefail

requires_netns
requires_plugin
requires_target
requires_built "$NVMEOF_CLI"
requires nbdcopy --version
d=$TMPDIR_TEST
host=$(cat "$NVMEOF_HOSTNQN_FILE")
"$NVMEOF_CLI" gen-dhchap-key --hmac=1 --output="$d/host.key" >/dev/null
"$NVMEOF_CLI" gen-dhchap-key --hmac=2 --output="$d/ctrl.key" >/dev/null

eth_pair 1500
start_target_eth "$ETH_NS_A" "$ETH_IF_A" --ram 16M \
  --dhchap-key "$host=+$d/host.key" --dhchap-ctrl-key "$host=+$d/ctrl.key" \
  --dhchap-hash 'hmac(sha384)' --dhchap-dhgroup ffdhe2048

host_nvmeof ()
{
  with_timeout 60 ip netns exec "$ETH_NS_B" "$NVMEOF_CLI" "$@"
}

echo "== no secret: refused in one line"
rc=0
host_nvmeof list "$TARGET_ETH_URL" 2>"$d/err" || rc=$?
cat "$d/err"
[ "$rc" = 1 ] && [ "$(wc -l <"$d/err")" = 1 ] || fail "not refused in one line"
grep -q 'to authenticate (DH-HMAC-CHAP)' "$d/err" || fail "the reason is not named"

echo "== one-way, then bidirectional"
host_nvmeof list "$TARGET_ETH_URL" --dhchap-secret="+$d/host.key" >/dev/null
host_nvmeof list "$TARGET_ETH_URL" --dhchap-secret="+$d/host.key" \
  --dhchap-ctrl-secret="+$d/ctrl.key" | tee "$d/list"
grep -q '^1 ' "$d/list" || fail "no namespace listed"
grep -q 'authenticated (hmac(sha384), ffdhe2048, bidirectional)' \
  "$TARGET_LOG" || fail "the target logged no bidirectional authentication"

echo "== the data path, every queue authenticated"
start_plugin_in "$ETH_NS_B" -- "$TARGET_ETH_URL" nr-io-queues=2 \
  dhchap-secret="+$d/host.key" dhchap-ctrl-secret="+$d/ctrl.key"
random_file "$d/in" 16M
eth_roundtrip "$d/in"
n=$(grep -c 'authenticated (hmac(sha384), ffdhe2048, bidirectional)' \
  "$TARGET_LOG")
echo "queues authenticated: $n"
# list (admin + I/O queues), and the plugin's check in .get_ready and its
# connection after the fork: admin and 2 I/O queues each.
[ "$n" -ge 7 ] || fail "only $n queues authenticated"
echo PASS
