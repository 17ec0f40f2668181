# SPDX-License-Identifier: BSD-3-Clause
"""NVMe/TCP over TLS 1.3 for target_client.py: the PSKs computed with
Python's own hashlib and hmac (independent of the project's C code and of
OpenSSL), and a TLS transport that is "openssl s_client" (a separate
program) speaking to the target while the test speaks NVMe/TCP to it
through a socket pair.

Python 3.11's ssl module cannot use TLS 1.3 external PSKs
(SSLContext.set_psk_client_callback is 3.13's), hence s_client.  Its -psk
option always makes a TLS_AES_128_GCM_SHA256 PSK, so SHA-384 PSKs go in
an SSL session file (-psk_session) written here, whose cipher suite is
TLS_AES_256_GCM_SHA384.

PSKs (NVMe/TCP transport specification 3.6.1; libnvme 1.16, nvme-cli
2.16 compute the same):
  configured  "NVMeTLSkey-1:hh:" base64(psk || le32 crc32(psk)) ":"
  retained  = HKDF-Expand-Label(HKDF-Extract(0, psk), "HostNQN", hostnqn,
              len(psk)) with hh's hash; hh 00: the PSK itself
  digest    = base64(HMAC(retained, hostnqn " " subnqn " "
              "NVMe-over-Fabrics"))
  TLS PSK   = HKDF-Expand-Label(HKDF-Extract(0, retained), "nvme-tls-psk",
              C, L), C the identity for version 0, "hh digest" for 1
with RFC 8446's HKDF-Expand-Label (info = be16 L, u8 len, "tls13 " label,
u8 len, context); compat=True: as libnvme 1.7 to 1.15 (nvme-cli's
--compat) wrote the info, le16 L, "tls13 " label, context.  A PSK that
secure channel concatenation generated stands for the retained PSK of a
version 1 identity "NVMe1G0h ..." (Linux nvme_auth_generate_digest,
nvme_auth_derive_tls_psk): generated()."""

import base64
import hashlib
import hmac as hmac_mod
import os
import socket
import subprocess
import tempfile
import time
import zlib

from target_client import Conn

SHA256, SHA384 = 1, 2
HASH = {SHA256: hashlib.sha256, SHA384: hashlib.sha384}
HASH_LEN = {SHA256: 32, SHA384: 48}
SUITE = {SHA256: "TLS_AES_128_GCM_SHA256", SHA384: "TLS_AES_256_GCM_SHA384"}
SUITE_ID = {SHA256: b"\x13\x01", SHA384: b"\x13\x02"}


# ---- configured PSKs ----------------------------------------------------
def psk_text(hh, key):
    """The interchange format of key with hash specifier hh (0, 1, 2)."""
    crc = zlib.crc32(key).to_bytes(4, "little")
    return "NVMeTLSkey-1:%02d:%s:" % (hh, base64.b64encode(key + crc).decode())


def new_psk(hh, length=None):
    """A random configured PSK: (text, hh, key bytes)."""
    key = os.urandom(length or HASH_LEN[hh])
    return psk_text(hh, key), hh, key


def parse_psk(text):
    _, hh, b64, _ = text.strip().split(":")
    raw = base64.b64decode(b64)
    key, crc = raw[:-4], raw[-4:]
    assert zlib.crc32(key).to_bytes(4, "little") == crc
    return int(hh), key


# ---- HKDF (RFC 5869) and TLS 1.3's HKDF-Expand-Label (RFC 8446 7.1) ------
def hkdf_extract(h, ikm):
    return hmac_mod.new(bytes(HASH_LEN[h]), ikm, HASH[h]).digest()


def hkdf_expand_label(h, prk, label, context, length, compat=False):
    full = b"tls13 " + label
    if compat:
        info = length.to_bytes(2, "little") + full + context
    else:
        info = (length.to_bytes(2, "big") + bytes([len(full)]) + full +
                bytes([len(context)]) + context)
    out, t, i = b"", b"", 1
    while len(out) < length:
        t = hmac_mod.new(prk, t + info + bytes([i]), HASH[h]).digest()
        out += t
        i += 1
    return out[:length]


def cipher_of(hh, key):
    """The identity's hash: hh, or for hh 00 the key's length."""
    return hh if hh else (SHA384 if len(key) == 48 else SHA256)


def retained(hh, key, hostnqn, compat=False):
    if hh == 0:
        return key
    return hkdf_expand_label(hh, hkdf_extract(hh, key), b"HostNQN",
                             hostnqn.encode(), len(key), compat)


def digest(h, ret, hostnqn, subnqn):
    msg = ("%s %s NVMe-over-Fabrics" % (hostnqn, subnqn)).encode()
    return base64.b64encode(hmac_mod.new(ret, msg, HASH[h]).digest()).decode()


def identity(version, h, hostnqn, subnqn, dgst=None):
    ident = "NVMe%dR%02d %s %s" % (version, h, hostnqn, subnqn)
    return ident + " " + dgst if version == 1 else ident


def tls_psk(text, version, hostnqn, subnqn, compat=False):
    """(identity, TLS PSK bytes, hash) a host derives from its configured
    PSK for one subsystem."""
    hh, key = parse_psk(text)
    h = cipher_of(hh, key)
    ret = retained(hh, key, hostnqn, compat)
    if version == 0:
        ident = identity(0, h, hostnqn, subnqn)
        context = ident.encode()
    else:
        d = digest(h, ret, hostnqn, subnqn)
        ident = identity(1, h, hostnqn, subnqn, d)
        context = ("%02d %s" % (h, d)).encode()
    prk = hkdf_extract(h, ret)
    return ident, hkdf_expand_label(h, prk, b"nvme-tls-psk", context,
                                    HASH_LEN[h], compat), h


def generated(h, gen, hostnqn, subnqn):
    """(identity, TLS PSK bytes, hash) of a generated PSK gen (hash h,
    the DH-HMAC-CHAP hash: 1 or 2)."""
    d = digest(h, gen, hostnqn, subnqn)
    ident = "NVMe1G%02d %s %s %s" % (h, hostnqn, subnqn, d)
    prk = hkdf_extract(h, gen)
    return ident, hkdf_expand_label(h, prk, b"nvme-tls-psk",
                                    ("%02d %s" % (h, d)).encode(),
                                    HASH_LEN[h]), h


# ---- the TLS transport: openssl s_client --------------------------------
def _der(tag, body):
    n = len(body)
    if n < 128:
        size = bytes([n])
    elif n < 256:
        size = bytes([0x81, n])
    else:
        size = bytes([0x82, n >> 8, n & 0xFF])
    return bytes([tag]) + size + body


def _der_int(v):
    return _der(0x02, v.to_bytes(v.bit_length() // 8 + 1, "big"))


def session_pem(key, h):
    """An OpenSSL SSL_SESSION (ssl/ssl_asn1.c: version 1, TLS 1.3, the
    suite, no session ID, the PSK as master key, a start time, a timeout)
    for s_client -psk_session."""
    body = (_der_int(1) + _der_int(0x0304) + _der(0x04, SUITE_ID[h]) +
            _der(0x04, b"") + _der(0x04, key) +
            _der(0xA1, _der_int(int(time.time()))) +
            _der(0xA2, _der_int(3600)))
    b64 = base64.encodebytes(_der(0x30, body)).decode()
    return ("-----BEGIN SSL SESSION PARAMETERS-----\n" + b64 +
            "-----END SSL SESSION PARAMETERS-----\n")


class TlsConn(Conn):
    """A target_client.Conn whose bytes go through "openssl s_client"
    (TLS 1.3 with the PSK key for identity, only h's cipher suite).  If
    the handshake fails, s_client exits and the first read finds the end
    of the stream; stderr() has what s_client said."""

    def __init__(self, port, ident, key, h, host="127.0.0.1", hdgst=False,
                 ddgst=False, timeout=10, hpda=0, maxr2t=0):
        self.hdgst, self.ddgst = hdgst, ddgst
        self.hpda, self.maxr2t = hpda, maxr2t
        self.cid = 0
        self.maxh2cdata = None
        self.sess = None
        args = ["openssl", "s_client", "-quiet", "-nocommands", "-tls1_3",
                "-ciphersuites", SUITE[h], "-connect", "%s:%d" % (host, port),
                "-psk_identity", ident]
        if h == SHA256 and len(key) == 32:
            args += ["-psk", key.hex()]
        else:
            fd, self.sess = tempfile.mkstemp(suffix=".pem")
            with os.fdopen(fd, "w") as f:
                f.write(session_pem(key, h))
            args += ["-psk_session", self.sess]
        self.err = tempfile.TemporaryFile()
        ours, theirs = socket.socketpair()
        self.proc = subprocess.Popen(args, stdin=theirs, stdout=theirs,
                                     stderr=self.err)
        theirs.close()
        ours.settimeout(timeout)
        self.s = ours

    def stderr(self):
        self.err.seek(0)
        return self.err.read().decode(errors="replace")

    def exited(self, timeout=10):
        """s_client's exit status, once it has exited (None: it runs)."""
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def close(self):
        self.s.close()
        if self.proc.poll() is None:
            self.proc.terminate()
        self.proc.wait(10)
        self.err.close()
        if self.sess:
            os.unlink(self.sess)


def _selfcheck():
    """The published vectors of the NVMe/TCP specification (3.6.1.5) and
    libnvme's test/psk.c: the configured PSK's text and the digests of
    version 1 identities, both derivations (so that these formulas rest on
    those, not on the C code under test)."""
    k32 = bytes.fromhex("5512DBB6737D0106F65975B773DFB011"
                        "FFC344BCF442E2DD6D8BC4870B5D5B03")
    k48 = k32 + bytes.fromhex("FFC344BCF442E2DD6D8BC4870B5D5B03")
    text = "NVMeTLSkey-1:01:VRLbtnN9AQb2WXW3c9+wEf/DRLz0QuLdbYvEhwtdWwNf9LrZ:"
    assert psk_text(1, k32) == text
    for hh, key, compat, want in (
            (1, k32, False, "iSbjiStwJ/1TrTvDlt2fjFmzvsytOJelidNnA+X5lEU="),
            (2, k48, False, "QhW2+Rp6RzHlNtCslyRxMnwJ11tKKhz8JCAQpQ+XUD8f9td1"
                            "VeH5h53yz2wKJG1a"),
            (1, k32, True, "66GuqV08TsAGII39teWUfwQwizjv06Jy8jOcX3NAAzM="),
            (2, k48, True, "RsKmYJ3nAn1ApjjMloJFbAkLPivONDAX/xW327YBUsn2eGSh"
                           "XSjCZvBaOxscLqmz")):
        ident, _, _ = tls_psk(psk_text(hh, key), 1, "nqn.psk-test-host",
                              "nqn.psk-test-subsys", compat)
        assert ident.split()[-1] == want, ident
    # Linux drivers/nvme/common/tests/auth_kunit.c, SHA-256.
    gen = bytes.fromhex("1733c59fa7f48fcf37f5f26fc4ff0268"
                        "ad4f78e030f4f3b0bfd1d47e7bb1447a")
    ident, key, _ = generated(SHA256, gen, "hostnqn", "subsysnqn")
    assert ident == ("NVMe1G01 hostnqn subsysnqn "
                     "OldoKuTfKddMuyCznAZojkWD7P4D9/AtzDzLimtOxqI="), ident
    assert key.hex() == ("3c17da628474a04d2247c4cab47968c9"
                         "15388193f7c071bd9489cc3666cd7cc8"), key.hex()


_selfcheck()
