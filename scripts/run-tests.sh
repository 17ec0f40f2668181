#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Build nvmeof and run the whole test suite, as CI does:
#   install the dependencies, autoreconf, configure (warnings are errors,
#   ASan+UBSan) in build/, make, make check, the threaded tests again in a
#   ThreadSanitizer build (build/tsan), every fuzz harness under libFuzzer
#   (scripts/fuzz.sh, FUZZ_SECONDS each, default 10), make check-style and,
#   when RUN_DISTCHECK=1, make distcheck.
# The last line of output is always "N passed, N failed, N skipped": the
# tests of make check, plus the style check and distcheck as one each; a
# step that stops the run (install, autoreconf, configure, make) counts as
# one failure.
#
# Usage: scripts/run-tests.sh [--fast] [--no-sanitizers]
#   --fast            don't run scripts/install-deps.sh
#   --no-sanitizers   configure without --enable-sanitizers
# Environment: BUILDDIR (default: build/ in the source tree), RUN_DISTCHECK=1,
#   JOBS (default 2).
set -uo pipefail

usage ()
{
  sed -n '3,16p' "$0" | sed 's/^# \{0,1\}//'
}

fast=0
sanitizers=1
for arg in "$@"; do
  case $arg in
    --fast) fast=1 ;;
    --no-sanitizers) sanitizers=0 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "run-tests: unknown option $arg (try --help)" >&2; exit 2 ;;
  esac
done

srcdir=$(cd "$(dirname "$0")/.." && pwd)
builddir=${BUILDDIR:-$srcdir/build}
jobs=${JOBS:-2}
# System tools first (the default python3 may be a pyenv build without the
# libnbd bindings).
export PATH="/usr/bin:/bin:$PATH"

passed=0
failed=0
skipped=0
status=0

step ()
{
  printf '==> %s\n' "$*"
}

# Always end with the totals line, whatever happened.
finish ()
{
  local total=$((passed + failed + skipped))
  if [ "$total" = 0 ]; then
    echo "run-tests: no test ran" >&2
    status=1
  fi
  [ "$failed" = 0 ] || status=1
  if [ "${NVMEOF_SKIP_INTEROP:-0}" = 1 ]; then
    echo "run-tests: interop tier (kernel nvmet in a VM) SKIPPED on request: NVMEOF_SKIP_INTEROP=1"
  fi
  echo "$passed passed, $failed failed, $skipped skipped"
  exit "$status"
}

# Run a build step with its output in a log; on failure show the end of it.
run_logged ()
{
  local name=$1
  shift
  local log="$builddir/run-tests-$name.log"
  if "$@" >"$log" 2>&1; then
    return 0
  fi
  echo "run-tests: $name failed; its first errors ($log):" >&2
  grep -E -m 20 '(error|warning):|\*\*\*|FAILED|No such file' "$log" >&2
  echo "run-tests: the end of $log:" >&2
  tail -n 30 "$log" >&2
  return 1
}

# Count the results of the .trs files under $1 and print the logs of the
# tests that failed.
count_results ()
{
  local dir=$1 trs res log
  while IFS= read -r -d '' trs; do
    res=$(sed -n 's/^:test-result: *\([A-Z]*\).*/\1/p' "$trs" | head -n 1)
    case $res in
      PASS|XFAIL) passed=$((passed + 1)) ;;
      SKIP) skipped=$((skipped + 1)) ;;
      *)
        failed=$((failed + 1))
        log=${trs%.trs}.log
        echo "---- ${log#"$builddir"/} ($res) ----"
        [ -f "$log" ] && cat "$log"
        echo "---- end of ${log#"$builddir"/} ----"
        ;;
    esac
  done < <(find "$dir" -name '*.trs' -print0 | sort -z)
}

mkdir -p "$builddir" || { echo "run-tests: cannot create $builddir" >&2; exit 1; }

if [ "$fast" = 0 ]; then
  step "installing dependencies (scripts/install-deps.sh)"
  "$srcdir/scripts/install-deps.sh" || { failed=$((failed + 1)); finish; }
fi

step "autoreconf -fi"
(cd "$srcdir" && run_logged autoreconf autoreconf -fi) ||
  { failed=$((failed + 1)); finish; }

config_flags=(--enable-werror)
[ "$sanitizers" = 1 ] && config_flags+=(--enable-sanitizers)
step "configure ${config_flags[*]} (in $builddir)"
(cd "$builddir" && run_logged configure "$srcdir/configure" "${config_flags[@]}") ||
  { failed=$((failed + 1)); finish; }
# The configuration summary.
sed -n '/configuration summary/,$p' "$builddir/run-tests-configure.log" | sed 's/^configure: //'

step "make -j$jobs"
run_logged make make -C "$builddir" -j"$jobs" ||
  { failed=$((failed + 1)); finish; }

step "make check"
# Stale results of tests that no longer exist must not count.
find "$builddir/tests" -name '*.trs' -delete 2>/dev/null
make -C "$builddir" -j"$jobs" check >"$builddir/run-tests-check.log" 2>&1
check_rc=$?
grep -E '^(PASS|FAIL|SKIP|XFAIL|XPASS|ERROR): ' "$builddir/run-tests-check.log"
count_results "$builddir/tests"
if [ "$check_rc" != 0 ] && [ "$failed" = 0 ]; then
  # make check failed before running tests (a build error in a test).
  echo "run-tests: make check failed; the end of $builddir/run-tests-check.log:" >&2
  tail -n 60 "$builddir/run-tests-check.log" >&2
  failed=$((failed + 1))
fi

step "ThreadSanitizer: the threaded tests again, in a TSan build ($builddir/tsan)"
tsan=$builddir/tsan
mkdir -p "$tsan"
if (cd "$tsan" && run_logged tsan-configure "$srcdir/configure" \
      --enable-werror --enable-sanitizers=thread) &&
   run_logged tsan-make make -C "$tsan" -j"$jobs"; then
  find "$tsan/tests" -name '*.trs' -delete 2>/dev/null
  make -C "$tsan/tests" -j"$jobs" check-tsan >"$builddir/run-tests-tsan.log" 2>&1
  tsan_rc=$?
  before=$((passed + failed + skipped))
  grep -E '^(PASS|FAIL|SKIP|XFAIL|XPASS|ERROR): ' "$builddir/run-tests-tsan.log" |
    sed 's/^/tsan /'
  count_results "$tsan/tests"
  if [ "$tsan_rc" != 0 ] && [ $((passed + failed + skipped)) = "$before" ]; then
    echo "run-tests: the TSan tests did not run; the end of its log:" >&2
    tail -n 40 "$builddir/run-tests-tsan.log" >&2
    failed=$((failed + 1))
  fi
else
  failed=$((failed + 1))
fi

step "libFuzzer: every harness of tests/fuzz for ${FUZZ_SECONDS:-10} s (scripts/fuzz.sh)"
if "$srcdir/scripts/fuzz.sh" "$builddir" "${FUZZ_SECONDS:-10}" >"$builddir/run-tests-fuzz.log" 2>&1; then
  cat "$builddir/run-tests-fuzz.log"
  passed=$((passed + $(grep -c '^PASS: ' "$builddir/run-tests-fuzz.log")))
else
  cat "$builddir/run-tests-fuzz.log"
  passed=$((passed + $(grep -c '^PASS: ' "$builddir/run-tests-fuzz.log")))
  failed=$((failed + 1))
fi

step "make check-style"
if run_logged check-style make -C "$builddir" check-style; then
  passed=$((passed + 1))
else
  failed=$((failed + 1))
fi

if [ "${RUN_DISTCHECK:-0}" = 1 ]; then
  step "make distcheck"
  if run_logged distcheck make -C "$builddir" -j"$jobs" distcheck; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
  fi
fi

finish
