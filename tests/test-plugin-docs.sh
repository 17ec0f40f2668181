#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The documentation says what the code does: the keys of the library's
# table (print-keys), of "nbdkit nvmeof --help", the =item keys of
# nbdkit-nvmeof-plugin.pod and the keys of its SYNOPSIS are the same
# sets; every key is accepted by the
# plugin (with its underscore spelling too); the -D debug flags in the POD
# are the ones the plugin exports; the POD sections follow nbdkit's order.
source "${abs_srcdir:-$(dirname "$0")}/functions.sh"
source "$abs_srcdir/functions-plugin.sh"
set -e -u -o pipefail

requires_plugin
print_keys="$abs_builddir/print-keys"
requires_built "$print_keys"
pod="$abs_top_srcdir/plugin/nbdkit-nvmeof-plugin.pod"
[ -f "$pod" ] || fail "$pod is missing"
d=$TMPDIR_TEST

nbdkit_bounded 30 "$NVMEOF_PLUGIN" --help >"$d/help"
# The plugin's part of --help follows the line with its path.
sed -n '\|^('"$NVMEOF_PLUGIN"')$|,$p' "$d/help" | tail -n +2 >"$d/plugin-help"
[ -s "$d/plugin-help" ] || fail "no plugin section in --help"
cat "$d/plugin-help"

sed -nE 's/^\[?([a-z][a-z0-9-]*)=\]?.*/\1/p' "$d/plugin-help" |
  sort -u >"$d/help-keys"
sed -nE 's/^=item \[?B<([a-z][a-z0-9-]*)=.*/\1/p' "$pod" |
  sort -u >"$d/pod-keys"
sed -n '/^=head1 SYNOPSIS/,/^=head1 DESCRIPTION/p' "$pod" |
  grep -oE '[a-z][a-z0-9-]*=' | tr -d = | sort -u >"$d/synopsis-keys"

"$print_keys" | cut -d' ' -f1 | sort -u >"$d/table-keys"

echo "keys: $(tr '\n' ' ' <"$d/help-keys")"
[ "$(wc -l <"$d/help-keys")" -ge 15 ] || fail "too few keys in --help"
diff -u "$d/table-keys" "$d/help-keys" ||
  fail "the library's key table (-) and --help (+) differ"
diff -u "$d/help-keys" "$d/pod-keys" ||
  fail "--help (-) and the POD's =item list (+) differ"
diff -u "$d/help-keys" "$d/synopsis-keys" ||
  fail "--help (-) and the POD's SYNOPSIS (+) differ"

# Every documented key is a key: a bad value is refused by name, never as
# an unknown parameter.  The same for the underscore spelling.
while read -r key; do
  for k in "$key" "${key//-/_}"; do
    rc=0
    nbdkit_bounded 30 "$NVMEOF_PLUGIN" "$k=@bad@" --run true \
      >"$d/out" 2>&1 || rc=$?
    [ "$rc" != 0 ] || fail "$k=@bad@ was accepted"
    if grep -q 'unknown parameter' "$d/out"; then
      fail "$k is documented but not accepted: $(cat "$d/out")"
    fi
  done
done <"$d/help-keys"

# Debug flags: the POD's "-D nvmeof.FLAG=1" items and the exported
# nvmeof_debug_FLAG variables.
sed -nE 's/^=item B<-D nvmeof\.([a-z0-9_]+)=1>.*/\1/p' "$pod" |
  sort -u >"$d/pod-flags"
if command -v nm >/dev/null; then
  nm -D --defined-only "$NVMEOF_PLUGIN" |
    sed -nE 's/.* nvmeof_debug_([a-z0-9_]+)$/\1/p' | sort -u >"$d/so-flags"
  diff -u "$d/so-flags" "$d/pod-flags" ||
    fail "debug flags in the plugin (-) and in the POD (+) differ"
fi

# nbdkit's section order (topic sections may sit between EXAMPLES and
# FILES).
grep '^=head1 ' "$pod" | sed 's/^=head1 //' >"$d/sections"
want="NAME SYNOPSIS DESCRIPTION EXAMPLES PARAMETERS FILES VERSION SEE ALSO AUTHORS COPYRIGHT"
got=$(grep -xE 'NAME|SYNOPSIS|DESCRIPTION|EXAMPLES|PARAMETERS|FILES|VERSION|SEE ALSO|AUTHORS|COPYRIGHT' \
        "$d/sections" | tr '\n' ' ' | sed 's/ $//')
[ "$got" = "$want" ] || fail "POD sections: '$got', expected '$want'"
grep -qx 'DUMP PLUGIN OUTPUT' "$d/sections" ||
  fail "the POD has no DUMP PLUGIN OUTPUT section"

# The EXAMPLES cover the clients the README promises.
sed -n '/^=head1 EXAMPLES/,/^=head1 PARAMETERS/p' "$pod" >"$d/examples"
for client in nbdinfo nbdcopy qemu-img guestfish nbd-client fio; do
  grep -q "^ .*\\b$client\\b" "$d/examples" ||
    fail "no $client command in the POD's EXAMPLES"
done

if command -v podchecker >/dev/null; then
  podchecker -warnings -warnings "$pod" >"$d/podchecker" 2>&1 ||
    { cat "$d/podchecker"; fail "podchecker"; }
  if grep -q WARNING "$d/podchecker"; then
    cat "$d/podchecker"
    fail "podchecker warnings"
  fi
fi
echo PASS
