/* SPDX-License-Identifier: BSD-3-Clause */
/* Command counters, written as JSON to --stats-file on SIGUSR1 and at exit
 * (and given by the control socket's "stats") so that tests can see FUA,
 * flush, trim and zeroing reach the target, how I/O spreads over the
 * ports, and that the io_uring backend keeps several commands of a queue
 * in flight (the most one queue had: a maximum, not a sum).  The file is replaced atomically (temporary file + rename) and
 * carries a "seq" number that grows by one per write. */
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
  [STAT_IO_URING_QUEUES] = "io_uring_queues",
  [STAT_IO_URING_MAX_IN_FLIGHT] = "io_uring_max_in_flight",
};

void
stat_add (enum stat_id id, uint64_t n)
{
  atomic_fetch_add_explicit (&counters[id], n, memory_order_relaxed);
}

void
stat_max (enum stat_id id, uint64_t n)
{
  uint64_t old = atomic_load_explicit (&counters[id], memory_order_relaxed);

  while (old < n && !atomic_compare_exchange_weak_explicit (
                      &counters[id], &old, n, memory_order_relaxed,
                      memory_order_relaxed)) {
  }
}

uint64_t
stat_get (enum stat_id id)
{
  return atomic_load_explicit (&counters[id], memory_order_relaxed);
}

/* "ports": each port's address, whether it listens, the commands its
 * queues received and its ANA state of every group in use. */
static json_object *
ports_json (void)
{
  json_object *list = json_object_new_array ();
  bool used[TGT_ANAGRP_MAX + 1] = { false };
  size_t i, j;
  unsigned g;

  if (!list)
    return NULL;
  for (i = 0; i < cfg.nr_subsys; i++)
    for (j = 0; j < cfg.subsys[i]->nr_ns; j++)
      used[cfg.subsys[i]->ns[j].anagrpid] = true;
  for (i = 0; i < cfg.nr_ports; i++) {
    struct tgt_port *port = &cfg.ports[i];
    json_object *o = json_object_new_object ();
    json_object *cmds = json_object_new_object ();
    json_object *ana = json_object_new_object ();

    if (!o || !cmds || !ana) {
      json_object_put (o);
      json_object_put (cmds);
      json_object_put (ana);
      break;
    }
    json_object_object_add (o, "portid", json_object_new_int (port->portid));
    json_object_object_add (
      o, "trtype",
      json_object_new_string (port->trtype == NVMF_TRTYPE_TCP ? "tcp" : "eth"));
    json_object_object_add (o, "traddr", json_object_new_string (port->traddr));
    json_object_object_add (o, "trsvcid",
                            json_object_new_string (port->trsvcid));
    json_object_object_add (
      o, "listening", json_object_new_boolean (!atomic_load (&port->down)));
    json_object_object_add (
      cmds, "admin", json_object_new_uint64 (atomic_load (&port->nr_admin)));
    json_object_object_add (
      cmds, "io", json_object_new_uint64 (atomic_load (&port->nr_io)));
    json_object_object_add (o, "commands", cmds);
    for (g = 1; g <= TGT_ANAGRP_MAX; g++) {
      char key[8];

      if (!used[g])
        continue;
      snprintf (key, sizeof key, "%u", g);
      json_object_object_add (ana, key,
                              json_object_new_string (ana_state_name (
                                atomic_load (&port->ana_state[g]))));
    }
    json_object_object_add (o, "ana", ana);
    json_object_array_add (list, o);
  }
  return list;
}

char *
stats_text (void)
{
  json_object *root, *cmds;
  char *text;
  int i;

  root = json_object_new_object ();
  cmds = json_object_new_object ();
  if (!root || !cmds) {
    json_object_put (root);
    json_object_put (cmds);
    return NULL;
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
  json_object_object_add (root, "ports", ports_json ());
  eth_stats_json (root);
  text = strdup (json_object_to_json_string_ext (root, JSON_C_TO_STRING_PLAIN));
  json_object_put (root);
  return text;
}

int
stats_write (void)
{
  char *text;
  char tmp[4096];
  FILE *fp;
  int r = -1;

  if (!cfg.stats_file)
    return 0;
  text = stats_text ();
  if (!text)
    return -1;

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
  free (text);
  return r;
}
