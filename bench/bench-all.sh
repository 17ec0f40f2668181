#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Every benchmark, one after the other (a few minutes): the library alone,
# then the NBD path against its competitors.  Options are passed to both
# (see bench-common.sh: --builddir=DIR --time=S --cpus=A,B --quick).
set -u
dir=$(dirname "$0")
"$dir/bench-lib.sh" "$@" || exit
echo
"$dir/bench-nbd.sh" "$@"
