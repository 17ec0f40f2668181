/* SPDX-License-Identifier: BSD-3-Clause */
/* nvmeof discover: print the discovery log the way "nvme discover" does;
 * or, given an NVMe/Ethernet link (nvme+eth://IFACE), probe it and list
 * the controllers that answer. */
#include <config.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "nvmeof-tool.h"

enum { OPT_WAIT = CLI_CMD_OPT_BASE };

static const struct option discover_longopts[] = {
  { "wait", required_argument, NULL, OPT_WAIT },
  { NULL, 0, NULL, 0 },
};

static const struct cli_cmd discover_cmd = {
  .name = "discover",
  .synopsis = "nvmeof discover URL [OPTIONS]\n"
              "       nvmeof discover nvme+eth://IFACE [--wait=MS] [OPTIONS]",
  .help =
    "Connect to the discovery controller at URL's address and print the\n"
    "discovery log page (all of it, as \"nvme discover\" prints it).  An NQN\n"
    "in URL is replaced by the well-known discovery NQN unless --nqn names\n"
    "another discovery subsystem; without a port, 8009 is used.\n"
    "\n"
    "Given an NVMe/Ethernet link instead (nvme+eth://IFACE, or "
    "--transport=eth\n"
    "--host-iface=IFACE without --traddr), broadcast a probe on it and list\n"
    "every controller that answers: its MAC, subsystems and namespaces.\n"
    "\n"
    "Options:\n"
    "      --wait=MS                    how long to collect answers on a link\n"
    "                                   (default 500)\n",
  .longopts = discover_longopts,
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

/* ---- Discovery on an NVMe/Ethernet link -------------------------------- */

/* The link itself was named (nvme+eth://IFACE, or --transport=eth without
 * --traddr): probe it rather than connect. */
static bool
link_probe_wanted (const struct cli *cli)
{
  bool eth = false, addr = false;
  size_t i;

  if (cli->url && strncasecmp (cli->url, "nvme+eth://", 11) == 0) {
    const char *slash = strchr (cli->url + 11, '/');

    eth = true;
    addr = slash != NULL && slash[1] != '\0';
  }
  for (i = 0; i < cli->nr_kv; i++) {
    if (strcmp (cli->kv[i].key, "transport") == 0)
      eth = strcasecmp (cli->kv[i].value, "eth") == 0;
    else if (strcmp (cli->kv[i].key, "traddr") == 0)
      addr = true;
  }
  return eth && !addr;
}

/* An NQN as a URL path segment: what RFC 3986 does not allow there is
 * percent-encoded. */
static void
url_segment (char *dst, size_t len, const char *nqn)
{
  static const char ok[] = "-._~:@!$&'()*+,;=";
  size_t o = 0;

  for (; *nqn && o + 4 < len; nqn++) {
    unsigned char c = (unsigned char) *nqn;

    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
        (c >= '0' && c <= '9') || strchr (ok, c))
      dst[o++] = (char) c;
    else
      o += (size_t) snprintf (dst + o, len - o, "%%%02X", c);
  }
  dst[o] = '\0';
}

static const char *
eth_subtype_string (uint8_t subtype)
{
  return subtype == 3 ? "discovery subsystem" : "nvme subsystem";
}

static void
print_targets (const struct nvmeof_eth_target *t, size_t count,
               const char *iface, unsigned wait_ms)
{
  char seg[700], size[32];
  size_t i, j, k;

  printf ("NVMe/Ethernet controllers on %s: %zu (answers collected for %u "
          "ms)\n",
          iface, count, wait_ms);
  for (i = 0; i < count; i++) {
    printf ("\n=====Controller %zu======\n", i);
    printf ("mac:       %s\n", t[i].mac);
    printf ("max_frame: %u\n", t[i].max_frame);
    if (!t[i].complete)
      printf ("answer:    incomplete (frames of it were lost)\n");
    for (j = 0; j < t[i].nr_subsys; j++) {
      const struct nvmeof_eth_subsys *s = &t[i].subsys[j];

      url_segment (seg, sizeof seg, s->nqn);
      printf ("subnqn:    %s\n", s->nqn);
      printf ("subtype:   %s\n", eth_subtype_string (s->subtype));
      printf ("url:       nvme+eth://%s/%s/%s\n", iface, t[i].mac, seg);
      for (k = 0; k < s->nr_ns; k++) {
        output_human_size (size, sizeof size, s->ns[k].size);
        printf ("  nsid %" PRIu32 ": %" PRIu64 " bytes (%s), lba size %" PRIu32
                "\n",
                s->ns[k].nsid, s->ns[k].size, size, s->ns[k].lba_size);
      }
    }
  }
}

static json_object *
targets_json (const struct nvmeof_eth_target *t, size_t count,
              const char *iface, unsigned wait_ms)
{
  json_object *root = json_object_new_object ();
  json_object *arr = json_object_new_array ();
  char seg[700], url[800];
  size_t i, j, k;

  json_object_object_add (root, "interface", json_object_new_string (iface));
  json_object_object_add (root, "wait_ms", json_object_new_int (wait_ms));
  for (i = 0; i < count; i++) {
    json_object *c = json_object_new_object ();
    json_object *subs = json_object_new_array ();

    json_object_object_add (c, "mac", json_object_new_string (t[i].mac));
    json_object_object_add (c, "max_frame",
                            json_object_new_int (t[i].max_frame));
    json_object_object_add (c, "complete",
                            json_object_new_boolean (t[i].complete));
    for (j = 0; j < t[i].nr_subsys; j++) {
      const struct nvmeof_eth_subsys *s = &t[i].subsys[j];
      json_object *o = json_object_new_object ();
      json_object *nss = json_object_new_array ();

      url_segment (seg, sizeof seg, s->nqn);
      snprintf (url, sizeof url, "nvme+eth://%s/%s/%s", iface, t[i].mac, seg);
      json_object_object_add (o, "subnqn", json_object_new_string (s->nqn));
      json_object_object_add (
        o, "subtype", json_object_new_string (eth_subtype_string (s->subtype)));
      json_object_object_add (o, "url", json_object_new_string (url));
      for (k = 0; k < s->nr_ns; k++) {
        json_object *n = json_object_new_object ();

        json_object_object_add (n, "nsid",
                                json_object_new_int64 (s->ns[k].nsid));
        json_object_object_add (n, "size",
                                json_object_new_uint64 (s->ns[k].size));
        json_object_object_add (n, "lba_size",
                                json_object_new_int64 (s->ns[k].lba_size));
        json_object_array_add (nss, n);
      }
      json_object_object_add (o, "namespaces", nss);
      json_object_array_add (subs, o);
    }
    json_object_object_add (c, "subsystems", subs);
    json_object_array_add (arr, c);
  }
  json_object_object_add (root, "controllers", arr);
  return root;
}

static int
discover_link (struct cli *cli, unsigned wait_ms)
{
  struct nvmeof_opts *opts = cli_make_opts (cli, true);
  struct nvmeof_eth_target *t = NULL;
  size_t count = 0;
  char iface[16];
  int r;

  if (opts == NULL)
    return 1;
  if (nvmeof_eth_discover (opts, wait_ms, &t, &count) == -1) {
    nvmeof_opts_free (opts);
    return cli_lib_error (cli, NULL);
  }
  nvmeof_opts_free (opts);
  snprintf (iface, sizeof iface, "%s", count ? t[0].iface : "");
  if (count == 0) {
    /* The interface as given (the URL's authority, or --host-iface). */
    size_t i;

    if (cli->url && strncasecmp (cli->url, "nvme+eth://", 11) == 0)
      snprintf (iface, sizeof iface, "%.*s", (int) strcspn (cli->url + 11, "/"),
                cli->url + 11);
    for (i = 0; i < cli->nr_kv; i++)
      if (strcmp (cli->kv[i].key, "host-iface") == 0)
        snprintf (iface, sizeof iface, "%s", cli->kv[i].value);
  }
  if (cli->format == OUTPUT_JSON)
    r = output_json (targets_json (t, count, iface, wait_ms)) == 0 ? 0 : 1;
  else {
    print_targets (t, count, iface, wait_ms);
    r = 0;
  }
  nvmeof_eth_targets_free (t, count);
  return r;
}

struct discover_args {
  struct cli *cli;
  uint64_t wait_ms;
  bool wait_given;
};

static int
discover_opt (void *data, int c, const char *arg)
{
  struct discover_args *a = data;

  if (c == OPT_WAIT) {
    a->wait_given = true;
    return cli_parse_u64 (a->cli, "--wait", arg, 1, 60000, &a->wait_ms);
  }
  return -1;
}

int
cmd_discover (int argc, char **argv)
{
  struct cli cli = { 0 };
  struct discover_args args = { .cli = &cli, .wait_ms = 500 };
  struct nvmeof_ctrl *ctrl;
  struct nvmeof_disc_entry *entries = NULL;
  size_t count = 0;
  uint64_t genctr = 0;
  int r;

  r = cli_parse (&cli, &discover_cmd, argc, argv, discover_opt, &args);
  if (r != 0)
    return r == 1 ? 0 : 1;
  if (link_probe_wanted (&cli))
    return discover_link (&cli, (unsigned) args.wait_ms);
  if (args.wait_given)
    return cli_error (&cli, "--wait: only for discovery on an NVMe/Ethernet "
                            "link (nvme+eth://IFACE)");
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
