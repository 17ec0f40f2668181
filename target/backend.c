/* SPDX-License-Identifier: BSD-3-Clause */
/* Namespace storage: RAM (an anonymous mapping), a regular file or a block
 * device.  Callers have checked ranges against the namespace size, so these
 * functions only move bytes; they return 0 or -1 with errno set. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "target.h"

#define ZERO_CHUNK (256 * 1024)
static const uint8_t zero_buf[ZERO_CHUNK];

static int
open_ram (struct backend *be, const char *spec)
{
  void *p;

  if (parse_size (spec, &be->size) == -1 || be->size < 512) {
    fprintf (stderr,
             "nvmeof-target: ram:%s: expected a size of at least "
             "512 bytes, like ram:1G or ram:64M\n",
             spec);
    return -1;
  }
  /* Anonymous memory reads as zeroes and is only allocated when written;
   * MAP_NORESERVE lets a large sparse RAM disk start on a small machine. */
  p = mmap (NULL, be->size, PROT_READ | PROT_WRITE,
            MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED) {
    fprintf (stderr, "nvmeof-target: ram:%s: cannot allocate: %s\n", spec,
             strerror (errno));
    return -1;
  }
  be->kind = BACKEND_RAM;
  be->ram = p;
  atomic_init (&be->punch_ok, true);
  atomic_init (&be->zero_range_ok, true);
  return 0;
}

static int open_file (struct backend *be, const char *spec);

int
backend_open (struct backend *be, const char *spec, bool readonly)
{
  memset (be, 0, sizeof *be);
  be->fd = -1;
  be->dio_fd = -1;
  be->readonly = readonly;
  if (strncmp (spec, "ram:", 4) == 0)
    return open_ram (be, spec + 4);
  if (open_file (be, spec) == -1) {
    backend_close (be); /* what it opened so far */
    return -1;
  }
  atomic_init (&be->punch_ok, true);
  atomic_init (&be->zero_range_ok, true);
  return 0;
}

/* A regular file or a block device; on failure the caller closes what
 * was opened. */
static int
open_file (struct backend *be, const char *spec)
{
  struct stat st;
  uint64_t size;
  int ssz;

  be->path = strdup (spec);
  if (!be->path) {
    perror ("nvmeof-target: strdup");
    return -1;
  }
  be->fd = open (spec, (be->readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC);
  if (be->fd == -1) {
    fprintf (stderr, "nvmeof-target: %s: cannot open: %s\n", spec,
             strerror (errno));
    return -1;
  }
  if (fstat (be->fd, &st) == -1) {
    fprintf (stderr, "nvmeof-target: %s: stat: %s\n", spec, strerror (errno));
    return -1;
  }
  if (S_ISREG (st.st_mode)) {
    be->kind = BACKEND_FILE;
    be->size = st.st_size;
  }
  else if (S_ISBLK (st.st_mode)) {
    be->kind = BACKEND_BLOCK;
    if (ioctl (be->fd, BLKGETSIZE64, &size) == -1) {
      fprintf (stderr, "nvmeof-target: %s: BLKGETSIZE64: %s\n", spec,
               strerror (errno));
      return -1;
    }
    be->size = size;
    if (ioctl (be->fd, BLKSSZGET, &ssz) == 0 && ssz > 0)
      be->lbsize = ssz;
  }
  else {
    fprintf (stderr,
             "nvmeof-target: %s: not a regular file or block "
             "device\n",
             spec);
    return -1;
  }
  return 0;
}

void
backend_close (struct backend *be)
{
  if (be->ram)
    munmap (be->ram, be->size);
  be->ram = NULL;
  if (be->fd >= 0)
    close (be->fd);
  be->fd = -1;
  if (be->dio_fd >= 0)
    close (be->dio_fd);
  be->dio_fd = -1;
  free (be->path);
  be->path = NULL;
}

/* Kernels before 6.1 and some file systems do not tell the alignment:
 * then a block device's logical block size, a file's 4096 (the most any
 * Linux file system asks). */
void
backend_open_direct (struct backend *be, unsigned lba_size)
{
  struct statx stx;
  unsigned mem = 4096, offset = 4096;
  int fd;

  if (be->kind == BACKEND_RAM || be->dio_fd >= 0)
    return;
  fd =
    open (be->path, (be->readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC | O_DIRECT);
  if (fd == -1) {
    log_verbose ("%s: no O_DIRECT (%s): buffered I/O", be->path,
                 strerror (errno));
    return;
  }
  if (statx (fd, "", AT_EMPTY_PATH, STATX_DIOALIGN, &stx) == 0 &&
      (stx.stx_mask & STATX_DIOALIGN)) {
    mem = stx.stx_dio_mem_align;
    offset = stx.stx_dio_offset_align;
  }
  else if (be->kind == BACKEND_BLOCK && be->lbsize)
    mem = offset = be->lbsize;
  if (mem == 0 || offset == 0 || 4096 % mem || lba_size % offset) {
    log_verbose ("%s: O_DIRECT needs %u-byte alignment (the LBA size is "
                 "%u): buffered I/O",
                 be->path, offset, lba_size);
    close (fd);
    return;
  }
  log_verbose ("%s: O_DIRECT (alignment: memory %u, offset %u)", be->path, mem,
               offset);
  be->dio_fd = fd;
}

int
backend_read (struct backend *be, void *buf, uint64_t off, size_t len)
{
  uint8_t *p = buf;

  if (be->kind == BACKEND_RAM) {
    memcpy (buf, be->ram + off, len);
    return 0;
  }
  while (len > 0) {
    ssize_t r = pread (be->fd, p, len, off);
    if (r == -1) {
      if (errno == EINTR)
        continue;
      return -1;
    }
    if (r == 0) { /* shrunk under us: reads as zeroes */
      memset (p, 0, len);
      return 0;
    }
    p += r;
    off += r;
    len -= r;
  }
  return 0;
}

int
backend_write (struct backend *be, const void *buf, uint64_t off, size_t len)
{
  const uint8_t *p = buf;

  if (be->kind == BACKEND_RAM) {
    memcpy (be->ram + off, buf, len);
    return 0;
  }
  while (len > 0) {
    ssize_t r = pwrite (be->fd, p, len, off);
    if (r == -1) {
      if (errno == EINTR)
        continue;
      return -1;
    }
    p += r;
    off += r;
    len -= r;
  }
  return 0;
}

int
backend_sync (struct backend *be, bool data_only)
{
  if (be->kind == BACKEND_RAM || be->fd < 0 || be->readonly)
    return 0;
  return data_only ? fdatasync (be->fd) : fsync (be->fd);
}

static int
write_zeroes (struct backend *be, uint64_t off, uint64_t len)
{
  while (len > 0) {
    size_t n = len < ZERO_CHUNK ? len : ZERO_CHUNK;
    if (backend_write (be, zero_buf, off, n) == -1)
      return -1;
    off += n;
    len -= n;
  }
  return 0;
}

static bool
unsupported (int e)
{
  return e == EOPNOTSUPP || e == ENOSYS || e == EINVAL || e == ENODEV;
}

int
backend_zero (struct backend *be, uint64_t off, uint64_t len)
{
  if (be->kind == BACKEND_RAM) {
    memset (be->ram + off, 0, len);
    return 0;
  }
  if (atomic_load (&be->zero_range_ok)) {
    if (fallocate (be->fd, FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE, off,
                   len) == 0)
      return 0;
    if (!unsupported (errno))
      return -1;
    atomic_store (&be->zero_range_ok, false);
  }
  return write_zeroes (be, off, len);
}

/* Deallocate and read back as zeroes (Identify Namespace DLFEAT says so). */
int
backend_deallocate (struct backend *be, uint64_t off, uint64_t len)
{
  if (be->kind == BACKEND_RAM) {
    uint64_t pg = sysconf (_SC_PAGESIZE);
    uint64_t a = (off + pg - 1) & ~(pg - 1);
    uint64_t b = (off + len) & ~(pg - 1);

    /* Give whole pages back to the kernel; they read as zeroes again. */
    if (a < b && madvise (be->ram + a, b - a, MADV_DONTNEED) == 0) {
      memset (be->ram + off, 0, a - off);
      memset (be->ram + b, 0, off + len - b);
    }
    else
      memset (be->ram + off, 0, len);
    return 0;
  }
  if (atomic_load (&be->punch_ok)) {
    if (fallocate (be->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, off,
                   len) == 0)
      return 0;
    if (!unsupported (errno))
      return -1;
    atomic_store (&be->punch_ok, false);
  }
  return backend_zero (be, off, len);
}
