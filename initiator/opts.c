/* SPDX-License-Identifier: BSD-3-Clause */
/* The one option parser for every front end (nbdkit plugin, FUSE, CLI).
 * Keys and defaults follow nvme-cli and the Linux host (fabrics.h:
 * queue size 128 in 16..1024, keep-alive 5 s, ctrl-loss-tmo 600 s,
 * reconnect-delay 10 s).  A bad key or value fails with one line naming
 * the key and what was expected. */
#include <config.h>

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>

#include "nvmeof.h"
#include "dhchap.h"
#include "tls-psk.h"
#include "errors.h"
#include "hostid.h"
#include "opts.h"
#include "uri.h"
#include "multipath.h"

enum key {
  K_URL,
  K_TRANSPORT,
  K_TRADDR,
  K_TRSVCID,
  K_HOST_IFACE,
  K_ETHERTYPE,
  K_NQN,
  K_NSID,
  K_HOSTNQN,
  K_HOSTID,
  K_HDR_DIGEST,
  K_DATA_DIGEST,
  K_NR_IO_QUEUES,
  K_QUEUE_SIZE,
  K_KATO,
  K_TIMEOUT,
  K_CONNECT_TIMEOUT,
  K_CTRL_LOSS_TMO,
  K_RECONNECT_DELAY,
  K_FAST_IO_FAIL_TMO,
  K_DISABLE_SQFLOW,
  K_DHCHAP_SECRET,
  K_DHCHAP_CTRL_SECRET,
  K_TLS,
  K_TLS_KEY,
  K_TLS_IDENTITY,
  K_TLS_COMPAT,
  K_CONCAT,
  K_IOPOLICY,
  NR_KEYS
};

/* The one list of keys: every front end builds its options and help from
 * it (nvmeof_opts_keys), so a key is added here only. */
static const struct nvmeof_key_info keys[NR_KEYS] = {
  [K_URL] = { "url", "nvme+tcp://HOST[:PORT]/NQN[/NSID]", false, false, 0, NULL,
              "the subsystem (or nvme+eth://IFACE/MAC/NQN[/NSID], or the "
              "keys below)" },
  [K_TRANSPORT] = { "transport", "TRTYPE", false, false, 't', "tcp",
                    "transport type: tcp, or eth (NVMe over raw Ethernet)" },
  [K_TRADDR] = { "traddr", "ADDR", false, false, 'a', NULL,
                 "host name or address (instead of a URL); eth: the "
                 "controller's MAC" },
  [K_TRSVCID] = { "trsvcid", "PORT", false, false, 's',
                  "4420; 8009 for discovery", "port" },
  [K_HOST_IFACE] = { "host-iface", "IFACE", false, false, 'f', NULL,
                     "eth: the network interface on the controller's link" },
  [K_ETHERTYPE] = { "ethertype", "N", false, false, 0, "0x88B5",
                    "eth: EtherType of the frames (both ends use the same)" },
  [K_NQN] = { "nqn", "NQN", false, false, 'n', NULL, "subsystem NQN" },
  [K_NSID] = { "nsid", "NSID", false, false, 0, "the first",
               "namespace served as the default export" },
  [K_HOSTNQN] = { "hostnqn", "NQN", false, false, 'q', "/etc/nvme/hostnqn",
                  "host NQN" },
  [K_HOSTID] = { "hostid", "UUID", false, false, 'I', "/etc/nvme/hostid",
                 "host ID" },
  [K_HDR_DIGEST] = { "hdr-digest", "BOOL", true, false, 'g', "false",
                     "header digests, CRC32C" },
  [K_DATA_DIGEST] = { "data-digest", "BOOL", true, false, 'G', "false",
                      "data digests, CRC32C" },
  [K_NR_IO_QUEUES] = { "nr-io-queues", "N", false, false, 'i', "online CPUs",
                       "number of I/O queues, 1 to 256" },
  [K_QUEUE_SIZE] = { "queue-size", "N", false, false, 'Q', "128",
                     "entries per I/O queue, 16 to 1024" },
  [K_KATO] = { "keep-alive-tmo", "SECS", false, false, 'k', "5",
               "keep-alive timeout, 0 disables" },
  [K_TIMEOUT] = { "timeout", "SECS", false, false, 0, "30", "command timeout" },
  [K_CONNECT_TIMEOUT] = { "connect-timeout", "SECS", false, false, 0, "10",
                          "connection timeout" },
  [K_CTRL_LOSS_TMO] = { "ctrl-loss-tmo", "SECS", false, false, 'l', "600",
                        "give up reconnecting after SECS, -1 never" },
  [K_RECONNECT_DELAY] = { "reconnect-delay", "SECS", false, false, 'c', "10",
                          "delay between reconnect attempts" },
  [K_FAST_IO_FAIL_TMO] = { "fast-io-fail-tmo", "SECS", false, false, 0, "-1",
                           "while reconnecting, fail held and new I/O after "
                           "SECS, -1 never (hold until ctrl-loss-tmo)" },
  [K_DISABLE_SQFLOW] = { "disable-sqflow", "BOOL", true, false, 0, "false",
                         "ask to disable SQ flow control" },
  [K_DHCHAP_SECRET] = { "dhchap-secret", "+FILE|-", false, true, 'S', NULL,
                        "host's DH-HMAC-CHAP secret, from FILE or stdin" },
  [K_DHCHAP_CTRL_SECRET] = { "dhchap-ctrl-secret", "+FILE|-", false, true, 'C',
                             NULL,
                             "controller's secret, for bidirectional "
                             "authentication" },
  [K_TLS] = { "tls", "BOOL", true, false, 0, "false",
              "TLS 1.3 with a pre-shared key (tls-key)" },
  [K_TLS_KEY] = { "tls-key", "+FILE|-", false, true, 0, NULL,
                  "TLS PSK (NVMeTLSkey-1:...), from FILE or stdin; implies "
                  "tls" },
  [K_TLS_IDENTITY] = { "tls-identity", "0|1", false, false, 0, "0",
                       "PSK identity version (1: with the PSK digest)" },
  [K_TLS_COMPAT] = { "tls-compat", "BOOL", true, false, 0, "false",
                     "derive the TLS PSK as nvme-cli 2.7-2.15 did (their "
                     "keyrings)" },
  [K_CONCAT] = { "concat", "BOOL", true, false, 0, "false",
                 "secure channel concatenation: TLS keyed by the PSK that "
                 "DH-HMAC-CHAP generates" },
  [K_IOPOLICY] = { "iopolicy", "POLICY", false, false, 0, "failover",
                   "multipath (url= given more than once): round-robin, "
                   "queue-depth or failover" },
};

const struct nvmeof_key_info *
nvmeof_opts_keys (size_t *count)
{
  if (count)
    *count = NR_KEYS;
  return keys;
}

/* Find a key, with '_' read as '-'.  Returns its enum key or -1. */
static int
find_key (const char *key)
{
  size_t i, j;

  if (key == NULL)
    return -1;
  for (i = 0; i < NR_KEYS; i++) {
    for (j = 0; keys[i].name[j] && key[j]; j++) {
      char c = key[j] == '_' ? '-' : key[j];

      if (c != keys[i].name[j])
        break;
    }
    if (keys[i].name[j] == '\0' && key[j] == '\0')
      return (int) i;
  }
  return -1;
}

/* The user's text, on one line and not too long, for messages. */
static const char *
shown (const char *s, char *buf, size_t len)
{
  return error_quote (s, 100, buf, len);
}

static int
bad_value (const char *key, const char *expected, const char *value)
{
  char q[120];

  set_error (EINVAL, "%s: expected %s, got '%s'", key, expected,
             shown (value, q, sizeof q));
  return -1;
}

/* A decimal integer in [min, max]: no sign for min >= 0, no spaces, no
 * trailing junk. */
static int
parse_int (const char *key, const char *value, int64_t min, int64_t max,
           const char *extra, int64_t *out)
{
  char expected[128];
  const char *p = value;
  char *end;
  long long v;

  snprintf (expected, sizeof expected,
            "an integer from %" PRId64 "%s to %" PRId64, min, extra, max);
  if (*p == '+' || (*p == '-' && min >= 0))
    return bad_value (key, expected, value);
  if (*p == '-')
    p++;
  if (!isdigit ((unsigned char) *p))
    return bad_value (key, expected, value);
  errno = 0;
  v = strtoll (value, &end, 10);
  if (errno != 0 || *end != '\0' || v < min || v > max)
    return bad_value (key, expected, value);
  *out = v;
  return 0;
}

static int
parse_bool (const char *key, const char *value, bool *out)
{
  static const char *const yes[] = { "1", "true", "yes", "on" };
  static const char *const no[] = { "0", "false", "no", "off" };
  size_t i;

  for (i = 0; i < 4; i++) {
    if (strcasecmp (value, yes[i]) == 0) {
      *out = true;
      return 0;
    }
    if (strcasecmp (value, no[i]) == 0) {
      *out = false;
      return 0;
    }
  }
  return bad_value (key, "a boolean (1/0, true/false, yes/no, on/off)", value);
}

/* A host name, IPv4 address or IPv6 address (brackets optional, zone as
 * "%eth0"), stored without brackets. */
static int
parse_traddr (const char *key, const char *value, char *out, size_t len)
{
  static const char expected[] = "a host name, IPv4 or IPv6 address";
  char buf[256];
  const char *start = value;
  size_t n = strlen (value), i;

  if (n >= 2 && value[0] == '[' && value[n - 1] == ']') {
    start++;
    n -= 2;
  }
  if (n == 0 || n >= sizeof buf || n >= len)
    return bad_value (key, expected, value);
  memcpy (buf, start, n);
  buf[n] = '\0';

  if (strchr (buf, ':')) {
    struct in6_addr a6;
    char *zone = strchr (buf, '%');

    if (zone)
      *zone = '\0';
    if (inet_pton (AF_INET6, buf, &a6) != 1)
      return bad_value (key, expected, value);
    if (zone) {
      *zone = '%';
      if (zone[1] == '\0')
        return bad_value (key, expected, value);
      for (i = 1; zone[i]; i++)
        if (!isalnum ((unsigned char) zone[i]) && !strchr ("-._~", zone[i]))
          return bad_value (key, expected, value);
    }
  }
  else {
    bool dotted_digits = true;
    struct in_addr a4;

    for (i = 0; buf[i]; i++) {
      unsigned char c = (unsigned char) buf[i];

      if (!isalnum (c) && c != '-' && c != '.' && c != '_')
        return bad_value (key, expected, value);
      if (!isdigit (c) && c != '.')
        dotted_digits = false;
    }
    if (dotted_digits && inet_pton (AF_INET, buf, &a4) != 1)
      return bad_value (key, expected, value);
  }
  memcpy (out, buf, n + 1);
  return 0;
}

/* An EtherType, in hex (0x88B5) or decimal: at least 0x0600 (smaller
 * values are 802.3 lengths), and none that the kernel or the link already
 * uses for something else (IP, ARP, VLAN tags, MACsec). */
static int
parse_ethertype (const char *key, const char *value, uint16_t *out)
{
  static const char expected[] =
    "an EtherType from 0x0600 to 0xFFFF, as 0x88B5 or in decimal";
  static const struct {
    uint16_t type;
    const char *name;
  } taken[] = {
    { 0x0800, "IPv4" },         { 0x0806, "ARP" },
    { 0x86DD, "IPv6" },         { 0x8100, "802.1Q VLAN tags" },
    { 0x88A8, "802.1ad tags" }, { 0x88E5, "MACsec" },
    { 0x9100, "VLAN tags" },
  };
  const char *p = value;
  char *end;
  unsigned long v;
  size_t i;

  if (!isdigit ((unsigned char) *p))
    return bad_value (key, expected, value);
  errno = 0;
  if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
    if (!isxdigit ((unsigned char) p[2]))
      return bad_value (key, expected, value);
    v = strtoul (p + 2, &end, 16);
  }
  else
    v = strtoul (p, &end, 10);
  if (errno != 0 || *end != '\0' || v < 0x0600 || v > 0xFFFF)
    return bad_value (key, expected, value);
  for (i = 0; i < sizeof taken / sizeof taken[0]; i++)
    if (v == taken[i].type) {
      set_error (EINVAL,
                 "%s: 0x%04lX is the EtherType of %s: choose another "
                 "(the default is 0x88B5)",
                 key, v, taken[i].name);
      return -1;
    }
  *out = (uint16_t) v;
  return 0;
}

/* The kinds of secret, checked when read. */
static int
check_dhchap (const char *text, char *err, size_t errlen)
{
  struct dhchap_key k;
  int r = dhchap_key_parse (text, &k, err, errlen);

  dhchap_key_wipe (&k);
  return r;
}

static int
check_tls_key (const char *text, char *err, size_t errlen)
{
  struct tls_psk_key k;
  int r = tls_psk_parse (text, &k, err, errlen);

  tls_psk_wipe (&k);
  return r;
}

/* url= given again: another path to the subsystem of the first URL.  The
 * URL is parsed with the options so far, then only what it names is
 * kept; its NQN must be the first URL's. */
static int
opts_add_path (struct nvmeof_opts *opts, const char *value)
{
  struct nvmeof_opts *tmp;
  struct opts_path *p;
  char q[120];
  int r = -1;

  if (opts->nr_extra_paths >= OPTS_MAX_PATHS - 1) {
    set_error (EINVAL, "url: at most %d paths (url= given more than once)",
               OPTS_MAX_PATHS);
    return -1;
  }
  tmp = malloc (sizeof *tmp);
  if (tmp == NULL) {
    set_error (ENOMEM, "out of memory");
    return -1;
  }
  *tmp = *opts;
  tmp->traddr[0] = tmp->trsvcid[0] = tmp->host_iface[0] = '\0';
  if (uri_parse (value, tmp) == -1)
    goto out;
  if (strcmp (tmp->subnqn, opts->subnqn) != 0) {
    set_error (EINVAL,
               "url: every path must name the same subsystem: '%s' names "
               "%s, the first url= %s",
               shown (value, q, sizeof q), tmp->subnqn, opts->subnqn);
    goto out;
  }
  /* A further URL naming no namespace takes the one already chosen (by
   * the first URL or nsid=, in whatever order the options came). */
  if (tmp->nsid != 0 && tmp->nsid != opts->nsid) {
    set_error (EINVAL,
               "url: every path must name the same namespace "
               "(or none): '%s'",
               shown (value, q, sizeof q));
    goto out;
  }
  p = &opts->extra_paths[opts->nr_extra_paths++];
  p->transport = tmp->transport;
  memcpy (p->traddr, tmp->traddr, sizeof p->traddr);
  memcpy (p->trsvcid, tmp->trsvcid, sizeof p->trsvcid);
  memcpy (p->subnqn, tmp->subnqn, sizeof p->subnqn);
  memcpy (p->host_iface, tmp->host_iface, sizeof p->host_iface);
  opts->nr_urls++;
  r = 0;
out:
  opts_wipe (tmp);
  free (tmp);
  return r;
}

struct nvmeof_opts *
nvmeof_opts_new (void)
{
  struct nvmeof_opts *opts = calloc (1, sizeof *opts);

  if (opts == NULL) {
    set_error (errno, "nvmeof_opts_new: %m");
    return NULL;
  }
  opts->transport = NVMEOF_TRANSPORT_TCP;
  opts->nr_io_queues = 0; /* online CPUs, decided later */
  opts->queue_size = 128;
  opts->kato_s = 5;
  opts->timeout_s = 30;
  opts->connect_timeout_s = 10;
  opts->ctrl_loss_tmo_s = 600;
  opts->reconnect_delay_s = 10;
  opts->fast_io_fail_tmo_s = -1;
  return opts;
}

void
nvmeof_opts_free (struct nvmeof_opts *opts)
{
  opts_wipe (opts);
  free (opts);
}

bool
nvmeof_opts_is_key (const char *key)
{
  return find_key (key) >= 0;
}

int
nvmeof_opts_set (struct nvmeof_opts *opts, const char *key, const char *value)
{
  int k = find_key (key);
  int64_t v;
  char q[120], id[37];
  uint8_t mac[6];

  if (opts == NULL) {
    set_error (EINVAL, "nvmeof_opts_set: opts is NULL");
    return -1;
  }
  if (k < 0) {
    char names[512];
    size_t i, len = 0;

    for (i = 0; i < NR_KEYS && len < sizeof names; i++)
      len += (size_t) snprintf (names + len, sizeof names - len, "%s%s",
                                i ? ", " : "", keys[i].name);
    set_error (EINVAL, "%s: unknown option (expected one of %s)",
               key ? shown (key, q, sizeof q) : "(null)", names);
    return -1;
  }
  if (value == NULL) {
    set_error (EINVAL, "%s: missing value", keys[k].name);
    return -1;
  }

  switch ((enum key) k) {
  case K_URL:
    if (opts->nr_urls > 0)
      return opts_add_path (opts, value);
    if (uri_parse (value, opts) == -1)
      return -1;
    opts->nr_urls++;
    return 0;

  case K_TRANSPORT:
    if (strcasecmp (value, "tcp") == 0) {
      opts->transport = NVMEOF_TRANSPORT_TCP;
      return 0;
    }
    if (strcasecmp (value, "eth") == 0) {
      opts->transport = NVMEOF_TRANSPORT_ETH;
      return 0;
    }
    return bad_value (key, "'tcp' or 'eth'", value);

  case K_TRADDR:
    /* A MAC with ':' (transport=eth), stored in one form; else a host
     * (aa-bb-cc-dd-ee-ff is a host name too: kept as written). */
    if (strchr (value, ':')) {
      int r = opts_parse_mac (value, mac);

      if (r == -2) {
        set_error (EINVAL,
                   "%s: %s is not a station's MAC address (it is "
                   "multicast, broadcast or zero)",
                   key, shown (value, q, sizeof q));
        return -1;
      }
      if (r == 0) {
        snprintf (opts->traddr, sizeof opts->traddr,
                  "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2],
                  mac[3], mac[4], mac[5]);
        return 0;
      }
    }
    return parse_traddr (key, value, opts->traddr, sizeof opts->traddr);

  case K_HOST_IFACE:
    if (!opts_iface_valid (value))
      return bad_value (key,
                        "an interface name (1 to 15 bytes, no '/', ':' "
                        "or white space)",
                        value);
    memcpy (opts->host_iface, value, strlen (value) + 1);
    return 0;

  case K_ETHERTYPE:
    return parse_ethertype (key, value, &opts->ethertype);

  case K_TRSVCID:
    if (parse_int (key, value, 1, 65535, "", &v) == -1)
      return -1;
    snprintf (opts->trsvcid, sizeof opts->trsvcid, "%" PRId64, v);
    return 0;

  case K_NQN:
    if (subnqn_validate (key, value) == -1)
      return -1;
    memcpy (opts->subnqn, value, strlen (value) + 1);
    return 0;

  case K_NSID:
    if (parse_int (key, value, 1, 0xFFFFFFFE, "", &v) == -1)
      return -1;
    opts->nsid = (uint32_t) v;
    return 0;

  case K_HOSTNQN:
    if (nqn_validate (key, value) == -1)
      return -1;
    if (strcmp (value, NVMEOF_DISCOVERY_NQN) == 0) {
      set_error (EINVAL, "%s: the discovery NQN cannot name a host", key);
      return -1;
    }
    memcpy (opts->hostnqn, value, strlen (value) + 1);
    opts->hostnqn_source = "option";
    return 0;

  case K_HOSTID:
    if (uuid_validate (key, value, id) == -1)
      return -1;
    if (strcmp (id, "00000000-0000-0000-0000-000000000000") == 0) {
      set_error (EINVAL, "%s: the nil UUID cannot be a host ID", key);
      return -1;
    }
    memcpy (opts->hostid, id, sizeof id);
    opts->hostid_source = "option";
    return 0;

  case K_HDR_DIGEST:
    return parse_bool (key, value, &opts->hdr_digest);
  case K_DATA_DIGEST:
    return parse_bool (key, value, &opts->data_digest);
  case K_DISABLE_SQFLOW:
    return parse_bool (key, value, &opts->disable_sqflow);

  case K_NR_IO_QUEUES:
    if (parse_int (key, value, 1, 256, "", &v) == -1)
      return -1;
    opts->nr_io_queues = (uint16_t) v;
    return 0;

  case K_QUEUE_SIZE:
    if (parse_int (key, value, 16, 1024, "", &v) == -1)
      return -1;
    opts->queue_size = (uint16_t) v;
    return 0;

  case K_KATO:
    if (parse_int (key, value, 0, 65535, " (0 disables)", &v) == -1)
      return -1;
    opts->kato_s = (uint32_t) v;
    return 0;

  case K_TIMEOUT:
    if (parse_int (key, value, 1, 3600, "", &v) == -1)
      return -1;
    opts->timeout_s = (uint32_t) v;
    return 0;

  case K_CONNECT_TIMEOUT:
    if (parse_int (key, value, 1, 3600, "", &v) == -1)
      return -1;
    opts->connect_timeout_s = (uint32_t) v;
    return 0;

  case K_CTRL_LOSS_TMO:
    if (parse_int (key, value, -1, INT32_MAX, " (forever)", &v) == -1)
      return -1;
    opts->ctrl_loss_tmo_s = (int32_t) v;
    return 0;

  case K_RECONNECT_DELAY:
    if (parse_int (key, value, 1, 3600, "", &v) == -1)
      return -1;
    opts->reconnect_delay_s = (uint32_t) v;
    return 0;

  case K_FAST_IO_FAIL_TMO:
    if (parse_int (key, value, -1, INT32_MAX, " (off)", &v) == -1)
      return -1;
    opts->fast_io_fail_tmo_s = (int32_t) v;
    return 0;

  case K_DHCHAP_SECRET:
    return opts_set_secret (key, value, opts->dhchap_secret, check_dhchap);
  case K_DHCHAP_CTRL_SECRET:
    return opts_set_secret (key, value, opts->dhchap_ctrl_secret, check_dhchap);

  case K_TLS:
    return parse_bool (key, value, &opts->tls);
  case K_TLS_KEY:
    if (opts_set_secret (key, value, opts->tls_key, check_tls_key) == -1)
      return -1;
    opts->tls = true;
    return 0;
  case K_TLS_IDENTITY:
    if (parse_int (key, value, 0, 1, "", &v) == -1)
      return -1;
    opts->tls_identity = (int) v;
    return 0;
  case K_TLS_COMPAT:
    return parse_bool (key, value, &opts->tls_compat);
  case K_CONCAT:
    return parse_bool (key, value, &opts->concat);
  case K_IOPOLICY:
    v = mpath_iopolicy_parse (value);
    if (v < 0)
      return bad_value (key, "round-robin, queue-depth or failover", value);
    opts->iopolicy = (int) v;
    return 0;

  case NR_KEYS:
    break;
  }
  set_error (EINVAL, "%s: option not handled", key); /* not reached */
  return -1;
}

/* Secure channel concatenation as Linux's nvmf_parse_options checks it
 * (a DH-HMAC-CHAP secret, no TLS PSK, no TLS of its own), and no
 * controller secret: the exchange leaves the controller unauthenticated
 * (S2 is 0), which Linux accepts silently. */
static int
opts_check_concat (const struct nvmeof_opts *opts)
{
  if (opts->dhchap_secret[0] == '\0') {
    set_error (EINVAL, "concat: secure channel concatenation needs "
                       "dhchap-secret=+FILE (its DH-HMAC-CHAP exchange "
                       "generates the TLS PSK)");
    return -1;
  }
  if (opts->tls || opts->tls_key[0]) {
    set_error (EINVAL, "concat: the TLS PSK is generated by DH-HMAC-CHAP: "
                       "give neither tls nor tls-key with it");
    return -1;
  }
  if (opts->dhchap_ctrl_secret[0]) {
    set_error (EINVAL, "concat: dhchap-ctrl-secret cannot be used with "
                       "secure channel concatenation, whose exchange does "
                       "not authenticate the controller");
    return -1;
  }
  return 0;
}

/* What NVMe over raw Ethernet needs (an interface and a MAC), and the
 * options that only make sense over TCP. */
static int
opts_check_eth (const struct nvmeof_opts *opts)
{
  uint8_t mac[6];

  if (opts->host_iface[0] == '\0') {
    set_error (EINVAL, "host-iface: missing: transport=eth needs the "
                       "interface on the controller's link (host-iface=IFACE, "
                       "or url=nvme+eth://IFACE/MAC/NQN)");
    return -1;
  }
  if (opts->traddr[0] == '\0') {
    set_error (EINVAL,
               "traddr: missing: give the controller's MAC "
               "(nvme+eth://%s/MAC/NQN or traddr=MAC; 'nvmeof "
               "discover nvme+eth://%s' lists the controllers on "
               "the link)",
               opts->host_iface, opts->host_iface);
    return -1;
  }
  if (opts_parse_mac (opts->traddr, mac) != 0) {
    set_error (EINVAL,
               "traddr: expected the controller's MAC address "
               "(aa:bb:cc:dd:ee:ff) with transport=eth, got '%s'",
               opts->traddr);
    return -1;
  }
  if (opts->trsvcid[0]) {
    set_error (EINVAL, "trsvcid: NVMe over Ethernet has no ports (it names "
                       "the controller by its MAC)");
    return -1;
  }
  if (opts->tls || opts->tls_key[0] || opts->concat) {
    set_error (EINVAL,
               "%s: TLS runs over TCP only, not over NVMe/Ethernet "
               "(MACsec protects a link: docs/nvme-eth.md, section 17)",
               opts->concat ? "concat" : "tls");
    return -1;
  }
  /* data-digest=on: the frame CRC32C covers the data too (it always
   * covers the header). */
  if (opts->hdr_digest) {
    set_error (EINVAL, "hdr-digest: NVMe/Ethernet frame headers always carry a "
                       "CRC32C (data-digest=on extends it to the data)");
    return -1;
  }
  return 0;
}

int
nvmeof_opts_validate (const struct nvmeof_opts *opts)
{
  uint8_t mac[6];

  if (opts == NULL) {
    set_error (EINVAL, "nvmeof_opts_validate: opts is NULL");
    return -1;
  }
  if (opts->transport == NVMEOF_TRANSPORT_ETH) {
    if (opts_check_eth (opts) == -1)
      return -1;
  }
  else {
    if (opts->host_iface[0]) {
      set_error (EINVAL, "host-iface: only for transport=eth (NVMe/TCP "
                         "does not bind to an interface)");
      return -1;
    }
    if (opts->ethertype) {
      set_error (EINVAL, "ethertype: only for transport=eth");
      return -1;
    }
    if (strchr (opts->traddr, ':') && opts_parse_mac (opts->traddr, mac) == 0) {
      set_error (EINVAL,
                 "traddr: %s is a MAC address: NVMe over Ethernet "
                 "needs transport=eth and host-iface=IFACE (or "
                 "url=nvme+eth://IFACE/MAC/NQN)",
                 opts->traddr);
      return -1;
    }
  }
  if (opts->traddr[0] == '\0') {
    set_error (EINVAL, "traddr: missing: give url= or traddr= and nqn=");
    return -1;
  }
  if (opts->subnqn[0] == '\0') {
    set_error (EINVAL, "nqn: missing: give url= or nqn= (the subsystem "
                       "NQN; " NVMEOF_DISCOVERY_NQN " for discovery)");
    return -1;
  }
  if (opts->concat && opts_check_concat (opts) == -1)
    return -1;
  if (opts->tls && opts->tls_key[0] == '\0') {
    set_error (EINVAL, "tls: no pre-shared key: give tls-key=+FILE (the "
                       "configured PSK, NVMeTLSkey-1:..., as nvmeof "
                       "gen-tls-key or nvme gen-tls-key print it)");
    return -1;
  }
  if (!opts->tls && opts->tls_key[0]) {
    set_error (EINVAL, "tls: off, but tls-key was given (it implies tls)");
    return -1;
  }
  if (opts->tls_compat && opts->tls_key[0] == '\0') {
    set_error (EINVAL, "tls-compat: it changes how the PSK of tls-key is "
                       "derived: give tls-key=+FILE too");
    return -1;
  }
  return 0;
}

uint32_t
nvmeof_opts_get_nsid (const struct nvmeof_opts *opts)
{
  return opts ? opts->nsid : 0;
}

/* Precedence for each half: option > file > derived, keeping the pair
 * consistent (see hostid.c).  Idempotent. */
int
opts_resolve_host_identity (struct nvmeof_opts *opts)
{
  char nqn[NVMEOF_NQN_MAX + 1], id[37];
  const char *nqn_src = NULL, *id_src = NULL;
  const char *given_nqn = opts->hostnqn[0] ? opts->hostnqn : NULL;
  const char *given_id = opts->hostid[0] ? opts->hostid : NULL;

  if (given_nqn && given_id)
    return 0;
  if (!given_nqn &&
      hostnqn_default_for_hostid (given_id, nqn, sizeof nqn, &nqn_src) == -1)
    return -1;
  if (!given_id &&
      hostid_default_for_hostnqn (given_nqn, id, sizeof id, &id_src) == -1)
    return -1;
  /* Both succeeded: only now change opts. */
  if (!given_nqn) {
    memcpy (opts->hostnqn, nqn, strlen (nqn) + 1);
    opts->hostnqn_source = nqn_src;
  }
  if (!given_id) {
    memcpy (opts->hostid, id, sizeof id);
    opts->hostid_source = id_src;
  }
  return 0;
}

/* The public getters take const options; the defaults are filled in
 * lazily, which writes to the (heap-allocated) options object. */
const char *
nvmeof_opts_get_hostnqn (const struct nvmeof_opts *opts, const char **source)
{
  if (opts == NULL) {
    set_error (EINVAL, "nvmeof_opts_get_hostnqn: opts is NULL");
    return NULL;
  }
  if (opts_resolve_host_identity ((struct nvmeof_opts *) opts) == -1)
    return NULL;
  if (source)
    *source = opts->hostnqn_source;
  return opts->hostnqn;
}

const char *
nvmeof_opts_get_hostid (const struct nvmeof_opts *opts, const char **source)
{
  if (opts == NULL) {
    set_error (EINVAL, "nvmeof_opts_get_hostid: opts is NULL");
    return NULL;
  }
  if (opts_resolve_host_identity ((struct nvmeof_opts *) opts) == -1)
    return NULL;
  if (source)
    *source = opts->hostid_source;
  return opts->hostid;
}

const char *
opts_port (const struct nvmeof_opts *opts)
{
  if (opts->trsvcid[0])
    return opts->trsvcid;
  return strcmp (opts->subnqn, NVMEOF_DISCOVERY_NQN) == 0 ? "8009" : "4420";
}
