#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Interop tier: ANA (Asymmetric Namespace Access) against Debian 13's
# nvmet, one VM: one subsystem on two ports (guest 4420 and 4421), its
# namespaces in ANA groups 1 and 2, the states set through configfs
# (ports/N/ana_groups/G/ana_state, nvmet-ana-config.sh).
#
#   A. the kernel's ANA seen by a raw client (ana-probe.py: Identify's ANA
#      fields, the log page per port with and without RGO, which
#      controllers a change notifies, the masking until the log is read
#      without RAE, the status and DNR bit of I/O in each state), and
#      nvmeof-target run through the same steps with the same
#      configuration: the two must answer alike
#   B. our initiator on one path: Identify's ANA fields and each
#      namespace's group (nvmeof identify), I/O to a group made
#      inaccessible on its port fails with the status in words while the
#      other port serves it, and works again once the group is optimized
#   C. our initiator on both ports (multipath): nvmeof list-subsys shows
#      each path's ANA state as nvmet's log page has it; the nbdkit plugin
#      with url= twice and iopolicy=round-robin runs verified random I/O on
#      both namespaces while the guest makes each port in turn
#      inaccessible, in transition (change) and in persistent loss, then
#      takes port 1 away (its subsystem link removed: nvmet deletes the
#      port's controllers and stops listening) and brings it back, and
#      then takes port 2 away, so that I/O must flow through the path that
#      reconnected: no error, no mismatch, I/O flowing during that last
#      window, and the target's backing store holds the bytes written
# After each step the guest's kernel log must hold no error but the I/O
# failures the step asked for (nvmet logs each at error level).

abs_srcdir=${abs_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
source "$abs_srcdir/functions.sh"
source "$abs_srcdir/functions-plugin.sh"
source "$abs_srcdir/interop/interop-functions.sh"
set -e -u -o pipefail

# nvmet has had ANA since 4.19; the tier tests it on Debian 13's kernel,
# or NVMEOF_INTEROP_ANA_SUITE's.
export NVMEOF_INTEROP_SUITE=${NVMEOF_INTEROP_ANA_SUITE:-trixie}
interop_init
[ -x "$NVMEOF_CLI" ] ||
  _skip "needs the nvmeof CLI ($NVMEOF_CLI is not built)"
requires_target
requires_plugin
requires /usr/bin/python3 -c 'import nbd'
export PYTHONPATH=$abs_srcdir PYTHONDONTWRITEBYTECODE=1

d=$TMPDIR_TEST
cfs=/sys/kernel/config/nvmet
# nvmet logs every command that fails, at error level: the I/O that the
# steps below make fail on purpose (Read, Write, Flush) is expected.
failed_io='nvmet_tcp: failed cmd .* opcode [012], data_len'

# ana_set PORTID GRPID STATE: in the guest's configfs.
ana_set ()
{
  vm_exec "echo $3 > $cfs/ports/$1/ana_groups/$2/ana_state" >/dev/null ||
    fail "the guest could not set port $1's ANA group $2 to $3"
  [ "$(vm_exec "cat $cfs/ports/$1/ana_groups/$2/ana_state")" = "$3" ] ||
    fail "port $1's ANA group $2 does not read back as $3"
}

# nvmet logs each failed command (no rate limit): the steps below fail
# thousands on purpose, and the markers must stay in the kernel's log.
export NVMEOF_INTEROP_APPEND="log_buf_len=16M ${NVMEOF_INTEROP_APPEND:-}"
start_vm "$abs_srcdir/interop/nvmet-ana-config.sh"
url1=$(interop_url "$INTEROP_NQN")
url2=$(interop_url "$INTEROP_NQN" "$INTEROP_PORT2")

# -------------------------------------------------------------------
section "A. the kernel's ANA and nvmeof-target's, through the same steps"
vm_mark probe >/dev/null
with_timeout 600 /usr/bin/python3 "$abs_srcdir/interop/ana-probe.py" \
  "$INTEROP_PORT" "$INTEROP_PORT2" "$INTEROP_NQN" \
  --nvmet-ctl "$INTEROP_CTL_PORT" >"$d/nvmet.json" ||
  fail "ana-probe.py against nvmet failed"
# What the kernel answered, checked on its own first.
json_check "$d/nvmet.json" "
d['identify']['cmic'] & 8 and d['identify']['anacap'] & 0x1F == 0x1F
and d['ns_anagrpid'] == [1, 2]
and d['log_port1']['groups'] == [[1, 'optimized', [1]], [2, 'optimized', [2]]]
and d['log_port2']['groups'] == [[1, 'optimized', [1]], [2, 'non-optimized', [2]]]
and d['log_port1']['length'] == 16 + 2 * 32 + 2 * 4
and d['log_port1_rgo']['length'] == 16 + 2 * 32
and d['log_port1_inaccessible']['groups'][1][1] == 'inaccessible'
and d['notice_port1_first'] == d['notice_port1_second'] == '0xc0302'
and d['notice_other_port'] is None
and all(s == '0x302' and not dnr for _, s, dnr in d['io_inaccessible'])" \
  "the kernel's ANA"
ok "nvmet: CMIC ANA, groups 1 and 2 with their NSIDs per port, notice 0xc0302 to the changed port's controllers, I/O 0x302 without DNR"

# nvmeof-target with the same configuration, through the same steps.
tp1=$(free_port)
tp2=$(free_port)
while [ "$tp2" = "$tp1" ]; do tp2=$(free_port); done
cat >"$d/target.json" <<EOF
{ "hosts": [],
  "ports": [
    { "portid": 1, "addr": { "adrfam": "ipv4", "traddr": "127.0.0.1",
      "trsvcid": "$tp1", "trtype": "tcp" },
      "ana_groups": [ { "grpid": 2, "ana": { "state": "optimized" } } ],
      "subsystems": [ "$INTEROP_NQN" ] },
    { "portid": 2, "addr": { "adrfam": "ipv4", "traddr": "127.0.0.1",
      "trsvcid": "$tp2", "trtype": "tcp" },
      "ana_groups": [ { "grpid": 2, "ana": { "state": "non-optimized" } } ],
      "subsystems": [ "$INTEROP_NQN" ] } ],
  "subsystems": [ { "nqn": "$INTEROP_NQN", "attr": { "allow_any_host": "1" },
      "namespaces": [
        { "nsid": 1, "enable": 1, "device": { "path": "ram:64M" } },
        { "nsid": 2, "enable": 1, "ana_grpid": 2,
          "device": { "path": "ram:64M" }, "nvmeof": { "lba_size": 4096 } } ]
  } ] }
EOF
start_target -c "$d/target.json" -l "127.0.0.1:$tp1" --control "$d/control"
with_timeout 300 /usr/bin/python3 "$abs_srcdir/interop/ana-probe.py" \
  "$tp1" "$tp2" "$INTEROP_NQN" --control "$d/control" >"$d/ours.json" ||
  fail "ana-probe.py against nvmeof-target failed"
stop_target
/usr/bin/python3 - "$d/nvmet.json" "$d/ours.json" <<'EOF' ||
import json, sys
k, o = (json.load(open(f)) for f in sys.argv[1:])
diff = sorted(x for x in set(k) | set(o) if k.get(x) != o.get(x))
for x in diff:
    print("  %s: nvmet %s, nvmeof-target %s" % (x, json.dumps(k.get(x)),
                                               json.dumps(o.get(x))),
          file=sys.stderr)
sys.exit(1 if diff else 0)
EOF
  fail "nvmeof-target's ANA differs from the kernel's (above)"
ok "nvmeof-target answers every step as nvmet does ($(/usr/bin/python3 -c \
  'import json, sys; print(len(json.load(open(sys.argv[1]))))' "$d/ours.json") observations)"
log_errors_except probe "$failed_io" ||
  fail "the kernel target logged errors other than the expected I/O failures (probe)"
ok "guest kernel log: only the I/O failures the probe asked for"

# -------------------------------------------------------------------
section "B. our initiator on one path"
vm_mark onepath >/dev/null
cli identify "$url1" -o json >"$d/id.json" || fail "nvmeof identify failed"
json_check "$d/id.json" "
d['cmic'] & 8 and d['anacap'] & 0x1F == 0x1F and d['anagrpmax'] > 0
and d['nanagrpid'] > 0 and d['oaes'] & (1 << 11)" "identify: ANA fields"
for n in 1 2; do
  cli identify "$url1" --nsid=$n -o json >"$d/ns$n.json" ||
    fail "nvmeof identify --nsid=$n failed"
  json_check "$d/ns$n.json" "d['anagrpid'] == $n" "namespace $n's ANA group"
done
ok "identify: CMIC ANA, ANACAP, the change notice in OAES; namespace 1 in group 1, 2 in group 2"

ana_set 1 2 inaccessible
if cli bench "$url1/2" --rw=read --bs=4k --qd=1 --time=1 --size=1M \
     >"$d/bench-inacc.out" 2>&1; then
  fail "I/O to an inaccessible group succeeded"
fi
grep -q "Asymmetric Access Inaccessible" "$d/bench-inacc.out" ||
  fail "I/O to an inaccessible group: no status in words: $(cat "$d/bench-inacc.out")"
ok "group 2 inaccessible on port 1: $(grep -o 'read at offset 0: .*' "$d/bench-inacc.out")"
cli bench "$url2/2" --rw=randrw --bs=4k --qd=4 --time=1 --size=4M --verify \
  -o json >"$d/bench2.json" || fail "I/O through port 2 (non-optimized) failed"
json_check "$d/bench2.json" "d['errors'] == 0 and d['verify_errors'] == 0 and d['ios'] > 0" \
  "bench through port 2"
cli bench "$url1/1" --rw=randrw --bs=4k --qd=4 --time=1 --size=4M --verify \
  -o json >"$d/bench1.json" || fail "I/O to group 1 through port 1 failed"
json_check "$d/bench1.json" "d['errors'] == 0 and d['verify_errors'] == 0 and d['ios'] > 0" \
  "bench of group 1 through port 1"
ok "meanwhile port 2 (non-optimized) and group 1 on port 1 serve I/O, verified"
ana_set 1 2 optimized
cli bench "$url1/2" --rw=randrw --bs=4k --qd=4 --time=1 --size=4M --verify \
  -o json >"$d/bench3.json" || fail "I/O to group 2 after it became optimized failed"
json_check "$d/bench3.json" "d['errors'] == 0 and d['verify_errors'] == 0 and d['ios'] > 0" \
  "bench after optimized"
ok "group 2 optimized again on port 1: I/O verified"
log_errors_except onepath "$failed_io" ||
  fail "the kernel target logged errors other than the expected I/O failures (one path)"
ok "guest kernel log: only the I/O failures of the inaccessible group"

# -------------------------------------------------------------------
section "C. multipath: both ports, the states changed in the guest during I/O"
vm_mark multipath >/dev/null

# list-subsys paths' ANA states (nsid 2: group 2).
paths_ana ()
{
  cli list-subsys "$url1/2" "$url2/2" -o json >"$d/ls.json" ||
    fail "nvmeof list-subsys failed"
  json_check "$d/ls.json" "
[(p['State'], p['ANAState']) for p in d[0]['Subsystems'][0]['Paths']]
== [('live', '$1'), ('live', '$2')]" "list-subsys: paths $1, $2"
}
paths_ana optimized non-optimized
ana_set 1 2 inaccessible
paths_ana inaccessible non-optimized
ana_set 1 2 optimized
ok "list-subsys: the paths' ANA states as nvmet has them (optimized/non-optimized, inaccessible/non-optimized)"

start_plugin -- "url=$url1" "url=$url2" iopolicy=round-robin
size=$((16 * MiB))
stop=$d/stop-io
rm -f "$stop"
for n in 1 2; do
  with_timeout 900 /usr/bin/python3 "$abs_srcdir/interop/ana-io.py" \
    "$(nbd_uri $n)" "$size" "$stop" "$d/progress$n" >"$d/io$n.out" 2>&1 &
  eval "io_pid$n=\$!"
done
# Each step: both groups of a port; the other port always has a usable
# state, so no I/O may fail.  ~4 s per step under TCG.
steps=("1 inaccessible" "1 optimized" "2 inaccessible" "2 change"
       "2 optimized" "1 persistent-loss" "1 optimized" "1 change"
       "1 optimized")
sleep 4
for s in "${steps[@]}"; do
  port=${s% *}
  state=${s#* }
  ana_set "$port" 1 "$state"
  if [ "$port" = 2 ] && [ "$state" = optimized ]; then
    ana_set 2 2 non-optimized
  else
    ana_set "$port" 2 "$state"
  fi
  echo "  port $port: groups 1 and 2 $state (at ${SECONDS}s)"
  sleep 4
done

# port_link PORTID rm|ln: remove or restore the port's subsystem link.
port_link ()
{
  local l="$cfs/ports/$1/subsystems/$INTEROP_NQN"
  if [ "$2" = rm ]; then
    vm_exec "rm $l" >/dev/null || fail "the guest could not unlink port $1"
  else
    vm_exec "ln -s $cfs/subsystems/$INTEROP_NQN $l" >/dev/null ||
      fail "the guest could not link port $1 again"
  fi
  echo "  port $1: subsystem link $2 (at ${SECONDS}s)"
}
progress ()
{
  cat "$d/progress$1" 2>/dev/null || echo 0
}
port_link 1 rm
sleep 4
port_link 1 ln
# Our host retries a lost path every reconnect-delay (10 s).
sleep 16
port_link 2 rm
p1=$(progress 1)
p2=$(progress 2)
sleep 8
[ "$(progress 1)" -gt "$p1" ] && [ "$(progress 2)" -gt "$p2" ] ||
  fail "no I/O flowed while only the reconnected port 1 was there"
ok "port 1 taken away and back, then port 2 away: I/O flowed through the reconnected port 1 ($p1 -> $(progress 1), $p2 -> $(progress 2) I/Os)"
port_link 2 ln
sleep 4
touch "$stop"
for n in 1 2; do
  eval "pid=\$io_pid$n"
  wait "$pid" || {
    cat "$d/io$n.out" >&2
    fail "I/O on namespace $n saw errors while the paths changed"
  }
  res=$(tail -n 1 "$d/io$n.out")
  case $res in
    *" errors=0 mismatches=0 "*) ;;
    *) cat "$d/io$n.out" >&2; fail "namespace $n: $res" ;;
  esac
  writes=$(echo "$res" | sed -n 's/.* writes=\([0-9]*\) .*/\1/p')
  [ "${writes:-0}" -gt 0 ] || fail "namespace $n: no writes went through"
  [ "$(guest_sha "$(guest_file "$INTEROP_NQN" $n)" 0 "$size")" = \
    "${res##*sha256=}" ] ||
    fail "namespace $n: the target's backing store differs from what was written"
  ok "namespace $n: ${res% sha256=*} while both ports changed states; the backing store holds what was written"
done
stop_plugin
# How many commands nvmet failed on a path just made unusable (each one
# went again on the other path): information, since an ANA change notice
# that comes first leaves none.
echo "  nvmet failed $(vm_dmesg | sed -n '/nvmeof-interop-mark: multipath/,$p' |
  grep -c 'nvmet_tcp: failed cmd') commands on paths made unusable"
log_errors_except multipath "$failed_io" ||
  fail "the kernel target logged errors other than the expected I/O failures (multipath)"
ok "guest kernel log: only I/O failures on the paths made unusable"

log_errors_except "" "$failed_io" ||
  fail "the kernel target logged errors during the run"
echo
echo "PASS: $checks interop checks of ANA against Linux nvmet ($INTEROP_KERNEL) in ${SECONDS}s"
