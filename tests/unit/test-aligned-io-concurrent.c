/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit test for common/aligned-io.c: many threads writing overlapping
 * unaligned ranges through aligned_io never lose or corrupt each other's
 * data (a read-modify-write must not race another write of its LBAs).
 * Against the fake device, with yields between LBAs to widen the races;
 * for 512- and 4096-byte LBAs. */
#include <config.h>

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake-ns.h"

/* ---- Concurrency ----------------------------------------------------- */

/* Phase 1, owned slots: the disk is cut into slots of random unaligned
 * sizes, dealt round-robin to the threads, so neighbouring threads share
 * LBAs but never bytes.  Each thread rewrites random parts of its slots
 * and checks its reads; at the end every byte must be its owner's last
 * write.  A read-modify-write that raced a neighbour would bring back
 * stale bytes. */
#define THREADS 8
#define SLOTS   96
struct slot {
  uint64_t off, len;
};
static struct slot slots[SLOTS];
static struct aligned_io *shared_aio;
static struct fake *shared_fake;
static unsigned char *slot_model;
static int slot_rounds;

static void *
slot_worker (void *arg)
{
  unsigned id = (unsigned) (uintptr_t) arg;
  unsigned seed = id * 31 + 5;
  unsigned char buf[3 * 4096];
  int i;

  for (i = 0; i < slot_rounds; i++) {
    unsigned s = id + THREADS * (rand_r (&seed) % (SLOTS / THREADS));
    uint64_t o = rand_r (&seed) % slots[s].len;
    uint64_t n = 1 + rand_r (&seed) % (slots[s].len - o);
    uint64_t off = slots[s].off + o;
    int r, op = rand_r (&seed) % 3;

    if (n > sizeof buf)
      n = sizeof buf;
    if (op == 0) {
      fill_random (buf, n, &seed);
      r = aligned_io_pwrite (shared_aio, buf, n, off, 0);
      memcpy (slot_model + off, buf, n);
    }
    else if (op == 1) {
      r = aligned_io_zero (shared_aio, n, off, 0);
      memset (slot_model + off, 0, n);
    }
    else {
      r = aligned_io_pread (shared_aio, buf, n, off);
      if (r == 0 && memcmp (buf, slot_model + off, n) != 0) {
        fprintf (stderr,
                 "FAIL: thread %u read back other data at %" PRIu64 "+%" PRIu64
                 "\n",
                 id, off, n);
        __atomic_add_fetch (&failures, 1, __ATOMIC_SEQ_CST);
        return NULL;
      }
    }
    if (r != 0) {
      fprintf (stderr, "FAIL: thread %u: %s\n", id, aligned_io_get_error ());
      __atomic_add_fetch (&failures, 1, __ATOMIC_SEQ_CST);
      return NULL;
    }
  }
  return NULL;
}

/* Phase 2, truly overlapping writes (unaligned, and a third aligned, which
 * must not slip between another write's read and write of an LBA).  The
 * threads write in rounds separated by a barrier; every write fills its
 * range with bytes derived from its identity.  After each round thread 0
 * checks every byte of the region: a byte that no write of the round
 * covered keeps its value; a covered byte holds the value of a covering
 * write that no other covering write started after (was not overtaken). */
#define OV_ROUNDS 150
#define OV_PER    2 /* writes per thread per round */
#define OV_LBAS   6 /* the region: a few LBAs, so writes collide */
struct wrec {
  uint64_t off, len;
  uint64_t start, end;
};
static struct wrec wrecs[THREADS][OV_PER];
static uint64_t clock_counter;
static pthread_barrier_t barrier;
static unsigned char *ov_before; /* the region before the round */
static uint64_t *ov_maxstart;
static bool *ov_ok;
static unsigned ov_bad;

static unsigned char
ov_byte (unsigned round, unsigned id, unsigned k, uint64_t pos)
{
  uint64_t h =
    ((round * 131u + id) * 1000003u + k * 7919u + pos) * 0x9E3779B97F4A7C15ull;

  return h >> 56;
}

static void
ov_check_round (unsigned round)
{
  uint64_t region = OV_LBAS * (uint64_t) shared_fake->lba, i;
  const unsigned char *data = shared_fake->data;
  unsigned t, k;

  memset (ov_maxstart, 0, region * sizeof *ov_maxstart);
  memset (ov_ok, 0, region * sizeof *ov_ok);
  for (t = 0; t < THREADS; t++)
    for (k = 0; k < OV_PER; k++)
      for (i = wrecs[t][k].off; i < wrecs[t][k].off + wrecs[t][k].len; i++)
        if (wrecs[t][k].start > ov_maxstart[i])
          ov_maxstart[i] = wrecs[t][k].start;
  for (t = 0; t < THREADS; t++)
    for (k = 0; k < OV_PER; k++) {
      const struct wrec *w = &wrecs[t][k];

      for (i = w->off; i < w->off + w->len; i++)
        if (data[i] == ov_byte (round, t, k, i) && w->end > ov_maxstart[i])
          ov_ok[i] = true;
    }
  for (i = 0; i < region; i++) {
    if (ov_maxstart[i] == 0)
      ov_ok[i] = data[i] == ov_before[i];
    if (!ov_ok[i] && ov_bad++ < 5)
      fprintf (stderr,
               "round %u byte %" PRIu64 ": 0x%02x is from no "
               "valid write\n",
               round, i, data[i]);
  }
  memcpy (ov_before, data, region);
}

static void *
overlap_worker (void *arg)
{
  unsigned id = (unsigned) (uintptr_t) arg;
  unsigned seed = id * 17 + 3;
  uint32_t lba = shared_fake->lba;
  unsigned char buf[3 * 4096];
  unsigned round, k;
  uint64_t i;

  for (round = 0; round < OV_ROUNDS; round++) {
    for (k = 0; k < OV_PER; k++) {
      struct wrec *w = &wrecs[id][k];

      w->len = 1 + rand_r (&seed) % (lba * 2);
      w->off = rand_r (&seed) % (lba * OV_LBAS - w->len + 1);
      if (rand_r (&seed) % 3 == 0) { /* some aligned writes too */
        w->off = w->off / lba * lba;
        w->len = (w->len + lba - 1) / lba * lba;
        if (w->off + w->len > lba * OV_LBAS)
          w->off = lba * OV_LBAS - w->len;
      }
      for (i = 0; i < w->len; i++)
        buf[i] = ov_byte (round, id, k, w->off + i);
      w->start = __atomic_add_fetch (&clock_counter, 1, __ATOMIC_SEQ_CST);
      if (aligned_io_pwrite (shared_aio, buf, w->len, w->off, 0) != 0) {
        fprintf (stderr, "FAIL: %s\n", aligned_io_get_error ());
        exit (1);
      }
      w->end = __atomic_add_fetch (&clock_counter, 1, __ATOMIC_SEQ_CST);
    }
    pthread_barrier_wait (&barrier);
    if (id == 0)
      ov_check_round (round);
    pthread_barrier_wait (&barrier);
  }
  return NULL;
}

static void
run_threads (void *(*fn) (void *) )
{
  pthread_t th[THREADS];
  unsigned i;

  for (i = 0; i < THREADS; i++)
    if (pthread_create (&th[i], NULL, fn, (void *) (uintptr_t) i) != 0) {
      perror ("pthread_create");
      exit (1);
    }
  for (i = 0; i < THREADS; i++)
    pthread_join (th[i], NULL);
}

static void
test_concurrent (uint32_t lba)
{
  struct fake f;
  struct aligned_io a;
  uint64_t size = 0;
  unsigned seed = 99 + lba, s;

  /* Slot sizes between 1 byte and 2.5 LBAs. */
  for (s = 0; s < SLOTS; s++) {
    slots[s].off = size;
    slots[s].len = 1 + rand_r (&seed) % (lba * 5 / 2);
    size += slots[s].len;
  }
  size = (size + lba - 1) / lba * lba;
  slot_rounds = lba == 512 ? 1500 : 600;
  printf ("checking %d threads x %d unaligned writes/zeroes/reads on "
          "interleaved slots sharing LBAs (LBA %u)\n",
          THREADS, slot_rounds, lba);
  fake_setup (&f, &a, lba, size, true, true);
  f.yield = true;
  shared_aio = &a;
  shared_fake = &f;
  slot_model = malloc (size);
  if (slot_model == NULL)
    exit (1);
  memcpy (slot_model, f.data, size);
  run_threads (slot_worker);
  CHECK (memcmp (f.data, slot_model, size) == 0,
         "lost update: the device differs from the owners' writes");
  free (slot_model);

  printf ("checking %d threads x %d rounds x %d overlapping unaligned "
          "writes: every byte is from a write that was not overtaken "
          "(LBA %u)\n",
          THREADS, OV_ROUNDS, OV_PER, lba);
  ov_before = malloc (OV_LBAS * (uint64_t) lba);
  ov_maxstart = calloc (OV_LBAS * (uint64_t) lba, sizeof *ov_maxstart);
  ov_ok = calloc (OV_LBAS * (uint64_t) lba, sizeof *ov_ok);
  if (!ov_before || !ov_maxstart || !ov_ok)
    exit (1);
  memcpy (ov_before, f.data, OV_LBAS * (uint64_t) lba);
  clock_counter = 0;
  ov_bad = 0;
  pthread_barrier_init (&barrier, NULL, THREADS);
  run_threads (overlap_worker);
  pthread_barrier_destroy (&barrier);
  CHECK (ov_bad == 0, "%u bytes lost or corrupted by overlapping writes",
         ov_bad);
  free (ov_before);
  free (ov_maxstart);
  free (ov_ok);
  fake_teardown (&f, &a);
}

int
main (void)
{
  test_concurrent (512);
  test_concurrent (4096);
  if (failures) {
    fprintf (stderr, "%d check(s) failed\n", failures);
    return 1;
  }
  printf ("PASS\n");
  return 0;
}
