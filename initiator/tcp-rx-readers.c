/* SPDX-License-Identifier: BSD-3-Clause */
/* NVMe/TCP receive side, who reads the connection and when.  The PDU
 * state machine itself (tcp_rx_once) is tcp-rx-machine.c; this file
 * decides which thread runs it.  The whole protocol is written down here,
 * in one place (queue-wait.c implements the waiting half).
 *
 * Who reads.  Exactly one thread at a time runs the state machine of a
 * queue: the holder of tq->rx_lock ("the receiver").  It may be
 *   - a waiting caller, the LEADER (tcp_wait): queue_wait makes the first
 *     thread that must wait on an I/O queue, when no other leads
 *     (q->rx_leader false), the leader: it sets rx_leader, lets go of
 *     q->lock and reads until its own batch (or free CID) is done;
 *   - nvmeof_ctrl_process (tcp_progress), for asynchronous commands: only
 *     if rx_lock is free (trylock), never waiting for it;
 *   - a sender waiting for room in the socket (tcp_wait_room, tcp-send.c):
 *     also only by trylock, so that a peer that will not read before we
 *     read does not deadlock us;
 *   - the queue's own thread (tcp_rx_thread): the admin queue's reads
 *     everything (Keep Alive completes with nobody waiting); an I/O
 *     queue's sleeps in poll for POLLRDHUP only (data does not wake it)
 *     and reads only when the connection has ended, to fail what is
 *     outstanding and report why (a C2HTermReq) even when nobody waits.
 *
 * Leader and followers.  Other threads that wait on the queue meanwhile
 * are FOLLOWERS: each links a struct queue_waiter (on its stack) into
 * q->waiters and waits for its word to change.  The receiver completes
 * requests under q->lock; a completion bumps the word of the batch's
 * waiter (waiter_wake).  When the leader's own wait is over it reads
 * until nothing more is buffered (so that a thread woken to lead does not
 * find completions waiting), clears rx_leader under q->lock and wakes one
 * follower whose wait is not over (promote_follower); that follower loops
 * in queue_wait, finds no leader and becomes it.  So at any time a live
 * queue with waiters has a leader or a follower about to become one, and
 * a completion wakes only the thread it concerns.  A dead queue (its
 * connection failed, commands held for the reconnect) has no leader:
 * there is nothing to read until queue_resume, which wakes every waiter,
 * and the first to look becomes the leader of the new connection.
 *
 * The futex.  A follower first polls its word for up to NVMEOF_SPIN_US
 * (sched_yield between looks), then stores sleeping = 1 and, if the word
 * is still what it saw, calls FUTEX_WAIT on it.  The waker bumps the word
 * and then loads sleeping, both sequentially consistent: either the
 * waiter sees the new word and does not sleep, or the waker sees it
 * sleeping and calls FUTEX_WAKE.  A wake noted under q->lock is done after
 * queue_unlock (the woken thread must not run only to block on the lock
 * its waker holds), so a wake may reach a waiter that has returned: wakes
 * carry no data, and every waiter looks at done() again after any return.
 * The leader's own wait is bounded by poll (1 s at a time): a stopped
 * queue's socket is shut down and its eventfd kicked, which wakes it.
 *
 * Lock order (a lock is taken only while holding those before it):
 *   tq->rx_lock -> tq->send_lock -> q->lock
 *   ctrl->timer_lock -> q->lock (the timeout scan)
 *   ctrl->timer_lock -> ctrl->fail_lock -> tq->fd_lock
 *   ctrl->rc_lock -> ctrl->fail_lock
 * and the receiver or a sender may call ctrl_fail (fail_lock, then
 * rc_lock after fail_lock is let go) holding rx_lock or send_lock, never
 * q->lock.  q->lock is held by nobody who then takes rx_lock or send_lock:
 * queue_wait lets go of it before tcp_wait.  The one take against the
 * order, rx_lock by a thread that holds send_lock (tcp_wait_room), is a
 * trylock.  fd_lock is a leaf (shutdown against reconnect).  A thread
 * that holds send_lock and receives (tcp_wait_room -> tcp_rx_once ->
 * rx_fail) does not take it again (tcp_send_lock knows its holder). */
#include <config.h>

#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tcp.h"
#include "errors.h"

/* Did the last recv leave the socket (probably) empty, with nothing left
 * to feed (nor in TLS)?  Then asking again would most likely cost a
 * system call for EAGAIN. */
static bool
rx_drained (struct tcp_queue *tq)
{
  return tq->rx_short && tq->rx_start >= tq->rx_end && !tcp_rx_pending (tq);
}

static void
drain_efd (struct tcp_queue *tq)
{
  uint64_t v;

  if (read (tq->efd, &v, sizeof v) < 0) {
    /* EAGAIN: someone else drained it. */
  }
}

/* Send what waits, without waiting for room.  -1 if the queue failed. */
static int
rx_send_pending (struct tcp_queue *tq)
{
  char why[128];

  if (atomic_load (&tq->tx_pending) == 0 && !atomic_load (&tq->tx_stalled))
    return 0;
  if (tcp_try_send (tq, why, sizeof why) < 0) {
    if (tcp_send_peer_closed (tq))
      return 0; /* read on: the reason or the end follows */
    tcp_rx_failf (tq, "%s", why);
    return -1;
  }
  return 0;
}

bool
tcp_send_peer_closed (const struct tcp_queue *tq)
{
  return tq->tx_err == EPIPE || tq->tx_err == ECONNRESET;
}

void
tcp_read_peer_reason (struct tcp_queue *tq)
{
  unsigned i;

  if (pthread_mutex_trylock (&tq->rx_lock) != 0) {
    /* Another thread reads the connection: it comes to the reason or to
     * the end of the stream at once.  Give it a moment (bounded). */
    for (i = 0; i < 100 && !atomic_load (&tq->q.ctrl->failed); i++)
      usleep (1000);
    return;
  }
  /* Bounded: the peer closed, so the stream ends. */
  while (!tq->rx_failed && tcp_rx_once (tq) > 0)
    ;
  pthread_mutex_unlock (&tq->rx_lock);
}

/* Wait for input, a kick, or room to send.  -1 on poll failure. */
static int
rx_poll (struct tcp_queue *tq, int timeout)
{
  struct pollfd pfd[2] = {
    { .fd = tq->fd,
      .events = POLLIN | (atomic_load (&tq->tx_stalled) ? POLLOUT : 0) },
    { .fd = tq->efd, .events = POLLIN },
  };
  int r = poll (pfd, 2, tcp_rx_pending (tq) ? 0 : timeout);

  if (r < 0 && errno != EINTR) {
    tcp_rx_failf (tq, "poll: %s", strerror (errno));
    return -1;
  }
  if (r > 0 && (pfd[1].revents & POLLIN))
    drain_efd (tq);
  return 0;
}

void
tcp_wait (struct nvmeof_queue *q, queue_done_fn done, void *arg)
{
  struct tcp_queue *tq = to_tcp (q);
  uint64_t spin = queue_spin_ns (), spin_end = 0;

  pthread_mutex_lock (&tq->rx_lock);
  while (!done (q, arg) && !tq->rx_failed) {
    int r = tcp_rx_once (tq);

    if (r > 0) {
      spin_end = 0;
      if (!rx_drained (tq))
        continue;
    }
    if (r < 0 || rx_send_pending (tq) < 0)
      break;
    if (done (q, arg))
      break;
    /* Nothing yet: read again after letting this CPU's other runnable
     * threads run (nbdkit's, reading the next requests), for a while
     * before sleeping: sleeping and being woken costs more than the
     * round trip to a fast target (see queue_spin_ns). */
    if (spin) {
      uint64_t now = now_ns ();

      if (spin_end == 0)
        spin_end = now + spin;
      if (now < spin_end) {
        sched_yield ();
        continue;
      }
    }
    /* (Bounded: a stopped queue's socket is shut down, which wakes us.) */
    if (rx_poll (tq, 1000) < 0)
      break;
    spin_end = 0;
  }
  /* Complete what else has arrived before handing the queue on: a thread
   * woken to lead would find it waiting. */
  while (!rx_drained (tq) && tcp_rx_once (tq) > 0)
    ;
  pthread_mutex_unlock (&tq->rx_lock);
}

bool
tcp_progress (struct nvmeof_queue *q, size_t budget)
{
  struct tcp_queue *tq = to_tcp (q);
  bool more = false;

  if (pthread_mutex_trylock (&tq->rx_lock) == 0) {
    uint64_t start = tq->rx_bytes;

    /* (Not after a large payload: those stream already, and stopping
     * would only cut the target's sends smaller; see aio.c.) */
    while (tcp_rx_once (tq) > 0 && !rx_drained (tq))
      if (budget && !tq->rx_large && tq->rx_bytes - start >= budget) {
        more = true;
        break;
      }
    pthread_mutex_unlock (&tq->rx_lock);
  }
  if (atomic_load (&tq->tx_pending) > 0 || atomic_load (&tq->tx_stalled))
    tcp_flush (q, false);
  return more;
}

/* The admin queue's thread: receive everything. */
static void
rx_all (struct tcp_queue *tq)
{
  while (!atomic_load (&tq->stopping)) {
    int r = tcp_rx_once (tq);

    if (r < 0)
      return;
    if (r > 0)
      continue;
    if (rx_send_pending (tq) < 0)
      return;
    /* A capsule queued while a sender let go is sent by the sender; look
     * again soon anyway while some wait. */
    if (rx_poll (tq, atomic_load (&tq->tx_pending) > 0 ? 50 : -1) < 0)
      return;
    if (rx_send_pending (tq) < 0)
      return;
  }
}

/* An I/O queue's thread: sleep until the connection ends (data does not
 * wake it: POLLRDHUP only) or a kick says stop. */
static void
watch (struct tcp_queue *tq)
{
  while (!atomic_load (&tq->stopping)) {
    struct pollfd pfd[2] = {
      { .fd = tq->fd, .events = POLLRDHUP },
      { .fd = tq->efd, .events = POLLIN },
    };
    int r = poll (pfd, 2, -1);

    if (r < 0 && errno != EINTR)
      return;
    if (r > 0 && (pfd[1].revents & POLLIN))
      drain_efd (tq);
    if (r > 0 && (pfd[0].revents & (POLLRDHUP | POLLHUP | POLLERR | POLLNVAL)))
      return;
  }
}

void *
tcp_rx_thread (void *arg)
{
  struct tcp_queue *tq = arg;

  if (tq->threaded_rx) {
    pthread_mutex_lock (&tq->rx_lock);
    rx_all (tq);
  }
  else {
    watch (tq);
    pthread_mutex_lock (&tq->rx_lock);
    /* Read what is left: a C2HTermReq says why the peer closed.  (Bounded:
     * it closed, so the stream ends.) */
    while (!atomic_load (&tq->stopping) && tcp_rx_once (tq) > 0)
      ;
  }
  if (!tq->rx_failed)
    tcp_rx_failf (tq, "the connection ended");
  pthread_mutex_unlock (&tq->rx_lock);
  return NULL;
}
