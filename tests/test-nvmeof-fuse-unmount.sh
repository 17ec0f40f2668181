#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Ending nvmeof-fuse: fusermount3 -u while idle ends it with status 0;
# while a file is open fusermount3 -u refuses (busy) and the mount goes on
# working; SIGTERM while a writer is busy ends it cleanly (status 0,
# within seconds, the mount detached, the writer gets an error, not a
# hang); SIGHUP the same while idle, and it reaches a FUSE thread, not
# one of libnvmeof's (which block it).
source "${abs_srcdir:-$(dirname "$0")}/functions.sh"
source "$abs_srcdir/functions-fuse.sh"
set -e -u -o pipefail

fuse_user_setup
stats="$TMPDIR_TEST/stats.json"
start_target --ram 256M --stats-file "$stats"
mnt="$FUSE_DIR/mnt"
as_user mkdir "$mnt"

echo "== idle: fusermount3 -u"
fuse_mount "$mnt" "$TARGET_URL"
fuse_unmount "$mnt"

echo "== busy: fusermount3 -u refuses, the mount keeps working"
fuse_mount "$mnt" "$TARGET_URL"
# (not through the as_user function, so that $! is the holder itself)
"${AS_USER[@]}" sh -c 'exec sleep 60 <"$1"' sh "$mnt/n1" &
holder=$!
cleanup_fn kill "$holder"
sleep_ok=0
for i in $(seq 1 100); do
  # wait until the holder has the file open
  if [ -n "$(ls -l /proc/$holder/fd 2>/dev/null | grep "$mnt/n1")" ]; then
    sleep_ok=1; break
  fi
  sleep 0.05
done
[ "$sleep_ok" = 1 ] || fail "the holder did not open the file"
rc=0
as_user fusermount3 -u "$mnt" 2>"$FUSE_DIR/err" || rc=$?
[ "$rc" != 0 ] || fail "fusermount3 -u succeeded on a busy mount"
grep -qi busy "$FUSE_DIR/err" || echo "fusermount3 said: $(cat "$FUSE_DIR/err")"
is_mounted "$mnt" || fail "busy mount went away"
user_run 30 dd if="$mnt/n1" of=/dev/null bs=1M count=4 status=none ||
  fail "busy mount stopped working"
kill "$holder"; wait "$holder" 2>/dev/null || true

echo "== busy: SIGTERM while a writer runs"
user_run 120 dd if=/dev/zero of="$mnt/n1" bs=64k count=100000 \
  conv=notrunc status=none 2>"$FUSE_DIR/dd-err" &
writer=$!
# Let it write until the target has seen some of its data (bounded).
stats_refresh "$stats"
b0=$(jq -r .bytes_written "$stats")
deadline=$((SECONDS + 30))
while :; do
  stats_refresh "$stats"
  [ "$(jq -r .bytes_written "$stats")" -gt $((b0 + 1048576)) ] && break
  [ "$SECONDS" -le "$deadline" ] || fail "the writer did not get going"
  _alive "$writer" || fail "the writer ended early: $(cat "$FUSE_DIR/dd-err")"
done
t0=$SECONDS
kill -TERM "$FUSE_PID"
_wait_gone "$FUSE_PID" 30 || fail "nvmeof-fuse did not exit on SIGTERM"
rc=0; wait "$FUSE_PID" || rc=$?
[ "$rc" = 0 ] || { cat "$FUSE_LOG"; fail "SIGTERM: exit status $rc"; }
_check_log_clean "$FUSE_LOG" nvmeof-fuse || fail "sanitizer report"
wait_unmounted "$mnt" 10 || fail "still mounted after SIGTERM"
rc=0; wait "$writer" || rc=$?
echo "SIGTERM took $((SECONDS - t0)) s; the writer exited $rc: $(cat "$FUSE_DIR/dd-err")"
[ "$rc" != 0 ] || echo "(the writer had already finished)"
[ "$rc" != 124 ] || fail "the writer hung"

echo "== idle: SIGHUP (SIGINT is ignored by background jobs of a script)"
fuse_mount "$mnt" "$TARGET_URL"
# A signal to the process must reach a FUSE thread (libfuse's own block
# SIGHUP, SIGINT and SIGTERM, leaving the main one): libnvmeof's threads
# (receive, timer, reconnect) block them too, or the handler may run in
# one of them and the loop never hears of it.
nthreads=0
for task in /proc/"$FUSE_PID"/task/*; do
  case "$(cat "$task/comm")" in nvmeof-fuse) continue ;; esac
  blk=$((16#$(awk '/^SigBlk:/ { print $2 }' "$task/status")))
  for sig in 1 2 15; do
    [ $(((blk >> (sig - 1)) & 1)) = 1 ] ||
      fail "thread $(cat "$task/comm") does not block signal $sig"
  done
  nthreads=$((nthreads + 1))
done
[ "$nthreads" -ge 2 ] || fail "only $nthreads library threads found"
echo "$nthreads library threads block SIGHUP, SIGINT and SIGTERM"
kill -HUP "$FUSE_PID"
_wait_gone "$FUSE_PID" 30 || fail "nvmeof-fuse did not exit on SIGHUP"
rc=0; wait "$FUSE_PID" || rc=$?
[ "$rc" = 0 ] || fail "SIGHUP: exit status $rc"
wait_unmounted "$mnt" 10 || fail "still mounted after SIGHUP"
echo PASS
