#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# nvmeof gen-tls-key and check-tls-key: generated keys have the
# NVMeTLSkey-1 form and check as valid; a given secret lands in the key as
# it is (the NVMe/TCP specification's example); the identities and TLS
# PSKs printed are those of tests/unit/test-tls-psk.c (the specification's
# identity example and libnvme test/psk.c's identities, new and --compat);
# --output makes a 0600 file and replaces nothing; refusals name the
# problem and never show the key; a key on the command line is refused.
source "${abs_srcdir:-$(dirname "$0")}/functions.sh"
set -e -u -o pipefail

requires_built "$NVMEOF_CLI"
d=$TMPDIR_TEST

# NVMe/TCP transport specification 1.0, 3.6.1.3 and 3.6.1.5.
spec_hex=5512DBB6737D0106F65975B773DFB011FFC344BCF442E2DD6D8BC4870B5D5B03
spec_b64=VRLbtnN9AQb2WXW3c9+wEf/DRLz0QuLdbYvEhwtdWwNf9LrZ
spec_host=nqn.2014-08.org.nvmexpress:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6
spec_sub=nqn.2014-08.org.nvmexpress:uuid:36ebf5a9-1df9-47b3-a6d0-e9ba32e428a2
# libnvme test/psk.c: the same key extended to 48 bytes, and its NQNs.
k48_b64=VRLbtnN9AQb2WXW3c9+wEf/DRLz0QuLdbYvEhwtdWwP/w0S89ELi3W2LxIcLXVsDn8kXZQ==
ln_host=nqn.psk-test-host
ln_sub=nqn.psk-test-subsys
# TLS PSKs: tests/unit/tls-psk-vectors.py (no published vector).
tls_v0=8e981666c96a88ef69f6e6a0460ff77ba9039e3d38cbdeee264c4de09d75d246
tls_v1=5a21fd02f19a9eaec7b166edabff907304b7625b7927d7398f9d654dff4087f7
spec_digest=E7SfPmB1H5RQCPDO/jPElNLoNkv7agzvJauAf6yCO9E=

# expect_fail SUBCOMMAND WORD ARGS..: exit 1, nothing on stdout, one line
# "nvmeof: SUBCOMMAND: ..." naming WORD.
expect_fail ()
{
  local sub=$1 word=$2 rc=0
  shift 2
  "$NVMEOF_CLI" "$sub" "$@" <"${STDIN:-/dev/null}" >"$d/out" 2>"$d/err" ||
    rc=$?
  [ "$rc" = 1 ] || fail "nvmeof $sub $*: exit status $rc, expected 1"
  [ ! -s "$d/out" ] || fail "nvmeof $sub $*: wrote to stdout: $(cat "$d/out")"
  grep -q "^nvmeof: $sub: " "$d/err" && [ "$(wc -l <"$d/err")" = 1 ] ||
    fail "nvmeof $sub $*: not one error line: $(cat "$d/err")"
  grep -qF -- "$word" "$d/err" ||
    fail "nvmeof $sub $*: the message does not name '$word': $(cat "$d/err")"
}

# check_out EXPECTED ARGS..: check-tls-key prints EXPECTED (lines).
check_out ()
{
  local want=$1 out
  shift
  out=$("$NVMEOF_CLI" check-tls-key "$@") ||
    fail "check-tls-key $* failed"
  [ "$out" = "$want" ] || fail "check-tls-key $*: '$out', not '$want'"
}

umask 077
# Generated keys, both hashes: form, length, valid, never twice the same.
for m in 1 2; do
  "$NVMEOF_CLI" gen-tls-key --hmac=$m >"$d/key"
  key=$(cat "$d/key")
  len=$((m == 1 ? 32 : 48))
  [[ $key =~ ^NVMeTLSkey-1:0$m:[A-Za-z0-9+/]+=*:$ ]] &&
    [ ${#key} = $((m == 1 ? 65 : 89)) ] || fail "gen-tls-key --hmac=$m: $key"
  check_out "Key is valid (HMAC SHA-$((m == 1 ? 256 : 384)), $len bytes)" \
    --key="+$d/key"
  "$NVMEOF_CLI" check-tls-key --key=- <"$d/key" >/dev/null ||
    fail "check-tls-key --key=- refused $key"
  [ "$("$NVMEOF_CLI" gen-tls-key -m $m)" != "$key" ] ||
    fail "gen-tls-key --hmac=$m gave the same key twice"
done
"$NVMEOF_CLI" gen-tls-key >"$d/key"
[[ $(cat "$d/key") == NVMeTLSkey-1:01:* ]] || fail "the default is not hmac 1"

# A secret given in hex is the key: the specification's example.
out=$("$NVMEOF_CLI" gen-tls-key --secret=$spec_hex 2>"$d/err")
[ "$out" = "NVMeTLSkey-1:01:$spec_b64:" ] || fail "--secret: $out"
grep -q "shows in ps" "$d/err" || fail "no warning for --secret=HEX"
echo "$spec_hex" >"$d/secret"
out=$("$NVMEOF_CLI" gen-tls-key -s "+$d/secret" 2>"$d/err")
[ "$out" = "NVMeTLSkey-1:01:$spec_b64:" ] && [ ! -s "$d/err" ] ||
  fail "--secret=+FILE: $out $(cat "$d/err")"
out=$("$NVMEOF_CLI" gen-tls-key -m 2 --secret=- \
        <<<"$spec_hex${spec_hex:32}")
[ "$out" = "NVMeTLSkey-1:02:$k48_b64:" ] || fail "--secret=- (48): $out"

# Identities and TLS PSKs, version 0 and 1, from check-tls-key ...
echo "NVMeTLSkey-1:01:$spec_b64:" >"$d/spec.key"
id0="NVMe0R01 $spec_host $spec_sub"
id1="NVMe1R01 $spec_host $spec_sub $spec_digest"
check_out "$id0" -k "+$d/spec.key" -n "$spec_host" -c "$spec_sub"
check_out "$id0"$'\n'"$tls_v0" --key="+$d/spec.key" --hostnqn="$spec_host" \
  --subsysnqn="$spec_sub" --show-derived
check_out "$id1"$'\n'"$tls_v1" --key="+$d/spec.key" --hostnqn="$spec_host" \
  --subsysnqn="$spec_sub" --identity=1 --show-derived
"$NVMEOF_CLI" check-tls-key -o json -k "+$d/spec.key" -n "$spec_host" \
  -c "$spec_sub" --show-derived >"$d/json"
grep -q "\"tls_psk\": \"$tls_v0\"" "$d/json" &&
  grep -q "\"identity\": \"$id0\"" "$d/json" || fail "json: $(cat "$d/json")"
# ... and from gen-tls-key (the identity only: no key material but the key).
out=$("$NVMEOF_CLI" gen-tls-key -s "+$d/secret" -n "$spec_host" \
        -c "$spec_sub" -I 1)
[ "$out" = "NVMeTLSkey-1:01:$spec_b64:"$'\n'"$id1" ] ||
  fail "gen-tls-key --subsysnqn: $out"
# libnvme test/psk.c's identities (RFC 8446 labels), and --compat's.
check_out "NVMe1R01 $ln_host $ln_sub iSbjiStwJ/1TrTvDlt2fjFmzvsytOJelidNnA+X5lEU=" \
  -k "+$d/spec.key" -n $ln_host -c $ln_sub -I 1
check_out "NVMe1R01 $ln_host $ln_sub 66GuqV08TsAGII39teWUfwQwizjv06Jy8jOcX3NAAzM=" \
  -k "+$d/spec.key" -n $ln_host -c $ln_sub -I 1 -C
echo "NVMeTLSkey-1:02:$k48_b64:" >"$d/k48.key"
check_out "NVMe1R02 $ln_host $ln_sub QhW2+Rp6RzHlNtCslyRxMnwJ11tKKhz8JCAQpQ+XUD8f9td1VeH5h53yz2wKJG1a" \
  -k "+$d/k48.key" -n $ln_host -c $ln_sub -I 1
check_out "NVMe1R02 $ln_host $ln_sub RsKmYJ3nAn1ApjjMloJFbAkLPivONDAX/xW327YBUsn2eGShXSjCZvBaOxscLqmz" \
  -k "+$d/k48.key" -n $ln_host -c $ln_sub -I 1 --compat
# hh 00: no transform, the identity's hash from the length.
echo "NVMeTLSkey-1:00:$spec_b64:" >"$d/k00.key"
check_out "Key is valid (HMAC none, 32 bytes)" -k "+$d/k00.key"
echo "NVMeTLSkey-1:00:$k48_b64:" >"$d/k00.key"
check_out "NVMe0R02 $spec_host $spec_sub" -k "+$d/k00.key" -n "$spec_host" \
  -c "$spec_sub"
# The host NQN defaults to the library's ($NVMEOF_HOSTNQN_FILE here).
host=$("$NVMEOF_CLI" show-hostnqn -o json | sed -n 's/.*"hostnqn": "\(.*\)",/\1/p')
[ -n "$host" ] || fail "no host NQN from show-hostnqn"
check_out "NVMe0R01 $host $spec_sub" -k "+$d/spec.key" -c "$spec_sub"

# --output: mode 0600 whatever the umask, never replacing a file; the
# identity still goes to standard output.
umask 000
"$NVMEOF_CLI" gen-tls-key -m 2 --output="$d/out.key" >"$d/stdout"
[ ! -s "$d/stdout" ] || fail "--output also wrote to stdout"
[ "$(stat -c %a "$d/out.key")" = 600 ] ||
  fail "--output: mode $(stat -c %a "$d/out.key")"
[ "$(wc -l <"$d/out.key")" = 1 ] || fail "--output: not one line"
check_out "Key is valid (HMAC SHA-384, 48 bytes)" -k "+$d/out.key"
cp "$d/out.key" "$d/saved.key"
expect_fail gen-tls-key "not replacing" --output="$d/out.key"
cmp -s "$d/out.key" "$d/saved.key" || fail "--output replaced a file"
out=$("$NVMEOF_CLI" gen-tls-key -s "+$d/secret" -n "$spec_host" \
        -c "$spec_sub" --output="$d/id.key")
[ "$out" = "$id0" ] && [ "$(cat "$d/id.key")" = "NVMeTLSkey-1:01:$spec_b64:" ] ||
  fail "--output with --subsysnqn: $out"
"$NVMEOF_CLI" gen-tls-key -o json -m 2 | grep -q '"key": "NVMeTLSkey-1:02:' ||
  fail "gen-tls-key -o json"
umask 077

# Bad options.
expect_fail gen-tls-key "--hmac" --hmac=0
expect_fail gen-tls-key "--hmac" --hmac=3
expect_fail gen-tls-key "--identity" --identity=2 -c "$spec_sub"
expect_fail gen-tls-key "--secret" --secret=abc
expect_fail gen-tls-key "--secret" --secret="+$d/secret" --hmac=2
expect_fail gen-tls-key "--secret" --secret="+$d/nonexistent"
expect_fail gen-tls-key "--subsysnqn" --identity=1
expect_fail check-tls-key "--subsysnqn" -k "+$d/spec.key" --show-derived
expect_fail check-tls-key "--subsysnqn" -k "+$d/spec.key" -n "$spec_host"
expect_fail check-tls-key "subsystem NQN" -k "+$d/spec.key" -c "a b"
expect_fail check-tls-key "host NQN" -k "+$d/spec.key" -n "not an nqn" \
  -c "$spec_sub"
# Version 0 holds the identity in HKDF's 255-byte context.
long=nqn.2014-08.org.example:$(printf 'x%.0s' {1..190})
expect_fail check-tls-key "identity version 1" -k "+$d/spec.key" \
  -n "$spec_host" -c "$long"
"$NVMEOF_CLI" check-tls-key -k "+$d/spec.key" -n "$spec_host" -c "$long" \
  -I 1 >/dev/null || fail "a long subsystem NQN with identity version 1"

# check refuses a damaged key, naming the problem, never the key.
key="NVMeTLSkey-1:01:$spec_b64:"
echo "${key:0:20}A${key:21}" >"$d/bad.key"
expect_fail check-tls-key "CRC mismatch" --key="+$d/bad.key"
! grep -qF "${key:16:12}" "$d/err" || fail "the message shows the key"
echo "${key:0:20}*${key:21}" >"$d/bad.key"
expect_fail check-tls-key "base64" --key="+$d/bad.key"
echo "NVMeTLSkey-1:03:${key:16}" >"$d/bad.key"
expect_fail check-tls-key "hash identifier 03" -k "+$d/bad.key"
echo "NVMeTLSkey-1:02:${key:16}" >"$d/bad.key"
expect_fail check-tls-key "not 48" -k "+$d/bad.key"
echo "DHHC-1:01:${key:16}" >"$d/bad.key"
STDIN=$d/bad.key expect_fail check-tls-key "NVMeTLSkey-1:" --key=-
# A key on the command line is refused, and not repeated.
expect_fail check-tls-key "ps" --key="$key"
! grep -qF "${key:16:12}" "$d/err" || fail "the refusal shows the key"
expect_fail check-tls-key "--key"
expect_fail check-tls-key "nonexistent" --key="+$d/nonexistent"
echo PASS
