/* SPDX-License-Identifier: BSD-3-Clause */
/* NVMe/Ethernet ports of nvmeof-target (--eth IFACE, or "trtype": "eth"
 * in the JSON): per port a listening AF_PACKET socket (frames to
 * association 0, broadcast PROBEs, and TERMs to any association) read by
 * its own thread, which
 *   - answers PROBE with the port's subsystems and namespaces (spec 15),
 *     at most once per prober per 100 ms, never to itself;
 *   - takes ASSOC_REQ: a bad one gets a refusal built from it alone, one
 *     beyond the limits (4096 associations, 64 half-open) a refusal with
 *     RESOURCES, a repeat goes to its association (which sends its
 *     ASSOC_RESP again while the host has not confirmed it), a new one
 *     gets its association and thread (eth.c);
 *   - answers a TERM for an association that no longer exists with a
 *     TERM_ACK (one that exists has its own socket and answers itself);
 *   - drops and counts everything else.
 * The statistics file's "eth" object: the engine counters of every
 * association (live or gone) and the listener's own. */
#include <config.h>

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <json-c/json.h>

#include "eth.h"

static struct eth_port *eports;
static size_t nr_eports;

/* Counters of associations that are gone, and of the listeners. */
static pthread_mutex_t tot_lock = PTHREAD_MUTEX_INITIALIZER;
static struct eth_stats totals;
static uint64_t opened, refused, probes_answered, term_acks, ring_drops;

/* Discovery answers: the subsystems of each port, built once. */
struct disc_info {
  struct eth_disc_subsys *subs;
  unsigned nr;
};
static struct disc_info *disc;

static void
add_stats (struct eth_stats *to, const struct eth_stats *s)
{
  to->tx_frames += s->tx_frames;
  to->tx_bytes += s->tx_bytes;
  to->rx_frames += s->rx_frames;
  to->rx_bytes += s->rx_bytes;
  to->rx_packed += s->rx_packed;
  to->retransmits += s->retransmits;
  to->fast_retransmits += s->fast_retransmits;
  to->timeouts += s->timeouts;
  to->spurious += s->spurious;
  to->acks_sent += s->acks_sent;
  to->keepalives_sent += s->keepalives_sent;
  to->drop_malformed += s->drop_malformed;
  to->drop_foreign += s->drop_foreign;
  to->drop_duplicate += s->drop_duplicate;
  to->drop_window += s->drop_window;
  to->drop_bad_ack += s->drop_bad_ack;
  to->drop_state += s->drop_state;
}

static void
count (uint64_t *field, uint64_t n)
{
  pthread_mutex_lock (&tot_lock);
  *field += n;
  pthread_mutex_unlock (&tot_lock);
}

void
eth_conn_publish (struct eth_conn *ec)
{
  pthread_mutex_lock (&ec->stats_lock);
  ec->snap = *eth_assoc_stats (ec->a);
  pthread_mutex_unlock (&ec->stats_lock);
}

void
eth_port_established (struct eth_port *ep, struct eth_conn *ec)
{
  (void) ec;
  pthread_mutex_lock (&ep->lock);
  ep->nr_half_open--;
  pthread_mutex_unlock (&ep->lock);
}

void
eth_port_forget (struct eth_port *ep, struct eth_conn *ec)
{
  struct eth_conn **pp;

  pthread_mutex_lock (&ep->lock);
  for (pp = &ep->conns; *pp; pp = &(*pp)->next) {
    if (*pp == ec) {
      *pp = ec->next;
      break;
    }
  }
  ep->nr_conns--;
  if (!ec->established)
    ep->nr_half_open--;
  pthread_mutex_lock (&tot_lock);
  add_stats (&totals, &ec->snap);
  ring_drops += ec->ring_drops;
  pthread_mutex_unlock (&tot_lock);
  pthread_cond_broadcast (&ep->cond);
  pthread_mutex_unlock (&ep->lock);
}

/* ---- frames to the listener ------------------------------------------- */

static void
mac_text (const uint8_t m[6], char out[18])
{
  snprintf (out, 18, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3],
            m[4], m[5]);
}

/* A frame of the listener's own (refusal, discovery answer, TERM_ACK). */
static void
send_raw (struct eth_port *ep, const uint8_t dst[6], const void *frame,
          size_t len)
{
  if (eth_sock_tx_raw (ep->sock, dst, frame, len) == 1) {
    pthread_mutex_lock (&tot_lock);
    totals.tx_frames++;
    totals.tx_bytes += len;
    pthread_mutex_unlock (&tot_lock);
  }
}

static void
refuse (struct eth_port *ep, const uint8_t src[6], const struct eth_frame *f,
        uint16_t status, uint32_t fei, const char *why)
{
  uint8_t buf[128];
  size_t len = eth_build_assoc_refusal (buf, f, status, fei);
  char mac[18];

  mac_text (src, mac);
  log_verbose ("%s: ASSOC_REQ from %s for queue %u refused: %s (%s, byte "
               "%" PRIu32 ")",
               ep->port->traddr, mac, f->qid, why, eth_err_string (status),
               fei);
  count (&refused, 1);
  send_raw (ep, src, buf, len);
}

static void
on_assoc_req (struct eth_port *ep, const uint8_t src[6],
              const struct eth_frame *f)
{
  struct eth_conn *ec;
  uint16_t why = 0;

  pthread_mutex_lock (&ep->lock);
  for (ec = ep->conns; ec; ec = ec->next) {
    if (ec->host_id == f->src_assoc && ec->qid == f->qid &&
        memcmp (ec->peer, src, 6) == 0) {
      eth_conn_again (ec, f->buf, f->len);
      pthread_mutex_unlock (&ep->lock);
      return;
    }
  }
  if (ep->nr_conns >= ETH_MAX_ASSOCS || ep->nr_half_open >= ETH_MAX_HALF_OPEN ||
      atomic_load (&stopping)) {
    pthread_mutex_unlock (&ep->lock);
    refuse (ep, src, f, NVME_ETH_ERR_RESOURCES, 0,
            atomic_load (&stopping) ? "shutting down" :
                                      "too many associations");
    return;
  }
  ec = eth_conn_open (ep, src, f, &why);
  if (ec) {
    ec->next = ep->conns;
    ep->conns = ec;
    ep->nr_conns++;
    ep->nr_half_open++;
    count (&opened, 1);
  }
  pthread_mutex_unlock (&ep->lock);
  if (!ec && why)
    refuse (ep, src, f, why, 0, "cannot set the association up");
}

struct probe_ctx {
  struct eth_port *ep;
  const uint8_t *dst;
};

static void
emit_probe_resp (void *ctx, const void *frame, size_t len)
{
  struct probe_ctx *x = ctx;

  send_raw (x->ep, x->dst, frame, len);
}

static void
on_probe (struct eth_port *ep, const uint8_t src[6], const struct eth_frame *f)
{
  uint64_t now = now_ms ();
  const struct disc_info *d = &disc[ep - eports];
  struct probe_ctx ctx = { .ep = ep, .dst = src };
  char mac[18];
  unsigned i;

  for (i = 0; i < 32; i++) {
    if (memcmp (ep->probed[i].mac, src, 6) == 0 &&
        now - ep->probed[i].at_ms < ETH_PROBE_INTERVAL) {
      count (&totals.drop_state, 1); /* answered a moment ago */
      return;
    }
  }
  memcpy (ep->probed[ep->probed_next].mac, src, 6);
  ep->probed[ep->probed_next].at_ms = now;
  ep->probed_next = (ep->probed_next + 1) % 32;
  mac_text (src, mac);
  if (eth_build_probe_resp (f, eth_sock_mac (ep->sock),
                            (uint16_t) eth_sock_mtu (ep->sock), d->subs, d->nr,
                            emit_probe_resp, &ctx) < 0) {
    log_msg ("%s: the discovery answer to %s does not fit in 255 frames",
             ep->port->traddr, mac);
    return;
  }
  log_verbose ("%s: PROBE from %s answered", ep->port->traddr, mac);
  count (&probes_answered, 1);
}

static void
on_term (struct eth_port *ep, const uint8_t src[6], const struct eth_frame *f)
{
  const struct eth_conn *ec;
  uint8_t buf[64];
  size_t len;

  pthread_mutex_lock (&ep->lock);
  for (ec = ep->conns; ec; ec = ec->next)
    if (ec->local_id == f->dst_assoc)
      break;
  pthread_mutex_unlock (&ep->lock);
  if (ec) /* its own socket has it too */
    return;
  len = eth_build_term_ack (buf, f);
  send_raw (ep, src, buf, len);
  count (&term_acks, 1);
}

void
eth_port_frame (void *ctx, const uint8_t src[6], const uint8_t *frame,
                size_t len)
{
  struct eth_port *ep = ctx;
  struct eth_frame f;
  struct eth_error e;

  pthread_mutex_lock (&tot_lock);
  totals.rx_frames++;
  totals.rx_bytes += len;
  pthread_mutex_unlock (&tot_lock);
  if (memcmp (src, eth_sock_mac (ep->sock), 6) == 0 ||
      (src[0] & 1)) { /* our own, or a multicast source: never a peer */
    count (&totals.drop_foreign, 1);
    return;
  }
  if (eth_frame_parse (frame, len, &f, &e) == -1) {
    /* A bad ASSOC_REQ (of another version too) is refused, the rest is
     * dropped. */
    if (!e.drop && f.type == NVME_ETH_ASSOC_REQ && f.src_assoc != 0)
      refuse (ep, src, &f, e.reason, e.fei, e.msg);
    else
      count (&totals.drop_malformed, 1);
    return;
  }
  switch (f.type) {
  case NVME_ETH_ASSOC_REQ:
    on_assoc_req (ep, src, &f);
    break;
  case NVME_ETH_PROBE:
    on_probe (ep, src, &f);
    break;
  case NVME_ETH_TERM:
    on_term (ep, src, &f);
    break;
  default:
    /* For no association (or a TERM_ACK, ACK ... of one that is gone). */
    count (f.dst_assoc ? &totals.drop_foreign : &totals.drop_state, 1);
    break;
  }
}

static void *
listener (void *arg)
{
  struct eth_port *ep = arg;
  struct pollfd pfd[2] = {
    { .fd = eth_sock_fd (ep->sock), .events = POLLIN },
    { .fd = ep->wake_fd, .events = POLLIN },
  };
  uint64_t drops = 0, d;

  while (!atomic_load (&stopping)) {
    d = eth_sock_rx_drops (ep->sock);
    if (d != drops) {
      count (&ring_drops, d - drops);
      drops = d;
    }
    if (eth_sock_rx (ep->sock, eth_port_frame, ep, 0) < 0) {
      log_msg ("%s: the listening socket failed: %s", ep->port->traddr,
               strerror (errno));
      break;
    }
    if (poll (pfd, 2, 100) > 0 && (pfd[1].revents & POLLIN))
      break;
  }
  return NULL;
}

/* ---- ports --------------------------------------------------------------- */

static int
disc_build (const struct tgt_port *port, struct disc_info *d)
{
  size_t i, j;

  d->subs = calloc (port->nr_subsys + 1, sizeof *d->subs);
  if (!d->subs)
    return -1;
  for (i = 0; i < port->nr_subsys; i++) {
    const struct tgt_subsys *ss = port->subsys[i];
    struct eth_disc_ns_info *ns = calloc (ss->nr_ns + 1, sizeof *ns);

    if (!ns)
      return -1;
    for (j = 0; j < ss->nr_ns; j++) {
      ns[j].nsid = ss->ns[j].nsid;
      ns[j].lba_size = 1u << ss->ns[j].lba_shift;
      ns[j].size = ss->ns[j].nlbas << ss->ns[j].lba_shift;
    }
    d->subs[d->nr++] = (struct eth_disc_subsys){
      .subtype = NVMF_SUBTYPE_NVM, .nqn = ss->nqn, .nr_ns = ss->nr_ns, .ns = ns
    };
  }
  d->subs[d->nr++] =
    (struct eth_disc_subsys){ .subtype = NVMF_SUBTYPE_CURRENT_DISC,
                              .nqn = TGT_DISCOVERY_NQN };
  return 0;
}

int
eth_ports_open (void)
{
  size_t i;

  for (i = 0; i < cfg.nr_ports; i++)
    nr_eports += cfg.ports[i].trtype == NVME_ETH_TRTYPE;
  if (nr_eports == 0)
    return 0;
  eports = calloc (nr_eports, sizeof *eports);
  disc = calloc (nr_eports, sizeof *disc);
  if (!eports || !disc) {
    log_msg ("out of memory");
    return -1;
  }
  nr_eports = 0;
  for (i = 0; i < cfg.nr_ports; i++) {
    struct tgt_port *port = &cfg.ports[i];
    struct eth_port *ep = &eports[nr_eports];
    struct eth_sock_config sc = { .ifname = port->traddr,
                                  .ethertype = port->ethertype,
                                  .dst_assoc = 0,
                                  .broadcast = true,
                                  .any_term = true };
    char err[512], mac[18];

    if (port->trtype != NVME_ETH_TRTYPE)
      continue;
    ep->port = port;
    ep->wake_fd = -1;
    pthread_mutex_init (&ep->lock, NULL);
    pthread_cond_init (&ep->cond, NULL);
    port->eth = ep;
    nr_eports++;
    ep->sock = eth_sock_open (&sc, err, sizeof err);
    if (!ep->sock) {
      log_msg ("port %u: %s", port->portid, err);
      return -1;
    }
    ep->wake_fd = eventfd (0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (ep->wake_fd == -1 || disc_build (port, &disc[nr_eports - 1]) == -1) {
      log_msg ("port %u: %s", port->portid, strerror (errno));
      return -1;
    }
    memcpy (port->mac, eth_sock_mac (ep->sock), 6);
    mac_text (port->mac, mac);
    log_verbose ("port %u: NVMe/Ethernet on %s (%s, MTU %u, EtherType "
                 "0x%04x)",
                 port->portid, port->traddr, mac, eth_sock_mtu (ep->sock),
                 port->ethertype);
  }
  return 0;
}

int
eth_ports_start (void)
{
  size_t i;

  for (i = 0; i < nr_eports; i++) {
    int e = pthread_create (&eports[i].thread, NULL, listener, &eports[i]);

    if (e) {
      log_msg ("pthread_create: %s", strerror (e));
      return -1;
    }
    eports[i].started = true;
  }
  return 0;
}

void
eth_ports_shutdown (void)
{
  struct timespec ts;
  size_t i, j;
  uint64_t one = 1;

  for (i = 0; i < nr_eports; i++) {
    struct eth_port *ep = &eports[i];
    struct eth_conn *ec;

    if (ep->started) {
      if (write (ep->wake_fd, &one, sizeof one) == -1) {
        /* Full: it wakes anyway. */
      }
      pthread_join (ep->thread, NULL);
    }
    clock_gettime (CLOCK_REALTIME, &ts);
    ts.tv_sec += 10;
    pthread_mutex_lock (&ep->lock);
    for (ec = ep->conns; ec; ec = ec->next)
      eth_conn_kill (ec->c);
    while (ep->nr_conns > 0)
      if (pthread_cond_timedwait (&ep->cond, &ep->lock, &ts) != 0)
        break;
    if (ep->nr_conns > 0)
      log_msg ("%s: %u associations did not end in time", ep->port->traddr,
               ep->nr_conns);
    pthread_mutex_unlock (&ep->lock);
  }
  for (i = 0; i < nr_eports; i++) {
    if (eports[i].nr_conns)
      continue; /* still used by a thread */
    eth_sock_close (eports[i].sock);
    if (eports[i].wake_fd >= 0)
      close (eports[i].wake_fd);
    for (j = 0; j < disc[i].nr; j++)
      free ((void *) disc[i].subs[j].ns);
    free (disc[i].subs);
  }
}

/* ---- statistics ------------------------------------------------------------ */

void
eth_stats_json (struct json_object *root)
{
  struct eth_stats s;
  json_object *o;
  unsigned live = 0;
  uint64_t drops;
  size_t i;

  if (nr_eports == 0)
    return;
  o = json_object_new_object ();
  if (!o)
    return;
  pthread_mutex_lock (&tot_lock);
  s = totals;
  drops = ring_drops;
  pthread_mutex_unlock (&tot_lock);
  for (i = 0; i < nr_eports; i++) {
    struct eth_conn *ec;

    pthread_mutex_lock (&eports[i].lock);
    for (ec = eports[i].conns; ec; ec = ec->next) {
      pthread_mutex_lock (&ec->stats_lock);
      add_stats (&s, &ec->snap);
      drops += ec->ring_drops;
      pthread_mutex_unlock (&ec->stats_lock);
      live++;
    }
    pthread_mutex_unlock (&eports[i].lock);
  }
#define ADD(name, v) \
  json_object_object_add (o, name, json_object_new_uint64 (v))
  pthread_mutex_lock (&tot_lock);
  ADD ("associations", live);
  ADD ("associations_opened", opened);
  ADD ("refused", refused);
  ADD ("probes_answered", probes_answered);
  ADD ("term_acks", term_acks);
  pthread_mutex_unlock (&tot_lock);
  ADD ("tx_frames", s.tx_frames);
  ADD ("tx_bytes", s.tx_bytes);
  ADD ("rx_frames", s.rx_frames);
  ADD ("rx_bytes", s.rx_bytes);
  ADD ("rx_packed", s.rx_packed);
  ADD ("retransmits", s.retransmits);
  ADD ("fast_retransmits", s.fast_retransmits);
  ADD ("timeouts", s.timeouts);
  ADD ("spurious_retransmits", s.spurious);
  ADD ("acks_sent", s.acks_sent);
  ADD ("keepalives_sent", s.keepalives_sent);
  ADD ("drop_malformed", s.drop_malformed);
  ADD ("drop_foreign", s.drop_foreign);
  ADD ("drop_duplicate", s.drop_duplicate);
  ADD ("drop_window", s.drop_window);
  ADD ("drop_bad_ack", s.drop_bad_ack);
  ADD ("drop_state", s.drop_state);
  ADD ("ring_drops", drops);
#undef ADD
  json_object_object_add (root, "eth", o);
}
