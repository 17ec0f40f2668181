/* SPDX-License-Identifier: BSD-3-Clause */
/* A simulated Ethernet link between two NVMe/Eth engines, in one process
 * and on a fake clock: a host end and a controller end, each with a
 * bounded receive queue (the AF_PACKET ring), and a link that loses,
 * reorders, duplicates, corrupts and delays frames, at a given rate.  The
 * tests' callbacks (eth_callbacks) get the struct sim_end as ctx. */
#ifndef NVMEOF_TEST_ETH_SIM_H
#define NVMEOF_TEST_ETH_SIM_H

#include <stdbool.h>
#include <stdint.h>

#include "eth-proto.h"

struct sim_link {
  double loss;        /* probability a frame is lost */
  double reorder;     /* probability a frame skips the delay */
  double dup;         /* probability a frame arrives twice */
  double corrupt;     /* probability one bit of a frame flips */
  uint32_t delay_us;  /* one-way delay ... */
  uint32_t jitter_us; /* ... +- uniformly this much */
  uint64_t rate_bps;  /* serialisation rate; 0: 10 Gb/s */
};

/* A frame's room in a TPACKET_V3 block: its bytes, the 14-byte Ethernet
 * header, the tpacket3_hdr and sockaddr_ll (~64), aligned to 16. */
#define SIM_RING_COST(len) (((uint64_t) (len) + 14 + 64 + 15) & ~(uint64_t) 15)

struct sim_rxf {
  uint8_t *buf;
  uint32_t len;
};

struct sim;

struct sim_end {
  struct sim *sim;
  const char *name;
  uint8_t mac[6];
  struct eth_assoc *a;
  struct eth_config cfg; /* ctrl: the template for the listener */
  uint64_t timer;        /* when eth_assoc_poll is due */
  /* Receive queue (the ring): bounded in frames and, like a TPACKET_V3
   * ring, in bytes (ring_bytes, default unbounded; a frame costs
   * SIM_RING_COST); full = overrun. */
  struct sim_rxf *rxq;
  unsigned rxq_cap, rxq_head, rxq_len;
  uint64_t rxq_bytes, ring_bytes;
  /* A slow receiver: at most max_per_poll frames every poll_every_us
   * (0: all, at once). */
  unsigned max_per_poll;
  uint64_t poll_every_us, next_poll;
  /* Outcome. */
  bool closed;
  int closed_err;
  char closed_msg[256];
  uint64_t overruns; /* frames lost to a full receive queue */
  uint64_t link_lost, link_dup, link_corrupt; /* of frames it sent */
  uint64_t frames_sent;
  /* Ctrl: its listener refuses an ASSOC_REQ with any option (UNSUPPORTED,
   * FEI 44), as a controller of the first publication of version 1. */
  bool legacy;
  unsigned legacy_refusals;
  void *app;
};

struct sim {
  struct sim_link link;
  uint64_t now;
  uint64_t rng;
  struct sim_end host, ctrl;
  uint64_t link_free[2]; /* when each direction's wire is free */
  /* Frames in flight: a binary heap by arrival time. */
  struct sim_ev *heap;
  unsigned nheap, heap_cap;
  uint64_t evseq;
  uint64_t steps;
};

/* Both ends' configurations (cb/ctx are set here: the callbacks given,
 * ctx = the end).  rxq_cap: each end's receive queue in frames. */
void sim_init (struct sim *s, const struct sim_link *link, uint64_t seed,
               const struct eth_config *host_cfg,
               const struct eth_config *ctrl_cfg, unsigned rxq_cap);
void sim_free (struct sim *s);
/* The tx callback to put in both ends' eth_callbacks. */
unsigned sim_tx (void *ctx, const struct eth_tx_frame *f, unsigned n);
/* The closed callback (records the outcome), for tests without their own. */
void sim_closed (void *ctx, int err, const char *msg);
/* Create the host's association and send ASSOC_REQ. */
void sim_connect (struct sim *s);
/* Run until done (s, arg) or until the clock passes until_us: frames
 * delivered, timers run, the app hook called after every step (may be
 * NULL).  Returns done's last answer. */
bool sim_run (struct sim *s, uint64_t until_us,
              bool (*done) (struct sim *s, void *arg),
              void (*hook) (struct sim *s, void *arg), void *arg);
/* Poll an end now (after the app queued work). */
void sim_poll (struct sim_end *e);
/* Deliver one raw frame to an end at once, as if from src_mac. */
void sim_inject (struct sim_end *e, const uint8_t src_mac[6], const void *buf,
                 size_t len);
uint64_t sim_rand (struct sim *s);
double sim_uniform (struct sim *s);

#endif
