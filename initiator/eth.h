/* SPDX-License-Identifier: BSD-3-Clause */
/* The NVMe over raw Ethernet transport's own state, shared by its files:
 *   eth.c      a queue's association (socket, engine, setup), submitting,
 *              shutdown, reconnecting, the ops table and the engine's
 *              callbacks
 *   eth-rx.c   reading the ring and driving the engine: the callers that
 *              receive (leader, nvmeof_ctrl_process), the queue's thread
 *              (the engine's timers), failing the queue
 * The protocol is the engine's (eth-proto.h, docs/nvme-eth.md); the link
 * is eth-sock.h (an AF_PACKET socket per association, filtered in the
 * kernel on the association's id, so each queue reads its own ring).
 *
 * One association per NVMe queue, CID = the request's index.  Received
 * data goes from the ring straight into the caller's buffer (the engine
 * copies it at the offset each frame names) and write data goes out from
 * it; nothing is allocated per I/O.
 *
 * Who does what:
 *   - submitters queue commands in the engine (eth_host_submit) and, at
 *     flush, run eth_assoc_poll, which sends them;
 *   - an I/O queue's ring is read by the threads waiting on it (the
 *     leader, as for TCP) and by nvmeof_ctrl_process; each round hands
 *     the frames to eth_assoc_input and then runs eth_assoc_poll (acks,
 *     what the acks let out);
 *   - the queue's thread runs the engine's timers (retransmission,
 *     keep-alive, dead peer) even when nobody waits: it sleeps until
 *     the engine's next deadline (anyone who moves it earlier kicks
 *     tefd) and then polls the engine, reading the ring first if no
 *     leader does; the admin queue's thread also reads everything (Keep
 *     Alive has no waiter);
 *   - when the association ends (the peer's TERM, silence, a protocol
 *     violation) or the queue is stopped, efd is written and left
 *     readable, every sleeper wakes, and whoever holds rx_lock aborts
 *     the engine (so it no longer touches any buffer) and then fails
 *     every outstanding command.
 *
 * Locks: rx_lock (the right to read the ring) > alock (every call into
 * the engine, which is not thread-safe; its callbacks run under it) >
 * q.lock (taken by the callbacks to complete requests).
 */
#ifndef NVMEOF_ETH_H
#define NVMEOF_ETH_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <pthread.h>

#include "internal.h"
#include "eth-proto.h"
#include "eth-sock.h"

/* Windows in frames: what the receive ring holds for us (twice over, the
 * ring is sized for it) and what we keep in flight. */
#define ETH_IO_WINDOW    512
#define ETH_ADMIN_WINDOW 64
/* Frames received are acknowledged with what we send next (a command's
 * frame), or by themselves once this many wait, or this long after the
 * first of them arrived (µs) when a reader comes by, or at once when no
 * command is outstanding (no frame would bring a reader back). */
#define ETH_ACK_EVERY    32
#define ETH_ACK_DELAY_US 200
/* Frames handed to the engine per round (alock held meanwhile). */
#define ETH_RX_BATCH 64
/* Data bytes of one command: the controller buffers a write's data. */
#define ETH_MAX_TRANSFER (1024 * 1024)
/* An orderly close waits this long for the controller's TERM_ACK (µs). */
#define ETH_CLOSE_US 200000
/* The engine's keep-alive interval (the peer is dead after 4 of them). */
#define ETH_KA_INTERVAL_MS 1000

/* Sleep states of the queue's thread (thread_sleep). */
#define ETH_AWAKE 0

struct eth_queue {
  struct nvmeof_queue q; /* first: container of the generic queue */
  /* The association: changed only by reconnecting, with rx_lock and
   * alock held, while no thread runs. */
  struct eth_sock *sock;
  struct eth_assoc *a;
  uint8_t peer_mac[6];
  uint16_t depth_alloc; /* q.depth as allocated (the engine's slots) */
  int efd;              /* end or stop: left readable once written */
  int tefd;             /* wakes the queue's thread to look at timers */
  pthread_t thread;
  bool thread_started;
  bool threaded_rx; /* the thread reads everything (admin queue) */
  atomic_bool stopping;
  atomic_bool ended; /* the engine called closed () */

  /* The ring, under rx_lock. */
  pthread_mutex_t rx_lock;
  bool rx_failed;  /* the queue failed: everything was failed */
  uint64_t rx_now; /* the time of the current round (for eth_assoc_input) */

  /* The engine, under alock. */
  pthread_mutex_t alock;
  bool established;
  bool poll_due;       /* frames went in since eth_assoc_poll last ran ... */
  unsigned rx_unacked; /* ... this many ... */
  uint64_t ack_by;     /* ... and it must run by then (their acks) */
  bool ack_now;        /* one of them asked for an ack at once (F_ACK_REQ) */
  bool more_c2h; /* the last frame read was C2H data, more of it to come */
  int end_err;
  char end_msg[256];
  char tx_err[128]; /* the last send error, for messages */

  /* Read without locks. */
  atomic_uint tx_queued;         /* commands queued since the last poll */
  _Atomic uint64_t next_timer;   /* the engine's next deadline (µs) */
  _Atomic uint64_t thread_sleep; /* the thread sleeps until this */
};

static inline struct eth_queue *
to_eth (struct nvmeof_queue *q)
{
  return (struct eth_queue *) q;
}

static inline uint64_t
eth_now_us (void)
{
  return now_ns () / 1000;
}

/* eth.c */
void eth_kick (int fd);

/* eth-rx.c */
/* Under alock: eth_assoc_poll, and wake the queue's thread if its next
 * deadline moved earlier than the thread's sleep. */
void eth_poll_locked (struct eth_queue *eq, uint64_t now);
/* Under alock, when acknowledgements wait and nothing else is to be sent:
 * poll if they may wait no longer (see ETH_ACK_EVERY). */
void eth_acks_due (struct eth_queue *eq, uint64_t now);
/* Under rx_lock: read what the ring holds (up to ETH_RX_BATCH frames)
 * into the engine, then poll it if anything is due; with defer_ack, the
 * acknowledgement of what arrived may wait (ETH_ACK_DELAY_US) for the
 * next commands' frames, sent by eth_flush.  The number of frames, or -1
 * when the association ended. */
int eth_round (struct eth_queue *eq, bool defer_ack);
/* Under rx_lock: abort the engine if it still runs, report why (unless
 * stopped) and fail every outstanding command.  Idempotent. */
void eth_fail (struct eth_queue *eq);
void eth_wait (struct nvmeof_queue *q, queue_done_fn done, void *arg);
bool eth_progress (struct nvmeof_queue *q, size_t budget);
void *eth_thread (void *arg);

#endif /* NVMEOF_ETH_H */
