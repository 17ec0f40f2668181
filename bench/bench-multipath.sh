#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Multipath: nvmeof bench over one path against two paths round-robin,
# each path its own nvmeof-target process serving one file in /dev/shm
# (the same NQN, so the same namespace UUID), the initiator on CPU A and
# the targets on CPUs B and C where the machine has them; printed as the
# ratio two paths / one path.  Then the failover time with the default
# timeouts: nvmeof bench (failover policy) on two paths while the path in
# use fails - its listener stopped with its connections cut (the control
# socket), its process killed (SIGKILL), its process frozen (SIGSTOP,
# noticed by keep-alive) - reported as the longest I/O latency of the run,
# which is the time from the failure to that I/O completing on the other
# path.  Nothing is asserted.
#
# Usage: bench/bench-multipath.sh [--builddir=DIR] [--time=S]
#                                 [--cpus=A,B[,C]] [--quick]
source "$(dirname "$0")/bench-common.sh"

cpu_c=
args=()
for a in "$@"; do
  case $a in
    --cpus=*,*,*) cpu_c=${a##*,}; args+=("${a%,*}") ;;
    *) args+=("$a") ;;
  esac
done
bench_init "${args[@]}"
bench_need jq python3
[ -x "$CLI_BIN" ] || bench_die "$CLI_BIN is not built"
if [ -z "$cpu_c" ]; then
  if [ "$(nproc)" -ge 3 ]; then cpu_c=2; else cpu_c=$BENCH_CPU_B; fi
fi
NQN=nqn.2026-11.io.nvmeof:target
shm=/dev/shm
[ -d "$shm" ] && [ -w "$shm" ] || shm=$BENCH_TMP
disk=$(mktemp "$shm/nvmeof-bench-mp.XXXXXX")
trap 'rm -f "$disk"; _bench_cleanup' EXIT
truncate -s 1G "$disk"
head -c 256M /dev/urandom | dd of="$disk" conv=notrunc status=none

# A target process on CPU $1 with one port and a control socket; prints
# "PID PORT CONTROL".
target ()
{
  local cpu=$1 port pidfile ctl
  port=$(_free_port)
  pidfile=$BENCH_TMP/t-$port.pid ctl=$BENCH_TMP/t-$port.ctl
  taskset -c "$cpu" "$TARGET_BIN" -f -P "$pidfile" -l "127.0.0.1:$port" \
    --control "$ctl" --file "$disk" >"$BENCH_TMP/t-$port.log" 2>&1 &
  local pid=$!
  _bench_pids+=("$pid")
  _wait_pidfile "$pidfile" "$pid" ||
    bench_die "nvmeof-target did not start: $(cat "$BENCH_TMP/t-$port.log")"
  echo "$pid $port $ctl"
}

ctl ()
{
  python3 - "$1" "$2" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
s.sendall((sys.argv[2] + "\n").encode()); print(s.recv(4096).decode().strip())
PY
}

read -r pid_a port_a ctl_a < <(target "$BENCH_CPU_B")
read -r pid_b port_b ctl_b < <(target "$cpu_c")
url_a=nvme+tcp://127.0.0.1:$port_a/$NQN/1
url_b=nvme+tcp://127.0.0.1:$port_b/$NQN/1

# bench OUT URL.. -- ARGS..: nvmeof bench on CPU A, JSON into OUT.
bench ()
{
  local out=$1
  shift
  taskset -c "$BENCH_CPU_A" "$CLI_BIN" bench -o json --size=256M "$@" \
    >"$out" 2>"$out.err" || { echo "nvmeof bench $* failed: $(tail -2 "$out.err")" >&2; return 1; }
}

echo "nvmeof multipath benchmark: $(nproc) CPUs; nvmeof bench on CPU" \
  "$BENCH_CPU_A, target A on CPU $BENCH_CPU_B, target B on CPU $cpu_c;" \
  "$BENCH_TIME s per point; load average $(cut -d' ' -f1-3 /proc/loadavg)"
[ "$BENCH_CPU_B" = "$cpu_c" ] &&
  echo "(the two targets share a CPU: this machine has too few for one each)"
bench "$BENCH_TMP/warm.json" "$url_a" "$url_b" --time=0.5 --rw=read \
  --bs=128k >/dev/null || true
echo
printf '%-22s %12s %12s %8s   %s\n' workload "1 path IOPS" "2 paths IOPS" \
  ratio "(MiB/s 1 -> 2)"
for w in "4K randread QD32:--rw=randread --bs=4k --qd=32" \
         "128K read QD32:--rw=read --bs=128k --qd=32" \
         "4K randread QD32 x2q:--rw=randread --bs=4k --qd=32 --queues=2"; do
  name=${w%%:*}
  read -r -a wargs <<<"${w#*:}"
  bench "$BENCH_TMP/one.json" "$url_a" --time="$BENCH_TIME" "${wargs[@]}" || continue
  bench "$BENCH_TMP/two.json" "$url_a" "$url_b" --iopolicy=round-robin \
    --time="$BENCH_TIME" "${wargs[@]}" || continue
  i1=$(jq -r '.iops | floor' "$BENCH_TMP/one.json")
  i2=$(jq -r '.iops | floor' "$BENCH_TMP/two.json")
  m1=$(jq -r '.mib_per_s | floor' "$BENCH_TMP/one.json")
  m2=$(jq -r '.mib_per_s | floor' "$BENCH_TMP/two.json")
  printf '%-22s %12s %12s %8s   (%s -> %s)\n' "$name" "$i1" "$i2" \
    "$(ratio "$i2" "$i1")" "$m1" "$m2"
done

echo
echo "Failover with the default timeouts (keep-alive-tmo 5, reconnect-delay 10):"
echo "the longest I/O of a 6 s run (failover policy, 4K randread QD32) in"
echo "which the path in use (A) fails after 2 s; the goal is under 1 s."
failover ()
{
  local name=$1 what=$2 out=$BENCH_TMP/fo.json
  bench "$out" "$url_a" "$url_b" --iopolicy=failover --time=6 \
    --rw=randread --bs=4k --qd=32 &
  local bpid=$!
  sleep 2
  case $what in
    listener) ctl "$ctl_a" "listener 1 down" >/dev/null ;;
    kill) kill -KILL "$pid_a" ;;
    stop) kill -STOP "$pid_a" ;;
  esac
  wait "$bpid" || { echo "$name: nvmeof bench failed"; return; }
  case $what in
    listener) ctl "$ctl_a" "listener 1 up" >/dev/null ;;
    stop) kill -CONT "$pid_a" ;;
  esac
  printf '  %-34s %8.3f s   (%s errors, %s I/Os)\n' "$name" \
    "$(jq -r '.lat_max_us / 1e6' "$out")" "$(jq -r .errors "$out")" \
    "$(jq -r .ios "$out")"
}
failover "listener stopped, connections cut" listener
failover "target process frozen (SIGSTOP)" stop
failover "target process killed (SIGKILL)" kill
