/* SPDX-License-Identifier: BSD-3-Clause */
/* nvmeof discover: print the discovery log the way "nvme discover" does. */
#include <config.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nvmeof-tool.h"

static const struct cli_cmd discover_cmd = {
  .name = "discover",
  .synopsis = "nvmeof discover URL [OPTIONS]",
  .help =
    "Connect to the discovery controller at URL's address and print the\n"
    "discovery log page (all of it, as \"nvme discover\" prints it).  An NQN\n"
    "in URL is replaced by the well-known discovery NQN unless --nqn names\n"
    "another discovery subsystem; without a port, 8009 is used.\n",
  .connects = true,
};

/* nvme-cli's words for TREQ, EFLAGS and the TCP security type. */
static const char *
treq_string (uint8_t treq, char *buf, size_t len)
{
  static const char *const secure[] = { "not specified", "required",
                                        "not required", "reserved" };
  snprintf (buf, len, "%s%s", secure[treq & 3],
            (treq & 4) ? ", sq flow control disable supported" : "");
  return buf;
}

static const char *
eflags_string (uint16_t eflags, char *buf, size_t len)
{
  static const char *const names[] = {
    "duplicate discovery information",
    "explicit discovery connections",
    "no cdc connectivity",
  };
  size_t o = 0, i;

  buf[0] = '\0';
  if (eflags == 0)
    return "none";
  for (i = 0; i < 16; i++) {
    if (!(eflags & (1u << i)))
      continue;
    if (i < sizeof names / sizeof names[0])
      o +=
        (size_t) snprintf (buf + o, len - o, "%s%s", o ? ", " : "", names[i]);
    else
      o += (size_t) snprintf (buf + o, len - o, "%sbit %zu", o ? ", " : "", i);
    if (o >= len)
      break;
  }
  return buf;
}

static const char *
sectype_string (uint8_t sectype)
{
  switch (sectype) {
  case 0:
    return "none";
  case 1:
    return "tls";
  case 2:
    return "tls13";
  default:
    return "unknown";
  }
}

static void
print_normal (const struct nvmeof_disc_entry *e, size_t count, uint64_t genctr)
{
  char buf[160];
  size_t i;

  printf ("\nDiscovery Log Number of Records %zu, Generation counter %" PRIu64
          "\n",
          count, genctr);
  for (i = 0; i < count; i++) {
    printf ("=====Discovery Log Entry %zu======\n", i);
    printf ("trtype:  %s\n", nvmeof_trtype_string (e[i].trtype));
    printf ("adrfam:  %s\n", nvmeof_adrfam_string (e[i].adrfam));
    printf ("subtype: %s\n", nvmeof_subtype_string (e[i].subtype));
    printf ("treq:    %s\n", treq_string (e[i].treq, buf, sizeof buf));
    printf ("portid:  %u\n", e[i].portid);
    printf ("trsvcid: %s\n", e[i].trsvcid);
    printf ("subnqn:  %s\n", e[i].subnqn);
    printf ("traddr:  %s\n", e[i].traddr);
    printf ("eflags:  %s\n", eflags_string (e[i].eflags, buf, sizeof buf));
    printf ("sectype: %s\n", sectype_string (e[i].sectype));
  }
}

static json_object *
entries_json (const struct nvmeof_disc_entry *e, size_t count, uint64_t genctr)
{
  json_object *root = json_object_new_object ();
  json_object *records = json_object_new_array ();
  char buf[160];
  size_t i;

  json_object_object_add (root, "genctr", json_object_new_uint64 (genctr));
  json_object_object_add (root, "numrec",
                          json_object_new_uint64 ((uint64_t) count));
  for (i = 0; i < count; i++) {
    json_object *r = json_object_new_object ();
    json_object_object_add (
      r, "trtype", json_object_new_string (nvmeof_trtype_string (e[i].trtype)));
    json_object_object_add (
      r, "adrfam", json_object_new_string (nvmeof_adrfam_string (e[i].adrfam)));
    json_object_object_add (
      r, "subtype",
      json_object_new_string (nvmeof_subtype_string (e[i].subtype)));
    json_object_object_add (
      r, "treq",
      json_object_new_string (treq_string (e[i].treq, buf, sizeof buf)));
    json_object_object_add (r, "portid", json_object_new_int (e[i].portid));
    json_object_object_add (r, "trsvcid",
                            json_object_new_string (e[i].trsvcid));
    json_object_object_add (r, "subnqn", json_object_new_string (e[i].subnqn));
    json_object_object_add (r, "traddr", json_object_new_string (e[i].traddr));
    json_object_object_add (
      r, "eflags",
      json_object_new_string (eflags_string (e[i].eflags, buf, sizeof buf)));
    json_object_object_add (
      r, "sectype", json_object_new_string (sectype_string (e[i].sectype)));
    json_object_object_add (r, "cntlid", json_object_new_int (e[i].cntlid));
    json_object_object_add (r, "asqsz", json_object_new_int (e[i].asqsz));
    json_object_array_add (records, r);
  }
  json_object_object_add (root, "records", records);
  return root;
}

int
cmd_discover (int argc, char **argv)
{
  struct cli cli = { 0 };
  struct nvmeof_ctrl *ctrl;
  struct nvmeof_disc_entry *entries = NULL;
  size_t count = 0;
  uint64_t genctr = 0;
  int r;

  r = cli_parse (&cli, &discover_cmd, argc, argv, NULL, NULL);
  if (r != 0)
    return r == 1 ? 0 : 1;
  ctrl = cli_connect (&cli, true, NULL);
  if (ctrl == NULL)
    return 1;
  if (!nvmeof_ctrl_get_info (ctrl)->discovery) {
    r = cli_error (&cli,
                   "%s is not a discovery controller "
                   "(use 'nvmeof list' for an NVM subsystem)",
                   nvmeof_ctrl_get_info (ctrl)->subnqn);
    nvmeof_close (ctrl);
    return r;
  }
  if (nvmeof_discover (ctrl, &entries, &count, &genctr) == -1) {
    r = cli_lib_error (&cli, NULL);
    nvmeof_close (ctrl);
    return r;
  }
  nvmeof_close (ctrl);

  if (cli.format == OUTPUT_JSON)
    r = output_json (entries_json (entries, count, genctr)) == 0 ? 0 : 1;
  else
    print_normal (entries, count, genctr);
  free (entries);
  return r;
}
