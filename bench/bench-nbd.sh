#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The NBD path against its competitors, side by side in one run with the
# same pinning (numbers from different runs of a noisy machine do not
# compare; ratios within one run do):
#   (a) memory:  fio (nbd engine) -> nbdkit memory 1G
#   (b) nvmeof:  fio -> nbdkit nvmeof -> nvmeof-target --ram 1G
#   (c) proxy:   fio -> nbdkit nbd -> nbdkit memory 1G (Unix socket)
#   (d) floor:   fio -> nbdkit handoff (bench/nbdkit-handoff-plugin.c):
#                every request handed to a server process on CPU B that copies
#                RAM, the caller polling for the answer (sched_yield between
#                looks) until it comes; and again polling for 50 us, then
#                sleeping, as libnvmeof waits by default (on a shared CPU B a
#                slow answer makes the first cost CPU A many yields); "floor"
#                is the better of the two: the best any plugin that waits for
#                a server can do
# fio and the nbdkit that fio talks to run on CPU A (default 0); the
# server behind it (nvmeof-target, or the proxied nbdkit memory) on CPU B
# (default 1).  Then: nbdkit's resident memory under load (plugin at its
# defaults), and the scaling grid of (b) over I/O queues (nr-io-queues)
# and NBD connections (fio jobs, each with its own connection).
#
# Usage: bench/bench-nbd.sh [--builddir=DIR] [--time=S] [--cpus=A,B] [--quick]
#        [--no-grid | --grid-only] [--conns=LIST]
# --conns: the grid's NBD connection counts (default 1,2,3,4; the floor
# plugin, polling 50 us then sleeping, gets a row of its own there).
source "$(dirname "$0")/bench-common.sh"
# The servers on CPU B in sessions of their own (bench-common.sh says why;
# BENCH_SERVER_SESSION=0 for round 2's method, everything in one session).
BENCH_SERVER_SESSION=${BENCH_SERVER_SESSION:-1}

GRID=1
CONNS="1 2 3 4"
args=()
for a in "$@"; do
  case $a in
    --no-grid) GRID=0 ;;
    --grid-only) GRID=2 ;;
    --conns=*)
      CONNS=${a#--conns=} CONNS=${CONNS//,/ }
      [[ $CONNS =~ ^[1-9][0-9]*( [1-9][0-9]*)*$ ]] ||
        bench_die "--conns: expected a list of connection counts, got '${a#--conns=}'"
      ;;
    *) args+=("$a") ;;
  esac
done
bench_init "${args[@]+"${args[@]}"}"
bench_need fio nbdkit jq
[ -f "$PLUGIN_SO" ] || bench_die "$PLUGIN_SO is not built"
HANDOFF_SO=$BUILDDIR/bench/.libs/nbdkit-handoff-plugin.so
[ -f "$HANDOFF_SO" ] || bench_die "$HANDOFF_SO is not built"
fio --enghelp=nbd >/dev/null 2>&1 || bench_die "fio has no nbd engine"

# run_fio URI RW BS QD [JOBS]: prints "IOPS MiB/s mean-latency-us".
run_fio ()
{
  local uri=$1 rw=$2 bs=$3 qd=$4 jobs=${5:-1} out dir
  out=$BENCH_TMP/fio.json
  case $rw in
    *write) dir=write ;;
    *) dir=read ;;
  esac
  if ! taskset -c "$BENCH_CPU_A" fio --output-format=json --output="$out" \
    --name=bench --ioengine=nbd --uri="$uri" --rw="$rw" --bs="$bs" \
    --iodepth="$qd" --numjobs="$jobs" --group_reporting \
    --time_based --runtime="$BENCH_TIME" --ramp_time="$BENCH_RAMP" \
    >"$BENCH_TMP/fio.log" 2>&1; then
    echo "fio failed: $(tail -3 "$BENCH_TMP/fio.log")" >&2
    echo "- - -"
    return
  fi
  jq -r ".jobs[0].$dir | \"\\(.iops) \\(.bw / 1024) \\(.lat_ns.mean / 1000)\"" \
    "$out" | awk '{ printf "%.0f %.1f %.1f\n", $1, $2, $3 }'
}

# The workloads of the table: name, rw, bs, qd, and the column shown.
WORKLOADS=(
  "4K randread QD32|randread|4k|32|iops"
  "4K randwrite QD32|randwrite|4k|32|iops"
  "128K read QD8|read|128k|8|mibs"
  "4K randread QD1|randread|4k|1|lat"
)

# diff_us A B: A-B in microseconds, "-" when either is missing.
diff_us ()
{
  awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || a == "" ||
    b == "") print "-"; else printf "%+.1fus", a - b }'
}

declare -A R # R[competitor,workload index] = "IOPS MiB/s lat"

measure_all ()
{
  local who=$1 uri=$2 i w rw bs qd
  for i in "${!WORKLOADS[@]}"; do
    IFS='|' read -r _ rw bs qd _ <<<"${WORKLOADS[$i]}"
    R[$who,$i]=$(run_fio "$uri" "$rw" "$bs" "$qd")
  done
}

pick ()
{
  local v=$1 col=$2
  set -- $v
  case $col in
    iops) echo "${1:--}" ;;
    mibs) echo "${2:--}" ;;
    lat) echo "${3:--}" ;;
  esac
}

echo "nvmeof NBD benchmark: $(nproc) CPUs, client side on CPU $BENCH_CPU_A," \
  "servers behind it on CPU $BENCH_CPU_B, $BENCH_TIME s per point"
echo "(fio $(fio --version), nbdkit $(nbdkit --version | awk '{print $2}'))"
echo "load average at the start: $(cut -d' ' -f1-3 /proc/loadavg)"

if [ "$GRID" != 2 ]; then
# (a) nbdkit memory.
start_nbdkit memory "$BENCH_CPU_A" memory 1G
MEM_PID=$NBDKIT_PID MEM_URI=$NBD_URI
measure_all memory "$MEM_URI"
stop_pid "$MEM_PID"

# (b) nbdkit nvmeof -> nvmeof-target, plugin at its defaults.
start_target "$BENCH_CPU_B" --ram 1G
start_nbdkit nvmeof "$BENCH_CPU_A" "$PLUGIN_SO" "$TARGET_URL"
NV_PID=$NBDKIT_PID NV_URI=$NBD_URI
measure_all nvmeof "$NV_URI"
RSS_NOW=$(rss_kib "$NV_PID")
RSS_PEAK=$(rss_kib "$NV_PID" hwm)
stop_pid "$NV_PID"

# (c) nbdkit nbd -> nbdkit memory.
start_nbdkit backend "$BENCH_CPU_B" memory 1G
BACK_SOCK=$BENCH_TMP/backend.sock
start_nbdkit proxy "$BENCH_CPU_A" nbd socket="$BACK_SOCK"
measure_all proxy "$NBD_URI"
stop_pid "$NBDKIT_PID"
stop_pid "$(cat "$BENCH_TMP/backend.pid")"

# (d) the floor of a plugin that waits for a server.
start_nbdkit floor "$BENCH_CPU_A" "$HANDOFF_SO" size=1G cpu="$BENCH_CPU_B" \
  wait=poll
measure_all floor-poll "$NBD_URI"
stop_pid "$NBDKIT_PID"
start_nbdkit floor "$BENCH_CPU_A" "$HANDOFF_SO" size=1G cpu="$BENCH_CPU_B" \
  wait=poll spin-us=50
measure_all floor-50 "$NBD_URI"
stop_pid "$NBDKIT_PID"
# better FIELDS-A FIELDS-B COL: the better of two results.
better ()
{
  local a b
  a=$(pick "$1" "$3") b=$(pick "$2" "$3")
  if [ "$a" = - ] || { [ "$b" != - ] && awk -v a="$a" -v b="$b" -v c="$3" \
    'BEGIN { exit !(c == "lat" ? b < a : b > a) }'; }; then
    echo "$b"
  else
    echo "$a"
  fi
}

echo
printf '%-20s %9s %9s %9s %9s %8s %8s %8s\n' workload memory nvmeof proxy \
  floor nv/mem nv/prox nv/floor
for i in "${!WORKLOADS[@]}"; do
  IFS='|' read -r name _ _ _ col <<<"${WORKLOADS[$i]}"
  m=$(pick "${R[memory,$i]}" "$col")
  n=$(pick "${R[nvmeof,$i]}" "$col")
  p=$(pick "${R[proxy,$i]}" "$col")
  f=$(better "${R[floor-poll,$i]}" "${R[floor-50,$i]}" "$col")
  case $col in
    iops) unit="IOPS" ;;
    mibs) unit="MiB/s" ;;
    lat) unit="us mean" ;;
  esac
  if [ "$col" = lat ]; then
    # Lower is better: show the differences rather than ratios.
    printf '%-20s %9s %9s %9s %9s %8s %8s %8s  (%s)\n' "$name" "$m" "$n" \
      "$p" "$f" "$(diff_us "$n" "$m")" "$(diff_us "$n" "$p")" \
      "$(diff_us "$n" "$f")" "$unit"
  else
    printf '%-20s %9s %9s %9s %9s %8s %8s %8s  (%s)\n' "$name" "$m" "$n" \
      "$p" "$f" "$(ratio "$n" "$m")" "$(ratio "$n" "$p")" \
      "$(ratio "$n" "$f")" "$unit"
  fi
done
echo "(floor: the better of polling until done / polling 50 us, then sleeping:"
for i in "${!WORKLOADS[@]}"; do
  IFS='|' read -r name _ _ _ col <<<"${WORKLOADS[$i]}"
  printf ' %s %s / %s;' "$name" "$(pick "${R[floor-poll,$i]}" "$col")" \
    "$(pick "${R[floor-50,$i]}" "$col")"
done
echo ")"
echo
echo "nbdkit nvmeof resident memory after the runs: $((RSS_NOW / 1024)) MiB" \
  "(peak $((RSS_PEAK / 1024)) MiB)"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"

fi
[ "$GRID" != 0 ] || exit 0
[ -n "${TARGET_URL:-}" ] || start_target "$BENCH_CPU_B" --ram 1G

# Scaling: 4K random read, QD32 per NBD connection.
echo
echo "Scaling, 4K randread, QD32 per NBD connection (IOPS):"
printf '%-22s' "connections:"
for c in $CONNS; do printf '%10s' "$c"; done
echo
start_nbdkit memory "$BENCH_CPU_A" memory 1G
printf '%-22s' "nbdkit memory"
for c in $CONNS; do
  printf '%10s' "$(pick "$(run_fio "$NBD_URI" randread 4k 32 "$c")" iops)"
done
echo
stop_pid "$NBDKIT_PID"
start_nbdkit floor "$BENCH_CPU_A" "$HANDOFF_SO" size=1G cpu="$BENCH_CPU_B" \
  wait=poll spin-us=50
printf '%-22s' "floor (50 us, sleep)"
for c in $CONNS; do
  printf '%10s' "$(pick "$(run_fio "$NBD_URI" randread 4k 32 "$c")" iops)"
done
echo
stop_pid "$NBDKIT_PID"
PEAK=0
for qn in 1 2 3 4; do
  start_nbdkit "nvmeof-q$qn" "$BENCH_CPU_A" "$PLUGIN_SO" "$TARGET_URL" \
    nr-io-queues="$qn"
  printf '%-22s' "nvmeof, $qn I/O queues"
  for c in $CONNS; do
    printf '%10s' "$(pick "$(run_fio "$NBD_URI" randread 4k 32 "$c")" iops)"
  done
  echo
  h=$(rss_kib "$NBDKIT_PID" hwm)
  [ "${h:-0}" -gt "$PEAK" ] && PEAK=$h
  stop_pid "$NBDKIT_PID"
done
echo "nbdkit nvmeof peak resident memory in the grid: $((PEAK / 1024)) MiB"
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
