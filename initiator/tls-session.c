/* SPDX-License-Identifier: BSD-3-Clause */
/* TLS 1.3 with an external PSK through OpenSSL (see tls-session.h): the
 * buffers, the BIO over them and the data path.  The handshake and its
 * messages are in tls-handshake.c.
 *
 * OpenSSL never touches the socket: its BIO is a pair of our buffers.
 * What it encrypts lands in out[] and tls_flush sends it; what we receive
 * goes to in[] and OpenSSL decrypts it from there.  The lock is held
 * around OpenSSL calls and index updates only: the sender's send(2)
 * reads out[] outside it while the receiver decrypts, and the receiver's
 * recv(2) fills in[] past in_end outside it while the sender encrypts.
 * So out[] is only appended to (and compacted by the sender, which is
 * then not sending), and in[] is compacted by the receiver only.  Nothing
 * is allocated after the handshake. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>

#include "tls-session-int.h"

static __thread char last_error[256];

const char *
tls_last_error (void)
{
  return last_error[0] ? last_error : "no TLS error";
}

void
tls_set_last_error (const char *fmt, ...)
{
  va_list ap;

  va_start (ap, fmt);
  vsnprintf (last_error, sizeof last_error, fmt, ap);
  va_end (ap);
}

int
tls_record_error (const char *what)
{
  unsigned long e;
  size_t n = 0;
  int first = 0;

  while ((e = ERR_get_error ()) != 0) {
    const char *r = ERR_reason_error_string (e);
    char code[48];

    if (r == NULL) {
      snprintf (code, sizeof code, "OpenSSL error %#lx", e);
      r = code;
    }
    if (first == 0)
      first = ERR_GET_REASON (e);
    if (n < sizeof last_error)
      n += (size_t) snprintf (last_error + n, sizeof last_error - n, "%s%s",
                              n ? "; " : "", r);
  }
  if (n == 0)
    snprintf (last_error, sizeof last_error, "%s", what);
  return first;
}

uint64_t
tls_mono_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (uint64_t) ts.tv_sec * 1000 + (uint64_t) ts.tv_nsec / 1000000;
}

int
tls_wait_fd (int fd, short events, uint64_t deadline)
{
  for (;;) {
    struct pollfd pfd = { .fd = fd, .events = events };
    uint64_t now = tls_mono_ms ();
    int r;

    if (now >= deadline)
      return 0;
    r = poll (&pfd, 1, (int) (deadline - now));
    if (r < 0 && errno == EINTR)
      continue;
    return r < 0 ? -1 : r > 0;
  }
}

/* ---- The BIO: OpenSSL's view of our buffers (under the lock) ---------- */

static void
out_compact (struct tls_session *s)
{
  memmove (s->out, s->out + s->out_start, s->out_end - s->out_start);
  s->out_end -= s->out_start;
  s->out_start = 0;
}

static int
bio_write (BIO *b, const char *data, size_t len, size_t *written)
{
  struct tls_session *s = BIO_get_data (b);

  BIO_clear_retry_flags (b);
  if (OUT_CAP - s->out_end < len && !s->sending)
    out_compact (s);
  if (OUT_CAP - s->out_end < len) {
    BIO_set_retry_write (b); /* (tls_send keeps room: not reached) */
    return 0;
  }
  memcpy (s->out + s->out_end, data, len);
  s->out_end += len;
  *written = len;
  return 1;
}

static int
bio_read (BIO *b, char *data, size_t len, size_t *readbytes)
{
  struct tls_session *s = BIO_get_data (b);
  size_t n = s->in_end - s->in_start;

  BIO_clear_retry_flags (b);
  if (n == 0) {
    if (!s->in_eof)
      BIO_set_retry_read (b);
    return 0;
  }
  if (n > len)
    n = len;
  memcpy (data, s->in + s->in_start, n);
  s->in_start += n;
  *readbytes = n;
  return 1;
}

static long
bio_ctrl (BIO *b, int cmd, long num, void *ptr)
{
  (void) b;
  (void) num;
  (void) ptr;
  return cmd == BIO_CTRL_FLUSH; /* OpenSSL flushes after handshake messages */
}

static BIO_METHOD *bio_method;
static pthread_once_t bio_once = PTHREAD_ONCE_INIT;

/* Freed when the library is unloaded (nbdkit dlcloses the plugin). */
__attribute__((__destructor__)) static void
bio_method_free (void)
{
  BIO_meth_free (bio_method);
}

static void
bio_method_init (void)
{
  BIO_METHOD *m = BIO_meth_new (BIO_get_new_index () | BIO_TYPE_SOURCE_SINK,
                                "nvmeof-tls-buffers");

  if (m && BIO_meth_set_write_ex (m, bio_write) &&
      BIO_meth_set_read_ex (m, bio_read) && BIO_meth_set_ctrl (m, bio_ctrl))
    bio_method = m;
  else
    BIO_meth_free (m);
}

/* ---- Socket I/O (system calls without the lock) ------------------------ */

int
tls_flush (struct tls_session *s)
{
  for (;;) {
    size_t start, end;
    ssize_t n;
    int e;

    pthread_mutex_lock (&s->lock);
    if (s->out_start == s->out_end) {
      s->out_start = s->out_end = 0;
      pthread_mutex_unlock (&s->lock);
      return 0;
    }
    start = s->out_start;
    end = s->out_end;
    s->sending = true;
    pthread_mutex_unlock (&s->lock);

    n = send (s->fd, s->out + start, end - start, MSG_NOSIGNAL | MSG_DONTWAIT);
    e = errno;
    pthread_mutex_lock (&s->lock);
    s->sending = false;
    if (n > 0)
      s->out_start += (size_t) n;
    pthread_mutex_unlock (&s->lock);
    if (n < 0 && e != EINTR) {
      errno = e;
      return -1;
    }
  }
}

ssize_t
tls_fill_in (struct tls_session *s, size_t *asked)
{
  size_t end, room;
  ssize_t n;
  int e;

  pthread_mutex_lock (&s->lock);
  if (s->in_start == s->in_end)
    s->in_start = s->in_end = 0;
  else if (s->in_start > 0 && IN_CAP - s->in_end < RECORD_MAX + 512) {
    memmove (s->in, s->in + s->in_start, s->in_end - s->in_start);
    s->in_end -= s->in_start;
    s->in_start = 0;
  }
  end = s->in_end;
  room = IN_CAP - end;
  pthread_mutex_unlock (&s->lock);
  *asked = room;

  n = recv (s->fd, s->in + end, room, MSG_DONTWAIT);
  e = errno;
  pthread_mutex_lock (&s->lock);
  if (n > 0) {
    if (!s->got_bytes) {
      s->got_bytes = true;
      s->first_byte = s->in[end];
    }
    s->in_end += (size_t) n;
  }
  else if (n == 0)
    s->in_eof = true;
  pthread_mutex_unlock (&s->lock);
  errno = e;
  return n;
}

/* ---- Data ---------------------------------------------------------------- */

/* errno for a failed SSL_read/SSL_write (under the lock): EAGAIN, 0 at the
 * end of the stream, else the session failed. */
static int
ssl_errno (struct tls_session *s, int ret)
{
  switch (SSL_get_error (s->ssl, ret)) {
  case SSL_ERROR_WANT_READ:
    return EAGAIN;
  case SSL_ERROR_ZERO_RETURN:
    return 0;
  case SSL_ERROR_SYSCALL:
    tls_record_error ("the connection ended inside a TLS record");
    s->failed = true;
    return ECONNRESET;
  default:
    tls_record_error ("TLS protocol error");
    s->failed = true;
    return EPROTO;
  }
}

/* Gather want bytes from iov at (*i, *off) into s->stage. */
static void
gather (struct tls_session *s, const struct iovec *iov, int *i, size_t *off,
        size_t want)
{
  size_t n = 0;

  while (n < want) {
    size_t k = iov[*i].iov_len - *off;

    if (k == 0) {
      ++*i;
      *off = 0;
      continue;
    }
    if (k > want - n)
      k = want - n;
    memcpy (s->stage + n, (const uint8_t *) iov[*i].iov_base + *off, k);
    n += k;
    *off += k;
  }
}

/* Encrypt what fits in out[] (whole records of up to 16 KiB: large
 * pieces in place, small ones gathered).  Under the lock; -1 if the
 * session failed. */
static ssize_t
encrypt (struct tls_session *s, const struct iovec *iov, int iovcnt,
         size_t total)
{
  size_t taken = 0, off = 0;
  int i = 0;

  if (s->out_start == s->out_end)
    s->out_start = s->out_end = 0;
  else if (s->out_start > 0)
    out_compact (s); /* we are the sender, not sending */
  while (taken < total) {
    size_t want = total - taken < RECORD_MAX ? total - taken : RECORD_MAX;
    size_t room, done;
    const void *p;
    int r;

    if (s->out_end + OUT_RESERVE + RECORD_OVERHEAD >= OUT_CAP)
      break;
    room = OUT_CAP - OUT_RESERVE - RECORD_OVERHEAD - s->out_end;
    if (room < want) {
      if (room < RECORD_MIN)
        break;
      want = room;
    }
    while (i < iovcnt && iov[i].iov_len == off) {
      i++;
      off = 0;
    }
    if (iov[i].iov_len - off >= want) {
      p = (const uint8_t *) iov[i].iov_base + off;
      off += want;
    }
    else {
      gather (s, iov, &i, &off, want);
      p = s->stage;
    }
    ERR_clear_error ();
    r = SSL_write_ex (s->ssl, p, want, &done);
    if (r <= 0) {
      int e = ssl_errno (s, r);

      if (e == EAGAIN || e == 0) {
        tls_record_error ("OpenSSL could not write a record");
        s->failed = true;
        e = EPROTO;
      }
      errno = e;
      return -1;
    }
    taken += want;
  }
  return (ssize_t) taken;
}

ssize_t
tls_send (struct tls_session *s, const struct iovec *iov, int iovcnt)
{
  size_t total = 0;
  ssize_t taken;
  bool retried = false;
  int i;

  for (i = 0; i < iovcnt; i++)
    total += iov[i].iov_len;
  if (total == 0)
    return 0;
  if (s->fast) {
    if (s->tx_failed) {
      errno = EPROTO;
      return -1;
    }
    taken = tls_record_send (s, iov, iovcnt, total);
    if (taken < 0)
      return -1;
    retried = true; /* a full out[] is sent below */
    goto sent;
  }
again:
  pthread_mutex_lock (&s->lock);
  if (s->failed) {
    pthread_mutex_unlock (&s->lock);
    errno = EPROTO;
    return -1;
  }
  taken = encrypt (s, iov, iovcnt, total);
  pthread_mutex_unlock (&s->lock);
  if (taken < 0)
    return -1;
sent:
  if (tls_flush (s) < 0 && errno != EAGAIN)
    return -1;
  if (taken == 0 && s->fast) {
    taken = tls_record_send (s, iov, iovcnt, total); /* room now? */
    if (taken < 0)
      return -1;
    if (taken > 0 && tls_flush (s) < 0 && errno != EAGAIN)
      return -1;
  }
  if (taken == 0 && !retried) {
    retried = true; /* the flush may have made room */
    goto again;
  }
  if (taken == 0) {
    errno = EAGAIN;
    return -1;
  }
  return taken;
}

/* Could a tls_recv return data without the socket: decrypted bytes, or
 * ciphertext not yet looked at?  Not after OpenSSL asked for more (what
 * it holds is part of a record).  A partial record left when the caller's
 * buffer filled up counts: the next tls_recv finds EAGAIN and clears it.
 * Under the lock. */
static void
update_pending (struct tls_session *s, bool want_read)
{
  bool p = !want_read && (SSL_pending (s->ssl) > 0 ||
                          SSL_has_pending (s->ssl) || s->in_start < s->in_end);

  atomic_store_explicit (&s->pending, p, memory_order_relaxed);
}

ssize_t
tls_recvv (struct tls_session *s, const struct iovec *iov, int iovcnt)
{
  size_t total = 0, off = 0;
  bool drained = false; /* a recv came back short: the socket is empty */
  int i = 0;

  if (s->fast)
    return tls_record_recvv (s, iov, iovcnt);
  for (;;) {
    size_t asked;
    ssize_t n;
    int r = 1, e = 0;

    pthread_mutex_lock (&s->lock);
    if (s->failed) {
      pthread_mutex_unlock (&s->lock);
      if (total > 0)
        return (ssize_t) total;
      errno = EPROTO;
      return -1;
    }
    while (i < iovcnt) {
      size_t got;

      if (iov[i].iov_len == off) {
        i++;
        off = 0;
        continue;
      }
      ERR_clear_error ();
      r = SSL_read_ex (s->ssl, (uint8_t *) iov[i].iov_base + off,
                       iov[i].iov_len - off, &got);
      if (r <= 0)
        break;
      off += got;
      total += got;
    }
    if (r <= 0)
      e = ssl_errno (s, r);
    update_pending (s, r <= 0 && e == EAGAIN);
    pthread_mutex_unlock (&s->lock);

    if (i == iovcnt || e == 0 || (e != EAGAIN && total > 0))
      return (ssize_t) total; /* an error shows again next time */
    if (e != EAGAIN) {
      errno = e;
      return -1;
    }
    if (drained) {
      if (total > 0)
        return (ssize_t) total;
      errno = EAGAIN;
      return -1;
    }
    n = tls_fill_in (s, &asked);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      if (total > 0)
        return (ssize_t) total;
      return -1;
    }
    /* (n == 0: OpenSSL reads the end of the stream next.) */
    drained = n > 0 && (size_t) n < asked;
  }
}

ssize_t
tls_recv (struct tls_session *s, void *buf, size_t len)
{
  struct iovec iov = { .iov_base = buf, .iov_len = len };

  return tls_recvv (s, &iov, 1);
}

bool
tls_pending (struct tls_session *s)
{
  return atomic_load_explicit (&s->pending, memory_order_relaxed);
}

const char *
tls_cipher (struct tls_session *s)
{
  const SSL_CIPHER *c;

  if (s->fast)
    return s->cipher_name;
  pthread_mutex_lock (&s->lock);
  c = SSL_get_current_cipher (s->ssl);
  pthread_mutex_unlock (&s->lock);
  return c ? SSL_CIPHER_get_name (c) : "none";
}

/* ---- Sessions ------------------------------------------------------------ */

void
tls_session_free (struct tls_session *s)
{
  if (s == NULL)
    return;
  SSL_free (s->ssl); /* and the BIO */
  SSL_CTX_free (s->ctx);
  tls_record_free (s);
  OPENSSL_cleanse (&s->psk, sizeof s->psk);
  free (s->out);
  free (s->in);
  free (s->stage);
  pthread_mutex_destroy (&s->lock);
  free (s);
}

struct tls_session *
tls_session_new (int fd, bool server, char *err, size_t errlen)
{
  struct tls_session *s = calloc (1, sizeof *s);
  BIO *bio;
  int fl;

  pthread_once (&bio_once, bio_method_init);
  if (s == NULL) {
    snprintf (err, errlen, "out of memory");
    errno = ENOMEM;
    return NULL;
  }
  pthread_mutex_init (&s->lock, NULL);
  s->fd = fd;
  s->server = server;
  s->alert_rcvd = s->alert_sent = -1;
  s->out = malloc (OUT_CAP);
  s->in = malloc (IN_CAP);
  s->stage = malloc (RECORD_MAX);
  if (s->out == NULL || s->in == NULL || s->stage == NULL) {
    snprintf (err, errlen, "out of memory");
    errno = ENOMEM;
    goto err;
  }
  fl = fcntl (fd, F_GETFL);
  if (fl < 0 || fcntl (fd, F_SETFL, fl | O_NONBLOCK) < 0) {
    snprintf (err, errlen, "fcntl: %s", strerror (errno));
    goto err;
  }
  ERR_clear_error ();
  s->ctx = SSL_CTX_new (server ? TLS_server_method () : TLS_client_method ());
  if (s->ctx == NULL || bio_method == NULL ||
      !SSL_CTX_set_min_proto_version (s->ctx, TLS1_3_VERSION) ||
      !SSL_CTX_set_max_proto_version (s->ctx, TLS1_3_VERSION))
    goto ossl_err;
  /* No tickets, no resumption; the end of the stream without close_notify
   * reads as the end, as recv says. */
  SSL_CTX_set_options (s->ctx, SSL_OP_NO_TICKET | SSL_OP_IGNORE_UNEXPECTED_EOF);
  SSL_CTX_set_session_cache_mode (s->ctx, SSL_SESS_CACHE_OFF);
  SSL_CTX_set_keylog_callback (s->ctx, tls_keylog_cb); /* tls-record.c */
  s->ssl = SSL_new (s->ctx);
  bio = s->ssl ? BIO_new (bio_method) : NULL;
  if (bio == NULL)
    goto ossl_err;
  BIO_set_data (bio, s);
  BIO_set_init (bio, 1);
  SSL_set_bio (s->ssl, bio, bio); /* one BIO for both directions */
  SSL_set_app_data (s->ssl, s);
  return s;

ossl_err:
  tls_record_error ("cannot set up OpenSSL");
  snprintf (err, errlen, "TLS: %s", tls_last_error ());
  errno = EPROTO;
err:
  tls_session_free (s);
  return NULL;
}

void
tls_close (struct tls_session *s)
{
  if (s == NULL)
    return;
  pthread_mutex_lock (&s->lock);
  if (s->fast && !s->tx_failed)
    tls_record_close_notify (s);
  else if (!s->failed && SSL_is_init_finished (s->ssl)) {
    ERR_clear_error ();
    SSL_shutdown (s->ssl); /* close_notify into out[] */
  }
  pthread_mutex_unlock (&s->lock);
  if (tls_flush (s) < 0) {
    /* Best effort: the socket may be full or shut down. */
  }
  ERR_clear_error ();
  tls_session_free (s);
}
