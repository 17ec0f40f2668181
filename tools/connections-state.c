/* SPDX-License-Identifier: BSD-3-Clause */
/* nvmeof connect's background connections: their state directory, the
 * record of each (info.json), whether its process still runs, and
 * stopping or cleaning up after it.
 *
 * Layout: STATE/N/ (0700 like STATE) per connection N, holding info.json,
 * log (the process's stderr), nbd.sock (the default NBD socket) and,
 * while it starts, the secrets handed to it.  A record is never trusted:
 * it is validated field by field, and its process is ours only if
 * /proc/PID/stat shows the start time recorded at connect on the same
 * boot; anything else is stale, and cleaned rather than signalled.
 */
#include <config.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "connections.h"

/* An info.json larger than this is not ours. */
#define INFO_MAX 65536

int
conn_state_dir (const struct cli *cli, char *buf, size_t len)
{
  const char *xdg = getenv ("XDG_RUNTIME_DIR");
  struct stat st;
  int n;

  if (xdg && xdg[0] == '/')
    n = snprintf (buf, len, "%s/nvmeof", xdg);
  else if (geteuid () == 0)
    n = snprintf (buf, len, "/run/nvmeof");
  else
    n = snprintf (buf, len, "/tmp/nvmeof-%u", (unsigned) geteuid ());
  if (n < 0 || (size_t) n >= len)
    return cli_error (cli, "state directory: path too long"), -1;
  if (mkdir (buf, 0700) == -1 && errno != EEXIST)
    return cli_error (cli, "state directory %s: %s", buf, strerror (errno)), -1;
  /* In /tmp anyone could have made it first: it must be ours alone. */
  if (lstat (buf, &st) == -1)
    return cli_error (cli, "state directory %s: %s", buf, strerror (errno)), -1;
  if (!S_ISDIR (st.st_mode) || st.st_uid != geteuid () ||
      (st.st_mode & 077) != 0)
    return cli_error (cli,
                      "state directory %s: not a directory of yours with "
                      "mode 0700",
                      buf),
           -1;
  return 0;
}

int
conn_dir_create (const struct cli *cli, const char *state, unsigned *id,
                 char *dir, size_t len)
{
  unsigned n;

  for (n = 1; n < CONN_MAX_ID; n++) {
    if ((size_t) snprintf (dir, len, "%s/%u", state, n) >= len)
      return cli_error (cli, "state directory: path too long"), -1;
    if (mkdir (dir, 0700) == 0) {
      *id = n;
      return 0;
    }
    if (errno != EEXIST)
      return cli_error (cli, "%s: %s", dir, strerror (errno)), -1;
  }
  return cli_error (cli, "%s: too many connections", state), -1;
}

/* The files a connection directory may hold, and nothing else is removed. */
static const char *const dir_files[] = {
  "info.json",     "info.json.tmp",      "log",     "nbd.sock", "nbdkit.pid",
  "dhchap-secret", "dhchap-ctrl-secret", "tls-key",
};

void
conn_dir_remove (const char *dir)
{
  char p[CONN_FILE_MAX];
  size_t i;

  for (i = 0; i < sizeof dir_files / sizeof dir_files[0]; i++) {
    if ((size_t) snprintf (p, sizeof p, "%s/%s", dir, dir_files[i]) < sizeof p)
      unlink (p);
  }
  rmdir (dir);
}

int
conn_boot_id (char id[40])
{
  FILE *fp = fopen ("/proc/sys/kernel/random/boot_id", "re");
  size_t n;

  id[0] = '\0';
  if (fp == NULL)
    return -1;
  n = fread (id, 1, 39, fp);
  fclose (fp);
  id[n] = '\0';
  while (n > 0 && isspace ((unsigned char) id[n - 1]))
    id[--n] = '\0';
  return n == 36 ? 0 : -1;
}

int
conn_proc_starttime (pid_t pid, uint64_t *starttime, char *state)
{
  char path[64], buf[1024], *p, *end;
  unsigned long long v;
  ssize_t n;
  int fd, field;

  snprintf (path, sizeof path, "/proc/%d/stat", (int) pid);
  fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd == -1)
    return -1;
  n = read (fd, buf, sizeof buf - 1);
  close (fd);
  if (n <= 0)
    return -1;
  buf[n] = '\0';
  /* The name (field 2) may hold anything: fields go on after the last
   * ')'.  Then: state (3) ... starttime (22). */
  p = strrchr (buf, ')');
  if (p == NULL || p[1] != ' ')
    return -1;
  p += 2;
  if (state)
    *state = *p;
  for (field = 3; field < 22; field++) {
    p = strchr (p, ' ');
    if (p == NULL)
      return -1;
    p++;
  }
  errno = 0;
  v = strtoull (p, &end, 10);
  if (errno != 0 || end == p || (*end != ' ' && *end != '\n' && *end != '\0'))
    return -1;
  *starttime = v;
  return 0;
}

bool
conn_alive (const struct conn_info *ci)
{
  uint64_t st;
  char state = 0, boot[40];

  if (conn_proc_starttime (ci->pid, &st, &state) == -1)
    return false;
  if (state == 'Z' || state == 'X' || st != ci->starttime)
    return false;
  return conn_boot_id (boot) == 0 && strcmp (boot, ci->boot_id) == 0;
}

double
conn_uptime (const struct conn_info *ci)
{
  FILE *fp = fopen ("/proc/uptime", "re");
  double up = 0;
  long hz = sysconf (_SC_CLK_TCK);

  if (fp == NULL)
    return 0;
  if (fscanf (fp, "%lf", &up) != 1)
    up = 0;
  fclose (fp);
  if (hz <= 0)
    return 0;
  up -= (double) ci->starttime / (double) hz;
  return up > 0 ? up : 0;
}

/* ---- info.json ----------------------------------------------------------- */

int
conn_info_write (const struct cli *cli, const char *dir,
                 const struct conn_info *ci)
{
  char tmp[CONN_FILE_MAX], path[CONN_FILE_MAX];
  json_object *o = json_object_new_object (), *a = json_object_new_array ();
  const char *s;
  size_t i, len;
  int fd, ret = -1;

  for (i = 0; i < ci->nr_nsids; i++)
    json_object_array_add (a, json_object_new_int64 (ci->nsids[i]));
  json_object_object_add (o, "version", json_object_new_int (1));
  json_object_object_add (o, "id", json_object_new_int64 (ci->id));
  json_object_object_add (o, "kind", json_object_new_string (ci->kind));
  json_object_object_add (o, "url", json_object_new_string (ci->url));
  json_object_object_add (o, "subnqn", json_object_new_string (ci->subnqn));
  json_object_object_add (o, "transport",
                          json_object_new_string (ci->transport));
  json_object_object_add (o, "traddr", json_object_new_string (ci->traddr));
  json_object_object_add (o, "trsvcid", json_object_new_string (ci->trsvcid));
  json_object_object_add (o, "host_iface",
                          json_object_new_string (ci->host_iface));
  json_object_object_add (o, "path", json_object_new_string (ci->path));
  json_object_object_add (o, "nsids", a);
  json_object_object_add (o, "pid", json_object_new_int64 (ci->pid));
  json_object_object_add (o, "starttime",
                          json_object_new_uint64 (ci->starttime));
  json_object_object_add (o, "boot_id", json_object_new_string (ci->boot_id));
  s = json_object_to_json_string_ext (o, JSON_C_TO_STRING_PLAIN |
                                           JSON_C_TO_STRING_NOSLASHESCAPE);
  snprintf (tmp, sizeof tmp, "%s/info.json.tmp", dir);
  snprintf (path, sizeof path, "%s/info.json", dir);
  fd = open (tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd == -1) {
    cli_error (cli, "%s: %s", tmp, strerror (errno));
    goto out;
  }
  len = strlen (s);
  if (write (fd, s, len) != (ssize_t) len || fsync (fd) == -1) {
    cli_error (cli, "%s: %s", tmp, strerror (errno));
    close (fd);
    goto out;
  }
  close (fd);
  if (rename (tmp, path) == -1) {
    cli_error (cli, "%s: %s", path, strerror (errno));
    goto out;
  }
  ret = 0;
out:
  json_object_put (o);
  return ret;
}

/* A string field of at most max - 1 bytes, on one line; non-empty
 * unless may_be_empty. */
static int
get_string_opt (json_object *o, const char *key, char *out, size_t max,
                bool may_be_empty)
{
  json_object *v;
  const char *s;
  size_t i;

  if (!json_object_object_get_ex (o, key, &v) ||
      !json_object_is_type (v, json_type_string))
    return -1;
  s = json_object_get_string (v);
  if ((s[0] == '\0' && !may_be_empty) || strlen (s) >= max)
    return -1;
  for (i = 0; s[i]; i++)
    if ((unsigned char) s[i] < 0x20 || s[i] == 0x7f)
      return -1;
  memcpy (out, s, strlen (s) + 1);
  return 0;
}

static int
get_string (json_object *o, const char *key, char *out, size_t max)
{
  return get_string_opt (o, key, out, max, false);
}

static int
get_int (json_object *o, const char *key, int64_t min, int64_t max,
         int64_t *out)
{
  json_object *v;

  if (!json_object_object_get_ex (o, key, &v) ||
      !json_object_is_type (v, json_type_int))
    return -1;
  errno = 0;
  *out = json_object_get_int64 (v);
  if (errno != 0 || *out < min || *out > max)
    return -1;
  return 0;
}

int
conn_info_read (const char *dir, unsigned id, struct conn_info *ci,
                const char **why)
{
  char path[CONN_FILE_MAX], *buf = NULL;
  json_object *o = NULL, *a, *v;
  json_tokener *tok = NULL;
  struct stat st;
  int64_t n;
  size_t i, len;
  ssize_t r;
  int fd, ret = -1;

  memset (ci, 0, sizeof *ci);
  *why = "no readable info.json";
  snprintf (path, sizeof path, "%s/info.json", dir);
  fd = open (path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd == -1)
    return -1;
  if (fstat (fd, &st) == -1 || !S_ISREG (st.st_mode) ||
      st.st_uid != geteuid () || st.st_size <= 0 || st.st_size > INFO_MAX) {
    *why = "info.json is not a small file of yours";
    goto out;
  }
  len = (size_t) st.st_size;
  buf = malloc (len + 1);
  if (buf == NULL)
    goto out;
  r = read (fd, buf, len);
  if (r != (ssize_t) len) {
    *why = "info.json: short read";
    goto out;
  }
  buf[len] = '\0';
  *why = "info.json is not valid JSON";
  tok = json_tokener_new ();
  if (tok == NULL)
    goto out;
  o = json_tokener_parse_ex (tok, buf, (int) len);
  if (o == NULL || json_tokener_get_error (tok) != json_tokener_success ||
      !json_object_is_type (o, json_type_object))
    goto out;

  *why = "info.json has a missing or malformed field";
  if (get_int (o, "version", 1, 1, &n) == -1)
    goto out;
  if (get_int (o, "id", id, id, &n) == -1)
    goto out;
  ci->id = id;
  if (get_string (o, "kind", ci->kind, sizeof ci->kind) == -1 ||
      (strcmp (ci->kind, "nbd") != 0 && strcmp (ci->kind, "fuse") != 0))
    goto out;
  if (get_string (o, "url", ci->url, sizeof ci->url) == -1 ||
      get_string (o, "subnqn", ci->subnqn, sizeof ci->subnqn) == -1 ||
      get_string (o, "path", ci->path, sizeof ci->path) == -1 ||
      ci->path[0] != '/' ||
      get_string (o, "boot_id", ci->boot_id, sizeof ci->boot_id) == -1 ||
      get_string (o, "transport", ci->transport, sizeof ci->transport) == -1 ||
      get_string (o, "traddr", ci->traddr, sizeof ci->traddr) == -1 ||
      get_string_opt (o, "trsvcid", ci->trsvcid, sizeof ci->trsvcid, true) ==
        -1 ||
      get_string_opt (o, "host_iface", ci->host_iface, sizeof ci->host_iface,
                      true) == -1)
    goto out;
  if (get_int (o, "pid", 2, INT_MAX, &n) == -1)
    goto out;
  ci->pid = (pid_t) n;
  if (!json_object_object_get_ex (o, "starttime", &v) ||
      !json_object_is_type (v, json_type_int))
    goto out;
  ci->starttime = json_object_get_uint64 (v);
  if (!json_object_object_get_ex (o, "nsids", &a) ||
      !json_object_is_type (a, json_type_array) ||
      json_object_array_length (a) > CONN_MAX_NSIDS)
    goto out;
  ci->nr_nsids = json_object_array_length (a);
  for (i = 0; i < ci->nr_nsids; i++) {
    v = json_object_array_get_idx (a, i);
    if (v == NULL || !json_object_is_type (v, json_type_int))
      goto out;
    n = json_object_get_int64 (v);
    if (n < 1 || n > 0xFFFFFFFE)
      goto out;
    ci->nsids[i] = (uint32_t) n;
  }
  ret = 0;
  *why = NULL;

out:
  if (o)
    json_object_put (o);
  if (tok)
    json_tokener_free (tok);
  free (buf);
  close (fd);
  return ret;
}

/* ---- mounts and helpers ------------------------------------------------ */

/* Undo mountinfo's octal escapes (\040 for a space ...). */
static void
unescape (char *s)
{
  char *d = s;

  while (*s) {
    if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' &&
        s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
      *d++ = (char) ((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
      s += 4;
    }
    else
      *d++ = *s++;
  }
  *d = '\0';
}

bool
conn_fuse_mounted (const char *path)
{
  FILE *fp = fopen ("/proc/self/mountinfo", "re");
  char *line = NULL;
  size_t cap = 0;
  bool found = false;

  if (fp == NULL)
    return false;
  while (!found && getline (&line, &cap, fp) != -1) {
    char *f[5], *save = NULL, *sep, *tok;
    int i;

    sep = strstr (line, " - ");
    if (sep == NULL || strncmp (sep + 3, "fuse", 4) != 0)
      continue;
    *sep = '\0';
    for (i = 0, tok = strtok_r (line, " ", &save); tok && i < 5;
         tok = strtok_r (NULL, " ", &save))
      f[i++] = tok;
    if (i < 5)
      continue;
    unescape (f[4]);
    found = strcmp (f[4], path) == 0;
  }
  free (line);
  fclose (fp);
  return found;
}

/* Run argv (a helper: fusermount3), stdout and stderr kept; its exit
 * status, or -1. */
static int
run_helper (char *const argv[])
{
  pid_t pid;
  int status;

  pid = fork ();
  if (pid == -1)
    return -1;
  if (pid == 0) {
    execvp (argv[0], argv);
    fprintf (stderr, "nvmeof: %s: %s\n", argv[0], strerror (errno));
    _exit (127);
  }
  while (waitpid (pid, &status, 0) == -1)
    if (errno != EINTR)
      return -1;
  return WIFEXITED (status) ? WEXITSTATUS (status) : -1;
}

int
conn_unmount (const char *path, bool lazy)
{
  char *lazy_argv[] = { (char *) "fusermount3", (char *) "-u", (char *) "-z",
                        (char *) path, NULL };
  char *plain_argv[] = { (char *) "fusermount3", (char *) "-u", (char *) path,
                         NULL };

  return run_helper (lazy ? lazy_argv : plain_argv) == 0 ? 0 : -1;
}

/* Wait until the process is gone, up to ms milliseconds. */
static bool
wait_gone (const struct conn_info *ci, unsigned ms)
{
  struct timespec ts = { 0, 20 * 1000 * 1000 };
  unsigned waited = 0;

  while (conn_alive (ci)) {
    if (waited >= ms)
      return false;
    nanosleep (&ts, NULL);
    waited += 20;
  }
  return true;
}

/* Remove what the connection left: its socket (only a socket), its
 * directory. */
static void
remove_leftovers (const char *dir, const struct conn_info *ci)
{
  struct stat st;

  if (strcmp (ci->kind, "nbd") == 0 && lstat (ci->path, &st) == 0 &&
      S_ISSOCK (st.st_mode) && st.st_uid == geteuid ())
    unlink (ci->path);
  conn_dir_remove (dir);
}

void
conn_clean_stale (const char *dir, const struct conn_info *ci)
{
  /* A FUSE process killed leaves its mount behind ("Transport endpoint
   * is not connected"). */
  if (strcmp (ci->kind, "fuse") == 0 && conn_fuse_mounted (ci->path))
    conn_unmount (ci->path, true);
  remove_leftovers (dir, ci);
}

int
conn_stop (const struct cli *cli, const char *dir, const struct conn_info *ci,
           unsigned timeout_s)
{
  unsigned ms = timeout_s * 1000;

  if (!conn_alive (ci)) {
    conn_clean_stale (dir, ci);
    return 0;
  }
  if (strcmp (ci->kind, "fuse") == 0) {
    /* Unmounting makes nvmeof-fuse flush, disconnect and exit.  A busy
     * mount stays: nothing is killed under a user of it. */
    if (conn_fuse_mounted (ci->path) && conn_unmount (ci->path, false) == -1)
      return cli_error (cli,
                        "connection %u: cannot unmount %s (busy?): left "
                        "connected",
                        ci->id, ci->path),
             -1;
  }
  else {
    /* As nbdkit exits the plugin shuts the controller down (CC.SHN: the
     * write cache is committed); acknowledged writes are on it already. */
    if (kill (ci->pid, SIGTERM) == -1 && errno != ESRCH)
      return cli_error (cli, "connection %u: kill %d: %s", ci->id,
                        (int) ci->pid, strerror (errno)),
             -1;
  }
  if (!wait_gone (ci, ms)) {
    if (conn_alive (ci))
      kill (ci->pid, SIGKILL);
    wait_gone (ci, 5000);
    cli_error (cli, "connection %u: pid %d did not exit within %u s: killed",
               ci->id, (int) ci->pid, timeout_s);
    conn_clean_stale (dir, ci);
    return -1;
  }
  remove_leftovers (dir, ci);
  return 0;
}

/* ---- iterating ------------------------------------------------------------ */

static int
cmp_unsigned (const void *a, const void *b)
{
  unsigned x = *(const unsigned *) a, y = *(const unsigned *) b;

  return x < y ? -1 : x > y;
}

int
conn_foreach (const struct cli *cli, conn_fn fn, void *data)
{
  char state[CONN_DIR_MAX], dir[CONN_DIR_MAX + 16];
  struct conn_info *ci = NULL;
  unsigned *ids = NULL, *ids2;
  size_t nr = 0, cap = 0, i;
  struct dirent *e;
  DIR *d;
  int ret = 0;

  if (conn_state_dir (cli, state, sizeof state) == -1)
    return -1;
  d = opendir (state);
  if (d == NULL)
    return cli_error (cli, "%s: %s", state, strerror (errno)), -1;
  while ((e = readdir (d)) != NULL) {
    char *end;
    unsigned long v;

    if (!isdigit ((unsigned char) e->d_name[0]))
      continue;
    v = strtoul (e->d_name, &end, 10);
    if (*end != '\0' || v == 0 || v >= CONN_MAX_ID)
      continue;
    if (nr == cap) {
      cap = cap ? 2 * cap : 16;
      ids2 = realloc (ids, cap * sizeof *ids);
      if (ids2 == NULL) {
        closedir (d);
        free (ids);
        return cli_error (cli, "out of memory"), -1;
      }
      ids = ids2;
    }
    ids[nr++] = (unsigned) v;
  }
  closedir (d);
  if (nr > 0)
    qsort (ids, nr, sizeof *ids, cmp_unsigned);
  ci = malloc (sizeof *ci);
  if (ci == NULL) {
    free (ids);
    return cli_error (cli, "out of memory"), -1;
  }

  for (i = 0; i < nr; i++) {
    const char *why;
    struct stat st;

    snprintf (dir, sizeof dir, "%s/%u", state, ids[i]);
    if (lstat (dir, &st) == -1 || !S_ISDIR (st.st_mode) ||
        st.st_uid != geteuid ())
      continue;
    if (conn_info_read (dir, ids[i], ci, &why) == -1) {
      /* nvmeof connect writes info.json right after starting the
       * process: a young directory without one is still starting. */
      if (time (NULL) - st.st_mtime < CONN_START_TIMEOUT + 10)
        continue;
      fprintf (stderr, "nvmeof: %s: connection %u: %s: removed\n", cli->cmd,
               ids[i], why);
      conn_dir_remove (dir);
      continue;
    }
    if (!conn_alive (ci)) {
      fprintf (stderr,
               "nvmeof: %s: connection %u (%s, pid %d) had exited: "
               "cleaned up\n",
               cli->cmd, ci->id, ci->subnqn, (int) ci->pid);
      conn_clean_stale (dir, ci);
      continue;
    }
    if (fn && fn (cli, dir, ci, data) == -1)
      ret = -1;
  }
  free (ci);
  free (ids);
  return ret;
}
