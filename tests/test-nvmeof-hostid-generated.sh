#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The generated host identity through the nvmeof command: with no identity
# files and nothing to derive one from (the test-only overrides point at
# nothing: $NVMEOF_HOSTNQN_FILE, $NVMEOF_HOSTID_FILE,
# $NVMEOF_MACHINE_ID_FILE, $NVMEOF_PRODUCT_UUID_FILE), an ordinary
# user gets one in $XDG_CONFIG_HOME/nvmeof (else ~/.config/nvmeof), said
# once on stderr, reused afterwards; 8 commands started at once agree on
# one; a damaged file is an error naming it; root writes the system's
# files (here $NVMEOF_HOSTNQN_FILE / $NVMEOF_HOSTID_FILE).
source "${abs_srcdir:-$(dirname "$0")}/functions.sh"
set -e -u -o pipefail

requires_built "$NVMEOF_CLI"
d=$TMPDIR_TEST
AS=()
uid=$(id -u)
if [ "$uid" = 0 ]; then
  uid=65534
  requires command -v setpriv
  chmod 0711 "$d"
  AS=(setpriv --reuid=65534 --regid=65534 --clear-groups)
fi
mkdir -p "$d/u"
[ "$(id -u)" != 0 ] || chown 65534:65534 "$d/u"

# show-hostnqn as the user, with nothing to read or derive.
user_show ()
{
  local xdg=$1
  shift
  with_timeout 30 "${AS[@]}" env NVMEOF_HOSTNQN_FILE=/nonexistent/hostnqn \
    NVMEOF_HOSTID_FILE=/nonexistent/hostid \
    NVMEOF_MACHINE_ID_FILE=/nonexistent NVMEOF_PRODUCT_UUID_FILE=/nonexistent \
    ${xdg:+XDG_CONFIG_HOME="$xdg"} HOME="$d/u/home" \
    "$NVMEOF_CLI" show-hostnqn "$@"
}

echo "== generated once into \$XDG_CONFIG_HOME/nvmeof"
user_show "$d/u/xdg" -o json >"$d/out" 2>"$d/err"
cat "$d/err"
[ "$(wc -l <"$d/err")" = 1 ] &&
  grep -q "^nvmeof: no host identity .* saved in $d/u/xdg/nvmeof/hostnqn and $d/u/xdg/nvmeof/hostid\$" "$d/err" ||
  fail "expected one line saying so: $(cat "$d/err")"
id=$(jq -r .hostid "$d/out")
nqn=$(jq -r .hostnqn "$d/out")
[ "$nqn" = "nqn.2014-08.org.nvmexpress:uuid:$id" ] || fail "pair $nqn $id"
[ "$(cat "$d/u/xdg/nvmeof/hostid")" = "$id" ] || fail "hostid file"
[ "$(cat "$d/u/xdg/nvmeof/hostnqn")" = "$nqn" ] || fail "hostnqn file"
[ "$(stat -c '%a %u' "$d/u/xdg/nvmeof/hostnqn")" = "644 $uid" ] ||
  fail "hostnqn file: $(stat -c '%a %u' "$d/u/xdg/nvmeof/hostnqn")"

echo "== reused, silently"
user_show "$d/u/xdg" -o json >"$d/out2" 2>"$d/err"
[ ! -s "$d/err" ] || fail "said something again: $(cat "$d/err")"
[ "$(jq -r .hostnqn "$d/out2")" = "$nqn" ] &&
  [ "$(jq -r .hostnqn_source "$d/out2")" = '$XDG_CONFIG_HOME/nvmeof/hostnqn' ] ||
  fail "not reused: $(cat "$d/out2")"

echo "== without XDG_CONFIG_HOME: ~/.config/nvmeof"
user_show "" >"$d/out3" 2>"$d/err"
grep -q "saved in $d/u/home/.config/nvmeof/hostnqn" "$d/err" ||
  fail "$(cat "$d/err")"
[ -s "$d/u/home/.config/nvmeof/hostid" ] || fail "no ~/.config/nvmeof/hostid"

echo "== 8 at once agree on one identity"
pids=()
for i in 1 2 3 4 5 6 7 8; do
  user_show "$d/u/race" -o json >"$d/race$i" 2>"$d/race$i.err" &
  pids+=($!)
done
for p in "${pids[@]}"; do wait "$p" || fail "a racer failed"; done
[ "$(cat "$d"/race?.err | grep -c 'generated host NQN')" = 1 ] ||
  fail "not exactly one said it generated: $(cat "$d"/race?.err)"
[ "$(jq -r .hostnqn "$d"/race? | sort -u | wc -l)" = 1 ] ||
  fail "different identities: $(jq -r .hostnqn "$d"/race? | sort | uniq -c)"
[ "$(jq -r .hostid "$d/race1")" = "$(cat "$d/u/race/nvmeof/hostid")" ] ||
  fail "the racers' identity is not the file's"
[ "$(ls -A "$d/u/race/nvmeof" | tr '\n' ' ')" = "hostid hostnqn " ] ||
  fail "left in the directory: $(ls -A "$d/u/race/nvmeof")"

echo "== a damaged file is an error naming it, and stays"
echo garbage >"$d/damaged"
"${AS[@]}" cp "$d/damaged" "$d/u/xdg/nvmeof/hostid"
user_show "$d/u/xdg" >/dev/null 2>"$d/err" && fail "accepted a bad hostid file"
grep -q "$d/u/xdg/nvmeof/hostid" "$d/err" || fail "$(cat "$d/err")"
[ "$(cat "$d/u/xdg/nvmeof/hostid")" = garbage ] || fail "replaced"
echo "  ok: $(cat "$d/err")"

if [ "$(id -u)" = 0 ]; then
  echo "== root: the system's files (here \$NVMEOF_HOSTNQN_FILE)"
  NVMEOF_HOSTNQN_FILE=$d/sys/nvme/hostnqn NVMEOF_HOSTID_FILE=$d/sys/nvme/hostid \
    NVMEOF_MACHINE_ID_FILE=/nonexistent NVMEOF_PRODUCT_UUID_FILE=/nonexistent \
    XDG_CONFIG_HOME=$d/rootxdg "$NVMEOF_CLI" show-hostnqn >"$d/out" 2>"$d/err"
  grep -q "saved in $d/sys/nvme/hostnqn and $d/sys/nvme/hostid" "$d/err" ||
    fail "$(cat "$d/err")"
  [ ! -e "$d/rootxdg" ] || fail "root wrote its configuration directory"
  grep -q "^hostnqn: $(cat "$d/sys/nvme/hostnqn") " "$d/out" || fail "$(cat "$d/out")"
fi
echo PASS
