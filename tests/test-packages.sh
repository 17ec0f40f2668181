#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The Debian packages (debian/): build them with dpkg-buildpackage from a
# copy of the source tree, run lintian on them (no error and no warning),
# install them into a clean Debian 12 root and run the README quick start
# there against the installed files only (tests/packages/in-root.sh):
# dpkg -L sanity (files, man pages, no build path), nvmeof-target,
# nbdkit with the installed plugin, an nbdcopy round trip with checksums,
# the nvmeof command, nvmeof-fuse, and a program built against the
# installed libnvmeof-dev (tests/packages/dev-read.c).
#
# The copy of the source tree is what git tracks plus untracked files that
# are not ignored, as in the working tree (what make check builds); outside
# a git checkout (make distcheck), the source directory itself.
#
# The clean root is made once by mmdebstrap (variant "essential" plus the
# packages' dependencies, nbdkit, libnbd-bin and fuse3) from the Debian 12
# mirror the machine's apt sources name, and kept as a tarball in the cache
# directory: $NVMEOF_PACKAGES_CACHE, else $XDG_CACHE_HOME/nvmeof-test, else
# ~/.cache/nvmeof-test.  A tarball is reused as long as the package list and
# the mirrors are the same (its name carries a hash of both); delete it to
# make a fresh root.  Each run unpacks it into a temporary directory.
#
# Root is required (chroot, mounts, dpkg in the clean root).  The package
# build skips the unit tests (DEB_BUILD_OPTIONS=nocheck): make check runs
# them already.
source "${abs_srcdir:-$(dirname "$0")}/functions.sh"
set -e -u -o pipefail

requires_root
requires dpkg-buildpackage --version
requires command -v dh
requires lintian --version
requires mmdebstrap --version
requires unshare --version
requires gcc --version
requires pkg-config --version

t=$(tmpdir)
# Everything below runs with a clean environment: not make check's PATH
# (the build tree's programs), LD_LIBRARY_PATH or sanitizer options.
clean_env=(env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME="$t"
           LC_ALL=C.UTF-8 TMPDIR="$t")
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
start=$SECONDS

# ---- 1. a copy of the source tree ---------------------------------------
src=$t/build/nvmeof
mkdir -p "$src"
# (make distcheck's tree may lie inside a git checkout, ignored by it: only
# a source tree that is the top of its own checkout counts as one.)
git_top=$(git -C "$abs_top_srcdir" rev-parse --show-toplevel 2>/dev/null || true)
if [ -n "$git_top" ] &&
   [ "$(cd "$git_top" && pwd -P)" = "$(cd "$abs_top_srcdir" && pwd -P)" ]; then
  (cd "$abs_top_srcdir" &&
   git ls-files -z --cached --others --exclude-standard |
   while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
   tar --null -T - -cf -) | tar -xf - -C "$src"
else
  # make distcheck: the unpacked tarball, without its build directories.
  (cd "$abs_top_srcdir" &&
   tar --exclude=./_build --exclude=./_inst --exclude=./build -cf - .) |
    tar -xf - -C "$src"
fi
[ -f "$src/debian/control" ] || fail "the source tree has no debian/control"
echo "source copy: $src"

# ---- 2. dpkg-buildpackage -----------------------------------------------
echo "dpkg-buildpackage -us -uc -b (log: $t/build.log)"
if ! (cd "$src" &&
      "${clean_env[@]}" DEB_BUILD_OPTIONS="nocheck parallel=${JOBS:-2}" \
        timeout -k 5 1800 nice dpkg-buildpackage -us -uc -b) >"$t/build.log" 2>&1; then
  tail -n 40 "$t/build.log" >&2
  fail "dpkg-buildpackage failed (or took over 30 minutes)"
fi
# A symbol the library exports but debian/libnvmeof0.symbols does not list
# (or the reverse) is an ABI change the packaging must record.
if grep -q 'dpkg-gensymbols: warning' "$t/build.log"; then
  sed -n '/dpkg-gensymbols: warning/,/^ dh_/p' "$t/build.log" >&2
  fail "debian/libnvmeof0.symbols does not match the library's exports: add each new symbol (the + lines above) with the first version that ships it; a removed one (- lines) breaks the ABI"
fi
debs=()
for p in libnvmeof0 libnvmeof-dev nbdkit-nvmeof-plugin nvmeof nvmeof-target; do
  f=$(echo "$t/build/${p}_"*.deb)
  [ -f "$f" ] || fail "dpkg-buildpackage made no $p package"
  debs+=("$f")
done
echo "built in $((SECONDS - start)) s: ${debs[*]##*/}"

# ---- 3. lintian -----------------------------------------------------------
changes=$(echo "$t/build/"nvmeof_*.changes)
echo "lintian $changes"
if ! "${clean_env[@]}" timeout -k 5 600 \
       lintian --allow-root --display-info --fail-on error,warning \
       "$changes" >"$t/lintian.log" 2>&1; then
  cat "$t/lintian.log" >&2
  fail "lintian reports errors or warnings"
fi
cat "$t/lintian.log"

# ---- 4. the clean root (cached) -------------------------------------------
cache=${NVMEOF_PACKAGES_CACHE:-${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/nvmeof-test}
mkdir -p "$cache"
# The packages' dependencies (names only; none of ours), and what the quick
# start runs.
ours=" libnvmeof0 libnvmeof-dev nbdkit-nvmeof-plugin nvmeof nvmeof-target "
deps=$(for f in "${debs[@]}"; do
         dpkg-deb -f "$f" Depends Recommends | sed 's/^[A-Za-z]*: //'
       done | tr ',|' '\n\n' | sed 's/(.*)//; s/:any//; s/ //g' |
       while read -r d; do
         [ -n "$d" ] && [[ $ours != *" $d "* ]] && echo "$d"
       done)
include=$(printf '%s\n' $deps nbdkit libnbd-bin fuse3 | sort -u | paste -sd,)
# The machine's Debian 12 sources (not the other repositories it may have).
mirrors=$(apt-get indextargets --format '$(SITE) $(RELEASE) $(COMPONENT)' \
            'Created-By: Packages' 2>/dev/null |
          awk '$2 ~ /^bookworm(-updates|-security)?$/ { print "deb " $0 }' |
          sort -u)
[ -n "$mirrors" ] || mirrors="deb http://deb.debian.org/debian bookworm main"
key=$(printf '%s\n%s\n' "$include" "$mirrors" | sha256sum | cut -c1-16)
root_tar=$cache/bookworm-root-$key.tar
(
  flock 9
  if [ ! -s "$root_tar" ]; then
    echo "mmdebstrap bookworm (once; cached as $root_tar): $include"
    mapfile -t mirror_lines <<<"$mirrors"
    if ! "${clean_env[@]}" timeout -k 5 1200 \
           mmdebstrap --variant=essential --format=tar \
           --include="$include" bookworm "$root_tar.tmp" \
           "${mirror_lines[@]}" >"$t/mmdebstrap.log" 2>&1; then
      tail -n 30 "$t/mmdebstrap.log" >&2
      rm -f "$root_tar.tmp"
      fail "mmdebstrap could not make the clean root"
    fi
    # Older roots (another package list) are not needed any more.
    rm -f "$cache"/bookworm-root-*.tar
    mv "$root_tar.tmp" "$root_tar"
  fi
) 9>"$cache/.lock"
echo "clean root: $root_tar ($((SECONDS - start)) s so far)"

root=$t/root
mkdir "$root"
tar -xf "$root_tar" -C "$root"
mkdir -p "$root/tmp/debs"
cp "${debs[@]}" "$root/tmp/debs/"
cp "$abs_top_srcdir/tests/packages/in-root.sh" "$root/tmp/"

# ---- 5. a program built against the packaged libnvmeof-dev ---------------
dev=$t/dev
mkdir "$dev"
for f in "${debs[@]}"; do
  case ${f##*/} in libnvmeof0_*|libnvmeof-dev_*) dpkg-deb -x "$f" "$dev" ;; esac
done
pc=( "${clean_env[@]}" PKG_CONFIG_SYSROOT_DIR="$dev"
     PKG_CONFIG_LIBDIR="$dev/usr/lib/$multiarch/pkgconfig" pkg-config )
version=$(dpkg-parsechangelog -l "$src/debian/changelog" -S Version)
[ "$("${pc[@]}" --modversion nvmeof)" = "${version%%-*}" ] ||
  fail "nvmeof.pc says version $("${pc[@]}" --modversion nvmeof), debian/changelog $version"
# shellcheck disable=SC2046
gcc -Wall -Werror -o "$root/tmp/dev-read" \
  "$abs_top_srcdir/tests/packages/dev-read.c" \
  $("${pc[@]}" --cflags --libs nvmeof) ||
  fail "dev-read.c does not build against the packaged libnvmeof-dev"

# ---- 6. install and run the quick start in the clean root ---------------
# Its own mount namespace (the mounts vanish with it), PID namespace
# (whatever is left is killed when in-root.sh exits) and network namespace
# (its own loopback: the fixed port 4420 is free).
echo "in the clean root: tests/packages/in-root.sh"
with_timeout 600 unshare --mount --propagation private --pid --fork --net \
  "${clean_env[@]}" bash -e -c '
    root=$1
    ip link set lo up
    mount -t proc proc "$root/proc"
    mount --rbind /dev "$root/dev"
    mount -t tmpfs tmpfs "$root/run"
    exec chroot "$root" /bin/bash /tmp/in-root.sh "$2" "$3"
  ' in-root "$root" "$t/build" "$multiarch" ||
  fail "the quick start failed in the clean root"
echo "test-packages: OK in $((SECONDS - start)) s"
