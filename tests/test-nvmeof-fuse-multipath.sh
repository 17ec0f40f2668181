#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# nvmeof-fuse with two URLs (URL URL MOUNTPOINT): the namespace is one file
# whatever the number of paths; 32 MiB of random data written while one
# port's listener is stopped (its connections cut) and started again, and
# while the other port's ANA group is inaccessible for a while, reads
# back with the same checksum; both ports carried I/O (round-robin).
source "${abs_srcdir:-$(dirname "$0")}/functions.sh"
source "$abs_srcdir/functions-fuse.sh"
source "$abs_srcdir/functions-multipath.sh"
set -e -u -o pipefail

fuse_user_setup
requires jq --version
requires command -v sha256sum
d=$TMPDIR_TEST
truncate -s 64M "$d/disk"
mp_start_target 2 --file "$d/disk"
mnt="$FUSE_DIR/mnt"
as_user mkdir "$mnt"
ref="$FUSE_DIR/ref"
random_file "$ref" 32M
chmod 0644 "$ref"

fuse_mount "$mnt" --direct-io --iopolicy=round-robin --reconnect-delay=1 \
  "${MP_URL1%/1}" "${MP_URL2%/1}"
[ "$(as_user ls "$mnt" | tr '\n' ' ')" = "n1 " ] ||
  fail "two paths to one namespace must give one file"
io1=$(mp_port_io 1) io2=$(mp_port_io 2)

( sleep 0.3; mp_ctl listener 1 down; sleep 1; mp_ctl listener 1 up
  mp_ctl ana 2 1 inaccessible; sleep 1; mp_ctl ana 2 1 optimized ) &
faults=$!
# Small writes with fsync keep I/O going through the faults (~2 s).
user_run 300 dd if="$ref" of="$mnt/n1" bs=64k oflag=sync conv=notrunc \
  status=none || fail "writing during the faults failed"
wait "$faults" || fail "the faults could not be made"
a=$(sha256sum <"$ref" | cut -d' ' -f1)
b=$(user_run 120 dd if="$mnt/n1" bs=1M count=32 status=none |
  sha256sum | cut -d' ' -f1)
[ "$a" = "$b" ] || fail "n1 reads back different data"
[ "$(mp_port_io 1)" -gt "$io1" ] && [ "$(mp_port_io 2)" -gt "$io2" ] ||
  fail "both ports should have carried I/O"
echo "ok: 32 MiB written through two paths during the faults, same checksum"
fuse_unmount "$mnt"
grep -i 'error' "$FUSE_LOG" && fail "nvmeof-fuse reported errors"
echo PASS
