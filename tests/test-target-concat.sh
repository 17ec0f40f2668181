#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# nvmeof-target's secure channel concatenation, against an independent
# host: target_client.py speaks NVMe/TCP, target_auth.py does DH-HMAC-CHAP
# (SC_C in the Negotiate and R1, C2 with S2 0, the generated PSK
# HMAC(KS, C1 || C2)) and target_tls.py derives the TLS PSK and the
# identity "NVMe1G0h ..." with Python's hashlib and hmac (checked against
# Linux's kunit vector), and "openssl s_client" does TLS.  Covered, on a
# port where TLS is optional: NEWTLSPSK on the plain admin queue with
# SHA-256 and SHA-384, then an admin and an I/O queue over TLS with the
# generated PSK (no authentication asked: the Connect has no ATR), I/O
# read back; REPLACETLSPSK on that TLS admin queue, and the new PSK (the
# old one still taken); the refusals with nvmet's Failure1 explanations
# (NEWTLSPSK on an I/O queue, on a TLS queue, on a port without TLS,
# REPLACETLSPSK without TLS, the null group, SHA-512, no C2, R1 without
# the SC_C byte) and a handshake with an identity no exchange generated;
# -v logs the identities, never a key.
source "${abs_srcdir:-$(dirname "$0")}/functions.sh"
set -e -u -o pipefail
requires_target
requires test -x /usr/bin/python3
requires sh -c 'openssl s_client -help 2>&1 | grep -q -- -psk_session'
# The raw NVMe/TCP client and its TLS; no .pyc in the source tree.
export PYTHONPATH=$abs_srcdir PYTHONDONTWRITEBYTECODE=1

d=$(tmpdir)
sub=nqn.2026-11.io.test:concat
host () { echo "nqn.2014-08.org.nvmexpress:uuid:c0ca7000-0000-0000-0000-00000000000$1"; }

/usr/bin/python3 - "$d" <<'EOF'
import sys, target_auth as ta
d = sys.argv[1]
for name, hh in (("1", 1), ("2", 2), ("3", 1), ("4", 3)):
    open("%s/%s.key" % (d, name), "w").write(ta.new_secret(hh) + "\n")
EOF
chmod 600 "$d"/*.key
key () { cat "$d/$1.key"; }
p1=$(free_port)
p2=$(free_port)
while [ "$p2" = "$p1" ]; do p2=$(free_port); done

# Port 1: TLS optional (tls1.3, "not required"); port 2: plain.  Hosts 1
# SHA-256/ffdhe2048, 2 SHA-384/ffdhe3072, 3 the null group, 4 SHA-512.
cat >"$d/concat.json" <<EOF
{
  "hosts": [
    { "nqn": "$(host 1)", "dhchap": { "key": "$(key 1)", "ctrl_key": "",
        "hash": "hmac(sha256)", "dhgroup": "ffdhe2048" } },
    { "nqn": "$(host 2)", "dhchap": { "key": "$(key 2)", "ctrl_key": "",
        "hash": "hmac(sha384)", "dhgroup": "ffdhe3072" } },
    { "nqn": "$(host 3)", "dhchap": { "key": "$(key 3)", "ctrl_key": "",
        "hash": "hmac(sha256)", "dhgroup": "null" } },
    { "nqn": "$(host 4)", "dhchap": { "key": "$(key 4)", "ctrl_key": "",
        "hash": "hmac(sha512)", "dhgroup": "ffdhe2048" } }
  ],
  "ports": [
    { "portid": 1,
      "addr": { "trtype": "tcp", "adrfam": "ipv4", "traddr": "127.0.0.1",
                "trsvcid": "$p1", "treq": "not required",
                "tsas": "tls1.3" },
      "subsystems": [ "$sub" ], "referrals": [] },
    { "portid": 2,
      "addr": { "trtype": "tcp", "adrfam": "ipv4", "traddr": "127.0.0.1",
                "trsvcid": "$p2", "treq": "not specified", "tsas": "none" },
      "subsystems": [ "$sub" ], "referrals": [] }
  ],
  "subsystems": [
    { "nqn": "$sub", "attr": { "allow_any_host": "0" },
      "allowed_hosts": [ "$(host 1)", "$(host 2)", "$(host 3)",
                         "$(host 4)" ],
      "namespaces": [ { "nsid": 1, "enable": 1,
                        "device": { "path": "ram:16M" } } ] }
  ]
}
EOF
chmod 600 "$d/concat.json"

start_target -v -l "127.0.0.1:$p1" -c "$d/concat.json"

with_timeout 180 /usr/bin/python3 - "$d" "$p1" "$p2" "$sub" <<'EOF'
import base64, os, sys
from target_client import *
import target_auth as ta
import target_tls as tt

d, P1, P2, SUB = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]

def host(n):
    return "nqn.2014-08.org.nvmexpress:uuid:c0ca7000-0000-0000-0000-00000000000%d" % n

def key(n):
    return open("%s/%d.key" % (d, n)).read()

def connect(c, n, qid=0, cntlid=0xFFFF):
    c.icreq()
    return c.connect(SUB, qid=qid, cntlid=cntlid, hostnqn=host(n))

def closed(c):
    return c.closed_by_peer(timeout=5)[0]

def handshake_refused(c):
    try:
        c.icreq()
        ok = False
    except (EOFError, ConnectionResetError, OSError):
        ok = c.exited() not in (None, 0)
    c.close()
    return ok

def concat(conn, h, t_id, sc_c=ta.NEWTLSPSK):
    """The exchange with concatenation: ("ok", generated PSK) or
    ("failure1", rce)."""
    ch = h.challenge(conn, t_id, sc_c=sc_c)
    if ch["kind"] == "failure1":
        return "failure1", ch["rce"]
    check(ch["kind"] == "challenge" and ch["dhgid"] != ta.NULL,
          "a Challenge with a DH group")
    h.send(conn, h.answer(ch, t_id, False, sc_c=sc_c))
    s1 = h.recv(conn)
    if s1["kind"] == "failure1":
        return "failure1", s1["rce"]
    check(s1["kind"] == "success1" and not s1["rvalid"],
          "Success1 without R2 (S2 0)")
    return "ok", h.generated()

# ---- NEWTLSPSK, then the queues over TLS -------------------------------
keep = {}
for n, hashid in ((1, ta.SHA256), (2, ta.SHA384)):
    what = "host %d (%s)" % (n, ta.HASH_NAME[hashid])
    h = ta.Host(host(n), SUB, key(n), hashes=(ta.SHA256, ta.SHA384),
                groups=(ta.FFDHE2048, ta.FFDHE3072))
    a = Conn(P1)
    cq = connect(a, n)
    check(cq.status == 0 and cq.dw0 & ta.ATR, "%s: plain admin Connect, ATR"
          % what)
    r, gen = concat(a, h, 0)
    check(r == "ok" and len(gen) == ta.HASH_LEN[hashid],
          "%s: NEWTLSPSK on the plain admin queue" % what)
    a.close()
    ident, tkey, th = tt.generated(hashid, gen, host(n), SUB)
    keep[n] = (h, ident, tkey, th)
    t = tt.TlsConn(P1, ident, tkey, th)
    cq = connect(t, n)
    check(cq.status == 0 and not cq.dw0 & ta.ATR,
          "%s: admin Connect over TLS with %s, no ATR" % (what, ident[:8]))
    t.enable()
    c, ident_data = t.identify(1)
    check(c.status == 0 and len(ident_data) == 4096, "%s: Identify" % what)
    q = tt.TlsConn(P1, ident, tkey, th, hdgst=True, ddgst=True)
    cq2 = connect(q, n, qid=1, cntlid=cq.dw0 & 0xFFFF)
    check(cq2.status == 0 and not cq2.dw0 & ta.ATR,
          "%s: I/O Connect over TLS, no ATR" % what)
    data = os.urandom(64 * 1024)
    check(q.write(1, n * 256, data, inline=False).status == 0,
          "%s: write" % what)
    rc, back = q.read(1, n * 256, len(data) // 512)
    check(rc.status == 0 and back == data, "%s: read back" % what)
    q.close()
    keep[n] += (t,)

# ---- REPLACETLSPSK on the TLS admin queue ------------------------------
h, ident, tkey, th, t = keep[1]
r, gen2 = concat(t, h, 7, sc_c=ta.REPLACETLSPSK)
check(r == "ok", "REPLACETLSPSK on the TLS admin queue")
ident2, tkey2, _ = tt.generated(ta.SHA256, gen2, host(1), SUB)
check(ident2 != ident, "a new identity")
for i, k in ((ident2, tkey2), (ident, tkey)):
    c = tt.TlsConn(P1, i, k, th)
    check(connect(c, 1).status == 0, "TLS admin Connect with %s PSK" %
          ("the new" if i == ident2 else "the old"))
    c.close()
t.close()
keep[2][4].close()

# ---- refusals ----------------------------------------------------------
h1 = ta.Host(host(1), SUB, key(1))
# NEWTLSPSK on an I/O queue (of a controller authenticated plainly).
a = Conn(P1)
cq = connect(a, 1)
check(h1.authenticate(a)[0] == "ok", "plain authentication (NOSC)")
a.enable()
q = Conn(P1)
cq2 = connect(q, 1, qid=1, cntlid=cq.dw0 & 0xFFFF)
check(cq2.status == 0 and cq2.dw0 & ta.ATR, "plain I/O queue: ATR")
check(concat(q, h1, 1) == ("failure1", ta.RCE_SCC),
      "NEWTLSPSK on an I/O queue: Failure1 explanation 3")
a.close()
q.close()

for n, rce, what in ((3, ta.RCE_SCC, "the null DH group"),
                     (4, ta.RCE_HASH, "hmac(sha512)")):
    a = Conn(P1)
    connect(a, n)
    hn = ta.Host(host(n), SUB, key(n), groups=(ta.NULL, ta.FFDHE2048))
    check(concat(a, hn, 0) == ("failure1", rce),
          "%s: Failure1 explanation %d" % (what, rce))
    check(closed(a), "%s: the controller ends" % what)

a = Conn(P1)
connect(a, 1)
check(concat(a, h1, 0, sc_c=ta.REPLACETLSPSK) == ("failure1", ta.RCE_SCC),
      "REPLACETLSPSK without TLS: Failure1 explanation 3")
a = Conn(P2)
check(connect(a, 1).dw0 & ta.ATR, "plain port: ATR")
check(concat(a, h1, 0) == ("failure1", ta.RCE_SCC),
      "NEWTLSPSK on a port without TLS: Failure1 explanation 3")

# NEWTLSPSK on an admin queue that runs over TLS already.
t = tt.TlsConn(P1, ident2, tkey2, th)
connect(t, 1)
check(concat(t, h1, 0) == ("failure1", ta.RCE_SCC),
      "NEWTLSPSK over TLS: Failure1 explanation 3")
t.close()

# A Reply without C2, and an R1 without the SC_C byte.
for what, patch in (("no C2 (CVALID 0)", "cvalid"),
                    ("R1 computed with SC_C 0", "r1")):
    a = Conn(P1)
    connect(a, 1)
    ch = h1.challenge(a, 0, sc_c=ta.NEWTLSPSK)
    if patch == "cvalid":
        rep = bytearray(h1.answer(ch, 0, False, sc_c=ta.NEWTLSPSK))
        rep[8] = 0
        rep = bytes(rep)
    else:
        rep = h1.answer(ch, 0, False, sc_c=ta.NEWTLSPSK, r1_sc_c=ta.NOSC)
    h1.send(a, rep)
    m = h1.recv(a)
    check(m["kind"] == "failure1" and m["rce"] == ta.RCE_FAILED,
          "%s: Failure1 explanation 1" % what)
    check(closed(a), "%s: the controller ends" % what)

# An identity that no exchange generated.
bogus = "NVMe1G01 %s %s %s" % (host(1), SUB,
                               base64.b64encode(os.urandom(32)).decode())
check(handshake_refused(tt.TlsConn(P1, bogus, os.urandom(32), tt.SHA256)),
      "an unknown generated identity: handshake refused")
print("PASS (python)")
EOF

expect_log ()
{
  grep -qF -- "$1" "$TARGET_LOG" || { cat "$TARGET_LOG" >&2; fail "log: no '$1'"; }
}
expect_log "secure channel concatenation (NEWTLSPSK): TLS PSK generated, identity 'NVMe1G01 $(host 1) $sub "
expect_log "secure channel concatenation (NEWTLSPSK): TLS PSK generated, identity 'NVMe1G02 $(host 2) $sub "
expect_log "secure channel concatenation (REPLACETLSPSK): TLS PSK generated"
expect_log ": TLS 1.3 with TLS_AES_256_GCM_SHA384, PSK identity 'NVMe1G02 $(host 2) $sub "
expect_log "secure channel concatenation (SC_C 2) refused: only an admin queue generates a PSK"
expect_log "secure channel concatenation (SC_C 2) refused: the port does not offer TLS"
expect_log "secure channel concatenation (SC_C 3) refused: REPLACETLSPSK on a queue without TLS"
expect_log "secure channel concatenation (SC_C 2) refused: NEWTLSPSK on a queue that already runs over TLS"
expect_log "secure channel concatenation needs a DH group, and the host's dhchap_dhgroup is null"
expect_log "no DH-HMAC-CHAP exchange generated that PSK"
for k in 1 2 3 4; do
  ! grep -qF "$(cut -d: -f3 "$d/$k.key")" "$TARGET_LOG" || fail "a key in the log"
done
stop_target
echo PASS
