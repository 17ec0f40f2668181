/* SPDX-License-Identifier: BSD-3-Clause */
/* One size parser for nvmeof-target and the nvmeof command. */
#include <config.h>

#include <errno.h>
#include <stdlib.h>

#include "parse-size.h"

int
parse_size (const char *s, uint64_t *out)
{
  char *end;
  unsigned long long n;
  unsigned shift = 0;

  /* strtoull would accept leading spaces and a minus sign. */
  if (*s < '0' || *s > '9')
    return -1;
  errno = 0;
  n = strtoull (s, &end, 10);
  if (errno != 0)
    return -1;
  switch (*end) {
  case '\0':
    break;
  case 'k':
  case 'K':
    shift = 10;
    break;
  case 'm':
  case 'M':
    shift = 20;
    break;
  case 'g':
  case 'G':
    shift = 30;
    break;
  case 't':
  case 'T':
    shift = 40;
    break;
  default:
    return -1;
  }
  if (shift) {
    end++;
    if (*end == 'i' || *end == 'I')
      end++;
    if (*end == 'b' || *end == 'B')
      end++;
  }
  if (*end != '\0' || (shift && n > (UINT64_MAX >> shift)))
    return -1;
  *out = (uint64_t) n << shift;
  return 0;
}
