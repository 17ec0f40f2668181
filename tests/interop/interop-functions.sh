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
#                         console; stops it at exit.  A test may set
#                         INTEROP_VM_MEMORY (MiB, default 512) and the array
#                         INTEROP_VM_QEMU_ARGS (more qemu options) first.
#                         Sets INTEROP_ADDR,
#                         INTEROP_PORT (guest 4420), INTEROP_PORT2 (guest
#                         4421), INTEROP_PORT3 (guest 4422),
#                         INTEROP_CTL_PORT, INTEROP_BOOT_SECONDS,
#                         INTEROP_CONSOLE (the console log)
#   stop_vm               stop it now (bounded)
#   vm_exec CMD..         run a shell command in the guest, print its output,
#                         return its status (bounded: VM_EXEC_TIMEOUT
#                         seconds, default 60)
#   vm_dmesg              the guest's kernel log, raw ("<level>[time] msg")
#   vm_mark NAME          put a marker line into the guest's kernel log
#   vm_check_kernel_log [NAME]  fail (return 1, print the lines) if the
#                         guest's kernel logged errors, warnings with a
#                         backtrace, BUGs or Oopses since marker NAME
#                         (default: since the target became ready)
#   interop_url NQN [PORT]  nvme+tcp://127.0.0.1:PORT/NQN
#   vm_host_auth HOSTNQN KEY CTRLKEY HASH DHGROUP  set a host entry's
#                         DH-HMAC-CHAP secrets ("-" for none), hash and DH
#                         group in the guest's configfs and check that they
#                         read back (kernels with nvmet authentication)
#   vm_tls_psk insert HOSTNQN SUBNQN VERSION KEY | add IDENTITY HEX
#                         put a TLS PSK into the guest's .nvme keyring
#                         (derived by the guest's nvme-cli, or as given)
#                         and set PSK_SERIAL, PSK_IDENTITY, PSK_HEX from
#                         what the keyring then holds
#
# and for the tests' steps (MiB, $checks count the "ok" lines):
#   ok MSG, section TITLE  print "ok N - MSG", a section header
#   cli ARGS..            the built nvmeof command, time-bounded
#   json_check FILE PYEXPR MSG  fail with MSG unless the Python expression
#                         over d (FILE's JSON) is true
#   guest_file NQN NSID   the backing file of a namespace in the guest
#   guest_sha FILE OFF LEN  SHA-256 of those bytes of a guest file
#   nbd_io EXPORT <<< OPS  nbd-io.py on the running plugin's export
#   roundtrip NQN NSID "OFF LEN"..  random writes through the plugin read
#                         back and found on the target's backing store
#   stop_plugin           stop the plugin started by start_plugin
#   step_log_clean NAME   fail unless the guest's log is clean since mark NAME
#
# Environment: NVMEOF_SKIP_INTEROP=1 skips the tier (and says so);
# NVMEOF_INTEROP_RAN=DIR skips a test that ran in DIR (the tests/interop
# of a make check that ran the tier: run-tests.sh sets it for make
# distcheck), runs one that was skipped there, fails one that has no result;
# NVMEOF_INTEROP_CACHE (downloads, see fetch-kernel.sh);
# NVMEOF_INTEROP_SUITE (another Debian suite's kernel, see fetch-kernel.sh);
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
INTEROP_NQN_AUTH=nqn.2026-11.io.nvmeof:interop-auth
INTEROP_NQN_TLS=nqn.2026-11.io.nvmeof:interop-tls
INTEROP_HOSTNQN=nqn.2026-11.io.nvmeof:interop-host
INTEROP_HOSTNQN_REFUSED=nqn.2026-11.io.nvmeof:interop-stranger
INTEROP_SERIAL=nvmeof-interop-0001
INTEROP_MODEL=nvmeof-interop-nvmet
INTEROP_ADDR=127.0.0.1
INTEROP_VM_PID=
INTEROP_QEMU_PID=
MiB=1048576
checks=0
export INTEROP_NQN INTEROP_NQN_RESTRICTED INTEROP_NQN_NULL INTEROP_NQN_AUTH \
  INTEROP_NQN_TLS INTEROP_HOSTNQN \
  INTEROP_HOSTNQN_REFUSED INTEROP_SERIAL INTEROP_MODEL INTEROP_ADDR

interop_init ()
{
  if [ "${NVMEOF_SKIP_INTEROP:-0}" = 1 ]; then
    echo "SKIP: $0: interop tier (kernel nvmet in a VM) skipped because NVMEOF_SKIP_INTEROP=1"
    exit 77
  fi
  # make distcheck inside scripts/run-tests.sh: the tier ran in the same
  # run's make check, whose tests/interop directory this names.  This test
  # must have a result there; if it ran, it is not run twice.
  if [ -n "${NVMEOF_INTEROP_RAN:-}" ]; then
    local trs res
    trs="$NVMEOF_INTEROP_RAN/$(basename "$0" .sh).trs"
    res=$(sed -n 's/^:test-result: *//p' "$trs" 2>/dev/null | head -n 1) || true
    case $res in
      "") fail "NVMEOF_INTEROP_RAN=$NVMEOF_INTEROP_RAN, but $0 has no result there ($trs): it did not run in this run's make check" ;;
      SKIP) echo "interop: $0 was skipped in this run's make check ($trs): running it here" ;;
      *) echo "SKIP: $0: the interop tier already ran in this run's make check ($res, $trs); not booted twice (NVMEOF_INTEROP_RAN)"
         exit 77 ;;
    esac
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
  local env try p1 p2 p3 pc fwd t0 deadline

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
             INTEROP_NQN_AUTH INTEROP_NQN_TLS INTEROP_HOSTNQN INTEROP_SERIAL \
             INTEROP_MODEL; do
      printf '%s=%q\n' "$v" "${!v}"
    done
    cat "$config"
  } >"$_vm_dir/config.sh" || fail "start_vm: cannot read $config"
  [ -z "$INTEROP_GUEST_PACKAGES" ] ||
    echo "interop: guest programs from $INTEROP_GUEST_PACKAGES"
  INTEROP_BUSYBOX=$INTEROP_BUSYBOX INTEROP_MODROOT=$INTEROP_MODROOT \
    INTEROP_GUEST_ROOT=$INTEROP_GUEST_ROOT \
    "$_interop_dir/mkinitramfs.sh" "$_vm_dir/initramfs.cpio" \
    "$_vm_dir/config.sh" || fail "start_vm: mkinitramfs.sh failed"

  INTEROP_CONSOLE="$_vm_dir/console.log"
  cleanup_fn stop_vm
  for try in 1 2 3; do
    p1=$(free_port)
    p2=$(free_port)
    p3=$(free_port)
    pc=$(free_port)
    if [ "$(printf '%s\n' "$p1" "$p2" "$p3" "$pc" | sort -u | wc -l)" != 4 ]; then
      continue
    fi
    fwd="hostfwd=tcp:127.0.0.1:$p1-10.0.2.15:4420"
    fwd="$fwd,hostfwd=tcp:127.0.0.1:$p2-10.0.2.15:4421"
    fwd="$fwd,hostfwd=tcp:127.0.0.1:$p3-10.0.2.15:4422"
    fwd="$fwd,hostfwd=tcp:127.0.0.1:$pc-10.0.2.15:7777"
    : >"$INTEROP_CONSOLE"
    rm -f "$_vm_dir/qemu.pid"
    t0=$(date +%s.%N)
    # TCG always: /dev/kvm may exist and still not work.  "timeout" and
    # nvmeof_interop.maxlife make sure the VM goes away even if we are SIGKILLed.
    # no_timer_check: under TCG on a loaded host the kernel's IO-APIC timer
    # check can miss ticks and panic in setup_IO_APIC (seen here).
    timeout -k 10 "$((maxlife + 60))" \
      qemu-system-x86_64 -accel tcg -M pc -m "${INTEROP_VM_MEMORY:-512}" -smp 1 \
        -nodefaults -no-user-config -display none -no-reboot \
        -kernel "$INTEROP_VMLINUX" -initrd "$_vm_dir/initramfs.cpio" \
        -append "console=ttyS0 quiet panic=-1 no_timer_check nvmeof_interop.maxlife=$maxlife ${NVMEOF_INTEROP_APPEND:-}" \
        -serial "file:$INTEROP_CONSOLE" \
        -netdev "user,id=n0,restrict=on,$fwd" \
        -device virtio-net-pci,netdev=n0 \
        -pidfile "$_vm_dir/qemu.pid" ${NVMEOF_INTEROP_QEMU_ARGS:-} \
        ${INTEROP_VM_QEMU_ARGS[@]+"${INTEROP_VM_QEMU_ARGS[@]}"} \
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
    INTEROP_PORT3=$p3
    INTEROP_CTL_PORT=$pc
    INTEROP_BOOT_SECONDS=$(awk -v a="$t0" -v b="$(date +%s.%N)" \
                             'BEGIN { printf "%.1f", b - a }')
    export INTEROP_PORT INTEROP_PORT2 INTEROP_PORT3 INTEROP_CTL_PORT \
      INTEROP_BOOT_SECONDS \
      INTEROP_CONSOLE
    echo "interop: nvmet ready after ${INTEROP_BOOT_SECONDS}s;" \
         "127.0.0.1:$p1 -> guest 4420, 127.0.0.1:$p2 -> guest 4421," \
         "127.0.0.1:$p3 -> guest 4422," \
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
  out=$(timeout "${VM_EXEC_TIMEOUT:-60}" bash -c '
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

vm_host_auth ()
{
  local out want
  if [ $# -ne 5 ]; then
    echo "usage: vm_host_auth HOSTNQN KEY|- CTRLKEY|- HASH DHGROUP" >&2
    return 2
  fi
  out=$(vm_exec "nvmet-host-auth '$1' '$2' '$3' '$4' '$5'") || {
    echo "vm_host_auth: the guest could not set the host's authentication: $out" >&2
    return 1
  }
  want=$(printf 'dhchap_key: %s\ndhchap_ctrl_key: %s\ndhchap_hash: %s\ndhchap_dhgroup: %s' \
           "${2#-}" "${3#-}" "$4" "$5")
  if [ "$out" != "$want" ]; then
    echo "vm_host_auth: configfs reads back" >&2
    printf '%s\n' "$out" >&2
    echo "instead of" >&2
    printf '%s\n' "$want" >&2
    return 1
  fi
}

# ---- helpers for the tests' steps

ok ()
{
  checks=$((checks + 1))
  echo "ok $checks - $*"
}

section ()
{
  echo
  echo "== $* (at ${SECONDS}s)"
}

cli ()
{
  with_timeout 120 "$NVMEOF_CLI" "$@"
}

# json_check FILE PYTHON-EXPRESSION MESSAGE: the expression (over d, the
# parsed JSON) must be true.
json_check ()
{
  /usr/bin/python3 - "$@" <<'EOF' || fail "$3 (JSON in $1)"
import json, os, sys
d = json.load(open(sys.argv[1]))
env = os.environ
if not eval("(" + sys.argv[2] + "\n)"):
    print(json.dumps(d, indent=1)[:3000], file=sys.stderr)
    sys.exit(1)
EOF
}

# The kernel target's view of a namespace's bytes.
guest_file ()
{
  echo "/backing/$(echo "$1" | tr ':/' '__')-$2.img"
}

guest_sha ()
{
  local file=$1 off=$2 len=$3 bs=512
  if [ $((off % 65536)) = 0 ] && [ $((len % 65536)) = 0 ]; then
    bs=65536
  fi
  vm_exec "dd if=$file bs=$bs skip=$((off / bs)) count=$((len / bs)) 2>/dev/null | sha256sum" |
    cut -d' ' -f1
}

# nbd_io EXPORT <<< OPS: see nbd-io.py.
nbd_io ()
{
  with_timeout 300 /usr/bin/python3 "$abs_srcdir/interop/nbd-io.py" \
    "$(nbd_uri "$1")"
}

# roundtrip NQN NSID "OFF LEN" ...: write random data through the plugin,
# read it back over a new NBD connection and from the target's backing
# file; all three checksums must agree.
roundtrip ()
{
  local nqn=$1 nsid=$2 ol wrote read i=0 off len g
  shift 2
  wrote=$(for ol in "$@"; do echo "write $ol"; done | nbd_io "$nsid") ||
    fail "writes to namespace $nsid failed: $wrote"
  read=$(for ol in "$@"; do echo "read $ol"; done | nbd_io "$nsid") ||
    fail "reads from namespace $nsid failed: $read"
  local -a w r
  mapfile -t w <<<"$wrote"
  mapfile -t r <<<"$read"
  for ol in "$@"; do
    off=${ol% *}
    len=${ol#* }
    [ "${w[$i]}" = "${r[$i]}" ] ||
      fail "nsid $nsid: $len bytes at $off read back differ"
    g=$(guest_sha "$(guest_file "$nqn" "$nsid")" "$off" "$len") ||
      fail "cannot hash the backing store in the guest"
    [ "$g" = "${w[$i]}" ] ||
      fail "nsid $nsid: $len bytes at $off differ on the kernel target's backing store"
    i=$((i + 1))
  done
  ok "nsid $nsid: $# random writes ($(printf '%s\n' "$@" |
       awk '{ printf "%s%d@%d", (NR > 1 ? " " : ""), $2, $1 }')) read back and on the target"
}

stop_plugin ()
{
  _stop_child "$NBDKIT_PID" "$NBDKIT_LOG" nbdkit ||
    fail "nbdkit did not stop cleanly"
}

step_log_clean ()
{
  vm_check_kernel_log "$1" || fail "the kernel target logged errors ($1)"
  ok "guest kernel log clean after: $1"
}

# vm_tls_psk insert HOSTNQN SUBNQN VERSION KEY | add IDENTITY HEX: put a
# TLS PSK into the guest's .nvme keyring (nvmet-tls-psk in guest-init.sh:
# "insert" derives it from the configured PSK KEY with the guest's
# nvme-cli, "add" takes the TLS PSK as it is), replacing the host and
# subsystem's other PSKs, and set PSK_SERIAL (decimal), PSK_IDENTITY and
# PSK_HEX from what the keyring holds afterwards.
vm_tls_psk ()
{
  local out a cmd=nvmet-tls-psk
  for a in "$@"; do
    cmd="$cmd '$a'"
  done
  out=$(vm_exec "$cmd") || {
    echo "vm_tls_psk: the guest could not set the PSK: $out" >&2
    return 1
  }
  PSK_SERIAL=$(printf '%s\n' "$out" | sed -n 's/^serial=//p')
  PSK_IDENTITY=$(printf '%s\n' "$out" | sed -n 's/^identity=//p')
  PSK_HEX=$(printf '%s\n' "$out" | sed -n 's/^psk=//p')
  if [ -z "$PSK_SERIAL" ] || [ -z "$PSK_IDENTITY" ] || [ -z "$PSK_HEX" ]; then
    echo "vm_tls_psk: unexpected answer from the guest: $out" >&2
    return 1
  fi
}

# interop_key_make PREFIX HMAC LEN: a random secret in nvme-cli's text form,
# "PREFIX:hh:base64(key || CRC-32):" (PREFIX DHHC-1 or NVMeTLSkey-1), made
# by Python: independent of our C code.
interop_key_make ()
{
  /usr/bin/python3 - "$@" <<'EOF'
import base64, os, sys, zlib
prefix, hmac, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
k = os.urandom(n)
crc = zlib.crc32(k).to_bytes(4, 'little')
print('%s:%02x:%s:' % (prefix, hmac, base64.b64encode(k + crc).decode()))
EOF
}

# interop_key_check PREFIX FILE HMAC LEN: FILE holds such a secret, with
# that hh and length, and its CRC-32 is right (checked by Python).
interop_key_check ()
{
  /usr/bin/python3 - "$@" <<'EOF'
import base64, re, sys, zlib
prefix, path = sys.argv[1], sys.argv[2]
hmac, n = int(sys.argv[3]), int(sys.argv[4])
text = open(path).read()
m = re.fullmatch(re.escape(prefix) + r':(\d\d):([A-Za-z0-9+/=]+):\n?', text)
if not m:
    sys.exit('not %s:hh:base64: (%d bytes)' % (prefix, len(text)))
raw = base64.b64decode(m.group(2), validate=True)
k, crc = raw[:-4], raw[-4:]
if int(m.group(1)) != hmac or len(k) != n:
    sys.exit('hh %s and %d bytes, not %02d and %d' % (m.group(1), len(k), hmac, n))
if zlib.crc32(k).to_bytes(4, 'little') != crc:
    sys.exit('CRC-32 mismatch')
EOF
}

# log_errors_except MARK ERE: like vm_check_kernel_log MARK (MARK "": the
# whole run), but errors matching ERE are expected.
log_errors_except ()
{
  local out rest
  if out=$(vm_check_kernel_log "$1" 2>&1); then
    return 0
  fi
  rest=$(printf '%s\n' "$out" | sed 1d | grep -Ev -- "$2" || true)
  if [ -n "$rest" ]; then
    printf '%s\n' "$rest" >&2
    return 1
  fi
}
