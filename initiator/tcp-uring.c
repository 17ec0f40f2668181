/* SPDX-License-Identifier: BSD-3-Clause */
/* NVMe/TCP I/O queues over io_uring (NVMEOF_TCP_ENGINE=uring): an
 * alternative to the recv/sendmsg system calls, for measuring
 * (docs/performance.md).  Plain TCP I/O queues only; the admin queue and
 * TLS queues stay on the system calls, and so does everything when the
 * kernel lacks what is needed (the ring, FAST_POLL).
 *
 * One ring per queue.  The state machine (tcp-rx-machine.c) asks for its
 * receives exactly as before, through tcp_sock_recv(v); here such a call
 * arms one RECVMSG into the same place (the caller's buffer for a large
 * payload, else the queue's buffer) and reports EAGAIN until its result
 * comes back, which the next call returns.  The SQE is not submitted at
 * once: the next send (tcp_uring_sendmsg) carries it in the same
 * io_uring_enter, and the end of tcp_flush and the pollers submit what is
 * left.  So a queue's turn of the asynchronous API (receive, callbacks,
 * send) costs one system call for the send and the next receive, and the
 * ring's file descriptor stands in the epoll set for the socket.
 *
 * Sends are SENDMSG with MSG_DONTWAIT: they complete while being
 * submitted (or fail with EAGAIN when the socket is full, as sendmsg
 * does), so tx_iov and the data are never used after tcp_uring_sendmsg
 * returns.
 *
 * A receive may be armed into a caller's buffer: the command cannot
 * complete by its data meanwhile (its data is what is armed), and every
 * other way it ends (rx_fail, reconnect, destroy: all under rx_lock or
 * with the receivers gone) first calls tcp_uring_cancel, which waits for
 * the receive's completion.
 *
 * The ring's own lock is a leaf: the receiver (rx_lock) arms, a sender
 * (send_lock) submits, both reap. */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <liburing.h>

#include "tcp.h"

enum { TAG_RECV = 1, TAG_SEND, TAG_CANCEL };

struct tcp_uring {
  struct io_uring ring;
  pthread_mutex_t lock;
  bool unsubmitted; /* SQEs prepared and not yet submitted */
  bool rx_armed;    /* a RECVMSG prepared or in flight */
  bool rx_done;     /* its result is in rx_res, not yet taken */
  int rx_res;
  int rx_iovcnt;
  struct iovec rx_iov[2];
  struct msghdr rx_msg;
  bool tx_done;
  int tx_res;
};

bool
tcp_uring_wanted (void)
{
  const char *env = getenv ("NVMEOF_TCP_ENGINE");

  return env && strcmp (env, "uring") == 0;
}

struct tcp_uring *
tcp_uring_new (void)
{
  struct tcp_uring *ur = calloc (1, sizeof *ur);
  struct io_uring_params p = { 0 };

  if (ur == NULL)
    return NULL;
  if (io_uring_queue_init_params (8, &ur->ring, &p) < 0) {
    free (ur);
    return NULL;
  }
  /* Without FAST_POLL a receive waiting for data would block a kernel
   * worker thread: not what is being measured. */
  if (!(p.features & IORING_FEAT_FAST_POLL)) {
    io_uring_queue_exit (&ur->ring);
    free (ur);
    return NULL;
  }
  pthread_mutex_init (&ur->lock, NULL);
  return ur;
}

void
tcp_uring_free (struct tcp_uring *ur)
{
  if (ur == NULL)
    return;
  io_uring_queue_exit (&ur->ring);
  pthread_mutex_destroy (&ur->lock);
  free (ur);
}

int
tcp_uring_fd (const struct tcp_uring *ur)
{
  return ur->ring.ring_fd;
}

/* Note what completed.  Under ur->lock. */
static void
reap (struct tcp_uring *ur)
{
  struct io_uring_cqe *cqe;

  while (io_uring_peek_cqe (&ur->ring, &cqe) == 0) {
    switch (io_uring_cqe_get_data64 (cqe)) {
    case TAG_RECV:
      ur->rx_armed = false;
      ur->rx_done = true;
      ur->rx_res = cqe->res;
      break;
    case TAG_SEND:
      ur->tx_done = true;
      ur->tx_res = cqe->res;
      break;
    default: /* TAG_CANCEL: the receive's own completion says it all */
      break;
    }
    io_uring_cqe_seen (&ur->ring, cqe);
  }
}

/* Submit what is prepared.  Under ur->lock.  An error other than EINTR
 * or EAGAIN (no memory for the requests) leaves them prepared: the next
 * submission tries again. */
static void
submit (struct tcp_uring *ur)
{
  int r = io_uring_submit (&ur->ring);

  if (r >= 0)
    ur->unsubmitted = io_uring_sq_ready (&ur->ring) > 0;
  reap (ur);
}

static struct io_uring_sqe *
get_sqe (struct tcp_uring *ur)
{
  struct io_uring_sqe *sqe = io_uring_get_sqe (&ur->ring);

  if (sqe == NULL) { /* full of unsubmitted entries (8: never here) */
    submit (ur);
    sqe = io_uring_get_sqe (&ur->ring);
  }
  return sqe;
}

static bool
same_iov (const struct tcp_uring *ur, const struct iovec *iov, int n)
{
  int i;

  if (n != ur->rx_iovcnt)
    return false;
  for (i = 0; i < n; i++)
    if (iov[i].iov_base != ur->rx_iov[i].iov_base ||
        iov[i].iov_len != ur->rx_iov[i].iov_len)
      return false;
  return true;
}

ssize_t
tcp_uring_recvv (struct tcp_queue *tq, const struct iovec *iov, int iovcnt)
{
  struct tcp_uring *ur = tq->ur;
  struct io_uring_sqe *sqe;
  ssize_t r = -1;

  if (iovcnt < 1 || iovcnt > 2) {
    errno = EINVAL;
    return -1;
  }
  pthread_mutex_lock (&ur->lock);
  reap (ur);
  if (ur->rx_done) {
    /* The state machine asks for the same place until it is answered
     * (nothing else moves it): anything else is a bug here, and the
     * bytes are where they were asked for. */
    if (!same_iov (ur, iov, iovcnt))
      errno = EPROTO;
    else if (ur->rx_res < 0)
      errno = -ur->rx_res;
    else
      r = ur->rx_res;
    ur->rx_done = false;
    goto out;
  }
  errno = EAGAIN;
  if (ur->rx_armed)
    goto out;
  sqe = get_sqe (ur);
  if (sqe == NULL) {
    errno = ENOMEM;
    goto out;
  }
  memcpy (ur->rx_iov, iov, iovcnt * sizeof *iov);
  ur->rx_iovcnt = iovcnt;
  memset (&ur->rx_msg, 0, sizeof ur->rx_msg);
  ur->rx_msg.msg_iov = ur->rx_iov;
  ur->rx_msg.msg_iovlen = iovcnt;
  io_uring_prep_recvmsg (sqe, tq->fd, &ur->rx_msg, 0);
  io_uring_sqe_set_data64 (sqe, TAG_RECV);
  ur->rx_armed = true;
  ur->unsubmitted = true;
out:
  pthread_mutex_unlock (&ur->lock);
  return r;
}

ssize_t
tcp_uring_sendmsg (struct tcp_queue *tq, struct msghdr *m)
{
  struct tcp_uring *ur = tq->ur;
  struct io_uring_sqe *sqe;
  ssize_t r = -1;

  pthread_mutex_lock (&ur->lock);
  sqe = get_sqe (ur);
  if (sqe == NULL) {
    errno = ENOMEM;
    goto out;
  }
  io_uring_prep_sendmsg (sqe, tq->fd, m, MSG_NOSIGNAL | MSG_DONTWAIT);
  io_uring_sqe_set_data64 (sqe, TAG_SEND);
  ur->tx_done = false;
  ur->unsubmitted = true;
  submit (ur);
  /* MSG_DONTWAIT: completed while submitted.  Should the kernel post it
   * later anyway, wait: m must not be used after we return. */
  while (!ur->tx_done) {
    struct io_uring_cqe *cqe;
    int w = io_uring_wait_cqe (&ur->ring, &cqe);

    if (w < 0 && w != -EINTR && w != -EAGAIN) {
      /* Cannot wait on the ring: nothing else can be done safely. */
      errno = -w;
      goto out;
    }
    reap (ur);
  }
  if (ur->tx_res < 0)
    errno = -ur->tx_res;
  else
    r = ur->tx_res;
out:
  pthread_mutex_unlock (&ur->lock);
  return r;
}

bool
tcp_uring_submit (struct tcp_queue *tq)
{
  return tcp_uring_check (tq, true);
}

bool
tcp_uring_check (struct tcp_queue *tq, bool and_submit)
{
  struct tcp_uring *ur = tq->ur;
  bool done;

  if (ur == NULL)
    return false;
  pthread_mutex_lock (&ur->lock);
  if (and_submit && ur->unsubmitted)
    submit (ur);
  done = ur->rx_done;
  pthread_mutex_unlock (&ur->lock);
  return done;
}

bool
tcp_uring_wait (struct tcp_queue *tq, int timeout_ms)
{
  struct tcp_uring *ur = tq->ur;
  struct __kernel_timespec ts = {
    .tv_sec = timeout_ms / 1000,
    .tv_nsec = (timeout_ms % 1000) * 1000000L,
  };
  struct io_uring_cqe *cqe;
  bool done;

  pthread_mutex_lock (&ur->lock);
  if (ur->unsubmitted)
    submit (ur);
  if (ur->rx_armed && !ur->unsubmitted)
    io_uring_wait_cqe_timeout (&ur->ring, &cqe, &ts);
  reap (ur);
  done = ur->rx_done;
  pthread_mutex_unlock (&ur->lock);
  return done;
}

bool
tcp_uring_cancel (struct tcp_queue *tq)
{
  struct tcp_uring *ur = tq->ur;
  struct io_uring_sqe *sqe;
  unsigned i;
  bool ok;

  if (ur == NULL)
    return true;
  pthread_mutex_lock (&ur->lock);
  reap (ur);
  if (ur->rx_armed) {
    sqe = get_sqe (ur);
    if (sqe) {
      io_uring_prep_cancel64 (sqe, TAG_RECV, 0);
      io_uring_sqe_set_data64 (sqe, TAG_CANCEL);
      ur->unsubmitted = true;
    }
    submit (ur);
  }
  /* The cancelled receive completes through the thread that submitted
   * it (the kernel interrupts it to do so): bounded, 5 s. */
  for (i = 0; ur->rx_armed && i < 50; i++) {
    struct __kernel_timespec ts = { .tv_nsec = 100000000L };
    struct io_uring_cqe *cqe;

    if (ur->unsubmitted)
      submit (ur);
    io_uring_wait_cqe_timeout (&ur->ring, &cqe, &ts);
    reap (ur);
  }
  ok = !ur->rx_armed;
  ur->rx_done = false; /* what it brought belongs to the old stream */
  pthread_mutex_unlock (&ur->lock);
  return ok;
}
