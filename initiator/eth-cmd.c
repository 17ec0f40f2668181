/* SPDX-License-Identifier: BSD-3-Clause */
/* NVMe/Eth commands (docs/nvme-eth.md, "Commands and data"): the host
 * submits and completes, the controller receives capsules (with in-capsule
 * data spread over several frames if need be), asks for write data with
 * one R2T, sends read data and the response.  Data goes straight between
 * frames and the command's buffer, at the offset each frame names, in
 * whatever order frames arrive.  A command completes at the host only when
 * its RSP and every byte the RSP counts have arrived, so no late frame can
 * touch a buffer after its command ended. */
#include <config.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "eth-int.h"

#define FEI(type, field) ((uint32_t) offsetof (type, field))
#define SQE_FEI(field) \
  (FEI (struct nvme_eth_cmd, sqe) + FEI (struct nvme_sqe, field))
#define CQE_FEI(field) \
  (FEI (struct nvme_eth_rsp, cqe) + FEI (struct nvme_cqe, field))

uint32_t
cmd_room (const struct eth_assoc *a)
{
  return a->params.max_frame - (uint32_t) sizeof (struct nvme_eth_cmd);
}

uint32_t
data_room (const struct eth_assoc *a)
{
  return a->params.max_frame - (uint32_t) sizeof (struct nvme_eth_data);
}

static int violation (struct eth_assoc *a, const struct eth_frame *f,
                      uint16_t reason, uint32_t fei, const char *fmt, ...)
  __attribute__((__format__ (__printf__, 5, 6)));

static int
violation (struct eth_assoc *a, const struct eth_frame *f, uint16_t reason,
           uint32_t fei, const char *fmt, ...)
{
  struct eth_error e;
  va_list ap;

  e.reason = reason;
  e.fei = fei;
  e.drop = false;
  va_start (ap, fmt);
  vsnprintf (e.msg, sizeof e.msg, fmt, ap);
  va_end (ap);
  assoc_violation (a, &e, f);
  return -1;
}

/* The frame's header common part for a command frame of this slot. */
static void
slot_fill (struct eth_assoc *a, struct eth_slot *s, uint8_t type, uint8_t flags,
           uint8_t hlen, uint16_t cid, uint32_t off, uint32_t len)
{
  eth_hdr_fill (s->hdr, type, flags, hlen, hlen + len, a->cfg.qid, a->peer_id,
                a->params.local_id, s->seq);
  s->type = type;
  s->flags = flags;
  s->hlen = hlen;
  s->cid = cid;
  s->gen = a->cmds[cid].gen;
  s->data_off = off;
  s->data_len = len;
}

static void
slot_data_hdr (struct eth_assoc *a, struct eth_slot *s, uint8_t type,
               uint8_t flags, uint16_t cid, uint32_t off, uint32_t len)
{
  struct nvme_eth_data *d = (struct nvme_eth_data *) s->hdr;

  slot_fill (a, s, type, flags, sizeof *d, cid, off, len);
  PUT16 (d->cid, cid);
  PUT32 (d->offset, off);
  PUT32 (d->datal, len);
}

static uint32_t
min32 (uint32_t x, uint32_t y)
{
  return x < y ? x : y;
}

const void *
slot_data (const struct eth_assoc *a, const struct eth_slot *s)
{
  const struct eth_cmd *c;

  if (s->cid == ETH_NO_CID || s->cid >= a->depth_alloc)
    return NULL;
  c = &a->cmds[s->cid];
  if (c->gen != s->gen)
    return NULL;
  if (a->cfg.role == ETH_ROLE_HOST)
    return c->state == CMD_ACTIVE ? (const uint8_t *) c->buf + s->data_off :
                                    NULL;
  if ((c->state == CMD_EXEC || c->state == CMD_RELEASING) && c->c2h_buf)
    return (const uint8_t *) c->c2h_buf + s->data_off;
  return NULL;
}

static void
release (struct eth_assoc *a, uint16_t cid)
{
  a->cmds[cid].state = CMD_FREE;
  if (a->cb->release)
    a->cb->release (a->ctx, cid);
}

void
cmd_frame_acked (struct eth_assoc *a, uint16_t cid, uint32_t gen)
{
  struct eth_cmd *c;

  if (cid >= a->depth_alloc)
    return;
  c = &a->cmds[cid];
  if (c->gen != gen || c->unacked == 0)
    return;
  c->unacked--;
  if (c->unacked == 0 && c->state == CMD_RELEASING)
    release (a, cid);
}

bool
cmd_next_frame (struct eth_assoc *a, uint16_t cid, struct eth_slot *s)
{
  struct eth_cmd *c = &a->cmds[cid];
  uint32_t n;

  if (a->cfg.role == ETH_ROLE_HOST) {
    if (c->state != CMD_ACTIVE)
      return false;
    if (!c->cmd_sent) {
      struct nvme_eth_cmd *h = (struct nvme_eth_cmd *) s->hdr;

      n = min32 (c->icd_len, cmd_room (a));
      slot_fill (a, s, NVME_ETH_CMD, 0, sizeof *h, cid, 0, n);
      h->sqe = c->sqe;
      c->cmd_sent = true;
      c->tx_off = n;
      return true;
    }
    if (c->tx_off < c->icd_len || (c->r2t_seen && c->tx_off < c->len)) {
      uint32_t end = c->tx_off < c->icd_len ? c->icd_len : c->len;

      n = min32 (data_room (a), end - c->tx_off);
      slot_data_hdr (a, s, NVME_ETH_H2C_DATA, c->icd_len ? NVME_ETH_F_ICD : 0,
                     cid, c->tx_off, n);
      c->tx_off += n;
      return true;
    }
    return false;
  }

  if (c->state != CMD_EXEC)
    return false;
  if (c->r2t_queued && !c->r2t_sent) {
    struct nvme_eth_r2t *r = (struct nvme_eth_r2t *) s->hdr;

    slot_fill (a, s, NVME_ETH_R2T, 0, sizeof *r, cid, 0, 0);
    PUT16 (r->cid, cid);
    PUT32 (r->offset, 0);
    PUT32 (r->length, c->len);
    c->r2t_sent = true;
    return true;
  }
  if (c->c2h_buf && c->tx_off < c->c2h_len) {
    n = c->c2h_len - c->tx_off;
    /* The last data and the response in one frame when it fits. */
    if ((a->params.options & NVME_ETH_OPT_DATA_RSP) && c->rsp_queued &&
        !c->rsp_sent && !c->r2t_queued &&
        n <=
          a->params.max_frame - (uint32_t) sizeof (struct nvme_eth_data_rsp)) {
      struct nvme_eth_data_rsp *r = (struct nvme_eth_data_rsp *) s->hdr;

      slot_fill (a, s, NVME_ETH_C2H_DATA_RSP, 0, sizeof *r, cid, c->tx_off, n);
      PUT16 (r->cid, cid);
      PUT32 (r->offset, c->tx_off);
      PUT32 (r->datal, n);
      r->cqe = c->cqe;
      c->tx_off += n;
      c->rsp_sent = true;
      c->state = CMD_RELEASING;
      return true;
    }
    n = min32 (data_room (a), n);
    slot_data_hdr (a, s, NVME_ETH_C2H_DATA, 0, cid, c->tx_off, n);
    c->tx_off += n;
    return true;
  }
  /* The response goes last, and only when no write data is still due:
   * the host must never see a command end while frames for it fly. */
  if (c->rsp_queued && !c->rsp_sent &&
      (!c->r2t_queued || c->rx_bytes == c->len)) {
    struct nvme_eth_rsp *r = (struct nvme_eth_rsp *) s->hdr;

    slot_fill (a, s, NVME_ETH_RSP, 0, sizeof *r, cid, 0, 0);
    r->cqe = c->cqe;
    PUT32 (r->datal, c->c2h_len);
    c->rsp_sent = true;
    c->state = CMD_RELEASING;
    return true;
  }
  return false;
}

/* ---- Host ------------------------------------------------------------ */

int
eth_host_submit (struct eth_assoc *a, const struct nvme_sqe *sqe, void *buf,
                 uint32_t len, enum eth_dir dir)
{
  uint16_t cid = GET16 (sqe->cid);
  struct eth_cmd *c;

  if (a->cfg.role != ETH_ROLE_HOST || a->state != ETH_S_ESTABLISHED) {
    errno = a->cfg.role != ETH_ROLE_HOST ? EINVAL : ENOTCONN;
    return -1;
  }
  if (cid >= a->params.queue_depth ||
      (dir == ETH_DIR_NONE ? len != 0 : len == 0 || buf == NULL) ||
      dir > ETH_DIR_H2C) {
    errno = EINVAL;
    return -1;
  }
  c = &a->cmds[cid];
  if (c->state != CMD_FREE) {
    errno = EBUSY;
    return -1;
  }
  c->gen++;
  c->state = CMD_ACTIVE;
  c->dir = (uint8_t) dir;
  c->buf = buf;
  c->len = len;
  c->icd_len = dir == ETH_DIR_H2C && len <= a->params.icd_max ? len : 0;
  c->cmd_sent = c->r2t_seen = c->rsp_seen = false;
  c->rx_bytes = c->tx_off = c->rsp_datal = 0;
  c->sqe = *sqe;
  c->sqe.flags = (uint8_t) ((c->sqe.flags & ~NVME_CMD_FLAGS_PSDT_MASK) |
                            NVME_CMD_FLAGS_PSDT_SGL);
  memset (&c->sqe.dptr, 0, sizeof c->sqe.dptr);
  PUT32 (c->sqe.dptr.sgl.length, len);
  c->sqe.dptr.sgl.id =
    c->icd_len ? NVME_SGL_ID_DATA_OFFSET : NVME_SGL_ID_TRANSPORT;
  txq_push (a, cid);
  return 0;
}

static void
host_complete (struct eth_assoc *a, uint16_t cid)
{
  struct eth_cmd *c = &a->cmds[cid];

  c->state = CMD_FREE;
  a->cb->complete (a->ctx, cid, &c->cqe);
}

/* The command a host-bound frame names, or NULL after a violation. */
static struct eth_cmd *
host_cmd (struct eth_assoc *a, const struct eth_frame *f, uint16_t cid,
          uint32_t fei)
{
  struct eth_cmd *c;

  if (cid >= a->params.queue_depth || a->cmds[cid].state != CMD_ACTIVE ||
      !a->cmds[cid].cmd_sent) {
    violation (a, f, NVME_ETH_ERR_UNKNOWN_CID, fei,
               "%s for command %u, which is not outstanding",
               eth_type_string (f->type), cid);
    return NULL;
  }
  c = &a->cmds[cid];
  if (c->rsp_seen && f->type != NVME_ETH_C2H_DATA) {
    violation (a, f, NVME_ETH_ERR_SEQUENCE, fei,
               "%s for command %u after its RSP", eth_type_string (f->type),
               cid);
    return NULL;
  }
  return c;
}

static void
host_rsp (struct eth_assoc *a, const struct eth_frame *f)
{
  const struct nvme_eth_rsp *r = (const void *) f->buf;
  uint16_t cid = GET16 (r->cqe.cid), sqid = GET16 (r->cqe.sqid);
  uint32_t datal = GET32 (r->datal);
  bool ok = NVME_STATUS_CODE (nvme_cqe_status (&r->cqe)) == NVME_SC_SUCCESS;
  struct eth_cmd *c = host_cmd (a, f, cid, CQE_FEI (cid));

  if (c == NULL)
    return;
  if (sqid != a->cfg.qid) {
    violation (a, f, NVME_ETH_ERR_INVALID_FIELD, CQE_FEI (sqid),
               "RSP for command %u names queue %u", cid, sqid);
    return;
  }
  if ((c->dir != ETH_DIR_C2H && datal != 0) || datal > c->len ||
      c->rx_bytes > datal || (ok && c->dir == ETH_DIR_C2H && datal != c->len)) {
    violation (a, f, NVME_ETH_ERR_INVALID_FIELD,
               FEI (struct nvme_eth_rsp, datal),
               "RSP for command %u (%s) counts %" PRIu32 " bytes of data sent, "
               "of %" PRIu32 " (%" PRIu32 " received)",
               cid, ok ? "success" : "error", datal, c->len, c->rx_bytes);
    return;
  }
  if (ok && c->dir == ETH_DIR_H2C && c->icd_len < c->len && !c->r2t_seen) {
    violation (a, f, NVME_ETH_ERR_SEQUENCE, CQE_FEI (status),
               "RSP reports success for write %u, whose data was never "
               "asked for",
               cid);
    return;
  }
  c->rsp_seen = true;
  c->cqe = r->cqe;
  c->rsp_datal = datal;
  if (c->rx_bytes == datal)
    host_complete (a, cid);
}

static void
host_c2h (struct eth_assoc *a, const struct eth_frame *f)
{
  const struct nvme_eth_data *d = (const void *) f->buf;
  uint16_t cid = GET16 (d->cid);
  uint32_t off = GET32 (d->offset), n = f->data_len;
  struct eth_cmd *c = host_cmd (a, f, cid, FEI (struct nvme_eth_data, cid));

  if (c == NULL)
    return;
  if (c->dir != ETH_DIR_C2H) {
    violation (a, f, NVME_ETH_ERR_INVALID_FIELD,
               FEI (struct nvme_eth_data, cid),
               "C2H_DATA for command %u, which reads no data", cid);
    return;
  }
  if ((uint64_t) off + n > c->len || c->rx_bytes + n > c->len ||
      (c->rsp_seen && c->rx_bytes + n > c->rsp_datal)) {
    violation (a, f, NVME_ETH_ERR_DATA_RANGE,
               FEI (struct nvme_eth_data, offset),
               "C2H_DATA for command %u: bytes %" PRIu32 "+%" PRIu32
               " with %" PRIu32 " of its %" PRIu32 " already received",
               cid, off, n, c->rx_bytes, c->len);
    return;
  }
  if (a->cb->place)
    a->cb->place (a->ctx, cid, off, f->data, n);
  else
    memcpy ((uint8_t *) c->buf + off, f->data, n);
  c->rx_bytes += n;
  if (c->rsp_seen && c->rx_bytes == c->rsp_datal)
    host_complete (a, cid);
}

/* The last data of a read and its response (OPT_DATA_RSP): the checks of
 * C2H_DATA and of RSP, with datal = offset + this frame's bytes. */
static void
host_c2h_rsp (struct eth_assoc *a, const struct eth_frame *f)
{
  const struct nvme_eth_data_rsp *d = (const void *) f->buf;
  uint16_t cid = GET16 (d->cid), sqid = GET16 (d->cqe.sqid);
  uint32_t off = GET32 (d->offset), n = f->data_len;
  uint64_t total = (uint64_t) off + n;
  bool ok = NVME_STATUS_CODE (nvme_cqe_status (&d->cqe)) == NVME_SC_SUCCESS;
  struct eth_cmd *c = host_cmd (a, f, cid, FEI (struct nvme_eth_data_rsp, cid));

  if (c == NULL)
    return;
  if (c->dir != ETH_DIR_C2H) {
    violation (a, f, NVME_ETH_ERR_INVALID_FIELD,
               FEI (struct nvme_eth_data_rsp, cid),
               "C2H_DATA_RSP for command %u, which reads no data", cid);
    return;
  }
  if (sqid != a->cfg.qid) {
    violation (a, f, NVME_ETH_ERR_INVALID_FIELD,
               FEI (struct nvme_eth_data_rsp, cqe) +
                 FEI (struct nvme_cqe, sqid),
               "C2H_DATA_RSP for command %u names queue %u", cid, sqid);
    return;
  }
  /* Everything before this frame must be what the others brought (they
   * may still be on their way: the total is checked at completion). */
  if (total > c->len || c->rx_bytes + n > total || (ok && total != c->len)) {
    violation (a, f, NVME_ETH_ERR_DATA_RANGE,
               FEI (struct nvme_eth_data_rsp, offset),
               "C2H_DATA_RSP for command %u (%s): bytes %" PRIu32 "+%" PRIu32
               " of %" PRIu32 " with %" PRIu32 " already received",
               cid, ok ? "success" : "error", off, n, c->len, c->rx_bytes);
    return;
  }
  if (a->cb->place)
    a->cb->place (a->ctx, cid, off, f->data, n);
  else
    memcpy ((uint8_t *) c->buf + off, f->data, n);
  c->rx_bytes += n;
  c->rsp_seen = true;
  c->cqe = d->cqe;
  c->rsp_datal = (uint32_t) total;
  if (c->rx_bytes == c->rsp_datal)
    host_complete (a, cid);
}

static void
host_r2t (struct eth_assoc *a, const struct eth_frame *f)
{
  const struct nvme_eth_r2t *r = (const void *) f->buf;
  uint16_t cid = GET16 (r->cid);
  struct eth_cmd *c = host_cmd (a, f, cid, FEI (struct nvme_eth_r2t, cid));

  if (c == NULL)
    return;
  if (c->dir != ETH_DIR_H2C || c->icd_len == c->len || c->r2t_seen) {
    violation (a, f, NVME_ETH_ERR_SEQUENCE, FEI (struct nvme_eth_r2t, cid),
               "R2T for command %u, which %s", cid,
               c->dir != ETH_DIR_H2C ? "writes no data" :
               c->r2t_seen           ? "already had one" :
                                       "sent its data in the capsule");
    return;
  }
  if (GET32 (r->offset) != 0 || GET32 (r->length) != c->len) {
    violation (a, f, NVME_ETH_ERR_INVALID_FIELD,
               GET32 (r->offset) != 0 ? FEI (struct nvme_eth_r2t, offset) :
                                        FEI (struct nvme_eth_r2t, length),
               "R2T for command %u asks for bytes %" PRIu32 "+%" PRIu32
               ", not all %" PRIu32,
               cid, GET32 (r->offset), GET32 (r->length), c->len);
    return;
  }
  c->r2t_seen = true;
  txq_push (a, cid);
}

void
host_frame (struct eth_assoc *a, const struct eth_frame *f)
{
  switch (f->type) {
  case NVME_ETH_RSP:
    host_rsp (a, f);
    break;
  case NVME_ETH_C2H_DATA:
    host_c2h (a, f);
    break;
  case NVME_ETH_C2H_DATA_RSP:
    host_c2h_rsp (a, f);
    break;
  case NVME_ETH_R2T:
    host_r2t (a, f);
    break;
  default:
    break;
  }
}

/* ---- Controller ------------------------------------------------------- */

static uint8_t *
icd_buf (struct eth_assoc *a, uint16_t cid)
{
  return a->icd_bufs + (size_t) cid * a->cfg.icd_max;
}

static void
deliver (struct eth_assoc *a, uint16_t cid, const void *icd)
{
  struct eth_cmd *c = &a->cmds[cid];

  c->state = CMD_EXEC;
  c->icd_got = 0;
  a->cb->capsule (a->ctx, &c->sqe, icd, c->icd_len);
}

static void
ctrl_cmd (struct eth_assoc *a, const struct eth_frame *f)
{
  const struct nvme_eth_cmd *h = (const void *) f->buf;
  uint16_t cid = GET16 (h->sqe.cid);
  uint32_t len = GET32 (h->sqe.dptr.sgl.length), n0;
  uint8_t id = h->sqe.dptr.sgl.id;
  struct eth_cmd *c;

  if (cid >= a->params.queue_depth) {
    violation (a, f, NVME_ETH_ERR_INVALID_FIELD, SQE_FEI (cid),
               "CMD with CID %u, beyond the queue depth %u", cid,
               a->params.queue_depth);
    return;
  }
  c = &a->cmds[cid];
  if (c->state == CMD_ICD || c->state == CMD_EXEC) {
    violation (a, f, NVME_ETH_ERR_SEQUENCE, SQE_FEI (cid),
               "CMD with CID %u, which is outstanding", cid);
    return;
  }
  if ((h->sqe.flags & NVME_CMD_FLAGS_PSDT_MASK) != NVME_CMD_FLAGS_PSDT_SGL) {
    violation (a, f, NVME_ETH_ERR_INVALID_FIELD, SQE_FEI (flags),
               "CMD %u does not use an SGL", cid);
    return;
  }
  n0 = min32 (len, cmd_room (a));
  if (id == NVME_SGL_ID_DATA_OFFSET) {
    if (len == 0 || len > a->params.icd_max || GET64 (h->sqe.dptr.sgl.addr)) {
      violation (a, f, NVME_ETH_ERR_INVALID_FIELD, SQE_FEI (dptr),
                 "CMD %u has %" PRIu32 " bytes of in-capsule data at offset "
                 "%" PRIu64 " (at most %" PRIu32 " at 0)",
                 cid, len, GET64 (h->sqe.dptr.sgl.addr), a->params.icd_max);
      return;
    }
  }
  else if (id != NVME_SGL_ID_TRANSPORT) {
    violation (a, f, NVME_ETH_ERR_INVALID_FIELD, SQE_FEI (dptr.sgl.id),
               "CMD %u has SGL identifier 0x%02x", cid, id);
    return;
  }
  else
    n0 = 0;
  if (f->data_len != n0) {
    violation (a, f, NVME_ETH_ERR_INVALID_FIELD,
               FEI (struct nvme_eth_hdr, length),
               "CMD %u carries %" PRIu32 " bytes of data, must be %" PRIu32,
               cid, f->data_len, n0);
    return;
  }
  if (c->state == CMD_RELEASING) {
    /* The host has everything of the previous command on this CID. */
    release (a, cid);
  }
  c->gen++;
  c->unacked = 0;
  c->sqe = h->sqe;
  c->sgl_len = len;
  c->icd_len = id == NVME_SGL_ID_DATA_OFFSET ? len : 0;
  c->sqe_seen = true;
  c->r2t_queued = c->r2t_sent = c->rsp_queued = c->rsp_sent = false;
  c->buf = NULL;
  c->len = c->rx_bytes = c->tx_off = 0;
  c->c2h_buf = NULL;
  c->c2h_len = 0;
  if (c->icd_len == n0) {
    deliver (a, cid, f->data);
    return;
  }
  if (c->icd_got > c->icd_len - n0) {
    violation (a, f, NVME_ETH_ERR_DATA_RANGE, SQE_FEI (dptr),
               "%" PRIu32 " bytes of in-capsule data for CID %u arrived, more "
               "than its CMD announces",
               c->icd_got, cid);
    return;
  }
  memcpy (icd_buf (a, cid), f->data, n0);
  c->state = CMD_ICD;
  if (c->icd_got == c->icd_len - n0)
    deliver (a, cid, icd_buf (a, cid));
}

static void
ctrl_h2c (struct eth_assoc *a, const struct eth_frame *f)
{
  const struct nvme_eth_data *d = (const void *) f->buf;
  uint16_t cid = GET16 (d->cid);
  uint32_t off = GET32 (d->offset), n = f->data_len;
  uint64_t end = (uint64_t) off + n;
  struct eth_cmd *c;

  if (cid >= a->params.queue_depth) {
    violation (a, f, NVME_ETH_ERR_UNKNOWN_CID, FEI (struct nvme_eth_data, cid),
               "H2C_DATA for CID %u, beyond the queue depth", cid);
    return;
  }
  c = &a->cmds[cid];
  if (f->flags & NVME_ETH_F_ICD) {
    /* May come before its CMD: placed by CID and offset. */
    uint32_t limit = c->state == CMD_ICD ? c->icd_len : a->params.icd_max;

    if (c->state == CMD_EXEC || a->icd_bufs == NULL) {
      violation (a, f, NVME_ETH_ERR_SEQUENCE, FEI (struct nvme_eth_hdr, flags),
                 "in-capsule data for CID %u %s", cid,
                 a->icd_bufs ? "while it executes" :
                               "beyond the CMD frame, which is all there is");
      return;
    }
    if (off < cmd_room (a) || end > limit ||
        c->icd_got + n > limit - cmd_room (a)) {
      violation (
        a, f, NVME_ETH_ERR_DATA_RANGE, FEI (struct nvme_eth_data, offset),
        "in-capsule data for CID %u at bytes %" PRIu32 "+%" PRIu32 " (%" PRIu32
        " bytes of it so far; the capsule holds %" PRIu32 ")",
        cid, off, n, c->icd_got, limit);
      return;
    }
    memcpy (icd_buf (a, cid) + off, f->data, n);
    c->icd_got += n;
    if (c->state == CMD_ICD && c->icd_got == c->icd_len - cmd_room (a))
      deliver (a, cid, icd_buf (a, cid));
    return;
  }
  if (c->state != CMD_EXEC || !c->r2t_sent) {
    violation (a, f, NVME_ETH_ERR_UNKNOWN_CID, FEI (struct nvme_eth_data, cid),
               "H2C_DATA for CID %u, for which no R2T was sent", cid);
    return;
  }
  if (end > c->len || c->rx_bytes + n > c->len) {
    violation (a, f, NVME_ETH_ERR_DATA_RANGE,
               FEI (struct nvme_eth_data, offset),
               "H2C_DATA for CID %u at bytes %" PRIu32 "+%" PRIu32 " (%" PRIu32
               " of %" PRIu32 " received)",
               cid, off, n, c->rx_bytes, c->len);
    return;
  }
  memcpy ((uint8_t *) c->buf + off, f->data, n);
  c->rx_bytes += n;
  if (c->rx_bytes == c->len) {
    a->cb->data_ready (a->ctx, cid);
    if (c->rsp_queued)
      txq_push (a, cid);
  }
}

void
ctrl_frame (struct eth_assoc *a, const struct eth_frame *f)
{
  switch (f->type) {
  case NVME_ETH_CMD:
    ctrl_cmd (a, f);
    break;
  case NVME_ETH_H2C_DATA:
    ctrl_h2c (a, f);
    break;
  default:
    break;
  }
}

/* A command the controller application may act on, or NULL (errno). */
static struct eth_cmd *
ctrl_app_cmd (struct eth_assoc *a, uint16_t cid)
{
  if (a->cfg.role != ETH_ROLE_CTRL ||
      (a->state != ETH_S_ESTABLISHED && a->state != ETH_S_CLOSING)) {
    errno = a->cfg.role != ETH_ROLE_CTRL ? EINVAL : ENOTCONN;
    return NULL;
  }
  if (cid >= a->params.queue_depth || a->cmds[cid].state != CMD_EXEC) {
    errno = EINVAL;
    return NULL;
  }
  return &a->cmds[cid];
}

int
eth_ctrl_r2t (struct eth_assoc *a, uint16_t cid, void *buf, uint32_t len)
{
  struct eth_cmd *c = ctrl_app_cmd (a, cid);

  if (c == NULL)
    return -1;
  if (c->r2t_queued || c->rsp_queued || c->icd_len || len == 0 ||
      len != c->sgl_len || buf == NULL) {
    errno = EINVAL;
    return -1;
  }
  c->buf = buf;
  c->len = len;
  c->r2t_queued = true;
  txq_push (a, cid);
  return 0;
}

int
eth_ctrl_send_data (struct eth_assoc *a, uint16_t cid, const void *buf,
                    uint32_t len)
{
  struct eth_cmd *c = ctrl_app_cmd (a, cid);

  if (c == NULL)
    return -1;
  if (c->c2h_buf || c->rsp_queued || c->r2t_queued || len == 0 ||
      len > c->sgl_len || buf == NULL) {
    errno = EINVAL;
    return -1;
  }
  c->c2h_buf = buf;
  c->c2h_len = len;
  c->tx_off = 0;
  txq_push (a, cid);
  return 0;
}

int
eth_ctrl_respond (struct eth_assoc *a, const struct nvme_cqe *cqe)
{
  uint16_t cid = GET16 (cqe->cid);
  struct eth_cmd *c = ctrl_app_cmd (a, cid);

  if (c == NULL)
    return -1;
  if (c->rsp_queued) {
    errno = EINVAL;
    return -1;
  }
  c->cqe = *cqe;
  PUT16 (c->cqe.sqid, a->cfg.qid);
  c->rsp_queued = true;
  txq_push (a, cid);
  return 0;
}
