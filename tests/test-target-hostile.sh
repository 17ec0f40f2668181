#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# nvmeof-target against hostile hosts while a well-behaved host does
# checksummed I/O on its own connections the whole time: silent and
# half-open connections (a header cut short, then nothing), which the
# target closes once --connect-timeout (10 s by default) passes without an
# ICReq (test-target-connect-timeout.sh checks that bound), a slow host
# that sends every byte on its own, unknown opcodes and Fabrics types,
# wrong lengths and ranges, a Connect storm (hundreds of controllers, then
# more I/O queues than the controller allows), thousands of connections at
# once, and malformed PDUs on fresh connections in between.  Each gets its
# status (the connection then still works) or a C2HTermReq and a close;
# the good host's every read must return what it wrote, and the target's
# memory (VmRSS from /proc, printed) must stay under a bound stated below.
# test-target-malformed.sh has the field-by-field PDU checks; this test is
# about load, exhaustion and the other hosts.
source "${abs_srcdir:-$(dirname "$0")}/functions.sh"
set -e -u -o pipefail
requires_target
requires test -x /usr/bin/python3
export PYTHONPATH=$abs_srcdir PYTHONDONTWRITEBYTECODE=1

# Room for the thousands of connections at both ends (the target inherits
# this limit); the test uses what the hard limit allows.
ulimit -n "$(ulimit -H -n)" 2>/dev/null || :
nconns=$(($(ulimit -n) - 200))
[ "$nconns" -le 2000 ] || nconns=2000
[ "$nconns" -ge 500 ] ||
  skip "only $(ulimit -n) file descriptors: too few for the connection flood"

start_target --ram 64M --maxh2cdata 8192

with_timeout 300 /usr/bin/python3 - "$TARGET_PORT" "$TARGET_PID" "$nconns" <<'EOF'
import hashlib, os, random, socket, struct, sys, threading, time
from target_client import *

port, pid, nconns = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
N = "nqn.2026-11.io.nvmeof:target"
LBA = 512
AREA = 8192          # blocks the good host uses (4 MiB)
failures = []

def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what, flush=True)
    else:
        print("ok:", what, flush=True)

def rss_kib():
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0

def threads():
    return len(os.listdir("/proc/%d/task" % pid))

# ---- the well-behaved host: random writes and verified reads -----------
class Good(threading.Thread):
    def __init__(self):
        super().__init__(daemon=True)
        self.stop = threading.Event()
        self.model = {}             # block -> its 512 bytes
        self.ops = self.bad = 0
        self.error = None
        self.a, cntlid = admin_session(port, N)
        self.io = io_session(port, N, cntlid, sqsize=63)
        self.io.maxh2cdata = 8192

    def run(self):
        rnd = random.Random(7)
        try:
            while not self.stop.is_set():
                lba = rnd.randrange(AREA - 32)
                nlb = rnd.choice((1, 8, 32))
                if rnd.random() < 0.5:
                    data = rnd.randbytes(nlb * LBA)
                    st = self.io.write(1, lba, data).status
                    if st:
                        raise Exception("write status 0x%x" % st)
                    for i in range(nlb):
                        self.model[lba + i] = data[i * LBA:(i + 1) * LBA]
                else:
                    cq, got = self.io.read(1, lba, nlb)
                    if cq.status:
                        raise Exception("read status 0x%x" % cq.status)
                    for i in range(nlb):
                        want = self.model.get(lba + i, bytes(LBA))
                        if got[i * LBA:(i + 1) * LBA] != want:
                            self.bad += 1
                self.ops += 1
        except Exception as e:
            self.error = "%s: %s" % (type(e).__name__, e)

    def finish(self):
        self.stop.set()
        self.join(30)
        # Everything written reads back: one checksum over the area.
        got = bytearray()
        for lba in range(0, AREA, 64):
            cq, d = self.io.read(1, lba, 64)
            got += d if cq.status == 0 else bytes(64 * LBA)
        want = b"".join(self.model.get(i, bytes(LBA)) for i in range(AREA))
        return (hashlib.sha256(bytes(got)).hexdigest(),
                hashlib.sha256(want).hexdigest())

good = Good()
good.start()
rss0 = rss_kib()
print("target VmRSS at the start: %d KiB" % rss0, flush=True)
peak = rss0

def fresh():
    c = Conn(port)
    c.icreq()
    return c

def termreq(c):
    c.s.settimeout(10)
    try:
        c.recv_pdu()
    except TermReq as t:
        return t.fes
    except (EOFError, ConnectionResetError, socket.timeout):
        return None
    return None

# ---- silent and half-open connections, left open by the host ------------
silent = []
silent_t = time.monotonic()
for i in range(100):
    c = Conn(port)
    if i % 2:
        c.send(bytes([CMD, 0, 72, 0]))      # half a header, then nothing
    silent.append(c)
check(True, "100 silent or half-open connections opened (the host keeps "
      "them open)")

# ---- unknown opcodes and Fabrics types: a status, the queue goes on ----
a, cntlid = admin_session(port, N)
io = io_session(port, N, cntlid, qid=2)
io.maxh2cdata = 8192
cq, _ = a.command(sqe(0xC5, a.next_cid()))
check(cq.status & 0x7FF == 0x001, "admin opcode C5h: Invalid Opcode (0x%x)" % cq.status)
cq, _ = io.command(sqe(0x7E, io.next_cid(), nsid=1))
check(cq.status & 0x7FF == 0x001, "I/O opcode 7Eh: Invalid Opcode (0x%x)" % cq.status)
cq, _ = a.command(sqe(0x7F, a.next_cid(), fctype=0x7E))
check(cq.status & 0x7FF == 0x001, "Fabrics type 7Eh: Invalid Opcode (0x%x)" % cq.status)
cq, _ = io.command(sqe(0x02, io.next_cid(), nsid=9, cdw12=0, sgl_len=512))
check(cq.status & 0x7FF == 0x00B, "read of NSID 9: Invalid Namespace (0x%x)" % cq.status)
# ---- wrong lengths and ranges -------------------------------------------
cq, _ = io.command(sqe(0x02, io.next_cid(), nsid=1, cdw12=7, sgl_len=512))
check(cq.status & 0x7FF == 0x00F,
      "read of 8 blocks into a 512-byte SGL: Data SGL Length Invalid (0x%x)" % cq.status)
cq, _ = io.command(sqe(0x02, io.next_cid(), nsid=1, cdw10=131072 - 4,
                       cdw12=7, sgl_len=4096))
check(cq.status & 0x7FF == 0x080, "read past the end: LBA Out of Range (0x%x)" % cq.status)
cq, _ = io.command(sqe(0x02, io.next_cid(), nsid=1, cdw10=0xFFFFFFFF,
                       cdw11=0xFFFFFFFF, cdw12=0xFFFF, sgl_len=65536 * 512))
check(cq.status != 0, "read at LBA 2^64-1 of 65536 blocks refused (0x%x)" % cq.status)
cq = io.write(1, 0, bytes(512), inline=True)
check(cq.status == 0, "the I/O queue still works after those")
cq, _ = a.command(sqe(0x06, a.next_cid(), cdw10=1, sgl_len=4096))
check(cq.status == 0, "the admin queue still works after those")

# ---- a slow host: every byte on its own ---------------------------------
class Slow(Conn):
    def send(self, b):
        for i in range(len(b)):
            self.s.sendall(b[i:i + 1])
            time.sleep(0.0005)
s = Slow(port)
s.icreq()
cq = s.connect(N, qid=3, cntlid=cntlid)
data = os.urandom(1024)
ok = cq.status == 0 and s.write(1, AREA + 8, data, inline=True).status == 0
cq, got = s.read(1, AREA + 8, 2)
check(ok and cq.status == 0 and got == data,
      "a host sending one byte at a time: Connect, write, read back")
s.close()

# ---- malformed PDUs on fresh connections, between the rest ---------------
c = fresh(); c.send(c.pdu(CMD, sqe(0x06, 1, cdw10=1, sgl_len=4096), hlen=71))
check(termreq(c) == 1, "CapsuleCmd HLEN 71: C2HTermReq FES 1")
c.close()
c = fresh(); c.send(c.pdu(H2CDATA, struct.pack("<HHII4x", 1, 0x7777, 0, 512),
                          bytes(512)))
check(termreq(c) == 1, "H2CData for a transfer tag never given: FES 1")
c.close()

# ---- a Connect storm ------------------------------------------------------
storm = []
t0 = time.time()
for i in range(300):
    c = Conn(port)
    c.icreq()
    cq = c.connect(N)
    if cq.status:
        break
    storm.append(c)
check(len(storm) == 300, "300 admin Connects in %.1f s: 300 controllers"
      % (time.time() - t0))
peak = max(peak, rss_kib())
# More I/O queues than the controller grants (--maxqid, 128 by default).
extra, refused = [], 0
for qid in range(4, 200):
    c = Conn(port)
    c.icreq()
    cq = c.connect(N, qid=qid, cntlid=cntlid)
    if cq.status:
        refused += 1
        c.close()
    else:
        extra.append(c)
check(refused > 0 and len(extra) <= 128,
      "I/O queue Connects beyond the limit refused (%d accepted, %d refused)"
      % (len(extra), refused))
for c in storm + extra:
    c.close()

# ---- thousands of connections at once -------------------------------------
flood = []
icreq = (struct.pack("<BBBBI", ICREQ, 0, 128, 0, 128) +
         struct.pack("<HBBI", 0, 0, 0, 0) + bytes(112))
try:
    for i in range(nconns):
        c = socket.create_connection(("127.0.0.1", port), timeout=10)
        if i % 2:
            c.sendall(icreq)     # the others stay silent
        flood.append(c)
except OSError as e:
    print("note: the flood stopped at %d connections: %s" % (len(flood), e))
time.sleep(2)
peak = max(peak, rss_kib())
print("target: %d threads, VmRSS %d KiB with %d connections opened"
      % (threads(), rss_kib(), len(flood)), flush=True)
check(good.is_alive() and good.error is None,
      "the good host's I/O goes on during the flood")
for c in flood:
    c.close()
flood = []

# The target recovers: a new host gets a controller and does I/O.
time.sleep(1)
b, cntlid2 = admin_session(port, N)
bio = io_session(port, N, cntlid2)
data = os.urandom(4096)
ok = bio.write(1, AREA + 64, data).status == 0
cq, got = bio.read(1, AREA + 64, 8)
check(ok and got == data, "after the flood a new host connects and does I/O")
bio.close(); b.close(); io.close(); a.close()
# The silent and half-open ones sent no ICReq: the target closed them
# (without a byte) at the default bound, 10 s, not the host.
end = silent_t + 10 + 8
gone = 0
for c in silent:
    closed, fes = c.closed_by_peer(max(0.1, end - time.monotonic()))
    gone += closed and fes is None
    c.close()
check(gone == len(silent), "the target closed %d of the %d silent or "
      "half-open connections, at its 10 s bound for an ICReq"
      % (gone, len(silent)))

# ---- the good host's verdict ----------------------------------------------
time.sleep(1)
got, want = good.finish()
check(good.error is None, "the good host saw no error (%s)" % good.error)
check(good.bad == 0 and got == want,
      "every read of the good host returned what it wrote (%d operations, "
      "%d mismatches, area checksum %s)" % (good.ops, good.bad, got[:16]))
check(good.ops > 100, "the good host did %d operations" % good.ops)
good.io.close(); good.a.close()

time.sleep(2)
rss1 = rss_kib()
# The bound: generous (ASan adds its own), 256 KiB per connection that
# was open at once and 256 MiB more, so that what a connection holds
# (its 64 KiB read-ahead, its requests, its thread) cannot grow unseen.
bound = rss0 + 256 * (nconns + 100 + 300 + 200) + 256 * 1024
print("target VmRSS: %d KiB at the start, %d KiB at the peak, %d KiB at the "
      "end; the bound is %d KiB" % (rss0, peak, rss1, bound), flush=True)
check(peak < bound, "the target's memory stayed under the bound")
sys.exit(1 if failures else 0)
EOF
