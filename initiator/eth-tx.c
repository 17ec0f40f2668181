/* SPDX-License-Identifier: BSD-3-Clause */
/* NVMe/Eth reliability (docs/nvme-eth.md, "Reliability"): sequence numbers
 * and the receive map, cumulative and selective acknowledgements, the
 * retransmission ring with an adaptive timeout (RFC 6298, Karn's rule),
 * fast retransmission of frames that later frames overtook, the window,
 * and the transmit batches handed to the caller's tx ().
 *
 * A frame in flight refers to its command's buffer by (cid, generation,
 * offset): nothing is copied to be kept for retransmission, and a frame
 * whose command has gone is retransmitted as a KEEPALIVE with the same
 * sequence number, which fills the receiver's hole just as well. */
#include <config.h>

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "eth-int.h"

static inline struct eth_slot *
ring_slot (struct eth_assoc *a, uint32_t seq)
{
  return &a->ring[seq & (a->ring_size - 1)];
}

static inline const struct eth_slot *
ring_slot_c (const struct eth_assoc *a, uint32_t seq)
{
  return &a->ring[seq & (a->ring_size - 1)];
}

/* ---- Round-trip time (RFC 6298) ------------------------------------ */

void
tx_rtt_init (struct eth_assoc *a)
{
  a->have_rtt = false;
  a->srtt_us = 0;
  a->rttvar_us = 0;
  a->rto_us = a->cfg.rto_init_us;
}

static void
rto_clamp (struct eth_assoc *a)
{
  if (a->rto_us < a->cfg.rto_min_us)
    a->rto_us = a->cfg.rto_min_us;
  if (a->rto_us > a->cfg.rto_max_us)
    a->rto_us = a->cfg.rto_max_us;
  a->stats.srtt_us = a->srtt_us;
  a->stats.rttvar_us = a->rttvar_us;
  a->stats.rto_us = a->rto_us;
}

static void
rtt_sample (struct eth_assoc *a, uint64_t r64)
{
  uint32_t r = r64 > UINT32_MAX / 2 ? UINT32_MAX / 2 : (uint32_t) r64;

  if (!a->have_rtt) {
    a->srtt_us = r;
    a->rttvar_us = r / 2;
    a->have_rtt = true;
  }
  else {
    uint32_t d = a->srtt_us > r ? a->srtt_us - r : r - a->srtt_us;

    a->rttvar_us = (3 * (uint64_t) a->rttvar_us + d) / 4;
    a->srtt_us = (7 * (uint64_t) a->srtt_us + r) / 8;
  }
  a->rto_us = a->srtt_us + 4 * a->rttvar_us;
  /* Forget reordering that stopped: halve the extra wait after 16 round
   * trips without a needless retransmission. */
  if (a->reo_us && a->now - a->reo_since_us >= 16 * (uint64_t) a->srtt_us) {
    a->reo_us /= 2;
    a->reo_since_us = a->now;
    a->stats.reorder_us = a->reo_us;
  }
  rto_clamp (a);
}

/* ---- Acknowledgements received -------------------------------------- */

/* A frame of ours reached the peer. */
static void
slot_acked (struct eth_assoc *a, struct eth_slot *s)
{
  if (s->state != SLOT_INFLIGHT)
    return;
  s->state = SLOT_SACKED;
  /* Karn: a retransmitted frame's ack may answer either copy. */
  if (s->nretx == 0 && a->now >= s->sent_us)
    rtt_sample (a, a->now - s->sent_us);
  if (s->cid != ETH_NO_CID)
    cmd_frame_acked (a, s->cid, s->gen);
}

int
tx_process_ack (struct eth_assoc *a, const struct eth_frame *f)
{
  uint32_t ack = f->ack, nbits = 0, i;
  const uint8_t *map = NULL;

  if (!(f->flags & NVME_ETH_F_ACK))
    return 0;
  if (seq_lt (a->snd_nxt, ack)) {
    a->stats.drop_bad_ack++;
    return -1;
  }
  if (f->type == NVME_ETH_ACK) {
    const struct nvme_eth_ack *k = (const void *) f->buf;

    nbits = f->data_len * 8;
    map = f->data;
    if (k->ack_flags & NVME_ETH_ACK_F_DSACK) {
      if (!seq_lt (GET32 (k->dsack), a->snd_nxt)) {
        a->stats.drop_bad_ack++;
        return -1;
      }
      /* We resent a frame that was only late: wait longer before
       * deciding a frame is lost (up to the largest RTO). */
      a->stats.spurious++;
      if (a->reo_us == 0 || a->now - a->reo_since_us >= a->srtt_us) {
        /* At most once a round trip: the DSACKs of one burst of
         * needless retransmissions come back together. */
        a->reo_us += a->srtt_us / 4 + 1;
        if (a->reo_us > a->cfg.rto_max_us)
          a->reo_us = a->cfg.rto_max_us;
        a->stats.reorder_us = a->reo_us;
        a->reo_since_us = a->now;
      }
    }
    /* Every bit set must name a frame we sent. */
    for (i = 0; i < nbits; i++)
      if ((map[i / 8] >> (i % 8)) & 1) {
        uint32_t s = ack + 1 + i;

        if (!seq_lt (s, a->snd_nxt)) {
          a->stats.drop_bad_ack++;
          return -1;
        }
      }
  }
  /* A cumulative ack older than one already seen came late: its bitmap
   * may still be news, its window is not. */
  if (!seq_lt (ack, a->snd_una)) {
    while (a->snd_una != ack) {
      struct eth_slot *s = ring_slot (a, a->snd_una);

      slot_acked (a, s);
      s->state = SLOT_FREE;
      a->snd_una++;
    }
    a->peer_ack = ack;
    a->peer_wnd = f->wnd;
  }
  for (i = 0; i < nbits; i++)
    if ((map[i / 8] >> (i % 8)) & 1) {
      uint32_t s = ack + 1 + i;

      if (seq_lt (s, a->snd_una))
        continue;
      slot_acked (a, ring_slot (a, s));
      if (!a->have_sacked || seq_lt (a->high_sacked, s)) {
        a->high_sacked = s;
        a->have_sacked = true;
      }
    }
  if (a->have_sacked && seq_lt (a->high_sacked, a->snd_una))
    a->have_sacked = false;
  return 0;
}

/* ---- Sequence numbers received -------------------------------------- */

/* A frame received again: our ack may have been lost, say it again; if
 * the sender resent it, tell it that was needless. */
static int
duplicate (struct eth_assoc *a, uint32_t seq, uint8_t flags)
{
  a->stats.drop_duplicate++;
  a->ack_pending = true;
  if (flags & NVME_ETH_F_RETX) {
    a->dsack_pending = true;
    a->dsack_seq = seq;
  }
  return 0;
}

int
rx_accept_seq (struct eth_assoc *a, uint32_t seq, uint8_t flags)
{
  uint32_t d = seq - a->rcv_nxt;
  uint32_t bit = seq % NVME_ETH_MAX_WINDOW;

  if ((int32_t) d < 0)
    return duplicate (a, seq, flags);
  if (d >= a->cfg.rx_window) {
    a->stats.drop_window++;
    return -1;
  }
  if ((a->rcv_map[bit / 8] >> (bit % 8)) & 1)
    return duplicate (a, seq, flags);
  a->rcv_map[bit / 8] |= (uint8_t) (1u << (bit % 8));
  a->ack_pending = true;
  if (seq_lt (a->rcv_high, seq + 1))
    a->rcv_high = seq + 1;
  for (;;) {
    bit = a->rcv_nxt % NVME_ETH_MAX_WINDOW;
    if (!((a->rcv_map[bit / 8] >> (bit % 8)) & 1))
      break;
    a->rcv_map[bit / 8] &= (uint8_t) ~(1u << (bit % 8));
    a->rcv_nxt++;
  }
  if (seq_lt (a->rcv_high, a->rcv_nxt))
    a->rcv_high = a->rcv_nxt;
  return 1;
}

/* ---- Transmitting ----------------------------------------------------- */

static void
batch_flush (struct eth_assoc *a)
{
  unsigned n = a->nbatch, done, i;

  if (n == 0)
    return;
  a->nbatch = 0;
  done = a->cb->tx (a->ctx, a->batch, n);
  if (done > n)
    done = n;
  for (i = 0; i < done; i++) {
    a->stats.tx_frames++;
    a->stats.tx_bytes += a->batch[i].hdr_len + a->batch[i].data_len;
  }
  if (done < n)
    a->tx_blocked = true;
  a->last_tx_us = a->now;
}

/* Refresh the fields that change at every transmission, seal, batch. */
static void
batch_add (struct eth_assoc *a, const void *hdr, uint32_t hlen,
           const void *data, uint32_t data_len, bool retx)
{
  uint8_t *h = a->batch_hdr[a->nbatch];
  struct nvme_eth_hdr *ch = (struct nvme_eth_hdr *) h;

  memcpy (h, hdr, hlen);
  if (a->peer_known) {
    ch->flags |= NVME_ETH_F_ACK;
    PUT32 (ch->ack, a->rcv_nxt);
    PUT16 (ch->wnd, a->cfg.rx_window);
  }
  if (retx)
    ch->flags |= NVME_ETH_F_RETX | NVME_ETH_F_ACK_REQ;
  /* Data digest off (spec 6.3): the CRC seals the header only. */
  if (data_len && (a->params.options & NVME_ETH_OPT_NO_DDGST) &&
      ch->type != NVME_ETH_ACK) {
    ch->flags |= NVME_ETH_F_HCRC;
    eth_frame_seal (h, hlen, NULL, 0);
  }
  else
    eth_frame_seal (h, hlen, data, data_len);
  a->batch[a->nbatch] = (struct eth_tx_frame){
    .hdr = h, .hdr_len = hlen, .data = data, .data_len = data_len
  };
  if (++a->nbatch == ETH_TX_BATCH)
    batch_flush (a);
}

void
tx_send_now (struct eth_assoc *a, const void *hdr, uint32_t hlen,
             const void *data, uint32_t data_len)
{
  struct eth_tx_frame fr = {
    .hdr = hdr, .hdr_len = hlen, .data = data, .data_len = data_len
  };

  batch_flush (a);
  if (a->cb->tx (a->ctx, &fr, 1) == 1) {
    a->stats.tx_frames++;
    a->stats.tx_bytes += hlen + data_len;
  }
  a->last_tx_us = a->now;
}

/* The slot's command is gone: it becomes a KEEPALIVE of the same seq. */
static void
slot_to_keepalive (struct eth_assoc *a, struct eth_slot *s)
{
  eth_hdr_fill (s->hdr, NVME_ETH_KEEPALIVE, 0, sizeof (struct nvme_eth_hdr),
                sizeof (struct nvme_eth_hdr), a->cfg.qid, a->peer_id,
                a->params.local_id, s->seq);
  s->type = NVME_ETH_KEEPALIVE;
  s->hlen = sizeof (struct nvme_eth_hdr);
  s->flags = 0;
  s->cid = ETH_NO_CID;
  s->data_len = 0;
}

static void
slot_send (struct eth_assoc *a, struct eth_slot *s, bool retx)
{
  const void *data = NULL;

  if (s->data_len) {
    data = slot_data (a, s);
    if (data == NULL)
      slot_to_keepalive (a, s);
  }
  if (retx)
    s->nretx++;
  s->sent_us = a->now;
  s->deadline_us = a->now + a->rto_us + a->reo_us;
  if (s->deadline_us < a->timer_hint)
    a->timer_hint = s->deadline_us;
  batch_add (a, s->hdr, s->hlen, data, s->data_len, retx);
}

/* How long a frame overtaken by later ones may still be on its way: one
 * round trip and two deviations, so that a link that reorders (jitter)
 * does not look lossy. */
static uint64_t
reorder_wait (const struct eth_assoc *a)
{
  return (uint64_t) a->srtt_us + 2 * (uint64_t) a->rttvar_us + a->reo_us;
}

/* Some frame in flight was overtaken by DUPTHRESH acknowledged ones. */
static bool
fast_candidates (const struct eth_assoc *a)
{
  return a->have_sacked && seq_lt (a->snd_una, a->high_sacked) &&
         a->high_sacked - a->snd_una >= ETH_DUPTHRESH;
}

/* Retransmit what timed out or was overtaken by later frames. */
static void
retransmit (struct eth_assoc *a)
{
  unsigned expired = 0;
  uint32_t seq;

  /* Most calls find nothing due: look at the ring only when a timer may
   * have expired or frames were overtaken. */
  if (!fast_candidates (a) && a->now < a->timer_hint)
    return;
  a->timer_hint = UINT64_MAX;
  for (seq = a->snd_una; seq != a->snd_nxt; seq++) {
    struct eth_slot *s = ring_slot (a, seq);
    bool due = false;

    if (s->state != SLOT_INFLIGHT)
      continue;
    if (a->tx_blocked) {
      a->timer_hint = a->now; /* not looked at: look again next time */
      break;
    }
    if (s->deadline_us <= a->now) {
      if (s->nretx >= a->cfg.max_retx) {
        assoc_end (a, ETIMEDOUT,
                   "%s frame %" PRIu32 " (%u bytes) was not acknowledged "
                   "after %u retransmissions: the peer is gone or the link "
                   "drops frames of this size (check the MTU)",
                   eth_type_string (s->type), seq, s->hlen + s->data_len,
                   s->nretx);
        return;
      }
      /* A timeout resends only the oldest few: a receiver that was
       * merely slow must not get the whole window again at once. */
      if (expired == ETH_RTO_BURST) {
        s->deadline_us = a->now + a->rto_us + a->reo_us;
        continue;
      }
      due = true;
      expired++;
      a->stats.timeouts++;
    }
    else if (a->have_sacked && seq_lt (seq, a->high_sacked) &&
             a->high_sacked - seq >= ETH_DUPTHRESH &&
             a->now - s->sent_us >= reorder_wait (a)) {
      due = true;
      a->stats.fast_retransmits++;
    }
    if (due) {
      a->stats.retransmits++;
      slot_send (a, s, true);
    }
    else if (s->deadline_us < a->timer_hint)
      a->timer_hint = s->deadline_us;
  }
  if (expired) {
    /* RFC 6298 5.5: back off until a fresh sample. */
    a->rto_us =
      a->rto_us > a->cfg.rto_max_us / 2 ? a->cfg.rto_max_us : a->rto_us * 2;
    rto_clamp (a);
  }
}

static bool
window_open (const struct eth_assoc *a)
{
  uint32_t inflight = a->snd_nxt - a->snd_una;
  uint32_t limit = a->tx_window < a->peer_wnd ? a->tx_window : a->peer_wnd;

  return inflight < limit;
}

/* Take the next sequence number for a slot built by the caller. */
static struct eth_slot *
slot_take (struct eth_assoc *a)
{
  struct eth_slot *s = ring_slot (a, a->snd_nxt);

  memset (s, 0, offsetof (struct eth_slot, hdr));
  s->seq = a->snd_nxt;
  s->cid = ETH_NO_CID;
  return s;
}

static void
slot_commit (struct eth_assoc *a, struct eth_slot *s)
{
  s->state = SLOT_INFLIGHT;
  a->snd_nxt++;
  if (s->cid != ETH_NO_CID)
    a->cmds[s->cid].unacked++;
  slot_send (a, s, false);
}

static void
send_new (struct eth_assoc *a)
{
  while (a->txq_head != ETH_NO_CID && window_open (a) && !a->tx_blocked) {
    uint16_t cid = a->txq_head;
    struct eth_slot *s = slot_take (a);

    if (!cmd_next_frame (a, cid, s)) {
      struct eth_cmd *c = &a->cmds[cid];

      a->txq_head = c->txq_next;
      if (a->txq_head == ETH_NO_CID)
        a->txq_tail = ETH_NO_CID;
      c->on_txq = false;
      continue;
    }
    slot_commit (a, s);
  }
}

static void
send_keepalive (struct eth_assoc *a)
{
  struct eth_slot *s;

  if (!window_open (a))
    return;
  s = slot_take (a);
  eth_hdr_fill (s->hdr, NVME_ETH_KEEPALIVE, NVME_ETH_F_ACK_REQ,
                sizeof (struct nvme_eth_hdr), sizeof (struct nvme_eth_hdr),
                a->cfg.qid, a->peer_id, a->params.local_id, s->seq);
  s->type = NVME_ETH_KEEPALIVE;
  s->hlen = sizeof (struct nvme_eth_hdr);
  a->stats.keepalives_sent++;
  slot_commit (a, s);
}

static void
send_ack (struct eth_assoc *a)
{
  uint8_t hdr[sizeof (struct nvme_eth_ack)];
  struct nvme_eth_ack *k = (struct nvme_eth_ack *) hdr;
  uint32_t span = a->rcv_high - a->rcv_nxt, nbits = 0, i;

  /* Bits for rcv_nxt + 1 .. rcv_high - 1, in whole bytes. */
  if (span > 1) {
    nbits = (span - 1 + 7) / 8 * 8;
    if (nbits > NVME_ETH_MAX_SACK_BITS)
      nbits = NVME_ETH_MAX_SACK_BITS;
    memset (a->sack_buf, 0, nbits / 8);
    for (i = 0; i < nbits; i++) {
      uint32_t bit = (a->rcv_nxt + 1 + i) % NVME_ETH_MAX_WINDOW;

      if (i + 1 < span && ((a->rcv_map[bit / 8] >> (bit % 8)) & 1))
        a->sack_buf[i / 8] |= (uint8_t) (1u << (i % 8));
    }
  }
  memset (k, 0, sizeof *k);
  eth_hdr_fill (k, NVME_ETH_ACK, NVME_ETH_F_ACK, sizeof *k,
                sizeof *k + nbits / 8, a->cfg.qid, a->peer_id,
                a->params.local_id, 0);
  PUT16 (k->nbits, (uint16_t) nbits);
  if (a->dsack_pending) {
    k->ack_flags = NVME_ETH_ACK_F_DSACK;
    PUT32 (k->dsack, a->dsack_seq);
    a->dsack_pending = false;
  }
  a->stats.acks_sent++;
  batch_add (a, k, sizeof *k, nbits ? a->sack_buf : NULL, nbits / 8, false);
}

void
tx_run (struct eth_assoc *a)
{
  bool holes;
  uint64_t before = a->stats.tx_frames + a->nbatch;

  a->tx_blocked = false;
  if (a->state != ETH_S_ESTABLISHED && a->state != ETH_S_CLOSING)
    return;
  retransmit (a);
  if (a->state == ETH_S_CLOSED)
    return;
  send_new (a);
  if (a->state == ETH_S_ESTABLISHED && !a->tx_blocked &&
      a->now - a->last_tx_us >= (uint64_t) a->params.ka_interval_ms * 1000 &&
      a->stats.tx_frames + a->nbatch == before)
    send_keepalive (a);
  /* Frames that went out carried the cumulative ack; holes need the
   * bitmap of an ACK frame. */
  holes = seq_lt (a->rcv_nxt + 1, a->rcv_high) || a->dsack_pending;
  if (a->ack_pending && !a->tx_blocked) {
    if (holes || a->stats.tx_frames + a->nbatch == before)
      send_ack (a);
    a->ack_pending = false;
  }
  batch_flush (a);
}

uint64_t
tx_next_deadline (const struct eth_assoc *a)
{
  uint64_t next = UINT64_MAX;
  uint32_t seq;

  if (a->snd_una == a->snd_nxt)
    return UINT64_MAX;
  if (!fast_candidates (a))
    return a->timer_hint;
  for (seq = a->snd_una; seq != a->snd_nxt; seq++) {
    const struct eth_slot *s = ring_slot_c (a, seq);

    if (s->state != SLOT_INFLIGHT)
      continue;
    if (s->deadline_us < next)
      next = s->deadline_us;
    if (a->have_sacked && seq_lt (seq, a->high_sacked) &&
        a->high_sacked - seq >= ETH_DUPTHRESH &&
        s->sent_us + reorder_wait (a) < next)
      next = s->sent_us + reorder_wait (a);
  }
  return next;
}

void
txq_push (struct eth_assoc *a, uint16_t cid)
{
  struct eth_cmd *c = &a->cmds[cid];

  if (c->on_txq)
    return;
  c->on_txq = true;
  c->txq_next = ETH_NO_CID;
  if (a->txq_tail == ETH_NO_CID)
    a->txq_head = cid;
  else
    a->cmds[a->txq_tail].txq_next = cid;
  a->txq_tail = cid;
}
