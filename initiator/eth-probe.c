/* SPDX-License-Identifier: BSD-3-Clause */
/* NVMe over raw Ethernet: discovery on the link (docs/nvme-eth.md, 15),
 * nvmeof_eth_discover.  Broadcast a PROBE (a new nonce each time, up to
 * three, at least 100 ms apart: the controllers' rate limit), collect the
 * PROBE_RESP frames that answer one of our nonces from the MAC they name,
 * and keep, for each controller, one whole answer: its frames, merged
 * (a subsystem with many namespaces may span entries and frames).  A
 * frame with any error is dropped whole (eth_parse_probe_resp checks
 * before it reports), duplicates are ignored, and what a hostile station
 * can make us keep is bounded. */
#include <config.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "internal.h"
#include "errors.h"
#include "eth-proto.h"
#include "eth-sock.h"

#define PROBES         3
#define PROBE_SPACE_MS 100 /* a controller answers one PROBE per 100 ms */
#define MAX_ANSWERS    256
#define MAX_SUBSYS     16384  /* over all answers */
#define MAX_NS         262144 /* over all answers: 4 MiB */

/* One controller's answer to one of our nonces. */
struct answer {
  uint8_t mac[6];
  uint32_t nonce;
  uint16_t max_frame;
  unsigned frame_count;
  unsigned nseen;
  uint8_t seen[32]; /* frame_index received */
  struct nvmeof_eth_subsys *subsys;
  size_t nr_subsys, cap;
};

struct probe {
  struct answer ans[MAX_ANSWERS];
  size_t nr;
  uint32_t nonce[PROBES];
  unsigned nr_nonces;
  size_t total_subsys, total_ns;
  struct answer *cur; /* the answer of the frame being parsed */
  bool full;          /* a limit was hit: drop the rest of the frame */
};

static uint32_t
random_nonce (void)
{
  uint32_t v;

  if (getrandom (&v, sizeof v, 0) != (ssize_t) sizeof v)
    v = (uint32_t) now_ns ();
  return v;
}

static void
answer_free (struct answer *a)
{
  size_t i;

  for (i = 0; i < a->nr_subsys; i++)
    free (a->subsys[i].ns);
  free (a->subsys);
  a->subsys = NULL;
  a->nr_subsys = a->cap = 0;
}

/* An entry of the frame being parsed: merged into its subsystem. */
static void
on_entry (void *ctx, const uint8_t mac[6], unsigned frame_index,
          unsigned frame_count, const struct eth_disc_entry_info *info)
{
  struct probe *p = ctx;
  struct answer *a = p->cur;
  struct nvmeof_eth_subsys *s = NULL;
  struct nvmeof_eth_ns *ns;
  size_t i;

  if (p->full)
    return;
  for (i = 0; i < a->nr_subsys; i++)
    if (strcmp (a->subsys[i].nqn, info->nqn) == 0 &&
        a->subsys[i].subtype == info->subtype)
      s = &a->subsys[i];
  if (s == NULL) {
    if (p->total_subsys >= MAX_SUBSYS) {
      p->full = true;
      return;
    }
    if (a->nr_subsys == a->cap) {
      size_t cap = a->cap ? 2 * a->cap : 4;
      struct nvmeof_eth_subsys *n = realloc (a->subsys, cap * sizeof *n);

      if (n == NULL) {
        p->full = true;
        return;
      }
      a->subsys = n;
      a->cap = cap;
    }
    s = &a->subsys[a->nr_subsys++];
    memset (s, 0, sizeof *s);
    s->subtype = info->subtype;
    snprintf (s->nqn, sizeof s->nqn, "%s", info->nqn);
    p->total_subsys++;
  }
  if (info->nr_ns == 0)
    return;
  if (p->total_ns + info->nr_ns > MAX_NS) {
    p->full = true;
    return;
  }
  ns = realloc (s->ns, (s->nr_ns + info->nr_ns) * sizeof *ns);
  if (ns == NULL) {
    p->full = true;
    return;
  }
  s->ns = ns;
  for (i = 0; i < info->nr_ns; i++) {
    struct eth_disc_ns_info d;

    eth_disc_ns_at (info, (unsigned) i, &d);
    ns[s->nr_ns].nsid = d.nsid;
    ns[s->nr_ns].lba_size = d.lba_size;
    ns[s->nr_ns].size = d.size;
    s->nr_ns++;
  }
  p->total_ns += info->nr_ns;
}

static void
on_frame (void *ctx, const uint8_t src[6], const uint8_t *frame, size_t len)
{
  struct probe *p = ctx;
  const struct nvme_eth_probe_resp *r;
  struct eth_frame f;
  struct eth_error e;
  struct answer *a = NULL;
  uint32_t nonce;
  unsigned i, fi, fc;

  if (eth_frame_parse (frame, len, &f, &e) == -1 ||
      f.type != NVME_ETH_PROBE_RESP)
    return;
  r = (const void *) f.buf;
  nonce = GET32 (r->nonce);
  fi = r->frame_index;
  fc = r->frame_count;
  for (i = 0; i < p->nr_nonces && p->nonce[i] != nonce; i++)
    ;
  /* Ours, from the station it names, a frame of a whole answer. */
  if (i == p->nr_nonces || memcmp (r->mac, src, 6) != 0 || fc == 0 || fi >= fc)
    return;
  for (i = 0; i < p->nr; i++)
    if (p->ans[i].nonce == nonce && memcmp (p->ans[i].mac, src, 6) == 0)
      a = &p->ans[i];
  if (a && (a->frame_count != fc || (a->seen[fi / 8] & (1u << (fi % 8)))))
    return; /* another count than before, or a duplicate */
  if (a == NULL) {
    if (p->nr == MAX_ANSWERS)
      return;
    a = &p->ans[p->nr];
    memset (a, 0, sizeof *a);
    memcpy (a->mac, src, 6);
    a->nonce = nonce;
    a->frame_count = fc;
    a->max_frame = GET16 (r->max_frame);
  }
  p->cur = a;
  p->full = false;
  if (eth_parse_probe_resp (&f, nonce, on_entry, p, &e) == -1)
    return; /* nothing was reported */
  if (a == &p->ans[p->nr])
    p->nr++;
  a->seen[fi / 8] |= (uint8_t) (1u << (fi % 8));
  a->nseen++;
}

static int
cmp_target (const void *x, const void *y)
{
  const struct nvmeof_eth_target *a = x, *b = y;

  return strcmp (a->mac, b->mac);
}

/* For each controller its best answer: whole, else the one with the most
 * frames; the others are freed. */
static int
collect (struct probe *p, const char *iface, struct nvmeof_eth_target **out,
         size_t *count)
{
  struct nvmeof_eth_target *t = calloc (p->nr ? p->nr : 1, sizeof *t);
  size_t n = 0, i, j;

  if (t == NULL) {
    set_error (ENOMEM, "out of memory");
    return -1;
  }
  for (i = 0; i < p->nr; i++) {
    struct answer *a = &p->ans[i], *best = a;
    bool dup = false;

    for (j = 0; j < i; j++)
      if (memcmp (p->ans[j].mac, a->mac, 6) == 0)
        dup = true;
    if (dup)
      continue;
    for (j = i + 1; j < p->nr; j++) {
      struct answer *b = &p->ans[j];
      bool b_whole = b->nseen == b->frame_count;
      bool best_whole = best->nseen == best->frame_count;

      if (memcmp (b->mac, a->mac, 6) == 0 && !best_whole &&
          (b_whole || b->nseen > best->nseen))
        best = b;
    }
    snprintf (t[n].iface, sizeof t[n].iface, "%s", iface);
    snprintf (t[n].mac, sizeof t[n].mac, "%02x:%02x:%02x:%02x:%02x:%02x",
              best->mac[0], best->mac[1], best->mac[2], best->mac[3],
              best->mac[4], best->mac[5]);
    t[n].max_frame = best->max_frame;
    t[n].complete = best->nseen == best->frame_count;
    t[n].subsys = best->subsys;
    t[n].nr_subsys = best->nr_subsys;
    best->subsys = NULL;
    best->nr_subsys = 0;
    n++;
  }
  for (i = 0; i < p->nr; i++)
    answer_free (&p->ans[i]);
  qsort (t, n, sizeof *t, cmp_target);
  *out = t;
  *count = n;
  return 0;
}

int
nvmeof_eth_discover (const struct nvmeof_opts *opts, unsigned wait_ms,
                     struct nvmeof_eth_target **targets, size_t *count)
{
  static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
  struct eth_sock_config sc = { .dst_assoc = 0 };
  struct eth_sock *s;
  struct probe *p;
  uint64_t start, end, next_probe, space;
  char err[512];
  bool failed = false;
  int r;

  if (opts == NULL || targets == NULL || count == NULL) {
    set_error (EINVAL, "nvmeof_eth_discover: opts, targets and count must "
                       "not be NULL");
    return -1;
  }
  if (opts->host_iface[0] == '\0') {
    set_error (EINVAL, "host-iface: missing: discovery on the link needs "
                       "the interface (nvme+eth://IFACE or host-iface=IFACE)");
    return -1;
  }
  if (wait_ms == 0)
    wait_ms = 500;
  sc.ifname = opts->host_iface;
  sc.ethertype = opts->ethertype;
  s = eth_sock_open (&sc, err, sizeof err);
  if (s == NULL) {
    set_error (errno ? errno : EIO, "%s", err);
    return -1;
  }
  p = calloc (1, sizeof *p);
  if (p == NULL) {
    eth_sock_close (s);
    set_error (ENOMEM, "out of memory");
    return -1;
  }
  start = now_ns () / 1000;
  end = start + (uint64_t) wait_ms * 1000;
  space = (uint64_t) wait_ms * 1000 / PROBES;
  if (space < PROBE_SPACE_MS * 1000)
    space = PROBE_SPACE_MS * 1000;
  next_probe = start;
  for (;;) {
    uint64_t now = now_ns () / 1000, until;

    if (now >= end)
      break;
    if (now >= next_probe && p->nr_nonces < PROBES) {
      uint8_t frame[64];
      size_t len;

      p->nonce[p->nr_nonces] = random_nonce ();
      len = eth_build_probe (frame, p->nonce[p->nr_nonces++],
                             (uint16_t) eth_sock_mtu (s));
      if (eth_sock_tx_raw (s, bcast, frame, len) < 0) {
        set_error (errno ? errno : EIO, "probe on %s: send: %s",
                   opts->host_iface, strerror (errno));
        eth_sock_close (s);
        free (p);
        return -1;
      }
      next_probe += space;
    }
    until = p->nr_nonces < PROBES && next_probe < end ? next_probe : end;
    if (until > now && eth_sock_wait (s, until - now) < 0) {
      set_error (EIO, "probe on %s: the socket failed", opts->host_iface);
      failed = true;
      break;
    }
    if (eth_sock_rx (s, on_frame, p, 0) < 0) {
      set_error (errno ? errno : EIO, "probe on %s: receive: %s",
                 opts->host_iface, strerror (errno));
      failed = true;
      break;
    }
  }
  eth_sock_close (s);
  r = collect (p, opts->host_iface, targets, count);
  free (p);
  if (failed && r == 0) {
    nvmeof_eth_targets_free (*targets, *count);
    *targets = NULL;
    *count = 0;
    return -1;
  }
  return r;
}

void
nvmeof_eth_targets_free (struct nvmeof_eth_target *targets, size_t count)
{
  size_t i, j;

  if (targets == NULL)
    return;
  for (i = 0; i < count; i++) {
    for (j = 0; j < targets[i].nr_subsys; j++)
      free (targets[i].subsys[j].ns);
    free (targets[i].subsys);
  }
  free (targets);
}
