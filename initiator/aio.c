/* SPDX-License-Identifier: BSD-3-Clause */
/* The asynchronous API.  Each nvmeof_aio_* call takes an operation from a
 * per-controller pool (sized to the commands the I/O queues hold, so no
 * allocation per I/O) and submits its pieces; when the last piece
 * completes, the operation goes on the ready list.  nvmeof_ctrl_process
 * reads the I/O queues' connections itself (if no waiting thread is
 * reading one), completes what arrived and runs the callbacks in the
 * calling thread; commands submitted meanwhile (by the callbacks) go out
 * together at the end of each round (a round ends at the receive that
 * brings a queue to 32 KiB, see process_budget).  nvmeof_ctrl_get_fd is
 * an epoll set of the I/O queues' connections and an eventfd that is
 * signalled when another thread made operations ready: readable when
 * there is work for nvmeof_ctrl_process. */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>

#include "internal.h"
#include "errors.h"

/* The controller whose nvmeof_ctrl_process this thread is running. */
static __thread struct nvmeof_ctrl *processing;

bool
aio_in_process (struct nvmeof_ctrl *ctrl)
{
  return processing == ctrl;
}

int
aio_open (struct nvmeof_ctrl *ctrl)
{
  struct epoll_event ev = { .events = EPOLLIN };

  ctrl->aio_fd = epoll_create1 (EPOLL_CLOEXEC);
  ctrl->aio_efd = eventfd (0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (ctrl->aio_fd < 0 || ctrl->aio_efd < 0) {
    set_error (errno, "%s: %s", ctrl->aio_fd < 0 ? "epoll_create1" : "eventfd",
               strerror (errno));
    return -1;
  }
  ev.data.fd = ctrl->aio_efd;
  if (epoll_ctl (ctrl->aio_fd, EPOLL_CTL_ADD, ctrl->aio_efd, &ev) < 0) {
    set_error (errno, "epoll_ctl: %s", strerror (errno));
    return -1;
  }
  return 0;
}

void
aio_watch (struct nvmeof_ctrl *ctrl, int fd, bool on)
{
  struct epoll_event ev = { .events = EPOLLIN, .data.fd = fd };

  if (ctrl->aio_fd < 0 || fd < 0)
    return;
  /* Failures are harmless: ENOENT/EEXIST when a connection is dropped or
   * added twice. */
  if (epoll_ctl (ctrl->aio_fd, on ? EPOLL_CTL_ADD : EPOLL_CTL_DEL, fd, &ev) <
      0) {
  }
}

int
aio_init (struct nvmeof_ctrl *ctrl)
{
  unsigned nr = 1, i;

  for (i = 0; i < ctrl->nr_ioq; i++)
    nr += ctrl->ioq[i]->depth;
  ctrl->aio_ops = calloc (nr, sizeof *ctrl->aio_ops);
  if (ctrl->aio_ops == NULL) {
    set_error (ENOMEM, "out of memory");
    return -1;
  }
  for (i = 0; i < nr; i++)
    ctrl->aio_ops[i].next = i + 1 < nr ? &ctrl->aio_ops[i + 1] : NULL;
  ctrl->aio_free = &ctrl->aio_ops[0];
  return 0;
}

void
aio_free_all (struct nvmeof_ctrl *ctrl)
{
  if (ctrl->aio_fd >= 0)
    close (ctrl->aio_fd);
  if (ctrl->aio_efd >= 0)
    close (ctrl->aio_efd);
  ctrl->aio_fd = ctrl->aio_efd = -1;
  free (ctrl->aio_ops);
  ctrl->aio_ops = NULL;
}

/* Drop one reference; the last one makes the operation ready.  Under
 * aio_lock; returns true if the eventfd must be signalled: the list was
 * empty (else it was signalled already, or a nvmeof_ctrl_process will
 * take this with the rest) and this thread is not going to run it. */
static bool
op_put (struct nvmeof_ctrl *ctrl, struct nvmeof_aio_op *op)
{
  bool was_empty = ctrl->ready_head == NULL;

  if (--op->pending > 0)
    return false;
  op->next = NULL;
  if (ctrl->ready_tail)
    ctrl->ready_tail->next = op;
  else
    ctrl->ready_head = op;
  ctrl->ready_tail = op;
  return was_empty && !aio_in_process (ctrl);
}

static void
signal_ready (struct nvmeof_ctrl *ctrl)
{
  uint64_t one = 1;

  if (write (ctrl->aio_efd, &one, sizeof one) < 0) {
    /* EAGAIN: the counter is saturated, still readable. */
  }
  atomic_store (&ctrl->aio_signalled, true);
}

/* Completion of one piece (receive thread, under q->lock). */
static void
aio_req_done (struct nvmeof_queue *q, struct nvmeof_req *req)
{
  struct nvmeof_ctrl *ctrl = q->ctrl;
  struct nvmeof_aio_op *op = req->ctx;
  bool ready;

  pthread_mutex_lock (&ctrl->aio_lock);
  if ((req->err || req->status) && op->err == 0 && op->status == 0) {
    char cmd[160];

    cmd_describe (&req->sqe, q->qid, cmd, sizeof cmd);
    op->err = req->err ? req->err : nvmeof_status_errno (req->status);
    if (op->err == 0)
      op->err = EIO;
    op->status = req->err ? 0 : req->status;
    op->path_error = req->path_error;
    if (req->err == ETIMEDOUT)
      msgf (op->msg, sizeof op->msg, "%s timed out", cmd);
    else if (req->err && req->errmsg)
      msgf (op->msg, sizeof op->msg, "%s: %s", cmd, req->errmsg);
    else if (req->err) {
      pthread_mutex_lock (&ctrl->fail_lock);
      msgf (op->msg, sizeof op->msg, "%s: %s", cmd,
            ctrl->fail_msg[0] ? ctrl->fail_msg : "queue failed");
      pthread_mutex_unlock (&ctrl->fail_lock);
    }
    else
      msgf (op->msg, sizeof op->msg, "%s", cmd);
  }
  ready = op_put (ctrl, op);
  pthread_mutex_unlock (&ctrl->aio_lock);
  if (ready)
    signal_ready (ctrl);
}

static struct nvmeof_req *
aio_alloc (struct nvmeof_queue *q, void *ctx)
{
  struct nvmeof_ctrl *ctrl = q->ctrl;
  struct nvmeof_aio_op *op = ctx;
  struct nvmeof_req *req;

  pthread_mutex_lock (&ctrl->aio_lock);
  op->pending++;
  pthread_mutex_unlock (&ctrl->aio_lock);
  req = req_alloc (q, true, aio_req_done, op, ctrl->timeout_ms);
  if (req == NULL) {
    pthread_mutex_lock (&ctrl->aio_lock);
    op->pending--;
    pthread_mutex_unlock (&ctrl->aio_lock);
  }
  return req;
}

static struct nvmeof_aio_op *
op_get (struct nvmeof_ctrl *ctrl, nvmeof_callback cb, void *opaque,
        const char *fn)
{
  struct nvmeof_aio_op *op;

  if (cb == NULL) {
    set_error (EINVAL, "%s: the callback must not be NULL", fn);
    return NULL;
  }
  pthread_mutex_lock (&ctrl->aio_lock);
  op = ctrl->aio_free;
  if (op)
    ctrl->aio_free = op->next;
  pthread_mutex_unlock (&ctrl->aio_lock);
  if (op == NULL) {
    set_error (EAGAIN,
               "%s: too many asynchronous requests in flight or "
               "waiting for nvmeof_ctrl_process",
               fn);
    return NULL;
  }
  op->cb = cb;
  op->opaque = opaque;
  op->pending = 1; /* held by the submitter until the end */
  op->err = 0;
  op->status = 0;
  op->path_error = false;
  op->msg[0] = '\0';
  op->next = NULL;
  return op;
}

static void
op_release (struct nvmeof_ctrl *ctrl, struct nvmeof_aio_op *op)
{
  pthread_mutex_lock (&ctrl->aio_lock);
  op->next = ctrl->aio_free;
  ctrl->aio_free = op;
  pthread_mutex_unlock (&ctrl->aio_lock);
}

/* After submitting: if nothing went out the call fails without a
 * callback; otherwise a failure part way is reported by the callback. */
static int
op_submitted (struct nvmeof_ctrl *ctrl, struct nvmeof_aio_op *op, int r,
              unsigned submitted)
{
  bool ready;

  if (r < 0 && submitted == 0) {
    op_release (ctrl, op);
    return -1;
  }
  pthread_mutex_lock (&ctrl->aio_lock);
  if (r < 0 && op->err == 0 && op->status == 0) {
    op->err = nvmeof_get_errno () ? nvmeof_get_errno () : EIO;
    op->path_error = error_is_path ();
    msgf (op->msg, sizeof op->msg, "%s", nvmeof_get_error ());
  }
  ready = op_put (ctrl, op);
  pthread_mutex_unlock (&ctrl->aio_lock);
  if (ready)
    signal_ready (ctrl);
  return 0;
}

static int
aio_rw (struct nvmeof_ns *ns, const char *fn, uint8_t opcode, void *buf,
        size_t len, uint64_t offset, uint32_t flags, nvmeof_callback cb,
        void *opaque)
{
  struct nvmeof_queue *q;
  struct nvmeof_aio_op *op;
  unsigned submitted = 0;
  int r = 0;

  if (io_check (ns, fn, len, offset) < 0)
    return -1;
  if (buf == NULL && len > 0) {
    set_error (EINVAL, "%s: buf is NULL", fn);
    return -1;
  }
  if (ns->mpns)
    return mpath_aio (ns, opcode == NVME_CMD_READ ? MPATH_READ : MPATH_WRITE,
                      buf, len, offset, (flags & NVME_RW_FUA) ? NVMEOF_FUA : 0,
                      cb, opaque);
  q = io_queue (ns, fn);
  if (q == NULL)
    return -1;
  op = op_get (ns->ctrl, cb, opaque, fn);
  if (op == NULL)
    return -1;
  if (len > 0)
    r = io_submit (ns, q, opcode, buf, len, offset, flags, aio_alloc, op,
                   &submitted);
  else
    submitted = 1; /* nothing to do: completes at once */
  /* In a callback, the end of nvmeof_ctrl_process's round sends it. */
  if (!aio_in_process (ns->ctrl))
    queue_flush (q);
  return op_submitted (ns->ctrl, op, r, submitted);
}

int
nvmeof_aio_read (struct nvmeof_ns *ns, void *buf, size_t len, uint64_t offset,
                 nvmeof_callback cb, void *opaque)
{
  return aio_rw (ns, "nvmeof_aio_read", NVME_CMD_READ, buf, len, offset, 0, cb,
                 opaque);
}

int
nvmeof_aio_write (struct nvmeof_ns *ns, const void *buf, size_t len,
                  uint64_t offset, unsigned flags, nvmeof_callback cb,
                  void *opaque)
{
  return aio_rw (ns, "nvmeof_aio_write", NVME_CMD_WRITE, (void *) buf, len,
                 offset, (flags & NVMEOF_FUA) ? NVME_RW_FUA : 0, cb, opaque);
}

int
nvmeof_aio_flush (struct nvmeof_ns *ns, nvmeof_callback cb, void *opaque)
{
  struct nvmeof_queue *q;
  struct nvmeof_aio_op *op;
  struct nvmeof_req *req = NULL;

  if (ns == NULL) {
    set_error (EINVAL, "nvmeof_aio_flush: ns is NULL");
    return -1;
  }
  if (ns->mpns)
    return mpath_aio (ns, MPATH_FLUSH, NULL, 0, 0, 0, cb, opaque);
  q = io_queue (ns, "nvmeof_aio_flush");
  if (q == NULL)
    return -1;
  op = op_get (ns->ctrl, cb, opaque, "nvmeof_aio_flush");
  if (op == NULL)
    return -1;
  if (ns->info.volatile_write_cache) {
    req = aio_alloc (q, op);
    if (req == NULL)
      return op_submitted (ns->ctrl, op, -1, 0);
    req->sqe.opcode = NVME_CMD_FLUSH;
    PUT32 (req->sqe.nsid, ns->info.nsid);
    req_queue (q, req);
    if (!aio_in_process (ns->ctrl))
      queue_flush (q);
  }
  return op_submitted (ns->ctrl, op, 0, 1);
}

int
nvmeof_ctrl_get_fd (struct nvmeof_ctrl *ctrl)
{
  if (ctrl && ctrl->mp)
    return mpath_get_fd (ctrl);
  if (ctrl == NULL || ctrl->aio_fd < 0) {
    set_error (EINVAL, "nvmeof_ctrl_get_fd: no controller");
    return -1;
  }
  return ctrl->aio_fd;
}

static int
run_ready (struct nvmeof_ctrl *ctrl)
{
  struct nvmeof_aio_op *op, *next;
  int n = 0;

  pthread_mutex_lock (&ctrl->aio_lock);
  op = ctrl->ready_head;
  ctrl->ready_head = ctrl->ready_tail = NULL;
  pthread_mutex_unlock (&ctrl->aio_lock);

  for (; op; op = next) {
    nvmeof_callback cb = op->cb;
    void *opaque = op->opaque;
    int err = op->err;
    uint16_t status = op->status;
    bool path = op->path_error;

    next = op->next;
    /* The callback may call nvmeof_get_error(). */
    if (status)
      set_error_status (status, "%s", op->msg);
    else if (err) {
      set_error (err, "%s", op->msg);
      if (path)
        error_mark_path ();
    }
    /* Back to the pool before the callback, which may submit again. */
    op_release (ctrl, op);
    cb (opaque, err ? -err : 0, status);
    n++;
  }
  return n;
}

/* How much nvmeof_ctrl_process reads from a queue (32 KiB, or the
 * environment's NVMEOF_PROCESS_KIB, 0 for no limit; the receive that
 * reaches it is finished, so up to 64 KiB and a payload) before it runs
 * the callbacks of what completed and sends what they submitted.  Reading a
 * whole queue depth of small reads first made the two ends take turns:
 * the target idled while the host read the batch, the host while the
 * target answered the next one (docs/performance.md). */
#define PROCESS_ROUNDS 8 /* rounds per call at most */
static _Atomic long long budget_cached = -1;

static size_t
process_budget (void)
{
  long long b = atomic_load_explicit (&budget_cached, memory_order_relaxed);

  if (b < 0) {
    const char *s = getenv ("NVMEOF_PROCESS_KIB");
    char *end;
    unsigned long v;

    b = 32 * 1024;
    if (s && *s) {
      errno = 0;
      v = strtoul (s, &end, 10);
      if (errno == 0 && *end == '\0' && v <= 1024 * 1024)
        b = (long long) v * 1024;
    }
    atomic_store_explicit (&budget_cached, b, memory_order_relaxed);
  }
  return (size_t) b;
}

/* Receive on every I/O queue with something outstanding, then run the
 * callbacks; what they submit is sent at the end of each round, together.
 * A queue that stopped at its budget gets another round; after
 * PROCESS_ROUNDS, what is left is signalled (as for completions made
 * while sending), so that the caller comes back at once. */
static int
process (struct nvmeof_ctrl *ctrl)
{
  struct nvmeof_ctrl *outer = processing;
  unsigned i, round;
  bool more, left = false;
  int n = 0;

  /* Read the eventfd only if it was written: one system call less. */
  if (atomic_exchange (&ctrl->aio_signalled, false)) {
    uint64_t v;

    if (read (ctrl->aio_efd, &v, sizeof v) < 0) {
      /* EAGAIN: nothing signalled after all. */
    }
  }
  processing = ctrl;
  for (round = 0; round == 0 || (left && round < PROCESS_ROUNDS); round++) {
    left = false;
    for (i = 0; i < ctrl->nr_ioq; i++) {
      struct nvmeof_queue *q = ctrl->ioq[i];

      if (q->ops->progress &&
          __atomic_load_n (&q->nr_free, __ATOMIC_RELAXED) < q->depth &&
          q->ops->progress (q, process_budget ()))
        left = true;
    }
    n += run_ready (ctrl);
    for (i = 0; i < ctrl->nr_ioq; i++)
      queue_flush (ctrl->ioq[i]);
  }
  processing = outer;
  /* Completed while sending: nobody signalled them. */
  pthread_mutex_lock (&ctrl->aio_lock);
  more = ctrl->ready_head != NULL;
  pthread_mutex_unlock (&ctrl->aio_lock);
  if (more || left)
    signal_ready (ctrl);
  return n;
}

int
nvmeof_ctrl_process (struct nvmeof_ctrl *ctrl)
{
  if (ctrl && ctrl->mp)
    return mpath_process (ctrl);
  if (ctrl == NULL || ctrl->aio_fd < 0) {
    set_error (EINVAL, "nvmeof_ctrl_process: no controller");
    return -1;
  }
  return process (ctrl);
}

void
aio_drain (struct nvmeof_ctrl *ctrl)
{
  if (ctrl->aio_fd >= 0)
    run_ready (ctrl);
}
