#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# nvmeof-target fault injection: each --fault-* option does what the man
# page says on I/O queues (counted from the first command after Connect),
# as seen by a raw NVMe/TCP client; --fault-once lets a second connection
# work; --fault-admin extends faults to the admin queue.
source "${abs_srcdir:-$(dirname "$0")}/functions.sh"
set -e -u -o pipefail
requires_target
requires test -x /usr/bin/python3
# The raw NVMe/TCP client (target_client.py); no .pyc in the source tree.
export PYTHONPATH=$abs_srcdir PYTHONDONTWRITEBYTECODE=1

# run_case "TARGET FAULT OPTIONS" PYTHON-CHECK: a fresh target per case.
run_case ()
{
  local opts=$1 code=$2
  # shellcheck disable=SC2086
  start_target --ram 16M $opts
  with_timeout 30 /usr/bin/python3 - "$TARGET_PORT" \
    "$opts" <<EOF || fail "fault case '$opts'"
import os, socket, struct, sys, time
from target_client import *
port, opts = int(sys.argv[1]), sys.argv[2]
N = "nqn.2026-11.io.nvmeof:target"
def check(cond, what):
    if not cond:
        sys.exit("FAIL: %s: %s" % (opts, what))
    print("ok: %s: %s" % (opts, what))
def session(**kw):
    a, cntlid = admin_session(port, N)
    return a, io_session(port, N, cntlid, **kw)
def fails(fn):
    try:
        fn()
    except (ProtocolError, EOFError, TermReq, socket.timeout,
            ConnectionResetError) as e:
        return e
    return None
$code
EOF
  stop_target
}

run_case "--fault-close-after 3" '
a, io = session()
for i in range(3):
    check(io.read(1, i, 1)[0].status == 0, "command %d answered" % (i + 1))
check(isinstance(fails(lambda: io.read(1, 0, 1)), EOFError),
      "closed on command 4")
check(a.command(sqe(0x18, a.next_cid()))[0].status == 0, "admin queue unaffected")
'

run_case "--fault-termreq-after 2" '
a, io = session()
io.read(1, 0, 1); io.read(1, 0, 1)
e = fails(lambda: io.read(1, 0, 1))
check(isinstance(e, TermReq) and e.fes == 2, "C2HTermReq FES 2 on command 3")
'

run_case "--fault-hang-after 2" '
a, io = session()
io.read(1, 0, 1); io.read(1, 0, 1)
io.s.settimeout(1.5)
check(isinstance(fails(lambda: io.read(1, 0, 1)), socket.timeout),
      "no answer to command 3")
io.s.settimeout(0.5)
try:
    check(io.s.recv(1) != b"", "")
except socket.timeout:
    print("ok: connection kept open")
'

run_case "--fault-delay-ms 300" '
a, io = session()
t = time.time(); io.read(1, 0, 1)
check(time.time() - t >= 0.3, "read delayed by 300 ms")
'

run_case "--fault-corrupt-hdgst 2" '
a, io = session(hdgst=True)
check(io.write(1, 0, bytes(512)).status == 0, "PDU 1 fine")
e = fails(lambda: io.read(1, 0, 1))
check(isinstance(e, ProtocolError) and "header digest" in str(e),
      "PDU 2 has a bad header digest")
'

run_case "--fault-corrupt-ddgst 1" '
a, io = session(ddgst=True)
e = fails(lambda: io.read(1, 0, 8))
check(isinstance(e, ProtocolError) and "data digest" in str(e),
      "first C2HData has a bad data digest")
'

run_case "--fault-bad-plen 2" '
a, io = session()
check(io.write(1, 0, bytes(512)).status == 0, "response 1 fine")
check(isinstance(fails(lambda: io.write(1, 0, bytes(512))), ProtocolError),
      "response 2: PLEN short")
'

run_case "--fault-bad-hlen 1" '
a, io = session()
check(isinstance(fails(lambda: io.write(1, 0, bytes(512))), ProtocolError),
      "response 1: bad HLEN")
'

run_case "--fault-bad-pdo 1" '
a, io = session()
check(isinstance(fails(lambda: io.read(1, 0, 8)), ProtocolError),
      "C2HData with a bad PDO")
'

run_case "--fault-unknown-cid 1" '
a, io = session()
e = fails(lambda: io.write(1, 0, bytes(512)))
check(isinstance(e, ProtocolError) and "cid" in str(e), "unknown CID")
'

run_case "--fault-data-overflow 1" '
a, io = session()
c, data = io.read(1, 0, 8)
check(len(data) == 4096 + 512, "512 bytes more than the 4096 asked for")
'

run_case "--fault-close-after 1 --fault-once" '
a, io = session()
io.read(1, 0, 1)
check(isinstance(fails(lambda: io.read(1, 0, 1)), EOFError),
      "first I/O connection closed on command 2")
a2, io2 = session()
for i in range(5):
    io2.read(1, 0, 1)
print("ok: the next connection is left alone")
'

run_case "--fault-close-after 3 --fault-admin" '
a, cntlid = admin_session(port, N)      # Property Set and Get: 2 commands
check(a.identify(1)[0].status == 0, "admin command 3 answered")
check(isinstance(fails(lambda: a.identify(1)), EOFError),
      "admin queue closed on command 4")
'
