# SPDX-License-Identifier: BSD-3-Clause
# Helpers for the nbdkit plugin tests (tests/test-plugin-*.sh), on top of
# functions.sh.  Source after functions.sh:
#
#   source "${abs_srcdir:-$(dirname "$0")}/functions.sh"
#   source "$abs_srcdir/functions-plugin.sh"
#
#   start_plugin [NBDKIT-ARGS..] [-- PLUGIN-ARGS..]
#                        start nbdkit with the built plugin on a Unix socket
#                        (plugin arguments default to $TARGET_URL); sets
#                        NBD_SOCK, NBD_URI (the default export) and
#                        NBDKIT_PID, NBDKIT_LOG
#   stop_plugin          stop that nbdkit (SIGTERM, bounded wait)
#   nbd_uri [EXPORT]     print the NBD URI of an export of that nbdkit
#   nbdkit_bounded SECS ARGS..
#                        nbdkit ARGS.., killed after SECS seconds
#   nbdsh_sys ARGS..     nbdsh from Debian's python (libnbd's module lives
#                        there), time-bounded
#   expect_one_error_line LOG KEY..
#                        LOG holds exactly one line, an nbdkit error that
#                        names every KEY

_plugin_n=0

start_plugin ()
{
  local nbdkit_args=() plugin_args=() seen_sep=0 a
  for a in "$@"; do
    if [ "$seen_sep" = 0 ] && [ "$a" = "--" ]; then
      seen_sep=1
    elif [ "$seen_sep" = 0 ]; then
      nbdkit_args+=("$a")
    else
      plugin_args+=("$a")
    fi
  done
  if [ "$seen_sep" = 0 ]; then
    plugin_args=("$TARGET_URL")
  fi
  _plugin_n=$((_plugin_n + 1))
  NBD_SOCK="$TMPDIR_TEST/nbdkit$_plugin_n.sock"
  start_nbdkit -P "$TMPDIR_TEST/nbdkit$_plugin_n.pid" -U "$NBD_SOCK" \
    "${nbdkit_args[@]}" nvmeof "${plugin_args[@]}"
  NBD_URI="nbd+unix:///?socket=$NBD_SOCK"
  export NBD_SOCK NBD_URI
  # At exit, show what nbdkit complained about (helps when a test fails).
  cleanup_fn _plugin_show_errors "$NBDKIT_LOG"
}

_plugin_show_errors ()
{
  if grep -q 'error' "$1" 2>/dev/null; then
    echo "--- errors in $1 (the first 10):" >&2
    grep 'error' "$1" | head -n 10 >&2
  fi
}

# Stop the nbdkit of the last start_plugin (before stopping its target, so
# that it is not left reconnecting).
stop_plugin ()
{
  _stop_child "$NBDKIT_PID" "$NBDKIT_LOG" "nbdkit" \
    "$TMPDIR_TEST/nbdkit$_plugin_n.pid"
}

nbd_uri ()
{
  echo "nbd+unix:///${1:-}?socket=$NBD_SOCK"
}

nbdkit_bounded ()
{
  local secs=$1
  shift
  # "nbdkit" is functions.sh's wrapper (ASan runtime, plugin name).
  with_timeout "$secs" nbdkit "$@"
}

# nbdsh runs "python3": libnbd's module is in Debian's, which may not be the
# first python3 in PATH (pyenv).  Only nbdsh gets /usr/bin first: the rest
# of the test must keep functions.sh's nbdkit wrapper first.
nbdsh_sys ()
{
  PATH="/usr/bin:$PATH" with_timeout 300 /usr/bin/nbdsh "$@"
}

expect_one_error_line ()
{
  local log=$1 key n
  shift
  n=$(wc -l <"$log")
  if [ "$n" != 1 ]; then
    echo "expected exactly one line of error, got $n:" >&2
    cat "$log" >&2
    return 1
  fi
  grep -q 'error' "$log" || { echo "not an error: $(cat "$log")" >&2; return 1; }
  for key in "$@"; do
    if ! grep -qF -- "$key" "$log"; then
      echo "the error does not name '$key': $(cat "$log")" >&2
      return 1
    fi
  done
}
