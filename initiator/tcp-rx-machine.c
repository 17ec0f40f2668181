/* SPDX-License-Identifier: BSD-3-Clause */
/* NVMe/TCP receive side, the PDU receive state machine: a small state
 * machine over the byte stream (see state_string): common header -> rest
 * of the header and its digest -> padding -> data -> data digest.
 * Headers go through a 64 KiB buffer (one recv brings many PDUs);
 * C2HData payloads are copied from it or received straight into the
 * caller's buffer.  Every field is validated (tcp-pdu.c) before the PDU
 * is acted on; a violation sends an H2CTermReq and fails the controller.
 * When the connection ends, every outstanding command of the queue fails.
 *
 * tcp_rx_once is the one entry: called under rx_lock by whichever thread
 * reads the connection (who reads and when: tcp-rx-readers.c).  With TLS
 * the reads go through the session (tcp_sock_recv). */
#include <config.h>

#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

#include "tcp.h"
#include "crc32c.h"
#include "errors.h"

static const char *
state_string (enum rx_state s)
{
  switch (s) {
  case RX_CH:
    return "common header";
  case RX_PSH:
    return "PDU header";
  case RX_PAD:
    return "padding";
  case RX_DATA:
    return "data";
  case RX_DDGST:
    return "data digest";
  }
  return "?";
}

void
tcp_set_state (struct tcp_queue *tq, enum rx_state s)
{
  tq->state = s;
  if (s == RX_CH) {
    tq->hdr_have = 0;
    tq->hdr_need = sizeof (struct nvme_tcp_ch);
  }
}

/* ---- Receive -------------------------------------------------------- */

/* A protocol violation: H2CTermReq (bounded), then fail the controller. */
static void
rx_violation (struct tcp_queue *tq, const struct pdu_error *e, const void *bad,
              size_t bad_len)
{
  char why[32];
  bool locked;

  if (tcp_send_timedlock (tq, 2, &locked)) {
    if (!tq->tx_dead) {
      uint32_t n;

      /* A half-sent PDU must be finished for the TermReq to be read. */
      if (tcp_tx_write (tq, true, why, sizeof why) > 0) {
        n = tcp_build_term_req (tq->tx_hdr, e->fes, e->fei, bad, bad_len);
        tcp_tx_load (tq, n, NULL, 0);
        tcp_tx_write (tq, true, why, sizeof why);
      }
      tcp_tx_kill (tq);
    }
    tcp_send_unlock (tq, locked);
  }
  ctrl_fail (tq->q.ctrl, EIO,
             "connection to %s lost: protocol error on "
             "queue %u: %s; sent H2CTermReq (%s)",
             tq->q.ctrl->addr, tq->q.qid, e->msg, tcp_fes_string (e->fes));
}

/* The connection failed (or is being stopped): stop sending and fail
 * every outstanding command.  Under rx_lock. */
static void
rx_fail (struct tcp_queue *tq)
{
  struct nvmeof_queue *q = &tq->q;
  bool locked;

  if (tq->rx_failed)
    return;
  tq->rx_failed = true;
  if (!tq->threaded_rx)
    aio_watch (q->ctrl, tq->fd, false);
  /* No sender may be inside a request's buffer when it is failed.  (The
   * socket is shut down by now, so a sender waiting for room gives up.) */
  locked = tcp_send_lock (tq);
  tcp_tx_kill (tq);
  tcp_send_unlock (tq, locked);
  queue_lock (q);
  queue_fail_all (q, EIO);
  queue_unlock (q);
}

/* The same, saying why first (unless the queue is being stopped). */
void
tcp_rx_failf (struct tcp_queue *tq, const char *fmt, ...)
{
  struct nvmeof_queue *q = &tq->q;

  if (!tq->rx_failed && !atomic_load (&tq->stopping)) {
    char msg[256];
    va_list ap;

    va_start (ap, fmt);
    vsnprintf (msg, sizeof msg, fmt, ap);
    va_end (ap);
    ctrl_fail (q->ctrl, EIO, "connection to %s lost: queue %u: %s",
               q->ctrl->addr, q->qid, msg);
  }
  rx_fail (tq);
}

/* A PDU names a CID that is not outstanding, but whose index another
 * command uses now (see tcp_wire_cid): a response replayed or left over
 * from an earlier use of the index, or a corrupted CID. */
static int
rx_stale (struct tcp_queue *tq, struct pdu_error *e, const char *what,
          uint16_t cid, const struct nvmeof_req *other, uint32_t fei)
{
  msgf (e->msg, sizeof e->msg,
        "%s for cid %u, which is not outstanding (cid %u uses its slot "
        "now: a stale, replayed or corrupted CID)",
        what, cid, tcp_wire_cid (&tq->q, other));
  e->fes = NVME_TCP_FES_INVALID_HEADER;
  e->fei = fei;
  return -1;
}

static int
rx_rsp (struct tcp_queue *tq)
{
  const struct nvme_tcp_rsp_pdu *pdu = (const void *) tq->hdr;
  struct nvmeof_queue *q = &tq->q;
  struct nvmeof_req *req;
  struct pdu_error e;
  struct tcp_xfer x;
  uint16_t status = nvme_cqe_status (&pdu->cqe);
  int r;
  struct nvmeof_req *other;

  queue_lock (q);
  req = tcp_req_lookup (q, GET16 (pdu->cqe.cid), &other);
  if (other)
    r = rx_stale (tq, &e, "CapsuleResp", GET16 (pdu->cqe.cid), other,
                  offsetof (struct nvme_tcp_rsp_pdu, cqe) +
                    offsetof (struct nvme_cqe, cid));
  else
    r = tcp_check_rsp (pdu, tcp_xfer_of (req, &x), q->size, &e);
  /* Success while R2Ts still wait to be answered: that data was never
   * sent.  (The job being sent may just have had its last byte read:
   * that case is settled when the job ends.) */
  if (r == 0 && NVME_STATUS_CODE (status) == NVME_SC_SUCCESS &&
      req->r2t_outstanding > 0) {
    msgf (e.msg, sizeof e.msg,
          "CapsuleResp reports success for cid %u "
          "before all of its data was sent",
          req->cid);
    e.fes = NVME_TCP_FES_PDU_SEQUENCE;
    e.fei = 0;
    r = -1;
  }
  if (r == 0) {
    req->status = status;
    req->result = GET32 (pdu->cqe.dw0) | (uint64_t) GET32 (pdu->cqe.dw1) << 32;
    if (req->ddgst_error && status == 0) {
      req->err = EIO;
      req->errmsg = "data digest (CRC32C) mismatch in C2HData";
    }
    if (req->tx_busy)
      req->resp_deferred = true;
    else
      req_complete (q, req);
  }
  queue_unlock (q);
  if (r < 0) {
    rx_violation (tq, &e, tq->hdr, tq->hdr_have);
    return -1;
  }
  return 0;
}

/* Room for one more job; drops stale ones if the ring is full. */
static bool
jobs_make_room (struct tcp_queue *tq)
{
  unsigned i, kept = 0;
  struct tcp_job *tmp;

  if (tq->jobs_count < tq->jobs_cap)
    return true;
  tmp = tq->jobs;
  for (i = 0; i < tq->jobs_count; i++) {
    struct tcp_job j = tmp[(tq->jobs_head + i) % tq->jobs_cap];
    struct nvmeof_req *req = req_lookup (&tq->q, j.cid);

    if (req && req->gen == j.gen)
      tmp[(tq->jobs_head + kept++) % tq->jobs_cap] = j;
  }
  atomic_fetch_sub (&tq->tx_pending, tq->jobs_count - kept);
  tq->jobs_count = kept;
  return kept < tq->jobs_cap;
}

static int
rx_r2t (struct tcp_queue *tq)
{
  const struct nvme_tcp_r2t_pdu *pdu = (const void *) tq->hdr;
  struct nvmeof_queue *q = &tq->q;
  struct nvmeof_req *req;
  struct pdu_error e;
  struct tcp_xfer x;
  int r;
  struct nvmeof_req *other;

  queue_lock (q);
  req = tcp_req_lookup (q, GET16 (pdu->cccid), &other);
  if (other)
    r = rx_stale (tq, &e, "R2T", GET16 (pdu->cccid), other,
                  offsetof (struct nvme_tcp_r2t_pdu, cccid));
  else
    r = tcp_check_r2t (pdu, tcp_xfer_of (req, &x), &tq->p, &e);
  if (r == 0 && !jobs_make_room (tq)) {
    msgf (e.msg, sizeof e.msg, "too many R2Ts outstanding on the queue");
    e.fes = NVME_TCP_FES_R2T_LIMIT_EXCEEDED;
    e.fei = 0;
    r = -1;
  }
  if (r == 0) {
    struct tcp_job *j =
      &tq->jobs[(tq->jobs_head + tq->jobs_count) % tq->jobs_cap];

    j->cid = req->cid;
    j->ttag = GET16 (pdu->ttag);
    j->gen = req->gen;
    j->off = GET32 (pdu->r2to);
    j->len = GET32 (pdu->r2tl);
    tq->jobs_count++;
    atomic_fetch_add (&tq->tx_pending, 1);
    req->r2t_outstanding++;
    req->r2t_end = j->off + j->len;
  }
  queue_unlock (q);
  if (r < 0) {
    rx_violation (tq, &e, tq->hdr, tq->hdr_have);
    return -1;
  }
  /* Answered once what was received with it is handled (rx_answer_r2ts):
   * R2Ts that arrived together are then all outstanding at once, as they
   * were at the controller, and one beyond MAXR2T is seen. */
  tq->r2t_unanswered = true;
  return 0;
}

/* Send the H2CData that R2Ts ask for.  -1 if the queue failed. */
static int
rx_answer_r2ts (struct tcp_queue *tq)
{
  struct nvmeof_queue *q = &tq->q;
  char why[128];

  tq->r2t_unanswered = false;
  if (tcp_try_send (tq, why, sizeof why) < 0) {
    if (tcp_send_peer_closed (tq))
      return 0; /* read on: the reason or the end follows */
    ctrl_fail (q->ctrl, EIO, "connection to %s lost: queue %u: %s",
               q->ctrl->addr, q->qid, why);
    return -1;
  }
  return 0;
}

static int
rx_c2h_data (struct tcp_queue *tq)
{
  const struct nvme_tcp_data_pdu *pdu = (const void *) tq->hdr;
  struct nvmeof_queue *q = &tq->q;
  struct nvmeof_req *req;
  struct pdu_error e;
  struct tcp_xfer x;
  int r;
  struct nvmeof_req *other;

  queue_lock (q);
  req = tcp_req_lookup (q, GET16 (pdu->cccid), &other);
  if (other)
    r = rx_stale (tq, &e, "C2HData", GET16 (pdu->cccid), other,
                  offsetof (struct nvme_tcp_data_pdu, cccid));
  else
    r = tcp_check_c2h_data (pdu, tcp_xfer_of (req, &x), &tq->p, &e);
  queue_unlock (q);
  if (r < 0) {
    rx_violation (tq, &e, tq->hdr, tq->hdr_have);
    return -1;
  }
  /* Only this thread completes req, so its buffer stays valid while the
   * payload arrives. */
  tq->rx_req = req;
  tq->datal = GET32 (pdu->datal);
  tq->rx_large = tq->datal >= LARGE_PAYLOAD;
  tq->rx_dest = (uint8_t *) req->buf + GET32 (pdu->datao);
  tq->data_left = tq->datal;
  tq->data_flags = pdu->ch.flags;
  tq->pad_left = pdu->ch.pdo - pdu->ch.hlen - tcp_hdgst_len (&pdu->ch, &tq->p);
  tq->crc = CRC32C_INIT;
  tq->ddgst_have = 0;
  tcp_set_state (tq, tq->pad_left ? RX_PAD : RX_DATA);
  return 0;
}

static void
rx_data_done (struct tcp_queue *tq)
{
  struct nvmeof_req *req = tq->rx_req;

  if (tq->p.ddgst && crc32c_final (tq->crc) != get_le32 (tq->ddgst))
    req->ddgst_error = true; /* not fatal: the command fails with EIO */
  req->c2h_received += tq->datal;
  if (tq->data_flags & NVME_TCP_F_DATA_SUCCESS) {
    /* No CapsuleResp follows. */
    queue_lock (&tq->q);
    req->status = 0;
    req->result = 0;
    if (req->ddgst_error) {
      req->err = EIO;
      req->errmsg = "data digest (CRC32C) mismatch in C2HData";
    }
    req_complete (&tq->q, req);
    queue_unlock (&tq->q);
  }
  tq->rx_req = NULL;
  tcp_set_state (tq, RX_CH);
}

static void
rx_data_in (struct tcp_queue *tq, const uint8_t *src, uint32_t n)
{
  if (src)
    memcpy (tq->rx_dest, src, n);
  if (tq->p.ddgst)
    tq->crc = crc32c_update (tq->crc, tq->rx_dest, n);
  tq->rx_dest += n;
  tq->data_left -= n;
  if (tq->data_left == 0) {
    if (tq->p.ddgst)
      tcp_set_state (tq, RX_DDGST);
    else
      rx_data_done (tq);
  }
}

/* A whole header (and digest) is in tq->hdr. */
static int
rx_header (struct tcp_queue *tq)
{
  const struct nvme_tcp_ch *ch = (const void *) tq->hdr;
  struct pdu_error e;

  if (ch->type == NVME_TCP_PDU_C2H_TERM) {
    char what[256];

    tcp_describe_term_req (tq->hdr, tq->hdr_have, what, sizeof what);
    ctrl_fail (tq->q.ctrl, EIO,
               "connection to %s lost: the controller "
               "terminated queue %u (C2HTermReq): %s",
               tq->q.ctrl->addr, tq->q.qid, what);
    return -1;
  }
  if (tcp_hdgst_len (ch, &tq->p) &&
      tcp_check_hdgst (tq->hdr, ch->hlen, &e) < 0) {
    rx_violation (tq, &e, tq->hdr, ch->hlen);
    return -1;
  }
  switch (ch->type) {
  case NVME_TCP_PDU_RSP:
    if (rx_rsp (tq) < 0)
      return -1;
    tcp_set_state (tq, RX_CH);
    return 0;
  case NVME_TCP_PDU_R2T:
    if (rx_r2t (tq) < 0)
      return -1;
    tcp_set_state (tq, RX_CH);
    return 0;
  default: /* C2HData: tcp_check_ch allows no other */
    return rx_c2h_data (tq);
  }
}

/* Consume bytes from the receive buffer.  Returns how many, or -1 when the
 * queue failed. */
static ssize_t
rx_feed (struct tcp_queue *tq, const uint8_t *p, size_t n)
{
  size_t used = 0;

  while (used < n) {
    size_t avail = n - used, k;

    switch (tq->state) {
    case RX_CH:
    case RX_PSH:
      k = tq->hdr_need - tq->hdr_have;
      if (k > avail)
        k = avail;
      memcpy (tq->hdr + tq->hdr_have, p + used, k);
      tq->hdr_have += k;
      used += k;
      if (tq->hdr_have < tq->hdr_need)
        break;
      if (tq->state == RX_CH) {
        const struct nvme_tcp_ch *ch = (const void *) tq->hdr;
        struct pdu_error e;

        if (tcp_check_ch (ch, &tq->p, &e) < 0) {
          rx_violation (tq, &e, tq->hdr, tq->hdr_have);
          return -1;
        }
        tq->hdr_need = ch->type == NVME_TCP_PDU_C2H_TERM ?
                         GET32 (ch->plen) :
                         ch->hlen + tcp_hdgst_len (ch, &tq->p);
        tq->state = RX_PSH;
        if (tq->hdr_have < tq->hdr_need)
          break;
      }
      if (rx_header (tq) < 0)
        return -1;
      break;
    case RX_PAD:
      k = tq->pad_left < avail ? tq->pad_left : avail;
      tq->pad_left -= k;
      used += k;
      if (tq->pad_left == 0)
        tcp_set_state (tq, RX_DATA);
      break;
    case RX_DATA:
      k = tq->data_left < avail ? tq->data_left : avail;
      rx_data_in (tq, p + used, k);
      used += k;
      break;
    case RX_DDGST:
      k = NVME_TCP_DIGEST_LEN - tq->ddgst_have;
      if (k > avail)
        k = avail;
      memcpy (tq->ddgst + tq->ddgst_have, p + used, k);
      tq->ddgst_have += k;
      used += k;
      if (tq->ddgst_have == NVME_TCP_DIGEST_LEN)
        rx_data_done (tq);
      break;
    }
  }
  return used;
}

int
tcp_rx_once (struct tcp_queue *tq)
{
  ssize_t n;

  if (tq->rx_failed)
    return -1;
  if (tq->rx_start < tq->rx_end) {
    n = rx_feed (tq, tq->rxbuf + tq->rx_start, tq->rx_end - tq->rx_start);
    if (n < 0 || (tq->r2t_unanswered && rx_answer_r2ts (tq) < 0)) {
      rx_fail (tq); /* ctrl_fail already called */
      return -1;
    }
    tq->rx_start += n;
    return 1;
  }
  if (tq->state == RX_DATA && tq->data_left >= DIRECT_MIN) {
    /* The payload straight into place, and what follows it (the next
     * headers) into the buffer, in one call. */
    size_t ahead = tq->rx_large ? RX_AHEAD_SMALL : RXBUF_SIZE;
    struct iovec iov[2] = {
      { .iov_base = tq->rx_dest, .iov_len = tq->data_left },
      { .iov_base = tq->rxbuf, .iov_len = ahead },
    };

    n = tcp_sock_recvv (tq, iov, 2);
    if (n > 0) {
      uint32_t k = (size_t) n < tq->data_left ? (uint32_t) n : tq->data_left;

      tq->rx_bytes += (size_t) n;
      tq->rx_short = (size_t) n < tq->data_left + ahead;
      tq->rx_start = 0;
      tq->rx_end = (size_t) n - k;
      rx_data_in (tq, NULL, k);
      return 1;
    }
  }
  else {
    size_t ahead = tq->rx_large ? RX_AHEAD_SMALL : RXBUF_SIZE;

    tq->rx_start = tq->rx_end = 0;
    n = tcp_sock_recv (tq, tq->rxbuf, ahead);
    if (n > 0) {
      tq->rx_bytes += (size_t) n;
      tq->rx_short = (size_t) n < ahead;
      tq->rx_end = n;
      return tcp_rx_once (tq); /* feed it */
    }
  }
  if (n == 0) {
    tcp_rx_failf (tq, "the controller closed the connection (receiving %s)",
                  state_string (tq->state));
    return -1;
  }
  if (errno == EINTR)
    return 1;
  if (errno == EAGAIN || errno == EWOULDBLOCK) {
    tq->rx_short = true;
    return 0;
  }
  if (tq->tls && errno == EPROTO)
    tcp_rx_failf (tq, "TLS: %s", tls_last_error ());
  else
    tcp_rx_failf (tq, "recv: %s", strerror (errno));
  return -1;
}
