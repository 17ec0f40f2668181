/* SPDX-License-Identifier: BSD-3-Clause */
/* nvmeof gen-dhchap-key and check-dhchap-key: DH-HMAC-CHAP secrets in
 * nvme-cli's "DHHC-1:hh:...:" form (initiator/dhchap-key.c), with
 * nvme-cli's option names.  A key is never taken from the command line
 * (it would show in ps) and never printed in a message. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "nvmeof-tool.h"
#include "dhchap.h"

/* A key file holds one line; anything longer is not a key. */
#define KEY_FILE_MAX 1024

enum {
  OPT_OUTPUT = CLI_CMD_OPT_BASE,
};

static const struct option gen_longopts[] = {
  { "secret", required_argument, NULL, 's' },
  { "key-length", required_argument, NULL, 'l' },
  { "hmac", required_argument, NULL, 'm' },
  { "nqn", required_argument, NULL, 'n' },
  { "output", required_argument, NULL, OPT_OUTPUT },
  { NULL, 0, NULL, 0 },
};

static const struct cli_cmd gen_cmd = {
  .name = "gen-dhchap-key",
  .synopsis = "nvmeof gen-dhchap-key [--hmac=0..3] [--key-length=32|48|64] "
              "[--secret=HEX|+FILE|-] [--output=FILE]",
  .help =
    "Print a new DH-HMAC-CHAP secret in the form nvme-cli, the Linux kernel\n"
    "and nvmeof read: DHHC-1:hh:BASE64:.  Connects to nothing.\n"
    "\n"
    "Options:\n"
    "  -m, --hmac=N                     hash that transforms the secret at "
    "use:\n"
    "                                   0 none (default), 1 SHA-256, 2 "
    "SHA-384,\n"
    "                                   3 SHA-512\n"
    "  -l, --key-length=N               32, 48 or 64 bytes (default: the "
    "hash's\n"
    "                                   length, 32 for none)\n"
    "  -s, --secret=HEX|+FILE|-         the secret itself, in hex (from FILE "
    "or\n"
    "                                   standard input), instead of a random "
    "one\n"
    "  -n, --nqn=NQN                    accepted for nvme-cli 2.x, ignored\n"
    "      --output=FILE                write the key to FILE, created with "
    "mode\n"
    "                                   0600, instead of standard output\n",
  .shortopts = "s:l:m:n:",
  .longopts = gen_longopts,
  .no_url = true,
};

static const struct option check_longopts[] = {
  { "key", required_argument, NULL, 'k' },
  { NULL, 0, NULL, 0 },
};

static const struct cli_cmd check_cmd = {
  .name = "check-dhchap-key",
  .synopsis = "nvmeof check-dhchap-key --key=+FILE|-",
  .help =
    "Check a DH-HMAC-CHAP secret (DHHC-1:hh:BASE64:): its form, hash, length\n"
    "and CRC.  Exits 0 if it is valid, 1 if not (saying why).\n"
    "\n"
    "Options:\n"
    "  -k, --key=+FILE|-                the key, read from FILE or standard\n"
    "                                   input (never on the command line, "
    "where\n"
    "                                   ps would show it)\n",
  .shortopts = "k:",
  .longopts = check_longopts,
  .no_url = true,
};

/* ---- Reading a secret from +FILE or - ------------------------------------ */

/* Up to len - 1 bytes of +FILE or - (one line if a terminal, read with
 * echo off) into buf, NUL-terminated; -1 after a message. */
static int
read_secret (const struct cli *cli, const char *opt, const char *value,
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

/* ---- gen-dhchap-key ------------------------------------------------------ */

struct gen_opts {
  struct cli *cli;
  uint64_t hmac;
  uint64_t len; /* 0: the default */
  const char *secret;
  const char *output;
};

static int
gen_opt (void *data, int c, const char *arg)
{
  struct gen_opts *g = data;

  switch (c) {
  case 'm':
    return cli_parse_u64 (g->cli, "--hmac", arg, 0, 3, &g->hmac);
  case 'l':
    if (cli_parse_u64 (g->cli, "--key-length", arg, 32, 64, &g->len) == -1)
      return -1;
    if (g->len != 32 && g->len != 48 && g->len != 64)
      return cli_error (g->cli, "--key-length: expected 32, 48 or 64, got %s",
                        arg),
             -1;
    return 0;
  case 's':
    g->secret = arg;
    return 0;
  case 'n':
    /* nvme-cli 2.x stored HMAC (secret, NQN || "NVMe-over-Fabrics") in
     * place of the secret, so --secret was not what the key held;
     * nvme-cli 3 places the secret as is and ignores --nqn, as here. */
    fprintf (stderr, "nvmeof: gen-dhchap-key: --nqn is ignored: the key "
                     "holds the secret itself\n");
    return 0;
  case OPT_OUTPUT:
    g->output = arg;
    return 0;
  default:
    return -1;
  }
}

/* The secret of --secret: hex, literal or read from +FILE or -. */
static int
gen_secret (struct gen_opts *g, struct dhchap_key *key)
{
  char buf[KEY_FILE_MAX];
  const char *hex = g->secret;
  size_t n, i;
  int hi, lo, r = -1;

  if (g->secret[0] == '+' || strcmp (g->secret, "-") == 0) {
    if (read_secret (g->cli, "--secret", g->secret, buf, sizeof buf) == -1)
      return -1;
    hex = buf;
  }
  n = strlen (hex);
  while (n > 0 && (hex[n - 1] == '\n' || hex[n - 1] == '\r' ||
                   hex[n - 1] == ' ' || hex[n - 1] == '\t'))
    n--;
  if (n % 2 != 0 || (n / 2 != 32 && n / 2 != 48 && n / 2 != 64)) {
    cli_error (g->cli, "--secret: expected 64, 96 or 128 hex digits (32, 48 "
                       "or 64 bytes)");
    goto out;
  }
  if (g->len && g->len != n / 2) {
    cli_error (g->cli, "--secret: %zu bytes, but --key-length=%u", n / 2,
               (unsigned) g->len);
    goto out;
  }
  for (i = 0; i < n / 2; i++) {
    hi = OPENSSL_hexchar2int ((unsigned char) hex[2 * i]);
    lo = OPENSSL_hexchar2int ((unsigned char) hex[2 * i + 1]);
    if (hi < 0 || lo < 0) {
      cli_error (g->cli, "--secret: not hexadecimal");
      goto out;
    }
    key->key[i] = (uint8_t) (hi * 16 + lo);
  }
  key->len = n / 2;
  key->hmac = (uint8_t) g->hmac;
  if (hex != buf)
    fprintf (stderr, "nvmeof: warning: gen-dhchap-key: --secret on the "
                     "command line shows in ps (use --secret=+FILE or -)\n");
  r = 0;

out:
  OPENSSL_cleanse (buf, sizeof buf);
  return r;
}

/* FILE, created 0600 (not replaced: it may be another key). */
static int
write_key_file (const struct cli *cli, const char *path, const char *text)
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
cmd_gen_dhchap_key (int argc, char **argv)
{
  struct cli cli = { 0 };
  struct gen_opts g = { .cli = &cli };
  struct dhchap_key key;
  char text[DHCHAP_KEY_TEXT_MAX + 1], err[256]; /* + 1: a newline */
  size_t hl, n;
  int r;

  r = cli_parse (&cli, &gen_cmd, argc, argv, gen_opt, &g);
  if (r != 0)
    return r == 1 ? 0 : 1;
  memset (&key, 0, sizeof key);
  hl = g.hmac ? dhchap_hash_len ((uint8_t) g.hmac) : 32;
  if (g.secret)
    r = gen_secret (&g, &key);
  else if (dhchap_key_generate ((uint8_t) g.hmac, g.len ? g.len : hl, &key, err,
                                sizeof err) == -1)
    r = cli_error (&cli, "%s", err);
  if (r == 0 &&
      dhchap_key_format (&key, text, sizeof text - 1, err, sizeof err) == -1)
    r = cli_error (&cli, "%s", err);
  /* Any length with any hash, as nvme-cli 3 and Linux since 6.7; older
   * ones (nvme-cli 2.x) want a transformed key as long as its hash. */
  if (r == 0 && g.hmac && key.len != hl)
    fprintf (stderr,
             "nvmeof: warning: gen-dhchap-key: Linux before 6.7 and nvme-cli "
             "2.x refuse a %zu-byte secret with a %s transform (%zu bytes)\n",
             key.len, dhchap_key_hmac_name ((uint8_t) g.hmac), hl);
  dhchap_key_wipe (&key);
  if (r != 0)
    return 1;

  if (g.output) {
    n = strlen (text);
    text[n] = '\n';
    text[n + 1] = '\0';
    r = write_key_file (&cli, g.output, text);
  }
  else if (cli.format == OUTPUT_JSON) {
    json_object *o = json_object_new_object ();
    json_object_object_add (o, "key", json_object_new_string (text));
    r = output_json (o);
  }
  else
    r = printf ("%s\n", text) < 0 ? -1 : 0;
  OPENSSL_cleanse (text, sizeof text);
  return r == 0 ? 0 : 1;
}

/* ---- check-dhchap-key ---------------------------------------------------- */

static int
check_opt (void *data, int c, const char *arg)
{
  const char **keyarg = data;

  if (c != 'k')
    return -1;
  *keyarg = arg;
  return 0;
}

int
cmd_check_dhchap_key (int argc, char **argv)
{
  struct cli cli = { 0 };
  const char *keyarg = NULL;
  struct dhchap_key key;
  char buf[KEY_FILE_MAX], err[256];
  size_t hl;
  int r;

  r = cli_parse (&cli, &check_cmd, argc, argv, check_opt, &keyarg);
  if (r != 0)
    return r == 1 ? 0 : 1;
  if (keyarg == NULL)
    return cli_error (&cli, "--key=+FILE or --key=- is needed");
  if (read_secret (&cli, "--key", keyarg, buf, sizeof buf) == -1)
    return 1;
  r = dhchap_key_parse (buf, &key, err, sizeof err);
  OPENSSL_cleanse (buf, sizeof buf);
  if (r == -1)
    return cli_error (&cli, "%s", err);

  hl = dhchap_hash_len (key.hmac);
  if (cli.format == OUTPUT_JSON) {
    json_object *o = json_object_new_object ();
    json_object_object_add (o, "valid", json_object_new_boolean (1));
    json_object_object_add (o, "hmac", json_object_new_int (key.hmac));
    json_object_object_add (
      o, "hmac_name", json_object_new_string (dhchap_key_hmac_name (key.hmac)));
    json_object_object_add (o, "length",
                            json_object_new_int64 ((int64_t) key.len));
    r = output_json (o);
  }
  else
    r = printf ("Key is valid (HMAC %s, %zu bytes)\n",
                dhchap_key_hmac_name (key.hmac), key.len) < 0 ?
          -1 :
          0;
  if (key.hmac && key.len != hl)
    fprintf (stderr,
             "nvmeof: check-dhchap-key: note: Linux before 6.7 and nvme-cli "
             "2.x refuse a %zu-byte secret with a %s transform (%zu bytes)\n",
             key.len, dhchap_key_hmac_name (key.hmac), hl);
  dhchap_key_wipe (&key);
  return r == 0 ? 0 : 1;
}
