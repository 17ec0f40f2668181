#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# nvmeof-target: --help, --version, and bad options or configuration each
# fail with exactly one line that names what is wrong.  Also checks that
# every option in --help is documented in the man page source.
source "${abs_srcdir:-$(dirname "$0")}/functions.sh"
set -e -u -o pipefail
requires_target

t=$NVMEOF_TARGET
d=$(tmpdir)

"$t" --help >"$d/help"
grep -q -- '--config FILE' "$d/help" || fail "--help does not list --config"
grep -q -- '--fault-close-after' "$d/help" || fail "--help lacks the fault options"
"$t" --version | grep -q '^nvmeof-target ' || fail "--version"

# Every long option in --help is an =item in the POD, and back.
pod="$abs_top_srcdir/target/nvmeof-target.pod"
grep -o -- '--[a-z0-9-]*' "$d/help" | sort -u >"$d/help-opts"
grep -o -- '^=item B<--[a-z0-9-]*' "$pod" | sed 's/^=item B<//' | sort -u >"$d/pod-opts"
if ! diff -u "$d/help-opts" "$d/pod-opts"; then
  fail "--help and nvmeof-target.pod list different options"
fi

# expect_error "PATTERN" ARGS..: exit 1, one line on stderr matching PATTERN.
expect_error ()
{
  local pat=$1 rc=0
  shift
  with_timeout 10 "$t" -f "$@" >"$d/out" 2>"$d/err" </dev/null || rc=$?
  [ "$rc" = 1 ] || { cat "$d/err" >&2; fail "'$*' exited with $rc, not 1"; }
  [ "$(wc -l <"$d/err")" = 1 ] ||
    { cat "$d/err" >&2; fail "'$*' printed more than one line"; }
  grep -q -- "$pat" "$d/err" ||
    { cat "$d/err" >&2; fail "'$*': message does not mention '$pat'"; }
  echo "ok: $* -> $(cat "$d/err")"
}

expect_error "--bogus" --bogus
expect_error "'--ram' needs a value" --ram
expect_error "--ram: expected a size" --ram 12X
expect_error "--lba-size: expected 512 or 4096" --lba-size 1000
expect_error "--maxh2cdata" --maxh2cdata 100
expect_error "--maxh2cdata: expected a multiple of 4" --maxh2cdata 4097
expect_error "--maxr2t" --maxr2t 17
expect_error "--mdts" --mdts x
expect_error "--inline-data-size" --inline-data-size 100
expect_error "--connect-timeout: expected a number from 0 to 3600" \
  --connect-timeout 3601
expect_error "--connect-timeout" --connect-timeout 1s
expect_error "--fault-close-after" --fault-close-after 0
expect_error "--listen" -l 127.0.0.1
expect_error "--allow-host" --allow-host ""
expect_error "unexpected argument" stray
expect_error "/nonexistent/disk.img: cannot open" --file /nonexistent/disk.img
expect_error "cannot be combined with --config" -c /dev/null --ram 1M

# Configuration files.
expect_error "/nonexistent.json" -c /nonexistent.json
echo '{ "ports": [ ' >"$d/broken.json"
expect_error "broken.json" -c "$d/broken.json"
cat >"$d/nsid.json" <<'EOF'
{ "subsystems": [ { "nqn": "nqn.2026-11.io.test:a",
    "namespaces": [ { "nsid": 0, "device": { "path": "ram:1M" } } ] } ] }
EOF
expect_error "subsystems\[0\].namespaces\[0\]: 'nsid' must be between 1 and 8192" \
  -c "$d/nsid.json"
cat >"$d/port.json" <<'EOF'
{ "subsystems": [ { "nqn": "nqn.2026-11.io.test:a" } ],
  "ports": [ { "portid": 1, "addr": { "trtype": "tcp", "traddr": "127.0.0.1",
               "trsvcid": "4420" }, "subsystems": [ "nqn.2026-11.io.test:b" ] } ] }
EOF
expect_error "ports\[0\]: subsystem 'nqn.2026-11.io.test:b' is not defined" \
  -c "$d/port.json"
cat >"$d/uuid.json" <<'EOF'
{ "subsystems": [ { "nqn": "nqn.2026-11.io.test:a",
    "namespaces": [ { "nsid": 1, "device": { "path": "ram:1M", "uuid": "xyz" } } ] } ] }
EOF
expect_error "'device.uuid' must be a UUID" -c "$d/uuid.json"
cat >"$d/lba.json" <<'EOF'
{ "subsystems": [ { "nqn": "nqn.2026-11.io.test:a",
    "namespaces": [ { "nsid": 1, "device": { "path": "ram:1M" },
                      "nvmeof": { "lba_size": 1024 } } ] } ] }
EOF
expect_error "'nvmeof.lba_size' must be 512 or 4096" -c "$d/lba.json"

# A port that is already taken.
if [ -x /usr/bin/python3 ]; then
  port=$(free_port)
  /usr/bin/python3 - "$port" "$d/ready" <<'EOF' &
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(1)
open(sys.argv[2], "w").write("x")
time.sleep(20)
EOF
  holder=$!
  cleanup_fn kill "$holder"
  wait_for_pidfile "$d/ready" 10 || fail "port holder did not start"
  expect_error "Address already in use" -l "127.0.0.1:$port" --ram 1M
fi
