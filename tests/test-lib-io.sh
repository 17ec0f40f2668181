#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# libnvmeof data path: random data written and read back and compared for
# sizes from 512 B to 16 MiB, with the target's limits small enough that
# the sizes cross MDTS (32 KiB), the in-capsule size (4 KiB) and
# MAXH2CDATA (4 KiB): in-capsule writes, R2T with several H2CData PDUs,
# several C2HData PDUs per read, splitting into many commands.  Then the
# default target limits.  Several threads, two I/O queues.  Close shuts
# the controller down in order.
source "${abs_srcdir:-$(dirname "$0")}/functions.sh"
set -e -u -o pipefail

requires_target
requires_built "$abs_builddir/e2e-io"

start_target --ram 64M --maxh2cdata 4096 --inline-data-size 4096 --mdts 3
with_timeout 120 e2e-io io "$TARGET_URL" nr-io-queues=2 --threads 4 \
  --zeroes | tee "$TMPDIR_TEST/out"
grep -q 'max transfer 32768, in-capsule 4096, MAXH2CDATA 4096' \
  "$TMPDIR_TEST/out" || fail "the target limits were not taken"
grep -q '^io: 4 threads.*ok$' "$TMPDIR_TEST/out" || fail "io did not finish"
stop_target

# Default limits; -v so that the target logs the orderly shutdown (CC.SHN)
# that nvmeof_close does.
start_target --ram 64M -v
with_timeout 120 e2e-io io "$TARGET_URL" --threads 2 --zeroes
grep -q 'shutdown' "$TARGET_LOG" || fail "no orderly shutdown (CC.SHN) seen"
