/* SPDX-License-Identifier: BSD-3-Clause */
/* The option parser: defaults, every key (dash and underscore spellings),
 * booleans, ranges, one-line messages naming the key, url= followed by
 * keys that override it, and validation. */
#include <config.h>

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nvmeof.h"
#include "opts.h"
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
    "disable-sqflow",
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
  set_bad (o, "trsvcid", "0",
           "trsvcid: expected an integer from 1 to 65535, got '0'", true);
  set_bad (o, "trsvcid", "65536", "from 1 to 65535", false);
  set_bad (o, "trsvcid", "http", "got 'http'", false);
  set_bad (o, "nsid", "0",
           "nsid: expected an integer from 1 to 4294967294, got '0'", true);
  set_bad (o, "nsid", "4294967295", "to 4294967294", false);
  set_bad (o, "nsid", "18446744073709551617", "to 4294967294", false);

  printf ("ranges: strings and identities\n");
  set_bad (o, "transport", "eth", "transport: 'eth' is not supported yet",
           true);
  set_bad (o, "transport", "rdma", "transport: expected 'tcp', got 'rdma'",
           true);
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
  printf ("url: a later url= replaces the endpoint (port back to default)\n");
  set_ok (o, "url", "nvme+tcp://h3/" SPDK);
  CHECK (strcmp (o->traddr, "h3") == 0 && o->trsvcid[0] == 0 && o->nsid == 0 &&
           strcmp (opts_port (o), "4420") == 0,
         "url again");
  printf ("url: a bad url= leaves the options as they were\n");
  set_bad (o, "url", "nvme+tcp://h4:0/" SPDK, "url: port must be", false);
  CHECK (strcmp (o->traddr, "h3") == 0, "bad url changed traddr");
  CHECK (nvmeof_opts_validate (o) == 0, "validate: %s", nvmeof_get_error ());
  nvmeof_opts_free (o);
}

int
main (void)
{
  test_defaults ();
  test_keys ();
  test_booleans ();
  test_ranges ();
  test_url_override ();
  if (failures) {
    fprintf (stderr, "test-opts: %d failures\n", failures);
    return 1;
  }
  printf ("test-opts: all checks passed\n");
  return 0;
}
