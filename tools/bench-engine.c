/* SPDX-License-Identifier: BSD-3-Clause */
/* nvmeof bench: connections, worker threads and the verify pattern. */
#include <config.h>

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"

#define PREFILL_CHUNK  (1u << 20)
#define DRAIN_LIMIT_NS (120ull * 1000000000ull)

static uint64_t
now_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (uint64_t) ts.tv_sec * 1000000000ull + (uint64_t) ts.tv_nsec;
}

/* splitmix64: the pattern word for an absolute byte offset, and the
 * workers' random numbers. */
static inline uint64_t
mix64 (uint64_t x)
{
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

static inline uint64_t
rng_next (uint64_t *s)
{
  *s += 0x9E3779B97F4A7C15ull;
  return mix64 (*s);
}

/* Each 8-byte word holds a function of the seed and its own offset, so a
 * block read from the wrong place, or stale, does not match. */
static void
pattern_fill (uint8_t *buf, size_t len, uint64_t offset, uint64_t seed)
{
  size_t i;

  for (i = 0; i + 8 <= len; i += 8) {
    uint64_t v = mix64 (seed ^ (offset + i));
    memcpy (buf + i, &v, 8);
  }
}

/* Returns the index of the first bad byte, or len if all match. */
static size_t
pattern_check (const uint8_t *buf, size_t len, uint64_t offset, uint64_t seed)
{
  size_t i;

  for (i = 0; i + 8 <= len; i += 8) {
    uint64_t v = mix64 (seed ^ (offset + i));
    if (memcmp (buf + i, &v, 8) != 0)
      return i;
  }
  return len;
}

static void record_error (struct bench *b, const char *fmt, ...)
  __attribute__((__format__ (__printf__, 2, 3)));

static void
record_error (struct bench *b, const char *fmt, ...)
{
  va_list ap;

  pthread_mutex_lock (&b->err_lock);
  if (!b->have_error) {
    va_start (ap, fmt);
    vsnprintf (b->first_error, sizeof b->first_error, fmt, ap);
    va_end (ap);
    b->have_error = true;
  }
  pthread_mutex_unlock (&b->err_lock);
}

static bool
mode_is_random (enum bench_mode m)
{
  return m == MODE_RANDREAD || m == MODE_RANDWRITE || m == MODE_RANDRW;
}

static bool
mode_reads (enum bench_mode m)
{
  return m == MODE_RANDREAD || m == MODE_READ || m == MODE_RANDRW;
}

/* Choose the next command for slot s. */
static void
next_io (struct bench_worker *w, struct bench_slot *s)
{
  struct bench *b = w->b;
  uint64_t block;

  if (mode_is_random (b->mode))
    block = rng_next (&w->rng) % b->nblocks;
  else {
    block = w->seq_next++;
    if (w->seq_next >= w->seq_end)
      w->seq_next = w->seq_first;
  }
  s->offset = b->offset + block * b->bs;
  switch (b->mode) {
  case MODE_RANDREAD:
  case MODE_READ:
    s->is_read = true;
    break;
  case MODE_RANDWRITE:
  case MODE_WRITE:
    s->is_read = false;
    break;
  case MODE_RANDRW:
    s->is_read = rng_next (&w->rng) % 100 < b->rwmixread;
    break;
  }
  if (!s->is_read && b->verify)
    pattern_fill (s->buf, b->bs, s->offset, b->seed);
}

static void
complete_io (struct bench_worker *w, struct bench_slot *s, int status,
             uint16_t nvme_status, uint64_t t1)
{
  struct bench *b = w->b;

  hist_add (&w->hist, t1 - s->t0_ns);
  if (status != 0) {
    /* The library's message names the command, the queue and the cause
     * (set for this thread by the blocking call, and before an
     * asynchronous callback runs); the status alone says much less. */
    const char *msg = nvmeof_get_error ();

    w->errors++;
    if (msg && *msg)
      record_error (b, "%s at offset %" PRIu64 ": %s",
                    s->is_read ? "read" : "write", s->offset, msg);
    else if (nvme_status)
      record_error (b, "%s at offset %" PRIu64 ": %s",
                    s->is_read ? "read" : "write", s->offset,
                    nvmeof_status_string (nvme_status));
    else
      record_error (b, "%s at offset %" PRIu64 ": %s",
                    s->is_read ? "read" : "write", s->offset,
                    strerror (status < 0 ? -status : status));
    return;
  }
  w->ios++;
  w->bytes += b->bs;
  if (!b->verify)
    return;
  if (s->is_read) {
    size_t bad = pattern_check (s->buf, b->bs, s->offset, b->seed);
    if (bad < b->bs) {
      w->verify_errors++;
      record_error (b,
                    "data read at offset %" PRIu64 " differs from what "
                    "was written (first at byte %" PRIu64 ")",
                    s->offset, s->offset + bad);
    }
  }
  else {
    uint64_t block = (s->offset - b->offset) / b->bs;
    atomic_fetch_or (&b->written[block / 64], 1ull << (block % 64));
  }
}

/* ---- async engine: one thread per controller, QD slots in flight ---- */

static int async_submit (struct bench_worker *w, struct bench_slot *s);

/* A completion.  The slot's next I/O is submitted from here: commands
 * submitted by callbacks go out together when nvmeof_ctrl_process ends
 * (one system call for the batch). */
static void
async_done (void *opaque, int status, uint16_t nvme_status)
{
  struct bench_slot *s = opaque;
  struct bench_worker *w = s->w;
  uint64_t t1 = now_ns ();

  complete_io (w, s, status, nvme_status, t1);
  if (status == 0 &&
      !atomic_load_explicit (&w->b->stop, memory_order_relaxed) &&
      async_submit (w, s) == 0)
    return;
  w->free_slots[w->nr_free++] = s->idx;
}

/* Submit one; 1 if the queue is full (try after completions), -1 error. */
static int
async_submit (struct bench_worker *w, struct bench_slot *s)
{
  struct bench *b = w->b;
  int r;

  next_io (w, s);
  s->t0_ns = now_ns ();
  if (s->is_read)
    r = nvmeof_aio_read (w->ns, s->buf, b->bs, s->offset, async_done, s);
  else
    r = nvmeof_aio_write (w->ns, s->buf, b->bs, s->offset, 0, async_done, s);
  if (r == 0)
    return 0;
  if (nvmeof_get_errno () == EAGAIN || nvmeof_get_errno () == EBUSY)
    return 1;
  w->errors++;
  record_error (b, "submitting a %s: %s", s->is_read ? "read" : "write",
                nvmeof_get_error ());
  return -1;
}

static int
async_wait (struct bench_worker *w, struct pollfd *pfd)
{
  if (poll (pfd, 1, 100) == -1 && errno != EINTR) {
    record_error (w->b, "poll: %s", strerror (errno));
    return -1;
  }
  if (nvmeof_ctrl_process (w->ctrl) == -1) {
    record_error (w->b, "processing completions: %s", nvmeof_get_error ());
    return -1;
  }
  return 0;
}

static void *
async_worker (void *arg)
{
  struct bench_worker *w = arg;
  struct bench *b = w->b;
  struct pollfd pfd = { .fd = nvmeof_ctrl_get_fd (w->ctrl), .events = POLLIN };
  uint64_t deadline;

  while (!atomic_load_explicit (&b->stop, memory_order_relaxed)) {
    while (w->nr_free > 0) {
      unsigned i = w->free_slots[--w->nr_free];
      int r = async_submit (w, &w->slots[i]);
      if (r != 0) {
        w->free_slots[w->nr_free++] = i;
        if (r == -1)
          goto fail;
        break;
      }
    }
    if (async_wait (w, &pfd) == -1)
      goto fail;
  }

drain:
  /* Buffers must outlive their commands: wait for every one (bounded by
   * the library's command timeout, and by ours if that fails). */
  deadline = now_ns () + DRAIN_LIMIT_NS;
  while (w->nr_free < w->nr_slots && now_ns () < deadline)
    if (async_wait (w, &pfd) == -1)
      break;
  return NULL;

fail:
  atomic_store (&b->stop, true);
  goto drain;
}

/* ---- sync engine: blocking calls, one command per thread ------------ */

static void *
sync_worker (void *arg)
{
  struct bench_worker *w = arg;
  struct bench *b = w->b;
  struct bench_slot *s = &w->slots[0];

  while (!atomic_load_explicit (&b->stop, memory_order_relaxed)) {
    int r;
    next_io (w, s);
    s->t0_ns = now_ns ();
    if (s->is_read)
      r = nvmeof_read (w->ns, s->buf, b->bs, s->offset);
    else
      r = nvmeof_write (w->ns, s->buf, b->bs, s->offset, 0);
    complete_io (w, s, r == 0 ? 0 : -nvmeof_get_errno (),
                 r == 0 ? 0 : nvmeof_get_status (), now_ns ());
    if (r == -1) {
      atomic_store (&b->stop, true);
      break;
    }
  }
  return NULL;
}

/* ---- setup and teardown --------------------------------------------- */

static bool
has_key (const struct cli *cli, const char *key)
{
  size_t i;

  for (i = 0; i < cli->nr_kv; i++)
    if (strcmp (cli->kv[i].key, key) == 0)
      return true;
  return false;
}

static int
worker_init (struct bench *b, struct bench_worker *w, unsigned idx,
             unsigned nr_slots)
{
  unsigned i;
  uint64_t per;

  w->b = b;
  w->idx = idx;
  hist_init (&w->hist);
  w->rng = b->seed ^ mix64 (idx + 1);
  /* Sequential modes: each worker streams through its own slice. */
  per = b->nblocks / b->nr_workers;
  if (per == 0)
    per = 1;
  w->seq_first = (idx * per) % b->nblocks;
  w->seq_end = idx + 1 == b->nr_workers ? b->nblocks : w->seq_first + per;
  if (w->seq_end > b->nblocks)
    w->seq_end = b->nblocks;
  w->seq_next = w->seq_first;

  w->slots = calloc (nr_slots, sizeof *w->slots);
  w->free_slots = calloc (nr_slots, sizeof *w->free_slots);
  if (w->slots == NULL || w->free_slots == NULL)
    return cli_error (&b->cli, "out of memory"), -1;
  w->nr_slots = nr_slots;
  for (i = 0; i < nr_slots; i++) {
    struct bench_slot *s = &w->slots[i];
    s->w = w;
    s->idx = i;
    if (posix_memalign ((void **) &s->buf, 4096, b->bs) != 0)
      return cli_error (&b->cli, "out of memory"), -1;
    /* Not zeros, so that no layer can take a shortcut. */
    pattern_fill (s->buf, b->bs, (uint64_t) i * b->bs, ~b->seed);
    w->free_slots[w->nr_free++] = i;
  }
  return 0;
}

/* Async with several queues: a connection for each worker, all made
 * together by nvmeof_connect_many (admin queues first, then the I/O
 * queues one after another) so that a target placing each new connection
 * on its next core gives every worker's queue a core of its own.  The
 * first connection (b->ctrl, for setup and --verify) stays aside: its
 * admin and I/O queue came before, one after the other. */
static int
connect_workers (struct bench *b)
{
  struct nvmeof_ctrl **ctrls;
  unsigned i;

  ctrls = calloc (b->nr_workers, sizeof *ctrls);
  if (ctrls == NULL)
    return cli_error (&b->cli, "out of memory"), -1;
  if (nvmeof_connect_many (b->opts, b->nr_workers, ctrls) == -1) {
    free (ctrls);
    return cli_lib_error (&b->cli, "connections for the queues"), -1;
  }
  for (i = 0; i < b->nr_workers; i++) {
    b->workers[i].ctrl = ctrls[i];
    b->workers[i].owns_ctrl = true;
  }
  free (ctrls);
  for (i = 0; i < b->nr_workers; i++) {
    struct bench_worker *w = &b->workers[i];
    w->ns = nvmeof_ns_open (w->ctrl, b->nsid);
    if (w->ns == NULL)
      return cli_lib_error (&b->cli, "namespace"), -1;
  }
  return 0;
}

int
bench_setup (struct bench *b, bench_check_fn check)
{
  unsigned i;

  pthread_mutex_init (&b->err_lock, NULL);
  /* Each async worker has a connection of its own with one I/O queue;
   * sync threads share one connection with --queues queues. */
  if (!has_key (&b->cli, "nr-io-queues")) {
    snprintf (b->nr_io_queues, sizeof b->nr_io_queues, "%u",
              b->engine == ENGINE_ASYNC ? 1 : b->queues);
    if (cli_add_kv (&b->cli, "nr-io-queues", b->nr_io_queues) == -1)
      return -1;
  }
  if (!has_key (&b->cli, "queue-size") && b->qd >= 128) {
    /* Room for QD commands plus the one slot a full queue keeps free. */
    snprintf (b->queue_size, sizeof b->queue_size, "%u",
              b->qd + 1 > 1024 ? 1024 : b->qd + 1);
    if (cli_add_kv (&b->cli, "queue-size", b->queue_size) == -1)
      return -1;
  }
  b->ctrl = cli_connect (&b->cli, false, &b->opts);
  if (b->ctrl == NULL)
    return -1;
  b->nsid = nvmeof_opts_get_nsid (b->opts);
  if (b->nsid == 0)
    b->nsid = 1;
  b->ns = nvmeof_ns_open (b->ctrl, b->nsid);
  if (b->ns == NULL) {
    char what[32];
    snprintf (what, sizeof what, "namespace %" PRIu32, b->nsid);
    return cli_lib_error (&b->cli, what), -1;
  }
  if (check (b, nvmeof_ns_get_info (b->ns)) != 0)
    return -1;
  if (b->mode != MODE_READ && b->mode != MODE_RANDREAD &&
      nvmeof_ns_get_info (b->ns)->write_protected)
    return cli_error (&b->cli, "namespace %" PRIu32 " is write-protected",
                      b->nsid),
           -1;
  b->size = b->nblocks * b->bs;
  if (b->verify) {
    b->written = calloc ((b->nblocks + 63) / 64, sizeof *b->written);
    if (b->written == NULL)
      return cli_error (&b->cli, "out of memory"), -1;
  }

  b->nr_workers = b->engine == ENGINE_ASYNC ? b->queues : b->queues * b->qd;
  b->workers = calloc (b->nr_workers, sizeof *b->workers);
  if (b->workers == NULL)
    return cli_error (&b->cli, "out of memory"), -1;
  for (i = 0; i < b->nr_workers; i++) {
    struct bench_worker *w = &b->workers[i];
    if (worker_init (b, w, i, b->engine == ENGINE_ASYNC ? b->qd : 1) == -1)
      return -1;
    w->ctrl = b->ctrl;
    w->ns = b->ns;
  }
  if (b->engine == ENGINE_ASYNC && b->queues > 1)
    return connect_workers (b);
  return 0;
}

int
bench_prefill (struct bench *b)
{
  uint8_t *buf;
  uint64_t done = 0;

  if (!mode_reads (b->mode))
    return 0; /* write modes are checked afterwards */
  if (posix_memalign ((void **) &buf, 4096, PREFILL_CHUNK) != 0)
    return cli_error (&b->cli, "out of memory"), -1;
  while (done < b->size) {
    uint64_t n = b->size - done;
    if (n > PREFILL_CHUNK) /* a multiple of any LBA size */
      n = PREFILL_CHUNK;
    pattern_fill (buf, n, b->offset + done, b->seed);
    if (nvmeof_write (b->ns, buf, n, b->offset + done, 0) == -1) {
      free (buf);
      return cli_lib_error (&b->cli, "writing the verify pattern"), -1;
    }
    done += n;
  }
  free (buf);
  return 0;
}

int
bench_start (struct bench *b)
{
  unsigned i;

  for (i = 0; i < b->nr_workers; i++) {
    struct bench_worker *w = &b->workers[i];
    int r = pthread_create (
      &w->thread, NULL, b->engine == ENGINE_ASYNC ? async_worker : sync_worker,
      w);
    if (r != 0) {
      atomic_store (&b->stop, true);
      bench_join (b);
      return cli_error (&b->cli, "pthread_create: %s", strerror (r)), -1;
    }
    w->started = true;
  }
  return 0;
}

void
bench_join (struct bench *b)
{
  unsigned i;

  for (i = 0; i < b->nr_workers; i++)
    if (b->workers[i].started) {
      pthread_join (b->workers[i].thread, NULL);
      b->workers[i].started = false;
    }
}

int
bench_verify_written (struct bench *b)
{
  uint8_t *buf;
  uint64_t block, per_chunk = PREFILL_CHUNK / b->bs;

  if (per_chunk == 0)
    per_chunk = 1;
  if (posix_memalign ((void **) &buf, 4096, per_chunk * b->bs) != 0)
    return cli_error (&b->cli, "out of memory"), -1;
  for (block = 0; block < b->nblocks; block += per_chunk) {
    uint64_t n =
      b->nblocks - block < per_chunk ? b->nblocks - block : per_chunk;
    uint64_t i;
    bool any = false;

    for (i = block; i < block + n; i++)
      if (atomic_load (&b->written[i / 64]) & (1ull << (i % 64)))
        any = true;
    if (!any)
      continue;
    if (nvmeof_read (b->ns, buf, n * b->bs, b->offset + block * b->bs) == -1) {
      free (buf);
      return cli_lib_error (&b->cli, "reading back"), -1;
    }
    for (i = block; i < block + n; i++) {
      uint64_t off = b->offset + i * b->bs;
      const uint8_t *p = buf + (i - block) * b->bs;
      if (!(atomic_load (&b->written[i / 64]) & (1ull << (i % 64))))
        continue;
      if (pattern_check (p, b->bs, off, b->seed) < b->bs) {
        b->verify_errors++;
        record_error (b,
                      "block at offset %" PRIu64 " does not hold what "
                      "was written there",
                      off);
      }
    }
  }
  free (buf);
  return 0;
}

void
bench_teardown (struct bench *b)
{
  unsigned i, j;

  if (b->workers) {
    for (i = 0; i < b->nr_workers; i++) {
      struct bench_worker *w = &b->workers[i];
      if (w->owns_ctrl) {
        if (w->ns)
          nvmeof_ns_close (w->ns);
        nvmeof_close (w->ctrl);
      }
      if (w->slots)
        for (j = 0; j < w->nr_slots; j++)
          free (w->slots[j].buf);
      free (w->slots);
      free (w->free_slots);
    }
    free (b->workers);
  }
  if (b->ns)
    nvmeof_ns_close (b->ns);
  if (b->ctrl)
    nvmeof_close (b->ctrl);
  if (b->opts)
    nvmeof_opts_free (b->opts);
  free (b->written);
  pthread_mutex_destroy (&b->err_lock);
}
