/* SPDX-License-Identifier: BSD-3-Clause */
/* A benchmark-only nbdkit plugin: the floor of every plugin whose reads
 * and writes wait for someone else (a remote target, a backend server).
 *
 * Each pread/pwrite hands its request to a server pinned to
 * another CPU, which spins, copies to or from RAM and marks it done.
 * There is no protocol and no network: what the NBD side's CPU pays
 * beyond nbdkit memory is only the waiting of the nbdkit thread, which
 * nbdkit's synchronous plugin calls make unavoidable:
 *   wait=sleep  it sleeps on a futex and the server wakes it;
 *   wait=poll   it looks at its flag, calling sched_yield in between (how
 *               libnvmeof waits for NVMEOF_SPIN_US before it sleeps);
 *               with spin-us=N it sleeps as wait=sleep after N us, as
 *               libnvmeof does (without, it polls until done: cheapest
 *               when the server's CPU is its own, but on a shared one a
 *               slow answer then costs the caller's CPU 10-20 yields).
 * bench-nbd.sh compares it with nbdkit memory and nbdkit nvmeof in the
 * same run.
 *
 * The server is a process of its own in a session of its own (clone with
 * CLONE_VM, then setsid), not a thread of nbdkit, as nvmeof-target is.
 * With autogroup scheduling (the default of most distributions) all the
 * threads of one session share one weight, split between CPUs by their
 * load: a server thread inside nbdkit would get a smaller share of its CPU
 * the more of nbdkit's threads are runnable on the other one (as polling
 * waiters are), and other jobs on its CPU would then starve it.  Sharing
 * the address space keeps the data path as it was: the server copies
 * straight to and from nbdkit's buffers.  It runs no C library code that
 * needs a thread of its own (no errno, no locks): raw system calls,
 * atomics and memcpy.
 *
 *   nbdkit ./nbdkit-handoff-plugin.so size=1G cpu=1 wait=poll
 */
#define _GNU_SOURCE
#define NBDKIT_API_VERSION 2
#define THREAD_MODEL       NBDKIT_THREAD_MODEL_PARALLEL

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/futex.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <nbdkit-plugin.h>

struct req {
  void *buf;
  uint64_t off;
  uint32_t count;
  int write;
  _Atomic uint32_t done;
  struct req *next;
};

static int64_t size = 1 << 30;
static int cpu = 1;
static int poll_wait;        /* wait=poll */
static int64_t spin_ns = -1; /* spin-us=N: poll that long, then sleep */
static char *ram;
static pid_t server = -1;
static void *server_stack;
#define SERVER_STACK (256 * 1024)
static _Atomic int stopping;
/* Requests waiting for the server: a stack that callers push onto and the
 * server takes whole (so no lock, and no ABA: nobody pops one entry). */
static struct req *_Atomic head;

static int
handoff_config (const char *key, const char *value)
{
  if (strcmp (key, "size") == 0) {
    size = nbdkit_parse_size (value);
    return size < 0 ? -1 : 0;
  }
  if (strcmp (key, "cpu") == 0)
    return nbdkit_parse_int ("cpu", value, &cpu);
  if (strcmp (key, "spin-us") == 0) {
    unsigned us;

    if (nbdkit_parse_unsigned ("spin-us", value, &us) == -1)
      return -1;
    spin_ns = (int64_t) us * 1000;
    return 0;
  }
  if (strcmp (key, "wait") == 0) {
    if (strcmp (value, "poll") == 0 || strcmp (value, "sleep") == 0) {
      poll_wait = strcmp (value, "poll") == 0;
      return 0;
    }
    nbdkit_error ("wait: expected sleep or poll, got '%s'", value);
    return -1;
  }
  nbdkit_error ("unknown parameter '%s'", key);
  return -1;
}

static int
serve (void *arg)
{
  cpu_set_t set;

  (void) arg;
  /* Raw system calls: this process shares nbdkit's memory, including the
   * thread-local errno of the thread that cloned it. */
  syscall (SYS_setsid);
  /* Never outlive nbdkit (killed, it cannot tell us to stop). */
  syscall (SYS_prctl, PR_SET_PDEATHSIG, SIGKILL);
  CPU_ZERO (&set);
  CPU_SET (cpu, &set);
  syscall (SYS_sched_setaffinity, 0, sizeof set, &set);
  while (!atomic_load (&stopping)) {
    struct req *r, *next;

    if (atomic_load_explicit (&head, memory_order_relaxed) == NULL) {
      __builtin_ia32_pause ();
      continue;
    }
    r = atomic_exchange_explicit (&head, NULL, memory_order_acquire);
    for (; r; r = next) {
      next = r->next;
      if (r->write)
        memcpy (ram + r->off, r->buf, r->count);
      else
        memcpy (r->buf, ram + r->off, r->count);
      atomic_store_explicit (&r->done, 1, memory_order_release);
      /* r may be gone once done is set: a stale wake is harmless. */
      syscall (SYS_futex, &r->done, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
    }
  }
  return 0;
}

static int
handoff_get_ready (void)
{
  /* Populated up front: a floor must not pay page faults per request. */
  ram = mmap (NULL, size, PROT_READ | PROT_WRITE,
              MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
  if (ram == MAP_FAILED) {
    nbdkit_error ("mmap: %m");
    return -1;
  }
  return 0;
}

static int
handoff_after_fork (void)
{
  server_stack = mmap (NULL, SERVER_STACK, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
  if (server_stack == MAP_FAILED) {
    nbdkit_error ("mmap: %m");
    return -1;
  }
  /* Not CLONE_THREAD: a process of its own, so that setsid gives it its
   * own scheduling group (see the top of the file). */
  server = clone (serve, (char *) server_stack + SERVER_STACK,
                  CLONE_VM | CLONE_FS | CLONE_FILES | SIGCHLD, NULL);
  if (server == -1) {
    nbdkit_error ("clone: %m");
    return -1;
  }
  return 0;
}

static void
handoff_unload (void)
{
  atomic_store (&stopping, 1);
  if (server > 0)
    waitpid (server, NULL, 0);
  if (server_stack && server_stack != MAP_FAILED)
    munmap (server_stack, SERVER_STACK);
  if (ram && ram != MAP_FAILED)
    munmap (ram, size);
}

static void *
handoff_open (int readonly)
{
  (void) readonly;
  return NBDKIT_HANDLE_NOT_NEEDED;
}

static int64_t
handoff_get_size (void *h)
{
  (void) h;
  return size;
}

static int64_t
now_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (int64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int
handoff_io (void *buf, uint32_t count, uint64_t off, int write)
{
  struct req r = { .buf = buf, .off = off, .count = count, .write = write };

  r.next = atomic_load_explicit (&head, memory_order_relaxed);
  while (!atomic_compare_exchange_weak_explicit (
    &head, &r.next, &r, memory_order_release, memory_order_relaxed))
    ;
  if (poll_wait) {
    int64_t end = spin_ns >= 0 ? now_ns () + spin_ns : INT64_MAX;

    while (atomic_load_explicit (&r.done, memory_order_acquire) == 0 &&
           now_ns () < end)
      sched_yield ();
  }
  while (atomic_load_explicit (&r.done, memory_order_acquire) == 0)
    syscall (SYS_futex, &r.done, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
  return 0;
}

static int
handoff_pread (void *h, void *buf, uint32_t count, uint64_t off, uint32_t flags)
{
  (void) h, (void) flags;
  return handoff_io (buf, count, off, 0);
}

static int
handoff_pwrite (void *h, const void *buf, uint32_t count, uint64_t off,
                uint32_t flags)
{
  (void) h, (void) flags;
  return handoff_io ((void *) buf, count, off, 1);
}

static struct nbdkit_plugin plugin = {
  .name = "handoff",
  .config = handoff_config,
  .config_help = "size=SIZE cpu=N (the server's CPU) wait=sleep|poll spin-us=N",
  .get_ready = handoff_get_ready,
  .after_fork = handoff_after_fork,
  .unload = handoff_unload,
  .open = handoff_open,
  .get_size = handoff_get_size,
  .pread = handoff_pread,
  .pwrite = handoff_pwrite,
};

NBDKIT_REGISTER_PLUGIN (plugin)
