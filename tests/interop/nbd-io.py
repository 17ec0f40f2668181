#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
#
# nbd-io.py URI < OPS: run simple I/O operations over one NBD connection
# (libnbd's Python binding, Debian's /usr/bin/python3) and print one result
# line per operation, so a shell test can compare checksums with the ones
# the kernel target's backing store gives.  Operations, one per line:
#
#   write OFF LEN     write LEN random bytes at OFF; prints their SHA-256
#   read OFF LEN      read LEN bytes at OFF; prints their SHA-256
#   zero OFF LEN      NBD_CMD_WRITE_ZEROES (no trim); prints "ok"
#   trim OFF LEN      NBD_CMD_TRIM; prints "ok"
#   flush             NBD_CMD_FLUSH; prints "ok"
#   size              prints the export size
#   blocksize         prints "MIN PREFERRED MAX" (0 when not advertised)
#
# Requests larger than the server's maximum block size are split.  Any
# error prints "ERROR: ..." and exits 1.

import hashlib
import os
import sys

import nbd


def chunks(h, off, length):
    maximum = h.get_block_size(nbd.SIZE_MAXIMUM)
    step = maximum if maximum > 0 else 32 * 1024 * 1024
    end = off + length
    while off < end:
        n = min(step, end - off)
        yield off, n
        off += n


def main():
    if len(sys.argv) != 2:
        sys.exit('usage: nbd-io.py URI < OPS')
    h = nbd.NBD()
    # Unaligned requests are part of what is tested (the plugin does
    # read-modify-write); libnbd 1.14 refuses them in strict mode.
    h.set_strict_mode(0)
    h.connect_uri(sys.argv[1])
    for line in sys.stdin:
        w = line.split()
        if not w:
            continue
        op, args = w[0], [int(x, 0) for x in w[1:]]
        try:
            if op == 'write':
                off, length = args
                data = os.urandom(length)
                for o, n in chunks(h, off, length):
                    h.pwrite(data[o - off:o - off + n], o)
                print(hashlib.sha256(data).hexdigest())
            elif op == 'read':
                off, length = args
                s = hashlib.sha256()
                for o, n in chunks(h, off, length):
                    s.update(h.pread(n, o))
                print(s.hexdigest())
            elif op == 'zero':
                off, length = args
                for o, n in chunks(h, off, length):
                    h.zero(n, o, nbd.CMD_FLAG_NO_HOLE)
                print('ok')
            elif op == 'trim':
                off, length = args
                for o, n in chunks(h, off, length):
                    h.trim(n, o)
                print('ok')
            elif op == 'flush':
                h.flush()
                print('ok')
            elif op == 'size':
                print(h.get_size())
            elif op == 'blocksize':
                print(' '.join(str(h.get_block_size(k)) for k in
                               (nbd.SIZE_MINIMUM, nbd.SIZE_PREFERRED,
                                nbd.SIZE_MAXIMUM)))
            else:
                print('ERROR: unknown operation %r' % op)
                return 1
        except nbd.Error as e:
            print('ERROR: %s %s: %s' % (op, ' '.join(w[1:]), e))
            return 1
        sys.stdout.flush()
    h.shutdown()
    return 0


if __name__ == '__main__':
    sys.exit(main())
