/* SPDX-License-Identifier: BSD-3-Clause */
/* The receive path of a connection (one NVMe queue; its thread is in
 * conn-thread.c), with blocking I/O.
 *
 * Per PDU:
 *   common header (8 bytes) -> rest of the header [+ HDGST] -> checks ->
 *   CapsuleCmd: prepare the command, then its in-capsule data [+ DDGST]
 *               goes straight where the command wants it (RAM or a request
 *               buffer), then the command runs and its completion is queued;
 *               a write without in-capsule data gets R2Ts instead;
 *   H2CData:    data straight into the waiting request; when all arrived,
 *               the command runs;
 *   H2CTermReq: the host gave up: close.
 * Any violation sends a C2HTermReq naming the field (FES/FEI) and closes.
 *
 * Headers and small data are read ahead into rbuf; larger data is read
 * from the socket directly into place.  Completions are batched and sent
 * with one writev when no more input is waiting (conn-send.c). */
#include <config.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <poll.h>
#include <sched.h>
#include <sys/eventfd.h>

#include "conn.h"
#include "crc32c.h"

#define BUF_BUDGET    ((size_t) 512 * 1024 * 1024) /* request buffers/conn */
#define POLL_SHORT_US 50 /* poll after a long idle time (see rx_poll) */

struct conn_info *
conn_info (struct conn *c)
{
  return &c->info;
}

/* ---- receive helpers -------------------------------------------------- */

static uint64_t
now_us (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (uint64_t) ts.tv_sec * 1000000 + (uint64_t) ts.tv_nsec / 1000;
}

/* The queue's io_uring ring (aio.c): submit what the commands read so far
 * queued there, and answer those whose operations have completed. */
static int
aio_service (struct conn *c)
{
  struct aio *a = c->info.aio;
  uint16_t idx;
  int res;

  if (!a || aio_idle (a))
    return 0;
  if (aio_submit (a) == -1) {
    log_msg ("%s: io_uring submission failed: closing", c->info.peer);
    return -1;
  }
  while (aio_next (a, &idx, &res)) {
    struct req *r;

    if (idx >= c->nr_reqs || c->reqs[idx]->state != REQ_AIO)
      continue; /* not ours: cannot happen */
    r = c->reqs[idx];
    if (io_complete (c, r, res) && send_completion (c, r) == -1)
      return -1;
  }
  return 0;
}

static bool
aio_busy (const struct conn *c)
{
  return c->info.aio && !aio_idle (c->info.aio);
}

/* Nothing to read: keep trying for --poll-us before sleeping (yielding
 * the CPU to anyone else who wants it), since the host's next command
 * often comes sooner than a sleeping thread is woken.  A host that was
 * idle longer than that last time gets a short poll only, so that a
 * quiet connection costs little.  >= 0 or -1 as recv, or -2 when the
 * time is up (*start: when the poll began). */
static ssize_t
rx_poll (struct conn *c, void *p, size_t len, uint64_t *start)
{
  uint64_t now = now_us (), end;
  uint32_t window = cfg.poll_us;

  *start = now;
  /* Commands in the io_uring ring: their completions wake the thread
   * from rx_wait, and spinning for a device's I/O would only burn CPU. */
  if ((c->last_gap_us > window || aio_busy (c)) && window > POLL_SHORT_US)
    window = POLL_SHORT_US;
  end = now + window;
  while (now < end && !atomic_load (&stopping)) {
    ssize_t r;

    sched_yield ();
    /* Completions are answered as they come. */
    if (aio_busy (c) &&
        (aio_service (c) == -1 || (c->niov > 0 && tx_flush (c) == -1)))
      return -1;
    r = c->io->recv (c, p, len, MSG_DONTWAIT);
    if (r >= 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
      c->last_gap_us = now_us () - *start;
      return r;
    }
    now = now_us ();
  }
  return -2;
}

struct req *
conn_find_aer (struct conn *c)
{
  unsigned i;

  for (i = 0; i < c->nr_reqs; i++)
    if (c->reqs[i]->state == REQ_AER)
      return c->reqs[i];
  return NULL;
}

/* An admin queue woken by conn_wake: complete the Asynchronous Event
 * Requests its controller's events are for. */
static int
deliver_events (struct conn *c)
{
  uint64_t v;
  struct req *r;

  atomic_store (&c->wake, false);
  if (read (c->wake_fd, &v, sizeof v) == -1) {
    /* EAGAIN: nothing counted since the last read. */
  }
  while ((r = ctrl_aen_take (c)) != NULL)
    if (send_completion (c, r) == -1)
      return -1;
  return c->niov > 0 ? tx_flush (c) : 0;
}

/* Sleep until the socket is readable, conn_wake is called or the io_uring
 * ring has completions. */
static int
rx_wait (struct conn *c)
{
  struct pollfd pfd[3] = {
    { .fd = c->fd, .events = POLLIN },
    { .fd = c->wake_fd, .events = POLLIN },
    { .fd = aio_busy (c) ? aio_fd (c->info.aio) : -1, .events = POLLIN },
  };

  while (poll (pfd, 3, -1) == -1)
    if (errno != EINTR)
      return -1;
  return 0;
}

/* Read what the socket has (at least one byte).  When nothing is waiting,
 * the batched completions go out first: that is the batching rule. */
static ssize_t
rx_read (struct conn *c, void *p, size_t len, bool all)
{
  uint64_t idle_since;
  ssize_t r;

  for (;;) {
    if (atomic_load_explicit (&c->wake, memory_order_relaxed) &&
        deliver_events (c) == -1)
      return -1;
    if (aio_service (c) == -1)
      return -1;
    r = c->io->recv (c, p, len, MSG_DONTWAIT);
    if (r >= 0)
      return r;
    if (errno == EINTR)
      continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK)
      return -1;
    if (c->niov > 0 && tx_flush (c) == -1)
      return -1;
    r = rx_poll (c, p, len, &idle_since);
    if (r > 0 && stop_requested ())
      return -1;
    if (r >= 0 || r == -1)
      return r;
    /* An admin queue also wakes up for asynchronous events, an I/O
     * queue with commands in its io_uring ring for their completions. */
    if (c->wake_fd >= 0 || aio_busy (c)) {
      if (rx_wait (c) == -1)
        return -1;
      if (atomic_load (&c->wake) || aio_busy (c))
        continue;
    }
    r = c->io->recv (c, p, len, all ? MSG_WAITALL : 0);
    c->last_gap_us = now_us () - idle_since;
    /* Woken up after sleeping: a command that comes after a SIGTERM gets
     * no answer, even if the handler has not run yet. */
    if (r > 0 && stop_requested ())
      return -1;
    if (r >= 0)
      return r;
    if (errno != EINTR)
      return -1;
  }
}

/* Make n bytes available at rbuf + rpos (n <= RBUF_SIZE). */
static int
rx_need (struct conn *c, size_t n)
{
  if (c->rlen - c->rpos >= n)
    return 0;
  if (c->rpos > 0) {
    memmove (c->rbuf, c->rbuf + c->rpos, c->rlen - c->rpos);
    c->rlen -= c->rpos;
    c->rpos = 0;
  }
  while (c->rlen < n) {
    ssize_t r = rx_read (c, c->rbuf + c->rlen, RBUF_SIZE - c->rlen, false);
    if (r <= 0)
      return -1;
    c->rlen += r;
  }
  return 0;
}

/* The next n bytes of the stream into dst: what was read ahead, then the
 * rest straight from the socket. */
static int
rx_into (struct conn *c, void *dst, size_t n)
{
  uint8_t *p = dst;
  size_t have = c->rlen - c->rpos;

  if (have > n)
    have = n;
  memcpy (p, c->rbuf + c->rpos, have);
  c->rpos += have;
  p += have;
  n -= have;
  while (n > 0) {
    ssize_t r = rx_read (c, p, n, true);
    if (r <= 0)
      return -1;
    p += r;
    n -= r;
  }
  return 0;
}

static int
rx_skip (struct conn *c, size_t n)
{
  while (n > 0) {
    size_t k;
    if (c->rpos == c->rlen && rx_need (c, 1) == -1)
      return -1;
    k = c->rlen - c->rpos;
    if (k > n)
      k = n;
    c->rpos += k;
    n -= k;
  }
  return 0;
}

/* Read the data digest (if negotiated) and compare.  1 = match, 0 = digest
 * error, -1 = connection lost. */
static int
rx_ddgst (struct conn *c, const void *data, size_t len)
{
  uint8_t d[4];

  if (!c->ddgst)
    return 1;
  if (rx_into (c, d, 4) == -1)
    return -1;
  return get_le32 (d) == crc32c (data, len);
}

/* A protocol violation: C2HTermReq naming the field, then close. */
static int
fatal (struct conn *c, uint16_t fes, uint32_t fei, size_t hlen,
       const char *what)
{
  log_verbose ("%s: %s: sending C2HTermReq (FES %u, FEI %" PRIu32 ")",
               c->info.peer, what, fes, fei);
  send_termreq (c, fes, fei, c->hdr, hlen);
  return -1;
}

/* ---- requests ---------------------------------------------------------- */

int
conn_grow_reqs (struct conn *c, unsigned max)
{
  struct req **r;
  uint16_t *f, *d;

  if (max <= c->max_reqs)
    return 0;
  r = realloc (c->reqs, max * sizeof *r);
  if (r)
    c->reqs = r;
  f = realloc (c->free_list, max * sizeof *f);
  if (f)
    c->free_list = f;
  d = realloc (c->done_list, max * sizeof *d);
  if (d)
    c->done_list = d;
  if (!r || !f || !d)
    return -1;
  c->max_reqs = max;
  return 0;
}

static struct req *
req_alloc (struct conn *c)
{
  struct req *r;

  if (c->nr_free == 0 && c->nr_reqs == c->max_reqs && c->nr_done > 0) {
    if (tx_flush (c) == -1) /* releases completed requests */
      return NULL;
  }
  if (c->nr_free > 0)
    r = c->reqs[c->free_list[--c->nr_free]];
  else if (c->nr_reqs < c->max_reqs) {
    r = calloc (1, sizeof *r);
    if (!r)
      return NULL;
    r->idx = c->nr_reqs;
    c->reqs[c->nr_reqs++] = r;
  }
  else
    return NULL;
  req_reset (r);
  return r;
}

void
req_reset (struct req *r)
{
  r->state = REQ_FREE;
  r->dir = DIR_NONE;
  r->len = 0;
  r->data = NULL;
  r->ns = NULL;
  r->exec = NULL;
  r->ram_write = false;
  r->status = 0;
  r->dw0 = r->dw1 = 0;
  r->r2t_next = r->recvd = 0;
  memset (r->r2t, 0, sizeof r->r2t);
}

uint8_t *
req_buf (struct conn *c, struct req *r, size_t len)
{
  size_t cap = (len + 4095) & ~(size_t) 4095;

  if (r->buf_cap >= len)
    return r->buf;
  if (c->buf_bytes - r->buf_cap + cap > BUF_BUDGET)
    return NULL;
  free (r->buf);
  c->buf_bytes -= r->buf_cap;
  r->buf_cap = 0;
  /* Page aligned: O_DIRECT reads and writes go straight to it. */
  if (posix_memalign ((void **) &r->buf, 4096, cap ? cap : 4096) != 0)
    r->buf = NULL;
  if (!r->buf)
    return NULL;
  r->buf_cap = cap;
  c->buf_bytes += cap;
  return r->buf;
}

static bool
serves_files (const struct tgt_subsys *ss)
{
  size_t i;

  for (i = 0; i < ss->nr_ns; i++)
    if (ss->ns[i].be.kind != BACKEND_RAM)
      return true;
  return false;
}

int
conn_set_queue (struct conn *c, uint16_t qid, uint16_t sqsize,
                bool sqhd_disabled, struct tgt_ctrl *ctrl)
{
  unsigned max = sqsize + 2u + (qid == 0 ? TGT_AERL + 1 : 0);

  if (conn_grow_reqs (c, max) == -1)
    return -1;
  if (qid == 0 && !c->eth && c->wake_fd < 0) {
    int fd = eventfd (0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (fd == -1)
      return -1;
    atomic_store (&c->wake_fd, fd);
  }
  if (qid != 0 && !c->eth && !c->info.aio &&
      cfg.backend == IO_BACKEND_IO_URING && serves_files (ctrl->subsys))
    c->info.aio = aio_create (); /* NULL: blocking I/O */
  c->info.qid = qid;
  c->info.sqsize = sqsize;
  c->info.sqhd_disabled = sqhd_disabled;
  c->info.ctrl = ctrl;
  c->info.connected = true;
  atomic_store (&c->setup_deadline, 0); /* from now on, KATO */
  c->icd_max = qid == 0 ? TGT_ADMIN_ICD : ctrl->port->inline_data_size;
  return 0;
}

/* ---- PDU handlers ------------------------------------------------------ */

static int
handle_icreq (struct conn *c, uint32_t plen)
{
  struct nvme_tcp_icreq ic;
  uint64_t host_r2t;

  memcpy (&ic, c->hdr, sizeof ic);
  if (plen != sizeof ic)
    return fatal (c, NVME_TCP_FES_INVALID_HEADER, 4, sizeof ic,
                  "ICReq PLEN is not 128");
  if (ic.ch.pdo != 0)
    return fatal (c, NVME_TCP_FES_INVALID_HEADER, 3, sizeof ic,
                  "ICReq PDO is not 0");
  if (GET16 (ic.pfv) != NVME_TCP_PFV_1_0)
    return fatal (c, NVME_TCP_FES_UNSUPPORTED_PARAM, 8, sizeof ic,
                  "unsupported PFV in ICReq");
  if (ic.hpda > NVME_TCP_MAX_PDA)
    return fatal (c, NVME_TCP_FES_UNSUPPORTED_PARAM, 10, sizeof ic,
                  "HPDA above 31 in ICReq");
  c->hdgst = ic.digest & NVME_TCP_DIGEST_HDGST_ENABLE;
  c->ddgst = ic.digest & NVME_TCP_DIGEST_DDGST_ENABLE;
  c->info.ddgst = c->ddgst;
  c->hpda_align = NVME_TCP_PDA_ALIGN (ic.hpda);
  host_r2t = (uint64_t) GET32 (ic.maxr2t) + 1;
  c->r2t_max = host_r2t < cfg.maxr2t ? host_r2t : cfg.maxr2t;
  c->ic_done = true;
  log_verbose ("%s: ICReq: hdgst %d ddgst %d hpda %u maxr2t %" PRIu64,
               c->info.peer, c->hdgst, c->ddgst, ic.hpda, host_r2t);
  if (send_icresp (c, ic.digest & (NVME_TCP_DIGEST_HDGST_ENABLE |
                                   NVME_TCP_DIGEST_DDGST_ENABLE)) == -1)
    return -1;
  conn_setup_arm (c, SETUP_CONNECT); /* the Connect is due in as long */
  return 0;
}

static int
handle_h2c_term (struct conn *c, uint32_t plen)
{
  struct nvme_tcp_term_pdu t;

  memcpy (&t, c->hdr, sizeof t);
  log_verbose ("%s: H2CTermReq: FES %u FEI %" PRIu32 ", closing", c->info.peer,
               GET16 (t.fes), get_le32 (t.fei));
  (void) plen;
  return -1;
}

/* Validate PDO/PLEN/DDGSTF of a PDU that may carry data and return the
 * data length (0 if none), or -1 after a TermReq. */
static int64_t
pdu_data_len (struct conn *c, const struct nvme_tcp_ch *ch, uint32_t plen,
              unsigned hd, bool may_be_empty)
{
  unsigned dd = c->ddgst ? NVME_TCP_DIGEST_LEN : 0;

  if (plen == ch->hlen + hd && may_be_empty) {
    if (ch->pdo != 0)
      return fatal (c, NVME_TCP_FES_INVALID_HEADER, 3, ch->hlen,
                    "PDO set in a PDU without data");
    if (ch->flags & NVME_TCP_F_DDGST)
      return fatal (c, NVME_TCP_FES_INVALID_HEADER, 1, ch->hlen,
                    "DDGSTF set in a PDU without data");
    return 0;
  }
  /* CPDA is 0, so data follows the header (and its digest) directly. */
  if (ch->pdo != ch->hlen + hd)
    return fatal (c, NVME_TCP_FES_INVALID_HEADER, 3, ch->hlen,
                  "PDO does not point right after the header");
  if (!!(ch->flags & NVME_TCP_F_DDGST) != !!dd)
    return fatal (c, NVME_TCP_FES_INVALID_HEADER, 1, ch->hlen,
                  "DDGSTF does not match the negotiated data digest");
  if (plen < (uint64_t) ch->pdo + dd + 1)
    return fatal (c, NVME_TCP_FES_INVALID_HEADER, 4, ch->hlen,
                  "PLEN too small for the PDU's data");
  return plen - ch->pdo - dd;
}

/* Check the command's SGL against what the prepare step expects. */
uint16_t
req_check_sgl (struct req *r, uint32_t icd)
{
  const struct nvme_sgl_desc *sgl = &r->sqe.dptr.sgl;
  uint32_t slen = GET32 (sgl->length);

  switch (r->dir) {
  case DIR_NONE:
    if (icd)
      return NVME_SC_INVALID_FIELD;
    return slen ? NVME_SC_DATA_SGL_LEN_INVALID : 0;
  case DIR_C2H:
    if (icd)
      return NVME_SC_INVALID_FIELD;
    if (sgl->id != NVME_SGL_ID_TRANSPORT)
      return NVME_SC_SGL_DESC_TYPE_INVALID;
    return slen != r->len ? NVME_SC_DATA_SGL_LEN_INVALID : 0;
  default:
    if (sgl->id == NVME_SGL_ID_DATA_OFFSET) {
      if (GET64 (sgl->addr) != 0)
        return NVME_SC_SGL_OFFSET_INVALID;
      return slen != r->len || icd != slen ? NVME_SC_DATA_SGL_LEN_INVALID : 0;
    }
    if (sgl->id != NVME_SGL_ID_TRANSPORT)
      return NVME_SC_SGL_DESC_TYPE_INVALID;
    if (icd)
      return NVME_SC_INVALID_FIELD;
    return slen != r->len ? NVME_SC_DATA_SGL_LEN_INVALID : 0;
  }
}

uint16_t
req_prepare (struct conn *c, struct req *r)
{
  uint8_t psdt = r->sqe.flags & NVME_CMD_FLAGS_PSDT_MASK;

  if ((r->sqe.flags & NVME_CMD_FLAGS_FUSE_MASK) ||
      psdt == NVME_CMD_FLAGS_PSDT_PRP)
    return NVME_SC_INVALID_FIELD;
  if (r->sqe.opcode == NVME_ADMIN_FABRICS)
    return fabrics_prepare (c, r);
  if (!c->info.connected)
    return NVME_SC_CMD_SEQ_ERROR;
  if (auth_blocks (&c->info))
    return NVMF_SC_AUTH_REQUIRED;
  if (c->info.qid == 0)
    return admin_prepare (c, r);
  return io_prepare (c, r);
}

/* Run a command whose data (if any) is in place, then complete it. */
static int
run (struct conn *c, struct req *r)
{
  if (atomic_load (&stopping))
    return -1;
  if (r->status == 0 && r->exec) {
    /* Read completions still batched may point into RAM that this command
     * changes: send them first. */
    if (c->tx_ram && r->dir != DIR_C2H && tx_flush (c) == -1)
      return -1;
    r->exec (c, r);
  }
  if (r->state == REQ_AIO) /* answered when its I/O completes */
    return 0;
  if (r->state == REQ_AER) {
    c->info.nr_aer++;
    return 0;
  }
  if (send_completion (c, r) == -1)
    return -1;
  /* Faults count from the first command after a successful Connect. */
  if (r->sqe.opcode == NVME_ADMIN_FABRICS && r->status == 0 &&
      ((const struct nvmf_cmd *) &r->sqe)->fctype == NVMF_FCTYPE_CONNECT)
    fault_init (&c->fault, c->info.qid != 0);
  return 0;
}

static int
handle_cmd (struct conn *c, const struct nvme_tcp_ch *ch, uint32_t plen,
            unsigned hd)
{
  int64_t icd = pdu_data_len (c, ch, plen, hd, true);
  unsigned dd = c->ddgst ? NVME_TCP_DIGEST_LEN : 0;
  struct req *r;
  int ok;

  if (icd < 0)
    return -1;
  if (atomic_load (&stopping)) /* shutting down: answer nothing more */
    return -1;
  if (icd > c->icd_max)
    return fatal (c, NVME_TCP_FES_R2T_LIMIT_EXCEEDED, 4, ch->hlen,
                  "in-capsule data larger than the queue allows");
  switch (fault_on_command (&c->fault)) {
  case FAULT_CLOSE:
    log_msg ("%s: fault injection: closing the connection", c->info.peer);
    return -1;
  case FAULT_TERMREQ:
    log_msg ("%s: fault injection: sending C2HTermReq", c->info.peer);
    send_termreq (c, NVME_TCP_FES_PDU_SEQUENCE, 0, c->hdr, ch->hlen);
    return -1;
  default:
    break;
  }
  if (fault_hung (&c->fault)) /* swallow the command, never answer */
    return rx_skip (c, icd ? icd + dd : 0);
  if (cfg.fault.auth_close && auth_failure_due (&c->info)) {
    const struct nvmf_auth_cmd *ac = (const void *) (c->hdr + sizeof *ch);
    if (ac->opcode == NVME_ADMIN_FABRICS &&
        ac->fctype == NVMF_FCTYPE_AUTH_RECV) {
      /* As Linux's nvmet may: the association ends before Failure1. */
      log_msg ("%s: fault injection: closing instead of sending Failure1",
               c->info.peer);
      return -1;
    }
  }
  fault_delay (&c->fault);

  r = req_alloc (c);
  if (!r)
    return fatal (c, NVME_TCP_FES_PDU_SEQUENCE, 0, ch->hlen,
                  "more commands outstanding than the queue size");
  memcpy (&r->sqe, c->hdr + sizeof *ch, sizeof r->sqe);
  r->cid = GET16 (r->sqe.cid);
  if (c->info.ctrl)
    ctrl_touch (c->info.ctrl);

  r->status = req_prepare (c, r);
  if (r->status == 0)
    r->status = req_check_sgl (r, icd);
  if (r->status) {
    if (icd && rx_skip (c, icd + dd) == -1)
      return -1;
    return send_completion (c, r);
  }
  if (r->dir == DIR_H2C && icd == 0) {
    r->state = REQ_WAIT_DATA;
    return send_r2ts (c, r);
  }
  if (icd) {
    if (r->ram_write && c->tx_ram && tx_flush (c) == -1)
      return -1;
    if (rx_into (c, r->data, icd) == -1)
      return -1;
    ok = rx_ddgst (c, r->data, icd);
    if (ok < 0)
      return -1;
    if (ok == 0) {
      log_verbose ("%s: data digest error in CapsuleCmd (cid %u)", c->info.peer,
                   r->cid);
      r->status = NVME_SC_TRANSIENT_TRANSPORT;
    }
  }
  return run (c, r);
}

static int
handle_h2c_data (struct conn *c, const struct nvme_tcp_ch *ch, uint32_t plen,
                 unsigned hd)
{
  struct nvme_tcp_data_pdu d;
  int64_t len = pdu_data_len (c, ch, plen, hd, false);
  uint32_t datao, datal;
  uint16_t ttag;
  struct req *r;
  struct r2t_win *w = NULL;
  bool last;
  int i, ok;

  if (len < 0)
    return -1;
  memcpy (&d, c->hdr, sizeof d);
  ttag = GET16 (d.ttag);
  datao = GET32 (d.datao);
  datal = GET32 (d.datal);
  if (ttag >= c->nr_reqs || c->reqs[ttag]->state != REQ_WAIT_DATA)
    return fatal (c, NVME_TCP_FES_INVALID_HEADER, 10, sizeof d,
                  "H2CData TTAG matches no R2T");
  r = c->reqs[ttag];
  if (GET16 (d.cccid) != r->cid)
    return fatal (c, NVME_TCP_FES_INVALID_HEADER, 8, sizeof d,
                  "H2CData CCCID does not match the R2T");
  if (datal != len)
    return fatal (c, NVME_TCP_FES_INVALID_HEADER, 16, sizeof d,
                  "H2CData DATAL does not match PLEN");
  if (datal > cfg.maxh2cdata)
    return fatal (c, NVME_TCP_FES_R2T_LIMIT_EXCEEDED, 16, sizeof d,
                  "H2CData DATAL above MAXH2CDATA");
  for (i = 0; i < TGT_MAX_R2T; i++) {
    if (r->r2t[i].active && r->r2t[i].off + r->r2t[i].recvd == datao) {
      w = &r->r2t[i];
      break;
    }
  }
  if (!w || datal > w->len - w->recvd)
    return fatal (c, NVME_TCP_FES_DATA_OUT_OF_RANGE, 12, sizeof d,
                  "H2CData outside the outstanding R2Ts");
  last = w->recvd + datal == w->len;
  if (!!(ch->flags & NVME_TCP_F_DATA_LAST) != last)
    return fatal (c, NVME_TCP_FES_INVALID_HEADER, 1, sizeof d,
                  "H2CData LAST_PDU flag does not match the R2T's end");

  if (r->ram_write && c->tx_ram && tx_flush (c) == -1)
    return -1;
  if (rx_into (c, r->data + datao, datal) == -1)
    return -1;
  ok = rx_ddgst (c, r->data + datao, datal);
  if (ok < 0)
    return -1;
  if (ok == 0) {
    log_verbose ("%s: data digest error in H2CData (cid %u)", c->info.peer,
                 r->cid);
    r->status = NVME_SC_TRANSIENT_TRANSPORT;
  }
  w->recvd += datal;
  r->recvd += datal;
  if (last) {
    w->active = false;
    if (r->r2t_next < r->len && send_r2ts (c, r) == -1)
      return -1;
  }
  if (r->recvd < r->len)
    return 0;
  r->state = REQ_FREE;
  return run (c, r);
}

/* One PDU: common header, rest of the header and its digest, dispatch. */
int
conn_recv_pdu (struct conn *c)
{
  struct nvme_tcp_ch ch;
  unsigned want, hd = 0;
  uint32_t plen;

  if (rx_need (c, sizeof ch) == -1)
    return -1;
  memcpy (c->hdr, c->rbuf + c->rpos, sizeof ch);
  memcpy (&ch, c->hdr, sizeof ch);
  plen = GET32 (ch.plen);

  switch (ch.type) {
  case NVME_TCP_PDU_ICREQ:
    if (c->ic_done)
      return fatal (c, NVME_TCP_FES_PDU_SEQUENCE, 0, sizeof ch, "second ICReq");
    break;
  case NVME_TCP_PDU_H2C_TERM:
  case NVME_TCP_PDU_CMD:
  case NVME_TCP_PDU_H2C_DATA:
    if (!c->ic_done)
      return fatal (c, NVME_TCP_FES_PDU_SEQUENCE, 0, sizeof ch,
                    "PDU before ICReq");
    break;
  default:
    return fatal (c, NVME_TCP_FES_INVALID_HEADER, 0, sizeof ch,
                  "unexpected PDU type");
  }
  want = nvme_tcp_pdu_hlen (ch.type);
  if (ch.hlen != want)
    return fatal (c, NVME_TCP_FES_INVALID_HEADER, 2, sizeof ch,
                  "wrong HLEN for the PDU type");
  if (c->hdgst && ch.type != NVME_TCP_PDU_ICREQ &&
      ch.type != NVME_TCP_PDU_H2C_TERM)
    hd = NVME_TCP_DIGEST_LEN;
  if (!!(ch.flags & NVME_TCP_F_HDGST) != !!hd)
    return fatal (c, NVME_TCP_FES_INVALID_HEADER, 1, sizeof ch,
                  "HDGSTF does not match the negotiated header digest");
  if (plen < want + hd)
    return fatal (c, NVME_TCP_FES_INVALID_HEADER, 4, sizeof ch,
                  "PLEN smaller than the header");
  if (ch.type == NVME_TCP_PDU_H2C_TERM && plen > NVME_TCP_TERM_MAX_PLEN)
    return -1;
  if (rx_need (c, want + hd) == -1)
    return -1;
  memcpy (c->hdr, c->rbuf + c->rpos, want + hd);
  c->rpos += want + hd;
  if (hd && get_le32 (c->hdr + want) != crc32c (c->hdr, want))
    return fatal (c, NVME_TCP_FES_HDGST_ERROR, 0, want, "header digest error");

  switch (ch.type) {
  case NVME_TCP_PDU_ICREQ:
    return handle_icreq (c, plen);
  case NVME_TCP_PDU_H2C_TERM:
    return handle_h2c_term (c, plen);
  case NVME_TCP_PDU_CMD:
    return handle_cmd (c, &ch, plen, hd);
  default:
    return handle_h2c_data (c, &ch, plen, hd);
  }
}
