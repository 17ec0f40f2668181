/* SPDX-License-Identifier: BSD-3-Clause */
/* Command counters, written as JSON to --stats-file on SIGUSR1 and at exit
 * so that tests can see FUA, flush, trim and zeroing reach the target.  The
 * file is replaced atomically (temporary file + rename) and carries a "seq"
 * number that grows by one per write. */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <json-c/json.h>

#include "target.h"

static _Atomic uint64_t counters[STAT__MAX];
static uint64_t seq;

/* JSON names, in enum stat_id order; the first ones go under "commands". */
static const char *const names[STAT__MAX] = {
  [STAT_READ] = "read",
  [STAT_WRITE] = "write",
  [STAT_WRITE_FUA] = "write_fua",
  [STAT_FLUSH] = "flush",
  [STAT_WRITE_ZEROES] = "write_zeroes",
  [STAT_WRITE_ZEROES_DEAC] = "write_zeroes_deac",
  [STAT_DSM_DEALLOCATE] = "dsm_deallocate",
  [STAT_DSM_RANGES] = "dsm_ranges",
  [STAT_IDENTIFY] = "identify",
  [STAT_KEEP_ALIVE] = "keep_alive",
  [STAT_CONNECT] = "connect",
  [STAT_BYTES_READ] = "bytes_read",
  [STAT_BYTES_WRITTEN] = "bytes_written",
};

void
stat_add (enum stat_id id, uint64_t n)
{
  atomic_fetch_add_explicit (&counters[id], n, memory_order_relaxed);
}

uint64_t
stat_get (enum stat_id id)
{
  return atomic_load_explicit (&counters[id], memory_order_relaxed);
}

int
stats_write (void)
{
  json_object *root, *cmds;
  const char *text;
  char tmp[4096];
  FILE *fp;
  int i, r = -1;

  if (!cfg.stats_file)
    return 0;
  root = json_object_new_object ();
  cmds = json_object_new_object ();
  if (!root || !cmds) {
    json_object_put (root);
    json_object_put (cmds);
    return -1;
  }
  json_object_object_add (root, "seq", json_object_new_int64 (++seq));
  for (i = 0; i < STAT__MAX; i++) {
    json_object *v = json_object_new_uint64 (stat_get (i));
    if (i < STAT_BYTES_READ)
      json_object_object_add (cmds, names[i], v);
    else
      json_object_object_add (root, names[i], v);
  }
  json_object_object_add (root, "commands", cmds);
  eth_stats_json (root);
  text = json_object_to_json_string_ext (root, JSON_C_TO_STRING_PLAIN);

  if ((size_t) snprintf (tmp, sizeof tmp, "%s.tmp.%ld", cfg.stats_file,
                         (long) getpid ()) >= sizeof tmp) {
    fprintf (stderr, "nvmeof-target: --stats-file: path too long\n");
    goto out;
  }
  fp = fopen (tmp, "w");
  if (!fp) {
    fprintf (stderr, "nvmeof-target: %s: %s\n", tmp, strerror (errno));
    goto out;
  }
  fprintf (fp, "%s\n", text);
  if (fclose (fp) != 0) {
    fprintf (stderr, "nvmeof-target: %s: %s\n", tmp, strerror (errno));
    unlink (tmp);
    goto out;
  }
  if (rename (tmp, cfg.stats_file) == -1) {
    fprintf (stderr, "nvmeof-target: %s: %s\n", cfg.stats_file,
             strerror (errno));
    unlink (tmp);
    goto out;
  }
  r = 0;
out:
  json_object_put (root);
  return r;
}
