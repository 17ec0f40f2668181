#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# nvmeof-target's backends for files and block devices, side by side:
# blocking (pread/pwrite) against io_uring (a ring per queue, O_DIRECT
# where possible) and io_uring with --buffered-io, each serving the same
# storage at the same time from its own process, the points interleaved.  The storage: a file on tmpfs,
# a file on ext4 on a loop device, and a loop block device (the last two
# need root; without it only tmpfs runs, and the script says so).  The
# load is `nvmeof bench` (one queue, CPU A); each target runs on CPU B.
# Per point: IOPS and the target's CPU time per I/O (utime + stime of
# every thread, io_uring's workers included, from /proc/PID/stat), the
# median of --reps runs; then the ratios io_uring / blocking (u/b) and
# io_uring --buffered-io / blocking (ub/b): for IOPS above 1 is better,
# for CPU per I/O below 1.
#
# Usage: bench/bench-target.sh [--builddir=DIR] [--time=S] [--cpus=A,B]
#                              [--quick] [--reps=N] [--size=BYTES]
source "$(dirname "$0")/bench-common.sh"

reps=3
size=256M
args=()
for a in "$@"; do
  case $a in
    --reps=*) reps=${a#*=} ;;
    --size=*) size=${a#*=} ;;
    -h | --help)
      echo "usage: $(basename "$0") [OPTIONS]"
      bench_usage
      echo "  --reps=N         runs per point, the median is shown (default 3)"
      echo "  --size=BYTES     namespace size (default 256M)"
      exit 0
      ;;
    *) args+=("$a") ;;
  esac
done
BENCH_TIME=2
bench_init "${args[@]}"
[ "$BENCH_QUICK" = 1 ] && reps=1
case $reps in '' | *[!0-9]* | 0) bench_die "--reps: expected a number" ;; esac
bench_need jq
[ -x "$CLI_BIN" ] || bench_die "$CLI_BIN is not built"

hz=$(getconf CLK_TCK)
mounts=()
loops=()
_target_cleanup ()
{
  local i
  for ((i = ${#_bench_pids[@]} - 1; i >= 0; i--)); do
    stop_pid "${_bench_pids[$i]}"
  done
  _bench_pids=()
  for i in "${mounts[@]}"; do umount "$i" 2>/dev/null; done
  for i in "${loops[@]}"; do losetup -d "$i" 2>/dev/null; done
  [ -n "${SHM_DIR:-}" ] && rm -rf "$SHM_DIR"
  _bench_cleanup
}
trap _target_cleanup EXIT

# A file of real (written) blocks, so that reads reach the storage.
fill ()
{
  dd if=/dev/zero of="$1" bs=1M count=$(($2 >> 20)) conv=fsync status=none ||
    bench_die "cannot write $1"
}

cpu_ticks ()
{
  awk '{ print $14 + $15 }' "/proc/$1/stat"
}

# point PID URL ARGS..: one run; prints "IOPS us-of-target-CPU-per-IO".
point ()
{
  local pid=$1 url=$2 out=$BENCH_TMP/bench.json t0 t1
  shift 2
  t0=$(cpu_ticks "$pid")
  if ! taskset -c "$BENCH_CPU_A" "$CLI_BIN" bench "$url" \
    --time="$BENCH_TIME" -o json "$@" >"$out" 2>"$BENCH_TMP/bench.err"; then
    echo "nvmeof bench $* failed: $(tail -2 "$BENCH_TMP/bench.err")" >&2
    echo "- -"
    return
  fi
  t1=$(cpu_ticks "$pid")
  jq -r '"\(.iops) \(.ios)"' "$out" |
    awk -v t="$((t1 - t0))" -v hz="$hz" '{
      printf "%.0f %.2f\n", $1, ($2 > 0 ? t / hz * 1e6 / $2 : 0) }'
}

median ()
{
  tr ' ' '\n' | grep -v '^-$' | sort -g |
    awk '{ v[NR] = $1 } END { if (NR == 0) print "-";
      else if (NR % 2) print v[(NR + 1) / 2];
      else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

workloads=(
  "4K randread QD1|--rw=randread --bs=4k --qd=1"
  "4K randread QD32|--rw=randread --bs=4k --qd=32"
  "4K randwrite QD1|--rw=randwrite --bs=4k --qd=1"
  "4K randwrite QD32|--rw=randwrite --bs=4k --qd=32"
  "128K read QD32|--rw=read --bs=128k --qd=32"
  "128K write QD32|--rw=write --bs=128k --qd=32"
)

# storage NAME PATH: three targets serve PATH: blocking, io_uring
# (O_DIRECT where possible) and io_uring --buffered-io; two tables.
storage ()
{
  local name=$1 path=$2 w wname wargs r i port
  local pids=() urls=() opts=("--backend blocking" "--backend io_uring -v"
    "--backend io_uring --buffered-io")
  for i in 0 1 2; do
    start_target "$BENCH_CPU_B" --file "$path" ${opts[$i]}
    pids+=("$TARGET_PID") urls+=("$TARGET_URL")
  done
  port=${urls[1]#nvme+tcp://127.0.0.1:}
  port=${port%%/*}
  echo "$name ($path; io_uring: $(grep -o 'O_DIRECT (alignment[^)]*)\|no O_DIRECT[^:]*\|needs [0-9]*-byte alignment' \
    "$BENCH_TMP/target-$port.log" | head -1))"
  printf '%-18s %28s %14s %27s %14s\n' "" "IOPS" "" "target CPU us per I/O" ""
  printf '%-18s %9s %9s %9s %6s %6s  %9s %9s %9s %6s %6s\n' workload \
    blocking uring uring-buf u/b ub/b blocking uring uring-buf u/b ub/b
  for w in "${workloads[@]}"; do
    IFS='|' read -r wname wargs <<<"$w"
    local iops=("" "" "") cpu=("" "" "") mi=() mc=()
    for ((r = 0; r < reps; r++)); do
      for i in 0 1 2; do
        set -- $(point "${pids[$i]}" "${urls[$i]}" $wargs)
        iops[$i]+=" $1" cpu[$i]+=" $2"
      done
    done
    for i in 0 1 2; do
      mi[$i]=$(echo "${iops[$i]}" | median)
      mc[$i]=$(echo "${cpu[$i]}" | median)
    done
    printf '%-18s %9s %9s %9s %6s %6s  %9s %9s %9s %6s %6s\n' "$wname" \
      "${mi[0]}" "${mi[1]}" "${mi[2]}" "$(ratio "${mi[1]}" "${mi[0]}")" \
      "$(ratio "${mi[2]}" "${mi[0]}")" "${mc[0]}" "${mc[1]}" "${mc[2]}" \
      "$(ratio "${mc[1]}" "${mc[0]}")" "$(ratio "${mc[2]}" "${mc[0]}")"
  done
  for i in 0 1 2; do stop_pid "${pids[$i]}"; done
  echo
}

bytes=$(numfmt --from=iec "$size") || bench_die "--size: expected bytes"
echo "nvmeof-target backends: $(nproc) CPUs (load average" \
  "$(cut -d' ' -f1-3 /proc/loadavg): other work on the machine shows in" \
  "the figures), nvmeof bench on CPU $BENCH_CPU_A, the targets on CPU" \
  "$BENCH_CPU_B, $BENCH_TIME s per run, median of $reps; a $size namespace;" \
  "us/IO: target CPU microseconds per I/O"
echo

SHM_DIR=$(mktemp -d /dev/shm/nvmeof-bench.XXXXXX)
fill "$SHM_DIR/disk.img" "$bytes"
storage "file on tmpfs" "$SHM_DIR/disk.img"
rm -f "$SHM_DIR/disk.img"

if [ "$(id -u)" != 0 ] || ! command -v losetup >/dev/null ||
  ! command -v mkfs.ext4 >/dev/null; then
  echo "not root (or no losetup/mkfs.ext4): ext4 on a loop device and the" \
    "loop block device were not measured"
  exit 0
fi
# Backing files on the file system of $BENCH_TMP (buffered loop devices).
truncate -s $((bytes + (64 << 20))) "$BENCH_TMP/ext4.img"
dev=$(losetup -f --show "$BENCH_TMP/ext4.img") || bench_die "losetup failed"
loops+=("$dev")
mkfs.ext4 -q "$dev" || bench_die "mkfs.ext4 $dev failed"
mkdir -p "$BENCH_TMP/mnt"
mount "$dev" "$BENCH_TMP/mnt" || bench_die "mount $dev failed"
mounts+=("$BENCH_TMP/mnt")
fill "$BENCH_TMP/mnt/disk.img" "$bytes"
storage "file on ext4 on a loop device" "$BENCH_TMP/mnt/disk.img"

fill "$BENCH_TMP/blk.img" "$bytes"
dev=$(losetup -f --show "$BENCH_TMP/blk.img") || bench_die "losetup failed"
loops+=("$dev")
storage "loop block device" "$dev"
