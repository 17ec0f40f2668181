/* SPDX-License-Identifier: BSD-3-Clause */
/* Walking the AF_PACKET receive ring (eth-ring.h): every offset and length
 * the kernel wrote is checked against the slot or block before it is used,
 * in size_t so that no sum of 32-bit fields wraps. */
#include <config.h>

#include <stddef.h>
#include <stdint.h>
#include <net/ethernet.h>
#include <linux/if_packet.h>

#include "eth-ring.h"

static struct tpacket_block_desc *
block (const struct eth_ring *r, unsigned i)
{
  return (struct tpacket_block_desc *) (r->base + (size_t) i * r->block_size);
}

/* Start block cur: the offset of its first frame and how many it holds.
 * A descriptor that does not fit its block gives no frame. */
static void
start_block (struct eth_ring *r, const struct tpacket_block_desc *b)
{
  r->in_block = true;
  r->left = b->hdr.bh1.num_pkts;
  r->pkt = b->hdr.bh1.offset_to_first_pkt;
  if (b->hdr.bh1.blk_len > r->block_size || r->pkt < sizeof *b)
    r->left = 0;
}

/* The frame at r->pkt of block b (whose valid bytes end at end): its
 * header must lie there, aligned; the next frame must follow it (a chain
 * that stalls or loops would hand the same frames again and again).
 * Returns the frame's header, or NULL when the block can give no more. */
static const struct tpacket3_hdr *
next_v3 (struct eth_ring *r, const uint8_t *b, size_t end)
{
  const struct tpacket3_hdr *p;
  size_t off = r->pkt;

  if (off % _Alignof(struct tpacket3_hdr) != 0 || off > end ||
      end - off < sizeof *p) {
    r->left = 0;
    return NULL;
  }
  p = (const struct tpacket3_hdr *) (b + off);
  r->left--;
  if (r->left > 0) {
    if (p->tp_next_offset < sizeof *p ||
        p->tp_next_offset > end - off - sizeof *p)
      r->left = 0; /* this one is the last */
    else
      r->pkt = (uint32_t) (off + p->tp_next_offset);
  }
  return p;
}

static int
rx_v3 (struct eth_ring *r, eth_sock_rx_fn fn, void *ctx, unsigned max)
{
  int handed = 0;

  for (;;) {
    struct tpacket_block_desc *b = block (r, r->cur);
    const uint8_t *start = (const uint8_t *) b;
    size_t end;

    if (!r->in_block) {
      if (!(__atomic_load_n (&b->hdr.bh1.block_status, __ATOMIC_ACQUIRE) &
            TP_STATUS_USER))
        return handed;
      start_block (r, b);
    }
    end =
      b->hdr.bh1.blk_len < r->block_size ? b->hdr.bh1.blk_len : r->block_size;
    while (r->left > 0) {
      const struct tpacket3_hdr *p;
      size_t at;
      uint32_t snap;

      if (max && (unsigned) handed >= max)
        return handed;
      p = next_v3 (r, start, end);
      if (p == NULL)
        break;
      at = (size_t) ((const uint8_t *) p - start);
      snap = p->tp_snaplen;
      /* In the block, whole, with our EtherType (the filter checked). */
      if ((size_t) p->tp_mac + snap > end - at || snap < ETH_HLEN ||
          snap != p->tp_len)
        continue;
      fn (ctx, start + at + p->tp_mac + 6, start + at + p->tp_mac + ETH_HLEN,
          snap - ETH_HLEN);
      handed++;
    }
    r->in_block = false;
    __atomic_store_n (&b->hdr.bh1.block_status, TP_STATUS_KERNEL,
                      __ATOMIC_RELEASE);
    r->cur = (r->cur + 1) % r->nr_blocks;
  }
}

static struct tpacket2_hdr *
slot (const struct eth_ring *r, unsigned i)
{
  return (
    struct tpacket2_hdr *) (r->base +
                            (size_t) (i / r->frames_per_block) * r->block_size +
                            (size_t) (i % r->frames_per_block) * r->frame_size);
}

static int
rx_v2 (struct eth_ring *r, eth_sock_rx_fn fn, void *ctx, unsigned max)
{
  int handed = 0;

  while (!max || (unsigned) handed < max) {
    struct tpacket2_hdr *h = slot (r, r->cur);
    uint32_t snap;

    if (!(__atomic_load_n (&h->tp_status, __ATOMIC_ACQUIRE) & TP_STATUS_USER))
      break;
    snap = h->tp_snaplen;
    /* (In size_t: tp_mac + tp_snaplen in 32 bits wraps to a small sum
     * for a tp_snaplen near 4 GiB.) */
    if ((size_t) h->tp_mac + snap <= r->frame_size && snap >= ETH_HLEN &&
        snap == h->tp_len) {
      const uint8_t *eth = (const uint8_t *) h + h->tp_mac;

      fn (ctx, eth + 6, eth + ETH_HLEN, snap - ETH_HLEN);
      handed++;
    }
    __atomic_store_n (&h->tp_status, TP_STATUS_KERNEL, __ATOMIC_RELEASE);
    r->cur = (r->cur + 1) % r->nr_frames;
  }
  return handed;
}

int
eth_ring_rx (struct eth_ring *r, eth_sock_rx_fn fn, void *ctx, unsigned max)
{
  return r->version == TPACKET_V3 ? rx_v3 (r, fn, ctx, max) :
                                    rx_v2 (r, fn, ctx, max);
}

bool
eth_ring_ready (const struct eth_ring *r)
{
  if (r->version == TPACKET_V2)
    return __atomic_load_n (&slot (r, r->cur)->tp_status, __ATOMIC_ACQUIRE) &
           TP_STATUS_USER;
  return r->in_block ||
         (__atomic_load_n (&block (r, r->cur)->hdr.bh1.block_status,
                           __ATOMIC_ACQUIRE) &
          TP_STATUS_USER);
}
