/* SPDX-License-Identifier: BSD-3-Clause */
/* Blocking I/O: Read, Write (FUA), Flush, Write Zeroes (DEAC), Dataset
 * Management deallocate.  Transfers larger than one command may carry are
 * split (MDTS, the transport, NLB, NOIOB boundaries); the pieces are
 * submitted together and waited for as one batch whose state is on the
 * caller's stack: no allocation per I/O. */
#include <config.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "errors.h"

void
io_setup_rw (struct nvme_sqe *sqe, uint8_t opcode, uint32_t nsid, uint64_t slba,
             uint32_t nlb, uint32_t cdw12_flags)
{
  memset (sqe, 0, sizeof *sqe);
  sqe->opcode = opcode;
  PUT32 (sqe->nsid, nsid);
  PUT32 (sqe->cdw10, (uint32_t) slba);
  PUT32 (sqe->cdw11, (uint32_t) (slba >> 32));
  PUT32 (sqe->cdw12, ((nlb - 1) & NVME_RW_NLB_MASK) | cdw12_flags);
}

int
io_check (struct nvmeof_ns *ns, const char *fn, uint64_t len, uint64_t offset)
{
  uint32_t lba;

  if (ns == NULL) {
    set_error (EINVAL, "%s: ns is NULL", fn);
    return -1;
  }
  lba = ns->info.lba_size;
  if (len % lba != 0 || offset % lba != 0) {
    set_error (EINVAL,
               "%s: offset %" PRIu64 " and length %" PRIu64 " must "
               "be multiples of the LBA size (%" PRIu32 " bytes) of "
               "namespace %" PRIu32,
               fn, offset, len, lba, ns->info.nsid);
    return -1;
  }
  if (offset > ns->info.size || len > ns->info.size - offset) {
    set_error (EINVAL,
               "%s: bytes %" PRIu64 "+%" PRIu64 " are beyond the end "
               "of namespace %" PRIu32 " (%" PRIu64 " bytes)",
               fn, offset, len, ns->info.nsid, ns->info.size);
    return -1;
  }
  return 0;
}

struct nvmeof_queue *
io_queue (struct nvmeof_ns *ns, const char *fn)
{
  struct nvmeof_queue *q = ctrl_io_queue (ns->ctrl);

  if (q == NULL)
    set_error (EINVAL, "%s: controller %s has no I/O queues", fn,
               ns->ctrl->addr);
  return q;
}

/* Blocks of the next piece starting at slba: at most max blocks, and not
 * across an optimal I/O boundary (NOIOB). */
static uint64_t
piece_blocks (struct nvmeof_ns *ns, uint64_t slba, uint64_t left, uint32_t max)
{
  uint64_t n = left < max ? left : max;
  uint32_t noiob = ns->info.optimal_io_boundary >> ns->lba_shift;

  if (noiob) {
    uint64_t to_boundary = noiob - slba % noiob;

    if (to_boundary < n)
      n = to_boundary;
  }
  return n;
}

int
io_submit (struct nvmeof_ns *ns, struct nvmeof_queue *q, uint8_t opcode,
           void *buf, uint64_t len, uint64_t offset, uint32_t cdw12_flags,
           io_alloc_fn alloc, void *ctx, unsigned *submitted)
{
  uint64_t slba = offset >> ns->lba_shift;
  uint64_t left = len >> ns->lba_shift;
  uint32_t max =
    opcode == NVME_CMD_WRITE_ZEROES ? ns->max_wz_blocks : ns->max_blocks;
  uint8_t *p = buf;

  *submitted = 0;
  while (left > 0) {
    uint64_t nlb = piece_blocks (ns, slba, left, max);
    uint32_t bytes = (uint32_t) (nlb << ns->lba_shift);
    struct nvmeof_req *req = alloc (q, ctx);

    if (req == NULL)
      return -1;
    io_setup_rw (&req->sqe, opcode, ns->info.nsid, slba, (uint32_t) nlb,
                 cdw12_flags);
    if (opcode == NVME_CMD_READ || opcode == NVME_CMD_WRITE) {
      req->buf = p;
      req->len = bytes;
      req->dir = opcode == NVME_CMD_READ ? REQ_DIR_C2H : REQ_DIR_H2C;
      p += bytes;
    }
    req_queue (q, req); /* a failure fails req through its queue */
    (*submitted)++;
    slba += nlb;
    left -= nlb;
  }
  return 0;
}

static struct nvmeof_req *
batch_alloc (struct nvmeof_queue *q, void *ctx)
{
  return req_alloc_batch (q, ctx);
}

static int
blocking (struct nvmeof_ns *ns, const char *fn, uint8_t opcode, void *buf,
          uint64_t len, uint64_t offset, uint32_t flags)
{
  struct nvmeof_queue *q;
  struct nvmeof_batch b;
  unsigned n;

  if (io_check (ns, fn, len, offset) < 0)
    return -1;
  if (len == 0)
    return 0;
  if (ns->mpns) {
    enum mpath_op op = opcode == NVME_CMD_READ  ? MPATH_READ :
                       opcode == NVME_CMD_WRITE ? MPATH_WRITE :
                                                  MPATH_WRITE_ZEROES;

    return mpath_io (ns, op, buf, len, offset,
                     (flags & NVME_RW_FUA ? NVMEOF_FUA : 0) |
                       (flags & NVME_WZ_DEAC ? NVMEOF_DEALLOCATE : 0),
                     NULL, 0);
  }
  if (buf == NULL && opcode != NVME_CMD_WRITE_ZEROES) {
    set_error (EINVAL, "%s: buf is NULL", fn);
    return -1;
  }
  q = io_queue (ns, fn);
  if (q == NULL)
    return -1;
  batch_init (&b);
  if (io_submit (ns, q, opcode, buf, len, offset, flags, batch_alloc, &b, &n) <
      0)
    batch_fail_local (q, &b);
  queue_flush_lazy (q); /* all the pieces in one write */
  return batch_wait (q, &b);
}

int
nvmeof_read (struct nvmeof_ns *ns, void *buf, size_t len, uint64_t offset)
{
  return blocking (ns, "nvmeof_read", NVME_CMD_READ, buf, len, offset, 0);
}

int
nvmeof_write (struct nvmeof_ns *ns, const void *buf, size_t len,
              uint64_t offset, unsigned flags)
{
  /* The buffer is only read: H2C data. */
  return blocking (ns, "nvmeof_write", NVME_CMD_WRITE, (void *) buf, len,
                   offset, (flags & NVMEOF_FUA) ? NVME_RW_FUA : 0);
}

int
nvmeof_write_zeroes (struct nvmeof_ns *ns, uint64_t len, uint64_t offset,
                     unsigned flags)
{
  uint32_t cdw12 = 0;

  if (ns && !ns->info.has_write_zeroes) {
    set_error (EOPNOTSUPP,
               "nvmeof_write_zeroes: namespace %" PRIu32
               " does not support Write Zeroes (ONCS bit 3)",
               ns->info.nsid);
    return -1;
  }
  if (flags & NVMEOF_FUA)
    cdw12 |= NVME_RW_FUA;
  /* DEAC only where the namespace says Write Zeroes may deallocate. */
  if (ns && (flags & NVMEOF_DEALLOCATE) && ns->info.wz_deallocate)
    cdw12 |= NVME_WZ_DEAC;
  return blocking (ns, "nvmeof_write_zeroes", NVME_CMD_WRITE_ZEROES, NULL, len,
                   offset, cdw12);
}

int
nvmeof_flush (struct nvmeof_ns *ns)
{
  struct nvmeof_queue *q;
  struct nvme_sqe sqe;

  if (ns == NULL) {
    set_error (EINVAL, "nvmeof_flush: ns is NULL");
    return -1;
  }
  /* Without a volatile write cache every write is already durable. */
  if (!ns->info.volatile_write_cache)
    return 0;
  if (ns->mpns)
    return mpath_io (ns, MPATH_FLUSH, NULL, 0, 0, 0, NULL, 0);
  q = io_queue (ns, "nvmeof_flush");
  if (q == NULL)
    return -1;
  memset (&sqe, 0, sizeof sqe);
  sqe.opcode = NVME_CMD_FLUSH;
  PUT32 (sqe.nsid, ns->info.nsid);
  return queue_exec (q, &sqe, NULL, 0, REQ_DIR_NONE, NULL, NULL);
}

/* One Dataset Management command with nr ranges. */
static int
dsm_send (struct nvmeof_ns *ns, struct nvmeof_queue *q,
          struct nvme_dsm_range *r, unsigned nr)
{
  struct nvme_sqe sqe;

  memset (&sqe, 0, sizeof sqe);
  sqe.opcode = NVME_CMD_DSM;
  PUT32 (sqe.nsid, ns->info.nsid);
  PUT32 (sqe.cdw10, nr - 1);
  PUT32 (sqe.cdw11, NVME_DSM_ATTR_DEALLOCATE);
  return queue_exec (q, &sqe, r, nr * sizeof *r, REQ_DIR_H2C, NULL, NULL);
}

int
nvmeof_deallocate (struct nvmeof_ns *ns, const struct nvmeof_range *ranges,
                   unsigned nr_ranges)
{
  struct nvme_dsm_range r[NVME_DSM_NR_MAX];
  struct nvmeof_queue *q;
  unsigned i, nr = 0;

  if (ns == NULL || (ranges == NULL && nr_ranges)) {
    set_error (EINVAL, "nvmeof_deallocate: ns and ranges must not be NULL");
    return -1;
  }
  if (!ns->info.has_deallocate) {
    set_error (EOPNOTSUPP,
               "nvmeof_deallocate: namespace %" PRIu32 " does "
               "not support Dataset Management (ONCS bit 2)",
               ns->info.nsid);
    return -1;
  }
  for (i = 0; i < nr_ranges; i++)
    if (io_check (ns, "nvmeof_deallocate", ranges[i].length, ranges[i].offset) <
        0)
      return -1;
  if (ns->mpns)
    return mpath_io (ns, MPATH_DEALLOCATE, NULL, 0, 0, 0, ranges, nr_ranges);
  q = io_queue (ns, "nvmeof_deallocate");
  if (q == NULL)
    return -1;
  for (i = 0; i < nr_ranges; i++) {
    uint64_t slba = ranges[i].offset >> ns->lba_shift;
    uint64_t left = ranges[i].length >> ns->lba_shift;

    /* A range holds at most 2^32-1 blocks. */
    while (left > 0) {
      uint32_t n = left > UINT32_MAX ? UINT32_MAX : (uint32_t) left;

      PUT32 (r[nr].attributes, 0);
      PUT32 (r[nr].nlb, n);
      PUT64 (r[nr].slba, slba);
      nr++;
      slba += n;
      left -= n;
      if (nr == NVME_DSM_NR_MAX) {
        if (dsm_send (ns, q, r, nr) < 0)
          return -1;
        nr = 0;
      }
    }
  }
  if (nr > 0 && dsm_send (ns, q, r, nr) < 0)
    return -1;
  return 0;
}
