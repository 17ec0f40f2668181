/* SPDX-License-Identifier: BSD-3-Clause */
/* Asymmetric Namespace Access, as nvmet models it: every namespace is in
 * one ANA group (its "ana_grpid", 1 by default), and every port has a
 * state for each group ("ports/N/ana_groups/G/ana_state"); a controller
 * sees the states of the port its host connected through.  The control
 * socket changes them while the target runs; each change bumps a change
 * count and sends the port's controllers an ANA change notice.
 *
 * The states are atomics: the I/O path reads one per command, without a
 * lock. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "target.h"

static _Atomic uint64_t chgcnt; /* the log page header's change count */

static const struct {
  uint8_t state;
  const char *name;
} names[] = {
  { NVME_ANA_OPTIMIZED, "optimized" },
  { NVME_ANA_NON_OPTIMIZED, "non-optimized" },
  { NVME_ANA_INACCESSIBLE, "inaccessible" },
  { NVME_ANA_PERSISTENT_LOSS, "persistent-loss" },
  { NVME_ANA_CHANGE, "change" },
};

const char *
ana_state_name (uint8_t state)
{
  size_t i;

  for (i = 0; i < sizeof names / sizeof names[0]; i++)
    if (names[i].state == state)
      return names[i].name;
  return "?";
}

int
ana_state_parse (const char *name)
{
  size_t i;

  for (i = 0; i < sizeof names / sizeof names[0]; i++)
    if (strcmp (names[i].name, name) == 0)
      return names[i].state;
  return -1;
}

/* As nvmet's ports start: group 1 optimized, the others inaccessible
 * (until the configuration's ana_groups or the control socket says). */
void
ana_port_init (struct tgt_port *port)
{
  unsigned g;

  for (g = 0; g <= TGT_ANAGRP_MAX; g++) {
    atomic_init (&port->ana_state[g],
                 g == 1 ? NVME_ANA_OPTIMIZED : NVME_ANA_INACCESSIBLE);
    atomic_init (&port->ana_chgcnt[g], 0);
  }
}

uint16_t
ana_io_status (const struct tgt_port *port, const struct tgt_ns *ns)
{
  switch (atomic_load_explicit (&port->ana_state[ns->anagrpid],
                                memory_order_relaxed)) {
  case NVME_ANA_INACCESSIBLE:
    return NVME_SC_ANA_INACCESSIBLE;
  case NVME_ANA_PERSISTENT_LOSS:
    return NVME_SC_ANA_PERSISTENT_LOSS;
  case NVME_ANA_CHANGE:
    return NVME_SC_ANA_TRANSITION;
  default:
    return 0;
  }
}

/* Groups holding at least one of the subsystem's namespaces, in
 * ascending order, each followed by its NSIDs (the namespaces are sorted
 * by NSID). */
uint8_t *
ana_log_build (const struct tgt_subsys *ss, const struct tgt_port *port,
               bool rgo, size_t *size)
{
  bool used[TGT_ANAGRP_MAX + 1] = { false };
  struct nvme_ana_log_hdr hdr;
  struct nvme_ana_group_desc d;
  size_t i, n = 0, len;
  unsigned g, ngrps = 0;
  uint8_t *page;

  for (i = 0; i < ss->nr_ns; i++)
    used[ss->ns[i].anagrpid] = true;
  for (g = 1; g <= TGT_ANAGRP_MAX; g++)
    ngrps += used[g];
  len = sizeof hdr + ngrps * sizeof d + (rgo ? 0 : ss->nr_ns * 4);
  page = calloc (1, len);
  if (!page)
    return NULL;
  memset (&hdr, 0, sizeof hdr);
  PUT64 (hdr.chgcnt, atomic_load (&chgcnt));
  PUT16 (hdr.ngrps, ngrps);
  memcpy (page, &hdr, sizeof hdr);
  n = sizeof hdr;
  for (g = 1; g <= TGT_ANAGRP_MAX; g++) {
    uint32_t nnsids = 0;
    size_t at = n;

    if (!used[g])
      continue;
    n += sizeof d;
    for (i = 0; i < ss->nr_ns && !rgo; i++) {
      if (ss->ns[i].anagrpid == g) {
        put_le32 (page + n, ss->ns[i].nsid);
        n += 4;
        nnsids++;
      }
    }
    memset (&d, 0, sizeof d);
    PUT32 (d.grpid, g);
    PUT32 (d.nnsids, nnsids);
    PUT64 (d.chgcnt, atomic_load (&port->ana_chgcnt[g]));
    d.state = atomic_load (&port->ana_state[g]) & NVME_ANA_STATE_MASK;
    memcpy (page + at, &d, sizeof d);
  }
  *size = len;
  return page;
}

void
ana_set (struct tgt_port *port, uint32_t grpid, uint8_t state)
{
  uint64_t cnt;

  if (atomic_exchange (&port->ana_state[grpid], state) == state)
    return; /* no change, no notice */
  /* Counts from 0 after a reset, rolling over from all ones to 0. */
  cnt = atomic_fetch_add (&chgcnt, 1) + 1;
  atomic_store (&port->ana_chgcnt[grpid], cnt);
  log_verbose ("port %u: ANA group %u is now %s", port->portid, grpid,
               ana_state_name (state));
  ctrl_ana_changed (port);
}
