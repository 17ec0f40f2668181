/* SPDX-License-Identifier: BSD-3-Clause */
/* The NVMe over raw Ethernet transport (docs/nvme-eth.md): a queue's
 * association (its AF_PACKET socket, filtered on the association's id,
 * and its protocol engine), setting it up within the connect timeout,
 * submitting commands, shutdown, reconnecting (a new association, with a
 * new random id), the engine's callbacks and the ops table.  Reading the
 * ring and the engine's timers are eth-rx.c; eth.h says who does what. */
#include <config.h>

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/socket.h>

#include "eth.h"
#include "errors.h"
#include "lib-thread.h"

void
eth_kick (int fd)
{
  uint64_t one = 1;

  if (write (fd, &one, sizeof one) < 0) {
    /* Only EAGAIN (counter full) is possible: already kicked. */
  }
}

static void
drain (int fd)
{
  uint64_t v;

  if (read (fd, &v, sizeof v) < 0) {
    /* EAGAIN: nothing to drain. */
  }
}

/* ---- The engine's callbacks (under alock) ----------------------------- */

static unsigned
cb_tx (void *ctx, const struct eth_tx_frame *f, unsigned n)
{
  struct eth_queue *eq = ctx;
  int r =
    eth_sock_tx (eq->sock, eq->peer_mac, f, n, eth_assoc_pack_max (eq->a));

  if (r < 0) {
    msgf (eq->tx_err, sizeof eq->tx_err, "send on %s: %s",
          eq->q.ctrl->opts.host_iface, strerror (errno));
    return 0; /* lost: retransmitted, or the association times out */
  }
  return (unsigned) r;
}

static void
cb_established (void *ctx)
{
  struct eth_queue *eq = ctx;

  eq->established = true;
}

static void
cb_closed (void *ctx, int err, const char *msg)
{
  struct eth_queue *eq = ctx;

  eq->end_err = err;
  if (err == 0)
    msgf (eq->end_msg, sizeof eq->end_msg, "%s", msg);
  else if (err == ETIMEDOUT && eq->tx_err[0])
    msgf (eq->end_msg, sizeof eq->end_msg, "%s (%s)", msg, eq->tx_err);
  else
    msgf (eq->end_msg, sizeof eq->end_msg, "%s", msg);
  atomic_store (&eq->ended, true);
  /* Every sleeper wakes; the holder of rx_lock fails the queue. */
  eth_kick (eq->efd);
  eth_kick (eq->tefd);
}

static void
cb_complete (void *ctx, uint16_t cid, const struct nvme_cqe *cqe)
{
  struct eth_queue *eq = ctx;
  struct nvmeof_queue *q = &eq->q;
  struct nvmeof_req *req;

  queue_lock (q);
  req = req_lookup (q, cid);
  if (req) {
    req->status = nvme_cqe_status (cqe);
    req->result = GET32 (cqe->dw0) | (uint64_t) GET32 (cqe->dw1) << 32;
    req_complete (q, req);
  }
  queue_unlock (q);
}

static const struct eth_callbacks host_callbacks = {
  .tx = cb_tx,
  .established = cb_established,
  .closed = cb_closed,
  .complete = cb_complete,
};

/* ---- Setting up an association ---------------------------------------- */

static uint32_t
random_id (void)
{
  uint32_t v = 0;

  while (v == 0 || v == ETH_SOCK_ANY_ASSOC)
    if (getrandom (&v, sizeof v, 0) != (ssize_t) sizeof v)
      v = (uint32_t) now_ns () ^ (uint32_t) (now_ns () >> 32);
  return v;
}

/* The interface's MTU, to size the ring before the socket exists: the
 * largest frame the link carries.  0 if unknown. */
static unsigned
link_mtu (const char *ifname)
{
  struct ifreq ifr;
  int fd = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  unsigned mtu = 0;

  if (fd < 0)
    return 0;
  memset (&ifr, 0, sizeof ifr);
  snprintf (ifr.ifr_name, sizeof ifr.ifr_name, "%s", ifname);
  if (ioctl (fd, SIOCGIFMTU, &ifr) == 0 && ifr.ifr_mtu > 0)
    mtu = (unsigned) ifr.ifr_mtu;
  close (fd);
  return mtu;
}

/* The association grants this many commands (fewer than asked, or, after
 * a reconnect, not as many as before): hand out only those CIDs.  Nothing
 * is outstanding on the new association, but held commands (queue.c) keep
 * their CIDs: those beyond the new depth fail. */
static void
limit_depth (struct eth_queue *eq, uint16_t granted)
{
  struct nvmeof_queue *q = &eq->q;
  unsigned i, nr = 0;

  if (granted > eq->depth_alloc)
    granted = eq->depth_alloc;
  queue_lock (q);
  for (i = granted; i < q->depth; i++)
    if (q->reqs[i].in_use && q->reqs[i].held) {
      q->reqs[i].held = false;
      q->reqs[i].err = EIO;
      q->reqs[i].path_error = true;
      q->reqs[i].errmsg = "the new association takes fewer commands";
      req_complete (q, &q->reqs[i]);
    }
  q->depth = granted;
  for (i = granted; i-- > 0;)
    if (!q->reqs[i].in_use)
      q->free_cids[nr++] = (uint16_t) i;
  __atomic_store_n (&q->nr_free, nr, __ATOMIC_RELEASE);
  queue_unlock (q);
}

/* Wait for the link (or a stop) during setup: -1 stopped. */
static int
setup_wait (struct eth_queue *eq, uint64_t until_us)
{
  struct pollfd pfd[2] = {
    { .fd = eth_sock_fd (eq->sock), .events = POLLIN },
    { .fd = eq->efd, .events = POLLIN },
  };
  uint64_t now = eth_now_us ();
  int timeout = until_us <= now ? 0 : (int) ((until_us - now + 999) / 1000);

  if (poll (pfd, 2, timeout) < 0 && errno != EINTR)
    return -1;
  return atomic_load (&eq->stopping) ? -1 : 0;
}

/* NVMEOF_ETH_PACK=0: associations ask without the option PACK. */
static bool
env_pack (void)
{
  const char *v = getenv ("NVMEOF_ETH_PACK");

  return !(v && strcmp (v, "0") == 0);
}

/* Open the socket and the engine and set the association up, before the
 * deadline (ms).  Under rx_lock, with no thread running.  0 or -1 with
 * the error set. */
static int
eth_open (struct eth_queue *eq, uint64_t deadline_ms)
{
  struct nvmeof_queue *q = &eq->q;
  struct nvmeof_ctrl *ctrl = q->ctrl;
  uint16_t window = q->qid == 0 ? ETH_ADMIN_WINDOW : ETH_IO_WINDOW;
  unsigned mtu = link_mtu (ctrl->opts.host_iface);
  uint32_t id = random_id ();
  struct eth_sock_config sc = {
    .ifname = ctrl->opts.host_iface,
    .ethertype = ctrl->opts.ethertype,
    .dst_assoc = id,
    .broadcast = false,
  };
  struct eth_config cfg = {
    .role = ETH_ROLE_HOST,
    .qid = q->qid,
    .queue_depth = eq->depth_alloc,
    .rx_window = window,
    .tx_window = window,
    .ka_interval_ms = ETH_KA_INTERVAL_MS,
    /* A read's last data with its response; the CRC over data only with
     * data-digest=on, as NVMe/TCP's DDGST; frames packed (docs/nvme-eth.md
     * 7.4; NVMEOF_ETH_PACK=0 asks without, for comparisons). */
    .options = NVME_ETH_OPT_DATA_RSP |
               (ctrl->opts.data_digest ? 0 : NVME_ETH_OPT_NO_DDGST) |
               (env_pack () ? NVME_ETH_OPT_PACK : 0),
    .local_id = id,
    .cb = &host_callbacks,
    .ctx = eq,
  };
  uint64_t now = now_ms ();
  const struct eth_params *p;
  char err[512];
  int r = -1;

  /* The ring holds the window twice over (a frame takes its MTU, the
   * Ethernet header and the ring's own ~64 bytes). */
  sc.ring_bytes = 2u * window * ((mtu ? mtu : 9000) + 128);
  eq->sock = eth_sock_open (&sc, err, sizeof err);
  if (eq->sock == NULL) {
    set_error (errno ? errno : EIO, "%s", err);
    return -1;
  }
  mtu = eth_sock_mtu (eq->sock);
  if (mtu < NVME_ETH_MIN_FRAME) {
    set_error (EINVAL,
               "connect to %s: the MTU of %s is %u, below the %u bytes "
               "NVMe over Ethernet needs",
               ctrl->addr, ctrl->opts.host_iface, mtu, NVME_ETH_MIN_FRAME);
    return -1;
  }
  cfg.max_frame = mtu > NVME_ETH_MAX_FRAME ? NVME_ETH_MAX_FRAME : mtu;
  /* Never more in flight towards us than half the ring holds. */
  if (eth_sock_rx_frames (eq->sock) / 2 < cfg.rx_window)
    cfg.rx_window = (uint16_t) (eth_sock_rx_frames (eq->sock) / 2);
  if (cfg.rx_window == 0)
    cfg.rx_window = 1;
  memcpy (cfg.peer_mac, eq->peer_mac, sizeof cfg.peer_mac);
  cfg.setup_ms = deadline_ms > now ? (uint32_t) (deadline_ms - now) : 1;

  pthread_mutex_lock (&eq->alock);
  eq->established = false;
  eq->end_err = 0;
  eq->end_msg[0] = eq->tx_err[0] = '\0';
  eq->a = eth_assoc_new (&cfg, err, sizeof err);
  if (eq->a == NULL) {
    pthread_mutex_unlock (&eq->alock);
    set_error (EINVAL, "connect to %s (queue %u): %s", ctrl->addr, q->qid, err);
    return -1;
  }
  eth_assoc_connect (eq->a, eth_now_us ());
  eth_poll_locked (eq, eth_now_us ());
  pthread_mutex_unlock (&eq->alock);

  /* The engine repeats ASSOC_REQ and gives up at setup_ms. */
  for (;;) {
    bool up;

    eth_round (eq, false); /* (-1: ended, seen below) */
    pthread_mutex_lock (&eq->alock);
    up = eq->established;
    pthread_mutex_unlock (&eq->alock);
    if (up) {
      r = 0;
      break;
    }
    if (atomic_load (&eq->ended))
      break;
    if (setup_wait (eq, atomic_load (&eq->next_timer)) < 0) {
      set_error (ECANCELED, "connect to %s (queue %u): stopped", ctrl->addr,
                 q->qid);
      return -1;
    }
  }
  if (r < 0) {
    pthread_mutex_lock (&eq->alock);
    set_error (eq->end_err == ECONNREFUSED ? ECONNREFUSED :
               eq->end_err == ETIMEDOUT    ? ETIMEDOUT :
                                             ECONNRESET,
               "connect to %s (queue %u): %s", ctrl->addr, q->qid,
               eq->end_msg[0] ? eq->end_msg : "the association failed");
    pthread_mutex_unlock (&eq->alock);
    return -1;
  }
  pthread_mutex_lock (&eq->alock);
  p = eth_assoc_params (eq->a);
  if (p->queue_depth < q->depth || eq->depth_alloc != q->depth)
    limit_depth (eq, p->queue_depth);
  q->inline_max = p->icd_max;
  pthread_mutex_unlock (&eq->alock);
  return 0;
}

/* NVMEOF_ETH_STATS=1: the association's counters on stderr when it goes
 * (diagnostics: retransmissions, what was dropped and why). */
static void
print_stats (struct eth_queue *eq)
{
  const char *env = getenv ("NVMEOF_ETH_STATS");
  const struct eth_stats *st;

  if (env == NULL || strcmp (env, "1") != 0)
    return;
  st = eth_assoc_stats (eq->a);
  fprintf (
    stderr,
    "nvmeof: %s queue %u: frames tx %" PRIu64 " rx %" PRIu64 " (%" PRIu64
    " packed after another), retransmitted %" PRIu64 " (fast %" PRIu64
    ", timeouts %" PRIu64 ", spurious %" PRIu64 "), acks %" PRIu64
    ", keep-alives %" PRIu64 "; dropped: malformed %" PRIu64
    ", foreign %" PRIu64 ", duplicate %" PRIu64 ", window %" PRIu64
    ", bad ack %" PRIu64 ", state %" PRIu64 ", ring full %" PRIu64
    "; srtt %" PRIu32 " us, rto %" PRIu32 " us\n",
    eq->q.ctrl->addr, eq->q.qid, st->tx_frames, st->rx_frames, st->rx_packed,
    st->retransmits, st->fast_retransmits, st->timeouts, st->spurious,
    st->acks_sent, st->keepalives_sent, st->drop_malformed, st->drop_foreign,
    st->drop_duplicate, st->drop_window, st->drop_bad_ack, st->drop_state,
    eq->sock ? eth_sock_rx_drops (eq->sock) : 0, st->srtt_us, st->rto_us);
}

/* Free the association (its engine first: it refers to nothing else).
 * With no thread running and nobody inside the engine. */
static void
eth_close_assoc (struct eth_queue *eq)
{
  pthread_mutex_lock (&eq->alock);
  if (eq->a) {
    print_stats (eq);
    eth_assoc_free (eq->a);
  }
  eq->a = NULL;
  if (eq->sock) {
    if (!eq->threaded_rx)
      aio_watch (eq->q.ctrl, eth_sock_fd (eq->sock), false);
    eth_sock_close (eq->sock);
  }
  eq->sock = NULL;
  pthread_mutex_unlock (&eq->alock);
}

/* ---- Ops ---------------------------------------------------------------- */

static void eth_destroy (struct nvmeof_queue *q);

static struct nvmeof_queue *
eth_queue_connect (struct nvmeof_ctrl *ctrl, uint16_t qid, uint16_t size)
{
  struct eth_queue *eq = calloc (1, sizeof *eq);
  uint64_t deadline =
    now_ms () + (uint64_t) ctrl->opts.connect_timeout_s * 1000;
  int r;

  if (eq == NULL) {
    set_error (ENOMEM, "out of memory");
    return NULL;
  }
  eq->efd = eq->tefd = -1;
  pthread_mutex_init (&eq->rx_lock, NULL);
  pthread_mutex_init (&eq->alock, NULL);
  atomic_store (&eq->next_timer, UINT64_MAX);
  if (queue_init (&eq->q, ctrl, &eth_transport_ops, qid, size) < 0) {
    pthread_mutex_destroy (&eq->rx_lock);
    pthread_mutex_destroy (&eq->alock);
    free (eq);
    return NULL;
  }
  eq->depth_alloc = eq->q.depth;
  /* The admin queue's thread receives (Keep Alive has no waiter); an I/O
   * queue is read by the threads waiting on it. */
  eq->threaded_rx = qid == 0;
  eq->q.caller_rx = !eq->threaded_rx;
  if (opts_parse_mac (ctrl->opts.traddr, eq->peer_mac) != 0) {
    set_error (EINVAL, "traddr: '%s' is not a MAC address", ctrl->opts.traddr);
    goto err;
  }
  eq->efd = eventfd (0, EFD_NONBLOCK | EFD_CLOEXEC);
  eq->tefd = eventfd (0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (eq->efd < 0 || eq->tefd < 0) {
    set_error (errno, "queue %u: eventfd: %s", qid, strerror (errno));
    goto err;
  }
  pthread_mutex_lock (&eq->rx_lock);
  r = eth_open (eq, deadline);
  pthread_mutex_unlock (&eq->rx_lock);
  if (r < 0)
    goto err;
  if (!eq->threaded_rx)
    aio_watch (ctrl, eth_sock_fd (eq->sock), true);
  return &eq->q;

err:
  eth_destroy (&eq->q);
  return NULL;
}

static int
eth_queue_start (struct nvmeof_queue *q)
{
  struct eth_queue *eq = to_eth (q);
  char name[16];
  int r;

  r = lib_thread_create (&eq->thread, eth_thread, eq);
  if (r != 0) {
    set_error (r, "queue %u: cannot start its thread: %s", q->qid,
               strerror (r));
    return -1;
  }
  msgf (name, sizeof name, "nvmeof-eth%u", q->qid);
  pthread_setname_np (eq->thread, name);
  eq->thread_started = true;
  return 0;
}

/* Queue req in the engine, unless the queue failed meanwhile (then it was
 * failed with everything, or will be). */
static void
eth_enqueue (struct nvmeof_queue *q, struct nvmeof_req *req)
{
  struct eth_queue *eq = to_eth (q);
  enum eth_dir dir = req->dir == REQ_DIR_C2H ? ETH_DIR_C2H :
                     req->dir == REQ_DIR_H2C ? ETH_DIR_H2C :
                                               ETH_DIR_NONE;
  uint32_t gen = req->gen;
  bool live;
  int r = 0;

  pthread_mutex_lock (&eq->alock);
  queue_lock (q);
  /* On a dead queue (or a failed controller, or an association that
   * ended) req waits for the reconnect, or fails (req_park).  Else the
   * association cannot end before the engine has it (that takes alock),
   * and from now on a failure of the queue sees it. */
  live = !req_must_park (q, req) && eq->a != NULL && !atomic_load (&eq->ended);
  if (live)
    req->owned = false;
  else
    req_park (q, req);
  queue_unlock (q);
  if (live) {
    r =
      eth_host_submit (eq->a, &req->sqe, dir == ETH_DIR_NONE ? NULL : req->buf,
                       dir == ETH_DIR_NONE ? 0 : req->len, dir);
    if (r == 0)
      atomic_fetch_add (&eq->tx_queued, 1);
  }
  pthread_mutex_unlock (&eq->alock);
  if (r < 0 && errno != ENOTCONN) {
    /* A command the engine refuses (not reached: CIDs and lengths are
     * the queue's own): fail it rather than let it time out. */
    queue_lock (q);
    if (req->in_use && req->gen == gen) {
      req->err = EINVAL;
      req->errmsg = "the NVMe/Ethernet engine refused the command";
      req_complete (q, req);
    }
    queue_unlock (q);
  }
  /* ENOTCONN: the association ended; whoever holds rx_lock fails req. */
}

/* Send what is queued.  Lazily: not when a leader receives for other
 * outstanding commands: it polls the engine after its next round. */
static int
eth_flush (struct nvmeof_queue *q, bool lazy)
{
  struct eth_queue *eq = to_eth (q);
  unsigned queued = atomic_load (&eq->tx_queued);

  /* Acks that wait go with the commands, or by themselves (eth-rx.c
   * defers them only where a flush or a leader's round follows).  (Read
   * without the lock: a stale answer costs a poll, or leaves the acks to
   * the round of the leader that made them wait.) */
  if ((queued > 0 || __atomic_load_n (&eq->poll_due, __ATOMIC_RELAXED)) &&
      !(lazy && !eq->threaded_rx &&
        __atomic_load_n (&q->rx_leader, __ATOMIC_ACQUIRE) &&
        q->depth - __atomic_load_n (&q->nr_free, __ATOMIC_RELAXED) >=
          queued + 1)) {
    pthread_mutex_lock (&eq->alock);
    if (eq->a && !atomic_load (&eq->ended) && atomic_load (&eq->tx_queued) > 0)
      eth_poll_locked (eq, eth_now_us ());
    else
      eth_acks_due (eq, eth_now_us ());
    pthread_mutex_unlock (&eq->alock);
  }
  if (atomic_load (&eq->ended)) {
    ctrl_set_failed_error (q->ctrl, NULL);
    return -1;
  }
  return 0;
}

static int
eth_submit (struct nvmeof_queue *q, struct nvmeof_req *req)
{
  eth_enqueue (q, req);
  return eth_flush (q, false);
}

static int
eth_pollfd (struct nvmeof_queue *q)
{
  struct eth_queue *eq = to_eth (q);

  return eq->sock ? eth_sock_fd (eq->sock) : -1;
}

static void
eth_shutdown (struct nvmeof_queue *q)
{
  struct eth_queue *eq = to_eth (q);

  atomic_store (&eq->stopping, true);
  if (eq->efd >= 0)
    eth_kick (eq->efd);
  if (eq->tefd >= 0)
    eth_kick (eq->tefd);
}

/* Stop the thread and fail what is outstanding: the queue is quiet. */
static void
eth_quiesce (struct eth_queue *eq)
{
  eth_shutdown (&eq->q);
  if (eq->thread_started) {
    pthread_join (eq->thread, NULL);
    eq->thread_started = false;
  }
  pthread_mutex_lock (&eq->rx_lock);
  eth_fail (eq);
  pthread_mutex_unlock (&eq->rx_lock);
}

static int
eth_queue_reconnect (struct nvmeof_queue *q)
{
  struct eth_queue *eq = to_eth (q);
  struct nvmeof_ctrl *ctrl = q->ctrl;
  uint64_t deadline =
    now_ms () + (uint64_t) ctrl->opts.connect_timeout_s * 1000;
  int r = -1;

  eth_quiesce (eq);
  pthread_mutex_lock (&eq->rx_lock);
  eth_close_assoc (eq);
  drain (eq->efd);
  drain (eq->tefd);
  atomic_store (&eq->ended, false);
  atomic_store (&eq->tx_queued, 0);
  atomic_store (&eq->next_timer, UINT64_MAX);
  atomic_store (&eq->stopping, false);
  /* (closing is set before the queues are shut down for close.) */
  if (atomic_load (&ctrl->closing))
    set_error (ECANCELED, "queue %u: the controller is being closed", q->qid);
  else
    r = eth_open (eq, deadline);
  if (r == 0)
    eq->rx_failed = false;
  pthread_mutex_unlock (&eq->rx_lock);
  if (r < 0)
    return -1;
  if (!eq->threaded_rx)
    aio_watch (ctrl, eth_sock_fd (eq->sock), true);
  queue_lock (q);
  __atomic_store_n (&q->dead, false, __ATOMIC_RELEASE);
  queue_unlock (q);
  return eth_queue_start (q);
}

static void
eth_destroy (struct nvmeof_queue *q)
{
  struct eth_queue *eq = to_eth (q);

  if (q->reqs)
    eth_quiesce (eq);
  eth_close_assoc (eq);
  if (eq->efd >= 0)
    close (eq->efd);
  if (eq->tefd >= 0)
    close (eq->tefd);
  pthread_mutex_destroy (&eq->rx_lock);
  pthread_mutex_destroy (&eq->alock);
  queue_free (q);
  free (eq);
}

const struct nvmeof_transport_ops eth_transport_ops = {
  .name = "eth",
  .queue_connect = eth_queue_connect,
  .queue_start = eth_queue_start,
  .submit = eth_submit,
  .enqueue = eth_enqueue,
  .flush = eth_flush,
  .wait = eth_wait,
  .progress = eth_progress,
  .pollfd = eth_pollfd,
  .shutdown = eth_shutdown,
  .destroy = eth_destroy,
  .queue_reconnect = eth_queue_reconnect,
  .max_transfer = ETH_MAX_TRANSFER,
};
