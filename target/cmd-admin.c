/* SPDX-License-Identifier: BSD-3-Clause */
/* Admin commands: Identify, Get Log Page, Set/Get Features, Asynchronous
 * Event Request, Keep Alive and Abort, for NVM and discovery controllers.
 * Behaviour follows Linux nvmet where the specification leaves room. */
#include <config.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "target.h"

#define ADMIN_XFER_MAX (16u << 20) /* log pages, when MDTS is 0 */

/* Space-padded, not NUL-terminated, as Identify strings are. */
static void
put_padded (char *dst, size_t n, const char *src)
{
  size_t len = strnlen (src, n);

  memset (dst, ' ', n);
  memcpy (dst, src, len);
}

static void
identify_ctrl (struct conn *c, struct nvme_id_ctrl *id)
{
  struct conn_info *ci = conn_info (c);
  struct tgt_ctrl *ctrl = ci->ctrl;
  const struct tgt_subsys *ss = ctrl->subsys;
  bool disc = ss->discovery;

  put_padded (id->sn, sizeof id->sn, ss->serial);
  put_padded (id->mn, sizeof id->mn, ss->model);
  put_padded (id->fr, sizeof id->fr, ss->firmware);
  id->rab = 6;
  /* As nvmet: several ports and controllers, and ANA reporting. */
  id->cmic = disc ? 0 :
                    NVME_CTRL_CMIC_MULTI_PORT | NVME_CTRL_CMIC_MULTI_CTRL |
                      NVME_CTRL_CMIC_ANA;
  id->mdts = cfg.mdts;
  PUT16 (id->cntlid, ctrl->cntlid);
  PUT32 (id->ver, ss->version);
  PUT32 (id->oaes,
         disc ? 0 : NVME_CTRL_OAES_NS_ATTR | NVME_CTRL_OAES_ANA_CHANGE);
  PUT32 (id->ctratt, NVME_CTRL_CTRATT_HID_128_BIT | NVME_CTRL_CTRATT_TBKAS);
  id->cntrltype = disc ? NVME_CTRL_TYPE_DISCOVERY : NVME_CTRL_TYPE_IO;
  id->acl = 3;
  id->aerl = TGT_AERL;
  id->lpa = NVME_CTRL_LPA_EXTENDED;
  id->elpe = 0;
  PUT16 (id->kas, 10); /* 1 s granularity, as nvmet */
  id->sqes = NVME_SQES_LOG2 << 4 | NVME_SQES_LOG2;
  id->cqes = NVME_CQES_LOG2 << 4 | NVME_CQES_LOG2;
  PUT16 (id->maxcmd, TGT_MQES + 1);
  PUT32 (id->nn, ss->nn);
  PUT32 (id->mnan, ss->nn);
  if (!disc) {
    PUT16 (id->oncs, NVME_CTRL_ONCS_DSM | NVME_CTRL_ONCS_WRITE_ZEROES);
    id->nwpc = 1; /* Write Protect and No Write Protect states */
    id->anatt = TGT_ANATT;
    id->anacap = NVME_CTRL_ANACAP_OPTIMIZED | NVME_CTRL_ANACAP_NON_OPTIMIZED |
                 NVME_CTRL_ANACAP_INACCESSIBLE |
                 NVME_CTRL_ANACAP_PERSISTENT_LOSS | NVME_CTRL_ANACAP_CHANGE;
    PUT32 (id->anagrpmax, TGT_ANAGRP_MAX);
    PUT32 (id->nanagrpid, TGT_ANAGRP_MAX);
  }
  id->vwc =
    NVME_CTRL_VWC_FLUSH_BCAST_YES | (ss->vwc ? NVME_CTRL_VWC_PRESENT : 0);
  PUT32 (id->sgls, NVME_CTRL_SGLS_SUPPORTED | NVME_CTRL_SGLS_OFFSET);
  memcpy (id->subnqn, ss->nqn, strlen (ss->nqn)); /* NUL padded */
  PUT32 (id->ioccsz,
         disc ?
           sizeof (struct nvme_sqe) / 16 :
           (sizeof (struct nvme_sqe) + ci->port->inline_data_size + 15) / 16);
  PUT32 (id->iorcsz, sizeof (struct nvme_cqe) / 16);
  PUT16 (id->icdoff, 0);
  id->fcatt = 0; /* dynamic controller model */
  id->msdbd = 1;
}

static void
identify_ns (const struct tgt_ns *ns, struct nvme_id_ns *id)
{
  PUT64 (id->nsze, ns->nlbas);
  PUT64 (id->ncap, ns->nlbas);
  PUT64 (id->nuse, ns->nlbas);
  id->nlbaf = 0;
  id->flbas = 0;
  id->nmic = NVME_NS_NMIC_SHARED;
  id->dlfeat = NVME_NS_DLFEAT_WZ_DEAC | NVME_NS_DLFEAT_READ_ZEROES;
  if (atomic_load (&ns->wp) != WP_NONE)
    id->nsattr = NVME_NS_NSATTR_WRITE_PROTECTED;
  memcpy (id->nguid, ns->nguid, sizeof id->nguid);
  memcpy (id->eui64, ns->eui64, sizeof id->eui64);
  id->lbaf[0].lbads = ns->lba_shift;
  PUT32 (id->anagrpid, ns->anagrpid);
}

static bool
all_zero (const uint8_t *p, size_t n)
{
  while (n--)
    if (*p++)
      return false;
  return true;
}

static uint8_t *
add_desc (uint8_t *p, uint8_t type, const void *id, uint8_t len)
{
  struct nvme_ns_id_desc d = { .nidt = type, .nidl = len };

  memcpy (p, &d, sizeof d);
  memcpy (p + sizeof d, id, len);
  return p + sizeof d + len;
}

static void
exec_identify (struct conn *c, struct req *r)
{
  const struct tgt_subsys *ss = conn_info (c)->ctrl->subsys;
  uint8_t cns = GET32 (r->sqe.cdw10) & 0xFF;
  uint32_t nsid = GET32 (r->sqe.nsid);
  const struct tgt_ns *ns;
  uint8_t *p = r->data;
  size_t i, n;

  memset (r->data, 0, NVME_IDENTIFY_LEN);
  stat_add (STAT_IDENTIFY, 1);
  if (cns == NVME_ID_CNS_CTRL) {
    identify_ctrl (c, (struct nvme_id_ctrl *) r->data);
    return;
  }
  if (ss->discovery) {
    r->status = NVME_SC_INVALID_FIELD;
    return;
  }
  switch (cns) {
  case NVME_ID_CNS_NS:
    if (nsid == 0 || nsid == NVME_NSID_ALL || nsid > ss->nn) {
      r->status = NVME_SC_INVALID_NS;
      return;
    }
    ns = subsys_find_ns (ss, nsid);
    if (ns) /* an inactive NSID reads as zeroes */
      identify_ns (ns, (struct nvme_id_ns *) r->data);
    return;
  case NVME_ID_CNS_ACTIVE_NS_LIST:
    if (nsid >= 0xFFFFFFFEu) {
      r->status = NVME_SC_INVALID_NS;
      return;
    }
    for (i = 0, n = 0; i < ss->nr_ns && n < NVME_ID_ACTIVE_NS_LIST_MAX; i++)
      if (ss->ns[i].nsid > nsid)
        put_le32 (p + 4 * n++, ss->ns[i].nsid);
    return;
  case NVME_ID_CNS_NS_ID_DESC:
    ns = subsys_find_ns (ss, nsid);
    if (!ns) {
      r->status = NVME_SC_INVALID_NS;
      return;
    }
    if (!all_zero (ns->eui64, 8))
      p = add_desc (p, NVME_NIDT_EUI64, ns->eui64, NVME_NIDT_EUI64_LEN);
    if (!all_zero (ns->nguid, 16))
      p = add_desc (p, NVME_NIDT_NGUID, ns->nguid, NVME_NIDT_NGUID_LEN);
    if (!all_zero (ns->uuid, 16))
      p = add_desc (p, NVME_NIDT_UUID, ns->uuid, NVME_NIDT_UUID_LEN);
    {
      uint8_t csi = NVME_CSI_NVM;
      add_desc (p, NVME_NIDT_CSI, &csi, NVME_NIDT_CSI_LEN);
    }
    return;
  default:
    r->status = NVME_SC_INVALID_FIELD;
  }
}

static void
put_le128 (uint8_t *p, uint64_t v)
{
  memset (p, 0, 16);
  put_le64 (p, v);
}

static void
smart_log (struct nvme_smart_log *s)
{
  PUT16 (s->temperature, 273 + 30);
  s->avail_spare = 100;
  s->spare_thresh = 10;
  /* Data units are thousands of 512-byte units, rounded up. */
  put_le128 (s->data_units_read,
             (stat_get (STAT_BYTES_READ) / 512 + 999) / 1000);
  put_le128 (s->data_units_written,
             (stat_get (STAT_BYTES_WRITTEN) / 512 + 999) / 1000);
  put_le128 (s->host_reads, stat_get (STAT_READ));
  put_le128 (s->host_writes, stat_get (STAT_WRITE));
  put_le128 (s->power_cycles, 1);
}

/* Build the whole page, then copy the part the host asked for. */
static void
exec_get_log (struct conn *c, struct req *r)
{
  struct conn_info *ci = conn_info (c);
  const struct tgt_subsys *ss = ci->ctrl->subsys;
  uint32_t cdw10 = GET32 (r->sqe.cdw10);
  uint8_t lid = cdw10 & 0xFF, lsp = (cdw10 >> 8) & 0x7F;
  uint64_t off = GET32 (r->sqe.cdw12) | (uint64_t) GET32 (r->sqe.cdw13) << 32;
  uint8_t small[4096];
  uint8_t *page = small, *heap = NULL;
  size_t size;

  memset (small, 0, sizeof small);
  if (ss->discovery) {
    if (lid != NVME_LOG_DISCOVERY) {
      r->status = NVME_SC_INVALID_FIELD;
      return;
    }
    page = heap = discovery_log_build (ci->ctrl, &ci->local, &size);
    if (!page) {
      r->status = NVME_SC_INTERNAL;
      return;
    }
  }
  else {
    switch (lid) {
    case NVME_LOG_ERROR:
      size = NVME_LOG_ERROR_ENTRY_LEN; /* one entry (ELPE 0), empty */
      break;
    case NVME_LOG_SMART:
      size = sizeof (struct nvme_smart_log);
      smart_log ((struct nvme_smart_log *) small);
      break;
    case NVME_LOG_CHANGED_NS: /* namespaces never change here */
      size = NVME_LOG_CHANGED_NS_MAX * 4;
      break;
    case NVME_LOG_ANA:
      if (lsp & ~NVME_LOG_ANA_LSP_RGO) {
        r->status = NVME_SC_INVALID_FIELD;
        return;
      }
      page = heap =
        ana_log_build (ss, ci->port, lsp & NVME_LOG_ANA_LSP_RGO, &size);
      if (!page) {
        r->status = NVME_SC_INTERNAL;
        return;
      }
      /* Read without Retain Asynchronous Event: the notice is re-armed. */
      if (!(cdw10 & NVME_LOG_RAE))
        ctrl_ana_log_read (ci->ctrl);
      break;
    default:
      r->status = NVME_SC_INVALID_FIELD;
      return;
    }
  }
  if ((off & 3) || off > size) {
    r->status = NVME_SC_INVALID_FIELD;
    free (heap);
    return;
  }
  memset (r->data, 0, r->len);
  memcpy (r->data, page + off, size - off < r->len ? size - off : r->len);
  free (heap);
}

static void
exec_set_features (struct conn *c, struct req *r)
{
  struct tgt_ctrl *ctrl = conn_info (c)->ctrl;
  uint32_t cdw10 = GET32 (r->sqe.cdw10), v = GET32 (r->sqe.cdw11);
  uint32_t nsid = GET32 (r->sqe.nsid), granted;
  struct tgt_ns *ns;

  if (cdw10 & NVME_FEAT_SV) {
    r->status = NVME_SC_FEATURE_NOT_SAVEABLE;
    return;
  }
  switch (cdw10 & NVME_FEAT_FID_MASK) {
  case NVME_FEAT_NUM_QUEUES:
    if (ctrl->subsys->discovery || (v & 0xFFFF) == 0xFFFF ||
        (v >> 16) == 0xFFFF)
      goto invalid;
    granted = (v & 0xFFFF) + 1;
    if ((v >> 16) + 1 < granted)
      granted = (v >> 16) + 1;
    if (granted > ctrl->subsys->max_qid)
      granted = ctrl->subsys->max_qid;
    pthread_mutex_lock (&ctrl->lock);
    ctrl->nr_io_queues = granted;
    pthread_mutex_unlock (&ctrl->lock);
    r->dw0 = (granted - 1) | (granted - 1) << 16;
    return;
  case NVME_FEAT_KATO:
    atomic_store (&ctrl->kato_ms, v);
    ctrl_touch (ctrl);
    return;
  case NVME_FEAT_ASYNC_EVENT:
    pthread_mutex_lock (&ctrl->lock);
    ctrl->aec = v;
    pthread_mutex_unlock (&ctrl->lock);
    return;
  case NVME_FEAT_VOLATILE_WC:
    if (ctrl->subsys->discovery)
      goto invalid;
    if (!ctrl->subsys->vwc) {
      r->status = NVME_SC_FEATURE_NOT_CHANGEABLE;
      return;
    }
    atomic_store (&ctrl->wce, (v & NVME_FEAT_VWC_WCE) != 0);
    return;
  case NVME_FEAT_WRITE_PROTECT:
    ns = ctrl->subsys->discovery ? NULL : subsys_find_ns (ctrl->subsys, nsid);
    if (!ns) {
      r->status = NVME_SC_INVALID_NS;
      return;
    }
    if (atomic_load (&ns->wp) == WP_PERMANENT) {
      r->status = NVME_SC_FEATURE_NOT_CHANGEABLE;
      return;
    }
    switch (v & 7) {
    case NVME_WP_NONE:
      atomic_store (&ns->wp, WP_NONE);
      return;
    case NVME_WP_WRITE_PROTECT:
      backend_sync (&ns->be, false);
      atomic_store (&ns->wp, WP_ON);
      return;
    default: /* as nvmet: only 0 and 1 */
      goto invalid;
    }
  default:
    goto invalid;
  }
invalid:
  r->status = NVME_SC_INVALID_FIELD;
}

static void
exec_get_features (struct conn *c, struct req *r)
{
  struct tgt_ctrl *ctrl = conn_info (c)->ctrl;
  uint32_t cdw10 = GET32 (r->sqe.cdw10), nsid = GET32 (r->sqe.nsid);
  unsigned sel = (cdw10 >> NVME_FEAT_SEL_SHIFT) & 7;
  uint8_t fid = cdw10 & NVME_FEAT_FID_MASK;
  bool disc = ctrl->subsys->discovery;
  struct tgt_ns *ns;
  unsigned n;

  if (sel > NVME_FEAT_SEL_SUPPORTED)
    goto invalid;
  if (sel == NVME_FEAT_SEL_SUPPORTED) {
    /* Capabilities: changeable, not saveable; 84h is per namespace. */
    switch (fid) {
    case NVME_FEAT_NUM_QUEUES:
    case NVME_FEAT_VOLATILE_WC:
      if (disc)
        goto invalid;
      /* fall through */
    case NVME_FEAT_KATO:
    case NVME_FEAT_ASYNC_EVENT:
      r->dw0 = 1u << 2;
      return;
    case NVME_FEAT_WRITE_PROTECT:
      if (disc)
        goto invalid;
      r->dw0 = 1u << 2 | 1u << 1;
      return;
    default:
      goto invalid;
    }
  }
  pthread_mutex_lock (&ctrl->lock);
  switch (fid) {
  case NVME_FEAT_NUM_QUEUES:
    n = ctrl->nr_io_queues ? ctrl->nr_io_queues : ctrl->subsys->max_qid;
    r->dw0 = disc ? 0 : (n - 1) | (n - 1) << 16;
    break;
  case NVME_FEAT_KATO:
    r->dw0 = atomic_load (&ctrl->kato_ms);
    break;
  case NVME_FEAT_ASYNC_EVENT:
    r->dw0 = sel != NVME_FEAT_SEL_DEFAULT ? ctrl->aec :
             disc                         ? 0 :
                                            NVME_AEC_ANA_CHANGE;
    break;
  case NVME_FEAT_VOLATILE_WC:
    r->dw0 = sel == NVME_FEAT_SEL_DEFAULT ? ctrl->subsys->vwc :
                                            atomic_load (&ctrl->wce);
    break;
  case NVME_FEAT_WRITE_PROTECT:
    ns = disc ? NULL : subsys_find_ns (ctrl->subsys, nsid);
    if (!ns)
      r->status = NVME_SC_INVALID_NS;
    else
      r->dw0 = atomic_load (&ns->wp);
    break;
  default:
    r->status = NVME_SC_INVALID_FIELD;
  }
  pthread_mutex_unlock (&ctrl->lock);
  if ((fid == NVME_FEAT_NUM_QUEUES || fid == NVME_FEAT_VOLATILE_WC) && disc)
    r->status = NVME_SC_INVALID_FIELD;
  return;
invalid:
  r->status = NVME_SC_INVALID_FIELD;
}

/* Held until an event (ctrl_aen_take), unless one is waiting. */
static void
exec_aer (struct conn *c, struct req *r)
{
  struct tgt_ctrl *ctrl = conn_info (c)->ctrl;

  pthread_mutex_lock (&ctrl->lock);
  if (ctrl->ana_pending) {
    ctrl->ana_pending = false;
    ctrl->ana_masked = true;
    r->dw0 = NVME_AER_TYPE_NOTICE | NVME_AER_NOTICE_ANA_CHANGE << 8 |
             (uint32_t) NVME_LOG_ANA << 16;
  }
  else
    r->state = REQ_AER;
  pthread_mutex_unlock (&ctrl->lock);
}

static void
exec_keep_alive (struct conn *c, struct req *r)
{
  (void) c;
  (void) r;
  stat_add (STAT_KEEP_ALIVE, 1);
}

static void
exec_abort (struct conn *c, struct req *r)
{
  (void) c;
  r->dw0 = 1; /* the command was not aborted */
}

uint16_t
admin_prepare (struct conn *c, struct req *r)
{
  struct conn_info *ci = conn_info (c);
  bool disc = ci->ctrl->subsys->discovery;
  uint32_t cdw10 = GET32 (r->sqe.cdw10);
  uint64_t numd, max;

  atomic_fetch_add_explicit (&ci->port->nr_admin, 1, memory_order_relaxed);
  if (!atomic_load (&ci->ctrl->ready))
    return NVME_SC_CMD_SEQ_ERROR;
  switch (r->sqe.opcode) {
  case NVME_ADMIN_IDENTIFY:
    r->dir = DIR_C2H;
    r->len = NVME_IDENTIFY_LEN;
    r->exec = exec_identify;
    break;
  case NVME_ADMIN_GET_LOG_PAGE:
    numd = ((uint64_t) (GET32 (r->sqe.cdw11) & 0xFFFF) << 16 | cdw10 >> 16) + 1;
    max = max_transfer_bytes ();
    if (max == 0 || max > ADMIN_XFER_MAX)
      max = ADMIN_XFER_MAX;
    if (numd * 4 > max)
      return NVME_SC_INVALID_FIELD;
    r->dir = DIR_C2H;
    r->len = numd * 4;
    r->exec = exec_get_log;
    break;
  case NVME_ADMIN_SET_FEATURES:
    r->exec = exec_set_features;
    return 0;
  case NVME_ADMIN_GET_FEATURES:
    r->exec = exec_get_features;
    return 0;
  case NVME_ADMIN_ASYNC_EVENT:
    if (ci->nr_aer > TGT_AERL)
      return NVME_SC_AER_LIMIT;
    r->exec = exec_aer;
    return 0;
  case NVME_ADMIN_KEEP_ALIVE:
    r->exec = exec_keep_alive;
    return 0;
  case NVME_ADMIN_ABORT:
    if (disc)
      return NVME_SC_INVALID_OPCODE;
    r->exec = exec_abort;
    return 0;
  default:
    return NVME_SC_INVALID_OPCODE;
  }
  r->data = req_buf (c, r, r->len);
  return r->data ? 0 : NVME_SC_INTERNAL;
}
