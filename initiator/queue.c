/* SPDX-License-Identifier: BSD-3-Clause */
/* Queues: the request array indexed by CID, the stack of free CIDs (with
 * waiting while the queue is full), completion, and blocking batches of
 * commands whose state lives on the caller's stack.  How threads wait
 * (leader/follower, wakes after unlocking) is queue-wait.c.
 */
#include <config.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"
#include "errors.h"
#include "nvmf-wire.h"

uint64_t
now_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (uint64_t) ts.tv_sec * 1000000000u + (uint64_t) ts.tv_nsec;
}

uint64_t
now_ms (void)
{
  return now_ns () / 1000000;
}

/* The same from the clock that costs less to read (it lags by at most a
 * scheduler tick): for the deadlines of commands, set for every I/O. */
static uint64_t
now_ms_coarse (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC_COARSE, &ts);
  return (uint64_t) ts.tv_sec * 1000 + (uint64_t) ts.tv_nsec / 1000000;
}

void
msgf (char *buf, size_t len, const char *fmt, ...)
{
  va_list ap;

  va_start (ap, fmt);
  vsnprintf (buf, len, fmt, ap);
  va_end (ap);
}

int
queue_init (struct nvmeof_queue *q, struct nvmeof_ctrl *ctrl,
            const struct nvmeof_transport_ops *ops, uint16_t qid, uint16_t size)
{
  unsigned i;

  if (size < 2) {
    set_error (EINVAL, "queue %u: size %u is too small", qid, size);
    return -1;
  }
  q->ctrl = ctrl;
  q->ops = ops;
  q->qid = qid;
  q->size = size;
  /* A queue of N entries is full with N-1 commands in it (SQ flow
   * control); never have more outstanding than that. */
  q->depth = size - 1;
  q->reqs = calloc (q->depth, sizeof *q->reqs);
  q->free_cids = calloc (q->depth, sizeof *q->free_cids);
  if (q->reqs == NULL || q->free_cids == NULL) {
    set_error (ENOMEM, "queue %u: out of memory", qid);
    free (q->reqs);
    free (q->free_cids);
    q->reqs = NULL;
    q->free_cids = NULL;
    return -1;
  }
  /* Hand out low CIDs first: pushed in reverse. */
  for (i = 0; i < q->depth; i++) {
    q->reqs[i].cid = i;
    q->free_cids[i] = q->depth - 1 - i;
  }
  q->nr_free = q->depth;
  pthread_mutex_init (&q->lock, NULL);
  q->locks_init = true;
  return 0;
}

void
queue_free (struct nvmeof_queue *q)
{
  if (q->locks_init) {
    pthread_mutex_destroy (&q->lock);
    q->locks_init = false;
  }
  free (q->reqs);
  free (q->free_cids);
  q->reqs = NULL;
  q->free_cids = NULL;
}

/* One CID of each queue is kept for the commands that bring the
 * controller up again (Connect, authentication ...): held commands may
 * fill all the others.  (Linux reserves one tag for Connect likewise.) */
static unsigned
cids_kept (struct nvmeof_queue *q, bool bringup)
{
  return !bringup && q->depth > 1 ? 1 : 0;
}

/* Must a new command fail at once?  On a dead queue or a failed
 * controller: when the controller does not hold commands (failfast);
 * those that bring it up go out, unless their queue is dead. */
static bool
refuse_new (struct nvmeof_queue *q, bool bringup)
{
  bool down = __atomic_load_n (&q->dead, __ATOMIC_ACQUIRE);

  if (bringup)
    return down;
  return (down || atomic_load (&q->ctrl->failed)) &&
         atomic_load (&q->ctrl->failfast);
}

/* (arg: non-NULL for a bring-up command; done functions may be called by
 * another thread, whose in_bringup is not the waiter's.) */
static bool
cid_free (struct nvmeof_queue *q, void *arg)
{
  return __atomic_load_n (&q->nr_free, __ATOMIC_ACQUIRE) >
           cids_kept (q, arg != NULL) ||
         refuse_new (q, arg != NULL);
}

/* What one attempt of a command leaves behind, reset for a new command or
 * for sending a held one again: a new generation, so that nothing of an
 * earlier use of the CID (or of the old connection) can match it. */
static void
req_reset_attempt (struct nvmeof_req *req)
{
  req->gen++;
  req->owned = true;
  req->held = false;
  req->timed_out = false;
  req->status = 0;
  req->result = 0;
  req->err = 0;
  req->errmsg = NULL;
  req->inline_len = 0;
  req->c2h_received = 0;
  req->r2t_end = 0;
  req->r2t_outstanding = 0;
  req->tx_busy = false;
  req->resp_deferred = false;
  req->ddgst_error = false;
}

/* Under q->lock. */
static struct nvmeof_req *
req_take (struct nvmeof_queue *q, bool wait)
{
  struct nvmeof_req *req;

  for (;;) {
    if (refuse_new (q, in_bringup)) {
      ctrl_set_failed_error (q->ctrl, NULL);
      return NULL;
    }
    if (q->nr_free > cids_kept (q, in_bringup))
      break;
    if (!wait) {
      set_error (EAGAIN, "queue %u is full (%u commands outstanding)", q->qid,
                 q->depth);
      return NULL;
    }
    /* What this thread queued must go out for CIDs to come back. */
    pthread_mutex_unlock (&q->lock);
    queue_flush (q);
    pthread_mutex_lock (&q->lock);
    /* Commands complete or time out, and held ones are sent again or
     * fail (failfast), so this wait is bounded. */
    queue_wait (q, true, cid_free, in_bringup ? q : NULL, NULL);
  }
  /* (nr_free, dead, rx_leader and a batch's pending are written under
   * q->lock but read without it by leaders: atomic stores.) */
  __atomic_store_n (&q->nr_free, q->nr_free - 1, __ATOMIC_RELAXED);
  req = &q->reqs[q->free_cids[q->nr_free]];
  req->in_use = true;
  req->dir = REQ_DIR_NONE;
  req->buf = NULL;
  req->len = 0;
  req->bringup = in_bringup;
  req->not_repeated = false;
  req->path_error = false;
  req_reset_attempt (req);
  memset (&req->sqe, 0, sizeof req->sqe);
  return req;
}

struct nvmeof_req *
req_alloc (struct nvmeof_queue *q, bool wait,
           void (*done) (struct nvmeof_queue *, struct nvmeof_req *), void *ctx,
           uint32_t timeout_ms)
{
  struct nvmeof_req *req;

  queue_lock (q);
  req = req_take (q, wait);
  if (req) {
    req->done = done;
    req->ctx = ctx;
    req->deadline_ms = timeout_ms ? now_ms_coarse () + timeout_ms : 0;
    req->timeout_ms = timeout_ms;
  }
  queue_unlock (q);
  return req;
}

struct nvmeof_req *
req_alloc_batch (struct nvmeof_queue *q, struct nvmeof_batch *b)
{
  struct nvmeof_req *req;

  queue_lock (q);
  req = req_take (q, true);
  if (req) {
    req->done = batch_req_done;
    req->ctx = b;
    req->deadline_ms = now_ms_coarse () + q->ctrl->timeout_ms;
    req->timeout_ms = q->ctrl->timeout_ms;
    __atomic_store_n (&b->pending, b->pending + 1, __ATOMIC_RELAXED);
  }
  queue_unlock (q);
  return req;
}

struct nvmeof_req *
req_lookup (struct nvmeof_queue *q, uint16_t cid)
{
  if (cid >= q->depth || !q->reqs[cid].in_use)
    return NULL;
  return &q->reqs[cid];
}

void
req_complete (struct nvmeof_queue *q, struct nvmeof_req *req)
{
  req->done (q, req);
  req->in_use = false;
  req->done = NULL;
  req->ctx = NULL;
  req->buf = NULL;
  q->free_cids[q->nr_free] = req->cid;
  __atomic_store_n (&q->nr_free, q->nr_free + 1, __ATOMIC_RELEASE);
  queue_wake_cid (q);
  atomic_store (&q->ctrl->comp_seen, true);
}

/* ---- Holding requests across a reconnect ---------------------------- */

bool
cmd_repeatable (const struct nvme_sqe *sqe, uint16_t qid)
{
  if (sqe->opcode == NVME_ADMIN_FABRICS)
    return false; /* Connect, properties, authentication: an association's */
  if (qid != 0)
    return true; /* the I/O command set: Read, Write, Flush, Write Zeroes,
                    Dataset Management, whatever the caller sent */
  /* Admin commands that only read.  Set Features and the others change
   * the controller (or belong to the association that is gone: Keep
   * Alive, Asynchronous Event Request, Abort): their caller decides. */
  switch (sqe->opcode) {
  case NVME_ADMIN_IDENTIFY:
  case NVME_ADMIN_GET_LOG_PAGE:
  case NVME_ADMIN_GET_FEATURES:
    return true;
  default:
    return false;
  }
}

/* May req wait for the reconnect? */
static bool
holdable (struct nvmeof_queue *q, struct nvmeof_req *req)
{
  return !req->bringup && !atomic_load (&q->ctrl->failfast) &&
         cmd_repeatable (&req->sqe, q->qid);
}

static void
hold (struct nvmeof_req *req)
{
  req->held = true;
  req->deadline_ms = 0; /* no command timeout until it is sent again */
}

/* Fail req because its connection failed.  Under q->lock. */
static void
fail_path (struct nvmeof_queue *q, struct nvmeof_req *req, int err)
{
  req->held = false;
  req->err = err;
  req->path_error = true;
  /* Others wait for the reconnect: say why this one did not. */
  req->not_repeated = !req->bringup && !atomic_load (&q->ctrl->failfast);
  req_complete (q, req);
}

void
req_park (struct nvmeof_queue *q, struct nvmeof_req *req)
{
  req->owned = false;
  if (holdable (q, req))
    hold (req);
  else
    fail_path (q, req, EIO);
}

void
queue_fail_all (struct nvmeof_queue *q, int err)
{
  unsigned i;

  __atomic_store_n (&q->dead, true, __ATOMIC_RELEASE);
  for (i = 0; i < q->depth; i++) {
    struct nvmeof_req *req = &q->reqs[i];

    /* Its submitter hands it to the transport, which parks it. */
    if (!req->in_use || req->owned)
      continue;
    if (req->held) {
      if (atomic_load (&q->ctrl->failfast))
        fail_path (q, req, EIO);
      continue;
    }
    /* Answered by the controller (a response that came while its data
     * was still being sent): never repeated. */
    if (req->resp_deferred && req->status) {
      req_complete (q, req);
      continue;
    }
    if (holdable (q, req)) {
      req->timed_out = false;
      hold (req);
      continue;
    }
    fail_path (q, req, req->timed_out ? ETIMEDOUT : err);
  }
  /* Wake everyone waiting: they will see q->dead (and sleep until the
   * queue is resumed, if their commands are held). */
  queue_wake_all (q);
}

void
queue_release_held (struct nvmeof_queue *q)
{
  unsigned i;

  queue_lock (q);
  /* (A reconnect may have cleared failfast since it was set.) */
  for (i = 0; i < q->depth && atomic_load (&q->ctrl->failfast); i++) {
    struct nvmeof_req *req = &q->reqs[i];

    if (req->in_use && req->held && !req->owned)
      fail_path (q, req, EIO);
  }
  /* Threads waiting for a CID fail now. */
  queue_wake_all (q);
  queue_unlock (q);
}

/* Make a held request new again, for its next connection.  Under
 * q->lock. */
static void
req_renew (struct nvmeof_req *req)
{
  req_reset_attempt (req);
  req->deadline_ms = req->timeout_ms ? now_ms_coarse () + req->timeout_ms : 0;
}

void
queue_resume (struct nvmeof_queue *q)
{
  unsigned i;

  /* One at a time, so that nothing is allocated: a renewed request is
   * owned by this thread until the transport takes it (or parks it
   * again, if the controller failed again meanwhile). */
  for (i = 0; i < q->depth; i++) {
    struct nvmeof_req *req = &q->reqs[i];
    bool take;

    queue_lock (q);
    take = req->in_use && req->held && !req->owned;
    if (take)
      req_renew (req);
    queue_unlock (q);
    if (take)
      req_queue (q, req);
  }
  queue_flush (q);
  /* Their threads sleep while the queue is dead: one of them now reads
   * the new connection. */
  queue_lock (q);
  queue_wake_all (q);
  queue_unlock (q);
}

int
req_submit (struct nvmeof_queue *q, struct nvmeof_req *req)
{
  PUT16 (req->sqe.cid, req->cid);
  return q->ops->submit (q, req);
}

void
req_queue (struct nvmeof_queue *q, struct nvmeof_req *req)
{
  PUT16 (req->sqe.cid, req->cid);
  if (q->ops->enqueue)
    q->ops->enqueue (q, req);
  else
    q->ops->submit (q, req); /* on failure the receiver fails req */
}

int
queue_flush (struct nvmeof_queue *q)
{
  return q->ops->flush ? q->ops->flush (q, false) : 0;
}

int
queue_flush_lazy (struct nvmeof_queue *q)
{
  return q->ops->flush ? q->ops->flush (q, true) : 0;
}

/* ---- Blocking batches ------------------------------------------------ */

void
batch_init (struct nvmeof_batch *b)
{
  b->waiter = NULL;
  b->pending = 0;
  b->fabrics = false;
  b->path_error = false;
  b->err = 0;
  b->status = 0;
  b->result = 0;
  b->msg[0] = '\0';
}

/* Format the failure of req into buf: the command, then why. */
static void
describe_failure (struct nvmeof_queue *q, struct nvmeof_req *req, char *buf,
                  size_t len)
{
  char cmd[160];

  cmd_describe (&req->sqe, q->qid, cmd, sizeof cmd);
  if (req->err == ETIMEDOUT)
    msgf (buf, len, "%s timed out after %" PRIu32 " s", cmd,
          (req->timeout_ms + 999) / 1000);
  else if (req->err && req->errmsg)
    msgf (buf, len, "%s: %s", cmd, req->errmsg);
  else if (req->err) {
    pthread_mutex_lock (&q->ctrl->fail_lock);
    msgf (buf, len, "%s: %s%s", cmd,
          q->ctrl->fail_msg[0] ? q->ctrl->fail_msg : "queue failed",
          req->not_repeated ? " (not repeated after a reconnect: only I/O "
                              "commands, Identify, Get Log Page and Get "
                              "Features are)" :
                              "");
    pthread_mutex_unlock (&q->ctrl->fail_lock);
  }
  else
    msgf (buf, len, "%s", cmd);
}

void
batch_req_done (struct nvmeof_queue *q, struct nvmeof_req *req)
{
  struct nvmeof_batch *b = req->ctx;

  if ((req->err || req->status) && b->err == 0 && b->status == 0) {
    b->err = req->err;
    b->status = req->err ? 0 : req->status;
    b->fabrics = req->sqe.opcode == NVME_ADMIN_FABRICS;
    b->path_error = req->path_error;
    describe_failure (q, req, b->msg, sizeof b->msg);
  }
  b->result = req->result;
  __atomic_store_n (&b->pending, b->pending - 1, __ATOMIC_RELEASE);
  if (b->pending == 0)
    queue_wake_batch (q, b);
}

void
batch_fail_local (struct nvmeof_queue *q, struct nvmeof_batch *b)
{
  pthread_mutex_lock (&q->lock);
  if (b->err == 0 && b->status == 0) {
    b->err = nvmeof_get_errno ();
    if (b->err == 0)
      b->err = EIO;
    msgf (b->msg, sizeof b->msg, "%s", nvmeof_get_error ());
    b->path_error = error_is_path ();
  }
  pthread_mutex_unlock (&q->lock);
}

static bool
batch_done (struct nvmeof_queue *q, void *arg)
{
  struct nvmeof_batch *b = arg;

  return __atomic_load_n (&b->pending, __ATOMIC_ACQUIRE) == 0;
}

int
batch_wait (struct nvmeof_queue *q, struct nvmeof_batch *b)
{
  queue_lock (q);
  /* Bounded: every outstanding command completes, times out (timer.c) or
   * is failed when its queue dies. */
  queue_wait (q, false, batch_done, b, &b->waiter);
  queue_unlock (q);

  if (b->status) {
    if (b->fabrics)
      set_error_fabrics_status (b->status, "%s", b->msg);
    else
      set_error_status (b->status, "%s", b->msg);
    return -1;
  }
  if (b->err) {
    set_error (b->err, "%s", b->msg);
    if (b->path_error)
      error_mark_path ();
    return -1;
  }
  return 0;
}

int
queue_exec (struct nvmeof_queue *q, const struct nvme_sqe *sqe, void *buf,
            uint32_t len, enum req_dir dir, uint64_t *result,
            uint16_t *status_out)
{
  struct nvmeof_batch b;
  struct nvmeof_req *req;
  int r;

  batch_init (&b);
  req = req_alloc_batch (q, &b);
  if (req == NULL)
    return -1;
  req->sqe = *sqe;
  req->buf = buf;
  req->len = len;
  req->dir = len ? dir : REQ_DIR_NONE;
  req_submit (q, req); /* on failure the receiver fails req */
  r = batch_wait (q, &b);
  if (result)
    *result = b.result;
  if (status_out)
    *status_out = b.status;
  return r;
}

/* ---- Describing commands ------------------------------------------- */

static const char *
fabrics_name (uint8_t fctype)
{
  switch (fctype) {
  case NVMF_FCTYPE_PROP_SET:
    return "Fabrics Property Set";
  case NVMF_FCTYPE_CONNECT:
    return "Fabrics Connect";
  case NVMF_FCTYPE_PROP_GET:
    return "Fabrics Property Get";
  case NVMF_FCTYPE_AUTH_SEND:
    return "Fabrics Authentication Send";
  case NVMF_FCTYPE_AUTH_RECV:
    return "Fabrics Authentication Receive";
  case NVMF_FCTYPE_DISCONNECT:
    return "Fabrics Disconnect";
  default:
    return "Fabrics command";
  }
}

const char *
cmd_name (const struct nvme_sqe *sqe, uint16_t qid)
{
  if (sqe->opcode == NVME_ADMIN_FABRICS)
    return fabrics_name (((const struct nvmf_cmd *) sqe)->fctype);
  if (qid == 0) {
    switch (sqe->opcode) {
    case NVME_ADMIN_GET_LOG_PAGE:
      return "Get Log Page";
    case NVME_ADMIN_IDENTIFY:
      return "Identify";
    case NVME_ADMIN_ABORT:
      return "Abort";
    case NVME_ADMIN_SET_FEATURES:
      return "Set Features";
    case NVME_ADMIN_GET_FEATURES:
      return "Get Features";
    case NVME_ADMIN_ASYNC_EVENT:
      return "Asynchronous Event Request";
    case NVME_ADMIN_KEEP_ALIVE:
      return "Keep Alive";
    default:
      return "admin command";
    }
  }
  switch (sqe->opcode) {
  case NVME_CMD_FLUSH:
    return "Flush";
  case NVME_CMD_WRITE:
    return "Write";
  case NVME_CMD_READ:
    return "Read";
  case NVME_CMD_WRITE_ZEROES:
    return "Write Zeroes";
  case NVME_CMD_DSM:
    return "Dataset Management";
  default:
    return "I/O command";
  }
}

static const char *
prop_name (uint32_t ofst)
{
  switch (ofst) {
  case NVME_REG_CAP:
    return "CAP";
  case NVME_REG_VS:
    return "VS";
  case NVME_REG_CC:
    return "CC";
  case NVME_REG_CSTS:
    return "CSTS";
  default:
    return "property";
  }
}

void
cmd_describe (const struct nvme_sqe *sqe, uint16_t qid, char *buf, size_t len)
{
  const char *name = cmd_name (sqe, qid);
  uint16_t cid = GET16 (sqe->cid);
  uint32_t nsid = GET32 (sqe->nsid);
  uint32_t cdw10 = GET32 (sqe->cdw10);

  if (sqe->opcode == NVME_ADMIN_FABRICS) {
    const struct nvmf_cmd *f = (const struct nvmf_cmd *) sqe;

    if (f->fctype == NVMF_FCTYPE_PROP_GET || f->fctype == NVMF_FCTYPE_PROP_SET)
      msgf (buf, len, "%s %s (cid %u)", name,
            prop_name (GET32 (((const struct nvmf_prop_get_cmd *) sqe)->ofst)),
            cid);
    else if (f->fctype == NVMF_FCTYPE_CONNECT)
      msgf (buf, len, "%s (queue %u)", name,
            GET16 (((const struct nvmf_connect_cmd *) sqe)->qid));
    else
      msgf (buf, len, "%s (cid %u)", name, cid);
    return;
  }
  if (qid == 0) {
    switch (sqe->opcode) {
    case NVME_ADMIN_IDENTIFY:
      msgf (buf, len, "%s (cid %u, cns %u, nsid %" PRIu32 ")", name, cid,
            cdw10 & 0xFF, nsid);
      return;
    case NVME_ADMIN_GET_LOG_PAGE:
      msgf (buf, len, "%s (cid %u, lid 0x%02x)", name, cid, cdw10 & 0xFF);
      return;
    case NVME_ADMIN_GET_FEATURES:
    case NVME_ADMIN_SET_FEATURES:
      msgf (buf, len, "%s (cid %u, fid 0x%02x)", name, cid, cdw10 & 0xFF);
      return;
    default:
      msgf (buf, len, "%s (cid %u, opcode 0x%02x)", name, cid, sqe->opcode);
      return;
    }
  }
  switch (sqe->opcode) {
  case NVME_CMD_READ:
  case NVME_CMD_WRITE:
  case NVME_CMD_WRITE_ZEROES: {
    uint64_t slba = GET32 (sqe->cdw10) | (uint64_t) GET32 (sqe->cdw11) << 32;
    uint32_t nlb = (GET32 (sqe->cdw12) & NVME_RW_NLB_MASK) + 1;

    msgf (buf, len,
          "%s (queue %u, cid %u, nsid %" PRIu32 ", lba %" PRIu64 "+%" PRIu32
          ")",
          name, qid, cid, nsid, slba, nlb);
    return;
  }
  case NVME_CMD_DSM:
    msgf (buf, len, "%s (queue %u, cid %u, nsid %" PRIu32 ", %u ranges)", name,
          qid, cid, nsid, (cdw10 & 0xFF) + 1);
    return;
  default:
    msgf (buf, len, "%s (queue %u, cid %u, nsid %" PRIu32 ")", name, qid, cid,
          nsid);
    return;
  }
}
