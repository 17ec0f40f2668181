/* SPDX-License-Identifier: BSD-3-Clause */
/* nvmeof_ctrl_get_paths: what nvme list-subsys shows of each path (its
 * address, controller ID, state and the ANA state of a namespace's
 * group), for a multipath controller and for an ordinary one. */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "errors.h"
#include "multipath-int.h"

static void
fill_addr (struct nvmeof_path_info *pi, struct nvmeof_ctrl *c)
{
  bool eth = c->opts.transport == NVMEOF_TRANSPORT_ETH;

  memset (pi, 0, sizeof *pi);
  snprintf (pi->transport, sizeof pi->transport, "%s", eth ? "eth" : "tcp");
  snprintf (pi->traddr, sizeof pi->traddr, "%s", c->opts.traddr);
  if (!eth)
    snprintf (pi->trsvcid, sizeof pi->trsvcid, "%s", opts_port (&c->opts));
  snprintf (pi->host_iface, sizeof pi->host_iface, "%s", c->opts.host_iface);
  pi->cntlid = c->info.cntlid;
}

static const char *
ctrl_state (struct nvmeof_ctrl *c)
{
  bool gone;

  if (!atomic_load (&c->failed))
    return "live";
  if (c->opts.ctrl_loss_tmo_s == 0)
    return "dead";
  pthread_mutex_lock (&c->fail_lock);
  gone = c->rc_gave_up;
  pthread_mutex_unlock (&c->fail_lock);
  return gone ? "dead" : "connecting";
}

/* nsid's ANA group on c (Identify Namespace), 0 if none. */
static uint32_t
ns_grpid (struct nvmeof_ctrl *c, uint32_t nsid)
{
  uint8_t *page = malloc (NVME_IDENTIFY_LEN);
  uint32_t g = 0;

  if (page && nvmeof_identify (c, NVME_ID_CNS_NS, nsid, page) == 0)
    g = GET32 (((const struct nvme_id_ns *) page)->anagrpid);
  free (page);
  return g;
}

/* The ANA state of nsid on an ordinary controller: Identify Controller
 * (CMIC, ANAGRPMAX), the group, the log page.  "" if not reported. */
static int
single_ana (struct nvmeof_ctrl *c, uint32_t nsid, char *out, size_t outlen)
{
  uint8_t *id = malloc (NVME_IDENTIFY_LEN);
  struct mpath_ana_group *g = malloc (MPATH_ANA_GROUPS_MAX * sizeof *g);
  uint8_t *page = NULL;
  uint32_t grpmax, grpid, len;
  size_t nr;
  char err[256];
  int r = -1;

  out[0] = '\0';
  if (id == NULL || g == NULL) {
    set_error (ENOMEM, "out of memory");
    goto out;
  }
  if (nvmeof_identify (c, NVME_ID_CNS_CTRL, 0, id) < 0)
    goto out;
  if (!(((const struct nvme_id_ctrl *) id)->cmic & NVME_CTRL_CMIC_ANA)) {
    r = 0;
    goto out;
  }
  grpmax = GET32 (((const struct nvme_id_ctrl *) id)->anagrpmax);
  grpid = ns_grpid (c, nsid);
  len = 16 +
        32 * (grpmax && grpmax < MPATH_ANA_GROUPS_MAX ? grpmax :
                                                        MPATH_ANA_GROUPS_MAX) +
        4 * (c->id.nn < 65536 ? c->id.nn : 65536);
  page = calloc (1, len);
  if (page == NULL) {
    set_error (ENOMEM, "out of memory");
    goto out;
  }
  if (nvmeof_get_log_page (c, NVME_LOG_ANA, 0, 0, 0, page, len) < 0)
    goto out;
  if (mpath_ana_parse (page, len, grpmax, g, MPATH_ANA_GROUPS_MAX, &nr, NULL,
                       err, sizeof err) < 0) {
    set_error (EPROTO, "%s: %s", c->addr, err);
    goto out;
  }
  snprintf (out, outlen, "%s",
            mpath_ana_state_name (mpath_ana_lookup (g, nr, grpid)));
  r = 0;
out:
  free (page);
  free (g);
  free (id);
  return r;
}

int64_t
nvmeof_ctrl_get_paths (struct nvmeof_ctrl *ctrl, uint32_t nsid,
                       struct nvmeof_path_info *paths, size_t max)
{
  struct mpath *mp;
  size_t i;

  if (ctrl == NULL || (paths == NULL && max > 0)) {
    set_error (EINVAL, "nvmeof_ctrl_get_paths: ctrl and paths must not be "
                       "NULL");
    return -1;
  }
  mp = ctrl->mp;
  if (mp == NULL) {
    if (max == 0)
      return 1;
    fill_addr (&paths[0], ctrl);
    snprintf (paths[0].state, sizeof paths[0].state, "%s", ctrl_state (ctrl));
    if (nsid && !ctrl->info.discovery &&
        single_ana (ctrl, nsid, paths[0].ana_state, sizeof paths[0].ana_state) <
          0)
      return -1;
    return 1;
  }
  for (i = 0; i < mp->nr_paths && i < max; i++) {
    struct mpath_path *p = &mp->paths[i];
    struct nvmeof_path_info *pi = &paths[i];
    struct mpath_ns *mns;
    uint32_t grpid = 0;
    bool have = false, live, ana;

    struct nvmeof_ctrl *c = atomic_load (&p->ctrl);

    if (c == NULL) { /* not joined yet (multipath-join.c) */
      const struct nvmeof_opts *o = p->join_opts;

      memset (pi, 0, sizeof *pi);
      snprintf (pi->transport, sizeof pi->transport, "%s",
                o->transport == NVMEOF_TRANSPORT_ETH ? "eth" : "tcp");
      snprintf (pi->traddr, sizeof pi->traddr, "%s", o->traddr);
      if (o->transport != NVMEOF_TRANSPORT_ETH)
        snprintf (pi->trsvcid, sizeof pi->trsvcid, "%s", opts_port (o));
      snprintf (pi->host_iface, sizeof pi->host_iface, "%s", o->host_iface);
      pthread_mutex_lock (&mp->lock);
      snprintf (pi->state, sizeof pi->state, "%s",
                atomic_load (&p->join_dead) ? "dead" : "connecting");
      snprintf (pi->reason, sizeof pi->reason, "%s", p->join_err);
      pthread_mutex_unlock (&mp->lock);
      if (nsid)
        snprintf (pi->ana_state, sizeof pi->ana_state, "inaccessible");
      continue;
    }
    fill_addr (pi, c);
    snprintf (pi->state, sizeof pi->state, "%s", ctrl_state (c));
    pi->commands = atomic_load (&p->commands);
    live = strcmp (pi->state, "live") == 0;
    pthread_mutex_lock (&mp->lock);
    ana = p->ana_reporting;
    pthread_mutex_unlock (&mp->lock);
    if (nsid == 0 || !ana)
      continue;
    pthread_mutex_lock (&mp->lock);
    for (mns = mp->nslist; mns; mns = mns->next)
      if (mns->nsid == nsid && atomic_load (&mns->pns[i])) {
        grpid = mns->anagrpid[i];
        have = true;
        break;
      }
    pthread_mutex_unlock (&mp->lock);
    if (!have && live)
      grpid = ns_grpid (c, nsid);
    pthread_mutex_lock (&mp->lock);
    if (p->ana_valid)
      snprintf (
        pi->ana_state, sizeof pi->ana_state, "%s",
        mpath_ana_state_name (mpath_ana_lookup (p->ana, p->nr_ana, grpid)));
    else
      snprintf (pi->ana_state, sizeof pi->ana_state, "%s",
                live ? "change" : "inaccessible");
    pthread_mutex_unlock (&mp->lock);
  }
  return (int64_t) mp->nr_paths;
}

const char *
nvmeof_ctrl_get_iopolicy (struct nvmeof_ctrl *ctrl)
{
  if (ctrl == NULL)
    return mpath_iopolicy_name (MPATH_FAILOVER);
  return mpath_iopolicy_name (ctrl->mp ? ctrl->mp->policy :
                                         ctrl->opts.iopolicy);
}
