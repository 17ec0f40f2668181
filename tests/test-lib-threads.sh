#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# libnvmeof from many threads at once over several small queues (16
# entries: submitters wait for free command IDs), and the asynchronous
# API (every size submitted at once, callbacks run by
# nvmeof_ctrl_process when the fd is readable).
source "${abs_srcdir:-$(dirname "$0")}/functions.sh"
set -e -u -o pipefail

requires_target
requires_built "$abs_builddir/e2e-io"

start_target --ram 128M --mdts 3
with_timeout 180 e2e-io io "$TARGET_URL" nr-io-queues=3 queue-size=16 \
  --threads 16 --rounds 2 --sizes 512,4096,65536,262144,1M --async |
  tee "$TMPDIR_TEST/out"
grep -q '3 I/O queues of 16' "$TMPDIR_TEST/out" || fail "queues not as asked"
grep -q '^async: .* ok$' "$TMPDIR_TEST/out" || fail "async did not finish"
