#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# In-band authentication (DH-HMAC-CHAP) end to end, the initiator against
# nvmeof-target: every hash with the null group and four FFDHE groups,
# one-way and bidirectional; secrets with each transform (00..03) and
# length; the data path through the plugin with several I/O queues (each
# authenticates), checked by checksum; authentication again after a lost
# connection; and the refusals, each with its clear message.
source "${abs_srcdir:-$(dirname "$0")}/functions.sh"
source "$abs_srcdir/functions-plugin.sh"
set -e -u -o pipefail

requires_target
requires_built "$NVMEOF_CLI"
requires_built "$abs_builddir/e2e-hold"
d=$TMPDIR_TEST
host=$(cat "$NVMEOF_HOSTNQN_FILE")
other=nqn.2014-08.org.nvmexpress:uuid:0b0b0b0b-0000-4000-8000-000000000002

# A secret in nvme-cli's format, from our own generator.
key ()
{
  "$NVMEOF_CLI" gen-dhchap-key --hmac="$1" --key-length="$2" \
    --output="$d/$3"
}
key 1 32 host.key
key 0 48 ctrl.key
key 1 32 wrong.key

identify ()
{
  with_timeout 60 "$NVMEOF_CLI" identify "$TARGET_URL" "$@" >"$d/out" 2>&1
}
expect_ok ()
{
  identify "$@" || { cat "$d/out" >&2; fail "$*: refused"; }
  grep -q '^mn *: nvmeof-target' "$d/out" || fail "$*: no Identify data"
}
# expect_refused WORDS.. -- ARGS..: refused with one line naming WORDS.
expect_refused ()
{
  local words=() w
  while [ "$1" != -- ]; do words+=("$1"); shift; done
  shift
  if identify "$@"; then fail "$*: accepted"; fi
  [ "$(wc -l <"$d/out")" = 1 ] || { cat "$d/out" >&2; fail "not one line"; }
  for w in "${words[@]}"; do
    grep -qF -- "$w" "$d/out" || { cat "$d/out" >&2; fail "no '$w'"; }
  done
  ! grep -q 'DHHC-1' "$d/out" || fail "a secret in the message"
}

for hash in 'hmac(sha256)' 'hmac(sha384)' 'hmac(sha512)'; do
  for group in null ffdhe2048 ffdhe3072 ffdhe4096 ffdhe6144; do
    # ffdhe6144 once: its key generation is the slow part.
    [ "$group" != ffdhe6144 ] || [ "$hash" = 'hmac(sha512)' ] || continue
    echo "== $hash, $group: one-way and bidirectional"
    start_target -v --ram 8M --dhchap-key "$host=+$d/host.key" \
      --dhchap-ctrl-key "$host=+$d/ctrl.key" --dhchap-hash "$hash" \
      --dhchap-dhgroup "$group"
    expect_ok --dhchap-secret="+$d/host.key"
    expect_ok --dhchap-secret="+$d/host.key" --dhchap-ctrl-secret="+$d/ctrl.key"
    for way in one-way bidirectional; do
      grep -qF "queue 0 of controller 1 ($TARGET_NQN): authenticated ($hash, $group, $way)" \
        "$TARGET_LOG" || { cat "$TARGET_LOG" >&2; fail "$way not logged"; }
    done
    stop_target
  done
done

echo "== ffdhe8192 with hmac(sha512), bidirectional"
start_target --ram 8M --dhchap-key "$host=+$d/host.key" \
  --dhchap-ctrl-key "$host=+$d/ctrl.key" --dhchap-hash 'hmac(sha512)' \
  --dhchap-dhgroup ffdhe8192
expect_ok --dhchap-secret="+$d/host.key" --dhchap-ctrl-secret="+$d/ctrl.key"
stop_target

echo "== secrets with each transform and length"
for hl in "0 32" "0 48" "0 64" "1 32" "2 48" "3 64"; do
  set -- $hl
  key "$1" "$2" "t$1-$2.key"
  start_target --ram 8M --dhchap-key "$host=+$d/t$1-$2.key" \
    --dhchap-ctrl-key "$host=+$d/t$1-$2.key" --dhchap-dhgroup ffdhe2048
  expect_ok --dhchap-secret="+$d/t$1-$2.key" \
    --dhchap-ctrl-secret="+$d/t$1-$2.key"
  stop_target
done

echo "== refusals"
start_target --ram 8M --dhchap-key "$host=+$d/host.key" \
  --dhchap-ctrl-key "$host=+$d/ctrl.key" --dhchap-dhgroup ffdhe2048
expect_refused "AUTH_Failure1" "authentication failed" "dhchap-secret" -- \
  --dhchap-secret="+$d/wrong.key"
expect_refused "failed to prove its identity" "dhchap-ctrl-secret" -- \
  --dhchap-secret="+$d/host.key" --dhchap-ctrl-secret="+$d/wrong.key"
expect_refused "requires host $host to authenticate" "dhchap-secret=+FILE" --
expect_refused "not allowed" -- --hostnqn="$other" \
  --dhchap-secret="+$d/host.key"
# A failed authentication ends that controller; the next one is fine.
expect_ok --dhchap-secret="+$d/host.key" --dhchap-ctrl-secret="+$d/ctrl.key"
stop_target
# A controller that closes the connection instead of sending Failure1
# (Linux's nvmet may): still "authentication failed", naming the secret.
start_target --ram 8M --dhchap-key "$host=+$d/host.key" \
  --dhchap-dhgroup ffdhe2048 --fault-auth-close
expect_refused "authentication failed" "connection closed where the answer" \
  "dhchap-secret" -- --dhchap-secret="+$d/wrong.key"
grep -qF "closing instead of sending Failure1" "$TARGET_LOG" ||
  { cat "$TARGET_LOG" >&2; fail "the target did not close at Failure1"; }
stop_target
start_target --ram 8M
expect_refused "dhchap-ctrl-secret is given" "cannot prove its identity" -- \
  --dhchap-secret="+$d/host.key" --dhchap-ctrl-secret="+$d/ctrl.key"
# A host secret alone for a subsystem that does not ask: as the kernel.
expect_ok --dhchap-secret="+$d/host.key"
stop_target

echo "== the data path: the plugin, 3 I/O queues, bidirectional, ffdhe3072"
start_target -v --ram 16M --dhchap-key "$host=+$d/host.key" \
  --dhchap-ctrl-key "$host=+$d/ctrl.key" --dhchap-hash 'hmac(sha384)' \
  --dhchap-dhgroup ffdhe3072
start_plugin -- "$TARGET_URL" nr-io-queues=3 dhchap-secret="+$d/host.key" \
  dhchap-ctrl-secret="+$d/ctrl.key"
random_file "$d/in" 16M
with_timeout 120 nbdcopy -C 4 "$d/in" "$NBD_URI"
with_timeout 120 nbdcopy -C 4 "$NBD_URI" "$d/back"
cmp "$d/in" "$d/back" || fail "data differs after the round trip"
for q in 0 1 2 3; do
  grep -qF "queue $q of controller 1 ($TARGET_NQN): authenticated (hmac(sha384), ffdhe3072, bidirectional)" \
    "$TARGET_LOG" || { cat "$TARGET_LOG" >&2; fail "queue $q not authenticated"; }
done
stop_plugin
stop_target

echo "== a lost connection: reconnect authenticates every queue again"
start_target -v --ram 16M --dhchap-key "$host=+$d/host.key" \
  --dhchap-dhgroup ffdhe2048 --fault-close-after 30 --fault-once
with_timeout 120 "$abs_builddir/e2e-hold" reconnect "$TARGET_URL" \
  ctrl-loss-tmo=20 reconnect-delay=1 timeout=3 keep-alive-tmo=2 \
  nr-io-queues=2 dhchap-secret="+$d/host.key" --rounds 100 --within 60 |
  tee "$d/rc"
grep -q '^reconnect: .* not one error' "$d/rc" ||
  fail "errors across the reconnect"
# Admin and 2 I/O queues, twice: before and after the reconnect.
n=$(grep -c ': authenticated (' "$TARGET_LOG" || true)
[ "$n" -ge 6 ] || { cat "$TARGET_LOG" >&2; fail "$n authentications"; }
stop_target
echo PASS
