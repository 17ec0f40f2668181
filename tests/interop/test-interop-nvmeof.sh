#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Interop tier, step 2: our initiator against the Linux kernel's NVMe/TCP
# target (nvmet in a VM, booted once for all the checks below).  Our own
# target and initiator could agree on a mistake; the kernel cannot.
#
#   A. nvmeof discover/list/identify: discovery log (host-filtered), the
#      test namespaces with their sizes and LBA sizes, IOCCSZ of both
#      ports, digests negotiated, allowed and refused host, bench --verify
#   B. the nbdkit plugin: random data round trips from 512 B to 16 MiB on
#      the 512- and 4096-byte-LBA namespaces, checked against the kernel
#      target's backing store; write zeroes, deallocate and flush (seen by
#      the block layer under nvmet); nbdcopy, qemu-img
#   C. the same with header and data digests; with SQ flow control
#      disabled (reads end in C2HData with SUCCESS); on the port with 4 KiB
#      of in-capsule data (R2T for everything larger)
#   D. allowed and refused host through the plugin; keep-alive while idle
# After each step the guest's kernel log must hold no error.

abs_srcdir=${abs_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
source "$abs_srcdir/functions.sh"
source "$abs_srcdir/functions-plugin.sh"
source "$abs_srcdir/interop/interop-functions.sh"
set -e -u -o pipefail

interop_init
[ -x "$NVMEOF_CLI" ] ||
  _skip "needs the nvmeof CLI ($NVMEOF_CLI is not built)"
requires_plugin
requires nbdinfo --version
requires nbdcopy --version
requires qemu-img --version
requires /usr/bin/python3 -c 'import nbd'

d=$TMPDIR_TEST

zero_sha ()
{
  head -c "$1" /dev/zero | sha256sum | cut -d' ' -f1
}

# A block device's stat field (16 = flushes, 12 = discards) in the guest.
blk_stat ()
{
  vm_exec "awk '{ print \$$2 }' /sys/block/$1/stat"
}

start_vm
url=$(interop_url "$INTEROP_NQN")
url2=$(interop_url "$INTEROP_NQN" "$INTEROP_PORT2")
url_r=$(interop_url "$INTEROP_NQN_RESTRICTED")
url_null=$(interop_url "$INTEROP_NQN_NULL")
disc_nqn=nqn.2014-08.org.nvmexpress.discovery

# -------------------------------------------------------------------
section "A. nvmeof CLI"
vm_mark cli >/dev/null

cli discover "nvme+tcp://127.0.0.1:$INTEROP_PORT" -o json >"$d/disc.json" ||
  fail "nvmeof discover failed"
# The guest's address and port, not the forwarded ones; the restricted
# subsystem is not shown to a host it does not allow.
json_check "$d/disc.json" "
sorted((r['subnqn'], r['traddr'], r['trsvcid'], r['trtype'], r['adrfam'])
       for r in d['records'] if r['subnqn'] != '$disc_nqn') ==
sorted([('$INTEROP_NQN', '10.0.2.15', '4420', 'tcp', 'ipv4'),
        ('$INTEROP_NQN_NULL', '10.0.2.15', '4420', 'tcp', 'ipv4')])
and d['numrec'] == len(d['records'])" "discovery log on port 4420"
ok "discovery log on 4420: 2 subsystems at 10.0.2.15:4420, restricted one hidden"

cli discover "nvme+tcp://127.0.0.1:$INTEROP_PORT" --hostnqn="$INTEROP_HOSTNQN" \
  -o json >"$d/disc-h.json" || fail "nvmeof discover --hostnqn failed"
json_check "$d/disc-h.json" "
sorted(r['subnqn'] for r in d['records'] if r['subnqn'] != '$disc_nqn') ==
sorted(['$INTEROP_NQN', '$INTEROP_NQN_NULL', '$INTEROP_NQN_RESTRICTED'])" \
  "discovery log for the allowed host"
ok "discovery log for the allowed host NQN includes the restricted subsystem"

cli discover "nvme+tcp://127.0.0.1:$INTEROP_PORT2" -o json >"$d/disc2.json" ||
  fail "nvmeof discover on port 4421 failed"
json_check "$d/disc2.json" "
[(r['subnqn'], r['trsvcid']) for r in d['records'] if r['subnqn'] != '$disc_nqn']
== [('$INTEROP_NQN', '4421')]" "discovery log on port 4421"
ok "discovery log on 4421: only its own subsystem"

cli list "$url" -o json >"$d/list.json" || fail "nvmeof list failed"
json_check "$d/list.json" "
d['subnqn'] == '$INTEROP_NQN' and d['serial'] == '$INTEROP_SERIAL'
and d['model'] == '$INTEROP_MODEL'
and [(n['nsid'], n['size'], n['lba_size'], n['nsze']) for n in d['namespaces']]
 == [(1, 64 * $MiB, 512, 131072), (2, 64 * $MiB, 4096, 16384)]" "nvmeof list"
ok "list: serial, model, nsid 1 64 MiB/512, nsid 2 64 MiB/4096"

cli list "$url_null" -o json >"$d/list-null.json" || fail "nvmeof list (null) failed"
json_check "$d/list-null.json" "
[(n['nsid'], n['size'], n['lba_size']) for n in d['namespaces']]
 == [(1, 16 * 1024 * $MiB, 512)]" "nvmeof list of the null_blk subsystem"
ok "list: null_blk namespace 16 GiB/512"

cli identify "$url" -o json >"$d/id1.json" || fail "nvmeof identify failed"
cli identify "$url2" -o json >"$d/id2.json" || fail "nvmeof identify on 4421 failed"
# IOCCSZ = (64-byte SQE + in-capsule data) / 16.
json_check "$d/id1.json" "
d['subnqn'] == '$INTEROP_NQN' and d['sn'] == '$INTEROP_SERIAL'
and d['ioccsz'] == (64 + 16384) // 16 and d['iorcsz'] == 1
and d['connection']['maxh2cdata'] == 4194304
and d['connection']['ioccsz_bytes'] == 16384
and not d['connection']['hdr_digest'] and not d['connection']['data_digest']" \
  "identify controller on 4420"
json_check "$d/id2.json" \
  "d['ioccsz'] == (64 + 4096) // 16 and d['connection']['ioccsz_bytes'] == 4096" \
  "identify controller on 4421 (inline_data_size 4096)"
ok "identify: IOCCSZ 1028 on 4420, 260 on 4421; MAXH2CDATA 4 MiB"

cli identify "$url" --hdr-digest --data-digest -o json >"$d/id-dg.json" ||
  fail "nvmeof identify with digests failed"
json_check "$d/id-dg.json" \
  "d['connection']['hdr_digest'] and d['connection']['data_digest']" \
  "digests negotiated with nvmet"
ok "identify with header and data digests: both negotiated"

cli identify "$url" --nsid=1 -o json >"$d/ns1.json" || fail "identify ns 1"
cli identify "$url" --nsid=2 -o json >"$d/ns2.json" || fail "identify ns 2"
json_check "$d/ns1.json" \
  "d['nsze'] == 131072 and d['lbafs'][d['flbas'] & 15]['ds'] == 9" \
  "identify namespace 1"
json_check "$d/ns2.json" \
  "d['nsze'] == 16384 and d['lbafs'][d['flbas'] & 15]['ds'] == 12" \
  "identify namespace 2"
ok "identify namespace: 1 has 131072 x 512, 2 has 16384 x 4096"

cli list "$url_r" --hostnqn="$INTEROP_HOSTNQN" -o json >"$d/list-r.json" ||
  fail "nvmeof list of the restricted subsystem as the allowed host failed"
json_check "$d/list-r.json" "[n['size'] for n in d['namespaces']] == [16 * $MiB]" \
  "restricted subsystem as the allowed host"
ok "allowed host NQN connects to the restricted subsystem"
if cli list "$url_r" --hostnqn="$INTEROP_HOSTNQN_REFUSED" >"$d/refused.out" 2>&1; then
  fail "a host that is not allowed connected to the restricted subsystem"
fi
[ "$(wc -l <"$d/refused.out")" = 1 ] && grep -qi 'host' "$d/refused.out" ||
  fail "refused host: expected one line naming the host problem, got: $(cat "$d/refused.out")"
ok "refused host NQN: $(cat "$d/refused.out")"

cli bench "$url/1" --rw=randrw --bs=4k --qd=8 --time=2 --size=8M --verify \
  -o json >"$d/bench1.json" || fail "nvmeof bench --verify on nsid 1 failed"
json_check "$d/bench1.json" \
  "d['errors'] == 0 and d['verify_errors'] == 0 and d['ios'] > 0" "bench nsid 1"
cli bench "$url/2" --rw=randrw --bs=64k --qd=4 --time=2 --size=8M --verify \
  --hdr-digest --data-digest -o json >"$d/bench2.json" ||
  fail "nvmeof bench --verify with digests on nsid 2 failed"
json_check "$d/bench2.json" \
  "d['errors'] == 0 and d['verify_errors'] == 0 and d['ios'] > 0" "bench nsid 2"
cli bench "$url2/1" --rw=write --bs=128k --qd=4 --time=2 --size=8M --verify \
  -o json >"$d/bench3.json" || fail "nvmeof bench --verify on port 4421 failed"
json_check "$d/bench3.json" \
  "d['errors'] == 0 and d['verify_errors'] == 0 and d['ios'] > 0" "bench port 4421"
ok "bench --verify: randrw 4k (nsid 1), 64k with digests (nsid 2), 128k writes via R2T (4421)"
step_log_clean cli

# -------------------------------------------------------------------
section "B. nbdkit plugin: data, write zeroes, deallocate, flush"
vm_mark plugin >/dev/null
start_plugin -- "$url"

with_timeout 60 nbdinfo --list --json "$NBD_URI" >"$d/nbdinfo.json" ||
  fail "nbdinfo --list failed"
json_check "$d/nbdinfo.json" "
sorted((e['export-name'], e['export-size'], e['block_size_minimum'])
       for e in d['exports']) ==
[('1', 64 * $MiB, 512), ('2', 64 * $MiB, 4096)]" "nbdinfo --list"
ok "nbdinfo --list: exports 1 (512) and 2 (4096), 64 MiB each"

sizes=("0 512" "4096 4096" "$((MiB + 512)) $((8192 + 512))"
       "$((2 * MiB)) 65536" "$((3 * MiB + 4096)) $((131072 + 4096))"
       "$((8 * MiB)) $MiB" "$((16 * MiB + 512)) $((4 * MiB + 512))"
       "$((32 * MiB)) $((16 * MiB))")
roundtrip "$INTEROP_NQN" 1 "${sizes[@]}"
roundtrip "$INTEROP_NQN" 2 "${sizes[@]}"

# Write zeroes: random data first, then zeroes, seen as zeroes everywhere.
for nsid in 1 2; do
  out=$(printf 'write %d %d\nzero %d %d\nflush\nread %d %d\n' \
          $((40 * MiB)) $MiB $((40 * MiB)) $MiB $((40 * MiB)) $MiB |
          nbd_io "$nsid") || fail "write zeroes on nsid $nsid: $out"
  [ "$(echo "$out" | tail -n 1)" = "$(zero_sha $MiB)" ] ||
    fail "nsid $nsid: write zeroes did not read back as zeroes"
  [ "$(guest_sha "$(guest_file "$INTEROP_NQN" "$nsid")" $((40 * MiB)) $MiB)" = \
    "$(zero_sha $MiB)" ] ||
    fail "nsid $nsid: write zeroes did not reach the target's backing store"
done
ok "write zeroes (1 MiB) on nsid 1 and 2: zeroes read back and on the target"

# Flush and deallocate reach the block device under nvmet (loop0 backs
# nsid 1): its flush and discard counters move.
flushes=$(blk_stat loop0 16)
discards=$(blk_stat loop0 12)
out=$(printf 'write %d %d\nflush\ntrim %d %d\n' $((44 * MiB)) $MiB \
        $((44 * MiB)) $MiB | nbd_io 1) || fail "flush/trim on nsid 1: $out"
[ "$(blk_stat loop0 16)" -gt "$flushes" ] ||
  fail "NBD flush did not become a flush under nvmet (loop0 flushes $flushes)"
[ "$(blk_stat loop0 12)" -gt "$discards" ] ||
  fail "NBD trim did not become a deallocate under nvmet (loop0 discards $discards)"
ok "flush and trim on nsid 1 reach nvmet's block device as flush and discard"
out=$(printf 'trim %d %d\nflush\n' $((44 * MiB)) $MiB | nbd_io 2) ||
  fail "trim on nsid 2 (file backend): $out"
ok "trim and flush on nsid 2 (file backend) succeed"

random_file "$d/in8" 8M
with_timeout 120 nbdcopy "$d/in8" "$(nbd_uri 2)" || fail "nbdcopy into export 2"
with_timeout 300 nbdcopy "$(nbd_uri 2)" "$d/out64" || fail "nbdcopy out of export 2"
cmp -n $((8 * MiB)) "$d/in8" "$d/out64" || fail "nbdcopy round trip differs"
[ "$(guest_sha "$(guest_file "$INTEROP_NQN" 2)" 0 $((8 * MiB)))" = \
  "$(sha256sum <"$d/in8" | cut -d' ' -f1)" ] ||
  fail "nbdcopy: data not on the kernel target"
ok "nbdcopy: 8 MiB in, 64 MiB out, same bytes (and on the target)"

random_file "$d/in4" 4M
with_timeout 120 qemu-img convert -n -f raw -O raw "$d/in4" "$(nbd_uri 1)" ||
  fail "qemu-img convert into export 1"
with_timeout 300 qemu-img convert -f raw -O raw "$(nbd_uri 1)" "$d/qout" ||
  fail "qemu-img convert out of export 1"
cmp -n $((4 * MiB)) "$d/in4" "$d/qout" || fail "qemu-img round trip differs"
[ "$(with_timeout 60 qemu-img info --output=json "$(nbd_uri 1)" |
     /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["virtual-size"])')" = \
  $((64 * MiB)) ] || fail "qemu-img info: wrong size"
ok "qemu-img convert in and out of export 1, qemu-img info size"

stop_plugin
step_log_clean plugin

# -------------------------------------------------------------------
section "C. digests; SQ flow control disabled; 4 KiB in-capsule data (port 4421)"
vm_mark digests >/dev/null
start_plugin -- "$url" hdr-digest=true data-digest=true
dsizes=("4096 4096" "$((MiB + 512)) $((MiB + 512))" "$((32 * MiB)) $((16 * MiB))")
roundtrip "$INTEROP_NQN" 1 "${dsizes[@]}"
roundtrip "$INTEROP_NQN" 2 "${dsizes[@]}"
stop_plugin
step_log_clean digests

# nvmet completes reads with C2HData SUCCESS (no CapsuleResp) when the
# host disables SQ flow control.
vm_mark sqflow >/dev/null
start_plugin -- "$url" disable-sqflow=true
roundtrip "$INTEROP_NQN" 1 "4096 4096" "$((2 * MiB)) $((MiB + 512))" \
  "$((8 * MiB)) $((4 * MiB))"
stop_plugin
step_log_clean sqflow

vm_mark port2 >/dev/null
start_plugin -- "$url2"
roundtrip "$INTEROP_NQN" 1 "0 4096" "$MiB 4608" "$((2 * MiB)) 65536" \
  "$((8 * MiB)) $((16 * MiB))"
stop_plugin
step_log_clean port2

# -------------------------------------------------------------------
section "D. host access control; keep-alive while idle"
vm_mark hosts >/dev/null
start_plugin -- "$url_r" hostnqn="$INTEROP_HOSTNQN"
roundtrip "$INTEROP_NQN_RESTRICTED" 1 "0 $MiB" "$((8 * MiB)) 65536"
stop_plugin
if with_timeout 60 nbdkit -U - "$NVMEOF_PLUGIN" "$url_r" \
     hostnqn="$INTEROP_HOSTNQN_REFUSED" --run 'nbdinfo "$uri"' \
     >"$d/refused-plugin.out" 2>&1; then
  fail "the plugin connected as a host the subsystem does not allow"
fi
grep -qi 'host' "$d/refused-plugin.out" ||
  fail "refused host: no error naming the host problem: $(cat "$d/refused-plugin.out")"
ok "plugin: allowed host works, refused host fails: $(grep -i host "$d/refused-plugin.out" | head -n 1)"
step_log_clean hosts

vm_mark keepalive >/dev/null
start_plugin -- "$url" keep-alive-tmo=5
echo "read 0 4096" | nbd_io 1 >/dev/null || fail "first read"
# Deliberately idle for more than twice the keep-alive timeout: only our
# Keep Alive commands keep nvmet from dropping the controller.
sleep 12
out=$(echo "read 0 4096" | nbd_io 1) || fail "read after idling: $out"
vm_check_kernel_log keepalive ||
  fail "the kernel target dropped or complained about an idle controller"
ok "idle 12 s with keep-alive-tmo=5: no keep-alive expiry on nvmet, I/O still works"
stop_plugin
step_log_clean keepalive

vm_check_kernel_log || fail "the kernel target logged errors during the run"
echo
echo "PASS: $checks interop checks against Linux nvmet ($INTEROP_KERNEL) in ${SECONDS}s"
