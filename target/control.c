/* SPDX-License-Identifier: BSD-3-Clause */
/* The control socket (--control PATH): a unix stream socket, only for the
 * target's user (mode 0600), on which tests and operators change the
 * target while it runs.  A line protocol, one reply line per command line:
 *
 *   ana PORTID GRPID STATE    set a port's ANA state of a group (states as
 *                             nvmet's configfs names them)
 *   listener PORTID down|up   close a TCP port's listening socket and its
 *                             connections, or listen again
 *   stats                     the counters, as one line of JSON
 *
 * The reply is "ok", the JSON, or "error: " and what was wrong.  The main
 * thread serves it (main.c polls these descriptors with the listeners),
 * so that a command and the accept loop never race; clients are
 * non-blocking, and one that sends a line too long is answered and
 * dropped. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "target.h"

#define LINE_MAX_BYTES 256 /* the newline included */
#define MAX_CLIENTS    (CONTROL_MAX_FDS - 1)

struct client {
  int fd;
  size_t len;
  char buf[LINE_MAX_BYTES];
};

static int listen_fd = -1;
static const char *sock_path;
static struct client clients[MAX_CLIENTS];
static size_t nr_clients;

int
control_open (const char *path)
{
  struct sockaddr_un sa = { .sun_family = AF_UNIX };
  struct stat st;
  mode_t old;
  int fd;

  if (strlen (path) >= sizeof sa.sun_path) {
    log_msg ("--control: '%s': a unix socket path must be shorter than %zu "
             "bytes",
             path, sizeof sa.sun_path);
    return -1;
  }
  memcpy (sa.sun_path, path, strlen (path) + 1);
  /* A socket left by a target that was killed is replaced; anything else
   * at the path is not. */
  if (lstat (path, &st) == 0 && S_ISSOCK (st.st_mode))
    unlink (path);
  fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd == -1) {
    log_msg ("--control: socket: %s", strerror (errno));
    return -1;
  }
  old = umask (0177);
  if (bind (fd, (struct sockaddr *) &sa, sizeof sa) == -1) {
    umask (old);
    log_msg ("--control: %s: %s", path, strerror (errno));
    close (fd);
    return -1;
  }
  umask (old);
  if (listen (fd, 8) == -1) {
    log_msg ("--control: %s: %s", path, strerror (errno));
    close (fd);
    unlink (path);
    return -1;
  }
  listen_fd = fd;
  sock_path = path;
  return 0;
}

void
control_close (void)
{
  size_t i;

  for (i = 0; i < nr_clients; i++)
    close (clients[i].fd);
  nr_clients = 0;
  if (listen_fd >= 0) {
    close (listen_fd);
    unlink (sock_path);
    listen_fd = -1;
  }
}

size_t
control_pollfds (struct pollfd *pfd)
{
  size_t i;

  if (listen_fd < 0)
    return 0;
  pfd[0].fd = listen_fd;
  pfd[0].events = POLLIN;
  pfd[0].revents = 0;
  for (i = 0; i < nr_clients; i++) {
    pfd[i + 1].fd = clients[i].fd;
    pfd[i + 1].events = POLLIN;
    pfd[i + 1].revents = 0;
  }
  return nr_clients + 1;
}

/* Send a reply line; false if the client cannot take it (then dropped). */
static bool
reply (int fd, const char *fmt, ...)
{
  va_list ap;
  char line[LINE_MAX_BYTES * 2];
  int n;

  va_start (ap, fmt);
  n = vsnprintf (line, sizeof line - 1, fmt, ap);
  va_end (ap);
  if (n < 0)
    return false;
  if ((size_t) n > sizeof line - 2)
    n = sizeof line - 2;
  line[n++] = '\n';
  return send (fd, line, n, MSG_NOSIGNAL) == n;
}

static struct tgt_port *
find_port (const char *s)
{
  char *end;
  unsigned long id;
  size_t i;

  errno = 0;
  id = strtoul (s, &end, 10);
  if (errno || *end || s[0] == '\0' || s[0] == '-' || id > 0xFFFF)
    return NULL;
  for (i = 0; i < cfg.nr_ports; i++)
    if (cfg.ports[i].portid == id)
      return &cfg.ports[i];
  return NULL;
}

static bool
cmd_ana (int fd, char **arg, int n)
{
  struct tgt_port *port;
  unsigned long grpid;
  char *end;
  int state;

  if (n != 4)
    return reply (fd, "error: ana: expected 'ana PORTID GRPID STATE'");
  port = find_port (arg[1]);
  if (!port)
    return reply (fd, "error: ana: no port with id '%s'", arg[1]);
  errno = 0;
  grpid = strtoul (arg[2], &end, 10);
  if (errno || *end || arg[2][0] == '-' || grpid < 1 || grpid > TGT_ANAGRP_MAX)
    return reply (fd, "error: ana: the group must be 1 to %d, got '%s'",
                  TGT_ANAGRP_MAX, arg[2]);
  state = ana_state_parse (arg[3]);
  if (state < 0)
    return reply (fd,
                  "error: ana: the state must be optimized, non-optimized, "
                  "inaccessible, persistent-loss or change, got '%s'",
                  arg[3]);
  ana_set (port, grpid, state);
  return reply (fd, "ok");
}

static bool
cmd_listener (int fd, char **arg, int n)
{
  struct tgt_port *port;
  bool up;

  if (n != 3 || (strcmp (arg[2], "down") != 0 && strcmp (arg[2], "up") != 0))
    return reply (fd, "error: listener: expected 'listener PORTID down|up'");
  up = strcmp (arg[2], "up") == 0;
  port = find_port (arg[1]);
  if (!port)
    return reply (fd, "error: listener: no port with id '%s'", arg[1]);
  if (port->trtype != NVMF_TRTYPE_TCP)
    return reply (fd, "error: listener: port %u is not a tcp port",
                  port->portid);
  if (up == !atomic_load (&port->down))
    return reply (fd, "ok");
  if (up) {
    if (listen_port (port) == -1)
      return reply (fd,
                    "error: listener: port %u: cannot listen on %s:%s "
                    "again (see the target's log)",
                    port->portid, port->traddr, port->trsvcid);
    atomic_store (&port->down, false);
    log_msg ("port %u: listening again", port->portid);
    return reply (fd, "ok");
  }
  atomic_store (&port->down, true);
  close (port->listen_fd);
  port->listen_fd = -1;
  conn_kill_port (port);
  log_msg ("port %u: listener down, its connections closed", port->portid);
  return reply (fd, "ok");
}

static bool
cmd_stats (int fd)
{
  char *text = stats_text ();
  size_t len;
  bool ok;

  if (!text)
    return reply (fd, "error: stats: out of memory");
  len = strlen (text);
  text[len] = '\n'; /* replaces the NUL: sent by length */
  ok = send (fd, text, len + 1, MSG_NOSIGNAL) == (ssize_t) len + 1;
  free (text);
  return ok;
}

/* One command line (without its newline).  False: drop the client. */
static bool
run_line (int fd, char *line)
{
  char *arg[5], *save = NULL, *t;
  int n = 0;

  for (t = strtok_r (line, " \t\r", &save); t && n < 5;
       t = strtok_r (NULL, " \t\r", &save))
    arg[n++] = t;
  if (n == 0)
    return reply (fd, "error: empty line (expected ana, listener or stats)");
  if (strcmp (arg[0], "ana") == 0)
    return cmd_ana (fd, arg, n);
  if (strcmp (arg[0], "listener") == 0)
    return cmd_listener (fd, arg, n);
  if (strcmp (arg[0], "stats") == 0)
    return n == 1 ? cmd_stats (fd) :
                    reply (fd, "error: stats: takes no arguments");
  return reply (fd,
                "error: unknown command '%.64s' (expected ana, "
                "listener or stats)",
                arg[0]);
}

static void
drop (size_t i)
{
  close (clients[i].fd);
  clients[i] = clients[--nr_clients];
}

/* Read what the client sent and run its complete lines.  False: drop. */
static bool
client_read (struct client *cl)
{
  ssize_t r =
    recv (cl->fd, cl->buf + cl->len, sizeof cl->buf - cl->len, MSG_DONTWAIT);
  char *nl;

  if (r == 0)
    return false;
  if (r < 0)
    return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
  cl->len += r;
  while ((nl = memchr (cl->buf, '\n', cl->len)) != NULL) {
    size_t used = nl - cl->buf + 1;

    *nl = '\0';
    if (memchr (cl->buf, '\0', used - 1)) {
      reply (cl->fd, "error: a NUL byte in the line");
      return false;
    }
    if (!run_line (cl->fd, cl->buf))
      return false;
    memmove (cl->buf, cl->buf + used, cl->len - used);
    cl->len -= used;
  }
  if (cl->len == sizeof cl->buf) {
    reply (cl->fd, "error: a line longer than %d bytes", LINE_MAX_BYTES - 1);
    return false;
  }
  return true;
}

void
control_serve (const struct pollfd *pfd, size_t n)
{
  size_t i, nr = nr_clients;

  if (n == 0)
    return;
  /* Clients first (the table may shrink, so from the end), then new ones. */
  for (i = nr; i-- > 0;) {
    if (i + 1 < n && (pfd[i + 1].revents & (POLLIN | POLLHUP | POLLERR)) &&
        !client_read (&clients[i]))
      drop (i);
  }
  if (pfd[0].revents & POLLIN) {
    int fd = accept4 (listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

    if (fd < 0)
      return;
    if (nr_clients == MAX_CLIENTS) {
      reply (fd, "error: too many control connections (%d)", MAX_CLIENTS);
      close (fd);
      return;
    }
    clients[nr_clients].fd = fd;
    clients[nr_clients].len = 0;
    nr_clients++;
  }
}
