#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# The expected values of tests/unit/test-tls-psk.c that no published vector
# gives, computed from the definitions with Python's hmac, hashlib, base64,
# struct and zlib, and an HKDF written here (RFC 5869; HKDF-Expand-Label of
# RFC 8446 7.1): an independent writing of the same formulas
# (NVMe/TCP transport specification 3.6.1.3-3.6.1.5; TP8018 for identity
# version 1; libnvme src/nvme/linux.c derive_retained_key, derive_psk_digest,
# derive_tls_key and their _compat variants; Linux nvme_auth_generate_digest
# and nvme_auth_derive_tls_psk).  Before printing, the script checks its own
# HKDF and formulas against the published vectors the C test also uses
# (RFC 5869 A.3, RFC 8448 section 3, libnvme test/psk.c), so that what it
# prints rests on them.  Run it and compare with the test:
#   python3 tests/unit/tls-psk-vectors.py
import base64
import hashlib
import hmac
import struct
import zlib

HASH = {1: "sha256", 2: "sha384"}


def extract(h, ikm):
    # HKDF-Extract (0, IKM): a salt of HashLen zeroes.
    return hmac.new(bytes(hashlib.new(HASH[h]).digest_size), ikm,
                    HASH[h]).digest()


def expand(h, prk, info, n):
    out, t, i = b"", b"", 1
    while len(out) < n:
        t = hmac.new(prk, t + info + bytes([i]), HASH[h]).digest()
        out, i = out + t, i + 1
    return out[:n]


def label_info(n, label, ctx, compat=False):
    label = b"tls13 " + label
    if compat:  # libnvme 1.7-1.15: le16, no length bytes
        return struct.pack("<H", n) + label + ctx
    return struct.pack(">H", n) + bytes([len(label)]) + label + \
        bytes([len(ctx)]) + ctx


def expand_label(h, prk, label, ctx, n, compat=False):
    return expand(h, prk, label_info(n, label, ctx, compat), n)


def retained(hh, key, hostnqn, compat=False):
    if hh == 0:
        return key
    return expand_label(hh, extract(hh, key), b"HostNQN", hostnqn, len(key),
                        compat)


def digest(h, ret, hostnqn, subnqn):
    mac = hmac.new(ret, hostnqn + b" " + subnqn + b" NVMe-over-Fabrics",
                   HASH[h]).digest()
    return base64.b64encode(mac)


def derive(hh, key, version, hostnqn, subnqn, compat=False):
    h = hh if hh else (1 if len(key) == 32 else 2)
    ret = retained(hh, key, hostnqn, compat)
    if version == 0:
        ident = b"NVMe0R%02d %s %s" % (h, hostnqn, subnqn)
        ctx = ident
    else:
        d = digest(h, ret, hostnqn, subnqn)
        ident = b"NVMe1R%02d %s %s %s" % (h, hostnqn, subnqn, d)
        ctx = b"%02d %s" % (h, d)
    return ident, ret, expand_label(h, extract(h, ret), b"nvme-tls-psk", ctx,
                                    len(ret), compat)


def key_text(hh, key):
    c = struct.pack("<I", zlib.crc32(key))
    return f"NVMeTLSkey-1:{hh:02x}:{base64.b64encode(key + c).decode()}:"


def carray(name, b):
    print(f"static const uint8_t {name}[{len(b)}] = {{")
    for i in range(0, len(b), 12):
        print("  " + ", ".join(f"0x{x:02x}" for x in b[i:i + 12]) + ",")
    print("};")


# ---- Checks against published vectors --------------------------------------
# RFC 5869 A.3 (SHA-256, no salt, no info).
prk = extract(1, b"\x0b" * 22)
assert prk.hex() == ("19ef24a32c717b167f33a91d6f648bdf"
                     "96596776afdb6377ac434c1c293ccb04")
assert expand(1, prk, b"", 42).hex() == (
    "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec345"
    "4e5f3c738d2d9d201395faa4b61a96c8")
# RFC 8448 section 3: early secret, and Derive-Secret (., "derived", "").
es = extract(1, bytes(32))
assert es.hex() == ("33ad0a1c607ec03b09e6cd9893680ce2"
                    "10adf300aa1f2660e1b22e10f170f92a")
assert expand_label(1, es, b"derived", hashlib.sha256(b"").digest(),
                    32).hex() == ("6f2615a108c702c5678f54fc9dbab697"
                                  "16c076189c48250cebeac3576c3611ba")
# The configured PSK of the NVMe/TCP specification (3.6.1.5), which
# libnvme test/psk.c also uses, and its 48-byte extension there.
K32 = bytes.fromhex("5512DBB6737D0106F65975B773DFB011"
                    "FFC344BCF442E2DD6D8BC4870B5D5B03")
K48 = K32 + bytes.fromhex("FFC344BCF442E2DD6D8BC4870B5D5B03")
assert key_text(1, K32) == \
    "NVMeTLSkey-1:01:VRLbtnN9AQb2WXW3c9+wEf/DRLz0QuLdbYvEhwtdWwNf9LrZ:"
assert key_text(2, K48) == (
    "NVMeTLSkey-1:02:VRLbtnN9AQb2WXW3c9+wEf/DRLz0QuLdbYvEhwtdWwP/w0S89ELi3W2L"
    "xIcLXVsDn8kXZQ==:")
# libnvme test/psk.c test_data_identity and test_data_identity_compat.
LH, LS = b"nqn.psk-test-host", b"nqn.psk-test-subsys"
assert derive(1, K32, 1, LH, LS)[0].split()[-1] == \
    b"iSbjiStwJ/1TrTvDlt2fjFmzvsytOJelidNnA+X5lEU="
assert derive(2, K48, 1, LH, LS)[0].split()[-1] == \
    b"QhW2+Rp6RzHlNtCslyRxMnwJ11tKKhz8JCAQpQ+XUD8f9td1VeH5h53yz2wKJG1a"
assert derive(1, K32, 1, LH, LS, True)[0].split()[-1] == \
    b"66GuqV08TsAGII39teWUfwQwizjv06Jy8jOcX3NAAzM="
assert derive(2, K48, 1, LH, LS, True)[0].split()[-1] == \
    b"RsKmYJ3nAn1ApjjMloJFbAkLPivONDAX/xW327YBUsn2eGShXSjCZvBaOxscLqmz"

# ---- What no one published ---------------------------------------------------
# The NQNs of the specification's identity example (3.6.1.3).
SH = b"nqn.2014-08.org.nvmexpress:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6"
SS = b"nqn.2014-08.org.nvmexpress:uuid:36ebf5a9-1df9-47b3-a6d0-e9ba32e428a2"
ident, ret, psk = derive(1, K32, 0, SH, SS)
assert ident == b"NVMe0R01 " + SH + b" " + SS
carray("spec_retained_01", ret)
carray("spec_tls_v0_01", psk)
ident, ret, psk = derive(1, K32, 1, SH, SS)
print(f"/* {ident.decode()} */")
carray("spec_tls_v1_01", psk)
# hh 00: the configured PSK is the retained one.
carray("spec_tls_v0_00", derive(0, K32, 0, SH, SS)[2])
ident, ret, psk = derive(0, K48, 1, SH, SS)
print(f"/* {ident.decode()} */")
carray("k48_tls_v1_00", psk)
ident, ret, psk = derive(2, K48, 0, LH, LS)
carray("k48_retained_02", ret)
carray("k48_tls_v0_02", psk)
carray("k48_tls_v1_02", derive(2, K48, 1, LH, LS)[2])
# libnvme's compat formulas.
carray("spec_tls_v0_01_compat", derive(1, K32, 0, SH, SS, True)[2])
carray("k48_tls_v1_02_compat", derive(2, K48, 1, LH, LS, True)[2])
# HKDF-Expand-Label with SHA-384 (RFC 8448 has SHA-256 only).
carray("label_sha384",
       expand_label(2, extract(2, bytes(48)), b"derived",
                    hashlib.sha384(b"").digest(), 48))
# Valid CRCs around lengths the interchange format refuses.
for hh, n in ((0, 31), (0, 33), (1, 48), (2, 32), (0, 64)):
    print(f"/* {hh:02x} {n}: {key_text(hh, bytes(range(1, n + 1)))} */")
