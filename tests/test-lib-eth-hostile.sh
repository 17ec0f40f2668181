#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Hostile frames at the host while I/O runs over NVMe/Ethernet: eth-inject,
# on the controller's end of the link, sends the host truncated frames,
# frames with wrong lengths, frames of other associations, real frames from
# a spoofed source MAC, replays of old frames, frames with a flipped bit and
# garbage, 1000 a second.  The data must come back intact, no request may
# fail, nothing may crash or hang, and the host's counters
# (NVMEOF_ETH_STATS) must show the frames dropped: malformed, foreign and
# duplicate.
source "${abs_srcdir:-$(dirname "$0")}/functions.sh"
source "$abs_srcdir/functions-plugin.sh"
source "$abs_srcdir/functions-eth.sh"
source "$abs_srcdir/functions-eth-plugin.sh"
set -e -u -o pipefail

requires_netns
requires_plugin
requires_target
requires_built "$abs_builddir/eth-inject"
requires nbdcopy --version
d=$TMPDIR_TEST
export NVMEOF_ETH_STATS=1

eth_pair 1500
start_target_eth "$ETH_NS_A" "$ETH_IF_A" --ram 64M
start_plugin_in "$ETH_NS_B" -- "$TARGET_ETH_URL" nr-io-queues=2
random_file "$d/in" 64M

kill_quietly ()
{
  kill "$@" 2>/dev/null || true
}

# The injector learns the host's MAC from the controller's frames.
with_timeout 60 nbdinfo "$NBD_URI" >/dev/null
ip netns exec "$ETH_NS_A" "$abs_builddir/eth-inject" --rate 1000 \
  --pidfile "$d/inject.pid" "$ETH_IF_A" >"$d/inject.log" 2>&1 &
inject=$!
cleanup_fn kill_quietly "$inject"
wait_for_pidfile "$d/inject.pid" 10 "$inject" || fail "eth-inject did not start"

t0=$SECONDS
for round in 1 2 3; do
  echo "== round $round: 64 MiB in and out under injection"
  eth_roundtrip "$d/in"
  echo "   $ROUNDTRIP_SECS s"
done
elapsed=$((SECONDS - t0))
[ "$elapsed" -le 300 ] || fail "three rounds took $elapsed s (bound: 300 s)"

kill -TERM "$inject"
wait "$inject" || fail "eth-inject failed: $(cat "$d/inject.log")"
echo "== sent by eth-inject"
cat "$d/inject.log"
for kind in truncated length assoc spoofed replayed crc garbage; do
  n=$(awk -v k="$kind" '$1 == k { print $2 }' "$d/inject.log")
  [ "${n:-0}" -gt 0 ] || fail "eth-inject sent no '$kind' frame"
done

stop_plugin
echo "== the host's counters"
grep 'queue [0-9]*: frames' "$NBDKIT_LOG" | sed 's/^.*queue/queue/'
sum_counter ()
{
  grep 'queue [0-9]*: frames' "$NBDKIT_LOG" |
    sed -nE "s/.*[ ,]$1 ([0-9]+).*/\\1/p" | awk '{ s += $1 } END { print s + 0 }'
}
malformed=$(sum_counter malformed)
foreign=$(sum_counter foreign)
duplicate=$(sum_counter duplicate)
echo "dropped: malformed $malformed, foreign $foreign, duplicate $duplicate"
[ "$malformed" -gt 0 ] || fail "no malformed frame was counted"
[ "$foreign" -gt 0 ] || fail "no foreign frame was counted"
[ "$duplicate" -gt 0 ] || fail "no duplicate frame was counted"
! grep -E 'error|lost' "$NBDKIT_LOG" || fail "the plugin reported an error"
echo PASS
