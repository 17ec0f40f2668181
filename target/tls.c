/* SPDX-License-Identifier: BSD-3-Clause */
/* NVMe/TCP over TLS 1.3 on a connection (NVMe/TCP transport specification
 * 3.6): the handshake in the connection's own thread, right after accept
 * (so that a slow client holds up nobody else), the PSK lookup, the
 * connection's I/O through the session, and the binding of the PSK
 * identity to the Connect that follows.
 *
 * A port that requires TLS closes a connection whose first byte is not a
 * TLS handshake record (0x16) without a word, as nvmet does with a plain
 * ICReq; a port where TLS is optional goes on in plain NVMe/TCP then.
 *
 * The lookup accepts "NVMe0R0h <hostnqn> <subnqn>" and "NVMe1R0h <hostnqn>
 * <subnqn> <digest>" for a host with a configured PSK and a subsystem the
 * port serves (or the discovery subsystem); it derives the TLS PSK for that
 * identity (tls_psk_derive) and, for version 1, compares the digest, which
 * tells a wrong PSK from a right one before the handshake does (and a PSK
 * that nvme-cli up to 2.15 derived, whose digest tls_psk_derive_compat
 * gives).  "NVMe1G0h <hostnqn> <subnqn> <digest>" names a PSK that secure
 * channel concatenation generated (concat.c): it is accepted if it is
 * kept there, for a subsystem the port serves.  Unlike
 * nvmet (6.12), the identity binds the queue: its Connect must name the
 * identity's host and subsystem. */
#include <config.h>

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <openssl/crypto.h>

#include "conn.h"
#include "tls-session.h"

#define TLS_HANDSHAKE_RECORD 0x16 /* content type of a ClientHello */
#define FAILED               "TLS handshake failed: "

/* What the lookup callback knows of the connection, why it refused the
 * identity it saw last, or the identity it accepted (for the log line). */
struct lookup {
  struct conn *c;
  char why[512];
  char accepted[TLS_PSK_IDENTITY_MAX + 1];
  bool compat; /* the accepted PSK is derived as libnvme 1.7-1.15 did */
};

static int refuse (struct lookup *x, const char *fmt, ...)
  __attribute__((__format__ (__printf__, 2, 3)));

static int
refuse (struct lookup *x, const char *fmt, ...)
{
  va_list ap;

  va_start (ap, fmt);
  vsnprintf (x->why, sizeof x->why, fmt, ap);
  va_end (ap);
  return -1;
}

/* The identity a client offered, fit for a log line (control characters
 * and bytes above 7Eh as '?'). */
static const char *
printable (const char *identity, char *out, size_t len)
{
  size_t i;

  for (i = 0; identity[i] && i + 1 < len; i++)
    out[i] = identity[i] >= 0x20 && identity[i] < 0x7F ? identity[i] : '?';
  out[i] = '\0';
  return out;
}

static const char *
hash_name (uint8_t hmac)
{
  return hmac == 1 ? "SHA-256" : hmac == 2 ? "SHA-384" : "?";
}

/* Derive the TLS PSK for identity id from h's configured PSK into *out
 * (compat: with libnvme 1.7 to 1.15's labels, nvme-cli's --compat), and
 * its hash into *hmac.  1: it is id's (the same hash and, for version 1,
 * the same digest), 0: it is not, -1: err set. */
static int
derive_for (const struct tgt_host *h, const struct tls_psk_identity *id,
            bool compat, struct tls_psk *out, uint8_t *hmac, char *err,
            size_t errlen)
{
  struct tls_psk_identity got;
  int r;

  if (compat)
    r = tls_psk_derive_compat (&h->tls_key, id->version, id->hostnqn,
                               id->subnqn, out, err, errlen);
  else
    r = tls_psk_derive (&h->tls_key, id->version, id->hostnqn, id->subnqn, out,
                        err, errlen);
  if (r == -1 ||
      tls_psk_identity_parse (out->identity, &got, err, errlen) == -1)
    return -1;
  *hmac = got.hmac;
  return got.hmac == id->hmac &&
         (id->version == 0 || strcmp (got.digest, id->digest) == 0);
}

/* tls_psk_lookup_fn: the TLS PSK for identity, derived from its host's
 * configured PSK. */
static int
lookup_psk (void *opaque, const char *identity, struct tls_psk *psk)
{
  struct lookup *x = opaque;
  const struct tgt_port *port = x->c->info.port;
  struct tls_psk_identity id;
  const struct tgt_host *h;
  struct tls_psk want;
  bool compat = false;
  uint8_t hmac = 0;
  char err[256], shown[TLS_PSK_IDENTITY_MAX + 1];
  int r;

  printable (identity, shown, sizeof shown);
  if (tls_psk_identity_parse (identity, &id, err, sizeof err) == -1)
    return refuse (x, "PSK identity '%s' refused: %s", shown, err);
  if (id.generated) {
    if (!config_find_subsys (port, id.subnqn))
      return refuse (x,
                     "PSK identity '%s' refused: port %u serves no "
                     "subsystem %s",
                     shown, port->portid, id.subnqn);
    if (!concat_psk_find (identity, psk))
      return refuse (x,
                     "PSK identity '%s' refused: no DH-HMAC-CHAP exchange "
                     "generated that PSK (secure channel concatenation)",
                     shown);
    snprintf (x->accepted, sizeof x->accepted, "%s", shown);
    return 0;
  }
  h = tls_host_find (id.hostnqn);
  if (!h)
    return refuse (x, "PSK identity '%s' refused: host %s has no TLS PSK",
                   shown, id.hostnqn);
  if (!config_find_subsys (port, id.subnqn))
    return refuse (x,
                   "PSK identity '%s' refused: port %u serves no "
                   "subsystem %s",
                   shown, port->portid, id.subnqn);
  r = derive_for (h, &id, false, &want, &hmac, err, sizeof err);
  if (r == 0 && hmac == id.hmac) {
    /* Version 1 with another digest: a PSK derived as nvme-cli up to 2.15
     * did?  (Version 0 cannot tell: the binder will.) */
    OPENSSL_cleanse (&want, sizeof want);
    r = derive_for (h, &id, true, &want, &hmac, err, sizeof err);
    compat = r == 1;
  }
  if (r == -1)
    refuse (x, "PSK identity '%s' refused: %s", shown, err);
  else if (hmac != id.hmac)
    refuse (x,
            "PSK identity '%s' refused: it asks for %s, but the PSK of host "
            "%s is a %s one",
            shown, hash_name (id.hmac), id.hostnqn, hash_name (hmac));
  else if (r == 0)
    refuse (x,
            "PSK identity '%s' refused: its PSK digest does not match the "
            "PSK of host %s (the host has another PSK)",
            shown, id.hostnqn);
  else {
    *psk = want;
    snprintf (x->accepted, sizeof x->accepted, "%s", shown);
    x->compat = compat;
  }
  OPENSSL_cleanse (&want, sizeof want);
  return r == 1 ? 0 : -1;
}

/* ---- the connection's I/O over TLS --------------------------------------- */

/* Wait until the socket is ready for events (EINTR retried).  0 or -1. */
static int
wait_fd (int fd, short events)
{
  struct pollfd pfd = { .fd = fd, .events = events };

  while (poll (&pfd, 1, -1) == -1)
    if (errno != EINTR)
      return -1;
  return 0;
}

/* Decrypted bytes, like recv(2): the session may hold bytes it already
 * received (tls_pending), so it is asked again before the socket is
 * polled. */
static ssize_t
tls_io_recv (struct conn *c, void *p, size_t len, int flags)
{
  for (;;) {
    ssize_t r = tls_recv (c->tls, p, len);

    if (r >= 0)
      return r;
    if (errno == EINTR)
      continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) {
      if (errno == EPROTO)
        log_verbose ("%s: TLS: %s", c->info.peer, tls_last_error ());
      return -1;
    }
    if (flags & MSG_DONTWAIT)
      return -1;
    if (tls_pending (c->tls))
      continue;
    if (wait_fd (c->fd, POLLIN) == -1)
      return -1;
  }
}

/* Encrypt and send, blocking like sendmsg(2): what tls_send takes (as
 * much of the batch as its out[] holds, 512 KiB) is on its way to the
 * socket once tls_flush has nothing left.  One large send rather than
 * several small ones: each send on loopback costs a wakeup of the host,
 * and 128K reads at QD32 went 1.1-1.4 x faster than with 64 KiB per
 * call, 4K reads 5 % (docs/performance.md, TLS 1.3). */
static ssize_t
tls_io_sendv (struct conn *c, const struct iovec *iov, int n)
{
  ssize_t w;

  for (;;) {
    w = tls_send (c->tls, iov, n);
    if (w > 0)
      break;
    if (errno == EINTR)
      continue;
    if (errno != EAGAIN || wait_fd (c->fd, POLLOUT) == -1)
      return -1;
  }
  while (tls_flush (c->tls) == -1) {
    if (errno == EINTR)
      continue;
    if (errno != EAGAIN || wait_fd (c->fd, POLLOUT) == -1)
      return -1;
  }
  return w;
}

static const struct conn_io tls_io = {
  .recv = tls_io_recv,
  .sendv = tls_io_sendv,
};

/* ---- the start of a connection ------------------------------------------- */

/* The first byte the client sends, without taking it: 1, 0 (nothing came
 * before the deadline), -1 (closed, or stopping). */
static int
peek_first (struct conn *c, uint64_t deadline, uint8_t *b)
{
  for (;;) {
    struct pollfd pfd = { .fd = c->fd, .events = POLLIN };
    uint64_t now = now_ms ();
    ssize_t n;
    int r;

    if (now >= deadline)
      return 0;
    r = poll (&pfd, 1, (int) (deadline - now));
    if (r == -1 && errno == EINTR)
      continue;
    if (r <= 0)
      return r;
    if (stop_requested ())
      return -1;
    n = recv (c->fd, b, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n == 1)
      return 1;
    if (n == 0 || (errno != EAGAIN && errno != EINTR))
      return -1;
  }
}

int
tls_conn_start (struct conn *c)
{
  struct conn_info *ci = &c->info;
  enum tgt_tls mode = port_tls (ci->port);
  uint64_t now, deadline = now_ms () + TGT_TLS_HANDSHAKE_MS;
  char identity[TLS_PSK_IDENTITY_MAX + 1], err[256];
  struct tls_psk_identity id;
  struct lookup x = { .c = c };
  uint8_t first;
  int r;

  if (mode == TGT_TLS_NONE)
    return 0;
  r = peek_first (c, deadline, &first);
  if (r == 0)
    log_msg ("%s: nothing received within %d s of connecting: closed", ci->peer,
             TGT_TLS_HANDSHAKE_MS / 1000);
  if (r <= 0)
    return -1;
  if (first != TLS_HANDSHAKE_RECORD) {
    if (mode == TGT_TLS_OPTIONAL) {
      log_verbose ("%s: plain NVMe/TCP (TLS is optional on port %u)", ci->peer,
                   ci->port->portid);
      return 0;
    }
    log_msg ("%s: port %u requires TLS, but the host sent %s: closed", ci->peer,
             ci->port->portid,
             first == NVME_TCP_PDU_ICREQ ? "a plain ICReq" :
                                           "no TLS handshake");
    return -1;
  }

  now = now_ms ();
  c->tls = tls_server_handshake (c->fd, lookup_psk, &x,
                                 now < deadline ? deadline - now : 1, identity,
                                 err, sizeof err);
  if (!c->tls) {
    const char *why = err;

    if (strncmp (why, FAILED, strlen (FAILED)) == 0)
      why += strlen (FAILED);
    if (x.accepted[0] && !strstr (why, x.accepted)) /* wrong PSK, or ... */
      log_msg ("%s: TLS handshake with PSK identity '%s' failed: %s", ci->peer,
               x.accepted, why);
    else
      log_msg ("%s: " FAILED "%s", ci->peer, x.why[0] ? x.why : why);
    return -1;
  }
  if (tls_psk_identity_parse (identity, &id, err, sizeof err) == -1) {
    log_msg ("%s: TLS: %s", ci->peer, err); /* cannot happen: looked up */
    return -1;
  }
  c->io = &tls_io;
  ci->tls = true;
  ci->tls_generated = id.generated;
  snprintf (ci->tls_hostnqn, sizeof ci->tls_hostnqn, "%s", id.hostnqn);
  snprintf (ci->tls_subnqn, sizeof ci->tls_subnqn, "%s", id.subnqn);
  log_verbose ("%s: TLS 1.3 with %s, PSK identity '%s'%s", ci->peer,
               tls_cipher (c->tls), x.accepted,
               x.compat ? " (derived as nvme-cli's --compat)" : "");
  return 0;
}

void
tls_conn_end (struct conn *c)
{
  if (c->tls)
    tls_close (c->tls);
  c->tls = NULL;
  c->io = &conn_plain_io;
}

uint16_t
tls_check_connect (const struct conn_info *ci, const char *hostnqn,
                   const char *subnqn, uint32_t *dw0)
{
  if (!ci->tls)
    return 0;
  if (strcmp (hostnqn, ci->tls_hostnqn) != 0) {
    log_msg ("%s: Connect as host %s refused: the TLS PSK identity is "
             "host %s's",
             ci->peer, hostnqn, ci->tls_hostnqn);
    *dw0 =
      NVMF_CONNECT_IATTR_DATA | offsetof (struct nvmf_connect_data, hostnqn);
    return NVMF_SC_CONNECT_INVALID_HOST;
  }
  if (strcmp (subnqn, ci->tls_subnqn) != 0) {
    log_msg ("%s: Connect to %s refused: the TLS PSK identity names "
             "subsystem %s",
             ci->peer, subnqn, ci->tls_subnqn);
    *dw0 =
      NVMF_CONNECT_IATTR_DATA | offsetof (struct nvmf_connect_data, subnqn);
    return NVMF_SC_CONNECT_INVALID_PARAM;
  }
  return 0;
}
