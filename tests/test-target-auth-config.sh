#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# nvmeof-target DH-HMAC-CHAP configuration: a file in the exact shape
# "nvmetcli save" writes for hosts with secrets loads and its hosts
# authenticate; the quick options (--dhchap-key NQN=+FILE or NQN=-,
# --dhchap-ctrl-key, --dhchap-hash, --dhchap-dhgroup) work; a bad secret
# or attribute, in a file or an option, stops the target with one line
# that names the host and the attribute but never shows the secret; files
# others can read draw a warning.
source "${abs_srcdir:-$(dirname "$0")}/functions.sh"
set -e -u -o pipefail
requires_target
requires test -x /usr/bin/python3
# The raw NVMe/TCP client (target_client.py); no .pyc in the source tree.
export PYTHONPATH=$abs_srcdir PYTHONDONTWRITEBYTECODE=1

t=$NVMEOF_TARGET
d=$(tmpdir)
sub=nqn.2026-11.io.test:auth
h1=nqn.2014-08.org.nvmexpress:uuid:11111111-0000-0000-0000-000000000001
h2=nqn.2014-08.org.nvmexpress:uuid:22222222-0000-0000-0000-000000000002
h3=nqn.2014-08.org.nvmexpress:uuid:33333333-0000-0000-0000-000000000003

# Good secrets, and bad ones: a wrong CRC, a wrong length, a wrong prefix,
# a transform that does not exist.
/usr/bin/python3 - "$d" <<'EOF'
import base64, os, sys, target_auth as ta
d = sys.argv[1]
def w(name, text):
    open("%s/%s" % (d, name), "w").write(text + "\n")
w("k1", ta.new_secret(1))
w("k1c", ta.new_secret(3))
w("k2", ta.new_secret(2))
good = ta.new_secret(0)
raw = bytearray(base64.b64decode(good.split(":")[2]))
raw[-1] ^= 0xFF
w("badcrc", "DHHC-1:00:%s:" % base64.b64encode(bytes(raw)).decode())
w("badlen", ta.make_secret(0, os.urandom(40)))
w("badprefix", good.replace("DHHC-1", "DHHC-2"))
w("badhmac", good.replace(":00:", ":07:"))
EOF
chmod 600 "$d"/k* "$d"/bad*
secret () { cut -d: -f3 "$d/$1"; }

# expect_error "PATTERN" SECRET-FILE ARGS..: exit 1, one line on stderr
# matching PATTERN, without the secret in SECRET-FILE (- for none).
expect_error ()
{
  local pat=$1 sfile=$2 rc=0
  shift 2
  with_timeout 10 "$t" -f "$@" >"$d/out" 2>"$d/err" </dev/null || rc=$?
  [ "$rc" = 1 ] || { cat "$d/err" >&2; fail "'$*' exited with $rc, not 1"; }
  [ "$(wc -l <"$d/err")" = 1 ] ||
    { cat "$d/err" >&2; fail "'$*' printed more than one line"; }
  grep -q -- "$pat" "$d/err" ||
    { cat "$d/err" >&2; fail "'$*': message does not mention '$pat'"; }
  if [ "$sfile" != - ] && grep -qF -- "$(secret "$sfile")" "$d/err"; then
    fail "'$*': the message shows the secret"
  fi
  echo "ok: $(cat "$d/err")"
}

# ---- options --------------------------------------------------------------
expect_error "--dhchap-key: expected NQN=+FILE or NQN=-" - --dhchap-key "$h1"
expect_error "--dhchap-key: expected NQN=+FILE or NQN=-" - --dhchap-key "=+$d/k1"
lit=$(cat "$d/k1")
expect_error "--dhchap-key: host $h1: give the secret as NQN=+FILE" k1 \
  --dhchap-key "$h1=$lit"
expect_error "--dhchap-ctrl-key: host $h1: give the secret" k1 \
  --dhchap-key "$h1=+$d/k1" --dhchap-ctrl-key "$h1=$lit"
expect_error "--dhchap-key: host $h1: $d/nonexistent: No such file" - \
  --dhchap-key "$h1=+$d/nonexistent"
for bad in badcrc badlen badprefix badhmac; do
  expect_error "--dhchap-key: host $h1: " "$bad" --dhchap-key "$h1=+$d/$bad"
done
expect_error "--dhchap-ctrl-key: host $h1: " badcrc \
  --dhchap-key "$h1=+$d/k1" --dhchap-ctrl-key "$h1=+$d/badcrc"
expect_error "--dhchap-key: host $h1: given twice" - \
  --dhchap-key "$h1=+$d/k1" --dhchap-key "$h1=+$d/k2"
expect_error "--dhchap-hash: expected hmac(sha256), hmac(sha384) or hmac(sha512), got 'md5'" - \
  --dhchap-hash md5
expect_error "--dhchap-dhgroup: expected null, ffdhe2048" - \
  --dhchap-dhgroup ffdhe1024
expect_error "--dhchap-ctrl-key: host $h1 has no --dhchap-key" - \
  --dhchap-ctrl-key "$h1=+$d/k1c"
expect_error "--dhchap-hash needs --dhchap-key" - --dhchap-hash 'hmac(sha384)'
expect_error "cannot be combined with --config" - -c /dev/null \
  --dhchap-key "$h1=+$d/k1"
# A bad secret on standard input: one line, without the secret.
rc=0
with_timeout 10 "$t" -f --dhchap-key "$h1=-" <"$d/badcrc" >"$d/out" 2>"$d/err" || rc=$?
[ "$rc" = 1 ] && [ "$(wc -l <"$d/err")" = 1 ] &&
  grep -q "host $h1: " "$d/err" && ! grep -qF "$(secret badcrc)" "$d/err" ||
  { cat "$d/err" >&2; fail "bad secret on standard input"; }
echo "ok: $(cat "$d/err")"
rc=0
with_timeout 10 "$t" -f --dhchap-key "$h1=-" --dhchap-ctrl-key "$h1=-" \
  <"$d/k1" >"$d/out" 2>"$d/err" || rc=$?
[ "$rc" = 1 ] && grep -q "standard input can give only one secret" "$d/err" ||
  { cat "$d/err" >&2; fail "two secrets from standard input"; }
echo "ok: $(cat "$d/err")"

# ---- JSON -----------------------------------------------------------------
# json HOSTS-JSON: a file with one subsystem that allows h1 and h2.
json ()
{
  cat <<EOF
{
  "hosts": [ $1 ],
  "ports": [ { "addr": { "adrfam": "ipv4", "traddr": "127.0.0.1",
               "treq": "not specified", "trsvcid": "4420", "trtype": "tcp" },
               "portid": 1, "referrals": [], "subsystems": [ "$sub" ] } ],
  "subsystems": [ { "allowed_hosts": [ "$h1", "$h2" ],
                    "attr": { "allow_any_host": "0" }, "namespaces": [],
                    "nqn": "$sub" } ]
}
EOF
}
bad_json ()
{
  local pat=$1 sfile=$2
  json "$3" >"$d/bad.json"
  chmod 600 "$d/bad.json"
  expect_error "$pat" "$sfile" -c "$d/bad.json"
}
bad_json "bad.json: hosts\[0\]: host $h1: 'dhchap.key' is not a valid secret: " badcrc \
  "{ \"nqn\": \"$h1\", \"dhchap\": { \"key\": \"$(cat "$d/badcrc")\" } }"
bad_json "hosts\[0\]: host $h1: 'dhchap_key' is not a valid secret: " badlen \
  "{ \"nqn\": \"$h1\", \"dhchap_key\": \"$(cat "$d/badlen")\" }"
bad_json "hosts\[1\]: host $h2: 'dhchap.ctrl_key' is not a valid secret: " badprefix \
  "{ \"nqn\": \"$h1\" }, { \"nqn\": \"$h2\", \"dhchap\": { \"key\": \"$(cat "$d/k2")\", \"ctrl_key\": \"$(cat "$d/badprefix")\" } }"
bad_json "hosts\[0\]: host $h1: 'dhchap.hash' must be hmac(sha256)" - \
  "{ \"nqn\": \"$h1\", \"dhchap\": { \"hash\": \"sha1\" } }"
bad_json "hosts\[0\]: host $h1: 'dhchap_dhgroup' must be null, ffdhe2048" - \
  "{ \"nqn\": \"$h1\", \"dhchap_dhgroup\": \"modp2048\" }"
bad_json "hosts\[0\]: 'dhchap_key' and 'dhchap.key' are both given" - \
  "{ \"nqn\": \"$h1\", \"dhchap_key\": \"\", \"dhchap\": { \"key\": \"\" } }"
bad_json "hosts\[1\]: host '$h1' is defined twice" - \
  "{ \"nqn\": \"$h1\" }, { \"nqn\": \"$h1\" }"
bad_json "hosts\[0\]: 'dhchap' must be an object" - \
  "{ \"nqn\": \"$h1\", \"dhchap\": \"x\" }"

# The exact shape of "nvmetcli save" (keys sorted, attributes nested by
# configfs group, unset values as ""), readable by others: a warning.
cat >"$d/nvmet.json" <<EOF
{
  "hosts": [
    {
      "dhchap": {
        "ctrl_key": "$(cat "$d/k1c")",
        "dhgroup": "ffdhe2048",
        "hash": "hmac(sha384)",
        "key": "$(cat "$d/k1")"
      },
      "nqn": "$h1"
    },
    {
      "dhchap": {
        "ctrl_key": "",
        "dhgroup": "null",
        "hash": "hmac(sha256)",
        "key": ""
      },
      "nqn": "$h2"
    }
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
      "referrals": [],
      "subsystems": [ "$sub" ]
    }
  ],
  "subsystems": [
    {
      "allowed_hosts": [ "$h1", "$h2" ],
      "attr": {
        "allow_any_host": "0",
        "cntlid_max": "65519",
        "cntlid_min": "1",
        "model": "Linux",
        "pi_enable": "0",
        "qid_max": "128",
        "serial": "0123456789abcdef",
        "version": "1.3"
      },
      "namespaces": [
        {
          "ana_grpid": 1,
          "device": {
            "nguid": "00000000-0000-0000-0000-000000000000",
            "path": "ram:4M",
            "uuid": "6c1f8f26-8d94-46a1-9e2f-7f5a1c2d3e4f"
          },
          "enable": 1,
          "nsid": 1
        }
      ],
      "nqn": "$sub"
    }
  ]
}
EOF
chmod 644 "$d/nvmet.json"
start_target -c "$d/nvmet.json"
grep -q "warning: $d/nvmet.json holds DH-HMAC-CHAP secrets and is readable by group or others" \
  "$TARGET_LOG" || { cat "$TARGET_LOG"; fail "no warning for a readable file"; }
! grep -qF "$(secret k1)" "$TARGET_LOG" || fail "the log shows a secret"
echo "ok: a readable file draws a warning"

with_timeout 60 /usr/bin/python3 - "$TARGET_PORT" "$d" "$sub" "$h1" "$h2" <<'EOF'
import sys
from target_client import *
import target_auth as ta

port, d, SUB, H1, H2 = int(sys.argv[1]), sys.argv[2], sys.argv[3], \
    sys.argv[4], sys.argv[5]
key = lambda n: open("%s/%s" % (d, n)).read()

h = ta.Host(H1, SUB, key("k1"), key("k1c"))
c = Conn(port); c.icreq()
cq = c.connect(SUB, hostnqn=H1)
check(cq.status == 0 and cq.dw0 & ta.ATR, "nvmetcli file: ATR for h1")
r, det = h.authenticate(c)
check(r == "ok" and det == {"hashid": ta.SHA384, "dhgid": ta.FFDHE2048,
                            "bidi": True},
      "nvmetcli file: h1 authenticates (hmac(sha384), ffdhe2048, bidirectional)")
c.enable()
check(c.identify(1)[0].status == 0, "and is served")
c = Conn(port); c.icreq()
cq = c.connect(SUB, hostnqn=H2)
check(cq.status == 0 and not cq.dw0 & ta.ATR, "nvmetcli file: h2 (empty key) needs no authentication")
EOF
stop_target

# ---- the quick options, with a secret from standard input ---------------
chmod 644 "$d/k2"
start_target --ram 4M -n "$sub" --dhchap-key "$h1=+$d/k1" \
  --dhchap-ctrl-key "$h1=+$d/k1c" --dhchap-key "$h2=+$d/k2" \
  --dhchap-hash 'hmac(sha512)' --dhchap-dhgroup ffdhe3072 --allow-host "$h3"
grep -q "warning: --dhchap-key: $d/k2 is readable by group or others" \
  "$TARGET_LOG" || { cat "$TARGET_LOG"; fail "no warning for a readable secret"; }
echo "ok: a readable secret's file draws a warning"
with_timeout 60 /usr/bin/python3 - "$TARGET_PORT" "$d" "$sub" "$h1" "$h2" "$h3" <<'EOF'
import sys
from target_client import *
import target_auth as ta

port, d, SUB, H1, H2, H3 = int(sys.argv[1]), sys.argv[2], sys.argv[3], \
    sys.argv[4], sys.argv[5], sys.argv[6]
key = lambda n: open("%s/%s" % (d, n)).read()
def connect(hostnqn):
    c = Conn(port); c.icreq()
    return c, c.connect(SUB, hostnqn=hostnqn)

c, cq = connect(H1)
r, det = ta.Host(H1, SUB, key("k1"), key("k1c")).authenticate(c)
check(r == "ok" and det == {"hashid": ta.SHA512, "dhgid": ta.FFDHE3072,
                            "bidi": True},
      "options: h1 authenticates (hmac(sha512), ffdhe3072, bidirectional)")
c, cq = connect(H2)
check(cq.dw0 & ta.ATR and
      ta.Host(H2, SUB, key("k2")).authenticate(c)[0] == "ok",
      "options: h2 authenticates one-way")
c, cq = connect(H3)
check(cq.status == 0 and not cq.dw0 & ta.ATR, "options: --allow-host h3 needs no authentication")
c, cq = connect("nqn.2014-08.org.nvmexpress:uuid:44444444-0000-0000-0000-000000000004")
check(cq.status == 0x184, "options: other hosts are refused")
EOF
stop_target

# Standard input (start_target gives the target /dev/null).
port=$(free_port)
"$t" -f -P "$d/stdin.pid" -l "127.0.0.1:$port" -n "$sub" --ram 1M \
  --dhchap-key "$h1=-" <"$d/k1" >"$d/stdin.log" 2>&1 &
pid=$!
cleanup_fn _stop_child "$pid" "$d/stdin.log" "nvmeof-target (stdin)"
wait_for_pidfile "$d/stdin.pid" 30 "$pid" ||
  { cat "$d/stdin.log"; fail "the target with a secret on stdin did not start"; }
with_timeout 30 /usr/bin/python3 - "$port" "$d" "$sub" "$h1" <<'EOF'
import sys
from target_client import *
import target_auth as ta
port, d, SUB, H1 = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
c = Conn(port); c.icreq()
cq = c.connect(SUB, hostnqn=H1)
r, _ = ta.Host(H1, SUB, open(d + "/k1").read()).authenticate(c)
if not (cq.dw0 & ta.ATR and r == "ok"):
    sys.exit("FAIL: secret from standard input")
print("ok: a secret from standard input")
EOF
