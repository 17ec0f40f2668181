# SPDX-License-Identifier: BSD-3-Clause
# Helpers for the shell tests.  Source it at the top of every tests/test-*.sh:
#
#   source "${abs_srcdir:-$(dirname "$0")}/functions.sh"
#   set -e -u -o pipefail
#
# Exit codes follow automake: 0 pass, 1 fail, 77 skip.  Every helper that
# waits is bounded in time; nothing here sleeps blindly.  Helpers:
#
#   requires CMD [ARGS..]     skip unless CMD ARGS runs successfully
#   requires_root             skip unless running as root
#   requires_target           skip unless nvmeof-target is built
#   requires_built PATH..     skip unless these build products exist
#   requires_plugin           skip unless nbdkit is installed and the plugin
#                             built (fail if it is built but does not load)
#   requires_nbdinfo          skip unless nbdinfo (libnbd-bin) is installed
#   requires_fuse             skip unless /dev/fuse, fusermount3, nvmeof-fuse
#   cleanup_fn CMD [ARGS..]   run CMD at exit (last registered runs first),
#                             also on failure and on SIGINT/SIGTERM
#   free_port                 print a free TCP port on 127.0.0.1
#   tmpdir                    print $TMPDIR_TEST (created now, removed at exit)
#   start_target [ARGS..]     start nvmeof-target on a free loopback port; sets
#                             TARGET_PID TARGET_PORT TARGET_NQN TARGET_URL
#                             TARGET_LOG and stops it at exit
#   stop_target               SIGTERM the last started target, wait (bounded)
#   stats_refresh FILE        make the target rewrite its --stats-file (SIGUSR1)
#                             and wait for it; stat_of FILE NAME prints a counter
#   wait_stopped PID          after kill -STOP, wait until all its threads stopped
#   start_nbdkit -P PIDFILE ARGS..  start nbdkit in the background, wait for
#                             the pidfile, stop it at exit (a bare "nvmeof"
#                             argument names the built plugin); sets
#                             NBDKIT_PID (signal this one) and NBDKIT_LOG
#   nbdkit ARGS..             (a wrapper first in PATH, also "$NBDKIT") nbdkit
#                             with what the built plugin needs: a bare "nvmeof"
#                             names it, the ASan runtime is preloaded when it
#                             is instrumented.  Keep $TMPDIR_TEST/bin first in
#                             PATH (/usr/bin is already early enough for nbdsh)
#   NVMEOF_PLUGIN             path of the built plugin .so
#   random_file PATH SIZE     PATH filled with SIZE random bytes (K/M/G ok)
#   wait_for_pidfile FILE [TIMEOUT [PID]]  wait for a non-empty pidfile
#   with_timeout SECS CMD..   run CMD, fail clearly if it takes too long
#   fail MSG                  print "FAIL: MSG" and exit 1
#
# Servers started by start_target/start_nbdkit are stopped at exit; if one
# crashed, exited with an error or logged a sanitizer report, the test fails
# even if everything else passed.  Call start_* in the test's own shell, not
# in a ( subshell ): a subshell does not run the exit hooks.  Don't set your
# own EXIT trap: use cleanup_fn.

# Where things are.  Under "make check" these come from tests/Makefile.am;
# when a test is run by hand from the source tree we assume an in-tree build.
: "${abs_srcdir:=$(cd "$(dirname "$0")" && pwd)}"
: "${abs_builddir:=$abs_srcdir}"
: "${abs_top_srcdir:=$(cd "$abs_srcdir/.." && pwd)}"
: "${abs_top_builddir:=$(cd "$abs_builddir/.." && pwd)}"
export abs_srcdir abs_builddir abs_top_srcdir abs_top_builddir

NVMEOF_PLUGIN="$abs_top_builddir/plugin/.libs/nbdkit-nvmeof-plugin.so"
# (The self-test points NVMEOF_TARGET at a fake.)
: "${NVMEOF_TARGET:=$abs_top_builddir/target/nvmeof-target}"
NVMEOF_CLI="$abs_top_builddir/tools/nvmeof"
NVMEOF_FUSE="$abs_top_builddir/fuse/nvmeof-fuse"
NVMEOF_DEFAULT_NQN="nqn.2026-11.io.nvmeof:target"
export NVMEOF_PLUGIN

# The programs of the build tree first, then the system's (Debian's python3
# has the libnbd module that nbdsh needs; another python3 may come first).
PATH="$abs_top_builddir/tools:$abs_top_builddir/target:$abs_top_builddir/fuse:/usr/bin:$PATH"
export PATH

# ---- failing and skipping -------------------------------------------

fail ()
{
  echo "FAIL: $*" >&2
  exit 1
}

_skip ()
{
  echo "SKIP: $0: $*" >&2
  exit 77
}

requires ()
{
  if ! "$@" </dev/null >/dev/null 2>&1; then
    _skip "$* not available"
  fi
}

requires_root ()
{
  if [ "$(id -u)" != 0 ]; then
    _skip "must be run as root"
  fi
}

requires_built ()
{
  local f
  for f in "$@"; do
    [ -e "$f" ] || _skip "$f is not built"
  done
}

requires_target ()
{
  [ -x "$NVMEOF_TARGET" ] || _skip "nvmeof-target is not built ($NVMEOF_TARGET)"
}

requires_nbdinfo ()
{
  requires nbdinfo --version
}

requires_plugin ()
{
  requires command -v nbdkit
  [ -f "$NVMEOF_PLUGIN" ] || _skip "the nbdkit plugin is not built ($NVMEOF_PLUGIN)"
  # Built but not loadable (an undefined symbol ...) is a bug, not a skip.
  local err
  if ! err=$("$NBDKIT" "$NVMEOF_PLUGIN" --dump-plugin </dev/null 2>&1 >/dev/null); then
    echo "$err" >&2
    fail "nbdkit cannot load $NVMEOF_PLUGIN"
  fi
}

requires_fuse ()
{
  [ -c /dev/fuse ] || _skip "/dev/fuse is not available"
  requires command -v fusermount3
  [ -x "$NVMEOF_FUSE" ] || _skip "nvmeof-fuse is not built ($NVMEOF_FUSE)"
}

# ---- cleanup at exit ------------------------------------------------

_cleanup_hooks=()
# Set to 1 by our own stop hooks (_stop_child) when a server we started
# crashed or reported a sanitizer error: the test then fails.  The exit
# status of other hooks is ignored (a "kill" of a process that is already
# gone is not an error).
_cleanup_failed=0

cleanup_fn ()
{
  local q
  q=$(printf '%q ' "$@")
  _cleanup_hooks+=("$q")
}

_run_cleanup_hooks ()
{
  local i
  for ((i = ${#_cleanup_hooks[@]} - 1; i >= 0; i--)); do
    eval "${_cleanup_hooks[$i]}" || true
  done
  _cleanup_hooks=()
}

_on_exit ()
{
  local rc=$?
  set +e
  _run_cleanup_hooks
  if [ "$rc" = 0 ] && [ "$_cleanup_failed" != 0 ]; then
    echo "FAIL: $0: an error was found while cleaning up (see above)" >&2
    rc=1
  fi
  exit "$rc"
}

_on_signal ()
{
  local sig=$1 rc=$2
  trap - EXIT INT TERM
  set +e
  echo "$0: interrupted by SIG$sig, cleaning up" >&2
  _run_cleanup_hooks
  exit "$rc"
}

trap _on_exit EXIT
trap '_on_signal INT 130' INT
trap '_on_signal TERM 143' TERM

# ---- temporary directory --------------------------------------------

TMPDIR_TEST=$(mktemp -d "${TMPDIR:-/tmp}/nvmeof-test.XXXXXXXX")
export TMPDIR_TEST
# Registered first, so removed last (after servers using it are stopped).
cleanup_fn rm -rf "$TMPDIR_TEST"

tmpdir ()
{
  echo "$TMPDIR_TEST"
}

# ---- small utilities ------------------------------------------------

random_file ()
{
  local path=$1 size=$2
  local want got
  want=$(numfmt --from=iec "${size%B}") ||
    fail "random_file: bad size $size (expected bytes, or a K/M/G suffix)"
  head -c "$want" /dev/urandom >"$path"
  got=$(stat -c %s "$path")
  [ "$got" = "$want" ] || fail "random_file: $path has $got bytes, wanted $want"
}

with_timeout ()
{
  local secs=$1 rc=0
  shift
  timeout -k 5 "$secs" "$@" || rc=$?
  if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
    echo "FAIL: timed out after ${secs}s: $*" >&2
  fi
  return "$rc"
}

# True if something is listening on 127.0.0.1:$1 or the port can't be bound.
_port_in_use ()
{
  local port=$1
  if [ -x /usr/bin/python3 ]; then
    ! /usr/bin/python3 - "$port" <<'EOF' 2>/dev/null
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.close()
EOF
  elif command -v ss >/dev/null 2>&1; then
    ss -Htln "sport = :$port" 2>/dev/null | grep -q .
  else
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null
  fi
}

# Racy by nature (another process may take the port before we use it):
# start_target retries with another port if the bind fails.
free_port ()
{
  local i port
  for i in $(seq 1 100); do
    port=$((20000 + (RANDOM * 32768 + RANDOM) % 40001))
    if ! _port_in_use "$port"; then
      echo "$port"
      return 0
    fi
  done
  fail "free_port: no free port found in 100 tries"
}

# wait_for_pidfile FILE [TIMEOUT [PID]]: wait until FILE exists and is not
# empty.  Gives up after TIMEOUT seconds (default 30), or as soon as PID (if
# given) has exited.
wait_for_pidfile ()
{
  local file=$1 secs=${2:-30} pid=${3:-}
  local deadline=$((SECONDS + secs))
  while [ "$SECONDS" -le "$deadline" ]; do
    if [ -s "$file" ]; then
      return 0
    fi
    if [ -n "$pid" ] && ! _alive "$pid"; then
      return 1
    fi
    sleep 0.05
  done
  [ -s "$file" ]
}

# True if PID is running (a zombie, exited but not yet reaped, is not).
_alive ()
{
  local pid=$1 stat
  kill -0 "$pid" 2>/dev/null || return 1
  stat=$(cat "/proc/$pid/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [ "${stat%% *}" != Z ]
}

# Wait (bounded) for a process to exit after a signal.  If it does not,
# show where it is stuck (all threads, when gdb is installed: a hang at
# exit is a bug worth a stack) and SIGKILL it, and REAL too (the process
# a wrapper runs).  Returns 0 if it exited by itself.
_wait_gone ()
{
  local pid=$1 secs=${2:-10} real=${3:-}
  local deadline=$((SECONDS + secs))
  while _alive "$pid"; do
    if [ "$SECONDS" -gt "$deadline" ]; then
      echo "$0: pid $pid did not exit in ${secs}s after SIGTERM, killing it" >&2
      if command -v gdb >/dev/null 2>&1; then
        echo "$0: stacks of pid ${real:-$pid}:" >&2
        timeout 60 gdb -p "${real:-$pid}" -batch -ex 'thread apply all bt' \
          2>/dev/null | grep -E '^(Thread|#)' >&2 || true
      fi
      [ -z "$real" ] || kill -KILL "$real" 2>/dev/null
      # A wrapper's own children (the server it runs) go too.
      pkill -KILL -P "$pid" 2>/dev/null
      kill -KILL "$pid" 2>/dev/null
      return 1
    fi
    sleep 0.05
  done
  return 0
}

# Sanitizer reports in a log mean failure even if everything else passed.
_check_log_clean ()
{
  local log=$1 what=$2
  if [ -f "$log" ] &&
     grep -Eq 'ERROR: (Address|Leak|Undefined|Thread)Sanitizer|runtime error:' "$log"; then
    echo "FAIL: $what reported a sanitizer error; its log $log:" >&2
    cat "$log" >&2
    return 1
  fi
  return 0
}

# Stop a background child we started: SIGTERM, bounded wait, reap.  Exit
# by SIGTERM (143) counts as clean.
_stopped_pids=" "
# PIDFILE (optional) names the real server when PID is a wrapper: it is
# the one signalled (and killed if it hangs).
_stop_child ()
{
  local pid=$1 log=$2 what=$3 pidfile=${4:-} rc=0 real=
  case $_stopped_pids in *" $pid "*) return 0 ;; esac
  _stopped_pids+="$pid "
  if [ -n "$pidfile" ] && [ -s "$pidfile" ]; then
    real=$(cat "$pidfile")
    [ "$real" != "$pid" ] && _alive "$real" || real=
  fi
  if _alive "$pid"; then
    kill -TERM "${real:-$pid}" 2>/dev/null || true
    # NVMEOF_STOP_TIMEOUT: longer under ThreadSanitizer (make check-tsan).
    _wait_gone "$pid" "${NVMEOF_STOP_TIMEOUT:-20}" "$real" || true
  fi
  wait "$pid" 2>/dev/null || rc=$?
  case $rc in
    0|143) ;;
    *) echo "FAIL: $what (pid $pid) exited with status $rc; its log $log:" >&2
       [ -f "$log" ] && cat "$log" >&2
       _cleanup_failed=1
       return 1 ;;
  esac
  _check_log_clean "$log" "$what" || { _cleanup_failed=1; return 1; }
}

# ---- nvmeof-target --------------------------------------------------

TARGET_PID=
TARGET_PORT=
TARGET_NQN=
TARGET_URL=
TARGET_LOG=
_target_n=0

start_target ()
{
  requires_target
  local nqn=$NVMEOF_DEFAULT_NQN listen= a prev=
  for a in "$@"; do
    case $prev in
      -n|--nqn) nqn=$a ;;
      -l|--listen) listen=$a ;;
    esac
    case $a in
      --nqn=*) nqn=${a#--nqn=} ;;
      --listen=*) listen=${a#--listen=} ;;
    esac
    prev=$a
  done

  local try port pidfile log pid
  for try in 1 2 3; do
    _target_n=$((_target_n + 1))
    pidfile="$TMPDIR_TEST/target$_target_n.pid"
    log="$TMPDIR_TEST/target$_target_n.log"
    if [ -n "$listen" ]; then
      port=${listen##*:}
      "$NVMEOF_TARGET" -f -P "$pidfile" "$@" </dev/null >"$log" 2>&1 &
    else
      port=$(free_port)
      "$NVMEOF_TARGET" -f -P "$pidfile" -l "127.0.0.1:$port" "$@" \
        </dev/null >"$log" 2>&1 &
    fi
    pid=$!
    if wait_for_pidfile "$pidfile" 30 "$pid" && _alive "$pid"; then
      TARGET_PID=$pid
      TARGET_PORT=$port
      TARGET_NQN=$nqn
      TARGET_URL="nvme+tcp://127.0.0.1:$port/$nqn"
      TARGET_LOG=$log
      export TARGET_PID TARGET_PORT TARGET_NQN TARGET_URL TARGET_LOG
      cleanup_fn _stop_child "$pid" "$log" "nvmeof-target"
      return 0
    fi
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    # Lost a race for the port: try another one.
    if [ -z "$listen" ] && grep -qi 'in use' "$log"; then
      continue
    fi
    break
  done
  echo "$0: start_target: nvmeof-target $* did not start; its log:" >&2
  cat "$log" >&2
  fail "start_target: nvmeof-target did not start"
}

stop_target ()
{
  [ -n "$TARGET_PID" ] || return 0
  local pid=$TARGET_PID
  TARGET_PID=
  _stop_child "$pid" "$TARGET_LOG" "nvmeof-target"
}

# ---- nbdkit ---------------------------------------------------------

# "nbdkit" in tests (also under timeout, xargs ...) is a wrapper that the
# tests' PATH finds first: $TMPDIR_TEST/bin/nbdkit.  It
#  - names the built plugin for a bare "nvmeof" argument (as ./run does);
#  - preloads the ASan runtime when the plugin is instrumented (a process
#    can only dlopen an ASan library if the runtime comes first), and keeps
#    it away from --run commands, whose programs (bash, python ...) are not
#    instrumented and would drown the result in foreign leak reports.
# Leak detection stays on for nbdkit with the plugin.
NBDKIT=nbdkit
_make_nbdkit_wrapper ()
{
  local real rt=
  real=$(PATH=${PATH//"$TMPDIR_TEST/bin:"/} command -v nbdkit 2>/dev/null) ||
    return 0
  if [ -f "$NVMEOF_PLUGIN" ]; then
    # The sanitizer runtime the plugin needs loaded first: ASan's, or
    # TSan's (the TSan build of the threaded tests).
    rt=$(ldd "$NVMEOF_PLUGIN" 2>/dev/null |
         awk '/lib[at]san\.so/ { print $3; exit }')
  fi
  mkdir -p "$TMPDIR_TEST/bin"
  {
    echo '#!/usr/bin/env bash'
    echo '# Generated by tests/functions.sh (see there).'
    printf 'real=%q plugin=%q rt=%q\n' "$real" "$NVMEOF_PLUGIN" "$rt"
    cat <<'EOF'
# What --run commands get back: the environment from before this wrapper.
restore=
for v in LD_PRELOAD ASAN_OPTIONS UBSAN_OPTIONS TSAN_OPTIONS; do
  if [ -n "${!v+set}" ]; then
    restore+="$v=$(printf %q "${!v}"); export $v; "
  else
    restore+="unset $v; "
  fi
done
# Only for our plugin: nbdkit's own plugins are not leak-free under LSan.
case " $* " in
  *" nvmeof "*|*" $plugin "*) ;;
  *) rt= ;;
esac
args=() prev= mapped=0
for a in "$@"; do
  if [ "$mapped" = 0 ] && [ "$a" = nvmeof ]; then
    a=$plugin; mapped=1
  fi
  if [ -n "$rt" ]; then
    case $prev in --run) a="$restore$a" ;; esac
    case $a in --run=*) a="--run=$restore${a#--run=}" ;; esac
  fi
  args+=("$a"); prev=$a
done
[ -n "$rt" ] || exec "$real" "${args[@]}"

# Instrumented plugin.  In --run mode nbdkit's exit status is the command's,
# so a sanitizer report from the server would go unnoticed: reports go to
# files instead, and any report makes this wrapper fail.
reports=$(mktemp -d "${TMPDIR_TEST:-/tmp}/sanitizer.XXXXXX")
# Preloaded, ASan initialises at the first malloc, which is inside
# p11-kit's constructor (nbdkit -> gnutls -> p11-kit) while that holds
# glibc's locale lock; ASan's start-up (dlerror -> gettext) then breaks the
# lock, and nbdkit hangs in exit() once anything has called strerror().
# Loading p11-kit ahead of the runtime makes its constructor run after
# ASan's (hence verify_asan_link_order=0).
p11=$(ldd "$real" 2>/dev/null | awk '/libp11-kit\.so/ { print $3; exit }')
export LD_PRELOAD="${p11:+$p11:}$rt${LD_PRELOAD:+:$LD_PRELOAD}"
# (exitcode: nbdkit's status when ASan or LeakSanitizer reported, told
# apart from nbdkit's own failures below.)
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}${p11:+verify_asan_link_order=0:}log_path=$reports/asan:exitcode=86"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}log_path=$reports/ubsan"
export TSAN_OPTIONS="${TSAN_OPTIONS:+$TSAN_OPTIONS:}log_path=$reports/tsan"
# Not exec: stay to read the reports.  Signals are passed on; stdin is
# kept (nbdkit -s).
# Socket activation (systemd-socket-activate): LISTEN_PID names this
# wrapper, and nbdkit serves the passed socket only if it names nbdkit.
if [ "${LISTEN_PID:-}" = "$$" ]; then
  ( LISTEN_PID=$BASHPID; export LISTEN_PID; exec "$real" "${args[@]}" ) <&0 &
else
  "$real" "${args[@]}" <&0 &
fi
child=$!
trap 'kill -TERM $child 2>/dev/null' TERM INT HUP
while :; do
  wait "$child"
  rc=$?
  kill -0 "$child" 2>/dev/null || break
done
# The runtime was for nbdkit only: ls, cat and rm with TSan's preloaded
# can deadlock (in setlocale).
unset LD_PRELOAD
# A leak report whose every allocation was made by nbdkit's own code (frame
# #1 in its binary, no frame of the plugin or the library: nbdkit 1.32
# leaks 280 bytes at exit now and then) is nbdkit's, not ours: shown, not
# failed (nor is the status it gave nbdkit).  Any other report fails.
for f in "$reports"/asan*; do
  [ -f "$f" ] || continue
  grep -q 'ERROR: LeakSanitizer' "$f" || continue
  ! grep -q 'ERROR: AddressSanitizer' "$f" || continue
  if awk -v bin="($real+" '
      /^(Direct|Indirect) leak/ { n++; want = 1; next }
      want && /^ *#1 / { if (index ($0, bin) == 0) bad = 1; want = 0 }
      END { exit (bad || n == 0) }' "$f"; then
    echo "nbdkit: a leak in nbdkit's own code at exit (not the plugin's):" >&2
    cat "$f" >&2
    rm -f "$f"
    own_leak=1
  fi
done
if [ "${own_leak:-0}" = 1 ] && [ "$rc" = 86 ] && [ -z "$(ls -A "$reports")" ]; then
  rc=0
fi
if [ -n "$(ls -A "$reports")" ]; then
  echo "nbdkit: sanitizer report (the plugin is instrumented):" >&2
  cat "$reports"/* >&2
  [ "$rc" != 0 ] || rc=1
fi
rm -rf "$reports"
exit "$rc"
EOF
  } >"$TMPDIR_TEST/bin/nbdkit"
  chmod +x "$TMPDIR_TEST/bin/nbdkit"
  case ":$PATH:" in
    *":$TMPDIR_TEST/bin:"*) ;;
    *) PATH="$TMPDIR_TEST/bin:$PATH"; export PATH ;;
  esac
  NBDKIT="$TMPDIR_TEST/bin/nbdkit"
}
_make_nbdkit_wrapper

start_nbdkit ()
{
  if [ "${1:-}" != "-P" ] || [ $# -lt 2 ]; then
    fail "start_nbdkit: -P PIDFILE must come first"
  fi
  local pidfile=$2
  shift 2
  local args=() a done_plugin=0
  for a in "$@"; do
    if [ "$done_plugin" = 0 ] && [ "$a" = nvmeof ]; then
      a=$NVMEOF_PLUGIN
      done_plugin=1
    fi
    args+=("$a")
  done
  _target_n=$((_target_n + 1))
  local log="$TMPDIR_TEST/nbdkit$_target_n.log"
  # Foreground in a background job, so that we know the pid, get its exit
  # status and keep its stderr.
  "$NBDKIT" -f -P "$pidfile" "${args[@]}" </dev/null >"$log" 2>&1 &
  local pid=$!
  if ! wait_for_pidfile "$pidfile" 30 "$pid" || ! _alive "$pid"; then
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    echo "$0: start_nbdkit: nbdkit did not start; its log:" >&2
    cat "$log" >&2
    fail "start_nbdkit: PID file $pidfile was not created"
  fi
  NBDKIT_PID=$pid
  NBDKIT_LOG=$log
  cleanup_fn _stop_child "$pid" "$log" "nbdkit" "$pidfile"
}

# The target's --stats-file: make it rewrite the file (SIGUSR1) and wait
# until its "seq" moved on; then read one counter ("write_fua" ...).
stats_refresh ()
{
  local file=$1 old new deadline=$((SECONDS + 15))
  old=$(jq -r '.seq' "$file" 2>/dev/null || echo 0)
  kill -USR1 "$TARGET_PID" || fail "cannot signal the target"
  while :; do
    new=$(jq -r '.seq' "$file" 2>/dev/null || echo 0)
    if [ "$new" -gt "$old" ] 2>/dev/null; then
      return 0
    fi
    [ "$SECONDS" -le "$deadline" ] ||
      fail "the target did not rewrite its stats file $file"
    sleep 0.05
  done
}

stat_of ()
{
  jq -er ".commands.$2" "$1" || fail "no counter $2 in $1"
}

# After kill -STOP: wait (bounded) until every thread of PID is stopped,
# since kill returns before the signal has taken effect on all of them.
wait_stopped ()
{
  local pid=$1 deadline=$((SECONDS + 20)) t state all
  while :; do
    all=1
    for t in /proc/"$pid"/task/*/stat; do
      [ -r "$t" ] || continue
      state=$(sed 's/.*) //' "$t" 2>/dev/null | cut -d' ' -f1)
      case "$state" in
        T | t | '') ;;
        *) all=0 ;;
      esac
    done
    [ "$all" = 1 ] && return 0
    [ "$SECONDS" -le "$deadline" ] || fail "process $pid did not stop"
    sleep 0.02
  done
}
