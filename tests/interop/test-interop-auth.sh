#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Interop tier, step 3: in-band authentication (DH-HMAC-CHAP) against the
# Linux kernel's target.  Debian 12's kernel has none, so this test boots
# Debian 13's 6.12 (NVMEOF_INTEROP_SUITE=trixie: fetch-kernel.sh gets it
# through a private apt configuration), once, with nvmet-auth-config.sh,
# and sets the host entry's secrets, hash and DH group between the checks
# (vm_host_auth; configfs must read them back).
#
#   A. the target's side, independently of our initiator: the guest
#      kernel's own host (nvme-tcp, "the reference") authenticates with
#      keys made here, and is refused with a wrong secret or a key whose
#      CRC is wrong (the kernel checks it); our initiator without a secret
#      is refused with a clear message
#   B. our initiator (nvmeof identify), case by case: one-way and
#      bidirectional, each hash, each DH group (null, ffdhe2048 ... 8192),
#      secrets with each transform (00 ... 03).  The reference goes first
#      with the same configuration; nvmet's log must show every queue that
#      began authenticating authenticated (both ways when bidirectional),
#      with the configured DH group and the hash's length
#   C. refusals: wrong host secret, wrong controller secret (our initiator
#      must refuse the controller and tell nvmet, AUTH_Failure2), a host
#      that is not allowed; each with a clear message (MSG_* below)
#   D. data path: the nbdkit plugin with nr-io-queues=2 and bidirectional
#      authentication; random data and nbdcopy round trips checked against
#      the target's backing store; admin and both I/O queues authenticated
#
# The cases in B and C all run even when one fails (one boot shows
# everything); the test fails at the end if any did.  It fails, and does
# not skip, when our initiator cannot authenticate.

abs_srcdir=${abs_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
source "$abs_srcdir/functions.sh"
source "$abs_srcdir/functions-plugin.sh"
source "$abs_srcdir/interop/interop-functions.sh"
set -e -u -o pipefail

# ---- What our initiator's one line of error must say (extended regular
# expressions, case-insensitive).  The wording is the initiator's: adjust
# here when it changes.
#   the target requires authentication and no secret was given
MSG_NEEDS_SECRET='in-band authentication|DH-HMAC-CHAP|dhchap-secret'
#   the target refused our response (wrong host secret)
MSG_HOST_REJECTED='authentication failed|failed to authenticate|(secret|response).*(rejected|refused)'
#   the controller's response is wrong (wrong controller secret)
MSG_CTRL_REJECTED='controller.*(authenticat|response)|(authenticat|response).*controller'
#   the host NQN is not in the subsystem's allowed hosts
MSG_NOT_ALLOWED='not allowed'

# Debian 13's kernel (Debian 12's nvmet cannot authenticate), unless told
# otherwise: NVMEOF_INTEROP_AUTH_SUITE, NVMEOF_INTEROP_AUTH_KERNEL_META.
export NVMEOF_INTEROP_SUITE=${NVMEOF_INTEROP_AUTH_SUITE:-trixie}
export NVMEOF_INTEROP_KERNEL_META=${NVMEOF_INTEROP_AUTH_KERNEL_META:-linux-image-amd64}
# nvmet's debug messages fill the default 128 KiB log: keep the boot's.
export NVMEOF_INTEROP_APPEND="log_buf_len=4M ${NVMEOF_INTEROP_APPEND:-}"

interop_init
[ -x "$NVMEOF_CLI" ] ||
  _skip "needs the nvmeof CLI ($NVMEOF_CLI is not built)"
requires_plugin
requires nbdcopy --version
requires /usr/bin/python3 -c 'import nbd'

d=$TMPDIR_TEST
keys=$d/keys
mkdir -m 700 "$keys"
failures=()
# The reference host's identity (the kernel wants a host ID per host NQN).
REF_HOSTID=6e766d65-6f66-4000-8000-726566000001

# bad NAME MESSAGE: a check failed (the test goes on, and fails at the end).
bad ()
{
  echo "not ok - $1: $2" >&2
  failures+=("$1")
}

# ---- secrets ---------------------------------------------------------

# genkey NAME HMAC LEN: a secret in $keys/NAME (mode 0600), made by our
# "nvmeof gen-dhchap-key" when the build has it, else by Python; either
# way checked here: DHHC-1:hh:base64(key || CRC-32 little-endian):.
if "$NVMEOF_CLI" gen-dhchap-key --help >/dev/null 2>&1; then
  keygen=nvmeof
else
  keygen=python
fi
genkey ()
{
  local f=$keys/$1 hmac=$2 len=$3
  if [ "$keygen" = nvmeof ]; then
    (umask 077 && "$NVMEOF_CLI" gen-dhchap-key --hmac="$hmac" \
       --key-length="$len" >"$f") ||
      fail "nvmeof gen-dhchap-key --hmac=$hmac --key-length=$len failed"
  else
    (umask 077 && interop_key_make DHHC-1 "$hmac" "$len" >"$f") ||
      fail "cannot make a secret with Python"
  fi
  interop_key_check DHHC-1 "$f" "$hmac" "$len" ||
    fail "the $keygen secret $1 (hmac $hmac, $len bytes) is malformed"
}

# One secret per transform (00 any length: 32 here; 01, 02, 03 as long as
# their hash), for the host and for the controller, and spare ones.
for t in 00:32 01:32 02:48 03:64; do
  genkey "h${t%:*}" "${t%:*}" "${t#*:}"
  genkey "c${t%:*}" "${t%:*}" "${t#*:}"
done
genkey wrong01 01 32
genkey spare01 01 32
key () { head -n 1 "$keys/$1"; }

# ---- the kernel's log ------------------------------------------------

# log_since MARK: the guest's kernel log after vm_mark MARK.
log_since ()
{
  vm_dmesg | awk -v pat="nvmeof-interop-mark: $1" 'f { print } index($0, pat) { f = 1 }'
}

# The errors refusals cause: nvmet's for a controller whose authentication
# failed, the kernel's for a key with a wrong CRC, the reference host's.
REFUSAL_ERRORS='nvmet: ctrl [0-9]+ fatal error occurred|key crc mismatch'
REFUSAL_ERRORS+='|nvmet: Failed to setup authentication|nvme nvme[0-9]+: '

# auth_log_check MARK HASH DHGROUP BIDIR QIDS [HOST]: nvmet's debug messages
# since MARK show a controller created for HOST (default $INTEROP_HOSTNQN)
# "with DH-HMAC-CHAP", every queue that negotiated authenticated (and, if
# BIDIR is 1, authenticated the controller too; else never), at least the
# queue IDs QIDS ("0 1 2"), each with DHGROUP and a challenge of the hash's
# length, and no failure.  Prints a summary.
auth_log_check ()
{
  log_since "$1" | /usr/bin/python3 -c '
import re, sys
hash_, group, bidir, qids, host, subnqn = sys.argv[1:7]
want_qids = {int(q) for q in qids.split()}
hl = {"hmac(sha256)": 32, "hmac(sha384)": 48, "hmac(sha512)": 64}[hash_]
dhv = {"null": 0, "ffdhe2048": 256, "ffdhe3072": 384, "ffdhe4096": 512,
       "ffdhe6144": 768, "ffdhe8192": 1024}[group]
log = sys.stdin.read()
errors = []
if not re.search(r"creating nvm controller \d+ for subsystem %s for NQN %s "
                 r"with DH-HMAC-CHAP" % (re.escape(subnqn), re.escape(host)),
                 log):
    errors.append("no controller created for %s with DH-HMAC-CHAP" % host)
q = r"ctrl (\d+) qid (\d+)"
neg = {(int(c), int(n)): g for c, n, g in
       re.findall(q + r": selected DH group (\S+) ", log)}
chal = {(int(c), int(n)): (int(h), int(v)) for c, n, h, v in
        re.findall(q + r" seq -?\d+ transaction -?\d+ hl (\d+) dhvlen (\d+)", log)}
host_ok = {(int(c), int(n)) for c, n in re.findall(q + r" host authenticated", log)}
ctrl_ok = {(int(c), int(n)) for c, n in re.findall(q + r" ctrl authenticated", log)}
for line in re.findall(r".*(?:host response mismatch|failure1|dhchap status [1-9a-f]"
                       r"|host hash failed|no usable).*", log):
    errors.append("nvmet: " + line)
if not neg:
    errors.append("no queue negotiated authentication")
if set(neg) != host_ok:
    errors.append("queues that negotiated %s, authenticated %s"
                  % (sorted(neg), sorted(host_ok)))
missing = want_qids - {n for c, n in host_ok}
if missing:
    errors.append("queue(s) %s did not authenticate" % sorted(missing))
for k, g in sorted(neg.items()):
    if g != group:
        errors.append("ctrl %d qid %d: DH group %s, not %s" % (k + (g, group)))
for k, (h, v) in sorted(chal.items()):
    if (h, v) != (hl, dhv):
        errors.append("ctrl %d qid %d: challenge hl %d dhvlen %d, not %d %d"
                      % (k + (h, v, hl, dhv)))
if set(chal) != set(neg):
    errors.append("challenges for %s, negotiations %s" % (sorted(chal), sorted(neg)))
if bidir == "1" and ctrl_ok != host_ok:
    errors.append("controller authenticated on %s, host on %s"
                  % (sorted(ctrl_ok), sorted(host_ok)))
if bidir == "0" and ctrl_ok:
    errors.append("controller authenticated on %s in one-way mode" % sorted(ctrl_ok))
if errors:
    print("\n".join(errors))
    sys.exit(1)
print("qid %s authenticated (%s, %s, %s)" % (
    ",".join(str(n) for n in sorted({n for c, n in host_ok})), hash_, group,
    "bidirectional" if bidir == "1" else "one-way"))
' "$2" "$3" "$4" "$5" "${6:-$INTEROP_HOSTNQN}" "$INTEROP_NQN_AUTH"
}

# ---- connecting --------------------------------------------------------

# ref_connect HOSTKEY CTRLKEY [HOSTNQN]: the guest kernel's host connects
# (and reads namespace 1 through its I/O queue) with these secrets ("-":
# no controller secret).
ref_connect ()
{
  local o="nqn=$INTEROP_NQN_AUTH,hostnqn=${3:-$INTEROP_HOSTNQN},hostid=$REF_HOSTID"
  o="$o,dhchap_secret=$1"
  [ "$2" = - ] || o="$o,dhchap_ctrl_secret=$2"
  vm_exec "nvme-host-connect '$o'"
}

# ours NAME HOSTKEY CTRLKEY: nvmeof identify as $OURS_HOST (default
# $INTEROP_HOSTNQN) with the secrets in $keys ("-": none); stdout in
# $d/NAME.json, stderr in $d/NAME.err.
ours ()
{
  local name=$1 hk=$2 ck=$3 args=(--hostnqn="${OURS_HOST:-$INTEROP_HOSTNQN}")
  shift 3
  [ "$hk" = - ] || args+=(--dhchap-secret="+$keys/$hk")
  [ "$ck" = - ] || args+=(--dhchap-ctrl-secret="+$keys/$ck")
  cli identify "$url" "${args[@]}" "$@" -o json >"$d/$name.json" 2>"$d/$name.err"
}

# expect_message NAME ERE: our initiator failed with one line of error
# (in $d/NAME.err) matching ERE.
expect_message ()
{
  local err=$d/$1.err
  if [ "$(grep -c . "$err")" != 1 ]; then
    echo "expected one line of error, got: $(cat "$err")" >&2
    return 1
  fi
  if ! grep -qiE -- "$2" "$err"; then
    echo "the error does not say /$2/: $(cat "$err")" >&2
    return 1
  fi
}

# set_target NAME HASH DHGROUP HOSTKEY CTRLKEY: the host entry in the guest
# (secrets by name in $keys, "-" none).
set_target ()
{
  local c=-
  [ "$5" = - ] || c=$(key "$5")
  vm_host_auth "$INTEROP_HOSTNQN" "$(key "$4")" "$c" "$2" "$3" ||
    { bad "$1" "configfs did not take the host's authentication settings"; return 1; }
}

start_vm "$abs_srcdir/interop/nvmet-auth-config.sh"
url=$(interop_url "$INTEROP_NQN_AUTH")
echo "secrets made by: $keygen"

# -------------------------------------------------------------------
section "A. the target's configuration, checked with the guest's own host"

vm_mark ref-ok >/dev/null
set_target ref-ok 'hmac(sha384)' ffdhe2048 h01 c02 || fail "cannot configure the target"
out=$(ref_connect "$(key h01)" "$(key c02)") ||
  fail "the guest's own host could not authenticate: $out; $(log_since ref-ok | tail -n 20)"
sum=$(auth_log_check ref-ok 'hmac(sha384)' ffdhe2048 1 "0 1") ||
  fail "reference host: $sum"
log_since ref-ok | grep -q 'nvme nvme[0-9]*: qid 0: authenticated with hash hmac(sha384) dhgroup ffdhe2048' ||
  fail "the reference host did not report hmac(sha384) and ffdhe2048"
vm_check_kernel_log ref-ok || fail "errors in the kernel log (reference host)"
ok "configfs reads back the secrets, hash and group; the guest kernel's host authenticates: $sum"

vm_mark ref-wrong >/dev/null
if out=$(ref_connect "$(key wrong01)" -); then
  fail "the reference host authenticated with a wrong secret: $out"
fi
log_since ref-wrong | grep -q 'qid 0 host response mismatch' ||
  fail "nvmet did not log a host response mismatch for a wrong secret"
log_errors_except ref-wrong "$REFUSAL_ERRORS" ||
  fail "unexpected errors in the kernel log (wrong secret, reference host)"
ok "the guest kernel's host with a wrong secret: refused (host response mismatch)"

# A key whose CRC-32 is wrong (one base64 character changed): the kernel
# refuses it at the Connect, so the accepted keys above had good CRCs.
k=$(key h01)
badcrc=${k%????:}$( [ "${k: -5:4}" = AAAA ] && echo BAAA || echo AAAA):
vm_mark ref-crc >/dev/null
vm_host_auth "$INTEROP_HOSTNQN" "$badcrc" - 'hmac(sha256)' null ||
  fail "configfs did not take a key with a wrong CRC"
if out=$(ref_connect "$badcrc" -); then
  fail "the reference host connected with a key whose CRC is wrong: $out"
fi
log_since ref-crc | grep -q 'key crc mismatch' ||
  fail "the kernel did not log 'key crc mismatch' for a wrong CRC"
log_errors_except ref-crc "$REFUSAL_ERRORS" ||
  fail "unexpected errors in the kernel log (wrong CRC)"
ok "a secret with a wrong CRC-32: the kernel refuses it (key crc mismatch)"

set_target no-secret 'hmac(sha256)' null h01 - || true
vm_mark no-secret >/dev/null
if ours no-secret - -; then
  bad no-secret "our initiator connected without a secret to a subsystem that requires authentication"
elif ! why=$(expect_message no-secret "$MSG_NEEDS_SECRET" 2>&1); then
  bad no-secret "$why"
elif ! vm_check_kernel_log no-secret; then
  bad no-secret "errors in the kernel log"
else
  ok "no secret, authentication required: $(cat "$d/no-secret.err")"
fi

# -------------------------------------------------------------------
section "B. our initiator authenticates: hashes, DH groups, transforms, one-way and bidirectional"

#       name                      hash          DH group   host  controller
cases=("oneway-sha256-null        hmac(sha256) null      h01 -"
       "bidir-sha256-null         hmac(sha256) null      h00 c01"
       "bidir-sha384-ffdhe2048    hmac(sha384) ffdhe2048 h02 c02"
       "bidir-sha512-ffdhe3072    hmac(sha512) ffdhe3072 h03 c00"
       "oneway-sha384-ffdhe4096   hmac(sha384) ffdhe4096 h00 -"
       "bidir-sha256-ffdhe6144    hmac(sha256) ffdhe6144 h01 c03"
       "bidir-sha512-ffdhe8192    hmac(sha512) ffdhe8192 h03 c03")

auth_case ()
{
  local name=$1 hash=$2 group=$3 hk=$4 ck=$5 bidir=1 out sum
  [ "$ck" != - ] || bidir=0
  set_target "$name" "$hash" "$group" "$hk" "$ck" || return 0
  vm_mark "$name-ref" >/dev/null
  local c=-
  [ "$ck" = - ] || c=$(key "$ck")
  if ! out=$(ref_connect "$(key "$hk")" "$c"); then
    bad "$name" "the guest kernel's own host failed too (the configuration?): $out"
    return 0
  fi
  if ! sum=$(auth_log_check "$name-ref" "$hash" "$group" "$bidir" "0 1"); then
    bad "$name" "reference host: $sum"
    return 0
  fi
  vm_mark "$name" >/dev/null
  if ! ours "$name" "$hk" "$ck"; then
    bad "$name" "nvmeof identify failed: $(cat "$d/$name.err")"
    return 0
  fi
  if ! /usr/bin/python3 -c '
import json, sys
sys.exit(json.load(open(sys.argv[1])).get("subnqn") != sys.argv[2])' \
       "$d/$name.json" "$INTEROP_NQN_AUTH"; then
    bad "$name" "identify does not show the subsystem: $(head -c 300 "$d/$name.json")"
    return 0
  fi
  if ! sum=$(auth_log_check "$name" "$hash" "$group" "$bidir" 0); then
    bad "$name" "nvmet's log: $sum"
    return 0
  fi
  if ! vm_check_kernel_log "$name"; then
    bad "$name" "errors in the kernel log"
    return 0
  fi
  ok "$name (host $hk, controller $ck): $sum"
}

for c in "${cases[@]}"; do
  # shellcheck disable=SC2086
  auth_case $c
done

# -------------------------------------------------------------------
section "C. refusals, each with a clear message"

# refusal NAME ERE HOSTKEY CTRLKEY TARGET-ERE..: our initiator fails with a
# message matching ERE, nvmet's log since the mark has a line matching each
# TARGET-ERE, and its only errors are the refused controller's.
refusal ()
{
  local name=$1 ere=$2 hk=$3 ck=$4 why tere
  shift 4
  vm_mark "$name" >/dev/null
  if ours "$name" "$hk" "$ck"; then
    bad "$name" "our initiator connected"
    return 0
  fi
  if ! why=$(expect_message "$name" "$ere" 2>&1); then
    bad "$name" "$why"
    return 0
  fi
  for tere in "$@"; do
    if ! log_since "$name" | grep -qE -- "$tere"; then
      bad "$name" "nvmet's log does not show /$tere/: $(log_since "$name" | tail -n 8)"
      return 0
    fi
  done
  if ! log_errors_except "$name" 'nvmet: ctrl [0-9]+ fatal error occurred'; then
    bad "$name" "unexpected errors in the kernel log"
    return 0
  fi
  ok "$name: $(cat "$d/$name.err")"
}

# nvmet answers a wrong response with AUTH_Failure1 (its log: "step f1").
if set_target wrong-host-secret 'hmac(sha256)' ffdhe2048 h01 c01; then
  refusal wrong-host-secret "$MSG_HOST_REJECTED" wrong01 c01 \
    'qid 0 host response mismatch' 'qid 0 dhchap status [1-9a-f] step f1'
fi
# nvmet sends a controller response our initiator must refuse, telling
# nvmet with AUTH_Failure2 (its log: "step f0"), after nvmet accepted ours.
if set_target wrong-ctrl-secret 'hmac(sha512)' ffdhe3072 h03 c03; then
  refusal wrong-ctrl-secret "$MSG_CTRL_REJECTED" h03 wrong01 \
    'qid 0 host authenticated' 'qid 0 dhchap status [0-9a-f]+ step f0'
  if log_since wrong-ctrl-secret | grep -q 'qid 0 ctrl authenticated'; then
    bad wrong-ctrl-secret "nvmet logged the controller as authenticated"
  fi
fi
vm_mark not-allowed >/dev/null
if OURS_HOST=$INTEROP_HOSTNQN_REFUSED ours not-allowed h01 -; then
  bad not-allowed "a host that is not allowed connected"
elif ! why=$(expect_message not-allowed "$MSG_NOT_ALLOWED" 2>&1); then
  bad not-allowed "$why"
elif ! log_since not-allowed |
       grep -qF "connect by host $INTEROP_HOSTNQN_REFUSED for subsystem $INTEROP_NQN_AUTH not allowed"; then
  bad not-allowed "nvmet did not log the refused host"
elif ! vm_check_kernel_log not-allowed; then
  bad not-allowed "errors in the kernel log"
else
  ok "not-allowed: $(cat "$d/not-allowed.err")"
fi

# -------------------------------------------------------------------
section "D. data path after authentication, 2 I/O queues, bidirectional"
if [ ${#failures[@]} -gt 0 ]; then
  echo "(so far ${#failures[@]} failed: ${failures[*]})"
fi

set_target datapath 'hmac(sha384)' ffdhe3072 h02 c03 ||
  fail "cannot configure the target for the data path"
vm_mark datapath >/dev/null
start_plugin -- "$url" hostnqn="$INTEROP_HOSTNQN" \
  dhchap-secret="+$keys/h02" dhchap-ctrl-secret="+$keys/c03" nr-io-queues=2
roundtrip "$INTEROP_NQN_AUTH" 1 "0 512" "$((MiB + 512)) $((65536 + 512))" \
  "$((4 * MiB)) $((4 * MiB))"
random_file "$d/in8" 8M
with_timeout 120 nbdcopy "$d/in8" "$(nbd_uri 1)" || fail "nbdcopy into export 1"
with_timeout 120 nbdcopy "$(nbd_uri 1)" "$d/out64" || fail "nbdcopy out of export 1"
cmp -n $((8 * MiB)) "$d/in8" "$d/out64" || fail "nbdcopy round trip differs"
[ "$(guest_sha "$(guest_file "$INTEROP_NQN_AUTH" 1)" 0 $((8 * MiB)))" = \
  "$(sha256sum <"$d/in8" | cut -d' ' -f1)" ] ||
  fail "nbdcopy: data not on the kernel target"
ok "nbdcopy: 8 MiB in, 64 MiB out, same bytes (and on the target)"
stop_plugin
sum=$(auth_log_check datapath 'hmac(sha384)' ffdhe3072 1 "0 1 2") ||
  fail "data path: nvmeof's queues did not all authenticate: $sum"
ok "data path: $sum"
step_log_clean datapath

# -------------------------------------------------------------------
echo
if [ ${#failures[@]} -gt 0 ]; then
  fail "${#failures[@]} in-band authentication check(s) failed: ${failures[*]} (${checks} passed)"
fi
# The whole run: no error but those of the refusals above.
log_errors_except "" "$REFUSAL_ERRORS" ||
  fail "the kernel logged errors during the run (above)"
echo "PASS: $checks in-band authentication checks against Linux nvmet ($INTEROP_KERNEL) in ${SECONDS}s"
