#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# libnvmeof reconnecting, commands held meanwhile (reconnect.c): across a
# lost connection, a C2HTermReq or a hung command (the target's faults,
# once), and across connections the target cuts every few hundred
# commands per queue, again and again (also with TLS and DH-HMAC-CHAP on
# every new connection), writes and read-backs of random data from several
# threads, blocking and asynchronous, see not one error, and the data
# written before is intact.
source "${abs_srcdir:-$(dirname "$0")}/functions.sh"
set -e -u -o pipefail

requires_target
requires_built "$abs_builddir/e2e-io"
requires_built "$abs_builddir/e2e-hold"
d=$TMPDIR_TEST
opts=(ctrl-loss-tmo=20 reconnect-delay=1 timeout=3 keep-alive-tmo=2)

for fault in "--fault-close-after 30" "--fault-termreq-after 30" \
             "--fault-hang-after 30"; do
  echo "== $fault"
  # shellcheck disable=SC2086
  start_target --ram 16M $fault --fault-once
  with_timeout 120 e2e-hold reconnect "$TARGET_URL" "${opts[@]}" \
    hdr-digest=1 --rounds 100 --within 60 | tee "$d/out"
  grep -q '^reconnect: .* not one error' "$d/out" || fail "$fault: errors"
  grep -q 'fault injection' "$TARGET_LOG" || fail "$fault: did not fire"
  stop_target
done

# Without --fault-once every new connection is cut again.
for mode in "" --async; do
  echo "== connections cut every 300 commands per queue ${mode:-(blocking)}"
  start_target --ram 64M --fault-close-after 300
  # shellcheck disable=SC2086
  with_timeout 300 e2e-io io "$TARGET_URL" "${opts[@]}" nr-io-queues=2 \
    --threads 4 --rounds 40 --sizes 4k,64k,128k,1M $mode | tee "$d/out"
  grep -q '^io: .*: ok$' "$d/out" || fail "I/O across cuts $mode"
  cuts=$(grep -c 'fault injection: closing' "$TARGET_LOG" || true)
  echo "the target cut $cuts connections"
  [ "$cuts" -ge 2 ] || fail "only $cuts cuts: the test proves nothing"
  stop_target
done

echo "== TLS and DH-HMAC-CHAP on every connection, cut every 300 commands"
requires_built "$NVMEOF_CLI"
host=$(cat "$NVMEOF_HOSTNQN_FILE")
"$NVMEOF_CLI" gen-tls-key --hmac=1 --output="$d/psk"
"$NVMEOF_CLI" gen-dhchap-key --hmac=1 --key-length=32 --output="$d/dh"
chmod 0600 "$d/psk" "$d/dh"
start_target --ram 64M --tls --tls-key "$host=+$d/psk" \
  --dhchap-key "$host=+$d/dh" --fault-close-after 300
with_timeout 300 e2e-io io "$TARGET_URL" "${opts[@]}" nr-io-queues=2 \
  tls-key="+$d/psk" dhchap-secret="+$d/dh" --threads 4 --rounds 40 \
  --sizes 4k,64k,128k,1M | tee "$d/out"
grep -q '^io: .*: ok$' "$d/out" || fail "I/O across cuts with TLS"
cuts=$(grep -c 'fault injection: closing' "$TARGET_LOG" || true)
echo "the target cut $cuts connections"
[ "$cuts" -ge 2 ] || fail "only $cuts cuts: the test proves nothing"
stop_target
echo PASS
