#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# libnvmeof with 1100 namespaces: the active namespace list is read page
# after page past the first 1024 entries; the last namespace opens, has
# identifiers (Namespace Identification Descriptors) and does I/O.
source "${abs_srcdir:-$(dirname "$0")}/functions.sh"
set -e -u -o pipefail

requires_target
requires_built "$abs_builddir/e2e-io"

args=()
for _ in $(seq 1100); do args+=(--ram 4k); done
start_target "${args[@]}"
with_timeout 60 e2e-io namespaces "$TARGET_URL" --expect-count 1100
