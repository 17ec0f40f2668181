/* SPDX-License-Identifier: BSD-3-Clause */
/* NVMe over raw Ethernet in nvmeof-target (docs/nvme-eth.md): shared by
 * eth-listen.c (a port: its listening socket and thread, the record of its
 * associations, discovery answers, refusals, counters) and eth.c (an
 * association: its socket, its thread driving the engine, and the commands
 * it carries, executed by the same code as a TCP connection's). */
#ifndef NVMEOF_TARGET_ETH_H
#define NVMEOF_TARGET_ETH_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <pthread.h>

#include "conn.h"
#include "eth-proto.h"
#include "eth-sock.h"

#define ETH_MAX_ASSOCS     4096 /* per port, as MAX_CONNS for TCP */
#define ETH_MAX_HALF_OPEN  64   /* ACCEPTED, not yet confirmed (spec 7.2) */
#define ETH_IO_WINDOW      256  /* frames; at most half the ring */
#define ETH_ADMIN_WINDOW   32
#define ETH_KA_MS          1000 /* the keep-alive interval we offer */
#define ETH_PROBE_INTERVAL 100  /* ms between answers to one prober */

struct eth_port;

/* One association (= one NVMe queue): c->eth of its struct conn. */
struct eth_conn {
  struct conn *c;
  struct eth_port *ep;
  struct eth_assoc *a;
  struct eth_sock *sock;
  int wake_fd;       /* eventfd: kill, a repeated ASSOC_REQ, shutdown */
  atomic_bool kill;  /* conn_kill: end with TERM (SHUTDOWN) */
  atomic_bool again; /* the listener saw our ASSOC_REQ again */
  uint8_t req[sizeof (struct nvme_eth_assoc_req)];
  uint8_t peer[6];
  uint16_t qid;
  uint32_t local_id, host_id;
  bool established, closed;
  /* What the engine counted, copied for the statistics file. */
  pthread_mutex_t stats_lock;
  struct eth_stats snap;
  uint64_t ring_drops;   /* frames the kernel dropped: our ring was full */
  struct eth_conn *next; /* the port's list, under its lock */
};

/* A port of trtype eth. */
struct eth_port {
  struct tgt_port *port;
  struct eth_sock *sock; /* the listener: association 0, broadcast, TERMs */
  pthread_t thread;
  bool started;
  /* No thread per association: whoever set it feeds each association's
   * engine and ends it with eth_conn_end (the fuzz harness,
   * tests/fuzz/fuzz-target-eth.c). */
  bool manual;
  int wake_fd;
  pthread_mutex_t lock; /* protects what follows */
  pthread_cond_t cond;
  struct eth_conn *conns;
  unsigned nr_conns, nr_half_open;
  struct {
    uint8_t mac[6];
    uint64_t at_ms;
  } probed[32]; /* rate limit of discovery answers, by prober */
  unsigned probed_next;
};

/* eth.c */
/* A new association for this ASSOC_REQ (parsed, from src): created,
 * accepted (the ASSOC_RESP goes out) and its thread started; NULL with a
 * reason (NVME_ETH_ERR_RESOURCES ...) in *refusal if it could not be.
 * Called by the listener with ep->lock held. */
struct eth_conn *eth_conn_open (struct eth_port *ep, const uint8_t src[6],
                                const struct eth_frame *req, uint16_t *refusal);
/* The listener saw the ASSOC_REQ of this association again. */
void eth_conn_again (struct eth_conn *ec, const void *frame, size_t len);
/* Ask the association to end (TERM with SHUTDOWN); any thread. */
void eth_conn_kill (struct conn *c);
/* The association's engine has ended (or is let go): its queue leaves
 * the controller, it leaves the port, and everything is freed. */
void eth_conn_end (struct eth_conn *ec);

/* eth-listen.c */
/* A frame the listening socket received (eth_sock_rx_fn; ctx: the port). */
void eth_port_frame (void *ctx, const uint8_t src[6], const uint8_t *frame,
                     size_t len);
/* The association's thread ends: take it off the port's list, add its
 * counters to the totals, wake conn_shutdown's wait. */
void eth_port_forget (struct eth_port *ep, struct eth_conn *ec);
/* The association's thread established it (no longer half-open). */
void eth_port_established (struct eth_port *ep, struct eth_conn *ec);
/* Its counters changed: publish them for the statistics file. */
void eth_conn_publish (struct eth_conn *ec);

#endif
