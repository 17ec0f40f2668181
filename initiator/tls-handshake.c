/* SPDX-License-Identifier: BSD-3-Clause */
/* The TLS 1.3 handshake with an external PSK, both ends (tls-session.h),
 * and what went wrong in words.
 *
 * The PSK is an SSL_SESSION whose master key is the TLS PSK and whose
 * cipher suite is the one of the PSK's hash.  The client offers it from
 * SSL_set_psk_use_session_callback.  The server finds it in a ClientHello
 * callback, before OpenSSL picks the cipher suite: so it can restrict the
 * suite to the PSK's hash and answer an unknown identity with the
 * unknown_psk_identity alert (OpenSSL's own lookup would go on without a
 * PSK and fail for want of a certificate); the find-session callback then
 * hands OpenSSL that PSK.  Neither end has a certificate, and the client
 * refuses one (SSL_VERIFY_PEER with no trusted CA) and insists that the
 * PSK was used. */
#include <config.h>

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>

#include "tls-session-int.h"

#define SUITE_SHA256 "TLS_AES_128_GCM_SHA256"
#define SUITE_SHA384 "TLS_AES_256_GCM_SHA384"

static const SSL_CIPHER *
psk_cipher (SSL *ssl, uint8_t hmac)
{
  const unsigned char id[2] = { 0x13, hmac == 2 ? 0x02 : 0x01 };

  return SSL_CIPHER_find (ssl, id);
}

static bool
psk_valid (const struct tls_psk *psk)
{
  return (psk->hmac == 1 && psk->len == 32) ||
         (psk->hmac == 2 && psk->len == 48);
}

static SSL_SESSION *
psk_session (SSL *ssl, const struct tls_psk *psk)
{
  const SSL_CIPHER *c = psk_cipher (ssl, psk->hmac);
  SSL_SESSION *sess = SSL_SESSION_new ();

  if (sess == NULL || c == NULL ||
      !SSL_SESSION_set1_master_key (sess, psk->key, psk->len) ||
      !SSL_SESSION_set_cipher (sess, c) ||
      !SSL_SESSION_set_protocol_version (sess, TLS1_3_VERSION)) {
    SSL_SESSION_free (sess);
    return NULL;
  }
  return sess;
}

/* ---- Callbacks --------------------------------------------------------- */

static int
use_session_cb (SSL *ssl, const EVP_MD *md, const unsigned char **id,
                size_t *idlen, SSL_SESSION **sess)
{
  struct tls_session *s = SSL_get_app_data (ssl);
  const SSL_CIPHER *c = psk_cipher (ssl, s->psk.hmac);

  *sess = NULL;
  /* A second call (after HelloRetryRequest) names the suite's hash: ours,
   * since we offer only the PSK's suite. */
  if (md && c && md != SSL_CIPHER_get_handshake_digest (c))
    return 1;
  *sess = psk_session (ssl, &s->psk);
  if (*sess == NULL)
    return 0;
  *id = (const unsigned char *) s->psk.identity;
  *idlen = strlen (s->psk.identity);
  return 1;
}

static int
find_session_cb (SSL *ssl, const unsigned char *id, size_t idlen,
                 SSL_SESSION **sess)
{
  struct tls_session *s = SSL_get_app_data (ssl);

  *sess = NULL;
  if (!s->have_psk || idlen != strlen (s->psk.identity) ||
      memcmp (id, s->psk.identity, idlen) != 0)
    return 1; /* not the one we found: OpenSSL looks at the next */
  *sess = psk_session (ssl, &s->psk);
  return *sess != NULL;
}

static size_t
get_be16 (const unsigned char *p)
{
  return (size_t) p[0] << 8 | p[1];
}

static int
hello_fail (struct tls_session *s, enum hs_fail f, int alert, int *al)
{
  s->fail = f;
  *al = alert;
  return SSL_CLIENT_HELLO_ERROR;
}

/* Server: the first identity of the pre_shared_key extension (RFC 8446
 * 4.2.11: identities<7..2^16-1>, each opaque<1..2^16-1> and a 4-byte
 * age) that the caller knows. */
static int
client_hello_cb (SSL *ssl, int *al, void *arg)
{
  struct tls_session *s = SSL_get_app_data (ssl);
  const unsigned char *p, *end;
  size_t len;

  (void) arg;
  if (!SSL_client_hello_get0_ext (ssl, TLSEXT_TYPE_psk, &p, &len) || len < 2 ||
      get_be16 (p) > len - 2)
    return hello_fail (s, HS_NO_PSK, SSL_AD_HANDSHAKE_FAILURE, al);
  end = p + 2 + get_be16 (p);
  p += 2;
  while (end - p >= 2) {
    size_t n = get_be16 (p);
    char id[TLS_PSK_IDENTITY_MAX + 1];

    if ((size_t) (end - p) < 2 + n + 4)
      break;
    if (n > 0 && n <= TLS_PSK_IDENTITY_MAX && !memchr (p + 2, '\0', n)) {
      memcpy (id, p + 2, n);
      id[n] = '\0';
      if (s->offered[0] == '\0')
        memcpy (s->offered, id, n + 1);
      memset (&s->psk, 0, sizeof s->psk);
      if (s->lookup (s->opaque, id, &s->psk) == 0) {
        memcpy (s->psk.identity, id, n + 1);
        if (!psk_valid (&s->psk))
          return hello_fail (s, HS_BAD_PSK, SSL_AD_INTERNAL_ERROR, al);
        s->have_psk = true;
        if (!SSL_set_ciphersuites (ssl, s->psk.hmac == 2 ? SUITE_SHA384 :
                                                           SUITE_SHA256))
          return hello_fail (s, HS_OK, SSL_AD_INTERNAL_ERROR, al);
        return SSL_CLIENT_HELLO_SUCCESS;
      }
    }
    p += 2 + n + 4;
  }
  return hello_fail (s, HS_UNKNOWN_ID, SSL_AD_UNKNOWN_PSK_IDENTITY, al);
}

static void
info_cb (const SSL *ssl, int where, int ret)
{
  struct tls_session *s = SSL_get_app_data (ssl);

  if (!(where & SSL_CB_ALERT))
    return;
  if (where & SSL_CB_READ)
    s->alert_rcvd = ret & 0xff;
  else
    s->alert_sent = ret & 0xff;
}

/* ---- What went wrong ----------------------------------------------------- */

static int
client_failure (struct tls_session *s, char *err, size_t errlen)
{
  const char *id = s->psk.identity;

  switch (s->alert_rcvd) {
  case -1:
    break;
  case SSL_AD_UNKNOWN_PSK_IDENTITY:
    snprintf (err, errlen, "the target does not know PSK identity '%s'", id);
    return ECONNREFUSED;
  case SSL_AD_DECRYPT_ERROR:
  case SSL_AD_BAD_RECORD_MAC:
  case SSL_AD_ILLEGAL_PARAMETER: /* OpenSSL's answer to a wrong binder */
    snprintf (err, errlen,
              "the PSK does not match the target's (PSK identity '%s')", id);
    return EACCES;
  case SSL_AD_HANDSHAKE_FAILURE:
    snprintf (err, errlen,
              "the target refused the TLS handshake (handshake_failure "
              "alert): does it know PSK identity '%s'?",
              id);
    return ECONNREFUSED;
  default:
    snprintf (err, errlen, "the target refused the TLS handshake (%s alert)",
              SSL_alert_desc_string_long (s->alert_rcvd));
    return ECONNREFUSED;
  }
  snprintf (err, errlen, "TLS handshake failed: %s", tls_last_error ());
  return EPROTO;
}

static int
server_failure (struct tls_session *s, char *err, size_t errlen)
{
  const char *id = s->have_psk ? s->psk.identity : s->offered;

  switch (s->fail) {
  case HS_NO_PSK:
    snprintf (err, errlen,
              "the host offered no PSK (NVMe/TCP TLS needs one; sent a "
              "handshake_failure alert)");
    return EACCES;
  case HS_UNKNOWN_ID:
    snprintf (err, errlen,
              "the host's PSK identity '%s' is not known here (sent an "
              "unknown_psk_identity alert)",
              id[0] ? id : "(none readable)");
    return EACCES;
  case HS_BAD_PSK:
    snprintf (err, errlen,
              "the PSK for identity '%s' has hash %u and %zu bytes: "
              "expected 1 and 32, or 2 and 48",
              id, s->psk.hmac, s->psk.len);
    return EINVAL;
  case HS_OK:
    break;
  }
  if (s->reason == SSL_R_BINDER_DOES_NOT_VERIFY) {
    /* The ClientHello's binder, an HMAC with the PSK, is not ours. */
    snprintf (err, errlen,
              "the host's PSK for identity '%s' does not match ours", id);
    return EACCES;
  }
  if (s->reason == SSL_R_NO_SHARED_CIPHER) {
    snprintf (err, errlen,
              "the host does not offer the cipher suite of the PSK of "
              "identity '%s' (%s)",
              id, s->psk.hmac == 2 ? SUITE_SHA384 : SUITE_SHA256);
    return EACCES;
  }
  if (s->alert_rcvd != -1) {
    snprintf (err, errlen, "the host aborted the TLS handshake (%s alert)",
              SSL_alert_desc_string_long (s->alert_rcvd));
    return ECONNRESET;
  }
  snprintf (err, errlen, "TLS handshake failed: %s", tls_last_error ());
  return EPROTO;
}

/* ---- The handshake -------------------------------------------------------- */

/* TLS records start with a content type 20..24 (RFC 8446 5.1). */
static bool
looks_like_tls (uint8_t b)
{
  return b >= 20 && b <= 24;
}

static int fail (int e, char *err, size_t errlen, const char *fmt, ...)
  __attribute__((__format__ (__printf__, 4, 5)));

static int
fail (int e, char *err, size_t errlen, const char *fmt, ...)
{
  va_list ap;

  va_start (ap, fmt);
  vsnprintf (err, errlen, fmt, ap);
  va_end (ap);
  errno = e;
  return -1;
}

static int
handshake (struct tls_session *s, bool server, uint32_t timeout_ms, char *err,
           size_t errlen)
{
  const char *peer = server ? "host" : "target";
  uint64_t deadline = tls_mono_ms () + timeout_ms;
  bool checked = false;
  char msg[64];

  for (;;) {
    size_t asked;
    ssize_t n;
    int r;

    ERR_clear_error ();
    r = SSL_do_handshake (s->ssl);
    if (r != 1 && SSL_get_error (s->ssl, r) != SSL_ERROR_WANT_READ) {
      s->failed = true;
      s->reason = tls_record_error ("TLS handshake failed");
      if (tls_flush (s) < 0) {
        /* Best effort: our alert, if any. */
      }
      errno = server ? server_failure (s, err, errlen) :
                       client_failure (s, err, errlen);
      return -1;
    }
    /* Our flight (or the client's Finished) goes out before we wait. */
    while (tls_flush (s) < 0) {
      int w = errno == EAGAIN ? tls_wait_fd (s->fd, POLLOUT, deadline) : -1;

      if (w == 0)
        return fail (ETIMEDOUT, err, errlen,
                     "the TLS handshake timed out (the %s reads nothing)",
                     peer);
      if (w < 0)
        return fail (errno, err, errlen, "TLS handshake: send: %s",
                     strerror (errno));
    }
    if (r == 1)
      return 0;
    n = tls_fill_in (s, &asked);
    if (n > 0 && !checked) {
      checked = true;
      if (!looks_like_tls (s->first_byte)) {
        snprintf (msg, sizeof msg, "0x%02x", s->first_byte);
        return fail (EPROTO, err, errlen,
                     server ? "the host did not start a TLS handshake "
                              "(first byte %s; plain NVMe/TCP?)" :
                              "the target did not answer in TLS (first "
                              "byte %s): it may not support TLS on this port",
                     msg);
      }
    }
    if (n > 0 || (n < 0 && errno == EINTR))
      continue;
    if (n == 0)
      return fail (ECONNRESET, err, errlen,
                   server ? "the %s closed the connection during the TLS "
                            "handshake" :
                            "the %s closed the connection during the TLS "
                            "handshake (does it require TLS? is the PSK "
                            "installed there?)",
                   peer);
    if (errno != EAGAIN)
      return fail (errno, err, errlen, "TLS handshake: recv: %s",
                   strerror (errno));
    r = tls_wait_fd (s->fd, POLLIN, deadline);
    if (r == 0) {
      snprintf (msg, sizeof msg, "%s within %u ms", peer,
                (unsigned) timeout_ms);
      return fail (ETIMEDOUT, err, errlen,
                   "the TLS handshake timed out: no answer from the %s", msg);
    }
    if (r < 0)
      return fail (errno, err, errlen, "TLS handshake: poll: %s",
                   strerror (errno));
  }
}

struct tls_session *
tls_client_handshake (int fd, const struct tls_psk *psk, uint32_t timeout_ms,
                      char *err, size_t errlen)
{
  struct tls_session *s;
  int e;

  if (!psk_valid (psk) || psk->identity[0] == '\0' ||
      !memchr (psk->identity, '\0', sizeof psk->identity)) {
    snprintf (err, errlen,
              "the TLS PSK is not usable (hash %u, %zu bytes, identity "
              "%s)",
              psk->hmac, psk->len, psk->identity[0] ? "set" : "empty");
    errno = EINVAL;
    return NULL;
  }
  s = tls_session_new (fd, false, err, errlen);
  if (s == NULL)
    return NULL;
  s->psk = *psk;
  SSL_set_info_callback (s->ssl, info_cb);
  SSL_set_psk_use_session_callback (s->ssl, use_session_cb);
  SSL_set_verify (s->ssl, SSL_VERIFY_PEER, NULL); /* no CA: no certificate */
  SSL_set_connect_state (s->ssl);
  if (!SSL_set_ciphersuites (s->ssl,
                             psk->hmac == 2 ? SUITE_SHA384 : SUITE_SHA256)) {
    tls_record_error ("cannot set the cipher suite");
    snprintf (err, errlen, "TLS: %s", tls_last_error ());
    errno = EPROTO;
    goto err;
  }
  if (handshake (s, false, timeout_ms, err, errlen) < 0)
    goto err;
  if (!SSL_session_reused (s->ssl)) {
    snprintf (err, errlen, "the target did not use the PSK");
    errno = EPROTO;
    goto err;
  }
  OPENSSL_cleanse (s->psk.key, sizeof s->psk.key); /* (identity kept) */
  if (tls_record_start (s) == -1) {
    snprintf (err, errlen, "TLS: %s", tls_last_error ());
    goto err;
  }
  return s;

err:
  e = errno;
  tls_session_free (s);
  errno = e;
  return NULL;
}

struct tls_session *
tls_server_handshake (int fd, tls_psk_lookup_fn lookup, void *opaque,
                      uint32_t timeout_ms, char *identity_out, char *err,
                      size_t errlen)
{
  struct tls_session *s = tls_session_new (fd, true, err, errlen);
  int e;

  if (s == NULL)
    return NULL;
  s->lookup = lookup;
  s->opaque = opaque;
  SSL_set_info_callback (s->ssl, info_cb);
  SSL_CTX_set_client_hello_cb (s->ctx, client_hello_cb, NULL);
  SSL_set_psk_find_session_callback (s->ssl, find_session_cb);
  SSL_set_accept_state (s->ssl);
  if (!SSL_set_num_tickets (s->ssl, 0) ||
      !SSL_set_ciphersuites (s->ssl, SUITE_SHA384 ":" SUITE_SHA256)) {
    tls_record_error ("cannot set up the TLS server");
    snprintf (err, errlen, "TLS: %s", tls_last_error ());
    errno = EPROTO;
    goto err;
  }
  if (handshake (s, true, timeout_ms, err, errlen) < 0)
    goto err;
  if (!s->have_psk || !SSL_session_reused (s->ssl)) {
    snprintf (err, errlen, "the host did not use a PSK");
    errno = EPROTO;
    goto err;
  }
  if (identity_out)
    memcpy (identity_out, s->psk.identity, strlen (s->psk.identity) + 1);
  OPENSSL_cleanse (s->psk.key, sizeof s->psk.key);
  if (tls_record_start (s) == -1) {
    snprintf (err, errlen, "TLS: %s", tls_last_error ());
    goto err;
  }
  return s;

err:
  e = errno;
  tls_session_free (s);
  errno = e;
  return NULL;
}
