# SPDX-License-Identifier: BSD-3-Clause
# Helpers for the NVMe/Ethernet initiator tests (tests/test-lib-eth*.sh),
# on top of functions.sh, functions-plugin.sh and functions-eth.sh.  Source
# after them:
#
#   start_plugin_in NS [NBDKIT-ARGS..] [-- PLUGIN-ARGS..]
#                        start_plugin with nbdkit in network namespace NS
#                        (its Unix socket, NBD_URI, works from anywhere)
#   eth_roundtrip FILE   nbdcopy FILE into NBD_URI and back out over 4
#                        connections; fail unless the checksums match;
#                        ROUNDTRIP_SECS says how long both took
#   eth_bridge N         a link with N+1 stations: namespace ETH_NS_H
#                        (interface ETH_IF_H) and ETH_NS_T1 .. ETH_NS_TN
#                        (interfaces ETH_IF_T1 ..) joined by a bridge in a
#                        namespace of its own; removed at exit

start_plugin_in ()
{
  local ns=$1 w="$TMPDIR_TEST/bin/nbdkit-in-$1"
  shift
  {
    echo '#!/bin/sh'
    printf 'exec ip netns exec %q %q "$@"\n' "$ns" "$NBDKIT"
  } >"$w"
  chmod +x "$w"
  NBDKIT=$w start_plugin "$@"
}

eth_roundtrip ()
{
  local in=$1 out="$TMPDIR_TEST/roundtrip.out" t0=$SECONDS
  with_timeout 600 nbdcopy -C 4 "$in" "$NBD_URI" ||
    fail "nbdcopy into the namespace"
  with_timeout 600 nbdcopy -C 4 "$NBD_URI" "$out" ||
    fail "nbdcopy out of the namespace"
  ROUNDTRIP_SECS=$((SECONDS - t0))
  cmp -s "$in" "$out" || fail "the data read back differs from what was written"
  rm -f "$out"
}

_eth_br_n=0

eth_bridge ()
{
  local n=$1 i ns br
  _eth_br_n=$((_eth_br_n + 1))
  br="nvmeof-$$-br$_eth_br_n"
  ip netns add "$br" || fail "ip netns add $br"
  cleanup_fn ip netns del "$br"
  ip -n "$br" link add br0 type bridge || fail "cannot create a bridge"
  ip -n "$br" link set br0 up
  for i in $(seq 0 "$n"); do
    ns="nvmeof-$$-br$_eth_br_n-$i"
    ip netns add "$ns" || fail "ip netns add $ns"
    cleanup_fn ip netns del "$ns"
    ip -n "$ns" link set lo up
    ip -n "$ns" link add "nvs$i" type veth peer name "p$i" netns "$br" ||
      fail "cannot create a veth pair"
    ip -n "$br" link set "p$i" master br0
    ip -n "$br" link set "p$i" up
    ip -n "$ns" link set "nvs$i" up
    if [ "$i" = 0 ]; then
      ETH_NS_H=$ns ETH_IF_H=nvs0
    else
      printf -v "ETH_NS_T$i" %s "$ns"
      printf -v "ETH_IF_T$i" %s "nvs$i"
    fi
  done
  export ETH_NS_H ETH_IF_H
}
