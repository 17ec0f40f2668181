/* SPDX-License-Identifier: BSD-3-Clause */
/* NVMe/TCP TLS PSKs (tls-psk.h), as libnvme 1.16 (nvme-cli 2.16), SPDK and
 * Linux (nvme_auth_derive_tls_psk, for generated PSKs) compute them:
 *
 *   configured "NVMeTLSkey-1:hh:" base64 (psk || le32 crc32 (psk)) ":"
 *     hh 01: 32 bytes, 02: 48 bytes; 00: 32 or 48 bytes, used as the
 *     retained PSK as it is, with the identity's hash from its length;
 *   retained  = HKDF-Expand-Label (HKDF-Extract (0, psk), "HostNQN",
 *               hostnqn, L), the HKDF hash being hh's;
 *   digest    = base64 (HMAC (retained, hostnqn " " subnqn " "
 *               "NVMe-over-Fabrics")), 44 or 64 characters;
 *   TLS PSK   = HKDF-Expand-Label (HKDF-Extract (0, retained),
 *               "nvme-tls-psk", C, L) with C the identity itself for
 *               "NVMe0R0h <hostnqn> <subnqn>" and "0h <digest>" for
 *               "NVMe1R0h <hostnqn> <subnqn> <digest>";
 *
 * L the hash's length (32 or 48).  HKDF-Expand-Label is RFC 8446's: info =
 * be16 L, u8 length, "tls13 " label, u8 length, context.  libnvme 1.7 to
 * 1.15 wrote info as le16 L, "tls13 " label, context (no length bytes);
 * its keys are still in keyrings, so tls_psk_derive_compat computes them
 * (nvme-cli's --compat). */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include "dhchap.h"
#include "key-text.h"
#include "tls-psk.h"

#define NQN_MAX        223
#define LABEL_MAX      12 /* "nvme-tls-psk" */
#define COMPAT_CTX_MAX TLS_PSK_IDENTITY_MAX
#define INFO_MAX       (2 + 1 + 6 + LABEL_MAX + 1 + COMPAT_CTX_MAX)

static size_t
hash_len (uint8_t hmac)
{
  return hmac == 1 ? 32 : hmac == 2 ? 48 : 0;
}

/* The hash of a TLS PSK of len bytes (and of its identity). */
static uint8_t
cipher_of (const struct tls_psk_key *k)
{
  return k->hmac ? k->hmac : k->len == 48 ? 2 : 1;
}

/* ---- The interchange format ------------------------------------------- */

static int
check_len (uint8_t hh, size_t len, char *err, size_t errlen)
{
  if (hh == 0 && (len == 32 || len == 48))
    return 0;
  if (hh != 0 && len == hash_len (hh))
    return 0;
  return key_text_err (err, errlen,
                       "TLS PSK: wrong length: the key is %zu bytes long, "
                       "not %s",
                       len,
                       hh == 0 ? "32 or 48" :
                       hh == 1 ? "32 (for hash 01, SHA-256)" :
                                 "48 (for hash 02, SHA-384)");
}

static const struct key_text_fmt fmt = {
  .prefix = "NVMeTLSkey-1:",
  .what = "TLS PSK",
  .writer = "nvme gen-tls-key",
  .max_hh = 2,
  .hh_ok = "00 (no transform), 01 (SHA-256) or 02 (SHA-384)",
  .check_len = check_len,
};

static int
check_key (const struct tls_psk_key *key, char *err, size_t errlen)
{
  if (key == NULL)
    return key_text_err (err, errlen, "TLS PSK: no key");
  if (key->hmac > fmt.max_hh)
    return key_text_err (err, errlen, "TLS PSK: hash identifier %02x is not %s",
                         key->hmac, fmt.hh_ok);
  return check_len (key->hmac, key->len, err, errlen);
}

int
tls_psk_parse (const char *text, struct tls_psk_key *key, char *err,
               size_t errlen)
{
  if (key == NULL)
    return key_text_err (err, errlen, "TLS PSK: nowhere to put it");
  memset (key, 0, sizeof *key);
  if (key_text_parse (&fmt, text, &key->hmac, key->key, sizeof key->key,
                      &key->len, err, errlen) == -1) {
    OPENSSL_cleanse (key, sizeof *key);
    return -1;
  }
  return 0;
}

int
tls_psk_format (const struct tls_psk_key *key, char *out, size_t len, char *err,
                size_t errlen)
{
  if (check_key (key, err, errlen) == -1)
    return -1;
  return key_text_format (&fmt, key->hmac, key->key, key->len, out, len, err,
                          errlen);
}

int
tls_psk_generate (uint8_t hmac, struct tls_psk_key *key, char *err,
                  size_t errlen)
{
  if (key == NULL)
    return key_text_err (err, errlen, "TLS PSK: nowhere to put it");
  memset (key, 0, sizeof *key);
  if (hmac != 1 && hmac != 2)
    return key_text_err (
      err, errlen, "TLS PSK: hash %u is not 1 (SHA-256) or 2 (SHA-384)", hmac);
  /* The private generator: a long-lived secret, not a public nonce. */
  if (RAND_priv_bytes (key->key, (int) hash_len (hmac)) != 1) {
    OPENSSL_cleanse (key, sizeof *key);
    return key_text_err (err, errlen, "TLS PSK: RAND_priv_bytes failed");
  }
  key->hmac = hmac;
  key->len = hash_len (hmac);
  return 0;
}

void
tls_psk_wipe (struct tls_psk_key *key)
{
  if (key != NULL)
    OPENSSL_cleanse (key, sizeof *key);
}

/* ---- HKDF ---------------------------------------------------------------- */

static int
ossl_err (char *err, size_t errlen, const char *what)
{
  unsigned long e = ERR_get_error ();
  char reason[160] = "";

  if (e != 0)
    ERR_error_string_n (e, reason, sizeof reason);
  ERR_clear_error ();
  return key_text_err (err, errlen, "TLS PSK: %s failed%s%s", what,
                       e ? ": " : "", reason);
}

/* One HKDF step through EVP_KDF, with the whole info in one parameter
 * (EVP_PKEY_CTX_add1_hkdf_info replaced rather than appended before
 * OpenSSL 3.0.14, which is how libnvme's results came to depend on the
 * OpenSSL version). */
static int
hkdf (uint8_t hmac, int mode, const uint8_t *key, size_t keylen,
      const uint8_t *info, size_t infolen, uint8_t *out, size_t outlen,
      char *err, size_t errlen)
{
  char digest[8];
  OSSL_PARAM params[5], *p = params;
  EVP_KDF *kdf;
  EVP_KDF_CTX *ctx;
  int r;

  snprintf (digest, sizeof digest, "%s", hmac == 1 ? "SHA256" : "SHA384");
  *p++ = OSSL_PARAM_construct_utf8_string (OSSL_KDF_PARAM_DIGEST, digest, 0);
  *p++ = OSSL_PARAM_construct_int (OSSL_KDF_PARAM_MODE, &mode);
  *p++ = OSSL_PARAM_construct_octet_string (OSSL_KDF_PARAM_KEY, (void *) key,
                                            keylen);
  if (info != NULL)
    *p++ = OSSL_PARAM_construct_octet_string (OSSL_KDF_PARAM_INFO,
                                              (void *) info, infolen);
  *p = OSSL_PARAM_construct_end ();

  kdf = EVP_KDF_fetch (NULL, OSSL_KDF_NAME_HKDF, NULL);
  if (kdf == NULL)
    return ossl_err (err, errlen, "HKDF");
  ctx = EVP_KDF_CTX_new (kdf);
  EVP_KDF_free (kdf);
  if (ctx == NULL)
    return ossl_err (err, errlen, "HKDF");
  r = EVP_KDF_derive (ctx, out, outlen, params);
  EVP_KDF_CTX_free (ctx);
  if (r != 1)
    return ossl_err (err, errlen, "HKDF");
  return 0;
}

int
tls_hkdf_extract (uint8_t hmac, const uint8_t *ikm, size_t ikmlen, uint8_t *prk,
                  char *err, size_t errlen)
{
  if (hash_len (hmac) == 0)
    return key_text_err (err, errlen, "TLS PSK: HKDF: unknown hash %u", hmac);
  if (ikm == NULL || ikmlen == 0 || prk == NULL)
    return key_text_err (err, errlen, "TLS PSK: HKDF: no key or no buffer");
  /* No salt: OpenSSL's HMAC key is then empty, which HMAC pads to the
   * string of zeroes that RFC 5869 and the NVMe "HKDF-Extract (0, ...)"
   * mean. */
  return hkdf (hmac, EVP_KDF_HKDF_MODE_EXTRACT_ONLY, ikm, ikmlen, NULL, 0, prk,
               hash_len (hmac), err, errlen);
}

/* The HkdfLabel of RFC 8446 7.1, or libnvme's old one (compat). */
static int
build_info (bool compat, size_t outlen, const char *label, const void *ctx,
            size_t ctxlen, uint8_t *info, size_t *infolen, char *err,
            size_t errlen)
{
  size_t llen = strlen (label), n = 0;

  if (llen > LABEL_MAX || ctxlen > (compat ? COMPAT_CTX_MAX : 255))
    return key_text_err (err, errlen,
                         "TLS PSK: HKDF-Expand-Label: a context of %zu "
                         "bytes, more than %d",
                         ctxlen, compat ? COMPAT_CTX_MAX : 255);
  if (compat) {
    info[n++] = (uint8_t) outlen;
    info[n++] = (uint8_t) (outlen >> 8);
  }
  else {
    info[n++] = (uint8_t) (outlen >> 8);
    info[n++] = (uint8_t) outlen;
    info[n++] = (uint8_t) (6 + llen);
  }
  memcpy (info + n, "tls13 ", 6);
  n += 6;
  memcpy (info + n, label, llen);
  n += llen;
  if (!compat)
    info[n++] = (uint8_t) ctxlen;
  if (ctxlen)
    memcpy (info + n, ctx, ctxlen);
  *infolen = n + ctxlen;
  return 0;
}

static int
expand_label (bool compat, uint8_t hmac, const uint8_t *prk, const char *label,
              const void *ctx, size_t ctxlen, uint8_t *out, size_t outlen,
              char *err, size_t errlen)
{
  uint8_t info[INFO_MAX];
  size_t infolen = 0; /* set by build_info (-O2 cannot tell) */

  if (hash_len (hmac) == 0)
    return key_text_err (err, errlen, "TLS PSK: HKDF: unknown hash %u", hmac);
  if (prk == NULL || label == NULL || (ctx == NULL && ctxlen) || out == NULL ||
      outlen == 0 || outlen > 255 * hash_len (hmac))
    return key_text_err (err, errlen, "TLS PSK: HKDF: bad arguments");
  if (build_info (compat, outlen, label, ctx, ctxlen, info, &infolen, err,
                  errlen) == -1)
    return -1;
  return hkdf (hmac, EVP_KDF_HKDF_MODE_EXPAND_ONLY, prk, hash_len (hmac), info,
               infolen, out, outlen, err, errlen);
}

int
tls_hkdf_expand_label (uint8_t hmac, const uint8_t *prk, const char *label,
                       const void *context, size_t contextlen, uint8_t *out,
                       size_t outlen, char *err, size_t errlen)
{
  return expand_label (false, hmac, prk, label, context, contextlen, out,
                       outlen, err, errlen);
}

/* Extract then Expand-Label to len bytes (len is the hash's length). */
static int
extract_expand (bool compat, uint8_t hmac, const uint8_t *key, size_t len,
                const char *label, const char *ctx, uint8_t *out, char *err,
                size_t errlen)
{
  uint8_t prk[TLS_PSK_KEY_MAX];
  int r;

  r = tls_hkdf_extract (hmac, key, len, prk, err, errlen);
  if (r == 0)
    r = expand_label (compat, hmac, prk, label, ctx, strlen (ctx), out, len,
                      err, errlen);
  OPENSSL_cleanse (prk, sizeof prk);
  return r;
}

/* ---- Derivations ----------------------------------------------------------- */

/* An NQN as an identity holds it: 1 to 223 bytes, no space (the
 * separator) and no control character.  who starts the message. */
static int
check_nqn (const char *who, const char *what, const char *nqn, size_t len,
           char *err, size_t errlen)
{
  size_t i;

  if (nqn == NULL || len == 0)
    return key_text_err (err, errlen, "%s: no %s", who, what);
  if (len > NQN_MAX)
    return key_text_err (err, errlen,
                         "%s: the %s is %zu bytes long, longer than %d", who,
                         what, len, NQN_MAX);
  for (i = 0; i < len; i++)
    if ((unsigned char) nqn[i] <= ' ' || nqn[i] == 0x7f)
      return key_text_err (err, errlen,
                           "%s: the %s has a space or a control character "
                           "(byte %zu)",
                           who, what, i + 1);
  return 0;
}

/* The host NQN, and the subsystem NQN unless it is NULL. */
static int
check_nqns (const char *hostnqn, const char *subnqn, char *err, size_t errlen)
{
  if (check_nqn ("TLS PSK", "host NQN", hostnqn, hostnqn ? strlen (hostnqn) : 0,
                 err, errlen) == -1)
    return -1;
  if (subnqn == NULL)
    return 0;
  return check_nqn ("TLS PSK", "subsystem NQN", subnqn, strlen (subnqn), err,
                    errlen);
}

static int
retained (bool compat, const struct tls_psk_key *configured,
          const char *hostnqn, uint8_t *out, size_t *outlen, char *err,
          size_t errlen)
{
  if (check_key (configured, err, errlen) == -1 ||
      check_nqns (hostnqn, NULL, err, errlen) == -1)
    return -1;
  if (out == NULL || outlen == NULL)
    return key_text_err (err, errlen, "TLS PSK: no buffer");
  *outlen = configured->len;
  if (configured->hmac == 0) {
    memcpy (out, configured->key, configured->len);
    return 0;
  }
  return extract_expand (compat, configured->hmac, configured->key,
                         configured->len, "HostNQN", hostnqn, out, err, errlen);
}

int
tls_psk_retained (const struct tls_psk_key *configured, const char *hostnqn,
                  uint8_t *out, size_t *outlen, char *err, size_t errlen)
{
  return retained (false, configured, hostnqn, out, outlen, err, errlen);
}

static int
check_input (uint8_t hmac, const uint8_t *input, size_t len, char *err,
             size_t errlen)
{
  if (hash_len (hmac) == 0)
    return key_text_err (
      err, errlen, "TLS PSK: hash %u is not 1 (SHA-256) or 2 (SHA-384)", hmac);
  if (input == NULL || len != hash_len (hmac))
    return key_text_err (err, errlen,
                         "TLS PSK: a %zu-byte PSK with hash %02u (%zu bytes)",
                         input ? len : 0, hmac, hash_len (hmac));
  return 0;
}

int
tls_psk_digest (uint8_t hmac, const uint8_t *retained, size_t len,
                const char *hostnqn, const char *subnqn, char *out,
                size_t outlen, char *err, size_t errlen)
{
  uint8_t mac[TLS_PSK_KEY_MAX];
  struct dhchap_part parts[4];
  size_t hl = hash_len (hmac);

  if (subnqn == NULL)
    return key_text_err (err, errlen, "TLS PSK: no subsystem NQN");
  if (check_input (hmac, retained, len, err, errlen) == -1 ||
      check_nqns (hostnqn, subnqn, err, errlen) == -1)
    return -1;
  if (out == NULL || outlen < 4 * ((hl + 2) / 3) + 1)
    return key_text_err (err, errlen, "TLS PSK: no room for the digest");
  parts[0] = (struct dhchap_part){ hostnqn, strlen (hostnqn) };
  parts[1] = (struct dhchap_part){ " ", 1 };
  parts[2] = (struct dhchap_part){ subnqn, strlen (subnqn) };
  parts[3] = (struct dhchap_part){ " NVMe-over-Fabrics", 18 };
  if (dhchap_hmac (hmac, retained, len, parts, 4, mac, err, errlen) == -1)
    return -1;
  key_text_base64 (mac, hl, out);
  OPENSSL_cleanse (mac, sizeof mac);
  return 0;
}

static int
tls_key (bool compat, uint8_t hmac, const uint8_t *retained, size_t len,
         const char *ctx, uint8_t *out, size_t *outlen, char *err,
         size_t errlen)
{
  if (check_input (hmac, retained, len, err, errlen) == -1)
    return -1;
  if (ctx == NULL || out == NULL || outlen == NULL)
    return key_text_err (err, errlen, "TLS PSK: no context or no buffer");
  if (extract_expand (compat, hmac, retained, len, "nvme-tls-psk", ctx, out,
                      err, errlen) == -1)
    return -1;
  *outlen = len;
  return 0;
}

int
tls_psk_tls_key (uint8_t hmac, const uint8_t *retained, size_t len,
                 const char *digest, uint8_t *out, size_t *outlen, char *err,
                 size_t errlen)
{
  char ctx[4 + 128 + 1];

  if (digest == NULL || strlen (digest) > 128)
    return key_text_err (err, errlen, "TLS PSK: no digest or a long one");
  snprintf (ctx, sizeof ctx, "%02u %s", (unsigned) hmac, digest);
  return tls_key (false, hmac, retained, len, ctx, out, outlen, err, errlen);
}

int
tls_psk_tls_key_v0 (uint8_t hmac, const uint8_t *retained, size_t len,
                    const char *identity, uint8_t *out, size_t *outlen,
                    char *err, size_t errlen)
{
  if (identity != NULL && strlen (identity) > 255)
    return key_text_err (err, errlen,
                         "TLS PSK: the version 0 identity is %zu bytes long, "
                         "more than HKDF-Expand-Label's 255 (use identity "
                         "version 1)",
                         strlen (identity));
  return tls_key (false, hmac, retained, len, identity, out, outlen, err,
                  errlen);
}

static int
derive (bool compat, const struct tls_psk_key *configured, int version,
        const char *hostnqn, const char *subnqn, struct tls_psk *out, char *err,
        size_t errlen)
{
  uint8_t ret[TLS_PSK_KEY_MAX];
  char digest[TLS_PSK_KEY_MAX / 3 * 4 + 1], ctx[4 + sizeof digest];
  size_t len, n;
  uint8_t h;
  int r = -1;

  if (out == NULL)
    return key_text_err (err, errlen, "TLS PSK: nowhere to put it");
  memset (out, 0, sizeof *out);
  if (version != 0 && version != 1)
    return key_text_err (err, errlen,
                         "TLS PSK: identity version %d is not 0 or 1", version);
  if (subnqn == NULL)
    return key_text_err (err, errlen, "TLS PSK: no subsystem NQN");
  if (check_nqns (hostnqn, subnqn, err, errlen) == -1 ||
      retained (compat, configured, hostnqn, ret, &len, err, errlen) == -1)
    goto out;
  h = cipher_of (configured);
  if (version == 0) {
    snprintf (out->identity, sizeof out->identity, "NVMe0R%02u %s %s",
              (unsigned) h, hostnqn, subnqn);
    if (compat)
      r = tls_key (true, h, ret, len, out->identity, out->key, &n, err, errlen);
    else
      r = tls_psk_tls_key_v0 (h, ret, len, out->identity, out->key, &n, err,
                              errlen);
  }
  else if (tls_psk_digest (h, ret, len, hostnqn, subnqn, digest, sizeof digest,
                           err, errlen) == 0) {
    snprintf (out->identity, sizeof out->identity, "NVMe1R%02u %s %s %s",
              (unsigned) h, hostnqn, subnqn, digest);
    snprintf (ctx, sizeof ctx, "%02u %s", (unsigned) h, digest);
    r = tls_key (compat, h, ret, len, ctx, out->key, &n, err, errlen);
  }
  if (r == 0) {
    out->hmac = h;
    out->len = n;
  }

out:
  OPENSSL_cleanse (ret, sizeof ret);
  if (r == -1)
    OPENSSL_cleanse (out, sizeof *out);
  return r;
}

int
tls_psk_derive (const struct tls_psk_key *configured, int version,
                const char *hostnqn, const char *subnqn, struct tls_psk *out,
                char *err, size_t errlen)
{
  return derive (false, configured, version, hostnqn, subnqn, out, err, errlen);
}

int
tls_psk_derive_compat (const struct tls_psk_key *configured, int version,
                       const char *hostnqn, const char *subnqn,
                       struct tls_psk *out, char *err, size_t errlen)
{
  return derive (true, configured, version, hostnqn, subnqn, out, err, errlen);
}

/* ---- Identities --------------------------------------------------------- */

static bool
valid_digest (uint8_t hmac, const char *d, size_t len)
{
  size_t want = 4 * ((hash_len (hmac) + 2) / 3), pads, i;

  /* 32 bytes: 43 characters and one '='; 48 bytes: 64, no padding. */
  pads = want / 4 * 3 - hash_len (hmac);
  if (len != want)
    return false;
  for (i = 0; i < len; i++)
    if (i >= len - pads ? d[i] != '=' : !key_text_is_base64 (d[i]))
      return false;
  return true;
}

int
tls_psk_identity_parse (const char *identity, struct tls_psk_identity *out,
                        char *err, size_t errlen)
{
  const char *host, *sub, *dig = NULL, *sp, *end;
  size_t hlen, slen, dlen = 0;
  uint8_t hmac;
  int version;

  if (out == NULL)
    return key_text_err (err, errlen, "PSK identity: nowhere to put it");
  memset (out, 0, sizeof *out);
  if (identity == NULL)
    return key_text_err (err, errlen, "PSK identity: none");
  if (strlen (identity) > TLS_PSK_IDENTITY_MAX)
    return key_text_err (err, errlen,
                         "PSK identity: %zu bytes long, more than %d",
                         strlen (identity), TLS_PSK_IDENTITY_MAX);
  if (strncmp (identity, "NVMe", 4) != 0)
    return key_text_err (err, errlen,
                         "PSK identity: does not start with \"NVMe\"");
  if (identity[4] != '0' && identity[4] != '1')
    return key_text_err (err, errlen,
                         "PSK identity: the version is not 0 or 1");
  /* R: retained (configured); G: generated by secure channel
   * concatenation, whose identity Linux writes "NVMe1G0h ..." (with a
   * digest, version 1): a version 0 "G" identity is refused, as it names
   * no PSK in particular. */
  if (identity[5] != 'R' && identity[5] != 'G')
    return key_text_err (err, errlen,
                         "PSK identity: the PSK type is not R (retained) or "
                         "G (generated)");
  if (identity[5] == 'G' && identity[4] != '1')
    return key_text_err (err, errlen,
                         "PSK identity: a generated PSK's identity has "
                         "version 1 (NVMe1G), with a digest");
  if (identity[6] != '0' || (identity[7] != '1' && identity[7] != '2'))
    return key_text_err (err, errlen,
                         "PSK identity: the hash is not 01 (SHA-256) or 02 "
                         "(SHA-384)");
  if (identity[8] != ' ')
    return key_text_err (err, errlen,
                         "PSK identity: no space after \"NVMe%c%c%c%c\"",
                         identity[4], identity[5], identity[6], identity[7]);

  host = identity + 9;
  end = host + strlen (host);
  sp = strchr (host, ' ');
  if (sp == NULL)
    return key_text_err (err, errlen, "PSK identity: no subsystem NQN");
  hlen = (size_t) (sp - host);
  sub = sp + 1;
  sp = strchr (sub, ' ');
  slen = sp ? (size_t) (sp - sub) : (size_t) (end - sub);
  if (sp != NULL) {
    dig = sp + 1;
    dlen = (size_t) (end - dig);
  }
  if (check_nqn ("PSK identity", "host NQN", host, hlen, err, errlen) == -1 ||
      check_nqn ("PSK identity", "subsystem NQN", sub, slen, err, errlen) == -1)
    return -1;
  version = identity[4] - '0';
  hmac = (uint8_t) (identity[7] - '0');
  if (version == 0 && dig != NULL)
    return key_text_err (err, errlen,
                         "PSK identity: a version 0 identity has no digest "
                         "(something follows the subsystem NQN)");
  if (version == 1 && dig == NULL)
    return key_text_err (err, errlen,
                         "PSK identity: a version 1 identity has no digest");
  if (dig != NULL && !valid_digest (hmac, dig, dlen))
    return key_text_err (err, errlen,
                         "PSK identity: the digest is not %zu characters of "
                         "base64 (hash %02u)",
                         4 * ((hash_len (hmac) + 2) / 3), (unsigned) hmac);
  out->version = version;
  out->generated = identity[5] == 'G';
  out->hmac = hmac;
  memcpy (out->hostnqn, host, hlen);
  memcpy (out->subnqn, sub, slen);
  if (dig != NULL)
    memcpy (out->digest, dig, dlen);
  return 0;
}
