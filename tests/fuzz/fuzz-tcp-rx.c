/* SPDX-License-Identifier: BSD-3-Clause */
/* Fuzz target for the host's NVMe/TCP receive state machine
 * (initiator/tcp-rx-machine.c, with the PDU checks of tcp-pdu.c and the
 * H2CData it sends for R2Ts, tcp-send.c), fed through a fake queue: a
 * struct tcp_queue set up as tcp_queue_connect does but on one end of a
 * socketpair, with four commands outstanding (a read of 8 KiB, a write of
 * 16 KiB waiting for R2Ts, a Flush, a read of 512 bytes) whose buffers are
 * the harness's.  The input is written to the other end, which is then
 * closed, and tcp_rx_once runs until the queue fails or the input ends.
 *   byte 0   header digest (bit 0), data digest (bit 1), CPDA (bits 2-3);
 *   the rest the bytes the controller sends.
 * Invariants: every command completes exactly once (by its response, or
 * failed with the queue); a read completed successfully received all its
 * bytes; data lands only inside the commands' buffers (guard bytes around
 * them stay intact); the loop ends.
 *
 * libFuzzer: scripts/fuzz.sh (make fuzz) builds and runs it.
 * Built-in driver (the unit test "unit/fuzz-tcp-rx"): see driver.c. */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/socket.h>

#include "tcp.h"
#include "crc32c.h"
#include "driver.h"

#define NR_CMDS 4
#define GUARD   64
static const uint32_t cmd_len[NR_CMDS] = { 8192, 16384, 0, 512 };
static const uint8_t cmd_dir[NR_CMDS] = { REQ_DIR_C2H, REQ_DIR_H2C,
                                          REQ_DIR_NONE, REQ_DIR_C2H };
static uint8_t bufs[NR_CMDS][GUARD + 16384 + GUARD];
static unsigned done_count[NR_CMDS];
static struct nvmeof_ctrl ctrl;

static void
cmd_done (struct nvmeof_queue *q, struct nvmeof_req *req)
{
  unsigned i = (unsigned) (uintptr_t) req->ctx;

  (void) q;
  done_count[i]++;
  if (req->err == 0 && req->status == 0 && cmd_dir[i] == REQ_DIR_C2H &&
      req->c2h_received != req->len)
    FAILED ("read %u succeeded after %u of %u bytes", i, req->c2h_received,
            req->len);
}

/* The queue as tcp_queue_connect leaves it after the ICResp, on fd. */
static struct tcp_queue *
queue_new (int fd, uint8_t mode)
{
  struct tcp_queue *tq = calloc (1, sizeof *tq);

  if (tq == NULL)
    FAILED ("out of memory");
  tq->fd = fd;
  tq->efd = eventfd (0, EFD_NONBLOCK | EFD_CLOEXEC);
  pthread_mutex_init (&tq->send_lock, NULL);
  pthread_mutex_init (&tq->rx_lock, NULL);
  pthread_mutex_init (&tq->fd_lock, NULL);
  tcp_set_state (tq, RX_CH);
  if (queue_init (&tq->q, &ctrl, &tcp_transport_ops, 1, 32) < 0)
    FAILED ("queue_init: %s", nvmeof_get_error ());
  tq->threaded_rx = true; /* no epoll watch to undo */
  tq->p.hdgst = mode & 1;
  tq->p.ddgst = mode & 2;
  tq->p.cpda = (mode >> 2) & 3;
  tq->p.maxr2t = TCP_MAXR2T;
  tq->p.maxh2cdata = 8192;
  tq->jobs_cap = tq->q.depth * TCP_MAXR2T;
  tq->jobs = calloc (tq->jobs_cap, sizeof *tq->jobs);
  tq->cmdq_cap = 2 * tq->q.depth;
  tq->cmdq = calloc (tq->cmdq_cap, sizeof *tq->cmdq);
  tq->slots = calloc (tq->q.depth, sizeof *tq->slots);
  tq->rxbuf = malloc (RXBUF_SIZE);
  if (!tq->jobs || !tq->cmdq || !tq->slots || !tq->rxbuf || tq->efd < 0)
    FAILED ("out of memory");
  return tq;
}

/* The four commands, outstanding as if sent. */
static void
submit_all (struct tcp_queue *tq, uint16_t wire[NR_CMDS])
{
  unsigned i;

  for (i = 0; i < NR_CMDS; i++) {
    struct nvmeof_req *req =
      req_alloc (&tq->q, false, cmd_done, (void *) (uintptr_t) i, 0);

    if (req == NULL)
      FAILED ("req_alloc: %s", nvmeof_get_error ());
    queue_lock (&tq->q);
    memset (&req->sqe, 0, sizeof req->sqe);
    req->sqe.opcode = cmd_dir[i] == REQ_DIR_C2H ? 0x02 :
                      cmd_dir[i] == REQ_DIR_H2C ? 0x01 :
                                                  0x00;
    req->buf = cmd_len[i] ? bufs[i] + GUARD : NULL;
    req->len = cmd_len[i];
    req->dir = cmd_dir[i];
    wire[i] = tcp_wire_cid (&tq->q, req);
    PUT16 (req->sqe.cid, wire[i]);
    req->owned = false; /* handed to the transport, as tcp_submit does */
    queue_unlock (&tq->q);
  }
}

static void
setup_ctrl (void)
{
  memset (&ctrl, 0, sizeof ctrl);
  pthread_mutex_init (&ctrl.fail_lock, NULL);
  ctrl.timeout_ms = 30000;
  ctrl.ops = &tcp_transport_ops;
  /* No reconnect: a failed queue fails its commands (none are held). */
  atomic_store (&ctrl.failfast, true);
  snprintf (ctrl.addr, sizeof ctrl.addr, "192.0.2.1:4420");
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  struct tcp_queue *tq;
  struct nvmeof_queue *ioq[1];
  uint16_t wire[NR_CMDS];
  int sv[2], r;
  unsigned i, rounds = 0;
  size_t off = 0;

  if (size < 1)
    return 0;
  setup_ctrl ();
  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1)
    FAILED ("socketpair: %m");
  tq = queue_new (sv[0], data[0]);
  ioq[0] = &tq->q;
  ctrl.ioq = ioq;
  ctrl.nr_ioq = 1;
  memset (bufs, 0xEE, sizeof bufs);
  memset (done_count, 0, sizeof done_count);
  submit_all (tq, wire);

  /* The controller's bytes, then its end closed (a 4 KiB input fits the
   * socket's buffer). */
  while (off < size - 1) {
    ssize_t n = write (sv[1], data + 1 + off, size - 1 - off);

    if (n <= 0)
      FAILED ("write: %m");
    off += (size_t) n;
  }
  shutdown (sv[1], SHUT_WR);

  pthread_mutex_lock (&tq->rx_lock);
  while ((r = tcp_rx_once (tq)) >= 0) {
    char sink[4096];

    /* The send side answers the R2Ts (H2CData), as a sender would; what
     * it sends is read and dropped, so that it never waits for room. */
    pthread_mutex_unlock (&tq->rx_lock);
    tcp_transport_ops.flush (&tq->q, false);
    pthread_mutex_lock (&tq->rx_lock);
    while (recv (sv[1], sink, sizeof sink, MSG_DONTWAIT) > 0)
      ;
    if (++rounds > 100000)
      FAILED ("tcp_rx_once still going after %u rounds", rounds);
    if (r == 0)
      FAILED ("tcp_rx_once found nothing to read on a closed socket");
  }
  pthread_mutex_unlock (&tq->rx_lock);

  /* The queue failed (a violation, or the end of the input): every
   * command has completed, exactly once. */
  for (i = 0; i < NR_CMDS; i++)
    if (done_count[i] != 1)
      FAILED ("command %u completed %u times", i, done_count[i]);
  for (i = 0; i < NR_CMDS; i++) {
    unsigned k;

    for (k = 0; k < GUARD; k++)
      if (bufs[i][k] != 0xEE || bufs[i][GUARD + cmd_len[i] + k] != 0xEE)
        FAILED ("command %u: a byte written outside its buffer", i);
  }
  tcp_transport_ops.destroy (&tq->q);
  close (sv[1]);
  pthread_mutex_destroy (&ctrl.fail_lock);
  return 0;
}

#ifndef FUZZ_LIBFUZZER
/* ---- Seeds for the built-in driver (driver.c): the controller's side of
 * each command, with and without digests.  The CIDs on the wire carry the
 * generation of the queue's first allocations (see tcp_wire_cid). */

static size_t
put_pdu (uint8_t *p, uint8_t type, uint8_t flags, const void *hdr,
         uint32_t hlen, const void *data, uint32_t dlen, bool hd, bool dd)
{
  struct nvme_tcp_ch *ch = (struct nvme_tcp_ch *) p;
  uint32_t pdo = dlen ? hlen + (hd ? 4 : 0) : 0, n;

  memcpy (p, hdr, hlen);
  ch->type = type;
  ch->flags =
    flags | (hd ? NVME_TCP_F_HDGST : 0) | (dlen && dd ? NVME_TCP_F_DDGST : 0);
  ch->hlen = (uint8_t) hlen;
  ch->pdo = (uint8_t) pdo;
  n = hlen + (hd ? 4 : 0) + dlen + (dlen && dd ? 4 : 0);
  PUT32 (ch->plen, n);
  if (hd)
    put_le32 (p + hlen, crc32c (p, hlen));
  if (dlen) {
    memcpy (p + pdo, data, dlen);
    if (dd)
      put_le32 (p + pdo + dlen, crc32c (data, dlen));
  }
  return n;
}

static size_t
put_rsp (uint8_t *p, uint16_t cid, uint16_t status, bool hd)
{
  struct nvme_tcp_rsp_pdu r;

  memset (&r, 0, sizeof r);
  PUT16 (r.cqe.cid, cid);
  PUT16 (r.cqe.status, (uint16_t) (status << 1));
  return put_pdu (p, NVME_TCP_PDU_RSP, 0, &r, sizeof r, NULL, 0, hd, false);
}

static size_t
put_data (uint8_t *p, uint16_t cid, uint32_t off, const uint8_t *d,
          uint32_t len, uint8_t flags, bool hd, bool dd)
{
  struct nvme_tcp_data_pdu h;

  memset (&h, 0, sizeof h);
  PUT16 (h.cccid, cid);
  PUT32 (h.datao, off);
  PUT32 (h.datal, len);
  return put_pdu (p, NVME_TCP_PDU_C2H_DATA, flags, &h, sizeof h, d, len, hd,
                  dd);
}

static size_t
put_r2t (uint8_t *p, uint16_t cid, uint16_t ttag, uint32_t off, uint32_t len,
         bool hd)
{
  struct nvme_tcp_r2t_pdu h;

  memset (&h, 0, sizeof h);
  PUT16 (h.cccid, cid);
  PUT16 (h.ttag, ttag);
  PUT32 (h.r2to, off);
  PUT32 (h.r2tl, len);
  return put_pdu (p, NVME_TCP_PDU_R2T, 0, &h, sizeof h, NULL, 0, hd, false);
}

static size_t
seed (size_t i, uint8_t *buf, size_t cap)
{
  static uint8_t tmp[4096], d[1024];
  struct tcp_queue *tq;
  uint16_t wire[NR_CMDS];
  bool hd = i & 1, dd = i & 2;
  uint8_t *p = tmp + 1;
  int sv[2];

  if (i >= 6)
    return 0;
  /* The wire CIDs of a fresh queue's commands. */
  setup_ctrl ();
  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1)
    return 0;
  tq = queue_new (sv[0], 0);
  submit_all (tq, wire);
  tcp_transport_ops.destroy (&tq->q);
  close (sv[1]);
  pthread_mutex_destroy (&ctrl.fail_lock);

  memset (d, 0xA5, sizeof d);
  tmp[0] = (uint8_t) ((hd ? 1 : 0) | (dd ? 2 : 0));
  if (i < 4) {
    /* Read 3: one C2HData with SUCCESS; read 0 in pieces; the write's
     * R2Ts; the Flush's response. */
    p += put_data (p, wire[3], 0, d, 512,
                   NVME_TCP_F_DATA_LAST | NVME_TCP_F_DATA_SUCCESS, hd, dd);
    p += put_data (p, wire[0], 0, d, 1024, 0, hd, dd);
    p += put_r2t (p, wire[1], 5, 0, 8192, hd);
    p += put_r2t (p, wire[1], 6, 8192, 8192, hd);
    p += put_data (p, wire[0], 1024, d, 1024, NVME_TCP_F_DATA_LAST, hd, dd);
    p += put_rsp (p, wire[2], 0, hd);
    /* (The write's response would come only once its data was sent: a
     * success in the same buffer as its R2Ts is a violation.) */
  }
  else {
    /* Errors: a status, then a C2HTermReq. */
    struct nvme_tcp_term_pdu t;

    p += put_rsp (p, wire[2], 0x0B, hd);
    memset (&t, 0, sizeof t);
    PUT16 (t.fes, NVME_TCP_FES_PDU_SEQUENCE);
    p += put_pdu (p, NVME_TCP_PDU_C2H_TERM, 0, &t, sizeof t, NULL, 0, false,
                  false);
  }
  if ((size_t) (p - tmp) > cap)
    return 0;
  memcpy (buf, tmp, (size_t) (p - tmp));
  return (size_t) (p - tmp);
}

static const char *const tokens[] = {
  "\x05\x00\x18\x00",
  "\x07\x00\x18\x18",
  "\x09\x00\x18\x00",
  "\x03\x00\x18\x00",
  "\x04",
  "\x08",
  "\x0c",
  "\x01",
  "\x02",
  "\x00\x20\x00\x00",
  "\x00\x02\x00\x00",
  "\xff\xff",
};

const struct fuzz_target fuzz_target = {
  .name = "fuzz-tcp-rx",
  .what = "NVMe/TCP receive state machine of the host",
  .seed = seed,
  .tokens = tokens,
  .nr_tokens = sizeof tokens / sizeof tokens[0],
};
#endif /* !FUZZ_LIBFUZZER */
