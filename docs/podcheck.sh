#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Lint a POD man page before pod2man turns it into a man page:
#   - podchecker (when installed: $PODCHECKER, "no" if not) finds no error
#     and no warning;
#   - the page has NAME, DESCRIPTION and SEE ALSO sections;
#   - no trailing whitespace.
# Usage: podcheck.sh FILE.pod
set -e
f=$1
rc=0

if [ -n "$PODCHECKER" ] && [ "$PODCHECKER" != no ]; then
  out=$("$PODCHECKER" "$f" 2>&1) || rc=1
  if printf '%s\n' "$out" | grep -q -E '\*\*\* (ERROR|WARNING)'; then
    printf '%s\n' "$out" | grep -E '\*\*\* (ERROR|WARNING)' >&2
    rc=1
  fi
fi

for section in NAME DESCRIPTION 'SEE ALSO'; do
  if ! grep -q "^=head1 $section\$" "$f"; then
    echo "$f: missing section =head1 $section" >&2
    rc=1
  fi
done

if grep -n '[[:space:]]$' "$f" >/dev/null; then
  grep -n '[[:space:]]$' "$f" | sed "s|^|$f:|; s|\$|: trailing whitespace|" >&2
  rc=1
fi

exit $rc
