#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# nvmeof-target --connect-timeout: a TCP connection must send its ICReq
# within the bound, and its Connect within as long after the ICResp,
# however busy it keeps itself meanwhile.  With a bound of 2 s: silent
# connections, a header cut short, ICReq only, a host trickling its ICReq
# one byte a second, one trickling its Connect, one sending commands
# that are not a Connect, one whose Connect was refused, one that reads
# nothing so that the target's thread is stuck sending: each is closed
# by the target no sooner than the bound and within 8 s of slack (before
# the ICResp without a byte, after it with a C2HTermReq, PDU Sequence
# Error), with one log line naming the phase.  Meanwhile a host that did
# connect (and a discovery controller) are not cut, and a good host's
# checksummed I/O goes on.  Then every one of the 4096 connection slots
# is taken by silent sockets (one more is refused), they are dropped at
# the bound, and a new host connects and does I/O.  --connect-timeout 0:
# a silent connection stays.
source "${abs_srcdir:-$(dirname "$0")}/functions.sh"
set -e -u -o pipefail
requires_target
requires test -x /usr/bin/python3
export PYTHONPATH=$abs_srcdir PYTHONDONTWRITEBYTECODE=1

# 4096 connections at both ends, and a few more.
ulimit -n "$(ulimit -H -n)" 2>/dev/null || :
[ "$(ulimit -n)" -ge 9000 ] ||
  skip "only $(ulimit -n) file descriptors: too few to fill 4096 slots"

start_target --ram 16M --connect-timeout 0
port0=$TARGET_PORT
start_target -v --ram 64M --connect-timeout 20
port20=$TARGET_PORT log20=$TARGET_LOG
start_target --ram 64M --connect-timeout 2

with_timeout 300 /usr/bin/python3 - "$TARGET_PORT" "$port0" "$port20" \
  "$log20" <<'EOF'
import hashlib, random, selectors, socket, struct, sys, threading, time
from target_client import *

port, port0, port20 = (int(a) for a in sys.argv[1:4])
log20 = sys.argv[4]
N = "nqn.2026-11.io.nvmeof:target"
DISC = "nqn.2014-08.org.nvmexpress.discovery"
BOUND, SLACK = 2.0, 8.0
LBA, AREA = 512, 4096
failures = []

def check(cond, what):
    print(("ok: " if cond else "FAIL: ") + what, flush=True)
    if not cond:
        failures.append(what)

ICREQ_PDU = (struct.pack("<BBBBI", ICREQ, 0, 128, 0, 128) +
             struct.pack("<HBBI", 0, 0, 0, 0) + bytes(112))

# ---- a good host: random writes and verified reads throughout ------------
class Good(threading.Thread):
    def __init__(self, p):
        super().__init__(daemon=True)
        self.stop = threading.Event()
        self.model, self.ops, self.bad, self.error = {}, 0, 0, None
        self.a, cntlid = admin_session(p, N)
        self.io = io_session(p, N, cntlid)

    def run(self):
        rnd = random.Random(11)
        try:
            while not self.stop.is_set():
                lba, nlb = rnd.randrange(AREA - 8), rnd.choice((1, 8))
                if rnd.random() < 0.5:
                    data = rnd.randbytes(nlb * LBA)
                    if self.io.write(1, lba, data).status:
                        raise Exception("write failed")
                    for i in range(nlb):
                        self.model[lba + i] = data[i * LBA:(i + 1) * LBA]
                else:
                    cq, got = self.io.read(1, lba, nlb)
                    if cq.status:
                        raise Exception("read failed")
                    for i in range(nlb):
                        if got[i * LBA:(i + 1) * LBA] != \
                                self.model.get(lba + i, bytes(LBA)):
                            self.bad += 1
                self.ops += 1
                time.sleep(0.002)
        except Exception as e:
            self.error = "%s: %s" % (type(e).__name__, e)

    def verdict(self, what):
        self.stop.set()
        self.join(30)
        got = bytearray()
        for lba in range(0, AREA, 64):
            cq, d = self.io.read(1, lba, 64)
            got += d if cq.status == 0 else bytes(64 * LBA)
        want = b"".join(self.model.get(i, bytes(LBA)) for i in range(AREA))
        check(self.error is None and self.bad == 0 and self.ops > 20 and
              hashlib.sha256(bytes(got)).digest() ==
              hashlib.sha256(want).digest(),
              "%s: %d operations, every read matched, area checksum equal "
              "(error %s)" % (what, self.ops, self.error))

# ---- watching sockets until the target closes them -----------------------
class Watched:
    def __init__(self, label, s, start, termreq):
        self.label, self.s, self.start = label, s, start
        self.termreq = termreq      # a C2HTermReq expected (after ICResp)
        self.got, self.closed = b"", None

def watch(items, limit):
    """Read every socket until the target closes it or limit passes."""
    sel = selectors.DefaultSelector()
    for w in items:
        w.s.setblocking(False)
        sel.register(w.s, selectors.EVENT_READ, w)
    left = len(items)
    while left and time.monotonic() < limit:
        for key, _ in sel.select(0.2):
            w = key.data
            try:
                b = w.s.recv(4096)
            except BlockingIOError:
                continue
            except OSError:
                b = b""
            if b:
                w.got += b
                continue
            w.closed = time.monotonic()
            sel.unregister(w.s)
            left -= 1
    sel.close()

def judge(w):
    if w.closed is None:
        check(False, "%s: still open %.0f s after the bound" % (w.label, SLACK))
        return
    dt = w.closed - w.start
    ok = BOUND - 0.2 <= dt <= BOUND + SLACK
    if w.termreq:
        fes = None
        if len(w.got) >= 10 and w.got[0] == C2HTERM:
            fes = struct.unpack("<H", w.got[8:10])[0]
        ok = ok and fes == 2
        what = "C2HTermReq FES %s" % fes
    else:
        ok = ok and w.got == b""
        what = "%d bytes first" % len(w.got)
    check(ok, "%s: closed by the target %.1f s after %s (%s)" %
          (w.label, dt, "the ICResp" if w.termreq else "connecting", what))

good = Good(port)
good.start()
quiet = socket.create_connection(("127.0.0.1", port0))   # no limit there
quiet_t = time.monotonic()

# Connected before the bound: an admin queue left idle (KATO 0) and a
# discovery controller; neither may be cut.
idle_a, _ = admin_session(port, N)
disc, _ = admin_session(port, DISC)

items = []
for i in range(20):
    s = socket.create_connection(("127.0.0.1", port))
    items.append(Watched("silent connection %d" % i, s, time.monotonic(),
                         False))
for i in range(10):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(ICREQ_PDU[:5])      # half a header, then nothing
    items.append(Watched("ICReq cut short %d" % i, s, time.monotonic(),
                         False))
for i in range(10):
    c = Conn(port)
    c.icreq()
    items.append(Watched("ICReq only %d" % i, c.s, time.monotonic(), True))
c = Conn(port)
c.icreq()
t = time.monotonic()
cq = c.connect("nqn.2026-11.io.nvmeof:no-such-subsystem")
check(cq.status != 0, "Connect to an unknown subsystem refused (0x%x)"
      % cq.status)
items.append(Watched("a host whose Connect was refused", c.s, t, True))

# Hosts that keep sending but never complete a Connect: the bound is a
# deadline, not an idle timer.
def trickle(s, data, gap):
    try:
        for i in range(len(data)):
            s.send(data[i:i + 1])
            time.sleep(gap)
    except OSError:
        pass

s = socket.create_connection(("127.0.0.1", port))
items.append(Watched("a host trickling its ICReq (1 byte/s)", s,
                     time.monotonic(), False))
threading.Thread(target=trickle, args=(s, ICREQ_PDU, 1.0),
                 daemon=True).start()
c = Conn(port)
c.icreq()
t = time.monotonic()
connect_pdu = c.pdu(CMD, sqe(0x7F, 1, fctype=1, sgl_len=1024, sgl_id=SGL_ICD),
                    bytes(1024))
threading.Thread(target=trickle, args=(c.s, connect_pdu, 0.1),
                 daemon=True).start()
items.append(Watched("a host trickling its Connect (10 bytes/s)", c.s, t,
                     True))
busy = Conn(port)
busy.icreq()
busy_t = time.monotonic()
def busy_host():
    try:
        while True:
            busy.send(busy.pdu(CMD, sqe(0x7F, 2, fctype=4, cdw11=0)))
            time.sleep(0.1)
    except OSError:
        pass
threading.Thread(target=busy_host, daemon=True).start()
items.append(Watched("a host sending Property Gets, no Connect", busy.s,
                     busy_t, True))

watch(items, time.monotonic() + BOUND + SLACK + 1)
for w in items:
    if "Property Gets" in w.label:
        # Its answers (Command Sequence Error) came first: only the
        # TermReq at the end counts.
        end = w.got.rfind(bytes([C2HTERM, 0, 24, 0]))
        w.got = w.got[end:] if end >= 0 else b""
    judge(w)
    w.s.close()

# A host that sends commands and reads nothing: once the answers fill
# the socket, the connection's thread is stuck sending, so shutting the
# socket for reading does not reach it; the watchdog cuts it 2 s later.
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.connect(("127.0.0.1", port))
s.sendall(ICREQ_PDU)
s.recv(128, socket.MSG_WAITALL)
t = time.monotonic()
prop_get = Conn.pdu(busy, CMD, sqe(0x7F, 1, fctype=4))
blob, cut = prop_get * 20000, None
s.settimeout(BOUND + 2 + SLACK)
try:
    while time.monotonic() - t < BOUND + 2 + SLACK:
        s.sendall(blob)
except OSError:
    cut = time.monotonic() - t
check(cut is not None and BOUND - 0.2 <= cut <= BOUND + 2 + SLACK,
      "a host that never reads, stuck in the target's send: cut %s s after "
      "the ICResp" % ("%.1f" % cut if cut is not None else "never"))
s.close()

# The connected ones were not cut.
cq, _ = idle_a.command(sqe(0x06, idle_a.next_cid(), cdw10=1, sgl_len=4096))
check(cq.status == 0, "an admin queue idle past the bound still works")
cq, log = disc.get_log(0x70, 1024)
check(cq.status == 0 and len(log) == 1024,
      "a discovery controller idle past the bound still works")
idle_a.close(); disc.close()
good.verdict("the good host during the attack")
good.io.close(); good.a.close()

# ---- every slot taken, then given back -----------------------------------
def accepted():
    with open(log20) as f:
        return sum(1 for line in f if line.endswith(": connected\n"))

def refused_at_once(s):
    s.settimeout(10)
    try:
        return s.recv(1) == b""
    except socket.timeout:
        return False
    except OSError:         # reset
        return True

held, t0 = [], time.monotonic()
for i in range(4096):
    held.append(socket.create_connection(("127.0.0.1", port20)))
while accepted() < 4096 and time.monotonic() - t0 < 60:
    time.sleep(0.2)
filled = time.monotonic() - t0
# All 4096 must be held when the next comes: well within the 20 s bound.
check(filled < 15, "the target took 4096 silent connections in %.1f s"
      % filled)
extra = socket.create_connection(("127.0.0.1", port20))
check(refused_at_once(extra), "the 4097th is closed by the target (refused)")
extra.close()
c = Conn(port20)
check(refused_at_once(c.s), "so is a host that wants to connect")
c.close()
items = [Watched("slot %d" % i, s, t0, False) for i, s in enumerate(held)]
# The slots come free at the bound, the hosts doing nothing.
watch(items, t0 + filled + 20 + SLACK)
open_ = sum(1 for w in items if w.closed is None)
check(open_ == 0 and all(w.got == b"" for w in items),
      "all 4096 silent connections closed by the target (%d left)" % open_)
for s in held:
    s.close()
a, cntlid = admin_session(port20, N)
io = io_session(port20, N, cntlid)
data = random.randbytes(8192)
ok = io.write(1, 0, data).status == 0
cq, got = io.read(1, 0, 16)
check(ok and cq.status == 0 and hashlib.sha256(got).digest() ==
      hashlib.sha256(data).digest(),
      "then a new host connects and reads back what it wrote")
io.close(); a.close()

# ---- --connect-timeout 0 ----------------------------------------------------
quiet.settimeout(0.5)
try:
    quiet.recv(1)           # end of file, or a byte: not silent any more
    still = False
except socket.timeout:
    still = True
except OSError:
    still = False
check(still, "with --connect-timeout 0 a silent connection is still open "
      "after %.0f s" % (time.monotonic() - quiet_t))
quiet.close()
sys.exit(1 if failures else 0)
EOF

n=$(grep -c 'no ICReq within 2 s: closed' "$TARGET_LOG") || :
[ "$n" = 31 ] || fail "$n 'no ICReq within 2 s' lines in the log, not 31"
n=$(grep -c 'no Connect within 2 s of the ICResp: closed' "$TARGET_LOG") || :
[ "$n" = 14 ] || fail "$n 'no Connect within 2 s' lines in the log, not 14"
grep -q 'too many connections, refused' "$log20" ||
  fail "the 4097th connection was not refused"
n=$(grep -c 'no ICReq within 20 s: closed' "$log20") || :
[ "$n" = 4096 ] || fail "$n 'no ICReq within 20 s' lines, not 4096"
echo "ok: one log line per connection closed, naming the phase"
