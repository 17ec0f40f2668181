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
#
# NVMEOF_INTEROP_SUITE=SUITE (e.g. trixie) takes the kernel from another
# Debian suite instead, without touching the machine's apt configuration: a
# private apt configuration in $cache/SUITE/apt (its own sources.list naming
# SUITE main on the machine's Debian mirror, its own lists and package
# cache, checked against /usr/share/keyrings/debian-archive-keyring.gpg),
# refreshed by "apt-get update" when older than a day
# (NVMEOF_INTEROP_APT_MAX_AGE, in minutes); the kernels are cached in
# $cache/SUITE/.  Busybox stays the machine's (it also runs on the host).
# The mirror is the machine's Debian mirror (apt-get indextargets), or
# NVMEOF_INTEROP_MIRROR.  Compressed modules (.ko.xz, .ko.zst, .ko.gz) are
# decompressed here, and modules built into the kernel are left out.

set -e -u -o pipefail

cache=${NVMEOF_INTEROP_CACHE:-${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/nvmeof-interop}
meta=${NVMEOF_INTEROP_KERNEL_META:-linux-image-amd64}

suite=${NVMEOF_INTEROP_SUITE:-}

# Modules the guest loads (dependencies are added from modules.dep; those
# built into the kernel are skipped).
wanted_modules="configfs nvmet nvmet-tcp loop null_blk virtio_pci virtio_net
                crc32c_generic crct10dif_generic"
# The nbd-client test (test-interop-nbd.sh): the kernel's NBD client, ext4,
# and the host's root over 9p (virtio) under a tmpfs overlay.
wanted_modules="$wanted_modules nbd ext4 9p 9pnet_virtio overlay"
# With another suite (a newer kernel), also what in-band authentication
# (DH-HMAC-CHAP) needs: nvmet's helpers and the crypto nvmet-auth allocates
# at run time (hmac, the SHA-2 family, finite-field DH).  Debian 13 builds
# that crypto into the kernel; listed so that a kernel that doesn't still
# works (nvmet-auth-config.sh loads them, and the guest's busybox modprobe
# with modules.alias answers the kernel's requests for crypto-* aliases).
# nvme-tcp is the kernel's own host, a reference for tests to check the
# target's configuration against (independently of our initiator).
# And what NVMe/TCP TLS needs: kTLS (tls) and the AEADs it asks for:
# gcm(aes) (gcm and ghash; aes and ctr are built into Debian 13's kernel)
# and rfc7539(chacha20,poly1305), which tlshd 1.0.0 negotiates for SHA-384
# PSKs (see tests/interop/README.md); the handshake upcall (net/handshake)
# is not a module.  One list for every test of a suite, so that they share
# one cached kernel.
if [ -n "$suite" ]; then
  wanted_modules="$wanted_modules nvme-auth nvme-keyring hmac sha256_generic
                  sha512_generic kpp dh_generic nvme-tcp tls gcm ghash-generic
                  chacha20poly1305 chacha_generic poly1305_generic"
fi
# A cached kernel directory is reused only if built for this list.
wanted_list=$(echo $wanted_modules)

msg () { echo "fetch-kernel: $*" >&2; }
die () { msg "error: $*"; exit 1; }

case $suite in
  *[!a-z0-9-]*|-*) die "NVMEOF_INTEROP_SUITE='$suite' is not a Debian suite name" ;;
esac

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

# apt options: none for the machine's configuration; for another suite a
# private configuration (set up below).  Only the kernel uses them.
host_apt=()
kernel_apt=()
apt_cache_with ()
{
  local -n opts=$1
  shift
  apt-cache ${opts[@]+"${opts[@]}"} "$@"
}

# Candidate version of PKG, or nothing if apt knows nothing about it
# (with the options in the array named by $2, default the machine's).
candidate ()
{
  { apt_cache_with "${2:-host_apt}" show --no-all-versions "$1" 2>/dev/null ||
      true; } | sed -n 's/^Version: *//p' | head -n 1
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

# Download PKG=VERSION into a fresh directory and print the .deb path
# (with the apt options in the array named by $4, default the machine's).
download ()
{
  local pkg=$1 ver=$2 dir=$3
  local -n opts=${4:-host_apt}
  rm -rf "$dir"
  mkdir -p "$dir"
  # The _apt sandbox user may not be able to write here: apt then warns
  # and downloads as the calling user, which is fine.
  if ! (cd "$dir" &&
        timeout 600 apt-get ${opts[@]+"${opts[@]}"} download -q "$pkg=$ver") \
       >"$dir/apt.log" 2>&1; then
    sed 's/^/  /' "$dir/apt.log" >&2
    return 1
  fi
  ls "$dir"/*.deb
}

# Decompress the vmlinux inside a bzImage: find a compressed stream whose
# output is an ELF file (the approach of the kernel's extract-vmlinux).
# zstd (Debian 13's kernels) needs the zstd program: Python has no zstd.
extract_vmlinux ()
{
  /usr/bin/python3 - "$1" "$2" <<'EOF'
import bz2, gzip, lzma, shutil, subprocess, sys, zlib
data = open(sys.argv[1], 'rb').read()
def unxz(b): return lzma.LZMADecompressor().decompress(b)
def ungz(b): return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(b)
def unbz(b): return bz2.BZ2Decompressor().decompress(b)
def unzstd(b):
    if not shutil.which('zstd'):
        sys.exit(sys.argv[1] + " is compressed with zstd: install zstd "
                 "(scripts/install-deps.sh)")
    # zstd stops with an error at the bytes after the frame (the kernel
    # appends its size): the frame's output is what counts.
    return subprocess.run(['zstd', '-dcq'], input=b, stdout=subprocess.PIPE,
                          stderr=subprocess.DEVNULL).stdout
for magic, fn in ((b'\xfd7zXZ\x00', unxz), (b'\x1f\x8b\x08', ungz),
                  (b'BZh', unbz), (b'\x28\xb5\x2f\xfd', unzstd)):
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

# ---- where the kernel comes from: the machine's apt configuration, or a
# private one for another suite.
kcache=$cache
kglob='kernel-*'
if [ -n "$suite" ]; then
  kcache=$cache/$suite
  kglob="$suite/kernel-*"
  adir=$kcache/apt
  keyring=/usr/share/keyrings/debian-archive-keyring.gpg
  max_age=${NVMEOF_INTEROP_APT_MAX_AGE:-1440}

  # The machine's Debian mirror: the one serving its own release's main.
  machine_mirror ()
  {
    local codename
    codename=$(. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}")
    { apt-get indextargets --format '$(REPO_URI) $(RELEASE) $(COMPONENT) $(TARGET_OF)' \
        2>/dev/null || true; } |
      awk -v c="$codename" '
        $3 != "main" || $4 != "deb" { next }
        $2 == c { print $1; found = 1; exit }
        $2 !~ /-/ && !other { other = $1 }
        END { if (!found && other) print other }'
  }
  mirror=${NVMEOF_INTEROP_MIRROR:-$(machine_mirror)}
  [ -n "$mirror" ] ||
    die "cannot tell the machine's Debian mirror from its apt configuration; set NVMEOF_INTEROP_MIRROR (e.g. http://deb.debian.org/debian)"
  [ -f "$keyring" ] ||
    die "$keyring not found (package debian-archive-keyring)"

  mkdir -p "$adir/lists/partial" "$adir/apt-cache/archives/partial"
  # Architecture amd64 whatever the host: it is the guest's.
  printf 'deb [arch=amd64 signed-by=%s] %s %s main\n' \
    "$keyring" "$mirror" "$suite" >"$adir/sources.list.new"
  if ! cmp -s "$adir/sources.list.new" "$adir/sources.list"; then
    mv "$adir/sources.list.new" "$adir/sources.list"
    rm -f "$adir/updated"
  else
    rm -f "$adir/sources.list.new"
  fi
  : >>"$adir/status"
  # Nothing of the machine's apt sources, preferences or package state.
  kernel_apt=(-o "Dir::Etc::sourcelist=$adir/sources.list"
              -o Dir::Etc::sourceparts=/dev/null
              -o Dir::Etc::preferences=/dev/null
              -o Dir::Etc::preferencesparts=/dev/null
              -o "Dir::State::Lists=$adir/lists"
              -o "Dir::State::status=$adir/status"
              -o "Dir::Cache=$adir/apt-cache"
              -o Acquire::Languages=none)

  suite_updated=
  suite_update ()
  {
    suite_updated=1
    msg "apt-get update for $suite ($(cat "$adir/sources.list"))"
    # --error-on=any: a list that could not be fetched is a failure (apt
    # would otherwise only warn and keep the old one).
    if timeout 600 apt-get "${kernel_apt[@]}" -q --error-on=any update \
         >"$adir/update.log" 2>&1; then
      touch "$adir/updated"
    else
      sed 's/^/  /' "$adir/update.log" >&2
      msg "warning: apt-get update for $suite failed (above)"
      return 1
    fi
  }
  if [ ! -f "$adir/updated" ] ||
     [ -z "$(find "$adir/updated" -mmin "-$max_age" 2>/dev/null)" ]; then
    suite_update || true
  fi
else
  suite_updated=1        # the machine's lists: never updated here
fi

# Decompress the compressed modules (.ko.xz, .ko.zst, .ko.gz) under DIR in
# place: then busybox's insmod and depmod need no decompressor and the
# guest spends no time on it.
decompress_modules ()
{
  /usr/bin/python3 - "$1" <<'EOF'
import gzip, lzma, os, subprocess, sys
for dp, dn, fn in os.walk(sys.argv[1]):
    for f in fn:
        p = os.path.join(dp, f)
        if f.endswith('.ko.xz'):
            data = lzma.open(p).read()
        elif f.endswith('.ko.gz'):
            data = gzip.open(p).read()
        elif f.endswith('.ko.zst'):
            data = subprocess.run(['zstd', '-dcq', p], check=True,
                                  stdout=subprocess.PIPE).stdout
        else:
            continue
        with open(p[:p.rindex('.')], 'wb') as out:
            out.write(data)
        os.unlink(p)
EOF
}

# The kernel: resolve the metapackage to the real package and version.
resolve_kernel ()
{
  kpkg=$meta
  case $meta in
    linux-image-[0-9]*) ;;
    *) kpkg=$({ apt_cache_with kernel_apt show --no-all-versions "$meta" \
                  2>/dev/null || true; } |
                sed -n 's/^Depends: *\(linux-image-[^ ,]*\).*/\1/p' | head -n 1) ;;
  esac
  kver=
  [ -n "$kpkg" ] && kver=$(candidate "$kpkg" kernel_apt)
  kdir=
  if [ -n "$kver" ]; then
    kdir="$kcache/kernel-$(key "$kpkg" "$kver")"
  fi
}
resolve_kernel

# Unpack the kernel package in $tmp: vmlinux, and modroot/ with the wanted
# modules (uncompressed) and their modules.dep.
build_kernel_dir ()
{
  local deb=$1 mroot uname_r vmlinuz mods m line f builtin=
  dpkg-deb -x "$deb" "$tmp/root"
  # Debian 13 ships the modules under /usr/lib/modules (merged /usr).
  mroot=$tmp/root
  [ -d "$mroot/lib/modules" ] || mroot=$tmp/root/usr
  uname_r=$(ls "$mroot/lib/modules" 2>/dev/null | head -n 1)
  [ -n "$uname_r" ] || die "$deb has no /lib/modules/VERSION"
  vmlinuz=$(ls "$tmp/root/boot/vmlinuz-"* | head -n 1)
  extract_vmlinux "$vmlinuz" "$tmp/vmlinux"

  # modules.dep for the whole tree (Debian ships none in the package),
  # then copy the closure of the wanted modules.
  "$bb" depmod -b "$mroot" "$uname_r"
  mods="$mroot/lib/modules/$uname_r"
  mkdir -p "$tmp/modroot/lib/modules/$uname_r"
  for m in $wanted_modules; do
    if grep -qE "(^|/)$m\.ko(\.[a-z]+)?\$" "$mods/modules.builtin"; then
      builtin="$builtin $m"
      continue
    fi
    line=$(grep -E "(^|/)$m\.ko(\.[a-z]+)?:" "$mods/modules.dep") ||
      die "module $m is not in $kpkg"
    for f in ${line%%:*} ${line#*:}; do
      mkdir -p "$tmp/modroot/lib/modules/$uname_r/$(dirname "$f")"
      cp "$mods/$f" "$tmp/modroot/lib/modules/$uname_r/$f"
    done
  done
  decompress_modules "$tmp/modroot/lib/modules/$uname_r"
  cp "$mods/modules.builtin" "$tmp/modroot/lib/modules/$uname_r/" 2>/dev/null ||
    true
  if [ -f "$mods/modules.order" ]; then
    sed 's/\.ko\.[a-z]*$/.ko/' "$mods/modules.order" \
      >"$tmp/modroot/lib/modules/$uname_r/modules.order"
  fi
  "$bb" depmod -b "$tmp/modroot" "$uname_r"
  [ -z "$builtin" ] || msg "built into $kpkg:$builtin"
  printf '%s %s%s\n' "$kpkg" "$kver" "${suite:+ ($suite)}" >"$tmp/package"
  printf '%s\n' "$wanted_list" >"$tmp/modules.wanted"
  rm -rf "$tmp/root" "$tmp"/*.deb "$tmp/apt.log"
  touch "$tmp/.complete"
  rm -rf "$kdir"
  mv "$tmp" "$kdir"
}

# Complete, and with the modules wanted now.
kernel_ready ()
{
  [ -f "$1/.complete" ] &&
    [ "$(cat "$1/modules.wanted" 2>/dev/null)" = "$wanted_list" ]
}

while [ -n "$kdir" ] && ! kernel_ready "$kdir"; do
  msg "downloading $kpkg $kver${suite:+ ($suite)}"
  mkdir -p "$kcache"
  tmp="$kdir.tmp"
  if deb=$(download "$kpkg" "$kver" "$tmp" kernel_apt); then
    build_kernel_dir "$deb"
    break
  fi
  rm -rf "$tmp"
  # Stale private lists name a version the mirror no longer has: refresh
  # them once and try again.
  if [ -z "$suite_updated" ] && suite_update; then
    resolve_kernel
    continue
  fi
  msg "warning: could not download $kpkg $kver; trying the cache"
  kdir=
done
if [ -z "$kdir" ] || [ ! -f "$kdir/.complete" ]; then
  kdir=$(newest_cached "$kglob")
  if [ -z "$kdir" ]; then
    if [ -n "$suite" ]; then
      die "no kernel: apt cannot get $meta from $suite (private configuration in $adir; see above) and nothing is cached in $kcache"
    fi
    die "no kernel: apt cannot get $meta (check the Debian mirrors in /etc/apt/sources.list and run apt-get update) and nothing is cached in $cache"
  fi
  msg "using cached $(cat "$kdir/package")"
fi
touch "$kdir"

# ---- programs for the guest (NVMEOF_INTEROP_GUEST_PACKAGES, a suite only):
# the packages' executables and the shared libraries they need, as a tree
# for mkinitramfs.sh to copy into the initramfs.
#
# The packages to download: the named ones and, through Depends and
# Pre-Depends (first alternatives), the library packages (Section libs)
# they need, recursively; not programs such as adduser or systemd, which
# packages name for their maintainer scripts.  What goes into the tree:
# the named packages' files less documentation and systemd, udev and
# dracut files, and the closure of their executables' DT_NEEDED over the
# unpacked library packages, each library one file named by its soname in
# /usr/lib/x86_64-linux-gnu (a default directory of Debian's dynamic
# loader, which then needs no ld.so.cache), the loader also as
# /lib64/ld-linux-x86-64.so.2.  A soname that none of the packages has is
# an error that names it.  Nothing here runs a guest program on the host.
guest_names=$(echo ${NVMEOF_INTEROP_GUEST_PACKAGES:-})
gdir=
guest_resolve ()
{
  local todo=$guest_names seen=" " level out p ver sec deps
  guest_pkgs=()
  while [ -n "$todo" ]; do
    # One apt-cache call per level of the dependency tree (each call reads
    # the whole package list: about a second).
    out=$({ apt_cache_with kernel_apt show --no-all-versions $todo 2>/dev/null ||
              true; } |
          awk '
            function flush() {
              if (pkg != "") print pkg, ver, (sec == "" ? "-" : sec), deps
              pkg = ver = sec = deps = ""
            }
            /^$/ { flush(); next }
            /^Package: / { pkg = $2 }
            /^Version: / { ver = $2 }
            /^Section: / { sec = $2 }
            /^(Pre-)?Depends: / {
              sub(/^[^:]*: /, "")
              n = split($0, a, ",")
              for (i = 1; i <= n; i++) {
                d = a[i]; sub(/\|.*/, "", d); sub(/\(.*/, "", d)
                sub(/:any/, "", d); gsub(/[ \t]/, "", d)
                if (d != "") deps = deps " " d
              }
            }
            END { flush() }')
    level=$todo
    todo=
    for p in $level; do
      case $seen in *" $p "*) continue ;; esac
      ver=
      read -r _ ver sec deps < <(printf '%s\n' "$out" | awk -v p="$p" '$1 == p' |
                                   head -n 1) || true
      if [ -z "$ver" ]; then
        # A named package must exist; a dependency that is no package (a
        # virtual one such as debconf-2.0) is no library to fetch.
        case " $guest_names " in
          *" $p "*) msg "warning: apt knows no package $p in $suite"; return 1 ;;
        esac
        continue
      fi
      case " $guest_names " in
        *" $p "*) ;;
        *) case $sec in libs|oldlibs) ;; *) continue ;; esac ;;
      esac
      seen="$seen$p "
      guest_pkgs+=("$p=$ver")
      todo="$todo $deps"
    done
    todo=$(echo $todo)
  done
}

guest_key ()
{
  gdir=$kcache/guest-$(printf '%s\n' "${guest_pkgs[@]}" | LC_ALL=C sort |
                         sha256sum | cut -c1-16)
}

# Unpack the downloaded packages in $gtmp and build $gtmp/root; prints the
# libraries it took.
build_guest_dir ()
{
  local deb
  mkdir -p "$gtmp/unpacked" "$gtmp/root"
  : >"$gtmp/own-files"
  for deb in "$gtmp"/*.deb; do
    dpkg-deb -x "$deb" "$gtmp/unpacked"
    # The named packages' own files.
    case " $guest_names " in
      *" $(dpkg-deb -f "$deb" Package) "*)
        dpkg-deb -c "$deb" |
          awk '$1 !~ /^d/ { sub(/^\.\//, "", $6); print $6 }' >>"$gtmp/own-files" ;;
    esac
  done
  /usr/bin/python3 - "$gtmp/unpacked" "$gtmp/root" "$gtmp/own-files" <<'PYEOF'
import os, shutil, struct, sys
src, dst, own = sys.argv[1:4]
LIBDIRS = ["usr/lib/x86_64-linux-gnu", "lib/x86_64-linux-gnu", "usr/lib", "lib"]
SKIP = ("usr/share/", "usr/lib/systemd/", "lib/systemd/", "usr/lib/udev/",
        "lib/udev/", "usr/lib/dracut/")

def elf_info(path):
    """(interpreter, [DT_NEEDED]) of an ELF file, or None if not ELF."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:4] != b"\x7fELF":
        return None
    if data[4] != 2 or data[5] != 1:
        sys.exit("%s: not a 64-bit little-endian ELF file" % path)
    phoff, = struct.unpack_from("<Q", data, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", data, 0x36)
    interp, dyn, loads = None, None, []
    for i in range(phnum):
        p_type, _, p_offset, p_vaddr, _, p_filesz, _, _ = struct.unpack_from(
            "<IIQQQQQQ", data, phoff + i * phentsize)
        if p_type == 3:                                  # PT_INTERP
            interp = data[p_offset:p_offset + p_filesz].rstrip(b"\0").decode()
        elif p_type == 2:                                # PT_DYNAMIC
            dyn = (p_offset, p_filesz)
        elif p_type == 1:                                # PT_LOAD
            loads.append((p_vaddr, p_offset, p_filesz))
    needed, entries, strtab = [], [], None
    if dyn:
        for off in range(dyn[0], dyn[0] + dyn[1], 16):
            tag, val = struct.unpack_from("<qQ", data, off)
            if tag == 0:
                break
            entries.append((tag, val))
            if tag == 5:                                 # DT_STRTAB (address)
                strtab = val
        for vaddr, offset, filesz in loads:
            if strtab is not None and vaddr <= strtab < vaddr + filesz:
                strtab = strtab - vaddr + offset
                break
        for tag, val in entries:
            if tag == 1:                                 # DT_NEEDED
                end = data.index(b"\0", strtab + val)
                needed.append(data[strtab + val:end].decode())
    return interp, needed

def find_lib(name):
    for d in LIBDIRS:
        p = os.path.join(src, d, name)
        if os.path.exists(p):
            return os.path.realpath(p)
    return None

todo, libs, missing = [], {}, []
for line in open(own):
    rel = line.strip()
    if not rel or rel.startswith(SKIP):
        continue
    path = os.path.join(src, rel)
    if os.path.islink(path) or not os.path.isfile(path):
        continue
    os.makedirs(os.path.dirname(os.path.join(dst, rel)), exist_ok=True)
    shutil.copy2(path, os.path.join(dst, rel))
    if os.access(path, os.X_OK):
        todo.append((rel, path))
while todo:
    who, path = todo.pop()
    info = elf_info(path)
    if info is None:
        continue
    interp, needed = info
    if interp:
        needed = needed + [os.path.basename(interp)]
    for n in needed:
        if n in libs:
            continue
        p = find_lib(n)
        if p is None:
            missing.append("%s (needed by %s)" % (n, who))
            continue
        libs[n] = p
        todo.append((n, p))
if missing:
    sys.exit("no package has " + ", ".join(missing) +
             ": add its package to NVMEOF_INTEROP_GUEST_PACKAGES")
lib = os.path.join(dst, "usr/lib/x86_64-linux-gnu")
os.makedirs(lib, exist_ok=True)
for n, p in libs.items():
    shutil.copy2(p, os.path.join(lib, n))
# The loader where the executables' PT_INTERP names it.
os.makedirs(os.path.join(dst, "lib64"), exist_ok=True)
os.symlink("../usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2",
           os.path.join(dst, "lib64/ld-linux-x86-64.so.2"))
print(" ".join(sorted(libs)))
PYEOF
}

if [ -n "$guest_names" ]; then
  [ -n "$suite" ] ||
    die "NVMEOF_INTEROP_GUEST_PACKAGES needs NVMEOF_INTEROP_SUITE (the guest's programs come from the kernel's suite)"
  guest_pkgs=()
  if guest_resolve; then
    guest_key
  fi
  while [ -n "$gdir" ] && [ ! -f "$gdir/.complete" ]; do
    msg "downloading for the guest: ${guest_pkgs[*]}"
    gtmp=$gdir.tmp
    rm -rf "$gtmp"
    mkdir -p "$gtmp"
    if (cd "$gtmp" &&
        timeout 600 apt-get "${kernel_apt[@]}" download -q "${guest_pkgs[@]}") \
         >"$gtmp/apt.log" 2>&1; then
      glibs=$(build_guest_dir) || die "cannot build the guest's programs (above)"
      msg "guest libraries: $glibs"
      printf '%s\n' "${guest_pkgs[@]}" >"$gtmp/packages"
      printf '%s\n' "$guest_names" >"$gtmp/packages.wanted"
      rm -rf "$gtmp/unpacked" "$gtmp"/*.deb "$gtmp/apt.log" "$gtmp/own-files"
      touch "$gtmp/.complete"
      rm -rf "$gdir"
      mv "$gtmp" "$gdir"
      break
    fi
    sed 's/^/  /' "$gtmp/apt.log" >&2
    rm -rf "$gtmp"
    # Stale private lists name versions the mirror no longer has: refresh
    # them once and resolve again.
    if [ -z "$suite_updated" ] && suite_update && guest_resolve; then
      guest_key
      continue
    fi
    msg "warning: could not download the guest's packages; trying the cache"
    gdir=
  done
  if [ -z "$gdir" ] || [ ! -f "$gdir/.complete" ]; then
    gdir=
    for d in "$kcache"/guest-*; do
      [ -f "$d/.complete" ] &&
        [ "$(cat "$d/packages.wanted" 2>/dev/null)" = "$guest_names" ] ||
        continue
      if [ -z "$gdir" ] || [ "$d" -nt "$gdir" ]; then gdir=$d; fi
    done
    [ -n "$gdir" ] ||
      die "no programs for the guest: apt cannot get $guest_names from $suite (private configuration in $adir; see above) and nothing is cached in $kcache"
    msg "using cached programs for the guest: $(echo $(cat "$gdir/packages"))"
  fi
  touch "$gdir"
fi

printf 'INTEROP_VMLINUX=%q\n' "$kdir/vmlinux"
printf 'INTEROP_MODROOT=%q\n' "$kdir/modroot"
printf 'INTEROP_BUSYBOX=%q\n' "$bb"
printf 'INTEROP_KERNEL=%q\n' "$(cat "$kdir/package")"
printf 'INTEROP_GUEST_ROOT=%q\n' "${gdir:+$gdir/root}"
printf 'INTEROP_GUEST_PACKAGES=%q\n' \
  "$([ -z "$gdir" ] || echo $(cat "$gdir/packages"))"
