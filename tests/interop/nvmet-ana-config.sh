# SPDX-License-Identifier: BSD-3-Clause
#
# The ANA test's configuration (test-interop-ana.sh).  Runs inside the VM
# as part of /init, like nvmet-config.sh.  One subsystem on two ports, its
# namespaces in two ANA groups, as nvmet's configfs sets them:
# ports/N/ana_groups/G/ana_state and namespaces/NSID/ana_grpid.
#
#   $INTEROP_NQN  any host; nsid 1: 64 MiB, 512-byte LBAs (loop), group 1
#                           nsid 2: 64 MiB, 4096-byte LBAs (file), group 2
#   port 1: guest 4420; groups 1 and 2 optimized
#   port 2: guest 4421; group 1 optimized, group 2 non-optimized
#
# The test changes the states from inside the guest while hosts run
# (vm_exec "echo STATE > $CFS/ports/N/ana_groups/G/ana_state").

port 1 4420
port 2 4421
for p in 1 2; do
  mkdir "$CFS/ports/$p/ana_groups/2" ||
    fail "cannot create ANA group 2 on port $p (no ANA in this nvmet?)"
done
# A group other than 1 starts inaccessible on a port.
set_attr "$CFS/ports/1/ana_groups/2/ana_state" optimized
set_attr "$CFS/ports/2/ana_groups/2/ana_state" non-optimized

subsystem "$INTEROP_NQN" any
set_attr "$CFS/subsystems/$INTEROP_NQN/attr_serial" "$INTEROP_SERIAL"
set_attr "$CFS/subsystems/$INTEROP_NQN/attr_model" "$INTEROP_MODEL"
namespace "$INTEROP_NQN" 1 loop 64
namespace "$INTEROP_NQN" 2 file 64
set_attr "$CFS/subsystems/$INTEROP_NQN/namespaces/2/ana_grpid" 2

export_on 1 "$INTEROP_NQN"
export_on 2 "$INTEROP_NQN"
