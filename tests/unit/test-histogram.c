/* SPDX-License-Identifier: BSD-3-Clause */
/* tools/histogram.c: buckets are contiguous and cover every value, each
 * value falls in its bucket, quantiles are within the promised 1/32 of
 * the exact ones, and merging adds. */
#include <config.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "histogram.h"
#include "check.h"

static int
cmp_u64 (const void *a, const void *b)
{
  uint64_t x = *(const uint64_t *) a, y = *(const uint64_t *) b;
  return x < y ? -1 : x > y;
}

static void
test_buckets (void)
{
  unsigned b;
  uint64_t v;
  int shift;

  printf ("buckets: contiguous from 0 to 2^64-1, values land inside\n");
  CHECK (hist_bucket_low (0) == 0, "bucket 0 starts at 0");
  for (b = 0; b + 1 < HIST_BUCKETS; b++) {
    CHECK (hist_bucket_high (b) + 1 == hist_bucket_low (b + 1),
           "gap after bucket %u", b);
    CHECK (hist_bucket_low (b) <= hist_bucket_high (b), "bucket %u empty", b);
  }
  CHECK (hist_bucket_high (HIST_BUCKETS - 1) == UINT64_MAX, "top bucket");
  CHECK (hist_bucket (UINT64_MAX) == HIST_BUCKETS - 1, "UINT64_MAX bucket");
  for (shift = 0; shift < 64; shift++) {
    uint64_t base = (uint64_t) 1 << shift;
    uint64_t vals[] = { base - 1, base, base + 1, base + base / 3 };
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
      v = vals[i];
      b = hist_bucket (v);
      CHECK (b < HIST_BUCKETS, "bucket of %" PRIu64 " out of range", v);
      CHECK (hist_bucket_low (b) <= v && v <= hist_bucket_high (b),
             "%" PRIu64 " not inside its bucket %u", v, b);
      /* Width at most 1/32 of the lower bound (exact below 64). */
      CHECK (hist_bucket_high (b) - hist_bucket_low (b) <=
               hist_bucket_low (b) / HIST_SUB,
             "bucket %u too wide", b);
    }
  }
}

static void
test_quantiles (void)
{
  enum { N = 100000 };
  static uint64_t vals[N];
  static struct histogram h, h2, merged;
  uint64_t seed = 42, sum = 0;
  const double qs[] = { 0.5, 0.9, 0.99, 0.999 };
  size_t i;

  printf ("quantiles of %d log-normal-ish samples within 1/32\n", N);
  hist_init (&h);
  hist_init (&h2);
  for (i = 0; i < N; i++) {
    seed = seed * 6364136223846793005ull + 1442695040888963407ull;
    /* 10 us .. ~40 ms, skewed towards small values */
    vals[i] = 10000 + ((seed >> 33) % 1000) * ((seed >> 20) % 4000);
    sum += vals[i];
    hist_add (i % 2 ? &h : &h2, vals[i]);
  }
  hist_init (&merged);
  hist_merge (&merged, &h);
  hist_merge (&merged, &h2);
  CHECK (merged.count == N, "merged count %" PRIu64, merged.count);
  CHECK (merged.sum == sum, "merged sum");
  qsort (vals, N, sizeof vals[0], cmp_u64);
  CHECK (merged.min == vals[0] && merged.max == vals[N - 1], "min/max");
  CHECK (hist_mean (&merged) == (double) sum / N, "mean is exact");
  for (i = 0; i < sizeof qs / sizeof qs[0]; i++) {
    size_t rank = (size_t) (qs[i] * N + 0.999999);
    uint64_t exact = vals[rank - 1], got = hist_quantile (&merged, qs[i]);
    double err = got > exact ? (double) (got - exact) : (double) (exact - got);
    printf ("  q%.3f: exact %" PRIu64 ", histogram %" PRIu64 "\n", qs[i], exact,
            got);
    CHECK (err <= (double) exact / 32 + 1, "q%.3f: %" PRIu64 " vs %" PRIu64,
           qs[i], got, exact);
  }
  CHECK (hist_quantile (&merged, 1.0) == vals[N - 1], "q1 is the max");
}

static void
test_empty_and_small (void)
{
  struct histogram h;

  printf ("empty histogram gives 0; small values are exact\n");
  hist_init (&h);
  CHECK (hist_quantile (&h, 0.5) == 0, "empty quantile");
  CHECK (hist_mean (&h) == 0, "empty mean");
  hist_add (&h, 7);
  hist_add (&h, 9);
  hist_add (&h, 11);
  CHECK (hist_quantile (&h, 0.5) == 9, "median of 7 9 11 is %" PRIu64,
         hist_quantile (&h, 0.5));
  CHECK (hist_quantile (&h, 0.999) == 11, "top of 7 9 11");
}

int
main (void)
{
  test_buckets ();
  test_quantiles ();
  test_empty_and_small ();
  if (failures) {
    fprintf (stderr, "%d check(s) failed\n", failures);
    return 1;
  }
  printf ("PASS\n");
  return 0;
}
