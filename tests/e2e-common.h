/* SPDX-License-Identifier: BSD-3-Clause */
/* What the end-to-end test programs (e2e-io, e2e-hold) share: failing
 * with one line, a monotonic clock, seeded random data, and the library's
 * key=value options taken from the command line.  Define E2E_NAME before
 * including this. */
#ifndef NVMEOF_TESTS_E2E_COMMON_H
#define NVMEOF_TESTS_E2E_COMMON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "nvmeof.h"

#define FAIL(...) \
  do { \
    fprintf (stderr, E2E_NAME ": FAIL: " __VA_ARGS__); \
    fprintf (stderr, "\n"); \
    exit (1); \
  } while (0)

static inline double
now_s (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* xorshift64*: fast, seeded per thread. */
static inline uint64_t
rnd (uint64_t *s)
{
  *s ^= *s >> 12;
  *s ^= *s << 25;
  *s ^= *s >> 27;
  return *s * 2685821657736338717ull;
}

static inline void
fill_random (uint64_t *seed, uint8_t *buf, size_t len)
{
  size_t i;

  for (i = 0; i + 8 <= len; i += 8) {
    uint64_t v = rnd (seed);
    memcpy (buf + i, &v, 8);
  }
  for (; i < len; i++)
    buf[i] = (uint8_t) rnd (seed);
}

/* An argument KEY=VALUE (not starting with "--") is a library option: set
 * it, failing on a bad one.  False: not such an argument. */
static inline bool
e2e_set_option (struct nvmeof_opts *opts, const char *a)
{
  const char *eq = strchr (a, '=');
  char key[64];
  size_t n;

  if (strncmp (a, "--", 2) == 0 || eq == NULL)
    return false;
  n = eq - a;
  if (n >= sizeof key)
    FAIL ("option too long: %s", a);
  memcpy (key, a, n);
  key[n] = '\0';
  if (nvmeof_opts_set (opts, key, eq + 1) < 0)
    FAIL ("%s", nvmeof_get_error ());
  return true;
}

#endif
