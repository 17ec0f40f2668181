/* SPDX-License-Identifier: BSD-3-Clause */
/* Paths that join a multipath controller after it connected.
 *
 * As the kernel connects each path on its own, a path that cannot be
 * reached at connect (refused, timed out, connection lost: the
 * transport) does not fail the whole: it is kept with its controller
 * NULL, listed as "connecting" with the reason, and the joiner thread
 * tries it again every reconnect-delay seconds until ctrl-loss-tmo has
 * passed since the connect (-1: for ever), then lists it as "dead".
 * A failure that will not pass by waiting (another subsystem, a
 * discovery controller, authentication or TLS refused, an NVMe status
 * from Connect) makes the path dead at once, with its reason.
 *
 * Once connected, the path is published (its controller set under
 * mp->lock) as one whose controller has just come back: the path thread
 * enables ANA events, reads its ANA log page, sends an Asynchronous
 * Event Request and opens the namespaces on it, each matched by its
 * identifiers exactly as at connect (multipath-ns.c; one that differs
 * is refused on that path with the reason).  Until then the path is
 * never picked for I/O (mpath_path_usable). */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"
#include "errors.h"
#include "multipath-int.h"
#include "lib-thread.h"

bool
mpath_join_transient (void)
{
  int e = nvmeof_get_errno ();

  if (nvmeof_get_status () != 0)
    return false; /* the controller answered: Invalid Host and such */
  return e == ECONNREFUSED || e == ETIMEDOUT || e == ECONNRESET ||
         e == ECONNABORTED || e == EHOSTUNREACH || e == ENETUNREACH ||
         e == EHOSTDOWN || e == ENETDOWN || e == EPIPE;
}

int
mpath_join_keep (struct mpath *mp, size_t i, const struct nvmeof_opts *po)
{
  struct mpath_path *p = &mp->paths[i];
  uint64_t now = now_ms ();
  bool v6 = strchr (po->traddr, ':') != NULL;

  p->join_opts = malloc (sizeof *p->join_opts);
  if (p->join_opts == NULL) {
    set_error (ENOMEM, "out of memory");
    return -1;
  }
  *p->join_opts = *po;
  msgf (p->join_err, sizeof p->join_err, "%s", nvmeof_get_error ());
  if (po->transport == NVMEOF_TRANSPORT_ETH)
    msgf (p->addr, sizeof p->addr, "%s", po->traddr);
  else
    msgf (p->addr, sizeof p->addr, "%s%s%s:%s", v6 ? "[" : "", po->traddr,
          v6 ? "]" : "", opts_port (po));
  p->join_at = now + (uint64_t) po->reconnect_delay_s * 1000;
  p->join_until =
    po->ctrl_loss_tmo_s < 0 ? 0 : now + (uint64_t) po->ctrl_loss_tmo_s * 1000;
  return 0;
}

/* Give up on path i (under mp->lock). */
static void
join_give_up (struct mpath_path *p, const char *why)
{
  msgf (p->join_err, sizeof p->join_err, "%s", why);
  atomic_store (&p->join_dead, true);
}

/* Try path i once (the joiner, without mp->lock). */
static void
join_try (struct mpath *mp, size_t i)
{
  struct mpath_path *p = &mp->paths[i];
  struct nvmeof_ctrl *c = nvmeof_connect (p->join_opts);
  char why[512];

  if (c == NULL) {
    bool transient = mpath_join_transient ();
    uint64_t now = now_ms ();

    msgf (why, sizeof why, "%s", nvmeof_get_error ());
    pthread_mutex_lock (&mp->lock);
    if (!transient)
      join_give_up (p, why);
    else if (p->join_until && now >= p->join_until) {
      char m[300];

      msgf (m, sizeof m, "gave up after ctrl-loss-tmo: %s", why);
      join_give_up (p, m);
    }
    else {
      msgf (p->join_err, sizeof p->join_err, "%s", why);
      p->join_at = now + (uint64_t) p->join_opts->reconnect_delay_s * 1000;
    }
    pthread_mutex_unlock (&mp->lock);
    return;
  }
  if (c->info.discovery)
    msgf (why, sizeof why,
          "path %s is a discovery controller, not a path to an NVM "
          "subsystem; path refused",
          c->addr);
  else if (strcmp (c->info.subnqn, mp->ctrl->info.subnqn) != 0)
    msgf (why, sizeof why,
          "path %s leads to subsystem %s, not %s; path refused", c->addr,
          c->info.subnqn, mp->ctrl->info.subnqn);
  else if (mpath_aio_add_path (mp, c) < 0)
    msgf (why, sizeof why, "%s", nvmeof_get_error ());
  else
    why[0] = '\0';
  if (why[0]) {
    nvmeof_close (c);
    pthread_mutex_lock (&mp->lock);
    join_give_up (p, why);
    pthread_mutex_unlock (&mp->lock);
    return;
  }
  /* Published as a path that came back: the path thread sets it up
   * (path_tick) before any namespace can use it. */
  pthread_mutex_lock (&mp->lock);
  p->reconnects = c->reconnects;
  p->was_failed = true;
  p->ana_valid = false;
  p->join_err[0] = '\0';
  atomic_store (&p->ctrl, c);
  pthread_cond_broadcast (&mp->cond);
  pthread_mutex_unlock (&mp->lock);
}

static void *
joiner_thread (void *arg)
{
  struct mpath *mp = arg;

  pthread_mutex_lock (&mp->lock);
  while (!mp->stop) {
    uint64_t now = now_ms (), next = now + 1000;
    struct timespec ts;
    size_t i;
    bool waiting = false;

    for (i = 0; i < mp->nr_paths && !mp->stop; i++) {
      struct mpath_path *p = &mp->paths[i];

      if (atomic_load (&p->ctrl) || atomic_load (&p->join_dead))
        continue;
      waiting = true;
      if (now >= p->join_at) {
        pthread_mutex_unlock (&mp->lock);
        join_try (mp, i);
        pthread_mutex_lock (&mp->lock);
        now = now_ms ();
      }
      if (!atomic_load (&p->ctrl) && !atomic_load (&p->join_dead) &&
          p->join_at < next)
        next = p->join_at;
    }
    if (!waiting || mp->stop)
      break; /* every path joined or gave up */
    if (next > now) {
      clock_gettime (CLOCK_MONOTONIC, &ts);
      ts.tv_sec += (time_t) ((next - now) / 1000);
      ts.tv_nsec += (long) ((next - now) % 1000) * 1000000L;
      if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
      }
      pthread_cond_timedwait (&mp->cond, &mp->lock, &ts);
    }
  }
  pthread_mutex_unlock (&mp->lock);
  return NULL;
}

int
mpath_join_start (struct mpath *mp)
{
  size_t i;
  int r;

  for (i = 0; i < mp->nr_paths; i++)
    if (mp->paths[i].join_opts)
      break;
  if (i == mp->nr_paths)
    return 0;
  r = lib_thread_create (&mp->joiner, joiner_thread, mp);
  if (r != 0) {
    set_error (r, "cannot start the multipath joiner thread: %s", strerror (r));
    return -1;
  }
  pthread_setname_np (mp->joiner, "nvmeof-join");
  mp->joiner_started = true;
  return 0;
}

void
mpath_join_stop (struct mpath *mp)
{
  size_t i;

  if (mp->joiner_started)
    pthread_join (mp->joiner, NULL);
  mp->joiner_started = false;
  for (i = 0; i < OPTS_MAX_PATHS; i++)
    if (mp->paths[i].join_opts) {
      opts_wipe (mp->paths[i].join_opts);
      free (mp->paths[i].join_opts);
      mp->paths[i].join_opts = NULL;
    }
}
