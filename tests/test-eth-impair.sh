#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# tests/eth-impair, the link impairment bridge of the NVMe/Ethernet tests
# (the kernel here has no sch_netem): 3000 numbered frames from namespace A
# to namespace B through it, once clean (all arrive, in order, intact) and
# once per impairment (loss, duplicates, corruption, reordering, delay with
# jitter): what B sees matches the rate asked for and eth-impair's own
# counters; frames of another EtherType than --ethertype pass untouched.
source "${abs_srcdir:-$(dirname "$0")}/functions.sh"
source "$abs_srcdir/functions-eth.sh"
set -e -u -o pipefail
requires_netns
requires test -x /usr/bin/python3
d=$(tmpdir)
N=3000

cat >"$d/recv.py" <<'EOF'
# Receive numbered frames until 1 s of silence; print a JSON summary.
import json, select, socket, struct, sys, time, zlib
iface, out = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0003))
# Room for every frame of a pass (SO_RCVBUFFORCE, as root): a receiver
# slowed by a busy machine must not lose frames the test would blame on
# the bridge.
s.setsockopt(socket.SOL_SOCKET, getattr(socket, "SO_RCVBUFFORCE", 33), 64 << 20)
s.bind((iface, 0x0003))
open(out + ".ready", "w").close()
seen, order, dups, bad, late, delays, other = set(), 0, 0, 0, 0, [], 0
last, first = -1, None
while True:
    r, _, _ = select.select([s], [], [], 1.0 if first else 20)
    if not r:
        break
    pkt, addr = s.recvfrom(65536)
    if addr[2] == socket.PACKET_OUTGOING or len(pkt) < 34:
        continue
    et = struct.unpack("!H", pkt[12:14])[0]
    if et not in (0x88B5, 0x88B6):
        continue
    now = time.monotonic()
    first = first or now
    body = pkt[14:]
    n, sent = struct.unpack("<Id", body[:12])
    if zlib.crc32(body[:-4]) != struct.unpack("<I", body[-4:])[0]:
        bad += 1
        continue
    if et == 0x88B6:
        other += 1
        continue
    if n in seen:
        dups += 1
        continue
    if n < last:
        late += 1
    last = max(last, n)
    seen.add(n)
    delays.append(now - sent)
json.dump({"got": len(seen), "dups": dups, "bad": bad, "late": late,
           "other": other, "delay_ms": 1000 * sum(delays) / max(1, len(delays)),
           "min_ms": 1000 * min(delays or [0]),
           "max_ms": 1000 * max(delays or [0])}, open(out, "w"))
EOF
cat >"$d/send.py" <<'EOF'
import os, socket, struct, sys, time, zlib
iface, dst, n, other = sys.argv[1], bytes.fromhex(sys.argv[2].replace(":", "")), \
    int(sys.argv[3]), int(sys.argv[4])
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((iface, 0))
src = s.getsockname()[4]
pad = os.urandom(400)
for i in range(n + other):
    et = 0x88B5 if i < n else 0x88B6
    body = struct.pack("<Id", i, time.monotonic()) + pad
    s.send(dst + src + struct.pack("!H", et) + body +
           struct.pack("<I", zlib.crc32(body)))
    if i % 16 == 15:
        time.sleep(0.0005)
EOF

# run NAME [OTHER] -- IMPAIR-ARGS..: one pass; the summary in $d/NAME.json
# and eth-impair's counters in $d/NAME.stats.
run ()
{
  local name=$1 other=0
  shift
  if [ "$1" != "--" ]; then other=$1; shift; fi
  shift
  eth_impaired_pair 1500 -- --stats "$d/$name.stats" "$@"
  in_ns "$ETH_NS_B" /usr/bin/python3 "$d/recv.py" "$ETH_IF_B" "$d/$name.json" &
  local rpid=$!
  local t=0
  while [ ! -e "$d/$name.json.ready" ] && [ $t -lt 100 ]; do sleep 0.05; t=$((t+1)); done
  with_timeout 60 ip netns exec "$ETH_NS_A" /usr/bin/python3 "$d/send.py" "$ETH_IF_A" \
    "$ETH_MAC_B" "$N" "$other"
  wait "$rpid" || fail "$name: the receiver failed"
  kill -TERM "$ETH_IMPAIR_PID"
  local k=0
  while [ ! -s "$d/$name.stats" ] && [ $k -lt 100 ]; do sleep 0.05; k=$((k+1)); done
  echo "$name: $(cat "$d/$name.json")"
  echo "$name: eth-impair $(cat "$d/$name.stats")"
}

# val NAME FIELD, imp NAME COUNTER (direction A -> B)
val () { jq -r ".$2" "$d/$1.json"; }
imp () { jq -r "to_entries[] | select(.key | startswith(\"mida\")) | .value.$2" "$d/$1.stats"; }
between () { awk -v v="$1" -v lo="$2" -v hi="$3" 'BEGIN { exit !(v >= lo && v <= hi) }'; }

run clean -- --seed 1
[ "$(val clean got)" = $N ] && [ "$(val clean late)" = 0 ] &&
  [ "$(val clean dups)" = 0 ] && [ "$(val clean bad)" = 0 ] ||
  fail "a clean bridge lost, reordered, duplicated or damaged frames"

# Where the bridge's counters are compared with what the receiver saw, only
# our EtherType is impaired: the link also carries a few frames of the
# kernel's own (IPv6 neighbour discovery), which the receiver ignores.
run loss -- --loss 10 --ethertype 0x88b5 --seed 2
lost=$((N - $(val loss got)))
between "$lost" 180 420 || fail "loss 10 %: $lost of $N lost"
[ "$lost" = "$(imp loss lost)" ] || fail "loss: counters disagree"

run dup -- --duplicate 5 --seed 3
between "$(val dup dups)" 80 230 || fail "duplicate 5 %: $(val dup dups)"
[ "$(val dup got)" = $N ] || fail "duplicate: frames lost"

run corrupt -- --corrupt 2 --ethertype 0x88b5 --seed 4
between "$(val corrupt bad)" 25 100 || fail "corrupt 2 %: $(val corrupt bad)"
[ "$(val corrupt bad)" = "$(imp corrupt corrupted)" ] ||
  fail "corrupt: counters disagree"

run reorder -- --reorder 25 --reorder-frames 3 --seed 5
[ "$(val reorder got)" = $N ] || fail "reorder: frames lost"
between "$(val reorder late)" 450 1050 ||
  fail "reorder 25 %: $(val reorder late) frames came late"

run delay -- --delay 2000 --jitter 1000 --seed 6
[ "$(val delay got)" = $N ] || fail "delay: frames lost"
# Never early, on average at least what was asked; a busy machine only adds
# to both, so the upper bounds are loose (they catch a wrong unit, not load).
between "$(val delay delay_ms)" 1.8 50 ||
  fail "delay 2 ms +- 1 ms: mean $(val delay delay_ms) ms"
between "$(val delay min_ms)" 0.9 50 || fail "delay: min $(val delay min_ms)"

run only 500 -- --loss 50 --ethertype 0x88b5 --seed 7
[ "$(val only other)" = 500 ] ||
  fail "--ethertype: frames of another EtherType were impaired"
between "$((N - $(val only got)))" 1200 1800 || fail "--ethertype: loss"
