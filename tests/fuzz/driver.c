/* SPDX-License-Identifier: BSD-3-Clause */
/* The built-in fuzz driver, for make check without libFuzzer: runs the
 * harness's seeds (and FILEs) unmutated, then random edits of them for
 * SECONDS, printing the seed so that a failure can be replayed:
 *   fuzz-NAME [-t SECONDS] [-s SEED] [FILE...]   (env FUZZ_SECONDS)
 *   fuzz-NAME -d DIR   writes the seeds to DIR/seed-N (a libFuzzer corpus)
 * With libFuzzer, build the harness with -DFUZZ_LIBFUZZER and
 * -fsanitize=fuzzer instead of linking this file. */
#include <config.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "driver.h"

#define MAX_INPUTS 64
#define INPUT_MAX  4096

static uint64_t rng_state;

static uint64_t
rng (void)
{
  rng_state ^= rng_state >> 12;
  rng_state ^= rng_state << 25;
  rng_state ^= rng_state >> 27;
  return rng_state * 0x2545F4914F6CDD1Dull;
}

static size_t
pick (size_t n)
{
  return (size_t) (rng () % n);
}

/* A few random edits of buf (length *len, capacity cap). */
static void
mutate (uint8_t *buf, size_t *len, size_t cap)
{
  int edits = 1 + (int) pick (4), e;

  for (e = 0; e < edits; e++) {
    size_t pos = *len ? pick (*len + 1) : 0;

    switch (pick (6)) {
    case 0: /* flip a byte */
      if (*len)
        buf[pick (*len)] = (uint8_t) rng ();
      break;
    case 1: /* delete a range */
      if (*len) {
        size_t n = 1 + pick (8);

        if (pos + n > *len)
          n = *len - pos;
        memmove (buf + pos, buf + pos + n, *len - pos - n);
        *len -= n;
      }
      break;
    case 2:
    case 3: { /* insert a token */
      const char *t = fuzz_target.tokens[pick (fuzz_target.nr_tokens)];
      size_t n = strlen (t);

      if (*len + n <= cap) {
        memmove (buf + pos + n, buf + pos, *len - pos);
        memcpy (buf + pos, t, n);
        *len += n;
      }
      break;
    }
    case 4: /* insert a random byte */
      if (*len + 1 <= cap) {
        memmove (buf + pos + 1, buf + pos, *len - pos);
        buf[pos] = (uint8_t) rng ();
        (*len)++;
      }
      break;
    case 5: /* duplicate a range */
      if (*len) {
        size_t from = pick (*len), n = 1 + pick (16);

        if (from + n > *len)
          n = *len - from;
        if (*len + n <= cap) {
          memmove (buf + pos + n, buf + pos, *len - pos);
          memmove (buf + pos, buf + (from >= pos ? from + n : from), n);
          *len += n;
        }
      }
      break;
    }
  }
}

static double
now (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (double) ts.tv_sec + ts.tv_nsec / 1e9;
}

static int
write_seeds (const char *dir, uint8_t (*inputs)[INPUT_MAX],
             const size_t *input_len, size_t n)
{
  size_t i;

  for (i = 0; i < n; i++) {
    char path[4096];
    FILE *fp;

    snprintf (path, sizeof path, "%s/seed-%zu", dir, i);
    fp = fopen (path, "wb");
    if (fp == NULL || fwrite (inputs[i], 1, input_len[i], fp) != input_len[i] ||
        fclose (fp) != 0) {
      perror (path);
      return 1;
    }
  }
  return 0;
}

/* Seed i of the harness: its function's, or its strings (without NUL). */
static size_t
get_seed (size_t i, uint8_t *buf, size_t cap)
{
  size_t n;

  if (fuzz_target.seed)
    return fuzz_target.seed (i, buf, cap);
  if (i >= fuzz_target.nr_seed_strings)
    return 0;
  n = strlen (fuzz_target.seed_strings[i]);
  if (n > cap)
    n = cap;
  memcpy (buf, fuzz_target.seed_strings[i], n);
  return n;
}

int
main (int argc, char *argv[])
{
  double seconds = 2, start;
  uint64_t seed = (uint64_t) time (NULL) ^ ((uint64_t) clock () << 20);
  const char *env = getenv ("FUZZ_SECONDS");
  static uint8_t inputs[MAX_INPUTS][INPUT_MAX];
  static size_t input_len[MAX_INPUTS];
  size_t ninputs = 0, nseeds, i;
  unsigned long iters = 0;
  int a;

  if (env)
    seconds = strtod (env, NULL);
  /* The harness's seeds, then the files named on the command line. */
  while (ninputs < MAX_INPUTS && (input_len[ninputs] = get_seed (
                                    ninputs, inputs[ninputs], INPUT_MAX)) > 0)
    ninputs++;
  nseeds = ninputs;
  for (a = 1; a < argc; a++) {
    if (strcmp (argv[a], "-t") == 0 && a + 1 < argc)
      seconds = strtod (argv[++a], NULL);
    else if (strcmp (argv[a], "-d") == 0 && a + 1 < argc)
      return write_seeds (argv[a + 1], inputs, input_len, nseeds);
    else if (strcmp (argv[a], "-s") == 0 && a + 1 < argc)
      seed = strtoull (argv[++a], NULL, 0);
    else if (ninputs < MAX_INPUTS) {
      FILE *fp = fopen (argv[a], "rb");

      if (fp == NULL) {
        perror (argv[a]);
        return 1;
      }
      input_len[ninputs] = fread (inputs[ninputs], 1, INPUT_MAX, fp);
      fclose (fp);
      ninputs++;
    }
  }
  if (seed == 0)
    seed = 1;
  rng_state = seed;
  printf ("%s: %s, seed %llu, %.1f s, %zu seeds + %zu files\n",
          fuzz_target.name, fuzz_target.what, (unsigned long long) seed,
          seconds, nseeds, ninputs - nseeds);

  /* The inputs themselves, unmutated. */
  for (i = 0; i < ninputs; i++)
    LLVMFuzzerTestOneInput (inputs[i], input_len[i]);

  start = now ();
  do {
    uint8_t buf[INPUT_MAX];
    size_t len, k = pick (ninputs), rounds = 1 + pick (4);

    len = input_len[k];
    memcpy (buf, inputs[k], len);
    for (i = 0; i < rounds; i++)
      mutate (buf, &len, sizeof buf);
    LLVMFuzzerTestOneInput (buf, len);
    iters++;
  } while ((iters & 255) != 0 || now () - start < seconds);

  printf ("%s: %lu inputs in %.1f s, no invariant failed\n", fuzz_target.name,
          iters, now () - start);
  return 0;
}
