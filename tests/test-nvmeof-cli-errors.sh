#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# nvmeof with bad input: every failure exits 1 with exactly one line,
# "nvmeof: SUBCOMMAND: ...", naming what is wrong; nothing on stdout.
source "${abs_srcdir:-$(dirname "$0")}/functions.sh"
source "$abs_srcdir/functions-fuse.sh"
set -e -u -o pipefail

requires_built "$NVMEOF_CLI"
start_target --ram 16M
d=$TMPDIR_TEST
dead_port=$(free_port)

# expect_fail SUBCOMMAND WORD ARGS..: exit 1, one line naming WORD.
expect_fail ()
{
  local sub=$1 word=$2 rc=0
  shift 2
  with_timeout 60 "$NVMEOF_CLI" "$sub" "$@" >"$d/out" 2>"$d/err" || rc=$?
  [ "$rc" = 1 ] || fail "nvmeof $sub $*: exit status $rc, expected 1"
  [ ! -s "$d/out" ] || fail "nvmeof $sub $*: wrote to stdout: $(cat "$d/out")"
  expect_cli_error "$sub" "$d/err" || fail "nvmeof $sub $*"
  grep -qF -- "$word" "$d/err" ||
    fail "nvmeof $sub $*: the message does not name '$word'"
}

expect_fail list "--bogus" "$TARGET_URL" --bogus
expect_fail list "URL" 
expect_fail list "extra" "$TARGET_URL" extra
expect_fail list "url" "http://127.0.0.1:$TARGET_PORT/$TARGET_NQN"
expect_fail list "url" "nvme+tcp://127.0.0.1:99999/$TARGET_NQN"
expect_fail list "nr-io-queues" "$TARGET_URL" --nr-io-queues=0
expect_fail list "queue-size" "$TARGET_URL" --queue_size=abc
expect_fail list "hostnqn" "$TARGET_URL" --hostnqn=bad
expect_fail list "output-format" "$TARGET_URL" -o yaml
expect_fail list "127.0.0.1:$dead_port" \
  "nvme+tcp://127.0.0.1:$dead_port/$TARGET_NQN" --connect-timeout=5
expect_fail list "discovery" "nvme+tcp://127.0.0.1:$TARGET_PORT/nqn.2014-08.org.nvmexpress.discovery"
expect_fail discover "subsystem" "$TARGET_URL" --nqn "$TARGET_NQN"
expect_fail identify "nsid" "$TARGET_URL" --nsid=x
expect_fail identify "namespace 7" "$TARGET_URL" --nsid=7
expect_fail identify "--nsid" "$TARGET_URL" --nsid
expect_fail show-hostnqn "hostid" --hostid=not-a-uuid
expect_fail show-hostnqn "unexpected" "$TARGET_URL"
expect_fail bench "--rw" "$TARGET_URL" --rw=sideways
expect_fail bench "--bs" "$TARGET_URL" --bs=4x
expect_fail bench "--bs" "$TARGET_URL" --bs=1000 --time 0.1
expect_fail bench "--time" "$TARGET_URL" --time=-1
expect_fail bench "--qd" "$TARGET_URL" --qd=0
expect_fail bench "--engine" "$TARGET_URL" --engine=turbo
expect_fail bench "--offset" "$TARGET_URL" --offset=1G --time 0.1
expect_fail bench "namespace 9" "$TARGET_URL/9" --time 0.1

# Unknown subcommands and no subcommand: one line too.
rc=0
"$NVMEOF_CLI" frobnicate >"$d/out" 2>"$d/err" || rc=$?
[ "$rc" = 1 ] && [ "$(wc -l <"$d/err")" = 1 ] &&
  grep -q "^nvmeof: unknown subcommand 'frobnicate'" "$d/err" ||
  fail "unknown subcommand: $rc $(cat "$d/err")"
rc=0
"$NVMEOF_CLI" >"$d/out" 2>"$d/err" || rc=$?
[ "$rc" = 1 ] || fail "no subcommand: exit status $rc"
echo PASS
