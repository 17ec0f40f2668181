#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# libnvmeof reconnecting (ctrl-loss-tmo, reconnect-delay): after a lost
# connection or a hung command, commands fail at once, then work again on
# a new association, with the data written before the failure intact.
# When the target is gone for good, the library gives up after
# ctrl-loss-tmo with a message saying so, and close returns at once.
source "${abs_srcdir:-$(dirname "$0")}/functions.sh"
set -e -u -o pipefail

requires_target
requires_built "$abs_builddir/e2e-io"
d=$TMPDIR_TEST
opts=(ctrl-loss-tmo=20 reconnect-delay=1 timeout=3 keep-alive-tmo=2)

for fault in "--fault-close-after 30" "--fault-termreq-after 30" \
             "--fault-hang-after 30"; do
  echo "== $fault"
  # shellcheck disable=SC2086
  start_target --ram 16M $fault --fault-once
  with_timeout 60 e2e-io reconnect "$TARGET_URL" "${opts[@]}" \
    hdr-digest=1 --within 20 | tee "$d/out"
  grep -q '^reconnected after .*: ok$' "$d/out" || fail "$fault: no reconnect"
  stop_target
done

echo "== target gone: give up after ctrl-loss-tmo"
start_target --ram 16M
with_timeout 60 e2e-io giveup "$TARGET_URL" ctrl-loss-tmo=3 \
  reconnect-delay=1 --kill "$TARGET_PID" --within 20 | tee "$d/out"
grep -q 'gave up reconnecting after 3 s' "$d/out" || fail "no give-up message"
