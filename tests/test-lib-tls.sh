#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# NVMe/TCP over TLS 1.3 end to end, the initiator against nvmeof-target on
# a port that requires TLS: the plugin with tls=on and tls-key=+FILE over
# 3 I/O queues (each its own TLS connection) and an nbdcopy round trip of
# random data; both PSK identity versions and both hashes; header and data
# digests inside TLS; a lost connection, after which every queue does the
# handshake again; OpenSSL's record layer against ours; discovery over TLS
# showing the requirement; and the refusals with their messages: a plain
# host on a TLS port, a TLS host on a plain port, a wrong PSK, an unknown
# host.  No message shows a key.
source "${abs_srcdir:-$(dirname "$0")}/functions.sh"
source "$abs_srcdir/functions-plugin.sh"
set -e -u -o pipefail

requires_target
requires_built "$NVMEOF_CLI"
requires_built "$abs_builddir/e2e-hold"
d=$TMPDIR_TEST
host=$(cat "$NVMEOF_HOSTNQN_FILE")
other=nqn.2014-08.org.nvmexpress:uuid:0b0b0b0b-0000-4000-8000-000000000003

# Configured PSKs in the interchange format, from our own generator.
"$NVMEOF_CLI" gen-tls-key --hmac=1 --output="$d/k256"
"$NVMEOF_CLI" gen-tls-key --hmac=2 --output="$d/k384"
"$NVMEOF_CLI" gen-tls-key --hmac=1 --output="$d/wrong"

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
  local words=() w
  while [ "$1" != -- ]; do words+=("$1"); shift; done
  shift
  if cli identify "$@"; then fail "$*: accepted"; fi
  cat "$d/out"
  [ "$(wc -l <"$d/out")" = 1 ] || { cat "$d/out" >&2; fail "not one line"; }
  for w in "${words[@]}"; do
    grep -qF -- "$w" "$d/out" || fail "no '$w'"
  done
  for k in k256 k384 wrong; do
    ! grep -qF "$(cut -d: -f3 "$d/$k")" "$d/out" || fail "a key in the message"
  done
}
# tls_sessions CIPHER: how many TLS connections the target logged.
tls_sessions ()
{
  grep -c ": TLS 1.3 with $1, PSK identity 'NVMe[01]R0[12] $host " \
    "$TARGET_LOG" || true
}

start_target -v --ram 32M --tls --tls-key "$host=+$d/k256"
if [ -f "$NVMEOF_PLUGIN" ] && command -v nbdcopy >/dev/null &&
  ! ldd "$NVMEOF_PLUGIN" | grep -q libtsan; then
  echo "== the plugin over TLS: 3 I/O queues, an nbdcopy round trip"
  start_plugin -- "$TARGET_URL" tls=on tls-key="+$d/k256" nr-io-queues=3
  random_file "$d/in" 32M
  with_timeout 120 nbdcopy -C 4 "$d/in" "$NBD_URI"
  with_timeout 120 nbdcopy -C 4 "$NBD_URI" "$d/back"
  cmp "$d/in" "$d/back" || fail "data differs after the round trip"
else
  # (Under ThreadSanitizer: nvmeof bench, much lighter than nbdkit there.)
  echo "== no plugin here: 3 I/O queues of nvmeof bench --verify over TLS"
  cli bench --rw=randrw --bs=32k --qd=16 --queues=3 --time=2 --verify \
    --tls-key="+$d/k256" || { cat "$d/out" >&2; fail "bench over TLS"; }
fi
n=$(tls_sessions TLS_AES_128_GCM_SHA256)
[ "$n" -ge 4 ] || { cat "$TARGET_LOG" >&2; fail "$n TLS connections"; }
stop_target

echo "== both identity versions, both hashes"
for k in k256 k384; do
  for id in 0 1; do
    start_target -v --ram 8M --tls --tls-key "$host=+$d/$k"
    expect_ok --tls-key="+$d/$k" --tls-identity="$id"
    case $k in
      k256) h=01 suite=TLS_AES_128_GCM_SHA256 ;;
      *) h=02 suite=TLS_AES_256_GCM_SHA384 ;;
    esac
    grep -qF ": TLS 1.3 with $suite, PSK identity 'NVMe${id}R$h $host $TARGET_NQN" \
      "$TARGET_LOG" || { cat "$TARGET_LOG" >&2; fail "$k, identity $id"; }
    stop_target
  done
done

echo "== header and data digests inside TLS, writes and reads checked"
# (One queue: the target's digests read its RAM namespace, which writes
# from another queue to the same blocks would race with.)
start_target --ram 64M --tls --tls-key "$host=+$d/k384"
for rw in randrw write; do
  cli bench --rw="$rw" --bs=64k --qd=16 --time=2 --verify \
    --size=32M --tls-key="+$d/k384" --hdr-digest --data-digest ||
    { cat "$d/out" >&2; fail "bench --rw=$rw over TLS with digests"; }
done
stop_target

echo "== OpenSSL's record layer at the host, ours at the target"
start_target --ram 16M --tls --tls-key "$host=+$d/k256"
NVMEOF_TLS_OPENSSL_RECORDS=1 cli bench --rw=randrw --bs=16k --qd=8 --time=1 \
  --verify --size=8M --tls-key="+$d/k256" ||
  { cat "$d/out" >&2; fail "OpenSSL's records"; }
stop_target

echo "== a lost connection: every queue does the handshake again"
start_target -v --ram 16M --tls --tls-key "$host=+$d/k256" \
  --fault-close-after 30 --fault-once
with_timeout 120 "$abs_builddir/e2e-hold" reconnect "$TARGET_URL" \
  ctrl-loss-tmo=20 reconnect-delay=1 timeout=3 keep-alive-tmo=2 \
  nr-io-queues=2 tls-key="+$d/k256" --rounds 100 --within 60 |
  tee "$d/rc"
grep -q '^reconnect: .* not one error' "$d/rc" ||
  fail "errors across the reconnect"
# The admin queue and 2 I/O queues, before and after the reconnect.
n=$(tls_sessions TLS_AES_128_GCM_SHA256)
[ "$n" -ge 6 ] || { cat "$TARGET_LOG" >&2; fail "$n TLS connections"; }
stop_target

echo "== discovery over TLS shows what the port requires"
start_target --ram 8M --tls --tls-key "$host=+$d/k256"
disc_url="nvme+tcp://127.0.0.1:$TARGET_PORT/"
with_timeout 60 "$NVMEOF_CLI" discover "$disc_url" --tls-key="+$d/k256" \
  >"$d/disc" 2>&1 || { cat "$d/disc" >&2; fail "discover over TLS"; }
grep -q '^treq: *required' "$d/disc" || fail "discovery: no 'treq: required'"
grep -q '^sectype: tls13' "$d/disc" || fail "discovery: no 'sectype: tls13'"

echo "== refusals"
# Plain, to a port (and the discovery controller) that requires TLS.
expect_refused "closed the connection right after ICReq" \
  "the port may require TLS (tls=on, tls-key=+FILE)" --
with_timeout 60 "$NVMEOF_CLI" discover "$disc_url" >"$d/out" 2>&1 &&
  fail "plain discovery on a TLS port: accepted"
grep -qF "the port may require TLS" "$d/out" || fail "$(cat "$d/out")"
expect_refused "the PSK does not match the target's" -- --tls-key="+$d/wrong"
expect_refused "the target does not know PSK identity 'NVMe0R01 $other" -- \
  --hostnqn="$other" --tls-key="+$d/k256"
expect_refused "tls: no pre-shared key" -- --tls
expect_refused "tls-key: give the secret as +FILE" -- --tls-key="$(cat "$d/k256")"
stop_target
# TLS, to a plain port.
start_target --ram 8M
expect_refused "TLS" "(queue 0)" -- --tls-key="+$d/k256"
grep -qE "did not answer in TLS|closed the connection during the TLS handshake" \
  "$d/out" || fail "TLS to a plain port: $(cat "$d/out")"
stop_target
echo PASS
