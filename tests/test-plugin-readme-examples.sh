#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The nbdkit examples of README.md ("Everyday use") are real commands: run
# each one as written, against a local nvmeof-target, with only the
# address, the socket path and the plugin path replaced, and check what
# each did.  Every command of the block must be known here, so a new
# README example cannot go untested.  The nvmeof and nvmeof-fuse lines
# are tested by their own tests.
#
# Steps that cannot run here say so and are skipped:
#   guestfish    needs libguestfs-tools (heavy: ~140 packages and a kernel
#                for its appliance); set NVMEOF_REQUIRE_GUESTFISH=1 to make
#                its absence a failure (CI images that install it).
#   nbd-client   needs root and the nbd kernel module (modprobe nbd).  The
#                nbd-client lines (with the nbdkit line on /tmp/nvme.sock)
#                are run as written in a VM whose kernel has the driver by
#                interop/test-interop-nbd.sh: here they run too when they
#                can, and otherwise are left to that test (not a skip),
#                unless the interop tier is skipped (NVMEOF_SKIP_INTEROP=1).
source "${abs_srcdir:-$(dirname "$0")}/functions.sh"
source "$abs_srcdir/functions-plugin.sh"
set -e -u -o pipefail

requires_plugin
requires_target
requires_nbdinfo
requires nbdcopy --version
requires qemu-img --version
requires fio --version
requires mkfs.ext4 -V
d=$TMPDIR_TEST
readme="$abs_top_srcdir/README.md"
[ -f "$readme" ] || fail "$readme is missing"

# The commands of the Everyday use block, one per line (continuations
# joined), without comments and blank lines.
awk '/^## Everyday use/ { f = 1 }
     f && /^```sh/ { b = 1; next }
     b && /^```/ { exit }
     b { print }' "$readme" |
  sed -e ':a' -e '/\\$/N; s/\\\n */ /; ta' |
  grep -v -e '^#' -e '^[[:space:]]*$' >"$d/commands" ||
  fail "no Everyday use block in README.md"
echo "README examples:"
sed 's/^/  /' "$d/commands"

readme_url=nvme+tcp://192.0.2.10/nqn.2014-08.org.example:disk1
grep -qF "$readme_url" "$d/commands" || fail "the README no longer uses $readme_url"
start_target -n nqn.2014-08.org.example:disk1 --ram 64M
url="nvme+tcp://127.0.0.1:$TARGET_PORT/nqn.2014-08.org.example:disk1"
sock=$d/nvme.sock
nbd="nbd+unix:///?socket=$sock"

# The files the examples name: an ext4 image and a qcow2 image.
cd "$d"
truncate -s 64M disk.img
mkfs.ext4 -q -F -L readme disk.img
qemu-img create -q -f qcow2 disk.qcow2 64M
head -c 1M /dev/urandom >r
qemu-io -f qcow2 -c "write -s $d/r 4M 1M" disk.qcow2 >/dev/null

skip_step ()
{
  echo "SKIP step: $*"
  skipped=$((skipped + 1))
}
ran=0
skipped=0
nbd_attached=0
elsewhere=0
nbd_vm=interop/test-interop-nbd.sh
# Not here: left to the VM test, or skipped if the interop tier is.
nbd_elsewhere ()
{
  if [ "${NVMEOF_SKIP_INTEROP:-0}" = 1 ]; then
    skip_step "$* (and the interop tier, whose $nbd_vm runs it in a VM, is skipped: NVMEOF_SKIP_INTEROP=1)"
  else
    echo "(not here: $*; $nbd_vm runs it as written in a VM)"
    elsewhere=$((elsewhere + 1))
  fi
}

while IFS= read -r cmd; do
  # The local address, socket and plugin instead of the README's.
  cmd=${cmd//"$readme_url"/"$url"}
  cmd=${cmd//\/tmp\/nvme.sock/"$sock"}
  cmd=${cmd//" nvmeof nvme+tcp:"/" $NVMEOF_PLUGIN nvme+tcp:"}
  echo
  echo "== $cmd"
  case $cmd in
    "nvmeof "*|"nvmeof-fuse "*|"fusermount3 "*)
      echo "(tested by the nvmeof CLI and FUSE tests)"
      continue ;;

    "nbdkit -U $sock "*)
      # Into the background, as written; we add a PID file to stop it.
      eval "nbdkit -P $d/readme-nbdkit.pid ${cmd#nbdkit }"
      wait_for_pidfile "$d/readme-nbdkit.pid" 30 ||
        fail "nbdkit did not start"
      cleanup_fn kill "$(cat "$d/readme-nbdkit.pid")"
      ;;

    "nbdinfo "*)
      eval "with_timeout 60 $cmd" | tee "$d/out"
      grep -q 'export-size: 67108864' "$d/out" || fail "nbdinfo: size"
      ;;

    "nbdcopy "*" disk.img "*)
      eval "with_timeout 120 $cmd"
      ;;
    "nbdcopy "*" copy.img")
      eval "with_timeout 120 $cmd"
      cmp disk.img copy.img || fail "copy.img differs from disk.img"
      echo "copy.img is identical to disk.img"
      ;;

    "guestfish "*)
      if ! command -v guestfish >/dev/null; then
        [ "${NVMEOF_REQUIRE_GUESTFISH:-0}" != 1 ] ||
          fail "guestfish is required (NVMEOF_REQUIRE_GUESTFISH=1) but missing"
        skip_step "guestfish is not installed (Debian: libguestfs-tools)"
        continue
      fi
      # KVM may exist and still hang guests on these machines: TCG unless
      # the caller chose otherwise.
      eval "LIBGUESTFS_BACKEND=direct \
        LIBGUESTFS_BACKEND_SETTINGS=${LIBGUESTFS_BACKEND_SETTINGS:-force_tcg} \
        with_timeout 600 $cmd" | tee "$d/out"
      grep -q 'ext4' "$d/out" || fail "guestfish did not find the ext4 filesystem"
      ;;

    "qemu-img convert "*)
      eval "with_timeout 120 $cmd"
      with_timeout 120 qemu-img compare -f qcow2 -F raw disk.qcow2 "$nbd" ||
        fail "the namespace differs from disk.qcow2"
      ;;
    "qemu-img info "*)
      eval "with_timeout 60 $cmd" | tee "$d/out"
      grep -q 'virtual size: 64 MiB' "$d/out" || fail "qemu-img info: size"
      ;;

    "fio "*)
      eval "with_timeout 120 $cmd" >"$d/out" 2>&1 ||
        { cat "$d/out"; fail "fio"; }
      grep -E 'READ:|WRITE:' "$d/out"
      grep -q 'err= 0' "$d/out" || { cat "$d/out"; fail "fio reported errors"; }
      ;;

    "modprobe nbd")
      if [ "$(id -u)" != 0 ]; then
        nbd_elsewhere "nbd-client needs root"
        continue
      elif ! { [ -b /dev/nbd0 ] || modprobe nbd 2>"$d/modprobe"; } ||
           [ ! -b /dev/nbd0 ]; then
        nbd_elsewhere "the nbd kernel module is not available here" \
                      "($(head -c 200 "$d/modprobe" 2>/dev/null || true)); no /dev/nbd0"
        continue
      else
        nbd_attached=1
      fi
      ;;
    "nbd-client -unix "*)
      if [ "$nbd_attached" != 1 ]; then
        nbd_elsewhere "nbd-client (see modprobe above)"
        continue
      fi
      eval "with_timeout 60 $cmd"
      cleanup_fn nbd-client -d /dev/nbd0
      with_timeout 60 dd if=/dev/nbd0 of="$d/dev.img" bs=1M count=64 \
        iflag=direct status=none
      with_timeout 60 nbdcopy "$nbd" "$d/nbd.img"
      cmp "$d/dev.img" "$d/nbd.img" ||
        fail "/dev/nbd0 and the export read differently"
      echo "/dev/nbd0 reads the same data as the export"
      ;;
    "nbd-client -d "*)
      [ "$nbd_attached" = 1 ] || { nbd_elsewhere "nbd-client -d"; continue; }
      eval "with_timeout 60 $cmd"
      ;;

    "nbdkit -U - "*)
      eval "nbdkit_bounded 120 ${cmd#nbdkit }" | tee "$d/out"
      grep -q 'export="1"' "$d/out" || fail "nbdkit --run nbdinfo --list"
      ;;

    *)
      fail "README example not covered by this test: $cmd" ;;
  esac
  ran=$((ran + 1))
done <"$d/commands"

echo
echo "PASS: $ran README examples ran, $elsewhere left to $nbd_vm, $skipped skipped (see above)"
