/* SPDX-License-Identifier: BSD-3-Clause */
/* A fake namespace for the aligned_io unit tests: memory behind the
 * aligned_io_ops seam.  Each LBA is copied atomically (as on a device), but
 * other commands may interleave between LBAs; with yield set, they are
 * encouraged to.  Misaligned commands end the test: aligned_io must never
 * send them. */
#ifndef NVMEOF_TEST_FAKE_NS_H
#define NVMEOF_TEST_FAKE_NS_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "aligned-io.h"

extern int failures;

#define CHECK(cond, ...) \
  do { \
    if (!(cond)) { \
      fprintf (stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
      fprintf (stderr, __VA_ARGS__); \
      fprintf (stderr, "\n"); \
      __atomic_add_fetch (&failures, 1, __ATOMIC_SEQ_CST); \
    } \
  } while (0)

struct fake {
  unsigned char *data;
  uint64_t size;
  uint32_t lba;
  pthread_mutex_t lock; /* each LBA is copied atomically */
  bool yield;           /* widen race windows between LBAs */
  bool wz_rejects;      /* claims Write Zeroes, rejects the opcode */
  int fail_errno;       /* next command fails with this */
  /* Counters (under lock). */
  unsigned reads, writes, writes_fua, writes_nofua, wz, wz_deac, deallocs;
  unsigned flushes;
  const void *last_buf; /* the buffer of the last read or write */
};

/* Make a fake device of size bytes (a fixed pattern) and an aligned_io over
 * it; has_wz: Write Zeroes supported, vwc: volatile write cache. */
void fake_setup (struct fake *f, struct aligned_io *a, uint32_t lba,
                 uint64_t size, bool has_wz, bool vwc);
void fake_teardown (struct fake *f, struct aligned_io *a);
void fake_reset_counters (struct fake *f);
void fill_random (unsigned char *p, size_t n, unsigned *seed);

#endif
