#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The controller goes away in the middle of a copy over NVMe/Ethernet
# (nvmeof-target --eth killed with SIGKILL: no TERM, the host notices the
# silence):
#  1. it is not restarted: the copy fails with EIO, and nbdkit's
#     log names the lost association, within the bound stated below, and
#     says the library gave up after ctrl-loss-tmo;
#  2. it is restarted (same interface, same file-backed namespace) within
#     ctrl-loss-tmo: the library reconnects (new associations), and a copy
#     that retries what failed meanwhile (as an application would)
#     completes with the right data.
source "${abs_srcdir:-$(dirname "$0")}/functions.sh"
source "$abs_srcdir/functions-plugin.sh"
source "$abs_srcdir/functions-eth.sh"
source "$abs_srcdir/functions-eth-plugin.sh"
set -e -u -o pipefail

requires_netns
requires_plugin
requires_target
requires nbdcopy --version
requires /usr/bin/nbdsh --version
d=$TMPDIR_TEST

random_file "$d/in" 64M
truncate -s 64M "$d/disk"

cat >"$d/copy.py" <<'PY'
import os, time
h.connect_uri(os.environ["NBD_URI"])
src = open(os.environ["IN"], "rb").read()
progress = os.environ["PROGRESS"]
chunk = 1 << 20
failures = 0
for off in range(0, len(src), chunk):
    t = time.monotonic()
    while True:
        try:
            h.pwrite(src[off:off + chunk], off)
            break
        except nbd.Error as e:
            failures += 1
            if os.environ.get("RETRY") != "1":
                print("offset %d: %s" % (off, e))
                raise SystemExit(3)
            if time.monotonic() - t > 60:
                raise AssertionError("offset %d: still failing after 60 s: %s"
                                     % (off, e))
            time.sleep(0.2)
    with open(progress, "w") as f:
        f.write("%d\n" % (off // chunk + 1))
h.flush()
print("copied %d MiB, %d failed attempts retried" % (len(src) >> 20, failures))
PY

# Start the copy (RETRY=1: retrying what fails), wait until it has written
# 16 MiB.
start_copy ()
{
  rm -f "$d/progress"
  RETRY=$1 IN=$d/in PROGRESS=$d/progress NBD_URI=$NBD_URI \
    nbdsh_sys -c "exec(open('$d/copy.py').read())" >"$d/copy.log" 2>&1 &
  copy=$!
  local deadline=$((SECONDS + 60))
  while p=$(cat "$d/progress" 2>/dev/null); [ "${p:-0}" -lt 16 ]; do
    _alive "$copy" || { cat "$d/copy.log"; fail "the copy ended early"; }
    [ "$SECONDS" -lt "$deadline" ] || fail "the copy made no progress"
    sleep 0.05
  done
}

# SIGKILL the target (so that nothing of it remains) and wait for it.
kill_target ()
{
  kill -KILL "$TARGET_PID"
  wait "$TARGET_PID" 2>/dev/null || true
  _stopped_pids+="$TARGET_PID "
}

echo "== killed and not restarted: a clear error"
LOSS=6
eth_pair 1500
start_target_eth "$ETH_NS_A" "$ETH_IF_A" --file "$d/disk"
start_plugin_in "$ETH_NS_B" -- "$TARGET_ETH_URL" timeout=10 \
  ctrl-loss-tmo="$LOSS" reconnect-delay=1 connect-timeout=3
start_copy 0
kill_target
t0=$SECONDS
rc=0
wait "$copy" || rc=$?
took=$((SECONDS - t0))
cat "$d/copy.log"
echo "the copy: status $rc, $took s after the kill"
[ "$rc" = 3 ] || fail "the copy did not fail with an NBD error (status $rc)"
grep -q 'Input/output error' "$d/copy.log" || fail "the copy's error is not EIO"
# The engine declares the peer dead after 4 keep-alive intervals (4 s); a
# retransmission limit or the command timeout may come first.
[ "$took" -le 12 ] || fail "the copy took $took s to fail (bound: 12 s)"
grep -m1 'error' "$NBDKIT_LOG"
grep -q "connection to $ETH_IF_B/$TARGET_MAC lost" "$NBDKIT_LOG" ||
  fail "nbdkit's log does not name the lost association"
# It gives up once ctrl-loss-tmo has passed since the failure, at the end
# of the attempt under way (connect-timeout 3 s, after reconnect-delay 1 s):
# requests then fail saying so.
t1=$SECONDS
bound=$((LOSS + 3 + 1 + 3))
while ! grep -q "gave up reconnecting after $LOSS s (ctrl-loss-tmo)" \
  "$NBDKIT_LOG"; do
  [ "$((SECONDS - t1))" -le "$bound" ] ||
    fail "no 'gave up ... (ctrl-loss-tmo)' error within $bound s of the failure"
  nbdsh_sys -u "$NBD_URI" -c 'h.pread(512, 0)' 2>/dev/null &&
    fail "a read worked without the target"
  sleep 0.5
done
echo "gave up $((SECONDS - t1)) s after the failure (bound: $bound s):"
grep -o 'gave up reconnecting.*' "$NBDKIT_LOG" | head -1
stop_plugin

echo "== killed and restarted within ctrl-loss-tmo: the copy completes"
start_target_eth "$ETH_NS_A" "$ETH_IF_A" --file "$d/disk"
start_plugin_in "$ETH_NS_B" -- "$TARGET_ETH_URL" timeout=10 \
  ctrl-loss-tmo=60 reconnect-delay=1
start_copy 1
kill_target
echo "killed the target after $(cat "$d/progress") MiB"
sleep 2
start_target_eth "$ETH_NS_A" "$ETH_IF_A" --file "$d/disk"
rc=0
wait "$copy" || rc=$?
cat "$d/copy.log"
[ "$rc" = 0 ] || fail "the retrying copy failed (status $rc)"
grep -q 'failed attempts retried' "$d/copy.log" || fail "no copy summary"
with_timeout 120 nbdcopy "$NBD_URI" "$d/out"
cmp -s "$d/in" "$d/out" || fail "the data read back differs"
echo PASS
