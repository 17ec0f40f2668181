/* SPDX-License-Identifier: BSD-3-Clause */
/* The NVMe/TCP transport: a queue's connection (bounded by the connect
 * timeout, TCP_NODELAY), the ICReq/ICResp exchange, starting the queue's
 * thread, shutdown, reconnecting, and the ops table.  The send path is in
 * tcp-send.c, the receive side in tcp-rx-machine.c (the PDU state
 * machine) and tcp-rx-readers.c (who reads the connection, and when).
 * A frame-based transport (raw Ethernet) would be another file with its
 * own ops table.  With TLS (tcp-tls.c) the handshake comes
 * right after the TCP connect, so that ICReq and ICResp are inside TLS. */
#include <config.h>

#include <errno.h>
#include <inttypes.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/eventfd.h>
#include <sys/socket.h>

#include "tcp.h"
#include "crc32c.h"
#include "errors.h"
#include "lib-thread.h"

/* ---- Connection and initialisation ------------------------------------- */

static int
deadline_left (uint64_t deadline)
{
  uint64_t now = now_ms ();

  return now >= deadline ? 0 : (int) (deadline - now);
}

/* Wait for the socket during initialisation, bounded by the deadline and
 * interrupted by tcp_shutdown: 1 ready, 0 timeout, -1 stopped or error. */
static int
wait_init (struct tcp_queue *tq, int fd, short events, uint64_t deadline)
{
  for (;;) {
    struct pollfd pfd[2] = {
      { .fd = fd, .events = events },
      { .fd = tq->efd, .events = POLLIN },
    };
    int r, t;

    if (atomic_load (&tq->stopping)) {
      errno = ECANCELED;
      return -1;
    }
    t = deadline_left (deadline);
    if (t == 0)
      return 0;
    r = poll (pfd, 2, t);
    if (r < 0 && errno == EINTR)
      continue;
    if (r < 0)
      return -1;
    if (pfd[0].revents)
      return 1;
    if (pfd[1].revents & POLLIN) {
      uint64_t v;

      if (read (tq->efd, &v, sizeof v) < 0) {
        /* EAGAIN: already drained. */
      }
    }
  }
}

static void
set_fd (struct tcp_queue *tq, int fd)
{
  pthread_mutex_lock (&tq->fd_lock);
  tq->fd = fd;
  pthread_mutex_unlock (&tq->fd_lock);
}

static int
tcp_dial (struct tcp_queue *tq, uint64_t deadline)
{
  struct nvmeof_ctrl *ctrl = tq->q.ctrl;
  struct addrinfo hints = {
    .ai_family = AF_UNSPEC,
    .ai_socktype = SOCK_STREAM,
    .ai_flags = AI_NUMERICSERV | AI_ADDRCONFIG,
  };
  struct addrinfo *res, *ai;
  char err[160] = "no usable address";
  int r, one = 1;

  r = getaddrinfo (ctrl->opts.traddr, opts_port (&ctrl->opts), &hints, &res);
  if (r != 0) {
    set_error (EHOSTUNREACH, "connect to %s: %s", ctrl->addr, gai_strerror (r));
    return -1;
  }
  for (ai = res; ai; ai = ai->ai_next) {
    int fd =
      socket (ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
              ai->ai_protocol);
    int soerr = 0;
    socklen_t len = sizeof soerr;

    if (fd < 0) {
      msgf (err, sizeof err, "socket: %s", strerror (errno));
      continue;
    }
    if (connect (fd, ai->ai_addr, ai->ai_addrlen) < 0) {
      if (errno != EINPROGRESS) {
        msgf (err, sizeof err, "%s", strerror (errno));
        close (fd);
        continue;
      }
      r = wait_init (tq, fd, POLLOUT, deadline);
      if (r <= 0) {
        msgf (err, sizeof err, "%s",
              r == 0             ? "timed out" :
              errno == ECANCELED ? "stopped" :
                                   strerror (errno));
        close (fd);
        continue;
      }
      if (getsockopt (fd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0)
        soerr = errno;
      if (soerr) {
        msgf (err, sizeof err, "%s", strerror (soerr));
        close (fd);
        continue;
      }
    }
    setsockopt (fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    set_fd (tq, fd);
    freeaddrinfo (res);
    return 0;
  }
  freeaddrinfo (res);
  set_error (ECONNREFUSED, "connect to %s (queue %u): %s", ctrl->addr,
             tq->q.qid, err);
  return -1;
}

/* Read exactly len bytes before the deadline (initialisation only).
 * eof: what to say if the connection ends before the first byte. */
static int
recv_exact (struct tcp_queue *tq, void *buf, size_t len, uint64_t deadline,
            const char *what, const char *eof)
{
  size_t got = 0;

  while (got < len) {
    ssize_t n = tcp_sock_recv (tq, (uint8_t *) buf + got, len - got);
    int r;

    if (n > 0) {
      got += n;
      continue;
    }
    /* (An ICReq left unread makes the peer's close a reset.) */
    if ((n == 0 || errno == ECONNRESET) && eof && got == 0) {
      set_error (ECONNRESET, "connect to %s (queue %u): the target %s",
                 tq->q.ctrl->addr, tq->q.qid, eof);
      return -1;
    }
    if (n == 0) {
      set_error (ECONNRESET, "%s: %s closed the connection", what,
                 tq->q.ctrl->addr);
      return -1;
    }
    if (errno == EINTR)
      continue;
    if (tq->tls && errno == EPROTO) {
      set_error (EPROTO, "%s: TLS: %s", what, tls_last_error ());
      return -1;
    }
    if (errno != EAGAIN && errno != EWOULDBLOCK) {
      set_error (errno, "%s: recv: %s", what, strerror (errno));
      return -1;
    }
    r = wait_init (tq, tq->fd, POLLIN, deadline);
    if (r < 0 && errno == ECANCELED) {
      set_error (ECANCELED, "%s: stopped", what);
      return -1;
    }
    if (r <= 0) {
      set_error (ETIMEDOUT,
                 "%s: no answer from %s within the connect "
                 "timeout (%" PRIu32 " s)",
                 what, tq->q.ctrl->addr, tq->q.ctrl->opts.connect_timeout_s);
      return -1;
    }
  }
  return 0;
}

static int
send_init_pdu (struct tcp_queue *tq, uint32_t len)
{
  char why[128];
  int r;

  tcp_tx_load (tq, len, NULL, 0);
  r = tcp_tx_write (tq, true, why, sizeof why);
  if (r <= 0) {
    set_error (EIO, "connection to %s, queue %u: %s", tq->q.ctrl->addr,
               tq->q.qid, why);
    return -1;
  }
  return 0;
}

static int
tcp_icreq (struct tcp_queue *tq, uint64_t deadline)
{
  struct nvme_tcp_icreq icreq;
  union {
    struct nvme_tcp_icresp icresp;
    uint8_t raw[NVME_TCP_TERM_MAX_PLEN];
  } in;
  struct pdu_error e;
  uint32_t plen;

  memset (&in, 0, sizeof in);
  tcp_build_icreq (&icreq, &tq->p);
  memcpy (tq->tx_hdr, &icreq, sizeof icreq);
  if (send_init_pdu (tq, sizeof icreq) < 0)
    return -1;
  /* A port that requires TLS closes a plain connection here (nvmet). */
  if (recv_exact (tq, in.raw, sizeof (struct nvme_tcp_ch), deadline, "ICReq",
                  tq->tls                 ? NULL :
                  tq->q.ctrl->opts.concat ? "closed the connection right "
                                            "after ICReq: the port may "
                                            "require TLS, while secure "
                                            "channel concatenation (concat) "
                                            "starts without it (TLS must be "
                                            "optional on the port)" :
                                            "closed the connection right after "
                                            "ICReq: the port may require TLS "
                                            "(tls=on, tls-key=+FILE)") < 0)
    return -1;
  plen = GET32 (in.icresp.ch.plen);
  if (in.icresp.ch.type == NVME_TCP_PDU_C2H_TERM &&
      plen >= NVME_TCP_TERM_MIN_PLEN && plen <= NVME_TCP_TERM_MAX_PLEN) {
    char what[256];

    if (recv_exact (tq, in.raw + 8, plen - 8, deadline, "ICReq", NULL) < 0)
      return -1;
    tcp_describe_term_req (in.raw, plen, what, sizeof what);
    set_error (ECONNREFUSED, "%s refused the connection (queue %u): %s",
               tq->q.ctrl->addr, tq->q.qid, what);
    return -1;
  }
  if (in.icresp.ch.type == NVME_TCP_PDU_ICRESP && plen == sizeof in.icresp &&
      in.icresp.ch.hlen == sizeof in.icresp) {
    if (recv_exact (tq, in.raw + 8, sizeof in.icresp - 8, deadline, "ICReq",
                    NULL) < 0)
      return -1;
  }
  if (tcp_check_icresp (&in.icresp, &tq->p, &e) < 0) {
    uint32_t n = tcp_build_term_req (tq->tx_hdr, e.fes, e.fei, in.raw,
                                     sizeof (struct nvme_tcp_ch));

    send_init_pdu (tq, n);
    set_error (EPROTO, "connection to %s, queue %u: %s; sent H2CTermReq (%s)",
               tq->q.ctrl->addr, tq->q.qid, e.msg, tcp_fes_string (e.fes));
    return -1;
  }
  return 0;
}

static void tcp_destroy (struct nvmeof_queue *q);

static int
tcp_pollfd (struct nvmeof_queue *q)
{
  return to_tcp (q)->fd;
}

static struct nvmeof_queue *
tcp_queue_connect (struct nvmeof_ctrl *ctrl, uint16_t qid, uint16_t size)
{
  struct tcp_queue *tq = calloc (1, sizeof *tq);
  uint64_t deadline =
    now_ms () + (uint64_t) ctrl->opts.connect_timeout_s * 1000;

  if (tq == NULL) {
    set_error (ENOMEM, "out of memory");
    return NULL;
  }
  tq->fd = -1;
  tq->efd = -1;
  pthread_mutex_init (&tq->send_lock, NULL);
  pthread_mutex_init (&tq->rx_lock, NULL);
  pthread_mutex_init (&tq->fd_lock, NULL);
  tcp_set_state (tq, RX_CH);
  if (queue_init (&tq->q, ctrl, &tcp_transport_ops, qid, size) < 0) {
    pthread_mutex_destroy (&tq->send_lock);
    pthread_mutex_destroy (&tq->rx_lock);
    pthread_mutex_destroy (&tq->fd_lock);
    free (tq);
    return NULL;
  }
  /* The admin queue's thread receives (Keep Alive has no waiter); an I/O
   * queue is read by the threads waiting on it. */
  tq->threaded_rx = qid == 0;
  tq->q.caller_rx = !tq->threaded_rx;
  tq->p.hdgst = ctrl->opts.hdr_digest;
  tq->p.ddgst = ctrl->opts.data_digest;
  tq->p.hpda = 0;
  tq->p.maxr2t = TCP_MAXR2T;
  tq->jobs_cap = tq->q.depth * TCP_MAXR2T;
  tq->jobs = calloc (tq->jobs_cap, sizeof *tq->jobs);
  tq->cmdq_cap = 2 * tq->q.depth;
  tq->cmdq = calloc (tq->cmdq_cap, sizeof *tq->cmdq);
  tq->slots = calloc (tq->q.depth, sizeof *tq->slots);
  tq->rxbuf = malloc (RXBUF_SIZE);
  tq->efd = eventfd (0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (tq->jobs == NULL || tq->cmdq == NULL || tq->slots == NULL ||
      tq->rxbuf == NULL || tq->efd < 0) {
    set_error (errno ? errno : ENOMEM, "queue %u: %s", qid, strerror (errno));
    goto err;
  }
  if (tcp_dial (tq, deadline) < 0 ||
      (tcp_tls_wanted (ctrl) && tcp_tls_start (tq, deadline) < 0) ||
      tcp_icreq (tq, deadline) < 0)
    goto err;
  if (!tq->threaded_rx)
    aio_watch (ctrl, tq->fd, true);
  return &tq->q;

err:
  tcp_destroy (&tq->q);
  return NULL;
}

static int
tcp_queue_start (struct nvmeof_queue *q)
{
  struct tcp_queue *tq = to_tcp (q);
  char name[16];
  int r;

  r = lib_thread_create (&tq->rx_thread, tcp_rx_thread, tq);
  if (r != 0) {
    set_error (r, "queue %u: cannot start the receive thread: %s", q->qid,
               strerror (r));
    return -1;
  }
  msgf (name, sizeof name, "nvmeof-rx%u", q->qid);
  pthread_setname_np (tq->rx_thread, name);
  tq->rx_started = true;
  tq->live = true;
  return 0;
}

static void
tcp_shutdown (struct nvmeof_queue *q)
{
  struct tcp_queue *tq = to_tcp (q);

  atomic_store (&tq->stopping, true);
  pthread_mutex_lock (&tq->fd_lock);
  if (tq->fd >= 0)
    shutdown (tq->fd, SHUT_RDWR);
  pthread_mutex_unlock (&tq->fd_lock);
  if (tq->efd >= 0)
    tcp_kick (tq);
}

static int
tcp_queue_reconnect (struct nvmeof_queue *q)
{
  struct tcp_queue *tq = to_tcp (q);
  struct nvmeof_ctrl *ctrl = q->ctrl;
  uint64_t deadline =
    now_ms () + (uint64_t) ctrl->opts.connect_timeout_s * 1000;
  uint64_t v;
  bool locked;
  int r = -1;

  /* The old receivers have failed everything; wait for the thread, and
   * for any caller still receiving. */
  tcp_shutdown (q);
  if (tq->rx_started) {
    pthread_join (tq->rx_thread, NULL);
    tq->rx_started = false;
  }
  pthread_mutex_lock (&tq->rx_lock);
  locked = tcp_send_lock (tq);
  tcp_tx_kill (tq);
  tcp_tls_stop (tq);
  pthread_mutex_lock (&tq->fd_lock);
  if (tq->fd >= 0)
    close (tq->fd);
  tq->fd = -1;
  pthread_mutex_unlock (&tq->fd_lock);
  queue_lock (q);
  queue_fail_all (q, EIO);
  queue_unlock (q);
  tcp_set_state (tq, RX_CH);
  tq->rx_start = tq->rx_end = 0;
  tq->r2t_unanswered = false;
  tq->rx_req = NULL;
  if (read (tq->efd, &v, sizeof v) < 0) {
    /* EAGAIN: no kick pending. */
  }
  atomic_store (&tq->stopping, false);
  /* (closing is set before the queues are shut down for close.) */
  if (atomic_load (&ctrl->closing))
    set_error (ECANCELED, "queue %u: the controller is being closed", q->qid);
  else if (tcp_dial (tq, deadline) == 0 &&
           (!tcp_tls_wanted (ctrl) || tcp_tls_start (tq, deadline) == 0) &&
           tcp_icreq (tq, deadline) == 0)
    r = 0;
  if (r == 0) {
    tq->tx_dead = false;
    tq->tx_err = 0;
    tq->rx_failed = false;
    if (!tq->threaded_rx)
      aio_watch (ctrl, tq->fd, true);
  }
  tcp_send_unlock (tq, locked);
  pthread_mutex_unlock (&tq->rx_lock);
  if (r < 0)
    return -1;
  queue_lock (q);
  __atomic_store_n (&q->dead, false, __ATOMIC_RELEASE);
  queue_unlock (q);
  return tcp_queue_start (q);
}

static void
tcp_destroy (struct nvmeof_queue *q)
{
  struct tcp_queue *tq = to_tcp (q);

  tcp_shutdown (q);
  if (tq->rx_started)
    pthread_join (tq->rx_thread, NULL);
  else if (q->reqs) {
    queue_lock (q);
    queue_fail_all (q, EIO);
    queue_unlock (q);
  }
  tcp_tls_stop (tq);
  if (tq->fd >= 0)
    close (tq->fd);
  if (tq->efd >= 0)
    close (tq->efd);
  free (tq->jobs);
  free (tq->cmdq);
  free (tq->slots);
  free (tq->rxbuf);
  pthread_mutex_destroy (&tq->send_lock);
  pthread_mutex_destroy (&tq->rx_lock);
  pthread_mutex_destroy (&tq->fd_lock);
  queue_free (q);
  free (tq);
}

const struct nvmeof_transport_ops tcp_transport_ops = {
  .name = "tcp",
  .queue_connect = tcp_queue_connect,
  .queue_start = tcp_queue_start,
  .submit = tcp_submit,
  .enqueue = tcp_enqueue,
  .flush = tcp_flush,
  .wait = tcp_wait,
  .progress = tcp_progress,
  .pollfd = tcp_pollfd,
  .shutdown = tcp_shutdown,
  .destroy = tcp_destroy,
  .queue_reconnect = tcp_queue_reconnect,
  .max_transfer = TCP_MAX_TRANSFER,
};

uint32_t
tcp_queue_maxh2cdata (struct nvmeof_queue *q)
{
  return to_tcp (q)->p.maxh2cdata;
}
