#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# nvmeof-target in-band authentication (DH-HMAC-CHAP), checked with a raw
# NVMe/TCP client whose DH-HMAC-CHAP is Python's own (target_auth.py:
# hashlib, hmac, pow with the RFC 7919 primes), not our C code: one-way
# and bidirectional, SHA-256/384/512, the null group and ffdhe2048/3072/
# 4096, secret transforms 00..03, admin and I/O queues (in-capsule and R2T
# data), re-authentication, and the refusals (wrong host or controller
# secret, unknown host, commands before authentication, wrong T_ID,
# messages out of sequence, unsupported parameters, short AUTH_Receive,
# oversized AUTH_Send) with nvmet's Failure1 explanations, the controller
# ended after a failure, and the time limit on authenticating.
source "${abs_srcdir:-$(dirname "$0")}/functions.sh"
set -e -u -o pipefail
requires_target
requires test -x /usr/bin/python3
# The raw NVMe/TCP client (target_client.py); no .pyc in the source tree.
export PYTHONPATH=$abs_srcdir PYTHONDONTWRITEBYTECODE=1

d=$(tmpdir)
sub=nqn.2026-11.io.test:auth
open=nqn.2026-11.io.test:open

# Secrets: one per host, in every transform, made by Python.
/usr/bin/python3 - "$d" <<'EOF'
import sys, target_auth as ta
d = sys.argv[1]
for name, hh in (("a", 0), ("ac", 1), ("b", 1), ("bc", 2), ("c", 3),
                 ("cc", 3), ("d", 2), ("e", 1), ("f", 0), ("fc", 2)):
    open("%s/%s.key" % (d, name), "w").write(ta.new_secret(hh) + "\n")
EOF
chmod 600 "$d"/*.key
key () { cat "$d/$1.key"; }

host () { echo "nqn.2014-08.org.nvmexpress:uuid:00000000-0000-0000-0000-00000000000$1"; }
# Hosts: a SHA-256/null one-way (flat attributes) with a controller
# secret, b SHA-384/ffdhe2048 bidirectional (nvmetcli's nested form),
# c SHA-512/ffdhe3072 bidirectional, d SHA-256/ffdhe4096 one-way, e
# SHA-512/null without a controller secret, n allowed without a secret.
cat >"$d/auth.json" <<EOF
{
  "hosts": [
    { "nqn": "$(host 1)", "dhchap_key": "$(key a)",
      "dhchap_ctrl_key": "$(key ac)" },
    { "nqn": "$(host 2)",
      "dhchap": { "key": "$(key b)", "ctrl_key": "$(key bc)",
                  "hash": "hmac(sha384)", "dhgroup": "ffdhe2048" } },
    { "nqn": "$(host 3)",
      "dhchap": { "key": "$(key c)", "ctrl_key": "$(key cc)",
                  "hash": "hmac(sha512)", "dhgroup": "ffdhe3072" } },
    { "nqn": "$(host 4)", "dhchap_key": "$(key d)",
      "dhchap_hash": "hmac(sha256)", "dhchap_dhgroup": "ffdhe4096" },
    { "nqn": "$(host 5)",
      "dhchap": { "key": "$(key e)", "ctrl_key": "",
                  "hash": "hmac(sha512)", "dhgroup": "null" } },
    { "nqn": "$(host 6)", "dhchap": { "key": "", "ctrl_key": "",
                  "hash": "hmac(sha256)", "dhgroup": "null" } }
  ],
  "ports": [ {
    "portid": 1,
    "addr": { "trtype": "tcp", "adrfam": "ipv4", "traddr": "127.0.0.1",
              "trsvcid": "4420" },
    "param": { "inline_data_size": "0" },
    "subsystems": [ "$sub", "$open" ], "referrals": []
  } ],
  "subsystems": [
    { "nqn": "$sub", "attr": { "allow_any_host": "0" },
      "allowed_hosts": [ "$(host 1)", "$(host 2)", "$(host 3)", "$(host 4)",
                         "$(host 5)", "$(host 6)" ],
      "namespaces": [ { "nsid": 1, "enable": 1,
                        "device": { "path": "ram:16M" } } ] },
    { "nqn": "$open", "attr": { "allow_any_host": "1" },
      "namespaces": [ { "nsid": 1, "enable": 1,
                        "device": { "path": "ram:1M" } } ] }
  ]
}
EOF
chmod 600 "$d/auth.json"

start_target -v -c "$d/auth.json"

with_timeout 120 /usr/bin/python3 - "$TARGET_PORT" "$d" "$sub" "$open" <<'EOF'
import os, struct, sys, time
from target_client import *
import target_auth as ta

port, d, SUB, OPEN = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
DISC = "nqn.2014-08.org.nvmexpress.discovery"

def host(n):
    return "nqn.2014-08.org.nvmexpress:uuid:00000000-0000-0000-0000-00000000000%d" % n

def key(name):
    return open("%s/%s.key" % (d, name)).read()

def admin(hostnqn, sub=SUB, kato=0):
    """ICReq and Connect; (conn, Connect Cqe)."""
    c = Conn(port)
    c.icreq()
    return c, c.connect(sub, hostnqn=hostnqn, kato=kato)

def io(hostnqn, cntlid, qid=1):
    c = Conn(port)
    c.icreq()
    return c, c.connect(SUB, qid=qid, cntlid=cntlid, hostnqn=hostnqn)

def closed(c):
    return c.closed_by_peer(timeout=5)[0]

# ---- every combination that should work ---------------------------------
cases = [
    # host, secret, controller secret (bidirectional), hash, DH group
    (1, "a", None, ta.SHA256, ta.NULL),
    (1, "a", "ac", ta.SHA256, ta.NULL),
    (2, "b", "bc", ta.SHA384, ta.FFDHE2048),
    (2, "b", None, ta.SHA384, ta.FFDHE2048),
    (3, "c", "cc", ta.SHA512, ta.FFDHE3072),
    (4, "d", None, ta.SHA256, ta.FFDHE4096),
    (5, "e", None, ta.SHA512, ta.NULL),
]
for n, k, ck, hashid, group in cases:
    what = "host %d (%s, %s, %s)" % (n, ta.HASH_NAME[hashid], group,
                                     "bidirectional" if ck else "one-way")
    h = ta.Host(host(n), SUB, key(k), key(ck) if ck else None)
    a, cq = admin(host(n))
    check(cq.status == 0 and cq.dw0 & ta.ATR, what + ": Connect sets ATR")
    cntlid = cq.dw0 & 0xFFFF
    cqe, _ = a.identify(1)
    check(cqe.status == ta.SC_AUTH_REQUIRED and cqe.dnr,
          what + ": Identify before authentication: 0x191 DNR")
    check(a.prop_get(0x08)[0].status == 0, what + ": Property Get works")
    r, det = h.authenticate(a, t_id=0)
    check(r == "ok" and det["hashid"] == hashid and det["dhgid"] == group
          and det["bidi"] == bool(ck), what + ": admin queue authenticated")
    a.enable()
    check(a.identify(1)[0].status == 0, what + ": Identify afterwards")
    check(a.features(7, set_value=(1 | 1 << 16)).status == 0,
          what + ": Number of Queues")
    q, cq = io(host(n), cntlid)
    check(cq.status == 0 and cq.dw0 & ta.ATR, what + ": I/O Connect sets ATR")
    check(q.read(1, 0, 1)[0].status == ta.SC_AUTH_REQUIRED,
          what + ": Read before the I/O queue authenticated")
    # inline_data_size 0: the I/O queue's AUTH_Send data comes by R2T.
    h.inline = False
    r, det = h.authenticate(q, t_id=1)
    h.inline = True
    check(r == "ok", what + ": I/O queue authenticated (R2T)")
    data = os.urandom(4096)
    check(q.write(1, 8, data, inline=False).status == 0, what + ": Write")
    cqe, got = q.read(1, 8, 8)
    check(cqe.status == 0 and got == data, what + ": Read back")
    q.close()
    a.close()

# AUTH_Send data by R2T on the admin queue too, and re-authentication.
h = ta.Host(host(2), SUB, key("b"), key("bc"))
a, cq = admin(host(2))
h.inline = False
check(h.authenticate(a, t_id=7)[0] == "ok", "admin AUTH_Send data by R2T")
h.inline = True
a.enable()
check(h.authenticate(a, t_id=8)[0] == "ok", "re-authentication")
check(a.identify(1)[0].status == 0, "queue usable after re-authentication")
# A re-authentication under way leaves the queue usable.
ch = h.challenge(a, 9)
check(ch["kind"] == "challenge" and a.identify(1)[0].status == 0,
      "queue usable during re-authentication")
check(h.authenticate(a, t_id=10)[0] == "ok", "Negotiate restarts an exchange")

# AUTH_Receive with too small an allocation: Invalid Field, not truncated.
a.auth_send(ta.negotiate(11))
cq, _ = a.auth_recv(al=64)
check(cq.status == 0x02 and cq.dnr, "short AUTH_Receive: Invalid Field")
ch = h.recv(a)
check(ch["kind"] == "challenge" and ch["dhvlen"] == 256 and ch["t_id"] == 11,
      "the Challenge is still there (ffdhe2048 value of 256 bytes)")
# Bad command fields.
check(a.auth_send(ta.negotiate(12), secp=0xEA).status == 0x02,
      "AUTH_Send SECP 0xEA: Invalid Field")
check(a.auth_send(ta.negotiate(12), spsp0=2).status == 0x02,
      "AUTH_Send SPSP0 2: Invalid Field")
check(a.auth_recv(spsp1=0)[0].status == 0x02, "AUTH_Receive SPSP1 0: Invalid Field")
check(a.auth_send(bytes(1400), inline=False).status == 0x02,
      "AUTH_Send TL 1400 (> 1280): Invalid Field")
check(a.auth_send(ta.negotiate(12), tl=0).status != 0, "AUTH_Send TL 0 refused")
check(a.identify(1)[0].status == 0, "still authenticated after refused commands")
a.close()

# ---- refusals ---------------------------------------------------------
def failure1(n, k, expect_rce, what, ck=None, t_id=3, **neg):
    """Authenticate with the wrong inputs: Failure1 (reason 1) with
    expect_rce, then the target closes the connection."""
    h = ta.Host(host(n), SUB, key(k), key(ck) if ck else None, **neg)
    a, cq = admin(host(n))
    r, rce = h.authenticate(a, t_id=t_id)
    check(r == "failure1" and rce == expect_rce,
          "%s: Failure1 explanation %d (got %s %s)" % (what, expect_rce, r, rce))
    check(closed(a), what + ": the target closes the controller")

failure1(1, "b", ta.RCE_FAILED, "wrong host secret")
failure1(3, "cc", ta.RCE_FAILED, "wrong host secret, ffdhe3072")
failure1(5, "e", ta.RCE_FAILED, "bidirectional without a controller secret",
         ck="ac")
failure1(2, "b", ta.RCE_HASH, "configured hash not offered",
         hashes=(ta.SHA256, ta.SHA512))
failure1(2, "b", ta.RCE_DHGROUP, "configured DH group not offered",
         groups=(ta.NULL, ta.FFDHE3072))
failure1(1, "a", ta.RCE_DHGROUP, "null group not offered",
         groups=(ta.FFDHE2048,))

# Wrong controller secret: our R2 check fails, the host sends Failure2.
h = ta.Host(host(2), SUB, key("b"), key("cc"))
a, cq = admin(host(2))
r, _ = h.authenticate(a, t_id=4)
check(r == "r2-mismatch", "wrong controller secret: R2 differs, Failure2 sent")
check(closed(a), "after Failure2 the target closes the controller")

# Secure channel concatenation.
h = ta.Host(host(1), SUB, key("a"))
a, cq = admin(host(1))
ch = h.challenge(a, 5, sc_c=1)
check(ch["kind"] == "failure1" and ch["rce"] == ta.RCE_SCC and ch["t_id"] == 5,
      "SC_C 1: Failure1 explanation 3")
check(closed(a), "and the controller ends")

# DH-HMAC-CHAP not offered (another protocol id).
a, cq = admin(host(1))
a.auth_send(ta.negotiate(6, authid=2))
m = h.recv(a)
check(m["kind"] == "failure1" and m["rce"] == ta.RCE_PROTO,
      "no DH-HMAC-CHAP descriptor: Failure1 explanation 2")
a.close()

# A Reply before a Negotiate.
a, cq = admin(host(1))
check(a.auth_send(ta.reply(0, bytes(32))).status == 0,
      "a Reply before a Negotiate completes")
m = h.recv(a)
check(m["kind"] == "failure1" and m["rce"] == ta.RCE_MESSAGE,
      "a Reply before a Negotiate: Failure1 explanation 7")
check(closed(a), "and the controller ends")

# An AUTH_Receive with nothing under way.
a, cq = admin(host(1))
m = h.recv(a)
check(m["kind"] == "failure1" and m["rce"] == ta.RCE_MESSAGE,
      "AUTH_Receive first: Failure1 explanation 7")
a.close()

# Wrong T_ID in the Reply.
h = ta.Host(host(2), SUB, key("b"), key("bc"))
a, cq = admin(host(2))
ch = h.challenge(a, 20)
a.auth_send(h.answer(ch, 21, True))
m = h.recv(a)
check(m["kind"] == "failure1" and m["rce"] == ta.RCE_PAYLOAD and
      m["t_id"] == 20, "wrong T_ID in the Reply: Failure1 explanation 6")
check(closed(a), "and the controller ends")

# A Reply with a wrong HL, a malformed Reply, a Challenge sent by a host.
for what, mangle, rce in (
        ("Reply with HL 32 after a SHA-384 Challenge",
         lambda rep: rep[:6] + b"\x20" + rep[7:16] + rep[16:48] +
         rep[64:96] + rep[112:], ta.RCE_PAYLOAD),
        ("truncated Reply", lambda rep: rep[:40], ta.RCE_PAYLOAD),
        ("a Challenge from the host", lambda rep: b"\x01\x01" + rep[2:],
         ta.RCE_MESSAGE)):
    a, cq = admin(host(2))
    ch = h.challenge(a, 30)
    a.auth_send(mangle(h.answer(ch, 30, True)))
    m = h.recv(a)
    check(m["kind"] == "failure1" and m["rce"] == rce,
          "%s: Failure1 explanation %d" % (what, rce))
    a.close()

# Unknown and not allowed hosts.
a, cq = admin("nqn.2014-08.org.nvmexpress:uuid:99999999-0000-0000-0000-000000000000")
check(cq.status == 0x184, "unknown host: Connect Invalid Host")
a.close()

# No authentication where nvmet asks for none.
a, cq = admin(host(6))
check(cq.status == 0 and not cq.dw0 & ta.ATR, "allowed host without a secret: no ATR")
a.enable()
check(a.identify(1)[0].status == 0, "and it works")
m = ta.Host(host(6), SUB, key("a")).challenge(a, 1)
check(m["kind"] == "failure1" and m["rce"] == ta.RCE_FAILED,
      "a Negotiate from it: Failure1 explanation 1")
check(a.identify(1)[0].status == 0, "and its queue carries on")
a.close()
a, cq = admin(host(1), sub=OPEN)
check(cq.status == 0 and not cq.dw0 & ta.ATR, "allow_any_host subsystem: no ATR")
a.close()
a, cq = admin(host(1), sub=DISC)
check(cq.status == 0 and not cq.dw0 & ta.ATR, "discovery subsystem: no ATR")
a.enable()
check(a.get_log(0x70, 1024)[0].status == 0, "discovery log without authentication")
a.close()

# A failure on an I/O queue ends the whole controller.
h = ta.Host(host(1), SUB, key("a"))
a, cq = admin(host(1))
check(h.authenticate(a)[0] == "ok", "admin queue authenticated")
a.enable()
q, cq = io(host(1), cq.dw0 & 0xFFFF)
wrong = ta.Host(host(1), SUB, key("b"))
wrong.inline = False
r, rce = wrong.authenticate(q, t_id=1)
check(r == "failure1" and rce == ta.RCE_FAILED, "I/O queue: wrong secret")
check(closed(q) and closed(a), "the controller ends with all its queues")

# ---- the time limit: KATO from Connect, however busy the host -----------
a, cq = admin(host(1), kato=1500)
start = time.monotonic()
gone = False
while time.monotonic() - start < 6:
    try:
        if a.prop_get(0x08)[0].status != 0:
            break
    except (EOFError, ConnectionResetError, TermReq):
        gone = True
        break
    time.sleep(0.2)
took = time.monotonic() - start
check(gone and 1.4 < took < 4, "unauthenticated queue closed after KATO (%.1f s)" % took)
EOF

# The target logged the outcomes, and never a secret.
grep -q "authenticated (hmac(sha512), ffdhe3072, bidirectional)" "$TARGET_LOG" ||
  fail "no success line in the log"
grep -q "authentication failed (hmac(sha384), ffdhe2048): wrong response R1" "$TARGET_LOG" ||
  grep -q "authentication failed.*wrong response R1" "$TARGET_LOG" ||
  fail "no failure line in the log"
grep -q "the host ended authentication with Failure2" "$TARGET_LOG" ||
  fail "Failure2 not logged"
grep -q "did not authenticate in time" "$TARGET_LOG" || fail "timeout not logged"
for k in "$d"/*.key; do
  secret=$(cut -d: -f3 "$k")
  if grep -qF "$secret" "$TARGET_LOG"; then
    fail "the log shows the secret of $k"
  fi
done
echo "ok: the log has the outcomes and no secret"
