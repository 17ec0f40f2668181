#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# The guest side of test-interop-nbd.sh: runs inside the VM, as root, in
# the host's root (host-run in nbd-config.sh), so with the host's nbdkit,
# nbd-client, e2fsprogs and the build tree.  One step per call:
#
#   setup                 the nbdkit wrapper (/tmp/guest-bin/nbdkit: a bare
#                         "nvmeof" names the built plugin, its sanitizer
#                         runtime is preloaded, reports go to
#                         /tmp/sanitizer); prints the programs' versions
#   tree-write DIR        a tree of files of random bytes under DIR (sizes
#                         from 0 to 1 MiB + 1, 8 MiB in all), their SHA-256
#                         in /tmp/tree.sha256
#   tree-check DIR        DIR holds exactly those files with those sums
#   connections SOCKET    the connections nbdkit accepted on SOCKET
#   writer-start DIR      write 1 MiB files under DIR in the background
#                         (eight in turn), each with fsync, until one fails
#   writer-files          how many files it has written so far
#   writer-wait SECS      wait (bounded) until the writer stopped; prints
#                         how and its error; fails if it is still writing
#   d-state               print the tasks in uninterruptible sleep (D)
#   wait-pid FILE         until FILE names a running process (30 s)
#   stop-pid FILE         SIGTERM that process and wait until it exited (30 s)
#   sanitizer-check       fail, printing them, if there are sanitizer reports

set -e -u -o pipefail

die ()
{
  echo "nbd-guest: $*" >&2
  exit 1
}

case ${1:-} in
  setup)
    mkdir -p /tmp/guest-bin /tmp/sanitizer
    [ -f "$NVMEOF_PLUGIN" ] || die "$NVMEOF_PLUGIN is not there"
    real=$(command -v nbdkit) || die "no nbdkit"
    rt=$(ldd "$NVMEOF_PLUGIN" | awk '/lib[at]san\.so/ && !f { print $3; f = 1 }')
    # As the wrapper of tests/functions.sh: p11-kit loaded ahead of the
    # ASan runtime (see there).
    p11=
    [ -z "$rt" ] ||
      p11=$(ldd "$real" | awk '/libp11-kit\.so/ && !f { print $3; f = 1 }')
    {
      echo '#!/usr/bin/env bash'
      echo '# Written by nbd-guest.sh setup.'
      printf 'real=%q plugin=%q rt=%q p11=%q\n' "$real" "$NVMEOF_PLUGIN" "$rt" "$p11"
      cat <<'EOF'
args=() mapped=0
for a in "$@"; do
  if [ "$mapped" = 0 ] && [ "$a" = nvmeof ]; then
    a=$plugin; mapped=1
  fi
  args+=("$a")
done
if [ -n "$rt" ]; then
  export LD_PRELOAD="${p11:+$p11:}$rt"
  [ -z "$p11" ] || export ASAN_OPTIONS="$ASAN_OPTIONS:verify_asan_link_order=0"
fi
exec "$real" "${args[@]}"
EOF
    } >/tmp/guest-bin/nbdkit
    chmod +x /tmp/guest-bin/nbdkit
    echo "guest kernel $(uname -r); $(nbdkit --version | head -n 1);" \
         "$(nbd-client -V 2>&1 | head -n 1); $(mkfs.ext4 -V 2>&1 | head -n 1)"
    echo "plugin ${NVMEOF_PLUGIN}${rt:+ (instrumented: $rt preloaded)}"
    ;;

  tree-write)
    dir=$2
    cd "$dir"
    total=0 n=0
    for sub in a a/b a/b/c d e/f; do
      mkdir -p "$sub"
    done
    # Sizes that cross block and page boundaries, and empty files.
    for size in 0 1 511 512 4095 4096 4097 65536 65537 131072 \
                262144 300001 524288 1048576 1048577; do
      for sub in a a/b/c e/f; do
        head -c "$size" /dev/urandom >"$sub/f$size"
        total=$((total + size))
        n=$((n + 1))
      done
    done
    for i in $(seq 1 40); do
      head -c $((i * 997)) /dev/urandom >"d/small$i"
      total=$((total + i * 997))
      n=$((n + 1))
    done
    find . -type f | LC_ALL=C sort | xargs sha256sum >/tmp/tree.sha256
    echo "wrote $n files, $total bytes"
    ;;

  tree-check)
    cd "$2"
    find . -type f | LC_ALL=C sort >/tmp/tree.found
    awk '{ print $2 }' /tmp/tree.sha256 | cmp -s - /tmp/tree.found ||
      die "the files under $2 are not the ones written"
    sha256sum --quiet -c /tmp/tree.sha256 || die "checksums differ under $2"
    echo "$(wc -l </tmp/tree.sha256) files, every checksum matches"
    ;;

  connections)
    # Sockets nbdkit accepted on that path (state 03, connected); the
    # listening one is 01.
    awk -v p="$2" '$8 == p && $6 == "03"' /proc/net/unix | wc -l
    ;;

  writer-start)
    rm -f /tmp/writer.*
    dir=$2
    (
      i=0
      # Eight files in turn: the filesystem never fills up.
      while dd if=/dev/urandom of="$dir/w$((i % 8))" bs=1M count=1 conv=fsync \
               status=none 2>/tmp/writer.err; do
        i=$((i + 1))
        echo "$i" >/tmp/writer.count
      done
      echo "$i" >/tmp/writer.stopped
    ) </dev/null >/dev/null 2>&1 &
    echo $! >/tmp/writer.pid
    ;;

  writer-files)
    cat /tmp/writer.count 2>/dev/null || echo 0
    ;;

  writer-wait)
    deadline=$((SECONDS + $2))
    while [ ! -f /tmp/writer.stopped ]; do
      [ "$SECONDS" -lt "$deadline" ] ||
        die "the writer is still writing after $2 s ($(cat /tmp/writer.count 2>/dev/null || echo 0) files)"
      sleep 0.2
    done
    echo "the writer stopped after $(cat /tmp/writer.stopped) writes: $(cat /tmp/writer.err)"
    ;;

  d-state)
    for s in /proc/[0-9]*/stat; do
      line=$(cat "$s" 2>/dev/null) || continue
      rest=${line##*) }
      [ "${rest%% *}" = D ] || continue
      pid=${s#/proc/}
      echo "${pid%/stat} $(cat "/proc/${pid%/stat}/comm" 2>/dev/null)"
    done
    ;;

  wait-pid)
    for i in $(seq 300); do
      [ -s "$2" ] && kill -0 "$(cat "$2")" 2>/dev/null && exit 0
      sleep 0.1
    done
    die "no process named by $2 after 30 s"
    ;;

  stop-pid)
    pid=$(cat "$2") || die "no $2"
    kill -TERM "$pid" || die "kill -TERM $pid ($2)"
    for i in $(seq 300); do
      kill -0 "$pid" 2>/dev/null || exit 0
      sleep 0.1
    done
    die "pid $pid ($2) still runs 30 s after SIGTERM"
    ;;

  sanitizer-check)
    if [ -n "$(ls -A /tmp/sanitizer 2>/dev/null)" ]; then
      cat /tmp/sanitizer/*
      die "sanitizer reports (above)"
    fi
    echo "no sanitizer reports"
    ;;

  *)
    die "unknown step '${1:-}' (see the top of $0)"
    ;;
esac
