/* SPDX-License-Identifier: BSD-3-Clause */
/* Between config.c (the model) and config-json.c (the nvmetcli loader). */
#ifndef NVMEOF_TARGET_CONFIG_JSON_H
#define NVMEOF_TARGET_CONFIG_JSON_H

#include "target.h"

/* config-json.c: load an nvmetcli-saved file into cfg. */
int config_load_json (const char *file);

/* config.c helpers. */
void subsys_defaults (struct tgt_subsys *ss, const char *nqn);
void ns_default_uuid (const struct tgt_subsys *ss, struct tgt_ns *ns);
int ns_finish (const struct tgt_subsys *ss, struct tgt_ns *ns);
int subsys_finish (struct tgt_subsys *ss);
int config_add_subsys (struct tgt_subsys *ss);
struct tgt_port *config_add_port (void);

#endif
