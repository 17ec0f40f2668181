/* SPDX-License-Identifier: BSD-3-Clause */
/* nvmeof list-connections, disconnect NQN, disconnect-all: the life cycle
 * of nvmeof connect's background connections (connections-state.c), as
 * nvme list / disconnect -n / disconnect-all for the kernel's. */
#include <config.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "connections.h"

static const struct cli_cmd list_connections_cmd = {
  .name = "list-connections",
  .synopsis = "nvmeof list-connections [OPTIONS]",
  .help =
    "List the background connections of nvmeof connect: ID, subsystem NQN,\n"
    "NSIDs, process ID, uptime and address, then the NBD socket or mount\n"
    "point (JSON: the URL too).  A connection whose process has gone (or\n"
    "whose PID now names another process) is cleaned up and reported on\n"
    "standard error.\n",
};

static const struct option disconnect_longopts[] = {
  { "nqn", required_argument, NULL, 'n' },
  { NULL, 0, NULL, 0 },
};

static const struct cli_cmd disconnect_cmd = {
  .name = "disconnect",
  .synopsis = "nvmeof disconnect NQN | -n NQN [OPTIONS]",
  .help =
    "Stop the background connections to subsystem NQN: unmount (nvmeof-fuse)\n"
    "or stop nbdkit, both of which flush and shut the controller down, and\n"
    "wait for the process to exit (killed after 30 s, an error).\n"
    "\n"
    "  -n, --nqn=NQN                    the subsystem NQN\n",
  .shortopts = "n:",
  .longopts = disconnect_longopts,
};

static const struct cli_cmd disconnect_all_cmd = {
  .name = "disconnect-all",
  .synopsis = "nvmeof disconnect-all [OPTIONS]",
  .help = "Stop every background connection, as disconnect does.\n",
};

/* As nvme list-subsys writes an address. */
static void
address (const struct conn_info *ci, char *buf, size_t len)
{
  if (ci->host_iface[0])
    snprintf (buf, len, "%s traddr=%s,host_iface=%s", ci->transport, ci->traddr,
              ci->host_iface);
  else
    snprintf (buf, len, "%s traddr=%s,trsvcid=%s", ci->transport, ci->traddr,
              ci->trsvcid);
}

static void
nsid_list (const struct conn_info *ci, char *buf, size_t len)
{
  size_t i, off = 0;

  buf[0] = '\0';
  for (i = 0; i < ci->nr_nsids && off < len; i++) {
    int n =
      snprintf (buf + off, len - off, "%s%" PRIu32, i ? "," : "", ci->nsids[i]);
    if (n < 0 || (size_t) n >= len - off) {
      snprintf (buf + (len > 4 ? len - 4 : 0), len > 4 ? 4 : len, "...");
      return;
    }
    off += (size_t) n;
  }
  if (ci->nr_nsids == 0)
    snprintf (buf, len, "-");
}

struct list_data {
  json_object *arr;
  unsigned count;
};

static int
list_one (const struct cli *cli, const char *dir, struct conn_info *ci,
          void *data)
{
  struct list_data *ld = data;
  bool nbd = strcmp (ci->kind, "nbd") == 0;
  double up = conn_uptime (ci);
  char nsids[256], addr[320];
  size_t i;

  (void) dir;
  ld->count++;
  if (cli->format == OUTPUT_JSON) {
    json_object *o = json_object_new_object ();
    json_object *a = json_object_new_array ();

    for (i = 0; i < ci->nr_nsids; i++)
      json_object_array_add (a, json_object_new_int64 (ci->nsids[i]));
    json_object_object_add (o, "id", json_object_new_int64 (ci->id));
    json_object_object_add (o, "subnqn", json_object_new_string (ci->subnqn));
    json_object_object_add (o, "transport",
                            json_object_new_string (ci->transport));
    json_object_object_add (o, "traddr", json_object_new_string (ci->traddr));
    if (ci->trsvcid[0])
      json_object_object_add (o, "trsvcid",
                              json_object_new_string (ci->trsvcid));
    if (ci->host_iface[0])
      json_object_object_add (o, "host_iface",
                              json_object_new_string (ci->host_iface));
    json_object_object_add (o, "url", json_object_new_string (ci->url));
    json_object_object_add (o, "nsids", a);
    json_object_object_add (o, "kind", json_object_new_string (ci->kind));
    json_object_object_add (o, nbd ? "socket" : "mountpoint",
                            json_object_new_string (ci->path));
    json_object_object_add (o, "pid", json_object_new_int64 (ci->pid));
    json_object_object_add (o, "uptime_seconds",
                            json_object_new_int64 ((int64_t) up));
    json_object_array_add (ld->arr, o);
  }
  else {
    unsigned s = (unsigned) up;

    nsid_list (ci, nsids, sizeof nsids);
    address (ci, addr, sizeof addr);
    printf ("%-4u %-40s %-8s %-7u %3u:%02u:%02u  %s\n", ci->id, ci->subnqn,
            nsids, (unsigned) ci->pid, s / 3600, s / 60 % 60, s % 60, addr);
    printf ("     %s %s\n", nbd ? "nbd socket:" : "mounted on:", ci->path);
  }
  return 0;
}

int
cmd_list_connections (int argc, char **argv)
{
  struct cli cli = { 0 };
  struct list_data ld = { NULL, 0 };
  int r;

  r = cli_parse (&cli, &list_connections_cmd, argc, argv, NULL, NULL);
  if (r != 0)
    return r == 1 ? 0 : 1;
  if (cli.format == OUTPUT_JSON)
    ld.arr = json_object_new_array ();
  else
    printf ("%-4s %-40s %-8s %-7s %9s  %s\n", "ID", "Subsystem NQN", "NSIDs",
            "PID", "Uptime", "Address");
  r = conn_foreach (&cli, list_one, &ld);
  if (ld.arr) {
    json_object *o = json_object_new_object ();

    json_object_object_add (o, "connections", ld.arr);
    if (output_json (o) == -1)
      r = -1;
  }
  return r == 0 ? 0 : 1;
}

struct stop_data {
  const char *nqn; /* NULL: all */
  unsigned stopped;
  bool failed;
};

static int
stop_one (const struct cli *cli, const char *dir, struct conn_info *ci,
          void *data)
{
  struct stop_data *sd = data;

  if (sd->nqn && strcmp (sd->nqn, ci->subnqn) != 0)
    return 0;
  if (conn_stop (cli, dir, ci, CONN_STOP_TIMEOUT) == -1) {
    sd->failed = true;
    return -1;
  }
  sd->stopped++;
  return 0;
}

static int
disconnect_opt (void *data, int c, const char *arg)
{
  struct stop_data *sd = data;

  if (c != 'n')
    return -1;
  sd->nqn = arg;
  return 0;
}

static int
disconnect (const struct cli_cmd *cmd, int argc, char **argv, bool all)
{
  struct cli cli = { 0 };
  struct stop_data sd = { NULL, 0, false };
  char **av;
  int i, ac = 0, r;

  /* disconnect NQN: the one argument that is no option (nor -o's value)
   * is the NQN; -n NQN works too, as with nvme disconnect. */
  av = calloc ((size_t) argc + 1, sizeof *av);
  if (av == NULL)
    return 1;
  for (i = 0; i < argc; i++) {
    bool takes_value = strcmp (argv[i], "-o") == 0 ||
                       strcmp (argv[i], "-n") == 0 ||
                       strcmp (argv[i], "--nqn") == 0 ||
                       strcmp (argv[i], "--output-format") == 0;

    if (!all && i > 0 && argv[i][0] != '-' && sd.nqn == NULL) {
      sd.nqn = argv[i];
      continue;
    }
    av[ac++] = argv[i];
    if (takes_value && i + 1 < argc)
      av[ac++] = argv[++i];
  }
  r = cli_parse (&cli, cmd, ac, av, all ? NULL : disconnect_opt, &sd);
  free (av);
  if (r != 0)
    return r == 1 ? 0 : 1;
  if (!all && sd.nqn == NULL)
    return cli_error (&cli, "a subsystem NQN is needed (see 'nvmeof "
                            "disconnect --help')");
  r = conn_foreach (&cli, stop_one, &sd);
  if (!all && sd.stopped == 0 && !sd.failed)
    return cli_error (&cli,
                      "no connection to %s (see 'nvmeof "
                      "list-connections')",
                      sd.nqn);
  if (all)
    printf ("disconnected %u connection(s)\n", sd.stopped);
  else
    printf ("NQN:%s disconnected %u connection(s)\n", sd.nqn, sd.stopped);
  return r == 0 && !sd.failed ? 0 : 1;
}

int
cmd_disconnect (int argc, char **argv)
{
  return disconnect (&disconnect_cmd, argc, argv, false);
}

int
cmd_disconnect_all (int argc, char **argv)
{
  return disconnect (&disconnect_all_cmd, argc, argv, true);
}
