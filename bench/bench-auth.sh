#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# What in-band authentication (DH-HMAC-CHAP) costs, against nvmeof-target
# in one run: the time to connect (`nvmeof identify` with one I/O queue,
# so two queues authenticate) for every hash with the null group and for
# every FFDHE group, one-way and bidirectional, beside the same command
# without authentication; then 4K random reads at QD32 through `nvmeof
# bench` with and without authentication (the data path is the same: the
# ratio should be 1 within noise).
#
# Usage: bench/bench-auth.sh [--builddir=DIR] [--time=S] [--cpus=A,B]
#                            [--quick] [--runs=N]
source "$(dirname "$0")/bench-common.sh"

runs=15
args=()
for a in "$@"; do
  case $a in
    --runs=*) runs=${a#*=} ;;
    *) args+=("$a") ;;
  esac
done
bench_init "${args[@]}"
bench_need jq
[ -x "$CLI_BIN" ] || bench_die "$CLI_BIN is not built"

host=$("$CLI_BIN" show-hostnqn -o json | jq -r .hostnqn)
"$CLI_BIN" gen-dhchap-key --hmac=1 --output="$BENCH_TMP/host.key" 2>/dev/null
"$CLI_BIN" gen-dhchap-key --hmac=1 --output="$BENCH_TMP/ctrl.key" 2>/dev/null

# connect_ms ARGS..: the median wall time of $runs `nvmeof identify` runs,
# in milliseconds.
connect_ms ()
{
  local i t0 t1
  for ((i = 0; i < runs; i++)); do
    t0=$(date +%s%N)
    taskset -c "$BENCH_CPU_A" "$CLI_BIN" identify "$TARGET_URL" \
      --nr-io-queues=1 "$@" >/dev/null 2>"$BENCH_TMP/err" ||
      bench_die "identify $*: $(cat "$BENCH_TMP/err")"
    t1=$(date +%s%N)
    echo $(((t1 - t0) / 1000))
  done | sort -n | awk '{ a[NR] = $1 } END { printf "%.2f", a[int((NR + 1) / 2)] / 1000 }'
}

auth_target ()
{
  start_target "$BENCH_CPU_B" --ram 256M --dhchap-key "$host=+$BENCH_TMP/host.key" \
    --dhchap-ctrl-key "$host=+$BENCH_TMP/ctrl.key" --dhchap-hash "$1" \
    --dhchap-dhgroup "$2"
}

echo "DH-HMAC-CHAP cost: $(nproc) CPUs, initiator on CPU $BENCH_CPU_A," \
  "nvmeof-target on CPU $BENCH_CPU_B; connect = median of $runs runs of"
echo "'nvmeof identify' (admin + 1 I/O queue: 2 authentications)"
echo
start_target "$BENCH_CPU_B" --ram 256M
plain=$(connect_ms)
stop_pid "$TARGET_PID"
printf '%-14s %-10s %12s %12s %14s\n' hash group "one-way ms" "bidir ms" \
  "+ms/queue bidir"
printf '%-14s %-10s %12s %12s %14s\n' "(none)" "(none)" "$plain" - -
for hg in "hmac(sha256) null" "hmac(sha384) null" "hmac(sha512) null" \
  "hmac(sha256) ffdhe2048" "hmac(sha256) ffdhe3072" \
  "hmac(sha256) ffdhe4096" "hmac(sha256) ffdhe6144" \
  "hmac(sha512) ffdhe8192"; do
  set -- $hg
  auth_target "$1" "$2"
  one=$(connect_ms --dhchap-secret="+$BENCH_TMP/host.key")
  bi=$(connect_ms --dhchap-secret="+$BENCH_TMP/host.key" \
    --dhchap-ctrl-secret="+$BENCH_TMP/ctrl.key")
  stop_pid "$TARGET_PID"
  printf '%-14s %-10s %12s %12s %14s\n' "$1" "$2" "$one" "$bi" \
    "$(awk -v b="$bi" -v p="$plain" 'BEGIN { printf "%.2f", (b - p) / 2 }')"
done

# iops ARGS..: IOPS of 4K random reads at QD32.
iops ()
{
  taskset -c "$BENCH_CPU_A" "$CLI_BIN" bench "$TARGET_URL" --rw=randread \
    --bs=4k --qd=32 --time="$BENCH_TIME" -o json "$@" 2>"$BENCH_TMP/err" |
    jq -r '.iops | floor' || bench_die "bench: $(cat "$BENCH_TMP/err")"
}
echo
echo "4K random read QD32, $BENCH_TIME s each, alternating"
auth_target "hmac(sha512)" ffdhe4096
printf '%-28s %10s %10s %8s\n' round plain authenticated ratio
for round in 1 2 3; do
  a=$(iops --dhchap-secret="+$BENCH_TMP/host.key" \
    --dhchap-ctrl-secret="+$BENCH_TMP/ctrl.key")
  # Plain: the same target without authentication.
  stop_pid "$TARGET_PID"
  start_target "$BENCH_CPU_B" --ram 256M
  p=$(iops)
  stop_pid "$TARGET_PID"
  auth_target "hmac(sha512)" ffdhe4096
  printf '%-28s %10s %10s %8s\n' "$round" "$p" "$a" \
    "$(awk -v a="$a" -v p="$p" 'BEGIN { printf "%.3f", a / p }')"
done
