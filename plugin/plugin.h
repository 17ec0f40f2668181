/* SPDX-License-Identifier: BSD-3-Clause */
/* nbdkit-nvmeof-plugin: what nvmeof.c (configuration, connection and the
 * data callbacks) and exports.c (the namespace table and exports) share.
 * Callbacks are prefixed nvplug_ so that they never collide with the
 * library's nvmeof_ namespace. */
#ifndef NVMEOF_PLUGIN_H
#define NVMEOF_PLUGIN_H

#define NBDKIT_API_VERSION 2
#include <nbdkit-plugin.h>

#include <stdbool.h>
#include <stdint.h>

#include "nvmeof.h"
#include "aligned-io.h"

/* One active namespace of the controller: one NBD export. */
struct nsent {
  uint32_t nsid;
  char name[11];        /* the export name: the NSID in decimal */
  struct nvmeof_ns *ns; /* NULL if it could not be opened */
  const struct nvmeof_ns_info *info;
  struct aligned_io aio;
  char *description; /* for list_exports */
  char *error;       /* why it could not be opened */
};

/* nvmeof.c */
extern NBDKIT_DLL_PUBLIC int nvmeof_debug_io;
/* Report a failure (-errno from aligned_io, its message) as nbdkit does:
 * nbdkit_error in words and an errno that NBD can carry. */
int nvplug_report_error (const char *what, int neg_errno);

/* exports.c: the table is built once, after the controller connects, and
 * is read-only while clients are served. */
int exports_load (struct nvmeof_ctrl *ctrl, uint32_t want_nsid,
                  const char *subnqn);
void exports_free (void);
/* The namespace for an export name ("" is the default), or NULL after
 * nbdkit_error. */
struct nsent *exports_find (const char *name);
int nvplug_list_exports (int readonly, int is_tls,
                         struct nbdkit_exports *exports);
const char *nvplug_default_export (int readonly, int is_tls);
const char *nvplug_export_description (void *handle);

#endif
