/* SPDX-License-Identifier: BSD-3-Clause */
/* The connection keys of a command line (conn-keys.h). */
#include <config.h>

#include <stdbool.h>
#include <string.h>

#include "conn-keys.h"

size_t
conn_keys_load (const struct nvmeof_key_info **keys)
{
  static const char *const not_options[] = { "url", "nsid" };
  const struct nvmeof_key_info *t;
  size_t n, i, j, nr = 0;

  t = nvmeof_opts_keys (&n);
  for (i = 0; i < n && nr < CONN_KEYS_MAX; i++) {
    bool skip = false;

    for (j = 0; j < sizeof not_options / sizeof not_options[0]; j++)
      if (strcmp (t[i].name, not_options[j]) == 0)
        skip = true;
    if (!skip)
      keys[nr++] = &t[i];
  }
  return nr;
}
