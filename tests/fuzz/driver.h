/* SPDX-License-Identifier: BSD-3-Clause */
/* The fuzz harnesses: each defines LLVMFuzzerTestOneInput (libFuzzer's
 * entry point) and, for the built-in driver (driver.c) that make check
 * runs when libFuzzer is not used, its seeds and tokens. */
#ifndef NVMEOF_FUZZ_DRIVER_H
#define NVMEOF_FUZZ_DRIVER_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

struct fuzz_target {
  const char *name; /* "fuzz-uri" */
  const char *what; /* "URI/option/NQN parsers" */
  /* Copy seed i into buf (cap bytes) and return its length; 0 past the
   * last seed.  NULL: the seeds are the strings below. */
  size_t (*seed) (size_t i, uint8_t *buf, size_t cap);
  const char *const *seed_strings;
  size_t nr_seed_strings;
  /* Byte strings the mutator inserts. */
  const char *const *tokens;
  size_t nr_tokens;
};
extern const struct fuzz_target fuzz_target;

/* An invariant failed: one line naming the harness's file and line, then
 * abort (a crash, whose input libFuzzer keeps). */
#define FAILED(...) fuzz_failed (__FILE__, __LINE__, __VA_ARGS__)

static inline void fuzz_failed (const char *file, int line, const char *fmt,
                                ...)
  __attribute__((__noreturn__, __format__ (__printf__, 3, 4)));

static inline void
fuzz_failed (const char *file, int line, const char *fmt, ...)
{
  const char *base = strrchr (file, '/');
  va_list ap;

  fprintf (stderr, "%s:%d: invariant failed: ", base ? base + 1 : file, line);
  va_start (ap, fmt);
  vfprintf (stderr, fmt, ap);
  va_end (ap);
  fputc ('\n', stderr);
  abort ();
}

#endif
