/* SPDX-License-Identifier: BSD-3-Clause */
/* NVMe/TCP TLS pre-shared keys (NVMe/TCP transport specification 3.6.1;
 * NVMe Base 2.0 8.13.5.9 for the keys secure channel concatenation
 * generates): the configured PSK in the interchange format
 * "NVMeTLSkey-1:hh:base64(psk || crc32):", the retained PSK and the TLS
 * PSK derived from it by HKDF, the PSK digest, and the PSK identities
 * "NVMe0R0h <hostnqn> <subnqn>" and "NVMe1R0h <hostnqn> <subnqn>
 * <digest>" ("NVMe1G0h ..." for a generated PSK, tls-psk-gen.c).  Shared by the initiator and nvmeof-target; OpenSSL does the
 * computations.  Functions return 0 or -1 with a sentence in err that
 * never contains key material. */
#ifndef NVMEOF_TLS_PSK_H
#define NVMEOF_TLS_PSK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tls-session.h"

/* A configured PSK.  hmac: 1 SHA-256 (32 bytes), 2 SHA-384 (48 bytes);
 * the "hh" of the interchange format (00, 32 or 48 bytes, as libnvme and
 * SPDK treat it: the configured PSK is the retained PSK, and the length
 * gives the identity's hash; see tls-psk.c). */
struct tls_psk_key {
  uint8_t hmac;
  size_t len;
  uint8_t key[TLS_PSK_KEY_MAX];
};

/* Parse the interchange format (CRC-32 and length checked; trailing white
 * space allowed). */
int tls_psk_parse (const char *text, struct tls_psk_key *key, char *err,
                   size_t errlen);
#define TLS_PSK_TEXT_MAX 128
int tls_psk_format (const struct tls_psk_key *key, char *out, size_t len,
                    char *err, size_t errlen);
/* A new random configured PSK with this hmac (1 or 2). */
int tls_psk_generate (uint8_t hmac, struct tls_psk_key *key, char *err,
                      size_t errlen);
void tls_psk_wipe (struct tls_psk_key *key);

/* Everything a connection needs from a configured PSK: the identity
 * (version 0 or 1) and the derived TLS PSK, for hostnqn and subnqn. */
int tls_psk_derive (const struct tls_psk_key *configured, int version,
                    const char *hostnqn, const char *subnqn,
                    struct tls_psk *out, char *err, size_t errlen);
/* The same with libnvme 1.7-1.15's HKDF-Expand-Label (info = le16 L,
 * "tls13 " label, context: no length bytes), which nvme-cli up to 2.15
 * used to fill keyrings and 2.16 keeps as --compat.  The identity is the
 * same for version 0, its digest differs for version 1. */
int tls_psk_derive_compat (const struct tls_psk_key *configured, int version,
                           const char *hostnqn, const char *subnqn,
                           struct tls_psk *out, char *err, size_t errlen);

/* The steps, for tests and for the target (which derives per identity):
 * the retained PSK (HKDF-Extract then HKDF-Expand-Label "HostNQN" with the
 * host NQN), the PSK digest (base64 of an HMAC over the NQNs), and the
 * TLS PSK (HKDF-Expand-Label "nvme-tls-psk" over "hh digest"). */
int tls_psk_retained (const struct tls_psk_key *configured, const char *hostnqn,
                      uint8_t *out, size_t *outlen, char *err, size_t errlen);
int tls_psk_digest (uint8_t hmac, const uint8_t *retained, size_t len,
                    const char *hostnqn, const char *subnqn, char *out,
                    size_t outlen, char *err, size_t errlen);
int tls_psk_tls_key (uint8_t hmac, const uint8_t *retained, size_t len,
                     const char *digest, uint8_t *out, size_t *outlen,
                     char *err, size_t errlen);
/* The TLS PSK of a version 0 identity: the context is the identity itself
 * ("NVMe0R0h <hostnqn> <subnqn>", at most 255 bytes). */
int tls_psk_tls_key_v0 (uint8_t hmac, const uint8_t *retained, size_t len,
                        const char *identity, uint8_t *out, size_t *outlen,
                        char *err, size_t errlen);
/* In all of these hmac is the identity's hash (1 or 2), and retained and
 * out are that hash's length. */

/* HKDF (RFC 5869) with hmac's hash, for the above and their tests:
 * Extract with a zero salt into prk (the hash's length), and TLS 1.3's
 * HKDF-Expand-Label (RFC 8446 7.1; label without "tls13 ", context at most
 * 255 bytes). */
int tls_hkdf_extract (uint8_t hmac, const uint8_t *ikm, size_t ikmlen,
                      uint8_t *prk, char *err, size_t errlen);
int tls_hkdf_expand_label (uint8_t hmac, const uint8_t *prk, const char *label,
                           const void *context, size_t contextlen, uint8_t *out,
                           size_t outlen, char *err, size_t errlen);

/* Secure channel concatenation (tls-psk-gen.c): the generated PSK,
 * HMAC_H (KS, C1 || C2) with H the DH-HMAC-CHAP hash (hashid 1..3), KS the
 * DH session key, C1 and C2 the challenges (the hash's length each), into
 * out (DHCHAP_HASH_MAX bytes); and what a connection needs from it: the
 * identity "NVMe1G0h <hostnqn> <subnqn> <digest>" and the TLS PSK, derived
 * as from a retained PSK (hashid 1 or 2 only: SHA-512 has no TLS cipher
 * suite). */
int tls_psk_concat_generate (uint8_t hashid, const uint8_t *ks, size_t kslen,
                             const uint8_t *c1, const uint8_t *c2, uint8_t *out,
                             size_t *outlen, char *err, size_t errlen);
int tls_psk_concat_derive (uint8_t hashid, const uint8_t *gen, size_t len,
                           const char *hostnqn, const char *subnqn,
                           struct tls_psk *out, char *err, size_t errlen);

/* Split an identity a client offers: version, PSK type (retained 'R' or
 * generated 'G', secure channel concatenation), hmac, the NQNs and
 * (version 1) the digest, each checked; -1 with err if it is not an NVMe
 * identity.  hostnqn and subnqn hold 224 bytes + NUL, digest 128 + NUL. */
struct tls_psk_identity {
  int version;
  bool generated; /* 'G': the PSK of a DH-HMAC-CHAP exchange */
  uint8_t hmac;
  char hostnqn[224];
  char subnqn[224];
  char digest[129];
};
int tls_psk_identity_parse (const char *identity, struct tls_psk_identity *out,
                            char *err, size_t errlen);

#endif /* NVMEOF_TLS_PSK_H */
