#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# nbdcopy round trip through the plugin: random data in and back out,
# compared by checksum; over 4 NBD connections (multi-conn, the default
# when advertised) and over 1; also to and from the second namespace.
source "${abs_srcdir:-$(dirname "$0")}/functions.sh"
source "$abs_srcdir/functions-plugin.sh"
set -e -u -o pipefail

requires_plugin
requires_target
requires nbdcopy --version
d=$TMPDIR_TEST

start_target --ram 32M --ram 8M
start_plugin

random_file "$d/in" 32M
sum_in=$(sha256sum <"$d/in")

echo "== in and out over 4 connections, with a progress bar"
with_timeout 120 nbdcopy --progress -C 4 "$d/in" "$NBD_URI"
with_timeout 120 nbdcopy -C 4 "$NBD_URI" "$d/out"
sum_out=$(sha256sum <"$d/out")
[ "$sum_in" = "$sum_out" ] || fail "checksums differ after the round trip"

echo "== out again over 1 connection, synchronous, odd request size"
with_timeout 120 nbdcopy -C 1 --synchronous --request-size=65536 \
  "$NBD_URI" "$d/out1"
[ "$sum_in" = "$(sha256sum <"$d/out1")" ] || fail "single-connection copy"

echo "== the second namespace (export 2)"
random_file "$d/in2" 8M
with_timeout 120 nbdcopy "$d/in2" "$(nbd_uri 2)"
with_timeout 120 nbdcopy "$(nbd_uri 2)" "$d/out2"
cmp "$d/in2" "$d/out2" || fail "export 2 round trip"
# ... without touching export 1.
with_timeout 120 nbdcopy "$(nbd_uri 1)" "$d/out3"
[ "$sum_in" = "$(sha256sum <"$d/out3")" ] || fail "export 1 changed"

echo "== through a new nbdkit (the data is on the target, not cached)"
start_plugin
with_timeout 120 nbdcopy "$NBD_URI" "$d/out4"
[ "$sum_in" = "$(sha256sum <"$d/out4")" ] || fail "second nbdkit"
echo PASS
