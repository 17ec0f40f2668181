/* SPDX-License-Identifier: BSD-3-Clause */
/* CRC32C (Castagnoli, reflected polynomial 0x82F63B78), as the NVMe/TCP
 * header and data digests use it.
 *
 * Three implementations, chosen once at run time:
 *   table   portable slicing-by-8 (tables built at first use)
 *   sse42   the SSE4.2 crc32 instruction, 8 bytes per step
 *   pclmul  three independent crc32 streams over thirds of a block (the
 *           instruction has a latency of 3 cycles but a throughput of 1, so
 *           one stream leaves the unit idle two thirds of the time), merged
 *           with a carry-less multiply by x^n mod P.
 * NVMEOF_CRC32C=table|sse42|pclmul in the environment forces one (tests and
 * benchmarks); a name that is unknown or unavailable here is ignored.
 *
 * All functions work on the raw state: callers start from CRC32C_INIT and
 * finish with crc32c_final (the XOR with 0xFFFFFFFF).
 */
#include <config.h>

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <endian.h>
#include <pthread.h>

#include "crc32c.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define CRC32C_X86 1
#include <immintrin.h>
#endif

#define POLY 0x82F63B78u /* reflected Castagnoli polynomial */

static uint32_t table[8][256];
static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static crc32c_fn chosen;
static const char *chosen_name;
static bool have_sse42, have_pclmul;

/* ---- Portable slicing-by-8 ------------------------------------------- */

static void
build_tables (void)
{
  uint32_t i, k, c;

  for (i = 0; i < 256; i++) {
    c = i;
    for (k = 0; k < 8; k++)
      c = (c >> 1) ^ ((c & 1) ? POLY : 0);
    table[0][i] = c;
  }
  /* table[k][i]: byte i followed by k zero bytes. */
  for (i = 0; i < 256; i++)
    for (k = 1; k < 8; k++)
      table[k][i] = (table[k - 1][i] >> 8) ^ table[0][table[k - 1][i] & 0xff];
}

static uint32_t
update_table (uint32_t crc, const void *buf, size_t len)
{
  const unsigned char *p = buf;

  while (len > 0 && ((uintptr_t) p & 7) != 0) {
    crc = (crc >> 8) ^ table[0][(crc ^ *p++) & 0xff];
    len--;
  }
  while (len >= 8) {
    uint64_t w;
    uint32_t lo, hi;

    memcpy (&w, p, 8);
    w = le64toh (w);
    lo = (uint32_t) w ^ crc;
    hi = (uint32_t) (w >> 32);
    crc = table[7][lo & 0xff] ^ table[6][(lo >> 8) & 0xff] ^
          table[5][(lo >> 16) & 0xff] ^ table[4][lo >> 24] ^
          table[3][hi & 0xff] ^ table[2][(hi >> 8) & 0xff] ^
          table[1][(hi >> 16) & 0xff] ^ table[0][hi >> 24];
    p += 8;
    len -= 8;
  }
  while (len > 0) {
    crc = (crc >> 8) ^ table[0][(crc ^ *p++) & 0xff];
    len--;
  }
  return crc;
}

#ifdef CRC32C_X86
/* ---- SSE4.2 ----------------------------------------------------------- */

__attribute__((target ("sse4.2"))) static uint32_t
update_sse42 (uint32_t crc, const void *buf, size_t len)
{
  const unsigned char *p = buf;
  uint64_t c = crc;

  while (len > 0 && ((uintptr_t) p & 7) != 0) {
    c = _mm_crc32_u8 ((uint32_t) c, *p++);
    len--;
  }
  while (len >= 8) {
    uint64_t w;

    memcpy (&w, p, 8);
    c = _mm_crc32_u64 (c, w);
    p += 8;
    len -= 8;
  }
  while (len > 0) {
    c = _mm_crc32_u8 ((uint32_t) c, *p++);
    len--;
  }
  return (uint32_t) c;
}

/* ---- Three streams + PCLMULQDQ ---------------------------------------
 *
 * Reflected arithmetic: a 32-bit state s stands for a polynomial whose
 * bit i is the coefficient of x^(31-i).  Running the CRC over n zero bytes
 * multiplies the state by x^(8n) mod P.  A carry-less product of two such
 * 32-bit values, read as a 64-bit reflected value, is a*b*x; feeding 64
 * bits v to crc32 from state 0 gives v*x^32 mod P.  So
 *   crc32_u64 (0, clmul (s, K)) = s * K * x^33 mod P,
 * and K = x^(8n-33) mod P advances s over n bytes.
 */

/* Bytes per stream in one block: long blocks for big buffers, short ones
 * for what is left.  Multiples of 8. */
#define LONG_LEN  4096
#define SHORT_LEN 256

static uint64_t k_long1, k_long2; /* shift by LONG_LEN, 2*LONG_LEN bytes */
static uint64_t k_short1, k_short2;

/* x^m mod P, reflected. */
static uint32_t
xpow_mod (unsigned m)
{
  uint32_t v = 0x80000000u; /* x^0 */

  while (m-- > 0)
    v = (v >> 1) ^ ((v & 1) ? POLY : 0);
  return v;
}

static void
build_pclmul_constants (void)
{
  k_long1 = xpow_mod (8 * LONG_LEN - 33);
  k_long2 = xpow_mod (8 * 2 * LONG_LEN - 33);
  k_short1 = xpow_mod (8 * SHORT_LEN - 33);
  k_short2 = xpow_mod (8 * 2 * SHORT_LEN - 33);
}

__attribute__((target ("sse4.2,pclmul"))) static inline uint64_t
clmul (uint64_t a, uint64_t b)
{
  __m128i r = _mm_clmulepi64_si128 (_mm_cvtsi64_si128 ((long long) a),
                                    _mm_cvtsi64_si128 ((long long) b), 0x00);
  return (uint64_t) _mm_cvtsi128_si64 (r);
}

/* One block of 3*n bytes (n a multiple of 8) starting at p. */
__attribute__((target ("sse4.2,pclmul"))) static inline uint64_t
block3 (uint64_t c, const unsigned char *p, size_t n, uint64_t k1, uint64_t k2)
{
  uint64_t a = c, b = 0, d = 0, w0, w1, w2;
  const unsigned char *pb = p + n, *pd = p + 2 * n;
  size_t i;

  for (i = 0; i < n; i += 8) {
    memcpy (&w0, p + i, 8);
    memcpy (&w1, pb + i, 8);
    memcpy (&w2, pd + i, 8);
    a = _mm_crc32_u64 (a, w0);
    b = _mm_crc32_u64 (b, w1);
    d = _mm_crc32_u64 (d, w2);
  }
  /* a moves over 2n bytes, b over n bytes; both reduced by one crc32. */
  return _mm_crc32_u64 (0, clmul (a, k2) ^ clmul (b, k1)) ^ d;
}

__attribute__((target ("sse4.2,pclmul"))) static uint32_t
update_pclmul (uint32_t crc, const void *buf, size_t len)
{
  const unsigned char *p = buf;
  uint64_t c = crc;

  if (len < 3 * SHORT_LEN)
    return update_sse42 (crc, buf, len);

  while (len > 0 && ((uintptr_t) p & 7) != 0) {
    c = _mm_crc32_u8 ((uint32_t) c, *p++);
    len--;
  }
  while (len >= 3 * LONG_LEN) {
    c = block3 (c, p, LONG_LEN, k_long1, k_long2);
    p += 3 * LONG_LEN;
    len -= 3 * LONG_LEN;
  }
  while (len >= 3 * SHORT_LEN) {
    c = block3 (c, p, SHORT_LEN, k_short1, k_short2);
    p += 3 * SHORT_LEN;
    len -= 3 * SHORT_LEN;
  }
  return update_sse42 ((uint32_t) c, p, len);
}
#endif /* CRC32C_X86 */

/* ---- Selection --------------------------------------------------------- */

static void
init (void)
{
  const char *env;

  build_tables ();
  chosen = update_table;
  chosen_name = "table";

#ifdef CRC32C_X86
  __builtin_cpu_init ();
  have_sse42 = __builtin_cpu_supports ("sse4.2");
  have_pclmul = have_sse42 && __builtin_cpu_supports ("pclmul");
  if (have_pclmul)
    build_pclmul_constants ();
  if (have_pclmul) {
    chosen = update_pclmul;
    chosen_name = "pclmul";
  }
  else if (have_sse42) {
    chosen = update_sse42;
    chosen_name = "sse42";
  }
#endif

  env = getenv ("NVMEOF_CRC32C");
  if (env) {
    if (strcmp (env, "table") == 0) {
      chosen = update_table;
      chosen_name = "table";
    }
#ifdef CRC32C_X86
    else if (strcmp (env, "sse42") == 0 && have_sse42) {
      chosen = update_sse42;
      chosen_name = "sse42";
    }
    else if (strcmp (env, "pclmul") == 0 && have_pclmul) {
      chosen = update_pclmul;
      chosen_name = "pclmul";
    }
#endif
  }
}

uint32_t
crc32c_update (uint32_t state, const void *buf, size_t len)
{
  pthread_once (&init_once, init);
  return chosen (state, buf, len);
}

uint32_t
crc32c_update_table (uint32_t state, const void *buf, size_t len)
{
  pthread_once (&init_once, init);
  return update_table (state, buf, len);
}

crc32c_fn
crc32c_impl (const char *name)
{
  pthread_once (&init_once, init);
  if (name == NULL)
    return NULL;
  if (strcmp (name, "table") == 0)
    return update_table;
#ifdef CRC32C_X86
  if (strcmp (name, "sse42") == 0 && have_sse42)
    return update_sse42;
  if (strcmp (name, "pclmul") == 0 && have_pclmul)
    return update_pclmul;
#endif
  return NULL;
}

const char *
crc32c_impl_name (void)
{
  pthread_once (&init_once, init);
  return chosen_name;
}
