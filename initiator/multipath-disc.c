/* SPDX-License-Identifier: BSD-3-Clause */
/* Discovery feeds multipath: nvmeof_connect_discovered reads the log page
 * of a discovery controller, and those of the discovery controllers it
 * refers to (one level, as nvme connect-all follows referrals: nvmet and
 * nvmeof-target list only the port they are reached on, and referrals
 * name the others), and connects every portal listed for one NVM
 * subsystem as a path (one portal: an ordinary controller).  Every entry
 * is checked as user input would be (its address and port go through the
 * option parser), so a hostile log page cannot name what a URL could not;
 * at most MAX_REFERRALS referrals are followed. */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "errors.h"
#include "multipath-int.h"

#define MAX_REFERRALS 16

/* Options for the entry's address (TCP), with the rest of opts; NULL
 * with the error set if the entry names no valid address. */
static struct nvmeof_opts *
entry_opts (const struct nvmeof_opts *opts, const struct nvmeof_disc_entry *e,
            size_t idx, const char *nqn)
{
  struct nvmeof_opts *po = malloc (sizeof *po);
  char msg[512];

  if (po == NULL) {
    set_error (ENOMEM, "out of memory");
    return NULL;
  }
  *po = *opts;
  po->nr_extra_paths = 0;
  po->transport = NVMEOF_TRANSPORT_TCP;
  po->traddr[0] = po->trsvcid[0] = '\0';
  if (nvmeof_opts_set (po, "traddr", e->traddr) < 0 ||
      nvmeof_opts_set (po, "trsvcid", e->trsvcid) < 0 ||
      nvmeof_opts_set (po, "nqn", nqn) < 0) {
    msgf (msg, sizeof msg, "%s", nvmeof_get_error ());
    set_error (EPROTO, "discovery log entry %zu: %s", idx, msg);
    opts_wipe (po);
    free (po);
    return NULL;
  }
  return po;
}

/* Append the NVM subsystem entries of the discovery controllers that the
 * entries of *e refer to.  Referrals that cannot be reached are left out
 * (their portals are not usable paths now). */
static int
follow_referrals (const struct nvmeof_opts *opts, struct nvmeof_disc_entry **e,
                  size_t *n)
{
  size_t first_n = *n, i, k, done = 0;

  for (i = 0; i < first_n && done < MAX_REFERRALS; i++) {
    struct nvmeof_disc_entry *re = NULL, *grown;
    struct nvmeof_opts *po;
    struct nvmeof_ctrl *rc;
    size_t rn = 0;

    if ((*e)[i].subtype != 1 || (*e)[i].trtype != 3)
      continue;
    done++;
    po = entry_opts (opts, &(*e)[i], i, NVMEOF_DISCOVERY_NQN);
    if (po == NULL)
      return -1;
    rc = nvmeof_connect (po);
    opts_wipe (po);
    free (po);
    if (rc == NULL)
      continue;
    if (nvmeof_discover (rc, &re, &rn, NULL) == 0 && rn > 0) {
      grown = realloc (*e, (*n + rn) * sizeof **e);
      if (grown == NULL) {
        free (re);
        nvmeof_close (rc);
        set_error (ENOMEM, "out of memory");
        return -1;
      }
      *e = grown;
      for (k = 0; k < rn; k++)
        if (re[k].subtype == 2)
          (*e)[(*n)++] = re[k];
    }
    free (re);
    nvmeof_close (rc);
  }
  return 0;
}

/* The NVM subsystem entries (NVMe/TCP, IPv4 or IPv6) for subnqn, or for
 * the only subsystem listed if subnqn is NULL. */
static int
pick_subsystem (const struct nvmeof_disc_entry *e, size_t n, const char *subnqn,
                const char **chosen)
{
  char names[512] = "";
  size_t i, len = 0, kinds = 0;

  *chosen = subnqn;
  for (i = 0; i < n; i++) {
    if (e[i].subtype != 2 || e[i].trtype != 3)
      continue;
    if (subnqn) {
      if (strcmp (e[i].subnqn, subnqn) == 0)
        return 0;
      continue;
    }
    if (*chosen == NULL || strcmp (*chosen, e[i].subnqn) != 0) {
      size_t k;
      bool seen = false;

      for (k = 0; k < i; k++)
        if (e[k].subtype == 2 && e[k].trtype == 3 &&
            strcmp (e[k].subnqn, e[i].subnqn) == 0)
          seen = true;
      if (!seen) {
        kinds++;
        if (len < sizeof names)
          len += (size_t) snprintf (names + len, sizeof names - len, "%s%s",
                                    kinds > 1 ? ", " : "", e[i].subnqn);
      }
      if (*chosen == NULL)
        *chosen = e[i].subnqn;
    }
  }
  if (*chosen == NULL || (subnqn && *chosen == subnqn)) {
    set_error (ENOENT,
               "the discovery subsystem lists no NVMe/TCP portal of %s "
               "(it has no namespaces itself: give the URL of an NVM "
               "subsystem; nvmeof discover lists them)",
               subnqn ? subnqn : "an NVM subsystem for this host");
    return -1;
  }
  if (kinds > 1) {
    set_error (EINVAL,
               "the discovery log lists several NVM subsystems (%s): "
               "give the URL of the one to use "
               "(nvme+tcp://HOST:PORT/NQN)",
               names);
    return -1;
  }
  return 0;
}

struct nvmeof_ctrl *
nvmeof_connect_discovered (struct nvmeof_ctrl *disc,
                           const struct nvmeof_opts *opts, const char *subnqn)
{
  struct nvmeof_disc_entry *e = NULL;
  struct nvmeof_opts *po[OPTS_MAX_PATHS] = { NULL };
  struct nvmeof_ctrl *ctrl = NULL;
  const char *nqn;
  size_t n = 0, i, k, np = 0;

  if (disc == NULL || opts == NULL) {
    set_error (EINVAL, "nvmeof_connect_discovered: disc and opts must not "
                       "be NULL");
    return NULL;
  }
  if (nvmeof_discover (disc, &e, &n, NULL) < 0)
    return NULL;
  if (follow_referrals (opts, &e, &n) < 0)
    goto out;
  if (pick_subsystem (e, n, subnqn, &nqn) < 0)
    goto out;
  for (i = 0; i < n && np < OPTS_MAX_PATHS; i++) {
    bool dup = false;

    if (e[i].subtype != 2 || e[i].trtype != 3 ||
        strcmp (e[i].subnqn, nqn) != 0 ||
        (e[i].adrfam != 1 && e[i].adrfam != 2))
      continue;
    for (k = 0; k < i; k++)
      if (e[k].subtype == 2 && strcmp (e[k].subnqn, nqn) == 0 &&
          strcmp (e[k].traddr, e[i].traddr) == 0 &&
          strcmp (e[k].trsvcid, e[i].trsvcid) == 0)
        dup = true; /* one portal per address */
    if (dup)
      continue;
    po[np] = entry_opts (opts, &e[i], i, nqn);
    if (po[np] == NULL)
      goto out;
    np++;
  }
  if (np == 0)
    set_error (ENOENT,
               "the discovery log lists no NVMe/TCP portal over "
               "IPv4 or IPv6 for %s",
               nqn);
  else if (np == 1)
    ctrl = nvmeof_connect (po[0]);
  else
    ctrl = nvmeof_connect_paths ((const struct nvmeof_opts *const *) po, np);
out:
  for (i = 0; i < np; i++) {
    opts_wipe (po[i]);
    free (po[i]);
  }
  free (e);
  return ctrl;
}
