#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The NVMe/TCP I/O queue's two engines side by side: the system calls
# (recv/sendmsg, the default) and io_uring (NVMEOF_TCP_ENGINE=uring,
# initiator/tcp-uring.c), with `nvmeof bench` (CPU A, default 0) against
# nvmeof-target with a RAM namespace (CPU B, default 1).  Runs alternate
# (A B, then B A, ...) so that a load that comes and goes on a shared
# machine hits both alike; each workload prints the median and the range
# of IOPS, mean latency and IOPS per CPU-second (user + system time of
# the nvmeof process), and the ratio of the medians uring / syscalls.
# The keep-it rule of issue 13: io_uring stays only where it wins >= 10 %
# IOPS per CPU-second.
#
# The engine was taken out again after the measurement (commit 18c6608,
# docs/performance.md): build commit a169ffd (the engine as measured) to
# run this.  On any other tree NVMEOF_TCP_ENGINE is ignored and both
# columns measure the system calls.
#
# Usage: bench/bench-uring.sh [--builddir=DIR] [--time=S] [--cpus=A,B]
#          [--quick] [--rounds=N]   (default 5 s per run, 4 rounds)
source "$(dirname "$0")/bench-common.sh"

ROUNDS=4
args=()
for a in "$@"; do
  case $a in
    --rounds=*) ROUNDS=${a#*=} ;;
    *) args+=("$a") ;;
  esac
done
case $ROUNDS in
  '' | *[!0-9]* | 0) echo "$(basename "$0"): --rounds: expected a count" >&2
                     exit 1 ;;
esac
BENCH_TIME=5
bench_init "${args[@]}"
bench_need jq
[ -x "$CLI_BIN" ] || bench_die "$CLI_BIN is not built"

start_target "$BENCH_CPU_B" --ram 1G

# run ENGINE ARGS..: prints "IOPS lat-mean-us cpu-s iops/cpu-s".
run ()
{
  local engine=$1 out=$BENCH_TMP/bench.json
  shift
  if ! NVMEOF_TCP_ENGINE=$engine taskset -c "$BENCH_CPU_A" "$CLI_BIN" bench \
    "$TARGET_URL" --time="$BENCH_TIME" -o json "$@" >"$out" \
    2>"$BENCH_TMP/bench.err"; then
    echo "nvmeof bench $* failed: $(tail -2 "$BENCH_TMP/bench.err")" >&2
    echo "- - - -"
    return
  fi
  jq -r '"\(.iops) \(.lat_mean_us) \(.cpu_s) \(.iops_per_cpu_s)"' "$out" |
    awk '{ printf "%.0f %.1f %.2f %.0f\n", $1, $2, $3, $4 }'
}

# stats FILE COLUMN: "median min-max" of a column.
stats ()
{
  cut -d' ' -f"$2" "$1" | sort -g |
    awk '{ v[NR] = $1 }
         END { m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
               printf "%.0f %.0f-%.0f", m, v[1], v[NR] }'
}

run syscalls --rw=read --bs=128k --qd=32 --time=0.5 >/dev/null # warm-up

echo "NVMe/TCP engines: $(nproc) CPUs, nvmeof bench on CPU $BENCH_CPU_A," \
  "nvmeof-target on CPU $BENCH_CPU_B, $BENCH_TIME s per run, $ROUNDS" \
  "rounds alternating; load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
printf '%-20s %-9s %18s %16s %20s\n' workload engine "IOPS (range)" \
  "lat us (range)" "IOPS/CPU-s (range)"

workload ()
{
  local name=$1 i e
  shift
  : >"$BENCH_TMP/syscalls" && : >"$BENCH_TMP/uring"
  for ((i = 0; i < ROUNDS; i++)); do
    if ((i % 2 == 0)); then
      run syscalls "$@" >>"$BENCH_TMP/syscalls"
      run uring "$@" >>"$BENCH_TMP/uring"
    else
      run uring "$@" >>"$BENCH_TMP/uring"
      run syscalls "$@" >>"$BENCH_TMP/syscalls"
    fi
  done
  for e in syscalls uring; do
    local iops lat per
    iops=$(stats "$BENCH_TMP/$e" 1)
    lat=$(stats "$BENCH_TMP/$e" 2)
    per=$(stats "$BENCH_TMP/$e" 4)
    printf '%-20s %-9s %18s %16s %20s\n' "$name" "$e" \
      "${iops% *} (${iops#* })" "${lat% *} (${lat#* })" \
      "${per% *} (${per#* })"
  done
  local a b
  a=$(stats "$BENCH_TMP/syscalls" 4)
  b=$(stats "$BENCH_TMP/uring" 4)
  awk -v a="${a% *}" -v b="${b% *}" -v n="$name" \
    'BEGIN { printf "%-20s uring/syscalls IOPS per CPU-second: %.2f\n", n, (a > 0 ? b / a : 0) }'
}

workload "4K randread QD32" --rw=randread --bs=4k --qd=32
workload "4K randwrite QD32" --rw=randwrite --bs=4k --qd=32
workload "128K read QD32" --rw=read --bs=128k --qd=32
workload "4K randread QD1" --rw=randread --bs=4k --qd=1
echo
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
