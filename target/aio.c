/* SPDX-License-Identifier: BSD-3-Clause */
/* The io_uring backend of file and block-device namespaces: one ring per
 * I/O queue (the connection's thread is its only user, so it needs no
 * lock; a ring per namespace would be shared by every queue's thread).
 * cmd-io.c queues a command's operations here with the request's index
 * as user_data; they are submitted in one system call when the receive
 * side has used up what it read ahead (aio_submit), and conn.c hands the
 * completions back to cmd-io.c (io_complete) as they arrive.
 *
 * io_uring may be missing at run time (an old kernel, seccomp, a
 * container's policy): aio_start says so in one line at startup and the
 * target uses the blocking backend.  NVMEOF_TARGET_NO_IO_URING=1 makes
 * the probe fail, for tests. */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "target.h"

#ifdef HAVE_LIBURING
#include <liburing.h>

/* SQ entries per ring; the CQ gets twice as many.  A queue's commands
 * that do not fit wait for the next submission (aio_sqe submits when the
 * SQ is full), and the kernel keeps completions that overflow the CQ. */
#define AIO_ENTRIES 128

struct aio {
  struct io_uring ring;
  unsigned queued;   /* SQEs not yet submitted */
  unsigned inflight; /* SQEs submitted, completion not yet seen */
};

static int
ring_init (struct io_uring *ring)
{
  struct io_uring_params p;

  if (getenv ("NVMEOF_TARGET_NO_IO_URING") &&
      strcmp (getenv ("NVMEOF_TARGET_NO_IO_URING"), "1") == 0)
    return -ENOSYS;
  memset (&p, 0, sizeof p);
  p.flags = IORING_SETUP_CQSIZE;
  p.cq_entries = AIO_ENTRIES * 2;
  return io_uring_queue_init_params (AIO_ENTRIES, ring, &p);
}

void
aio_start (void)
{
  struct io_uring ring;
  size_t i, j;
  int r;

  if (cfg.backend != IO_BACKEND_IO_URING)
    return;
  r = ring_init (&ring);
  if (r < 0) {
    fprintf (stderr,
             "nvmeof-target: warning: io_uring is not available (%s): "
             "using the blocking backend\n",
             strerror (-r));
    cfg.backend = IO_BACKEND_BLOCKING;
    return;
  }
  io_uring_queue_exit (&ring);
  for (i = 0; i < cfg.nr_subsys; i++)
    for (j = 0; j < cfg.subsys[i]->nr_ns; j++) {
      struct tgt_ns *ns = &cfg.subsys[i]->ns[j];

      if (!ns->buffered_io)
        backend_open_direct (&ns->be, 1u << ns->lba_shift);
    }
}

struct aio *
aio_create (void)
{
  struct aio *a = calloc (1, sizeof *a);
  int r;

  if (!a)
    return NULL;
  r = ring_init (&a->ring);
  if (r < 0) {
    log_msg ("io_uring ring: %s: this queue uses blocking I/O", strerror (-r));
    free (a);
    return NULL;
  }
  stat_add (STAT_IO_URING_QUEUES, 1);
  return a;
}

/* Everything queued is submitted and waited for: the requests' buffers
 * must not be freed under the kernel. */
void
aio_destroy (struct aio *a)
{
  struct io_uring_cqe *cqe;

  if (!a)
    return;
  aio_submit (a);
  while (a->inflight > 0) {
    int r = io_uring_wait_cqe (&a->ring, &cqe);
    if (r == -EINTR)
      continue;
    if (r < 0)
      break; /* cannot happen with a live ring; do not spin */
    io_uring_cqe_seen (&a->ring, cqe);
    a->inflight--;
  }
  io_uring_queue_exit (&a->ring);
  free (a);
}

int
aio_fd (const struct aio *a)
{
  return a->ring.ring_fd;
}

bool
aio_idle (const struct aio *a)
{
  return a->queued == 0 && a->inflight == 0;
}

int
aio_submit (struct aio *a)
{
  while (a->queued > 0) {
    int r = io_uring_submit (&a->ring);
    if (r == -EINTR || r == -EAGAIN || r == -EBUSY) {
      if (r != -EINTR && a->inflight == 0)
        return -1;
      if (r != -EINTR)
        return 0; /* completions free room: try again after reaping */
      continue;
    }
    if (r < 0)
      return -1;
    a->queued -= (unsigned) r < a->queued ? (unsigned) r : a->queued;
    a->inflight += r;
  }
  return 0;
}

/* n free SQEs (submitting what is queued if needed), or -1. */
static int
room (struct aio *a, unsigned n)
{
  if (io_uring_sq_space_left (&a->ring) >= n)
    return 0;
  if (aio_submit (a) == -1)
    return -1;
  return io_uring_sq_space_left (&a->ring) >= n ? 0 : -1;
}

static struct io_uring_sqe *
sqe_for (struct aio *a, const struct req *r)
{
  struct io_uring_sqe *sqe = io_uring_get_sqe (&a->ring);

  io_uring_sqe_set_data64 (sqe, r->idx);
  a->queued++;
  return sqe;
}

int
aio_rw (struct aio *a, const struct req *r, int fd, bool write, void *buf,
        size_t len, uint64_t off, bool dsync)
{
  struct io_uring_sqe *sqe;

  if (room (a, 1) == -1)
    return -1;
  sqe = sqe_for (a, r);
  if (write) {
    io_uring_prep_write (sqe, fd, buf, len, off);
    if (dsync)
      sqe->rw_flags = RWF_DSYNC;
  }
  else
    io_uring_prep_read (sqe, fd, buf, len, off);
  return 0;
}

int
aio_fsync (struct aio *a, const struct req *r, int fd, bool datasync)
{
  struct io_uring_sqe *sqe;

  if (room (a, 1) == -1)
    return -1;
  sqe = sqe_for (a, r);
  io_uring_prep_fsync (sqe, fd, datasync ? IORING_FSYNC_DATASYNC : 0);
  return 0;
}

int
aio_fallocate (struct aio *a, const struct req *r, int fd, int mode,
               uint64_t off, uint64_t len, bool then_dsync)
{
  struct io_uring_sqe *sqe;

  if (room (a, then_dsync ? 2 : 1) == -1)
    return -1;
  sqe = sqe_for (a, r);
  io_uring_prep_fallocate (sqe, fd, mode, off, len);
  if (then_dsync) {
    /* The sync runs only once the range is zeroed (-ECANCELED if that
     * failed). */
    sqe->flags |= IOSQE_IO_LINK;
    sqe = sqe_for (a, r);
    io_uring_prep_fsync (sqe, fd, IORING_FSYNC_DATASYNC);
  }
  return 0;
}

bool
aio_next (struct aio *a, uint16_t *idx, int *res)
{
  struct io_uring_cqe *cqe;

  if (a->inflight == 0 || io_uring_peek_cqe (&a->ring, &cqe) != 0)
    return false;
  *idx = (uint16_t) io_uring_cqe_get_data64 (cqe);
  *res = cqe->res;
  io_uring_cqe_seen (&a->ring, cqe);
  a->inflight--;
  return true;
}

#else /* !HAVE_LIBURING */

void
aio_start (void)
{
  if (cfg.backend != IO_BACKEND_IO_URING)
    return;
  fprintf (stderr, "nvmeof-target: warning: built without liburing: using "
                   "the blocking backend\n");
  cfg.backend = IO_BACKEND_BLOCKING;
}

struct aio *
aio_create (void)
{
  return NULL;
}

void
aio_destroy (struct aio *a)
{
  (void) a;
}

int
aio_fd (const struct aio *a)
{
  (void) a;
  return -1;
}

bool
aio_idle (const struct aio *a)
{
  (void) a;
  return true;
}

int
aio_submit (struct aio *a)
{
  (void) a;
  return 0;
}

int
aio_rw (struct aio *a, const struct req *r, int fd, bool write, void *buf,
        size_t len, uint64_t off, bool dsync)
{
  (void) a, (void) r, (void) fd, (void) write, (void) buf, (void) len;
  (void) off, (void) dsync;
  return -1;
}

int
aio_fsync (struct aio *a, const struct req *r, int fd, bool datasync)
{
  (void) a, (void) r, (void) fd, (void) datasync;
  return -1;
}

int
aio_fallocate (struct aio *a, const struct req *r, int fd, int mode,
               uint64_t off, uint64_t len, bool then_dsync)
{
  (void) a, (void) r, (void) fd, (void) mode, (void) off, (void) len;
  (void) then_dsync;
  return -1;
}

bool
aio_next (struct aio *a, uint16_t *idx, int *res)
{
  (void) a, (void) idx, (void) res;
  return false;
}

#endif
