# SPDX-License-Identifier: BSD-3-Clause
# Helpers for the nvmeof CLI and nvmeof-fuse tests (tests/test-nvmeof-*.sh),
# on top of functions.sh.  Source after it:
#
#   source "${abs_srcdir:-$(dirname "$0")}/functions.sh"
#   source "$abs_srcdir/functions-fuse.sh"
#
#   fuse_user_setup        the tests mount as an ordinary user: nobody
#                          (uid 65534) when run as root, else ourselves.
#                          Sets FUSE_UID, FUSE_DIR (a directory that user
#                          owns) and checks /dev/fuse and fusermount3 let
#                          that user mount (skips if they cannot)
#   as_user CMD..          run CMD as that user
#   user_run SECS CMD..    the same, failing clearly after SECS seconds
#   fuse_mount MNT ARGS..  nvmeof-fuse -f -v ARGS MNT as that user in the
#                          background; waits (bounded) until mounted; sets
#                          FUSE_PID, FUSE_LOG; unmounts and stops it at exit
#   fuse_unmount MNT       fusermount3 -u as that user; nvmeof-fuse must
#                          exit with status 0, without sanitizer reports
#   is_mounted MNT         true if a FUSE file system is mounted on MNT
#   wait_unmounted MNT [SECS]
#   expect_cli_error SUB LOG
#                          LOG (stderr of nvmeof SUB) is exactly one line
#                          "nvmeof: SUB: ..."

# Debian's python3 (json.tool), not a pyenv one earlier in PATH.
PYTHON=/usr/bin/python3

AS_USER=()
FUSE_UID=$(id -u)
FUSE_DIR=
_fuse_n=0

as_user ()
{
  "${AS_USER[@]}" "$@"
}

user_run ()
{
  local secs=$1
  shift
  with_timeout "$secs" "${AS_USER[@]}" "$@"
}

fuse_user_setup ()
{
  requires_fuse
  FUSE_DIR="$TMPDIR_TEST/u"
  mkdir -p "$FUSE_DIR"
  if [ "$(id -u)" = 0 ]; then
    requires command -v setpriv
    FUSE_UID=65534
    AS_USER=(setpriv --reuid=65534 --regid=65534 --clear-groups)
    # The user must reach its directory inside ours.
    chmod 0711 "$TMPDIR_TEST"
    chown 65534:65534 "$FUSE_DIR"
  fi
  # libfuse opens /dev/fuse itself and only falls back to fusermount3 when
  # mount(2) is refused, so the device must be usable by the user.  udev
  # gives it mode 0666; a container without udev may have left 0600.
  if ! as_user test -r /dev/fuse -a -w /dev/fuse; then
    if [ "$(id -u)" = 0 ]; then
      echo "note: /dev/fuse has mode $(stat -c %a /dev/fuse): giving it" \
           "udev's usual 0666 so that ordinary users can mount"
      chmod 0666 /dev/fuse
    else
      _skip "/dev/fuse cannot be opened by $(id -un)"
    fi
  fi
  if [ "$FUSE_UID" != 0 ] && [ ! -u "$(command -v fusermount3)" ]; then
    _skip "fusermount3 is not setuid root: ordinary users cannot mount"
  fi
  as_user test -x "$NVMEOF_FUSE" ||
    _skip "uid $FUSE_UID cannot run $NVMEOF_FUSE (build tree not readable)"
  # The libtool wrapper may relink on first use: do that as ourselves.
  "$NVMEOF_FUSE" --version >/dev/null || fail "nvmeof-fuse --version"
}

is_mounted ()
{
  awk -v m="$1" '$5 == m && $0 ~ / - fuse/ { found = 1 } END { exit !found }' \
    /proc/self/mountinfo
}

wait_unmounted ()
{
  local mnt=$1 deadline=$((SECONDS + ${2:-30}))
  while is_mounted "$mnt"; do
    [ "$SECONDS" -le "$deadline" ] || return 1
    sleep 0.05
  done
}

_unmount_if_mounted ()
{
  if is_mounted "$1"; then
    as_user fusermount3 -u -z "$1" 2>/dev/null || umount -l "$1" 2>/dev/null
  fi
  return 0
}

_fuse_cleanup ()
{
  local mnt=$1 pid=$2
  _unmount_if_mounted "$mnt"
  if _alive "$pid"; then
    kill -TERM "$pid" 2>/dev/null
    _wait_gone "$pid" 30 || true
  fi
  wait "$pid" 2>/dev/null || true
}

fuse_mount ()
{
  local mnt=$1 deadline
  shift
  _fuse_n=$((_fuse_n + 1))
  FUSE_LOG="$TMPDIR_TEST/fuse$_fuse_n.log"
  # Not through the as_user function: $! must be nvmeof-fuse itself.
  # SIGHUP at its default: under nohup (or another parent that ignores
  # it) nvmeof-fuse would inherit SIG_IGN, which libfuse leaves alone.
  "${AS_USER[@]}" env --default-signal=HUP "$NVMEOF_FUSE" -f -v "$@" \
    "$mnt" </dev/null >"$FUSE_LOG" 2>&1 &
  FUSE_PID=$!
  cleanup_fn _fuse_cleanup "$mnt" "$FUSE_PID"
  deadline=$((SECONDS + 30))
  until is_mounted "$mnt"; do
    if ! _alive "$FUSE_PID" || [ "$SECONDS" -gt "$deadline" ]; then
      cat "$FUSE_LOG" >&2
      fail "nvmeof-fuse $* $mnt did not mount"
    fi
    sleep 0.05
  done
  export FUSE_PID FUSE_LOG
}

fuse_unmount ()
{
  local mnt=$1 rc=0
  as_user fusermount3 -u "$mnt" || fail "fusermount3 -u $mnt failed"
  if ! _wait_gone "$FUSE_PID" 30; then
    cat "$FUSE_LOG" >&2
    fail "nvmeof-fuse did not exit after fusermount3 -u"
  fi
  wait "$FUSE_PID" || rc=$?
  if [ "$rc" != 0 ]; then
    cat "$FUSE_LOG" >&2
    fail "nvmeof-fuse exited with status $rc after fusermount3 -u"
  fi
  _check_log_clean "$FUSE_LOG" nvmeof-fuse || fail "sanitizer report"
  ! is_mounted "$mnt" || fail "$mnt is still mounted"
}

expect_cli_error ()
{
  local sub=$1 log=$2 n
  n=$(wc -l <"$log")
  if [ "$n" != 1 ]; then
    echo "nvmeof $sub: expected one line on stderr, got $n:" >&2
    cat "$log" >&2
    return 1
  fi
  if ! grep -q "^nvmeof: $sub: " "$log"; then
    echo "nvmeof $sub: not 'nvmeof: $sub: ...': $(cat "$log")" >&2
    return 1
  fi
  echo "  ok: $(cat "$log")"
}
