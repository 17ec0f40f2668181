/* SPDX-License-Identifier: BSD-3-Clause */
/* The nvmeof command: declarations shared by the tools/ sources, grouped by the
 * file that defines them. */
#ifndef NVMEOF_TOOL_H
#define NVMEOF_TOOL_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "nvmeof.h"

/* ---- cli-opts.c: options common to the subcommands ------------------ */
enum output_format {
  OUTPUT_NORMAL = 0,
  OUTPUT_JSON,
};

#define CLI_MAX_KV 64

/* What the common part of the command line gave. */
struct cli {
  const char *cmd; /* subcommand name, for messages */
  const char *url; /* the positional URL, or NULL */
  enum output_format format;
  size_t nr_kv; /* connection options, in command line order */
  struct {
    const char *key;
    const char *value;
  } kv[CLI_MAX_KV];
};

/* A subcommand's own options.  Values of its long options that have no
 * short form must be >= CLI_CMD_OPT_BASE. */
#define CLI_CMD_OPT_BASE 0x200

struct cli_cmd {
  const char *name;
  const char *synopsis;          /* "nvmeof list URL [OPTIONS]" */
  const char *help;              /* description and its own options */
  const char *shortopts;         /* its own short options (getopt syntax) */
  const struct option *longopts; /* its own long options, 0-terminated */
  bool connects;                 /* takes the connection options and a URL */
  bool no_url;                   /* takes no URL (show-hostnqn) */
  bool multi_url;                /* more URLs: further paths (multipath) */
};

/* Called for each of the subcommand's own options: 0 ok, -1 bad value
 * (the callback printed one line). */
typedef int (*cli_opt_fn) (void *data, int c, const char *arg);

/* Parse argv (argv[0] is the subcommand name).  Returns 0 to go on, 1 if
 * --help was printed (exit 0), -1 after printing one error line. */
int cli_parse (struct cli *cli, const struct cli_cmd *cmd, int argc,
               char **argv, cli_opt_fn fn, void *data);
/* Add a library key to the connection options. */
int cli_add_kv (struct cli *cli, const char *key, const char *value);
/* Options from the command line (URL first, then the keys in order);
 * discovery: default to the discovery NQN.  NULL after an error line. */
struct nvmeof_opts *cli_make_opts (struct cli *cli, bool discovery);
/* Connect with those options; NULL after an error line. */
struct nvmeof_ctrl *cli_connect (struct cli *cli, bool discovery,
                                 struct nvmeof_opts **opts_ret);
/* Print the subcommand's help to stdout. */
void cli_print_help (const struct cli_cmd *cmd);
/* Print "nvmeof: CMD: MESSAGE" to stderr; returns 1 (the exit status). */
int cli_error (const struct cli *cli, const char *fmt, ...)
  __attribute__((__format__ (__printf__, 2, 3)));
/* The same with the library's last error as the message. */
int cli_lib_error (const struct cli *cli, const char *what);
/* Strict number parsing for option values: the whole string, in range. */
int cli_parse_u64 (const struct cli *cli, const char *opt, const char *arg,
                   uint64_t min, uint64_t max, uint64_t *out);
/* Sizes with optional K/M/G/T suffixes (powers of 1024). */
int cli_parse_size (const struct cli *cli, const char *opt, const char *arg,
                    uint64_t min, uint64_t max, uint64_t *out);

/* ---- output.c: formatting helpers ------------------------------------ */
/* Pretty-print a JSON object to stdout with a newline, and free it. */
int output_json (json_object *obj);
/* Copy a space/NUL-padded identify string, trailing spaces removed. */
void output_trim (char *dst, size_t dstlen, const char *src, size_t srclen);
/* Hex of len bytes, no separators ("" if all zero and zero_empty). */
void output_hex (char *dst, size_t dstlen, const uint8_t *p, size_t len);
/* UUID in 8-4-4-4-12 form (dst at least 37 bytes). */
void output_uuid (char *dst, size_t dstlen, const uint8_t *p);
bool output_all_zero (const uint8_t *p, size_t len);
/* "1.00 GiB" */
void output_human_size (char *dst, size_t dstlen, uint64_t bytes);
/* 128-bit little-endian counter (Identify capacities) as decimal. */
void output_u128 (char *dst, size_t dstlen, const uint8_t p[16]);

/* ---- key-file.c: secrets in files, for the key commands ---------------- */
/* A key file holds one line; anything longer is not a key. */
#define KEY_FILE_MAX 1024
/* Up to len - 1 bytes of value "+FILE" or "-" (one line if a terminal,
 * read with echo off) into buf, NUL-terminated; -1 after a message naming
 * opt.  Any other value is refused without being quoted (it may be the
 * secret). */
int cli_read_secret (const struct cli *cli, const char *opt, const char *value,
                     char *buf, size_t len);
/* A secret in hexadecimal: HEX on the command line (with a warning: ps
 * shows it), or read from +FILE or - (trailing white space ignored), of
 * one of the byte counts lens (0-terminated).  Its bytes into out (cap
 * bytes), their number into *outlen; -1 after a message ("OPT: expected
 * EXPECT" for any other number of digits). */
int cli_hex_secret (const struct cli *cli, const char *opt, const char *value,
                    const size_t *lens, const char *expect, uint8_t *out,
                    size_t cap, size_t *outlen);
/* text into FILE, created with mode 0600 (never replacing a file: it may
 * be another key); -1 after a message. */
int cli_write_key_file (const struct cli *cli, const char *path,
                        const char *text);

/* ---- the subcommands ------------------------------------------------- */
int cmd_discover (int argc, char **argv);
int cmd_list (int argc, char **argv);
int cmd_list_subsys (int argc, char **argv);
int cmd_identify (int argc, char **argv);
int cmd_show_hostnqn (int argc, char **argv);
int cmd_bench (int argc, char **argv);
int cmd_gen_dhchap_key (int argc, char **argv);
int cmd_check_dhchap_key (int argc, char **argv);
int cmd_gen_tls_key (int argc, char **argv);
int cmd_check_tls_key (int argc, char **argv);
/* background connections (cmd-connect.c, cmd-connections.c) */
int cmd_connect (int argc, char **argv);
int cmd_list_connections (int argc, char **argv);
int cmd_disconnect (int argc, char **argv);
int cmd_disconnect_all (int argc, char **argv);

#endif
