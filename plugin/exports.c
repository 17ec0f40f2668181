/* SPDX-License-Identifier: BSD-3-Clause */
/* The namespace table: one NBD export per active namespace, named by its
 * NSID in decimal.  It is built once, when the controller connects (the
 * namespaces are scanned then, not again), and only read afterwards, so
 * the callbacks need no lock. */
#include <config.h>

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugin.h"

static struct nsent *table;
static size_t nr_table;
static struct nsent *default_ent;

/* "1.0 GiB" for humans, next to the exact byte count. */
static void
human_size (uint64_t bytes, char *buf, size_t len)
{
  static const char *const units[] = { "bytes", "KiB", "MiB", "GiB",
                                       "TiB",   "PiB", "EiB" };
  double v = bytes;
  unsigned u = 0;

  while (v >= 1024 && u < sizeof units / sizeof units[0] - 1) {
    v /= 1024;
    u++;
  }
  if (u == 0)
    snprintf (buf, len, "%" PRIu64 " bytes", bytes);
  else
    snprintf (buf, len, "%.1f %s", v, units[u]);
}

static void
hex (const uint8_t *p, size_t n, char *out)
{
  size_t i;

  for (i = 0; i < n; i++)
    snprintf (out + 2 * i, 3, "%02x", p[i]);
}

/* The global identifier in the usual notation, or "" if there is none. */
static void
global_id (const struct nvmeof_ns_info *info, char *buf, size_t len)
{
  char h[33];

  if (info->has_nguid) {
    hex (info->nguid, 16, h);
    snprintf (buf, len, ", NGUID %s", h);
  }
  else if (info->has_uuid) {
    const uint8_t *u = info->uuid;

    snprintf (buf, len,
              ", UUID %02x%02x%02x%02x-%02x%02x-%02x%02x-"
              "%02x%02x-%02x%02x%02x%02x%02x%02x",
              u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10],
              u[11], u[12], u[13], u[14], u[15]);
  }
  else if (info->has_eui64) {
    hex (info->eui64, 8, h);
    snprintf (buf, len, ", EUI-64 %s", h);
  }
  else
    buf[0] = '\0';
}

static char *
make_description (const struct nvmeof_ctrl_info *ci,
                  const struct nvmeof_ns_info *info)
{
  char size[32], gid[64], *s;

  human_size (info->size, size, sizeof size);
  global_id (info, gid, sizeof gid);
  if (asprintf (&s,
                "NVMe namespace %" PRIu32 " of %s: %s (serial %s), "
                "%" PRIu64 " bytes (%s), %" PRIu32 "-byte LBAs%s%s",
                info->nsid, ci->subnqn, ci->model, ci->serial, info->size, size,
                info->lba_size, gid,
                info->write_protected ? ", write-protected" : "") == -1)
    return NULL;
  return s;
}

/* The active NSIDs, in a malloc'ed array. */
static int64_t
list_nsids (struct nvmeof_ctrl *ctrl, uint32_t **out)
{
  uint32_t *nsids = NULL, *p;
  size_t max = 64;
  int64_t n;

  for (;;) {
    p = realloc (nsids, max * sizeof *nsids);
    if (p == NULL) {
      nbdkit_error ("realloc: %m");
      free (nsids);
      return -1;
    }
    nsids = p;
    n = nvmeof_list_namespaces (ctrl, nsids, max);
    if (n == -1) {
      nbdkit_error ("listing the active namespaces: %s", nvmeof_get_error ());
      free (nsids);
      return -1;
    }
    if ((uint64_t) n <= max)
      break;
    max = n;
  }
  *out = nsids;
  return n;
}

/* Open one namespace into ent; failures are recorded, not fatal: the
 * other namespaces can still be served. */
static int
load_one (struct nvmeof_ctrl *ctrl, struct nsent *ent, uint32_t nsid)
{
  const struct nvmeof_ctrl_info *ci = nvmeof_ctrl_get_info (ctrl);
  int r;

  ent->nsid = nsid;
  snprintf (ent->name, sizeof ent->name, "%" PRIu32, nsid);
  ent->ns = nvmeof_ns_open (ctrl, nsid);
  if (ent->ns == NULL) {
    ent->error = strdup (nvmeof_get_error ());
    if (ent->error == NULL) {
      nbdkit_error ("strdup: %m");
      return -1;
    }
    nbdkit_debug ("namespace %" PRIu32 " is not served: %s", nsid, ent->error);
    return 0;
  }
  ent->info = nvmeof_ns_get_info (ent->ns);
  r = aligned_io_init (&ent->aio, ent->ns);
  if (r < 0) {
    nbdkit_error ("namespace %" PRIu32 ": %s", nsid, aligned_io_get_error ());
    nvmeof_ns_close (ent->ns);
    ent->ns = NULL;
    return -1;
  }
  ent->description = make_description (ci, ent->info);
  if (ent->description == NULL) {
    nbdkit_error ("asprintf: %m");
    return -1;
  }
  nbdkit_debug ("export %s: %s", ent->name, ent->description);
  return 0;
}

static struct nsent *
find_nsid (uint32_t nsid)
{
  size_t i;

  for (i = 0; i < nr_table; i++)
    if (table[i].nsid == nsid)
      return &table[i];
  return NULL;
}

/* "1, 2, 5" (the first few), for error messages. */
static void
list_names (char *buf, size_t len)
{
  size_t i, used = 0;

  buf[0] = '\0';
  for (i = 0; i < nr_table && used < len; i++) {
    int n;

    if (i == 8) {
      snprintf (buf + used, len - used, ", ...");
      break;
    }
    n = snprintf (buf + used, len - used, "%s%s", i ? ", " : "", table[i].name);
    if (n < 0)
      break;
    used += n;
  }
}

int
exports_load (struct nvmeof_ctrl *ctrl, uint32_t want_nsid, const char *subnqn)
{
  uint32_t *nsids;
  int64_t n, i;
  char names[128];

  n = list_nsids (ctrl, &nsids);
  if (n == -1)
    return -1;
  if (n == 0) {
    nbdkit_error ("the subsystem %s has no active namespaces", subnqn);
    free (nsids);
    return -1;
  }
  table = calloc (n, sizeof *table);
  if (table == NULL) {
    nbdkit_error ("calloc: %m");
    free (nsids);
    return -1;
  }
  for (i = 0; i < n; i++) {
    nr_table++;
    if (load_one (ctrl, &table[i], nsids[i]) == -1) {
      free (nsids);
      return -1;
    }
  }
  free (nsids);

  list_names (names, sizeof names);
  if (want_nsid != 0) {
    default_ent = find_nsid (want_nsid);
    if (default_ent == NULL) {
      nbdkit_error ("nsid=%" PRIu32 ": no such active namespace in %s "
                    "(active: %s)",
                    want_nsid, subnqn, names);
      return -1;
    }
    if (default_ent->ns == NULL) {
      nbdkit_error ("nsid=%" PRIu32 ": %s", want_nsid, default_ent->error);
      return -1;
    }
    return 0;
  }
  for (i = 0; i < n; i++)
    if (table[i].ns != NULL) {
      default_ent = &table[i];
      return 0;
    }
  nbdkit_error ("no namespace of %s can be served (active: %s): %s", subnqn,
                names, table[0].error);
  return -1;
}

void
exports_free (void)
{
  size_t i;

  for (i = 0; i < nr_table; i++) {
    if (table[i].ns) {
      aligned_io_destroy (&table[i].aio);
      nvmeof_ns_close (table[i].ns);
    }
    free (table[i].description);
    free (table[i].error);
  }
  free (table);
  table = NULL;
  nr_table = 0;
  default_ent = NULL;
}

/* Print at most 64 characters of a client's export name, and only if they
 * are printable. */
static const char *
printable (const char *name)
{
  const char *p;

  if (strlen (name) > 64)
    return "(a long name)";
  for (p = name; *p; p++)
    if (!isprint ((unsigned char) *p))
      return "(a name with unprintable characters)";
  return name;
}

struct nsent *
exports_find (const char *name)
{
  struct nsent *ent = NULL;
  char names[128];

  if (default_ent == NULL) {
    nbdkit_error ("not connected to the controller");
    return NULL;
  }
  if (name == NULL || name[0] == '\0')
    return default_ent;

  /* Only canonical decimal: "1", not "01", "+1" or " 1". */
  if (name[0] >= '1' && name[0] <= '9' && strlen (name) <= 10 &&
      strspn (name, "0123456789") == strlen (name)) {
    unsigned long long v = strtoull (name, NULL, 10);

    if (v <= UINT32_MAX)
      ent = find_nsid (v);
  }
  if (ent == NULL) {
    list_names (names, sizeof names);
    nbdkit_error ("export '%s' does not exist: the exports are the active "
                  "namespace IDs in decimal (%s)",
                  printable (name), names);
    return NULL;
  }
  if (ent->ns == NULL) {
    nbdkit_error ("export '%s': namespace %" PRIu32 " cannot be served: %s",
                  ent->name, ent->nsid, ent->error);
    return NULL;
  }
  return ent;
}

int
nvplug_list_exports (int readonly, int is_tls, struct nbdkit_exports *exports)
{
  size_t i;

  for (i = 0; i < nr_table; i++) {
    if (table[i].ns == NULL)
      continue;
    if (nbdkit_add_export (exports, table[i].name, table[i].description) == -1)
      return -1;
  }
  return 0;
}

const char *
nvplug_default_export (int readonly, int is_tls)
{
  if (default_ent == NULL) {
    nbdkit_error ("not connected to the controller");
    return NULL;
  }
  return default_ent->name;
}

const char *
nvplug_export_description (void *handle)
{
  struct nsent *ent = handle;

  return ent->description;
}
