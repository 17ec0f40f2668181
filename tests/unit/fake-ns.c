/* SPDX-License-Identifier: BSD-3-Clause */
/* The fake namespace of the aligned_io unit tests: see fake-ns.h. */
#include <config.h>

#include <errno.h>
#include <inttypes.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake-ns.h"

int failures;

static __thread int fake_errno;
static __thread char fake_msg[128];

static struct fake *
F (struct nvmeof_ns *ns)
{
  return (struct fake *) ns;
}

static int
fake_fail (int err, const char *what)
{
  fake_errno = err;
  snprintf (fake_msg, sizeof fake_msg, "fake %s: %s", what, strerror (err));
  return -1;
}

static int
fake_check (struct fake *f, uint64_t len, uint64_t offset, const char *what)
{
  if (f->fail_errno) {
    int e = f->fail_errno;

    f->fail_errno = 0;
    return fake_fail (e, what);
  }
  if ((len | offset) % f->lba != 0 || len == 0) {
    fprintf (stderr, "FAIL: %s of %" PRIu64 " at %" PRIu64 " not LBA-aligned\n",
             what, len, offset);
    exit (1);
  }
  if (offset + len > f->size) {
    fprintf (stderr, "FAIL: %s beyond the end\n", what);
    exit (1);
  }
  return 0;
}

/* Copy LBA by LBA: each LBA is atomic, as on a real device, but other
 * commands can interleave between LBAs. */
static void
fake_copy (struct fake *f, unsigned char *dst, const unsigned char *src,
           uint64_t len, bool to_device, uint64_t offset)
{
  uint64_t i;

  for (i = 0; i < len; i += f->lba) {
    if (f->yield)
      sched_yield ();
    pthread_mutex_lock (&f->lock);
    if (!to_device)
      memcpy (dst + i, f->data + offset + i, f->lba);
    else if (src)
      memcpy (f->data + offset + i, src + i, f->lba);
    else
      memset (f->data + offset + i, 0, f->lba);
    pthread_mutex_unlock (&f->lock);
  }
}

static int
fake_read (struct nvmeof_ns *ns, void *buf, size_t len, uint64_t offset)
{
  struct fake *f = F (ns);

  if (fake_check (f, len, offset, "read") == -1)
    return -1;
  pthread_mutex_lock (&f->lock);
  f->reads++;
  f->last_buf = buf;
  pthread_mutex_unlock (&f->lock);
  fake_copy (f, buf, NULL, len, false, offset);
  return 0;
}

static int
fake_write (struct nvmeof_ns *ns, const void *buf, size_t len, uint64_t offset,
            unsigned flags)
{
  struct fake *f = F (ns);

  if (fake_check (f, len, offset, "write") == -1)
    return -1;
  pthread_mutex_lock (&f->lock);
  f->writes++;
  if (flags & NVMEOF_FUA)
    f->writes_fua++;
  else
    f->writes_nofua++;
  f->last_buf = buf;
  pthread_mutex_unlock (&f->lock);
  fake_copy (f, NULL, buf, len, true, offset);
  return 0;
}

static int
fake_write_zeroes (struct nvmeof_ns *ns, uint64_t len, uint64_t offset,
                   unsigned flags)
{
  struct fake *f = F (ns);

  if (f->wz_rejects)
    return fake_fail (EOPNOTSUPP, "write zeroes");
  if (fake_check (f, len, offset, "write zeroes") == -1)
    return -1;
  pthread_mutex_lock (&f->lock);
  f->wz++;
  if (flags & NVMEOF_DEALLOCATE)
    f->wz_deac++;
  pthread_mutex_unlock (&f->lock);
  fake_copy (f, NULL, NULL, len, true, offset);
  return 0;
}

static int
fake_deallocate (struct nvmeof_ns *ns, const struct nvmeof_range *r,
                 unsigned nr)
{
  struct fake *f = F (ns);
  unsigned i;

  for (i = 0; i < nr; i++) {
    if (fake_check (f, r[i].length, r[i].offset, "deallocate") == -1)
      return -1;
    fake_copy (f, NULL, NULL, r[i].length, true, r[i].offset);
  }
  pthread_mutex_lock (&f->lock);
  f->deallocs++;
  pthread_mutex_unlock (&f->lock);
  return 0;
}

static int
fake_flush (struct nvmeof_ns *ns)
{
  struct fake *f = F (ns);

  if (fake_check (f, f->lba, 0, "flush") == -1)
    return -1;
  pthread_mutex_lock (&f->lock);
  f->flushes++;
  pthread_mutex_unlock (&f->lock);
  return 0;
}

static const char *
fake_get_error (void)
{
  return fake_msg;
}

static int
fake_get_errno (void)
{
  return fake_errno;
}

static const struct aligned_io_ops fake_ops = {
  .read = fake_read,
  .write = fake_write,
  .write_zeroes = fake_write_zeroes,
  .deallocate = fake_deallocate,
  .flush = fake_flush,
  .get_error = fake_get_error,
  .get_errno = fake_get_errno,
};

void
fake_reset_counters (struct fake *f)
{
  f->reads = f->writes = f->writes_fua = f->writes_nofua = 0;
  f->wz = f->wz_deac = f->deallocs = f->flushes = 0;
  f->last_buf = NULL;
}

void
fake_setup (struct fake *f, struct aligned_io *a, uint32_t lba, uint64_t size,
            bool has_wz, bool vwc)
{
  struct nvmeof_ns_info info;
  uint64_t i;

  memset (f, 0, sizeof *f);
  f->lba = lba;
  f->size = size;
  f->data = malloc (size);
  if (f->data == NULL) {
    perror ("malloc");
    exit (1);
  }
  for (i = 0; i < size; i++)
    f->data[i] = (unsigned char) (i * 131 + 7);
  pthread_mutex_init (&f->lock, NULL);

  memset (&info, 0, sizeof info);
  info.nsid = 1;
  info.lba_size = lba;
  info.size = size;
  info.nsze = size / lba;
  info.volatile_write_cache = vwc;
  info.has_write_zeroes = has_wz;
  info.has_deallocate = true;
  info.wz_deallocate = true;
  if (aligned_io_init_with (a, (struct nvmeof_ns *) f, &info, &fake_ops) != 0) {
    fprintf (stderr, "aligned_io_init_with: %s\n", aligned_io_get_error ());
    exit (1);
  }
}

void
fake_teardown (struct fake *f, struct aligned_io *a)
{
  aligned_io_destroy (a);
  pthread_mutex_destroy (&f->lock);
  free (f->data);
}

void
fill_random (unsigned char *p, size_t n, unsigned *seed)
{
  size_t i;

  for (i = 0; i < n; i++)
    p[i] = rand_r (seed);
}
