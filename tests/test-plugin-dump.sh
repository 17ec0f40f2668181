#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# nbdkit nvmeof --dump-plugin: the version and one line per built feature,
# and the callbacks the plugin promises (parallel, block_size, multi-conn
# ...) are really registered.
source "${abs_srcdir:-$(dirname "$0")}/functions.sh"
source "$abs_srcdir/functions-plugin.sh"
set -e -u -o pipefail

requires_plugin

out="$TMPDIR_TEST/dump"
nbdkit_bounded 30 "$NVMEOF_PLUGIN" --dump-plugin >"$out"
cat "$out"

want ()
{
  grep -qxF -- "$1" "$out" || fail "--dump-plugin lacks the line '$1'"
}
want name=nvmeof
want api_version=2
want thread_model=parallel
want magic_config_key=url
want nvmeof_tcp=yes
want nvmeof_tls=yes
want nvmeof_dhchap=yes
want nvmeof_eth=yes
for cb in config config_complete config_help get_ready after_fork \
          cleanup list_exports default_export open export_description \
          get_size block_size can_write can_flush can_fua can_trim \
          can_zero can_fast_zero can_multi_conn pread pwrite flush trim \
          zero dump_plugin; do
  want "has_$cb=1"
done
# No extents are claimed (they would have to be true).
if grep -q '^has_extents=' "$out"; then
  fail "the plugin registers .extents"
fi

# The library version is the package version.
version=$(sed -n 's/^version=//p' "$out")
nvmeof_version=$(sed -n 's/^nvmeof_version=//p' "$out")
[ -n "$version" ] || fail "no version= line"
[ "$version" = "$nvmeof_version" ] ||
  fail "plugin version $version but library version $nvmeof_version"
pkg_version=$(sed -n 's/^#define PACKAGE_VERSION "\(.*\)"$/\1/p' \
                "$abs_top_builddir/config.h")
[ "$version" = "$pkg_version" ] ||
  fail "version $version, but the package is $pkg_version"

# Only plugin_init and the debug flags are exported.
if command -v nm >/dev/null; then
  extra=$(nm -D --defined-only "$NVMEOF_PLUGIN" |
            awk '$2 ~ /^[TDBRVW]$/ { print $3 }' |
            grep -v -e '^plugin_init$' -e '^nvmeof_debug_' || true)
  [ -z "$extra" ] || fail "the plugin exports more than it should: $extra"
fi
echo PASS
