/* SPDX-License-Identifier: BSD-3-Clause */
/* Fuzz target for the in-band authentication message parser
 * (initiator/auth-msg.c), which both ends run on every message they
 * receive.  Each input is parsed as sent by a controller and as sent by a
 * host.  Every input must be accepted or refused with one bounded line;
 * an accepted message's pointers and lengths must lie inside the input,
 * its identifiers must be ones the parser promises, and building it again
 * from its fields must give a message that parses to the same fields.
 *
 * libFuzzer: scripts/fuzz.sh (make fuzz) builds and runs it.
 * Built-in driver (the unit test "unit/fuzz-auth-msg"): see driver.c.
 */
#include <config.h>

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth-msg.h"
#include "dhchap.h"
#include "nvmf-wire.h"
#include "driver.h"

/* p[0..n) lies inside buf[0..len). */
static void
inside (const uint8_t *buf, size_t len, const uint8_t *p, size_t n,
        const char *what)
{
  if (p == NULL || p < buf || p > buf + len || n > (size_t) (buf + len - p))
    FAILED ("%s (%zu bytes) is outside the %zu-byte message", what, n, len);
}

static void
check_accepted (const uint8_t *buf, size_t len, const struct auth_msg *m)
{
  switch (m->kind) {
  case AUTH_MSG_NEGOTIATE:
    if (m->u.negotiate.nr_hashes > AUTH_IDS_MAX ||
        m->u.negotiate.nr_dhgroups > AUTH_IDS_MAX)
      FAILED ("negotiate lists %u hashes, %u groups", m->u.negotiate.nr_hashes,
              m->u.negotiate.nr_dhgroups);
    if (m->u.negotiate.sc_c > NVMF_AUTH_SCC_REPLACE_TLS_PSK)
      FAILED ("negotiate SC_C %u", m->u.negotiate.sc_c);
    break;
  case AUTH_MSG_CHALLENGE:
    if (dhchap_hash_len (m->u.challenge.hashid) != m->u.challenge.hl)
      FAILED ("challenge hash %u with HL %u", m->u.challenge.hashid,
              m->u.challenge.hl);
    if (dhchap_dhgroup_name (m->u.challenge.dhgid) == NULL ||
        dhchap_dhgroup_value_len (m->u.challenge.dhgid) !=
          m->u.challenge.dhvlen)
      FAILED ("challenge group %u with DHVLEN %u", m->u.challenge.dhgid,
              m->u.challenge.dhvlen);
    inside (buf, len, m->u.challenge.c1, m->u.challenge.hl, "C1");
    if (m->u.challenge.dhvlen)
      inside (buf, len, m->u.challenge.dhv, m->u.challenge.dhvlen, "DH value");
    break;
  case AUTH_MSG_REPLY:
    if (m->u.reply.hl != 32 && m->u.reply.hl != 48 && m->u.reply.hl != 64)
      FAILED ("reply HL %u", m->u.reply.hl);
    inside (buf, len, m->u.reply.r1, m->u.reply.hl, "R1");
    inside (buf, len, m->u.reply.c2, m->u.reply.hl, "C2");
    if (m->u.reply.dhvlen)
      inside (buf, len, m->u.reply.dhv, m->u.reply.dhvlen, "DH value");
    if (m->u.reply.dhvlen > DHCHAP_DH_MAX)
      FAILED ("reply DHVLEN %u", m->u.reply.dhvlen);
    break;
  case AUTH_MSG_SUCCESS1:
    if (m->u.success1.rvalid)
      inside (buf, len, m->u.success1.r2, m->u.success1.hl, "R2");
    break;
  case AUTH_MSG_SUCCESS2:
  case AUTH_MSG_FAILURE1:
  case AUTH_MSG_FAILURE2:
    break;
  default:
    FAILED ("unknown kind %d", (int) m->kind);
  }
}

/* Build the message again from its fields; it must parse the same. */
static void
round_trip (const struct auth_msg *m, bool from_ctrl)
{
  static uint8_t out[AUTH_MSG_MAX];
  struct auth_msg m2;
  char err[256];
  size_t n = 0;

  switch (m->kind) {
  case AUTH_MSG_NEGOTIATE:
    if (!m->u.negotiate.dhchap)
      return; /* only DH-HMAC-CHAP descriptors are rebuilt */
    n = auth_build_negotiate (out, m->t_id, m->u.negotiate.sc_c,
                              m->u.negotiate.hashes, m->u.negotiate.nr_hashes,
                              m->u.negotiate.dhgroups,
                              m->u.negotiate.nr_dhgroups);
    break;
  case AUTH_MSG_CHALLENGE:
    n = auth_build_challenge (out, m->t_id, m->u.challenge.hashid,
                              m->u.challenge.dhgid, m->u.challenge.seqnum,
                              m->u.challenge.c1, m->u.challenge.hl,
                              m->u.challenge.dhv, m->u.challenge.dhvlen);
    break;
  case AUTH_MSG_REPLY:
    if (!m->u.reply.cvalid)
      return; /* a Reply without C2 may still carry bytes there */
    n = auth_build_reply (out, m->t_id, m->u.reply.r1, m->u.reply.hl,
                          m->u.reply.c2, m->u.reply.seqnum, m->u.reply.dhv,
                          m->u.reply.dhvlen);
    break;
  case AUTH_MSG_SUCCESS1:
    if (!m->u.success1.rvalid)
      return;
    n = auth_build_success1 (out, m->t_id, m->u.success1.r2, m->u.success1.hl);
    break;
  case AUTH_MSG_SUCCESS2:
    n = auth_build_success2 (out, m->t_id);
    break;
  case AUTH_MSG_FAILURE1:
  case AUTH_MSG_FAILURE2:
    n = auth_build_failure (out, m->kind == AUTH_MSG_FAILURE1, m->t_id,
                            m->u.failure.rc, m->u.failure.rce);
    break;
  }
  if (n == 0 || n > AUTH_MSG_MAX)
    FAILED ("rebuilt %s has %zu bytes", auth_msg_name (m->kind), n);
  if (auth_msg_parse (out, n, from_ctrl, &m2, err, sizeof err) < 0)
    FAILED ("rebuilt %s refused: %s", auth_msg_name (m->kind), err);
  if (m2.kind != m->kind || m2.t_id != m->t_id)
    FAILED ("rebuilt %s parsed as %s", auth_msg_name (m->kind),
            auth_msg_name (m2.kind));
}

static void
parse_as (const uint8_t *data, size_t size, bool from_ctrl)
{
  struct auth_msg m;
  char err[256];

  err[0] = '\0';
  if (auth_msg_parse (data, size, from_ctrl, &m, err, sizeof err) < 0) {
    size_t n = strnlen (err, sizeof err);

    if (n == 0 || n >= sizeof err - 1 || strchr (err, '\n'))
      FAILED ("refusal message '%s'", err);
    return;
  }
  check_accepted (data, size, &m);
  round_trip (&m, from_ctrl);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  uint8_t *copy;

  /* An exact-size heap copy, so that ASan sees any read past the end. */
  copy = malloc (size ? size : 1);
  if (copy == NULL)
    return 0;
  memcpy (copy, data, size);
  parse_as (copy, size, true);
  parse_as (copy, size, false);
  free (copy);
  return 0;
}

#ifndef FUZZ_LIBFUZZER
/* ---- Seeds for the built-in driver (driver.c): one valid message of each
 * kind, with each hash and DH group. */

static size_t
seed (size_t i, uint8_t *buf, size_t cap)
{
  static const uint8_t hashes[] = { 1, 2, 3 }, groups[] = { 0, 1, 2, 3, 4, 5 };
  uint8_t tmp[AUTH_MSG_MAX], v[DHCHAP_DH_MAX];
  size_t n, g = i % 6, h = i % 3, hl = dhchap_hash_len (hashes[h]);

  memset (v, 0xA5, sizeof v);
  switch (i) {
  case 0:
    n = auth_build_negotiate (tmp, 0, 0, hashes, 3, groups, 6);
    break;
  case 1 ... 6:
    n = auth_build_challenge (tmp, 1, hashes[h], groups[g], 7, v, hl, v,
                              dhchap_dhgroup_value_len (groups[g]));
    break;
  case 7 ... 12:
    n = auth_build_reply (tmp, 2, v, hl, i & 1 ? v : NULL, 9, v,
                          dhchap_dhgroup_value_len (groups[g]));
    break;
  case 13:
    n = auth_build_success1 (tmp, 3, v, 48);
    break;
  case 14:
    n = auth_build_success1 (tmp, 3, NULL, 32);
    break;
  case 15:
    n = auth_build_success2 (tmp, 4);
    break;
  case 16:
    n = auth_build_failure (tmp, true, 5, 1, 1);
    break;
  case 17:
    n = auth_build_failure (tmp, false, 5, 1, 6);
    break;
  default:
    return 0;
  }
  if (n > cap)
    n = cap;
  memcpy (buf, tmp, n);
  return n;
}

static const char *const tokens[] = {
  "\x01\x01", "\x01\x02", "\x01\x03", "\x01\x04", "\xf0",     "\xf1",
  "\x20",     "\x30",     "\x40",     "\x01",     "\x05",     "\x06",
  "\xff",     "\x00\x01", "\x00\x04", "\x80\x00", "\xff\xff",
};

const struct fuzz_target fuzz_target = {
  .name = "fuzz-auth-msg",
  .what = "authentication message parser",
  .seed = seed,
  .tokens = tokens,
  .nr_tokens = sizeof tokens / sizeof tokens[0],
};
#endif /* !FUZZ_LIBFUZZER */
