/* SPDX-License-Identifier: BSD-3-Clause */
/* NVMe over raw Ethernet (NVMe/Eth) frame formats, version 1.
 *
 * The specification is docs/nvme-eth.md; this header is its byte layout.
 * A frame is the payload of one Ethernet frame of EtherType 0x88B5 (IEEE
 * 802 Local Experimental, overridable): a 32-byte common header, a
 * type-specific header (hlen bytes in all), then data (length - hlen
 * bytes).  All multi-byte fields are little-endian (see wire-common.h),
 * like the NVMe structures the frames carry.  Offsets below are from the
 * first byte after the EtherType; reserved fields are sent as zero and
 * ignored on receipt.
 */
#ifndef NVMEOF_NVME_ETH_WIRE_H
#define NVMEOF_NVME_ETH_WIRE_H

#include <stdint.h>

#include "wire-common.h"
#include "nvme-wire.h"

#define NVME_ETH_ETHERTYPE              0x88B5 /* default */
#define NVME_ETH_VERSION                1
/* Discovery log entries of an NVMe/Eth port (spec 15.1): values of the
 * reserved ranges of TRTYPE and ADRFAM, not assigned by NVM Express. */
#define NVME_ETH_TRTYPE                 0xFD
#define NVME_ETH_ADRFAM                 0xFD /* TRADDR: a MAC address */

/* Frame types. */
#define NVME_ETH_ASSOC_REQ              0x01 /* host: open an association */
#define NVME_ETH_ASSOC_RESP             0x02 /* controller: accept/refuse */
#define NVME_ETH_TERM                   0x03 /* close (reason 0) or error */
#define NVME_ETH_TERM_ACK               0x04
#define NVME_ETH_ACK                    0x05 /* cumulative + selective ack */
#define NVME_ETH_KEEPALIVE              0x06 /* sequenced, no payload */
#define NVME_ETH_CMD                    0x10 /* SQE + in-capsule data */
#define NVME_ETH_RSP                    0x11 /* CQE */
#define NVME_ETH_H2C_DATA               0x12
#define NVME_ETH_C2H_DATA               0x13
#define NVME_ETH_R2T                    0x14
#define NVME_ETH_C2H_DATA_RSP           0x15 /* last C2H data + CQE (OPT) */
#define NVME_ETH_PROBE                  0x20 /* discovery, broadcast */
#define NVME_ETH_PROBE_RESP             0x21

/* Common header flags. */
#define NVME_ETH_F_ACK                  0x01 /* ack and wnd are valid */
#define NVME_ETH_F_ACK_REQ              0x02 /* acknowledge at once */
#define NVME_ETH_F_RETX                 0x04 /* a retransmission */
#define NVME_ETH_F_ICD                  0x08 /* H2C_DATA: in-capsule data */
#define NVME_ETH_F_HCRC                 0x10 /* crc covers hlen bytes only */
#define NVME_ETH_F_ALL                  0x1F

/* Options (ASSOC_REQ asks, ASSOC_RESP grants a subset; docs/nvme-eth.md
 * 7.4).  A version-1 peer that knows none sends and grants 0. */
#define NVME_ETH_OPT_DATA_RSP           0x00000001 /* C2H_DATA_RSP frames */
#define NVME_ETH_OPT_NO_DDGST           0x00000002 /* F_HCRC frames */
#define NVME_ETH_OPT_PACK               0x00000004 /* frames back to back */
#define NVME_ETH_OPT_ALL                0x00000007

/* Limits. */
#define NVME_ETH_MIN_FRAME              1280   /* smallest max_frame */
#define NVME_ETH_MAX_FRAME              65535  /* length is 16 bits */
#define NVME_ETH_MIN_PAYLOAD            46     /* Ethernet pads up to this */
#define NVME_ETH_MAX_WINDOW             1024   /* frames in flight */
#define NVME_ETH_MAX_DEPTH              1024   /* commands per queue */
#define NVME_ETH_MAX_SACK_BITS          NVME_ETH_MAX_WINDOW
#define NVME_ETH_TERM_MAX_QUOTE         64     /* bytes of the bad frame */
#define NVME_ETH_ADMIN_ICD              8192   /* in-capsule data, queue 0 */
#define NVME_ETH_DEAD_FACTOR            4      /* silent intervals: dead */

/* Common header: 32 bytes. */
struct nvme_eth_hdr {
  uint8_t version;              /* NVME_ETH_VERSION */
  uint8_t type;                 /* NVME_ETH_* */
  uint8_t flags;                /* NVME_ETH_F_* */
  uint8_t hlen;                 /* common + type header; data follows */
  le16 length;                  /* whole frame, without Ethernet padding */
  le16 qid;                     /* NVMe queue of the association */
  le32 dst_assoc;               /* the receiver's association id */
  le32 src_assoc;               /* the sender's association id */
  le32 seq;                     /* sequenced types; ISN in ASSOC_* */
  le32 ack;                     /* next seq expected (F_ACK) */
  le16 wnd;                     /* frames the sender accepts from ack */
  le16 rsvd26;
  le32 crc;                     /* CRC32C of length bytes, this field 0 */
} NVME_PACKED;
WIRE_SIZE (struct nvme_eth_hdr, 32);
WIRE_OFFSET (struct nvme_eth_hdr, version, 0);
WIRE_OFFSET (struct nvme_eth_hdr, type, 1);
WIRE_OFFSET (struct nvme_eth_hdr, flags, 2);
WIRE_OFFSET (struct nvme_eth_hdr, hlen, 3);
WIRE_OFFSET (struct nvme_eth_hdr, length, 4);
WIRE_OFFSET (struct nvme_eth_hdr, qid, 6);
WIRE_OFFSET (struct nvme_eth_hdr, dst_assoc, 8);
WIRE_OFFSET (struct nvme_eth_hdr, src_assoc, 12);
WIRE_OFFSET (struct nvme_eth_hdr, seq, 16);
WIRE_OFFSET (struct nvme_eth_hdr, ack, 20);
WIRE_OFFSET (struct nvme_eth_hdr, wnd, 24);
WIRE_OFFSET (struct nvme_eth_hdr, rsvd26, 26);
WIRE_OFFSET (struct nvme_eth_hdr, crc, 28);

/* ASSOC_REQ (host -> controller): 64 bytes.  seq = the host's ISN,
 * src_assoc = the host's id, dst_assoc = 0. */
struct nvme_eth_assoc_req {
  struct nvme_eth_hdr hdr;
  le16 queue_depth;             /* outstanding commands wanted, 1..1024 */
  le16 max_frame;               /* largest frame the host receives */
  le16 rx_window;               /* frames, 1..1024 */
  le16 rsvd38;
  le32 ka_interval_ms;          /* keep-alive interval wanted */
  le32 options;                 /* NVME_ETH_OPT_* asked for */
  uint8_t rsvd48[16];
} NVME_PACKED;
WIRE_SIZE (struct nvme_eth_assoc_req, 64);
WIRE_OFFSET (struct nvme_eth_assoc_req, hdr, 0);
WIRE_OFFSET (struct nvme_eth_assoc_req, queue_depth, 32);
WIRE_OFFSET (struct nvme_eth_assoc_req, max_frame, 34);
WIRE_OFFSET (struct nvme_eth_assoc_req, rx_window, 36);
WIRE_OFFSET (struct nvme_eth_assoc_req, rsvd38, 38);
WIRE_OFFSET (struct nvme_eth_assoc_req, ka_interval_ms, 40);
WIRE_OFFSET (struct nvme_eth_assoc_req, options, 44);
WIRE_OFFSET (struct nvme_eth_assoc_req, rsvd48, 48);

/* ASSOC_RESP (controller -> host): 64 bytes.  seq = the controller's ISN,
 * ack = the host's ISN, src_assoc = the controller's id (0 if refused). */
struct nvme_eth_assoc_resp {
  struct nvme_eth_hdr hdr;
  le16 status;                  /* 0 accepted, else NVME_ETH_ERR_* */
  le16 queue_depth;             /* granted, <= asked */
  le16 max_frame;               /* both directions: min of both ends */
  le16 rx_window;               /* the controller's, frames */
  le32 ka_interval_ms;          /* both ends use this */
  le32 icd_max;                 /* in-capsule data bytes per command */
  le32 fei;                     /* refused: byte offset in ASSOC_REQ */
  le32 options;                 /* NVME_ETH_OPT_* granted */
  uint8_t rsvd56[8];
} NVME_PACKED;
WIRE_SIZE (struct nvme_eth_assoc_resp, 64);
WIRE_OFFSET (struct nvme_eth_assoc_resp, hdr, 0);
WIRE_OFFSET (struct nvme_eth_assoc_resp, status, 32);
WIRE_OFFSET (struct nvme_eth_assoc_resp, queue_depth, 34);
WIRE_OFFSET (struct nvme_eth_assoc_resp, max_frame, 36);
WIRE_OFFSET (struct nvme_eth_assoc_resp, rx_window, 38);
WIRE_OFFSET (struct nvme_eth_assoc_resp, ka_interval_ms, 40);
WIRE_OFFSET (struct nvme_eth_assoc_resp, icd_max, 44);
WIRE_OFFSET (struct nvme_eth_assoc_resp, fei, 48);
WIRE_OFFSET (struct nvme_eth_assoc_resp, options, 52);
WIRE_OFFSET (struct nvme_eth_assoc_resp, rsvd56, 56);

/* TERM: 40 bytes, then up to 64 bytes of the frame that caused it. */
struct nvme_eth_term {
  struct nvme_eth_hdr hdr;
  le16 reason;                  /* NVME_ETH_ERR_*; 0 = normal close */
  le16 rsvd34;
  le32 fei;                     /* byte offset of the bad field */
} NVME_PACKED;
WIRE_SIZE (struct nvme_eth_term, 40);
WIRE_OFFSET (struct nvme_eth_term, hdr, 0);
WIRE_OFFSET (struct nvme_eth_term, reason, 32);
WIRE_OFFSET (struct nvme_eth_term, rsvd34, 34);
WIRE_OFFSET (struct nvme_eth_term, fei, 36);

/* Reasons (TERM) and refusals (ASSOC_RESP status). */
#define NVME_ETH_ERR_NONE               0x00 /* normal close */
#define NVME_ETH_ERR_INVALID_FIELD      0x01 /* FEI = offset of the field */
#define NVME_ETH_ERR_SEQUENCE           0x02 /* frame not allowed now */
#define NVME_ETH_ERR_DATA_RANGE         0x03 /* data outside the command */
#define NVME_ETH_ERR_UNKNOWN_CID        0x04 /* command not outstanding */
#define NVME_ETH_ERR_LIMIT              0x05 /* depth or window exceeded */
#define NVME_ETH_ERR_UNSUPPORTED        0x06 /* FEI = offset of the field */
#define NVME_ETH_ERR_VERSION            0x07 /* hdr.version = ours */
#define NVME_ETH_ERR_RESOURCES          0x08 /* no association free */
#define NVME_ETH_ERR_TIMEOUT            0x09 /* peer silent / no acks */
#define NVME_ETH_ERR_SHUTDOWN           0x0A /* the application closes */

/* ACK: 40 bytes, then nbits / 8 bytes of bitmap: bit i (byte i / 8,
 * bit i % 8) set = frame ack + 1 + i received.  DSACK: a retransmitted
 * frame (F_RETX) arrived that had already been received, so its
 * retransmission was not needed (the sender waits longer next time). */
struct nvme_eth_ack {
  struct nvme_eth_hdr hdr;
  le16 nbits;                   /* multiple of 8, <= 1024 */
  uint8_t ack_flags;            /* NVME_ETH_ACK_F_* */
  uint8_t rsvd35;
  le32 dsack;                   /* seq of that frame (ACK_F_DSACK) */
} NVME_PACKED;
WIRE_SIZE (struct nvme_eth_ack, 40);
WIRE_OFFSET (struct nvme_eth_ack, hdr, 0);
WIRE_OFFSET (struct nvme_eth_ack, nbits, 32);
WIRE_OFFSET (struct nvme_eth_ack, ack_flags, 34);
WIRE_OFFSET (struct nvme_eth_ack, rsvd35, 35);
WIRE_OFFSET (struct nvme_eth_ack, dsack, 36);

#define NVME_ETH_ACK_F_DSACK            0x01

/* CMD: 96 bytes, then the first in-capsule data bytes. */
struct nvme_eth_cmd {
  struct nvme_eth_hdr hdr;
  struct nvme_sqe sqe;          /* CID < queue_depth */
} NVME_PACKED;
WIRE_SIZE (struct nvme_eth_cmd, 96);
WIRE_OFFSET (struct nvme_eth_cmd, hdr, 0);
WIRE_OFFSET (struct nvme_eth_cmd, sqe, 32);

/* RSP: 64 bytes. */
struct nvme_eth_rsp {
  struct nvme_eth_hdr hdr;
  struct nvme_cqe cqe;
  le32 datal;                   /* C2H data bytes sent for the command */
  uint8_t rsvd52[12];
} NVME_PACKED;
WIRE_SIZE (struct nvme_eth_rsp, 64);
WIRE_OFFSET (struct nvme_eth_rsp, hdr, 0);
WIRE_OFFSET (struct nvme_eth_rsp, cqe, 32);
WIRE_OFFSET (struct nvme_eth_rsp, datal, 48);
WIRE_OFFSET (struct nvme_eth_rsp, rsvd52, 52);

/* H2C_DATA and C2H_DATA: 48 bytes, then datal bytes of data. */
struct nvme_eth_data {
  struct nvme_eth_hdr hdr;
  le16 cid;
  le16 rsvd34;
  le32 offset;                  /* within the command's data */
  le32 datal;                   /* = length - 48, > 0 */
  le32 rsvd44;
} NVME_PACKED;
WIRE_SIZE (struct nvme_eth_data, 48);
WIRE_OFFSET (struct nvme_eth_data, hdr, 0);
WIRE_OFFSET (struct nvme_eth_data, cid, 32);
WIRE_OFFSET (struct nvme_eth_data, rsvd34, 34);
WIRE_OFFSET (struct nvme_eth_data, offset, 36);
WIRE_OFFSET (struct nvme_eth_data, datal, 40);
WIRE_OFFSET (struct nvme_eth_data, rsvd44, 44);

/* C2H_DATA_RSP (NVME_ETH_OPT_DATA_RSP): 64 bytes, then datal bytes of
 * data: the last C2H data of a read and its response in one frame.  The
 * command's data is offset + datal bytes (what RSP's datal counts). */
struct nvme_eth_data_rsp {
  struct nvme_eth_hdr hdr;
  le16 cid;                     /* = cqe.cid */
  le16 rsvd34;
  le32 offset;                  /* within the command's data */
  le32 datal;                   /* = length - 64, > 0 */
  le32 rsvd44;
  struct nvme_cqe cqe;
} NVME_PACKED;
WIRE_SIZE (struct nvme_eth_data_rsp, 64);
WIRE_OFFSET (struct nvme_eth_data_rsp, hdr, 0);
WIRE_OFFSET (struct nvme_eth_data_rsp, cid, 32);
WIRE_OFFSET (struct nvme_eth_data_rsp, rsvd34, 34);
WIRE_OFFSET (struct nvme_eth_data_rsp, offset, 36);
WIRE_OFFSET (struct nvme_eth_data_rsp, datal, 40);
WIRE_OFFSET (struct nvme_eth_data_rsp, rsvd44, 44);
WIRE_OFFSET (struct nvme_eth_data_rsp, cqe, 48);

/* R2T: 48 bytes.  One per command: all of its (not in-capsule) data. */
struct nvme_eth_r2t {
  struct nvme_eth_hdr hdr;
  le16 cid;
  le16 rsvd34;
  le32 offset;                  /* 0 */
  le32 length;                  /* the command's data length */
  le32 rsvd44;
} NVME_PACKED;
WIRE_SIZE (struct nvme_eth_r2t, 48);
WIRE_OFFSET (struct nvme_eth_r2t, hdr, 0);
WIRE_OFFSET (struct nvme_eth_r2t, cid, 32);
WIRE_OFFSET (struct nvme_eth_r2t, rsvd34, 34);
WIRE_OFFSET (struct nvme_eth_r2t, offset, 36);
WIRE_OFFSET (struct nvme_eth_r2t, length, 40);
WIRE_OFFSET (struct nvme_eth_r2t, rsvd44, 44);

/* PROBE (broadcast): 48 bytes.  Association ids, qid, seq are 0. */
struct nvme_eth_probe {
  struct nvme_eth_hdr hdr;
  le32 nonce;                   /* echoed in PROBE_RESP */
  le16 max_frame;               /* largest PROBE_RESP the prober takes */
  le16 rsvd38;
  uint8_t rsvd40[8];
} NVME_PACKED;
WIRE_SIZE (struct nvme_eth_probe, 48);
WIRE_OFFSET (struct nvme_eth_probe, hdr, 0);
WIRE_OFFSET (struct nvme_eth_probe, nonce, 32);
WIRE_OFFSET (struct nvme_eth_probe, max_frame, 36);
WIRE_OFFSET (struct nvme_eth_probe, rsvd38, 38);
WIRE_OFFSET (struct nvme_eth_probe, rsvd40, 40);

/* PROBE_RESP (unicast): 64 bytes, then nr_entries entries. */
struct nvme_eth_probe_resp {
  struct nvme_eth_hdr hdr;
  le32 nonce;
  uint8_t mac[6];               /* the controller's, = Ethernet source */
  uint8_t frame_index;          /* 0 .. frame_count - 1 */
  uint8_t frame_count;          /* >= 1 */
  le16 nr_entries;
  le16 max_frame;               /* the controller's max_frame */
  uint8_t rsvd48[16];
} NVME_PACKED;
WIRE_SIZE (struct nvme_eth_probe_resp, 64);
WIRE_OFFSET (struct nvme_eth_probe_resp, hdr, 0);
WIRE_OFFSET (struct nvme_eth_probe_resp, nonce, 32);
WIRE_OFFSET (struct nvme_eth_probe_resp, mac, 36);
WIRE_OFFSET (struct nvme_eth_probe_resp, frame_index, 42);
WIRE_OFFSET (struct nvme_eth_probe_resp, frame_count, 43);
WIRE_OFFSET (struct nvme_eth_probe_resp, nr_entries, 44);
WIRE_OFFSET (struct nvme_eth_probe_resp, max_frame, 46);
WIRE_OFFSET (struct nvme_eth_probe_resp, rsvd48, 48);

/* A discovery entry: 8 bytes, the NQN (nqn_len bytes, no NUL, zero-padded
 * to a multiple of 4), then nr_ns namespace descriptors. */
struct nvme_eth_disc_entry {
  uint8_t subtype;              /* NVMF_SUBTYPE_NVM, _CURRENT_DISC */
  uint8_t rsvd1;
  le16 nqn_len;                 /* 1..223 */
  le16 nr_ns;
  le16 rsvd6;
} NVME_PACKED;
WIRE_SIZE (struct nvme_eth_disc_entry, 8);
WIRE_OFFSET (struct nvme_eth_disc_entry, subtype, 0);
WIRE_OFFSET (struct nvme_eth_disc_entry, rsvd1, 1);
WIRE_OFFSET (struct nvme_eth_disc_entry, nqn_len, 2);
WIRE_OFFSET (struct nvme_eth_disc_entry, nr_ns, 4);
WIRE_OFFSET (struct nvme_eth_disc_entry, rsvd6, 6);

struct nvme_eth_disc_ns {
  le32 nsid;
  le32 lba_size;                /* bytes */
  le64 size;                    /* bytes */
} NVME_PACKED;
WIRE_SIZE (struct nvme_eth_disc_ns, 16);
WIRE_OFFSET (struct nvme_eth_disc_ns, nsid, 0);
WIRE_OFFSET (struct nvme_eth_disc_ns, lba_size, 4);
WIRE_OFFSET (struct nvme_eth_disc_ns, size, 8);

/* The hlen a frame of this type carries in version 1, or 0 if unknown. */
static inline unsigned
nvme_eth_hlen (uint8_t type)
{
  switch (type) {
  case NVME_ETH_ASSOC_REQ:
    return sizeof (struct nvme_eth_assoc_req);
  case NVME_ETH_ASSOC_RESP:
    return sizeof (struct nvme_eth_assoc_resp);
  case NVME_ETH_TERM:
    return sizeof (struct nvme_eth_term);
  case NVME_ETH_TERM_ACK:
  case NVME_ETH_KEEPALIVE:
    return sizeof (struct nvme_eth_hdr);
  case NVME_ETH_ACK:
    return sizeof (struct nvme_eth_ack);
  case NVME_ETH_CMD:
    return sizeof (struct nvme_eth_cmd);
  case NVME_ETH_RSP:
    return sizeof (struct nvme_eth_rsp);
  case NVME_ETH_H2C_DATA:
  case NVME_ETH_C2H_DATA:
    return sizeof (struct nvme_eth_data);
  case NVME_ETH_R2T:
    return sizeof (struct nvme_eth_r2t);
  case NVME_ETH_C2H_DATA_RSP:
    return sizeof (struct nvme_eth_data_rsp);
  case NVME_ETH_PROBE:
    return sizeof (struct nvme_eth_probe);
  case NVME_ETH_PROBE_RESP:
    return sizeof (struct nvme_eth_probe_resp);
  default:
    return 0;
  }
}

/* Frames that carry a sequence number (and are acknowledged). */
static inline int
nvme_eth_sequenced (uint8_t type)
{
  return type == NVME_ETH_KEEPALIVE || type == NVME_ETH_CMD ||
         type == NVME_ETH_RSP || type == NVME_ETH_H2C_DATA ||
         type == NVME_ETH_C2H_DATA || type == NVME_ETH_R2T ||
         type == NVME_ETH_C2H_DATA_RSP;
}

#endif /* NVMEOF_NVME_ETH_WIRE_H */
