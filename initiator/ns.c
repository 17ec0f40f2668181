/* SPDX-License-Identifier: BSD-3-Clause */
/* Namespaces: Identify Namespace (LBA format from FLBAS including its high
 * index bits; metadata and protection information refused), the
 * Namespace Identification Descriptors, and the limits and facts of
 * struct nvmeof_ns_info. */
#include <config.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "errors.h"

static bool
all_zero (const uint8_t *p, size_t n)
{
  size_t i;

  for (i = 0; i < n; i++)
    if (p[i])
      return false;
  return true;
}

/* A size hint of blocks in bytes: up to 65536 blocks of up to 1 MiB may
 * not fit the 32 bits of the field, and a hint cut short would be wrong:
 * such a hint is dropped (0, as if not reported). */
static uint32_t
hint_bytes (uint32_t blocks, uint8_t lbads)
{
  uint64_t bytes = (uint64_t) blocks << lbads;

  return bytes > UINT32_MAX ? 0 : (uint32_t) bytes;
}

int
ns_parse_identify (const struct nvme_id_ns *id, uint32_t nsid,
                   struct nvmeof_ns_info *info, char *err, size_t errlen)
{
  unsigned idx = nvme_flbas_index (id->flbas);
  const struct nvme_lbaf *lbaf;
  uint8_t lbads;
  uint16_t ms;

  memset (info, 0, sizeof *info);
  info->nsid = nsid;
  info->nsze = GET64 (id->nsze);
  if (info->nsze == 0) {
    msgf (err, errlen, "namespace %" PRIu32 " is not active (NSZE 0)", nsid);
    return -ENOENT;
  }
  if (idx > id->nlbaf || idx >= 64) {
    msgf (err, errlen,
          "namespace %" PRIu32 ": FLBAS selects LBA format "
          "%u but only %u are reported (NLBAF)",
          nsid, idx, id->nlbaf + 1u);
    return -EPROTO;
  }
  lbaf = &id->lbaf[idx];
  lbads = lbaf->lbads;
  ms = GET16 (lbaf->ms);
  if (lbads < 9 || lbads > 20) {
    msgf (err, errlen,
          "namespace %" PRIu32 ": LBA format %u has an "
          "unsupported block size 2^%u",
          nsid, idx, lbads);
    return -ENOTSUP;
  }
  if (ms != 0) {
    msgf (err, errlen,
          "namespace %" PRIu32 " is formatted with %u bytes "
          "of metadata per block (LBA format %u): not supported",
          nsid, ms, idx);
    return -ENOTSUP;
  }
  if (id->dps & 0x7) {
    msgf (err, errlen,
          "namespace %" PRIu32 " uses end-to-end protection "
          "information (type %u): not supported",
          nsid, id->dps & 0x7);
    return -ENOTSUP;
  }
  info->lbaf = idx;
  info->lba_size = 1u << lbads;
  if (info->nsze > UINT64_MAX >> lbads) {
    msgf (err, errlen, "namespace %" PRIu32 ": NSZE %" PRIu64 " is too large",
          nsid, info->nsze);
    return -EPROTO;
  }
  info->size = info->nsze << lbads;
  info->write_protected = (id->nsattr & NVME_NS_NSATTR_WRITE_PROTECTED) != 0;
  info->wz_deallocate = (id->dlfeat & NVME_NS_DLFEAT_WZ_DEAC) != 0;
  info->deallocated_reads_zero =
    (id->dlfeat & NVME_NS_DLFEAT_READ_MASK) == NVME_NS_DLFEAT_READ_ZEROES;
  /* NOIOB is reported in blocks, 0 if none. */
  info->optimal_io_boundary = hint_bytes (GET16 (id->noiob), lbads);
  if (id->nsfeat & NVME_NS_NSFEAT_OPTPERF) {
    /* 0's based, in blocks. */
    info->preferred_write_granularity =
      hint_bytes ((uint32_t) GET16 (id->npwg) + 1, lbads);
    info->optimal_write_size =
      hint_bytes ((uint32_t) GET16 (id->nows) + 1, lbads);
  }
  if (!all_zero (id->nguid, sizeof id->nguid)) {
    info->has_nguid = true;
    memcpy (info->nguid, id->nguid, sizeof info->nguid);
  }
  if (!all_zero (id->eui64, sizeof id->eui64)) {
    info->has_eui64 = true;
    memcpy (info->eui64, id->eui64, sizeof info->eui64);
  }
  return 0;
}

int
ns_parse_descriptors (const uint8_t *page, size_t len,
                      struct nvmeof_ns_info *info, char *err, size_t errlen)
{
  size_t off = 0;

  while (off + sizeof (struct nvme_ns_id_desc) <= len) {
    const struct nvme_ns_id_desc *d = (const void *) (page + off);
    const uint8_t *nid = page + off + sizeof *d;
    size_t want = 0;

    if (d->nidl == 0)
      break; /* end of the list */
    if (off + sizeof *d + d->nidl > len) {
      msgf (err, errlen,
            "namespace identification descriptor at byte "
            "%zu (type %u, %u bytes) runs past the end of the list",
            off, d->nidt, d->nidl);
      return -EPROTO;
    }
    switch (d->nidt) {
    case NVME_NIDT_EUI64:
      want = NVME_NIDT_EUI64_LEN;
      break;
    case NVME_NIDT_NGUID:
      want = NVME_NIDT_NGUID_LEN;
      break;
    case NVME_NIDT_UUID:
      want = NVME_NIDT_UUID_LEN;
      break;
    case NVME_NIDT_CSI:
      want = NVME_NIDT_CSI_LEN;
      break;
    default:
      break; /* unknown types are skipped */
    }
    if (want && d->nidl != want) {
      msgf (err, errlen,
            "namespace identification descriptor type %u "
            "has length %u, must be %zu",
            d->nidt, d->nidl, want);
      return -EPROTO;
    }
    switch (d->nidt) {
    case NVME_NIDT_EUI64:
      memcpy (info->eui64, nid, 8);
      info->has_eui64 = true;
      break;
    case NVME_NIDT_NGUID:
      memcpy (info->nguid, nid, 16);
      info->has_nguid = true;
      break;
    case NVME_NIDT_UUID:
      memcpy (info->uuid, nid, 16);
      info->has_uuid = true;
      break;
    default:
      break;
    }
    off += sizeof *d + d->nidl;
  }
  return 0;
}

struct nvmeof_ns *
nvmeof_ns_open (struct nvmeof_ctrl *ctrl, uint32_t nsid)
{
  struct nvmeof_ns *ns;
  uint8_t *page;
  char err[256];
  uint16_t status = 0;
  uint32_t shift, max;
  int r;

  if (ctrl == NULL) {
    set_error (EINVAL, "nvmeof_ns_open: ctrl is NULL");
    return NULL;
  }
  if (ctrl->mp)
    return mpath_ns_open (ctrl, nsid);
  if (ctrl->info.discovery) {
    set_error (EINVAL,
               "nvmeof_ns_open: %s is a discovery controller, it has "
               "no namespaces",
               ctrl->addr);
    return NULL;
  }
  if (nsid == 0 || nsid == NVME_NSID_ALL) {
    set_error (EINVAL,
               "nvmeof_ns_open: namespace ID %" PRIu32 " is not "
               "valid (1..%" PRIu32 ")",
               nsid, NVME_NSID_ALL - 1);
    return NULL;
  }
  ns = calloc (1, sizeof *ns);
  page = malloc (NVME_IDENTIFY_LEN);
  if (ns == NULL || page == NULL) {
    set_error (ENOMEM, "out of memory");
    goto err;
  }
  ns->ctrl = ctrl;
  if (admin_identify (ctrl, NVME_ID_CNS_NS, nsid, 0, page, &status) < 0) {
    if (NVME_STATUS_CODE (status) == NVME_SC_INVALID_NS)
      set_error (ENOENT, "namespace %" PRIu32 " does not exist on %s (%s)",
                 nsid, ctrl->opts.subnqn, ctrl->addr);
    goto err;
  }
  r = ns_parse_identify ((const struct nvme_id_ns *) page, nsid, &ns->info, err,
                         sizeof err);
  if (r < 0) {
    set_error (-r, "%s (%s)", err, ctrl->opts.subnqn);
    goto err;
  }
  /* The descriptors add the UUID; older controllers may not know CNS 03h. */
  memset (page, 0, NVME_IDENTIFY_LEN);
  if (admin_identify (ctrl, NVME_ID_CNS_NS_ID_DESC, nsid, 0, page, NULL) == 0) {
    r = ns_parse_descriptors (page, NVME_IDENTIFY_LEN, &ns->info, err,
                              sizeof err);
    if (r < 0) {
      set_error (-r, "namespace %" PRIu32 ": %s", nsid, err);
      goto err;
    }
  }

  shift = __builtin_ctz (ns->info.lba_size);
  ns->lba_shift = shift;
  max = ctrl->info.max_transfer >> shift;
  if (max == 0)
    max = 1;
  if (max > 65536) /* NLB is 16 bits */
    max = 65536;
  ns->max_blocks = max;
  ns->info.max_transfer = max << shift;
  ns->max_wz_blocks = 65536;
  if (((uint64_t) ns->max_wz_blocks << shift) > UINT32_MAX)
    ns->max_wz_blocks = UINT32_MAX >> shift;
  ns->info.max_write_zeroes = ns->max_wz_blocks << shift;
  ns->info.volatile_write_cache = (ctrl->id.vwc & NVME_CTRL_VWC_PRESENT) != 0;
  ns->info.has_write_zeroes =
    (ctrl->id.oncs & NVME_CTRL_ONCS_WRITE_ZEROES) != 0;
  ns->info.has_deallocate = (ctrl->id.oncs & NVME_CTRL_ONCS_DSM) != 0;
  free (page);
  return ns;

err:
  free (page);
  free (ns);
  return NULL;
}

void
nvmeof_ns_close (struct nvmeof_ns *ns)
{
  if (ns && ns->mpns) {
    mpath_ns_close (ns);
    return;
  }
  free (ns);
}

const struct nvmeof_ns_info *
nvmeof_ns_get_info (struct nvmeof_ns *ns)
{
  if (ns == NULL) {
    set_error (EINVAL, "nvmeof_ns_get_info: ns is NULL");
    return NULL;
  }
  return &ns->info;
}
