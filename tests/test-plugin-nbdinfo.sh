#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# nbdinfo against the plugin: the export list (one export per namespace,
# named by NSID, with a description), sizes, the flags and block sizes
# advertised, and content written through NBD shows up in nbdinfo.
source "${abs_srcdir:-$(dirname "$0")}/functions.sh"
source "$abs_srcdir/functions-plugin.sh"
set -e -u -o pipefail

requires_plugin
requires_target
requires_nbdinfo
requires jq --version
requires qemu-img --version
requires nbdcopy --version
d=$TMPDIR_TEST

start_target --ram 64M --ram 16M
start_plugin

echo "== nbdinfo --list"
with_timeout 60 nbdinfo --list "$NBD_URI"
with_timeout 60 nbdinfo --list --json "$NBD_URI" >"$d/list.json"
names=$(jq -r '[.exports[]."export-name"] | join(",")' "$d/list.json")
[ "$names" = "1,2" ] || fail "export names are '$names', expected '1,2'"
desc1=$(jq -r '.exports[] | select(."export-name" == "1") | .description' \
          "$d/list.json")
desc2=$(jq -r '.exports[] | select(."export-name" == "2") | .description' \
          "$d/list.json")
for want in "NVMe namespace 1" "$TARGET_NQN" "67108864 bytes" "64.0 MiB" \
            "512-byte LBAs" "serial"; do
  case $desc1 in *"$want"*) ;; *) fail "description of 1 lacks '$want': $desc1" ;; esac
done
case $desc2 in *"16777216 bytes"*) ;; *) fail "description of 2: $desc2" ;; esac
case $desc1 in *NGUID*|*UUID*|*EUI-64*) ;; *) fail "no global ID in: $desc1" ;; esac

echo "== sizes"
[ "$(with_timeout 60 nbdinfo --size "$NBD_URI")" = 67108864 ] ||
  fail "default export size"
[ "$(with_timeout 60 nbdinfo --size "$(nbd_uri 1)")" = 67108864 ] ||
  fail "export 1 size"
[ "$(with_timeout 60 nbdinfo --size "$(nbd_uri 2)")" = 16777216 ] ||
  fail "export 2 size"

echo "== flags and block sizes"
with_timeout 60 nbdinfo --json "$NBD_URI" >"$d/info.json"
cat "$d/info.json"
check ()
{
  local got
  got=$(jq -r ".exports[0].$1" "$d/info.json")
  [ "$got" = "$2" ] || fail "$1 is '$got', expected '$2'"
}
check is_read_only false
check can_multi_conn true
check can_flush true
check can_fua true
check can_trim true
check can_zero true
check can_fast_zero true
check block_size_minimum 512
check block_size_preferred 4096
check block_size_maximum 4294967295
check '"export-size"' 67108864
check content data          # a fresh RAM namespace reads as zeroes

echo "== content"
qemu-img create -q -f qcow2 "$d/small.qcow2" 1M
# libnbd honours the minimum block size (512): pad the file to it.
truncate -s %512 "$d/small.qcow2"
with_timeout 60 nbdcopy "$d/small.qcow2" "$(nbd_uri 2)"
with_timeout 60 nbdinfo --json "$(nbd_uri 2)" >"$d/info2.json"
content=$(jq -r '.exports[0].content' "$d/info2.json")
case $content in
  *QEMU*QCOW*) ;;
  *) fail "content of export 2 after writing a qcow2 header: '$content'" ;;
esac
# Export 1 was not touched.
with_timeout 60 nbdcopy "$(nbd_uri 1)" "$d/one"
cmp -n 1048576 "$d/one" /dev/zero || fail "export 1 was changed"

echo "== nsid= picks the default export"
start_plugin -- "$TARGET_URL" nsid=2
[ "$(with_timeout 60 nbdinfo --size "$NBD_URI")" = 16777216 ] ||
  fail "nsid=2: default export size"
start_plugin -- "$TARGET_URL/2"
[ "$(with_timeout 60 nbdinfo --size "$NBD_URI")" = 16777216 ] ||
  fail "URL/2: default export size"
echo PASS
