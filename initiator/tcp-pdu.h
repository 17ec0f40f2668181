/* SPDX-License-Identifier: BSD-3-Clause */
/* NVMe/TCP PDUs: pure functions that build the PDUs the host sends and
 * validate every field of the PDUs it receives.  No sockets, no locks and
 * nothing else of the library (a leaf: crc32c.c is all it needs): the
 * unit tests and the fuzz harness call them directly
 * (tests/unit/test-tcp-pdu.c, tests/fuzz/fuzz-tcp-pdu.c). */
#ifndef NVMEOF_TCP_PDU_H
#define NVMEOF_TCP_PDU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nvme-tcp-wire.h"

/* Negotiated parameters of a connection. */
struct tcp_params {
  bool hdgst, ddgst;   /* header / data digests enabled */
  uint8_t cpda;        /* controller's PDU data alignment (0's based) */
  uint8_t hpda;        /* ours, sent in ICReq (0's based) */
  uint32_t maxh2cdata; /* largest H2CData payload */
  uint32_t maxr2t;     /* outstanding R2Ts per command we accept */
};

/* What the checks know of the outstanding command a PDU names: its
 * transfer and how far it got (tcp_xfer_of in tcp.h fills it from the
 * request). */
enum tcp_xfer_dir { TCP_XFER_NONE = 0, TCP_XFER_C2H = 1, TCP_XFER_H2C = 2 };
struct tcp_xfer {
  uint8_t dir;              /* enum tcp_xfer_dir */
  bool ddgst_error;         /* a C2HData PDU of it failed its digest */
  uint16_t r2t_outstanding; /* R2Ts received and not yet being sent */
  uint32_t len;             /* bytes of data */
  uint32_t inline_len;      /* bytes sent in the capsule */
  uint32_t c2h_received;    /* C2HData bytes received so far */
  uint32_t r2t_end;         /* end of the highest range an R2T asked */
};

/* A violation found in a received PDU: what to put in the H2CTermReq and a
 * sentence for the error message. */
struct pdu_error {
  uint16_t fes; /* NVME_TCP_FES_* */
  uint32_t fei; /* byte offset of the bad field (FES 1, 6) */
  char msg[200];
};

/* ---- Sending ------------------------------------------------------------ */
void tcp_build_icreq (struct nvme_tcp_icreq *icreq, const struct tcp_params *p);

/* PDU data offset for a header of hlen bytes: after the header digest,
 * padded up to the controller's alignment (CPDA). */
uint32_t tcp_pdo (uint32_t hlen, const struct tcp_params *p);

/* Fill the common header and header digest of a CapsuleCmd carrying
 * data_len bytes of in-capsule data.  hdr must have room for the 72-byte
 * header, the digest and the padding (NVME_TCP_MAX_PDO bytes will do).
 * Returns the number of header bytes to send before the data (= PDO when
 * there is data).  The SQE's SGL is set here too. */
uint32_t tcp_build_cmd (uint8_t *hdr, const struct nvme_sqe *sqe,
                        uint32_t data_len, uint32_t total_len,
                        const struct tcp_params *p);

/* The same for an H2CData PDU answering an R2T. */
uint32_t tcp_build_h2c_data (uint8_t *hdr, uint16_t cccid, uint16_t ttag,
                             uint32_t datao, uint32_t datal, bool last,
                             const struct tcp_params *p);

/* Split the R2T range [r2to, r2to + r2tl) into H2CData PDUs of at most
 * maxh2cdata bytes: given the bytes of the range already sent, the length
 * of the next PDU and whether it is the last.  Returns 0 when all is sent. */
uint32_t tcp_h2c_next (uint32_t r2tl, uint32_t sent, uint32_t maxh2cdata,
                       bool *last);

/* An H2CTermReq into buf (at least NVME_TCP_TERM_MAX_PLEN bytes), quoting
 * up to 128 bytes of the offending PDU header.  Returns its length. */
uint32_t tcp_build_term_req (uint8_t *buf, uint16_t fes, uint32_t fei,
                             const void *bad_hdr, size_t bad_len);

/* ---- Receiving ---------------------------------------------------------- */
/* ICResp: all of its fields, against what we asked for.  On success fills
 * p->cpda and p->maxh2cdata. */
int tcp_check_icresp (const struct nvme_tcp_icresp *r, struct tcp_params *p,
                      struct pdu_error *e);

/* The common header of any PDU received after initialisation: a type the
 * controller may send, its hlen, the digest flags, pdo and plen (as far as
 * they can be checked without the PDU-specific header). */
int tcp_check_ch (const struct nvme_tcp_ch *ch, const struct tcp_params *p,
                  struct pdu_error *e);

/* The number of header-digest bytes that follow the header of this PDU. */
uint32_t tcp_hdgst_len (const struct nvme_tcp_ch *ch,
                        const struct tcp_params *p);

/* Verify the header digest that follows hlen bytes of header. */
int tcp_check_hdgst (const uint8_t *hdr, uint32_t hlen, struct pdu_error *e);

/* The PDU-specific headers.  req is the transfer of the outstanding
 * command named by the CID, or NULL if that CID is not outstanding;
 * sq_size the entries of the submission queue (SQHD must point into it). */
int tcp_check_rsp (const struct nvme_tcp_rsp_pdu *pdu,
                   const struct tcp_xfer *req, uint16_t sq_size,
                   struct pdu_error *e);
int tcp_check_c2h_data (const struct nvme_tcp_data_pdu *pdu,
                        const struct tcp_xfer *req, const struct tcp_params *p,
                        struct pdu_error *e);
int tcp_check_r2t (const struct nvme_tcp_r2t_pdu *pdu,
                   const struct tcp_xfer *req, const struct tcp_params *p,
                   struct pdu_error *e);

/* Decode a received C2HTermReq (plen bytes in buf, validated to be at least
 * 24) into a sentence. */
void tcp_describe_term_req (const uint8_t *buf, uint32_t len, char *out,
                            size_t outlen);

const char *tcp_fes_string (uint16_t fes);
const char *tcp_pdu_type_string (uint8_t type);

#endif
