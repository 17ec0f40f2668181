#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Without reconnecting (ctrl-loss-tmo=0), a lost connection to the
# controller makes requests fail with EIO and a message in nbdkit's log,
# within the configured timeouts, never a hang:
#  1. the target stops answering (SIGSTOP: the TCP connection stays open);
#  2. the target goes away (SIGTERM: the connection is closed).
# nbdkit itself stays up and answers new clients (with errors).
#  3. with fast-io-fail-tmo=2 (ctrl-loss-tmo=60): while the target is away
#     a read fails with EIO after 2 s; it comes back on the same address:
#     the library reconnects and the same nbdkit serves again;
#  4. by default, a read issued while the target is away is held and
#     returns the data written before, once the target (file-backed) is
#     back: the NBD client sees no error.
source "${abs_srcdir:-$(dirname "$0")}/functions.sh"
source "$abs_srcdir/functions-plugin.sh"
set -e -u -o pipefail

requires_plugin
requires_target
requires /usr/bin/nbdsh --version
d=$TMPDIR_TEST

cat >"$d/lost.py" <<'PY'
import errno, os, signal, time
h.set_strict_mode(0)
h.connect_uri(os.environ["NBD_URI"])
data = os.urandom(4096)
h.pwrite(data, 0)
assert h.pread(4096, 0) == data
target = int(os.environ["TARGET_PID"])
sig = os.environ["SIGNAL"]
os.kill(target, getattr(signal, "SIG" + sig))

def target_gone():
    try:
        with open("/proc/%d/stat" % target) as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True

def target_stopped():
    # kill() returns before the signal is delivered: a thread still running
    # on the other CPU may answer one more command.  Stopped means every
    # thread of the target is in state T.
    try:
        for tid in os.listdir("/proc/%d/task" % target):
            with open("/proc/%d/task/%s/stat" % (target, tid)) as f:
                if f.read().rsplit(")", 1)[1].split()[0] not in ("T", "t"):
                    return False
        return True
    except FileNotFoundError:
        return True

# Wait (bounded) until the signal has really taken effect.
done = {"TERM": target_gone, "STOP": target_stopped}.get(sig)
if done:
    deadline = time.monotonic() + 20
    while not done():
        if time.monotonic() > deadline:
            raise AssertionError("the target did not react to SIG" + sig)
        time.sleep(0.02)
limit = float(os.environ["LIMIT"])
for what, fn in [("pread", lambda: h.pread(4096, 0)),
                 ("pwrite", lambda: h.pwrite(data, 8192)),
                 ("unaligned pread", lambda: h.pread(100, 3)),
                 ("flush", lambda: h.flush())]:
    t = time.monotonic()
    try:
        fn()
    except nbd.Error as e:
        took = time.monotonic() - t
        print("%-16s failed after %.1fs: %s" % (what, took, e))
        en = e.errno if isinstance(e.errno, int) else getattr(errno, str(e.errno), None)
        if en != errno.EIO:
            raise AssertionError("%s: errno %s, expected EIO" % (what, e.errno))
        if took > limit:
            raise AssertionError("%s took %.1fs (limit %ds)"
                                 % (what, took, limit))
    else:
        if what == "flush":
            continue        # may have nothing to send
        raise AssertionError("%s succeeded with the target gone" % what)
print("lost connection: ok")
PY

opts=(timeout=3 keep-alive-tmo=1 ctrl-loss-tmo=0 reconnect-delay=1)

echo "== the target stops answering"
start_target --ram 8M
start_plugin -- "$TARGET_URL" "${opts[@]}"
rc=0
SIGNAL=STOP LIMIT=20 TARGET_PID=$TARGET_PID NBD_URI=$NBD_URI \
  nbdsh_sys -c "exec(open('$d/lost.py').read())" || rc=$?
kill -CONT "$TARGET_PID"
[ "$rc" = 0 ] || fail "stopped target: status $rc"
grep -q 'error' "$NBDKIT_LOG" || fail "no error in nbdkit's log"
grep 'error' "$NBDKIT_LOG" | head -3
# nbdkit is still up: a new client connects (its I/O fails).
with_timeout 60 nbdinfo --size "$NBD_URI" >/dev/null ||
  fail "nbdkit did not survive the lost connection"
stop_target

echo "== the target goes away"
start_target --ram 8M
start_plugin -- "$TARGET_URL" "${opts[@]}"
SIGNAL=TERM LIMIT=10 TARGET_PID=$TARGET_PID NBD_URI=$NBD_URI \
  nbdsh_sys -c "exec(open('$d/lost.py').read())"
stop_target

echo "== fast-io-fail-tmo: EIO while away, then the target comes back"
start_target --ram 8M
port=$TARGET_PORT
# The closed socket tells the library the target went away; a short KATO
# would only let a loaded machine expire a healthy controller meanwhile.
start_plugin -- "$TARGET_URL" timeout=3 keep-alive-tmo=5 ctrl-loss-tmo=60 \
  reconnect-delay=1 fast-io-fail-tmo=2
# nbdkit writes its pidfile before .after_fork has connected: one read
# proves the plugin is serving before the target goes away.
NBD_URI=$NBD_URI nbdsh_sys -c '
import os
h.connect_uri(os.environ["NBD_URI"])
h.pread(512, 0)
' || fail "nbdkit did not serve before the target was stopped"
stop_target
rc=0
NBD_URI=$NBD_URI nbdsh_sys -c '
import errno, os, time
h.connect_uri(os.environ["NBD_URI"])
t = time.monotonic()
try:
    h.pread(512, 0)
except nbd.Error as e:
    took = time.monotonic() - t
    print("while the target is down, after %.1fs: %s" % (took, e))
    if e.errno not in (errno.EIO, "EIO"):
        raise AssertionError("errno %s, expected EIO" % e.errno)
    # Held until fast-io-fail-tmo (2 s after the target went away, checked
    # every second; test-lib-hold.sh checks the lower bound).
    if took > 10:
        raise AssertionError("failed after %.1fs, not at fast-io-fail-tmo"
                             % took)
else:
    raise AssertionError("a read worked with the target down")
' || rc=$?
grep -q 'fast-io-fail-tmo (2 s) expired' "$NBDKIT_LOG" ||
  fail "nbdkit's log does not name fast-io-fail-tmo"
[ "$rc" = 0 ] || fail "target down: status $rc"
start_target -l "127.0.0.1:$port" --ram 8M
NBD_URI=$NBD_URI nbdsh_sys -c '
import os, time
h.connect_uri(os.environ["NBD_URI"])
data = os.urandom(4096)
t = time.monotonic()
while True:
    try:
        h.pwrite(data, 4096)
        break
    except nbd.Error as e:
        if time.monotonic() - t > 30:
            raise AssertionError("no reconnection in 30 s: %s" % e)
        time.sleep(0.2)
assert h.pread(4096, 4096) == data
print("served again %.1fs after the target came back" % (time.monotonic() - t))
'
stop_plugin
stop_target

echo "== held while the target is away, by default"
truncate -s 8M "$d/disk"
start_target --file "$d/disk"
port=$TARGET_PORT
start_plugin -- "$TARGET_URL" timeout=3 keep-alive-tmo=5 reconnect-delay=1
NBD_URI=$NBD_URI D=$d nbdsh_sys -c '
import os
h.connect_uri(os.environ["NBD_URI"])
data = os.urandom(65536)
h.pwrite(data, 65536)
h.flush()
open(os.environ["D"] + "/data", "wb").write(data)
'
kill -KILL "$TARGET_PID"
wait "$TARGET_PID" 2>/dev/null || true
_stopped_pids+="$TARGET_PID "
NBD_URI=$NBD_URI D=$d nbdsh_sys -c '
import os, time
h.connect_uri(os.environ["NBD_URI"])
t = time.monotonic()
got = h.pread(65536, 65536)
assert got == open(os.environ["D"] + "/data", "rb").read(), "data differs"
print("the held read returned the data after %.1fs" % (time.monotonic() - t))
' >"$d/held.out" 2>&1 &
reader=$!
sleep 2
_alive "$reader" || { cat "$d/held.out"; fail "the read did not wait"; }
start_target -l "127.0.0.1:$port" --file "$d/disk"
rc=0
wait "$reader" || rc=$?
cat "$d/held.out"
[ "$rc" = 0 ] || fail "the held read failed (status $rc)"
if grep 'error' "$NBDKIT_LOG"; then
  fail "nbdkit logged errors"
fi
echo PASS
