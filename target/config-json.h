/* SPDX-License-Identifier: BSD-3-Clause */
/* Between config.c (the model) and config-json.c (the nvmetcli loader). */
#ifndef NVMEOF_TARGET_CONFIG_JSON_H
#define NVMEOF_TARGET_CONFIG_JSON_H

#include <json-c/json.h>

#include "target.h"

/* config-json.c: load an nvmetcli-saved file into cfg. */
int config_load_json (const char *file);
/* Its helpers: one line "FILE: PATH: message", returning -1; a string or
 * an object/array member (NULL when absent); an NQN's length. */
int jerr (const char *path, const char *fmt, ...)
  __attribute__((__format__ (__printf__, 2, 3)));
int get_str (json_object *o, const char *key, const char *path,
             const char **out);
int get_typed (json_object *o, const char *key, const char *path,
               json_type type, json_object **out);
int check_nqn (const char *path, const char *key, const char *nqn);

/* auth-config.c: a "hosts" entry with its DH-HMAC-CHAP attributes; the
 * warning for a file that holds secrets others can read. */
int auth_load_host (json_object *o, const char *path);
void auth_check_file_mode (const char *file);

/* tls-config.c: a TCP address's "tsas" (nvmet's rule: "tls1.3" makes a
 * TREQ "not specified" "required"); a host's "tls_key" (our extension). */
int tls_parse_tsas (json_object *addr, const char *path, uint8_t *tsas,
                    uint8_t *treq);
int tls_load_host_key (json_object *o, const char *path, struct tgt_host *h);

/* config.c helpers. */
void subsys_defaults (struct tgt_subsys *ss, const char *nqn);
void ns_default_uuid (const struct tgt_subsys *ss, struct tgt_ns *ns);
int ns_finish (const struct tgt_subsys *ss, struct tgt_ns *ns);
int subsys_finish (struct tgt_subsys *ss);
int config_add_subsys (struct tgt_subsys *ss);
struct tgt_port *config_add_port (void);

#endif
