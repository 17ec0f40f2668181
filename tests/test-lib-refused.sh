#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Connections libnvmeof cannot make, each with a clear message: a host not
# on the subsystem's list (both NQNs named), an unknown subsystem, nobody
# listening, a namespace that does not exist; and writes to a
# write-protected namespace (EROFS).
source "${abs_srcdir:-$(dirname "$0")}/functions.sh"
set -e -u -o pipefail

requires_target
requires_built "$abs_builddir/e2e-io"
d=$TMPDIR_TEST
hostnqn=$(cat "$NVMEOF_HOSTNQN_FILE" 2>/dev/null || true)

start_target --ram 8M --allow-host nqn.2014-08.org.example:someone-else
with_timeout 30 e2e-io connect-fail "$TARGET_URL" --within 10 \
  --expect "is not allowed on $TARGET_NQN" | tee "$d/out"
grep -q 'Connect Invalid Host' "$d/out" || fail "status not in words"
if [ -n "$hostnqn" ]; then
  grep -qF "host $hostnqn" "$d/out" || fail "the host NQN is not named"
fi
stop_target

start_target --ram 8M
with_timeout 30 e2e-io connect-fail \
  "nvme+tcp://127.0.0.1:$TARGET_PORT/nqn.2026-11.io.nvmeof:no-such" \
  --within 10 --expect "nqn.2026-11.io.nvmeof:no-such"
with_timeout 30 e2e-io io "$TARGET_URL/9" 2>&1 | tee "$d/out" && \
  fail "namespace 9 was opened"
grep -q 'namespace 9' "$d/out" || fail "namespace 9 not named"
port=$(free_port)
with_timeout 30 e2e-io connect-fail "nvme+tcp://127.0.0.1:$port/$TARGET_NQN" \
  --within 10 --expect "Connection refused"
stop_target

start_target --ram 8M --write-protect
with_timeout 30 e2e-io readonly "$TARGET_URL" | tee "$d/out"
grep -q 'Write Protected' "$d/out" || fail "write protection not in words"
