#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Build every fuzz harness (tests/fuzz/fuzz-*.c) with libFuzzer, ASan and
# UBSan (clang), and run each for a while from its seeds with a fixed
# random seed: make check runs the same harnesses with a built-in mutator;
# this is the real fuzzer.  `make fuzz` builds them (--build-only);
# bench/fuzz-campaign.sh runs them for longer and prints a table.
#
# The library's sources (initiator/, common/) and nvmeof-target's (target/
# but main.c, whose few globals a target harness defines) are compiled once
# into two archives; each harness links what it uses of them.  Its seeds:
# what its make-check build writes (fuzz-NAME -d DIR) and the files of
# tests/fuzz/corpus/NAME (reproducers of crashes found and fixed).
# Prints one line per harness and exits non-zero if any crashed (its
# reproducer is left in BUILDDIR/fuzz).
#
# Usage: scripts/fuzz.sh [--build-only] BUILDDIR [SECONDS-PER-HARNESS [NAME...]]
#   BUILDDIR: a configured and built tree (config.h, tests/unit/fuzz-*).
#   SECONDS:  default 10.  NAME: fuzz-tcp-pdu ... (default: all).
#   env FUZZ_CC (clang), FUZZ_SEED (1), FUZZ_JOBS (parallel compiles, 2).
set -u -o pipefail

build_only=false
if [ "${1:-}" = --build-only ]; then
  build_only=true
  shift
fi
builddir=$(cd "${1:?usage: scripts/fuzz.sh [--build-only] BUILDDIR [SECONDS [NAME...]]}" && pwd) || exit 1
seconds=${2:-10}
shift 2 2>/dev/null || shift $#
srcdir=$(cd "$(dirname "$0")/.." && pwd)
work=$builddir/fuzz
CC=${FUZZ_CC:-clang}
seed=${FUZZ_SEED:-1}
jobs=${FUZZ_JOBS:-2}

command -v "$CC" >/dev/null ||
  { echo "fuzz: $CC not found (Debian: clang)" >&2; exit 1; }
[ -f "$builddir/config.h" ] ||
  { echo "fuzz: $builddir is not a configured build tree" >&2; exit 1; }
mkdir -p "$work/obj" || exit 1

# The C files of the "NAME_SOURCES =" and "+=" lists of a Makefile.am.
am_sources () {
  awk -v v="$2" '$1 ~ "^" v "_SOURCES$" { f = 1 }
                 f { for (i = 1; i <= NF; i++) if ($i ~ /\.c$/) print $i
                     if ($NF != "\\") f = 0 }' \
    "$srcdir/$1/Makefile.am" | sed "s|^|$srcdir/$1/|"
}
lib_src=$( (am_sources initiator libnvmeof_base_la
            am_sources initiator libnvmeof_core_la
            am_sources common libnvmeof_util_la) | sort -u)
tgt_src=$( (am_sources target libnvmeof_target_la
          am_sources target nvmeof_target) | grep -v "/main\.c$")
if [ -z "$lib_src" ] || [ -z "$tgt_src" ]; then
  echo "fuzz: no sources found in the Makefile.am files" >&2
  exit 1
fi

read -r -a jsonc_cflags <<<"$(pkg-config --cflags json-c 2>/dev/null)"
# shellcheck disable=SC2054  # the commas are clang's
cflags=(-g -O1 -fsanitize=fuzzer-no-link,address,undefined
        -fno-sanitize-recover=undefined -DFUZZ_LIBFUZZER
        -I"$builddir" -I"$srcdir/include" -I"$srcdir/initiator"
        -I"$srcdir/common" -I"$srcdir/target" -I"$srcdir/tests/fuzz"
        -pthread "${jsonc_cflags[@]}")
libs=(-ljson-c -lssl -lcrypto -lgcrypt -lz -lpthread)
# nvmeof-target's asynchronous file I/O, when configure found liburing.
if grep -q '^#define HAVE_LIBURING 1' "$builddir/config.h"; then
  read -r -a uring_libs <<<"$(pkg-config --libs liburing 2>/dev/null || echo -luring)"
  libs+=("${uring_libs[@]}")
fi

# Compile an archive's sources (those newer than their object) and
# archive them.
build_archive () {
  local name=$1 src o list=() pending=()
  shift
  for src in "$@"; do
    o=$work/obj/$(basename "$(dirname "$src")")-$(basename "$src" .c).o
    list+=("$o")
    if [ ! -f "$o" ] || [ "$src" -nt "$o" ] || [ "$newest_h" -nt "$o" ]; then
      pending+=("$src" "$o")
    fi
  done
  if [ ${#pending[@]} -gt 0 ]; then
    # shellcheck disable=SC2016  # expanded by the inner sh
    printf '%s\n' "${pending[@]}" |
      CC=$CC CFLAGS_FUZZ="${cflags[*]}" work=$work \
        xargs -P "$jobs" -n 2 sh -c '$CC $CFLAGS_FUZZ -c "$0" -o "$1" -ferror-limit=5 2>>"$work/build.log"' ||
      return 1
  fi
  rm -f "$work/$name.a"
  ar rcs "$work/$name.a" "${list[@]}"
}
# An object is rebuilt when its source or any header is newer (a struct
# changed in a header must not leave objects of the old layout behind).
# shellcheck disable=SC2012
newest_h=$(ls -t "$builddir/config.h" "$srcdir"/include/*.h "$srcdir"/initiator/*.h \
             "$srcdir"/common/*.h "$srcdir"/target/*.h | head -n 1)
: >"$work/build.log"
# shellcheck disable=SC2086
if ! build_archive libfz-nvmeof $lib_src || ! build_archive libfz-target $tgt_src; then
  echo "FAIL: fuzz: the sources did not compile ($work/build.log):"
  grep -m 20 -E 'error' "$work/build.log"
  exit 1
fi

harnesses=()
if [ $# -gt 0 ]; then
  for n in "$@"; do harnesses+=("$srcdir/tests/fuzz/${n%.c}.c"); done
else
  harnesses=("$srcdir"/tests/fuzz/fuzz-*.c)
fi

failed=0
for src in "${harnesses[@]}"; do
  name=$(basename "$src" .c)
  bin=$work/$name
  # Fixture files the harness shares with another (its _SOURCES in
  # tests/Makefile.am but itself and the built-in driver).
  mapfile -t extra < <(am_sources tests "unit_${name//-/_}" |
                       grep -v -e "/$name\.c\$" -e "/driver\.c\$")
  if ! "$CC" "${cflags[@]}" -fsanitize=fuzzer "$src" "${extra[@]}" \
    "$work/libfz-target.a" "$work/libfz-nvmeof.a" "${libs[@]}" \
    -o "$bin" 2>"$work/$name.build.log"; then
    echo "FAIL: $name: build failed ($work/$name.build.log):"
    head -n 20 "$work/$name.build.log"
    failed=1
    continue
  fi
  # Its seeds: written by its make-check build, and the stored reproducers.
  rm -rf "$work/$name.seeds"
  mkdir -p "$work/$name.seeds" "$work/$name.corpus"
  if [ -x "$builddir/tests/unit/$name" ]; then
    "$builddir/tests/unit/$name" -d "$work/$name.seeds" >/dev/null ||
      echo "fuzz: $name: could not write its seeds" >&2
  else
    echo "fuzz: $name: no $builddir/tests/unit/$name to write its seeds" >&2
  fi
  if [ -d "$srcdir/tests/fuzz/corpus/$name" ]; then
    cp "$srcdir/tests/fuzz/corpus/$name"/* "$work/$name.seeds/" 2>/dev/null
  fi
  $build_only && { echo "built: $bin"; continue; }
  # New inputs go to NAME.corpus (kept between runs); the seeds are read.
  if (cd "$work" && "$bin" -seed="$seed" -max_total_time="$seconds" \
        -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        "$work/$name.corpus" "$work/$name.seeds" \
        >"$work/$name.log" 2>&1); then
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$name.log")
    echo "PASS: $name: ${runs:-?} inputs in $seconds s (seed $seed)"
  else
    echo "FAIL: $name: a crash or an invariant failed ($work/$name.log):"
    grep -E -m 20 'ERROR|SUMMARY|invariant|runtime error|Test unit written' \
      "$work/$name.log"
    failed=1
  fi
done
exit "$failed"
