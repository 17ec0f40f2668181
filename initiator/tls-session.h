/* SPDX-License-Identifier: BSD-3-Clause */
/* TLS 1.3 with an external pre-shared key over a connected TCP socket,
 * through OpenSSL, for both ends of NVMe/TCP (NVMe/TCP transport
 * specification, 3.6 "Transport Layer Security"): cipher suites
 * TLS_AES_128_GCM_SHA256 (SHA-256 PSKs) and TLS_AES_256_GCM_SHA384
 * (SHA-384 PSKs), no certificates, no session tickets, no resumption.
 *
 * The socket stays the caller's: it is non-blocking after the handshake
 * and the caller polls it as before.  OpenSSL works on memory BIOs, so
 * that one thread may send while another receives (one lock around the
 * SSL object, held only while OpenSSL encrypts or decrypts; never during
 * a system call).  After the handshake, records are sealed and opened by
 * tls-record.c (OpenSSL's AES-GCM) with no lock shared by the two
 * directions, unless NVMEOF_TLS_OPENSSL_RECORDS=1.  Functions return -1 with errno set (EAGAIN: try again
 * when the socket is ready; EPIPE/ECONNRESET: the peer closed; EPROTO: a
 * TLS failure, with a sentence from tls_last_error). */
#ifndef NVMEOF_TLS_SESSION_H
#define NVMEOF_TLS_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

#define TLS_PSK_IDENTITY_MAX 600 /* "NVMe1R02 " + 2 NQNs + a digest */
#define TLS_PSK_KEY_MAX      48

/* The PSK one handshake uses: the identity both ends name it by and the
 * TLS PSK itself (already derived, see tls-psk.h).  hmac 1 (SHA-256, 32
 * bytes, TLS_AES_128_GCM_SHA256) or 2 (SHA-384, 48 bytes,
 * TLS_AES_256_GCM_SHA384). */
struct tls_psk {
  char identity[TLS_PSK_IDENTITY_MAX + 1];
  uint8_t hmac;
  size_t len;
  uint8_t key[TLS_PSK_KEY_MAX];
};

struct tls_session;

/* Client: handshake on the connected socket fd within timeout_ms,
 * offering psk.  NULL with err set on failure (e.g. "the target refused
 * the PSK identity ..." / "the target did not answer in TLS (it may not
 * require TLS)"). */
struct tls_session *tls_client_handshake (int fd, const struct tls_psk *psk,
                                          uint32_t timeout_ms, char *err,
                                          size_t errlen);

/* Server: lookup finds the PSK for the identity the client offers
 * (returns 0 and fills *psk, or -1: unknown identity, the handshake
 * fails).  On success *identity_out (TLS_PSK_IDENTITY_MAX + 1 bytes)
 * receives the identity that was used. */
typedef int (*tls_psk_lookup_fn) (void *opaque, const char *identity,
                                  struct tls_psk *psk);
struct tls_session *tls_server_handshake (int fd, tls_psk_lookup_fn lookup,
                                          void *opaque, uint32_t timeout_ms,
                                          char *identity_out, char *err,
                                          size_t errlen);

/* Encrypt and send plaintext, like sendmsg (MSG_DONTWAIT): returns the
 * number of plaintext bytes taken (> 0), or -1 (EAGAIN when the socket is
 * full and nothing was taken).  Ciphertext the socket did not take yet is
 * kept: the caller must call tls_flush until it returns 0 before it
 * considers its bytes sent (and poll for POLLOUT on EAGAIN).  One sending
 * thread at a time. */
ssize_t tls_send (struct tls_session *s, const struct iovec *iov, int iovcnt);
/* Send kept ciphertext: 0 when none is left, -1 (EAGAIN ...) otherwise. */
int tls_flush (struct tls_session *s);
/* Receive and decrypt, like recv (MSG_DONTWAIT) into buf: bytes (> 0),
 * 0 at the peer's close_notify or end of stream, -1 (EAGAIN when nothing
 * can be decrypted yet).  One receiving thread at a time. */
ssize_t tls_recv (struct tls_session *s, void *buf, size_t len);
/* The same into iov, filled in order, like recvmsg.  Fewer bytes than
 * asked (or EAGAIN) means nothing more can be decrypted now: the socket
 * had no more to give. */
ssize_t tls_recvv (struct tls_session *s, const struct iovec *iov, int iovcnt);
/* Decrypted or received bytes wait inside: call tls_recv before polling
 * the socket again. */
bool tls_pending (struct tls_session *s);
/* The negotiated cipher suite ("TLS_AES_128_GCM_SHA256"), for messages. */
const char *tls_cipher (struct tls_session *s);
/* The reason of the last TLS failure in this thread (OpenSSL's error
 * queue in words). */
const char *tls_last_error (void);
/* Send close_notify (best effort, non-blocking) and free; the socket is
 * not closed. */
void tls_close (struct tls_session *s);

#endif /* NVMEOF_TLS_SESSION_H */
