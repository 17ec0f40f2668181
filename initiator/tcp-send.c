/* SPDX-License-Identifier: BSD-3-Clause */
/* NVMe/TCP send path.  Whoever holds the queue's send lock writes.
 * Submitting threads may block (bounded by the command timeout) while the
 * socket is full; the receive thread never blocks on the send side, so it
 * keeps draining the socket and neither side can wedge the other.  R2Ts
 * are queued as jobs; the receive thread sends them if the lock is free
 * (without blocking, resuming on POLLOUT), otherwise the lock holder sends
 * them before it lets go.  A PDU is always finished before another
 * starts, whoever began it.  (TLS would go under tcp_tx_write.) */
#include <config.h>

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

#include "tcp.h"
#include "crc32c.h"
#include "errors.h"

void
tcp_kick (struct tcp_queue *tq)
{
  uint64_t one = 1;

  if (write (tq->efd, &one, sizeof one) < 0) {
    /* Only EAGAIN (counter full) is possible: already kicked. */
  }
}

/* ---- Socket I/O --------------------------------------------------------- */

/* Wait for the socket; 1 ready, 0 timeout, -1 error. */
int
tcp_wait_fd (int fd, short events, int timeout_ms)
{
  struct pollfd pfd = { .fd = fd, .events = events };
  int r;

  do
    r = poll (&pfd, 1, timeout_ms);
  while (r < 0 && errno == EINTR);
  if (r < 0)
    return -1;
  return r > 0;
}

/* Write the current PDU (tq->tx_iov).  Returns 1 when it is all sent, 0 if
 * the socket is full and !block, -1 on error (message in why). */
int
tcp_tx_write (struct tcp_queue *tq, bool block, char *why, size_t whylen)
{
  while (tq->tx_left > 0) {
    struct msghdr m = {
      .msg_iov = &tq->tx_iov[tq->tx_iovidx],
      .msg_iovlen = tq->tx_iovcnt - tq->tx_iovidx,
    };
    ssize_t n = sendmsg (tq->fd, &m, MSG_NOSIGNAL | MSG_DONTWAIT);

    if (n < 0) {
      if (errno == EINTR)
        continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        int r;

        if (!block)
          return 0;
        r = tcp_wait_fd (tq->fd, POLLOUT, tq->q.ctrl->timeout_ms);
        if (r == 0) {
          msgf (why, whylen, "send stalled for %" PRIu32 " s",
                tq->q.ctrl->timeout_ms / 1000);
          return -1;
        }
        if (r < 0) {
          msgf (why, whylen, "poll: %s", strerror (errno));
          return -1;
        }
        continue;
      }
      msgf (why, whylen, "send: %s", strerror (errno));
      return -1;
    }
    tq->tx_left -= n;
    while (n > 0) {
      struct iovec *v = &tq->tx_iov[tq->tx_iovidx];

      if ((size_t) n >= v->iov_len) {
        n -= v->iov_len;
        v->iov_len = 0;
        tq->tx_iovidx++;
      }
      else {
        v->iov_base = (uint8_t *) v->iov_base + n;
        v->iov_len -= n;
        n = 0;
      }
    }
  }
  return 1;
}

void
tcp_tx_load (struct tcp_queue *tq, uint32_t hdr_len, void *data,
             uint32_t data_len)
{
  int i = 0;

  tq->tx_iov[i].iov_base = tq->tx_hdr;
  tq->tx_iov[i++].iov_len = hdr_len;
  if (data_len > 0) {
    tq->tx_iov[i].iov_base = data;
    tq->tx_iov[i++].iov_len = data_len;
    if (tq->p.ddgst) {
      put_le32 (tq->tx_ddgst, crc32c (data, data_len));
      tq->tx_iov[i].iov_base = tq->tx_ddgst;
      tq->tx_iov[i++].iov_len = NVME_TCP_DIGEST_LEN;
    }
  }
  tq->tx_iovcnt = i;
  tq->tx_iovidx = 0;
  tq->tx_left = hdr_len + data_len +
                (data_len > 0 && tq->p.ddgst ? NVME_TCP_DIGEST_LEN : 0);
}

/* The job's request stops being sent: complete it if its response came
 * meanwhile.  Under q.lock. */
static void
job_end (struct tcp_queue *tq)
{
  struct nvmeof_req *req = tq->job_req;

  tq->job_active = false;
  tq->job_req = NULL;
  req->tx_busy = false;
  if (req->resp_deferred)
    req_complete (&tq->q, req);
}

/* Take the next valid job.  Under q.lock. */
static bool
job_pop (struct tcp_queue *tq)
{
  while (tq->jobs_count > 0) {
    struct tcp_job job = tq->jobs[tq->jobs_head];
    struct nvmeof_req *req;

    tq->jobs_head = (tq->jobs_head + 1) % tq->jobs_cap;
    tq->jobs_count--;
    atomic_fetch_sub (&tq->jobs_pending, 1);
    req = req_lookup (&tq->q, job.cid);
    if (req == NULL || req->gen != job.gen)
      continue; /* completed meanwhile (an error status) */
    req->r2t_outstanding--;
    req->tx_busy = true;
    tq->job = job;
    tq->job_sent = 0;
    tq->job_req = req;
    tq->job_active = true;
    return true;
  }
  return false;
}

/* Send the current PDU and then queued H2CData.  With send_lock held.
 * Returns 1 when nothing is left, 0 if the socket is full (!block), -1 on
 * error. */
int
tcp_tx_progress (struct tcp_queue *tq, bool block, char *why, size_t whylen)
{
  for (;;) {
    if (tq->tx_left > 0) {
      int r = tcp_tx_write (tq, block, why, whylen);

      if (r <= 0)
        return r;
      if (tq->job_active && tq->tx_job_last) {
        pthread_mutex_lock (&tq->q.lock);
        job_end (tq);
        pthread_mutex_unlock (&tq->q.lock);
      }
      continue;
    }
    if (tq->job_active) {
      struct nvmeof_req *req = tq->job_req;
      uint32_t n, hlen;
      bool last, stop;

      bool early = false;

      pthread_mutex_lock (&tq->q.lock);
      stop = req->resp_deferred; /* the controller answered early */
      if (stop) {
        /* An error status is fine; a success without our data is not. */
        if (req->status == 0 && req->err == 0) {
          req->err = EIO;
          req->errmsg = "the controller reported success before all of "
                        "the data was sent";
          early = true;
        }
        job_end (tq);
      }
      pthread_mutex_unlock (&tq->q.lock);
      if (early)
        ctrl_fail (tq->q.ctrl, EIO,
                   "connection to %s lost: protocol error "
                   "on queue %u: the controller reported success for a "
                   "write before all of its data was sent",
                   tq->q.ctrl->addr, tq->q.qid);
      if (stop)
        continue;
      n = tcp_h2c_next (tq->job.len, tq->job_sent, tq->p.maxh2cdata, &last);
      hlen = tcp_build_h2c_data (tq->tx_hdr, tq->job.cid, tq->job.ttag,
                                 tq->job.off + tq->job_sent, n, last, &tq->p);
      tcp_tx_load (tq, hlen, (uint8_t *) req->buf + tq->job.off + tq->job_sent,
                   n);
      tq->job_sent += n;
      tq->tx_job_last = last;
      continue;
    }
    pthread_mutex_lock (&tq->q.lock);
    if (!job_pop (tq)) {
      pthread_mutex_unlock (&tq->q.lock);
      return 1;
    }
    pthread_mutex_unlock (&tq->q.lock);
  }
}

void
tcp_tx_kill (struct tcp_queue *tq)
{
  tq->tx_dead = true;
  tq->tx_left = 0;
  tq->job_active = false;
  tq->job_req = NULL;
}

int
tcp_submit (struct nvmeof_queue *q, struct nvmeof_req *req)
{
  struct tcp_queue *tq = to_tcp (q);
  uint32_t limit = q->inline_max, data_len = 0, hlen;
  char why[128];
  int r;

  if (req->sqe.opcode == NVME_ADMIN_FABRICS && limit < NVME_TCP_ADMIN_CCSZ)
    limit = NVME_TCP_ADMIN_CCSZ; /* Connect data before IOCCSZ is known */
  if (req->dir == REQ_DIR_H2C && req->len <= limit)
    data_len = req->len;
  req->inline_len = data_len;

  pthread_mutex_lock (&tq->send_lock);
  if (tq->tx_dead) {
    pthread_mutex_unlock (&tq->send_lock);
    ctrl_set_failed_error (q->ctrl, NULL);
    return -1;
  }
  /* Finish what is under way first (a PDU may be half sent). */
  r = tcp_tx_progress (tq, true, why, sizeof why);
  if (r > 0) {
    hlen = tcp_build_cmd (tq->tx_hdr, &req->sqe, data_len,
                          req->dir == REQ_DIR_NONE ? 0 : req->len, &tq->p);
    tcp_tx_load (tq, hlen, req->buf, data_len);
    /* After the last byte is written the request may complete at any
     * moment: nothing below touches it. */
    r = tcp_tx_write (tq, true, why, sizeof why);
  }
  if (r > 0)
    r = tcp_tx_progress (tq, true, why, sizeof why);
  if (r < 0)
    tcp_tx_kill (tq);
  pthread_mutex_unlock (&tq->send_lock);

  if (r < 0) {
    ctrl_fail (q->ctrl, EIO, "connection to %s lost: queue %u: %s",
               q->ctrl->addr, q->qid, why);
    ctrl_set_failed_error (q->ctrl, NULL);
    return -1;
  }
  if (atomic_load (&tq->jobs_pending) > 0)
    tcp_kick (tq);
  return 0;
}

/* Receive thread: send queued H2CData if nobody else is. */
int
tcp_try_send (struct tcp_queue *tq, char *why, size_t whylen)
{
  int r;

  if (pthread_mutex_trylock (&tq->send_lock) != 0) {
    tq->want_pollout = false; /* the holder sends them, or kicks us */
    return 0;
  }
  if (tq->tx_dead)
    r = 1;
  else
    r = tcp_tx_progress (tq, false, why, whylen);
  if (r < 0)
    tcp_tx_kill (tq);
  pthread_mutex_unlock (&tq->send_lock);
  tq->want_pollout = r == 0;
  return r < 0 ? -1 : 0;
}
