/* SPDX-License-Identifier: BSD-3-Clause */
/* nvmeof: NVMe over Fabrics from userspace, for people without nvme-cli and
 * the kernel modules at hand.  This file dispatches to the subcommands
 * (cmd-*.c); the options they share are in cli-opts.c. */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "nvmeof-tool.h"

struct subcommand {
  const char *name;
  int (*run) (int argc, char **argv);
  const char *summary;
};

static const struct subcommand subcommands[] = {
  { "discover", cmd_discover, "print the discovery log of a target" },
  { "list", cmd_list, "list the namespaces of a subsystem" },
  { "list-subsys", cmd_list_subsys,
    "show the paths to a subsystem and their ANA states" },
  { "identify", cmd_identify, "print Identify Controller or Namespace" },
  { "show-hostnqn", cmd_show_hostnqn,
    "print the host NQN and host ID the library would use" },
  { "bench", cmd_bench, "measure I/O performance through the library" },
  { "gen-dhchap-key", cmd_gen_dhchap_key,
    "print a new DH-HMAC-CHAP secret (DHHC-1:...)" },
  { "check-dhchap-key", cmd_check_dhchap_key,
    "check a DH-HMAC-CHAP secret read from a file" },
  { "gen-tls-key", cmd_gen_tls_key,
    "print a new TLS pre-shared key (NVMeTLSkey-1:...)" },
  { "check-tls-key", cmd_check_tls_key,
    "check a TLS pre-shared key and print its PSK identity" },
  { "connect", cmd_connect,
    "serve a subsystem in the background (nbdkit or nvmeof-fuse)" },
  { "list-connections", cmd_list_connections,
    "list the background connections of connect" },
  { "disconnect", cmd_disconnect,
    "stop the background connections to a subsystem" },
  { "disconnect-all", cmd_disconnect_all, "stop every background connection" },
};
#define NR_SUBCOMMANDS (sizeof subcommands / sizeof subcommands[0])

static void
usage (FILE *fp)
{
  size_t i;

  fprintf (fp, "Usage: nvmeof SUBCOMMAND [OPTIONS] [URL]\n"
               "       nvmeof SUBCOMMAND --help\n"
               "       nvmeof --version\n\n"
               "Subcommands:\n");
  for (i = 0; i < NR_SUBCOMMANDS; i++)
    fprintf (fp, "  %-16s %s\n", subcommands[i].name, subcommands[i].summary);
  fprintf (fp, "\nURL: nvme+tcp://HOST[:PORT]/SUBSYSTEM-NQN[/NSID]\n"
               "See nvmeof(1).\n");
}

int
main (int argc, char **argv)
{
  const char *name;
  size_t i;

  if (argc < 2) {
    usage (stderr);
    return 1;
  }
  name = argv[1];
  if (strcmp (name, "--help") == 0 || strcmp (name, "-h") == 0 ||
      strcmp (name, "help") == 0) {
    if (argc >= 3 && strcmp (name, "help") == 0) {
      /* "nvmeof help list" = "nvmeof list --help" */
      char *av[] = { argv[2], (char *) "--help", NULL };
      for (i = 0; i < NR_SUBCOMMANDS; i++)
        if (strcmp (argv[2], subcommands[i].name) == 0)
          return subcommands[i].run (2, av);
      fprintf (stderr,
               "nvmeof: unknown subcommand '%s' (see 'nvmeof --help')\n",
               argv[2]);
      return 1;
    }
    usage (stdout);
    return 0;
  }
  if (strcmp (name, "--version") == 0 || strcmp (name, "-V") == 0 ||
      strcmp (name, "version") == 0) {
    printf ("nvmeof %s (libnvmeof %s)\n", PACKAGE_VERSION, nvmeof_version ());
    return 0;
  }
  for (i = 0; i < NR_SUBCOMMANDS; i++)
    if (strcmp (name, subcommands[i].name) == 0)
      return subcommands[i].run (argc - 1, argv + 1) == 0 ? 0 : 1;

  fprintf (stderr, "nvmeof: unknown subcommand '%s' (see 'nvmeof --help')\n",
           name);
  return 1;
}
