#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Fetch (once) and cache what the interop VM boots: Debian's stock kernel
# (linux-image-amd64's dependency, which has nvmet and nvmet-tcp as
# modules) and busybox-static.  Prints shell assignments for the caller to
# eval:
#
#   INTEROP_VMLINUX    uncompressed kernel (booted through its PVH entry,
#                      which under TCG is twice as fast as the bzImage)
#   INTEROP_MODROOT    a tree holding lib/modules/VERSION/ with only the
#                      modules the VM loads, and their modules.dep
#   INTEROP_BUSYBOX    a static busybox binary
#   INTEROP_KERNEL     kernel package and version, for the logs
#
# Packages come from the configured Debian mirrors through apt-get (which
# checks them against the signed archive).  The cache directory is
# $NVMEOF_INTEROP_CACHE, else $XDG_CACHE_HOME/nvmeof-interop, else
# ~/.cache/nvmeof-interop, one subdirectory per package version.  When the
# mirrors can't be reached the newest complete cached version is used.
#
# Environment: NVMEOF_INTEROP_KERNEL_META (default linux-image-amd64) picks
# another kernel metapackage or a linux-image-VERSION package directly.

set -e -u -o pipefail

cache=${NVMEOF_INTEROP_CACHE:-${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/nvmeof-interop}
meta=${NVMEOF_INTEROP_KERNEL_META:-linux-image-amd64}

# Modules the guest loads (dependencies are added from modules.dep).
wanted_modules="configfs nvmet nvmet-tcp loop null_blk virtio_pci virtio_net
                crc32c_generic crct10dif_generic"

msg () { echo "fetch-kernel: $*" >&2; }
die () { msg "error: $*"; exit 1; }

for c in apt-get apt-cache dpkg-deb flock; do
  command -v "$c" >/dev/null 2>&1 ||
    die "$c not found (the interop VM is built from Debian packages)"
done
[ -x /usr/bin/python3 ] || die "/usr/bin/python3 not found (needed to unpack vmlinux)"

if ! mkdir -p "$cache" 2>/dev/null || [ ! -w "$cache" ]; then
  fallback="${TMPDIR:-/tmp}/nvmeof-interop-cache-$(id -u)"
  msg "warning: cannot write to $cache; caching in $fallback"
  cache=$fallback
  mkdir -p "$cache" || die "cannot create cache directory $cache"
fi
# One fetcher at a time per cache; waiting readers see complete dirs only.
exec 9>"$cache/.lock"
flock -w 900 9 || die "timed out waiting for the lock on $cache"

# Candidate version of PKG, or nothing if apt knows nothing about it.
candidate ()
{
  { apt-cache show --no-all-versions "$1" 2>/dev/null || true; } |
    sed -n 's/^Version: *//p' | head -n 1
}

# Cache key: package_version with characters that trouble paths replaced.
key ()
{
  printf '%s_%s' "$1" "$2" | tr ':/ ' '___'
}

# Newest complete cached directory matching GLOB (by modification time).
newest_cached ()
{
  local d best=
  for d in $cache/$1; do
    [ -f "$d/.complete" ] || continue
    if [ -z "$best" ] || [ "$d" -nt "$best" ]; then best=$d; fi
  done
  printf '%s' "$best"
}

# Download PKG=VERSION into a fresh directory and print the .deb path.
download ()
{
  local pkg=$1 ver=$2 dir=$3
  rm -rf "$dir"
  mkdir -p "$dir"
  # The _apt sandbox user may not be able to write here: apt then warns
  # and downloads as the calling user, which is fine.
  if ! (cd "$dir" && timeout 600 apt-get download -q "$pkg=$ver") \
       >"$dir/apt.log" 2>&1; then
    sed 's/^/  /' "$dir/apt.log" >&2
    return 1
  fi
  ls "$dir"/*.deb
}

# Decompress the vmlinux inside a bzImage: find a compressed stream whose
# output is an ELF file (the approach of the kernel's extract-vmlinux).
extract_vmlinux ()
{
  /usr/bin/python3 - "$1" "$2" <<'EOF'
import bz2, gzip, lzma, sys, zlib
data = open(sys.argv[1], 'rb').read()
def unxz(b): return lzma.LZMADecompressor().decompress(b)
def ungz(b): return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(b)
def unbz(b): return bz2.BZ2Decompressor().decompress(b)
for magic, fn in ((b'\xfd7zXZ\x00', unxz), (b'\x1f\x8b\x08', ungz),
                  (b'BZh', unbz)):
    i = data.find(magic)
    while i >= 0:
        try:
            out = fn(data[i:])
        except Exception:
            out = b''
        if out[:4] == b'\x7fELF':
            with open(sys.argv[2], 'wb') as f:
                f.write(out)
            sys.exit(0)
        i = data.find(magic, i + 1)
sys.exit("no compressed ELF image found in " + sys.argv[1])
EOF
}

# busybox-static: its binary is all we keep.
fetch_busybox ()
{
  local ver dir tmp deb
  ver=$(candidate busybox-static)
  if [ -n "$ver" ]; then
    dir="$cache/busybox-$(key busybox-static "$ver")"
    if [ ! -f "$dir/.complete" ]; then
      msg "downloading busybox-static $ver"
      tmp="$dir.tmp"
      if deb=$(download busybox-static "$ver" "$tmp"); then
        dpkg-deb -x "$deb" "$tmp/root"
        mv "$tmp/root/bin/busybox" "$tmp/busybox"
        rm -rf "$tmp/root" "$tmp"/*.deb "$tmp/apt.log"
        touch "$tmp/.complete"
        rm -rf "$dir"
        mv "$tmp" "$dir"
      else
        msg "warning: could not download busybox-static $ver; trying the cache"
        rm -rf "$tmp"
      fi
    fi
  fi
  if [ -z "${dir:-}" ] || [ ! -f "$dir/.complete" ]; then
    dir=$(newest_cached 'busybox-*')
    [ -n "$dir" ] ||
      die "no busybox: apt cannot get busybox-static and nothing is cached in $cache"
  fi
  touch "$dir"
  printf '%s' "$dir/busybox"
}
bb=$(fetch_busybox)

# The kernel: resolve the metapackage to the real package and version.
kpkg=$meta
case $meta in
  linux-image-[0-9]*) ;;
  *) kpkg=$({ apt-cache show --no-all-versions "$meta" 2>/dev/null || true; } |
              sed -n 's/^Depends: *\(linux-image-[^ ,]*\).*/\1/p' | head -n 1) ;;
esac
kver=
[ -n "$kpkg" ] && kver=$(candidate "$kpkg")

kdir=
if [ -n "$kver" ]; then
  kdir="$cache/kernel-$(key "$kpkg" "$kver")"
fi
if [ -n "$kdir" ] && [ ! -f "$kdir/.complete" ]; then
  msg "downloading $kpkg $kver"
  tmp="$kdir.tmp"
  if deb=$(download "$kpkg" "$kver" "$tmp"); then
    dpkg-deb -x "$deb" "$tmp/root"
    uname_r=$(ls "$tmp/root/lib/modules" | head -n 1)
    [ -n "$uname_r" ] || die "$deb has no /lib/modules/VERSION"
    vmlinuz=$(ls "$tmp/root/boot/vmlinuz-"* | head -n 1)
    extract_vmlinux "$vmlinuz" "$tmp/vmlinux"

    # modules.dep for the whole tree (Debian ships none in the package),
    # then copy the closure of the wanted modules.
    "$bb" depmod -b "$tmp/root" "$uname_r"
    mods="$tmp/root/lib/modules/$uname_r"
    mkdir -p "$tmp/modroot/lib/modules/$uname_r"
    for m in $wanted_modules; do
      line=$(grep -E "(^|/)$m\.ko(\.[a-z]+)?:" "$mods/modules.dep") ||
        die "module $m is not in $kpkg"
      for f in ${line%%:*} ${line#*:}; do
        mkdir -p "$tmp/modroot/lib/modules/$uname_r/$(dirname "$f")"
        cp "$mods/$f" "$tmp/modroot/lib/modules/$uname_r/$f"
      done
    done
    cp "$mods/modules.builtin" "$mods/modules.order" \
       "$tmp/modroot/lib/modules/$uname_r/" 2>/dev/null || true
    "$bb" depmod -b "$tmp/modroot" "$uname_r"
    printf '%s %s\n' "$kpkg" "$kver" >"$tmp/package"
    rm -rf "$tmp/root" "$tmp"/*.deb "$tmp/apt.log"
    touch "$tmp/.complete"
    rm -rf "$kdir"
    mv "$tmp" "$kdir"
  else
    msg "warning: could not download $kpkg $kver; trying the cache"
    rm -rf "$tmp"
    kdir=
  fi
fi
if [ -z "$kdir" ] || [ ! -f "$kdir/.complete" ]; then
  kdir=$(newest_cached 'kernel-*')
  [ -n "$kdir" ] ||
    die "no kernel: apt cannot get $meta (check the Debian mirrors in /etc/apt/sources.list and run apt-get update) and nothing is cached in $cache"
  msg "using cached $(cat "$kdir/package")"
fi
touch "$kdir"

printf 'INTEROP_VMLINUX=%q\n' "$kdir/vmlinux"
printf 'INTEROP_MODROOT=%q\n' "$kdir/modroot"
printf 'INTEROP_BUSYBOX=%q\n' "$bb"
printf 'INTEROP_KERNEL=%q\n' "$(cat "$kdir/package")"
