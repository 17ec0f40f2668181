/* SPDX-License-Identifier: BSD-3-Clause */
/* Asymmetric Namespace Access for multipath: decoding the ANA log page
 * (LID 0Ch) with every count bounded by the page's length, reading it
 * from a path, and the Asynchronous Event Request kept outstanding on
 * each path's admin queue so that an ANA change notice makes the path
 * thread read the log again (as Linux's nvme_ana_work). */
#include <config.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "errors.h"
#include "multipath-int.h"

const char *
mpath_ana_state_name (uint8_t state)
{
  switch (state) {
  case NVME_ANA_OPTIMIZED:
    return "optimized";
  case NVME_ANA_NON_OPTIMIZED:
    return "non-optimized";
  case NVME_ANA_INACCESSIBLE:
    return "inaccessible";
  case NVME_ANA_PERSISTENT_LOSS:
    return "persistent-loss";
  case NVME_ANA_CHANGE:
    return "change";
  default:
    return "unknown";
  }
}

static bool
state_valid (uint8_t s)
{
  return s == NVME_ANA_OPTIMIZED || s == NVME_ANA_NON_OPTIMIZED ||
         s == NVME_ANA_INACCESSIBLE || s == NVME_ANA_PERSISTENT_LOSS ||
         s == NVME_ANA_CHANGE;
}

int
mpath_ana_parse (const uint8_t *page, size_t len, uint32_t grpmax,
                 struct mpath_ana_group *out, size_t max, size_t *nr,
                 uint64_t *chgcnt, char *err, size_t errlen)
{
  const struct nvme_ana_log_hdr *h = (const void *) page;
  size_t off = sizeof *h, g, k;
  uint16_t ngrps;

  *nr = 0;
  if (page == NULL || len < sizeof *h) {
    snprintf (err, errlen,
              "the ANA log page is %zu bytes, shorter than "
              "its 16-byte header",
              len);
    return -1;
  }
  ngrps = GET16 (h->ngrps);
  if (grpmax && ngrps > grpmax) {
    snprintf (err, errlen,
              "the ANA log page lists %u groups, more than "
              "the controller's ANAGRPMAX (%" PRIu32 ")",
              ngrps, grpmax);
    return -1;
  }
  if (ngrps > max) {
    snprintf (err, errlen,
              "the ANA log page lists %u groups, more than "
              "the %zu we keep",
              ngrps, max);
    return -1;
  }
  for (g = 0; g < ngrps; g++) {
    const struct nvme_ana_group_desc *d;
    uint32_t grpid, nnsids;
    uint8_t state;

    if (len - off < sizeof *d) {
      snprintf (err, errlen,
                "ANA group descriptor %zu of %u (byte %zu) "
                "runs past the end of the %zu-byte log page",
                g + 1, ngrps, off, len);
      return -1;
    }
    d = (const void *) (page + off);
    grpid = GET32 (d->grpid);
    nnsids = GET32 (d->nnsids);
    state = d->state & NVME_ANA_STATE_MASK;
    off += sizeof *d;
    if (grpid == 0 || (grpmax && grpid > grpmax)) {
      snprintf (err, errlen,
                "ANA group descriptor %zu has group ID %" PRIu32
                " (expected 1 to %" PRIu32 ")",
                g + 1, grpid, grpmax ? grpmax : UINT32_MAX);
      return -1;
    }
    if (!state_valid (state)) {
      snprintf (err, errlen,
                "ANA group %" PRIu32 " has state %u, which is "
                "not an ANA state",
                grpid, state);
      return -1;
    }
    if (nnsids > (len - off) / 4) {
      snprintf (err, errlen,
                "ANA group %" PRIu32 " lists %" PRIu32
                " namespaces, past the end of the %zu-byte "
                "log page",
                grpid, nnsids, len);
      return -1;
    }
    off += (size_t) nnsids * 4;
    for (k = 0; k < g; k++)
      if (out[k].grpid == grpid) {
        snprintf (err, errlen, "ANA group %" PRIu32 " is listed twice", grpid);
        return -1;
      }
    out[g].grpid = grpid;
    out[g].state = state;
  }
  *nr = ngrps;
  if (chgcnt)
    *chgcnt = GET64 (h->chgcnt);
  return 0;
}

uint8_t
mpath_ana_lookup (const struct mpath_ana_group *g, size_t nr, uint32_t grpid)
{
  size_t i;

  for (i = 0; i < nr; i++)
    if (g[i].grpid == grpid)
      return g[i].state;
  return 0;
}

int
mpath_ana_read (struct mpath *mp, size_t i)
{
  struct mpath_path *p = &mp->paths[i];
  struct nvmeof_ctrl *c = p->ctrl;
  struct mpath_ana_group *groups = NULL;
  uint64_t want, chgcnt = 0;
  uint32_t len, grpmax;
  uint8_t *page = NULL;
  size_t nr;
  char err[256];
  int r = -1;

  pthread_mutex_lock (&mp->lock);
  grpmax = p->anagrpmax;
  pthread_mutex_unlock (&mp->lock);
  /* The largest page the controller may return, as Linux sizes it:
   * every group and every namespace once; at most 1 MiB. */
  want = sizeof (struct nvme_ana_log_hdr) +
         (uint64_t) (grpmax ? grpmax : MPATH_ANA_GROUPS_MAX) *
           sizeof (struct nvme_ana_group_desc) +
         (uint64_t) c->id.nn * 4;
  if (want > 1024 * 1024)
    want = 1024 * 1024;
  len = (uint32_t) ((want + 3) & ~3ULL);
  page = calloc (1, len);
  groups = malloc (MPATH_ANA_GROUPS_MAX * sizeof *groups);
  if (page == NULL || groups == NULL) {
    set_error (ENOMEM, "out of memory");
    goto out;
  }
  atomic_store (&p->ana_dirty, false);
  if (nvmeof_get_log_page (c, NVME_LOG_ANA, 0, 0, 0, page, len) < 0)
    goto out;
  if (mpath_ana_parse (page, len, grpmax, groups, MPATH_ANA_GROUPS_MAX, &nr,
                       &chgcnt, err, sizeof err) < 0) {
    set_error (EPROTO, "path %s: %s", p->addr, err);
    goto out;
  }
  pthread_mutex_lock (&mp->lock);
  memcpy (p->ana, groups, nr * sizeof *groups);
  p->nr_ana = nr;
  p->ana_chgcnt = chgcnt;
  p->ana_valid = true;
  p->ana_err[0] = '\0';
  p->cooldown_until = 0;
  pthread_cond_broadcast (&mp->cond);
  pthread_mutex_unlock (&mp->lock);
  r = 0;
out:
  if (r < 0) {
    /* Read again later (the path stays out of use meanwhile). */
    pthread_mutex_lock (&mp->lock);
    msgf (p->ana_err, sizeof p->ana_err, "%s", nvmeof_get_error ());
    p->ana_retry_at = now_ms () + MPATH_COOLDOWN_MS;
    pthread_mutex_unlock (&mp->lock);
    atomic_store (&p->ana_dirty, true);
  }
  free (groups);
  free (page);
  return r;
}

void
mpath_kick (struct mpath *mp)
{
  pthread_mutex_lock (&mp->lock);
  pthread_cond_broadcast (&mp->cond);
  pthread_mutex_unlock (&mp->lock);
}

/* The AER completed (under the admin queue's lock: only flags here; the
 * path thread reads the log and sends the next request). */
static void
aer_done (struct nvmeof_queue *q, struct nvmeof_req *req)
{
  struct mpath_path *p = req->ctx;
  uint32_t dw0 = (uint32_t) req->result;

  (void) q;
  atomic_store (&p->aer_outstanding, false);
  if (req->err)
    return; /* the connection went: sent again after the reconnect */
  if (req->status) {
    /* Abort at a controller reset is normal; anything else means the
     * controller will not send events: the path thread reads the log
     * page after path errors instead. */
    if (NVME_STATUS_CODE (req->status) != NVME_SC_ABORT_REQUESTED &&
        NVME_STATUS_CODE (req->status) != NVME_SC_ABORTED_SQ_DELETED) {
      pthread_mutex_lock (&p->mp->lock);
      p->aer_unsupported = true;
      pthread_mutex_unlock (&p->mp->lock);
    }
    return;
  }
  /* Event type 2 (notice), information 03h (ANA change), log page 0Ch:
   * read it (reading it also re-enables the event).  Other notices'
   * pages are read too, so that their events are not left masked. */
  if ((dw0 & 0x7) == 2 && ((dw0 >> 8) & 0xff) == 3)
    atomic_store (&p->ana_dirty, true);
  mpath_kick (p->mp);
}

void
mpath_aer_arm (struct mpath *mp, size_t i)
{
  struct mpath_path *p = &mp->paths[i];
  struct nvmeof_ctrl *c = p->ctrl;
  struct nvmeof_req *req;
  bool unsupported;

  pthread_mutex_lock (&mp->lock);
  unsupported = p->aer_unsupported;
  pthread_mutex_unlock (&mp->lock);
  if (unsupported || atomic_load (&c->failed) ||
      atomic_exchange (&p->aer_outstanding, true))
    return;
  /* No deadline: it completes when the controller has something to say. */
  req = req_alloc (c->admin, false, aer_done, p, 0);
  if (req == NULL) {
    atomic_store (&p->aer_outstanding, false);
    return;
  }
  req->sqe.opcode = NVME_ADMIN_ASYNC_EVENT;
  if (req_submit (c->admin, req) < 0) {
    /* The queue failed: the request is failed by its receiver, whose
     * aer_done clears aer_outstanding. */
  }
}
