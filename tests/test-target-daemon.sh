#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# nvmeof-target without -f: it daemonizes once listening, the pidfile then
# names the daemon, SIGUSR1 rewrites the stats file (seq grows), SIGTERM
# shuts it down cleanly (stats written again, pidfile removed, file data
# flushed).  Also: the stats counters see FUA, flush, trim and zeroing.
source "${abs_srcdir:-$(dirname "$0")}/functions.sh"
set -e -u -o pipefail
requires_target
requires test -x /usr/bin/python3
# The raw NVMe/TCP client (target_client.py); no .pyc in the source tree.
export PYTHONPATH=$abs_srcdir PYTHONDONTWRITEBYTECODE=1

d=$(tmpdir)
port=$(free_port)
truncate -s 4M "$d/disk.img"

# -v keeps stderr (into our log) after daemonizing, for sanitizer reports.
with_timeout 20 "$NVMEOF_TARGET" -v -P "$d/pid" -l "127.0.0.1:$port" \
  --file "$d/disk.img" --stats-file "$d/stats.json" \
  </dev/null >/dev/null 2>"$d/log" ||
  fail "the parent did not exit 0 after daemonizing: $(cat "$d/log")"
wait_for_pidfile "$d/pid" 20 || fail "no pidfile"
pid=$(cat "$d/pid")
cleanup_fn kill -KILL "$pid"
_alive "$pid" || fail "the daemon ($pid) is not running"
[ "$(ps -o ppid= -p "$pid" | tr -d ' ')" != "$$" ] ||
  fail "the pidfile names our own child, not the daemon"
[ "$(readlink "/proc/$pid/cwd")" = / ] || fail "the daemon did not chdir /"

# Commands that must show in the counters.
with_timeout 30 /usr/bin/python3 - "$port" "$d" <<'EOF'
import os, struct, sys
from target_client import *
port, d = int(sys.argv[1]), sys.argv[2]
N = "nqn.2026-11.io.nvmeof:target"
a, cntlid = admin_session(port, N)
io = io_session(port, N, cntlid)
data = os.urandom(65536)
open(d + "/data.bin", "wb").write(data)
assert io.write(1, 0, data, fua=True).status == 0
assert io.write(1, 128, data).status == 0
c, _ = io.command(sqe(0x00, io.next_cid(), nsid=1))              # flush
assert c.status == 0, c
# Write Zeroes of 8 blocks at 128, with DEAC (bit 25) for 8 more at 136.
c, _ = io.command(sqe(0x08, io.next_cid(), nsid=1, cdw10=128, cdw12=7))
assert c.status == 0, c
c, _ = io.command(sqe(0x08, io.next_cid(), nsid=1, cdw10=136,
                      cdw12=7 | 1 << 25))
assert c.status == 0, c
# DSM deallocate, two ranges (blocks 0-7 and 64-71).
ranges = struct.pack("<IIQ", 0, 8, 0) + struct.pack("<IIQ", 0, 8, 64)
c, _ = io.command(sqe(0x09, io.next_cid(), nsid=1, cdw10=1, cdw11=4,
                      sgl_len=32, sgl_id=SGL_ICD), ranges)
assert c.status == 0, c
c, back = io.read(1, 0, 256)
want = bytes(4096) + data[4096:32768] + bytes(4096) + data[36864:] \
    + bytes(8192) + data[8192:]
assert back == want, "trimmed/zeroed blocks must read as zeroes"
io.close(); a.close()
print("ok: I/O done")
EOF

kill -USR1 "$pid"
for i in $(seq 100); do [ -s "$d/stats.json" ] && break; sleep 0.05; done
/usr/bin/python3 - "$d/stats.json" <<'EOF' || fail "stats after SIGUSR1: $(cat "$d/stats.json")"
import json, sys
s = json.load(open(sys.argv[1])); c = s["commands"]
assert s["seq"] == 1, s
assert (c["write"], c["write_fua"], c["flush"]) == (2, 1, 1), c
assert (c["write_zeroes"], c["write_zeroes_deac"]) == (2, 1), c
assert (c["dsm_deallocate"], c["dsm_ranges"]) == (1, 2), c
assert c["connect"] == 2 and c["identify"] == 0 and c["read"] == 1, c
assert s["bytes_written"] == 131072 and s["bytes_read"] == 131072, s
EOF
echo "ok: stats after SIGUSR1"

kill -TERM "$pid"
_wait_gone "$pid" 10 || fail "the daemon did not exit on SIGTERM"
[ ! -e "$d/pid" ] || fail "the pidfile was not removed"
grep -q '"seq":2' "$d/stats.json" || fail "no stats at exit: $(cat "$d/stats.json")"
_check_log_clean "$d/log" nvmeof-target || fail "sanitizer report"
echo "ok: SIGTERM"

# The second write (at byte 65536, its first 8 KiB zeroed since) is in the
# file.
cmp -n 57344 -i 73728:8192 "$d/disk.img" "$d/data.bin" ||
  fail "the file does not hold the written data"
echo "ok: data in the file"
