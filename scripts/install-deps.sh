#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Install every Debian 12 package needed to build nvmeof and to run its whole
# test suite (unit, end-to-end and interop tiers).  Idempotent: does nothing
# when everything is installed.  Quiet: one line per step, apt's output goes
# to a log file (printed if a step fails).
#
# Usage: scripts/install-deps.sh [--list]
#   --list   print the package list and exit
set -euo pipefail

# One package per line, sorted within each group.
packages=(
  # Build: compiler, autotools, man pages (pod2man, podchecker are in perl)
  autoconf
  automake
  build-essential
  libtool
  perl
  pkg-config

  # Libraries
  libfuse3-dev
  libgcrypt20-dev
  libjson-c-dev
  libnbd-dev
  libssl-dev
  liburing-dev
  nbdkit-plugin-dev
  zlib1g-dev

  # End-to-end tests: nbdkit, libnbd tools (nbdinfo, nbdcopy, nbdsh), FUSE,
  # qemu-img, fio, the kernel NBD client, mkfs, jq (JSON output and the
  # target's statistics), python3 (tests' helpers), ss (free ports), strace
  # (system calls counted in test-lib-datapath.sh)
  e2fsprogs
  fio
  fuse3
  iproute2
  jq
  libnbd-bin
  nbd-client
  nbdkit
  python3
  python3-libnbd
  qemu-utils
  strace

  # Where users run it: a rootless container (bubblewrap: bwrap, as
  # Flatpak uses) and the systemd units (systemd-analyze verify,
  # systemd-socket-activate; the tests do not need systemd as PID 1)
  bubblewrap
  systemd

  # Style checks (make check-style)
  clang-format
  cppcheck

  # The fuzz harnesses under libFuzzer (scripts/fuzz.sh)
  clang

  # Interop tier: a Linux VM running the kernel's nvmet (tests/interop).
  # The harness downloads the kernel and busybox packages itself (apt-get
  # download) and unpacks them with dpkg-deb and python3; zstd unpacks
  # Debian 13's kernel (the authentication test's).  The nbd-client test's
  # guest runs the host's own programs: kmod's depmod and modprobe there.
  kmod
  qemu-system-x86
  zstd

  # The Debian packages (tests/test-packages.sh): dpkg-buildpackage with
  # debhelper (no fakeroot: Rules-Requires-Root: no), lintian, and
  # mmdebstrap for the clean root they are installed into (dpkg-dev comes
  # with build-essential).
  debhelper
  lintian
  mmdebstrap

  # guestfish for the README example (tests/test-plugin-readme-examples.sh);
  # its appliance is built from the host's kernel, hence linux-image-amd64.
  libguestfs-tools
  linux-image-amd64
)

if [ "${1:-}" = --list ]; then
  printf '%s\n' "${packages[@]}"
  exit 0
fi

log=${INSTALL_DEPS_LOG:-${TMPDIR:-/tmp}/nvmeof-install-deps.log}
: >"$log"

step ()
{
  printf 'install-deps: %s\n' "$*"
}

run_logged ()
{
  if ! "$@" >>"$log" 2>&1; then
    echo "install-deps: FAILED: $*; the log ($log) ends with:" >&2
    tail -n 30 "$log" >&2
    exit 1
  fi
}

missing=()
for p in "${packages[@]}"; do
  if [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" != "install ok installed" ]; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  step "all ${#packages[@]} packages are installed"
  exit 0
fi

if [ "$(id -u)" != 0 ]; then
  echo "install-deps: missing packages: ${missing[*]}" >&2
  echo "install-deps: run as root (sudo $0) to install them" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
step "apt-get update (log: $log)"
run_logged apt-get update
step "installing ${#missing[@]} packages: ${missing[*]}"
run_logged apt-get install -y --no-install-recommends "${missing[@]}"
step "done"
