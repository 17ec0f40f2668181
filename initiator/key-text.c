/* SPDX-License-Identifier: BSD-3-Clause */
/* The "PREFIX:hh:base64(key || crc32):" text form of DH-HMAC-CHAP secrets
 * and TLS PSKs (key-text.h). */
#include <config.h>

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <zlib.h>

#include "key-text.h"

/* base64 of the longest key and its CRC: 68 bytes, 92 characters. */
#define B64_MAX (4 * ((KEY_TEXT_KEY_MAX + KEY_TEXT_CRC_LEN + 2) / 3))

int
key_text_err (char *err, size_t errlen, const char *fmt, ...)
{
  va_list ap;

  if (err != NULL && errlen > 0) {
    va_start (ap, fmt);
    vsnprintf (err, errlen, fmt, ap);
    va_end (ap);
  }
  return -1;
}

uint32_t
key_text_crc32 (const uint8_t *p, size_t len)
{
  return (uint32_t) crc32 (0L, p, (uInt) len);
}

bool
key_text_is_base64 (char c)
{
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
         (c >= '0' && c <= '9') || c == '+' || c == '/';
}

size_t
key_text_base64 (const uint8_t *p, size_t len, char *out)
{
  return (size_t) EVP_EncodeBlock ((unsigned char *) out, p, (int) len);
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
key_text_parse (const struct key_text_fmt *f, const char *text, uint8_t *hh,
                uint8_t *key, size_t keycap, size_t *keylen, char *err,
                size_t errlen)
{
  uint8_t buf[B64_MAX / 4 * 3]; /* EVP_DecodeBlock writes whole groups */
  size_t plen = strlen (f->prefix), len, b64len, i, pads, n, klen;
  const char *b64;
  uint32_t crc;
  int hi, lo;

  if (text == NULL)
    return key_text_err (err, errlen, "%s: no key", f->what);
  /* A newline (or other white space) after the key, as in a file. */
  len = strlen (text);
  while (len > 0 && isspace ((unsigned char) text[len - 1]))
    len--;

  if (len < plen || memcmp (text, f->prefix, plen) != 0)
    return key_text_err (err, errlen,
                         "%s: does not start with \"%s\" (the form %s "
                         "writes)",
                         f->what, f->prefix, f->writer);
  if (len < plen + 3 || (hi = hexval (text[plen])) < 0 ||
      (lo = hexval (text[plen + 1])) < 0 || text[plen + 2] != ':')
    return key_text_err (err, errlen,
                         "%s: \"%s\" is not followed by a two-digit hash "
                         "identifier and ':'",
                         f->what, f->prefix);
  if (hi * 16 + lo > f->max_hh)
    return key_text_err (err, errlen, "%s: hash identifier %.2s is not %s",
                         f->what, text + plen, f->hh_ok);

  b64 = text + plen + 3;
  b64len = len - (plen + 3);
  if (b64len == 0 || b64[b64len - 1] != ':')
    return key_text_err (
      err, errlen, "%s: does not end with ':' after the base64 part", f->what);
  b64len--;
  for (i = 0; i < b64len; i++) {
    /* '=' pads only the last one or two characters. */
    if (b64[i] == '=' && i + 2 >= b64len &&
        (i + 1 == b64len || b64[i + 1] == '='))
      continue;
    if (!key_text_is_base64 (b64[i]))
      return key_text_err (err, errlen,
                           "%s: bad base64: character %zu of the encoded "
                           "part is not base64",
                           f->what, i + 1);
  }
  if (b64len == 0 || b64len % 4 != 0)
    return key_text_err (err, errlen,
                         "%s: bad base64: %zu characters, not a multiple "
                         "of 4",
                         f->what, b64len);
  pads = (b64[b64len - 1] == '=') + (b64[b64len - 2] == '=');
  /* EVP_DecodeBlock counts the padding as data: the real length. */
  n = b64len / 4 * 3 - pads;
  klen = n >= KEY_TEXT_CRC_LEN ? n - KEY_TEXT_CRC_LEN : 0;
  if (f->check_len ((uint8_t) (hi * 16 + lo), klen, err, errlen) == -1)
    return -1;
  if (klen > keycap || b64len > B64_MAX)
    return key_text_err (err, errlen, "%s: %zu bytes, too long", f->what, klen);
  if (EVP_DecodeBlock (buf, (const unsigned char *) b64, (int) b64len) !=
      (int) (b64len / 4 * 3)) {
    OPENSSL_cleanse (buf, sizeof buf);
    return key_text_err (err, errlen, "%s: bad base64", f->what);
  }
  crc = (uint32_t) buf[klen] | (uint32_t) buf[klen + 1] << 8 |
        (uint32_t) buf[klen + 2] << 16 | (uint32_t) buf[klen + 3] << 24;
  if (crc != key_text_crc32 (buf, klen)) {
    OPENSSL_cleanse (buf, sizeof buf);
    return key_text_err (
      err, errlen, "%s: CRC mismatch: the key is damaged or mistyped", f->what);
  }
  *hh = (uint8_t) (hi * 16 + lo);
  *keylen = klen;
  memcpy (key, buf, klen);
  OPENSSL_cleanse (buf, sizeof buf);
  return 0;
}

int
key_text_format (const struct key_text_fmt *f, uint8_t hh, const uint8_t *key,
                 size_t len, char *out, size_t outlen, char *err, size_t errlen)
{
  uint8_t raw[KEY_TEXT_KEY_MAX + KEY_TEXT_CRC_LEN];
  char b64[B64_MAX + 1];
  size_t n, need;
  uint32_t crc;

  if (key == NULL)
    return key_text_err (err, errlen, "%s: no key", f->what);
  if (hh > f->max_hh)
    return key_text_err (err, errlen, "%s: hash identifier %02x is not %s",
                         f->what, hh, f->hh_ok);
  if (f->check_len (hh, len, err, errlen) == -1)
    return -1;
  if (len > KEY_TEXT_KEY_MAX)
    return key_text_err (err, errlen, "%s: %zu bytes, too long", f->what, len);
  n = len + KEY_TEXT_CRC_LEN;
  need = strlen (f->prefix) + 3 + 4 * ((n + 2) / 3) + 2; /* ':' and NUL */
  if (out == NULL || outlen < need)
    return key_text_err (err, errlen,
                         "%s: %zu bytes of room for its text, %zu needed",
                         f->what, out ? outlen : 0, need);
  crc = key_text_crc32 (key, len);
  memcpy (raw, key, len);
  raw[len] = (uint8_t) crc;
  raw[len + 1] = (uint8_t) (crc >> 8);
  raw[len + 2] = (uint8_t) (crc >> 16);
  raw[len + 3] = (uint8_t) (crc >> 24);
  key_text_base64 (raw, n, b64);
  snprintf (out, outlen, "%s%02x:%s:", f->prefix, hh, b64);
  OPENSSL_cleanse (raw, sizeof raw);
  OPENSSL_cleanse (b64, sizeof b64);
  return 0;
}
