/* SPDX-License-Identifier: BSD-3-Clause */
/* NVMe/TCP send path.  Submitting builds the capsule in the CID's slot and
 * queues it; whoever then holds the queue's send lock (the sender) writes
 * every queued capsule with one sendmsg, so that threads submitting at
 * the same time share one system call: a submitter that finds the lock
 * taken leaves its capsule to the sender, which looks at the queue again
 * after it lets go.  R2Ts are queued as jobs and answered by the sender
 * before new capsules.
 *
 * Submitting threads may wait (bounded by the command timeout) while the
 * socket is full; meanwhile they read the connection if nobody else does,
 * so that a peer blocked on sending to us cannot wedge us.  Receivers
 * never wait for room: they send without blocking and ask for POLLOUT
 * (tx_stalled).  A PDU is always finished before another starts, whoever
 * began it.  A capsule being written is marked tx_busy: a response that
 * comes before its last byte left (a broken peer) completes it only
 * afterwards, so the library never reads a buffer it gave back.  With
 * TLS, tcp_tx_write hands the PDUs to TLS (tcp-tls.c): they count as sent
 * when its ciphertext is. */
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

/* The queue whose send lock this thread holds, if any. */
static __thread struct tcp_queue *tx_holder;

void
tcp_kick (struct tcp_queue *tq)
{
  uint64_t one = 1;

  if (write (tq->efd, &one, sizeof one) < 0) {
    /* Only EAGAIN (counter full) is possible: already kicked. */
  }
}

bool
tcp_send_lock (struct tcp_queue *tq)
{
  if (tx_holder == tq)
    return false;
  pthread_mutex_lock (&tq->send_lock);
  tx_holder = tq;
  return true;
}

void
tcp_send_unlock (struct tcp_queue *tq, bool locked)
{
  if (!locked)
    return;
  tx_holder = NULL;
  pthread_mutex_unlock (&tq->send_lock);
}

bool
tcp_send_timedlock (struct tcp_queue *tq, int secs, bool *locked)
{
  struct timespec ts;

  *locked = false;
  if (tx_holder == tq)
    return true;
  clock_gettime (CLOCK_REALTIME, &ts);
  ts.tv_sec += secs;
  if (pthread_mutex_timedlock (&tq->send_lock, &ts) != 0)
    return false;
  tx_holder = tq;
  *locked = true;
  return true;
}

static bool
send_trylock (struct tcp_queue *tq)
{
  if (pthread_mutex_trylock (&tq->send_lock) != 0)
    return false;
  tx_holder = tq;
  return true;
}

/* ---- Socket I/O --------------------------------------------------------- */

/* (tcp.h) If nobody is receiving, receive meanwhile: the peer may be
 * waiting for us to read before it reads what we send. */
int
tcp_wait_room (struct tcp_queue *tq, uint64_t deadline, char *why,
               size_t whylen)
{
  bool rx =
    tq->live && !tq->threaded_rx && pthread_mutex_trylock (&tq->rx_lock) == 0;
  struct pollfd pfd = { .fd = tq->fd, .events = POLLOUT | (rx ? POLLIN : 0) };
  uint64_t now = now_ms ();
  int r;

  if (now >= deadline) {
    r = 0;
    goto out;
  }
  if (rx && tcp_rx_pending (tq)) {
    r = 1; /* TLS holds what to read: no poll */
    pfd.revents = POLLIN;
  }
  else
    r = poll (&pfd, 1, (int) (deadline - now));
  if (r < 0 && errno == EINTR)
    r = 1; /* look again */
  else if (r < 0)
    msgf (why, whylen, "poll: %s", strerror (errno));
  else if (r > 0 && rx && (pfd.revents & POLLIN) && tcp_rx_once (tq) < 0) {
    msgf (why, whylen, "the connection failed");
    r = -1;
  }
  else if (r == 0)
    msgf (why, whylen, "send stalled for %" PRIu32 " s",
          tq->q.ctrl->timeout_ms / 1000);
out:
  if (rx) {
    /* Leave nothing read and not handled: a poller would sleep on it. */
    while (r > 0 && (tq->rx_start < tq->rx_end || tcp_rx_pending (tq)) &&
           tcp_rx_once (tq) > 0)
      ;
    pthread_mutex_unlock (&tq->rx_lock);
  }
  return r;
}

/* Write the current PDUs (tq->tx_iov).  Returns 1 when they are all sent,
 * 0 if the socket is full and !block, -1 on error (message in why). */
int
tcp_tx_write (struct tcp_queue *tq, bool block, char *why, size_t whylen)
{
  uint64_t deadline = 0;

  if (tq->tls)
    return tcp_tls_tx_write (tq, block, why, whylen);
  while (tq->tx_left > 0) {
    struct msghdr m = {
      .msg_iov = &tq->tx_iov[tq->tx_iovidx],
      .msg_iovlen = tq->tx_iovcnt - tq->tx_iovidx,
    };
    ssize_t n;

    n = sendmsg (tq->fd, &m, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        int r;

        if (!block)
          return 0;
        if (deadline == 0)
          deadline = now_ms () + tq->q.ctrl->timeout_ms;
        r = tcp_wait_room (tq, deadline, why, whylen);
        if (r <= 0) {
          tq->tx_err = 0; /* no room in time: not the peer's close */
          return -1;
        }
        continue;
      }
      tq->tx_err = errno;
      msgf (why, whylen, "send: %s", strerror (errno));
      return -1;
    }
    tcp_tx_advance (tq, (size_t) n);
  }
  return 1;
}

void
tcp_tx_advance (struct tcp_queue *tq, size_t n)
{
  tq->tx_left -= n;
  while (n > 0) {
    struct iovec *v = &tq->tx_iov[tq->tx_iovidx];

    if (n >= v->iov_len) {
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

void
tcp_tx_load (struct tcp_queue *tq, uint32_t hdr_len, void *data,
             uint32_t data_len)
{
  int i = 0;

  tq->tx_nbatch = 0;
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

/* Take up to TX_BATCH queued capsules as the PDUs to write.  Under q.lock. */
static void
load_capsules (struct tcp_queue *tq)
{
  unsigned popped = 0;
  int i = 0;

  tq->tx_nbatch = 0;
  tq->tx_left = 0;
  while (tq->cmdq_count > 0 && tq->tx_nbatch < TX_BATCH) {
    struct tcp_cmd_ent e = tq->cmdq[tq->cmdq_head];
    struct nvmeof_req *req;
    struct tcp_cmd_slot *s;

    tq->cmdq_head = (tq->cmdq_head + 1) % tq->cmdq_cap;
    tq->cmdq_count--;
    popped++;
    req = req_lookup (&tq->q, e.cid);
    if (req == NULL || req->gen != e.gen)
      continue; /* failed before it went out */
    s = &tq->slots[e.cid];
    req->tx_busy = true;
    tq->tx_iov[i].iov_base = s->hdr;
    tq->tx_iov[i++].iov_len = s->hlen;
    tq->tx_left += s->hlen;
    if (req->inline_len > 0) {
      tq->tx_iov[i].iov_base = req->buf;
      tq->tx_iov[i++].iov_len = req->inline_len;
      tq->tx_left += req->inline_len;
      if (tq->p.ddgst) {
        tq->tx_iov[i].iov_base = s->ddgst;
        tq->tx_iov[i++].iov_len = NVME_TCP_DIGEST_LEN;
        tq->tx_left += NVME_TCP_DIGEST_LEN;
      }
    }
    tq->tx_batch[tq->tx_nbatch++] = req;
  }
  tq->tx_iovcnt = i;
  tq->tx_iovidx = 0;
  atomic_fetch_sub (&tq->tx_pending, popped);
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
    atomic_fetch_sub (&tq->tx_pending, 1);
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

/* The current PDUs were written: their requests may complete now. */
static void
tx_written (struct tcp_queue *tq)
{
  bool completed = false;
  unsigned i;

  if (tq->tx_nbatch == 0 && !(tq->job_active && tq->tx_job_last))
    return;
  queue_lock (&tq->q);
  for (i = 0; i < tq->tx_nbatch; i++) {
    struct nvmeof_req *req = tq->tx_batch[i];

    req->tx_busy = false;
    if (req->resp_deferred) {
      req_complete (&tq->q, req);
      completed = true;
    }
  }
  tq->tx_nbatch = 0;
  if (tq->job_active && tq->tx_job_last)
    job_end (tq);
  queue_unlock (&tq->q);
  /* A leader may be asleep in poll with its command now complete. */
  if (completed && !tq->threaded_rx)
    tcp_kick (tq);
}

/* Send the current PDUs, then queued H2CData, then queued capsules.  With
 * send_lock held.  Returns 1 when nothing is left, 0 if the socket is full
 * (!block), -1 on error. */
static int
tx_progress (struct tcp_queue *tq, bool block, char *why, size_t whylen)
{
  for (;;) {
    if (tq->tx_left > 0 || tq->tx_unflushed) {
      int r = tcp_tx_write (tq, block, why, whylen);

      if (r <= 0)
        return r;
      tx_written (tq);
      continue;
    }
    if (tq->job_active) {
      struct nvmeof_req *req = tq->job_req;
      uint32_t n, hlen;
      bool last, stop, early = false;

      queue_lock (&tq->q);
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
      queue_unlock (&tq->q);
      if (early)
        ctrl_fail (tq->q.ctrl, EIO,
                   "connection to %s lost: protocol error "
                   "on queue %u: the controller reported success for a "
                   "write before all of its data was sent",
                   tq->q.ctrl->addr, tq->q.qid);
      if (stop)
        continue;
      n = tcp_h2c_next (tq->job.len, tq->job_sent, tq->p.maxh2cdata, &last);
      hlen = tcp_build_h2c_data (tq->tx_hdr, GET16 (req->sqe.cid), tq->job.ttag,
                                 tq->job.off + tq->job_sent, n, last, &tq->p);
      tcp_tx_load (tq, hlen, (uint8_t *) req->buf + tq->job.off + tq->job_sent,
                   n);
      tq->job_sent += n;
      tq->tx_job_last = last;
      continue;
    }
    queue_lock (&tq->q);
    if (job_pop (tq)) {
      queue_unlock (&tq->q);
      continue;
    }
    if (tq->cmdq_count > 0) {
      load_capsules (tq);
      queue_unlock (&tq->q);
      continue;
    }
    queue_unlock (&tq->q);
    return 1;
  }
}

void
tcp_tx_kill (struct tcp_queue *tq)
{
  unsigned i;

  tq->tx_dead = true;
  tq->tx_left = 0;
  tq->tx_unflushed = false;
  queue_lock (&tq->q);
  for (i = 0; i < tq->tx_nbatch; i++)
    tq->tx_batch[i]->tx_busy = false; /* failed next, with the queue */
  if (tq->job_req)
    tq->job_req->tx_busy = false;
  tq->cmdq_count = 0;
  tq->jobs_count = 0;
  atomic_store (&tq->tx_pending, 0);
  queue_unlock (&tq->q);
  tq->tx_nbatch = 0;
  tq->job_active = false;
  tq->job_req = NULL;
  atomic_store (&tq->tx_stalled, false);
}

/* Build req's capsule in its slot and queue it. */
void
tcp_enqueue (struct nvmeof_queue *q, struct nvmeof_req *req)
{
  struct tcp_queue *tq = to_tcp (q);
  struct tcp_cmd_slot *s = &tq->slots[req->cid];
  uint32_t limit = q->inline_max, data_len = 0;

  if (req->sqe.opcode == NVME_ADMIN_FABRICS && limit < NVME_TCP_ADMIN_CCSZ)
    limit = NVME_TCP_ADMIN_CCSZ; /* Connect data before IOCCSZ is known */
  if (req->dir == REQ_DIR_H2C && req->len <= limit)
    data_len = req->len;
  req->inline_len = data_len;
  PUT16 (req->sqe.cid, tcp_wire_cid (q, req));
  s->hlen = tcp_build_cmd (s->hdr, &req->sqe, data_len,
                           req->dir == REQ_DIR_NONE ? 0 : req->len, &tq->p);
  if (data_len > 0 && tq->p.ddgst)
    put_le32 (s->ddgst, crc32c (req->buf, data_len));

  queue_lock (q);
  /* On a dead queue (or a failed controller) req waits for the reconnect,
   * or fails (req_park); from now on a failure of the queue sees it. */
  if (req_must_park (q, req))
    req_park (q, req);
  else if (tq->cmdq_count == tq->cmdq_cap) {
    /* Not reached: the ring holds twice the queue's depth. */
    req->owned = false;
    req->err = EIO;
    req->errmsg = "the queue's send ring is full";
    req_complete (q, req);
  }
  else {
    struct tcp_cmd_ent *e =
      &tq->cmdq[(tq->cmdq_head + tq->cmdq_count) % tq->cmdq_cap];

    req->owned = false;
    e->cid = req->cid;
    e->gen = req->gen;
    tq->cmdq_count++;
    atomic_fetch_add (&tq->tx_pending, 1);
  }
  queue_unlock (q);
}

/* Send what is queued, unless a sender is at work (it will).  Lazily:
 * unless a leader is receiving and more commands than the caller's are
 * outstanding.  Then the leader, woken by the next completion, sends
 * these with whatever else was queued meanwhile: one system call instead
 * of one per submitting thread.  (If the leader leaves instead, the
 * caller becomes the leader and sends them before it sleeps.) */
int
tcp_flush (struct nvmeof_queue *q, bool lazy)
{
  struct tcp_queue *tq = to_tcp (q);
  char why[128];
  int r;

  if (lazy && !tq->threaded_rx &&
      __atomic_load_n (&q->rx_leader, __ATOMIC_ACQUIRE) &&
      q->depth - __atomic_load_n (&q->nr_free, __ATOMIC_RELAXED) >=
        atomic_load (&tq->tx_pending) + 1)
    return 0;
  while (atomic_load (&tq->tx_pending) > 0 || atomic_load (&tq->tx_stalled)) {
    if (tx_holder == tq || !send_trylock (tq))
      return 0;
    if (tq->tx_dead) {
      tcp_tx_kill (tq); /* drop what was queued after the failure */
      r = -1;
      why[0] = '\0';
    }
    else {
      r = tx_progress (tq, true, why, sizeof why);
      if (r < 0)
        tcp_tx_kill (tq);
      atomic_store (&tq->tx_stalled, false);
    }
    tcp_send_unlock (tq, true);
    /* Capsules queued while we held the lock are ours to send: their
     * submitters saw it taken. */
    atomic_thread_fence (memory_order_seq_cst);
    if (r < 0) {
      if (why[0]) {
        if (tcp_send_peer_closed (tq))
          tcp_read_peer_reason (tq);
        ctrl_fail (q->ctrl, EIO, "connection to %s lost: queue %u: %s",
                   q->ctrl->addr, q->qid, why);
      }
      ctrl_set_failed_error (q->ctrl, NULL);
      return -1;
    }
  }
  return 0;
}

int
tcp_submit (struct nvmeof_queue *q, struct nvmeof_req *req)
{
  tcp_enqueue (q, req);
  return tcp_flush (q, false);
}

/* A receiver: send queued H2CData (and capsules) if nobody is sending. */
int
tcp_try_send (struct tcp_queue *tq, char *why, size_t whylen)
{
  int r;

  for (;;) {
    if (tx_holder == tq || !send_trylock (tq))
      return 0; /* the sender will, before it lets go */
    if (tq->tx_dead) {
      /* Drop what was queued after the failure (the queue fails it), or
       * this loop would never see tx_pending reach 0. */
      tcp_tx_kill (tq);
      r = 1;
    }
    else
      r = tx_progress (tq, false, why, whylen);
    if (r < 0)
      tcp_tx_kill (tq);
    else
      atomic_store (&tq->tx_stalled, r == 0);
    tcp_send_unlock (tq, true);
    atomic_thread_fence (memory_order_seq_cst);
    if (r <= 0 || atomic_load (&tq->tx_pending) == 0)
      return r < 0 ? -1 : 0;
  }
}
