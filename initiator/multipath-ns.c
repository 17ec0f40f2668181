/* SPDX-License-Identifier: BSD-3-Clause */
/* The namespaces of a multipath controller: one namespace opened on every
 * path, accepted only if it shows the same identifiers there (at least one
 * of NGUID, EUI-64 and UUID in common with the first path's, none that
 * differs, the same size and LBA size: never the NSID alone), with its ANA
 * group on each path.  A path that is down when the namespace is opened
 * gets it later from the path thread (mpath_path_open_missing). */
#include <config.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "errors.h"
#include "multipath-int.h"

static void
hex (const uint8_t *b, size_t n, char *out)
{
  size_t k;

  for (k = 0; k < n; k++)
    snprintf (out + 2 * k, 3, "%02x", b[k]);
}

/* Do a and b name the same namespace?  At least one identifier on both,
 * and none that differs.  Else a sentence in err. */
static bool
same_namespace (const struct nvmeof_ns_info *a, const struct nvmeof_ns_info *b,
                char *err, size_t errlen)
{
  char x[33], y[33];
  int common = 0;

#define CMP(has, field, name) \
  if (a->has && b->has) { \
    if (memcmp (a->field, b->field, sizeof a->field) != 0) { \
      hex (a->field, sizeof a->field, x); \
      hex (b->field, sizeof b->field, y); \
      snprintf (err, errlen, "its %s is %s, the first path's %s", name, y, x); \
      return false; \
    } \
    common++; \
  }
  CMP (has_nguid, nguid, "NGUID");
  CMP (has_eui64, eui64, "EUI-64");
  CMP (has_uuid, uuid, "UUID");
#undef CMP
  if (common == 0) {
    snprintf (err, errlen,
              "it shares no identifier (NGUID, EUI-64, UUID) "
              "with the first path's: multipath needs one to "
              "know it is the same namespace");
    return false;
  }
  if (a->lba_size != b->lba_size || a->size != b->size) {
    snprintf (err, errlen,
              "its size or LBA size differs from the first "
              "path's");
    return false;
  }
  return true;
}

/* The namespace's ANA group on path i (Identify Namespace ANAGRPID). */
static int
read_anagrpid (struct nvmeof_ctrl *c, uint32_t nsid, uint32_t *grpid)
{
  uint8_t *page = malloc (NVME_IDENTIFY_LEN);

  if (page == NULL) {
    set_error (ENOMEM, "out of memory");
    return -1;
  }
  if (nvmeof_identify (c, NVME_ID_CNS_NS, nsid, page) < 0) {
    free (page);
    return -1;
  }
  *grpid = GET32 (((const struct nvme_id_ns *) page)->anagrpid);
  free (page);
  return 0;
}

/* Open mns on path i.  0; -1 with the error set if the path could not
 * (it may be down: the path thread tries again); -2 if the path shows
 * another namespace (refused for good). */
static int
open_on_path (struct mpath *mp, struct mpath_ns *mns, size_t i,
              const struct nvmeof_ns_info *ref)
{
  struct mpath_path *p = &mp->paths[i];
  struct nvmeof_ns *pns;
  uint32_t grpid = 0;
  char err[256];
  bool ana;

  if (atomic_load (&p->ctrl) == NULL) {
    set_error (ENOTCONN, "path %s: not connected yet", p->addr);
    return -1; /* it opens them when it joins */
  }
  pns = nvmeof_ns_open (p->ctrl, mns->nsid);
  if (pns == NULL)
    return -1;
  if (ref && !same_namespace (ref, &pns->info, err, sizeof err)) {
    set_error (EINVAL,
               "path %s: namespace %" PRIu32 " is not the first "
               "path's namespace %" PRIu32 ": %s; path refused",
               p->addr, mns->nsid, mns->nsid, err);
    nvmeof_ns_close (pns);
    return -2;
  }
  pthread_mutex_lock (&mp->lock);
  ana = p->ana_reporting;
  pthread_mutex_unlock (&mp->lock);
  if (ana && read_anagrpid (p->ctrl, mns->nsid, &grpid) < 0) {
    nvmeof_ns_close (pns);
    return -1;
  }
  pthread_mutex_lock (&mp->lock);
  mns->anagrpid[i] = grpid;
  atomic_store (&mns->pns[i], pns);
  pthread_cond_broadcast (&mp->cond);
  pthread_mutex_unlock (&mp->lock);
  return 0;
}

struct nvmeof_ns *
mpath_ns_open (struct nvmeof_ctrl *ctrl, uint32_t nsid)
{
  struct mpath *mp = ctrl->mp;
  struct nvmeof_ns *ns = calloc (1, sizeof *ns);
  struct mpath_ns *mns = calloc (1, sizeof *mns);
  const struct nvmeof_ns_info *ref = NULL;
  size_t i, opened = 0;
  char first_err[512] = "";
  int first_errno = 0;

  if (ns == NULL || mns == NULL) {
    set_error (ENOMEM, "out of memory");
    goto err;
  }
  ns->ctrl = ctrl;
  ns->mpns = mns;
  mns->ns = ns;
  mns->nsid = nsid;
  for (i = 0; i < mp->nr_paths; i++) {
    int r = open_on_path (mp, mns, i, ref);

    if (r == -2)
      goto err; /* the message names the path and the identifiers */
    if (r < 0) {
      if (first_errno == 0) {
        first_errno = nvmeof_get_errno ();
        msgf (first_err, sizeof first_err, "%s", nvmeof_get_error ());
      }
      /* A path that is up but does not have it: refuse, as above. */
      if (atomic_load (&mp->paths[i].ctrl) &&
          !atomic_load (&mp->paths[i].ctrl->failed))
        goto err;
      continue; /* down: the path thread opens it when it is back */
    }
    if (ref == NULL) {
      ref = &atomic_load (&mns->pns[i])->info;
      ns->info = *ref;
      ns->lba_shift = atomic_load (&mns->pns[i])->lba_shift;
      ns->max_blocks = atomic_load (&mns->pns[i])->max_blocks;
      ns->max_wz_blocks = atomic_load (&mns->pns[i])->max_wz_blocks;
    }
    opened++;
  }
  if (opened == 0) {
    set_error (first_errno ? first_errno : EIO, "%s", first_err);
    goto err;
  }
  pthread_mutex_lock (&mp->lock);
  mns->next = mp->nslist;
  mp->nslist = mns;
  pthread_mutex_unlock (&mp->lock);
  return ns;

err:
  if (mns)
    for (i = 0; i < mp->nr_paths; i++)
      nvmeof_ns_close (atomic_load (&mns->pns[i]));
  free (mns);
  free (ns);
  return NULL;
}

void
mpath_ns_close (struct nvmeof_ns *ns)
{
  struct mpath *mp = ns->ctrl->mp;
  struct mpath_ns *mns = ns->mpns, **pp;
  size_t i;

  pthread_mutex_lock (&mp->lock);
  for (pp = &mp->nslist; *pp; pp = &(*pp)->next)
    if (*pp == mns) {
      *pp = mns->next;
      break;
    }
  pthread_mutex_unlock (&mp->lock);
  for (i = 0; i < mp->nr_paths; i++)
    nvmeof_ns_close (atomic_load (&mns->pns[i]));
  free (mns);
  free (ns);
}

/* Namespaces path i could not open while it was down. */
void
mpath_path_open_missing (struct mpath *mp, size_t i)
{
  for (;;) {
    struct mpath_ns *mns, *todo = NULL;
    const struct nvmeof_ns_info *ref = NULL;
    int r;

    pthread_mutex_lock (&mp->lock);
    for (mns = mp->nslist; mns; mns = mns->next)
      if (!mns->refused[i] && atomic_load (&mns->pns[i]) == NULL) {
        todo = mns;
        ref = &mns->ns->info;
        break;
      }
    pthread_mutex_unlock (&mp->lock);
    if (todo == NULL)
      return;
    r = open_on_path (mp, todo, i, ref);
    if (r == -1)
      return; /* down again: next tick */
    if (r == -2) {
      pthread_mutex_lock (&mp->lock);
      todo->refused[i] = true;
      msgf (mp->paths[i].ana_err, sizeof mp->paths[i].ana_err, "%s",
            nvmeof_get_error ());
      pthread_mutex_unlock (&mp->lock);
    }
  }
}
