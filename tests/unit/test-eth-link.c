/* SPDX-License-Identifier: BSD-3-Clause */
/* The NVMe/Eth engine end to end over a simulated link (eth-sim.c): a host
 * engine and a controller engine serving a RAM disk, moving thousands of
 * reads and writes of random sizes and random data both ways at MTU 1500
 * and 9000, with loss 1/5/10 %, reorder 25 %, duplicates 5 %, corruption
 * 1 % and delay 2 ms +- 1 ms.  Every read is compared with what the
 * writes left, every command must complete exactly once with success,
 * within the bound each scenario states; then the association closes
 * cleanly.  A slow controller (few frames per poll, small receive ring)
 * must never be overrun.  Prints the simulated throughput of each case.
 *   ETH_SIM_SCALE=N  multiplies the number of commands (default 1). */
#include <config.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "eth-sim.h"
#include "check.h"

#define DEPTH    32
#define REGION   (128 * 1024) /* each CID owns a region of the disk */
#define DISK     (DEPTH * REGION)
#define MAX_IO   (64 * 1024)
#define OP_WRITE 0x01
#define OP_READ  0x02
#define OP_FLUSH 0x00

struct workload {
  /* Controller: the disk, a buffer per CID, commands waiting to run. */
  uint8_t *disk;
  uint8_t *ctrl_buf[DEPTH];
  uint16_t pending[DEPTH];
  unsigned npending;
  uint64_t exec_every_us, next_exec; /* a slow controller: 0 = at once */
  uint64_t releases;
  uint32_t ctrl_off[DEPTH], ctrl_len[DEPTH]; /* from the SQE */
  /* Host: the expected disk, a buffer per CID, what is outstanding. */
  uint8_t *model;
  uint8_t *host_buf[DEPTH];
  bool outstanding[DEPTH];
  uint8_t op[DEPTH];
  uint32_t off[DEPTH], len[DEPTH];
  uint64_t submitted_at[DEPTH];
  unsigned to_submit, submitted, completed, bad_data, bad_status, dup_done;
  uint64_t bytes, max_latency_us, start_us, end_us;
  bool closing;
};

static struct workload *
app_of (void *ctx)
{
  return ((struct sim_end *) ctx)->app;
}

/* ---- The controller: a RAM disk ---------------------------------------- */

static void
ctrl_execute (struct sim_end *e, uint16_t cid)
{
  struct nvme_cqe cqe;

  memset (&cqe, 0, sizeof cqe);
  PUT16 (cqe.cid, cid);
  if (eth_ctrl_respond (e->a, &cqe) < 0)
    abort ();
}

static void
ctrl_capsule (void *ctx, const struct nvme_sqe *sqe, const void *icd,
              uint32_t icd_len)
{
  struct sim_end *e = ctx;
  struct workload *w = e->app;
  uint16_t cid = GET16 (sqe->cid);
  uint32_t off = GET32 (sqe->cdw10), len = GET32 (sqe->cdw12);

  if (off > DISK || len > DISK - off || cid >= DEPTH)
    abort ();
  w->ctrl_off[cid] = off;
  w->ctrl_len[cid] = len;
  switch (sqe->opcode) {
  case OP_WRITE:
    if (icd_len) {
      if (icd_len != len)
        abort ();
      memcpy (w->disk + off, icd, len);
      break;
    }
    if (eth_ctrl_r2t (e->a, cid, w->ctrl_buf[cid], len) < 0)
      abort ();
    return; /* data_ready runs it */
  case OP_READ:
    memcpy (w->ctrl_buf[cid], w->disk + off, len);
    if (eth_ctrl_send_data (e->a, cid, w->ctrl_buf[cid], len) < 0)
      abort ();
    break;
  default:
    break;
  }
  if (w->exec_every_us)
    w->pending[w->npending++] = cid;
  else
    ctrl_execute (e, cid);
}

static void
ctrl_data_ready (void *ctx, uint16_t cid)
{
  struct sim_end *e = ctx;
  struct workload *w = e->app;

  memcpy (w->disk + w->ctrl_off[cid], w->ctrl_buf[cid], w->ctrl_len[cid]);
  if (w->exec_every_us)
    w->pending[w->npending++] = cid;
  else
    ctrl_execute (e, cid);
}

static void
ctrl_release (void *ctx, uint16_t cid)
{
  (void) cid;
  app_of (ctx)->releases++;
}

/* ---- The host ------------------------------------------------------------ */

static void
host_complete (void *ctx, uint16_t cid, const struct nvme_cqe *cqe)
{
  struct sim_end *e = ctx;
  struct workload *w = e->app;
  uint64_t lat;

  if (cid >= DEPTH || !w->outstanding[cid]) {
    w->dup_done++;
    return;
  }
  w->outstanding[cid] = false;
  w->completed++;
  if (nvme_cqe_status (cqe) != 0 || GET16 (cqe->cid) != cid)
    w->bad_status++;
  lat = e->sim->now - w->submitted_at[cid];
  if (lat > w->max_latency_us)
    w->max_latency_us = lat;
  if (w->op[cid] == OP_WRITE)
    memcpy (w->model + w->off[cid], w->host_buf[cid], w->len[cid]);
  else if (w->op[cid] == OP_READ &&
           memcmp (w->host_buf[cid], w->model + w->off[cid], w->len[cid]))
    w->bad_data++;
  w->bytes += w->len[cid];
  if (w->completed == w->to_submit)
    w->end_us = e->sim->now;
}

/* Submit on every free CID; the controller's slow execution. */
static void
hook (struct sim *s, void *arg)
{
  struct workload *w = arg;
  bool queued = false;
  unsigned cid;

  if (w->exec_every_us && w->npending && s->now >= w->next_exec) {
    uint16_t cid0 = w->pending[0];

    memmove (w->pending, w->pending + 1, --w->npending * sizeof w->pending[0]);
    ctrl_execute (&s->ctrl, cid0);
    w->next_exec = s->now + w->exec_every_us;
    sim_poll (&s->ctrl);
  }
  if (!s->host.a || eth_assoc_state (s->host.a) != ETH_S_ESTABLISHED)
    return;
  for (cid = 0; cid < DEPTH && w->submitted < w->to_submit; cid++) {
    struct nvme_sqe sqe;
    uint32_t len, off, i;
    uint64_t r = sim_rand (s);
    enum eth_dir dir;

    if (w->outstanding[cid])
      continue;
    /* Mostly 1..64 KiB, some tiny, some exactly a frame. */
    len = 1 + (uint32_t) (sim_rand (s) % MAX_IO);
    if (r % 8 == 0)
      len = 1 + (uint32_t) (sim_rand (s) % 2048);
    off = (uint32_t) (sim_rand (s) % (REGION - len + 1));
    w->op[cid] = r % 16 == 1 ? OP_FLUSH : (r / 16) % 2 ? OP_WRITE : OP_READ;
    if (w->op[cid] == OP_FLUSH)
      len = 0;
    w->off[cid] = cid * REGION + off;
    w->len[cid] = len;
    memset (&sqe, 0, sizeof sqe);
    sqe.opcode = w->op[cid];
    PUT16 (sqe.cid, (uint16_t) cid);
    PUT32 (sqe.cdw10, w->off[cid]);
    PUT32 (sqe.cdw12, len);
    if (w->op[cid] == OP_WRITE) {
      for (i = 0; i + 8 <= len; i += 8) {
        uint64_t v = sim_rand (s);

        memcpy (w->host_buf[cid] + i, &v, 8);
      }
      for (; i < len; i++)
        w->host_buf[cid][i] = (uint8_t) sim_rand (s);
      dir = ETH_DIR_H2C;
    }
    else {
      memset (w->host_buf[cid], 0xEE, len);
      dir = w->op[cid] == OP_READ ? ETH_DIR_C2H : ETH_DIR_NONE;
    }
    if (eth_host_submit (s->host.a, &sqe, len ? w->host_buf[cid] : NULL, len,
                         dir) < 0)
      abort ();
    w->outstanding[cid] = true;
    w->submitted_at[cid] = s->now;
    w->submitted++;
    queued = true;
  }
  if (queued)
    sim_poll (&s->host);
  if (w->completed == w->to_submit && !w->closing) {
    w->closing = true;
    eth_assoc_close (s->host.a, s->now);
    sim_poll (&s->host);
  }
}

static bool
all_done (struct sim *s, void *arg)
{
  (void) arg;
  return s->host.closed && s->ctrl.closed;
}

/* ---- Scenarios ------------------------------------------------------------ */

struct scenario {
  const char *name;
  struct sim_link link;
  uint64_t bound_ms; /* simulated time for the whole run */
  uint64_t lat_ms;   /* for any one command */
};

static const struct eth_callbacks host_cb = {
  .tx = sim_tx,
  .closed = sim_closed,
  .complete = host_complete,
};
static const struct eth_callbacks ctrl_cb = {
  .tx = sim_tx,
  .closed = sim_closed,
  .capsule = ctrl_capsule,
  .data_ready = ctrl_data_ready,
  .release = ctrl_release,
};

/* The options the host asks for (NVME_ETH_OPT_*); the controller grants
 * every one, as nvmeof-target does. */
static uint32_t host_options = NVME_ETH_OPT_DATA_RSP | NVME_ETH_OPT_PACK;

static void
configs (struct eth_config *h, struct eth_config *c, uint16_t mtu,
         uint16_t window)
{
  memset (h, 0, sizeof *h);
  h->role = ETH_ROLE_HOST;
  h->qid = 1;
  h->queue_depth = DEPTH;
  h->max_frame = mtu;
  h->rx_window = h->tx_window = window;
  h->options = host_options;
  h->cb = &host_cb;
  *c = *h;
  c->role = ETH_ROLE_CTRL;
  c->icd_max = 16384;
  c->options = NVME_ETH_OPT_ALL;
  c->cb = &ctrl_cb;
}

static struct workload *
workload_new (unsigned n)
{
  struct workload *w = calloc (1, sizeof *w);
  unsigned i;

  if (w == NULL)
    abort ();
  w->disk = calloc (1, DISK);
  w->model = calloc (1, DISK);
  for (i = 0; i < DEPTH; i++) {
    w->ctrl_buf[i] = malloc (MAX_IO);
    w->host_buf[i] = malloc (MAX_IO);
    if (!w->ctrl_buf[i] || !w->host_buf[i])
      abort ();
  }
  if (!w->disk || !w->model)
    abort ();
  w->to_submit = n;
  return w;
}

static void
workload_free (struct workload *w)
{
  unsigned i;

  for (i = 0; i < DEPTH; i++) {
    free (w->ctrl_buf[i]);
    free (w->host_buf[i]);
  }
  free (w->disk);
  free (w->model);
  free (w);
}

static unsigned
scale (void)
{
  const char *v = getenv ("ETH_SIM_SCALE");
  unsigned long n = v ? strtoul (v, NULL, 10) : 1;

  return n > 0 && n < 1000 ? (unsigned) n : 1;
}

/* Run one scenario; returns the simulated MiB/s. */
static double
run (const struct scenario *sc, uint16_t mtu, unsigned n, uint64_t seed)
{
  struct eth_config hc, cc;
  struct workload *w = workload_new (n);
  struct sim s;
  const struct eth_stats *hs, *cs;
  double secs, mibs;
  clock_t c0 = clock ();

  configs (&hc, &cc, mtu, 256);
  sim_init (&s, &sc->link, seed, &hc, &cc, 4096);
  s.host.app = s.ctrl.app = w;
  w->start_us = s.now;
  sim_connect (&s);
  sim_run (&s, s.now + sc->bound_ms * 1000, all_done, hook, w);
  CHECK (s.host.a && eth_assoc_params (s.host.a)->options == host_options &&
           s.ctrl.a && eth_assoc_params (s.ctrl.a)->options == host_options,
         "%s MTU %u: options 0x%x not agreed by both ends", sc->name, mtu,
         host_options);

  CHECK (w->completed == n && w->submitted == n,
         "%s MTU %u: %u of %u commands completed (%s)", sc->name, mtu,
         w->completed, n, s.host.closed_msg);
  CHECK (w->dup_done == 0, "%s MTU %u: %u completions twice", sc->name, mtu,
         w->dup_done);
  CHECK (w->bad_data == 0, "%s MTU %u: %u reads with wrong data", sc->name, mtu,
         w->bad_data);
  CHECK (w->bad_status == 0, "%s MTU %u: %u bad completions", sc->name, mtu,
         w->bad_status);
  CHECK (memcmp (w->disk, w->model, DISK) == 0,
         "%s MTU %u: the controller's disk differs from the host's writes",
         sc->name, mtu);
  CHECK (s.host.closed && s.host.closed_err == 0 && s.ctrl.closed &&
           s.ctrl.closed_err == 0,
         "%s MTU %u: close: host %d '%s', ctrl %d '%s'", sc->name, mtu,
         s.host.closed_err, s.host.closed_msg, s.ctrl.closed_err,
         s.ctrl.closed_msg);
  CHECK (s.host.overruns == 0 && s.ctrl.overruns == 0,
         "%s MTU %u: receive queues overran", sc->name, mtu);
  CHECK (w->end_us && w->end_us - w->start_us <= sc->bound_ms * 1000,
         "%s MTU %u: took %" PRIu64 " us, bound %" PRIu64 " ms", sc->name, mtu,
         w->end_us - w->start_us, sc->bound_ms);
  CHECK (w->max_latency_us <= sc->lat_ms * 1000,
         "%s MTU %u: a command took %" PRIu64 " us, bound %" PRIu64 " ms",
         sc->name, mtu, w->max_latency_us, sc->lat_ms);
  secs = (double) (w->end_us - w->start_us) / 1e6;
  mibs = secs > 0 ? (double) w->bytes / secs / 1048576.0 : 0;
  hs = s.host.a ? eth_assoc_stats (s.host.a) : NULL;
  cs = s.ctrl.a ? eth_assoc_stats (s.ctrl.a) : NULL;
  if (hs && cs)
    printf (
      "  %-22s opt %x MTU %5u: %5u cmds %7.1f MiB in %8.1f ms sim = %7.1f "
      "MiB/s; max latency %6.1f ms; retx %" PRIu64 "+%" PRIu64 " (fast %" PRIu64
      "+%" PRIu64 "), drops h:%" PRIu64 "/%" PRIu64 " c:%" PRIu64 "/%" PRIu64
      " (crc/dup), rto %" PRIu32 " us srtt %" PRIu32 " var %" PRIu32
      " reo %" PRIu32 " spurious %" PRIu64 "; cpu %.2f s\n",
      sc->name, host_options, mtu, n, (double) w->bytes / 1048576.0,
      secs * 1000, mibs, (double) w->max_latency_us / 1000, hs->retransmits,
      cs->retransmits, hs->fast_retransmits, cs->fast_retransmits,
      hs->drop_malformed, hs->drop_duplicate, cs->drop_malformed,
      cs->drop_duplicate, hs->rto_us, hs->srtt_us, hs->rttvar_us,
      hs->reorder_us, hs->spurious + cs->spurious,
      (double) (clock () - c0) / CLOCKS_PER_SEC);
  sim_free (&s);
  workload_free (w);
  return mibs;
}

/* A slow controller: 8 frames every 100 us and a TPACKET_V3-like receive
 * ring of twice the window of full frames (in bytes, so that the acks it
 * receives take little room); commands run one per 20 us.  Flow control
 * must keep the host from overrunning it.  Then the same ring with a
 * window far above it, which must overrun: the check can see one. */
static void
slow_receiver (uint16_t mtu, unsigned n)
{
  const struct sim_link clean = { .delay_us = 20 };
  const uint16_t window = 64;
  struct eth_config hc, cc;
  struct sim s;
  struct workload *w = workload_new (n);
  bool ok;

  configs (&hc, &cc, mtu, window);
  sim_init (&s, &clean, 7, &hc, &cc, 4096);
  s.ctrl.ring_bytes = 2 * window * SIM_RING_COST (mtu);
  s.host.app = s.ctrl.app = w;
  s.ctrl.max_per_poll = 8;
  s.ctrl.poll_every_us = 100;
  w->exec_every_us = 20;
  w->start_us = s.now;
  sim_connect (&s);
  ok = sim_run (&s, s.now + 120000000, all_done, hook, w);
  CHECK (ok && w->completed == n && w->bad_data == 0,
         "slow receiver MTU %u: %u of %u completed, %u bad", mtu, w->completed,
         n, w->bad_data);
  CHECK (s.ctrl.overruns == 0,
         "slow receiver MTU %u: the controller's ring overran %" PRIu64
         " times",
         mtu, s.ctrl.overruns);
  printf ("  slow receiver          MTU %5u: %u cmds in %.1f ms sim, "
          "ring %u full frames, window %u: %" PRIu64 " overruns (host: %" PRIu64
          " frames, %" PRIu64 " retransmitted, %" PRIu64 " timeouts, %" PRIu64
          " acks)\n",
          mtu, n, (double) (w->end_us - w->start_us) / 1000, 2 * window, window,
          s.ctrl.overruns, eth_assoc_stats (s.host.a)->tx_frames,
          eth_assoc_stats (s.host.a)->retransmits,
          eth_assoc_stats (s.host.a)->timeouts,
          eth_assoc_stats (s.host.a)->acks_sent);
  sim_free (&s);
  workload_free (w);

  /* Control: the host's window (1024) is far above the ring (at MTU 1500,
   * where the commands outstanding make more frames than it holds). */
  if (mtu != 1500)
    return;
  w = workload_new (n / 4);
  configs (&hc, &cc, mtu, 1024);
  sim_init (&s, &clean, 7, &hc, &cc, 4096);
  s.ctrl.ring_bytes = 2 * window * SIM_RING_COST (mtu);
  s.host.app = s.ctrl.app = w;
  s.ctrl.max_per_poll = 8;
  s.ctrl.poll_every_us = 100;
  w->exec_every_us = 20;
  sim_connect (&s);
  sim_run (&s, s.now + 120000000, all_done, hook, w);
  CHECK (s.ctrl.overruns > 0,
         "slow receiver MTU %u: a window above the ring did not overrun it",
         mtu);
  printf ("  (control: window 1024 over the same ring: %" PRIu64
          " overruns, recovered: %u of %u completed)\n",
          s.ctrl.overruns, w->completed, n / 4);
  sim_free (&s);
  workload_free (w);
}

int
main (void)
{
  /* Bounds: about ten times what was measured (both MTUs), so that a
   * regression in recovery shows, and a different seed does not. */
  static const struct scenario scenarios[] = {
    { "clean", { .delay_us = 20 }, 200, 10 },
    { "loss 1%", { .loss = 0.01, .delay_us = 20 }, 300, 20 },
    { "loss 5%", { .loss = 0.05, .delay_us = 20 }, 400, 30 },
    { "loss 10%", { .loss = 0.10, .delay_us = 20 }, 600, 60 },
    { "reorder 25%", { .reorder = 0.25, .delay_us = 500 }, 600, 30 },
    { "duplicate 5%", { .dup = 0.05, .delay_us = 20 }, 200, 10 },
    { "corrupt 1%", { .corrupt = 0.01, .delay_us = 20 }, 300, 20 },
    { "delay 2ms+-1ms", { .delay_us = 2000, .jitter_us = 1000 }, 3000, 150 },
    { "all of them",
      { .loss = 0.05,
        .reorder = 0.25,
        .dup = 0.05,
        .corrupt = 0.01,
        .delay_us = 2000,
        .jitter_us = 1000 },
      8000,
      2000 },
  };
  static const uint16_t mtus[] = { 1500, 9000 };
  unsigned n = 1000 * scale (), i, j;

  printf ("NVMe/Eth engine over a simulated 10 Gb/s link, queue depth %u, "
          "window 256, reads and writes of 1 B..64 KiB (in-capsule up to "
          "16 KiB):\n",
          DEPTH);
  /* Options (docs/nvme-eth.md 7.4): a read's last data with its response
   * and frames packed (the data CRC on) everywhere, and unpacked for a
   * third of the scenarios; the data CRC off where no frame is
   * corrupted (with it off, a flipped data bit reaches the buffer: that
   * is the trade-off the option states); none (version 1 as first
   * published) for a few. */
  for (j = 0; j < sizeof mtus / sizeof mtus[0]; j++)
    for (i = 0; i < sizeof scenarios / sizeof scenarios[0]; i++)
      run (&scenarios[i], mtus[j], n, 1000 + i * 17 + j);
  host_options = NVME_ETH_OPT_ALL;
  for (i = 0; i < sizeof scenarios / sizeof scenarios[0]; i++)
    if (scenarios[i].link.corrupt == 0)
      run (&scenarios[i], 9000, n, 2000 + i * 17);
  host_options = 0;
  run (&scenarios[0], 1500, n, 3000);
  run (&scenarios[2], 1500, n, 3001);
  run (&scenarios[8], 9000, n, 3002);
  host_options = NVME_ETH_OPT_DATA_RSP; /* one frame per Ethernet frame */
  for (i = 0; i < sizeof scenarios / sizeof scenarios[0]; i += 3)
    run (&scenarios[i], 9000, n, 4000 + i);
  host_options = NVME_ETH_OPT_DATA_RSP | NVME_ETH_OPT_PACK;
  slow_receiver (1500, n / 2);
  slow_receiver (9000, n / 2);
  printf ("%d checks, %d failures\n", checks, failures);
  return failures ? 1 : 0;
}
