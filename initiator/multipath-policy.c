/* SPDX-License-Identifier: BSD-3-Clause */
/* Multipath I/O policies, named as the kernel names them (its sysfs
 * iopolicy: numa, round-robin, queue-depth; numa has no meaning inside one
 * process, failover is what it amounts to on a one-node host).  Every
 * policy prefers the ANA optimized paths and uses non-optimized ones only
 * when no optimized path is usable, as the kernel does. */
#include <config.h>

#include <string.h>

#include "multipath.h"

static const char *const names[] = {
  [MPATH_FAILOVER] = "failover",
  [MPATH_ROUND_ROBIN] = "round-robin",
  [MPATH_QUEUE_DEPTH] = "queue-depth",
};

int
mpath_iopolicy_parse (const char *name)
{
  size_t i;

  for (i = 0; i < sizeof names / sizeof names[0]; i++)
    if (strcmp (name, names[i]) == 0)
      return (int) i;
  /* The kernel's spelling with an underscore, as for the other keys. */
  if (strcmp (name, "round_robin") == 0)
    return MPATH_ROUND_ROBIN;
  if (strcmp (name, "queue_depth") == 0)
    return MPATH_QUEUE_DEPTH;
  return -1;
}

const char *
mpath_iopolicy_name (int policy)
{
  if (policy < 0 || (size_t) policy >= sizeof names / sizeof names[0])
    return "unknown";
  return names[policy];
}

/* Is path i usable and of the class we are choosing from? */
static bool
in_class (const struct mpath_pview *v, size_t i, bool optimized)
{
  return v[i].usable && v[i].optimized == optimized;
}

int
mpath_policy_select (int policy, const struct mpath_pview *v, size_t n,
                     unsigned *cursor, int *current)
{
  bool opt;
  size_t i, k;
  int best = -1;

  if (n == 0)
    return -1;
  /* The class: optimized if any such path is usable, else non-optimized. */
  for (opt = true;; opt = false) {
    for (i = 0; i < n; i++)
      if (in_class (v, i, opt))
        break;
    if (i < n)
      break;
    if (!opt)
      return -1;
  }

  switch (policy) {
  case MPATH_ROUND_ROBIN:
    /* The next path of the class after the last one used. */
    for (k = 1; k <= n; k++) {
      i = (*cursor + k) % n;
      if (in_class (v, i, opt)) {
        *cursor = (unsigned) i;
        return (int) i;
      }
    }
    return -1; /* not reached: the class has a path */

  case MPATH_QUEUE_DEPTH:
    /* The fewest commands outstanding; ties go round, so that an idle
     * subsystem does not load the first path only. */
    for (k = 1; k <= n; k++) {
      i = (*cursor + k) % n;
      if (in_class (v, i, opt) &&
          (best < 0 || v[i].inflight < v[best].inflight))
        best = (int) i;
    }
    *cursor = (unsigned) best;
    return best;

  case MPATH_FAILOVER:
  default:
    /* Stay on the current path while it is of the best class. */
    if (*current >= 0 && (size_t) *current < n && in_class (v, *current, opt))
      return *current;
    for (i = 0; i < n; i++)
      if (in_class (v, i, opt)) {
        *current = (int) i;
        return (int) i;
      }
    return -1; /* not reached */
  }
}
