/* SPDX-License-Identifier: BSD-3-Clause */
/* nvmeof-fuse: the FUSE low-level operations.
 *
 * The tree is flat and fixed for the life of the mount: the root
 * directory and one regular file per namespace.  Inodes never change, so
 * the kernel may cache names and attributes for as long as it likes.
 * Every operation runs in a libfuse worker thread and calls the library's
 * blocking API (thread-safe on one controller); reads and writes at any
 * byte offset go through common/aligned-io, the same read-modify-write
 * code as the nbdkit plugin.  Errors are returned to the kernel as
 * -errno. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#ifndef FALLOC_FL_KEEP_SIZE
#include <linux/falloc.h>
#endif

#include "nvmeof-fuse.h"

/* Names and attributes never change while mounted. */
#define CACHE_TIMEOUT 86400.0

/* One read buffer per worker thread, freed when libfuse ends the thread:
 * no allocation per request. */
static pthread_key_t read_buf_key;

int
nvmeof_fuse_ops_init (void)
{
  return pthread_key_create (&read_buf_key, free);
}

static void *
read_buffer (size_t size, bool *allocated)
{
  void *p;

  *allocated = false;
  if (size <= NVMEOF_FUSE_MAX_REQUEST) {
    p = pthread_getspecific (read_buf_key);
    if (p == NULL) {
      if (posix_memalign (&p, 4096, NVMEOF_FUSE_MAX_REQUEST) != 0)
        return NULL;
      if (pthread_setspecific (read_buf_key, p) != 0) {
        free (p);
        return NULL;
      }
    }
    return p;
  }
  /* The kernel never sends more than max_pages; just in case. */
  if (posix_memalign (&p, 4096, size) != 0)
    return NULL;
  *allocated = true;
  return p;
}

static struct nvmeof_fuse *
state (fuse_req_t req)
{
  return fuse_req_userdata (req);
}

static struct nsfile *
file_of (struct nvmeof_fuse *nf, fuse_ino_t ino)
{
  if (ino < NVMEOF_FUSE_FIRST_INO ||
      ino - NVMEOF_FUSE_FIRST_INO >= nf->nr_files)
    return NULL;
  return &nf->files[ino - NVMEOF_FUSE_FIRST_INO];
}

/* A connection that is gone shows as EIO, what programs expect of a
 * failing disk (ENOTCONN would read as "the FUSE daemon died"). */
static int
fuse_errno (int r)
{
  int e = r < 0 ? -r : r;

  switch (e) {
  case 0:
    return EIO;
  case ETIMEDOUT:
  case ECONNRESET:
  case ECONNREFUSED:
  case ECONNABORTED:
  case ENOTCONN:
  case EPIPE:
  case ESHUTDOWN:
  case EHOSTUNREACH:
  case ENETUNREACH:
  case ENETDOWN:
  case EHOSTDOWN:
  case ECANCELED:
  case ENODEV:
  case ENXIO:
    return EIO;
  case ENOTSUP:
    return EOPNOTSUPP;
  default:
    return e;
  }
}

static void
log_error (struct nvmeof_fuse *nf, const char *op, const struct nsfile *f,
           uint64_t offset, uint64_t len, int r)
{
  if (!nf->verbose)
    return;
  fprintf (stderr,
           "nvmeof-fuse: %s %s: %" PRIu64 " bytes at %" PRIu64 ": %s (%s)\n",
           op, f->name, len, offset, aligned_io_get_error (),
           strerror (fuse_errno (r)));
}

static void
fill_attr (struct nvmeof_fuse *nf, fuse_ino_t ino, struct stat *st)
{
  const struct nsfile *f = file_of (nf, ino);

  memset (st, 0, sizeof *st);
  st->st_ino = ino;
  st->st_uid = nf->uid;
  st->st_gid = nf->gid;
  st->st_atim = st->st_mtim = st->st_ctim = nf->mount_time;
  if (f == NULL) {
    st->st_mode = S_IFDIR | (nf->read_only ? 0555 : 0755);
    st->st_nlink = 2;
    st->st_size = 4096;
    st->st_blksize = 4096;
    return;
  }
  st->st_mode = S_IFREG | (f->read_only ? 0400 : 0600);
  st->st_nlink = 1;
  st->st_size = (off_t) f->size;
  st->st_blocks = (blkcnt_t) ((f->size + 511) / 512);
  /* The preferred I/O size: a whole LBA, and at least a page. */
  st->st_blksize = f->lba_size > 4096 ? f->lba_size : 4096;
}

static void
op_init (void *userdata, struct fuse_conn_info *conn)
{
  struct nvmeof_fuse *nf = userdata;

  /* Large requests: libfuse turns max_write into the kernel's max_pages,
   * which bounds reads as well. */
  conn->max_write = NVMEOF_FUSE_MAX_REQUEST;
  conn->max_readahead = NVMEOF_FUSE_MAX_REQUEST;
  /* Room for readahead and async direct I/O to keep several commands in
   * flight (each I/O queue takes many). */
  conn->max_background = 64;
  conn->congestion_threshold = 48;
  /* Reads may be issued in parallel; no splicing (our data is in user
   * memory anyway) and no writeback cache: a write returns only once the
   * controller has completed it, so errors reach the writer. */
  conn->want |= FUSE_CAP_ASYNC_READ;
  if (conn->capable & FUSE_CAP_ASYNC_DIO)
    conn->want |= FUSE_CAP_ASYNC_DIO;
  conn->want &= ~(FUSE_CAP_SPLICE_READ | FUSE_CAP_SPLICE_WRITE |
                  FUSE_CAP_SPLICE_MOVE | FUSE_CAP_WRITEBACK_CACHE);
  if (nf->verbose)
    fprintf (stderr,
             "nvmeof-fuse: kernel FUSE protocol %u.%u, asking for "
             "%u-byte requests and %u bytes of readahead\n",
             conn->proto_major, conn->proto_minor, conn->max_write,
             conn->max_readahead);
}

static void
op_lookup (fuse_req_t req, fuse_ino_t parent, const char *name)
{
  struct nvmeof_fuse *nf = state (req);
  struct fuse_entry_param e;
  size_t i;

  if (parent != FUSE_ROOT_ID) {
    fuse_reply_err (req, ENOTDIR);
    return;
  }
  for (i = 0; i < nf->nr_files; i++) {
    if (strcmp (name, nf->files[i].name) == 0) {
      memset (&e, 0, sizeof e);
      e.ino = i + NVMEOF_FUSE_FIRST_INO;
      e.generation = 1;
      e.attr_timeout = CACHE_TIMEOUT;
      e.entry_timeout = CACHE_TIMEOUT;
      fill_attr (nf, e.ino, &e.attr);
      fuse_reply_entry (req, &e);
      return;
    }
  }
  /* Cache the miss too: the set of names never changes. */
  memset (&e, 0, sizeof e);
  e.ino = 0;
  e.entry_timeout = CACHE_TIMEOUT;
  fuse_reply_entry (req, &e);
}

static void
op_getattr (fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
  struct nvmeof_fuse *nf = state (req);
  struct stat st;

  if (ino != FUSE_ROOT_ID && file_of (nf, ino) == NULL) {
    fuse_reply_err (req, ENOENT);
    return;
  }
  fill_attr (nf, ino, &st);
  fuse_reply_attr (req, &st, CACHE_TIMEOUT);
}

/* The size of a namespace is fixed: truncating to its size succeeds (so
 * "open with O_TRUNC" of an unchanged size works), anything else fails as
 * ftruncate(2) on a block device does.  Times are accepted and ignored;
 * owner and mode cannot change. */
static void
op_setattr (fuse_req_t req, fuse_ino_t ino, struct stat *attr, int to_set,
            struct fuse_file_info *fi)
{
  struct nvmeof_fuse *nf = state (req);
  const struct nsfile *f = file_of (nf, ino);
  struct stat st;

  if (ino != FUSE_ROOT_ID && f == NULL) {
    fuse_reply_err (req, ENOENT);
    return;
  }
  if (to_set & (FUSE_SET_ATTR_MODE | FUSE_SET_ATTR_UID | FUSE_SET_ATTR_GID)) {
    fuse_reply_err (req, EPERM);
    return;
  }
  if (to_set & FUSE_SET_ATTR_SIZE) {
    if (f == NULL) {
      fuse_reply_err (req, EISDIR);
      return;
    }
    if (f->read_only) {
      fuse_reply_err (req, EROFS);
      return;
    }
    if ((uint64_t) attr->st_size != f->size) {
      fuse_reply_err (req, EINVAL);
      return;
    }
  }
  fill_attr (nf, ino, &st);
  fuse_reply_attr (req, &st, CACHE_TIMEOUT);
}

static void
op_readdir (fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
            struct fuse_file_info *fi)
{
  struct nvmeof_fuse *nf = state (req);
  char *buf;
  size_t used = 0;
  off_t i;

  if (ino != FUSE_ROOT_ID) {
    fuse_reply_err (req, ENOTDIR);
    return;
  }
  buf = malloc (size);
  if (buf == NULL) {
    fuse_reply_err (req, ENOMEM);
    return;
  }
  /* Entry i: 0 ".", 1 "..", then the files; off is the next entry. */
  for (i = off; i < (off_t) nf->nr_files + 2; i++) {
    struct stat st = { 0 };
    const char *name;
    size_t n;

    if (i == 0) {
      name = ".";
      st.st_ino = FUSE_ROOT_ID;
      st.st_mode = S_IFDIR;
    }
    else if (i == 1) {
      name = "..";
      st.st_ino = FUSE_ROOT_ID;
      st.st_mode = S_IFDIR;
    }
    else {
      name = nf->files[i - 2].name;
      st.st_ino = (ino_t) (i - 2 + NVMEOF_FUSE_FIRST_INO);
      st.st_mode = S_IFREG;
    }
    n = fuse_add_direntry (req, buf + used, size - used, name, &st, i + 1);
    if (n > size - used)
      break; /* did not fit: the next call resumes */
    used += n;
  }
  fuse_reply_buf (req, buf, used);
  free (buf);
}

static void
op_open (fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
  struct nvmeof_fuse *nf = state (req);
  const struct nsfile *f = file_of (nf, ino);

  if (f == NULL) {
    fuse_reply_err (req, ino == FUSE_ROOT_ID ? EISDIR : ENOENT);
    return;
  }
  if ((fi->flags & O_ACCMODE) != O_RDONLY && f->read_only) {
    fuse_reply_err (req, EROFS);
    return;
  }
  /* Page-cache policy (nvmeof-fuse(1) explains the default).  Cached
   * mode drops the cache at each open, in case another host wrote. */
  fi->direct_io = nf->direct_io;
  fi->keep_cache = 0;
  fuse_reply_open (req, fi);
}

static void
note_max (atomic_uint_fast64_t *max, uint64_t v)
{
  uint_fast64_t cur = atomic_load_explicit (max, memory_order_relaxed);

  while (v > cur && !atomic_compare_exchange_weak_explicit (
                      max, &cur, v, memory_order_relaxed, memory_order_relaxed))
    ;
}

static void
op_read (fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
         struct fuse_file_info *fi)
{
  struct nvmeof_fuse *nf = state (req);
  struct nsfile *f = file_of (nf, ino);
  bool allocated;
  void *buf;
  int r;

  if (f == NULL) {
    fuse_reply_err (req, EBADF);
    return;
  }
  note_max (&nf->max_read_seen, size);
  if (off < 0) {
    fuse_reply_err (req, EINVAL);
    return;
  }
  if ((uint64_t) off >= f->size) {
    fuse_reply_buf (req, NULL, 0); /* end of file */
    return;
  }
  if (size > f->size - (uint64_t) off)
    size = f->size - (uint64_t) off;
  buf = read_buffer (size, &allocated);
  if (buf == NULL) {
    fuse_reply_err (req, ENOMEM);
    return;
  }
  r = aligned_io_pread (&f->aio, buf, size, (uint64_t) off);
  if (r < 0) {
    log_error (nf, "read", f, (uint64_t) off, size, r);
    fuse_reply_err (req, fuse_errno (r));
  }
  else
    fuse_reply_buf (req, buf, size);
  if (allocated)
    free (buf);
}

static void
op_write (fuse_req_t req, fuse_ino_t ino, const char *buf, size_t size,
          off_t off, struct fuse_file_info *fi)
{
  struct nvmeof_fuse *nf = state (req);
  struct nsfile *f = file_of (nf, ino);
  int r;

  if (f == NULL) {
    fuse_reply_err (req, EBADF);
    return;
  }
  note_max (&nf->max_write_seen, size);
  if (f->read_only) {
    fuse_reply_err (req, EROFS);
    return;
  }
  if (off < 0) {
    fuse_reply_err (req, EINVAL);
    return;
  }
  /* Like a block device: nothing fits past the end, a write across it is
   * short. */
  if (size == 0) {
    fuse_reply_write (req, 0);
    return;
  }
  if ((uint64_t) off >= f->size) {
    fuse_reply_err (req, ENOSPC);
    return;
  }
  if (size > f->size - (uint64_t) off)
    size = f->size - (uint64_t) off;
  r = aligned_io_pwrite (&f->aio, buf, size, (uint64_t) off, 0);
  if (r < 0) {
    log_error (nf, "write", f, (uint64_t) off, size, r);
    fuse_reply_err (req, fuse_errno (r));
    return;
  }
  fuse_reply_write (req, size);
}

static void
op_flush (fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
  /* close(2): writes were synchronous, nothing is pending here. */
  fuse_reply_err (req, 0);
}

/* fsync and fdatasync: NVMe Flush (only if the namespace has a volatile
 * write cache; without one, completed writes are already durable). */
static void
op_fsync (fuse_req_t req, fuse_ino_t ino, int datasync,
          struct fuse_file_info *fi)
{
  struct nvmeof_fuse *nf = state (req);
  struct nsfile *f = file_of (nf, ino);
  int r;

  if (f == NULL) {
    fuse_reply_err (req, EBADF);
    return;
  }
  if (f->read_only) { /* nothing can be dirty */
    fuse_reply_err (req, 0);
    return;
  }
  r = aligned_io_flush (&f->aio);
  if (r < 0)
    log_error (nf, "fsync", f, 0, 0, r);
  fuse_reply_err (req, r < 0 ? fuse_errno (r) : 0);
}

/* PUNCH_HOLE must read back zeroes afterwards.  Deallocate does that only
 * if the namespace says so (DLFEAT); then partial LBAs at the edges are
 * zeroed by read-modify-write and the whole ones deallocated.  Otherwise
 * Write Zeroes (allowed to deallocate) does the job, and without it the
 * hole cannot be punched cheaply: EOPNOTSUPP, as filesystems say. */
static int
punch_hole (struct nsfile *f, uint64_t off, uint64_t len)
{
  uint64_t mask = f->lba_size - 1;
  uint64_t start = (off + mask) & ~mask, end = (off + len) & ~mask;
  int r;

  if (f->punch_by_dsm && start < end) {
    if (start > off && (r = aligned_io_zero (&f->aio, start - off, off, 0)) < 0)
      return r;
    if (end < off + len &&
        (r = aligned_io_zero (&f->aio, off + len - end, end, 0)) < 0)
      return r;
    return aligned_io_trim (&f->aio, end - start, start, 0);
  }
  if (f->punch_by_dsm) /* inside one or two LBAs: just zero */
    return aligned_io_zero (&f->aio, len, off, 0);
  if (!f->has_write_zeroes)
    return -EOPNOTSUPP;
  return aligned_io_zero (&f->aio, len, off,
                          ALIGNED_IO_MAY_TRIM | ALIGNED_IO_FAST_ZERO);
}

static void
op_fallocate (fuse_req_t req, fuse_ino_t ino, int mode, off_t off, off_t length,
              struct fuse_file_info *fi)
{
  struct nvmeof_fuse *nf = state (req);
  struct nsfile *f = file_of (nf, ino);
  const int known =
    FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE | FALLOC_FL_ZERO_RANGE;
  uint64_t len;
  int r;

  if (f == NULL) {
    fuse_reply_err (req, EBADF);
    return;
  }
  if ((mode & ~known) != 0) {
    fuse_reply_err (req, EOPNOTSUPP);
    return;
  }
  if (off < 0 || length <= 0) {
    fuse_reply_err (req, EINVAL);
    return;
  }
  if (f->read_only) {
    fuse_reply_err (req, EROFS);
    return;
  }
  /* Nothing can grow: past the end is fine only with KEEP_SIZE. */
  if ((uint64_t) off >= f->size ||
      (uint64_t) length > f->size - (uint64_t) off) {
    if (!(mode & FALLOC_FL_KEEP_SIZE)) {
      fuse_reply_err (req, ENOSPC);
      return;
    }
    if ((uint64_t) off >= f->size) {
      fuse_reply_err (req, 0);
      return;
    }
  }
  len = (uint64_t) length;
  if (len > f->size - (uint64_t) off)
    len = f->size - (uint64_t) off;

  if (mode & FALLOC_FL_PUNCH_HOLE) {
    if (!(mode & FALLOC_FL_KEEP_SIZE) || (mode & FALLOC_FL_ZERO_RANGE)) {
      fuse_reply_err (req, EINVAL); /* as fallocate(2) requires */
      return;
    }
    r = punch_hole (f, (uint64_t) off, len);
  }
  else if (mode & FALLOC_FL_ZERO_RANGE)
    r = aligned_io_zero (&f->aio, len, (uint64_t) off, ALIGNED_IO_FAST_ZERO);
  else
    r = 0; /* allocating: every block exists already */

  if (r < 0 && r != -EOPNOTSUPP && r != -ENOTSUP)
    log_error (nf, "fallocate", f, (uint64_t) off, len, r);
  fuse_reply_err (req, r < 0 ? fuse_errno (r) : 0);
}

static void
op_statfs (fuse_req_t req, fuse_ino_t ino)
{
  struct nvmeof_fuse *nf = state (req);
  struct statvfs sv;
  uint64_t total = 0;
  size_t i;

  for (i = 0; i < nf->nr_files; i++)
    total += nf->files[i].size;
  memset (&sv, 0, sizeof sv);
  sv.f_bsize = 4096;
  sv.f_frsize = 4096;
  sv.f_blocks = total / 4096;
  sv.f_files = nf->nr_files + 1;
  sv.f_namemax = 255;
  fuse_reply_statfs (req, &sv);
}

const struct fuse_lowlevel_ops nvmeof_fuse_ops = {
  .init = op_init,
  .lookup = op_lookup,
  .getattr = op_getattr,
  .setattr = op_setattr,
  .readdir = op_readdir,
  .open = op_open,
  .read = op_read,
  .write = op_write,
  .flush = op_flush,
  .fsync = op_fsync,
  .fallocate = op_fallocate,
  .statfs = op_statfs,
};
