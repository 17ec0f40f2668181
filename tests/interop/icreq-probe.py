#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
#
# icreq-probe.py HOST PORT [--hdgst] [--ddgst] [--wait SECS] [--pfv N]
#
# Send one NVMe/TCP ICReq and check the ICResp, independently of the C
# code under test.  Prints "pfv=P cpda=C hdgst=H ddgst=D maxh2cdata=M" and
# exits 0 on a well-formed ICResp; prints the problem and exits 1
# otherwise.  --wait retries for up to SECS seconds while the connection is
# refused or closed without an answer (a qemu port forward accepts before
# the guest listens).  Layout: NVMe/TCP transport spec, ICReq/ICResp
# (common header type@0 flags@1 hlen@2 pdo@3 plen@4; PFV@8 HPDA/CPDA@10
# DGST@11 MAXR2T/MAXH2CDATA@12), 128 bytes each.

import argparse
import socket
import struct
import sys
import time

ICREQ, ICRESP = 0x00, 0x01
PDU_LEN = 128


def icreq(hdgst, ddgst, pfv):
    dgst = (1 if hdgst else 0) | (2 if ddgst else 0)
    pdu = struct.pack('<BBBBI', ICREQ, 0, PDU_LEN, 0, PDU_LEN)
    pdu += struct.pack('<HBBI', pfv, 0, dgst, 0)   # PFV, HPDA 0, MAXR2T 0
    return pdu + bytes(PDU_LEN - len(pdu))


def recv_exact(sock, n):
    buf = b''
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            break
        buf += chunk
    return buf


class NoAnswer(Exception):
    pass


def probe(host, port, hdgst, ddgst, pfv, timeout):
    with socket.create_connection((host, port), timeout=timeout) as s:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        s.sendall(icreq(hdgst, ddgst, pfv))
        try:
            resp = recv_exact(s, PDU_LEN)
        except ConnectionResetError:
            resp = b''
        if not resp:
            raise NoAnswer('connection closed without an ICResp')
        if len(resp) < 8:
            raise ValueError('short ICResp header: %d bytes' % len(resp))
        ptype, flags, hlen, pdo, plen = struct.unpack_from('<BBBBI', resp)
        if ptype != ICRESP:
            raise ValueError('PDU type 0x%02x, expected ICResp 0x01' % ptype)
        if hlen != PDU_LEN or plen != PDU_LEN:
            raise ValueError('ICResp hlen %d plen %d, expected 128/128'
                             % (hlen, plen))
        if len(resp) != PDU_LEN:
            raise ValueError('ICResp truncated to %d bytes' % len(resp))
        if flags != 0 or pdo != 0:
            raise ValueError('ICResp flags 0x%x pdo %d, expected 0/0'
                             % (flags, pdo))
        pfv, cpda, dgst, maxh2cdata = struct.unpack_from('<HBBI', resp, 8)
        if any(resp[16:]):
            raise ValueError('ICResp reserved bytes 16..127 are not zero')
        # The host then closes without a Connect: a plain FIN, as a host
        # that gives up after the ICResp would.
        return pfv, cpda, dgst, maxh2cdata


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('host')
    ap.add_argument('port', type=int)
    ap.add_argument('--hdgst', action='store_true')
    ap.add_argument('--ddgst', action='store_true')
    ap.add_argument('--wait', type=float, default=0)
    ap.add_argument('--pfv', type=int, default=0,
                    help='send this PFV (not 0: expect a refusal)')
    ap.add_argument('--timeout', type=float, default=10)
    a = ap.parse_args()

    deadline = time.monotonic() + a.wait
    while True:
        try:
            pfv, cpda, dgst, maxh2cdata = probe(a.host, a.port, a.hdgst,
                                                 a.ddgst, a.pfv, a.timeout)
            break
        except (NoAnswer, ConnectionRefusedError) as e:
            if time.monotonic() >= deadline:
                print('icreq-probe: %s:%d: %s' % (a.host, a.port, e),
                      file=sys.stderr)
                return 1
            time.sleep(0.2)
        except (OSError, ValueError) as e:
            print('icreq-probe: %s:%d: %s' % (a.host, a.port, e),
                  file=sys.stderr)
            return 1
    print('pfv=%d cpda=%d hdgst=%d ddgst=%d maxh2cdata=%d'
          % (pfv, cpda, dgst & 1, (dgst >> 1) & 1, maxh2cdata))
    return 0


if __name__ == '__main__':
    sys.exit(main())
