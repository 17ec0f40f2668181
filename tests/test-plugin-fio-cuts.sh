#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# One path whose connections the target cuts every 3000 commands per queue,
# again and again, under fio through the plugin (4 jobs, NBD connections
# each, random 4k writes at queue depth 16, verified with crc32c as they
# go and at the end), for 20 s: the library holds what was in flight and
# sends it again after each reconnect, so fio sees not one error and every
# block verifies; nbdkit logs no error.
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

start_target --ram 128M --fault-close-after 3000
start_plugin -- "$TARGET_URL" nr-io-queues=2 reconnect-delay=1 \
  ctrl-loss-tmo=60
cd "$d" # fio's verify state files
rc=0
with_timeout 300 fio --name=cuts --ioengine=nbd --uri="$NBD_URI" \
  --numjobs=4 --size=16m --offset_increment=16m --rw=randwrite --bs=4k \
  --iodepth=16 --verify=crc32c --verify_backlog=256 --verify_fatal=1 \
  --verify_state_save=0 --do_verify=1 --time_based --runtime=20 \
  --group_reporting >"$d/fio.out" 2>&1 || rc=$?
cat "$d/fio.out"
[ "$rc" = 0 ] || fail "fio failed (status $rc)"
grep -qE 'err= *0' "$d/fio.out" || fail "fio reported errors"
cuts=$(grep -c 'fault injection: closing' "$TARGET_LOG" || true)
echo "the target cut $cuts connections"
[ "$cuts" -ge 2 ] || fail "only $cuts cuts: the test proves nothing"
if grep 'error' "$NBDKIT_LOG"; then
  fail "nbdkit logged errors"
fi
echo PASS
