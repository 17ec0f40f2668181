#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# nvmeof-fuse inside a user namespace (unshare -Urm), as an ordinary
# user: the kernel allows FUSE mounts there (Linux 4.18+) without
# fusermount3; data written there reads back, and the mount is gone with
# the namespace.
source "${abs_srcdir:-$(dirname "$0")}/functions.sh"
source "$abs_srcdir/functions-fuse.sh"
set -e -u -o pipefail

fuse_user_setup
requires command -v unshare
as_user unshare -Urm true 2>/dev/null ||
  _skip "user namespaces are not available to uid $FUSE_UID"
start_target --ram 8M
mnt="$FUSE_DIR/mnt"
as_user mkdir "$mnt"
random_file "$FUSE_DIR/data" 4M
chmod 0644 "$FUSE_DIR/data"

cat >"$FUSE_DIR/inside.sh" <<'INNER'
set -e -u
fuse=$1 url=$2 mnt=$3 data=$4
"$fuse" -f "$url" "$mnt" 2>"$mnt.log" &
pid=$!
for i in $(seq 1 300); do
  grep -q " $mnt .* - fuse" /proc/self/mountinfo && break
  kill -0 $pid 2>/dev/null || { cat "$mnt.log"; exit 2; }
  sleep 0.1
done
grep -q " $mnt .* - fuse" /proc/self/mountinfo || { echo "not mounted"; exit 3; }
dd if="$data" of="$mnt/n1" bs=1M conv=notrunc,fsync status=none
cmp -n 4194304 "$data" "$mnt/n1"
umount "$mnt"
wait $pid
echo "inside the user namespace: OK (uid $(id -u) there)"
INNER
chmod 0755 "$FUSE_DIR/inside.sh"
user_run 120 unshare -Urm bash "$FUSE_DIR/inside.sh" \
  "$NVMEOF_FUSE" "$TARGET_URL" "$mnt" "$FUSE_DIR/data" ||
  fail "nvmeof-fuse in a user namespace"
! is_mounted "$mnt" || fail "the mount leaked out of the namespace"
echo PASS
