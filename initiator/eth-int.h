/* SPDX-License-Identifier: BSD-3-Clause */
/* NVMe/Eth engine internals shared by eth-frame.c (frames), eth-tx.c
 * (sequence numbers, acknowledgements, retransmission, transmit batches)
 * and eth-proto.c (associations, commands).  Not for other files: they use
 * eth-proto.h. */
#ifndef NVMEOF_ETH_INT_H
#define NVMEOF_ETH_INT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include "eth-proto.h"

#define ETH_NO_CID     0xFFFF
#define ETH_TX_BATCH   32 /* frames per tx () call */
#define ETH_HDR_MAX    96 /* largest header kept for retransmission */
#define ETH_DUPTHRESH  3  /* SACKed frames above a hole: it is lost */
#define ETH_TERM_TRIES 3  /* TERM(0) sent at most this often */
#define ETH_RTO_BURST  4  /* frames resent per retransmission timeout */

/* Sequence number comparisons, modulo 2^32. */
static inline bool
seq_lt (uint32_t a, uint32_t b)
{
  return (int32_t) (a - b) < 0;
}

/* A command slot, cmds[cid]. */
enum eth_cmd_state {
  CMD_FREE = 0,
  CMD_ACTIVE,    /* host: submitted, not completed */
  CMD_ICD,       /* ctrl: CMD seen, in-capsule data still arriving */
  CMD_EXEC,      /* ctrl: delivered to the application */
  CMD_RELEASING, /* ctrl: RSP sent, frames of it still unacknowledged */
};

struct eth_cmd {
  uint8_t state; /* enum eth_cmd_state */
  uint8_t dir;   /* enum eth_dir */
  bool on_txq;
  bool cmd_sent;   /* host: the CMD frame is built */
  bool r2t_seen;   /* host: the R2T arrived */
  bool rsp_seen;   /* host: the RSP arrived */
  bool r2t_queued; /* ctrl: eth_ctrl_r2t was called */
  bool r2t_sent;
  bool rsp_queued; /* ctrl: eth_ctrl_respond was called */
  bool rsp_sent;
  bool sqe_seen; /* ctrl: the CMD frame arrived */
  uint16_t txq_next;
  uint32_t gen;      /* bumped at each new command on this CID */
  uint32_t unacked;  /* frames of this generation in flight */
  void *buf;         /* host: the caller's; ctrl: the R2T buffer */
  uint32_t len;      /* host: data length; ctrl: R2T length */
  uint32_t icd_len;  /* bytes in the capsule (host: sent; ctrl: SGL) */
  uint32_t icd_got;  /* ctrl: continuation bytes placed in icd_buf */
  uint32_t sgl_len;  /* ctrl: the SGL's length: the data transfer */
  uint32_t rx_bytes; /* host: C2H bytes placed; ctrl: R2T bytes placed */
  uint32_t tx_off;   /* next data byte to send */
  uint32_t rsp_datal;
  const void *c2h_buf; /* ctrl: read data */
  uint32_t c2h_len;
  struct nvme_sqe sqe; /* ctrl: held while the capsule is incomplete */
  struct nvme_cqe cqe; /* host: the RSP, held for the data; ctrl: to send */
};

/* A frame in flight, ring[seq % tx_window]. */
enum eth_slot_state {
  SLOT_FREE = 0,
  SLOT_INFLIGHT,
  SLOT_SACKED,
};

struct eth_slot {
  uint8_t state;
  uint8_t type;
  uint8_t hlen;
  uint8_t flags; /* type flags (F_ICD) */
  uint16_t cid;  /* ETH_NO_CID: not bound to a command */
  uint16_t nretx;
  uint32_t gen;
  uint32_t seq;
  uint32_t data_off, data_len; /* in the command's buffer */
  uint64_t sent_us;            /* last transmission */
  uint64_t deadline_us;        /* retransmission due */
  uint8_t hdr[ETH_HDR_MAX];    /* as built; common fields refreshed */
};

struct eth_assoc {
  struct eth_config cfg;
  const struct eth_callbacks *cb;
  void *ctx;
  enum eth_state state;
  struct eth_params params;
  struct eth_stats stats;
  uint32_t peer_id;
  bool peer_known;
  bool closed_called;
  uint64_t now; /* of the current input/poll */

  /* Commands. */
  uint16_t depth_alloc; /* slots allocated (cfg.queue_depth) */
  struct eth_cmd *cmds;
  uint8_t *icd_bufs; /* ctrl: depth_alloc * icd_max, or NULL */
  uint16_t txq_head, txq_tail;

  /* Sending. */
  struct eth_slot *ring; /* [ring_size], a power of 2 >= tx_window */
  uint32_t ring_size;
  uint16_t tx_window;
  uint32_t snd_una, snd_nxt;
  uint32_t peer_ack;    /* cumulative ack last received */
  uint16_t peer_wnd;    /* the peer's window from peer_ack */
  uint32_t high_sacked; /* highest seq SACKed (valid if have_sacked) */
  bool have_sacked;
  uint32_t srtt_us, rttvar_us, rto_us;
  uint32_t reo_us;       /* extra wait learnt from DSACKs (reordering) */
  uint64_t reo_since_us; /* the last DSACK or halving of reo_us */
  bool have_rtt;
  uint64_t last_tx_us; /* any frame sent: keep-alive timer */
  uint64_t timer_hint; /* no retransmission is due before this */

  /* Receiving. */
  uint32_t rcv_nxt;
  uint32_t rcv_high;                        /* highest seq received + 1 */
  uint8_t rcv_map[NVME_ETH_MAX_WINDOW / 8]; /* seq % 1024 received */
  bool ack_pending;
  bool dsack_pending; /* a needless retransmission to report */
  uint32_t dsack_seq;
  uint64_t last_rx_us; /* any valid frame: dead-peer timer */

  /* Setup and teardown. */
  uint64_t setup_start_us, setup_next_us;
  uint32_t setup_rto_us;
  struct nvme_eth_assoc_req req; /* host: resent until answered */
  unsigned req_sent;
  struct nvme_eth_assoc_resp resp; /* ctrl: resent for repeated REQs */
  uint32_t req_src_assoc;          /* ctrl: the REQ it answers */
  bool term_pending;               /* TERM(0) to (re)send */
  unsigned term_tries;
  uint64_t term_next_us;

  /* A transmit batch. */
  struct eth_tx_frame batch[ETH_TX_BATCH];
  uint8_t batch_hdr[ETH_TX_BATCH][ETH_HDR_MAX];
  unsigned nbatch;
  bool tx_blocked; /* tx () took fewer frames: stop this poll */
  uint8_t sack_buf[NVME_ETH_MAX_WINDOW / 8];
};

/* ---- eth-frame.c --------------------------------------------------------- */
/* Fill a common header (crc 0). */
void eth_hdr_fill (void *hdr, uint8_t type, uint8_t flags, uint8_t hlen,
                   uint32_t length, uint16_t qid, uint32_t dst, uint32_t src,
                   uint32_t seq);
/* Compute and store the CRC32C of hlen header bytes then data. */
void eth_frame_seal (void *hdr, uint32_t hlen, const void *data,
                     uint32_t data_len);
int eth_error_set (struct eth_error *e, uint16_t reason, uint32_t fei,
                   bool drop, const char *fmt, ...)
  __attribute__((__format__ (__printf__, 5, 6)));

/* ---- eth-tx.c ------------------------------------------------------------ */
/* Queue the command for the sender (FIFO). */
void txq_push (struct eth_assoc *a, uint16_t cid);
/* Process the ack fields of a frame from the peer (and an ACK frame's
 * bitmap).  -1 if it acknowledges frames never sent: drop the frame. */
int tx_process_ack (struct eth_assoc *a, const struct eth_frame *f);
/* Note a sequenced frame received (its flags: F_RETX): 1 new, 0
 * duplicate, -1 outside the window (counted). */
int rx_accept_seq (struct eth_assoc *a, uint32_t seq, uint8_t flags);
/* Send one unsequenced frame now (ASSOC_*, TERM, TERM_ACK), outside
 * batches. */
void tx_send_now (struct eth_assoc *a, const void *hdr, uint32_t hlen,
                  const void *data, uint32_t data_len);
/* Transmit what is due and queued. */
void tx_run (struct eth_assoc *a);
/* The earliest retransmission deadline, or UINT64_MAX. */
uint64_t tx_next_deadline (const struct eth_assoc *a);
void tx_rtt_init (struct eth_assoc *a);
/* A frame of cid/gen was acknowledged (eth-proto.c: the release rule). */
void cmd_frame_acked (struct eth_assoc *a, uint16_t cid, uint32_t gen);
/* Build the next frame of a command into slot (eth-proto.c): false when
 * the command has nothing to send now. */
bool cmd_next_frame (struct eth_assoc *a, uint16_t cid, struct eth_slot *s);
/* The data a slot refers to, or NULL if its command is gone. */
const void *slot_data (const struct eth_assoc *a, const struct eth_slot *s);

/* ---- eth-cmd.c ----------------------------------------------------------- */
/* A sequenced frame for the host or the controller role, already accepted
 * by sequence number: act on it (violations end the association). */
void host_frame (struct eth_assoc *a, const struct eth_frame *f);
void ctrl_frame (struct eth_assoc *a, const struct eth_frame *f);
/* Bytes of data after a CMD header and after a DATA header. */
uint32_t cmd_room (const struct eth_assoc *a);
uint32_t data_room (const struct eth_assoc *a);

/* ---- eth-proto.c --------------------------------------------------------- */
/* End the association: closed () once (err 0: normal). */
void assoc_end (struct eth_assoc *a, int err, const char *fmt, ...)
  __attribute__((__format__ (__printf__, 3, 4)));
/* A protocol violation by the peer: TERM with the error, then end. */
void assoc_violation (struct eth_assoc *a, const struct eth_error *e,
                      const struct eth_frame *f);

#endif /* NVMEOF_ETH_INT_H */
