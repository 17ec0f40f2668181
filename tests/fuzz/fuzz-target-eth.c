/* SPDX-License-Identifier: BSD-3-Clause */
/* Fuzz target for nvmeof-target's NVMe/Ethernet side: the frames a port's
 * listener takes (target/eth-listen.c, eth_port_frame: ASSOC_REQ, PROBE,
 * TERM from unknown peers, spoofed and multicast sources) and, behind an
 * association (target/eth.c), the engine in the controller role and the
 * commands it carries (cb_capsule, cb_data_ready, the Connect checks, and
 * the command code shared with TCP).  There is no AF_PACKET here: this
 * file defines the eth_sock_* functions (eth-sock.h) in place of the
 * library's (so that eth-sock.c is not linked), over queues in memory; the
 * port runs no thread per association (eth_port.manual): the harness
 * feeds each engine, runs its timers and ends it with eth_conn_end, as the
 * association's thread does.  The host side is the real host engine
 * (initiator/eth-*.c), one association per queue.
 *
 * The first byte picks the prefix run before the input:
 *   bits 0-1  0: none;  1: the admin queue's association;  2: and its
 *             Connect and CC.EN=1 (an enabled controller);  3: and an I/O
 *             queue's association and Connect;
 *   bit 2     connect to the subsystem that requires DH-HMAC-CHAP (the
 *             prefix stops after the admin Connect).
 * Then records [ctl, len (le16), bytes]:
 *   ctl bits 0-1  0: a frame to the listener;  1: a frame to the admin
 *                 queue's association;  2: to the I/O queue's;  3: bytes
 *                 are a command (64-byte SQE, then its data) the host
 *                 submits, on the I/O queue if ctl bit 2, else the admin;
 *       bit 2     (frames) aim: ids, queue, sequence, ack and CRC made
 *                 those the association expects (the listener's: only
 *                 the CRC);
 *       bits 3-4  the source MAC: the host's, another host's, the port's
 *                 own, a multicast one;
 *       bit 5     the clock moves 1.5 s (keep-alive, retransmission and
 *                 silence timers) before the record;
 *       bit 6     (aim) one sequence number further.
 * Invariants: every frame the target emits parses (eth_frame_parse) and
 * is of a type a controller sends, to a unicast MAC not its own; the
 * port's associations stay within ETH_MAX_ASSOCS and ETH_MAX_HALF_OPEN and
 * its list matches its count; after the input every association ends and
 * the port has none; no crash, leak or read out of bounds.
 *
 * Every input starts from the same state: the target's configuration and
 * port are built once (target-fixture.c, shared with fuzz-target-conn.c),
 * what an input can leave in them (RAM namespace bytes, write protection,
 * the port's record of probers it answered) is reset before the next, and its associations, hosts and controllers
 * are created for it and freed after it.
 *
 * libFuzzer: scripts/fuzz.sh (it links target/ but main.c, whose globals
 * target-fixture.c defines).  Built-in driver (the unit test
 * "unit/fuzz-target-eth"): see driver.c. */
#include <config.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* (target/eth.h: initiator/eth.h comes first in the include path) */
#include "../../target/eth.h"
#include "eth-int.h"
#include "driver.h"
#include "target-fixture.h"

#define MTU   1500
#define DEPTH 8
#define BUF   8192

static const uint8_t port_mac[6] = { 2, 0, 0, 0, 0, 0x10 };
static const uint8_t macs[4][6] = {
  { 2, 0, 0, 0, 0, 0x0a },    /* the host */
  { 2, 0, 0, 0, 0, 0x0b },    /* another host */
  { 2, 0, 0, 0, 0, 0x10 },    /* the port's own */
  { 3, 0, 0x5e, 0, 0, 0x01 }, /* multicast */
};

/* ---- the link: frames in flight, checked as the target emits them ----- */

#define QMAX  256
#define FRAME 1600
struct q {
  uint8_t buf[QMAX][FRAME];
  uint32_t len[QMAX];
  uint8_t mac[QMAX][6]; /* the destination (to_host), the source (to_tgt) */
  unsigned n;
};
static struct q to_host, to_tgt;
/* The engines' clock (us): CLOCK_MONOTONIC, as the target's own (it
 * accepts an association at that time), plus what the input moved it, plus
 * a margin so that a time read here is never behind one read there. */
#define MARGIN_US 2000000
static uint64_t now, moved;

static void
put (struct q *q, const uint8_t mac[6], const void *a, size_t alen,
     const void *b, size_t blen)
{
  if (q->n == QMAX || alen + blen > FRAME)
    return; /* lost */
  memcpy (q->buf[q->n], a, alen);
  if (blen)
    memcpy (q->buf[q->n] + alen, b, blen);
  memcpy (q->mac[q->n], mac, 6);
  q->len[q->n++] = (uint32_t) (alen + blen);
}

/* Move the frames of q to copy (delivering them may queue more). */
static void
take (struct q *copy, struct q *q)
{
  unsigned i;

  for (i = 0; i < q->n; i++) {
    memcpy (copy->buf[i], q->buf[i], q->len[i]);
    memcpy (copy->mac[i], q->mac[i], 6);
    copy->len[i] = q->len[i];
  }
  copy->n = q->n;
  q->n = 0;
}

/* A frame the target sends: well-formed, of a controller's type, to a
 * unicast MAC that is not its own. */
static void
check_emitted (const uint8_t dst[6], const uint8_t *buf, size_t len)
{
  struct eth_frame f;
  struct eth_error e;

  if ((dst[0] & 1) || memcmp (dst, port_mac, 6) == 0)
    FAILED ("a frame to %02x:%02x:%02x:%02x:%02x:%02x", dst[0], dst[1], dst[2],
            dst[3], dst[4], dst[5]);
  if (len > MTU)
    FAILED ("a frame of %zu bytes (MTU %u)", len, MTU);
  e.msg[0] = '\0';
  if (eth_frame_parse (buf, len, &f, &e) != 0)
    FAILED ("an emitted %s of %zu bytes does not parse: %s",
            len > 1 ? eth_type_string (buf[1]) : "frame", len, e.msg);
  switch (f.type) {
  case NVME_ETH_ASSOC_RESP:
  case NVME_ETH_TERM:
  case NVME_ETH_TERM_ACK:
  case NVME_ETH_ACK:
  case NVME_ETH_KEEPALIVE:
  case NVME_ETH_RSP:
  case NVME_ETH_C2H_DATA:
  case NVME_ETH_R2T:
  case NVME_ETH_C2H_DATA_RSP:
  case NVME_ETH_PROBE_RESP:
    break;
  default:
    FAILED ("the target sent a %s", eth_type_string (f.type));
  }
}

/* ---- eth-sock.h over the queues (no AF_PACKET) ------------------------- */

struct eth_sock {
  uint32_t dst_assoc;
};

struct eth_sock *
eth_sock_open (const struct eth_sock_config *sc, char *err, size_t errlen)
{
  struct eth_sock *s = calloc (1, sizeof *s);

  if (s == NULL) {
    snprintf (err, errlen, "out of memory");
    return NULL;
  }
  s->dst_assoc = sc->dst_assoc;
  return s;
}

void
eth_sock_close (struct eth_sock *s)
{
  free (s);
}

const uint8_t *
eth_sock_mac (const struct eth_sock *s)
{
  (void) s;
  return port_mac;
}

unsigned
eth_sock_mtu (const struct eth_sock *s)
{
  (void) s;
  return MTU;
}

int
eth_sock_ifindex (const struct eth_sock *s)
{
  (void) s;
  return 1;
}

int
eth_sock_fd (const struct eth_sock *s)
{
  (void) s;
  return -1;
}

unsigned
eth_sock_rx_frames (const struct eth_sock *s)
{
  (void) s;
  return 512;
}

/* (The harness hands frames to the listener and the engines itself.) */
int
eth_sock_rx (struct eth_sock *s, eth_sock_rx_fn fn, void *ctx, unsigned max)
{
  (void) s;
  (void) fn;
  (void) ctx;
  (void) max;
  return 0;
}

uint64_t
eth_sock_rx_drops (struct eth_sock *s)
{
  (void) s;
  return 0;
}

int
eth_sock_wait (struct eth_sock *s, uint64_t timeout_us)
{
  (void) s;
  (void) timeout_us;
  return 0;
}

/* The target's frames, packed as eth-sock.c packs them (option PACK):
 * each frame of a pack is checked. */
int
eth_sock_tx (struct eth_sock *s, const uint8_t dst[6],
             const struct eth_tx_frame *f, unsigned n, uint32_t pack_max)
{
  static uint8_t buf[65536 + 256];
  unsigned i = 0;

  (void) s;
  while (i < n) {
    unsigned k = eth_pack_count (f + i, n - i, pack_max), j;
    size_t len = 0, off = 0;

    for (j = i; j < i + k; j++) {
      size_t flen = (size_t) f[j].hdr_len + (f[j].data ? f[j].data_len : 0);

      if (len + flen > sizeof buf)
        FAILED ("a pack of %zu bytes", len + flen);
      memcpy (buf + len, f[j].hdr, f[j].hdr_len);
      if (f[j].data && f[j].data_len)
        memcpy (buf + len + f[j].hdr_len, f[j].data, f[j].data_len);
      len += flen;
    }
    if (k > 1 && len > pack_max)
      FAILED ("%u frames packed in %zu bytes (at most %" PRIu32 ")", k, len,
              pack_max);
    for (j = i; j < i + k; j++) {
      size_t flen = (size_t) f[j].hdr_len + (f[j].data ? f[j].data_len : 0);

      check_emitted (dst, buf + off, flen);
      off += flen;
    }
    put (&to_host, dst, buf, len, NULL, 0);
    i += k;
  }
  return (int) n;
}

int
eth_sock_tx_raw (struct eth_sock *s, const uint8_t dst[6], const void *frame,
                 size_t len)
{
  struct eth_tx_frame f = { .hdr = frame, .hdr_len = (uint32_t) len };

  return eth_sock_tx (s, dst, &f, 1, 0);
}

/* ---- the host: one engine per queue ------------------------------------ */

struct host {
  struct eth_assoc *a;
  bool closed;
  struct {
    bool done;
    uint16_t status;
    uint32_t dw0;
  } cqe[DEPTH];
  uint8_t buf[DEPTH][BUF];
};
static struct host hosts[2];

/* The host's frames, packed two at a time when the association agreed
 * PACK and they fit (so the target's input takes packs too). */
static unsigned
host_tx (void *ctx, const struct eth_tx_frame *f, unsigned n)
{
  struct host *h = ctx;
  uint32_t pack_max = eth_assoc_pack_max (h->a);
  uint8_t pk[FRAME];
  unsigned i;

  for (i = 0; i < n; i++) {
    size_t l0 = f[i].hdr_len + (f[i].data ? f[i].data_len : 0), l1;

    if (i + 1 < n && eth_pack_count (f + i, 2, pack_max) == 2 &&
        (l1 = f[i + 1].hdr_len + (f[i + 1].data ? f[i + 1].data_len : 0),
         l0 + l1 <= sizeof pk)) {
      memcpy (pk, f[i].hdr, f[i].hdr_len);
      if (l0 > f[i].hdr_len)
        memcpy (pk + f[i].hdr_len, f[i].data, f[i].data_len);
      memcpy (pk + l0, f[i + 1].hdr, f[i + 1].hdr_len);
      if (l1 > f[i + 1].hdr_len)
        memcpy (pk + l0 + f[i + 1].hdr_len, f[i + 1].data, f[i + 1].data_len);
      put (&to_tgt, macs[0], pk, l0 + l1, NULL, 0);
      i++;
      continue;
    }
    put (&to_tgt, macs[0], f[i].hdr, f[i].hdr_len, f[i].data,
         f[i].data ? f[i].data_len : 0);
  }
  return n;
}

static void
host_closed (void *ctx, int err, const char *msg)
{
  struct host *h = ctx;

  (void) err;
  if (strlen (msg) == 0 || strchr (msg, '\n'))
    FAILED ("closed message '%s'", msg);
  h->closed = true;
}

static void
host_complete (void *ctx, uint16_t cid, const struct nvme_cqe *cqe)
{
  struct host *h = ctx;

  if (cid >= DEPTH)
    FAILED ("completion of CID %u on a queue of %u", cid, DEPTH);
  h->cqe[cid].done = true;
  h->cqe[cid].status = GET16 (cqe->status) >> 1;
  h->cqe[cid].dw0 = GET32 (cqe->dw0);
}

static const struct eth_callbacks host_cb = {
  .tx = host_tx,
  .closed = host_closed,
  .complete = host_complete,
};

/* ---- the port ---------------------------------------------------------- */

static struct eth_port *ep;

static uint64_t
real_us (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (uint64_t) ts.tv_sec * 1000000 + (uint64_t) ts.tv_nsec / 1000;
}

static void
tick (void)
{
  now = real_us () + MARGIN_US + moved;
}

static struct eth_conn *
conn_of (uint32_t local_id)
{
  struct eth_conn *ec;

  for (ec = ep->conns; ec; ec = ec->next)
    if (ec->local_id == local_id)
      return ec;
  return NULL;
}

/* The target's association of a host engine, if any. */
static struct eth_conn *
conn_of_host (const struct host *h)
{
  struct eth_conn *ec;

  if (h->a == NULL)
    return NULL;
  for (ec = ep->conns; ec; ec = ec->next)
    if (ec->host_id == eth_assoc_local_id (h->a))
      return ec;
  return NULL;
}

/* What the association's thread does with a frame (eth.c's rx_frame). */
static void
conn_input (struct eth_conn *ec, const uint8_t src[6], const uint8_t *buf,
            size_t len)
{
  if (!ec->closed)
    eth_assoc_input (ec->a, src, buf, len, now);
}

/* A frame from the host's link, where the kernel's filters would take
 * it: the listener has association 0 and TERMs to any; each association
 * its own id. */
static void
to_target (const uint8_t src[6], const uint8_t *buf, size_t len)
{
  uint32_t dst;
  struct eth_conn *ec;

  if (len < 12)
    return;
  dst = get_le32 (buf + 8);
  ec = dst ? conn_of (dst) : NULL;
  if (ec)
    conn_input (ec, src, buf, len);
  if (dst == 0 || buf[1] == NVME_ETH_TERM)
    eth_port_frame (ep, src, buf, len);
}

static void
to_hosts (const uint8_t dst[6], const uint8_t *buf, size_t len)
{
  unsigned i;

  if (memcmp (dst, macs[0], 6) != 0 || len < 12)
    return;
  for (i = 0; i < 2; i++)
    if (hosts[i].a && get_le32 (buf + 8) == eth_assoc_local_id (hosts[i].a))
      eth_assoc_input (hosts[i].a, port_mac, buf, len, now);
}

static void
check_port (void)
{
  const struct eth_conn *ec;
  unsigned n = 0;

  for (ec = ep->conns; ec; ec = ec->next)
    n++;
  if (n != ep->nr_conns || ep->nr_conns > ETH_MAX_ASSOCS ||
      ep->nr_half_open > ETH_MAX_HALF_OPEN || ep->nr_half_open > n)
    FAILED ("%u associations listed, %u counted, %u half-open", n, ep->nr_conns,
            ep->nr_half_open);
}

/* What each association's thread does besides frames: a repeated
 * ASSOC_REQ, the timers; and its end once its engine ended. */
static void
run_conns (void)
{
  struct eth_conn *ec;
  unsigned i;

  for (ec = ep->conns; ec; ec = ec->next) {
    if (atomic_exchange (&ec->again, false) && !ec->closed)
      eth_assoc_input (ec->a, ec->peer, ec->req, sizeof ec->req, now);
    if (!ec->closed)
      eth_assoc_poll (ec->a, now);
  }
again:
  for (ec = ep->conns; ec; ec = ec->next)
    if (ec->closed) {
      eth_conn_end (ec);
      goto again;
    }
  for (i = 0; i < 2; i++)
    if (hosts[i].a)
      eth_assoc_poll (hosts[i].a, now);
}

/* Exchange frames until the link is quiet (bounded). */
static void
pump (void)
{
  static struct q copy;
  unsigned round, i;

  for (round = 0; round < 64; round++) {
    tick ();
    run_conns ();
    if (to_tgt.n == 0 && to_host.n == 0)
      break;
    take (&copy, &to_tgt);
    for (i = 0; i < copy.n; i++)
      to_target (copy.mac[i], copy.buf[i], copy.len[i]);
    take (&copy, &to_host);
    for (i = 0; i < copy.n; i++)
      to_hosts (copy.mac[i], copy.buf[i], copy.len[i]);
  }
  check_port ();
}

static void
host_connect (struct host *h, uint16_t qid)
{
  struct eth_config c = { .role = ETH_ROLE_HOST,
                          .qid = qid,
                          .queue_depth = DEPTH,
                          .max_frame = MTU,
                          .rx_window = 32,
                          .tx_window = 32,
                          .options = NVME_ETH_OPT_ALL,
                          .local_id = 0x11110000u + qid,
                          .isn = 0xFFFFFF00u,
                          .cb = &host_cb,
                          .ctx = h };
  char err[256];

  memcpy (c.peer_mac, port_mac, 6);
  memset (h->cqe, 0, sizeof h->cqe);
  h->closed = false;
  h->a = eth_assoc_new (&c, err, sizeof err);
  if (h->a == NULL)
    FAILED ("%s", err);
  eth_assoc_connect (h->a, now);
  pump ();
}

/* Submit sqe (its CID's buffer holds len bytes of data) on host h. */
static void
host_submit (struct host *h, struct nvme_sqe *sqe, uint32_t len)
{
  uint16_t cid = GET16 (sqe->cid) % DEPTH;
  /* The data's direction: bits 1:0 of the opcode, of the fctype for a
   * Fabrics command. */
  uint8_t xfer = sqe->opcode == NVME_ADMIN_FABRICS ?
                   ((const struct nvmf_cmd *) sqe)->fctype & 3 :
                   sqe->opcode & 3;
  enum eth_dir dir = xfer == 1 ? ETH_DIR_H2C :
                     xfer == 2 ? ETH_DIR_C2H :
                                 ETH_DIR_NONE;

  if (h->a == NULL || h->closed)
    return;
  if (len > BUF)
    len = BUF;
  if (dir == ETH_DIR_NONE || len == 0) {
    dir = ETH_DIR_NONE;
    len = 0;
  }
  PUT16 (sqe->cid, cid);
  h->cqe[cid].done = false;
  if (eth_host_submit (h->a, sqe, len ? h->buf[cid] : NULL, len, dir) == 0)
    pump ();
}

/* A prefix's command: it must succeed. */
static uint32_t
must (struct host *h, struct nvme_sqe *sqe, uint32_t len, const char *what)
{
  uint16_t cid = GET16 (sqe->cid);

  host_submit (h, sqe, len);
  if (!h->cqe[cid].done || h->cqe[cid].status != 0)
    FAILED ("the prefix's %s failed (%s, status 0x%x)", what,
            h->cqe[cid].done ? "answered" : "no answer", h->cqe[cid].status);
  return h->cqe[cid].dw0;
}

static uint16_t
host_connect_cmd (struct host *h, uint16_t qid, uint16_t cntlid, bool auth)
{
  struct nvme_sqe sqe;
  struct nvmf_connect_cmd *cc = (struct nvmf_connect_cmd *) &sqe;
  struct nvmf_connect_data *d = (struct nvmf_connect_data *) h->buf[0];

  memset (&sqe, 0, sizeof sqe);
  cc->opcode = NVME_ADMIN_FABRICS;
  cc->fctype = NVMF_FCTYPE_CONNECT;
  PUT16 (cc->qid, qid);
  PUT16 (cc->sqsize, DEPTH - 1);
  PUT32 (cc->kato, qid ? 0 : 120000);
  memset (d, 0, sizeof *d);
  memset (d->hostid, 0x42, sizeof d->hostid);
  PUT16 (d->cntlid, cntlid);
  snprintf (d->subnqn, sizeof d->subnqn, "%s", auth ? AUTHNQN : SUBNQN);
  snprintf (d->hostnqn, sizeof d->hostnqn, "%s", auth ? AUTHHOST : HOSTNQN);
  return (uint16_t) must (h, &sqe, sizeof *d, "Connect");
}

static void
enable (struct host *h)
{
  struct nvme_sqe sqe;
  struct nvmf_prop_set_cmd *ps = (struct nvmf_prop_set_cmd *) &sqe;

  memset (&sqe, 0, sizeof sqe);
  ps->opcode = NVME_ADMIN_FABRICS;
  PUT16 (ps->cid, 1);
  ps->fctype = NVMF_FCTYPE_PROP_SET;
  ps->attrib = NVMF_PROP_SIZE_4;
  PUT32 (ps->ofst, 0x14);        /* CC */
  PUT64 (ps->value, 0x00460001); /* EN, IOSQES 6, IOCQES 4 */
  must (h, &sqe, 0, "Property Set CC.EN=1");
}

/* The target's configuration (target-fixture.c) on an Ethernet port, its
 * listener opened (on the queues above), no thread started.  The port's
 * in-capsule limit (4 KiB) and the hosts' queue depth (DEPTH) keep each
 * association's buffers below ASan's threshold for a mapping of their
 * own: mapping, poisoning and unmapping them for every input took half
 * of the time. */
static void
setup (void)
{
  fixture_setup ("\"addr\": {\"trtype\": \"eth\", \"adrfam\": \"mac\","
                 " \"traddr\": \"fz0\", \"trsvcid\": \"0x88b5\"},"
                 " \"param\": {\"inline_data_size\": \"4096\"}");
  if (ep)
    return;
  if (cfg.ports[0].trtype != NVME_ETH_TRTYPE || eth_ports_open () == -1 ||
      cfg.ports[0].eth == NULL)
    FAILED ("the Ethernet port did not open");
  ep = cfg.ports[0].eth;
  ep->manual = true;
}

/* Make a frame the next one the association ec expects. */
static void
aim (uint8_t *buf, size_t len, const struct eth_conn *ec, uint32_t ahead)
{
  struct nvme_eth_hdr *h = (struct nvme_eth_hdr *) buf;
  uint32_t length;

  if (len < sizeof *h)
    return;
  if (ec && !ec->closed) {
    PUT32 (h->dst_assoc, ec->a->params.local_id);
    PUT32 (h->src_assoc, ec->a->peer_id);
    PUT16 (h->qid, ec->a->cfg.qid);
    PUT32 (h->seq, ec->a->rcv_nxt + ahead);
    PUT32 (h->ack, ec->a->snd_una);
  }
  length = GET16 (h->length);
  if (length >= sizeof *h && length <= len && h->hlen <= length)
    eth_frame_seal (buf, h->hlen, buf + h->hlen,
                    h->flags & NVME_ETH_F_HCRC ? 0 : length - h->hlen);
}

/* Every association ends (as at shutdown: TERM with SHUTDOWN), the hosts'
 * engines too; the port has none left. */
static void
end_all (void)
{
  struct eth_conn *ec;
  unsigned i;

  for (ec = ep->conns; ec; ec = ec->next)
    if (!ec->closed)
      eth_assoc_abort (ec->a, NVME_ETH_ERR_SHUTDOWN, ECONNABORTED,
                       "the target is shutting down");
  pump ();
  while (ep->conns)
    eth_conn_end (ep->conns);
  for (i = 0; i < 2; i++) {
    eth_assoc_free (hosts[i].a);
    hosts[i].a = NULL;
  }
  to_host.n = to_tgt.n = 0;
  if (ep->nr_conns || ep->nr_half_open)
    FAILED ("%u associations (%u half-open) left", ep->nr_conns,
            ep->nr_half_open);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  static uint8_t frame[65536];
  uint8_t mode;
  size_t pos = 1;
  bool auth;

  if (size < 1)
    return 0;
  setup ();
  fixture_reset ();
  /* The port's own: a PROBE an earlier input had answered would hold the
   * answer to this one's back for 100 ms. */
  memset (ep->probed, 0, sizeof ep->probed);
  ep->probed_next = 0;
  mode = data[0];
  auth = mode & 4;
  moved = 0;
  tick ();
  if (mode & 3) {
    host_connect (&hosts[0], 0);
    if (hosts[0].closed || conn_of_host (&hosts[0]) == NULL)
      FAILED ("the prefix's admin association failed");
  }
  if ((mode & 3) >= 2) {
    uint16_t cntlid = host_connect_cmd (&hosts[0], 0, 0xFFFF, auth);

    if (!auth)
      enable (&hosts[0]);
    if ((mode & 3) == 3 && !auth) {
      host_connect (&hosts[1], 1);
      host_connect_cmd (&hosts[1], 1, cntlid, false);
    }
  }
  while (pos + 3 <= size) {
    uint8_t ctl = data[pos];
    size_t len = get_le16 (data + pos + 1);
    unsigned to = ctl & 3;

    pos += 3;
    if (len > size - pos)
      len = size - pos;
    if (ctl & 0x20)
      moved += 1500000;
    tick ();
    if (to == 3) {
      struct host *h = &hosts[ctl & 4 ? 1 : 0];
      struct nvme_sqe sqe;
      uint32_t dlen;

      memset (&sqe, 0, sizeof sqe);
      memcpy (&sqe, data + pos, len < sizeof sqe ? len : sizeof sqe);
      dlen = GET32 (sqe.dptr.sgl.length);
      if (len > sizeof sqe && h->a)
        memcpy (h->buf[GET16 (sqe.cid) % DEPTH], data + pos + sizeof sqe,
                len - sizeof sqe < BUF ? len - sizeof sqe : BUF);
      host_submit (h, &sqe, dlen);
    }
    else {
      const uint8_t *src = macs[ctl >> 3 & 3];
      struct eth_conn *ec = to ? conn_of_host (&hosts[to - 1]) : NULL;

      memcpy (frame, data + pos, len);
      if (ctl & 4)
        aim (frame, len, ec, ctl >> 6 & 1);
      if (to == 0 || ec == NULL)
        eth_port_frame (ep, src, frame, len);
      else
        conn_input (ec, src, frame, len);
    }
    pos += len;
    pump ();
  }
  end_all ();
  return 0;
}

#ifndef FUZZ_LIBFUZZER
/* ---- Seeds for the built-in driver (driver.c) -------------------------- */

static size_t
record (uint8_t *p, uint8_t ctl, const void *bytes, size_t len)
{
  p[0] = ctl;
  put_le16 (p + 1, (uint16_t) len);
  memcpy (p + 3, bytes, len);
  return 3 + len;
}

/* A command record: the SQE, then len bytes of data (0x5A). */
static size_t
command (uint8_t *p, bool io, uint8_t opcode, uint16_t cid, uint32_t nsid,
         uint32_t cdw10, uint32_t cdw11, uint32_t cdw12, uint32_t xfer,
         uint32_t data)
{
  static uint8_t b[64 + 4096];
  struct nvme_sqe *sqe = (struct nvme_sqe *) b;

  memset (b, 0x5A, sizeof b);
  memset (sqe, 0, sizeof *sqe);
  sqe->opcode = opcode;
  PUT16 (sqe->cid, cid);
  PUT32 (sqe->nsid, nsid);
  PUT32 (sqe->cdw10, cdw10);
  PUT32 (sqe->cdw11, cdw11);
  PUT32 (sqe->cdw12, cdw12);
  PUT32 (sqe->dptr.sgl.length, xfer);
  return record (p, io ? 7 : 3, b, 64 + data);
}

/* A frame of type with hlen zeros (and data bytes) after the header. */
static size_t
raw_frame (uint8_t *p, uint8_t ctl, uint8_t type, uint32_t dst, uint32_t src,
           size_t data)
{
  static uint8_t b[512];
  unsigned hlen = nvme_eth_hlen (type);

  memset (b, 0, sizeof b);
  eth_hdr_fill (
    b, type,
    type == NVME_ETH_ASSOC_REQ || type == NVME_ETH_PROBE ? 0 : NVME_ETH_F_ACK,
    (uint8_t) hlen, hlen + data, 0, dst, src, 0);
  if (type == NVME_ETH_ASSOC_REQ) {
    put_le16 (b + 32, DEPTH);
    put_le16 (b + 34, MTU);
    put_le16 (b + 36, 16);
    put_le32 (b + 40, 1000);
    put_le32 (b + 44, NVME_ETH_OPT_ALL);
  }
  if (type == NVME_ETH_PROBE) {
    put_le32 (b + 32, 7);
    put_le16 (b + 36, MTU);
  }
  eth_frame_seal (b, hlen, b + hlen, (uint32_t) data);
  return record (p, ctl, b, hlen + data);
}

static size_t
seed (size_t i, uint8_t *buf, size_t cap)
{
  static uint8_t tmp[16384];
  size_t n = 1;

  switch (i) {
  case 0: /* the listener: associations asked, probed, ended, spoofed */
    tmp[0] = 0;
    n += raw_frame (tmp + n, 0, NVME_ETH_ASSOC_REQ, 0, 0x1234, 0);
    n += raw_frame (tmp + n, 0, NVME_ETH_ASSOC_REQ, 0, 0x1234, 0);
    n += raw_frame (tmp + n, 0x08, NVME_ETH_ASSOC_REQ, 0, 0x5678, 0);
    n += raw_frame (tmp + n, 0x10, NVME_ETH_ASSOC_REQ, 0, 0x9999, 0);
    n += raw_frame (tmp + n, 0, NVME_ETH_PROBE, 0, 0, 0);
    n += raw_frame (tmp + n, 0x18, NVME_ETH_PROBE, 0, 0, 0);
    n += raw_frame (tmp + n, 0, NVME_ETH_TERM, 0xDEAD, 0x1234, 8);
    break;
  case 1: /* an association, then frames of all kinds aimed at it */
    tmp[0] = 1;
    n += raw_frame (tmp + n, 5, NVME_ETH_KEEPALIVE, 0, 0, 0);
    n += raw_frame (tmp + n, 5, NVME_ETH_ACK, 0, 0, 4);
    n += raw_frame (tmp + n, 5, NVME_ETH_CMD, 0, 0, 0);
    n += raw_frame (tmp + n, 5 | 0x40, NVME_ETH_H2C_DATA, 0, 0, 100);
    n += raw_frame (tmp + n, 5, NVME_ETH_TERM, 0, 0, 8);
    break;
  case 2: /* an enabled controller: Identify, logs, features, AER, KA */
    tmp[0] = 2;
    n += command (tmp + n, false, 0x06, 2, 0, 1, 0, 0, 4096, 0);
    n += command (tmp + n, false, 0x06, 3, 1, 0, 0, 0, 4096, 0);
    n += command (tmp + n, false, 0x06, 4, 0, 2, 0, 0, 4096, 0);
    n +=
      command (tmp + n, false, 0x02, 5, 0xFFFFFFFF, 0x00FF0070, 0, 0, 1024, 0);
    n +=
      command (tmp + n, false, 0x02, 6, 0xFFFFFFFF, 0x007F0002, 0, 0, 512, 0);
    n += command (tmp + n, false, 0x09, 7, 0, 7, 0x00030003, 0, 0, 0);
    n += command (tmp + n, false, 0x0C, 8, 0, 0, 0, 0, 0, 0);
    n += command (tmp + n, false, 0x18, 9, 0, 0, 0, 0, 0, 0);
    n += command (tmp + n, false, 0x7F, 10, 0, 0, 0, 0, 0, 0);
    break;
  case 3: /* I/O: writes (in-capsule and by R2T), reads, flush, zeroes */
    tmp[0] = 3;
    n += command (tmp + n, true, 0x01, 1, 1, 0, 0, 0, 512, 512);
    n += command (tmp + n, true, 0x01, 2, 1, 8, 0, 7, 4096, 4096);
    n += command (tmp + n, true, 0x02, 3, 1, 0, 0, 7, 4096, 0);
    n += command (tmp + n, true, 0x00, 4, 1, 0, 0, 0, 0, 0);
    n += command (tmp + n, true, 0x08, 5, 1, 100, 0, 15, 0, 0);
    n += command (tmp + n, true, 0x02, 6, 1, 0xFFFFFFF0, 0, 15, 8192, 0);
    break;
  case 4: /* the Connect of another queue on the admin association, and a
           * silent host */
    tmp[0] = 2;
    {
      static uint8_t c[64 + 1024];
      struct nvmf_connect_cmd *cc = (struct nvmf_connect_cmd *) c;

      memset (c, 0, sizeof c);
      cc->opcode = NVME_ADMIN_FABRICS;
      cc->fctype = NVMF_FCTYPE_CONNECT;
      PUT16 (cc->cid, 12);
      PUT16 (cc->qid, 3);
      PUT16 (cc->sqsize, 7);
      PUT32 (((struct nvme_sqe *) c)->dptr.sgl.length, 1024);
      n += record (tmp + n, 3, c, sizeof c);
    }
    n += raw_frame (tmp + n, 0x25, NVME_ETH_KEEPALIVE, 0, 0, 0);
    n += raw_frame (tmp + n, 0x20, NVME_ETH_PROBE, 0, 0, 0);
    break;
  case 5: /* authentication required: AUTH_Receive before a Negotiate */
    tmp[0] = 2 | 4;
    n += command (tmp + n, false, 0x7F, 3, 0, 0xE9010100, 4096, 0, 4096, 0);
    break;
  default:
    return 0;
  }
  if (n > cap)
    n = cap;
  memcpy (buf, tmp, n);
  return n;
}

static const char *const tokens[] = {
  "\x01",     "\x03",
  "\x04",     "\x05",
  "\x06",     "\x10",
  "\x11",     "\x12",
  "\x13",     "\x14",
  "\x20",     "\x7f",
  "\xff\xff", "\x00\x00\x00\x00",
  "\x40\x00", "\x00\x10\x00\x00",
};

const struct fuzz_target fuzz_target = {
  .name = "fuzz-target-eth",
  .what = "nvmeof-target's Ethernet listener, associations and commands",
  .seed = seed,
  .tokens = tokens,
  .nr_tokens = sizeof tokens / sizeof tokens[0],
};
#endif /* !FUZZ_LIBFUZZER */
