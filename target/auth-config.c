/* SPDX-License-Identifier: BSD-3-Clause */
/* Hosts and their DH-HMAC-CHAP secrets, as nvmet keeps them in configfs
 * (hosts/NQN/dhchap_key, dhchap_ctrl_key, dhchap_hash, dhchap_dhgroup):
 * from the command line (--dhchap-key NQN=+FILE ...) or from the "hosts"
 * list of an nvmetcli JSON file.  A secret is parsed (so checked) when it
 * is read, never printed, and wiped when the configuration is freed.
 * Hosts' TLS PSKs are read the same way (tls-config.c).
 *
 * nvmetcli saves a host's attributes nested by configfs group, as
 * {"nqn": ..., "dhchap": {"key": ..., "ctrl_key": ..., "hash": ...,
 * "dhgroup": ...}}, an unset key as ""; the flat configfs names
 * ("dhchap_key": ...) are accepted as well. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <json-c/json.h>
#include <openssl/crypto.h>

#include "target.h"
#include "config-json.h"

#define SECRET_READ_MAX 512 /* bytes read from a secret's file, at most */

static bool stdin_used;

static int errf (char *err, size_t errlen, const char *fmt, ...)
  __attribute__((__format__ (__printf__, 3, 4)));

static int
errf (char *err, size_t errlen, const char *fmt, ...)
{
  va_list ap;

  va_start (ap, fmt);
  vsnprintf (err, errlen, fmt, ap);
  va_end (ap);
  return -1;
}

/* Find a host, or add it with nvmet's defaults.  The table is copied, not
 * realloc'd, so that no secret is left behind in freed memory. */
struct tgt_host *
auth_host_get (const char *nqn)
{
  struct tgt_host *n, *h;
  size_t i;

  for (i = 0; i < cfg.nr_hosts; i++)
    if (strcmp (cfg.hosts[i].nqn, nqn) == 0)
      return &cfg.hosts[i];
  n = calloc (cfg.nr_hosts + 1, sizeof *n);
  if (!n) {
    fprintf (stderr, "nvmeof-target: out of memory\n");
    return NULL;
  }
  if (cfg.nr_hosts) {
    memcpy (n, cfg.hosts, cfg.nr_hosts * sizeof *n);
    OPENSSL_cleanse (cfg.hosts, cfg.nr_hosts * sizeof *n);
  }
  free (cfg.hosts);
  cfg.hosts = n;
  h = &cfg.hosts[cfg.nr_hosts++];
  snprintf (h->nqn, sizeof h->nqn, "%s", nqn);
  h->hashid = NVMF_AUTH_HASH_SHA256;
  h->dhgid = NVMF_AUTH_DHGROUP_NULL;
  return h;
}

void
auth_hosts_free (void)
{
  if (cfg.hosts)
    OPENSSL_cleanse (cfg.hosts, cfg.nr_hosts * sizeof *cfg.hosts);
  free (cfg.hosts);
  cfg.hosts = NULL;
  cfg.nr_hosts = 0;
}

const struct tgt_host *
auth_host_for (const struct tgt_subsys *ss, const char *hostnqn)
{
  size_t i;

  if (ss->discovery || ss->allow_any_host || !subsys_allows_host (ss, hostnqn))
    return NULL;
  for (i = 0; i < cfg.nr_hosts; i++)
    if (strcmp (cfg.hosts[i].nqn, hostnqn) == 0)
      return cfg.hosts[i].has_key ? &cfg.hosts[i] : NULL;
  return NULL;
}

static bool
readable_by_others (const struct stat *st)
{
  return S_ISREG (st->st_mode) && (st->st_mode & (S_IRGRP | S_IROTH));
}

/* Read a secret's text from "+FILE" or "-" (standard input, once) into
 * buf.  -1 with err set (naming the file, never its contents). */
static int
read_secret (const char *spec, char *buf, size_t len, bool *loose, char *err,
             size_t errlen)
{
  const char *what = spec[0] == '+' ? spec + 1 : "standard input";
  struct stat st;
  size_t n = 0;
  ssize_t r;
  int fd;

  *loose = false;
  if (strcmp (spec, "-") == 0) {
    if (stdin_used)
      return errf (err, errlen, "standard input can give only one secret");
    stdin_used = true;
    fd = STDIN_FILENO;
  }
  else {
    fd = open (spec + 1, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd == -1)
      return errf (err, errlen, "%s: %s", what, strerror (errno));
    *loose = fstat (fd, &st) == 0 && readable_by_others (&st);
  }
  /* Standard input: one line, so that a terminal works too. */
  while (n < len) {
    r = read (fd, buf + n, fd == STDIN_FILENO ? 1 : len - n);
    if (r == -1 && errno == EINTR)
      continue;
    if (r <= 0)
      break;
    n += r;
    if (fd == STDIN_FILENO && buf[n - 1] == '\n')
      break;
  }
  if (fd != STDIN_FILENO)
    close (fd);
  if (n == len)
    return errf (err, errlen, "%s: too large for a secret", what);
  if (n == 0)
    return errf (err, errlen, "%s: empty (expected a secret)", what);
  if (memchr (buf, '\0', n))
    return errf (err, errlen, "%s: not text", what);
  buf[n] = '\0';
  return 0;
}

int
auth_secret_arg (const char *opt, const char *arg, char nqn[TGT_NQN_MAX + 1],
                 char *buf, size_t len, bool *loose)
{
  const char *eq = strchr (arg, '='), *val;
  char err[256];

  /* arg is never printed: it may be a secret typed by mistake. */
  if (!eq || eq == arg) {
    fprintf (stderr,
             "nvmeof-target: --%s: expected NQN=+FILE or NQN=- "
             "(standard input)\n",
             opt);
    return -1;
  }
  if ((size_t) (eq - arg) > TGT_NQN_MAX) {
    fprintf (stderr,
             "nvmeof-target: --%s: the host NQN is longer than %d "
             "bytes\n",
             opt, TGT_NQN_MAX);
    return -1;
  }
  memcpy (nqn, arg, eq - arg);
  nqn[eq - arg] = '\0';
  val = eq + 1;
  if (!(val[0] == '+' && val[1] != '\0') && strcmp (val, "-") != 0) {
    fprintf (stderr,
             "nvmeof-target: --%s: host %s: give the secret as NQN=+FILE or "
             "NQN=- (standard input): a secret on the command line shows "
             "in ps\n",
             opt, nqn);
    return -1;
  }
  if (read_secret (val, buf, len - 1, loose, err, sizeof err) == -1) {
    OPENSSL_cleanse (buf, len);
    fprintf (stderr, "nvmeof-target: --%s: host %s: %s\n", opt, nqn, err);
    return -1;
  }
  return 0;
}

int
auth_secret_option (const char *opt, const char *arg, bool ctrl)
{
  char nqn[TGT_NQN_MAX + 1], buf[SECRET_READ_MAX + 1], err[256];
  struct dhchap_key key;
  struct tgt_host *h;
  bool loose;
  int r;

  if (auth_secret_arg (opt, arg, nqn, buf, sizeof buf, &loose) == -1)
    return -1;
  r = dhchap_key_parse (buf, &key, err, sizeof err);
  OPENSSL_cleanse (buf, sizeof buf);
  if (r == -1) {
    fprintf (stderr, "nvmeof-target: --%s: host %s: %s\n", opt, nqn, err);
    return -1;
  }
  h = auth_host_get (nqn);
  if (!h) {
    dhchap_key_wipe (&key);
    return -1;
  }
  if (ctrl ? h->has_ctrl_key : h->has_key) {
    dhchap_key_wipe (&key);
    fprintf (stderr, "nvmeof-target: --%s: host %s: given twice\n", opt, nqn);
    return -1;
  }
  if (ctrl) {
    h->ctrl_key = key;
    h->has_ctrl_key = true;
  }
  else {
    h->key = key;
    h->has_key = true;
  }
  dhchap_key_wipe (&key);
  if (loose)
    fprintf (stderr,
             "nvmeof-target: warning: --%s: %s is readable by group or "
             "others (chmod 600 it)\n",
             opt, strchr (arg, '=') + 2);
  return 0;
}

/* A hash or DH group name (ifhash: a hash) into *id.  -1 if unknown. */
static int
parse_name (bool ifhash, const char *name, uint8_t *id)
{
  int g;

  if (ifhash) {
    *id = dhchap_hash_from_name (name);
    return *id ? 0 : -1;
  }
  g = dhchap_dhgroup_from_name (name);
  if (g < 0)
    return -1;
  *id = (uint8_t) g;
  return 0;
}

#define HASH_NAMES "hmac(sha256), hmac(sha384) or hmac(sha512)"
#define GROUP_NAMES \
  "null, ffdhe2048, ffdhe3072, ffdhe4096, ffdhe6144 or ffdhe8192"

int
auth_name_option (const char *opt, const char *name)
{
  bool ifhash = strcmp (opt, "dhchap-hash") == 0;
  uint8_t id;

  if (parse_name (ifhash, name, &id) == 0)
    return 0;
  fprintf (stderr, "nvmeof-target: --%s: expected %s, got '%s'\n", opt,
           ifhash ? HASH_NAMES : GROUP_NAMES, name);
  return -1;
}

int
auth_quick_finish (struct tgt_subsys *ss, const struct quick_opts *q)
{
  uint8_t hashid = NVMF_AUTH_HASH_SHA256, dhgid = NVMF_AUTH_DHGROUP_NULL;
  size_t i, keys = 0;

  if (q->dhchap_hash)
    parse_name (true, q->dhchap_hash, &hashid);
  if (q->dhchap_dhgroup)
    parse_name (false, q->dhchap_dhgroup, &dhgid);
  for (i = 0; i < cfg.nr_hosts; i++) {
    struct tgt_host *h = &cfg.hosts[i];

    if (!h->has_key && !h->has_ctrl_key)
      continue; /* a host with a TLS PSK only (tls-config.c) */
    if (!h->has_key) {
      fprintf (stderr,
               "nvmeof-target: --dhchap-ctrl-key: host %s has no "
               "--dhchap-key (bidirectional authentication needs both)\n",
               h->nqn);
      return -1;
    }
    keys++;
    h->hashid = hashid;
    h->dhgid = dhgid;
    /* A host with a secret is allowed (and so must authenticate). */
    if (subsys_add_host (ss, h->nqn) == -1)
      return -1;
  }
  if ((q->dhchap_hash || q->dhchap_dhgroup) && keys == 0) {
    fprintf (stderr, "nvmeof-target: --%s needs --dhchap-key\n",
             q->dhchap_hash ? "dhchap-hash" : "dhchap-dhgroup");
    return -1;
  }
  return 0;
}

/* ---- JSON ---------------------------------------------------------------- */

/* The configfs attribute names, flat and as nvmetcli nests them. */
enum { A_KEY, A_CTRL_KEY, A_HASH, A_DHGROUP, A__MAX };
static const char *const flat_names[A__MAX] = { "dhchap_key", "dhchap_ctrl_key",
                                                "dhchap_hash",
                                                "dhchap_dhgroup" };
static const char *const nested_names[A__MAX] = { "key", "ctrl_key", "hash",
                                                  "dhgroup" };

/* One attribute, flat or nested (not both); *name says which it was. */
static int
get_attr (json_object *h, json_object *group, int a, const char *path,
          const char **out, char *name, size_t namelen)
{
  const char *flat, *nested = NULL;

  if (get_str (h, flat_names[a], path, &flat) == -1)
    return -1;
  if (group && get_str (group, nested_names[a], path, &nested) == -1)
    return -1;
  if (flat && nested)
    return jerr (path, "'%s' and 'dhchap.%s' are both given", flat_names[a],
                 nested_names[a]);
  *out = flat ? flat : nested;
  if (flat)
    snprintf (name, namelen, "%s", flat_names[a]);
  else
    snprintf (name, namelen, "dhchap.%s", nested_names[a]);
  return 0;
}

/* A secret attribute ("" is none, as nvmetcli saves an unset key).  The
 * text in the JSON tree is wiped once parsed. */
static int
load_secret (const char *text, const char *name, const char *path,
             struct tgt_host *h, bool ctrl)
{
  struct dhchap_key *key = ctrl ? &h->ctrl_key : &h->key;
  char err[256];
  int r;

  if (!text || text[0] == '\0')
    return 0;
  r = dhchap_key_parse (text, key, err, sizeof err);
  OPENSSL_cleanse ((char *) text, strlen (text));
  if (r == -1)
    return jerr (path, "host %s: '%s' is not a valid secret: %s", h->nqn, name,
                 err);
  if (ctrl)
    h->has_ctrl_key = true;
  else
    h->has_key = true;
  return 0;
}

int
auth_load_host (json_object *o, const char *path)
{
  const char *nqn, *v[A__MAX];
  char names[A__MAX][32];
  json_object *group;
  struct tgt_host *h;
  size_t i;
  int a;

  if (!json_object_is_type (o, json_type_object))
    return jerr (path, "must be an object");
  if (get_str (o, "nqn", path, &nqn) == -1)
    return -1;
  if (!nqn)
    return jerr (path, "'nqn' is missing");
  if (check_nqn (path, "nqn", nqn) == -1)
    return -1;
  for (i = 0; i < cfg.nr_hosts; i++)
    if (strcmp (cfg.hosts[i].nqn, nqn) == 0)
      return jerr (path, "host '%s' is defined twice", nqn);
  if (get_typed (o, "dhchap", path, json_type_object, &group) == -1)
    return -1;
  for (a = 0; a < A__MAX; a++)
    if (get_attr (o, group, a, path, &v[a], names[a], sizeof names[a]) == -1)
      return -1;
  h = auth_host_get (nqn);
  if (!h)
    return -1;
  if (tls_load_host_key (o, path, h) == -1)
    return -1;
  if (v[A_HASH] && v[A_HASH][0] && parse_name (true, v[A_HASH], &h->hashid))
    return jerr (path, "host %s: '%s' must be " HASH_NAMES ", got '%s'", nqn,
                 names[A_HASH], v[A_HASH]);
  if (v[A_DHGROUP] && v[A_DHGROUP][0] &&
      parse_name (false, v[A_DHGROUP], &h->dhgid))
    return jerr (path, "host %s: '%s' must be " GROUP_NAMES ", got '%s'", nqn,
                 names[A_DHGROUP], v[A_DHGROUP]);
  if (load_secret (v[A_KEY], names[A_KEY], path, h, false) == -1 ||
      load_secret (v[A_CTRL_KEY], names[A_CTRL_KEY], path, h, true) == -1)
    return -1;
  if (h->has_ctrl_key && !h->has_key)
    fprintf (stderr,
             "nvmeof-target: warning: %s: host %s has a controller secret "
             "but no host secret: it does not authenticate (as in nvmet)\n",
             path, nqn);
  return 0;
}

void
auth_check_file_mode (const char *file)
{
  bool dhchap = false, tls = false;
  struct stat st;
  size_t i;

  for (i = 0; i < cfg.nr_hosts; i++) {
    dhchap = dhchap || cfg.hosts[i].has_key || cfg.hosts[i].has_ctrl_key;
    tls = tls || cfg.hosts[i].has_tls_key;
  }
  if ((dhchap || tls) && stat (file, &st) == 0 && readable_by_others (&st))
    fprintf (stderr,
             "nvmeof-target: warning: %s holds %s and is readable by group "
             "or others (chmod 600 it)\n",
             file, dhchap ? "DH-HMAC-CHAP secrets" : "TLS PSKs");
}
