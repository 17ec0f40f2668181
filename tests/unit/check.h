/* SPDX-License-Identifier: BSD-3-Clause */
/* The unit tests' one assertion.  CHECK counts every check and, when one
 * fails, prints "FAIL: file:line: message" and counts the failure; a test's
 * main returns failures ? 1 : 0. */
#ifndef NVMEOF_TEST_CHECK_H
#define NVMEOF_TEST_CHECK_H

#include <stdio.h>

static int failures __attribute__((__unused__));
static int checks __attribute__((__unused__));

#define CHECK(cond, ...) \
  do { \
    checks++; \
    if (!(cond)) { \
      fprintf (stderr, "FAIL: %s:%d: ", __FILE__, __LINE__); \
      fprintf (stderr, __VA_ARGS__); \
      fputc ('\n', stderr); \
      failures++; \
    } \
  } while (0)

#endif
