/* SPDX-License-Identifier: BSD-3-Clause */
/* Fuzz target for the host's reading of its AF_PACKET receive ring
 * (initiator/eth-ring.c, which eth_sock_rx runs, and what eth-rx.c does
 * with each frame: eth_assoc_input of the queue's association).  The
 * kernel writes the ring; here plain memory shaped like it is written by
 * a fake kernel from the input, with any header field or block descriptor
 * field overwritten on request, then walked by the real code, which hands
 * each frame to an established host association (connected, as in
 * fuzz-eth-frame, to a controller engine) with a read and a write
 * outstanding.
 *
 * The input: a mode byte, then records [ctl, len (le16), frame, value];
 * a record of len 0xFFFF has no frame: its value (le32) overwrites field
 * ctl bits 0-2 of the frame before (several fields of one frame).
 *   mode  bit 0     TPACKET_V3 (else V2);  bits 1-2  blocks - 1;
 *         bit 3     no options agreed;     bits 4-6  frames per walk
 *                                                    round (0: all);
 *         bit 7     blocks of 4096 bytes (else 8192).
 *   ctl   bits 0-2  the field that value (le32, after the frame)
 *                   overwrites once written: 0 tp_next_offset,
 *                   1 tp_snaplen, 2 tp_len, 3 tp_mac, 4 the block's
 *                   offset_to_first_pkt (V2: tp_status), 5 num_pkts,
 *                   6 blk_len, 7 block_status;
 *         bit 3     overwrite it;
 *         bit 4     aim: the frame's ids, queue, sequence, ack and CRC
 *                   made those the host expects next;
 *         bit 5     V3: the kernel closes its block after this frame;
 *         bit 6     walk the ring after this frame;
 *         bit 7     from another MAC than the controller's.
 * At the end the kernel closes its block and the ring is walked.
 *
 * Invariants: nothing outside a slot or block the kernel handed over is
 * read (ASan: the rest of the ring is poisoned during the walk, the ring
 * is its own allocation); every frame handed up lies in its slot, or in
 * the valid bytes of its block, after its Ethernet header; the
 * association counts exactly the frames and bytes handed to it; nothing
 * is written outside the commands' buffers (guard bytes, ASan); a close
 * comes with a one-line message.
 *
 * libFuzzer: scripts/fuzz.sh (make fuzz) builds and runs it.
 * Built-in driver (the unit test "unit/fuzz-eth-rx"): see driver.c.
 */
#include <config.h>

#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/ethernet.h>
#include <linux/if_packet.h>

#include "eth-int.h"
#include "eth-ring.h"
#include "driver.h"

#if defined(__SANITIZE_ADDRESS__)
#define HAVE_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HAVE_ASAN 1
#endif
#endif
#ifdef HAVE_ASAN
#include <sanitizer/asan_interface.h>
#define POISON(p, n)   ASAN_POISON_MEMORY_REGION (p, n)
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION (p, n)
#else
#define POISON(p, n)   ((void) (p), (void) (n))
#define UNPOISON(p, n) ((void) (p), (void) (n))
#endif

#define FAILED(...) \
  do { \
    fprintf (stderr, "fuzz-eth-rx: invariant failed at line %d: ", __LINE__); \
    fprintf (stderr, __VA_ARGS__); \
    fprintf (stderr, "\n"); \
    abort (); \
  } while (0)

#define MTU       1500
#define V2_MACOFF 66 /* where the kernel puts the Ethernet header */
#define V3_MACOFF 82
#define V3_O2FP   48 /* the block descriptor, aligned */
#define GUARD     64
#define NO_FRAME  0xFFFF

static const uint8_t host_mac[6] = { 2, 0, 0, 0, 0, 1 };
static const uint8_t ctrl_mac[6] = { 2, 0, 0, 0, 0, 2 };
static const uint8_t other_mac[6] = { 2, 0, 0, 0, 0, 9 };

/* ---- the two associations, as in fuzz-eth-frame ------------------------ */

#define QMAX 64
struct q {
  uint8_t buf[QMAX][1600];
  uint32_t len[QMAX];
  unsigned n;
};
static struct q to_ctrl, to_host;
static struct eth_assoc *host, *ctrl;
static bool host_closed, ctrl_closed;
static uint32_t options;
static uint64_t now_us = 1000000;

/* The commands' buffers, between guard bytes. */
static struct {
  uint8_t pre[GUARD];
  uint8_t rd[4096];
  uint8_t mid[GUARD];
  uint8_t wr[20000];
  uint8_t post[GUARD];
} bufs;
static uint8_t r2t_buf[20000];

static unsigned
tx (void *ctx, const struct eth_tx_frame *f, unsigned n)
{
  struct q *q = ctx == &host ? &to_ctrl : &to_host;
  unsigned i;

  for (i = 0; i < n && q->n < QMAX; i++) {
    uint32_t len = f[i].hdr_len + f[i].data_len;

    if (len > sizeof q->buf[0])
      continue;
    memcpy (q->buf[q->n], f[i].hdr, f[i].hdr_len);
    if (f[i].data_len)
      memcpy (q->buf[q->n] + f[i].hdr_len, f[i].data, f[i].data_len);
    q->len[q->n++] = len;
  }
  return n;
}

static void
closed (void *ctx, int err, const char *msg)
{
  size_t n = strlen (msg);

  (void) err;
  if (n == 0 || n >= 256 || strchr (msg, '\n'))
    FAILED ("closed message '%s'", msg);
  if (ctx == &host)
    host_closed = true;
  else
    ctrl_closed = true;
}

static void
complete (void *ctx, uint16_t cid, const struct nvme_cqe *cqe)
{
  (void) ctx;
  (void) cqe;
  if (cid >= 8)
    FAILED ("completion of CID %u on a queue of 8", cid);
}

static void
capsule (void *ctx, const struct nvme_sqe *sqe, const void *icd, uint32_t n)
{
  uint16_t cid = GET16 (sqe->cid);
  uint32_t len = GET32 (sqe->dptr.sgl.length);

  (void) ctx;
  (void) icd;
  (void) n;
  if (sqe->opcode == 1 && n == 0 && len && len <= sizeof r2t_buf)
    eth_ctrl_r2t (ctrl, cid, r2t_buf, len);
}

static void
data_ready (void *ctx, uint16_t cid)
{
  (void) ctx;
  (void) cid;
}

static const struct eth_callbacks host_cb = {
  .tx = tx,
  .closed = closed,
  .complete = complete,
};
static const struct eth_callbacks ctrl_cb = {
  .tx = tx,
  .closed = closed,
  .capsule = capsule,
  .data_ready = data_ready,
};

static void
deliver (struct q *q, bool to_ctrl_side)
{
  static struct q copy; /* what is delivered may queue more frames */
  unsigned i;

  for (i = 0; i < q->n; i++) {
    memcpy (copy.buf[i], q->buf[i], q->len[i]);
    copy.len[i] = q->len[i];
  }
  copy.n = q->n;
  q->n = 0;
  for (i = 0; i < copy.n; i++) {
    if (to_ctrl_side && ctrl == NULL) {
      struct eth_config c = { .role = ETH_ROLE_CTRL,
                              .qid = 1,
                              .queue_depth = 8,
                              .max_frame = MTU,
                              .rx_window = 32,
                              .tx_window = 32,
                              .icd_max = 4096,
                              .options = NVME_ETH_OPT_ALL,
                              .local_id = 0x22222222,
                              .isn = 0x80000000,
                              .cb = &ctrl_cb,
                              .ctx = &ctrl };
      struct eth_frame f;
      struct eth_error e;
      char err[256];

      if (eth_frame_parse (copy.buf[i], copy.len[i], &f, &e) < 0 ||
          f.type != NVME_ETH_ASSOC_REQ)
        continue;
      ctrl = eth_assoc_new (&c, err, sizeof err);
      if (ctrl == NULL)
        FAILED ("%s", err);
      eth_assoc_accept (ctrl, host_mac, &f, now_us);
      continue;
    }
    if (to_ctrl_side)
      eth_assoc_input (ctrl, host_mac, copy.buf[i], copy.len[i], now_us);
    else
      eth_assoc_input (host, ctrl_mac, copy.buf[i], copy.len[i], now_us);
  }
}

static void
pump (void)
{
  unsigned round;

  for (round = 0; round < 32 && (to_ctrl.n || to_host.n); round++) {
    deliver (&to_ctrl, true);
    deliver (&to_host, false);
    eth_assoc_poll (host, now_us);
    if (ctrl)
      eth_assoc_poll (ctrl, now_us);
  }
}

static void
setup (void)
{
  struct eth_config h = { .role = ETH_ROLE_HOST,
                          .qid = 1,
                          .queue_depth = 8,
                          .max_frame = MTU,
                          .rx_window = 32,
                          .tx_window = 32,
                          .options = options,
                          .local_id = 0x11111111,
                          .isn = 0xFFFFFFF8,
                          .peer_mac = { 2, 0, 0, 0, 0, 2 },
                          .cb = &host_cb,
                          .ctx = &host };
  struct nvme_sqe sqe;
  char err[256];

  eth_assoc_free (host);
  eth_assoc_free (ctrl);
  host = ctrl = NULL;
  to_ctrl.n = to_host.n = 0;
  host_closed = ctrl_closed = false;
  memset (&bufs, 0xA5, sizeof bufs);
  host = eth_assoc_new (&h, err, sizeof err);
  if (host == NULL)
    FAILED ("%s", err);
  eth_assoc_connect (host, now_us);
  pump ();
  if (ctrl == NULL || eth_assoc_state (host) != ETH_S_ESTABLISHED)
    FAILED ("the pair did not establish");
  memset (&sqe, 0, sizeof sqe);
  sqe.opcode = 2;
  PUT16 (sqe.cid, 1);
  eth_host_submit (host, &sqe, bufs.rd, sizeof bufs.rd, ETH_DIR_C2H);
  sqe.opcode = 1;
  PUT16 (sqe.cid, 2);
  eth_host_submit (host, &sqe, bufs.wr, sizeof bufs.wr, ETH_DIR_H2C);
  eth_assoc_poll (host, now_us);
  pump ();
}

static void
check_guards (void)
{
  unsigned i;

  for (i = 0; i < GUARD; i++)
    if (bufs.pre[i] != 0xA5 || bufs.mid[i] != 0xA5 || bufs.post[i] != 0xA5)
      FAILED ("a write outside the commands' buffers (guard byte %u)", i);
}

/* ---- the ring and the fake kernel writing it ---------------------------- */

static struct eth_ring ring;
static size_t ring_len;
/* The kernel: the block (V3) or slot (V2) it fills, and in a V3 block the
 * offset of the next frame and of the last one (0: block not opened). */
static unsigned kcur;
static uint32_t koff, klast, knum;
/* Overwrites of the block being filled, applied when it closes. */
static struct {
  uint32_t pkt;
  uint8_t field;
  uint32_t value;
} pending[64];
static unsigned nr_pending;
/* What the walk handed up; the slot or block it read last, and how many
 * frames it handed from there: one per slot, and in a block no more than
 * headers fit (each frame's header lies further on than the one before:
 * a chain that stalls or loops must not hand the same frames again). */
static uint64_t handed, handed_bytes;
static unsigned last_cur, from_cur;

static struct tpacket_block_desc *
kblock (unsigned i)
{
  return (struct tpacket_block_desc *) (ring.base +
                                        (size_t) i * ring.block_size);
}

static struct tpacket2_hdr *
kslot (unsigned i)
{
  return (struct tpacket2_hdr *) (ring.base +
                                  (size_t) (i / ring.frames_per_block) *
                                    ring.block_size +
                                  (size_t) (i % ring.frames_per_block) *
                                    ring.frame_size);
}

static void
overwrite_v3 (struct tpacket_block_desc *b, uint32_t pkt, uint8_t field,
              uint32_t v)
{
  struct tpacket3_hdr *p = (struct tpacket3_hdr *) ((uint8_t *) b + pkt);

  switch (field) {
  case 0:
    p->tp_next_offset = v;
    break;
  case 1:
    p->tp_snaplen = v;
    break;
  case 2:
    p->tp_len = v;
    break;
  case 3:
    p->tp_mac = (uint16_t) v;
    break;
  case 4:
    b->hdr.bh1.offset_to_first_pkt = v;
    break;
  case 5:
    b->hdr.bh1.num_pkts = v;
    break;
  case 6:
    b->hdr.bh1.blk_len = v;
    break;
  default:
    b->hdr.bh1.block_status = v;
    break;
  }
}

static void
overwrite_v2 (struct tpacket2_hdr *h, uint8_t field, uint32_t v)
{
  switch (field) {
  case 0:
    break; /* (V2 has no chain) */
  case 1:
    h->tp_snaplen = v;
    break;
  case 2:
    h->tp_len = v;
    break;
  case 3:
    h->tp_mac = (uint16_t) v;
    break;
  default:
    h->tp_status = v;
    break;
  }
}

/* Another field of the frame put last (V3: if its block is still open). */
static void
kernel_overwrite (uint8_t field, uint32_t value)
{
  if (ring.version == TPACKET_V2)
    overwrite_v2 (kslot ((kcur + ring.nr_frames - 1) % ring.nr_frames), field,
                  value);
  else if (knum && nr_pending < sizeof pending / sizeof pending[0])
    pending[nr_pending++] =
      (typeof (pending[0])){ .pkt = klast, .field = field, .value = value };
}

/* The kernel hands block kcur over (its timer, or the next frame does not
 * fit) and moves on. */
static void
close_block (void)
{
  struct tpacket_block_desc *b = kblock (kcur);
  unsigned i;

  if (koff == 0)
    return;
  if (knum)
    ((struct tpacket3_hdr *) ((uint8_t *) b + klast))->tp_next_offset = 0;
  b->hdr.bh1.num_pkts = knum;
  b->hdr.bh1.blk_len = koff;
  b->hdr.bh1.block_status = TP_STATUS_USER;
  for (i = 0; i < nr_pending; i++)
    overwrite_v3 (b, pending[i].pkt, pending[i].field, pending[i].value);
  nr_pending = 0;
  koff = knum = 0;
  kcur = (kcur + 1) % ring.nr_blocks;
}

/* The frame eth (len bytes with its Ethernet header) into the ring, as the
 * kernel would put it; then the overwrite asked for, if any. */
static void
kernel_put (const uint8_t *eth, uint32_t len, bool over, uint8_t field,
            uint32_t value)
{
  if (ring.version == TPACKET_V2) {
    struct tpacket2_hdr *h = kslot (kcur);
    uint32_t snap = len;

    if (h->tp_status != TP_STATUS_KERNEL)
      return; /* the ring is full: dropped */
    if (snap > ring.frame_size - V2_MACOFF)
      snap = ring.frame_size - V2_MACOFF;
    memset (h, 0, sizeof *h);
    h->tp_len = len;
    h->tp_snaplen = snap;
    h->tp_mac = V2_MACOFF;
    memcpy ((uint8_t *) h + V2_MACOFF, eth, snap);
    h->tp_status = TP_STATUS_USER;
    kcur = (kcur + 1) % ring.nr_frames;
    if (over)
      overwrite_v2 (h, field, value);
  }
  else {
    uint32_t max = ring.block_size - V3_O2FP - V3_MACOFF, snap = len;
    struct tpacket_block_desc *b;
    struct tpacket3_hdr *p;

    if (snap > max)
      snap = max;
    if (koff && koff + V3_MACOFF + snap > ring.block_size)
      close_block ();
    b = kblock (kcur);
    if (koff == 0) {
      if (b->hdr.bh1.block_status != TP_STATUS_KERNEL)
        return; /* the ring is full: dropped */
      memset (b, 0, sizeof *b);
      b->version = TPACKET_V3;
      b->hdr.bh1.offset_to_first_pkt = V3_O2FP;
      koff = V3_O2FP;
    }
    if (knum)
      ((struct tpacket3_hdr *) ((uint8_t *) b + klast))->tp_next_offset =
        koff - klast;
    p = (struct tpacket3_hdr *) ((uint8_t *) b + koff);
    memset (p, 0, sizeof *p);
    p->tp_len = len;
    p->tp_snaplen = snap;
    p->tp_mac = V3_MACOFF;
    p->tp_status = TP_STATUS_USER;
    memcpy ((uint8_t *) p + V3_MACOFF, eth, snap);
    klast = koff;
    koff = TPACKET_ALIGN (koff + V3_MACOFF + snap);
    if (koff > ring.block_size)
      koff = ring.block_size;
    knum++;
    if (over)
      kernel_overwrite (field, value);
  }
}

/* What a slot or block handed over may show: all of it while the walker
 * owns it, the status word (the descriptor for a block) of the others. */
static void
poison_ring (void)
{
  unsigned i;

  POISON (ring.base, ring_len);
  if (ring.version == TPACKET_V2) {
    for (i = 0; i < ring.nr_frames; i++) {
      struct tpacket2_hdr *h = kslot (i);

      UNPOISON (&h->tp_status, sizeof h->tp_status);
      if (h->tp_status & TP_STATUS_USER)
        UNPOISON (h, ring.frame_size);
    }
  }
  else {
    for (i = 0; i < ring.nr_blocks; i++) {
      struct tpacket_block_desc *b = kblock (i);

      UNPOISON (b, sizeof *b);
      if ((b->hdr.bh1.block_status & TP_STATUS_USER) ||
          (i == ring.cur && ring.in_block))
        UNPOISON (b, ring.block_size);
    }
  }
}

/* eth-rx.c's on_frame, checking first where the frame lies. */
static void
on_frame (void *ctx, const uint8_t src[6], const uint8_t *frame, size_t len)
{
  const uint8_t *lo, *hi;

  (void) ctx;
  if (ring.version == TPACKET_V2) {
    lo = (const uint8_t *) kslot (ring.cur);
    hi = lo + ring.frame_size;
  }
  else {
    const struct tpacket_block_desc *b = kblock (ring.cur);

    lo = (const uint8_t *) b;
    hi = lo + b->hdr.bh1.blk_len;
    if (b->hdr.bh1.blk_len > ring.block_size)
      FAILED ("a frame of a block of %u valid bytes in %u", b->hdr.bh1.blk_len,
              ring.block_size);
  }
  if (src != frame - 8 || src - 6 < lo || frame > hi ||
      len > (size_t) (hi - frame))
    FAILED ("a frame of %zu bytes at %td outside its %s at %td+%td", len,
            frame - ring.base, ring.version == TPACKET_V2 ? "slot" : "block",
            lo - ring.base, hi - lo);
  if (len > 0xFFFF)
    FAILED ("a frame of %zu bytes", len);
  if (ring.cur != last_cur)
    from_cur = 0;
  last_cur = ring.cur;
  if (++from_cur > (ring.version == TPACKET_V2 ?
                      1 :
                      (ring.block_size - sizeof (struct tpacket_block_desc)) /
                        sizeof (struct tpacket3_hdr)))
    FAILED ("%u frames handed from %s %u", from_cur,
            ring.version == TPACKET_V2 ? "slot" : "block", ring.cur);
  handed++;
  handed_bytes += len;
  eth_assoc_input (host, src, frame, len, now_us);
}

/* Hand what waits to the association, a round at a time, as eth_round. */
static void
walk (unsigned max)
{
  unsigned round;

  last_cur = UINT32_MAX;
  for (round = 0; round < 64; round++) {
    uint64_t rx = eth_assoc_stats (host)->rx_frames;
    uint64_t bytes = eth_assoc_stats (host)->rx_bytes;
    int n;

    handed = handed_bytes = 0;
    poison_ring ();
    n = eth_ring_rx (&ring, on_frame, NULL, max);
    UNPOISON (ring.base, ring_len);
    if (n < 0 || (uint64_t) n != handed || (max && (unsigned) n > max))
      FAILED ("eth_ring_rx returned %d, handed %" PRIu64 " (max %u)", n, handed,
              max);
    if (eth_assoc_stats (host)->rx_frames - rx != handed ||
        eth_assoc_stats (host)->rx_bytes - bytes != handed_bytes)
      FAILED ("the association counted %" PRIu64 " frames of %" PRIu64
              " handed",
              eth_assoc_stats (host)->rx_frames - rx, handed);
    eth_assoc_poll (host, now_us);
    pump ();
    if (n == 0)
      break;
  }
}

/* Make the frame the next the host expects (as fuzz-eth-frame's aim). */
static void
aim (uint8_t *buf, size_t len, uint32_t nth)
{
  struct nvme_eth_hdr *h = (struct nvme_eth_hdr *) buf;
  uint32_t length;

  if (len < sizeof *h)
    return;
  PUT32 (h->dst_assoc, host->params.local_id);
  PUT32 (h->src_assoc, host->peer_id);
  PUT16 (h->qid, host->cfg.qid);
  PUT32 (h->seq, host->rcv_nxt + nth);
  PUT32 (h->ack, host->snd_una);
  length = GET16 (h->length);
  if (length >= sizeof *h && length <= len && h->hlen <= length)
    eth_frame_seal (buf, h->hlen, buf + h->hlen,
                    h->flags & NVME_ETH_F_HCRC ? 0 : length - h->hlen);
}

static void
ring_new (uint8_t mode)
{
  free (ring.base);
  memset (&ring, 0, sizeof ring);
  ring.version = mode & 1 ? TPACKET_V3 : TPACKET_V2;
  ring.nr_blocks = 1u + (mode >> 1 & 3);
  ring.block_size = mode & 0x80 ? 4096 : 8192;
  if (ring.version == TPACKET_V2) {
    ring.frame_size =
      TPACKET_ALIGN (TPACKET_ALIGN (TPACKET2_HDRLEN) + 16 + ETH_HLEN + MTU);
    ring.frames_per_block = ring.block_size / ring.frame_size;
    ring.nr_frames = ring.frames_per_block * ring.nr_blocks;
  }
  ring_len = (size_t) ring.block_size * ring.nr_blocks;
  /* Its own allocation, exactly: ASan sees a read past either end. */
  ring.base = calloc (1, ring_len);
  if (ring.base == NULL)
    FAILED ("out of memory");
  kcur = koff = klast = knum = nr_pending = 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  uint8_t mode, eth[ETH_HLEN + 2048];
  unsigned max;
  uint32_t aimed = 0;
  size_t pos = 1;

  if (size < 1)
    return 0;
  mode = data[0];
  max = mode >> 4 & 7;
  now_us += 1000;
  if (host == NULL || host_closed || ctrl_closed ||
      (options == 0) != ((mode & 8) != 0)) {
    options = mode & 8 ? 0 : NVME_ETH_OPT_ALL;
    setup ();
  }
  ring_new (mode);
  while (pos + 3 <= size) {
    uint8_t ctl = data[pos];
    size_t len = get_le16 (data + pos + 1);
    uint32_t value = 0xFFFFFFFF;

    pos += 3;
    if (len == NO_FRAME) {
      if (size - pos >= 4) {
        value = get_le32 (data + pos);
        pos += 4;
      }
      kernel_overwrite (ctl & 7, value);
      continue;
    }
    if (len > size - pos)
      len = size - pos;
    if (len > sizeof eth - ETH_HLEN)
      len = sizeof eth - ETH_HLEN;
    memcpy (eth, host_mac, 6);
    memcpy (eth + 6, ctl & 0x80 ? other_mac : ctrl_mac, 6);
    eth[12] = 0x88;
    eth[13] = 0xB5;
    memcpy (eth + ETH_HLEN, data + pos, len);
    pos += len;
    if ((ctl & 8) && size - pos >= 4) {
      value = get_le32 (data + pos);
      pos += 4;
    }
    if (ctl & 0x10)
      aim (eth + ETH_HLEN, len, aimed++);
    kernel_put (eth, (uint32_t) (ETH_HLEN + len), ctl & 8, ctl & 7, value);
    if ((ctl & 0x20) && ring.version == TPACKET_V3)
      close_block ();
    if (ctl & 0x40) {
      walk (max);
      aimed = 0;
    }
  }
  if (ring.version == TPACKET_V3)
    close_block ();
  walk (max);
  eth_assoc_poll (host, now_us);
  pump ();
  check_guards ();
  return 0;
}

#ifndef FUZZ_LIBFUZZER
/* ---- Seeds for the built-in driver (driver.c): rings of frames the host
 * takes, in both versions, and the field overwrites that once read
 * outside the ring. */

static size_t
frame (uint8_t *buf, uint8_t type, uint32_t data_len)
{
  unsigned hlen = nvme_eth_hlen (type);

  memset (buf, 0, hlen + data_len);
  eth_hdr_fill (buf, type, NVME_ETH_F_ACK, (uint8_t) hlen, hlen + data_len, 1,
                0, 0, 0);
  put_le16 (buf + 24, 32);
  switch (type) {
  case NVME_ETH_C2H_DATA:
    put_le16 (buf + 32, 1);
    put_le32 (buf + 40, data_len);
    break;
  case NVME_ETH_RSP:
    put_le16 (buf + 32 + 10, 1);
    put_le16 (buf + 32 + 12, 1);
    put_le32 (buf + 48, 4096);
    break;
  case NVME_ETH_R2T:
    put_le16 (buf + 32, 2);
    put_le32 (buf + 40, 20000);
    break;
  default:
    break;
  }
  eth_frame_seal (buf, hlen, buf + hlen, data_len);
  return hlen + data_len;
}

#define ONLY 0xFF /* a record without a frame, only the overwrite */

/* A record: ctl, the frame, and the overwrite's value if ctl asks. */
static size_t
record (uint8_t *p, uint8_t ctl, uint8_t type, uint32_t data_len,
        uint32_t value)
{
  size_t n;

  if (type == ONLY) {
    p[0] = ctl;
    put_le16 (p + 1, NO_FRAME);
    put_le32 (p + 3, value);
    return 7;
  }
  n = frame (p + 3, type, data_len);

  p[0] = ctl;
  put_le16 (p + 1, (uint16_t) n);
  if (ctl & 8) {
    put_le32 (p + 3 + n, value);
    n += 4;
  }
  return 3 + n;
}

static size_t
seed (size_t i, uint8_t *buf, size_t cap)
{
  /* Each seed: a mode, then frames (type, data, ctl, overwrite value). */
  static const struct {
    uint8_t mode;
    struct {
      uint8_t ctl, type;
      uint16_t data;
      uint32_t value;
    } f[4];
  } s[] = {
    /* Well-formed: data and the response, in one block or walked apart. */
    { 0x01,
      { { 0x10, NVME_ETH_C2H_DATA, 1024, 0 },
        { 0x10, NVME_ETH_C2H_DATA, 1024, 0 },
        { 0x10, NVME_ETH_RSP, 0, 0 } } },
    { 0x00,
      { { 0x10, NVME_ETH_C2H_DATA, 1024, 0 },
        { 0x50, NVME_ETH_RSP, 0, 0 },
        { 0x10, NVME_ETH_KEEPALIVE, 0, 0 } } },
    { 0x13,
      { { 0x30, NVME_ETH_R2T, 0, 0 },
        { 0x70, NVME_ETH_KEEPALIVE, 0, 0 },
        { 0x10, NVME_ETH_C2H_DATA, 1400, 0 },
        { 0x10, NVME_ETH_RSP, 0, 0 } } },
    { 0x27,
      { { 0x10, NVME_ETH_C2H_DATA, 1400, 0 },
        { 0x10, NVME_ETH_C2H_DATA, 1400, 0 },
        { 0x10, NVME_ETH_C2H_DATA, 1200, 0 },
        { 0x90, NVME_ETH_RSP, 0, 0 } } },
    { 0x85,
      { { 0x10, NVME_ETH_C2H_DATA, 1400, 0 },
        { 0x10, NVME_ETH_C2H_DATA, 1400, 0 },
        { 0x10, NVME_ETH_C2H_DATA, 1200, 0 } } },
    { 0x08,
      { { 0x10, NVME_ETH_KEEPALIVE, 0, 0 }, { 0x00, NVME_ETH_TERM, 8, 0 } } },
    /* V2: tp_mac + tp_snaplen wrapping in 32 bits (once handed up a
     * frame of 4 GiB). */
    { 0x00,
      { { 0x19, NVME_ETH_KEEPALIVE, 0, 0xFFFFFF10 },
        { 0x0A, ONLY, 0, 0xFFFFFF10 },
        { 0x0B, ONLY, 0, 0x0100 } } },
    /* V3: the first frame far outside the block. */
    { 0x01, { { 0x1C, NVME_ETH_KEEPALIVE, 0, 0x00100000 } } },
    /* V3: a chain leaving the block, then a chain that stalls. */
    { 0x01,
      { { 0x18, NVME_ETH_KEEPALIVE, 0, 0x7FFFFFF0 },
        { 0x10, NVME_ETH_KEEPALIVE, 0, 0 } } },
    { 0x01,
      { { 0x10, NVME_ETH_KEEPALIVE, 0, 0 },
        { 0x10, NVME_ETH_KEEPALIVE, 0, 0 },
        { 0x0D, ONLY, 0, 100000 } } },
    /* V3: blk_len beyond the block, a misaligned first frame. */
    { 0x01, { { 0x1E, NVME_ETH_C2H_DATA, 512, 0x40000 } } },
    { 0x01, { { 0x1C, NVME_ETH_C2H_DATA, 512, 49 } } },
    /* Snap shorter than the frame, an odd tp_mac. */
    { 0x01,
      { { 0x19, NVME_ETH_C2H_DATA, 512, 20 },
        { 0x1B, NVME_ETH_RSP, 0, 8191 } } },
    { 0x00,
      { { 0x19, NVME_ETH_C2H_DATA, 512, 20 }, { 0x1C, NVME_ETH_RSP, 0, 0 } } },
  };
  static uint8_t tmp[8192];
  size_t n = 1;
  unsigned k;

  if (i >= sizeof s / sizeof s[0])
    return 0;
  tmp[0] = s[i].mode;
  for (k = 0; k < 4 && s[i].f[k].type; k++)
    n += record (tmp + n, s[i].f[k].ctl, s[i].f[k].type, s[i].f[k].data,
                 s[i].f[k].value);
  if (n > cap)
    n = cap;
  memcpy (buf, tmp, n);
  return n;
}

static const char *const tokens[] = {
  "\x10\x00\x00",
  "\x50\x00\x00",
  "\x30\x00\x00",
  "\x18",
  "\x1c",
  "\x1d",
  "\x1e",
  "\x1f",
  "\xff\xff\xff\xff",
  "\x00\x00\x00\x00",
  "\x30\x00\x00\x00",
  "\xf0\xff\xff\x7f",
  "\x00\x20\x00\x00",
  "\x01",
  "\x11",
  "\x14",
};

const struct fuzz_target fuzz_target = {
  .name = "fuzz-eth-rx",
  .what = "the host's AF_PACKET receive ring walk and frame hand-up",
  .seed = seed,
  .tokens = tokens,
  .nr_tokens = sizeof tokens / sizeof tokens[0],
};
#endif /* !FUZZ_LIBFUZZER */
