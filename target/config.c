/* SPDX-License-Identifier: BSD-3-Clause */
/* The target's model (ports, subsystems, namespaces, hosts) built from the
 * quick command-line flags or from an nvmetcli JSON file (config-json.c),
 * plus the lookups the protocol code makes in it. */
#include <config.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "target.h"
#include "config-json.h"
#include "nvme-eth-wire.h"

struct tgt_config cfg = {
  .maxh2cdata = 131072,
  .maxr2t = 4,
  .poll_us = TGT_DEFAULT_POLL,
  .connect_timeout = TGT_CONNECT_TIMEOUT,
  .backend = IO_BACKEND_IO_URING,
  .mdts = 5,
  .inline_data_size = -1,
  .genctr = 1,
};

/* FNV-1a, to derive stable serial numbers and UUIDs from names. */
static uint64_t
fnv1a (const char *s, uint64_t h)
{
  for (; *s; s++) {
    h ^= (unsigned char) *s;
    h *= 0x100000001b3ULL;
  }
  return h;
}

void
subsys_defaults (struct tgt_subsys *ss, const char *nqn)
{
  uint64_t h = fnv1a (nqn, 0xcbf29ce484222325ULL);

  snprintf (ss->nqn, sizeof ss->nqn, "%s", nqn);
  snprintf (ss->serial, sizeof ss->serial, "%016" PRIx64, h);
  snprintf (ss->model, sizeof ss->model, "nvmeof-target");
  snprintf (ss->firmware, sizeof ss->firmware, "%.8s", PACKAGE_VERSION);
  ss->allow_any_host = true;
  ss->version = 0x00010400; /* NVMe 1.4 */
  ss->cntlid_min = 1;
  ss->cntlid_max = 0xFFEF;
  ss->max_qid = TGT_DEFAULT_MAXQID;
  ss->vwc = true;
}

/* A UUID (version 8, "custom") derived from the subsystem and NSID, so that
 * a namespace keeps its identity across restarts without configuration. */
void
ns_default_uuid (const struct tgt_subsys *ss, struct tgt_ns *ns)
{
  char nsid[16];
  uint64_t a, b;

  snprintf (nsid, sizeof nsid, "/%" PRIu32, ns->nsid);
  a = fnv1a (nsid, fnv1a (ss->nqn, 0xcbf29ce484222325ULL));
  b = fnv1a (nsid, fnv1a (ss->nqn, 0x84222325cbf29ce4ULL));
  memcpy (ns->uuid, &a, 8);
  memcpy (ns->uuid + 8, &b, 8);
  ns->uuid[6] = (ns->uuid[6] & 0x0F) | 0x80;
  ns->uuid[8] = (ns->uuid[8] & 0x3F) | 0x80;
}

/* Set the namespace's size from its backend and LBA size. */
int
ns_finish (const struct tgt_subsys *ss, struct tgt_ns *ns)
{
  ns->nlbas = ns->be.size >> ns->lba_shift;
  if (ns->nlbas == 0) {
    fprintf (stderr,
             "nvmeof-target: subsystem %s namespace %" PRIu32
             ": the device is smaller than one %u-byte block\n",
             ss->nqn, ns->nsid, 1u << ns->lba_shift);
    return -1;
  }
  return 0;
}

static int
cmp_ns (const void *a, const void *b)
{
  const struct tgt_ns *x = a, *y = b;
  return x->nsid < y->nsid ? -1 : x->nsid > y->nsid;
}

/* Sort namespaces, reject duplicate NSIDs and compute NN. */
int
subsys_finish (struct tgt_subsys *ss)
{
  size_t i;

  if (ss->nr_ns > 1)
    qsort (ss->ns, ss->nr_ns, sizeof ss->ns[0], cmp_ns);
  for (i = 1; i < ss->nr_ns; i++) {
    if (ss->ns[i].nsid == ss->ns[i - 1].nsid) {
      fprintf (stderr,
               "nvmeof-target: subsystem %s: nsid %" PRIu32 " is used twice\n",
               ss->nqn, ss->ns[i].nsid);
      return -1;
    }
  }
  ss->nn = 1024;
  if (ss->nr_ns && ss->ns[ss->nr_ns - 1].nsid > ss->nn)
    ss->nn = ss->ns[ss->nr_ns - 1].nsid;
  return 0;
}

int
parse_listen (const char *s, struct tgt_port *port)
{
  const char *colon, *host, *end;
  size_t hlen;
  char *ep;
  unsigned long p;
  unsigned char tmp[16];

  if (s[0] == '[') {
    end = strchr (s, ']');
    if (!end || end[1] != ':')
      return -1;
    host = s + 1;
    hlen = end - host;
    colon = end + 1;
  }
  else {
    colon = strrchr (s, ':');
    if (!colon)
      return -1;
    host = s;
    hlen = colon - s;
  }
  if (hlen == 0 || hlen >= sizeof port->traddr)
    return -1;
  errno = 0;
  p = strtoul (colon + 1, &ep, 10);
  if (errno || *ep || colon[1] == '\0' || p == 0 || p > 65535)
    return -1;
  memcpy (port->traddr, host, hlen);
  port->traddr[hlen] = '\0';
  snprintf (port->trsvcid, sizeof port->trsvcid, "%lu", p);
  if (inet_pton (AF_INET, port->traddr, tmp) == 1)
    port->adrfam = NVMF_ADRFAM_IPV4;
  else if (inet_pton (AF_INET6, port->traddr, tmp) == 1)
    port->adrfam = NVMF_ADRFAM_IPV6;
  else
    return -1;
  return 0;
}

/* Add a subsystem to cfg (takes ownership). */
int
config_add_subsys (struct tgt_subsys *ss)
{
  struct tgt_subsys **n;

  n = realloc (cfg.subsys, (cfg.nr_subsys + 1) * sizeof *n);
  if (!n) {
    perror ("nvmeof-target: realloc");
    return -1;
  }
  cfg.subsys = n;
  cfg.subsys[cfg.nr_subsys++] = ss;
  return 0;
}

struct tgt_port *
config_add_port (void)
{
  struct tgt_port *n;

  n = realloc (cfg.ports, (cfg.nr_ports + 1) * sizeof *n);
  if (!n) {
    perror ("nvmeof-target: realloc");
    return NULL;
  }
  cfg.ports = n;
  n = &cfg.ports[cfg.nr_ports++];
  memset (n, 0, sizeof *n);
  n->trtype = NVMF_TRTYPE_TCP;
  n->treq = NVMF_TREQ_SECURE_NOT_SPECIFIED;
  n->listen_fd = -1;
  n->inline_data_size = 16384;
  ana_port_init (n);
  return n;
}

/* The model of the quick flags: one port, one subsystem. */
static int
build_quick (const struct quick_opts *q)
{
  struct tgt_subsys *ss;
  struct tgt_port *port;
  struct quick_ns def = { .spec = "ram:1G", .lba_shift = 9 };
  const struct quick_ns *list = q->nr_ns ? q->ns : &def;
  size_t n = q->nr_ns ? q->nr_ns : 1, i;

  ss = calloc (1, sizeof *ss);
  if (!ss) {
    perror ("nvmeof-target: calloc");
    return -1;
  }
  subsys_defaults (ss, q->nqn ? q->nqn : TGT_DEFAULT_NQN);
  if (config_add_subsys (ss) == -1) {
    free (ss);
    return -1;
  }
  ss->vwc = !q->no_write_cache;
  if (q->nr_hosts) {
    ss->allow_any_host = false;
    ss->hosts = calloc (q->nr_hosts, sizeof *ss->hosts);
    if (!ss->hosts)
      return -1;
    for (i = 0; i < q->nr_hosts; i++) {
      ss->hosts[i] = strdup (q->hosts[i]);
      if (!ss->hosts[i])
        return -1;
      ss->nr_hosts++;
    }
  }
  if (auth_quick_finish (ss, q) == -1)
    return -1;
  ss->ns = calloc (n, sizeof *ss->ns);
  if (!ss->ns)
    return -1;
  for (i = 0; i < n; i++) {
    struct tgt_ns *ns = &ss->ns[i];

    ns->nsid = i + 1;
    ns->lba_shift = list[i].lba_shift;
    ns->anagrpid = 1;
    ns->buffered_io = q->buffered_io;
    atomic_init (&ns->wp, q->write_protect ? WP_PERMANENT : WP_NONE);
    if (backend_open (&ns->be, list[i].spec, q->write_protect) == -1)
      return -1;
    ss->nr_ns++;
    ns_default_uuid (ss, ns);
    if (ns_finish (ss, ns) == -1)
      return -1;
  }
  if (subsys_finish (ss) == -1)
    return -1;
  if (q->nr_eth && !q->nr_listen) {
    /* --eth alone: no TCP port. */
    if (q->tls || q->tls_optional) {
      fprintf (stderr, "nvmeof-target: --tls and --tls-optional apply to "
                       "TCP: add --listen\n");
      return -1;
    }
    return 0;
  }

  /* A port per --listen (ids 1, 2 ...), each serving the subsystem. */
  for (i = 0; i < (q->nr_listen ? q->nr_listen : 1); i++) {
    const char *addr = q->nr_listen ? q->listen[i] : "127.0.0.1:4420";

    port = config_add_port ();
    if (!port)
      return -1;
    port->portid = i + 1;
    if (parse_listen (addr, port) == -1) {
      fprintf (stderr,
               "nvmeof-target: --listen: expected ADDR:PORT "
               "(IPv6 as [ADDR]:PORT), got '%s'\n",
               addr);
      return -1;
    }
    port->subsys = calloc (1, sizeof *port->subsys);
    if (!port->subsys)
      return -1;
    port->subsys[0] = ss;
    port->nr_subsys = 1;
    if (tls_quick_finish (port, ss, q) == -1)
      return -1;
  }
  return 0;
}

/* -l together with -c: the first TCP port listens there instead; a file
 * without one gets one that exposes every subsystem. */
static int
apply_listen_override (const char *listen)
{
  struct tgt_port *port;
  size_t i, first;

  for (first = 0; first < cfg.nr_ports; first++)
    if (cfg.ports[first].trtype == NVMF_TRTYPE_TCP)
      break;
  if (first == cfg.nr_ports) {
    port = config_add_port ();
    if (!port)
      return -1;
    port->portid = 1;
    port->subsys =
      calloc (cfg.nr_subsys ? cfg.nr_subsys : 1, sizeof *port->subsys);
    if (!port->subsys)
      return -1;
    for (i = 0; i < cfg.nr_subsys; i++)
      port->subsys[port->nr_subsys++] = cfg.subsys[i];
  }
  if (!listen)
    listen = "127.0.0.1:4420";
  if (parse_listen (listen, &cfg.ports[first]) == -1) {
    fprintf (stderr,
             "nvmeof-target: --listen: expected ADDR:PORT "
             "(IPv6 as [ADDR]:PORT), got '%s'\n",
             listen);
    return -1;
  }
  return 0;
}

/* --eth IFACE: a port serving every NVM subsystem on the interface, with
 * the first free port id. */
static int
add_eth_port (const char *ifname)
{
  struct tgt_port *port;
  uint16_t id = 1;
  size_t i;

again:
  for (i = 0; i < cfg.nr_ports; i++) {
    if (cfg.ports[i].portid == id) {
      id++;
      goto again;
    }
  }
  port = config_add_port ();
  if (!port)
    return -1;
  port->portid = id;
  port->trtype = NVME_ETH_TRTYPE;
  port->adrfam = NVME_ETH_ADRFAM;
  port->ethertype = NVME_ETH_ETHERTYPE;
  snprintf (port->traddr, sizeof port->traddr, "%s", ifname);
  snprintf (port->trsvcid, sizeof port->trsvcid, "0x%04x", port->ethertype);
  port->subsys =
    calloc (cfg.nr_subsys ? cfg.nr_subsys : 1, sizeof *port->subsys);
  if (!port->subsys)
    return -1;
  for (i = 0; i < cfg.nr_subsys; i++)
    port->subsys[port->nr_subsys++] = cfg.subsys[i];
  return 0;
}

static void
discovery_init (void)
{
  struct tgt_subsys *d = &cfg.discovery;

  subsys_defaults (d, TGT_DISCOVERY_NQN);
  d->discovery = true;
  d->max_qid = 0;
  d->vwc = false;
  d->nn = 0;
}

int
config_build (const struct quick_opts *q)
{
  size_t i, j;

  discovery_init ();
  if (q->config_file) {
    if (q->any_quick) {
      fprintf (stderr, "nvmeof-target: --nqn, --ram, --file, --lba-size, "
                       "--allow-host, --dhchap-*, --tls*, --write-protect, "
                       "--no-write-cache and --buffered-io cannot be "
                       "combined with --config\n");
      return -1;
    }
    if (config_load_json (q->config_file) == -1)
      return -1;
    if (q->nr_listen > 1) {
      fprintf (stderr, "nvmeof-target: --listen: with --config, give it "
                       "once (it replaces the first TCP port's address); "
                       "more ports go in the file\n");
      return -1;
    }
    if ((q->nr_listen || (cfg.nr_ports == 0 && q->nr_eth == 0)) &&
        apply_listen_override (q->nr_listen ? q->listen[0] : NULL) == -1)
      return -1;
  }
  else if (build_quick (q) == -1)
    return -1;
  for (i = 0; i < q->nr_eth; i++)
    if (add_eth_port (q->eth[i]) == -1)
      return -1;
  if (tls_config_check () == -1)
    return -1;

  if (cfg.inline_data_size >= 0) {
    for (i = 0; i < cfg.nr_ports; i++)
      cfg.ports[i].inline_data_size = cfg.inline_data_size;
  }
  for (i = 0; i < cfg.nr_ports; i++) {
    for (j = 0; j < i; j++) {
      if (cfg.ports[i].trtype == NVME_ETH_TRTYPE &&
          cfg.ports[j].trtype == NVME_ETH_TRTYPE &&
          strcmp (cfg.ports[i].traddr, cfg.ports[j].traddr) == 0) {
        fprintf (stderr,
                 "nvmeof-target: ports %u and %u both serve NVMe/Ethernet "
                 "on %s\n",
                 cfg.ports[j].portid, cfg.ports[i].portid, cfg.ports[i].traddr);
        return -1;
      }
      if (cfg.ports[i].trtype != cfg.ports[j].trtype)
        continue;
      if (strcmp (cfg.ports[i].traddr, cfg.ports[j].traddr) == 0 &&
          strcmp (cfg.ports[i].trsvcid, cfg.ports[j].trsvcid) == 0) {
        fprintf (stderr,
                 "nvmeof-target: ports %u and %u both listen on "
                 "%s:%s\n",
                 cfg.ports[j].portid, cfg.ports[i].portid, cfg.ports[i].traddr,
                 cfg.ports[i].trsvcid);
        return -1;
      }
    }
  }
  return 0;
}

static void
subsys_free (struct tgt_subsys *ss)
{
  size_t i;

  for (i = 0; i < ss->nr_ns; i++)
    backend_close (&ss->ns[i].be);
  free (ss->ns);
  for (i = 0; i < ss->nr_hosts; i++)
    free (ss->hosts[i]);
  free (ss->hosts);
}

void
config_free (void)
{
  size_t i;

  for (i = 0; i < cfg.nr_ports; i++) {
    free (cfg.ports[i].subsys);
    free (cfg.ports[i].refs);
  }
  free (cfg.ports);
  cfg.ports = NULL;
  cfg.nr_ports = 0;
  for (i = 0; i < cfg.nr_subsys; i++) {
    subsys_free (cfg.subsys[i]);
    free (cfg.subsys[i]);
  }
  free (cfg.subsys);
  cfg.subsys = NULL;
  cfg.nr_subsys = 0;
  auth_hosts_free ();
}

struct tgt_subsys *
config_find_subsys (const struct tgt_port *port, const char *nqn)
{
  size_t i;

  if (strcmp (nqn, TGT_DISCOVERY_NQN) == 0)
    return &cfg.discovery;
  for (i = 0; i < port->nr_subsys; i++)
    if (strcmp (port->subsys[i]->nqn, nqn) == 0)
      return port->subsys[i];
  return NULL;
}

int
subsys_add_host (struct tgt_subsys *ss, const char *hostnqn)
{
  char **n;
  size_t i;

  for (i = 0; i < ss->nr_hosts; i++)
    if (strcmp (ss->hosts[i], hostnqn) == 0)
      goto allowed;
  n = realloc (ss->hosts, (ss->nr_hosts + 1) * sizeof *n);
  if (n)
    ss->hosts = n;
  if (!n || !(n[ss->nr_hosts] = strdup (hostnqn))) {
    fprintf (stderr, "nvmeof-target: out of memory\n");
    return -1;
  }
  ss->nr_hosts++;
allowed:
  ss->allow_any_host = false;
  return 0;
}

bool
subsys_allows_host (const struct tgt_subsys *ss, const char *hostnqn)
{
  size_t i;

  if (ss->allow_any_host)
    return true;
  for (i = 0; i < ss->nr_hosts; i++)
    if (strcmp (ss->hosts[i], hostnqn) == 0)
      return true;
  return false;
}

struct tgt_ns *
subsys_find_ns (const struct tgt_subsys *ss, uint32_t nsid)
{
  size_t lo = 0, hi = ss->nr_ns;

  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (ss->ns[mid].nsid == nsid)
      return &ss->ns[mid];
    if (ss->ns[mid].nsid < nsid)
      lo = mid + 1;
    else
      hi = mid;
  }
  return NULL;
}

void
config_sync_all (void)
{
  size_t i, j;

  for (i = 0; i < cfg.nr_subsys; i++)
    for (j = 0; j < cfg.subsys[i]->nr_ns; j++)
      backend_sync (&cfg.subsys[i]->ns[j].be, false);
}
