#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# DH-HMAC-CHAP secrets given to the plugin (dhchap-secret=+FILE,
# dhchap-ctrl-secret=+FILE, dhchap-secret=- on stdin) leak nowhere: not in
# "ps -ef" while nbdkit runs, not in its -v debug log, not in error
# messages.  A literal secret is refused without being echoed.  The target
# knows both secrets, so nbdkit authenticates and keeps serving while ps
# looks (a refused connection could end nbdkit before ps ever saw it).
source "${abs_srcdir:-$(dirname "$0")}/functions.sh"
source "$abs_srcdir/functions-plugin.sh"
set -e -u -o pipefail

requires_plugin
requires_target
d=$TMPDIR_TEST
host=$(cat "$NVMEOF_HOSTNQN_FILE")

# Random keys, so that a leak anywhere is found by grep: 32 bytes and
# their CRC-32, little-endian (the last 8 bytes of gzip's output start with
# it), in nvme gen-dhchap-key's form.
requires gzip --version
gen_key ()
{
  head -c 32 /dev/urandom >"$d/raw"
  gzip -c <"$d/raw" | tail -c 8 | head -c 4 >"$d/crc"
  printf 'DHHC-1:00:%s:' "$(cat "$d/raw" "$d/crc" | base64 -w0)"
  rm -f "$d/raw" "$d/crc"
}
host_secret=$(gen_key)
ctrl_secret=$(gen_key)
(umask 077
 printf '%s\n' "$host_secret" >"$d/host.key"
 printf '%s\n' "$ctrl_secret" >"$d/ctrl.key")
start_target --ram 16M --dhchap-key "$host=+$d/host.key" \
  --dhchap-ctrl-key "$host=+$d/ctrl.key"

# no_secret FILE WHAT: neither secret appears in FILE.
no_secret ()
{
  local s
  for s in "$host_secret" "$ctrl_secret" "${host_secret#DHHC-1:00:}" \
           "${ctrl_secret#DHHC-1:00:}"; do
    if grep -qF -- "${s%:}" "$1"; then
      fail "$2 shows a secret: $(grep -F -- "${s%:}" "$1")"
    fi
  done
}

# ---- a running nbdkit: ps and the -v log ---------------------------------
# nbdkit is started by hand rather than with start_plugin, so that a
# connection refused once authentication exists does not fail the test.
real_nbdkit=$(PATH=${PATH//"$TMPDIR_TEST/bin:"/} command -v nbdkit)
log=$d/nbdkit.log
nbdkit -f -v -P "$d/nbdkit.pid" -U "$d/nbd.sock" nvmeof "$TARGET_URL" \
  "dhchap-secret=+$d/host.key" "dhchap-ctrl-secret=+$d/ctrl.key" \
  </dev/null >"$log" 2>&1 &
pid=$!
stop_nbdkit () { kill -TERM "$pid" 2>/dev/null || true; }
cleanup_fn stop_nbdkit

# Look at every process's command line while nbdkit proper (not only the
# test's wrapper) runs: from its start until it serves or exits.
seen=0 serving=0 deadline=$((SECONDS + 60))
while _alive "$pid" && [ "$SECONDS" -le "$deadline" ]; do
  ps -ef >"$d/ps"
  no_secret "$d/ps" "ps -ef"
  if grep -qF -- "$real_nbdkit -f -v" "$d/ps" &&
     grep -qF -- "dhchap-secret=+$d/host.key" "$d/ps"; then
    seen=$((seen + 1))
  fi
  if [ -s "$d/nbdkit.pid" ] && [ "$seen" -gt 0 ]; then
    serving=1
    break
  fi
  sleep 0.05
done
[ "$seen" -gt 0 ] || fail "nbdkit was never seen in ps -ef: $(cat "$log")"
[ "$serving" = 1 ] || fail "nbdkit did not serve: $(grep error "$log" || true)"
if [ "$serving" = 1 ]; then
  echo "nbdkit serves (authenticated both ways); asking it once"
  requires_nbdinfo
  with_timeout 60 nbdinfo "nbd+unix:///?socket=$d/nbd.sock" >"$d/nbdinfo" ||
    true
  no_secret "$d/nbdinfo" nbdinfo
fi
kill -TERM "$pid" 2>/dev/null || true
_wait_gone "$pid" 20 || true
wait "$pid" 2>/dev/null || true
_check_log_clean "$log" nbdkit || fail "nbdkit reported a sanitizer error"
grep -q 'debug: .*config key=dhchap-secret' "$log" ||
  fail "no -v debug line for dhchap-secret in the log: is -v working?"
no_secret "$log" "nbdkit -v"
echo "ps -ef ($seen looks) and the -v log show no secret"

# ---- the secret from standard input ---------------------------------------
rc=0
nbdkit_bounded 60 -v -U - nvmeof "$TARGET_URL" "dhchap-secret=-" \
  --run 'ps -ef' <"$d/host.key" >"$d/stdin.out" 2>&1 || rc=$?
echo "dhchap-secret=- <FILE: exit status $rc (not checked yet)"
grep -q 'config key=dhchap-secret' "$d/stdin.out" ||
  fail "no -v debug line for dhchap-secret=-: $(cat "$d/stdin.out")"
no_secret "$d/stdin.out" "nbdkit -v with dhchap-secret=-"

# ---- error output ---------------------------------------------------------
# refused_quietly WORDS -- ARGS..: refused with one line naming WORDS,
# and no secret in it.
refused_quietly ()
{
  local words=() rc=0
  while [ "$1" != -- ]; do
    words+=("$1")
    shift
  done
  shift
  nbdkit_bounded 60 nvmeof "$@" --run true </dev/null >"$d/err" 2>&1 ||
    rc=$?
  [ "$rc" != 0 ] || fail "nbdkit nvmeof $* was accepted"
  echo "refused: $(cat "$d/err")" # (not "$*": it may hold a secret)
  expect_one_error_line "$d/err" "${words[@]}" || fail "not one clear line"
  no_secret "$d/err" "the error"
}

# A literal secret: refused, and not echoed.
refused_quietly dhchap-secret "+FILE or -" "shows in ps" -- \
  "$TARGET_URL" "dhchap-secret=$host_secret"
refused_quietly dhchap_ctrl_secret "+FILE or -" -- \
  "$TARGET_URL" "dhchap_ctrl_secret=$ctrl_secret"
# A file that is not one line: its content is not shown.
cat "$d/host.key" "$d/ctrl.key" >"$d/two.key"
chmod 600 "$d/two.key"
refused_quietly dhchap-secret "not one line" -- \
  "$TARGET_URL" "dhchap-secret=+$d/two.key"
# A missing file, and errors after the secrets were read.
refused_quietly dhchap-secret "$d/nosuch" -- \
  "$TARGET_URL" "dhchap-secret=+$d/nosuch"
refused_quietly nqn -- traddr=127.0.0.1 "dhchap-secret=+$d/host.key" \
  "dhchap-ctrl-secret=+$d/ctrl.key"
port=$(free_port)
refused_quietly 127.0.0.1 -- "nvme+tcp://127.0.0.1:$port/$TARGET_NQN" \
  connect-timeout=5 "dhchap-secret=+$d/host.key" \
  "dhchap-ctrl-secret=+$d/ctrl.key"

# A key file others can read: a warning naming the file, not the secret.
cp "$d/host.key" "$d/shared.key"
chmod 644 "$d/shared.key"
nbdkit_bounded 60 nvmeof "$TARGET_URL" "dhchap-secret=+$d/shared.key" \
  --run true </dev/null >"$d/warn" 2>&1 || true
grep -qF "warning: dhchap-secret: $d/shared.key is readable by group or others (chmod 600 $d/shared.key)" \
  "$d/warn" || fail "no permission warning: $(cat "$d/warn")"
no_secret "$d/warn" "the permission warning"

echo PASS
