/* SPDX-License-Identifier: BSD-3-Clause */
/* nvmeof-target's command line: --help, the long options and their
 * checks.  Subsystem-describing flags are collected in struct quick_opts
 * for config_build; tuning goes straight into cfg. */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "target.h"

static void
usage (void)
{
  printf (
    "Usage: nvmeof-target [OPTIONS]\n"
    "A userspace NVMe/TCP target.  With no options it serves a 1 GiB RAM\n"
    "namespace as " TGT_DEFAULT_NQN " on 127.0.0.1:4420.\n"
    "\n"
    "  -c, --config FILE        nvmetcli JSON (/etc/nvmet/config.json)\n"
    "  -l, --listen ADDR:PORT   listen address, IPv6 as [ADDR]:PORT\n"
    "                           (default 127.0.0.1:4420; repeatable: a port\n"
    "                           each, ids 1, 2 ...; with -c: first port)\n"
    "      --eth IFACE          serve NVMe over raw Ethernet on IFACE\n"
    "                           (repeatable; needs CAP_NET_RAW; alone, no\n"
    "                           TCP port unless --listen is given too)\n"
    "  -n, --nqn NQN            subsystem NQN (default the one above)\n"
    "      --ram SIZE           add a RAM namespace (k/M/G/T suffixes)\n"
    "      --file PATH          add a file or block device namespace\n"
    "      --lba-size N         512 or 4096, for the namespaces after it\n"
    "      --allow-host NQN     allow this host (repeatable; default all)\n"
    "      --dhchap-key NQN=+FILE   allow this host, which must authenticate\n"
    "                           (DH-HMAC-CHAP) with the secret in FILE\n"
    "                           (NQN=-: standard input; repeatable)\n"
    "      --dhchap-ctrl-key NQN=+FILE   the controller's secret, for\n"
    "                           bidirectional authentication\n"
    "      --dhchap-hash NAME   hmac(sha256) (default), hmac(sha384) or\n"
    "                           hmac(sha512)\n"
    "      --dhchap-dhgroup NAME   null (default), ffdhe2048 ... ffdhe8192\n"
    "      --tls                the port requires TLS 1.3 (with a PSK)\n"
    "      --tls-optional       the port takes TLS 1.3 and plain hosts\n"
    "      --tls-key NQN=+FILE  allow this host, with the TLS PSK in FILE\n"
    "                           (NVMeTLSkey-1:..., NQN=-: standard input)\n"
    "      --write-protect      the namespaces are write protected\n"
    "      --no-write-cache     report no volatile write cache\n"
    "      --backend NAME       file and block-device I/O: io_uring (default;\n"
    "                           blocking if unavailable) or blocking\n"
    "      --buffered-io        no O_DIRECT for the --file namespaces\n"
    "      --inline-data-size N I/O queue in-capsule bytes (default 16384)\n"
    "      --maxh2cdata N       MAXH2CDATA (default 131072, min 4096)\n"
    "      --maxr2t N           R2Ts per command, 1-16 (default 4)\n"
    "      --mdts N             MDTS, 2^N 4 KiB pages (default 5, 0 none)\n"
    "      --poll-us N          keep reading an idle connection N us before\n"
    "                           sleeping (default 1000, 0 never)\n"
    "      --connect-timeout SECONDS   a host must send its ICReq within\n"
    "                           SECONDS, then its Connect within as long\n"
    "                           (Ethernet: its Connect; default 10, 0 none)\n"
    "      --stats-file FILE    JSON counters, on SIGUSR1 and at exit\n"
    "      --control PATH       control socket (unix): ANA states, listeners\n"
    "                           down/up, counters (see nvmeof-target(8))\n"
    "  -P, --pidfile FILE       write the process id once listening\n"
    "  -f, --foreground         do not daemonize\n"
    "  -v, --verbose            log connections and errors to stderr\n"
    "      --help               this help\n"
    "      --version            print the version\n"
    "\n"
    "Fault injection (tests; I/O queues only, counted per connection;\n"
    "Ethernet: close/termreq end the association, hang and delay):\n"
    "      --fault-close-after N     close the connection on command N+1\n"
    "      --fault-termreq-after N   send a C2HTermReq on command N+1\n"
    "      --fault-hang-after N      answer nothing from command N+1 on\n"
    "      --fault-delay-ms N        delay every command by N ms\n"
    "      --fault-corrupt-hdgst N   bad header digest in the Nth PDU\n"
    "      --fault-corrupt-ddgst N   bad data digest in the Nth C2HData\n"
    "      --fault-bad-plen N        wrong PLEN in the Nth response\n"
    "      --fault-bad-hlen N        wrong HLEN in the Nth response\n"
    "      --fault-bad-pdo N         wrong PDO in the Nth response\n"
    "      --fault-unknown-cid N     unknown CID in the Nth response\n"
    "      --fault-auth-close        close instead of sending DH-HMAC-CHAP\n"
    "                                Failure1 (as Linux's nvmet may)\n"
    "      --fault-data-overflow N   512 bytes too many in the Nth read\n"
    "      --fault-once              only the first fault fires\n"
    "      --fault-admin             count admin queues too\n");
}

enum {
  OPT_RAM = 256,
  OPT_FILE,
  OPT_LBA_SIZE,
  OPT_ALLOW_HOST,
  OPT_DHCHAP_KEY,
  OPT_DHCHAP_CTRL_KEY,
  OPT_DHCHAP_HASH,
  OPT_DHCHAP_DHGROUP,
  OPT_TLS,
  OPT_TLS_OPTIONAL,
  OPT_TLS_KEY,
  OPT_WRITE_PROTECT,
  OPT_NO_WRITE_CACHE,
  OPT_BACKEND,
  OPT_BUFFERED_IO,
  OPT_INLINE,
  OPT_MAXH2CDATA,
  OPT_MAXR2T,
  OPT_MDTS,
  OPT_POLL_US,
  OPT_CONNECT_TIMEOUT,
  OPT_STATS,
  OPT_CONTROL,
  OPT_HELP,
  OPT_VERSION,
  OPT_ETH,
  OPT_F_CLOSE,
  OPT_F_TERMREQ,
  OPT_F_HANG,
  OPT_F_DELAY,
  OPT_F_HDGST,
  OPT_F_DDGST,
  OPT_F_PLEN,
  OPT_F_HLEN,
  OPT_F_PDO,
  OPT_F_CID,
  OPT_F_OVERFLOW,
  OPT_F_ONCE,
  OPT_F_AUTH_CLOSE,
  OPT_F_ADMIN,
};

static const struct option long_options[] = {
  { "config", required_argument, NULL, 'c' },
  { "listen", required_argument, NULL, 'l' },
  { "eth", required_argument, NULL, OPT_ETH },
  { "nqn", required_argument, NULL, 'n' },
  { "ram", required_argument, NULL, OPT_RAM },
  { "file", required_argument, NULL, OPT_FILE },
  { "lba-size", required_argument, NULL, OPT_LBA_SIZE },
  { "allow-host", required_argument, NULL, OPT_ALLOW_HOST },
  { "dhchap-key", required_argument, NULL, OPT_DHCHAP_KEY },
  { "dhchap-ctrl-key", required_argument, NULL, OPT_DHCHAP_CTRL_KEY },
  { "dhchap-hash", required_argument, NULL, OPT_DHCHAP_HASH },
  { "dhchap-dhgroup", required_argument, NULL, OPT_DHCHAP_DHGROUP },
  { "tls", no_argument, NULL, OPT_TLS },
  { "tls-optional", no_argument, NULL, OPT_TLS_OPTIONAL },
  { "tls-key", required_argument, NULL, OPT_TLS_KEY },
  { "write-protect", no_argument, NULL, OPT_WRITE_PROTECT },
  { "no-write-cache", no_argument, NULL, OPT_NO_WRITE_CACHE },
  { "backend", required_argument, NULL, OPT_BACKEND },
  { "buffered-io", no_argument, NULL, OPT_BUFFERED_IO },
  { "inline-data-size", required_argument, NULL, OPT_INLINE },
  { "maxh2cdata", required_argument, NULL, OPT_MAXH2CDATA },
  { "maxr2t", required_argument, NULL, OPT_MAXR2T },
  { "mdts", required_argument, NULL, OPT_MDTS },
  { "poll-us", required_argument, NULL, OPT_POLL_US },
  { "connect-timeout", required_argument, NULL, OPT_CONNECT_TIMEOUT },
  { "stats-file", required_argument, NULL, OPT_STATS },
  { "control", required_argument, NULL, OPT_CONTROL },
  { "pidfile", required_argument, NULL, 'P' },
  { "foreground", no_argument, NULL, 'f' },
  { "verbose", no_argument, NULL, 'v' },
  { "help", no_argument, NULL, OPT_HELP },
  { "version", no_argument, NULL, OPT_VERSION },
  { "fault-close-after", required_argument, NULL, OPT_F_CLOSE },
  { "fault-termreq-after", required_argument, NULL, OPT_F_TERMREQ },
  { "fault-hang-after", required_argument, NULL, OPT_F_HANG },
  { "fault-delay-ms", required_argument, NULL, OPT_F_DELAY },
  { "fault-corrupt-hdgst", required_argument, NULL, OPT_F_HDGST },
  { "fault-corrupt-ddgst", required_argument, NULL, OPT_F_DDGST },
  { "fault-bad-plen", required_argument, NULL, OPT_F_PLEN },
  { "fault-bad-hlen", required_argument, NULL, OPT_F_HLEN },
  { "fault-bad-pdo", required_argument, NULL, OPT_F_PDO },
  { "fault-unknown-cid", required_argument, NULL, OPT_F_CID },
  { "fault-data-overflow", required_argument, NULL, OPT_F_OVERFLOW },
  { "fault-once", no_argument, NULL, OPT_F_ONCE },
  { "fault-auth-close", no_argument, NULL, OPT_F_AUTH_CLOSE },
  { "fault-admin", no_argument, NULL, OPT_F_ADMIN },
  { NULL, 0, NULL, 0 },
};

static uint64_t
parse_uint (const char *opt, const char *s, uint64_t min, uint64_t max)
{
  char *end;
  unsigned long long n;

  errno = 0;
  n = strtoull (s, &end, 10);
  if (errno || end == s || *end || s[0] == '-' || n < min || n > max)
    die ("--%s: expected a number from %llu to %llu, got '%s'", opt,
         (unsigned long long) min, (unsigned long long) max, s);
  return n;
}

static void
check_nqn (const char *opt, const char *s)
{
  size_t len = strlen (s);

  if (len == 0 || len > TGT_NQN_MAX)
    die ("--%s: expected an NQN of 1 to %d bytes, got '%s'", opt, TGT_NQN_MAX,
         s);
}

/* Paths used after daemonizing (chdir /) must be absolute. */
static const char *
absolute (const char *opt, const char *path)
{
  char cwd[PATH_MAX], *p;

  if (path[0] == '/')
    return path;
  if (!getcwd (cwd, sizeof cwd))
    die ("--%s: getcwd: %s", opt, strerror (errno));
  p = malloc (strlen (cwd) + strlen (path) + 2);
  if (!p)
    die ("out of memory");
  snprintf (p, strlen (cwd) + strlen (path) + 2, "%s/%s", cwd, path);
  return p;
}

static void
add_ns (struct quick_opts *q, const char *spec, unsigned shift)
{
  struct quick_ns *n = realloc (q->ns, (q->nr_ns + 1) * sizeof *n);

  if (!n)
    die ("out of memory");
  q->ns = n;
  q->ns[q->nr_ns].spec = spec;
  q->ns[q->nr_ns].lba_shift = shift;
  q->nr_ns++;
  q->any_quick = true;
}

void
parse_options (int argc, char **argv, struct quick_opts *q, bool *fg,
               const char **pidfile)
{
  unsigned shift = 9;
  uint64_t size;
  int c, li = -1;
  char *spec;
  const char **h;

  opterr = 0;
  while ((c = getopt_long (argc, argv, ":c:l:n:P:fv", long_options, &li)) !=
         -1) {
    const char *name = optind > 1 ? argv[optind - 1] : "";
    const char *lname = li >= 0 ? long_options[li].name : "";

    switch (c) {
    case 'c':
      q->config_file = optarg;
      break;
    case 'l':
      h = realloc (q->listen, (q->nr_listen + 1) * sizeof *h);
      if (!h)
        die ("out of memory");
      q->listen = h;
      q->listen[q->nr_listen++] = optarg;
      break;
    case OPT_ETH:
      if (optarg[0] == '\0' || strlen (optarg) >= 16)
        die ("--eth: expected a network interface name, got '%s'", optarg);
      h = realloc (q->eth, (q->nr_eth + 1) * sizeof *h);
      if (!h)
        die ("out of memory");
      q->eth = h;
      q->eth[q->nr_eth++] = optarg;
      break;
    case 'n':
      check_nqn ("nqn", optarg);
      if (strcmp (optarg, TGT_DISCOVERY_NQN) == 0)
        die ("--nqn: the discovery NQN is served anyway; choose another");
      q->nqn = optarg;
      q->any_quick = true;
      break;
    case OPT_RAM:
      if (parse_size (optarg, &size) == -1 || size < 512)
        die ("--ram: expected a size of at least 512 bytes like 64M or 1G, "
             "got '%s'",
             optarg);
      spec = malloc (strlen (optarg) + 5);
      if (!spec)
        die ("out of memory");
      snprintf (spec, strlen (optarg) + 5, "ram:%s", optarg);
      add_ns (q, spec, shift);
      break;
    case OPT_FILE:
      spec = strdup (optarg);
      if (!spec)
        die ("out of memory");
      add_ns (q, spec, shift);
      break;
    case OPT_LBA_SIZE:
      if (strcmp (optarg, "512") == 0)
        shift = 9;
      else if (strcmp (optarg, "4096") == 0)
        shift = 12;
      else
        die ("--lba-size: expected 512 or 4096, got '%s'", optarg);
      q->any_quick = true;
      break;
    case OPT_ALLOW_HOST:
      check_nqn ("allow-host", optarg);
      h = realloc (q->hosts, (q->nr_hosts + 1) * sizeof *h);
      if (!h)
        die ("out of memory");
      q->hosts = h;
      q->hosts[q->nr_hosts++] = optarg;
      q->any_quick = true;
      break;
    case OPT_DHCHAP_KEY:
    case OPT_DHCHAP_CTRL_KEY:
      if (auth_secret_option (c == OPT_DHCHAP_KEY ? "dhchap-key" :
                                                    "dhchap-ctrl-key",
                              optarg, c == OPT_DHCHAP_CTRL_KEY) == -1)
        exit (EXIT_FAILURE);
      q->any_quick = true;
      break;
    case OPT_DHCHAP_HASH:
    case OPT_DHCHAP_DHGROUP:
      if (auth_name_option (c == OPT_DHCHAP_HASH ? "dhchap-hash" :
                                                   "dhchap-dhgroup",
                            optarg) == -1)
        exit (EXIT_FAILURE);
      if (c == OPT_DHCHAP_HASH)
        q->dhchap_hash = optarg;
      else
        q->dhchap_dhgroup = optarg;
      q->any_quick = true;
      break;
    case OPT_TLS:
      q->tls = q->any_quick = true;
      break;
    case OPT_TLS_OPTIONAL:
      q->tls_optional = q->any_quick = true;
      break;
    case OPT_TLS_KEY:
      if (tls_key_option (optarg) == -1)
        exit (EXIT_FAILURE);
      q->any_quick = true;
      break;
    case OPT_WRITE_PROTECT:
      q->write_protect = q->any_quick = true;
      break;
    case OPT_NO_WRITE_CACHE:
      q->no_write_cache = q->any_quick = true;
      break;
    case OPT_BACKEND:
      if (strcmp (optarg, "io_uring") == 0)
        cfg.backend = IO_BACKEND_IO_URING;
      else if (strcmp (optarg, "blocking") == 0)
        cfg.backend = IO_BACKEND_BLOCKING;
      else
        die ("--backend: expected io_uring or blocking, got '%s'", optarg);
      break;
    case OPT_BUFFERED_IO:
      q->buffered_io = q->any_quick = true;
      break;
    case OPT_INLINE:
      cfg.inline_data_size =
        parse_uint ("inline-data-size", optarg, 0, 1 << 20);
      if (cfg.inline_data_size % 16)
        die ("--inline-data-size: expected a multiple of 16, got '%s'", optarg);
      break;
    case OPT_MAXH2CDATA:
      cfg.maxh2cdata =
        parse_uint ("maxh2cdata", optarg, NVME_TCP_MIN_MAXH2CDATA, 64 << 20);
      if (cfg.maxh2cdata % 4)
        die ("--maxh2cdata: expected a multiple of 4, got '%s'", optarg);
      break;
    case OPT_MAXR2T:
      cfg.maxr2t = parse_uint ("maxr2t", optarg, 1, TGT_MAX_R2T);
      break;
    case OPT_MDTS:
      cfg.mdts = parse_uint ("mdts", optarg, 0, 15);
      break;
    case OPT_POLL_US:
      cfg.poll_us = parse_uint ("poll-us", optarg, 0, 1000000);
      break;
    case OPT_CONNECT_TIMEOUT:
      cfg.connect_timeout = parse_uint ("connect-timeout", optarg, 0, 3600);
      break;
    case OPT_CONTROL:
      cfg.control_path = absolute ("control", optarg);
      break;
    case OPT_STATS:
      cfg.stats_file = absolute ("stats-file", optarg);
      break;
    case 'P':
      *pidfile = absolute ("pidfile", optarg);
      break;
    case 'f':
      *fg = true;
      break;
    case 'v':
      cfg.verbose = true;
      break;
    case OPT_HELP:
      usage ();
      exit (EXIT_SUCCESS);
    case OPT_VERSION:
      printf ("nvmeof-target %s\n", PACKAGE_VERSION);
      exit (EXIT_SUCCESS);
#define FAULT(opt, field, min) \
  case opt: \
    cfg.fault.field = parse_uint (lname, optarg, min, UINT32_MAX); \
    break
      FAULT (OPT_F_CLOSE, close_after, 1);
      FAULT (OPT_F_TERMREQ, termreq_after, 1);
      FAULT (OPT_F_HANG, hang_after, 1);
      FAULT (OPT_F_DELAY, delay_ms, 0);
      FAULT (OPT_F_HDGST, corrupt_hdgst, 1);
      FAULT (OPT_F_DDGST, corrupt_ddgst, 1);
      FAULT (OPT_F_PLEN, bad_plen, 1);
      FAULT (OPT_F_HLEN, bad_hlen, 1);
      FAULT (OPT_F_PDO, bad_pdo, 1);
      FAULT (OPT_F_CID, unknown_cid, 1);
      FAULT (OPT_F_OVERFLOW, data_overflow, 1);
#undef FAULT
    case OPT_F_ONCE:
      cfg.fault.once = true;
      break;
    case OPT_F_AUTH_CLOSE:
      cfg.fault.auth_close = true;
      break;
    case OPT_F_ADMIN:
      cfg.fault.admin = true;
      break;
    case ':':
      die ("option '%s' needs a value (see --help)", name);
      break;
    default:
      die ("unknown option '%s' (see --help)", name);
    }
    li = -1;
  }
  if (optind < argc)
    die ("unexpected argument '%s' (see --help)", argv[optind]);
}
