/* SPDX-License-Identifier: BSD-3-Clause */
/* NVMe/Ethernet: reading a queue's ring and driving its engine (eth.h says
 * who does what).  A round hands up to ETH_RX_BATCH frames from the ring
 * (in place, no copy) to eth_assoc_input, which validates each and places
 * data straight into the command's buffer, then runs eth_assoc_poll:
 * acknowledgements, retransmissions, and what the window let out.
 *
 * nvmeof_ctrl_process (eth_progress) reads for asynchronous requests;
 * when the last frame it read was C2H data, it looks at the ring for the
 * next one for up to NVMEOF_SPIN_US per call before it returns.
 *
 * The waiting callers (leader/follower, as for TCP) read an I/O queue's
 * ring; the queue's thread sleeps until the engine's next deadline and
 * runs its timers, reading the ring first when no leader does, so that
 * retransmission, keep-alive and the dead-peer check happen on time even
 * when nobody waits.  The admin queue's thread reads everything. */
#include <config.h>

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "eth.h"
#include "errors.h"

/* When a leader holds the ring and the thread's timer is due, the thread
 * runs the timers without the ring and looks again this much later. */
#define ETH_BUSY_RETRY_US 1000

/* The engine's next deadline is next: the queue's thread must wake by
 * then.  Under alock. */
static void
set_next_timer (struct eth_queue *eq, uint64_t next)
{
  /* Sequentially consistent against the thread's store of thread_sleep
   * and load of next_timer: either it sees this deadline before it
   * sleeps, or we see it asleep past the deadline and wake it. */
  atomic_store (&eq->next_timer, next);
  if (next < atomic_load (&eq->thread_sleep))
    eth_kick (eq->tefd);
}

void
eth_poll_locked (struct eth_queue *eq, uint64_t now)
{
  atomic_store (&eq->tx_queued, 0);
  /* (poll_due is also read without alock: eth_flush.) */
  __atomic_store_n (&eq->poll_due, false, __ATOMIC_RELAXED);
  eq->ack_now = false;
  eq->rx_unacked = 0;
  set_next_timer (eq, eth_assoc_poll (eq->a, now));
}

void
eth_acks_due (struct eth_queue *eq, uint64_t now)
{
  struct nvmeof_queue *q = &eq->q;

  if (!eq->poll_due || eq->a == NULL || atomic_load (&eq->ended))
    return;
  /* With commands outstanding, their frames bring a reader back soon,
   * which acknowledges then (or a command's frame carries it): no frame
   * and no wake-up now.  (If the peer has nothing more to send for a
   * while, it asks again with F_ACK_REQ after its timeout.)  Else, or
   * enough waited: now. */
  if (eq->ack_now || eq->rx_unacked >= ETH_ACK_EVERY || now >= eq->ack_by ||
      __atomic_load_n (&q->nr_free, __ATOMIC_RELAXED) == q->depth)
    eth_poll_locked (eq, now);
}

static void
on_frame (void *ctx, const uint8_t src[6], const uint8_t *frame, size_t len)
{
  struct eth_queue *eq = ctx;
  const size_t h = sizeof (struct nvme_eth_hdr);
  size_t off = 0;

  /* (The engine checks everything; this only decides when to poll.)
   * Each frame of a pack (spec 4.1), as its length fields say. */
  for (;;) {
    const uint8_t *p = frame + off;
    size_t left = len - off, flen;

    if (left > 2 && (p[2] & NVME_ETH_F_ACK_REQ))
      eq->ack_now = true;
    eq->more_c2h = left > 1 && p[1] == NVME_ETH_C2H_DATA;
    flen = left >= 6 ? get_le16 (p + 4) : 0;
    if (flen < h || left < 2 * h || flen > left - h)
      break;
    off += flen;
  }
  eth_assoc_input (eq->a, src, frame, len, eq->rx_now);
}

int
eth_round (struct eth_queue *eq, bool defer_ack)
{
  uint64_t now;
  int n;

  pthread_mutex_lock (&eq->alock);
  if (eq->a == NULL || atomic_load (&eq->ended)) {
    pthread_mutex_unlock (&eq->alock);
    return -1;
  }
  now = eth_now_us ();
  eq->rx_now = now;
  n = eth_sock_rx (eq->sock, on_frame, eq, ETH_RX_BATCH);
  if (n < 0) {
    char msg[160];

    msgf (msg, sizeof msg, "receive on %s: %s", eq->q.ctrl->opts.host_iface,
          strerror (errno));
    eth_assoc_abort (eq->a, NVME_ETH_ERR_SHUTDOWN, EIO, msg);
    n = 0;
  }
  if (n > 0) {
    if (!eq->poll_due) {
      __atomic_store_n (&eq->poll_due, true, __ATOMIC_RELAXED);
      eq->ack_by = now + ETH_ACK_DELAY_US;
    }
    eq->rx_unacked += (unsigned) n;
  }
  if (atomic_load (&eq->tx_queued) > 0 ||
      now >= atomic_load (&eq->next_timer) || atomic_load (&eq->ended) ||
      eq->ack_now ||
      (eq->poll_due &&
       (!defer_ack || now >= eq->ack_by || eq->rx_unacked >= ETH_ACK_EVERY)))
    eth_poll_locked (eq, now);
  pthread_mutex_unlock (&eq->alock);
  return atomic_load (&eq->ended) ? -1 : n;
}

/* nvmeof_close: end the association in order (TERM with reason 0, which
 * the controller confirms), within ETH_CLOSE_US.  Under rx_lock. */
static void
close_in_order (struct eth_queue *eq)
{
  uint64_t end = eth_now_us () + ETH_CLOSE_US;
  bool go;

  pthread_mutex_lock (&eq->alock);
  go = eq->a && eq->established && !atomic_load (&eq->ended);
  if (go) {
    eth_assoc_close (eq->a, eth_now_us ());
    eth_poll_locked (eq, eth_now_us ());
  }
  pthread_mutex_unlock (&eq->alock);
  while (go && eth_round (eq, false) >= 0) {
    uint64_t now = eth_now_us (), until = atomic_load (&eq->next_timer);
    struct pollfd pfd = { .fd = eth_sock_fd (eq->sock), .events = POLLIN };
    struct timespec ts;

    if (now >= end)
      break;
    if (until > end)
      until = end;
    ts.tv_sec = 0;
    ts.tv_nsec = until > now ? (long) (until - now) * 1000 : 0;
    if (ppoll (&pfd, 1, &ts, NULL) < 0 && errno != EINTR)
      break;
  }
}

void
eth_fail (struct eth_queue *eq)
{
  struct nvmeof_queue *q = &eq->q;
  struct nvmeof_ctrl *ctrl = q->ctrl;
  char msg[sizeof eq->end_msg];
  bool stopped = atomic_load (&eq->stopping);

  if (eq->rx_failed)
    return;
  eq->rx_failed = true;
  if (atomic_load (&ctrl->closing))
    close_in_order (eq);
  /* First the engine lets go of every buffer (and says TERM), then the
   * commands fail: no frame is placed into a buffer given back. */
  pthread_mutex_lock (&eq->alock);
  if (eq->a && !atomic_load (&eq->ended)) {
    eth_assoc_abort (eq->a, NVME_ETH_ERR_SHUTDOWN, ECANCELED,
                     "the queue was stopped");
    eth_poll_locked (eq, eth_now_us ());
  }
  msgf (msg, sizeof msg, "%s",
        eq->end_msg[0] ? eq->end_msg : "the association ended");
  pthread_mutex_unlock (&eq->alock);
  if (!stopped)
    ctrl_fail (ctrl, EIO, "connection to %s lost: queue %u: %s", ctrl->addr,
               q->qid, msg);
  if (!eq->threaded_rx && eq->sock)
    aio_watch (ctrl, eth_sock_fd (eq->sock), false);
  queue_lock (q);
  queue_fail_all (q, EIO);
  queue_unlock (q);
}

/* Acknowledgements wait: send them, or have the thread send them soon. */
static void
flush_acks (struct eth_queue *eq)
{
  pthread_mutex_lock (&eq->alock);
  eth_acks_due (eq, eth_now_us ());
  pthread_mutex_unlock (&eq->alock);
}

static bool
must_fail (struct eth_queue *eq)
{
  return atomic_load (&eq->stopping) || atomic_load (&eq->ended);
}

/* Sleep until a frame, the end or a stop, or timeout_ms. */
static void
wait_ring (struct eth_queue *eq, int timeout_ms)
{
  struct pollfd pfd[2] = {
    { .fd = eth_sock_fd (eq->sock), .events = POLLIN },
    { .fd = eq->efd, .events = POLLIN },
  };

  if (poll (pfd, 2, timeout_ms) < 0 && errno != EINTR) {
    /* Only EINVAL/ENOMEM: look again (bounded by the caller's loop). */
  }
}

void
eth_wait (struct nvmeof_queue *q, queue_done_fn done, void *arg)
{
  struct eth_queue *eq = to_eth (q);
  uint64_t spin = queue_spin_ns (), spin_end = 0;

  pthread_mutex_lock (&eq->rx_lock);
  while (!eq->rx_failed && !done (q, arg)) {
    int n;

    if (must_fail (eq)) {
      eth_fail (eq);
      break;
    }
    n = eth_round (eq, true);
    if (n < 0) {
      eth_fail (eq);
      break;
    }
    if (n > 0) {
      spin_end = 0;
      continue;
    }
    if (done (q, arg))
      break;
    /* Nothing yet: look again after letting this CPU's other threads
     * run, for a while before sleeping (see queue_spin_ns). */
    if (spin) {
      uint64_t now = now_ns ();

      if (spin_end == 0)
        spin_end = now + spin;
      if (now < spin_end) {
        sched_yield ();
        continue;
      }
    }
    /* Acknowledge what came before sleeping. */
    flush_acks (eq);
    /* (Bounded: the end or a stop writes efd.) */
    wait_ring (eq, 1000);
    spin_end = 0;
  }
  /* Complete what else has arrived before handing the ring on: a thread
   * woken to lead would find it waiting. */
  while (!eq->rx_failed && eth_round (eq, true) == ETH_RX_BATCH)
    ;
  /* Acks still wait: a follower taking over sends them with its next
   * round, else they go soon (our caller may submit nothing). */
  if (atomic_load (&q->nr_waiters) == 0)
    flush_acks (eq);
  pthread_mutex_unlock (&eq->rx_lock);
}

bool
eth_progress (struct nvmeof_queue *q, size_t budget)
{
  struct eth_queue *eq = to_eth (q);

  if (pthread_mutex_trylock (&eq->rx_lock) == 0) {
    uint64_t spin = queue_spin_ns () / 1000, end = 0;
    int n;

    /* nvmeof_ctrl_process flushes every queue at its end: the acks go
     * with the commands its callbacks submit. */
    for (;;) {
      while ((n = eth_round (eq, true)) == ETH_RX_BATCH)
        ;
      /* A transfer's data is coming in: its next frame follows within
       * microseconds.  Look for it, rather than let the caller sleep and
       * be woken for each frame (the wake-up, which the sender pays,
       * costs more than the wait).  Bounded per call, so that the
       * completions' callbacks run. */
      if (n < 0 || !eq->more_c2h || spin == 0)
        break;
      if (end == 0)
        end = eth_now_us () + spin;
      while (eth_sock_wait (eq->sock, 0) == 0 && eth_now_us () < end)
        ;
      if (eth_now_us () >= end)
        break;
    }
    if (n < 0 || must_fail (eq))
      eth_fail (eq);
    pthread_mutex_unlock (&eq->rx_lock);
  }
  /* (Not the acks: nvmeof_ctrl_process flushes after its callbacks.) */
  if (atomic_load (&eq->tx_queued) > 0)
    q->ops->flush (q, false);
  (void) budget;
  return false;
}

/* Sleep until the engine's deadline (or a kick, the end, a stop; the
 * admin queue: or a frame). */
static void
thread_sleep (struct eth_queue *eq, bool busy)
{
  struct pollfd pfd[3] = {
    { .fd = eq->tefd, .events = POLLIN },
    { .fd = eq->efd, .events = POLLIN },
    { .fd = eq->threaded_rx ? eth_sock_fd (eq->sock) : -1, .events = POLLIN },
  };
  uint64_t now = eth_now_us ();
  uint64_t until = atomic_load (&eq->next_timer);
  struct timespec ts, *tsp = NULL;

  if (busy && until < now + ETH_BUSY_RETRY_US)
    until = now + ETH_BUSY_RETRY_US;
  atomic_store (&eq->thread_sleep, until);
  /* A deadline moved earlier since we read it: we were not kicked. */
  if (atomic_load (&eq->next_timer) < until && !busy) {
    atomic_store (&eq->thread_sleep, ETH_AWAKE);
    return;
  }
  if (until != UINT64_MAX) {
    uint64_t d = until > now ? until - now : 0;

    ts.tv_sec = (time_t) (d / 1000000);
    ts.tv_nsec = (long) (d % 1000000) * 1000;
    tsp = &ts;
  }
  if (ppoll (pfd, 3, tsp, NULL) < 0 && errno != EINTR) {
    /* Only EINVAL/ENOMEM: look again. */
  }
  atomic_store (&eq->thread_sleep, ETH_AWAKE);
  if (pfd[0].revents & POLLIN) {
    uint64_t v;

    if (read (eq->tefd, &v, sizeof v) < 0) {
      /* EAGAIN: drained already. */
    }
  }
}

void *
eth_thread (void *arg)
{
  struct eth_queue *eq = arg;
  bool busy = false;

  while (!must_fail (eq)) {
    thread_sleep (eq, busy);
    if (must_fail (eq))
      break;
    busy = false;
    if (eq->threaded_rx)
      pthread_mutex_lock (&eq->rx_lock);
    else if (pthread_mutex_trylock (&eq->rx_lock) != 0) {
      /* A leader reads the ring: run the timers without it, unless frames
       * wait there (acknowledgements, perhaps), which it reads first. */
      struct pollfd pfd = { .fd = eth_sock_fd (eq->sock), .events = POLLIN };

      if (poll (&pfd, 1, 0) <= 0) {
        pthread_mutex_lock (&eq->alock);
        if (eq->a && eth_now_us () >= atomic_load (&eq->next_timer))
          eth_poll_locked (eq, eth_now_us ());
        pthread_mutex_unlock (&eq->alock);
      }
      busy = true;
      continue;
    }
    while (eth_round (eq, false) == ETH_RX_BATCH)
      ;
    pthread_mutex_unlock (&eq->rx_lock);
  }
  pthread_mutex_lock (&eq->rx_lock);
  eth_fail (eq);
  pthread_mutex_unlock (&eq->rx_lock);
  return NULL;
}
