#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Multipath through the library (nvmeof bench --verify, random reads and
# writes whose every block is checked): three paths to one nvmeof-target,
# two over IPv4 and one over IPv6 ([::1]), each a port of the target.
#  1. round-robin and queue-depth spread I/O over the three ports and
#     failover keeps it on one (the target's per-port counters);
#  2. while I/O runs: a port's listener stopped (its connections cut) and
#     started again, ANA states flipped to inaccessible and back, one port
#     left non-optimized: no error, every block verified;
#  3. a path that is not the same subsystem is refused by name.
# Not timed: the counters and the data decide.
source "${abs_srcdir:-$(dirname "$0")}/functions.sh"
source "$abs_srcdir/functions-multipath.sh"
set -e -u -o pipefail

requires_target
requires_built "$NVMEOF_CLI"
requires jq --version
d=$(tmpdir)
truncate -s 64M "$d/disk"
mp_start_target 3 --file "$d/disk"
urls=("$MP_URL1" "$MP_URL2" "$MP_URL3")
fast=(--reconnect-delay=1 --keep-alive-tmo=2)

# 1. The policies.
for policy in round-robin queue-depth failover; do
  before=($(mp_port_io 1) $(mp_port_io 2) $(mp_port_io 3))
  mp_bench "$d/$policy.json" "${urls[@]}" --iopolicy="$policy" --time=1 \
    --rw=randrw --qd=32 "${fast[@]}"
  mp_bench_clean "$d/$policy.json"
  after=($(mp_port_io 1) $(mp_port_io 2) $(mp_port_io 3))
  ios=$(jq -r .ios "$d/$policy.json")
  used=0
  for i in 0 1 2; do
    delta=$((after[i] - before[i]))
    echo "   $policy: port $((i + 1)) counted $delta I/O commands"
    # A path "used" carries at least a tenth of the I/O.
    [ $((delta * 10)) -ge "$ios" ] && used=$((used + 1))
  done
  case $policy in
    failover) [ "$used" = 1 ] || fail "failover used $used paths" ;;
    *) [ "$used" = 3 ] || fail "$policy used $used paths, not 3" ;;
  esac
  echo "ok: $policy uses $used path(s)"
done

# 2. Faults during verified I/O (round-robin, so every path is busy).
mp_bench "$d/faults.json" "${urls[@]}" --iopolicy=round-robin --time=14 \
  --rw=randrw --qd=32 --size=32M "${fast[@]}" &
bench=$!
sleep 1.5
mp_ctl listener 1 down # its connections are cut too
sleep 2
mp_ctl listener 1 up
sleep 1
mp_ctl ana 2 1 inaccessible
sleep 1.5
mp_ctl ana 3 1 inaccessible # only port 1 (back by now) is usable
sleep 1.5
mp_ctl ana 2 1 optimized
mp_ctl ana 3 1 non-optimized
sleep 1.5
mp_ctl listener 2 down
sleep 1.5
mp_ctl listener 2 up
mp_ctl ana 3 1 optimized
wait "$bench" || fail "nvmeof bench during the faults failed"
mp_bench_clean "$d/faults.json"

# Every path came back: each one carries I/O again.
before=($(mp_port_io 1) $(mp_port_io 2) $(mp_port_io 3))
mp_bench "$d/after.json" "${urls[@]}" --iopolicy=round-robin --time=1 \
  --rw=randread "${fast[@]}"
mp_bench_clean "$d/after.json"
for i in 1 2 3; do
  [ "$(mp_port_io "$i")" -gt "${before[i - 1]}" ] ||
    fail "port $i carries no I/O after the faults"
done
echo "ok: the three paths carry I/O again"

# 3. Not the same subsystem, or not the same namespace: refused by name.
rc=0
with_timeout 30 "$NVMEOF_CLI" bench "$MP_URL1" \
  "nvme+tcp://127.0.0.1:$MP_PORT2/nqn.2026-11.io.nvmeof:other/1" --time=1 \
  >"$d/other.out" 2>"$d/other.err" || rc=$?
[ "$rc" != 0 ] && grep -q "nqn.2026-11.io.nvmeof:other" "$d/other.err" ||
  { cat "$d/other.err" >&2; fail "a URL of another subsystem was accepted"; }
echo "ok: $(cat "$d/other.err")"
# The same NQN on another target whose namespace 1 has another UUID.
cat >"$d/other.json" <<JSON
{ "hosts": [], "ports": [],
  "subsystems": [ { "nqn": "$NVMEOF_DEFAULT_NQN",
    "attr": { "allow_any_host": "1" }, "allowed_hosts": [],
    "namespaces": [ { "nsid": 1, "enable": 1,
      "device": { "path": "ram:64M",
                  "uuid": "0badbeef-0000-4000-8000-000000000001" } } ] } ] }
JSON
other=$(free_port)
start_target -c "$d/other.json" -l "127.0.0.1:$other"
rc=0
with_timeout 30 "$NVMEOF_CLI" bench "$MP_URL1" \
  "nvme+tcp://127.0.0.1:$other/$NVMEOF_DEFAULT_NQN/1" --time=1 \
  >"$d/otherns.out" 2>"$d/otherns.err" || rc=$?
[ "$rc" != 0 ] && grep -q "UUID is 0badbeef" "$d/otherns.err" &&
  grep -q "path 127.0.0.1:$other" "$d/otherns.err" ||
  { cat "$d/otherns.err" >&2; fail "another namespace was taken for a path"; }
echo "ok: $(cat "$d/otherns.err")"
