#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# ANA change notices drive path choice with no I/O error in between: the
# plugin on two ports of one nvmeof-target (round-robin, keep-alive off so
# that every admin command the target counts is ours):
#  1. idle, port 2's group is made inaccessible: the host reads the ANA log
#     and sends a new Asynchronous Event Request on port 2 (its admin
#     counter moves) without any I/O having failed;
#  2. then I/O goes to port 1 only, and nvmeof list-subsys (JSON, in the
#     shape of nvme list-subsys) shows port 2 inaccessible;
#  3. port 2 optimized again: after the notice, I/O uses both ports.
source "${abs_srcdir:-$(dirname "$0")}/functions.sh"
source "$abs_srcdir/functions-plugin.sh"
source "$abs_srcdir/functions-multipath.sh"
set -e -u -o pipefail

requires_plugin
requires_target
requires_built "$NVMEOF_CLI"
requires nbdcopy --version
requires jq --version
d=$TMPDIR_TEST
truncate -s 64M "$d/disk"
mp_start_target 2 --file "$d/disk"
u1=${MP_URL1%/1} u2=${MP_URL2%/1}

port_admin ()
{
  mp_ctl stats | jq -er ".ports[] | select(.portid == $1) | .commands.admin"
}
# wait_admin PORT N: until port PORT counted N admin commands (20 s).
wait_admin ()
{
  local want=$2 deadline=$((SECONDS + 20))
  until [ "$(port_admin "$1")" -ge "$want" ]; do
    [ "$SECONDS" -le "$deadline" ] ||
      fail "port $1: the ANA change was not acted on (no log page read)"
    sleep 0.1
  done
}

start_plugin -- url="$u1" url="$u2" iopolicy=round-robin keep-alive-tmo=0
random_file "$d/in" 4M
with_timeout 60 nbdcopy "$d/in" "$NBD_URI" || fail "nbdcopy in failed"

# 1. Idle: the notice makes the host read the log and re-arm its AER.
before=$(port_admin 2)
mp_ctl ana 2 1 inaccessible
wait_admin 2 $((before + 2))
echo "ok: idle, port 2's ANA change made the host read the log" \
  "($(($(port_admin 2) - before)) admin commands on port 2)"

# 2. I/O avoids port 2 from the start (no command failed there first).
io2=$(mp_port_io 2)
with_timeout 60 nbdcopy "$NBD_URI" "$d/out" || fail "nbdcopy out failed"
truncate -s 4M "$d/out"
cmp "$d/in" "$d/out" || fail "the data read back differs"
[ "$(mp_port_io 2)" = "$io2" ] ||
  fail "port 2 got $(($(mp_port_io 2) - io2)) I/O commands while inaccessible"
echo "ok: no I/O to the inaccessible port; data read back the same"
with_timeout 30 "$NVMEOF_CLI" list-subsys "$u1" "$u2" -o json >"$d/ls.json" ||
  fail "nvmeof list-subsys failed"
jq -e '.[0].Subsystems[0].NQN == "'"$NVMEOF_DEFAULT_NQN"'" and
       (.[0].Subsystems[0].Paths | length) == 2 and
       .[0].Subsystems[0].Paths[0].State == "live" and
       .[0].Subsystems[0].Paths[0].ANAState == "optimized" and
       .[0].Subsystems[0].Paths[1].ANAState == "inaccessible" and
       (.[0].Subsystems[0].Paths[1].Address | test("trsvcid='"$MP_PORT2"'")) and
       .[0].Subsystems[0].Paths[1].Transport == "tcp" and
       (.[0].HostNQN | startswith("nqn."))' "$d/ls.json" >/dev/null ||
  { cat "$d/ls.json" >&2; fail "list-subsys JSON"; }
with_timeout 30 "$NVMEOF_CLI" list-subsys "$u1" "$u2" >"$d/ls.txt" ||
  fail "nvmeof list-subsys (text) failed"
grep -q "trsvcid=$MP_PORT2 cntlid=[0-9]* live inaccessible" "$d/ls.txt" ||
  { cat "$d/ls.txt" >&2; fail "list-subsys text"; }
cat "$d/ls.txt"

# 3. Optimized again: the notice brings port 2 back.
before=$(port_admin 2)
mp_ctl ana 2 1 optimized
wait_admin 2 $((before + 2))
io2=$(mp_port_io 2)
with_timeout 60 nbdcopy "$NBD_URI" "$d/out" || fail "nbdcopy out failed"
[ "$(mp_port_io 2)" -gt "$io2" ] || fail "port 2 carries no I/O after it came back"
echo "ok: port 2 optimized again carries I/O"
grep -i 'error' "$NBDKIT_LOG" && fail "nbdkit logged errors"
echo PASS
