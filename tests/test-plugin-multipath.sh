#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Multipath through the nbdkit plugin: three paths (url= three times) to
# the same subsystem served by two nvmeof-target processes from one file
# (same NQN, so the same serial and namespace UUID): target A on two IPv4
# ports, target B on [::1].  While nbdcopy writes 256 MiB of random data
# and while fio (4 jobs, verify=crc32c) runs:
#  - target A's first listener is stopped (its connections cut), then
#    started again;
#  - target B is frozen (SIGSTOP) long enough for keep-alive to declare
#    the path lost, then thawed;
#  - target A's second port's ANA group is made inaccessible, then
#    optimized again.
# The NBD client sees no error; the data read back (through the paths
# that are left, then all three) has the checksum of what was written,
# and fio's verification passes.
source "${abs_srcdir:-$(dirname "$0")}/functions.sh"
source "$abs_srcdir/functions-plugin.sh"
source "$abs_srcdir/functions-multipath.sh"
set -e -u -o pipefail

requires_plugin
requires_target
requires nbdcopy --version
requires jq --version
requires fio --version
if ! fio --enghelp=nbd >/dev/null 2>&1; then
  echo "SKIP: $0: this fio has no nbd engine" >&2
  exit 77
fi
d=$TMPDIR_TEST
truncate -s 320M "$d/disk"

mp_start_target 2 --file "$d/disk" # A: port 1 IPv4, port 2 [::1]
ctl_a=$MP_CTL pid_a=$TARGET_PID url_a1=$MP_URL1
# A's second port on IPv4 too; B (another process) on [::1].
url_a2=$MP_URL2
portb=$(free_port)
start_target -l "[::1]:$portb" --file "$d/disk"
pid_b=$TARGET_PID
url_b="nvme+tcp://[::1]:$portb/$NVMEOF_DEFAULT_NQN"

start_plugin -- url="${url_a1%/1}" url="${url_a2%/1}" url="$url_b" \
  iopolicy=round-robin keep-alive-tmo=2 reconnect-delay=1

# faults: the three faults in turn (about 8 s), then touch $d/faults-done.
faults ()
{
  MP_CTL=$ctl_a
  sleep 0.5
  kill -STOP "$pid_b"
  wait_stopped "$pid_b"
  sleep 4 # twice keep-alive-tmo: the path is declared lost
  kill -CONT "$pid_b"
  mp_ctl listener 1 down
  sleep 1.5
  mp_ctl listener 1 up
  mp_ctl ana 2 1 inaccessible
  sleep 1.5
  mp_ctl ana 2 1 optimized
  touch "$d/faults-done"
}

# read_back: the device's first 256 MiB have the checksum of $d/in.
read_back ()
{
  with_timeout 300 nbdcopy "$NBD_URI" "$d/out" || fail "nbdcopy back failed"
  truncate -s 256M "$d/out"
  got=$(md5sum <"$d/out")
  [ "$want" = "$got" ] || fail "the data read back differs ($got, not $want)"
}

random_file "$d/in" 256M
want=$(md5sum <"$d/in")
rm -f "$d/faults-done"
faults &
fpid=$!
with_timeout 300 nbdcopy "$d/in" "$NBD_URI" ||
  fail "nbdcopy to the plugin failed during the faults"
# Reads during the faults too, until they are over (however fast the copy).
reads=0
while [ ! -e "$d/faults-done" ]; do
  read_back
  reads=$((reads + 1))
done
wait "$fpid" || fail "the faults could not be made"
read_back
echo "ok: 256 MiB written during the faults, read back $reads time(s) during them and once after: $got"

rm -f "$d/faults-done"
faults &
fpid=$!
with_timeout 300 fio --name=mp --ioengine=nbd --uri="$NBD_URI" \
  --numjobs=4 --size=16m --offset_increment=16m --rw=randwrite --bs=4k \
  --iodepth=16 --verify=crc32c --verify_fatal=1 --verify_state_save=0 \
  --do_verify=1 --time_based --runtime=10 --group_reporting \
  >"$d/fio" 2>&1 || { cat "$d/fio"; fail "fio during the faults"; }
wait "$fpid" || fail "the faults could not be made"
grep -E 'err= *0' "$d/fio" >/dev/null || { cat "$d/fio"; fail "fio errors"; }
echo "ok: fio verify=crc32c, 4 jobs, during the faults: $(grep -E 'WRITE:' "$d/fio")"
grep -i 'error' "$NBDKIT_LOG" && fail "nbdkit logged errors"
echo PASS
