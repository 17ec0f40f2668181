/* SPDX-License-Identifier: BSD-3-Clause */
/* NQN and UUID validation, and the host identity: from files (through
 * $NVMEOF_HOSTNQN_FILE / $NVMEOF_HOSTID_FILE pointing at temporary files),
 * derived from a machine ID ($NVMEOF_MACHINE_ID_FILE), stable across calls,
 * and with the precedence option > file > derived. */
#include <config.h>

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nvmeof.h"
#include "hostid.h"
#include "opts.h"
#include "check.h"

#define UUID_PREFIX "nqn.2014-08.org.nvmexpress:uuid:"

/* HMAC-SHA256(machine ID 0123456789abcdef0123456789abcdef, libnvme's app
 * ID c7f46181-12be-4932-8c83-106f9dddd86b), as a v4 UUID: what systemd's
 * "systemd-id128 machine-id --app-specific=c7f4618112be49328c83106f9dddd86b"
 * prints on a machine with that machine ID. */
#define MACHINE_ID "0123456789abcdef0123456789abcdef"
#define DERIVED_ID "b9ab29c5-8029-47ad-8087-adf3ca83bb9a"

static char tmpdir[] = "/tmp/test-nqn-hostid.XXXXXX";
static char path_nqn[128], path_id[128], path_mid[128], path_none[128];

static void
write_file (const char *path, const char *content)
{
  FILE *fp = fopen (path, "w");

  if (fp == NULL || fputs (content, fp) == EOF || fclose (fp) == EOF) {
    perror (path);
    exit (1);
  }
}

static void
test_nqn (void)
{
  static const char *const good[] = {
    "nqn.2014-08.org.nvmexpress.discovery",
    "nqn.2016-06.io.spdk:cnode1",
    "nqn.2014-08.com.example:nvme:nvm-subsystem-sn-d78432",
    "nqn.2014-08.org.nvmexpress:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6",
    "nqn.2014-08.org.nvmexpress:uuid:F81D4FAE-7DEC-11D0-A765-00A0C91E6BF6",
    "nqn.2026-11.io.nvmeof:target",
    "nqn.1988-11.com.dell:powerstore:00:a1b2c3",
    "nqn.2014-08.com.example:caf\xc3\xa9",
    "nqn.2014-08.my_host-1.example:x",
  };
  static const struct {
    const char *nqn, *needle;
  } bad[] = {
    { "", "expected an NQN" },
    { "testnqn", "must start with 'nqn.'" },
    { "NQN.2014-08.com.example:x", "must start with 'nqn.'" },
    { "nqn.14-08.com.example:x", "'nqn.yyyy-mm.'" },
    { "nqn.2014-8.com.example:x", "'nqn.yyyy-mm.'" },
    { "nqn.2014-00.com.example:x", "month outside 01..12" },
    { "nqn.2014-13.com.example:x", "month outside 01..12" },
    { "nqn.2014-08com.example:x", "expected '.' after the date" },
    { "nqn.2014-08.:x", "no domain after the date" },
    { "nqn.2014-08.com..example:x", "empty label" },
    { "nqn.2014-08.com.example.:x", "empty label" },
    { "nqn.2014-08.com.exa/mple:x", "only letters, digits" },
    { "nqn.2014-08.com.example", "expected ':' and a name" },
    { "nqn.2014-08.com.example:", "nothing after ':'" },
    { "nqn.2014-08.com.example:a b", "space or control" },
    { "nqn.2014-08.com.example:a\tb", "space or control" },
    { "nqn.2014-08.com.example:a\x7f", "space or control" },
    { "nqn.2014-08.com.example:\xff", "not valid UTF-8" },
    { "nqn.2014-08.com.example:\xc3", "not valid UTF-8" },
    { "nqn.2014-08.com.example:\xc0\xaf", "not valid UTF-8" },
    { "nqn.2014-08.com.example:\xed\xa0\x80", "not valid UTF-8" },
    { "nqn.2014-08.org.nvmexpress:uuid:", "expected a UUID" },
    { "nqn.2014-08.org.nvmexpress:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf",
      "expected a UUID" },
    { "nqn.2014-08.org.nvmexpress:uuid:f81d4fae7dec-11d0-a765-00a0c91e6bf6x",
      "expected a UUID" },
  };
  char nqn[300];
  size_t i;

  printf ("nqn: %zu valid forms accepted\n", sizeof good / sizeof good[0]);
  for (i = 0; i < sizeof good / sizeof good[0]; i++)
    CHECK (nqn_validate ("nqn", good[i]) == 0, "'%s' refused: %s", good[i],
           nvmeof_get_error ());
  printf ("nqn: %zu invalid forms refused with the reason\n",
          sizeof bad / sizeof bad[0]);
  for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    if (nqn_validate ("subnqn", bad[i].nqn) == 0) {
      CHECK (false, "'%s' accepted", bad[i].nqn);
      continue;
    }
    CHECK (nvmeof_get_errno () == EINVAL, "errno");
    CHECK (strncmp (nvmeof_get_error (), "subnqn: ", 8) == 0,
           "'%s': no key in '%s'", bad[i].nqn, nvmeof_get_error ());
    CHECK (strstr (nvmeof_get_error (), bad[i].needle) != NULL,
           "'%s': message '%s' lacks '%s'", bad[i].nqn, nvmeof_get_error (),
           bad[i].needle);
    CHECK (strchr (nvmeof_get_error (), '\n') == NULL &&
             strchr (nvmeof_get_error (), '\t') == NULL,
           "not one line");
  }
  CHECK (nqn_validate ("nqn", NULL) == -1, "NULL accepted");

  printf ("nqn: 223 bytes accepted, 224 refused\n");
  snprintf (nqn, sizeof nqn, "nqn.2014-08.com.example:");
  memset (nqn + 24, 'x', 223 - 24);
  nqn[223] = '\0';
  CHECK (nqn_validate ("nqn", nqn) == 0, "223 bytes: %s", nvmeof_get_error ());
  nqn[223] = 'x';
  nqn[224] = '\0';
  CHECK (nqn_validate ("nqn", nqn) == -1, "224 bytes accepted");
  CHECK (strstr (nvmeof_get_error (), "224 bytes long, at most 223") != NULL,
         "224 message: %s", nvmeof_get_error ());
}

static void
test_uuid (void)
{
  unsigned char b[16];
  char out[37];
  static const unsigned char want[16] = {
    0xf8, 0x1d, 0x4f, 0xae, 0x7d, 0xec, 0x11, 0xd0,
    0xa7, 0x65, 0x00, 0xa0, 0xc9, 0x1e, 0x6b, 0xf6,
  };
  static const char *const bad[] = {
    "",
    "f81d4fae-7dec-11d0-a765-00a0c91e6bf",
    "f81d4fae-7dec-11d0-a765-"
    "00a0c91e6bf6a",
    "f81d4fae7dec-11d0-a765-00a0c91e6bf6-",
    "g81d4fae-7dec-11d0-a765-00a0c91e6bf6",
    "f81d4fae-7dec-11d0-a765_"
    "00a0c91e6bf6",
    "{f81d4fae-7dec-11d0-a765-00a0c91e6bf6}",
    " f81d4fae-7dec-11d0-a765-00a0c91e6bf6",
  };
  size_t i;

  printf ("uuid: parse to bytes, normalise to lower case\n");
  CHECK (uuid_parse_bytes ("F81D4FAE-7DEC-11d0-A765-00A0C91E6BF6", b) == 0,
         "parse: %s", nvmeof_get_error ());
  CHECK (memcmp (b, want, 16) == 0, "bytes differ");
  CHECK (
    uuid_validate ("hostid", "F81D4FAE-7DEC-11d0-A765-00A0C91E6BF6", out) == 0,
    "validate");
  CHECK (strcmp (out, "f81d4fae-7dec-11d0-a765-00a0c91e6bf6") == 0,
         "normalised '%s'", out);
  printf ("uuid: %zu malformed UUIDs refused\n", sizeof bad / sizeof bad[0]);
  for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    CHECK (uuid_validate ("hostid", bad[i], out) == -1, "'%s' accepted",
           bad[i]);
    CHECK (strncmp (nvmeof_get_error (), "hostid: expected a UUID", 23) == 0,
           "message '%s'", nvmeof_get_error ());
    CHECK (uuid_parse_bytes (bad[i], b) == -1, "'%s' parsed", bad[i]);
  }
  CHECK (uuid_parse_bytes (NULL, b) == -1, "NULL parsed");
}

/* Point the library at our temporary files. */
static void
use_files (bool nqn, bool id, bool mid)
{
  setenv ("NVMEOF_HOSTNQN_FILE", nqn ? path_nqn : path_none, 1);
  setenv ("NVMEOF_HOSTID_FILE", id ? path_id : path_none, 1);
  setenv ("NVMEOF_MACHINE_ID_FILE", mid ? path_mid : path_none, 1);
}

static void
test_defaults (void)
{
  char nqn[NVMEOF_NQN_MAX + 1], id[37], nqn2[NVMEOF_NQN_MAX + 1], id2[37];
  const char *src = NULL;

  write_file (path_nqn, "  nqn.2014-08.com.example:host-a\n\n");
  write_file (path_id, "\n0A1B2C3D-0000-4000-8000-00000000000A \n");
  write_file (path_mid, MACHINE_ID "\n");

  printf ("files: host NQN and host ID read from the files, trimmed\n");
  use_files (true, true, true);
  CHECK (hostnqn_default (nqn, sizeof nqn, &src) == 0, "hostnqn: %s",
         nvmeof_get_error ());
  CHECK (strcmp (nqn, "nqn.2014-08.com.example:host-a") == 0, "nqn '%s'", nqn);
  CHECK (src && strcmp (src, "$NVMEOF_HOSTNQN_FILE") == 0, "source %s", src);
  CHECK (hostid_default (id, sizeof id, &src) == 0, "hostid: %s",
         nvmeof_get_error ());
  CHECK (strcmp (id, "0a1b2c3d-0000-4000-8000-00000000000a") == 0, "id '%s'",
         id);
  CHECK (src && strcmp (src, "$NVMEOF_HOSTID_FILE") == 0, "source %s", src);

  printf ("derived: host ID from the machine ID (systemd app-specific ID, "
          "libnvme's app UUID)\n");
  use_files (false, false, true);
  CHECK (hostid_default (id, sizeof id, &src) == 0, "derive: %s",
         nvmeof_get_error ());
  CHECK (strcmp (id, DERIVED_ID) == 0, "derived '%s', want " DERIVED_ID, id);
  CHECK (src && strcmp (src, "derived from $NVMEOF_MACHINE_ID_FILE") == 0,
         "source %s", src);
  CHECK (hostnqn_default (nqn, sizeof nqn, &src) == 0, "derive nqn: %s",
         nvmeof_get_error ());
  CHECK (strcmp (nqn, UUID_PREFIX DERIVED_ID) == 0, "derived nqn '%s'", nqn);
  CHECK (src && strcmp (src, "derived from $NVMEOF_MACHINE_ID_FILE") == 0,
         "source %s", src);

  printf ("derived: stable (two calls, same values)\n");
  CHECK (hostid_default (id2, sizeof id2, NULL) == 0 && strcmp (id, id2) == 0,
         "unstable host ID");
  CHECK (hostnqn_default (nqn2, sizeof nqn2, NULL) == 0 &&
           strcmp (nqn, nqn2) == 0,
         "unstable host NQN");

  printf ("derived: host NQN from a host ID file, host ID from a "
          "UUID-form host NQN file\n");
  use_files (false, true, true);
  CHECK (hostnqn_default (nqn, sizeof nqn, &src) == 0, "%s",
         nvmeof_get_error ());
  CHECK (strcmp (nqn, UUID_PREFIX "0a1b2c3d-0000-4000-8000-00000000000a") == 0,
         "nqn from id file '%s'", nqn);
  CHECK (strcmp (src, "derived from $NVMEOF_HOSTID_FILE") == 0, "src %s", src);
  write_file (path_nqn, UUID_PREFIX "11111111-2222-4333-8444-555555555555");
  use_files (true, false, true);
  CHECK (hostid_default (id, sizeof id, &src) == 0, "%s", nvmeof_get_error ());
  CHECK (strcmp (id, "11111111-2222-4333-8444-555555555555") == 0,
         "id from nqn file '%s'", id);
  CHECK (strcmp (src, "the UUID in $NVMEOF_HOSTNQN_FILE") == 0, "src %s", src);

  printf ("errors: bad file contents name the file\n");
  write_file (path_nqn, "not-an-nqn\n");
  use_files (true, true, true);
  CHECK (hostnqn_default (nqn, sizeof nqn, &src) == -1, "bad nqn file");
  CHECK (strstr (nvmeof_get_error (), path_nqn) != NULL &&
           strstr (nvmeof_get_error (), "must start with 'nqn.'") != NULL,
         "message '%s'", nvmeof_get_error ());
  write_file (path_id, "xyz\n");
  CHECK (hostid_default (id, sizeof id, &src) == -1, "bad id file");
  CHECK (strstr (nvmeof_get_error (), path_id) != NULL &&
           strstr (nvmeof_get_error (), "expected a UUID") != NULL,
         "message '%s'", nvmeof_get_error ());

  printf ("errors: an empty file counts as absent\n");
  write_file (path_nqn, " \n");
  write_file (path_id, "");
  use_files (true, true, true);
  CHECK (hostid_default (id, sizeof id, &src) == 0 &&
           strcmp (id, DERIVED_ID) == 0,
         "empty files: %s", nvmeof_get_error ());

  printf ("errors: unusable machine IDs are never replaced by random "
          "values\n");
  write_file (path_mid, "00000000000000000000000000000000\n");
  use_files (false, false, true);
  if (access ("/sys/class/dmi/id/product_uuid", R_OK) == 0)
    printf ("  (skipped: this machine has a readable DMI product UUID)\n");
  else {
    CHECK (hostid_default (id, sizeof id, &src) == -1,
           "all-zero machine ID "
           "gave '%s' (%s)",
           id, src);
    CHECK (nvmeof_get_errno () == ENOENT &&
             strstr (nvmeof_get_error (), "give hostid= and hostnqn=") != NULL,
           "message '%s'", nvmeof_get_error ());
    write_file (path_mid, "not hex at all, not hex at all!!\n");
    CHECK (hostid_default (id, sizeof id, &src) == -1, "bad machine ID");
    use_files (false, false, false);
    CHECK (hostnqn_default (nqn, sizeof nqn, &src) == -1, "no machine ID");
  }
}

/* Option > file > derived, through the public getters. */
static void
test_precedence (void)
{
  struct nvmeof_opts *o;
  const char *v, *src = NULL;

  write_file (path_nqn, "nqn.2014-08.com.example:host-file\n");
  write_file (path_id, "22222222-2222-4222-8222-222222222222\n");
  write_file (path_mid, MACHINE_ID "\n");

  printf ("precedence: option beats file\n");
  use_files (true, true, true);
  o = nvmeof_opts_new ();
  if (o == NULL)
    exit (1);
  if (nvmeof_opts_set (o, "hostnqn", "nqn.2014-08.com.example:host-opt") ||
      nvmeof_opts_set (o, "hostid", "33333333-3333-4333-8333-333333333333"))
    CHECK (false, "set: %s", nvmeof_get_error ());
  v = nvmeof_opts_get_hostnqn (o, &src);
  CHECK (v && strcmp (v, "nqn.2014-08.com.example:host-opt") == 0 &&
           strcmp (src, "option") == 0,
         "hostnqn %s from %s", v, src);
  v = nvmeof_opts_get_hostid (o, &src);
  CHECK (v && strcmp (v, "33333333-3333-4333-8333-333333333333") == 0 &&
           strcmp (src, "option") == 0,
         "hostid %s from %s", v, src);
  nvmeof_opts_free (o);

  printf ("precedence: file beats derived\n");
  o = nvmeof_opts_new ();
  if (o == NULL)
    exit (1);
  v = nvmeof_opts_get_hostnqn (o, &src);
  CHECK (v && strcmp (v, "nqn.2014-08.com.example:host-file") == 0 &&
           strcmp (src, "$NVMEOF_HOSTNQN_FILE") == 0,
         "hostnqn %s from %s", v, src);
  v = nvmeof_opts_get_hostid (o, &src);
  CHECK (v && strcmp (v, "22222222-2222-4222-8222-222222222222") == 0 &&
           strcmp (src, "$NVMEOF_HOSTID_FILE") == 0,
         "hostid %s from %s", v, src);
  nvmeof_opts_free (o);

  printf ("precedence: derived when there is nothing else\n");
  use_files (false, false, true);
  o = nvmeof_opts_new ();
  if (o == NULL)
    exit (1);
  v = nvmeof_opts_get_hostid (o, &src);
  CHECK (v && strcmp (v, DERIVED_ID) == 0, "hostid %s from %s", v, src);
  v = nvmeof_opts_get_hostnqn (o, &src);
  CHECK (v && strcmp (v, UUID_PREFIX DERIVED_ID) == 0 &&
           strcmp (src, "derived from $NVMEOF_MACHINE_ID_FILE") == 0,
         "hostnqn %s from %s", v, src);
  nvmeof_opts_free (o);

  printf ("precedence: a host ID option names the derived host NQN, and a "
          "UUID host NQN option the host ID\n");
  o = nvmeof_opts_new ();
  if (o == NULL)
    exit (1);
  if (nvmeof_opts_set (o, "hostid", "44444444-4444-4444-8444-444444444444"))
    CHECK (false, "set: %s", nvmeof_get_error ());
  v = nvmeof_opts_get_hostnqn (o, &src);
  CHECK (
    v && strcmp (v, UUID_PREFIX "44444444-4444-4444-8444-444444444444") == 0 &&
      strcmp (src, "derived from the host ID") == 0,
    "hostnqn %s from %s", v, src);
  nvmeof_opts_free (o);
  o = nvmeof_opts_new ();
  if (o == NULL)
    exit (1);
  if (nvmeof_opts_set (o, "hostnqn",
                       UUID_PREFIX "55555555-5555-4555-8555-555555555555"))
    CHECK (false, "set: %s", nvmeof_get_error ());
  v = nvmeof_opts_get_hostid (o, &src);
  CHECK (v && strcmp (v, "55555555-5555-4555-8555-555555555555") == 0 &&
           strcmp (src, "the UUID in the host NQN") == 0,
         "hostid %s from %s", v, src);
  nvmeof_opts_free (o);
}

int
main (void)
{
  if (mkdtemp (tmpdir) == NULL) {
    perror ("mkdtemp");
    return 1;
  }
  snprintf (path_nqn, sizeof path_nqn, "%s/hostnqn", tmpdir);
  snprintf (path_id, sizeof path_id, "%s/hostid", tmpdir);
  snprintf (path_mid, sizeof path_mid, "%s/machine-id", tmpdir);
  snprintf (path_none, sizeof path_none, "%s/does-not-exist", tmpdir);

  test_nqn ();
  test_uuid ();
  test_defaults ();
  test_precedence ();

  unlink (path_nqn);
  unlink (path_id);
  unlink (path_mid);
  rmdir (tmpdir);
  if (failures) {
    fprintf (stderr, "test-nqn-hostid: %d failures\n", failures);
    return 1;
  }
  printf ("test-nqn-hostid: all checks passed\n");
  return 0;
}
