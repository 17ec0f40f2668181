/* SPDX-License-Identifier: BSD-3-Clause */
/* TCP listeners: a port's listening socket, opened at start and again
 * when the control socket brings the port back up ("listener PORT up"),
 * and closed, with the port's connections, when it takes it down (a path
 * failing while the target keeps running, for multipath tests and
 * maintenance).  The main thread polls the listening sockets (main.c). */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "target.h"

int
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
