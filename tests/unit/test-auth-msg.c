/* SPDX-License-Identifier: BSD-3-Clause */
/* The authentication messages (initiator/auth-msg.c): what is built is
 * what the specification lays out byte by byte, and each field that a
 * broken or hostile peer could get wrong is refused with its name. */
#include <config.h>

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "auth-msg.h"
#include "dhchap.h"
#include "nvmf-wire.h"
#include "check.h"

static uint8_t buf[AUTH_MSG_MAX];
static char err[256];

/* Parsing buf[0..len) fails with a message containing want. */
static void
refused (size_t len, bool from_ctrl, const char *want, int line)
{
  struct auth_msg m;

  err[0] = '\0';
  CHECK (auth_msg_parse (buf, len, from_ctrl, &m, err, sizeof err) == -1,
         "line %d: accepted, expected '%s'", line, want);
  CHECK (strstr (err, want) != NULL, "line %d: message '%s' lacks '%s'", line,
         err, want);
}
#define REFUSED(len, from_ctrl, want) refused (len, from_ctrl, want, __LINE__)

static void
test_negotiate (void)
{
  static const uint8_t h[] = { 1, 2, 3 }, g[] = { 0, 1, 2, 3, 4, 5 };
  struct auth_msg m;
  size_t n = auth_build_negotiate (buf, 7, 0, h, 3, g, 6), i;

  /* Layout as the kernel host sends it: 8-byte header, one descriptor. */
  CHECK (n == 72, "negotiate length %zu", n);
  CHECK (buf[0] == 0 && buf[1] == 0 && buf[4] == 7 && buf[5] == 0 &&
           buf[6] == 0 && buf[7] == 1,
         "negotiate header");
  CHECK (buf[8] == 1 && buf[10] == 3 && buf[11] == 6, "descriptor header");
  CHECK (buf[12] == 1 && buf[14] == 3 && buf[12 + 30] == 0 && buf[12 + 35] == 5,
         "id lists");
  CHECK (auth_msg_parse (buf, n, false, &m, err, sizeof err) == 0, "parse: %s",
         err);
  CHECK (m.kind == AUTH_MSG_NEGOTIATE && m.t_id == 7 && m.u.negotiate.dhchap &&
           m.u.negotiate.nr_hashes == 3 && m.u.negotiate.nr_dhgroups == 6 &&
           m.u.negotiate.dhgroups[5] == 5,
         "negotiate fields");
  REFUSED (n, true, "sent by a controller");
  REFUSED (n - 1, false, "need 72 bytes");
  /* SC_C: 02h NEWTLSPSK and 03h REPLACETLSPSK parse (01h too: obsolete,
   * for the target to refuse by name); 04h is not defined. */
  for (i = 1; i <= 3; i++) {
    buf[6] = (uint8_t) i;
    CHECK (auth_msg_parse (buf, n, false, &m, err, sizeof err) == 0 &&
             m.u.negotiate.sc_c == i,
           "SC_C %zu: %s", i, err);
  }
  buf[6] = 4;
  REFUSED (n, false, "SC_C 4");
  buf[6] = 0;
  buf[7] = 0;
  REFUSED (n, false, "NAPD 0");
  buf[7] = 1;
  buf[10] = 31;
  REFUSED (n, false, "HALEN 31");
  buf[10] = 3;
  buf[11] = 0;
  REFUSED (n, false, "DHLEN 0");
  /* Another protocol only: parsed, with no DH-HMAC-CHAP offer. */
  buf[11] = 6;
  buf[8] = 2;
  CHECK (auth_msg_parse (buf, n, false, &m, err, sizeof err) == 0 &&
           !m.u.negotiate.dhchap,
         "foreign protocol descriptor");
}

static void
test_challenge (void)
{
  uint8_t c1[64], dhv[1024];
  struct auth_msg m;
  size_t n;

  memset (c1, 0x11, sizeof c1);
  memset (dhv, 0x22, sizeof dhv);
  n =
    auth_build_challenge (buf, 3, NVMF_AUTH_HASH_SHA384, NVMF_AUTH_DHGROUP_2048,
                          0x01020304, c1, 48, dhv, 256);
  CHECK (n == 16 + 48 + 256, "challenge length %zu", n);
  CHECK (buf[0] == 1 && buf[1] == 1 && buf[6] == 48 && buf[8] == 2 &&
           buf[9] == 1 && buf[10] == 0 && buf[11] == 1 && buf[12] == 4 &&
           buf[15] == 1,
         "challenge header");
  CHECK (auth_msg_parse (buf, n, true, &m, err, sizeof err) == 0, "parse: %s",
         err);
  CHECK (m.u.challenge.seqnum == 0x01020304 && m.u.challenge.c1 == buf + 16 &&
           m.u.challenge.dhv == buf + 64 && m.u.challenge.dhvlen == 256,
         "challenge fields");
  REFUSED (n, false, "sent by a host");
  REFUSED (n - 1, true, "needs 320 bytes");
  buf[6] = 32;
  REFUSED (n, true, "HL 32, but hmac(sha384) gives 48");
  buf[6] = 48;
  buf[8] = 9;
  REFUSED (n, true, "unknown hash function 9");
  buf[8] = 2;
  buf[9] = 6;
  REFUSED (n, true, "unknown DH group 6");
  buf[9] = 2; /* ffdhe3072 wants 384 bytes */
  REFUSED (n, true, "DHVLEN 256, but a ffdhe3072 value has 384");
  /* The null group carries no value. */
  n = auth_build_challenge (buf, 3, 1, 0, 1, c1, 32, NULL, 0);
  CHECK (auth_msg_parse (buf, n, true, &m, err, sizeof err) == 0 &&
           m.u.challenge.dhv == NULL,
         "null group challenge: %s", err);
}

static void
test_reply_success_failure (void)
{
  uint8_t r[64], dhv[512];
  struct auth_msg m;
  size_t n;

  memset (r, 0x33, sizeof r);
  memset (dhv, 0x44, sizeof dhv);
  n = auth_build_reply (buf, 0, r, 64, r, 99, dhv, 512);
  CHECK (n == 16 + 128 + 512, "reply length %zu", n);
  CHECK (buf[8] == 1 && buf[12] == 99, "cvalid and S2");
  CHECK (auth_msg_parse (buf, n, false, &m, err, sizeof err) == 0 &&
           m.u.reply.cvalid && m.u.reply.seqnum == 99 &&
           m.u.reply.dhvlen == 512 && m.u.reply.c2 == buf + 80,
         "reply fields: %s", err);
  REFUSED (n, true, "sent by a controller");
  REFUSED (n - 1, false, "needs 656 bytes");
  buf[8] = 2;
  REFUSED (n, false, "CVALID 2");
  buf[8] = 1;
  buf[6] = 33;
  REFUSED (n, false, "HL 33");
  buf[6] = 64;
  buf[10] = 1; /* DHVLEN 513 */
  buf[11] = 2;
  REFUSED (n, false, "DHVLEN 513");
  /* One-way: cvalid 0, S2 0, C2 zeroes. */
  n = auth_build_reply (buf, 0, r, 32, NULL, 99, NULL, 0);
  CHECK (n == 80 && buf[8] == 0 && buf[12] == 0 && buf[16 + 32] == 0,
         "one-way reply");

  n = auth_build_success1 (buf, 5, r, 48);
  CHECK (n == 64 && buf[6] == 48 && buf[8] == 1 && buf[16] == 0x33,
         "success1 layout");
  CHECK (auth_msg_parse (buf, n, true, &m, err, sizeof err) == 0 &&
           m.u.success1.rvalid && m.u.success1.r2 == buf + 16,
         "success1: %s", err);
  REFUSED (n - 1, true, "needs 64 bytes");
  buf[8] = 7;
  REFUSED (n, true, "RVALID 7");
  REFUSED (n, false, "sent by a host");

  n = auth_build_success2 (buf, 5);
  CHECK (n == 16 && buf[1] == 4, "success2");
  REFUSED (n, true, "sent by a controller");
  REFUSED (15, false, "of 15 bytes");

  n = auth_build_failure (buf, true, 5, 1, 5);
  CHECK (n == 8 && buf[0] == 0 && buf[1] == 0xF1 && buf[6] == 1 && buf[7] == 5,
         "failure1 layout");
  CHECK (auth_msg_parse (buf, n, true, &m, err, sizeof err) == 0 &&
           m.kind == AUTH_MSG_FAILURE1 && m.u.failure.rce == 5,
         "failure1: %s", err);
  REFUSED (n, false, "sent by a host");
  n = auth_build_failure (buf, false, 5, 1, 1);
  CHECK (buf[1] == 0xF0, "failure2 id");
  REFUSED (n, true, "sent by a controller");

  buf[0] = 2;
  REFUSED (n, true, "unknown authentication message (type 2");
  REFUSED (1, true, "of 1 bytes");
}

int
main (void)
{
  test_negotiate ();
  test_challenge ();
  test_reply_success_failure ();
  printf ("test-auth-msg: %d checks, %d failed\n", checks, failures);
  return failures ? 1 : 0;
}
