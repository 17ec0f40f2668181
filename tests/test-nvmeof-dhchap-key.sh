#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# nvmeof gen-dhchap-key and check-dhchap-key: generated keys have the
# DHHC-1 form and check as valid for every hash and length; a given secret
# lands in the key as it is; --output makes a 0600 file and replaces
# nothing; check refuses a corrupted key and a key on the command line,
# never showing the key.
source "${abs_srcdir:-$(dirname "$0")}/functions.sh"
set -e -u -o pipefail

requires_built "$NVMEOF_CLI"
d=$TMPDIR_TEST
names=(none SHA-256 SHA-384 SHA-512)

# The example secret of the NVMe Base specification, in hex and as a key.
spec_hex=89aeb31a874eaf84841b46736b0dfdf2ba58d30aa2a545a3e235a3521e07594c
spec_b64=ia6zGodOr4SEG0Zzaw398rpY0wqipUWj4jWjUh4HWUz6aQ2n

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

# check KEY-FILE HMAC LEN: check-dhchap-key says the key is valid.
check ()
{
  local out
  out=$("$NVMEOF_CLI" check-dhchap-key --key="+$1") ||
    fail "check-dhchap-key refused $(cat "$1")"
  [ "$out" = "Key is valid (HMAC ${names[$2]}, $3 bytes)" ] ||
    fail "check-dhchap-key on $(cat "$1"): $out"
}

# Every hash with its default length, and hash 0 with every length.
umask 077
for spec in 0:32: 1:32: 2:48: 3:64: 0:32:32 0:48:48 0:64:64 1:32:32 2:48:48 \
  3:64:64; do
  IFS=: read -r m len opt <<<"$spec"
  args=(--hmac="$m")
  [ -z "$opt" ] || args+=(--key-length="$opt")
  "$NVMEOF_CLI" gen-dhchap-key "${args[@]}" >"$d/key"
  key=$(cat "$d/key")
  chars=$(( (len + 4 + 2) / 3 * 4 ))
  [[ $key =~ ^DHHC-1:0$m:[A-Za-z0-9+/]+=*:$ ]] &&
    [ ${#key} = $((chars + 11)) ] ||
    fail "gen-dhchap-key ${args[*]}: $key"
  check "$d/key" "$m" "$len"
  "$NVMEOF_CLI" check-dhchap-key --key=- <"$d/key" >/dev/null ||
    fail "check-dhchap-key --key=- refused $key"
  [ "$("$NVMEOF_CLI" gen-dhchap-key "${args[@]}")" != "$key" ] ||
    fail "gen-dhchap-key ${args[*]} gave the same key twice"
done
# Any length with any hash, with a warning for older kernels.
"$NVMEOF_CLI" gen-dhchap-key --hmac=1 --key-length=48 >"$d/key" 2>"$d/err"
check "$d/key" 1 48
grep -q "before 6.7" "$d/err" || fail "no warning for SHA-256 with 48 bytes"
"$NVMEOF_CLI" check-dhchap-key --key="+$d/key" 2>&1 >/dev/null |
  grep -q "before 6.7" || fail "check-dhchap-key: no warning for 48 bytes"
# -m/-l short options, and JSON.
"$NVMEOF_CLI" gen-dhchap-key -m 2 -l 48 >"$d/key"
check "$d/key" 2 48
"$NVMEOF_CLI" gen-dhchap-key -o json -m 3 | grep -q '"key": "DHHC-1:03:' ||
  fail "gen-dhchap-key -o json"
"$NVMEOF_CLI" check-dhchap-key -o json -k "+$d/key" |
  grep -q '"hmac_name": "SHA-384"' || fail "check-dhchap-key -o json"

# A secret given in hex is the key's secret: the specification's example.
for m in 0 1; do
  out=$("$NVMEOF_CLI" gen-dhchap-key --hmac=$m --secret=$spec_hex 2>"$d/err")
  [ "$out" = "DHHC-1:0$m:$spec_b64:" ] || fail "--secret: $out"
  grep -q "shows in ps" "$d/err" || fail "no warning for --secret=HEX"
done
echo "$spec_hex" >"$d/secret"
out=$("$NVMEOF_CLI" gen-dhchap-key -s "+$d/secret" 2>"$d/err")
[ "$out" = "DHHC-1:00:$spec_b64:" ] && [ ! -s "$d/err" ] ||
  fail "--secret=+FILE: $out $(cat "$d/err")"
out=$("$NVMEOF_CLI" gen-dhchap-key --secret=- <"$d/secret")
[ "$out" = "DHHC-1:00:$spec_b64:" ] || fail "--secret=-: $out"
out=$("$NVMEOF_CLI" gen-dhchap-key --hmac=1 --nqn=nqn.2014-08.org.example:h \
        --secret="+$d/secret" 2>"$d/err")
[ "$out" = "DHHC-1:01:$spec_b64:" ] && grep -q -- "--nqn is ignored" "$d/err" ||
  fail "--nqn: $out $(cat "$d/err")"

hex48=$spec_hex${spec_hex:0:32}
"$NVMEOF_CLI" gen-dhchap-key --secret=- <<<"$hex48" >"$d/key"
check "$d/key" 0 48

# --output: mode 0600 whatever the umask, never replacing a file.
umask 000
"$NVMEOF_CLI" gen-dhchap-key --hmac=3 --output="$d/out.key" >"$d/stdout"
[ ! -s "$d/stdout" ] || fail "--output also wrote to stdout"
[ "$(stat -c %a "$d/out.key")" = 600 ] ||
  fail "--output: mode $(stat -c %a "$d/out.key")"
[ "$(wc -l <"$d/out.key")" = 1 ] || fail "--output: not one line"
check "$d/out.key" 3 64
cp "$d/out.key" "$d/saved.key"
expect_fail gen-dhchap-key "not replacing" --output="$d/out.key"
cmp -s "$d/out.key" "$d/saved.key" || fail "--output replaced a file"
umask 077

# Bad generation options.
expect_fail gen-dhchap-key "--hmac" --hmac=4
expect_fail gen-dhchap-key "--key-length" --key-length=40
expect_fail gen-dhchap-key "--secret" --secret=abc
expect_fail gen-dhchap-key "--secret" --secret="+$d/secret" --key-length=64
expect_fail gen-dhchap-key "--secret" --secret="+$d/nonexistent"

# check refuses a corrupted key, naming the problem, never the key: one
# base64 character of the secret changed.
"$NVMEOF_CLI" gen-dhchap-key --hmac=1 >"$d/key"
key=$(cat "$d/key")
c=${key:20:1}
[ "$c" = A ] && r=B || r=A
echo "${key:0:20}$r${key:21}" >"$d/bad.key"
expect_fail check-dhchap-key "CRC mismatch" --key="+$d/bad.key"
! grep -qF "${key:10:12}" "$d/err" || fail "the message shows the key"
# A character that is not base64, a hash identifier 04, a short key.
echo "${key:0:20}*${key:21}" >"$d/bad.key"
expect_fail check-dhchap-key "base64" --key="+$d/bad.key"
echo "DHHC-1:04:${key:10}" >"$d/bad.key"
expect_fail check-dhchap-key "hash identifier 04" -k "+$d/bad.key"
echo "DHHC-1:00:AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eH5eHJeE=:" \
  >"$d/bad.key"
expect_fail check-dhchap-key "31 bytes" -k "+$d/bad.key"
STDIN=$d/bad.key expect_fail check-dhchap-key "31 bytes" --key=-

# A key on the command line is refused, and not repeated.
expect_fail check-dhchap-key "ps" --key="$key"
! grep -qF "${key:10:12}" "$d/err" || fail "the refusal shows the key"
expect_fail check-dhchap-key "ps" -k "$key"
expect_fail check-dhchap-key "--key" 
expect_fail check-dhchap-key "nonexistent" --key="+$d/nonexistent"

# A key file others can read works, with a warning.
chmod 644 "$d/key"
"$NVMEOF_CLI" check-dhchap-key --key="+$d/key" >/dev/null 2>"$d/err" ||
  fail "a readable key file was refused"
grep -q "readable by group or others" "$d/err" || fail "no warning for 0644"
echo PASS
