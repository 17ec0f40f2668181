#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The controller goes away in the middle of a copy over NVMe/Ethernet
# (nvmeof-target --eth killed with SIGKILL: no TERM, the host notices the
# silence); the library holds the copy's requests meanwhile:
#  1. it is not restarted: the copy fails with EIO when ctrl-loss-tmo
#     gives up, not before, and within the bound stated below; nbdkit's
#     log names the lost association and says the library gave up after
#     ctrl-loss-tmo;
#  2. it is restarted (same interface, same file-backed namespace) within
#     ctrl-loss-tmo: the library reconnects (new associations) and sends
#     the held requests again: the copy sees not one error and completes
#     with the right data;
#  3. the target ends every association after 100 commands, again and
#     again (--fault-close-after): nbdcopy to the plugin and back (64 KiB
#     requests, 8 in flight: the commands in flight when an association
#     ends are sent again, so they must be fewer than 100 for the copy to
#     progress), not one error, the same data.
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
grep -m1 'error' "$NBDKIT_LOG"
grep -q "connection to $ETH_IF_B/$TARGET_MAC lost" "$NBDKIT_LOG" ||
  fail "nbdkit's log does not name the lost association"
grep -q "gave up reconnecting after $LOSS s (ctrl-loss-tmo)" "$NBDKIT_LOG" ||
  fail "the error does not say the library gave up after ctrl-loss-tmo"
# Held, not failed at once: not before ctrl-loss-tmo.  Bound: the engine
# declares the peer dead after 4 keep-alive intervals (4 s), then
# ctrl-loss-tmo, then the attempt under way (reconnect-delay 1 s,
# connect-timeout 3 s), and slack for a loaded machine.
bound=$((4 + LOSS + 1 + 3 + 4))
[ "$took" -ge "$LOSS" ] || fail "the copy failed after $took s, before ctrl-loss-tmo"
[ "$took" -le "$bound" ] || fail "the copy took $took s to fail (bound: $bound s)"
echo "the copy failed $took s after the kill (bound: $bound s)"
stop_plugin

echo "== killed and restarted within ctrl-loss-tmo: the copy completes"
start_target_eth "$ETH_NS_A" "$ETH_IF_A" --file "$d/disk"
start_plugin_in "$ETH_NS_B" -- "$TARGET_ETH_URL" timeout=10 \
  ctrl-loss-tmo=60 reconnect-delay=1
start_copy 0
kill_target
echo "killed the target after $(cat "$d/progress") MiB"
sleep 2
start_target_eth "$ETH_NS_A" "$ETH_IF_A" --file "$d/disk"
rc=0
wait "$copy" || rc=$?
cat "$d/copy.log"
[ "$rc" = 0 ] || fail "the copy failed (status $rc)"
grep -q ', 0 failed attempts retried' "$d/copy.log" || fail "no copy summary"
with_timeout 120 nbdcopy "$NBD_URI" "$d/out"
cmp -s "$d/in" "$d/out" || fail "the data read back differs"
if grep 'error' "$NBDKIT_LOG"; then
  fail "nbdkit logged errors"
fi
stop_plugin
kill_target

echo "== every association ended after 100 commands: no error"
truncate -s 0 "$d/disk"
truncate -s 64M "$d/disk"
start_target_eth "$ETH_NS_A" "$ETH_IF_A" --file "$d/disk" \
  --fault-close-after 100
start_plugin_in "$ETH_NS_B" -- "$TARGET_ETH_URL" timeout=10 \
  ctrl-loss-tmo=60 reconnect-delay=1 nr-io-queues=2
rm -f "$d/out"
copier=(nbdcopy --request-size=65536 --requests=8 --connections=1)
with_timeout 300 "${copier[@]}" "$d/in" "$NBD_URI" || fail "nbdcopy to the plugin"
with_timeout 300 "${copier[@]}" "$NBD_URI" "$d/out" ||
  fail "nbdcopy from the plugin"
cmp -s "$d/in" "$d/out" || fail "the data read back differs"
cuts=$(grep -c 'fault injection: ending the association' "$TARGET_LOG" || true)
echo "the target ended $cuts associations"
[ "$cuts" -ge 2 ] || fail "only $cuts cuts: the test proves nothing"
if grep 'error' "$NBDKIT_LOG"; then
  fail "nbdkit logged errors"
fi
echo PASS
