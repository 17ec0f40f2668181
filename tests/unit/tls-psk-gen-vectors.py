#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# The expected values of tests/unit/test-tls-psk-gen.c beyond Linux's
# kunit vectors, computed from the definitions with Python's hmac, hashlib
# and base64 and an HKDF written here (RFC 5869; RFC 8446 7.1
# HKDF-Expand-Label): the generated PSK of secure channel concatenation,
# HMAC_H (KS, C1 || C2) (NVMe Base 2.1 8.3.5.5.9; Linux
# nvme_auth_generate_psk), its digest and TLS PSK (the version 1
# derivation with the generated PSK in place of the retained one;
# nvme_auth_generate_digest, nvme_auth_derive_tls_psk) and the identity
# "NVMe1G0h <hostnqn> <subnqn> <digest>" (nvme_tls_psk_refresh).  Before
# printing, the script checks itself against Linux's vectors
# (drivers/nvme/common/tests/auth_kunit.c), so that what it prints rests on
# them.  Run it and compare with the test:
#   python3 tests/unit/tls-psk-gen-vectors.py
import base64
import hashlib
import hmac
import struct

HASH = {1: "sha256", 2: "sha384", 3: "sha512"}


def hl(h):
    return hashlib.new(HASH[h]).digest_size


def generate(h, ks, c1, c2):
    return hmac.new(ks, c1 + c2, HASH[h]).digest()


def digest(h, psk, hostnqn, subnqn):
    return base64.b64encode(hmac.new(
        psk, hostnqn + b" " + subnqn + b" NVMe-over-Fabrics",
        HASH[h]).digest())


def tls_psk(h, psk, dig):
    prk = hmac.new(bytes(hl(h)), psk, HASH[h]).digest()
    label = b"tls13 nvme-tls-psk"
    ctx = b"%02d " % h + dig
    info = struct.pack(">H", hl(h)) + bytes([len(label)]) + label + \
        bytes([len(ctx)]) + ctx
    out, t, i = b"", b"", 1
    while len(out) < hl(h):
        t = hmac.new(prk, t + info + bytes([i]), HASH[h]).digest()
        out, i = out + t, i + 1
    return out[:hl(h)]


def identity(h, hostnqn, subnqn, dig):
    return b"NVMe1G%02d " % h + hostnqn + b" " + subnqn + b" " + dig


# Linux drivers/nvme/common/tests/auth_kunit.c: skey[i] = 'A' + i,
# c1[i] = i, c2[i] = 0xff - i (hash length bytes each), "hostnqn",
# "subsysnqn".
KUNIT = {
    1: ("1733c59fa7f48fcf37f5f26fc4ff0268ad4f78e030f4f3b0bfd1d47e7bb1447a",
        b"OldoKuTfKddMuyCznAZojkWD7P4D9/AtzDzLimtOxqI=",
        "3c17da628474a04d2247c4cab47968c915388193f7c071bd9489cc3666cd7cc8"),
    2: ("f14b2dd3234c459694d3bc63f8968bd6b37c2c6de849e22e118749001ce4bbe8"
        "640b9e3a748cb11ce4b1d71d359cce39",
        b"cffMWk8TSS7HOQebjgYEIkrPrjWPV4JE5cdPB8WhEvY4JBW5YynKyv66XscN4A9n",
        "27747532335 37b3fa50eb7d16a8e43457d85f4906c005b2236616c5d80939d08"
        "98fff15bb8b77119d2be0aac423e7590".replace(" ", "")),
    3: ("9c9f089a618b47d2d75f4b6c28070424487b445dd96e70c4c09b55e8b6000152"
        "a3363c3454043f38f0b85036ded40655350aa87b8b6a282b5c1acae16233dd5b",
        None, None),
}
for h, (psk_hex, dig, tls_hex) in KUNIT.items():
    n = hl(h)
    ks = bytes(ord("A") + i for i in range(n))
    c1 = bytes(range(n))
    c2 = bytes(0xff - i for i in range(n))
    psk = generate(h, ks, c1, c2)
    assert psk.hex() == psk_hex, "kunit generated PSK %d" % h
    if dig is None:
        continue
    assert digest(h, psk, b"hostnqn", b"subsysnqn") == dig, "kunit digest"
    assert tls_psk(h, psk, dig).hex() == tls_hex, "kunit TLS PSK %d" % h

# Our vectors: a session key as long as an ffdhe2048 value (256 bytes,
# longer than HMAC's block, so that HMAC hashes it first) and a leading
# zero byte (the value is padded to the prime's length, not trimmed), the
# NVMe/TCP specification's NQNs (3.6.1.3).
HOST = b"nqn.2014-08.org.nvmexpress:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6"
SUB = b"nqn.2014-08.org.nvmexpress:uuid:36ebf5a9-1df9-47b3-a6d0-e9ba32e428a2"
KS = bytes([0]) + bytes((i * 7 + 3) & 0xff for i in range(1, 256))


def c_bytes(name, b):
    print("static const uint8_t %s[%d] = {" % (name, len(b)))
    for i in range(0, len(b), 11):
        print("  " + ", ".join("0x%02x" % x for x in b[i:i + 11]) + ",")
    print("};")


for h in (1, 2):
    n = hl(h)
    c1 = bytes((0x30 + i) & 0xff for i in range(n))
    c2 = bytes((0xc0 ^ i) & 0xff for i in range(n))
    psk = generate(h, KS, c1, c2)
    dig = digest(h, psk, HOST, SUB)
    c_bytes("gen_%d" % h, psk)
    c_bytes("tls_%d" % h, tls_psk(h, psk, dig))
    print('#define GEN_ID_%d "%s"' % (h, identity(h, HOST, SUB,
                                                  dig).decode()))
