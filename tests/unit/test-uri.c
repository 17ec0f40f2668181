/* SPDX-License-Identifier: BSD-3-Clause */
/* uri_parse: valid NVMe-oF URIs fill the options; every kind of bad input
 * fails with a message naming the problem and its position, and leaves the
 * options untouched.  nvme+eth:// URLs (interface, MAC, NQN, NSID) too. */
#include <config.h>

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nvmeof.h"
#include "opts.h"
#include "uri.h"
#include "check.h"

#define NQN1 "nqn.2014-08.com.example:nvme:sub1"
#define SPDK "nqn.2016-06.io.spdk:cnode1"

struct good {
  const char *uri;
  const char *traddr, *trsvcid, *port, *subnqn;
  uint32_t nsid;
};

static const struct good good[] = {
  { "nvme+tcp://192.168.1.1:4420/" NQN1, "192.168.1.1", "4420", "4420", NQN1,
    0 },
  { "nvme+tcp://target.example.com/" SPDK "/1", "target.example.com", "",
    "4420", SPDK, 1 },
  { "nvme+tcp://[::1]:4421/" SPDK "/2/", "::1", "4421", "4421", SPDK, 2 },
  { "nvme+tcp://[fe80::1%25eth0]/" SPDK, "fe80::1%eth0", "", "4420", SPDK, 0 },
  { "nvme+tcp://[2001:db8::a:b]:9/" SPDK "/", "2001:db8::a:b", "9", "9", SPDK,
    0 },
  { "nvme+tcp://h/nqn.2014-08.com.example%3Anvme%3asub%2D1", "h", "", "4420",
    "nqn.2014-08.com.example:nvme:sub-1", 0 },
  { "nvme+tcp://192.168.1.1:4420/", "192.168.1.1", "4420", "4420",
    NVMEOF_DISCOVERY_NQN, 0 },
  { "nvme+tcp://10.0.0.1", "10.0.0.1", "", "8009", NVMEOF_DISCOVERY_NQN, 0 },
  { "nvme+tcp://10.0.0.1/", "10.0.0.1", "", "8009", NVMEOF_DISCOVERY_NQN, 0 },
  { "nvme+tcp://10.0.0.1/" NVMEOF_DISCOVERY_NQN, "10.0.0.1", "", "8009",
    NVMEOF_DISCOVERY_NQN, 0 },
  { "NVMe+TCP://Host_1.example:04420/" SPDK "/4294967294", "Host_1.example",
    "4420", "4420", SPDK, 4294967294u },
  { "nvme+tcp://h:65535/nqn.2014-08.org.nvmexpress:uuid:"
    "F81D4FAE-7DEC-11D0-A765-00A0C91E6BF6/7",
    "h", "65535", "65535",
    "nqn.2014-08.org.nvmexpress:uuid:F81D4FAE-7DEC-11D0-A765-00A0C91E6BF6", 7 },
  { "nvme+tcp://h:1/nqn.2014-08.com.example:caf%C3%A9", "h", "1", "1",
    "nqn.2014-08.com.example:caf\xc3\xa9", 0 },
  /* Targets accept any subsystem name, so do we. */
  { "nvme+tcp://h/testnqn/1", "h", "", "4420", "testnqn", 1 },
};

struct bad {
  const char *uri;
  const char *needle; /* must appear in the message */
  int position;       /* "at character N", 0 = don't check */
};

static const struct bad bad[] = {
  { "", "empty URL", 1 },
  { "http://h/" SPDK, "unknown scheme 'http'", 1 },
  { "h:4420/" SPDK, "unknown scheme", 1 },
  { "nvme+tcp", "expected nvme+tcp://", 1 },
  { "nvme://h/" SPDK, "use nvme+tcp:// or nvme+eth://", 1 },
  { "nvme+eth:///02:00:00:00:00:01/" SPDK, "missing interface", 12 },
  { "nvme+eth://veth0:1/02:00:00:00:00:01/" SPDK,
    "nvme+eth:// URLs have no port", 17 },
  { "nvme+eth://u@veth0/02:00:00:00:00:01/" SPDK, "user information", 13 },
  { "nvme+eth://averyveryverylongname/02:00:00:00:00:01/" SPDK,
    "interface name is too long (at most 15 bytes)", 12 },
  { "nvme+eth://%2E/02:00:00:00:00:01/" SPDK, "bad interface name", 12 },
  { "nvme+eth://a%2Fb/02:00:00:00:00:01/" SPDK, "bad interface name", 12 },
  { "nvme+eth://veth0/" SPDK, "expected the controller's MAC address", 18 },
  { "nvme+eth://veth0/02:00:00:00:00/" SPDK, "MAC address", 18 },
  { "nvme+eth://veth0/02:00:00:00:00:01:02/" SPDK, "MAC address", 18 },
  { "nvme+eth://veth0/02:00-00:00:00:01/" SPDK, "MAC address", 18 },
  { "nvme+eth://veth0/0g:00:00:00:00:01/" SPDK, "MAC address", 18 },
  { "nvme+eth://veth0/ff:ff:ff:ff:ff:ff/" SPDK,
    "ff:ff:ff:ff:ff:ff is not a station's MAC address", 18 },
  { "nvme+eth://veth0/01:00:5e:00:00:01/" SPDK, "multicast", 18 },
  { "nvme+eth://veth0/00:00:00:00:00:00/" SPDK, "zero", 18 },
  { "nvme+eth://veth0//" SPDK, "empty MAC address", 18 },
  { "nvme+eth://veth0/02:00:00:00:00:01//1", "empty subsystem NQN", 36 },
  { "nvme+eth://veth0/02:00:00:00:00:01/" SPDK "/0", "namespace ID must be",
    63 },
  { "nvme+eth://veth0/02:00:00:00:00:01/" SPDK "/1/2",
    "unexpected path after the namespace ID", 65 },
  { "nvme+rdma://h/" SPDK, "transport 'rdma' is not supported", 6 },
  { "nvme+tcp:h/" SPDK, "expected '//' after 'nvme+tcp:'", 10 },
  { "nvme+tcp:/h/" SPDK, "expected '//'", 10 },
  { "nvme+tcp://h:0/" SPDK, "port must be a decimal number from 1 to 65535",
    14 },
  { "nvme+tcp://h:65536/" SPDK, "port must be", 14 },
  { "nvme+tcp://h:99999999999999999999999/" SPDK, "port must be", 14 },
  { "nvme+tcp://h:abc/" SPDK, "port must be", 14 },
  { "nvme+tcp://h:-1/" SPDK, "port must be", 14 },
  { "nvme+tcp://h:+1/" SPDK, "port must be", 14 },
  { "nvme+tcp://h:/" SPDK, "missing port", 14 },
  { "nvme+tcp://[::1/" SPDK, "unclosed '['", 12 },
  { "nvme+tcp://[::1", "unclosed '['", 12 },
  { "nvme+tcp://[::g]/" SPDK, "bad IPv6 address '::g'", 13 },
  { "nvme+tcp://[1.2.3.4]/" SPDK, "bad IPv6 address", 13 },
  { "nvme+tcp://[]/" SPDK, "bad IPv6 address", 13 },
  { "nvme+tcp://[fe80::1%eth0]/" SPDK, "zone ID must be written as %25", 20 },
  { "nvme+tcp://[fe80::1%25]/" SPDK, "zone ID", 20 },
  { "nvme+tcp://[fe80::1%25e%2Fth]/" SPDK, "bad character in IPv6 zone", 23 },
  { "nvme+tcp://[::1]x/" SPDK, "expected ':port' or '/'", 17 },
  { "nvme+tcp://[::1]:/" SPDK, "missing port", 18 },
  { "nvme+tcp://::1/" SPDK, "must be written in brackets", 12 },
  { "nvme+tcp://fe80::1:4420/" SPDK, "brackets", 12 },
  { "nvme+tcp://999.1.1.1/" SPDK, "bad IPv4 address '999.1.1.1'", 12 },
  { "nvme+tcp://1.2.3/" SPDK, "bad IPv4 address", 12 },
  { "nvme+tcp://h!x/" SPDK, "bad character '!' in host name", 13 },
  { "nvme+tcp://h%41/" SPDK, "percent escapes are not supported in host", 13 },
  { "nvme+tcp:///" SPDK, "missing host", 12 },
  { "nvme+tcp://:4420/" SPDK, "missing host", 12 },
  { "nvme+tcp://h//", "empty subsystem NQN", 14 },
  { "nvme+tcp://h//1", "empty subsystem NQN", 14 },
  { "nvme+tcp://h/nqn.2014-08.com.example%3", "bad percent escape", 37 },
  { "nvme+tcp://h/nqn.2014-08.com.example%zzx", "bad percent escape", 37 },
  { "nvme+tcp://h/nqn.2014-08.com.example%4", "bad percent escape", 37 },
  { "nvme+tcp://h/nqn.2014-08.com.example:a%00b", "%00 (a NUL byte)", 39 },
  { "nvme+tcp://h/nqn.2014-08.com.example:a%20b", "space or control", 0 },
  { "nvme+tcp://h/nqn.2014-08.com.example:a%ffb", "not valid UTF-8", 14 },
  { "nvme+tcp://h/" SPDK "/0",
    "namespace ID must be a decimal number "
    "from 1 to 4294967294",
    41 },
  { "nvme+tcp://h/" SPDK "/4294967295", "namespace ID must be", 41 },
  { "nvme+tcp://h/" SPDK "/99999999999999999999999", "namespace ID", 41 },
  { "nvme+tcp://h/" SPDK "/12x", "namespace ID must be", 43 },
  { "nvme+tcp://h/" SPDK "/-1", "namespace ID must be", 41 },
  { "nvme+tcp://h/" SPDK "//", "missing namespace ID", 41 },
  { "nvme+tcp://h/" SPDK "/1/2", "unexpected path after the namespace ID", 43 },
  { "nvme+tcp://user@h/" SPDK, "user information (user@) is not supported",
    16 },
  { "nvme+tcp://h/" SPDK "?transport=tcp", "query strings are not supported",
    40 },
  { "nvme+tcp://h/" SPDK "#frag", "fragments are not supported", 40 },
  { "nvme+tcp://h/ " SPDK, "space or control character", 14 },
  { "nvme+tcp://h/\n" SPDK, "space or control character", 14 },
};

/* nvme+eth://IFACE[/MAC[/NQN[/NSID]]][/] */
struct good_eth {
  const char *uri;
  const char *iface, *traddr, *subnqn;
  uint32_t nsid;
  bool validates; /* names a controller (has a MAC) */
};

static const struct good_eth good_eth[] = {
  { "nvme+eth://veth0/02:00:00:00:00:01/" SPDK, "veth0", "02:00:00:00:00:01",
    SPDK, 0, true },
  { "nvme+eth://veth0/02:00:00:00:00:01/" SPDK "/3/", "veth0",
    "02:00:00:00:00:01", SPDK, 3, true },
  { "NVMe+ETH://eth1/AA-BB-CC-DD-EE-F0/" SPDK "/1", "eth1", "aa:bb:cc:dd:ee:f0",
    SPDK, 1, true },
  { "nvme+eth://eth1/aa%3Abb%3Acc%3Add%3Aee%3Af0/" SPDK, "eth1",
    "aa:bb:cc:dd:ee:f0", SPDK, 0, true },
  { "nvme+eth://en%40x/02:00:00:00:00:01/nqn.2014-08.com.example%3Ad", "en@x",
    "02:00:00:00:00:01", "nqn.2014-08.com.example:d", 0, true },
  { "nvme+eth://veth0/02:00:00:00:00:01", "veth0", "02:00:00:00:00:01",
    NVMEOF_DISCOVERY_NQN, 0, true },
  { "nvme+eth://veth0/02:00:00:00:00:01/", "veth0", "02:00:00:00:00:01",
    NVMEOF_DISCOVERY_NQN, 0, true },
  /* The link alone: for nvmeof discover, not for connecting. */
  { "nvme+eth://veth0", "veth0", "", NVMEOF_DISCOVERY_NQN, 0, false },
  { "nvme+eth://veth0/", "veth0", "", NVMEOF_DISCOVERY_NQN, 0, false },
};

static const char *
last_error (void)
{
  return nvmeof_get_error ();
}

static void
test_good (void)
{
  size_t i;

  for (i = 0; i < sizeof good / sizeof good[0]; i++) {
    const struct good *g = &good[i];
    struct nvmeof_opts *o = nvmeof_opts_new ();

    printf ("valid: %s\n", g->uri);
    if (o == NULL) {
      CHECK (false, "nvmeof_opts_new");
      return;
    }
    /* Leftovers from an earlier URL must not survive. */
    snprintf (o->trsvcid, sizeof o->trsvcid, "1234");
    o->nsid = 99;
    if (uri_parse (g->uri, o) == -1) {
      CHECK (false, "%s: %s", g->uri, last_error ());
      nvmeof_opts_free (o);
      continue;
    }
    CHECK (o->transport == NVMEOF_TRANSPORT_TCP, "%s: transport", g->uri);
    CHECK (strcmp (o->traddr, g->traddr) == 0, "%s: traddr '%s' != '%s'",
           g->uri, o->traddr, g->traddr);
    CHECK (strcmp (o->trsvcid, g->trsvcid) == 0, "%s: trsvcid '%s' != '%s'",
           g->uri, o->trsvcid, g->trsvcid);
    CHECK (strcmp (opts_port (o), g->port) == 0, "%s: port '%s' != '%s'",
           g->uri, opts_port (o), g->port);
    CHECK (strcmp (o->subnqn, g->subnqn) == 0, "%s: subnqn '%s' != '%s'",
           g->uri, o->subnqn, g->subnqn);
    CHECK (o->nsid == g->nsid, "%s: nsid %u != %u", g->uri, o->nsid, g->nsid);
    CHECK (nvmeof_opts_get_nsid (o) == g->nsid, "%s: get_nsid", g->uri);
    CHECK (nvmeof_opts_validate (o) == 0, "%s: validate: %s", g->uri,
           last_error ());
    nvmeof_opts_free (o);
  }
}

static void
test_bad (void)
{
  size_t i;

  for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    const struct bad *b = &bad[i];
    struct nvmeof_opts *o = nvmeof_opts_new ();
    const char *msg;
    char at[64];

    printf ("invalid: %s -> %s\n", b->uri[0] ? b->uri : "(empty)", b->needle);
    if (o == NULL) {
      CHECK (false, "nvmeof_opts_new");
      return;
    }
    snprintf (o->traddr, sizeof o->traddr, "untouched");
    if (uri_parse (b->uri, o) != -1) {
      CHECK (false, "%s: accepted", b->uri);
      nvmeof_opts_free (o);
      continue;
    }
    msg = last_error ();
    CHECK (nvmeof_get_errno () == EINVAL, "%s: errno %d", b->uri,
           nvmeof_get_errno ());
    CHECK (strncmp (msg, "url: ", 5) == 0, "%s: message '%s' lacks 'url: '",
           b->uri, msg);
    CHECK (strstr (msg, b->needle) != NULL, "%s: message '%s' lacks '%s'",
           b->uri, msg, b->needle);
    if (b->position) {
      snprintf (at, sizeof at, " at character %d: ", b->position);
      CHECK (strstr (msg, at) != NULL, "%s: message '%s' lacks '%s'", b->uri,
             msg, at);
    }
    CHECK (strchr (msg, '\n') == NULL, "%s: message is not one line", b->uri);
    CHECK (strcmp (o->traddr, "untouched") == 0,
           "%s: options changed on failure", b->uri);
    nvmeof_opts_free (o);
  }
}

static void
test_eth (void)
{
  size_t i;

  for (i = 0; i < sizeof good_eth / sizeof good_eth[0]; i++) {
    const struct good_eth *g = &good_eth[i];
    struct nvmeof_opts *o = nvmeof_opts_new ();

    printf ("valid: %s\n", g->uri);
    if (o == NULL) {
      CHECK (false, "nvmeof_opts_new");
      return;
    }
    o->nsid = 99;
    snprintf (o->trsvcid, sizeof o->trsvcid, "1234");
    if (uri_parse (g->uri, o) == -1) {
      CHECK (false, "%s: %s", g->uri, last_error ());
      nvmeof_opts_free (o);
      continue;
    }
    CHECK (o->transport == NVMEOF_TRANSPORT_ETH, "%s: transport", g->uri);
    CHECK (strcmp (o->host_iface, g->iface) == 0, "%s: iface '%s' != '%s'",
           g->uri, o->host_iface, g->iface);
    CHECK (strcmp (o->traddr, g->traddr) == 0, "%s: traddr '%s' != '%s'",
           g->uri, o->traddr, g->traddr);
    CHECK (o->trsvcid[0] == '\0', "%s: trsvcid '%s'", g->uri, o->trsvcid);
    CHECK (strcmp (o->subnqn, g->subnqn) == 0, "%s: subnqn '%s' != '%s'",
           g->uri, o->subnqn, g->subnqn);
    CHECK (o->nsid == g->nsid, "%s: nsid %u != %u", g->uri, o->nsid, g->nsid);
    if (g->validates)
      CHECK (nvmeof_opts_validate (o) == 0, "%s: validate: %s", g->uri,
             last_error ());
    else {
      CHECK (nvmeof_opts_validate (o) == -1, "%s: validates", g->uri);
      CHECK (strstr (last_error (), "traddr: missing") != NULL &&
               strstr (last_error (), "nvmeof discover nvme+eth://veth0"),
             "%s: '%s'", g->uri, last_error ());
    }
    nvmeof_opts_free (o);
  }

  /* A TCP URL after an Ethernet one leaves nothing of it behind. */
  {
    struct nvmeof_opts *o = nvmeof_opts_new ();

    printf ("eth then tcp: the interface goes\n");
    if (o == NULL)
      return;
    CHECK (uri_parse ("nvme+eth://veth0/02:00:00:00:00:01/" SPDK, o) == 0,
           "eth: %s", last_error ());
    CHECK (uri_parse ("nvme+tcp://h/" SPDK, o) == 0, "tcp: %s", last_error ());
    CHECK (o->transport == NVMEOF_TRANSPORT_TCP && o->host_iface[0] == '\0' &&
             strcmp (o->traddr, "h") == 0,
           "tcp after eth");
    CHECK (nvmeof_opts_validate (o) == 0, "validate: %s", last_error ());
    nvmeof_opts_free (o);
  }
}

/* NQN length limits through the URI, raw and percent-encoded. */
static void
test_lengths (void)
{
  char uri[1024], nqn[300];
  struct nvmeof_opts *o = nvmeof_opts_new ();
  size_t n, i;

  if (o == NULL) {
    CHECK (false, "nvmeof_opts_new");
    return;
  }
  for (n = 222; n <= 224; n++) {
    /* "nqn.2014-08.com.example:" is 24 bytes, then 'a's. */
    snprintf (nqn, sizeof nqn, "nqn.2014-08.com.example:");
    for (i = strlen (nqn); i < n; i++)
      nqn[i] = 'a';
    nqn[n] = '\0';
    snprintf (uri, sizeof uri, "nvme+tcp://h/%s", nqn);
    printf ("length: %zu-byte NQN %s\n", n, n <= 223 ? "accepted" : "refused");
    if (n <= 223) {
      CHECK (uri_parse (uri, o) == 0, "%zu bytes: %s", n, last_error ());
      CHECK (strcmp (o->subnqn, nqn) == 0, "%zu bytes: copied", n);
    }
    else {
      CHECK (uri_parse (uri, o) == -1, "%zu bytes accepted", n);
      CHECK (strstr (last_error (), "too long") != NULL, "%zu: '%s'", n,
             last_error ());
    }
  }

  /* 223 decoded bytes written with escapes: 'a' as %61. */
  snprintf (uri, sizeof uri, "nvme+tcp://h/nqn.2014-08.com.example:");
  for (i = 24; i < 223; i++)
    strncat (uri, "%61", sizeof uri - strlen (uri) - 1);
  printf ("length: 223 bytes written with percent escapes accepted\n");
  CHECK (uri_parse (uri, o) == 0, "escaped 223: %s", last_error ());
  CHECK (strlen (o->subnqn) == 223, "escaped 223: length %zu",
         strlen (o->subnqn));
  strncat (uri, "%61", sizeof uri - strlen (uri) - 1);
  printf ("length: 224 bytes written with percent escapes refused\n");
  CHECK (uri_parse (uri, o) == -1, "escaped 224 accepted");
  CHECK (strstr (last_error (), "too long") != NULL, "escaped 224: '%s'",
         last_error ());

  /* A very long URI is shortened in the message. */
  memset (uri, 'x', sizeof uri - 1);
  uri[sizeof uri - 1] = '\0';
  printf ("length: 1023-byte garbage URI gives a bounded message\n");
  CHECK (uri_parse (uri, o) == -1, "garbage accepted");
  CHECK (strlen (last_error ()) < 500 && strstr (last_error (), "...") != NULL,
         "long message: '%s'", last_error ());

  /* A 300-byte host name. */
  snprintf (uri, sizeof uri, "nvme+tcp://");
  for (i = 0; i < 300; i++)
    strncat (uri, "h", sizeof uri - strlen (uri) - 1);
  strncat (uri, "/" SPDK, sizeof uri - strlen (uri) - 1);
  printf ("length: 300-byte host name refused\n");
  CHECK (uri_parse (uri, o) == -1, "long host accepted");
  CHECK (strstr (last_error (), "host name is too long") != NULL, "'%s'",
         last_error ());
  nvmeof_opts_free (o);
}

/* uri_parse (NULL) and url= through the option parser. */
static void
test_misc (void)
{
  struct nvmeof_opts *o = nvmeof_opts_new ();

  if (o == NULL) {
    CHECK (false, "nvmeof_opts_new");
    return;
  }
  printf ("misc: NULL URI refused\n");
  CHECK (uri_parse (NULL, o) == -1, "NULL accepted");
  printf ("misc: url= via nvmeof_opts_set\n");
  CHECK (nvmeof_opts_set (o, "url", "nvme+tcp://[::1]:4420/" SPDK "/3") == 0,
         "url=: %s", last_error ());
  CHECK (strcmp (o->traddr, "::1") == 0 && o->nsid == 3, "url= fields");
  nvmeof_opts_free (o);
}

int
main (void)
{
  test_good ();
  test_bad ();
  test_eth ();
  test_lengths ();
  test_misc ();
  if (failures) {
    fprintf (stderr, "test-uri: %d failures\n", failures);
    return 1;
  }
  printf ("test-uri: all checks passed\n");
  return 0;
}
