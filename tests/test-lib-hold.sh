#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# libnvmeof holds commands while its controller is away, and fails them
# only at the limits it was given (reconnect.c):
#  1. the target is killed (SIGTERM) and does not come back: a read is
#     held, then fails with EIO saying ctrl-loss-tmo, not before it and
#     within the bound below; later reads fail at once;
#  2. the same with the target frozen (SIGSTOP: the command times out);
#  3. fast-io-fail-tmo shorter than ctrl-loss-tmo: the read fails with EIO
#     when fast-io-fail-tmo expires, the next at once, while reconnecting
#     goes on; the target comes back and reads work again, with the data;
#  4. the target is killed (SIGKILL) and restarted (file-backed) within
#     ctrl-loss-tmo: reads, writes, flush, write zeroes, deallocate,
#     Identify, Get Log Page, Get Features and an asynchronous read are all
#     held and complete once it is back, with the right data; Set
#     Features is not repeated and fails at once, saying so.
source "${abs_srcdir:-$(dirname "$0")}/functions.sh"
set -e -u -o pipefail

requires_target
requires_built "$abs_builddir/e2e-hold"
d=$TMPDIR_TEST

# The target was killed by e2e-hold: reap it, not a failure for cleanup.
reap_target ()
{
  _stopped_pids+="$TARGET_PID "
  wait "$TARGET_PID" 2>/dev/null || true
}

# Wait (bounded) until FILE has a line matching RE.
wait_line ()
{
  local file=$1 re=$2 pid=$3 deadline=$((SECONDS + 60))
  while ! grep -q "$re" "$file" 2>/dev/null; do
    _alive "$pid" || { cat "$file"; fail "e2e-hold ended early"; }
    [ "$SECONDS" -lt "$deadline" ] || fail "no '$re' within 60 s"
    sleep 0.05
  done
}

echo "== killed, not restarted: EIO when ctrl-loss-tmo (3 s) gives up"
start_target --ram 16M
# Bound: ctrl-loss-tmo, then the attempt under way (reconnect-delay 1 s, a
# refused connect) and slack for a loaded machine.
with_timeout 60 e2e-hold giveup "$TARGET_URL" ctrl-loss-tmo=3 \
  reconnect-delay=1 --kill "$TARGET_PID" --loss 3 --within 10
reap_target

echo "== frozen (SIGSTOP): the command times out, EIO after ctrl-loss-tmo"
start_target --ram 16M
cleanup_fn kill -CONT "$TARGET_PID"
# Bound: the command timeout (2 s), ctrl-loss-tmo (4 s), the attempt under
# way (reconnect-delay 1 s, an unanswered ICReq: connect-timeout 2 s).
with_timeout 60 e2e-hold giveup "$TARGET_URL" ctrl-loss-tmo=4 timeout=2 \
  keep-alive-tmo=5 reconnect-delay=1 connect-timeout=2 --kill "$TARGET_PID" \
  --stop --loss 4 --within 15
kill -CONT "$TARGET_PID"
stop_target

echo "== fast-io-fail-tmo 2 s, ctrl-loss-tmo 60 s: EIO at 2 s, then back"
truncate -s 16M "$d/disk"
start_target --file "$d/disk"
port=$TARGET_PORT
rm -f "$d/back"
with_timeout 120 e2e-hold failfast "$TARGET_URL" fast-io-fail-tmo=2 \
  ctrl-loss-tmo=60 reconnect-delay=1 --kill "$TARGET_PID" --ffail 2 \
  --within 10 --wait-file "$d/back" >"$d/out" 2>&1 &
e2e=$!
wait_line "$d/out" '^waiting for the target' "$e2e"
reap_target
start_target -l "127.0.0.1:$port" --file "$d/disk"
touch "$d/back"
rc=0
wait "$e2e" || rc=$?
cat "$d/out"
[ "$rc" = 0 ] || fail "failfast: status $rc"
stop_target

echo "== killed and restarted within ctrl-loss-tmo: every held call completes"
truncate -s 32M "$d/disk2"
start_target --file "$d/disk2"
port=$TARGET_PORT
rm -f "$d/back"
with_timeout 120 e2e-hold hold "$TARGET_URL" ctrl-loss-tmo=60 \
  reconnect-delay=1 nr-io-queues=2 --kill "$TARGET_PID" --threads 4 \
  --within 30 --wait-file "$d/back" >"$d/out" 2>&1 &
e2e=$!
wait_line "$d/out" '^held:' "$e2e"
reap_target
start_target -l "127.0.0.1:$port" --file "$d/disk2"
touch "$d/back"
rc=0
wait "$e2e" || rc=$?
cat "$d/out"
[ "$rc" = 0 ] || fail "hold: status $rc"
grep -q '^every held command completed' "$d/out" || fail "hold: no summary"
echo PASS
