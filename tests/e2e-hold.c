/* SPDX-License-Identifier: BSD-3-Clause */
/* libnvmeof holding commands across a reconnect, end to end against
 * nvmeof-target, driven by tests/test-lib-reconnect.sh and
 * tests/test-lib-hold.sh.
 *
 *   e2e-hold reconnect URL [key=value..] [--rounds N] --within SECS
 *       writes and read-backs of random data across the fault the target
 *       injects (--fault-* --fault-once): not one error; the data written
 *       before the fault is intact; all within SECS.
 *   e2e-hold giveup URL [key=value..] --kill PID [--stop] --loss SECS
 *                   --within SECS
 *       after a good write, SIGTERM (SIGSTOP) the target: a read is held,
 *       then fails with EIO saying ctrl-loss-tmo, not before LOSS seconds
 *       and within SECS of the signal; later reads fail at once; close
 *       returns promptly.
 *   e2e-hold failfast URL [key=value..] --kill PID --ffail SECS
 *                     --within SECS --wait-file FILE
 *       after a good write, SIGKILL the target: a read fails with EIO
 *       naming fast-io-fail-tmo, not before FFAIL seconds and within SECS;
 *       the next fails at once; then (the script restarts the target and
 *       creates FILE) reads work again within SECS, with the data.
 *   e2e-hold hold URL [key=value..] --kill PID --threads N --wait-file FILE
 *                 --within SECS
 *       after good writes, SIGKILL the target; then N threads write new
 *       random data and read it back, another flushes, writes zeroes and
 *       deallocates, another reads Identify, a log page and a feature,
 *       and an asynchronous read is submitted: all are held (none
 *       completes while the target is away), while Set Features fails at
 *       once saying it is not repeated.  Prints "held", waits for FILE (the
 *       script restarts the target, file-backed, and creates it); then
 *       every held command completes within SECS, without error, and the
 *       data read back is what was written.
 *
 * Exit 0 on success, 1 on failure. */
#include <config.h>

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "nvmeof.h"
#define E2E_NAME "e2e-hold"
#include "e2e-common.h"

static const char *mode, *url, *wait_file;
static struct nvmeof_opts *opts;
static unsigned threads = 4, rounds = 200;
static double within = 60, loss, ffail;
static long kill_pid;
static int kill_sig = SIGTERM;

static struct nvmeof_ctrl *ctrl;
static struct nvmeof_ns *ns;
static const struct nvmeof_ns_info *info;

static void
parse_args (int argc, char **argv)
{
  int i;

  if (argc < 3)
    FAIL ("usage: e2e-hold reconnect|giveup|failfast|hold URL ...");
  mode = argv[1];
  url = argv[2];
  opts = nvmeof_opts_new ();
  if (opts == NULL || nvmeof_opts_set (opts, "url", url) < 0)
    FAIL ("url: %s", nvmeof_get_error ());
  for (i = 3; i < argc; i++) {
    const char *a = argv[i];

    if (e2e_set_option (opts, a))
      continue;
    if (strcmp (a, "--threads") == 0 && i + 1 < argc)
      threads = strtoul (argv[++i], NULL, 10);
    else if (strcmp (a, "--rounds") == 0 && i + 1 < argc)
      rounds = strtoul (argv[++i], NULL, 10);
    else if (strcmp (a, "--within") == 0 && i + 1 < argc)
      within = strtod (argv[++i], NULL);
    else if (strcmp (a, "--loss") == 0 && i + 1 < argc)
      loss = strtod (argv[++i], NULL);
    else if (strcmp (a, "--ffail") == 0 && i + 1 < argc)
      ffail = strtod (argv[++i], NULL);
    else if (strcmp (a, "--kill") == 0 && i + 1 < argc)
      kill_pid = strtol (argv[++i], NULL, 10);
    else if (strcmp (a, "--stop") == 0)
      kill_sig = SIGSTOP;
    else if (strcmp (a, "--wait-file") == 0 && i + 1 < argc)
      wait_file = argv[++i];
    else
      FAIL ("unknown argument '%s'", a);
  }
  if (threads == 0 || threads > 16)
    FAIL ("--threads must be 1..16");
}

static void
connect_ns (void)
{
  ctrl = nvmeof_connect (opts);
  if (ctrl == NULL)
    FAIL ("connect: %s", nvmeof_get_error ());
  ns = nvmeof_ns_open (ctrl, 1);
  if (ns == NULL)
    FAIL ("ns_open: %s", nvmeof_get_error ());
  info = nvmeof_ns_get_info (ns);
}

static void
close_ns (void)
{
  double t = now_s ();

  nvmeof_ns_close (ns);
  nvmeof_close (ctrl);
  printf ("close took %.2f s\n", now_s () - t);
  if (now_s () - t > 5)
    FAIL ("close took too long");
}

static void
signal_target (void)
{
  if (kill_pid <= 0)
    FAIL ("%s needs --kill PID", mode);
  if (kill ((pid_t) kill_pid, kill_sig) < 0)
    FAIL ("kill %ld: %s", kill_pid, strerror (errno));
}

/* Wait (bounded) for the script to create wait_file. */
static void
wait_for_file (void)
{
  double t0 = now_s ();

  if (wait_file == NULL)
    FAIL ("%s needs --wait-file FILE", mode);
  while (access (wait_file, F_OK) != 0) {
    if (now_s () - t0 > 120)
      FAIL ("%s did not appear within 120 s", wait_file);
    usleep (20000);
  }
}

static void
expect_same (const uint8_t *a, const uint8_t *b, size_t len, const char *what)
{
  if (memcmp (a, b, len) != 0)
    FAIL ("%s: the data read differs from what was written", what);
}

/* ---- reconnect ----------------------------------------------------------- */

static void
mode_reconnect (void)
{
  size_t size = 1 << 20, small = 65536;
  uint8_t *before = malloc (size), *rbuf = malloc (size);
  uint8_t *wbuf = malloc (small);
  uint64_t seed = 12345;
  double t0, worst = 0;
  unsigned i;

  if (!before || !rbuf || !wbuf)
    FAIL ("out of memory");
  connect_ns ();
  fill_random (&seed, before, size);
  if (nvmeof_write (ns, before, size, 0, 0) < 0)
    FAIL ("write: %s", nvmeof_get_error ());
  t0 = now_s ();
  for (i = 0; i < rounds; i++) {
    uint64_t off = size + (uint64_t) (i % 64) * small;
    double t = now_s ();

    fill_random (&seed, wbuf, small);
    if (nvmeof_write (ns, wbuf, small, off, (i & 1) ? NVMEOF_FUA : 0) < 0)
      FAIL ("write %u after %.2f s: %s", i, now_s () - t0, nvmeof_get_error ());
    if (nvmeof_read (ns, rbuf, small, off) < 0)
      FAIL ("read %u after %.2f s: %s", i, now_s () - t0, nvmeof_get_error ());
    expect_same (wbuf, rbuf, small, "read back");
    if (now_s () - t > worst)
      worst = now_s () - t;
    if (now_s () - t0 > within)
      FAIL ("%u rounds took more than %.1f s", i + 1, within);
  }
  if (nvmeof_read (ns, rbuf, size, 0) < 0)
    FAIL ("read: %s", nvmeof_get_error ());
  expect_same (before, rbuf, size, "data written before the fault");
  printf ("reconnect: %u rounds in %.2f s, not one error, the longest took "
          "%.2f s: ok\n",
          rounds, now_s () - t0, worst);
  free (before);
  free (rbuf);
  free (wbuf);
  close_ns ();
}

/* ---- giveup, failfast ---------------------------------------------------- */

/* Read until one fails; the time from t0 to that failure. */
static double
read_until_failure (uint8_t *buf, double t0)
{
  for (;;) {
    if (nvmeof_read (ns, buf, 4096, 0) < 0)
      return now_s () - t0;
    /* The target may still be finishing; it must fail soon. */
    if (now_s () - t0 > within)
      FAIL ("reads still succeed %.1f s after the signal", within);
    usleep (50000);
  }
}

static void
expect_at_once (uint8_t *buf, const char *text)
{
  double t = now_s ();

  if (nvmeof_read (ns, buf, 4096, 0) == 0)
    FAIL ("a read succeeded after the failure");
  if (now_s () - t > 1)
    FAIL ("the next read took %.2f s to fail", now_s () - t);
  if (strstr (nvmeof_get_error (), text) == NULL)
    FAIL ("the next read's error does not say '%s': %s", text,
          nvmeof_get_error ());
  printf ("the next read failed at once: %s\n", nvmeof_get_error ());
}

static void
mode_giveup (void)
{
  uint8_t buf[4096];
  char text[80];
  double t0, took;

  connect_ns ();
  memset (buf, 0x42, sizeof buf);
  if (nvmeof_write (ns, buf, sizeof buf, 0, 0) < 0)
    FAIL ("write: %s", nvmeof_get_error ());
  t0 = now_s ();
  signal_target ();
  took = read_until_failure (buf, t0);
  printf ("a read failed %.2f s after the signal: %s (errno %d)\n", took,
          nvmeof_get_error (), nvmeof_get_errno ());
  snprintf (text, sizeof text, "gave up reconnecting after %.0f s", loss);
  if (strstr (nvmeof_get_error (), text) == NULL ||
      strstr (nvmeof_get_error (), "(ctrl-loss-tmo)") == NULL)
    FAIL ("the error does not say '%s ... (ctrl-loss-tmo)'", text);
  if (nvmeof_get_errno () != EIO)
    FAIL ("errno %d, expected EIO", nvmeof_get_errno ());
  /* Held, not failed at once: it cannot fail before ctrl-loss-tmo. */
  if (took < loss - 0.1)
    FAIL ("the read failed after %.2f s, before ctrl-loss-tmo (%.0f s)", took,
          loss);
  if (took > within)
    FAIL ("the read took %.2f s to fail, more than %.1f s", took, within);
  expect_at_once (buf, "gave up reconnecting");
  close_ns ();
}

static void
mode_failfast (void)
{
  size_t len = 65536;
  uint8_t *wbuf = malloc (len), *rbuf = malloc (len);
  uint64_t seed = 99;
  char text[80];
  double t0, took;

  if (!wbuf || !rbuf)
    FAIL ("out of memory");
  connect_ns ();
  fill_random (&seed, wbuf, len);
  if (nvmeof_write (ns, wbuf, len, 0, NVMEOF_FUA) < 0)
    FAIL ("write: %s", nvmeof_get_error ());
  t0 = now_s ();
  kill_sig = SIGKILL;
  signal_target ();
  took = read_until_failure (rbuf, t0);
  printf ("a read failed %.2f s after the kill: %s (errno %d)\n", took,
          nvmeof_get_error (), nvmeof_get_errno ());
  snprintf (text, sizeof text, "fast-io-fail-tmo (%.0f s) expired", ffail);
  if (strstr (nvmeof_get_error (), text) == NULL)
    FAIL ("the error does not say '%s'", text);
  if (nvmeof_get_errno () != EIO)
    FAIL ("errno %d, expected EIO", nvmeof_get_errno ());
  if (took < ffail - 0.1)
    FAIL ("the read failed after %.2f s, before fast-io-fail-tmo (%.0f s)",
          took, ffail);
  if (took > within)
    FAIL ("the read took %.2f s to fail, more than %.1f s", took, within);
  expect_at_once (rbuf, "fast-io-fail-tmo");
  if (strstr (nvmeof_get_error (), "(reconnecting)") == NULL)
    FAIL ("the error does not say that reconnecting goes on");
  printf ("waiting for the target\n");
  wait_for_file ();
  t0 = now_s ();
  while (nvmeof_read (ns, rbuf, len, 0) < 0) {
    if (now_s () - t0 > within)
      FAIL ("reads still fail %.1f s after the target came back: %s", within,
            nvmeof_get_error ());
    usleep (100000);
  }
  expect_same (wbuf, rbuf, len, "read after the target came back");
  printf ("reads work again %.2f s after the target came back: ok\n",
          now_s () - t0);
  free (wbuf);
  free (rbuf);
  close_ns ();
}

/* ---- hold ---------------------------------------------------------------- */

#define HOLD_LEN (256 * 1024) /* two commands at a 128 KiB MDTS */

static atomic_uint completed;
static uint8_t id_before[4096];

struct holder {
  unsigned id;
  uint8_t *wbuf, *rbuf;
  const char *failed; /* what failed, NULL if nothing */
  char msg[512];
};

static void
holder_fail (struct holder *h, const char *what)
{
  h->failed = what;
  snprintf (h->msg, sizeof h->msg, "%s", nvmeof_get_error ());
}

static void *
io_holder (void *arg)
{
  struct holder *h = arg;
  uint64_t off = (uint64_t) (h->id + 1) * HOLD_LEN;

  if (nvmeof_write (ns, h->wbuf, HOLD_LEN, off, h->id & 1 ? NVMEOF_FUA : 0) < 0)
    holder_fail (h, "write");
  else if (nvmeof_read (ns, h->rbuf, HOLD_LEN, off) < 0)
    holder_fail (h, "read");
  atomic_fetch_add (&completed, 1);
  return NULL;
}

/* Flush, Write Zeroes (read back), Dataset Management. */
static void *
misc_holder (void *arg)
{
  struct holder *h = arg;
  uint64_t off = (uint64_t) (threads + 1) * HOLD_LEN;
  struct nvmeof_range r = { .offset = off + 65536, .length = 65536 };
  unsigned i;

  if (nvmeof_flush (ns) < 0)
    holder_fail (h, "flush");
  else if (info->has_write_zeroes &&
           nvmeof_write_zeroes (ns, 65536, off, 0) < 0)
    holder_fail (h, "write zeroes");
  else if (nvmeof_read (ns, h->rbuf, 65536, off) < 0)
    holder_fail (h, "read of the zeroes");
  else if (info->has_deallocate && nvmeof_deallocate (ns, &r, 1) < 0)
    holder_fail (h, "deallocate");
  for (i = 0; !h->failed && info->has_write_zeroes && i < 65536; i++)
    if (h->rbuf[i]) {
      snprintf (h->msg, sizeof h->msg, "byte %u is not zero", i);
      h->failed = "write zeroes";
    }
  atomic_fetch_add (&completed, 1);
  return NULL;
}

/* Identify, Get Log Page, Get Features: admin commands that are held. */
static void *
admin_holder (void *arg)
{
  struct holder *h = arg;
  uint32_t v;

  if (nvmeof_identify (ctrl, 1, 0, h->rbuf) < 0)
    holder_fail (h, "Identify");
  else if (memcmp (h->rbuf + 4, id_before + 4, 60) != 0) { /* SN, MN */
    snprintf (h->msg, sizeof h->msg, "serial or model changed");
    h->failed = "Identify";
  }
  else if (nvmeof_get_log_page (ctrl, 0x02, 0, 0xFFFFFFFF, 0, h->rbuf, 512) < 0)
    holder_fail (h, "Get Log Page");
  else if (nvmeof_get_features (ctrl, 0x07, 0, 0, &v) < 0)
    holder_fail (h, "Get Features");
  atomic_fetch_add (&completed, 1);
  return NULL;
}

static atomic_int aio_status = 1; /* 1: not yet called */

static void
aio_done (void *opaque, int status, uint16_t nvme_status)
{
  (void) opaque;
  if (status)
    fprintf (stderr, "e2e-hold: async read: %d (status 0x%x): %s\n", status,
             nvme_status, nvmeof_get_error ());
  atomic_store (&aio_status, status);
}

/* Run asynchronous callbacks for up to secs, or until the read is done. */
static void
process_for (double secs)
{
  int fd = nvmeof_ctrl_get_fd (ctrl);
  double end = now_s () + secs;

  while (now_s () < end && atomic_load (&aio_status) == 1) {
    struct pollfd pfd = { .fd = fd, .events = POLLIN };

    poll (&pfd, 1, 50);
    if (nvmeof_ctrl_process (ctrl) < 0)
      FAIL ("nvmeof_ctrl_process: %s", nvmeof_get_error ());
  }
}

static void
mode_hold (void)
{
  unsigned n = threads + 2, i;
  struct holder h[18];
  pthread_t t[18];
  uint8_t *abuf = malloc (HOLD_LEN), *awant = malloc (HOLD_LEN);
  uint64_t seed = 4242;
  double t0;
  uint32_t v;

  if (!abuf || !awant)
    FAIL ("out of memory");
  connect_ns ();
  if (nvmeof_identify (ctrl, 1, 0, id_before) < 0)
    FAIL ("Identify: %s", nvmeof_get_error ());
  /* What the asynchronous read will find: written before the kill. */
  fill_random (&seed, awant, HOLD_LEN);
  if (nvmeof_write (ns, awant, HOLD_LEN, 0, NVMEOF_FUA) < 0)
    FAIL ("write: %s", nvmeof_get_error ());
  kill_sig = SIGKILL;
  signal_target ();

  memset (h, 0, sizeof h);
  for (i = 0; i < n; i++) {
    h[i].id = i;
    h[i].wbuf = malloc (HOLD_LEN);
    h[i].rbuf = malloc (HOLD_LEN);
    if (!h[i].wbuf || !h[i].rbuf)
      FAIL ("out of memory");
    fill_random (&seed, h[i].wbuf, HOLD_LEN);
    if (pthread_create (&t[i], NULL,
                        i < threads  ? io_holder :
                        i == threads ? misc_holder :
                                       admin_holder,
                        &h[i]) != 0)
      FAIL ("pthread_create");
  }
  if (nvmeof_aio_read (ns, abuf, HOLD_LEN, 0, aio_done, NULL) < 0)
    FAIL ("aio_read: %s", nvmeof_get_error ());

  /* Nothing completes while the target is away. */
  process_for (1.5);
  if (atomic_load (&completed) || atomic_load (&aio_status) != 1) {
    for (i = 0; i < n; i++)
      if (h[i].failed)
        fprintf (stderr, "e2e-hold: %u: %s: %s\n", i, h[i].failed, h[i].msg);
    FAIL ("%u commands completed with the target away (async: %d)",
          atomic_load (&completed), atomic_load (&aio_status));
  }
  /* A command that is not repeated fails at once, saying so. */
  t0 = now_s ();
  if (nvmeof_set_features (ctrl, 0x07, 0, 0, &v) == 0)
    FAIL ("Set Features succeeded with the target away");
  printf ("Set Features failed after %.2f s: %s\n", now_s () - t0,
          nvmeof_get_error ());
  if (strstr (nvmeof_get_error (), "not repeated") == NULL)
    FAIL ("the Set Features error does not say it was not repeated");
  if (now_s () - t0 > 1)
    FAIL ("Set Features took %.2f s to fail", now_s () - t0);
  printf ("held: %u threads and an asynchronous read wait\n", n);

  wait_for_file ();
  t0 = now_s ();
  while (atomic_load (&completed) < n || atomic_load (&aio_status) == 1) {
    if (now_s () - t0 > within)
      FAIL ("%u of %u held calls done (async: %d) %.1f s after the target "
            "came back",
            atomic_load (&completed), n, atomic_load (&aio_status), within);
    process_for (0.1);
  }
  for (i = 0; i < n; i++) {
    pthread_join (t[i], NULL);
    if (h[i].failed)
      FAIL ("thread %u: %s: %s", i, h[i].failed, h[i].msg);
    if (i < threads)
      expect_same (h[i].wbuf, h[i].rbuf, HOLD_LEN, "held read");
    free (h[i].wbuf);
    free (h[i].rbuf);
  }
  if (atomic_load (&aio_status) != 0)
    FAIL ("the asynchronous read failed");
  expect_same (awant, abuf, HOLD_LEN, "held asynchronous read");
  printf ("every held command completed %.2f s after the target came back, "
          "%u bytes compared: ok\n",
          now_s () - t0, (threads + 1) * HOLD_LEN);
  free (abuf);
  free (awant);
  close_ns ();
}

int
main (int argc, char **argv)
{
  setvbuf (stdout, NULL, _IOLBF, 0);
  parse_args (argc, argv);
  if (strcmp (mode, "reconnect") == 0)
    mode_reconnect ();
  else if (strcmp (mode, "giveup") == 0)
    mode_giveup ();
  else if (strcmp (mode, "failfast") == 0)
    mode_failfast ();
  else if (strcmp (mode, "hold") == 0)
    mode_hold ();
  else
    FAIL ("unknown mode '%s'", mode);
  nvmeof_opts_free (opts);
  return 0;
}
