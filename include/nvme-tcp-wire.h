/* SPDX-License-Identifier: BSD-3-Clause */
/* NVMe/TCP PDU wire formats.
 *
 * Follows the NVM Express TCP Transport Specification 1.0 section 3.6
 * (PDU common header 3.6.1, ICReq/ICResp 3.6.2.2-3, TermReq 3.6.2.4-5,
 * CapsuleCmd/Resp 3.6.2.6-7, H2CData/C2HData 3.6.2.8-9, R2T 3.6.2.10).
 * Offsets cross-checked with protocol-notes.md section 2.1.  Note that the
 * TermReq FEI field sits at byte 10, not naturally aligned: it is a byte
 * array here (older Linux headers put it at 12, a known bug).
 * All multi-byte fields are little-endian (see wire-common.h).
 */
#ifndef NVMEOF_NVME_TCP_WIRE_H
#define NVMEOF_NVME_TCP_WIRE_H

#include <stdint.h>

#include "wire-common.h"
#include "nvme-wire.h"

/* PDU types. */
#define NVME_TCP_PDU_ICREQ              0x00
#define NVME_TCP_PDU_ICRESP             0x01
#define NVME_TCP_PDU_H2C_TERM           0x02
#define NVME_TCP_PDU_C2H_TERM           0x03
#define NVME_TCP_PDU_CMD                0x04 /* CapsuleCmd */
#define NVME_TCP_PDU_RSP                0x05 /* CapsuleResp */
#define NVME_TCP_PDU_H2C_DATA           0x06
#define NVME_TCP_PDU_C2H_DATA           0x07
#define NVME_TCP_PDU_R2T                0x09

/* Common header flags. */
#define NVME_TCP_F_HDGST                0x01 /* header digest present */
#define NVME_TCP_F_DDGST                0x02 /* data digest present */
#define NVME_TCP_F_DATA_LAST            0x04 /* last H2C/C2H data PDU */
#define NVME_TCP_F_DATA_SUCCESS         0x08 /* C2HData: no CapsuleResp */

/* Protocol constants. */
#define NVME_TCP_PFV_1_0                0
#define NVME_TCP_DIGEST_LEN             4      /* CRC32C */
#define NVME_TCP_MAX_PDA                31     /* HPDA / CPDA */
#define NVME_TCP_MAX_PDO                ((NVME_TCP_MAX_PDA + 1) * 4)
#define NVME_TCP_PDA_ALIGN(pda)         (((uint32_t) (pda) + 1) * 4)
#define NVME_TCP_MIN_MAXH2CDATA         4096
#define NVME_TCP_ADMIN_CCSZ             8192   /* admin/fabrics in-capsule */
#define NVME_TCP_TERM_MIN_PLEN          24
#define NVME_TCP_TERM_MAX_PLEN          152    /* 24 + 128 bytes of header */
#define NVME_TCP_TERM_MAX_DATA          (NVME_TCP_TERM_MAX_PLEN - 24)

/* ICReq / ICResp DGST byte. */
#define NVME_TCP_DIGEST_HDGST_ENABLE    0x01
#define NVME_TCP_DIGEST_DDGST_ENABLE    0x02

/* Common header (3.6.1): 8 bytes. */
struct nvme_tcp_ch {
  uint8_t type;
  uint8_t flags;
  uint8_t hlen;                 /* header length, without HDGST */
  uint8_t pdo;                  /* offset of PDU data; 0 if none */
  le32 plen;                    /* whole PDU incl. digests and pad */
} NVME_PACKED;
WIRE_SIZE (struct nvme_tcp_ch, 8);
WIRE_OFFSET (struct nvme_tcp_ch, type, 0);
WIRE_OFFSET (struct nvme_tcp_ch, flags, 1);
WIRE_OFFSET (struct nvme_tcp_ch, hlen, 2);
WIRE_OFFSET (struct nvme_tcp_ch, pdo, 3);
WIRE_OFFSET (struct nvme_tcp_ch, plen, 4);

/* ICReq (host -> controller): 128 bytes. */
struct nvme_tcp_icreq {
  struct nvme_tcp_ch ch;
  le16 pfv;
  uint8_t hpda;                 /* 0's based dwords, max 31 */
  uint8_t digest;
  le32 maxr2t;                  /* 0's based */
  uint8_t rsvd16[112];
} NVME_PACKED;
WIRE_SIZE (struct nvme_tcp_icreq, 128);
WIRE_OFFSET (struct nvme_tcp_icreq, ch, 0);
WIRE_OFFSET (struct nvme_tcp_icreq, pfv, 8);
WIRE_OFFSET (struct nvme_tcp_icreq, hpda, 10);
WIRE_OFFSET (struct nvme_tcp_icreq, digest, 11);
WIRE_OFFSET (struct nvme_tcp_icreq, maxr2t, 12);
WIRE_OFFSET (struct nvme_tcp_icreq, rsvd16, 16);

/* ICResp (controller -> host): 128 bytes. */
struct nvme_tcp_icresp {
  struct nvme_tcp_ch ch;
  le16 pfv;
  uint8_t cpda;                 /* 0's based dwords, max 31 */
  uint8_t digest;
  le32 maxh2cdata;              /* bytes, multiple of 4, >= 4096 */
  uint8_t rsvd16[112];
} NVME_PACKED;
WIRE_SIZE (struct nvme_tcp_icresp, 128);
WIRE_OFFSET (struct nvme_tcp_icresp, ch, 0);
WIRE_OFFSET (struct nvme_tcp_icresp, pfv, 8);
WIRE_OFFSET (struct nvme_tcp_icresp, cpda, 10);
WIRE_OFFSET (struct nvme_tcp_icresp, digest, 11);
WIRE_OFFSET (struct nvme_tcp_icresp, maxh2cdata, 12);
WIRE_OFFSET (struct nvme_tcp_icresp, rsvd16, 16);

/* H2CTermReq / C2HTermReq: 24 bytes, then up to 128 bytes of the PDU
 * header that caused the error.  C2HTermReq never carries digests. */
struct nvme_tcp_term_pdu {
  struct nvme_tcp_ch ch;
  le16 fes;
  uint8_t fei[4];               /* le32 at unaligned byte 10: get_le32 (fei) */
  uint8_t rsvd14[10];
} NVME_PACKED;
WIRE_SIZE (struct nvme_tcp_term_pdu, 24);
WIRE_OFFSET (struct nvme_tcp_term_pdu, ch, 0);
WIRE_OFFSET (struct nvme_tcp_term_pdu, fes, 8);
WIRE_OFFSET (struct nvme_tcp_term_pdu, fei, 10);
WIRE_OFFSET (struct nvme_tcp_term_pdu, rsvd14, 14);

/* Fatal error status. */
#define NVME_TCP_FES_INVALID_HEADER     0x01 /* FEI = byte offset of field */
#define NVME_TCP_FES_PDU_SEQUENCE       0x02
#define NVME_TCP_FES_HDGST_ERROR        0x03
#define NVME_TCP_FES_DATA_OUT_OF_RANGE  0x04
#define NVME_TCP_FES_R2T_LIMIT_EXCEEDED 0x05 /* data transfer limit exceeded */
#define NVME_TCP_FES_UNSUPPORTED_PARAM  0x06 /* FEI = byte offset of field */

/* CapsuleCmd: 72 bytes, then [HDGST][PAD][in-capsule data][DDGST]. */
struct nvme_tcp_cmd_pdu {
  struct nvme_tcp_ch ch;
  struct nvme_sqe sqe;
} NVME_PACKED;
WIRE_SIZE (struct nvme_tcp_cmd_pdu, 72);
WIRE_OFFSET (struct nvme_tcp_cmd_pdu, ch, 0);
WIRE_OFFSET (struct nvme_tcp_cmd_pdu, sqe, 8);

/* CapsuleResp: 24 bytes. */
struct nvme_tcp_rsp_pdu {
  struct nvme_tcp_ch ch;
  struct nvme_cqe cqe;
} NVME_PACKED;
WIRE_SIZE (struct nvme_tcp_rsp_pdu, 24);
WIRE_OFFSET (struct nvme_tcp_rsp_pdu, ch, 0);
WIRE_OFFSET (struct nvme_tcp_rsp_pdu, cqe, 8);

/* H2CData and C2HData: 24 bytes.  ttag is reserved in C2HData. */
struct nvme_tcp_data_pdu {
  struct nvme_tcp_ch ch;
  le16 cccid;                   /* command capsule CID */
  le16 ttag;                    /* H2CData: the R2T's transfer tag */
  le32 datao;                   /* offset within the command's data */
  le32 datal;
  uint8_t rsvd20[4];
} NVME_PACKED;
WIRE_SIZE (struct nvme_tcp_data_pdu, 24);
WIRE_OFFSET (struct nvme_tcp_data_pdu, ch, 0);
WIRE_OFFSET (struct nvme_tcp_data_pdu, cccid, 8);
WIRE_OFFSET (struct nvme_tcp_data_pdu, ttag, 10);
WIRE_OFFSET (struct nvme_tcp_data_pdu, datao, 12);
WIRE_OFFSET (struct nvme_tcp_data_pdu, datal, 16);
WIRE_OFFSET (struct nvme_tcp_data_pdu, rsvd20, 20);

/* R2T: 24 bytes. */
struct nvme_tcp_r2t_pdu {
  struct nvme_tcp_ch ch;
  le16 cccid;
  le16 ttag;
  le32 r2to;                    /* offset within the command's data */
  le32 r2tl;                    /* > 0, <= MAXH2CDATA per H2CData PDU */
  uint8_t rsvd20[4];
} NVME_PACKED;
WIRE_SIZE (struct nvme_tcp_r2t_pdu, 24);
WIRE_OFFSET (struct nvme_tcp_r2t_pdu, ch, 0);
WIRE_OFFSET (struct nvme_tcp_r2t_pdu, cccid, 8);
WIRE_OFFSET (struct nvme_tcp_r2t_pdu, ttag, 10);
WIRE_OFFSET (struct nvme_tcp_r2t_pdu, r2to, 12);
WIRE_OFFSET (struct nvme_tcp_r2t_pdu, r2tl, 16);
WIRE_OFFSET (struct nvme_tcp_r2t_pdu, rsvd20, 20);

/* The hlen a PDU of this type must carry, or 0 for an unknown type. */
static inline unsigned
nvme_tcp_pdu_hlen (uint8_t type)
{
  switch (type) {
  case NVME_TCP_PDU_ICREQ:
    return sizeof (struct nvme_tcp_icreq);
  case NVME_TCP_PDU_ICRESP:
    return sizeof (struct nvme_tcp_icresp);
  case NVME_TCP_PDU_H2C_TERM:
  case NVME_TCP_PDU_C2H_TERM:
    return sizeof (struct nvme_tcp_term_pdu);
  case NVME_TCP_PDU_CMD:
    return sizeof (struct nvme_tcp_cmd_pdu);
  case NVME_TCP_PDU_RSP:
    return sizeof (struct nvme_tcp_rsp_pdu);
  case NVME_TCP_PDU_H2C_DATA:
  case NVME_TCP_PDU_C2H_DATA:
    return sizeof (struct nvme_tcp_data_pdu);
  case NVME_TCP_PDU_R2T:
    return sizeof (struct nvme_tcp_r2t_pdu);
  default:
    return 0;
  }
}

#endif /* NVMEOF_NVME_TCP_WIRE_H */
