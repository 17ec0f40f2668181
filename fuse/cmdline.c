/* SPDX-License-Identifier: BSD-3-Clause */
/* nvmeof-fuse: the command line.  Our own options, FUSE's -o options
 * (passed on to libfuse) and the library's connection keys, each
 * forwarded unchanged to nvmeof_opts_set() so that names, defaults and
 * messages are those of the nbdkit plugin and of the nvmeof command. */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nvmeof-fuse.h"
#include "conn-keys.h"

/* The connection keys (conn-keys.h: no nsid here, every namespace is
 * mounted).  Long options only: the short ones would clash with FUSE's
 * (-s, -d ...). */
static const struct nvmeof_key_info *conn_keys[CONN_KEYS_MAX];
static size_t nr_conn_keys;

/* Fill conn_keys from the table, once. */
static void
load_conn_keys (void)
{
  if (nr_conn_keys == 0)
    nr_conn_keys = conn_keys_load (conn_keys);
}

enum {
  OPT_CONN = 0x100,       /* + index into conn_keys */
  OPT_CONN_ALIAS = 0x140, /* + index: underscore spelling */
  OPT_DIRECT_IO = 0x200,
  OPT_CACHED,
  OPT_MAX_THREADS,
};
_Static_assert (OPT_CONN + CONN_KEYS_MAX <= OPT_CONN_ALIAS &&
                  OPT_CONN_ALIAS + CONN_KEYS_MAX <= OPT_DIRECT_IO,
                "option ranges overlap");

static void
usage (FILE *fp)
{
  size_t i;

  fprintf (
    fp,
    "Usage: nvmeof-fuse [OPTIONS] URL [URL...] MOUNTPOINT\n"
    "Mount the namespaces of an NVMe-oF subsystem as files n1, n2, ...\n"
    "Several URLs: paths to the same subsystem (multipath, --iopolicy).\n"
    "URL: nvme+tcp://HOST[:PORT]/SUBSYSTEM-NQN or "
    "nvme+eth://IFACE/MAC/SUBSYSTEM-NQN\n"
    "\n"
    "Options:\n"
    "  -o OPTS                       FUSE mount options (ro, allow_other ...)\n"
    "  -f, --foreground              stay in the foreground\n"
    "  -d, --debug                   FUSE debugging (implies -f)\n"
    "  -s, --single-thread           one thread serves all requests\n"
    "  -v, --verbose                 report I/O errors and request sizes\n"
    "      --direct-io               bypass the page cache (default)\n"
    "      --cached                  use the page cache\n"
    "      --max-threads=N           worker threads (default 16)\n"
    "  -h, --help                    show this help\n"
    "  -V, --version                 show the version\n"
    "\n"
    "Connection options (keys of nvmeof_opts_set; underscores work too):\n");
  load_conn_keys ();
  for (i = 0; i < nr_conn_keys; i++) {
    const struct nvmeof_key_info *k = conn_keys[i];
    char left[64], help[256];

    snprintf (left, sizeof left, "--%s%s%s%s", k->name, k->boolean ? "[=" : "=",
              k->metavar, k->boolean ? "]" : "");
    if (k->default_value)
      snprintf (help, sizeof help, "%s (default: %s)", k->help,
                k->default_value);
    else
      snprintf (help, sizeof help, "%s", k->help);
    if (strlen (left) > 24)
      fprintf (fp, "      %s\n      %-24s  %s\n", left, "", help);
    else
      fprintf (fp, "      %-24s  %s\n", left, help);
  }
  fprintf (fp, "\nUnmount with: fusermount3 -u MOUNTPOINT\n");
}

static int
parse_uint (const char *opt, const char *arg, unsigned min, unsigned max,
            unsigned *out)
{
  char *end;
  unsigned long v;

  errno = 0;
  v = strtoul (arg, &end, 10);
  if (arg[0] == '-' || arg[0] == '\0' || errno || *end || v < min || v > max) {
    fprintf (stderr,
             "nvmeof-fuse: %s: expected a number from %u to %u, "
             "got '%s'\n",
             opt, min, max, arg);
    return -1;
  }
  *out = (unsigned) v;
  return 0;
}

/* Note "ro"/"rw" among comma-separated -o options. */
static void
scan_mount_options (struct nvmeof_fuse *nf, const char *opts)
{
  char *copy = strdup (opts), *tok, *save = NULL;

  if (copy == NULL)
    return;
  for (tok = strtok_r (copy, ",", &save); tok;
       tok = strtok_r (NULL, ",", &save)) {
    if (strcmp (tok, "ro") == 0)
      nf->read_only = true;
    else if (strcmp (tok, "rw") == 0)
      nf->read_only = false;
  }
  free (copy);
}

int
nvmeof_fuse_parse_args (int argc, char **argv, struct nvmeof_fuse *nf,
                        struct fuse_args *args, struct nvmeof_opts **opts_ret)
{
  struct option longopts[16 + 2 * CONN_KEYS_MAX + 1];
  static char aliases[CONN_KEYS_MAX][32];
  struct nvmeof_opts *opts = NULL;
  /* URL [URL...] MOUNTPOINT: further URLs are further paths (multipath,
   * as url= given again). */
  const char *pos[17];
  int npos = 0, c, u;
  bool have_traddr = false;
  size_t i, n = 0, nr_kv = 0;
  struct {
    const char *key, *value;
  } kv[64];

  nf->direct_io = true;
  nf->max_threads = 16;
  if (fuse_opt_add_arg (args, argv[0]) == -1 ||
      fuse_opt_add_arg (args, "-o") == -1 ||
      fuse_opt_add_arg (args, "fsname=nvmeof,subtype=nvmeof") == -1) {
    fprintf (stderr, "nvmeof-fuse: out of memory\n");
    return -1;
  }

  longopts[n++] = (struct option){ "foreground", no_argument, NULL, 'f' };
  longopts[n++] = (struct option){ "debug", no_argument, NULL, 'd' };
  longopts[n++] = (struct option){ "single-thread", no_argument, NULL, 's' };
  longopts[n++] = (struct option){ "verbose", no_argument, NULL, 'v' };
  longopts[n++] = (struct option){ "help", no_argument, NULL, 'h' };
  longopts[n++] = (struct option){ "version", no_argument, NULL, 'V' };
  longopts[n++] =
    (struct option){ "direct-io", no_argument, NULL, OPT_DIRECT_IO };
  longopts[n++] = (struct option){ "cached", no_argument, NULL, OPT_CACHED };
  longopts[n++] =
    (struct option){ "max-threads", required_argument, NULL, OPT_MAX_THREADS };
  load_conn_keys ();
  for (i = 0; i < nr_conn_keys; i++) {
    const struct nvmeof_key_info *k = conn_keys[i];
    int has_arg = k->boolean ? optional_argument : required_argument;
    char *a = aliases[i];

    longopts[n++] =
      (struct option){ k->name, has_arg, NULL, (int) (OPT_CONN + i) };
    snprintf (aliases[i], sizeof aliases[i], "%s", k->name);
    for (; *a; a++)
      if (*a == '-')
        *a = '_';
    if (strcmp (aliases[i], k->name) != 0)
      longopts[n++] = (struct option){ aliases[i], has_arg, NULL,
                                       (int) (OPT_CONN_ALIAS + i) };
  }
  longopts[n] = (struct option){ NULL, 0, NULL, 0 };

  opterr = 0;
  while ((c = getopt_long (argc, argv, ":o:fdsvhV", longopts, NULL)) != -1) {
    switch (c) {
    case 'o':
      scan_mount_options (nf, optarg);
      if (fuse_opt_add_arg (args, "-o") == -1 ||
          fuse_opt_add_arg (args, optarg) == -1)
        goto err;
      break;
    case 'f':
      nf->foreground = true;
      break;
    case 'd':
      nf->debug = nf->foreground = true;
      break;
    case 's':
      nf->single_thread = true;
      break;
    case 'v':
      nf->verbose = true;
      break;
    case 'h':
      usage (stdout);
      return 1;
    case 'V':
      printf ("nvmeof-fuse %s (libnvmeof %s, libfuse %d)\n", PACKAGE_VERSION,
              nvmeof_version (), fuse_version ());
      return 1;
    case OPT_DIRECT_IO:
      nf->direct_io = true;
      break;
    case OPT_CACHED:
      nf->direct_io = false;
      break;
    case OPT_MAX_THREADS:
      if (parse_uint ("--max-threads", optarg, 1, 256, &nf->max_threads) == -1)
        goto err;
      break;
    case ':':
      fprintf (stderr, "nvmeof-fuse: option '%s' needs a value\n",
               argv[optind - 1]);
      goto err;
    case '?':
      if (optopt)
        fprintf (stderr,
                 "nvmeof-fuse: unknown option '-%c' (see "
                 "nvmeof-fuse --help)\n",
                 optopt);
      else /* the name only: a misspelt secret key's value stays unsaid */
        fprintf (stderr,
                 "nvmeof-fuse: unknown option '%.*s' (see "
                 "nvmeof-fuse --help)\n",
                 (int) strcspn (argv[optind - 1], "="), argv[optind - 1]);
      goto err;
    default:
      if ((c >= OPT_CONN && c < OPT_CONN + (int) nr_conn_keys) ||
          (c >= OPT_CONN_ALIAS && c < OPT_CONN_ALIAS + (int) nr_conn_keys)) {
        size_t k =
          (size_t) (c >= OPT_CONN_ALIAS ? c - OPT_CONN_ALIAS : c - OPT_CONN);
        if (nr_kv == sizeof kv / sizeof kv[0]) {
          fprintf (stderr, "nvmeof-fuse: too many options\n");
          goto err;
        }
        kv[nr_kv].key = conn_keys[k]->name;
        kv[nr_kv++].value = optarg ? optarg : "true";
        if (strcmp (conn_keys[k]->name, "traddr") == 0)
          have_traddr = true;
        break;
      }
      fprintf (stderr, "nvmeof-fuse: unexpected option\n");
      goto err;
    }
  }
  for (; optind < argc; optind++) {
    if (npos == (int) (sizeof pos / sizeof pos[0])) {
      fprintf (stderr,
               "nvmeof-fuse: unexpected argument '%s' (expected "
               "URL [URL...] MOUNTPOINT, at most 16 URLs)\n",
               argv[optind]);
      goto err;
    }
    pos[npos++] = argv[optind];
  }
  if (npos >= 2) {
    nf->url = pos[0];
    nf->mountpoint = pos[npos - 1];
  }
  else if (npos == 1 && have_traddr)
    nf->mountpoint = pos[0];
  else {
    fprintf (stderr, "nvmeof-fuse: expected URL MOUNTPOINT (see "
                     "nvmeof-fuse --help)\n");
    goto err;
  }
  /* The URL first, so that options override what it says. */
  opts = nvmeof_opts_new ();
  if (opts == NULL) {
    fprintf (stderr, "nvmeof-fuse: %s\n", nvmeof_get_error ());
    goto err;
  }
  if (nf->url && nvmeof_opts_set (opts, "url", nf->url) == -1) {
    fprintf (stderr, "nvmeof-fuse: %s\n", nvmeof_get_error ());
    goto err;
  }
  for (u = 1; u < npos - 1; u++)
    if (nvmeof_opts_set (opts, "url", pos[u]) == -1) {
      fprintf (stderr, "nvmeof-fuse: %s\n", nvmeof_get_error ());
      goto err;
    }
  for (i = 0; i < nr_kv; i++)
    if (nvmeof_opts_set (opts, kv[i].key, kv[i].value) == -1) {
      fprintf (stderr, "nvmeof-fuse: %s\n", nvmeof_get_error ());
      goto err;
    }
  if (nvmeof_opts_validate (opts) == -1) {
    fprintf (stderr, "nvmeof-fuse: %s\n", nvmeof_get_error ());
    goto err;
  }
  if (nvmeof_opts_get_nsid (opts) != 0)
    fprintf (stderr, "nvmeof-fuse: note: every namespace is mounted; the "
                     "NSID in the URL is ignored\n");
  if (nf->debug && fuse_opt_add_arg (args, "-d") == -1)
    goto err;
  *opts_ret = opts;
  return 0;

err:
  if (opts)
    nvmeof_opts_free (opts);
  return -1;
}
