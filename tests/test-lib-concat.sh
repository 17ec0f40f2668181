#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Secure channel concatenation end to end, the initiator (concat=on and a
# DH-HMAC-CHAP secret) against nvmeof-target on a port where TLS is
# optional: the admin queue authenticates in plain TCP with SC_C
# NEWTLSPSK, then every queue connects again over TLS keyed by the PSK
# that exchange generated, named "NVMe1G0h HOSTNQN SUBNQN DIGEST" (the
# target's -v log shows each handshake).  nvmeof identify with both hashes;
# the plugin with 2 I/O queues and an nbdcopy round trip of random data
# compared by checksum; a lost connection, after which the admin queue
# authenticates again for a new PSK and every queue does its handshake
# with it; and the refusals with their messages: the null DH group, SHA-512,
# no dhchap-secret, a wrong secret, tls-key or dhchap-ctrl-secret with
# concat, a port without TLS, a port that requires TLS.
source "${abs_srcdir:-$(dirname "$0")}/functions.sh"
source "$abs_srcdir/functions-plugin.sh"
set -e -u -o pipefail

requires_target
requires_built "$NVMEOF_CLI"
requires_built "$abs_builddir/e2e-hold"
d=$TMPDIR_TEST
host=$(cat "$NVMEOF_HOSTNQN_FILE")

key ()
{
  "$NVMEOF_CLI" gen-dhchap-key --hmac="$1" --key-length="$2" \
    --output="$d/$3"
}
key 1 32 host.key
key 1 32 wrong.key
key 0 48 ctrl.key
"$NVMEOF_CLI" gen-tls-key --hmac=1 --output="$d/tls.key"

cli ()
{
  local cmd=$1
  shift
  with_timeout 60 "$NVMEOF_CLI" "$cmd" "$TARGET_URL" "$@" >"$d/out" 2>&1
}
expect_ok ()
{
  cli identify "$@" || { cat "$d/out" >&2; fail "$*: refused"; }
  grep -q '^mn *: nvmeof-target' "$d/out" || fail "$*: no Identify data"
}
# expect_refused WORDS.. -- ARGS..: refused with one line naming WORDS.
expect_refused ()
{
  local words=() w k
  while [ "$1" != -- ]; do words+=("$1"); shift; done
  shift
  if cli identify "$@"; then fail "$*: accepted"; fi
  cat "$d/out"
  [ "$(wc -l <"$d/out")" = 1 ] || { cat "$d/out" >&2; fail "not one line"; }
  for w in "${words[@]}"; do
    grep -qF -- "$w" "$d/out" || fail "no '$w'"
  done
  for k in host.key wrong.key ctrl.key tls.key; do
    ! grep -qF "$(cut -d: -f3 "$d/$k")" "$d/out" || fail "a key in the message"
  done
}
# generated_sessions SUITE: the TLS connections with a generated PSK's
# identity that the target logged.
generated_sessions ()
{
  grep -c ": TLS 1.3 with $1, PSK identity 'NVMe1G0[12] $host $TARGET_NQN " \
    "$TARGET_LOG" || true
}
concat_target ()
{
  start_target -v --tls-optional --dhchap-key "$host=+$d/host.key" "$@"
}

echo "== nvmeof identify, SHA-256 and SHA-384"
for hash in 'hmac(sha256)' 'hmac(sha384)'; do
  concat_target --ram 8M --dhchap-hash "$hash" --dhchap-dhgroup ffdhe2048
  expect_ok --dhchap-secret="+$d/host.key" --concat
  case $hash in
    *256*) suite=TLS_AES_128_GCM_SHA256 ;;
    *) suite=TLS_AES_256_GCM_SHA384 ;;
  esac
  grep -qF "queue 0 of controller 1 ($TARGET_NQN): authenticated ($hash, ffdhe2048, one-way)" \
    "$TARGET_LOG" || { cat "$TARGET_LOG" >&2; fail "$hash: no authentication"; }
  grep -qF "secure channel concatenation (NEWTLSPSK): TLS PSK generated" \
    "$TARGET_LOG" || { cat "$TARGET_LOG" >&2; fail "$hash: no PSK generated"; }
  # The plain admin queue, then the admin queue and the I/O queues (one
  # per CPU, at least one) over TLS, none authenticating again.
  n=$(generated_sessions "$suite")
  [ "$n" -ge 2 ] || { cat "$TARGET_LOG" >&2; fail "$hash: $n TLS connections"; }
  [ "$(grep -c ': authenticated (' "$TARGET_LOG")" = 1 ] ||
    { cat "$TARGET_LOG" >&2; fail "$hash: authenticated more than once"; }
  stop_target
done

echo "== the data path: the plugin, 2 I/O queues, ffdhe3072"
concat_target --ram 32M --dhchap-dhgroup ffdhe3072
if [ -f "$NVMEOF_PLUGIN" ] && command -v nbdcopy >/dev/null &&
  ! ldd "$NVMEOF_PLUGIN" | grep -q libtsan; then
  start_plugin -- "$TARGET_URL" concat=on dhchap-secret="+$d/host.key" \
    nr-io-queues=2
  random_file "$d/in" 32M
  with_timeout 120 nbdcopy -C 4 "$d/in" "$NBD_URI"
  with_timeout 120 nbdcopy -C 4 "$NBD_URI" "$d/back"
  [ "$(sha256sum <"$d/in")" = "$(sha256sum <"$d/back")" ] ||
    fail "checksums differ after the round trip"
else
  # (Under ThreadSanitizer: nvmeof bench, much lighter than nbdkit there.)
  echo "no plugin here: nvmeof bench --verify on one connection, 2 I/O queues"
  cli bench --rw=randrw --bs=32k --qd=16 --engine=sync --queues=2 --time=2 \
    --verify \
    --dhchap-secret="+$d/host.key" --concat ||
    { cat "$d/out" >&2; fail "bench with concat"; }
fi
n=$(generated_sessions TLS_AES_128_GCM_SHA256)
[ "$n" -ge 3 ] || { cat "$TARGET_LOG" >&2; fail "$n TLS connections"; }
for q in 1 2; do
  grep -q "connected queue $q of controller 1 ($TARGET_NQN), sqsize" \
    "$TARGET_LOG" || { cat "$TARGET_LOG" >&2; fail "no I/O queue $q"; }
done
stop_target

echo "== a lost connection: a new PSK, every queue's handshake again"
concat_target --ram 16M --dhchap-dhgroup ffdhe2048 --fault-close-after 30 \
  --fault-once
with_timeout 120 "$abs_builddir/e2e-hold" reconnect "$TARGET_URL" \
  ctrl-loss-tmo=20 reconnect-delay=1 timeout=3 keep-alive-tmo=2 \
  nr-io-queues=2 concat=on dhchap-secret="+$d/host.key" --rounds 100 \
  --within 60 |
  tee "$d/rc"
grep -q '^reconnect: .* not one error' "$d/rc" ||
  fail "errors across the reconnect"
# Two exchanges, two identities; the admin queue and 2 I/O queues over
# TLS each time.
n=$(grep -c 'TLS PSK generated, identity' "$TARGET_LOG" || true)
[ "$n" = 2 ] || { cat "$TARGET_LOG" >&2; fail "$n PSKs generated"; }
ids=$(sed -n "s/.*TLS PSK generated, identity '\(.*\)'$/\1/p" "$TARGET_LOG" |
  sort -u | wc -l)
[ "$ids" = 2 ] || fail "the reconnect reused the PSK"
n=$(generated_sessions TLS_AES_128_GCM_SHA256)
[ "$n" -ge 6 ] || { cat "$TARGET_LOG" >&2; fail "$n TLS connections"; }
stop_target

echo "== refusals"
concat_target --ram 8M --dhchap-dhgroup ffdhe2048
expect_refused "AUTH_Failure1" "authentication failed" -- \
  --dhchap-secret="+$d/wrong.key" --concat
expect_refused "concat: secure channel concatenation needs dhchap-secret" -- \
  --concat
expect_refused "concat:" "give neither tls nor tls-key" -- \
  --dhchap-secret="+$d/host.key" --concat --tls-key="+$d/tls.key"
expect_refused "concat: dhchap-ctrl-secret cannot be used" -- \
  --dhchap-secret="+$d/host.key" --dhchap-ctrl-secret="+$d/ctrl.key" --concat
stop_target
concat_target --ram 8M --dhchap-dhgroup null
expect_refused "secure channel concatenation mismatch" "a DH group other than null" -- \
  --dhchap-secret="+$d/host.key" --concat
grep -qF "secure channel concatenation needs a DH group, and the host's dhchap_dhgroup is null" \
  "$TARGET_LOG" || { cat "$TARGET_LOG" >&2; fail "null group: not logged"; }
stop_target
concat_target --ram 8M --dhchap-dhgroup ffdhe2048 --dhchap-hash 'hmac(sha512)'
expect_refused "hash function not usable" "hmac(sha256) or hmac(sha384)" -- \
  --dhchap-secret="+$d/host.key" --concat
stop_target
# A port without TLS: the target refuses to generate a PSK.
start_target -v --ram 8M --dhchap-key "$host=+$d/host.key" \
  --dhchap-dhgroup ffdhe2048
expect_refused "secure channel concatenation mismatch" -- \
  --dhchap-secret="+$d/host.key" --concat
grep -qF "the port does not offer TLS" "$TARGET_LOG" ||
  { cat "$TARGET_LOG" >&2; fail "port without TLS: not logged"; }
# ... and without concat the same host is fine there.
expect_ok --dhchap-secret="+$d/host.key"
stop_target
# A port that requires TLS closes the plain admin queue (as nvmet).
start_target --ram 8M --tls --dhchap-key "$host=+$d/host.key" \
  --dhchap-dhgroup ffdhe2048
expect_refused "closed the connection right after ICReq" \
  "TLS must be optional on the port" -- --dhchap-secret="+$d/host.key" --concat
stop_target
echo PASS
