/* SPDX-License-Identifier: BSD-3-Clause */
/* The send side of a connection: PDUs are built in the request's own
 * storage and queued as iovecs (read data straight from RAM or the request
 * buffer, no copy); the batch goes out with one sendmsg when the receive
 * side finds nothing more to read, or when it is large.  Requests whose
 * completion is in the batch are released only after it was sent, so the
 * storage the iovecs point at stays valid.  Fault injection tampers with
 * PDUs here. */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "conn.h"
#include "crc32c.h"

#define OVERFLOW_BYTES 512
static const uint8_t zeroes[OVERFLOW_BYTES];

int
tx_queue (struct conn *c, const void *p, size_t len)
{
  if (len == 0 || fault_hung (&c->fault))
    return 0;
  if (c->niov == TX_IOV_MAX && tx_flush (c) == -1)
    return -1;
  c->iov[c->niov].iov_base = (void *) p;
  c->iov[c->niov].iov_len = len;
  c->niov++;
  c->tx_bytes += len;
  return 0;
}

static void
release_done (struct conn *c)
{
  unsigned i;

  for (i = 0; i < c->nr_done; i++) {
    c->reqs[c->done_list[i]]->state = REQ_FREE;
    c->free_list[c->nr_free++] = c->done_list[i];
  }
  c->nr_done = 0;
}

int
tx_flush (struct conn *c)
{
  struct iovec *iov = c->iov;
  int n = c->niov, r = 0;

  while (n > 0) {
    ssize_t w = c->io->sendv (c, iov, n);

    if (w < 0) {
      if (errno == EINTR)
        continue;
      c->closing = true;
      r = -1;
      break;
    }
    while (n > 0 && (size_t) w >= iov->iov_len) {
      w -= iov->iov_len;
      iov++;
      n--;
    }
    if (n > 0) {
      iov->iov_base = (uint8_t *) iov->iov_base + w;
      iov->iov_len -= w;
    }
  }
  c->niov = 0;
  c->tx_bytes = 0;
  c->tx_ram = false;
  release_done (c);
  return r;
}

static int
tx_maybe_flush (struct conn *c)
{
  if (c->tx_bytes >= TX_FLUSH_BYTES || c->niov > TX_IOV_MAX - 8)
    return tx_flush (c);
  return 0;
}

static void
ch_init (struct nvme_tcp_ch *ch, uint8_t type, uint8_t flags, uint8_t hlen,
         uint8_t pdo, uint32_t plen)
{
  ch->type = type;
  ch->flags = flags;
  ch->hlen = hlen;
  ch->pdo = pdo;
  PUT32 (ch->plen, plen);
}

/* Header digest after the hlen header bytes at p. */
static void
put_hdgst (struct conn *c, uint8_t *p, size_t hlen, bool corrupt)
{
  if (!c->hdgst)
    return;
  put_le32 (p + hlen, crc32c (p, hlen) ^ (corrupt ? 1 : 0));
}

int
send_icresp (struct conn *c, uint8_t digest)
{
  struct nvme_tcp_icresp ic;

  memset (&ic, 0, sizeof ic);
  ch_init (&ic.ch, NVME_TCP_PDU_ICRESP, 0, sizeof ic, 0, sizeof ic);
  PUT16 (ic.pfv, NVME_TCP_PFV_1_0);
  ic.cpda = 0;
  ic.digest = digest;
  PUT32 (ic.maxh2cdata, cfg.maxh2cdata);
  memcpy (c->icresp, &ic, sizeof ic);
  if (tx_queue (c, c->icresp, sizeof ic) == -1)
    return -1;
  return tx_flush (c);
}

int
send_r2ts (struct conn *c, struct req *r)
{
  unsigned hd = c->hdgst ? NVME_TCP_DIGEST_LEN : 0, active = 0, i;
  uint64_t chunk = (uint64_t) cfg.maxh2cdata * 4;

  for (i = 0; i < TGT_MAX_R2T; i++)
    active += r->r2t[i].active;
  for (i = 0; i < TGT_MAX_R2T && active < c->r2t_max && r->r2t_next < r->len;
       i++) {
    struct nvme_tcp_r2t_pdu p;
    struct r2t_win *w = &r->r2t[i];
    unsigned f;

    if (w->active)
      continue;
    w->off = r->r2t_next;
    w->len = r->len - w->off < chunk ? r->len - w->off : chunk;
    w->recvd = 0;
    w->active = true;
    memset (&p, 0, sizeof p);
    ch_init (&p.ch, NVME_TCP_PDU_R2T, hd ? NVME_TCP_F_HDGST : 0, sizeof p, 0,
             sizeof p + hd);
    PUT16 (p.cccid, r->cid);
    PUT16 (p.ttag, r->idx);
    PUT32 (p.r2to, w->off);
    PUT32 (p.r2tl, w->len);
    f = fault_on_pdu (&c->fault, false);
    memcpy (r->r2t_pdu[i], &p, sizeof p);
    put_hdgst (c, r->r2t_pdu[i], sizeof p, f & F_CORRUPT_HDGST);
    if (tx_queue (c, r->r2t_pdu[i], sizeof p + hd) == -1)
      return -1;
    r->r2t_next += w->len;
    active++;
  }
  return 0;
}

/* A CID the host is not waiting for on this queue (as far as we know). */
static uint16_t
unknown_cid (struct conn *c, uint16_t cid)
{
  uint16_t cand = cid ^ 0x8000;
  unsigned i;

again:
  for (i = 0; i < c->nr_reqs; i++) {
    if (c->reqs[i]->state != REQ_FREE && c->reqs[i]->cid == cand) {
      cand += 0x101;
      goto again;
    }
  }
  return cand;
}

/* C2HData carrying a read's data (and its completion with SUCCESS when the
 * host disabled SQ flow control). */
static int
send_c2h_data (struct conn *c, struct req *r, unsigned t, uint16_t cid,
               bool success)
{
  unsigned hd = c->hdgst ? NVME_TCP_DIGEST_LEN : 0;
  unsigned dd = c->ddgst ? NVME_TCP_DIGEST_LEN : 0;
  uint32_t extra = t & F_OVERFLOW ? OVERFLOW_BYTES : 0;
  uint32_t pdo = sizeof (struct nvme_tcp_data_pdu) + hd;
  struct nvme_tcp_data_pdu d;
  unsigned f = fault_on_pdu (&c->fault, true);
  uint8_t flags = NVME_TCP_F_DATA_LAST;

  pdo = (pdo + c->hpda_align - 1) / c->hpda_align * c->hpda_align;
  if (success)
    flags |= NVME_TCP_F_DATA_SUCCESS;
  if (hd)
    flags |= NVME_TCP_F_HDGST;
  if (dd)
    flags |= NVME_TCP_F_DDGST;
  memset (&d, 0, sizeof d);
  ch_init (&d.ch, NVME_TCP_PDU_C2H_DATA, flags, sizeof d,
           pdo + (t & F_BAD_PDO ? 4 : 0),
           pdo + r->len + extra + dd - (t & F_BAD_PLEN ? 4 : 0));
  if (t & F_BAD_HLEN)
    d.ch.hlen += 8;
  PUT16 (d.cccid, cid);
  PUT32 (d.datao, 0);
  PUT32 (d.datal, r->len + extra);
  memset (r->c2h_hdr, 0, pdo);
  memcpy (r->c2h_hdr, &d, sizeof d);
  put_hdgst (c, r->c2h_hdr, sizeof d, f & F_CORRUPT_HDGST);
  if (tx_queue (c, r->c2h_hdr, pdo) == -1 ||
      tx_queue (c, r->data, r->len) == -1 || tx_queue (c, zeroes, extra) == -1)
    return -1;
  if (dd) {
    uint32_t s = crc32c_update (CRC32C_INIT, r->data, r->len);
    s = crc32c_update (s, zeroes, extra);
    put_le32 (r->ddgst, crc32c_final (s) ^ (f & F_CORRUPT_DDGST ? 1 : 0));
    if (tx_queue (c, r->ddgst, dd) == -1)
      return -1;
  }
  if (r->ns && r->ns->be.kind == BACKEND_RAM && r->data != r->buf)
    c->tx_ram = true;
  return 0;
}

int
send_completion (struct conn *c, struct req *r)
{
  unsigned hd = c->hdgst ? NVME_TCP_DIGEST_LEN : 0;
  bool data = r->status == 0 && r->dir == DIR_C2H && r->len > 0;
  bool success = data && c->info.sqhd_disabled;
  unsigned t = fault_on_response (&c->fault, data), f;
  uint16_t cid = t & F_UNKNOWN_CID ? unknown_cid (c, r->cid) : r->cid;
  uint16_t status = r->status;
  struct nvme_tcp_rsp_pdu p;

  if (!c->info.sqhd_disabled)
    c->sqhd = (c->sqhd + 1) % (c->info.sqsize + 1u);
  if (data) {
    if (send_c2h_data (c, r, t, cid, success) == -1)
      return -1;
    t = 0; /* tampering went into the data PDU */
  }
  if (!success) {
    /* Errors are final, except a digest error (the host may retry) and
     * the ANA path statuses (another path, or later, may succeed). */
    if (status && status != NVME_SC_TRANSIENT_TRANSPORT &&
        (status >> 8) != NVME_SCT_PATH)
      status |= NVME_STATUS_DNR;
    memset (&p, 0, sizeof p);
    ch_init (&p.ch, NVME_TCP_PDU_RSP, hd ? NVME_TCP_F_HDGST : 0, sizeof p,
             t & F_BAD_PDO ? sizeof p + hd : 0,
             sizeof p + hd - (t & F_BAD_PLEN ? 4 : 0));
    if (t & F_BAD_HLEN)
      p.ch.hlen += 8;
    PUT32 (p.cqe.dw0, r->dw0);
    PUT32 (p.cqe.dw1, r->dw1);
    PUT16 (p.cqe.sqhd, c->info.sqhd_disabled ? 0xFFFF : c->sqhd);
    PUT16 (p.cqe.sqid, c->info.qid);
    PUT16 (p.cqe.cid, cid);
    PUT16 (p.cqe.status, (uint16_t) (status << 1));
    f = fault_on_pdu (&c->fault, false);
    memcpy (r->rsp_pdu, &p, sizeof p);
    put_hdgst (c, r->rsp_pdu, sizeof p, f & F_CORRUPT_HDGST);
    if (tx_queue (c, r->rsp_pdu, sizeof p + hd) == -1)
      return -1;
  }
  r->state = REQ_DONE;
  c->done_list[c->nr_done++] = r->idx;
  return tx_maybe_flush (c);
}

void
send_termreq (struct conn *c, uint16_t fes, uint32_t fei, const void *hdr,
              size_t hlen)
{
  struct nvme_tcp_term_pdu t;

  c->closing = true;
  if (fault_hung (&c->fault))
    return;
  if (hlen > NVME_TCP_TERM_MAX_DATA)
    hlen = NVME_TCP_TERM_MAX_DATA;
  memset (&t, 0, sizeof t);
  ch_init (&t.ch, NVME_TCP_PDU_C2H_TERM, 0, sizeof t, 0, sizeof t + hlen);
  PUT16 (t.fes, fes);
  put_le32 (t.fei, fei);
  memcpy (c->term, &t, sizeof t);
  memcpy (c->term + sizeof t, hdr, hlen);
  if (tx_queue (c, c->term, sizeof t + hlen) == 0)
    tx_flush (c);
}
