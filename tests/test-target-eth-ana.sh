#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# nvmeof-target's ANA on an NVMe/Ethernet port (the raw NVMe/Eth host of
# target_eth.py over a veth pair between two network namespaces): the
# association's thread, not a TCP connection's, completes a held
# Asynchronous Event Request when the control socket changes a state
# (woken through its eventfd); the ANA log page and the path status of
# I/O over Ethernet; the control socket refuses to take an Ethernet port's
# listener down.
source "${abs_srcdir:-$(dirname "$0")}/functions.sh"
source "$abs_srcdir/functions-eth.sh"
set -e -u -o pipefail
requires_target
requires_netns
requires test -x /usr/bin/python3
export PYTHONPATH=$abs_srcdir PYTHONDONTWRITEBYTECODE=1
d=$(tmpdir)

eth_pair 1500
start_target_eth "$ETH_NS_A" "$ETH_IF_A" --ram 16M --control "$d/control"

with_timeout 120 ip netns exec "$ETH_NS_B" /usr/bin/python3 - \
  "$ETH_IF_B" "$TARGET_MAC" "$d/control" <<'EOF'
import socket, struct, sys, time
import target_client as tc
from target_eth import *

IFACE, MAC, CTL = sys.argv[1], mac_bytes(sys.argv[2]), sys.argv[3]
N = "nqn.2026-11.io.nvmeof:target"
link = Link(IFACE)

check = tc.check

def control(line):
    s = socket.socket(socket.AF_UNIX)
    s.connect(CTL)
    s.sendall((line + "\n").encode())
    reply = s.makefile().readline().rstrip("\n")
    s.close()
    return reply

a, cntlid = admin(link, MAC, N, kato=30000)
q = io(link, MAC, N, cntlid, qid=1)
cq, _ = q.read(1, 0, 1)
check(cq.status == 0, "a read over Ethernet, group 1 optimized")

# An AER held by the association's thread.
cid = a.next_cid()
a.send(a.seq_frame(CMD, tc.sqe(0x0C, cid)))
check(control("ana 1 1 inaccessible") == "ok", "control: ana 1 1 inaccessible")
rsp = None
end = time.monotonic() + 10
while rsp is None and time.monotonic() < end:
    try:
        f = a.recv(timeout=end - time.monotonic())
    except TimeoutError:
        break
    if f.type == RSP:
        rsp = tc.Cqe(f.spec[:16])
a.send_ack()
check(rsp is not None and rsp.cid == cid and rsp.status == 0
      and rsp.dw0 == 0x2 | 0x03 << 8 | 0x0C << 16,
      "the AER completes with the ANA change notice (%r)" % rsp)

cq, page = a.get_log(0x0C, 4096)
chg, ngrps = struct.unpack("<QH", page[0:10])
gid, nn, _, st = struct.unpack("<IIQB", page[16:33])
nsid, = struct.unpack("<I", page[48:52])
check(cq.status == 0 and chg == 1 and ngrps == 1 and (gid, nn, st, nsid)
      == (1, 1, 3, 1), "the ANA log over Ethernet: group 1 inaccessible, nsid 1")
cq, _ = q.read(1, 0, 1)
check(cq.status == 0x302 and not cq.dnr,
      "a read: Asymmetric Access Inaccessible, without DNR")
check(control("ana 1 1 optimized") == "ok", "control: ana 1 1 optimized")
cq, _ = q.read(1, 0, 1)
check(cq.status == 0, "optimized again: the read succeeds")
check(control("listener 1 down") ==
      "error: listener: port 1 is not a tcp port",
      "an Ethernet port's listener cannot be taken down")
EOF
echo "test-target-eth-ana: ok"
