/* SPDX-License-Identifier: BSD-3-Clause */
/* DH-HMAC-CHAP computations (NVMe Base 2.0, 8.13.5) through OpenSSL 3: the
 * hash and DH group tables, HMAC, FFDHE key agreement, the augmented
 * challenge and the responses.  The secrets' text form is in
 * dhchap-key.c.  Every intermediate secret is cleansed before return. */
#include <config.h>

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/dh.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rand.h>

#include "dhchap.h"
#include "nvmf-wire.h"

int
dhchap_err (char *err, size_t errlen, const char *fmt, ...)
{
  va_list ap;

  if (err != NULL && errlen > 0) {
    va_start (ap, fmt);
    vsnprintf (err, errlen, fmt, ap);
    va_end (ap);
  }
  return -1;
}

/* The same, ending with OpenSSL's reason for the failure (its queue is
 * per thread: empty it so that a later failure does not show this one). */
static int
ossl_err (char *err, size_t errlen, const char *what)
{
  unsigned long e = ERR_peek_last_error ();
  char reason[160] = "";

  if (e != 0)
    ERR_error_string_n (e, reason, sizeof reason);
  ERR_clear_error ();
  return dhchap_err (err, errlen, "%s failed%s%s", what, e ? ": " : "", reason);
}

/* ---- Hash functions and DH groups --------------------------------------- */

static const struct {
  const char *hmac;   /* nvmet configfs spelling */
  const char *digest; /* short name, also accepted */
  const char *ossl;   /* OpenSSL's name */
  size_t len;
} hashes[] = {
  [NVMF_AUTH_HASH_SHA256] = { "hmac(sha256)", "sha256", "SHA256", 32 },
  [NVMF_AUTH_HASH_SHA384] = { "hmac(sha384)", "sha384", "SHA384", 48 },
  [NVMF_AUTH_HASH_SHA512] = { "hmac(sha512)", "sha512", "SHA512", 64 },
};
#define NR_HASHES (sizeof hashes / sizeof hashes[0])

static const struct {
  const char *name; /* also OpenSSL's group name */
  size_t len;
} dhgroups[] = {
  [NVMF_AUTH_DHGROUP_NULL] = { "null", 0 },
  [NVMF_AUTH_DHGROUP_2048] = { "ffdhe2048", 256 },
  [NVMF_AUTH_DHGROUP_3072] = { "ffdhe3072", 384 },
  [NVMF_AUTH_DHGROUP_4096] = { "ffdhe4096", 512 },
  [NVMF_AUTH_DHGROUP_6144] = { "ffdhe6144", 768 },
  [NVMF_AUTH_DHGROUP_8192] = { "ffdhe8192", 1024 },
};
#define NR_DHGROUPS (sizeof dhgroups / sizeof dhgroups[0])

size_t
dhchap_hash_len (uint8_t hashid)
{
  return hashid < NR_HASHES && hashes[hashid].hmac ? hashes[hashid].len : 0;
}

const char *
dhchap_hash_name (uint8_t hashid)
{
  return hashid < NR_HASHES ? hashes[hashid].hmac : NULL;
}

uint8_t
dhchap_hash_from_name (const char *name)
{
  size_t i;

  if (name == NULL)
    return 0;
  for (i = 0; i < NR_HASHES; i++)
    if (hashes[i].hmac && (strcmp (name, hashes[i].hmac) == 0 ||
                           strcmp (name, hashes[i].digest) == 0))
      return (uint8_t) i;
  return 0;
}

const char *
dhchap_dhgroup_name (uint8_t dhgid)
{
  return dhgid < NR_DHGROUPS ? dhgroups[dhgid].name : NULL;
}

int
dhchap_dhgroup_from_name (const char *name)
{
  size_t i;

  if (name == NULL)
    return -1;
  for (i = 0; i < NR_DHGROUPS; i++)
    if (strcmp (name, dhgroups[i].name) == 0)
      return (int) i;
  return -1;
}

size_t
dhchap_dhgroup_value_len (uint8_t dhgid)
{
  return dhgid < NR_DHGROUPS ? dhgroups[dhgid].len : 0;
}

/* ---- HMAC, digests, random bytes ---------------------------------------- */

int
dhchap_hmac (uint8_t hashid, const uint8_t *key, size_t keylen,
             const struct dhchap_part *parts, size_t n, uint8_t *out, char *err,
             size_t errlen)
{
  EVP_MAC *mac = NULL;
  EVP_MAC_CTX *ctx = NULL;
  OSSL_PARAM params[2];
  size_t i, outlen = 0, hl = dhchap_hash_len (hashid);
  int r = -1;

  if (hl == 0)
    return dhchap_err (err, errlen, "HMAC: unknown hash function %u", hashid);
  /* OpenSSL takes a NULL key as "keep the previous one". */
  if (key == NULL || keylen == 0)
    return dhchap_err (err, errlen, "HMAC: empty key");
  if (out == NULL || (n > 0 && parts == NULL))
    return dhchap_err (err, errlen, "HMAC: no buffer");

  mac = EVP_MAC_fetch (NULL, "HMAC", NULL);
  if (mac == NULL) {
    ossl_err (err, errlen, "HMAC: EVP_MAC_fetch");
    goto out;
  }
  ctx = EVP_MAC_CTX_new (mac);
  if (ctx == NULL) {
    ossl_err (err, errlen, "HMAC: EVP_MAC_CTX_new");
    goto out;
  }
  params[0] = OSSL_PARAM_construct_utf8_string (
    OSSL_MAC_PARAM_DIGEST, (char *) hashes[hashid].ossl, 0);
  params[1] = OSSL_PARAM_construct_end ();
  if (EVP_MAC_init (ctx, key, keylen, params) != 1) {
    ossl_err (err, errlen, "HMAC: EVP_MAC_init");
    goto out;
  }
  for (i = 0; i < n; i++) {
    if (parts[i].len == 0)
      continue;
    if (parts[i].data == NULL) {
      dhchap_err (err, errlen, "HMAC: part %zu has no data", i);
      goto out;
    }
    if (EVP_MAC_update (ctx, parts[i].data, parts[i].len) != 1) {
      ossl_err (err, errlen, "HMAC: EVP_MAC_update");
      goto out;
    }
  }
  if (EVP_MAC_final (ctx, out, &outlen, hl) != 1) {
    ossl_err (err, errlen, "HMAC: EVP_MAC_final");
    goto out;
  }
  if (outlen != hl) {
    OPENSSL_cleanse (out, outlen);
    dhchap_err (err, errlen, "HMAC: %zu bytes instead of %zu", outlen, hl);
    goto out;
  }
  r = 0;

out:
  EVP_MAC_CTX_free (ctx); /* cleanses the keyed state */
  EVP_MAC_free (mac);
  return r;
}

/* H(data): the plain digest of hashid, out holds its length. */
static int
digest (uint8_t hashid, const uint8_t *data, size_t len, uint8_t *out,
        char *err, size_t errlen)
{
  unsigned int outlen = 0;
  EVP_MD *md;
  int ok;

  md = EVP_MD_fetch (NULL, hashes[hashid].ossl, NULL);
  if (md == NULL)
    return ossl_err (err, errlen, "EVP_MD_fetch");
  ok = EVP_Digest (data, len, out, &outlen, md, NULL);
  EVP_MD_free (md);
  if (ok != 1)
    return ossl_err (err, errlen, "EVP_Digest");
  if (outlen != dhchap_hash_len (hashid))
    return dhchap_err (err, errlen, "digest: %u bytes instead of %zu", outlen,
                       dhchap_hash_len (hashid));
  return 0;
}

int
dhchap_random (void *buf, size_t len, char *err, size_t errlen)
{
  if (len == 0)
    return 0;
  if (buf == NULL || len > (size_t) 0x7fffffff)
    return dhchap_err (err, errlen, "random: bad buffer");
  if (RAND_bytes (buf, (int) len) != 1)
    return ossl_err (err, errlen, "RAND_bytes");
  return 0;
}

/* ---- FFDHE key agreement ------------------------------------------------- */

struct dhchap_dh {
  uint8_t dhgid;
  size_t len;    /* bytes of p, of a public value, of the shared secret */
  EVP_PKEY *key; /* our ephemeral key pair */
};

struct dhchap_dh *
dhchap_dh_new (uint8_t dhgid, char *err, size_t errlen)
{
  struct dhchap_dh *dh;
  EVP_PKEY_CTX *ctx;
  OSSL_PARAM params[2];
  const char *group = dhchap_dhgroup_name (dhgid);

  if (group == NULL || dhgid == NVMF_AUTH_DHGROUP_NULL) {
    dhchap_err (err, errlen, "DH: no key pair for DH group %u (%s)", dhgid,
                group ? group : "unknown");
    return NULL;
  }
  dh = OPENSSL_zalloc (sizeof *dh);
  if (dh == NULL) {
    ossl_err (err, errlen, "DH: allocation");
    return NULL;
  }
  dh->dhgid = dhgid;
  dh->len = dhchap_dhgroup_value_len (dhgid);
  ctx = EVP_PKEY_CTX_new_from_name (NULL, "DH", NULL);
  if (ctx == NULL || EVP_PKEY_keygen_init (ctx) != 1) {
    ossl_err (err, errlen, "DH: EVP_PKEY_keygen_init");
    goto fail;
  }
  /* The RFC 7919 group by name: OpenSSL knows p, g and q. */
  params[0] = OSSL_PARAM_construct_utf8_string (OSSL_PKEY_PARAM_GROUP_NAME,
                                                (char *) group, 0);
  params[1] = OSSL_PARAM_construct_end ();
  if (EVP_PKEY_CTX_set_params (ctx, params) != 1) {
    ossl_err (err, errlen, "DH: setting the group");
    goto fail;
  }
  if (EVP_PKEY_generate (ctx, &dh->key) != 1) {
    ossl_err (err, errlen, "DH: EVP_PKEY_generate");
    goto fail;
  }
  EVP_PKEY_CTX_free (ctx);
  return dh;

fail:
  EVP_PKEY_CTX_free (ctx);
  dhchap_dh_free (dh);
  return NULL;
}

void
dhchap_dh_free (struct dhchap_dh *dh)
{
  if (dh == NULL)
    return;
  EVP_PKEY_free (dh->key); /* clears the private key */
  OPENSSL_free (dh);
}

int
dhchap_dh_public (struct dhchap_dh *dh, uint8_t *out, size_t len, char *err,
                  size_t errlen)
{
  BIGNUM *pub = NULL;
  int r = -1;

  if (dh == NULL || out == NULL)
    return dhchap_err (err, errlen, "DH: no key pair");
  if (len != dh->len)
    return dhchap_err (err, errlen,
                       "DH: a %s public value has %zu bytes, not %zu",
                       dhchap_dhgroup_name (dh->dhgid), dh->len, len);
  if (EVP_PKEY_get_bn_param (dh->key, OSSL_PKEY_PARAM_PUB_KEY, &pub) != 1)
    return ossl_err (err, errlen, "DH: reading our public value");
  /* Left-padded to the size of p, as the peer expects exactly that. */
  if (BN_bn2binpad (pub, out, (int) len) != (int) len)
    dhchap_err (err, errlen, "DH: our public value does not fit %zu bytes",
                len);
  else
    r = 0;
  BN_free (pub);
  return r;
}

/* The peer's public value as a key of our group, after the range check
 * 1 < y < p-1 that RFC 7919 (5.1) asks for.  The RFC 7919 primes are safe
 * primes, whose only small subgroups (orders 1 and 2) the range excludes;
 * OpenSSL's full check (y^q = 1) would add a modular exponentiation with a
 * full-size exponent: 280 ms per queue for ffdhe8192, 10 times the rest
 * of the exchange. */
static EVP_PKEY *
peer_key (struct dhchap_dh *dh, const uint8_t *peer, size_t peerlen, char *err,
          size_t errlen)
{
  const char *group = dhchap_dhgroup_name (dh->dhgid);
  BIGNUM *y = NULL, *p = NULL, *pm1 = NULL;
  OSSL_PARAM_BLD *bld = NULL;
  OSSL_PARAM *params = NULL;
  EVP_PKEY_CTX *ctx = NULL;
  EVP_PKEY *key = NULL;

  y = BN_bin2bn (peer, (int) peerlen, NULL);
  if (y == NULL ||
      EVP_PKEY_get_bn_param (dh->key, OSSL_PKEY_PARAM_FFC_P, &p) != 1 ||
      (pm1 = BN_dup (p)) == NULL || BN_sub_word (pm1, 1) != 1) {
    ossl_err (err, errlen, "DH: reading the peer's value");
    goto out;
  }
  if (BN_cmp (y, BN_value_one ()) <= 0 || BN_cmp (y, pm1) >= 0) {
    dhchap_err (err, errlen,
                "DH: the peer's %s value is out of range (not 1 < y < p-1)",
                group);
    goto out;
  }
  bld = OSSL_PARAM_BLD_new ();
  if (bld == NULL ||
      OSSL_PARAM_BLD_push_utf8_string (bld, OSSL_PKEY_PARAM_GROUP_NAME, group,
                                       0) != 1 ||
      OSSL_PARAM_BLD_push_BN (bld, OSSL_PKEY_PARAM_PUB_KEY, y) != 1 ||
      (params = OSSL_PARAM_BLD_to_param (bld)) == NULL) {
    ossl_err (err, errlen, "DH: building the peer's key");
    goto out;
  }
  ctx = EVP_PKEY_CTX_new_from_name (NULL, "DH", NULL);
  if (ctx == NULL || EVP_PKEY_fromdata_init (ctx) != 1 ||
      EVP_PKEY_fromdata (ctx, &key, EVP_PKEY_PUBLIC_KEY, params) != 1) {
    ossl_err (err, errlen, "DH: importing the peer's value");
    goto out;
  }

out:
  EVP_PKEY_CTX_free (ctx);
  OSSL_PARAM_free (params);
  OSSL_PARAM_BLD_free (bld);
  BN_free (pm1);
  BN_free (p);
  BN_free (y);
  return key;
}

int
dhchap_dh_shared (struct dhchap_dh *dh, const uint8_t *peer, size_t peerlen,
                  uint8_t *out, size_t len, char *err, size_t errlen)
{
  EVP_PKEY *pkey;
  EVP_PKEY_CTX *ctx = NULL;
  size_t outlen;
  int r = -1;

  if (dh == NULL || peer == NULL || out == NULL)
    return dhchap_err (err, errlen, "DH: no key pair or peer value");
  if (peerlen != dh->len)
    return dhchap_err (err, errlen,
                       "DH: the peer's %s value has %zu bytes, not %zu",
                       dhchap_dhgroup_name (dh->dhgid), peerlen, dh->len);
  if (len != dh->len)
    return dhchap_err (err, errlen,
                       "DH: a %s shared secret has %zu bytes, not %zu",
                       dhchap_dhgroup_name (dh->dhgid), dh->len, len);
  pkey = peer_key (dh, peer, peerlen, err, errlen);
  if (pkey == NULL)
    return -1;
  ctx = EVP_PKEY_CTX_new_from_pkey (NULL, dh->key, NULL);
  if (ctx == NULL || EVP_PKEY_derive_init (ctx) != 1) {
    ossl_err (err, errlen, "DH: EVP_PKEY_derive_init");
    goto out;
  }
  /* Without padding OpenSSL strips leading zero bytes; the secret is
   * hashed as the full-length big-endian number (as Linux computes it). */
  if (EVP_PKEY_CTX_set_dh_pad (ctx, 1) != 1) {
    ossl_err (err, errlen, "DH: EVP_PKEY_CTX_set_dh_pad");
    goto out;
  }
  /* Validated above (the range check): OpenSSL's own check is the full
   * one. */
  if (EVP_PKEY_derive_set_peer_ex (ctx, pkey, 0) != 1) {
    ossl_err (err, errlen, "DH: EVP_PKEY_derive_set_peer");
    goto out;
  }
  outlen = len;
  if (EVP_PKEY_derive (ctx, out, &outlen) != 1) {
    ossl_err (err, errlen, "DH: EVP_PKEY_derive");
    goto out;
  }
  if (outlen != len) {
    OPENSSL_cleanse (out, len);
    dhchap_err (err, errlen, "DH: a shared secret of %zu bytes, not %zu",
                outlen, len);
    goto out;
  }
  r = 0;

out:
  EVP_PKEY_CTX_free (ctx);
  EVP_PKEY_free (pkey);
  return r;
}

/* ---- Challenges and responses ------------------------------------------- */

int
dhchap_augment (uint8_t hashid, const uint8_t *shared, size_t sharedlen,
                const uint8_t *chal, uint8_t *out, char *err, size_t errlen)
{
  uint8_t hashed[DHCHAP_HASH_MAX];
  size_t hl = dhchap_hash_len (hashid);
  struct dhchap_part part = { chal, hl };
  int r;

  if (hl == 0)
    return dhchap_err (err, errlen,
                       "augmented challenge: unknown hash function %u", hashid);
  if (shared == NULL || sharedlen == 0 || chal == NULL || out == NULL)
    return dhchap_err (err, errlen,
                       "augmented challenge: no shared secret or challenge");
  /* C' = HMAC_H(H(g^xy), C): the key is the hash of the shared secret. */
  if (digest (hashid, shared, sharedlen, hashed, err, errlen) == -1)
    return -1;
  r = dhchap_hmac (hashid, hashed, hl, &part, 1, out, err, errlen);
  OPENSSL_cleanse (hashed, sizeof hashed);
  return r;
}

#define NQN_MAX 223 /* NVMe Base 4.5: an NQN has at most 223 bytes */

int
dhchap_response (uint8_t hashid, bool ctrl, const uint8_t *key, size_t keylen,
                 const uint8_t *chal, uint32_t seqnum, uint16_t t_id,
                 uint8_t sc_c, const char *hostnqn, const char *subnqn,
                 uint8_t *out, char *err, size_t errlen)
{
  const char *who = ctrl ? "controller response" : "host response";
  const char *nqn1 = ctrl ? subnqn : hostnqn;
  const char *nqn2 = ctrl ? hostnqn : subnqn;
  size_t hl = dhchap_hash_len (hashid);
  uint8_t seq[4], tid[2];
  static const uint8_t zero = 0;
  struct dhchap_part parts[8];

  if (hl == 0)
    return dhchap_err (err, errlen, "%s: unknown hash function %u", who,
                       hashid);
  if (chal == NULL || out == NULL)
    return dhchap_err (err, errlen, "%s: no challenge", who);
  if (hostnqn == NULL || subnqn == NULL)
    return dhchap_err (err, errlen, "%s: no host or subsystem NQN", who);
  if (strnlen (hostnqn, NQN_MAX + 1) > NQN_MAX ||
      strnlen (subnqn, NQN_MAX + 1) > NQN_MAX)
    return dhchap_err (err, errlen, "%s: an NQN is longer than %d bytes", who,
                       NQN_MAX);

  seq[0] = (uint8_t) seqnum;
  seq[1] = (uint8_t) (seqnum >> 8);
  seq[2] = (uint8_t) (seqnum >> 16);
  seq[3] = (uint8_t) (seqnum >> 24);
  tid[0] = (uint8_t) t_id;
  tid[1] = (uint8_t) (t_id >> 8);
  /* C || le32 S || le16 T_ID || SC_C || "HostHost" or "Controller" ||
   * NQN || 0x00 || NQN: the NQNs without their terminating NUL. */
  parts[0] = (struct dhchap_part){ chal, hl };
  parts[1] = (struct dhchap_part){ seq, sizeof seq };
  parts[2] = (struct dhchap_part){ tid, sizeof tid };
  parts[3] = (struct dhchap_part){ &sc_c, 1 };
  parts[4] = ctrl ? (struct dhchap_part){ "Controller", 10 } :
                    (struct dhchap_part){ "HostHost", 8 };
  parts[5] = (struct dhchap_part){ nqn1, strlen (nqn1) };
  parts[6] = (struct dhchap_part){ &zero, 1 };
  parts[7] = (struct dhchap_part){ nqn2, strlen (nqn2) };
  if (dhchap_hmac (hashid, key, keylen, parts, 8, out, err, errlen) == -1)
    return -1;
  return 0;
}

const char *
dhchap_failure_string (uint8_t rce)
{
  switch (rce) {
  case NVMF_AUTH_RCE_FAILED:
    return "authentication failed";
  case NVMF_AUTH_RCE_PROTO_UNUSABLE:
    return "authentication protocol not usable";
  case NVMF_AUTH_RCE_SCC_MISMATCH:
    return "secure channel concatenation mismatch";
  case NVMF_AUTH_RCE_HASH_UNUSABLE:
    return "hash function not usable";
  case NVMF_AUTH_RCE_DHGROUP_UNUSABLE:
    return "DH group not usable";
  case NVMF_AUTH_RCE_INCORRECT_PAYLOAD:
    return "incorrect payload";
  case NVMF_AUTH_RCE_INCORRECT_PROTO:
    return "incorrect protocol message";
  default:
    return "unknown reason";
  }
}
