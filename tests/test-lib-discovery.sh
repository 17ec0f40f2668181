#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# libnvmeof discovery: connect to the well-known discovery NQN, read log
# page 70h and find the subsystem listed.
source "${abs_srcdir:-$(dirname "$0")}/functions.sh"
set -e -u -o pipefail

requires_target
requires_built "$abs_builddir/e2e-io"

start_target --ram 8M
with_timeout 30 e2e-io discover \
  "nvme+tcp://127.0.0.1:$TARGET_PORT/nqn.2014-08.org.nvmexpress.discovery" \
  --expect-nqn "$TARGET_NQN" | tee "$TMPDIR_TEST/out"
grep -q "127.0.0.1:$TARGET_PORT $TARGET_NQN (nvme subsystem)" \
  "$TMPDIR_TEST/out" || fail "entry not decoded"
