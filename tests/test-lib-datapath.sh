#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The batched data path with real data checks (nvmeof bench --verify: every
# block read is compared with the pattern, every block written is read back
# afterwards), in the situations its fast paths are made for:
#  - many blocking threads on one queue: a leader reads for the others,
#    capsules are left to the leader (lazy flush) or sent together;
#  - more threads than command IDs (queue-size 16): waiting for CIDs while
#    being the queue's reader;
#  - transfers split into many commands, payloads read straight into the
#    caller's buffer with a short read-ahead, with and without digests;
#  - the asynchronous engine resubmitting from its callbacks (sent in one
#    batch at the end of each of nvmeof_ctrl_process's rounds);
#  - the leader's spin on and off (NVMEOF_SPIN_US), the target's polling on
#    and off (--poll-us), and bad --poll-us values.
#  - the async engine's per-queue figures (4 queues) adding up to the totals;
#  - nvmeof_ctrl_process's rounds (NVMEOF_PROCESS_KIB: 0, 4 and the default
#    32), plain and over TLS: a round ends at the receive that reached the
#    budget and sends what its callbacks submitted (sends counted with
#    strace), and what a call leaves unread (in TLS's buffers too, where
#    poll does not see it) is signalled, not left to hang.
# Not a benchmark: nothing here is timed.
source "${abs_srcdir:-$(dirname "$0")}/functions.sh"
set -e -u -o pipefail

requires_target
requires_built "$NVMEOF_CLI"
requires strace --version
d=$(tmpdir)

# A bad --poll-us: one line naming the option.
rc=0
with_timeout 10 "$NVMEOF_TARGET" -f --poll-us=soon >"$d/out" 2>"$d/err" \
  </dev/null || rc=$?
[ "$rc" = 1 ] && [ "$(wc -l <"$d/err")" = 1 ] &&
  grep -q -- '--poll-us' "$d/err" ||
  { cat "$d/err" >&2; fail "--poll-us=soon: exit $rc"; }
echo "ok: --poll-us=soon -> $(cat "$d/err")"

# bench_ok ARGS..: a short verified run that did I/O without errors.
bench_ok ()
{
  with_timeout 120 "$NVMEOF_CLI" bench "$TARGET_URL" --time=0.5 --verify \
    --size=64M -o json "$@" >"$d/bench.json" 2>"$d/bench.err" ||
    { cat "$d/bench.err" >&2; fail "nvmeof bench $* failed"; }
  python3 - "$d/bench.json" "$*" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
if r["ios"] <= 0 or r["errors"] or r["verify_errors"]:
    sys.exit("FAIL: nvmeof bench %s: %r" % (sys.argv[2], r))
print("ok: %s: %d I/Os verified" % (sys.argv[2], r["ios"]))
EOF
}

for poll in 0 1000; do
  start_target --ram 64M --poll-us "$poll"
  echo "== nvmeof-target --poll-us $poll"
  for spin in 0 200; do
    export NVMEOF_SPIN_US=$spin
    echo "-- NVMEOF_SPIN_US=$spin"
    # Blocking threads sharing one queue (and more threads than CIDs).
    bench_ok --engine=sync --qd=24 --rw=randrw --bs=4k --nr-io-queues=1
    bench_ok --engine=sync --qd=32 --rw=randrw --bs=8k --queue-size=16
    # Split transfers: 1 MiB = 8 commands at MDTS, 15 CIDs for them all.
    bench_ok --engine=sync --qd=4 --rw=randrw --bs=1M --queue-size=16
    # The asynchronous engine, small and large, with digests.
    bench_ok --qd=32 --rw=randrw --bs=4k
    bench_ok --qd=8 --rw=randrw --bs=128k --hdr-digest --data-digest
    bench_ok --engine=sync --qd=8 --rw=randrw --bs=64k --hdr-digest \
      --data-digest
  done
  unset NVMEOF_SPIN_US
  stop_target
done

# Per-queue figures (async engine, 4 queues): one JSON entry and one text
# line per queue, each with I/Os, and the queues' I/Os and IOPS adding up
# to the totals; the spread is the slowest queue's IOPS over the fastest's.
# The queues' connections are made by nvmeof_connect_many: after the first
# connection (admin queue, I/O queue), the 4 admin queues, then the 4 I/O
# queues of the same controllers in the same order (the target's log).
start_target --ram 64M -v
bench_ok --queues=4 --qd=8 --rw=randrw --bs=4k
sed -n 's/.*connected queue \([0-9]*\) of controller \([0-9]*\) .*/\1:\2/p' \
  "$TARGET_LOG" | tr '\n' ' ' >"$d/order"
echo "connect order (qid:cntlid): $(cat "$d/order")"
python3 - "$d/order" <<'EOF'
import sys
o = [tuple(map(int, x.split(":"))) for x in open(sys.argv[1]).read().split()]
if len(o) != 10 or [q for q, _ in o] != [0, 1, 0, 0, 0, 0, 1, 1, 1, 1] or \
   o[0][1] != o[1][1] or [c for _, c in o[2:6]] != [c for _, c in o[6:]] or \
   len(set(c for _, c in o)) != 5:
    sys.exit("FAIL: connect order %r" % o)
print("ok: admin queues first, then the I/O queues in the same order")
EOF
python3 - "$d/bench.json" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
q = r["per_queue"]
if [e["queue"] for e in q] != [1, 2, 3, 4]:
    sys.exit("FAIL: per_queue entries: %r" % q)
for e in q:
    if e["qid"] != 1 or e["ios"] <= 0 or e["errors"] or \
       not 0 < e["lat_p50_us"] <= e["lat_p99_us"] <= e["lat_max_us"]:
        sys.exit("FAIL: per_queue entry %r" % e)
if sum(e["ios"] for e in q) != r["ios"]:
    sys.exit("FAIL: queues' I/Os %d != total %d" %
             (sum(e["ios"] for e in q), r["ios"]))
s = sum(e["iops"] for e in q)
if abs(s - r["iops"]) > 0.001 * r["iops"] + 1:
    sys.exit("FAIL: queues' IOPS %.1f != total %.1f" % (s, r["iops"]))
lo, hi = min(e["iops"] for e in q), max(e["iops"] for e in q)
if abs(r["queue_iops_min"] - lo) > 1 or abs(r["queue_iops_max"] - hi) > 1 or \
   abs(r["queue_spread"] - lo / hi) > 0.01:
    sys.exit("FAIL: spread %r for min %.1f max %.1f" %
             ((r["queue_iops_min"], r["queue_iops_max"], r["queue_spread"]),
              lo, hi))
print("ok: 4 queues, IOPS %s add up to %.0f, spread %.2f" %
      (" ".join("%.0f" % e["iops"] for e in q), r["iops"], r["queue_spread"]))
EOF
with_timeout 120 "$NVMEOF_CLI" bench "$TARGET_URL" --time=0.5 --queues=4 \
  --qd=8 >"$d/bench.txt" 2>"$d/bench.err" ||
  { cat "$d/bench.err" >&2; fail "nvmeof bench --queues=4 (text) failed"; }
cat "$d/bench.txt"
python3 - "$d/bench.txt" <<'EOF'
import re, sys
t = open(sys.argv[1]).read()
total = int(re.search(r"^  IOPS: +(\d+)$", t, re.M).group(1))
lines = re.findall(r"^  queue (\d+): +\(cntlid \d+, qid 1\) (\d+) IOPS, "
                   r"[\d.]+ MiB/s, latency us mean [\d.]+, p50 [\d.]+, "
                   r"p99 [\d.]+, max [\d.]+$", t, re.M)
if [int(n) for n, _ in lines] != [1, 2, 3, 4]:
    sys.exit("FAIL: per-queue lines: %r" % lines)
s = sum(int(i) for _, i in lines)
# Each figure is rounded to a whole I/O per second.
if abs(s - total) > 4:
    sys.exit("FAIL: queues' IOPS %d != total %d" % (s, total))
if not re.search(r"^  queue spread: [01]\.\d\d \(", t, re.M):
    sys.exit("FAIL: no queue spread line")
print("ok: text: 4 per-queue lines adding up to %d IOPS" % total)
EOF
stop_target

# nvmeof_ctrl_process's rounds.  A TLS-optional port: plain and TLS hosts.
host=$(cat "$NVMEOF_HOSTNQN_FILE")
"$NVMEOF_CLI" gen-tls-key --hmac=1 --output="$d/psk" >/dev/null
start_target --ram 64M --tls-optional --tls-key "$host=+$d/psk"
for tls in "" "--tls-key=+$d/psk"; do
  for kib in 0 4 32 ""; do
    echo "-- NVMEOF_PROCESS_KIB=${kib:-(empty: the default)} ${tls:+over TLS}"
    NVMEOF_PROCESS_KIB=$kib bench_ok --qd=32 --rw=randrw --bs=4k $tls
    NVMEOF_PROCESS_KIB=$kib bench_ok --qd=16 --rw=randrw --bs=64k $tls
  done
  # Sends per read.  A round ends at the receive that reached the budget
  # (one receive takes at most 64 KiB and a payload, 17 reads of 4 KiB)
  # and sends what the callbacks of its reads submitted: with 4 KiB, at
  # least one send per 17 reads (checked: per 20).  With no budget the
  # host first reads what has come: a whole queue depth (32) when the two
  # ends take turns.
  for kib in 4 0; do
    # (LeakSanitizer cannot run under ptrace.)
    ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
      NVMEOF_PROCESS_KIB=$kib with_timeout 120 strace -f -c -o "$d/strace" \
      -e trace=sendmsg,sendto "$NVMEOF_CLI" bench "$TARGET_URL" --time=0.5 \
      --size=64M --rw=randread --bs=4k --qd=32 -o json $tls \
      >"$d/bench.json" 2>"$d/bench.err" ||
      { cat "$d/bench.err" >&2; fail "bench under strace failed"; }
    python3 - "$d/strace" "$d/bench.json" "$kib" "${tls:+over TLS}" <<'EOF'
import json, re, sys
ios = json.load(open(sys.argv[2]))["ios"]
sends = sum(int(m.group(1)) for m in
            re.finditer(r"^\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)(?:\s+\d+)?\s+send",
                        open(sys.argv[1]).read(), re.M))
what = "NVMEOF_PROCESS_KIB=%s %s: %d sends for %d reads (%.3f per read)" % (
    sys.argv[3], sys.argv[4] or "plain", sends, ios, sends / max(ios, 1))
if ios < 100 or (sys.argv[3] == "4" and sends * 20 < ios):
    sys.exit("FAIL: " + what)
print("ok: " + what)
EOF
  done
done
stop_target
echo "PASS"
