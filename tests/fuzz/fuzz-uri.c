/* SPDX-License-Identifier: BSD-3-Clause */
/* Fuzz target for the URI parser, the option parser and the NQN/UUID
 * validators.  Every input must be accepted or refused with one bounded
 * line (EINVAL); anything accepted must satisfy the invariants below, and
 * an accepted URI must survive a round trip through its own fields.
 *
 * libFuzzer:
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -DFUZZ_LIBFUZZER \
 *     -I. -Iinclude -Iinitiator tests/fuzz/fuzz-uri.c initiator/{crc32c,\
 *     errors,status,uri,hostid,opts}.c -lcrypto -o fuzz-uri
 *   (-I. for config.h: build tree, or an empty config.h with
 *   -DHAVE_OPENSSL) then ./fuzz-uri [corpus-dir]
 * Built-in driver (no libFuzzer, the unit test "unit/fuzz-uri"):
 *   fuzz-uri [-t SECONDS] [-s SEED] [FILE...]
 *   mutates built-in seeds (and FILEs) for SECONDS (default 2; env
 *   FUZZ_SECONDS), printing the seed so that a failure can be replayed.
 */
#include <config.h>

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "nvmeof.h"
#include "hostid.h"
#include "opts.h"
#include "uri.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

#define FAILED(...) \
  do { \
    fprintf (stderr, "fuzz-uri: invariant failed at line %d: ", __LINE__); \
    fprintf (stderr, __VA_ARGS__); \
    fprintf (stderr, "\n"); \
    abort (); \
  } while (0)

/* A refusal: EINVAL and one non-empty line of bounded length. */
static void
check_refusal (const char *what)
{
  const char *msg = nvmeof_get_error ();
  size_t len = strlen (msg);

  if (nvmeof_get_errno () != EINVAL)
    FAILED ("%s: errno %d (%s)", what, nvmeof_get_errno (), msg);
  if (len == 0 || len >= 1024)
    FAILED ("%s: message length %zu", what, len);
  if (strchr (msg, '\n') || strchr (msg, '\r'))
    FAILED ("%s: message is not one line: %s", what, msg);
}

static bool
port_ok (const char *p)
{
  char *end;
  unsigned long v;

  if (p[0] == '\0')
    return true;
  if (!isdigit ((unsigned char) p[0]) || p[0] == '0')
    return false;
  v = strtoul (p, &end, 10);
  return *end == '\0' && v >= 1 && v <= 65535;
}

static void
check_accepted (const struct nvmeof_opts *o, const char *what)
{
  if (memchr (o->traddr, '\0', sizeof o->traddr) == NULL ||
      memchr (o->trsvcid, '\0', sizeof o->trsvcid) == NULL ||
      memchr (o->subnqn, '\0', sizeof o->subnqn) == NULL)
    FAILED ("%s: unterminated field", what);
  if (!port_ok (o->trsvcid))
    FAILED ("%s: bad trsvcid '%s'", what, o->trsvcid);
  if (o->nsid == 0xFFFFFFFF)
    FAILED ("%s: broadcast nsid", what);
  if (o->subnqn[0] && subnqn_validate ("fuzz", o->subnqn) == -1)
    FAILED ("%s: accepted a bad NQN '%s'", what, o->subnqn);
  if (o->queue_size && (o->queue_size < 16 || o->queue_size > 1024))
    FAILED ("%s: queue size %u", what, o->queue_size);
  if (o->nr_io_queues > 256)
    FAILED ("%s: nr_io_queues %u", what, o->nr_io_queues);
  if (o->ctrl_loss_tmo_s < -1)
    FAILED ("%s: ctrl_loss_tmo %d", what, o->ctrl_loss_tmo_s);
  (void) opts_port (o);
}

/* Write the fields of a parsed URI back as a URI. */
static void
unparse (const struct nvmeof_opts *o, char *buf, size_t len)
{
  size_t n = 0, i;
  const char *zone;

#define PUT(...) \
  (n += (size_t) snprintf (buf + n, n < len ? len - n : 0, __VA_ARGS__))
  PUT ("nvme+tcp://");
  if (strchr (o->traddr, ':')) {
    zone = strchr (o->traddr, '%');
    if (zone)
      PUT ("[%.*s%%25%s]", (int) (zone - o->traddr), o->traddr, zone + 1);
    else
      PUT ("[%s]", o->traddr);
  }
  else
    PUT ("%s", o->traddr);
  if (o->trsvcid[0])
    PUT (":%s", o->trsvcid);
  PUT ("/");
  for (i = 0; o->subnqn[i]; i++) {
    unsigned char c = (unsigned char) o->subnqn[i];

    if (isalnum (c) || strchr (".-_~:", c))
      PUT ("%c", c);
    else
      PUT ("%%%02X", c);
  }
  if (o->nsid)
    PUT ("/%u", o->nsid);
#undef PUT
}

static void
fuzz_uri (const char *s)
{
  struct nvmeof_opts *o = nvmeof_opts_new (), *o2;
  char again[2048];

  if (o == NULL)
    return;
  if (uri_parse (s, o) == -1)
    check_refusal ("uri_parse");
  else {
    check_accepted (o, "uri_parse");
    if (o->subnqn[0] == '\0' || o->traddr[0] == '\0')
      FAILED ("uri_parse accepted '%s' without host or NQN", s);
    /* Round trip. */
    unparse (o, again, sizeof again);
    o2 = nvmeof_opts_new ();
    if (o2) {
      if (uri_parse (again, o2) == -1)
        FAILED ("round trip of '%s' as '%s' refused: %s", s, again,
                nvmeof_get_error ());
      if (strcmp (o->traddr, o2->traddr) || strcmp (o->trsvcid, o2->trsvcid) ||
          strcmp (o->subnqn, o2->subnqn) || o->nsid != o2->nsid)
        FAILED ("round trip of '%s' as '%s' differs", s, again);
      nvmeof_opts_free (o2);
    }
  }
  nvmeof_opts_free (o);
}

/* Lines of key=value through nvmeof_opts_set. */
static void
fuzz_opts (char *s)
{
  struct nvmeof_opts *o = nvmeof_opts_new ();
  char *line, *next, *eq;

  if (o == NULL)
    return;
  for (line = s; line; line = next) {
    next = strchr (line, '\n');
    if (next)
      *next++ = '\0';
    eq = strchr (line, '=');
    if (eq)
      *eq = '\0';
    if (nvmeof_opts_set (o, line, eq ? eq + 1 : NULL) == -1)
      check_refusal ("nvmeof_opts_set");
    else if (!nvmeof_opts_is_key (line))
      FAILED ("set accepted '%s' but is_key refuses it", line);
    check_accepted (o, "nvmeof_opts_set");
  }
  if (nvmeof_opts_validate (o) == -1)
    check_refusal ("nvmeof_opts_validate");
  nvmeof_opts_free (o);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  char *s;
  char out[37];

  if (size > 4096)
    return 0;
  s = malloc (size + 1);
  if (s == NULL)
    return 0;
  memcpy (s, data, size);
  s[size] = '\0'; /* inputs with NUL bytes end early */

  fuzz_uri (s);
  if (nqn_validate ("nqn", s) == -1)
    check_refusal ("nqn_validate");
  if (uuid_validate ("hostid", s, out) == -1)
    check_refusal ("uuid_validate");
  else if (strlen (out) != 36)
    FAILED ("uuid_validate output '%s'", out);
  fuzz_opts (s); /* modifies s: last */
  free (s);
  return 0;
}

#ifndef FUZZ_LIBFUZZER
/* ---- Built-in driver ------------------------------------------------- */

static const char *const seeds[] = {
  "nvme+tcp://192.168.1.1:4420/nqn.2014-08.com.example:nvme:sub1",
  "nvme+tcp://target.example.com/nqn.2016-06.io.spdk:cnode1/1",
  "nvme+tcp://[::1]:4421/nqn.2016-06.io.spdk:cnode1/2/",
  "nvme+tcp://[fe80::1%25eth0]/nqn.2016-06.io.spdk:cnode1",
  "nvme+tcp://h/nqn.2014-08.com.example%3Anvme%3asub%2D1",
  "nvme+tcp://10.0.0.1/",
  "nvme+tcp://h:65535/nqn.2014-08.org.nvmexpress:uuid:"
  "f81d4fae-7dec-11d0-a765-00a0c91e6bf6/7",
  "nvme+tcp://h/nqn.2014-08.com.example:caf%C3%A9",
  "url=nvme+tcp://127.0.0.1:4420/nqn.2026-11.io.nvmeof:target\n"
  "queue_size=64\nhdr-digest=on\nnsid=1",
  "traddr=::1\ntrsvcid=4420\nnqn=nqn.2016-06.io.spdk:cnode1\n"
  "hostid=f81d4fae-7dec-11d0-a765-00a0c91e6bf6\nctrl-loss-tmo=-1",
  "transport=tcp\nkeep-alive-tmo=0\ntimeout=30\nconnect_timeout=10\n"
  "reconnect-delay=2\nnr-io-queues=8\ndata_digest=yes\ndisable-sqflow=off",
  "hostnqn=nqn.2014-08.org.nvmexpress:uuid:f81d4fae-7dec-11d0-a765-"
  "00a0c91e6bf6",
  "f81d4fae-7dec-11d0-a765-00a0c91e6bf6",
};

static const char *const tokens[] = {
  "nvme+tcp://",
  "nvme://",
  "nvme+eth://",
  "[",
  "]",
  "%25",
  "%",
  "%00",
  "%3A",
  ":",
  "/",
  "//",
  "@",
  "?",
  "#",
  "nqn.2014-08.",
  "nqn.",
  ".com",
  ":uuid:",
  "4420",
  "65535",
  "65536",
  "0",
  "4294967294",
  "4294967295",
  "=",
  "\n",
  "url=",
  "traddr=",
  "nsid=",
  "queue_size=",
  "hdr-digest=",
  "ctrl-loss-tmo=-",
  "::",
  "fe80::1",
  "127.0.0.1",
  "-",
  "\xc3\xa9",
  "\xff",
  " ",
};

static uint64_t rng_state;

static uint64_t
rng (void)
{
  rng_state ^= rng_state >> 12;
  rng_state ^= rng_state << 25;
  rng_state ^= rng_state >> 27;
  return rng_state * 0x2545F4914F6CDD1Dull;
}

static size_t
pick (size_t n)
{
  return (size_t) (rng () % n);
}

/* A few random edits of buf (length *len, capacity cap). */
static void
mutate (uint8_t *buf, size_t *len, size_t cap)
{
  int edits = 1 + (int) pick (4), e;

  for (e = 0; e < edits; e++) {
    size_t pos = *len ? pick (*len + 1) : 0;

    switch (pick (6)) {
    case 0: /* flip a byte */
      if (*len)
        buf[pick (*len)] = (uint8_t) rng ();
      break;
    case 1: /* delete a range */
      if (*len) {
        size_t n = 1 + pick (8);

        if (pos + n > *len)
          n = *len - pos;
        memmove (buf + pos, buf + pos + n, *len - pos - n);
        *len -= n;
      }
      break;
    case 2:
    case 3: { /* insert a token */
      const char *t = tokens[pick (sizeof tokens / sizeof tokens[0])];
      size_t n = strlen (t);

      if (*len + n <= cap) {
        memmove (buf + pos + n, buf + pos, *len - pos);
        memcpy (buf + pos, t, n);
        *len += n;
      }
      break;
    }
    case 4: /* insert a random byte */
      if (*len + 1 <= cap) {
        memmove (buf + pos + 1, buf + pos, *len - pos);
        buf[pos] = (uint8_t) rng ();
        (*len)++;
      }
      break;
    case 5: /* duplicate a range */
      if (*len) {
        size_t from = pick (*len), n = 1 + pick (16);

        if (from + n > *len)
          n = *len - from;
        if (*len + n <= cap) {
          memmove (buf + pos + n, buf + pos, *len - pos);
          memmove (buf + pos, buf + (from >= pos ? from + n : from), n);
          *len += n;
        }
      }
      break;
    }
  }
}

static double
now (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (double) ts.tv_sec + ts.tv_nsec / 1e9;
}

int
main (int argc, char *argv[])
{
  double seconds = 2, start;
  uint64_t seed = (uint64_t) time (NULL) ^ ((uint64_t) clock () << 20);
  const char *env = getenv ("FUZZ_SECONDS");
  static uint8_t files[16][4096];
  static size_t file_len[16];
  size_t nfiles = 0, i, nseeds;
  unsigned long iters = 0;
  int a;

  if (env)
    seconds = strtod (env, NULL);
  for (a = 1; a < argc; a++) {
    if (strcmp (argv[a], "-t") == 0 && a + 1 < argc)
      seconds = strtod (argv[++a], NULL);
    else if (strcmp (argv[a], "-s") == 0 && a + 1 < argc)
      seed = strtoull (argv[++a], NULL, 0);
    else if (nfiles < 16) {
      FILE *fp = fopen (argv[a], "rb");

      if (fp == NULL) {
        perror (argv[a]);
        return 1;
      }
      file_len[nfiles] = fread (files[nfiles], 1, sizeof files[0], fp);
      fclose (fp);
      nfiles++;
    }
  }
  if (seed == 0)
    seed = 1;
  rng_state = seed;
  nseeds = sizeof seeds / sizeof seeds[0];
  printf ("fuzz-uri: URI/option/NQN parsers, seed %llu, %.1f s, "
          "%zu seeds + %zu files\n",
          (unsigned long long) seed, seconds, nseeds, nfiles);

  /* The seeds themselves, unmutated. */
  for (i = 0; i < nseeds; i++)
    LLVMFuzzerTestOneInput ((const uint8_t *) seeds[i], strlen (seeds[i]));

  start = now ();
  do {
    uint8_t buf[4096];
    size_t len, k, rounds = 1 + pick (4);

    k = pick (nseeds + nfiles);
    if (k < nseeds) {
      len = strlen (seeds[k]);
      memcpy (buf, seeds[k], len);
    }
    else {
      len = file_len[k - nseeds];
      memcpy (buf, files[k - nseeds], len);
    }
    for (i = 0; i < rounds; i++)
      mutate (buf, &len, sizeof buf);
    LLVMFuzzerTestOneInput (buf, len);
    iters++;
  } while ((iters & 255) != 0 || now () - start < seconds);

  printf ("fuzz-uri: %lu inputs in %.1f s, no invariant failed\n", iters,
          now () - start);
  return 0;
}
#endif /* !FUZZ_LIBFUZZER */
