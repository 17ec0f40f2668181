/* SPDX-License-Identifier: BSD-3-Clause */
/* NVMe-oF URIs (NVMe Boot Specification 1.0, 1.5.7 and the DHCP Root-Path
 * form in 3.1.2.5.3):
 *
 *   nvme+tcp://host[:port]/subsystem-nqn[/nsid][/]
 *
 * host is a name, an IPv4 address or a bracketed IPv6 address with an
 * optional RFC 6874 zone ("[fe80::1%25eth0]").  The NQN is percent-decoded.
 * No path, or just "/", means the discovery NQN (the Boot Specification's
 * example is nvme+tcp://192.168.1.1:4420/).  The port is left empty when
 * absent: opts_port() picks 4420, or 8009 for the discovery NQN.
 * User information, query strings and fragments are refused rather than
 * ignored, so that nothing the user wrote is silently dropped.
 *
 * NVMe over raw Ethernet (docs/nvme-eth.md, "Addressing") names the link
 * in the authority and the controller by its MAC, the first path segment
 * (RFC 3986 allows ':' in a path segment, not in a host name):
 *
 *   nvme+eth://iface[/]                               the link (discovery)
 *   nvme+eth://iface/mac[/]                           its discovery NQN
 *   nvme+eth://iface/mac/subsystem-nqn[/nsid][/]
 *
 * iface is a Linux interface name (percent escapes allowed); mac is six
 * pairs of hex digits separated by ':' or '-' (%3A works too), stored as
 * traddr in the form aa:bb:cc:dd:ee:ff.  The rest is as for nvme+tcp.
 *
 * Errors read "url: <what is wrong> at character N: <the url>".
 */
#include <config.h>

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>

#include "nvmeof.h"
#include "errors.h"
#include "hostid.h"
#include "opts.h"
#include "uri.h"

#define URI_SHOWN_MAX 300 /* bytes of the URI quoted in a message */

/* Set "url: <what> at character <pos + 1>: <uri>"; the URI is shown on one
 * line (control characters replaced) and shortened if very long. */
static int uri_error (const char *uri, size_t pos, const char *fmt, ...)
  __attribute__((__format__ (__printf__, 3, 4)));

static int
uri_error (const char *uri, size_t pos, const char *fmt, ...)
{
  char what[512], shown[URI_SHOWN_MAX + 4];
  va_list ap;

  va_start (ap, fmt);
  vsnprintf (what, sizeof what, fmt, ap);
  va_end (ap);
  set_error (EINVAL, "url: %s at character %zu: %s", what, pos + 1,
             error_quote (uri, URI_SHOWN_MAX, shown, sizeof shown));
  return -1;
}

static int
hexval (int c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/* Percent-decode uri[start, end) into out (size outlen).  what names the
 * part for messages. */
static int
decode (const char *uri, size_t start, size_t end, char *out, size_t outlen,
        const char *what)
{
  size_t i, n = 0;

  for (i = start; i < end; i++) {
    int c = (unsigned char) uri[i];

    if (c == '%') {
      int hi = i + 1 < end ? hexval ((unsigned char) uri[i + 1]) : -1;
      int lo = i + 2 < end ? hexval ((unsigned char) uri[i + 2]) : -1;

      if (hi < 0 || lo < 0)
        return uri_error (uri, i,
                          "bad percent escape in %s (expected %%XX "
                          "with two hex digits)",
                          what);
      c = hi << 4 | lo;
      if (c == 0)
        return uri_error (uri, i, "%%00 (a NUL byte) in %s", what);
      i += 2;
    }
    if (n + 1 >= outlen)
      return uri_error (uri, start, "%s is too long (at most %zu bytes)", what,
                        outlen - 1);
    out[n++] = (char) c;
  }
  out[n] = '\0';
  return 0;
}

/* Bytes that may appear anywhere in the URI: printable ASCII, and UTF-8
 * (validated later as part of the NQN). */
static int
check_chars (const char *uri)
{
  size_t i;

  for (i = 0; uri[i]; i++) {
    unsigned char c = (unsigned char) uri[i];

    if (c <= 0x20 || c == 0x7f)
      return uri_error (uri, i, "space or control character");
    if (c == '?')
      return uri_error (uri, i, "query strings are not supported");
    if (c == '#')
      return uri_error (uri, i, "fragments are not supported");
  }
  return 0;
}

/* "[v6addr%25zone]" at uri[start, end). */
static int
parse_ipv6 (const char *uri, size_t start, size_t end, char *traddr, size_t len)
{
  char addr[INET6_ADDRSTRLEN + 1], zone[64];
  struct in6_addr a6;
  size_t close, pct, alen;

  for (close = start; close < end && uri[close] != ']'; close++)
    ;
  if (close == end)
    return uri_error (uri, start, "unclosed '[' in IPv6 address");
  for (pct = start + 1; pct < close && uri[pct] != '%'; pct++)
    ;
  alen = pct - (start + 1);
  if (alen == 0 || alen >= sizeof addr)
    return uri_error (uri, start + 1, "bad IPv6 address");
  memcpy (addr, uri + start + 1, alen);
  addr[alen] = '\0';
  if (inet_pton (AF_INET6, addr, &a6) != 1)
    return uri_error (uri, start + 1, "bad IPv6 address '%s'", addr);

  zone[0] = '\0';
  if (pct < close) {
    size_t i;

    if (close - pct < 4 || uri[pct + 1] != '2' || uri[pct + 2] != '5')
      return uri_error (uri, pct,
                        "IPv6 zone ID must be written as "
                        "%%25<zone> (RFC 6874)");
    if (decode (uri, pct + 3, close, zone, sizeof zone, "IPv6 zone ID") == -1)
      return -1;
    for (i = 0; zone[i]; i++)
      if (!isalnum ((unsigned char) zone[i]) && !strchr ("-._~", zone[i]))
        return uri_error (uri, pct + 3, "bad character in IPv6 zone ID");
  }
  if (snprintf (traddr, len, "%s%s%s", addr, zone[0] ? "%" : "", zone) >=
      (int) len)
    return uri_error (uri, start, "IPv6 address is too long");
  return (int) (close + 1 - start); /* bytes consumed */
}

/* Host name or IPv4 address at uri[start, end). */
static int
parse_name (const char *uri, size_t start, size_t end, char *traddr, size_t len)
{
  size_t i;
  bool dotted_digits = true;
  struct in_addr a4;

  if (start == end)
    return uri_error (uri, start, "missing host");
  if (end - start >= len || end - start > 253)
    return uri_error (uri, start, "host name is too long");
  for (i = start; i < end; i++) {
    unsigned char c = (unsigned char) uri[i];

    if (c == '%')
      return uri_error (uri, i,
                        "percent escapes are not supported in "
                        "host names");
    if (!isalnum (c) && c != '-' && c != '.' && c != '_')
      return uri_error (uri, i, "bad character '%c' in host name", c);
    if (!isdigit (c) && c != '.')
      dotted_digits = false;
  }
  memcpy (traddr, uri + start, end - start);
  traddr[end - start] = '\0';
  /* All digits and dots: it must be a real IPv4 address, not a name. */
  if (dotted_digits && inet_pton (AF_INET, traddr, &a4) != 1)
    return uri_error (uri, start, "bad IPv4 address '%s'", traddr);
  return (int) (end - start);
}

/* Decimal digits only, value in [min, max]. */
static int
parse_number (const char *uri, size_t start, size_t end, uint64_t min,
              uint64_t max, const char *what, uint64_t *out)
{
  uint64_t v = 0;
  size_t i;

  if (start == end)
    return uri_error (uri, start, "missing %s", what);
  for (i = start; i < end; i++) {
    if (!isdigit ((unsigned char) uri[i]))
      return uri_error (
        uri, i, "%s must be a decimal number from %" PRIu64 " to %" PRIu64,
        what, min, max);
    v = v * 10 + (uint64_t) (uri[i] - '0');
    if (v > max)
      break;
  }
  if (v < min || v > max)
    return uri_error (
      uri, start, "%s must be a decimal number from %" PRIu64 " to %" PRIu64,
      what, min, max);
  *out = v;
  return 0;
}

/* The path from uri[seg] on: /subsystem-nqn[/nsid][/]; none, or "/", is
 * discovery. */
static int
parse_path (const char *uri, size_t seg, struct nvmeof_opts *tmp)
{
  size_t seg_end;
  uint64_t v;

  if (uri[seg] == '\0' || (uri[seg] == '/' && uri[seg + 1] == '\0')) {
    snprintf (tmp->subnqn, sizeof tmp->subnqn, "%s", NVMEOF_DISCOVERY_NQN);
    return 0;
  }
  seg++; /* past '/' */
  for (seg_end = seg; uri[seg_end] && uri[seg_end] != '/'; seg_end++)
    ;
  if (seg_end == seg)
    return uri_error (uri, seg, "empty subsystem NQN");
  if (decode (uri, seg, seg_end, tmp->subnqn, sizeof tmp->subnqn,
              "subsystem NQN") == -1)
    return -1;
  if (subnqn_validate ("subsystem NQN", tmp->subnqn) == -1)
    return uri_error (uri, seg, "%s", nvmeof_get_error ());

  if (uri[seg_end] == '/' && uri[seg_end + 1] != '\0') {
    seg = seg_end + 1;
    for (seg_end = seg; uri[seg_end] && uri[seg_end] != '/'; seg_end++)
      ;
    if (parse_number (uri, seg, seg_end, 1, 0xFFFFFFFE, "namespace ID", &v) ==
        -1)
      return -1;
    tmp->nsid = (uint32_t) v;
    if (uri[seg_end] == '/' && uri[seg_end + 1] != '\0')
      return uri_error (uri, seg_end + 1,
                        "unexpected path after the "
                        "namespace ID");
  }
  return 0;
}

/* What a URL sets, all of it (nothing of an earlier URL survives). */
static void
set_from (struct nvmeof_opts *opts, const struct nvmeof_opts *tmp)
{
  opts->transport = tmp->transport;
  memcpy (opts->traddr, tmp->traddr, sizeof opts->traddr);
  memcpy (opts->trsvcid, tmp->trsvcid, sizeof opts->trsvcid);
  memcpy (opts->subnqn, tmp->subnqn, sizeof opts->subnqn);
  memcpy (opts->host_iface, tmp->host_iface, sizeof opts->host_iface);
  opts->nsid = tmp->nsid;
}

int
opts_parse_mac (const char *text, uint8_t mac[6])
{
  const char *p = text;
  char sep = 0;
  unsigned i, any = 0;

  for (i = 0; i < 6; i++) {
    int hi = hexval ((unsigned char) p[0]);
    int lo = hi >= 0 ? hexval ((unsigned char) p[1]) : -1;

    if (hi < 0 || lo < 0)
      return -1;
    mac[i] = (uint8_t) (hi << 4 | lo);
    any |= mac[i];
    p += 2;
    if (i == 5)
      break;
    if ((*p != ':' && *p != '-') || (sep && *p != sep))
      return -1;
    sep = *p++;
  }
  if (*p != '\0')
    return -1;
  /* The I/G bit: group addresses (broadcast too) name no station. */
  if (any == 0 || (mac[0] & 1))
    return -2;
  return 0;
}

bool
opts_iface_valid (const char *name)
{
  size_t i, n = strlen (name);

  if (n == 0 || n >= 16 || strcmp (name, ".") == 0 || strcmp (name, "..") == 0)
    return false;
  for (i = 0; i < n; i++) {
    unsigned char c = (unsigned char) name[i];

    if (c <= 0x20 || c == 0x7f || c == '/' || c == ':')
      return false;
  }
  return true;
}

/* nvme+eth://iface[/mac[/subsystem-nqn[/nsid]]][/]: from uri[auth] on. */
static int
parse_eth (const char *uri, size_t auth, struct nvmeof_opts *tmp)
{
  char text[64];
  uint8_t mac[6];
  size_t auth_end, seg, seg_end;
  int r;

  for (auth_end = auth; uri[auth_end] && uri[auth_end] != '/'; auth_end++) {
    if (uri[auth_end] == '@')
      return uri_error (uri, auth_end,
                        "user information (user@) is not supported");
    if (uri[auth_end] == ':')
      return uri_error (uri, auth_end,
                        "':' after the interface: nvme+eth:// URLs have no "
                        "port, the controller's MAC address is the path "
                        "(nvme+eth://IFACE/MAC/NQN)");
  }
  if (auth_end == auth)
    return uri_error (uri, auth,
                      "missing interface (expected nvme+eth://IFACE/MAC/"
                      "subsystem-nqn[/nsid])");
  if (decode (uri, auth, auth_end, tmp->host_iface, sizeof tmp->host_iface,
              "interface name") == -1)
    return -1;
  if (!opts_iface_valid (tmp->host_iface))
    return uri_error (uri, auth,
                      "bad interface name (1 to 15 bytes, no '/', ':' or "
                      "white space)");

  /* No MAC: the link itself, for discovery (nvmeof discover). */
  seg = auth_end;
  if (uri[seg] == '\0' || (uri[seg] == '/' && uri[seg + 1] == '\0')) {
    snprintf (tmp->subnqn, sizeof tmp->subnqn, "%s", NVMEOF_DISCOVERY_NQN);
    return 0;
  }
  seg++;
  for (seg_end = seg; uri[seg_end] && uri[seg_end] != '/'; seg_end++)
    ;
  if (seg_end == seg)
    return uri_error (uri, seg, "empty MAC address");
  if (seg_end - seg >= sizeof text)
    return uri_error (uri, seg,
                      "expected the controller's MAC address "
                      "(aa:bb:cc:dd:ee:ff) after the interface");
  if (decode (uri, seg, seg_end, text, sizeof text, "MAC address") == -1)
    return -1;
  r = opts_parse_mac (text, mac);
  if (r == -1)
    return uri_error (uri, seg,
                      "expected the controller's MAC address "
                      "(aa:bb:cc:dd:ee:ff) after the interface");
  if (r == -2)
    return uri_error (uri, seg,
                      "%s is not a station's MAC address (it is multicast, "
                      "broadcast or zero)",
                      text);
  snprintf (tmp->traddr, sizeof tmp->traddr, "%02x:%02x:%02x:%02x:%02x:%02x",
            mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
  return parse_path (uri, seg_end, tmp);
}

int
uri_parse (const char *uri, struct nvmeof_opts *opts)
{
  struct nvmeof_opts tmp;
  size_t i, auth, auth_end, host_end;
  uint64_t v;
  int r;

  if (uri == NULL || uri[0] == '\0')
    return uri_error ("", 0,
                      "empty URL (expected nvme+tcp://host[:port]/"
                      "subsystem-nqn[/nsid] or nvme+eth://iface/mac/"
                      "subsystem-nqn[/nsid])");
  if (check_chars (uri) == -1)
    return -1;

  memset (&tmp, 0, sizeof tmp);

  /* Scheme (case-insensitive, RFC 3986 3.1). */
  for (i = 0; uri[i] && uri[i] != ':' && uri[i] != '/'; i++)
    ;
  if (uri[i] != ':')
    return uri_error (uri, 0,
                      "expected nvme+tcp://host[:port]/"
                      "subsystem-nqn[/nsid]");
  if (i == 8 && strncasecmp (uri, "nvme+tcp", 8) == 0)
    tmp.transport = NVMEOF_TRANSPORT_TCP;
  else if (i == 8 && strncasecmp (uri, "nvme+eth", 8) == 0)
    tmp.transport = NVMEOF_TRANSPORT_ETH;
  else if (i == 4 && strncasecmp (uri, "nvme", 4) == 0)
    return uri_error (uri, 0,
                      "nvme:// does not say which transport: "
                      "use nvme+tcp:// or nvme+eth://");
  else if (i > 5 && strncasecmp (uri, "nvme+", 5) == 0)
    return uri_error (uri, 5,
                      "transport '%.*s' is not supported "
                      "(use nvme+tcp:// or nvme+eth://)",
                      (int) (i - 5), uri + 5);
  else
    return uri_error (uri, 0,
                      "unknown scheme '%.*s' (expected nvme+tcp:// or "
                      "nvme+eth://)",
                      (int) (i > 20 ? 20 : i), uri);
  if (uri[i + 1] != '/' || uri[i + 2] != '/')
    return uri_error (uri, i + 1, "expected '//' after '%.*s:'", (int) i, uri);
  if (tmp.transport == NVMEOF_TRANSPORT_ETH) {
    if (parse_eth (uri, i + 3, &tmp) == -1)
      return -1;
    set_from (opts, &tmp);
    return 0;
  }

  /* Authority: host[:port]. */
  auth = i + 3;
  for (auth_end = auth; uri[auth_end] && uri[auth_end] != '/'; auth_end++)
    if (uri[auth_end] == '@')
      return uri_error (uri, auth_end,
                        "user information (user@) is not "
                        "supported");
  if (uri[auth] == '[') {
    r = parse_ipv6 (uri, auth, auth_end, tmp.traddr, sizeof tmp.traddr);
    if (r == -1)
      return -1;
    host_end = auth + (size_t) r;
    if (host_end < auth_end && uri[host_end] != ':')
      return uri_error (uri, host_end,
                        "expected ':port' or '/' after the "
                        "IPv6 address");
  }
  else {
    for (host_end = auth; host_end < auth_end && uri[host_end] != ':';
         host_end++)
      ;
    if (host_end < auth_end &&
        memchr (uri + host_end + 1, ':', auth_end - host_end - 1) != NULL)
      return uri_error (uri, auth,
                        "IPv6 addresses must be written in "
                        "brackets: [addr]:port");
    if (parse_name (uri, auth, host_end, tmp.traddr, sizeof tmp.traddr) == -1)
      return -1;
  }
  if (host_end < auth_end) { /* ':' port */
    if (parse_number (uri, host_end + 1, auth_end, 1, 65535, "port", &v) == -1)
      return -1;
    snprintf (tmp.trsvcid, sizeof tmp.trsvcid, "%u", (unsigned) v);
  }

  if (parse_path (uri, auth_end, &tmp) == -1)
    return -1;
  set_from (opts, &tmp);
  return 0;
}
