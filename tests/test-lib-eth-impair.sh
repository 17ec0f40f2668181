#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# NVMe over raw Ethernet on a bad link: the host and nvmeof-target joined
# through eth-impair (the kernel here has no sch_netem), which loses 1 %,
# 5 % or 10 % of the frames, reorders 25 %, duplicates 5 %, corrupts 1 %
# or delays every frame by 2 ms +- 1 ms, both ways.  Through the plugin,
# 32 MiB of random data go in and come back out (nbdcopy, 4 connections,
# MTU 1500) and fio verifies 4 jobs of random 4k writes with crc32c: zero
# bytes wrong, zero errors reported to the client, and each case done
# within BOUND seconds (60; the lossless link takes about 2).  The
# engine's counters show the link's work (retransmissions, drops).  The
# corruption case runs with data-digest=on: with the data digest off (the
# default, docs/nvme-eth.md 7.4) only frame headers carry a CRC, and a
# flipped data bit that no FCS saw (veth has none) would reach the data.
source "${abs_srcdir:-$(dirname "$0")}/functions.sh"
source "$abs_srcdir/functions-plugin.sh"
source "$abs_srcdir/functions-eth.sh"
source "$abs_srcdir/functions-eth-plugin.sh"
set -e -u -o pipefail

requires_netns
requires_plugin
requires_target
requires_built "$abs_builddir/eth-impair"
requires nbdcopy --version
requires fio --version
fio --enghelp=nbd >/dev/null 2>&1 || _skip "this fio has no nbd engine"
d=$TMPDIR_TEST
BOUND=60
export NVMEOF_ETH_STATS=1
plugin_keys=() # more plugin keys for the next case

random_file "$d/in" 32M

impaired ()
{
  local what=$1 t0 took
  shift
  echo "== $what"
  eth_impaired_pair 1500 -- --ethertype 0x88b5 "$@"
  start_target_eth "$ETH_NS_A" "$ETH_IF_A" --ram 32M
  start_plugin_in "$ETH_NS_B" -- "$TARGET_ETH_URL" nr-io-queues=2 \
    ${plugin_keys[@]+"${plugin_keys[@]}"}
  t0=$SECONDS
  eth_roundtrip "$d/in"
  (
    cd "$d"
    with_timeout "$BOUND" fio --name=impaired --ioengine=nbd \
      --uri="$NBD_URI" --numjobs=4 --size=4m --offset_increment=8m \
      --rw=randwrite --bs=4k --iodepth=16 --verify=crc32c --verify_fatal=1 \
      --do_verify=1 --verify_state_save=0 --group_reporting >"$d/fio" ||
      { cat "$d/fio"; fail "$what: fio"; }
  )
  grep -qE 'err= *0' "$d/fio" || { cat "$d/fio"; fail "$what: fio errors"; }
  took=$((SECONDS - t0))
  echo "   32 MiB in and out in $ROUNDTRIP_SECS s, 16 MiB verified by fio:" \
    "$took s in all (bound $BOUND s)"
  [ "$took" -le "$BOUND" ] || fail "$what: $took s, more than $BOUND s"
  stop_plugin
  ! grep -E 'error' "$NBDKIT_LOG" || fail "$what: the plugin reported errors"
  grep 'queue [12]: frames' "$NBDKIT_LOG" | tail -n 2 | sed 's/^.*queue/   queue/'
  stop_target
  _stop_child "$ETH_IMPAIR_PID" "$ETH_IMPAIR_LOG" "eth-impair"
  tail -n 3 "$ETH_IMPAIR_LOG" | sed 's/^/   /'
}

impaired "loss 1 %" --loss 1
impaired "loss 5 %" --loss 5
impaired "loss 10 %" --loss 10
impaired "reorder 25 %" --reorder 25
impaired "duplicate 5 %" --duplicate 5
plugin_keys=(data-digest=on)
impaired "corrupt 1 %, data-digest=on" --corrupt 1
plugin_keys=()
impaired "delay 2 ms +- 1 ms" --delay 2000 --jitter 1000
echo PASS
