/* SPDX-License-Identifier: BSD-3-Clause */
/* NQN and UUID validation, and the host identity: from files (through
 * $NVMEOF_HOSTNQN_FILE / $NVMEOF_HOSTID_FILE pointing at temporary files),
 * derived from a machine ID ($NVMEOF_MACHINE_ID_FILE), stable across calls,
 * with the precedence option > file > derived, and generated once (into
 * temporary system and $XDG_CONFIG_HOME directories) when there is nothing
 * else, by 8 processes at once too. */
#include <config.h>

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>

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
  /* No user configuration directory, no DMI UUID. */
  unsetenv ("XDG_CONFIG_HOME");
  setenv ("HOME", path_none, 1);
  setenv ("NVMEOF_PRODUCT_UUID_FILE", path_none, 1);
}

static void use_generation_dirs (const char *name);
static const char *gen_read (const char *file);

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

  printf ("errors: unusable machine IDs are never used: an all-zero or "
          "malformed one, with no DMI UUID, gives a generated identity\n");
  write_file (path_mid, "00000000000000000000000000000000\n");
  use_files (false, false, true);
  use_generation_dirs ("zero-mid");
  CHECK (hostid_default (id, sizeof id, &src) == 0, "all-zero machine ID: %s",
         nvmeof_get_error ());
  CHECK (strcmp (id, DERIVED_ID) != 0 && strcmp (id, gen_read ("hostid")) == 0,
         "all-zero machine ID gave '%s' (%s), file '%s'", id, src,
         gen_read ("hostid"));
  write_file (path_mid, "not hex at all, not hex at all!!\n");
  use_generation_dirs ("bad-mid");
  CHECK (hostid_default (id, sizeof id, &src) == 0 &&
           strcmp (id, gen_read ("hostid")) == 0,
         "bad machine ID: %s", nvmeof_get_error ());

  printf ("files: a host NQN file that is not UUID-form and no host ID file: "
          "the host ID is derived, not left undefined\n");
  write_file (path_nqn, "nqn.2014-08.com.example:host-a\n");
  write_file (path_mid, MACHINE_ID "\n");
  use_files (true, false, true);
  CHECK (hostid_default (id, sizeof id, &src) == 0 &&
           strcmp (id, DERIVED_ID) == 0,
         "id '%s' from %s: %s", id, src, nvmeof_get_error ());
}

/* ---- Generated identity --------------------------------------------- */

/* The system's files (root generates there) and $XDG_CONFIG_HOME (others
 * do) under a fresh directory per case; no machine ID, no DMI UUID. */
static char gen_sys[160], gen_xdg[160], gen_home[160], gen_dir[200];

static void
use_generation_dirs (const char *name)
{
  char p[256];

  snprintf (gen_sys, sizeof gen_sys, "%s/%s-sys", tmpdir, name);
  snprintf (gen_xdg, sizeof gen_xdg, "%s/%s-xdg", tmpdir, name);
  snprintf (gen_home, sizeof gen_home, "%s/%s-home", tmpdir, name);
  snprintf (p, sizeof p, "%s/hostnqn", gen_sys);
  setenv ("NVMEOF_HOSTNQN_FILE", p, 1);
  snprintf (p, sizeof p, "%s/hostid", gen_sys);
  setenv ("NVMEOF_HOSTID_FILE", p, 1);
  setenv ("XDG_CONFIG_HOME", gen_xdg, 1);
  setenv ("HOME", gen_home, 1);
  setenv ("NVMEOF_PRODUCT_UUID_FILE", path_none, 1);
  if (strcmp (name, "zero-mid") != 0 && strcmp (name, "bad-mid") != 0)
    setenv ("NVMEOF_MACHINE_ID_FILE", path_none, 1);
  /* Where a generated identity goes. */
  if (geteuid () == 0)
    snprintf (gen_dir, sizeof gen_dir, "%s", gen_sys);
  else
    snprintf (gen_dir, sizeof gen_dir, "%s/nvmeof", gen_xdg);
}

/* A generated file's content, trimmed ("" if none). */
static const char *
gen_read (const char *file)
{
  static char buf[256];
  char p[300];
  FILE *fp;
  size_t n;

  snprintf (p, sizeof p, "%s/%s", gen_dir, file);
  buf[0] = '\0';
  fp = fopen (p, "r");
  if (fp == NULL)
    return buf;
  n = fread (buf, 1, sizeof buf - 1, fp);
  fclose (fp);
  buf[n] = '\0';
  if (n > 0 && buf[n - 1] == '\n')
    buf[n - 1] = '\0';
  return buf;
}

static void
test_generated (void)
{
  char nqn[NVMEOF_NQN_MAX + 1], id[37], nqn2[NVMEOF_NQN_MAX + 1], id2[37];
  char p[400], d[300];
  const char *src = NULL, *want_src;
  struct stat st;
  int fds[2], out[2], i, status;
  pid_t pids[8];

  printf ("generated: nothing to read or derive: a random identity, "
          "written once\n");
  use_generation_dirs ("gen");
  CHECK (hostnqn_default (nqn, sizeof nqn, &src) == 0, "%s",
         nvmeof_get_error ());
  CHECK (strncmp (nqn, UUID_PREFIX, strlen (UUID_PREFIX)) == 0 &&
           nqn_validate ("t", nqn) == 0,
         "generated nqn '%s'", nqn);
  CHECK (strcmp (nqn, gen_read ("hostnqn")) == 0, "file '%s' vs '%s'",
         gen_read ("hostnqn"), nqn);
  CHECK (hostid_default (id, sizeof id, &src) == 0, "%s", nvmeof_get_error ());
  CHECK (strcmp (id, gen_read ("hostid")) == 0 &&
           strcmp (nqn + strlen (UUID_PREFIX), id) == 0,
         "pair %s / %s", nqn, id);
  CHECK (id[14] == '4' && strchr ("89ab", id[19]) != NULL,
         "not a version 4 UUID: %s", id);
  snprintf (p, sizeof p, "%s/hostid", gen_dir);
  CHECK (stat (p, &st) == 0 && (st.st_mode & 07777) == 0644, "mode %o",
         (unsigned) st.st_mode);
  snprintf (p, sizeof p, "%s/hostnqn", gen_dir);
  CHECK (stat (p, &st) == 0 && (st.st_mode & 07777) == 0644, "mode %o",
         (unsigned) st.st_mode);

  printf ("generated: reused, from the file, by the next process\n");
  want_src =
    geteuid () == 0 ? "$NVMEOF_HOSTID_FILE" : "$XDG_CONFIG_HOME/nvmeof/hostid";
  CHECK (hostid_default (id2, sizeof id2, &src) == 0 && strcmp (id, id2) == 0,
         "second id %s", id2);
  CHECK (strcmp (src, want_src) == 0, "source %s", src);
  CHECK (hostnqn_default (nqn2, sizeof nqn2, NULL) == 0 &&
           strcmp (nqn, nqn2) == 0,
         "second nqn %s", nqn2);

  printf ("generated: a damaged file is an error naming it, not replaced\n");
  snprintf (p, sizeof p, "%s/hostid", gen_dir);
  write_file (p, "not-a-uuid\n");
  CHECK (hostid_default (id2, sizeof id2, &src) == -1 &&
           strstr (nvmeof_get_error (), p) != NULL,
         "damaged: %s", nvmeof_get_error ());
  CHECK (strcmp (gen_read ("hostid"), "not-a-uuid") == 0, "file replaced");

  printf ("user files: read when the system has none ($XDG_CONFIG_HOME, "
          "else ~/.config), never mixed with the system's\n");
  use_generation_dirs ("user");
  snprintf (d, sizeof d, "%s/nvmeof", gen_xdg);
  mkdir (gen_xdg, 0700);
  mkdir (d, 0755);
  snprintf (p, sizeof p, "%s/hostid", d);
  write_file (p, "66666666-6666-4666-8666-666666666666\n");
  CHECK (hostid_default (id, sizeof id, &src) == 0 &&
           strcmp (id, "66666666-6666-4666-8666-666666666666") == 0 &&
           strcmp (src, "$XDG_CONFIG_HOME/nvmeof/hostid") == 0,
         "xdg: %s from %s (%s)", id, src, nvmeof_get_error ());
  CHECK (hostnqn_default (nqn, sizeof nqn, &src) == 0 &&
           strcmp (nqn, UUID_PREFIX "66666666-6666-4666-8666-666666666666") ==
             0 &&
           strcmp (src, "derived from $XDG_CONFIG_HOME/nvmeof/hostid") == 0,
         "xdg nqn: %s from %s", nqn, src);
  unsetenv ("XDG_CONFIG_HOME");
  snprintf (d, sizeof d, "%s/.config", gen_home);
  mkdir (gen_home, 0700);
  mkdir (d, 0700);
  snprintf (d, sizeof d, "%s/.config/nvmeof", gen_home);
  mkdir (d, 0755);
  snprintf (p, sizeof p, "%s/hostnqn", d);
  write_file (p, "nqn.2014-08.com.example:home-host\n");
  CHECK (hostnqn_default (nqn, sizeof nqn, &src) == 0 &&
           strcmp (nqn, "nqn.2014-08.com.example:home-host") == 0 &&
           strcmp (src, "~/.config/nvmeof/hostnqn") == 0,
         "home: %s from %s (%s)", nqn, src, nvmeof_get_error ());
  mkdir (gen_sys, 0755);
  snprintf (p, sizeof p, "%s/hostid", gen_sys);
  write_file (p, "77777777-7777-4777-8777-777777777777\n");
  CHECK (hostnqn_default (nqn, sizeof nqn, &src) == 0 &&
           strcmp (nqn, UUID_PREFIX "77777777-7777-4777-8777-777777777777") ==
             0 &&
           strcmp (src, "derived from $NVMEOF_HOSTID_FILE") == 0,
         "system beats user: %s from %s", nqn, src);

  printf ("generated: 8 processes at once agree on one identity\n");
  use_generation_dirs ("race");
  if (pipe (fds) == -1 || pipe (out) == -1)
    exit (1);
  for (i = 0; i < 8; i++) {
    pids[i] = fork ();
    if (pids[i] == -1)
      exit (1);
    if (pids[i] == 0) {
      char c, line[400];
      int fd;

      close (fds[1]);
      if (read (fds[0], &c, 1) < 0) /* the start: EOF for all at once */
        _exit (2);
      fd = open ("/dev/null", O_WRONLY);
      dup2 (fd, 2); /* the winner's note */
      if (hostnqn_default (nqn, sizeof nqn, NULL) == -1 ||
          hostid_default (id, sizeof id, NULL) == -1)
        _exit (3);
      snprintf (line, sizeof line, "%-36s %-*s\n", id, 100, nqn);
      if (write (out[1], line, strlen (line)) != (ssize_t) strlen (line))
        _exit (4);
      _exit (0);
    }
  }
  close (fds[0]);
  close (out[1]);
  close (fds[1]);
  {
    /* Each child's line: "ID NQN" padded to REC bytes, newline. */
    enum { REC = 36 + 1 + 100 + 1 };
    char buf[8 * REC], want[REC + 64], fid[64];
    size_t n = 0;
    ssize_t r;

    while ((r = read (out[0], buf + n, sizeof buf - n)) > 0)
      n += (size_t) r;
    close (out[0]);
    for (i = 0; i < 8; i++) {
      CHECK (waitpid (pids[i], &status, 0) == pids[i] && WIFEXITED (status) &&
               WEXITSTATUS (status) == 0,
             "child %d: status %x", i, status);
    }
    CHECK (n == sizeof buf, "read %zu bytes of the children's answers", n);
    snprintf (fid, sizeof fid, "%s", gen_read ("hostid"));
    snprintf (want, sizeof want, "%-36.36s " UUID_PREFIX "%-68.36s\n", fid,
              fid);
    for (i = 0; i < 8 && (size_t) (i + 1) * REC <= n; i++)
      CHECK (memcmp (buf + i * REC, want, REC) == 0,
             "child %d: '%.*s', the files say '%s'", i, REC - 1, buf + i * REC,
             want);
    CHECK (strlen (fid) == 36 &&
             strcmp (gen_read ("hostnqn") + strlen (UUID_PREFIX), fid) == 0,
           "the files disagree: %s, %s", fid, gen_read ("hostnqn"));
  }
  {
    /* No temporary file left behind. */
    DIR *dir = opendir (gen_dir);
    struct dirent *e;
    int files = 0;

    while (dir && (e = readdir (dir)) != NULL)
      if (e->d_name[0] != '.')
        files++;
    if (dir)
      closedir (dir);
    CHECK (files == 2, "%d files in %s", files, gen_dir);
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
  test_generated ();
  test_precedence ();

  {
    char cmd[200];

    snprintf (cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system (cmd) != 0)
      fprintf (stderr, "test-nqn-hostid: could not remove %s\n", tmpdir);
  }
  if (failures) {
    fprintf (stderr, "test-nqn-hostid: %d failures\n", failures);
    return 1;
  }
  printf ("test-nqn-hostid: all checks passed\n");
  return 0;
}
