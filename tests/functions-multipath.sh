# SPDX-License-Identifier: BSD-3-Clause
# Helpers for the multipath tests (tests/test-*-multipath*.sh), on top of
# functions.sh:
#
#   mp_start_target N [TARGET-ARGS..]
#                        one nvmeof-target with N TCP ports (port IDs 1..N:
#                        127.0.0.1 for all but the last, which is [::1]
#                        when N > 1) and a control socket; sets MP_URL1..N
#                        (nvme+tcp://.../NQN/1), MP_CTL and MP_PORT1..N
#   mp_ctl LINE..        send a line to the control socket; fails unless
#                        the reply is "ok" (or JSON for "stats")
#   mp_port_io PORTID    I/O commands the target counted on that port
#   mp_bench OUT ARGS..  nvmeof bench --verify -o json with ARGS (the URLs
#                        among them), its JSON into OUT
#   mp_bench_clean OUT   fail unless that run did I/O with no error and no
#                        verify error

MP_CTL=
mp_start_target ()
{
  local n=$1 i args=() p
  shift
  MP_CTL=$TMPDIR_TEST/mp-control.$_target_n
  for i in $(seq 1 "$n"); do
    p=$(free_port)
    eval "MP_PORT$i=$p"
    if [ "$i" = "$n" ] && [ "$n" -gt 1 ]; then
      args+=(-l "[::1]:$p")
      eval "MP_URL$i=nvme+tcp://[::1]:$p/$NVMEOF_DEFAULT_NQN/1"
    else
      args+=(-l "127.0.0.1:$p")
      eval "MP_URL$i=nvme+tcp://127.0.0.1:$p/$NVMEOF_DEFAULT_NQN/1"
    fi
  done
  start_target "${args[@]}" --control "$MP_CTL" "$@"
}

mp_ctl ()
{
  local reply
  reply=$(/usr/bin/python3 - "$MP_CTL" "$*" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.settimeout(10)
s.connect(sys.argv[1])
s.sendall((sys.argv[2] + "\n").encode())
b = b""
while not b.endswith(b"\n"):
    d = s.recv(65536)
    if not d:
        break
    b += d
print(b.decode().strip())
PY
  ) || fail "control socket: '$*' failed"
  case $1 in
    stats) echo "$reply" ;;
    *) [ "$reply" = ok ] || fail "control socket: '$*': $reply" ;;
  esac
}

mp_port_io ()
{
  mp_ctl stats | jq -er ".ports[] | select(.portid == $1) | .commands.io" ||
    fail "no I/O counter for port $1"
}

mp_bench ()
{
  local out=$1
  shift
  with_timeout 120 "$NVMEOF_CLI" bench --verify -o json "$@" \
    >"$out" 2>"$out.err" ||
    { cat "$out.err" >&2; fail "nvmeof bench $* failed"; }
}

mp_bench_clean ()
{
  jq -e '.ios > 0 and .errors == 0 and .verify_errors == 0' "$1" \
    >/dev/null || { cat "$1" "$1.err" >&2; fail "errors in $1"; }
  echo "ok: $(jq -r '"\(.ios) I/Os verified, \(.errors) errors, max latency \(.lat_max_us / 1000 | floor) ms"' "$1")"
}
