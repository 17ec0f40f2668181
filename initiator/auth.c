/* SPDX-License-Identifier: BSD-3-Clause */
/* DH-HMAC-CHAP on one queue, right after its Connect (NVMe Base 2.0,
 * 8.13.5), as the host: Negotiate, Challenge, Reply, Success1 or Failure1,
 * and with a controller key Success2 or Failure2.  Every queue (admin and
 * I/O) authenticates, again after each reconnect.  Secrets are parsed
 * here from the options each time, and every copy of key material lives
 * on this file's stack and is wiped before returning.
 *
 * Secure channel concatenation (concat; NVMe Base 2.1 8.3.4.3, as Linux
 * 6.15's host does it): the plain admin queue's Negotiate carries SC_C
 * NEWTLSPSK (REPLACETLSPSK on an admin queue already over TLS) and offers
 * no null group (and no SHA-512, which has no TLS cipher suite); the Reply
 * carries a random C2 with S2 0 (no controller authentication); after
 * Success1 the generated PSK, HMAC (KS, C1 || C2), gives the TLS PSK and
 * its identity (tls-psk-gen.c), kept in ctrl->concat_psk for the TLS
 * handshakes of every queue (ctrl.c, tcp-tls.c). */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "internal.h"
#include "auth-msg.h"
#include "dhchap.h"
#include "errors.h"
#include "nvmf-wire.h"
#include "tls-psk.h"

/* What we offer: every hash, every group (the kernel's nvmet keeps its
 * configured group only if the host offers it, and refuses a list of
 * null alone when it wants a group). */
static const uint8_t offer_hashes[] = {
  NVMF_AUTH_HASH_SHA256,
  NVMF_AUTH_HASH_SHA384,
  NVMF_AUTH_HASH_SHA512,
};
static const uint8_t offer_dhgroups[] = {
  NVMF_AUTH_DHGROUP_NULL, NVMF_AUTH_DHGROUP_2048, NVMF_AUTH_DHGROUP_3072,
  NVMF_AUTH_DHGROUP_4096, NVMF_AUTH_DHGROUP_6144, NVMF_AUTH_DHGROUP_8192,
};
/* With concatenation: a TLS cipher suite's hash, a real key exchange. */
#define CONCAT_HASHES   2 /* the first two of offer_hashes */
#define CONCAT_DHGROUPS (offer_dhgroups + 1)
#define CONCAT_NR_DH    (sizeof offer_dhgroups - 1)

/* One exchange's state; wiped at the end. */
struct auth_state {
  struct nvmeof_queue *q;
  uint16_t t_id;
  uint8_t hashid, dhgid;
  size_t hl;
  struct dhchap_key host_key, ctrl_key;
  bool bidirectional;
  uint8_t kh[DHCHAP_KEY_MAX], kc[DHCHAP_KEY_MAX]; /* transformed */
  size_t khlen, kclen;
  uint8_t shared[DHCHAP_DH_MAX];
  size_t sharedlen;
  uint8_t c1[DHCHAP_HASH_MAX], c2[DHCHAP_HASH_MAX]; /* as sent */
  uint32_t s2;
  uint8_t sc_c; /* NVMF_AUTH_SCC_*: not NONE for concatenation */
  uint8_t buf[AUTH_MSG_MAX];
  char err[256];
};

/* Prefix of every message: where and which queue. */
#define WHERE(st) (st)->q->ctrl->addr, (st)->q->qid

static int
auth_send (struct auth_state *st, size_t len, const char *what)
{
  struct nvmf_auth_cmd cmd;
  uint16_t status = 0;

  memset (&cmd, 0, sizeof cmd);
  cmd.opcode = NVME_ADMIN_FABRICS;
  cmd.fctype = NVMF_FCTYPE_AUTH_SEND;
  cmd.secp = NVMF_AUTH_SECP_NVME;
  cmd.spsp0 = NVMF_AUTH_SPSP0;
  cmd.spsp1 = NVMF_AUTH_SPSP1;
  PUT32 (cmd.tl, (uint32_t) len);
  if (queue_exec (st->q, (const struct nvme_sqe *) &cmd, st->buf,
                  (uint32_t) len, REQ_DIR_H2C, NULL, &status) < 0) {
    if (status)
      set_error_fabrics_status (status,
                                "%s: authentication of queue %u: sending "
                                "%s (Authentication Send) failed",
                                WHERE (st), what);
    return -1;
  }
  return 0;
}

static void send_failure2 (struct auth_state *st, uint8_t rce);

/* Receive the controller's next message into st->buf and parse it. */
static int
auth_receive (struct auth_state *st, const char *waiting_for,
              struct auth_msg *msg)
{
  struct nvmf_auth_cmd cmd;
  uint16_t status = 0;

  memset (&cmd, 0, sizeof cmd);
  cmd.opcode = NVME_ADMIN_FABRICS;
  cmd.fctype = NVMF_FCTYPE_AUTH_RECV;
  cmd.secp = NVMF_AUTH_SECP_NVME;
  cmd.spsp0 = NVMF_AUTH_SPSP0;
  cmd.spsp1 = NVMF_AUTH_SPSP1;
  PUT32 (cmd.al, sizeof st->buf);
  memset (st->buf, 0, sizeof st->buf);
  if (queue_exec (st->q, (const struct nvme_sqe *) &cmd, st->buf,
                  sizeof st->buf, REQ_DIR_C2H, NULL, &status) < 0) {
    if (status)
      set_error_fabrics_status (status,
                                "%s: authentication of queue %u: receiving "
                                "the %s (Authentication Receive) failed",
                                WHERE (st), waiting_for);
    else if (strcmp (waiting_for, "DH-HMAC-CHAP_Success1") == 0) {
      /* Linux's nvmet ends the association when it refuses our reply,
       * and may close the connection before its Failure1 leaves. */
      char lost[512];

      snprintf (lost, sizeof lost, "%s", nvmeof_get_error ());
      set_error (EACCES,
                 "%s: queue %u (host %s): authentication failed: the "
                 "connection closed where the answer to our reply was due "
                 "(Linux's nvmet closes it when it refuses the host's "
                 "response); check dhchap-secret against the key the "
                 "target has for this host (%s)",
                 WHERE (st), st->q->ctrl->opts.hostnqn, lost);
    }
    return -1;
  }
  if (auth_msg_parse (st->buf, sizeof st->buf, true, msg, st->err,
                      sizeof st->err) < 0) {
    set_error (EPROTO,
               "%s: authentication of queue %u: the controller sent an "
               "invalid message where the %s was due: %s",
               WHERE (st), waiting_for, st->err);
    send_failure2 (st, NVMF_AUTH_RCE_INCORRECT_PAYLOAD);
    return -1;
  }
  if (msg->kind == AUTH_MSG_FAILURE1) {
    set_error (EACCES,
               "%s: authentication of queue %u (host %s) failed: the "
               "controller refused it (AUTH_Failure1, reason %u: %s)%s",
               WHERE (st), st->q->ctrl->opts.hostnqn, msg->u.failure.rce,
               dhchap_failure_string (msg->u.failure.rce),
               msg->u.failure.rce == NVMF_AUTH_RCE_FAILED ?
                 "; check dhchap-secret (and dhchap-ctrl-secret) against "
                 "the keys the target has for this host" :
               st->sc_c != NVMF_AUTH_SCC_NONE ?
                 "; secure channel concatenation (concat) needs a DH "
                 "group other than null, hmac(sha256) or hmac(sha384), "
                 "and a port that offers TLS" :
                 "");
    return -1;
  }
  if (msg->t_id != st->t_id) {
    set_error (EPROTO,
               "%s: authentication of queue %u: the %s carries "
               "transaction ID %u, expected %u",
               WHERE (st), auth_msg_name (msg->kind), msg->t_id, st->t_id);
    send_failure2 (st, NVMF_AUTH_RCE_INCORRECT_PAYLOAD);
    return -1;
  }
  return 0;
}

/* Tell the controller we give up (AUTH_Failure2), best effort: the error
 * already set is kept. */
static void
send_failure2 (struct auth_state *st, uint8_t rce)
{
  char saved[512];
  int err = nvmeof_get_errno ();

  snprintf (saved, sizeof saved, "%s", nvmeof_get_error ());
  (void) auth_send (
    st, auth_build_failure (st->buf, false, st->t_id, NVMF_AUTH_RC_FAILED, rce),
    "AUTH_Failure2");
  set_error (err, "%s", saved);
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

/* The Challenge: check what the controller chose, and answer. */
static int
reply_to_challenge (struct auth_state *st, const struct auth_msg *msg)
{
  struct nvmeof_ctrl *ctrl = st->q->ctrl;
  struct dhchap_dh *dh = NULL;
  uint8_t c1[DHCHAP_HASH_MAX], r1[DHCHAP_HASH_MAX], c2[DHCHAP_HASH_MAX];
  uint8_t pub[DHCHAP_DH_MAX];
  size_t publen = 0, len;
  int ret = -1;

  st->hashid = msg->u.challenge.hashid;
  st->dhgid = msg->u.challenge.dhgid;
  st->hl = msg->u.challenge.hl;
  if (st->sc_c != NVMF_AUTH_SCC_NONE && st->dhgid == NVMF_AUTH_DHGROUP_NULL) {
    set_error (EPROTO,
               "%s: authentication of queue %u: the controller chose the "
               "null DH group, but secure channel concatenation (concat) "
               "needs a DH group to generate the TLS PSK (give host %s a "
               "dhchap_dhgroup of ffdhe2048 or more on the target)",
               WHERE (st), ctrl->opts.hostnqn);
    send_failure2 (st, NVMF_AUTH_RCE_SCC_MISMATCH);
    return -1;
  }
  if (!offered (offer_hashes, sizeof offer_hashes, st->hashid) ||
      !offered (offer_dhgroups, sizeof offer_dhgroups, st->dhgid) ||
      (st->sc_c != NVMF_AUTH_SCC_NONE &&
       !offered (offer_hashes, CONCAT_HASHES, st->hashid))) {
    set_error (EPROTO,
               "%s: authentication of queue %u: the controller chose %s "
               "with DH group %s, which the host did not offer",
               WHERE (st), dhchap_hash_name (st->hashid),
               dhchap_dhgroup_name (st->dhgid));
    send_failure2 (st, NVMF_AUTH_RCE_INCORRECT_PAYLOAD);
    return -1;
  }
  memcpy (c1, msg->u.challenge.c1, st->hl);
  memcpy (st->c1, c1, st->hl);

  if (st->dhgid != NVMF_AUTH_DHGROUP_NULL) {
    publen = dhchap_dhgroup_value_len (st->dhgid);
    st->sharedlen = publen;
    dh = dhchap_dh_new (st->dhgid, st->err, sizeof st->err);
    if (dh == NULL ||
        dhchap_dh_public (dh, pub, publen, st->err, sizeof st->err) < 0 ||
        dhchap_dh_shared (dh, msg->u.challenge.dhv, msg->u.challenge.dhvlen,
                          st->shared, st->sharedlen, st->err,
                          sizeof st->err) < 0 ||
        dhchap_augment (st->hashid, st->shared, st->sharedlen, c1, c1, st->err,
                        sizeof st->err) < 0) {
      set_error (EPROTO, "%s: authentication of queue %u: %s with %s: %s",
                 WHERE (st), "Diffie-Hellman exchange",
                 dhchap_dhgroup_name (st->dhgid), st->err);
      send_failure2 (st, NVMF_AUTH_RCE_INCORRECT_PAYLOAD);
      goto out;
    }
  }
  if (dhchap_response (st->hashid, false, st->kh, st->khlen, c1,
                       msg->u.challenge.seqnum, st->t_id, st->sc_c,
                       ctrl->opts.hostnqn, ctrl->opts.subnqn, r1, st->err,
                       sizeof st->err) < 0) {
    set_error (EIO, "%s: authentication of queue %u: %s", WHERE (st), st->err);
    goto out;
  }
  if (st->bidirectional) {
    /* Our challenge to the controller, and a non-zero S2. */
    do {
      if (dhchap_random (&st->s2, sizeof st->s2, st->err, sizeof st->err) < 0 ||
          dhchap_random (st->c2, st->hl, st->err, sizeof st->err) < 0) {
        set_error (EIO, "%s: authentication of queue %u: %s", WHERE (st),
                   st->err);
        goto out;
      }
    } while (st->s2 == 0);
    memcpy (c2, st->c2, st->hl);
  }
  else if (st->sc_c != NVMF_AUTH_SCC_NONE) {
    /* C2 feeds the generated PSK; S2 0: the controller does not answer
     * it (as Linux). */
    if (dhchap_random (st->c2, st->hl, st->err, sizeof st->err) < 0) {
      set_error (EIO, "%s: authentication of queue %u: %s", WHERE (st),
                 st->err);
      goto out;
    }
    memcpy (c2, st->c2, st->hl);
  }
  len = auth_build_reply (
    st->buf, st->t_id, r1, st->hl,
    st->bidirectional || st->sc_c != NVMF_AUTH_SCC_NONE ? c2 : NULL, st->s2,
    publen ? pub : NULL, publen);
  ret = auth_send (st, len, "DH-HMAC-CHAP_Reply");
out:
  dhchap_dh_free (dh);
  OPENSSL_cleanse (c1, sizeof c1);
  OPENSSL_cleanse (r1, sizeof r1);
  OPENSSL_cleanse (pub, sizeof pub);
  return ret;
}

/* Success1: with a controller key, check R2 and answer Success2 or
 * Failure2. */
static int
check_success1 (struct auth_state *st, const struct auth_msg *msg)
{
  struct nvmeof_ctrl *ctrl = st->q->ctrl;
  uint8_t chal[DHCHAP_HASH_MAX], r2[DHCHAP_HASH_MAX];
  int ret = -1;

  if (!st->bidirectional)
    return 0; /* an R2 we did not ask for proves nothing: ignored */
  if (!msg->u.success1.rvalid || msg->u.success1.hl != st->hl) {
    set_error (EPROTO,
               "%s: authentication of queue %u: the controller accepted the "
               "host but did not authenticate itself (DH-HMAC-CHAP_Success1 "
               "with RVALID %u, HL %u), although dhchap-ctrl-secret asks "
               "for it",
               WHERE (st), msg->u.success1.rvalid, msg->u.success1.hl);
    send_failure2 (st, NVMF_AUTH_RCE_INCORRECT_PAYLOAD);
    return -1;
  }
  memcpy (chal, st->c2, st->hl);
  if ((st->dhgid != NVMF_AUTH_DHGROUP_NULL &&
       dhchap_augment (st->hashid, st->shared, st->sharedlen, chal, chal,
                       st->err, sizeof st->err) < 0) ||
      dhchap_response (st->hashid, true, st->kc, st->kclen, chal, st->s2,
                       st->t_id, NVMF_AUTH_SCC_NONE, ctrl->opts.hostnqn,
                       ctrl->opts.subnqn, r2, st->err, sizeof st->err) < 0) {
    set_error (EIO, "%s: authentication of queue %u: %s", WHERE (st), st->err);
    goto out;
  }
  if (CRYPTO_memcmp (r2, msg->u.success1.r2, st->hl) != 0) {
    set_error (EACCES,
               "%s: authentication of queue %u: the controller failed to "
               "prove its identity (its response R2 does not match "
               "dhchap-ctrl-secret for %s)",
               WHERE (st), ctrl->opts.subnqn);
    send_failure2 (st, NVMF_AUTH_RCE_FAILED);
    goto out;
  }
  ret = auth_send (st, auth_build_success2 (st->buf, st->t_id),
                   "DH-HMAC-CHAP_Success2");
out:
  OPENSSL_cleanse (chal, sizeof chal);
  OPENSSL_cleanse (r2, sizeof r2);
  return ret;
}

/* Parse and transform the secrets of the options. */
static int
load_keys (struct auth_state *st)
{
  const struct nvmeof_opts *o = &st->q->ctrl->opts;

  if (dhchap_key_parse (o->dhchap_secret, &st->host_key, st->err,
                        sizeof st->err) < 0 ||
      dhchap_key_transform (&st->host_key, o->hostnqn, st->kh, &st->khlen,
                            st->err, sizeof st->err) < 0) {
    set_error (EINVAL, "dhchap-secret: %s", st->err);
    return -1;
  }
  if (!st->bidirectional)
    return 0;
  if (dhchap_key_parse (o->dhchap_ctrl_secret, &st->ctrl_key, st->err,
                        sizeof st->err) < 0 ||
      dhchap_key_transform (&st->ctrl_key, o->subnqn, st->kc, &st->kclen,
                            st->err, sizeof st->err) < 0) {
    set_error (EINVAL, "dhchap-ctrl-secret: %s", st->err);
    return -1;
  }
  return 0;
}

/* Concatenation: the TLS PSK that this exchange generated, for every
 * queue's handshake from now on. */
static int
generate_psk (struct auth_state *st)
{
  struct nvmeof_ctrl *ctrl = st->q->ctrl;
  uint8_t gen[DHCHAP_HASH_MAX];
  struct tls_psk psk;
  size_t len = 0;
  int r;

  r = tls_psk_concat_generate (st->hashid, st->shared, st->sharedlen, st->c1,
                               st->c2, gen, &len, st->err, sizeof st->err);
  if (r == 0)
    r =
      tls_psk_concat_derive (st->hashid, gen, len, ctrl->opts.hostnqn,
                             ctrl->opts.subnqn, &psk, st->err, sizeof st->err);
  OPENSSL_cleanse (gen, sizeof gen);
  if (r < 0) {
    set_error (EPROTO, "%s: secure channel concatenation on queue %u: %s",
               WHERE (st), st->err);
    return -1;
  }
  auth_concat_forget (ctrl);
  ctrl->concat_psk = psk;
  ctrl->concat_psk_set = true;
  OPENSSL_cleanse (&psk, sizeof psk);
  return 0;
}

static int
authenticate (struct auth_state *st)
{
  bool concat = st->sc_c != NVMF_AUTH_SCC_NONE;
  struct auth_msg msg;

  if (load_keys (st) < 0)
    return -1;
  if (auth_send (
        st,
        auth_build_negotiate (st->buf, st->t_id, st->sc_c, offer_hashes,
                              concat ? CONCAT_HASHES : sizeof offer_hashes,
                              concat ? CONCAT_DHGROUPS : offer_dhgroups,
                              concat ? CONCAT_NR_DH : sizeof offer_dhgroups),
        "AUTH_Negotiate") < 0)
    return -1;
  if (auth_receive (st, "DH-HMAC-CHAP_Challenge", &msg) < 0)
    return -1;
  if (msg.kind != AUTH_MSG_CHALLENGE) {
    set_error (EPROTO,
               "%s: authentication of queue %u: the controller sent %s "
               "where the DH-HMAC-CHAP_Challenge was due",
               WHERE (st), auth_msg_name (msg.kind));
    send_failure2 (st, NVMF_AUTH_RCE_INCORRECT_PROTO);
    return -1;
  }
  if (reply_to_challenge (st, &msg) < 0)
    return -1;
  if (auth_receive (st, "DH-HMAC-CHAP_Success1", &msg) < 0)
    return -1;
  if (msg.kind != AUTH_MSG_SUCCESS1) {
    set_error (EPROTO,
               "%s: authentication of queue %u: the controller sent %s "
               "where the DH-HMAC-CHAP_Success1 was due",
               WHERE (st), auth_msg_name (msg.kind));
    send_failure2 (st, NVMF_AUTH_RCE_INCORRECT_PROTO);
    return -1;
  }
  if (check_success1 (st, &msg) < 0)
    return -1;
  return concat ? generate_psk (st) : 0;
}

void
auth_concat_forget (struct nvmeof_ctrl *ctrl)
{
  OPENSSL_cleanse (&ctrl->concat_psk, sizeof ctrl->concat_psk);
  ctrl->concat_psk_set = false;
}

int
auth_queue (struct nvmeof_queue *q, uint32_t connect_dw0)
{
  struct nvmeof_ctrl *ctrl = q->ctrl;
  bool have_host = ctrl->opts.dhchap_secret[0] != '\0';
  bool have_ctrl = ctrl->opts.dhchap_ctrl_secret[0] != '\0';
  /* The plain admin queue of a concatenation, which must make a PSK. */
  bool concat = ctrl->opts.concat && q->qid == 0 && !ctrl->concat_psk_set;
  uint32_t authreq = connect_dw0;
  struct auth_state st;
  int ret;

  if ((authreq & NVMF_CONNECT_AUTHREQ_ASCR) && !concat) {
    set_error (ENOTSUP,
               "%s: subsystem %s requires secure channel concatenation "
               "(DH-HMAC-CHAP followed by TLS) on queue %u%s",
               ctrl->addr, ctrl->opts.subnqn, q->qid,
               ctrl->opts.concat ? ", which only an admin queue without TLS "
                                   "can do" :
                                   ": give concat=on with dhchap-secret=+FILE");
    return -1;
  }
  if (!(authreq & (NVMF_CONNECT_AUTHREQ_ATR | NVMF_CONNECT_AUTHREQ_ASCR))) {
    if (concat) {
      set_error (EACCES,
                 "%s: concat: subsystem %s does not ask host %s to "
                 "authenticate, so DH-HMAC-CHAP can generate no TLS PSK; "
                 "not connecting",
                 ctrl->addr, ctrl->opts.subnqn, ctrl->opts.hostnqn);
      return -1;
    }
    /* Authenticating the controller is what a controller key asks for:
     * connecting to one that skips authentication would defeat it. */
    if (have_ctrl && strcmp (ctrl->opts.subnqn, NVMEOF_DISCOVERY_NQN) != 0) {
      set_error (EACCES,
                 "%s: dhchap-ctrl-secret is given, but subsystem %s does "
                 "not ask host %s to authenticate, so the controller cannot "
                 "prove its identity; not connecting",
                 ctrl->addr, ctrl->opts.subnqn, ctrl->opts.hostnqn);
      return -1;
    }
    return 0;
  }
  if (!have_host) {
    set_error (EACCES,
               "%s: subsystem %s requires host %s to authenticate "
               "(DH-HMAC-CHAP): give its secret with dhchap-secret=+FILE",
               ctrl->addr, ctrl->opts.subnqn, ctrl->opts.hostnqn);
    return -1;
  }

  memset (&st, 0, sizeof st);
  st.q = q;
  st.t_id = q->qid;
  st.bidirectional = have_ctrl;
  /* A new PSK on the plain admin queue; on the admin queue that already
   * runs over TLS with a generated PSK, a replacement (as Linux). */
  if (concat)
    st.sc_c = NVMF_AUTH_SCC_NEW_TLS_PSK;
  else if (ctrl->opts.concat && q->qid == 0)
    st.sc_c = NVMF_AUTH_SCC_REPLACE_TLS_PSK;
  ret = authenticate (&st);
  dhchap_key_wipe (&st.host_key);
  dhchap_key_wipe (&st.ctrl_key);
  OPENSSL_cleanse (&st, sizeof st);
  return ret;
}
