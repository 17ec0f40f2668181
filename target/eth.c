/* SPDX-License-Identifier: BSD-3-Clause */
/* One NVMe/Ethernet association (= one NVMe queue) in nvmeof-target: its
 * own AF_PACKET socket, whose kernel filter passes only frames for its
 * association id, and its own thread driving the protocol engine
 * (eth-proto.h) in the controller role.
 *
 * The association is a struct conn like a TCP connection's, so that the
 * command code (cmd-fabrics.c, cmd-admin.c, cmd-io.c, auth.c), the
 * controllers (ctrl.c) and the requests (conn.c) are the same: a capsule
 * from the engine gets a request (requests are indexed by CID, which the
 * engine keeps below the queue depth), req_prepare and req_check_sgl as
 * for TCP, its in-capsule data copied where the command wants it, or an
 * R2T for all of its data (placed by the engine, frame by frame, straight
 * into the request buffer or the RAM namespace); then the command runs
 * and its data (C2H) and completion go to the engine, which keeps the
 * buffers until the host acknowledged them (a new command on the same CID
 * proves that: the engine releases the old one first).
 *
 * The thread: frames from the ring into the engine, the engine's timers
 * and transmissions (batched), then a short poll (--poll-us, as for TCP)
 * and a sleep until a frame, a timer or a wake-up (conn_kill, a repeated
 * ASSOC_REQ, shutdown) comes.  The engine ends the association on
 * silence (4 keep-alive intervals), a TERM, a protocol violation or an
 * unacknowledged frame; then the queue leaves its controller as a TCP
 * connection's does.  A host that keeps an established association alive
 * but sends no successful Connect within --connect-timeout gets a TERM
 * (TIMEOUT), as a TCP connection without one is closed; one that never
 * confirms the association is the engine's (its setup time). */
#include <config.h>

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/random.h>

#include "eth.h"

#define RX_BATCH     256         /* frames taken from the ring per loop */
#define ICD_BUDGET   (64u << 20) /* in-capsule buffers per association */
#define MAX_SLEEP_US 100000      /* look at the stop flag this often */

static uint64_t
now_us (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (uint64_t) ts.tv_sec * 1000000 + (uint64_t) ts.tv_nsec / 1000;
}

/* ---- engine callbacks ------------------------------------------------- */

static unsigned
cb_tx (void *ctx, const struct eth_tx_frame *f, unsigned n)
{
  struct eth_conn *ec = ctx;
  int r = eth_sock_tx (ec->sock, ec->peer, f, n, eth_assoc_pack_max (ec->a));

  return r < 0 ? 0 : (unsigned) r;
}

static void
cb_established (void *ctx)
{
  struct eth_conn *ec = ctx;

  ec->established = true;
  eth_port_established (ec->ep, ec);
}

static void
cb_closed (void *ctx, int err, const char *msg)
{
  struct eth_conn *ec = ctx;

  ec->closed = true;
  if (err == 0)
    log_verbose ("%s: association closed", ec->c->info.peer);
  else
    log_verbose ("%s: association ended: %s", ec->c->info.peer, msg);
}

/* The completion (and a read's data before it) to the engine. */
static void
complete (struct eth_conn *ec, struct req *r)
{
  struct conn *c = ec->c;
  uint16_t status = r->status;
  struct nvme_cqe cqe;

  if (status == 0 && r->dir == DIR_C2H && r->len > 0 &&
      eth_ctrl_send_data (ec->a, r->cid, r->data, r->len) == -1)
    status = NVME_SC_INTERNAL;
  if (!c->info.sqhd_disabled)
    c->sqhd = (c->sqhd + 1) % (c->info.sqsize + 1u);
  /* Errors are final, as over TCP (but for the path statuses). */
  if (status && status != NVME_SC_TRANSIENT_TRANSPORT &&
      (status >> 8) != NVME_SCT_PATH)
    status |= NVME_STATUS_DNR;
  memset (&cqe, 0, sizeof cqe);
  PUT32 (cqe.dw0, r->dw0);
  PUT32 (cqe.dw1, r->dw1);
  PUT16 (cqe.sqhd, c->info.sqhd_disabled ? 0xFFFF : c->sqhd);
  PUT16 (cqe.sqid, ec->qid);
  PUT16 (cqe.cid, r->cid);
  PUT16 (cqe.status, (uint16_t) (status << 1));
  r->state = REQ_DONE;
  if (eth_ctrl_respond (ec->a, &cqe) == -1)
    log_verbose ("%s: cannot answer command %u: %s", c->info.peer, r->cid,
                 strerror (errno));
}

/* Run a command whose data is in place, then complete it. */
static void
run (struct eth_conn *ec, struct req *r)
{
  struct conn *c = ec->c;

  if (atomic_load (&stopping)) /* shutting down: answer nothing more */
    return;
  if (r->status == 0 && r->exec)
    r->exec (c, r);
  if (r->state == REQ_AER) {
    c->info.nr_aer++;
    return;
  }
  complete (ec, r);
  /* Disconnect, or a failed authentication: close once answered. */
  if (c->info.close_after)
    eth_assoc_close (ec->a, now_us ());
  /* Faults count from the first command after a successful Connect. */
  if (r->sqe.opcode == NVME_ADMIN_FABRICS && r->status == 0 &&
      ((const struct nvmf_cmd *) &r->sqe)->fctype == NVMF_FCTYPE_CONNECT)
    fault_init (&c->fault, c->info.qid != 0);
}

/* The association carries one queue: a Connect names that one. */
static uint16_t
check_connect_qid (struct eth_conn *ec, struct req *r)
{
  const struct nvmf_connect_cmd *cmd = (const void *) &r->sqe;

  if (r->sqe.opcode != NVME_ADMIN_FABRICS ||
      cmd->fctype != NVMF_FCTYPE_CONNECT || GET16 (cmd->qid) == ec->qid)
    return 0;
  log_verbose ("%s: Connect for queue %u on the association of queue %u",
               ec->c->info.peer, GET16 (cmd->qid), ec->qid);
  r->dw0 = offsetof (struct nvmf_connect_cmd, qid);
  return NVMF_SC_CONNECT_INVALID_PARAM;
}

static void
cb_capsule (void *ctx, const struct nvme_sqe *sqe, const void *icd,
            uint32_t icd_len)
{
  struct eth_conn *ec = ctx;
  struct conn *c = ec->c;
  uint16_t cid = GET16 (sqe->cid);
  struct req *r;

  if (cid >= c->nr_reqs) { /* the engine keeps CIDs below the depth */
    eth_assoc_abort (ec->a, NVME_ETH_ERR_LIMIT, EPROTO, "CID out of range");
    return;
  }
  r = c->reqs[cid];
  req_reset (r);
  memcpy (&r->sqe, sqe, sizeof r->sqe);
  r->cid = cid;
  if (c->info.ctrl)
    ctrl_touch (c->info.ctrl);
  if (atomic_load (&stopping))
    return;
  /* Fault injection (fault.c): as over TCP, but an association ends with
   * a TERM where a connection closes or sends a C2HTermReq. */
  if (fault_on_command (&c->fault) != FAULT_NONE) {
    log_msg ("%s: fault injection: ending the association", c->info.peer);
    eth_assoc_abort (ec->a, NVME_ETH_ERR_SHUTDOWN, ECONNABORTED,
                     "fault injection");
    return;
  }
  if (fault_hung (&c->fault)) /* swallow the command, never answer */
    return;
  fault_delay (&c->fault);
  r->status = check_connect_qid (ec, r);
  if (r->status == 0)
    r->status = req_prepare (c, r);
  if (r->status == 0)
    r->status = req_check_sgl (r, icd_len);
  if (r->status) {
    complete (ec, r);
    return;
  }
  if (r->dir == DIR_H2C && icd_len == 0) {
    r->state = REQ_WAIT_DATA;
    if (eth_ctrl_r2t (ec->a, cid, r->data, r->len) == -1) {
      r->status = NVME_SC_INTERNAL;
      complete (ec, r);
    }
    return;
  }
  if (icd_len)
    memcpy (r->data, icd, icd_len);
  run (ec, r);
}

static void
cb_data_ready (void *ctx, uint16_t cid)
{
  struct eth_conn *ec = ctx;
  struct req *r;

  if (cid >= ec->c->nr_reqs)
    return;
  r = ec->c->reqs[cid];
  if (r->state != REQ_WAIT_DATA)
    return;
  r->state = REQ_FREE;
  run (ec, r);
}

static const struct eth_callbacks callbacks = {
  .tx = cb_tx,
  .established = cb_established,
  .closed = cb_closed,
  .capsule = cb_capsule,
  .data_ready = cb_data_ready,
};

/* ---- the thread -------------------------------------------------------- */

struct rx_ctx {
  struct eth_conn *ec;
  uint64_t now;
};

static void
rx_frame (void *ctx, const uint8_t src[6], const uint8_t *frame, size_t len)
{
  struct rx_ctx *x = ctx;

  if (!x->ec->closed)
    eth_assoc_input (x->ec->a, src, frame, len, x->now);
}

static void
drain_wake (struct eth_conn *ec)
{
  uint64_t v;

  if (read (ec->wake_fd, &v, sizeof v) == -1) {
    /* EAGAIN: nothing was pending. */
  }
}

/* Nothing to do now: poll the ring for --poll-us (the host's next frame
 * often comes sooner than a sleeping thread wakes), then sleep until a
 * frame, the engine's next timer or a wake-up. */
static void
idle (struct eth_conn *ec, uint64_t next, uint64_t *last_work)
{
  struct pollfd pfd[2] = {
    { .fd = eth_sock_fd (ec->sock), .events = POLLIN },
    { .fd = ec->wake_fd, .events = POLLIN },
  };
  uint64_t now = now_us (), timeout, drops;
  struct timespec ts;

  while (now < next && now - *last_work < cfg.poll_us &&
         !atomic_load (&ec->kill) && !atomic_load (&ec->again) &&
         !atomic_load (&ec->c->wake) && !atomic_load (&stopping)) {
    if (eth_sock_wait (ec->sock, 0) != 0)
      return;
    sched_yield ();
    now = now_us ();
  }
  if (now >= next)
    return;
  /* Going to sleep: a moment to ask the kernel about ring overruns. */
  drops = eth_sock_rx_drops (ec->sock);
  if (drops != ec->ring_drops) {
    pthread_mutex_lock (&ec->stats_lock);
    ec->ring_drops = drops;
    pthread_mutex_unlock (&ec->stats_lock);
  }
  timeout = next - now < MAX_SLEEP_US ? next - now : MAX_SLEEP_US;
  ts.tv_sec = timeout / 1000000;
  ts.tv_nsec = (long) (timeout % 1000000) * 1000;
  if (ppoll (pfd, 2, &ts, NULL) > 0 && (pfd[1].revents & POLLIN))
    drain_wake (ec);
}

void
eth_conn_end (struct eth_conn *ec)
{
  struct conn *c = ec->c;

  /* After a failed authentication, once its Failure1 went out. */
  if (c->info.auth.fatal && c->info.ctrl)
    ctrl_kill (c->info.ctrl, "authentication failed");
  if (c->info.ctrl)
    ctrl_remove_queue (c->info.ctrl, c->info.qid);
  eth_port_forget (ec->ep, ec);
  eth_sock_close (ec->sock);
  eth_assoc_free (ec->a);
  close (ec->wake_fd);
  pthread_mutex_destroy (&ec->stats_lock);
  conn_free (c);
  free (ec);
}

static void *
eth_conn_thread (void *arg)
{
  struct eth_conn *ec = arg;
  struct conn *c = ec->c;
  struct rx_ctx x = { .ec = ec };
  uint64_t last_work = now_us (), connect_by = 0;
  bool aborted = false;

  while (!ec->closed) {
    uint64_t next;
    int n;

    x.now = now_us ();
    if (!aborted && (atomic_load (&ec->kill) || stop_requested ())) {
      aborted = true;
      eth_assoc_abort (ec->a, NVME_ETH_ERR_SHUTDOWN, ECONNABORTED,
                       atomic_load (&stopping) ? "the target is shutting down" :
                                                 "its controller is closing");
      break;
    }
    /* The Connect is due within --connect-timeout of the host's
     * confirmation of the association. */
    if (ec->established && !c->info.connected && cfg.connect_timeout) {
      if (connect_by == 0)
        connect_by = x.now + (uint64_t) cfg.connect_timeout * 1000000;
      else if (x.now >= connect_by) {
        log_msg ("%s: no Connect within %" PRIu32
                 " s of the association: ended",
                 c->info.peer, cfg.connect_timeout);
        eth_assoc_abort (ec->a, NVME_ETH_ERR_TIMEOUT, ETIMEDOUT,
                         "no Connect in time");
        break;
      }
    }
    if (atomic_exchange (&ec->again, false))
      eth_assoc_input (ec->a, ec->peer, ec->req, sizeof ec->req, x.now);
    if (atomic_exchange (&c->wake, false)) {
      struct req *r;
      while ((r = ctrl_aen_take (c)) != NULL)
        complete (ec, r);
    }
    n = eth_sock_rx (ec->sock, rx_frame, &x, RX_BATCH);
    if (n < 0) {
      eth_assoc_abort (ec->a, NVME_ETH_ERR_SHUTDOWN, EIO, "the socket failed");
      break;
    }
    next = eth_assoc_poll (ec->a, x.now);
    if (n > 0 || eth_assoc_tx_pending (ec->a)) {
      last_work = x.now;
      eth_conn_publish (ec);
      continue;
    }
    if (ec->closed)
      break;
    eth_conn_publish (ec);
    if (connect_by && !c->info.connected && connect_by < next)
      next = connect_by;
    idle (ec, next, &last_work);
  }
  eth_conn_publish (ec);

  eth_conn_end (ec);
  return NULL;
}

/* ---- creation ------------------------------------------------------------ */

/* A random association id, not 0 and not one of the port's. */
static uint32_t
new_id (const struct eth_port *ep)
{
  const struct eth_conn *o;
  uint32_t id;

again:
  id = 0;
  while (id == 0)
    if (getrandom (&id, sizeof id, 0) != (ssize_t) sizeof id)
      id = (uint32_t) rand () ^ (uint32_t) now_us ();
  for (o = ep->conns; o; o = o->next)
    if (o->local_id == id)
      goto again;
  return id;
}

static void
free_half (struct eth_conn *ec, struct conn *c)
{
  if (ec) {
    if (ec->a)
      eth_assoc_free (ec->a);
    eth_sock_close (ec->sock);
    if (ec->wake_fd >= 0)
      close (ec->wake_fd);
    pthread_mutex_destroy (&ec->stats_lock);
    free (ec);
  }
  if (c)
    conn_free (c);
}

static int
start_thread (struct eth_conn *ec)
{
  pthread_attr_t attr;
  pthread_t t;
  int e;

  pthread_attr_init (&attr);
  pthread_attr_setdetachstate (&attr, PTHREAD_CREATE_DETACHED);
  e = pthread_create (&t, &attr, eth_conn_thread, ec);
  pthread_attr_destroy (&attr);
  return e;
}

struct eth_conn *
eth_conn_open (struct eth_port *ep, const uint8_t src[6],
               const struct eth_frame *req, uint16_t *refusal)
{
  const struct nvme_eth_assoc_req *q = (const void *) req->buf;
  struct tgt_port *port = ep->port;
  unsigned mtu = eth_sock_mtu (ep->sock), depth = GET16 (q->queue_depth), i;
  unsigned window = req->qid == 0 ? ETH_ADMIN_WINDOW : ETH_IO_WINDOW;
  struct eth_sock_config sc = { .ifname = port->traddr,
                                .ethertype = port->ethertype };
  /* Every option the host asks for is granted (spec 7.4). */
  struct eth_config ac = { .role = ETH_ROLE_CTRL, .options = NVME_ETH_OPT_ALL };
  struct eth_conn *ec;
  struct conn *c;
  char err[512];
  int e;

  *refusal = NVME_ETH_ERR_RESOURCES;
  if (depth > TGT_MQES + 1)
    depth = TGT_MQES + 1;
  /* The engine keeps an in-capsule buffer per command: at most
   * ICD_BUDGET bytes of them per association. */
  if (req->qid != 0 && port->inline_data_size > 0 &&
      depth > ICD_BUDGET / port->inline_data_size)
    depth = ICD_BUDGET / port->inline_data_size;
  ec = calloc (1, sizeof *ec);
  c = calloc (1, sizeof *c);
  if (!ec || !c) {
    free (ec);
    free (c);
    return NULL;
  }
  ec->wake_fd = -1;
  pthread_mutex_init (&ec->stats_lock, NULL);
  ec->c = c;
  ec->ep = ep;
  ec->qid = req->qid;
  ec->host_id = req->src_assoc;
  ec->local_id = new_id (ep);
  memcpy (ec->peer, src, 6);
  memcpy (ec->req, req->buf, sizeof ec->req);
  c->fd = -1;
  atomic_init (&c->wake_fd, -1);
  c->eth = ec;
  c->info.port = port;
  snprintf (c->info.peer, sizeof c->info.peer,
            "%.15s/%02x:%02x:%02x:%02x:%02x:%02x/q%u", port->traddr, src[0],
            src[1], src[2], src[3], src[4], src[5], req->qid);

  /* The ring holds twice the window, at the MTU (docs/nvme-eth.md, 9). */
  sc.dst_assoc = ec->local_id;
  sc.ring_bytes = 2 * window * (mtu + 14 + 128);
  ec->sock = eth_sock_open (&sc, err, sizeof err);
  if (!ec->sock) {
    log_msg ("%s: %s", c->info.peer, err);
    goto fail;
  }
  if (window > eth_sock_rx_frames (ec->sock) / 2)
    window = eth_sock_rx_frames (ec->sock) / 2;
  ac.qid = req->qid;
  ac.queue_depth = depth;
  ac.max_frame = mtu;
  ac.rx_window = window;
  ac.tx_window = req->qid == 0 ? 64 : NVME_ETH_MAX_WINDOW;
  /* The host's window (static: docs/nvme-eth.md, 9) bounds what is in
   * flight: a send ring (a slot per frame in flight) beyond it is unused. */
  if (ac.tx_window > GET16 (q->rx_window))
    ac.tx_window = GET16 (q->rx_window);
  ac.icd_max = req->qid == 0 ? TGT_ADMIN_ICD : port->inline_data_size;
  ac.ka_interval_ms = ETH_KA_MS;
  ac.local_id = ec->local_id;
  memcpy (ac.peer_mac, src, 6);
  ac.cb = &callbacks;
  ac.ctx = ec;
  ec->a = eth_assoc_new (&ac, err, sizeof err);
  if (!ec->a) {
    log_msg ("%s: %s", c->info.peer, err);
    goto fail;
  }
  /* Requests by CID, all allocated now. */
  if (conn_grow_reqs (c, depth) == -1)
    goto fail;
  for (i = 0; i < depth; i++) {
    c->reqs[i] = calloc (1, sizeof *c->reqs[i]);
    if (!c->reqs[i])
      goto fail;
    c->reqs[i]->idx = i;
    c->nr_reqs++;
  }
  ec->wake_fd = eventfd (0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (ec->wake_fd == -1)
    goto fail;
  if (eth_assoc_accept (ec->a, src, req, now_us ()) == -1)
    goto fail;

  e = ep->manual ? 0 : start_thread (ec);
  if (e) {
    log_msg ("pthread_create: %s", strerror (e));
    eth_assoc_abort (ec->a, NVME_ETH_ERR_RESOURCES, EAGAIN, "no thread");
    *refusal = 0; /* the TERM told the host */
    goto fail;
  }
  {
    const struct eth_params *p = eth_assoc_params (ec->a);
    log_verbose ("%s: association %08" PRIx32 " (host's %08" PRIx32
                 "): depth %u, max frame %u, window %u/%u, keep-alive %" PRIu32
                 " ms, in-capsule %" PRIu32,
                 c->info.peer, ec->local_id, ec->host_id, p->queue_depth,
                 p->max_frame, window, p->peer_window, p->ka_interval_ms,
                 p->icd_max);
  }
  *refusal = 0;
  return ec;

fail:
  free_half (ec, c);
  return NULL;
}

void
eth_conn_again (struct eth_conn *ec, const void *frame, size_t len)
{
  uint64_t one = 1;

  (void) frame;
  (void) len;
  atomic_store (&ec->again, true);
  if (write (ec->wake_fd, &one, sizeof one) == -1) {
    /* The counter is full: the thread is awake anyway. */
  }
}

void
eth_conn_wake (struct conn *c)
{
  struct eth_conn *ec = c->eth;
  uint64_t one = 1;

  atomic_store (&c->wake, true);
  if (write (ec->wake_fd, &one, sizeof one) == -1) {
    /* The counter is full: the thread is awake anyway. */
  }
}

void
eth_conn_kill (struct conn *c)
{
  struct eth_conn *ec = c->eth;
  uint64_t one = 1;

  atomic_store (&ec->kill, true);
  if (write (ec->wake_fd, &one, sizeof one) == -1) {
    /* The counter is full: the thread is awake anyway. */
  }
}
