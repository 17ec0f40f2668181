/* SPDX-License-Identifier: BSD-3-Clause */
/* CRC32C (Castagnoli), as NVMe/TCP header and data digests use it. */
#ifndef NVMEOF_CRC32C_H
#define NVMEOF_CRC32C_H

#include <stddef.h>
#include <stdint.h>

#define CRC32C_INIT 0xFFFFFFFFu

/* Running state: start with CRC32C_INIT, finish with crc32c_final. */
uint32_t crc32c_update (uint32_t state, const void *buf, size_t len);
static inline uint32_t
crc32c_final (uint32_t state)
{
  return state ^ 0xFFFFFFFFu;
}
/* One-shot digest of a buffer (the value put on the wire, little-endian). */
static inline uint32_t
crc32c (const void *buf, size_t len)
{
  return crc32c_final (crc32c_update (CRC32C_INIT, buf, len));
}

/* The implementations, for tests and benchmarks; crc32c_update picks the
 * best at run time.  Unavailable ones return NULL from crc32c_impl. */
typedef uint32_t (*crc32c_fn) (uint32_t state, const void *buf, size_t len);
uint32_t crc32c_update_table (uint32_t state, const void *buf, size_t len);
crc32c_fn crc32c_impl (const char *name); /* "table", "sse42", "pclmul" */
const char *crc32c_impl_name (void);      /* the one chosen */

#endif
