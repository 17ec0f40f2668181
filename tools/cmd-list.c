/* SPDX-License-Identifier: BSD-3-Clause */
/* nvmeof list: the active namespaces of a subsystem, one per line. */
#include <config.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nvmeof-tool.h"

static const struct cli_cmd list_cmd = {
  .name = "list",
  .synopsis = "nvmeof list URL [OPTIONS]",
  .help =
    "Connect to the subsystem at URL and list its active namespaces: NSID,\n"
    "size, LBA size, NGUID (or UUID, or EUI-64), model and serial number.\n",
  .connects = true,
};

/* The namespace's best identifier for the NGUID/UUID column. */
static void
ns_ident (const struct nvmeof_ns_info *ni, char *buf, size_t len)
{
  if (ni->has_nguid && !output_all_zero (ni->nguid, 16))
    output_hex (buf, len, ni->nguid, 16);
  else if (ni->has_uuid && !output_all_zero (ni->uuid, 16))
    output_uuid (buf, len, ni->uuid);
  else if (ni->has_eui64 && !output_all_zero (ni->eui64, 8))
    output_hex (buf, len, ni->eui64, 8);
  else
    snprintf (buf, len, "-");
}

static json_object *
ns_json (const struct nvmeof_ns_info *ni)
{
  json_object *o = json_object_new_object ();
  char buf[64];

  json_object_object_add (o, "nsid", json_object_new_int64 (ni->nsid));
  json_object_object_add (o, "size", json_object_new_uint64 (ni->size));
  json_object_object_add (o, "nsze", json_object_new_uint64 (ni->nsze));
  json_object_object_add (o, "lba_size", json_object_new_int64 (ni->lba_size));
  if (ni->has_nguid) {
    output_hex (buf, sizeof buf, ni->nguid, 16);
    json_object_object_add (o, "nguid", json_object_new_string (buf));
  }
  if (ni->has_uuid) {
    output_uuid (buf, sizeof buf, ni->uuid);
    json_object_object_add (o, "uuid", json_object_new_string (buf));
  }
  if (ni->has_eui64) {
    output_hex (buf, sizeof buf, ni->eui64, 8);
    json_object_object_add (o, "eui64", json_object_new_string (buf));
  }
  json_object_object_add (o, "write_protected",
                          json_object_new_boolean (ni->write_protected));
  return o;
}

int
cmd_list (int argc, char **argv)
{
  struct cli cli = { 0 };
  struct nvmeof_ctrl *ctrl;
  const struct nvmeof_ctrl_info *ci;
  uint32_t *nsids = NULL;
  int64_t n;
  size_t max = 1024, i;
  json_object *root = NULL, *arr = NULL;
  int r, ret = 0;

  r = cli_parse (&cli, &list_cmd, argc, argv, NULL, NULL);
  if (r != 0)
    return r == 1 ? 0 : 1;
  ctrl = cli_connect (&cli, false, NULL);
  if (ctrl == NULL)
    return 1;
  ci = nvmeof_ctrl_get_info (ctrl);
  if (ci->discovery) {
    ret = cli_error (&cli,
                     "%s is a discovery controller "
                     "(use 'nvmeof discover')",
                     ci->subnqn);
    goto out;
  }

  for (;;) {
    free (nsids);
    nsids = malloc (max * sizeof *nsids);
    if (nsids == NULL) {
      ret = cli_error (&cli, "out of memory");
      goto out;
    }
    n = nvmeof_list_namespaces (ctrl, nsids, max);
    if (n == -1) {
      ret = cli_lib_error (&cli, NULL);
      goto out;
    }
    if ((uint64_t) n <= max)
      break;
    max = (size_t) n;
  }

  if (cli.format == OUTPUT_JSON) {
    root = json_object_new_object ();
    arr = json_object_new_array ();
    json_object_object_add (root, "subnqn",
                            json_object_new_string (ci->subnqn));
    json_object_object_add (root, "model", json_object_new_string (ci->model));
    json_object_object_add (root, "serial",
                            json_object_new_string (ci->serial));
    json_object_object_add (root, "firmware",
                            json_object_new_string (ci->firmware));
    json_object_object_add (root, "cntlid", json_object_new_int (ci->cntlid));
  }
  else {
    printf ("%-6s %-20s %-8s %-36s %-24s %s\n", "NSID", "Size", "LBA",
            "NGUID/UUID", "Model", "Serial");
    printf ("%-6s %-20s %-8s %-36s %-24s %s\n", "------",
            "--------------------", "--------",
            "------------------------------------", "------------------------",
            "--------------------");
  }

  for (i = 0; i < (size_t) n; i++) {
    struct nvmeof_ns *ns = nvmeof_ns_open (ctrl, nsids[i]);
    const struct nvmeof_ns_info *ni;
    char size[32], ident[64];

    if (ns == NULL) {
      /* Keep listing the others; fail at the end. */
      char what[32];
      snprintf (what, sizeof what, "namespace %" PRIu32, nsids[i]);
      ret = cli_lib_error (&cli, what);
      continue;
    }
    ni = nvmeof_ns_get_info (ns);
    if (cli.format == OUTPUT_JSON)
      json_object_array_add (arr, ns_json (ni));
    else {
      output_human_size (size, sizeof size, ni->size);
      ns_ident (ni, ident, sizeof ident);
      printf ("%-6" PRIu32 " %-20s %-8" PRIu32 " %-36s %-24s %s\n", ni->nsid,
              size, ni->lba_size, ident, ci->model, ci->serial);
    }
    nvmeof_ns_close (ns);
  }

  if (root) {
    json_object_object_add (root, "namespaces", arr);
    if (output_json (root) == -1)
      ret = 1;
    root = NULL;
  }

out:
  if (root)
    json_object_put (root);
  free (nsids);
  nvmeof_close (ctrl);
  return ret;
}
