/* SPDX-License-Identifier: BSD-3-Clause */
/* The PSK that secure channel concatenation generates (NVMe Base 2.1,
 * 8.3.4.3 and 8.3.5.5.9 "Generated PSK for TLS"), as Linux computes it
 * (drivers/nvme/common/auth.c: nvme_auth_generate_psk,
 * nvme_auth_generate_digest, nvme_auth_derive_tls_psk; both ends use them):
 *
 *   generated PSK = HMAC_H (KS, C1 || C2)
 *     H the hash the DH-HMAC-CHAP_Challenge chose, KS the session key (the
 *     DH shared value g^xy mod p, big-endian, as long as p), C1 and C2 the
 *     challenges as sent (not augmented);
 *   digest        = base64 (HMAC_H (generated, hostnqn " " subnqn " "
 *                   "NVMe-over-Fabrics"));
 *   identity      = "NVMe1G0h <hostnqn> <subnqn> <digest>";
 *   TLS PSK       = HKDF-Expand-Label (HKDF-Extract (0, generated),
 *                   "nvme-tls-psk", "0h <digest>", L)
 *
 * that is, the generated PSK takes the place of a retained PSK in the
 * version 1 derivation (tls-psk.c).  h is H's identifier: 01 (SHA-256) or
 * 02 (SHA-384); SHA-512 gives a generated PSK but no TLS cipher suite, so
 * no TLS PSK (Linux fails the same way). */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "dhchap.h"
#include "key-text.h"
#include "nvmf-wire.h"
#include "tls-psk.h"

int
tls_psk_concat_generate (uint8_t hashid, const uint8_t *ks, size_t kslen,
                         const uint8_t *c1, const uint8_t *c2, uint8_t *out,
                         size_t *outlen, char *err, size_t errlen)
{
  size_t hl = dhchap_hash_len (hashid);
  struct dhchap_part parts[2];

  if (hl == 0)
    return key_text_err (err, errlen, "generated PSK: unknown hash function %u",
                         hashid);
  if (ks == NULL || kslen == 0)
    return key_text_err (err, errlen,
                         "generated PSK: no session key (the null DH group "
                         "has none)");
  if (c1 == NULL || c2 == NULL || out == NULL || outlen == NULL)
    return key_text_err (err, errlen, "generated PSK: bad arguments");
  parts[0] = (struct dhchap_part){ c1, hl };
  parts[1] = (struct dhchap_part){ c2, hl };
  if (dhchap_hmac (hashid, ks, kslen, parts, 2, out, err, errlen) == -1)
    return -1;
  *outlen = hl;
  return 0;
}

int
tls_psk_concat_derive (uint8_t hashid, const uint8_t *gen, size_t len,
                       const char *hostnqn, const char *subnqn,
                       struct tls_psk *out, char *err, size_t errlen)
{
  char digest[TLS_PSK_KEY_MAX / 3 * 4 + 1];
  size_t n;
  int r;

  if (out == NULL)
    return key_text_err (err, errlen, "generated PSK: nowhere to put it");
  memset (out, 0, sizeof *out);
  if (hashid != NVMF_AUTH_HASH_SHA256 && hashid != NVMF_AUTH_HASH_SHA384)
    return key_text_err (err, errlen,
                         "generated PSK: %s gives no TLS PSK (only "
                         "hmac(sha256) and hmac(sha384) have a TLS 1.3 "
                         "cipher suite)",
                         dhchap_hash_name (hashid) ? dhchap_hash_name (hashid) :
                                                     "this hash");
  /* The DH-HMAC-CHAP hash identifiers 01h and 02h are the identity's. */
  r = tls_psk_digest (hashid, gen, len, hostnqn, subnqn, digest, sizeof digest,
                      err, errlen);
  if (r == 0)
    r = tls_psk_tls_key (hashid, gen, len, digest, out->key, &n, err, errlen);
  if (r == 0 &&
      (size_t) snprintf (out->identity, sizeof out->identity,
                         "NVMe1G%02u %s %s %s", (unsigned) hashid, hostnqn,
                         subnqn, digest) >= sizeof out->identity)
    r = key_text_err (err, errlen, "generated PSK: the identity is too long");
  if (r == 0) {
    out->hmac = hashid;
    out->len = n;
  }
  else
    OPENSSL_cleanse (out, sizeof *out);
  return r;
}
