/* SPDX-License-Identifier: BSD-3-Clause */
/* Fuzz target for the TLS PSK parsers (initiator/tls-psk.c): every input
 * is read as a PSK in the interchange format (tls_psk_parse) and as the
 * PSK identity a client offers (tls_psk_identity_parse, which a target
 * runs on untrusted bytes).  Each is accepted or refused with one bounded
 * line with its prefix that leaves nothing behind (and, for a key, quotes
 * nothing of the encoded part).  An accepted key has an allowed hash and
 * length, formats back to a text that parses to the same key, and derives
 * identities that parse back to what was derived; an accepted identity is
 * exactly the identity its fields spell.
 *
 * libFuzzer: scripts/fuzz.sh (make fuzz) builds and runs it.
 * Built-in driver (the unit test "unit/fuzz-tls-psk"): see driver.c.
 */
#include <config.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "key-text.h"
#include "tls-psk.h"
#include "driver.h"

#define HOSTNQN "nqn.2014-08.org.nvmexpress:uuid:f81d4fae-7dec-11d0-a765-0"
#define SUBNQN  "nqn.2014-08.org.example:fuzz"

static void
check_message (const char *err, const char *prefix)
{
  size_t len = strlen (err);

  if (len == 0 || len >= 255)
    FAILED ("message length %zu", len);
  if (strncmp (err, prefix, strlen (prefix)) != 0)
    FAILED ("message without the prefix \"%s\": %s", prefix, err);
  if (strchr (err, '\n') || strchr (err, '\r'))
    FAILED ("message is not one line: %s", err);
}

static bool
all_zero (const void *p, size_t len)
{
  const uint8_t *b = p;
  size_t i;

  for (i = 0; i < len; i++)
    if (b[i])
      return false;
  return true;
}

/* No run of 12 base64 characters after "NVMeTLSkey-1:hh:" shows in err. */
static void
check_quotes_nothing (const char *s, const char *err)
{
  size_t len = strlen (s), i, run = 0;
  char probe[13];

  for (i = 16; i < len; i++) {
    run = key_text_is_base64 (s[i]) ? run + 1 : 0;
    if (run >= 12) {
      memcpy (probe, s + i - 11, 12);
      probe[12] = '\0';
      if (strstr (err, probe))
        FAILED ("the message quotes the key: %s", err);
    }
  }
}

static void
check_key (const struct tls_psk_key *k)
{
  struct tls_psk_key k2;
  struct tls_psk p;
  struct tls_psk_identity id;
  char text[TLS_PSK_TEXT_MAX], err[256];
  int v;

  if (k->hmac > 2 || (k->hmac == 1 && k->len != 32) ||
      (k->hmac == 2 && k->len != 48) || (k->len != 32 && k->len != 48))
    FAILED ("accepted hash %u with %zu bytes", k->hmac, k->len);
  if (tls_psk_format (k, text, sizeof text, err, sizeof err) == -1)
    FAILED ("an accepted key does not format: %s", err);
  if (tls_psk_parse (text, &k2, err, sizeof err) == -1)
    FAILED ("'%s' does not parse back: %s", text, err);
  if (k2.hmac != k->hmac || k2.len != k->len ||
      memcmp (k2.key, k->key, k->len) != 0)
    FAILED ("'%s' parses to another key", text);
  for (v = 0; v <= 1; v++) {
    if (tls_psk_derive (k, v, HOSTNQN, SUBNQN, &p, err, sizeof err) == -1)
      FAILED ("version %d: an accepted key does not derive: %s", v, err);
    if (p.len != k->len || p.hmac != (k->len == 32 ? 1 : 2))
      FAILED ("version %d: a TLS PSK of %zu bytes, hash %u", v, p.len, p.hmac);
    if (tls_psk_identity_parse (p.identity, &id, err, sizeof err) == -1)
      FAILED ("'%s' does not parse: %s", p.identity, err);
    if (id.version != v || id.hmac != p.hmac ||
        strcmp (id.hostnqn, HOSTNQN) != 0 || strcmp (id.subnqn, SUBNQN) != 0)
      FAILED ("'%s' parses to other fields", p.identity);
  }
  tls_psk_wipe (&k2);
}

static void
check_identity (const char *s, const struct tls_psk_identity *id)
{
  char again[TLS_PSK_IDENTITY_MAX + 2];
  size_t hl = strlen (id->hostnqn), sl = strlen (id->subnqn);

  if ((id->version != 0 && id->version != 1) ||
      (id->hmac != 1 && id->hmac != 2))
    FAILED ("accepted version %d hash %u", id->version, id->hmac);
  if (hl == 0 || hl > 223 || sl == 0 || sl > 223 || strchr (id->hostnqn, ' ') ||
      strchr (id->subnqn, ' '))
    FAILED ("accepted NQNs of %zu and %zu bytes", hl, sl);
  if ((id->version == 1) != (id->digest[0] != '\0'))
    FAILED ("version %d with a digest of %zu characters", id->version,
            strlen (id->digest));
  if (id->generated && id->version != 1)
    FAILED ("a generated PSK's identity of version %d", id->version);
  if (id->version == 0)
    snprintf (again, sizeof again, "NVMe0R%02u %s %s", (unsigned) id->hmac,
              id->hostnqn, id->subnqn);
  else
    snprintf (again, sizeof again, "NVMe1%c%02u %s %s %s",
              id->generated ? 'G' : 'R', (unsigned) id->hmac, id->hostnqn,
              id->subnqn, id->digest);
  if (strcmp (again, s) != 0)
    FAILED ("'%s' was read as '%s'", s, again);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  struct tls_psk_key k;
  struct tls_psk_identity id;
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
  if (tls_psk_parse (s, &k, err, sizeof err) == -1) {
    check_message (err, "TLS PSK: ");
    check_quotes_nothing (s, err);
    if (!all_zero (&k, sizeof k))
      FAILED ("a refused key left bytes in the struct");
  }
  else
    check_key (&k);
  tls_psk_wipe (&k);

  err[0] = '\0';
  if (tls_psk_identity_parse (s, &id, err, sizeof err) == -1) {
    check_message (err, "PSK identity: ");
    if (!all_zero (&id, sizeof id))
      FAILED ("a refused identity left bytes in the struct");
  }
  else
    check_identity (s, &id);
  free (s);
  return 0;
}

#ifndef FUZZ_LIBFUZZER
/* ---- Seeds for the built-in driver (driver.c) -------------------------- */

static const char *const seeds[] = {
  /* NVMe/TCP specification 3.6.1.5, libnvme test/psk.c, SPDK's tests. */
  "NVMeTLSkey-1:01:VRLbtnN9AQb2WXW3c9+wEf/DRLz0QuLdbYvEhwtdWwNf9LrZ:",
  "NVMeTLSkey-1:00:VRLbtnN9AQb2WXW3c9+wEf/DRLz0QuLdbYvEhwtdWwNf9LrZ:\n",
  "NVMeTLSkey-1:02:VRLbtnN9AQb2WXW3c9+wEf/DRLz0QuLdbYvEhwtdWwP/w0S89ELi3W2L"
  "xIcLXVsDn8kXZQ==:",
  "NVMeTLSkey-1:01:MDAxMTIyMzM0NDU1NjY3Nzg4OTlhYWJiY2NkZGVlZmZwJEiQ:",
  /* 31 bytes with a valid CRC (tests/unit/tls-psk-vectors.py). */
  "NVMeTLSkey-1:00:AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eH5eHJeE=:",
  "DHHC-1:01:VRLbtnN9AQb2WXW3c9+wEf/DRLz0QuLdbYvEhwtdWwNf9LrZ:",
  /* Identities: the specification's, libnvme's. */
  "NVMe0R01 nqn.2014-08.org.nvmexpress:uuid:f81d4fae-7dec-11d0-a765-"
  "00a0c91e6bf6 nqn.2014-08.org.nvmexpress:uuid:36ebf5a9-1df9-47b3-a6d0-"
  "e9ba32e428a2",
  "NVMe1R01 nqn.psk-test-host nqn.psk-test-subsys "
  "iSbjiStwJ/1TrTvDlt2fjFmzvsytOJelidNnA+X5lEU=",
  "NVMe1R02 nqn.psk-test-host nqn.psk-test-subsys "
  "QhW2+Rp6RzHlNtCslyRxMnwJ11tKKhz8JCAQpQ+XUD8f9td1VeH5h53yz2wKJG1a",
  "NVMe0G02 h s",
  /* A generated PSK's (Linux's kunit vector, tls-psk-gen.c). */
  "NVMe1G01 hostnqn subsysnqn OldoKuTfKddMuyCznAZojkWD7P4D9/AtzDzLimtOxqI=",
};

static const char *const tokens[] = {
  "NVMeTLSkey-1:",
  "NVMe0R01 ",
  "NVMe1R02 ",
  "NVMe1G01 ",
  "NVMe",
  "00",
  "01",
  "02",
  "03",
  ":",
  "=",
  "==",
  " ",
  "\t",
  "\n",
  "+",
  "/",
  "AAAA",
  "nqn.",
  "G",
  "R",
  "\xff",
};

const struct fuzz_target fuzz_target = {
  .name = "fuzz-tls-psk",
  .what = "TLS PSK and PSK identity parsers",
  .seed_strings = seeds,
  .nr_seed_strings = sizeof seeds / sizeof seeds[0],
  .tokens = tokens,
  .nr_tokens = sizeof tokens / sizeof tokens[0],
};
#endif /* !FUZZ_LIBFUZZER */
