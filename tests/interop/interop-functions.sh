# SPDX-License-Identifier: BSD-3-Clause
#
# Helpers for the interop tier: the Linux kernel's own NVMe/TCP target
# (nvmet, nvmet-tcp) in a qemu VM, reached on 127.0.0.1 through qemu's
# user-mode port forwards.  Source after tests/functions.sh:
#
#   interop_init          skip (exit 77) if NVMEOF_SKIP_INTEROP=1, else
#                         fail clearly unless qemu and python3 are there
#   start_vm [CONFIG]     boot the VM with CONFIG (default nvmet-config.sh)
#                         and wait (bounded) for NVMET-READY on its serial
#                         console; stops it at exit.  Sets INTEROP_ADDR,
#                         INTEROP_PORT (guest 4420), INTEROP_PORT2 (guest
#                         4421), INTEROP_CTL_PORT, INTEROP_BOOT_SECONDS,
#                         INTEROP_CONSOLE (the console log)
#   stop_vm               stop it now (bounded)
#   vm_exec CMD..         run a shell command in the guest, print its output,
#                         return its status
#   vm_dmesg              the guest's kernel log, raw ("<level>[time] msg")
#   vm_mark NAME          put a marker line into the guest's kernel log
#   vm_check_kernel_log [NAME]  fail (return 1, print the lines) if the
#                         guest's kernel logged errors, warnings with a
#                         backtrace, BUGs or Oopses since marker NAME
#                         (default: since the target became ready)
#   interop_url NQN [PORT]  nvme+tcp://127.0.0.1:PORT/NQN
#
# Environment: NVMEOF_SKIP_INTEROP=1 skips the tier (and says so);
# NVMEOF_INTEROP_CACHE (downloads, see fetch-kernel.sh);
# NVMEOF_INTEROP_BOOT_TIMEOUT (seconds, default 180);
# NVMEOF_INTEROP_MAXLIFE (seconds after which the VM powers itself off
# even if nobody stops it, default 900); NVMEOF_INTEROP_APPEND (more kernel
# parameters) and NVMEOF_INTEROP_QEMU_ARGS (more qemu options, split on
# spaces) for experiments.

_interop_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# The test configuration's names (nvmet-config.sh gets them from here).
INTEROP_NQN=nqn.2026-11.io.nvmeof:interop
INTEROP_NQN_RESTRICTED=nqn.2026-11.io.nvmeof:interop-restricted
INTEROP_NQN_NULL=nqn.2026-11.io.nvmeof:interop-null
INTEROP_HOSTNQN=nqn.2026-11.io.nvmeof:interop-host
INTEROP_HOSTNQN_REFUSED=nqn.2026-11.io.nvmeof:interop-stranger
INTEROP_SERIAL=nvmeof-interop-0001
INTEROP_MODEL=nvmeof-interop-nvmet
INTEROP_ADDR=127.0.0.1
INTEROP_VM_PID=
INTEROP_QEMU_PID=
export INTEROP_NQN INTEROP_NQN_RESTRICTED INTEROP_NQN_NULL INTEROP_HOSTNQN \
  INTEROP_HOSTNQN_REFUSED INTEROP_SERIAL INTEROP_MODEL INTEROP_ADDR

interop_init ()
{
  if [ "${NVMEOF_SKIP_INTEROP:-0}" = 1 ]; then
    echo "SKIP: $0: interop tier (kernel nvmet in a VM) skipped because NVMEOF_SKIP_INTEROP=1"
    exit 77
  fi
  if ! command -v qemu-system-x86_64 >/dev/null 2>&1; then
    fail "qemu-system-x86_64 not found: the interop tier boots the kernel's NVMe/TCP target in qemu; install qemu-system-x86 (scripts/install-deps.sh), or set NVMEOF_SKIP_INTEROP=1 to skip the tier explicitly"
  fi
  [ -x /usr/bin/python3 ] ||
    fail "/usr/bin/python3 not found (the interop tier's probes need it)"
}

interop_url ()
{
  echo "nvme+tcp://$INTEROP_ADDR:${2:-$INTEROP_PORT}/$1"
}

_vm_console_tail ()
{
  echo "---- guest console (last 40 lines of $INTEROP_CONSOLE) ----" >&2
  tail -n 40 "$INTEROP_CONSOLE" 2>/dev/null | tr -d '\r' >&2
  if [ -s "$_vm_dir/qemu.log" ]; then
    echo "---- qemu ----" >&2
    cat "$_vm_dir/qemu.log" >&2
  fi
  echo "----" >&2
}

start_vm ()
{
  local config=${1:-$_interop_dir/nvmet-config.sh}
  local boot_timeout=${NVMEOF_INTEROP_BOOT_TIMEOUT:-180}
  local maxlife=${NVMEOF_INTEROP_MAXLIFE:-900}
  local env try p1 p2 pc fwd t0 deadline

  [ -n "$INTEROP_VM_PID" ] && fail "start_vm: a VM is already running"
  _vm_dir="$TMPDIR_TEST/vm"
  mkdir -p "$_vm_dir"

  env=$(with_timeout 900 "$_interop_dir/fetch-kernel.sh") ||
    fail "start_vm: could not get the kernel and busybox for the VM (see above)"
  eval "$env"
  echo "interop: kernel $INTEROP_KERNEL"

  {
    local v
    for v in INTEROP_NQN INTEROP_NQN_RESTRICTED INTEROP_NQN_NULL \
             INTEROP_HOSTNQN INTEROP_SERIAL INTEROP_MODEL; do
      printf '%s=%q\n' "$v" "${!v}"
    done
    cat "$config"
  } >"$_vm_dir/config.sh" || fail "start_vm: cannot read $config"
  INTEROP_BUSYBOX=$INTEROP_BUSYBOX INTEROP_MODROOT=$INTEROP_MODROOT \
    "$_interop_dir/mkinitramfs.sh" "$_vm_dir/initramfs.cpio" \
    "$_vm_dir/config.sh" || fail "start_vm: mkinitramfs.sh failed"

  INTEROP_CONSOLE="$_vm_dir/console.log"
  cleanup_fn stop_vm
  for try in 1 2 3; do
    p1=$(free_port)
    p2=$(free_port)
    pc=$(free_port)
    if [ "$p1" = "$p2" ] || [ "$p1" = "$pc" ] || [ "$p2" = "$pc" ]; then
      continue
    fi
    fwd="hostfwd=tcp:127.0.0.1:$p1-10.0.2.15:4420"
    fwd="$fwd,hostfwd=tcp:127.0.0.1:$p2-10.0.2.15:4421"
    fwd="$fwd,hostfwd=tcp:127.0.0.1:$pc-10.0.2.15:7777"
    : >"$INTEROP_CONSOLE"
    rm -f "$_vm_dir/qemu.pid"
    t0=$(date +%s.%N)
    # TCG always: /dev/kvm may exist and still not work.  "timeout" and
    # nvmeof_interop.maxlife make sure the VM goes away even if we are SIGKILLed.
    # no_timer_check: under TCG on a loaded host the kernel's IO-APIC timer
    # check can miss ticks and panic in setup_IO_APIC (seen here).
    timeout -k 10 "$((maxlife + 60))" \
      qemu-system-x86_64 -accel tcg -M pc -m 512 -smp 1 \
        -nodefaults -no-user-config -display none -no-reboot \
        -kernel "$INTEROP_VMLINUX" -initrd "$_vm_dir/initramfs.cpio" \
        -append "console=ttyS0 quiet panic=-1 no_timer_check nvmeof_interop.maxlife=$maxlife ${NVMEOF_INTEROP_APPEND:-}" \
        -serial "file:$INTEROP_CONSOLE" \
        -netdev "user,id=n0,restrict=on,$fwd" \
        -device virtio-net-pci,netdev=n0 \
        -pidfile "$_vm_dir/qemu.pid" ${NVMEOF_INTEROP_QEMU_ARGS:-} \
        </dev/null >"$_vm_dir/qemu.log" 2>&1 &
    INTEROP_VM_PID=$!

    deadline=$((SECONDS + boot_timeout))
    while :; do
      if grep -q '^NVMET-READY' "$INTEROP_CONSOLE" 2>/dev/null; then
        break
      fi
      if grep -q '^NVMET-FAILED' "$INTEROP_CONSOLE" 2>/dev/null; then
        _vm_console_tail
        fail "start_vm: the guest could not set up nvmet: $(grep -a '^NVMET-FAILED' "$INTEROP_CONSOLE" | tr -d '\r' | head -n 1)"
      fi
      if ! _alive "$INTEROP_VM_PID"; then
        wait "$INTEROP_VM_PID" 2>/dev/null || true
        INTEROP_VM_PID=
        if grep -qi 'host forwarding' "$_vm_dir/qemu.log"; then
          echo "interop: a forwarded port was taken, retrying" >&2
          continue 2
        fi
        _vm_console_tail
        fail "start_vm: qemu exited before the target was ready (see above)"
      fi
      if [ "$SECONDS" -gt "$deadline" ]; then
        _vm_console_tail
        fail "start_vm: the target was not ready after ${boot_timeout}s"
      fi
      sleep 0.1
    done
    INTEROP_QEMU_PID=$(cat "$_vm_dir/qemu.pid" 2>/dev/null)
    INTEROP_PORT=$p1
    INTEROP_PORT2=$p2
    INTEROP_CTL_PORT=$pc
    INTEROP_BOOT_SECONDS=$(awk -v a="$t0" -v b="$(date +%s.%N)" \
                             'BEGIN { printf "%.1f", b - a }')
    export INTEROP_PORT INTEROP_PORT2 INTEROP_CTL_PORT INTEROP_BOOT_SECONDS \
      INTEROP_CONSOLE
    echo "interop: nvmet ready after ${INTEROP_BOOT_SECONDS}s;" \
         "127.0.0.1:$p1 -> guest 4420, 127.0.0.1:$p2 -> guest 4421," \
         "command channel 127.0.0.1:$pc"
    return 0
  done
  fail "start_vm: could not find free ports for the VM's forwards"
}

stop_vm ()
{
  [ -n "$INTEROP_VM_PID" ] || return 0
  local pid=$INTEROP_VM_PID qpid=$INTEROP_QEMU_PID
  INTEROP_VM_PID=
  INTEROP_QEMU_PID=
  # qemu quits cleanly on SIGTERM; then "timeout" exits too.
  if [ -n "$qpid" ] && _alive "$qpid"; then
    kill -TERM "$qpid" 2>/dev/null || true
  else
    kill -TERM "$pid" 2>/dev/null || true
  fi
  _wait_gone "$pid" 20 || true
  wait "$pid" 2>/dev/null || true
  if [ -n "$qpid" ] && _alive "$qpid"; then
    kill -KILL "$qpid" 2>/dev/null || true
  fi
}

vm_exec ()
{
  local out rc
  [ -n "$INTEROP_VM_PID" ] || { echo "vm_exec: no VM running" >&2; return 1; }
  out=$(timeout 60 bash -c '
          exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
          printf "%s\n" "$2" >&3
          cat <&3' _ "$INTEROP_CTL_PORT" "$*") || {
    echo "vm_exec: no answer from the guest's command channel for: $*" >&2
    return 1
  }
  rc=$(printf '%s\n' "$out" | tail -n 1 |
         sed -n 's/^NVMET-CTL-END rc=\([0-9][0-9]*\)$/\1/p')
  if [ -z "$rc" ]; then
    echo "vm_exec: truncated answer from the guest for: $*" >&2
    printf '%s\n' "$out" >&2
    return 1
  fi
  printf '%s\n' "$out" | sed '$d'
  return "$rc"
}

vm_dmesg ()
{
  vm_exec dmesg -r
}

vm_mark ()
{
  vm_exec "echo '<6>nvmeof-interop-mark: $1' >/dev/kmsg"
}

vm_check_kernel_log ()
{
  local mark=${1:-} pattern log bad
  if [ -n "$mark" ]; then
    pattern="nvmeof-interop-mark: $mark"
  else
    pattern="nvmet-init: NVMET-READY"
  fi
  log=$(vm_dmesg) || return 1
  # Kernel messages carry "<level>" (facility 0): 0-3 are emerg..err.
  bad=$(printf '%s\n' "$log" | awk -v pat="$pattern" '
          index($0, pat) { found = 1; n = 0; next }
          { lines[n++] = $0 }
          END {
            if (!found) print "(marker \"" pat "\" not found in the kernel log)"
            for (i = 0; i < n; i++) {
              l = lines[i]
              if (match(l, /^<[0-9]+>/)) {
                lvl = substr(l, 2, RLENGTH - 2) + 0
                if (lvl <= 3 || l ~ /WARNING:|BUG:|Oops|Call Trace|cut here/)
                  print l
              }
            }
          }')
  if [ -n "$bad" ]; then
    echo "the guest's kernel log has errors since ${mark:-NVMET-READY}:" >&2
    printf '%s\n' "$bad" >&2
    return 1
  fi
  return 0
}
