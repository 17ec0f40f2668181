/* SPDX-License-Identifier: BSD-3-Clause */
/* Fuzz target for our TLS 1.3 record layer's receive direction
 * (initiator/tls-record.c through tls_recvv): headers, lengths, the tag
 * check, the inner content type and padding, alerts and post-handshake
 * messages (KeyUpdate, NewSessionTicket, others, split or truncated).
 *
 * Two sessions without a handshake (made once per hash, every input starting
 * from the same kept state: see session): each is made by tls_session_new and
 * given the same traffic secrets as the key log would, then switched to
 * our record layer by tls_record_start (the library's key derivation).
 * The client end receives on one end of a socketpair; the server end's
 * tx direction seals what the harness sends (tls_record_send for plain
 * application data; else the harness seals fuzz-chosen inner plaintext
 * with that direction's AES-GCM handle, IV and sequence number, and
 * when a KeyUpdate is to take effect, moves the sender on by the
 * library's own KeyUpdate path).  The stream is written in fuzz-chosen
 * chunks and read with fuzz-chosen iovecs after each (the first 256
 * sends and reads of an input; then chunks of at least 4 KiB and 64 KiB
 * reads, so that no input costs tens of thousands of system calls: a
 * 16 KiB record sent a byte at a time did, and such inputs took 94 % of
 * a campaign's time).
 *   byte 0   hash (bit 0: SHA-384), end of stream after the records (bit 1);
 *   then operations, each a byte (kind: bits 0-2, flags: bits 3-7) and
 *   its arguments (see build_stream); missing bytes read as zeros.
 * A model of the receiver (what RFC 8446 5.1-5.4, 4.6.3 and 6 ask, as
 * tls-record.c reads them) says what must come out.  Invariants: no
 * crash, UB or leak; tls_recvv hands up exactly the application data
 * sealed before the first error or close_notify, in order, and writes
 * nothing outside the caller's buffers (guard bytes); a record whose tag
 * fails reports no byte; after an error (-1 EPROTO with one bounded line
 * from tls_last_error) or the end (0) nothing more is returned.
 *
 * libFuzzer: scripts/fuzz.sh (make fuzz) builds and runs it.
 * Built-in driver (the unit test "unit/fuzz-tls-record"): see driver.c. */
#include <config.h>

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <openssl/evp.h>

#include "tls-session-int.h"
#include "driver.h"

#define HDR         5
#define TAG         16
#define CIPHER_MAX  (RECORD_MAX + 256)
#define INNER_MAX   (RECORD_MAX + 1)
#define MAX_RECORDS 64
#define MAX_SCHED   16
#define GUARD       32
#define PIECE_MAX   65536
#define MAX_SMALL   256 /* sends and reads as the input says; then large */
#define NO_ERROR    "no TLS error"

enum end { OPEN, CLOSED, ERROR };

/* The input, read byte by byte (zeros past its end). */
struct input {
  const uint8_t *p;
  size_t n, pos;
};

static uint8_t
get8 (struct input *in)
{
  return in->pos < in->n ? in->p[in->pos++] : 0;
}

static size_t
get16 (struct input *in)
{
  size_t hi = get8 (in);

  return hi << 8 | get8 (in);
}

/* Copy up to len input bytes to dst (zeros past the end). */
static void
get_bytes (struct input *in, uint8_t *dst, size_t len)
{
  size_t k = in->n - in->pos < len ? in->n - in->pos : len;

  memcpy (dst, in->p + in->pos, k);
  memset (dst + k, 0, len - k);
  in->pos += k;
}

/* A growing byte buffer. */
struct buf {
  uint8_t *p;
  size_t len, cap;
};

static uint8_t *
buf_room (struct buf *b, size_t n)
{
  if (b->len + n > b->cap) {
    size_t cap = b->cap ? b->cap : 65536;

    while (cap < b->len + n)
      cap *= 2;
    b->p = realloc (b->p, cap);
    if (b->p == NULL)
      FAILED ("out of memory");
    b->cap = cap;
  }
  return b->p + b->len;
}

static void
buf_add (struct buf *b, const void *p, size_t n)
{
  if (n > 0)
    memcpy (buf_room (b, n), p, n);
  b->len += n;
}

/* Where the stream changes chunk size or receive layout. */
struct sched {
  size_t from, chunk;
  uint8_t layout;
};

/* Everything one input builds. */
struct run {
  struct tls_session *rx, *tx; /* receiver; the sender's tx direction */
  int fds[2];
  struct buf stream;      /* ciphertext for the receiver */
  struct buf expected;    /* the application data it must hand up */
  enum end end;           /* what the model says the stream ends in */
  uint8_t hs[CIPHER_MAX]; /* the model's post-handshake bytes */
  size_t hs_len;
  bool ku_pending; /* an accepted KeyUpdate: the sender moves on */
  struct sched sched[MAX_SCHED];
  int nsched;
  bool eof;
};

/* ---- The model of the receiver ----------------------------------------- */

static void
model_handshake (struct run *r, const uint8_t *c, size_t len)
{
  if (len > CIPHER_MAX - r->hs_len) {
    r->end = ERROR;
    return;
  }
  memcpy (r->hs + r->hs_len, c, len);
  r->hs_len += len;
  while (r->hs_len >= 4) {
    size_t mlen = (size_t) r->hs[1] << 16 | (size_t) r->hs[2] << 8 | r->hs[3];

    if (4 + mlen > CIPHER_MAX) {
      r->end = ERROR;
      return;
    }
    if (4 + mlen > r->hs_len)
      return;
    if (r->hs[0] == 24) {
      /* One byte, 0 or 1, and the last thing in its record. */
      if (mlen != 1 || r->hs[4] > 1 || r->hs_len != 5) {
        r->end = ERROR;
        return;
      }
      r->ku_pending = true;
    }
    else if (r->hs[0] != 4) {
      r->end = ERROR;
      return;
    }
    r->hs_len -= 4 + mlen;
    memmove (r->hs, r->hs + 4 + mlen, r->hs_len);
  }
}

/* What the receiver must make of a record whose tag is right. */
static void
model_record (struct run *r, const uint8_t *inner, size_t len)
{
  size_t pos;
  uint8_t type;

  if (r->end != OPEN)
    return;
  if (len > INNER_MAX) {
    r->end = ERROR;
    return;
  }
  for (pos = len; pos > 0 && inner[pos - 1] == 0; pos--)
    ;
  if (pos == 0) {
    r->end = ERROR;
    return;
  }
  type = inner[pos - 1];
  if (r->hs_len > 0 && type != 22) { /* inside a split message (5.1) */
    r->end = ERROR;
    return;
  }
  switch (type) {
  case 23:
    buf_add (&r->expected, inner, pos - 1);
    break;
  case 21:
    if (pos - 1 != 2 || (inner[1] != 0 && inner[1] != 90))
      r->end = ERROR;
    else if (inner[1] == 0)
      r->end = CLOSED;
    break;
  case 22:
    model_handshake (r, inner, pos - 1);
    break;
  default:
    r->end = ERROR;
  }
}

/* ---- The sender ---------------------------------------------------------- */

/* Seal inner (content, type, padding) as one record with the sender's
 * keys, into the stream; the model reads it. */
static void
seal_inner (struct run *r, const uint8_t *inner, size_t len)
{
  struct tls_dir *d = &r->tx->tx;
  size_t clen = len + TAG;
  uint8_t *rec = buf_room (&r->stream, HDR + clen), n[12];
  int i;

  rec[0] = 23;
  rec[1] = rec[2] = 3;
  rec[3] = (uint8_t) (clen >> 8);
  rec[4] = (uint8_t) clen;
  memcpy (n, d->iv, 12);
  for (i = 0; i < 8; i++)
    n[11 - i] ^= (uint8_t) (d->seq >> (8 * i));
  if (gcry_cipher_setiv (d->aead, n, sizeof n) ||
      gcry_cipher_authenticate (d->aead, rec, HDR) ||
      (len > 0 && gcry_cipher_encrypt (d->aead, rec + HDR, len, inner, len)) ||
      gcry_cipher_gettag (d->aead, rec + HDR + len, TAG))
    FAILED ("AES-GCM failed to seal");
  d->seq++;
  r->stream.len += HDR + clen;
  model_record (r, inner, len);
}

/* After a KeyUpdate the receiver accepted: the sender's next keys, by
 * the library's own path (its KeyUpdate record is dropped: ours went). */
static void
sender_key_update (struct run *r)
{
  if (!r->ku_pending)
    return;
  r->ku_pending = false;
  atomic_store (&r->tx->ku_send, true);
  if (tls_record_send (r->tx, NULL, 0, 0) != 0 || r->tx->tx.seq != 0)
    FAILED ("the sender's KeyUpdate: %s", tls_last_error ());
  r->tx->out_start = r->tx->out_end = 0;
}

/* content, type and pad zeros, sealed. */
static void
seal (struct run *r, uint8_t type, const uint8_t *content, size_t len,
      size_t pad)
{
  static uint8_t inner[INNER_MAX + 256];

  if (len > RECORD_MAX)
    len = RECORD_MAX;
  if (len + 1 + pad > sizeof inner)
    pad = sizeof inner - len - 1;
  memcpy (inner, content, len);
  inner[len] = type;
  memset (inner + len + 1, 0, pad);
  seal_inner (r, inner, len + 1 + pad);
  sender_key_update (r);
}

/* Application data sealed by the library (tls_record_send). */
static void
send_appdata (struct run *r, const uint8_t *p, size_t len)
{
  struct iovec v = { (void *) p, len };

  if (tls_record_send (r->tx, &v, 1, len) != (ssize_t) len)
    FAILED ("tls_record_send: %s", tls_last_error ());
  buf_add (&r->stream, r->tx->out, r->tx->out_end);
  r->tx->out_start = r->tx->out_end = 0;
  if (r->end == OPEN && r->hs_len > 0)
    r->end = ERROR; /* inside a split message */
  else if (r->end == OPEN)
    buf_add (&r->expected, p, len);
}

/* ---- The input's operations ---------------------------------------------- */

/* A header and body no key sealed (or the start of one, ending it all).
 * Returns false when the stream ends here. */
static bool
raw_record (struct run *r, struct input *in, uint8_t flags)
{
  uint8_t h[HDR];
  size_t len, body, cut;
  uint8_t *p;

  if (flags & 2)
    get_bytes (in, h, HDR);
  else {
    len = get16 (in);
    h[0] = 23;
    h[1] = h[2] = 3;
    h[3] = (uint8_t) (len >> 8);
    h[4] = (uint8_t) len;
  }
  len = (size_t) h[3] << 8 | h[4];
  body = len > CIPHER_MAX ? len % 64 : len;
  p = buf_room (&r->stream, HDR + body);
  memcpy (p, h, HDR);
  get_bytes (in, p + HDR, body);
  if (flags & 4) { /* the stream ends inside this record */
    cut = get16 (in) % (HDR + body);
    r->stream.len += cut;
    if (r->end == OPEN && cut >= HDR && len > CIPHER_MAX)
      r->end = ERROR;
    return false;
  }
  r->stream.len += HDR + body;
  if (r->end == OPEN)
    r->end = ERROR; /* malformed, too long, or its tag fails */
  return true;
}

static void
handshake_records (struct run *r, const uint8_t *msg, size_t len, size_t split)
{
  size_t off = 0;

  if (split == 0 || split > RECORD_MAX)
    split = RECORD_MAX;
  do {
    size_t k = len - off < split ? len - off : split;

    seal (r, 22, msg + off, k, 0);
    off += k;
  } while (off < len);
}

static void
build_stream (struct run *r, struct input *in)
{
  static uint8_t c[RECORD_MAX + 8];
  int rec;

  for (rec = 0; rec < MAX_RECORDS && in->pos < in->n; rec++) {
    uint8_t op = get8 (in), kind = op & 7, flags = op >> 3;
    size_t len, pad;

    switch (kind) {
    case 0: /* application data, sealed by the library */
      len = flags & 1 ? get16 (in) % (RECORD_MAX + 1) : get8 (in);
      get_bytes (in, c, len);
      if (len > 0)
        send_appdata (r, c, len);
      break;
    case 1: /* application data with padding (to record_overflow) */
      len = flags & 1 ? get16 (in) % (RECORD_MAX + 1) : get8 (in);
      get_bytes (in, c, len);
      pad = flags & 2 ? get16 (in) % (INNER_MAX + 64) : get8 (in) % 16;
      seal (r, 23, c, len, pad);
      break;
    case 2: /* any inner type (0: the padding scan goes on into the content) */
      c[RECORD_MAX] = get8 (in);
      len = get8 (in);
      get_bytes (in, c, len);
      seal (r, c[RECORD_MAX], c, len, flags & 2 ? get8 (in) : 0);
      break;
    case 3: /* an alert: close_notify, user_canceled, or fuzz-chosen */
      c[0] = get8 (in);
      c[1] = flags & 1 ? 0 : flags & 2 ? 90 : get8 (in);
      seal (r, 21, c, 2, flags & 4 ? get8 (in) % 8 : 0);
      break;
    case 4: /* a KeyUpdate, maybe after a ticket or before a message */
      len = 0;
      if (flags & 8) {
        memcpy (c, "\x04\x00\x00\x01\x00", 5);
        len = 5;
      }
      memcpy (c + len, "\x18\x00\x00\x01", 4);
      c[len + 4] = flags & 1 ? get8 (in) : (flags >> 1) & 1;
      len += 5;
      if (flags & 4) {
        memcpy (c + len, "\x04\x00\x00\x00", 4);
        len += 4;
      }
      handshake_records (r, c, len, flags & 16 ? 1 + get8 (in) % len : 0);
      break;
    case 5: /* a NewSessionTicket, in records of a fuzz-chosen size */
      len = flags & 1 ? get16 (in) % (RECORD_MAX + 1) : get8 (in);
      c[0] = 4;
      c[1] = (uint8_t) (len >> 16);
      c[2] = (uint8_t) (len >> 8);
      c[3] = (uint8_t) len;
      get_bytes (in, c + 4, len);
      handshake_records (r, c, 4 + len, flags & 2 ? get16 (in) : 0);
      break;
    case 6: /* a handshake message whose length may lie */
      c[0] = get8 (in);
      len = flags & 1 ? (size_t) get8 (in) << 16 | get16 (in) : get8 (in);
      c[1] = (uint8_t) (len >> 16);
      c[2] = (uint8_t) (len >> 8);
      c[3] = (uint8_t) len;
      len = get8 (in);
      get_bytes (in, c + 4, len);
      seal (r, 22, c, 4 + len, 0);
      break;
    case 7:
      if (flags & 1) { /* from here: chunks and iovecs */
        if (r->nsched < MAX_SCHED) {
          r->sched[r->nsched].from = r->stream.len;
          r->sched[r->nsched].chunk = 1 + get16 (in);
          r->sched[r->nsched++].layout = get8 (in);
        }
      }
      else if (!raw_record (r, in, flags))
        return;
      break;
    }
  }
}

/* ---- The receiver ------------------------------------------------------- */

static uint8_t pieces[3][GUARD + PIECE_MAX + GUARD];
static const size_t piece_sizes[] = {
  1, 7, 100, 4096, 16383, 16385, 65536, 24
};
#define NPIECE (sizeof piece_sizes / sizeof piece_sizes[0])

struct rx_state {
  size_t got;   /* application bytes handed up */
  int terminal; /* 0, or 1: returned 0, 2: returned -1 EPROTO */
  size_t calls; /* tls_recvv calls so far */
};

/* The guard bytes around the pieces: set before an input, checked after
 * each drain (a stray write stays until then; a check per call made a
 * stream read a byte at a time cost most of the run). */
static void
set_guards (void)
{
  int k;

  for (k = 0; k < 3; k++) {
    memset (pieces[k], 0xA5, GUARD);
    memset (pieces[k] + GUARD + PIECE_MAX, 0xA5, GUARD);
  }
}

static void
check_guards (void)
{
  static const uint8_t guard[GUARD] = {
    [0 ... GUARD - 1] = 0xA5,
  };
  int k;

  for (k = 0; k < 3; k++)
    if (memcmp (pieces[k], guard, GUARD) != 0 ||
        memcmp (pieces[k] + GUARD + PIECE_MAX, guard, GUARD) != 0)
      FAILED ("a byte written outside the caller's buffer %d", k);
}

/* Read until the receiver has nothing more (or has ended). */
static void
drain_some (struct run *r, struct rx_state *st, uint8_t layout)
{
  int calls;

  for (calls = 0; calls < 100000; calls++) {
    struct iovec iov[3];
    int cnt, k;
    ssize_t n;
    size_t left;

    if (++st->calls > MAX_SMALL)
      layout = 6 * 3; /* the rest in pieces of 64 KiB */
    cnt = 1 + layout % 3;

    for (k = 0; k < cnt; k++) {
      iov[k].iov_base = pieces[k] + GUARD;
      iov[k].iov_len = piece_sizes[(layout / 3 + (unsigned) k * 5) % NPIECE];
    }
    errno = 0;
    n = tls_recvv (r->rx, iov, cnt);
    if (n > 0) {
      if (st->terminal)
        FAILED ("%zd bytes after the %s", n,
                st->terminal == 1 ? "end" : "error");
      if (st->got + (size_t) n > r->expected.len)
        FAILED ("%zd bytes handed up after %zu, of %zu sealed", n, st->got,
                r->expected.len);
      left = (size_t) n;
      for (k = 0; k < cnt && left > 0; k++) {
        size_t m = iov[k].iov_len < left ? iov[k].iov_len : left;

        if (memcmp (iov[k].iov_base, r->expected.p + st->got, m) != 0)
          FAILED ("bytes %zu-%zu differ from what was sealed", st->got,
                  st->got + m);
        st->got += m;
        left -= m;
      }
      continue;
    }
    if (n == 0) {
      if (st->terminal == 2)
        FAILED ("the end after an error");
      if (r->end == ERROR || (r->end == OPEN && !r->eof))
        FAILED ("the end, but the model says %s",
                r->end == ERROR ? "an error" : "more may come");
      if (st->got != r->expected.len)
        FAILED ("the end after %zu of %zu bytes", st->got, r->expected.len);
      if (st->terminal == 1)
        return;
      st->terminal = 1;
      continue; /* once more: still the end */
    }
    if (errno == EAGAIN) {
      if (st->terminal)
        FAILED ("EAGAIN after the %s", st->terminal == 1 ? "end" : "error");
      return;
    }
    if (errno != EPROTO)
      FAILED ("tls_recvv: %s", strerror (errno));
    {
      const char *e = tls_last_error ();
      size_t elen = strlen (e);

      if (st->terminal == 1)
        FAILED ("an error after the end: %s", e);
      if (st->terminal == 0) {
        if (strcmp (e, NO_ERROR) == 0 || elen == 0 || elen >= 255 ||
            strchr (e, '\n') || strchr (e, '\r'))
          FAILED ("an error without one bounded line: '%s'", e);
        if (r->end != ERROR)
          FAILED ("an error the model does not expect: %s", e);
        if (st->got != r->expected.len)
          FAILED ("an error after %zu of %zu bytes: %s", st->got,
                  r->expected.len, e);
        st->terminal = 2;
        continue; /* once more: still the error */
      }
      return;
    }
  }
  FAILED ("tls_recvv does not stop");
}

static void
drain (struct run *r, struct rx_state *st, uint8_t layout)
{
  drain_some (r, st, layout);
  check_guards ();
}

/* Making a session costs an SSL_CTX and an SSL object (freed again by
 * tls_record_start): far more than an input's records.  So one session
 * per hash and end is made once, its state just after tls_record_start
 * kept, and every input starts from a copy of that state with the
 * AES-GCM handles keyed again from its secrets (a KeyUpdate re-keys them
 * in place): the same start for every input, as a reproducer needs. */
struct kept {
  struct tls_session *s;
  struct tls_session start; /* *s as tls_record_start left it */
};
static struct kept kept[2][2]; /* [SHA-384][server] */

static struct tls_session *
session (int fd, bool server, uint8_t hmac)
{
  struct kept *k = &kept[hmac - 1][server];
  size_t i;

  if (k->s == NULL) {
    char err[256];

    k->s = tls_session_new (fd, server, err, sizeof err);
    if (k->s == NULL)
      FAILED ("tls_session_new: %s", err);
    k->s->psk.hmac = hmac;
    for (i = 0; i < sizeof k->s->cts; i++) {
      k->s->cts[i] = (uint8_t) (0x11 + i * 3);
      k->s->sts[i] = (uint8_t) (0x5c ^ i * 7);
    }
    k->s->have_cts = k->s->have_sts = true;
    if (tls_record_start (k->s) != 0)
      FAILED ("tls_record_start: %s", tls_last_error ());
    memcpy (&k->start, k->s, sizeof k->start);
  }
  memcpy (k->s, &k->start, sizeof *k->s);
  k->s->fd = fd;
  if (tls_record_rekey (k->s) != 0)
    FAILED ("tls_record_rekey: %s", tls_last_error ());
  return k->s;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  static struct run r;
  struct input in = { data, size, 0 };
  struct rx_state st = { 0, 0, 0 };
  uint8_t mode = get8 (&in);
  size_t pos = 0;
  int s = 0, stuck = 0;
  size_t sends = 0, chunk;

  if (size > 65536)
    return 0;
  set_guards ();
  r.stream.len = r.expected.len = 0;
  r.end = OPEN;
  r.hs_len = 0;
  r.ku_pending = false;
  r.eof = false;
  r.sched[0].from = 0;
  r.sched[0].chunk = 16 * 1024;
  r.sched[0].layout = 6 * 3; /* one piece of 64 KiB */
  r.nsched = 1;
  /* (Non-blocking, as tls_session_new would make them.) */
  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0,
                  r.fds) < 0)
    FAILED ("socketpair: %s", strerror (errno));
  r.rx = session (r.fds[0], false, mode & 1 ? 2 : 1);
  r.tx = session (r.fds[1], true, mode & 1 ? 2 : 1);
  build_stream (&r, &in);
  /* (A failure's line stays until the next: tls_recvv reports a failure
   * after the bytes before it, on the next call, with the same line.) */
  tls_set_last_error ("%s", "");

  while (pos < r.stream.len) {
    size_t k;
    ssize_t n;

    while (s + 1 < r.nsched && r.sched[s + 1].from <= pos)
      s++;
    chunk = r.sched[s].chunk;
    if (++sends > MAX_SMALL && chunk < 4096)
      chunk = 4096;
    k = r.stream.len - pos < chunk ? r.stream.len - pos : chunk;
    n = send (r.fds[1], r.stream.p + pos, k, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      pos += (size_t) n;
      stuck = 0;
    }
    else if (n < 0 && errno != EAGAIN && errno != EINTR)
      FAILED ("send: %s", strerror (errno));
    else if (st.terminal)
      break; /* the receiver has stopped reading: rightly */
    else if (++stuck > 1000)
      FAILED ("the receiver reads no more");
    drain (&r, &st, r.sched[s].layout);
  }
  if (mode & 2) {
    r.eof = true;
    shutdown (r.fds[1], SHUT_WR);
  }
  drain (&r, &st, r.sched[s].layout);
  if (!st.terminal) {
    if (r.end != OPEN || r.eof)
      FAILED ("EAGAIN, but the model says %s",
              r.end == ERROR ? "an error" : "the end");
    if (st.got != r.expected.len)
      FAILED ("%zu of %zu bytes handed up", st.got, r.expected.len);
  }

  close (r.fds[0]); /* (the sessions are kept: see session) */
  close (r.fds[1]);
  return 0;
}

#ifndef FUZZ_LIBFUZZER
/* ---- Seeds for the built-in driver (driver.c) -------------------------- */

static const struct {
  size_t len;
  const char *bytes;
} seeds[] = {
#define S(s) \
  { \
    sizeof s - 1, s \
  }
  /* Data, then close_notify; the end of the stream. */
  S ("\x02"
     "\x00\x05hello"
     "\x0b\x01"),
  /* SHA-384: padded data, a KeyUpdate asking for ours, data after it. */
  S ("\x01"
     "\x01\x03"
     "abc\x05"
     "\x14"
     "\x00\x04"
     "data"
     "\x04"),
  /* A ticket split over records, a KeyUpdate after a ticket, data. */
  S ("\x03"
     "\x15\x08ticketxx\x00\x03"
     "\x44"
     "\x00\x02ok"
     "\x1b\x00"),
  /* A KeyUpdate not at the end of its record; a bad request_update. */
  S ("\x00"
     "\x24"
     "\x00\x01x"),
  S ("\x00"
     "\x0c\x07"
     "\x00\x01x"),
  /* Data inside a split ticket (RFC 8446 5.1: refused). */
  S ("\x02"
     "\x06\x04\x08\x02"
     "ab"
     "\x00\x02"
     "hi"),
  /* Another handshake message; one whose length lies. */
  S ("\x00"
     "\x06\x01\x05\x02"
     "ab"),
  S ("\x02"
     "\x0e\x04\xff\xff\xff\x01z"),
  /* Inner types: none (all zeros), unknown, a handshake with nothing. */
  S ("\x00"
     "\x12\x00\x03\x00\x00\x00\x04"),
  S ("\x00"
     "\x02\x99\x01q"),
  /* A fatal alert; user_canceled then data; a long alert. */
  S ("\x02"
     "\x00\x01"
     "a"
     "\x03\x02\x28"
     "\x00\x01"
     "b"),
  S ("\x02"
     "\x13\x01"
     "\x00\x02zz"
     "\x0b\x01"),
  S ("\x00"
     "\x02\x15\x03\x01\x00\x00"),
  /* record_overflow by padding; the longest record that fits. */
  S ("\x00"
     "\x19\x00\x01x\x40\x10"),
  S ("\x02"
     "\x19\x00\x01x\x3f\xff"),
  /* Raw records: a forged one; a bad header; too long; truncated. */
  S ("\x02"
     "\x00\x02hi"
     "\x07\x00\x20"),
  S ("\x00"
     "\x17\x16\x03\x01\x00\x20"),
  S ("\x02"
     "\x17\x17\x03\x03\x48\x00"),
  S ("\x02"
     "\x00\x02hi"
     "\x27\x00\x04"
     "abcd\x00\x07"),
  /* Small chunks and several small iovecs; then whole records. */
  S ("\x02"
     "\x0f\x00\x02\x0b"
     "\x08\x00\x30"
     "abcdefghijklmnopqrstuvwxyz0123456789"
     "ABCDEFGHIJKL"
     "\x0f\x40\x00\x12"
     "\x08\x00\x10"
     "ABCDEFGHIJKLMNOP"
     "\x0b\x01"),
#undef S
};

static size_t
seed (size_t i, uint8_t *buf, size_t cap)
{
  if (i >= sizeof seeds / sizeof seeds[0] || seeds[i].len > cap)
    return 0;
  memcpy (buf, seeds[i].bytes, seeds[i].len);
  return seeds[i].len;
}

static const char *const tokens[] = {
  "\x17\x03\x03", "\x18",     "\x04",     "\x15", "\x16",
  "\x17",         "\x0b\x01", "\x01",     "\x02", "\x5a",
  "\x40\x10",     "\xff\xff", "\x0f\x01",
};

const struct fuzz_target fuzz_target = {
  .name = "fuzz-tls-record",
  .what = "TLS 1.3 record layer, receive direction",
  .seed = seed,
  .tokens = tokens,
  .nr_tokens = sizeof tokens / sizeof tokens[0],
};
#endif /* !FUZZ_LIBFUZZER */
