#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# nvmeof-target over raw Ethernet, checked with a raw NVMe/Eth host written
# in Python from docs/nvme-eth.md (target_eth.py), over a veth pair between
# two network namespaces: PROBE discovery, association setup (repeated
# ASSOC_REQ, every refusal), Connect (and one naming another queue),
# Identify, the discovery log over Ethernet, writes in the capsule (over
# several frames) and with R2T read back, at MTU 1500 and 9000; hostile
# frames (truncated, wrong lengths, bad CRC, another version, foreign
# association ids, spoofed source MAC, another queue, replayed and
# out-of-window sequence numbers, acks of frames never sent, frames for no
# association) dropped and counted in the statistics file while the target
# keeps serving; a protocol violation ends only its association (TERM); a
# TERM for an association gone gets a TERM_ACK; a host that disappears
# loses its association within 4 keep-alive intervals; SIGTERM ends every
# association with TERM (SHUTDOWN); DH-HMAC-CHAP on both queues and NVMe
# keep-alive (KATO) over Ethernet; the JSON "eth" port and its errors; a
# target run by an unprivileged user in its own user and network namespace.
source "${abs_srcdir:-$(dirname "$0")}/functions.sh"
source "$abs_srcdir/functions-eth.sh"
set -e -u -o pipefail
requires_target
requires_netns
requires test -x /usr/bin/python3
export PYTHONPATH=$abs_srcdir PYTHONDONTWRITEBYTECODE=1
d=$(tmpdir)

# The Python side: common helpers, then the scenario given on stdin.
cat >"$d/common.py" <<'EOF'
import json, os, signal, struct, sys, time
import target_client as tc
import target_eth as te
from target_eth import *

IFACE, MAC, TPID, SF = sys.argv[1], mac_bytes(sys.argv[2]), \
    int(sys.argv[3]), sys.argv[4]
N = "nqn.2026-11.io.nvmeof:target"
link = Link(IFACE)


check = tc.check


def stats():
    """The target's statistics, freshly written (SIGUSR1)."""
    return tc.fresh_stats(SF, TPID)
EOF

run_py ()
{
  local ns=$1 ifname=$2
  shift 2
  cat "$d/common.py" - >"$d/scenario.py"
  with_timeout 120 ip netns exec "$ns" /usr/bin/python3 "$d/scenario.py" \
    "$ifname" "$TARGET_MAC" "$TARGET_PID" "$d/stats.json" "$@"
}

# ---- MTU 1500 ------------------------------------------------------------
eth_pair 1500
start_target_eth "$ETH_NS_A" "$ETH_IF_A" --ram 64M --lba-size 4096 \
  --ram 16M --stats-file "$d/stats.json"
grep -q "NVMe/Ethernet on $ETH_IF_A ($TARGET_MAC, MTU 1500" "$TARGET_LOG" ||
  fail "-v does not log the port"

run_py "$ETH_NS_B" "$ETH_IF_B" <<'EOF'
# -- discovery on the link --------------------------------------------------
found = link.probe(settle=0)
check(list(found) == [MAC], "PROBE answered by the target's MAC")
check(found[MAC] == [(2, N, [(1, 512, 64 << 20), (2, 4096, 16 << 20)]),
                     (3, tc.DISC_NQN, [])],
      "PROBE_RESP: the subsystem, its two namespaces, the discovery NQN")
check(link.probe(nonce=7) == {}, "a second PROBE within 100 ms: no answer")
time.sleep(0.15)
check(MAC in link.probe(nonce=8), "answered again after 100 ms")

# -- admin queue --------------------------------------------------------------
a, cntlid = admin(link, MAC, N, kato=30000)
check(a.max_frame == 1500 and a.icd_max == 8192 and a.depth == 32,
      "admin association: max frame 1500, 8 KiB in capsule, depth 32")
c, idd = a.identify(1)
check(c.status == 0 and idd[768:768 + len(N)] == N.encode(),
      "Identify Controller over Ethernet: SUBNQN")
ioccsz = struct.unpack("<I", idd[1792:1796])[0]
check(ioccsz == (64 + 16384) // 16, "IOCCSZ %d: 64 + 16 KiB" % ioccsz)
c, ns = a.identify(0, nsid=2)
check(c.status == 0 and struct.unpack("<Q", ns[0:8])[0] == 4096,
      "Identify Namespace 2: 4096 blocks")

# -- I/O queue: in-capsule writes over several frames, R2T, reads -------------
q = io(link, MAC, N, cntlid, qid=1, depth=64)
check(q.icd_max == 16384 and q.depth == 64, "I/O association: 16 KiB, 64")
for n, inline in ((512, True), (4096, True), (16384, True), (65536, False),
                  (131072, False)):
    buf = os.urandom(n)
    c = q.write(1, 1000, buf, inline=inline)
    check(c.status == 0, "write of %d bytes %s" %
          (n, "in the capsule" if inline else "after R2T"))
    c, back = q.read(1, 1000, n // 512)
    check(c.status == 0 and back == buf, "read back %d bytes" % n)
buf = os.urandom(8192)
check(q.write(2, 3, buf, lba=4096).status == 0, "write to 4 KiB blocks")
check(q.read(2, 3, 2, lba=4096)[1] == buf, "read back")
c, _ = q.read(1, (64 << 20) // 512, 1)
check(c.status == 0x80 and c.dnr, "read beyond the end: LBA Out of Range, DNR")

# -- a Connect must name the association's queue ------------------------------
w = EthConn(link, MAC, qid=2)
w.associate()
c = w.connect(N, qid=3, cntlid=cntlid)
check(c.status == 0x182 and c.dw0 == 42, "Connect for queue 3 on the "
      "association of queue 2: Invalid Parameter (qid)")
check(w.close(), "TERM (0) answered by TERM_ACK")

# -- the discovery log over Ethernet -----------------------------------------
dq, _ = admin(link, MAC, tc.DISC_NQN)
c, log = dq.get_log(0x70, 4096)
gen, ents = tc.disc_entries(log)
check(c.status == 0 and len(ents) == 2, "discovery log: 2 entries")
for e in ents:
    check(e["trtype"] == 0xFD and e["adrfam"] == 0xFD and
          e["traddr"] == mac_str(MAC) and e["trsvcid"] == "0x88b5",
          "entry %s: TRTYPE/ADRFAM 0xFD, the MAC, the EtherType" % e["subnqn"])
check([e["subnqn"] for e in ents] == [tc.DISC_NQN, N], "its NQNs")
dq.close()

# -- repeated ASSOC_REQ --------------------------------------------------------
r = EthConn(link, MAC, qid=3)
r1 = r.associate(confirm=False)
r.rcv_seen.clear()
r2 = r.associate(confirm=True)
check(r1.src == r2.src and r1.seq == r2.seq,
      "a repeated ASSOC_REQ gets the same ASSOC_RESP")
c = r.connect(N, qid=3, cntlid=cntlid)
check(c.status == 0, "and the association works")

# -- refusals --------------------------------------------------------------------
def refused(what, **kw):
    x = EthConn(link, MAC, qid=4)
    try:
        x.associate(**kw)
    except Refused as e:
        return e.status, e.fei
    return None

check(refused("depth", depth=0) == (1, 32), "depth 0: INVALID_FIELD, byte 32")
check(refused("frame", max_frame=1000) == (1, 34), "max frame 1000: byte 34")
check(refused("window", window=0) == (1, 36), "window 0: byte 36")
check(refused("ka", ka=0) == (1, 40), "keep-alive 0: byte 40")
check(refused("options", options=8) == (6, 44),
      "unknown option 8: UNSUPPORTED, 44")
# The options of docs/nvme-eth.md 7.4 are granted as asked (0: none, so
# this client gets the frames of the first version).
for asked in range(8):
    x = EthConn(link, MAC, qid=4)
    f = x.associate(options=asked)
    check(struct.unpack("<I", f.spec[20:24])[0] == asked,
          "options %d asked, %d granted" % (asked, struct.unpack("<I", f.spec[20:24])[0]))
    check(x.close(), "and the association closes")
check(refused("version", version=2) == (7, 0), "version 2: VERSION")
check(refused("hlen", hlen=60) == (1, 3), "HLEN 60: byte 3")
s = stats()["eth"]
check(s["refused"] == 7, "7 refusals counted (%d)" % s["refused"])

# -- a TERM for an association that is gone --------------------------------------
link.send(MAC, frame(TERM, struct.pack("<HHI", 0, 0, 0), qid=1,
                     dst=0x5EADBEEF, src=0x1234567))
f = link.recv(2)
check(f is not None and f.type == TERM_ACK and f.dst == 0x1234567 and
      f.src == 0x5EADBEEF, "TERM for no association: TERM_ACK, ids swapped")

# -- hostile frames at the I/O association ------------------------------------------
before = stats()
wr0 = before["commands"]["write"]
e0 = before["eth"]
# A valid KEEPALIVE (not sent as such), and its corruptions.
ka = frame(KEEPALIVE, flags=F_ACK, qid=1, dst=q.ctrl_id, src=q.host_id,
           seq=q.snd_nxt, ack=q.rcv_nxt, wnd=64)
q.send(ka[:26])                                       # truncated
bad = bytearray(ka); bad[4:6] = struct.pack("<H", 200)
q.send(bytes(bad))                                    # length beyond the frame
q.send(ka + bytes(30))                                # 30 trailing bytes
bad = bytearray(ka); bad[31] ^= 0x40
q.send(bytes(bad))                                    # bad CRC
bad = bytearray(ka); bad[25] ^= 0x01
q.send(bytes(bad))                                    # a flipped bit
q.send(frame(KEEPALIVE, flags=F_ACK, qid=1, dst=q.ctrl_id, src=q.host_id,
             seq=q.snd_nxt, ack=q.rcv_nxt, wnd=64, version=2))  # version
malformed = 6
q.send(frame(KEEPALIVE, flags=F_ACK, qid=1, dst=q.ctrl_id,
             src=q.host_id ^ 0x100, seq=q.snd_nxt, ack=q.rcv_nxt, wnd=64))
q.send(ka, src=b"\x02\x00\x00\x00\x00\x66")           # spoofed source MAC
q.send(frame(KEEPALIVE, flags=F_ACK, qid=7, dst=q.ctrl_id, src=q.host_id,
             seq=q.snd_nxt, ack=q.rcv_nxt, wnd=64))   # another queue
foreign = 3
q.send(frame(KEEPALIVE, flags=F_ACK, qid=1, dst=q.ctrl_id, src=q.host_id,
             seq=(q.snd_nxt + 5000) & 0xFFFFFFFF, ack=q.rcv_nxt, wnd=64))
q.send(frame(ACK, struct.pack("<HBBI", 0, 0, 0, 0), flags=F_ACK, qid=1,
             dst=q.ctrl_id, src=q.host_id,
             ack=(q.rcv_nxt + 1000) & 0xFFFFFFFF, wnd=64))  # acks unsent
q.send(frame(KEEPALIVE, flags=F_ACK, qid=1, dst=q.ctrl_id ^ 0x8000,
             src=q.host_id, seq=q.snd_nxt, ack=q.rcv_nxt, wnd=64))  # nobody
q.send(frame(CMD, bytes(64), flags=F_ACK, qid=1, dst=0, src=q.host_id,
             seq=q.snd_nxt, ack=q.rcv_nxt, wnd=64))   # no association

# Replay: write A, write B, then A's frames again: dropped, B stays.
A, B = os.urandom(4096), os.urandom(4096)
seq_a = q.snd_nxt
check(q.write(1, 500, A).status == 0, "write A")
replay = [q.sent[s] for s in range(seq_a, q.snd_nxt)]
check(q.write(1, 500, B).status == 0, "write B")
for f in replay:
    q.send(f)
time.sleep(0.2)
check(q.read(1, 500, 8)[1] == B, "the replayed write did not run: B reads back")
check(q.read(1, 1000, 256)[0].status == 0, "the association still serves")

after = stats()
e1 = after["eth"]
def delta(k):
    return e1[k] - e0[k]
check(after["commands"]["write"] - wr0 == 2, "2 writes ran, not 3")
check(delta("drop_malformed") >= malformed,
      "malformed frames counted (%d)" % delta("drop_malformed"))
check(delta("drop_foreign") >= foreign,
      "foreign frames counted (%d)" % delta("drop_foreign"))
check(delta("drop_duplicate") >= 3,
      "replayed frames counted (%d)" % delta("drop_duplicate"))
check(delta("drop_window") >= 1, "out-of-window frame counted")
check(delta("drop_bad_ack") >= 1, "ack of frames never sent counted")
check(delta("drop_state") >= 1, "a CMD for no association counted")

# -- frames packed (option PACK, docs/nvme-eth.md 4.1) ----------------------------
pk = EthConn(link, MAC, qid=2)
f = pk.associate(options=4)
check(struct.unpack("<I", f.spec[20:24])[0] == 4, "PACK granted")
check(pk.connect(N, qid=2, cntlid=cntlid, sqsize=31).status == 0,
      "Connect on the packing association")
D = os.urandom(4096)
check(pk.write(1, 2000, D).status == 0, "a write to read back")
e0 = stats()["eth"]

def read_sqe(cid, i):
    return tc.sqe(0x02, cid, nsid=1, cdw10=2000 + i, cdw12=0, sgl_len=512)

def answers(cids):
    """{cid: (status, data)} for the reads cids, as they come."""
    got, out = {c: bytearray() for c in cids}, {}
    while len(out) < len(cids):
        f = pk.recv(timeout=2)
        if f.type == C2H:
            cid = struct.unpack("<H", f.spec[:2])[0]
            got[cid] += f.data
        elif f.type == RSP:
            c = tc.Cqe(f.spec[:16])
            out[c.cid] = (c.status, bytes(got[c.cid]))
    pk.send_ack()
    return out

# Three reads in one Ethernet frame: all answered.
cmds = [pk.seq_frame(CMD, read_sqe(i, i)) for i in range(3)]
pk.send(b"".join(cmds))
r = answers([0, 1, 2])
check(all(r[i] == (0, D[i * 512:(i + 1) * 512]) for i in range(3)),
      "three reads packed in one Ethernet frame: all answered, right data")

def nothing_runs():
    try:
        f = pk.recv(timeout=0.3)
        return f.type not in (C2H, RSP)
    except TimeoutError:
        return True

# A damaged pack is dropped whole: its middle frame's CRC wrong, or bytes
# after its last frame.  Sent again intact, its commands run.
cmds = [pk.seq_frame(CMD, read_sqe(3 + i, 3 + i)) for i in range(3)]
bad = bytearray(cmds[1]); bad[40] ^= 1
pk.send(cmds[0] + bytes(bad) + cmds[2])
check(nothing_runs(), "a pack with a corrupt frame: none of it runs")
pk.send(b"".join(cmds) + bytes(30))
check(nothing_runs(), "a pack with 30 bytes after it: none of it runs")
pk.send(b"".join(cmds))
r = answers([3, 4, 5])
check(all(r[3 + i] == (0, D[(3 + i) * 512:(4 + i) * 512]) for i in range(3)),
      "the dropped pack, sent again, ran")
e1 = stats()["eth"]
check(e1["rx_packed"] - e0["rx_packed"] >= 4,
      "frames after another in a pack counted (%d)" %
      (e1["rx_packed"] - e0["rx_packed"]))
check(e1["drop_malformed"] - e0["drop_malformed"] >= 2,
      "the damaged packs counted as malformed")
check(pk.close(), "the packing association closes")

# -- a protocol violation ends that association only ------------------------------
v = EthConn(link, MAC, qid=5, depth=8)
v.associate()
v.send(v.seq_frame(CMD, tc.sqe(0x02, 9, nsid=1, sgl_len=512)))
try:
    v.recv()
    check(False, "TERM for a CID beyond the depth")
except Term as t:
    check(t.reason == 1 and t.fei == 34 and t.quote[:1] == b"\x01",
          "CID 9 of 8: TERM INVALID_FIELD, byte 34, the frame quoted")
c, back = q.read(1, 500, 8)
check(c.status == 0 and back == B, "the other associations go on")
check(q.close() and a.close(), "graceful closes")
EOF
grep -q "q0: association .* depth 32, max frame 1500" "$TARGET_LOG" ||
  fail "-v does not log the associations"
grep -q "refused: .*VERSION\|refused: frame of version 2" "$TARGET_LOG" ||
  grep -q "refused" "$TARGET_LOG" || fail "-v does not log refusals"
grep -q "protocol error from the peer" "$TARGET_LOG" ||
  fail "-v does not log the protocol violation"

# ---- a host that disappears --------------------------------------------------
run_py "$ETH_NS_B" "$ETH_IF_B" <<'EOF'
a, cntlid = admin(link, MAC, N, kato=0)
q = io(link, MAC, N, cntlid)
check(q.write(1, 0, os.urandom(4096)).status == 0, "I/O before going silent")
live = stats()["eth"]["associations"]
check(live == 2, "2 live associations")
t0 = time.monotonic()
while stats()["eth"]["associations"] > 0 and time.monotonic() - t0 < 8:
    time.sleep(0.2)
dt = time.monotonic() - t0
# Silence ends an association after 4 keep-alive intervals (1 s); the
# keep-alive the target sends after 1 s, never acknowledged, may end it
# a little sooner (12 retransmissions).
check(1.5 < dt < 8, "a silent host's associations end after %.1f s" % dt)
EOF
grep -Eq "no frame from the peer for 4000 ms|not acknowledged after 12" \
  "$TARGET_LOG" || fail "the dead host's association did not end by silence"
stop_target

# ---- MTU 9000, and SIGTERM with live associations ----------------------------
eth_pair 9000
start_target_eth "$ETH_NS_A" "$ETH_IF_A" --ram 64M \
  --stats-file "$d/stats.json"
run_py "$ETH_NS_B" "$ETH_IF_B" <<'EOF'
a, cntlid = admin(link, MAC, N, max_frame=9000)
q = io(link, MAC, N, cntlid, max_frame=9000)
check(q.max_frame == 9000, "max frame 9000")
for n, inline in ((8192, True), (16384, True), (131072, False)):
    buf = os.urandom(n)
    check(q.write(1, 64, buf, inline=inline).status == 0, "9000: write %d" % n)
    check(q.read(1, 64, n // 512)[1] == buf, "9000: read back %d" % n)
x = EthConn(link, MAC, qid=2, max_frame=1500)
x.associate()
check(x.max_frame == 1500, "a host with MTU 1500 gets max frame 1500")
os.kill(TPID, signal.SIGTERM)
try:
    q.recv(5)
    check(False, "TERM at shutdown")
except Term as t:
    check(t.reason == 0x0A, "SIGTERM: TERM with SHUTDOWN")
EOF
stop_target

# ---- DH-HMAC-CHAP and NVMe keep-alive over Ethernet ---------------------------
eth_pair 1500
/usr/bin/python3 - "$d" <<'EOF'
import sys, target_auth as ta
for name, hh in (("host", 2), ("ctrl", 1)):
    open("%s/%s.key" % (sys.argv[1], name), "w").write(ta.new_secret(hh) + "\n")
EOF
chmod 600 "$d/host.key" "$d/ctrl.key"
hostnqn=nqn.2014-08.org.nvmexpress:uuid:11111111-2222-3333-4444-555555555555
start_target_eth "$ETH_NS_A" "$ETH_IF_A" --ram 16M --stats-file "$d/stats.json" \
  --dhchap-key "$hostnqn=+$d/host.key" --dhchap-ctrl-key "$hostnqn=+$d/ctrl.key" \
  --dhchap-hash 'hmac(sha384)' --dhchap-dhgroup ffdhe2048
run_py "$ETH_NS_B" "$ETH_IF_B" "$d/host.key" "$d/ctrl.key" <<'EOF'
import target_auth as ta
h = ta.Host(tc.HOSTNQN, N, open(sys.argv[5]).read().strip(),
            open(sys.argv[6]).read().strip())
a = EthConn(link, MAC, qid=0)
a.associate()
cq = a.connect(N, kato=1500)
check(cq.status == 0 and cq.dw0 & ta.ATR, "Connect over Ethernet sets ATR")
check(a.identify(1)[0].status == ta.SC_AUTH_REQUIRED,
      "Identify before authentication: Authentication Required")
r, det = h.authenticate(a, t_id=0)
check(r == "ok" and det["hashid"] == ta.SHA384 and det["dhgid"] == 1 and
      det["bidi"], "admin queue authenticated (SHA-384, ffdhe2048, "
      "bidirectional)")
a.enable()
check(a.identify(1)[0].status == 0, "Identify afterwards")
cntlid = cq.dw0 & 0xFFFF
q = EthConn(link, MAC, qid=1)
q.associate()
cq = q.connect(N, qid=1, cntlid=cntlid)
check(cq.status == 0 and cq.dw0 & ta.ATR, "I/O Connect sets ATR")
h.inline = False
check(h.authenticate(q, t_id=1)[0] == "ok", "I/O queue authenticated (R2T)")
buf = os.urandom(4096)
check(q.write(1, 8, buf).status == 0 and q.read(1, 8, 8)[1] == buf,
      "I/O after authentication")
# NVMe keep-alive runs above the transport: with only transport
# keep-alives (no Keep Alive command), KATO (1.5 s) ends the controller,
# and its associations get TERM (SHUTDOWN).
t0, term = time.monotonic(), None
while time.monotonic() - t0 < 6 and term is None:
    q.keepalive()
    a.keepalive()
    try:
        q.recv(0.3)
    except TimeoutError:
        pass
    except Term as t:
        term, dt = t, time.monotonic() - t0
check(term is not None and term.reason == 0x0A and 1.0 < dt < 4.5,
      "KATO expired: TERM SHUTDOWN after %.1f s" % (time.monotonic() - t0))
EOF
grep -q "authenticated (hmac(sha384), ffdhe2048, bidirectional)" "$TARGET_LOG" ||
  fail "the authentication over Ethernet is not logged"
grep -q "keep-alive timeout expired" "$TARGET_LOG" || fail "KATO not logged"
stop_target

# ---- the JSON port and the errors -----------------------------------------
eth_pair 1500
cat >"$d/eth.json" <<EOF
{ "ports": [ { "portid": 3,
               "addr": { "trtype": "eth", "adrfam": "mac",
                         "traddr": "$ETH_IF_A", "trsvcid": "0x88b6" },
               "param": { "inline_data_size": "4096" },
               "subsystems": [ "nqn.2026-11.io.example:eth" ] } ],
  "subsystems": [ { "nqn": "nqn.2026-11.io.example:eth",
                    "attr": { "allow_any_host": "1" },
                    "namespaces": [ { "nsid": 1, "enable": 1,
                                      "device": { "path": "ram:8M" } } ] } ] }
EOF
_target_n=$((_target_n + 1))
ip netns exec "$ETH_NS_A" "$NVMEOF_TARGET" -f -v -P "$d/json.pid" \
  -c "$d/eth.json" </dev/null >"$d/json.log" 2>&1 &
TARGET_PID=$!
cleanup_fn _stop_child "$TARGET_PID" "$d/json.log" "nvmeof-target"
wait_for_pidfile "$d/json.pid" 30 "$TARGET_PID" ||
  { cat "$d/json.log" >&2; fail "the JSON eth port did not start"; }
TARGET_MAC=$(ip -n "$ETH_NS_A" link show "$ETH_IF_A" | awk '/ether/ {print $2}')
run_py "$ETH_NS_B" "$ETH_IF_B" <<'EOF'
link = Link(IFACE, ethertype=0x88B6)
check(link.probe() == {MAC: [(2, "nqn.2026-11.io.example:eth",
                              [(1, 512, 8 << 20)]), (3, tc.DISC_NQN, [])]},
      "the JSON port answers on EtherType 0x88b6")
a, cntlid = admin(link, MAC, "nqn.2026-11.io.example:eth")
q = io(link, MAC, "nqn.2026-11.io.example:eth", cntlid)
check(q.icd_max == 4096, "param.inline_data_size: 4 KiB in the capsule")
buf = os.urandom(8192)
check(q.write(1, 0, buf, inline=False).status == 0 and
      q.read(1, 0, 16)[1] == buf, "I/O through the JSON port")
EOF
grep -q "port 3: NVMe/Ethernet on $ETH_IF_A .*EtherType 0x88b6" "$d/json.log" ||
  fail "the JSON port is not logged"

# ---- rootless: an unprivileged user's own user and network namespace ---------
# nobody creates them (unshare --user --map-root-user --net), root moves one
# end of a veth pair in, and nobody's target serves it there.
if command -v setpriv >/dev/null &&
   setpriv --reuid=65534 --regid=65534 --clear-groups \
     unshare --user --map-root-user --net true 2>/dev/null; then
  # Outside $d (mode 700), which nobody cannot enter.
  u=$(mktemp -d "${TMPDIR:-/tmp}/nvmeof-rootless.XXXXXXXX")
  cleanup_fn rm -rf "$u"
  chmod 777 "$u"
  setpriv --reuid=65534 --regid=65534 --clear-groups \
    unshare --user --map-root-user --net sh -c '
      touch "$1/ns-ready"
      while [ ! -e "$1/link-ready" ]; do sleep 0.05; done
      ip link set dev nvu0 up || exit 1
      exec "$2" -f -v -P "$1/target.pid" --eth nvu0 --ram 16M' \
    sh "$u" "$NVMEOF_TARGET" </dev/null >"$u/target.log" 2>&1 &
  upid=$!
  cleanup_fn _stop_child "$upid" "$u/target.log" "rootless nvmeof-target"
  t=0
  while [ ! -e "$u/ns-ready" ] && [ $t -lt 200 ]; do sleep 0.05; t=$((t+1)); done
  _eth_n=$((_eth_n + 1))
  _eth_new_ns u
  ip -n "$_eth_ns" link add nvu0 type veth peer name nvu1
  ip -n "$_eth_ns" link set dev nvu0 netns "$upid"
  ip -n "$_eth_ns" link set dev nvu1 up
  touch "$u/link-ready"
  wait_for_pidfile "$u/target.pid" 30 "$upid" ||
    { cat "$u/target.log" >&2; fail "the rootless target did not start"; }
  grep -q "NVMe/Ethernet on nvu0" "$u/target.log" ||
    fail "the rootless target does not serve nvu0"
  TARGET_PID=$upid
  TARGET_MAC=$(nsenter -t "$upid" -n ip link show nvu0 | awk '/ether/ {print $2}')
  run_py "$_eth_ns" nvu1 <<'EOF'
check(MAC in link.probe(), "the rootless target answers PROBE")
a, cntlid = admin(link, MAC, N)
q = io(link, MAC, N, cntlid)
buf = os.urandom(65536)
check(q.write(1, 0, buf, inline=False).status == 0 and
      q.read(1, 0, 128)[1] == buf, "I/O with a target run by nobody in its "
      "own user and network namespace")
EOF
  TARGET_PID=
else
  echo "skipped: unprivileged user namespaces are not available"
fi

# expect_error PATTERN ARGS..: exit 1 with one line naming what is wrong.
expect_error ()
{
  local pat=$1 rc=0
  shift
  with_timeout 20 ip netns exec "$ETH_NS_A" "$NVMEOF_TARGET" -f "$@" \
    >"$d/out" 2>"$d/err" </dev/null || rc=$?
  [ "$rc" = 1 ] || { cat "$d/err" >&2; fail "'$*' exited with $rc, not 1"; }
  [ "$(wc -l <"$d/err")" = 1 ] ||
    { cat "$d/err" >&2; fail "'$*' printed more than one line"; }
  grep -q -- "$pat" "$d/err" ||
    { cat "$d/err" >&2; fail "'$*': message does not mention '$pat'"; }
  echo "ok: $* -> $(cat "$d/err")"
}
expect_error "nosuch0" --eth nosuch0
ip -n "$ETH_NS_A" link add nvdown type veth peer name nvdown2
expect_error "nvdown is down" --eth nvdown
expect_error "both serve NVMe/Ethernet on $ETH_IF_A" --eth "$ETH_IF_A" \
  --eth "$ETH_IF_A"
expect_error "--tls and --tls-optional apply to TCP" --eth "$ETH_IF_A" --tls
sed 's/"0x88b6"/"0x0800x"/' "$d/eth.json" >"$d/bad.json"
expect_error "EtherType" -c "$d/bad.json"
sed 's/"mac"/"ipv4"/' "$d/eth.json" >"$d/bad.json"
expect_error "adrfam" -c "$d/bad.json"
# Without CAP_NET_RAW: one line that names it and how to get it.
if command -v setpriv >/dev/null; then
  rc=0
  ip netns exec "$ETH_NS_A" setpriv --reuid=65534 --regid=65534 \
    --clear-groups "$NVMEOF_TARGET" -f --eth "$ETH_IF_A" \
    >"$d/out" 2>"$d/err" </dev/null || rc=$?
  [ "$rc" = 1 ] && [ "$(wc -l <"$d/err")" = 1 ] &&
    grep -q "CAP_NET_RAW" "$d/err" && grep -q "setcap" "$d/err" &&
    grep -q "unshare --user --map-root-user --net" "$d/err" ||
    { cat "$d/err" >&2; fail "no CAP_NET_RAW: not one clear line"; }
  echo "ok: without CAP_NET_RAW -> $(cat "$d/err")"
fi
