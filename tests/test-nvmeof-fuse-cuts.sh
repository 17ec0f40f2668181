#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# nvmeof-fuse across connections the target cuts every 60 commands per
# queue, again and again: a 32 MiB file of random data copied onto the
# namespace's file and read back sees no error and the same sha256, in
# direct-I/O and page-cache mode; nvmeof-fuse -v logs no error.
source "${abs_srcdir:-$(dirname "$0")}/functions.sh"
source "$abs_srcdir/functions-fuse.sh"
set -e -u -o pipefail

fuse_user_setup
requires command -v sha256sum
start_target --ram 32M --fault-close-after 60
mnt="$FUSE_DIR/mnt"
as_user mkdir "$mnt"
ref="$FUSE_DIR/ref"
random_file "$ref" 32M
chmod 0644 "$ref"
a=$(sha256sum <"$ref" | cut -d' ' -f1)

for mode in --direct-io --cached; do
  echo "== $mode"
  before=$(grep -c 'fault injection: closing' "$TARGET_LOG" || true)
  fuse_mount "$mnt" "$mode" --reconnect-delay=1 --ctrl-loss-tmo=60 \
    --nr-io-queues=2 "$TARGET_URL"
  user_run 300 dd if="$ref" of="$mnt/n1" bs=1M conv=notrunc,fsync \
    status=none || fail "$mode: the copy failed"
  b=$(user_run 300 dd if="$mnt/n1" bs=1M status=none | sha256sum |
      cut -d' ' -f1)
  [ "$a" = "$b" ] || fail "$mode: n1 reads back different data"
  fuse_unmount "$mnt"
  if grep -iE 'error|failed' "$FUSE_LOG"; then
    fail "$mode: nvmeof-fuse logged errors"
  fi
  cuts=$(($(grep -c 'fault injection: closing' "$TARGET_LOG" || true) - before))
  echo "$mode: the target cut $cuts connections"
  [ "$cuts" -ge 2 ] || fail "$mode: only $cuts cuts: the test proves nothing"
done
echo PASS
