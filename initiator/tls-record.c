/* SPDX-License-Identifier: BSD-3-Clause */
/* TLS 1.3 records after the handshake (RFC 8446 5.2-5.3, 4.6.3, 7.1-7.2):
 * our own record layer, with libgcrypt's AES-GCM, in place of OpenSSL's.
 *
 * Why: OpenSSL's record layer copies every byte twice more than needed
 * (into its own buffer before it encrypts, then out through the BIO; and
 * the same on the way in), which halved what NVMe/TCP could move.  Here a
 * record is sealed straight from the caller's iovecs into out[] and
 * opened straight from in[] into the caller's buffers (plaintext lands
 * there before the tag is checked, but tls_recv reports no byte of a
 * record whose tag fails).  And the directions share nothing: the sender
 * owns tx and out[], the receiver rx, in[], dec[] and hs[], so neither
 * waits for the other.
 *
 * The handshake stays OpenSSL's; its key log hands us the application
 * traffic secrets, from which the keys and IVs are derived (7.3).  Post-
 * handshake messages: NewSessionTicket is ignored (we do not resume),
 * KeyUpdate is obeyed (and answered when asked: the sender sends ours
 * before its next record); anything else ends the session.  close_notify
 * is the end of the stream.  NVMEOF_TLS_OPENSSL_RECORDS=1 keeps OpenSSL's
 * record layer (for comparison). */
#include <config.h>

#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/ssl.h>

#include "tls-session-int.h"
#include "tls-psk.h"

#define HDR            5
#define TAG            16
#define CIPHER_MAX     (RECORD_MAX + 256) /* a record's length field */
#define CT_ALERT       21
#define CT_HANDSHAKE   22
#define CT_APPDATA     23
#define HS_NEW_TICKET  4
#define HS_KEY_UPDATE  24
#define ALERT_CLOSE    0
#define ALERT_CANCELED 90

int tls_test_openssl_records;

static size_t
hash_len (const struct tls_session *s)
{
  return s->hmac == 2 ? 48 : 32;
}

/* "CLIENT_TRAFFIC_SECRET_0 <client random> <secret>" (NSS key log). */
void
tls_keylog_cb (const SSL *ssl, const char *line)
{
  struct tls_session *s = SSL_get_app_data (ssl);
  static const char c[] = "CLIENT_TRAFFIC_SECRET_0 ";
  static const char sv[] = "SERVER_TRAFFIC_SECRET_0 ";
  uint8_t *out;
  bool *have;
  const char *hex;
  size_t i, n;

  if (strncmp (line, c, sizeof c - 1) == 0) {
    out = s->cts;
    have = &s->have_cts;
  }
  else if (strncmp (line, sv, sizeof sv - 1) == 0) {
    out = s->sts;
    have = &s->have_sts;
  }
  else
    return;
  hex = strrchr (line, ' ') + 1;
  n = strlen (hex) / 2;
  if (n != 32 && n != 48)
    return;
  for (i = 0; i < n; i++) {
    int hi = OPENSSL_hexchar2int ((unsigned char) hex[2 * i]);
    int lo = OPENSSL_hexchar2int ((unsigned char) hex[2 * i + 1]);

    if (hi < 0 || lo < 0)
      return;
    out[i] = (uint8_t) (hi << 4 | lo);
  }
  *have = true;
}

/* libgcrypt's AES-GCM, not OpenSSL's: on CPUs with VAES it runs 1.3 x
 * faster than OpenSSL 3.0's (docs/performance.md), and it is the cost of
 * every byte.  Version check once, as its manual asks of libraries. */
static pthread_once_t gcry_once = PTHREAD_ONCE_INIT;
static bool gcry_ok;

static void
gcry_init (void)
{
  Dl_info info;

  gcry_ok = gcry_check_version ("1.8.0") != NULL;
  /* Stay loaded, as OpenSSL does: nbdkit unloads its plugin (and with it
   * our libraries) at exit, which left what libgcrypt allocated when it
   * initialised unreachable (LeakSanitizer: 192 bytes). */
  if (dladdr ((void *) gcry_check_version, &info) && info.dli_fname)
    dlopen (info.dli_fname, RTLD_NOW | RTLD_NOLOAD | RTLD_NODELETE);
}

/* Keys and IV of d from its secret (RFC 8446 7.3); seq back to 0. */
static int
dir_keys (struct tls_session *s, struct tls_dir *d)
{
  size_t klen = s->hmac == 2 ? 32 : 16;
  uint8_t key[32];
  char err[160];
  int ok;

  if (tls_hkdf_expand_label (s->hmac, d->secret, "key", NULL, 0, key, klen, err,
                             sizeof err) == -1 ||
      tls_hkdf_expand_label (s->hmac, d->secret, "iv", NULL, 0, d->iv,
                             sizeof d->iv, err, sizeof err) == -1) {
    tls_set_last_error ("%s", err);
    return -1;
  }
  pthread_once (&gcry_once, gcry_init);
  if (d->aead == NULL && gcry_ok &&
      gcry_cipher_open (&d->aead,
                        klen == 32 ? GCRY_CIPHER_AES256 : GCRY_CIPHER_AES128,
                        GCRY_CIPHER_MODE_GCM, 0) != 0)
    d->aead = NULL;
  ok = d->aead && gcry_cipher_setkey (d->aead, key, klen) == 0;
  OPENSSL_cleanse (key, sizeof key);
  if (!ok) {
    tls_set_last_error ("cannot set up AES-GCM (libgcrypt %s)",
                        gcry_ok ? "failed" : "older than 1.8");
    return -1;
  }
  d->seq = 0;
  return 0;
}

/* Both directions keyed again from their current secrets, sequence
 * numbers back to 0 (fuzz-tls-record's reset to a kept start). */
int
tls_record_rekey (struct tls_session *s)
{
  return dir_keys (s, &s->tx) == -1 || dir_keys (s, &s->rx) == -1 ? -1 : 0;
}

/* KeyUpdate: the next traffic secret (7.2), and its keys. */
static int
dir_update (struct tls_session *s, struct tls_dir *d)
{
  uint8_t next[48];
  char err[160];

  if (tls_hkdf_expand_label (s->hmac, d->secret, "traffic upd", NULL, 0, next,
                             hash_len (s), err, sizeof err) == -1) {
    tls_set_last_error ("%s", err);
    return -1;
  }
  memcpy (d->secret, next, hash_len (s));
  OPENSSL_cleanse (next, sizeof next);
  return dir_keys (s, d);
}

static void
nonce (const struct tls_dir *d, uint8_t n[12])
{
  int i;

  memcpy (n, d->iv, 12);
  for (i = 0; i < 8; i++)
    n[11 - i] ^= (uint8_t) (d->seq >> (8 * i));
}

int
tls_record_start (struct tls_session *s)
{
  const char *env = getenv ("NVMEOF_TLS_OPENSSL_RECORDS");

  if ((env && strcmp (env, "1") == 0) ||
      (tls_test_openssl_records & (s->server ? 2 : 1)) || !s->have_cts ||
      !s->have_sts || SSL_has_pending (s->ssl)) {
    /* (Whatever OpenSSL read past the handshake would be lost.) */
    OPENSSL_cleanse (s->cts, sizeof s->cts);
    OPENSSL_cleanse (s->sts, sizeof s->sts);
    return 1;
  }
  s->hmac = s->psk.hmac;
  s->cipher_name = SSL_CIPHER_get_name (SSL_get_current_cipher (s->ssl));
  memcpy (s->tx.secret, s->server ? s->sts : s->cts, hash_len (s));
  memcpy (s->rx.secret, s->server ? s->cts : s->sts, hash_len (s));
  OPENSSL_cleanse (s->cts, sizeof s->cts);
  OPENSSL_cleanse (s->sts, sizeof s->sts);
  s->dec = malloc (CIPHER_MAX);
  s->hs = malloc (CIPHER_MAX);
  if (s->dec == NULL || s->hs == NULL) {
    tls_set_last_error ("out of memory");
    errno = ENOMEM;
    return -1;
  }
  if (dir_keys (s, &s->tx) == -1 || dir_keys (s, &s->rx) == -1) {
    errno = EPROTO;
    return -1;
  }
  /* OpenSSL's part is over (its buffers are empty: see above). */
  SSL_free (s->ssl);
  SSL_CTX_free (s->ctx);
  s->ssl = NULL;
  s->ctx = NULL;
  s->fast = true;
  return 0;
}

void
tls_record_free (struct tls_session *s)
{
  gcry_cipher_close (s->tx.aead);
  gcry_cipher_close (s->rx.aead);
  OPENSSL_cleanse (&s->tx, sizeof s->tx);
  OPENSSL_cleanse (&s->rx, sizeof s->rx);
  OPENSSL_cleanse (s->cts, sizeof s->cts);
  OPENSSL_cleanse (s->sts, sizeof s->sts);
  free (s->dec);
  free (s->hs);
}

/* ---- Sending ---------------------------------------------------------------- */

/* Seal want bytes of iov from (*i, *off) as one record of type at the end
 * of out[] (room checked by the caller). */
static int
seal (struct tls_session *s, uint8_t type, const struct iovec *iov, int *i,
      size_t *off, size_t want)
{
  struct tls_dir *d = &s->tx;
  uint8_t *rec = s->out + s->out_end, *p = rec + HDR, n[12];
  size_t clen = want + 1 + TAG;

  rec[0] = CT_APPDATA;
  rec[1] = rec[2] = 3;
  rec[3] = (uint8_t) (clen >> 8);
  rec[4] = (uint8_t) clen;
  nonce (d, n);
  if (gcry_cipher_setiv (d->aead, n, sizeof n) ||
      gcry_cipher_authenticate (d->aead, rec, HDR))
    goto err;
  while (want > 0) {
    size_t k = iov[*i].iov_len - *off;

    if (k == 0) {
      ++*i;
      *off = 0;
      continue;
    }
    if (k > want)
      k = want;
    if (gcry_cipher_encrypt (d->aead, p, k,
                             (const uint8_t *) iov[*i].iov_base + *off, k))
      goto err;
    p += k;
    *off += k;
    want -= k;
  }
  if (gcry_cipher_encrypt (d->aead, p, 1, &type, 1))
    goto err;
  p++;
  if ((size_t) (p - rec) != HDR + clen - TAG ||
      gcry_cipher_gettag (d->aead, p, TAG))
    goto err;
  s->out_end += HDR + clen;
  d->seq++;
  return 0;

err:
  tls_record_error ("AES-GCM failed to seal a record");
  s->tx_failed = true;
  errno = EPROTO;
  return -1;
}

/* A KeyUpdate (not asking for one back) under the old keys, then new. */
static int
send_key_update (struct tls_session *s)
{
  static const uint8_t msg[5] = { HS_KEY_UPDATE, 0, 0, 1, 0 };
  struct iovec v = { (void *) msg, sizeof msg };
  size_t off = 0;
  int i = 0;

  if (seal (s, CT_HANDSHAKE, &v, &i, &off, sizeof msg) == -1)
    return -1;
  if (dir_update (s, &s->tx) == -1) {
    s->tx_failed = true;
    errno = EPROTO;
    return -1;
  }
  return 0;
}

ssize_t
tls_record_send (struct tls_session *s, const struct iovec *iov, int iovcnt,
                 size_t total)
{
  size_t taken = 0, off = 0;
  int i = 0;

  (void) iovcnt;
  if (s->out_start > 0) { /* we are the sender, not sending */
    pthread_mutex_lock (&s->lock);
    memmove (s->out, s->out + s->out_start, s->out_end - s->out_start);
    s->out_end -= s->out_start;
    s->out_start = 0;
    pthread_mutex_unlock (&s->lock);
  }
  if (atomic_load_explicit (&s->ku_send, memory_order_relaxed) &&
      s->out_end + HDR + 5 + 1 + TAG <= OUT_CAP) {
    atomic_store (&s->ku_send, false);
    if (send_key_update (s) == -1)
      return -1;
  }
  while (taken < total) {
    size_t want = total - taken < RECORD_MAX ? total - taken : RECORD_MAX;
    size_t room = OUT_CAP - s->out_end;

    if (room < HDR + 1 + TAG + want) {
      if (room < HDR + 1 + TAG + RECORD_MIN)
        break;
      want = room - HDR - 1 - TAG;
    }
    if (seal (s, CT_APPDATA, iov, &i, &off, want) == -1)
      return -1;
    taken += want;
  }
  return (ssize_t) taken;
}

void
tls_record_close_notify (struct tls_session *s)
{
  static const uint8_t alert[2] = { 1, ALERT_CLOSE };
  struct iovec v = { (void *) alert, sizeof alert };
  size_t off = 0;
  int i = 0;

  if (s->out_end + HDR + 2 + 1 + TAG <= OUT_CAP)
    seal (s, CT_ALERT, &v, &i, &off, sizeof alert);
}

/* ---- Receiving -------------------------------------------------------------- */

/* Where a record's plaintext goes: the caller's buffers, then dec[]. */
struct seg {
  uint8_t *p;
  size_t len;
};
#define MAX_SEGS 8

/* A whole record (or a header no record can have) waits in in[]. */
static bool
have_record (const struct tls_session *s)
{
  size_t avail = s->in_end - s->in_start, len;

  if (avail < HDR)
    return false;
  len = (size_t) s->in[s->in_start + 3] << 8 | s->in[s->in_start + 4];
  return len > CIPHER_MAX || avail >= HDR + len;
}

static int
fail (struct tls_session *s, int e)
{
  s->failed = true;
  errno = e;
  return -1;
}

static uint8_t
seg_byte (const struct seg *sg, size_t pos)
{
  while (pos >= sg->len) {
    pos -= sg->len;
    sg++;
  }
  return sg->p[pos];
}

static void
seg_copy (uint8_t *dst, const struct seg *sg, size_t len)
{
  for (; len > 0; sg++) {
    size_t k = sg->len < len ? sg->len : len;

    memcpy (dst, sg->p, k);
    dst += k;
    len -= k;
  }
}

/* A post-handshake message has come whole in hs[]: obey it. */
static int
handshake_msgs (struct tls_session *s)
{
  while (s->hs_len >= 4) {
    size_t mlen = (size_t) s->hs[1] << 16 | (size_t) s->hs[2] << 8 | s->hs[3];

    if (4 + mlen > CIPHER_MAX) {
      tls_set_last_error ("a post-handshake message of %zu bytes", mlen);
      return fail (s, EPROTO);
    }
    if (4 + mlen > s->hs_len)
      return 0; /* the rest comes in the next record */
    switch (s->hs[0]) {
    case HS_NEW_TICKET:
      break; /* we never resume */
    case HS_KEY_UPDATE:
      /* It must end its record (RFC 8446 5.1): keys change after it. */
      if (mlen != 1 || s->hs[4] > 1 || s->hs_len != 5) {
        tls_set_last_error ("a malformed KeyUpdate");
        return fail (s, EPROTO);
      }
      if (dir_update (s, &s->rx) == -1)
        return fail (s, EPROTO);
      if (s->hs[4] == 1)
        atomic_store (&s->ku_send, true);
      break;
    default:
      tls_set_last_error ("an unexpected post-handshake message (type %u)",
                          s->hs[0]);
      return fail (s, EPROTO);
    }
    s->hs_len -= 4 + mlen;
    memmove (s->hs, s->hs + 4 + mlen, s->hs_len);
  }
  return 0;
}

/* Open the record at in_start into segs (the caller's space, then dec[]).
 * Returns the content length and sets *type, or -1. */
static ssize_t
open_record (struct tls_session *s, struct seg *sg, int nseg, uint8_t *type)
{
  struct tls_dir *d = &s->rx;
  uint8_t *h = s->in + s->in_start, *src = h + HDR, n[12];
  size_t len = (size_t) h[3] << 8 | h[4], inner, pos;
  int k;

  if (h[0] != CT_APPDATA || h[1] != 3 || h[2] != 3 || len < 1 + TAG ||
      len > CIPHER_MAX) {
    tls_set_last_error ("a malformed TLS record (type %u, version %u.%u, "
                        "%zu bytes)",
                        h[0], h[1], h[2], len);
    return fail (s, EPROTO);
  }
  inner = len - TAG;
  if (inner > RECORD_MAX + 1) { /* content, type and padding (5.4) */
    tls_set_last_error ("a TLS record of %zu bytes (record_overflow)", inner);
    return fail (s, EPROTO);
  }
  nonce (d, n);
  if (gcry_cipher_setiv (d->aead, n, sizeof n) ||
      gcry_cipher_authenticate (d->aead, h, HDR))
    goto err;
  for (k = 0; k < nseg; k++) {
    if (gcry_cipher_decrypt (d->aead, sg[k].p, sg[k].len, src, sg[k].len))
      goto err;
    src += sg[k].len;
  }
  if (gcry_cipher_checktag (d->aead, src, TAG)) {
    tls_set_last_error ("a TLS record failed authentication (bad_record_mac: "
                        "corrupted, or not from the peer)");
    return fail (s, EPROTO);
  }
  d->seq++;
  s->in_start += HDR + len;
  /* TLSInnerPlaintext: content, the type, then zeros. */
  for (pos = inner; pos > 0 && seg_byte (sg, pos - 1) == 0; pos--)
    ;
  if (pos == 0) {
    tls_set_last_error ("a TLS record without a content type");
    return fail (s, EPROTO);
  }
  *type = seg_byte (sg, pos - 1);
  return (ssize_t) (pos - 1);

err:
  tls_record_error ("AES-GCM failed to open a record");
  return fail (s, EPROTO);
}

/* Move the caller's cursor n bytes on (n is within the iov). */
static void
advance (const struct iovec *iov, int *i, size_t *off, size_t n)
{
  while (n > 0) {
    size_t k = iov[*i].iov_len - *off;

    if (k > n)
      k = n;
    *off += k;
    n -= k;
    if (*off == iov[*i].iov_len) {
      ++*i;
      *off = 0;
    }
  }
}

/* The next record, into the caller's iov from (*i, *off) as far as it
 * goes and dec[] for the rest.  Returns the bytes given to the caller, or
 * -1. */
static ssize_t
next_record (struct tls_session *s, const struct iovec *iov, int iovcnt, int *i,
             size_t *off)
{
  size_t len = (size_t) s->in[s->in_start + 3] << 8 | s->in[s->in_start + 4];
  size_t inner = len >= TAG ? len - TAG : 0, placed = 0, given;
  struct seg sg[MAX_SEGS + 1];
  int nseg = 0, ci = *i;
  size_t coff = *off;
  ssize_t content;
  uint8_t type;

  while (placed < inner && ci < iovcnt && nseg < MAX_SEGS) {
    size_t k = iov[ci].iov_len - coff;

    if (k == 0) {
      ci++;
      coff = 0;
      continue;
    }
    if (k > inner - placed)
      k = inner - placed;
    sg[nseg].p = (uint8_t *) iov[ci].iov_base + coff;
    sg[nseg++].len = k;
    placed += k;
    coff += k;
  }
  if (placed < inner) {
    sg[nseg].p = s->dec;
    sg[nseg++].len = inner - placed;
  }
  content = open_record (s, sg, nseg, &type);
  if (content < 0)
    return -1;
  s->dec_start = s->dec_end = 0;
  /* A message split over records has no other record between its parts
   * (RFC 8446 5.1). */
  if (s->hs_len > 0 && type != CT_HANDSHAKE) {
    tls_set_last_error ("a TLS record of content type %u inside a split "
                        "post-handshake message (unexpected_message)",
                        type);
    return fail (s, EPROTO);
  }
  switch (type) {
  case CT_APPDATA:
    given = (size_t) content < placed ? (size_t) content : placed;
    if ((size_t) content > placed)
      s->dec_end = (size_t) content - placed;
    advance (iov, i, off, given);
    return (ssize_t) given;
  case CT_ALERT:
    if (content == 2) {
      uint8_t a[2];

      seg_copy (a, sg, 2);
      if (a[1] == ALERT_CLOSE) {
        s->rx_closed = true;
        return 0;
      }
      if (a[1] == ALERT_CANCELED)
        return 0; /* close_notify follows */
      tls_set_last_error ("the peer sent a fatal alert: %s",
                          SSL_alert_desc_string_long (a[1]));
      return fail (s, EPROTO);
    }
    tls_set_last_error ("a malformed alert (%zd bytes)", content);
    return fail (s, EPROTO);
  case CT_HANDSHAKE:
    if ((size_t) content > CIPHER_MAX - s->hs_len) {
      tls_set_last_error ("post-handshake messages too large");
      return fail (s, EPROTO);
    }
    seg_copy (s->hs + s->hs_len, sg, (size_t) content);
    s->hs_len += (size_t) content;
    return handshake_msgs (s) == -1 ? -1 : 0;
  default:
    tls_set_last_error ("an unexpected TLS record (content type %u)", type);
    return fail (s, EPROTO);
  }
}

ssize_t
tls_record_recvv (struct tls_session *s, const struct iovec *iov, int iovcnt)
{
  size_t total = 0, off = 0;
  bool drained = false; /* a recv came back short: the socket is empty */
  int i = 0, e = 0;

  for (;;) {
    size_t asked;
    ssize_t n;

    /* What an earlier record left, then whole records. */
    while (i < iovcnt && !s->failed) {
      if (iov[i].iov_len == off) {
        i++;
        off = 0;
        continue;
      }
      if (s->dec_start < s->dec_end) {
        size_t k = s->dec_end - s->dec_start;

        if (k > iov[i].iov_len - off)
          k = iov[i].iov_len - off;
        memcpy ((uint8_t *) iov[i].iov_base + off, s->dec + s->dec_start, k);
        s->dec_start += k;
        off += k;
        total += k;
        continue;
      }
      if (s->rx_closed || !have_record (s))
        break;
      n = next_record (s, iov, iovcnt, &i, &off);
      if (n < 0)
        break;
      total += (size_t) n;
    }
    if (s->failed) {
      e = EPROTO;
      break;
    }
    if (i == iovcnt || s->rx_closed || drained)
      break;
    n = tls_fill_in (s, &asked);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      e = errno;
      break;
    }
    if (n == 0) {
      s->rx_closed = true; /* the end of the stream, as recv says */
      continue;
    }
    drained = (size_t) n < asked;
  }
  atomic_store_explicit (&s->pending,
                         s->dec_start < s->dec_end ||
                           (!s->rx_closed && !s->failed && have_record (s)),
                         memory_order_relaxed);
  if (total > 0 || s->rx_closed)
    return (ssize_t) total; /* an error shows again next time */
  errno = e ? e : EAGAIN;
  return -1;
}
