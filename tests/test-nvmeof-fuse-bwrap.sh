#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# A rootless container, as Flatpak makes them: bubblewrap (bwrap) run by an
# ordinary user, with its own user and mount namespaces, a root file
# system of its own (the host's /usr read-only, an empty read-only /etc:
# no /etc/machine-id, no /etc/nvme, no /sys, so no DMI UUID), /dev/fuse
# and the user's home.  Inside: nvmeof-fuse mounts a subsystem, and other
# processes of the container use the files: mkfs.ext4 and e2fsck -f on n1,
# a checksummed write and read of n2.  The host identity, which nothing in
# the container can give, is generated once into ~/.config/nvmeof (said on
# stderr) and the next container reuses it, silently.
source "${abs_srcdir:-$(dirname "$0")}/functions.sh"
source "$abs_srcdir/functions-fuse.sh"
set -e -u -o pipefail

fuse_user_setup
requires_plugin
requires nbdcopy --version
requires command -v bwrap
requires command -v mkfs.ext4
requires command -v e2fsck
d=$FUSE_DIR
as_user mkdir "$d/home" "$d/etc"

# The container: a fresh root; what the programs of the build tree need.
BWRAP=(
  bwrap --unshare-user --unshare-pid --uid 0 --gid 0
  # Mounting FUSE in the container's mount namespace needs CAP_SYS_ADMIN
  # there (the kernel allows it in a user namespace; fusermount3, being
  # setuid, cannot help under no_new_privs).
  --cap-add CAP_SYS_ADMIN
  --ro-bind /usr /usr
  --symlink usr/lib /lib --symlink usr/lib64 /lib64
  --symlink usr/bin /bin --symlink usr/sbin /sbin
  --proc /proc --dev /dev --dev-bind /dev/fuse /dev/fuse
  --tmpfs /tmp
  --ro-bind "$d/etc" /etc
  --bind "$d/home" /home/user
  --ro-bind "$abs_top_builddir" "$abs_top_builddir"
  --ro-bind "$abs_top_srcdir" "$abs_top_srcdir"
  --ro-bind "$d" "$d"
  --clearenv
  --setenv PATH "$abs_top_builddir/fuse:$abs_top_builddir/tools:/usr/bin:/usr/sbin"
  --setenv HOME /home/user
  --setenv ASAN_OPTIONS "${ASAN_OPTIONS:-}"
  --setenv UBSAN_OPTIONS "${UBSAN_OPTIONS:-}"
)
as_user "${BWRAP[@]}" true 2>"$d/bwrap.err" ||
  _skip "bwrap cannot make a user namespace for uid $FUSE_UID: $(cat "$d/bwrap.err")"

start_target --ram 64M --ram 8M
random_file "$d/data" 8M
chmod 0644 "$d/data"

# In the container: nvmeof-fuse in the background, then the users of its
# files, then unmount and wait for it.
cat >"$d/inside.sh" <<'INNER'
set -e -u
url=$1 data=$2
for f in /etc/machine-id /etc/nvme/hostnqn /sys/class/dmi/id/product_uuid; do
  [ ! -e "$f" ] || { echo "$f exists in the container"; exit 2; }
done
mkdir /tmp/mnt
nvmeof show-hostnqn 2>/tmp/identity.err >/tmp/identity.out
cat /tmp/identity.err /tmp/identity.out
nvmeof-fuse -f "$url" /tmp/mnt 2>/tmp/fuse.log &
pid=$!
for i in $(seq 300); do
  grep -q " /tmp/mnt .* - fuse" /proc/self/mountinfo && break
  kill -0 $pid 2>/dev/null || { cat /tmp/fuse.log; exit 3; }
  sleep 0.1
done
grep -q " /tmp/mnt .* - fuse" /proc/self/mountinfo || { echo "not mounted"; exit 4; }
# Other processes of the container use the files.
mkfs.ext4 -q -F -E nodiscard /tmp/mnt/n1
e2fsck -fn /tmp/mnt/n1
echo "e2fsck: exit status $?"
dd if="$data" of=/tmp/mnt/n2 bs=1M conv=notrunc,fsync status=none
echo "written: $(sha256sum <"$data" | cut -d' ' -f1)"
echo "read:    $(head -c 8M /tmp/mnt/n2 | sha256sum | cut -d' ' -f1)"
umount /tmp/mnt
wait $pid
cat /tmp/fuse.log
INNER

echo "== first container: the identity is generated, the files are used"
user_run 180 "${BWRAP[@]}" bash "$d/inside.sh" "$TARGET_URL" "$d/data" \
  >"$d/out1" 2>&1 || { cat "$d/out1"; fail "the container failed"; }
cat "$d/out1"
_check_log_clean "$d/out1" "the container" || fail "sanitizer report"
grep -q "^nvmeof: no host identity .*generated host NQN nqn.2014-08.org.nvmexpress:uuid:.*, saved in /home/user/.config/nvmeof/hostnqn" "$d/out1" ||
  fail "no note about the generated identity"
nqn=$(sed -n 's/^hostnqn: \([^ ]*\) .*/\1/p' "$d/out1")
id=$(sed -n 's/^hostid: *\([^ ]*\) .*/\1/p' "$d/out1")
[ "$nqn" = "nqn.2014-08.org.nvmexpress:uuid:$id" ] || fail "pair: $nqn $id"
[ "$(cat "$d/home/.config/nvmeof/hostnqn")" = "$nqn" ] &&
  [ "$(cat "$d/home/.config/nvmeof/hostid")" = "$id" ] ||
  fail "the files in ~/.config/nvmeof do not hold the identity"
[ "$(stat -c %a "$d/home/.config/nvmeof/hostid")" = 644 ] || fail "mode"
grep -qx "e2fsck: exit status 0" "$d/out1" || fail "e2fsck in the container"
w=$(sed -n 's/^written: //p' "$d/out1")
r=$(sed -n 's/^read: *//p' "$d/out1")
[ -n "$w" ] && [ "$w" = "$r" ] || fail "n2 read back differs: $w / $r"
# The target saw the same bytes, and a file system.
nbdkit_url=$TARGET_URL
start_nbdkit -P "$d/nbdkit.pid" -U "$d/nbd.sock" nvmeof "url=$nbdkit_url"
nbdcopy "nbd+unix:///2?socket=$d/nbd.sock" "$d/back"
[ "$(head -c 8M "$d/back" | sha256sum | cut -d' ' -f1)" = "$w" ] ||
  fail "the target does not hold the container's data"
nbdcopy "nbd+unix:///1?socket=$d/nbd.sock" "$d/fs.img"
e2fsck -fn "$d/fs.img" >/dev/null || fail "the ext4 made in the container"
echo "  ok: mkfs.ext4 + e2fsck on n1, 8 MiB on n2 with the same sha256"

echo "== second container: the same identity, nothing said"
user_run 180 "${BWRAP[@]}" bash "$d/inside.sh" "$TARGET_URL" "$d/data" \
  >"$d/out2" 2>&1 || { cat "$d/out2"; fail "the second container failed"; }
! grep -q "generated" "$d/out2" || fail "generated again: $(cat "$d/out2")"
grep -qx "hostnqn: $nqn (~/.config/nvmeof/hostnqn)" "$d/out2" ||
  fail "identity not reused: $(grep host "$d/out2")"
echo "  ok: $(grep hostnqn: "$d/out2")"
echo PASS
