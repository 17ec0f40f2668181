/* SPDX-License-Identifier: BSD-3-Clause */
/* nvmeof bench: drive the library directly and measure it.
 *
 * Two engines:
 * - async (default): one thread per I/O queue, each with its own
 *   controller connection (nr-io-queues=1) and QD commands in flight
 *   through nvmeof_aio_*; the thread polls nvmeof_ctrl_get_fd(), runs
 *   the callbacks itself and submits the next I/O from each (sent as one
 *   batch), so no state is shared between threads.
 * - sync: one controller with --queues I/O queues and QD x queues threads,
 *   each issuing blocking calls.
 * See nvmeof(1) for the measured difference and why async is the default.
 *
 * Nothing is allocated per I/O: buffers and request slots are set up
 * before the clock starts, and latencies go into a fixed histogram. */
#include <config.h>

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/random.h>
#include <sys/resource.h>

#include "bench.h"
#include "nvmeof-tool.h"

enum {
  OPT_RW = CLI_CMD_OPT_BASE,
  OPT_BS,
  OPT_QD,
  OPT_QUEUES,
  OPT_TIME,
  OPT_VERIFY,
  OPT_ENGINE,
  OPT_SIZE,
  OPT_OFFSET,
  OPT_RWMIX,
  OPT_NSID,
};

static const struct option bench_longopts[] = {
  { "rw", required_argument, NULL, OPT_RW },
  { "bs", required_argument, NULL, OPT_BS },
  { "qd", required_argument, NULL, OPT_QD },
  { "queues", required_argument, NULL, OPT_QUEUES },
  { "time", required_argument, NULL, OPT_TIME },
  { "verify", no_argument, NULL, OPT_VERIFY },
  { "engine", required_argument, NULL, OPT_ENGINE },
  { "size", required_argument, NULL, OPT_SIZE },
  { "offset", required_argument, NULL, OPT_OFFSET },
  { "rwmixread", required_argument, NULL, OPT_RWMIX },
  { "nsid", required_argument, NULL, OPT_NSID },
  { NULL, 0, NULL, 0 },
};

static const struct cli_cmd bench_cmd = {
  .name = "bench",
  .synopsis = "nvmeof bench URL [--rw=MODE] [--bs=N] [--qd=N] [--queues=N] "
              "[--time=S] [--verify] [OPTIONS]",
  .help =
    "Run I/O against a namespace through libnvmeof and print IOPS, MiB/s,\n"
    "latency (mean, p50, p99, p99.9) and the CPU time used, with IOPS per\n"
    "CPU-second; with the async engine also IOPS, MiB/s and latency (mean,\n"
    "p50, p99, max) of each I/O queue and their spread (min/max queue\n"
    "IOPS).  Write modes overwrite the namespace.\n"
    "\n"
    "Options:\n"
    "      --rw=MODE                    randread (default), randwrite, read,\n"
    "                                   write or randrw\n"
    "      --bs=N                       block size (default 4096)\n"
    "      --qd=N                       commands in flight per queue (default "
    "32)\n"
    "      --queues=N                   I/O queues, each driven by a thread\n"
    "                                   (default 1)\n"
    "      --time=S                     seconds to run (default 10)\n"
    "      --verify                     write a pattern and check it on read\n"
    "      --engine=ENGINE              async (default) or sync\n"
    "      --size=N                     bytes of the namespace to use (default "
    "all)\n"
    "      --offset=N                   where that region starts (default 0)\n"
    "      --rwmixread=PCT              percentage of reads for randrw "
    "(default 50)\n"
    "      --nsid=N                     namespace (default: the URL's, else "
    "1)\n",
  .longopts = bench_longopts,
  .connects = true,
  .multi_url = true,
};

static int
mode_parse (const char *s, enum bench_mode *m)
{
  static const char *const names[] = {
    [MODE_RANDREAD] = "randread", [MODE_RANDWRITE] = "randwrite",
    [MODE_READ] = "read",         [MODE_WRITE] = "write",
    [MODE_RANDRW] = "randrw",
  };
  size_t i;

  for (i = 0; i < sizeof names / sizeof names[0]; i++)
    if (strcmp (s, names[i]) == 0) {
      *m = (enum bench_mode) i;
      return 0;
    }
  return -1;
}

const char *
bench_mode_name (enum bench_mode m)
{
  switch (m) {
  case MODE_RANDREAD:
    return "randread";
  case MODE_RANDWRITE:
    return "randwrite";
  case MODE_READ:
    return "read";
  case MODE_WRITE:
    return "write";
  case MODE_RANDRW:
    return "randrw";
  }
  return "?";
}

static int
bench_opt (void *data, int c, const char *arg)
{
  struct bench *b = data;
  struct cli *cli = &b->cli;
  uint64_t v;
  char *end;

  switch (c) {
  case OPT_RW:
    if (mode_parse (arg, &b->mode) == -1)
      return cli_error (cli,
                        "--rw: expected randread, randwrite, read, "
                        "write or randrw, got '%s'",
                        arg),
             -1;
    return 0;
  case OPT_BS:
    if (cli_parse_size (cli, "--bs", arg, 1, 64 << 20, &v) == -1)
      return -1;
    b->bs = (uint32_t) v;
    return 0;
  case OPT_QD:
    if (cli_parse_u64 (cli, "--qd", arg, 1, 4096, &v) == -1)
      return -1;
    b->qd = (unsigned) v;
    return 0;
  case OPT_QUEUES:
    if (cli_parse_u64 (cli, "--queues", arg, 1, 256, &v) == -1)
      return -1;
    b->queues = (unsigned) v;
    return 0;
  case OPT_TIME:
    errno = 0;
    b->time_s = strtod (arg, &end);
    if (errno || end == arg || *end != '\0' || !isfinite (b->time_s) ||
        b->time_s <= 0 || b->time_s > 86400)
      return cli_error (cli,
                        "--time: expected seconds (more than 0, at "
                        "most 86400), got '%s'",
                        arg),
             -1;
    return 0;
  case OPT_VERIFY:
    b->verify = true;
    return 0;
  case OPT_ENGINE:
    if (strcmp (arg, "async") == 0)
      b->engine = ENGINE_ASYNC;
    else if (strcmp (arg, "sync") == 0)
      b->engine = ENGINE_SYNC;
    else
      return cli_error (cli, "--engine: expected async or sync, got '%s'", arg),
             -1;
    return 0;
  case OPT_SIZE:
    return cli_parse_size (cli, "--size", arg, 1, UINT64_MAX, &b->size);
  case OPT_OFFSET:
    return cli_parse_size (cli, "--offset", arg, 0, UINT64_MAX, &b->offset);
  case OPT_RWMIX:
    if (cli_parse_u64 (cli, "--rwmixread", arg, 0, 100, &v) == -1)
      return -1;
    b->rwmixread = (unsigned) v;
    return 0;
  case OPT_NSID:
    return cli_add_kv (cli, "nsid", arg);
  }
  return -1;
}

/* Check the region against the namespace; fill defaults. */
static int
bench_check (struct bench *b, const struct nvmeof_ns_info *ni)
{
  struct cli *cli = &b->cli;

  if (b->bs % ni->lba_size != 0)
    return cli_error (cli,
                      "--bs: %" PRIu32 " is not a multiple of the "
                      "namespace's LBA size %" PRIu32,
                      b->bs, ni->lba_size);
  if (b->offset % ni->lba_size != 0)
    return cli_error (cli,
                      "--offset: %" PRIu64 " is not a multiple of the "
                      "LBA size %" PRIu32,
                      b->offset, ni->lba_size);
  if (b->offset >= ni->size)
    return cli_error (cli,
                      "--offset: %" PRIu64 " is beyond the end of the "
                      "namespace (%" PRIu64 " bytes)",
                      b->offset, ni->size);
  if (b->size == 0 || b->size > ni->size - b->offset)
    b->size = ni->size - b->offset;
  b->nblocks = b->size / b->bs;
  if (b->nblocks == 0)
    return cli_error (cli,
                      "--size: the region (%" PRIu64 " bytes) is "
                      "smaller than one block (%" PRIu32 ")",
                      b->size, b->bs);
  b->lba_size = ni->lba_size;
  return 0;
}

static double
now_s (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

static double
rusage_s (const struct rusage *r, bool sys)
{
  const struct timeval *tv = sys ? &r->ru_stime : &r->ru_utime;
  return (double) tv->tv_sec + (double) tv->tv_usec / 1e6;
}

/* Per-queue figures.  Only the async engine has them: its worker i is the
 * one thread driving I/O queue 1 of connection i, and its counters and
 * histogram were written by that thread alone (read here after the join).
 * Sync threads share one connection's queues by CPU, so no thread's
 * figures belong to one queue. */
static bool
have_per_queue (const struct bench *b)
{
  return b->engine == ENGINE_ASYNC && b->nr_workers > 0;
}

struct queue_figures {
  double iops, mibs, mean, p50, p99, max;
};

static void
queue_figures (const struct bench_worker *w, double elapsed,
               struct queue_figures *f)
{
  const struct histogram *h = &w->hist;

  f->iops = elapsed > 0 ? (double) w->ios / elapsed : 0;
  f->mibs = elapsed > 0 ? (double) w->bytes / elapsed / 1048576.0 : 0;
  f->mean = hist_mean (h) / 1e3;
  f->p50 = (double) hist_quantile (h, 0.50) / 1e3;
  f->p99 = (double) hist_quantile (h, 0.99) / 1e3;
  f->max = h->count ? (double) h->max / 1e3 : 0;
}

/* The slowest and fastest queue by I/Os completed; their ratio (1 when
 * every queue did as much, 0 when one did nothing) shows a starved
 * queue at a glance. */
static double
queue_spread (const struct bench *b, unsigned *lo, unsigned *hi)
{
  unsigned i;

  *lo = *hi = 0;
  for (i = 1; i < b->nr_workers; i++) {
    if (b->workers[i].ios < b->workers[*lo].ios)
      *lo = i;
    if (b->workers[i].ios > b->workers[*hi].ios)
      *hi = i;
  }
  if (b->workers[*hi].ios == 0)
    return 0;
  return (double) b->workers[*lo].ios / (double) b->workers[*hi].ios;
}

static uint16_t
queue_cntlid (const struct bench_worker *w)
{
  const struct nvmeof_ctrl_info *ci = nvmeof_ctrl_get_info (w->ctrl);

  return ci ? ci->cntlid : 0;
}

static void
report_queues_json (const struct bench *b, double elapsed, json_object *o)
{
  json_object *arr = json_object_new_array ();
  unsigned i, lo, hi;
  double spread = queue_spread (b, &lo, &hi);

  for (i = 0; i < b->nr_workers; i++) {
    const struct bench_worker *w = &b->workers[i];
    json_object *q = json_object_new_object ();
    struct queue_figures f;

    queue_figures (w, elapsed, &f);
    json_object_object_add (q, "queue", json_object_new_int64 (i + 1));
    json_object_object_add (q, "cntlid",
                            json_object_new_int64 (queue_cntlid (w)));
    json_object_object_add (q, "qid", json_object_new_int64 (1));
    json_object_object_add (q, "ios", json_object_new_uint64 (w->ios));
    json_object_object_add (q, "errors", json_object_new_uint64 (w->errors));
    json_object_object_add (q, "iops", json_object_new_double (f.iops));
    json_object_object_add (q, "mib_per_s", json_object_new_double (f.mibs));
    json_object_object_add (q, "lat_mean_us", json_object_new_double (f.mean));
    json_object_object_add (q, "lat_p50_us", json_object_new_double (f.p50));
    json_object_object_add (q, "lat_p99_us", json_object_new_double (f.p99));
    json_object_object_add (q, "lat_max_us", json_object_new_double (f.max));
    json_object_array_add (arr, q);
  }
  json_object_object_add (o, "per_queue", arr);
  json_object_object_add (
    o, "queue_iops_min",
    json_object_new_double (elapsed > 0 ? b->workers[lo].ios / elapsed : 0));
  json_object_object_add (
    o, "queue_iops_max",
    json_object_new_double (elapsed > 0 ? b->workers[hi].ios / elapsed : 0));
  json_object_object_add (o, "queue_spread", json_object_new_double (spread));
}

static void
report_queues_text (const struct bench *b, double elapsed)
{
  unsigned i, lo, hi;
  double spread = queue_spread (b, &lo, &hi);

  for (i = 0; i < b->nr_workers; i++) {
    const struct bench_worker *w = &b->workers[i];
    struct queue_figures f;
    char label[24];

    queue_figures (w, elapsed, &f);
    snprintf (label, sizeof label, "queue %u:", i + 1);
    printf ("  %-12s (cntlid %u, qid 1) %.0f IOPS, %.2f MiB/s, latency us "
            "mean %.1f, p50 %.1f, p99 %.1f, max %.1f\n",
            label, (unsigned) queue_cntlid (w), f.iops, f.mibs, f.mean, f.p50,
            f.p99, f.max);
  }
  printf ("  queue spread: %.2f (min/max IOPS of a queue: queue %u %.0f, "
          "queue %u %.0f)\n",
          spread, lo + 1, elapsed > 0 ? b->workers[lo].ios / elapsed : 0,
          hi + 1, elapsed > 0 ? b->workers[hi].ios / elapsed : 0);
}

static int
report (struct bench *b, double elapsed, const struct rusage *r0,
        const struct rusage *r1)
{
  struct histogram *h = &b->total;
  double user = rusage_s (r1, false) - rusage_s (r0, false);
  double sys = rusage_s (r1, true) - rusage_s (r0, true);
  double cpu = user + sys;
  double iops = elapsed > 0 ? (double) b->ios / elapsed : 0;
  double mibs = elapsed > 0 ? (double) b->bytes / elapsed / 1048576.0 : 0;
  double per_cpu = cpu > 0 ? (double) b->ios / cpu : 0;
  double mean = hist_mean (h) / 1e3;
  double p50 = (double) hist_quantile (h, 0.50) / 1e3;
  double p99 = (double) hist_quantile (h, 0.99) / 1e3;
  double p999 = (double) hist_quantile (h, 0.999) / 1e3;
  double max = h->count ? (double) h->max / 1e3 : 0;

  if (b->cli.format == OUTPUT_JSON) {
    json_object *o = json_object_new_object ();
    json_object_object_add (o, "rw",
                            json_object_new_string (bench_mode_name (b->mode)));
    json_object_object_add (o, "bs", json_object_new_int64 (b->bs));
    json_object_object_add (o, "qd", json_object_new_int64 (b->qd));
    json_object_object_add (o, "queues", json_object_new_int64 (b->queues));
    json_object_object_add (
      o, "engine",
      json_object_new_string (b->engine == ENGINE_ASYNC ? "async" : "sync"));
    json_object_object_add (o, "nsid", json_object_new_int64 (b->nsid));
    json_object_object_add (o, "time_s", json_object_new_double (elapsed));
    json_object_object_add (o, "ios", json_object_new_uint64 (b->ios));
    json_object_object_add (o, "bytes", json_object_new_uint64 (b->bytes));
    json_object_object_add (o, "errors", json_object_new_uint64 (b->errors));
    json_object_object_add (o, "verify", json_object_new_boolean (b->verify));
    json_object_object_add (o, "verify_errors",
                            json_object_new_uint64 (b->verify_errors));
    json_object_object_add (o, "iops", json_object_new_double (iops));
    json_object_object_add (o, "mib_per_s", json_object_new_double (mibs));
    json_object_object_add (o, "lat_mean_us", json_object_new_double (mean));
    json_object_object_add (o, "lat_p50_us", json_object_new_double (p50));
    json_object_object_add (o, "lat_p99_us", json_object_new_double (p99));
    json_object_object_add (o, "lat_p999_us", json_object_new_double (p999));
    json_object_object_add (o, "lat_max_us", json_object_new_double (max));
    json_object_object_add (o, "cpu_s", json_object_new_double (cpu));
    json_object_object_add (o, "cpu_user_s", json_object_new_double (user));
    json_object_object_add (o, "cpu_sys_s", json_object_new_double (sys));
    json_object_object_add (o, "iops_per_cpu_s",
                            json_object_new_double (per_cpu));
    if (have_per_queue (b))
      report_queues_json (b, elapsed, o);
    if (output_json (o) == -1)
      return -1;
  }
  else {
    printf ("%s: bs=%" PRIu32 " qd=%u queues=%u engine=%s nsid=%" PRIu32
            "%s, %.2f s\n",
            bench_mode_name (b->mode), b->bs, b->qd, b->queues,
            b->engine == ENGINE_ASYNC ? "async" : "sync", b->nsid,
            b->verify ? " verify" : "", elapsed);
    printf ("  I/Os:        %" PRIu64 " (%" PRIu64 " errors", b->ios,
            b->errors);
    if (b->verify)
      printf (", %" PRIu64 " verify errors", b->verify_errors);
    printf (")\n");
    printf ("  IOPS:        %.0f\n", iops);
    printf ("  throughput:  %.2f MiB/s\n", mibs);
    printf ("  latency us:  mean %.1f, p50 %.1f, p99 %.1f, p99.9 %.1f, "
            "max %.1f\n",
            mean, p50, p99, p999, max);
    printf ("  CPU:         %.2f s (user %.2f, system %.2f), %.0f IOPS per "
            "CPU-second\n",
            cpu, user, sys, per_cpu);
    if (have_per_queue (b))
      report_queues_text (b, elapsed);
    else
      printf ("  per queue:   not measured with --engine=sync (its threads "
              "share the queues by CPU)\n");
  }
  return 0;
}

/* Let the workers run for --time seconds, or until one of them fails. */
static void
run_for (struct bench *b)
{
  double deadline = now_s () + b->time_s;

  while (!atomic_load (&b->stop)) {
    double left = deadline - now_s ();
    struct timespec ts = { 0, 50 * 1000 * 1000 };

    if (left <= 0)
      break;
    if (left < 0.05)
      ts.tv_nsec = (long) (left * 1e9);
    nanosleep (&ts, NULL);
  }
  atomic_store (&b->stop, true);
}

int
cmd_bench (int argc, char **argv)
{
  struct bench *b;
  struct rusage r0, r1;
  double t0, elapsed;
  int r, ret = 1;
  unsigned i;

  /* Large (histograms): not on the stack. */
  b = calloc (1, sizeof *b);
  if (b == NULL) {
    fprintf (stderr, "nvmeof: bench: out of memory\n");
    return 1;
  }
  b->mode = MODE_RANDREAD;
  b->bs = 4096;
  b->qd = 32;
  b->queues = 1;
  b->time_s = 10;
  b->rwmixread = 50;
  b->engine = ENGINE_ASYNC;
  hist_init (&b->total);

  r = cli_parse (&b->cli, &bench_cmd, argc, argv, bench_opt, b);
  if (r != 0) {
    free (b);
    return r == 1 ? 0 : 1;
  }
  if (getrandom (&b->seed, sizeof b->seed, 0) != sizeof b->seed)
    b->seed = (uint64_t) time (NULL) * 0x9E3779B97F4A7C15ull;

  if (bench_setup (b, bench_check) == -1)
    goto out;
  if (b->verify && bench_prefill (b) == -1)
    goto out;

  getrusage (RUSAGE_SELF, &r0);
  t0 = now_s ();
  if (bench_start (b) == -1)
    goto out;
  run_for (b);
  bench_join (b);
  elapsed = now_s () - t0;
  getrusage (RUSAGE_SELF, &r1);

  for (i = 0; i < b->nr_workers; i++) {
    struct bench_worker *w = &b->workers[i];
    hist_merge (&b->total, &w->hist);
    b->ios += w->ios;
    b->bytes += w->bytes;
    b->errors += w->errors;
    b->verify_errors += w->verify_errors;
  }
  if (b->verify && bench_verify_written (b) == -1)
    goto out;
  if (report (b, elapsed, &r0, &r1) == -1)
    goto out;

  if (b->errors) {
    cli_error (&b->cli, "%" PRIu64 " I/O errors, the first: %s", b->errors,
               b->first_error);
    goto out;
  }
  if (b->verify_errors) {
    cli_error (&b->cli, "%" PRIu64 " blocks read back wrong, the first: %s",
               b->verify_errors, b->first_error);
    goto out;
  }
  ret = 0;

out:
  bench_teardown (b);
  free (b);
  return ret;
}
