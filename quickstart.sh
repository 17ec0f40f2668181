#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Quick start, on a fresh Debian 12 machine, as root, from the source tree:
#
#   sudo ./quickstart.sh
#
# 1. installs the build and test dependencies (scripts/install-deps.sh),
# 2. builds nvmeof in build/ (or brings an existing build up to date),
# 3. starts nvmeof-target on the loopback interface, serving a RAM
#    namespace (its built-in default), on a free port,
# 4. serves that namespace over NBD with "nbdkit nvmeof",
# 5. shows it with nbdinfo, copies random data in and back out with
#    nbdcopy and compares checksums,
# 6. stops everything and removes its temporary files.
set -euo pipefail

# Debian's own tools first (the libnbd Python module is in /usr/bin/python3).
export PATH="/usr/bin:/bin:/usr/sbin:/sbin:$PATH"

srcdir=$(cd "$(dirname "$0")" && pwd)
builddir=$srcdir/build
jobs=$(nproc 2>/dev/null || echo 2)
data_mb=64

say ()
{
  printf '\n==> %s\n' "$*"
}

die ()
{
  printf 'quickstart: %s\n' "$*" >&2
  exit 1
}

# ---- cleanup: whatever happens, stop what we started ------------------
tmp=
target_pid=
nbdkit_pid=
# Running, and not a zombie waiting to be reaped.
alive ()
{
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [ "${stat%% *}" != Z ]
}
# SIGTERM, then SIGKILL if it is still there after 10 seconds.
stop ()
{
  local pid=$1 i
  [ -n "$pid" ] && alive "$pid" || return 0
  kill "$pid" 2>/dev/null
  for ((i = 0; i < 200; i++)); do
    alive "$pid" || break
    sleep 0.05
  done
  kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
}
cleanup ()
{
  local rc=$?
  set +e
  stop "$nbdkit_pid"
  stop "$target_pid"
  [ -n "$tmp" ] && rm -rf "$tmp"
  if [ "$rc" != 0 ]; then
    printf '\nquickstart: FAILED (exit status %s)\n' "$rc" >&2
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Wait up to $2 seconds for the non-empty file $1 while process $3 lives.
wait_for_file ()
{
  local file=$1 secs=$2 pid=$3 i
  for ((i = 0; i < secs * 20; i++)); do
    [ -s "$file" ] && return 0
    alive "$pid" || return 1
    sleep 0.05
  done
  return 1
}

# ---- 1. dependencies ----------------------------------------------------
say "Installing the dependencies (scripts/install-deps.sh)"
"$srcdir/scripts/install-deps.sh" ||
  die "the dependencies could not be installed (run as root: sudo $0)"

# ---- 2. build -------------------------------------------------------------
say "Building in $builddir"
cd "$srcdir"
if [ ! -x configure ]; then
  echo "autoreconf -fi"
  autoreconf -fi >/dev/null 2>&1 || autoreconf -fi
fi
mkdir -p "$builddir"
cd "$builddir"
if [ ! -f Makefile ]; then
  echo "configure"
  "$srcdir/configure" -q
fi
echo "make -j$jobs (only what changed, if build/ already exists)"
make -s -j"$jobs" >/dev/null

target_bin=$builddir/target/nvmeof-target
plugin=$builddir/plugin/.libs/nbdkit-nvmeof-plugin.so
[ -x "$target_bin" ] || die "the build did not produce $target_bin"
[ -f "$plugin" ] || die "the build did not produce $plugin (is nbdkit-plugin-dev installed?)"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/nvmeof-quickstart.XXXXXX")

# ---- 3. the target ------------------------------------------------------
say "Starting nvmeof-target on 127.0.0.1 (a RAM namespace, its default)"
nqn=nqn.2026-11.io.nvmeof:target
port=
for try in 1 2 3 4 5 6 7 8 9 10; do
  p=$((20000 + RANDOM % 40000))
  # Something already answers there: try another port.
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
    continue
  fi
  rm -f "$tmp/target.pid"
  "$target_bin" -f -l "127.0.0.1:$p" -P "$tmp/target.pid" \
    >"$tmp/target.log" 2>&1 &
  target_pid=$!
  if wait_for_file "$tmp/target.pid" 30 "$target_pid"; then
    port=$p
    break
  fi
  wait "$target_pid" 2>/dev/null || true
  target_pid=
done
if [ -z "$port" ]; then
  cat "$tmp/target.log" >&2 || true
  die "nvmeof-target did not start"
fi
url="nvme+tcp://127.0.0.1:$port/$nqn"
echo "nvmeof-target is listening: $url"

# ---- 4. nbdkit nvmeof ---------------------------------------------------
say "Serving the namespace over NBD: nbdkit nvmeof $url"
sock=$tmp/nbd.sock
# A build made with --enable-sanitizers (scripts/run-tests.sh does that)
# needs the ASan runtime loaded into nbdkit before the plugin (and p11-kit
# before that: see "nbdkit" in tests/functions.sh).
asan=$(ldd "$plugin" 2>/dev/null | awk '/libasan\.so/ { print $3; exit }')
if [ -n "$asan" ]; then
  p11=$(ldd "$(command -v nbdkit)" | awk '/libp11-kit\.so/ { print $3; exit }')
  export LD_PRELOAD="${p11:+$p11:}$asan" ASAN_OPTIONS=verify_asan_link_order=0
fi
nbdkit -f -U "$sock" -P "$tmp/nbdkit.pid" "$plugin" "$url" \
  >"$tmp/nbdkit.log" 2>&1 &
if [ -n "$asan" ]; then
  unset LD_PRELOAD ASAN_OPTIONS
fi
nbdkit_pid=$!
if ! wait_for_file "$tmp/nbdkit.pid" 30 "$nbdkit_pid"; then
  cat "$tmp/nbdkit.log" >&2
  die "nbdkit did not start"
fi
nbd="nbd+unix:///?socket=$sock"
echo "NBD URI: $nbd"

# ---- 5. look, copy in, copy out, compare --------------------------------
say "The namespace, as nbdinfo sees it"
timeout 60 nbdinfo "$nbd"
echo
timeout 60 nbdinfo --list "$nbd" | grep -E 'export=|description:'

say "Copying $data_mb MiB of random data in, then back out, with nbdcopy"
head -c "${data_mb}M" /dev/urandom >"$tmp/in"
timeout 120 nbdcopy --progress "$tmp/in" "$nbd"
timeout 120 nbdcopy "$nbd" "$tmp/out"
# The namespace is larger than the data: compare what we wrote.
truncate -s "${data_mb}M" "$tmp/out"

say "Comparing checksums"
sum_in=$(sha256sum <"$tmp/in" | cut -d' ' -f1)
sum_out=$(sha256sum <"$tmp/out" | cut -d' ' -f1)
echo "written:   $sum_in"
echo "read back: $sum_out"
[ "$sum_in" = "$sum_out" ] || die "the data read back differs"

say "Success: NVMe/TCP -> libnvmeof -> nbdkit -> NBD works on this machine"
cat <<EOF

Next steps (see README.md and man nbdkit-nvmeof-plugin, in
plugin/nbdkit-nvmeof-plugin.pod):
  $builddir/run nvmeof-target -f &          # the same target, port 4420
  $builddir/run nbdkit nvmeof nvme+tcp://127.0.0.1/$nqn
  nbdinfo nbd://localhost
EOF
