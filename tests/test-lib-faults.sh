#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Every fault nvmeof-target can inject gives a clear error within a
# bounded time, stops every thread, and leaves nothing hanging (and, in a
# sanitizer build, nothing leaking or overflowing).  Protocol violations
# are answered with an H2CTermReq naming the fault.  fast-io-fail-tmo=0:
# commands of a failed controller fail at once instead of being held for
# the reconnect (test-lib-reconnect.sh and test-lib-hold.sh test that), so
# that each fault's own error reaches the caller.
source "${abs_srcdir:-$(dirname "$0")}/functions.sh"
set -e -u -o pipefail

requires_target
requires_built "$abs_builddir/e2e-io"
d=$TMPDIR_TEST

# target fault option | expected words in the error | e2e-io flags
while IFS='|' read -r fault words extra; do
  [ -n "$fault" ] || continue
  echo "== $fault"
  # shellcheck disable=SC2086
  start_target --ram 32M $fault
  # shellcheck disable=SC2086
  with_timeout 60 e2e-io fault "$TARGET_URL" hdr-digest=1 data-digest=1 \
    timeout=5 fast-io-fail-tmo=0 --threads 4 --within 15 \
    --expect "$words" $extra | tee "$d/out"
  grep -q '^fault: first error' "$d/out" || fail "$fault: no error seen"
  stop_target
done <<'LIST'
--fault-close-after 40|lost: queue|
--fault-termreq-after 40|C2HTermReq|
--fault-hang-after 40|timed out after 5 s|
--fault-corrupt-hdgst 20|header digest mismatch|
--fault-corrupt-ddgst 20|data digest|--command-error
--fault-bad-plen 20|PLEN|
--fault-bad-hlen 20|HLEN|
--fault-bad-pdo 20|PDO|
--fault-unknown-cid 20|not outstanding|
--fault-data-overflow 5|outside its|
LIST
