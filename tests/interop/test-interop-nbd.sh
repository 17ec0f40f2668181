#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Interop tier: the kernel's NBD client (nbd-client, the nbd driver) on the
# plugin, in a VM whose kernel has the nbd driver (Debian 12's; this
# machine's may have none).  The guest runs the host's own programs and the
# build tree: qemu shares the host's root read-only (9p) and the guest
# mounts it under a tmpfs overlay (nbd-config.sh); nbd-guest.sh does the
# guest's steps.  One VM for all the checks:
#
#   A. README.md's nbd-client example ("Everyday use"), run as written in
#      the guest with only the target's address replaced (by the guest's
#      nvmet, which serves the README's subsystem): nbdkit with the plugin
#      on /tmp/nvme.sock, modprobe nbd, nbd-client with 4 connections.
#      Then mkfs.ext4 on /dev/nbd0, a tree of files of random bytes, sync,
#      umount, the README's nbd-client -d, attach again, e2fsck -fn, the
#      checksums compared, detach.
#   B. Our nvmeof-target in the guest killed (SIGKILL) during fsync'ed
#      writes to ext4 on /dev/nbd1 (plugin with ctrl-loss-tmo=5,
#      reconnect-delay=1): the writes fail with an I/O error once the
#      library gives up reconnecting (ctrl-loss-tmo; the test allows 120 s
#      for TCG's slowness), the block layer logs I/O errors on nbd1, umount
#      and nbd-client -d work, nbdkit still runs, no task is left in D
#      state and the kernel's hung task detector (set to 15 s, more than
#      ctrl-loss-tmo) reports nothing.
# No sanitizer report from nbdkit in the guest, and the guest's kernel log
# is clean after A and holds only the expected I/O errors after B.

abs_srcdir=${abs_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
source "$abs_srcdir/functions.sh"
source "$abs_srcdir/functions-plugin.sh"
source "$abs_srcdir/interop/interop-functions.sh"
set -e -u -o pipefail

interop_init
requires_plugin
requires_target
# The guest runs these from the host's root.
requires command -v nbd-client
requires mkfs.ext4 -V
requires e2fsck -V
d=$TMPDIR_TEST

# ---- the README's nbd-client lines (test-plugin-readme-examples.sh leaves
# them to this test)
readme="$abs_top_srcdir/README.md"
awk '/^## Everyday use/ { f = 1 }
     f && /^```sh/ { b = 1; next }
     b && /^```/ { exit }
     b { print }' "$readme" |
  sed -e ':a' -e '/\\$/N; s/\\\n */ /; ta' |
  grep -v -e '^#' -e '^[[:space:]]*$' >"$d/commands" ||
  fail "no Everyday use block in $readme"
readme_url=nvme+tcp://192.0.2.10/nqn.2014-08.org.example:disk1
guest_url=nvme+tcp://10.0.2.15/nqn.2014-08.org.example:disk1
readme_line ()
{
  local line
  line=$(grep -E "$1" "$d/commands") ||
    fail "README.md's Everyday use block has no line matching /$1/ (update this test)"
  [ "$(printf '%s\n' "$line" | wc -l)" = 1 ] ||
    fail "README.md's Everyday use block has several lines matching /$1/"
  case $line in *"'"*) fail "README line with a single quote: $line" ;; esac
  printf '%s\n' "${line//"$readme_url"/"$guest_url"}"
}
r_nbdkit=$(readme_line '^nbdkit -U /tmp/nvme\.sock ')
r_modprobe=$(readme_line '^modprobe nbd$')
r_attach=$(readme_line '^nbd-client -unix ')
r_detach=$(readme_line '^nbd-client -d ')
case $r_nbdkit in
  *"$guest_url"*) ;;
  *) fail "the README's nbdkit line no longer uses $readme_url: $r_nbdkit" ;;
esac
case $r_attach in
  *" /dev/nbd0 "*"-connections 4"*) ;;
  *) fail "the README's nbd-client line is not on /dev/nbd0 with 4 connections: $r_attach" ;;
esac
[ "$r_detach" = "nbd-client -d /dev/nbd0" ] ||
  fail "the README's detach line changed: $r_detach"

# ---- the VM: the host's root shared read-only, the test's environment
genv="PATH=/tmp/guest-bin:$abs_top_builddir/tools:$abs_top_builddir/target:/usr/sbin:/usr/bin:/sbin:/bin"
genv+=" HOME=/root TMPDIR=/tmp LANG=C"
genv+=" abs_srcdir=$abs_srcdir abs_top_builddir=$abs_top_builddir"
genv+=" NVMEOF_PLUGIN=$NVMEOF_PLUGIN"
genv+=" LD_LIBRARY_PATH=$abs_top_builddir/initiator/.libs"
genv+=" ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:allocator_may_return_null=1:log_path=/tmp/sanitizer/asan"
genv+=" UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:log_path=/tmp/sanitizer/ubsan"
for v in NVMEOF_HOSTNQN_FILE NVMEOF_HOSTID_FILE; do
  [ -z "${!v:-}" ] || genv+=" $v=${!v}"
done
case $genv in
  *"'"*|*'\'*) fail "a path of the build has a quote or backslash: $genv" ;;
esac
for w in $genv; do
  case $w in
    *=*) ;;
    *) fail "a path of the build has a space (the guest's environment is a list of words): $genv" ;;
  esac
done
{
  printf "NBD_GUEST_ENV='%s'\n" "$genv"
  cat "$abs_srcdir/interop/nbd-config.sh"
} >"$d/nbd-config.sh"
INTEROP_VM_MEMORY=1024
INTEROP_VM_QEMU_ARGS=(
  -fsdev local,id=hostroot,path=/,security_model=none,readonly=on,multidevs=remap
  -device virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot
)
start_vm "$d/nbd-config.sh"

# guest CMD [SECS]: a bash command line in the guest's view of the host's
# root (bounded, default 120 s).
guest ()
{
  case $1 in
    *"'"*|*$'\n'*) fail "guest: one line without single quotes, please: $1" ;;
  esac
  VM_EXEC_TIMEOUT=${2:-120} vm_exec "host-run bash -c '$1'"
}
# gstep STEP ARGS..: a step of nbd-guest.sh.
gstep ()
{
  VM_EXEC_TIMEOUT=120 vm_exec "host-run bash $abs_srcdir/interop/nbd-guest.sh $*"
}
sectors_of ()
{
  guest "cat /sys/block/$1/size"
}

gstep setup || fail "setting up the guest failed"

# -------------------------------------------------------------------
section "A. README's nbd-client example, as written, on the guest's nvmet"
vm_mark readme >/dev/null

# nbdkit runs in the background, as written; a PID file to stop it later.
echo "guest# $r_nbdkit"
guest "nbdkit -P /tmp/readme-nbdkit.pid ${r_nbdkit#nbdkit }" ||
  fail "the README's nbdkit command failed in the guest"
gstep wait-pid /tmp/readme-nbdkit.pid || fail "the README's nbdkit did not start"
guest "test -S /tmp/nvme.sock" || fail "no socket /tmp/nvme.sock"
ok "README: $r_nbdkit"

echo "guest# $r_modprobe"
guest "$r_modprobe" || fail "modprobe nbd failed in the guest"
guest "test -b /dev/nbd0" || fail "no /dev/nbd0 after modprobe nbd"
ok "README: $r_modprobe"

attach ()
{
  echo "guest# $r_attach"
  guest "$r_attach" || fail "the README's nbd-client command failed"
  [ "$(sectors_of nbd0)" = $((64 * MiB / 512)) ] ||
    fail "/dev/nbd0 is not 64 MiB: $(sectors_of nbd0) sectors"
  n=$(gstep connections /tmp/nvme.sock)
  [ "$n" = 4 ] || fail "nbdkit has $n connections on /tmp/nvme.sock, not 4"
}
detach ()
{
  echo "guest# $r_detach"
  guest "$r_detach" || fail "the README's nbd-client -d failed"
  [ "$(sectors_of nbd0)" = 0 ] || fail "/dev/nbd0 still has a size after nbd-client -d"
}
attach
ok "README: $r_attach: /dev/nbd0 of 64 MiB, 4 connections to nbdkit"

guest "mkfs.ext4 -q -F /dev/nbd0" || fail "mkfs.ext4 /dev/nbd0 failed"
guest "mkdir -p /tmp/mnt && mount /dev/nbd0 /tmp/mnt" || fail "mount /dev/nbd0"
gstep tree-write /tmp/mnt || fail "writing the tree failed"
guest "sync && umount /tmp/mnt" || fail "sync, umount /dev/nbd0 failed"
ok "mkfs.ext4, mount, a tree of files written, sync, umount"
detach
ok "README: $r_detach"

attach
ok "attached again"
guest "e2fsck -fn /dev/nbd0" || fail "e2fsck -fn /dev/nbd0 found problems"
ok "e2fsck -fn: clean"
# Nothing from before the detach may be served from the guest's caches.
guest "echo 3 >/proc/sys/vm/drop_caches && mount -o ro /dev/nbd0 /tmp/mnt" ||
  fail "mount the filesystem again"
gstep tree-check /tmp/mnt || fail "the tree read back differs"
guest "umount /tmp/mnt" || fail "umount"
ok "the tree's checksums match after detach and attach"
detach
gstep stop-pid /tmp/readme-nbdkit.pid || fail "the README's nbdkit did not stop"
step_log_clean readme

# -------------------------------------------------------------------
section "B. the target killed during writes"
vm_mark kill-setup >/dev/null
nqn=nqn.2026-11.io.nvmeof:nbd-kill
guest "setsid nvmeof-target -f -P /tmp/target.pid -l 127.0.0.1:4430 -n $nqn --ram 64M \
         </dev/null >/tmp/target.log 2>&1 &" || fail "starting nvmeof-target in the guest"
gstep wait-pid /tmp/target.pid ||
  { guest "cat /tmp/target.log" || true; fail "nvmeof-target did not start in the guest"; }
guest "setsid nbdkit -f -P /tmp/kill-nbdkit.pid -U /tmp/kill.sock nvmeof \
         nvme+tcp://127.0.0.1:4430/$nqn ctrl-loss-tmo=5 reconnect-delay=1 \
         </dev/null >/tmp/kill-nbdkit.log 2>&1 &" || fail "starting nbdkit in the guest"
gstep wait-pid /tmp/kill-nbdkit.pid ||
  { guest "cat /tmp/kill-nbdkit.log" || true; fail "nbdkit did not start in the guest"; }
guest "nbd-client -unix /tmp/kill.sock /dev/nbd1 -connections 4" ||
  fail "nbd-client /dev/nbd1 failed"
guest "mkfs.ext4 -q -F /dev/nbd1 && mkdir -p /tmp/kill && mount /dev/nbd1 /tmp/kill" ||
  fail "mkfs.ext4 and mount /dev/nbd1"
gstep writer-start /tmp/kill
deadline=$((SECONDS + 120))
until [ "$(gstep writer-files)" -ge 3 ]; do
  [ "$SECONDS" -lt "$deadline" ] || fail "the writer wrote fewer than 3 files in 120 s"
  sleep 0.5
done
vm_mark kill >/dev/null
guest "kill -KILL \$(cat /tmp/target.pid)" || fail "kill -KILL nvmeof-target"
killed_at=$SECONDS
ok "nvmeof-target killed during writes ($(gstep writer-files) fsync'ed writes of 1 MiB done)"

if ! out=$(gstep writer-wait 120); then
  vm_dmesg | grep -A 4 'blocked for more than' | head -n 20 || true
  fail "writes did not fail after the target was killed: $out"
fi
echo "$out"
case $out in
  *"Input/output error"*|*"Read-only file system"*) ;;
  *) fail "the writer did not stop on an I/O error: $out" ;;
esac
ok "the writes failed $((SECONDS - killed_at)) s after the kill: I/O errors reached the filesystem"

guest "umount /tmp/kill" || fail "umount after the target was killed"
ok "umount after the I/O errors"
guest "nbd-client -d /dev/nbd1" || fail "nbd-client -d /dev/nbd1 failed"
[ "$(sectors_of nbd1)" = 0 ] || fail "/dev/nbd1 still has a size after nbd-client -d"
ok "nbd-client -d /dev/nbd1 still works"
guest "kill -0 \$(cat /tmp/kill-nbdkit.pid)" || fail "nbdkit died with its target"
ok "nbdkit still runs"

dstate=$(gstep d-state) || fail "d-state"
[ -z "$dstate" ] || fail "tasks in uninterruptible sleep (D): $dstate"
# The hung task detector reports a task blocked for 15 s at its next check
# (every 15 s): give it 32 s from the kill.
while [ $((SECONDS - killed_at)) -lt 32 ]; do
  sleep 1
done
log=$(vm_dmesg | sed -n '/nvmeof-interop-mark: kill$/,$p')
if printf '%s\n' "$log" | grep -E 'blocked for more than|hung_task'; then
  fail "the guest kernel reports a hung task"
fi
printf '%s\n' "$log" | grep -q 'I/O error, dev nbd1' ||
  { printf '%s\n' "$log"; fail "no block-layer I/O error on nbd1 in the guest's log"; }
echo "the guest's kernel log after the kill (the first 4 errors):"
printf '%s\n' "$log" | grep -E '^<[0-3]>' | head -n 4
log_errors_except kill 'nbd1|EXT4-fs|JBD2|Buffer I/O error|lost (async )?page write' ||
  fail "unexpected errors in the guest's kernel log after the kill"
ok "no task in D state, no hung task, only I/O errors on nbd1 in the kernel log"

out=$(guest "grep -m 1 \"error: pwrite: .* lost: \" /tmp/kill-nbdkit.log") ||
  fail "nbdkit's log names no write that failed on the lost connection"
echo "$out"
ok "nbdkit's log names the failed writes and the lost connection"
gstep stop-pid /tmp/kill-nbdkit.pid || fail "nbdkit did not stop"
gstep sanitizer-check || fail "sanitizer reports from the guest's nbdkit"
ok "nbdkit stopped; no sanitizer report"

echo
echo "PASS: $checks checks (boot ${INTEROP_BOOT_SECONDS}s, total ${SECONDS}s)"
