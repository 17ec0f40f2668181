#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Read-only: with -o ro no file can be opened for writing (EROFS) and
# nothing is written; a write-protected namespace (nvmeof-target
# --write-protect) gives a 0400 file that refuses writes with EROFS while
# reads still work.
source "${abs_srcdir:-$(dirname "$0")}/functions.sh"
source "$abs_srcdir/functions-fuse.sh"
set -e -u -o pipefail

fuse_user_setup
stats="$TMPDIR_TEST/stats.json"
start_target --ram 8M --stats-file "$stats"
mnt="$FUSE_DIR/mnt"
as_user mkdir "$mnt"
ref="$FUSE_DIR/ref"
random_file "$ref" 8M
chmod 0644 "$ref"
fuse_mount "$mnt" "$TARGET_URL"
user_run 60 dd if="$ref" of="$mnt/n1" bs=1M conv=notrunc status=none
fuse_unmount "$mnt"

expect_erofs ()
{
  local rc=0
  user_run 30 dd if=/dev/zero of="$1" bs=4096 count=1 \
    conv=notrunc status=none 2>"$FUSE_DIR/err" || rc=$?
  [ "$rc" != 0 ] && grep -q 'Read-only file system' "$FUSE_DIR/err" ||
    fail "writing $1: expected EROFS, got: $(cat "$FUSE_DIR/err")"
}

echo "== -o ro"
stats_refresh "$stats"
w0=$(stat_of "$stats" write)
fuse_mount "$mnt" -o ro "$TARGET_URL"
expect_erofs "$mnt/n1"
rc=0
user_run 30 fallocate -p -o 0 -l 4096 "$mnt/n1" 2>/dev/null || rc=$?
[ "$rc" != 0 ] || fail "fallocate on a read-only mount succeeded"
user_run 60 cmp "$mnt/n1" "$ref" || fail "-o ro: reads"
fuse_unmount "$mnt"
stats_refresh "$stats"
[ "$(stat_of "$stats" write)" = "$w0" ] || fail "-o ro: something was written"
stop_target

echo "== write-protected namespace"
start_target --ram 8M --write-protect
fuse_mount "$mnt" "$TARGET_URL"
[ "$(as_user stat -c %a "$mnt/n1")" = 400 ] || fail "mode is not 0400"
expect_erofs "$mnt/n1"
user_run 60 dd if="$mnt/n1" of=/dev/null bs=1M status=none ||
  fail "reading a write-protected namespace"
fuse_unmount "$mnt"
echo PASS
