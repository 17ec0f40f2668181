/* SPDX-License-Identifier: BSD-3-Clause */
/* The NVMe/Eth engine (initiator/eth-*.c) between a host and a controller
 * association (over eth-sim.c): the bytes of every frame type the engines
 * send, at the offsets docs/nvme-eth.md gives, what an association does with
 * frames that are foreign, spoofed, replayed, outside the window or that
 * acknowledge frames never sent (dropped and counted), and with frames
 * that break the protocol (TERM with reason and field, then closed), and
 * the association's life: setup, refusal, silence, close. */
#include <config.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eth-sim.h"
#include "eth-int.h"
#include "nvmf-wire.h"
#include "check.h"

/* ---- Capturing what the engines send ---------------------------------- */

#define LOG_MAX 4096
struct logged {
  bool from_host;
  uint32_t len;
  uint8_t buf[2048]; /* the start of the frame */
};
static struct logged *tx_log;
static unsigned nlog;

static unsigned
cap_tx (void *ctx, const struct eth_tx_frame *f, unsigned n)
{
  struct sim_end *e = ctx;
  unsigned i;

  for (i = 0; i < n && nlog < LOG_MAX; i++) {
    struct logged *l = &tx_log[nlog++];
    uint32_t h = f[i].hdr_len, d = f[i].data_len;

    l->from_host = e == &e->sim->host;
    l->len = h + d;
    memcpy (l->buf, f[i].hdr, h < sizeof l->buf ? h : sizeof l->buf);
    if (d && h < sizeof l->buf)
      memcpy (l->buf + h, f[i].data,
              d < sizeof l->buf - h ? d : sizeof l->buf - h);
  }
  return sim_tx (ctx, f, n);
}

/* The first logged frame of this type and direction after index *from. */
static struct logged *
find (uint8_t type, bool from_host, unsigned *from)
{
  unsigned i;

  for (i = from ? *from : 0; i < nlog; i++)
    if (tx_log[i].buf[1] == type && tx_log[i].from_host == from_host) {
      if (from)
        *from = i + 1;
      return &tx_log[i];
    }
  return NULL;
}

/* ---- A pair of engines --------------------------------------------------- */

struct app {
  unsigned completed, capsules, data_ready;
  uint16_t last_cid;
  uint8_t ctrl_buf[8][65536];
  uint8_t host_buf[8][65536];
};

static void
h_complete (void *ctx, uint16_t cid, const struct nvme_cqe *cqe)
{
  struct app *app = ((struct sim_end *) ctx)->app;

  (void) cqe;
  app->completed++;
  app->last_cid = cid;
}

/* Reads (opcode 2) get cdw12 bytes of 0x5A; writes (1) an R2T when their
 * data is not in the capsule; everything is answered with success. */
static void
c_capsule (void *ctx, const struct nvme_sqe *sqe, const void *icd,
           uint32_t icd_len)
{
  struct sim_end *e = ctx;
  struct app *app = e->app;
  uint16_t cid = GET16 (sqe->cid);
  uint32_t len = GET32 (sqe->cdw12);
  struct nvme_cqe cqe;

  (void) icd;
  app->capsules++;
  if (sqe->opcode == 1 && icd_len == 0 && len) {
    eth_ctrl_r2t (e->a, cid, app->ctrl_buf[cid], len);
    return;
  }
  if (sqe->opcode == 2) {
    memset (app->ctrl_buf[cid], 0x5A, len);
    eth_ctrl_send_data (e->a, cid, app->ctrl_buf[cid], len);
  }
  memset (&cqe, 0, sizeof cqe);
  PUT16 (cqe.cid, cid);
  eth_ctrl_respond (e->a, &cqe);
}

static void
c_data_ready (void *ctx, uint16_t cid)
{
  struct sim_end *e = ctx;
  struct nvme_cqe cqe;

  ((struct app *) e->app)->data_ready++;
  memset (&cqe, 0, sizeof cqe);
  PUT16 (cqe.cid, cid);
  eth_ctrl_respond (e->a, &cqe);
}

static const struct eth_callbacks host_cb = {
  .tx = cap_tx,
  .closed = sim_closed,
  .complete = h_complete,
};
static const struct eth_callbacks ctrl_cb = {
  .tx = cap_tx,
  .closed = sim_closed,
  .capsule = c_capsule,
  .data_ready = c_data_ready,
};

static struct sim S;
static struct app *APP;

static bool
established (struct sim *s, void *arg)
{
  (void) arg;
  return s->host.a && s->ctrl.a &&
         eth_assoc_state (s->host.a) == ETH_S_ESTABLISHED &&
         eth_assoc_state (s->ctrl.a) == ETH_S_ESTABLISHED;
}

static bool
both_closed (struct sim *s, void *arg)
{
  (void) arg;
  return s->host.closed && s->ctrl.closed;
}

static bool
all_completed (struct sim *s, void *arg)
{
  (void) s;
  return APP->completed >= *(unsigned *) arg;
}

/* A fresh established pair: depth 8, MTU 1500, windows 64, 4 KiB in the
 * capsule, keep-alive 100 ms. */
/* The options the next pair's host asks for and its controller grants. */
static uint32_t opt_host, opt_ctrl;
static bool legacy_ctrl; /* the controller refuses every option */

static void
pair_try (const struct sim_link *link, bool expect_up)
{
  const struct sim_link clean = { .delay_us = 10 };
  struct eth_config h, c;

  memset (&h, 0, sizeof h);
  h.role = ETH_ROLE_HOST;
  h.qid = 3;
  h.queue_depth = 8;
  h.max_frame = 1500;
  h.rx_window = h.tx_window = 64;
  h.ka_interval_ms = 100;
  h.setup_ms = 500;
  h.local_id = 0x11111111;
  h.isn = 0xFFFFFFF0; /* the sequence numbers wrap during the tests */
  h.options = opt_host;
  h.cb = &host_cb;
  c = h;
  c.options = opt_ctrl;
  c.role = ETH_ROLE_CTRL;
  c.icd_max = 4096;
  c.local_id = 0x22222222;
  c.isn = 0x7FFFFFF0;
  c.cb = &ctrl_cb;
  nlog = 0;
  memset (APP, 0, sizeof *APP);
  sim_init (&S, link ? link : &clean, 42, &h, &c, 1024);
  S.ctrl.legacy = legacy_ctrl;
  S.host.app = S.ctrl.app = APP;
  sim_connect (&S);
  CHECK (sim_run (&S, S.now + 1000000, established, NULL, NULL) == expect_up,
         "the pair did%s establish", expect_up ? " not" : "");
}

static void
pair_up (const struct sim_link *link)
{
  pair_try (link, true);
}

static void
pair_down (void)
{
  sim_free (&S);
}

/* Submit one command on the host (cdw12 = length, for the controller). */
static void
submit (uint16_t cid, uint8_t opcode, uint32_t len, enum eth_dir dir)
{
  struct nvme_sqe sqe;

  memset (&sqe, 0, sizeof sqe);
  sqe.opcode = opcode;
  PUT16 (sqe.cid, cid);
  PUT32 (sqe.cdw12, len);
  memset (APP->host_buf[cid], 0xC3, len);
  CHECK (eth_host_submit (S.host.a, &sqe, len ? APP->host_buf[cid] : NULL, len,
                          dir) == 0,
         "submit cid %u: %m", cid);
  sim_poll (&S.host);
}

static void
run_until_completed (unsigned n)
{
  CHECK (sim_run (&S, S.now + 1000000, all_completed, NULL, &n),
         "%u of %u commands completed", APP->completed, n);
}

/* ---- Building frames by hand ----------------------------------------- */

static uint8_t fb[2048];

/* A frame of this type addressed from the controller to the host (or the
 * other way), as the next one in sequence, with a valid ack. */
static size_t
craft (uint8_t type, uint8_t flags, uint32_t data_len, bool to_host)
{
  struct eth_assoc *to = to_host ? S.host.a : S.ctrl.a;
  struct eth_assoc *from = to_host ? S.ctrl.a : S.host.a;
  unsigned hlen = nvme_eth_hlen (type);
  struct nvme_eth_hdr *h = (struct nvme_eth_hdr *) fb;

  memset (fb, 0, sizeof fb);
  eth_hdr_fill (fb, type, flags | NVME_ETH_F_ACK, (uint8_t) hlen,
                hlen + data_len, to->cfg.qid, eth_assoc_local_id (to),
                eth_assoc_local_id (from), to->rcv_nxt);
  PUT32 (h->ack, to->snd_una);
  PUT16 (h->wnd, 64);
  return hlen + data_len;
}

static size_t
seal (size_t len)
{
  const struct nvme_eth_hdr *h = (const void *) fb;
  uint32_t hlen = h->hlen < len ? h->hlen : (uint32_t) len;

  eth_frame_seal (fb, hlen, fb + hlen, (uint32_t) len - hlen);
  return len;
}

/* ---- Frame layout ------------------------------------------------------- */

static void
test_layout (void)
{
  unsigned from = 0, i;
  struct logged *l;
  struct eth_frame f;
  struct eth_error e;

  pair_up (NULL);
  /* A small write (in the capsule), a 6000-byte write (in the capsule,
   * over several frames), a 20000-byte write (R2T), a read, a flush. */
  submit (0, 1, 100, ETH_DIR_H2C);
  submit (1, 1, 4000, ETH_DIR_H2C);
  submit (2, 1, 20000, ETH_DIR_H2C);
  submit (3, 2, 3000, ETH_DIR_C2H);
  submit (4, 0, 0, ETH_DIR_NONE);
  run_until_completed (5);
  eth_assoc_close (S.host.a, S.now);
  sim_poll (&S.host);
  CHECK (sim_run (&S, S.now + 1000000, both_closed, NULL, NULL) &&
           S.host.closed_err == 0 && S.ctrl.closed_err == 0,
         "close: %s / %s", S.host.closed_msg, S.ctrl.closed_msg);

  /* Every frame sent parses, and says its own length. */
  for (i = 0; i < nlog; i++) {
    l = &tx_log[i];
    if (l->len > sizeof l->buf)
      continue;
    CHECK (eth_frame_parse (l->buf, l->len, &f, &e) == 0,
           "frame %u (%s) refused: %s", i, eth_type_string (l->buf[1]), e.msg);
    CHECK (get_le16 (l->buf + 4) == l->len && l->buf[0] == 1 &&
             l->buf[3] == nvme_eth_hlen (l->buf[1]),
           "frame %u header", i);
  }

  l = find (NVME_ETH_ASSOC_REQ, true, NULL);
  CHECK (l && l->len == 64 && get_le16 (l->buf + 6) == 3 &&
           get_le32 (l->buf + 8) == 0 && get_le32 (l->buf + 12) == 0x11111111 &&
           get_le32 (l->buf + 16) == 0xFFFFFFF0 &&
           get_le16 (l->buf + 32) == 8 && get_le16 (l->buf + 34) == 1500 &&
           get_le16 (l->buf + 36) == 64 && get_le32 (l->buf + 40) == 100 &&
           get_le32 (l->buf + 44) == 0,
         "ASSOC_REQ bytes");
  l = find (NVME_ETH_ASSOC_RESP, false, NULL);
  CHECK (l && l->len == 64 && l->buf[2] == NVME_ETH_F_ACK &&
           get_le32 (l->buf + 8) == 0x11111111 &&
           get_le32 (l->buf + 12) == 0x22222222 &&
           get_le32 (l->buf + 16) == 0x7FFFFFF0 &&
           get_le32 (l->buf + 20) == 0xFFFFFFF0 &&
           get_le16 (l->buf + 24) == 64 && get_le16 (l->buf + 32) == 0 &&
           get_le16 (l->buf + 34) == 8 && get_le16 (l->buf + 36) == 1500 &&
           get_le16 (l->buf + 38) == 64 && get_le32 (l->buf + 40) == 100 &&
           get_le32 (l->buf + 44) == 4096,
         "ASSOC_RESP bytes");
  /* The host's first frame after it carries the ack that establishes. */
  l = find (NVME_ETH_ACK, true, NULL);
  CHECK (l && l->len == 40 && get_le32 (l->buf + 20) == 0x7FFFFFF0 &&
           get_le16 (l->buf + 32) == 0,
         "the host's first ACK");

  /* CMD: the SQE at 32, SGL in-capsule (0x01) with the length, data. */
  from = 0;
  l = find (NVME_ETH_CMD, true, &from);
  CHECK (l && l->len == 96 + 100 && l->buf[32] == 1 &&
           get_le16 (l->buf + 34) == 0 && (l->buf[33] & 0xC0) == 0x40 &&
           l->buf[71] == NVME_SGL_ID_DATA_OFFSET &&
           get_le32 (l->buf + 64) == 100 && l->buf[96] == 0xC3 &&
           get_le32 (l->buf + 16) == 0xFFFFFFF0,
         "CMD with 100 bytes in the capsule (first sequence number = ISN)");
  l = find (NVME_ETH_CMD, true, &from);
  CHECK (l && l->len == 1500 && get_le16 (l->buf + 34) == 1 &&
           get_le32 (l->buf + 64) == 4000,
         "CMD with 4000 bytes in the capsule: a full frame");
  from = 0;
  l = find (NVME_ETH_H2C_DATA, true, &from);
  CHECK (l && l->buf[2] == (NVME_ETH_F_ACK | NVME_ETH_F_ICD) &&
           get_le16 (l->buf + 32) == 1 && get_le32 (l->buf + 36) == 1404 &&
           get_le32 (l->buf + 40) == 1452 && l->len == 1500,
         "in-capsule data continues at byte 1404 (1500 - 96), 1452 bytes");
  l = find (NVME_ETH_H2C_DATA, true, &from);
  CHECK (l && get_le32 (l->buf + 36) == 2856 && get_le32 (l->buf + 40) == 1144,
         "then 1144 bytes at 2856");
  from = 0;
  for (i = 0; i < 3; i++)
    l = find (NVME_ETH_CMD, true, &from);
  CHECK (l && l->len == 96 && l->buf[71] == NVME_SGL_ID_TRANSPORT &&
           get_le32 (l->buf + 64) == 20000,
         "CMD of a 20000-byte write: transport SGL, no data");
  l = find (NVME_ETH_R2T, false, NULL);
  CHECK (l && l->len == 48 && get_le16 (l->buf + 32) == 2 &&
           get_le32 (l->buf + 36) == 0 && get_le32 (l->buf + 40) == 20000,
         "R2T for all 20000 bytes");
  from = 0;
  while ((l = find (NVME_ETH_H2C_DATA, true, &from)) &&
         get_le16 (l->buf + 32) != 2)
    ;
  CHECK (l && l->buf[2] == NVME_ETH_F_ACK && get_le32 (l->buf + 36) == 0 &&
           get_le32 (l->buf + 40) == 1452,
         "H2C_DATA answering the R2T");
  l = find (NVME_ETH_C2H_DATA, false, NULL);
  CHECK (l && get_le16 (l->buf + 32) == 3 && get_le32 (l->buf + 36) == 0 &&
           get_le32 (l->buf + 40) == 1452 && l->buf[48] == 0x5A,
         "C2H_DATA of the read");
  from = 0;
  for (i = 0; i < 5 && (l = find (NVME_ETH_RSP, false, &from)); i++)
    if (get_le16 (l->buf + 32 + 12) == 3)
      break;
  CHECK (l && l->len == 64 && get_le32 (l->buf + 48) == 3000 &&
           get_le16 (l->buf + 32 + 10) == 3,
         "RSP of the read: CQE at 32 (SQ id 3), 3000 bytes sent");
  l = find (NVME_ETH_TERM, true, NULL);
  CHECK (l && l->len == 40 && get_le16 (l->buf + 32) == 0,
         "TERM(0) from the host");
  l = find (NVME_ETH_TERM_ACK, false, NULL);
  CHECK (l && l->len == 32 && get_le32 (l->buf + 8) == 0x11111111,
         "TERM_ACK from the controller");
  pair_down ();
}

/* ---- An association refuses what is not for it ----------------------- */

static void
dropped (struct sim_end *to, uint64_t *counter, const char *what, size_t len,
         const uint8_t *src_mac)
{
  uint64_t before = *counter;

  sim_inject (to, src_mac, fb, len);
  CHECK (*counter == before + 1 && !to->closed, "%s: not dropped (%s)", what,
         to->closed_msg);
}

static void
test_drops (void)
{
  struct eth_assoc *h;
  struct eth_stats *st;
  const uint8_t *cmac;
  uint8_t spoof[6] = { 2, 0, 0, 0, 0, 0x99 };
  size_t n;
  unsigned from = 0;
  struct logged *l;

  pair_up (NULL);
  h = S.host.a;
  st = &h->stats;
  cmac = S.ctrl.mac;
  submit (0, 2, 3000, ETH_DIR_C2H);
  run_until_completed (1);

  n = seal (craft (NVME_ETH_KEEPALIVE, 0, 0, true));
  dropped (&S.host, &st->drop_foreign, "spoofed source MAC", n, spoof);
  n = craft (NVME_ETH_KEEPALIVE, 0, 0, true);
  put_le32 (fb + 8, eth_assoc_local_id (h) + 1);
  dropped (&S.host, &st->drop_foreign, "another association", seal (n), cmac);
  n = craft (NVME_ETH_KEEPALIVE, 0, 0, true);
  put_le32 (fb + 12, 0x33333333);
  dropped (&S.host, &st->drop_foreign, "another peer id", seal (n), cmac);
  n = craft (NVME_ETH_KEEPALIVE, 0, 0, true);
  put_le16 (fb + 6, 4);
  dropped (&S.host, &st->drop_foreign, "another queue", seal (n), cmac);
  n = seal (craft (NVME_ETH_KEEPALIVE, 0, 0, true));
  fb[30] ^= 1;
  dropped (&S.host, &st->drop_malformed, "bad CRC", n, cmac);
  n = craft (NVME_ETH_KEEPALIVE, 0, 0, true);
  put_le32 (fb + 16, h->rcv_nxt + 64);
  dropped (&S.host, &st->drop_window, "beyond the window", seal (n), cmac);
  n = craft (NVME_ETH_KEEPALIVE, 0, 0, true);
  put_le32 (fb + 20, h->snd_nxt + 1);
  dropped (&S.host, &st->drop_bad_ack, "ack of a frame never sent", seal (n),
           cmac);
  n = craft (NVME_ETH_ACK, 0, 4, true);
  put_le16 (fb + 32, 32);
  fb[40 + 3] = 0x80; /* bit 31: ack + 32 */
  dropped (&S.host, &st->drop_bad_ack, "SACK of a frame never sent", seal (n),
           cmac);
  n = craft (NVME_ETH_ACK, 0, 0, true);
  fb[34] = NVME_ETH_ACK_F_DSACK;
  put_le32 (fb + 36, h->snd_nxt + 3);
  dropped (&S.host, &st->drop_bad_ack, "DSACK of a frame never sent", seal (n),
           cmac);

  /* The read's RSP again: a replay, dropped; no second completion. */
  l = find (NVME_ETH_RSP, false, &from);
  CHECK (l != NULL, "no RSP logged");
  if (l) {
    memcpy (fb, l->buf, l->len);
    dropped (&S.host, &st->drop_duplicate, "replayed RSP", l->len, cmac);
    CHECK (APP->completed == 1, "a replayed RSP completed again");
  }
  /* An ASSOC_RESP again (the same one): dropped as a repeat. */
  from = 0;
  l = find (NVME_ETH_ASSOC_RESP, false, &from);
  if (l) {
    memcpy (fb, l->buf, l->len);
    dropped (&S.host, &st->drop_state, "repeated ASSOC_RESP", l->len, cmac);
  }
  /* The association still works. */
  submit (1, 1, 5000, ETH_DIR_H2C);
  run_until_completed (2);
  pair_down ();
}

/* ---- Violations: TERM with the reason and field, then closed --------- */

static void
violated (struct sim_end *to, size_t len, uint16_t reason, uint32_t fei,
          const char *what)
{
  struct sim_end *other = to == &S.host ? &S.ctrl : &S.host;
  unsigned from = 0;
  struct logged *l;

  nlog = 0;
  sim_inject (to, other->mac, fb, len);
  l = find (NVME_ETH_TERM, to == &S.host, &from);
  CHECK (to->closed && to->closed_err == EPROTO, "%s: not closed (%d: %s)",
         what, to->closed_err, to->closed_msg);
  CHECK (l && get_le16 (l->buf + 32) == reason &&
           get_le32 (l->buf + 36) == fei &&
           l->len == 40 + (len < 64 ? len : 64) &&
           memcmp (l->buf + 40, fb, len < 64 ? len : 64) == 0,
         "%s: TERM reason %u fei %u (want %u %u)", what,
         l ? get_le16 (l->buf + 32) : 0xFFFF, l ? get_le32 (l->buf + 36) : 0,
         reason, fei);
  printf ("  TERM (%s): %s\n", what, to->closed_msg);
  /* The peer learns why, acknowledges, and ends too. */
  sim_run (&S, S.now + 100000, both_closed, NULL, NULL);
  CHECK (other->closed && other->closed_err == ECONNRESET,
         "%s: the peer %s (%s)", what, other->closed ? "closed" : "is open",
         other->closed_msg);
  pair_down ();
}

static void
test_violations (void)
{
  size_t n;

  pair_up (NULL);
  n = craft (NVME_ETH_C2H_DATA, 0, 100, true);
  put_le16 (fb + 32, 5);
  put_le32 (fb + 40, 100);
  violated (&S.host, seal (n), NVME_ETH_ERR_UNKNOWN_CID, 32,
            "C2H_DATA for a command not outstanding");

  pair_up (NULL);
  submit (2, 2, 1000, ETH_DIR_C2H);
  n = craft (NVME_ETH_C2H_DATA, 0, 100, true);
  put_le16 (fb + 32, 2);
  put_le32 (fb + 36, 950);
  put_le32 (fb + 40, 100);
  violated (&S.host, seal (n), NVME_ETH_ERR_DATA_RANGE, 36,
            "C2H_DATA past the buffer");

  pair_up (NULL);
  n = craft (NVME_ETH_RSP, 0, 0, true);
  put_le16 (fb + 32 + 12, 7);
  put_le16 (fb + 32 + 10, 3);
  violated (&S.host, seal (n), NVME_ETH_ERR_UNKNOWN_CID, 44,
            "RSP for a command not outstanding");

  pair_up (NULL);
  submit (2, 2, 1000, ETH_DIR_C2H);
  n = craft (NVME_ETH_RSP, 0, 0, true);
  put_le16 (fb + 32 + 12, 2);
  put_le16 (fb + 32 + 10, 3);
  put_le32 (fb + 48, 500);
  violated (&S.host, seal (n), NVME_ETH_ERR_INVALID_FIELD, 48,
            "RSP with success after 500 of 1000 bytes");

  pair_up (NULL);
  submit (2, 2, 1000, ETH_DIR_C2H);
  n = craft (NVME_ETH_R2T, 0, 0, true);
  put_le16 (fb + 32, 2);
  put_le32 (fb + 40, 1000);
  violated (&S.host, seal (n), NVME_ETH_ERR_SEQUENCE, 32, "R2T for a read");

  pair_up (NULL);
  n = craft (NVME_ETH_CMD, 0, 0, true);
  violated (&S.host, seal (n), NVME_ETH_ERR_SEQUENCE, 1, "CMD to the host");

  pair_up (NULL);
  n = craft (NVME_ETH_CMD, 0, 0, false);
  fb[33] = NVME_CMD_FLAGS_PSDT_SGL;
  put_le16 (fb + 34, 8);
  fb[71] = NVME_SGL_ID_TRANSPORT;
  violated (&S.ctrl, seal (n), NVME_ETH_ERR_INVALID_FIELD, 34,
            "CMD with CID 8 on a queue of 8");

  pair_up (NULL);
  n = craft (NVME_ETH_CMD, 0, 0, false);
  fb[33] = NVME_CMD_FLAGS_PSDT_SGL;
  fb[71] = 0x20;
  violated (&S.ctrl, seal (n), NVME_ETH_ERR_INVALID_FIELD, 71,
            "CMD with SGL identifier 0x20");

  pair_up (NULL);
  n = craft (NVME_ETH_CMD, 0, 10, false);
  fb[33] = NVME_CMD_FLAGS_PSDT_SGL;
  fb[71] = NVME_SGL_ID_DATA_OFFSET;
  put_le32 (fb + 64, 20);
  violated (&S.ctrl, seal (n), NVME_ETH_ERR_INVALID_FIELD, 4,
            "CMD carrying 10 of 20 in-capsule bytes");

  pair_up (NULL);
  n = craft (NVME_ETH_CMD, 0, 0, false);
  fb[33] = NVME_CMD_FLAGS_PSDT_SGL;
  fb[71] = NVME_SGL_ID_DATA_OFFSET;
  put_le32 (fb + 64, 5000);
  violated (&S.ctrl, seal (n), NVME_ETH_ERR_INVALID_FIELD, 56,
            "CMD with 5000 in-capsule bytes, above 4096");

  pair_up (NULL);
  n = craft (NVME_ETH_H2C_DATA, 0, 100, false);
  put_le16 (fb + 32, 1);
  put_le32 (fb + 40, 100);
  violated (&S.ctrl, seal (n), NVME_ETH_ERR_UNKNOWN_CID, 32,
            "H2C_DATA without an R2T");

  pair_up (NULL);
  n = craft (NVME_ETH_H2C_DATA, NVME_ETH_F_ICD, 100, false);
  put_le16 (fb + 32, 1);
  put_le32 (fb + 36, 4000);
  put_le32 (fb + 40, 100);
  violated (&S.ctrl, seal (n), NVME_ETH_ERR_DATA_RANGE, 36,
            "in-capsule data past 4096");

  pair_up (NULL);
  n = craft (NVME_ETH_H2C_DATA, NVME_ETH_F_ICD, 100, false);
  put_le16 (fb + 32, 1);
  put_le32 (fb + 36, 0);
  put_le32 (fb + 40, 100);
  violated (&S.ctrl, seal (n), NVME_ETH_ERR_DATA_RANGE, 36,
            "in-capsule data over the CMD frame's part");

  /* The options' frames, where the association did not agree them. */
  opt_ctrl = NVME_ETH_OPT_ALL;
  pair_up (NULL);
  submit (2, 2, 100, ETH_DIR_C2H);
  n = craft (NVME_ETH_C2H_DATA_RSP, 0, 100, true);
  put_le16 (fb + 32, 2);
  put_le32 (fb + 40, 100);
  put_le16 (fb + 48 + 12, 2);
  put_le16 (fb + 48 + 10, 3);
  violated (&S.host, seal (n), NVME_ETH_ERR_SEQUENCE, 1,
            "C2H_DATA_RSP without the DATA_RSP option");

  pair_up (NULL);
  submit (2, 2, 100, ETH_DIR_C2H);
  n = craft (NVME_ETH_C2H_DATA, NVME_ETH_F_HCRC, 100, true);
  put_le16 (fb + 32, 2);
  put_le32 (fb + 40, 100);
  eth_frame_seal (fb, sizeof (struct nvme_eth_data), NULL, 0);
  violated (&S.host, n, NVME_ETH_ERR_INVALID_FIELD, 2,
            "HCRC frame without the NO_DDGST option");

  opt_host = NVME_ETH_OPT_ALL;
  pair_up (NULL);
  submit (2, 2, 1000, ETH_DIR_C2H);
  n = craft (NVME_ETH_C2H_DATA_RSP, 0, 100, true);
  put_le16 (fb + 32, 2);
  put_le32 (fb + 40, 100);
  put_le16 (fb + 48 + 12, 2);
  put_le16 (fb + 48 + 10, 3);
  violated (&S.host, seal (n), NVME_ETH_ERR_DATA_RANGE, 36,
            "C2H_DATA_RSP with success after 100 of 1000 bytes");

  pair_up (NULL);
  submit (2, 1, 100, ETH_DIR_H2C);
  n = craft (NVME_ETH_C2H_DATA_RSP, 0, 100, true);
  put_le16 (fb + 32, 2);
  put_le32 (fb + 40, 100);
  put_le16 (fb + 48 + 12, 2);
  put_le16 (fb + 48 + 10, 3);
  violated (&S.host, seal (n), NVME_ETH_ERR_INVALID_FIELD, 32,
            "C2H_DATA_RSP for a write");
  opt_host = opt_ctrl = 0;
}

/* ---- Options (spec 7.4) ----------------------------------------------- */

static void
test_options (void)
{
  unsigned from = 0;
  struct logged *l;

  printf ("options: negotiated as the subset, used, and absent for old "
          "peers\n");
  /* Both ends: a read of one frame is C2H_DATA_RSP, sealed over its
   * header only; one of three frames is C2H_DATA then C2H_DATA_RSP. */
  opt_host = opt_ctrl = NVME_ETH_OPT_ALL;
  pair_up (NULL);
  CHECK (eth_assoc_params (S.host.a)->options == NVME_ETH_OPT_ALL &&
           eth_assoc_params (S.ctrl.a)->options == NVME_ETH_OPT_ALL,
         "both options agreed");
  nlog = 0;
  submit (1, 2, 1000, ETH_DIR_C2H);
  run_until_completed (1);
  l = find (NVME_ETH_C2H_DATA_RSP, false, &from);
  CHECK (l && (l->buf[2] & NVME_ETH_F_HCRC) && l->len == 64 + 1000 &&
           find (NVME_ETH_RSP, false, NULL) == NULL &&
           find (NVME_ETH_C2H_DATA, false, NULL) == NULL,
         "a 1000-byte read is one C2H_DATA_RSP frame with HCRC");
  CHECK (APP->host_buf[1][0] == 0x5A && APP->host_buf[1][999] == 0x5A,
         "its data is in place");
  nlog = 0;
  submit (2, 2, 3000, ETH_DIR_C2H);
  run_until_completed (2);
  from = 0;
  CHECK (find (NVME_ETH_C2H_DATA, false, &from) != NULL &&
           find (NVME_ETH_C2H_DATA, false, &from) != NULL &&
           find (NVME_ETH_C2H_DATA_RSP, false, &from) != NULL &&
           find (NVME_ETH_RSP, false, NULL) == NULL &&
           APP->host_buf[2][2999] == 0x5A,
         "a 3000-byte read at MTU 1500: two C2H_DATA, one C2H_DATA_RSP");
  pair_down ();

  /* The host asks, an old controller grants nothing: version 1 frames. */
  opt_host = NVME_ETH_OPT_ALL;
  opt_ctrl = 0;
  pair_up (NULL);
  CHECK (eth_assoc_params (S.host.a)->options == 0, "nothing granted");
  nlog = 0;
  submit (1, 2, 1000, ETH_DIR_C2H);
  run_until_completed (1);
  l = find (NVME_ETH_C2H_DATA, false, NULL);
  CHECK (l && !(l->buf[2] & NVME_ETH_F_HCRC) &&
           find (NVME_ETH_RSP, false, NULL) != NULL &&
           find (NVME_ETH_C2H_DATA_RSP, false, NULL) == NULL,
         "without options: C2H_DATA with its CRC over the data, then RSP");
  pair_down ();

  /* A controller of the first publication refuses any option: the host
   * asks again without, and works as version 1. */
  opt_host = NVME_ETH_OPT_ALL;
  legacy_ctrl = true;
  pair_up (NULL);
  CHECK (S.ctrl.legacy_refusals == 1 &&
           eth_assoc_params (S.host.a)->options == 0,
         "refused once (%u), then associated without options",
         S.ctrl.legacy_refusals);
  submit (1, 2, 1000, ETH_DIR_C2H);
  run_until_completed (1);
  CHECK (APP->host_buf[1][999] == 0x5A, "and a read works");
  pair_down ();
  legacy_ctrl = false;

  /* PACK (spec 4.1): two KEEPALIVEs in one payload are both taken
   * (the second counted as packed); a damaged pack is dropped whole; a
   * pack where PACK was not agreed is a frame with trailing bytes. */
  for (int agreed = 1; agreed >= 0; agreed--) {
    static uint8_t two[128];
    const struct eth_stats *st;
    uint32_t nxt;
    size_t n1, n2;

    opt_host = opt_ctrl = agreed ? NVME_ETH_OPT_PACK : 0;
    pair_up (NULL);
    st = eth_assoc_stats (S.host.a);
    nxt = S.host.a->rcv_nxt;
    n1 = seal (craft (NVME_ETH_KEEPALIVE, 0, 0, true));
    memcpy (two, fb, n1);
    n2 = craft (NVME_ETH_KEEPALIVE, 0, 0, true);
    put_le32 (fb + 16, nxt + 1);
    seal (n2);
    memcpy (two + n1, fb, n2);
    two[n1 + 20] ^= 1; /* the second's ack: its CRC fails */
    sim_inject (&S.host, S.ctrl.mac, two, n1 + n2);
    CHECK (S.host.a->rcv_nxt == nxt && st->drop_malformed == 1,
           "PACK %s: a pack with a corrupt frame dropped whole",
           agreed ? "agreed" : "not agreed");
    two[n1 + 20] ^= 1;
    sim_inject (&S.host, S.ctrl.mac, two, n1 + n2);
    if (agreed)
      CHECK (S.host.a->rcv_nxt == nxt + 2 && st->rx_packed == 1 &&
               st->drop_malformed == 1,
             "PACK agreed: both frames of a pack taken");
    else
      CHECK (S.host.a->rcv_nxt == nxt && st->drop_malformed == 2,
             "PACK not agreed: a pack is a frame with trailing bytes");
    pair_down ();
  }

  /* Only DATA_RSP asked (data-digest=on): the data keeps its CRC. */
  opt_host = NVME_ETH_OPT_DATA_RSP;
  opt_ctrl = NVME_ETH_OPT_ALL;
  pair_up (NULL);
  nlog = 0;
  submit (1, 2, 1000, ETH_DIR_C2H);
  run_until_completed (1);
  l = find (NVME_ETH_C2H_DATA_RSP, false, NULL);
  CHECK (l && !(l->buf[2] & NVME_ETH_F_HCRC),
         "data-digest on: C2H_DATA_RSP sealed over its data");
  pair_down ();
  opt_host = opt_ctrl = 0;
}

/* ---- An association's life --------------------------------------------- */

static void
test_life (void)
{
  const struct sim_link dead = { .loss = 1.0, .delay_us = 10 };
  struct eth_config c;
  struct nvme_sqe sqe;
  char err[256];
  uint8_t buf[16];
  uint64_t t0;

  /* Configurations refused with a sentence. */
  memset (&c, 0, sizeof c);
  c.role = ETH_ROLE_HOST;
  c.queue_depth = 8;
  c.max_frame = 1500;
  c.rx_window = c.tx_window = 64;
  c.cb = &host_cb;
  c.max_frame = 1000;
  CHECK (eth_assoc_new (&c, err, sizeof err) == NULL && strstr (err, "MTU"),
         "MTU 1000 accepted");
  c.max_frame = 1500;
  c.queue_depth = 0;
  CHECK (eth_assoc_new (&c, err, sizeof err) == NULL, "depth 0 accepted");
  c.queue_depth = 8;
  c.rx_window = 2000;
  CHECK (eth_assoc_new (&c, err, sizeof err) == NULL, "window 2000 accepted");

  /* No controller: the host gives up after setup_ms, saying so. */
  pair_try (&dead, false);
  CHECK (S.host.closed && S.host.closed_err == ETIMEDOUT &&
           strstr (S.host.closed_msg, "ASSOC_REQ"),
         "no controller: %d %s", S.host.closed_err, S.host.closed_msg);
  pair_down ();

  /* The link dies after setup: both ends notice within 4 keep-alive
   * intervals (100 ms), with or without commands outstanding. */
  pair_up (NULL);
  submit (0, 2, 1000, ETH_DIR_C2H);
  S.link.loss = 1.0;
  t0 = S.now;
  sim_run (&S, S.now + 2000000, both_closed, NULL, NULL);
  CHECK (S.host.closed && S.host.closed_err == ETIMEDOUT && S.ctrl.closed &&
           S.ctrl.closed_err == ETIMEDOUT && S.now - t0 <= 450000,
         "dead link after %" PRIu64 " us: host %d %s, ctrl %d %s", S.now - t0,
         S.host.closed_err, S.host.closed_msg, S.ctrl.closed_err,
         S.ctrl.closed_msg);
  pair_down ();

  /* An idle association stays up on keep-alives. */
  pair_up (NULL);
  sim_run (&S, S.now + 2000000, both_closed, NULL, NULL);
  CHECK (!S.host.closed && !S.ctrl.closed &&
           eth_assoc_stats (S.host.a)->keepalives_sent +
               eth_assoc_stats (S.ctrl.a)->keepalives_sent >=
             10,
         "idle association: %s / %s", S.host.closed_msg, S.ctrl.closed_msg);

  /* Submission errors. */
  memset (&sqe, 0, sizeof sqe);
  PUT16 (sqe.cid, 8);
  CHECK (eth_host_submit (S.host.a, &sqe, buf, 16, ETH_DIR_C2H) < 0 &&
           errno == EINVAL,
         "CID 8 of 8 submitted");
  PUT16 (sqe.cid, 1);
  CHECK (eth_host_submit (S.host.a, &sqe, NULL, 16, ETH_DIR_C2H) < 0 &&
           errno == EINVAL,
         "NULL buffer submitted");
  CHECK (eth_host_submit (S.host.a, &sqe, buf, 16, ETH_DIR_C2H) == 0 &&
           eth_host_submit (S.host.a, &sqe, buf, 16, ETH_DIR_C2H) < 0 &&
           errno == EBUSY,
         "a CID submitted twice");
  CHECK (eth_ctrl_respond (S.host.a, &(struct nvme_cqe){ 0 }) < 0,
         "a host responded");
  eth_assoc_abort (S.host.a, NVME_ETH_ERR_SHUTDOWN, ESHUTDOWN, "shutting down");
  CHECK (S.host.closed && S.host.closed_err == ESHUTDOWN &&
           eth_host_submit (S.host.a, &sqe, buf, 16, ETH_DIR_C2H) < 0 &&
           errno == ENOTCONN,
         "abort");
  sim_run (&S, S.now + 100000, both_closed, NULL, NULL);
  CHECK (S.ctrl.closed && S.ctrl.closed_err == ECONNRESET &&
           strstr (S.ctrl.closed_msg, "shutting down"),
         "the controller after the host's abort: %s", S.ctrl.closed_msg);
  pair_down ();
}

int
main (void)
{
  tx_log = calloc (LOG_MAX, sizeof *tx_log);
  APP = calloc (1, sizeof *APP);
  if (tx_log == NULL || APP == NULL)
    return 1;
  test_layout ();
  test_drops ();
  test_violations ();
  test_options ();
  test_life ();
  free (tx_log);
  free (APP);
  printf ("%d checks, %d failures\n", checks, failures);
  return failures ? 1 : 0;
}
