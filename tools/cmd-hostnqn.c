/* SPDX-License-Identifier: BSD-3-Clause */
/* nvmeof show-hostnqn: the host identity the library would present, and
 * where each part comes from (a file, an option, or derived). */
#include <config.h>

#include <stdio.h>

#include "nvmeof-tool.h"

static const struct cli_cmd hostnqn_cmd = {
  .name = "show-hostnqn",
  .synopsis = "nvmeof show-hostnqn [--hostnqn=NQN] [--hostid=UUID] [OPTIONS]",
  .help =
    "Print the host NQN and host ID that a connection would use, and where\n"
    "each came from: an option, /etc/nvme/hostnqn and /etc/nvme/hostid (or\n"
    "the files named by $NVMEOF_HOSTNQN_FILE and $NVMEOF_HOSTID_FILE), the\n"
    "user's ~/.config/nvmeof/ ($XDG_CONFIG_HOME/nvmeof/), derived from\n"
    "/etc/machine-id, or generated once and kept (see nvmeof(1), HOST\n"
    "IDENTITY).  Connects to nothing.\n",
  .connects = true,
  .no_url = true,
};

int
cmd_show_hostnqn (int argc, char **argv)
{
  struct cli cli = { 0 };
  struct nvmeof_opts *opts;
  const char *nqn, *id, *nqn_src = NULL, *id_src = NULL;
  int r;

  r = cli_parse (&cli, &hostnqn_cmd, argc, argv, NULL, NULL);
  if (r != 0)
    return r == 1 ? 0 : 1;
  opts = cli_make_opts (&cli, false);
  if (opts == NULL)
    return 1;
  nqn = nvmeof_opts_get_hostnqn (opts, &nqn_src);
  if (nqn == NULL) {
    r = cli_lib_error (&cli, "hostnqn");
    goto out;
  }
  id = nvmeof_opts_get_hostid (opts, &id_src);
  if (id == NULL) {
    r = cli_lib_error (&cli, "hostid");
    goto out;
  }
  if (nqn_src == NULL)
    nqn_src = "unknown";
  if (id_src == NULL)
    id_src = "unknown";

  if (cli.format == OUTPUT_JSON) {
    json_object *o = json_object_new_object ();
    json_object_object_add (o, "hostnqn", json_object_new_string (nqn));
    json_object_object_add (o, "hostnqn_source",
                            json_object_new_string (nqn_src));
    json_object_object_add (o, "hostid", json_object_new_string (id));
    json_object_object_add (o, "hostid_source",
                            json_object_new_string (id_src));
    r = output_json (o) == 0 ? 0 : 1;
  }
  else {
    printf ("hostnqn: %s (%s)\n", nqn, nqn_src);
    printf ("hostid:  %s (%s)\n", id, id_src);
  }

out:
  nvmeof_opts_free (opts);
  return r;
}
