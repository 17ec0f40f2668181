#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Multipath: a path that cannot be reached at connect joins later, as the
# kernel connects each path on its own (two listeners of one
# nvmeof-target, reconnect-delay=1, ctrl-loss-tmo=30):
#  1. listener 2 down before the plugin starts: it starts and serves on
#     path 1 (the whole disk read back, checksums equal); nvmeof
#     list-subsys shows path 2 "connecting" with the reason;
#  2. listener 2 up: within reconnect-delay + 14 s of slack for a busy
#     machine, path 2 carries I/O under round-robin (the target's command
#     count on port 2 grows), the data still right;
#  3. listener 1 down: reads and writes go on over path 2 with no error,
#     checksums equal;
#  4. the asynchronous API (nvmeof bench --verify, round-robin): path 2
#     down at start, up 1 s into the run, carries I/O before it ends, no
#     error, no verify error;
#  5. every listener down at start: the connect fails, naming each path.
source "${abs_srcdir:-$(dirname "$0")}/functions.sh"
source "$abs_srcdir/functions-plugin.sh"
source "$abs_srcdir/functions-multipath.sh"
set -e -u -o pipefail

requires_plugin
requires_target

requires /usr/bin/nbdsh --version
requires jq --version
d=$TMPDIR_TEST
head -c 16M /dev/urandom >"$d/disk"
SLACK=14

mp_start_target 2 --file "$d/disk"
mp_ctl listener 2 down

# Read the whole disk through the plugin and compare it with the file;
# then write random data at $1 and read it back.
check_io ()
{
  D=$d NBD_URI=$NBD_URI OFF=$1 nbdsh_sys -c '
import hashlib, os
h.connect_uri(os.environ["NBD_URI"])
off = int(os.environ["OFF"])
data = os.urandom(262144)
h.pwrite(data, off)
assert h.pread(len(data), off) == data, "wrong data read back"
h.flush()
size = h.get_size()
got = hashlib.sha256()
for o in range(0, size, 1 << 20):
    got.update(h.pread(min(1 << 20, size - o), o))
want = hashlib.sha256(open(os.environ["D"] + "/disk", "rb").read())
assert got.hexdigest() == want.hexdigest(), "checksums differ"
print("checksum", got.hexdigest())
'
}

echo "== listener 2 down at start: path 1 serves, path 2 connecting"
start_plugin -- url="${MP_URL1%/1}" url="${MP_URL2%/1}" \
  iopolicy=round-robin reconnect-delay=1 ctrl-loss-tmo=30
check_io 0 || fail "the plugin did not serve on path 1"
[ "$(mp_port_io 2)" = 0 ] || fail "I/O on port 2 while its listener is down"
with_timeout 30 "$NVMEOF_CLI" list-subsys "$MP_URL1" "$MP_URL2" \
  >"$d/ls" 2>&1 || { cat "$d/ls" >&2; fail "list-subsys failed"; }
cat "$d/ls"
grep -E "path1 .*trsvcid=$MP_PORT2 .* connecting" "$d/ls" ||
  fail "list-subsys does not show path 2 connecting"
grep -E "path1 reason: .*(refused|connect)" "$d/ls" ||
  fail "list-subsys does not say why path 2 is connecting"
"$NVMEOF_CLI" list-subsys -o json "$MP_URL1" "$MP_URL2" >"$d/ls.json"
jq -e '.[0].Subsystems[0].Paths[1].State == "connecting" and
       (.[0].Subsystems[0].Paths[1].Reason | length > 0) and
       .[0].Subsystems[0].Paths[0].State == "live"' "$d/ls.json" \
  >/dev/null || { cat "$d/ls.json" >&2; fail "list-subsys JSON"; }

echo "== listener 2 up: path 2 joins and carries I/O"
mp_ctl listener 2 up
joined=
for _ in $(seq 1 $((1 + SLACK))); do
  sleep 1
  NBD_URI=$NBD_URI nbdsh_sys -c '
import os
h.connect_uri(os.environ["NBD_URI"])
for i in range(64):
    h.pread(4096, i * 4096)
' || fail "I/O failed while path 2 joined"
  if [ "$(mp_port_io 2)" -gt 0 ]; then joined=yes; break; fi
done
[ -n "$joined" ] || { cat "$NBDKIT_LOG" >&2
  fail "path 2 carried no I/O within reconnect-delay + $SLACK s"; }
c1=$(mp_port_io 1) c2=$(mp_port_io 2)
check_io 1048576 || fail "wrong data with both paths"
[ "$(mp_port_io 2)" -gt "$c2" ] && [ "$(mp_port_io 1)" -gt "$c1" ] ||
  fail "round-robin did not use both paths after the join"
echo "port 1: $(mp_port_io 1) commands, port 2: $(mp_port_io 2)"

echo "== listener 1 down: I/O goes on over path 2"
mp_ctl listener 1 down
c2=$(mp_port_io 2)
check_io 2097152 || fail "I/O failed with path 1 down"
[ "$(mp_port_io 2)" -gt "$c2" ] || fail "no I/O on port 2"
stop_plugin
mp_ctl listener 1 up

echo "== the asynchronous API (nvmeof bench): path 2 joins during the run"
mp_ctl listener 2 down
c2=$(mp_port_io 2)
( sleep 1; mp_ctl listener 2 up ) &
upper=$!
mp_bench "$d/bench.json" "$MP_URL1" "$MP_URL2" --iopolicy=round-robin \
  --time=$((3 + SLACK / 2)) --rw=randrw --qd=16 --reconnect-delay=1
wait "$upper"
mp_bench_clean "$d/bench.json"
[ "$(mp_port_io 2)" -gt "$c2" ] ||
  { cat "$d/bench.json.err" >&2; fail "path 2 carried no bench I/O after joining"; }
echo "bench: port 2 counted $(($(mp_port_io 2) - c2)) I/O commands"

echo "== every listener down at start: the connect fails naming each path"
mp_ctl listener 1 down
mp_ctl listener 2 down
if with_timeout 60 "$NVMEOF_CLI" list-subsys "$MP_URL1" "$MP_URL2" \
  >"$d/ls" 2>&1; then
  cat "$d/ls" >&2
  fail "list-subsys worked with every path down"
fi
cat "$d/ls"
grep -F ":$MP_PORT1" "$d/ls" | grep -F ":$MP_PORT2" ||
  fail "the error does not name each path"
echo PASS
