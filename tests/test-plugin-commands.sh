#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# FUA, flush, trim and zero reach the target as the NVMe commands they
# should, counted by the target's --stats-file: FUA writes carry the FUA
# bit (also every piece of an unaligned one), flush is NVMe Flush (and
# nothing at all without a volatile write cache), trim is Dataset
# Management deallocate, zero is Write Zeroes (with DEAC only when the
# client allows trimming), fast zero is accepted.  Data is checked too.
source "${abs_srcdir:-$(dirname "$0")}/functions.sh"
source "$abs_srcdir/functions-plugin.sh"
set -e -u -o pipefail

requires_plugin
requires_target
requires /usr/bin/nbdsh --version
requires jq --version
d=$TMPDIR_TEST

cat >"$d/commands.py" <<'PY'
import json, os, signal, time
stats_file = os.environ["STATS"]
target = int(os.environ["TARGET_PID"])
vwc = os.environ["VWC"] == "1"

def stats():
    try:
        old = json.load(open(stats_file))["seq"]
    except (OSError, ValueError):
        old = 0
    os.kill(target, signal.SIGUSR1)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            s = json.load(open(stats_file))
            if s["seq"] > old:
                return s["commands"]
        except (OSError, ValueError, KeyError):
            pass
        time.sleep(0.02)
    raise AssertionError("the target did not rewrite its stats")

def expect(what, fn, **want):
    before = stats()
    fn()
    after = stats()
    got = {k: after[k] - before[k] for k in after}
    for k, v in want.items():
        if callable(v):
            ok = v(got[k])
        else:
            ok = got[k] == v
        if not ok:
            raise AssertionError("%s: %s changed by %d (%s)"
                                 % (what, k, got[k], got))
    print("%-34s ok: %s" % (what, {k: got[k] for k in want}))

h.set_strict_mode(0)
h.connect_uri(os.environ["NBD_URI"])
assert h.can_flush() and h.can_fua() and h.can_trim() and h.can_zero()
assert h.can_fast_zero() and h.can_multi_conn()
data = os.urandom(65536)

expect("write with FUA", lambda: h.pwrite(data, 0, nbd.CMD_FLAG_FUA),
       write=1, write_fua=1)
expect("write without FUA", lambda: h.pwrite(data, 65536),
       write=1, write_fua=0)
# Unaligned: the head and tail are read-modify-written, every piece FUA.
expect("unaligned write with FUA",
       lambda: h.pwrite(data[:5000], 1000, nbd.CMD_FLAG_FUA),
       write=lambda n: n >= 3, write_fua=lambda n: n >= 3, read=2)
assert h.pread(5000, 1000) == data[:5000]
expect("flush", lambda: h.flush(), flush=1 if vwc else 0)
expect("trim", lambda: h.trim(1 << 20, 1 << 20),
       dsm_deallocate=1, write=0)
expect("zero (no hole)",
       lambda: h.zero(1 << 20, 4 << 20, nbd.CMD_FLAG_NO_HOLE),
       write_zeroes=1, write_zeroes_deac=0, write=0)
expect("zero (may trim)", lambda: h.zero(1 << 20, 6 << 20),
       write_zeroes=1, write_zeroes_deac=1, write=0)
expect("fast zero", lambda: h.zero(1 << 20, 8 << 20, nbd.CMD_FLAG_FAST_ZERO),
       write_zeroes=1, write=0)
expect("zero with FUA", lambda: h.zero(65536, 0, nbd.CMD_FLAG_FUA),
       write_zeroes=1, write=0)
assert h.pread(65536, 0) == bytes(65536)
# Unaligned zero: Write Zeroes for the whole LBA inside, RMW at the edges.
h.pwrite(data, 65536)
expect("unaligned zero", lambda: h.zero(1000, 65536 + 100),
       write_zeroes=1, write=2, read=2)
got = h.pread(4096, 65536)
assert got[:100] == data[:100], "bytes before the zeroed range changed"
assert got[100:1100] == bytes(1000), "not zeroed"
assert got[1100:] == data[1100:4096], "bytes after the zeroed range changed"
for off in (4 << 20, 6 << 20, 8 << 20):
    assert h.pread(1 << 20, off) == bytes(1 << 20), "zeroed range not zero"
print("commands: ok")
PY

for vwc in 1 0; do
  if [ "$vwc" = 1 ]; then
    echo "== a namespace with a volatile write cache"
    start_target --ram 16M --stats-file "$d/stats$vwc.json"
  else
    echo "== without a volatile write cache (flush has nothing to do)"
    stop_target
    start_target --ram 16M --no-write-cache --stats-file "$d/stats$vwc.json"
  fi
  start_plugin
  STATS="$d/stats$vwc.json" VWC=$vwc NBD_URI=$NBD_URI TARGET_PID=$TARGET_PID \
    nbdsh_sys -c "exec(open('$d/commands.py').read())"
done
echo PASS
