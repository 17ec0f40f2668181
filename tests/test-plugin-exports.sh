#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Export names: every active namespace by its NSID in decimal; "" is the
# default (nsid= or the first namespace); other names fail with a clear
# error in nbdkit's log, and the connection is refused.
source "${abs_srcdir:-$(dirname "$0")}/functions.sh"
source "$abs_srcdir/functions-plugin.sh"
set -e -u -o pipefail

requires_plugin
requires_target
requires_nbdinfo
requires /usr/bin/nbdsh --version
d=$TMPDIR_TEST

start_target --ram 8M --ram 4M --ram 2M
start_plugin

cat >"$d/exports.py" <<'PY'
import os
uri = os.environ["NBD_URI"]
want = {"": 8 << 20, "1": 8 << 20, "2": 4 << 20, "3": 2 << 20}
for name, size in want.items():
    h = nbd.NBD()
    h.set_full_info(True)
    h.set_export_name(name)
    h.connect_uri(uri.replace("nbd+unix:///", "nbd+unix:///" + name))
    assert h.get_size() == size, "export %r: size %d" % (name, h.get_size())
    assert h.get_canonical_export_name() == (name or "1"), \
        "export %r: canonical name %r" % (name, h.get_canonical_export_name())
    h.shutdown()
    print("export %-3r size %d ok" % (name, size))
for name in ["4", "0", "01", "+1", " 1", "1x", "abc", "4294967296",
             "99999999999999999999", "nvme"]:
    h = nbd.NBD()
    h.set_export_name(name)
    try:
        h.connect_unix(os.environ["NBD_SOCK"])
    except nbd.Error as e:
        print("export %-22r refused: %s" % (name, e.string))
    else:
        raise AssertionError("export %r was accepted" % name)
print("exports: ok")
PY

NBD_URI=$NBD_URI NBD_SOCK=$NBD_SOCK \
  nbdsh_sys -n -c "exec(open('$d/exports.py').read())"
for name in 4 01 abc; do
  grep -q "export '$name' does not exist: the exports are the active namespace IDs in decimal (1, 2, 3)" \
    "$NBDKIT_LOG" || { cat "$NBDKIT_LOG"; fail "no clear error for '$name'"; }
done

echo "== nsid=3 makes 3 the default; all stay listed"
start_plugin -- "$TARGET_URL" nsid=3
[ "$(with_timeout 60 nbdinfo --size "$NBD_URI")" = 2097152 ] ||
  fail "default export with nsid=3"
[ "$(with_timeout 60 nbdinfo --list --json "$NBD_URI" |
     jq -r '[.exports[]."export-name"] | join(",")')" = "1,2,3" ] ||
  fail "nsid=3: export list"
echo PASS
