#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# nbdcopy of 256 MiB of random data to the plugin and back while the
# target cuts the connections every 500 commands per queue, again and
# again: not one error, the data read back is the data written (sha256),
# nbdkit logs no error.
source "${abs_srcdir:-$(dirname "$0")}/functions.sh"
source "$abs_srcdir/functions-plugin.sh"
set -e -u -o pipefail

requires_plugin
requires_target
requires nbdcopy --version
requires command -v sha256sum
d=$TMPDIR_TEST

random_file "$d/in" 256M
start_target --ram 256M --fault-close-after 500
start_plugin -- "$TARGET_URL" nr-io-queues=2 reconnect-delay=1 \
  ctrl-loss-tmo=60
with_timeout 300 nbdcopy "$d/in" "$NBD_URI" || fail "nbdcopy to the plugin"
up=$(grep -c 'fault injection: closing' "$TARGET_LOG" || true)
with_timeout 300 nbdcopy "$NBD_URI" "$d/out" || fail "nbdcopy from the plugin"
cuts=$(grep -c 'fault injection: closing' "$TARGET_LOG" || true)
echo "the target cut $up connections during the copy to it, $cuts in all"
[ "$up" -ge 2 ] && [ "$((cuts - up))" -ge 2 ] ||
  fail "too few cuts: the test proves nothing"
a=$(sha256sum <"$d/in" | cut -d' ' -f1)
b=$(sha256sum <"$d/out" | cut -d' ' -f1)
echo "sha256 in $a, out $b"
[ "$a" = "$b" ] || fail "the data read back differs"
if grep 'error' "$NBDKIT_LOG"; then
  fail "nbdkit logged errors"
fi
echo PASS
