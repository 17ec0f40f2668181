/* SPDX-License-Identifier: BSD-3-Clause */
/* NVMe/Eth frames (docs/nvme-eth.md, "Frames"): the checks every received
 * frame passes before anything looks at it, the CRC32C seal, the stateless
 * replies of a listener, and the names of things.  Association-level checks
 * (ids, sequence numbers, commands) are in eth-proto.c and eth-tx.c. */
#include <config.h>

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "eth-int.h"
#include "crc32c.h"

#define FEI(type, field) ((uint32_t) offsetof (type, field))
#define HFEI(field)      FEI (struct nvme_eth_hdr, field)

int
eth_error_set (struct eth_error *e, uint16_t reason, uint32_t fei, bool drop,
               const char *fmt, ...)
{
  va_list ap;

  e->reason = reason;
  e->fei = fei;
  e->drop = drop;
  va_start (ap, fmt);
  vsnprintf (e->msg, sizeof e->msg, fmt, ap);
  va_end (ap);
  return -1;
}

const char *
eth_type_string (uint8_t type)
{
  switch (type) {
  case NVME_ETH_ASSOC_REQ:
    return "ASSOC_REQ";
  case NVME_ETH_ASSOC_RESP:
    return "ASSOC_RESP";
  case NVME_ETH_TERM:
    return "TERM";
  case NVME_ETH_TERM_ACK:
    return "TERM_ACK";
  case NVME_ETH_ACK:
    return "ACK";
  case NVME_ETH_KEEPALIVE:
    return "KEEPALIVE";
  case NVME_ETH_CMD:
    return "CMD";
  case NVME_ETH_RSP:
    return "RSP";
  case NVME_ETH_H2C_DATA:
    return "H2C_DATA";
  case NVME_ETH_C2H_DATA:
    return "C2H_DATA";
  case NVME_ETH_R2T:
    return "R2T";
  case NVME_ETH_C2H_DATA_RSP:
    return "C2H_DATA_RSP";
  case NVME_ETH_PROBE:
    return "PROBE";
  case NVME_ETH_PROBE_RESP:
    return "PROBE_RESP";
  default:
    return "unknown frame";
  }
}

const char *
eth_err_string (uint16_t reason)
{
  switch (reason) {
  case NVME_ETH_ERR_NONE:
    return "normal close";
  case NVME_ETH_ERR_INVALID_FIELD:
    return "invalid field";
  case NVME_ETH_ERR_SEQUENCE:
    return "frame not allowed in this state";
  case NVME_ETH_ERR_DATA_RANGE:
    return "data outside the command";
  case NVME_ETH_ERR_UNKNOWN_CID:
    return "command not outstanding";
  case NVME_ETH_ERR_LIMIT:
    return "limit exceeded";
  case NVME_ETH_ERR_UNSUPPORTED:
    return "unsupported parameter";
  case NVME_ETH_ERR_VERSION:
    return "unsupported version";
  case NVME_ETH_ERR_RESOURCES:
    return "no resources";
  case NVME_ETH_ERR_TIMEOUT:
    return "timeout";
  case NVME_ETH_ERR_SHUTDOWN:
    return "shutting down";
  default:
    return "unknown reason";
  }
}

const char *
eth_state_string (enum eth_state s)
{
  switch (s) {
  case ETH_S_IDLE:
    return "idle";
  case ETH_S_CONNECTING:
    return "connecting";
  case ETH_S_ACCEPTED:
    return "accepted";
  case ETH_S_ESTABLISHED:
    return "established";
  case ETH_S_CLOSING:
    return "closing";
  case ETH_S_CLOSED:
    return "closed";
  }
  return "unknown state";
}

void
eth_hdr_fill (void *hdr, uint8_t type, uint8_t flags, uint8_t hlen,
              uint32_t length, uint16_t qid, uint32_t dst, uint32_t src,
              uint32_t seq)
{
  struct nvme_eth_hdr *h = hdr;

  memset (h, 0, sizeof *h);
  h->version = NVME_ETH_VERSION;
  h->type = type;
  h->flags = flags;
  h->hlen = hlen;
  PUT16 (h->length, (uint16_t) length);
  PUT16 (h->qid, qid);
  PUT32 (h->dst_assoc, dst);
  PUT32 (h->src_assoc, src);
  PUT32 (h->seq, seq);
}

void
eth_frame_seal (void *hdr, uint32_t hlen, const void *data, uint32_t data_len)
{
  struct nvme_eth_hdr *h = hdr;
  uint32_t c;

  PUT32 (h->crc, 0);
  c = crc32c_update (CRC32C_INIT, hdr, hlen);
  if (data_len)
    c = crc32c_update (c, data, data_len);
  PUT32 (h->crc, crc32c_final (c));
}

/* The CRC of a received frame, computed with its crc field as zero, over
 * len bytes (the whole frame, or its header with F_HCRC). */
static uint32_t
frame_crc (const uint8_t *buf, uint32_t len)
{
  static const uint8_t zero[4];
  uint32_t c = crc32c_update (CRC32C_INIT, buf, HFEI (crc));

  c = crc32c_update (c, zero, sizeof zero);
  c = crc32c_update (c, buf + sizeof (struct nvme_eth_hdr),
                     len - sizeof (struct nvme_eth_hdr));
  return crc32c_final (c);
}

static int
check_assoc_req (const uint8_t *buf, struct eth_error *e)
{
  const struct nvme_eth_assoc_req *r = (const void *) buf;
  uint16_t depth = GET16 (r->queue_depth), mf = GET16 (r->max_frame);
  uint16_t wnd = GET16 (r->rx_window);
  uint32_t ka = GET32 (r->ka_interval_ms);

  if (GET32 (r->hdr.dst_assoc) != 0)
    return eth_error_set (e, NVME_ETH_ERR_INVALID_FIELD, HFEI (dst_assoc),
                          false, "ASSOC_REQ names association %" PRIu32,
                          GET32 (r->hdr.dst_assoc));
  if (GET32 (r->hdr.src_assoc) == 0)
    return eth_error_set (e, NVME_ETH_ERR_INVALID_FIELD, HFEI (src_assoc),
                          false, "ASSOC_REQ has association id 0");
  if (depth == 0 || depth > NVME_ETH_MAX_DEPTH)
    return eth_error_set (e, NVME_ETH_ERR_INVALID_FIELD,
                          FEI (struct nvme_eth_assoc_req, queue_depth), false,
                          "ASSOC_REQ queue depth %u is not in 1..%u", depth,
                          NVME_ETH_MAX_DEPTH);
  if (mf < NVME_ETH_MIN_FRAME)
    return eth_error_set (
      e, NVME_ETH_ERR_INVALID_FIELD, FEI (struct nvme_eth_assoc_req, max_frame),
      false, "ASSOC_REQ max frame %u is below %u", mf, NVME_ETH_MIN_FRAME);
  if (wnd == 0 || wnd > NVME_ETH_MAX_WINDOW)
    return eth_error_set (
      e, NVME_ETH_ERR_INVALID_FIELD, FEI (struct nvme_eth_assoc_req, rx_window),
      false, "ASSOC_REQ window %u is not in 1..%u", wnd, NVME_ETH_MAX_WINDOW);
  if (ka == 0 || ka > 3600000)
    return eth_error_set (
      e, NVME_ETH_ERR_INVALID_FIELD,
      FEI (struct nvme_eth_assoc_req, ka_interval_ms), false,
      "ASSOC_REQ keep-alive interval %" PRIu32 " ms is not in 1..3600000", ka);
  if (GET32 (r->options) & ~NVME_ETH_OPT_ALL)
    return eth_error_set (e, NVME_ETH_ERR_UNSUPPORTED,
                          FEI (struct nvme_eth_assoc_req, options), false,
                          "ASSOC_REQ asks for unknown options 0x%08" PRIx32,
                          GET32 (r->options) & ~NVME_ETH_OPT_ALL);
  return 0;
}

static int
check_assoc_resp (const uint8_t *buf, struct eth_error *e)
{
  const struct nvme_eth_assoc_resp *r = (const void *) buf;
  uint16_t depth = GET16 (r->queue_depth), mf = GET16 (r->max_frame);
  uint16_t wnd = GET16 (r->rx_window);
  uint32_t ka = GET32 (r->ka_interval_ms);

  if (GET16 (r->status) != 0)
    return 0; /* a refusal: the other fields mean nothing */
  if (GET32 (r->hdr.src_assoc) == 0)
    return eth_error_set (e, NVME_ETH_ERR_INVALID_FIELD, HFEI (src_assoc),
                          false, "ASSOC_RESP has association id 0");
  if (depth == 0 || depth > NVME_ETH_MAX_DEPTH)
    return eth_error_set (e, NVME_ETH_ERR_INVALID_FIELD,
                          FEI (struct nvme_eth_assoc_resp, queue_depth), false,
                          "ASSOC_RESP queue depth %u is not in 1..%u", depth,
                          NVME_ETH_MAX_DEPTH);
  if (mf < NVME_ETH_MIN_FRAME)
    return eth_error_set (e, NVME_ETH_ERR_INVALID_FIELD,
                          FEI (struct nvme_eth_assoc_resp, max_frame), false,
                          "ASSOC_RESP max frame %u is below %u", mf,
                          NVME_ETH_MIN_FRAME);
  if (wnd == 0 || wnd > NVME_ETH_MAX_WINDOW)
    return eth_error_set (e, NVME_ETH_ERR_INVALID_FIELD,
                          FEI (struct nvme_eth_assoc_resp, rx_window), false,
                          "ASSOC_RESP window %u is not in 1..%u", wnd,
                          NVME_ETH_MAX_WINDOW);
  if (ka == 0 || ka > 3600000)
    return eth_error_set (
      e, NVME_ETH_ERR_INVALID_FIELD,
      FEI (struct nvme_eth_assoc_resp, ka_interval_ms), false,
      "ASSOC_RESP keep-alive interval %" PRIu32 " ms is not in 1..3600000", ka);
  if (GET32 (r->options) & ~NVME_ETH_OPT_ALL)
    return eth_error_set (e, NVME_ETH_ERR_UNSUPPORTED,
                          FEI (struct nvme_eth_assoc_resp, options), false,
                          "ASSOC_RESP grants unknown options 0x%08" PRIx32,
                          GET32 (r->options) & ~NVME_ETH_OPT_ALL);
  return 0;
}

/* Type-specific checks that need no association. */
static int
check_type (const struct eth_frame *f, struct eth_error *e)
{
  const char *name = eth_type_string (f->type);
  bool nodata = false;

  switch (f->type) {
  case NVME_ETH_ASSOC_REQ:
  case NVME_ETH_ASSOC_RESP:
  case NVME_ETH_TERM_ACK:
  case NVME_ETH_KEEPALIVE:
  case NVME_ETH_RSP:
  case NVME_ETH_R2T:
  case NVME_ETH_PROBE:
    nodata = true;
    break;
  default:
    break;
  }
  if (nodata && f->data_len != 0)
    return eth_error_set (e, NVME_ETH_ERR_INVALID_FIELD, HFEI (length), false,
                          "%s length is %" PRIu32 ", must be %u", name, f->len,
                          f->hlen);
  /* Only frames that carry command data may leave it out of the CRC. */
  if ((f->flags & NVME_ETH_F_HCRC) && f->type != NVME_ETH_CMD &&
      f->type != NVME_ETH_H2C_DATA && f->type != NVME_ETH_C2H_DATA &&
      f->type != NVME_ETH_C2H_DATA_RSP)
    return eth_error_set (e, NVME_ETH_ERR_INVALID_FIELD, HFEI (flags), false,
                          "%s has the HCRC flag", name);
  if ((f->flags & NVME_ETH_F_ICD) && f->type != NVME_ETH_H2C_DATA)
    return eth_error_set (e, NVME_ETH_ERR_INVALID_FIELD, HFEI (flags), false,
                          "%s has the ICD flag", name);
  if (nvme_eth_sequenced (f->type) && !(f->flags & NVME_ETH_F_ACK))
    return eth_error_set (e, NVME_ETH_ERR_INVALID_FIELD, HFEI (flags), false,
                          "%s lacks the ACK flag", name);
  if ((f->flags & NVME_ETH_F_ACK) &&
      (f->wnd == 0 || f->wnd > NVME_ETH_MAX_WINDOW))
    return eth_error_set (e, NVME_ETH_ERR_INVALID_FIELD, HFEI (wnd), false,
                          "%s window %u is not in 1..%u", name, f->wnd,
                          NVME_ETH_MAX_WINDOW);

  switch (f->type) {
  case NVME_ETH_ASSOC_REQ:
    return check_assoc_req (f->buf, e);
  case NVME_ETH_ASSOC_RESP:
    return check_assoc_resp (f->buf, e);
  case NVME_ETH_TERM:
    if (f->data_len > NVME_ETH_TERM_MAX_QUOTE)
      return eth_error_set (e, NVME_ETH_ERR_INVALID_FIELD, HFEI (length), false,
                            "TERM quotes %" PRIu32 " bytes, at most %u",
                            f->data_len, NVME_ETH_TERM_MAX_QUOTE);
    return 0;
  case NVME_ETH_ACK: {
    const struct nvme_eth_ack *k = (const void *) f->buf;
    uint16_t nbits = GET16 (k->nbits);

    if (!(f->flags & NVME_ETH_F_ACK))
      return eth_error_set (e, NVME_ETH_ERR_INVALID_FIELD, HFEI (flags), false,
                            "ACK lacks the ACK flag");
    if (nbits % 8 != 0 || nbits > NVME_ETH_MAX_SACK_BITS ||
        f->data_len != nbits / 8u)
      return eth_error_set (
        e, NVME_ETH_ERR_INVALID_FIELD, FEI (struct nvme_eth_ack, nbits), false,
        "ACK has %u bitmap bits and %" PRIu32 " bytes of bitmap", nbits,
        f->data_len);
    if (k->ack_flags & ~NVME_ETH_ACK_F_DSACK)
      return eth_error_set (e, NVME_ETH_ERR_INVALID_FIELD,
                            FEI (struct nvme_eth_ack, ack_flags), false,
                            "ACK has unknown flags 0x%02x", k->ack_flags);
    return 0;
  }
  case NVME_ETH_H2C_DATA:
  case NVME_ETH_C2H_DATA: {
    const struct nvme_eth_data *d = (const void *) f->buf;

    if (GET32 (d->datal) != f->data_len || f->data_len == 0)
      return eth_error_set (
        e, NVME_ETH_ERR_INVALID_FIELD, FEI (struct nvme_eth_data, datal), false,
        "%s DATAL is %" PRIu32 " with %" PRIu32 " bytes of data", name,
        GET32 (d->datal), f->data_len);
    return 0;
  }
  case NVME_ETH_C2H_DATA_RSP: {
    const struct nvme_eth_data_rsp *d = (const void *) f->buf;

    if (GET32 (d->datal) != f->data_len || f->data_len == 0)
      return eth_error_set (e, NVME_ETH_ERR_INVALID_FIELD,
                            FEI (struct nvme_eth_data_rsp, datal), false,
                            "C2H_DATA_RSP DATAL is %" PRIu32 " with %" PRIu32
                            " bytes of data",
                            GET32 (d->datal), f->data_len);
    if (GET16 (d->cid) != GET16 (d->cqe.cid))
      return eth_error_set (e, NVME_ETH_ERR_INVALID_FIELD,
                            FEI (struct nvme_eth_data_rsp, cid), false,
                            "C2H_DATA_RSP for command %u carries the "
                            "completion of command %u",
                            GET16 (d->cid), GET16 (d->cqe.cid));
    return 0;
  }
  case NVME_ETH_R2T: {
    const struct nvme_eth_r2t *r = (const void *) f->buf;

    if (GET32 (r->length) == 0)
      return eth_error_set (e, NVME_ETH_ERR_INVALID_FIELD,
                            FEI (struct nvme_eth_r2t, length), false,
                            "R2T asks for 0 bytes");
    return 0;
  }
  case NVME_ETH_PROBE: {
    const struct nvme_eth_probe *p = (const void *) f->buf;

    if (GET16 (p->max_frame) < NVME_ETH_MIN_FRAME)
      return eth_error_set (e, NVME_ETH_ERR_INVALID_FIELD,
                            FEI (struct nvme_eth_probe, max_frame), true,
                            "PROBE max frame %u is below %u",
                            GET16 (p->max_frame), NVME_ETH_MIN_FRAME);
    return 0;
  }
  case NVME_ETH_PROBE_RESP: {
    const struct nvme_eth_probe_resp *p = (const void *) f->buf;

    if (p->frame_count == 0 || p->frame_index >= p->frame_count)
      return eth_error_set (e, NVME_ETH_ERR_INVALID_FIELD,
                            FEI (struct nvme_eth_probe_resp, frame_index), true,
                            "PROBE_RESP frame %u of %u", p->frame_index,
                            p->frame_count);
    return 0;
  }
  default:
    return 0;
  }
}

int
eth_frame_parse (const void *buf, size_t len, struct eth_frame *f,
                 struct eth_error *e)
{
  const struct nvme_eth_hdr *h = buf;
  uint32_t length, want_hlen, covered;

  memset (f, 0, sizeof *f);
  f->buf = buf;
  if (len < sizeof *h)
    return eth_error_set (e, NVME_ETH_ERR_INVALID_FIELD, HFEI (length), true,
                          "frame of %zu bytes is shorter than the header", len);
  length = GET16 (h->length);
  f->version = h->version;
  f->type = h->type;
  f->flags = h->flags;
  f->hlen = h->hlen;
  f->qid = GET16 (h->qid);
  f->wnd = GET16 (h->wnd);
  f->dst_assoc = GET32 (h->dst_assoc);
  f->src_assoc = GET32 (h->src_assoc);
  f->seq = GET32 (h->seq);
  f->ack = GET32 (h->ack);
  if (length < sizeof *h || length > len)
    return eth_error_set (e, NVME_ETH_ERR_INVALID_FIELD, HFEI (length), true,
                          "frame length field %" PRIu32 " with %zu bytes "
                          "received (truncated)",
                          length, len);
  /* Ethernet pads short payloads to 46 bytes; nothing else may trail. */
  if (len > length && len > NVME_ETH_MIN_PAYLOAD)
    return eth_error_set (e, NVME_ETH_ERR_INVALID_FIELD, HFEI (length), true,
                          "frame length field %" PRIu32 " with %zu bytes "
                          "received (trailing bytes)",
                          length, len);
  f->len = length;
  /* With F_HCRC the CRC covers the header only (data digest off, spec
   * 6.3); hlen is checked against the type below, so bound it here. */
  covered = length;
  if (h->flags & NVME_ETH_F_HCRC) {
    if (h->hlen < sizeof *h || h->hlen > length)
      return eth_error_set (e, NVME_ETH_ERR_INVALID_FIELD, HFEI (hlen), true,
                            "HCRC frame with HLEN %u of %" PRIu32 " bytes",
                            h->hlen, length);
    covered = h->hlen;
  }
  if (frame_crc (buf, covered) != GET32 (h->crc))
    return eth_error_set (e, NVME_ETH_ERR_INVALID_FIELD, HFEI (crc), true,
                          "%s frame CRC mismatch", eth_type_string (h->type));
  if (h->version != NVME_ETH_VERSION)
    /* An ASSOC_REQ of another version gets a refusal naming ours. */
    return eth_error_set (
      e, NVME_ETH_ERR_VERSION, HFEI (version), h->type != NVME_ETH_ASSOC_REQ,
      "frame of version %u (this end speaks %u)", h->version, NVME_ETH_VERSION);
  want_hlen = nvme_eth_hlen (h->type);
  if (want_hlen == 0)
    return eth_error_set (e, NVME_ETH_ERR_INVALID_FIELD, HFEI (type), false,
                          "unknown frame type 0x%02x", h->type);
  if (h->hlen != want_hlen)
    return eth_error_set (e, NVME_ETH_ERR_INVALID_FIELD, HFEI (hlen), false,
                          "%s HLEN is %u, must be %" PRIu32,
                          eth_type_string (h->type), h->hlen, want_hlen);
  if (length < want_hlen)
    return eth_error_set (e, NVME_ETH_ERR_INVALID_FIELD, HFEI (length), false,
                          "%s length %" PRIu32 " is shorter than its header",
                          eth_type_string (h->type), length);
  if (h->flags & ~NVME_ETH_F_ALL)
    return eth_error_set (e, NVME_ETH_ERR_INVALID_FIELD, HFEI (flags), false,
                          "%s has unknown flags 0x%02x",
                          eth_type_string (h->type), h->flags);
  f->data = f->buf + h->hlen;
  f->data_len = length - h->hlen;
  return check_type (f, e);
}

size_t
eth_build_assoc_refusal (void *buf, const struct eth_frame *req,
                         uint16_t status, uint32_t fei)
{
  struct nvme_eth_assoc_resp *r = buf;

  memset (r, 0, sizeof *r);
  eth_hdr_fill (r, NVME_ETH_ASSOC_RESP, 0, sizeof *r, sizeof *r, req->qid,
                req->src_assoc, 0, 0);
  PUT32 (r->hdr.ack, req->seq);
  PUT16 (r->status, status);
  PUT32 (r->fei, fei);
  eth_frame_seal (r, sizeof *r, NULL, 0);
  return sizeof *r;
}

size_t
eth_build_term_ack (void *buf, const struct eth_frame *term)
{
  struct nvme_eth_hdr *h = buf;

  eth_hdr_fill (h, NVME_ETH_TERM_ACK, 0, sizeof *h, sizeof *h, term->qid,
                term->src_assoc, term->dst_assoc, 0);
  eth_frame_seal (h, sizeof *h, NULL, 0);
  return sizeof *h;
}

unsigned
eth_pack_count (const struct eth_tx_frame *f, unsigned n, uint32_t pack_max)
{
  uint64_t bytes = 0;
  unsigned k;

  for (k = 0; k < n; k++) {
    bytes += (uint64_t) f[k].hdr_len + (f[k].data ? f[k].data_len : 0);
    if (bytes > pack_max)
      break;
  }
  return k ? k : 1;
}

bool
eth_pack_valid (const void *buf, size_t len)
{
  const uint8_t *p = buf;
  const size_t h = sizeof (struct nvme_eth_hdr);
  struct eth_frame f;
  struct eth_error e;
  size_t off = 0;

  while (off < len) {
    size_t own = len - off >= h ? get_le16 (p + off + HFEI (length)) : 0;

    if (own < h || own > len - off)
      return false;
    /* Drops are damage (length, CRC, version); other refusals are the
     * peer's violations, acted on when the frame is taken. */
    if (eth_frame_parse (p + off, own, &f, &e) != 0 && e.drop)
      return false;
    off += own;
  }
  return true;
}
