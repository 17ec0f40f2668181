/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit test for common/aligned-io.c against a fake device (the ops seam):
 * - random unaligned reads, writes, zeroes and trims match a model;
 * - aligned requests reach the device once, with the caller's buffer;
 * - FUA, DEAC, flush and the Write Zeroes fallback do what they say;
 * - range checks and errors from the device are reported.
 * For 512- and 4096-byte LBAs (and 8192, whose bounce buffer is
 * allocated).  test-aligned-io-concurrent.c covers concurrent writers. */
#include <config.h>

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake-ns.h"

/* ---- Single-threaded checks against a model -------------------------- */
static void
test_model (uint32_t lba, bool has_wz)
{
  const uint64_t size = 64 * (uint64_t) lba;
  struct fake f;
  struct aligned_io a;
  unsigned char *model, *buf;
  unsigned seed = lba + has_wz;
  int i, r;

  printf ("checking 3000 random unaligned reads/writes/zeroes/trims "
          "(LBA %u, Write Zeroes %s) against a model\n",
          lba, has_wz ? "yes" : "no (fallback)");
  fake_setup (&f, &a, lba, size, has_wz, true);
  model = malloc (size);
  buf = malloc (size);
  if (!model || !buf) {
    perror ("malloc");
    exit (1);
  }
  memcpy (model, f.data, size);

  for (i = 0; i < 3000; i++) {
    uint64_t off = rand_r (&seed) % size;
    uint64_t len = rand_r (&seed) % (size - off + 1);
    int op = rand_r (&seed) % 4;

    if (rand_r (&seed) % 4 == 0) /* often small */
      len = len % (2 * lba + 1);
    switch (op) {
    case 0:
      r = aligned_io_pread (&a, buf, len, off);
      CHECK (r == 0, "pread: %s", aligned_io_get_error ());
      CHECK (memcmp (buf, model + off, len) == 0,
             "pread of %" PRIu64 " at %" PRIu64 " differs", len, off);
      break;
    case 1:
      fill_random (buf, len, &seed);
      r = aligned_io_pwrite (&a, buf, len, off, 0);
      CHECK (r == 0, "pwrite: %s", aligned_io_get_error ());
      memcpy (model + off, buf, len);
      break;
    case 2:
      r = aligned_io_zero (&a, len, off,
                           rand_r (&seed) % 2 ? ALIGNED_IO_MAY_TRIM : 0);
      CHECK (r == 0, "zero: %s", aligned_io_get_error ());
      memset (model + off, 0, len);
      break;
    case 3: {
      /* The fake deallocates to zeroes; only whole LBAs are trimmed. */
      uint64_t s = (off + lba - 1) / lba * lba, e = (off + len) / lba * lba;

      r = aligned_io_trim (&a, len, off, 0);
      CHECK (r == 0, "trim: %s", aligned_io_get_error ());
      if (s < e)
        memset (model + s, 0, e - s);
      break;
    }
    }
    if (failures)
      break;
  }
  CHECK (memcmp (f.data, model, size) == 0, "device differs from model");
  if (!has_wz)
    CHECK (f.wz == 0, "Write Zeroes sent to a namespace without it");
  free (model);
  free (buf);
  fake_teardown (&f, &a);
}

static void
test_fast_path_and_flags (uint32_t lba)
{
  struct fake f;
  struct aligned_io a;
  unsigned char *buf = malloc (8 * lba);
  unsigned i;

  printf ("checking aligned requests use the caller's buffer in one "
          "command; FUA, DEAC, flush and trim flags (LBA %u)\n",
          lba);
  if (buf == NULL)
    exit (1);
  fake_setup (&f, &a, lba, 64 * (uint64_t) lba, true, true);

  CHECK (aligned_io_pread (&a, buf, 4 * lba, 2 * lba) == 0, "pread");
  CHECK (f.reads == 1 && f.last_buf == buf,
         "aligned read: %u commands, "
         "buffer %s",
         f.reads, f.last_buf == buf ? "the caller's" : "copied");
  CHECK (aligned_io_pwrite (&a, buf, 4 * lba, 8 * lba, 0) == 0, "pwrite");
  CHECK (f.writes == 1 && f.last_buf == buf && f.writes_nofua == 1,
         "aligned write: %u commands", f.writes);

  fake_reset_counters (&f);
  CHECK (aligned_io_pwrite (&a, buf, 3 * lba, lba / 2, ALIGNED_IO_FUA) == 0,
         "pwrite FUA");
  CHECK (f.writes == 3 && f.writes_fua == 3,
         "unaligned FUA write: %u "
         "writes, %u with FUA (want 3, 3)",
         f.writes, f.writes_fua);
  CHECK (f.reads == 2, "unaligned write: %u reads (want 2)", f.reads);

  fake_reset_counters (&f);
  for (i = 0; i < 8 * lba; i++)
    buf[i] = 0xAA;
  CHECK (aligned_io_pwrite (&a, buf, 10, 3 * lba + 5, 0) == 0, "tiny pwrite");
  CHECK (f.reads == 1 && f.writes == 1,
         "write inside one LBA: %u reads, "
         "%u writes (want 1, 1)",
         f.reads, f.writes);

  fake_reset_counters (&f);
  CHECK (aligned_io_zero (&a, 4 * lba, 0, ALIGNED_IO_MAY_TRIM) == 0, "zero");
  CHECK (f.wz == 1 && f.wz_deac == 1,
         "zero MAY_TRIM: %u Write Zeroes, %u "
         "with DEAC (want 1, 1)",
         f.wz, f.wz_deac);
  CHECK (aligned_io_zero (&a, 4 * lba, 0, 0) == 0, "zero");
  CHECK (f.wz == 2 && f.wz_deac == 1, "zero without MAY_TRIM sent DEAC");
  CHECK (aligned_io_zero (&a, 4 * lba, 0, ALIGNED_IO_FAST_ZERO) == 0,
         "fast zero with Write Zeroes: %s", aligned_io_get_error ());

  fake_reset_counters (&f);
  CHECK (aligned_io_flush (&a) == 0 && f.flushes == 1, "flush with VWC");
  CHECK (aligned_io_trim (&a, 4 * lba, lba, ALIGNED_IO_FUA) == 0 &&
           f.deallocs == 1 && f.flushes == 2,
         "trim FUA: %u deallocs, %u "
         "flushes",
         f.deallocs, f.flushes);
  CHECK (aligned_io_trim (&a, lba, lba / 2, 0) == 0 && f.deallocs == 1,
         "trim of no whole LBA sent a command");

  printf ("checking range checks and error propagation (LBA %u)\n", lba);
  CHECK (aligned_io_pread (&a, buf, lba, 64 * (uint64_t) lba) == -EINVAL,
         "read past the end");
  CHECK (aligned_io_pwrite (&a, buf, 2, 64 * (uint64_t) lba - 1, 0) == -EINVAL,
         "write past the end");
  CHECK (strstr (aligned_io_get_error (), "beyond the end") != NULL,
         "message: %s", aligned_io_get_error ());
  f.fail_errno = EIO;
  CHECK (aligned_io_pread (&a, buf, 3, 1) == -EIO, "failed read");
  CHECK (strstr (aligned_io_get_error (), "fake read") != NULL, "message: %s",
         aligned_io_get_error ());
  f.fail_errno = ENOSPC;
  CHECK (aligned_io_pwrite (&a, buf, lba, 0, 0) == -ENOSPC, "failed write");
  fake_teardown (&f, &a);

  printf ("checking the flush is skipped without a volatile write cache\n");
  fake_setup (&f, &a, lba, 16 * (uint64_t) lba, true, false);
  CHECK (aligned_io_flush (&a) == 0 && f.flushes == 0, "flush without VWC");
  fake_teardown (&f, &a);
  free (buf);
}

static void
test_zero_fallback (uint32_t lba)
{
  struct fake f;
  struct aligned_io a;
  unsigned char *buf = malloc (8 * lba);
  uint64_t i;
  bool zero = true;

  printf ("checking Write Zeroes fallbacks (LBA %u)\n", lba);
  if (buf == NULL)
    exit (1);

  /* No Write Zeroes: zeroes are written, a fast zero fails untouched. */
  fake_setup (&f, &a, lba, 32 * (uint64_t) lba, false, true);
  CHECK (!aligned_io_can_fast_zero (&a), "can_fast_zero without WZ");
  CHECK (aligned_io_zero (&a, 5 * lba + 3, lba - 1, ALIGNED_IO_FAST_ZERO) ==
           -ENOTSUP,
         "fast zero without Write Zeroes must be ENOTSUP");
  CHECK (f.writes == 0 && f.reads == 0, "fast zero touched the device");
  CHECK (aligned_io_zero (&a, 5 * lba + 3, lba - 1, ALIGNED_IO_FUA) == 0,
         "zero fallback: %s", aligned_io_get_error ());
  CHECK (f.wz == 0 && f.writes_fua == f.writes && f.writes >= 3,
         "fallback: %u writes, %u FUA, %u WZ", f.writes, f.writes_fua, f.wz);
  for (i = lba - 1; i < 6 * (uint64_t) lba + 2; i++)
    zero &= f.data[i] == 0;
  CHECK (zero, "fallback did not zero the range");
  CHECK (f.data[lba - 2] != 0 && f.data[6 * lba + 2] != 0,
         "fallback zeroed outside the range");
  fake_teardown (&f, &a);

  /* Claims Write Zeroes but rejects it: falls back and stops asking. */
  fake_setup (&f, &a, lba, 32 * (uint64_t) lba, true, true);
  f.wz_rejects = true;
  CHECK (aligned_io_zero (&a, 4 * lba, 0, 0) == 0, "zero when rejected: %s",
         aligned_io_get_error ());
  CHECK (!aligned_io_can_fast_zero (&a), "still claims fast zero");
  CHECK (f.data[0] == 0 && f.data[4 * lba - 1] == 0, "not zeroed");
  fake_teardown (&f, &a);
  free (buf);
}

int
main (void)
{
  static const uint32_t lbas[] = { 512, 4096 };
  unsigned i;

  for (i = 0; i < sizeof lbas / sizeof lbas[0]; i++) {
    test_model (lbas[i], true);
    test_model (lbas[i], false);
    test_fast_path_and_flags (lbas[i]);
    test_zero_fallback (lbas[i]);
  }
  /* An LBA larger than the stack bounce buffer. */
  test_model (8192, true);

  if (failures) {
    fprintf (stderr, "%d check(s) failed\n", failures);
    return 1;
  }
  printf ("PASS\n");
  return 0;
}
