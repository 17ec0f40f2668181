/* SPDX-License-Identifier: BSD-3-Clause */
/* aligned_io over libnvmeof.  Kept apart from aligned-io.c so that the unit
 * tests, which use a fake device, need not link the library. */
#include <config.h>

#include "aligned-io.h"

const struct aligned_io_ops aligned_io_nvmeof_ops = {
  .read = nvmeof_read,
  .write = nvmeof_write,
  .write_zeroes = nvmeof_write_zeroes,
  .deallocate = nvmeof_deallocate,
  .flush = nvmeof_flush,
  .get_error = nvmeof_get_error,
  .get_errno = nvmeof_get_errno,
};

int
aligned_io_init (struct aligned_io *a, struct nvmeof_ns *ns)
{
  return aligned_io_init_with (a, ns, nvmeof_ns_get_info (ns),
                               &aligned_io_nvmeof_ops);
}
