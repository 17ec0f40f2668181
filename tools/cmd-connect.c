/* SPDX-License-Identifier: BSD-3-Clause */
/* nvmeof connect: nvme connect's habit without the kernel driver.  A
 * background process owned by the user serves the subsystem: nbdkit with
 * our plugin on a Unix socket, or nvmeof-fuse on a mount point.  Its
 * record goes into the state directory (connections-state.c) for
 * list-connections and disconnect.
 *
 * Secrets never reach a command line: each is read here (+FILE or -) into
 * a 0600 file of the connection's 0700 directory, passed on as +FILE, and
 * removed once the process has read it and serves. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include "connections.h"

enum {
  OPT_FUSE = CLI_CMD_OPT_BASE,
  OPT_NBD_SOCKET,
};

static const struct option connect_longopts[] = {
  { "fuse", required_argument, NULL, OPT_FUSE },
  { "nbd-socket", required_argument, NULL, OPT_NBD_SOCKET },
  { NULL, 0, NULL, 0 },
};

static const struct cli_cmd connect_cmd = {
  .name = "connect",
  .synopsis = "nvmeof connect URL [--fuse=DIR | --nbd-socket=PATH] [OPTIONS]",
  .help =
    "Connect to the subsystem at URL in the background, as the current user:\n"
    "nbdkit with the nvmeof plugin serves its namespaces on a Unix socket\n"
    "(the NBD export name is the NSID), or with --fuse nvmeof-fuse mounts\n"
    "them as files n1, n2 ... on DIR.  Prints the NBD URI or the mount\n"
    "point.  See list-connections and disconnect.\n"
    "\n"
    "      --fuse=DIR                   mount with nvmeof-fuse on DIR\n"
    "      --nbd-socket=PATH            the NBD socket (default: in the "
    "state\n"
    "                                   directory, "
    "$XDG_RUNTIME_DIR/nvmeof/N/)\n",
  .longopts = connect_longopts,
  .connects = true,
};

struct connect_args {
  const struct cli *cli;
  const char *fuse;
  const char *socket;
};

static int
connect_opt (void *data, int c, const char *arg)
{
  struct connect_args *a = data;

  if (c == OPT_FUSE)
    a->fuse = arg;
  else if (c == OPT_NBD_SOCKET)
    a->socket = arg;
  else
    return -1;
  return 0;
}

static bool
is_secret_key (const char *key)
{
  size_t n, i;
  const struct nvmeof_key_info *k = nvmeof_opts_keys (&n);

  for (i = 0; i < n; i++)
    if (strcmp (k[i].name, key) == 0)
      return k[i].secret;
  return false;
}

/* Each secret into DIR/KEY (0600), the option then naming that file. */
static int
stash_secrets (struct cli *cli, const char *dir, char **owned)
{
  char buf[KEY_FILE_MAX], path[CONN_FILE_MAX];
  size_t i, len;
  int fd;

  for (i = 0; i < cli->nr_kv; i++) {
    if (!is_secret_key (cli->kv[i].key))
      continue;
    if (cli_read_secret (cli, cli->kv[i].key, cli->kv[i].value, buf,
                         sizeof buf) == -1)
      return -1;
    snprintf (path, sizeof path, "%s/%s", dir, cli->kv[i].key);
    fd =
      open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    len = strlen (buf);
    if (fd == -1 || write (fd, buf, len) != (ssize_t) len) {
      cli_error (cli, "%s: %s", path, strerror (errno));
      if (fd != -1)
        close (fd);
      explicit_bzero (buf, sizeof buf);
      return -1;
    }
    close (fd);
    explicit_bzero (buf, sizeof buf);
    if (asprintf (&owned[i], "+%s", path) == -1)
      return cli_error (cli, "out of memory"), -1;
    cli->kv[i].value = owned[i];
  }
  return 0;
}

static void
unlink_secrets (const struct cli *cli)
{
  size_t i;

  for (i = 0; i < cli->nr_kv; i++)
    if (is_secret_key (cli->kv[i].key) && cli->kv[i].value[0] == '+')
      unlink (cli->kv[i].value + 1);
}

/* Connect once here: a wrong address, NQN or key fails on the terminal,
 * and the record gets the subsystem NQN and the NSIDs. */
static int
probe (struct cli *cli, struct conn_info *ci)
{
  struct nvmeof_ctrl *ctrl;
  const struct nvmeof_ctrl_info *info;
  struct nvmeof_path_info path;
  int64_t n;
  int ret = -1;

  ctrl = cli_connect (cli, false, NULL);
  if (ctrl == NULL)
    return -1;
  info = nvmeof_ctrl_get_info (ctrl);
  if (info->discovery) {
    cli_error (cli,
               "%s is a discovery controller: give the NQN of an NVM "
               "subsystem (nvmeof discover lists them)",
               info->subnqn);
    goto out;
  }
  snprintf (ci->subnqn, sizeof ci->subnqn, "%s", info->subnqn);
  if (nvmeof_ctrl_get_paths (ctrl, 0, &path, 1) < 1) {
    cli_lib_error (cli, "address");
    goto out;
  }
  snprintf (ci->transport, sizeof ci->transport, "%s", path.transport);
  snprintf (ci->traddr, sizeof ci->traddr, "%s", path.traddr);
  snprintf (ci->trsvcid, sizeof ci->trsvcid, "%s", path.trsvcid);
  snprintf (ci->host_iface, sizeof ci->host_iface, "%s", path.host_iface);
  n = nvmeof_list_namespaces (ctrl, ci->nsids, CONN_MAX_NSIDS);
  if (n == -1) {
    cli_lib_error (cli, "namespaces");
    goto out;
  }
  ci->nr_nsids = n > CONN_MAX_NSIDS ? CONN_MAX_NSIDS : (size_t) n;
  ret = 0;
out:
  nvmeof_close (ctrl);
  return ret;
}

/* The child's command line: nbdkit or nvmeof-fuse, with every option but
 * the secrets' (those name their files) as given. */
static char **
child_argv (const struct cli *cli, const struct conn_info *ci, const char *dir)
{
  size_t n = 0, i;
  char **av = calloc (cli->nr_kv + 16, sizeof *av);
  const char *plugin;
  char *s;

  if (av == NULL)
    return NULL;
#define ADD(x) \
  do { \
    if ((s = (x)) == NULL) \
      goto err; \
    av[n++] = s; \
  } while (0)
  if (strcmp (ci->kind, "nbd") == 0) {
    ADD (strdup ("nbdkit"));
    ADD (strdup ("-f"));
    ADD (strdup ("-U"));
    ADD (strdup (ci->path));
    ADD (strdup ("-P"));
    if (asprintf (&s, "%s/nbdkit.pid", dir) < 0)
      goto err;
    av[n++] = s;
    /* ./run of a build tree names the plugin it built. */
    plugin = getenv ("NBDKIT_NVMEOF_PLUGIN");
    ADD (strdup (plugin && plugin[0] ? plugin : "nvmeof"));
    if (asprintf (&s, "url=%s", ci->url) == -1)
      goto err;
    av[n++] = s;
    for (i = 0; i < cli->nr_kv; i++) {
      if (asprintf (&s, "%s=%s", cli->kv[i].key, cli->kv[i].value) == -1)
        goto err;
      av[n++] = s;
    }
  }
  else {
    ADD (strdup ("nvmeof-fuse"));
    ADD (strdup ("-f"));
    for (i = 0; i < cli->nr_kv; i++) {
      if (asprintf (&s, "--%s=%s", cli->kv[i].key, cli->kv[i].value) == -1)
        goto err;
      av[n++] = s;
    }
    ADD (strdup (ci->url));
    ADD (strdup (ci->path));
  }
#undef ADD
  return av;

err:
  for (i = 0; i < n; i++)
    free (av[i]);
  free (av);
  return NULL;
}

static void
free_argv (char **av)
{
  size_t i;

  for (i = 0; av && av[i]; i++)
    free (av[i]);
  free (av);
}

/* Start the child in a session of its own, stdin /dev/null, stdout and
 * stderr into DIR/log, and not as our child: nbdkit ends itself when its
 * parent exits (PR_SET_PDEATHSIG), so an intermediate process forks it
 * and exits first.  The child waits for our word before exec, so that its
 * start time is read while the PID is surely its own.  Its PID, or -1. */
static pid_t
spawn (const struct cli *cli, char **av, const char *dir, struct conn_info *ci)
{
  char log[CONN_FILE_MAX], go = 'g';
  int pidpipe[2] = { -1, -1 }, gopipe[2] = { -1, -1 };
  pid_t mid, pid = -1;
  int fd, null, status;

  snprintf (log, sizeof log, "%s/log", dir);
  fd = open (log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd == -1)
    return cli_error (cli, "%s: %s", log, strerror (errno)), -1;
  null = open ("/dev/null", O_RDONLY | O_CLOEXEC);
  if (null == -1 || pipe2 (pidpipe, O_CLOEXEC) == -1 ||
      pipe2 (gopipe, O_CLOEXEC) == -1) {
    cli_error (cli, "%s", strerror (errno));
    goto out;
  }
  fflush (NULL);
  mid = fork ();
  if (mid == -1) {
    cli_error (cli, "fork: %s", strerror (errno));
    goto out;
  }
  if (mid == 0) {
    pid_t child;

    setsid ();
    child = fork ();
    if (child == 0) {
      char c;

      signal (SIGPIPE, SIG_DFL);
      if (read (gopipe[0], &c, 1) != 1 || dup2 (null, 0) == -1 ||
          dup2 (fd, 1) == -1 || dup2 (fd, 2) == -1)
        _exit (127);
      /* Our descriptors are CLOEXEC: exec leaves 0, 1, 2. */
      execvp (av[0], av);
      fprintf (stderr, "nvmeof connect: %s: %s\n", av[0], strerror (errno));
      _exit (127);
    }
    _exit (write (pidpipe[1], &child, sizeof child) == sizeof child &&
               child > 0 ?
             0 :
             1);
  }
  close (pidpipe[1]);
  pidpipe[1] = -1;
  if (read (pidpipe[0], &pid, sizeof pid) != sizeof pid)
    pid = -1;
  while (waitpid (mid, &status, 0) == -1 && errno == EINTR)
    ;
  if (pid <= 0) {
    cli_error (cli, "fork: %s", strerror (errno));
    pid = -1;
    goto out;
  }
  if (conn_proc_starttime (pid, &ci->starttime, NULL) == -1 ||
      conn_boot_id (ci->boot_id) == -1) {
    cli_error (cli, "cannot read /proc: %s", strerror (errno));
    kill (pid, SIGKILL);
    pid = -1;
    goto out;
  }
  if (write (gopipe[1], &go, 1) != 1) {
    cli_error (cli, "%s", strerror (errno));
    kill (pid, SIGKILL);
    pid = -1;
  }

out:
  close (fd);
  if (null != -1)
    close (null);
  for (int i = 0; i < 2; i++) {
    if (pidpipe[i] != -1)
      close (pidpipe[i]);
    if (gopipe[i] != -1)
      close (gopipe[i]);
  }
  return pid;
}

/* Serving yet?  nbdkit writes its pidfile once listening (and after the
 * plugin connected); nvmeof-fuse connects before it mounts. */
static bool
ready (const struct conn_info *ci, const char *dir)
{
  char p[CONN_FILE_MAX];

  if (strcmp (ci->kind, "nbd") == 0) {
    snprintf (p, sizeof p, "%s/nbdkit.pid", dir);
    return access (p, F_OK) == 0;
  }
  return conn_fuse_mounted (ci->path);
}

/* The last part of the child's log, for a failed start. */
static void
show_log (const char *dir)
{
  char p[CONN_FILE_MAX], buf[4096];
  ssize_t n;
  off_t size;
  int fd;

  snprintf (p, sizeof p, "%s/log", dir);
  fd = open (p, O_RDONLY | O_CLOEXEC);
  if (fd == -1)
    return;
  size = lseek (fd, 0, SEEK_END);
  lseek (fd, size > (off_t) sizeof buf ? size - (off_t) sizeof buf : 0,
         SEEK_SET);
  n = read (fd, buf, sizeof buf);
  close (fd);
  if (n > 0)
    fwrite (buf, 1, (size_t) n, stderr);
}

static int
wait_ready (const struct cli *cli, struct conn_info *ci, const char *dir)
{
  struct timespec ts = { 0, 20 * 1000 * 1000 };
  time_t deadline = time (NULL) + CONN_START_TIMEOUT;

  for (;;) {
    if (!conn_alive (ci)) {
      show_log (dir);
      return cli_error (cli, "%s exited before serving",
                        strcmp (ci->kind, "nbd") == 0 ? "nbdkit" :
                                                        "nvmeof-fuse"),
             -1;
    }
    if (ready (ci, dir))
      return 0;
    if (time (NULL) > deadline) {
      kill (ci->pid, SIGKILL);
      show_log (dir);
      return cli_error (cli, "not serving after %d s: stopped",
                        CONN_START_TIMEOUT),
             -1;
    }
    nanosleep (&ts, NULL);
  }
}

/* The record refuses control characters (list-connections would drop
 * it, leaving its process running unlisted): refuse them here first. */
static bool
has_control (const char *s)
{
  for (; *s; s++)
    if ((unsigned char) *s < 0x20 || *s == 0x7f)
      return true;
  return false;
}

/* An absolute path for a file that may not exist yet (its directory
 * must). */
static int
absolute_path (const struct cli *cli, const char *opt, const char *in,
               char *out, size_t len)
{
  const char *slash = strrchr (in, '/'), *base;
  char *dir, *real;
  int n;

  if (in[0] == '\0' || (slash && slash[1] == '\0'))
    return cli_error (cli, "%s: expected a file name, got '%s'", opt, in), -1;
  if (slash == NULL) {
    dir = strdup (".");
    base = in;
  }
  else {
    dir = strndup (in, (size_t) (slash - in + 1));
    base = slash + 1;
  }
  if (dir == NULL)
    return cli_error (cli, "out of memory"), -1;
  real = realpath (dir, NULL);
  if (real == NULL) {
    cli_error (cli, "%s: %s: %s", opt, dir, strerror (errno));
    free (dir);
    return -1;
  }
  n = snprintf (out, len, "%s/%s", strcmp (real, "/") ? real : "", base);
  free (real);
  free (dir);
  if (n < 0 || (size_t) n >= len)
    return cli_error (cli, "%s: path too long", opt), -1;
  return 0;
}

static void
print_result (const struct cli *cli, const struct conn_info *ci)
{
  if (cli->format == OUTPUT_JSON) {
    json_object *o = json_object_new_object ();

    json_object_object_add (o, "id", json_object_new_int64 (ci->id));
    json_object_object_add (o, "subnqn", json_object_new_string (ci->subnqn));
    json_object_object_add (
      o, strcmp (ci->kind, "nbd") == 0 ? "socket" : "mountpoint",
      json_object_new_string (ci->path));
    json_object_object_add (o, "pid", json_object_new_int64 (ci->pid));
    output_json (o);
  }
  else if (strcmp (ci->kind, "nbd") == 0)
    printf ("nbd+unix:///?socket=%s\n", ci->path);
  else
    printf ("%s\n", ci->path);
}

int
cmd_connect (int argc, char **argv)
{
  struct cli cli = { 0 };
  struct connect_args a = { &cli, NULL, NULL };
  struct conn_info *ci;
  char state[CONN_DIR_MAX], dir[CONN_DIR_MAX + 16];
  char *owned[CLI_MAX_KV] = { NULL };
  char **av = NULL;
  struct stat st;
  size_t i;
  int r, ret = 1;
  bool made_dir = false;

  r = cli_parse (&cli, &connect_cmd, argc, argv, connect_opt, &a);
  if (r != 0)
    return r == 1 ? 0 : 1;
  if (cli.url == NULL)
    return cli_error (&cli, "a URL is needed (see 'nvmeof connect --help')");
  if (a.fuse && a.socket)
    return cli_error (&cli, "--fuse and --nbd-socket exclude each other");

  ci = calloc (1, sizeof *ci);
  if (ci == NULL)
    return cli_error (&cli, "out of memory");
  if (strlen (cli.url) >= sizeof ci->url) {
    ret = cli_error (&cli, "URL too long");
    goto out;
  }
  snprintf (ci->url, sizeof ci->url, "%s", cli.url);
  snprintf (ci->kind, sizeof ci->kind, "%s", a.fuse ? "fuse" : "nbd");
  if (a.fuse) {
    if (realpath (a.fuse, ci->path) == NULL || stat (ci->path, &st) == -1 ||
        !S_ISDIR (st.st_mode)) {
      ret = cli_error (&cli, "--fuse: %s: not a directory", a.fuse);
      goto out;
    }
    if (conn_fuse_mounted (ci->path)) {
      ret = cli_error (&cli,
                       "--fuse: %s: a FUSE file system is mounted "
                       "there already",
                       ci->path);
      goto out;
    }
  }
  else if (a.socket && absolute_path (&cli, "--nbd-socket", a.socket, ci->path,
                                      sizeof ci->path) == -1)
    goto out;

  if (conn_state_dir (&cli, state, sizeof state) == -1 ||
      conn_dir_create (&cli, state, &ci->id, dir, sizeof dir) == -1)
    goto out;
  made_dir = true;
  if (!a.fuse && !a.socket)
    snprintf (ci->path, sizeof ci->path, "%s/nbd.sock", dir);
  if (has_control (ci->url) || has_control (ci->path)) {
    ret = cli_error (&cli, "the URL and the path may not contain control "
                           "characters");
    goto out;
  }
  if (!a.fuse) {
    struct sockaddr_un sun;

    if (strlen (ci->path) >= sizeof sun.sun_path) {
      ret = cli_error (&cli,
                       "NBD socket path too long (at most %zu bytes): "
                       "%s",
                       sizeof sun.sun_path - 1, ci->path);
      goto out;
    }
    if (lstat (ci->path, &st) == 0) {
      ret = cli_error (&cli, "--nbd-socket: %s exists", ci->path);
      goto out;
    }
  }

  if (stash_secrets (&cli, dir, owned) == -1 || probe (&cli, ci) == -1)
    goto out;

  av = child_argv (&cli, ci, dir);
  if (av == NULL) {
    ret = cli_error (&cli, "out of memory");
    goto out;
  }
  ci->pid = spawn (&cli, av, dir, ci);
  if (ci->pid == -1)
    goto out;
  /* Recorded at once: if we die now, list-connections finds it. */
  if (conn_info_write (&cli, dir, ci) == -1) {
    kill (ci->pid, SIGKILL);
    goto out;
  }
  if (wait_ready (&cli, ci, dir) == -1) {
    if (!a.fuse && lstat (ci->path, &st) == 0 && S_ISSOCK (st.st_mode))
      unlink (ci->path);
    goto out;
  }
  unlink_secrets (&cli);
  print_result (&cli, ci);
  made_dir = false;
  ret = 0;

out:
  if (made_dir)
    conn_dir_remove (dir);
  free_argv (av);
  for (i = 0; i < CLI_MAX_KV; i++)
    free (owned[i]);
  free (ci);
  return ret;
}
