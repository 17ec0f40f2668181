/* SPDX-License-Identifier: BSD-3-Clause */
/* Connection lifecycle: one detached thread per accepted TCP connection
 * (which runs the TLS handshake first on a port with TLS: tls.c), the list
 * of live connections (so that SIGTERM can close them all, and the
 * watchdog can end those that send no ICReq or Connect in time), the cleanup
 * that detaches a queue from its controller before the socket is closed
 * (so that a controller teardown never shuts down a reused fd), and the
 * plain TCP I/O of a connection. */
#include <config.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/crypto.h>

#include "conn.h"

#define MAX_CONNS        4096
#define PRE_CONNECT_REQS 2
#define SETUP_GRACE_MS   2000 /* to send the C2HTermReq of a late host */
#define SETUP_CHECK_MS   100  /* how often the watchdog looks */

static ssize_t
plain_recv (struct conn *c, void *p, size_t len, int flags)
{
  return recv (c->fd, p, len, flags);
}

static ssize_t
plain_sendv (struct conn *c, const struct iovec *iov, int n)
{
  struct msghdr msg = { .msg_iov = (struct iovec *) iov, .msg_iovlen = n };

  return sendmsg (c->fd, &msg, MSG_NOSIGNAL);
}

const struct conn_io conn_plain_io = {
  .recv = plain_recv,
  .sendv = plain_sendv,
};

static pthread_mutex_t conns_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t conns_cond = PTHREAD_COND_INITIALIZER;
static struct conn *conns;
static unsigned nr_conns;

void
conn_free (struct conn *c)
{
  unsigned i;

  /* First: the kernel may still be reading or writing request buffers. */
  aio_destroy (c->info.aio);
  c->info.aio = NULL;
  for (i = 0; i < c->nr_reqs; i++) {
    free (c->reqs[i]->buf);
    free (c->reqs[i]);
  }
  free (c->reqs);
  free (c->free_list);
  free (c->done_list);
  free (c->rbuf);
  auth_queue_free (&c->info);
  free (c);
}

void
conn_setup_arm (struct conn *c, int phase)
{
  atomic_store (&c->setup_phase, phase);
  atomic_store (&c->setup_deadline,
                cfg.connect_timeout ?
                  now_ms () + (uint64_t) cfg.connect_timeout * 1000 :
                  0);
}

/* The watchdog ended the connection (conn_check_setup): say why, and
 * after the ICResp tell the host with a C2HTermReq (before it there is
 * no PDU the host would understand: just close). */
static void
setup_expired (struct conn *c, int phase)
{
  if (phase == SETUP_ICREQ) {
    log_msg ("%s: no ICReq within %" PRIu32 " s: closed", c->info.peer,
             cfg.connect_timeout);
    return;
  }
  log_msg ("%s: no Connect within %" PRIu32 " s of the ICResp: closed",
           c->info.peer, cfg.connect_timeout);
  if (!c->closing)
    send_termreq (c, NVME_TCP_FES_PDU_SEQUENCE, 0, c->hdr, 0);
}

static void *
conn_thread (void *arg)
{
  struct conn *c = arg;
  int late;

  if (tls_conn_start (c) == -1)
    c->closing = true;
  else if (port_tls (c->info.port) != TGT_TLS_NONE)
    conn_setup_arm (c, SETUP_ICREQ); /* after the handshake (its own limit) */
  while (!c->closing && !c->info.close_after && !atomic_load (&stopping))
    if (conn_recv_pdu (c) == -1)
      break;
  if (!fault_hung (&c->fault))
    tx_flush (c);
  late = atomic_load (&c->setup_expired);
  if (late)
    setup_expired (c, late);
  log_verbose ("%s: connection closed", c->info.peer);
  /* After a failed authentication, once its Failure1 went out. */
  if (c->info.auth.fatal && c->info.ctrl)
    ctrl_kill (c->info.ctrl, "authentication failed");

  if (c->info.ctrl)
    ctrl_remove_queue (c->info.ctrl, c->info.qid);
  pthread_mutex_lock (&conns_lock);
  if (c->prev)
    c->prev->next = c->next;
  else
    conns = c->next;
  if (c->next)
    c->next->prev = c->prev;
  pthread_mutex_unlock (&conns_lock);
  tls_conn_end (c);
  close (c->fd);
  if (c->wake_fd >= 0)
    close (c->wake_fd);
  conn_free (c);
  /* OpenSSL's state for this thread (TLS, DH-HMAC-CHAP), now rather than
   * in a destructor after the thread has been counted out. */
  OPENSSL_thread_stop ();
  /* Counted out only now that everything is freed: conn_shutdown_all
   * waits for the count, and the process may exit as soon as it is 0
   * (an SSL object half freed at exit was a leak report). */
  pthread_mutex_lock (&conns_lock);
  nr_conns--;
  pthread_cond_broadcast (&conns_cond);
  pthread_mutex_unlock (&conns_lock);
  return NULL;
}

int
conn_start (int fd, struct tgt_port *port)
{
  struct conn *c;
  struct sockaddr_storage peer;
  socklen_t plen = sizeof peer;
  char host[INET6_ADDRSTRLEN] = "?";
  pthread_attr_t attr;
  pthread_t t;
  int one = 1, err;

  setsockopt (fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  c = calloc (1, sizeof *c);
  if (!c || !(c->rbuf = malloc (RBUF_SIZE)) ||
      conn_grow_reqs (c, PRE_CONNECT_REQS) == -1) {
    if (c)
      conn_free (c);
    close (fd);
    return -1;
  }
  c->fd = fd;
  atomic_init (&c->wake_fd, -1);
  c->io = &conn_plain_io;
  c->info.port = port;
  c->icd_max = TGT_ADMIN_ICD; /* until Connect: fabrics use 8 KiB */
  c->info.local_len = sizeof c->info.local;
  getsockname (fd, (struct sockaddr *) &c->info.local, &c->info.local_len);
  if (getpeername (fd, (struct sockaddr *) &peer, &plen) == 0) {
    if (peer.ss_family == AF_INET)
      inet_ntop (AF_INET, &((struct sockaddr_in *) &peer)->sin_addr, host,
                 sizeof host);
    else if (peer.ss_family == AF_INET6)
      inet_ntop (AF_INET6, &((struct sockaddr_in6 *) &peer)->sin6_addr, host,
                 sizeof host);
    snprintf (c->info.peer, sizeof c->info.peer, "%s:%u", host,
              ntohs (peer.ss_family == AF_INET6 ?
                       ((struct sockaddr_in6 *) &peer)->sin6_port :
                       ((struct sockaddr_in *) &peer)->sin_port));
  }
  fault_init (&c->fault, false);
  /* Plain: the ICReq is due from now, however long the thread takes to
   * start.  With TLS, from the end of the handshake (conn_thread). */
  if (port_tls (port) == TGT_TLS_NONE)
    conn_setup_arm (c, SETUP_ICREQ);

  pthread_mutex_lock (&conns_lock);
  if (nr_conns >= MAX_CONNS || atomic_load (&stopping)) {
    pthread_mutex_unlock (&conns_lock);
    log_msg ("%s: too many connections, refused", c->info.peer);
    close (fd);
    conn_free (c);
    return -1;
  }
  c->next = conns;
  if (conns)
    conns->prev = c;
  conns = c;
  nr_conns++;
  /* Before the thread starts: it may end and free c at once. */
  log_verbose ("%s: connected", c->info.peer);
  pthread_attr_init (&attr);
  pthread_attr_setdetachstate (&attr, PTHREAD_CREATE_DETACHED);
  err = pthread_create (&t, &attr, conn_thread, c);
  pthread_attr_destroy (&attr);
  if (err) {
    conns = c->next;
    if (conns)
      conns->prev = NULL;
    nr_conns--;
    pthread_mutex_unlock (&conns_lock);
    log_msg ("pthread_create: %s", strerror (err));
    close (fd);
    conn_free (c);
    return -1;
  }
  pthread_mutex_unlock (&conns_lock);
  return 0;
}

void
conn_kill (struct conn *c)
{
  if (c->eth)
    eth_conn_kill (c);
  else
    shutdown (c->fd, SHUT_RDWR);
}

void
conn_wake (struct conn *c)
{
  uint64_t one = 1;
  int fd;

  if (c->eth) {
    eth_conn_wake (c);
    return;
  }
  atomic_store (&c->wake, true);
  fd = atomic_load (&c->wake_fd);
  if (fd >= 0 && write (fd, &one, sizeof one) == -1) {
    /* The counter is full: the thread is awake anyway. */
  }
}

void
conn_kill_port (const struct tgt_port *port)
{
  struct conn *c;

  pthread_mutex_lock (&conns_lock);
  for (c = conns; c; c = c->next)
    if (c->info.port == port)
      shutdown (c->fd, SHUT_RDWR);
  pthread_mutex_unlock (&conns_lock);
}

void
conn_check_setup (uint64_t now)
{
  static uint64_t last;
  struct conn *c;

  if (now - last < SETUP_CHECK_MS)
    return;
  last = now;
  pthread_mutex_lock (&conns_lock);
  for (c = conns; c; c = c->next) {
    uint64_t d = atomic_load (&c->setup_deadline);

    /* Still there after the grace: stuck sending to a host that does
     * not read. */
    if (c->setup_kill && now >= c->setup_kill) {
      shutdown (c->fd, SHUT_RDWR);
      c->setup_kill = 0;
    }
    if (d == 0 || now < d ||
        !atomic_compare_exchange_strong (&c->setup_deadline, &d, 0))
      continue;
    /* The thread wakes from its read with end of file, then says why
     * and closes. */
    atomic_store (&c->setup_expired, atomic_load (&c->setup_phase));
    shutdown (c->fd, SHUT_RD);
    c->setup_kill = now + SETUP_GRACE_MS;
  }
  pthread_mutex_unlock (&conns_lock);
}

void
conn_shutdown_all (void)
{
  struct conn *c;
  struct timespec ts;

  clock_gettime (CLOCK_REALTIME, &ts);
  ts.tv_sec += 10;
  pthread_mutex_lock (&conns_lock);
  for (c = conns; c; c = c->next)
    shutdown (c->fd, SHUT_RDWR);
  while (nr_conns > 0)
    if (pthread_cond_timedwait (&conns_cond, &conns_lock, &ts) != 0)
      break;
  if (nr_conns > 0)
    log_msg ("%u connections did not close in time", nr_conns);
  pthread_mutex_unlock (&conns_lock);
}
