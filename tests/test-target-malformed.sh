#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# nvmeof-target against a hostile host: malformed PDUs (bad HLEN, PLEN,
# PDO, type, digests, TTAG, oversize data, sequence errors, random bytes)
# get a C2HTermReq with the right FES (or a close), never a crash, and the
# target keeps serving other connections.  The target's exit status and
# sanitizer reports are checked at the end (start_target).
source "${abs_srcdir:-$(dirname "$0")}/functions.sh"
set -e -u -o pipefail
requires_target
requires test -x /usr/bin/python3
# The raw NVMe/TCP client (target_client.py); no .pyc in the source tree.
export PYTHONPATH=$abs_srcdir PYTHONDONTWRITEBYTECODE=1

start_target --ram 16M --maxh2cdata 4096

with_timeout 60 /usr/bin/python3 - "$TARGET_PORT" <<'EOF'
import os, random, socket, struct, sys
from target_client import *

port = int(sys.argv[1])
N = "nqn.2026-11.io.nvmeof:target"

def term(c):
    """(fes, fei) of the C2HTermReq that must come, then the close."""
    c.s.settimeout(5)
    try:
        c.recv_pdu()
    except TermReq as t:
        closed, _ = c.closed_by_peer()
        return (t.fes, t.fei) if closed else ("not closed",)
    except (EOFError, ConnectionResetError):
        return ("closed without TermReq",)
    return ("no TermReq",)

def fresh(**kw):
    c = Conn(port, **kw); c.icreq(); return c

def expect(c, fes, fei, what):
    got = term(c)
    check(got == (fes, fei), "%s -> TermReq FES %d FEI %d (got %s)"
          % (what, fes, fei, got))
    c.close()

def still_serving():
    a, cntlid = admin_session(port, N)
    io = io_session(port, N, cntlid)
    data = os.urandom(4096)
    ok = io.write(1, 0, data).status == 0 and io.read(1, 0, 8)[1] == data
    io.close(); a.close()
    return ok

icreq = Conn.pdu(Conn(port), ICREQ, struct.pack("<HBBI", 0, 0, 0, 0) +
                 bytes(112), hd=False, dd=False)

# ---- before/at ICReq ---------------------------------------------------
c = Conn(port); c.send(bytes([0x55, 0, 8, 0, 8, 0, 0, 0]))
expect(c, 1, 0, "unknown PDU type first")
c = Conn(port); c.send(bytes([CMD, 0, 72, 0, 72, 0, 0, 0]) + bytes(64))
expect(c, 2, 0, "CapsuleCmd before ICReq")
c = Conn(port); c.send(icreq[:2] + bytes([127]) + icreq[3:])
expect(c, 1, 2, "ICReq with HLEN 127")
c = Conn(port); c.send(icreq[:4] + struct.pack("<I", 200) + icreq[8:])
expect(c, 1, 4, "ICReq with PLEN 200")
c = Conn(port); c.send(icreq[:8] + struct.pack("<H", 1) + icreq[10:])
expect(c, 6, 8, "ICReq with PFV 1")
c = Conn(port); c.send(icreq[:10] + bytes([32]) + icreq[11:])
expect(c, 6, 10, "ICReq with HPDA 32")
c = fresh(); c.send(icreq)
expect(c, 2, 0, "a second ICReq")

# ---- after ICReq -------------------------------------------------------
sq = sqe(0x06, 1, cdw10=1, sgl_len=4096)
c = fresh(); c.send(c.pdu(CMD, sq, hlen=70))
expect(c, 1, 2, "CapsuleCmd with HLEN 70")
c = fresh(); c.send(c.pdu(CMD, sq, plen=40))
expect(c, 1, 4, "CapsuleCmd with PLEN below HLEN")
c = fresh(); c.send(c.pdu(CMD, sq, pdo=8))
expect(c, 1, 3, "CapsuleCmd without data but with PDO")
c = fresh(); c.send(c.pdu(CMD, sq, bytes(64), pdo=80))
expect(c, 1, 3, "CapsuleCmd data at the wrong PDO")
c = fresh(); c.send(c.pdu(RSP, bytes(16)))
expect(c, 1, 0, "a CapsuleResp from the host")
c = fresh(); c.send(c.pdu(8, bytes(16)))
expect(c, 1, 0, "reserved PDU type 8")
c = fresh(); c.send(c.pdu(CMD, sq, os.urandom(9000)))
expect(c, 5, 4, "9000 bytes in-capsule before Connect (limit 8192)")
c = fresh(); c.send(c.pdu(CMD, sq, plen=0xFFFFFFFF, pdo=72) + bytes(64))
expect(c, 5, 4, "PLEN 4 GiB")
c = fresh(); c.send(c.pdu(H2CDATA, struct.pack("<HHII4x", 1, 7, 0, 512),
                          bytes(512)))
expect(c, 1, 10, "H2CData with a TTAG no R2T gave")

# ---- digests -----------------------------------------------------------
c = fresh(hdgst=True)
p = bytearray(c.pdu(CMD, sq)); p[72] ^= 0xFF
c.send(bytes(p))
expect(c, 3, 0, "bad header digest")
c = fresh(hdgst=True); c.send(c.pdu(CMD, sq, hd=False))
expect(c, 1, 1, "HDGSTF missing although negotiated")
c = fresh(ddgst=True)
c.send(c.pdu(CMD, sqe(0x7F, 1, fctype=1, sgl_len=1024, sgl_id=SGL_ICD),
             bytes(1024), dd=False))
expect(c, 1, 1, "DDGSTF missing although negotiated")

# ---- H2CData against a real R2T ----------------------------------------
a, cntlid = admin_session(port, N)
def r2t_conn():
    io = io_session(port, N, cntlid)
    sq = sqe(0x01, 9, nsid=1, cdw12=15, sgl_len=8192)
    io.send(io.pdu(CMD, sq))
    t, f, hdr, _ = io.recv_pdu()
    assert t == R2T
    cccid, ttag, r2to, r2tl = struct.unpack("<HHII", hdr[8:20])
    return io, ttag, r2tl
io, ttag, r2tl = r2t_conn()
check(r2tl == 8192, "R2T for the whole 8 KiB (4 x MAXH2CDATA > 8 KiB)")
io.send(io.pdu(H2CDATA, struct.pack("<HHII4x", 9, ttag, 8192, 512),
               bytes(512)))
expect(io, 4, 12, "H2CData beyond the R2T")
io, ttag, _ = r2t_conn()
io.send(io.pdu(H2CDATA, struct.pack("<HHII4x", 9, ttag, 0, 8192),
               bytes(8192), flags=F_LAST))
expect(io, 5, 16, "H2CData larger than MAXH2CDATA")
io, ttag, _ = r2t_conn()
io.send(io.pdu(H2CDATA, struct.pack("<HHII4x", 8, ttag, 0, 4096),
               bytes(4096)))
expect(io, 1, 8, "H2CData with another CCCID")
io, ttag, _ = r2t_conn()
io.send(io.pdu(H2CDATA, struct.pack("<HHII4x", 9, ttag, 0, 4096),
               bytes(4096), flags=F_LAST))
expect(io, 1, 1, "LAST_PDU before the end of the R2T")
io, ttag, _ = r2t_conn()
io.send(io.pdu(H2CDATA, struct.pack("<HHII4x", 9, ttag, 0, 1000),
               bytes(500)))
expect(io, 1, 16, "DATAL not matching PLEN")
a.close()

# ---- Connect data that is not NUL terminated ---------------------------
c = fresh()
data = bytearray(1024); data[256:512] = b"x" * 256
cq, _ = c.command(sqe(0x7F, 1, fctype=1, sgl_len=1024, sgl_id=SGL_ICD),
                  bytes(data))
check(cq.status == 0x182 and cq.dw0 == 0x10000 | 256,
      "unterminated SUBNQN: Connect Invalid Parameters at 256")
c.close()

# ---- the host gives up, half PDUs, random bytes ------------------------
c = fresh(); c.send(c.pdu(H2CTERM, struct.pack("<HI", 1, 0) + bytes(10)))
check(c.closed_by_peer()[0], "H2CTermReq: the target closes")
c = fresh(); c.send(bytes([CMD, 0, 72])); c.close()
c = Conn(port); c.send(icreq[:50]); c.close()
rnd = random.Random(1234)
for i in range(300):
    c = fresh() if i % 2 else Conn(port)
    c.send(bytes(rnd.getrandbits(8) for _ in range(rnd.randrange(1, 300))))
    c.close()
print("ok: 300 connections of random bytes")
idle = [Conn(port) for _ in range(20)]          # never send anything
check(still_serving(), "the target still serves a well-behaved host")
for c in idle:
    c.close()
EOF
