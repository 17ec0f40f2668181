/* SPDX-License-Identifier: BSD-3-Clause */
/* Discovery log reading, separate from the controller so that the unit
 * tests can feed it a log that changes underneath (GENCTR). */
#ifndef NVMEOF_DISCOVERY_H
#define NVMEOF_DISCOVERY_H

#include <stddef.h>
#include <stdint.h>

#include "nvmeof.h"
#include "nvmf-wire.h"

#define DISC_MAX_RETRIES 10 /* like nvme-cli MAX_DISC_RETRIES */
/* Records read at most: 1 MiB of entries, 16 Get Log Page commands per
 * read (with GENCTR re-reads, at most DISC_MAX_RETRIES reads), where a
 * peer's NUMREC of 65536 would have made it 64 MiB and 1024 commands. */
#define DISC_MAX_RECORDS 1024

/* Read len bytes of the log at offset; -1 with the error set. */
typedef int (*disc_read_fn) (void *ctx, uint64_t offset, void *buf,
                             uint32_t len);

/* Header, entries in pieces, header again; retried while GENCTR moves.
 * *entries is malloc'ed (also when there are none). */
int disc_read_log (disc_read_fn read_log, void *ctx,
                   struct nvmeof_disc_entry **entries, size_t *count,
                   uint64_t *genctr);
void disc_decode_entry (const struct nvmf_disc_log_entry *e,
                        struct nvmeof_disc_entry *out);

#endif
