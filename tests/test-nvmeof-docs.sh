#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The man pages say what the programs do: for each nvmeof subcommand, the
# options of "nvmeof SUB --help" are exactly those documented for it in
# nvmeof.pod (its own section, COMMON OPTIONS, and CONNECTION OPTIONS for
# the subcommands that connect); the same for nvmeof-fuse --help and
# nvmeof-fuse.pod; the connection options are the keys of the library's
# table (print-keys) but url and nsid, with the table's short options;
# every documented connection option is accepted (with its underscore
# spelling too); both PODs pass podchecker.
source "${abs_srcdir:-$(dirname "$0")}/functions.sh"
set -e -u -o pipefail

requires_built "$NVMEOF_CLI" "$abs_builddir/print-keys"
d=$TMPDIR_TEST
cli_pod="$abs_top_srcdir/tools/nvmeof.pod"
fuse_pod="$abs_top_srcdir/fuse/nvmeof-fuse.pod"

# Long options in text: "--name" (not in "nvmeof(1)" or words).
long_opts ()
{
  { grep -oE -- '(^|[^a-z-])--[a-z][a-z0-9-]*' || true; } |
    sed 's/.*--/--/' | sort -u
}

# The =item options of one POD section (from "=headN TITLE" to the next
# heading of the same or a higher level).
pod_items ()
{
  local pod=$1 level=$2 title=$3
  awk -v l="$level" -v t="$title" '
    $0 ~ "^=head[1-" l "] " { inside = ($0 == "=head" l " " t) ; next }
    inside && /^=item / { print }' "$pod" | long_opts
}

for sub in discover list identify show-hostnqn bench gen-dhchap-key \
  check-dhchap-key gen-tls-key check-tls-key \
  connect list-connections disconnect disconnect-all; do
  with_timeout 10 "$NVMEOF_CLI" "$sub" --help >"$d/help-$sub"
  long_opts <"$d/help-$sub" >"$d/h"
  { pod_items "$cli_pod" 2 "nvmeof $sub"
    pod_items "$cli_pod" 1 "COMMON OPTIONS"
    if grep -q '^Connection options' "$d/help-$sub"; then
      pod_items "$cli_pod" 1 "CONNECTION OPTIONS"
    fi; } | sort -u >"$d/p"
  echo "$sub: $(tr '\n' ' ' <"$d/h")"
  diff -u "$d/h" "$d/p" ||
    fail "nvmeof $sub --help (-) and nvmeof.pod (+) list different options"
  # "nvmeof help SUB" is the same text.
  with_timeout 10 "$NVMEOF_CLI" help "$sub" | cmp -s - "$d/help-$sub" ||
    fail "nvmeof help $sub differs from nvmeof $sub --help"
  grep -q "^=head2 nvmeof $sub\$" "$cli_pod" || fail "no section for $sub"
done

# Each documented connection option is an option of the library: never
# an unknown option; a value the library refuses is refused naming the
# key (show-hostnqn connects to nothing, so values it accepts are fine).
pod_items "$cli_pod" 1 "CONNECTION OPTIONS" >"$d/conn"

# The connection options are the table's keys but url (the positional URL)
# and nsid (an option of the subcommands that use one), and keys with a
# short option have it in --help and in the POD.
"$abs_builddir/print-keys" | awk '$1 != "url" && $1 != "nsid"' >"$d/table"
sed 's/^/--/; s/ .*//' "$d/table" | sort -u >"$d/table-opts"
diff -u "$d/table-opts" "$d/conn" ||
  fail "the library's key table (-) and nvmeof.pod's CONNECTION OPTIONS (+) differ"
while read -r name short _; do
  [ "$short" != - ] || continue
  grep -qE -- "^  -$short, --$name(=|\[=)" "$d/help-list" ||
    fail "nvmeof list --help does not show -$short for --$name"
  grep -qxE "=item B<-$short>, B<--$name>.*" "$cli_pod" ||
    fail "nvmeof.pod does not show -$short for --$name"
done <"$d/table"
while read -r opt; do
  key=${opt#--}
  for k in "$key" "${key//-/_}"; do
    rc=0
    "$NVMEOF_CLI" show-hostnqn "--$k=@bad@" >/dev/null 2>"$d/err" || rc=$?
    ! grep -q 'unknown option' "$d/err" || fail "--$k: $(cat "$d/err")"
    case $rc in
      0) ;;
      1) grep -q "$key" "$d/err" ||
           fail "--$k=@bad@: the message does not name $key: $(cat "$d/err")" ;;
      *) fail "--$k=@bad@: exit status $rc" ;;
    esac
  done
done <"$d/conn"

if [ -x "$NVMEOF_FUSE" ]; then
  with_timeout 10 "$NVMEOF_FUSE" --help >"$d/help-fuse"
  long_opts <"$d/help-fuse" >"$d/h"
  { pod_items "$fuse_pod" 1 OPTIONS
    pod_items "$fuse_pod" 2 "Connection options"; } | sort -u >"$d/p"
  echo "nvmeof-fuse: $(tr '\n' ' ' <"$d/h")"
  diff -u "$d/h" "$d/p" ||
    fail "nvmeof-fuse --help (-) and nvmeof-fuse.pod (+) list different options"
  # The same connection keys as the nvmeof command.
  pod_items "$fuse_pod" 2 "Connection options" >"$d/fconn"
  diff -u "$d/conn" "$d/fconn" ||
    fail "connection options of nvmeof (-) and nvmeof-fuse (+) differ"
fi

if command -v podchecker >/dev/null; then
  for pod in "$cli_pod" "$fuse_pod"; do
    podchecker -warnings -warnings "$pod" >"$d/podchecker" 2>&1 ||
      { cat "$d/podchecker"; fail "podchecker $pod"; }
    ! grep -q WARNING "$d/podchecker" ||
      { cat "$d/podchecker"; fail "podchecker warnings in $pod"; }
  done
fi
# No placeholder is left in the pages.
! grep -nE '^[A-Z_]+_(TABLE|TEXT)$' "$cli_pod" "$fuse_pod" ||
  fail "a placeholder is left in a POD"
echo PASS
