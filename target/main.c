/* SPDX-License-Identifier: BSD-3-Clause */
/* nvmeof-target: listening sockets, daemonizing (after the sockets listen,
 * so that the pidfile appears only when the target is ready, as nbdkit
 * does), signals (a handler and a self-pipe) and the accept loop; the
 * command line is options.c's.  The main thread also runs the keep-alive
 * watchdog; each connection has its own thread (conn.c). */
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

static int
listen_port (struct tgt_port *port)
{
  struct addrinfo hints = { .ai_flags =
                              AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE,
                            .ai_socktype = SOCK_STREAM };
  struct addrinfo *ai;
  int fd, one = 1, err;

  err = getaddrinfo (port->traddr, port->trsvcid, &hints, &ai);
  if (err) {
    log_msg ("port %u: %s:%s: %s", port->portid, port->traddr, port->trsvcid,
             gai_strerror (err));
    return -1;
  }
  fd = socket (ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd == -1)
    goto fail;
  setsockopt (fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (ai->ai_family == AF_INET6)
    setsockopt (fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
  if (bind (fd, ai->ai_addr, ai->ai_addrlen) == -1 ||
      listen (fd, SOMAXCONN) == -1)
    goto fail;
  freeaddrinfo (ai);
  port->listen_fd = fd;
  log_verbose ("port %u: listening on %s:%s", port->portid, port->traddr,
               port->trsvcid);
  return 0;
fail:
  log_msg ("port %u: listen on %s:%s: %s", port->portid, port->traddr,
           port->trsvcid, strerror (errno));
  if (fd >= 0)
    close (fd);
  freeaddrinfo (ai);
  return -1;
}

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

static void
serve (void)
{
  int sfd = sigpipe_fds[0];
  struct pollfd *pfd;
  size_t i, n = cfg.nr_ports + 1;

  pfd = calloc (n, sizeof *pfd);
  if (!pfd)
    die ("out of memory");
  for (i = 0; i < cfg.nr_ports; i++) {
    pfd[i].fd = cfg.ports[i].listen_fd;
    pfd[i].events = POLLIN;
  }
  pfd[n - 1].fd = sfd;
  pfd[n - 1].events = POLLIN;

  while (!atomic_load (&stopping)) {
    int r = poll (pfd, n, 100);

    ctrl_check_kato (now_ms ());
    if (r <= 0)
      continue;
    if (pfd[n - 1].revents & POLLIN) {
      char buf[16];
      ssize_t k = read (sfd, buf, sizeof buf), j;
      for (j = 0; j < k; j++) {
        if (buf[j] == 'u')
          stats_write ();
        else
          log_verbose ("signal: shutting down");
      }
    }
    for (i = 0; i + 1 < n; i++) {
      if (pfd[i].revents & POLLIN) {
        int fd = accept4 (pfd[i].fd, NULL, NULL, SOCK_CLOEXEC);
        if (fd >= 0)
          conn_start (fd, &cfg.ports[i]);
        else if (errno == EMFILE || errno == ENFILE)
          poll (NULL, 0, 50); /* let connections close */
      }
    }
  }
  free (pfd);
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
  if (!foreground)
    daemonize ();
  if (eth_ports_start () == -1) /* threads do not survive the fork */
    exit (EXIT_FAILURE);
  write_pidfile ();

  serve ();

  for (i = 0; i < cfg.nr_ports; i++)
    if (cfg.ports[i].listen_fd >= 0)
      close (cfg.ports[i].listen_fd);
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
  close (sigpipe_fds[0]);
  close (sigpipe_fds[1]);
  return EXIT_SUCCESS;
}
