#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Read-only exports: with nbdkit -r, and when the target write-protects the
# namespace.  nbdinfo says read-only, reads work, and writes, zeroes and
# trims sent anyway (strict mode off) fail with EPERM without reaching the
# target.
source "${abs_srcdir:-$(dirname "$0")}/functions.sh"
source "$abs_srcdir/functions-plugin.sh"
set -e -u -o pipefail

requires_plugin
requires_target
requires_nbdinfo
requires /usr/bin/nbdsh --version
requires jq --version
requires nbdcopy --version
d=$TMPDIR_TEST

cat >"$d/ro.py" <<'PY'
import errno, os
h.set_strict_mode(0)
h.connect_uri(os.environ["NBD_URI"])
assert h.is_read_only(), "the export is not read-only"
before = h.pread(8192, 0)
for what, fn in [("pwrite", lambda: h.pwrite(b"x" * 4096, 0)),
                 ("unaligned pwrite", lambda: h.pwrite(b"x" * 10, 3)),
                 ("zero", lambda: h.zero(4096, 0)),
                 ("trim", lambda: h.trim(4096, 0))]:
    try:
        fn()
    except nbd.Error as e:
        en = e.errno if isinstance(e.errno, int) else getattr(errno, str(e.errno), None)
        if en not in (errno.EPERM, errno.EROFS):
            raise AssertionError("%s failed with %s, expected EPERM"
                                 % (what, e))
        print("%-16s refused: %s" % (what, e.string))
    else:
        raise AssertionError("%s succeeded on a read-only export" % what)
assert h.pread(8192, 0) == before, "data changed"
print("read-only: ok")
PY

run_ro ()
{
  with_timeout 60 nbdinfo --json "$NBD_URI" >"$d/info.json"
  [ "$(jq -r '.exports[0].is_read_only' "$d/info.json")" = true ] ||
    fail "$1: nbdinfo does not say read-only"
  NBD_URI=$NBD_URI nbdsh_sys -c "exec(open('$d/ro.py').read())"
}

random_file "$d/data" 4M

echo "== nbdkit -r"
start_target --ram 4M --stats-file "$d/stats.json"
start_plugin
with_timeout 60 nbdcopy "$d/data" "$NBD_URI"
start_plugin -r
stats_refresh "$d/stats.json"
writes=$(stat_of "$d/stats.json" write)
run_ro "nbdkit -r"
with_timeout 60 nbdcopy "$NBD_URI" "$d/back"
cmp "$d/data" "$d/back" || fail "nbdkit -r: data"
stats_refresh "$d/stats.json"
[ "$(stat_of "$d/stats.json" write)" = "$writes" ] ||
  fail "nbdkit -r: a write reached the target"
[ "$(stat_of "$d/stats.json" write_zeroes)" = 0 ] ||
  fail "nbdkit -r: Write Zeroes reached the target"

echo "== a write-protected namespace"
stop_target
start_target --ram 4M --write-protect
start_plugin
run_ro "--write-protect"
echo PASS
