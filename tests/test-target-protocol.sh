#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# nvmeof-target protocol behaviour, checked with a raw NVMe/TCP client:
# properties and enable/shutdown, Connect validation (CNTLID, host NQN,
# QID against Number of Queues, SQSIZE), command errors (LBA range, NSID,
# opcode, MDTS, SGL length, write protection), R2T with small MAXH2CDATA,
# digests, SQ flow control disabled (C2HData SUCCESS), AER limit, features,
# log pages, Disconnect and keep-alive timeout teardown.
source "${abs_srcdir:-$(dirname "$0")}/functions.sh"
set -e -u -o pipefail
requires_target
requires test -x /usr/bin/python3
# The raw NVMe/TCP client (target_client.py); no .pyc in the source tree.
export PYTHONPATH=$abs_srcdir PYTHONDONTWRITEBYTECODE=1

start_target --ram 64M --lba-size 4096 --ram 16M --maxh2cdata 4096 \
  --maxr2t 2

with_timeout 60 /usr/bin/python3 - "$TARGET_PORT" <<'EOF'
import os, socket, struct, sys, time
from target_client import *

port = int(sys.argv[1])
N = "nqn.2026-11.io.nvmeof:target"

# ---- properties, enable, shutdown -----------------------------------
a = Conn(port); a.icreq()
check(a.maxh2cdata == 4096, "ICResp MAXH2CDATA")
cq = a.connect(N)
check(cq.status == 0, "admin Connect")
c, cap = a.prop_get(0, size8=True)
check(cap & 0xFFFF == 1023 and cap >> 16 & 1 and (cap >> 24) & 0xFF == 15
      and cap >> 37 & 1 and (cap >> 48) & 0xF == 0, "CAP %#x" % cap)
check(a.prop_get(0x08)[1] == 0x10400, "VS 1.4")
check(a.prop_get(0x1C)[1] == 0, "CSTS 0 before enable")
c, _ = a.identify(1)
check(c.status == 0x0C, "Identify before CC.EN: Command Sequence Error")
check(a.prop_get(0x14, size8=True)[0].status == 0x02, "8-byte CC: invalid")
a.enable()
check(a.prop_get(0x14)[1] & 1, "CC.EN reads back")
cq = a.prop_set(0x14, 1 | (6 << 16) | (4 << 20) | (1 << 14))
check(cq.status == 0 and a.prop_get(0x1C)[1] == 0x9, "SHN: CSTS.SHST complete")
a.close()
b = Conn(port); b.icreq(); b.connect(N)
b.prop_set(0x14, 1 | (5 << 16) | (4 << 20))
check(b.prop_get(0x1C)[1] == 0x2, "bad IOSQES: CSTS.CFS")
b.close()

# ---- Connect validation ---------------------------------------------
c = Conn(port); c.icreq()
cq = c.connect(N, cntlid=1)
check(cq.status == 0x182 and cq.dw0 == 0x10000 | 16, "admin Connect with a CNTLID")
c.close()
a, cntlid = admin_session(port, N)
cq = a.features(7, set_value=(1 | 1 << 16))
check(cq.status == 0 and cq.dw0 == 0x10001, "Number of Queues: 2 granted")
check(a.features(7).dw0 == 0x10001, "Get Features Number of Queues")

def io_connect(**kw):
    c = Conn(port); c.icreq()
    args = dict(qid=1, cntlid=cntlid, sqsize=31)
    args.update(kw)
    return c, c.connect(N, **args)

c, cq = io_connect(qid=3)
check(cq.status == 0x182 and cq.dw0 == 42, "QID above the granted queues")
c, cq = io_connect(cntlid=cntlid + 100)
check(cq.status == 0x182 and cq.dw0 == 0x10000 | 16, "unknown CNTLID")
c, cq = io_connect(hostnqn="nqn.2014-08.org.nvmexpress:uuid:0-other")
check(cq.status == 0x182 and cq.dw0 == 0x10000 | 512, "host NQN mismatch")
c, cq = io_connect(sqsize=0)
check(cq.status == 0x182 and cq.dw0 == 44, "SQSIZE 0")
c, cq = io_connect(sqsize=1024)
check(cq.status == 0x182 and cq.dw0 == 44, "SQSIZE above MQES")
io, cq = io_connect(sqsize=1023, inline=False)
check(cq.status == 0 and cq.dw0 == cntlid, "I/O Connect with its data by R2T")
c, cq = io_connect()
check(cq.status == 0x0C, "QID 1 twice: Command Sequence Error")
d = Conn(port); d.icreq()
cq = d.connect(DISC_NQN, qid=1, cntlid=cntlid)
check(cq.status == 0x182 and cq.dw0 == 42, "I/O queue on the discovery subsystem")

# ---- I/O errors ------------------------------------------------------
check(io.read(1, 131071, 2)[0].status == 0x80, "LBA out of range")
check(io.read(1, 1 << 40, 1)[0].status == 0x80, "LBA far out of range")
check(io.read(3, 0, 1)[0].status == 0x0B, "unknown NSID")
check(io.command(sqe(0x7E, io.next_cid(), nsid=1))[0].status == 0x01,
      "unknown opcode")
check(io.read(1, 0, 257)[0].status == 0x02, "above MDTS (128 KiB)")
c, _ = io.command(sqe(0x02, io.next_cid(), nsid=1, cdw12=7, sgl_len=512))
check(c.status == 0x0F and c.dnr, "SGL length not the transfer length")
c, _ = io.command(sqe(0x02, io.next_cid(), nsid=1, cdw12=0, sgl_len=512,
                      flags=0))
check(c.status == 0x02, "PRP instead of SGL")
c, _ = io.command(sqe(0x00, io.next_cid(), nsid=0xFFFFFFFF))
check(c.status == 0, "Flush of all namespaces")

# ---- write protection ------------------------------------------------
check(a.features(0x84, set_value=1, nsid=1).status == 0, "write protect ns 1")
check(a.features(0x84, nsid=1).dw0 == 1, "Get Write Protection Config")
check(a.identify(0, 1)[1][99] & 1, "Identify NSATTR write protected")
check(io.write(1, 0, bytes(512)).status == 0x20, "write: NS Is Write Protected")
c, _ = io.command(sqe(0x08, io.next_cid(), nsid=1, cdw10=0, cdw12=0))
check(c.status == 0x20, "Write Zeroes: NS Is Write Protected")
check(io.read(1, 0, 1)[0].status == 0, "reads still work")
check(a.features(0x84, set_value=2, nsid=1).status == 0x02,
      "WP until power cycle: invalid (as nvmet)")
check(a.features(0x84, set_value=0, nsid=1).status == 0, "write protection off")
check(io.write(1, 0, bytes(512)).status == 0, "write works again")

# ---- R2T: 64 KiB write with MAXH2CDATA 4096 and MAXR2T 2 --------------
r2ts = []
orig = io.recv_pdu
def spy():
    p = orig()
    if p[0] == R2T:
        r2ts.append(struct.unpack("<II", p[2][12:20]))
    return p
io.recv_pdu = spy
data = os.urandom(65536)
check(io.write(2, 3, data, lba=4096, inline=False).status == 0, "R2T write")
io.recv_pdu = orig
check(len(r2ts) == 4 and all(l == 16384 for _, l in r2ts),
      "four R2Ts of 16 KiB (%s)" % r2ts)
check(io.read(2, 3, 16, lba=4096)[1] == data, "R2T write reads back")
small = os.urandom(4096 * 3)
check(io.write(2, 40, small, lba=4096, inline=True).status == 0,
      "in-capsule write")
check(io.read(2, 40, 3, lba=4096)[1] == small, "in-capsule write reads back")

# ---- admin: features, logs, AER ---------------------------------------
check(a.features(0x0F, set_value=60000).status == 0, "Set KATO")
check(a.features(0x0F).dw0 == 60000, "Get KATO")
check(a.features(0x0B, set_value=0x100).status == 0 and
      a.features(0x0B).dw0 == 0x100, "Async Event Configuration")
check(a.features(0x06).dw0 == 1, "volatile write cache enabled")
check(a.features(0x99).status == 0x02, "unknown feature")
c, smart = a.get_log(0x02, 512)
check(c.status == 0 and smart[3] == 100, "SMART log")
check(a.get_log(0x01, 64)[0].status == 0, "error log")
check(a.get_log(0x04, 4096)[1] == bytes(4096), "changed namespace list")
check(a.get_log(0x70, 1024)[0].status == 0x02, "discovery log on an NVM ctrl")
check(a.get_log(0x02, 512, offset=2)[0].status == 0x02, "unaligned offset")
for i in range(4):
    a.send(a.pdu(CMD, sqe(0x0C, 0x100 + i)))
c, _ = a.command(sqe(0x0C, a.next_cid()))
check(c.status == 0x105, "fifth AER: AER limit exceeded")
c, _ = a.command(sqe(0x18, a.next_cid()))
check(c.status == 0, "keep alive answered while AERs are held")

# ---- digests ----------------------------------------------------------
dg = io_session(port, N, cntlid, qid=2, hdgst=True, ddgst=True)
data = os.urandom(8192)
check(dg.write(1, 64, data).status == 0, "write with digests")
check(dg.read(1, 64, 16)[1] == data, "read with digests")
sq = sqe(0x01, dg.next_cid(), nsid=1, cdw10=64, cdw12=0, sgl_len=512,
         sgl_id=SGL_ICD)
bad = dg.pdu(CMD, sq, bytes(512))
bad = bad[:-4] + struct.pack("<I", (struct.unpack("<I", bad[-4:])[0] ^ 1))
dg.send(bad)
p = dg.recv_pdu()
check(p[0] == RSP and Cqe(p[2][8:24]).status == 0x22,
      "data digest error: Transient Transport Error")
check(dg.read(1, 64, 16)[1] == data, "the queue still works after it")
dg.close()

# ---- Disconnect ---------------------------------------------------------
c, _ = io.command(sqe(0x7F, io.next_cid(), fctype=8))
check(c.status == 0, "Disconnect")
check(io.closed_by_peer()[0], "the queue closes after Disconnect")
a.close()

# ---- SQ flow control disabled: SUCCESS flag, SQHD 0xFFFF ---------------
a, cntlid = admin_session(port, N)
s = Conn(port); s.icreq()
check(s.connect(N, qid=1, cntlid=cntlid, cattr=4).status == 0,
      "I/O Connect disabling SQ flow control")
data = os.urandom(4096)
cq = s.write(1, 8, data)
check(cq.status == 0 and cq.sqhd == 0xFFFF, "SQHD 0xFFFF")
flags = []
orig = s.recv_pdu
def spy2():
    p = orig()
    flags.append((p[0], p[1]))
    return p
s.recv_pdu = spy2
c, back = s.read(1, 8, 8)
check(back == data and flags == [(C2HDATA, F_LAST | F_SUCCESS)],
      "read completes with C2HData SUCCESS, no CapsuleResp")
check(s.read(1, 8, 8)[1] == data, "next command answered in order")
s.close()

# ---- HPDA: C2HData PDO aligned to 16 bytes ------------------------------
h = io_session(port, N, cntlid, qid=2, hpda=3, hdgst=True)
pdos = []
orig = h.recv_exact
def spy3(n):
    b = orig(n)
    if n == 8 and b[0] == C2HDATA:
        pdos.append(b[3])
    return b
h.recv_exact = spy3
check(h.read(1, 8, 8)[1] == data and pdos == [32], "HPDA 3: PDO 32 (%s)" % pdos)
h.close(); a.close()

# ---- keep-alive timeout ----------------------------------------------
a, cntlid = admin_session(port, N, kato=1000)
k = io_session(port, N, cntlid)
t0 = time.time()
for i in range(6):                   # traffic keeps it alive
    time.sleep(0.3)
    check(a.command(sqe(0x18, a.next_cid()))[0].status == 0, "keep alive") \
        if i == 5 else a.command(sqe(0x18, a.next_cid()))
closed_io, _ = k.closed_by_peer(timeout=5)
closed_admin, _ = a.closed_by_peer(timeout=2)
check(closed_io and closed_admin and time.time() - t0 < 6,
      "KATO expiry closes every connection of the controller")
EOF
