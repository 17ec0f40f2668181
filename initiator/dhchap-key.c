/* SPDX-License-Identifier: BSD-3-Clause */
/* DH-HMAC-CHAP secrets (NVMe Base 2.0, 8.13.5.7-8) in the text form that
 * nvme-cli writes and Linux (nvme_auth_extract_key) reads:
 *   "DHHC-1:" hh ":" base64 (secret || le32 CRC-32 (secret)) ":"
 * with hh the transform's hash (00 none, 01 SHA-256, 02 SHA-384,
 * 03 SHA-512) and a secret of 32, 48 or 64 bytes whatever hh is (Linux
 * since 6.7, nvme-cli 3).  Messages never contain key material: not even
 * the CRCs, which are derived from the secret. */
#include <config.h>

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "dhchap.h"
#include "key-text.h"

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

/* Any hash with any length (Linux since 6.7, nvme-cli 3). */
static int
check_text_len (uint8_t hh, size_t len, char *err, size_t errlen)
{
  (void) hh;
  if (!valid_len (len))
    return dhchap_err (err, errlen,
                       "DH-HMAC-CHAP key: wrong length: the secret is %zu "
                       "bytes long, not 32, 48 or 64",
                       len);
  return 0;
}

static const struct key_text_fmt fmt = {
  .prefix = "DHHC-1:",
  .what = "DH-HMAC-CHAP key",
  .writer = "nvme gen-dhchap-key",
  .max_hh = 3,
  .hh_ok = "00 (none), 01 (SHA-256), 02 (SHA-384) or 03 (SHA-512)",
  .check_len = check_text_len,
};

int
dhchap_key_parse (const char *text, struct dhchap_key *key, char *err,
                  size_t errlen)
{
  if (key == NULL)
    return dhchap_err (err, errlen, "DH-HMAC-CHAP key: nowhere to put it");
  memset (key, 0, sizeof *key);
  if (key_text_parse (&fmt, text, &key->hmac, key->key, sizeof key->key,
                      &key->len, err, errlen) == -1) {
    OPENSSL_cleanse (key, sizeof *key);
    return -1;
  }
  return 0;
}

int
dhchap_key_format (const struct dhchap_key *key, char *out, size_t len,
                   char *err, size_t errlen)
{
  if (check_key (key, "DH-HMAC-CHAP key", err, errlen) == -1)
    return -1;
  return key_text_format (&fmt, key->hmac, key->key, key->len, out, len, err,
                          errlen);
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
