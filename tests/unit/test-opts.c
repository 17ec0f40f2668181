/* SPDX-License-Identifier: BSD-3-Clause */
/* The option parser: defaults, every key (dash and underscore spellings),
 * booleans, ranges, one-line messages naming the key, url= followed by
 * keys that override it, and validation.  The exported key table, and the
 * secret keys (+FILE, -, literals refused, bounds, the permission
 * warning, wiping); the TLS keys; the NVMe/Ethernet keys (transport=eth,
 * host-iface, traddr as a MAC, ethertype) and their validation. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "nvmeof.h"
#include "opts.h"
#include "tls-psk.h"
#include "check.h"

#define SPDK "nqn.2016-06.io.spdk:cnode1"

static struct nvmeof_opts *
new_opts (void)
{
  struct nvmeof_opts *o = nvmeof_opts_new ();

  if (o == NULL) {
    fprintf (stderr, "FAIL: nvmeof_opts_new: %s\n", nvmeof_get_error ());
    exit (1);
  }
  return o;
}

static void
set_ok (struct nvmeof_opts *o, const char *key, const char *value)
{
  CHECK (nvmeof_opts_set (o, key, value) == 0, "%s=%s refused: %s", key, value,
         nvmeof_get_error ());
}

/* The setter must fail with EINVAL and exactly the message given (or, if
 * exact is false, a message containing it). */
static void
set_bad (struct nvmeof_opts *o, const char *key, const char *value,
         const char *want, bool exact)
{
  const char *msg;

  if (nvmeof_opts_set (o, key, value) == 0) {
    CHECK (false, "%s=%s accepted", key, value ? value : "(null)");
    return;
  }
  msg = nvmeof_get_error ();
  CHECK (nvmeof_get_errno () == EINVAL, "%s=%s: errno %d", key, value,
         nvmeof_get_errno ());
  CHECK (strchr (msg, '\n') == NULL, "%s: message not one line", key);
  if (exact)
    CHECK (strcmp (msg, want) == 0, "%s=%s: message\n  '%s', want\n  '%s'", key,
           value, msg, want);
  else
    CHECK (strstr (msg, want) != NULL, "%s=%s: message '%s' lacks '%s'", key,
           value, msg, want);
}

static void
test_defaults (void)
{
  struct nvmeof_opts *o = new_opts ();

  printf ("defaults: queue-size 128, keep-alive-tmo 5, timeout 30, "
          "connect-timeout 10, ctrl-loss-tmo 600, reconnect-delay 10\n");
  CHECK (o->transport == NVMEOF_TRANSPORT_TCP, "transport");
  CHECK (o->queue_size == 128, "queue_size %u", o->queue_size);
  CHECK (o->kato_s == 5, "kato %u", o->kato_s);
  CHECK (o->timeout_s == 30, "timeout %u", o->timeout_s);
  CHECK (o->connect_timeout_s == 10, "connect timeout");
  CHECK (o->ctrl_loss_tmo_s == 600, "ctrl loss tmo");
  CHECK (o->reconnect_delay_s == 10, "reconnect delay");
  CHECK (o->fast_io_fail_tmo_s == -1, "fast-io-fail-tmo off");
  CHECK (o->nr_io_queues == 0, "nr_io_queues");
  CHECK (!o->hdr_digest && !o->data_digest && !o->disable_sqflow, "bools");
  CHECK (o->traddr[0] == 0 && o->trsvcid[0] == 0 && o->subnqn[0] == 0 &&
           o->hostnqn[0] == 0 && o->hostid[0] == 0 && o->nsid == 0,
         "empty");
  printf ("defaults: validate wants traddr and nqn\n");
  CHECK (nvmeof_opts_validate (o) == -1, "empty opts validate");
  CHECK (strcmp (nvmeof_get_error (),
                 "traddr: missing: give url= or traddr= and nqn=") == 0,
         "validate message '%s'", nvmeof_get_error ());
  set_ok (o, "traddr", "127.0.0.1");
  CHECK (nvmeof_opts_validate (o) == -1, "no nqn validates");
  CHECK (strncmp (nvmeof_get_error (), "nqn: missing", 12) == 0,
         "validate message '%s'", nvmeof_get_error ());
  set_ok (o, "nqn", SPDK);
  CHECK (nvmeof_opts_validate (o) == 0, "complete opts: %s",
         nvmeof_get_error ());
  CHECK (strcmp (opts_port (o), "4420") == 0, "default port");
  set_ok (o, "nqn", NVMEOF_DISCOVERY_NQN);
  CHECK (strcmp (opts_port (o), "8009") == 0, "discovery port");
  set_ok (o, "trsvcid", "4420");
  CHECK (strcmp (opts_port (o), "4420") == 0, "explicit port");
  nvmeof_opts_validate (NULL);
  nvmeof_opts_free (o);
  nvmeof_opts_free (NULL);
}

static void
test_keys (void)
{
  static const char *const all[] = {
    "url",
    "transport",
    "traddr",
    "trsvcid",
    "host-iface",
    "ethertype",
    "nqn",
    "nsid",
    "hostnqn",
    "hostid",
    "hdr-digest",
    "data-digest",
    "nr-io-queues",
    "queue-size",
    "keep-alive-tmo",
    "timeout",
    "connect-timeout",
    "ctrl-loss-tmo",
    "reconnect-delay",
    "fast-io-fail-tmo",
    "disable-sqflow",
    "dhchap-secret",
    "dhchap-ctrl-secret",
    "tls",
    "tls-key",
    "tls-identity",
    "tls-compat",
  };
  struct nvmeof_opts *o = new_opts ();
  size_t i;

  printf ("keys: every documented key and its underscore spelling\n");
  for (i = 0; i < sizeof all / sizeof all[0]; i++) {
    char under[64];
    size_t j;

    CHECK (nvmeof_opts_is_key (all[i]), "%s is not a key", all[i]);
    snprintf (under, sizeof under, "%s", all[i]);
    for (j = 0; under[j]; j++)
      if (under[j] == '-')
        under[j] = '_';
    CHECK (nvmeof_opts_is_key (under), "%s is not a key", under);
  }
  printf ("keys: unknown keys refused\n");
  CHECK (!nvmeof_opts_is_key ("queue"), "queue");
  CHECK (!nvmeof_opts_is_key ("queue-size-"), "queue-size-");
  CHECK (!nvmeof_opts_is_key ("Queue-Size"), "Queue-Size");
  CHECK (!nvmeof_opts_is_key (""), "empty");
  CHECK (!nvmeof_opts_is_key (NULL), "NULL");
  set_bad (o, "queue", "1", "queue: unknown option (expected one of url, ",
           false);
  set_bad (o, "queue-size", NULL, "queue-size: missing value", true);

  printf ("keys: each key sets its field\n");
  set_ok (o, "transport", "tcp");
  set_ok (o, "transport", "TCP");
  set_ok (o, "traddr", "192.0.2.1");
  CHECK (strcmp (o->traddr, "192.0.2.1") == 0, "traddr");
  set_ok (o, "traddr", "[2001:db8::1]");
  CHECK (strcmp (o->traddr, "2001:db8::1") == 0, "traddr brackets '%s'",
         o->traddr);
  set_ok (o, "traddr", "fe80::1%eth0");
  CHECK (strcmp (o->traddr, "fe80::1%eth0") == 0, "traddr zone");
  set_ok (o, "traddr", "storage.example.com");
  CHECK (strcmp (o->traddr, "storage.example.com") == 0, "traddr name");
  set_ok (o, "trsvcid", "4421");
  CHECK (strcmp (o->trsvcid, "4421") == 0, "trsvcid");
  set_ok (o, "trsvcid", "0080");
  CHECK (strcmp (o->trsvcid, "80") == 0, "trsvcid normalised '%s'", o->trsvcid);
  set_ok (o, "nqn", SPDK);
  CHECK (strcmp (o->subnqn, SPDK) == 0, "nqn");
  set_ok (o, "nsid", "1");
  CHECK (o->nsid == 1 && nvmeof_opts_get_nsid (o) == 1, "nsid");
  set_ok (o, "nsid", "4294967294");
  CHECK (o->nsid == 4294967294u, "nsid max");
  set_ok (o, "hostnqn",
          "nqn.2014-08.org.nvmexpress:uuid:"
          "12345678-1234-4234-8234-123456789abc");
  CHECK (strcmp (o->hostnqn + 32, "12345678-1234-4234-8234-123456789abc") == 0,
         "hostnqn");
  CHECK (strcmp (o->hostnqn_source, "option") == 0, "hostnqn source");
  set_ok (o, "hostid", "ABCDEF01-2345-6789-ABCD-EF0123456789");
  CHECK (strcmp (o->hostid, "abcdef01-2345-6789-abcd-ef0123456789") == 0,
         "hostid normalised '%s'", o->hostid);
  CHECK (strcmp (o->hostid_source, "option") == 0, "hostid source");
  set_ok (o, "hdr-digest", "on");
  set_ok (o, "data_digest", "yes");
  set_ok (o, "disable-sqflow", "1");
  CHECK (o->hdr_digest && o->data_digest && o->disable_sqflow, "bools on");
  set_ok (o, "nr-io-queues", "4");
  CHECK (o->nr_io_queues == 4, "nr_io_queues");
  set_ok (o, "nr_io_queues", "256");
  CHECK (o->nr_io_queues == 256, "nr_io_queues 256");
  set_ok (o, "queue-size", "16");
  CHECK (o->queue_size == 16, "queue_size 16");
  set_ok (o, "queue_size", "1024");
  CHECK (o->queue_size == 1024, "queue_size 1024");
  set_ok (o, "keep-alive-tmo", "0");
  CHECK (o->kato_s == 0, "kato 0");
  set_ok (o, "keep_alive_tmo", "30");
  CHECK (o->kato_s == 30, "kato 30");
  set_ok (o, "timeout", "60");
  CHECK (o->timeout_s == 60, "timeout");
  set_ok (o, "connect_timeout", "3");
  CHECK (o->connect_timeout_s == 3, "connect timeout");
  set_ok (o, "ctrl-loss-tmo", "-1");
  CHECK (o->ctrl_loss_tmo_s == -1, "ctrl loss forever");
  set_ok (o, "ctrl_loss_tmo", "0");
  CHECK (o->ctrl_loss_tmo_s == 0, "ctrl loss 0");
  set_ok (o, "reconnect-delay", "1");
  CHECK (o->reconnect_delay_s == 1, "reconnect delay");
  set_ok (o, "fast-io-fail-tmo", "0");
  CHECK (o->fast_io_fail_tmo_s == 0, "fast-io-fail-tmo 0");
  set_ok (o, "fast_io_fail_tmo", "5");
  CHECK (o->fast_io_fail_tmo_s == 5, "fast-io-fail-tmo 5");
  set_ok (o, "fast-io-fail-tmo", "-1");
  CHECK (o->fast_io_fail_tmo_s == -1, "fast-io-fail-tmo off");
  nvmeof_opts_free (o);
}

static void
test_booleans (void)
{
  static const char *const yes[] = { "1",   "true", "TRUE", "yes",
                                     "Yes", "on",   "ON" };
  static const char *const no[] = { "0",  "false", "False", "no",
                                    "NO", "off",   "Off" };
  static const char *const junk[] = { "",      "2",   "y",  "n", "enable",
                                      "true ", " on", "-1", "10" };
  struct nvmeof_opts *o = new_opts ();
  size_t i;

  printf ("booleans: 1/0 true/false yes/no on/off in any case\n");
  for (i = 0; i < sizeof yes / sizeof yes[0]; i++) {
    o->hdr_digest = false;
    set_ok (o, "hdr-digest", yes[i]);
    CHECK (o->hdr_digest, "%s is not true", yes[i]);
  }
  for (i = 0; i < sizeof no / sizeof no[0]; i++) {
    o->hdr_digest = true;
    set_ok (o, "hdr_digest", no[i]);
    CHECK (!o->hdr_digest, "%s is not false", no[i]);
  }
  printf ("booleans: anything else refused with one line\n");
  for (i = 0; i < sizeof junk / sizeof junk[0]; i++)
    set_bad (o, "data-digest", junk[i],
             "data-digest: expected a boolean (1/0, true/false, yes/no, "
             "on/off), got '",
             false);
  set_bad (o, "disable-sqflow", "maybe",
           "disable-sqflow: expected a boolean (1/0, true/false, yes/no, "
           "on/off), got 'maybe'",
           true);
  nvmeof_opts_free (o);
}

static void
test_ranges (void)
{
  struct nvmeof_opts *o = new_opts ();

  printf ("ranges: integers checked fully, messages name key and range\n");
  set_bad (o, "queue-size", "abc",
           "queue-size: expected an integer from 16 to 1024, got 'abc'", true);
  set_bad (o, "queue_size", "15",
           "queue_size: expected an integer from 16 to 1024, got '15'", true);
  set_bad (o, "queue-size", "1025", "from 16 to 1024, got '1025'", false);
  set_bad (o, "queue-size", "", "got ''", false);
  set_bad (o, "queue-size", "128k", "got '128k'", false);
  set_bad (o, "queue-size", " 128", "got ' 128'", false);
  set_bad (o, "queue-size", "128 ", "got '128 '", false);
  set_bad (o, "queue-size", "+128", "got '+128'", false);
  set_bad (o, "queue-size", "-128", "got '-128'", false);
  set_bad (o, "queue-size", "0x80", "got '0x80'", false);
  set_bad (o, "queue-size", "99999999999999999999999", "from 16 to 1024",
           false);
  CHECK (o->queue_size == 128, "queue size changed by failures");
  set_bad (o, "nr-io-queues", "0",
           "nr-io-queues: expected an integer from 1 to 256, got '0'", true);
  set_bad (o, "nr-io-queues", "257", "from 1 to 256", false);
  set_bad (o, "keep-alive-tmo", "-1",
           "keep-alive-tmo: expected an integer from 0 (0 disables) to 65535, "
           "got '-1'",
           true);
  set_bad (o, "keep-alive-tmo", "65536", "to 65535", false);
  set_bad (o, "timeout", "0",
           "timeout: expected an integer from 1 to 3600, got '0'", true);
  set_bad (o, "connect-timeout", "3601", "from 1 to 3600", false);
  set_bad (o, "ctrl-loss-tmo", "-2",
           "ctrl-loss-tmo: expected an integer from -1 (forever) to "
           "2147483647, got '-2'",
           true);
  set_bad (o, "ctrl-loss-tmo", "2147483648", "to 2147483647", false);
  set_bad (o, "ctrl-loss-tmo", "--1", "got '--1'", false);
  set_bad (o, "reconnect-delay", "0", "from 1 to 3600", false);
  set_bad (o, "fast-io-fail-tmo", "-2",
           "fast-io-fail-tmo: expected an integer from -1 (off) to "
           "2147483647, got '-2'",
           true);
  set_bad (o, "fast-io-fail-tmo", "soon", "got 'soon'", false);
  set_bad (o, "trsvcid", "0",
           "trsvcid: expected an integer from 1 to 65535, got '0'", true);
  set_bad (o, "trsvcid", "65536", "from 1 to 65535", false);
  set_bad (o, "trsvcid", "http", "got 'http'", false);
  set_bad (o, "nsid", "0",
           "nsid: expected an integer from 1 to 4294967294, got '0'", true);
  set_bad (o, "nsid", "4294967295", "to 4294967294", false);
  set_bad (o, "nsid", "18446744073709551617", "to 4294967294", false);

  printf ("ranges: strings and identities\n");
  set_bad (o, "transport", "rdma",
           "transport: expected 'tcp' or 'eth', got 'rdma'", true);
  set_bad (o, "traddr", "",
           "traddr: expected a host name, IPv4 or IPv6 address, got ''", true);
  set_bad (o, "traddr", "a b", "traddr: expected", false);
  set_bad (o, "traddr", "999.0.0.1", "got '999.0.0.1'", false);
  set_bad (o, "traddr", "::g", "got '::g'", false);
  set_bad (o, "traddr", "[::1", "got '[::1'", false);
  set_bad (o, "traddr", "fe80::1%", "traddr: expected", false);
  set_bad (o, "traddr", "host\nname", "got 'host?name'", false);
  set_ok (o, "nqn", "testnqn"); /* any subsystem name, as targets allow */
  set_bad (o, "nqn", "a b", "nqn: NQN contains a space", false);
  set_bad (o, "hostnqn", "testnqn", "hostnqn: NQN must start with 'nqn.'",
           false);
  set_bad (o, "nqn", "", "nqn: expected an NQN", false);
  set_bad (o, "hostnqn", NVMEOF_DISCOVERY_NQN, "cannot name a host", false);
  set_bad (o, "hostnqn", "nqn.2014-08.org.nvmexpress:uuid:nope",
           "hostnqn: expected a UUID", false);
  set_bad (o, "hostid", "1234",
           "hostid: expected a UUID like "
           "01234567-89ab-cdef-0123-456789abcdef, got '1234'",
           true);
  set_bad (o, "hostid", "00000000-0000-0000-0000-000000000000", "nil UUID",
           false);
  nvmeof_opts_free (o);
}

/* url= sets the endpoint; later keys override it, and a later url=
 * replaces all of it. */
static void
test_url_override (void)
{
  struct nvmeof_opts *o = new_opts ();

  printf ("url: url= then keys override\n");
  set_ok (o, "url", "nvme+tcp://10.1.1.1:4430/" SPDK "/2");
  CHECK (strcmp (o->traddr, "10.1.1.1") == 0 &&
           strcmp (o->trsvcid, "4430") == 0 && strcmp (o->subnqn, SPDK) == 0 &&
           o->nsid == 2,
         "url fields");
  set_ok (o, "traddr", "10.2.2.2");
  set_ok (o, "trsvcid", "4440");
  set_ok (o, "nsid", "5");
  set_ok (o, "nqn", "nqn.2014-08.com.example:other");
  CHECK (strcmp (o->traddr, "10.2.2.2") == 0, "traddr override");
  CHECK (strcmp (o->trsvcid, "4440") == 0, "trsvcid override");
  CHECK (o->nsid == 5, "nsid override");
  CHECK (strcmp (o->subnqn, "nqn.2014-08.com.example:other") == 0,
         "nqn override");
  printf ("url: a later url= adds a path to the same subsystem (multipath)\n");
  set_ok (o, "nqn", SPDK);
  set_ok (o, "url", "nvme+tcp://h3/" SPDK "/5");
  CHECK (o->nr_extra_paths == 1 &&
           strcmp (o->extra_paths[0].traddr, "h3") == 0 &&
           o->extra_paths[0].trsvcid[0] == 0 &&
           strcmp (o->extra_paths[0].subnqn, SPDK) == 0,
         "url again: a second path");
  CHECK (strcmp (o->traddr, "10.2.2.2") == 0 && o->nsid == 5,
         "url again: the first path unchanged");
  set_bad (o, "url", "nvme+tcp://h3/nqn.2014-08.com.example:other/5",
           "every path must name the same subsystem", false);
  set_bad (o, "url", "nvme+tcp://h3/" SPDK "/6",
           "every path must name the same namespace", false);
  /* nvmeof list-subsys --nsid=5 URL URL: the further URL names none. */
  set_ok (o, "url", "nvme+tcp://h5/" SPDK);
  CHECK (o->nr_extra_paths == 2 && o->nsid == 5,
         "url without a namespace after nsid=: a path, nsid kept");
  printf ("url: a bad url= leaves the options as they were\n");
  set_bad (o, "url", "nvme+tcp://h4:0/" SPDK, "url: port must be", false);
  CHECK (strcmp (o->traddr, "10.2.2.2") == 0 && o->nr_extra_paths == 2,
         "bad url changed the paths");
  CHECK (nvmeof_opts_validate (o) == 0, "validate: %s", nvmeof_get_error ());
  nvmeof_opts_free (o);
}

/* The exported table: complete, unique names and short options, and the
 * same keys as the parser (the unknown-key message lists them all). */
static void
test_table (void)
{
  const struct nvmeof_key_info *t;
  struct nvmeof_opts *o = new_opts ();
  char msg[1024];
  size_t n = 0, i, j;

  printf ("table: every key has a name, metavar and help; unique names and "
          "short options\n");
  t = nvmeof_opts_keys (&n);
  CHECK (t != NULL && n >= 20, "nvmeof_opts_keys: %zu keys", n);
  CHECK (nvmeof_opts_keys (NULL) == t, "count may be NULL");
  if (nvmeof_opts_set (o, "no-such-key", "1") == 0)
    CHECK (false, "no-such-key accepted");
  snprintf (msg, sizeof msg, "%s", nvmeof_get_error ());
  for (i = 0; i < n; i++) {
    const struct nvmeof_key_info *k = &t[i];
    char want[80];

    CHECK (k->name && k->name[0], "key %zu has no name", i);
    CHECK (k->metavar && k->metavar[0], "%s has no metavar", k->name);
    CHECK (k->help && k->help[0], "%s has no help", k->name);
    if (!k->name || !k->help)
      continue;
    CHECK (strchr (k->help, '\n') == NULL, "%s: help not one line", k->name);
    CHECK (k->help[strlen (k->help) - 1] != '.', "%s: help ends in '.'",
           k->name);
    CHECK (nvmeof_opts_is_key (k->name), "%s is not a key", k->name);
    CHECK (!(k->boolean && k->secret), "%s: boolean and secret", k->name);
    for (j = 0; j < i; j++) {
      CHECK (strcmp (t[j].name, k->name) != 0, "%s twice", k->name);
      CHECK (k->shortopt == 0 || t[j].shortopt != k->shortopt,
             "-%c for %s and %s", k->shortopt, t[j].name, k->name);
    }
    snprintf (want, sizeof want, " %s%s", k->name, i + 1 < n ? "," : ")");
    CHECK (strstr (msg, want) != NULL, "unknown-key message lacks %s: %s",
           k->name, msg);
  }
  printf ("table: nvme-cli's short options, secrets marked\n");
  for (i = 0; i < n; i++) {
    if (strcmp (t[i].name, "traddr") == 0)
      CHECK (t[i].shortopt == 'a', "traddr -%c", t[i].shortopt);
    if (strcmp (t[i].name, "hdr-digest") == 0)
      CHECK (t[i].shortopt == 'g' && t[i].boolean, "hdr-digest");
    if (strcmp (t[i].name, "dhchap-secret") == 0)
      CHECK (t[i].shortopt == 'S' && t[i].secret, "dhchap-secret");
    if (strcmp (t[i].name, "dhchap-ctrl-secret") == 0)
      CHECK (t[i].shortopt == 'C' && t[i].secret, "dhchap-ctrl-secret");
    if (strcmp (t[i].name, "timeout") == 0)
      CHECK (t[i].shortopt == 0 && !t[i].secret, "timeout");
  }
  nvmeof_opts_free (o);
}

/* ---- secrets ---------------------------------------------------------- */
/* Valid secrets (nvme gen-dhchap-key's form, CRCs right): 32 bytes with
 * no transform, 32 with SHA-256, 64 with SHA-512. */
#define SECRET  "DHHC-1:00:J0qR2WNHWlQcsHLbbnAJ90qQOCgwxh9SLRo7BIMIUsGJ8cUH:"
#define SECRET2 "DHHC-1:01:iZL6+OuzvmFU6UArMf1XcHu5qAb2/8dnOYYE15DoQ4JxpG8w:"
#define SECRET3 \
  "DHHC-1:03:gScu7ew219Srm23MjzuEzKnyOD1UUhPKCmMmmDr3uwyGnxfdBslciTIhIplxRK" \
  "MtqAryfo+XbpfSxc9V466LN+wTwyc=:"

static char dir[] = "/tmp/test-opts.XXXXXX";

/* dir/name holding len bytes of text, with mode. */
static const char *
secret_file (const char *name, const char *text, size_t len, mode_t mode)
{
  static char path[2][256];
  static int which;
  char *p = path[which++ % 2];
  int fd;

  snprintf (p, sizeof path[0], "%s/%s", dir, name);
  fd = open (p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd == -1 || write (fd, text, len) != (ssize_t) len ||
      fchmod (fd, mode) == -1 || close (fd) == -1) {
    perror (p);
    exit (1);
  }
  return p;
}

/* Set key=+path; returns 0 or -1 as the setter, with what it printed on
 * stderr in err. */
static int
set_capturing_stderr (struct nvmeof_opts *o, const char *key, const char *value,
                      char *err, size_t errlen)
{
  char path[256];
  int fd, saved, r;
  ssize_t n;

  snprintf (path, sizeof path, "%s/stderr", dir);
  fd = open (path, O_RDWR | O_CREAT | O_TRUNC, 0600);
  fflush (stderr);
  saved = dup (2);
  if (fd == -1 || saved == -1 || dup2 (fd, 2) == -1) {
    perror ("redirecting stderr");
    exit (1);
  }
  r = nvmeof_opts_set (o, key, value);
  fflush (stderr);
  dup2 (saved, 2);
  close (saved);
  n = pread (fd, err, errlen - 1, 0);
  err[n > 0 ? n : 0] = '\0';
  close (fd);
  unlink (path);
  return r;
}

/* key=- with text on standard input (a pipe), then the old stdin back. */
static int
set_from_stdin (struct nvmeof_opts *o, const char *key, const char *text)
{
  int p[2], saved, r;

  saved = dup (0);
  if (saved == -1 || pipe (p) == -1 ||
      write (p[1], text, strlen (text)) != (ssize_t) strlen (text)) {
    perror ("pipe");
    exit (1);
  }
  close (p[1]);
  dup2 (p[0], 0);
  close (p[0]);
  r = nvmeof_opts_set (o, key, "-");
  if (r == 0 && strcmp (key, "dhchap-secret") == 0) {
    /* The next line is the other secret's: it must still be there. */
    r = nvmeof_opts_set (o, "dhchap-ctrl-secret", "-");
  }
  dup2 (saved, 0);
  close (saved);
  return r;
}

static void
test_secrets (void)
{
  struct nvmeof_opts *o = new_opts ();
  char big[400], line[300], err[1024], want[600];
  const char *f, *msg;
  size_t i;

  if (mkdtemp (dir) == NULL) {
    perror ("mkdtemp");
    exit (1);
  }
  printf ("secrets: none by default\n");
  CHECK (o->dhchap_secret[0] == 0 && o->dhchap_ctrl_secret[0] == 0, "empty");

  printf ("secrets: +FILE read, final newline (or CRLF) dropped, quietly "
          "for a 0600 file\n");
  f = secret_file ("key", SECRET "\n", strlen (SECRET) + 1, 0600);
  snprintf (want, sizeof want, "+%s", f);
  CHECK (set_capturing_stderr (o, "dhchap-secret", want, err, sizeof err) == 0,
         "+FILE refused: %s", nvmeof_get_error ());
  CHECK (strcmp (o->dhchap_secret, SECRET) == 0, "secret '%s'",
         o->dhchap_secret);
  CHECK (err[0] == '\0', "a 0600 file drew '%s'", err);
  f = secret_file ("crlf", SECRET2 "\r\n", strlen (SECRET2) + 2, 0400);
  snprintf (want, sizeof want, "+%s", f);
  set_ok (o, "dhchap_ctrl_secret", want);
  CHECK (strcmp (o->dhchap_ctrl_secret, SECRET2) == 0, "crlf '%s'",
         o->dhchap_ctrl_secret);
  f = secret_file ("nonl", SECRET3, strlen (SECRET3), 0600);
  snprintf (want, sizeof want, "+%s", f);
  set_ok (o, "dhchap-ctrl-secret", want);
  CHECK (strcmp (o->dhchap_ctrl_secret, SECRET3) == 0, "no newline");

  printf ("secrets: a file group or others can read draws one warning\n");
  f = secret_file ("shared", SECRET2 "\n", strlen (SECRET2) + 1, 0644);
  snprintf (want, sizeof want, "+%s", f);
  CHECK (set_capturing_stderr (o, "dhchap-secret", want, err, sizeof err) == 0,
         "0644 file refused: %s", nvmeof_get_error ());
  snprintf (want, sizeof want,
            "nvmeof: warning: dhchap-secret: %s is readable by group or "
            "others (chmod 600 %s)\n",
            f, f);
  CHECK (strcmp (err, want) == 0, "warning\n  '%s', want\n  '%s'", err, want);
  f = secret_file ("group", SECRET2 "\n", strlen (SECRET2) + 1, 0640);
  snprintf (want, sizeof want, "+%s", f);
  set_capturing_stderr (o, "dhchap-secret", want, err, sizeof err);
  CHECK (strstr (err, "readable by group or others") != NULL, "0640: '%s'",
         err);

  printf ("secrets: '-' reads one line of standard input (a pipe)\n");
  CHECK (set_from_stdin (o, "dhchap-secret", SECRET "\n" SECRET2 "\n") == 0,
         "- refused: %s", nvmeof_get_error ());
  CHECK (strcmp (o->dhchap_secret, SECRET) == 0, "stdin '%s'",
         o->dhchap_secret);
  CHECK (strcmp (o->dhchap_ctrl_secret, SECRET2) == 0, "second line '%s'",
         o->dhchap_ctrl_secret);
  CHECK (set_from_stdin (o, "dhchap-ctrl-secret", SECRET3) == 0,
         "- without a newline: %s", nvmeof_get_error ());
  CHECK (strcmp (o->dhchap_ctrl_secret, SECRET3) == 0, "'%s'",
         o->dhchap_ctrl_secret);
  CHECK (set_from_stdin (o, "dhchap-ctrl-secret", "") == -1, "empty stdin");
  CHECK (strstr (nvmeof_get_error (), "standard input is empty") != NULL,
         "'%s'", nvmeof_get_error ());

  printf ("secrets: a literal value is refused, and never shown\n");
  set_bad (o, "dhchap-secret", "DHHC-1:00:literal:",
           "dhchap-secret: give the secret as +FILE or - (standard input): "
           "a secret on the command line shows in ps",
           true);
  set_bad (o, "dhchap_ctrl_secret", "hunter2",
           "dhchap_ctrl_secret: give the secret as +FILE", false);
  CHECK (strstr (nvmeof_get_error (), "hunter2") == NULL, "literal shown");
  set_bad (o, "dhchap-secret", "+", "give the secret as +FILE", false);
  set_bad (o, "dhchap-secret", "", "give the secret as +FILE", false);
  set_bad (o, "dhchap-secret", "--", "give the secret as +FILE", false);

  printf ("secrets: a missing file, too large, empty, several lines\n");
  snprintf (want, sizeof want, "+%s/nosuch", dir);
  CHECK (nvmeof_opts_set (o, "dhchap-secret", want) == -1, "missing file");
  msg = nvmeof_get_error ();
  CHECK (nvmeof_get_errno () == ENOENT, "errno %d", nvmeof_get_errno ());
  CHECK (strncmp (msg, "dhchap-secret: ", 15) == 0 &&
           strstr (msg, want + 1) != NULL &&
           strstr (msg, "No such file") != NULL,
         "message '%s'", msg);
  memset (big, 'A', sizeof big);
  f = secret_file ("big", big, sizeof big, 0600);
  snprintf (want, sizeof want, "+%s", f);
  set_bad (o, "dhchap-secret", want,
           "is too large (a secret is at most 255 bytes)", false);
  CHECK (strstr (nvmeof_get_error (), "AAAA") == NULL, "content shown");
  /* 255 bytes (and a newline) are read, then refused as no DHHC-1 key. */
  f = secret_file ("max", big, 255, 0600);
  snprintf (want, sizeof want, "+%s", f);
  set_bad (o, "dhchap-ctrl-secret", want, "DH-HMAC-CHAP key: does not start",
           false);
  big[255] = '\n';
  f = secret_file ("max-nl", big, 256, 0600);
  snprintf (want, sizeof want, "+%s", f);
  set_bad (o, "dhchap-ctrl-secret", want, "DH-HMAC-CHAP key: does not start",
           false);
  f = secret_file ("over", big, 257, 0600);
  snprintf (want, sizeof want, "+%s", f);
  set_bad (o, "dhchap-ctrl-secret", want, "too large", false);
  memset (line, 'B', sizeof line - 1);
  line[sizeof line - 1] = '\0';
  CHECK (set_from_stdin (o, "dhchap-ctrl-secret", line) == -1, "long line");
  CHECK (strstr (nvmeof_get_error (), "standard input is too large") != NULL,
         "'%s'", nvmeof_get_error ());
  f = secret_file ("empty", "\n", 1, 0600);
  snprintf (want, sizeof want, "+%s", f);
  set_bad (o, "dhchap-secret", want, "is empty", false);
  f = secret_file ("lines", "s3cr3t-1\ns3cr3t-2\n", 18, 0600);
  snprintf (want, sizeof want, "+%s", f);
  set_bad (o, "dhchap-secret", want, "is not one line of text", false);
  CHECK (strstr (nvmeof_get_error (), "s3cr3t") == NULL, "content shown");
  f = secret_file ("nul", "a\0b\n", 4, 0600);
  snprintf (want, sizeof want, "+%s", f);
  set_bad (o, "dhchap-secret", want, "is not one line of text", false);

  printf ("secrets: the text must be a DHHC-1 key (dhchap_key_parse), and "
          "the message does not show it\n");
  f = secret_file ("notkey", "hunter2\n", 8, 0600);
  snprintf (want, sizeof want, "+%s", f);
  snprintf (err, sizeof err,
            "dhchap-secret: %s: DH-HMAC-CHAP key: does not start with "
            "\"DHHC-1:\"",
            f);
  set_bad (o, "dhchap-secret", want, err, false);
  CHECK (strstr (nvmeof_get_error (), "hunter2") == NULL, "content shown");
  memcpy (line, SECRET, sizeof SECRET);
  line[20] = line[20] == 'A' ? 'B' : 'A'; /* the CRC no longer matches */
  CHECK (set_from_stdin (o, "dhchap-secret", line) == -1, "bad CRC");
  CHECK (strstr (nvmeof_get_error (), "dhchap-secret: standard input: "
                                      "DH-HMAC-CHAP key: CRC mismatch") != NULL,
         "'%s'", nvmeof_get_error ());
  CHECK (strstr (nvmeof_get_error (), line + 10) == NULL, "content shown");

  printf ("secrets: a failure leaves the secret as it was\n");
  CHECK (strcmp (o->dhchap_secret, SECRET) == 0, "changed by failures: '%s'",
         o->dhchap_secret);

  printf ("secrets: opts_wipe clears every byte\n");
  opts_wipe (o);
  for (i = 0; i < sizeof *o; i++)
    if (((unsigned char *) o)[i] != 0)
      break;
  CHECK (i == sizeof *o, "byte %zu not wiped", i);
  nvmeof_opts_free (o);
}

/* tls, tls-key (a secret like the others, checked by tls_psk_parse, and
 * implying tls), tls-identity; validation of the combination. */
static void
test_tls (void)
{
  struct nvmeof_opts *o = new_opts ();
  struct tls_psk_key k;
  char text[TLS_PSK_TEXT_MAX], want[300], err[256];
  const char *f;

  printf ("tls: off by default, identity version 0\n");
  CHECK (!o->tls && o->tls_key[0] == 0 && o->tls_identity == 0, "defaults");
  set_ok (o, "traddr", "127.0.0.1");
  set_ok (o, "nqn", SPDK);
  set_ok (o, "tls", "on");
  CHECK (o->tls, "tls=on");
  CHECK (nvmeof_opts_validate (o) == -1 &&
           strstr (nvmeof_get_error (), "tls: no pre-shared key: give "
                                        "tls-key=+FILE") != NULL,
         "tls without a key: '%s'", nvmeof_get_error ());
  set_ok (o, "tls", "off");

  printf ("tls-key: +FILE, checked, implies tls\n");
  if (tls_psk_generate (2, &k, err, sizeof err) == -1 ||
      tls_psk_format (&k, text, sizeof text, err, sizeof err) == -1) {
    CHECK (false, "tls_psk_generate: %s", err);
    return;
  }
  tls_psk_wipe (&k);
  f = secret_file ("psk", text, strlen (text), 0600);
  snprintf (want, sizeof want, "+%s", f);
  set_ok (o, "tls_key", want);
  CHECK (o->tls && strcmp (o->tls_key, text) == 0, "tls-key read");
  CHECK (nvmeof_opts_validate (o) == 0, "valid: %s", nvmeof_get_error ());
  set_ok (o, "tls", "off");
  CHECK (nvmeof_opts_validate (o) == -1 &&
           strstr (nvmeof_get_error (), "tls: off, but tls-key") != NULL,
         "tls=off with a key: '%s'", nvmeof_get_error ());
  set_ok (o, "tls", "on");

  printf ("tls-key: not a PSK, a literal: refused, never shown\n");
  f = secret_file ("dhchap", SECRET "\n", strlen (SECRET) + 1, 0600);
  snprintf (want, sizeof want, "+%s", f);
  set_bad (o, "tls-key", want, "tls-key: ", false);
  CHECK (strstr (nvmeof_get_error (), "J0qR2WNH") == NULL, "content shown");
  set_bad (o, "tls-key", text, "give the secret as +FILE", false);
  CHECK (strstr (nvmeof_get_error (), text + 20) == NULL, "literal shown");
  CHECK (strcmp (o->tls_key, text) == 0, "changed by failures");

  printf ("tls-identity: 0 or 1\n");
  set_ok (o, "tls-identity", "1");
  CHECK (o->tls_identity == 1, "identity 1");
  set_bad (o, "tls-identity", "2",
           "tls-identity: expected an integer from 0 "
           "to 1, got '2'",
           true);

  printf ("tls-compat: a boolean, only with tls-key\n");
  CHECK (!o->tls_compat, "tls-compat default");
  set_ok (o, "tls-compat", "yes");
  CHECK (o->tls_compat && nvmeof_opts_validate (o) == 0, "tls-compat: '%s'",
         nvmeof_get_error ());
  nvmeof_opts_free (o);
  o = new_opts ();
  set_ok (o, "traddr", "127.0.0.1");
  set_ok (o, "nqn", SPDK);
  set_ok (o, "tls-compat", "on");
  CHECK (nvmeof_opts_validate (o) == -1 &&
           strstr (nvmeof_get_error (), "tls-compat: ") != NULL &&
           strstr (nvmeof_get_error (), "tls-key=+FILE") != NULL,
         "tls-compat without tls-key: '%s'", nvmeof_get_error ());
  nvmeof_opts_free (o);
}

/* concat: a boolean; needs dhchap-secret, excludes TLS keys and a
 * controller secret (validation). */
static void
test_concat (void)
{
  struct nvmeof_opts *o = new_opts ();
  char want[300];
  const char *f;

  printf ("concat: off by default; needs dhchap-secret\n");
  CHECK (!o->concat, "default");
  set_ok (o, "traddr", "127.0.0.1");
  set_ok (o, "nqn", SPDK);
  set_ok (o, "concat", "on");
  CHECK (o->concat, "concat=on");
  CHECK (nvmeof_opts_validate (o) == -1 &&
           strstr (nvmeof_get_error (), "concat: secure channel "
                                        "concatenation needs "
                                        "dhchap-secret=+FILE") != NULL,
         "no secret: '%s'", nvmeof_get_error ());
  f = secret_file ("concat", SECRET "\n", strlen (SECRET) + 1, 0600);
  snprintf (want, sizeof want, "+%s", f);
  set_ok (o, "dhchap-secret", want);
  CHECK (nvmeof_opts_validate (o) == 0, "valid: %s", nvmeof_get_error ());

  printf ("concat: not with tls or dhchap-ctrl-secret\n");
  set_ok (o, "tls", "on");
  CHECK (nvmeof_opts_validate (o) == -1 &&
           strstr (nvmeof_get_error (), "give neither tls nor tls-key") != NULL,
         "with tls: '%s'", nvmeof_get_error ());
  set_ok (o, "tls", "off");
  set_ok (o, "dhchap-ctrl-secret", want);
  CHECK (nvmeof_opts_validate (o) == -1 &&
           strstr (nvmeof_get_error (), "concat: dhchap-ctrl-secret cannot "
                                        "be used") != NULL,
         "with a controller secret: '%s'", nvmeof_get_error ());
  set_bad (o, "concat", "maybe", "concat: expected a boolean", false);
  nvmeof_opts_free (o);
}

/* transport=eth, host-iface, traddr as a MAC, ethertype; what validation
 * asks of each transport. */
static void
test_eth (void)
{
  struct nvmeof_opts *o = new_opts ();

  printf ("eth: keys set their fields\n");
  CHECK (o->host_iface[0] == '\0' && o->ethertype == 0, "defaults");
  set_ok (o, "transport", "eth");
  CHECK (o->transport == NVMEOF_TRANSPORT_ETH, "transport=eth");
  set_ok (o, "transport", "ETH");
  set_ok (o, "host_iface", "veth0");
  CHECK (strcmp (o->host_iface, "veth0") == 0, "host-iface");
  set_ok (o, "traddr", "02:AA:bb:00:00:01");
  CHECK (strcmp (o->traddr, "02:aa:bb:00:00:01") == 0, "MAC normalised '%s'",
         o->traddr);
  set_ok (o, "nqn", SPDK);
  CHECK (nvmeof_opts_validate (o) == 0, "valid: %s", nvmeof_get_error ());
  /* Written with '-', a MAC is also a host name: kept as written. */
  set_ok (o, "traddr", "02-aa-bb-00-00-01");
  CHECK (strcmp (o->traddr, "02-aa-bb-00-00-01") == 0, "'-' MAC '%s'",
         o->traddr);
  CHECK (nvmeof_opts_validate (o) == 0, "'-' MAC: %s", nvmeof_get_error ());
  set_ok (o, "ethertype", "0x88b6");
  CHECK (o->ethertype == 0x88B6, "ethertype hex 0x%x", o->ethertype);
  set_ok (o, "ethertype", "34997");
  CHECK (o->ethertype == 0x88B5, "ethertype decimal 0x%x", o->ethertype);

  printf ("eth: bad values refused by name\n");
  set_bad (o, "host-iface", "",
           "host-iface: expected an interface name (1 to 15 bytes, no '/', "
           "':' or white space), got ''",
           true);
  set_bad (o, "host-iface", "0123456789abcdef", "host-iface: expected", false);
  set_bad (o, "host-iface", "a/b", "host-iface: expected", false);
  set_bad (o, "host-iface", "eth0:1", "host-iface: expected", false);
  set_bad (o, "host-iface", "..", "host-iface: expected", false);
  set_bad (o, "traddr", "ff:ff:ff:ff:ff:ff",
           "traddr: ff:ff:ff:ff:ff:ff is not a station's MAC address", false);
  set_bad (o, "traddr", "03:00:00:00:00:01", "multicast", false);
  set_bad (o, "traddr", "02:00:00:00:00", "traddr: expected", false);
  set_bad (o, "ethertype", "0x05ff",
           "ethertype: expected an EtherType from 0x0600 to 0xFFFF, as "
           "0x88B5 or in decimal, got '0x05ff'",
           true);
  set_bad (o, "ethertype", "0x10000", "ethertype: expected", false);
  set_bad (o, "ethertype", "-1", "ethertype: expected", false);
  set_bad (o, "ethertype", "0x", "ethertype: expected", false);
  set_bad (o, "ethertype", "88b5", "ethertype: expected", false);
  set_bad (o, "ethertype", "0x0800",
           "ethertype: 0x0800 is the EtherType of IPv4: choose another", false);
  set_bad (o, "ethertype", "0x86dd", "IPv6", false);
  set_bad (o, "ethertype", "0x8100", "VLAN", false);
  CHECK (o->ethertype == 0x88B5, "changed by failures");

  printf ("eth: validation: interface, MAC, no TCP-only options\n");
  o->host_iface[0] = '\0';
  CHECK (nvmeof_opts_validate (o) == -1 &&
           strstr (nvmeof_get_error (), "host-iface: missing") != NULL,
         "no interface: '%s'", nvmeof_get_error ());
  set_ok (o, "host-iface", "veth0");
  set_ok (o, "traddr", "192.0.2.1");
  CHECK (nvmeof_opts_validate (o) == -1 &&
           strstr (nvmeof_get_error (),
                   "traddr: expected the controller's MAC address") != NULL,
         "IP with eth: '%s'", nvmeof_get_error ());
  o->traddr[0] = '\0';
  CHECK (nvmeof_opts_validate (o) == -1 &&
           strstr (nvmeof_get_error (), "nvmeof discover nvme+eth://veth0") !=
             NULL,
         "no MAC: '%s'", nvmeof_get_error ());
  set_ok (o, "traddr", "02:00:00:00:00:01");
  set_ok (o, "trsvcid", "4420");
  CHECK (nvmeof_opts_validate (o) == -1 &&
           strstr (nvmeof_get_error (), "trsvcid: NVMe over Ethernet has no "
                                        "ports") != NULL,
         "port: '%s'", nvmeof_get_error ());
  o->trsvcid[0] = '\0';
  set_ok (o, "hdr-digest", "on");
  CHECK (nvmeof_opts_validate (o) == -1 &&
           strstr (nvmeof_get_error (), "hdr-digest: NVMe/Ethernet frame "
                                        "headers always") != NULL,
         "digest: '%s'", nvmeof_get_error ());
  set_ok (o, "hdr-digest", "off");
  /* data-digest=on asks for the frame CRC over the data too. */
  set_ok (o, "data-digest", "on");
  CHECK (nvmeof_opts_validate (o) == 0, "data-digest with eth: %s",
         nvmeof_get_error ());
  set_ok (o, "data-digest", "off");
  set_ok (o, "tls", "on");
  CHECK (nvmeof_opts_validate (o) == -1 &&
           strstr (nvmeof_get_error (), "tls: TLS runs over TCP only") != NULL,
         "tls: '%s'", nvmeof_get_error ());
  set_ok (o, "tls", "off");
  CHECK (nvmeof_opts_validate (o) == 0, "valid again: %s", nvmeof_get_error ());

  printf ("eth: the keys are refused with tcp, and a MAC as a TCP address\n");
  set_ok (o, "transport", "tcp");
  CHECK (nvmeof_opts_validate (o) == -1 &&
           strstr (nvmeof_get_error (), "host-iface: only for "
                                        "transport=eth") != NULL,
         "tcp with host-iface: '%s'", nvmeof_get_error ());
  o->host_iface[0] = '\0';
  CHECK (nvmeof_opts_validate (o) == -1 &&
           strstr (nvmeof_get_error (), "ethertype: only for "
                                        "transport=eth") != NULL,
         "tcp with ethertype: '%s'", nvmeof_get_error ());
  o->ethertype = 0;
  CHECK (nvmeof_opts_validate (o) == -1 &&
           strstr (nvmeof_get_error (), "traddr: 02:00:00:00:00:01 is a MAC "
                                        "address: NVMe over Ethernet needs "
                                        "transport=eth") != NULL,
         "tcp with a MAC: '%s'", nvmeof_get_error ());

  printf ("eth: url= sets interface, MAC, NQN and NSID; keys override\n");
  set_ok (o, "url", "nvme+eth://veth1/02:00:00:00:00:02/" SPDK "/2");
  CHECK (o->transport == NVMEOF_TRANSPORT_ETH &&
           strcmp (o->host_iface, "veth1") == 0 &&
           strcmp (o->traddr, "02:00:00:00:00:02") == 0 && o->nsid == 2,
         "url fields");
  set_ok (o, "host-iface", "veth2");
  CHECK (strcmp (o->host_iface, "veth2") == 0, "override");
  CHECK (nvmeof_opts_validate (o) == 0, "valid: %s", nvmeof_get_error ());
  nvmeof_opts_free (o);
}

int
main (void)
{
  char cmd[300];

  test_defaults ();
  test_keys ();
  test_booleans ();
  test_ranges ();
  test_url_override ();
  test_table ();
  test_secrets ();
  test_tls ();
  test_concat ();
  test_eth ();
  snprintf (cmd, sizeof cmd, "rm -rf '%s'", dir);
  if (system (cmd) != 0)
    fprintf (stderr, "test-opts: could not remove %s\n", dir);
  if (failures) {
    fprintf (stderr, "test-opts: %d failures\n", failures);
    return 1;
  }
  printf ("test-opts: all checks passed\n");
  return 0;
}
