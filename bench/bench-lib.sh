#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The library alone: `nvmeof bench` (CPU A, default 0) against
# nvmeof-target with a RAM namespace (CPU B, default 1).  The figures that
# matter are per initiator CPU-second: I/Os (and bytes) divided by the CPU
# time of the nvmeof process itself (user + system, every thread), which
# is what an application pays for the NVMe/TCP hop.  Then the scaling
# curve over I/O queues (--queues: one thread and connection each) with
# the spread of the queues' IOPS.
#
# Usage: bench/bench-lib.sh [--builddir=DIR] [--time=S] [--cpus=A,B] [--quick]
source "$(dirname "$0")/bench-common.sh"

bench_init "$@"
bench_need jq
[ -x "$CLI_BIN" ] || bench_die "$CLI_BIN is not built"

start_target "$BENCH_CPU_B" --ram 1G

# run_bench ARGS..: prints "IOPS MiB/s mean-us cpu-s iops/cpu-s MiB/cpu-s
# spread" (spread: the slowest queue's IOPS over the fastest's).
run_bench ()
{
  local out=$BENCH_TMP/bench.json
  if ! taskset -c "$BENCH_CPU_A" "$CLI_BIN" bench "$TARGET_URL" \
    --time="$BENCH_TIME" -o json "$@" >"$out" 2>"$BENCH_TMP/bench.err"; then
    echo "nvmeof bench $* failed: $(tail -2 "$BENCH_TMP/bench.err")" >&2
    echo "- - - - - - -"
    return
  fi
  jq -r '"\(.iops) \(.mib_per_s) \(.lat_mean_us) \(.cpu_s) \(.iops_per_cpu_s) \(if .cpu_s > 0 then .mib_per_s * .time_s / .cpu_s else 0 end) \(.queue_spread // 1)"' \
    "$out" | awk '{ printf "%.0f %.1f %.1f %.2f %.0f %.0f %.2f\n", $1, $2, $3, $4, $5, $6, $7 }'
}

# A short warm-up: the first connection pays for page faults in the RAM
# namespace and the target's buffers.
run_bench --rw=read --bs=128k --qd=32 --time=0.5 >/dev/null

echo "nvmeof library benchmark: $(nproc) CPUs, nvmeof bench on CPU" \
  "$BENCH_CPU_A, nvmeof-target on CPU $BENCH_CPU_B, $BENCH_TIME s per point"
echo
printf '%-28s %10s %10s %10s %8s %14s %14s\n' workload IOPS MiB/s \
  "lat(us)" "CPU(s)" "IOPS/CPU-s" "MiB/CPU-s"
row ()
{
  local name=$1
  shift
  set -- $(run_bench "$@")
  printf '%-28s %10s %10s %10s %8s %14s %14s\n' "$name" "$1" "$2" "$3" \
    "$4" "$5" "$6"
}
row "4K randread QD32" --rw=randread --bs=4k --qd=32
row "128K read QD32" --rw=read --bs=128k --qd=32
row "4K randwrite QD32" --rw=randwrite --bs=4k --qd=32
row "128K write QD32" --rw=write --bs=128k --qd=32
row "4K randread QD1 (sync)" --rw=randread --bs=4k --qd=1 --engine=sync
row "4K randread QD1 (async)" --rw=randread --bs=4k --qd=1

echo
echo "Scaling over I/O queues (each its own thread and connection, QD32" \
  "each, all on CPU $BENCH_CPU_A); spread: the slowest queue's IOPS over" \
  "the fastest's (1.00: fair, near 0: a starved queue):"
printf '%-28s %10s %10s %10s %10s\n' "queues:" 1 2 4 8
for w in "4K randread|--rw=randread --bs=4k" "128K read (MiB/s)|--rw=read --bs=128k"; do
  IFS='|' read -r name args <<<"$w"
  spreads=()
  printf '%-28s' "$name"
  for q in 1 2 4 8; do
    set -- $(run_bench $args --qd=32 --queues="$q")
    case $name in
      *MiB*) printf ' %10s' "$2" ;;
      *) printf ' %10s' "$1" ;;
    esac
    spreads+=("$7")
  done
  echo
  printf '%-28s' "  spread"
  printf ' %10s' "${spreads[@]}"
  echo
done
