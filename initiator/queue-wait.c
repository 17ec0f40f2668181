/* SPDX-License-Identifier: BSD-3-Clause */
/* Waiting on a queue: for a batch of commands to complete, or for a free
 * CID.  If the transport lets callers read the connection and nobody is
 * reading it, the waiting thread reads it itself (the leader) rather than
 * have another thread woken to read and then wake it; the others sleep
 * (followers) until a completion or the departing leader wakes them.
 *
 * Sleeping is a futex on a word of the waiter (on its stack), not a
 * condition variable: a completion is noted under q->lock, and a thread
 * that completes many (a receiver: queue_lock/queue_unlock) wakes their
 * waiters after it lets go of the lock, so that a woken thread does not
 * run only to block on the lock that its waker still holds (two more
 * context switches per completion on a busy CPU).  A wake may then reach
 * a waiter that has returned already: futex wakes carry no data and every
 * futex user tolerates a spurious one.
 *
 * Before sleeping, a waiter polls its word (and a leader its connection)
 * for up to NVMEOF_SPIN_US, yielding the CPU between looks.  With nbdkit,
 * every request in flight holds a thread that must wait; when they share
 * one CPU, a futex sleep and wake-up per request cost more than the round
 * trip to the target, and yielding lets the CPU's other threads (nbdkit's,
 * reading the next requests; the NBD client) run meanwhile.  A waker
 * makes the futex system call only for a waiter that really sleeps.
 * At most SPINNERS_PER_CPU followers poll on one CPU at a time; the others
 * sleep at once.  Every poller is a runnable thread that the CPU turns to
 * between looks (each a context switch), so 16-64 of them (nbdkit's
 * threads of 1-4 connections on one CPU) delay the thread that reads the
 * connection, and the NBD client, by a round of switches each time.
 */
#include <config.h>

#include <errno.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>
#include <linux/futex.h>
#include <sys/syscall.h>

#include "internal.h"

#define WAKE_MAX 64

/* Wakes noted by this thread under queue_lock, done by queue_unlock. */
static __thread struct {
  unsigned depth; /* queue_lock nesting: 0, wake at once */
  unsigned n;
  uint32_t *addr[WAKE_MAX];
} wakes;

static void
futex_wake (uint32_t *addr)
{
  syscall (SYS_futex, addr, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

static void
futex_wait (uint32_t *addr, uint32_t seen)
{
  /* Returns at once if the word changed since it was read (EAGAIN); EINTR
   * and spurious returns are fine: the caller looks again. */
  syscall (SYS_futex, addr, FUTEX_WAIT_PRIVATE, seen, NULL, NULL, 0);
}

static atomic_llong spin_cached = -1;

void
queue_set_spin_ns (uint64_t ns)
{
  atomic_store (&spin_cached, (long long) ns);
}

uint64_t
queue_spin_ns (void)
{
  long long v = atomic_load_explicit (&spin_cached, memory_order_relaxed);

  if (v < 0) {
    const char *s = getenv ("NVMEOF_SPIN_US");
    char *end;
    unsigned long us = 50;

    if (s && *s) {
      errno = 0;
      us = strtoul (s, &end, 10);
      if (errno || *end || us > 1000000)
        us = 50;
    }
    v = (long long) us * 1000;
    atomic_store_explicit (&spin_cached, v, memory_order_relaxed);
  }
  return (uint64_t) v;
}

/* Followers polling, per CPU (CPUs beyond SPIN_CPUS share counters, which
 * only makes the cap stricter for them).  Padded: each CPU writes its own
 * line. */
#define SPINNERS_PER_CPU 4
#define SPIN_CPUS        256

static struct {
  atomic_uint n;
  char pad[64 - sizeof (atomic_uint)];
} spinners[SPIN_CPUS];

/* Poll *word for a change from seen, yielding between looks, for up to
 * the spin time, unless SPINNERS_PER_CPU others poll on this CPU already.
 * True if it changed. */
static bool
spin_until_changed (uint32_t *word, uint32_t seen)
{
  uint64_t spin = queue_spin_ns (), end;
  int cpu = sched_getcpu ();
  atomic_uint *n = &spinners[cpu > 0 ? (unsigned) cpu % SPIN_CPUS : 0].n;
  bool changed = false;

  if (spin == 0)
    return false;
  if (atomic_fetch_add_explicit (n, 1, memory_order_relaxed) >=
      SPINNERS_PER_CPU) {
    atomic_fetch_sub_explicit (n, 1, memory_order_relaxed);
    return false;
  }
  end = now_ns () + spin;
  do {
    sched_yield ();
    if (__atomic_load_n (word, __ATOMIC_ACQUIRE) != seen) {
      changed = true;
      break;
    }
  } while (now_ns () < end);
  atomic_fetch_sub_explicit (n, 1, memory_order_relaxed);
  return changed;
}

/* Do the wakes noted so far (without q->lock). */
static void
wakes_flush (void)
{
  unsigned i;

  for (i = 0; i < wakes.n; i++)
    futex_wake (wakes.addr[i]);
  wakes.n = 0;
}

void
queue_lock (struct nvmeof_queue *q)
{
  pthread_mutex_lock (&q->lock);
  wakes.depth++;
}

void
queue_unlock (struct nvmeof_queue *q)
{
  pthread_mutex_unlock (&q->lock);
  if (--wakes.depth == 0)
    wakes_flush ();
}

/* Wake w: under q->lock. */
static void
waiter_wake (struct queue_waiter *w)
{
  /* Sequentially consistent against the waiter's store of sleeping and
   * load of word: either it sees the new word and does not sleep, or we
   * see it sleeping and wake it. */
  __atomic_fetch_add (&w->word, 1, __ATOMIC_SEQ_CST);
  if (!__atomic_load_n (&w->sleeping, __ATOMIC_SEQ_CST))
    return;
  if (wakes.depth > 0 && wakes.n < WAKE_MAX)
    wakes.addr[wakes.n++] = &w->word;
  else
    futex_wake (&w->word);
}

void
queue_wake_batch (struct nvmeof_queue *q, struct nvmeof_batch *b)
{
  if (b->waiter)
    waiter_wake (b->waiter);
}

void
queue_wake_cid (struct nvmeof_queue *q)
{
  struct queue_waiter *w;

  if (q->nr_cid_waiters == 0)
    return;
  for (w = q->waiters; w; w = w->next)
    if (w->for_cid) {
      waiter_wake (w);
      return;
    }
}

void
queue_wake_all (struct nvmeof_queue *q)
{
  struct queue_waiter *w;

  for (w = q->waiters; w; w = w->next)
    waiter_wake (w);
}

/* The leader leaves: wake a follower that still waits to take over (one
 * whose wait is over is awake already).  Under q->lock. */
static void
promote_follower (struct nvmeof_queue *q)
{
  struct queue_waiter *w;

  for (w = q->waiters; w; w = w->next)
    if (!w->done (q, w->arg)) {
      waiter_wake (w);
      return;
    }
}

static void
waiter_link (struct nvmeof_queue *q, struct queue_waiter *me,
             struct queue_waiter **slot)
{
  if (slot)
    *slot = me;
  me->next = q->waiters;
  q->waiters = me;
  if (me->for_cid)
    q->nr_cid_waiters++;
  atomic_fetch_add (&q->nr_waiters, 1);
}

static void
waiter_unlink (struct nvmeof_queue *q, struct queue_waiter *me,
               struct queue_waiter **slot)
{
  struct queue_waiter **pp;

  if (slot)
    *slot = NULL;
  for (pp = &q->waiters; *pp; pp = &(*pp)->next)
    if (*pp == me) {
      *pp = me->next;
      break;
    }
  if (me->for_cid)
    q->nr_cid_waiters--;
  atomic_fetch_sub (&q->nr_waiters, 1);
}

void
queue_wait (struct nvmeof_queue *q, bool for_cid, queue_done_fn done, void *arg,
            struct queue_waiter **slot)
{
  struct queue_waiter me = { .for_cid = for_cid, .done = done, .arg = arg };

  while (!done (q, arg)) {
    uint32_t seen;

    /* (Not on a dead queue: there is nothing to read until it is
     * resumed, which wakes every waiter.) */
    if (q->caller_rx && !q->rx_leader && !q->dead && q->ops->wait) {
      unsigned depth = wakes.depth;

      __atomic_store_n (&q->rx_leader, true, __ATOMIC_RELEASE);
      pthread_mutex_unlock (&q->lock);
      /* Outside the lock now: the receiver's own queue_unlock calls wake
       * whom its completions concern. */
      wakes.depth = 0;
      wakes_flush ();
      q->ops->wait (q, done, arg);
      pthread_mutex_lock (&q->lock);
      wakes.depth = depth;
      __atomic_store_n (&q->rx_leader, false, __ATOMIC_RELEASE);
      promote_follower (q);
      continue;
    }
    /* me is unlinked below, before it goes away. */
    waiter_link (q, &me, slot);
    seen = __atomic_load_n (&me.word, __ATOMIC_ACQUIRE);
    pthread_mutex_unlock (&q->lock);
    wakes_flush ();
    if (!spin_until_changed (&me.word, seen)) {
      __atomic_store_n (&me.sleeping, 1, __ATOMIC_SEQ_CST);
      if (__atomic_load_n (&me.word, __ATOMIC_SEQ_CST) == seen)
        futex_wait (&me.word, seen);
      __atomic_store_n (&me.sleeping, 0, __ATOMIC_RELAXED);
    }
    pthread_mutex_lock (&q->lock);
    waiter_unlink (q, &me, slot);
  }
}
