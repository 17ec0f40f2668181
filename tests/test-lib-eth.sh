#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# NVMe over raw Ethernet end to end: nvmeof-target --eth in one network
# namespace, the nbdkit plugin in another, a veth pair between them, at
# MTU 1500 and at MTU 9000: nbdcopy of 256 MiB of random data in and back
# out (compared), fio with 4 jobs writing and verifying with crc32c,
# nvmeof list and identify over the link, nvmeof bench --verify with the
# asynchronous API (blocking and asynchronous engines, 2 queues), with
# frames packed (option PACK: fewer Ethernet frames than frames) and
# without (NVMEOF_ETH_PACK=0: as many), a file of nvmeof-fuse written
# and read back (root in the host's namespace, where /dev/fuse allows),
# no malformed frame on a clean link and none
# lost to a full receive ring (NVMEOF_ETH_STATS), and the associations
# closed in order.
source "${abs_srcdir:-$(dirname "$0")}/functions.sh"
source "$abs_srcdir/functions-plugin.sh"
source "$abs_srcdir/functions-eth.sh"
source "$abs_srcdir/functions-eth-plugin.sh"
set -e -u -o pipefail

requires_netns
requires_plugin
requires_target
requires nbdcopy --version
requires fio --version
fio --enghelp=nbd >/dev/null 2>&1 || _skip "this fio has no nbd engine"
d=$TMPDIR_TEST
# Ethernet frames the host's end of the pair has sent.
eth_tx_packets ()
{
  ip netns exec "$ETH_NS_B" cat "/sys/class/net/$ETH_IF_B/statistics/tx_packets"
}

random_file "$d/in" 256M
export NVMEOF_ETH_STATS=1

for mtu in 1500 9000; do
  echo "== MTU $mtu"
  eth_pair "$mtu"
  start_target_eth "$ETH_NS_A" "$ETH_IF_A" --ram 256M

  echo "-- nvmeof list and identify over the link"
  with_timeout 60 ip netns exec "$ETH_NS_B" nvmeof list "$TARGET_ETH_URL" >"$d/list"
  cat "$d/list"
  grep -q '^1 .*256.00 MiB' "$d/list" || fail "nvmeof list: no 256 MiB namespace"
  with_timeout 60 ip netns exec "$ETH_NS_B" nvmeof identify "$TARGET_ETH_URL" \
    -o json >"$d/id"
  grep -q '"subnqn": "'"$TARGET_NQN"'"' "$d/id" || fail "identify: no subnqn"

  echo "-- nvmeof bench --verify, async and sync engines, 2 queues," \
    "frames packed (option PACK) and not (NVMEOF_ETH_PACK=0)"
  for pack in 1 0; do
    for engine in async sync; do
      NVMEOF_ETH_PACK=$pack with_timeout 120 ip netns exec "$ETH_NS_B" \
        nvmeof bench "$TARGET_ETH_URL/1" --rw=randrw --bs=8k --qd=16 \
        --queues=2 --time=2 --verify --size=32M --engine="$engine" \
        >"$d/bench" 2>"$d/bench.err" ||
        { cat "$d/bench" "$d/bench.err"; fail "nvmeof bench ($engine)"; }
      grep -E 'I/Os:|IOPS:' "$d/bench"
      grep -q '(0 errors, 0 verify errors)' "$d/bench" ||
        { cat "$d/bench"; fail "nvmeof bench ($engine): errors"; }
    done
    # Small reads: the host's commands are what it sends.  The engines'
    # frames (NVMEOF_ETH_STATS) against the link's Ethernet frames.
    tx0=$(eth_tx_packets)
    NVMEOF_ETH_PACK=$pack with_timeout 120 ip netns exec "$ETH_NS_B" \
      nvmeof bench "$TARGET_ETH_URL/1" --rw=randread --bs=512 --qd=16 \
      --time=1 >"$d/bench" 2>"$d/bench.err" ||
      { cat "$d/bench" "$d/bench.err"; fail "nvmeof bench (512 B reads)"; }
    sent=$(($(eth_tx_packets) - tx0))
    frames=$(awk '/queue [0-9]+: frames tx/ {
      for (i = 1; i < NF; i++) if ($i == "tx") n += $(i + 1) }
      END { print n + 0 }' "$d/bench.err")
    echo "   PACK $pack, 512 B reads: the host's $frames frames in $sent" \
      "Ethernet frames"
    [ "$frames" -gt 1000 ] || fail "no frame counters from the bench"
    if [ "$pack" = 1 ]; then
      [ "$sent" -lt $((frames / 2)) ] ||
        fail "PACK: $frames frames took $sent Ethernet frames"
    else
      [ "$sent" -ge "$frames" ] ||
        fail "without PACK: $frames frames in $sent Ethernet frames"
    fi
  done

  if [ -c /dev/fuse ] && [ -x "$NVMEOF_FUSE" ]; then
    echo "-- nvmeof-fuse: a file written and read back"
    random_file "$d/fuse-in" 4M
    mkdir -p "$d/mnt"
    # (ip netns exec gives the command its own mount namespace: the whole
    # mount's life is inside it.)
    with_timeout 120 ip netns exec "$ETH_NS_B" bash -c '
      set -e
      "$1" -f "$2" "$3" 2>"$3.log" &
      pid=$!
      for i in $(seq 1 300); do
        grep -q " $3 .* - fuse" /proc/self/mountinfo && break
        kill -0 $pid 2>/dev/null || { cat "$3.log"; exit 2; }
        sleep 0.1
      done
      dd if="$4" of="$3/n1" bs=1M conv=notrunc,fsync status=none
      cmp -n 4194304 "$4" "$3/n1"
      fusermount3 -u "$3" || umount "$3"
      wait $pid
    ' - "$NVMEOF_FUSE" "$TARGET_ETH_URL" "$d/mnt" "$d/fuse-in" ||
      fail "nvmeof-fuse over the link"
    echo "   4 MiB written through the mount and read back"
  else
    echo "-- nvmeof-fuse: skipped here (no /dev/fuse or nvmeof-fuse)"
  fi

  start_plugin_in "$ETH_NS_B" -- "$TARGET_ETH_URL"
  with_timeout 60 nbdinfo "$NBD_URI" | grep -E 'export-size|block_size'

  echo "-- nbdcopy of 256 MiB in and out, 4 connections"
  eth_roundtrip "$d/in"
  echo "   in and out in $ROUNDTRIP_SECS s"

  echo "-- fio: 4 jobs, random 4k and mixed-size writes, crc32c verified"
  (
    cd "$d"
    with_timeout 300 fio --name=eth --ioengine=nbd --uri="$NBD_URI" \
      --numjobs=4 --size=16m --offset_increment=16m --rw=randwrite \
      --bs=4k --iodepth=16 --verify=crc32c --verify_fatal=1 --do_verify=1 \
      --verify_state_save=0 --group_reporting >"$d/fio1" ||
      { cat "$d/fio1"; fail "fio random 4k"; }
    with_timeout 300 fio --name=mixed --ioengine=nbd --uri="$NBD_URI" \
      --numjobs=4 --size=16m --offset_increment=16m --rw=write \
      --bsrange=512-256k --iodepth=8 --verify=crc32c --verify_fatal=1 \
      --do_verify=1 --verify_state_save=0 --group_reporting >"$d/fio2" ||
      { cat "$d/fio2"; fail "fio mixed sizes"; }
  )
  grep -E 'err= *0' "$d/fio1" >/dev/null || { cat "$d/fio1"; fail "fio errors"; }
  grep -E 'err= *0' "$d/fio2" >/dev/null || { cat "$d/fio2"; fail "fio errors"; }
  grep -hE '^ *(WRITE|READ):' "$d/fio1" "$d/fio2"

  stop_plugin
  echo "-- the associations' counters (NVMEOF_ETH_STATS=1)"
  grep 'nvmeof: .* queue [0-9]*: frames' "$NBDKIT_LOG" ||
    fail "no counters in nbdkit's log"
  ! grep 'queue [0-9]*: frames.*malformed [1-9]' "$NBDKIT_LOG" ||
    fail "malformed frames on a clean link"
  # The windows fit the rings: the kernel never found one full.
  ! grep 'queue [0-9]*: frames.*ring full [1-9]' "$NBDKIT_LOG" ||
    fail "frames dropped at a full receive ring"
  stop_target
  grep -q 'association closed' "$TARGET_LOG" ||
    fail "the associations were not closed in order (TERM 0)"
done
echo PASS
