/* SPDX-License-Identifier: BSD-3-Clause */
/* NVMe over raw Ethernet: the protocol engine (docs/nvme-eth.md), shared by
 * the initiator (host role) and nvmeof-target (controller role).
 *
 * One struct eth_assoc per association (= one NVMe queue).  The engine does
 * no I/O, takes no locks, reads no clock and allocates nothing after
 * eth_assoc_new: the caller hands it received frames and the time, and it
 * calls back to transmit frames (a batch per call), to deliver capsules,
 * data and completions, and says when its next timer is due.  Typical loop
 * on either side, for each association (the caller serialises all calls on
 * one association):
 *
 *   for each received frame for this association:
 *     eth_assoc_input (a, src_mac, frame, len, now);
 *   next = eth_assoc_poll (a, now);   // timers, then transmit (batched)
 *   sleep until a frame arrives or next
 *
 * Frames are the Ethernet payload (after the EtherType): the caller adds
 * and strips the 14-byte Ethernet header.  The callbacks may call the
 * queueing functions (eth_host_submit, eth_ctrl_*, eth_assoc_close) but
 * not eth_assoc_input, eth_assoc_poll or eth_assoc_free.
 */
#ifndef NVMEOF_ETH_PROTO_H
#define NVMEOF_ETH_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nvme-eth-wire.h"

struct eth_assoc;

enum eth_role {
  ETH_ROLE_HOST = 0,
  ETH_ROLE_CTRL = 1,
};

enum eth_state {
  ETH_S_IDLE = 0,    /* host: before eth_assoc_connect */
  ETH_S_CONNECTING,  /* host: ASSOC_REQ sent, waiting for ASSOC_RESP */
  ETH_S_ACCEPTED,    /* ctrl: ASSOC_RESP sent, no frame from the host yet */
  ETH_S_ESTABLISHED, /* commands may flow */
  ETH_S_CLOSING,     /* eth_assoc_close: draining, then TERM(0) */
  ETH_S_CLOSED,      /* ended: closed () was called */
};

enum eth_dir {
  ETH_DIR_NONE = 0,
  ETH_DIR_C2H = 1, /* controller to host (Read) */
  ETH_DIR_H2C = 2, /* host to controller (Write) */
};

/* One frame to transmit: hdr (engine memory) then data (the caller's
 * buffer or engine memory, may be NULL/0).  Valid during tx () only. */
struct eth_tx_frame {
  const void *hdr;
  uint32_t hdr_len;
  const void *data;
  uint32_t data_len;
};

struct eth_callbacks {
  /* Transmit n frames (n >= 1) to the peer's MAC, in order.  Returns how
   * many went to the link; the others count as lost (retransmitted later)
   * and the engine sends no more frames in this eth_assoc_poll. */
  unsigned (*tx) (void *ctx, const struct eth_tx_frame *f, unsigned n);
  /* Both roles: the association is established (host: ASSOC_RESP
   * accepted; ctrl: the host's first frame after it).  Optional. */
  void (*established) (void *ctx);
  /* Both roles: the association ended.  err is 0 after a normal close,
   * else an errno (ECONNRESET: the peer sent TERM, ETIMEDOUT: silence or
   * no acknowledgement, EPROTO: the peer broke the protocol,
   * ECONNREFUSED: ASSOC_RESP refused); msg says it in a sentence.  Every
   * outstanding command is dropped without complete (): the host fails
   * them itself. */
  void (*closed) (void *ctx, int err, const char *msg);

  /* Host: the command with this CID completed (its data is all in place).
   * The CID may be submitted again from here on. */
  void (*complete) (void *ctx, uint16_t cid, const struct nvme_cqe *cqe);
  /* Host, optional: place received data of a command at offset of its
   * buffer.  Without it the engine copies into the buffer given to
   * eth_host_submit. */
  void (*place) (void *ctx, uint16_t cid, uint32_t offset, const void *data,
                 uint32_t len);

  /* Ctrl: a command arrived with all of its in-capsule data (icd, valid
   * during the call only).  Answer with eth_ctrl_r2t, eth_ctrl_send_data
   * and eth_ctrl_respond, now or later. */
  void (*capsule) (void *ctx, const struct nvme_sqe *sqe, const void *icd,
                   uint32_t icd_len);
  /* Ctrl: all the data asked for by eth_ctrl_r2t has been placed. */
  void (*data_ready) (void *ctx, uint16_t cid);
  /* Ctrl, optional: the buffers given to eth_ctrl_r2t/_send_data for this
   * CID are no longer used by the engine (every frame that refers to them
   * is acknowledged, or the CID was reused). */
  void (*release) (void *ctx, uint16_t cid);
};

struct eth_config {
  enum eth_role role;
  uint16_t qid;
  /* Host: outstanding commands wanted (CIDs 0 .. depth-1).  Ctrl: the
   * most it grants.  1..1024. */
  uint16_t queue_depth;
  /* Largest frame this end receives: the link MTU (1280..65535). */
  uint16_t max_frame;
  /* Frames we accept beyond our cumulative ack (1..1024): at most what
   * the receive ring holds for this association. */
  uint16_t rx_window;
  /* Frames we keep in flight (1..1024): the retransmission ring. */
  uint16_t tx_window;
  /* Ctrl: in-capsule data bytes it buffers per command (0: only what
   * fits in the CMD frame; at least NVME_ETH_ADMIN_ICD on queue 0). */
  uint32_t icd_max;
  uint32_t ka_interval_ms; /* 0: 1000 */
  uint32_t rto_init_us;    /* 0: 10000 (10 ms) */
  uint32_t rto_min_us;     /* 0: 1000 */
  uint32_t rto_max_us;     /* 0: 500000 */
  unsigned max_retx;       /* per frame; 0: 12 */
  uint32_t setup_ms;       /* host: ASSOC_REQ attempts; ctrl: half-open;
                              0: 5000 */
  /* NVME_ETH_OPT_*: host: what ASSOC_REQ asks for; ctrl: what it grants
   * of what is asked (spec 7.4).  0: version 1 as first published. */
  uint32_t options;
  uint32_t local_id;   /* our association id; 0: random */
  uint32_t isn;        /* our first sequence number; 0: random */
  uint8_t peer_mac[6]; /* host: the controller's (ctrl: from the REQ) */
  const struct eth_callbacks *cb;
  void *ctx;
};

/* What the association agreed (valid from established on). */
struct eth_params {
  uint16_t qid;
  uint16_t queue_depth;
  uint16_t max_frame;
  uint16_t peer_window;
  uint32_t icd_max; /* in-capsule data bytes per command */
  uint32_t ka_interval_ms;
  uint32_t options; /* NVME_ETH_OPT_* both ends agreed */
  uint32_t local_id, peer_id;
  uint8_t peer_mac[6];
};

/* Counters: frames dropped before processing, by cause, and the work. */
struct eth_stats {
  /* Frames (each of a pack counts) and bytes (of the Ethernet payloads
   * received); rx_packed: frames that came after another in a pack. */
  uint64_t tx_frames, tx_bytes, rx_frames, rx_bytes, rx_packed;
  uint64_t retransmits, fast_retransmits, timeouts; /* RTO expiries */
  uint64_t spurious; /* retransmissions the peer already had (DSACK) */
  uint64_t acks_sent, keepalives_sent;
  uint64_t drop_malformed; /* short, bad length/hlen/version, bad CRC */
  uint64_t drop_foreign;   /* not our association / MAC / qid */
  uint64_t drop_duplicate; /* a sequence number already received */
  uint64_t drop_window;    /* beyond the window we advertised */
  uint64_t drop_bad_ack;   /* acknowledges frames never sent */
  uint64_t drop_state;     /* not expected in this state */
  uint32_t srtt_us, rttvar_us, rto_us, reorder_us;
};

/* ---- Frames (pure, no association) --------------------------------- */

/* A received frame, after eth_frame_parse. */
struct eth_frame {
  const uint8_t *buf; /* the frame (common header first) */
  uint32_t len;       /* hdr.length (trailing Ethernet padding cut) */
  uint8_t version, type, flags, hlen;
  uint16_t qid, wnd;
  uint32_t dst_assoc, src_assoc, seq, ack;
  const uint8_t *data; /* buf + hlen */
  uint32_t data_len;   /* len - hlen */
};

/* Why a frame was refused: reason/fei for a TERM (or ASSOC_RESP status),
 * drop when it must be dropped silently instead, and a sentence. */
struct eth_error {
  uint16_t reason; /* NVME_ETH_ERR_* */
  uint32_t fei;    /* byte offset of the field in the frame */
  bool drop;
  char msg[200];
};

/* Check everything a frame says about itself: length, version, type,
 * hlen, flags, CRC, and the type's own fields that need no association
 * (lengths, counts, ranges).  0 and *f filled, or -1 (e->drop: frames
 * that are corrupt, truncated or of another version are dropped; the
 * others deserve a TERM once matched to an association). */
int eth_frame_parse (const void *buf, size_t len, struct eth_frame *f,
                     struct eth_error *e);

/* How many of the n frames f (n >= 1) go into the next Ethernet frame:
 * those that fit back to back in pack_max bytes (spec 4.1), at least one;
 * 1 when pack_max is 0. */
unsigned eth_pack_count (const struct eth_tx_frame *f, unsigned n,
                         uint32_t pack_max);
/* Whether a received payload of several frames is a pack to take (spec
 * 4.1): every frame's length and CRC good, and together they fill it. */
bool eth_pack_valid (const void *buf, size_t len);

/* Stateless replies for the controller's listener (buf: at least 128
 * bytes; return the frame length).  A refusal of an ASSOC_REQ (status
 * NVME_ETH_ERR_*: RESOURCES, VERSION, UNSUPPORTED ...), and the TERM_ACK
 * that answers a TERM for an association that no longer exists. */
size_t eth_build_assoc_refusal (void *buf, const struct eth_frame *req,
                                uint16_t status, uint32_t fei);
size_t eth_build_term_ack (void *buf, const struct eth_frame *term);

/* Link-local discovery (eth-disc.c). */
struct eth_disc_ns_info {
  uint32_t nsid;
  uint32_t lba_size;
  uint64_t size; /* bytes */
};
struct eth_disc_subsys {
  uint8_t subtype; /* NVMF_SUBTYPE_NVM or NVMF_SUBTYPE_CURRENT_DISC */
  const char *nqn; /* 1..223 bytes */
  unsigned nr_ns;
  const struct eth_disc_ns_info *ns;
};
/* PROBE into buf (at least 48 bytes); returns its length. */
size_t eth_build_probe (void *buf, uint32_t nonce, uint16_t max_frame);
/* The PROBE_RESP frames answering probe (parsed), each at most
 * min(probe's max_frame, ours) bytes: emit (ctx, frame, len) for each.
 * A subsystem with too many namespaces for one frame is split into
 * entries of the same NQN.  Returns the number of frames, -1 if they
 * would be more than 255 or a NQN is invalid. */
int eth_build_probe_resp (
  const struct eth_frame *probe, const uint8_t mac[6], uint16_t max_frame,
  const struct eth_disc_subsys *s, unsigned nr,
  void (*emit) (void *ctx, const void *frame, size_t len), void *ctx);
/* One entry of a PROBE_RESP, as parsed. */
struct eth_disc_entry_info {
  uint8_t subtype;
  char nqn[224];
  unsigned nr_ns;
  const uint8_t *ns_raw; /* nr_ns descriptors: eth_disc_ns_at */
};
void eth_disc_ns_at (const struct eth_disc_entry_info *e, unsigned i,
                     struct eth_disc_ns_info *out);
/* Check a parsed PROBE_RESP against our nonce and walk its entries:
 * entry (ctx, mac, index, count, info) for each.  -1 with e filled if
 * any field is wrong (nothing is reported then). */
int eth_parse_probe_resp (const struct eth_frame *f, uint32_t nonce,
                          void (*entry) (void *ctx, const uint8_t mac[6],
                                         unsigned frame_index,
                                         unsigned frame_count,
                                         const struct eth_disc_entry_info *),
                          void *ctx, struct eth_error *e);

/* ---- Associations ---------------------------------------------------- */

/* Allocate an association and everything it will ever use (command slots,
 * retransmission ring, in-capsule buffers).  NULL with a sentence in err
 * if the configuration is invalid or memory is short. */
struct eth_assoc *eth_assoc_new (const struct eth_config *cfg, char *err,
                                 size_t errlen);
/* Free it (no callback runs). */
void eth_assoc_free (struct eth_assoc *a);

/* Host: send ASSOC_REQ (and again until setup_ms). */
int eth_assoc_connect (struct eth_assoc *a, uint64_t now_us);
/* Ctrl: take an ASSOC_REQ (parsed, addressed to no association) from
 * src_mac.  On a refusal (bad field, depth 0 ...) the ASSOC_RESP says why
 * and the association is closed.  The caller demultiplexes repeated
 * ASSOC_REQs with eth_assoc_is_req_of and hands them to eth_assoc_input. */
int eth_assoc_accept (struct eth_assoc *a, const uint8_t src_mac[6],
                      const struct eth_frame *req, uint64_t now_us);
/* Ctrl: req is a repeat of the ASSOC_REQ this association accepted. */
bool eth_assoc_is_req_of (const struct eth_assoc *a, const uint8_t src_mac[6],
                          const struct eth_frame *req);

/* A received frame for this association (the caller matched dst_assoc
 * with eth_assoc_local_id; frames for no association go to the listener).
 * Everything is validated here again; a violation sends TERM and closes
 * the association, a frame that is merely stale, duplicated, spoofed or
 * corrupt is dropped and counted. */
void eth_assoc_input (struct eth_assoc *a, const uint8_t src_mac[6],
                      const void *frame, size_t len, uint64_t now_us);
/* Run due timers (retransmission, keep-alive, dead peer, setup) and
 * transmit what is queued, in batches.  Returns when to call again at the
 * latest (UINT64_MAX: only after input or new work). */
uint64_t eth_assoc_poll (struct eth_assoc *a, uint64_t now_us);
/* When eth_assoc_poll must run next, without running it. */
uint64_t eth_assoc_next_timer (const struct eth_assoc *a);
/* Something is queued to transmit: call eth_assoc_poll (after queueing
 * commands or answers, which only queue). */
bool eth_assoc_tx_pending (const struct eth_assoc *a);

/* Graceful close: stop taking commands, drain what is in flight, send
 * TERM(0) and wait for TERM_ACK (closed () then, err 0). */
void eth_assoc_close (struct eth_assoc *a, uint64_t now_us);
/* Close at once: TERM with reason (NVME_ETH_ERR_SHUTDOWN ...) sent at the
 * next poll, closed () called with err and msg. */
void eth_assoc_abort (struct eth_assoc *a, uint16_t reason, int err,
                      const char *msg);

enum eth_state eth_assoc_state (const struct eth_assoc *a);
uint32_t eth_assoc_local_id (const struct eth_assoc *a);
const struct eth_params *eth_assoc_params (const struct eth_assoc *a);
/* The largest Ethernet payload into which the frames of one tx () call
 * may be packed (option PACK agreed: the association's max frame), else 0
 * (one frame per Ethernet frame).  For eth_sock_tx. */
uint32_t eth_assoc_pack_max (const struct eth_assoc *a);
const struct eth_stats *eth_assoc_stats (const struct eth_assoc *a);

/* ---- Host role ------------------------------------------------------ */

/* Queue a command: sqe (CID < queue_depth, not outstanding), its data
 * buffer and direction.  H2C data of at most icd_max bytes goes in the
 * capsule, more is sent when the controller's R2T asks for it; the SGL of
 * the SQE is set here.  buf must stay valid until complete ().  -1 and
 * errno: EINVAL (bad CID, length), EBUSY (CID outstanding), ENOTCONN. */
int eth_host_submit (struct eth_assoc *a, const struct nvme_sqe *sqe, void *buf,
                     uint32_t len, enum eth_dir dir);

/* ---- Controller role ------------------------------------------------ */

/* Ask for the data of a write that did not come in the capsule: all len
 * bytes (the SGL length) into buf.  data_ready () follows. */
int eth_ctrl_r2t (struct eth_assoc *a, uint16_t cid, void *buf, uint32_t len);
/* Send the len bytes of a read from buf (kept until release ()). */
int eth_ctrl_send_data (struct eth_assoc *a, uint16_t cid, const void *buf,
                        uint32_t len);
/* Send the completion (after any data; held while R2T data is still
 * expected).  The CID is free for the host once it arrives. */
int eth_ctrl_respond (struct eth_assoc *a, const struct nvme_cqe *cqe);

/* ---- Strings --------------------------------------------------------- */
const char *eth_type_string (uint8_t type);
const char *eth_err_string (uint16_t reason);
const char *eth_state_string (enum eth_state s);

#endif /* NVMEOF_ETH_PROTO_H */
