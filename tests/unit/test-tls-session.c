/* SPDX-License-Identifier: BSD-3-Clause */
/* TLS sessions (initiator/tls-session.c, tls-handshake.c) over a
 * socketpair, the client in the main thread and the server in another:
 * both cipher suites with long identities; data both ways at once, each
 * end sending from one thread while another receives, in pieces of every
 * size, checked byte for byte; tls_pending false whenever tls_recv says
 * EAGAIN (else a poller would sleep on data); a full socket (EAGAIN from
 * tls_send, kept ciphertext sent by tls_flush); close_notify; our record
 * layer against OpenSSL's both ways (NewSessionTicket, KeyUpdate, forged
 * records); and the
 * failures with their messages on both ends: wrong PSK, unknown identity,
 * mismatched hash, a peer that closes during the handshake or answers in
 * plain NVMe/TCP, a silent peer (time limit).  Run it under
 * ThreadSanitizer too (configure --enable-sanitizers=thread). */
#include <config.h>

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

#include <openssl/err.h>

#include "tls-session-int.h"
#include "check.h"

#define HOSTNQN "nqn.2014-08.org.nvmexpress:uuid:6e766d65-6f66-4000-8000-"
#define LONG_NQN_PART \
  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" \
  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

static void
make_psk (struct tls_psk *psk, uint8_t hmac, const char *identity, uint8_t seed)
{
  size_t i;

  memset (psk, 0, sizeof *psk);
  psk->hmac = hmac;
  psk->len = hmac == 2 ? 48 : 32;
  for (i = 0; i < psk->len; i++)
    psk->key[i] = (uint8_t) (seed + i * 7);
  snprintf (psk->identity, sizeof psk->identity, "%s", identity);
}

/* ---- The server end ---------------------------------------------------- */

struct server {
  int fd;
  struct tls_psk known[2];
  int nknown;
  uint32_t timeout_ms;
  struct tls_session *s;
  int err_no;
  char identity[TLS_PSK_IDENTITY_MAX + 1];
  char err[768];
  pthread_t thread;
};

static int
lookup (void *opaque, const char *identity, struct tls_psk *psk)
{
  struct server *sv = opaque;
  int i;

  for (i = 0; i < sv->nknown; i++)
    if (strcmp (sv->known[i].identity, identity) == 0) {
      *psk = sv->known[i];
      return 0;
    }
  return -1;
}

static void *
server_run (void *arg)
{
  struct server *sv = arg;

  sv->s = tls_server_handshake (sv->fd, lookup, sv, sv->timeout_ms,
                                sv->identity, sv->err, sizeof sv->err);
  sv->err_no = sv->s ? 0 : errno;
  return NULL;
}

static void
server_start (struct server *sv, int fd)
{
  sv->fd = fd;
  if (sv->timeout_ms == 0)
    sv->timeout_ms = 5000;
  pthread_create (&sv->thread, NULL, server_run, sv);
}

static void
pair (int fds[2])
{
  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) < 0) {
    perror ("socketpair");
    exit (1);
  }
}

/* Both ends with these PSKs: 0, or -1 with the messages in cerr and
 * sv->err. */
static int
connect_pair (int fds[2], const struct tls_psk *client_psk, struct server *sv,
              struct tls_session **c, char *cerr, size_t cerrlen)
{
  pair (fds);
  server_start (sv, fds[1]);
  *c = tls_client_handshake (fds[0], client_psk, 5000, cerr, cerrlen);
  pthread_join (sv->thread, NULL);
  return *c && sv->s ? 0 : -1;
}

/* ---- Moving data ---------------------------------------------------------- */

static uint8_t
pattern (uint64_t i, uint8_t seed)
{
  uint64_t x = (i + seed) * 0x9E3779B97F4A7C15ull;

  return (uint8_t) (x >> 56);
}

/* Piece sizes that cross record boundaries in every way. */
static const size_t sizes[] = { 1,     72,    4096, 8,          131072, 24,
                                16384, 16385, 3,    65536 + 17, 1000000 };
#define NSIZES (sizeof sizes / sizeof sizes[0])

struct stream {
  struct tls_session *s;
  int fd;
  size_t len;
  uint8_t seed;
  uint8_t *buf;
  bool ok;
  unsigned eagains;
  pthread_t thread;
};

static bool
wait_for (int fd, short events)
{
  struct pollfd pfd = { .fd = fd, .events = events };

  return poll (&pfd, 1, 20000) == 1;
}

static void *
sender (void *arg)
{
  struct stream *st = arg;
  size_t done = 0, k = 0;

  st->ok = true;
  while (done < st->len) {
    struct iovec iov[4];
    size_t at = done;
    int n = 0;
    ssize_t r;

    /* Up to four pieces of varied sizes in one call. */
    while (n < 4 && at < st->len) {
      size_t z = sizes[k++ % NSIZES];

      if (z > st->len - at)
        z = st->len - at;
      iov[n].iov_base = st->buf + at;
      iov[n++].iov_len = z;
      at += z;
    }
    r = tls_send (st->s, iov, n);
    if (r < 0 && errno == EAGAIN) {
      st->eagains++;
      if (!wait_for (st->fd, POLLOUT)) {
        st->ok = false;
        return NULL;
      }
      continue;
    }
    if (r <= 0) {
      fprintf (stderr, "tls_send: %s (%s)\n", strerror (errno),
               tls_last_error ());
      st->ok = false;
      return NULL;
    }
    done += (size_t) r;
  }
  while (tls_flush (st->s) < 0) {
    if (errno != EAGAIN || !wait_for (st->fd, POLLOUT)) {
      st->ok = false;
      return NULL;
    }
  }
  return NULL;
}

static void *
receiver (void *arg)
{
  struct stream *st = arg;
  size_t done = 0, k = 3, i;

  st->ok = true;
  while (done < st->len) {
    size_t z = sizes[k++ % NSIZES];
    ssize_t r;

    if (z > st->len - done)
      z = st->len - done;
    if (k % 2) {
      r = tls_recv (st->s, st->buf + done, z);
    }
    else {
      size_t h = z / 3;
      struct iovec iov[2] = { { st->buf + done, h },
                              { st->buf + done + h, z - h } };

      r = tls_recvv (st->s, iov, 2);
    }
    if (r < 0 && errno == EAGAIN) {
      st->eagains++;
      if (tls_pending (st->s)) {
        fprintf (stderr, "EAGAIN with tls_pending\n");
        st->ok = false;
        return NULL;
      }
      if (!wait_for (st->fd, POLLIN)) {
        fprintf (stderr, "receiver: nothing for 20 s at %zu\n", done);
        st->ok = false;
        return NULL;
      }
      continue;
    }
    if (r <= 0) {
      fprintf (stderr, "tls_recv: %zd %s (%s)\n", r, strerror (errno),
               tls_last_error ());
      st->ok = false;
      return NULL;
    }
    done += (size_t) r;
  }
  for (i = 0; i < st->len; i++)
    if (st->buf[i] != pattern (i, st->seed)) {
      fprintf (stderr, "byte %zu differs\n", i);
      st->ok = false;
      break;
    }
  return NULL;
}

static void
stream_init (struct stream *st, struct tls_session *s, int fd, size_t len,
             uint8_t seed, bool fill)
{
  size_t i;

  memset (st, 0, sizeof *st);
  st->s = s;
  st->fd = fd;
  st->len = len;
  st->seed = seed;
  st->buf = malloc (len);
  if (st->buf == NULL)
    exit (1);
  for (i = 0; fill && i < len; i++)
    st->buf[i] = pattern (i, seed);
}

/* Both directions at once, each end a sender and a receiver thread. */
static void
test_both_ways (struct tls_session *c, int cfd, struct tls_session *s, int sfd,
                size_t len)
{
  struct stream st[4];
  int i;

  stream_init (&st[0], c, cfd, len, 1, true);  /* client sends */
  stream_init (&st[1], s, sfd, len, 1, false); /* server receives */
  stream_init (&st[2], s, sfd, len, 2, true);  /* server sends */
  stream_init (&st[3], c, cfd, len, 2, false); /* client receives */
  for (i = 0; i < 4; i++)
    pthread_create (&st[i].thread, NULL, i % 2 ? receiver : sender, &st[i]);
  for (i = 0; i < 4; i++) {
    pthread_join (st[i].thread, NULL);
    CHECK (st[i].ok, "stream %d of %zu bytes", i, len);
    free (st[i].buf);
  }
}

/* ---- Tests ------------------------------------------------------------------ */

static void test_post_handshake (struct tls_session *c, int cfd,
                                 struct tls_session *s, int sfd);

/* Both suites, with each record layer at each end: ours (tls-record.c)
 * or OpenSSL's, so that ours is checked against OpenSSL's both ways. */
static void
test_suites (void)
{
  static const struct {
    uint8_t hmac;
    const char *suite;
  } t[] = { { 1, "TLS_AES_128_GCM_SHA256" }, { 2, "TLS_AES_256_GCM_SHA384" } };
  static const char *const layers[] = { "ours both ends",
                                        "OpenSSL's at the client",
                                        "OpenSSL's at the server",
                                        "OpenSSL's both ends" };
  size_t i;
  int mode;

  for (i = 0; i < 2; i++)
    for (mode = 0; mode < 4; mode++) {
      struct server sv = { 0 };
      struct tls_session *c;
      struct tls_psk psk;
      char id[TLS_PSK_IDENTITY_MAX + 1], err[768];
      int fds[2];

      printf ("%s, records: %s\n", t[i].suite, layers[mode]);
      tls_test_openssl_records = mode;
      /* A long identity (over OpenSSL's 256-byte PSK_MAX_IDENTITY_LEN). */
      snprintf (id, sizeof id, "NVMe0R0%u %s%s %s%s", t[i].hmac, HOSTNQN,
                LONG_NQN_PART, "nqn.2014-08.io.nvmeof:", LONG_NQN_PART);
      make_psk (&psk, t[i].hmac, id, 11);
      sv.known[0] = psk;
      make_psk (&sv.known[1], 1, "NVMe0R01 other", 12);
      sv.nknown = 2;
      CHECK (connect_pair (fds, &psk, &sv, &c, err, sizeof err) == 0,
             "handshake: client: %s; server: %s", err, sv.err);
      if (c == NULL || sv.s == NULL)
        continue;
      CHECK (strcmp (tls_cipher (c), t[i].suite) == 0, "client cipher %s",
             tls_cipher (c));
      CHECK (strcmp (tls_cipher (sv.s), t[i].suite) == 0, "server cipher %s",
             tls_cipher (sv.s));
      CHECK (c->fast == !(mode & 1) && sv.s->fast == !(mode & 2),
             "record layers");
      CHECK (strcmp (sv.identity, id) == 0, "identity %s", sv.identity);
      CHECK (!tls_pending (c) && !tls_pending (sv.s), "nothing pending");
      test_both_ways (c, fds[0], sv.s, fds[1],
                      i == 1 && mode == 0 ? 40 << 20 : 3 << 20);
      if (mode == 2)
        test_post_handshake (c, fds[0], sv.s, fds[1]);

      /* close_notify reads as the end of the stream. */
      {
        uint8_t b;
        ssize_t r;

        tls_close (c);
        while ((r = tls_recv (sv.s, &b, 1)) < 0 && errno == EAGAIN)
          wait_for (fds[1], POLLIN);
        CHECK (r == 0, "close_notify: %zd", r);
      }
      tls_close (sv.s);
      close (fds[0]);
      close (fds[1]);
    }
  tls_test_openssl_records = 0;
}

/* Send len bytes of a pattern, blocking. */
static void
send_pattern (struct tls_session *s, int fd, size_t len, uint8_t seed)
{
  struct stream st;

  stream_init (&st, s, fd, len, seed, true);
  sender (&st);
  CHECK (st.ok, "send %zu bytes", len);
  free (st.buf);
}

static void
recv_pattern (struct tls_session *s, int fd, size_t len, uint8_t seed)
{
  struct stream st;

  stream_init (&st, s, fd, len, seed, false);
  receiver (&st);
  CHECK (st.ok, "receive %zu bytes", len);
  free (st.buf);
}

/* OpenSSL's server (c our record layer) sends a NewSessionTicket and a
 * KeyUpdate asking for ours: data goes on both ways across the change. */
static void
test_post_handshake (struct tls_session *c, int cfd, struct tls_session *s,
                     int sfd)
{
  printf ("post-handshake: NewSessionTicket, KeyUpdate both ways\n");
  CHECK (SSL_new_session_ticket (s->ssl) == 1, "SSL_new_session_ticket");
  send_pattern (s, sfd, 1000, 6); /* (the ticket goes out first) */
  recv_pattern (c, cfd, 1000, 6);
  CHECK (SSL_key_update (s->ssl, SSL_KEY_UPDATE_REQUESTED) == 1,
         "SSL_key_update: %s", ERR_reason_error_string (ERR_get_error ()));
  send_pattern (s, sfd, 100000, 7); /* (the KeyUpdate goes out first) */
  recv_pattern (c, cfd, 100000, 7);
  CHECK (atomic_load (&c->ku_send), "a KeyUpdate is owed");
  send_pattern (c, cfd, 100000, 8); /* ours, then data under new keys */
  recv_pattern (s, sfd, 100000, 8);
  CHECK (!atomic_load (&c->ku_send), "the KeyUpdate was sent");
  CHECK (c->tx.seq > 0 && c->rx.seq > 0, "sequence numbers");
  send_pattern (s, sfd, 5000, 9);
  recv_pattern (c, cfd, 5000, 9);
}

/* The socket and out[] fill up: tls_send says EAGAIN, tls_flush keeps
 * what is left, and reading at the other end lets it all through. */
static void
test_eagain (void)
{
  struct server sv = { 0 };
  struct tls_session *c;
  struct tls_psk psk;
  struct stream rx, tx;
  char err[768];
  int fds[2], small = 4096;
  uint8_t b;

  make_psk (&psk, 1, "NVMe0R01 " HOSTNQN "x nqn.2026-11.io.nvmeof:t", 5);
  sv.known[0] = psk;
  sv.nknown = 1;
  if (connect_pair (fds, &psk, &sv, &c, err, sizeof err) < 0) {
    CHECK (false, "handshake: %s / %s", err, sv.err);
    return;
  }
  setsockopt (fds[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
  setsockopt (fds[1], SOL_SOCKET, SO_RCVBUF, &small, sizeof small);

  errno = 0;
  CHECK (tls_recv (sv.s, &b, 1) == -1 && errno == EAGAIN,
         "nothing sent: EAGAIN (%s)", strerror (errno));
  CHECK (!tls_pending (sv.s), "nothing pending");

  /* Nobody reads: the sender meets EAGAIN. */
  stream_init (&tx, c, fds[0], 8 << 20, 9, true);
  pthread_create (&tx.thread, NULL, sender, &tx);
  usleep (200000);
  stream_init (&rx, sv.s, fds[1], 8 << 20, 9, false);
  pthread_create (&rx.thread, NULL, receiver, &rx);
  pthread_join (tx.thread, NULL);
  pthread_join (rx.thread, NULL);
  CHECK (tx.ok && rx.ok, "a full socket");
  CHECK (tx.eagains > 0, "tls_send said EAGAIN (%u)", tx.eagains);
  free (tx.buf);
  free (rx.buf);

  /* Byte by byte: what one record brings stays pending until read. */
  {
    struct iovec iov = { "0123456789", 10 };
    char got[10];
    int i;

    CHECK (tls_send (c, &iov, 1) == 10, "send 10");
    CHECK (tls_flush (c) == 0, "flushed");
    for (i = 0; i < 10; i++) {
      ssize_t r;

      while ((r = tls_recv (sv.s, &got[i], 1)) < 0 && errno == EAGAIN) {
        CHECK (!tls_pending (sv.s), "EAGAIN and pending");
        wait_for (fds[1], POLLIN);
      }
      CHECK (r == 1, "byte %d", i);
      CHECK (tls_pending (sv.s) == (i < 9), "pending after byte %d", i);
    }
    CHECK (memcmp (got, "0123456789", 10) == 0, "bytes");
  }
  tls_close (c);
  tls_close (sv.s);
  close (fds[0]);
  close (fds[1]);
}

/* A record that is not the peer's (a forged one, then garbage) fails the
 * session, with our record layer and OpenSSL's. */
static void
test_forged (void)
{
  static const uint8_t forged[5 + 40] = { 0x17, 3, 3, 0, 40, 1, 2, 3 };
  static const uint8_t bad_header[5] = { 0x16, 3, 3, 0x7f, 0xff };
  int mode;

  for (mode = 0; mode < 4; mode++) {
    struct server sv = { 0 };
    struct tls_session *c;
    struct tls_psk psk;
    char err[768];
    int fds[2];
    uint8_t b[16];
    ssize_t r;

    tls_test_openssl_records = mode & 2 ? 3 : 0;
    make_psk (&psk, 1, "NVMe0R01 h s", 4);
    sv.known[0] = psk;
    sv.nknown = 1;
    if (connect_pair (fds, &psk, &sv, &c, err, sizeof err) < 0) {
      CHECK (false, "handshake: %s / %s", err, sv.err);
      continue;
    }
    if (mode & 1)
      CHECK (write (fds[0], bad_header, sizeof bad_header) == 5, "write");
    else
      CHECK (write (fds[0], forged, sizeof forged) == sizeof forged, "write");
    while ((r = tls_recv (sv.s, b, sizeof b)) < 0 && errno == EAGAIN)
      wait_for (fds[1], POLLIN);
    CHECK (r == -1 && errno == EPROTO, "%s record: refused (%zd, %s)",
           mode & 1 ? "garbage" : "forged", r, strerror (errno));
    printf ("%s record, %s records: %s\n", mode & 1 ? "garbage" : "forged",
            mode & 2 ? "OpenSSL's" : "our", tls_last_error ());
    CHECK (tls_recv (sv.s, b, sizeof b) == -1 && errno == EPROTO,
           "failed for good");
    tls_close (c);
    tls_close (sv.s);
    close (fds[0]);
    close (fds[1]);
  }
  tls_test_openssl_records = 0;
}

static void
refused (const char *what, const struct tls_psk *client_psk,
         const struct tls_psk *server_psk, const char *cwant, const char *swant)
{
  struct server sv = { 0 };
  struct tls_session *c;
  char err[768] = "";
  int fds[2];

  sv.known[0] = *server_psk;
  sv.nknown = 1;
  CHECK (connect_pair (fds, client_psk, &sv, &c, err, sizeof err) < 0,
         "%s: refused", what);
  CHECK (c == NULL && sv.s == NULL, "%s: both ends fail", what);
  CHECK (strstr (err, cwant) != NULL, "%s: client says: %s", what, err);
  CHECK (strstr (sv.err, swant) != NULL, "%s: server says: %s", what, sv.err);
  CHECK (strlen (tls_last_error ()) > 0, "tls_last_error");
  printf ("%s:\n  client: %s\n  server: %s\n", what, err, sv.err);
  tls_close (c);
  tls_close (sv.s);
  close (fds[0]);
  close (fds[1]);
}

static void
test_refusals (void)
{
  struct tls_psk a, b;

  make_psk (&a, 1, "NVMe0R01 " HOSTNQN "1 nqn.2026-11.io.nvmeof:t", 1);
  make_psk (&b, 1, "NVMe0R01 " HOSTNQN "1 nqn.2026-11.io.nvmeof:t", 2);
  refused ("wrong PSK", &a, &b, "the PSK does not match the target's",
           "does not match ours");
  make_psk (&a, 2, "NVMe0R02 " HOSTNQN "1 nqn.2026-11.io.nvmeof:t", 1);
  make_psk (&b, 2, "NVMe0R02 " HOSTNQN "1 nqn.2026-11.io.nvmeof:t", 3);
  refused ("wrong SHA-384 PSK", &a, &b, "does not match the target's",
           "does not match ours");
  make_psk (&b, 2, "NVMe0R02 " HOSTNQN "2 nqn.2026-11.io.nvmeof:t", 1);
  refused ("unknown identity", &a, &b,
           "the target does not know PSK identity 'NVMe0R02 ",
           "is not known here");
  /* The same identity with another hash: no common cipher suite. */
  make_psk (&a, 1, "NVMe0R01 " HOSTNQN "1 nqn.2026-11.io.nvmeof:t", 1);
  make_psk (&b, 2, "NVMe0R01 " HOSTNQN "1 nqn.2026-11.io.nvmeof:t", 1);
  refused ("another hash", &a, &b, "refused the TLS handshake",
           "does not offer the cipher suite of the PSK");
}

/* A peer played by hand: takes (part of) the ClientHello, then answers
 * after a delay, or closes. */
struct rogue {
  int fd;
  const void *answer;
  size_t len;
  unsigned delay_ms;
};

static void *
rogue_run (void *arg)
{
  struct rogue *r = arg;
  uint8_t buf[100];

  if (wait_for (r->fd, POLLIN) && recv (r->fd, buf, sizeof buf, 0) < 0) {
    /* The client's problem, then. */
  }
  usleep (r->delay_ms * 1000);
  if (r->len == 0)
    shutdown (r->fd, SHUT_RDWR);
  else if (write (r->fd, r->answer, r->len) < 0) {
    /* The client gave up first. */
  }
  return NULL;
}

static void
client_against (const char *what, const void *answer, size_t len,
                unsigned delay_ms, uint32_t timeout_ms, const char *want,
                int want_errno)
{
  struct rogue r = { .answer = answer, .len = len, .delay_ms = delay_ms };
  struct tls_session *c;
  struct tls_psk psk;
  pthread_t t;
  char err[768] = "";
  int fds[2];

  make_psk (&psk, 1, "NVMe0R01 h s", 1);
  pair (fds);
  r.fd = fds[1];
  pthread_create (&t, NULL, rogue_run, &r);
  c = tls_client_handshake (fds[0], &psk, timeout_ms, err, sizeof err);
  CHECK (c == NULL, "%s: fails", what);
  CHECK (strstr (err, want) != NULL, "%s: says: %s", what, err);
  CHECK (errno == want_errno, "%s: errno %s", what, strerror (errno));
  printf ("%s:\n  client: %s\n", what, err);
  pthread_join (t, NULL);
  tls_close (c);
  close (fds[0]);
  close (fds[1]);
}

static void
server_against (const char *what, const void *hello, size_t len,
                const char *want)
{
  struct server sv = { 0 };
  int fds[2];

  make_psk (&sv.known[0], 1, "NVMe0R01 h s", 1);
  sv.nknown = 1;
  sv.timeout_ms = 2000;
  pair (fds);
  server_start (&sv, fds[1]);
  if (len && write (fds[0], hello, len) < 0) {
  }
  shutdown (fds[0], SHUT_WR);
  pthread_join (sv.thread, NULL);
  CHECK (sv.s == NULL, "%s: fails", what);
  CHECK (strstr (sv.err, want) != NULL, "%s: says: %s", what, sv.err);
  printf ("%s:\n  server: %s\n", what, sv.err);
  close (fds[0]);
  close (fds[1]);
}

static void
test_odd_peers (void)
{
  /* An ICResp-like answer (PDU type 1) from a plain NVMe/TCP port. */
  static const uint8_t icresp[8] = { 0x01, 0, 128, 0, 128, 0, 0, 0 };
  static const uint8_t icreq[8] = { 0x00, 0, 128, 0, 128, 0, 0, 0 };
  static const uint8_t hello_start[5] = { 0x16, 0x03, 0x01, 0x01, 0x00 };

  client_against ("closed during the handshake", NULL, 0, 0, 5000,
                  "the target closed the connection during the TLS "
                  "handshake (does it require TLS? is the PSK installed "
                  "there?)",
                  ECONNRESET);
  client_against ("plain NVMe/TCP answer", icresp, sizeof icresp, 0, 5000,
                  "the target did not answer in TLS", EPROTO);
  client_against ("silent peer", "", 1, 400, 200, "timed out", ETIMEDOUT);
  server_against ("plain ICReq", icreq, sizeof icreq,
                  "the host did not start a TLS handshake");
  server_against ("half a ClientHello", hello_start, sizeof hello_start,
                  "the host closed the connection during the TLS handshake");
  server_against ("nothing", NULL, 0,
                  "the host closed the connection during the TLS handshake");
}

int
main (void)
{
  signal (SIGPIPE, SIG_IGN);
  alarm (300); /* a hang fails */
  test_suites ();
  test_eagain ();
  test_forged ();
  test_refusals ();
  test_odd_peers ();
  printf ("test-tls-session: %d checks, %d failures\n", checks, failures);
  return failures ? 1 : 0;
}
