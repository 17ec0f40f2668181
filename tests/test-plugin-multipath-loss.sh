#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Multipath through the plugin when every path goes (two listeners of one
# nvmeof-target, ctrl-loss-tmo=3, reconnect-delay=1):
#  1. both listeners stopped (their connections cut) for longer than
#     ctrl-loss-tmo: a read fails with EIO and a message naming
#     ctrl-loss-tmo, within the bound stated here (ctrl-loss-tmo + 10 s of
#     slack for a busy machine), never a hang;
#  2. both stopped, then one started again 1.5 s later, well within
#     ctrl-loss-tmo (10 s there, so that a busy machine's slow reconnect
#     attempt still falls inside it): a read and a write issued while no
#     path was usable wait and then complete, with the right data.
source "${abs_srcdir:-$(dirname "$0")}/functions.sh"
source "$abs_srcdir/functions-plugin.sh"
source "$abs_srcdir/functions-multipath.sh"
set -e -u -o pipefail

requires_plugin
requires_target
requires /usr/bin/nbdsh --version
d=$TMPDIR_TEST
truncate -s 64M "$d/disk"
head -c 4096 /dev/urandom >"$d/block"
dd if="$d/block" of="$d/disk" conv=notrunc status=none

mp_start_target 2 --file "$d/disk"
opts=(iopolicy=round-robin ctrl-loss-tmo=3 reconnect-delay=1
      keep-alive-tmo=2)
LIMIT=13 # ctrl-loss-tmo + 10 s

echo "== every path gone for longer than ctrl-loss-tmo"
start_plugin -- url="${MP_URL1%/1}" url="${MP_URL2%/1}" "${opts[@]}"
D=$d NBD_URI=$NBD_URI nbdsh_sys -c '
import os
h.connect_uri(os.environ["NBD_URI"])
assert h.pread(4096, 0) == open(os.environ["D"] + "/block", "rb").read()
' || fail "the plugin did not serve"
mp_ctl listener 1 down
mp_ctl listener 2 down
NBD_URI=$NBD_URI LIMIT=$LIMIT nbdsh_sys -c '
import errno, os, time
h.connect_uri(os.environ["NBD_URI"])
t = time.monotonic()
try:
    h.pread(4096, 8192)
except nbd.Error as e:
    took = time.monotonic() - t
    print("pread failed after %.1f s: %s" % (took, e))
    en = e.errno if isinstance(e.errno, int) else getattr(errno, str(e.errno), None)
    assert en == errno.EIO, "errno %s, expected EIO" % e.errno
    assert took <= float(os.environ["LIMIT"]), "took %.1f s" % took
else:
    raise AssertionError("a read worked with every path gone")
' || fail "all paths gone: no clear EIO"
grep -E 'no (usable )?path.*(ctrl-loss-tmo|gave up)' "$NBDKIT_LOG" ||
  { cat "$NBDKIT_LOG" >&2; fail "the error does not say why"; }
stop_plugin
mp_ctl listener 1 up
mp_ctl listener 2 up

echo "== every path gone, one back within ctrl-loss-tmo"
start_plugin -- url="${MP_URL1%/1}" url="${MP_URL2%/1}" \
  iopolicy=round-robin ctrl-loss-tmo=10 reconnect-delay=1 keep-alive-tmo=2
NBD_URI=$NBD_URI nbdsh_sys -c '
import os
h.connect_uri(os.environ["NBD_URI"])
h.pread(512, 0)
' || fail "the plugin did not serve"
mp_ctl listener 1 down
mp_ctl listener 2 down
( sleep 1.5; mp_ctl listener 2 up ) &
upper=$!
D=$d NBD_URI=$NBD_URI nbdsh_sys -c '
import os
h.connect_uri(os.environ["NBD_URI"])
data = os.urandom(4096)
h.pwrite(data, 65536)
assert h.pread(4096, 65536) == data, "wrong data after the path came back"
assert h.pread(4096, 0) == open(os.environ["D"] + "/block", "rb").read()
print("read and write completed once a path came back")
' || fail "I/O did not complete when a path came back"
wait "$upper"
echo PASS
