#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Concurrent unaligned writers through the plugin never lose or corrupt
# each other's data.
#  A. Four nbdsh processes (four NBD connections) own interleaved byte
#     slots of random sizes, so neighbours share LBAs but not bytes; each
#     rewrites parts of its slots with random data at random unaligned
#     places.  At the end every byte must be its owner's last write.
#  B. One process, four connections, rounds of overlapping unaligned (and
#     some aligned) writes all in flight together.  After each round every
#     byte must hold the value of a write covering it that was not
#     overtaken by another covering write submitted after it completed.
source "${abs_srcdir:-$(dirname "$0")}/functions.sh"
source "$abs_srcdir/functions-plugin.sh"
set -e -u -o pipefail

requires_plugin
requires_target
requires /usr/bin/nbdsh --version
requires nbdcopy --version
d=$TMPDIR_TEST
lba=${LBA_SIZE:-512}

start_target --lba-size "$lba" --ram 1M
start_plugin

cat >"$d/slots.py" <<'PY'
import os, random
me, writers = int(os.environ["ME"]), int(os.environ["WRITERS"])
lba = int(os.environ["LBA"])
h.set_strict_mode(0)
h.connect_uri(os.environ["NBD_URI"])
size = h.get_size()
# Every process derives the same slots from the same seed.
layout = random.Random(42)
slots, pos = [], 0
while True:
    n = layout.randint(1, lba * 5 // 2)
    if pos + n > size:
        break
    slots.append((pos, n))
    pos += n
mine = slots[me::writers]
rng = random.Random(1000 + me)
model = {}
for s in mine:                       # start from a known state
    data = rng.randbytes(s[1])
    h.pwrite(data, s[0])
    model[s[0]] = bytearray(data)
for i in range(int(os.environ["OPS"])):
    off, n = rng.choice(mine)
    o = rng.randrange(n)
    k = rng.randint(1, n - o)
    if rng.random() < 0.8:
        data = rng.randbytes(k)
        h.pwrite(data, off + o)
    else:
        data = bytes(k)
        h.zero(k, off + o)
    model[off][o:o + k] = data
    if rng.random() < 0.2:           # our bytes are ours: reads must match
        got = h.pread(n, off)
        if got != model[off]:
            raise AssertionError("writer %d: slot at %d changed under it"
                                 % (me, off))
fd = os.open(os.environ["MODEL"], os.O_WRONLY)
for off, data in model.items():
    os.pwrite(fd, data, off)
os.close(fd)
print("writer", me, "done:", len(mine), "slots")
PY

cat >"$d/overlap.py" <<'PY'
import os, random, select, time
lba = int(os.environ["LBA"])
conns = 4
hs = []
for i in range(conns):
    x = nbd.NBD()
    x.set_strict_mode(0)
    x.connect_uri(os.environ["NBD_URI"])
    hs.append(x)
region = 6 * lba
rng = random.Random(7)

def pattern(rnd, w, off, n):
    return random.Random(rnd * 1000003 + w).randbytes(n)

def run_all(pending, deadline):
    # pending: list of [handle, cookie, index]; records completion times.
    while pending:
        if time.monotonic() > deadline:
            raise AssertionError("writes did not complete in time")
        rd, wr = [], []
        for x in hs:
            if x.aio_in_flight() == 0:
                continue
            dirn = x.aio_get_direction()
            if dirn & nbd.AIO_DIRECTION_READ:
                rd.append(x)
            if dirn & nbd.AIO_DIRECTION_WRITE:
                wr.append(x)
        r, w, _ = select.select([x.aio_get_fd() for x in rd],
                                [x.aio_get_fd() for x in wr], [], 1)
        for x in rd:
            if x.aio_get_fd() in r:
                x.aio_notify_read()
        for x in wr:
            if x.aio_get_fd() in w:
                x.aio_notify_write()
        now = time.monotonic_ns()
        for p in list(pending):
            if p[0].aio_command_completed(p[1]):
                writes[p[2]][4] = now
                pending.remove(p)

before = hs[0].pread(region, 0)
bad = 0
for rnd in range(int(os.environ["ROUNDS"])):
    writes, pending = [], []
    for w in range(8):
        n = rng.randint(1, 2 * lba)
        off = rng.randrange(region - n + 1)
        if rng.random() < 0.3:       # some aligned writes too
            off = off // lba * lba
            n = min(-(-n // lba) * lba, region - off)
        data = pattern(rnd, w, off, n)
        x = hs[w % conns]
        start = time.monotonic_ns()
        writes.append([off, n, data, start, None])
        c = x.aio_pwrite(nbd.Buffer.from_bytearray(bytearray(data)), off)
        pending.append([x, c, len(writes) - 1])
    run_all(pending, time.monotonic() + 60)
    after = hs[0].pread(region, 0)
    for b in range(region):
        cover = [wr for wr in writes if wr[0] <= b < wr[0] + wr[1]]
        if not cover:
            ok = after[b] == before[b]
        else:
            maxstart = max(wr[3] for wr in cover)
            ok = any(wr[2][b - wr[0]] == after[b] and wr[4] > maxstart
                     or wr[3] == maxstart and wr[2][b - wr[0]] == after[b]
                     for wr in cover)
        if not ok:
            bad += 1
            if bad <= 5:
                print("round %d byte %d: 0x%02x is from no valid write"
                      % (rnd, b, after[b]))
    before = after
if bad:
    raise AssertionError("%d bytes lost or corrupted" % bad)
print("overlap: ok")
PY

echo "== A: 4 writers on interleaved slots (LBA $lba)"
size=$(nbdinfo --size "$NBD_URI")
truncate -s "$size" "$d/model"
pids=()
for me in 0 1 2 3; do
  ME=$me WRITERS=4 OPS=400 LBA=$lba MODEL="$d/model" NBD_URI=$NBD_URI \
    nbdsh_sys -c "exec(open('$d/slots.py').read())" &
  pids+=($!)
done
for p in "${pids[@]}"; do
  wait "$p" || fail "a writer failed"
done
with_timeout 60 nbdcopy "$NBD_URI" "$d/export"
# Bytes beyond the last whole slot were never written by anyone.
last=$(stat -c %s "$d/model")
cmp -n "$last" "$d/export" "$d/model" ||
  fail "lost update: the export differs from the writers' last writes"

echo "== B: overlapping writes in flight on 4 connections (LBA $lba)"
ROUNDS=60 LBA=$lba NBD_URI=$NBD_URI \
  nbdsh_sys -n -c "exec(open('$d/overlap.py').read())"
echo PASS
