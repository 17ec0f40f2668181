/* SPDX-License-Identifier: BSD-3-Clause */
/* Fuzz target for the NVMe/Eth frame parser and the engine behind it
 * (initiator/eth-*.c), which both ends run on every frame the link brings.
 * The first input byte picks what the rest is fed to:
 *   0  eth_frame_parse as received, then with its CRC made right (so that
 *      the checks behind the CRC are reached), and a PROBE_RESP's entries;
 *   1  an established host association, with the ids, queue, sequence
 *      and ack numbers made those it expects and the CRC made right;
 *   2  the same for the controller association;
 *   3  the host association as received.
 * The two associations are connected to each other (frames go across at
 * once) and have a read and a write outstanding.  They agree every option
 * (C2H_DATA_RSP, F_HCRC), or none when bit 2 of the first byte is set at
 * the input that sets them up.  Every input must be
 * accepted, dropped and counted, or refused with a TERM and a one-line
 * message; never a crash, an endless loop or a read out of bounds.
 *
 * libFuzzer: scripts/fuzz.sh (make fuzz) builds and runs it.
 * Built-in driver (the unit test "unit/fuzz-eth-frame"): see driver.c.
 */
#include <config.h>

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eth-int.h"
#include "driver.h"

#define FAILED(...) \
  do { \
    fprintf (stderr, \
             "fuzz-eth-frame: invariant failed at line %d: ", __LINE__); \
    fprintf (stderr, __VA_ARGS__); \
    fprintf (stderr, "\n"); \
    abort (); \
  } while (0)

static const uint8_t host_mac[6] = { 2, 0, 0, 0, 0, 1 };
static const uint8_t ctrl_mac[6] = { 2, 0, 0, 0, 0, 2 };

/* Frames in flight between the two (one direction each), delivered by
 * pump () after every input. */
#define QMAX 64
struct q {
  uint8_t buf[QMAX][1600];
  uint32_t len[QMAX];
  unsigned n;
};
static struct q to_ctrl, to_host;
static struct eth_assoc *host, *ctrl;
static bool host_closed, ctrl_closed;
static uint32_t options; /* what the next setup () asks and grants */
static uint64_t now_us = 1000000;
static uint8_t rd_buf[4096], wr_buf[20000], r2t_buf[20000];

static unsigned
tx (void *ctx, const struct eth_tx_frame *f, unsigned n)
{
  struct q *q = ctx == &host ? &to_ctrl : &to_host;
  unsigned i;

  for (i = 0; i < n && q->n < QMAX; i++) {
    uint32_t len = f[i].hdr_len + f[i].data_len;

    if (len > sizeof q->buf[0])
      continue; /* larger than the test's MTU: lost */
    memcpy (q->buf[q->n], f[i].hdr, f[i].hdr_len);
    if (f[i].data_len)
      memcpy (q->buf[q->n] + f[i].hdr_len, f[i].data, f[i].data_len);
    q->len[q->n++] = len;
  }
  return n;
}

static void
closed (void *ctx, int err, const char *msg)
{
  size_t n = strlen (msg);

  (void) err;
  if (n == 0 || n >= 256 || strchr (msg, '\n'))
    FAILED ("closed message '%s'", msg);
  if (ctx == &host)
    host_closed = true;
  else
    ctrl_closed = true;
}

static void
complete (void *ctx, uint16_t cid, const struct nvme_cqe *cqe)
{
  (void) ctx;
  (void) cqe;
  if (cid >= 8)
    FAILED ("completion of CID %u on a queue of 8", cid);
}

/* The controller keeps commands outstanding; writes get their R2T. */
static void
capsule (void *ctx, const struct nvme_sqe *sqe, const void *icd, uint32_t n)
{
  uint16_t cid = GET16 (sqe->cid);
  uint32_t len = GET32 (sqe->dptr.sgl.length);

  (void) ctx;
  if (n && icd == NULL)
    FAILED ("capsule with %u bytes at NULL", n);
  if (sqe->opcode == 1 && n == 0 && len && len <= sizeof r2t_buf)
    eth_ctrl_r2t (ctrl, cid, r2t_buf, len);
}

static void
data_ready (void *ctx, uint16_t cid)
{
  (void) ctx;
  (void) cid;
}

static const struct eth_callbacks host_cb = {
  .tx = tx,
  .closed = closed,
  .complete = complete,
};
static const struct eth_callbacks ctrl_cb = {
  .tx = tx,
  .closed = closed,
  .capsule = capsule,
  .data_ready = data_ready,
};

static void
deliver (struct q *q, bool to_ctrl_side)
{
  static struct q copy; /* what is delivered may queue more frames */
  unsigned i;

  copy = *q;
  q->n = 0;
  for (i = 0; i < copy.n; i++) {
    if (to_ctrl_side && ctrl == NULL) {
      struct eth_config c = { .role = ETH_ROLE_CTRL,
                              .qid = 1,
                              .queue_depth = 8,
                              .max_frame = 1500,
                              .rx_window = 32,
                              .tx_window = 32,
                              .icd_max = 4096,
                              .options = NVME_ETH_OPT_ALL,
                              .local_id = 0x22222222,
                              .isn = 0x80000000,
                              .cb = &ctrl_cb,
                              .ctx = &ctrl };
      struct eth_frame f;
      struct eth_error e;
      char err[256];

      if (eth_frame_parse (copy.buf[i], copy.len[i], &f, &e) < 0 ||
          f.type != NVME_ETH_ASSOC_REQ)
        continue;
      ctrl = eth_assoc_new (&c, err, sizeof err);
      if (ctrl == NULL)
        FAILED ("%s", err);
      eth_assoc_accept (ctrl, host_mac, &f, now_us);
      continue;
    }
    if (to_ctrl_side)
      eth_assoc_input (ctrl, host_mac, copy.buf[i], copy.len[i], now_us);
    else
      eth_assoc_input (host, ctrl_mac, copy.buf[i], copy.len[i], now_us);
  }
}

/* Exchange frames until both are quiet (bounded). */
static void
pump (void)
{
  unsigned round;

  for (round = 0; round < 32 && (to_ctrl.n || to_host.n); round++) {
    deliver (&to_ctrl, true);
    deliver (&to_host, false);
    eth_assoc_poll (host, now_us);
    if (ctrl)
      eth_assoc_poll (ctrl, now_us);
  }
}

static void
teardown (void)
{
  eth_assoc_free (host);
  eth_assoc_free (ctrl);
  host = ctrl = NULL;
  to_ctrl.n = to_host.n = 0;
}

static void
setup (void)
{
  struct eth_config h = { .role = ETH_ROLE_HOST,
                          .qid = 1,
                          .queue_depth = 8,
                          .max_frame = 1500,
                          .rx_window = 32,
                          .tx_window = 32,
                          .options = options,
                          .local_id = 0x11111111,
                          .isn = 0xFFFFFFF8,
                          .peer_mac = { 2, 0, 0, 0, 0, 2 },
                          .cb = &host_cb,
                          .ctx = &host };
  struct nvme_sqe sqe;
  char err[256];

  teardown ();
  host_closed = ctrl_closed = false;
  host = eth_assoc_new (&h, err, sizeof err);
  if (host == NULL)
    FAILED ("%s", err);
  eth_assoc_connect (host, now_us);
  pump ();
  if (ctrl == NULL || eth_assoc_state (host) != ETH_S_ESTABLISHED ||
      eth_assoc_state (ctrl) != ETH_S_ESTABLISHED)
    FAILED ("the pair did not establish");
  /* A read (CID 1) and a write that needs an R2T (CID 2). */
  memset (&sqe, 0, sizeof sqe);
  sqe.opcode = 2;
  PUT16 (sqe.cid, 1);
  eth_host_submit (host, &sqe, rd_buf, sizeof rd_buf, ETH_DIR_C2H);
  sqe.opcode = 1;
  PUT16 (sqe.cid, 2);
  eth_host_submit (host, &sqe, wr_buf, sizeof wr_buf, ETH_DIR_H2C);
  eth_assoc_poll (host, now_us);
  pump ();
}

/* Make a frame look like the next one an association expects. */
static void
aim (uint8_t *buf, size_t len, const struct eth_assoc *to, uint8_t nudge)
{
  struct nvme_eth_hdr *h = (struct nvme_eth_hdr *) buf;
  uint32_t length;

  if (len < sizeof *h)
    return;
  PUT32 (h->dst_assoc, to->params.local_id);
  PUT32 (h->src_assoc, to->peer_id);
  PUT16 (h->qid, to->cfg.qid);
  PUT32 (h->seq, to->rcv_nxt + (nudge & 3));
  if (nudge & 4)
    PUT32 (h->ack, to->snd_una + (nudge >> 4));
  length = GET16 (h->length);
  if (length >= sizeof *h && length <= len && h->hlen <= length)
    eth_frame_seal (buf, h->hlen, buf + h->hlen,
                    h->flags & NVME_ETH_F_HCRC ? 0 : length - h->hlen);
}

static void
check_frame (const uint8_t *buf, size_t len, const struct eth_frame *f)
{
  if (f->len > len || f->len < sizeof (struct nvme_eth_hdr))
    FAILED ("accepted length %u of %zu bytes", f->len, len);
  if (f->hlen != nvme_eth_hlen (f->type) || f->hlen > f->len)
    FAILED ("accepted %s with HLEN %u", eth_type_string (f->type), f->hlen);
  if (f->data != buf + f->hlen || f->data_len != f->len - f->hlen)
    FAILED ("data %p+%u outside the frame", (const void *) f->data,
            f->data_len);
}

static void
entry (void *ctx, const uint8_t mac[6], unsigned index, unsigned count,
       const struct eth_disc_entry_info *info)
{
  const struct eth_frame *f = ctx;
  struct eth_disc_ns_info ns;
  unsigned i;

  (void) mac;
  if (index >= count || strlen (info->nqn) == 0 || strlen (info->nqn) > 223)
    FAILED ("entry %u of %u, NQN of %zu bytes", index, count,
            strlen (info->nqn));
  if (info->ns_raw < f->data ||
      info->ns_raw + (size_t) info->nr_ns * 16 > f->data + f->data_len)
    FAILED ("namespaces outside the frame");
  for (i = 0; i < info->nr_ns; i++)
    eth_disc_ns_at (info, i, &ns);
}

static void
parse_only (uint8_t *buf, size_t len)
{
  struct eth_frame f;
  struct eth_error e;
  int pass;

  for (pass = 0; pass < 2; pass++) {
    e.msg[0] = '\0';
    if (eth_frame_parse (buf, len, &f, &e) == 0) {
      check_frame (buf, len, &f);
      if (f.type == NVME_ETH_PROBE_RESP &&
          eth_parse_probe_resp (&f, get_le32 (buf + 32), entry, &f, &e) < 0 &&
          e.msg[0] == '\0')
        FAILED ("PROBE_RESP refused without a message");
    }
    else if (e.msg[0] == '\0' || strchr (e.msg, '\n'))
      FAILED ("refusal message '%s'", e.msg);
    if (len >= sizeof (struct nvme_eth_hdr)) {
      uint32_t length = get_le16 (buf + 4), hlen = buf[3];

      if (length >= 32 && length <= len && hlen <= length)
        eth_frame_seal (buf, hlen, buf + hlen,
                        buf[2] & NVME_ETH_F_HCRC ? 0 : length - hlen);
    }
  }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  uint8_t *copy;
  uint8_t mode, nudge;

  if (size < 2)
    return 0;
  mode = data[0] & 3;
  nudge = data[1];
  /* An exact-size heap copy, so that ASan sees any read past the end. */
  copy = malloc (size - 2 ? size - 2 : 1);
  if (copy == NULL)
    return 0;
  memcpy (copy, data + 2, size - 2);
  now_us += 100 + nudge;
  if (mode == 0)
    parse_only (copy, size - 2);
  else {
    if (host == NULL || host_closed || ctrl_closed) {
      options = data[0] & 4 ? 0 : NVME_ETH_OPT_ALL;
      setup ();
    }
    if (mode == 2) {
      aim (copy, size - 2, ctrl, nudge);
      eth_assoc_input (ctrl, host_mac, copy, size - 2, now_us);
    }
    else {
      if (mode == 1)
        aim (copy, size - 2, host, nudge);
      eth_assoc_input (host, ctrl_mac, copy, size - 2, now_us);
    }
    eth_assoc_poll (host, now_us);
    eth_assoc_poll (ctrl, now_us);
    pump ();
  }
  free (copy);
  return 0;
}

#ifndef FUZZ_LIBFUZZER
/* ---- Seeds for the built-in driver (driver.c): one frame of each type
 * the associations take, for each mode. */

static size_t
frame (uint8_t *buf, uint8_t type, uint8_t flags, uint32_t data_len)
{
  unsigned hlen = nvme_eth_hlen (type);

  memset (buf, 0, hlen + data_len);
  eth_hdr_fill (buf, type, flags | NVME_ETH_F_ACK, (uint8_t) hlen,
                hlen + data_len, 1, 0, 0, 0);
  put_le16 (buf + 24, 32);
  switch (type) {
  case NVME_ETH_C2H_DATA:
  case NVME_ETH_H2C_DATA:
    put_le16 (buf + 32, type == NVME_ETH_C2H_DATA ? 1 : 2);
    put_le32 (buf + 40, data_len);
    break;
  case NVME_ETH_C2H_DATA_RSP:
    put_le16 (buf + 32, 1);
    put_le32 (buf + 36, 4096 - data_len);
    put_le32 (buf + 40, data_len);
    put_le16 (buf + 48 + 10, 1);
    put_le16 (buf + 48 + 12, 1);
    break;
  case NVME_ETH_RSP:
    put_le16 (buf + 32 + 10, 1);
    put_le16 (buf + 32 + 12, 1);
    put_le32 (buf + 48, 4096);
    break;
  case NVME_ETH_R2T:
    put_le16 (buf + 32, 2);
    put_le32 (buf + 40, 20000);
    break;
  case NVME_ETH_CMD:
    buf[32] = 1;
    buf[33] = 0x40;
    put_le16 (buf + 34, 3);
    buf[71] = data_len ? 0x01 : 0x5A;
    put_le32 (buf + 64, data_len ? data_len : 8000);
    break;
  case NVME_ETH_ACK:
    put_le16 (buf + 32, (uint16_t) (data_len * 8));
    break;
  default:
    break;
  }
  eth_frame_seal (buf, hlen, buf + hlen,
                  flags & NVME_ETH_F_HCRC ? 0 : data_len);
  return hlen + data_len;
}

static size_t
seed (size_t i, uint8_t *buf, size_t cap)
{
  static const struct {
    uint8_t mode, type, flags;
    uint32_t data;
  } s[] = {
    { 1, NVME_ETH_C2H_DATA, 0, 512 },
    { 1, NVME_ETH_RSP, 0, 0 },
    { 1, NVME_ETH_R2T, 0, 0 },
    { 1, NVME_ETH_KEEPALIVE, 0, 0 },
    { 1, NVME_ETH_ACK, 0, 4 },
    { 1, NVME_ETH_TERM, 0, 8 },
    { 1, NVME_ETH_TERM_ACK, 0, 0 },
    { 2, NVME_ETH_CMD, 0, 100 },
    { 2, NVME_ETH_CMD, 0, 0 },
    { 2, NVME_ETH_H2C_DATA, 0, 700 },
    { 2, NVME_ETH_H2C_DATA, NVME_ETH_F_ICD, 300 },
    { 0, NVME_ETH_ASSOC_REQ, 0, 0 },
    { 0, NVME_ETH_ASSOC_RESP, 0, 0 },
    { 3, NVME_ETH_KEEPALIVE, 0, 0 },
    { 1, NVME_ETH_C2H_DATA_RSP, 0, 512 },
    { 1, NVME_ETH_C2H_DATA_RSP, NVME_ETH_F_HCRC, 1000 },
    { 1, NVME_ETH_C2H_DATA, NVME_ETH_F_HCRC, 512 },
    { 2, NVME_ETH_H2C_DATA, NVME_ETH_F_HCRC, 700 },
    { 5, NVME_ETH_C2H_DATA_RSP, 0, 512 }, /* no options agreed */
    { 0, NVME_ETH_C2H_DATA_RSP, NVME_ETH_F_HCRC, 100 },
  };
  uint8_t tmp[2048];
  size_t n;

  if (i == sizeof s / sizeof s[0]) {
    /* A PROBE_RESP with two entries. */
    uint8_t *p = tmp + 2;

    memset (tmp, 0, sizeof tmp);
    eth_hdr_fill (p, NVME_ETH_PROBE_RESP, 0, 64, 64 + 8 + 8 + 16 + 8 + 4, 0, 0,
                  0, 0);
    put_le32 (p + 32, 7);
    p[43] = 1;
    put_le16 (p + 44, 2);
    p[64] = 2;
    put_le16 (p + 66, 5);
    put_le16 (p + 68, 1);
    memcpy (p + 72, "nqn.a", 5);
    put_le32 (p + 80, 1);
    p[96] = 3;
    put_le16 (p + 98, 3);
    memcpy (p + 104, "nqn", 3);
    eth_frame_seal (p, 64, p + 64, 44);
    n = 2 + 108;
  }
  else if (i < sizeof s / sizeof s[0]) {
    tmp[0] = s[i].mode;
    tmp[1] = 4; /* nudge: a valid ack */
    n = 2 + frame (tmp + 2, s[i].type, s[i].flags, s[i].data);
  }
  else
    return 0;
  if (n > cap)
    n = cap;
  memcpy (buf, tmp, n);
  return n;
}

static const char *const tokens[] = {
  "\x01",     "\x10",     "\x11", "\x12",     "\x13",
  "\x14",     "\x05",     "\x06", "\x03",     "\xff\xff",
  "\x00\x00", "\x20\x00", "\x40", "\x5a",     "\x08",
  "\xdc\x05", "\x00\x04", "\x15", "\x10\x40", "\x03\x00\x00\x00",
};

const struct fuzz_target fuzz_target = {
  .name = "fuzz-eth-frame",
  .what = "NVMe/Eth frame parser and engine",
  .seed = seed,
  .tokens = tokens,
  .nr_tokens = sizeof tokens / sizeof tokens[0],
};
#endif /* !FUZZ_LIBFUZZER */
