/* SPDX-License-Identifier: BSD-3-Clause */
/* Secret options (DH-HMAC-CHAP secrets, the TLS PSK): nbdkit's password
 * convention without its literal form, "+FILE" or "-" (standard input).
 * A secret is read bounded, checked by its kind's parser, kept in the
 * options only, never put in a message, and wiped with the options. */
#include <config.h>

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <fcntl.h>
#include <termios.h>
#include <unistd.h>
#include <sys/stat.h>

#include <openssl/crypto.h>

#include "errors.h"
#include "opts.h"

void
opts_wipe (struct nvmeof_opts *opts)
{
  if (opts)
    OPENSSL_cleanse (opts, sizeof *opts);
}

/* Read at most len bytes of path into buf.  A file others can read draws
 * a warning only: the secret may well be shared with them on purpose. */
static int
read_secret_file (const char *key, const char *path, const char *shown_path,
                  char *buf, size_t len, size_t *n)
{
  struct stat st;
  ssize_t r;
  int fd, e;

  fd = open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd == -1) {
    e = errno;
    set_error (e, "%s: %s: %s", key, shown_path, strerror (e));
    return -1;
  }
  /* Only a file on disk has permissions worth a warning (not a pipe). */
  if (fstat (fd, &st) == 0 && S_ISREG (st.st_mode) &&
      (st.st_mode & (S_IRGRP | S_IROTH)))
    fprintf (stderr,
             "nvmeof: warning: %s: %s is readable by group or others "
             "(chmod 600 %s)\n",
             key, shown_path, shown_path);
  *n = 0;
  while (*n < len) {
    r = read (fd, buf + *n, len - *n);
    if (r == -1 && errno == EINTR)
      continue;
    if (r == -1) {
      e = errno;
      close (fd);
      set_error (e, "%s: %s: %s", key, shown_path, strerror (e));
      return -1;
    }
    if (r == 0)
      break;
    *n += (size_t) r;
  }
  close (fd);
  return 0;
}

/* One line from standard input, a byte at a time so that nothing after
 * the line is consumed (the other secret may follow).  On a terminal:
 * a prompt on stderr and echo off, as nbdkit_read_password does. */
static int
read_secret_stdin (const char *key, char *buf, size_t len, size_t *n)
{
  struct termios saved, quiet;
  bool tty = isatty (STDIN_FILENO) && tcgetattr (STDIN_FILENO, &saved) == 0;
  ssize_t r;
  int e = 0;

  if (tty) {
    fprintf (stderr, "%s: ", key);
    fflush (stderr);
    quiet = saved;
    quiet.c_lflag &= ~(tcflag_t) ECHO;
    tcsetattr (STDIN_FILENO, TCSAFLUSH, &quiet);
  }
  *n = 0;
  while (*n < len) {
    r = read (STDIN_FILENO, buf + *n, 1);
    if (r == -1 && errno == EINTR)
      continue;
    if (r == -1)
      e = errno;
    if (r <= 0 || buf[*n] == '\n')
      break;
    (*n)++;
  }
  if (tty) {
    tcsetattr (STDIN_FILENO, TCSAFLUSH, &saved);
    fputc ('\n', stderr);
  }
  if (e) {
    set_error (e, "%s: standard input: %s", key, strerror (e));
    return -1;
  }
  return 0;
}

int
opts_set_secret (const char *key, const char *value, char *out,
                 opts_secret_check_fn check)
{
  char buf[OPTS_SECRET_MAX + 3]; /* room for "\r\n", and to see overflow */
  char q[120];
  const char *from;
  size_t n = 0;
  int r;

  if (value[0] == '+' && value[1] != '\0') {
    from = error_quote (value + 1, 100, q, sizeof q);
    r = read_secret_file (key, value + 1, from, buf, sizeof buf, &n);
  }
  else if (strcmp (value, "-") == 0) {
    from = "standard input";
    r = read_secret_stdin (key, buf, sizeof buf, &n);
  }
  else {
    /* Never quote value: it may be the secret. */
    set_error (EINVAL,
               "%s: give the secret as +FILE or - (standard input): a "
               "secret on the command line shows in ps",
               key);
    return -1;
  }
  if (r == 0 && n == sizeof buf) {
    set_error (EINVAL, "%s: %s is too large (a secret is at most %d bytes)",
               key, from, OPTS_SECRET_MAX);
    r = -1;
  }
  if (r == 0) {
    if (n > 0 && buf[n - 1] == '\n')
      n--;
    if (n > 0 && buf[n - 1] == '\r')
      n--;
    if (n > OPTS_SECRET_MAX) {
      set_error (EINVAL, "%s: %s is too large (a secret is at most %d bytes)",
                 key, from, OPTS_SECRET_MAX);
      r = -1;
    }
    else if (n == 0) {
      set_error (EINVAL, "%s: %s is empty (expected the secret)", key, from);
      r = -1;
    }
    else if (memchr (buf, '\0', n) || memchr (buf, '\n', n) ||
             memchr (buf, '\r', n)) {
      set_error (EINVAL, "%s: %s is not one line of text", key, from);
      r = -1;
    }
  }
  if (r == 0) {
    char err[256];

    buf[n] = '\0';
    /* Checked now, so that a mistyped key fails here rather than at
     * connect time; the text is kept (and parsed again when used). */
    if (check (buf, err, sizeof err) == -1) {
      set_error (EINVAL, "%s: %s: %s", key, from, err);
      r = -1;
    }
    else
      memcpy (out, buf, n + 1);
  }
  OPENSSL_cleanse (buf, sizeof buf);
  return r;
}
