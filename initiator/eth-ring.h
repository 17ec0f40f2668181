/* SPDX-License-Identifier: BSD-3-Clause */
/* The AF_PACKET receive ring that eth-sock.c maps (TPACKET_V2 slots or
 * TPACKET_V3 blocks), walked here apart from the socket so that the fuzz
 * harness tests/fuzz/fuzz-eth-rx.c runs the same code over plain memory
 * shaped like the kernel's.  A leaf: no system call, no allocation.
 *
 * The kernel writes every field read here (block descriptors, tpacket2 and
 * tpacket3 headers), but each is checked before use all the same: a frame
 * is handed up only if it lies whole inside its slot, or inside the valid
 * bytes (blk_len) of its block; a block whose first frame or chain of
 * tp_next_offset leaves it, or goes backwards, is given back with the
 * frames found so far.  Nothing outside the slot or block is ever read. */
#ifndef NVMEOF_ETH_RING_H
#define NVMEOF_ETH_RING_H

#include <stdbool.h>
#include <stdint.h>

#include "eth-sock.h"

struct eth_ring {
  int version;   /* TPACKET_V2 or TPACKET_V3 */
  uint8_t *base; /* nr_blocks blocks of block_size bytes */
  unsigned block_size, nr_blocks;
  unsigned frame_size, frames_per_block, nr_frames; /* V2 */
  unsigned cur;  /* the block (V3) or slot (V2) read next */
  bool in_block; /* V3: block cur is being read ... */
  uint32_t pkt;  /* ... its next frame at this offset */
  unsigned left; /* ... with this many frames not read yet */
};

/* Hand every frame waiting (up to max; 0: all) to fn, giving each slot
 * or block back to the kernel once read.  Returns the number handed. */
int eth_ring_rx (struct eth_ring *r, eth_sock_rx_fn fn, void *ctx,
                 unsigned max);
/* Whether a frame (or a block of them) waits. */
bool eth_ring_ready (const struct eth_ring *r);

#endif /* NVMEOF_ETH_RING_H */
