/* SPDX-License-Identifier: BSD-3-Clause */
/* The simulated link of eth-sim.h. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eth-sim.h"

struct sim_ev {
  uint64_t at, seq;
  struct sim_end *to;
  struct sim_rxf f;
};

uint64_t
sim_rand (struct sim *s)
{
  s->rng ^= s->rng >> 12;
  s->rng ^= s->rng << 25;
  s->rng ^= s->rng >> 27;
  return s->rng * 0x2545F4914F6CDD1Dull;
}

double
sim_uniform (struct sim *s)
{
  return (double) (sim_rand (s) >> 11) / (double) (1ull << 53);
}

static bool
ev_before (const struct sim_ev *x, const struct sim_ev *y)
{
  return x->at < y->at || (x->at == y->at && x->seq < y->seq);
}

static void
heap_push (struct sim *s, struct sim_ev ev)
{
  unsigned i;

  if (s->nheap == s->heap_cap) {
    s->heap_cap = s->heap_cap ? s->heap_cap * 2 : 1024;
    s->heap = realloc (s->heap, s->heap_cap * sizeof *s->heap);
    if (s->heap == NULL)
      abort ();
  }
  ev.seq = s->evseq++;
  i = s->nheap++;
  while (i > 0 && ev_before (&ev, &s->heap[(i - 1) / 2])) {
    s->heap[i] = s->heap[(i - 1) / 2];
    i = (i - 1) / 2;
  }
  s->heap[i] = ev;
}

static struct sim_ev
heap_pop (struct sim *s)
{
  struct sim_ev top = s->heap[0], last = s->heap[--s->nheap];
  unsigned i = 0;

  for (;;) {
    unsigned c = 2 * i + 1;

    if (c >= s->nheap)
      break;
    if (c + 1 < s->nheap && ev_before (&s->heap[c + 1], &s->heap[c]))
      c++;
    if (!ev_before (&s->heap[c], &last))
      break;
    s->heap[i] = s->heap[c];
    i = c;
  }
  if (s->nheap)
    s->heap[i] = last;
  return top;
}

static void
end_init (struct sim *s, struct sim_end *e, const char *name, uint8_t last,
          const struct eth_config *cfg, unsigned rxq_cap)
{
  memset (e, 0, sizeof *e);
  e->sim = s;
  e->name = name;
  memcpy (e->mac, (const uint8_t[6]){ 0x02, 0, 0, 0, 0, last }, 6);
  e->cfg = *cfg;
  e->cfg.ctx = e;
  e->rxq_cap = rxq_cap;
  e->ring_bytes = UINT64_MAX;
  e->rxq = calloc (rxq_cap, sizeof *e->rxq);
  e->timer = UINT64_MAX;
  if (e->rxq == NULL)
    abort ();
}

void
sim_init (struct sim *s, const struct sim_link *link, uint64_t seed,
          const struct eth_config *host_cfg, const struct eth_config *ctrl_cfg,
          unsigned rxq_cap)
{
  memset (s, 0, sizeof *s);
  s->link = *link;
  if (s->link.rate_bps == 0)
    s->link.rate_bps = 10000000000ull;
  s->rng = seed ? seed : 1;
  s->now = 1000000; /* not 0: timers compare with it */
  end_init (s, &s->host, "host", 1, host_cfg, rxq_cap);
  end_init (s, &s->ctrl, "ctrl", 2, ctrl_cfg, rxq_cap);
  memcpy (s->host.cfg.peer_mac, s->ctrl.mac, 6);
}

void
sim_free (struct sim *s)
{
  unsigned i;

  while (s->nheap)
    free (heap_pop (s).f.buf);
  free (s->heap);
  for (i = 0; i < s->host.rxq_len; i++)
    free (s->host.rxq[(s->host.rxq_head + i) % s->host.rxq_cap].buf);
  for (i = 0; i < s->ctrl.rxq_len; i++)
    free (s->ctrl.rxq[(s->ctrl.rxq_head + i) % s->ctrl.rxq_cap].buf);
  free (s->host.rxq);
  free (s->ctrl.rxq);
  eth_assoc_free (s->host.a);
  eth_assoc_free (s->ctrl.a);
}

void
sim_closed (void *ctx, int err, const char *msg)
{
  struct sim_end *e = ctx;

  e->closed = true;
  e->closed_err = err;
  snprintf (e->closed_msg, sizeof e->closed_msg, "%s", msg);
}

/* One frame onto the wire from e, through the impairments. */
static void
wire (struct sim *s, struct sim_end *from, const uint8_t *buf, uint32_t len)
{
  struct sim_end *to = from == &s->host ? &s->ctrl : &s->host;
  unsigned dir = from == &s->host ? 0 : 1, copies = 1, i;
  uint64_t ser = (uint64_t) (len + 38) * 8 * 1000000000ull / s->link.rate_bps;

  /* The wire is busy for each frame in turn (ns -> us, rounded up). */
  if (s->link_free[dir] < s->now * 1000)
    s->link_free[dir] = s->now * 1000;
  s->link_free[dir] += ser;
  from->frames_sent++;
  if (sim_uniform (s) < s->link.loss) {
    from->link_lost++;
    return;
  }
  if (sim_uniform (s) < s->link.dup) {
    copies = 2;
    from->link_dup++;
  }
  for (i = 0; i < copies; i++) {
    struct sim_ev ev = { .to = to };
    uint64_t delay = s->link.delay_us;

    if (s->link.jitter_us)
      delay = delay - s->link.jitter_us +
              sim_rand (s) % (2 * (uint64_t) s->link.jitter_us + 1);
    if (sim_uniform (s) < s->link.reorder)
      delay = 0;
    ev.at = (s->link_free[dir] + 999) / 1000 + delay + i;
    ev.f.len = len;
    ev.f.buf = malloc (len);
    if (ev.f.buf == NULL)
      abort ();
    memcpy (ev.f.buf, buf, len);
    if (sim_uniform (s) < s->link.corrupt) {
      uint32_t bit = (uint32_t) (sim_rand (s) % (len * 8));

      ev.f.buf[bit / 8] ^= (uint8_t) (1u << (bit % 8));
      from->link_corrupt++;
    }
    heap_push (s, ev);
  }
}

/* Frames packed as eth-sock.c packs them when PACK was agreed. */
unsigned
sim_tx (void *ctx, const struct eth_tx_frame *f, unsigned n)
{
  static uint8_t buf[NVME_ETH_MAX_FRAME]; /* the tests are one thread */
  struct sim_end *e = ctx;
  uint32_t pack_max = e->a ? eth_assoc_pack_max (e->a) : 0;
  unsigned i = 0;

  while (i < n) {
    unsigned k = eth_pack_count (f + i, n - i, pack_max), j;
    uint32_t len = 0;

    for (j = i; j < i + k; j++) {
      if (len + f[j].hdr_len + f[j].data_len > sizeof buf)
        abort ();
      memcpy (buf + len, f[j].hdr, f[j].hdr_len);
      if (f[j].data_len)
        memcpy (buf + len + f[j].hdr_len, f[j].data, f[j].data_len);
      len += f[j].hdr_len + f[j].data_len;
    }
    wire (e->sim, e, buf, len);
    i += k;
  }
  return n;
}

void
sim_connect (struct sim *s)
{
  char err[256];

  s->host.a = eth_assoc_new (&s->host.cfg, err, sizeof err);
  if (s->host.a == NULL) {
    fprintf (stderr, "sim: %s\n", err);
    abort ();
  }
  eth_assoc_connect (s->host.a, s->now);
  s->host.timer = eth_assoc_next_timer (s->host.a);
}

void
sim_poll (struct sim_end *e)
{
  if (e->a)
    e->timer = eth_assoc_poll (e->a, e->sim->now);
}

/* The controller's listener: an ASSOC_REQ for no association. */
static void
listen_frame (struct sim_end *e, const uint8_t *src, const uint8_t *buf,
              uint32_t len)
{
  struct eth_frame f;
  struct eth_error err;
  char msg[256];

  if (eth_frame_parse (buf, len, &f, &err) < 0 ||
      f.type != NVME_ETH_ASSOC_REQ || f.dst_assoc != 0)
    return;
  if (e->legacy && get_le32 (buf + 44) != 0) {
    uint8_t r[128];
    struct eth_tx_frame tf = { .hdr = r };

    tf.hdr_len =
      (uint32_t) eth_build_assoc_refusal (r, &f, NVME_ETH_ERR_UNSUPPORTED, 44);
    e->legacy_refusals++;
    sim_tx (e, &tf, 1);
    return;
  }
  e->cfg.qid = f.qid;
  e->a = eth_assoc_new (&e->cfg, msg, sizeof msg);
  if (e->a == NULL) {
    fprintf (stderr, "sim: %s\n", msg);
    abort ();
  }
  eth_assoc_accept (e->a, src, &f, e->sim->now);
}

void
sim_inject (struct sim_end *e, const uint8_t src_mac[6], const void *buf,
            size_t len)
{
  if (e->a)
    eth_assoc_input (e->a, src_mac, buf, len, e->sim->now);
  else
    listen_frame (e, src_mac, buf, (uint32_t) len);
  sim_poll (e);
}

/* Take frames from the receive queue into the engine. */
static bool
end_receive (struct sim *s, struct sim_end *e)
{
  struct sim_end *peer = e == &s->host ? &s->ctrl : &s->host;
  unsigned n = 0;

  if (e->rxq_len == 0)
    return false;
  if (e->max_per_poll && s->now < e->next_poll)
    return false;
  while (e->rxq_len && (e->max_per_poll == 0 || n < e->max_per_poll)) {
    struct sim_rxf f = e->rxq[e->rxq_head];

    e->rxq_head = (e->rxq_head + 1) % e->rxq_cap;
    e->rxq_len--;
    e->rxq_bytes -= SIM_RING_COST (f.len);
    if (e->a)
      eth_assoc_input (e->a, peer->mac, f.buf, f.len, s->now);
    else
      listen_frame (e, peer->mac, f.buf, f.len);
    free (f.buf);
    n++;
  }
  if (e->max_per_poll)
    e->next_poll = s->now + e->poll_every_us;
  return true;
}

static uint64_t
min64 (uint64_t x, uint64_t y)
{
  return x < y ? x : y;
}

bool
sim_run (struct sim *s, uint64_t until_us,
         bool (*done) (struct sim *s, void *arg),
         void (*hook) (struct sim *s, void *arg), void *arg)
{
  unsigned same = 0;

  for (;;) {
    struct sim_end *ends[2] = { &s->host, &s->ctrl };
    uint64_t next = UINT64_MAX, before = s->now;
    bool got[2];
    unsigned i;

    while (s->nheap && s->heap[0].at <= s->now) {
      struct sim_ev ev = heap_pop (s);
      struct sim_end *e = ev.to;

      if (e->rxq_len == e->rxq_cap ||
          e->rxq_bytes + SIM_RING_COST (ev.f.len) > e->ring_bytes) {
        e->overruns++;
        free (ev.f.buf);
        continue;
      }
      e->rxq[(e->rxq_head + e->rxq_len) % e->rxq_cap] = ev.f;
      e->rxq_len++;
      e->rxq_bytes += SIM_RING_COST (ev.f.len);
    }
    /* As a transport's loop: take in a batch, let the application act
     * on what it delivered, then send (acks ride on its frames). */
    for (i = 0; i < 2; i++)
      got[i] = end_receive (s, ends[i]);
    if (hook)
      hook (s, arg);
    for (i = 0; i < 2; i++)
      if (got[i] || ends[i]->timer <= s->now)
        sim_poll (ends[i]);
    s->steps++;
    if (done && done (s, arg))
      return true;
    if (s->nheap)
      next = s->heap[0].at;
    for (i = 0; i < 2; i++) {
      struct sim_end *e = ends[i];

      if (e->a)
        next = min64 (next, e->timer);
      if (e->rxq_len)
        next = min64 (next, e->max_per_poll ? e->next_poll : s->now);
    }
    if (next == UINT64_MAX || next > until_us)
      return done ? done (s, arg) : false;
    if (next <= s->now) {
      /* Work due now: allow a few rounds, never an endless loop. */
      if (++same > 1000) {
        fprintf (stderr, "sim: no progress at %llu us\n",
                 (unsigned long long) s->now);
        return false;
      }
      continue;
    }
    same = 0;
    s->now = next > before ? next : before + 1;
  }
}
