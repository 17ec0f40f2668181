#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# libnvmeof against a scripted hostile target (hostile_target.py): each
# misbehaviour is noticed, the command fails (never hangs, never succeeds
# on a lie) and the message names the real cause.
source "${abs_srcdir:-$(dirname "$0")}/functions.sh"
set -e -u -o pipefail
requires test -x /usr/bin/python3
requires_built "$NVMEOF_CLI"
requires_target
export PYTHONPATH=$abs_srcdir PYTHONDONTWRITEBYTECODE=1
NQN=nqn.2026-11.io.nvmeof:hostile

# start_hostile SCENARIO: the peer on a free loopback port; sets URL.
start_hostile ()
{
  local pf="$TMPDIR_TEST/hostile-$1.port" pid i
  /usr/bin/python3 "$abs_srcdir/hostile_target.py" "$1" "$pf" \
    >"$TMPDIR_TEST/hostile-$1.log" 2>&1 &
  pid=$!
  cleanup_fn kill "$pid"
  for i in $(seq 1 100); do
    [ -s "$pf" ] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  [ -s "$pf" ] || fail "hostile_target.py $1 did not start"
  URL="nvme+tcp://127.0.0.1:$(cat "$pf")/$NQN"
}

# expect_fail WHAT PATTERN ARGS..: nvmeof ARGS fails (within 60 s) saying
# PATTERN.
expect_fail ()
{
  local what=$1 pat=$2 rc=0 out="$TMPDIR_TEST/out"
  shift 2
  with_timeout 60 nvmeof "$@" >"$out" 2>&1 || rc=$?
  cat "$out"
  case $rc in 124|137) fail "$what: hung" ;; 0) fail "$what: succeeded" ;; esac
  grep -q -F -e "$pat" "$out" || fail "$what: the message does not say: $pat"
  echo "ok: $what"
}

# Writes of 64 KiB: beyond the 8 KiB in-capsule size, so asked for by R2T.
bench_write=(--rw=write --time=1 --qd=1 --bs=65536 --ctrl-loss-tmo=0)

# ---- the peer itself behaves when asked to ---------------------------
start_hostile normal
with_timeout 60 nvmeof list "$URL" | grep -q '^1 ' || fail "normal: list"
out=$(with_timeout 60 nvmeof bench "$URL" "${bench_write[@]}") ||
  fail "normal: bench write"
echo "$out"
echo "$out" | grep -q 'I/Os: .*(0 errors)' || fail "normal: bench errors"

# ---- CSTS.RDY: the user's connect-timeout wins over CAP.TO -----------
start_hostile never-ready
expect_fail "CSTS.RDY bounded by connect-timeout" \
  "did not finish within 2000 ms (connect-timeout=2; CAP.TO allows 127500 ms" \
  list "$URL" --connect-timeout=2

# ---- nvmeof bench shows the library's message, not a bare errno ------
# (nvmeof-target's fault injection: a C2HTermReq after 20 commands.)
start_target --ram 16M --fault-termreq-after 20
for engine in sync async; do
  expect_fail "bench shows the library's message ($engine)" \
    "connection to 127.0.0.1:$TARGET_PORT lost: the controller terminated queue 1 (C2HTermReq)" \
    bench "$TARGET_URL" --time=1 --qd=1 --ctrl-loss-tmo=0 --engine=$engine
done

# ---- more R2Ts at once than MAXR2T: refused, and bench says why ------
start_hostile r2t-flood
for engine in async sync; do
  expect_fail "R2T flood ($engine)" \
    "protocol error on queue 1: R2T for cid 256 exceeds the 4 outstanding R2Ts per command allowed by MAXR2T" \
    bench "$URL" "${bench_write[@]}" --engine=$engine
done

# ---- a stale response replayed for a CID in use again ----------------
start_hostile stale-response
for engine in async sync; do
  expect_fail "stale response ($engine)" \
    "CapsuleResp for cid 128, which is not outstanding (cid 256 uses its slot now" \
    bench "$URL" "${bench_write[@]}" --engine=$engine
done

# ---- a protocol violation on the admin queue: the real cause first ---
# (The CapsuleResp of Set Features has a bad header length: the violation,
# not "cannot set the number of I/O queues", must lead the message.)
start_hostile admin-violation
port=${URL#nvme+tcp://127.0.0.1:}
expect_fail "admin queue violation named first" \
  "list: connection to 127.0.0.1:${port%%/*} lost: protocol error on queue 0" \
  list "$URL"
grep -q -F "protocol error on queue 0: CapsuleResp HLEN is 20, must be 24" \
  "$TMPDIR_TEST/out" || fail "admin queue violation: not named"
grep -q -F "(noticed while: controller at" "$TMPDIR_TEST/out" ||
  fail "admin queue violation: the step is not named"

# ---- an active namespace list that never ends, or goes past NN -------
start_hostile ns-list-endless
expect_fail "endless namespace list" \
  "the active namespace list goes on past 16384 namespaces (NSID 16385)" \
  list "$URL"
endless_url=$URL
start_hostile ns-list-beyond-nn
expect_fail "namespace list beyond NN" \
  "the active namespace list names NSID 5, above the 4 namespaces (NN)" \
  list "$URL"
# The plugin lists them at start-up: it must refuse, not hang.
if [ -x "$NVMEOF_PLUGIN" ] && command -v nbdkit >/dev/null; then
  rc=0
  with_timeout 60 nbdkit "$NVMEOF_PLUGIN" "$endless_url" --run true \
    >"$TMPDIR_TEST/out" 2>&1 || rc=$?
  cat "$TMPDIR_TEST/out"
  case $rc in 124|137) fail "plugin: hung on the endless list" ;; 0)
    fail "plugin: accepted the endless list" ;; esac
  grep -q -F "goes on past 16384 namespaces" "$TMPDIR_TEST/out" ||
    fail "plugin: the error does not say why"
  echo "ok: the plugin refuses the endless list"
else
  echo "the plugin part is not run: nbdkit or the plugin is not built"
fi

# ---- IOCCSZ whose 16-byte units overflow 32 bits ----------------------
# (0x10000000 x 16 wrapped to 0, minus the SQE: 4 GiB - 64 of in-capsule
# data.)  At most the largest transfer (MDTS 5: 128 KiB), and writes work.
start_hostile ioccsz-wrap
out=$(with_timeout 60 nvmeof identify "$URL") || fail "IOCCSZ: identify"
echo "$out" | grep 'in-capsule'
echo "$out" | grep -q 'in-capsule *: 131072 bytes' ||
  fail "IOCCSZ 0x10000000: in-capsule size not bounded"
out=$(with_timeout 60 nvmeof bench "$URL" "${bench_write[@]}") ||
  fail "IOCCSZ: bench write"
echo "$out" | grep -q 'I/Os: .*(0 errors)' || fail "IOCCSZ: bench errors"
echo "ok: IOCCSZ overflow bounded"
