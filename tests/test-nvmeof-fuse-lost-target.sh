#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The target goes away while mounted and does not come back: killed (the
# connection breaks) or stopped (it stays open but nothing answers: the
# command timeout, here --timeout=3, fails the controller).  Reads and
# writes are held while the library reconnects, then fail with EIO when
# --ctrl-loss-tmo=2 gives up (after the attempt under way, bounded by
# --connect-timeout=2); nothing hangs, and the mount can still be
# unmounted cleanly.  (test-nvmeof-fuse-cuts.sh: a target that comes back.)
source "${abs_srcdir:-$(dirname "$0")}/functions.sh"
source "$abs_srcdir/functions-fuse.sh"
set -e -u -o pipefail

fuse_user_setup
start_target --ram 16M
mnt="$FUSE_DIR/mnt"
as_user mkdir "$mnt"
fuse_mount "$mnt" --timeout=3 --keep-alive-tmo=1 --ctrl-loss-tmo=2 \
  --reconnect-delay=1 --connect-timeout=2 "$TARGET_URL"
user_run 30 dd if=/dev/urandom of="$mnt/n1" bs=1M count=2 \
  conv=notrunc,fsync status=none

echo "== target killed"
kill -KILL "$TARGET_PID"
wait "$TARGET_PID" 2>/dev/null || true
# Killed on purpose: not a failure for the cleanup in functions.sh.
_stopped_pids+="$TARGET_PID "
TARGET_PID=
t0=$SECONDS
rc=0
user_run 60 dd if="$mnt/n1" of=/dev/null bs=4096 count=1 \
  skip=100 status=none 2>"$FUSE_DIR/err" || rc=$?
echo "read: exit $rc after $((SECONDS - t0)) s: $(cat "$FUSE_DIR/err")"
[ "$rc" != 0 ] && [ "$rc" != 124 ] || fail "read did not fail promptly"
grep -q 'Input/output error' "$FUSE_DIR/err" || fail "read: not EIO"
[ $((SECONDS - t0)) -le 30 ] || fail "EIO took too long"
rc=0
user_run 60 dd if=/dev/zero of="$mnt/n1" bs=4096 count=1 \
  conv=notrunc status=none 2>"$FUSE_DIR/err" || rc=$?
echo "write: exit $rc: $(cat "$FUSE_DIR/err")"
[ "$rc" != 0 ] && [ "$rc" != 124 ] && grep -q 'Input/output error' "$FUSE_DIR/err" ||
  fail "write after the target died: not EIO"
# Directory operations never needed the target.
as_user ls -l "$mnt" >/dev/null || fail "ls after the target died"
fuse_unmount "$mnt"
grep -q 'nvmeof-fuse: read n1' "$FUSE_LOG" || fail "-v did not report the error"

echo "== target stopped (SIGSTOP): EIO after the timeout and ctrl-loss-tmo"
start_target --ram 16M
fuse_mount "$mnt" --timeout=3 --keep-alive-tmo=1 --ctrl-loss-tmo=2 \
  --reconnect-delay=1 --connect-timeout=2 "$TARGET_URL"
user_run 30 dd if="$mnt/n1" of=/dev/null bs=4096 count=1 status=none
kill -STOP "$TARGET_PID"
wait_stopped "$TARGET_PID"
cleanup_fn kill -CONT "$TARGET_PID"
t0=$SECONDS
rc=0
user_run 60 dd if="$mnt/n1" of=/dev/null bs=4096 count=1 skip=200 \
  status=none 2>"$FUSE_DIR/err" || rc=$?
echo "read: exit $rc after $((SECONDS - t0)) s: $(cat "$FUSE_DIR/err")"
[ "$rc" != 0 ] && [ "$rc" != 124 ] || fail "read from a stopped target did not fail"
grep -q 'Input/output error' "$FUSE_DIR/err" || fail "stopped target: not EIO"
[ $((SECONDS - t0)) -le 30 ] || fail "EIO took more than 30 s"
fuse_unmount "$mnt"
kill -CONT "$TARGET_PID"
echo PASS
