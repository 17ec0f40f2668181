/* SPDX-License-Identifier: BSD-3-Clause */
/* The text form that DH-HMAC-CHAP secrets ("DHHC-1:hh:...:", dhchap-key.c)
 * and NVMe/TCP TLS PSKs ("NVMeTLSkey-1:hh:...:", tls-psk.c) share:
 *   PREFIX hh ":" base64 (key || le32 CRC-32 (key)) ":"
 * with hh two hex digits.  Only the prefix, the allowed hh and the allowed
 * lengths differ, so one parser serves both.  Messages never contain key
 * material (not even the CRCs, which are derived from the key). */
#ifndef NVMEOF_KEY_TEXT_H
#define NVMEOF_KEY_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KEY_TEXT_KEY_MAX 64 /* longest key either form holds */
#define KEY_TEXT_CRC_LEN 4

struct key_text_fmt {
  const char *prefix; /* "DHHC-1:" */
  const char *what;   /* starts each message: "DH-HMAC-CHAP key" */
  const char *writer; /* "nvme gen-dhchap-key", for a wrong prefix */
  uint8_t max_hh;     /* largest hh allowed */
  const char *hh_ok;  /* "00 (none), 01 (SHA-256) ..." */
  /* 0 if a key of len bytes may carry hh, else -1 after a message (with
   * key_text_err) starting with what. */
  int (*check_len) (uint8_t hh, size_t len, char *err, size_t errlen);
};

/* Parse text (trailing white space allowed) into hh and key (keycap bytes,
 * at least the longest length check_len allows); *keylen receives the
 * length.  On failure nothing is left in key. */
int key_text_parse (const struct key_text_fmt *f, const char *text, uint8_t *hh,
                    uint8_t *key, size_t keycap, size_t *keylen, char *err,
                    size_t errlen);
/* The text form of key into out (NUL-terminated), after check_len. */
int key_text_format (const struct key_text_fmt *f, uint8_t hh,
                     const uint8_t *key, size_t len, char *out, size_t outlen,
                     char *err, size_t errlen);

/* The IEEE CRC-32 of RFC 1952 (zlib's crc32; Linux's ~crc32 (~0, ...)). */
uint32_t key_text_crc32 (const uint8_t *p, size_t len);
/* Standard base64 with padding of len bytes into out, which holds
 * 4 * ((len + 2) / 3) + 1 bytes; returns the characters written. */
size_t key_text_base64 (const uint8_t *p, size_t len, char *out);
/* True if c is in the standard base64 alphabet (not '='). */
bool key_text_is_base64 (char c);

/* Print a message into err (if errlen > 0); returns -1. */
int key_text_err (char *err, size_t errlen, const char *fmt, ...)
  __attribute__((__format__ (__printf__, 3, 4)));

#endif
