/* SPDX-License-Identifier: BSD-3-Clause */
/* Sizes on command lines: "4096", "64k", "1G", "2MiB", "8KB". */
#ifndef NVMEOF_PARSE_SIZE_H
#define NVMEOF_PARSE_SIZE_H

#include <stdint.h>

/* Decimal digits, then an optional K, M, G or T (powers of 1024, either
 * case), optionally followed by "i" and/or "B".  Returns 0, or -1 if the
 * string is not such a size or overflows 64 bits; the callers check ranges
 * and word their own messages. */
int parse_size (const char *s, uint64_t *out);

#endif
