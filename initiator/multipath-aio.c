/* SPDX-License-Identifier: BSD-3-Clause */
/* The asynchronous API on a multipath controller.  Each nvmeof_aio_* call
 * takes an operation from a pool (as large as every path's own pool
 * together, so no allocation per I/O) and submits it to the path the
 * policy picks, with our callback.  nvmeof_ctrl_process runs every
 * path's nvmeof_ctrl_process, whose callbacks are ours: a success or a
 * final error goes to the caller's callback there and then; a path error
 * sends the operation again on another path, or puts it on the waiting
 * list when no path is usable, which nvmeof_ctrl_process tries again
 * (the path thread signals the descriptor every tick while it is not
 * empty) until a path comes or mpath_no_path gives up.
 * nvmeof_ctrl_get_fd is an epoll set of the paths' descriptors and an
 * eventfd of ours. */
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
#include "multipath-int.h"

struct mpath_aio_op {
  struct mpath *mp;
  struct mpath_ns *mns;
  enum mpath_op op;
  void *buf;
  size_t len;
  uint64_t offset;
  unsigned flags;
  nvmeof_callback cb;
  void *opaque;
  int path;       /* where it is outstanding, -1 if none */
  char last[256]; /* the last path error, for the final message */
  struct mpath_aio_op *next;
};

struct mpath_aio_state {
  pthread_mutex_t lock; /* the lists; a leaf */
  struct mpath_aio_op *ops, *free_list;
  struct mpath_aio_op *wait_head, *wait_tail;
  int epfd, efd;
};

int
mpath_aio_init (struct mpath *mp)
{
  struct mpath_aio_state *s = calloc (1, sizeof *s);
  struct epoll_event ev = { .events = EPOLLIN };
  size_t nr = 1, i;
  unsigned k;

  if (s == NULL) {
    set_error (ENOMEM, "out of memory");
    return -1;
  }
  mp->aio = s;
  pthread_mutex_init (&s->lock, NULL);
  s->epfd = epoll_create1 (EPOLL_CLOEXEC);
  s->efd = eventfd (0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (s->epfd < 0 || s->efd < 0) {
    set_error (errno, "multipath: %s: %m",
               s->epfd < 0 ? "epoll_create1" : "eventfd");
    return -1;
  }
  ev.data.fd = s->efd;
  if (epoll_ctl (s->epfd, EPOLL_CTL_ADD, s->efd, &ev) < 0) {
    set_error (errno, "multipath: epoll_ctl: %m");
    return -1;
  }
  for (i = 0; i < mp->nr_paths; i++) {
    struct nvmeof_ctrl *c = atomic_load (&mp->paths[i].ctrl);

    if (c == NULL) { /* joins later: room for its queues, as the first's */
      size_t j;

      for (j = 0; j < mp->nr_paths; j++) {
        struct nvmeof_ctrl *f = atomic_load (&mp->paths[j].ctrl);

        if (f) {
          for (k = 0; k < f->nr_ioq; k++)
            nr += f->ioq[k]->depth;
          break;
        }
      }
      continue;
    }
    ev.data.fd = c->aio_fd;
    if (epoll_ctl (s->epfd, EPOLL_CTL_ADD, c->aio_fd, &ev) < 0) {
      set_error (errno, "multipath: epoll_ctl: %m");
      return -1;
    }
    for (k = 0; k < c->nr_ioq; k++)
      nr += c->ioq[k]->depth;
  }
  s->ops = calloc (nr, sizeof *s->ops);
  if (s->ops == NULL) {
    set_error (ENOMEM, "out of memory");
    return -1;
  }
  for (i = 0; i < nr; i++)
    s->ops[i].next = i + 1 < nr ? &s->ops[i + 1] : NULL;
  s->free_list = &s->ops[0];
  return 0;
}

int
mpath_aio_add_path (struct mpath *mp, struct nvmeof_ctrl *c)
{
  struct epoll_event ev = { .events = EPOLLIN, .data.fd = c->aio_fd };

  if (epoll_ctl (mp->aio->epfd, EPOLL_CTL_ADD, c->aio_fd, &ev) < 0) {
    set_error (errno, "multipath: epoll_ctl: %m");
    return -1;
  }
  return 0;
}

void
mpath_aio_free (struct mpath *mp)
{
  struct mpath_aio_state *s = mp->aio;

  if (s == NULL)
    return;
  if (s->epfd >= 0)
    close (s->epfd);
  if (s->efd >= 0)
    close (s->efd);
  pthread_mutex_destroy (&s->lock);
  free (s->ops);
  free (s);
  mp->aio = NULL;
}

static void
signal_efd (struct mpath_aio_state *s)
{
  uint64_t one = 1;

  if (write (s->efd, &one, sizeof one) < 0) {
    /* EAGAIN: saturated, still readable. */
  }
}

void
mpath_aio_wake (struct mpath *mp)
{
  struct mpath_aio_state *s = mp->aio;
  bool waiting;

  if (s == NULL)
    return;
  pthread_mutex_lock (&s->lock);
  waiting = s->wait_head != NULL;
  pthread_mutex_unlock (&s->lock);
  if (waiting)
    signal_efd (s);
}

static void
op_release (struct mpath_aio_state *s, struct mpath_aio_op *op)
{
  pthread_mutex_lock (&s->lock);
  op->next = s->free_list;
  s->free_list = op;
  pthread_mutex_unlock (&s->lock);
}

static void
op_wait (struct mpath_aio_state *s, struct mpath_aio_op *op)
{
  pthread_mutex_lock (&s->lock);
  op->next = NULL;
  if (s->wait_tail)
    s->wait_tail->next = op;
  else
    s->wait_head = op;
  s->wait_tail = op;
  pthread_mutex_unlock (&s->lock);
}

/* The caller's callback, with the error of the calling thread set. */
static void
op_finish (struct mpath_aio_op *op, int status, uint16_t nvme_status)
{
  nvmeof_callback cb = op->cb;
  void *opaque = op->opaque;

  op_release (op->mp->aio, op);
  cb (opaque, status, nvme_status);
}

static void path_done (void *opaque, int status, uint16_t nvme_status);

/* Send op on a path.  0 when it is outstanding or waiting for a path; -1
 * with the error set when it failed for good (not sent). */
static int
op_send (struct mpath_aio_op *op)
{
  struct mpath *mp = op->mp;

  for (;;) {
    int i = mpath_pick (mp, op->mns);
    struct nvmeof_ns *pns;
    int r, err;
    uint16_t status;

    if (i < 0) {
      if (mpath_no_path (mp, op->mns, "nvmeof_aio", op->last, false) < 0)
        return -1;
      op->path = -1;
      op_wait (mp->aio, op);
      return 0;
    }
    pns = atomic_load (&op->mns->pns[i]);
    op->path = i;
    switch (op->op) {
    case MPATH_READ:
      r = nvmeof_aio_read (pns, op->buf, op->len, op->offset, path_done, op);
      break;
    case MPATH_WRITE:
      r = nvmeof_aio_write (pns, op->buf, op->len, op->offset, op->flags,
                            path_done, op);
      break;
    case MPATH_FLUSH:
      r = nvmeof_aio_flush (pns, path_done, op);
      break;
    default:
      set_error (EINVAL, "multipath: no asynchronous form of this call");
      r = -1;
    }
    if (r == 0)
      return 0;
    mpath_put (mp, i);
    op->path = -1;
    err = nvmeof_get_errno ();
    status = nvmeof_get_status ();
    if (err == EAGAIN) {
      /* That path's pool is full: try again at the next process. */
      op_wait (mp->aio, op);
      return 0;
    }
    if (!mpath_is_path_error (status, err))
      return -1;
    msgf (op->last, sizeof op->last, "path %s: %s", mp->paths[i].addr,
          nvmeof_get_error ());
    mpath_path_failed (mp, i, status);
  }
}

/* A path's callback (in nvmeof_ctrl_process of that path, called by
 * mpath_process). */
static void
path_done (void *opaque, int status, uint16_t nvme_status)
{
  struct mpath_aio_op *op = opaque;
  struct mpath *mp = op->mp;
  int i = op->path;

  mpath_put (mp, i);
  op->path = -1;
  if (status == 0 || !mpath_is_path_error (nvme_status, -status) ||
      mpath_stopping (mp)) {
    op_finish (op, status, nvme_status);
    return;
  }
  msgf (op->last, sizeof op->last, "path %s: %s", mp->paths[i].addr,
        nvmeof_get_error ());
  mpath_path_failed (mp, i, nvme_status);
  if (op_send (op) < 0)
    op_finish (op, -nvmeof_get_errno (), nvmeof_get_status ());
}

int
mpath_aio (struct nvmeof_ns *ns, enum mpath_op op, void *buf, size_t len,
           uint64_t offset, unsigned flags, nvmeof_callback cb, void *opaque)
{
  static const char *const fn[] = {
    [MPATH_READ] = "nvmeof_aio_read",   [MPATH_WRITE] = "nvmeof_aio_write",
    [MPATH_FLUSH] = "nvmeof_aio_flush", [MPATH_WRITE_ZEROES] = "nvmeof_aio",
    [MPATH_DEALLOCATE] = "nvmeof_aio",
  };
  struct mpath *mp = ns->ctrl->mp;
  struct mpath_aio_state *s = mp->aio;
  struct mpath_aio_op *o;

  if (cb == NULL) {
    set_error (EINVAL, "%s: the callback must not be NULL", fn[op]);
    return -1;
  }
  if (op != MPATH_FLUSH) {
    if (io_check (ns, fn[op], len, offset) < 0)
      return -1;
    if (buf == NULL && len > 0) {
      set_error (EINVAL, "%s: buf is NULL", fn[op]);
      return -1;
    }
  }
  pthread_mutex_lock (&s->lock);
  o = s->free_list;
  if (o)
    s->free_list = o->next;
  pthread_mutex_unlock (&s->lock);
  if (o == NULL) {
    set_error (EAGAIN,
               "%s: too many asynchronous requests in flight or "
               "waiting for nvmeof_ctrl_process",
               fn[op]);
    return -1;
  }
  o->mp = mp;
  o->mns = ns->mpns;
  o->op = op;
  o->buf = buf;
  o->len = len;
  o->offset = offset;
  o->flags = flags;
  o->cb = cb;
  o->opaque = opaque;
  o->path = -1;
  o->last[0] = '\0';
  if (op_send (o) < 0) {
    op_release (s, o);
    return -1;
  }
  return 0;
}

void
mpath_aio_drain (struct mpath *mp)
{
  struct mpath_aio_state *s = mp->aio;
  struct mpath_aio_op *op, *next;

  if (s == NULL)
    return;
  pthread_mutex_lock (&s->lock);
  op = s->wait_head;
  s->wait_head = s->wait_tail = NULL;
  pthread_mutex_unlock (&s->lock);
  for (; op; op = next) {
    next = op->next;
    set_error (EIO, "nvmeof_aio: the multipath controller is being closed%s%s",
               op->last[0] ? "; last: " : "", op->last);
    op_finish (op, -EIO, 0);
  }
}

int
mpath_get_fd (struct nvmeof_ctrl *ctrl)
{
  return ctrl->mp->aio->epfd;
}

int
mpath_process (struct nvmeof_ctrl *ctrl)
{
  struct mpath *mp = ctrl->mp;
  struct mpath_aio_state *s = mp->aio;
  struct mpath_aio_op *op, *next;
  uint64_t v;
  size_t i;
  int n = 0;

  if (read (s->efd, &v, sizeof v) < 0) {
    /* EAGAIN: not signalled. */
  }
  for (i = 0; i < mp->nr_paths; i++) {
    struct nvmeof_ctrl *c = atomic_load (&mp->paths[i].ctrl);
    int r = c ? nvmeof_ctrl_process (c) : 0;

    if (r > 0)
      n += r;
  }
  /* What waited for a path: try once more each. */
  pthread_mutex_lock (&s->lock);
  op = s->wait_head;
  s->wait_head = s->wait_tail = NULL;
  pthread_mutex_unlock (&s->lock);
  for (; op; op = next) {
    next = op->next;
    if (op_send (op) < 0) {
      op_finish (op, -nvmeof_get_errno (), nvmeof_get_status ());
      n++;
    }
  }
  return n;
}
