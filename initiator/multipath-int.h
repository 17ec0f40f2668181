/* SPDX-License-Identifier: BSD-3-Clause */
/* The state of a multipath controller, shared by multipath.c (paths,
 * namespaces, blocking I/O, the path thread), multipath-ana.c (ANA log
 * and Asynchronous Event Requests) and multipath-aio.c.
 *
 * Locking: mp->lock guards what is marked so; it is a leaf: nothing is
 * called on a path's controller while it is held (the path's own
 * completion callbacks run under its queue locks and may take it). */
#ifndef NVMEOF_MULTIPATH_INT_H
#define NVMEOF_MULTIPATH_INT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <pthread.h>

#include "multipath.h"
#include "opts.h"

/* At most this many ANA groups are kept per path (a log page with more
 * is refused: ANAGRPMAX of real targets is a few hundred at most). */
#define MPATH_ANA_GROUPS_MAX 1024
/* A path that failed a command with a path error while its controller
 * stayed up is left alone this long (or until its ANA log is read). */
#define MPATH_COOLDOWN_MS 1000
/* The path thread looks at every path this often. */
#define MPATH_TICK_MS 50

struct mpath_path {
  struct mpath *mp;
  unsigned idx;
  /* The path's controller; NULL while a path that could not connect at
   * start waits to join (the joiner thread sets it once). */
  _Atomic (struct nvmeof_ctrl *) ctrl;
  char addr[300]; /* "127.0.0.1:4420" */
  /* A path joining later: its options (the joiner's alone), gave up. */
  struct nvmeof_opts *join_opts;
  atomic_bool join_dead;
  atomic_uint inflight;  /* commands of ours on it */
  atomic_bool ana_dirty; /* read the ANA log again */
  atomic_bool aer_outstanding;
  atomic_ullong commands; /* sent on this path, for list-subsys */
  /* Under mp->lock. */
  bool ana_reporting; /* CMIC bit 3: the controller reports ANA */
  uint32_t anagrpmax;
  struct mpath_ana_group ana[MPATH_ANA_GROUPS_MAX];
  size_t nr_ana;
  uint64_t ana_chgcnt;
  bool ana_valid;          /* ana[] was read since the last connection */
  uint64_t cooldown_until; /* ms */
  bool was_failed;         /* the controller was down at the last tick */
  unsigned reconnects;     /* ctrl->reconnects at the last tick */
  bool aer_unsupported;    /* the controller refused our AER */
  char ana_err[256];       /* why the last ANA log read failed */
  char join_err[256];      /* why a joining path is not connected */
  uint64_t join_at;        /* ms: the joiner's next attempt */
  uint64_t join_until;     /* ms: it gives up then (0: never) */
  uint64_t ana_retry_at;   /* ms: after a failed read, not before */
};

/* An open namespace of a multipath controller: the same namespace opened
 * on each path (NULL until the path can open it, if it was down). */
struct mpath_ns {
  struct nvmeof_ns *ns; /* the namespace the front end holds */
  uint32_t nsid;
  _Atomic (struct nvmeof_ns *) pns[OPTS_MAX_PATHS];
  uint32_t anagrpid[OPTS_MAX_PATHS]; /* under mp->lock */
  bool refused[OPTS_MAX_PATHS];      /* identifiers differ: never used */
  struct mpath_ns *next;             /* mp->nslist, under mp->lock */
};

struct mpath_aio_state; /* multipath-aio.c */

struct mpath {
  struct nvmeof_ctrl *ctrl; /* the controller the front end holds */
  int policy;
  int32_t ctrl_loss_tmo_s;
  size_t nr_paths;
  struct mpath_path paths[OPTS_MAX_PATHS];
  pthread_mutex_t lock;
  pthread_cond_t cond; /* broadcast when a path may have come back */
  /* Under lock. */
  unsigned rr_cursor;
  int current;
  struct mpath_ns *nslist;
  uint64_t no_path_since; /* ms, 0 while a path is usable */
  bool stop;
  pthread_t thread;
  bool thread_started;
  pthread_t joiner; /* connects the paths that could not at start */
  bool joiner_started;
  struct mpath_aio_state *aio;
};

/* multipath.c */
/* Is path i usable for mns right now?  *optimized its ANA class.  Under
 * mp->lock. */
bool mpath_path_usable (struct mpath *mp, struct mpath_ns *mns, size_t i,
                        uint64_t now, bool *optimized);
/* Choose a path for mns: the index, or -1 (none usable); the caller
 * then waits or gives up (mpath_wait_path).  Counts it in flight. */
int mpath_pick (struct mpath *mp, struct mpath_ns *mns);
void mpath_put (struct mpath *mp, int i);
/* After a command failed on path i with status/err: mark the path (ANA
 * statuses mark its group; others a cool-down) and wake the path thread. */
void mpath_path_failed (struct mpath *mp, int i, uint16_t status);
/* No path was usable: 0 if one may come (wait a little and try again),
 * -1 with the error set if none will (every path gave up, or none came
 * back within ctrl-loss-tmo). */
int mpath_no_path (struct mpath *mp, struct mpath_ns *mns, const char *what,
                   const char *last_err, bool wait);

/* multipath-ns.c */
/* Open on path i the namespaces it could not open while it was down (the
 * path thread, after the path came back). */
void mpath_path_open_missing (struct mpath *mp, size_t i);

/* multipath-ana.c */
/* Read path i's ANA log page and update its groups (path thread or
 * connect, without mp->lock).  0, or -1 with the error set. */
int mpath_ana_read (struct mpath *mp, size_t i);
/* Keep one Asynchronous Event Request outstanding on path i's admin
 * queue (the path thread, after connecting and each reconnect). */
void mpath_aer_arm (struct mpath *mp, size_t i);
/* Wake the path thread. */
void mpath_kick (struct mpath *mp);

/* multipath-join.c */
/* Did connecting fail for a reason that may pass (the transport), not
 * one that will stay (identity, authentication, TLS, an NVMe status)? */
bool mpath_join_transient (void);
/* Keep path i, which could not connect with po, to join later. */
int mpath_join_keep (struct mpath *mp, size_t i, const struct nvmeof_opts *po);
/* Start the joiner thread if a path waits to join. */
int mpath_join_start (struct mpath *mp);
/* Stop it (mp->stop set) and free what waiting paths hold. */
void mpath_join_stop (struct mpath *mp);

/* multipath-aio.c */
int mpath_aio_init (struct mpath *mp);
/* A path joined: its completions are watched too.  0 or -1. */
int mpath_aio_add_path (struct mpath *mp, struct nvmeof_ctrl *c);
void mpath_aio_free (struct mpath *mp);
/* The path thread: operations waiting for a path may be retried. */
void mpath_aio_wake (struct mpath *mp);
/* At close (paths closed): fail what waits for a path. */
void mpath_aio_drain (struct mpath *mp);
/* mp->stop, read without the lock's ordering needs (close). */
bool mpath_stopping (struct mpath *mp);

#endif
