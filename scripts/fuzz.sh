#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Build every fuzz harness (tests/fuzz/fuzz-*.c) with libFuzzer, ASan and
# UBSan (clang), and run each for a while from its own seeds: make check runs
# the same harnesses with a built-in mutator; this is the real fuzzer.
# Each harness is linked with the sources of libnvmeof-base, which holds
# every parser of received bytes.  Prints one line per harness and exits
# non-zero if any crashed (its reproducer is left in the work directory).
#
# Usage: scripts/fuzz.sh BUILDDIR [SECONDS-PER-HARNESS]   (default 10)
#   BUILDDIR: a configured build tree (for config.h).
set -u -o pipefail

builddir=${1:?usage: scripts/fuzz.sh BUILDDIR [SECONDS]}
seconds=${2:-10}
srcdir=$(cd "$(dirname "$0")/.." && pwd)
work=$builddir/fuzz
CC=${FUZZ_CC:-clang}

command -v "$CC" >/dev/null ||
  { echo "fuzz: $CC not found (Debian: clang)" >&2; exit 1; }
mkdir -p "$work" || exit 1

# The base library's C files, from initiator/Makefile.am (every
# "libnvmeof_base_la_SOURCES =" or "+=" list).
base=$(awk '/^libnvmeof_base_la_SOURCES/ { f = 1; next }
            f && /\$\(NULL\)/ { f = 0; next }
            f { for (i = 1; i <= NF; i++) if ($i ~ /\.c$/) print $i }' \
         "$srcdir/initiator/Makefile.am" | sed "s|^|$srcdir/initiator/|")
[ -n "$base" ] || { echo "fuzz: no sources in initiator/Makefile.am" >&2; exit 1; }

failed=0
for src in "$srcdir"/tests/fuzz/fuzz-*.c; do
  name=$(basename "$src" .c)
  bin=$work/$name
  # shellcheck disable=SC2086
  if ! "$CC" -g -O1 -fsanitize=fuzzer,address,undefined \
    -fno-sanitize-recover=undefined -DFUZZ_LIBFUZZER \
    -I"$builddir" -I"$srcdir/include" -I"$srcdir/initiator" \
    -I"$srcdir/tests/fuzz" "$src" $base -lssl -lcrypto -lz -lpthread \
    -o "$bin" 2>"$work/$name.build.log"; then
    echo "FAIL: $name: build failed ($work/$name.build.log):"
    head -n 20 "$work/$name.build.log"
    failed=1
    continue
  fi
  # The harness's own seeds, written by its make-check build.
  mkdir -p "$work/$name.corpus"
  if [ -x "$builddir/tests/unit/$name" ]; then
    "$builddir/tests/unit/$name" -d "$work/$name.corpus" >/dev/null ||
      echo "fuzz: $name: could not write its seeds" >&2
  fi
  if (cd "$work" && "$bin" -max_total_time="$seconds" -timeout=10 \
        -rss_limit_mb=2048 -print_final_stats=1 "$work/$name.corpus" \
        >"$work/$name.log" 2>&1); then
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$name.log")
    echo "PASS: $name: ${runs:-?} inputs in $seconds s"
  else
    echo "FAIL: $name: a crash or an invariant failed ($work/$name.log):"
    grep -E -m 20 'ERROR|SUMMARY|invariant|runtime error' "$work/$name.log"
    failed=1
  fi
done
exit "$failed"
