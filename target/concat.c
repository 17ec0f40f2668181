/* SPDX-License-Identifier: BSD-3-Clause */
/* Secure channel concatenation (NVMe Base 2.1 8.3.4.3): the TLS PSKs that
 * DH-HMAC-CHAP exchanges generated, for the TLS handshakes that follow.
 *
 * The exchange runs on a host's admin queue without TLS (SC_C NEWTLSPSK),
 * or on one with TLS (REPLACETLSPSK); when it succeeds (auth.c), the
 * generated PSK gives an identity "NVMe1G0h <hostnqn> <subnqn> <digest>"
 * and a TLS PSK (tls-psk-gen.c), kept here.  The host then connects every
 * queue again over TLS with that identity, for a new association: the PSK
 * outlives the controller that made it, as nvmet's outlives it in the
 * kernel's keyring (nvmet_auth_insert_psk, nvme_tls_psk_refresh).  The
 * identity carries a digest of the PSK, so every exchange adds one; the
 * table keeps the TLS_GEN_MAX most recent, the oldest going first (a host
 * that reconnects makes a new one and no longer uses its old one).  Keys
 * are wiped when they leave the table and at exit, and never logged. */
#include <config.h>

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <openssl/crypto.h>

#include "target.h"

#define TLS_GEN_MAX 64

static struct {
  bool used;
  uint64_t seq; /* larger: newer */
  struct tls_psk psk;
} table[TLS_GEN_MAX];
static uint64_t next_seq;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

int
concat_psk_add (uint8_t hashid, const uint8_t *gen, size_t len,
                const char *hostnqn, const char *subnqn, char *identity,
                size_t idlen, char *err, size_t errlen)
{
  struct tls_psk psk;
  size_t i, slot = TLS_GEN_MAX;

  if (tls_psk_concat_derive (hashid, gen, len, hostnqn, subnqn, &psk, err,
                             errlen) == -1)
    return -1;
  pthread_mutex_lock (&lock);
  /* The same identity again (the same PSK) takes its place; else a free
   * entry, else the oldest. */
  for (i = 0; i < TLS_GEN_MAX && slot == TLS_GEN_MAX; i++)
    if (table[i].used && strcmp (table[i].psk.identity, psk.identity) == 0)
      slot = i;
  for (i = 0; i < TLS_GEN_MAX && slot == TLS_GEN_MAX; i++)
    if (!table[i].used)
      slot = i;
  if (slot == TLS_GEN_MAX)
    for (i = slot = 0; i < TLS_GEN_MAX; i++)
      if (table[i].seq < table[slot].seq)
        slot = i;
  table[slot].psk = psk;
  table[slot].used = true;
  table[slot].seq = ++next_seq;
  pthread_mutex_unlock (&lock);
  snprintf (identity, idlen, "%s", psk.identity);
  OPENSSL_cleanse (&psk, sizeof psk);
  return 0;
}

bool
concat_psk_find (const char *identity, struct tls_psk *out)
{
  bool found = false;
  size_t i;

  pthread_mutex_lock (&lock);
  for (i = 0; i < TLS_GEN_MAX && !found; i++)
    if (table[i].used && strcmp (table[i].psk.identity, identity) == 0) {
      *out = table[i].psk;
      found = true;
    }
  pthread_mutex_unlock (&lock);
  return found;
}

void
concat_psk_free_all (void)
{
  pthread_mutex_lock (&lock);
  OPENSSL_cleanse (table, sizeof table);
  pthread_mutex_unlock (&lock);
}
