/* SPDX-License-Identifier: BSD-3-Clause */
/* The nvmeof command: options every subcommand shares, and connecting.
 *
 * Connection options are not interpreted here: each is forwarded to
 * nvmeof_opts_set() under its key, so that names, defaults and error
 * messages are those of the library (and of the nbdkit plugin). */
#include <config.h>

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "nvmeof-tool.h"
#include "parse-size.h"
#include "conn-keys.h"

/* The connection keys (conn-keys.h), with nvme-cli's names and short
 * options; nsid is an option of the subcommands where a namespace means
 * something. */

static const struct nvmeof_key_info *conn_keys[CONN_KEYS_MAX];
static size_t nr_conn_keys;

/* Long-only option values. */
enum {
  OPT_CONN_BASE = 0x100,  /* + index into conn_keys */
  OPT_CONN_ALIAS = 0x140, /* + index: the underscore spelling */
};
_Static_assert (OPT_CONN_BASE + CONN_KEYS_MAX <= OPT_CONN_ALIAS,
                "option ranges overlap");
_Static_assert (OPT_CONN_ALIAS + CONN_KEYS_MAX <= CLI_CMD_OPT_BASE,
                "option ranges overlap");

/* Underscore spellings of the keys, built once. */
static char alias_names[CONN_KEYS_MAX][32];

/* Fill conn_keys from the table, once. */
static void
load_conn_keys (void)
{
  if (nr_conn_keys == 0)
    nr_conn_keys = conn_keys_load (conn_keys);
}

int
cli_error (const struct cli *cli, const char *fmt, ...)
{
  va_list ap;

  fprintf (stderr, "nvmeof: %s: ", cli->cmd);
  va_start (ap, fmt);
  vfprintf (stderr, fmt, ap);
  va_end (ap);
  fputc ('\n', stderr);
  return 1;
}

int
cli_lib_error (const struct cli *cli, const char *what)
{
  const char *msg = nvmeof_get_error ();

  if (msg == NULL || *msg == '\0')
    msg = strerror (nvmeof_get_errno () ? nvmeof_get_errno () : EIO);
  if (what)
    return cli_error (cli, "%s: %s", what, msg);
  return cli_error (cli, "%s", msg);
}

int
cli_parse_u64 (const struct cli *cli, const char *opt, const char *arg,
               uint64_t min, uint64_t max, uint64_t *out)
{
  char *end;
  unsigned long long v;

  errno = 0;
  if (arg[0] == '-' || arg[0] == '\0')
    goto bad;
  v = strtoull (arg, &end, 0);
  if (errno != 0 || *end != '\0' || v < min || v > max)
    goto bad;
  *out = v;
  return 0;

bad:
  cli_error (cli,
             "%s: expected a number from %" PRIu64 " to %" PRIu64 ", got '%s'",
             opt, min, max, arg);
  return -1;
}

int
cli_parse_size (const struct cli *cli, const char *opt, const char *arg,
                uint64_t min, uint64_t max, uint64_t *out)
{
  uint64_t v;

  if (parse_size (arg, &v) == -1 || v < min || v > max) {
    cli_error (cli,
               "%s: expected a size in bytes from %" PRIu64 " to %" PRIu64
               " (K, M, G, T suffixes allowed), got '%s'",
               opt, min, max, arg);
    return -1;
  }
  *out = v;
  return 0;
}

static void
print_conn_help (void)
{
  size_t i;
  char left[64], help[256];

  load_conn_keys ();
  printf ("\nConnection options (the keys of nvmeof_opts_set; underscore "
          "spellings work too):\n");
  for (i = 0; i < nr_conn_keys; i++) {
    const struct nvmeof_key_info *k = conn_keys[i];

    snprintf (left, sizeof left, "%s%c%s--%s%s%s%s", k->shortopt ? "-" : "   ",
              k->shortopt ? k->shortopt : ' ', k->shortopt ? ", " : "", k->name,
              k->boolean ? "[=" : "=", k->metavar, k->boolean ? "]" : "");
    if (k->default_value)
      snprintf (help, sizeof help, "%s (default: %s)", k->help,
                k->default_value);
    else
      snprintf (help, sizeof help, "%s", k->help);
    if (strlen (left) > 32)
      printf ("  %s\n  %-32s %s\n", left, "", help);
    else
      printf ("  %-32s %s\n", left, help);
  }
}

void
cli_print_help (const struct cli_cmd *cmd)
{
  printf ("Usage: %s\n\n%s", cmd->synopsis, cmd->help);
  printf ("\nCommon options:\n"
          "  -o, --output-format=FMT          normal or json\n"
          "  -h, --help                       show this help\n");
  if (cmd->connects)
    print_conn_help ();
  printf ("\nURL: nvme+tcp://HOST[:PORT]/SUBSYSTEM-NQN[/NSID]  "
          "(see nvmeof(1))\n"
          "     nvme+eth://IFACE/MAC/SUBSYSTEM-NQN[/NSID]  "
          "(NVMe over raw Ethernet)\n");
}

/* The long option table: the subcommand's, then the common ones. */
static struct option *
build_longopts (const struct cli_cmd *cmd)
{
  size_t n = 0, i, j;
  struct option *o;

  if (cmd->longopts)
    while (cmd->longopts[n].name)
      n++;
  load_conn_keys ();
  o = calloc (n + 2 * nr_conn_keys + 3, sizeof *o);
  if (o == NULL)
    return NULL;
  for (i = 0; i < n; i++)
    o[i] = cmd->longopts[i];
  o[i++] = (struct option){ "help", no_argument, NULL, 'h' };
  o[i++] = (struct option){ "output-format", required_argument, NULL, 'o' };
  if (cmd->connects) {
    for (j = 0; j < nr_conn_keys; j++) {
      const struct nvmeof_key_info *k = conn_keys[j];
      int has_arg = k->boolean ? optional_argument : required_argument;
      char *a = alias_names[j];

      o[i++] =
        (struct option){ k->name, has_arg, NULL, (int) (OPT_CONN_BASE + j) };
      snprintf (a, sizeof alias_names[j], "%s", k->name);
      for (; *a; a++)
        if (*a == '-')
          *a = '_';
      if (strcmp (alias_names[j], k->name) != 0)
        o[i++] = (struct option){ alias_names[j], has_arg, NULL,
                                  (int) (OPT_CONN_ALIAS + j) };
    }
  }
  return o;
}

int
cli_add_kv (struct cli *cli, const char *key, const char *value)
{
  if (cli->nr_kv >= CLI_MAX_KV)
    return cli_error (cli, "too many options"), -1;
  cli->kv[cli->nr_kv].key = key;
  cli->kv[cli->nr_kv].value = value;
  cli->nr_kv++;
  return 0;
}

static int
conn_key_option (struct cli *cli, size_t idx, const char *arg)
{
  const struct nvmeof_key_info *k = conn_keys[idx];

  if (arg == NULL)
    arg = "true"; /* only for boolean keys */
  return cli_add_kv (cli, k->name, arg);
}

int
cli_parse (struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv,
           cli_opt_fn fn, void *data)
{
  char shortopts[128];
  struct option *longopts;
  size_t i, len;
  int c, ret = -1;

  cli->cmd = cmd->name;
  len = (size_t) snprintf (shortopts, sizeof shortopts, ":ho:%s",
                           cmd->shortopts ? cmd->shortopts : "");
  load_conn_keys ();
  if (cmd->connects) {
    for (i = 0; i < nr_conn_keys && len + 3 < sizeof shortopts; i++) {
      if (conn_keys[i]->shortopt == 0)
        continue;
      shortopts[len++] = conn_keys[i]->shortopt;
      if (!conn_keys[i]->boolean)
        shortopts[len++] = ':';
    }
    shortopts[len] = '\0';
  }
  longopts = build_longopts (cmd);
  if (longopts == NULL)
    return cli_error (cli, "%s", strerror (errno)), -1;

  opterr = 0;
  optind = 1;
  while ((c = getopt_long (argc, argv, shortopts, longopts, NULL)) != -1) {
    if (c == 'h') {
      cli_print_help (cmd);
      ret = 1;
      goto out;
    }
    else if (c == 'o') {
      if (strcmp (optarg, "json") == 0)
        cli->format = OUTPUT_JSON;
      else if (strcmp (optarg, "normal") == 0)
        cli->format = OUTPUT_NORMAL;
      else {
        cli_error (cli,
                   "--output-format: expected 'normal' or 'json', "
                   "got '%s'",
                   optarg);
        goto out;
      }
    }
    else if (c == '?') {
      if (optopt)
        cli_error (cli, "unknown option '-%c' (see 'nvmeof %s --help')", optopt,
                   cmd->name);
      else {
        /* The name only: a misspelt secret key's value is not echoed. */
        const char *a = argv[optind - 1];
        cli_error (cli, "unknown option '%.*s' (see 'nvmeof %s --help')",
                   (int) strcspn (a, "="), a, cmd->name);
      }
      goto out;
    }
    else if (c == ':') {
      cli_error (cli, "option '%s' needs a value", argv[optind - 1]);
      goto out;
    }
    else if (c >= OPT_CONN_BASE && c < OPT_CONN_BASE + (int) nr_conn_keys) {
      if (conn_key_option (cli, (size_t) (c - OPT_CONN_BASE), optarg) == -1)
        goto out;
    }
    else if (c >= OPT_CONN_ALIAS && c < OPT_CONN_ALIAS + (int) nr_conn_keys) {
      if (conn_key_option (cli, (size_t) (c - OPT_CONN_ALIAS), optarg) == -1)
        goto out;
    }
    else {
      bool handled = false;
      if (cmd->connects) {
        for (i = 0; i < nr_conn_keys; i++) {
          if (conn_keys[i]->shortopt && c == conn_keys[i]->shortopt) {
            if (conn_key_option (cli, i, optarg) == -1)
              goto out;
            handled = true;
            break;
          }
        }
      }
      if (!handled) {
        if (fn == NULL || fn (data, c, optarg) == -1)
          goto out;
      }
    }
  }

  if (cmd->connects && !cmd->no_url) {
    if (optind < argc)
      cli->url = argv[optind++];
    /* Further URLs: more paths to the same subsystem, as url= given
     * again (after the first URL, whatever order the options came in). */
    if (cmd->multi_url)
      while (optind < argc)
        if (cli_add_kv (cli, "url", argv[optind++]) == -1)
          goto out;
  }
  if (optind < argc) {
    cli_error (cli, "unexpected argument '%s' (see 'nvmeof %s --help')",
               argv[optind], cmd->name);
    goto out;
  }
  ret = 0;

out:
  free (longopts);
  return ret;
}

/* "nvme+tcp://host:port" or ".../" (no NQN): discover means the
 * discovery subsystem, so complete the URL with its NQN. */
static char *
discovery_url (const char *url)
{
  const char *p = strstr (url, "://");
  const char *slash;
  char *s;

  if (p == NULL)
    return NULL;
  /* nvme+eth:// URLs name the discovery NQN by naming no NQN (and the
   * link itself by naming no MAC either): the URL parser knows. */
  if (p - url == 8 && strncasecmp (url, "nvme+eth", 8) == 0)
    return NULL;
  slash = strchr (p + 3, '/');
  if (slash != NULL && slash[1] != '\0')
    return NULL; /* has an NQN */
  if (asprintf (&s, "%s%s%s", url, slash ? "" : "/", NVMEOF_DISCOVERY_NQN) ==
      -1)
    return NULL;
  return s;
}

struct nvmeof_opts *
cli_make_opts (struct cli *cli, bool discovery)
{
  struct nvmeof_opts *opts;
  char *url2 = NULL;
  size_t i;

  opts = nvmeof_opts_new ();
  if (opts == NULL) {
    cli_lib_error (cli, NULL);
    return NULL;
  }
  if (discovery && nvmeof_opts_set (opts, "nqn", NVMEOF_DISCOVERY_NQN) == -1)
    goto err;
  if (cli->url) {
    const char *url = cli->url;
    if (discovery && (url2 = discovery_url (url)) != NULL)
      url = url2;
    if (nvmeof_opts_set (opts, "url", url) == -1)
      goto err;
    /* discover talks to the discovery controller at the URL's address,
     * even if the URL names an NVM subsystem there (--nqn overrides). */
    if (discovery && nvmeof_opts_set (opts, "nqn", NVMEOF_DISCOVERY_NQN) == -1)
      goto err;
  }
  for (i = 0; i < cli->nr_kv; i++)
    if (nvmeof_opts_set (opts, cli->kv[i].key, cli->kv[i].value) == -1)
      goto err;
  free (url2);
  return opts;

err:
  cli_lib_error (cli, NULL);
  free (url2);
  nvmeof_opts_free (opts);
  return NULL;
}

struct nvmeof_ctrl *
cli_connect (struct cli *cli, bool discovery, struct nvmeof_opts **opts_ret)
{
  struct nvmeof_opts *opts;
  struct nvmeof_ctrl *ctrl;

  if (cli->url == NULL) {
    bool have_addr = false;
    size_t i;
    for (i = 0; i < cli->nr_kv; i++)
      if (strcmp (cli->kv[i].key, "traddr") == 0)
        have_addr = true;
    if (!have_addr) {
      cli_error (cli, "a URL or --traddr is needed (see 'nvmeof %s --help')",
                 cli->cmd);
      return NULL;
    }
  }
  opts = cli_make_opts (cli, discovery);
  if (opts == NULL)
    return NULL;
  if (nvmeof_opts_validate (opts) == -1) {
    cli_lib_error (cli, NULL);
    nvmeof_opts_free (opts);
    return NULL;
  }
  ctrl = nvmeof_connect (opts);
  if (ctrl == NULL) {
    cli_lib_error (cli, NULL);
    nvmeof_opts_free (opts);
    return NULL;
  }
  if (opts_ret)
    *opts_ret = opts;
  else
    nvmeof_opts_free (opts);
  return ctrl;
}
