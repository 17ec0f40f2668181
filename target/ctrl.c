/* SPDX-License-Identifier: BSD-3-Clause */
/* Controllers (dynamic model): created by an admin queue Connect, found by
 * CNTLID when I/O queues connect, torn down with all their connections
 * when the admin queue goes away or the keep-alive timeout expires.
 *
 * Locking: reg_lock protects the registry list, refs and dead; ctrl->lock
 * protects the controller's registers, features and queue table.  Order:
 * reg_lock before ctrl->lock.  The command path takes neither: keep-alive
 * bookkeeping is one atomic store per command (ctrl_touch). */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "target.h"

static pthread_mutex_t reg_lock = PTHREAD_MUTEX_INITIALIZER;
static struct tgt_ctrl *ctrls;

uint64_t
now_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (uint64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
ctrl_touch (struct tgt_ctrl *ctrl)
{
  atomic_store_explicit (&ctrl->last_ms, now_ms (), memory_order_relaxed);
}

static bool
cntlid_used (const struct tgt_subsys *ss, uint16_t id)
{
  const struct tgt_ctrl *c;

  for (c = ctrls; c; c = c->next)
    if (c->subsys == ss && c->cntlid == id)
      return true;
  return false;
}

struct tgt_ctrl *
ctrl_create (struct tgt_subsys *ss, struct tgt_port *port, const char *hostnqn,
             const uint8_t hostid[16], uint32_t kato_ms, struct conn *admin)
{
  struct tgt_ctrl *ctrl;
  unsigned id;

  ctrl = calloc (1, sizeof *ctrl);
  if (!ctrl)
    return NULL;
  ctrl->queues = calloc (ss->max_qid + 1u, sizeof *ctrl->queues);
  if (!ctrl->queues) {
    free (ctrl);
    return NULL;
  }
  pthread_mutex_init (&ctrl->lock, NULL);
  ctrl->subsys = ss;
  ctrl->port = port;
  snprintf (ctrl->hostnqn, sizeof ctrl->hostnqn, "%s", hostnqn);
  memcpy (ctrl->hostid, hostid, 16);
  atomic_init (&ctrl->kato_ms, kato_ms);
  atomic_init (&ctrl->last_ms, now_ms ());
  atomic_init (&ctrl->wce, ss->vwc);
  atomic_init (&ctrl->ready, false);
  /* ANA change notices on until the host says otherwise, as nvmet. */
  ctrl->aec = ss->discovery ? 0 : NVME_AEC_ANA_CHANGE;
  ctrl->queues[0] = admin;
  ctrl->refs = 1; /* the admin queue's */

  pthread_mutex_lock (&reg_lock);
  /* The lowest free CNTLID, as nvmet allocates them. */
  for (id = ss->cntlid_min; id <= ss->cntlid_max; id++)
    if (!cntlid_used (ss, id))
      break;
  if (id > ss->cntlid_max) {
    pthread_mutex_unlock (&reg_lock);
    pthread_mutex_destroy (&ctrl->lock);
    free (ctrl->queues);
    free (ctrl);
    return NULL;
  }
  ctrl->cntlid = id;
  ctrl->next = ctrls;
  ctrls = ctrl;
  pthread_mutex_unlock (&reg_lock);
  log_verbose ("controller %u of %s created for %s (kato %u ms)", ctrl->cntlid,
               ss->nqn, hostnqn, kato_ms);
  return ctrl;
}

struct tgt_ctrl *
ctrl_get (struct tgt_subsys *ss, uint16_t cntlid)
{
  struct tgt_ctrl *c;

  pthread_mutex_lock (&reg_lock);
  for (c = ctrls; c; c = c->next) {
    if (c->subsys == ss && c->cntlid == cntlid && !c->dead) {
      c->refs++;
      break;
    }
  }
  pthread_mutex_unlock (&reg_lock);
  return c;
}

void
ctrl_put (struct tgt_ctrl *ctrl)
{
  struct tgt_ctrl **pp;
  bool last;

  pthread_mutex_lock (&reg_lock);
  last = --ctrl->refs == 0;
  if (last) {
    for (pp = &ctrls; *pp; pp = &(*pp)->next) {
      if (*pp == ctrl) {
        *pp = ctrl->next;
        break;
      }
    }
  }
  pthread_mutex_unlock (&reg_lock);
  if (last) {
    log_verbose ("controller %u of %s freed", ctrl->cntlid, ctrl->subsys->nqn);
    pthread_mutex_destroy (&ctrl->lock);
    free (ctrl->queues);
    free (ctrl);
  }
}

uint16_t
ctrl_add_queue (struct tgt_ctrl *ctrl, uint16_t qid, struct conn *c)
{
  uint16_t st = 0;
  unsigned limit;

  pthread_mutex_lock (&ctrl->lock);
  /* I/O queues up to what Number of Queues granted, else qid_max. */
  limit = ctrl->nr_io_queues ? ctrl->nr_io_queues : ctrl->subsys->max_qid;
  if (qid == 0 || qid > limit)
    st = NVMF_SC_CONNECT_INVALID_PARAM;
  else if (ctrl->queues[qid])
    st = NVME_SC_CMD_SEQ_ERROR;
  else
    ctrl->queues[qid] = c;
  pthread_mutex_unlock (&ctrl->lock);
  return st;
}

/* Close every connection of a controller; the caller holds reg_lock. */
static void
kill_locked (struct tgt_ctrl *ctrl, const char *why)
{
  unsigned i;

  if (!ctrl->dead)
    log_msg ("controller %u of %s (host %s): %s: closing its connections",
             ctrl->cntlid, ctrl->subsys->nqn, ctrl->hostnqn, why);
  ctrl->dead = true;
  pthread_mutex_lock (&ctrl->lock);
  for (i = 0; i <= ctrl->subsys->max_qid; i++)
    if (ctrl->queues[i])
      conn_kill (ctrl->queues[i]);
  pthread_mutex_unlock (&ctrl->lock);
}

void
ctrl_kill (struct tgt_ctrl *ctrl, const char *why)
{
  pthread_mutex_lock (&reg_lock);
  kill_locked (ctrl, why);
  pthread_mutex_unlock (&reg_lock);
}

void
ctrl_remove_queue (struct tgt_ctrl *ctrl, uint16_t qid)
{
  pthread_mutex_lock (&ctrl->lock);
  if (qid <= ctrl->subsys->max_qid)
    ctrl->queues[qid] = NULL;
  pthread_mutex_unlock (&ctrl->lock);
  if (qid == 0) {
    pthread_mutex_lock (&reg_lock);
    if (!ctrl->dead) {
      ctrl->dead = true; /* quietly: the host went away */
      kill_locked (ctrl, "admin queue closed");
    }
    pthread_mutex_unlock (&reg_lock);
  }
  ctrl_put (ctrl);
}

/* Close the queues that should have authenticated by now (the admin
 * queue's end takes the controller with it); the caller holds reg_lock. */
static void
check_auth_locked (struct tgt_ctrl *ctrl, uint64_t now)
{
  unsigned i;

  pthread_mutex_lock (&ctrl->lock);
  for (i = 0; i <= ctrl->subsys->max_qid; i++) {
    if (ctrl->queues[i] && auth_expired (conn_info (ctrl->queues[i]), now)) {
      log_msg ("controller %u of %s (host %s): queue %u did not "
               "authenticate in time: closing it",
               ctrl->cntlid, ctrl->subsys->nqn, ctrl->hostnqn, i);
      conn_kill (ctrl->queues[i]);
    }
  }
  pthread_mutex_unlock (&ctrl->lock);
}

void
ctrl_check_kato (uint64_t now)
{
  struct tgt_ctrl *c;

  pthread_mutex_lock (&reg_lock);
  for (c = ctrls; c; c = c->next) {
    uint32_t kato = atomic_load (&c->kato_ms);
    uint64_t last = atomic_load (&c->last_ms);

    if (!c->dead && kato && now > last && now - last > kato)
      kill_locked (c, "keep-alive timeout expired");
    else if (!c->dead)
      check_auth_locked (c, now);
  }
  pthread_mutex_unlock (&reg_lock);
}

/* ---- asynchronous events ------------------------------------------------ */

void
ctrl_ana_changed (struct tgt_port *port)
{
  struct tgt_ctrl *c;

  pthread_mutex_lock (&reg_lock);
  for (c = ctrls; c; c = c->next) {
    if (c->port != port || c->dead || c->subsys->discovery)
      continue;
    pthread_mutex_lock (&c->lock);
    if ((c->aec & NVME_AEC_ANA_CHANGE) && !c->ana_masked) {
      c->ana_pending = true;
      if (c->queues[0])
        conn_wake (c->queues[0]);
    }
    pthread_mutex_unlock (&c->lock);
  }
  pthread_mutex_unlock (&reg_lock);
}

struct req *
ctrl_aen_take (struct conn *c)
{
  struct conn_info *ci = conn_info (c);
  struct tgt_ctrl *ctrl = ci->ctrl;
  struct req *r;

  if (!ctrl || ci->qid != 0 || ci->nr_aer == 0)
    return NULL;
  r = conn_find_aer (c);
  if (!r)
    return NULL;
  pthread_mutex_lock (&ctrl->lock);
  if (!ctrl->ana_pending) {
    pthread_mutex_unlock (&ctrl->lock);
    return NULL;
  }
  ctrl->ana_pending = false;
  ctrl->ana_masked = true;
  pthread_mutex_unlock (&ctrl->lock);
  ci->nr_aer--;
  r->state = REQ_FREE;
  r->dw0 = NVME_AER_TYPE_NOTICE | NVME_AER_NOTICE_ANA_CHANGE << 8 |
           (uint32_t) NVME_LOG_ANA << 16;
  return r;
}

void
ctrl_ana_log_read (struct tgt_ctrl *ctrl)
{
  pthread_mutex_lock (&ctrl->lock);
  ctrl->ana_masked = false;
  pthread_mutex_unlock (&ctrl->lock);
}
