# SPDX-License-Identifier: BSD-3-Clause
#
# The in-band authentication (DH-HMAC-CHAP) test's configuration
# (test-interop-auth.sh), for a kernel whose nvmet authenticates: Debian
# 13's 6.12 (NVMEOF_INTEROP_SUITE=trixie).  Runs inside the VM as part of
# /init, like nvmet-config.sh.
#
#   $INTEROP_NQN_AUTH  only $INTEROP_HOSTNQN; nsid 1: 64 MiB, 512-byte LBAs
#                      (loop).  The host entry starts without a secret:
#                      the test sets secrets, hash and DH group between its
#                      checks with nvmet-host-auth (vm_host_auth).
#   port 1: guest 4420
#
# nvmet tells which queue authenticated, and with what, only in debug
# messages: those are turned on (level 7, which vm_check_kernel_log
# ignores).  Loaded as well: the crypto nvmet-auth asks for at run time
# (built into Debian 13's kernel, then modprobe just succeeds) and nvme-tcp
# for the guest's own host (nvme-host-connect), the reference.

load hmac
load sha256_generic
load sha512_generic
load dh_generic
load nvme-tcp

[ -e "$CFS/hosts" ] && mkdir "$CFS/hosts/$INTEROP_HOSTNQN" &&
  [ -e "$CFS/hosts/$INTEROP_HOSTNQN/dhchap_key" ] ||
  fail "this kernel's nvmet has no in-band authentication (dhchap_key)"
subsystem "$INTEROP_NQN_AUTH" "$INTEROP_HOSTNQN"
namespace "$INTEROP_NQN_AUTH" 1 loop 64

port 1 4420
export_on 1 "$INTEROP_NQN_AUTH"

dyndbg ()
{
  echo "$1" >/proc/dynamic_debug/control 2>/dev/null ||
    fail "cannot enable the debug messages: $1"
}
# "qid N host authenticated" (each queue), "qid N ctrl authenticated"
# (bidirectional), "host hash failed" (a wrong response)
dyndbg 'module nvmet format "authenticated" +p'
dyndbg 'module nvmet format "host hash failed" +p'
# the hash and DH group offered and chosen (Negotiate); the challenge's hash
# length (hl) and DH value length
dyndbg 'module nvmet func nvmet_auth_negotiate +p'
dyndbg 'module nvmet func nvmet_auth_challenge +p'
# failures: the DH-HMAC-CHAP status of an AUTH_Send
dyndbg 'module nvmet format "dhchap status" +p'
