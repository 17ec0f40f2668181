#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# nvmeof-fuse as an ordinary user: one file per namespace with the right
# sizes; random data written with dd reads back identical (sha256), in
# direct-I/O and in page-cache mode; unaligned writes and reads at odd
# offsets; four concurrent writers sharing partial LBAs lose nothing;
# qemu-img sees a raw image of the namespace's size; writes past the end
# fail with ENOSPC; daemon mode returns once mounted.
source "${abs_srcdir:-$(dirname "$0")}/functions.sh"
source "$abs_srcdir/functions-fuse.sh"
set -e -u -o pipefail

fuse_user_setup
requires command -v sha256sum
start_target --ram 32M --ram 8M
mnt="$FUSE_DIR/mnt"
as_user mkdir "$mnt"
ref="$FUSE_DIR/ref"
random_file "$ref" 32M
chmod 0644 "$ref"

for mode in --direct-io --cached; do
  echo "== $mode"
  fuse_mount "$mnt" "$mode" "$TARGET_URL"
  as_user ls -l "$mnt"
  [ "$(as_user ls "$mnt" | tr '\n' ' ')" = "n1 n2 " ] || fail "names"
  [ "$(as_user stat -c %s "$mnt/n1")" = 33554432 ] || fail "n1 size"
  [ "$(as_user stat -c %s "$mnt/n2")" = 8388608 ] || fail "n2 size"
  [ "$(as_user stat -c %U "$mnt/n1")" = "$(id -nu "$FUSE_UID")" ] ||
    fail "n1 is not owned by the user who mounted it"

  user_run 120 dd if="$ref" of="$mnt/n1" bs=1M conv=notrunc,fsync \
    status=none
  a=$(user_run 120 sha256sum <"$ref" | cut -d' ' -f1)
  b=$(user_run 120 sha256sum "$mnt/n1" | cut -d' ' -f1)
  [ "$a" = "$b" ] || fail "$mode: n1 reads back different data"
  b=$(user_run 120 dd if="$mnt/n1" bs=1M status=none | sha256sum | cut -d' ' -f1)
  [ "$a" = "$b" ] || fail "$mode: n1 read in 1 MiB blocks differs"

  # Unaligned: 100000 bytes at byte 12345, in 1000-byte writes; the same
  # on a local copy; then both compared, and an odd-sized read.
  head -c 100000 /dev/urandom >"$FUSE_DIR/small"
  chmod 0644 "$FUSE_DIR/small"
  user_run 60 dd if="$FUSE_DIR/small" of="$mnt/n1" bs=1000 \
    seek=12345 oflag=seek_bytes conv=notrunc status=none
  dd if="$FUSE_DIR/small" of="$ref" bs=1000 seek=12345 oflag=seek_bytes \
    conv=notrunc status=none
  user_run 60 cmp "$mnt/n1" "$ref" ||
    fail "$mode: unaligned writes"
  user_run 60 dd if="$mnt/n1" bs=777 skip=13 count=100 \
    status=none | cmp - <(dd if="$ref" bs=777 skip=13 count=100 status=none) ||
    fail "$mode: unaligned read"

  # Four writers at once, each 1 MiB at offsets that split LBAs between
  # neighbours (read-modify-write under the range lock).
  ref2="$FUSE_DIR/ref2"
  truncate -s 8M "$ref2"
  pids=()
  for i in 0 1 2 3; do
    head -c 1048576 /dev/urandom >"$FUSE_DIR/w$i"
    chmod 0644 "$FUSE_DIR/w$i"
    off=$((i * 1048576 + 1000))
    dd if="$FUSE_DIR/w$i" of="$ref2" bs=4093 seek=$off oflag=seek_bytes \
      conv=notrunc status=none
    user_run 120 dd if="$FUSE_DIR/w$i" of="$mnt/n2" bs=4093 \
      seek=$off oflag=seek_bytes conv=notrunc status=none &
    pids+=($!)
  done
  for p in "${pids[@]}"; do
    wait "$p" || fail "$mode: a concurrent writer failed"
  done
  user_run 60 cmp -n $((4 * 1048576)) --ignore-initial=1000:1000 \
    "$mnt/n2" "$ref2" || fail "$mode: concurrent writers lost data"

  # A disk, not a growing file: past the end is ENOSPC.
  rc=0
  user_run 30 dd if=/dev/zero of="$mnt/n2" bs=4096 count=1 \
    seek=2048 conv=notrunc status=none 2>"$FUSE_DIR/err" || rc=$?
  [ "$rc" != 0 ] && grep -q 'No space left on device' "$FUSE_DIR/err" ||
    fail "$mode: write past the end: $(cat "$FUSE_DIR/err")"

  if command -v qemu-img >/dev/null; then
    user_run 60 qemu-img info --output=json "$mnt/n1" >"$FUSE_DIR/qi"
    jq -e '.format == "raw" and ."virtual-size" == 33554432' "$FUSE_DIR/qi" \
      >/dev/null || fail "qemu-img info: $(cat "$FUSE_DIR/qi")"
  fi
  fuse_unmount "$mnt"
  grep 'largest' "$FUSE_LOG" || true
done

# The kernel sent 1 MiB requests (direct I/O: dd's 1 MiB reads and writes
# as one request each).
grep -q 'largest read 1048576 bytes, largest write 1048576 bytes' \
  "$TMPDIR_TEST/fuse1.log" || fail "no 1 MiB writes: $(cat "$TMPDIR_TEST/fuse1.log")"

echo "== daemon mode"
user_run 60 "$NVMEOF_FUSE" "$TARGET_URL" "$mnt" ||
  fail "nvmeof-fuse (daemon) failed"
is_mounted "$mnt" || fail "daemon mode returned before mounting"
cleanup_fn _unmount_if_mounted "$mnt"
b=$(user_run 120 sha256sum "$mnt/n1" | cut -d' ' -f1)
[ "$(sha256sum <"$ref" | cut -d' ' -f1)" = "$b" ] || fail "daemon mode: data"
as_user fusermount3 -u "$mnt"
wait_unmounted "$mnt" || fail "daemon: still mounted"
deadline=$((SECONDS + 30))
while pgrep -u "$FUSE_UID" -f "nvmeof-fuse .* $mnt\$" >/dev/null; do
  [ "$SECONDS" -le "$deadline" ] || fail "daemon did not exit after unmount"
  sleep 0.1
done

echo "== bad arguments: one line, exit 1"
rc=0
as_user "$NVMEOF_FUSE" -f --queue-size=x "$TARGET_URL" "$mnt" 2>"$FUSE_DIR/err" || rc=$?
[ "$rc" = 1 ] && [ "$(wc -l <"$FUSE_DIR/err")" = 1 ] &&
  grep -q queue-size "$FUSE_DIR/err" || fail "bad option: $(cat "$FUSE_DIR/err")"
rc=0
as_user "$NVMEOF_FUSE" "nvme+tcp://127.0.0.1:$(free_port)/$TARGET_NQN" "$mnt" \
  2>"$FUSE_DIR/err" || rc=$?
[ "$rc" = 1 ] && grep -q 'Connection refused\|refused' "$FUSE_DIR/err" ||
  fail "unreachable target: $rc $(cat "$FUSE_DIR/err")"
! is_mounted "$mnt" || fail "mounted after a failed connection"
echo PASS
