/* SPDX-License-Identifier: BSD-3-Clause */
/* What tls-session.c (buffers, data) and tls-handshake.c (PSK callbacks,
 * the handshake and its messages) share.  Nobody else includes this. */
#ifndef NVMEOF_TLS_SESSION_INT_H
#define NVMEOF_TLS_SESSION_INT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <pthread.h>

#include <gcrypt.h>
#include <openssl/ssl.h>

#include "tls-session.h"

#define RECORD_MAX      16384 /* plaintext bytes per TLS record */
#define RECORD_OVERHEAD 64    /* TLS 1.3 needs 22: header, type, tag */
/* Kept free for what OpenSSL writes while reading (an alert). */
#define OUT_RESERVE 1024
/* 512 KiB of plaintext encrypted at once and sent by one system call:
 * each send costs a wakeup of the peer, and over TLS 128K reads at QD32
 * went 1.1-1.4 x faster with 512 KiB sends than with 64 KiB ones
 * (docs/performance.md, TLS 1.3).  Its pages are touched only as far as
 * the largest batch fills it. */
#define OUT_CAP (32 * (RECORD_MAX + RECORD_OVERHEAD) + OUT_RESERVE)
/* Room for eight records (at most 2^14 + 256 + 5 bytes each). */
#define IN_CAP (128 * 1024 + 4096)
/* No record shorter than this, but for the end of what is sent. */
#define RECORD_MIN 4096

enum hs_fail {
  HS_OK,
  HS_NO_PSK,     /* server: the ClientHello offers no PSK */
  HS_UNKNOWN_ID, /* server: no identity offered is known */
  HS_BAD_PSK,    /* server: lookup returned an unusable PSK */
};

/* One direction's record protection (tls-record.c). */
struct tls_dir {
  gcry_cipher_hd_t aead; /* AES-GCM under the current keys, or NULL */
  uint8_t secret[48];    /* the current application traffic secret */
  uint8_t iv[12];
  uint64_t seq;
};

struct tls_session {
  pthread_mutex_t lock; /* the SSL object and the indices below */
  SSL_CTX *ctx;
  SSL *ssl;
  int fd;
  bool server;
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
  /* After the handshake, our record layer (tls-record.c) instead of
   * OpenSSL's: then the SSL object is gone, the sender owns tx and out[],
   * the receiver rx, in[], dec[] and hs[]; no lock is shared. */
  bool fast;
  uint8_t hmac; /* 1: SHA-256, AES-128-GCM; 2: SHA-384, AES-256-GCM */
  const char *cipher_name;
  uint8_t cts[48], sts[48]; /* traffic secrets from the key log */
  bool have_cts, have_sts;
  struct tls_dir tx, rx;
  atomic_bool ku_send; /* the peer asked for a KeyUpdate: send ours */
  bool tx_failed;      /* (failed is the receiver's, then) */
  bool rx_closed;      /* close_notify received */
  uint8_t *dec;        /* a record's plaintext not delivered yet */
  size_t dec_start, dec_end;
  uint8_t *hs; /* post-handshake messages, until whole */
  size_t hs_len;
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
void tls_set_last_error (const char *fmt, ...)
  __attribute__((__format__ (__printf__, 1, 2)));
/* poll fd until the deadline: 1 ready, 0 timed out, -1 (errno). */
int tls_wait_fd (int fd, short events, uint64_t deadline);

/* tls-record.c */
/* The key log callback that keeps the application traffic secrets. */
void tls_keylog_cb (const SSL *ssl, const char *line);
/* After a successful handshake: switch to our record layer (0), or stay
 * with OpenSSL's (1: NVMEOF_TLS_OPENSSL_RECORDS=1, or it cannot be done
 * safely).  -1 if it failed half way (errno, tls_last_error). */
int tls_record_start (struct tls_session *s);
/* Key both directions again from their current secrets (0 or -1). */
int tls_record_rekey (struct tls_session *s);
/* tls_send and tls_recvv on our record layer. */
ssize_t tls_record_send (struct tls_session *s, const struct iovec *iov,
                         int iovcnt, size_t total);
ssize_t tls_record_recvv (struct tls_session *s, const struct iovec *iov,
                          int iovcnt);
/* close_notify into out[] (tls_close sends it). */
void tls_record_close_notify (struct tls_session *s);
void tls_record_free (struct tls_session *s);
/* Tests: 1 makes clients, 2 servers, 3 both keep OpenSSL's records. */
extern int tls_test_openssl_records;

#endif
