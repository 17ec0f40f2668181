/* SPDX-License-Identifier: BSD-3-Clause */
/* nvmeof-target: listening sockets, daemonizing (after the sockets listen,
 * so that the pidfile appears only when the target is ready, as nbdkit
 * does), signals (a handler and a self-pipe) and the accept loop; the
 * command line is options.c's.  The main thread also runs the keep-alive
 * watchdog and the one for connections without a Connect (conn-thread.c);
 * each connection has its own thread (conn.c). */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "target.h"

atomic_bool stopping;
static const char *pidfile;
static int sigpipe_fds[2] = { -1, -1 };

/* SIGTERM/SIGINT stop the target at once: connection threads stop
 * answering as soon as the flag is set, even before the main loop wakes up
 * (a test that kills the target must not get answers afterwards).  The
 * byte in the pipe wakes the main loop. */
static void
on_signal (int sig)
{
  int saved = errno;
  char c = sig == SIGUSR1 ? 'u' : 't';

  if (sig != SIGUSR1)
    atomic_store (&stopping, true);
  if (write (sigpipe_fds[1], &c, 1) == -1) {
    /* The pipe is full: the main loop has wake-ups queued anyway. */
  }
  errno = saved;
}

void
log_msg (const char *fmt, ...)
{
  va_list ap;
  char buf[1024];

  va_start (ap, fmt);
  vsnprintf (buf, sizeof buf, fmt, ap);
  va_end (ap);
  fprintf (stderr, "nvmeof-target: %s\n", buf);
}

void
log_verbose (const char *fmt, ...)
{
  va_list ap;
  char buf[1024];

  if (!cfg.verbose)
    return;
  va_start (ap, fmt);
  vsnprintf (buf, sizeof buf, fmt, ap);
  va_end (ap);
  fprintf (stderr, "nvmeof-target: %s\n", buf);
}

bool
stop_requested (void)
{
  sigset_t set;

  if (atomic_load (&stopping))
    return true;
  if (sigpending (&set) == 0 &&
      (sigismember (&set, SIGTERM) == 1 || sigismember (&set, SIGINT) == 1)) {
    atomic_store (&stopping, true);
    return true;
  }
  return false;
}

void
die (const char *fmt, ...)
{
  va_list ap;

  fputs ("nvmeof-target: ", stderr);
  va_start (ap, fmt);
  vfprintf (stderr, fmt, ap);
  va_end (ap);
  fputc ('\n', stderr);
  exit (EXIT_FAILURE);
}

/* ---- sockets, daemon, main loop --------------------------------------- */

static void
daemonize (void)
{
  pid_t pid = fork ();
  int fd;

  if (pid == -1)
    die ("fork: %s", strerror (errno));
  if (pid > 0)
    _exit (EXIT_SUCCESS);
  setsid ();
  if (chdir ("/") == -1)
    die ("chdir /: %s", strerror (errno));
  fd = open ("/dev/null", O_RDWR);
  if (fd >= 0) {
    dup2 (fd, 0);
    dup2 (fd, 1);
    if (!cfg.verbose)
      dup2 (fd, 2);
    if (fd > 2)
      close (fd);
  }
}

/* Written to a temporary name and renamed, so that a reader never sees a
 * partial pidfile. */
static void
write_pidfile (void)
{
  char tmp[PATH_MAX];
  FILE *fp;

  if (!pidfile)
    return;
  if ((size_t) snprintf (tmp, sizeof tmp, "%s.tmp", pidfile) >= sizeof tmp)
    die ("--pidfile: path too long");
  fp = fopen (tmp, "w");
  if (!fp || fprintf (fp, "%ld\n", (long) getpid ()) < 0 || fclose (fp))
    die ("%s: %s", tmp, strerror (errno));
  if (rename (tmp, pidfile) == -1)
    die ("%s: %s", pidfile, strerror (errno));
}

/* The descriptors to poll, rebuilt each round (the control socket takes
 * listeners down and up): the listening ports, the signal pipe, then the
 * control socket's.  Returns how many; ports[i] is the port of pfd[i]. */
static size_t
fill_pollfds (struct pollfd *pfd, struct tgt_port **ports, size_t *nr_ports)
{
  size_t i, n = 0;

  for (i = 0; i < cfg.nr_ports; i++) {
    if (cfg.ports[i].listen_fd < 0)
      continue;
    ports[n] = &cfg.ports[i];
    pfd[n].fd = cfg.ports[i].listen_fd;
    pfd[n].events = POLLIN;
    pfd[n].revents = 0;
    n++;
  }
  *nr_ports = n;
  pfd[n].fd = sigpipe_fds[0];
  pfd[n].events = POLLIN;
  pfd[n].revents = 0;
  n++;
  return n + control_pollfds (pfd + n);
}

static void
serve (void)
{
  struct pollfd *pfd;
  struct tgt_port **ports;
  size_t i, n, np;

  pfd = calloc (cfg.nr_ports + 1 + CONTROL_MAX_FDS, sizeof *pfd);
  ports = calloc (cfg.nr_ports + 1, sizeof *ports);
  if (!pfd || !ports)
    die ("out of memory");

  while (!atomic_load (&stopping)) {
    int r;

    n = fill_pollfds (pfd, ports, &np);
    r = poll (pfd, n, 100);
    ctrl_check_kato (now_ms ());
    conn_check_setup (now_ms ());
    if (r <= 0)
      continue;
    if (pfd[np].revents & POLLIN) {
      char buf[16];
      ssize_t k = read (sigpipe_fds[0], buf, sizeof buf), j;
      for (j = 0; j < k; j++) {
        if (buf[j] == 'u')
          stats_write ();
        else
          log_verbose ("signal: shutting down");
      }
    }
    for (i = 0; i < np; i++) {
      if (pfd[i].revents & POLLIN) {
        int fd = accept4 (pfd[i].fd, NULL, NULL, SOCK_CLOEXEC);
        if (fd >= 0)
          conn_start (fd, ports[i]);
        else if (errno == EMFILE || errno == ENFILE)
          poll (NULL, 0, 50); /* let connections close */
      }
    }
    /* Last: a command may close a listener polled above. */
    control_serve (pfd + np + 1, n - np - 1);
  }
  free (pfd);
  free (ports);
}

int
main (int argc, char **argv)
{
  struct quick_opts q = { 0 };
  bool foreground = false;
  struct sigaction sa;
  size_t i;

  parse_options (argc, argv, &q, &foreground, &pidfile);
  if (config_build (&q) == -1)
    exit (EXIT_FAILURE);
  if (cfg.nr_ports == 0)
    die ("nothing to serve: the configuration has no tcp or eth port");
  aio_start ();

  signal (SIGPIPE, SIG_IGN);
  if (pipe2 (sigpipe_fds, O_CLOEXEC | O_NONBLOCK) == -1)
    die ("pipe: %s", strerror (errno));
  memset (&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sa.sa_flags = SA_RESTART;
  sigemptyset (&sa.sa_mask);
  sigaction (SIGTERM, &sa, NULL);
  sigaction (SIGINT, &sa, NULL);
  sigaction (SIGUSR1, &sa, NULL);

  for (i = 0; i < cfg.nr_ports; i++)
    if (cfg.ports[i].trtype == NVMF_TRTYPE_TCP &&
        listen_port (&cfg.ports[i]) == -1)
      exit (EXIT_FAILURE);
  if (eth_ports_open () == -1)
    exit (EXIT_FAILURE);
  if (cfg.control_path && control_open (cfg.control_path) == -1)
    exit (EXIT_FAILURE);
  if (!foreground)
    daemonize ();
  if (eth_ports_start () == -1) /* threads do not survive the fork */
    exit (EXIT_FAILURE);
  write_pidfile ();

  serve ();

  for (i = 0; i < cfg.nr_ports; i++)
    if (cfg.ports[i].listen_fd >= 0)
      close (cfg.ports[i].listen_fd);
  control_close ();
  conn_shutdown_all ();
  eth_ports_shutdown ();
  config_sync_all ();
  stats_write ();
  if (pidfile)
    unlink (pidfile);
  config_free ();
  concat_psk_free_all ();
  for (i = 0; i < q.nr_ns; i++)
    free ((char *) q.ns[i].spec);
  free (q.ns);
  free (q.hosts);
  free (q.eth);
  free (q.listen);
  close (sigpipe_fds[0]);
  close (sigpipe_fds[1]);
  return EXIT_SUCCESS;
}
