/* SPDX-License-Identifier: BSD-3-Clause */
/* The fixture fuzz-eth-frame and fuzz-eth-rx share: a host and a
 * controller NVMe/Eth association (initiator/eth-proto.c) joined by a
 * link in memory: what one sends is queued and handed to the other by
 * pair_pump, nothing lost but a frame over 1600 bytes or past 64 in
 * flight one way.  The controller is made when the host's ASSOC_REQ
 * reaches it, keeps commands outstanding and answers a write without
 * in-capsule data (up to 20000 bytes) with an R2T for all of it.  A
 * close must come with a one-line message, a completion with a CID of
 * the queue, a capsule's data with a pointer, or the fuzzer aborts
 * (FAILED). */
#ifndef NVMEOF_FUZZ_ETH_LINK_MEM_H
#define NVMEOF_FUZZ_ETH_LINK_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "driver.h" /* FAILED */
#include "eth-int.h"

#define PAIR_MTU 1500

struct eth_pair {
  struct eth_assoc *host, *ctrl;
  bool host_closed, ctrl_closed;
  uint32_t options; /* what the host asked for and the controller granted */
  uint64_t now_us;  /* the clock of both; the harness moves it on */
};
extern struct eth_pair pair;
extern const uint8_t pair_host_mac[6], pair_ctrl_mac[6];

/* Free both associations and drop the frames in flight. */
void pair_teardown (void);
/* A new pair, established with these options (0 or NVME_ETH_OPT_ALL), with
 * a read (CID 1, into rd) and a write that needs an R2T (CID 2, from wr)
 * outstanding. */
void pair_setup (uint32_t options, void *rd, uint32_t rd_len, void *wr,
                 uint32_t wr_len);
/* Exchange frames until both ends are quiet (32 rounds at the most). */
void pair_pump (void);
/* Make a frame look like the next one association "to" expects: its ids
 * and queue, sequence number rcv_nxt + seq_ahead, with ack the ack
 * snd_una + ack_ahead, and the CRC made right. */
void pair_aim (uint8_t *buf, size_t len, const struct eth_assoc *to,
               uint32_t seq_ahead, bool ack, uint32_t ack_ahead);
/* Make the CRC of a frame right, if its length and HLEN fit in len. */
void pair_seal (uint8_t *buf, size_t len);
/* Build a frame of this type (flags | ACK, sequence 1, ack 0) with
 * data_len bytes of zeros, its type header filled in as the pair expects
 * (the read is CID 1, the write CID 2, a CMD a new CID 3), and seal it;
 * returns its length.  For the harnesses' seeds. */
size_t pair_frame (uint8_t *buf, uint8_t type, uint8_t flags,
                   uint32_t data_len);

#endif
