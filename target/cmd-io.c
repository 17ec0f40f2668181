/* SPDX-License-Identifier: BSD-3-Clause */
/* NVM I/O commands: Read, Write (FUA), Flush, Write Zeroes (DEAC) and
 * Dataset Management (deallocate).  The prepare step checks the namespace,
 * the LBA range, MDTS and write protection, and points the data at its
 * place: RAM itself for RAM namespaces (no copy either way), else the
 * request's buffer.
 *
 * A file or block device runs blocking calls (backend.c), or, when the
 * queue has an io_uring ring (aio.c), is queued there: Read and Write
 * (FUA: RWF_DSYNC), Flush (fsync), Write Zeroes and deallocation
 * (fallocate ZERO_RANGE / PUNCH_HOLE, which a block device turns into
 * its zero-out), and io_complete finishes the command when its
 * operations have completed. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <linux/falloc.h>

#include "target.h"

#define NVME_RW_PRINFO_MASK (0xFu << 26)

uint64_t
max_transfer_bytes (void)
{
  return cfg.mdts ? (uint64_t) 4096 << cfg.mdts : 0;
}

static uint16_t
errno_status (int e, bool write)
{
  if (e == ENOSPC || e == EDQUOT)
    return NVME_SC_CAP_EXCEEDED;
  return write ? NVME_SC_WRITE_FAULT : NVME_SC_UNRECOVERED_READ;
}

static uint64_t
slba_of (const struct req *r)
{
  return GET32 (r->sqe.cdw10) | (uint64_t) GET32 (r->sqe.cdw11) << 32;
}

static uint32_t
nlb_of (const struct req *r)
{
  return (GET32 (r->sqe.cdw12) & NVME_RW_NLB_MASK) + 1;
}

/* Namespace and LBA range of Read, Write and Write Zeroes. */
static uint16_t
check_range (struct conn *c, struct req *r)
{
  const struct tgt_subsys *ss = conn_info (c)->ctrl->subsys;
  uint64_t slba = slba_of (r);
  uint32_t nlb = nlb_of (r);
  uint16_t st;

  r->ns = subsys_find_ns (ss, GET32 (r->sqe.nsid));
  if (!r->ns)
    return NVME_SC_INVALID_NS;
  st = ana_io_status (conn_info (c)->port, r->ns);
  if (st)
    return st;
  if (GET32 (r->sqe.cdw12) & NVME_RW_PRINFO_MASK)
    return NVME_SC_INVALID_FIELD; /* no protection information */
  if (slba >= r->ns->nlbas || nlb > r->ns->nlbas - slba)
    return NVME_SC_LBA_RANGE;
  return 0;
}

static bool
want_fua (struct conn *c, const struct req *r)
{
  return (GET32 (r->sqe.cdw12) & NVME_RW_FUA) ||
         !atomic_load (&conn_info (c)->ctrl->wce);
}

/* ---- io_uring ---------------------------------------------------------- */

/* The queue's ring, if ns is served through it. */
static struct aio *
ring_for (struct conn *c, const struct tgt_ns *ns)
{
  struct aio *a = conn_info (c)->aio;

  return a && ns && ns->be.kind != BACKEND_RAM ? a : NULL;
}

/* r's ops operations are in the ring: io_complete finishes it. */
static void
aio_started (struct conn *c, struct req *r, unsigned ops)
{
  struct conn_info *ci = conn_info (c);

  r->aio_pending = ops;
  r->aio_redone = false;
  r->state = REQ_AIO;
  ci->aio_cmds++;
  stat_max (STAT_IO_URING_MAX_IN_FLIGHT, ci->aio_cmds);
}

/* Read or Write through the ring: true if queued. */
static bool
aio_start_rw (struct conn *c, struct req *r, bool write)
{
  struct aio *a = ring_for (c, r->ns);
  const struct backend *be = &r->ns->be;

  if (!a || aio_rw (a, r, be->dio_fd >= 0 ? be->dio_fd : be->fd, write, r->data,
                    r->len, slba_of (r) << r->ns->lba_shift,
                    write && want_fua (c, r)) == -1)
    return false;
  aio_started (c, r, 1);
  return true;
}

static void
count_rw (struct req *r)
{
  if (r->sqe.opcode == NVME_CMD_READ) {
    stat_add (STAT_READ, 1);
    stat_add (STAT_BYTES_READ, r->len);
  }
  else {
    stat_add (STAT_WRITE, 1);
    stat_add (STAT_BYTES_WRITTEN, r->len);
  }
}

static bool
unsupported (int e)
{
  return e == EOPNOTSUPP || e == ENOSYS || e == EINVAL || e == ENODEV;
}

/* A short read or write (end of file, a signal) is finished with
 * blocking calls, which handle both; so is one that O_DIRECT refused
 * (EINVAL: an alignment the file system did not report). */
static void
rw_complete (struct conn *c, struct req *r, int res)
{
  bool write = r->sqe.opcode == NVME_CMD_WRITE;
  struct backend *be = &r->ns->be;
  uint64_t off = slba_of (r) << r->ns->lba_shift;
  int ret = 0;

  if (res == -EINTR || res == -EAGAIN || (res == -EINVAL && be->dio_fd >= 0))
    res = 0;
  if (res < 0) {
    r->status = errno_status (-res, write);
    return;
  }
  if ((uint32_t) res < r->len) {
    if (write)
      ret = backend_write (be, r->data + res, off + res, r->len - res);
    else
      ret = backend_read (be, r->data + res, off + res, r->len - res);
    if (ret == 0 && write && want_fua (c, r))
      ret = backend_sync (be, true);
    if (ret == -1) {
      r->status = errno_status (errno, write);
      return;
    }
  }
  count_rw (r);
}

/* Write Zeroes and deallocation run as fallocate; if the file system
 * refuses the mode, the whole command is done again with the blocking
 * calls, which fall back to writing zeroes. */
static void
zero_redo (struct conn *c, struct req *r)
{
  struct backend *be = &r->ns->be;
  unsigned shift = r->ns->lba_shift;
  struct nvme_dsm_range rg;
  unsigned i, nr;
  int ret = 0;

  r->aio_redone = true;
  r->status = 0;
  if (r->sqe.opcode == NVME_CMD_WRITE_ZEROES) {
    uint64_t off = slba_of (r) << shift;
    uint64_t len = (uint64_t) nlb_of (r) << shift;

    ret = GET32 (r->sqe.cdw12) & NVME_WZ_DEAC ?
            backend_deallocate (be, off, len) :
            backend_zero (be, off, len);
    if (ret == 0 && want_fua (c, r))
      ret = backend_sync (be, true);
  }
  else {
    nr = r->len / sizeof rg;
    for (i = 0; i < nr && ret == 0; i++) {
      memcpy (&rg, r->data + i * sizeof rg, sizeof rg);
      if (GET32 (rg.nlb))
        ret = backend_deallocate (be, GET64 (rg.slba) << shift,
                                  (uint64_t) GET32 (rg.nlb) << shift);
    }
  }
  if (ret == -1)
    r->status = errno_status (errno, true);
}

bool
io_complete (struct conn *c, struct req *r, int res)
{
  struct conn_info *ci = conn_info (c);

  switch (r->sqe.opcode) {
  case NVME_CMD_READ:
  case NVME_CMD_WRITE:
    rw_complete (c, r, res);
    break;
  case NVME_CMD_WRITE_ZEROES:
  case NVME_CMD_DSM:
    /* -ECANCELED: the fdatasync linked to a fallocate that failed. */
    if (res < 0 && res != -ECANCELED && !r->aio_redone) {
      if (unsupported (-res))
        zero_redo (c, r);
      else if (!r->status)
        r->status = errno_status (-res, true);
    }
    break;
  default: /* Flush */
    if (res < 0 && !r->status)
      r->status = errno_status (-res, true);
    break;
  }
  if (r->aio_pending > 0)
    r->aio_pending--;
  if (r->aio_pending > 0)
    return false;
  ci->aio_cmds--;
  r->state = REQ_FREE;
  if (r->status == 0 && r->sqe.opcode == NVME_CMD_WRITE_ZEROES) {
    stat_add (STAT_WRITE_ZEROES, 1);
    if (GET32 (r->sqe.cdw12) & NVME_WZ_DEAC)
      stat_add (STAT_WRITE_ZEROES_DEAC, 1);
  }
  else if (r->status == 0 && r->sqe.opcode == NVME_CMD_DSM) {
    stat_add (STAT_DSM_DEALLOCATE, 1);
    stat_add (STAT_DSM_RANGES, r->len / sizeof (struct nvme_dsm_range));
  }
  return true;
}

/* ---- commands ------------------------------------------------------------ */

static void
exec_read (struct conn *c, struct req *r)
{
  struct backend *be = &r->ns->be;

  if (be->kind != BACKEND_RAM && aio_start_rw (c, r, false))
    return;
  if (be->kind != BACKEND_RAM &&
      backend_read (be, r->data, slba_of (r) << r->ns->lba_shift, r->len) ==
        -1) {
    r->status = errno_status (errno, false);
    return;
  }
  stat_add (STAT_READ, 1);
  stat_add (STAT_BYTES_READ, r->len);
}

static void
exec_write (struct conn *c, struct req *r)
{
  struct backend *be = &r->ns->be;

  if (!r->ram_write && be->kind != BACKEND_RAM && aio_start_rw (c, r, true)) {
    if (GET32 (r->sqe.cdw12) & NVME_RW_FUA)
      stat_add (STAT_WRITE_FUA, 1);
    return;
  }
  if (!r->ram_write &&
      backend_write (be, r->data, slba_of (r) << r->ns->lba_shift, r->len) ==
        -1) {
    r->status = errno_status (errno, true);
    return;
  }
  if (GET32 (r->sqe.cdw12) & NVME_RW_FUA)
    stat_add (STAT_WRITE_FUA, 1);
  if (want_fua (c, r) && backend_sync (be, true) == -1) {
    r->status = errno_status (errno, true);
    return;
  }
  stat_add (STAT_WRITE, 1);
  stat_add (STAT_BYTES_WRITTEN, r->len);
}

static uint16_t
prepare_rw (struct conn *c, struct req *r, bool write)
{
  uint64_t len, max = max_transfer_bytes ();
  uint16_t st = check_range (c, r);

  if (st)
    return st;
  len = (uint64_t) nlb_of (r) << r->ns->lba_shift;
  if (max && len > max)
    return NVME_SC_INVALID_FIELD;
  if (write && atomic_load (&r->ns->wp) != WP_NONE)
    return NVME_SC_NS_WRITE_PROTECTED;
  r->len = len;
  r->dir = write ? DIR_H2C : DIR_C2H;
  r->exec = write ? exec_write : exec_read;
  /* RAM: straight in and out, except writes with data digests, which
   * must not reach the namespace before their digest is checked.  Like a
   * device (and NVMe), nothing orders overlapping commands of different
   * queues: RAM is not locked. */
  if (r->ns->be.kind == BACKEND_RAM && !(write && conn_info (c)->ddgst)) {
    r->data = r->ns->be.ram + (slba_of (r) << r->ns->lba_shift);
    r->ram_write = write;
    return 0;
  }
  r->data = req_buf (c, r, len);
  return r->data ? 0 : NVME_SC_INTERNAL;
}

/* A flush of the namespace through the ring: true if queued (or nothing
 * to flush); false: do it blocking. */
static bool
aio_flush_one (struct conn *c, struct req *r, struct tgt_ns *ns, unsigned *ops)
{
  struct aio *a = ring_for (c, ns);

  if (ns->be.kind == BACKEND_RAM || ns->be.readonly)
    return true;
  if (!a || aio_fsync (a, r, ns->be.fd, false) == -1)
    return false;
  (*ops)++;
  return true;
}

static void
exec_flush (struct conn *c, struct req *r)
{
  const struct tgt_subsys *ss = conn_info (c)->ctrl->subsys;
  unsigned ops = 0;
  size_t i;

  stat_add (STAT_FLUSH, 1);
  if (conn_info (c)->aio) {
    for (i = 0; i < (r->ns ? 1 : ss->nr_ns); i++) {
      struct tgt_ns *ns = r->ns ? r->ns : &ss->ns[i];

      if (!aio_flush_one (c, r, ns, &ops) &&
          backend_sync (&ns->be, false) == -1)
        r->status = errno_status (errno, true);
    }
    if (ops > 0)
      aio_started (c, r, ops);
    return;
  }
  if (r->ns) {
    if (backend_sync (&r->ns->be, false) == -1)
      r->status = errno_status (errno, true);
    return;
  }
  for (i = 0; i < ss->nr_ns; i++)
    if (backend_sync (&ss->ns[i].be, false) == -1)
      r->status = errno_status (errno, true);
}

/* The fallocate mode for zeroing (deac: deallocating) through the ring,
 * 0 if it is known not to work (the blocking calls fall back). */
static int
zero_mode (const struct backend *be, bool deac)
{
  if (deac)
    return atomic_load (&be->punch_ok) ?
             FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE :
             0;
  return atomic_load (&be->zero_range_ok) ?
           FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE :
           0;
}

static void
exec_write_zeroes (struct conn *c, struct req *r)
{
  struct backend *be = &r->ns->be;
  uint64_t off = slba_of (r) << r->ns->lba_shift;
  uint64_t len = (uint64_t) nlb_of (r) << r->ns->lba_shift;
  bool deac = GET32 (r->sqe.cdw12) & NVME_WZ_DEAC;
  bool fua = want_fua (c, r);
  struct aio *a = ring_for (c, r->ns);
  int ret, mode = zero_mode (be, deac);

  if (a && mode && aio_fallocate (a, r, be->fd, mode, off, len, fua) == 0) {
    aio_started (c, r, fua ? 2 : 1);
    return;
  }

  ret = deac ? backend_deallocate (be, off, len) : backend_zero (be, off, len);
  if (ret == 0 && fua)
    ret = backend_sync (be, true);
  if (ret == -1) {
    r->status = errno_status (errno, true);
    return;
  }
  stat_add (STAT_WRITE_ZEROES, 1);
  if (deac)
    stat_add (STAT_WRITE_ZEROES_DEAC, 1);
}

static void
exec_dsm (struct conn *c, struct req *r)
{
  struct backend *be = &r->ns->be;
  unsigned nr = r->len / sizeof (struct nvme_dsm_range), i;
  struct nvme_dsm_range rg;
  unsigned shift = r->ns->lba_shift;

  if (!(GET32 (r->sqe.cdw11) & NVME_DSM_ATTR_DEALLOCATE))
    return; /* only hints: nothing to do */
  /* Check every range before touching any. */
  for (i = 0; i < nr; i++) {
    uint64_t slba;
    uint32_t nlb;

    memcpy (&rg, r->data + i * sizeof rg, sizeof rg);
    slba = GET64 (rg.slba);
    nlb = GET32 (rg.nlb);
    if (nlb && (slba >= r->ns->nlbas || nlb > r->ns->nlbas - slba)) {
      r->status = NVME_SC_LBA_RANGE;
      return;
    }
  }
  if (ring_for (c, r->ns) && zero_mode (be, true)) {
    struct aio *a = ring_for (c, r->ns);
    unsigned ops = 0;

    for (i = 0; i < nr; i++) {
      memcpy (&rg, r->data + i * sizeof rg, sizeof rg);
      if (GET32 (rg.nlb) == 0)
        continue;
      if (aio_fallocate (a, r, be->fd, zero_mode (be, true),
                         GET64 (rg.slba) << shift,
                         (uint64_t) GET32 (rg.nlb) << shift, false) == -1)
        break;
      ops++;
    }
    if (i == nr) {
      if (ops == 0)
        goto done; /* only empty ranges */
      aio_started (c, r, ops);
      return;
    }
    /* No room for every range: the rest blocking, then the ring's. */
    for (; i < nr; i++) {
      memcpy (&rg, r->data + i * sizeof rg, sizeof rg);
      if (GET32 (rg.nlb) &&
          backend_deallocate (be, GET64 (rg.slba) << shift,
                              (uint64_t) GET32 (rg.nlb) << shift) == -1)
        r->status = errno_status (errno, true);
    }
    if (ops > 0) {
      aio_started (c, r, ops);
      return;
    }
    goto done;
  }
  for (i = 0; i < nr; i++) {
    memcpy (&rg, r->data + i * sizeof rg, sizeof rg);
    if (GET32 (rg.nlb) == 0)
      continue;
    if (backend_deallocate (be, GET64 (rg.slba) << shift,
                            (uint64_t) GET32 (rg.nlb) << shift) == -1) {
      r->status = errno_status (errno, true);
      return;
    }
  }
done:
  if (r->status)
    return;
  stat_add (STAT_DSM_DEALLOCATE, 1);
  stat_add (STAT_DSM_RANGES, nr);
}

uint16_t
io_prepare (struct conn *c, struct req *r)
{
  struct conn_info *ci = conn_info (c);
  const struct tgt_subsys *ss = ci->ctrl->subsys;
  uint32_t nsid = GET32 (r->sqe.nsid);
  uint16_t st;

  atomic_fetch_add_explicit (&ci->port->nr_io, 1, memory_order_relaxed);
  if (!atomic_load (&ci->ctrl->ready))
    return NVME_SC_CMD_SEQ_ERROR;
  switch (r->sqe.opcode) {
  case NVME_CMD_READ:
    return prepare_rw (c, r, false);
  case NVME_CMD_WRITE:
    return prepare_rw (c, r, true);
  case NVME_CMD_FLUSH:
    if (nsid != NVME_NSID_ALL) {
      r->ns = subsys_find_ns (ss, nsid);
      if (!r->ns)
        return NVME_SC_INVALID_NS;
      st = ana_io_status (ci->port, r->ns);
      if (st)
        return st;
    }
    r->exec = exec_flush;
    return 0;
  case NVME_CMD_WRITE_ZEROES:
    st = check_range (c, r);
    if (st)
      return st;
    if (atomic_load (&r->ns->wp) != WP_NONE)
      return NVME_SC_NS_WRITE_PROTECTED;
    r->exec = exec_write_zeroes;
    return 0;
  case NVME_CMD_DSM:
    r->ns = subsys_find_ns (ss, nsid);
    if (!r->ns)
      return NVME_SC_INVALID_NS;
    st = ana_io_status (ci->port, r->ns);
    if (st)
      return st;
    if ((GET32 (r->sqe.cdw11) & NVME_DSM_ATTR_DEALLOCATE) &&
        atomic_load (&r->ns->wp) != WP_NONE)
      return NVME_SC_NS_WRITE_PROTECTED;
    r->dir = DIR_H2C;
    r->len =
      ((GET32 (r->sqe.cdw10) & 0xFF) + 1) * sizeof (struct nvme_dsm_range);
    r->data = req_buf (c, r, r->len);
    if (!r->data)
      return NVME_SC_INTERNAL;
    r->exec = exec_dsm;
    return 0;
  default:
    return NVME_SC_INVALID_OPCODE;
  }
}
