/* SPDX-License-Identifier: BSD-3-Clause */
/* NQN and UUID validation, and the default host identity.
 *
 * The host NQN and host ID must be stable (a target's allow-list, and
 * reservations, name the host by them) and the pair must not change
 * partners.  Order of the defaults:
 *   1. the system's files, /etc/nvme/hostnqn and /etc/nvme/hostid (tests:
 *      $NVMEOF_HOSTNQN_FILE and $NVMEOF_HOSTID_FILE), if either exists;
 *   2. else the same two files in the user's configuration directory
 *      ($XDG_CONFIG_HOME/nvmeof/, default ~/.config/nvmeof/), if either
 *      exists;
 *   3. else the host ID derived from /etc/machine-id, else the DMI
 *      product UUID;
 *   4. else a random identity generated once and written to the files of
 *      1 (root of the machine) or 2 (anyone else, root of a container's
 *      user namespace included; hostid-store.c), where the next run finds
 *      it.
 * Within a place, a missing host NQN is the UUID form of the host ID and
 * a missing host ID the UUID of a UUID-form host NQN.
 * The derivation from machine-id is systemd's "application specific
 * machine ID" (HMAC-SHA256 keyed with the machine ID over an application
 * UUID, truncated to 128 bits and marked as a version 4 UUID) with the
 * application UUID libnvme uses (NVME_HOSTNQN_ID), so a machine whose
 * nvme-cli derived its identity the same way presents the same host ID.
 * The machine ID itself is never sent (machine-id(5) asks for that).
 */
#include <config.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef HAVE_OPENSSL
#include <openssl/evp.h>
#include <openssl/hmac.h>
#endif

#include "nvmeof.h"
#include "errors.h"
#include "hostid.h"

#define UUID_NQN_PREFIX   "nqn.2014-08.org.nvmexpress:uuid:"
#define MACHINE_ID_FILE   "/etc/machine-id"
#define PRODUCT_UUID_FILE "/sys/class/dmi/id/product_uuid"

/* libnvme's application ID for sd_id128_get_machine_app_specific. */
static const unsigned char nvme_app_id[16] = {
  0xc7, 0xf4, 0x61, 0x81, 0x12, 0xbe, 0x49, 0x32,
  0x8c, 0x83, 0x10, 0x6f, 0x9d, 0xdd, 0xd8, 0x6b,
};

/* ---- Validation -------------------------------------------------------- */

/* At most 60 bytes of s, on one line, for messages. */
static const char *
quote (const char *s, char *buf, size_t len)
{
  return error_quote (s, 60, buf, len);
}

static int
nqn_error (const char *key, const char *nqn, const char *what)
{
  char q[80];

  set_error (EINVAL, "%s: %s, got '%s'", key, what, quote (nqn, q, sizeof q));
  return -1;
}

/* Length of the valid UTF-8 sequence at p, or 0. */
static size_t
utf8_len (const unsigned char *p)
{
  size_t n, i;
  uint32_t cp;

  if (p[0] < 0x80)
    return 1;
  else if (p[0] >= 0xC2 && p[0] <= 0xDF) {
    n = 2;
    cp = p[0] & 0x1F;
  }
  else if (p[0] >= 0xE0 && p[0] <= 0xEF) {
    n = 3;
    cp = p[0] & 0x0F;
  }
  else if (p[0] >= 0xF0 && p[0] <= 0xF4) {
    n = 4;
    cp = p[0] & 0x07;
  }
  else
    return 0;
  for (i = 1; i < n; i++) {
    if ((p[i] & 0xC0) != 0x80)
      return 0;
    cp = (cp << 6) | (p[i] & 0x3F);
  }
  /* Overlong forms, surrogates, beyond U+10FFFF. */
  if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
      (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
    return 0;
  return n;
}

/* What every NQN must be: 1..223 bytes of UTF-8 without spaces or control
 * characters. */
static int
nqn_check_bytes (const char *key, const char *nqn)
{
  const unsigned char *p;
  size_t len, n;

  if (nqn == NULL || nqn[0] == '\0')
    return nqn_error (key, "", "expected an NQN (nqn.yyyy-mm.domain:name)");
  len = strlen (nqn);
  if (len > NVMEOF_NQN_MAX) {
    set_error (EINVAL, "%s: NQN is %zu bytes long, at most %d are allowed", key,
               len, NVMEOF_NQN_MAX);
    return -1;
  }
  for (p = (const unsigned char *) nqn; *p; p += n) {
    if (*p <= 0x20 || *p == 0x7f)
      return nqn_error (key, nqn, "NQN contains a space or control character");
    n = utf8_len (p);
    if (n == 0)
      return nqn_error (key, nqn, "NQN is not valid UTF-8");
  }
  return 0;
}

/* Subsystem NQNs are chosen by the target's administrator, and targets
 * (Linux nvmet, SPDK) accept any name: "testnqn" is common.  Like the
 * kernel host, accept any name that fits the field. */
int
subnqn_validate (const char *key, const char *nqn)
{
  return nqn_check_bytes (key, nqn);
}

int
nqn_validate (const char *key, const char *nqn)
{
  size_t i, label;
  unsigned month;

  if (nqn_check_bytes (key, nqn) == -1)
    return -1;

  if (strcmp (nqn, NVMEOF_DISCOVERY_NQN) == 0)
    return 0;

  if (strncmp (nqn, UUID_NQN_PREFIX, strlen (UUID_NQN_PREFIX)) == 0) {
    char out[37];

    if (uuid_validate (key, nqn + strlen (UUID_NQN_PREFIX), out) == -1)
      return nqn_error (key, nqn,
                        "expected a UUID after '" UUID_NQN_PREFIX "'");
    return 0;
  }

  /* nqn.yyyy-mm. */
  if (strncmp (nqn, "nqn.", 4) != 0)
    return nqn_error (key, nqn, "NQN must start with 'nqn.'");
  for (i = 4; i < 8; i++)
    if (!isdigit ((unsigned char) nqn[i]))
      break;
  if (i < 8 || nqn[8] != '-' || !isdigit ((unsigned char) nqn[9]) ||
      !isdigit ((unsigned char) nqn[10]))
    return nqn_error (key, nqn, "NQN must start with 'nqn.yyyy-mm.' (a date)");
  month = (unsigned) (nqn[9] - '0') * 10 + (unsigned) (nqn[10] - '0');
  if (month < 1 || month > 12)
    return nqn_error (key, nqn, "NQN date has a month outside 01..12");
  if (nqn[11] != '.')
    return nqn_error (key, nqn, "expected '.' after the date 'nqn.yyyy-mm'");

  /* Reverse domain name up to ':', then a non-empty name. */
  label = 0;
  for (i = 12; nqn[i] && nqn[i] != ':'; i++) {
    unsigned char c = (unsigned char) nqn[i];

    if (c == '.') {
      if (label == 0)
        return nqn_error (key, nqn, "NQN domain has an empty label");
      label = 0;
    }
    else if (isalnum (c) || c == '-' || c == '_')
      label++;
    else
      return nqn_error (key, nqn,
                        "NQN domain may contain only letters, "
                        "digits, '-', '_' and '.'");
  }
  if (i == 12)
    return nqn_error (key, nqn, "NQN has no domain after the date");
  if (label == 0)
    return nqn_error (key, nqn, "NQN domain has an empty label");
  if (nqn[i] != ':')
    return nqn_error (key, nqn, "expected ':' and a name after the NQN domain");
  if (nqn[i + 1] == '\0')
    return nqn_error (key, nqn, "NQN has nothing after ':'");
  return 0;
}

static int
hexval (int c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/* 8-4-4-4-12 hex digits, nothing else. */
static bool
uuid_ok (const char *s, unsigned char bytes[16])
{
  size_t i, b = 0;

  if (strlen (s) != 36)
    return false;
  for (i = 0; i < 36; i++) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (s[i] != '-')
        return false;
      continue;
    }
    if (hexval ((unsigned char) s[i]) < 0 ||
        hexval ((unsigned char) s[i + 1]) < 0)
      return false;
    bytes[b++] = (unsigned char) (hexval ((unsigned char) s[i]) << 4 |
                                  hexval ((unsigned char) s[i + 1]));
    i++;
  }
  return b == 16;
}

static void
uuid_unparse (const unsigned char b[16], char out[37])
{
  snprintf (out, 37,
            "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
            "%02x%02x%02x%02x%02x%02x",
            b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10],
            b[11], b[12], b[13], b[14], b[15]);
}

int
uuid_validate (const char *key, const char *uuid, char out[37])
{
  unsigned char b[16];
  char q[80];

  if (uuid == NULL || !uuid_ok (uuid, b)) {
    set_error (EINVAL,
               "%s: expected a UUID like "
               "01234567-89ab-cdef-0123-456789abcdef, got '%s'",
               key, quote (uuid ? uuid : "", q, sizeof q));
    return -1;
  }
  uuid_unparse (b, out);
  return 0;
}

int
uuid_parse_bytes (const char *uuid, unsigned char out[16])
{
  char q[80];

  if (uuid == NULL || !uuid_ok (uuid, out)) {
    set_error (EINVAL,
               "uuid: expected a UUID like "
               "01234567-89ab-cdef-0123-456789abcdef, got '%s'",
               quote (uuid ? uuid : "", q, sizeof q));
    return -1;
  }
  return 0;
}

/* ---- Files --------------------------------------------------------------- */

/* Read a small identity file, whitespace trimmed.  Returns 1 if it has
 * content, 0 if it does not exist or is empty, -1 on error (set). */
static int
read_id_file (const char *path, char *buf, size_t len)
{
  char data[512];
  ssize_t r;
  size_t n = 0, start = 0;
  int fd;

  fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd == -1) {
    if (errno == ENOENT || errno == ENOTDIR)
      return 0;
    set_error (errno, "%s: %m", path);
    return -1;
  }
  for (;;) {
    r = read (fd, data + n, sizeof data - n);
    if (r == -1) {
      if (errno == EINTR)
        continue;
      set_error (errno, "%s: read: %m", path);
      close (fd);
      return -1;
    }
    if (r == 0)
      break;
    n += (size_t) r;
    if (n == sizeof data) {
      set_error (EINVAL, "%s: file too long for a host identity", path);
      close (fd);
      return -1;
    }
  }
  close (fd);

  while (n > 0 && isspace ((unsigned char) data[n - 1]))
    n--;
  while (start < n && isspace ((unsigned char) data[start]))
    start++;
  if (start == n)
    return 0;
  if (n - start >= len) {
    set_error (EINVAL, "%s: too long (%zu bytes)", path, n - start);
    return -1;
  }
  if (memchr (data + start, '\0', n - start) != NULL) {
    set_error (EINVAL, "%s: contains a NUL byte", path);
    return -1;
  }
  memcpy (buf, data + start, n - start);
  buf[n - start] = '\0';
  return 1;
}

/* Something to read at path (content, or an error to report)? */
static bool
has_content (const char *path)
{
  char buf[NVMEOF_NQN_MAX + 1];

  return read_id_file (path, buf, sizeof buf) != 0;
}

/* The place whose files are read: the system's if either of its files
 * has content, else the user's configuration directory if either of its
 * has, else the system's (nothing there).  Never a file of each, so the
 * pair stays one host's. */
static void
pick_files (struct id_files *f)
{
  id_files_system (f);
  if (has_content (f->nqn) || has_content (f->id))
    return;
  if (id_files_user (f) == 1 && (has_content (f->nqn) || has_content (f->id)))
    return;
  id_files_system (f);
}

/* The host NQN file: 1 found (validated), 0 none, -1 error. */
static int
hostnqn_from_file (const struct id_files *f, char nqn[NVMEOF_NQN_MAX + 1],
                   const char **source)
{
  int r;

  r = read_id_file (f->nqn, nqn, NVMEOF_NQN_MAX + 1);
  if (r == 1) {
    if (nqn_validate (f->nqn, nqn) == -1)
      return -1;
    *source = f->labels->nqn;
  }
  return r;
}

static int
hostid_from_file (const struct id_files *f, char id[37], const char **source)
{
  char buf[64];
  int r;

  r = read_id_file (f->id, buf, sizeof buf);
  if (r == 1) {
    if (uuid_validate (f->id, buf, id) == -1)
      return -1;
    *source = f->labels->id;
  }
  return r;
}

/* ---- Derivation ---------------------------------------------------------- */

#ifdef HAVE_OPENSSL
/* 1 derived, 0 no usable machine ID, -1 error. */
static int
hostid_from_machine_id (char id[37])
{
  const char *env = getenv ("NVMEOF_MACHINE_ID_FILE");
  const char *path = env ? env : MACHINE_ID_FILE;
  char buf[64];
  unsigned char key[16], mac[EVP_MAX_MD_SIZE];
  unsigned int maclen = 0;
  size_t i;
  int r;

  /* Unreadable or malformed: fall back to the next source. */
  r = read_id_file (path, buf, sizeof buf);
  if (r != 1)
    return 0;
  /* 32 lower-case hex digits (machine-id(5)); anything else is unusable,
   * as is the all-zero ID of an uninitialised image. */
  if (strlen (buf) != 32)
    return 0;
  for (i = 0; i < 16; i++) {
    int hi = hexval ((unsigned char) buf[2 * i]);
    int lo = hexval ((unsigned char) buf[2 * i + 1]);

    if (hi < 0 || lo < 0)
      return 0;
    key[i] = (unsigned char) (hi << 4 | lo);
  }
  for (i = 0; i < 16 && key[i] == 0; i++)
    ;
  if (i == 16)
    return 0;

  if (HMAC (EVP_sha256 (), key, sizeof key, nvme_app_id, sizeof nvme_app_id,
            mac, &maclen) == NULL ||
      maclen < 16) {
    set_error (EIO, "hostid: HMAC-SHA256 of the machine ID failed");
    return -1;
  }
  mac[6] = (mac[6] & 0x0F) | 0x40; /* version 4 */
  mac[8] = (mac[8] & 0x3F) | 0x80; /* RFC 4122 variant */
  uuid_unparse (mac, id);
  return 1;
}
#endif

/* 1 found, 0 none. */
static int
hostid_from_dmi (char id[37])
{
  char buf[64];
  unsigned char b[16];
  size_t i;

  const char *env = getenv ("NVMEOF_PRODUCT_UUID_FILE"); /* tests */

  /* Readable by root only; firmware sometimes fills it with 00 or FF. */
  if (read_id_file (env ? env : PRODUCT_UUID_FILE, buf, sizeof buf) != 1 ||
      !uuid_ok (buf, b))
    return 0;
  for (i = 0; i < 16 && (b[i] == 0 || b[i] == 0xff); i++)
    ;
  if (i == 16)
    return 0;
  uuid_unparse (b, id);
  return 1;
}

/* ---- Defaults ------------------------------------------------------------ */

/* The host ID, and in *nqn_src what a host NQN made from it is said to
 * come from. */
static int
hostid_resolve (const char *hostnqn, char id[37], const char **source,
                const char **nqn_src)
{
  char nqn[NVMEOF_NQN_MAX + 1];
  struct id_files f;
  const char *src = NULL;
  int r;

  pick_files (&f);
  r = hostid_from_file (&f, id, &src);
  if (r == -1)
    return -1;
  *nqn_src = f.labels->from_id;
  if (r == 0) {
    /* A UUID-form host NQN names its host ID. */
    if (hostnqn == NULL) {
      r = hostnqn_from_file (&f, nqn, &src);
      if (r == -1)
        return -1;
      if (r == 1) {
        hostnqn = nqn;
        src = f.labels->uuid_in_nqn;
      }
    }
    else
      src = "the UUID in the host NQN";
    r = 0;
    if (hostnqn &&
        strncmp (hostnqn, UUID_NQN_PREFIX, strlen (UUID_NQN_PREFIX)) == 0 &&
        uuid_validate ("hostnqn", hostnqn + strlen (UUID_NQN_PREFIX), id) == 0)
      r = 1;
  }
#ifdef HAVE_OPENSSL
  if (r == 0) {
    r = hostid_from_machine_id (id);
    if (r == -1)
      return -1;
    src = getenv ("NVMEOF_MACHINE_ID_FILE") ?
            "derived from $NVMEOF_MACHINE_ID_FILE" :
            "derived from " MACHINE_ID_FILE;
    *nqn_src = src;
  }
#endif
  if (r == 0) {
    r = hostid_from_dmi (id);
    src = *nqn_src = "derived from the DMI product UUID";
  }
  if (r == 0) {
    /* Nothing stable to use: make one, once, and keep it. */
    if (id_files_generate (&f) == -1)
      return -1;
    r = hostid_from_file (&f, id, &src);
    if (r == -1)
      return -1;
    if (r == 0) {
      set_error (EIO, "hostid: %s is empty right after it was written", f.id);
      return -1;
    }
    *nqn_src = f.labels->from_id;
  }
  *source = src;
  return 0;
}

int
hostid_default_for_hostnqn (const char *hostnqn, char *buf, size_t len,
                            const char **source)
{
  char id[37];
  const char *src = NULL, *nqn_src;

  if (len < 37) {
    set_error (EINVAL, "hostid: buffer too small");
    return -1;
  }
  if (hostid_resolve (hostnqn, id, &src, &nqn_src) == -1)
    return -1;
  memcpy (buf, id, 37);
  if (source)
    *source = src;
  return 0;
}

int
hostid_default (char *buf, size_t len, const char **source)
{
  return hostid_default_for_hostnqn (NULL, buf, len, source);
}

int
hostnqn_default_for_hostid (const char *hostid, char *buf, size_t len,
                            const char **source)
{
  char nqn[NVMEOF_NQN_MAX + 1], id[37];
  const char *src = NULL, *idsrc = NULL;
  struct id_files f;
  int r;

  pick_files (&f);
  r = hostnqn_from_file (&f, nqn, &src);
  if (r == -1)
    return -1;
  if (r == 0) {
    if (hostid == NULL) {
      if (hostid_resolve (NULL, id, &idsrc, &src) == -1)
        return -1;
      hostid = id;
    }
    else
      src = "derived from the host ID";
    snprintf (nqn, sizeof nqn, UUID_NQN_PREFIX "%s", hostid);
  }
  if (strlen (nqn) >= len) {
    set_error (EINVAL, "hostnqn: buffer too small");
    return -1;
  }
  memcpy (buf, nqn, strlen (nqn) + 1);
  if (source)
    *source = src;
  return 0;
}

int
hostnqn_default (char *buf, size_t len, const char **source)
{
  return hostnqn_default_for_hostid (NULL, buf, len, source);
}
