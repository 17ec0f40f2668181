#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
#
# ana-io.py URI SIZE STOPFILE [PROGRESS]: I/O over one NBD connection (libnbd) until
# STOPFILE exists, while a test changes the target's paths underneath:
# random writes of 4 KiB to 256 KiB (4 KiB aligned) into the first SIZE
# bytes of the export, each followed by reading a random earlier-written
# range back and comparing it with what was written (kept in memory).  At
# the end it reads the whole range once more and prints one line:
#
#   ios=N writes=W errors=E mismatches=M sha256=HEX
#
# where HEX is the SHA-256 of the SIZE bytes as written (to compare with
# the target's backing store).  Any error or mismatch is also printed as
# it happens; the exit status is 1 if there was one.  With PROGRESS, the
# number of I/Os done so far is written there every 16 of them, so that a
# test can see I/O flowing through a given moment.

import hashlib
import os
import random
import sys

import nbd

uri, size, stopfile = sys.argv[1], int(sys.argv[2]), sys.argv[3]
progress = sys.argv[4] if len(sys.argv) > 4 else None
h = nbd.NBD()
h.set_strict_mode(0)
h.connect_uri(uri)
shadow = bytearray(size)
rng = random.Random(os.getpid())
ios = writes = errors = mismatches = 0

# Known contents first, so that every later read has something to compare.
step = 1 << 20
for off in range(0, size, step):
    data = os.urandom(min(step, size - off))
    h.pwrite(data, off)
    shadow[off:off + len(data)] = data

while not os.path.exists(stopfile):
    length = rng.randrange(1, 65) * 4096
    off = rng.randrange(0, (size - length) // 4096 + 1) * 4096
    data = os.urandom(length)
    try:
        h.pwrite(data, off)
        shadow[off:off + length] = data
        writes += 1
    except nbd.Error as e:
        errors += 1
        print("ERROR: write %d %d: %s" % (off, length, e), flush=True)
    length = rng.randrange(1, 65) * 4096
    off = rng.randrange(0, (size - length) // 4096 + 1) * 4096
    try:
        got = h.pread(length, off)
        if got != shadow[off:off + length]:
            mismatches += 1
            print("MISMATCH: read %d %d" % (off, length), flush=True)
    except nbd.Error as e:
        errors += 1
        print("ERROR: read %d %d: %s" % (off, length, e), flush=True)
    ios += 2
    if progress and ios % 16 == 0:
        with open(progress + ".tmp", "w") as f:
            f.write("%d\n" % ios)
        os.rename(progress + ".tmp", progress)

try:
    h.flush()
    final = bytearray()
    for off in range(0, size, step):
        final += h.pread(min(step, size - off), off)
    if final != shadow:
        mismatches += 1
        print("MISMATCH: the final read differs", flush=True)
except nbd.Error as e:
    errors += 1
    print("ERROR: final flush and read: %s" % e, flush=True)
h.shutdown()
print("ios=%d writes=%d errors=%d mismatches=%d sha256=%s"
      % (ios, writes, errors, mismatches, hashlib.sha256(shadow).hexdigest()))
sys.exit(1 if errors or mismatches else 0)
