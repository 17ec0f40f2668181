# SPDX-License-Identifier: BSD-3-Clause
"""A scripted hostile NVMe/TCP target: just enough of a controller for
libnvmeof to connect (ICReq, Connect, properties, Identify, Set Features,
Get Log Page, Keep Alive, Read, Write), misbehaving in one chosen way.
Used by tests/test-lib-hostile.sh to check that the initiator notices and
says what went wrong.  Python standard library only; run with
/usr/bin/python3.

  hostile_target.py SCENARIO PORTFILE

listens on a free loopback port, writes it to PORTFILE and serves until
killed.  Scenarios:

  normal            behaves (a 1 MiB namespace of zeros, NSID 1)
  ns-list-endless   NN is 0xFFFFFFFE and the active namespace list never
                    ends: every page full, the IDs increasing
  ns-list-beyond-nn NN is 4 and the list names NSIDs 1 to 1024
  never-ready       CAP.TO is 255 (127.5 s) and CSTS.RDY never comes
  ioccsz-wrap       IOCCSZ 0x10000000: IOCCSZ * 16 does not fit 32 bits
  admin-violation   answers Set Features (Number of Queues) with a
                    CapsuleResp whose PDU header length is wrong
  r2t-flood         answers a write with MAXR2T + 1 R2Ts at once
  stale-response    before answering a write or a flush, replays the
                    CapsuleResp of the previous command of the queue
"""

import os
import socket
import struct
import sys
import threading

from target_client import (ICREQ, ICRESP, CMD, RSP, H2CDATA, C2HDATA, R2T,
                           F_LAST)

NQN = "nqn.2026-11.io.nvmeof:hostile"
NS_BLOCKS = 2048          # 1 MiB of 512-byte blocks
IOCCSZ_NORMAL = (8192 + 64) // 16


class Closed(Exception):
    pass


def recv_exact(s, n):
    buf = bytearray()
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            raise Closed()
        buf += chunk
    return bytes(buf)


def ch(ptype, flags, hlen, pdo, plen):
    return struct.pack("<BBBBI", ptype, flags, hlen, pdo, plen)


def rsp_pdu(cid, status=0, dw0=0, sqhd=0, hlen=24):
    cqe = struct.pack("<QHHHH", dw0, sqhd, 0, cid, status << 1)
    return ch(RSP, 0, hlen, 0, 24) + cqe


def c2h_pdu(cid, data, offset=0, last=True):
    return (ch(C2HDATA, F_LAST if last else 0, 24, 24, 24 + len(data)) +
            struct.pack("<HHII4x", cid, 0, offset, len(data)) + data)


def r2t_pdu(cid, ttag, off, length):
    return ch(R2T, 0, 24, 0, 24) + struct.pack("<HHII4x", cid, ttag, off,
                                               length)


def id_ctrl(scenario):
    b = bytearray(4096)
    b[4:24] = b"HOSTILE0001".ljust(20)
    b[24:64] = b"hostile test target".ljust(40)
    b[64:72] = b"1.0".ljust(8)
    b[77] = 5                                   # MDTS: 128 KiB
    struct.pack_into("<H", b, 78, 1)            # CNTLID
    struct.pack_into("<I", b, 80, 0x10400)      # VER 1.4
    b[111] = 1                                  # CNTRLTYPE: I/O
    struct.pack_into("<H", b, 514, 127)         # MAXCMD
    nn = {"ns-list-endless": 0xFFFFFFFE, "ns-list-beyond-nn": 4}
    struct.pack_into("<I", b, 516, nn.get(scenario, 1))
    struct.pack_into("<I", b, 536, 0x100005)    # SGLS
    nqn = NQN.encode()
    b[768:768 + len(nqn)] = nqn
    ioccsz = 0x10000000 if scenario == "ioccsz-wrap" else IOCCSZ_NORMAL
    struct.pack_into("<IIH", b, 1792, ioccsz, 1, 0)   # IOCCSZ IORCSZ ICDOFF
    return bytes(b)


def id_ns(nsid):
    b = bytearray(4096)
    struct.pack_into("<QQQ", b, 0, NS_BLOCKS, NS_BLOCKS, NS_BLOCKS)
    b[128 + 2] = 9                              # LBAF0: 512-byte blocks
    return bytes(b)


def ns_list(scenario, start):
    ids = []
    if scenario == "ns-list-endless":
        ids = list(range(start + 1, start + 1025))
    elif scenario == "ns-list-beyond-nn":
        ids = [i for i in range(1, 1025) if i > start]
    elif start < 1:
        ids = [1]
    return struct.pack("<%dI" % len(ids), *ids).ljust(4096, b"\0")


class Conn:
    def __init__(self, sock, scenario):
        self.s, self.scenario = sock, scenario
        self.cc = 0
        self.maxr2t = 1
        self.prev_rsp = None        # the last CapsuleResp sent
        self.ttag = 0

    def send(self, b):
        self.s.sendall(b)

    def answer(self, cid, status=0, dw0=0, data=None, hlen=24):
        if data is not None:
            self.send(c2h_pdu(cid, data))
        pdu = rsp_pdu(cid, status, dw0, hlen=hlen)
        self.send(pdu)
        self.prev_rsp = pdu

    def recv_pdu(self):
        hdr = recv_exact(self.s, 8)
        ptype, flags, hlen, pdo, plen = struct.unpack("<BBBBI", hdr)
        rest = recv_exact(self.s, plen - 8)
        body = hdr + rest
        data = body[pdo:] if pdo else b""
        return ptype, body[:hlen], data

    def serve(self):
        while True:
            ptype, hdr, data = self.recv_pdu()
            if ptype == ICREQ:
                self.maxr2t = struct.unpack("<I", hdr[12:16])[0] + 1
                pdu = ch(ICRESP, 0, 128, 0, 128) + \
                    struct.pack("<HBBI", 0, 0, 0, 131072)
                self.send(pdu.ljust(128, b"\0"))
            elif ptype == CMD:
                self.command(hdr[8:72], data)
            elif ptype == H2CDATA:
                self.h2c(hdr, data)

    # -- commands ---------------------------------------------------------
    def command(self, sqe, data):
        opc, _, cid, nsid = struct.unpack("<BBHI", sqe[0:8])
        cdw10, cdw11 = struct.unpack("<II", sqe[40:48])
        sgl_len = struct.unpack("<I", sqe[32:36])[0]
        if opc == 0x7F:
            self.fabrics(sqe, cid)
        elif self.io:
            self.io_command(opc, cid, sgl_len, data)
        elif opc == 0x06:
            cns = cdw10 & 0xFF
            if cns == 1:
                self.answer(cid, data=id_ctrl(self.scenario))
            elif cns == 0:
                if nsid == 1:
                    self.answer(cid, data=id_ns(nsid))
                else:
                    self.answer(cid, status=0x0B)       # Invalid NS
            elif cns == 2:
                self.answer(cid, data=ns_list(self.scenario, nsid))
            else:
                self.answer(cid, status=0x02)           # Invalid Field
        elif opc == 0x09 and cdw10 & 0xFF == 7:         # Number of Queues
            if self.scenario == "admin-violation":
                self.answer(cid, hlen=20)
            else:
                self.answer(cid, dw0=0)                 # one queue
        elif opc in (0x09, 0x0A, 0x18):
            self.answer(cid)
        elif opc == 0x02:
            self.answer(cid, data=bytes(sgl_len))
        elif opc == 0x0C:
            pass                                        # AER: never fires
        else:
            self.answer(cid, status=0x01)               # Invalid Opcode

    def fabrics(self, sqe, cid):
        fctype = sqe[4]
        if fctype == 1:                                 # Connect
            self.io = struct.unpack("<H", sqe[42:44])[0] != 0
            self.answer(cid, dw0=1)
        elif fctype == 4:                               # Property Get
            ofst = struct.unpack("<I", sqe[44:48])[0]
            to = 255 if self.scenario == "never-ready" else 10
            val = {0: 127 | 1 << 16 | to << 24 | 1 << 37,
                   8: 0x10400,
                   0x14: self.cc}.get(ofst)
            if ofst == 0x1C:
                val = 0
                if self.cc & 1 and self.scenario != "never-ready":
                    val |= 1
                if self.cc >> 14 & 3:
                    val |= 2 << 2                       # SHST complete
            self.answer(cid, dw0=val or 0)
        elif fctype == 0:                               # Property Set
            ofst, value = struct.unpack("<IQ", sqe[44:56])
            if ofst == 0x14:
                self.cc = value & 0xFFFFFFFF
            self.answer(cid)
        else:
            self.answer(cid, status=0x01)

    def io_command(self, opc, cid, sgl_len, data):
        if opc in (0x01, 0x00) and self.scenario == "stale-response" and \
                self.prev_rsp is not None:
            self.send(self.prev_rsp)
        if opc == 0x02:
            self.answer(cid, data=bytes(sgl_len))
        elif opc == 0x01 and len(data) < sgl_len:
            n = self.maxr2t + 1 if self.scenario == "r2t-flood" else 1
            piece = sgl_len // n
            self.pending = (cid, sgl_len, 0)
            r2ts = b""
            for i in range(n):
                self.ttag += 1
                length = piece if i < n - 1 else sgl_len - piece * i
                r2ts += r2t_pdu(cid, self.ttag, piece * i, length)
            self.send(r2ts)                     # all at once
        else:
            self.answer(cid)

    def h2c(self, hdr, data):
        cid, _, off, length = struct.unpack("<HHII", hdr[8:20])
        pcid, total, got = self.pending
        got += length
        self.pending = (pcid, total, got)
        if got >= total:
            self.answer(pcid)


def main():
    scenario, portfile = sys.argv[1], sys.argv[2]
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", 0))
    ls.listen(16)
    with open(portfile + ".tmp", "w") as f:
        f.write("%d\n" % ls.getsockname()[1])
    os.rename(portfile + ".tmp", portfile)

    def run(sock):
        c = Conn(sock, scenario)
        c.io = False
        try:
            c.serve()
        except (Closed, ConnectionError, OSError):
            pass
        finally:
            sock.close()

    while True:
        sock, _ = ls.accept()
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        threading.Thread(target=run, args=(sock,), daemon=True).start()


if __name__ == "__main__":
    main()
