/* SPDX-License-Identifier: BSD-3-Clause */
/* DH-HMAC-CHAP (NVMe Base 2.0, 8.13.5): secrets in nvme-cli's
 * "DHHC-1:hh:base64(key || crc32):" form, their transform, the hash
 * functions and FFDHE groups, the augmented challenge and the responses.
 * Shared by the initiator (auth.c) and nvmeof-target; OpenSSL does every
 * computation.  Functions return 0 or -1 with a sentence in err (which
 * never contains key material). */
#ifndef NVMEOF_DHCHAP_H
#define NVMEOF_DHCHAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DHCHAP_KEY_MAX  64   /* longest secret (and digest): SHA-512 */
#define DHCHAP_HASH_MAX 64   /* longest hash output */
#define DHCHAP_DH_MAX   1024 /* longest DH value: ffdhe8192 */

/* A secret as nvme-cli writes it.  hmac is the transform: 0 none,
 * 1 SHA-256, 2 SHA-384, 3 SHA-512 (the "hh" of the text form). */
struct dhchap_key {
  uint8_t hmac;
  size_t len; /* 32, 48 or 64 bytes */
  uint8_t key[DHCHAP_KEY_MAX];
};

/* Parse the text form: prefix "DHHC-1:", hh in 00..03, base64 of the key
 * (32, 48 or 64 bytes) followed by its CRC-32 (little-endian), a final
 * ':'; trailing white space (a newline from a file) is allowed.  err names
 * what is wrong (never the key). */
int dhchap_key_parse (const char *text, struct dhchap_key *key, char *err,
                      size_t errlen);
/* The text form of key into out (at least DHCHAP_KEY_TEXT_MAX bytes). */
#define DHCHAP_KEY_TEXT_MAX 128
int dhchap_key_format (const struct dhchap_key *key, char *out, size_t len,
                       char *err, size_t errlen);
/* A new random secret of len bytes (32, 48, 64) with transform hmac. */
int dhchap_key_generate (uint8_t hmac, size_t len, struct dhchap_key *key,
                         char *err, size_t errlen);
/* The transformed secret (Base 2.0 8.13.5.7): for hmac 0 the key as it is,
 * else HMAC_hash(hmac)(key, nqn || "NVMe-over-Fabrics"), the hash being the
 * key's own.  out holds DHCHAP_KEY_MAX bytes; *outlen receives the length.
 * nqn: the host NQN for a host key, the subsystem NQN for a controller
 * key. */
int dhchap_key_transform (const struct dhchap_key *key, const char *nqn,
                          uint8_t *out, size_t *outlen, char *err,
                          size_t errlen);
/* OPENSSL_cleanse the key. */
void dhchap_key_wipe (struct dhchap_key *key);
/* Words for a key's hmac: "none", "SHA-256", "SHA-384", "SHA-512". */
const char *dhchap_key_hmac_name (uint8_t hmac);

/* Hash functions by their DH-HMAC-CHAP identifier (NVMF_AUTH_HASH_*):
 * output length (32, 48, 64; 0 for an unknown id), name as nvmet's
 * configfs spells it ("hmac(sha256)", NULL for an unknown id), and the id
 * for such a name, or for "sha256"/"sha384"/"sha512" (0 if none). */
size_t dhchap_hash_len (uint8_t hashid);
const char *dhchap_hash_name (uint8_t hashid);
uint8_t dhchap_hash_from_name (const char *name);

/* DH groups by identifier (NVMF_AUTH_DHGROUP_*): name ("null",
 * "ffdhe2048" ... "ffdhe8192", NULL if unknown), the id for a name (-1 if
 * none), and the length of a public value in bytes (the size of the prime:
 * 256 ... 1024; 0 for null). */
const char *dhchap_dhgroup_name (uint8_t dhgid);
int dhchap_dhgroup_from_name (const char *name);
size_t dhchap_dhgroup_value_len (uint8_t dhgid);

/* HMAC with the hash of hashid over the concatenation of n parts.  out
 * holds dhchap_hash_len (hashid) bytes. */
struct dhchap_part {
  const void *data;
  size_t len;
};
int dhchap_hmac (uint8_t hashid, const uint8_t *key, size_t keylen,
                 const struct dhchap_part *parts, size_t n, uint8_t *out,
                 char *err, size_t errlen);
/* Fill buf with len random bytes (RAND_bytes). */
int dhchap_random (void *buf, size_t len, char *err, size_t errlen);

/* An ephemeral FFDHE key pair (RFC 7919 group, through OpenSSL). */
struct dhchap_dh;
struct dhchap_dh *dhchap_dh_new (uint8_t dhgid, char *err, size_t errlen);
void dhchap_dh_free (struct dhchap_dh *dh);
/* Our public value g^x mod p, big-endian, left-padded with zeroes to
 * exactly dhchap_dhgroup_value_len () bytes (len must be that). */
int dhchap_dh_public (struct dhchap_dh *dh, uint8_t *out, size_t len, char *err,
                      size_t errlen);
/* The shared secret g^xy mod p from the peer's public value (which must
 * be exactly the group's length and pass OpenSSL's checks: 1 < y < p-1 and
 * in the subgroup), big-endian and padded to the group's length, into out
 * (len must be the group's length). */
int dhchap_dh_shared (struct dhchap_dh *dh, const uint8_t *peer, size_t peerlen,
                      uint8_t *out, size_t len, char *err, size_t errlen);

/* The augmented challenge C' = HMAC_H(H(shared), C), hl bytes in and out
 * (H the negotiated hash). */
int dhchap_augment (uint8_t hashid, const uint8_t *shared, size_t sharedlen,
                    const uint8_t *chal, uint8_t *out, char *err,
                    size_t errlen);

/* The host's response R1 (ctrl false) or the controller's R2 (ctrl true):
 *   R1 = HMAC_H(Kh', C1 || le32 S1 || le16 T_ID || SC_C || "HostHost" ||
 *               hostnqn || 0x00 || subnqn)
 *   R2 = HMAC_H(Kc', C2 || le32 S2 || le16 T_ID || SC_C || "Controller" ||
 *               subnqn || 0x00 || hostnqn)
 * with key the transformed secret, chal the (augmented, if a DH group is
 * used) challenge of dhchap_hash_len (hashid) bytes, out the same length. */
int dhchap_response (uint8_t hashid, bool ctrl, const uint8_t *key,
                     size_t keylen, const uint8_t *chal, uint32_t seqnum,
                     uint16_t t_id, uint8_t sc_c, const char *hostnqn,
                     const char *subnqn, uint8_t *out, char *err,
                     size_t errlen);

/* Words for a Failure1/Failure2 reason code explanation
 * (NVMF_AUTH_RCE_*): "authentication failed", "hash function not
 * usable" ... */
const char *dhchap_failure_string (uint8_t rce);

/* For dhchap*.c: print a message into err (if errlen > 0); returns -1. */
int dhchap_err (char *err, size_t errlen, const char *fmt, ...)
  __attribute__((__format__ (__printf__, 3, 4)));

#endif /* NVMEOF_DHCHAP_H */
