#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# nvmeof-target's two backends for files and block devices, side by side:
# io_uring (with O_DIRECT, and with --buffered-io) and blocking, serving a
# regular file and a loop block device (as root; created and removed
# here).  Each run writes random data (in-capsule and by R2T, with and
# without FUA) and reads it back by checksum, both through the target and
# from the backing file itself; Flush, Write Zeroes, Write Zeroes with
# DEAC and Dataset Management deallocate read back as zeroes and free the
# file's blocks (SEEK_HOLE); nvmeof bench at QD32 verifies its pattern and
# the statistics show several commands in flight in one queue's ring.
# A full file system (root: a small tmpfs) gives Capacity Exceeded with
# both backends.  NVMEOF_TARGET_NO_IO_URING=1 makes the io_uring backend fall back to the
# blocking one with one warning line.
source "${abs_srcdir:-$(dirname "$0")}/functions.sh"
set -e -u -o pipefail
requires_target
requires test -x /usr/bin/python3
requires jq --version
requires_built "$NVMEOF_CLI"
export PYTHONPATH=$abs_srcdir PYTHONDONTWRITEBYTECODE=1

d=$(tmpdir)

# The commands, by the raw client; the backing path is read directly.
check_io ()
{
  with_timeout 60 /usr/bin/python3 - "$TARGET_PORT" "$TARGET_NQN" "$1" \
    "$2" <<'EOF'
import hashlib, os, struct, sys
from target_client import *
port, nqn, path, hole_file = int(sys.argv[1]), sys.argv[2], sys.argv[3], \
    sys.argv[4]
a, cntlid = admin_session(port, nqn)
io = io_session(port, nqn, cntlid)

def sha(b):
    return hashlib.sha256(b).hexdigest()

def backing(off, n):
    with open(path, "rb") as f:
        f.seek(off)
        return f.read(n)

# Random data: 4 KiB in the capsule, 64 KiB and 128 KiB by R2T, one with
# FUA, one starting at an LBA that is not 4 KiB aligned.
writes = [(8, os.urandom(4096), False), (17, os.urandom(65536), True),
          (2048, os.urandom(131072), False), (4096, os.urandom(1 << 20),
                                              False)]
for slba, data, fua in writes:
    if len(data) > 131072:
        for i in range(0, len(data), 131072):
            c = io.write(1, slba + i // 512, data[i:i + 131072])
            assert c.status == 0, c
    else:
        c = io.write(1, slba, data, fua=fua)
        assert c.status == 0, c
c, _ = io.command(sqe(0x00, io.next_cid(), nsid=1))             # flush
assert c.status == 0, c
for slba, data, fua in writes:
    got = b""
    for i in range(0, len(data), 131072):
        n = min(131072, len(data) - i) // 512
        c, part = io.read(1, slba + i // 512, n)
        assert c.status == 0, c
        got += part
    assert sha(got) == sha(data), "read back differs at LBA %d" % slba
    assert sha(backing(slba * 512, len(data))) == sha(data), \
        "the backing store differs at LBA %d" % slba

# Write Zeroes (8 blocks at 2048, with FUA), with DEAC (8 blocks at 2056),
# DSM deallocate of two ranges: blocks 8-15 and the whole 1 MiB at 4096.
c, _ = io.command(sqe(0x08, io.next_cid(), nsid=1, cdw10=2048,
                      cdw12=7 | 1 << 30))
assert c.status == 0, c
c, _ = io.command(sqe(0x08, io.next_cid(), nsid=1, cdw10=2056,
                      cdw12=7 | 1 << 25))
assert c.status == 0, c
ranges = struct.pack("<IIQ", 0, 8, 8) + struct.pack("<IIQ", 0, 2048, 4096)
c, _ = io.command(sqe(0x09, io.next_cid(), nsid=1, cdw10=1, cdw11=4,
                      sgl_len=32, sgl_id=SGL_ICD), ranges)
assert c.status == 0, c
c, _ = io.command(sqe(0x00, io.next_cid(), nsid=1))
assert c.status == 0, c
zero_checks = [(8, 4096), (2048, 8192), (4096, 1 << 20)]
for slba, n in zero_checks:
    got = b""
    for i in range(0, n, 131072):
        c, part = io.read(1, slba + i // 512, min(131072, n - i) // 512)
        assert c.status == 0, c
        got += part
    assert got == bytes(n), "LBA %d does not read back as zeroes" % slba
    assert backing(slba * 512, n) == bytes(n), \
        "the backing store is not zero at LBA %d" % slba
rest = writes[2][1][8192:]
c, got = io.read(1, 2064, len(rest) // 512)
assert c.status == 0 and got == rest, "zeroing went beyond its range"

# The deallocated MiB is a hole in the file (or, for a loop device, in the
# file behind it).
fd = os.open(hole_file, os.O_RDONLY)
try:
    hole = os.lseek(fd, 4096 * 512, os.SEEK_HOLE)
finally:
    os.close(fd)
assert hole == 4096 * 512, "deallocation left the blocks allocated " \
    "(first hole at %d)" % hole

# An LBA range beyond the end is refused as before.
c, _ = io.read(1, (1 << 40), 1)
assert c.status == 0x80, c
io.close(); a.close()
EOF
}

# One target: BACKEND (io_uring, blocking, fallback), PATH, the file whose
# holes show deallocation, and further target options.
run_case ()
{
  local backend=$1 path=$2 hole_file=$3 want_dio=$4 what
  shift 4
  what="$backend $path $*"
  rm -f "$d/stats.json"
  if [ "$backend" = fallback ]; then
    NVMEOF_TARGET_NO_IO_URING=1 start_target -v --backend io_uring \
      --file "$path" --stats-file "$d/stats.json" "$@"
  else
    start_target -v --backend "$backend" --file "$path" \
      --stats-file "$d/stats.json" "$@"
  fi
  check_io "$path" "$hole_file" || fail "$what: I/O check failed"
  with_timeout 60 "$NVMEOF_CLI" bench "$TARGET_URL" --rw=randwrite \
    --qd=32 --time=1 --size=16M --verify >"$d/bench.out" 2>&1 ||
    fail "$what: bench randwrite: $(cat "$d/bench.out")"
  with_timeout 60 "$NVMEOF_CLI" bench "$TARGET_URL" --rw=randread \
    --qd=32 --time=1 --size=16M --verify >"$d/bench.out" 2>&1 ||
    fail "$what: bench randread: $(cat "$d/bench.out")"
  grep -q " 0 verify errors" "$d/bench.out" ||
    fail "$what: bench: $(cat "$d/bench.out")"
  stats_refresh "$d/stats.json"
  local queues inflight
  queues=$(jq -er .io_uring_queues "$d/stats.json")
  inflight=$(jq -er .io_uring_max_in_flight "$d/stats.json")
  case $backend in
    io_uring)
      [ "$queues" -ge 1 ] || fail "$what: no queue got a ring"
      [ "$inflight" -gt 1 ] ||
        fail "$what: at most $inflight command in flight per queue at QD32"
      ! grep -q "warning: io_uring" "$TARGET_LOG" ||
        fail "$what: unexpected fallback: $(cat "$TARGET_LOG")"
      if [ "$want_dio" = yes ]; then
        grep -q "$path: O_DIRECT (alignment" "$TARGET_LOG" ||
          fail "$what: O_DIRECT not used: $(cat "$TARGET_LOG")"
      elif [ "$want_dio" = any ]; then
        grep -Eq "$path: (O_DIRECT \(alignment|no O_DIRECT|O_DIRECT needs)" \
          "$TARGET_LOG" ||
          fail "$what: no O_DIRECT decision logged: $(cat "$TARGET_LOG")"
      else
        ! grep -q "$path: O_DIRECT (alignment" "$TARGET_LOG" ||
          fail "$what: O_DIRECT used: $(cat "$TARGET_LOG")"
      fi
      ;;
    *)
      [ "$queues" -eq 0 ] && [ "$inflight" -eq 0 ] ||
        fail "$what: the blocking backend used io_uring"
      ! grep -q "O_DIRECT (alignment" "$TARGET_LOG" ||
        fail "$what: the blocking backend opened O_DIRECT"
      ;;
  esac
  if [ "$backend" = fallback ]; then
    [ "$(grep -c "warning: io_uring is not available" "$TARGET_LOG")" = 1 ] ||
      fail "$what: no one-line fallback warning: $(cat "$TARGET_LOG")"
  fi
  stop_target
}

# A file: O_DIRECT if its file system takes it with 512-byte alignment
# (the test's LBA size), which depends on where $TMPDIR is; a loop device
# (512-byte logical blocks) always takes it.
truncate -s 64M "$d/disk.img"
run_case io_uring "$d/disk.img" "$d/disk.img" any
run_case io_uring "$d/disk.img" "$d/disk.img" no --buffered-io
run_case blocking "$d/disk.img" "$d/disk.img" no
run_case fallback "$d/disk.img" "$d/disk.img" no

# The JSON key: "buffered_io" per namespace; a wrong type is refused
# naming it.
truncate -s 8M "$d/a.img" "$d/b.img"
json_config ()
{
  cat >"$d/nvmet.json" <<EOF
{ "ports": [ { "addr": { "adrfam": "ipv4", "traddr": "127.0.0.1",
    "trsvcid": "$1", "trtype": "tcp" }, "portid": 1,
    "subsystems": [ "nqn.2026-11.io.test:uring" ] } ],
  "subsystems": [ { "nqn": "nqn.2026-11.io.test:uring",
    "attr": { "allow_any_host": "1" },
    "namespaces": [
      { "nsid": 1, "enable": 1, "device": { "path": "$d/a.img" },
        "nvmeof": { "lba_size": 4096 } },
      { "nsid": 2, "enable": 1, "device": { "path": "$d/b.img" },
        "nvmeof": { "lba_size": 4096, "buffered_io": $2 } } ] } ] }
EOF
}
port=$(free_port)
json_config "$port" true
start_target -v --backend io_uring -c "$d/nvmet.json" -l "127.0.0.1:$port"
grep -Eq "$d/a.img: (O_DIRECT \(alignment|no O_DIRECT|O_DIRECT needs)" \
  "$TARGET_LOG" || fail "JSON: no O_DIRECT decision for nsid 1"
! grep -q "$d/b.img" "$TARGET_LOG" ||
  fail "JSON: buffered_io namespace opened for O_DIRECT: $(cat "$TARGET_LOG")"
stop_target
json_config "$port" '"yes"'
if "$NVMEOF_TARGET" -f -c "$d/nvmet.json" >"$d/err" 2>&1; then
  fail "a string for buffered_io was accepted"
fi
grep -q "buffered_io" "$d/err" ||
  fail "the error does not name the key: $(cat "$d/err")"

# A loop block device over a sparse file: deallocation reaches the file.
if [ "$(id -u)" = 0 ] && command -v losetup >/dev/null; then
  truncate -s 64M "$d/loop.img"
  loopdev=$(losetup -f --show "$d/loop.img") ||
    fail "losetup failed (root, util-linux present)"
  cleanup_fn losetup -d "$loopdev"
  run_case io_uring "$loopdev" "$d/loop.img" yes
  run_case io_uring "$loopdev" "$d/loop.img" no --buffered-io
  run_case blocking "$loopdev" "$d/loop.img" no

  # A full file system: ENOSPC maps to Capacity Exceeded with both
  # backends, as the blocking path always did.
  mkdir "$d/small"
  mount -t tmpfs -o size=1M tmpfs "$d/small" || fail "cannot mount tmpfs"
  cleanup_fn umount "$d/small"
  truncate -s 8M "$d/small/disk.img"
  for backend in io_uring blocking; do
    start_target --backend "$backend" --file "$d/small/disk.img"
    with_timeout 60 /usr/bin/python3 - "$TARGET_PORT" "$TARGET_NQN" <<'EOF2' ||
import os, sys
from target_client import *
port, nqn = int(sys.argv[1]), sys.argv[2]
a, cntlid = admin_session(port, nqn)
io = io_session(port, nqn, cntlid)
statuses = set()
for slba in range(0, 8 << 11, 256):
    statuses.add(io.write(1, slba, os.urandom(131072)).status)
assert statuses == {0, 0x81}, "statuses %r, expected success and " \
    "Capacity Exceeded (0x81)" % statuses
io.close(); a.close()
EOF2
      fail "$backend: a full file system: wrong statuses"
    stop_target
  done
  rm -f "$d/small/disk.img"
else
  echo "$0: not root: the loop block device part did not run" >&2
fi
