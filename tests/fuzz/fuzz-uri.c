/* SPDX-License-Identifier: BSD-3-Clause */
/* Fuzz target for the URI parser, the option parser and the NQN/UUID
 * validators.  Every input must be accepted or refused with one bounded
 * line (EINVAL); anything accepted must satisfy the invariants below, and
 * an accepted URI must survive a round trip through its own fields.
 *
 * libFuzzer: scripts/fuzz.sh (make fuzz) builds and runs it.
 * Built-in driver (no libFuzzer, the unit test "unit/fuzz-uri"): see
 *   driver.c.
 */
#include <config.h>

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "nvmeof.h"
#include "hostid.h"
#include "opts.h"
#include "uri.h"
#include "driver.h"

/* A refusal: EINVAL and one non-empty line of bounded length. */
static void
check_refusal (const char *what)
{
  const char *msg = nvmeof_get_error ();
  size_t len = strlen (msg);

  if (nvmeof_get_errno () != EINVAL)
    FAILED ("%s: errno %d (%s)", what, nvmeof_get_errno (), msg);
  if (len == 0 || len >= 1024)
    FAILED ("%s: message length %zu", what, len);
  if (strchr (msg, '\n') || strchr (msg, '\r'))
    FAILED ("%s: message is not one line: %s", what, msg);
}

static bool
port_ok (const char *p)
{
  char *end;
  unsigned long v;

  if (p[0] == '\0')
    return true;
  if (!isdigit ((unsigned char) p[0]) || p[0] == '0')
    return false;
  v = strtoul (p, &end, 10);
  return *end == '\0' && v >= 1 && v <= 65535;
}

static void
check_accepted (const struct nvmeof_opts *o, const char *what)
{
  if (memchr (o->traddr, '\0', sizeof o->traddr) == NULL ||
      memchr (o->trsvcid, '\0', sizeof o->trsvcid) == NULL ||
      memchr (o->subnqn, '\0', sizeof o->subnqn) == NULL)
    FAILED ("%s: unterminated field", what);
  if (!port_ok (o->trsvcid))
    FAILED ("%s: bad trsvcid '%s'", what, o->trsvcid);
  if (o->nsid == 0xFFFFFFFF)
    FAILED ("%s: broadcast nsid", what);
  if (o->subnqn[0] && subnqn_validate ("fuzz", o->subnqn) == -1)
    FAILED ("%s: accepted a bad NQN '%s'", what, o->subnqn);
  if (o->queue_size && (o->queue_size < 16 || o->queue_size > 1024))
    FAILED ("%s: queue size %u", what, o->queue_size);
  if (o->nr_io_queues > 256)
    FAILED ("%s: nr_io_queues %u", what, o->nr_io_queues);
  if (o->ctrl_loss_tmo_s < -1)
    FAILED ("%s: ctrl_loss_tmo %d", what, o->ctrl_loss_tmo_s);
  (void) opts_port (o);
}

/* Write the fields of a parsed URI back as a URI. */
static void
unparse (const struct nvmeof_opts *o, char *buf, size_t len)
{
  size_t n = 0, i;
  const char *zone;

#define PUT(...) \
  (n += (size_t) snprintf (buf + n, n < len ? len - n : 0, __VA_ARGS__))
  if (o->transport == NVMEOF_TRANSPORT_ETH) {
    /* nvme+eth://IFACE[/MAC[/NQN[/NSID]]] */
    PUT ("nvme+eth://");
    for (i = 0; o->host_iface[i]; i++) {
      unsigned char c = (unsigned char) o->host_iface[i];

      if (isalnum (c) || strchr (".-_~", c))
        PUT ("%c", c);
      else
        PUT ("%%%02X", c);
    }
    if (o->traddr[0] == '\0')
      return; /* the link: the discovery NQN is implied */
    PUT ("/%s/", o->traddr);
  }
  else
    PUT ("nvme+tcp://");
  if (o->transport == NVMEOF_TRANSPORT_ETH)
    ;
  else if (strchr (o->traddr, ':')) {
    zone = strchr (o->traddr, '%');
    if (zone)
      PUT ("[%.*s%%25%s]", (int) (zone - o->traddr), o->traddr, zone + 1);
    else
      PUT ("[%s]", o->traddr);
  }
  else
    PUT ("%s", o->traddr);
  if (o->transport != NVMEOF_TRANSPORT_ETH) {
    if (o->trsvcid[0])
      PUT (":%s", o->trsvcid);
    PUT ("/");
  }
  for (i = 0; o->subnqn[i]; i++) {
    unsigned char c = (unsigned char) o->subnqn[i];

    if (isalnum (c) || strchr (".-_~:", c))
      PUT ("%c", c);
    else
      PUT ("%%%02X", c);
  }
  if (o->nsid)
    PUT ("/%u", o->nsid);
#undef PUT
}

static void
fuzz_uri (const char *s)
{
  struct nvmeof_opts *o = nvmeof_opts_new (), *o2;
  char again[2048];

  if (o == NULL)
    return;
  if (uri_parse (s, o) == -1)
    check_refusal ("uri_parse");
  else {
    check_accepted (o, "uri_parse");
    /* NVMe/Ethernet: the interface always; the MAC may be left out (the
     * link, for discovery). */
    if (o->transport == NVMEOF_TRANSPORT_ETH ?
          o->host_iface[0] == '\0' || o->subnqn[0] == '\0' :
          o->subnqn[0] == '\0' || o->traddr[0] == '\0')
      FAILED ("uri_parse accepted '%s' without host or NQN", s);
    /* Round trip. */
    unparse (o, again, sizeof again);
    o2 = nvmeof_opts_new ();
    if (o2) {
      if (uri_parse (again, o2) == -1)
        FAILED ("round trip of '%s' as '%s' refused: %s", s, again,
                nvmeof_get_error ());
      if (strcmp (o->traddr, o2->traddr) || strcmp (o->trsvcid, o2->trsvcid) ||
          strcmp (o->subnqn, o2->subnqn) || o->nsid != o2->nsid ||
          o->transport != o2->transport ||
          strcmp (o->host_iface, o2->host_iface))
        FAILED ("round trip of '%s' as '%s' differs", s, again);
      nvmeof_opts_free (o2);
    }
  }
  nvmeof_opts_free (o);
}

/* Lines of key=value through nvmeof_opts_set. */
static void
fuzz_opts (char *s)
{
  struct nvmeof_opts *o = nvmeof_opts_new ();
  char *line, *next, *eq;

  if (o == NULL)
    return;
  for (line = s; line; line = next) {
    next = strchr (line, '\n');
    if (next)
      *next++ = '\0';
    eq = strchr (line, '=');
    if (eq)
      *eq = '\0';
    if (nvmeof_opts_set (o, line, eq ? eq + 1 : NULL) == -1)
      check_refusal ("nvmeof_opts_set");
    else if (!nvmeof_opts_is_key (line))
      FAILED ("set accepted '%s' but is_key refuses it", line);
    check_accepted (o, "nvmeof_opts_set");
  }
  if (nvmeof_opts_validate (o) == -1)
    check_refusal ("nvmeof_opts_validate");
  nvmeof_opts_free (o);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  char *s;
  char out[37];

  if (size > 4096)
    return 0;
  s = malloc (size + 1);
  if (s == NULL)
    return 0;
  memcpy (s, data, size);
  s[size] = '\0'; /* inputs with NUL bytes end early */

  fuzz_uri (s);
  if (nqn_validate ("nqn", s) == -1)
    check_refusal ("nqn_validate");
  if (uuid_validate ("hostid", s, out) == -1)
    check_refusal ("uuid_validate");
  else if (strlen (out) != 36)
    FAILED ("uuid_validate output '%s'", out);
  fuzz_opts (s); /* modifies s: last */
  free (s);
  return 0;
}

#ifndef FUZZ_LIBFUZZER
/* ---- Seeds for the built-in driver (driver.c) -------------------------- */

static const char *const seeds[] = {
  "nvme+tcp://192.168.1.1:4420/nqn.2014-08.com.example:nvme:sub1",
  "nvme+tcp://target.example.com/nqn.2016-06.io.spdk:cnode1/1",
  "nvme+tcp://[::1]:4421/nqn.2016-06.io.spdk:cnode1/2/",
  "nvme+tcp://[fe80::1%25eth0]/nqn.2016-06.io.spdk:cnode1",
  "nvme+tcp://h/nqn.2014-08.com.example%3Anvme%3asub%2D1",
  "nvme+tcp://10.0.0.1/",
  "nvme+tcp://h:65535/nqn.2014-08.org.nvmexpress:uuid:"
  "f81d4fae-7dec-11d0-a765-00a0c91e6bf6/7",
  "nvme+tcp://h/nqn.2014-08.com.example:caf%C3%A9",
  "url=nvme+tcp://127.0.0.1:4420/nqn.2026-11.io.nvmeof:target\n"
  "queue_size=64\nhdr-digest=on\nnsid=1",
  "traddr=::1\ntrsvcid=4420\nnqn=nqn.2016-06.io.spdk:cnode1\n"
  "hostid=f81d4fae-7dec-11d0-a765-00a0c91e6bf6\nctrl-loss-tmo=-1",
  "transport=tcp\nkeep-alive-tmo=0\ntimeout=30\nconnect_timeout=10\n"
  "reconnect-delay=2\nnr-io-queues=8\ndata_digest=yes\ndisable-sqflow=off",
  "hostnqn=nqn.2014-08.org.nvmexpress:uuid:f81d4fae-7dec-11d0-a765-"
  "00a0c91e6bf6",
  "f81d4fae-7dec-11d0-a765-00a0c91e6bf6",
  "nvme+eth://veth0",
  "nvme+eth://veth0/02:00:00:00:00:01/",
  "nvme+eth://eth1/02-00-00-00-00-01/nqn.2026-11.io.nvmeof:target/2",
};

static const char *const tokens[] = {
  "nvme+tcp://",
  "nvme://",
  "nvme+eth://",
  "[",
  "]",
  "%25",
  "%",
  "%00",
  "%3A",
  ":",
  "/",
  "//",
  "@",
  "?",
  "#",
  "nqn.2014-08.",
  "nqn.",
  ".com",
  ":uuid:",
  "4420",
  "65535",
  "65536",
  "0",
  "4294967294",
  "4294967295",
  "=",
  "\n",
  "url=",
  "traddr=",
  "nsid=",
  "queue_size=",
  "hdr-digest=",
  "ctrl-loss-tmo=-",
  "::",
  "fe80::1",
  "127.0.0.1",
  "-",
  "\xc3\xa9",
  "\xff",
  " ",
};

const struct fuzz_target fuzz_target = {
  .name = "fuzz-uri",
  .what = "URI/option/NQN parsers",
  .seed_strings = seeds,
  .nr_seed_strings = sizeof seeds / sizeof seeds[0],
  .tokens = tokens,
  .nr_tokens = sizeof tokens / sizeof tokens[0],
};
#endif /* !FUZZ_LIBFUZZER */
