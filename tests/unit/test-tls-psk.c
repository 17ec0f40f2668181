/* SPDX-License-Identifier: BSD-3-Clause */
/* NVMe/TCP TLS PSKs (initiator/tls-psk.c).  Where each expected value
 * comes from:
 *   - The interchange format: the example of the NVMe/TCP transport
 *     specification 1.0, 3.6.1.5 (configured PSK 5512DBB6...0B5D5B03 is
 *     "NVMeTLSkey-1:01:VRLbtnN9AQb2WXW3c9+wEf/DRLz0QuLdbYvEhwtdWwNf9LrZ:"),
 *     and libnvme test/psk.c test_data_psk (the same key with hh 00, and
 *     its 48-byte extension with hh 02); SPDK's test key
 *     "NVMeTLSkey-1:01:MDAxMTIy...ZmZwJEiQ:" (test/nvmf/target/tls.sh).
 *   - HKDF: RFC 5869 A.3 (Extract with no salt) and RFC 8448 section 3
 *     (the early secret and Derive-Secret (., "derived", "") are
 *     HKDF-Extract and HKDF-Expand-Label with SHA-256).
 *   - The identity version 0: the example of the NVMe/TCP specification
 *     3.6.1.3 ("NVMe0R01 nqn...:uuid:f81d4fae... nqn...:uuid:36ebf5a9...").
 *   - The retained PSK and the PSK digest: libnvme test/psk.c
 *     test_data_identity (version 1 identities, RFC 8446 labels: libnvme
 *     1.16) and test_data_identity_compat (libnvme 1.7-1.15's labels).
 *   - The TLS PSKs themselves, the retained PSKs' bytes, HKDF-Expand-Label
 *     with SHA-384 and the texts of refused lengths: no published vector
 *     exists, so tests/unit/tls-psk-vectors.py computes them from the
 *     definitions with its own HKDF, after checking that HKDF and its
 *     formulas against all the published vectors above (run it to see the
 *     arrays below). */
#include <config.h>

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tls-psk.h"
#include "check.h"

/* NVMe/TCP specification 3.6.1.5, and libnvme test/psk.c. */
#define SPEC_TEXT \
  "NVMeTLSkey-1:01:VRLbtnN9AQb2WXW3c9+wEf/DRLz0QuLdbYvEhwtdWwNf9LrZ:"
#define K48_TEXT \
  "NVMeTLSkey-1:02:VRLbtnN9AQb2WXW3c9+wEf/DRLz0QuLdbYvEhwtdWwP/w0S89ELi3W2L" \
  "xIcLXVsDn8kXZQ==:"
/* SPDK test/nvmf/target/tls.sh: the ASCII of "00112233...eeff". */
#define SPDK_TEXT \
  "NVMeTLSkey-1:01:MDAxMTIyMzM0NDU1NjY3Nzg4OTlhYWJiY2NkZGVlZmZwJEiQ:"
static const uint8_t k32[32] = {
  0x55, 0x12, 0xdb, 0xb6, 0x73, 0x7d, 0x01, 0x06, 0xf6, 0x59, 0x75,
  0xb7, 0x73, 0xdf, 0xb0, 0x11, 0xff, 0xc3, 0x44, 0xbc, 0xf4, 0x42,
  0xe2, 0xdd, 0x6d, 0x8b, 0xc4, 0x87, 0x0b, 0x5d, 0x5b, 0x03,
};
/* NVMe/TCP specification 3.6.1.3. */
#define SPEC_HOST \
  "nqn.2014-08.org.nvmexpress:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6"
#define SPEC_SUB \
  "nqn.2014-08.org.nvmexpress:uuid:36ebf5a9-1df9-47b3-a6d0-e9ba32e428a2"
#define SPEC_ID0 "NVMe0R01 " SPEC_HOST " " SPEC_SUB
/* libnvme test/psk.c. */
#define LN_HOST          "nqn.psk-test-host"
#define LN_SUB           "nqn.psk-test-subsys"
#define LN_DIG_01        "iSbjiStwJ/1TrTvDlt2fjFmzvsytOJelidNnA+X5lEU="
#define LN_DIG_01_COMPAT "66GuqV08TsAGII39teWUfwQwizjv06Jy8jOcX3NAAzM="
#define LN_ID1_01        "NVMe1R01 " LN_HOST " " LN_SUB " " LN_DIG_01
#define LN_ID1_02 \
  "NVMe1R02 " LN_HOST " " LN_SUB \
  " QhW2+Rp6RzHlNtCslyRxMnwJ11tKKhz8JCAQpQ+XUD8f9td1VeH5h53yz2wKJG1a"
#define LN_ID1_01_COMPAT "NVMe1R01 " LN_HOST " " LN_SUB " " LN_DIG_01_COMPAT
#define LN_ID1_02_COMPAT \
  "NVMe1R02 " LN_HOST " " LN_SUB \
  " RsKmYJ3nAn1ApjjMloJFbAkLPivONDAX/xW327YBUsn2eGShXSjCZvBaOxscLqmz"

/* ---- From tests/unit/tls-psk-vectors.py ---------------------------------- */
#define SPEC_ID1_01 \
  "NVMe1R01 " SPEC_HOST " " SPEC_SUB \
  " E7SfPmB1H5RQCPDO/jPElNLoNkv7agzvJauAf6yCO9E="
#define SPEC_ID1_02 \
  "NVMe1R02 " SPEC_HOST " " SPEC_SUB \
  " gTKj5y4Iy5q9JuElvj/WzV+tVoGdDv5fOJSio6M6esLoPmt0QFNgvHzcj4Yc+l/P"
#define LEN31_TEXT \
  "NVMeTLSkey-1:00:AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eH5eHJeE=:"
#define LEN33_TEXT \
  "NVMeTLSkey-1:00:AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyAheM3o1Q==:"
#define LEN48_01_TEXT \
  "NVMeTLSkey-1:01:AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyAhIiMkJSYnKCkq" \
  "KywtLi8wyg3Bcw==:"
#define LEN32_02_TEXT \
  "NVMeTLSkey-1:02:AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyAl7OaH:"
#define LEN64_00_TEXT \
  "NVMeTLSkey-1:00:AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyAhIiMkJSYnKCkq" \
  "KywtLi8wMTIzNDU2Nzg5Ojs8PT4/QJn7gCg=:"

static const uint8_t spec_retained_01[32] = {
  0xf0, 0xaf, 0x1b, 0xc7, 0x18, 0xd4, 0xf2, 0x3b, 0xdd, 0x7c, 0x16,
  0x83, 0xa3, 0xd7, 0x9b, 0xd9, 0x53, 0xea, 0x78, 0x9d, 0x10, 0x6a,
  0x0f, 0x52, 0x07, 0xbb, 0x57, 0x4b, 0xbe, 0x54, 0x46, 0xce,
};
static const uint8_t spec_tls_v0_01[32] = {
  0x8e, 0x98, 0x16, 0x66, 0xc9, 0x6a, 0x88, 0xef, 0x69, 0xf6, 0xe6,
  0xa0, 0x46, 0x0f, 0xf7, 0x7b, 0xa9, 0x03, 0x9e, 0x3d, 0x38, 0xcb,
  0xde, 0xee, 0x26, 0x4c, 0x4d, 0xe0, 0x9d, 0x75, 0xd2, 0x46,
};
static const uint8_t spec_tls_v1_01[32] = {
  0x5a, 0x21, 0xfd, 0x02, 0xf1, 0x9a, 0x9e, 0xae, 0xc7, 0xb1, 0x66,
  0xed, 0xab, 0xff, 0x90, 0x73, 0x04, 0xb7, 0x62, 0x5b, 0x79, 0x27,
  0xd7, 0x39, 0x8f, 0x9d, 0x65, 0x4d, 0xff, 0x40, 0x87, 0xf7,
};
static const uint8_t spec_tls_v0_00[32] = {
  0x46, 0x4d, 0x94, 0x38, 0xc6, 0xd8, 0xb3, 0xc9, 0xf0, 0xa4, 0x26,
  0xb7, 0x80, 0x87, 0x2e, 0x3f, 0xc4, 0x56, 0xbf, 0x43, 0x41, 0x0e,
  0x9d, 0x3f, 0x2d, 0xe4, 0xc9, 0x56, 0x84, 0xe0, 0xe4, 0x8b,
};
static const uint8_t k48_tls_v1_00[48] = {
  0x29, 0x7b, 0x6a, 0x65, 0x0e, 0xb8, 0xab, 0x66, 0x2c, 0x58, 0x8c, 0x0a,
  0x6a, 0x38, 0xea, 0x35, 0xcf, 0xff, 0xe6, 0xef, 0x49, 0x11, 0xd9, 0x16,
  0xb8, 0xf1, 0xa6, 0x84, 0x59, 0x47, 0xb3, 0xd2, 0xea, 0x12, 0xec, 0x22,
  0x06, 0x11, 0xc3, 0xf1, 0x2b, 0xb1, 0x7f, 0x17, 0x99, 0xc6, 0x45, 0x88,
};
static const uint8_t k48_retained_02[48] = {
  0x73, 0x97, 0x3a, 0x1b, 0x51, 0xa9, 0xac, 0xdd, 0xe2, 0x9a, 0x06, 0x10,
  0xac, 0x6a, 0x3e, 0xf8, 0x52, 0xcf, 0x45, 0x93, 0x6c, 0xca, 0x68, 0x30,
  0xa6, 0x61, 0xd1, 0x8f, 0x68, 0x50, 0x2f, 0x1a, 0x4c, 0x7a, 0x8e, 0xcb,
  0x37, 0x52, 0x4e, 0x0b, 0x1f, 0x70, 0x87, 0xcb, 0x4d, 0x68, 0x0a, 0xd9,
};
static const uint8_t k48_tls_v0_02[48] = {
  0xf4, 0x2b, 0xa6, 0x38, 0x24, 0xcd, 0xfe, 0x42, 0x19, 0x14, 0xc5, 0x82,
  0x92, 0x1f, 0x85, 0xb5, 0xb5, 0xb7, 0xe2, 0xd4, 0xdf, 0x08, 0x4c, 0xae,
  0xed, 0xc9, 0xbe, 0x20, 0xb2, 0x12, 0xe8, 0xbb, 0x0f, 0xe8, 0xa2, 0x3e,
  0x9d, 0x59, 0xa1, 0xc8, 0xfc, 0x64, 0x49, 0xda, 0x49, 0x70, 0xa7, 0x8d,
};
static const uint8_t k48_tls_v1_02[48] = {
  0xa2, 0xb2, 0xf9, 0x43, 0xf4, 0x79, 0xfc, 0x68, 0x25, 0x55, 0xce, 0xc8,
  0x98, 0x57, 0xc8, 0x0e, 0xd0, 0x04, 0xce, 0x92, 0xf3, 0x2a, 0x97, 0x3d,
  0x57, 0x64, 0x15, 0x5b, 0xb7, 0xe3, 0x6b, 0x17, 0xa8, 0x53, 0x68, 0xa0,
  0x66, 0x6d, 0x25, 0x0a, 0xfa, 0xc9, 0x28, 0x2d, 0xda, 0x2e, 0x62, 0xca,
};
static const uint8_t spec_tls_v0_01_compat[32] = {
  0xbe, 0x4e, 0xf8, 0x9f, 0x73, 0x20, 0x6d, 0xc2, 0xb6, 0x4f, 0x95,
  0xa3, 0x3f, 0x73, 0x31, 0x8a, 0x00, 0x64, 0x75, 0x8a, 0xa0, 0xda,
  0xb4, 0x0f, 0x38, 0xf2, 0x69, 0xc3, 0x36, 0xb3, 0x59, 0xc5,
};
static const uint8_t k48_tls_v1_02_compat[48] = {
  0xfc, 0xef, 0xe2, 0xe2, 0xa2, 0xe6, 0x82, 0xb1, 0x44, 0x7d, 0xca, 0xbf,
  0x1e, 0xc2, 0x68, 0xf7, 0x8f, 0x08, 0xc6, 0x3c, 0xd0, 0x75, 0x75, 0x3a,
  0xbc, 0xc8, 0xbd, 0xa2, 0xc5, 0xc3, 0x4d, 0x48, 0xd3, 0x01, 0x4a, 0xa8,
  0xd7, 0x6a, 0xd8, 0x01, 0x07, 0xe4, 0xf5, 0xc9, 0xf2, 0x7e, 0x21, 0x49,
};
static const uint8_t label_sha384[48] = {
  0x15, 0x91, 0xda, 0xc5, 0xcb, 0xbf, 0x03, 0x30, 0xa4, 0xa8, 0x4d, 0xe9,
  0xc7, 0x53, 0x33, 0x0e, 0x92, 0xd0, 0x1f, 0x0a, 0x88, 0x21, 0x4b, 0x44,
  0x64, 0x97, 0x2f, 0xd6, 0x68, 0x04, 0x9e, 0x93, 0xe5, 0x2f, 0x2b, 0x16,
  0xfa, 0xd9, 0x22, 0xfd, 0xc0, 0x58, 0x44, 0x78, 0x42, 0x8f, 0x28, 0x2b,
};

static bool
all_zero (const void *p, size_t len)
{
  const uint8_t *b = p;
  size_t i;

  for (i = 0; i < len; i++)
    if (b[i] != 0)
      return false;
  return true;
}

static void
hex_to (const char *hex, uint8_t *out, size_t len)
{
  size_t i;
  unsigned v;

  for (i = 0; i < len; i++) {
    if (sscanf (hex + 2 * i, "%2x", &v) != 1)
      abort ();
    out[i] = (uint8_t) v;
  }
}

static struct tls_psk_key
key_of (uint8_t hmac, const char *text)
{
  struct tls_psk_key k;
  char err[256];

  if (tls_psk_parse (text, &k, err, sizeof err) == -1) {
    fprintf (stderr, "FAIL: %s: %s\n", text, err);
    exit (1);
  }
  k.hmac = hmac;
  return k;
}

/* ---- The interchange format --------------------------------------------- */

static void
test_format_spec (void)
{
  struct tls_psk_key k;
  char err[256], text[TLS_PSK_TEXT_MAX], in[TLS_PSK_TEXT_MAX];
  uint8_t hh;

  for (hh = 0; hh <= 1; hh++) {
    snprintf (in, sizeof in, "NVMeTLSkey-1:%02x:%s", hh, SPEC_TEXT + 16);
    CHECK (tls_psk_parse (in, &k, err, sizeof err) == 0, "spec %u: %s", hh,
           err);
    CHECK (k.hmac == hh && k.len == 32 && memcmp (k.key, k32, 32) == 0,
           "spec %u: hmac %u len %zu", hh, k.hmac, k.len);
    CHECK (tls_psk_format (&k, text, sizeof text, err, sizeof err) == 0 &&
             strcmp (text, in) == 0,
           "format %u: %s", hh, text);
  }
  for (hh = 0; hh <= 2; hh += 2) {
    snprintf (in, sizeof in, "NVMeTLSkey-1:%02x:%s", hh, K48_TEXT + 16);
    CHECK (tls_psk_parse (in, &k, err, sizeof err) == 0 && k.hmac == hh &&
             k.len == 48 && memcmp (k.key, k32, 32) == 0 &&
             memcmp (k.key + 32, k32 + 16, 16) == 0,
           "48 bytes, hh %u: %s", hh, err);
    CHECK (tls_psk_format (&k, text, sizeof text, err, sizeof err) == 0 &&
             strcmp (text, in) == 0,
           "format 48, hh %u: %s", hh, text);
  }
  CHECK (tls_psk_parse (SPDK_TEXT "\n", &k, err, sizeof err) == 0 &&
           k.hmac == 1 && k.len == 32 &&
           memcmp (k.key, "00112233445566778899aabbccddeeff", 32) == 0,
         "SPDK's key: %s", err);
  CHECK (tls_psk_parse (SPEC_TEXT " \t\r\n", &k, err, sizeof err) == 0,
         "white space: %s", err);
  /* The buffer is checked: 65 characters and a NUL. */
  k = key_of (1, SPEC_TEXT);
  CHECK (tls_psk_format (&k, text, 65, err, sizeof err) == -1 &&
           strstr (err, "66 needed") != NULL,
         "small buffer: %s", err);
  CHECK (tls_psk_format (&k, text, 66, err, sizeof err) == 0 &&
           strcmp (text, SPEC_TEXT) == 0,
         "exact buffer: %s", text);
  k.hmac = 2;
  CHECK (tls_psk_format (&k, text, sizeof text, err, sizeof err) == -1 &&
           strstr (err, "48 (for hash 02") != NULL,
         "format 32 bytes with hh 02: %s", err);
  k.hmac = 3;
  CHECK (tls_psk_format (&k, text, sizeof text, err, sizeof err) == -1 &&
           strstr (err, "hash identifier 03") != NULL,
         "format hh 03: %s", err);
}

static void
test_generate (void)
{
  struct tls_psk_key k, k2;
  char err[256], text[TLS_PSK_TEXT_MAX];
  uint8_t hh;

  for (hh = 1; hh <= 2; hh++) {
    CHECK (tls_psk_generate (hh, &k, err, sizeof err) == 0, "generate %u: %s",
           hh, err);
    CHECK (k.hmac == hh && k.len == (hh == 1 ? 32u : 48u), "generate %u: %zu",
           hh, k.len);
    CHECK (tls_psk_format (&k, text, sizeof text, err, sizeof err) == 0 &&
             strlen (text) == (hh == 1 ? 65u : 89u),
           "text of %u: %s", hh, text);
    CHECK (tls_psk_parse (text, &k2, err, sizeof err) == 0 && k2.hmac == hh &&
             k2.len == k.len && memcmp (k.key, k2.key, k.len) == 0,
           "round trip %u: %s", hh, err);
    CHECK (tls_psk_generate (hh, &k2, err, sizeof err) == 0 &&
             memcmp (k.key, k2.key, k.len) != 0,
           "two keys are equal");
  }
  tls_psk_wipe (&k);
  CHECK (all_zero (&k, sizeof k), "wipe");
  CHECK (tls_psk_generate (0, &k, err, sizeof err) == -1, "generate hh 00");
  CHECK (tls_psk_generate (3, &k, err, sizeof err) == -1, "generate hh 03");
  CHECK (tls_psk_generate (1, NULL, err, sizeof err) == -1, "generate NULL");
}

static void
test_refusals (void)
{
  static const struct {
    const char *text;
    const char *msg;
  } bad[] = {
    { "", "does not start with" },
    { "NVMeTLSkey-2:01:VRLbtnN9AQb2WXW3c9+wEf/DRLz0QuLdbYvEhwtdWwNf9LrZ:",
      "does not start with" },
    { "nvmetlskey-1:01:VRLbtnN9AQb2WXW3c9+wEf/DRLz0QuLdbYvEhwtdWwNf9LrZ:",
      "does not start with" },
    { "DHHC-1:01:VRLbtnN9AQb2WXW3c9+wEf/DRLz0QuLdbYvEhwtdWwNf9LrZ:",
      "does not start with" },
    { " " SPEC_TEXT, "does not start with" },
    { "NVMeTLSkey-1:", "two-digit hash identifier" },
    { "NVMeTLSkey-1:1:VRLbtnN9AQb2WXW3c9+wEf/DRLz0QuLdbYvEhwtdWwNf9LrZ:",
      "two-digit hash identifier" },
    { "NVMeTLSkey-1:03:VRLbtnN9AQb2WXW3c9+wEf/DRLz0QuLdbYvEhwtdWwNf9LrZ:",
      "hash identifier 03 is not" },
    { "NVMeTLSkey-1:10:VRLbtnN9AQb2WXW3c9+wEf/DRLz0QuLdbYvEhwtdWwNf9LrZ:",
      "hash identifier 10 is not" },
    { "NVMeTLSkey-1:01:VRLbtnN9AQb2WXW3c9+wEf/DRLz0QuLdbYvEhwtdWwNf9LrZ",
      "does not end with ':'" },
    { "NVMeTLSkey-1:01::", "not a multiple of 4" },
    { "NVMeTLSkey-1:01:VRLbtnN9AQb2WXW3c9+wEf/DRLz0QuLdbYvEhwtdWwNf9Lr:",
      "not a multiple of 4" },
    { "NVMeTLSkey-1:01:VRLbtnN9AQb2WXW3c9+wEf/DRLz0QuL.bYvEhwtdWwNf9LrZ:",
      "character 32" },
    { "NVMeTLSkey-1:01:VRLbtnN9AQb2WXW3c9+wEf/DRLz0QuLdbYvEhwtdWwNf9L=Z:",
      "character 47" },
    { LEN31_TEXT, "31 bytes" },
    { LEN33_TEXT, "33 bytes" },
    { LEN64_00_TEXT, "64 bytes" },
    { LEN48_01_TEXT, "48 bytes long, not 32" },
    { LEN32_02_TEXT, "32 bytes long, not 48" },
    { "NVMeTLSkey-1:01:VRLbtnN9AQb2WXW3c9+wEf/DRLz0QuLdbYvEhwtdWwNf9LrY:",
      "CRC mismatch" },
    { "NVMeTLSkey-1:01:WRLbtnN9AQb2WXW3c9+wEf/DRLz0QuLdbYvEhwtdWwNf9LrZ:",
      "CRC mismatch" },
  };
  struct tls_psk_key k;
  char err[256];
  size_t i;

  for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    memset (err, 0, sizeof err);
    memset (&k, 0xa5, sizeof k);
    CHECK (tls_psk_parse (bad[i].text, &k, err, sizeof err) == -1,
           "accepted %s", bad[i].text);
    CHECK (strstr (err, bad[i].msg) != NULL, "%s: message '%s', not '%s'",
           bad[i].text, err, bad[i].msg);
    CHECK (strncmp (err, "TLS PSK: ", 9) == 0, "prefix: %s", err);
    CHECK (strstr (err, "VRLb") == NULL && strstr (err, "AQID") == NULL,
           "message shows the key: %s", err);
    CHECK (all_zero (&k, sizeof k), "%s: key left in the struct", bad[i].text);
  }
  CHECK (tls_psk_parse (NULL, &k, err, sizeof err) == -1, "NULL text");
  CHECK (tls_psk_parse (SPEC_TEXT, NULL, err, sizeof err) == -1, "NULL key");
  CHECK (tls_psk_parse ("x", &k, NULL, 0) == -1, "NULL err");
}

/* ---- HKDF ------------------------------------------------------------------ */

static void
test_hkdf (void)
{
  uint8_t ikm[48], prk[48], out[48], want[48], ctx[48];
  char err[256];

  /* RFC 5869 A.3: IKM 22 x 0b, no salt. */
  memset (ikm, 0x0b, 22);
  hex_to ("19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04",
          want, 32);
  CHECK (tls_hkdf_extract (1, ikm, 22, prk, err, sizeof err) == 0 &&
           memcmp (prk, want, 32) == 0,
         "RFC 5869 A.3 PRK: %s", err);
  /* RFC 8448 3: early secret = HKDF-Extract (0, 32 zero bytes), then
   * Derive-Secret (early, "derived", "") = HKDF-Expand-Label (early,
   * "derived", SHA-256 (""), 32). */
  memset (ikm, 0, sizeof ikm);
  hex_to ("33ad0a1c607ec03b09e6cd9893680ce210adf300aa1f2660e1b22e10f170f92a",
          want, 32);
  CHECK (tls_hkdf_extract (1, ikm, 32, prk, err, sizeof err) == 0 &&
           memcmp (prk, want, 32) == 0,
         "RFC 8448 early secret: %s", err);
  hex_to ("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
          ctx, 32); /* SHA-256 ("") */
  hex_to ("6f2615a108c702c5678f54fc9dbab69716c076189c48250cebeac3576c3611ba",
          want, 32);
  CHECK (tls_hkdf_expand_label (1, prk, "derived", ctx, 32, out, 32, err,
                                sizeof err) == 0 &&
           memcmp (out, want, 32) == 0,
         "RFC 8448 derived: %s", err);
  /* The same with SHA-384 (tls-psk-vectors.py). */
  CHECK (tls_hkdf_extract (2, ikm, 48, prk, err, sizeof err) == 0, "%s", err);
  hex_to ("38b060a751ac96384cd9327eb1b1e36a21fdb71114be07434c0cc7bf63f6e1da"
          "274edebfe76f65fbd51ad2f14898b95b",
          ctx, 48); /* SHA-384 ("") */
  CHECK (tls_hkdf_expand_label (2, prk, "derived", ctx, 48, out, 48, err,
                                sizeof err) == 0 &&
           memcmp (out, label_sha384, 48) == 0,
         "SHA-384 label: %s", err);
  CHECK (tls_hkdf_extract (3, ikm, 32, prk, err, sizeof err) == -1,
         "extract hash 3");
  CHECK (tls_hkdf_expand_label (1, prk, "derived", ikm, 256, out, 32, err,
                                sizeof err) == -1 &&
           strstr (err, "256 bytes") != NULL,
         "a 256-byte context: %s", err);
}

/* ---- Derivations --------------------------------------------------------- */

static void
check_derive (const char *what, bool compat, const struct tls_psk_key *k,
              int version, const char *host, const char *sub,
              const char *identity, const uint8_t *tls, size_t len)
{
  struct tls_psk p;
  char err[256];
  int r;

  memset (&p, 0xa5, sizeof p);
  r = compat ?
        tls_psk_derive_compat (k, version, host, sub, &p, err, sizeof err) :
        tls_psk_derive (k, version, host, sub, &p, err, sizeof err);
  CHECK (r == 0, "%s: %s", what, err);
  CHECK (strcmp (p.identity, identity) == 0, "%s: identity %s", what,
         p.identity);
  CHECK (p.hmac == (len == 32 ? 1 : 2) && p.len == len, "%s: hmac %u len %zu",
         what, p.hmac, p.len);
  if (tls != NULL)
    CHECK (memcmp (p.key, tls, len) == 0, "%s: TLS PSK", what);
}

static void
test_derive (void)
{
  struct tls_psk_key k32_01 = key_of (1, SPEC_TEXT), k32_00 = k32_01;
  struct tls_psk_key k48_02 = key_of (2, K48_TEXT), k48_00 = k48_02;
  uint8_t ret[48], out[48];
  char err[256], digest[65];
  size_t len = 0;

  k32_00.hmac = 0;
  k48_00.hmac = 0;
  /* Identities: the specification's and libnvme's. */
  check_derive ("spec v0", false, &k32_01, 0, SPEC_HOST, SPEC_SUB, SPEC_ID0,
                spec_tls_v0_01, 32);
  check_derive ("spec v1", false, &k32_01, 1, SPEC_HOST, SPEC_SUB, SPEC_ID1_01,
                spec_tls_v1_01, 32);
  check_derive ("spec v0 hh 00", false, &k32_00, 0, SPEC_HOST, SPEC_SUB,
                SPEC_ID0, spec_tls_v0_00, 32);
  check_derive ("48 v1 hh 00", false, &k48_00, 1, SPEC_HOST, SPEC_SUB,
                SPEC_ID1_02, k48_tls_v1_00, 48);
  check_derive ("libnvme 01", false, &k32_01, 1, LN_HOST, LN_SUB, LN_ID1_01,
                NULL, 32);
  check_derive ("libnvme 02", false, &k48_02, 1, LN_HOST, LN_SUB, LN_ID1_02,
                k48_tls_v1_02, 48);
  check_derive ("48 v0", false, &k48_02, 0, LN_HOST, LN_SUB,
                "NVMe0R02 " LN_HOST " " LN_SUB, k48_tls_v0_02, 48);
  check_derive ("libnvme compat 01", true, &k32_01, 1, LN_HOST, LN_SUB,
                LN_ID1_01_COMPAT, NULL, 32);
  check_derive ("libnvme compat 02", true, &k48_02, 1, LN_HOST, LN_SUB,
                LN_ID1_02_COMPAT, k48_tls_v1_02_compat, 48);
  check_derive ("spec v0 compat", true, &k32_01, 0, SPEC_HOST, SPEC_SUB,
                SPEC_ID0, spec_tls_v0_01_compat, 32);

  /* The steps one by one. */
  CHECK (tls_psk_retained (&k32_01, SPEC_HOST, ret, &len, err, sizeof err) ==
             0 &&
           len == 32 && memcmp (ret, spec_retained_01, 32) == 0,
         "retained 01: %s", err);
  CHECK (tls_psk_tls_key_v0 (1, ret, 32, SPEC_ID0, out, &len, err,
                             sizeof err) == 0 &&
           len == 32 && memcmp (out, spec_tls_v0_01, 32) == 0,
         "TLS PSK v0: %s", err);
  CHECK (tls_psk_digest (1, ret, 32, SPEC_HOST, SPEC_SUB, digest, sizeof digest,
                         err, sizeof err) == 0 &&
           strcmp (digest, strrchr (SPEC_ID1_01, ' ') + 1) == 0,
         "digest 01: %s", digest);
  CHECK (tls_psk_tls_key (1, ret, 32, digest, out, &len, err, sizeof err) ==
             0 &&
           memcmp (out, spec_tls_v1_01, 32) == 0,
         "TLS PSK v1: %s", err);
  CHECK (tls_psk_retained (&k48_02, LN_HOST, ret, &len, err, sizeof err) == 0 &&
           len == 48 && memcmp (ret, k48_retained_02, 48) == 0,
         "retained 02: %s", err);
  CHECK (tls_psk_digest (2, ret, 48, LN_HOST, LN_SUB, digest, sizeof digest,
                         err, sizeof err) == 0 &&
           strcmp (digest, strrchr (LN_ID1_02, ' ') + 1) == 0,
         "digest 02: %s", digest);
  CHECK (tls_psk_retained (&k32_00, SPEC_HOST, ret, &len, err, sizeof err) ==
             0 &&
           len == 32 && memcmp (ret, k32, 32) == 0,
         "retained 00 is the configured PSK: %s", err);
  CHECK (tls_psk_digest (1, ret, 32, SPEC_HOST, SPEC_SUB, digest, 44, err,
                         sizeof err) == -1,
         "digest without room for its NUL");
  CHECK (tls_psk_digest (2, ret, 32, SPEC_HOST, SPEC_SUB, digest, sizeof digest,
                         err, sizeof err) == -1 &&
           strstr (err, "32-byte") != NULL,
         "digest: a 32-byte PSK with SHA-384: %s", err);
}

static void
test_derive_refusals (void)
{
  struct tls_psk_key k = key_of (1, SPEC_TEXT);
  struct tls_psk p;
  char err[256], nqn[300];

  CHECK (tls_psk_derive (&k, 2, SPEC_HOST, SPEC_SUB, &p, err, sizeof err) ==
             -1 &&
           strstr (err, "version 2") != NULL,
         "version 2: %s", err);
  CHECK (tls_psk_derive (&k, 0, NULL, SPEC_SUB, &p, err, sizeof err) == -1,
         "no host NQN");
  CHECK (tls_psk_derive (&k, 0, SPEC_HOST, NULL, &p, err, sizeof err) == -1,
         "no subsystem NQN");
  CHECK (tls_psk_derive (&k, 0, SPEC_HOST, "a b", &p, err, sizeof err) == -1 &&
           strstr (err, "space") != NULL,
         "a space in an NQN: %s", err);
  memset (nqn, 'n', 224);
  nqn[224] = '\0';
  CHECK (tls_psk_derive (&k, 1, nqn, SPEC_SUB, &p, err, sizeof err) == -1 &&
           strstr (err, "224 bytes") != NULL,
         "a 224-byte NQN: %s", err);
  CHECK (all_zero (&p, sizeof p), "a refused derivation left bytes");
  /* Version 0 puts the identity in a context of at most 255 bytes: two
   * 223-byte NQNs fit version 1 only. */
  nqn[223] = '\0';
  CHECK (tls_psk_derive (&k, 0, nqn, nqn, &p, err, sizeof err) == -1 &&
           strstr (err, "use identity version 1") != NULL,
         "long v0 identity: %s", err);
  CHECK (tls_psk_derive (&k, 1, nqn, nqn, &p, err, sizeof err) == 0 &&
           strlen (p.identity) == 9 + 223 + 1 + 223 + 1 + 44,
         "long v1 identity: %s", err);
  CHECK (tls_psk_derive_compat (&k, 0, nqn, nqn, &p, err, sizeof err) == 0,
         "long v0 identity, compat: %s", err);
  k.len = 48;
  CHECK (tls_psk_derive (&k, 0, SPEC_HOST, SPEC_SUB, &p, err, sizeof err) == -1,
         "48 bytes with hh 01");
}

/* ---- Identities ------------------------------------------------------------ */

static void
test_identity_parse (void)
{
  static const struct {
    const char *id;
    const char *msg;
  } bad[] = {
    { "", "does not start with" },
    { "NVME0R01 " SPEC_HOST " " SPEC_SUB, "does not start with" },
    { "nqn.2014-08.org.example " SPEC_SUB, "does not start with" },
    { "NVMe2R01 " SPEC_HOST " " SPEC_SUB, "version" },
    { "NVMe0G01 " SPEC_HOST " " SPEC_SUB,
      "generated PSK's identity has version 1" },
    { "NVMe0X01 " SPEC_HOST " " SPEC_SUB, "PSK type" },
    { "NVMe0R03 " SPEC_HOST " " SPEC_SUB, "hash" },
    { "NVMe0R00 " SPEC_HOST " " SPEC_SUB, "hash" },
    { "NVMe0R1 " SPEC_HOST " " SPEC_SUB, "hash" },
    { "NVMe0R01" SPEC_HOST " " SPEC_SUB, "no space" },
    { "NVMe0R01 " SPEC_HOST, "no subsystem NQN" },
    { "NVMe0R01 " SPEC_HOST " ", "no subsystem NQN" },
    { "NVMe0R01  " SPEC_SUB, "no host NQN" },
    { "NVMe0R01", "no space" },
    { "NVMe0R01 ", "no subsystem NQN" },
    { "NVMe0R01 " SPEC_HOST " " SPEC_SUB " ", "version 0 identity has no "
                                              "digest" },
    { "NVMe0R01 " SPEC_HOST " " SPEC_SUB " junk", "version 0 identity has no "
                                                  "digest" },
    { SPEC_ID0 " E7SfPmB1H5RQCPDO/jPElNLoNkv7agzvJauAf6yCO9E=",
      "version 0 identity has no digest" },
    { "NVMe1R01 " SPEC_HOST " " SPEC_SUB, "has no digest" },
    { "NVMe1R01 " SPEC_HOST " " SPEC_SUB " ", "not 44 characters" },
    { "NVMe1R02 " SPEC_HOST " " SPEC_SUB
      " E7SfPmB1H5RQCPDO/jPElNLoNkv7agzvJauAf6yCO9E=",
      "not 64 characters" },
    { "NVMe1R01 " SPEC_HOST " " SPEC_SUB
      " E7SfPmB1H5RQCPDO/jPElNLoNkv7agzvJauAf6yCO9E",
      "not 44 characters" },
    { "NVMe1R01 " SPEC_HOST " " SPEC_SUB
      " E7SfPmB1H5RQCPDO/jPElNLoNkv7agzvJauAf6yCO9EA",
      "not 44 characters" },
    { "NVMe1R01 " SPEC_HOST " " SPEC_SUB
      " E7SfPmB1H5RQCPDO/jPElNLoNkv7agzvJauAf6yCO9E= x",
      "not 44 characters" },
    { "NVMe1R01 " SPEC_HOST " " SPEC_SUB
      " E7SfPmB1H5RQCPDO/jPElN.oNkv7agzvJauAf6yCO9E=",
      "not 44 characters" },
    { "NVMe0R01 " SPEC_HOST "\t " SPEC_SUB, "control character" },
  };
  struct tls_psk_identity id;
  char err[256], buf[700], nqn[240];
  size_t i;

  CHECK (tls_psk_identity_parse (SPEC_ID0, &id, err, sizeof err) == 0, "%s",
         err);
  CHECK (id.version == 0 && id.hmac == 1 &&
           strcmp (id.hostnqn, SPEC_HOST) == 0 &&
           strcmp (id.subnqn, SPEC_SUB) == 0 && id.digest[0] == '\0',
         "spec v0: %d %u %s %s", id.version, id.hmac, id.hostnqn, id.subnqn);
  CHECK (tls_psk_identity_parse (LN_ID1_02, &id, err, sizeof err) == 0 &&
           id.version == 1 && id.hmac == 2 &&
           strcmp (id.hostnqn, LN_HOST) == 0 &&
           strcmp (id.subnqn, LN_SUB) == 0 &&
           strcmp (id.digest, strrchr (LN_ID1_02, ' ') + 1) == 0,
         "libnvme v1 02: %s", err);
  CHECK (tls_psk_identity_parse (SPEC_ID1_01, &id, err, sizeof err) == 0 &&
           id.version == 1 && id.hmac == 1 && strlen (id.digest) == 44,
         "spec v1 01: %s", err);
  /* The discovery NQN, and a subsystem name without "nqn.". */
  CHECK (tls_psk_identity_parse ("NVMe0R02 " SPEC_HOST
                                 " nqn.2014-08.org.nvmexpress.discovery",
                                 &id, err, sizeof err) == 0 &&
           id.hmac == 2,
         "discovery: %s", err);
  CHECK (tls_psk_identity_parse ("NVMe0R01 h testnqn", &id, err, sizeof err) ==
           0,
         "short names: %s", err);

  for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    memset (err, 0, sizeof err);
    memset (&id, 0xa5, sizeof id);
    CHECK (tls_psk_identity_parse (bad[i].id, &id, err, sizeof err) == -1,
           "accepted '%s'", bad[i].id);
    CHECK (strstr (err, bad[i].msg) != NULL, "'%s': message '%s', not '%s'",
           bad[i].id, err, bad[i].msg);
    CHECK (strncmp (err, "PSK identity: ", 14) == 0, "prefix: %s", err);
    CHECK (all_zero (&id, sizeof id), "'%s': bytes left", bad[i].id);
  }

  /* NQN lengths: 223 bytes fit, 224 do not. */
  memset (nqn, 'q', 223);
  nqn[223] = '\0';
  snprintf (buf, sizeof buf, "NVMe0R01 %s %s", nqn, nqn);
  CHECK (tls_psk_identity_parse (buf, &id, err, sizeof err) == 0 &&
           strlen (id.hostnqn) == 223 && strlen (id.subnqn) == 223,
         "223-byte NQNs: %s", err);
  snprintf (buf, sizeof buf, "NVMe0R01 %sq %s", nqn, SPEC_SUB);
  CHECK (tls_psk_identity_parse (buf, &id, err, sizeof err) == -1 &&
           strstr (err, "host NQN is 224 bytes") != NULL,
         "224-byte host NQN: %s", err);
  snprintf (buf, sizeof buf, "NVMe0R01 %s %sq", SPEC_HOST, nqn);
  CHECK (tls_psk_identity_parse (buf, &id, err, sizeof err) == -1 &&
           strstr (err, "subsystem NQN is 224 bytes") != NULL,
         "224-byte subsystem NQN: %s", err);
  memset (buf, 'x', sizeof buf);
  memcpy (buf, "NVMe0R01 ", 9);
  buf[sizeof buf - 1] = '\0';
  CHECK (tls_psk_identity_parse (buf, &id, err, sizeof err) == -1 &&
           strstr (err, "more than 600") != NULL,
         "a long identity: %s", err);
  CHECK (tls_psk_identity_parse (NULL, &id, err, sizeof err) == -1, "NULL");
  CHECK (tls_psk_identity_parse (SPEC_ID0, NULL, err, sizeof err) == -1,
         "NULL out");
}

/* What a derivation names, its parse gives back. */
static void
test_identity_roundtrip (void)
{
  struct tls_psk_key k = key_of (1, SPEC_TEXT);
  struct tls_psk p;
  struct tls_psk_identity id;
  char err[256];
  int v;

  for (v = 0; v <= 1; v++) {
    CHECK (tls_psk_derive (&k, v, LN_HOST, SPEC_SUB, &p, err, sizeof err) ==
               0 &&
             tls_psk_identity_parse (p.identity, &id, err, sizeof err) == 0,
           "v%d: %s", v, err);
    CHECK (id.version == v && id.hmac == 1 &&
             strcmp (id.hostnqn, LN_HOST) == 0 &&
             strcmp (id.subnqn, SPEC_SUB) == 0,
           "v%d round trip", v);
  }
}

int
main (void)
{
  test_format_spec ();
  test_generate ();
  test_refusals ();
  test_hkdf ();
  test_derive ();
  test_derive_refusals ();
  test_identity_parse ();
  test_identity_roundtrip ();
  printf ("test-tls-psk: %d checks, %d failures\n", checks, failures);
  return failures ? 1 : 0;
}
