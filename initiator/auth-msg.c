/* SPDX-License-Identifier: BSD-3-Clause */
/* In-band authentication messages, built and validated for both ends
 * (NVMe Base 2.0, 5.3 Authentication Send/Receive and 8.13.5
 * DH-HMAC-CHAP).  A received message is checked against its own length
 * fields and the identifiers the specification defines before anything
 * reads it; what depends on the exchange (T_ID, the negotiated hash and
 * group) is for the caller to compare. */
#include <config.h>

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "auth-msg.h"
#include "dhchap.h"
#include "nvmf-wire.h"

static int bad (char *err, size_t errlen, const char *fmt, ...)
  __attribute__((__format__ (__printf__, 3, 4)));

static int
bad (char *err, size_t errlen, const char *fmt, ...)
{
  va_list ap;

  va_start (ap, fmt);
  vsnprintf (err, errlen, fmt, ap);
  va_end (ap);
  return -1;
}

const char *
auth_msg_name (enum auth_msg_kind kind)
{
  switch (kind) {
  case AUTH_MSG_NEGOTIATE:
    return "AUTH_Negotiate";
  case AUTH_MSG_CHALLENGE:
    return "DH-HMAC-CHAP_Challenge";
  case AUTH_MSG_REPLY:
    return "DH-HMAC-CHAP_Reply";
  case AUTH_MSG_SUCCESS1:
    return "DH-HMAC-CHAP_Success1";
  case AUTH_MSG_SUCCESS2:
    return "DH-HMAC-CHAP_Success2";
  case AUTH_MSG_FAILURE1:
    return "AUTH_Failure1";
  case AUTH_MSG_FAILURE2:
    return "AUTH_Failure2";
  }
  return "authentication message";
}

/* A hash length a Reply or Success1 may carry. */
static bool
valid_hl (uint8_t hl)
{
  return hl == 32 || hl == 48 || hl == 64;
}

/* A DH value length some group has (0: the null group). */
static bool
valid_dhvlen (size_t len)
{
  uint8_t g;

  for (g = NVMF_AUTH_DHGROUP_NULL; g <= NVMF_AUTH_DHGROUP_8192; g++)
    if (dhchap_dhgroup_value_len (g) == len)
      return true;
  return false;
}

static int
parse_negotiate (const uint8_t *buf, size_t len, struct auth_msg *msg,
                 char *err, size_t errlen)
{
  const struct nvmf_auth_negotiate *n = (const void *) buf;
  size_t napd = n->napd, i, j;

  if (n->sc_c > NVMF_AUTH_SCC_REPLACE_TLS_PSK)
    return bad (err, errlen, "AUTH_Negotiate: SC_C %u is not defined", n->sc_c);
  if (napd == 0)
    return bad (err, errlen, "AUTH_Negotiate: no protocol offered (NAPD 0)");
  if (len < sizeof *n + napd * sizeof (struct nvmf_auth_proto_desc))
    return bad (err, errlen,
                "AUTH_Negotiate: %zu protocol descriptors need %zu bytes, "
                "the message has %zu",
                napd, sizeof *n + napd * sizeof (struct nvmf_auth_proto_desc),
                len);
  msg->u.negotiate.sc_c = n->sc_c;
  for (i = 0; i < napd; i++) {
    const struct nvmf_auth_proto_desc *d =
      (const void *) (buf + sizeof *n + i * sizeof *d);

    if (d->authid != NVMF_AUTH_PROTO_DHCHAP)
      continue; /* another protocol: not ours to judge */
    if (msg->u.negotiate.dhchap)
      return bad (err, errlen, "AUTH_Negotiate: DH-HMAC-CHAP offered twice");
    if (d->halen == 0 || d->halen > NVMF_AUTH_IDLIST_HALF)
      return bad (err, errlen,
                  "AUTH_Negotiate: HALEN %u (expected 1 to %u hash "
                  "functions)",
                  d->halen, NVMF_AUTH_IDLIST_HALF);
    if (d->dhlen == 0 || d->dhlen > NVMF_AUTH_IDLIST_HALF)
      return bad (err, errlen,
                  "AUTH_Negotiate: DHLEN %u (expected 1 to %u DH groups)",
                  d->dhlen, NVMF_AUTH_IDLIST_HALF);
    msg->u.negotiate.dhchap = true;
    /* Unknown identifiers are kept: the controller simply won't pick
     * them. */
    for (j = 0; j < d->halen; j++)
      msg->u.negotiate.hashes[j] = d->idlist[j];
    for (j = 0; j < d->dhlen; j++)
      msg->u.negotiate.dhgroups[j] = d->idlist[NVMF_AUTH_IDLIST_HALF + j];
    msg->u.negotiate.nr_hashes = d->halen;
    msg->u.negotiate.nr_dhgroups = d->dhlen;
  }
  return 0;
}

static int
parse_challenge (const uint8_t *buf, size_t len, struct auth_msg *msg,
                 char *err, size_t errlen)
{
  const struct nvmf_dhchap_challenge *c = (const void *) buf;
  size_t hlen = dhchap_hash_len (c->hashid);
  const char *group = dhchap_dhgroup_name (c->dhgid);
  uint16_t dhvlen = GET16 (c->dhvlen);

  if (hlen == 0)
    return bad (err, errlen, "DH-HMAC-CHAP_Challenge: unknown hash function %u",
                c->hashid);
  if (c->hl != hlen)
    return bad (err, errlen,
                "DH-HMAC-CHAP_Challenge: HL %u, but %s gives %zu bytes", c->hl,
                dhchap_hash_name (c->hashid), hlen);
  if (group == NULL)
    return bad (err, errlen, "DH-HMAC-CHAP_Challenge: unknown DH group %u",
                c->dhgid);
  if (dhvlen != dhchap_dhgroup_value_len (c->dhgid))
    return bad (err, errlen,
                "DH-HMAC-CHAP_Challenge: DHVLEN %u, but a %s value has %zu "
                "bytes",
                dhvlen, group, dhchap_dhgroup_value_len (c->dhgid));
  if (len < sizeof *c + hlen + dhvlen)
    return bad (err, errlen,
                "DH-HMAC-CHAP_Challenge: needs %zu bytes, the message has "
                "%zu",
                sizeof *c + hlen + dhvlen, len);
  msg->u.challenge.hashid = c->hashid;
  msg->u.challenge.dhgid = c->dhgid;
  msg->u.challenge.hl = c->hl;
  msg->u.challenge.seqnum = GET32 (c->seqnum);
  msg->u.challenge.c1 = buf + sizeof *c;
  msg->u.challenge.dhv = dhvlen ? buf + sizeof *c + hlen : NULL;
  msg->u.challenge.dhvlen = dhvlen;
  return 0;
}

static int
parse_reply (const uint8_t *buf, size_t len, struct auth_msg *msg, char *err,
             size_t errlen)
{
  const struct nvmf_dhchap_reply *r = (const void *) buf;
  uint16_t dhvlen = GET16 (r->dhvlen);

  if (!valid_hl (r->hl))
    return bad (err, errlen,
                "DH-HMAC-CHAP_Reply: HL %u (expected 32, 48 or 64)", r->hl);
  if (r->cvalid > 1)
    return bad (err, errlen, "DH-HMAC-CHAP_Reply: CVALID %u", r->cvalid);
  if (!valid_dhvlen (dhvlen))
    return bad (err, errlen,
                "DH-HMAC-CHAP_Reply: DHVLEN %u is no DH group's length",
                dhvlen);
  if (len < sizeof *r + 2 * (size_t) r->hl + dhvlen)
    return bad (err, errlen,
                "DH-HMAC-CHAP_Reply: needs %zu bytes, the message has %zu",
                sizeof *r + 2 * (size_t) r->hl + dhvlen, len);
  msg->u.reply.hl = r->hl;
  msg->u.reply.cvalid = r->cvalid;
  msg->u.reply.seqnum = GET32 (r->seqnum);
  msg->u.reply.r1 = buf + sizeof *r;
  msg->u.reply.c2 = buf + sizeof *r + r->hl;
  msg->u.reply.dhv = dhvlen ? buf + sizeof *r + 2 * (size_t) r->hl : NULL;
  msg->u.reply.dhvlen = dhvlen;
  return 0;
}

static int
parse_success1 (const uint8_t *buf, size_t len, struct auth_msg *msg, char *err,
                size_t errlen)
{
  const struct nvmf_dhchap_success1 *s = (const void *) buf;

  if (s->rvalid > 1)
    return bad (err, errlen, "DH-HMAC-CHAP_Success1: RVALID %u", s->rvalid);
  if (s->rvalid) {
    if (!valid_hl (s->hl))
      return bad (err, errlen,
                  "DH-HMAC-CHAP_Success1: HL %u (expected 32, 48 or 64)",
                  s->hl);
    if (len < sizeof *s + s->hl)
      return bad (err, errlen,
                  "DH-HMAC-CHAP_Success1: needs %zu bytes, the message has "
                  "%zu",
                  sizeof *s + s->hl, len);
  }
  msg->u.success1.hl = s->hl;
  msg->u.success1.rvalid = s->rvalid;
  msg->u.success1.r2 = s->rvalid ? buf + sizeof *s : NULL;
  return 0;
}

int
auth_msg_parse (const uint8_t *buf, size_t len, bool from_ctrl,
                struct auth_msg *msg, char *err, size_t errlen)
{
  uint8_t type, id;
  size_t need;

  memset (msg, 0, sizeof *msg);
  if (len < 2)
    return bad (err, errlen, "authentication message of %zu bytes", len);
  type = buf[0];
  id = buf[1];
  if (type == NVMF_AUTH_TYPE_COMMON && id == NVMF_AUTH_ID_NEGOTIATE) {
    msg->kind = AUTH_MSG_NEGOTIATE;
    need = sizeof (struct nvmf_auth_negotiate);
  }
  else if (type == NVMF_AUTH_TYPE_COMMON &&
           (id == NVMF_AUTH_ID_FAILURE1 || id == NVMF_AUTH_ID_FAILURE2)) {
    msg->kind =
      id == NVMF_AUTH_ID_FAILURE1 ? AUTH_MSG_FAILURE1 : AUTH_MSG_FAILURE2;
    need = sizeof (struct nvmf_auth_failure);
  }
  else if (type == NVMF_AUTH_TYPE_DHCHAP &&
           id >= NVMF_AUTH_ID_DHCHAP_CHALLENGE &&
           id <= NVMF_AUTH_ID_DHCHAP_SUCCESS2) {
    static const enum auth_msg_kind kinds[] = {
      AUTH_MSG_CHALLENGE, AUTH_MSG_REPLY, AUTH_MSG_SUCCESS1, AUTH_MSG_SUCCESS2
    };

    msg->kind = kinds[id - NVMF_AUTH_ID_DHCHAP_CHALLENGE];
    need = 16; /* every DH-HMAC-CHAP message has a 16-byte header */
  }
  else
    return bad (err, errlen,
                "unknown authentication message (type %u, id 0x%02x)", type,
                id);

  /* Who may send what. */
  switch (msg->kind) {
  case AUTH_MSG_CHALLENGE:
  case AUTH_MSG_SUCCESS1:
  case AUTH_MSG_FAILURE1:
    if (!from_ctrl)
      return bad (err, errlen, "%s sent by a host", auth_msg_name (msg->kind));
    break;
  default:
    if (from_ctrl)
      return bad (err, errlen, "%s sent by a controller",
                  auth_msg_name (msg->kind));
    break;
  }
  if (len < need)
    return bad (err, errlen, "%s of %zu bytes (at least %zu expected)",
                auth_msg_name (msg->kind), len, need);
  msg->t_id = GET16 (((const struct nvmf_auth_negotiate *) buf)->t_id);

  switch (msg->kind) {
  case AUTH_MSG_NEGOTIATE:
    return parse_negotiate (buf, len, msg, err, errlen);
  case AUTH_MSG_CHALLENGE:
    return parse_challenge (buf, len, msg, err, errlen);
  case AUTH_MSG_REPLY:
    return parse_reply (buf, len, msg, err, errlen);
  case AUTH_MSG_SUCCESS1:
    return parse_success1 (buf, len, msg, err, errlen);
  case AUTH_MSG_SUCCESS2:
    return 0;
  case AUTH_MSG_FAILURE1:
  case AUTH_MSG_FAILURE2: {
    const struct nvmf_auth_failure *f = (const void *) buf;

    msg->u.failure.rc = f->rc;
    msg->u.failure.rce = f->rce;
    return 0;
  }
  }
  return bad (err, errlen, "authentication message not handled");
}

/* ---- building ---------------------------------------------------------- */

static void
header (uint8_t *buf, size_t len, uint8_t type, uint8_t id, uint16_t t_id)
{
  memset (buf, 0, len);
  buf[0] = type;
  buf[1] = id;
  put_le16 (buf + 4, t_id);
}

size_t
auth_build_negotiate (uint8_t *buf, uint16_t t_id, uint8_t sc_c,
                      const uint8_t *hashes, size_t nr_hashes,
                      const uint8_t *dhgroups, size_t nr_dhgroups)
{
  struct nvmf_auth_negotiate *n = (void *) buf;
  struct nvmf_auth_proto_desc *d = (void *) (buf + sizeof *n);
  size_t len = sizeof *n + sizeof *d;

  if (nr_hashes > NVMF_AUTH_IDLIST_HALF)
    nr_hashes = NVMF_AUTH_IDLIST_HALF;
  if (nr_dhgroups > NVMF_AUTH_IDLIST_HALF)
    nr_dhgroups = NVMF_AUTH_IDLIST_HALF;
  header (buf, len, NVMF_AUTH_TYPE_COMMON, NVMF_AUTH_ID_NEGOTIATE, t_id);
  n->sc_c = sc_c;
  n->napd = 1;
  d->authid = NVMF_AUTH_PROTO_DHCHAP;
  d->halen = (uint8_t) nr_hashes;
  d->dhlen = (uint8_t) nr_dhgroups;
  memcpy (d->idlist, hashes, nr_hashes);
  memcpy (d->idlist + NVMF_AUTH_IDLIST_HALF, dhgroups, nr_dhgroups);
  return len;
}

size_t
auth_build_challenge (uint8_t *buf, uint16_t t_id, uint8_t hashid,
                      uint8_t dhgid, uint32_t seqnum, const uint8_t *c1,
                      size_t hl, const uint8_t *dhv, size_t dhvlen)
{
  struct nvmf_dhchap_challenge *c = (void *) buf;
  size_t len = sizeof *c + hl + dhvlen;

  header (buf, len, NVMF_AUTH_TYPE_DHCHAP, NVMF_AUTH_ID_DHCHAP_CHALLENGE, t_id);
  c->hl = (uint8_t) hl;
  c->hashid = hashid;
  c->dhgid = dhgid;
  PUT16 (c->dhvlen, (uint16_t) dhvlen);
  PUT32 (c->seqnum, seqnum);
  memcpy (buf + sizeof *c, c1, hl);
  if (dhvlen)
    memcpy (buf + sizeof *c + hl, dhv, dhvlen);
  return len;
}

size_t
auth_build_reply (uint8_t *buf, uint16_t t_id, const uint8_t *r1, size_t hl,
                  const uint8_t *c2, uint32_t seqnum, const uint8_t *dhv,
                  size_t dhvlen)
{
  struct nvmf_dhchap_reply *r = (void *) buf;
  size_t len = sizeof *r + 2 * hl + dhvlen;

  header (buf, len, NVMF_AUTH_TYPE_DHCHAP, NVMF_AUTH_ID_DHCHAP_REPLY, t_id);
  r->hl = (uint8_t) hl;
  PUT16 (r->dhvlen, (uint16_t) dhvlen);
  memcpy (buf + sizeof *r, r1, hl);
  if (c2) {
    r->cvalid = 1;
    PUT32 (r->seqnum, seqnum);
    memcpy (buf + sizeof *r + hl, c2, hl);
  }
  if (dhvlen)
    memcpy (buf + sizeof *r + 2 * hl, dhv, dhvlen);
  return len;
}

size_t
auth_build_success1 (uint8_t *buf, uint16_t t_id, const uint8_t *r2, size_t hl)
{
  struct nvmf_dhchap_success1 *s = (void *) buf;
  size_t len = sizeof *s + (r2 ? hl : 0);

  header (buf, len, NVMF_AUTH_TYPE_DHCHAP, NVMF_AUTH_ID_DHCHAP_SUCCESS1, t_id);
  s->hl = (uint8_t) hl;
  if (r2) {
    s->rvalid = 1;
    memcpy (buf + sizeof *s, r2, hl);
  }
  return len;
}

size_t
auth_build_success2 (uint8_t *buf, uint16_t t_id)
{
  header (buf, sizeof (struct nvmf_dhchap_success2), NVMF_AUTH_TYPE_DHCHAP,
          NVMF_AUTH_ID_DHCHAP_SUCCESS2, t_id);
  return sizeof (struct nvmf_dhchap_success2);
}

size_t
auth_build_failure (uint8_t *buf, bool ctrl, uint16_t t_id, uint8_t rc,
                    uint8_t rce)
{
  struct nvmf_auth_failure *f = (void *) buf;

  header (buf, sizeof *f, NVMF_AUTH_TYPE_COMMON,
          ctrl ? NVMF_AUTH_ID_FAILURE1 : NVMF_AUTH_ID_FAILURE2, t_id);
  f->rc = rc;
  f->rce = rce;
  return sizeof *f;
}
