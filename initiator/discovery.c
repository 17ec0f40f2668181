/* SPDX-License-Identifier: BSD-3-Clause */
/* Discovery: the log page 70h read in pieces, read again when GENCTR
 * changed underneath, entries decoded; names for printing. */
#include <config.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "discovery.h"
#include "errors.h"
#include "nvmf-wire.h"
#include "nvme-eth-wire.h"

#define DISC_ENTRY_LEN     sizeof (struct nvmf_disc_log_entry)
#define DISC_PIECE_ENTRIES 64 /* entries per Get Log Page (64 KiB) */

/* A space- or NUL-padded field into a C string. */
static void
copy_field (char *dst, size_t dstlen, const char *src, size_t srclen)
{
  size_t n = strnlen (src, srclen);

  if (n > dstlen - 1)
    n = dstlen - 1;
  memcpy (dst, src, n);
  dst[n] = '\0';
  while (n > 0 && dst[n - 1] == ' ')
    dst[--n] = '\0';
}

void
disc_decode_entry (const struct nvmf_disc_log_entry *e,
                   struct nvmeof_disc_entry *out)
{
  memset (out, 0, sizeof *out);
  out->trtype = e->trtype;
  out->adrfam = e->adrfam;
  out->subtype = e->subtype;
  out->treq = e->treq;
  out->portid = GET16 (e->portid);
  out->cntlid = GET16 (e->cntlid);
  out->asqsz = GET16 (e->asqsz);
  out->eflags = GET16 (e->eflags);
  out->sectype = e->tsas.tcp.sectype;
  copy_field (out->trsvcid, sizeof out->trsvcid, e->trsvcid, sizeof e->trsvcid);
  copy_field (out->traddr, sizeof out->traddr, e->traddr, sizeof e->traddr);
  copy_field (out->subnqn, sizeof out->subnqn, e->subnqn, sizeof e->subnqn);
}

int
disc_read_log (disc_read_fn read_log, void *ctx,
               struct nvmeof_disc_entry **entries_out, size_t *count_out,
               uint64_t *genctr_out)
{
  struct nvmf_disc_log_hdr hdr;
  unsigned attempt;

  for (attempt = 0; attempt < DISC_MAX_RETRIES; attempt++) {
    uint64_t genctr, numrec, again, i;
    struct nvmf_disc_log_entry *raw = NULL;
    struct nvmeof_disc_entry *entries;
    uint8_t head[16];

    if (read_log (ctx, 0, &hdr, sizeof hdr) < 0)
      return -1;
    genctr = GET64 (hdr.genctr);
    numrec = GET64 (hdr.numrec);
    if (numrec > DISC_MAX_RECORDS) {
      set_error (EPROTO,
                 "discovery log reports %" PRIu64 " records, more "
                 "than the %u this library reads",
                 numrec, DISC_MAX_RECORDS);
      return -1;
    }
    if (numrec) {
      raw = malloc (numrec * DISC_ENTRY_LEN);
      if (raw == NULL) {
        set_error (ENOMEM, "out of memory");
        return -1;
      }
    }
    for (i = 0; i < numrec; i += DISC_PIECE_ENTRIES) {
      uint64_t n =
        numrec - i < DISC_PIECE_ENTRIES ? numrec - i : DISC_PIECE_ENTRIES;

      if (read_log (ctx, sizeof hdr + i * DISC_ENTRY_LEN, &raw[i],
                    n * DISC_ENTRY_LEN) < 0) {
        free (raw);
        return -1;
      }
    }
    /* Consistent only if nothing changed while we read. */
    if (read_log (ctx, 0, head, sizeof head) < 0) {
      free (raw);
      return -1;
    }
    again = get_le64 (head);
    if (again != genctr) {
      free (raw);
      continue;
    }
    entries = calloc (numrec ? numrec : 1, sizeof *entries);
    if (entries == NULL) {
      free (raw);
      set_error (ENOMEM, "out of memory");
      return -1;
    }
    for (i = 0; i < numrec; i++)
      disc_decode_entry (&raw[i], &entries[i]);
    free (raw);
    *entries_out = entries;
    *count_out = numrec;
    if (genctr_out)
      *genctr_out = genctr;
    return 0;
  }
  set_error (EAGAIN,
             "the discovery log changed (GENCTR) during each of %u "
             "reads",
             DISC_MAX_RETRIES);
  return -1;
}

static int
ctrl_read_log (void *ctx, uint64_t offset, void *buf, uint32_t len)
{
  return nvmeof_get_log_page (ctx, NVME_LOG_DISCOVERY, 0, 0, offset, buf, len);
}

int
nvmeof_discover (struct nvmeof_ctrl *ctrl, struct nvmeof_disc_entry **entries,
                 size_t *count, uint64_t *genctr)
{
  if (ctrl == NULL || entries == NULL || count == NULL) {
    set_error (EINVAL, "nvmeof_discover: ctrl, entries and count must not "
                       "be NULL");
    return -1;
  }
  if (!ctrl->info.discovery) {
    set_error (EINVAL,
               "nvmeof_discover: %s (%s) is not a discovery "
               "controller",
               ctrl->opts.subnqn, ctrl->addr);
    return -1;
  }
  return disc_read_log (ctrl_read_log, ctrl, entries, count, genctr);
}

const char *
nvmeof_trtype_string (uint8_t trtype)
{
  switch (trtype) {
  case NVMF_TRTYPE_RDMA:
    return "rdma";
  case NVMF_TRTYPE_FC:
    return "fc";
  case NVMF_TRTYPE_TCP:
    return "tcp";
  case NVMF_TRTYPE_LOOP:
    return "loop";
  case NVME_ETH_TRTYPE:
    return "eth";
  default:
    return "unknown";
  }
}

const char *
nvmeof_adrfam_string (uint8_t adrfam)
{
  switch (adrfam) {
  case NVMF_ADRFAM_IPV4:
    return "ipv4";
  case NVMF_ADRFAM_IPV6:
    return "ipv6";
  case NVMF_ADRFAM_IB:
    return "infiniband";
  case NVMF_ADRFAM_FC:
    return "fibre-channel";
  case NVMF_ADRFAM_LOOP:
    return "intra-host";
  case NVME_ETH_ADRFAM:
    return "mac";
  default:
    return "unknown";
  }
}

const char *
nvmeof_subtype_string (uint8_t subtype)
{
  switch (subtype) {
  case NVMF_SUBTYPE_REFERRAL:
    return "discovery subsystem referral";
  case NVMF_SUBTYPE_NVM:
    return "nvme subsystem";
  case NVMF_SUBTYPE_CURRENT_DISC:
    return "current discovery subsystem";
  default:
    return "unknown";
  }
}
