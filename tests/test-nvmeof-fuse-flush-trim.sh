#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# What nvmeof-fuse sends, seen at the target (--stats-file): fsync and
# fdatasync send Flush; fallocate --punch-hole sends Dataset Management
# (deallocate) and --zero-range Write Zeroes; the data afterwards is what
# the same fallocate calls give on a local file.  Without a volatile
# write cache, fsync sends nothing.
source "${abs_srcdir:-$(dirname "$0")}/functions.sh"
source "$abs_srcdir/functions-fuse.sh"
set -e -u -o pipefail

fuse_user_setup
requires jq --version
requires fallocate --version
stats="$TMPDIR_TEST/stats.json"
start_target --ram 16M --stats-file "$stats"
mnt="$FUSE_DIR/mnt"
as_user mkdir "$mnt"
ref="$FUSE_DIR/ref"
random_file "$ref" 16M
chmod 0644 "$ref"
fuse_mount "$mnt" "$TARGET_URL"
user_run 60 dd if="$ref" of="$mnt/n1" bs=1M conv=notrunc status=none

fsync_file ()
{
  user_run 60 $PYTHON -c '
import os, sys
fd = os.open(sys.argv[1], os.O_RDWR)
os.fsync(fd)
os.fdatasync(fd)
os.close(fd)' "$1"
}

stats_refresh "$stats"
f0=$(stat_of "$stats" flush)
fsync_file "$mnt/n1"
stats_refresh "$stats"
f1=$(stat_of "$stats" flush)
echo "flush: $f0 -> $f1"
[ "$f1" -ge $((f0 + 2)) ] || fail "fsync + fdatasync sent $((f1 - f0)) Flush commands"

d0=$(stat_of "$stats" dsm_deallocate)
z0=$(( $(stat_of "$stats" write_zeroes) + $(stat_of "$stats" write_zeroes_deac) ))
# Aligned and unaligned holes, and a zeroed range; the same locally.
for args in "-p -o 1048576 -l 1048576" "-p -o 3000001 -l 200000" \
            "-z -o 5000 -l 70000" "-z -o 8388608 -l 4096"; do
  user_run 60 fallocate $args "$mnt/n1" || fail "fallocate $args"
  fallocate $args "$ref"
done
stats_refresh "$stats"
d1=$(stat_of "$stats" dsm_deallocate)
z1=$(( $(stat_of "$stats" write_zeroes) + $(stat_of "$stats" write_zeroes_deac) ))
echo "dsm_deallocate: $d0 -> $d1; write_zeroes: $z0 -> $z1"
[ "$d1" -ge $((d0 + 2)) ] || fail "punch-hole sent no Dataset Management"
[ "$z1" -ge $((z0 + 2)) ] || fail "zero-range sent no Write Zeroes"
user_run 60 cmp "$mnt/n1" "$ref" ||
  fail "data after fallocate differs from a local file's"
# Plain allocation changes nothing; growing the file is refused.
user_run 60 fallocate -o 0 -l 4096 "$mnt/n1"
rc=0
user_run 60 fallocate -o 16M -l 4096 "$mnt/n1" 2>/dev/null || rc=$?
[ "$rc" != 0 ] || fail "fallocate past the end succeeded"
fuse_unmount "$mnt"
stop_target

echo "== no volatile write cache: fsync sends no Flush"
stats="$TMPDIR_TEST/stats2.json"
start_target --ram 8M --no-write-cache --stats-file "$stats"
fuse_mount "$mnt" "$TARGET_URL"
stats_refresh "$stats"
f0=$(stat_of "$stats" flush)
fsync_file "$mnt/n1"
stats_refresh "$stats"
[ "$(stat_of "$stats" flush)" = "$f0" ] || fail "Flush sent without a write cache"
fuse_unmount "$mnt"
echo PASS
