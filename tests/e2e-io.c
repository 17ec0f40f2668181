/* SPDX-License-Identifier: BSD-3-Clause */
/* End-to-end checks of libnvmeof against nvmeof-target, driven by the
 * tests/test-lib-*.sh scripts.
 *
 *   e2e-io io URL [key=value..] [--sizes LIST] [--threads N] [--async]
 *                 [--rounds N] [--zeroes] [--expect-lba N]
 *       random data written and read back and compared, for each size,
 *       from several threads at once (each in its own region).
 *   e2e-io fault URL [key=value..] [--threads N] --within SECS
 *                 [--expect TEXT] [--command-error]
 *       I/O until it fails: the failure must come within SECS with a
 *       message (containing TEXT), every thread must stop, close must
 *       return.  Later commands must fail at once, or with
 *       --command-error (only the command failed) succeed.
 *   e2e-io connect-fail URL [key=value..] --expect TEXT
 *   e2e-io discover URL [key=value..] --expect-nqn NQN
 *   e2e-io namespaces URL [key=value..] --expect-count N
 *       the active namespace list (paged past 1024 entries) has N
 *       namespaces 1..N; the last one opens, has identifiers, and does
 *       I/O.
 *   e2e-io readonly URL [key=value..]
 *       the namespace is write protected: writes fail with EROFS, reads
 *       work.
 *   e2e-io info URL [key=value..]
 * (Reconnecting and holding commands: e2e-hold.c.)
 *
 * key=value arguments are library options (hdr-digest=1, nr-io-queues=2,
 * timeout=3 ...).  Exit 0 on success, 1 on failure. */
#include <config.h>

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "nvmeof.h"
#define E2E_NAME "e2e-io"
#include "e2e-common.h"

static const char *mode, *url;
static struct nvmeof_opts *opts;
static uint64_t sizes[64];
static unsigned nr_sizes;
static unsigned threads = 1, rounds = 1;
static bool use_async, do_zeroes, command_error;
static uint32_t expect_lba;
static double within = 0;
static const char *expect_text, *expect_nqn;
static uint32_t expect_count;

static struct nvmeof_ctrl *ctrl;
static struct nvmeof_ns *ns;
static const struct nvmeof_ns_info *info;

static uint64_t
parse_size (const char *s)
{
  char *end;
  uint64_t v;

  errno = 0;
  v = strtoull (s, &end, 10);
  if (errno || end == s)
    FAIL ("bad size '%s'", s);
  switch (*end) {
  case 'k':
  case 'K':
    v <<= 10;
    end++;
    break;
  case 'm':
  case 'M':
    v <<= 20;
    end++;
    break;
  case '\0':
    break;
  default:
    FAIL ("bad size '%s'", s);
  }
  if (*end)
    FAIL ("bad size '%s'", s);
  return v;
}

static void
parse_args (int argc, char **argv)
{
  int i;

  if (argc < 3)
    FAIL ("usage: e2e-io io|fault|connect-fail|discover|info URL ...");
  mode = argv[1];
  url = argv[2];
  opts = nvmeof_opts_new ();
  if (opts == NULL || nvmeof_opts_set (opts, "url", url) < 0)
    FAIL ("url: %s", nvmeof_get_error ());
  for (i = 3; i < argc; i++) {
    const char *a = argv[i];

    if (e2e_set_option (opts, a))
      continue;
    if (strcmp (a, "--sizes") == 0 && i + 1 < argc) {
      char *list = strdup (argv[++i]), *save, *tok;

      for (tok = strtok_r (list, ",", &save); tok && nr_sizes < 64;
           tok = strtok_r (NULL, ",", &save))
        sizes[nr_sizes++] = parse_size (tok);
      free (list);
    }
    else if (strcmp (a, "--threads") == 0 && i + 1 < argc)
      threads = parse_size (argv[++i]);
    else if (strcmp (a, "--rounds") == 0 && i + 1 < argc)
      rounds = parse_size (argv[++i]);
    else if (strcmp (a, "--async") == 0)
      use_async = true;
    else if (strcmp (a, "--zeroes") == 0)
      do_zeroes = true;
    else if (strcmp (a, "--command-error") == 0)
      command_error = true;
    else if (strcmp (a, "--expect-lba") == 0 && i + 1 < argc)
      expect_lba = parse_size (argv[++i]);
    else if (strcmp (a, "--within") == 0 && i + 1 < argc)
      within = strtod (argv[++i], NULL);
    else if (strcmp (a, "--expect") == 0 && i + 1 < argc)
      expect_text = argv[++i];
    else if (strcmp (a, "--expect-nqn") == 0 && i + 1 < argc)
      expect_nqn = argv[++i];
    else if (strcmp (a, "--expect-count") == 0 && i + 1 < argc)
      expect_count = parse_size (argv[++i]);
    else
      FAIL ("unknown argument '%s'", a);
  }
  if (nr_sizes == 0) {
    static const uint64_t def[] = {
      512, 4096, 8192, 12288, 65536, 131072, 1 << 20, 4 << 20, 16 << 20,
    };
    memcpy (sizes, def, sizeof def);
    nr_sizes = sizeof def / sizeof def[0];
  }
  if (threads == 0 || threads > 64)
    FAIL ("--threads must be 1..64");
}

static void
connect_ns (void)
{
  const struct nvmeof_ctrl_info *ci;
  uint32_t nsid = nvmeof_opts_get_nsid (opts);

  ctrl = nvmeof_connect (opts);
  if (ctrl == NULL)
    FAIL ("connect: %s", nvmeof_get_error ());
  ci = nvmeof_ctrl_get_info (ctrl);
  printf ("controller %u: %s, %u I/O queues of %u, max transfer %u, "
          "in-capsule %u, MAXH2CDATA %u, digests %d/%d\n",
          ci->cntlid, ci->model, ci->nr_io_queues, ci->queue_size,
          ci->max_transfer, ci->ioccsz_bytes, ci->maxh2cdata, ci->hdr_digest,
          ci->data_digest);
  ns = nvmeof_ns_open (ctrl, nsid ? nsid : 1);
  if (ns == NULL)
    FAIL ("ns_open: %s", nvmeof_get_error ());
  info = nvmeof_ns_get_info (ns);
  printf ("namespace %u: %" PRIu64 " bytes, LBA %u, max transfer %u, "
          "vwc %d, wz %d, dealloc %d\n",
          info->nsid, info->size, info->lba_size, info->max_transfer,
          info->volatile_write_cache, info->has_write_zeroes,
          info->has_deallocate);
  if (expect_lba && info->lba_size != expect_lba)
    FAIL ("LBA size %u, expected %u", info->lba_size, expect_lba);
}

/* ---- io -------------------------------------------------------------- */

struct worker {
  unsigned id;
  uint64_t base, region; /* bytes */
  uint64_t seed;
  uint8_t *wbuf, *rbuf;
  uint64_t bytes;
  bool failed;
};

static uint64_t
pick_offset (struct worker *w, uint64_t size)
{
  uint64_t lba = info->lba_size;
  uint64_t slots = (w->region - size) / lba + 1;

  return w->base + (rnd (&w->seed) % slots) * lba;
}

static void
check_same (struct worker *w, uint64_t off, size_t len, const char *what)
{
  size_t i;

  if (memcmp (w->wbuf, w->rbuf, len) == 0)
    return;
  for (i = 0; i < len && w->wbuf[i] == w->rbuf[i]; i++)
    ;
  FAIL ("thread %u: %s of %zu bytes at %" PRIu64 ": data differs from byte "
        "%zu on",
        w->id, what, len, off, i);
}

static void *
io_worker (void *arg)
{
  struct worker *w = arg;
  unsigned r, i;

  for (r = 0; r < rounds; r++) {
    for (i = 0; i < nr_sizes; i++) {
      uint64_t size = sizes[i] / info->lba_size * info->lba_size;
      uint64_t off;

      if (size == 0 || size > w->region)
        continue;
      off = pick_offset (w, size);
      fill_random (&w->seed, w->wbuf, size);
      if (nvmeof_write (ns, w->wbuf, size, off, (i & 1) ? NVMEOF_FUA : 0) < 0)
        FAIL ("thread %u: write %" PRIu64 "@%" PRIu64 ": %s", w->id, size, off,
              nvmeof_get_error ());
      memset (w->rbuf, 0xA5, size);
      if (nvmeof_read (ns, w->rbuf, size, off) < 0)
        FAIL ("thread %u: read %" PRIu64 "@%" PRIu64 ": %s", w->id, size, off,
              nvmeof_get_error ());
      check_same (w, off, size, "read back");
      w->bytes += 2 * size;
    }
  }
  return NULL;
}

/* Async: every size written at once, then read at once. */
struct aio_slot {
  unsigned done;
  int status;
};

static void
aio_cb (void *opaque, int status, uint16_t nvme_status)
{
  struct aio_slot *s = opaque;

  s->done++;
  s->status = status;
  if (status)
    fprintf (stderr, "e2e-io: async error %d (nvme status 0x%x): %s\n", status,
             nvme_status, nvmeof_get_error ());
}

static void
aio_wait (struct aio_slot *slots, unsigned n)
{
  int fd = nvmeof_ctrl_get_fd (ctrl);
  double deadline = now_s () + 120;
  unsigned i, done;

  for (;;) {
    struct pollfd pfd = { .fd = fd, .events = POLLIN };

    for (i = done = 0; i < n; i++)
      done += slots[i].done;
    if (done == n)
      break;
    if (now_s () > deadline)
      FAIL ("async: only %u of %u completed within 120 s", done, n);
    poll (&pfd, 1, 1000);
    if (nvmeof_ctrl_process (ctrl) < 0)
      FAIL ("process: %s", nvmeof_get_error ());
  }
  for (i = 0; i < n; i++)
    if (slots[i].done != 1 || slots[i].status != 0)
      FAIL ("async request %u: %u callbacks, status %d", i, slots[i].done,
            slots[i].status);
}

static void
run_async (struct worker *w)
{
  struct aio_slot slots[64];
  uint64_t offs[64], lens[64], pos = w->base, total = 0;
  unsigned i, n = 0;
  uint8_t *wb, *rb;

  for (i = 0; i < nr_sizes; i++) {
    uint64_t size = sizes[i] / info->lba_size * info->lba_size;

    if (size == 0 || total + size > w->region)
      continue;
    offs[n] = pos;
    lens[n] = size;
    pos += size;
    total += size;
    n++;
  }
  wb = malloc (total);
  rb = malloc (total);
  if (wb == NULL || rb == NULL)
    FAIL ("out of memory");
  fill_random (&w->seed, wb, total);
  memset (slots, 0, sizeof slots);
  for (i = 0, pos = 0; i < n; pos += lens[i], i++)
    if (nvmeof_aio_write (ns, wb + pos, lens[i], offs[i], 0, aio_cb,
                          &slots[i]) < 0)
      FAIL ("aio_write: %s", nvmeof_get_error ());
  aio_wait (slots, n);
  memset (slots, 0, sizeof slots);
  memset (rb, 0x5A, total);
  for (i = 0, pos = 0; i < n; pos += lens[i], i++)
    if (nvmeof_aio_read (ns, rb + pos, lens[i], offs[i], aio_cb, &slots[i]) < 0)
      FAIL ("aio_read: %s", nvmeof_get_error ());
  aio_wait (slots, n);
  if (memcmp (wb, rb, total) != 0)
    FAIL ("async: data read back differs");
  memset (slots, 0, sizeof slots);
  if (nvmeof_aio_flush (ns, aio_cb, &slots[0]) < 0)
    FAIL ("aio_flush: %s", nvmeof_get_error ());
  aio_wait (slots, 1);
  printf ("async: %u writes and reads of %" PRIu64 " bytes in all: ok\n", n,
          total);
  free (wb);
  free (rb);
}

static void
check_zeroes (struct worker *w)
{
  uint64_t size = 256 * 1024, off = w->base, i;
  struct nvmeof_range r[3];

  if (size > w->region)
    size = w->region;
  fill_random (&w->seed, w->wbuf, size);
  if (nvmeof_write (ns, w->wbuf, size, off, 0) < 0)
    FAIL ("write: %s", nvmeof_get_error ());
  if (info->has_write_zeroes) {
    if (nvmeof_write_zeroes (ns, size / 2, off, NVMEOF_DEALLOCATE) < 0)
      FAIL ("write_zeroes: %s", nvmeof_get_error ());
    if (nvmeof_read (ns, w->rbuf, size, off) < 0)
      FAIL ("read: %s", nvmeof_get_error ());
    for (i = 0; i < size / 2; i++)
      if (w->rbuf[i])
        FAIL ("write zeroes: byte %" PRIu64 " is not zero", i);
    if (memcmp (w->rbuf + size / 2, w->wbuf + size / 2, size / 2) != 0)
      FAIL ("write zeroes changed data beyond its range");
    printf ("write zeroes: ok\n");
  }
  if (info->has_deallocate) {
    /* Three ranges: the first and last LBA-sized pieces and one in the
     * middle. */
    r[0].offset = off;
    r[0].length = info->lba_size;
    r[1].offset = off + size / 2;
    r[1].length = 4 * info->lba_size;
    r[2].offset = off + size - info->lba_size;
    r[2].length = info->lba_size;
    if (nvmeof_deallocate (ns, r, 3) < 0)
      FAIL ("deallocate: %s", nvmeof_get_error ());
    if (info->deallocated_reads_zero) {
      if (nvmeof_read (ns, w->rbuf, size, off) < 0)
        FAIL ("read: %s", nvmeof_get_error ());
      for (i = 0; i < 4 * info->lba_size; i++)
        if (w->rbuf[size / 2 + i])
          FAIL ("deallocate: byte %" PRIu64 " is not zero", size / 2 + i);
    }
    printf ("deallocate: ok\n");
  }
  if (nvmeof_flush (ns) < 0)
    FAIL ("flush: %s", nvmeof_get_error ());
}

static void
check_refusals (void)
{
  uint8_t buf[1024];

  if (nvmeof_read (ns, buf, 100, 0) == 0 || nvmeof_get_errno () != EINVAL)
    FAIL ("an unaligned read was not refused with EINVAL");
  printf ("unaligned read refused: %s\n", nvmeof_get_error ());
  if (nvmeof_read (ns, buf, info->lba_size, info->size) == 0 ||
      nvmeof_get_errno () != EINVAL)
    FAIL ("a read beyond the end was not refused with EINVAL");
  printf ("read beyond the end refused: %s\n", nvmeof_get_error ());
}

static void
mode_io (void)
{
  struct worker w[64];
  pthread_t t[64];
  uint64_t maxsize = 0, region, total = 0;
  unsigned i;
  double t0, dt;

  connect_ns ();
  for (i = 0; i < nr_sizes; i++)
    if (sizes[i] > maxsize)
      maxsize = sizes[i];
  region = info->size / threads / info->lba_size * info->lba_size;
  if (region < info->lba_size)
    FAIL ("namespace too small for %u threads", threads);
  check_refusals ();
  t0 = now_s ();
  for (i = 0; i < threads; i++) {
    w[i] = (struct worker){
      .id = i,
      .base = i * region,
      .region = region,
      .seed = 0x9E3779B97F4A7C15ull * (i + 1) ^ (uint64_t) time (NULL),
    };
    w[i].wbuf = malloc (maxsize > 262144 ? maxsize : 262144);
    w[i].rbuf = malloc (maxsize > 262144 ? maxsize : 262144);
    if (!w[i].wbuf || !w[i].rbuf)
      FAIL ("out of memory");
    if (pthread_create (&t[i], NULL, io_worker, &w[i]) != 0)
      FAIL ("pthread_create");
  }
  for (i = 0; i < threads; i++) {
    pthread_join (t[i], NULL);
    total += w[i].bytes;
  }
  dt = now_s () - t0;
  printf ("io: %u threads, %u sizes, %u rounds: %" PRIu64 " bytes compared "
          "in %.2f s: ok\n",
          threads, nr_sizes, rounds, total / 2, dt);
  if (use_async)
    run_async (&w[0]);
  if (do_zeroes)
    check_zeroes (&w[0]);
  for (i = 0; i < threads; i++) {
    free (w[i].wbuf);
    free (w[i].rbuf);
  }
  nvmeof_ns_close (ns);
  nvmeof_close (ctrl);
}

/* ---- fault ------------------------------------------------------------ */

static double first_fail_at;
static pthread_mutex_t fail_lock = PTHREAD_MUTEX_INITIALIZER;
static char first_msg[1024];

static void *
fault_worker (void *arg)
{
  struct worker *w = arg;
  double stop = now_s () + (within > 0 ? within : 30) + 30;

  while (now_s () < stop) {
    uint64_t size = 65536, off = pick_offset (w, size);

    if (command_error) {
      bool seen;

      pthread_mutex_lock (&fail_lock);
      seen = first_fail_at != 0;
      pthread_mutex_unlock (&fail_lock);
      if (seen)
        return NULL;
    }
    int r;

    fill_random (&w->seed, w->wbuf, size);
    r = nvmeof_write (ns, w->wbuf, size, off, 0);
    if (r == 0) {
      r = nvmeof_read (ns, w->rbuf, size, off);
      if (r == 0)
        check_same (w, off, size, "read back");
    }
    if (r < 0) {
      pthread_mutex_lock (&fail_lock);
      if (first_fail_at == 0) {
        first_fail_at = now_s ();
        snprintf (first_msg, sizeof first_msg, "%s (errno %d)",
                  nvmeof_get_error (), nvmeof_get_errno ());
      }
      pthread_mutex_unlock (&fail_lock);
      w->failed = true;
      if (command_error) {
        /* Only that command failed: the connection is still good. */
        if (nvmeof_read (ns, w->rbuf, 4096, 0) < 0)
          FAIL ("thread %u: a read after a command error failed: %s", w->id,
                nvmeof_get_error ());
      }
      /* A failed controller fails later commands at once. */
      else if (nvmeof_read (ns, w->rbuf, 4096, 0) == 0)
        FAIL ("thread %u: a read succeeded after the controller failed", w->id);
      return NULL;
    }
  }
  return NULL;
}

static void
mode_fault (void)
{
  struct worker w[64];
  pthread_t t[64];
  uint64_t region;
  unsigned i;
  double t0, t1;

  connect_ns ();
  region = info->size / threads / info->lba_size * info->lba_size;
  t0 = now_s ();
  for (i = 0; i < threads; i++) {
    w[i] = (struct worker){
      .id = i,
      .base = i * region,
      .region = region,
      .seed = 0x9E3779B97F4A7C15ull * (i + 1),
    };
    w[i].wbuf = malloc (65536);
    w[i].rbuf = malloc (65536);
    if (pthread_create (&t[i], NULL, fault_worker, &w[i]) != 0)
      FAIL ("pthread_create");
  }
  for (i = 0; i < threads; i++)
    pthread_join (t[i], NULL);
  t1 = now_s ();
  if (first_fail_at == 0)
    FAIL ("no error was seen");
  for (i = 0; i < threads; i++) {
    if (!w[i].failed && !command_error)
      FAIL ("thread %u never saw an error", i);
    free (w[i].wbuf);
    free (w[i].rbuf);
  }
  printf ("fault: first error after %.2f s, all %u threads stopped after "
          "%.2f s: %s\n",
          first_fail_at - t0, threads, t1 - t0, first_msg);
  if (within > 0 && t1 - t0 > within)
    FAIL ("the threads took %.2f s to fail, more than %.1f s", t1 - t0, within);
  if (expect_text && strstr (first_msg, expect_text) == NULL)
    FAIL ("the error does not mention '%s'", expect_text);
  nvmeof_ns_close (ns);
  t0 = now_s ();
  nvmeof_close (ctrl);
  printf ("close took %.2f s\n", now_s () - t0);
}

/* ---- connect-fail, discover, info ------------------------------------- */

static void
mode_connect_fail (void)
{
  double t0 = now_s ();

  ctrl = nvmeof_connect (opts);
  if (ctrl)
    FAIL ("connect succeeded");
  printf ("connect failed after %.2f s: %s (errno %d, status 0x%x)\n",
          now_s () - t0, nvmeof_get_error (), nvmeof_get_errno (),
          nvmeof_get_status ());
  if (expect_text && strstr (nvmeof_get_error (), expect_text) == NULL)
    FAIL ("the error does not mention '%s'", expect_text);
  if (within > 0 && now_s () - t0 > within)
    FAIL ("connect took longer than %.1f s to fail", within);
}

static void
mode_discover (void)
{
  struct nvmeof_disc_entry *e;
  size_t n, i;
  uint64_t genctr;
  bool found = false;

  ctrl = nvmeof_connect (opts);
  if (ctrl == NULL)
    FAIL ("connect: %s", nvmeof_get_error ());
  if (!nvmeof_ctrl_get_info (ctrl)->discovery)
    FAIL ("not a discovery controller");
  if (nvmeof_discover (ctrl, &e, &n, &genctr) < 0)
    FAIL ("discover: %s", nvmeof_get_error ());
  printf ("discovery log: generation %" PRIu64 ", %zu entries\n", genctr, n);
  for (i = 0; i < n; i++) {
    printf ("  %s %s %s:%s %s (%s)\n", nvmeof_trtype_string (e[i].trtype),
            nvmeof_adrfam_string (e[i].adrfam), e[i].traddr, e[i].trsvcid,
            e[i].subnqn, nvmeof_subtype_string (e[i].subtype));
    if (expect_nqn && strcmp (e[i].subnqn, expect_nqn) == 0)
      found = true;
  }
  free (e);
  nvmeof_close (ctrl);
  if (expect_nqn && !found)
    FAIL ("%s is not in the discovery log", expect_nqn);
}

static void
mode_namespaces (void)
{
  uint32_t *ids;
  int64_t n, i;
  uint8_t wbuf[4096], rbuf[4096];
  uint64_t seed = 7;

  ctrl = nvmeof_connect (opts);
  if (ctrl == NULL)
    FAIL ("connect: %s", nvmeof_get_error ());
  n = nvmeof_list_namespaces (ctrl, NULL, 0);
  if (n < 0)
    FAIL ("list: %s", nvmeof_get_error ());
  printf ("%" PRId64 " active namespaces\n", n);
  if (expect_count && n != expect_count)
    FAIL ("%" PRId64 " namespaces, expected %u", n, expect_count);
  ids = calloc (n + 1, sizeof *ids);
  if (nvmeof_list_namespaces (ctrl, ids, n) != n)
    FAIL ("list again: %s", nvmeof_get_error ());
  for (i = 0; i < n; i++)
    if (ids[i] != (uint32_t) i + 1)
      FAIL ("entry %" PRId64 " is %u", i, ids[i]);
  ns = nvmeof_ns_open (ctrl, ids[n - 1]);
  if (ns == NULL)
    FAIL ("ns_open %u: %s", ids[n - 1], nvmeof_get_error ());
  info = nvmeof_ns_get_info (ns);
  printf ("namespace %u: %" PRIu64 " bytes, nguid %d eui64 %d uuid %d\n",
          info->nsid, info->size, info->has_nguid, info->has_eui64,
          info->has_uuid);
  if (!info->has_nguid && !info->has_eui64 && !info->has_uuid)
    FAIL ("namespace %u has no identifier", info->nsid);
  fill_random (&seed, wbuf, info->lba_size);
  if (nvmeof_write (ns, wbuf, info->lba_size, 0, 0) < 0 ||
      nvmeof_read (ns, rbuf, info->lba_size, 0) < 0)
    FAIL ("I/O: %s", nvmeof_get_error ());
  if (memcmp (wbuf, rbuf, info->lba_size) != 0)
    FAIL ("read back differs");
  free (ids);
  nvmeof_ns_close (ns);
  nvmeof_close (ctrl);
}

static void
mode_readonly (void)
{
  uint8_t buf[4096];

  connect_ns ();
  if (!info->write_protected)
    FAIL ("the namespace is not reported write protected");
  if (nvmeof_read (ns, buf, info->lba_size, 0) < 0)
    FAIL ("read: %s", nvmeof_get_error ());
  memset (buf, 0x11, sizeof buf);
  if (nvmeof_write (ns, buf, info->lba_size, 0, 0) == 0)
    FAIL ("a write to a write-protected namespace succeeded");
  printf ("write refused: %s (errno %d)\n", nvmeof_get_error (),
          nvmeof_get_errno ());
  if (nvmeof_get_errno () != EROFS)
    FAIL ("errno %d, expected EROFS", nvmeof_get_errno ());
  nvmeof_ns_close (ns);
  nvmeof_close (ctrl);
}

int
main (int argc, char **argv)
{
  setvbuf (stdout, NULL, _IOLBF, 0);
  parse_args (argc, argv);
  if (strcmp (mode, "io") == 0)
    mode_io ();
  else if (strcmp (mode, "fault") == 0)
    mode_fault ();
  else if (strcmp (mode, "connect-fail") == 0)
    mode_connect_fail ();
  else if (strcmp (mode, "discover") == 0)
    mode_discover ();
  else if (strcmp (mode, "readonly") == 0)
    mode_readonly ();
  else if (strcmp (mode, "namespaces") == 0)
    mode_namespaces ();
  else if (strcmp (mode, "info") == 0) {
    connect_ns ();
    nvmeof_ns_close (ns);
    nvmeof_close (ctrl);
  }
  else
    FAIL ("unknown mode '%s'", mode);
  nvmeof_opts_free (opts);
  return 0;
}
