#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# /init of the interop VM (busybox, no root file system): load nvmet and
# nvmet-tcp, build the configfs tree described by /etc/nvmet-config.sh,
# then print NVMET-READY on the console (ttyS0).  On any failure it prints
# "NVMET-FAILED: reason" and powers off, so the host never waits in vain.
#
# Host <-> guest: qemu user networking, guest address 10.0.2.15/24; the
# host reaches the NVMe/TCP ports and the command channel (port 7777, one
# shell command per connection, see /bin/nvmet-ctl) through hostfwd.
#
# Kernel command line: nvmeof_interop.maxlife=SECONDS powers the VM off
# after that long even if the host forgot it.

PATH=/sbin:/bin:/usr/sbin:/usr/bin
export PATH
/bin/busybox mkdir -p /proc /sys /dev /tmp /run /backing /sbin /usr/bin \
  /usr/sbin
/bin/busybox --install -s

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev

fail ()
{
  dmesg | tail -n 20
  echo "NVMET-FAILED: $*"
  poweroff -f
  exit 1
}

say ()
{
  echo "nvmet-init: $*"
}

load ()
{
  modprobe "$@" || fail "modprobe $*"
}

maxlife=
for w in $(cat /proc/cmdline); do
  case $w in
    nvmeof_interop.maxlife=*) maxlife=${w#*=} ;;
  esac
done
if [ -n "$maxlife" ]; then
  (sleep "$maxlife"; echo "NVMET-LIFETIME-EXPIRED after ${maxlife}s";
   poweroff -f) &
fi

load configfs
mount -t configfs configfs /sys/kernel/config || fail "mount configfs"
# Backing files live in RAM; the size cap turns runaway writes into I/O
# errors rather than an out-of-memory guest.
mount -t tmpfs -o "size=${NVMET_BACKING_SIZE:-320m}" tmpfs /backing ||
  fail "mount tmpfs"

# ---- network: static 10.0.2.15 as qemu's user network expects
load virtio_pci
load virtio_net
n=0
while [ ! -e /sys/class/net/eth0 ]; do
  n=$((n + 1))
  [ "$n" -le 100 ] || fail "no eth0 (virtio-net) after 10s"
  sleep 0.1
done
ip link set lo up || fail "lo up"
ip addr add 10.0.2.15/24 dev eth0 || fail "eth0 address"
ip link set eth0 up || fail "eth0 up"
ip route add default via 10.0.2.2 || fail "default route"

# ---- nvmet
load crc32c_generic
load crct10dif_generic
load nvmet
load nvmet-tcp
load loop
load null_blk nr_devices=1 gb=16 bs=512

CFS=/sys/kernel/config/nvmet
[ -d "$CFS" ] || fail "$CFS missing after loading nvmet"
NVMET_ADDR=10.0.2.15
NVMET_PORTS=

# set_attr FILE VALUE: write a configfs attribute or fail loudly.
set_attr ()
{
  echo "$2" >"$1" 2>/dev/null || fail "cannot write '$2' to $1"
}

# subsystem NQN any|HOSTNQN...: a subsystem open to any host, or only to
# the listed host NQNs.
subsystem ()
{
  local nqn=$1 h
  shift
  mkdir "$CFS/subsystems/$nqn" || fail "cannot create subsystem $nqn"
  if [ "$1" = any ]; then
    set_attr "$CFS/subsystems/$nqn/attr_allow_any_host" 1
  else
    set_attr "$CFS/subsystems/$nqn/attr_allow_any_host" 0
    for h in "$@"; do
      [ -d "$CFS/hosts/$h" ] || mkdir "$CFS/hosts/$h" ||
        fail "cannot create host $h"
      ln -s "$CFS/hosts/$h" "$CFS/subsystems/$nqn/allowed_hosts/$h" ||
        fail "cannot allow host $h on $nqn"
    done
  fi
}

# namespace NQN NSID KIND SIZE_MIB:
#   loop  tmpfs file on a loop device (block device backend, 512-byte LBAs)
#   file  tmpfs file through nvmet's file backend (4096-byte LBAs; buffered
#         because tmpfs has no O_DIRECT)
#   null  null_blk (data is thrown away; SIZE_MIB ignored; speed only)
namespace ()
{
  local nqn=$1 nsid=$2 kind=$3 size=$4
  local d="$CFS/subsystems/$nqn/namespaces/$nsid"
  local f="/backing/$(echo "$nqn" | tr ':/' '__')-$nsid.img" dev
  mkdir "$d" || fail "cannot create namespace $nsid of $nqn"
  case $kind in
    loop)
      truncate -s "$((size * 1048576))" "$f" || fail "truncate $f"
      dev=$(losetup -f) || fail "no free loop device"
      losetup "$dev" "$f" || fail "losetup $dev $f"
      set_attr "$d/device_path" "$dev" ;;
    file)
      truncate -s "$((size * 1048576))" "$f" || fail "truncate $f"
      set_attr "$d/device_path" "$f"
      set_attr "$d/buffered_io" 1 ;;
    null)
      set_attr "$d/device_path" /dev/nullb0 ;;
    *) fail "namespace kind '$kind' (expected loop, file or null)" ;;
  esac
  set_attr "$d/enable" 1
}

# port ID TRSVCID [INLINE_DATA_SIZE]: an NVMe/TCP port on the guest address.
port ()
{
  local d="$CFS/ports/$1"
  mkdir "$d" || fail "cannot create port $1"
  set_attr "$d/addr_trtype" tcp
  set_attr "$d/addr_adrfam" ipv4
  set_attr "$d/addr_traddr" "$NVMET_ADDR"
  set_attr "$d/addr_trsvcid" "$2"
  if [ -n "${3:-}" ]; then
    set_attr "$d/param_inline_data_size" "$3"
  fi
  NVMET_PORTS="$NVMET_PORTS $2"
}

# export_on PORTID NQN: serve NQN on a port (the port listens from its first
# subsystem on; discovery is served on every port).
export_on ()
{
  ln -s "$CFS/subsystems/$2" "$CFS/ports/$1/subsystems/$2" ||
    fail "cannot export $2 on port $1"
}

[ -f /etc/nvmet-config.sh ] || fail "no /etc/nvmet-config.sh in the initramfs"
. /etc/nvmet-config.sh
[ -n "$NVMET_PORTS" ] || fail "the configuration defines no port"

# The ports listen once a subsystem is linked; check each one really does.
for p in $NVMET_PORTS; do
  hex=$(printf '%04X' "$p")
  grep -q ":$hex 00000000:0000 0A " /proc/net/tcp ||
    fail "nothing listens on port $p (is a subsystem exported on it?)"
done

# ---- command channel: one shell command per connection on port 7777.
cat >/bin/nvmet-ctl <<'EOF'
#!/bin/sh
exec 2>&1
read -r line || exit 0
out=$(sh -c "$line" 2>&1)
rc=$?
[ -z "$out" ] || printf '%s\n' "$out"
echo "NVMET-CTL-END rc=$rc"
EOF
chmod +x /bin/nvmet-ctl

# nvmet-host-auth HOSTNQN KEY CTRLKEY HASH DHGROUP: set a host entry's
# DH-HMAC-CHAP secrets ("-" clears one), hash and DH group, then print the
# four attributes back as configfs has them ("dhchap_key: ..." lines).
# Only kernels whose nvmet has in-band authentication (6.12 of Debian 13).
cat >/bin/nvmet-host-auth <<'EOF'
#!/bin/sh
[ $# -eq 5 ] ||
  { echo "usage: nvmet-host-auth HOSTNQN KEY|- CTRLKEY|- HASH DHGROUP"; exit 2; }
h=/sys/kernel/config/nvmet/hosts/$1
[ -d "$h" ] || mkdir "$h" || exit 1
[ -e "$h/dhchap_key" ] ||
  { echo "this kernel's nvmet has no in-band authentication"; exit 1; }
put ()
{
  # An empty write never reaches configfs: a NUL byte clears a secret.
  if [ "$2" = - ]; then printf '\000'; else printf '%s\n' "$2"; fi \
    >"$h/$1" || { echo "cannot write '$2' to $h/$1"; exit 1; }
}
put dhchap_hash "$4"
put dhchap_dhgroup "$5"
put dhchap_key "$2"
put dhchap_ctrl_key "$3"
for a in dhchap_key dhchap_ctrl_key dhchap_hash dhchap_dhgroup; do
  echo "$a: $(cat "$h/$a")"
done
EOF
chmod +x /bin/nvmet-host-auth

# nvme-host-connect OPTIONS [TRSVCID]: the guest kernel's own NVMe/TCP host
# (nvme-tcp, in the module tree of NVMEOF_INTEROP_SUITE kernels) connects to
# this target on 10.0.2.15:TRSVCID (default 4420) with the kernel's option
# string OPTIONS
# ("nqn=NQN,hostnqn=HOSTNQN,hostid=UUID,dhchap_secret=KEY,...": a host NQN
# needs a host ID of its own), prints the kernel's answer
# ("instance=0,cntlid=1"), reads a block of each namespace (through an I/O
# queue) and deletes the controller again; status 1 if the kernel refuses
# the connect (its log says why).  A reference host for the target's
# configuration, independent of our initiator.
cat >/bin/nvme-host-connect <<'EOF'
#!/bin/sh
[ $# -eq 1 ] || [ $# -eq 2 ] ||
  { echo "usage: nvme-host-connect OPTIONS [TRSVCID]"; exit 2; }
modprobe nvme-tcp 2>/dev/null ||
  { echo "no nvme-tcp module in this guest"; exit 1; }
exec 3<>/dev/nvme-fabrics || exit 1
printf 'transport=tcp,traddr=10.0.2.15,trsvcid=%s,%s\n' "${2:-4420}" "$1" >&3 2>/dev/null ||
  { echo "the kernel refused the connect (its log says why)"; exit 1; }
read -r line <&3 || { echo "no answer from /dev/nvme-fabrics"; exit 1; }
echo "$line"
n=${line#instance=}
n=${n%%,*}
# Deleting the controller under the namespace scan (and its partition scan)
# fills the log with I/O errors: wait for the namespace block devices and
# read from each (which waits for its partition scan).
i=0
until ls /sys/block | grep -qE '^nvme[0-9]+n[0-9]+$'; do
  i=$((i + 1))
  [ "$i" -le 100 ] || { echo "no namespace appeared in 10 s"; break; }
  sleep 0.1
done
for b in $(ls /sys/block | grep -E '^nvme[0-9]+n[0-9]+$'); do
  dd if="/dev/$b" of=/dev/null bs=4096 count=1 2>/dev/null ||
    echo "cannot read /dev/$b"
done
echo 1 >"/sys/class/nvme/nvme$n/delete_controller"
EOF
chmod +x /bin/nvme-host-connect

# nvmet-tls-psk insert HOSTNQN SUBNQN VERSION KEY
# nvmet-tls-psk add IDENTITY HEX
# nvmet-tls-psk remove HOSTNQN SUBNQN
# nvmet-tls-psk list
# The TLS PSKs in the kernel's .nvme keyring (module nvme-keyring), which
# nvmet's TLS ports look identities up in (through tlshd) and the guest
# kernel's own host takes its PSK from.  insert: the configured PSK KEY
# ("NVMeTLSkey-1:hh:...:") for identity version VERSION (0 or 1), derived
# and inserted by "nvme check-tls-key --insert" (libnvme); add: the TLS PSK
# HEX as it is, under IDENTITY; both first remove the pair's other PSKs
# (any version or hash), then print what the keyring holds, read back:
#   serial=DECIMAL
#   identity=DESCRIPTION
#   psk=HEX
# remove: unlink the pair's PSKs (none left is fine); list: every PSK, as
# above.  Only guests with keyctl and nvme-cli (NVMEOF_INTEROP_GUEST_PACKAGES).
cat >/bin/nvmet-tls-psk <<'EOF'
#!/bin/sh
usage ()
{
  echo "usage: nvmet-tls-psk insert HOSTNQN SUBNQN VERSION KEY | add IDENTITY HEX | remove HOSTNQN SUBNQN | list"
  exit 2
}
command -v keyctl >/dev/null && command -v nvme >/dev/null ||
  { echo "no keyctl or nvme in this guest"; exit 1; }
kr=$(awk '$9 == ".nvme:" { print $1 }' /proc/keys)
[ -n "$kr" ] || { echo "no .nvme keyring (nvme-keyring)"; exit 1; }
kr=$((0x$kr))
# A PSK is readable only by a process that possesses it: a session keyring
# of our own with .nvme linked into it.
ks ()
{
  local rc=0
  # (keyctl session says "Joined session keyring: N" on stderr; stdout may
  # be key material, passed on untouched.)
  keyctl session - sh -c 'keyctl link "$1" @s >/dev/null && shift && "$@"' \
    _ "$kr" "$@" 2>/tmp/nvmet-tls-psk.err || rc=$?
  grep -v '^Joined session keyring' /tmp/nvmet-tls-psk.err >&2
  return "$rc"
}
# show SERIAL: print a PSK as above.
show ()
{
  local desc hex
  desc=$(keyctl rdescribe "$1") || { echo "key $1: $desc"; return 1; }
  hex=$(ks keyctl pipe "$1" | od -An -v -tx1 | tr -d ' \n')
  [ -n "$hex" ] || { echo "cannot read key $1"; return 1; }
  echo "serial=$1"
  echo "identity=${desc#*;*;*;*;}"
  echo "psk=$hex"
}
# psks [HOSTNQN SUBNQN]: serials of the .nvme PSKs (of that pair).
psks ()
{
  local k d
  for k in $(keyctl rlist "$kr"); do
    d=$(keyctl rdescribe "$k" 2>/dev/null) || continue
    case $d in psk\;*) ;; *) continue ;; esac
    d=${d#*;*;*;*;}
    if [ $# -eq 2 ]; then
      # "NVMe0R01 HOST SUB" or "NVMe1R01 HOST SUB DIGEST"
      set -- "$1" "$2" "$d"
      case "${3#* } " in "$1 $2 "*) ;; *) continue ;; esac
    fi
    echo "$k"
  done
}
remove ()
{
  local k
  for k in $(psks "$1" "$2"); do
    keyctl unlink "$k" "$kr" >/dev/null || { echo "cannot unlink key $k"; exit 1; }
  done
}
case ${1:-} in
  insert)
    [ $# -eq 5 ] || usage
    remove "$2" "$3"
    out=$(nvme check-tls-key --insert --keyring=.nvme --keytype=psk \
            --hostnqn="$2" --subsysnqn="$3" --identity="$4" --keydata="$5" 2>&1) ||
      { echo "nvme check-tls-key --insert: $out"; exit 1; }
    # "Inserted TLS key 235b0289"
    k=${out##* }
    case $k in *[!0-9a-f]*|'') echo "nvme check-tls-key said: $out"; exit 1 ;; esac
    show $((0x$k)) ;;
  add)
    [ $# -eq 3 ] || usage
    set -- "$2" "$3" ${2#* }
    remove "$3" "$4"
    k=$(echo "$2" | xxd -r -p | ks keyctl padd psk "$1" "$kr") ||
      { echo "keyctl padd: $k"; exit 1; }
    show "$k" ;;
  remove)
    [ $# -eq 3 ] || usage
    remove "$2" "$3" ;;
  list)
    for k in $(psks); do show "$k"; done ;;
  *) usage ;;
esac
EOF
chmod +x /bin/nvmet-tls-psk

nc -ll -p 7777 -e /bin/nvmet-ctl &

echo "<6>nvmet-init: NVMET-READY" >/dev/kmsg
echo "NVMET-READY ports:$NVMET_PORTS uptime: $(cut -d' ' -f1 /proc/uptime)s"

# PID 1 must not exit; reap whatever the channel leaves behind.
while :; do
  wait
  sleep 60
done
