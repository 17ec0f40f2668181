#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# mkinitramfs.sh OUT CONFIG: build the interop VM's initramfs (an
# uncompressed newc cpio: under TCG unpacking a compressed one costs more
# than it saves) from busybox, the module subset and guest-init.sh, with
# CONFIG installed as /etc/nvmet-config.sh.  Needs INTEROP_BUSYBOX and
# INTEROP_MODROOT as printed by fetch-kernel.sh, and copies
# INTEROP_GUEST_ROOT (the guest's programs and libraries) if set.

set -e -u -o pipefail

if [ $# -ne 2 ]; then
  echo "usage: $0 OUT.cpio CONFIG" >&2
  exit 2
fi
out=$1
config=$2
here=$(cd "$(dirname "$0")" && pwd)
: "${INTEROP_BUSYBOX:?run fetch-kernel.sh first}"
: "${INTEROP_MODROOT:?run fetch-kernel.sh first}"

stage=$(mktemp -d "${TMPDIR:-/tmp}/nvmeof-initramfs.XXXXXX")
trap 'rm -rf "$stage"' EXIT

mkdir -p "$stage/bin" "$stage/etc" "$stage/lib"
cp "$INTEROP_BUSYBOX" "$stage/bin/busybox"
ln -s busybox "$stage/bin/sh"
cp "$here/guest-init.sh" "$stage/init"
cp "$config" "$stage/etc/nvmet-config.sh"
cp -R "$INTEROP_MODROOT/lib/modules" "$stage/lib/modules"
# Programs from the kernel's suite and their libraries (fetch-kernel.sh,
# NVMEOF_INTEROP_GUEST_PACKAGES), if any.
if [ -n "${INTEROP_GUEST_ROOT:-}" ]; then
  cp -R "$INTEROP_GUEST_ROOT/." "$stage/"
fi
chmod 755 "$stage/init" "$stage/bin/busybox"

(cd "$stage" && find . -mindepth 1 | LC_ALL=C sort |
   "$INTEROP_BUSYBOX" cpio -o -H newc -R 0:0) >"$out.tmp" 2>/dev/null
mv "$out.tmp" "$out"
