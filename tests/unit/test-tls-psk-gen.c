/* SPDX-License-Identifier: BSD-3-Clause */
/* The generated PSK of secure channel concatenation and what follows from
 * it (initiator/tls-psk-gen.c).  Where each expected value comes from:
 *   - Linux's kunit vectors (drivers/nvme/common/tests/auth_kunit.c): the
 *     generated PSK for SHA-256, SHA-384 and SHA-512, the digest and the TLS
 *     PSK for SHA-256 and SHA-384, from a session key skey[i] = 'A' + i,
 *     C1[i] = i and C2[i] = 0xff - i, host "hostnqn", subsystem
 *     "subsysnqn".
 *   - A 256-byte session key with a leading zero (an ffdhe2048 value's
 *     length, longer than HMAC's block) and the NVMe/TCP specification's
 *     NQNs: no published vector, so tests/unit/tls-psk-gen-vectors.py
 *     computes them from the definitions, after checking itself against
 *     Linux's vectors above (run it to see the arrays below). */
#include <config.h>

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "dhchap.h"
#include "tls-psk.h"
#include "check.h"

/* ---- Linux drivers/nvme/common/tests/auth_kunit.c ------------------------ */
static const uint8_t kunit_psk_256[32] = {
  0x17, 0x33, 0xc5, 0x9f, 0xa7, 0xf4, 0x8f, 0xcf, 0x37, 0xf5, 0xf2,
  0x6f, 0xc4, 0xff, 0x02, 0x68, 0xad, 0x4f, 0x78, 0xe0, 0x30, 0xf4,
  0xf3, 0xb0, 0xbf, 0xd1, 0xd4, 0x7e, 0x7b, 0xb1, 0x44, 0x7a,
};
static const uint8_t kunit_tls_256[32] = {
  0x3c, 0x17, 0xda, 0x62, 0x84, 0x74, 0xa0, 0x4d, 0x22, 0x47, 0xc4,
  0xca, 0xb4, 0x79, 0x68, 0xc9, 0x15, 0x38, 0x81, 0x93, 0xf7, 0xc0,
  0x71, 0xbd, 0x94, 0x89, 0xcc, 0x36, 0x66, 0xcd, 0x7c, 0xc8,
};
static const uint8_t kunit_psk_384[48] = {
  0xf1, 0x4b, 0x2d, 0xd3, 0x23, 0x4c, 0x45, 0x96, 0x94, 0xd3, 0xbc, 0x63,
  0xf8, 0x96, 0x8b, 0xd6, 0xb3, 0x7c, 0x2c, 0x6d, 0xe8, 0x49, 0xe2, 0x2e,
  0x11, 0x87, 0x49, 0x00, 0x1c, 0xe4, 0xbb, 0xe8, 0x64, 0x0b, 0x9e, 0x3a,
  0x74, 0x8c, 0xb1, 0x1c, 0xe4, 0xb1, 0xd7, 0x1d, 0x35, 0x9c, 0xce, 0x39,
};
static const uint8_t kunit_tls_384[48] = {
  0x27, 0x74, 0x75, 0x32, 0x33, 0x53, 0x7b, 0x3f, 0xa5, 0x0e, 0xb7, 0xd1,
  0x6a, 0x8e, 0x43, 0x45, 0x7d, 0x85, 0xf4, 0x90, 0x6c, 0x00, 0x5b, 0x22,
  0x36, 0x61, 0x6c, 0x5d, 0x80, 0x93, 0x9d, 0x08, 0x98, 0xff, 0xf1, 0x5b,
  0xb8, 0xb7, 0x71, 0x19, 0xd2, 0xbe, 0x0a, 0xac, 0x42, 0x3e, 0x75, 0x90,
};
static const uint8_t kunit_psk_512[64] = {
  0x9c, 0x9f, 0x08, 0x9a, 0x61, 0x8b, 0x47, 0xd2, 0xd7, 0x5f, 0x4b, 0x6c, 0x28,
  0x07, 0x04, 0x24, 0x48, 0x7b, 0x44, 0x5d, 0xd9, 0x6e, 0x70, 0xc4, 0xc0, 0x9b,
  0x55, 0xe8, 0xb6, 0x00, 0x01, 0x52, 0xa3, 0x36, 0x3c, 0x34, 0x54, 0x04, 0x3f,
  0x38, 0xf0, 0xb8, 0x50, 0x36, 0xde, 0xd4, 0x06, 0x55, 0x35, 0x0a, 0xa8, 0x7b,
  0x8b, 0x6a, 0x28, 0x2b, 0x5c, 0x1a, 0xca, 0xe1, 0x62, 0x33, 0xdd, 0x5b,
};
#define KUNIT_DIG_256 "OldoKuTfKddMuyCznAZojkWD7P4D9/AtzDzLimtOxqI="
#define KUNIT_DIG_384 \
  "cffMWk8TSS7HOQebjgYEIkrPrjWPV4JE5cdPB8WhEvY4JBW5YynKyv66XscN4A9n"

/* ---- From tests/unit/tls-psk-gen-vectors.py ------------------------------ */
static const uint8_t gen_1[32] = {
  0x71, 0xa1, 0x9b, 0xc9, 0x9e, 0x87, 0x7f, 0x9c, 0xd9, 0x3b, 0x70,
  0x25, 0x7d, 0xb4, 0x53, 0x57, 0xb5, 0x61, 0x96, 0xb9, 0x5a, 0xf5,
  0x6f, 0xa3, 0x73, 0xcd, 0xe6, 0x20, 0xe3, 0x5e, 0x13, 0xd8,
};
static const uint8_t tls_1[32] = {
  0x48, 0x1d, 0x50, 0xbb, 0x75, 0xbc, 0xa5, 0x4f, 0xe4, 0x05, 0x9f,
  0x98, 0x57, 0x0f, 0x49, 0xee, 0xa1, 0x66, 0x73, 0x76, 0xc8, 0x96,
  0x58, 0xe9, 0x96, 0x0f, 0xaa, 0x01, 0x74, 0xdf, 0x05, 0x6b,
};
#define GEN_ID_1 \
  "NVMe1G01 " \
  "nqn.2014-08.org.nvmexpress:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6 " \
  "nqn.2014-08.org.nvmexpress:uuid:36ebf5a9-1df9-47b3-a6d0-e9ba32e428a2 " \
  "n4avJ6Pprfjf4xoOhA6PcQm4yjIzcTL/orz7L68vu1Q="
static const uint8_t gen_2[48] = {
  0x09, 0x03, 0xcc, 0x8c, 0x69, 0x1d, 0xc2, 0x13, 0x1c, 0x6f, 0xfb, 0x1a,
  0xa8, 0x0f, 0x6d, 0x28, 0x7a, 0x2d, 0xc0, 0x53, 0xf1, 0x69, 0x4a, 0x25,
  0xa1, 0xb0, 0x46, 0x54, 0x06, 0x79, 0xc1, 0xd3, 0xeb, 0x95, 0x42, 0x0d,
  0xcd, 0xc4, 0xc5, 0xce, 0x82, 0x6e, 0xed, 0x0e, 0x35, 0x3e, 0xb6, 0x01,
};
static const uint8_t tls_2[48] = {
  0x71, 0xc6, 0xe6, 0x38, 0xd4, 0x3c, 0x3a, 0xc5, 0x30, 0x4e, 0x48, 0xba,
  0x68, 0xf6, 0x9a, 0xdd, 0x2b, 0x2f, 0x27, 0xf4, 0x7b, 0x9d, 0xe0, 0xfb,
  0x69, 0x03, 0x19, 0x51, 0x36, 0xd8, 0xdb, 0x1e, 0x7d, 0x79, 0xaa, 0xe0,
  0xd1, 0x4e, 0x1a, 0x76, 0x3e, 0x32, 0x98, 0x65, 0xf7, 0x52, 0x6e, 0xa6,
};
#define GEN_ID_2 \
  "NVMe1G02 " \
  "nqn.2014-08.org.nvmexpress:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6 " \
  "nqn.2014-08.org.nvmexpress:uuid:36ebf5a9-1df9-47b3-a6d0-e9ba32e428a2 " \
  "cqeRHhtrDvmuwQNrLiJvR5UQ4W25ZO21AZmMSbXwOjcldSY266+CEEBlCTi6I3sb"

#define SPEC_HOST \
  "nqn.2014-08.org.nvmexpress:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6"
#define SPEC_SUB \
  "nqn.2014-08.org.nvmexpress:uuid:36ebf5a9-1df9-47b3-a6d0-e9ba32e428a2"

static bool
all_zero (const void *p, size_t len)
{
  const uint8_t *b = p;
  size_t i;

  for (i = 0; i < len; i++)
    if (b[i])
      return false;
  return true;
}

/* Linux's inputs for hash h: skey, C1, C2 of the hash's length. */
static void
kunit_inputs (uint8_t h, uint8_t *ks, uint8_t *c1, uint8_t *c2)
{
  size_t i, n = dhchap_hash_len (h);

  for (i = 0; i < n; i++) {
    ks[i] = (uint8_t) ('A' + i);
    c1[i] = (uint8_t) i;
    c2[i] = (uint8_t) (0xff - i);
  }
}

static void
test_kunit (void)
{
  static const struct {
    uint8_t h;
    const uint8_t *psk, *tls;
    const char *dig;
  } v[] = {
    { 1, kunit_psk_256, kunit_tls_256, KUNIT_DIG_256 },
    { 2, kunit_psk_384, kunit_tls_384, KUNIT_DIG_384 },
    { 3, kunit_psk_512, NULL, NULL },
  };
  uint8_t ks[64], c1[64], c2[64], gen[DHCHAP_HASH_MAX];
  char err[256], id[200];
  struct tls_psk p;
  size_t i, n, len = 0;

  for (i = 0; i < sizeof v / sizeof v[0]; i++) {
    n = dhchap_hash_len (v[i].h);
    kunit_inputs (v[i].h, ks, c1, c2);
    CHECK (tls_psk_concat_generate (v[i].h, ks, n, c1, c2, gen, &len, err,
                                    sizeof err) == 0 &&
             len == n && memcmp (gen, v[i].psk, n) == 0,
           "kunit generated PSK, hash %u: %s", v[i].h, err);
    if (v[i].tls == NULL) {
      /* SHA-512: a generated PSK, but no TLS cipher suite for it. */
      memset (&p, 0xa5, sizeof p);
      CHECK (tls_psk_concat_derive (v[i].h, gen, len, "hostnqn", "subsysnqn",
                                    &p, err, sizeof err) == -1 &&
               strstr (err, "hmac(sha512) gives no TLS PSK") != NULL,
             "SHA-512 derived: %s", err);
      CHECK (all_zero (&p, sizeof p), "SHA-512: bytes left");
      continue;
    }
    CHECK (tls_psk_concat_derive (v[i].h, gen, len, "hostnqn", "subsysnqn", &p,
                                  err, sizeof err) == 0,
           "kunit derive, hash %u: %s", v[i].h, err);
    snprintf (id, sizeof id, "NVMe1G%02u hostnqn subsysnqn %s", v[i].h,
              v[i].dig);
    CHECK (strcmp (p.identity, id) == 0, "kunit identity %u: %s", v[i].h,
           p.identity);
    CHECK (p.hmac == v[i].h && p.len == n && memcmp (p.key, v[i].tls, n) == 0,
           "kunit TLS PSK, hash %u", v[i].h);
  }
}

static void
test_long_session_key (void)
{
  static const struct {
    uint8_t h;
    const uint8_t *gen, *tls;
    const char *id;
  } v[] = {
    { 1, gen_1, tls_1, GEN_ID_1 },
    { 2, gen_2, tls_2, GEN_ID_2 },
  };
  uint8_t ks[256], c1[48], c2[48], gen[DHCHAP_HASH_MAX];
  struct tls_psk_identity id;
  struct tls_psk p;
  char err[256];
  size_t i, j, n, len = 0;

  ks[0] = 0;
  for (j = 1; j < sizeof ks; j++)
    ks[j] = (uint8_t) (j * 7 + 3);
  for (i = 0; i < sizeof v / sizeof v[0]; i++) {
    n = dhchap_hash_len (v[i].h);
    for (j = 0; j < n; j++) {
      c1[j] = (uint8_t) (0x30 + j);
      c2[j] = (uint8_t) (0xc0 ^ j);
    }
    CHECK (tls_psk_concat_generate (v[i].h, ks, sizeof ks, c1, c2, gen, &len,
                                    err, sizeof err) == 0 &&
             len == n && memcmp (gen, v[i].gen, n) == 0,
           "256-byte KS, hash %u: %s", v[i].h, err);
    CHECK (tls_psk_concat_derive (v[i].h, gen, len, SPEC_HOST, SPEC_SUB, &p,
                                  err, sizeof err) == 0 &&
             strcmp (p.identity, v[i].id) == 0 && p.len == n &&
             memcmp (p.key, v[i].tls, n) == 0,
           "256-byte KS derived, hash %u: %s", v[i].h, err);
    /* The identity parses back as a generated PSK's. */
    CHECK (tls_psk_identity_parse (p.identity, &id, err, sizeof err) == 0 &&
             id.generated && id.version == 1 && id.hmac == v[i].h &&
             strcmp (id.hostnqn, SPEC_HOST) == 0 &&
             strcmp (id.subnqn, SPEC_SUB) == 0 &&
             strcmp (id.digest, strrchr (v[i].id, ' ') + 1) == 0,
           "parse %s: %s", p.identity, err);
  }
  /* A retained PSK's identity is not a generated one's. */
  CHECK (tls_psk_identity_parse ("NVMe0R01 " SPEC_HOST " " SPEC_SUB, &id, err,
                                 sizeof err) == 0 &&
           !id.generated,
         "R is not generated");
}

static void
test_refusals (void)
{
  uint8_t ks[32] = { 1 }, c[32] = { 2 }, gen[DHCHAP_HASH_MAX];
  struct tls_psk_identity id;
  struct tls_psk p;
  char err[256];
  size_t len;

  CHECK (tls_psk_concat_generate (1, NULL, 0, c, c, gen, &len, err,
                                  sizeof err) == -1 &&
           strstr (err, "null DH group") != NULL,
         "no session key: %s", err);
  CHECK (tls_psk_concat_generate (4, ks, sizeof ks, c, c, gen, &len, err,
                                  sizeof err) == -1 &&
           strstr (err, "unknown hash") != NULL,
         "hash 4: %s", err);
  CHECK (tls_psk_concat_generate (1, ks, sizeof ks, NULL, c, gen, &len, err,
                                  sizeof err) == -1,
         "no C1");
  CHECK (tls_psk_concat_derive (1, ks, 31, "h", "s", &p, err, sizeof err) ==
             -1 &&
           all_zero (&p, sizeof p),
         "31 bytes with SHA-256: %s", err);
  CHECK (tls_psk_concat_derive (1, ks, 32, "h", "a b", &p, err, sizeof err) ==
             -1 &&
           strstr (err, "space") != NULL,
         "a space in an NQN: %s", err);
  /* A generated PSK is named with a digest: "NVMe0G" names none. */
  CHECK (tls_psk_identity_parse ("NVMe0G01 " SPEC_HOST " " SPEC_SUB, &id, err,
                                 sizeof err) == -1 &&
           strstr (err, "version 1") != NULL,
         "NVMe0G: %s", err);
  CHECK (tls_psk_identity_parse ("NVMe1G01 " SPEC_HOST " " SPEC_SUB, &id, err,
                                 sizeof err) == -1 &&
           strstr (err, "has no digest") != NULL,
         "NVMe1G without a digest: %s", err);
  CHECK (tls_psk_identity_parse ("NVMe1G02 hostnqn subsysnqn " KUNIT_DIG_256,
                                 &id, err, sizeof err) == -1 &&
           strstr (err, "not 64 characters") != NULL,
         "SHA-384 identity with a SHA-256 digest: %s", err);
}

int
main (void)
{
  test_kunit ();
  test_long_session_key ();
  test_refusals ();
  printf ("test-tls-psk-gen: %d checks, %d failures\n", checks, failures);
  return failures ? 1 : 0;
}
