# SPDX-License-Identifier: BSD-3-Clause
# Helpers for the NVMe over raw Ethernet tests, on top of functions.sh.
# Every link is a veth pair between network namespaces that the test
# creates (names unique to the test's process) and that are deleted at
# exit; no other interface or address is touched.  Source after
# functions.sh:
#
#   source "${abs_srcdir:-$(dirname "$0")}/functions.sh"
#   source "$abs_srcdir/functions-eth.sh"
#
#   requires_netns          skip unless root with ip(8), network namespaces
#                           and veth
#   eth_pair [MTU]          two namespaces joined by a veth pair (MTU
#                           default 1500): ETH_NS_A ETH_NS_B (namespaces),
#                           ETH_IF_A ETH_IF_B (interfaces), ETH_MAC_A
#                           ETH_MAC_B (their MACs)
#   eth_impaired_pair [MTU] [-- IMPAIR-ARGS..]
#                           the same, but through a third namespace
#                           ETH_NS_M where tests/eth-impair bridges two
#                           veth pairs with IMPAIR-ARGS (--loss 5 ...):
#                           A.ETH_IF_A <-> (M: eth-impair) <-> B.ETH_IF_B;
#                           ETH_IMPAIR_PID ETH_IMPAIR_LOG
#   in_ns NS CMD..          run CMD in namespace NS
#   start_target_eth NS IFACE [ARGS..]
#                           nvmeof-target -f -v --eth IFACE ARGS.. in NS,
#                           waited for and stopped at exit; sets TARGET_PID
#                           TARGET_LOG TARGET_NQN TARGET_MAC and
#                           TARGET_ETH_URL (nvme+eth://PEER-IFACE/MAC/NQN,
#                           PEER-IFACE being the other end of the pair)

_eth_n=0

requires_netns ()
{
  requires_root
  requires ip -V
  local ns="nvmeof-probe-$$"
  ip netns add "$ns" 2>/dev/null || _skip "cannot create network namespaces"
  if ! ip -n "$ns" link add nvp0 type veth peer name nvp1 2>/dev/null; then
    ip netns del "$ns" 2>/dev/null
    _skip "cannot create veth pairs"
  fi
  ip netns del "$ns"
}

in_ns ()
{
  local ns=$1
  shift
  ip netns exec "$ns" "$@"
}

# A new namespace, named in _eth_ns (not printed: a $(subshell) would
# lose the cleanup hook), deleted at exit.
_eth_new_ns ()
{
  _eth_ns="nvmeof-$$-$_eth_n-$1"
  ip netns add "$_eth_ns" || fail "ip netns add $_eth_ns"
  cleanup_fn ip netns del "$_eth_ns"
  ip -n "$_eth_ns" link set dev lo up
}

_eth_mac ()
{
  ip -n "$1" link show "$2" | awk '/link\/ether/ { print $2 }'
}

# A veth pair with ends $2 in namespace $1 and $4 in $3, up, MTU $5.
_eth_veth ()
{
  ip -n "$1" link add "$2" mtu "$5" type veth peer name "$4" netns "$3" mtu "$5" ||
    fail "cannot create the veth pair $2/$4"
  ip -n "$1" link set dev "$2" up
  ip -n "$3" link set dev "$4" up
}

eth_pair ()
{
  local mtu=${1:-1500}
  _eth_n=$((_eth_n + 1))
  _eth_new_ns a
  ETH_NS_A=$_eth_ns
  _eth_new_ns b
  ETH_NS_B=$_eth_ns
  ETH_IF_A=nva$_eth_n
  ETH_IF_B=nvb$_eth_n
  _eth_veth "$ETH_NS_A" "$ETH_IF_A" "$ETH_NS_B" "$ETH_IF_B" "$mtu"
  ETH_MAC_A=$(_eth_mac "$ETH_NS_A" "$ETH_IF_A")
  ETH_MAC_B=$(_eth_mac "$ETH_NS_B" "$ETH_IF_B")
  export ETH_NS_A ETH_NS_B ETH_IF_A ETH_IF_B ETH_MAC_A ETH_MAC_B
}

eth_impaired_pair ()
{
  local mtu=1500 args=()
  if [ $# -gt 0 ] && [ "$1" != "--" ]; then
    mtu=$1
    shift
  fi
  [ $# -gt 0 ] && [ "$1" = "--" ] && shift
  args=("$@")
  local impair="$abs_builddir/eth-impair"
  [ -x "$impair" ] || _skip "tests/eth-impair is not built"
  _eth_n=$((_eth_n + 1))
  _eth_new_ns a
  ETH_NS_A=$_eth_ns
  _eth_new_ns b
  ETH_NS_B=$_eth_ns
  _eth_new_ns m
  ETH_NS_M=$_eth_ns
  ETH_IF_A=nva$_eth_n
  ETH_IF_B=nvb$_eth_n
  _eth_veth "$ETH_NS_A" "$ETH_IF_A" "$ETH_NS_M" "mida$_eth_n" "$mtu"
  _eth_veth "$ETH_NS_B" "$ETH_IF_B" "$ETH_NS_M" "midb$_eth_n" "$mtu"
  ETH_MAC_A=$(_eth_mac "$ETH_NS_A" "$ETH_IF_A")
  ETH_MAC_B=$(_eth_mac "$ETH_NS_B" "$ETH_IF_B")
  ETH_IMPAIR_LOG="$TMPDIR_TEST/impair$_eth_n.log"
  local pidfile="$TMPDIR_TEST/impair$_eth_n.pid"
  ip netns exec "$ETH_NS_M" "$impair" --pidfile "$pidfile" "${args[@]}" \
    "mida$_eth_n" "midb$_eth_n" </dev/null >"$ETH_IMPAIR_LOG" 2>&1 &
  ETH_IMPAIR_PID=$!
  wait_for_pidfile "$pidfile" 10 "$ETH_IMPAIR_PID" || {
    cat "$ETH_IMPAIR_LOG" >&2
    fail "eth-impair did not start"
  }
  cleanup_fn _stop_child "$ETH_IMPAIR_PID" "$ETH_IMPAIR_LOG" "eth-impair"
  export ETH_NS_A ETH_NS_B ETH_NS_M ETH_IF_A ETH_IF_B ETH_MAC_A ETH_MAC_B
  export ETH_IMPAIR_PID ETH_IMPAIR_LOG
}

start_target_eth ()
{
  requires_target
  local ns=$1 ifname=$2 nqn=$NVMEOF_DEFAULT_NQN a prev= peer
  shift 2
  for a in "$@"; do
    case $prev in -n|--nqn) nqn=$a ;; esac
    case $a in --nqn=*) nqn=${a#--nqn=} ;; esac
    prev=$a
  done
  _target_n=$((_target_n + 1))
  local pidfile="$TMPDIR_TEST/target$_target_n.pid"
  local log="$TMPDIR_TEST/target$_target_n.log" pid
  ip netns exec "$ns" "$NVMEOF_TARGET" -f -v -P "$pidfile" --eth "$ifname" \
    "$@" </dev/null >"$log" 2>&1 &
  pid=$!
  if ! wait_for_pidfile "$pidfile" 30 "$pid" || ! _alive "$pid"; then
    echo "$0: start_target_eth: nvmeof-target did not start; its log:" >&2
    cat "$log" >&2
    fail "start_target_eth: nvmeof-target did not start"
  fi
  TARGET_PID=$pid
  TARGET_LOG=$log
  TARGET_NQN=$nqn
  TARGET_MAC=$(_eth_mac "$ns" "$ifname")
  if [ "$ns" = "${ETH_NS_A:-}" ]; then peer=${ETH_IF_B:-}; else peer=${ETH_IF_A:-}; fi
  TARGET_ETH_URL="nvme+eth://$peer/$TARGET_MAC/$nqn"
  export TARGET_PID TARGET_LOG TARGET_NQN TARGET_MAC TARGET_ETH_URL
  cleanup_fn _stop_child "$pid" "$log" "nvmeof-target"
}
