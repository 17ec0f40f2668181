/* SPDX-License-Identifier: BSD-3-Clause */
/* Range lock: see range-lock.h.  The holders and waiters form one list in
 * arrival order; an entry may proceed when no earlier entry conflicts with
 * it.  The list is as long as the I/O in flight, so a linear scan is cheap
 * next to a network round trip. */
#include <config.h>

#include "range-lock.h"

int
range_lock_init (struct range_lock *rl)
{
  int r;

  rl->head = rl->tail = NULL;
  rl->nr_waiting = 0;
  r = pthread_mutex_init (&rl->mutex, NULL);
  if (r != 0)
    return -r;
  r = pthread_cond_init (&rl->cond, NULL);
  if (r != 0) {
    pthread_mutex_destroy (&rl->mutex);
    return -r;
  }
  return 0;
}

void
range_lock_destroy (struct range_lock *rl)
{
  pthread_cond_destroy (&rl->cond);
  pthread_mutex_destroy (&rl->mutex);
}

static bool
conflicts (const struct range_lock_entry *a, const struct range_lock_entry *b)
{
  if (!a->exclusive && !b->exclusive)
    return false;
  return a->start < b->end && b->start < a->end;
}

/* May e proceed?  Only entries that arrived before it can hold it back. */
static bool
can_grant (const struct range_lock_entry *e)
{
  const struct range_lock_entry *p;

  for (p = e->prev; p != NULL; p = p->prev)
    if (conflicts (p, e))
      return false;
  return true;
}

void
range_lock_acquire (struct range_lock *rl, struct range_lock_entry *e,
                    uint64_t start, uint64_t end, bool exclusive)
{
  e->start = start;
  e->end = end;
  e->exclusive = exclusive;
  e->granted = false;
  e->next = NULL;

  pthread_mutex_lock (&rl->mutex);
  e->prev = rl->tail;
  if (rl->tail)
    rl->tail->next = e;
  else
    rl->head = e;
  rl->tail = e;

  if (!can_grant (e)) {
    rl->nr_waiting++;
    do
      pthread_cond_wait (&rl->cond, &rl->mutex);
    while (!can_grant (e));
    rl->nr_waiting--;
  }
  e->granted = true;
  pthread_mutex_unlock (&rl->mutex);
}

void
range_lock_release (struct range_lock *rl, struct range_lock_entry *e)
{
  pthread_mutex_lock (&rl->mutex);
  if (e->prev)
    e->prev->next = e->next;
  else
    rl->head = e->next;
  if (e->next)
    e->next->prev = e->prev;
  else
    rl->tail = e->prev;
  e->prev = e->next = NULL;
  e->granted = false;
  /* Only a waiter can have been held back by this entry. */
  if (rl->nr_waiting > 0)
    pthread_cond_broadcast (&rl->cond);
  pthread_mutex_unlock (&rl->mutex);
}
