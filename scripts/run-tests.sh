#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Build nvmeof and run the whole test suite, as CI does:
#   install the dependencies, autoreconf, configure (warnings are errors,
#   ASan+UBSan) in build/, make, make check, the threaded tests again in a
#   ThreadSanitizer build (build/tsan), every fuzz harness under libFuzzer
#   (scripts/fuzz.sh, FUZZ_SECONDS each, default 10), make check-style and,
#   when RUN_DISTCHECK=1, make distcheck.  make check runs by tier (unit,
#   end-to-end, interop); distcheck's own make check skips the interop tier
#   (the VMs) when it ran here (NVMEOF_INTEROP_RAN, tests/interop/README.md),
#   and the tarball is checked to hold every file of tests/interop instead.
#   At the end, the time of each step and tier.
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
  sed -n '3,22p' "$0" | sed 's/^# \{0,1\}//'
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

# timed NAME: the time since the previous mark is NAME's (printed at the end).
times=()
t_mark=$SECONDS
timed ()
{
  times+=("$1" "$((SECONDS - t_mark))")
  t_mark=$SECONDS
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
  if [ ${#times[@]} -gt 0 ]; then
    echo "run-tests: time per step (wall clock, seconds):"
    printf '  %-22s %5s\n' "${times[@]}" total "$SECONDS"
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
  timed install
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
timed "build"

step "make check, by tier: unit, end-to-end, interop"
# Stale results of tests that no longer exist must not count.
find "$builddir/tests" -name '*.trs' -delete 2>/dev/null
# The tiers' tests, from tests/Makefile: UNIT_TESTS; SHELL_TESTS outside
# and inside interop/.
tests_var ()
{
  printf 'run-tests-print:\n\t@echo $(%s)\n' "$1" |
    make -s -C "$builddir/tests" -f Makefile -f - run-tests-print
}
unit_tests=$(tests_var UNIT_TESTS)
shell_tests=$(tests_var SHELL_TESTS)
e2e_tests=$(printf '%s\n' $shell_tests | grep -v '^interop/' | tr '\n' ' ')
interop_tests=$(printf '%s\n' $shell_tests | grep '^interop/' | tr '\n' ' ')
: >"$builddir/run-tests-check.log"
check_rc=0
# The first builds everything make check needs, in every directory.
for tier in unit e2e interop; do
  case $tier in
    unit) dir=$builddir; list=$unit_tests ;;
    e2e) dir=$builddir/tests; list=$e2e_tests ;;
    interop) dir=$builddir/tests; list=$interop_tests ;;
  esac
  echo "== make check TESTS=<$tier tier: $(echo $list | wc -w) tests>" \
    >>"$builddir/run-tests-check.log"
  make -C "$dir" -j"$jobs" check TESTS="$list" \
    >>"$builddir/run-tests-check.log" 2>&1 || check_rc=1
  timed "make check: $tier"
done
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
timed TSan

step "libFuzzer: every harness of tests/fuzz for ${FUZZ_SECONDS:-10} s (scripts/fuzz.sh)"
if "$srcdir/scripts/fuzz.sh" "$builddir" "${FUZZ_SECONDS:-10}" >"$builddir/run-tests-fuzz.log" 2>&1; then
  cat "$builddir/run-tests-fuzz.log"
  passed=$((passed + $(grep -c '^PASS: ' "$builddir/run-tests-fuzz.log")))
else
  cat "$builddir/run-tests-fuzz.log"
  passed=$((passed + $(grep -c '^PASS: ' "$builddir/run-tests-fuzz.log")))
  failed=$((failed + 1))
fi
timed fuzz

step "make check-style"
if run_logged check-style make -C "$builddir" check-style; then
  passed=$((passed + 1))
else
  failed=$((failed + 1))
fi
timed style

if [ "${RUN_DISTCHECK:-0}" = 1 ]; then
  # The VM tier ran above: distcheck's make check skips the tests that ran
  # there, saying so (NVMEOF_INTEROP_RAN, tests/interop/interop-functions.sh).
  interop_ran=
  [ -z "$interop_tests" ] || interop_ran=$builddir/tests/interop
  step "make distcheck${interop_ran:+ (the interop tier ran above: not again)}"
  if NVMEOF_INTEROP_RAN=$interop_ran \
       run_logged distcheck make -C "$builddir" -j"$jobs" distcheck; then
    if [ -n "$interop_ran" ]; then
      echo "run-tests: distcheck's make check skipped" \
           "$(grep -c '^SKIP: interop/' "$builddir/run-tests-distcheck.log")" \
           "interop tests, which ran above (NVMEOF_INTEROP_RAN)"
    fi
    # What a run of the tier from the tarball would have needed: every file
    # of tests/interop is in it.
    tarball=$(ls -t "$builddir"/nvmeof-*.tar.gz 2>/dev/null | head -n 1)
    missing=
    if [ -n "$tarball" ]; then
      listing=$(tar tzf "$tarball" | sed 's,^[^/]*/,,')
      for f in $(cd "$srcdir" && { git ls-files tests/interop 2>/dev/null ||
                                   find tests/interop -type f ! -name '*.pyc'; }); do
        grep -qxF "$f" <<<"$listing" || missing="$missing $f"
      done
    else
      missing=" (no tarball in $builddir)"
    fi
    if [ -z "$missing" ]; then
      passed=$((passed + 1))
    else
      echo "run-tests: the distributed tarball lacks tests/interop files (EXTRA_DIST):$missing" >&2
      failed=$((failed + 1))
    fi
  else
    failed=$((failed + 1))
  fi
  timed distcheck
fi

finish
