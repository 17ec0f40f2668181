/* SPDX-License-Identifier: BSD-3-Clause */
/* nvmeof gen-dhchap-key and check-dhchap-key: DH-HMAC-CHAP secrets in
 * nvme-cli's "DHHC-1:hh:...:" form (initiator/dhchap-key.c), with
 * nvme-cli's option names.  A key is never taken from the command line
 * (it would show in ps) and never printed in a message. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "nvmeof-tool.h"
#include "dhchap.h"

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
  static const size_t lens[] = { 32, 48, 64, 0 };
  size_t n;

  if (cli_hex_secret (g->cli, "--secret", g->secret, lens,
                      "64, 96 or 128 hex digits (32, 48 or 64 bytes)", key->key,
                      sizeof key->key, &n) == -1)
    return -1;
  if (g->len && g->len != n) {
    dhchap_key_wipe (key);
    return cli_error (g->cli, "--secret: %zu bytes, but --key-length=%u", n,
                      (unsigned) g->len),
           -1;
  }
  key->len = n;
  key->hmac = (uint8_t) g->hmac;
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
    r = cli_write_key_file (&cli, g.output, text);
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
  if (cli_read_secret (&cli, "--key", keyarg, buf, sizeof buf) == -1)
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
