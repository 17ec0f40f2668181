#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# nvmeof connect / list-connections / disconnect / disconnect-all as an
# ordinary user: a background nbdkit (NBD socket) and nvmeof-fuse (mount),
# checksummed data through both, the listing in text and JSON, a secret
# given on standard input that never shows in a command line and is gone
# from the state directory once serving, stale state after kill -9 (of
# nbdkit, and of nvmeof-fuse with its dead mount) cleaned by the next
# listing, a record whose PID now names another process never signalled,
# a malformed record removed, and errors on one line.
source "${abs_srcdir:-$(dirname "$0")}/functions.sh"
source "$abs_srcdir/functions-fuse.sh"
set -e -u -o pipefail

fuse_user_setup
requires_plugin
requires nbdcopy --version
requires command -v sha256sum

d=$FUSE_DIR
run=$d/run
as_user mkdir -m 0700 "$run"
host=$(cat "$NVMEOF_HOSTNQN_FILE")
nqn1=nqn.2026-11.io.nvmeof:connect-one
nqn2=nqn.2026-11.io.nvmeof:connect-two

# The user's nvmeof, with its own runtime directory (and the nbdkit
# wrapper's sanitizer reports somewhere it may write).
U ()
{
  with_timeout 90 "${AS_USER[@]}" env XDG_RUNTIME_DIR="$run" HOME="$d" \
    TMPDIR_TEST="$d" "$NVMEOF_CLI" "$@"
}
# Whatever a failed run leaves: stop it all.
leftovers ()
{
  U disconnect-all >/dev/null 2>&1 || true
  local m
  for m in "$d/mnt1" "$d/mnt2"; do _unmount_if_mounted "$m"; done
}
cleanup_fn leftovers

"$NVMEOF_CLI" gen-dhchap-key --hmac=1 --key-length=32 --output="$d/host.key"
[ "$FUSE_UID" = "$(id -u)" ] || chown "$FUSE_UID:$FUSE_UID" "$d/host.key"
start_target --nqn "$nqn1" --ram 16M --ram 8M --dhchap-key "$host=+$d/host.key"
url1=$TARGET_URL
start_target --nqn "$nqn2" --ram 16M
url2=$TARGET_URL
secret=$(cat "$d/host.key")

echo "== connect (NBD, the secret on standard input)"
out=$(U connect "$url1" --dhchap-secret=- <"$d/host.key") ||
  fail "connect: $out"
sock=${out#nbd+unix:///?socket=}
[ "$sock" = "$run/nvmeof/1/nbd.sock" ] || fail "connect printed '$out'"
[ -S "$sock" ] || fail "no socket $sock"
[ "$(stat -c %a "$run/nvmeof")" = 700 ] || fail "state directory mode"
[ ! -e "$run/nvmeof/1/dhchap-secret" ] ||
  fail "the secret stayed in the state directory"
pid=$(jq -r .pid "$run/nvmeof/1/info.json")
tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF "$secret" &&
  fail "the secret is on nbdkit's command line"
for p in $(pgrep -s "$(ps -o sid= -p "$pid")"); do
  ! tr '\0' ' ' <"/proc/$p/cmdline" | grep -qF "$secret" ||
    fail "the secret is on a command line: $(tr '\0' ' ' <"/proc/$p/cmdline")"
done
echo "  ok: $out, pid $pid, no secret in argv or on disk"

echo "== nbdcopy round trip through the socket, namespace 2"
random_file "$d/data" 8M
chmod 0644 "$d/data"
user_run 60 nbdcopy "$d/data" "nbd+unix:///2?socket=$sock" ||
  fail "nbdcopy write"
user_run 60 nbdcopy "nbd+unix:///2?socket=$sock" "$d/back" ||
  fail "nbdcopy read"
[ "$(sha256sum <"$d/data")" = "$(sha256sum <"$d/back")" ] ||
  fail "namespace 2 read back differs"
echo "  ok: 8 MiB, same sha256"

echo "== connect --fuse"
as_user mkdir "$d/mnt2"
out=$(U connect --fuse "$d/mnt2" "$url2") || fail "connect --fuse: $out"
[ "$out" = "$d/mnt2" ] || fail "connect --fuse printed '$out'"
is_mounted "$d/mnt2" || fail "$d/mnt2 is not mounted"
random_file "$d/fdata" 4M
chmod 0644 "$d/fdata"
user_run 60 dd if="$d/fdata" of="$d/mnt2/n1" bs=1M conv=notrunc,fsync \
  status=none || fail "dd into n1"
[ "$(user_run 60 head -c 4M "$d/mnt2/n1" | sha256sum)" = \
  "$(sha256sum <"$d/fdata")" ] || fail "n1 read back differs"
echo "  ok: 4 MiB through $d/mnt2/n1, same sha256"

echo "== list-connections"
U list-connections >"$d/list" || fail "list-connections: $(cat "$d/list")"
cat "$d/list"
port1=${url1#*127.0.0.1:}
port1=${port1%%/*}
grep -q "^1 .*$nqn1 .*1,2 .*$pid .* tcp traddr=127.0.0.1,trsvcid=$port1\$" "$d/list" ||
  fail "connection 1 not listed"
grep -q "nbd socket: $sock" "$d/list" || fail "socket not listed"
grep -q "^2 .*$nqn2 " "$d/list" || fail "connection 2 not listed"
grep -q "mounted on: $d/mnt2" "$d/list" || fail "mount point not listed"
U list-connections -o json >"$d/list.json"
$PYTHON - "$d/list.json" "$sock" "$d/mnt2" "$nqn1" "$nqn2" "$url1" <<'EOF' ||
import json, os, sys
f, sock, mnt, nqn1, nqn2, url1 = sys.argv[1:]
c = json.load(open(f))["connections"]
assert len(c) == 2, c
a, b = c
assert (a["id"], a["subnqn"], a["kind"], a["socket"], a["nsids"], a["url"]) \
    == (1, nqn1, "nbd", sock, [1, 2], url1), a
assert (a["transport"], a["traddr"], "nvme+tcp://%s:%s/%s" % (
    a["traddr"], a["trsvcid"], nqn1)) == ("tcp", "127.0.0.1", url1), a
assert (b["id"], b["subnqn"], b["kind"], b["mountpoint"], b["nsids"]) \
    == (2, nqn2, "fuse", mnt, [1]), b
for x in c:
    assert isinstance(x["uptime_seconds"], int) and x["uptime_seconds"] >= 0
    os.kill(x["pid"], 0)
print("  ok: JSON has both, with their NSIDs, paths and live pids")
EOF
  fail "list-connections -o json: $(cat "$d/list.json")"

echo "== kill -9 of nbdkit: the next listing cleans up"
# (pid may be the tests' nbdkit wrapper: its nbdkit child goes too.)
pkill -KILL -P "$pid" 2>/dev/null || true
kill -KILL "$pid"
_wait_gone "$pid" 10 || fail "pid $pid still runs"
U list-connections >"$d/list" 2>"$d/err" || fail "list: $(cat "$d/err")"
grep -q "connection 1 ($nqn1, pid $pid) had exited: cleaned up" "$d/err" ||
  fail "no stale report: $(cat "$d/err")"
! grep -q "$nqn1" "$d/list" || fail "the dead connection is still listed"
[ ! -e "$sock" ] && [ ! -e "$run/nvmeof/1" ] || fail "stale files left"
echo "  ok: $(cat "$d/err")"

echo "== records are not trusted: a reused PID is not signalled, junk is removed"
out=$(U connect "$url1" --dhchap-secret=+"$d/host.key") || fail "connect: $out"
dir=$run/nvmeof/1
rpid=$(jq -r .pid "$dir/info.json")
pkill -KILL -P "$rpid" 2>/dev/null || true
kill -KILL "$rpid"
_wait_gone "$rpid" 10 || fail "pid $rpid still runs"
# The PID now names another process of the user's, as after a reuse.
"${AS_USER[@]}" sleep 300 &
other=$!
stop_other () { kill -KILL "$1" 2>/dev/null || true; }
cleanup_fn stop_other "$other"
as_user jq -c ".pid = $other" "$dir/info.json" >"$d/info.tmp"
as_user cp "$d/info.tmp" "$dir/info.json"
U list-connections -o json >"$d/list.json" 2>"$d/err" ||
  fail "list: $(cat "$d/err")"
grep -q "connection 1 ($nqn1, pid $other) had exited: cleaned up" "$d/err" ||
  fail "the reused PID was taken for the connection: $(cat "$d/err")"
_alive "$other" || fail "the process that reused the PID was signalled"
kill -KILL "$other"
wait "$other" 2>/dev/null || true
# A record that is not ours (old, malformed): removed, nothing signalled.
as_user mkdir -m 0700 "$run/nvmeof/7"
echo '{"version": 1, "id": 7, "pid": 1}' | as_user tee "$run/nvmeof/7/info.json" >/dev/null
touch -d '5 minutes ago' "$run/nvmeof/7"
U list-connections >/dev/null 2>"$d/err" || fail "list: $(cat "$d/err")"
grep -q "connection 7: info.json has a missing or malformed field: removed" "$d/err" ||
  fail "malformed record: $(cat "$d/err")"
[ ! -e "$run/nvmeof/7" ] || fail "the malformed record stayed"
echo "  ok: $(cat "$d/err")"

echo "== kill -9 of nvmeof-fuse: its dead mount is unmounted"
out=$(U connect "$url1" --dhchap-secret=+"$d/host.key" --fuse "$d/mnt2" 2>&1) &&
  fail "a second mount on $d/mnt2 was accepted"
echo "  ok (refused): $out"
fpid=$(U list-connections -o json | jq '.connections[0].pid')
kill -KILL "$fpid"
_wait_gone "$fpid" 10 || fail "nvmeof-fuse $fpid still runs"
U list-connections >"$d/list" 2>"$d/err" || fail "list: $(cat "$d/err")"
grep -q "had exited: cleaned up" "$d/err" || fail "no report: $(cat "$d/err")"
! is_mounted "$d/mnt2" || fail "the dead mount stayed"
echo "  ok: $(cat "$d/err")"

echo "== the data went to the target: read back through a new connection"
out=$(U connect "$url2") || fail "connect: $out"
user_run 60 nbdcopy "$out" "$d/back" || fail "nbdcopy read"
[ "$(head -c 4M "$d/back" | sha256sum)" = "$(sha256sum <"$d/fdata")" ] ||
  fail "the data written through FUSE is not on the target"
echo "  ok"

echo "== disconnect NQN stops only that subsystem's connections"
out=$(U connect "$url1" --dhchap-secret=+"$d/host.key" --nbd-socket="$d/s1")
[ "$out" = "nbd+unix:///?socket=$d/s1" ] || fail "--nbd-socket: '$out'"
p1=$(U list-connections -o json |
     jq --arg n "$nqn1" '.connections[] | select(.subnqn == $n) | .pid')
out=$(U disconnect "$nqn1") || fail "disconnect: $out"
[ "$out" = "NQN:$nqn1 disconnected 1 connection(s)" ] || fail "'$out'"
_alive "$p1" && fail "nbdkit $p1 still runs after disconnect"
[ ! -e "$d/s1" ] || fail "socket $d/s1 left"
[ "$(U list-connections -o json | jq '.connections | length')" = 1 ] ||
  fail "disconnect stopped the other subsystem's connection too"
echo "  ok: $out"

echo "== disconnect-all"
as_user mkdir "$d/mnt1"
U connect --fuse "$d/mnt1" "$url1" --dhchap-secret=+"$d/host.key" >/dev/null
# Written without fsync: the unmount must flush it.
random_file "$d/last" 2M
chmod 0644 "$d/last"
user_run 60 dd if="$d/last" of="$d/mnt1/n2" bs=64k conv=notrunc status=none ||
  fail "dd into $d/mnt1/n2"
out=$(U disconnect-all) || fail "disconnect-all: $out"
[ "$out" = "disconnected 2 connection(s)" ] || fail "'$out'"
! is_mounted "$d/mnt1" || fail "$d/mnt1 still mounted"
[ "$(U list-connections -o json | jq '.connections | length')" = 0 ] ||
  fail "connections left"
[ -z "$(ls "$run/nvmeof")" ] || fail "state left: $(ls "$run/nvmeof")"
out=$(U connect "$url1" --dhchap-secret=+"$d/host.key") || fail "$out"
user_run 60 nbdcopy "nbd+unix:///2?socket=${out#nbd+unix:///?socket=}" \
  "$d/back" || fail "nbdcopy read"
[ "$(head -c 2M "$d/back" | sha256sum)" = "$(sha256sum <"$d/last")" ] ||
  fail "what was written through FUSE before disconnect-all is not on the target"
U disconnect "$nqn1" >/dev/null
echo "  ok: disconnected 2 connection(s); the unsynced write is on the target"

echo "== errors on one line"
U disconnect "$nqn1" >/dev/null 2>"$d/err" && fail "disconnect of nothing"
expect_cli_error disconnect "$d/err" || fail "disconnect message"
U connect "nvme+tcp://127.0.0.1:$(free_port)/$nqn1" >/dev/null 2>"$d/err" &&
  fail "connect to a closed port"
expect_cli_error connect "$d/err" || fail "connect message"
[ -z "$(ls "$run/nvmeof")" ] || fail "a failed connect left state"
U connect --nbd-socket="$d/a"$'\n'"b" "$url2" >/dev/null 2>"$d/err" &&
  fail "connect to a socket path with a newline"
expect_cli_error connect "$d/err" || fail "connect message"
[ -z "$(ls "$run/nvmeof")" ] || fail "a refused connect left state"
U connect "$url1" >/dev/null 2>"$d/err" && fail "connect without the secret"
grep -q "^nvmeof: connect: " "$d/err" || fail "message: $(cat "$d/err")"
[ -z "$(ls "$run/nvmeof")" ] || fail "a failed connect left state"
echo PASS
