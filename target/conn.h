/* SPDX-License-Identifier: BSD-3-Clause */
/* A connection (one NVMe/TCP queue): shared by conn.c (thread and receive
 * path) and conn-send.c (send batch and PDU building). */
#ifndef NVMEOF_TARGET_CONN_H
#define NVMEOF_TARGET_CONN_H

#include "target.h"

#define RBUF_SIZE      (64 * 1024) /* read-ahead for headers and small data */
#define TX_IOV_MAX     256         /* iovecs per writev batch */
#define TX_FLUSH_BYTES (1024 * 1024)

struct conn;
struct tls_session;

/* How a connection moves its bytes: plain TCP (conn-thread.c), or TLS
 * once the handshake is done (tls.c).  One indirect call per system call
 * the plain path makes anyway. */
struct conn_io {
  /* Like recv(2) with flags 0, MSG_DONTWAIT or MSG_WAITALL (which may
   * return less than asked): bytes, 0 at the end, -1 with errno. */
  ssize_t (*recv) (struct conn *c, void *p, size_t len, int flags);
  /* Like a blocking sendmsg(2): bytes taken (> 0, all of them sent once
   * it returns), or -1 with errno. */
  ssize_t (*sendv) (struct conn *c, const struct iovec *iov, int n);
};

struct eth_conn;

struct conn {
  int fd;               /* -1 for an NVMe/Ethernet association */
  struct eth_conn *eth; /* that association (eth.c), or NULL */
  const struct conn_io *io;
  struct tls_session *tls; /* NULL: plain */
  struct conn_info info;
  struct conn *next, *prev; /* all connections, for shutdown */

  /* Negotiated by ICReq/ICResp. */
  bool ic_done;
  bool hdgst, ddgst;
  uint32_t hpda_align; /* bytes; C2HData PDO alignment */
  uint32_t r2t_max;    /* outstanding R2Ts per command */
  uint32_t icd_max;    /* in-capsule data limit, bytes */

  /* Requests by index (= TTAG); allocated on demand, kept until close. */
  struct req **reqs;
  unsigned nr_reqs, max_reqs;
  uint16_t *free_list;
  unsigned nr_free;
  uint16_t *done_list; /* completions queued, not yet flushed */
  unsigned nr_done;
  uint16_t sqhd;
  size_t buf_bytes; /* request buffers, for the memory budget */

  /* Receive read-ahead. */
  uint8_t *rbuf;
  size_t rpos, rlen;
  uint8_t hdr[256]; /* the PDU header being handled */

  /* Send batch: iovecs into requests' storage and RAM, sent by writev when
   * there is nothing more to read or the batch is full. */
  struct iovec iov[TX_IOV_MAX];
  int niov;
  size_t tx_bytes;
  bool tx_ram; /* the batch points into RAM namespaces */
  uint8_t icresp[128];
  uint8_t term[NVME_TCP_TERM_MAX_PLEN];

  struct fault_state fault;
  bool closing; /* leave after sending what is queued */
  /* An admin queue's wake-up (TCP): an asynchronous event to deliver
   * (conn_wake); the thread sleeps on wake_fd (an eventfd) with fd. */
  atomic_bool wake;
  _Atomic int wake_fd;  /* -1: none */
  uint64_t last_gap_us; /* how long the connection was last idle */

  /* Before Connect: the ICReq, then the Connect, is due by setup_deadline
   * (CLOCK_MONOTONIC ms, 0: no limit or connected).  The main thread's
   * watchdog (conn_check_setup) ends a late connection: it sets
   * setup_expired to the phase it was in and shuts the socket for
   * reading, then for writing too setup_kill ms later (conns_lock). */
  _Atomic uint64_t setup_deadline;
  _Atomic int setup_phase;   /* SETUP_ICREQ, SETUP_CONNECT */
  _Atomic int setup_expired; /* 0, or the phase that was late */
  uint64_t setup_kill;
};

enum { SETUP_ICREQ = 1, SETUP_CONNECT };

/* conn-thread.c */
extern const struct conn_io conn_plain_io;

/* tls.c: in the connection's thread, before its first PDU: on a port with
 * TLS, tell TLS from plain by the first byte and run the handshake (within
 * TGT_TLS_HANDSHAKE_MS).  0: go on (with TLS or plain), -1: close (after
 * a log line). */
int tls_conn_start (struct conn *c);
/* Send close_notify and free the session (before the socket is closed). */
void tls_conn_end (struct conn *c);

/* conn.c */
int conn_recv_pdu (struct conn *c);
int conn_grow_reqs (struct conn *c, unsigned max);
/* The transport-independent steps of a command, for eth.c as for TCP: a
 * request made ready for a new command; the checks of the command's
 * prepare step (fabrics, admin or I/O); its SGL against the prepared
 * transfer with icd bytes of in-capsule data.  NVMe statuses. */
void req_reset (struct req *r);
uint16_t req_prepare (struct conn *c, struct req *r);
uint16_t req_check_sgl (struct req *r, uint32_t icd);

/* conn-thread.c */
void conn_free (struct conn *c);
/* Start the time limit of a phase before Connect (TCP). */
void conn_setup_arm (struct conn *c, int phase);

/* conn-send.c */
int tx_queue (struct conn *c, const void *p, size_t len);
int tx_flush (struct conn *c);
int send_icresp (struct conn *c, uint8_t digest);
int send_r2ts (struct conn *c, struct req *r);
int send_completion (struct conn *c, struct req *r);
/* Send a C2HTermReq (fes, fei, the offending header) and stop. */
void send_termreq (struct conn *c, uint16_t fes, uint32_t fei, const void *hdr,
                   size_t hlen);

#endif
