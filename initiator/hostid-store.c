/* SPDX-License-Identifier: BSD-3-Clause */
/* Where the host identity files are, and generating an identity once.
 *
 * Two places hold a host NQN and host ID pair: the system's files
 * (/etc/nvme/hostnqn and hostid, or $NVMEOF_HOSTNQN_FILE and
 * $NVMEOF_HOSTID_FILE for tests) and the user's configuration directory
 * ($XDG_CONFIG_HOME/nvmeof, default ~/.config/nvmeof).  A machine with
 * neither files nor anything to derive an identity from (a container:
 * no /etc/machine-id, no readable DMI UUID) gets a random one, written
 * once and reused: by root into the system's files (as nvme-cli's
 * packages do at install), by anyone else (root of a user namespace
 * included, or a root that cannot write there) into the configuration
 * directory.
 *
 * Two processes may generate at the same time: each writes a complete
 * temporary file and publishes it with link(2), which never replaces an
 * existing file, so the first one wins and the other reads the winner's.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/random.h>
#include <sys/stat.h>

#include "errors.h"
#include "hostid.h"

/* The labels of each place, as sources in show-hostnqn and messages. */
static const struct id_labels system_labels = {
  "/etc/nvme/hostnqn",
  "/etc/nvme/hostid",
  "the UUID in /etc/nvme/hostnqn",
  "derived from /etc/nvme/hostid",
};
static const struct id_labels env_labels = {
  "$NVMEOF_HOSTNQN_FILE",
  "$NVMEOF_HOSTID_FILE",
  "the UUID in $NVMEOF_HOSTNQN_FILE",
  "derived from $NVMEOF_HOSTID_FILE",
};
static const struct id_labels xdg_labels = {
  "$XDG_CONFIG_HOME/nvmeof/hostnqn",
  "$XDG_CONFIG_HOME/nvmeof/hostid",
  "the UUID in $XDG_CONFIG_HOME/nvmeof/hostnqn",
  "derived from $XDG_CONFIG_HOME/nvmeof/hostid",
};
static const struct id_labels home_labels = {
  "~/.config/nvmeof/hostnqn",
  "~/.config/nvmeof/hostid",
  "the UUID in ~/.config/nvmeof/hostnqn",
  "derived from ~/.config/nvmeof/hostid",
};

void
id_files_system (struct id_files *f)
{
  const char *nqn = getenv ("NVMEOF_HOSTNQN_FILE");
  const char *id = getenv ("NVMEOF_HOSTID_FILE");

  /* The two variables go together (tests set both). */
  f->labels = nqn || id ? &env_labels : &system_labels;
  snprintf (f->nqn, sizeof f->nqn, "%s", nqn ? nqn : "/etc/nvme/hostnqn");
  snprintf (f->id, sizeof f->id, "%s", id ? id : "/etc/nvme/hostid");
  f->user = false;
}

int
id_files_user (struct id_files *f)
{
  const char *xdg = getenv ("XDG_CONFIG_HOME");
  const char *home = getenv ("HOME");
  char dir[PATH_MAX - 16]; /* room for "/hostnqn" in f's paths */
  int n;

  /* XDG base directory spec: a relative path is invalid, ignore it. */
  if (xdg && xdg[0] == '/') {
    n = snprintf (dir, sizeof dir, "%s/nvmeof", xdg);
    f->labels = &xdg_labels;
  }
  else {
    if (home == NULL || home[0] != '/') {
      struct passwd *pw = getpwuid (getuid ());

      home = pw && pw->pw_dir && pw->pw_dir[0] == '/' ? pw->pw_dir : NULL;
    }
    if (home == NULL)
      return 0;
    n = snprintf (dir, sizeof dir, "%s/.config/nvmeof", home);
    f->labels = &home_labels;
  }
  if (n < 0 || (size_t) n >= sizeof dir)
    return 0;
  snprintf (f->nqn, sizeof f->nqn, "%s/hostnqn", dir);
  snprintf (f->id, sizeof f->id, "%s/hostid", dir);
  f->user = true;
  return 1;
}

/* The machine's own user namespace, whose uid_map maps every ID to
 * itself, rather than a container's. */
static bool
initial_user_namespace (void)
{
  char buf[128];
  unsigned long a, b, n;
  FILE *fp = fopen ("/proc/self/uid_map", "re");
  bool ret = false;

  if (fp == NULL)
    return true; /* no user namespaces in this kernel */
  if (fgets (buf, sizeof buf, fp) &&
      sscanf (buf, "%lu %lu %lu", &a, &b, &n) == 3)
    ret = a == 0 && b == 0 && n == 4294967295UL;
  fclose (fp);
  return ret;
}

/* mkdir -p of the directory holding path (its last component stripped). */
static int
make_parent (const char *path, mode_t mode)
{
  char dir[PATH_MAX], *p;

  snprintf (dir, sizeof dir, "%s", path);
  p = strrchr (dir, '/');
  if (p == NULL || p == dir)
    return 0;
  *p = '\0';
  for (p = dir + 1; *p; p++) {
    if (*p != '/')
      continue;
    *p = '\0';
    if (mkdir (dir, 0700) == -1 && errno != EEXIST)
      return -1;
    *p = '/';
  }
  if (mkdir (dir, mode) == -1 && errno != EEXIST)
    return -1;
  return 0;
}

/* Publish text at path unless path exists: 1 written by us, 0 it existed
 * (another process won), -1 errno set. */
static int
publish (const char *path, const char *text)
{
  char tmp[PATH_MAX];
  size_t len = strlen (text), off = 0;
  int fd, r, saved;

  if (snprintf (tmp, sizeof tmp, "%s.tmp.XXXXXX", path) >= (int) sizeof tmp) {
    errno = ENAMETOOLONG;
    return -1;
  }
  fd = mkstemp (tmp);
  if (fd == -1)
    return -1;
  if (fchmod (fd, 0644) == -1)
    goto err;
  while (off < len) {
    ssize_t w = write (fd, text + off, len - off);

    if (w == -1) {
      if (errno == EINTR)
        continue;
      goto err;
    }
    off += (size_t) w;
  }
  if (fsync (fd) == -1 || close (fd) == -1) {
    fd = -1;
    goto err;
  }
  fd = -1;
  r = link (tmp, path);
  if (r == -1 && errno != EEXIST) {
    /* A file system without hard links: rename without replacing. */
    if (errno == EPERM || errno == ENOSYS || errno == EOPNOTSUPP) {
      if (renameat2 (AT_FDCWD, tmp, AT_FDCWD, path, RENAME_NOREPLACE) == 0)
        return 1;
    }
    if (errno != EEXIST)
      goto err;
  }
  saved = errno;
  unlink (tmp);
  return r == 0 ? 1 : (errno = saved, 0);

err:
  saved = errno;
  if (fd != -1)
    close (fd);
  unlink (tmp);
  errno = saved;
  return -1;
}

/* Write a new identity into f's files.  1 if this process created the
 * host ID file, 0 if another process had (then its files stand), -1
 * errno set. */
static int
write_identity (const struct id_files *f, const char *uuid)
{
  char text[128];
  int r;

  if (make_parent (f->id, 0755) == -1 || make_parent (f->nqn, 0755) == -1)
    return -1;
  snprintf (text, sizeof text, "%s\n", uuid);
  r = publish (f->id, text);
  if (r == -1)
    return -1;
  /* The host NQN names the host ID that won (ours, or the other
   * process's, which that process is writing as the NQN too: whichever
   * link comes first, the content is the same). */
  if (r == 0)
    return 0;
  snprintf (text, sizeof text, "nqn.2014-08.org.nvmexpress:uuid:%s\n", uuid);
  if (publish (f->nqn, text) == -1)
    return -1;
  return 1;
}

int
id_files_generate (struct id_files *f)
{
  unsigned char b[16];
  char uuid[37];
  size_t got = 0;
  int r;

  while (got < sizeof b) {
    ssize_t n = getrandom (b + got, sizeof b - got, 0);

    if (n == -1) {
      if (errno == EINTR)
        continue;
      set_error (errno, "hostid: getrandom: %m");
      return -1;
    }
    got += (size_t) n;
  }
  b[6] = (b[6] & 0x0F) | 0x40; /* version 4 */
  b[8] = (b[8] & 0x3F) | 0x80; /* RFC 4122 variant */
  snprintf (uuid, sizeof uuid,
            "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
            "%02x%02x%02x%02x%02x%02x",
            b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10],
            b[11], b[12], b[13], b[14], b[15]);

  /* Root: the system's files, unless they cannot be written there (a
   * read-only /etc).  Root of a user namespace (a rootless container) is
   * a user: its /etc is usually the container's, gone with it. */
  r = -1;
  if (geteuid () == 0 && initial_user_namespace ()) {
    id_files_system (f);
    r = write_identity (f, uuid);
    if (r == -1 && errno != EACCES && errno != EPERM && errno != EROFS) {
      set_error (errno, "hostid: cannot write a new host identity to %s: %m",
                 f->id);
      return -1;
    }
  }
  if (r == -1) {
    if (id_files_user (f) == 0) {
      set_error (ENOENT, "hostid: no home directory to keep a new host "
                         "identity in: set $XDG_CONFIG_HOME or $HOME, or give "
                         "hostid= and hostnqn=");
      return -1;
    }
    r = write_identity (f, uuid);
    if (r == -1) {
      set_error (errno, "hostid: cannot write a new host identity to %s: %m",
                 f->id);
      return -1;
    }
  }
  if (r == 1)
    fprintf (stderr,
             "nvmeof: no host identity (no /etc/nvme/hostnqn, "
             "/etc/machine-id or DMI product UUID): generated host NQN "
             "nqn.2014-08.org.nvmexpress:uuid:%s, saved in %s and %s\n",
             uuid, f->nqn, f->id);
  return 0;
}
