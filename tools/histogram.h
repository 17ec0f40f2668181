/* SPDX-License-Identifier: BSD-3-Clause */
/* A log-linear latency histogram: 32 linear buckets per power of two, so
 * any value is reported within 1/32 (3 %) of itself, with a fixed array
 * and no allocation per sample.  Values are nanoseconds. */
#ifndef NVMEOF_HISTOGRAM_H
#define NVMEOF_HISTOGRAM_H

#include <stdint.h>

#define HIST_SUB_BITS 5 /* 32 buckets per octave */
#define HIST_SUB      (1u << HIST_SUB_BITS)
/* Values below 2 * HIST_SUB have their own bucket; then one row of HIST_SUB
 * per octave up to 2^64: bucket SUB * (msb - SUB_BITS) + (v >> ...) < SUB * 60. */
#define HIST_BUCKETS (HIST_SUB * (64 - HIST_SUB_BITS + 1))

struct histogram {
  uint64_t count;
  uint64_t sum; /* for the exact mean */
  uint64_t min, max;
  uint64_t buckets[HIST_BUCKETS];
};

void hist_init (struct histogram *h);
void hist_add (struct histogram *h, uint64_t v);
/* Add all of src into dst. */
void hist_merge (struct histogram *dst, const struct histogram *src);
/* The value at quantile q (0 < q <= 1): the middle of the bucket holding
 * the ceil(q * count)'th smallest sample, clamped to [min, max].  0 if
 * the histogram is empty. */
uint64_t hist_quantile (const struct histogram *h, double q);
double hist_mean (const struct histogram *h);

/* Exposed for the unit test. */
unsigned hist_bucket (uint64_t v);
uint64_t hist_bucket_low (unsigned b);
uint64_t hist_bucket_high (unsigned b);

#endif
