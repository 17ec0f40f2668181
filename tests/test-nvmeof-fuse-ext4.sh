#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# A file system image on a namespace through nvmeof-fuse, as an ordinary
# user: mkfs.ext4 on n1 (which punches holes to discard), e2fsck -fn finds
# it clean, a file written into it with debugfs reads back identical, and
# e2fsck is still clean afterwards.
source "${abs_srcdir:-$(dirname "$0")}/functions.sh"
source "$abs_srcdir/functions-fuse.sh"
set -e -u -o pipefail

fuse_user_setup
PATH="$PATH:/sbin:/usr/sbin"
requires mkfs.ext4 -V
requires e2fsck -V
requires debugfs -V
start_target --ram 128M
mnt="$FUSE_DIR/mnt"
as_user mkdir "$mnt"
fuse_mount "$mnt" "$TARGET_URL"

user_run 300 mkfs.ext4 -q -F "$mnt/n1"
user_run 300 e2fsck -fn "$mnt/n1"
random_file "$FUSE_DIR/data" 3M
chmod 0644 "$FUSE_DIR/data"
user_run 120 debugfs -w -R "write $FUSE_DIR/data data" "$mnt/n1"
user_run 120 debugfs -R "dump data $FUSE_DIR/back" "$mnt/n1"
cmp "$FUSE_DIR/data" "$FUSE_DIR/back" || fail "debugfs read back other data"
user_run 300 e2fsck -fn "$mnt/n1"
fuse_unmount "$mnt"

# Mounted again (a new connection), the file is still there.
fuse_mount "$mnt" --cached "$TARGET_URL"
rm -f "$FUSE_DIR/back"
user_run 120 debugfs -R "dump data $FUSE_DIR/back" "$mnt/n1"
cmp "$FUSE_DIR/data" "$FUSE_DIR/back" || fail "data lost across mounts"
fuse_unmount "$mnt"
echo PASS
