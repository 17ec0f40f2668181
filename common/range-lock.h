/* SPDX-License-Identifier: BSD-3-Clause */
/* A lock over byte (or block) ranges with shared and exclusive holders.
 *
 * Overlapping shared holders run together; an exclusive holder excludes
 * every overlapping holder.  Requests are granted in arrival order among
 * those that conflict, so an exclusive request is never starved by a
 * stream of shared ones, and because every operation takes exactly one
 * entry there is no lock-order deadlock.
 *
 * The caller provides the entry (normally on its stack): acquiring and
 * releasing never allocate. */
#ifndef NVMEOF_RANGE_LOCK_H
#define NVMEOF_RANGE_LOCK_H

#include <stdbool.h>
#include <stdint.h>
#include <pthread.h>

struct range_lock_entry {
  uint64_t start, end; /* [start, end) */
  bool exclusive;
  bool granted;
  struct range_lock_entry *prev, *next;
};

struct range_lock {
  pthread_mutex_t mutex;
  pthread_cond_t cond;                  /* broadcast when a holder leaves */
  struct range_lock_entry *head, *tail; /* in arrival order */
  unsigned nr_waiting;
};

int range_lock_init (struct range_lock *rl);
void range_lock_destroy (struct range_lock *rl);

/* Block until [start, end) is held in the requested mode. */
void range_lock_acquire (struct range_lock *rl, struct range_lock_entry *e,
                         uint64_t start, uint64_t end, bool exclusive);
void range_lock_release (struct range_lock *rl, struct range_lock_entry *e);

#endif
