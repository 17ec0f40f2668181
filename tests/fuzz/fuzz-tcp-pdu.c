/* SPDX-License-Identifier: BSD-3-Clause */
/* Fuzz target for the host's NVMe/TCP PDU checks (initiator/tcp-pdu.c, a
 * leaf: this harness links it and crc32c.c only).  An input is
 *   byte 0      the connection: header digest (bit 0), data digest (1),
 *               HPDA (bits 2-3), MAXR2T 1..4 (bits 4-5), no request (6);
 *   bytes 1-16  the outstanding command's transfer: direction, length,
 *               in-capsule bytes, C2HData received, R2T end, R2Ts
 *               outstanding, data digest failed;
 *   the rest    bytes received: checked as an ICResp, then as a PDU
 *               (common header, header digest, CapsuleResp, C2HData or
 *               R2T by its type) and described as a C2HTermReq.
 * Every check must accept or refuse with an FES and a one-line message,
 * and what it accepts must keep the promises the receive state machine
 * relies on: a C2HData's bytes inside the buffer at the next offset, its
 * PLEN covering exactly its header, data and digests; an R2T inside the
 * buffer, beyond what was sent or asked, within MAXR2T, and split into
 * H2CData PDUs that cover it exactly; an ICResp's CPDA and MAXH2CDATA in
 * range.
 *
 * libFuzzer: scripts/fuzz.sh.  Built-in driver (the unit test
 * "unit/fuzz-tcp-pdu"): see driver.c. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcp-pdu.h"
#include "crc32c.h"
#include "driver.h"

#define XFER_BYTES 16

static void
check_refusal (const struct pdu_error *e, const char *what)
{
  size_t n = strnlen (e->msg, sizeof e->msg);

  if (n == 0 || n == sizeof e->msg || strchr (e->msg, '\n'))
    FAILED ("%s refused with message '%.*s'", what, (int) n, e->msg);
  switch (e->fes) {
  case NVME_TCP_FES_INVALID_HEADER:
  case NVME_TCP_FES_PDU_SEQUENCE:
  case NVME_TCP_FES_HDGST_ERROR:
  case NVME_TCP_FES_DATA_OUT_OF_RANGE:
  case NVME_TCP_FES_R2T_LIMIT_EXCEEDED:
  case NVME_TCP_FES_UNSUPPORTED_PARAM:
    break;
  default:
    FAILED ("%s refused with FES 0x%x", what, e->fes);
  }
}

static void
check_c2h (const struct nvme_tcp_data_pdu *pdu, const struct tcp_xfer *x,
           const struct tcp_params *p)
{
  uint32_t datao = GET32 (pdu->datao), datal = GET32 (pdu->datal);
  uint32_t plen = GET32 (pdu->ch.plen);
  uint64_t want =
    (uint64_t) pdu->ch.pdo + datal + (p->ddgst ? NVME_TCP_DIGEST_LEN : 0);

  if (x->dir != TCP_XFER_C2H || datal == 0 ||
      (uint64_t) datao + datal > x->len || datao != x->c2h_received)
    FAILED ("C2HData %u+%u accepted for a %u-byte read at %u", datao, datal,
            x->len, x->c2h_received);
  if (plen != want)
    FAILED ("C2HData PLEN %u accepted, PDO+DATAL+DDGST make %llu", plen,
            (unsigned long long) want);
  if ((pdu->ch.flags & NVME_TCP_F_DATA_SUCCESS) &&
      (!(pdu->ch.flags & NVME_TCP_F_DATA_LAST) || datao + datal != x->len))
    FAILED ("C2HData SUCCESS accepted before the end");
}

static void
check_r2t (const struct nvme_tcp_r2t_pdu *pdu, const struct tcp_xfer *x,
           const struct tcp_params *p)
{
  uint32_t r2to = GET32 (pdu->r2to), r2tl = GET32 (pdu->r2tl);
  uint32_t sent = 0, n, pdus = 0;
  bool last = false;
  uint8_t hdr[NVME_TCP_MAX_PDO];

  if (x->dir != TCP_XFER_H2C || r2tl == 0 || (uint64_t) r2to + r2tl > x->len ||
      r2to < x->inline_len || r2to < x->r2t_end ||
      x->r2t_outstanding >= p->maxr2t)
    FAILED ("R2T %u+%u accepted for a %u-byte write (inline %u, end %u, "
            "%u of %u outstanding)",
            r2to, r2tl, x->len, x->inline_len, x->r2t_end, x->r2t_outstanding,
            p->maxr2t);
  /* The H2CData PDUs that answer it cover it exactly. */
  while ((n = tcp_h2c_next (r2tl, sent, p->maxh2cdata, &last)) > 0) {
    uint32_t hl;

    if (n > p->maxh2cdata || n > r2tl - sent)
      FAILED ("an H2CData of %u bytes at %u of %u (MAXH2CDATA %u)", n, sent,
              r2tl, p->maxh2cdata);
    hl = tcp_build_h2c_data (hdr, 1, 2, r2to + sent, n, last, p);
    if (hl > sizeof hdr ||
        GET32 (((struct nvme_tcp_data_pdu *) hdr)->datal) != n)
      FAILED ("H2CData header of %u bytes", hl);
    sent += n;
    pdus++;
    if (last != (sent == r2tl))
      FAILED ("LAST_PDU at %u of %u", sent, r2tl);
    if (pdus > r2tl / NVME_TCP_MIN_MAXH2CDATA + 2)
      FAILED ("%u H2CData PDUs for %u bytes", pdus, r2tl);
  }
  if (sent != r2tl)
    FAILED ("H2CData covered %u of the R2T's %u bytes", sent, r2tl);
}

static void
check_pdu (const uint8_t *buf, size_t len, const struct tcp_xfer *x,
           const struct tcp_params *p)
{
  const struct nvme_tcp_ch *ch = (const struct nvme_tcp_ch *) buf;
  struct pdu_error e = { 0 };
  uint32_t hd;

  if (len < sizeof *ch)
    return;
  if (tcp_check_ch (ch, p, &e) < 0) {
    check_refusal (&e, "common header");
    return;
  }
  if (ch->hlen != nvme_tcp_pdu_hlen (ch->type))
    FAILED ("type 0x%02x with HLEN %u accepted", ch->type, ch->hlen);
  hd = tcp_hdgst_len (ch, p);
  if (hd != 0 && hd != NVME_TCP_DIGEST_LEN)
    FAILED ("header digest of %u bytes", hd);
  if (len < (size_t) ch->hlen + hd)
    return; /* the state machine reads the rest before going on */
  if (hd && tcp_check_hdgst (buf, ch->hlen, &e) < 0) {
    check_refusal (&e, "header digest");
    if (e.fes != NVME_TCP_FES_HDGST_ERROR)
      FAILED ("digest refused with FES 0x%x", e.fes);
    return;
  }
  switch (ch->type) {
  case NVME_TCP_PDU_RSP:
    if (tcp_check_rsp ((const void *) buf, x, 32, &e) < 0)
      check_refusal (&e, "CapsuleResp");
    else if (x == NULL)
      FAILED ("CapsuleResp accepted for no command");
    break;
  case NVME_TCP_PDU_C2H_DATA:
    if (tcp_check_c2h_data ((const void *) buf, x, p, &e) < 0)
      check_refusal (&e, "C2HData");
    else if (x == NULL)
      FAILED ("C2HData accepted for no command");
    else
      check_c2h ((const void *) buf, x, p);
    break;
  case NVME_TCP_PDU_R2T:
    if (tcp_check_r2t ((const void *) buf, x, p, &e) < 0)
      check_refusal (&e, "R2T");
    else if (x == NULL)
      FAILED ("R2T accepted for no command");
    else
      check_r2t ((const void *) buf, x, p);
    break;
  case NVME_TCP_PDU_C2H_TERM:
    break;
  default:
    FAILED ("type 0x%02x accepted", ch->type);
  }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  struct tcp_params p = { 0 };
  struct tcp_xfer x = { 0 };
  struct pdu_error e = { 0 };
  const uint8_t *d = data + 1;
  uint8_t *copy;
  size_t len;
  char what[256];

  if (size < 1 + XFER_BYTES)
    return 0;
  p.hdgst = data[0] & 1;
  p.ddgst = data[0] & 2;
  p.hpda = (data[0] >> 2) & 3;
  p.maxr2t = 1 + ((data[0] >> 4) & 3);
  p.maxh2cdata = 8192;
  x.dir = d[0] % 3;
  x.ddgst_error = d[0] & 0x80;
  x.r2t_outstanding = d[1] & 7;
  x.len = get_le32 (d + 2) & 0xFFFFF;
  x.inline_len = get_le16 (d + 6);
  x.c2h_received = get_le32 (d + 8) & 0xFFFFF;
  x.r2t_end = get_le32 (d + 12) & 0xFFFFF;
  if (x.inline_len > x.len)
    x.inline_len = x.len;
  if (x.c2h_received > x.len)
    x.c2h_received = x.len;

  /* An exact-size heap copy, so that ASan sees any read past the end. */
  len = size - 1 - XFER_BYTES;
  copy = malloc (len ? len : 1);
  if (copy == NULL)
    return 0;
  memcpy (copy, data + 1 + XFER_BYTES, len);

  if (len >= sizeof (struct nvme_tcp_icresp)) {
    struct tcp_params q = p;

    if (tcp_check_icresp ((const void *) copy, &q, &e) < 0)
      check_refusal (&e, "ICResp");
    else {
      if (q.cpda > NVME_TCP_MAX_PDA || q.maxh2cdata < NVME_TCP_MIN_MAXH2CDATA ||
          q.maxh2cdata % 4)
        FAILED ("ICResp accepted with CPDA %u, MAXH2CDATA %u", q.cpda,
                q.maxh2cdata);
      p = q; /* the PDU below with the negotiated values */
    }
  }
  check_pdu (copy, len, data[0] & 0x40 ? NULL : &x, &p);
  if (len >= 24 && len <= NVME_TCP_TERM_MAX_PLEN) {
    what[0] = '\0';
    tcp_describe_term_req (copy, (uint32_t) len, what, sizeof what);
    if (what[0] == '\0' || strchr (what, '\n'))
      FAILED ("C2HTermReq described as '%s'", what);
  }
  free (copy);
  return 0;
}

#ifndef FUZZ_LIBFUZZER
/* ---- Seeds for the built-in driver (driver.c): each PDU a controller
 * sends, valid for the transfer in front of it, with and without
 * digests. */

static size_t
seed (size_t i, uint8_t *buf, size_t cap)
{
  uint8_t tmp[512];
  uint8_t *x = tmp + 1, *pdu = tmp + 1 + XFER_BYTES;
  struct nvme_tcp_ch *ch = (struct nvme_tcp_ch *) pdu;
  bool hd = i & 1;
  size_t n;

  if (i >= 10)
    return 0;
  memset (tmp, 0, sizeof tmp);
  tmp[0] = (uint8_t) ((hd ? 1 : 0) | 0x30);
  x[0] = TCP_XFER_C2H;
  put_le32 (x + 2, 8192);
  switch (i / 2) {
  case 0: { /* ICResp */
    struct nvme_tcp_icresp *r = (struct nvme_tcp_icresp *) pdu;

    r->ch.type = NVME_TCP_PDU_ICRESP;
    r->ch.hlen = sizeof *r;
    PUT32 (r->ch.plen, sizeof *r);
    r->digest = hd ? NVME_TCP_DIGEST_HDGST_ENABLE : 0;
    PUT32 (r->maxh2cdata, 131072);
    n = sizeof *r;
    break;
  }
  case 1: { /* CapsuleResp */
    struct nvme_tcp_rsp_pdu *r = (struct nvme_tcp_rsp_pdu *) pdu;

    x[0] = TCP_XFER_NONE;
    put_le32 (x + 2, 0);
    r->ch.type = NVME_TCP_PDU_RSP;
    r->ch.hlen = sizeof *r;
    n = sizeof *r;
    break;
  }
  case 2: { /* C2HData */
    struct nvme_tcp_data_pdu *d = (struct nvme_tcp_data_pdu *) pdu;

    d->ch.type = NVME_TCP_PDU_C2H_DATA;
    d->ch.hlen = sizeof *d;
    d->ch.flags = NVME_TCP_F_DATA_LAST | NVME_TCP_F_DATA_SUCCESS;
    d->ch.pdo = sizeof *d + (hd ? 4 : 0);
    PUT32 (d->datal, 8192);
    PUT32 (d->ch.plen, d->ch.pdo + 8192);
    n = sizeof *d;
    break;
  }
  case 3: { /* R2T */
    struct nvme_tcp_r2t_pdu *r = (struct nvme_tcp_r2t_pdu *) pdu;

    x[0] = TCP_XFER_H2C;
    put_le32 (x + 2, 65536);
    r->ch.type = NVME_TCP_PDU_R2T;
    r->ch.hlen = sizeof *r;
    PUT32 (r->r2to, 16384);
    PUT32 (r->r2tl, 20000);
    n = sizeof *r;
    break;
  }
  default: { /* C2HTermReq quoting a header */
    struct nvme_tcp_term_pdu *t = (struct nvme_tcp_term_pdu *) pdu;

    t->ch.type = NVME_TCP_PDU_C2H_TERM;
    t->ch.hlen = sizeof *t;
    PUT16 (t->fes, NVME_TCP_FES_INVALID_HEADER);
    put_le32 (t->fei, 2);
    pdu[sizeof *t] = NVME_TCP_PDU_CMD;
    pdu[sizeof *t + 2] = 72;
    put_le32 (pdu + sizeof *t + 4, 72);
    n = sizeof *t + 72;
    PUT32 (t->ch.plen, n);
    hd = false;
    break;
  }
  }
  if (ch->type != NVME_TCP_PDU_ICRESP && ch->type != NVME_TCP_PDU_C2H_TERM) {
    if (hd) {
      ch->flags |= NVME_TCP_F_HDGST;
      put_le32 (pdu + ch->hlen, crc32c (pdu, ch->hlen));
      n += 4;
    }
    if (ch->type != NVME_TCP_PDU_C2H_DATA)
      PUT32 (ch->plen, n);
  }
  n += 1 + XFER_BYTES;
  if (n > cap)
    n = cap;
  memcpy (buf, tmp, n);
  return n;
}

static const char *const tokens[] = {
  "\x01\x00\x80\x00",
  "\x05\x00\x18\x00",
  "\x07\x0c\x18\x18",
  "\x09\x00\x18\x00",
  "\x03\x00\x18\x00",
  "\x00\x20\x00\x00",
  "\x00\x00\x01\x00",
  "\xff\xff\xff\xff",
  "\x01",
  "\x02",
  "\x04",
  "\x08",
  "\x1c",
  "\x18",
};

const struct fuzz_target fuzz_target = {
  .name = "fuzz-tcp-pdu",
  .what = "NVMe/TCP PDU checks of the host",
  .seed = seed,
  .tokens = tokens,
  .nr_tokens = sizeof tokens / sizeof tokens[0],
};
#endif /* !FUZZ_LIBFUZZER */
