#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# nvmeof-target's ANA and its control socket, with a raw NVMe/TCP client:
# one subsystem on two ports (IPv4 and IPv6 [::1]) from an nvmetcli-style
# configuration with ANA groups; Identify's ANA fields; the ANA log page
# (contents, lengths, offsets, RGO) as each port sees it; state changes
# made through --control seen by a second controller and announced by
# Asynchronous Event Requests (to the port's controllers only, masked
# until the log is read without RAE, off when the host clears the
# feature); the path statuses of I/O in each state (no DNR); a listener
# taken down and brought back; per-port command counters; malformed
# control lines refused; bad ANA keys in the configuration refused by name;
# our initiator's discovery and verified I/O over the IPv6 port.
source "${abs_srcdir:-$(dirname "$0")}/functions.sh"
set -e -u -o pipefail
requires_target
requires_built "$NVMEOF_CLI"
requires jq --version
requires test -x /usr/bin/python3
requires /usr/bin/python3 -c 'import socket; s = socket.socket(socket.AF_INET6); s.bind(("::1", 0))'
export PYTHONPATH=$abs_srcdir PYTHONDONTWRITEBYTECODE=1

nqn=nqn.2026-11.io.nvmeof:ana
p1=$(free_port)
p2=$(free_port)
while [ "$p2" = "$p1" ]; do p2=$(free_port); done
ctl=$TMPDIR_TEST/control

write_config ()
{
  # $1: port 2's "ana_groups" (JSON), $2: namespace 2's ANA group.
  cat >"$TMPDIR_TEST/ana.json" <<EOF
{
  "hosts": [],
  "ports": [
    { "portid": 1, "addr": { "adrfam": "ipv4", "traddr": "127.0.0.1",
      "trsvcid": "$p1", "trtype": "tcp", "treq": "not specified" },
      "ana_groups": [ { "ana": { "state": "optimized" }, "grpid": 1 },
                      { "ana": { "state": "optimized" }, "grpid": 2 } ],
      "param": {}, "referrals": [], "subsystems": [ "$nqn" ] },
    { "portid": 2, "addr": { "adrfam": "ipv6", "traddr": "::1",
      "trsvcid": "$p2", "trtype": "tcp", "treq": "not specified" },
      "ana_groups": $1,
      "param": {}, "referrals": [], "subsystems": [ "$nqn" ] }
  ],
  "subsystems": [
    { "nqn": "$nqn", "attr": { "allow_any_host": "1" },
      "allowed_hosts": [],
      "namespaces": [
        { "nsid": 1, "enable": 1, "ana_grpid": 1,
          "device": { "path": "ram:1M" } },
        { "nsid": 2, "enable": 1, "ana_grpid": $2,
          "device": { "path": "ram:1M" } },
        { "nsid": 3, "enable": 1,
          "device": { "path": "ram:1M" } },
        { "nsid": 4, "enable": 1, "ana_grpid": 3,
          "device": { "path": "ram:1M" } }
      ] }
  ]
}
EOF
}

# ---- bad ANA keys are refused, naming the key ------------------------
refused ()
{
  local want=$1 log=$TMPDIR_TEST/refused.log
  if "$NVMEOF_TARGET" -f -c "$TMPDIR_TEST/ana.json" >"$log" 2>&1; then
    fail "the target started with $2"
  fi
  grep -qF -- "$want" "$log" || {
    cat "$log" >&2
    fail "$2: the error does not say '$want'"
  }
  echo "ok: $2 refused: $(head -1 "$log")"
}
write_config '[ { "grpid": 2, "ana": { "state": "non-optimized" } } ]' 0
refused "'ana_grpid'" "ana_grpid 0"
write_config '[ { "grpid": 2, "ana": { "state": "non-optimized" } } ]' 129
refused "'ana_grpid'" "ana_grpid 129"
write_config '[ { "grpid": 2, "ana": { "state": "sleepy" } } ]' 2
refused "'ana.state' must be optimized, non-optimized, inaccessible, persistent-loss or change, got 'sleepy'" "an unknown ANA state"
write_config '[ { "ana": { "state": "optimized" } } ]' 2
refused "ana_groups[0]: 'grpid' is missing" "an ANA group without grpid"
write_config '[ { "grpid": 200, "ana": { "state": "optimized" } } ]' 2
refused "'grpid'" "grpid 200"
write_config '{ "grpid": 2 }' 2
refused "'ana_groups'" "ana_groups not a list"

# ---- the target: port 1 IPv4, port 2 IPv6 ------------------------------
write_config '[ { "grpid": 2, "ana": { "state": "non-optimized" } } ]' 2
if "$NVMEOF_TARGET" -f -l 127.0.0.1:1 -l 127.0.0.1:2 -c "$TMPDIR_TEST/ana.json" \
     >"$TMPDIR_TEST/refused.log" 2>&1; then
  fail "-l twice with -c was accepted"
fi
grep -q -- "--listen: with --config, give it once" "$TMPDIR_TEST/refused.log"
start_target -c "$TMPDIR_TEST/ana.json" -l "127.0.0.1:$p1" --control "$ctl"
test -S "$ctl" || fail "no control socket at $ctl"
test "$(stat -c %a "$ctl")" = 600 || fail "the control socket is not 0600"

with_timeout 120 /usr/bin/python3 - "$p1" "$p2" "$nqn" "$ctl" <<'EOF'
import json, select, socket, struct, sys, time
from target_client import *

p1, p2, N, CTL = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
OPT, NONOPT, INACC, PLOSS, CHANGE = 1, 2, 3, 4, 15
AEN_ANA = 0x2 | 0x03 << 8 | 0x0C << 16

ctl = socket.socket(socket.AF_UNIX)
ctl.connect(CTL)
ctlf = ctl.makefile("rw")
def control(line):
    ctlf.write(line + "\n")
    ctlf.flush()
    return ctlf.readline().rstrip("\n")

def ana_log(c, length=4096, offset=0, rgo=False, rae=False):
    numd = length // 4 - 1
    sq = sqe(0x02, c.next_cid(), nsid=0xFFFFFFFF,
             cdw10=0x0C | (0x100 if rgo else 0) | (0x8000 if rae else 0)
                   | ((numd & 0xFFFF) << 16),
             cdw11=numd >> 16, cdw12=offset, sgl_len=length)
    return c.command(sq)

def parse(page):
    chg, ngrps = struct.unpack("<QH", page[0:10])
    groups, off = {}, 16
    for _ in range(ngrps):
        gid, nn, gchg, st = struct.unpack("<IIQB", page[off:off + 17])
        off += 32
        nsids = list(struct.unpack("<%dI" % nn, page[off:off + 4 * nn]))
        off += 4 * nn
        groups[gid] = (st & 0xF, nsids, gchg)
    return chg, groups, off

def send_aer(c):
    cid = c.next_cid()
    c.send(c.pdu(CMD, sqe(0x0C, cid)))
    return cid

def aer_done(c, cid, timeout):
    """The AER's completion if one comes within timeout s, else None."""
    r, _, _ = select.select([c.s], [], [], timeout)
    if not r:
        return None
    ptype, _, hdr, _ = c.recv_pdu()
    if ptype != RSP:
        sys.exit("FAIL: unexpected PDU %d instead of an AER completion" % ptype)
    cq = Cqe(hdr[8:24])
    if cq.cid != cid:
        sys.exit("FAIL: completion of cid %d, not the AER's %d" % (cq.cid, cid))
    return cq

# Three controllers: A and B on port 1 (IPv4), C on port 2 (IPv6).
a, ca = admin_session(p1, N)
b, cb = admin_session(p1, N)
c, cc = admin_session(p2, N, host="::1")
check(len({ca, cb, cc}) == 3, "three controllers, CNTLIDs %d %d %d" % (ca, cb, cc))
qa = io_session(p1, N, ca)
qc = io_session(p2, N, cc, host="::1")

# Identify.
cq, idc = a.identify(1)
cmic, = struct.unpack_from("<B", idc, 76)
oaes, = struct.unpack_from("<I", idc, 92)
anatt, anacap, anagrpmax, nanagrpid = struct.unpack_from("<BBII", idc, 342)
check(cmic & 0x8 and cmic & 0x2, "CMIC reports ANA and several controllers (%#x)" % cmic)
check(oaes & (1 << 11), "OAES has the ANA change notice")
check(anacap == 0x1F, "ANACAP reports the five states (%#x)" % anacap)
check(anatt == 10 and anagrpmax == 128 and nanagrpid == 128,
      "ANATT 10, ANAGRPMAX and NANAGRPID 128")
for nsid, grp in ((1, 1), (2, 2), (3, 1), (4, 3)):
    cq, idn = a.identify(0, nsid=nsid)
    check(struct.unpack_from("<I", idn, 92)[0] == grp,
          "namespace %d is in ANA group %d" % (nsid, grp))

# The log page, as each port sees it: 16 + 3 * 32 + 4 * 4 = 128 bytes.
# Group 3 is in no port's ana_groups: inaccessible, as nvmet starts it.
cq, page = ana_log(a)
chg, groups, end = parse(page)
check(cq.status == 0 and end == 128 and page[128:] == bytes(4096 - 128),
      "the ANA log is 128 bytes, zeroes after")
check(groups == {1: (OPT, [1, 3], 0), 2: (OPT, [2], 0), 3: (INACC, [4], 0)}
      and chg == 0,
      "port 1: groups 1 (1, 3) and 2 (2) optimized, 3 (4) inaccessible, "
      "change count 0")
cq, page = ana_log(c)
g = parse(page)[1]
check(g[2][0] == NONOPT and g[1][0] == OPT and g[3][0] == INACC,
      "port 2: group 2 non-optimized (its ana_groups), 1 optimized, "
      "3 inaccessible")
cq, page = ana_log(a, rgo=True)
chg, groups, end = parse(page)
check(end == 112 and groups == {1: (OPT, [], 0), 2: (OPT, [], 0),
                                3: (INACC, [], 0)},
      "RGO: 112 bytes, the groups without NSIDs")
cq, full = ana_log(a, length=128)
cq, part = ana_log(a, length=80, offset=48)
check(cq.status == 0 and part == full[48:128], "an offset reads the rest")
cq, _ = ana_log(a, length=4, offset=132)
check(cq.status == 0x2 and cq.dnr, "an offset past the end: Invalid Field")
cq, _ = qa.read(4, 0, 1)
check(cq.status == 0x302 and not cq.dnr,
      "namespace 4 (group 3, inaccessible) reads fail with 0x302")
sq = sqe(0x02, a.next_cid(), nsid=0xFFFFFFFF, cdw10=0x0C | 0x200 | (3 << 16),
         sgl_len=16)
cq, _ = a.command(sq)
check(cq.status == 0x2, "an LSP bit other than RGO: Invalid Field")

# AERs outstanding on A, B and C; a change on port 1 completes A's and
# B's, not C's.
aa, ab, ac = send_aer(a), send_aer(b), send_aer(c)
check(aer_done(a, aa, 0.3) is None, "the AER is held while nothing changes")
check(control("ana 1 2 inaccessible") == "ok", "control: ana 1 2 inaccessible")
for conn, cid, name in ((a, aa, "A"), (b, ab, "B")):
    cq = aer_done(conn, cid, 10)
    check(cq is not None and cq.status == 0 and cq.dw0 == AEN_ANA,
          "%s's AER completes with the ANA change notice (%#x)"
          % (name, cq.dw0 if cq else 0))
check(aer_done(c, ac, 0.5) is None, "port 2's controller gets no notice")
cq, page = ana_log(b, rae=True)
chg, groups, _ = parse(page)
check(chg == 1 and groups[2][0] == INACC and groups[2][2] == 1
      and groups[1][0] == OPT,
      "B (a second controller) sees group 2 inaccessible, change count 1")

# The statuses of I/O per state; namespace 1 (group 1) unaffected.
data = bytes(range(256)) * 2
for st, name, code in ((INACC, "inaccessible", 0x302),
                       (PLOSS, "persistent-loss", 0x301),
                       (CHANGE, "change", 0x303)):
    check(control("ana 1 2 " + name) == "ok", "control: ana 1 2 " + name)
    cq, _ = qa.read(2, 0, 1)
    check(cq.status == code and not cq.dnr,
          "read in %s: status %#x without DNR" % (name, cq.status))
    cq = qa.write(2, 0, data)
    check(cq.status == code and not cq.dnr, "write in %s: %#x" % (name, code))
    cq, _ = qa.command(sqe(0x00, qa.next_cid(), nsid=2))
    check(cq.status == code, "flush in %s: %#x" % (name, code))
    cq = qa.write(1, 0, data)
    check(cq.status == 0, "namespace 1 (group 1) still takes writes")
    cq, _ = qc.read(2, 0, 1)
    check(cq.status == 0, "port 2 still reads namespace 2")

# A has not read the log without RAE: its next notice is masked.
aa = send_aer(a)
check(control("ana 1 2 non-optimized") == "ok", "control: ana 1 2 non-optimized")
check(aer_done(a, aa, 0.5) is None, "masked until the log is read without RAE")
cq, page = ana_log(a, rae=True)
check(control("ana 1 2 optimized") == "ok", "control: ana 1 2 optimized")
check(aer_done(a, aa, 0.5) is None, "a read with RAE keeps it masked")
cq, page = ana_log(a)
check(parse(page)[1][2][0] == OPT, "group 2 optimized again on port 1")
check(control("ana 1 2 non-optimized") == "ok", "control: ana 1 2 non-optimized")
cq = aer_done(a, aa, 10)
check(cq is not None and cq.dw0 == AEN_ANA, "after a read without RAE, the notice comes")
cq = qa.write(2, 0, data)
check(cq.status == 0, "non-optimized takes I/O")

# A host that turns the notice off (feature 0Bh) gets none.
cq = b.features(0x0B)
check(cq.dw0 & (1 << 11), "Get Features 0Bh: the ANA change notice is on")
cq, _ = ana_log(b)       # unmask B
check(b.features(0x0B, set_value=0).status == 0, "Set Features 0Bh = 0")
check(b.features(0x0B).dw0 == 0, "Get Features 0Bh reads 0")
ab = send_aer(b)
check(control("ana 1 2 optimized") == "ok", "control: ana 1 2 optimized")
check(aer_done(b, ab, 0.5) is None, "no notice when the host turned it off")

# C's AER was held all along: a change on its own port completes it.
check(control("ana 2 2 inaccessible") == "ok", "control: ana 2 2 inaccessible")
cq = aer_done(c, ac, 10)
check(cq is not None and cq.dw0 == AEN_ANA, "port 2's controller gets its notice")
cq, _ = qc.read(2, 0, 1)
check(cq.status == 0x302, "port 2: namespace 2 inaccessible")
check(control("ana 2 2 optimized") == "ok", "control: ana 2 2 optimized")

# Per-port counters: I/O commands sent so far, exactly.
st = json.loads(control("stats"))
ports = {p["portid"]: p for p in st["ports"]}
check(ports[1]["commands"]["io"] == 14 and ports[2]["commands"]["io"] == 4,
      "per-port I/O counters: port 1 %d (14), port 2 %d (4)"
      % (ports[1]["commands"]["io"], ports[2]["commands"]["io"]))
check(ports[2]["traddr"] == "::1" and ports[2]["listening"]
      and ports[2]["ana"] == {"1": "optimized", "2": "optimized",
                              "3": "inaccessible"},
      "stats: port 2's address, listener and ANA states")

# Listener down: its connections close, new ones are refused; up again.
check(control("listener 2 down") == "ok", "control: listener 2 down")
check(c.closed_by_peer(10)[0] and qc.closed_by_peer(10)[0],
      "port 2's connections were closed")
try:
    socket.create_connection(("::1", p2), timeout=5).close()
    sys.exit("FAIL: port 2 still accepts connections")
except ConnectionRefusedError:
    print("ok: port 2 refuses connections while down")
cq, _ = qa.read(1, 0, 1)
check(cq.status == 0, "port 1 keeps working")
check(json.loads(control("stats"))["ports"][1]["listening"] is False,
      "stats: port 2 not listening")
check(control("listener 2 down") == "ok", "listener down twice: ok")
check(control("listener 2 up") == "ok", "control: listener 2 up")
c2, cc2 = admin_session(p2, N, host="::1")
q2 = io_session(p2, N, cc2, host="::1")
cq = q2.write(3, 8, data)
cq2, got = qa.read(3, 8, 1)
check(cq.status == 0 and got == data[:512],
      "port 2 up again: a write through it reads back through port 1")

# Malformed control lines: one clear line each, the connection stays.
for line, want in (
        ("frob", "error: unknown command 'frob' (expected ana, listener or stats)"),
        ("", "error: empty line (expected ana, listener or stats)"),
        ("ana 1 2", "error: ana: expected 'ana PORTID GRPID STATE'"),
        ("ana 9 1 optimized", "error: ana: no port with id '9'"),
        ("ana x 1 optimized", "error: ana: no port with id 'x'"),
        ("ana 1 0 optimized", "error: ana: the group must be 1 to 128, got '0'"),
        ("ana 1 129 optimized", "error: ana: the group must be 1 to 128, got '129'"),
        ("ana 1 1 fast", "error: ana: the state must be optimized, non-optimized, "
                         "inaccessible, persistent-loss or change, got 'fast'"),
        ("listener 1 sideways", "error: listener: expected 'listener PORTID down|up'"),
        ("listener 7 down", "error: listener: no port with id '7'"),
        ("stats now", "error: stats: takes no arguments")):
    got = control(line)
    check(got == want, "control %r -> %r" % (line, got))
ctlf.write("x" * 300 + "\n")
ctlf.flush()
got = ctlf.readline().rstrip("\n")
check(got == "error: a line longer than 255 bytes", "a long line -> %r" % got)
try:
    rest = ctlf.readline()
except ConnectionResetError:   # the rest of the line was not read
    rest = ""
check(rest == "", "and the client is dropped")
EOF

grep -q "port 2: listener down" "$TARGET_LOG"

# Our initiator end to end over the IPv6 port: discovery reports it as
# IPv6, and verified I/O goes through it.
with_timeout 60 "$NVMEOF_CLI" discover "nvme+tcp://[::1]:$p2" -o json \
  >"$TMPDIR_TEST/disc6.json" || fail "nvmeof discover over IPv6 failed"
jq -e --arg n "$nqn" --arg s "$p2" '[.records[] | select(.subnqn == $n)] |
  length == 1 and .[0].adrfam == "ipv6" and .[0].traddr == "::1" and
  .[0].trsvcid == $s' "$TMPDIR_TEST/disc6.json" >/dev/null ||
  fail "discovery over IPv6: $(cat "$TMPDIR_TEST/disc6.json")"
with_timeout 60 "$NVMEOF_CLI" bench "nvme+tcp://[::1]:$p2/$nqn/3" --rw=randrw \
  --bs=4k --qd=4 --time=1 --size=1M --verify -o json \
  >"$TMPDIR_TEST/bench6.json" || fail "nvmeof bench over IPv6 failed"
jq -e '.errors == 0 and .verify_errors == 0 and .ios > 0' \
  "$TMPDIR_TEST/bench6.json" >/dev/null ||
  fail "bench over IPv6: $(cat "$TMPDIR_TEST/bench6.json")"
echo "ok: nvmeof discover and bench --verify over [::1]:$p2"
stop_target
[ ! -e "$ctl" ] || fail "the control socket was left behind at exit"
echo "ok: the control socket is removed at exit"

# --control refusals: a path too long for a unix socket; a file that is
# not a socket is left alone.
long=$TMPDIR_TEST/$(printf 'c%.0s' $(seq 120))
if "$NVMEOF_TARGET" -f -l "127.0.0.1:$p1" --control "$long" \
     >"$TMPDIR_TEST/refused.log" 2>&1; then
  fail "--control with a 120-byte name was accepted"
fi
grep -q -- "--control: .*: a unix socket path must be shorter than 108 bytes" \
  "$TMPDIR_TEST/refused.log" || fail "--control too long: $(cat "$TMPDIR_TEST/refused.log")"
echo "keep" >"$TMPDIR_TEST/plain"
if "$NVMEOF_TARGET" -f -l "127.0.0.1:$p1" --control "$TMPDIR_TEST/plain" \
     >"$TMPDIR_TEST/refused.log" 2>&1; then
  fail "--control over a regular file was accepted"
fi
grep -q -- "--control: $TMPDIR_TEST/plain: Address already in use" \
  "$TMPDIR_TEST/refused.log" || fail "--control on a file: $(cat "$TMPDIR_TEST/refused.log")"
[ "$(cat "$TMPDIR_TEST/plain")" = keep ] || fail "--control replaced a regular file"
echo "ok: --control refuses a path too long and a file that is not a socket"
echo "test-target-ana: ok"
