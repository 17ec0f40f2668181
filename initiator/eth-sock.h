/* SPDX-License-Identifier: BSD-3-Clause */
/* The link under the NVMe/Ethernet engine (eth-proto.h), for both ends:
 * an AF_PACKET socket bound to one interface and one EtherType, with a
 * receive ring (mmap'd: frames are read in place, no copy, no system call
 * per frame; TPACKET_V2, one slot per frame, because TPACKET_V3 hands a
 * block over only when it is full or its timer fires, which adds about a
 * millisecond to a lone frame: NVMEOF_ETH_TPACKET=3 selects it for
 * measurements), batched sends (sendmmsg), and a classic BPF filter in the
 * kernel so that only our EtherType addressed to our MAC or to broadcast
 * reaches userspace.  Functions return -1 with a sentence in err (on a
 * missing CAP_NET_RAW: one line naming it and what to do). */
#ifndef NVMEOF_ETH_SOCK_H
#define NVMEOF_ETH_SOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "eth-proto.h"

#define ETH_DEFAULT_ETHERTYPE 0x88B5 /* IEEE 802 local experimental 1 */

struct eth_sock;

/* One socket per association, as one TCP connection per queue: the
 * kernel's filter passes only frames for this socket's association, so
 * each queue's receiver (leader/follower, as for TCP) reads its own ring.
 * A target's listening socket takes association 0 (ASSOC_REQ, PROBE,
 * TERM for unknown associations) and opens one socket per association it
 * accepts. */
#define ETH_SOCK_ANY_ASSOC UINT32_MAX
struct eth_sock_config {
  const char *ifname;  /* the interface (must be up) */
  uint16_t ethertype;  /* 0: ETH_DEFAULT_ETHERTYPE */
  uint32_t dst_assoc;  /* pass frames whose destination association id is
                          this (0: new associations and discovery), or
                          ETH_SOCK_ANY_ASSOC */
  bool broadcast;      /* also pass frames to ff:ff:ff:ff:ff:ff (PROBE) */
  bool any_term;       /* also pass TERM frames to any association: a
                          listener answers those of associations gone */
  unsigned ring_bytes; /* receive ring size; 0: a default (a few MiB) */
};

struct eth_sock *eth_sock_open (const struct eth_sock_config *cfg, char *err,
                                size_t errlen);
void eth_sock_close (struct eth_sock *s);

/* The interface's MAC, MTU (the largest NVMe/Ethernet frame, after the
 * 14-byte Ethernet header) and index; the pollable descriptor (POLLIN when
 * the ring has frames). */
const uint8_t *eth_sock_mac (const struct eth_sock *s);
unsigned eth_sock_mtu (const struct eth_sock *s);
int eth_sock_ifindex (const struct eth_sock *s);
int eth_sock_fd (const struct eth_sock *s);
/* How many frames of the MTU the receive ring holds: an association's
 * rx_window should be at most half of it (docs/nvme-eth.md, 9). */
unsigned eth_sock_rx_frames (const struct eth_sock *s);

/* Hand every frame waiting in the ring (up to max; 0: all) to fn: the
 * source MAC and the NVMe/Ethernet frame (after the Ethernet header),
 * valid during the call only.  Non-blocking: returns the number handed
 * (0 when none), -1 on a socket error.  One receiving thread at a time. */
typedef void (*eth_sock_rx_fn) (void *ctx, const uint8_t src[6],
                                const uint8_t *frame, size_t len);
int eth_sock_rx (struct eth_sock *s, eth_sock_rx_fn fn, void *ctx,
                 unsigned max);
/* Frames the kernel dropped because the receive ring was full, since the
 * socket was opened (the receiving thread asks; a system call). */
uint64_t eth_sock_rx_drops (struct eth_sock *s);
/* Wait until frames are waiting or timeout_us passed (0: don't wait). */
int eth_sock_wait (struct eth_sock *s, uint64_t timeout_us);

/* Send n engine frames (eth_callbacks.tx's) to dst in one batch, the
 * Ethernet header added here; with pack_max (eth_assoc_pack_max), frames
 * go back to back in Ethernet frames of up to that many bytes.  Returns
 * how many went out (the rest count as lost: the engine retransmits
 * them), -1 on a socket error.  Any number of threads may send
 * (serialised inside). */
int eth_sock_tx (struct eth_sock *s, const uint8_t dst[6],
                 const struct eth_tx_frame *f, unsigned n, uint32_t pack_max);
/* One ready-made frame (discovery probes and answers, refusals). */
int eth_sock_tx_raw (struct eth_sock *s, const uint8_t dst[6],
                     const void *frame, size_t len);

/* Parse a MAC "aa:bb:cc:dd:ee:ff" (or with '-'); -1 if not one. */
int eth_mac_parse (const char *text, uint8_t mac[6]);

#endif /* NVMEOF_ETH_SOCK_H */
