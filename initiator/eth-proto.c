/* SPDX-License-Identifier: BSD-3-Clause */
/* NVMe/Eth associations (docs/nvme-eth.md, "Associations"): allocation,
 * setup (ASSOC_REQ/ASSOC_RESP), matching every received frame to the
 * association before it is believed, the timers (setup, keep-alive, dead
 * peer, close) and teardown (TERM/TERM_ACK).  Commands are eth-cmd.c,
 * sequence numbers and retransmission eth-tx.c. */
#include <config.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "eth-int.h"

#define FEI(type, field) ((uint32_t) offsetof (type, field))

static uint32_t
random_u32 (void)
{
  uint32_t v = 0;

  while (v == 0)
    if (getrandom (&v, sizeof v, 0) != (ssize_t) sizeof v)
      v = (uint32_t) rand () ^ ((uint32_t) rand () << 16); /* no entropy */
  return v;
}

static struct eth_assoc *
refuse (char *err, size_t errlen, const char *what)
{
  snprintf (err, errlen, "NVMe/Eth association: %s", what);
  errno = EINVAL;
  return NULL;
}

struct eth_assoc *
eth_assoc_new (const struct eth_config *cfg, char *err, size_t errlen)
{
  struct eth_assoc *a;
  struct eth_config c = *cfg;
  const struct eth_callbacks *cb = cfg->cb;

  if (c.role != ETH_ROLE_HOST && c.role != ETH_ROLE_CTRL)
    return refuse (err, errlen, "unknown role");
  if (c.queue_depth == 0 || c.queue_depth > NVME_ETH_MAX_DEPTH)
    return refuse (err, errlen, "queue depth must be 1..1024");
  if (c.max_frame < NVME_ETH_MIN_FRAME)
    return refuse (err, errlen, "the link MTU must be at least 1280");
  if (c.rx_window == 0 || c.rx_window > NVME_ETH_MAX_WINDOW ||
      c.tx_window == 0 || c.tx_window > NVME_ETH_MAX_WINDOW)
    return refuse (err, errlen, "windows must be 1..1024 frames");
  if (cb == NULL || cb->tx == NULL || cb->closed == NULL ||
      (c.role == ETH_ROLE_HOST && cb->complete == NULL) ||
      (c.role == ETH_ROLE_CTRL &&
       (cb->capsule == NULL || cb->data_ready == NULL)))
    return refuse (err, errlen, "a callback of the role is missing");
  if (c.ka_interval_ms == 0)
    c.ka_interval_ms = 1000;
  if (c.ka_interval_ms > 3600000)
    return refuse (err, errlen, "keep-alive interval above an hour");
  if (c.rto_init_us == 0)
    c.rto_init_us = 10000;
  if (c.rto_min_us == 0)
    c.rto_min_us = 1000;
  if (c.rto_max_us == 0)
    c.rto_max_us = 500000;
  if (c.rto_min_us > c.rto_max_us || c.rto_init_us > c.rto_max_us)
    return refuse (err, errlen, "retransmission timeouts out of order");
  if (c.max_retx == 0)
    c.max_retx = 12;
  if (c.setup_ms == 0)
    c.setup_ms = 5000;
  if (c.local_id == 0)
    c.local_id = random_u32 ();
  if (c.isn == 0)
    c.isn = random_u32 ();
  /* Queue 0 carries Fabrics commands with up to 8 KiB in the capsule. */
  if (c.role == ETH_ROLE_CTRL && c.qid == 0 && c.icd_max < NVME_ETH_ADMIN_ICD)
    c.icd_max = NVME_ETH_ADMIN_ICD;
  if (c.icd_max > 16 * 1024 * 1024)
    return refuse (err, errlen, "in-capsule data above 16 MiB");
  if (c.options & ~NVME_ETH_OPT_ALL)
    return refuse (err, errlen, "unknown options");

  a = calloc (1, sizeof *a);
  if (a == NULL)
    goto nomem;
  a->cfg = c;
  a->cb = cb;
  a->ctx = c.ctx;
  a->depth_alloc = c.queue_depth;
  a->cmds = calloc (c.queue_depth, sizeof *a->cmds);
  a->tx_window = c.tx_window;
  for (a->ring_size = 1; a->ring_size < c.tx_window; a->ring_size *= 2)
    ;
  a->ring = calloc (a->ring_size, sizeof *a->ring);
  if (a->cmds == NULL || a->ring == NULL)
    goto nomem;
  /* In-capsule data beyond the CMD frame lands here, by CID, even before
   * the CMD frame itself arrives. */
  if (c.role == ETH_ROLE_CTRL &&
      c.icd_max > NVME_ETH_MIN_FRAME - sizeof (struct nvme_eth_cmd)) {
    a->icd_bufs = malloc ((size_t) c.queue_depth * c.icd_max);
    if (a->icd_bufs == NULL)
      goto nomem;
  }
  a->txq_head = a->txq_tail = ETH_NO_CID;
  a->timer_hint = UINT64_MAX;
  a->params.qid = c.qid;
  a->params.local_id = c.local_id;
  a->snd_una = a->snd_nxt = a->peer_ack = c.isn;
  memcpy (a->params.peer_mac, c.peer_mac, 6);
  tx_rtt_init (a);
  a->state = ETH_S_IDLE;
  return a;

nomem:
  eth_assoc_free (a);
  snprintf (err, errlen, "NVMe/Eth association: out of memory");
  errno = ENOMEM;
  return NULL;
}

void
eth_assoc_free (struct eth_assoc *a)
{
  if (a == NULL)
    return;
  free (a->cmds);
  free (a->ring);
  free (a->icd_bufs);
  free (a);
}

void
assoc_end (struct eth_assoc *a, int err, const char *fmt, ...)
{
  char msg[256];
  va_list ap;

  if (a->closed_called)
    return;
  a->closed_called = true;
  a->state = ETH_S_CLOSED;
  va_start (ap, fmt);
  vsnprintf (msg, sizeof msg, fmt, ap);
  va_end (ap);
  a->cb->closed (a->ctx, err, msg);
}

static void
send_term (struct eth_assoc *a, uint16_t reason, uint32_t fei,
           const void *quote, uint32_t qlen)
{
  struct nvme_eth_term t;

  if (qlen > NVME_ETH_TERM_MAX_QUOTE)
    qlen = NVME_ETH_TERM_MAX_QUOTE;
  eth_hdr_fill (&t, NVME_ETH_TERM, 0, sizeof t, sizeof t + qlen, a->cfg.qid,
                a->peer_id, a->params.local_id, 0);
  PUT16 (t.reason, reason);
  PUT32 (t.fei, fei);
  eth_frame_seal (&t, sizeof t, quote, qlen);
  tx_send_now (a, &t, sizeof t, quote, qlen);
}

void
assoc_violation (struct eth_assoc *a, const struct eth_error *e,
                 const struct eth_frame *f)
{
  if (a->state == ETH_S_CLOSED)
    return;
  if (a->peer_known)
    send_term (a, e->reason, e->fei, f->buf, f->len);
  assoc_end (a, EPROTO, "protocol error from the peer: %s", e->msg);
}

/* ---- Setup ------------------------------------------------------------- */

int
eth_assoc_connect (struct eth_assoc *a, uint64_t now_us)
{
  struct nvme_eth_assoc_req *r = &a->req;

  if (a->cfg.role != ETH_ROLE_HOST || a->state != ETH_S_IDLE) {
    errno = EINVAL;
    return -1;
  }
  a->now = now_us;
  memset (r, 0, sizeof *r);
  eth_hdr_fill (r, NVME_ETH_ASSOC_REQ, 0, sizeof *r, sizeof *r, a->cfg.qid, 0,
                a->params.local_id, a->cfg.isn);
  PUT16 (r->queue_depth, a->cfg.queue_depth);
  PUT16 (r->max_frame, a->cfg.max_frame);
  PUT16 (r->rx_window, a->cfg.rx_window);
  PUT32 (r->ka_interval_ms, a->cfg.ka_interval_ms);
  PUT32 (r->options, a->cfg.options);
  eth_frame_seal (r, sizeof *r, NULL, 0);
  a->state = ETH_S_CONNECTING;
  a->setup_start_us = now_us;
  a->setup_rto_us = a->cfg.rto_init_us;
  a->setup_next_us = now_us + a->setup_rto_us;
  a->req_sent = 1;
  tx_send_now (a, r, sizeof *r, NULL, 0);
  return 0;
}

static void
established (struct eth_assoc *a)
{
  a->state = ETH_S_ESTABLISHED;
  a->last_rx_us = a->now;
  if (a->cb->established)
    a->cb->established (a->ctx);
}

int
eth_assoc_accept (struct eth_assoc *a, const uint8_t src_mac[6],
                  const struct eth_frame *req, uint64_t now_us)
{
  const struct nvme_eth_assoc_req *q = (const void *) req->buf;
  struct nvme_eth_assoc_resp *r = &a->resp;
  uint16_t depth = GET16 (q->queue_depth), mf = GET16 (q->max_frame);
  uint32_t ka = GET32 (q->ka_interval_ms);

  if (a->cfg.role != ETH_ROLE_CTRL || a->state != ETH_S_IDLE ||
      req->type != NVME_ETH_ASSOC_REQ || req->qid != a->cfg.qid) {
    errno = EINVAL;
    return -1;
  }
  a->now = now_us;
  memcpy (a->params.peer_mac, src_mac, 6);
  a->peer_id = a->params.peer_id = req->src_assoc;
  a->peer_known = true;
  a->req_src_assoc = req->src_assoc;
  a->params.queue_depth =
    depth < a->cfg.queue_depth ? depth : a->cfg.queue_depth;
  a->params.max_frame = mf < a->cfg.max_frame ? mf : a->cfg.max_frame;
  a->params.peer_window = GET16 (q->rx_window);
  a->params.ka_interval_ms =
    ka < a->cfg.ka_interval_ms ? ka : a->cfg.ka_interval_ms;
  a->params.icd_max = a->cfg.icd_max ? a->cfg.icd_max : cmd_room (a);
  a->params.options = GET32 (q->options) & a->cfg.options;
  a->rcv_nxt = a->rcv_high = req->seq;
  a->peer_wnd = a->params.peer_window;

  memset (r, 0, sizeof *r);
  eth_hdr_fill (r, NVME_ETH_ASSOC_RESP, NVME_ETH_F_ACK, sizeof *r, sizeof *r,
                a->cfg.qid, a->peer_id, a->params.local_id, a->cfg.isn);
  PUT32 (r->hdr.ack, req->seq);
  PUT16 (r->hdr.wnd, a->cfg.rx_window);
  PUT16 (r->queue_depth, a->params.queue_depth);
  PUT16 (r->max_frame, a->params.max_frame);
  PUT16 (r->rx_window, a->cfg.rx_window);
  PUT32 (r->ka_interval_ms, a->params.ka_interval_ms);
  PUT32 (r->icd_max, a->params.icd_max);
  PUT32 (r->options, a->params.options);
  eth_frame_seal (r, sizeof *r, NULL, 0);
  a->state = ETH_S_ACCEPTED;
  a->setup_start_us = now_us;
  tx_send_now (a, r, sizeof *r, NULL, 0);
  return 0;
}

bool
eth_assoc_is_req_of (const struct eth_assoc *a, const uint8_t src_mac[6],
                     const struct eth_frame *req)
{
  return a->cfg.role == ETH_ROLE_CTRL && a->peer_known &&
         req->type == NVME_ETH_ASSOC_REQ && req->dst_assoc == 0 &&
         req->src_assoc == a->req_src_assoc && req->qid == a->cfg.qid &&
         memcmp (src_mac, a->params.peer_mac, 6) == 0;
}

/* Host: the answer to our ASSOC_REQ. */
static void
host_resp (struct eth_assoc *a, const struct eth_frame *f)
{
  const struct nvme_eth_assoc_resp *r = (const void *) f->buf;
  uint16_t status = GET16 (r->status), depth = GET16 (r->queue_depth);
  uint16_t mf = GET16 (r->max_frame);
  struct eth_error e;

  if (f->ack != a->cfg.isn) {
    a->stats.drop_foreign++; /* answers another ASSOC_REQ */
    return;
  }
  if (status != 0) {
    /* A controller of the first publication knows no option: ask again
     * without any (spec 7.4), once. */
    if (status == NVME_ETH_ERR_UNSUPPORTED &&
        GET32 (r->fei) == FEI (struct nvme_eth_assoc_req, options) &&
        a->cfg.options != 0) {
      a->cfg.options = 0;
      PUT32 (a->req.options, 0);
      eth_frame_seal (&a->req, sizeof a->req, NULL, 0);
      a->req_sent++;
      a->setup_next_us = a->now + a->setup_rto_us;
      tx_send_now (a, &a->req, sizeof a->req, NULL, 0);
      return;
    }
    if (status == NVME_ETH_ERR_VERSION)
      assoc_end (a, ECONNREFUSED,
                 "the controller refused the association: it speaks NVMe/Eth "
                 "version %u, this end %u",
                 f->version, NVME_ETH_VERSION);
    else
      assoc_end (a, ECONNREFUSED,
                 "the controller refused the association: %s (ASSOC_REQ "
                 "byte %" PRIu32 ")",
                 eth_err_string (status), GET32 (r->fei));
    return;
  }
  if (!(f->flags & NVME_ETH_F_ACK))
    eth_error_set (&e, NVME_ETH_ERR_INVALID_FIELD,
                   FEI (struct nvme_eth_hdr, flags), false,
                   "ASSOC_RESP lacks the ACK flag");
  else if (depth > a->cfg.queue_depth)
    eth_error_set (&e, NVME_ETH_ERR_INVALID_FIELD,
                   FEI (struct nvme_eth_assoc_resp, queue_depth), false,
                   "ASSOC_RESP grants queue depth %u, %u was asked", depth,
                   a->cfg.queue_depth);
  else if (mf > a->cfg.max_frame)
    eth_error_set (&e, NVME_ETH_ERR_INVALID_FIELD,
                   FEI (struct nvme_eth_assoc_resp, max_frame), false,
                   "ASSOC_RESP max frame %u is above ours, %u", mf,
                   a->cfg.max_frame);
  else if (GET32 (r->options) & ~a->cfg.options)
    eth_error_set (&e, NVME_ETH_ERR_INVALID_FIELD,
                   FEI (struct nvme_eth_assoc_resp, options), false,
                   "ASSOC_RESP grants options 0x%08" PRIx32 ", 0x%08" PRIx32
                   " was asked",
                   GET32 (r->options), a->cfg.options);
  else
    e.msg[0] = '\0';
  /* From here on the controller is known: a violation gets a TERM. */
  a->peer_id = a->params.peer_id = f->src_assoc;
  a->peer_known = true;
  if (e.msg[0]) {
    assoc_violation (a, &e, f);
    return;
  }
  a->params.queue_depth = depth;
  a->params.max_frame = mf;
  a->params.peer_window = GET16 (r->rx_window);
  a->params.ka_interval_ms = GET32 (r->ka_interval_ms);
  a->params.icd_max = GET32 (r->icd_max);
  a->params.options = GET32 (r->options);
  a->rcv_nxt = a->rcv_high = f->seq;
  a->peer_wnd = f->wnd;
  /* The first RTT sample, unless the request was repeated (Karn). */
  if (a->req_sent == 1) {
    a->srtt_us = (uint32_t) (a->now - a->setup_start_us);
    a->rttvar_us = a->srtt_us / 2;
    a->have_rtt = true;
    a->rto_us = a->srtt_us + 4 * a->rttvar_us;
    if (a->rto_us < a->cfg.rto_min_us)
      a->rto_us = a->cfg.rto_min_us;
    if (a->rto_us > a->cfg.rto_max_us)
      a->rto_us = a->cfg.rto_max_us;
  }
  a->ack_pending = true; /* confirms the association to the controller */
  established (a);
}

/* ---- Receiving ----------------------------------------------------------- */

static bool
type_allowed (const struct eth_assoc *a, uint8_t type)
{
  switch (type) {
  case NVME_ETH_TERM:
  case NVME_ETH_TERM_ACK:
  case NVME_ETH_ACK:
  case NVME_ETH_KEEPALIVE:
    return true;
  case NVME_ETH_ASSOC_RESP:
  case NVME_ETH_RSP:
  case NVME_ETH_C2H_DATA:
  case NVME_ETH_R2T:
    return a->cfg.role == ETH_ROLE_HOST;
  case NVME_ETH_C2H_DATA_RSP:
    return a->cfg.role == ETH_ROLE_HOST &&
           (a->params.options & NVME_ETH_OPT_DATA_RSP);
  case NVME_ETH_ASSOC_REQ:
  case NVME_ETH_CMD:
  case NVME_ETH_H2C_DATA:
    return a->cfg.role == ETH_ROLE_CTRL;
  default:
    return false;
  }
}

static void
got_term (struct eth_assoc *a, const struct eth_frame *f)
{
  const struct nvme_eth_term *t = (const void *) f->buf;
  uint8_t ack[sizeof (struct nvme_eth_hdr)];
  uint16_t reason = GET16 (t->reason);

  tx_send_now (a, ack, (uint32_t) eth_build_term_ack (ack, f), NULL, 0);
  if (reason == NVME_ETH_ERR_NONE)
    assoc_end (a, 0, "the peer closed the association");
  else
    assoc_end (a, ECONNRESET,
               "the peer ended the association: %s (byte %" PRIu32 " of the "
               "frame it refused%s%s)",
               eth_err_string (reason), GET32 (t->fei),
               f->data_len >= 2 ? ", a " : "",
               f->data_len >= 2 ? eth_type_string (f->data[1]) : "");
}

/* A frame that parsed (e: NULL) or that names a field it breaks. */
static void
input_parsed (struct eth_assoc *a, const uint8_t src_mac[6],
              const struct eth_frame *fp, struct eth_error *ep)
{
  struct eth_frame f = *fp;
  struct eth_error e;
  int bad = ep != NULL;

  if (ep)
    e = *ep;
  if (memcmp (src_mac, a->params.peer_mac, 6) != 0) {
    a->stats.drop_foreign++;
    return;
  }
  if (f.type == NVME_ETH_ASSOC_REQ && f.dst_assoc == 0) {
    /* A repeat: our ASSOC_RESP was lost. */
    if (!bad && a->state == ETH_S_ACCEPTED &&
        eth_assoc_is_req_of (a, src_mac, &f))
      tx_send_now (a, &a->resp, sizeof a->resp, NULL, 0);
    else
      a->stats.drop_state++;
    return;
  }
  if (f.dst_assoc != a->params.local_id || f.qid != a->cfg.qid ||
      (a->peer_known && f.src_assoc != a->peer_id)) {
    a->stats.drop_foreign++;
    return;
  }
  if (a->state == ETH_S_CLOSED || a->state == ETH_S_IDLE) {
    if (!bad && f.type == NVME_ETH_TERM && a->peer_known) {
      uint8_t ack[sizeof (struct nvme_eth_hdr)];

      tx_send_now (a, ack, (uint32_t) eth_build_term_ack (ack, &f), NULL, 0);
    }
    a->stats.drop_state++;
    return;
  }
  if (!bad && !type_allowed (a, f.type))
    bad = eth_error_set (
      &e, NVME_ETH_ERR_SEQUENCE, FEI (struct nvme_eth_hdr, type), false,
      "%s frame sent to the %s%s", eth_type_string (f.type),
      a->cfg.role == ETH_ROLE_HOST ? "host" : "controller",
      f.type == NVME_ETH_C2H_DATA_RSP ? " without the DATA_RSP option" : "");
  if (!bad && (f.flags & NVME_ETH_F_HCRC) &&
      !(a->params.options & NVME_ETH_OPT_NO_DDGST))
    bad = eth_error_set (&e, NVME_ETH_ERR_INVALID_FIELD,
                         FEI (struct nvme_eth_hdr, flags), false,
                         "%s frame without a data CRC (HCRC), which the "
                         "association did not agree",
                         eth_type_string (f.type));
  if (a->state == ETH_S_CONNECTING) {
    if (f.type != NVME_ETH_ASSOC_RESP) {
      a->stats.drop_state++;
      return;
    }
    if (bad) {
      assoc_end (a, EPROTO, "invalid ASSOC_RESP: %s", e.msg);
      return;
    }
    host_resp (a, &f);
    return;
  }
  if (bad) {
    assoc_violation (a, &e, &f);
    return;
  }
  a->last_rx_us = a->now;
  switch (f.type) {
  case NVME_ETH_TERM:
    got_term (a, &f);
    return;
  case NVME_ETH_TERM_ACK:
    if (a->state == ETH_S_CLOSING && a->term_tries > 0)
      assoc_end (a, 0, "association closed");
    else
      a->stats.drop_state++;
    return;
  case NVME_ETH_ASSOC_RESP:
    a->stats.drop_state++; /* a repeat */
    return;
  default:
    break;
  }
  if (tx_process_ack (a, &f) < 0)
    return;
  if (a->state == ETH_S_ACCEPTED) {
    if (!(f.flags & NVME_ETH_F_ACK)) {
      a->stats.drop_state++;
      return;
    }
    established (a);
  }
  if (!nvme_eth_sequenced (f.type) || rx_accept_seq (a, f.seq, f.flags) <= 0)
    return;
  if (f.flags & NVME_ETH_F_ACK_REQ)
    a->ack_pending = true;
  if (f.type == NVME_ETH_KEEPALIVE)
    return;
  if (a->cfg.role == ETH_ROLE_HOST)
    host_frame (a, &f);
  else
    ctrl_frame (a, &f);
}

/* One frame, alone or one of a pack already checked. */
static void
input_frame (struct eth_assoc *a, const uint8_t src_mac[6], const void *buf,
             size_t len)
{
  struct eth_frame f;
  struct eth_error e;
  int bad;

  a->stats.rx_frames++;
  bad = eth_frame_parse (buf, len, &f, &e);
  if (bad && e.drop) {
    a->stats.drop_malformed++;
    return;
  }
  input_parsed (a, src_mac, &f, bad ? &e : NULL);
}

void
eth_assoc_input (struct eth_assoc *a, const uint8_t src_mac[6], const void *buf,
                 size_t len, uint64_t now_us)
{
  const uint8_t *p = buf;
  const size_t h = sizeof (struct nvme_eth_hdr);

  a->now = now_us;
  a->stats.rx_bytes += len;
  /* A frame alone, as ever; with PACK agreed, several frames back to back
   * (spec 4.1), taken only if each one's length and CRC are good and they
   * fill the payload: a damaged pack is dropped whole. */
  if (!(a->params.options & NVME_ETH_OPT_PACK) || len < h ||
      get_le16 (p + FEI (struct nvme_eth_hdr, length)) >= len ||
      len <= NVME_ETH_MIN_PAYLOAD) {
    input_frame (a, src_mac, p, len);
    return;
  }
  if (!eth_pack_valid (p, len)) {
    a->stats.rx_frames++;
    a->stats.drop_malformed++;
    return;
  }
  for (;;) {
    size_t own = get_le16 (p + FEI (struct nvme_eth_hdr, length));

    input_frame (a, src_mac, p, own);
    p += own;
    len -= own;
    if (len == 0 || a->state == ETH_S_CLOSED)
      break;
    a->stats.rx_packed++;
  }
}

/* ---- Timers ---------------------------------------------------------- */

static bool
drained (const struct eth_assoc *a)
{
  return a->snd_una == a->snd_nxt && a->txq_head == ETH_NO_CID;
}

uint64_t
eth_assoc_poll (struct eth_assoc *a, uint64_t now_us)
{
  uint64_t dead;

  a->now = now_us;
  switch (a->state) {
  case ETH_S_CONNECTING:
    if (now_us < a->setup_next_us)
      break;
    if (now_us - a->setup_start_us >= (uint64_t) a->cfg.setup_ms * 1000) {
      assoc_end (a, ETIMEDOUT,
                 "no answer to %u ASSOC_REQ frames in %" PRIu32 " ms (is a "
                 "controller at that MAC, on this link and EtherType?)",
                 a->req_sent, a->cfg.setup_ms);
      break;
    }
    a->setup_rto_us = a->setup_rto_us >= 500000 ? 1000000 : a->setup_rto_us * 2;
    a->setup_next_us = now_us + a->setup_rto_us;
    a->req_sent++;
    tx_send_now (a, &a->req, sizeof a->req, NULL, 0);
    break;
  case ETH_S_ACCEPTED:
    if (now_us - a->setup_start_us >= (uint64_t) a->cfg.setup_ms * 1000)
      assoc_end (a, ETIMEDOUT,
                 "the host never confirmed the association (%" PRIu32 " ms)",
                 a->cfg.setup_ms);
    break;
  case ETH_S_ESTABLISHED:
  case ETH_S_CLOSING:
    dead = (uint64_t) a->params.ka_interval_ms * 1000 * NVME_ETH_DEAD_FACTOR;
    if (now_us - a->last_rx_us >= dead) {
      send_term (a, NVME_ETH_ERR_TIMEOUT, 0, NULL, 0);
      assoc_end (a, ETIMEDOUT, "no frame from the peer for %" PRIu64 " ms",
                 dead / 1000);
      break;
    }
    if (a->state == ETH_S_CLOSING && drained (a) &&
        (a->term_tries == 0 || now_us >= a->term_next_us)) {
      if (a->term_tries >= ETH_TERM_TRIES) {
        assoc_end (a, 0, "association closed (the peer did not confirm)");
        break;
      }
      a->term_tries++;
      a->term_next_us = now_us + a->rto_us;
      send_term (a, NVME_ETH_ERR_NONE, 0, NULL, 0);
    }
    break;
  default:
    break;
  }
  if (a->state == ETH_S_ESTABLISHED || a->state == ETH_S_CLOSING)
    tx_run (a);
  return eth_assoc_next_timer (a);
}

static uint64_t
min64 (uint64_t x, uint64_t y)
{
  return x < y ? x : y;
}

uint64_t
eth_assoc_next_timer (const struct eth_assoc *a)
{
  uint64_t next = UINT64_MAX, ka;

  switch (a->state) {
  case ETH_S_CONNECTING:
    return a->setup_next_us;
  case ETH_S_ACCEPTED:
    return a->setup_start_us + (uint64_t) a->cfg.setup_ms * 1000;
  case ETH_S_ESTABLISHED:
  case ETH_S_CLOSING:
    break;
  default:
    return UINT64_MAX;
  }
  if (eth_assoc_tx_pending (a))
    return a->now;
  ka = (uint64_t) a->params.ka_interval_ms * 1000;
  next =
    min64 (tx_next_deadline (a), a->last_rx_us + ka * NVME_ETH_DEAD_FACTOR);
  if (a->state == ETH_S_ESTABLISHED)
    next = min64 (next, a->last_tx_us + ka);
  else if (a->term_tries > 0)
    next = min64 (next, a->term_next_us);
  else if (drained (a))
    next = a->now;
  return next;
}

bool
eth_assoc_tx_pending (const struct eth_assoc *a)
{
  uint32_t limit = a->tx_window < a->peer_wnd ? a->tx_window : a->peer_wnd;

  if (a->state != ETH_S_ESTABLISHED && a->state != ETH_S_CLOSING)
    return false;
  return a->ack_pending ||
         (a->txq_head != ETH_NO_CID && a->snd_nxt - a->snd_una < limit);
}

/* ---- Teardown and queries --------------------------------------------- */

void
eth_assoc_close (struct eth_assoc *a, uint64_t now_us)
{
  a->now = now_us;
  switch (a->state) {
  case ETH_S_ESTABLISHED:
    a->state = ETH_S_CLOSING;
    break;
  case ETH_S_CLOSING:
  case ETH_S_CLOSED:
    break;
  default:
    /* Nothing flows yet: tell a known peer, and end. */
    if (a->peer_known)
      send_term (a, NVME_ETH_ERR_NONE, 0, NULL, 0);
    assoc_end (a, 0, "association closed before it was established");
    break;
  }
}

void
eth_assoc_abort (struct eth_assoc *a, uint16_t reason, int err, const char *msg)
{
  if (a->state == ETH_S_CLOSED)
    return;
  if (a->peer_known)
    send_term (a, reason, 0, NULL, 0);
  assoc_end (a, err, "%s", msg);
}

enum eth_state
eth_assoc_state (const struct eth_assoc *a)
{
  return a->state;
}

uint32_t
eth_assoc_local_id (const struct eth_assoc *a)
{
  return a->params.local_id;
}

const struct eth_params *
eth_assoc_params (const struct eth_assoc *a)
{
  return &a->params;
}

uint32_t
eth_assoc_pack_max (const struct eth_assoc *a)
{
  return (a->params.options & NVME_ETH_OPT_PACK) ? a->params.max_frame : 0;
}

const struct eth_stats *
eth_assoc_stats (const struct eth_assoc *a)
{
  return &a->stats;
}
