#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# nvmeof-target --connect-timeout over raw Ethernet (the raw NVMe/Eth host
# of target_eth.py over a veth pair between two network namespaces): an
# association that the host confirms and keeps alive (keep-alives,
# acknowledgements) but never carries a Connect, and one that sends
# Property Gets instead, each end with a TERM (TIMEOUT) no sooner than
# the bound of 2 s and within 8 s of slack, with one log line; one the
# host never confirms ends by the engine's setup time; meanwhile a host
# whose queues did connect keeps doing checksummed I/O.
source "${abs_srcdir:-$(dirname "$0")}/functions.sh"
source "$abs_srcdir/functions-eth.sh"
set -e -u -o pipefail
requires_target
requires_netns
requires test -x /usr/bin/python3
export PYTHONPATH=$abs_srcdir PYTHONDONTWRITEBYTECODE=1
d=$(tmpdir)

eth_pair 1500
start_target_eth "$ETH_NS_A" "$ETH_IF_A" --ram 16M --connect-timeout 2 \
  --stats-file "$d/stats.json"

with_timeout 120 ip netns exec "$ETH_NS_B" /usr/bin/python3 - \
  "$ETH_IF_B" "$TARGET_MAC" "$TARGET_PID" "$d/stats.json" <<'EOF'
import hashlib, json, os, random, signal, sys, threading, time
import target_client as tc
from target_eth import *

IFACE, MAC, TPID, SF = sys.argv[1], mac_bytes(sys.argv[2]), \
    int(sys.argv[3]), sys.argv[4]
N = "nqn.2026-11.io.nvmeof:target"
BOUND, SLACK, TIMEOUT = 2.0, 8.0, 9        # TERM reason TIMEOUT

check = tc.check

def live_associations():
    return tc.fresh_stats(SF, TPID)["eth"]["associations"]

# ---- a host whose queues connected: checksummed I/O throughout -----------
class Good(threading.Thread):
    def __init__(self):
        super().__init__(daemon=True)
        self.link = Link(IFACE)        # its own socket: frames of its own
        self.a, cntlid = admin(self.link, MAC, N, kato=0)
        self.q = io(self.link, MAC, N, cntlid)
        self.stop = threading.Event()
        self.model, self.ops, self.bad, self.error = {}, 0, 0, None

    def run(self):
        rnd = random.Random(5)
        try:
            while not self.stop.is_set():
                lba = rnd.randrange(64)
                if rnd.random() < 0.5:
                    data = rnd.randbytes(512)
                    if self.q.write(1, lba, data).status:
                        raise Exception("write failed")
                    self.model[lba] = data
                else:
                    cq, got = self.q.read(1, lba, 1)
                    if cq.status:
                        raise Exception("read failed")
                    if got != self.model.get(lba, bytes(512)):
                        self.bad += 1
                # The admin queue is kept alive too.
                if self.ops % 20 == 0:
                    cq, _ = self.a.command(tc.sqe(0x18, self.a.next_cid()))
                    if cq.status:
                        raise Exception("Keep Alive failed")
                self.ops += 1
                time.sleep(0.01)
        except Exception as e:
            self.error = "%s: %s" % (type(e).__name__, e)

good = Good()
good.start()

def hold(busy):
    """An association confirmed and kept alive, no Connect: seconds
    until the target's TERM, and its reason."""
    q = EthConn(Link(IFACE), MAC, qid=0)
    q.associate()
    t0 = time.monotonic()
    try:
        while time.monotonic() - t0 < BOUND + SLACK:
            if busy:
                cq, _ = q.prop_get(0x14)        # CC: not before Connect
                if cq.status == 0:
                    return None, "Property Get answered before Connect"
            else:
                q.keepalive()
            try:
                q.recv(0.3)
            except TimeoutError:
                pass
    except Term as t:
        return time.monotonic() - t0, t.reason
    return None, "no TERM"

for busy, what in ((False, "kept alive"), (True, "sending Property Gets")):
    dt, reason = hold(busy)
    check(dt is not None and BOUND - 0.2 <= dt <= BOUND + SLACK and
          reason == TIMEOUT,
          "an association %s without a Connect: TERM (reason %s) %s s "
          "after it was confirmed" %
          (what, reason, "%.1f" % dt if dt is not None else "never"))

# Never confirmed: the engine's setup time (5 s) ends it.
u = EthConn(Link(IFACE), MAC, qid=0)
u.associate(confirm=False)
t0 = time.monotonic()
while live_associations() > 2 and time.monotonic() - t0 < 5 + SLACK:
    time.sleep(0.3)
n = live_associations()
check(n == 2, "an association never confirmed is gone after %.1f s (%d "
      "live: the good host's two)" % (time.monotonic() - t0, n))

good.stop.set()
good.join(30)
check(good.error is None and good.bad == 0 and good.ops > 50,
      "the connected host's I/O went on: %d operations, every read "
      "matched (error %s)" % (good.ops, good.error))
got = b"".join(good.q.read(1, lba, 1)[1] for lba in range(64))
want = b"".join(good.model.get(lba, bytes(512)) for lba in range(64))
check(hashlib.sha256(got).digest() == hashlib.sha256(want).digest(),
      "its area reads back as written (checksums equal)")
EOF

n=$(grep -c 'no Connect within 2 s of the association: ended' "$TARGET_LOG") || :
[ "$n" = 2 ] || fail "$n 'no Connect within 2 s' lines in the log, not 2"
grep -q 'never confirmed the association' "$TARGET_LOG" ||
  fail "the unconfirmed association did not end by the setup time"
echo "ok: one log line per association ended"
