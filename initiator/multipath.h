/* SPDX-License-Identifier: BSD-3-Clause */
/* Native multipath: one subsystem reached through several controllers
 * (paths).  The front ends see an ordinary struct nvmeof_ctrl and
 * struct nvmeof_ns whose mp / mpns pointer is set: the public calls hand
 * them to multipath.c, which runs each command on a path chosen by the
 * I/O policy (multipath-policy.c) among those whose ANA state allows I/O
 * (multipath-ana.c), and retries it on another path when it fails with a
 * path error.  Each path is a complete controller with its own queues,
 * keep-alive and reconnect thread (reconnect.c). */
#ifndef NVMEOF_MULTIPATH_H
#define NVMEOF_MULTIPATH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nvmeof.h"

struct nvmeof_ctrl;
struct nvmeof_ns;
struct nvmeof_opts;
struct mpath;
struct mpath_ns;

/* The kernel's names (drivers/nvme/host/multipath.c), less numa, which
 * means nothing in one process: on a one-node host the kernel's numa
 * policy uses the first optimized path as long as it works, which is
 * failover, our default. */
enum mpath_iopolicy {
  MPATH_FAILOVER = 0,
  MPATH_ROUND_ROBIN = 1,
  MPATH_QUEUE_DEPTH = 2,
};
/* -1 if name is none of them. */
int mpath_iopolicy_parse (const char *name);
const char *mpath_iopolicy_name (int policy);

/* ---- multipath-policy.c: choosing a path (pure, unit tested) ---------- */
/* What the policy sees of a path. */
struct mpath_pview {
  bool usable;       /* connected and its ANA state allows I/O */
  bool optimized;    /* ANA optimized (else non-optimized) */
  unsigned inflight; /* commands outstanding on it */
};
/* The path for the next command, or -1 if none is usable.  Optimized
 * paths first; round-robin turns *cursor; failover keeps *current while
 * it stays among the best. */
int mpath_policy_select (int policy, const struct mpath_pview *v, size_t n,
                         unsigned *cursor, int *current);

/* ---- multipath-ana.c: the ANA log page --------------------------------- */
struct mpath_ana_group {
  uint32_t grpid;
  uint8_t state; /* NVME_ANA_* */
};
/* Decode an ANA log page of len bytes (as returned, from the start).
 * Every count is bounded by len and grpmax (ANAGRPMAX, 0: unchecked).
 * Fills at most max groups in out (their count in *nr).  0, or -1 with a
 * sentence in err. */
int mpath_ana_parse (const uint8_t *page, size_t len, uint32_t grpmax,
                     struct mpath_ana_group *out, size_t max, size_t *nr,
                     uint64_t *chgcnt, char *err, size_t errlen);
/* The state of grpid in the table, or 0 if it is not there. */
uint8_t mpath_ana_lookup (const struct mpath_ana_group *g, size_t nr,
                          uint32_t grpid);
const char *mpath_ana_state_name (uint8_t state);

/* ---- multipath.c --------------------------------------------------------- */
/* Connect every path (the first of opts and its extra url= paths). */
struct nvmeof_ctrl *mpath_connect_opts (const struct nvmeof_opts *opts);
void mpath_close (struct nvmeof_ctrl *ctrl);
struct nvmeof_ns *mpath_ns_open (struct nvmeof_ctrl *ctrl, uint32_t nsid);
void mpath_ns_close (struct nvmeof_ns *ns);
/* A live path's controller, for admin commands (Identify, logs ...). */
struct nvmeof_ctrl *mpath_admin_ctrl (struct nvmeof_ctrl *ctrl);

/* The blocking I/O calls, dispatched and retried over the paths. */
enum mpath_op {
  MPATH_READ,
  MPATH_WRITE,
  MPATH_FLUSH,
  MPATH_WRITE_ZEROES,
  MPATH_DEALLOCATE,
};
int mpath_io (struct nvmeof_ns *ns, enum mpath_op op, void *buf, uint64_t len,
              uint64_t offset, unsigned flags,
              const struct nvmeof_range *ranges, unsigned nr_ranges);

/* True for a failure another path may not have: status code type 3
 * (path related, ANA states included) without DNR, or a failure that was
 * not an NVMe status (a lost connection, a timeout, a failed controller). */
bool mpath_is_path_error (uint16_t status, int err);

/* ---- multipath-aio.c ------------------------------------------------------ */
int mpath_aio (struct nvmeof_ns *ns, enum mpath_op op, void *buf, size_t len,
               uint64_t offset, unsigned flags, nvmeof_callback cb,
               void *opaque);
int mpath_get_fd (struct nvmeof_ctrl *ctrl);
int mpath_process (struct nvmeof_ctrl *ctrl);

#endif
