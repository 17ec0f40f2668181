#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# A fuzzing campaign: every libFuzzer harness of tests/fuzz (built by
# scripts/fuzz.sh --build-only, as `make fuzz` does) run one after the
# other under nice, each for SECONDS or until RUNS inputs, whichever comes
# first, from its seeds (tests/fuzz/corpus/NAME and the ones it writes)
# and the corpus earlier runs left in BUILDDIR/fuzz/NAME.corpus.  Prints,
# per harness, the inputs run, the rate, libFuzzer's coverage (cov: edges,
# ft: features), the corpus it ended with and its crashes (the
# reproducer's path: copy it to tests/fuzz/corpus/NAME once the bug is
# fixed).  Exits non-zero if any harness crashed.
#
# Usage: bench/fuzz-campaign.sh [--builddir=DIR] SECONDS [RUNS] [NAME...]
#   SECONDS  the most each harness runs;  RUNS  stop a harness after this
#   many inputs (default: no limit; 10000000 for the 10^7 target).
#   env FUZZ_SEED (default: the time), FUZZ_CC (clang).
set -u -o pipefail

srcdir=$(cd "$(dirname "$0")/.." && pwd)
builddir=${NVMEOF_BUILDDIR:-.}
case "${1:-}" in
--builddir=*) builddir=${1#--builddir=}; shift ;;
esac
seconds=${1:?usage: bench/fuzz-campaign.sh [--builddir=DIR] SECONDS [RUNS] [NAME...]}
shift
runs=-1
if [ $# -gt 0 ] && [[ $1 =~ ^[0-9]+$ ]]; then
  runs=$1
  shift
fi
builddir=$(cd "$builddir" && pwd) || exit 1
[ -f "$builddir/config.h" ] ||
  { echo "fuzz-campaign: $builddir is not a build tree (--builddir=DIR)" >&2; exit 1; }
work=$builddir/fuzz
seed=${FUZZ_SEED:-$(date +%s)}

names=("$@")
if [ ${#names[@]} -eq 0 ]; then
  for f in "$srcdir"/tests/fuzz/fuzz-*.c; do names+=("$(basename "$f" .c)"); done
fi
"$srcdir/scripts/fuzz.sh" --build-only "$builddir" 0 "${names[@]}" >"$work.build.out" 2>&1 ||
  { cat "$work.build.out"; exit 1; }

echo "fuzz-campaign: $(date -u '+%F %T') UTC, seed $seed, up to $seconds s and" \
     "$( [ "$runs" -ge 0 ] && echo "$runs inputs" || echo "no input limit") per harness," \
     "$(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-20s %12s %7s %9s %6s %7s %8s  %s\n' harness inputs seconds inputs/s cov ft corpus crashes
crashed=0
for name in "${names[@]}"; do
  bin=$work/$name
  log=$work/$name.campaign.log
  mkdir -p "$work/$name.corpus" "$work/$name.artifacts"
  start=$(date +%s.%N)
  (cd "$work" && nice -n 10 "$bin" -seed="$seed" -max_total_time="$seconds" \
     -runs="$runs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
     -artifact_prefix="$work/$name.artifacts/" \
     "$work/$name.corpus" "$work/$name.seeds" >"$log" 2>&1)
  rc=$?
  end=$(date +%s.%N)
  n=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  last=$(grep -E '^#[0-9]+.*cov: ' "$log" | tail -n 1)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
  corp=$(sed -n 's/.* corp: \([0-9]*\).*/\1/p' <<<"$last")
  secs=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.0f", b - a }')
  rate=$(awk -v n="${n:-0}" -v s="$secs" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }')
  crash=0
  if [ "$rc" != 0 ]; then
    crash=$(find "$work/$name.artifacts" -name 'crash-*' -o -name 'leak-*' \
              -o -name 'timeout-*' -o -name 'oom-*' | head -n 1)
    [ -n "$crash" ] || crash="exit $rc (see $log)"
    crashed=1
  fi
  printf '%-20s %12s %7s %9s %6s %7s %8s  %s\n' "$name" "${n:-?}" "$secs" \
    "$rate" "${cov:-?}" "${ft:-?}" "${corp:-?}" "$crash"
done
exit "$crashed"
