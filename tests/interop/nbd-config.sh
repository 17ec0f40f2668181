# SPDX-License-Identifier: BSD-3-Clause
#
# The nbd-client test's guest (test-interop-nbd.sh).  Runs inside the VM as
# part of /init (guest-init.sh defines subsystem, namespace, port,
# export_on, load, fail); start_vm prepends the INTEROP_* names and the test
# prepends NBD_GUEST_ENV (NAME=VALUE words for the guest's test programs).
#
#   nvmet: nqn.2014-08.org.example:disk1 (README.md's subsystem), any host,
#          nsid 1: 64 MiB, 512-byte LBAs (loop); port 1: guest 4420
#   /host: the host's root, shared read-only by qemu (9p, mount tag
#          "hostroot"), under an overlay whose upper layer is a tmpfs: the
#          guest runs the host's programs and the build tree at their own
#          paths, and what it writes (/tmp ...) stays in the guest.  Its
#          own /proc, /sys, /dev, /run and the guest kernel's modules (with
#          kmod's indexes, so that the host's modprobe finds them).
#   /bin/host-run ARGS..  runs ARGS in /host with a clean environment
#          (NBD_GUEST_ENV) as root: "host-run bash -c 'CMD'"; standard
#          input is /dev/null (on the command channel's socket bash would
#          read the host's ~/.bashrc, as for rsh).
#   Hung tasks are reported after 15 s (kernel.hung_task_timeout_secs): more
#   than the test's ctrl-loss-tmo (5 s), the longest a request may be held.

subsystem nqn.2014-08.org.example:disk1 any
namespace nqn.2014-08.org.example:disk1 1 loop 64
port 1 4420
export_on 1 nqn.2014-08.org.example:disk1

load 9pnet_virtio
load 9p
load overlay
load nbd
load ext4
mkdir -p /hostro /overlay /host
mount -t 9p -o ro,trans=virtio,version=9p2000.L,msize=262144,cache=loose \
  hostroot /hostro || fail "mount the host's root (9p, tag hostroot)"
mount -t tmpfs -o size=256m tmpfs /overlay || fail "mount the overlay's tmpfs"
mkdir -p /overlay/upper /overlay/work
mount -t overlay overlay \
  -o lowerdir=/hostro,upperdir=/overlay/upper,workdir=/overlay/work /host ||
  fail "mount the overlay on the host's root"
for dir in proc sys dev run tmp; do
  mkdir -p "/host/$dir" || fail "mkdir /host/$dir"
done
mount -t proc proc /host/proc || fail "mount /host/proc"
mount -t sysfs sysfs /host/sys || fail "mount /host/sys"
mount -t devtmpfs devtmpfs /host/dev || fail "mount /host/dev"
mount -t tmpfs tmpfs /host/run || fail "mount /host/run"

kver=$(uname -r)
mkdir -p "/host/usr/lib/modules/$kver" || fail "mkdir /host/usr/lib/modules/$kver"
mount -o bind "/lib/modules/$kver" "/host/usr/lib/modules/$kver" ||
  fail "bind the guest's modules into /host"
# (A path: busybox's chroot would run its own depmod for "depmod".)
chroot /host /usr/sbin/depmod -a "$kver" ||
  fail "depmod (the host's kmod) in /host"

[ -w /proc/sys/kernel/hung_task_timeout_secs ] ||
  fail "this kernel has no hung task detector (kernel.hung_task_timeout_secs)"
echo 15 >/proc/sys/kernel/hung_task_timeout_secs

for w in $NBD_GUEST_ENV; do
  case $w in
    [A-Za-z_]*=*) ;;
    *) fail "NBD_GUEST_ENV: '$w' is not NAME=VALUE" ;;
  esac
done
printf '%s\n' $NBD_GUEST_ENV >/etc/host-run.env
cat >/bin/host-run <<'EOF'
#!/bin/sh
exec chroot /host /usr/bin/env -i $(cat /etc/host-run.env) "$@" </dev/null
EOF
chmod +x /bin/host-run
