/* SPDX-License-Identifier: BSD-3-Clause */
/* TLS in the configuration: ports' addr.tsas and addr.treq as nvmet's
 * configfs takes them, and hosts' TLS PSKs.
 *
 * nvmet: addr_tsas is "none" or "tls1.3"; "tls1.3" turns a TREQ of "not
 * specified" into "required", and "not required" with "tls1.3" lets plain
 * hosts in too.  TLS PSKs live in the kernel's keyring there, not in
 * configfs, so nvmetcli saves none: a host's configured PSK is our
 * extension, "tls_key": "NVMeTLSkey-1:hh:...:" in its "hosts" entry (as
 * nvme-cli's gen-tls-key prints it), or --tls-key NQN=+FILE|NQN=- in the
 * quick mode.  A PSK is parsed (so checked) when it is read, never
 * printed, and wiped with the configuration. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
#include <openssl/crypto.h>

#include "target.h"
#include "config-json.h"

#define PSK_READ_MAX 256 /* bytes read from a PSK's file, at most */

enum tgt_tls
port_tls (const struct tgt_port *port)
{
  if (port->tsas != NVMF_TCP_SECTYPE_TLS13)
    return TGT_TLS_NONE;
  if ((port->treq & NVMF_TREQ_SECURE_MASK) == NVMF_TREQ_SECURE_NOT_REQUIRED)
    return TGT_TLS_OPTIONAL;
  return TGT_TLS_REQUIRED;
}

const struct tgt_host *
tls_host_find (const char *hostnqn)
{
  size_t i;

  for (i = 0; i < cfg.nr_hosts; i++)
    if (strcmp (cfg.hosts[i].nqn, hostnqn) == 0)
      return cfg.hosts[i].has_tls_key ? &cfg.hosts[i] : NULL;
  return NULL;
}

/* Keep key as h's PSK (wiping key). */
static int
set_key (struct tgt_host *h, struct tls_psk_key *key, const char *what)
{
  if (h->has_tls_key) {
    tls_psk_wipe (key);
    fprintf (stderr, "nvmeof-target: %s: host %s: given twice\n", what, h->nqn);
    return -1;
  }
  h->tls_key = *key;
  h->has_tls_key = true;
  tls_psk_wipe (key);
  return 0;
}

int
tls_key_option (const char *arg)
{
  char nqn[TGT_NQN_MAX + 1], buf[PSK_READ_MAX + 1], err[256];
  struct tls_psk_key key;
  struct tgt_host *h;
  bool loose;
  int r;

  if (auth_secret_arg ("tls-key", arg, nqn, buf, sizeof buf, &loose) == -1)
    return -1;
  r = tls_psk_parse (buf, &key, err, sizeof err);
  OPENSSL_cleanse (buf, sizeof buf);
  if (r == -1) {
    fprintf (stderr, "nvmeof-target: --tls-key: host %s: %s\n", nqn, err);
    return -1;
  }
  h = auth_host_get (nqn);
  if (!h) {
    tls_psk_wipe (&key);
    return -1;
  }
  if (set_key (h, &key, "--tls-key") == -1)
    return -1;
  if (loose)
    fprintf (stderr,
             "nvmeof-target: warning: --tls-key: %s is readable by group or "
             "others (chmod 600 it)\n",
             strchr (arg, '=') + 2);
  return 0;
}

int
tls_quick_finish (struct tgt_port *port, struct tgt_subsys *ss,
                  const struct quick_opts *q)
{
  size_t i;

  if (q->tls && q->tls_optional) {
    fprintf (stderr,
             "nvmeof-target: --tls and --tls-optional exclude each other\n");
    return -1;
  }
  if (q->tls || q->tls_optional) {
    port->tsas = NVMF_TCP_SECTYPE_TLS13;
    port->treq =
      q->tls ? NVMF_TREQ_SECURE_REQUIRED : NVMF_TREQ_SECURE_NOT_REQUIRED;
  }
  /* A host with a PSK is allowed (as with --dhchap-key). */
  for (i = 0; i < cfg.nr_hosts; i++) {
    const struct tgt_host *h = &cfg.hosts[i];

    if (!h->has_tls_key)
      continue;
    if (!q->tls && !q->tls_optional) {
      fprintf (stderr, "nvmeof-target: --tls-key needs --tls or "
                       "--tls-optional\n");
      return -1;
    }
    if (subsys_add_host (ss, h->nqn) == -1)
      return -1;
  }
  return 0;
}

int
tls_config_check (void)
{
  size_t i;

  /* A DH-HMAC-CHAP key will do: secure channel concatenation generates
   * a PSK from it. */
  for (i = 0; i < cfg.nr_hosts; i++)
    if (cfg.hosts[i].has_tls_key || cfg.hosts[i].has_key)
      return 0;
  for (i = 0; i < cfg.nr_ports; i++) {
    if (port_tls (&cfg.ports[i]) == TGT_TLS_NONE)
      continue;
    fprintf (stderr,
             "nvmeof-target: port %u offers TLS, but no host has a TLS PSK "
             "(--tls-key NQN=+FILE, or \"tls_key\" in its \"hosts\" "
             "entry) or a DH-HMAC-CHAP key for secure channel "
             "concatenation\n",
             cfg.ports[i].portid);
    return -1;
  }
  return 0;
}

/* ---- JSON -------------------------------------------------------------- */

int
tls_parse_tsas (json_object *addr, const char *path, uint8_t *tsas,
                uint8_t *treq)
{
  const char *s;

  if (get_str (addr, "tsas", path, &s) == -1)
    return -1;
  *tsas = NVMF_TCP_SECTYPE_NONE;
  if (!s || strcmp (s, "none") == 0)
    return 0;
  if (strcmp (s, "tls1.3") != 0)
    return jerr (path, "'addr.tsas' must be 'none' or 'tls1.3', got '%s'", s);
  *tsas = NVMF_TCP_SECTYPE_TLS13;
  if ((*treq & NVMF_TREQ_SECURE_MASK) == NVMF_TREQ_SECURE_NOT_SPECIFIED)
    *treq = (*treq & ~NVMF_TREQ_SECURE_MASK) | NVMF_TREQ_SECURE_REQUIRED;
  return 0;
}

int
tls_load_host_key (json_object *o, const char *path, struct tgt_host *h)
{
  struct tls_psk_key key;
  const char *text;
  char err[256];
  int r;

  if (get_str (o, "tls_key", path, &text) == -1)
    return -1;
  if (!text || text[0] == '\0')
    return 0;
  r = tls_psk_parse (text, &key, err, sizeof err);
  OPENSSL_cleanse ((char *) text, strlen (text));
  if (r == -1)
    return jerr (path, "host %s: 'tls_key' is not a valid TLS PSK: %s", h->nqn,
                 err);
  h->tls_key = key; /* once: a host is defined once */
  h->has_tls_key = true;
  tls_psk_wipe (&key);
  return 0;
}
