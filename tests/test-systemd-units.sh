#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The systemd units of systemd/, without systemd as PID 1:
#  - systemd-analyze verify passes on them (with their programs pointed at
#    the build tree: the installed paths do not exist here), and fails on a
#    unit whose program is missing (so that the check can fail);
#  - nvmeof-target.service's command line, with its configuration file
#    swapped for a test one in nvmetcli's format, serves that file's
#    subsystem and stops cleanly on SIGTERM (systemd's stop);
#  - nvmeof-nbd@.service's command line under systemd-socket-activate
#    (the socket passed as systemd passes it: LISTEN_FDS) serves the
#    namespaces named by a NAME.conf: checksummed nbdcopy round trip.
source "${abs_srcdir:-$(dirname "$0")}/functions.sh"
set -e -u -o pipefail

requires command -v systemd-analyze
requires command -v systemd-socket-activate
requires_target
requires_plugin
requires nbdcopy --version
requires nbdinfo --version
requires command -v sha256sum

u=$abs_top_builddir/systemd
for f in nvmeof-target.service nvmeof-nbd@.socket nvmeof-nbd@.service; do
  [ -f "$u/$f" ] || fail "$u/$f is not built"
done
d=$TMPDIR_TEST

# The words of a unit's ExecStart=.
exec_start ()
{
  sed -n 's/^ExecStart=//p' "$1"
}

echo "== systemd-analyze verify"
mkdir "$d/units"
target_exec=$(exec_start "$u/nvmeof-target.service")
target_prog=${target_exec%% *}
case $target_prog in
  /*/nvmeof-target) ;;
  *) fail "nvmeof-target.service runs '$target_prog'" ;;
esac
sed "s|^ExecStart=$target_prog |ExecStart=$NVMEOF_TARGET |" \
  "$u/nvmeof-target.service" >"$d/units/nvmeof-target.service"
# A template is verified as an instance of it.
cp "$u/nvmeof-nbd@.socket" "$d/units/nvmeof-nbd@test.socket"
cp "$u/nvmeof-nbd@.service" "$d/units/nvmeof-nbd@test.service"
nbdkit_prog=$(exec_start "$u/nvmeof-nbd@.service" | cut -d' ' -f1)
[ -x "$nbdkit_prog" ] || fail "nvmeof-nbd@.service runs '$nbdkit_prog'"
(cd "$d/units" &&
  systemd-analyze verify --man=no nvmeof-target.service \
    nvmeof-nbd@test.socket nvmeof-nbd@test.service) >"$d/verify" 2>&1 ||
  { cat "$d/verify"; fail "systemd-analyze verify"; }
[ ! -s "$d/verify" ] || { cat "$d/verify"; fail "systemd-analyze warned"; }
mkdir "$d/bad"
sed "s|^ExecStart=[^ ]*|ExecStart=/nonexistent/nvmeof-target|" \
  "$u/nvmeof-target.service" >"$d/bad/nvmeof-target.service"
(cd "$d/bad" && systemd-analyze verify --man=no nvmeof-target.service) \
  >/dev/null 2>&1 && fail "verify passed a unit whose program is missing"
echo "  ok: verify passes on the units, fails on a broken one"

echo "== nvmeof-target.service: its command line, a test config.json"
[ "${target_exec#* }" = "--foreground --config /etc/nvmet/config.json" ] ||
  fail "nvmeof-target.service: ExecStart=$target_exec"
grep -qx 'ConditionPathExists=/etc/nvmet/config.json' \
  "$u/nvmeof-target.service" || fail "no ConditionPathExists"
port=$(free_port)
random_file "$d/ns1.img" 4M
cat >"$d/config.json" <<EOF
{
  "hosts": [],
  "ports": [
    { "addr": { "adrfam": "ipv4", "traddr": "127.0.0.1", "treq": "not specified",
                "trsvcid": "$port", "trtype": "tcp" },
      "portid": 1, "referrals": [],
      "subsystems": [ "nqn.2026-11.io.nvmeof:unit" ] }
  ],
  "subsystems": [
    { "allowed_hosts": [], "attr": { "allow_any_host": "1" },
      "namespaces": [
        { "device": { "path": "$d/ns1.img" }, "enable": 1, "nsid": 1 }
      ],
      "nqn": "nqn.2026-11.io.nvmeof:unit" }
  ]
}
EOF
args=${target_exec#* }
# shellcheck disable=SC2086 # the unit's words, as systemd splits them
"$NVMEOF_TARGET" ${args//\/etc\/nvmet\/config.json/$d/config.json} \
  </dev/null >"$d/target.log" 2>&1 &
tpid=$!
cleanup_fn _stop_child "$tpid" "$d/target.log" nvmeof-target
url=nvme+tcp://127.0.0.1:$port/nqn.2026-11.io.nvmeof:unit
for i in $(seq 100); do
  "$NVMEOF_CLI" list "$url" -o json >"$d/list.json" 2>/dev/null && break
  _alive "$tpid" || { cat "$d/target.log"; fail "nvmeof-target exited"; }
  sleep 0.1
done
[ "$(jq '.namespaces[0].size' "$d/list.json")" = 4194304 ] ||
  fail "the config's namespace is not served: $(cat "$d/list.json")"
start_nbdkit -P "$d/nbdkit1.pid" -U "$d/t.sock" nvmeof "url=$url"
nbdcopy "nbd+unix:///?socket=$d/t.sock" "$d/back1"
[ "$(sha256sum <"$d/back1")" = "$(sha256sum <"$d/ns1.img")" ] ||
  fail "the file namespace reads back different bytes"
kill -TERM "$NBDKIT_PID"
_wait_gone "$NBDKIT_PID" 30 || fail "nbdkit did not stop"
kill -TERM "$tpid"
rc=0
wait "$tpid" || rc=$?
_stopped_pids+="$tpid " # reaped here: the cleanup must not wait again
[ "$rc" = 0 ] || { cat "$d/target.log"; fail "SIGTERM: exit status $rc"; }
echo "  ok: serves $d/config.json's file namespace, exit 0 on SIGTERM"

echo "== nvmeof-nbd@.service under systemd-socket-activate"
start_target --ram 16M --ram 8M
printf 'NVMEOF_NBD_ARGS=url=%s nsid=2\n' "$TARGET_URL" >"$d/test.conf"
grep -qx 'ListenStream=/run/nvmeof-nbd/%i.sock' "$u/nvmeof-nbd@.socket" ||
  fail "nvmeof-nbd@.socket: $(grep ListenStream "$u/nvmeof-nbd@.socket")"
grep -qx "EnvironmentFile=.*/nvmeof/nbd/%i.conf" "$u/nvmeof-nbd@.service" ||
  fail "nvmeof-nbd@.service: no EnvironmentFile"
# ExecStart's words, with the test's nbdkit (the wrapper that names the
# built plugin for "nvmeof") and $NVMEOF_NBD_ARGS as systemd expands an
# unbraced variable: split at white space.
nbd_args=$(sed -n 's/^NVMEOF_NBD_ARGS=//p' "$d/test.conf")
words=()
for w in $(exec_start "$u/nvmeof-nbd@.service"); do
  case $w in
    "$nbdkit_prog") w=nbdkit ;;
    */nbdkit-nvmeof-plugin.so) w=nvmeof ;;
  esac
  if [ "$w" = '$NVMEOF_NBD_ARGS' ]; then
    # shellcheck disable=SC2206
    words+=($nbd_args)
  else
    words+=("$w")
  fi
done
[ "${words[*]}" = "nbdkit --foreground nvmeof url=$TARGET_URL nsid=2" ] ||
  fail "ExecStart gives '${words[*]}'"
systemd-socket-activate -l "$d/nbd.sock" "${words[@]}" </dev/null \
  >"$d/sa.log" 2>&1 &
sapid=$!
cleanup_fn _stop_child "$sapid" "$d/sa.log" "nbdkit (socket activated)"
for i in $(seq 100); do [ -S "$d/nbd.sock" ] && break; sleep 0.1; done
[ -S "$d/nbd.sock" ] || { cat "$d/sa.log"; fail "no socket"; }
random_file "$d/data" 8M
# The first client starts nbdkit, as systemd does with Accept=no.
nbdcopy "$d/data" "nbd+unix:///?socket=$d/nbd.sock" ||
  { cat "$d/sa.log"; fail "nbdcopy through the activated socket"; }
nbdcopy "nbd+unix:///2?socket=$d/nbd.sock" "$d/back"
[ "$(sha256sum <"$d/data")" = "$(sha256sum <"$d/back")" ] ||
  fail "read back differs"
nbdinfo --list "nbd+unix:///?socket=$d/nbd.sock" >"$d/info"
grep -q 'export="1"' "$d/info" && grep -q 'export="2"' "$d/info" ||
  fail "nbdinfo --list: $(cat "$d/info")"
grep -q 'Communication attempt on fd 3' "$d/sa.log" ||
  { cat "$d/sa.log"; fail "nbdkit was not socket activated"; }
kill -TERM "$sapid"
rc=0
wait "$sapid" || rc=$?
_stopped_pids+="$sapid "
[ "$rc" = 0 ] || { cat "$d/sa.log"; fail "nbdkit: exit status $rc"; }
_check_log_clean "$d/sa.log" nbdkit || fail "sanitizer report"
echo "  ok: 8 MiB into namespace 2 (the default export) and back, same sha256"
echo PASS
