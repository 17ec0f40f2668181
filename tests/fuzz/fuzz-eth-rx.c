/* SPDX-License-Identifier: BSD-3-Clause */
/* Fuzz target for the host's reading of its AF_PACKET receive ring
 * (initiator/eth-ring.c, which eth_sock_rx runs, and what eth-rx.c does
 * with each frame: eth_assoc_input of the queue's association).  The
 * kernel writes the ring; here plain memory shaped like it is written by
 * a fake kernel from the input, with any header field or block descriptor
 * field overwritten on request, then walked by the real code, which hands
 * each frame to an established host association (connected to a
 * controller association by a link in memory: eth-link-mem.c) with a
 * read and a write outstanding.
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

#include "eth-link-mem.h"
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

#define V2_MACOFF 66 /* where the kernel puts the Ethernet header */
#define V3_MACOFF 82
#define V3_O2FP   48 /* the block descriptor, aligned */
#define GUARD     64
#define NO_FRAME  0xFFFF

static const uint8_t other_mac[6] = { 2, 0, 0, 0, 0, 9 };

/* ---- the commands' buffers -------------------------------------------- */

/* Between guard bytes. */
static struct {
  uint8_t pre[GUARD];
  uint8_t rd[4096];
  uint8_t mid[GUARD];
  uint8_t wr[20000];
  uint8_t post[GUARD];
} bufs;

static void
setup (uint32_t options)
{
  pair_teardown (); /* before the guards are written */
  memset (&bufs, 0xA5, sizeof bufs);
  pair_setup (options, bufs.rd, sizeof bufs.rd, bufs.wr, sizeof bufs.wr);
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
  eth_assoc_input (pair.host, src, frame, len, pair.now_us);
}

/* Hand what waits to the association, a round at a time, as eth_round. */
static void
walk (unsigned max)
{
  unsigned round;

  last_cur = UINT32_MAX;
  for (round = 0; round < 64; round++) {
    uint64_t rx = eth_assoc_stats (pair.host)->rx_frames -
                  eth_assoc_stats (pair.host)->rx_packed;
    uint64_t bytes = eth_assoc_stats (pair.host)->rx_bytes;
    int n;

    handed = handed_bytes = 0;
    poison_ring ();
    n = eth_ring_rx (&ring, on_frame, NULL, max);
    UNPOISON (ring.base, ring_len);
    if (n < 0 || (uint64_t) n != handed || (max && (unsigned) n > max))
      FAILED ("eth_ring_rx returned %d, handed %" PRIu64 " (max %u)", n, handed,
              max);
    /* A pack's later frames are counted apart (rx_packed). */
    if (eth_assoc_stats (pair.host)->rx_frames -
            eth_assoc_stats (pair.host)->rx_packed - rx !=
          handed ||
        eth_assoc_stats (pair.host)->rx_bytes - bytes != handed_bytes)
      FAILED ("the association counted %" PRIu64 " frames of %" PRIu64
              " handed",
              eth_assoc_stats (pair.host)->rx_frames -
                eth_assoc_stats (pair.host)->rx_packed - rx,
              handed);
    eth_assoc_poll (pair.host, pair.now_us);
    pair_pump ();
    if (n == 0)
      break;
  }
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
    ring.frame_size = TPACKET_ALIGN (TPACKET_ALIGN (TPACKET2_HDRLEN) + 16 +
                                     ETH_HLEN + PAIR_MTU);
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
  pair.now_us += 1000;
  if (pair.host == NULL || pair.host_closed || pair.ctrl_closed ||
      (pair.options == 0) != ((mode & 8) != 0))
    setup (mode & 8 ? 0 : NVME_ETH_OPT_ALL);
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
    memcpy (eth, pair_host_mac, 6);
    memcpy (eth + 6, ctl & 0x80 ? other_mac : pair_ctrl_mac, 6);
    eth[12] = 0x88;
    eth[13] = 0xB5;
    memcpy (eth + ETH_HLEN, data + pos, len);
    pos += len;
    if ((ctl & 8) && size - pos >= 4) {
      value = get_le32 (data + pos);
      pos += 4;
    }
    if (ctl & 0x10)
      pair_aim (eth + ETH_HLEN, len, pair.host, aimed++, true, 0);
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
  eth_assoc_poll (pair.host, pair.now_us);
  pair_pump ();
  check_guards ();
  return 0;
}

#ifndef FUZZ_LIBFUZZER
/* ---- Seeds for the built-in driver (driver.c): rings of frames the host
 * takes, in both versions, and the field overwrites that once read
 * outside the ring. */

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
  n = pair_frame (p + 3, type, 0, data_len);

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
