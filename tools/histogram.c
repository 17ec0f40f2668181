/* SPDX-License-Identifier: BSD-3-Clause */
/* Log-linear histogram (see histogram.h). */
#include <config.h>

#include <string.h>

#include "histogram.h"

void
hist_init (struct histogram *h)
{
  memset (h, 0, sizeof *h);
  h->min = UINT64_MAX;
}

/* Values below 2*SUB map to themselves.  Above, with e = msb - SUB_BITS,
 * m = v >> e lies in [SUB, 2*SUB): bucket SUB*e + m.  This is continuous:
 * 2*SUB maps to SUB*1 + SUB = 2*SUB. */
unsigned
hist_bucket (uint64_t v)
{
  unsigned msb, e;

  if (v < 2 * HIST_SUB)
    return (unsigned) v;
  msb = 63u - (unsigned) __builtin_clzll (v);
  e = msb - HIST_SUB_BITS;
  return HIST_SUB * e + (unsigned) (v >> e);
}

uint64_t
hist_bucket_low (unsigned b)
{
  unsigned e;

  if (b < 2 * HIST_SUB)
    return b;
  e = b / HIST_SUB - 1;
  return (uint64_t) (b % HIST_SUB + HIST_SUB) << e;
}

uint64_t
hist_bucket_high (unsigned b)
{
  if (b + 1 >= HIST_BUCKETS)
    return UINT64_MAX;
  return hist_bucket_low (b + 1) - 1;
}

void
hist_add (struct histogram *h, uint64_t v)
{
  h->count++;
  h->sum += v;
  if (v < h->min)
    h->min = v;
  if (v > h->max)
    h->max = v;
  h->buckets[hist_bucket (v)]++;
}

void
hist_merge (struct histogram *dst, const struct histogram *src)
{
  unsigned i;

  if (src->count == 0)
    return;
  dst->count += src->count;
  dst->sum += src->sum;
  if (src->min < dst->min)
    dst->min = src->min;
  if (src->max > dst->max)
    dst->max = src->max;
  for (i = 0; i < HIST_BUCKETS; i++)
    dst->buckets[i] += src->buckets[i];
}

uint64_t
hist_quantile (const struct histogram *h, double q)
{
  uint64_t rank, seen = 0, v;
  unsigned i;

  if (h->count == 0)
    return 0;
  if (q <= 0)
    return h->min;
  if (q >= 1)
    return h->max;
  rank = (uint64_t) (q * (double) h->count);
  if ((double) rank < q * (double) h->count)
    rank++;
  if (rank == 0)
    rank = 1;
  for (i = 0; i < HIST_BUCKETS; i++) {
    seen += h->buckets[i];
    if (seen >= rank)
      break;
  }
  if (i == HIST_BUCKETS)
    return h->max;
  v = hist_bucket_low (i) + (hist_bucket_high (i) - hist_bucket_low (i)) / 2;
  if (v < h->min)
    v = h->min;
  if (v > h->max)
    v = h->max;
  return v;
}

double
hist_mean (const struct histogram *h)
{
  return h->count ? (double) h->sum / (double) h->count : 0.0;
}
