/* SPDX-License-Identifier: BSD-3-Clause */
/* nvmeof-fuse: mount the namespaces of an NVMe-oF subsystem as files,
 * without root and without kernel NVMe modules.
 *
 *   nvmeof-fuse [OPTIONS] URL MOUNTPOINT
 *
 * This file: connecting, daemonizing, mounting and the FUSE main loop.
 * The command line is in cmdline.c, the operations in operations.c. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/types.h>
#include <sys/wait.h>

#include "nvmeof-fuse.h"

/* Connect, list the namespaces and open each as a file. */
static int
connect_target (struct nvmeof_fuse *nf, struct nvmeof_opts *opts)
{
  uint32_t *nsids = NULL;
  int64_t n;
  size_t max = 1024, i;

  nf->ctrl = nvmeof_connect (opts);
  if (nf->ctrl == NULL) {
    fprintf (stderr, "nvmeof-fuse: %s\n", nvmeof_get_error ());
    return -1;
  }
  if (nvmeof_ctrl_get_info (nf->ctrl)->discovery) {
    /* A discovery URL: every portal it lists for the (one) NVM subsystem
     * is a path. */
    struct nvmeof_ctrl *disc = nf->ctrl;

    nf->ctrl = nvmeof_connect_discovered (disc, opts, NULL);
    nvmeof_close (disc);
    if (nf->ctrl == NULL) {
      fprintf (stderr, "nvmeof-fuse: discovery: %s\n", nvmeof_get_error ());
      return -1;
    }
  }
  for (;;) {
    free (nsids);
    nsids = malloc (max * sizeof *nsids);
    if (nsids == NULL) {
      fprintf (stderr, "nvmeof-fuse: out of memory\n");
      return -1;
    }
    n = nvmeof_list_namespaces (nf->ctrl, nsids, max);
    if (n == -1) {
      fprintf (stderr, "nvmeof-fuse: %s\n", nvmeof_get_error ());
      free (nsids);
      return -1;
    }
    if ((uint64_t) n <= max)
      break;
    max = (size_t) n;
  }

  nf->files = calloc (n ? (size_t) n : 1, sizeof *nf->files);
  if (nf->files == NULL) {
    free (nsids);
    fprintf (stderr, "nvmeof-fuse: out of memory\n");
    return -1;
  }
  for (i = 0; i < (size_t) n; i++) {
    struct nsfile *f = &nf->files[nf->nr_files];
    const struct nvmeof_ns_info *ni;
    int r;

    f->ns = nvmeof_ns_open (nf->ctrl, nsids[i]);
    if (f->ns == NULL) {
      /* One unusable namespace (metadata, PI ...) hides only itself. */
      fprintf (stderr, "nvmeof-fuse: namespace %" PRIu32 " left out: %s\n",
               nsids[i], nvmeof_get_error ());
      continue;
    }
    ni = nvmeof_ns_get_info (f->ns);
    r = aligned_io_init (&f->aio, f->ns);
    if (r < 0) {
      fprintf (stderr, "nvmeof-fuse: namespace %" PRIu32 " left out: %s\n",
               nsids[i], aligned_io_get_error ());
      nvmeof_ns_close (f->ns);
      f->ns = NULL;
      continue;
    }
    f->aio_ready = true;
    f->nsid = ni->nsid;
    snprintf (f->name, sizeof f->name, "n%" PRIu32, ni->nsid);
    f->size = ni->size;
    f->lba_size = ni->lba_size;
    f->read_only = nf->read_only || ni->write_protected;
    f->punch_by_dsm = ni->has_deallocate && ni->deallocated_reads_zero;
    f->has_write_zeroes = ni->has_write_zeroes;
    nf->nr_files++;
  }
  free (nsids);
  if (nf->nr_files == 0)
    fprintf (stderr, "nvmeof-fuse: warning: the subsystem has no usable "
                     "namespaces; the mount will be empty\n");
  return 0;
}

static void
disconnect_target (struct nvmeof_fuse *nf)
{
  size_t i;

  for (i = 0; i < nf->nr_files; i++) {
    if (nf->files[i].aio_ready)
      aligned_io_destroy (&nf->files[i].aio);
    if (nf->files[i].ns)
      nvmeof_ns_close (nf->files[i].ns);
  }
  free (nf->files);
  nf->files = NULL;
  nf->nr_files = 0;
  if (nf->ctrl)
    nvmeof_close (nf->ctrl);
  nf->ctrl = NULL;
}

/* Fork before connecting: the library's threads would not survive a fork
 * after it.  The parent waits until the child has mounted (exit 0) or
 * failed (exit 1; the child printed why). */
static int
daemonize_start (int *notify_fd)
{
  int p[2];
  pid_t pid;
  char c;
  int status;

  if (pipe2 (p, O_CLOEXEC) == -1) {
    perror ("nvmeof-fuse: pipe");
    return -1;
  }
  pid = fork ();
  if (pid == -1) {
    perror ("nvmeof-fuse: fork");
    return -1;
  }
  if (pid > 0) {
    close (p[1]);
    if (read (p[0], &c, 1) == 1)
      _exit (0);
    while (waitpid (pid, &status, 0) == -1 && errno == EINTR)
      ;
    _exit (1);
  }
  close (p[0]);
  if (setsid () == -1) {
    perror ("nvmeof-fuse: setsid");
    return -1;
  }
  *notify_fd = p[1];
  return 0;
}

static void
daemonize_done (int notify_fd, bool keep_stderr)
{
  int fd = open ("/dev/null", O_RDWR);

  if (chdir ("/") == -1)
    perror ("nvmeof-fuse: chdir");
  if (fd >= 0) {
    dup2 (fd, STDIN_FILENO);
    dup2 (fd, STDOUT_FILENO);
    if (!keep_stderr)
      dup2 (fd, STDERR_FILENO);
    if (fd > STDERR_FILENO)
      close (fd);
  }
  if (write (notify_fd, "1", 1) != 1)
    perror ("nvmeof-fuse: notify");
  close (notify_fd);
}

static int
run_loop (struct nvmeof_fuse *nf, struct fuse_session *se)
{
  int r;

  if (nf->single_thread)
    return fuse_session_loop (se);
#if FUSE_VERSION >= FUSE_MAKE_VERSION(3, 12)
  {
    struct fuse_loop_config *cfg = fuse_loop_cfg_create ();
    if (cfg == NULL)
      return -ENOMEM;
    fuse_loop_cfg_set_clone_fd (cfg, 0);
    fuse_loop_cfg_set_max_threads (cfg, nf->max_threads);
    /* Idle workers stay (with their read buffers) instead of churning. */
    fuse_loop_cfg_set_idle_threads (cfg, nf->max_threads);
    r = fuse_session_loop_mt (se, cfg);
    fuse_loop_cfg_destroy (cfg);
  }
#else
  {
    struct fuse_loop_config cfg = { .clone_fd = 0,
                                    .max_idle_threads = nf->max_threads };
    r = fuse_session_loop_mt (se, &cfg);
  }
#endif
  return r;
}

int
main (int argc, char **argv)
{
  static struct nvmeof_fuse nf;
  struct fuse_args args = FUSE_ARGS_INIT (0, NULL);
  struct nvmeof_opts *opts = NULL;
  struct fuse_session *se = NULL;
  char *mountpoint = NULL;
  int r, notify_fd = -1, ret = 1;
  bool mounted = false, handlers = false;

  r = nvmeof_fuse_parse_args (argc, argv, &nf, &args, &opts);
  if (r != 0) {
    ret = r == 1 ? 0 : 1;
    goto out;
  }
  mountpoint = realpath (nf.mountpoint, NULL);
  if (mountpoint == NULL) {
    fprintf (stderr, "nvmeof-fuse: %s: %s\n", nf.mountpoint, strerror (errno));
    goto out;
  }

  if (!nf.foreground && daemonize_start (&notify_fd) == -1)
    goto out;
  if (nvmeof_fuse_ops_init () != 0) {
    fprintf (stderr, "nvmeof-fuse: pthread_key_create failed\n");
    goto out;
  }
  if (connect_target (&nf, opts) == -1)
    goto out;
  nf.uid = getuid ();
  nf.gid = getgid ();
  clock_gettime (CLOCK_REALTIME, &nf.mount_time);

  se = fuse_session_new (&args, &nvmeof_fuse_ops, sizeof nvmeof_fuse_ops, &nf);
  if (se == NULL)
    goto out; /* libfuse printed why */
  if (fuse_set_signal_handlers (se) == -1)
    goto out;
  handlers = true;
  if (fuse_session_mount (se, mountpoint) == -1)
    goto out;
  mounted = true;
  if (nf.verbose)
    fprintf (stderr, "nvmeof-fuse: %zu namespace(s) mounted on %s (%s)\n",
             nf.nr_files, mountpoint,
             nf.direct_io ? "direct I/O" : "page cache");
  if (notify_fd >= 0) {
    daemonize_done (notify_fd, nf.verbose);
    notify_fd = -1;
  }

  /* 0 after an unmount, the signal number after SIGTERM/SIGINT/SIGHUP
   * (both clean ends), negative on an error. */
  ret = run_loop (&nf, se) < 0 ? 1 : 0;
  if (nf.verbose)
    fprintf (stderr,
             "nvmeof-fuse: largest read %" PRIuFAST64 " bytes, "
             "largest write %" PRIuFAST64 " bytes\n",
             atomic_load (&nf.max_read_seen), atomic_load (&nf.max_write_seen));

out:
  if (mounted)
    fuse_session_unmount (se);
  if (handlers)
    fuse_remove_signal_handlers (se);
  if (se)
    fuse_session_destroy (se);
  disconnect_target (&nf);
  if (opts)
    nvmeof_opts_free (opts);
  fuse_opt_free_args (&args);
  free (mountpoint);
  if (notify_fd >= 0)
    close (notify_fd); /* the parent sees EOF and exits 1 */
  return ret;
}
