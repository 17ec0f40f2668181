#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# libnvmeof on a namespace with 4096-byte LBAs: the LBA size taken from
# FLBAS, 4 KiB-aligned I/O split at MDTS, one R2T at a time (--maxr2t 1).
source "${abs_srcdir:-$(dirname "$0")}/functions.sh"
set -e -u -o pipefail

requires_target
requires_built "$abs_builddir/e2e-io"

start_target --lba-size 4096 --ram 64M --maxh2cdata 4096 \
  --inline-data-size 4096 --mdts 3 --maxr2t 1
with_timeout 120 e2e-io io "$TARGET_URL" --expect-lba 4096 --threads 4 \
  --sizes 4096,8192,36864,1M,16M --zeroes
