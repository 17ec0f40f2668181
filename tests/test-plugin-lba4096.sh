#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# A namespace with 4096-byte LBAs: the block sizes advertised, the
# description, an nbdcopy round trip, then the unaligned and concurrent
# tests again with 4096-byte LBAs.
source "${abs_srcdir:-$(dirname "$0")}/functions.sh"
source "$abs_srcdir/functions-plugin.sh"
set -e -u -o pipefail

requires_plugin
requires_target
requires_nbdinfo
requires jq --version
requires nbdcopy --version
d=$TMPDIR_TEST

start_target --lba-size 4096 --ram 8M
start_plugin

with_timeout 60 nbdinfo --json "$NBD_URI" >"$d/info.json"
for kv in block_size_minimum=4096 block_size_preferred=4096 \
          '"export-size"=8388608'; do
  got=$(jq -r ".exports[0].${kv%%=*}" "$d/info.json")
  [ "$got" = "${kv#*=}" ] || fail "${kv%%=*} is $got, expected ${kv#*=}"
done
with_timeout 60 nbdinfo --list --json "$NBD_URI" >"$d/list.json"
jq -r '.exports[0].description' "$d/list.json" | grep -q '4096-byte LBAs' ||
  fail "the description does not say 4096-byte LBAs"

random_file "$d/in" 8M
with_timeout 60 nbdcopy "$d/in" "$NBD_URI"
with_timeout 60 nbdcopy "$NBD_URI" "$d/out"
[ "$(sha256sum <"$d/in")" = "$(sha256sum <"$d/out")" ] ||
  fail "round trip with 4096-byte LBAs"
stop_target

for t in unaligned concurrent; do
  echo "== test-plugin-$t.sh with 4096-byte LBAs"
  rc=0
  LBA_SIZE=4096 bash "$abs_srcdir/test-plugin-$t.sh" || rc=$?
  [ "$rc" = 0 ] || fail "test-plugin-$t.sh with 4096-byte LBAs: status $rc"
done
echo PASS
