# SPDX-License-Identifier: BSD-3-Clause
"""The host's side of DH-HMAC-CHAP (NVMe in-band authentication) for
target_client.py, with Python's own hashlib, hmac and pow(): independent
of the project's C code and of OpenSSL, so that a test of nvmeof-target
checks its cryptography against a second implementation.

Secrets use nvme-cli's text form "DHHC-1:hh:base64(key || crc32):".  The
FFDHE primes are those of RFC 7919 Appendix A (generator 2).  Message
layouts follow NVMe Base 2.0 8.13.5 (include/nvmf-wire.h).  Secure channel
concatenation (NVMe Base 2.1; Linux 6.15): SC_C in the Negotiate and in
R1, a C2 with S2 0 in the Reply, and the generated PSK HMAC(KS, C1 || C2)
with KS the DH value g^xy as long as p (Host.generated)."""

import base64
import hashlib
import hmac
import os
import struct
import zlib

# ---- identifiers --------------------------------------------------------
SHA256, SHA384, SHA512 = 1, 2, 3
HASH_NAME = {SHA256: "sha256", SHA384: "sha384", SHA512: "sha512"}
HASH_LEN = {SHA256: 32, SHA384: 48, SHA512: 64}
NULL, FFDHE2048, FFDHE3072, FFDHE4096, FFDHE6144, FFDHE8192 = range(6)

COMMON, DHCHAP = 0x00, 0x01
NEGOTIATE, CHALLENGE, REPLY, SUCCESS1, SUCCESS2 = 0x00, 0x01, 0x02, 0x03, 0x04
FAILURE2, FAILURE1 = 0xF0, 0xF1
# Failure reason code explanations.
RCE_FAILED, RCE_PROTO, RCE_SCC, RCE_HASH, RCE_DHGROUP, RCE_PAYLOAD, \
    RCE_MESSAGE = range(1, 8)

ATR = 1 << 17          # Connect CQE DW0: authentication required
# SC_C (NVMe Base 2.1; 01h, Base 2.0's, is obsolete).
NOSC, NEWTLSPSK, REPLACETLSPSK = 0x00, 0x02, 0x03
SC_AUTH_REQUIRED = 0x191

# ---- RFC 7919 Appendix A ------------------------------------------------
_E = """
FFFFFFFF FFFFFFFF ADF85458 A2BB4A9A AFDC5620 273D3CF1
D8B9C583 CE2D3695 A9E13641 146433FB CC939DCE 249B3EF9
7D2FE363 630C75D8 F681B202 AEC4617A D3DF1ED5 D5FD6561
2433F51F 5F066ED0 85636555 3DED1AF3 B557135E 7F57C935
984F0C70 E0E68B77 E2A689DA F3EFE872 1DF158A1 36ADE735
30ACCA4F 483A797A BC0AB182 B324FB61 D108A94B B2C8E3FB
B96ADAB7 60D7F468 1D4F42A3 DE394DF4 AE56EDE7 6372BB19
0B07A7C8 EE0A6D70 9E02FCE1 CDF7E2EC C03404CD 28342F61
9172FE9C E98583FF 8E4F1232 EEF28183 C3FE3B1B 4C6FAD73
3BB5FCBC 2EC22005 C58EF183 7D1683B2 C6F34A26 C1B2EFFA
886B4238 61"""
_P2048 = _E + "285C97 FFFFFFFF FFFFFFFF"
_P3072 = _E + """1FCFDC DE355B3B 6519035B BC34F4DE F99C0238
61B46FC9 D6E6C907 7AD91D26 91F7F7EE 598CB0FA C186D91C
AEFE1309 85139270 B4130C93 BC437944 F4FD4452 E2D74DD3
64F2E21E 71F54BFF 5CAE82AB 9C9DF69E E86D2BC5 22363A0D
ABC52197 9B0DEADA 1DBF9A42 D5C4484E 0ABCD06B FA53DDEF
3C1B20EE 3FD59D7C 25E41D2B 66C62E37 FFFFFFFF FFFFFFFF"""
_P4096 = _E + """1FCFDC DE355B3B 6519035B BC34F4DE F99C0238
61B46FC9 D6E6C907 7AD91D26 91F7F7EE 598CB0FA C186D91C
AEFE1309 85139270 B4130C93 BC437944 F4FD4452 E2D74DD3
64F2E21E 71F54BFF 5CAE82AB 9C9DF69E E86D2BC5 22363A0D
ABC52197 9B0DEADA 1DBF9A42 D5C4484E 0ABCD06B FA53DDEF
3C1B20EE 3FD59D7C 25E41D2B 669E1EF1 6E6F52C3 164DF4FB
7930E9E4 E58857B6 AC7D5F42 D69F6D18 7763CF1D 55034004
87F55BA5 7E31CC7A 7135C886 EFB4318A ED6A1E01 2D9E6832
A907600A 918130C4 6DC778F9 71AD0038 092999A3 33CB8B7A
1A1DB93D 7140003C 2A4ECEA9 F98D0ACC 0A8291CD CEC97DCF
8EC9B55A 7F88A46B 4DB5A851 F44182E1 C68A007E 5E655F6A
FFFFFFFF FFFFFFFF"""
PRIMES = {g: int("".join(t.split()), 16)
          for g, t in ((FFDHE2048, _P2048), (FFDHE3072, _P3072),
                       (FFDHE4096, _P4096))}
for _g, _bits in ((FFDHE2048, 2048), (FFDHE3072, 3072), (FFDHE4096, 4096)):
    assert PRIMES[_g].bit_length() == _bits, "RFC 7919 prime text"


def dh_len(group):
    return 0 if group == NULL else PRIMES[group].bit_length() // 8


# ---- secrets ------------------------------------------------------------
def make_secret(hmac_id, key):
    """nvme-cli's text form of key with transform hmac_id (0..3)."""
    crc = struct.pack("<I", zlib.crc32(key) & 0xFFFFFFFF)
    return "DHHC-1:%02d:%s:" % (hmac_id, base64.b64encode(key + crc).decode())


def new_secret(hmac_id, length=None):
    """A random secret; its length follows the transform unless given."""
    length = length or {0: 32, 1: 32, 2: 48, 3: 64}[hmac_id]
    return make_secret(hmac_id, os.urandom(length))


def parse_secret(text):
    """(hmac_id, key) of a secret's text form."""
    parts = text.strip().split(":")
    if len(parts) != 4 or parts[0] != "DHHC-1" or parts[3] != "":
        raise ValueError("not a DHHC-1 secret")
    raw = base64.b64decode(parts[2])
    key, crc = raw[:-4], raw[-4:]
    if struct.pack("<I", zlib.crc32(key) & 0xFFFFFFFF) != crc:
        raise ValueError("bad CRC")
    return int(parts[1]), key


def transform(text, nqn):
    """Kh' / Kc': HMAC(key's own hash)(key, NQN || "NVMe-over-Fabrics")."""
    hmac_id, key = parse_secret(text)
    if hmac_id == 0:
        return key
    return hmac.new(key, nqn.encode() + b"NVMe-over-Fabrics",
                    HASH_NAME[hmac_id]).digest()


def augment(hashid, shared, chal):
    """C' = HMAC_H(H(g^xy), C)."""
    name = HASH_NAME[hashid]
    return hmac.new(hashlib.new(name, shared).digest(), chal, name).digest()


def response(hashid, key, chal, seq, t_id, first, second, ctrl, sc_c=0):
    """R1 (ctrl False: first = host NQN) or R2 (first = subsystem NQN)."""
    data = (chal + struct.pack("<IHB", seq, t_id, sc_c) +
            (b"Controller" if ctrl else b"HostHost") + first.encode() +
            b"\0" + second.encode())
    return hmac.new(key, data, HASH_NAME[hashid]).digest()


# ---- messages -----------------------------------------------------------
def negotiate(t_id, hashes=(SHA256, SHA384, SHA512),
              groups=(NULL, FFDHE2048, FFDHE3072, FFDHE4096, FFDHE6144,
                      FFDHE8192), sc_c=0, authid=1):
    idlist = bytes(hashes).ljust(30, b"\0") + bytes(groups).ljust(30, b"\0")
    desc = struct.pack("<BBBB", authid, 0, len(hashes), len(groups)) + idlist
    return struct.pack("<BBxxHBB", COMMON, NEGOTIATE, t_id, sc_c, 1) + desc


def reply(t_id, r1, c2=None, s2=0, dhv=b""):
    hl = len(r1)
    return (struct.pack("<BBxxHBxBxHI", DHCHAP, REPLY, t_id, hl,
                        1 if c2 else 0, len(dhv), s2 if c2 else 0) +
            r1 + (c2 or bytes(hl)) + dhv)


def success2(t_id):
    return struct.pack("<BBxxH", DHCHAP, SUCCESS2, t_id) + bytes(10)


def failure2(t_id, rce=RCE_FAILED):
    return struct.pack("<BBxxHBB", COMMON, FAILURE2, t_id, 1, rce)


def parse(msg):
    """A message from the controller as a dict (kind, fields)."""
    kind, mid = msg[0], msg[1]
    t_id = struct.unpack("<H", msg[4:6])[0]
    if (kind, mid) == (COMMON, FAILURE1):
        return {"kind": "failure1", "t_id": t_id, "rc": msg[6],
                "rce": msg[7]}
    if (kind, mid) == (DHCHAP, CHALLENGE):
        hl, hashid, dhgid, dhvlen, seq = struct.unpack("<BxBBHI", msg[6:16])
        return {"kind": "challenge", "t_id": t_id, "hl": hl,
                "hashid": hashid, "dhgid": dhgid, "seq": seq,
                "c1": msg[16:16 + hl],
                "dhv": msg[16 + hl:16 + hl + dhvlen], "dhvlen": dhvlen}
    if (kind, mid) == (DHCHAP, SUCCESS1):
        hl, rvalid = msg[6], msg[8]
        return {"kind": "success1", "t_id": t_id, "hl": hl,
                "rvalid": rvalid, "r2": msg[16:16 + hl] if rvalid else None}
    raise ValueError("unexpected message type %d id %#x" % (kind, mid))


# ---- the exchange -------------------------------------------------------
class AuthError(Exception):
    pass


class Host:
    """A host with its secret (and the controller's, for bidirectional
    authentication) that authenticates queues of target_client.Conn."""

    def __init__(self, hostnqn, subnqn, key, ctrl_key=None,
                 hashes=(SHA256, SHA384, SHA512),
                 groups=(NULL, FFDHE2048, FFDHE3072, FFDHE4096)):
        self.hostnqn, self.subnqn = hostnqn, subnqn
        self.key, self.ctrl_key = key, ctrl_key
        self.hashes, self.groups = hashes, groups
        self.seq = int.from_bytes(os.urandom(4), "little") | 1
        self.last = {}
        self.inline = True   # False: AUTH_Send data by R2T

    def send(self, conn, msg):
        cq = conn.auth_send(msg, inline=self.inline)
        if cq.status:
            raise AuthError("AUTH_Send failed: %r" % cq)

    def recv(self, conn, al=4096):
        cq, data = conn.auth_recv(al)
        if cq.status:
            raise AuthError("AUTH_Receive failed: %r" % cq)
        if len(data) != al:
            raise AuthError("AUTH_Receive gave %d bytes, not %d" %
                            (len(data), al))
        return parse(data)

    def challenge(self, conn, t_id, **kw):
        """Negotiate, then the Challenge (or the Failure1)."""
        self.send(conn, negotiate(t_id, self.hashes, self.groups, **kw))
        return self.recv(conn)

    def answer(self, ch, t_id, bidi, sc_c=NOSC, r1_sc_c=None):
        """The Reply to a Challenge (bytes), as the host computes it, with
        T_ID t_id (the Challenge's, unless a test wants another); with
        sc_c (concatenation) a C2 and S2 0, unless bidi.  r1_sc_c: another
        SC_C in R1 (a wrong one, for tests)."""
        hashid, hl = ch["hashid"], ch["hl"]
        if hl != HASH_LEN[hashid]:
            raise AuthError("bad Challenge %r" % ch)
        c1, dhv, shared = ch["c1"], b"", None
        if ch["dhgid"] != NULL:
            p = PRIMES[ch["dhgid"]]
            n = dh_len(ch["dhgid"])
            if ch["dhvlen"] != n:
                raise AuthError("DH value of %d bytes" % ch["dhvlen"])
            y = int.from_bytes(ch["dhv"], "big")
            if not 1 < y < p - 1:
                raise AuthError("controller DH value out of range")
            x = int.from_bytes(os.urandom(64), "big") | 1
            dhv = pow(2, x, p).to_bytes(n, "big")
            shared = pow(y, x, p).to_bytes(n, "big")
            c1 = augment(hashid, shared, c1)
        r1 = response(hashid, transform(self.key, self.hostnqn), c1,
                      ch["seq"], t_id, self.hostnqn, self.subnqn, False,
                      sc_c if r1_sc_c is None else r1_sc_c)
        c2 = s2 = None
        if bidi or sc_c:
            c2 = os.urandom(hl)
        if bidi:
            self.seq = (self.seq + 1) & 0xFFFFFFFF or 1
            s2 = self.seq
        self.last = {"hashid": hashid, "shared": shared, "c1": ch["c1"],
                     "c2": c2, "s2": s2}
        return reply(t_id, r1, c2, s2 or 0, dhv)

    def generated(self):
        """The generated PSK of the last exchange: HMAC(KS, C1 || C2) with
        the challenges as sent."""
        last = self.last
        return hmac.new(last["shared"], last["c1"] + last["c2"],
                        HASH_NAME[last["hashid"]]).digest()

    def expected_r2(self, t_id):
        """R2 as the host computes it with its copy of the ctrl secret."""
        last = self.last
        c2 = last["c2"]
        if last["shared"] is not None:
            c2 = augment(last["hashid"], last["shared"], c2)
        return response(last["hashid"],
                        transform(self.ctrl_key, self.subnqn), c2,
                        last["s2"], t_id, self.subnqn, self.hostnqn, True)

    def authenticate(self, conn, t_id=None, bidi=None):
        """The whole exchange on one queue.  Returns ("ok", details) or
        ("failure1", rce) or ("r2-mismatch", None) (Failure2 was sent)."""
        t_id = conn.qid if t_id is None and hasattr(conn, "qid") else t_id
        t_id = 0 if t_id is None else t_id
        bidi = self.ctrl_key is not None if bidi is None else bidi
        ch = self.challenge(conn, t_id)
        if ch["kind"] == "failure1":
            return "failure1", ch["rce"]
        if ch["kind"] != "challenge" or ch["t_id"] != t_id:
            raise AuthError("expected a Challenge, got %r" % ch)
        self.send(conn, self.answer(ch, t_id, bidi))
        s1 = self.recv(conn)
        if s1["kind"] == "failure1":
            return "failure1", s1["rce"]
        if s1["kind"] != "success1" or s1["t_id"] != t_id or \
                s1["hl"] != ch["hl"]:
            raise AuthError("expected Success1, got %r" % s1)
        details = {"hashid": ch["hashid"], "dhgid": ch["dhgid"],
                   "bidi": bool(s1["rvalid"])}
        if not bidi:
            if s1["rvalid"]:
                raise AuthError("R2 in a one-way exchange")
            return "ok", details
        if not s1["rvalid"]:
            raise AuthError("no R2 in a bidirectional exchange")
        if not hmac.compare_digest(s1["r2"], self.expected_r2(t_id)):
            self.send(conn, failure2(t_id))
            return "r2-mismatch", None
        self.send(conn, success2(t_id))
        return "ok", details
