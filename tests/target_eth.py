# SPDX-License-Identifier: BSD-3-Clause
"""A raw NVMe/Ethernet host for testing nvmeof-target's Ethernet ports on
their own, written from docs/nvme-eth.md and independent of the C engine:
frames built and checked here (CRC32C of target_client.py), an AF_PACKET
socket with the whole Ethernet header in our hands (so that the source MAC
can be spoofed), associations (ASSOC_REQ/RESP, ACK, TERM), commands with
in-capsule data over several frames, R2T and H2C_DATA, C2H_DATA placed by
offset, PROBE discovery, and hostile frames.  The NVMe layer is
target_client.py's (Connect, Property Get/Set, Identify, Get Log Page,
Read/Write): EthConn only replaces how a command travels.  Standard
library only; needs CAP_NET_RAW (tests/test-target-eth.sh runs it as root
in a network namespace)."""

import os
import select
import socket
import struct
import time

import target_client as tc
from target_client import crc32c

ETHERTYPE = 0x88B5
(ASSOC_REQ, ASSOC_RESP, TERM, TERM_ACK, ACK, KEEPALIVE) = 1, 2, 3, 4, 5, 6
CMD, RSP, H2C, C2H, R2T, PROBE, PROBE_RESP = \
    0x10, 0x11, 0x12, 0x13, 0x14, 0x20, 0x21
HLEN = {ASSOC_REQ: 64, ASSOC_RESP: 64, TERM: 40, TERM_ACK: 32, ACK: 40,
        KEEPALIVE: 32, CMD: 96, RSP: 64, H2C: 48, C2H: 48, R2T: 48,
        PROBE: 48, PROBE_RESP: 64}
SEQUENCED = (KEEPALIVE, CMD, RSP, H2C, C2H, R2T)
F_ACK, F_ACK_REQ, F_RETX, F_ICD = 1, 2, 4, 8
BCAST = b"\xff" * 6
HDR = "<BBBBHHIIIIHHI"


class Term(Exception):
    def __init__(self, reason, fei, quote):
        super().__init__("TERM reason %d fei %d" % (reason, fei))
        self.reason, self.fei, self.quote = reason, fei, quote


class Refused(Exception):
    def __init__(self, status, fei):
        super().__init__("ASSOC_RESP refused: status %d fei %d" %
                         (status, fei))
        self.status, self.fei = status, fei


def mac_str(m):
    return ":".join("%02x" % b for b in m)


def mac_bytes(s):
    return bytes(int(x, 16) for x in s.replace("-", ":").split(":"))


def frame(ftype, specific=b"", data=b"", flags=0, qid=0, dst=0, src=0,
          seq=0, ack=0, wnd=0, version=1, hlen=None, length=None, crc=None):
    """A whole frame with its CRC; anything may be overridden."""
    h = 32 + len(specific) if hlen is None else hlen
    n = 32 + len(specific) + len(data) if length is None else length
    hdr = struct.pack(HDR, version, ftype, flags, h, n, qid, dst, src, seq,
                      ack, wnd, 0, 0)
    f = bytearray(hdr + specific + data)
    c = crc32c(bytes(f[:n] if n <= len(f) else f)) if crc is None else crc
    f[28:32] = struct.pack("<I", c)
    return bytes(f)


class Frame:
    """A received frame, checked as section 14 says (1 and 2 here)."""

    def __init__(self, src, raw):
        if len(raw) < 32:
            raise tc.ProtocolError("short frame")
        (self.version, self.type, self.flags, self.hlen, self.length,
         self.qid, self.dst, self.src, self.seq, self.ack, self.wnd, _,
         self.crc) = struct.unpack(HDR, raw[:32])
        if self.length < 32 or self.length > len(raw):
            raise tc.ProtocolError("bad length %d" % self.length)
        raw = raw[:self.length]
        calc = crc32c(raw[:28] + b"\0\0\0\0" + raw[32:])
        if calc != self.crc:
            raise tc.ProtocolError("CRC mismatch in a %#x frame" % self.type)
        if self.hlen != HLEN.get(self.type, -1):
            raise tc.ProtocolError("type %#x hlen %d" % (self.type,
                                                          self.hlen))
        self.mac = src
        self.raw = raw
        self.spec = raw[32:self.hlen]
        self.data = raw[self.hlen:]


class Link:
    """An AF_PACKET socket on one interface and EtherType."""

    def __init__(self, iface, ethertype=ETHERTYPE):
        self.et = ethertype
        self.s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                               socket.htons(ethertype))
        self.s.bind((iface, ethertype))
        self.mac = self.s.getsockname()[4]
        self.queue = []

    def send(self, dst, payload, src=None):
        self.s.send(dst + (src or self.mac) + struct.pack("!H", self.et) +
                    payload)

    def recv_raw(self, timeout):
        """(source MAC, payload) of the next frame for us, or None."""
        end = time.monotonic() + timeout
        while True:
            left = end - time.monotonic()
            if left <= 0:
                return None
            r, _, _ = select.select([self.s], [], [], left)
            if not r:
                return None
            pkt, addr = self.s.recvfrom(65536)
            if addr[2] == socket.PACKET_OUTGOING or len(pkt) < 14:
                continue
            if pkt[0:6] != self.mac and pkt[0:6] != BCAST:
                continue
            return pkt[6:12], pkt[14:]

    def recv(self, timeout):
        """The next frame; the frames of a pack (option PACK,
        docs/nvme-eth.md 4.1) one by one."""
        if self.queue:
            return self.queue.pop(0)
        while True:
            r = self.recv_raw(timeout)
            if r is None:
                return None
            src, raw = r
            try:
                while len(raw) >= 32:
                    f = Frame(src, raw)
                    self.queue.append(f)
                    raw = raw[f.length:]
            except tc.ProtocolError:
                pass    # corrupt or padded beyond length: it and the rest
            if self.queue:
                return self.queue.pop(0)

    def probe(self, nonce=0x1234ABCD, max_frame=1500, timeout=1.0,
              settle=0.1):
        """Broadcast PROBE: {mac: [(subtype, nqn, [(nsid, lba, size)])]},
        settle seconds after the last answer is whole."""
        self.send(BCAST, frame(PROBE, struct.pack("<IH10x", nonce,
                                                  max_frame)))
        got, want, end = {}, {}, time.monotonic() + timeout
        while time.monotonic() < end:
            f = self.recv(end - time.monotonic())
            if f is None:
                break
            if f.type != PROBE_RESP:
                continue
            non, mac, idx, cnt, nent, mf = struct.unpack("<I6sBBHH",
                                                         f.spec[:16])
            if non != nonce or mac != f.mac or idx >= cnt:
                raise tc.ProtocolError("bad PROBE_RESP header")
            p, ents = 0, []
            for _ in range(nent):
                st, _, ql, nns, _ = struct.unpack("<BBHHH", f.data[p:p + 8])
                nqn = f.data[p + 8:p + 8 + ql].decode()
                p += 8 + (ql + 3) // 4 * 4
                nss = []
                for _ in range(nns):
                    nss.append(struct.unpack("<IIQ", f.data[p:p + 16]))
                    p += 16
                ents.append((st, nqn, nss))
            if p != len(f.data):
                raise tc.ProtocolError("PROBE_RESP entries do not fill it")
            got.setdefault(f.mac, {})[idx] = ents
            want[f.mac] = cnt
            if all(len(got[m]) == want[m] for m in got):
                end = min(end, time.monotonic() + settle)
        out = {}
        for m, parts in got.items():
            merged = []
            for i in sorted(parts):
                for st, nqn, nss in parts[i]:
                    if merged and merged[-1][1] == nqn:
                        merged[-1][2].extend(nss)
                    else:
                        merged.append((st, nqn, list(nss)))
            out[m] = merged
        return out


class EthConn(tc.Conn):
    """One association (one queue), the NVMe commands of target_client's
    Conn carried in NVMe/Eth frames.  No retransmission: for a clean
    link (veth) only."""

    def __init__(self, link, peer, qid=0, depth=32, max_frame=1500,
                 window=64, ka_ms=1000, host_id=None, timeout=5):
        self.link, self.peer, self.qid = link, peer, qid
        self.depth, self.max_frame, self.window = depth, max_frame, window
        self.ka_ms, self.timeout = ka_ms, timeout
        self.host_id = host_id or (struct.unpack("<I", os.urandom(4))[0]
                                   | 1)
        self.isn = struct.unpack("<I", os.urandom(4))[0]
        self.snd_nxt = self.isn
        self.ctrl_id = 0
        self.rcv_nxt = 0
        self.rcv_seen = set()
        self.cid = depth - 1
        self.hdgst = self.ddgst = False
        self.sent = {}          # seq -> frame, for replay tests
        self.unacked = 0        # frames received since our last ack
        self.last_tx = time.monotonic()

    # -- frames -----------------------------------------------------------
    def req_frame(self, depth=None, max_frame=None, window=None, ka=None,
                  options=0, **kw):
        spec = struct.pack("<HHHHII16x",
                           self.depth if depth is None else depth,
                           self.max_frame if max_frame is None else max_frame,
                           self.window if window is None else window, 0,
                           self.ka_ms if ka is None else ka, options)
        return frame(ASSOC_REQ, spec, qid=kw.pop("qid", self.qid),
                     src=kw.pop("src", self.host_id), seq=self.isn, **kw)

    def seq_frame(self, ftype, specific=b"", data=b"", flags=0, seq=None,
                  **kw):
        if seq is None:
            seq = self.snd_nxt
            self.snd_nxt = (self.snd_nxt + 1) & 0xFFFFFFFF
        f = frame(ftype, specific, data, flags=flags | F_ACK, qid=self.qid,
                  dst=self.ctrl_id, src=self.host_id, seq=seq,
                  ack=self.rcv_nxt, wnd=self.window, **kw)
        self.sent[seq] = f
        return f

    def send(self, f, src=None):
        self.link.send(self.peer, f, src)
        self.last_tx = time.monotonic()

    def send_ack(self):
        self.unacked = 0
        self.send(frame(ACK, struct.pack("<HBBI", 0, 0, 0, 0), flags=F_ACK,
                        qid=self.qid, dst=self.ctrl_id, src=self.host_id,
                        ack=self.rcv_nxt, wnd=self.window))

    def keepalive(self):
        self.send(self.seq_frame(KEEPALIVE, flags=F_ACK_REQ))

    def recv(self, timeout=None):
        """The next frame of this association (sequenced ones numbered
        and acknowledged as they come); raises Term on a TERM."""
        end = time.monotonic() + (self.timeout if timeout is None
                                  else timeout)
        while True:
            f = self.link.recv(max(0.0, end - time.monotonic()))
            if f is None:
                raise TimeoutError("no frame from the target")
            if f.mac != self.peer or f.dst != self.host_id:
                continue
            if f.type == TERM:
                reason, _, fei = struct.unpack("<HHI", f.spec[:8])
                self.send(frame(TERM_ACK, qid=self.qid, dst=f.src,
                                src=self.host_id))
                raise Term(reason, fei, f.data)
            if f.type in SEQUENCED:
                d = (f.seq - self.rcv_nxt) & 0xFFFFFFFF
                if d >= 0x80000000 or f.seq in self.rcv_seen:
                    self.send_ack()         # a duplicate
                    continue
                self.rcv_seen.add(f.seq)
                while self.rcv_nxt in self.rcv_seen:
                    self.rcv_seen.discard(self.rcv_nxt)
                    self.rcv_nxt = (self.rcv_nxt + 1) & 0xFFFFFFFF
                self.unacked += 1
                # Python is slow: acknowledge every few frames, before
                # the target's retransmission timer expires.
                if (f.type == KEEPALIVE or f.flags & F_ACK_REQ or
                        self.unacked >= 4):
                    self.send_ack()
                    if f.type == KEEPALIVE:
                        continue
            return f

    # -- setup and teardown ---------------------------------------------------
    def associate(self, confirm=True, **kw):
        self.send(self.req_frame(**kw))
        f = self.recv()
        if f.type != ASSOC_RESP:
            raise tc.ProtocolError("expected ASSOC_RESP, got %#x" % f.type)
        (status, depth, mf, wnd, ka, icd, fei,
         opts) = struct.unpack("<HHHHIIII", f.spec[:24])
        if status:
            raise Refused(status, fei)
        if f.ack != self.isn or not f.flags & F_ACK or f.src == 0:
            raise tc.ProtocolError("bad ASSOC_RESP")
        self.ctrl_id, self.rcv_nxt = f.src, f.seq
        self.depth, self.max_frame, self.peer_window = depth, mf, wnd
        self.ka, self.icd_max = ka, icd
        self.cid = depth - 1
        if confirm:
            self.send_ack()
        return f

    def close(self):
        """TERM (0); TERM_ACK expected."""
        self.send(frame(TERM, struct.pack("<HHI", 0, 0, 0), qid=self.qid,
                        dst=self.ctrl_id, src=self.host_id))
        end = time.monotonic() + self.timeout
        while time.monotonic() < end:
            f = self.link.recv(end - time.monotonic())
            if f and f.type == TERM_ACK and f.dst == self.host_id:
                return True
        return False

    # -- commands (target_client.Conn's NVMe layer calls these) ---------------
    def next_cid(self):
        self.cid = (self.cid + 1) % self.depth
        return self.cid

    def command(self, sq, write=b"", inline=True, read_len=0):
        cid = struct.unpack("<H", sq[2:4])[0]
        sgl_len = struct.unpack("<I", sq[32:36])[0]
        if time.monotonic() - self.last_tx > self.ka / 2000:
            self.keepalive()
        if write and inline:
            n0 = min(len(write), self.max_frame - 96)
            self.send(self.seq_frame(CMD, sq, write[:n0]))
            off = n0
            while off < len(write):
                n = min(self.max_frame - 48, len(write) - off)
                self.send(self.seq_frame(
                    H2C, struct.pack("<HHIII", cid, 0, off, n, 0),
                    write[off:off + n], flags=F_ICD))
                off += n
        else:
            self.send(self.seq_frame(CMD, sq))
        got = bytearray(sgl_len)
        placed, rsp, datal = 0, None, 0
        while rsp is None or placed < datal:
            f = self.recv()
            if f.type == R2T:
                rcid, _, off, length = struct.unpack("<HHII", f.spec[:12])
                if rcid != cid or off != 0 or length != len(write):
                    raise tc.ProtocolError("unexpected R2T")
                off = 0
                while off < length:
                    n = min(self.max_frame - 48, length - off)
                    self.send(self.seq_frame(
                        H2C, struct.pack("<HHIII", cid, 0, off, n, 0),
                        write[off:off + n]))
                    off += n
            elif f.type == C2H:
                dcid, _, off, n = struct.unpack("<HHII", f.spec[:12])
                if dcid != cid or n != len(f.data) or off + n > sgl_len:
                    raise tc.ProtocolError("unexpected C2H_DATA")
                got[off:off + n] = f.data
                placed += n
            elif f.type == RSP:
                rsp = tc.Cqe(f.spec[:16])
                datal = struct.unpack("<I", f.spec[16:20])[0]
                if rsp.cid != cid or rsp.sqid != self.qid:
                    raise tc.ProtocolError("RSP for cid %d sqid %d" %
                                           (rsp.cid, rsp.sqid))
        self.send_ack()
        return rsp, bytes(got[:datal])


def admin(link, peer, nqn, kato=0, **kw):
    """An admin association, Connect, enable: (EthConn, CNTLID)."""
    c = EthConn(link, peer, qid=0, **kw)
    c.associate()
    cq = c.connect(nqn, kato=kato)
    if cq.status:
        raise tc.ProtocolError("admin Connect failed: %r" % cq)
    c.enable()
    return c, cq.dw0 & 0xFFFF


def io(link, peer, nqn, cntlid, qid=1, depth=32, **kw):
    c = EthConn(link, peer, qid=qid, depth=depth, **kw)
    c.associate()
    cq = c.connect(nqn, qid=qid, cntlid=cntlid, sqsize=depth - 1)
    if cq.status:
        raise tc.ProtocolError("I/O Connect failed: %r" % cq)
    return c
