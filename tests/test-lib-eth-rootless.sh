#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# NVMe over raw Ethernet needs CAP_NET_RAW in the network namespace that
# owns the interface:
#  1. without it (an ordinary user, uid 65534, in the host's namespace),
#     the plugin, nvmeof (list, discover) and nvmeof-fuse each fail with
#     the one line that names CAP_NET_RAW and the ways to get it;
#  2. the rootless way: that user creates its own user and network
#     namespace (unshare --user --map-root-user --net), root moves one end
#     of a veth pair into it, and there the user runs the plugin against
#     nvmeof-target in another namespace: nbdinfo, and nbdcopy of 32 MiB
#     of random data in and out, compared.
source "${abs_srcdir:-$(dirname "$0")}/functions.sh"
source "$abs_srcdir/functions-plugin.sh"
source "$abs_srcdir/functions-eth.sh"
set -e -u -o pipefail

requires_netns
requires_plugin
requires_target
requires_nbdinfo
requires nbdcopy --version
requires command -v setpriv
requires command -v unshare
requires_built "$NVMEOF_CLI"
AS_USER=(setpriv --reuid=65534 --regid=65534 --clear-groups)
# The user reaches its directory (and our nbdkit wrapper) inside ours.
chmod 0711 "$TMPDIR_TEST"
ud="$TMPDIR_TEST/u"
mkdir "$ud"
chown 65534:65534 "$ud"
"${AS_USER[@]}" test -x "$NVMEOF_CLI" -a -r "$NVMEOF_PLUGIN" ||
  _skip "uid 65534 cannot read the build tree"
"${AS_USER[@]}" unshare --user --map-root-user --net true 2>/dev/null ||
  _skip "user namespaces are not available to uid 65534"
# The libtool wrappers may relink on first use: do that as ourselves.
"$NVMEOF_CLI" --version >/dev/null
[ ! -x "${NVMEOF_FUSE:-}" ] || "$NVMEOF_FUSE" --version >/dev/null

eth_pair 1500
start_target_eth "$ETH_NS_A" "$ETH_IF_A" --ram 32M

# Run as the user in namespace B, where it has no capability.
user_in_b ()
{
  # (TMPDIR_TEST: where the nbdkit wrapper may write sanitizer reports.)
  with_timeout 60 ip netns exec "$ETH_NS_B" env TMPDIR_TEST="$ud" \
    "${AS_USER[@]}" "$@"
}

one_cap_line ()
{
  local what=$1 rc=$2 err=$3
  echo "$what: status $rc: $(cat "$err")"
  [ "$rc" != 0 ] || fail "$what succeeded without CAP_NET_RAW"
  [ "$(grep -c . "$err")" = 1 ] || fail "$what: not one line: $(cat "$err")"
  grep -q "CAP_NET_RAW" "$err" || fail "$what: CAP_NET_RAW not named"
  grep -q "unshare --user --map-root-user --net" "$err" ||
    fail "$what: the rootless way is not named"
  ! grep -qi "operation not permitted" "$err" ||
    fail "$what: a bare 'Operation not permitted'"
}

echo "== without CAP_NET_RAW"
err="$ud/err"
rc=0
user_in_b "$NVMEOF_CLI" list "$TARGET_ETH_URL" 2>"$err" || rc=$?
one_cap_line "nvmeof list" "$rc" "$err"
rc=0
user_in_b "$NVMEOF_CLI" discover "nvme+eth://$ETH_IF_B" 2>"$err" || rc=$?
one_cap_line "nvmeof discover" "$rc" "$err"
rc=0
user_in_b "$NBDKIT" nvmeof "$TARGET_ETH_URL" --run true 2>"$err" || rc=$?
one_cap_line "nbdkit nvmeof" "$rc" "$err"
grep -q '^nbdkit: .*error:' "$err" || fail "not an nbdkit error"
if [ -x "${NVMEOF_FUSE:-}" ]; then
  mkdir "$ud/mnt"
  chown 65534:65534 "$ud/mnt"
  rc=0
  user_in_b "$NVMEOF_FUSE" -f "$TARGET_ETH_URL" "$ud/mnt" 2>"$err" || rc=$?
  one_cap_line "nvmeof-fuse" "$rc" "$err"
fi

echo "== the user's own user and network namespace owns one end of a link"
# A second link to the target's namespace; its far end goes to the user.
ip -n "$ETH_NS_A" link add nvr0 type veth peer name nvu0 ||
  fail "cannot create a veth pair"
ip -n "$ETH_NS_A" link set nvr0 up
start_target_eth "$ETH_NS_A" nvr0 --ram 32M
url="nvme+eth://nvu0/$TARGET_MAC/$TARGET_NQN"
random_file "$ud/in" 32M
chmod 0644 "$ud/in"
cat >"$ud/inside.sh" <<'INNER'
set -e -u
ud=$1 url=$2 nbdkit=$3
echo $$ >"$ud/ns.pid"
for i in $(seq 1 300); do
  ip link show nvu0 >/dev/null 2>&1 && break
  sleep 0.1
done
ip link set lo up
ip link set nvu0 up
echo "inside: uid $(id -u), $(grep CapEff /proc/self/status)"
IN=$ud/in OUT=$ud/out "$nbdkit" -U - nvmeof "$url" --run '
  nbdinfo "$uri" | grep -E "export-size|uri:"
  nbdcopy "$IN" "$uri"
  nbdcopy "$uri" "$OUT"
'
INNER
chmod 0755 "$ud/inside.sh"
TMPDIR_TEST=$ud "${AS_USER[@]}" unshare --user --map-root-user --net \
  bash "$ud/inside.sh" "$ud" "$url" "$NBDKIT" >"$ud/inside.log" 2>&1 &
inside=$!
wait_for_pidfile "$ud/ns.pid" 30 "$inside" ||
  { cat "$ud/inside.log"; fail "the user's namespace did not start"; }
ip -n "$ETH_NS_A" link set nvu0 netns "$(cat "$ud/ns.pid")" ||
  fail "cannot move the interface into the user's namespace"
rc=0
with_timeout 300 tail --pid="$inside" -f /dev/null || true
wait "$inside" || rc=$?
cat "$ud/inside.log"
[ "$rc" = 0 ] || fail "the plugin in the user's namespace: status $rc"
cmp -s "$ud/in" "$ud/out" || fail "the data read back differs"
echo PASS
