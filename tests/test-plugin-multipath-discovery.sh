#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Discovery feeds multipath: the plugin given only a discovery URL (no
# subsystem NQN) connects every portal listed for the subsystem: the
# discovery log of the port it reaches (127.0.0.1) and of the discovery
# controller that port refers to (a referral to the [::1] port, as
# nvme connect-all follows them).  With round-robin both ports carry I/O
# (the target's per-port counters); the data written through it reads
# back the same.  A discovery log listing two NVM subsystems is refused,
# naming both.
source "${abs_srcdir:-$(dirname "$0")}/functions.sh"
source "$abs_srcdir/functions-plugin.sh"
source "$abs_srcdir/functions-multipath.sh"
set -e -u -o pipefail

requires_plugin
requires_target
requires nbdcopy --version
requires jq --version
requires_built "$NVMEOF_CLI"
d=$TMPDIR_TEST
truncate -s 64M "$d/disk"
p1=$(free_port) p2=$(free_port)
cat >"$d/mp.json" <<JSON
{ "hosts": [],
  "ports": [
    { "portid": 1, "addr": { "trtype": "tcp", "adrfam": "ipv4",
        "traddr": "127.0.0.1", "trsvcid": "$p1" },
      "subsystems": [ "$NVMEOF_DEFAULT_NQN" ],
      "referrals": [ { "addr": { "trtype": "tcp", "adrfam": "ipv6",
          "traddr": "::1", "trsvcid": "$p2" }, "portid": 2, "enable": 1 } ] },
    { "portid": 2, "addr": { "trtype": "tcp", "adrfam": "ipv6",
        "traddr": "::1", "trsvcid": "$p2" },
      "subsystems": [ "$NVMEOF_DEFAULT_NQN" ], "referrals": [] } ],
  "subsystems": [ { "nqn": "$NVMEOF_DEFAULT_NQN",
    "attr": { "allow_any_host": "1" }, "allowed_hosts": [],
    "namespaces": [ { "nsid": 1, "enable": 1,
      "device": { "path": "$d/disk" } } ] } ] }
JSON
MP_CTL=$d/control
MP_PORT1=$p1
start_target -c "$d/mp.json" -l "127.0.0.1:$p1" --control "$MP_CTL"

start_plugin -- url="nvme+tcp://127.0.0.1:$MP_PORT1/" iopolicy=round-robin
before=($(mp_port_io 1) $(mp_port_io 2))
random_file "$d/in" 16M
with_timeout 120 nbdcopy "$d/in" "$NBD_URI" || fail "nbdcopy in failed"
with_timeout 120 nbdcopy "$NBD_URI" "$d/out" || fail "nbdcopy out failed"
truncate -s 16M "$d/out"
cmp "$d/in" "$d/out" || fail "the data read back differs"
for i in 1 2; do
  delta=$(($(mp_port_io "$i") - before[i - 1]))
  echo "   port $i counted $delta I/O commands"
  [ "$delta" -gt 0 ] || fail "port $i (a discovered path) carried no I/O"
done
echo "ok: both discovered portals carry I/O; 16 MiB read back the same"
with_timeout 30 "$NVMEOF_CLI" list-subsys "nvme+tcp://127.0.0.1:$p1/" \
  >"$d/ls.txt" || fail "nvmeof list-subsys of the discovery URL failed"
grep -q "traddr=127.0.0.1,trsvcid=$p1 .* live optimized" "$d/ls.txt" &&
  grep -q "traddr=::1,trsvcid=$p2 .* live optimized" "$d/ls.txt" ||
  { cat "$d/ls.txt" >&2; fail "list-subsys does not show both portals"; }
echo "ok: nvmeof list-subsys of the discovery URL shows both portals"
stop_plugin

# Two subsystems behind one discovery controller: refused by name.
cat >"$d/two.json" <<JSON
{ "hosts": [], "ports": [],
  "subsystems": [
    { "nqn": "nqn.2026-11.io.nvmeof:one", "attr": { "allow_any_host": "1" },
      "allowed_hosts": [], "namespaces": [ { "nsid": 1, "enable": 1,
      "device": { "path": "ram:8M" } } ] },
    { "nqn": "nqn.2026-11.io.nvmeof:two", "attr": { "allow_any_host": "1" },
      "allowed_hosts": [], "namespaces": [ { "nsid": 1, "enable": 1,
      "device": { "path": "ram:8M" } } ] } ] }
JSON
port=$(free_port)
start_target -c "$d/two.json" -l "127.0.0.1:$port"
rc=0
nbdkit_bounded 60 nvmeof url="nvme+tcp://127.0.0.1:$port/" --run true \
  >"$d/two.out" 2>&1 || rc=$?
[ "$rc" != 0 ] && grep -q "several NVM subsystems" "$d/two.out" &&
  grep -q "nqn.2026-11.io.nvmeof:one" "$d/two.out" &&
  grep -q "nqn.2026-11.io.nvmeof:two" "$d/two.out" ||
  { cat "$d/two.out" >&2; fail "two subsystems were not refused by name"; }
grep "several" "$d/two.out"
echo PASS
