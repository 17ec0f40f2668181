#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Self-test of tests/functions.sh: free_port, cleanup_fn ordering and signal
# handling, random_file, requires (skip path), wait_for_pidfile, with_timeout
# and the test-local host identity.
source "${abs_srcdir:-$(dirname "$0")}/functions.sh"
set -e -u -o pipefail

echo "checking tmpdir"
[ -d "$TMPDIR_TEST" ] || fail "TMPDIR_TEST $TMPDIR_TEST is not a directory"
[ "$(tmpdir)" = "$TMPDIR_TEST" ] || fail "tmpdir does not print TMPDIR_TEST"
d=$TMPDIR_TEST

echo "checking free_port"
port=$(free_port)
[[ $port =~ ^[0-9]+$ ]] || fail "free_port printed '$port'"
[ "$port" -ge 20000 ] && [ "$port" -le 60000 ] ||
  fail "free_port $port outside 20000-60000"
# A port with a listener must be seen as in use.
if [ -x /usr/bin/python3 ]; then
  /usr/bin/python3 -c '
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(1)
open(sys.argv[2], "w").write("x")
time.sleep(30)' "$port" "$d/listening" &
  lpid=$!
  cleanup_fn sh -c 'kill "$0" 2>/dev/null' "$lpid"
  wait_for_pidfile "$d/listening" 10 "$lpid" || fail "test listener did not start"
  _port_in_use "$port" || fail "port $port with a listener not seen as in use"
  kill "$lpid"; wait "$lpid" 2>/dev/null || true
fi

echo "checking random_file"
random_file "$d/a" 1M
random_file "$d/b" 1M
random_file "$d/c" 4097
[ "$(stat -c %s "$d/a")" = 1048576 ] || fail "random_file 1M: wrong size"
[ "$(stat -c %s "$d/c")" = 4097 ] || fail "random_file 4097: wrong size"
cmp -s "$d/a" "$d/b" && fail "two random files are identical"
# Not all zeroes: compare with a zero file of the same size.
head -c 1M /dev/zero >"$d/z"
cmp -s "$d/a" "$d/z" && fail "random_file wrote zeroes"
if (random_file "$d/bad" 12Q) 2>/dev/null; then fail "random_file accepted 12Q"; fi

echo "checking requires (skip path) and fail"
rc=0; (requires false) 2>/dev/null || rc=$?
[ "$rc" = 77 ] || fail "requires false exited $rc, expected 77"
rc=0; (requires true) || rc=$?
[ "$rc" = 0 ] || fail "requires true exited $rc"
rc=0; (requires_built "$d/does-not-exist") 2>/dev/null || rc=$?
[ "$rc" = 77 ] || fail "requires_built of a missing file exited $rc"
rc=0; (fail "expected message") 2>"$d/fail.err" || rc=$?
[ "$rc" = 1 ] || fail "fail exited $rc"
grep -q '^FAIL: expected message$' "$d/fail.err" || fail "fail printed: $(cat "$d/fail.err")"

echo "checking cleanup_fn order (LIFO), on normal exit and on failure"
order="$d/order"
bash -c '
  source "$1/functions.sh"
  cleanup_fn sh -c "echo first >> \"\$0\"" "$2"
  cleanup_fn sh -c "echo second >> \"\$0\"" "$2"
  cleanup_fn sh -c "echo \"with space\" >> \"\$0\"" "$2"
  echo "$TMPDIR_TEST" > "$2.tmpdir"
  exit 0' child "$abs_srcdir" "$order"
[ "$(tr '\n' ' ' < "$order")" = "with space second first " ] ||
  fail "cleanup order was: $(cat "$order")"
[ ! -e "$(cat "$order.tmpdir")" ] || fail "child TMPDIR_TEST was not removed"

rm -f "$order"
rc=0
bash -c '
  source "$1/functions.sh"
  set -e
  cleanup_fn sh -c "echo ran >> \"\$0\"" "$2"
  false
  echo "not reached" >> "$2"' child "$abs_srcdir" "$order" || rc=$?
[ "$rc" = 1 ] || fail "failing child exited $rc, expected 1"
[ "$(cat "$order")" = ran ] || fail "cleanup after failure: $(cat "$order")"

echo "checking cleanup on SIGTERM"
rm -f "$order"
bash -c '
  source "$1/functions.sh"
  cleanup_fn sh -c "echo cleaned >> \"\$0\"" "$2"
  echo ready > "$2.ready"
  while :; do sleep 0.1; done' child "$abs_srcdir" "$order" &
cpid=$!
wait_for_pidfile "$order.ready" 10 "$cpid" || fail "signal child did not start"
kill -TERM "$cpid"
rc=0; wait "$cpid" || rc=$?
[ "$rc" = 143 ] || fail "child killed by SIGTERM exited $rc, expected 143"
[ "$(cat "$order")" = cleaned ] || fail "no cleanup on SIGTERM"

echo "checking that a failing hook does not stop the others"
rm -f "$order"
rc=0
bash -c '
  source "$1/functions.sh"
  cleanup_fn sh -c "echo after >> \"\$0\"" "$2"
  cleanup_fn false
  exit 0' child "$abs_srcdir" "$order" || rc=$?
[ "$rc" = 0 ] || fail "failing cleanup hook: exit $rc, expected 0"
[ "$(cat "$order")" = after ] || fail "hooks after a failing one did not run"

echo "checking that a crashed server fails the test at exit"
rc=0
bash -c '
  source "$1/functions.sh"
  sh -c "echo \"==1==ERROR: AddressSanitizer: fake\" >&2; exec sleep 60" \
    2>"$TMPDIR_TEST/s1.log" &
  cleanup_fn _stop_child $! "$TMPDIR_TEST/s1.log" "fake server"
  wait_for_pidfile "$TMPDIR_TEST/s1.log" 10 $!
  exit 0' child "$abs_srcdir" 2>/dev/null || rc=$?
[ "$rc" = 1 ] || fail "sanitizer report in a server log: exit $rc, expected 1"
rc=0
bash -c '
  source "$1/functions.sh"
  sh -c "exit 3" &
  cleanup_fn _stop_child $! /dev/null "fake server"
  while _alive $!; do sleep 0.05; done
  exit 0' child "$abs_srcdir" 2>/dev/null || rc=$?
[ "$rc" = 1 ] || fail "server exiting 3: exit $rc, expected 1"
rc=0
bash -c '
  source "$1/functions.sh"
  sleep 60 &
  cleanup_fn _stop_child $! /dev/null "sleeping server"
  exit 0' child "$abs_srcdir" || rc=$?
[ "$rc" = 0 ] || fail "server stopped by SIGTERM: exit $rc, expected 0"

echo "checking wait_for_pidfile and with_timeout"
rc=0; wait_for_pidfile "$d/never" 1 || rc=$?
[ "$rc" = 1 ] || fail "wait_for_pidfile of a missing file returned $rc"
sh -c 'exit 0' & spid=$!
wait "$spid"
start=$SECONDS
rc=0; wait_for_pidfile "$d/never" 20 "$spid" || rc=$?
[ "$rc" = 1 ] && [ $((SECONDS - start)) -lt 5 ] ||
  fail "wait_for_pidfile did not stop early when the process was gone"
with_timeout 10 true || fail "with_timeout 10 true failed"
rc=0; with_timeout 1 sleep 20 2>/dev/null || rc=$?
[ "$rc" = 124 ] || fail "with_timeout 1 sleep 20 returned $rc, expected 124"

echo "checking start_target and stop_target (with a fake target)"
if [ -x /usr/bin/python3 ]; then
  cat >"$d/fake-target" <<'END'
#!/usr/bin/python3
# Fake nvmeof-target: listens on -l ADDR:PORT, writes -P PIDFILE, exits 0
# on SIGTERM.
import os, signal, socket, sys
args = sys.argv[1:]
pidfile = args[args.index("-P") + 1]
host, port = args[args.index("-l") + 1].rsplit(":", 1)
s = socket.socket()
s.bind((host, int(port)))
s.listen(1)
with open(pidfile + ".tmp", "w") as f:
    f.write("%d\n" % os.getpid())
os.rename(pidfile + ".tmp", pidfile)
signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
print("fake target args:", " ".join(args), file=sys.stderr, flush=True)
signal.pause()
END
  chmod +x "$d/fake-target"
  real_target=$NVMEOF_TARGET
  NVMEOF_TARGET="$d/fake-target"
  start_target --ram 1M --nqn nqn.2026-11.io.nvmeof:selftest
  _alive "$TARGET_PID" || fail "TARGET_PID is not running"
  [ "$TARGET_URL" = "nvme+tcp://127.0.0.1:$TARGET_PORT/nqn.2026-11.io.nvmeof:selftest" ] ||
    fail "TARGET_URL is $TARGET_URL"
  _port_in_use "$TARGET_PORT" || fail "the fake target is not listening"
  grep -q -- '--ram 1M' "$TARGET_LOG" || fail "arguments not passed: $(cat "$TARGET_LOG")"
  pid1=$TARGET_PID
  start_target
  [ "$TARGET_NQN" = nqn.2026-11.io.nvmeof:target ] ||
    fail "default TARGET_NQN is $TARGET_NQN"
  [ "$TARGET_PID" != "$pid1" ] || fail "second target has the same pid"
  pid2=$TARGET_PID
  stop_target
  ! _alive "$pid2" || fail "stop_target did not stop the target"
  _alive "$pid1" || fail "stop_target stopped the wrong target"
  NVMEOF_TARGET=$real_target
  # The first one is stopped by the exit hooks.
else
  echo "  (skipped: /usr/bin/python3 missing)"
fi

echo "checking start_nbdkit and the nbdkit wrapper"
if command -v nbdkit >/dev/null && command -v nbdinfo >/dev/null; then
  [ "$(command -v nbdkit)" = "$TMPDIR_TEST/bin/nbdkit" ] ||
    fail "the nbdkit wrapper is not first in PATH"
  start_nbdkit -P "$d/nbdkit.pid" -U "$d/nbd.sock" memory 1M
  size=$(timeout 60 nbdinfo --size "nbd+unix:///?socket=$d/nbd.sock")
  [ "$size" = 1048576 ] || fail "nbdinfo --size through start_nbdkit: $size"
  # --run, and the environment the command gets back.
  out=$(timeout 60 nbdkit -U - memory 2M \
          --run 'nbdinfo --size "$uri"; echo "${LD_PRELOAD:-none}"')
  [ "$out" = "$(printf '2097152\nnone')" ] || fail "nbdkit --run gave: $out"
  grep -q "plugin=$NVMEOF_PLUGIN" "$TMPDIR_TEST/bin/nbdkit" ||
    fail "the wrapper does not name the built plugin"
else
  echo "  (skipped: nbdkit or nbdinfo missing)"
fi

echo "checking the test-local host identity"
if [ -n "${NVMEOF_HOSTNQN_FILE:-}" ]; then
  [ -f "$NVMEOF_HOSTNQN_FILE" ] || fail "$NVMEOF_HOSTNQN_FILE missing"
  [ -f "$NVMEOF_HOSTID_FILE" ] || fail "$NVMEOF_HOSTID_FILE missing"
  id=$(cat "$NVMEOF_HOSTID_FILE")
  [[ $id =~ ^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$ ]] ||
    fail "host ID '$id' is not a UUID"
  [ "$(cat "$NVMEOF_HOSTNQN_FILE")" = "nqn.2014-08.org.nvmexpress:uuid:$id" ] ||
    fail "host NQN does not match the host ID"
fi

echo "PASS"
