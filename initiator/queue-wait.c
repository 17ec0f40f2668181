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
 */
#include <config.h>

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
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
  __atomic_fetch_add (&w->word, 1, __ATOMIC_RELEASE);
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

    if (q->caller_rx && !q->rx_leader && q->ops->wait) {
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
    futex_wait (&me.word, seen);
    pthread_mutex_lock (&q->lock);
    waiter_unlink (q, &me, slot);
  }
}
