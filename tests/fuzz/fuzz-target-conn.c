/* SPDX-License-Identifier: BSD-3-Clause */
/* Fuzz target for nvmeof-target's receive path: the bytes a host sends on
 * a connection (target/conn.c: PDU headers, digests, ICReq, CapsuleCmd and
 * its in-capsule data, H2CData against the R2Ts, H2CTermReq), and behind
 * it every command the host can send (cmd-fabrics.c, cmd-admin.c,
 * cmd-io.c, auth.c, discovery.c), fed through a fake connection whose
 * recv reads the input and whose sendv checks what the target answers.
 * The first byte picks how the input begins:
 *   bits 0-1  0: the input is the whole stream;
 *             1: a valid ICReq first;
 *             2: ICReq, admin Connect and CC.EN=1 first (an enabled
 *                controller: admin commands);
 *             3: that on another connection, then ICReq and an I/O queue
 *                Connect on this one (I/O commands);
 *   bit 2     the prefix's ICReq asks for header digests,
 *   bit 3     and for data digests;
 *   bit 4     connect to the discovery subsystem instead;
 *   bit 6     connect as the host that must authenticate (DH-HMAC-CHAP,
 *             target/auth.c) to the subsystem that requires it: the
 *             prefix stops after the Connect, the input drives AUTH_Send
 *             and AUTH_Receive (in modes 2 and 3: the admin queue);
 *   bit 5     seal: before the input is fed, the header and data digests
 *             of each PDU in it that has the flag are made right (so
 *             that the checks behind them are reached).
 * Every input must end with the connection closed or the input read;
 * what the target sends must be a sequence of well-formed PDUs of the
 * types a controller sends, nothing after a C2HTermReq; no crash, leak,
 * hang or read out of bounds.
 *
 * Every input starts from the same state: the target's configuration is
 * built once (target-fixture.c, shared with fuzz-target-eth.c), what an
 * input can leave in it (RAM namespace bytes, write protection) is reset
 * before the next, and its connections and controllers are freed.
 *
 * libFuzzer: scripts/fuzz.sh (it links target/ but main.c, whose globals
 * target-fixture.c defines).  Built-in driver (the unit test
 * "unit/fuzz-target-conn"): see driver.c. */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conn.h"
#include "crc32c.h"
#include "auth-msg.h"
#include "driver.h"
#include "target-fixture.h"

/* ---- the fake connection ------------------------------------------------ */

/* What a connection reads (its input) and what it sent so far. */
struct fake {
  const uint8_t *in;
  size_t in_len, in_pos;
  uint8_t out[1 << 16]; /* the PDU being reassembled */
  size_t out_len;
  bool term_sent;
};

static struct fake fakes[2];

static ssize_t
fake_recv (struct conn *c, void *p, size_t len, int flags)
{
  struct fake *f = &fakes[c->fd];
  size_t n = f->in_len - f->in_pos;

  (void) flags;
  if (n > len)
    n = len;
  memcpy (p, f->in + f->in_pos, n);
  f->in_pos += n;
  return (ssize_t) n; /* 0 at the end: the host closed */
}

/* Check the PDUs in out[0..out_len) that are complete; keep the rest. */
static void
check_out (struct fake *f)
{
  size_t pos = 0;

  while (f->out_len - pos >= sizeof (struct nvme_tcp_ch)) {
    const struct nvme_tcp_ch *ch = (const void *) (f->out + pos);
    uint32_t plen = GET32 (ch->plen), hlen = nvme_tcp_pdu_hlen (ch->type);

    if (f->term_sent)
      FAILED ("a %u-type PDU after the C2HTermReq", ch->type);
    switch (ch->type) {
    case NVME_TCP_PDU_ICRESP:
    case NVME_TCP_PDU_C2H_TERM:
    case NVME_TCP_PDU_RSP:
    case NVME_TCP_PDU_C2H_DATA:
    case NVME_TCP_PDU_R2T:
      break;
    default:
      FAILED ("sent a PDU of type 0x%02x", ch->type);
    }
    if (ch->hlen != hlen || plen < hlen || ch->pdo > plen)
      FAILED ("sent type 0x%02x with HLEN %u, PDO %u, PLEN %u", ch->type,
              ch->hlen, ch->pdo, plen);
    if (ch->type == NVME_TCP_PDU_C2H_TERM) {
      if (plen > NVME_TCP_TERM_MAX_PLEN)
        FAILED ("C2HTermReq of %u bytes", plen);
      f->term_sent = true;
    }
    if (plen > sizeof f->out) {
      /* A large C2HData: its header checked, skip the data unseen. */
      if (ch->type != NVME_TCP_PDU_C2H_DATA)
        FAILED ("sent type 0x%02x of %u bytes", ch->type, plen);
      f->out_len = 0;
      return;
    }
    if (f->out_len - pos < plen)
      break;
    if (ch->type == NVME_TCP_PDU_RSP) {
      const struct nvme_tcp_rsp_pdu *r = (const void *) ch;

      log_msg ("sent: CapsuleResp cid %u status 0x%x", GET16 (r->cqe.cid),
               nvme_cqe_status (&r->cqe));
    }
    else if (ch->type == NVME_TCP_PDU_R2T) {
      const struct nvme_tcp_r2t_pdu *r = (const void *) ch;

      log_msg ("sent: R2T cid %u ttag %u %u+%u", GET16 (r->cccid),
               GET16 (r->ttag), GET32 (r->r2to), GET32 (r->r2tl));
    }
    pos += plen;
  }
  memmove (f->out, f->out + pos, f->out_len - pos);
  f->out_len -= pos;
}

static ssize_t
fake_sendv (struct conn *c, const struct iovec *iov, int n)
{
  struct fake *f = &fakes[c->fd];
  size_t total = 0;
  int i;

  for (i = 0; i < n; i++) {
    const uint8_t *p = iov[i].iov_base;
    size_t left = iov[i].iov_len;

    total += left;
    while (left > 0) {
      size_t room = sizeof f->out - f->out_len;
      size_t k = left < room ? left : room;

      memcpy (f->out + f->out_len, p, k);
      f->out_len += k;
      p += k;
      left -= k;
      check_out (f);
      if (k == 0) /* a PDU larger than out that check_out let stand */
        FAILED ("output stuck at %zu bytes", f->out_len);
    }
  }
  return (ssize_t) total;
}

static const struct conn_io fake_io = { .recv = fake_recv,
                                        .sendv = fake_sendv };

static struct conn *
conn_new (int which, const uint8_t *in, size_t len)
{
  struct conn *c = calloc (1, sizeof *c);

  if (c == NULL || (c->rbuf = malloc (RBUF_SIZE)) == NULL ||
      conn_grow_reqs (c, 2) == -1)
    FAILED ("out of memory");
  fakes[which].in = in;
  fakes[which].in_len = len;
  fakes[which].in_pos = 0;
  fakes[which].out_len = 0;
  fakes[which].term_sent = false;
  c->fd = which; /* the index of its fake, never a descriptor */
  c->io = &fake_io;
  c->info.port = &cfg.ports[0];
  c->icd_max = TGT_ADMIN_ICD;
  snprintf (c->info.peer, sizeof c->info.peer, "fuzz-%d", which);
  fault_init (&c->fault, false);
  return c;
}

/* What conn_thread does once the connection ends. */
static void
conn_end (struct conn *c)
{
  tx_flush (c);
  if (c->info.auth.fatal && c->info.ctrl)
    ctrl_kill (c->info.ctrl, "authentication failed");
  if (c->info.ctrl)
    ctrl_remove_queue (c->info.ctrl, c->info.qid);
  conn_free (c);
}

/* Read PDUs until the connection closes or its input ends (bounded: each
 * PDU consumes at least its 8-byte header). */
static void
conn_run (struct conn *c)
{
  while (!c->closing && !c->info.close_after)
    if (conn_recv_pdu (c) == -1)
      break;
}

/* ---- building a host's PDUs (the prefixes and the seeds) --------------- */

static size_t
put_pdu (uint8_t *buf, uint8_t type, uint8_t flags, const void *hdr,
         uint32_t hlen, const void *data, uint32_t dlen, bool hd, bool dd)
{
  uint8_t *p = buf;
  uint32_t pdo = dlen ? hlen + (hd ? 4 : 0) : 0;
  uint32_t plen = hlen + (hd ? 4 : 0) + dlen + (dlen && dd ? 4 : 0);
  struct nvme_tcp_ch *ch = (struct nvme_tcp_ch *) p;

  memcpy (p, hdr, hlen);
  ch->type = type;
  ch->flags =
    flags | (hd ? NVME_TCP_F_HDGST : 0) | (dlen && dd ? NVME_TCP_F_DDGST : 0);
  ch->hlen = (uint8_t) hlen;
  ch->pdo = (uint8_t) pdo;
  PUT32 (ch->plen, plen);
  p += hlen;
  if (hd) {
    put_le32 (p, crc32c (buf, hlen));
    p += 4;
  }
  if (dlen) {
    memcpy (p, data, dlen);
    p += dlen;
    if (dd) {
      put_le32 (p, crc32c (data, dlen));
      p += 4;
    }
  }
  return (size_t) (p - buf);
}

static size_t
put_icreq (uint8_t *buf, bool hd, bool dd)
{
  struct nvme_tcp_icreq ic;

  memset (&ic, 0, sizeof ic);
  PUT16 (ic.pfv, NVME_TCP_PFV_1_0);
  ic.digest = (hd ? NVME_TCP_DIGEST_HDGST_ENABLE : 0) |
              (dd ? NVME_TCP_DIGEST_DDGST_ENABLE : 0);
  PUT32 (ic.maxr2t, 3);
  return put_pdu (buf, NVME_TCP_PDU_ICREQ, 0, &ic, sizeof ic, NULL, 0, false,
                  false);
}

/* A CapsuleCmd for sqe with in-capsule data (its SGL set here). */
static size_t
put_cmd (uint8_t *buf, struct nvme_sqe *sqe, const void *data, uint32_t dlen,
         uint32_t xfer, bool hd, bool dd)
{
  struct nvme_tcp_cmd_pdu pdu;

  memset (&pdu, 0, sizeof pdu);
  sqe->flags = 0x40; /* PSDT: SGLs, as Fabrics requires */
  if (xfer) {
    PUT32 (sqe->dptr.sgl.length, xfer);
    sqe->dptr.sgl.id = dlen ? NVME_SGL_ID_DATA_OFFSET : NVME_SGL_ID_TRANSPORT;
  }
  pdu.sqe = *sqe;
  return put_pdu (buf, NVME_TCP_PDU_CMD, 0, &pdu, sizeof pdu, data, dlen, hd,
                  dd);
}

static size_t
put_connect (uint8_t *buf, uint16_t qid, uint16_t cntlid, bool disc, bool auth,
             bool hd, bool dd)
{
  struct nvme_sqe sqe;
  struct nvmf_connect_cmd *cc = (struct nvmf_connect_cmd *) &sqe;
  struct nvmf_connect_data d;

  memset (&sqe, 0, sizeof sqe);
  cc->opcode = NVME_ADMIN_FABRICS;
  PUT16 (cc->cid, 0);
  cc->fctype = NVMF_FCTYPE_CONNECT;
  PUT16 (cc->qid, qid);
  PUT16 (cc->sqsize, 31);
  PUT32 (cc->kato, qid ? 0 : 120000);
  memset (&d, 0, sizeof d);
  memset (d.hostid, 0x42, sizeof d.hostid);
  PUT16 (d.cntlid, cntlid);
  snprintf (d.subnqn, sizeof d.subnqn, "%s",
            disc ? TGT_DISCOVERY_NQN :
            auth ? AUTHNQN :
                   SUBNQN);
  snprintf (d.hostnqn, sizeof d.hostnqn, "%s", auth ? AUTHHOST : HOSTNQN);
  return put_cmd (buf, &sqe, &d, sizeof d, sizeof d, hd, dd);
}

static size_t
put_prop_set_cc (uint8_t *buf, bool hd, bool dd)
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
  return put_cmd (buf, &sqe, NULL, 0, 0, hd, dd);
}

/* Make the digests of each PDU in buf that has the flag right. */
static void
seal (uint8_t *buf, size_t len)
{
  size_t pos = 0;

  while (len - pos >= sizeof (struct nvme_tcp_ch)) {
    struct nvme_tcp_ch *ch = (struct nvme_tcp_ch *) (buf + pos);
    uint32_t plen = GET32 (ch->plen);

    if (plen < sizeof *ch || plen > len - pos)
      return;
    if ((ch->flags & NVME_TCP_F_HDGST) && ch->hlen + 4u <= plen)
      put_le32 (buf + pos + ch->hlen, crc32c (buf + pos, ch->hlen));
    if ((ch->flags & NVME_TCP_F_DDGST) && ch->pdo && ch->pdo + 4u <= plen)
      put_le32 (buf + pos + plen - 4,
                crc32c (buf + pos + ch->pdo, plen - 4 - ch->pdo));
    pos += plen;
  }
}

/* ---- the harness -------------------------------------------------------- */

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  static uint8_t pre[2][4096];
  uint8_t mode, *in;
  bool hd, dd, disc, auth;
  size_t npre = 0, len;
  struct conn *admin = NULL, *c;

  if (size < 1)
    return 0;
  fixture_setup ("\"addr\": {\"trtype\": \"tcp\", \"adrfam\": \"ipv4\","
                 " \"traddr\": \"127.0.0.1\", \"trsvcid\": \"4420\"}");
  fixture_reset ();
  mode = data[0];
  hd = mode & 4;
  dd = mode & 8;
  disc = mode & 16;
  auth = (mode & 64) && !disc;
  if (auth && (mode & 3) == 3)
    mode &= ~1; /* the admin queue: I/O queues need it authenticated */
  len = size - 1;
  in = malloc (len ? len : 1);
  if (in == NULL)
    return 0;
  memcpy (in, data + 1, len);
  if (mode & 32)
    seal (in, len);

  if ((mode & 3) == 3 && !disc) {
    /* An enabled controller's admin queue, left open while this
     * connection connects an I/O queue to it. */
    size_t n = put_icreq (pre[1], hd, dd);

    n += put_connect (pre[1] + n, 0, 0xFFFF, false, false, hd, dd);
    n += put_prop_set_cc (pre[1] + n, hd, dd);
    admin = conn_new (1, pre[1], n);
    conn_run (admin);
    if (admin->info.ctrl == NULL)
      FAILED ("the admin queue did not connect");
  }
  c = conn_new (0, NULL, 0);
  if (mode & 3) {
    npre = put_icreq (pre[0], hd, dd);
    fakes[0].in = pre[0];
    fakes[0].in_len = npre;
    conn_run (c);
    if ((mode & 3) >= 2) {
      fakes[0].in_pos = npre = 0;
      if (admin)
        npre = put_connect (pre[0], 1, admin->info.ctrl->cntlid, false, false,
                            hd, dd);
      else if (auth) /* CC.EN would wait for the authentication */
        npre = put_connect (pre[0], 0, 0xFFFF, false, true, hd, dd);
      else {
        npre = put_connect (pre[0], 0, 0xFFFF, disc, false, hd, dd);
        npre += put_prop_set_cc (pre[0] + npre, hd, dd);
      }
      fakes[0].in_len = npre;
      conn_run (c);
      if (!c->info.connected)
        FAILED ("the prefix's Connect failed");
    }
  }
  fakes[0].in = in;
  fakes[0].in_len = len;
  fakes[0].in_pos = 0;
  if (!c->closing && !c->info.close_after)
    conn_run (c);
  conn_end (c);
  if (admin)
    conn_end (admin);
  free (in);
  return 0;
}

#ifndef FUZZ_LIBFUZZER
/* ---- Seeds for the built-in driver (driver.c): a session of each kind. */

static size_t
put_io (uint8_t *buf, uint8_t opcode, uint16_t cid, uint64_t slba,
        uint16_t nlb0, const void *icd, uint32_t icd_len, bool hd, bool dd)
{
  struct nvme_sqe sqe;
  uint32_t xfer = (nlb0 + 1u) * 512;

  memset (&sqe, 0, sizeof sqe);
  sqe.opcode = opcode;
  PUT16 (sqe.cid, cid);
  PUT32 (sqe.nsid, 1);
  PUT32 (sqe.cdw10, (uint32_t) slba);
  PUT32 (sqe.cdw11, (uint32_t) (slba >> 32));
  PUT32 (sqe.cdw12, nlb0);
  return put_cmd (buf, &sqe, icd, icd_len, opcode == 0 ? 0 : xfer, hd, dd);
}

static size_t
put_admin (uint8_t *buf, uint8_t opcode, uint16_t cid, uint32_t nsid,
           uint32_t cdw10, uint32_t cdw11, uint32_t xfer, bool hd, bool dd)
{
  struct nvme_sqe sqe;

  memset (&sqe, 0, sizeof sqe);
  sqe.opcode = opcode;
  PUT16 (sqe.cid, cid);
  PUT32 (sqe.nsid, nsid);
  PUT32 (sqe.cdw10, cdw10);
  PUT32 (sqe.cdw11, cdw11);
  if (xfer)
    sqe.dptr.sgl.id = NVME_SGL_ID_TRANSPORT;
  return put_cmd (buf, &sqe, NULL, 0, xfer, hd, dd);
}

static size_t
put_h2c (uint8_t *buf, uint16_t cid, uint16_t ttag, uint32_t off,
         const void *data, uint32_t len, bool last, bool hd, bool dd)
{
  struct nvme_tcp_data_pdu pdu;

  memset (&pdu, 0, sizeof pdu);
  PUT16 (pdu.cccid, cid);
  PUT16 (pdu.ttag, ttag);
  PUT32 (pdu.datao, off);
  PUT32 (pdu.datal, len);
  return put_pdu (buf, NVME_TCP_PDU_H2C_DATA, last ? NVME_TCP_F_DATA_LAST : 0,
                  &pdu, sizeof pdu, data, len, hd, dd);
}

/* AUTH_Send (msg in the capsule, len bytes) or AUTH_Receive (len: AL). */
static size_t
put_auth (uint8_t *buf, uint8_t fctype, uint16_t cid, const void *msg,
          uint32_t len, bool hd, bool dd)
{
  struct nvme_sqe sqe;
  struct nvmf_auth_cmd *a = (struct nvmf_auth_cmd *) &sqe;

  memset (&sqe, 0, sizeof sqe);
  a->opcode = NVME_ADMIN_FABRICS;
  PUT16 (a->cid, cid);
  a->fctype = fctype;
  a->secp = 0xE9;
  a->spsp0 = 1;
  a->spsp1 = 1;
  PUT32 (a->tl, len);
  return put_cmd (buf, &sqe, msg, msg ? len : 0, len, hd, dd);
}

static size_t
seed (size_t i, uint8_t *buf, size_t cap)
{
  static uint8_t tmp[16384];
  static uint8_t block[2048];
  uint8_t mode;
  bool hd, dd;
  size_t n = 1;

  if (i >= 14)
    return 0;
  memset (block, 0x5A, sizeof block);
  /* Modes 0, 1, 2, 3 with and without digests, discovery, sealed. */
  static const uint8_t modes[] = { 0,         1,         2,      3,
                                   2 | 4 | 8, 3 | 4 | 8, 2 | 16, 0 | 4 | 8 | 32,
                                   3,         3,         2,      1,
                                   2 | 64,    1 | 64 };
  mode = modes[i];
  hd = mode & 4;
  dd = mode & 8;
  tmp[0] = mode;
  if (mode & 64) { /* authentication: a Negotiate, then the Challenge */
    static const uint8_t hashes[] = { 1, 2, 3 }, groups[] = { 0, 1, 2 };
    uint8_t msg[AUTH_MSG_MAX];
    size_t m = auth_build_negotiate (msg, 1, 0, hashes, 3, groups, 3);

    if ((mode & 3) == 1)
      n += put_connect (tmp + n, 0, 0xFFFF, false, true, hd, dd);
    n +=
      put_auth (tmp + n, NVMF_FCTYPE_AUTH_SEND, 3, msg, (uint32_t) m, hd, dd);
    n += put_auth (tmp + n, NVMF_FCTYPE_AUTH_RECV, 4, NULL, 4096, hd, dd);
    if (n > cap)
      n = cap;
    memcpy (buf, tmp, n);
    return n;
  }
  switch (mode & 3) {
  case 0: /* a whole session from the start */
    n += put_icreq (tmp + n, hd, dd);
    n += put_connect (tmp + n, 0, 0xFFFF, false, false, hd, dd);
    n += put_prop_set_cc (tmp + n, hd, dd);
    n += put_admin (tmp + n, 0x06, 2, 0, 1, 0, 4096, hd, dd); /* Identify */
    break;
  case 1: /* after the ICReq: a Connect with a wrong NQN, then a term */
    n += put_connect (tmp + n, 0, 0xFFFF, i == 11, false, hd, dd);
    tmp[n - 1024 + 256 + 3] ^= 1;
    break;
  case 2: /* admin commands */
    n += put_admin (tmp + n, 0x06, 2, 0, 1, 0, 4096, hd, dd); /* Identify */
    n += put_admin (tmp + n, 0x06, 3, 1, 0, 0, 4096, hd, dd);
    n += put_admin (tmp + n, 0x06, 4, 0, 2, 0, 4096, hd, dd);
    n += put_admin (tmp + n, 0x06, 5, 1, 3, 0, 4096, hd, dd);
    n += put_admin (tmp + n, 0x02, 6, 0xFFFFFFFF, 0x00FF0070, 0, 1024, hd,
                    dd); /* log 70h */
    n += put_admin (tmp + n, 0x02, 7, 0xFFFFFFFF, 0x007F0002, 0, 512, hd,
                    dd); /* SMART */
    n += put_admin (tmp + n, 0x09, 8, 0, 7, 0x00030003, 0, hd, dd);
    n += put_admin (tmp + n, 0x0A, 9, 0, 7, 0, 0, hd, dd);
    n += put_admin (tmp + n, 0x0C, 10, 0, 0, 0, 0, hd, dd); /* AER */
    n += put_admin (tmp + n, 0x18, 11, 0, 0, 0, 0, hd, dd); /* Keep Alive */
    break;
  case 3: /* I/O: write in-capsule, write by R2T, read, flush, zeroes */
    n += put_io (tmp + n, 0x01, 1, 0, 0, block, 512, hd, dd);
    n += put_io (tmp + n, 0x01, 2, 8, 3, NULL, 0, hd, dd);
    n += put_h2c (tmp + n, 2, 2, 0, block, 1024, false, hd, dd);
    n += put_h2c (tmp + n, 2, 2, 1024, block, 1024, true, hd, dd);
    n += put_io (tmp + n, 0x02, 3, 0, 7, NULL, 0, hd, dd);
    n += put_io (tmp + n, 0x00, 4, 0, 0, NULL, 0, hd, dd);
    n += put_io (tmp + n, 0x08, 5, 100, 15, NULL, 0, hd, dd);
    if (i == 8) { /* H2CData beyond the R2T */
      n += put_io (tmp + n, 0x01, 6, 16, 1, NULL, 0, hd, dd);
      n += put_h2c (tmp + n, 6, 0, 512, block, 1024, true, hd, dd);
    }
    if (i == 9) { /* Dataset Management: two ranges, deallocate */
      struct nvme_sqe sqe;
      uint8_t ranges[32] = { 0 };

      put_le32 (ranges + 4, 8);
      put_le32 (ranges + 16 + 4, 16);
      put_le64 (ranges + 16 + 8, 64);
      memset (&sqe, 0, sizeof sqe);
      sqe.opcode = 0x09;
      PUT16 (sqe.cid, 7);
      PUT32 (sqe.nsid, 1);
      PUT32 (sqe.cdw10, 1);
      PUT32 (sqe.cdw11, 4);
      n +=
        put_cmd (tmp + n, &sqe, ranges, sizeof ranges, sizeof ranges, hd, dd);
    }
    break;
  }
  if (i == 10) { /* a Disconnect-like end: an H2CTermReq */
    struct nvme_tcp_term_pdu t;

    memset (&t, 0, sizeof t);
    PUT16 (t.fes, NVME_TCP_FES_INVALID_HEADER);
    n += put_pdu (tmp + n, NVME_TCP_PDU_H2C_TERM, 0, &t, sizeof t, NULL, 0,
                  false, false);
  }
  if (n > cap)
    n = cap;
  memcpy (buf, tmp, n);
  return n;
}

static const char *const tokens[] = {
  "\x04\x00\x48\x48",
  "\x06\x00\x18\x18",
  "\x00\x00\x80\x00",
  "\x02\x00\x18\x00",
  "\x7f",
  "\x01",
  "\x5a",
  "\x06",
  "\xff\xff",
  "\x00\x00\x00\x00",
  "\x00\x10\x00\x00",
  "\x80",
};

const struct fuzz_target fuzz_target = {
  .name = "fuzz-target-conn",
  .what = "nvmeof-target's PDU receive path and commands",
  .seed = seed,
  .tokens = tokens,
  .nr_tokens = sizeof tokens / sizeof tokens[0],
};
#endif /* !FUZZ_LIBFUZZER */
