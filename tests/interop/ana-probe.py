#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
#
# ana-probe.py PORT1 PORT2 NQN (--nvmet-ctl CTLPORT | --control PATH):
# drive a target's ANA with the raw NVMe/TCP client (tests/target_client.py)
# and print what it saw as one JSON object, so that the kernel's nvmet and
# nvmeof-target can be run through the same steps and their answers
# compared.  The target serves NQN on port IDs 1 (PORT1) and 2 (PORT2);
# nsid 1 is in ANA group 1, nsid 2 in group 2; port 2 starts with group 2
# non-optimized, everything else optimized.  States are changed through
# nvmet's configfs (the interop VM's command channel, --nvmet-ctl) or
# nvmeof-target's control socket (--control).
#
# What is recorded: Identify's ANA fields; the Asynchronous Event
# Configuration's default; the ANA log page of each port (groups, states,
# NSIDs, its length; RGO); which controllers an ANA change notifies (two
# on the changed port, one on the other); the status and DNR bit of Read,
# Write and Flush in each state; the notice's masking until the log is
# read without RAE; a notice queued while no request is outstanding; the
# feature turned off.  Change counts are compared only as "grew": nvmet
# gives every descriptor the page's count, nvmeof-target the count of the
# group's last change.

import json
import select
import socket
import struct
import sys

from target_client import CMD, RSP, Cqe, admin_session, io_session, sqe

POSITIVE_S = 30  # a notice that must come (a VM under TCG is slow)
NEGATIVE_S = 2   # a notice that must not come

p1, p2, N = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
mode, where = sys.argv[4], sys.argv[5]
STATES = ("optimized", "non-optimized", "inaccessible", "persistent-loss",
          "change")
obs = {}


def note(key, value):
    obs[key] = value


def set_state(port, grp, state):
    if mode == "--control":
        s = socket.socket(socket.AF_UNIX)
        s.connect(where)
        s.sendall(("ana %d %d %s\n" % (port, grp, state)).encode())
        reply = s.makefile().readline().strip()
        s.close()
        if reply != "ok":
            sys.exit("control socket: %s" % reply)
        return
    path = "/sys/kernel/config/nvmet/ports/%d/ana_groups/%d/ana_state" % (
        port, grp)
    s = socket.create_connection(("127.0.0.1", int(where)), timeout=60)
    s.sendall(("echo %s > %s\n" % (state, path)).encode())
    out = b""
    while b"NVMET-CTL-END" not in out:
        chunk = s.recv(4096)
        if not chunk:
            break
        out += chunk
    s.close()
    if b"NVMET-CTL-END rc=0" not in out:
        sys.exit("guest: cannot set %s: %r" % (path, out))


def ana_log(c, rgo=False, rae=False, length=4096):
    numd = length // 4 - 1
    q = sqe(0x02, c.next_cid(), nsid=0xFFFFFFFF,
            cdw10=0x0C | (0x100 if rgo else 0) | (0x8000 if rae else 0)
            | ((numd & 0xFFFF) << 16), cdw11=numd >> 16, sgl_len=length)
    cq, page = c.command(q)
    if cq.status:
        sys.exit("Get Log Page (ANA) failed: %r" % cq)
    chg, ngrps = struct.unpack("<QH", page[0:10])
    groups, off = [], 16
    for _ in range(ngrps):
        gid, nn, _gchg, st = struct.unpack("<IIQB", page[off:off + 17])
        off += 32
        nsids = list(struct.unpack("<%dI" % nn, page[off:off + 4 * nn]))
        off += 4 * nn
        groups.append([gid, STATES[[1, 2, 3, 4, 15].index(st & 0xF)]
                       if (st & 0xF) in (1, 2, 3, 4, 15) else st, nsids])
    return chg, {"groups": groups, "length": off,
                 "zeroes_after": page[off:] == bytes(len(page) - off)}


def send_aer(c):
    cid = c.next_cid()
    c.send(c.pdu(CMD, sqe(0x0C, cid)))
    return cid


def aer_done(c, cid, timeout):
    r, _, _ = select.select([c.s], [], [], timeout)
    if not r:
        return None
    ptype, _, hdr, _ = c.recv_pdu()
    if ptype != RSP:
        sys.exit("unexpected PDU type %d instead of an AER completion" % ptype)
    cq = Cqe(hdr[8:24])
    if cq.cid != cid:
        sys.exit("a completion of cid %d, not of the AER (%d)" % (cq.cid, cid))
    return "%#x" % cq.dw0 if cq.status == 0 else "status %#x" % cq.status


def io_statuses(q, nsid):
    out = []
    lba = 512 if nsid == 1 else 4096
    cq, _ = q.read(nsid, 0, 1, lba=lba)
    out.append(["read", "%#x" % cq.status, cq.dnr])
    cq = q.write(nsid, 0, bytes(lba), lba=lba)
    out.append(["write", "%#x" % cq.status, cq.dnr])
    cq, _ = q.command(sqe(0x00, q.next_cid(), nsid=nsid))
    out.append(["flush", "%#x" % cq.status, cq.dnr])
    return out


a, ca = admin_session(p1, N, timeout=60)
b, cb = admin_session(p1, N, timeout=60)
c, cc = admin_session(p2, N, timeout=60)
qa = io_session(p1, N, ca, timeout=60)
qc = io_session(p2, N, cc, timeout=60)

cq, idc = a.identify(1)
cmic, = struct.unpack_from("<B", idc, 76)
oaes, = struct.unpack_from("<I", idc, 92)
anatt, anacap, anagrpmax, nanagrpid = struct.unpack_from("<BBII", idc, 342)
note("identify", {"cmic": cmic, "oaes_ana_change": bool(oaes & 1 << 11),
                  "anatt": anatt, "anacap": anacap, "anagrpmax": anagrpmax,
                  "nanagrpid": nanagrpid})
note("ns_anagrpid", [struct.unpack_from("<I", a.identify(0, nsid=n)[1], 92)[0]
                     for n in (1, 2)])
note("aec_default_ana_change", bool(a.features(0x0B).dw0 & 1 << 11))

chg0, log = ana_log(a)
note("log_port1", log)
note("log_port2", ana_log(c)[1])
note("log_port1_rgo", ana_log(a, rgo=True)[1])

# A and B on port 1, C on port 2, each with a request outstanding.
aa, ab, ac = send_aer(a), send_aer(b), send_aer(c)
set_state(1, 2, "inaccessible")
note("notice_port1_first", aer_done(a, aa, POSITIVE_S))
note("notice_port1_second", aer_done(b, ab, POSITIVE_S))
note("notice_other_port", aer_done(c, ac, NEGATIVE_S))
chg1, log = ana_log(b, rae=True)
note("log_port1_inaccessible", log)
note("change_count_grew", chg1 > chg0)

for state in ("inaccessible", "persistent-loss", "change"):
    set_state(1, 2, state)
    note("io_" + state, io_statuses(qa, 2))
note("io_other_group", io_statuses(qa, 1))
note("io_other_port", io_statuses(qc, 2))

# Masked until A reads the log without RAE; a read with RAE keeps it so.
aa = send_aer(a)
set_state(1, 2, "non-optimized")
note("masked_notice", aer_done(a, aa, NEGATIVE_S))
ana_log(a, rae=True)
set_state(1, 2, "optimized")
note("masked_after_rae_read", aer_done(a, aa, NEGATIVE_S))
ana_log(a)
set_state(1, 2, "non-optimized")
note("notice_after_read", aer_done(a, aa, POSITIVE_S))
note("io_non_optimized", io_statuses(qa, 2))

# A change while no request is outstanding: the next one completes at once.
ana_log(a)
set_state(1, 2, "optimized")
aa = send_aer(a)
note("notice_queued", aer_done(a, aa, POSITIVE_S))

# B turns the notice off.
ana_log(b)
note("aec_set_0", "%#x" % b.features(0x0B, set_value=0).status)
ab = send_aer(b)
set_state(1, 2, "inaccessible")
note("notice_turned_off", aer_done(b, ab, NEGATIVE_S))
set_state(1, 2, "optimized")

# C's request was held all along: a change on its own port completes it.
set_state(2, 2, "inaccessible")
note("notice_own_port", aer_done(c, ac, POSITIVE_S))
note("io_port2_inaccessible", io_statuses(qc, 2))
set_state(2, 2, "non-optimized")

print(json.dumps(obs, sort_keys=True))
