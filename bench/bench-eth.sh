#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# NVMe over raw Ethernet against NVMe/TCP on the same link, side by side in
# one run: two network namespaces joined by a veth pair at MTU 9000 (the
# host's end with 192.0.2.2, the target's with 192.0.2.1, both inside the
# namespaces), one nvmeof-target --eth serving both transports, the host
# side pinned to CPU A and the target to CPU B:
#   (a) nvmeof bench (async, one queue): 4K random reads at QD32 (IOPS),
#       128K reads at QD32 (MiB/s); NVMe/Ethernet also with data-digest=on
#       (the frame CRC32C over the data too, docs/nvme-eth.md 7.4) against
#       its default (off), as a ratio;
#   (b) fio (nbd engine) -> nbdkit nvmeof: the same two workloads;
#   (c) NVMe/Ethernet through tests/eth-impair (a third namespace bridging
#       two veth pairs): lossless, then with 1 % of the frames lost each
#       way (nvmeof bench, both workloads).
# For each point: the median of --rounds runs (the competitors alternate),
# the CPU time per I/O of the initiator (nvmeof bench's own; nbdkit's for
# fio) and of the target, and the ratios.  The issue's goals are printed
# beside the ratios, not asserted: Ethernet >= 1.0 x TCP's IOPS at 4K QD32
# and >= 1.0 x its MiB/s at 128K, at <= 0.8 x TCP's initiator CPU per I/O;
# with 1 % loss >= 0.7 x its own lossless figures.  Needs root.
#
# Usage: bench/bench-eth.sh [--builddir=DIR] [--time=S] [--cpus=A,B]
#                           [--quick] [--rounds=N]
source "$(dirname "$0")/bench-common.sh"
# The target in a session of its own, as bench-nbd.sh's servers
# (bench-common.sh, _server_session: with autogroup scheduling a target in
# the client's session gets less of its CPU when other jobs run there).
BENCH_SERVER_SESSION=${BENCH_SERVER_SESSION:-1}

rounds=3
args=()
for a in "$@"; do
  case $a in
    --rounds=*) rounds=${a#*=} ;;
    *) args+=("$a") ;;
  esac
done
bench_init "${args[@]+"${args[@]}"}"
bench_need jq ip fio nbdkit
[ "$(id -u)" = 0 ] || bench_die "needs root (network namespaces, raw sockets)"
[ -x "$CLI_BIN" ] || bench_die "$CLI_BIN is not built"
[ -f "$PLUGIN_SO" ] || bench_die "$PLUGIN_SO is not built"
IMPAIR_BIN=$BUILDDIR/tests/eth-impair
[ "$BENCH_QUICK" = 0 ] || rounds=1
hz=$(getconf CLK_TCK)
nqn=nqn.2026-11.io.nvmeof:target

ns_h=nvmeof-bench-$$-h ns_t=nvmeof-bench-$$-t ns_m=nvmeof-bench-$$-m
ns_h2=nvmeof-bench-$$-h2 ns_t2=nvmeof-bench-$$-t2
bench_eth_cleanup ()
{
  local ns
  _bench_cleanup
  for ns in "$ns_h" "$ns_t" "$ns_m" "$ns_h2" "$ns_t2"; do
    ip netns del "$ns" 2>/dev/null || true
  done
}
trap bench_eth_cleanup EXIT

for ns in "$ns_h" "$ns_t"; do
  ip netns add "$ns" || bench_die "ip netns add $ns"
  ip -n "$ns" link set lo up
done
ip -n "$ns_t" link add vt mtu 9000 type veth peer name vh netns "$ns_h" \
  mtu 9000 || bench_die "cannot create a veth pair"
ip -n "$ns_t" addr add 192.0.2.1/24 dev vt
ip -n "$ns_h" addr add 192.0.2.2/24 dev vh
ip -n "$ns_t" link set vt up
ip -n "$ns_h" link set vh up
mac=$(ip -n "$ns_t" -br link show vt | awk '{ print $3 }')

# start_ns_target NS IFACE [ARGS..]: nvmeof-target in NS, pinned to CPU B;
# sets TARGET_PID.
start_ns_target ()
{
  local ns=$1 ifname=$2 pidfile=$BENCH_TMP/target-$1.pid
  shift 2
  $(_server_session) taskset -c "$BENCH_CPU_B" ip netns exec "$ns" \
    "$TARGET_BIN" -f \
    -P "$pidfile" --eth "$ifname" --ram 1G "$@" \
    >"$BENCH_TMP/target-$ns.log" 2>&1 &
  TARGET_PID=$!
  _bench_pids+=("$TARGET_PID")
  _wait_pidfile "$pidfile" "$TARGET_PID" ||
    bench_die "nvmeof-target did not start: $(cat "$BENCH_TMP/target-$ns.log")"
}
start_ns_target "$ns_t" vt -l 192.0.2.1:4420
pid_t=$TARGET_PID
url_tcp="nvme+tcp://192.0.2.1/$nqn/1"
url_eth="nvme+eth://vh/$mac/$nqn/1"

ticks ()
{
  awk '{ print $14 + $15 }' "/proc/$1/stat"
}

median ()
{
  sort -g | awk '{ a[NR] = $1 } END { print (NR ? a[int((NR + 1) / 2)] : "-") }'
}

# lib_point NS URL TARGET-PID ARGS..: one nvmeof bench run; prints
# "IOPS MiB/s initiator-us/IO target-us/IO".
lib_point ()
{
  local ns=$1 url=$2 tpid=$3 t0 t1
  shift 3
  t0=$(ticks "$tpid")
  taskset -c "$BENCH_CPU_A" ip netns exec "$ns" "$CLI_BIN" bench "$url" \
    --time="$BENCH_TIME" -o json "$@" >"$BENCH_TMP/out.json" \
    2>"$BENCH_TMP/err" || { echo "- - - -"; return; }
  t1=$(ticks "$tpid")
  jq -r --arg t "$((t1 - t0))" --arg hz "$hz" \
    '"\(.iops) \(.mib_per_s) \(.cpu_s * 1e6 / .ios) \(($t | tonumber) / ($hz | tonumber) * 1e6 / .ios)"' \
    "$BENCH_TMP/out.json"
}

# fio_point URL RW BS: fio -> nbdkit nvmeof URL (in the host's namespace,
# on CPU A with fio); prints the same four numbers, the initiator's CPU
# being nbdkit's.
fio_point ()
{
  local url=$1 rw=$2 bs=$3 sock=$BENCH_TMP/nbd.sock pidfile=$BENCH_TMP/nbd.pid
  local pid n0 n1 t0 t1 ios
  rm -f "$sock" "$pidfile"
  taskset -c "$BENCH_CPU_A" ip netns exec "$ns_h" nbdkit -f -P "$pidfile" \
    -U "$sock" "$PLUGIN_SO" "$url" >"$BENCH_TMP/nbdkit.log" 2>&1 &
  pid=$!
  _wait_pidfile "$pidfile" "$pid" || { echo "- - - -"; return; }
  n0=$(ticks "$pid") t0=$(ticks "$pid_t")
  if ! taskset -c "$BENCH_CPU_A" fio --output-format=json \
    --output="$BENCH_TMP/fio.json" --name=bench --ioengine=nbd \
    --uri="nbd+unix:///?socket=$sock" --rw="$rw" --bs="$bs" --iodepth=32 \
    --time_based --runtime="$BENCH_TIME" >/dev/null 2>&1; then
    stop_pid "$pid"
    echo "- - - -"
    return
  fi
  n1=$(ticks "$pid") t1=$(ticks "$pid_t")
  stop_pid "$pid"
  ios=$(jq '.jobs[0].read.total_ios' "$BENCH_TMP/fio.json")
  jq -r --arg n "$((n1 - n0))" --arg t "$((t1 - t0))" --arg hz "$hz" \
    --arg ios "$ios" \
    '.jobs[0].read | "\(.iops) \(.bw / 1024) \(($n | tonumber) / ($hz | tonumber) * 1e6 / ($ios | tonumber)) \(($t | tonumber) / ($hz | tonumber) * 1e6 / ($ios | tonumber))"' \
    "$BENCH_TMP/fio.json"
}

declare -A V # V[workload,competitor,field] = median

# run_rounds WORKLOAD COMPETITOR=COMMAND.. : the competitors in turn,
# rounds times; the medians of each field into V.
run_rounds ()
{
  local w=$1 r c f spec
  shift
  for ((r = 0; r < rounds; r++)); do
    for spec in "$@"; do
      c=${spec%%=*}
      eval "${spec#*=}" >>"$BENCH_TMP/$w.$c"
    done
  done
  for spec in "$@"; do
    c=${spec%%=*}
    for f in 1 2 3 4; do
      V[$w,$c,$f]=$(awk -v f="$f" '$f != "-" { print $f }' \
        "$BENCH_TMP/$w.$c" | median)
    done
  done
}

fmt ()
{
  awk -v v="$1" -v d="${2:-0}" 'BEGIN { if (v == "-" || v == "") print "-";
    else printf "%.*f", d, v }'
}

# table TITLE A B LABEL-A LABEL-B WORKLOAD=FIELD..: one block of rows.
table ()
{
  local title=$1 a=$2 b=$3 la=$4 lb=$5 spec w f name
  shift 5
  echo
  echo "$title"
  printf '  %-34s %12s %12s %8s\n' "" "$la" "$lb" "ratio"
  for spec in "$@"; do
    w=${spec%%=*} f=${spec#*=}
    case $w in
      *4k) name="4K random reads QD32, IOPS" ;;
      *) name="128K reads QD32, MiB/s" ;;
    esac
    printf '  %-34s %12s %12s %8s\n' "$name" \
      "$(fmt "${V[$w,$a,$f]}")" "$(fmt "${V[$w,$b,$f]}")" \
      "$(ratio "${V[$w,$b,$f]}" "${V[$w,$a,$f]}")"
    printf '  %-34s %12s %12s %8s\n' "  initiator CPU us per I/O" \
      "$(fmt "${V[$w,$a,3]}" 2)" "$(fmt "${V[$w,$b,3]}" 2)" \
      "$(ratio "${V[$w,$b,3]}" "${V[$w,$a,3]}")"
    printf '  %-34s %12s %12s %8s\n' "  target CPU us per I/O" \
      "$(fmt "${V[$w,$a,4]}" 2)" "$(fmt "${V[$w,$b,4]}" 2)" \
      "$(ratio "${V[$w,$b,4]}" "${V[$w,$a,4]}")"
  done
}

echo "NVMe/Ethernet vs NVMe/TCP: one veth pair at MTU 9000 between two" \
  "network namespaces, $(nproc) CPUs, initiator on CPU $BENCH_CPU_A," \
  "nvmeof-target on CPU $BENCH_CPU_B, $BENCH_TIME s per point, median" \
  "of $rounds"
# The machine may be shared: its load, before and after, says how far to
# trust the absolute figures (the ratios of competitors run alternately
# suffer less).
echo "load average at the start: $(cut -d' ' -f1-3 /proc/loadavg)"

# (a) nvmeof bench.
run_rounds lib4k "tcp=lib_point $ns_h $url_tcp $pid_t --rw=randread --bs=4k --qd=32" \
  "eth=lib_point $ns_h $url_eth $pid_t --rw=randread --bs=4k --qd=32" \
  "ethdd=lib_point $ns_h $url_eth $pid_t --rw=randread --bs=4k --qd=32 --data-digest"
run_rounds lib128k "tcp=lib_point $ns_h $url_tcp $pid_t --rw=read --bs=128k --qd=32" \
  "eth=lib_point $ns_h $url_eth $pid_t --rw=read --bs=128k --qd=32" \
  "ethdd=lib_point $ns_h $url_eth $pid_t --rw=read --bs=128k --qd=32 --data-digest"
table "(a) nvmeof bench, 1 queue, async" tcp eth TCP Ethernet \
  "lib4k=1" "lib128k=2"
table "(a') NVMe/Ethernet: data-digest=on against off (the default)" eth \
  ethdd "off" "on" "lib4k=1" "lib128k=2"

# (b) fio -> nbdkit nvmeof.
run_rounds fio4k "tcp=fio_point $url_tcp randread 4k" \
  "eth=fio_point $url_eth randread 4k"
run_rounds fio128k "tcp=fio_point $url_tcp read 128k" \
  "eth=fio_point $url_eth read 128k"
table "(b) fio (nbd engine, QD32) -> nbdkit nvmeof" tcp eth TCP Ethernet \
  "fio4k=1" "fio128k=2"

# (c) Through eth-impair: lossless, then 1 % loss.
if [ -x "$IMPAIR_BIN" ]; then
  for ns in "$ns_h2" "$ns_t2" "$ns_m"; do
    ip netns add "$ns" || bench_die "ip netns add $ns"
    ip -n "$ns" link set lo up
  done
  ip -n "$ns_h2" link add vh mtu 9000 type veth peer name ih netns "$ns_m" \
    mtu 9000
  ip -n "$ns_t2" link add vt mtu 9000 type veth peer name it netns "$ns_m" \
    mtu 9000
  ip -n "$ns_h2" link set vh up
  ip -n "$ns_t2" link set vt up
  ip -n "$ns_m" link set ih up
  ip -n "$ns_m" link set it up
  mac2=$(ip -n "$ns_t2" -br link show vt | awk '{ print $3 }')
  start_ns_target "$ns_t2" vt
  pid_t2=$TARGET_PID
  url2="nvme+eth://vh/$mac2/$nqn/1"
  # impaired_point LOSS ARGS..: nvmeof bench with eth-impair running (not
  # pinned: it is the link).
  impaired_point ()
  {
    local loss=$1 ipid
    shift
    ip netns exec "$ns_m" "$IMPAIR_BIN" --ethertype 0x88b5 --loss "$loss" \
      it ih >"$BENCH_TMP/impair.log" 2>&1 &
    ipid=$!
    sleep 0.3
    lib_point "$ns_h2" "$url2" "$pid_t2" "$@"
    stop_pid "$ipid"
  }
  run_rounds imp4k "lossless=impaired_point 0 --rw=randread --bs=4k --qd=32" \
    "loss1=impaired_point 1 --rw=randread --bs=4k --qd=32"
  run_rounds imp128k "lossless=impaired_point 0 --rw=read --bs=128k --qd=32" \
    "loss1=impaired_point 1 --rw=read --bs=128k --qd=32"
  table "(c) NVMe/Ethernet through eth-impair (nvmeof bench)" lossless \
    loss1 lossless "1% loss" "imp4k=1" "imp128k=2"
else
  echo
  echo "(c) skipped: $IMPAIR_BIN is not built (make -C tests eth-impair)"
fi

goal ()
{
  local what=$1 got=$2 op=$3 want=$4
  awk -v g="$got" -v op="$op" -v w="$want" -v what="$what" 'BEGIN {
    if (g == "-" || g == "") { printf "  %-52s %6s   (no figure)\n", what, "-"; exit }
    ok = (op == ">=") ? (g + 0 >= w + 0) : (g + 0 <= w + 0)
    printf "  %-52s %6s   goal %s %s: %s\n", what, g, op, w, ok ? "met" : "not met" }'
}
echo
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "The issue's goals (reported, not asserted):"
goal "Ethernet/TCP IOPS, 4K QD32 (nvmeof bench)" \
  "$(ratio "${V[lib4k,eth,1]}" "${V[lib4k,tcp,1]}")" ">=" 1.0
goal "Ethernet/TCP MiB/s, 128K QD32 (nvmeof bench)" \
  "$(ratio "${V[lib128k,eth,2]}" "${V[lib128k,tcp,2]}")" ">=" 1.0
goal "Ethernet/TCP initiator CPU per I/O, 4K (nvmeof bench)" \
  "$(ratio "${V[lib4k,eth,3]}" "${V[lib4k,tcp,3]}")" "<=" 0.8
goal "Ethernet/TCP initiator CPU per I/O, 128K (nvmeof bench)" \
  "$(ratio "${V[lib128k,eth,3]}" "${V[lib128k,tcp,3]}")" "<=" 0.8
goal "Ethernet/TCP IOPS, 4K QD32 (fio -> nbdkit)" \
  "$(ratio "${V[fio4k,eth,1]}" "${V[fio4k,tcp,1]}")" ">=" 1.0
goal "Ethernet/TCP MiB/s, 128K QD32 (fio -> nbdkit)" \
  "$(ratio "${V[fio128k,eth,2]}" "${V[fio128k,tcp,2]}")" ">=" 1.0
if [ -x "$IMPAIR_BIN" ]; then
  goal "1 % loss / lossless IOPS, 4K QD32" \
    "$(ratio "${V[imp4k,loss1,1]}" "${V[imp4k,lossless,1]}")" ">=" 0.7
  goal "1 % loss / lossless MiB/s, 128K QD32" \
    "$(ratio "${V[imp128k,loss1,2]}" "${V[imp128k,lossless,2]}")" ">=" 0.7
fi
