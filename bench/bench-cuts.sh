#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# I/O across connections that are cut again and again (issue 17's case):
# fio's nbd engine through the plugin, 2 jobs at queue depth 16, random
# 4K reads and writes with continue_on_error, against nvmeof-target
# --fault-close-after N (every connection closed after N commands; 30000
# by default), and the same run without cuts beside it.  Prints the I/O
# errors fio was given, the IOPS that succeeded, how many connections the
# target cut, and the ratio of successful IOPS with cuts to without.  The
# library holds the commands of a failed connection and sends them again
# after the reconnect (initiator/reconnect.c), so the errors should be 0;
# the IOPS lost are the reconnects' stalls (reconnect-delay each).
#
# Usage: bench/bench-cuts.sh [--builddir=DIR] [--time=S] [--cpus=A,B]
#                            [--close-after=N] [--reconnect-delay=S]
#                            [--quick]
source "$(dirname "$0")/bench-common.sh"

close_after=30000
delay=1
args=()
timed=0
for a in "$@"; do
  case $a in
    --close-after=*) close_after=${a#*=} ;;
    --reconnect-delay=*) delay=${a#*=} ;;
    --time=*) timed=1 args+=("$a") ;;
    *) args+=("$a") ;;
  esac
done
[ "$timed" = 1 ] || args+=(--time=20)
bench_init "${args[@]}"
bench_need fio nbdkit jq
[ -f "$PLUGIN_SO" ] || bench_die "$PLUGIN_SO is not built"

# run NAME TARGET-ARGS..: prints "errors successful-IOPS cuts".
run ()
{
  local name=$1 port out
  shift
  start_target "$BENCH_CPU_B" --ram 256M "$@"
  port=${TARGET_URL#nvme+tcp://127.0.0.1:}
  port=${port%%/*}
  start_nbdkit "$name" "$BENCH_CPU_A" "$PLUGIN_SO" "$TARGET_URL" \
    reconnect-delay="$delay"
  out=$BENCH_TMP/$name.json
  (cd "$BENCH_TMP" &&
   taskset -c "$BENCH_CPU_A" fio --name="$name" --ioengine=nbd \
     --uri="$NBD_URI" --numjobs=2 --iodepth=16 --rw=randrw --bs=4k \
     --size=64m --offset_increment=64m --time_based --runtime="$BENCH_TIME" \
     --continue_on_error=all --group_reporting --output-format=json \
     --output="$out" >/dev/null 2>&1) ||
    bench_die "fio ($name) failed: $(cat "$out" 2>/dev/null | head -5)"
  stop_pid "$NBDKIT_PID"
  stop_pid "$TARGET_PID"
  jq -r --arg t "$BENCH_TIME" '.jobs[0] |
    [.total_err,
     ((.read.total_ios + .write.total_ios - .total_err) / ($t | tonumber)
      | floor)] | @tsv' "$out" | tr '\n' ' '
  grep -c 'fault injection: closing' "$BENCH_TMP/target-$port.log" || true
}

echo "fio -> nbdkit nvmeof -> nvmeof-target, 2 jobs QD16 randrw 4K," \
  "${BENCH_TIME} s, reconnect-delay=$delay"
read -r e0 i0 c0 <<<"$(run whole)"
read -r e1 i1 c1 <<<"$(run cut --fault-close-after "$close_after")"
printf '%-28s %10s %12s %6s\n' "" "I/O errors" "IOPS (ok)" "cuts"
printf '%-28s %10s %12s %6s\n' "no cuts" "$e0" "$i0" "$c0"
printf '%-28s %10s %12s %6s\n' "cut every $close_after commands" "$e1" "$i1" "$c1"
echo "ratio of successful IOPS, cut / not cut: $(ratio "$i1" "$i0")"
echo "(load average: $(cut -d' ' -f1-3 /proc/loadavg))"
