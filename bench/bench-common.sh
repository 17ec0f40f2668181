# SPDX-License-Identifier: BSD-3-Clause
# Helpers shared by the bench/*.sh scripts (sourced, not run).  Benchmarks
# are never part of make check: they print numbers, they assert nothing
# about speed.  Every wait is bounded; servers are stopped at exit.
#
#   bench_init "$@"       parse the common options (see bench_usage), find
#                         the build tree, make $BENCH_TMP
#   bench_need CMD..      exit with a message unless CMD is installed
#   start_server NAME CPU CMD..   run CMD pinned to CPU in the background
#                         with -P pidfile appended handled by the caller;
#                         see start_target and start_nbdkit
#   start_target CPU ARGS..       nvmeof-target on a free port (TARGET_URL)
#   start_nbdkit NAME CPU ARGS..  nbdkit on a Unix socket $BENCH_TMP/NAME.sock
#   stop_pid PID          SIGTERM, wait at most 10 s, then SIGKILL
#   rss_kib PID           VmRSS of PID in KiB (VmHWM with "hwm")

set -u -o pipefail

BENCH_TIME=3    # seconds per point
BENCH_RAMP=0.5  # seconds of warm-up per point, not measured
BENCH_CPU_A=0   # the CPU of the NBD side / the initiator
BENCH_CPU_B=1   # the CPU of the target
BENCH_QUICK=0

bench_usage ()
{
  cat <<EOF
Options:
  --builddir=DIR   the build tree (default: \$NVMEOF_BUILDDIR, else the
                   current directory if it has target/nvmeof-target, else
                   the parent of this script's directory)
  --time=S         seconds measured per point (default $BENCH_TIME)
  --cpus=A,B       CPU of the client side and of the server side (default
                   $BENCH_CPU_A,$BENCH_CPU_B)
  --quick          1 second per point (a smoke run)
EOF
}

_bench_pids=()

_bench_cleanup ()
{
  local i
  for ((i = ${#_bench_pids[@]} - 1; i >= 0; i--)); do
    stop_pid "${_bench_pids[$i]}"
  done
  if [ -n "${BENCH_TMP:-}" ] && [ -d "$BENCH_TMP" ]; then
    rm -rf "$BENCH_TMP"
  fi
}

bench_die ()
{
  echo "$(basename "$0"): $*" >&2
  exit 1
}

bench_need ()
{
  local c
  for c in "$@"; do
    command -v "$c" >/dev/null 2>&1 ||
      bench_die "$c is not installed (needed for this benchmark)"
  done
}

bench_init ()
{
  local a srcdir
  srcdir=$(cd "$(dirname "$0")" && pwd)
  BUILDDIR=${NVMEOF_BUILDDIR:-}
  for a in "$@"; do
    case $a in
      --builddir=*) BUILDDIR=${a#*=} ;;
      --time=*) BENCH_TIME=${a#*=} ;;
      --cpus=*)
        BENCH_CPU_A=${a#*=}
        BENCH_CPU_B=${BENCH_CPU_A#*,}
        BENCH_CPU_A=${BENCH_CPU_A%%,*}
        ;;
      --quick) BENCH_QUICK=1 BENCH_TIME=1 BENCH_RAMP=0.2 ;;
      -h | --help)
        echo "usage: $(basename "$0") [OPTIONS]"
        bench_usage
        exit 0
        ;;
      *) bench_die "unknown option '$a' (see --help)" ;;
    esac
  done
  if [ -z "$BUILDDIR" ]; then
    if [ -x target/nvmeof-target ]; then
      BUILDDIR=$(pwd)
    else
      BUILDDIR=$(cd "$srcdir/.." && pwd)
    fi
  fi
  BUILDDIR=$(cd "$BUILDDIR" && pwd) || bench_die "no build tree at $BUILDDIR"
  TARGET_BIN=$BUILDDIR/target/nvmeof-target
  CLI_BIN=$BUILDDIR/tools/nvmeof
  PLUGIN_SO=$BUILDDIR/plugin/.libs/nbdkit-nvmeof-plugin.so
  [ -x "$TARGET_BIN" ] ||
    bench_die "$TARGET_BIN is not built (use --builddir=DIR)"
  case $BENCH_TIME in
    '' | *[!0-9.]*) bench_die "--time: expected seconds, got '$BENCH_TIME'" ;;
  esac
  bench_need taskset
  BENCH_TMP=$(mktemp -d /tmp/nvmeof-bench.XXXXXX)
  trap _bench_cleanup EXIT
  trap 'exit 130' INT TERM
}

# stop_pid PID: SIGTERM, wait (bounded), then SIGKILL.
stop_pid ()
{
  local pid=$1 i
  kill "$pid" 2>/dev/null || return 0
  for i in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -9 "$pid" 2>/dev/null
  return 0
}

# Wait (at most 30 s) for a pidfile written by a server started as $2.
_wait_pidfile ()
{
  local file=$1 pid=$2 i
  for i in $(seq 1 300); do
    [ -s "$file" ] && return 0
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

_free_port ()
{
  local port i
  for i in $(seq 1 100); do
    port=$((20000 + (RANDOM * 32768 + RANDOM) % 40001))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return 0
    fi
  done
  bench_die "no free TCP port found"
}

# With BENCH_SERVER_SESSION=1 (bench-nbd.sh sets it), servers on CPU B
# (start_target, and start_nbdkit on $BENCH_CPU_B) run in a session of
# their own (setsid).  With autogroup scheduling (kernel.sched_autogroup_
# enabled, the default) the threads of one session share one weight, split
# between CPUs by their load: a server in the client's session gets less of
# its CPU the more client threads are runnable on the other (polling
# waiters, more connections), and other jobs on its CPU then starve it.
# (setsid does not fork here: a background job of a script without job
# control is no process group leader, so $! stays the server's pid.)
_server_session ()
{
  [ "${BENCH_SERVER_SESSION:-0}" = 1 ] && echo setsid
  return 0
}

# start_target CPU ARGS..: nvmeof-target pinned to CPU; sets TARGET_URL
# and TARGET_PID.
start_target ()
{
  local cpu=$1 port pidfile
  shift
  port=$(_free_port)
  pidfile=$BENCH_TMP/target-$port.pid
  $(_server_session) taskset -c "$cpu" "$TARGET_BIN" -f -P "$pidfile" \
    -l "127.0.0.1:$port" "$@" >"$BENCH_TMP/target-$port.log" 2>&1 &
  TARGET_PID=$!
  _bench_pids+=("$TARGET_PID")
  _wait_pidfile "$pidfile" "$TARGET_PID" ||
    bench_die "nvmeof-target did not start: $(cat "$BENCH_TMP/target-$port.log")"
  TARGET_URL="nvme+tcp://127.0.0.1:$port/nqn.2026-11.io.nvmeof:target"
}

# start_nbdkit NAME CPU ARGS..: nbdkit pinned to CPU serving on the Unix
# socket $BENCH_TMP/NAME.sock; sets NBDKIT_PID and NBD_URI.
start_nbdkit ()
{
  local name=$1 cpu=$2 pidfile sock
  shift 2
  pidfile=$BENCH_TMP/$name.pid
  sock=$BENCH_TMP/$name.sock
  rm -f "$pidfile" "$sock"
  $([ "$cpu" = "$BENCH_CPU_B" ] && _server_session) taskset -c "$cpu" \
    nbdkit -f -P "$pidfile" -U "$sock" "$@" >"$BENCH_TMP/$name.log" 2>&1 &
  NBDKIT_PID=$!
  _bench_pids+=("$NBDKIT_PID")
  _wait_pidfile "$pidfile" "$NBDKIT_PID" ||
    bench_die "nbdkit ($name) did not start: $(cat "$BENCH_TMP/$name.log")"
  NBD_URI="nbd+unix:///?socket=$sock"
}

# rss_kib PID [hwm]: resident set (or its high-water mark) in KiB.
rss_kib ()
{
  local key=VmRSS
  [ "${2:-}" = hwm ] && key=VmHWM
  awk -v k="$key:" '$1 == k { print $2 }' "/proc/$1/status" 2>/dev/null
}

# ratio A B: A/B with two decimals, "-" when either is missing.
ratio ()
{
  awk -v a="$1" -v b="$2" 'BEGIN {
    if (a == "" || b == "" || a == "-" || b == "-" || b + 0 == 0) print "-";
    else printf "%.2f", a / b }'
}
