#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Run by tests/test-packages.sh as root inside the clean Debian 12 root
# (its own mount, PID and network namespaces, the loopback interface up),
# with the packages in /tmp/debs, the build directory's path as $1 and
# the multiarch triplet as $2 (dpkg-dev is not installed here):
# installs the packages with dpkg, checks what dpkg -L lists, then runs
# the README quick start against the installed files only: nvmeof-target
# serving a RAM namespace, nbdkit loading the plugin by name from its
# plugin directory, nbdinfo, an nbdcopy round trip with checksums, the
# nvmeof command, nvmeof-fuse, a program built against libnvmeof-dev, and
# nvmeof connect (nbdkit in the background), list-connections and
# disconnect-all.
set -euo pipefail
export PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C.UTF-8
build_path=$1
multiarch=$2
cd /tmp

fail ()
{
  echo "FAIL (in the clean root): $*" >&2
  exit 1
}

step ()
{
  echo "in-root: $*"
}

# Wait up to 30 seconds for a non-empty pidfile.
wait_pidfile ()
{
  local i
  for ((i = 0; i < 600; i++)); do
    [ -s "$1" ] && return 0
    sleep 0.05
  done
  return 1
}

step "dpkg -i $(cd /tmp/debs && echo *.deb)"
dpkg -i /tmp/debs/*.deb >/tmp/dpkg.log 2>&1 || {
  cat /tmp/dpkg.log >&2
  fail "dpkg -i failed"
}

# ---- dpkg -L: each package ships its files and man pages, no build path
expect ()
{
  local pkg=$1 f
  shift
  for f in "$@"; do
    dpkg -L "$pkg" | grep -qx "$f" || fail "dpkg -L $pkg does not list $f"
    [ -e "$f" ] || fail "$f (package $pkg) is not installed"
  done
}
libdir=/usr/lib/$multiarch
plugindir=$libdir/nbdkit/plugins
expect libnvmeof0 "$libdir/libnvmeof.so.0"
expect libnvmeof-dev /usr/include/nvmeof.h "$libdir/libnvmeof.so" \
  "$libdir/pkgconfig/nvmeof.pc" /usr/share/man/man3/libnvmeof.3.gz
expect nbdkit-nvmeof-plugin "$plugindir/nbdkit-nvmeof-plugin.so" \
  /usr/share/man/man1/nbdkit-nvmeof-plugin.1.gz
expect nvmeof /usr/bin/nvmeof /usr/bin/nvmeof-fuse \
  /usr/share/man/man1/nvmeof.1.gz /usr/share/man/man1/nvmeof-fuse.1.gz
expect nvmeof-target /usr/bin/nvmeof-target \
  /usr/share/man/man8/nvmeof-target.8.gz
# The systemd units, and the programs they start are the installed ones.
unitdir=/lib/systemd/system
expect nvmeof-target "$unitdir/nvmeof-target.service"
expect nbdkit-nvmeof-plugin "$unitdir/nvmeof-nbd@.service" \
  "$unitdir/nvmeof-nbd@.socket"
for unit in nvmeof-target.service nvmeof-nbd@.service; do
  # The program, and the plugin nbdkit loads.
  grep '^ExecStart=' "$unitdir/$unit" | sed 's/^ExecStart=//' | tr ' ' '\n' |
    awk 'NR == 1 || /^\/.*\.so$/' | while read -r f; do
      [ -f "$f" ] || fail "$unit starts $f, which is not installed"
    done
done
for pkg in libnvmeof0 libnvmeof-dev nbdkit-nvmeof-plugin nvmeof nvmeof-target; do
  expect "$pkg" "/usr/share/doc/$pkg/copyright"
  dpkg -L "$pkg" | while read -r f; do
    [ -f "$f" ] && [ ! -L "$f" ] || continue
    case $f in
      *.gz) zcat "$f" ;;
      *) cat "$f" ;;
    esac | grep -a -q -F "$build_path" && fail "$f ($pkg) names the build directory $build_path"
    # Nothing of the build tree: no libtool archives, no object files.
    case $f in
      *.la|*.o|*.a) fail "$f ($pkg) should not be shipped" ;;
    esac
  done
done
# The library's dependencies are the packages', not the build tree's.
ldd /usr/bin/nvmeof |
  grep -E -q "libnvmeof\.so\.0 => (/usr)?/lib/$multiarch/libnvmeof\.so\.0 " ||
  fail "nvmeof does not use the installed libnvmeof.so.0: $(ldd /usr/bin/nvmeof)"
for f in /usr/bin/nvmeof /usr/bin/nvmeof-fuse /usr/bin/nvmeof-target \
         "$plugindir/nbdkit-nvmeof-plugin.so"; do
  if ldd "$f" | grep -q 'not found'; then
    fail "$f: $(ldd "$f" | grep 'not found')"
  fi
done
step "dpkg -L: files, man pages and copyright present, no build path"

# ---- the quick start, installed files only ------------------------------
step "nvmeof-target on 127.0.0.1:4420 (a RAM namespace, its default)"
nvmeof-target -f -l 127.0.0.1:4420 -P /tmp/target.pid >/tmp/target.log 2>&1 &
target_pid=$!
wait_pidfile /tmp/target.pid || {
  cat /tmp/target.log >&2
  fail "nvmeof-target did not start"
}
url=nvme+tcp://127.0.0.1:4420/nqn.2026-11.io.nvmeof:target

step "nvmeof list $url"
nvmeof list "$url" || fail "nvmeof list failed"

step "nbdkit nvmeof $url (the plugin by name, from $plugindir)"
nbdkit nvmeof --dump-plugin | grep -qx "path=$plugindir/nbdkit-nvmeof-plugin.so" ||
  fail "nbdkit does not find the plugin in $plugindir: $(nbdkit nvmeof --dump-plugin 2>&1 | head -3)"
nbdkit -U /tmp/nbd.sock -P /tmp/nbdkit.pid nvmeof "$url" 2>/tmp/nbdkit.log ||
  { cat /tmp/nbdkit.log >&2; fail "nbdkit did not start"; }
wait_pidfile /tmp/nbdkit.pid || fail "nbdkit wrote no pidfile"
nbd='nbd+unix:///?socket=/tmp/nbd.sock'
timeout 60 nbdinfo --no-content "$nbd"

step "nbdcopy round trip of 64 MiB of random data"
head -c 64M /dev/urandom >/tmp/in
timeout 120 nbdcopy /tmp/in "$nbd"
timeout 120 nbdcopy "$nbd" /tmp/out
truncate -s 64M /tmp/out
sum_in=$(sha256sum </tmp/in | cut -d' ' -f1)
sum_out=$(sha256sum </tmp/out | cut -d' ' -f1)
echo "written:   $sum_in"
echo "read back: $sum_out"
[ "$sum_in" = "$sum_out" ] || fail "nbdcopy: the data read back differs"
kill "$(cat /tmp/nbdkit.pid)"

step "a program built against libnvmeof-dev reads the first MiB"
timeout 60 /tmp/dev-read "$url" 1048576 >/tmp/dev.out
[ "$(head -c 1M /tmp/in | sha256sum)" = "$(sha256sum </tmp/dev.out)" ] ||
  fail "dev-read: the first MiB differs from what nbdcopy wrote"

step "nvmeof-fuse: the namespace as a file"
mkdir -p /mnt/nvme
timeout 60 nvmeof-fuse "$url" /mnt/nvme || fail "nvmeof-fuse did not mount"
sum_fuse=$(head -c 64M /mnt/nvme/n1 | sha256sum | cut -d' ' -f1)
fusermount3 -u /mnt/nvme
[ "$sum_fuse" = "$sum_in" ] || fail "nvmeof-fuse: n1 differs from what nbdcopy wrote"

step "nvmeof connect, list-connections, disconnect-all"
rm -f /tmp/out
timeout 90 nvmeof connect "$url" --nbd-socket=/tmp/conn.sock ||
  fail "nvmeof connect failed"
nvmeof list-connections | tee /tmp/connections
grep -q -F /tmp/conn.sock /tmp/connections ||
  fail "nvmeof list-connections does not show /tmp/conn.sock"
timeout 120 nbdcopy 'nbd+unix:///?socket=/tmp/conn.sock' /tmp/out
truncate -s 64M /tmp/out
[ "$(sha256sum </tmp/out | cut -d' ' -f1)" = "$sum_in" ] ||
  fail "nvmeof connect: the data read back differs"
timeout 60 nvmeof disconnect-all || fail "nvmeof disconnect-all failed"
[ ! -e /tmp/conn.sock ] || fail "/tmp/conn.sock is still there after disconnect-all"

kill "$target_pid"
wait "$target_pid" || fail "nvmeof-target exited with status $?"
step "OK"
