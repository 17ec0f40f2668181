/* SPDX-License-Identifier: BSD-3-Clause */
/* What tls-session.c (buffers, data) and tls-handshake.c (PSK callbacks,
 * the handshake and its messages) share.  Nobody else includes this. */
#ifndef NVMEOF_TLS_SESSION_INT_H
#define NVMEOF_TLS_SESSION_INT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <pthread.h>

#include <openssl/ssl.h>

#include "tls-session.h"

enum hs_fail {
  HS_OK,
  HS_NO_PSK,     /* server: the ClientHello offers no PSK */
  HS_UNKNOWN_ID, /* server: no identity offered is known */
  HS_BAD_PSK,    /* server: lookup returned an unusable PSK */
};

struct tls_session {
  pthread_mutex_t lock; /* the SSL object and the indices below */
  SSL_CTX *ctx;
  SSL *ssl;
  int fd;
  bool failed; /* a fatal TLS error: no close_notify */
  /* Ciphertext to send: out[out_start..out_end). */
  uint8_t *out;
  size_t out_start, out_end;
  bool sending; /* the sender is in send(2) on out[out_start..] */
  /* Ciphertext received, not yet read by OpenSSL: in[in_start..in_end). */
  uint8_t *in;
  size_t in_start, in_end;
  bool in_eof;
  atomic_bool pending; /* tls_pending */
  uint8_t *stage;      /* small iovec pieces gathered into one record */
  /* Handshake only. */
  struct tls_psk psk; /* client: ours; server: the one found */
  bool have_psk;
  tls_psk_lookup_fn lookup;
  void *opaque;
  enum hs_fail fail;
  char offered[TLS_PSK_IDENTITY_MAX + 1]; /* server: first identity seen */
  int alert_rcvd, alert_sent;             /* -1: none */
  int reason;                             /* first OpenSSL reason, failed */
  bool got_bytes;
  uint8_t first_byte;
};

/* tls-session.c */
struct tls_session *tls_session_new (int fd, bool server, char *err,
                                     size_t errlen);
void tls_session_free (struct tls_session *s);
/* Set tls_last_error from OpenSSL's error queue (emptied), else what.
 * Returns the first error's reason code (0: none). */
int tls_record_error (const char *what);
/* One recv(2) into in[]: bytes (*asked: what was asked for), 0 at the end
 * of the stream, -1 (errno). */
ssize_t tls_fill_in (struct tls_session *s, size_t *asked);
uint64_t tls_mono_ms (void);
/* poll fd until the deadline: 1 ready, 0 timed out, -1 (errno). */
int tls_wait_fd (int fd, short events, uint64_t deadline);

#endif
