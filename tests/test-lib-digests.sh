#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# libnvmeof with header and data digests (CRC32C), one or both, across the
# same small limits as test-lib-io.sh (R2T, split C2HData); and with SQ
# flow control disabled, where reads complete by the C2HData SUCCESS flag
# without a CapsuleResp.
source "${abs_srcdir:-$(dirname "$0")}/functions.sh"
set -e -u -o pipefail

requires_target
requires_built "$abs_builddir/e2e-io"

start_target --ram 32M --maxh2cdata 4096 --inline-data-size 4096 --mdts 3
for d in "hdr-digest=1 data-digest=1" "hdr-digest=1" "data-digest=1" \
         "disable-sqflow=1 data-digest=1"; do
  echo "== $d"
  # shellcheck disable=SC2086
  with_timeout 120 e2e-io io "$TARGET_URL" $d --threads 2 \
    --sizes 512,4096,4608,32768,65536,1M | tee "$TMPDIR_TEST/out"
  want="digests $([[ $d == *hdr* ]] && echo 1 || echo 0)/$([[ $d == *data* ]] && echo 1 || echo 0)"
  grep -q "$want" "$TMPDIR_TEST/out" || fail "$d: expected '$want'"
done
