#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# fio's nbd engine through the plugin: several jobs, each on its own NBD
# connection, writing with crc32c verification, at 4k and at mixed block
# sizes (512 bytes up), then verifying everything again from a new job.
source "${abs_srcdir:-$(dirname "$0")}/functions.sh"
source "$abs_srcdir/functions-plugin.sh"
set -e -u -o pipefail

requires_plugin
requires_target
requires fio --version
if ! fio --enghelp=nbd >/dev/null 2>&1; then
  echo "SKIP: $0: this fio has no nbd engine" >&2
  exit 77
fi
d=$TMPDIR_TEST

start_target --ram 32M
start_plugin

# fio writes its verify state files into the current directory.
cd "$d"
common=(--ioengine=nbd --uri="$NBD_URI" --numjobs=4 --size=8m
        --offset_increment=8m --verify=crc32c --verify_fatal=1
        --verify_state_save=0 --group_reporting)

echo "== 4 jobs, random 4k writes, queue depth 16, verified"
with_timeout 300 fio --name=rand4k --rw=randwrite --bs=4k --iodepth=16 \
  "${common[@]}" --do_verify=1 >"$d/fio1" ||
  { cat "$d/fio1"; fail "fio random 4k"; }
grep -E 'err= *0' "$d/fio1" >/dev/null || { cat "$d/fio1"; fail "fio errors"; }

echo "== 4 jobs, sequential writes of 512 bytes to 128k, verified"
with_timeout 300 fio --name=mixed --rw=write --bsrange=512-128k \
  --iodepth=8 "${common[@]}" --do_verify=1 >"$d/fio2" ||
  { cat "$d/fio2"; fail "fio mixed sizes"; }

echo "== verify only, from new connections"
with_timeout 300 fio --name=mixed --rw=write --bsrange=512-128k \
  --iodepth=8 "${common[@]}" --verify_only >"$d/fio3" ||
  { cat "$d/fio3"; fail "fio verify_only"; }
grep -E 'WRITE:|READ:' "$d/fio1" "$d/fio3"
echo PASS
