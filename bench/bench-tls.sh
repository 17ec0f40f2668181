#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# What TLS costs the data path: `nvmeof bench` against nvmeof-target with
# a RAM namespace, plain NVMe/TCP beside TLS 1.3 (PSK, TLS_AES_128_GCM_SHA256;
# our record layer, tls-record.c) beside TLS with OpenSSL's record layer
# (NVMEOF_TLS_OPENSSL_RECORDS=1 at both ends), in one run: 4K random reads
# at QD32, 128K sequential reads at QD32 (throughput), and 64K and 128K
# reads at QD1 (latency, p99).  The competitors alternate, each point is
# the median of --rounds runs, and the ratios to plain are printed, with
# the CPU time of each side per GiB moved.  The goal (the TLS issue):
# TLS >= 0.5 x plain at 4K QD32 and 128K QD32, QD1 p99 <= 2 x plain.
#
# Usage: bench/bench-tls.sh [--builddir=DIR] [--time=S] [--cpus=A,B]
#                           [--quick] [--rounds=N]
source "$(dirname "$0")/bench-common.sh"
# The targets in a session of their own, as in bench-eth.sh and
# bench-nbd.sh (bench-common.sh, _server_session); 0 for the old method.
BENCH_SERVER_SESSION=${BENCH_SERVER_SESSION:-1}

rounds=3
args=()
for a in "$@"; do
  case $a in
    --rounds=*) rounds=${a#*=} ;;
    *) args+=("$a") ;;
  esac
done
bench_init "${args[@]}"
bench_need jq
[ -x "$CLI_BIN" ] || bench_die "$CLI_BIN is not built"
[ "$BENCH_QUICK" = 0 ] || rounds=1

host=$("$CLI_BIN" show-hostnqn -o json | jq -r .hostnqn)
"$CLI_BIN" gen-tls-key --hmac=1 --output="$BENCH_TMP/psk" >/dev/null
key="--tls-key=+$BENCH_TMP/psk"
hz=$(getconf CLK_TCK)

# One target per record layer, TLS optional so that plain hosts use the
# first one too.
start_target "$BENCH_CPU_B" --ram 1G --tls-optional --tls-key "$host=+$BENCH_TMP/psk"
url_ours=$TARGET_URL pid_ours=$TARGET_PID
NVMEOF_TLS_OPENSSL_RECORDS=1 start_target "$BENCH_CPU_B" --ram 1G \
  --tls-optional --tls-key "$host=+$BENCH_TMP/psk"
url_ossl=$TARGET_URL pid_ossl=$TARGET_PID

cpu_ticks ()
{
  awk '{ print $14 + $15 }' "/proc/$1/stat"
}

# point COMPETITOR ARGS..: one run; prints "IOPS MiB/s p99-us cpu-s
# target-cpu-s".
point ()
{
  local who=$1 url=$url_ours pid=$pid_ours t0 t1 envs=() tls=()
  shift
  case $who in
    tls) tls=("$key") ;;
    ossl) tls=("$key") url=$url_ossl pid=$pid_ossl \
      envs=(NVMEOF_TLS_OPENSSL_RECORDS=1) ;;
  esac
  t0=$(cpu_ticks "$pid")
  env "${envs[@]}" taskset -c "$BENCH_CPU_A" "$CLI_BIN" bench "$url" \
    "${tls[@]}" --time="$BENCH_TIME" -o json "$@" >"$BENCH_TMP/out.json" \
    2>"$BENCH_TMP/err" || bench_die "bench $who $*: $(tail -1 "$BENCH_TMP/err")"
  t1=$(cpu_ticks "$pid")
  jq -r --arg t "$(((t1 - t0)))" --arg hz "$hz" \
    '"\(.iops) \(.mib_per_s) \(.lat_p99_us) \(.cpu_s) \(($t | tonumber) / ($hz | tonumber))"' \
    "$BENCH_TMP/out.json"
}

median ()
{
  sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'
}

# row NAME FIELD ARGS..: FIELD 1 IOPS, 2 MiB/s, 3 p99; the competitors in
# turn, rounds times; prints the medians, the ratios to plain and each
# side's CPU seconds per GiB.
row ()
{
  local name=$1 field=$2 r who
  shift 2
  taskset -c "$BENCH_CPU_A" "$CLI_BIN" bench "$url_ours" --time=0.3 "$@" \
    >/dev/null 2>&1 || true # warm-up
  for ((r = 0; r < rounds; r++)); do
    for who in plain tls ossl; do
      point "$who" "$@" >>"$BENCH_TMP/$who"
    done
  done
  for who in plain tls ossl; do
    v[$who]=$(cut -d' ' -f"$field" "$BENCH_TMP/$who" | median)
    # CPU seconds per GiB, initiator and target, from the median run's
    # totals (bytes = MiB/s x time).
    c[$who]=$(awk -v t="$BENCH_TIME" '{ g = $2 * t / 1024;
        if (g > 0) { i += $4 / g; s += $5 / g; n++ } }
        END { if (n) printf "%.2f/%.2f", i / n, s / n; else print "-" }' \
      "$BENCH_TMP/$who")
    rm -f "$BENCH_TMP/$who"
  done
  printf '%-24s %10.0f %10.0f %10.0f %8s %8s   %-11s %-11s %-11s\n' "$name" \
    "${v[plain]}" "${v[tls]}" "${v[ossl]}" "$(ratio "${v[tls]}" "${v[plain]}")" \
    "$(ratio "${v[ossl]}" "${v[plain]}")" "${c[plain]}" "${c[tls]}" "${c[ossl]}"
}
declare -A v c

echo "NVMe/TCP over TLS 1.3 (PSK, TLS_AES_128_GCM_SHA256): nvmeof bench on" \
  "CPU $BENCH_CPU_A, nvmeof-target on CPU $BENCH_CPU_B; $(nproc) CPUs;"
echo "median of $rounds alternating runs of $BENCH_TIME s; 'TLS' is our record" \
  "layer, 'OpenSSL' OpenSSL's at both ends; load average before:" \
  "$(cut -d' ' -f1-3 /proc/loadavg) (others' work skews the ratios; the" \
  "CPU seconds per GiB much less)"
echo
printf '%-24s %10s %10s %10s %8s %8s   %-11s %-11s %-11s\n' workload plain \
  TLS OpenSSL TLS/pl OSSL/pl "CPU-s/GiB" "(init/tgt)" ""
printf '%-24s %10s %10s %10s %8s %8s   %-11s %-11s %-11s\n' "" "" "" "" "" "" \
  plain TLS OpenSSL
row "4K randread QD32 IOPS" 1 --rw=randread --bs=4k --qd=32
row "128K read QD32 MiB/s" 2 --rw=read --bs=128k --qd=32
row "64K read QD1 p99 us" 3 --rw=randread --bs=64k --qd=1
row "128K read QD1 p99 us" 3 --rw=randread --bs=128k --qd=1
row "4K randwrite QD32 IOPS" 1 --rw=randwrite --bs=4k --qd=32
row "128K write QD32 MiB/s" 2 --rw=write --bs=128k --qd=32
echo
echo "Goal: TLS/pl >= 0.5 for the QD32 rows; <= 2 for the QD1 p99 rows."
echo "Load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
