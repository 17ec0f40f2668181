/* SPDX-License-Identifier: BSD-3-Clause */
/* Byte-granular I/O over whole-LBA commands: see aligned-io.h. */
#include <config.h>

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aligned-io.h"

/* Source of zeroes for the fallback when Write Zeroes is missing.  Not
 * const, so it lives in .bss and costs nothing until touched. */
#define ZERO_BUF_SIZE (64 * 1024)
static unsigned char zero_buf[ZERO_BUF_SIZE];

static __thread const char *last_error;
static __thread char error_buf[256];

const char *
aligned_io_get_error (void)
{
  return last_error ? last_error : "no error";
}

static int local_error (int errnum, const char *fmt, ...)
  __attribute__((__format__ (__printf__, 2, 3)));

/* An error found here, not by the device. */
static int
local_error (int errnum, const char *fmt, ...)
{
  va_list ap;

  va_start (ap, fmt);
  vsnprintf (error_buf, sizeof error_buf, fmt, ap);
  va_end (ap);
  last_error = error_buf;
  return -errnum;
}

/* A command failed: keep the library's message and errno. */
static int
backend_error (const struct aligned_io *a)
{
  int err = a->ops->get_errno ? a->ops->get_errno () : 0;

  last_error = a->ops->get_error ? a->ops->get_error () : NULL;
  if (last_error == NULL || *last_error == '\0')
    last_error = "I/O error (no message from the library)";
  return -(err > 0 ? err : EIO);
}

int
aligned_io_init_with (struct aligned_io *a, struct nvmeof_ns *ns,
                      const struct nvmeof_ns_info *info,
                      const struct aligned_io_ops *ops)
{
  int r;

  if (info->lba_size < 512 || (info->lba_size & (info->lba_size - 1)) != 0)
    return local_error (EINVAL,
                        "namespace %u: LBA size %u is not a power "
                        "of two of at least 512",
                        info->nsid, info->lba_size);
  a->ns = ns;
  a->ops = ops;
  a->lba_size = info->lba_size;
  a->size = info->size;
  a->volatile_write_cache = info->volatile_write_cache;
  a->has_deallocate = info->has_deallocate && ops->deallocate != NULL;
  a->wz_deallocate = info->wz_deallocate;
  a->has_write_zeroes = info->has_write_zeroes && ops->write_zeroes != NULL;
  r = range_lock_init (&a->lock);
  if (r < 0)
    return local_error (-r, "range lock: %s", strerror (-r));
  return 0;
}

void
aligned_io_destroy (struct aligned_io *a)
{
  range_lock_destroy (&a->lock);
}

bool
aligned_io_can_fast_zero (const struct aligned_io *a)
{
  return __atomic_load_n (&a->has_write_zeroes, __ATOMIC_RELAXED);
}

static int
check_range (const struct aligned_io *a, uint64_t count, uint64_t offset)
{
  if (offset > a->size || count > a->size - offset)
    return local_error (EINVAL,
                        "request of %" PRIu64 " bytes at offset %" PRIu64
                        " is beyond the end of the namespace (%" PRIu64
                        " bytes)",
                        count, offset, a->size);
  return 0;
}

static bool
is_aligned (const struct aligned_io *a, uint64_t count, uint64_t offset)
{
  return ((count | offset) & (a->lba_size - 1)) == 0;
}

static uint64_t
round_down (const struct aligned_io *a, uint64_t x)
{
  return x & ~(uint64_t) (a->lba_size - 1);
}

static uint64_t
round_up (const struct aligned_io *a, uint64_t x)
{
  return round_down (a, x + a->lba_size - 1);
}

/* One LBA's bounce buffer: on the stack (given by the caller) for LBAs up
 * to ALIGNED_IO_STACK_LBA, else allocated. */
static unsigned char *
bounce_get (const struct aligned_io *a, unsigned char *stack)
{
  unsigned char *p;

  if (a->lba_size <= ALIGNED_IO_STACK_LBA)
    return stack;
  p = malloc (a->lba_size);
  if (p == NULL)
    local_error (ENOMEM, "bounce buffer of %u bytes: %s", a->lba_size,
                 strerror (errno));
  return p;
}

static void
bounce_put (unsigned char *p, unsigned char *stack)
{
  if (p != stack)
    free (p);
}

/* Replace n bytes at byte in_off of the LBA at lba_off with src (or with
 * zeroes if src is NULL).  The caller holds the LBA exclusively. */
static int
rmw_lba (struct aligned_io *a, unsigned char *bounce, uint64_t lba_off,
         uint32_t in_off, uint32_t n, const void *src, unsigned flags)
{
  if (a->ops->read (a->ns, bounce, a->lba_size, lba_off) == -1)
    return backend_error (a);
  if (src)
    memcpy (bounce + in_off, src, n);
  else
    memset (bounce + in_off, 0, n);
  if (a->ops->write (a->ns, bounce, a->lba_size, lba_off,
                     flags & ALIGNED_IO_FUA) == -1)
    return backend_error (a);
  return 0;
}

int
aligned_io_pread (struct aligned_io *a, void *buf, size_t count,
                  uint64_t offset)
{
  unsigned char stack[ALIGNED_IO_STACK_LBA] __attribute__((__aligned__ (64)));
  unsigned char *bounce, *p = buf;
  uint64_t mask = a->lba_size - 1;
  int r = 0;

  if (count == 0)
    return 0;
  if ((r = check_range (a, count, offset)) < 0)
    return r;

  /* The common case: straight into the caller's buffer. */
  if (is_aligned (a, count, offset)) {
    if (a->ops->read (a->ns, buf, count, offset) == -1)
      return backend_error (a);
    return 0;
  }

  if ((bounce = bounce_get (a, stack)) == NULL)
    return -ENOMEM;

  if (offset & mask) { /* partial head LBA */
    uint32_t in_off = offset & mask;
    size_t n = a->lba_size - in_off;

    if (n > count)
      n = count;
    if (a->ops->read (a->ns, bounce, a->lba_size, offset - in_off) == -1) {
      r = backend_error (a);
      goto out;
    }
    memcpy (p, bounce + in_off, n);
    p += n;
    offset += n;
    count -= n;
  }
  if (count & ~mask) { /* whole LBAs */
    size_t n = count & ~mask;

    if (a->ops->read (a->ns, p, n, offset) == -1) {
      r = backend_error (a);
      goto out;
    }
    p += n;
    offset += n;
    count -= n;
  }
  if (count > 0) { /* partial tail LBA */
    if (a->ops->read (a->ns, bounce, a->lba_size, offset) == -1) {
      r = backend_error (a);
      goto out;
    }
    memcpy (p, bounce, count);
  }
out:
  bounce_put (bounce, stack);
  return r;
}

/* Write Zeroes over whole LBAs, or write zeroes ourselves if the device
 * has no Write Zeroes.  The caller holds the range. */
static int
zero_aligned (struct aligned_io *a, uint64_t count, uint64_t offset,
              unsigned flags)
{
  if (count == 0)
    return 0;

  if (aligned_io_can_fast_zero (a)) {
    unsigned wzflags = flags & ALIGNED_IO_FUA;
    int err;

    if ((flags & ALIGNED_IO_MAY_TRIM) && a->wz_deallocate)
      wzflags |= NVMEOF_DEALLOCATE;
    if (a->ops->write_zeroes (a->ns, count, offset, wzflags) == 0)
      return 0;
    err = backend_error (a);
    /* A device that claims Write Zeroes but rejects the opcode: stop
     * asking and fall back below. */
    if (err != -ENOTSUP && err != -EOPNOTSUPP)
      return err;
    __atomic_store_n (&a->has_write_zeroes, false, __ATOMIC_RELAXED);
  }

  if (flags & ALIGNED_IO_FAST_ZERO)
    return local_error (ENOTSUP, "zero: the namespace has no Write Zeroes "
                                 "command, so zeroing would not be fast");

  while (count > 0) {
    size_t n = count > ZERO_BUF_SIZE ? ZERO_BUF_SIZE : count;
    unsigned wflags = flags & ALIGNED_IO_FUA;

    if (a->ops->write (a->ns, zero_buf, n, offset, wflags) == -1)
      return backend_error (a);
    offset += n;
    count -= n;
  }
  return 0;
}

/* Whole LBAs straight from the caller's buffer. */
static int
write_direct (struct aligned_io *a, const void *src, uint64_t count,
              uint64_t offset, unsigned flags)
{
  if (a->ops->write (a->ns, src, count, offset, flags & ALIGNED_IO_FUA) == -1)
    return backend_error (a);
  return 0;
}

/* The shared body of pwrite and zero: src NULL means zeroes. */
static int
write_common (struct aligned_io *a, const unsigned char *src, uint64_t count,
              uint64_t offset, unsigned flags)
{
  unsigned char stack[ALIGNED_IO_STACK_LBA] __attribute__((__aligned__ (64)));
  unsigned char *bounce;
  struct range_lock_entry e;
  uint64_t mask = a->lba_size - 1;
  int r = 0;

  if (count == 0)
    return 0;
  if ((r = check_range (a, count, offset)) < 0)
    return r;

  if (is_aligned (a, count, offset)) {
    range_lock_acquire (&a->lock, &e, offset, offset + count, false);
    if (src == NULL)
      r = zero_aligned (a, count, offset, flags);
    else
      r = write_direct (a, src, count, offset, flags);
    range_lock_release (&a->lock, &e);
    return r;
  }

  /* Fail a fast zero before touching anything. */
  if (src == NULL && (flags & ALIGNED_IO_FAST_ZERO) &&
      !aligned_io_can_fast_zero (a))
    return local_error (ENOTSUP, "zero: the namespace has no Write Zeroes "
                                 "command, so zeroing would not be fast");

  if ((bounce = bounce_get (a, stack)) == NULL)
    return -ENOMEM;

  /* Hold every LBA touched, exclusively: no other write to the head or
   * tail LBA may land between our read and our write. */
  range_lock_acquire (&a->lock, &e, round_down (a, offset),
                      round_up (a, offset + count), true);

  if (offset & mask) { /* partial head LBA */
    uint32_t in_off = offset & mask;
    uint64_t n = a->lba_size - in_off;

    if (n > count)
      n = count;
    r = rmw_lba (a, bounce, offset - in_off, in_off, n, src, flags);
    if (r < 0)
      goto out;
    if (src)
      src += n;
    offset += n;
    count -= n;
  }
  if (count & ~mask) { /* whole LBAs */
    uint64_t n = count & ~mask;

    if (src == NULL)
      r = zero_aligned (a, n, offset, flags);
    else
      r = write_direct (a, src, n, offset, flags);
    if (r < 0)
      goto out;
    if (src)
      src += n;
    offset += n;
    count -= n;
  }
  if (count > 0) /* partial tail LBA */
    r = rmw_lba (a, bounce, offset, 0, count, src, flags);
out:
  range_lock_release (&a->lock, &e);
  bounce_put (bounce, stack);
  return r;
}

int
aligned_io_pwrite (struct aligned_io *a, const void *buf, size_t count,
                   uint64_t offset, unsigned flags)
{
  if (buf == NULL && count > 0)
    return local_error (EINVAL, "pwrite: no buffer");
  return write_common (a, buf, count, offset, flags);
}

int
aligned_io_zero (struct aligned_io *a, uint64_t count, uint64_t offset,
                 unsigned flags)
{
  return write_common (a, NULL, count, offset, flags);
}

int
aligned_io_trim (struct aligned_io *a, uint64_t count, uint64_t offset,
                 unsigned flags)
{
  struct range_lock_entry e;
  struct nvmeof_range range;
  uint64_t start, end;
  int r = 0;

  if ((r = check_range (a, count, offset)) < 0)
    return r;
  if (!a->has_deallocate)
    return 0; /* trim is a hint */
  start = round_up (a, offset);
  end = round_down (a, offset + count);
  if (start >= end)
    return 0;

  range.offset = start;
  range.length = end - start;
  range_lock_acquire (&a->lock, &e, start, end, false);
  if (a->ops->deallocate (a->ns, &range, 1) == -1)
    r = backend_error (a);
  range_lock_release (&a->lock, &e);
  if (r == 0 && (flags & ALIGNED_IO_FUA))
    r = aligned_io_flush (a);
  return r;
}

int
aligned_io_flush (struct aligned_io *a)
{
  /* Without a volatile write cache every completed write is already
   * durable: NVMe Flush would have nothing to do. */
  if (!a->volatile_write_cache)
    return 0;
  if (a->ops->flush (a->ns) == -1)
    return backend_error (a);
  return 0;
}
