/* SPDX-License-Identifier: BSD-3-Clause */
/* In-band authentication (DH-HMAC-CHAP, NVMe Base 2.0 8.13.5) of each
 * queue, as Linux nvmet does it:
 *
 *   Connect (CQE DW0 with ATR) -> AUTH_Send(Negotiate)
 *   -> AUTH_Receive(Challenge) -> AUTH_Send(Reply)
 *   -> AUTH_Receive(Success1 | Failure1)
 *   -> bidirectional only: AUTH_Send(Success2 | Failure2)
 *
 * Until the queue has authenticated, every command but the fabrics ones
 * fails with Authentication Required (conn.c asks auth_blocks).  An
 * AUTH_Send whose message was transferred completes successfully; what is
 * wrong with the message (out of sequence, bad payload, wrong response)
 * is told by the Failure1 the next AUTH_Receive returns.  Once that is
 * sent, or the host sent Failure2, the controller is ended with all its
 * queues (nvmet marks it fatal).
 *
 * Time limits: a queue that has not authenticated within the keep-alive
 * timeout of its Connect (120 s with KATO 0, as nvmet) is closed by the
 * watchdog (auth_expired), however busy the host keeps it otherwise.  A
 * Negotiate on an authenticated queue runs the exchange again (the queue
 * stays usable meanwhile); an exchange like that left unfinished for as
 * long is dropped.
 *
 * Secure channel concatenation (NVMe Base 2.1 8.3.4.3, as nvmet does it
 * since Linux 6.15): an AUTH_Negotiate with SC_C NEWTLSPSK on an admin
 * queue without TLS, on a port that offers TLS (REPLACETLSPSK on an admin
 * queue over TLS), runs the exchange with the SC_C byte in R1; the null
 * DH group and SHA-512 are refused for it (SCC mismatch, hash unusable),
 * and so is a Reply without C2.  S2 0 means no controller authentication
 * (as nvmet).  Once authenticated, the generated PSK HMAC (KS, C1 || C2)
 * is kept with its identity for the TLS connections that follow
 * (concat.c); a queue over TLS with such a PSK needs no authentication
 * (nvmet_has_auth: TLS queues never do).  Nothing sets ASCR: as nvmet,
 * the host asks for concatenation, and a port where TLS is optional lets
 * its plain admin queue in.
 *
 * Secrets, transformed keys, DH private keys and shared values are wiped
 * as soon as the Reply is checked; nothing here logs key material. */
#include <config.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>

#include "target.h"
#include "auth-msg.h"

#define AUTH_DEFAULT_MS 120000u /* the time limit without KATO (nvmet's) */
#define AUTH_AL_MAX     65536u  /* largest AUTH_Receive buffer we fill */
#define WHO_MAX         (64 + 2 * TGT_NQN_MAX + 64) /* who () */

enum step {
  S_CHALLENGE, /* AUTH_Receive returns the Challenge */
  S_REPLY,     /* the host's Reply is due */
  S_SUCCESS1,  /* AUTH_Receive returns Success1 */
  S_SUCCESS2,  /* the host's Success2 (or Failure2) is due */
  S_FAILURE1,  /* AUTH_Receive returns Failure1; then the end */
};

struct auth_xchg {
  enum step step;
  uint16_t t_id;
  uint8_t hashid, dhgid, hl; /* hl 0: nothing negotiated yet */
  bool bidi;                 /* the host asked to authenticate us too */
  bool reauth;               /* the queue had authenticated before */
  uint8_t sc_c;              /* NVMF_AUTH_SCC_*: concatenation if not NONE */
  uint32_t s1;
  uint8_t c1[DHCHAP_HASH_MAX];
  struct dhchap_dh *dh; /* our ephemeral key pair (DH group not null) */
  size_t len;
  uint8_t msg[AUTH_MSG_MAX];    /* what the next AUTH_Receive returns */
  uint8_t gen[DHCHAP_HASH_MAX]; /* concatenation: the generated PSK */
  size_t genlen;
};

static uint64_t
period_ms (struct conn_info *ci)
{
  uint32_t kato = atomic_load (&ci->ctrl->kato_ms);

  return kato ? kato : AUTH_DEFAULT_MS;
}

/* S1: a counter from a random start, never 0 (as nvmet's). */
static uint32_t
next_seqnum (void)
{
  static _Atomic uint32_t seq;
  uint32_t s = atomic_load (&seq), n;
  char err[64];

  do {
    n = s + 1;
    if (s == 0 && dhchap_random (&n, sizeof n, err, sizeof err) == -1)
      n = 1;
    if (n == 0)
      n = 1;
  } while (!atomic_compare_exchange_weak (&seq, &s, n));
  return n;
}

/* "PEER: host H, queue Q of controller N (SUBNQN)" for log lines. */
static const char *
who (const struct conn_info *ci, char *buf, size_t len)
{
  snprintf (buf, len, "%s: host %s, queue %u of controller %u (%s)", ci->peer,
            ci->ctrl->hostnqn, ci->qid, ci->ctrl->cntlid,
            ci->ctrl->subsys->nqn);
  return buf;
}

static void
xchg_free (struct auth_queue *a)
{
  if (!a->x)
    return;
  dhchap_dh_free (a->x->dh);
  OPENSSL_cleanse (a->x, sizeof *a->x);
  free (a->x);
  a->x = NULL;
}

void
auth_queue_free (struct conn_info *ci)
{
  xchg_free (&ci->auth);
}

bool
auth_failure_due (const struct conn_info *ci)
{
  return ci->auth.x && ci->auth.x->step == S_FAILURE1;
}

/* End the controller once this queue's completions are sent: the thread
 * closes the connection and ends the controller (conn-thread.c). */
static void
end_controller (struct conn_info *ci)
{
  struct tgt_ctrl *ctrl = ci->ctrl;

  ci->auth.fatal = true;
  ci->close_after = true;
  atomic_store (&ci->auth.ok, false);
  pthread_mutex_lock (&ctrl->lock);
  ctrl->csts |= NVME_CSTS_CFS;
  atomic_store (&ctrl->ready, false);
  pthread_mutex_unlock (&ctrl->lock);
}

static void fail (struct conn *c, uint8_t rce, uint16_t t_id, const char *fmt,
                  ...) __attribute__((__format__ (__printf__, 4, 5)));

/* The exchange fails: the queue is no longer authenticated and the next
 * AUTH_Receive returns Failure1 with explanation rce (then the end). */
static void
fail (struct conn *c, uint8_t rce, uint16_t t_id, const char *fmt, ...)
{
  struct conn_info *ci = conn_info (c);
  struct auth_queue *a = &ci->auth;
  char why[256], w[WHO_MAX], params[80] = "";
  va_list ap;

  va_start (ap, fmt);
  vsnprintf (why, sizeof why, fmt, ap);
  va_end (ap);
  if (!a->x)
    a->x = calloc (1, sizeof *a->x);
  if (!a->x) {
    log_msg ("%s: authentication failed: %s; out of memory for Failure1",
             who (ci, w, sizeof w), why);
    end_controller (ci);
    return;
  }
  dhchap_dh_free (a->x->dh);
  a->x->dh = NULL;
  if (a->x->hl)
    snprintf (params, sizeof params, " (%s, %s)",
              dhchap_hash_name (a->x->hashid),
              dhchap_dhgroup_name (a->x->dhgid));
  a->x->step = S_FAILURE1;
  a->x->len =
    auth_build_failure (a->x->msg, true, t_id, NVMF_AUTH_RC_FAILED, rce);
  if (a->host)
    atomic_store (&a->ok, false);
  log_msg ("%s: authentication failed%s: %s; Failure1 explanation %u (%s)",
           who (ci, w, sizeof w), params, why, rce,
           dhchap_failure_string (rce));
}

/* The exchange succeeded. */
static void
done (struct conn_info *ci)
{
  struct auth_queue *a = &ci->auth;
  struct auth_xchg *x = a->x;
  char w[WHO_MAX];

  atomic_store (&a->ok, true);
  atomic_store (&a->deadline_ms, 0);
  log_verbose ("%s: %sauthenticated (%s, %s, %s)", who (ci, w, sizeof w),
               x->reauth ? "re-" : "", dhchap_hash_name (x->hashid),
               dhchap_dhgroup_name (x->dhgid),
               x->bidi ? "bidirectional" : "one-way");
  if (x->genlen) {
    char id[TLS_PSK_IDENTITY_MAX + 1], err[256];

    if (concat_psk_add (x->hashid, x->gen, x->genlen, ci->ctrl->hostnqn,
                        ci->ctrl->subsys->nqn, id, sizeof id, err,
                        sizeof err) == -1)
      log_msg ("%s: secure channel concatenation: no TLS PSK: %s",
               who (ci, w, sizeof w), err);
    else
      log_verbose ("%s: secure channel concatenation (%s): TLS PSK "
                   "generated, identity '%s'",
                   who (ci, w, sizeof w),
                   x->sc_c == NVMF_AUTH_SCC_NEW_TLS_PSK ? "NEWTLSPSK" :
                                                          "REPLACETLSPSK",
                   id);
  }
  xchg_free (a);
}

/* A re-authentication left unfinished past its time is dropped. */
static void
expire_reauth (struct conn_info *ci)
{
  struct auth_queue *a = &ci->auth;
  uint64_t d = atomic_load (&a->deadline_ms);
  char w[WHO_MAX];

  if (a->x && a->x->reauth && atomic_load (&a->ok) && d && now_ms () > d) {
    log_verbose ("%s: unfinished re-authentication dropped",
                 who (ci, w, sizeof w));
    xchg_free (a);
    atomic_store (&a->deadline_ms, 0);
  }
}

static bool
offered (const uint8_t *ids, size_t n, uint8_t id)
{
  size_t i;

  for (i = 0; i < n; i++)
    if (ids[i] == id)
      return true;
  return false;
}

/* Why concatenation (sc_c) cannot be done on this queue, or NULL. */
static const char *
concat_refused (const struct conn_info *ci, uint8_t sc_c)
{
  if (sc_c != NVMF_AUTH_SCC_NEW_TLS_PSK &&
      sc_c != NVMF_AUTH_SCC_REPLACE_TLS_PSK)
    return "not a defined value (01h is obsolete)";
  if (ci->qid != 0)
    return "only an admin queue generates a PSK";
  if (sc_c == NVMF_AUTH_SCC_REPLACE_TLS_PSK)
    return ci->tls ? NULL : "REPLACETLSPSK on a queue without TLS";
  if (ci->tls)
    return "NEWTLSPSK on a queue that already runs over TLS";
  if (port_tls (ci->port) == TGT_TLS_NONE)
    return "the port does not offer TLS (addr.tsas tls1.3)";
  return NULL;
}

/* AUTH_Negotiate: (re)start the exchange and prepare the Challenge. */
static void
negotiate (struct conn *c, const struct auth_msg *m)
{
  struct conn_info *ci = conn_info (c);
  struct auth_queue *a = &ci->auth;
  const struct tgt_host *h = a->host;
  uint8_t dhv[DHCHAP_DH_MAX];
  size_t dhvlen = 0;
  struct auth_xchg *x;
  char err[160];
  bool reauth = h && atomic_load (&a->ok);

  xchg_free (a);
  a->x = x = calloc (1, sizeof *x);
  if (!x) {
    fail (c, NVMF_AUTH_RCE_FAILED, m->t_id, "out of memory");
    return;
  }
  x->t_id = m->t_id;
  x->reauth = reauth;
  if (reauth)
    atomic_store (&a->deadline_ms, now_ms () + period_ms (ci));
  if (!h) {
    fail (c, NVMF_AUTH_RCE_FAILED, x->t_id,
          "no DH-HMAC-CHAP secret is configured for this host and "
          "subsystem");
    return;
  }
  x->sc_c = m->u.negotiate.sc_c;
  if (x->sc_c != NVMF_AUTH_SCC_NONE) {
    const char *why = concat_refused (ci, x->sc_c);

    if (why) {
      fail (c, NVMF_AUTH_RCE_SCC_MISMATCH, x->t_id,
            "secure channel concatenation (SC_C %u) refused: %s", x->sc_c, why);
      return;
    }
  }
  if (!m->u.negotiate.dhchap) {
    fail (c, NVMF_AUTH_RCE_PROTO_UNUSABLE, x->t_id,
          "DH-HMAC-CHAP is not offered");
    return;
  }
  if (x->sc_c != NVMF_AUTH_SCC_NONE && h->dhgid == NVMF_AUTH_DHGROUP_NULL) {
    fail (c, NVMF_AUTH_RCE_SCC_MISMATCH, x->t_id,
          "secure channel concatenation needs a DH group, and the host's "
          "dhchap_dhgroup is null");
    return;
  }
  if (x->sc_c != NVMF_AUTH_SCC_NONE && h->hashid != NVMF_AUTH_HASH_SHA256 &&
      h->hashid != NVMF_AUTH_HASH_SHA384) {
    fail (c, NVMF_AUTH_RCE_HASH_UNUSABLE, x->t_id,
          "secure channel concatenation needs hmac(sha256) or hmac(sha384) "
          "(a TLS cipher suite's hash), and the host's dhchap_hash is %s",
          dhchap_hash_name (h->hashid));
    return;
  }
  if (!offered (m->u.negotiate.hashes, m->u.negotiate.nr_hashes, h->hashid)) {
    fail (c, NVMF_AUTH_RCE_HASH_UNUSABLE, x->t_id, "the host does not offer %s",
          dhchap_hash_name (h->hashid));
    return;
  }
  if (!offered (m->u.negotiate.dhgroups, m->u.negotiate.nr_dhgroups,
                h->dhgid)) {
    fail (c, NVMF_AUTH_RCE_DHGROUP_UNUSABLE, x->t_id,
          "the host does not offer DH group %s",
          dhchap_dhgroup_name (h->dhgid));
    return;
  }
  x->hashid = h->hashid;
  x->dhgid = h->dhgid;
  x->hl = (uint8_t) dhchap_hash_len (x->hashid);
  if (dhchap_random (x->c1, x->hl, err, sizeof err) == -1) {
    fail (c, NVMF_AUTH_RCE_FAILED, x->t_id, "%s", err);
    return;
  }
  x->s1 = next_seqnum ();
  if (x->dhgid != NVMF_AUTH_DHGROUP_NULL) {
    dhvlen = dhchap_dhgroup_value_len (x->dhgid);
    x->dh = dhchap_dh_new (x->dhgid, err, sizeof err);
    if (!x->dh || dhchap_dh_public (x->dh, dhv, dhvlen, err, sizeof err)) {
      fail (c, NVMF_AUTH_RCE_FAILED, x->t_id, "%s", err);
      return;
    }
  }
  x->len = auth_build_challenge (x->msg, x->t_id, x->hashid, x->dhgid, x->s1,
                                 x->c1, x->hl, dhv, dhvlen);
  x->step = S_CHALLENGE;
}

/* DH-HMAC-CHAP_Reply: check R1; compute R2 if the host asks for it. */
static void
reply (struct conn *c, const struct auth_msg *m)
{
  struct conn_info *ci = conn_info (c);
  struct auth_queue *a = &ci->auth;
  struct auth_xchg *x = a->x;
  const struct tgt_host *h = a->host;
  const char *hostnqn = ci->ctrl->hostnqn, *subnqn = ci->ctrl->subsys->nqn;
  size_t vlen = dhchap_dhgroup_value_len (x->dhgid), klen;
  uint8_t shared[DHCHAP_DH_MAX], chal[DHCHAP_HASH_MAX], key[DHCHAP_KEY_MAX];
  uint8_t want[DHCHAP_HASH_MAX], r2[DHCHAP_HASH_MAX];
  const uint8_t *c1 = x->c1, *c2 = m->u.reply.c2;
  char err[160];

  if (m->u.reply.hl != x->hl) {
    fail (c, NVMF_AUTH_RCE_INCORRECT_PAYLOAD, x->t_id,
          "Reply HL %u, expected %u", m->u.reply.hl, x->hl);
    return;
  }
  if (m->u.reply.dhvlen != vlen) {
    fail (c, NVMF_AUTH_RCE_INCORRECT_PAYLOAD, x->t_id,
          "Reply DHVLEN %u, expected %zu for %s", m->u.reply.dhvlen, vlen,
          dhchap_dhgroup_name (x->dhgid));
    return;
  }
  if (x->dh) {
    if (dhchap_dh_shared (x->dh, m->u.reply.dhv, vlen, shared, vlen, err,
                          sizeof err) == -1) {
      /* nvmet answers a DH value it cannot use with this explanation. */
      fail (c, NVMF_AUTH_RCE_DHGROUP_UNUSABLE, x->t_id, "host DH value: %s",
            err);
      goto out;
    }
    if (dhchap_augment (x->hashid, shared, vlen, x->c1, chal, err,
                        sizeof err) == -1)
      goto internal;
    c1 = chal;
  }
  if (dhchap_key_transform (&h->key, hostnqn, key, &klen, err, sizeof err) ||
      dhchap_response (x->hashid, false, key, klen, c1, x->s1, x->t_id, x->sc_c,
                       hostnqn, subnqn, want, err, sizeof err))
    goto internal;
  if (CRYPTO_memcmp (want, m->u.reply.r1, x->hl) != 0) {
    fail (c, NVMF_AUTH_RCE_FAILED, x->t_id,
          "wrong response R1 (the host's secret differs)");
    goto out;
  }
  if (x->sc_c != NVMF_AUTH_SCC_NONE) {
    /* The generated PSK, from the challenges as sent. */
    if (!m->u.reply.cvalid) {
      fail (c, NVMF_AUTH_RCE_FAILED, x->t_id,
            "secure channel concatenation without a challenge C2 "
            "(CVALID 0)");
      goto out;
    }
    if (tls_psk_concat_generate (x->hashid, shared, vlen, x->c1, m->u.reply.c2,
                                 x->gen, &x->genlen, err, sizeof err))
      goto internal;
  }
  /* S2 0 with concatenation: C2 is for the PSK, not an authentication of
   * the controller (as nvmet). */
  if (m->u.reply.cvalid &&
      (x->sc_c == NVMF_AUTH_SCC_NONE || m->u.reply.seqnum != 0)) {
    if (!h->has_ctrl_key) {
      fail (c, NVMF_AUTH_RCE_FAILED, x->t_id,
            "the host asks to authenticate the controller, but no "
            "dhchap_ctrl_key is configured for it");
      goto out;
    }
    if (x->dh) {
      if (dhchap_augment (x->hashid, shared, vlen, c2, chal, err, sizeof err) ==
          -1)
        goto internal;
      c2 = chal;
    }
    if (dhchap_key_transform (&h->ctrl_key, subnqn, key, &klen, err,
                              sizeof err) ||
        dhchap_response (x->hashid, true, key, klen, c2, m->u.reply.seqnum,
                         x->t_id, 0, hostnqn, subnqn, r2, err, sizeof err))
      goto internal;
    x->bidi = true;
    x->len = auth_build_success1 (x->msg, x->t_id, r2, x->hl);
  }
  else {
    x->len = auth_build_success1 (x->msg, x->t_id, NULL, x->hl);
    /* One-way: authenticated now, as nvmet decides. */
    atomic_store (&a->ok, true);
    atomic_store (&a->deadline_ms, 0);
  }
  x->step = S_SUCCESS1;
  goto out;
internal:
  fail (c, NVMF_AUTH_RCE_FAILED, x->t_id, "%s", err);
out:
  OPENSSL_cleanse (shared, sizeof shared);
  OPENSSL_cleanse (chal, sizeof chal);
  OPENSSL_cleanse (key, sizeof key);
  OPENSSL_cleanse (want, sizeof want);
  OPENSSL_cleanse (r2, sizeof r2);
  if (a->x) {
    dhchap_dh_free (a->x->dh);
    a->x->dh = NULL;
  }
}

/* A message a host may send (so that a parse error is in its payload,
 * not in the choice of message). */
static bool
host_message (const uint8_t *buf, size_t len)
{
  if (len < 2)
    return false;
  if (buf[0] == NVMF_AUTH_TYPE_COMMON)
    return buf[1] == NVMF_AUTH_ID_NEGOTIATE || buf[1] == NVMF_AUTH_ID_FAILURE2;
  return buf[0] == NVMF_AUTH_TYPE_DHCHAP &&
         (buf[1] == NVMF_AUTH_ID_DHCHAP_REPLY ||
          buf[1] == NVMF_AUTH_ID_DHCHAP_SUCCESS2);
}

static void
exec_send (struct conn *c, struct req *r)
{
  struct conn_info *ci = conn_info (c);
  struct auth_queue *a = &ci->auth;
  enum auth_msg_kind want = 0;
  struct auth_msg m;
  uint16_t t_id;
  char err[200], w[WHO_MAX];

  expire_reauth (ci);
  if (a->x && a->x->step == S_FAILURE1)
    return; /* failed: only the Failure1 is left to fetch */
  /* A failure answers with the exchange's T_ID, else the message's. */
  t_id = a->x ? a->x->t_id : r->len >= 6 ? get_le16 (r->data + 4) : 0xFFFF;
  if (auth_msg_parse (r->data, r->len, false, &m, err, sizeof err) == -1) {
    fail (c,
          host_message (r->data, r->len) ? NVMF_AUTH_RCE_INCORRECT_PAYLOAD :
                                           NVMF_AUTH_RCE_INCORRECT_PROTO,
          t_id, "%s", err);
    return;
  }
  if (m.kind == AUTH_MSG_NEGOTIATE) {
    negotiate (c, &m);
    return;
  }
  if (m.kind == AUTH_MSG_FAILURE2) {
    log_msg ("%s: the host ended authentication with Failure2: reason %u, "
             "explanation %u (%s)",
             who (ci, w, sizeof w), m.u.failure.rc, m.u.failure.rce,
             dhchap_failure_string (m.u.failure.rce));
    xchg_free (a);
    if (a->host)
      end_controller (ci);
    return;
  }
  if (a->x && a->x->step == S_REPLY)
    want = AUTH_MSG_REPLY;
  else if (a->x && a->x->step == S_SUCCESS2)
    want = AUTH_MSG_SUCCESS2;
  if (m.kind != want) {
    fail (c, NVMF_AUTH_RCE_INCORRECT_PROTO, t_id, "%s out of sequence",
          auth_msg_name (m.kind));
    return;
  }
  if (m.t_id != a->x->t_id) {
    fail (c, NVMF_AUTH_RCE_INCORRECT_PAYLOAD, t_id,
          "%s with T_ID %u, the exchange's is %u", auth_msg_name (m.kind),
          m.t_id, a->x->t_id);
    return;
  }
  if (m.kind == AUTH_MSG_REPLY)
    reply (c, &m);
  else
    done (ci);
}

static void
exec_recv (struct conn *c, struct req *r)
{
  struct conn_info *ci = conn_info (c);
  struct auth_queue *a = &ci->auth;
  struct auth_xchg *x;

  expire_reauth (ci);
  x = a->x;
  if (!x || (x->step != S_CHALLENGE && x->step != S_SUCCESS1 &&
             x->step != S_FAILURE1)) {
    fail (c, NVMF_AUTH_RCE_INCORRECT_PROTO, x ? x->t_id : 0xFFFF,
          "AUTH_Receive while %s",
          x ? "a message from the host is due" : "no exchange is under way");
    x = a->x;
    if (!x) {
      r->status = NVME_SC_INTERNAL;
      return;
    }
  }
  if (x->len > r->len) {
    /* Not truncated: the host may ask again with room enough. */
    log_verbose ("%s: AUTH_Receive AL %u is less than the %zu bytes due",
                 ci->peer, r->len, x->len);
    r->status = NVME_SC_INVALID_FIELD;
    return;
  }
  memcpy (r->data, x->msg, x->len);
  memset (r->data + x->len, 0, r->len - x->len);
  switch (x->step) {
  case S_CHALLENGE:
    x->step = S_REPLY;
    break;
  case S_SUCCESS1:
    if (x->bidi)
      x->step = S_SUCCESS2;
    else
      done (ci);
    break;
  default: /* S_FAILURE1 */
    xchg_free (a);
    if (a->host)
      end_controller (ci);
    break;
  }
}

uint16_t
auth_prepare (struct conn *c, struct req *r)
{
  const struct nvmf_auth_cmd *cmd = (const void *) &r->sqe;
  bool send = cmd->fctype == NVMF_FCTYPE_AUTH_SEND;
  uint32_t len = GET32 (cmd->tl);

  if (!conn_info (c)->connected)
    return NVME_SC_CMD_SEQ_ERROR;
  if (cmd->secp != NVMF_AUTH_SECP_NVME || cmd->spsp0 != NVMF_AUTH_SPSP0 ||
      cmd->spsp1 != NVMF_AUTH_SPSP1)
    return NVME_SC_INVALID_FIELD;
  /* Bounded before anything is allocated. */
  if (len == 0 || len > (send ? AUTH_MSG_MAX : AUTH_AL_MAX))
    return NVME_SC_INVALID_FIELD;
  r->dir = send ? DIR_H2C : DIR_C2H;
  r->len = len;
  r->data = req_buf (c, r, len);
  if (!r->data)
    return NVME_SC_INTERNAL;
  r->exec = send ? exec_send : exec_recv;
  return 0;
}

bool
auth_connect (struct conn *c, const char *hostnqn)
{
  struct conn_info *ci = conn_info (c);
  struct auth_queue *a = &ci->auth;

  a->host = auth_host_for (ci->ctrl->subsys, hostnqn);
  if (!a->host)
    return false;
  if (ci->tls && ci->tls_generated) {
    /* The PSK came from this host's authentication: no need to again
     * (a Negotiate may still replace the PSK). */
    atomic_store (&a->ok, true);
    atomic_store (&a->deadline_ms, 0);
    return false;
  }
  atomic_store (&a->ok, false);
  atomic_store (&a->deadline_ms, now_ms () + period_ms (ci));
  return true;
}

bool
auth_blocks (const struct conn_info *ci)
{
  return ci->auth.host && !atomic_load (&ci->auth.ok);
}

bool
auth_expired (struct conn_info *ci, uint64_t now)
{
  uint64_t d = atomic_load (&ci->auth.deadline_ms);

  if (d == 0 || now <= d || atomic_load (&ci->auth.ok))
    return false;
  return atomic_compare_exchange_strong (&ci->auth.deadline_ms, &d, 0);
}
