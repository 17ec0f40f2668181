#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Every bad key, value or URI gives exactly one clear error line that names
# the key, and nbdkit exits non-zero (quickly: nothing hangs).  Then the
# errors found when connecting: nobody listening, an unknown subsystem, a
# namespace that does not exist, a host that is not allowed.
source "${abs_srcdir:-$(dirname "$0")}/functions.sh"
source "$abs_srcdir/functions-plugin.sh"
set -e -u -o pipefail

requires_plugin
log="$TMPDIR_TEST/log"
good=nvme+tcp://127.0.0.1/nqn.2014-08.org.example:disk
n=0

# refused WORDS-THE-ERROR-MUST-CONTAIN -- PLUGIN-ARGS..
refused ()
{
  local words=() rc=0
  while [ "$1" != -- ]; do
    words+=("$1")
    shift
  done
  shift
  n=$((n + 1))
  nbdkit_bounded 60 "$NVMEOF_PLUGIN" "$@" --run true \
    </dev/null >"$log" 2>&1 || rc=$?
  [ "$rc" != 0 ] || fail "nbdkit nvmeof $* was accepted"
  [ "$rc" != 124 ] || fail "nbdkit nvmeof $* timed out"
  echo "$*  ->  $(cat "$log")"
  expect_one_error_line "$log" "${words[@]}" ||
    fail "nbdkit nvmeof $*: not one clear line"
}

refused "unknown parameter 'foo'" -- "$good" foo=bar
refused "unknown parameter 'hostname'" -- "$good" hostname=x
refused url -- # no parameters at all
refused url -- http://127.0.0.1/nqn.2014-08.org.example:disk
refused url -- 'nvme+tcp://[::1/nqn.2014-08.org.example:disk'
refused url -- nvme+tcp://127.0.0.1:99999/nqn.2014-08.org.example:disk
refused url -- nvme+tcp://127.0.0.1:/nqn.2014-08.org.example:disk
refused url -- nvme+tcp://127.0.0.1/nqn.2014-08.org.example:disk/0
refused url -- nvme+tcp://127.0.0.1/nqn.2014-08.org.example:disk/x
refused url -- "url=nvme+tcp://127.0.0.1/bad%20nqn"
refused transport -- transport=rdma traddr=127.0.0.1 nqn=nqn.2014-08.org.example:disk
refused traddr -- traddr='a b' nqn=nqn.2014-08.org.example:disk
refused traddr -- traddr=999.1.1.1 nqn=nqn.2014-08.org.example:disk
refused nqn -- traddr=127.0.0.1
refused traddr -- nqn=nqn.2014-08.org.example:disk
refused trsvcid -- "$good" trsvcid=0
refused trsvcid -- "$good" trsvcid=http
refused trsvcid -- "$good" trsvcid=65536
long_nqn=nqn.2014-08.org.example:$(printf 'x%.0s' $(seq 1 200))
refused nqn "at most 223" -- traddr=127.0.0.1 "nqn=$long_nqn"
refused nqn "space" -- traddr=127.0.0.1 "nqn=nqn.2014-08.org.example:a b"
refused url "at most 223" -- "nvme+tcp://127.0.0.1/$long_nqn"
refused nsid -- "$good" nsid=0
refused nsid -- "$good" nsid=one
refused nsid -- "$good" nsid=-1
refused nsid -- "$good" nsid=4294967295
refused hostnqn -- "$good" hostnqn=myhost
refused hostnqn -- "$good" hostnqn=nqn.2014-08.org.nvmexpress.discovery
refused hostid -- "$good" hostid=1234
refused hostid -- "$good" hostid=00000000-0000-0000-0000-000000000000
refused hdr-digest -- "$good" hdr-digest=maybe
refused data_digest -- "$good" data_digest=2
refused nr-io-queues -- "$good" nr-io-queues=0
refused nr_io_queues -- "$good" nr_io_queues=257
refused queue-size -- "$good" queue-size=8
refused queue-size -- "$good" queue-size=1025
refused keep-alive-tmo -- "$good" keep-alive-tmo=-1
refused timeout -- "$good" timeout=0
refused connect-timeout -- "$good" connect-timeout=10s
refused ctrl-loss-tmo -- "$good" ctrl-loss-tmo=-2
refused reconnect-delay -- "$good" reconnect-delay=0
refused disable-sqflow -- "$good" disable-sqflow=perhaps

# ---- errors found when connecting ----------------------------------
requires_target
start_target --ram 16M --allow-host nqn.2014-08.org.example:allowed-host

# The discovery subsystem has no namespaces.
refused "discovery subsystem" -- \
  "nvme+tcp://127.0.0.1:$TARGET_PORT/nqn.2014-08.org.nvmexpress.discovery"
# Nobody listens on this port.
port=$(free_port)
refused 127.0.0.1 -- "nvme+tcp://127.0.0.1:$port/$TARGET_NQN" connect-timeout=5
# A subsystem the target does not have.
refused nqn.2014-08.org.example:nosuch -- \
  "nvme+tcp://127.0.0.1:$TARGET_PORT/nqn.2014-08.org.example:nosuch" \
  hostnqn=nqn.2014-08.org.example:allowed-host
# A host that is not allowed.
refused -- "$TARGET_URL" hostnqn=nqn.2014-08.org.example:other-host
# A namespace that does not exist, given as nsid= and in the URL.
refused nsid=7 "no such active namespace" -- "$TARGET_URL" nsid=7 \
  hostnqn=nqn.2014-08.org.example:allowed-host
refused nsid=3 "no such active namespace" -- "$TARGET_URL/3" \
  hostnqn=nqn.2014-08.org.example:allowed-host

echo "PASS: $n bad configurations refused with one clear line each"
