# SPDX-License-Identifier: BSD-3-Clause
#
# The NVMe/TCP TLS test's configuration (test-interop-tls.sh), for a kernel
# whose nvmet speaks TLS: Debian 13's 6.12 (NVMEOF_INTEROP_SUITE=trixie),
# with Debian 13's tlshd (ktls-utils), keyctl (keyutils) and nvme-cli in
# the initramfs (NVMEOF_INTEROP_GUEST_PACKAGES, fetch-kernel.sh).  Runs
# inside the VM as part of /init, like nvmet-config.sh.
#
#   $INTEROP_NQN_TLS   only $INTEROP_HOSTNQN; nsid 1: 64 MiB, 512-byte LBAs
#                      (loop)
#   port 1: guest 4420, TLS required   (addr_tsas tls1.3: addr_treq required)
#   port 2: guest 4421, TLS optional   (addr_tsas tls1.3, addr_treq "not
#                                       required": plain or TLS)
#   port 3: guest 4422, no TLS         (addr_tsas none)
#
# The keyring .nvme (nvme-keyring) starts empty: the test puts the TLS PSKs
# into it between its checks with nvmet-tls-psk (vm_tls_psk), as
# "nvme check-tls-key --insert" derives them.  tlshd serves the handshakes
# of the target (and of the guest kernel's own host, the reference), with
# .nvme linked into its session keyring; it logs to /tmp/tlshd.log
# ("Handshake with ... was successful" / "failed", the cipher negotiated,
# the identities it could not find).  nvmet's TLS debug messages are on
# (level 7, which vm_check_kernel_log ignores): "queue N: TLS handshake
# done, key SERIAL, status S" names the PSK a queue used (0 and a negative
# status when the handshake failed), "icreq detected" a plain connection on
# a port where TLS is optional, and nvme-keyring's "nvme_tls_psk_match"
# the identities looked up.

load tls
load gcm
load ghash-generic
load chacha_generic
load poly1305_generic
load chacha20poly1305
load nvme-keyring
load nvme-tcp

for p in tlshd keyctl nvme; do
  command -v "$p" >/dev/null ||
    fail "no $p in the initramfs (NVMEOF_INTEROP_GUEST_PACKAGES)"
done
# The dynamic loader and every library the programs need.
keyctl --version >/dev/null 2>&1 ||
  fail "keyctl does not run in the guest: $(keyctl --version 2>&1 | head -n 1)"
nvme version >/dev/null 2>&1 ||
  fail "nvme-cli does not run in the guest: $(nvme version 2>&1 | head -n 1)"
grep -q ' \.nvme: ' /proc/keys ||
  fail "no .nvme keyring (nvme-keyring) in /proc/keys"

mkdir -p /etc
cat >/etc/tlshd.conf <<'EOF'
[debug]
loglevel=3
tls=0
nl=0

[authenticate]
keyrings=.nvme
EOF
# Appending (O_APPEND): the tests add markers to the file as tlshd writes.
tlshd -s >>/tmp/tlshd.log 2>&1 &
n=0
until grep -q "Keyring '.nvme' linked" /tmp/tlshd.log 2>/dev/null; do
  n=$((n + 1))
  [ "$n" -le 100 ] ||
    fail "tlshd did not link the .nvme keyring in 10 s: $(cat /tmp/tlshd.log)"
  sleep 0.1
done

subsystem "$INTEROP_NQN_TLS" "$INTEROP_HOSTNQN"
namespace "$INTEROP_NQN_TLS" 1 loop 64

# port_tls ID TREQ: TLS 1.3 on a port ("required" or "not required");
# addr_trtype (written by port) must come before addr_tsas.
port_tls ()
{
  set_attr "$CFS/ports/$1/addr_tsas" tls1.3
  set_attr "$CFS/ports/$1/addr_treq" "$2"
  [ "$(cat "$CFS/ports/$1/addr_tsas")" = tls1.3 ] &&
    [ "$(cat "$CFS/ports/$1/addr_treq")" = "$2" ] ||
    fail "port $1 reads back tsas '$(cat "$CFS/ports/$1/addr_tsas")' treq '$(cat "$CFS/ports/$1/addr_treq")'"
}

port 1 4420
port_tls 1 required
export_on 1 "$INTEROP_NQN_TLS"

port 2 4421
port_tls 2 "not required"
export_on 2 "$INTEROP_NQN_TLS"

port 3 4422
export_on 3 "$INTEROP_NQN_TLS"

dyndbg ()
{
  echo "$1" >/proc/dynamic_debug/control 2>/dev/null ||
    fail "cannot enable the debug messages: $1"
}
dyndbg 'module nvmet_tcp format "TLS handshake" +p'
dyndbg 'module nvmet_tcp format "icreq detected" +p'
dyndbg 'module nvme_keyring func nvme_tls_psk_match +p'
