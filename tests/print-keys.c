/* SPDX-License-Identifier: BSD-3-Clause */
/* The library's key table (nvmeof_opts_keys) for the shell tests, one key
 * a line: NAME SHORTOPT FLAGS, SHORTOPT "-" if none, FLAGS "boolean",
 * "secret" or "-".  test-*-docs.sh check every front end's --help and man
 * page against it. */
#include <config.h>

#include <stdio.h>

#include "nvmeof.h"

int
main (void)
{
  const struct nvmeof_key_info *k;
  size_t n, i;

  k = nvmeof_opts_keys (&n);
  for (i = 0; i < n; i++) {
    const char *flags = k[i].boolean ? "boolean" : k[i].secret ? "secret" : "-";

    if (k[i].shortopt)
      printf ("%s %c %s\n", k[i].name, k[i].shortopt, flags);
    else
      printf ("%s - %s\n", k[i].name, flags);
  }
  return 0;
}
