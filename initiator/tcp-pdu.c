/* SPDX-License-Identifier: BSD-3-Clause */
/* NVMe/TCP PDUs: building what the host sends, validating what it receives
 * (NVMe/TCP Transport Specification 1.0 section 3.6).  Each received field
 * is checked before anything acts on it; a violation is described by the
 * FES/FEI pair of the H2CTermReq that the caller sends before closing. */
#include <config.h>

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "tcp-pdu.h"
#include "crc32c.h"

#define HDR_FIELD(type, field) ((uint32_t) offsetof (type, field))

static int violation (struct pdu_error *e, uint16_t fes, uint32_t fei,
                      const char *fmt, ...)
  __attribute__((__format__ (__printf__, 4, 5)));

/* snprintf for messages, where cutting a long one short is fine. */
static void say (char *buf, size_t len, const char *fmt, ...)
  __attribute__((__format__ (__printf__, 3, 4)));

static void
say (char *buf, size_t len, const char *fmt, ...)
{
  va_list ap;

  va_start (ap, fmt);
  vsnprintf (buf, len, fmt, ap);
  va_end (ap);
}

static int
violation (struct pdu_error *e, uint16_t fes, uint32_t fei, const char *fmt,
           ...)
{
  va_list ap;

  e->fes = fes;
  e->fei = fei;
  va_start (ap, fmt);
  vsnprintf (e->msg, sizeof e->msg, fmt, ap);
  va_end (ap);
  return -1;
}

const char *
tcp_fes_string (uint16_t fes)
{
  switch (fes) {
  case NVME_TCP_FES_INVALID_HEADER:
    return "Invalid PDU Header Field";
  case NVME_TCP_FES_PDU_SEQUENCE:
    return "PDU Sequence Error";
  case NVME_TCP_FES_HDGST_ERROR:
    return "Header Digest Error";
  case NVME_TCP_FES_DATA_OUT_OF_RANGE:
    return "Data Transfer Out of Range";
  case NVME_TCP_FES_R2T_LIMIT_EXCEEDED:
    return "Data Transfer Limit Exceeded";
  case NVME_TCP_FES_UNSUPPORTED_PARAM:
    return "Unsupported Parameter";
  default:
    return "unknown fatal error status";
  }
}

const char *
tcp_pdu_type_string (uint8_t type)
{
  switch (type) {
  case NVME_TCP_PDU_ICREQ:
    return "ICReq";
  case NVME_TCP_PDU_ICRESP:
    return "ICResp";
  case NVME_TCP_PDU_H2C_TERM:
    return "H2CTermReq";
  case NVME_TCP_PDU_C2H_TERM:
    return "C2HTermReq";
  case NVME_TCP_PDU_CMD:
    return "CapsuleCmd";
  case NVME_TCP_PDU_RSP:
    return "CapsuleResp";
  case NVME_TCP_PDU_H2C_DATA:
    return "H2CData";
  case NVME_TCP_PDU_C2H_DATA:
    return "C2HData";
  case NVME_TCP_PDU_R2T:
    return "R2T";
  default:
    return "unknown PDU";
  }
}

/* ---- Sending --------------------------------------------------------- */

void
tcp_build_icreq (struct nvme_tcp_icreq *icreq, const struct tcp_params *p)
{
  memset (icreq, 0, sizeof *icreq);
  icreq->ch.type = NVME_TCP_PDU_ICREQ;
  icreq->ch.hlen = sizeof *icreq;
  icreq->ch.pdo = 0;
  PUT32 (icreq->ch.plen, sizeof *icreq);
  PUT16 (icreq->pfv, NVME_TCP_PFV_1_0);
  icreq->hpda = p->hpda;
  icreq->digest = (p->hdgst ? NVME_TCP_DIGEST_HDGST_ENABLE : 0) |
                  (p->ddgst ? NVME_TCP_DIGEST_DDGST_ENABLE : 0);
  /* 0's based. */
  PUT32 (icreq->maxr2t, p->maxr2t > 0 ? p->maxr2t - 1 : 0);
}

uint32_t
tcp_pdo (uint32_t hlen, const struct tcp_params *p)
{
  uint32_t off = hlen + (p->hdgst ? NVME_TCP_DIGEST_LEN : 0);
  uint32_t align = NVME_TCP_PDA_ALIGN (p->cpda);

  return (off + align - 1) / align * align;
}

/* Common header, then the header digest after hlen bytes and zero padding
 * up to the PDO.  Returns the bytes before the data. */
static uint32_t
finish_header (uint8_t *hdr, uint8_t type, uint8_t flags, uint32_t hlen,
               uint32_t datal, const struct tcp_params *p)
{
  struct nvme_tcp_ch *ch = (struct nvme_tcp_ch *) hdr;
  uint32_t hd = p->hdgst ? NVME_TCP_DIGEST_LEN : 0;
  uint32_t head, plen;

  if (p->hdgst)
    flags |= NVME_TCP_F_HDGST;
  if (datal > 0) {
    if (p->ddgst)
      flags |= NVME_TCP_F_DDGST;
    head = tcp_pdo (hlen, p);
    plen = head + datal + (p->ddgst ? NVME_TCP_DIGEST_LEN : 0);
  }
  else {
    head = hlen + hd;
    plen = head;
  }
  ch->type = type;
  ch->flags = flags;
  ch->hlen = hlen;
  ch->pdo = datal > 0 ? head : 0;
  PUT32 (ch->plen, plen);
  if (p->hdgst)
    put_le32 (hdr + hlen, crc32c (hdr, hlen));
  if (head > hlen + hd)
    memset (hdr + hlen + hd, 0, head - hlen - hd);
  return head;
}

uint32_t
tcp_build_cmd (uint8_t *hdr, const struct nvme_sqe *sqe, uint32_t data_len,
               uint32_t total_len, const struct tcp_params *p)
{
  struct nvme_tcp_cmd_pdu *pdu = (struct nvme_tcp_cmd_pdu *) hdr;

  memset (pdu, 0, sizeof *pdu);
  pdu->sqe = *sqe;
  pdu->sqe.flags =
    (pdu->sqe.flags & ~NVME_CMD_FLAGS_PSDT_MASK) | NVME_CMD_FLAGS_PSDT_SGL;
  memset (&pdu->sqe.dptr, 0, sizeof pdu->sqe.dptr);
  if (data_len > 0) {
    /* In-capsule: Data Block, Offset subtype, offset 0 (ICDOFF is 0). */
    PUT32 (pdu->sqe.dptr.sgl.length, data_len);
    pdu->sqe.dptr.sgl.id = NVME_SGL_ID_DATA_OFFSET;
  }
  else {
    /* Moved by C2HData or R2T/H2CData (length 0: no data). */
    PUT32 (pdu->sqe.dptr.sgl.length, total_len);
    pdu->sqe.dptr.sgl.id = NVME_SGL_ID_TRANSPORT;
  }
  return finish_header (hdr, NVME_TCP_PDU_CMD, 0, sizeof *pdu, data_len, p);
}

uint32_t
tcp_build_h2c_data (uint8_t *hdr, uint16_t cccid, uint16_t ttag, uint32_t datao,
                    uint32_t datal, bool last, const struct tcp_params *p)
{
  struct nvme_tcp_data_pdu *pdu = (struct nvme_tcp_data_pdu *) hdr;

  memset (pdu, 0, sizeof *pdu);
  PUT16 (pdu->cccid, cccid);
  PUT16 (pdu->ttag, ttag);
  PUT32 (pdu->datao, datao);
  PUT32 (pdu->datal, datal);
  return finish_header (hdr, NVME_TCP_PDU_H2C_DATA,
                        last ? NVME_TCP_F_DATA_LAST : 0, sizeof *pdu, datal, p);
}

uint32_t
tcp_h2c_next (uint32_t r2tl, uint32_t sent, uint32_t maxh2cdata, bool *last)
{
  uint32_t left = sent < r2tl ? r2tl - sent : 0;
  uint32_t n = left < maxh2cdata ? left : maxh2cdata;

  *last = n == left;
  return n;
}

uint32_t
tcp_build_term_req (uint8_t *buf, uint16_t fes, uint32_t fei,
                    const void *bad_hdr, size_t bad_len)
{
  struct nvme_tcp_term_pdu *t = (struct nvme_tcp_term_pdu *) buf;
  uint32_t n =
    bad_len < NVME_TCP_TERM_MAX_DATA ? bad_len : NVME_TCP_TERM_MAX_DATA;

  memset (t, 0, sizeof *t);
  t->ch.type = NVME_TCP_PDU_H2C_TERM;
  t->ch.hlen = sizeof *t;
  t->ch.pdo = 0; /* TermReqs carry no digests or padding */
  PUT32 (t->ch.plen, sizeof *t + n);
  PUT16 (t->fes, fes);
  put_le32 (t->fei, fei);
  if (n)
    memcpy (buf + sizeof *t, bad_hdr, n);
  return sizeof *t + n;
}

/* ---- Receiving ------------------------------------------------------- */

int
tcp_check_icresp (const struct nvme_tcp_icresp *r, struct tcp_params *p,
                  struct pdu_error *e)
{
  uint8_t want = (p->hdgst ? NVME_TCP_DIGEST_HDGST_ENABLE : 0) |
                 (p->ddgst ? NVME_TCP_DIGEST_DDGST_ENABLE : 0);
  uint32_t maxh2cdata = GET32 (r->maxh2cdata);

  if (r->ch.type != NVME_TCP_PDU_ICRESP)
    return violation (e, NVME_TCP_FES_PDU_SEQUENCE, 0,
                      "expected ICResp, received %s (type 0x%02x)",
                      tcp_pdu_type_string (r->ch.type), r->ch.type);
  if (r->ch.hlen != sizeof *r)
    return violation (e, NVME_TCP_FES_INVALID_HEADER,
                      HDR_FIELD (struct nvme_tcp_ch, hlen),
                      "ICResp HLEN is %u, must be 128", r->ch.hlen);
  if (r->ch.pdo != 0)
    return violation (e, NVME_TCP_FES_INVALID_HEADER,
                      HDR_FIELD (struct nvme_tcp_ch, pdo),
                      "ICResp PDO is %u, must be 0", r->ch.pdo);
  if (GET32 (r->ch.plen) != sizeof *r)
    return violation (
      e, NVME_TCP_FES_INVALID_HEADER, HDR_FIELD (struct nvme_tcp_ch, plen),
      "ICResp PLEN is %" PRIu32 ", must be 128", GET32 (r->ch.plen));
  if (GET16 (r->pfv) != NVME_TCP_PFV_1_0)
    return violation (e, NVME_TCP_FES_UNSUPPORTED_PARAM,
                      HDR_FIELD (struct nvme_tcp_icresp, pfv),
                      "ICResp PFV is %u, only 0 (NVMe/TCP 1.0) is supported",
                      GET16 (r->pfv));
  if (r->cpda > NVME_TCP_MAX_PDA)
    return violation (e, NVME_TCP_FES_UNSUPPORTED_PARAM,
                      HDR_FIELD (struct nvme_tcp_icresp, cpda),
                      "ICResp CPDA is %u, at most 31 is allowed", r->cpda);
  if ((r->digest &
       ~(NVME_TCP_DIGEST_HDGST_ENABLE | NVME_TCP_DIGEST_DDGST_ENABLE)) != 0 ||
      r->digest != want)
    return violation (e, NVME_TCP_FES_UNSUPPORTED_PARAM,
                      HDR_FIELD (struct nvme_tcp_icresp, digest),
                      "ICResp enables %s header digest and %s data digest, "
                      "but %s and %s were asked for",
                      (r->digest & NVME_TCP_DIGEST_HDGST_ENABLE) ? "the" : "no",
                      (r->digest & NVME_TCP_DIGEST_DDGST_ENABLE) ? "the" : "no",
                      p->hdgst ? "hdr-digest" : "no header digest",
                      p->ddgst ? "data-digest" : "no data digest");
  if (maxh2cdata < NVME_TCP_MIN_MAXH2CDATA || maxh2cdata % 4 != 0)
    return violation (e, NVME_TCP_FES_UNSUPPORTED_PARAM,
                      HDR_FIELD (struct nvme_tcp_icresp, maxh2cdata),
                      "ICResp MAXH2CDATA is %" PRIu32 ", must be a multiple "
                      "of 4 and at least 4096",
                      maxh2cdata);
  p->cpda = r->cpda;
  p->maxh2cdata = maxh2cdata;
  return 0;
}

uint32_t
tcp_hdgst_len (const struct nvme_tcp_ch *ch, const struct tcp_params *p)
{
  /* TermReqs never carry digests. */
  if (!p->hdgst || ch->type == NVME_TCP_PDU_C2H_TERM)
    return 0;
  return NVME_TCP_DIGEST_LEN;
}

int
tcp_check_ch (const struct nvme_tcp_ch *ch, const struct tcp_params *p,
              struct pdu_error *e)
{
  uint32_t plen = GET32 (ch->plen);
  uint32_t hd = tcp_hdgst_len (ch, p);
  uint32_t dd = p->ddgst ? NVME_TCP_DIGEST_LEN : 0;
  uint32_t align = NVME_TCP_PDA_ALIGN (p->hpda);
  const char *name = tcp_pdu_type_string (ch->type);
  bool has_hd = (ch->flags & NVME_TCP_F_HDGST) != 0;
  bool has_dd = (ch->flags & NVME_TCP_F_DDGST) != 0;

  switch (ch->type) {
  case NVME_TCP_PDU_RSP:
  case NVME_TCP_PDU_R2T:
  case NVME_TCP_PDU_C2H_DATA:
  case NVME_TCP_PDU_C2H_TERM:
    break;
  case NVME_TCP_PDU_ICRESP:
    return violation (e, NVME_TCP_FES_PDU_SEQUENCE, 0,
                      "ICResp received after connection initialisation");
  default:
    return violation (
      e, NVME_TCP_FES_INVALID_HEADER, HDR_FIELD (struct nvme_tcp_ch, type),
      "%s (type 0x%02x) is not a PDU a controller may send", name, ch->type);
  }

  if (ch->hlen != nvme_tcp_pdu_hlen (ch->type))
    return violation (e, NVME_TCP_FES_INVALID_HEADER,
                      HDR_FIELD (struct nvme_tcp_ch, hlen),
                      "%s HLEN is %u, must be %u", name, ch->hlen,
                      nvme_tcp_pdu_hlen (ch->type));

  if (ch->type == NVME_TCP_PDU_C2H_TERM) {
    if (plen < NVME_TCP_TERM_MIN_PLEN || plen > NVME_TCP_TERM_MAX_PLEN)
      return violation (
        e, NVME_TCP_FES_INVALID_HEADER, HDR_FIELD (struct nvme_tcp_ch, plen),
        "C2HTermReq PLEN is %" PRIu32 ", must be 24..152", plen);
    return 0;
  }

  if (has_hd != p->hdgst)
    return violation (
      e, NVME_TCP_FES_INVALID_HEADER, HDR_FIELD (struct nvme_tcp_ch, flags),
      "%s HDGSTF flag is %s but header digests are %s", name,
      has_hd ? "set" : "clear", p->hdgst ? "enabled" : "disabled");

  if (ch->type != NVME_TCP_PDU_C2H_DATA) {
    /* CapsuleResp, R2T: no data. */
    if (has_dd)
      return violation (e, NVME_TCP_FES_INVALID_HEADER,
                        HDR_FIELD (struct nvme_tcp_ch, flags),
                        "%s has the DDGSTF flag but carries no data", name);
    if (ch->pdo != 0)
      return violation (e, NVME_TCP_FES_INVALID_HEADER,
                        HDR_FIELD (struct nvme_tcp_ch, pdo),
                        "%s PDO is %u, must be 0 (no data)", name, ch->pdo);
    if (plen != ch->hlen + hd)
      return violation (
        e, NVME_TCP_FES_INVALID_HEADER, HDR_FIELD (struct nvme_tcp_ch, plen),
        "%s PLEN is %" PRIu32 ", must be %" PRIu32, name, plen, ch->hlen + hd);
    return 0;
  }

  /* C2HData. */
  if (has_dd != p->ddgst)
    return violation (
      e, NVME_TCP_FES_INVALID_HEADER, HDR_FIELD (struct nvme_tcp_ch, flags),
      "C2HData DDGSTF flag is %s but data digests are %s",
      has_dd ? "set" : "clear", p->ddgst ? "enabled" : "disabled");
  if (ch->pdo < ch->hlen + hd || ch->pdo % align != 0)
    return violation (e, NVME_TCP_FES_INVALID_HEADER,
                      HDR_FIELD (struct nvme_tcp_ch, pdo),
                      "C2HData PDO is %u, must be at least %" PRIu32
                      " and a multiple of %" PRIu32,
                      ch->pdo, ch->hlen + hd, align);
  if (plen <= (uint32_t) ch->pdo + dd)
    return violation (e, NVME_TCP_FES_INVALID_HEADER,
                      HDR_FIELD (struct nvme_tcp_ch, plen),
                      "C2HData PLEN is %" PRIu32 ", leaving no room for data "
                      "after PDO %u",
                      plen, ch->pdo);
  return 0;
}

int
tcp_check_hdgst (const uint8_t *hdr, uint32_t hlen, struct pdu_error *e)
{
  uint32_t want = crc32c (hdr, hlen), got = get_le32 (hdr + hlen);

  if (want != got)
    return violation (e, NVME_TCP_FES_HDGST_ERROR, 0,
                      "%s header digest mismatch: received 0x%08" PRIx32
                      ", computed 0x%08" PRIx32,
                      tcp_pdu_type_string (hdr[0]), got, want);
  return 0;
}

#define CQE_CID_FEI \
  (HDR_FIELD (struct nvme_tcp_rsp_pdu, cqe) + HDR_FIELD (struct nvme_cqe, cid))

int
tcp_check_rsp (const struct nvme_tcp_rsp_pdu *pdu, const struct tcp_xfer *req,
               uint16_t sq_size, struct pdu_error *e)
{
  uint16_t cid = GET16 (pdu->cqe.cid);
  uint16_t status = nvme_cqe_status (&pdu->cqe);
  uint16_t sqhd = GET16 (pdu->cqe.sqhd);

  if (req == NULL)
    return violation (e, NVME_TCP_FES_INVALID_HEADER, CQE_CID_FEI,
                      "CapsuleResp for cid %u, which is not outstanding", cid);
  /* With SQ flow control disabled the controller may report 0xFFFF. */
  if (sqhd >= sq_size && sqhd != 0xFFFF)
    return violation (e, NVME_TCP_FES_INVALID_HEADER,
                      HDR_FIELD (struct nvme_tcp_rsp_pdu, cqe) +
                        HDR_FIELD (struct nvme_cqe, sqhd),
                      "CapsuleResp for cid %u has SQ head %u, outside the "
                      "%u-entry queue",
                      cid, sqhd, sq_size);
  if (NVME_STATUS_CODE (status) != NVME_SC_SUCCESS)
    return 0;
  /* A success must have moved all the data: NVMe has no short transfers. */
  if (req->dir == TCP_XFER_C2H && !req->ddgst_error &&
      req->c2h_received != req->len)
    return violation (e, NVME_TCP_FES_PDU_SEQUENCE, 0,
                      "CapsuleResp reports success for cid %u after %" PRIu32
                      " of %" PRIu32 " bytes of data",
                      cid, req->c2h_received, req->len);
  if (req->dir == TCP_XFER_H2C && req->inline_len < req->len &&
      req->r2t_end < req->len)
    return violation (
      e, NVME_TCP_FES_PDU_SEQUENCE, 0,
      "CapsuleResp reports success for cid %u, but only %" PRIu32
      " of its %" PRIu32 " bytes of data were "
      "requested",
      cid, req->r2t_end > req->inline_len ? req->r2t_end : req->inline_len,
      req->len);
  return 0;
}

int
tcp_check_c2h_data (const struct nvme_tcp_data_pdu *pdu,
                    const struct tcp_xfer *req, const struct tcp_params *p,
                    struct pdu_error *e)
{
  uint16_t cid = GET16 (pdu->cccid);
  uint32_t datao = GET32 (pdu->datao), datal = GET32 (pdu->datal);
  uint32_t plen = GET32 (pdu->ch.plen);
  uint32_t dd = p->ddgst ? NVME_TCP_DIGEST_LEN : 0;
  uint8_t flags = pdu->ch.flags;

  if (req == NULL)
    return violation (e, NVME_TCP_FES_INVALID_HEADER,
                      HDR_FIELD (struct nvme_tcp_data_pdu, cccid),
                      "C2HData for cid %u, which is not outstanding", cid);
  if (req->dir != TCP_XFER_C2H)
    return violation (e, NVME_TCP_FES_INVALID_HEADER,
                      HDR_FIELD (struct nvme_tcp_data_pdu, cccid),
                      "C2HData for cid %u, a command that reads no data", cid);
  if (datal == 0)
    return violation (e, NVME_TCP_FES_INVALID_HEADER,
                      HDR_FIELD (struct nvme_tcp_data_pdu, datal),
                      "C2HData for cid %u with DATAL 0", cid);
  if ((uint64_t) datao + datal > req->len)
    return violation (e, NVME_TCP_FES_DATA_OUT_OF_RANGE,
                      HDR_FIELD (struct nvme_tcp_data_pdu, datal),
                      "C2HData for cid %u: bytes %" PRIu32 "+%" PRIu32
                      " are outside its %" PRIu32 "-byte buffer",
                      cid, datao, datal, req->len);
  if (datao != req->c2h_received)
    return violation (e, NVME_TCP_FES_INVALID_HEADER,
                      HDR_FIELD (struct nvme_tcp_data_pdu, datao),
                      "C2HData for cid %u at offset %" PRIu32
                      ", expected %" PRIu32 " (data must arrive in order)",
                      cid, datao, req->c2h_received);
  if ((uint64_t) pdu->ch.pdo + datal + dd != plen)
    return violation (
      e, NVME_TCP_FES_INVALID_HEADER, HDR_FIELD (struct nvme_tcp_ch, plen),
      "C2HData PLEN is %" PRIu32 " but PDO %u + DATAL %" PRIu32
      " + digest %" PRIu32 " make %" PRIu64,
      plen, pdu->ch.pdo, datal, dd, (uint64_t) pdu->ch.pdo + datal + dd);
  if (flags & NVME_TCP_F_DATA_SUCCESS) {
    if (!(flags & NVME_TCP_F_DATA_LAST))
      return violation (e, NVME_TCP_FES_INVALID_HEADER,
                        HDR_FIELD (struct nvme_tcp_ch, flags),
                        "C2HData for cid %u has SUCCESS without LAST_PDU", cid);
    if (datao + datal != req->len)
      return violation (
        e, NVME_TCP_FES_INVALID_HEADER, HDR_FIELD (struct nvme_tcp_ch, flags),
        "C2HData for cid %u has SUCCESS after %" PRIu32 " of %" PRIu32 " bytes",
        cid, datao + datal, req->len);
  }
  return 0;
}

int
tcp_check_r2t (const struct nvme_tcp_r2t_pdu *pdu, const struct tcp_xfer *req,
               const struct tcp_params *p, struct pdu_error *e)
{
  uint16_t cid = GET16 (pdu->cccid);
  uint32_t r2to = GET32 (pdu->r2to), r2tl = GET32 (pdu->r2tl);

  if (req == NULL)
    return violation (e, NVME_TCP_FES_INVALID_HEADER,
                      HDR_FIELD (struct nvme_tcp_r2t_pdu, cccid),
                      "R2T for cid %u, which is not outstanding", cid);
  if (req->dir != TCP_XFER_H2C)
    return violation (e, NVME_TCP_FES_INVALID_HEADER,
                      HDR_FIELD (struct nvme_tcp_r2t_pdu, cccid),
                      "R2T for cid %u, a command that writes no data", cid);
  if (r2tl == 0)
    return violation (e, NVME_TCP_FES_INVALID_HEADER,
                      HDR_FIELD (struct nvme_tcp_r2t_pdu, r2tl),
                      "R2T for cid %u with R2TL 0", cid);
  if ((uint64_t) r2to + r2tl > req->len)
    return violation (e, NVME_TCP_FES_DATA_OUT_OF_RANGE,
                      HDR_FIELD (struct nvme_tcp_r2t_pdu, r2tl),
                      "R2T for cid %u: bytes %" PRIu32 "+%" PRIu32
                      " are outside its %" PRIu32 "-byte buffer",
                      cid, r2to, r2tl, req->len);
  if (r2to < req->inline_len || r2to < req->r2t_end)
    return violation (
      e, NVME_TCP_FES_INVALID_HEADER, HDR_FIELD (struct nvme_tcp_r2t_pdu, r2to),
      "R2T for cid %u at offset %" PRIu32 " asks again for "
      "data already sent or requested (up to %" PRIu32 ")",
      cid, r2to,
      req->r2t_end > req->inline_len ? req->r2t_end : req->inline_len);
  if (req->r2t_outstanding >= p->maxr2t)
    return violation (e, NVME_TCP_FES_R2T_LIMIT_EXCEEDED, 0,
                      "R2T for cid %u exceeds the %" PRIu32 " outstanding "
                      "R2Ts per command allowed by MAXR2T",
                      cid, p->maxr2t);
  return 0;
}

void
tcp_describe_term_req (const uint8_t *buf, uint32_t len, char *out,
                       size_t outlen)
{
  const struct nvme_tcp_term_pdu *t = (const struct nvme_tcp_term_pdu *) buf;
  uint16_t fes = GET16 (t->fes);
  uint32_t fei = get_le32 (t->fei);
  char quoted[64] = "";

  /* The first bytes of the PDU header the controller objected to. */
  if (len > sizeof *t + 8) {
    const struct nvme_tcp_ch *bad =
      (const struct nvme_tcp_ch *) (buf + sizeof *t);

    say (quoted, sizeof quoted, " in a %s (hlen %u, pdo %u, plen %" PRIu32 ")",
         tcp_pdu_type_string (bad->type), bad->hlen, bad->pdo,
         GET32 (bad->plen));
  }
  if (fes == NVME_TCP_FES_INVALID_HEADER ||
      fes == NVME_TCP_FES_UNSUPPORTED_PARAM)
    say (out, outlen, "%s (FES 0x%02x) at byte %" PRIu32 "%s",
         tcp_fes_string (fes), fes, fei, quoted);
  else
    say (out, outlen, "%s (FES 0x%02x, FEI 0x%" PRIx32 ")%s",
         tcp_fes_string (fes), fes, fei, quoted);
}
