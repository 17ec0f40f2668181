/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit test for common/range-lock.c: shared holders overlap, exclusive
 * ones exclude, waiters are served in arrival order, and under many
 * threads no two conflicting holders ever overlap. */
#include <config.h>

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "range-lock.h"
#include "check.h"

static struct range_lock rl;

/* A thread that takes a range, records when it got it, then releases. */
struct taker {
  pthread_t thread;
  uint64_t start, end;
  bool exclusive;
  volatile int got; /* order in which it was granted, 0 = not */
};
static int grant_counter;
static pthread_mutex_t counter_lock = PTHREAD_MUTEX_INITIALIZER;

static void *
taker_run (void *arg)
{
  struct taker *t = arg;
  struct range_lock_entry e;

  range_lock_acquire (&rl, &e, t->start, t->end, t->exclusive);
  pthread_mutex_lock (&counter_lock);
  t->got = ++grant_counter;
  pthread_mutex_unlock (&counter_lock);
  range_lock_release (&rl, &e);
  return NULL;
}

static void
start_taker (struct taker *t, uint64_t start, uint64_t end, bool exclusive)
{
  t->start = start;
  t->end = end;
  t->exclusive = exclusive;
  t->got = 0;
  if (pthread_create (&t->thread, NULL, taker_run, t) != 0) {
    perror ("pthread_create");
    exit (1);
  }
}

/* Wait (bounded) until the lock has n waiters. */
static void
wait_for_waiters (unsigned n)
{
  int i;

  for (i = 0; i < 5000; i++) {
    unsigned w;

    pthread_mutex_lock (&rl.mutex);
    w = rl.nr_waiting;
    pthread_mutex_unlock (&rl.mutex);
    if (w >= n)
      return;
    usleep (1000);
  }
  fprintf (stderr, "FAIL: timed out waiting for %u waiters\n", n);
  exit (1);
}

static void
test_basic (void)
{
  struct range_lock_entry a, b, c;
  struct taker t;

  printf ("checking that shared holders overlap and disjoint ranges "
          "do not block\n");
  range_lock_acquire (&rl, &a, 0, 100, false);
  range_lock_acquire (&rl, &b, 50, 150, false); /* would hang if wrong */
  range_lock_acquire (&rl, &c, 150, 200, true); /* disjoint exclusive */
  range_lock_release (&rl, &b);
  range_lock_release (&rl, &a);
  range_lock_release (&rl, &c);
  CHECK (rl.head == NULL && rl.tail == NULL, "list not empty");

  printf ("checking that an exclusive holder blocks an overlapping "
          "shared request until it leaves\n");
  grant_counter = 0;
  range_lock_acquire (&rl, &a, 10, 20, true);
  start_taker (&t, 19, 30, false);
  wait_for_waiters (1);
  CHECK (t.got == 0, "shared request granted while exclusive held");
  range_lock_release (&rl, &a);
  pthread_join (t.thread, NULL);
  CHECK (t.got == 1, "shared request not granted after release");

  printf ("checking that a shared holder blocks an overlapping exclusive "
          "request, and that touching ends do not overlap\n");
  grant_counter = 0;
  range_lock_acquire (&rl, &a, 10, 20, false);
  range_lock_acquire (&rl, &b, 20, 30, true); /* [10,20) vs [20,30) */
  range_lock_release (&rl, &b);
  start_taker (&t, 0, 11, true);
  wait_for_waiters (1);
  CHECK (t.got == 0, "exclusive request granted while shared held");
  range_lock_release (&rl, &a);
  pthread_join (t.thread, NULL);
  CHECK (t.got == 1, "exclusive request not granted after release");
}

static void
test_fifo (void)
{
  struct range_lock_entry a;
  struct taker x, s;

  printf ("checking that a waiting exclusive request is not overtaken by "
          "a later shared one\n");
  grant_counter = 0;
  range_lock_acquire (&rl, &a, 0, 100, false);
  start_taker (&x, 0, 100, true);
  wait_for_waiters (1);
  start_taker (&s, 50, 60, false);
  wait_for_waiters (2);
  CHECK (x.got == 0 && s.got == 0, "granted too early");
  range_lock_release (&rl, &a);
  pthread_join (x.thread, NULL);
  pthread_join (s.thread, NULL);
  CHECK (x.got == 1 && s.got == 2,
         "order: exclusive %d, later shared %d (want 1, 2)", x.got, s.got);
}

/* Stress: each thread increments the cells of a random range in a way
 * that loses updates unless the lock excludes overlapping writers. */
#define CELLS   64
#define THREADS 8
#define ROUNDS  2000
static volatile unsigned cells[CELLS];
static unsigned expected[THREADS][CELLS];
static volatile int shared_inside[CELLS]; /* shared holders per cell */

static void *
stress_run (void *arg)
{
  unsigned id = (unsigned) (uintptr_t) arg;
  unsigned seed = id * 7919 + 1;
  int i;
  uint64_t c;

  for (i = 0; i < ROUNDS; i++) {
    struct range_lock_entry e;
    uint64_t start = rand_r (&seed) % CELLS;
    uint64_t len = 1 + rand_r (&seed) % 8;
    bool excl = rand_r (&seed) % 2;

    if (start + len > CELLS)
      len = CELLS - start;
    range_lock_acquire (&rl, &e, start, start + len, excl);
    if (excl) {
      for (c = start; c < start + len; c++) {
        unsigned v = cells[c];

        if (__atomic_load_n (&shared_inside[c], __ATOMIC_SEQ_CST) != 0) {
          fprintf (stderr, "FAIL: exclusive holder overlaps a shared one\n");
          exit (1);
        }
        sched_yield ();
        cells[c] = v + 1;
        expected[id][c]++;
      }
    }
    else {
      for (c = start; c < start + len; c++)
        __atomic_add_fetch (&shared_inside[c], 1, __ATOMIC_SEQ_CST);
      sched_yield ();
      for (c = start; c < start + len; c++)
        __atomic_sub_fetch (&shared_inside[c], 1, __ATOMIC_SEQ_CST);
    }
    range_lock_release (&rl, &e);
  }
  return NULL;
}

static void
test_stress (void)
{
  pthread_t th[THREADS];
  unsigned i, c;

  printf ("checking %d threads x %d random shared/exclusive ranges: no "
          "lost updates, no overlap\n",
          THREADS, ROUNDS);
  for (i = 0; i < THREADS; i++)
    if (pthread_create (&th[i], NULL, stress_run, (void *) (uintptr_t) i) !=
        0) {
      perror ("pthread_create");
      exit (1);
    }
  for (i = 0; i < THREADS; i++)
    pthread_join (th[i], NULL);
  for (c = 0; c < CELLS; c++) {
    unsigned sum = 0;

    for (i = 0; i < THREADS; i++)
      sum += expected[i][c];
    CHECK (cells[c] == sum, "cell %u: %u increments, want %u", c, cells[c],
           sum);
  }
  CHECK (rl.head == NULL && rl.nr_waiting == 0, "lock not empty at end");
}

int
main (void)
{
  if (range_lock_init (&rl) != 0) {
    fprintf (stderr, "range_lock_init failed\n");
    return 1;
  }
  test_basic ();
  test_fifo ();
  test_stress ();
  range_lock_destroy (&rl);
  if (failures) {
    fprintf (stderr, "%d check(s) failed\n", failures);
    return 1;
  }
  printf ("PASS\n");
  return 0;
}
