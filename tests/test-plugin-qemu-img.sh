#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# qemu-img against the plugin: info, and convert a qcow2 image (with
# random data and holes) to the NBD export and back, compared by content.
source "${abs_srcdir:-$(dirname "$0")}/functions.sh"
source "$abs_srcdir/functions-plugin.sh"
set -e -u -o pipefail

requires_plugin
requires_target
requires qemu-img --version
requires qemu-io --version
requires jq --version
d=$TMPDIR_TEST

start_target --ram 64M
start_plugin

echo "== qemu-img info"
with_timeout 60 qemu-img info --output=json "$NBD_URI" >"$d/info.json"
cat "$d/info.json"
size=$(jq -r '."virtual-size"' "$d/info.json")
[ "$size" = 67108864 ] || fail "qemu-img info: virtual size $size"

echo "== a qcow2 image with data and holes"
qemu-img create -q -f qcow2 "$d/src.qcow2" 64M
head -c 1M /dev/urandom >"$d/r"
with_timeout 60 qemu-io -f qcow2 \
  -c "write -P 0x5a 0 1M" \
  -c "write -s $d/r 10M 1M" \
  -c "write -P 0xa5 40M 512k" \
  -c "write -P 0x11 50331000 777" \
  "$d/src.qcow2" >/dev/null
# The export starts with other data, so that holes must be written too.
with_timeout 60 qemu-io -f raw -c "write -P 0xee 0 64M" "$NBD_URI" >/dev/null

echo "== convert qcow2 -> NBD"
with_timeout 120 qemu-img convert -p -n -f qcow2 -O raw "$d/src.qcow2" \
  "$NBD_URI"
with_timeout 120 qemu-img compare -f qcow2 -F raw "$d/src.qcow2" "$NBD_URI" ||
  fail "the export differs from the source image"

echo "== convert NBD -> qcow2"
with_timeout 120 qemu-img convert -p -f raw -O qcow2 "$NBD_URI" \
  "$d/back.qcow2"
with_timeout 120 qemu-img compare -f qcow2 -F qcow2 "$d/src.qcow2" \
  "$d/back.qcow2" || fail "the image read back differs"
# And by checksum of the raw content.
qemu-img convert -f qcow2 -O raw "$d/src.qcow2" "$d/src.raw"
qemu-img convert -f qcow2 -O raw "$d/back.qcow2" "$d/back.raw"
[ "$(sha256sum <"$d/src.raw")" = "$(sha256sum <"$d/back.raw")" ] ||
  fail "checksums differ"
echo PASS
