/* SPDX-License-Identifier: BSD-3-Clause */
/* Native multipath: one subsystem through several controllers.
 *
 * nvmeof_connect with url= given more than once (or nvmeof_connect_paths)
 * connects each path as an ordinary controller, checks they all belong to
 * the same subsystem (SUBNQN), and returns a controller that holds them.
 * A namespace opened on it is opened on every path and must show the same
 * identifiers there (multipath-ns.c), never only the same NSID.
 *
 * Each command goes to a path the I/O policy picks among those whose
 * controller is up and whose ANA state for the namespace's group is
 * optimized or non-optimized.  A command that fails with a path error (a
 * status of type 3 without DNR, which includes the ANA states, or a
 * failure that was not an NVMe status: a lost connection, a timeout) is
 * sent again on another usable path; media and other errors, and DNR, go
 * to the caller.  With no usable path the command waits for one, up to
 * ctrl-loss-tmo from the moment the last one went away, or until every
 * path's controller has given up reconnecting.
 *
 * The path thread looks at the paths every MPATH_TICK_MS: after a path's
 * reconnect it enables ANA change events again, reads the ANA log page,
 * sends an Asynchronous Event Request and opens the namespaces that the
 * path could not open while it was down; it reads the log page again when
 * an event or an ANA status asks for it.  The paths' own reconnect threads
 * (reconnect.c) bring broken paths back; a path that could not be
 * reached at connect joins later (multipath-join.c). */
#include <config.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"
#include "errors.h"
#include "multipath-int.h"
#include "lib-thread.h"

bool
mpath_is_path_error (uint16_t status, int err)
{
  if (status)
    return !(status & NVME_STATUS_DNR) && NVME_STATUS_SCT (status) == 3;
  /* Not a status: the transport, a timeout, a failed controller, unless
   * it is one of our own checks. */
  return err != 0 && err != EINVAL && err != EOPNOTSUPP && err != ENOMEM &&
         err != ENOENT;
}

/* A path's controller gave up for good (or never reconnects). */
static bool
path_gone (struct mpath_path *p)
{
  struct nvmeof_ctrl *c = atomic_load (&p->ctrl);
  bool gone;

  if (c == NULL) /* waiting to join */
    return atomic_load (&p->join_dead);
  if (!atomic_load (&c->failed))
    return false;
  if (c->opts.ctrl_loss_tmo_s == 0)
    return true;
  pthread_mutex_lock (&c->fail_lock);
  gone = c->rc_gave_up;
  pthread_mutex_unlock (&c->fail_lock);
  return gone;
}

bool
mpath_stopping (struct mpath *mp)
{
  bool stop;

  pthread_mutex_lock (&mp->lock);
  stop = mp->stop;
  pthread_mutex_unlock (&mp->lock);
  return stop;
}

bool
mpath_path_usable (struct mpath *mp, struct mpath_ns *mns, size_t i,
                   uint64_t now, bool *optimized)
{
  struct mpath_path *p = &mp->paths[i];
  struct nvmeof_ctrl *c = atomic_load (&p->ctrl);
  uint8_t state;

  *optimized = false;
  /* A joined path is set up (was_failed cleared) before it is used. */
  if (c == NULL || atomic_load (&c->failed) || p->was_failed ||
      now < p->cooldown_until)
    return false;
  if (mns && (mns->refused[i] || atomic_load (&mns->pns[i]) == NULL))
    return false;
  if (!p->ana_reporting) {
    *optimized = true;
    return true;
  }
  if (!p->ana_valid || mns == NULL)
    return false;
  state = mpath_ana_lookup (p->ana, p->nr_ana, mns->anagrpid[i]);
  *optimized = state == NVME_ANA_OPTIMIZED;
  return state == NVME_ANA_OPTIMIZED || state == NVME_ANA_NON_OPTIMIZED;
}

int
mpath_pick (struct mpath *mp, struct mpath_ns *mns)
{
  struct mpath_pview v[OPTS_MAX_PATHS];
  uint64_t now = now_ms ();
  size_t i;
  int r;

  pthread_mutex_lock (&mp->lock);
  for (i = 0; i < mp->nr_paths; i++) {
    v[i].usable = mpath_path_usable (mp, mns, i, now, &v[i].optimized);
    v[i].inflight = atomic_load (&mp->paths[i].inflight);
  }
  r = mpath_policy_select (mp->policy, v, mp->nr_paths, &mp->rr_cursor,
                           &mp->current);
  if (r >= 0) {
    mp->no_path_since = 0;
    atomic_fetch_add (&mp->paths[r].inflight, 1);
    atomic_fetch_add (&mp->paths[r].commands, 1);
  }
  pthread_mutex_unlock (&mp->lock);
  return r;
}

void
mpath_put (struct mpath *mp, int i)
{
  atomic_fetch_sub (&mp->paths[i].inflight, 1);
}

void
mpath_path_failed (struct mpath *mp, int i, uint16_t status)
{
  struct mpath_path *p = &mp->paths[i];
  uint16_t sc = NVME_STATUS_CODE (status);

  pthread_mutex_lock (&mp->lock);
  if (sc == NVME_SC_ANA_INACCESSIBLE || sc == NVME_SC_ANA_PERSISTENT_LOSS ||
      sc == NVME_SC_ANA_TRANSITION) {
    /* The ANA state changed under us: no I/O there until the log page
     * says otherwise (as Linux's nvme_update_ana). */
    p->ana_valid = false;
    atomic_store (&p->ana_dirty, true);
    if (!p->ana_reporting) /* an ANA status without ANA: do not loop */
      p->cooldown_until = now_ms () + MPATH_COOLDOWN_MS;
  }
  else if (atomic_load (&p->ctrl) && !atomic_load (&p->ctrl->failed))
    p->cooldown_until = now_ms () + MPATH_COOLDOWN_MS;
  pthread_cond_broadcast (&mp->cond);
  pthread_mutex_unlock (&mp->lock);
}

int
mpath_no_path (struct mpath *mp, struct mpath_ns *mns, const char *what,
               const char *last_err, bool wait)
{
  uint64_t now = now_ms ();
  size_t i, gone = 0;
  bool timed_out;
  char first[600];

  (void) mns;
  for (i = 0; i < mp->nr_paths; i++)
    if (path_gone (&mp->paths[i]))
      gone++;
  pthread_mutex_lock (&mp->lock);
  if (mp->no_path_since == 0)
    mp->no_path_since = now;
  timed_out = mp->ctrl_loss_tmo_s >= 0 &&
              now - mp->no_path_since >= (uint64_t) mp->ctrl_loss_tmo_s * 1000;
  if (gone < mp->nr_paths && !timed_out && !mp->stop) {
    if (wait) {
      struct timespec ts;

      clock_gettime (CLOCK_MONOTONIC, &ts);
      ts.tv_nsec += MPATH_TICK_MS * 1000000L;
      if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
      }
      pthread_cond_timedwait (&mp->cond, &mp->lock, &ts);
    }
    pthread_mutex_unlock (&mp->lock);
    return 0;
  }
  pthread_mutex_unlock (&mp->lock);
  if (last_err[0] == '\0') {
    /* Nothing was tried: say why the first path is down. */
    struct nvmeof_ctrl *c = atomic_load (&mp->paths[0].ctrl);

    if (c == NULL) {
      pthread_mutex_lock (&mp->lock);
      msgf (first, sizeof first, "path %s: %s", mp->paths[0].addr,
            mp->paths[0].join_err);
      pthread_mutex_unlock (&mp->lock);
    }
    else {
      pthread_mutex_lock (&c->fail_lock);
      msgf (first, sizeof first, "path %s: %s", mp->paths[0].addr,
            c->fail_msg[0] ? c->fail_msg : "not usable (ANA state)");
      pthread_mutex_unlock (&c->fail_lock);
    }
    last_err = first;
  }
  if (gone == mp->nr_paths)
    set_error (EIO,
               "%s: no path to %s is left (every path gave up "
               "reconnecting)%s%s",
               what, mp->ctrl->info.subnqn, last_err[0] ? "; last: " : "",
               last_err);
  else
    set_error (EIO,
               "%s: no usable path to %s for %" PRId32 " s "
               "(ctrl-loss-tmo)%s%s",
               what, mp->ctrl->info.subnqn, mp->ctrl_loss_tmo_s,
               last_err[0] ? "; last: " : "", last_err);
  return -1;
}

/* ---- Blocking I/O ------------------------------------------------------- */

static const char *const op_names[] = {
  [MPATH_READ] = "nvmeof_read",
  [MPATH_WRITE] = "nvmeof_write",
  [MPATH_FLUSH] = "nvmeof_flush",
  [MPATH_WRITE_ZEROES] = "nvmeof_write_zeroes",
  [MPATH_DEALLOCATE] = "nvmeof_deallocate",
};

static int
run_on (struct nvmeof_ns *pns, enum mpath_op op, void *buf, uint64_t len,
        uint64_t offset, unsigned flags, const struct nvmeof_range *ranges,
        unsigned nr_ranges)
{
  switch (op) {
  case MPATH_READ:
    return nvmeof_read (pns, buf, len, offset);
  case MPATH_WRITE:
    return nvmeof_write (pns, buf, len, offset, flags);
  case MPATH_FLUSH:
    return nvmeof_flush (pns);
  case MPATH_WRITE_ZEROES:
    return nvmeof_write_zeroes (pns, len, offset, flags);
  case MPATH_DEALLOCATE:
    return nvmeof_deallocate (pns, ranges, nr_ranges);
  }
  set_error (EINVAL, "multipath: unknown operation");
  return -1;
}

int
mpath_io (struct nvmeof_ns *ns, enum mpath_op op, void *buf, uint64_t len,
          uint64_t offset, unsigned flags, const struct nvmeof_range *ranges,
          unsigned nr_ranges)
{
  struct mpath_ns *mns = ns->mpns;
  struct mpath *mp = ns->ctrl->mp;
  char last[384] = "";

  /* Our own checks first, so that a bad request is not taken for a path
   * error below. */
  if (op == MPATH_READ || op == MPATH_WRITE || op == MPATH_WRITE_ZEROES) {
    if (io_check (ns, op_names[op], len, offset) < 0)
      return -1;
  }
  else if (op == MPATH_DEALLOCATE) {
    unsigned k;

    for (k = 0; k < nr_ranges; k++)
      if (io_check (ns, op_names[op], ranges[k].length, ranges[k].offset) < 0)
        return -1;
  }
  for (;;) {
    int i = mpath_pick (mp, mns);
    uint16_t status;
    int r, err;

    if (i < 0) {
      if (mpath_no_path (mp, mns, op_names[op], last, true) < 0)
        return -1;
      continue;
    }
    r = run_on (atomic_load (&mns->pns[i]), op, buf, len, offset, flags, ranges,
                nr_ranges);
    mpath_put (mp, i);
    if (r == 0)
      return 0;
    status = nvmeof_get_status ();
    err = nvmeof_get_errno ();
    if (!mpath_is_path_error (status, err))
      return -1; /* the path's error stands */
    msgf (last, sizeof last, "path %s: %s", mp->paths[i].addr,
          nvmeof_get_error ());
    mpath_path_failed (mp, i, status);
  }
}

/* ---- Paths --------------------------------------------------------------- */

/* What Identify Controller says of ANA, and ANA change events enabled
 * (Set Features Asynchronous Event Configuration bit 11), on path i. */
static int
path_setup (struct mpath *mp, size_t i)
{
  struct mpath_path *p = &mp->paths[i];
  uint8_t *page = malloc (NVME_IDENTIFY_LEN);
  const struct nvme_id_ctrl *id = (const void *) page;
  bool ana;

  if (page == NULL) {
    set_error (ENOMEM, "out of memory");
    return -1;
  }
  if (nvmeof_identify (p->ctrl, NVME_ID_CNS_CTRL, 0, page) < 0) {
    free (page);
    return -1;
  }
  ana = (id->cmic & NVME_CTRL_CMIC_ANA) != 0;
  pthread_mutex_lock (&mp->lock);
  p->ana_reporting = ana;
  p->anagrpmax = GET32 (id->anagrpmax);
  pthread_mutex_unlock (&mp->lock);
  if (ana && (GET32 (id->oaes) & NVME_CTRL_OAES_ANA_CHANGE))
    nvmeof_set_features (p->ctrl, NVME_FEAT_ASYNC_EVENT, 0,
                         NVME_CTRL_OAES_ANA_CHANGE, NULL);
  free (page);
  if (ana && mpath_ana_read (mp, i) < 0)
    return -1;
  return 0;
}

static void
path_tick (struct mpath *mp, size_t i)
{
  struct mpath_path *p = &mp->paths[i];
  struct nvmeof_ctrl *c = atomic_load (&p->ctrl);
  bool failed, ana, unsupported, valid, wait;
  unsigned rc;

  if (c == NULL)
    return; /* not joined yet (multipath-join.c) */
  failed = atomic_load (&c->failed);
  pthread_mutex_lock (&c->fail_lock);
  rc = c->reconnects;
  pthread_mutex_unlock (&c->fail_lock);
  if (failed) {
    pthread_mutex_lock (&mp->lock);
    p->was_failed = true;
    p->ana_valid = false;
    pthread_mutex_unlock (&mp->lock);
    return;
  }
  if (p->was_failed || rc != p->reconnects) {
    /* A new association: the events must be enabled again, its ANA
     * states are read afresh, and the old AER went with the old
     * connection. */
    pthread_mutex_lock (&mp->lock);
    wait = now_ms () < p->ana_retry_at;
    pthread_mutex_unlock (&mp->lock);
    if (wait)
      return;
    p->reconnects = rc;
    if (path_setup (mp, i) < 0) {
      pthread_mutex_lock (&mp->lock);
      p->ana_retry_at = now_ms () + MPATH_COOLDOWN_MS;
      pthread_mutex_unlock (&mp->lock);
      return; /* again in a second */
    }
    pthread_mutex_lock (&mp->lock);
    p->was_failed = false;
    pthread_cond_broadcast (&mp->cond);
    pthread_mutex_unlock (&mp->lock);
    mpath_path_open_missing (mp, i);
  }
  pthread_mutex_lock (&mp->lock);
  ana = p->ana_reporting;
  unsupported = p->aer_unsupported;
  valid = p->ana_valid;
  wait = now_ms () < p->ana_retry_at;
  pthread_mutex_unlock (&mp->lock);
  if (ana) {
    /* Without events, a path error is the only news of a change. */
    if (!wait && (atomic_load (&p->ana_dirty) || (!valid && unsupported)))
      mpath_ana_read (mp, i);
    mpath_aer_arm (mp, i);
  }
}

static void *
path_thread (void *arg)
{
  struct mpath *mp = arg;

  for (;;) {
    struct timespec ts;
    size_t i;

    pthread_mutex_lock (&mp->lock);
    if (mp->stop) {
      pthread_mutex_unlock (&mp->lock);
      break;
    }
    clock_gettime (CLOCK_MONOTONIC, &ts);
    ts.tv_nsec += MPATH_TICK_MS * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
      ts.tv_sec++;
      ts.tv_nsec -= 1000000000L;
    }
    pthread_cond_timedwait (&mp->cond, &mp->lock, &ts);
    if (mp->stop) {
      pthread_mutex_unlock (&mp->lock);
      break;
    }
    pthread_mutex_unlock (&mp->lock);
    for (i = 0; i < mp->nr_paths; i++)
      path_tick (mp, i);
    mpath_aio_wake (mp);
  }
  return NULL;
}

struct nvmeof_ctrl *
mpath_admin_ctrl (struct nvmeof_ctrl *ctrl)
{
  struct mpath *mp;
  size_t i;

  if (ctrl == NULL || ctrl->mp == NULL)
    return ctrl;
  mp = ctrl->mp;
  for (i = 0; i < mp->nr_paths; i++) {
    struct nvmeof_ctrl *c = atomic_load (&mp->paths[i].ctrl);

    if (c && !atomic_load (&c->failed))
      return c;
  }
  for (i = 0; i < mp->nr_paths; i++) /* fails with the path's message */
    if (atomic_load (&mp->paths[i].ctrl))
      return atomic_load (&mp->paths[i].ctrl);
  return NULL; /* not reached: one path connected at least */
}

static void
mpath_free (struct mpath *mp)
{
  size_t i;

  /* No more retrying (stop), then the namespaces; closing each path fails
   * what is outstanding on it (its asynchronous callbacks, ours, then
   * report those to the caller instead of sending them elsewhere); last,
   * what waited for a path. */
  pthread_mutex_lock (&mp->lock);
  mp->stop = true;
  pthread_cond_broadcast (&mp->cond);
  pthread_mutex_unlock (&mp->lock);
  if (mp->thread_started)
    pthread_join (mp->thread, NULL);
  mpath_join_stop (mp);
  while (mp->nslist)
    mpath_ns_close (mp->nslist->ns);
  for (i = 0; i < mp->nr_paths; i++)
    nvmeof_close (atomic_load (&mp->paths[i].ctrl));
  mpath_aio_drain (mp);
  mpath_aio_free (mp);
  pthread_cond_destroy (&mp->cond);
  pthread_mutex_destroy (&mp->lock);
  if (mp->ctrl) {
    opts_wipe (&mp->ctrl->opts);
    free (mp->ctrl);
  }
  free (mp);
}

void
mpath_close (struct nvmeof_ctrl *ctrl)
{
  mpath_free (ctrl->mp);
}

/* Connect the paths.  One that cannot be reached waits to join later
 * (multipath-join.c); any other failure fails the whole, and so does
 * every path failing, with each one's reason. */
static struct nvmeof_ctrl *
connect_paths (const struct nvmeof_opts *const *paths, size_t n)
{
  struct mpath *mp;
  struct nvmeof_ctrl *ctrl;
  pthread_condattr_t attr;
  struct nvmeof_ctrl *first = NULL;
  char reasons[2048] = "";
  size_t i;
  int r;

  if (n == 0 || n > OPTS_MAX_PATHS) {
    set_error (EINVAL, "nvmeof_connect_paths: 1 to %d paths, not %zu",
               OPTS_MAX_PATHS, n);
    return NULL;
  }
  mp = calloc (1, sizeof *mp);
  ctrl = calloc (1, sizeof *ctrl);
  if (mp == NULL || ctrl == NULL) {
    free (mp);
    free (ctrl);
    set_error (ENOMEM, "out of memory");
    return NULL;
  }
  pthread_mutex_init (&mp->lock, NULL);
  pthread_condattr_init (&attr);
  pthread_condattr_setclock (&attr, CLOCK_MONOTONIC);
  pthread_cond_init (&mp->cond, &attr);
  pthread_condattr_destroy (&attr);
  mp->ctrl = ctrl;
  mp->current = -1;
  mp->rr_cursor = (unsigned) n - 1;
  mp->policy = paths[0]->iopolicy;
  mp->ctrl_loss_tmo_s = paths[0]->ctrl_loss_tmo_s;
  ctrl->mp = mp;
  ctrl->opts = *paths[0];
  ctrl->aio_fd = ctrl->aio_efd = -1;

  for (i = 0; i < n; i++) {
    struct mpath_path *p = &mp->paths[i];
    const struct nvmeof_ctrl_info *ci;
    struct nvmeof_ctrl *c;

    p->mp = mp;
    p->idx = (unsigned) i;
    c = nvmeof_connect (paths[i]);
    mp->nr_paths = i + 1;
    if (c == NULL) {
      size_t len = strlen (reasons);

      if (!mpath_join_transient ())
        goto err;
      if (mpath_join_keep (mp, i, paths[i]) < 0)
        goto err;
      msgf (reasons + len, sizeof reasons - len, "%spath %s: %s",
            len ? "; " : "", p->addr, p->join_err);
      continue;
    }
    atomic_store (&p->ctrl, c);
    memcpy (p->addr, c->addr, sizeof p->addr);
    ci = &c->info;
    if (ci->discovery) {
      set_error (EINVAL,
                 "path %s is a discovery controller, not a path "
                 "to an NVM subsystem",
                 p->addr);
      goto err;
    }
    if (first && strcmp (ci->subnqn, first->info.subnqn) != 0) {
      set_error (EINVAL,
                 "path %s leads to subsystem %s, not %s: every path "
                 "must reach the same subsystem",
                 p->addr, ci->subnqn, first->info.subnqn);
      goto err;
    }
    if (first == NULL)
      first = c;
    p->reconnects = c->reconnects;
    if (path_setup (mp, i) < 0)
      goto err;
    mpath_aer_arm (mp, i);
  }
  if (first == NULL) {
    set_error (EIO, "no path to the subsystem could be connected: %s", reasons);
    goto err;
  }
  ctrl->info = first->info;
  msgf (ctrl->addr, sizeof ctrl->addr, "%s and %zu more path%s",
        mp->paths[0].addr, n - 1, n > 2 ? "s" : "");
  if (mpath_aio_init (mp) < 0)
    goto err;
  r = lib_thread_create (&mp->thread, path_thread, mp);
  if (r != 0) {
    set_error (r, "cannot start the multipath thread: %s", strerror (r));
    goto err;
  }
  pthread_setname_np (mp->thread, "nvmeof-mpath");
  mp->thread_started = true;
  if (mpath_join_start (mp) < 0)
    goto err;
  return ctrl;

err : {
  char msg[1024];
  int e = nvmeof_get_errno ();

  msgf (msg, sizeof msg, "%s", nvmeof_get_error ());
  mpath_free (mp);
  set_error (e ? e : EIO, "%s", msg);
}
  return NULL;
}

/* A copy of src for one path's controller, which fails its commands at
 * once while it reconnects (fast-io-fail-tmo=0) rather than holding them:
 * another path may take them now. */
static struct nvmeof_opts *
path_opts_new (const struct nvmeof_opts *src)
{
  struct nvmeof_opts *po = malloc (sizeof *po);

  if (po == NULL) {
    set_error (ENOMEM, "out of memory");
    return NULL;
  }
  *po = *src;
  po->nr_extra_paths = 0;
  po->fast_io_fail_tmo_s = 0;
  return po;
}

/* Connect the n paths po[] and free them, secrets wiped. */
static struct nvmeof_ctrl *
connect_and_free (struct nvmeof_opts **po, size_t n, bool complete)
{
  struct nvmeof_ctrl *ctrl = NULL;
  size_t i;

  if (complete)
    ctrl = connect_paths ((const struct nvmeof_opts *const *) po, n);
  for (i = 0; i < n; i++)
    if (po[i]) {
      opts_wipe (po[i]);
      free (po[i]);
    }
  return ctrl;
}

/* The options of each path: the first URL's, then each further URL's
 * address with every other option of the first. */
struct nvmeof_ctrl *
mpath_connect_opts (const struct nvmeof_opts *opts)
{
  struct nvmeof_opts *po[OPTS_MAX_PATHS] = { NULL };
  size_t n = 1 + opts->nr_extra_paths, i;

  for (i = 0; i < n; i++) {
    po[i] = path_opts_new (opts);
    if (po[i] == NULL)
      return connect_and_free (po, n, false);
    if (i > 0) {
      const struct opts_path *x = &opts->extra_paths[i - 1];

      po[i]->transport = x->transport;
      memcpy (po[i]->traddr, x->traddr, sizeof x->traddr);
      memcpy (po[i]->trsvcid, x->trsvcid, sizeof x->trsvcid);
      memcpy (po[i]->subnqn, x->subnqn, sizeof x->subnqn);
      memcpy (po[i]->host_iface, x->host_iface, sizeof x->host_iface);
    }
  }
  return connect_and_free (po, n, true);
}

struct nvmeof_ctrl *
nvmeof_connect_paths (const struct nvmeof_opts *const *paths, size_t n)
{
  struct nvmeof_opts *po[OPTS_MAX_PATHS] = { NULL };
  size_t i;

  if (paths == NULL || n == 0 || n > OPTS_MAX_PATHS) {
    set_error (EINVAL, "nvmeof_connect_paths: 1 to %d paths", OPTS_MAX_PATHS);
    return NULL;
  }
  for (i = 0; i < n; i++) {
    if (paths[i] == NULL || nvmeof_opts_validate (paths[i]) < 0)
      return connect_and_free (po, n, false);
    if (paths[i]->nr_extra_paths) {
      set_error (EINVAL,
                 "nvmeof_connect_paths: path %zu has url= given "
                 "more than once",
                 i + 1);
      return connect_and_free (po, n, false);
    }
    po[i] = path_opts_new (paths[i]);
    if (po[i] == NULL)
      return connect_and_free (po, n, false);
  }
  return connect_and_free (po, n, true);
}
