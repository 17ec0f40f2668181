/* SPDX-License-Identifier: BSD-3-Clause */
/* Key files for the key commands (cmd-dhchap-key.c, cmd-tls-key.c):
 * reading a secret from +FILE or standard input, never from the command
 * line, and writing a new key to a 0600 file. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "nvmeof-tool.h"

int
cli_read_secret (const struct cli *cli, const char *opt, const char *value,
                 char *buf, size_t len)
{
  struct termios saved, quiet;
  const char *path = value + 1;
  bool tty = false;
  struct stat st;
  size_t n = 0;
  ssize_t r;
  int fd, e = 0;

  if (strcmp (value, "-") == 0) {
    fd = STDIN_FILENO;
    path = "standard input";
    tty = isatty (fd) && tcgetattr (fd, &saved) == 0;
  }
  else if (value[0] == '+' && value[1] != '\0') {
    fd = open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd == -1)
      return cli_error (cli, "%s: %s: %s", opt, path, strerror (errno)), -1;
    if (fstat (fd, &st) == 0 && S_ISREG (st.st_mode) &&
        (st.st_mode & (S_IRGRP | S_IROTH)))
      fprintf (stderr,
               "nvmeof: warning: %s: %s is readable by group or others "
               "(chmod 600 %s)\n",
               opt, path, path);
  }
  else
    /* Never quote value: it may be the secret. */
    return cli_error (cli,
                      "%s: give the key as +FILE or - (standard input): a "
                      "key on the command line shows in ps",
                      opt),
           -1;

  if (tty) {
    fprintf (stderr, "%s: ", opt);
    fflush (stderr);
    quiet = saved;
    quiet.c_lflag &= ~(tcflag_t) ECHO;
    tcsetattr (fd, TCSAFLUSH, &quiet);
  }
  while (n < len) {
    r = read (fd, buf + n, tty ? 1 : len - n);
    if (r == -1 && errno == EINTR)
      continue;
    if (r == -1)
      e = errno;
    if (r <= 0)
      break;
    n += (size_t) r;
    if (tty && buf[n - 1] == '\n')
      break;
  }
  if (tty) {
    tcsetattr (fd, TCSAFLUSH, &saved);
    fputc ('\n', stderr);
  }
  if (fd != STDIN_FILENO)
    close (fd);
  if (e)
    return cli_error (cli, "%s: %s: %s", opt, path, strerror (e)), -1;
  if (n == len) {
    OPENSSL_cleanse (buf, len);
    return cli_error (cli, "%s: %s is larger than a key", opt, path), -1;
  }
  if (memchr (buf, '\0', n)) {
    OPENSSL_cleanse (buf, len);
    return cli_error (cli, "%s: %s is not text", opt, path), -1;
  }
  buf[n] = '\0';
  return 0;
}

int
cli_write_key_file (const struct cli *cli, const char *path, const char *text)
{
  size_t len = strlen (text), off = 0;
  ssize_t r;
  int fd, e = 0;

  fd = open (path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd == -1)
    return cli_error (cli, "--output: %s: %s%s", path, strerror (errno),
                      errno == EEXIST ? " (not replacing it)" : ""),
           -1;
  while (off < len && e == 0) {
    r = write (fd, text + off, len - off);
    if (r == -1 && errno != EINTR)
      e = errno;
    else if (r > 0)
      off += (size_t) r;
  }
  if (e == 0 && fsync (fd) == -1)
    e = errno;
  if (close (fd) == -1 && e == 0)
    e = errno;
  if (e) {
    unlink (path);
    return cli_error (cli, "--output: %s: %s", path, strerror (e)), -1;
  }
  return 0;
}

int
cli_hex_secret (const struct cli *cli, const char *opt, const char *value,
                const size_t *lens, const char *expect, uint8_t *out,
                size_t cap, size_t *outlen)
{
  char buf[KEY_FILE_MAX];
  const char *hex = value;
  size_t n, i;
  int hi, lo, r = -1;

  if (value[0] == '+' || strcmp (value, "-") == 0) {
    if (cli_read_secret (cli, opt, value, buf, sizeof buf) == -1)
      return -1;
    hex = buf;
  }
  n = strlen (hex);
  while (n > 0 && (hex[n - 1] == '\n' || hex[n - 1] == '\r' ||
                   hex[n - 1] == ' ' || hex[n - 1] == '\t'))
    n--;
  for (i = 0; lens[i] != 0 && n != 2 * lens[i]; i++)
    ;
  if (lens[i] == 0 || lens[i] > cap) {
    cli_error (cli, "%s: expected %s", opt, expect);
    goto out;
  }
  for (i = 0; i < n / 2; i++) {
    hi = OPENSSL_hexchar2int ((unsigned char) hex[2 * i]);
    lo = OPENSSL_hexchar2int ((unsigned char) hex[2 * i + 1]);
    if (hi < 0 || lo < 0) {
      OPENSSL_cleanse (out, cap);
      cli_error (cli, "%s: not hexadecimal", opt);
      goto out;
    }
    out[i] = (uint8_t) (hi * 16 + lo);
  }
  *outlen = n / 2;
  if (hex != buf)
    fprintf (stderr,
             "nvmeof: warning: %s: %s on the command line shows in ps (use "
             "%s=+FILE or -)\n",
             cli->cmd, opt, opt);
  r = 0;

out:
  OPENSSL_cleanse (buf, sizeof buf);
  return r;
}
