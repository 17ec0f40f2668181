/* SPDX-License-Identifier: BSD-3-Clause */
/* nvmeof list-subsys: the paths to a subsystem (one per URL) with each
 * one's transport, address, controller ID, state and the ANA state of a
 * namespace's group, as text or as JSON in the shape of
 * nvme list-subsys -o json (HostNQN, HostID, Subsystems[] with Name, NQN,
 * IOPolicy and Paths[] of Name, Transport, Address, State, ANAState). */
#include <config.h>

#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nvmeof-tool.h"

enum { OPT_NSID = 0x200 };

static const struct option list_subsys_longopts[] = {
  { "nsid", required_argument, NULL, OPT_NSID },
  { NULL, 0, NULL, 0 },
};

static const struct cli_cmd list_subsys_cmd = {
  .name = "list-subsys",
  .synopsis = "nvmeof list-subsys URL [URL...] [--nsid=N] [OPTIONS]",
  .help =
    "Connect to the subsystem through every URL given (each one a path,\n"
    "as for multipath: they must name the same subsystem NQN) and print each\n"
    "path's transport, address, controller ID, state and the ANA state of\n"
    "the namespace's group, like nvme list-subsys.\n"
    "\n"
    "Options:\n"
    "      --nsid=N                     the namespace whose ANA state is\n"
    "                                   shown (default: the URL's, else the\n"
    "                                   first active one)\n",
  .longopts = list_subsys_longopts,
  .connects = true,
  .multi_url = true,
};

static int
list_subsys_opt (void *data, int c, const char *arg)
{
  struct cli *cli = data;

  if (c == OPT_NSID)
    return cli_add_kv (cli, "nsid", arg); /* checked by the library */
  return -1;
}

/* "traddr=127.0.0.1,trsvcid=4420" as nvme-cli prints an address. */
static void
path_address (const struct nvmeof_path_info *p, char *buf, size_t len)
{
  if (strcmp (p->transport, "eth") == 0)
    snprintf (buf, len, "traddr=%s,host_iface=%s", p->traddr, p->host_iface);
  else
    snprintf (buf, len, "traddr=%s,trsvcid=%s", p->traddr, p->trsvcid);
}

int
cmd_list_subsys (int argc, char **argv)
{
  struct cli cli = { 0 };
  struct nvmeof_opts *opts = NULL;
  struct nvmeof_ctrl *ctrl;
  const struct nvmeof_ctrl_info *ci;
  struct nvmeof_path_info *paths = NULL;
  const char *hostnqn, *hostid;
  char addr[400], name[32];
  uint32_t nsid, first;
  int64_t n, i;
  int r, ret = 0;

  r = cli_parse (&cli, &list_subsys_cmd, argc, argv, list_subsys_opt, &cli);
  if (r != 0)
    return r == 1 ? 0 : 1;
  ctrl = cli_connect (&cli, false, &opts);
  if (ctrl == NULL)
    return 1;
  ci = nvmeof_ctrl_get_info (ctrl);
  if (ci->discovery) {
    /* A discovery URL: the portals it lists for its NVM subsystem. */
    struct nvmeof_ctrl *disc = ctrl;

    ctrl = nvmeof_connect_discovered (disc, opts, NULL);
    nvmeof_close (disc);
    if (ctrl == NULL) {
      cli_lib_error (&cli, "discovery");
      nvmeof_opts_free (opts);
      return 1;
    }
    ci = nvmeof_ctrl_get_info (ctrl);
  }
  nsid = nvmeof_opts_get_nsid (opts);
  if (nsid == 0) {
    n = nvmeof_list_namespaces (ctrl, &first, 1);
    if (n < 0) {
      ret = cli_lib_error (&cli, NULL);
      goto out;
    }
    nsid = n > 0 ? first : 0;
  }
  n = nvmeof_ctrl_get_paths (ctrl, nsid, NULL, 0);
  if (n > 0)
    paths = calloc ((size_t) n, sizeof *paths);
  if (n < 0 || paths == NULL ||
      nvmeof_ctrl_get_paths (ctrl, nsid, paths, (size_t) n) < 0) {
    ret = n < 0 || paths ? cli_lib_error (&cli, NULL) :
                           cli_error (&cli, "out of memory");
    goto out;
  }
  hostnqn = nvmeof_opts_get_hostnqn (opts, NULL);
  hostid = nvmeof_opts_get_hostid (opts, NULL);

  if (cli.format == OUTPUT_JSON) {
    json_object *root = json_object_new_array ();
    json_object *host = json_object_new_object ();
    json_object *subs = json_object_new_array ();
    json_object *sub = json_object_new_object ();
    json_object *arr = json_object_new_array ();

    json_object_object_add (host, "HostNQN",
                            json_object_new_string (hostnqn ? hostnqn : ""));
    json_object_object_add (host, "HostID",
                            json_object_new_string (hostid ? hostid : ""));
    json_object_object_add (sub, "Name", json_object_new_string ("subsys0"));
    json_object_object_add (sub, "NQN", json_object_new_string (ci->subnqn));
    json_object_object_add (
      sub, "IOPolicy",
      json_object_new_string (nvmeof_ctrl_get_iopolicy (ctrl)));
    for (i = 0; i < n; i++) {
      json_object *p = json_object_new_object ();

      snprintf (name, sizeof name, "path%" PRId64, i);
      path_address (&paths[i], addr, sizeof addr);
      json_object_object_add (p, "Name", json_object_new_string (name));
      json_object_object_add (p, "Transport",
                              json_object_new_string (paths[i].transport));
      json_object_object_add (p, "Address", json_object_new_string (addr));
      json_object_object_add (p, "ControllerID",
                              json_object_new_int (paths[i].cntlid));
      json_object_object_add (p, "State",
                              json_object_new_string (paths[i].state));
      json_object_object_add (p, "ANAState",
                              json_object_new_string (paths[i].ana_state));
      if (paths[i].reason[0])
        json_object_object_add (p, "Reason",
                                json_object_new_string (paths[i].reason));
      json_object_array_add (arr, p);
    }
    json_object_object_add (sub, "Paths", arr);
    json_object_array_add (subs, sub);
    json_object_object_add (host, "Subsystems", subs);
    json_object_array_add (root, host);
    output_json (root);
  }
  else {
    printf ("subsys0 - NQN=%s\n", ci->subnqn);
    printf ("          hostnqn=%s\n", hostnqn ? hostnqn : "");
    printf ("          iopolicy=%s\n", nvmeof_ctrl_get_iopolicy (ctrl));
    if (nsid)
      printf ("          ANA state of namespace %" PRIu32 "\n", nsid);
    printf ("\\\n");
    for (i = 0; i < n; i++) {
      path_address (&paths[i], addr, sizeof addr);
      printf (" +- path%" PRId64 " %s %s cntlid=%u %s %s\n", i,
              paths[i].transport, addr, paths[i].cntlid, paths[i].state,
              paths[i].ana_state[0] ? paths[i].ana_state : "-");
      if (paths[i].reason[0])
        printf ("          path%" PRId64 " reason: %s\n", i, paths[i].reason);
    }
  }

out:
  free (paths);
  nvmeof_close (ctrl);
  nvmeof_opts_free (opts);
  return ret;
}
