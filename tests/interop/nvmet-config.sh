# SPDX-License-Identifier: BSD-3-Clause
#
# The interop test configuration.  Runs inside the VM as part of /init
# (guest-init.sh defines subsystem, namespace, port, export_on, set_attr
# and $CFS); the INTEROP_* names are prepended by start_vm from
# interop-functions.sh, which the tests share.
#
#   $INTEROP_NQN             any host; nsid 1: 64 MiB, 512-byte LBAs (loop)
#                                       nsid 2: 64 MiB, 4096-byte LBAs (file)
#   $INTEROP_NQN_RESTRICTED  only $INTEROP_HOSTNQN; nsid 1: 16 MiB, 512 (loop)
#   $INTEROP_NQN_NULL        any host; nsid 1: null_blk, 16 GiB (no data)
#   port 1: guest 4420, default in-capsule data size (16 KiB), all three
#   port 2: guest 4421, in-capsule data size 4096, $INTEROP_NQN only

subsystem "$INTEROP_NQN" any
set_attr "$CFS/subsystems/$INTEROP_NQN/attr_serial" "$INTEROP_SERIAL"
set_attr "$CFS/subsystems/$INTEROP_NQN/attr_model" "$INTEROP_MODEL"
namespace "$INTEROP_NQN" 1 loop 64
namespace "$INTEROP_NQN" 2 file 64

subsystem "$INTEROP_NQN_RESTRICTED" "$INTEROP_HOSTNQN"
namespace "$INTEROP_NQN_RESTRICTED" 1 loop 16

subsystem "$INTEROP_NQN_NULL" any
namespace "$INTEROP_NQN_NULL" 1 null 0

port 1 4420
export_on 1 "$INTEROP_NQN"
export_on 1 "$INTEROP_NQN_RESTRICTED"
export_on 1 "$INTEROP_NQN_NULL"

port 2 4421 4096
export_on 2 "$INTEROP_NQN"
