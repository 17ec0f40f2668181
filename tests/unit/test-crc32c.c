/* SPDX-License-Identifier: BSD-3-Clause */
/* CRC32C: known vectors (RFC 3720 B.4, the "123456789" check value), every
 * available implementation against the portable table over many lengths,
 * alignments and split points, and throughput on 1 MiB buffers. */
#include <config.h>

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crc32c.h"
#include "check.h"

static const char *impl_names[] = { "table", "sse42", "pclmul" };
#define NR_IMPLS (sizeof impl_names / sizeof impl_names[0])

/* xorshift64*: reproducible random data without touching rand() state. */
static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static uint64_t
rng (void)
{
  rng_state ^= rng_state >> 12;
  rng_state ^= rng_state << 25;
  rng_state ^= rng_state >> 27;
  return rng_state * 0x2545F4914F6CDD1Dull;
}

static void
fill_random (unsigned char *p, size_t n)
{
  size_t i;

  for (i = 0; i < n; i++)
    p[i] = (unsigned char) (rng () >> 56);
}

static uint32_t
digest (crc32c_fn fn, const void *buf, size_t len)
{
  return crc32c_final (fn (CRC32C_INIT, buf, len));
}

static void
test_vectors (void)
{
  /* RFC 3720 appendix B.4: 48-byte iSCSI SCSI Read (10) command PDU. */
  static const unsigned char iscsi_read[48] = {
    0x01, 0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00,
    0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x18, 0x28, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
  };
  unsigned char zeros[32], ones[32], inc[32], dec[32];
  size_t i, k;

  memset (zeros, 0, sizeof zeros);
  memset (ones, 0xff, sizeof ones);
  for (i = 0; i < 32; i++) {
    inc[i] = (unsigned char) i;
    dec[i] = (unsigned char) (31 - i);
  }

  for (k = 0; k < NR_IMPLS; k++) {
    crc32c_fn fn = crc32c_impl (impl_names[k]);

    if (fn == NULL) {
      printf ("vectors: %s not available on this CPU\n", impl_names[k]);
      continue;
    }
    printf ("vectors: RFC 3720 B.4 and \"123456789\" with %s\n", impl_names[k]);
    CHECK (digest (fn, zeros, 32) == 0x8A9136AA, "%s: 32 zeros: %08x",
           impl_names[k], digest (fn, zeros, 32));
    CHECK (digest (fn, ones, 32) == 0x62A8AB43, "%s: 32 0xff: %08x",
           impl_names[k], digest (fn, ones, 32));
    CHECK (digest (fn, inc, 32) == 0x46DD794E, "%s: incrementing: %08x",
           impl_names[k], digest (fn, inc, 32));
    CHECK (digest (fn, dec, 32) == 0x113FDB5C, "%s: decrementing: %08x",
           impl_names[k], digest (fn, dec, 32));
    CHECK (digest (fn, iscsi_read, 48) == 0xD9963A56,
           "%s: iSCSI read PDU: %08x", impl_names[k],
           digest (fn, iscsi_read, 48));
    CHECK (digest (fn, "123456789", 9) == 0xE3069283, "%s: 123456789: %08x",
           impl_names[k], digest (fn, "123456789", 9));
    CHECK (digest (fn, "", 0) == 0, "%s: empty", impl_names[k]);
  }

  printf ("vectors: crc32c() (chosen: %s)\n", crc32c_impl_name ());
  CHECK (crc32c ("123456789", 9) == 0xE3069283, "crc32c(): %08x",
         crc32c ("123456789", 9));
  CHECK (crc32c (iscsi_read, 48) == 0xD9963A56, "crc32c() iSCSI");
  CHECK (crc32c_impl ("nonsense") == NULL, "unknown implementation name");
  CHECK (crc32c_impl (NULL) == NULL, "NULL implementation name");
}

/* Every implementation equals the table over lengths 0..4096 at every
 * alignment 0..15 (stepping lengths above 600 to keep this short), some
 * large lengths, and random split points with a non-initial state. */
static void
test_cross (void)
{
  const size_t bufsize = 3 * 1024 * 1024 + 64;
  unsigned char *buf = malloc (bufsize);
  size_t k, len, align, i;
  static const size_t large[] = {
    767,       768,         769,
    770,       775,         776,
    1536,      2303,        2304,
    2305,      12287,       12288,
    12289,     12288 + 768, 12288 + 767,
    24576 + 5, 65536,       100003,
    1048576,   1048576 + 7, 3 * 1024 * 1024,
  };

  if (buf == NULL) {
    CHECK (false, "malloc");
    return;
  }
  fill_random (buf, bufsize);

  for (k = 1; k < NR_IMPLS; k++) {
    crc32c_fn fn = crc32c_impl (impl_names[k]);
    unsigned n = 0;

    if (fn == NULL)
      continue;
    printf ("cross-check: %s vs table, lengths 0..4096, alignments 0..15\n",
            impl_names[k]);
    for (len = 0; len <= 4096; len += (len < 600 ? 1 : 37)) {
      for (align = 0; align < 16; align++) {
        uint32_t seed = (uint32_t) rng ();
        uint32_t want = crc32c_update_table (seed, buf + align, len);
        uint32_t got = fn (seed, buf + align, len);

        CHECK (got == want, "%s len %zu align %zu: %08x != %08x", impl_names[k],
               len, align, got, want);
        n++;
      }
    }
    printf ("cross-check: %s vs table, large lengths\n", impl_names[k]);
    for (i = 0; i < sizeof large / sizeof large[0]; i++) {
      for (align = 0; align < 16; align += 5) {
        uint32_t want, got;

        if (large[i] + align > bufsize)
          continue;
        want = crc32c_update_table (CRC32C_INIT, buf + align, large[i]);
        got = fn (CRC32C_INIT, buf + align, large[i]);
        CHECK (got == want, "%s large len %zu align %zu: %08x != %08x",
               impl_names[k], large[i], align, got, want);
        n++;
      }
    }
    printf ("cross-check: %s incremental updates at random split points\n",
            impl_names[k]);
    for (i = 0; i < 300; i++) {
      size_t total = (size_t) (rng () % 50000);
      size_t off = (size_t) (rng () % 16);
      size_t split1 = total ? (size_t) (rng () % (total + 1)) : 0;
      size_t split2 = split1 + (size_t) (rng () % (total - split1 + 1));
      uint32_t want = crc32c_update_table (CRC32C_INIT, buf + off, total);
      uint32_t st = CRC32C_INIT;

      st = fn (st, buf + off, split1);
      st = fn (st, buf + off + split1, split2 - split1);
      st = fn (st, buf + off + split2, total - split2);
      CHECK (st == want, "%s split %zu/%zu/%zu: %08x != %08x", impl_names[k],
             split1, split2, total, st, want);
      n++;
    }
    printf ("cross-check: %s: %u comparisons\n", impl_names[k], n);
  }

  /* The table against itself split at every point of a short buffer. */
  printf ("cross-check: table split at every point of 100 bytes\n");
  for (i = 0; i <= 100; i++) {
    uint32_t st = crc32c_update_table (CRC32C_INIT, buf, i);

    st = crc32c_update_table (st, buf + i, 100 - i);
    CHECK (st == crc32c_update_table (CRC32C_INIT, buf, 100),
           "table split at %zu", i);
  }
  free (buf);
}

static double
now (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (double) ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Not a pass/fail check: print GB/s of each implementation on 1 MiB. */
static void
test_throughput (void)
{
  const size_t len = 1024 * 1024;
  unsigned char *buf = malloc (len);
  size_t k;
  volatile uint32_t sink = 0;

  if (buf == NULL)
    return;
  fill_random (buf, len);
  for (k = 0; k < NR_IMPLS; k++) {
    crc32c_fn fn = crc32c_impl (impl_names[k]);
    double start, elapsed;
    unsigned iters = 0;

    if (fn == NULL)
      continue;
    sink ^= fn (CRC32C_INIT, buf, len); /* warm up */
    start = now ();
    do {
      sink ^= fn (CRC32C_INIT, buf, len);
      iters++;
      elapsed = now () - start;
    } while (elapsed < 0.2);
    printf ("throughput: %s: %.2f GB/s (1 MiB buffers)\n", impl_names[k],
            (double) iters * len / elapsed / 1e9);
  }
  (void) sink;
  free (buf);
}

int
main (void)
{
  test_vectors ();
  test_cross ();
  test_throughput ();
  if (failures) {
    fprintf (stderr, "test-crc32c: %d failures\n", failures);
    return 1;
  }
  printf ("test-crc32c: all checks passed\n");
  return 0;
}
