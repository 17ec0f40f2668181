/* SPDX-License-Identifier: BSD-3-Clause */
/* A host and a controller association joined by a link in memory: the
 * fixture of fuzz-eth-frame and fuzz-eth-rx (see eth-link-mem.h). */
#include <config.h>

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eth-link-mem.h"

struct eth_pair pair = { .now_us = 1000000 };
const uint8_t pair_host_mac[6] = { 2, 0, 0, 0, 0, 1 };
const uint8_t pair_ctrl_mac[6] = { 2, 0, 0, 0, 0, 2 };

/* Frames in flight between the two (a queue for each direction), and a
 * spare that deliver () swaps in. */
#define QMAX 64
struct q {
  uint8_t buf[QMAX][1600];
  uint32_t len[QMAX];
  unsigned n;
};
static struct q qbuf[3];
static struct q *to_ctrl = &qbuf[0], *to_host = &qbuf[1], *spare = &qbuf[2];
static uint8_t r2t_buf[20000];

/* Frames packed as eth-sock.c packs them when PACK was agreed. */
static unsigned
tx (void *ctx, const struct eth_tx_frame *f, unsigned n)
{
  struct q *q = ctx == &pair.host ? to_ctrl : to_host;
  struct eth_assoc *a = ctx == &pair.host ? pair.host : pair.ctrl;
  uint32_t pack_max = a ? eth_assoc_pack_max (a) : 0;
  unsigned i = 0;

  if (pack_max > sizeof q->buf[0])
    pack_max = sizeof q->buf[0];
  while (i < n && q->n < QMAX) {
    unsigned k = eth_pack_count (f + i, n - i, pack_max), j;
    uint32_t len = 0;

    for (j = i; j < i + k; j++)
      len += f[j].hdr_len + f[j].data_len;
    if (len <= sizeof q->buf[0]) { /* else larger than the MTU: lost */
      len = 0;
      for (j = i; j < i + k; j++) {
        memcpy (q->buf[q->n] + len, f[j].hdr, f[j].hdr_len);
        if (f[j].data_len)
          memcpy (q->buf[q->n] + len + f[j].hdr_len, f[j].data, f[j].data_len);
        len += f[j].hdr_len + f[j].data_len;
      }
      q->len[q->n++] = len;
    }
    i += k;
  }
  return n;
}

static void
closed (void *ctx, int err, const char *msg)
{
  size_t n = strlen (msg);

  (void) err;
  if (n == 0 || n >= 256 || strchr (msg, '\n'))
    FAILED ("closed message '%s'", msg);
  if (ctx == &pair.host)
    pair.host_closed = true;
  else
    pair.ctrl_closed = true;
}

static void
complete (void *ctx, uint16_t cid, const struct nvme_cqe *cqe)
{
  (void) ctx;
  (void) cqe;
  if (cid >= 8)
    FAILED ("completion of CID %u on a queue of 8", cid);
}

/* The controller keeps commands outstanding; writes get their R2T. */
static void
capsule (void *ctx, const struct nvme_sqe *sqe, const void *icd, uint32_t n)
{
  uint16_t cid = GET16 (sqe->cid);
  uint32_t len = GET32 (sqe->dptr.sgl.length);

  (void) ctx;
  if (n && icd == NULL)
    FAILED ("capsule with %u bytes at NULL", n);
  if (sqe->opcode == 1 && n == 0 && len && len <= sizeof r2t_buf)
    eth_ctrl_r2t (pair.ctrl, cid, r2t_buf, len);
}

static void
data_ready (void *ctx, uint16_t cid)
{
  (void) ctx;
  (void) cid;
}

static const struct eth_callbacks host_cb = {
  .tx = tx,
  .closed = closed,
  .complete = complete,
};
static const struct eth_callbacks ctrl_cb = {
  .tx = tx,
  .closed = closed,
  .capsule = capsule,
  .data_ready = data_ready,
};

/* What both ends are configured with: queue 1 of 8 commands. */
static struct eth_config
config (enum eth_role role, uint32_t options, uint32_t local_id, uint32_t isn,
        const struct eth_callbacks *cb, struct eth_assoc **ctx)
{
  struct eth_config c = { .role = role,
                          .qid = 1,
                          .queue_depth = 8,
                          .max_frame = PAIR_MTU,
                          .rx_window = 32,
                          .tx_window = 32,
                          .options = options,
                          .local_id = local_id,
                          .isn = isn,
                          .cb = cb,
                          .ctx = ctx };

  return c;
}

/* The controller, made by the host's ASSOC_REQ f; it grants all options. */
static void
accept_ctrl (const struct eth_frame *f)
{
  struct eth_config c = config (ETH_ROLE_CTRL, NVME_ETH_OPT_ALL, 0x22222222,
                                0x80000000, &ctrl_cb, &pair.ctrl);
  char err[256];

  c.icd_max = 4096;
  pair.ctrl = eth_assoc_new (&c, err, sizeof err);
  if (pair.ctrl == NULL)
    FAILED ("%s", err);
  eth_assoc_accept (pair.ctrl, pair_host_mac, f, pair.now_us);
}

/* Hand the frames queued in *qp to one end.  What the ends send
 * meanwhile is queued in the spare queue, which takes *qp's place. */
static void
deliver (struct q **qp, bool to_ctrl_side)
{
  struct q *q = *qp;
  unsigned i;

  *qp = spare;
  spare->n = 0;
  spare = q;
  for (i = 0; i < q->n; i++) {
    if (to_ctrl_side && pair.ctrl == NULL) {
      struct eth_frame f;
      struct eth_error e;

      if (eth_frame_parse (q->buf[i], q->len[i], &f, &e) == 0 &&
          f.type == NVME_ETH_ASSOC_REQ)
        accept_ctrl (&f);
    }
    else if (to_ctrl_side)
      eth_assoc_input (pair.ctrl, pair_host_mac, q->buf[i], q->len[i],
                       pair.now_us);
    else
      eth_assoc_input (pair.host, pair_ctrl_mac, q->buf[i], q->len[i],
                       pair.now_us);
  }
}

void
pair_pump (void)
{
  unsigned round;

  for (round = 0; round < 32 && (to_ctrl->n || to_host->n); round++) {
    deliver (&to_ctrl, true);
    deliver (&to_host, false);
    eth_assoc_poll (pair.host, pair.now_us);
    if (pair.ctrl)
      eth_assoc_poll (pair.ctrl, pair.now_us);
  }
}

void
pair_teardown (void)
{
  eth_assoc_free (pair.host);
  eth_assoc_free (pair.ctrl);
  pair.host = pair.ctrl = NULL;
  to_ctrl->n = to_host->n = 0;
}

void
pair_setup (uint32_t options, void *rd, uint32_t rd_len, void *wr,
            uint32_t wr_len)
{
  struct eth_config h = config (ETH_ROLE_HOST, options, 0x11111111, 0xFFFFFFF8,
                                &host_cb, &pair.host);
  struct nvme_sqe sqe;
  char err[256];

  memcpy (h.peer_mac, pair_ctrl_mac, 6);
  pair_teardown ();
  pair.options = options;
  pair.host_closed = pair.ctrl_closed = false;
  pair.host = eth_assoc_new (&h, err, sizeof err);
  if (pair.host == NULL)
    FAILED ("%s", err);
  eth_assoc_connect (pair.host, pair.now_us);
  pair_pump ();
  if (pair.ctrl == NULL || eth_assoc_state (pair.host) != ETH_S_ESTABLISHED ||
      eth_assoc_state (pair.ctrl) != ETH_S_ESTABLISHED)
    FAILED ("the pair did not establish");
  memset (&sqe, 0, sizeof sqe);
  sqe.opcode = 2;
  PUT16 (sqe.cid, 1);
  eth_host_submit (pair.host, &sqe, rd, rd_len, ETH_DIR_C2H);
  sqe.opcode = 1;
  PUT16 (sqe.cid, 2);
  eth_host_submit (pair.host, &sqe, wr, wr_len, ETH_DIR_H2C);
  eth_assoc_poll (pair.host, pair.now_us);
  pair_pump ();
}

void
pair_seal (uint8_t *buf, size_t len)
{
  const struct nvme_eth_hdr *h = (const struct nvme_eth_hdr *) buf;
  uint32_t length;

  if (len < sizeof *h)
    return;
  length = GET16 (h->length);
  if (length >= sizeof *h && length <= len && h->hlen <= length)
    eth_frame_seal (buf, h->hlen, buf + h->hlen,
                    h->flags & NVME_ETH_F_HCRC ? 0 : length - h->hlen);
}

void
pair_aim (uint8_t *buf, size_t len, const struct eth_assoc *to,
          uint32_t seq_ahead, bool ack, uint32_t ack_ahead)
{
  struct nvme_eth_hdr *h = (struct nvme_eth_hdr *) buf;

  if (len < sizeof *h)
    return;
  PUT32 (h->dst_assoc, to->params.local_id);
  PUT32 (h->src_assoc, to->peer_id);
  PUT16 (h->qid, to->cfg.qid);
  PUT32 (h->seq, to->rcv_nxt + seq_ahead);
  if (ack)
    PUT32 (h->ack, to->snd_una + ack_ahead);
  pair_seal (buf, len);
}

size_t
pair_frame (uint8_t *buf, uint8_t type, uint8_t flags, uint32_t data_len)
{
  unsigned hlen = nvme_eth_hlen (type);

  memset (buf, 0, hlen + data_len);
  eth_hdr_fill (buf, type, flags | NVME_ETH_F_ACK, (uint8_t) hlen,
                hlen + data_len, 1, 0, 0, 0);
  put_le16 (buf + 24, 32);
  switch (type) {
  case NVME_ETH_C2H_DATA:
  case NVME_ETH_H2C_DATA:
    put_le16 (buf + 32, type == NVME_ETH_C2H_DATA ? 1 : 2);
    put_le32 (buf + 40, data_len);
    break;
  case NVME_ETH_C2H_DATA_RSP:
    put_le16 (buf + 32, 1);
    put_le32 (buf + 36, 4096 - data_len);
    put_le32 (buf + 40, data_len);
    put_le16 (buf + 48 + 10, 1);
    put_le16 (buf + 48 + 12, 1);
    break;
  case NVME_ETH_RSP:
    put_le16 (buf + 32 + 10, 1);
    put_le16 (buf + 32 + 12, 1);
    put_le32 (buf + 48, 4096);
    break;
  case NVME_ETH_R2T:
    put_le16 (buf + 32, 2);
    put_le32 (buf + 40, 20000);
    break;
  case NVME_ETH_CMD:
    buf[32] = 1;
    buf[33] = 0x40;
    put_le16 (buf + 34, 3);
    buf[71] = data_len ? 0x01 : 0x5A;
    put_le32 (buf + 64, data_len ? data_len : 8000);
    break;
  case NVME_ETH_ACK:
    put_le16 (buf + 32, (uint16_t) (data_len * 8));
    break;
  default:
    break;
  }
  eth_frame_seal (buf, hlen, buf + hlen,
                  flags & NVME_ETH_F_HCRC ? 0 : data_len);
  return hlen + data_len;
}
