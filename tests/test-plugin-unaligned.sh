#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Requests not aligned to the LBA size work: random reads, writes (some
# with FUA), zeroes and trims at random byte offsets and lengths, checked
# after every read against a local model, then the whole export against
# the model from a new connection.  libnbd's strict mode is off so that it
# sends requests smaller than the advertised minimum block size.
source "${abs_srcdir:-$(dirname "$0")}/functions.sh"
source "$abs_srcdir/functions-plugin.sh"
set -e -u -o pipefail

requires_plugin
requires_target
requires /usr/bin/nbdsh --version
requires nbdcopy --version
d=$TMPDIR_TEST
lba=${LBA_SIZE:-512}

start_target --lba-size "$lba" --ram 4M
start_plugin

cat >"$d/unaligned.py" <<'PY'
import os, random
seed = int(os.environ["SEED"])
rng = random.Random(seed)
print("seed", seed)
h.set_strict_mode(0)
h.connect_uri(os.environ["NBD_URI"])
size = h.get_size()
lba = int(os.environ["LBA"])
assert h.get_block_size(nbd.SIZE_MINIMUM) == lba, "minimum block size"
model = bytearray(h.pread(size, 0))
counts = {}
for i in range(int(os.environ["OPS"])):
    off = rng.randrange(size)
    # Mostly small, sometimes large, rarely aligned.
    top = rng.choice([16, lba, 3 * lba, 70000])
    n = rng.randint(1, min(top, size - off))
    if rng.random() < 0.1:
        off = off // lba * lba
        n = max(lba, n // lba * lba)
        n = min(n, size - off)
    op = rng.choice(["read", "read", "write", "write", "write_fua",
                     "zero", "trim"])
    counts[op] = counts.get(op, 0) + 1
    if op == "read":
        got = h.pread(n, off)
        if got != model[off:off + n]:
            bad = next(j for j in range(n) if got[j] != model[off + j])
            raise AssertionError("read of %d at %d differs from the model "
                                 "at byte %d (op %d)" % (n, off, off + bad, i))
    elif op in ("write", "write_fua"):
        data = rng.randbytes(n)
        h.pwrite(data, off, nbd.CMD_FLAG_FUA if op == "write_fua" else 0)
        model[off:off + n] = data
    elif op == "zero":
        h.zero(n, off, rng.choice([0, nbd.CMD_FLAG_NO_HOLE]))
        model[off:off + n] = bytes(n)
    else:
        # Trim is a hint: only whole LBAs inside the range are deallocated
        # (and may then read as anything); partial LBAs at the edges keep
        # their data.
        h.trim(n, off)
        start = (off + lba - 1) // lba * lba
        end = max(start, (off + n) // lba * lba)
        if start < end:
            model[start:end] = h.pread(end - start, start)
h.flush()
if h.pread(size, 0) != model:
    raise AssertionError("the export differs from the model at the end")
with open(os.environ["MODEL"], "wb") as f:
    f.write(model)
print("ok:", sorted(counts.items()))
PY

for seed in 1 2 3; do
  echo "== seed $seed"
  SEED=$seed OPS=1500 LBA=$lba MODEL="$d/model" NBD_URI=$NBD_URI \
    nbdsh_sys -c "exec(open('$d/unaligned.py').read())"
  with_timeout 60 nbdcopy "$NBD_URI" "$d/export"
  cmp "$d/export" "$d/model" ||
    fail "seed $seed: the export read by nbdcopy differs from the model"
done
echo PASS
