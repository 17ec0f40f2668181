/* SPDX-License-Identifier: BSD-3-Clause */
/* nvmeof gen-tls-key and check-tls-key: NVMe/TCP TLS PSKs in the
 * interchange format "NVMeTLSkey-1:hh:...:" (initiator/tls-psk.c), with
 * nvme-cli's option names, and the PSK identity (and, on request, the TLS
 * PSK) they derive for a host and a subsystem.  A key is never taken from
 * the command line (it would show in ps) and never printed in a message.
 * There is no keyring here: what nvme-cli would insert into one, these
 * print. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "nvmeof-tool.h"
#include "tls-psk.h"

enum {
  OPT_OUTPUT = CLI_CMD_OPT_BASE,
  OPT_SHOW_DERIVED,
};

static const struct option gen_longopts[] = {
  { "hmac", required_argument, NULL, 'm' },
  { "secret", required_argument, NULL, 's' },
  { "hostnqn", required_argument, NULL, 'n' },
  { "subsysnqn", required_argument, NULL, 'c' },
  { "identity", required_argument, NULL, 'I' },
  { "compat", no_argument, NULL, 'C' },
  { "output", required_argument, NULL, OPT_OUTPUT },
  { NULL, 0, NULL, 0 },
};

static const struct cli_cmd gen_cmd = {
  .name = "gen-tls-key",
  .synopsis = "nvmeof gen-tls-key [--hmac=1|2] [--secret=HEX|+FILE|-]\n"
              "           [--subsysnqn=NQN [--hostnqn=NQN] [--identity=0|1] "
              "[--compat]]\n"
              "           [--output=FILE]",
  .help =
    "Print a new NVMe/TCP TLS pre-shared key in the interchange format that\n"
    "nvme-cli, SPDK and nvmeof read: NVMeTLSkey-1:hh:BASE64:.  With\n"
    "--subsysnqn, also print the PSK identity it gives for the host and\n"
    "that subsystem.  Connects to nothing.\n"
    "\n"
    "Options:\n"
    "  -m, --hmac=N                     hash that makes the retained PSK: 1\n"
    "                                   SHA-256, 32 bytes (default), 2 "
    "SHA-384,\n"
    "                                   48 bytes\n"
    "  -s, --secret=HEX|+FILE|-         the key itself, in hex (from FILE or\n"
    "                                   standard input), instead of a random "
    "one\n"
    "  -c, --subsysnqn=NQN              print the identity for this subsystem\n"
    "  -n, --hostnqn=NQN                ... and this host (default: the host\n"
    "                                   NQN of nvmeof show-hostnqn)\n"
    "  -I, --identity=N                 identity version: 0 (NVMe0R0h, "
    "default)\n"
    "                                   or 1 (NVMe1R0h, with a PSK digest)\n"
    "  -C, --compat                     derive as libnvme 1.7-1.15 did "
    "(nvme-cli\n"
    "                                   before 2.16)\n"
    "      --output=FILE                write the key to FILE, created with "
    "mode\n"
    "                                   0600, instead of standard output\n",
  .shortopts = "m:s:n:c:I:C",
  .longopts = gen_longopts,
  .no_url = true,
};

static const struct option check_longopts[] = {
  { "key", required_argument, NULL, 'k' },
  { "hostnqn", required_argument, NULL, 'n' },
  { "subsysnqn", required_argument, NULL, 'c' },
  { "identity", required_argument, NULL, 'I' },
  { "compat", no_argument, NULL, 'C' },
  { "show-derived", no_argument, NULL, OPT_SHOW_DERIVED },
  { NULL, 0, NULL, 0 },
};

static const struct cli_cmd check_cmd = {
  .name = "check-tls-key",
  .synopsis = "nvmeof check-tls-key --key=+FILE|- [--subsysnqn=NQN "
              "[--hostnqn=NQN]\n"
              "           [--identity=0|1] [--compat] [--show-derived]]",
  .help =
    "Check a TLS pre-shared key (NVMeTLSkey-1:hh:BASE64:): its form, hash,\n"
    "length and CRC; exits 0 if it is valid, 1 if not (saying why).  With\n"
    "--subsysnqn, print the PSK identity instead, as nvme-cli does.\n"
    "\n"
    "Options:\n"
    "  -k, --key=+FILE|-                the key, read from FILE or standard\n"
    "                                   input (never on the command line, "
    "where\n"
    "                                   ps would show it)\n"
    "  -c, --subsysnqn=NQN              print the identity for this subsystem\n"
    "  -n, --hostnqn=NQN                ... and this host (default: the host\n"
    "                                   NQN of nvmeof show-hostnqn)\n"
    "  -I, --identity=N                 identity version: 0 (default) or 1\n"
    "  -C, --compat                     derive as libnvme 1.7-1.15 did\n"
    "      --show-derived               also print the derived TLS PSK in hex "
    "(key\n"
    "                                   material: for comparing with a "
    "keyring)\n",
  .shortopts = "k:n:c:I:C",
  .longopts = check_longopts,
  .no_url = true,
};

struct tls_opts {
  struct cli *cli;
  uint64_t hmac;
  uint64_t version;
  const char *secret;
  const char *key;
  const char *hostnqn;
  const char *subnqn;
  const char *output;
  bool compat;
  bool show_derived;
};

static int
tls_opt (void *data, int c, const char *arg)
{
  struct tls_opts *t = data;

  switch (c) {
  case 'm':
    return cli_parse_u64 (t->cli, "--hmac", arg, 1, 2, &t->hmac);
  case 'I':
    return cli_parse_u64 (t->cli, "--identity", arg, 0, 1, &t->version);
  case 's':
    t->secret = arg;
    return 0;
  case 'k':
    t->key = arg;
    return 0;
  case 'n':
    t->hostnqn = arg;
    return 0;
  case 'c':
    t->subnqn = arg;
    return 0;
  case 'C':
    t->compat = true;
    return 0;
  case OPT_OUTPUT:
    t->output = arg;
    return 0;
  case OPT_SHOW_DERIVED:
    t->show_derived = true;
    return 0;
  default:
    return -1;
  }
}

/* The options after parsing: the identity's options need --subsysnqn.
 * 0, or 1 after a message. */
static int
check_opts (struct tls_opts *t)
{
  if (t->subnqn == NULL) {
    if (t->hostnqn)
      return cli_error (t->cli, "--hostnqn needs --subsysnqn");
    if (t->version)
      return cli_error (t->cli, "--identity needs --subsysnqn");
    if (t->compat)
      return cli_error (t->cli, "--compat needs --subsysnqn");
    if (t->show_derived)
      return cli_error (t->cli, "--show-derived needs --subsysnqn");
  }
  return 0;
}

/* The identity (and TLS PSK) of key for --hostnqn (or the default host
 * NQN) and --subsysnqn, into *psk.  tls-psk.c checks the NQNs only as an
 * identity holds them (as nvme-cli, which checks nothing): libnvme's test
 * NQNs ("nqn.psk-test-host") are not NQNs the library would connect as. */
static int
derive (struct tls_opts *t, const struct tls_psk_key *key, struct tls_psk *psk)
{
  struct nvmeof_opts *opts = NULL;
  const char *hostnqn = t->hostnqn;
  char err[256];
  int r;

  if (hostnqn == NULL) {
    /* The host NQN a connection would present (nvmeof show-hostnqn). */
    opts = nvmeof_opts_new ();
    hostnqn = opts ? nvmeof_opts_get_hostnqn (opts, NULL) : NULL;
    if (hostnqn == NULL) {
      cli_lib_error (t->cli, "hostnqn");
      nvmeof_opts_free (opts);
      return -1;
    }
  }
  r = (t->compat ? tls_psk_derive_compat : tls_psk_derive) (
    key, (int) t->version, hostnqn, t->subnqn, psk, err, sizeof err);
  if (r == -1)
    cli_error (t->cli, "%s", err);
  nvmeof_opts_free (opts);
  return r;
}

/* ---- gen-tls-key ---------------------------------------------------------- */

static int
gen_secret (struct tls_opts *t, struct tls_psk_key *key)
{
  static const size_t lens[] = { 32, 48, 0 };
  size_t n;

  if (cli_hex_secret (t->cli, "--secret", t->secret, lens,
                      "64 or 96 hex digits (32 or 48 bytes)", key->key,
                      sizeof key->key, &n) == -1)
    return -1;
  /* The hash's length, as nvme-cli wants. */
  if (n != (t->hmac == 2 ? 48u : 32u)) {
    tls_psk_wipe (key);
    return cli_error (t->cli, "--secret: %zu bytes, but --hmac=%u takes %u", n,
                      (unsigned) t->hmac, t->hmac == 2 ? 48u : 32u),
           -1;
  }
  key->len = n;
  key->hmac = (uint8_t) t->hmac;
  return 0;
}

int
cmd_gen_tls_key (int argc, char **argv)
{
  struct cli cli = { 0 };
  struct tls_opts t = { .cli = &cli, .hmac = 1 };
  struct tls_psk_key key;
  struct tls_psk psk;
  char text[TLS_PSK_TEXT_MAX + 1], err[256]; /* + 1: a newline */
  size_t n;
  int r;

  r = cli_parse (&cli, &gen_cmd, argc, argv, tls_opt, &t);
  if (r != 0)
    return r == 1 ? 0 : 1;
  if (check_opts (&t) != 0)
    return 1;
  memset (&key, 0, sizeof key);
  memset (&psk, 0, sizeof psk);
  if (t.secret)
    r = gen_secret (&t, &key);
  else if (tls_psk_generate ((uint8_t) t.hmac, &key, err, sizeof err) == -1)
    r = cli_error (&cli, "%s", err);
  if (r == 0 &&
      tls_psk_format (&key, text, sizeof text - 1, err, sizeof err) == -1)
    r = cli_error (&cli, "%s", err);
  if (r == 0 && t.subnqn)
    r = derive (&t, &key, &psk);
  tls_psk_wipe (&key);
  OPENSSL_cleanse (psk.key, sizeof psk.key);
  if (r != 0)
    goto out;

  if (t.output) {
    n = strlen (text);
    text[n] = '\n';
    text[n + 1] = '\0';
    r = cli_write_key_file (&cli, t.output, text);
    if (r == 0 && t.subnqn && cli.format != OUTPUT_JSON)
      r = printf ("%s\n", psk.identity) < 0 ? -1 : 0;
  }
  if (cli.format == OUTPUT_JSON && (t.output == NULL || t.subnqn)) {
    json_object *o = json_object_new_object ();
    if (t.output == NULL)
      json_object_object_add (o, "key", json_object_new_string (text));
    if (t.subnqn)
      json_object_object_add (o, "identity",
                              json_object_new_string (psk.identity));
    r = output_json (o);
  }
  else if (t.output == NULL) {
    r = printf ("%s\n", text) < 0 ? -1 : 0;
    if (r == 0 && t.subnqn)
      r = printf ("%s\n", psk.identity) < 0 ? -1 : 0;
  }

out:
  OPENSSL_cleanse (text, sizeof text);
  return r == 0 ? 0 : 1;
}

/* ---- check-tls-key -------------------------------------------------------- */

static const char *
hmac_words (uint8_t hmac)
{
  return hmac == 0 ? "none" : hmac == 1 ? "SHA-256" : "SHA-384";
}

int
cmd_check_tls_key (int argc, char **argv)
{
  struct cli cli = { 0 };
  struct tls_opts t = { .cli = &cli };
  struct tls_psk_key key;
  struct tls_psk psk;
  char buf[KEY_FILE_MAX], err[256], hex[2 * TLS_PSK_KEY_MAX + 1];
  int r;

  r = cli_parse (&cli, &check_cmd, argc, argv, tls_opt, &t);
  if (r != 0)
    return r == 1 ? 0 : 1;
  if (t.key == NULL)
    return cli_error (&cli, "--key=+FILE or --key=- is needed");
  if (check_opts (&t) != 0)
    return 1;
  if (cli_read_secret (&cli, "--key", t.key, buf, sizeof buf) == -1)
    return 1;
  r = tls_psk_parse (buf, &key, err, sizeof err);
  OPENSSL_cleanse (buf, sizeof buf);
  if (r == -1)
    return cli_error (&cli, "%s", err);
  memset (&psk, 0, sizeof psk);
  hex[0] = '\0';
  if (t.subnqn && derive (&t, &key, &psk) == -1) {
    tls_psk_wipe (&key);
    return 1;
  }
  if (t.show_derived)
    output_hex (hex, sizeof hex, psk.key, psk.len);
  OPENSSL_cleanse (psk.key, sizeof psk.key);

  if (cli.format == OUTPUT_JSON) {
    json_object *o = json_object_new_object ();
    json_object_object_add (o, "valid", json_object_new_boolean (1));
    json_object_object_add (o, "hmac", json_object_new_int (key.hmac));
    json_object_object_add (o, "hmac_name",
                            json_object_new_string (hmac_words (key.hmac)));
    json_object_object_add (o, "length",
                            json_object_new_int64 ((int64_t) key.len));
    if (t.subnqn)
      json_object_object_add (o, "identity",
                              json_object_new_string (psk.identity));
    if (t.show_derived)
      json_object_object_add (o, "tls_psk", json_object_new_string (hex));
    r = output_json (o);
  }
  else if (t.subnqn) {
    r = printf ("%s\n", psk.identity) < 0 ? -1 : 0;
    if (r == 0 && t.show_derived)
      r = printf ("%s\n", hex) < 0 ? -1 : 0;
  }
  else
    r = printf ("Key is valid (HMAC %s, %zu bytes)\n", hmac_words (key.hmac),
                key.len) < 0 ?
          -1 :
          0;
  OPENSSL_cleanse (hex, sizeof hex);
  tls_psk_wipe (&key);
  return r == 0 ? 0 : 1;
}
