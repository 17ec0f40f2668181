#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# The expected values of tests/unit/test-dhchap.c that no published vector
# gives: the key transform, the augmented challenge and the responses,
# computed here from the definitions (NVMe Base 2.0 8.13.5; Linux
# drivers/nvme/common/auth.c nvme_auth_transform_key and
# nvme_auth_augmented_challenge, drivers/nvme/host/auth.c
# nvme_auth_dhchap_setup_host_response / _ctrl_response) with Python's
# hmac, hashlib, base64 and zlib: an independent writing of the same
# formulas.  Prints the C arrays; run it and compare with the test:
#   python3 tests/unit/dhchap-vectors.py
import base64
import hashlib
import hmac
import struct
import zlib

HOSTNQN = b"nqn.2014-08.org.nvmexpress:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6"
SUBNQN = b"nqn.2014-08.com.example:nvme:sub1"
HASH = {1: "sha256", 2: "sha384", 3: "sha512"}

# The example secret of the NVMe Base specification (8.13.5.8), quoted in
# Linux commit "nvme-auth: allow mixing of secret and hash lengths".
SPEC_B64 = "ia6zGodOr4SEG0Zzaw398rpY0wqipUWj4jWjUh4HWUz6aQ2n"
raw = base64.b64decode(SPEC_B64)
spec_key, crc = raw[:32], struct.unpack("<I", raw[32:])[0]
assert crc == zlib.crc32(spec_key)
key48 = bytes(range(48))
key64 = bytes(range(0x40, 0x80))


def transform(key, hh, nqn):
    if hh == 0:
        return key
    return hmac.new(key, nqn + b"NVMe-over-Fabrics", HASH[hh]).digest()


def response(hh, ctrl, key, chal, seq, tid, scc, hostnqn, subnqn):
    data = chal + struct.pack("<IHB", seq, tid, scc)
    if ctrl:
        data += b"Controller" + subnqn + b"\0" + hostnqn
    else:
        data += b"HostHost" + hostnqn + b"\0" + subnqn
    return hmac.new(key, data, HASH[hh]).digest()


def augment(hh, shared, chal):
    h = hashlib.new(HASH[hh], shared).digest()
    return hmac.new(h, chal, HASH[hh]).digest()


def carray(name, b):
    print(f"static const uint8_t {name}[{len(b)}] = {{")
    for i in range(0, len(b), 12):
        print("  " + ", ".join(f"0x{x:02x}" for x in b[i:i + 12]) + ",")
    print("};")


def key_text(hh, key):
    c = struct.pack("<I", zlib.crc32(key))
    return f"DHHC-1:{hh:02x}:{base64.b64encode(key + c).decode()}:"


print(f'/* {key_text(2, key48)} */')
print(f'/* {key_text(3, key64)} */')
t1 = transform(spec_key, 1, HOSTNQN)
carray("xform_spec_01", t1)
carray("xform_spec_03", transform(spec_key, 3, HOSTNQN))
t2 = transform(key48, 2, SUBNQN)
carray("xform_48_02_sub", t2)
chal32 = bytes(range(0x20, 0x40))
chal48 = bytes(range(0x90, 0xC0))
carray("r1_sha256",
       response(1, False, t1, chal32, 0x12345678, 0x0102, 0, HOSTNQN, SUBNQN))
carray("r2_sha256",
       response(1, True, t1, chal32, 0x9ABCDEF0, 0x0102, 0, HOSTNQN, SUBNQN))
carray("r1_sha384_scc",
       response(2, False, t2, chal48, 1, 0xFFFF, 1, HOSTNQN, SUBNQN))
shared = bytes(3) + bytes((i * 7) & 0xFF for i in range(253))
carray("aug_sha256", augment(1, shared, chal32))
carray("aug_sha384", augment(2, shared, chal48))
# Valid CRCs around secrets of lengths the text form refuses.
for n in (31, 33):
    print(f'/* {n} bytes: {key_text(0, bytes(range(1, n + 1)))} */')
