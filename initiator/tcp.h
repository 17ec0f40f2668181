/* SPDX-License-Identifier: BSD-3-Clause */
/* The NVMe/TCP transport's own state, shared by its files:
 *   tcp.c       connection, ICReq/ICResp, the ops table
 *   tcp-send.c  the send path (queued capsules sent in batches, H2CData
 *               answering R2Ts)
 *   tcp-rx-machine.c  the PDU receive state machine (tcp_rx_once)
 *   tcp-rx-readers.c  who reads and when: the callers that receive
 *               (leader, nvmeof_ctrl_process) and the queue's thread
 *   tcp-tls.c   TLS: the handshake after the TCP connect, the send path
 *               through it (tls-session.c does TLS itself)
 * (PDU building and validation are in tcp-pdu.c.)
 *
 * Who reads the connection (the protocol in full, with the lock order:
 * tcp-rx-readers.c).  The admin queue has a receive thread that
 * does it all (Keep Alive is sent with nobody waiting).  An I/O queue is
 * read by the threads that wait for it: the first waiter reads (the
 * leader, queue.c), the others sleep until it completes their commands;
 * nvmeof_ctrl_process reads for asynchronous commands.  The I/O queue's
 * thread only sleeps until the connection ends (POLLRDHUP: data does not
 * wake it), to fail what is outstanding and report why even when nobody
 * waits.  So a completion costs no thread switch beyond waking the thread
 * that waits for it.
 *
 * Every one of them assumes that the socket is readable when there is
 * something to read.  With TLS, decrypted bytes may wait inside the
 * session instead: whoever holds rx_lock reads until rx_drained (which
 * asks tls_pending) before it polls or lets go.
 */
#ifndef NVMEOF_TCP_H
#define NVMEOF_TCP_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <pthread.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "internal.h"
#include "tcp-pdu.h"
#include "tls-session.h"

#define RXBUF_SIZE (64 * 1024)
/* Below this, C2HData payloads are read through the buffer (one recv for
 * many PDUs); above, straight into the caller's buffer. */
#define DIRECT_MIN 4096
/* After a payload this large, read only a few headers' worth ahead, so
 * that the next payload too lands in place rather than in the buffer
 * (a system call costs less than copying more than this). */
#define LARGE_PAYLOAD  (16 * 1024)
#define RX_AHEAD_SMALL 64 /* data digest, CapsuleResp, C2HData header */
/* R2Ts we accept outstanding per command (ICReq MAXR2T + 1). */
#define TCP_MAXR2T       4
#define TCP_MAX_TRANSFER (1024 * 1024)
/* Capsules sent by one sendmsg at most. */
#define TX_BATCH 64
/* A CapsuleCmd header: 72 bytes, digest, padding up to the PDO. */
#define CMD_HDR_MAX (sizeof (struct nvme_tcp_cmd_pdu) + NVME_TCP_MAX_PDO + 8)

enum rx_state {
  RX_CH,    /* common header (8 bytes) */
  RX_PSH,   /* rest of the header + digest, or TermReq */
  RX_PAD,   /* padding up to PDO */
  RX_DATA,  /* C2HData payload into the caller's buffer */
  RX_DDGST, /* data digest */
};

struct tcp_job { /* an R2T to answer */
  uint16_t cid, ttag;
  uint32_t gen;
  uint32_t off, len;
};

struct tcp_cmd_ent { /* a queued capsule: the request at its allocation */
  uint16_t cid;
  uint32_t gen;
};

/* A queued capsule's bytes, per CID: built at submission. */
struct tcp_cmd_slot {
  uint8_t hdr[CMD_HDR_MAX];
  uint32_t hlen;
  uint8_t ddgst[NVME_TCP_DIGEST_LEN];
};

struct tcp_queue {
  struct nvmeof_queue q;   /* first: container of the generic queue */
  int fd;                  /* changed under send_lock and fd_lock */
  pthread_mutex_t fd_lock; /* leaf lock: shutdown against reconnect */
  int efd;                 /* eventfd: wakes the queue's thread */
  /* TLS over fd, or NULL: plain TCP.  Set up with fd; changed only with
   * send_lock and rx_lock held (reconnecting). */
  struct tls_session *tls;
  struct tcp_params p;
  pthread_t rx_thread;
  bool rx_started;
  bool threaded_rx; /* the thread receives everything (admin queue) */
  bool live;        /* initialised: waits for room may receive */
  atomic_bool stopping;

  /* Send side, under send_lock (its holder is "the sender"). */
  pthread_mutex_t send_lock;
  bool tx_dead;
  uint8_t tx_hdr[CMD_HDR_MAX]; /* H2CData, TermReq, ICReq */
  uint8_t tx_ddgst[NVME_TCP_DIGEST_LEN];
  struct iovec tx_iov[3 * TX_BATCH];
  int tx_iovcnt, tx_iovidx;
  size_t tx_left; /* bytes of the current PDUs not yet sent */
  struct nvmeof_req *tx_batch[TX_BATCH]; /* capsules in tx_iov */
  unsigned tx_nbatch;
  bool tx_job_last;  /* the current PDU ends its job */
  bool tx_unflushed; /* TLS took the PDUs: its ciphertext is not all sent */
  bool job_active;
  struct tcp_job job;
  uint32_t job_sent;
  struct nvmeof_req *job_req;

  /* Under q.lock: capsules queued and not yet taken by the sender (a
   * ring), and R2T jobs not yet started (a ring). */
  struct tcp_cmd_slot *slots; /* [depth], by CID */
  struct tcp_cmd_ent *cmdq;
  unsigned cmdq_cap, cmdq_head, cmdq_count;
  struct tcp_job *jobs;
  unsigned jobs_cap, jobs_head, jobs_count;
  atomic_uint tx_pending; /* cmdq_count + jobs_count, read lock-free */
  atomic_bool tx_stalled; /* a receiver's send stopped: socket full */
  int tx_err;             /* errno of the failed write (0: not sendmsg's) */

  /* Receive side, under rx_lock (its holder is "the receiver"). */
  pthread_mutex_t rx_lock;
  bool rx_failed; /* the connection failed: all was failed */
  uint8_t *rxbuf;
  size_t rx_start, rx_end;
  bool rx_short;     /* the last recv got less than asked: likely drained */
  uint64_t rx_bytes; /* received (after TLS), for tcp_progress's budget */
  bool rx_large;     /* the last C2HData payload was large */
  enum rx_state state;
  uint8_t hdr[NVME_TCP_TERM_MAX_PLEN + 8];
  uint32_t hdr_have, hdr_need;
  struct nvmeof_req *rx_req;
  bool r2t_unanswered; /* R2Ts read: answer after the buffer is fed */
  uint8_t *rx_dest;
  uint32_t data_left, pad_left, datal;
  uint8_t data_flags;
  uint32_t crc;
  uint8_t ddgst[NVME_TCP_DIGEST_LEN];
  uint32_t ddgst_have;
};

static inline struct tcp_queue *
to_tcp (struct nvmeof_queue *q)
{
  return (struct tcp_queue *) q;
}

/* The transfer of req as the PDU checks (tcp-pdu.c) see it, in x; NULL
 * for no request. */
_Static_assert ((int) TCP_XFER_C2H == (int) REQ_DIR_C2H &&
                  (int) TCP_XFER_H2C == (int) REQ_DIR_H2C &&
                  (int) TCP_XFER_NONE == (int) REQ_DIR_NONE,
                "tcp_xfer_dir and req_dir agree");
static inline const struct tcp_xfer *
tcp_xfer_of (const struct nvmeof_req *req, struct tcp_xfer *x)
{
  if (req == NULL)
    return NULL;
  x->dir = req->dir;
  x->ddgst_error = req->ddgst_error;
  x->r2t_outstanding = req->r2t_outstanding;
  x->len = req->len;
  x->inline_len = req->inline_len;
  x->c2h_received = req->c2h_received;
  x->r2t_end = req->r2t_end;
  return x;
}

/* The CID on the wire: the request's index (req->cid) in the low bits,
 * as many as the queue's depth needs (at most 10: queue-size <= 1024),
 * and its generation (req->gen, bumped at each allocation) in the bits
 * left.  So a response to an earlier use of the same index (stale, or
 * replayed) names a CID that is not outstanding and is refused, instead
 * of being taken as the answer to the command that uses the index now.
 * (The host chooses CIDs freely: the controller only echoes them.) */
static inline unsigned
tcp_cid_index_bits (const struct nvmeof_queue *q)
{
  return q->depth <= 2 ? 1 : 32 - __builtin_clz (q->depth - 1);
}

static inline uint16_t
tcp_wire_cid (const struct nvmeof_queue *q, const struct nvmeof_req *req)
{
  unsigned bits = tcp_cid_index_bits (q);

  if (bits >= 16)
    return req->cid;
  return (uint16_t) (req->cid | (req->gen << bits));
}

/* The outstanding request a received CID names, or NULL: not outstanding,
 * and if another use of its index is (the CID is stale, replayed or
 * corrupted), *other is that request.  Under q.lock. */
static inline struct nvmeof_req *
tcp_req_lookup (struct nvmeof_queue *q, uint16_t wire,
                struct nvmeof_req **other)
{
  unsigned bits = tcp_cid_index_bits (q);
  uint16_t index = bits >= 16 ? wire : wire & ((1u << bits) - 1);
  struct nvmeof_req *req = req_lookup (q, index);

  *other = NULL;
  if (req && tcp_wire_cid (q, req) != wire) {
    *other = req;
    return NULL;
  }
  return req;
}

/* The socket's receive calls, plain or through TLS: one predictable branch
 * for the plain path, no copy, nothing allocated.  As recv/recvmsg with
 * MSG_DONTWAIT (TLS: 0 also at close_notify, EPROTO for a TLS failure). */
static inline ssize_t
tcp_sock_recv (struct tcp_queue *tq, void *buf, size_t len)
{
  if (tq->tls)
    return tls_recv (tq->tls, buf, len);
  return recv (tq->fd, buf, len, MSG_DONTWAIT);
}

static inline ssize_t
tcp_sock_recvv (struct tcp_queue *tq, struct iovec *iov, int iovcnt)
{
  struct msghdr m = { .msg_iov = iov, .msg_iovlen = iovcnt };

  if (tq->tls)
    return tls_recvv (tq->tls, iov, iovcnt);
  return recvmsg (tq->fd, &m, MSG_DONTWAIT);
}

/* Bytes wait inside TLS: read them before polling the socket. */
static inline bool
tcp_rx_pending (struct tcp_queue *tq)
{
  return tq->tls && tls_pending (tq->tls);
}

/* tcp-rx-machine.c */
void tcp_set_state (struct tcp_queue *tq, enum rx_state s);
/* Under rx_lock: one recv and what it brings.  1 progress, 0 nothing to
 * read, -1 the queue failed (everything outstanding failed). */
int tcp_rx_once (struct tcp_queue *tq);
/* Under rx_lock: the connection failed; say why (unless the queue is
 * being stopped) and fail every outstanding command. */
void tcp_rx_failf (struct tcp_queue *tq, const char *fmt, ...)
  __attribute__((__format__ (__printf__, 2, 3)));

/* tcp-rx-readers.c */
void *tcp_rx_thread (void *arg);
void tcp_wait (struct nvmeof_queue *q, queue_done_fn done, void *arg);
bool tcp_progress (struct nvmeof_queue *q, size_t budget);
/* The last failed send failed because the peer closed (EPIPE,
 * ECONNRESET): what it sent before, not yet read, may say why (a
 * C2HTermReq), and the stream is bound to end.  A receiver then goes on
 * reading rather than failing with the send error; another thread calls
 * tcp_read_peer_reason before it does. */
bool tcp_send_peer_closed (const struct tcp_queue *tq);
void tcp_read_peer_reason (struct tcp_queue *tq);

/* tcp-send.c */
void tcp_kick (struct tcp_queue *tq);
/* Make the current PDU header (in tq->tx_hdr) and data the PDU to send. */
void tcp_tx_load (struct tcp_queue *tq, uint32_t hdr_len, void *data,
                  uint32_t data_len);
/* Write the current PDUs: 1 all sent, 0 socket full (!block), -1 error. */
int tcp_tx_write (struct tcp_queue *tq, bool block, char *why, size_t whylen);
/* n more bytes of the current PDUs were sent (or taken by TLS). */
void tcp_tx_advance (struct tcp_queue *tq, size_t n);
/* Wait until the socket has room: 1, the deadline passed: 0, error: -1
 * (in why).  Receives meanwhile if nobody else does. */
int tcp_wait_room (struct tcp_queue *tq, uint64_t deadline, char *why,
                   size_t whylen);
/* Stop sending for good (the connection failed): drop what is queued.
 * With send_lock held, not q.lock. */
void tcp_tx_kill (struct tcp_queue *tq);
/* Take send_lock, or (when this thread holds it already, a sender that
 * receives while it waits for room) nothing: tcp_send_unlock undoes. */
bool tcp_send_lock (struct tcp_queue *tq);
void tcp_send_unlock (struct tcp_queue *tq, bool locked);
/* Same with a time limit (sending a TermReq): false if not taken. */
bool tcp_send_timedlock (struct tcp_queue *tq, int secs, bool *locked);
int tcp_submit (struct nvmeof_queue *q, struct nvmeof_req *req);
void tcp_enqueue (struct nvmeof_queue *q, struct nvmeof_req *req);
int tcp_flush (struct nvmeof_queue *q, bool lazy);
/* The receiver sends queued H2CData if nobody is sending, without
 * waiting for room (tx_stalled says it must try again on POLLOUT). */
int tcp_try_send (struct tcp_queue *tq, char *why, size_t whylen);

/* tcp-tls.c */
/* Whether a connection of ctrl starts with TLS: tls, or secure channel
 * concatenation once the admin queue's exchange generated the PSK. */
bool tcp_tls_wanted (const struct nvmeof_ctrl *ctrl);
/* Right after the TCP connect: the TLS handshake with the PSK derived
 * from the options for this connection (or the generated one), before the
 * deadline. */
int tcp_tls_start (struct tcp_queue *tq, uint64_t deadline);
/* Send close_notify (best effort) and drop the session. */
void tcp_tls_stop (struct tcp_queue *tq);
/* tcp_tx_write through TLS: the PDUs are sent when TLS took them all and
 * sent its ciphertext. */
int tcp_tls_tx_write (struct tcp_queue *tq, bool block, char *why,
                      size_t whylen);

#endif
