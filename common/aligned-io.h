/* SPDX-License-Identifier: BSD-3-Clause */
/* Byte-granular I/O on a namespace whose commands work in whole LBAs.
 *
 * The nbdkit plugin and nvmeof-fuse both take requests at any byte offset
 * and length.  Aligned requests go straight to the library with the
 * caller's buffer (no copy, no allocation).  Unaligned ones read the
 * partial head and tail LBAs into a one-LBA bounce buffer on the stack,
 * patch them and write them back (read-modify-write).
 *
 * So that concurrent writers never lose each other's bytes, every write
 * holds a range lock over the LBAs it touches: shared for aligned writes
 * (the device orders those itself), exclusive for a read-modify-write, so
 * no other write to those LBAs can land between its read and its write.
 * Reads take no lock.
 *
 * Functions return 0 or a negative errno; aligned_io_get_error() then
 * gives the calling thread a message in words (the library's message when
 * a command failed). */
#ifndef NVMEOF_ALIGNED_IO_H
#define NVMEOF_ALIGNED_IO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nvmeof.h"
#include "range-lock.h"

/* The commands aligned_io issues.  aligned_io_nvmeof_ops uses libnvmeof;
 * the unit tests substitute a fake device (the test seam). */
struct aligned_io_ops {
  int (*read) (struct nvmeof_ns *ns, void *buf, size_t len, uint64_t offset);
  int (*write) (struct nvmeof_ns *ns, const void *buf, size_t len,
                uint64_t offset, unsigned flags);
  int (*write_zeroes) (struct nvmeof_ns *ns, uint64_t len, uint64_t offset,
                       unsigned flags);
  int (*deallocate) (struct nvmeof_ns *ns, const struct nvmeof_range *ranges,
                     unsigned nr_ranges);
  int (*flush) (struct nvmeof_ns *ns);
  const char *(*get_error) (void);
  int (*get_errno) (void);
};

extern const struct aligned_io_ops aligned_io_nvmeof_ops;

/* Largest LBA whose bounce buffer lives on the stack; larger ones (not
 * seen in practice) are allocated per unaligned request. */
#define ALIGNED_IO_STACK_LBA 4096

/* Flags for aligned_io_pwrite, _zero and _trim: FUA, durable before
 * returning; MAY_TRIM (zero), may deallocate; FAST_ZERO (zero), fail with
 * ENOTSUP unless the device zeroes natively. */
#define ALIGNED_IO_FUA       NVMEOF_FUA
#define ALIGNED_IO_MAY_TRIM  (1u << 8)
#define ALIGNED_IO_FAST_ZERO (1u << 9)

struct aligned_io {
  struct nvmeof_ns *ns;
  const struct aligned_io_ops *ops;
  uint32_t lba_size; /* a power of two */
  uint64_t size;     /* bytes */
  bool volatile_write_cache;
  bool has_deallocate;
  bool wz_deallocate;
  bool has_write_zeroes; /* cleared if the device refuses it */
  struct range_lock lock;
};

/* Set up from the namespace's Identify data, using libnvmeof. */
int aligned_io_init (struct aligned_io *a, struct nvmeof_ns *ns);
/* The test seam: any ops, geometry and capabilities from info. */
int aligned_io_init_with (struct aligned_io *a, struct nvmeof_ns *ns,
                          const struct nvmeof_ns_info *info,
                          const struct aligned_io_ops *ops);
void aligned_io_destroy (struct aligned_io *a);

int aligned_io_pread (struct aligned_io *a, void *buf, size_t count,
                      uint64_t offset);
int aligned_io_pwrite (struct aligned_io *a, const void *buf, size_t count,
                       uint64_t offset, unsigned flags);
/* Write Zeroes (with DEAC if ALIGNED_IO_MAY_TRIM and the namespace says
 * that reads back zeroes); writes zeroes itself when the command is
 * missing, unless ALIGNED_IO_FAST_ZERO. */
int aligned_io_zero (struct aligned_io *a, uint64_t count, uint64_t offset,
                     unsigned flags);
/* Deallocate the whole LBAs inside the range (a hint: partial LBAs at the
 * edges are left alone).  Nothing to do without Dataset Management. */
int aligned_io_trim (struct aligned_io *a, uint64_t count, uint64_t offset,
                     unsigned flags);
/* NVMe Flush when the namespace has a volatile write cache. */
int aligned_io_flush (struct aligned_io *a);

/* True if zeroing is done by the device (Write Zeroes is supported). */
bool aligned_io_can_fast_zero (const struct aligned_io *a);

/* The message for the calling thread's last failure. */
const char *aligned_io_get_error (void);

#endif
