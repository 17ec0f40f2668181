#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Discovery on an NVMe/Ethernet link: two nvmeof-target processes and a
# host on one bridged link; nvmeof discover nvme+eth://IFACE lists both
# controllers (MAC, subsystems, namespaces, URLs), as text and -o json,
# also with the keys instead of a URL and with --wait; each URL it prints
# works; a controller's discovery log read over the link (nvme+eth://
# IFACE/MAC) names the link's entries; a link with no controller lists
# none; a bad interface, --wait out of range or on a TCP URL are refused
# in one line.
source "${abs_srcdir:-$(dirname "$0")}/functions.sh"
source "$abs_srcdir/functions-eth.sh"
source "$abs_srcdir/functions-eth-plugin.sh"
set -e -u -o pipefail

requires_netns
requires_target
requires_built "$NVMEOF_CLI"
d=$TMPDIR_TEST
nqn1=nqn.2026-11.io.nvmeof:eth-one
nqn2=nqn.2026-11.io.nvmeof:eth-two

host_nvmeof ()
{
  with_timeout 60 ip netns exec "$ETH_NS_H" "$NVMEOF_CLI" "$@"
}

eth_bridge 2
start_target_eth "$ETH_NS_T1" "$ETH_IF_T1" --nqn "$nqn1" --ram 16M --ram 8M
mac1=$TARGET_MAC
start_target_eth "$ETH_NS_T2" "$ETH_IF_T2" --nqn "$nqn2" --ram 32M \
  --lba-size 4096 --ram 4M
mac2=$TARGET_MAC

echo "== text"
host_nvmeof discover "nvme+eth://$ETH_IF_H" >"$d/text"
cat "$d/text"
grep -q "^NVMe/Ethernet controllers on $ETH_IF_H: 2 " "$d/text" ||
  fail "not two controllers"
for mac in "$mac1" "$mac2"; do
  grep -qx "mac: *$mac" "$d/text" || fail "controller $mac not listed"
done
grep -qx "url: *nvme+eth://$ETH_IF_H/$mac1/$nqn1" "$d/text" || fail "url 1"
grep -qx "url: *nvme+eth://$ETH_IF_H/$mac2/$nqn2" "$d/text" || fail "url 2"
grep -q "nsid 1: 16777216 bytes (16.00 MiB), lba size 512" "$d/text" ||
  fail "namespace 1 of the first controller"
grep -q "nsid 2: 4194304 bytes (4.00 MiB), lba size 4096" "$d/text" ||
  fail "namespace 2 of the second controller"

echo "== json, with the keys and --wait"
host_nvmeof discover --transport=eth --host-iface="$ETH_IF_H" --wait=300 \
  -o json >"$d/json"
/usr/bin/python3 - "$d/json" "$mac1" "$mac2" "$nqn1" "$nqn2" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
mac1, mac2, nqn1, nqn2 = sys.argv[2:]
assert d["wait_ms"] == 300, d
c = {x["mac"]: x for x in d["controllers"]}
assert sorted(c) == sorted([mac1, mac2]), c.keys()
for mac, nqn, sizes in ((mac1, nqn1, [16 << 20, 8 << 20]),
                        (mac2, nqn2, [32 << 20, 4 << 20])):
    x = c[mac]
    assert x["complete"] is True and x["max_frame"] == 1500, x
    nvm = [s for s in x["subsystems"] if s["subtype"] == "nvme subsystem"]
    assert len(nvm) == 1 and nvm[0]["subnqn"] == nqn, x
    assert [n["size"] for n in nvm[0]["namespaces"]] == sizes, nvm
    assert nvm[0]["url"].endswith("/%s/%s" % (mac, nqn)), nvm
print("json: both controllers, their subsystems and namespaces")
PY

echo "== each URL works"
for url in $(sed -n 's/^url: *\(nvme+eth:.*eth-[a-z]*\)$/\1/p' "$d/text"); do
  host_nvmeof list "$url" | tee "$d/list"
  grep -q '^1 ' "$d/list" || fail "nvmeof list $url"
done

echo "== a controller's discovery log over the link"
host_nvmeof discover "nvme+eth://$ETH_IF_H/$mac1" >"$d/log"
cat "$d/log"
grep -q '^trtype:  eth$' "$d/log" || fail "no eth entry in the discovery log"
grep -q "^traddr:  $mac1" "$d/log" || fail "the entry does not name the MAC"

echo "== a link with nothing on it"
eth_pair 1500
with_timeout 60 ip netns exec "$ETH_NS_A" "$NVMEOF_CLI" discover \
  "nvme+eth://$ETH_IF_A" --wait=200 >"$d/none"
grep -q ": 0 " "$d/none" || fail "controllers on an empty link"

echo "== refusals"
rc=0
host_nvmeof discover nvme+eth://nosuchif0 2>"$d/err" || rc=$?
[ "$rc" = 1 ] && [ "$(wc -l <"$d/err")" = 1 ] ||
  fail "no such interface: status $rc, $(cat "$d/err")"
grep -q 'no such network interface: nosuchif0' "$d/err" || fail "$(cat "$d/err")"
rc=0
host_nvmeof discover "nvme+eth://$ETH_IF_H" --wait=0 2>"$d/err" || rc=$?
[ "$rc" = 1 ] && grep -q -- '--wait: expected a number from 1 to 60000' \
  "$d/err" || fail "--wait=0: $(cat "$d/err")"
rc=0
host_nvmeof discover nvme+tcp://127.0.0.1 --wait=100 2>"$d/err" || rc=$?
[ "$rc" = 1 ] && grep -q -- '--wait: only for discovery on an NVMe/Ethernet' \
  "$d/err" || fail "--wait with tcp: $(cat "$d/err")"
echo PASS
