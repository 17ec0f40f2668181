#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# nvmeof-target -c: a configuration in the exact shape "nvmetcli save"
# writes (two subsystems, RAM and file namespaces, allowed_hosts, a
# referral, a disabled namespace, an rdma port) loads, and a raw NVMe/TCP
# client sees the right things: discovery entries per host, Connect
# Invalid Host for a host that is not allowed, Identify data, and the file
# namespace's real bytes.
source "${abs_srcdir:-$(dirname "$0")}/functions.sh"
set -e -u -o pipefail
requires_target
requires test -x /usr/bin/python3
# The raw NVMe/TCP client (target_client.py); no .pyc in the source tree.
export PYTHONPATH=$abs_srcdir PYTHONDONTWRITEBYTECODE=1

d=$(tmpdir)
random_file "$d/ns3.img" 8M
random_file "$d/other.img" 1M
hosta=nqn.2014-08.org.nvmexpress:uuid:aaaaaaaa-0000-0000-0000-000000000001
hostb=nqn.2014-08.org.nvmexpress:uuid:bbbbbbbb-0000-0000-0000-000000000002

cat >"$d/nvmet.json" <<EOF
{
  "hosts": [
    { "nqn": "$hosta" },
    { "nqn": "$hostb" }
  ],
  "ports": [
    {
      "addr": {
        "adrfam": "ipv4",
        "traddr": "127.0.0.1",
        "treq": "not specified",
        "trsvcid": "4420",
        "trtype": "tcp",
        "tsas": "none"
      },
      "ana_groups": [ { "ana": { "state": "optimized" }, "grpid": 1 } ],
      "param": { "inline_data_size": "16384", "pi_enable": "0" },
      "portid": 1,
      "referrals": [
        {
          "addr": {
            "adrfam": "ipv4",
            "portid": "7",
            "traddr": "127.0.0.2",
            "treq": "not specified",
            "trsvcid": "8009",
            "trtype": "tcp"
          },
          "enable": 1,
          "name": "other"
        }
      ],
      "subsystems": [ "nqn.2026-11.io.test:one", "nqn.2026-11.io.test:two" ]
    },
    {
      "addr": { "adrfam": "ipv4", "traddr": "10.0.0.1", "treq": "not specified",
                "trsvcid": "4420", "trtype": "rdma" },
      "portid": 2, "referrals": [], "subsystems": [ "nqn.2026-11.io.test:two" ]
    }
  ],
  "subsystems": [
    {
      "allowed_hosts": [ "$hosta" ],
      "attr": {
        "allow_any_host": "0",
        "cntlid_max": "65519",
        "cntlid_min": "5",
        "firmware": "6.1.0",
        "ieee_oui": "0x000000",
        "model": "Test Model",
        "pi_enable": "0",
        "qid_max": "8",
        "serial": "0123456789abcdef",
        "version": "1.3"
      },
      "namespaces": [
        {
          "ana": { "grpid": "1" },
          "ana_grpid": 1,
          "device": {
            "nguid": "00000000-0000-0000-0000-000000000000",
            "path": "ram:16M",
            "uuid": "11111111-2222-3333-4444-555555555555"
          },
          "enable": 1,
          "nsid": 1,
          "nvmeof": { "lba_size": 4096 }
        },
        {
          "device": { "path": "/nonexistent-but-disabled" },
          "enable": 0,
          "nsid": 2
        },
        {
          "ana_grpid": 1,
          "device": {
            "nguid": "ef90689c-6c46-d44c-89c1-4067801309a8",
            "path": "$d/ns3.img",
            "uuid": "26ffc8ce-73b4-321d-9685-7d7a9872c460"
          },
          "enable": 1,
          "nsid": 3
        }
      ],
      "nqn": "nqn.2026-11.io.test:one"
    },
    {
      "allowed_hosts": [],
      "attr": { "allow_any_host": "1" },
      "namespaces": [
        { "device": { "path": "$d/other.img" }, "enable": 1, "nsid": 1 }
      ],
      "nqn": "nqn.2026-11.io.test:two"
    }
  ]
}
EOF

start_target -c "$d/nvmet.json" --stats-file "$d/stats.json"
grep -q "port 2 is not a tcp port, ignored" "$TARGET_LOG" ||
  fail "the rdma port was not reported as ignored"

with_timeout 60 /usr/bin/python3 - "$TARGET_PORT" \
  "$hosta" "$hostb" "$d" <<'EOF'
import hashlib, os, struct, sys
from target_client import *

port, hosta, hostb, d = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
ONE, TWO = "nqn.2026-11.io.test:one", "nqn.2026-11.io.test:two"

def discover(host):
    a, _ = admin_session(port, DISC_NQN, hostnqn=host)
    c, log = a.get_log(0x70, 8192)
    check(c.status == 0, "discovery log read for " + host[-1])
    genctr, ents = disc_entries(log)
    # Offset paging: the second entry alone, from offset 2048.
    c, page = a.get_log(0x70, 1024, offset=2048)
    check(c.status == 0 and page == log[2048:3072], "discovery log at an offset")
    a.close()
    return ents

ents = discover(hosta)
check([e["subtype"] for e in ents] == [3, 2, 2, 1], "host A: subtypes 3,2,2,1")
check([e["subnqn"] for e in ents[1:3]] == [ONE, TWO], "host A sees both subsystems")
check(ents[1]["trsvcid"] == str(port) and ents[1]["traddr"] == "127.0.0.1",
      "entries carry the listen address")
check(ents[3]["traddr"] == "127.0.0.2" and ents[3]["trsvcid"] == "8009" and
      ents[3]["portid"] == 7 and ents[3]["subnqn"] == DISC_NQN, "the referral")
ents = discover(hostb)
check([e["subnqn"] for e in ents] == [DISC_NQN, TWO, DISC_NQN],
      "host B sees only the subsystem that allows any host")

# A host that is not allowed: Connect Invalid Host, IATTR=1, IPO=512.
c = Conn(port); c.icreq()
cq = c.connect(ONE, hostnqn=hostb)
check(cq.status == 0x184 and cq.dw0 == 0x10000 | 512,
      "host B refused with Connect Invalid Host pointing at HOSTNQN")
c.close()
c = Conn(port); c.icreq()
cq = c.connect("nqn.2026-11.io.test:none", hostnqn=hosta)
check(cq.status == 0x182 and cq.dw0 == 0x10000 | 256, "unknown subsystem")
c.close()

a, cntlid = admin_session(port, ONE, hostnqn=hosta)
check(cntlid >= 5, "CNTLID from cntlid_min (%d)" % cntlid)
c, idc = a.identify(1)
check(idc[4:24] == b"0123456789abcdef    ", "serial")
check(idc[24:64].rstrip() == b"Test Model", "model")
check(struct.unpack("<I", idc[80:84])[0] == 0x10300, "version 1.3")
check(idc[768:768 + len(ONE)] == ONE.encode(), "SUBNQN")
check(struct.unpack("<I", idc[1792:1796])[0] == (64 + 16384) // 16, "IOCCSZ")
c, lst = a.identify(2)
check(struct.unpack("<3I", lst[:12]) == (1, 3, 0), "active namespaces 1 and 3")
c, lst = a.identify(2, nsid=1)
check(struct.unpack("<2I", lst[:8]) == (3, 0), "active list after NSID 1")
c, ns1 = a.identify(0, 1)
check(ns1[128 + 2] == 12 and struct.unpack("<Q", ns1[:8])[0] == 4096,
      "ns 1: 16 MiB of 4096-byte blocks")
c, ns3 = a.identify(0, 3)
lbads = ns3[128 + 2]
check(struct.unpack("<Q", ns3[:8])[0] << lbads == 8 << 20, "ns 3: 8 MiB")
check(ns3[104:120] == bytes.fromhex("ef90689c6c46d44c89c14067801309a8"),
      "ns 3 NGUID")
c, ns2 = a.identify(0, 2)
check(c.status == 0 and ns2 == bytes(4096), "disabled ns 2 reads as inactive")
c, desc = a.identify(3, 3)
check(bytes.fromhex("26ffc8ce73b4321d96857d7a9872c460") in desc and
      bytes.fromhex("ef90689c6c46d44c89c14067801309a8") in desc,
      "ns 3 descriptors carry the UUID and NGUID")
c, desc = a.identify(3, 1)
check(desc[0:4] == bytes([3, 16, 0, 0]) and
      desc[4:20] == bytes.fromhex("11111111222233334444555555555555"),
      "ns 1 descriptor: the configured UUID only")
cq = a.features(7, set_value=(15 | 15 << 16))
check(cq.dw0 == (7 | 7 << 16), "Number of Queues capped by qid_max 8")

io = io_session(port, ONE, cntlid, hostnqn=hosta)
want = hashlib.sha256(open(d + "/ns3.img", "rb").read()).hexdigest()
got = hashlib.sha256()
bs = 1 << lbads
step = 65536 // bs
for lba in range(0, (8 << 20) // bs, step):
    c, data = io.read(3, lba, step, lba=bs)
    check(c.status == 0, "read") if lba == 0 else None
    got.update(data)
check(got.hexdigest() == want, "ns 3 reads back the file's bytes")
new = os.urandom(3 * bs)
cq = io.write(3, 5, new, lba=bs)
check(cq.status == 0, "write to ns 3")
with open(d + "/ns3.img", "rb") as f:
    f.seek(5 * bs)
    check(f.read(len(new)) == new, "the write reached the file")
new = os.urandom(8192)
check(io.write(1, 100, new, lba=4096).status == 0, "write to ns 1 (RAM)")
c, back = io.read(1, 100, 2, lba=4096)
check(back == new, "ns 1 reads back what was written")
io.close()
a.close()
EOF

# The same through the real initiator (libnvmeof's CLI), when it is built.
if [ -x "$NVMEOF_CLI" ]; then
  with_timeout 30 "$NVMEOF_CLI" discover -o json --hostnqn "$hostb" \
    -a 127.0.0.1 -s "$TARGET_PORT" >"$d/disc-b.json"
  /usr/bin/python3 - "$d/disc-b.json" <<'EOF' || fail "nvmeof discover (host B)"
import json, sys
recs = json.load(open(sys.argv[1]))["records"]
subs = [r["subnqn"] for r in recs if r["subtype"] == "nvme subsystem"]
assert subs == ["nqn.2026-11.io.test:two"], subs
assert any(r["traddr"] == "127.0.0.2" for r in recs), recs
EOF
  with_timeout 30 "$NVMEOF_CLI" list -o json --hostnqn "$hosta" \
    "nvme+tcp://127.0.0.1:$TARGET_PORT/nqn.2026-11.io.test:one" >"$d/list.json"
  /usr/bin/python3 - "$d/list.json" <<'EOF' || fail "nvmeof list (host A)"
import json, sys
ctrl = json.load(open(sys.argv[1]))
ns = {n["nsid"]: n for n in ctrl["namespaces"]}
assert ctrl["serial"] == "0123456789abcdef" and ctrl["model"] == "Test Model"
assert sorted(ns) == [1, 3], ns
assert ns[1]["lba_size"] == 4096 and ns[1]["size"] == 16 << 20, ns[1]
assert ns[3]["size"] == 8 << 20, ns[3]
EOF
  if with_timeout 30 "$NVMEOF_CLI" list --hostnqn "$hostb" \
       "nvme+tcp://127.0.0.1:$TARGET_PORT/nqn.2026-11.io.test:one" \
       >/dev/null 2>"$d/refused"; then
    fail "nvmeof list as host B succeeded"
  fi
  grep -q "Connect Invalid Host" "$d/refused" ||
    fail "host B: $(cat "$d/refused")"
  echo "ok: the nvmeof CLI sees the same"
else
  echo "note: $NVMEOF_CLI is not built: skipping the CLI checks"
fi

stop_target
grep -q '"write":2' "$d/stats.json" || fail "stats: $(cat "$d/stats.json")"
grep -q '"connect":[0-9]' "$d/stats.json" || fail "stats: $(cat "$d/stats.json")"
