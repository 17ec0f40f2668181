/* SPDX-License-Identifier: BSD-3-Clause */
/* NVMe/TCP over TLS (NVMe/TCP transport specification 3.6.1): the
 * handshake right after the TCP connect (ICReq and ICResp then travel
 * inside TLS), with the PSK derived for this connection, and the send
 * path through the session.  The receive path only swaps its recv calls
 * (tcp.h); tls-session.c does TLS itself.
 *
 * The PSK: the configured one (tls-key, kept as text in the options like
 * the DH-HMAC-CHAP secrets) is parsed on each connect, and the TLS PSK
 * derived for the host NQN and the subsystem NQN of this controller (the
 * discovery NQN for discovery) with an identity of version tls-identity;
 * both are wiped once the handshake has used them. */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "tcp.h"
#include "errors.h"
#include "tls-psk.h"

int
tcp_tls_start (struct tcp_queue *tq, uint64_t deadline)
{
  struct nvmeof_ctrl *ctrl = tq->q.ctrl;
  struct tls_psk_key key;
  struct tls_psk psk;
  char err[768];
  uint64_t now = now_ms ();
  int r;

  r = tls_psk_parse (ctrl->opts.tls_key, &key, err, sizeof err);
  if (r == 0)
    r = tls_psk_derive (&key, ctrl->opts.tls_identity, ctrl->opts.hostnqn,
                        ctrl->opts.subnqn, &psk, err, sizeof err);
  tls_psk_wipe (&key);
  if (r < 0) {
    set_error (EINVAL, "connect to %s (queue %u): tls-key: %s", ctrl->addr,
               tq->q.qid, err);
    return -1;
  }
  tq->tls = tls_client_handshake (
    tq->fd, &psk, now < deadline ? (uint32_t) (deadline - now) : 1, err,
    sizeof err);
  OPENSSL_cleanse (&psk, sizeof psk);
  if (tq->tls == NULL) {
    int e = errno ? errno : EPROTO;

    set_error (e, "connect to %s (queue %u): %s", ctrl->addr, tq->q.qid,
               atomic_load (&tq->stopping) ? "stopped" : err);
    return -1;
  }
  return 0;
}

void
tcp_tls_stop (struct tcp_queue *tq)
{
  tls_close (tq->tls);
  tq->tls = NULL;
}

/* tcp_tx_write's TLS flavour: the plaintext PDUs go to tls_send, and count
 * as sent (1) only when tls_flush has sent all of the ciphertext.  When
 * the socket is full: 0 (!block), or wait for room within the command
 * timeout, receiving meanwhile (tcp_wait_room). */
int
tcp_tls_tx_write (struct tcp_queue *tq, bool block, char *why, size_t whylen)
{
  uint64_t deadline = 0;

  for (;;) {
    int r;

    if (tq->tx_left > 0) {
      ssize_t n = tls_send (tq->tls, &tq->tx_iov[tq->tx_iovidx],
                            tq->tx_iovcnt - tq->tx_iovidx);

      if (n > 0) {
        tcp_tx_advance (tq, (size_t) n);
        tq->tx_unflushed = true;
        continue;
      }
    }
    else if (tls_flush (tq->tls) == 0) {
      tq->tx_unflushed = false;
      return 1;
    }
    if (errno == EINTR)
      continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) {
      tq->tx_err = errno;
      if (errno == EPROTO)
        msgf (why, whylen, "TLS: %s", tls_last_error ());
      else
        msgf (why, whylen, "send: %s", strerror (errno));
      return -1;
    }
    if (!block)
      return 0;
    if (deadline == 0)
      deadline = now_ms () + tq->q.ctrl->timeout_ms;
    r = tcp_wait_room (tq, deadline, why, whylen);
    if (r <= 0) {
      tq->tx_err = 0; /* no room in time: not the peer's close */
      return -1;
    }
  }
}
