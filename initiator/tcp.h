/* SPDX-License-Identifier: BSD-3-Clause */
/* The NVMe/TCP transport's own state, shared by its files:
 *   tcp.c       connection, ICReq/ICResp, the ops table
 *   tcp-send.c  the send path (capsules, H2CData answering R2Ts)
 *   tcp-recv.c  the receive thread and its state machine
 * (PDU building and validation are in tcp-pdu.c.) */
#ifndef NVMEOF_TCP_H
#define NVMEOF_TCP_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <pthread.h>
#include <sys/uio.h>

#include "internal.h"
#include "tcp-pdu.h"

#define RXBUF_SIZE (64 * 1024)
/* Below this, C2HData payloads are read through the buffer (fewer
 * syscalls); above, straight into the caller's buffer. */
#define DIRECT_MIN 4096
/* R2Ts we accept outstanding per command (ICReq MAXR2T + 1). */
#define TCP_MAXR2T       4
#define TCP_MAX_TRANSFER (1024 * 1024)

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

struct tcp_queue {
  struct nvmeof_queue q;   /* first: container of the generic queue */
  int fd;                  /* changed under send_lock and fd_lock */
  pthread_mutex_t fd_lock; /* leaf lock: shutdown against reconnect */
  int efd;                 /* eventfd: wakes the receive thread */
  struct tcp_params p;
  pthread_t rx_thread;
  bool rx_started;
  atomic_bool stopping;

  /* Send side, under send_lock. */
  pthread_mutex_t send_lock;
  bool tx_dead;
  uint8_t tx_hdr[sizeof (struct nvme_tcp_cmd_pdu) + NVME_TCP_MAX_PDO + 8];
  uint8_t tx_ddgst[NVME_TCP_DIGEST_LEN];
  struct iovec tx_iov[3];
  int tx_iovcnt, tx_iovidx;
  size_t tx_left;   /* bytes of the current PDU not yet sent */
  bool tx_job_last; /* the current PDU ends its job */
  bool job_active;
  struct tcp_job job;
  uint32_t job_sent;
  struct nvmeof_req *job_req;

  /* R2T jobs not yet started: a ring under q.lock. */
  struct tcp_job *jobs;
  unsigned jobs_cap, jobs_head, jobs_count;
  atomic_uint jobs_pending;

  /* Receive side: the receive thread only. */
  uint8_t *rxbuf;
  size_t rx_start, rx_end;
  enum rx_state state;
  uint8_t hdr[NVME_TCP_TERM_MAX_PLEN + 8];
  uint32_t hdr_have, hdr_need;
  struct nvmeof_req *rx_req;
  uint8_t *rx_dest;
  uint32_t data_left, pad_left, datal;
  uint8_t data_flags;
  uint32_t crc;
  uint8_t ddgst[NVME_TCP_DIGEST_LEN];
  uint32_t ddgst_have;
  bool want_pollout;
};

static inline struct tcp_queue *
to_tcp (struct nvmeof_queue *q)
{
  return (struct tcp_queue *) q;
}

/* tcp-recv.c */
void tcp_set_state (struct tcp_queue *tq, enum rx_state s);
void *tcp_rx_thread (void *arg);

/* tcp-send.c */
void tcp_kick (struct tcp_queue *tq);
/* Wait for the socket: 1 ready, 0 timeout, -1 error. */
int tcp_wait_fd (int fd, short events, int timeout_ms);
/* Make the current PDU header (in tq->tx_hdr) and data the PDU to send. */
void tcp_tx_load (struct tcp_queue *tq, uint32_t hdr_len, void *data,
                  uint32_t data_len);
/* Write the current PDU: 1 all sent, 0 socket full (!block), -1 error. */
int tcp_tx_write (struct tcp_queue *tq, bool block, char *why, size_t whylen);
/* The current PDU, then queued H2CData.  With send_lock held. */
int tcp_tx_progress (struct tcp_queue *tq, bool block, char *why,
                     size_t whylen);
void tcp_tx_kill (struct tcp_queue *tq);
int tcp_submit (struct nvmeof_queue *q, struct nvmeof_req *req);
/* The receive thread sends queued H2CData if the send lock is free. */
int tcp_try_send (struct tcp_queue *tq, char *why, size_t whylen);

#endif
