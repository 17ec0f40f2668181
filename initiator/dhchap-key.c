/* SPDX-License-Identifier: BSD-3-Clause */
/* DH-HMAC-CHAP secrets (NVMe Base 2.0, 8.13.5.7-8) in the text form that
 * nvme-cli writes and Linux (nvme_auth_extract_key) reads:
 *   "DHHC-1:" hh ":" base64 (secret || le32 CRC-32 (secret)) ":"
 * with hh the transform's hash (00 none, 01 SHA-256, 02 SHA-384,
 * 03 SHA-512) and a secret of 32, 48 or 64 bytes whatever hh is (Linux
 * since 6.7, nvme-cli 3).  Messages never contain key material: not even
 * the CRCs, which are derived from the secret. */
#include <config.h>

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <zlib.h>

#include "dhchap.h"

#define PREFIX     "DHHC-1:"
#define PREFIX_LEN 7
#define CRC_LEN    4
/* base64 of the longest secret and its CRC: 68 bytes, 92 characters. */
#define B64_MAX (4 * ((DHCHAP_KEY_MAX + CRC_LEN + 2) / 3))

static bool
valid_len (size_t len)
{
  return len == 32 || len == 48 || len == 64;
}

static int
check_key (const struct dhchap_key *key, const char *what, char *err,
           size_t errlen)
{
  if (key == NULL)
    return dhchap_err (err, errlen, "%s: no key", what);
  if (key->hmac > 3)
    return dhchap_err (err, errlen,
                       "%s: hash identifier %02x is not 00 (none), 01 "
                       "(SHA-256), 02 (SHA-384) or 03 (SHA-512)",
                       what, key->hmac);
  if (!valid_len (key->len))
    return dhchap_err (err, errlen,
                       "%s: the secret is %zu bytes long, not 32, 48 or 64",
                       what, key->len);
  return 0;
}

static uint32_t
crc32_of (const uint8_t *p, size_t len)
{
  /* zlib's crc32 is the IEEE CRC-32, as Linux's ~crc32 (~0, p, len). */
  return (uint32_t) crc32 (0L, p, (uInt) len);
}

static bool
is_base64 (char c)
{
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
         (c >= '0' && c <= '9') || c == '+' || c == '/';
}

static int
hexval (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

int
dhchap_key_parse (const char *text, struct dhchap_key *key, char *err,
                  size_t errlen)
{
  uint8_t buf[B64_MAX / 4 * 3]; /* EVP_DecodeBlock writes whole groups */
  const char *b64;
  size_t len, b64len, i, pads, n, keylen;
  uint32_t crc;
  int hi, lo;

  if (key == NULL)
    return dhchap_err (err, errlen, "DH-HMAC-CHAP key: nowhere to put it");
  memset (key, 0, sizeof *key);
  if (text == NULL)
    return dhchap_err (err, errlen, "DH-HMAC-CHAP key: no key");
  /* A newline (or other white space) after the key, as in a file. */
  len = strlen (text);
  while (len > 0 && isspace ((unsigned char) text[len - 1]))
    len--;

  if (len < PREFIX_LEN || memcmp (text, PREFIX, PREFIX_LEN) != 0)
    return dhchap_err (err, errlen,
                       "DH-HMAC-CHAP key: does not start with \"" PREFIX
                       "\" (the form nvme gen-dhchap-key writes)");
  if (len < PREFIX_LEN + 3 || (hi = hexval (text[7])) < 0 ||
      (lo = hexval (text[8])) < 0 || text[9] != ':')
    return dhchap_err (err, errlen,
                       "DH-HMAC-CHAP key: \"" PREFIX
                       "\" is not followed by a two-digit hash identifier "
                       "and ':'");
  if (hi * 16 + lo > 3)
    return dhchap_err (err, errlen,
                       "DH-HMAC-CHAP key: hash identifier %.2s is not 00 "
                       "(none), 01 (SHA-256), 02 (SHA-384) or 03 (SHA-512)",
                       text + 7);

  b64 = text + PREFIX_LEN + 3;
  b64len = len - (PREFIX_LEN + 3);
  if (b64len == 0 || b64[b64len - 1] != ':')
    return dhchap_err (err, errlen,
                       "DH-HMAC-CHAP key: does not end with ':' after the "
                       "base64 part");
  b64len--;
  for (i = 0; i < b64len; i++) {
    /* '=' pads only the last one or two characters. */
    if (b64[i] == '=' && i + 2 >= b64len &&
        (i + 1 == b64len || b64[i + 1] == '='))
      continue;
    if (!is_base64 (b64[i]))
      return dhchap_err (err, errlen,
                         "DH-HMAC-CHAP key: bad base64: character %zu of the "
                         "encoded part is not base64",
                         i + 1);
  }
  if (b64len == 0 || b64len % 4 != 0)
    return dhchap_err (err, errlen,
                       "DH-HMAC-CHAP key: bad base64: %zu characters, not a "
                       "multiple of 4",
                       b64len);
  pads = (b64[b64len - 1] == '=') + (b64[b64len - 2] == '=');
  /* EVP_DecodeBlock counts the padding as data: the real length. */
  n = b64len / 4 * 3 - pads;
  keylen = n >= CRC_LEN ? n - CRC_LEN : 0;
  if (!valid_len (keylen))
    return dhchap_err (err, errlen,
                       "DH-HMAC-CHAP key: wrong length: the secret is %zu "
                       "bytes long, not 32, 48 or 64",
                       keylen);
  /* b64len <= B64_MAX now, so buf is large enough. */
  if (EVP_DecodeBlock (buf, (const unsigned char *) b64, (int) b64len) !=
      (int) (b64len / 4 * 3)) {
    OPENSSL_cleanse (buf, sizeof buf);
    return dhchap_err (err, errlen, "DH-HMAC-CHAP key: bad base64");
  }
  crc = (uint32_t) buf[keylen] | (uint32_t) buf[keylen + 1] << 8 |
        (uint32_t) buf[keylen + 2] << 16 | (uint32_t) buf[keylen + 3] << 24;
  if (crc != crc32_of (buf, keylen)) {
    OPENSSL_cleanse (buf, sizeof buf);
    return dhchap_err (err, errlen,
                       "DH-HMAC-CHAP key: CRC mismatch: the key is damaged "
                       "or mistyped");
  }
  key->hmac = (uint8_t) (hi * 16 + lo);
  key->len = keylen;
  memcpy (key->key, buf, keylen);
  OPENSSL_cleanse (buf, sizeof buf);
  return 0;
}

int
dhchap_key_format (const struct dhchap_key *key, char *out, size_t len,
                   char *err, size_t errlen)
{
  uint8_t raw[DHCHAP_KEY_MAX + CRC_LEN];
  char b64[B64_MAX + 1];
  size_t n, need;
  uint32_t crc;

  if (check_key (key, "DH-HMAC-CHAP key", err, errlen) == -1)
    return -1;
  n = key->len + CRC_LEN;
  need = PREFIX_LEN + 3 + 4 * ((n + 2) / 3) + 2; /* ':' and NUL */
  if (out == NULL || len < need)
    return dhchap_err (err, errlen,
                       "DH-HMAC-CHAP key: %zu bytes of room for its text, "
                       "%zu needed",
                       out ? len : 0, need);
  crc = crc32_of (key->key, key->len);
  memcpy (raw, key->key, key->len);
  raw[key->len] = (uint8_t) crc;
  raw[key->len + 1] = (uint8_t) (crc >> 8);
  raw[key->len + 2] = (uint8_t) (crc >> 16);
  raw[key->len + 3] = (uint8_t) (crc >> 24);
  EVP_EncodeBlock ((unsigned char *) b64, raw, (int) n);
  snprintf (out, len, PREFIX "%02x:%s:", key->hmac, b64);
  OPENSSL_cleanse (raw, sizeof raw);
  OPENSSL_cleanse (b64, sizeof b64);
  return 0;
}

int
dhchap_key_generate (uint8_t hmac, size_t len, struct dhchap_key *key,
                     char *err, size_t errlen)
{
  struct dhchap_key k = { .hmac = hmac, .len = len };

  if (key == NULL)
    return dhchap_err (err, errlen, "DH-HMAC-CHAP key: nowhere to put it");
  memset (key, 0, sizeof *key);
  if (check_key (&k, "DH-HMAC-CHAP key", err, errlen) == -1)
    return -1;
  /* The private generator: a long-lived secret, not a public nonce. */
  if (RAND_priv_bytes (key->key, (int) len) != 1) {
    OPENSSL_cleanse (key, sizeof *key);
    return dhchap_err (err, errlen, "DH-HMAC-CHAP key: RAND_priv_bytes failed");
  }
  key->hmac = hmac;
  key->len = len;
  return 0;
}

int
dhchap_key_transform (const struct dhchap_key *key, const char *nqn,
                      uint8_t *out, size_t *outlen, char *err, size_t errlen)
{
  struct dhchap_part parts[2];

  if (check_key (key, "key transform", err, errlen) == -1)
    return -1;
  if (nqn == NULL || out == NULL || outlen == NULL)
    return dhchap_err (err, errlen, "key transform: no NQN or no buffer");
  if (key->hmac == 0) {
    memcpy (out, key->key, key->len);
    *outlen = key->len;
    return 0;
  }
  /* HMAC with the key's own hash, keyed by the secret (Linux's
   * nvme_auth_transform_key): its length is the hash's, whatever the
   * secret's. */
  parts[0] = (struct dhchap_part){ nqn, strlen (nqn) };
  parts[1] = (struct dhchap_part){ "NVMe-over-Fabrics", 17 };
  if (dhchap_hmac (key->hmac, key->key, key->len, parts, 2, out, err, errlen) ==
      -1)
    return -1;
  *outlen = dhchap_hash_len (key->hmac);
  return 0;
}

void
dhchap_key_wipe (struct dhchap_key *key)
{
  if (key != NULL)
    OPENSSL_cleanse (key, sizeof *key);
}

const char *
dhchap_key_hmac_name (uint8_t hmac)
{
  static const char *const words[] = { "none", "SHA-256", "SHA-384",
                                       "SHA-512" };

  return hmac < 4 ? words[hmac] : "unknown";
}
