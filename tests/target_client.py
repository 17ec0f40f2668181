# SPDX-License-Identifier: BSD-3-Clause
"""A small raw-socket NVMe/TCP host for testing nvmeof-target on its own
(independently of libnvmeof): ICReq, Connect, Property Get/Set, Identify,
Get Log Page, Read/Write (in-capsule and R2T/H2CData), AUTH_Send and
AUTH_Receive (target_auth.py does DH-HMAC-CHAP with them), digests, and the
ability to send malformed PDUs.  Python standard library only; run with
/usr/bin/python3.  Used by tests/test-target-*.sh."""

import json
import os
import signal
import socket
import struct
import sys
import time

# ---- CRC32C (Castagnoli), as the digests use it ----------------------
_T = []
for _i in range(256):
    _c = _i
    for _ in range(8):
        _c = (_c >> 1) ^ 0x82F63B78 if _c & 1 else _c >> 1
    _T.append(_c)


def crc32c(data):
    c = 0xFFFFFFFF
    for b in data:
        c = _T[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


# ---- constants -------------------------------------------------------
ICREQ, ICRESP, H2CTERM, C2HTERM, CMD, RSP, H2CDATA, C2HDATA, R2T = \
    0, 1, 2, 3, 4, 5, 6, 7, 9
F_HDGST, F_DDGST, F_LAST, F_SUCCESS = 1, 2, 4, 8
DISC_NQN = "nqn.2014-08.org.nvmexpress.discovery"
HOSTNQN = "nqn.2014-08.org.nvmexpress:uuid:11111111-2222-3333-4444-555555555555"
HOSTID = bytes(range(16))
SGL_ICD, SGL_TRANSPORT = 0x01, 0x5A


class ProtocolError(Exception):
    pass


class TermReq(Exception):
    def __init__(self, fes, fei):
        super().__init__("C2HTermReq FES %d FEI %d" % (fes, fei))
        self.fes, self.fei = fes, fei


def sqe(opcode, cid, nsid=0, cdw10=0, cdw11=0, cdw12=0, cdw13=0,
        cdw14=0, cdw15=0, sgl_len=0, sgl_id=SGL_TRANSPORT, flags=0x40,
        fctype=None, raw=None):
    """A 64-byte SQE.  raw: dict offset -> bytes to patch in."""
    b = bytearray(struct.pack("<BBHIIIQQIBBBBIIIIII", opcode, flags, cid,
                              nsid, 0, 0, 0, 0, sgl_len, 0, 0, 0, sgl_id,
                              cdw10, cdw11, cdw12, cdw13, cdw14, cdw15))
    if fctype is not None:
        b[4] = fctype
    for off, val in (raw or {}).items():
        b[off:off + len(val)] = val
    return bytes(b)


class Cqe:
    def __init__(self, raw):
        (self.dw0, self.dw1, self.sqhd, self.sqid, self.cid,
         st) = struct.unpack("<IIHHHH", raw)
        self.status = (st >> 1) & 0x7FF       # (SCT << 8) | SC
        self.dnr = bool(st & 0x8000)

    def __repr__(self):
        return "Cqe(cid=%d status=%#x dw0=%#x sqhd=%d)" % (
            self.cid, self.status, self.dw0, self.sqhd)


class Conn:
    def __init__(self, port, host="127.0.0.1", hdgst=False, ddgst=False,
                 timeout=10, hpda=0, maxr2t=0):
        self.s = socket.create_connection((host, port), timeout=timeout)
        self.s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.hdgst, self.ddgst = hdgst, ddgst
        self.hpda, self.maxr2t = hpda, maxr2t
        self.cid = 0
        self.maxh2cdata = None

    def close(self):
        self.s.close()

    # -- raw I/O ------------------------------------------------------
    def send(self, b):
        self.s.sendall(b)

    def recv_exact(self, n):
        buf = bytearray()
        while len(buf) < n:
            chunk = self.s.recv(n - len(buf))
            if not chunk:
                raise EOFError("connection closed by the target")
            buf += chunk
        return bytes(buf)

    def closed_by_peer(self, timeout=5):
        """True if the target closes the connection (maybe after a TermReq)
        within timeout seconds; returns the TermReq FES if one came."""
        self.s.settimeout(timeout)
        fes = None
        try:
            while True:
                hdr = self.s.recv(8)
                if not hdr:
                    return True, fes
                if len(hdr) >= 8 and hdr[0] == C2HTERM:
                    plen = struct.unpack("<I", hdr[4:8])[0]
                    rest = self.recv_exact(plen - len(hdr)) if plen > 8 else b""
                    fes = struct.unpack("<H", (hdr + rest)[8:10])[0]
        except (ConnectionResetError, EOFError):
            return True, fes
        except socket.timeout:
            return False, fes

    def pdu(self, ptype, specific, data=b"", flags=0, hlen=None, pdo=None,
            plen=None, hd=None, dd=None):
        """Build a PDU; anything may be overridden to make it malformed."""
        hd = self.hdgst if hd is None else hd
        dd = (self.ddgst and len(data) > 0) if dd is None else dd
        h = 8 + len(specific)
        flags |= (F_HDGST if hd else 0) | (F_DDGST if dd else 0)
        real_pdo = (h + (4 if hd else 0)) if data else 0
        total = h + (4 if hd else 0) + len(data) + (4 if dd else 0)
        hdr = struct.pack("<BBBBI", ptype, flags,
                          h if hlen is None else hlen,
                          real_pdo if pdo is None else pdo,
                          total if plen is None else plen) + specific
        out = hdr
        if hd:
            out += struct.pack("<I", crc32c(hdr))
        out += data
        if dd:
            out += struct.pack("<I", crc32c(data))
        return out

    def recv_pdu(self):
        ch = self.recv_exact(8)
        ptype, flags, hlen, pdo, plen = struct.unpack("<BBBBI", ch)
        if ptype == C2HTERM:
            rest = self.recv_exact(plen - 8)
            fes, fei = struct.unpack("<HI", rest[0:6])
            raise TermReq(fes, fei)
        hd = 4 if (self.hdgst and ptype != ICRESP) else 0
        if plen < hlen + hd or hlen < 8:
            raise ProtocolError("bad hlen/plen %d/%d" % (hlen, plen))
        hdr = ch + self.recv_exact(hlen - 8)
        if hd:
            got = struct.unpack("<I", self.recv_exact(4))[0]
            if not flags & F_HDGST:
                raise ProtocolError("HDGSTF missing")
            if got != crc32c(hdr):
                raise ProtocolError("header digest mismatch")
        data = b""
        if plen > hlen + hd:
            if pdo < hlen + hd:
                raise ProtocolError("bad pdo %d" % pdo)
            self.recv_exact(pdo - hlen - hd)          # pad
            dd = 4 if (self.ddgst and ptype == C2HDATA) else 0
            data = self.recv_exact(plen - pdo - dd)
            if dd:
                got = struct.unpack("<I", self.recv_exact(4))[0]
                if got != crc32c(data):
                    raise ProtocolError("data digest mismatch")
        return ptype, flags, hdr, data

    # -- connection setup ---------------------------------------------
    def icreq(self):
        dgst = (1 if self.hdgst else 0) | (2 if self.ddgst else 0)
        self.send(self.pdu(ICREQ, struct.pack("<HBBI", 0, self.hpda, dgst,
                                              self.maxr2t) + bytes(112),
                           hd=False, dd=False))
        ptype, flags, hdr, _ = self.recv_pdu()
        if ptype != ICRESP or len(hdr) != 128:
            raise ProtocolError("expected ICResp")
        pfv, cpda, dgst2, self.maxh2cdata = struct.unpack("<HBBI", hdr[8:16])
        if pfv != 0 or cpda != 0 or dgst2 != dgst:
            raise ProtocolError("ICResp pfv/cpda/dgst %d/%d/%d" %
                                (pfv, cpda, dgst2))
        return self.maxh2cdata

    def next_cid(self):
        self.cid = (self.cid + 1) & 0xFFFF
        return self.cid

    def command(self, sq, write=b"", inline=True, read_len=0):
        """Send one command, handle R2T/H2CData/C2HData; (Cqe, data)."""
        if write and inline:
            self.send(self.pdu(CMD, sq, write))
        else:
            self.send(self.pdu(CMD, sq))
        cid = struct.unpack("<H", sq[2:4])[0]
        got = bytearray()
        while True:
            ptype, flags, hdr, data = self.recv_pdu()
            if ptype == R2T:
                cccid, ttag, r2to, r2tl = struct.unpack("<HHII", hdr[8:20])
                if cccid != cid:
                    raise ProtocolError("R2T for cid %d" % cccid)
                off = r2to
                while off < r2to + r2tl:
                    n = min(self.maxh2cdata, r2to + r2tl - off)
                    last = F_LAST if off + n == r2to + r2tl else 0
                    self.send(self.pdu(
                        H2CDATA, struct.pack("<HHII4x", cid, ttag, off, n),
                        write[off:off + n], flags=last))
                    off += n
            elif ptype == C2HDATA:
                cccid, _, datao, datal = struct.unpack("<HHII", hdr[8:20])
                if cccid != cid or datao != len(got) or datal != len(data):
                    raise ProtocolError("unexpected C2HData")
                got += data
                if flags & F_SUCCESS:
                    c = Cqe(struct.pack("<IIHHHH", 0, 0, 0xFFFF, 0, cid, 0))
                    return c, bytes(got)
            elif ptype == RSP:
                c = Cqe(hdr[8:24])
                if c.cid != cid:
                    raise ProtocolError("CapsuleResp for cid %d" % c.cid)
                return c, bytes(got)
            else:
                raise ProtocolError("unexpected PDU type %d" % ptype)

    def connect(self, subnqn, qid=0, cntlid=0xFFFF, sqsize=31, kato=0,
                hostnqn=HOSTNQN, cattr=0, inline=True):
        data = bytearray(1024)
        data[0:16] = HOSTID
        data[16:18] = struct.pack("<H", cntlid)
        data[256:256 + len(subnqn)] = subnqn.encode()
        data[512:512 + len(hostnqn)] = hostnqn.encode()
        sq = sqe(0x7F, self.next_cid(), fctype=1, sgl_len=1024,
                 sgl_id=SGL_ICD if inline else SGL_TRANSPORT,
                 raw={42: struct.pack("<HHBxI", qid, sqsize, cattr, kato)})
        c, _ = self.command(sq, bytes(data), inline=inline)
        return c

    def prop_get(self, ofst, size8=False):
        sq = sqe(0x7F, self.next_cid(), fctype=4,
                 raw={40: bytes([1 if size8 else 0]),
                      44: struct.pack("<I", ofst)})
        c, _ = self.command(sq)
        return c, c.dw0 | (c.dw1 << 32)

    def prop_set(self, ofst, value):
        sq = sqe(0x7F, self.next_cid(), fctype=0,
                 raw={40: b"\0", 44: struct.pack("<IQ", ofst, value)})
        return self.command(sq)[0]

    def auth_send(self, msg, tl=None, secp=0xE9, spsp0=1, spsp1=1,
                  inline=True):
        """Fabrics AUTH_Send (fctype 5) carrying msg; the Cqe."""
        tl = len(msg) if tl is None else tl
        sq = sqe(0x7F, self.next_cid(), fctype=5, sgl_len=len(msg),
                 sgl_id=SGL_ICD if inline else SGL_TRANSPORT,
                 raw={41: bytes([spsp0, spsp1, secp]),
                      44: struct.pack("<I", tl)})
        return self.command(sq, msg, inline=inline)[0]

    def auth_recv(self, al=4096, secp=0xE9, spsp0=1, spsp1=1):
        """Fabrics AUTH_Receive (fctype 6) of al bytes; (Cqe, data)."""
        sq = sqe(0x7F, self.next_cid(), fctype=6, sgl_len=al,
                 raw={41: bytes([spsp0, spsp1, secp]),
                      44: struct.pack("<I", al)})
        return self.command(sq)

    def enable(self):
        c = self.prop_set(0x14, 1 | (6 << 16) | (4 << 20))
        if c.status:
            raise ProtocolError("Property Set CC failed %r" % c)
        c, csts = self.prop_get(0x1C)
        if not csts & 1:
            raise ProtocolError("CSTS.RDY not set: %#x" % csts)

    def identify(self, cns, nsid=0):
        sq = sqe(0x06, self.next_cid(), nsid=nsid, cdw10=cns, sgl_len=4096)
        return self.command(sq)

    def get_log(self, lid, length, offset=0, nsid=0xFFFFFFFF):
        numd = length // 4 - 1
        sq = sqe(0x02, self.next_cid(), nsid=nsid,
                 cdw10=lid | ((numd & 0xFFFF) << 16), cdw11=numd >> 16,
                 cdw12=offset & 0xFFFFFFFF, cdw13=offset >> 32,
                 sgl_len=length)
        return self.command(sq)

    def features(self, fid, set_value=None, nsid=0, sel=0):
        if set_value is None:
            sq = sqe(0x0A, self.next_cid(), nsid=nsid, cdw10=fid | sel << 8)
        else:
            sq = sqe(0x09, self.next_cid(), nsid=nsid, cdw10=fid,
                     cdw11=set_value)
        return self.command(sq)[0]

    # -- I/O ------------------------------------------------------------
    def read(self, nsid, slba, nlb, lba=512):
        sq = sqe(0x02, self.next_cid(), nsid=nsid, cdw10=slba & 0xFFFFFFFF,
                 cdw11=slba >> 32, cdw12=nlb - 1, sgl_len=nlb * lba)
        return self.command(sq)

    def write(self, nsid, slba, data, lba=512, fua=False, inline=None):
        nlb = len(data) // lba
        if inline is None:
            inline = len(data) <= 8192
        sq = sqe(0x01, self.next_cid(), nsid=nsid, cdw10=slba & 0xFFFFFFFF,
                 cdw11=slba >> 32, cdw12=(nlb - 1) | (1 << 30 if fua else 0),
                 sgl_len=len(data),
                 sgl_id=SGL_ICD if inline else SGL_TRANSPORT)
        return self.command(sq, data, inline=inline)[0]


def admin_session(port, nqn, kato=0, hostnqn=HOSTNQN, **kw):
    """ICReq, Connect, enable: a ready admin queue and its CNTLID."""
    c = Conn(port, **kw)
    c.icreq()
    cq = c.connect(nqn, kato=kato, hostnqn=hostnqn)
    if cq.status:
        raise ProtocolError("admin Connect failed: %r" % cq)
    c.enable()
    return c, cq.dw0 & 0xFFFF


def io_session(port, nqn, cntlid, qid=1, sqsize=31, hostnqn=HOSTNQN, **kw):
    c = Conn(port, **kw)
    c.icreq()
    cq = c.connect(nqn, qid=qid, cntlid=cntlid, sqsize=sqsize,
                   hostnqn=hostnqn)
    if cq.status:
        raise ProtocolError("I/O Connect failed: %r" % cq)
    return c


def disc_entries(log):
    """Parse a discovery log page: (genctr, [entry dicts])."""
    genctr, numrec = struct.unpack("<QQ", log[0:16])
    out = []
    for i in range(numrec):
        e = log[1024 + i * 1024:2048 + i * 1024]
        if len(e) < 1024:
            break
        out.append({
            "trtype": e[0], "adrfam": e[1], "subtype": e[2], "treq": e[3],
            "portid": struct.unpack("<H", e[4:6])[0],
            "trsvcid": e[32:64].decode().rstrip(" \0"),
            "subnqn": e[256:512].split(b"\0")[0].decode(),
            "traddr": e[512:768].decode().rstrip(" \0"),
        })
    return genctr, out


# ---- test helpers ------------------------------------------------------
def check(cond, what):
    """One line per check: ok, or FAIL and the end of the test."""
    if not cond:
        sys.exit("FAIL: " + what)
    print("ok:", what, flush=True)


def fresh_stats(path, pid, timeout=10):
    """nvmeof-target's statistics file (--stats-file), rewritten after
    now: SIGUSR1 asks for it, and its "seq" must move on."""
    def seq():
        try:
            with open(path) as f:
                return json.load(f)["seq"]
        except (OSError, ValueError, KeyError):
            return 0
    old = seq()
    os.kill(pid, signal.SIGUSR1)
    end = time.monotonic() + timeout
    while seq() <= old:
        if time.monotonic() > end:
            sys.exit("FAIL: no fresh statistics file")
        time.sleep(0.02)
    with open(path) as f:
        return json.load(f)
