/* SPDX-License-Identifier: BSD-3-Clause */
/* DH-HMAC-CHAP cryptography (initiator/dhchap*.c).  Where each expected
 * value comes from:
 *   - HMAC: RFC 4231 test cases 1, 2 and 6 (SHA-256/384/512).
 *   - The key text form: the example secret of the NVMe Base specification
 *     (8.13.5.8), "DHHC-1:00:ia6zGodOr4SEG0Zzaw398rpY0wqipUWj4jWjUh4HWUz6aQ2n:",
 *     as quoted in Linux commit "nvme-auth: allow mixing of secret and hash
 *     lengths" (which also makes it valid with hh 01, 02 and 03).
 *   - Transform, augmented challenge, responses, and the texts of 48- and
 *     64-byte keys and of refused lengths: no published vector exists, so
 *     tests/unit/dhchap-vectors.py computes them from the definitions with
 *     Python's hmac/hashlib/base64/zlib (run it to see the arrays below).
 *   - DH: agreement between two pairs for every group, and against g^xy
 *     computed here with BIGNUM arithmetic (a peer value of 4^j makes the
 *     shared secret our public value to the power 2j, mod p). */
#include <config.h>

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>

#include "dhchap.h"
#include "nvmf-wire.h"
#include "check.h"

#define HOSTNQN \
  "nqn.2014-08.org.nvmexpress:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6"
#define SUBNQN "nqn.2014-08.com.example:nvme:sub1"

#define SPEC_TEXT "DHHC-1:00:ia6zGodOr4SEG0Zzaw398rpY0wqipUWj4jWjUh4HWUz6aQ2n:"
static const uint8_t spec_key[32] = {
  0x89, 0xae, 0xb3, 0x1a, 0x87, 0x4e, 0xaf, 0x84, 0x84, 0x1b, 0x46,
  0x73, 0x6b, 0x0d, 0xfd, 0xf2, 0xba, 0x58, 0xd3, 0x0a, 0xa2, 0xa5,
  0x45, 0xa3, 0xe2, 0x35, 0xa3, 0x52, 0x1e, 0x07, 0x59, 0x4c,
};

/* ---- From tests/unit/dhchap-vectors.py ---------------------------------- */
#define KEY48_TEXT \
  "DHHC-1:02:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKiss" \
  "LS4vcSEgBQ==:"
#define KEY64_TEXT \
  "DHHC-1:03:QEFCQ0RFRkdISUpLTE1OT1BRUlNUVVZXWFlaW1xdXl9gYWJjZGVmZ2hpamts" \
  "bW5vcHFyc3R1dnd4eXp7fH1+fx/Gj1o=:"
#define LEN31_TEXT "DHHC-1:00:AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eH5eHJeE=:"
#define LEN33_TEXT \
  "DHHC-1:00:AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyAheM3o1Q==:"

static const uint8_t xform_spec_01[32] = {
  0xb9, 0xe2, 0x1c, 0x83, 0x3b, 0xa5, 0xdb, 0xb6, 0x0d, 0xdf, 0x4c,
  0x29, 0xb1, 0x95, 0xac, 0x23, 0x2c, 0xd8, 0x93, 0x02, 0x64, 0x6b,
  0xfd, 0xb8, 0x48, 0xbc, 0x5b, 0x73, 0x2c, 0x93, 0xce, 0xe5,
};
static const uint8_t xform_spec_03[64] = {
  0xb6, 0x27, 0xb6, 0xd2, 0x27, 0x36, 0x7c, 0xf5, 0xf0, 0x79, 0x07, 0xf5, 0x93,
  0x99, 0x3b, 0x24, 0xbf, 0xae, 0xb8, 0x0d, 0x6b, 0xda, 0xf4, 0x3d, 0xe8, 0xe3,
  0x15, 0xc9, 0xf6, 0xfb, 0x59, 0x55, 0x53, 0x8b, 0x88, 0xed, 0xc8, 0x9c, 0x59,
  0x73, 0x04, 0x1a, 0x9d, 0x2f, 0x2a, 0xb2, 0x51, 0xdb, 0xf1, 0xf1, 0x09, 0x09,
  0x7f, 0xce, 0x17, 0x6c, 0xf4, 0x8b, 0xff, 0xfa, 0xc7, 0x5f, 0xdc, 0xb5,
};
static const uint8_t xform_48_02_sub[48] = {
  0xe2, 0x3f, 0xe5, 0x34, 0xd4, 0x95, 0x71, 0xca, 0xa4, 0x35, 0x34, 0xcf,
  0x15, 0x1a, 0x04, 0xe4, 0xc1, 0x32, 0x79, 0x36, 0x7d, 0x8e, 0xef, 0xa8,
  0x1a, 0xa2, 0x27, 0x0e, 0x21, 0x0e, 0xcb, 0x52, 0xc1, 0x51, 0x40, 0xd0,
  0x8c, 0x8c, 0x24, 0xa6, 0x85, 0x0d, 0x4c, 0xa3, 0xe2, 0x0d, 0x22, 0x64,
};
static const uint8_t r1_sha256[32] = {
  0xee, 0x7c, 0x1f, 0x19, 0x86, 0xae, 0xc1, 0xd7, 0xd7, 0x14, 0xf8,
  0xe2, 0xa6, 0x82, 0x1f, 0x55, 0x74, 0x89, 0x0a, 0x35, 0xe0, 0x03,
  0xf9, 0xde, 0x66, 0xc3, 0x59, 0xcb, 0xf9, 0xa5, 0xd4, 0x75,
};
static const uint8_t r2_sha256[32] = {
  0x53, 0xab, 0xd9, 0xcb, 0x25, 0xd0, 0x26, 0x85, 0xe1, 0x43, 0xff,
  0xab, 0x27, 0x58, 0x8e, 0xcc, 0x20, 0xe8, 0x30, 0x95, 0xf9, 0xcf,
  0xa4, 0x9c, 0x28, 0x93, 0xb1, 0xb6, 0x99, 0x10, 0xf0, 0x3d,
};
static const uint8_t r1_sha384_scc[48] = {
  0x89, 0x47, 0x12, 0xca, 0xf7, 0x57, 0x97, 0xb1, 0xa9, 0x13, 0xd0, 0xab,
  0x55, 0xb4, 0x45, 0x73, 0x69, 0x50, 0x6c, 0xc0, 0xbc, 0xb1, 0xb1, 0x59,
  0xd4, 0x4a, 0xe7, 0x56, 0x70, 0xf4, 0xfc, 0x1c, 0x2a, 0xe5, 0x7f, 0x4e,
  0xc2, 0xa1, 0x69, 0x88, 0xc8, 0x34, 0x4a, 0xde, 0x2d, 0xd8, 0x04, 0xd0,
};
static const uint8_t aug_sha256[32] = {
  0x8e, 0x94, 0x3b, 0x4f, 0x72, 0x5a, 0x0c, 0xc6, 0xa0, 0xf5, 0x80,
  0x11, 0xfe, 0x52, 0xbe, 0x72, 0x4f, 0xc0, 0xf0, 0x1d, 0x33, 0xd0,
  0x98, 0x0e, 0x81, 0x63, 0xd8, 0x33, 0x41, 0x38, 0x00, 0x5e,
};
static const uint8_t aug_sha384[48] = {
  0x7d, 0x8e, 0xf4, 0x95, 0x36, 0x7d, 0x87, 0xc7, 0x8e, 0x55, 0x0d, 0x01,
  0x8f, 0xd8, 0xb7, 0x48, 0x4b, 0x66, 0x45, 0x0d, 0xab, 0xef, 0xa5, 0xd7,
  0xb0, 0x60, 0xb5, 0x97, 0x05, 0x95, 0x45, 0xac, 0xa3, 0x78, 0x96, 0x42,
  0xf0, 0x6c, 0xdf, 0x5b, 0x26, 0x8e, 0xf7, 0xbc, 0x49, 0xcc, 0xb0, 0xd3,
};

/* dhchap-vectors.py's inputs. */
static void
fill_range (uint8_t *p, size_t n, uint8_t first)
{
  size_t i;

  for (i = 0; i < n; i++)
    p[i] = (uint8_t) (first + i);
}

static bool
hex_eq (const uint8_t *p, const char *hex, size_t n)
{
  size_t i;
  unsigned v;

  if (strlen (hex) != 2 * n)
    return false;
  for (i = 0; i < n; i++) {
    if (sscanf (hex + 2 * i, "%2x", &v) != 1 || p[i] != v)
      return false;
  }
  return true;
}

/* ---- Tables ------------------------------------------------------------- */

static void
test_tables (void)
{
  static const char *const groups[] = { "null",      "ffdhe2048", "ffdhe3072",
                                        "ffdhe4096", "ffdhe6144", "ffdhe8192" };
  static const size_t glen[] = { 0, 256, 384, 512, 768, 1024 };
  uint8_t i;

  CHECK (dhchap_hash_len (NVMF_AUTH_HASH_SHA256) == 32, "sha256 len");
  CHECK (dhchap_hash_len (NVMF_AUTH_HASH_SHA384) == 48, "sha384 len");
  CHECK (dhchap_hash_len (NVMF_AUTH_HASH_SHA512) == 64, "sha512 len");
  CHECK (dhchap_hash_len (0) == 0 && dhchap_hash_len (4) == 0 &&
           dhchap_hash_len (255) == 0,
         "unknown hash lengths");
  CHECK (strcmp (dhchap_hash_name (2), "hmac(sha384)") == 0, "hash name");
  CHECK (dhchap_hash_name (0) == NULL && dhchap_hash_name (9) == NULL,
         "unknown hash names");
  CHECK (dhchap_hash_from_name ("hmac(sha512)") == 3, "from hmac(sha512)");
  CHECK (dhchap_hash_from_name ("sha256") == 1, "from sha256");
  CHECK (dhchap_hash_from_name ("md5") == 0 &&
           dhchap_hash_from_name ("") == 0 && dhchap_hash_from_name (NULL) == 0,
         "from unknown hash names");
  for (i = 0; i < 6; i++) {
    CHECK (strcmp (dhchap_dhgroup_name (i), groups[i]) == 0, "group %u", i);
    CHECK (dhchap_dhgroup_from_name (groups[i]) == i, "group id %u", i);
    CHECK (dhchap_dhgroup_value_len (i) == glen[i], "group %u len", i);
  }
  CHECK (dhchap_dhgroup_name (6) == NULL && dhchap_dhgroup_value_len (6) == 0,
         "unknown group");
  CHECK (dhchap_dhgroup_from_name ("ffdhe1024") == -1 &&
           dhchap_dhgroup_from_name (NULL) == -1,
         "unknown group name");
  CHECK (strcmp (dhchap_failure_string (NVMF_AUTH_RCE_HASH_UNUSABLE),
                 "hash function not usable") == 0,
         "failure string");
  CHECK (strcmp (dhchap_failure_string (0x42), "unknown reason") == 0,
         "unknown failure string");
}

/* ---- Key text form ------------------------------------------------------ */

static void
test_key_spec (void)
{
  struct dhchap_key k;
  char err[256], text[DHCHAP_KEY_TEXT_MAX], in[80];
  uint8_t hh;

  for (hh = 0; hh <= 3; hh++) {
    snprintf (in, sizeof in, "DHHC-1:%02x:%s", hh, SPEC_TEXT + 10);
    CHECK (dhchap_key_parse (in, &k, err, sizeof err) == 0, "spec %u: %s", hh,
           err);
    CHECK (k.hmac == hh && k.len == 32, "spec %u: hmac %u len %zu", hh, k.hmac,
           k.len);
    CHECK (memcmp (k.key, spec_key, 32) == 0, "spec %u: bytes", hh);
    CHECK (dhchap_key_format (&k, text, sizeof text, err, sizeof err) == 0,
           "format %u: %s", hh, err);
    CHECK (strcmp (text, in) == 0, "format %u: %s", hh, text);
  }
  /* A key read from a file keeps its newline; uppercase hex is hex. */
  CHECK (dhchap_key_parse (SPEC_TEXT "\n", &k, err, sizeof err) == 0,
         "newline: %s", err);
  CHECK (dhchap_key_parse (SPEC_TEXT " \t\r\n", &k, err, sizeof err) == 0,
         "white space: %s", err);
  CHECK (dhchap_key_parse (KEY48_TEXT, &k, err, sizeof err) == 0 &&
           k.hmac == 2 && k.len == 48,
         "48-byte key: %s", err);
  CHECK (dhchap_key_parse (KEY64_TEXT, &k, err, sizeof err) == 0 &&
           k.hmac == 3 && k.len == 64,
         "64-byte key: %s", err);
  /* The format's buffer is checked. */
  CHECK (dhchap_key_format (&k, text, 103, err, sizeof err) == -1 &&
           strstr (err, "104 needed") != NULL,
         "small buffer: %s", err);
  CHECK (dhchap_key_format (&k, text, 104, err, sizeof err) == 0 &&
           strcmp (text, KEY64_TEXT) == 0,
         "exact buffer: %s", text);
}

static void
test_key_roundtrip (void)
{
  static const size_t lens[] = { 32, 48, 64 };
  static const size_t textlen[] = { 59, 83, 103 };
  struct dhchap_key k, k2;
  char err[256], text[DHCHAP_KEY_TEXT_MAX];
  size_t l, i;
  uint8_t hh;

  for (hh = 0; hh <= 3; hh++) {
    for (l = 0; l < 3; l++) {
      CHECK (dhchap_key_generate (hh, lens[l], &k, err, sizeof err) == 0,
             "generate %u/%zu: %s", hh, lens[l], err);
      CHECK (dhchap_key_format (&k, text, sizeof text, err, sizeof err) == 0,
             "format: %s", err);
      CHECK (strlen (text) == textlen[l], "text length %zu", strlen (text));
      CHECK (dhchap_key_parse (text, &k2, err, sizeof err) == 0, "parse: %s",
             err);
      CHECK (k2.hmac == hh && k2.len == lens[l] &&
               memcmp (k.key, k2.key, lens[l]) == 0,
             "round trip %u/%zu", hh, lens[l]);
    }
  }
  dhchap_key_wipe (&k);
  for (i = 0; i < sizeof k; i++)
    if (((uint8_t *) &k)[i] != 0)
      break;
  CHECK (i == sizeof k, "wipe left byte %zu", i);
  CHECK (dhchap_key_generate (4, 32, &k, err, sizeof err) == -1 &&
           strstr (err, "hash identifier 04") != NULL,
         "generate hmac 4: %s", err);
  CHECK (dhchap_key_generate (1, 40, &k, err, sizeof err) == -1 &&
           strstr (err, "40 bytes") != NULL,
         "generate 40 bytes: %s", err);
  CHECK (dhchap_key_generate (1, 32, NULL, err, sizeof err) == -1,
         "generate into NULL");
  k.len = 33;
  CHECK (dhchap_key_format (&k, text, sizeof text, err, sizeof err) == -1,
         "format a 33-byte key");
}

static void
test_key_refusals (void)
{
  static const struct {
    const char *text;
    const char *msg;
  } bad[] = {
    { "", "does not start with" },
    { "DHHC-2:00:" SPEC_TEXT, "does not start with" },
    { " " SPEC_TEXT, "does not start with" },
    { "dhhc-1:00:ia6zGodOr4SEG0Zzaw398rpY0wqipUWj4jWjUh4HWUz6aQ2n:",
      "does not start with" },
    { "DHHC-1:", "two-digit hash identifier" },
    { "DHHC-1:0:ia6zGodOr4SEG0Zzaw398rpY0wqipUWj4jWjUh4HWUz6aQ2n:",
      "two-digit hash identifier" },
    { "DHHC-1:0g:ia6zGodOr4SEG0Zzaw398rpY0wqipUWj4jWjUh4HWUz6aQ2n:",
      "two-digit hash identifier" },
    { "DHHC-1:04:ia6zGodOr4SEG0Zzaw398rpY0wqipUWj4jWjUh4HWUz6aQ2n:",
      "hash identifier 04 is not" },
    { "DHHC-1:ff:ia6zGodOr4SEG0Zzaw398rpY0wqipUWj4jWjUh4HWUz6aQ2n:",
      "hash identifier ff is not" },
    { "DHHC-1:00:ia6zGodOr4SEG0Zzaw398rpY0wqipUWj4jWjUh4HWUz6aQ2n",
      "does not end with ':'" },
    { "DHHC-1:00:", "does not end with ':'" },
    { "DHHC-1:00::", "not a multiple of 4" },
    { "DHHC-1:00:ia6zGodOr4SEG0Zzaw398rpY0wqipUWj4jWjUh4HWUz6aQ2:",
      "not a multiple of 4" },
    { "DHHC-1:00:ia6zGodOr4SEG0Zzaw398rpY0wqipUWj4jWjUh4HWUz6aQ2n=:",
      "not a multiple of 4" },
    { "DHHC-1:00:ia6zGodOr4SEG0Zzaw398rp*0wqipUWj4jWjUh4HWUz6aQ2n:",
      "character 24" },
    { "DHHC-1:00:ia6zGodOr4SEG0Zzaw398rpY0wqipUWj4jWjUh4HWUz6aQ=n:",
      "character 47" },
    { "DHHC-1:00:ia6zGodOr4SEG0Zzaw398rpY0wqipUWj4jWjUh4HWUz6aQ2n:x:",
      "character 49" },
    { "DHHC-1:00:ia6zGodOr4SEG0Zzaw398rpY0wqipUWj4jWjUh4HWUz6aQ2n:\nx",
      "does not end with ':'" },
    { LEN31_TEXT, "31 bytes" },
    { LEN33_TEXT, "33 bytes" },
    { "DHHC-1:00:AAAA:", "wrong length" },
    { "DHHC-1:00:ia6zGodOr4SEG0Zzaw398rpY0wqipUWj4jWjUh4HWUz6aQ2m:",
      "CRC mismatch" },
    { "DHHC-1:00:ia6zGodOr4SEG0Zzaw398rpY0wqipUWj4jWjUh4HWUz6aQ3n:",
      "CRC mismatch" },
    { "DHHC-1:00:Ia6zGodOr4SEG0Zzaw398rpY0wqipUWj4jWjUh4HWUz6aQ2n:",
      "CRC mismatch" },
  };
  struct dhchap_key k;
  char err[256];
  size_t i;

  for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    memset (err, 0, sizeof err);
    memset (&k, 0xa5, sizeof k);
    CHECK (dhchap_key_parse (bad[i].text, &k, err, sizeof err) == -1,
           "accepted %s", bad[i].text);
    CHECK (strstr (err, bad[i].msg) != NULL, "%s: message '%s', not '%s'",
           bad[i].text, err, bad[i].msg);
    CHECK (strncmp (err, "DH-HMAC-CHAP key: ", 18) == 0, "prefix: %s", err);
    /* No key material in messages, and no stale key in the struct. */
    CHECK (strstr (err, "ia6z") == NULL && strstr (err, "AQID") == NULL,
           "message shows the key: %s", err);
    CHECK (k.len == 0 && k.key[0] == 0, "%s: key left in the struct",
           bad[i].text);
  }
  /* err may be NULL or empty. */
  CHECK (dhchap_key_parse ("x", &k, NULL, 0) == -1, "NULL err");
  CHECK (dhchap_key_parse (NULL, &k, err, sizeof err) == -1, "NULL text");
  CHECK (dhchap_key_parse (SPEC_TEXT, NULL, err, sizeof err) == -1, "NULL key");
  /* A message is cut to the room given. */
  memset (err, 'x', sizeof err);
  CHECK (dhchap_key_parse ("x", &k, err, 8) == -1 && strlen (err) == 7,
         "err truncated");
}

/* ---- HMAC --------------------------------------------------------------- */

static void
test_hmac (void)
{
  static const struct {
    uint8_t key_byte; /* 0: "Jefe" */
    size_t keylen;
    const char *data;
    const char *mac[3];
  } rfc4231[] = {
    { 0x0b,
      20,
      "Hi There",
      { "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
        "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59c"
        "faea9ea9076ede7f4af152e8b2fa9cb6",
        "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde"
        "daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854" } },
    { 0,
      4,
      "what do ya want for nothing?",
      { "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
        "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e"
        "8e2240ca5e69e2c78b3239ecfab21649",
        "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
        "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737" } },
    { 0xaa,
      131,
      "Test Using Larger Than Block-Size Key - Hash Key First",
      { "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
        "4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c6"
        "0c2ef6ab4030fe8296248df163f44952",
        "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f352"
        "6b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598" } },
  };
  uint8_t key[131], out[DHCHAP_HASH_MAX];
  struct dhchap_part parts[64];
  char err[256];
  size_t t, i, n, dlen;
  uint8_t h;

  for (t = 0; t < 3; t++) {
    if (rfc4231[t].key_byte)
      memset (key, rfc4231[t].key_byte, rfc4231[t].keylen);
    else
      memcpy (key, "Jefe", 4);
    dlen = strlen (rfc4231[t].data);
    for (h = 1; h <= 3; h++) {
      parts[0] = (struct dhchap_part){ rfc4231[t].data, dlen };
      CHECK (dhchap_hmac (h, key, rfc4231[t].keylen, parts, 1, out, err,
                          sizeof err) == 0,
             "hmac: %s", err);
      CHECK (hex_eq (out, rfc4231[t].mac[h - 1], dhchap_hash_len (h)),
             "RFC 4231 case %zu hash %u", t, h);
      /* The same data in one-byte parts, with empty parts between. */
      for (i = 0, n = 0; i < dlen && n + 2 <= 64; i++) {
        parts[n++] = (struct dhchap_part){ rfc4231[t].data + i, 1 };
        parts[n++] = (struct dhchap_part){ NULL, 0 };
      }
      if (i == dlen) {
        memset (out, 0, sizeof out);
        CHECK (dhchap_hmac (h, key, rfc4231[t].keylen, parts, n, out, err,
                            sizeof err) == 0,
               "hmac parts: %s", err);
        CHECK (hex_eq (out, rfc4231[t].mac[h - 1], dhchap_hash_len (h)),
               "RFC 4231 case %zu hash %u in parts", t, h);
      }
    }
  }
  CHECK (dhchap_hmac (0, key, 4, parts, 1, out, err, sizeof err) == -1 &&
           strstr (err, "unknown hash") != NULL,
         "hash 0: %s", err);
  CHECK (dhchap_hmac (1, key, 0, parts, 1, out, err, sizeof err) == -1 &&
           strstr (err, "empty key") != NULL,
         "empty key: %s", err);
  parts[0] = (struct dhchap_part){ NULL, 3 };
  CHECK (dhchap_hmac (1, key, 4, parts, 1, out, err, sizeof err) == -1,
         "part without data");
}

/* ---- Transform, augmented challenge, responses -------------------------- */

static void
test_transform (void)
{
  struct dhchap_key k = { .hmac = 1, .len = 32 };
  uint8_t out[DHCHAP_KEY_MAX];
  size_t outlen = 0;
  char err[256];

  memcpy (k.key, spec_key, 32);
  CHECK (dhchap_key_transform (&k, HOSTNQN, out, &outlen, err, sizeof err) ==
             0 &&
           outlen == 32 && memcmp (out, xform_spec_01, 32) == 0,
         "transform spec/01: %s", err);
  /* A 32-byte secret with SHA-512 gives 64 bytes (the hash's length). */
  k.hmac = 3;
  CHECK (dhchap_key_transform (&k, HOSTNQN, out, &outlen, err, sizeof err) ==
             0 &&
           outlen == 64 && memcmp (out, xform_spec_03, 64) == 0,
         "transform spec/03: %s", err);
  k.hmac = 0;
  CHECK (dhchap_key_transform (&k, HOSTNQN, out, &outlen, err, sizeof err) ==
             0 &&
           outlen == 32 && memcmp (out, spec_key, 32) == 0,
         "transform 00 is the key");
  k.hmac = 2;
  k.len = 48;
  fill_range (k.key, 48, 0);
  CHECK (dhchap_key_transform (&k, SUBNQN, out, &outlen, err, sizeof err) ==
             0 &&
           outlen == 48 && memcmp (out, xform_48_02_sub, 48) == 0,
         "transform 48/02 with the subsystem NQN: %s", err);
  CHECK (dhchap_key_transform (&k, NULL, out, &outlen, err, sizeof err) == -1,
         "no NQN");
  k.len = 20;
  CHECK (dhchap_key_transform (&k, SUBNQN, out, &outlen, err, sizeof err) ==
             -1 &&
           strstr (err, "20 bytes") != NULL,
         "bad key length: %s", err);
}

static void
test_responses (void)
{
  uint8_t chal32[32], chal48[48], shared[256], out[DHCHAP_HASH_MAX];
  char err[256], longnqn[300];
  size_t i;

  fill_range (chal32, 32, 0x20);
  fill_range (chal48, 48, 0x90);
  CHECK (dhchap_response (1, false, xform_spec_01, 32, chal32, 0x12345678,
                          0x0102, 0, HOSTNQN, SUBNQN, out, err,
                          sizeof err) == 0 &&
           memcmp (out, r1_sha256, 32) == 0,
         "R1 SHA-256: %s", err);
  CHECK (dhchap_response (1, true, xform_spec_01, 32, chal32, 0x9abcdef0,
                          0x0102, 0, HOSTNQN, SUBNQN, out, err,
                          sizeof err) == 0 &&
           memcmp (out, r2_sha256, 32) == 0,
         "R2 SHA-256: %s", err);
  CHECK (dhchap_response (2, false, xform_48_02_sub, 48, chal48, 1, 0xffff, 1,
                          HOSTNQN, SUBNQN, out, err, sizeof err) == 0 &&
           memcmp (out, r1_sha384_scc, 48) == 0,
         "R1 SHA-384 with SC_C 1: %s", err);
  CHECK (dhchap_response (0, false, xform_spec_01, 32, chal32, 1, 0, 0, HOSTNQN,
                          SUBNQN, out, err, sizeof err) == -1,
         "response with hash 0");
  memset (longnqn, 'n', sizeof longnqn - 1);
  longnqn[sizeof longnqn - 1] = '\0';
  CHECK (dhchap_response (1, false, xform_spec_01, 32, chal32, 1, 0, 0, longnqn,
                          SUBNQN, out, err, sizeof err) == -1 &&
           strstr (err, "longer than 223") != NULL,
         "long NQN: %s", err);
  CHECK (dhchap_response (1, false, xform_spec_01, 32, chal32, 1, 0, 0, HOSTNQN,
                          NULL, out, err, sizeof err) == -1,
         "no subsystem NQN");

  memset (shared, 0, 3);
  for (i = 0; i < 253; i++)
    shared[3 + i] = (uint8_t) (i * 7);
  CHECK (dhchap_augment (1, shared, sizeof shared, chal32, out, err,
                         sizeof err) == 0 &&
           memcmp (out, aug_sha256, 32) == 0,
         "augment SHA-256: %s", err);
  CHECK (dhchap_augment (2, shared, sizeof shared, chal48, out, err,
                         sizeof err) == 0 &&
           memcmp (out, aug_sha384, 48) == 0,
         "augment SHA-384: %s", err);
  CHECK (dhchap_augment (7, shared, sizeof shared, chal48, out, err,
                         sizeof err) == -1,
         "augment with hash 7");
  CHECK (dhchap_augment (1, shared, 0, chal32, out, err, sizeof err) == -1,
         "augment without a secret");
}

/* ---- Diffie-Hellman ----------------------------------------------------- */

/* The group's prime, from OpenSSL's RFC 7919 table. */
static BIGNUM *
group_p (uint8_t dhgid)
{
  EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name (NULL, "DH", NULL);
  EVP_PKEY *pkey = NULL;
  BIGNUM *p = NULL;
  OSSL_PARAM params[2];

  params[0] = OSSL_PARAM_construct_utf8_string (
    OSSL_PKEY_PARAM_GROUP_NAME, (char *) dhchap_dhgroup_name (dhgid), 0);
  params[1] = OSSL_PARAM_construct_end ();
  if (ctx && EVP_PKEY_paramgen_init (ctx) == 1 &&
      EVP_PKEY_CTX_set_params (ctx, params) == 1 &&
      EVP_PKEY_generate (ctx, &pkey) == 1)
    EVP_PKEY_get_bn_param (pkey, OSSL_PKEY_PARAM_FFC_P, &p);
  EVP_PKEY_free (pkey);
  EVP_PKEY_CTX_free (ctx);
  return p;
}

static void
check_refused_peer (struct dhchap_dh *dh, const BIGNUM *y, size_t len,
                    const char *msg, const char *what)
{
  uint8_t peer[1024], out[1024];
  char err[256] = "";

  if (BN_bn2binpad (y, peer, (int) len) != (int) len) {
    CHECK (false, "%s: does not fit", what);
    return;
  }
  CHECK (dhchap_dh_shared (dh, peer, len, out, len, err, sizeof err) == -1,
         "peer %s accepted", what);
  CHECK (strstr (err, msg) != NULL, "peer %s: '%s', not '%s'", what, err, msg);
}

static void
test_dh_groups (void)
{
  uint8_t pa[1024], pb[1024], sa[1024], sb[1024];
  char err[256];
  uint8_t g;

  for (g = NVMF_AUTH_DHGROUP_2048; g <= NVMF_AUTH_DHGROUP_8192; g++) {
    size_t len = dhchap_dhgroup_value_len (g);
    struct dhchap_dh *a = dhchap_dh_new (g, err, sizeof err);
    struct dhchap_dh *b = dhchap_dh_new (g, err, sizeof err);
    BIGNUM *p = group_p (g), *y = BN_new ();

    CHECK (a && b && p && y, "group %u: %s", g, err);
    if (!a || !b || !p || !y)
      goto next;
    /* RFC 7919 primes: the top and bottom 64 bits are ones. */
    CHECK ((size_t) BN_num_bytes (p) == len && BN_is_bit_set (p, 0) &&
             BN_is_bit_set (p, 63) && BN_is_bit_set (p, (int) len * 8 - 1),
           "group %u: p", g);
    CHECK (dhchap_dh_public (a, pa, len, err, sizeof err) == 0 &&
             dhchap_dh_public (b, pb, len, err, sizeof err) == 0,
           "group %u public: %s", g, err);
    CHECK (memcmp (pa, pb, len) != 0, "group %u: same public values", g);
    CHECK (dhchap_dh_shared (a, pb, len, sa, len, err, sizeof err) == 0 &&
             dhchap_dh_shared (b, pa, len, sb, len, err, sizeof err) == 0,
           "group %u shared: %s", g, err);
    CHECK (memcmp (sa, sb, len) == 0, "group %u: no agreement", g);
    /* Lengths other than the group's. */
    CHECK (dhchap_dh_public (a, pa, len - 1, err, sizeof err) == -1,
           "group %u: short public buffer", g);
    CHECK (dhchap_dh_shared (a, pb, len - 1, sa, len, err, sizeof err) == -1 &&
             strstr (err, "bytes, not") != NULL,
           "group %u: short peer value: %s", g, err);
    CHECK (dhchap_dh_shared (a, pb, len + 1, sa, len, err, sizeof err) == -1,
           "group %u: long peer value", g);
    CHECK (dhchap_dh_shared (a, pb, len, sa, len + 1, err, sizeof err) == -1,
           "group %u: long secret buffer", g);
    /* Values outside 1 < y < p-1 (RFC 7919 5.1's check). */
    BN_zero (y);
    check_refused_peer (a, y, len, "out of range", "0");
    BN_one (y);
    check_refused_peer (a, y, len, "out of range", "1");
    BN_copy (y, p);
    BN_sub_word (y, 1);
    check_refused_peer (a, y, len, "out of range", "p-1");
    BN_copy (y, p);
    check_refused_peer (a, y, len, "out of range", "p");
    memset (pb, 0xff, len);
    CHECK (dhchap_dh_shared (a, pb, len, sa, len, err, sizeof err) == -1 &&
             strstr (err, "out of range") != NULL,
           "group %u: all ones: %s", g, err);
    /* p - 4 lies outside the prime-order subgroup (-4 is not a square,
     * as p = 7 mod 8): in range, it is accepted, as RFC 7919 says; a safe
     * prime has no small subgroup for it to force the secret into. */
    if (g == NVMF_AUTH_DHGROUP_2048) {
      BN_copy (y, p);
      BN_sub_word (y, 4);
      CHECK (BN_bn2binpad (y, pb, (int) len) == (int) len &&
               dhchap_dh_shared (a, pb, len, sa, len, err, sizeof err) == 0,
             "group %u: p-4 refused: %s", g, err);
    }

  next:
    BN_free (y);
    BN_free (p);
    dhchap_dh_free (a);
    dhchap_dh_free (b);
  }
  CHECK (dhchap_dh_new (NVMF_AUTH_DHGROUP_NULL, err, sizeof err) == NULL &&
           strstr (err, "null") != NULL,
         "a null-group key pair: %s", err);
  CHECK (dhchap_dh_new (6, err, sizeof err) == NULL, "group 6");
  dhchap_dh_free (NULL);
}

/* Peers 4^j: the shared secret (4^j)^x = (g^x)^2j mod p is computed here
 * too, cheaply, so the search for one that starts with a zero byte (one
 * in 256) runs here; dhchap_dh_shared must give it as 256 bytes, zero
 * first, as it gives the first few peers' secrets. */
static void
test_dh_padding (void)
{
  uint8_t pub[256], peer[256], shared[256], expect[256];
  struct dhchap_dh *dh;
  BIGNUM *p, *x2, *y, *e, *four, *pubn;
  BN_CTX *bctx = BN_CTX_new ();
  char err[256];
  int j, tried = 0;
  bool zero = false;

  dh = dhchap_dh_new (NVMF_AUTH_DHGROUP_2048, err, sizeof err);
  p = group_p (NVMF_AUTH_DHGROUP_2048);
  x2 = BN_new ();
  y = BN_new ();
  e = BN_new ();
  four = BN_new ();
  CHECK (dh && p && x2 && y && e && four && bctx, "setup: %s", err);
  if (!dh || !p || !x2 || !y || !e || !four || !bctx)
    goto out;
  CHECK (dhchap_dh_public (dh, pub, 256, err, sizeof err) == 0, "public: %s",
         err);
  pubn = BN_bin2bn (pub, 256, NULL);
  /* x2 = pub^2: the step from (pub)^(2j) to (pub)^(2j+2). */
  BN_mod_sqr (x2, pubn, p, bctx);
  BN_free (pubn);
  BN_set_word (four, 4);
  BN_one (y);
  BN_one (e);
  for (j = 1; j <= 100000 && !zero; j++) {
    BN_mod_mul (y, y, four, p, bctx);
    BN_mod_mul (e, e, x2, p, bctx);
    zero = BN_num_bytes (e) < 256;
    if (j > 4 && !zero)
      continue;
    BN_bn2binpad (y, peer, 256);
    BN_bn2binpad (e, expect, 256);
    tried++;
    if (dhchap_dh_shared (dh, peer, 256, shared, 256, err, sizeof err) == -1)
      CHECK (false, "peer 4^%d: %s", j, err);
    else
      CHECK (memcmp (shared, expect, 256) == 0 && (!zero || shared[0] == 0),
             "peer 4^%d: wrong shared secret", j);
  }
  CHECK (zero && tried <= 5, "no shared secret with a leading zero");
  printf ("test-dhchap: peer 4^%d gives a shared secret with a leading zero "
          "byte\n",
          j - 1);

out:
  BN_free (four);
  BN_free (e);
  BN_free (y);
  BN_free (x2);
  BN_free (p);
  BN_CTX_free (bctx);
  dhchap_dh_free (dh);
}

static void
test_random (void)
{
  uint8_t a[32], b[32];
  char err[256];

  CHECK (dhchap_random (a, sizeof a, err, sizeof err) == 0 &&
           dhchap_random (b, sizeof b, err, sizeof err) == 0,
         "random: %s", err);
  CHECK (memcmp (a, b, sizeof a) != 0, "two random challenges are equal");
  CHECK (dhchap_random (NULL, 0, err, sizeof err) == 0, "zero bytes");
  CHECK (dhchap_random (NULL, 4, err, sizeof err) == -1, "NULL buffer");
}

int
main (void)
{
  test_tables ();
  test_key_spec ();
  test_key_roundtrip ();
  test_key_refusals ();
  test_hmac ();
  test_transform ();
  test_responses ();
  test_dh_groups ();
  test_dh_padding ();
  test_random ();
  printf ("test-dhchap: %d checks, %d failures\n", checks, failures);
  return failures ? 1 : 0;
}
