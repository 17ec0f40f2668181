/* SPDX-License-Identifier: BSD-3-Clause */
/* Fuzz target for the DH-HMAC-CHAP secret parser (dhchap_key_parse).
 * Every input is accepted or refused with one bounded line that starts
 * "DH-HMAC-CHAP key: ", leaves no key behind and quotes nothing of the
 * encoded part; an accepted key is well formed, its text form parses
 * back to the same key, and it transforms.
 *
 * libFuzzer: scripts/fuzz.sh (make fuzz) builds and runs it.
 * Built-in driver (no libFuzzer, the unit test "unit/fuzz-dhchap-key"):
 *   see driver.c.
 */
#include <config.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dhchap.h"
#include "driver.h"

static bool
is_b64 (char c)
{
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
         (c >= '0' && c <= '9') || c == '+' || c == '/';
}

/* No run of 12 base64 characters of the input after "DHHC-1:hh:" shows in
 * the message (the messages' own words are shorter). */
static void
check_quotes_nothing (const char *s, const char *err)
{
  size_t len = strlen (s), i, run = 0;
  char probe[13];

  for (i = 10; i < len; i++) {
    run = is_b64 (s[i]) ? run + 1 : 0;
    if (run >= 12) {
      memcpy (probe, s + i - 11, 12);
      probe[12] = '\0';
      if (strstr (err, probe))
        FAILED ("the message quotes the key: %s", err);
    }
  }
}

static void
check_refusal (const char *s, const struct dhchap_key *k, const char *err)
{
  size_t len = strlen (err), i;

  if (len == 0 || len >= 255)
    FAILED ("message length %zu", len);
  if (strncmp (err, "DH-HMAC-CHAP key: ", 18) != 0)
    FAILED ("message without the prefix: %s", err);
  if (strchr (err, '\n') || strchr (err, '\r'))
    FAILED ("message is not one line: %s", err);
  for (i = 0; i < sizeof *k; i++)
    if (((const uint8_t *) k)[i] != 0)
      FAILED ("a refused key left byte %zu in the struct", i);
  check_quotes_nothing (s, err);
}

static void
check_accepted (const struct dhchap_key *k)
{
  struct dhchap_key k2;
  char text[DHCHAP_KEY_TEXT_MAX], err[256];
  uint8_t out[DHCHAP_KEY_MAX];
  size_t outlen = 0;

  if (k->hmac > 3 || (k->len != 32 && k->len != 48 && k->len != 64))
    FAILED ("accepted hmac %u, length %zu", k->hmac, k->len);
  if (dhchap_key_format (k, text, sizeof text, err, sizeof err) == -1)
    FAILED ("an accepted key does not format: %s", err);
  if (dhchap_key_parse (text, &k2, err, sizeof err) == -1)
    FAILED ("'%s' does not parse back: %s", text, err);
  if (k2.hmac != k->hmac || k2.len != k->len ||
      memcmp (k2.key, k->key, k->len) != 0)
    FAILED ("'%s' parses to another key", text);
  if (dhchap_key_transform (k, "nqn.2014-08.org.nvmexpress:uuid:fuzz", out,
                            &outlen, err, sizeof err) == -1)
    FAILED ("an accepted key does not transform: %s", err);
  if (outlen != (k->hmac ? dhchap_hash_len (k->hmac) : k->len))
    FAILED ("transformed length %zu", outlen);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  struct dhchap_key k;
  char err[256];
  char *s;

  if (size > 4096)
    return 0;
  s = malloc (size + 1);
  if (s == NULL)
    return 0;
  memcpy (s, data, size);
  s[size] = '\0'; /* inputs with NUL bytes end early */
  err[0] = '\0';
  if (dhchap_key_parse (s, &k, err, sizeof err) == -1)
    check_refusal (s, &k, err);
  else
    check_accepted (&k);
  dhchap_key_wipe (&k);
  free (s);
  return 0;
}

#ifndef FUZZ_LIBFUZZER
/* ---- Seeds for the built-in driver (driver.c) -------------------------- */

static const char *const seeds[] = {
  /* The NVMe Base specification's example, with each hash. */
  "DHHC-1:00:ia6zGodOr4SEG0Zzaw398rpY0wqipUWj4jWjUh4HWUz6aQ2n:",
  "DHHC-1:01:ia6zGodOr4SEG0Zzaw398rpY0wqipUWj4jWjUh4HWUz6aQ2n:\n",
  "DHHC-1:02:ia6zGodOr4SEG0Zzaw398rpY0wqipUWj4jWjUh4HWUz6aQ2n: \r\n",
  "DHHC-1:03:ia6zGodOr4SEG0Zzaw398rpY0wqipUWj4jWjUh4HWUz6aQ2n:",
  /* 48 and 64 bytes (tests/unit/dhchap-vectors.py). */
  "DHHC-1:02:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKiss"
  "LS4vcSEgBQ==:",
  "DHHC-1:03:QEFCQ0RFRkdISUpLTE1OT1BRUlNUVVZXWFlaW1xdXl9gYWJjZGVmZ2hpamts"
  "bW5vcHFyc3R1dnd4eXp7fH1+fx/Gj1o=:",
  /* 31 and 33 bytes with valid CRCs. */
  "DHHC-1:00:AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eH5eHJeE=:",
  "DHHC-1:00:AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyAheM3o1Q==:",
  "DHHC-1:04:ia6zGodOr4SEG0Zzaw398rpY0wqipUWj4jWjUh4HWUz6aQ2n:",
  "NVMeTLSkey-1:01:ia6zGodOr4SEG0Zzaw398rpY0wqipUWj4jWjUh4HWUz6aQ2n:",
};

static const char *const tokens[] = {
  "DHHC-1:", "DHHC-1:00:", "00",   "01",   "03",   "04",   "0a", "ff",
  ":",       "=",          "==",   "===",  "\n",   " ",    "\t", "+",
  "/",       "A",          "AAAA", "ia6z", "////", "\xff", "-",
};

const struct fuzz_target fuzz_target = {
  .name = "fuzz-dhchap-key",
  .what = "DH-HMAC-CHAP secret parser",
  .seed_strings = seeds,
  .nr_seed_strings = sizeof seeds / sizeof seeds[0],
  .tokens = tokens,
  .nr_tokens = sizeof tokens / sizeof tokens[0],
};
#endif /* !FUZZ_LIBFUZZER */
