#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# nvmeof-target's NVMe/TCP over TLS 1.3 with PSKs, against an independent
# client: "openssl s_client" carries the raw NVMe/TCP host of
# target_client.py, and target_tls.py derives the TLS PSKs with Python's
# hashlib and hmac (not our C code).  Covered: a TLS-required port (ICReq,
# Connect, Identify, writes in-capsule and by R2T with digests, read back)
# with SHA-256 and SHA-384 PSKs (hh 01, 02 and 00) and identity versions 0
# and 1; a plain ICReq there (closed, no ICResp); a TLS-optional port
# taking both; refused handshakes (an unknown identity, a host without a
# PSK, a subsystem the port does not serve, a wrong PSK with either
# version, the wrong hash); the identity bound to the Connect (another
# host, another subsystem); no plain I/O queue into a TLS controller; a
# silent client does not hold others up and is closed, and so are TLS
# clients that send no ICReq or no Connect (--connect-timeout); the
# discovery log's
# TREQ and TSAS, discovery over TLS; -v logs identities and ciphers, never
# keys; the quick options (--tls, --tls-optional, --tls-key NQN=+FILE and
# NQN=-) and the configuration errors, in one line without the key.
source "${abs_srcdir:-$(dirname "$0")}/functions.sh"
set -e -u -o pipefail
requires_target
requires test -x /usr/bin/python3
requires sh -c 'openssl s_client -help 2>&1 | grep -q -- -psk_session'
# The raw NVMe/TCP client and its TLS; no .pyc in the source tree.
export PYTHONPATH=$abs_srcdir PYTHONDONTWRITEBYTECODE=1

t=$NVMEOF_TARGET
d=$(tmpdir)
sub=nqn.2026-11.io.test:tls
only=nqn.2026-11.io.test:tls-only
open=nqn.2026-11.io.test:open
host () { echo "nqn.2014-08.org.nvmexpress:uuid:7e570000-0000-0000-0000-00000000000$1"; }

# Configured PSKs: hosts 1 and 2 SHA-256 (hh 01), 3 SHA-384 (02), 4 hh 00
# with 48 bytes (so SHA-384); host 5 has none.  Bad ones for the errors.
/usr/bin/python3 - "$d" <<'EOF'
import base64, sys, target_tls as tt
d = sys.argv[1]
def w(name, text):
    open("%s/%s" % (d, name), "w").write(text + "\n")
for name, hh, n in (("1", 1, None), ("2", 1, None), ("3", 2, None),
                    ("4", 0, 48), ("other", 1, None)):
    w(name + ".key", tt.new_psk(hh, n)[0])
good = tt.new_psk(1)[0]
raw = bytearray(base64.b64decode(good.split(":")[2]))
raw[0] ^= 0xFF
w("badcrc.key", "NVMeTLSkey-1:01:%s:" % base64.b64encode(bytes(raw)).decode())
w("badhh.key", good.replace(":01:", ":03:"))
EOF
chmod 600 "$d"/*.key
psk () { cat "$d/$1.key"; }
secret () { cut -d: -f3 "$d/$1.key"; }

p1=$(free_port)
p2=$(free_port)
p3=$(free_port)
while [ "$p2" = "$p1" ]; do p2=$(free_port); done
while [ "$p3" = "$p1" ] || [ "$p3" = "$p2" ]; do p3=$(free_port); done

# Port 1 requires TLS (tsas alone: TREQ becomes "required", as nvmet), with
# a referral to port 2, where TLS is optional; port 3 is plain.
cat >"$d/tls.json" <<EOF
{
  "hosts": [
    { "nqn": "$(host 1)", "tls_key": "$(psk 1)" },
    { "nqn": "$(host 2)", "tls_key": "$(psk 2)" },
    { "nqn": "$(host 3)", "tls_key": "$(psk 3)",
      "dhchap": { "key": "", "ctrl_key": "", "hash": "hmac(sha256)",
                  "dhgroup": "null" } },
    { "nqn": "$(host 4)", "tls_key": "$(psk 4)" },
    { "nqn": "$(host 5)" }
  ],
  "ports": [
    { "portid": 1,
      "addr": { "trtype": "tcp", "adrfam": "ipv4", "traddr": "127.0.0.1",
                "trsvcid": "$p1", "treq": "not specified",
                "tsas": "tls1.3" },
      "subsystems": [ "$sub", "$only" ],
      "referrals": [ { "name": "2", "enable": 1,
        "addr": { "trtype": "tcp", "adrfam": "ipv4", "traddr": "127.0.0.1",
                  "trsvcid": "$p2", "treq": "not required",
                  "tsas": "tls1.3", "portid": "2" } } ] },
    { "portid": 2,
      "addr": { "trtype": "tcp", "adrfam": "ipv4", "traddr": "127.0.0.1",
                "trsvcid": "$p2", "treq": "not required",
                "tsas": "tls1.3" },
      "subsystems": [ "$sub" ], "referrals": [] },
    { "portid": 3,
      "addr": { "trtype": "tcp", "adrfam": "ipv4", "traddr": "127.0.0.1",
                "trsvcid": "$p3", "treq": "not specified", "tsas": "none" },
      "subsystems": [ "$open" ], "referrals": [] }
  ],
  "subsystems": [
    { "nqn": "$sub", "attr": { "allow_any_host": "0" },
      "allowed_hosts": [ "$(host 1)", "$(host 2)", "$(host 3)", "$(host 4)",
                         "$(host 5)" ],
      "namespaces": [ { "nsid": 1, "enable": 1,
                        "device": { "path": "ram:16M" } } ] },
    { "nqn": "$only", "attr": { "allow_any_host": "0" },
      "allowed_hosts": [ "$(host 1)" ],
      "namespaces": [ { "nsid": 1, "enable": 1,
                        "device": { "path": "ram:1M" } } ] },
    { "nqn": "$open", "attr": { "allow_any_host": "1" },
      "namespaces": [ { "nsid": 1, "enable": 1,
                        "device": { "path": "ram:1M" } } ] }
  ]
}
EOF
chmod 600 "$d/tls.json"

start_target -v -l "127.0.0.1:$p1" -c "$d/tls.json"

with_timeout 180 /usr/bin/python3 - "$d" "$p1" "$p2" "$p3" "$sub" "$only" \
  "$open" <<'EOF'
import os, socket, struct, sys, time
from target_client import *
import target_tls as tt

d = sys.argv[1]
P1, P2, P3 = (int(p) for p in sys.argv[2:5])
SUB, ONLY, OPEN = sys.argv[5:8]
INVALID_HOST, INVALID_PARAM = 0x184, 0x182
IATTR = 1 << 16

def host(n):
    return "nqn.2014-08.org.nvmexpress:uuid:7e570000-0000-0000-0000-00000000000%d" % n

def psk(n):
    return open("%s/%s.key" % (d, n)).read()

derived = []   # every TLS PSK used, to make sure the log shows none

def tls(port, n, version=0, sub=SUB, key=None, **kw):
    ident, k, h = tt.tls_psk(psk(n), version, host(n), sub)
    derived.append(k.hex())
    return tt.TlsConn(port, ident, key or k, h, **kw)

def handshake_refused(c):
    """The handshake fails: s_client gives up, no ICResp comes."""
    try:
        c.icreq()
        ok = False
    except (EOFError, ConnectionResetError, OSError):
        ok = c.exited() not in (None, 0)
    c.close()
    return ok

def plain_closed(port):
    """A plain ICReq: the target closes without a word."""
    c = Conn(port)
    c.send(c.pdu(ICREQ, struct.pack("<HBBI", 0, 0, 0, 0) + bytes(112),
                  hd=False, dd=False))
    got = b""
    try:
        while True:
            chunk = c.s.recv(4096)
            if not chunk:
                break
            got += chunk
    except ConnectionResetError:
        pass
    c.close()
    return got == b""

def admin(c, n, sub=SUB):
    c.icreq()
    cq = c.connect(sub, hostnqn=host(n))
    if cq.status == 0:
        c.enable()
    return cq

# A client that connects and says nothing: it holds no one up, and is
# closed after the handshake time limit (10 s).
silent = socket.create_connection(("127.0.0.1", P1))
silent_since = time.monotonic()
# After a handshake, the ICReq and then the Connect are due within
# --connect-timeout (10 s by default) each: one client sends no ICReq,
# one stops after it.
tls_silent = tls(P1, 1, 1)
tls_icreq = tls(P1, 1, 1)
tls_icreq.icreq()

# ---- the data path over TLS, every hash and identity version -----------
slba = 0
for n, version, suite in ((1, 0, "SHA256"), (1, 1, "SHA256"),
                          (3, 0, "SHA384"), (3, 1, "SHA384"),
                          (4, 0, "SHA384"), (4, 1, "SHA384")):
    what = "host %d, identity version %d, %s" % (n, version, suite)
    a = tls(P1, n, version)
    cq = admin(a, n)
    check(cq.status == 0, "%s: admin Connect over TLS" % what)
    c, ident = a.identify(1)
    check(c.status == 0 and len(ident) == 4096 and
          ident[4:24].decode().strip() != "", "%s: Identify" % what)
    q = tls(P1, n, version, hdgst=True, ddgst=True)
    q.icreq()
    cq = q.connect(SUB, qid=1, cntlid=cq.dw0 & 0xFFFF, hostnqn=host(n))
    check(cq.status == 0, "%s: I/O Connect over TLS (digests on)" % what)
    small, big = os.urandom(4096), os.urandom(128 * 1024)
    check(q.write(1, slba, small).status == 0, "%s: in-capsule write" % what)
    check(q.write(1, slba + 8, big, inline=False).status == 0,
          "%s: 128 KiB write by R2T" % what)
    c1, r1 = q.read(1, slba, 8)
    c2, r2 = q.read(1, slba + 8, 256)
    check(c1.status == 0 and r1 == small and c2.status == 0 and r2 == big,
          "%s: read back" % what)
    slba += 264
    q.close()
    a.close()
check(time.monotonic() - silent_since < 10,
      "all that while a silent client held a connection (handshakes run in "
      "each connection's thread)")

# A PSK as nvme-cli up to 2.15 derived it (--compat): a version 1
# identity tells it by its digest; version 0 cannot.
ident, k, h = tt.tls_psk(psk(2), 1, host(2), SUB, compat=True)
a = tt.TlsConn(P1, ident, k, h)
check(admin(a, 2).status == 0, "a version 1 PSK derived as --compat: fine")
a.close()
open(d + "/compat.id", "w").write(ident)
ident, k, h = tt.tls_psk(psk(2), 0, host(2), SUB, compat=True)
check(handshake_refused(tt.TlsConn(P1, ident, k, h)),
      "a version 0 PSK derived as --compat: handshake refused")

# ---- a plain host on TLS ports -------------------------------------------
check(plain_closed(P1), "plain ICReq on the TLS-required port: closed, no ICResp")
c, cntlid = admin_session(P2, SUB, hostnqn=host(5))
check(cntlid > 0, "TLS-optional port: a plain host connects")
c.close()
a = tls(P2, 2)
check(admin(a, 2).status == 0, "TLS-optional port: a TLS host connects")
# A plain I/O queue may not join a controller whose admin queue uses TLS.
a2 = tls(P2, 2)
cq = admin(a2, 2)
q = Conn(P2)
q.icreq()
cq2 = q.connect(SUB, qid=1, cntlid=cq.dw0 & 0xFFFF, hostnqn=host(2))
check(cq2.status == INVALID_HOST,
      "plain I/O queue into a TLS controller: refused (%r)" % cq2)
for x in (q, a, a2):
    x.close()
# A subsystem only on TLS-required ports cannot be reached in plain.
c = Conn(P2)
c.icreq()
cq = c.connect(ONLY, hostnqn=host(1))
check(cq.status == INVALID_PARAM and cq.dw0 == IATTR | 256,
      "plain Connect to a subsystem only on a TLS-required port: refused")
c.close()

# ---- refused handshakes ---------------------------------------------------
check(handshake_refused(tt.TlsConn(P1, tt.identity(0, 1, host(5), SUB),
                                   os.urandom(32), 1)),
      "identity of a host without a PSK: handshake refused")
check(handshake_refused(tt.TlsConn(P1, "Client_identity", os.urandom(32), 1)),
      "not an NVMe identity: handshake refused")
check(handshake_refused(tls(P1, 1, sub=OPEN)),
      "identity of a subsystem the port does not serve: handshake refused")
check(handshake_refused(tls(P1, 2, key=os.urandom(32))),
      "wrong PSK, identity version 0: handshake refused")
ident, k, h = tt.tls_psk(psk("other"), 1, host(2), SUB)
check(handshake_refused(tt.TlsConn(P1, ident, k, h)),
      "wrong PSK, identity version 1: handshake refused")
check(handshake_refused(tt.TlsConn(P1, tt.identity(0, 2, host(1), SUB),
                                   os.urandom(48), 2)),
      "identity with the wrong hash: handshake refused")

# ---- the identity binds the Connect ---------------------------------------
a = tls(P1, 1)
a.icreq()
cq = a.connect(SUB, hostnqn=host(2))
check(cq.status == INVALID_HOST and cq.dw0 == IATTR | 512,
      "identity of host 1, Connect as host 2: Invalid Host (%r)" % cq)
a.close()
a = tls(P1, 1)
a.icreq()
cq = a.connect(ONLY, hostnqn=host(1))
check(cq.status == INVALID_PARAM and cq.dw0 == IATTR | 256,
      "identity for one subsystem, Connect to another: Invalid Parameter")
a.close()
a = tls(P1, 1, sub=ONLY)
check(admin(a, 1, ONLY).status == 0, "identity for the other subsystem: fine")
a.close()

# ---- discovery: TREQ and TSAS; over TLS ----------------------------------
def disc_log(c):
    cq, log = c.get_log(0x70, 8192)
    check(cq.status == 0, "Get Log Page (discovery)")
    n = struct.unpack("<Q", log[8:16])[0]
    return [{"subtype": log[1024 * (i + 1) + 2],
             "treq": log[1024 * (i + 1) + 3],
             "trsvcid": log[1024 * (i + 1) + 32:1024 * (i + 1) + 64]
                        .decode().strip(),
             "subnqn": log[1024 * (i + 1) + 256:1024 * (i + 2) - 512]
                       .split(b"\0")[0].decode(),
             "sectype": log[1024 * (i + 1) + 768]} for i in range(n)]

a = tls(P1, 1, sub=DISC_NQN)
check(admin(a, 1, DISC_NQN).status == 0, "discovery Connect over TLS")
es = disc_log(a)
a.close()
own = [e for e in es if e["subtype"] != 1]
ref = [e for e in es if e["subtype"] == 1]
check(sorted(e["subnqn"] for e in own) == sorted([DISC_NQN, SUB, ONLY]),
      "TLS port's discovery log lists its subsystems")
check(all(e["treq"] & 3 == 1 and e["sectype"] == 2 for e in own),
      "TLS-required port: TREQ required, TSAS TLS 1.3")
check(len(ref) == 1 and ref[0]["trsvcid"] == str(P2) and
      ref[0]["treq"] & 3 == 2 and ref[0]["sectype"] == 2,
      "referral to the TLS-optional port: TREQ not required, TSAS TLS 1.3")
c, _ = admin_session(P2, DISC_NQN, hostnqn=host(5))
es = disc_log(c)
c.close()
check(all(e["treq"] & 3 == 2 and e["sectype"] == 2 for e in es),
      "TLS-optional port, plain discovery: TREQ not required, TSAS TLS 1.3")
c, _ = admin_session(P3, DISC_NQN, hostnqn=host(5))
es = disc_log(c)
c.close()
check(all(e["treq"] & 3 == 0 and e["sectype"] == 0 for e in es),
      "plain port: TREQ not specified, TSAS none")

# ---- the silent client ------------------------------------------------------
left = max(1, 15 - (time.monotonic() - silent_since))
silent.settimeout(left)
try:
    gone = silent.recv(1) == b""
except ConnectionResetError:
    gone = True
except socket.timeout:
    gone = False
check(gone, "a client silent for 10 s is closed (after %.1f s)" %
      (time.monotonic() - silent_since))
silent.close()
for c, what, want in ((tls_silent, "no ICReq", None),
                      (tls_icreq, "an ICReq but no Connect", 2)):
    closed, fes = c.closed_by_peer(
        max(1, 18 - (time.monotonic() - silent_since)))
    check(closed and fes == want,
          "a TLS client that sent %s is closed (C2HTermReq FES %s, after "
          "%.1f s)" % (what, fes, time.monotonic() - silent_since))
    c.close()

open(d + "/derived.hex", "w").write("\n".join(derived) + "\n")
EOF

log=$TARGET_LOG
expect_log ()
{
  grep -qF -- "$1" "$log" || { cat "$log" >&2; fail "the log lacks: $1"; }
  echo "ok: logged: $1"
}
for v in 0 1; do
  expect_log "TLS 1.3 with TLS_AES_128_GCM_SHA256, PSK identity 'NVMe${v}R01 $(host 1) $sub"
  expect_log "TLS 1.3 with TLS_AES_256_GCM_SHA384, PSK identity 'NVMe${v}R02 $(host 3) $sub"
  expect_log "TLS 1.3 with TLS_AES_256_GCM_SHA384, PSK identity 'NVMe${v}R02 $(host 4) $sub"
done
expect_log "PSK identity '$(cat "$d/compat.id")' (derived as nvme-cli's --compat)"
expect_log "port 1 requires TLS, but the host sent a plain ICReq: closed"
expect_log "host $(host 5) has no TLS PSK"
expect_log "PSK identity 'Client_identity' refused"
expect_log "port 1 serves no subsystem $open"
grep "TLS handshake" "$log" | grep -qF "'NVMe0R01 $(host 2) $sub'" ||
  { cat "$log" >&2; fail "the log lacks the failed handshake of host 2"; }
echo "ok: logged: the failed handshake with host 2's identity (a wrong PSK)"
expect_log "its PSK digest does not match the PSK of host $(host 2)"
expect_log "it asks for SHA-384, but the PSK of host $(host 1) is a SHA-256 one"
expect_log "Connect as host $(host 2) refused: the TLS PSK identity is host $(host 1)'s"
expect_log "Connect to $only refused: the TLS PSK identity names subsystem $sub"
expect_log "whose admin queue uses TLS: refused"
expect_log "nothing received within 10 s of connecting: closed"
expect_log "no ICReq within 10 s: closed"
expect_log "no Connect within 10 s of the ICResp: closed"
for k in 1 2 3 4; do
  if grep -qF -- "$(secret "$k")" "$log"; then
    fail "the log shows the configured PSK of host $k"
  fi
done
if grep -qiF -f "$d/derived.hex" "$log"; then
  fail "the log shows a derived TLS PSK"
fi
echo "ok: no key material in the log"
stop_target

# ---- the quick options ----------------------------------------------------
start_target -v --tls-optional --tls-key "$(host 1)=+$d/1.key" --ram 16M \
  -n "$sub"
with_timeout 60 /usr/bin/python3 - "$d" "$TARGET_PORT" "$sub" <<'EOF'
import sys
from target_client import *
import target_tls as tt

d, port, SUB = sys.argv[1], int(sys.argv[2]), sys.argv[3]
def host(n):
    return "nqn.2014-08.org.nvmexpress:uuid:7e570000-0000-0000-0000-00000000000%d" % n

ident, k, h = tt.tls_psk(open(d + "/1.key").read(), 1, host(1), SUB)
c = tt.TlsConn(port, ident, k, h)
c.icreq()
check(c.connect(SUB, hostnqn=host(1)).status == 0,
      "--tls-optional --tls-key: TLS works")
c.close()
c = Conn(port)
c.icreq()
check(c.connect(SUB, hostnqn=host(1)).status == 0,
      "--tls-optional: the host may connect in plain too")
c.close()
c = Conn(port)
c.icreq()
check(c.connect(SUB, hostnqn=host(5)).status == 0x184,
      "--tls-key allows its host only")
c.close()
c, _ = admin_session(port, DISC_NQN, hostnqn=host(1))
cq, log = c.get_log(0x70, 4096)
check(cq.status == 0 and log[1024 + 3] & 3 == 2 and log[1024 + 768] == 2,
      "--tls-optional: discovery log TREQ not required, TSAS TLS 1.3")
c.close()
EOF
stop_target

# --tls, and the PSK from standard input.
qp=$(free_port)
"$t" -f -v -P "$d/q.pid" -l "127.0.0.1:$qp" --tls \
  --tls-key "$(host 3)=-" --ram 1M <"$d/3.key" >"$d/q.log" 2>&1 &
qpid=$!
stop_q () { kill "$qpid" 2>/dev/null || true; }
cleanup_fn stop_q
wait_for_pidfile "$d/q.pid" 30 "$qpid" ||
  { cat "$d/q.log" >&2; fail "--tls --tls-key NQN=- did not start"; }
with_timeout 60 /usr/bin/python3 - "$d" "$qp" <<'EOF'
import struct, sys
from target_client import *
import target_tls as tt

d, port = sys.argv[1], int(sys.argv[2])
SUB = "nqn.2026-11.io.nvmeof:target"
HOST3 = "nqn.2014-08.org.nvmexpress:uuid:7e570000-0000-0000-0000-000000000003"
ident, k, h = tt.tls_psk(open(d + "/3.key").read(), 0, HOST3, SUB)
c = tt.TlsConn(port, ident, k, h)
c.icreq()
if c.connect(SUB, hostnqn=HOST3).status != 0:
    sys.exit("FAIL: --tls --tls-key NQN=- (SHA-384)")
c.close()
print("ok: --tls with --tls-key NQN=- (a SHA-384 PSK)")
c = Conn(port)
c.send(c.pdu(ICREQ, struct.pack("<HBBI", 0, 0, 0, 0) + bytes(112),
              hd=False, dd=False))
try:
    if c.s.recv(4096) != b"":
        sys.exit("FAIL: --tls: a plain ICReq got an answer")
except ConnectionResetError:
    pass
print("ok: --tls: a plain ICReq is closed")
EOF
kill "$qpid"
wait "$qpid" || true
grep -qF "TLS 1.3 with TLS_AES_256_GCM_SHA384" "$d/q.log" ||
  { cat "$d/q.log" >&2; fail "--tls: the cipher is not logged"; }
if grep -qF -- "$(secret 3)" "$d/q.log"; then
  fail "the log shows the PSK read from standard input"
fi

# ---- errors: one line, naming the host and option, never the key --------
# expect_error "PATTERN" KEY ARGS..: exit 1, one line on stderr matching
# PATTERN, without the key KEY (- for none).
expect_error ()
{
  local pat=$1 key=$2 rc=0
  shift 2
  with_timeout 10 "$t" -f "$@" >"$d/out" 2>"$d/err" </dev/null || rc=$?
  [ "$rc" = 1 ] || { cat "$d/err" >&2; fail "'$*' exited with $rc, not 1"; }
  [ "$(wc -l <"$d/err")" = 1 ] ||
    { cat "$d/err" >&2; fail "'$*' printed more than one line"; }
  grep -q -- "$pat" "$d/err" ||
    { cat "$d/err" >&2; fail "'$*': message does not mention '$pat'"; }
  if [ "$key" != - ] && grep -qF -- "$(secret "$key")" "$d/err"; then
    fail "'$*': the message shows the key"
  fi
  echo "ok: $(cat "$d/err")"
}
h1=$(host 1)
expect_error "--tls-key: expected NQN=+FILE or NQN=-" - --tls --tls-key "$h1"
expect_error "--tls-key: host $h1: give the secret as NQN=+FILE" 1 \
  --tls --tls-key "$h1=$(psk 1)"
expect_error "--tls-key: host $h1: $d/nonexistent: No such file" - \
  --tls --tls-key "$h1=+$d/nonexistent"
expect_error "--tls-key: host $h1: " badcrc --tls --tls-key "$h1=+$d/badcrc.key"
expect_error "--tls-key: host $h1: " badhh --tls --tls-key "$h1=+$d/badhh.key"
expect_error "--tls-key: host $h1: given twice" - \
  --tls --tls-key "$h1=+$d/1.key" --tls-key "$h1=+$d/2.key"
expect_error "--tls and --tls-optional exclude each other" - \
  --tls --tls-optional --tls-key "$h1=+$d/1.key"
expect_error "port 1 offers TLS, but no host has a TLS PSK" - --tls
expect_error "--tls-key needs --tls or --tls-optional" - \
  --tls-key "$h1=+$d/1.key"
expect_error "cannot be combined with --config" - -c "$d/tls.json" --tls
# Configuration files.
json ()
{
  cat >"$d/e.json" <<EOF
{ "hosts": [ { "nqn": "$h1" $1 } ],
  "subsystems": [ { "nqn": "$sub" } ],
  "ports": [ { "portid": 7, "addr": { "trtype": "tcp", "adrfam": "ipv4",
    "traddr": "127.0.0.1", "trsvcid": "$p1" $2 }, "subsystems": [ "$sub" ] } ] }
EOF
  chmod 600 "$d/e.json"
}
json "" ', "tsas": "tls1.2"'
expect_error "ports\[0\]: 'addr.tsas' must be 'none' or 'tls1.3', got 'tls1.2'" \
  - -c "$d/e.json"
json "" ', "treq": "required", "tsas": "none"'
expect_error "ports\[0\]: 'addr.treq' is 'required', but 'addr.tsas' is not 'tls1.3'" \
  - -c "$d/e.json"
json ", \"tls_key\": \"$(psk badcrc)\"" ', "tsas": "tls1.3"'
expect_error "hosts\[0\]: host $h1: 'tls_key' is not a valid TLS PSK" badcrc \
  -c "$d/e.json"
json "" ', "tsas": "tls1.3"'
expect_error "port 7 offers TLS, but no host has a TLS PSK" - -c "$d/e.json"
# A file with PSKs that others can read draws a warning.
json ", \"tls_key\": \"$(psk 1)\"" ', "tsas": "tls1.3"'
sed -i 's/127.0.0.1/192.0.2.1/' "$d/e.json"
chmod 644 "$d/e.json"
"$t" -f -c "$d/e.json" >"$d/out" 2>"$d/err" </dev/null && fail "192.0.2.1 listened"
grep -q "warning: $d/e.json holds TLS PSKs and is readable by group or others" \
  "$d/err" || { cat "$d/err" >&2; fail "no warning for a 0644 file with PSKs"; }
echo "ok: a 0644 file with PSKs draws a warning"
