/* SPDX-License-Identifier: BSD-3-Clause */
/* NVMe/TCP PDUs (initiator/tcp-pdu.c): the encoding of every PDU the host
 * sends (ICReq, CapsuleCmd, H2CData, H2CTermReq) byte by byte, the
 * splitting of R2T ranges into H2CData PDUs, and every validation failure
 * of a received ICResp, common header, header digest, CapsuleResp,
 * C2HData and R2T with the FES and FEI the H2CTermReq will carry. */
#include <config.h>

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcp-pdu.h"
#include "crc32c.h"
#include "check.h"

/* Expect a violation with this FES and FEI. */
#define BAD(call, want_fes, want_fei) \
  do { \
    struct pdu_error e_; \
    memset (&e_, 0, sizeof e_); \
    checks++; \
    if ((call (&e_)) == 0) { \
      fprintf (stderr, "FAIL: %s:%d: %s accepted\n", __FILE__, __LINE__, \
               #call); \
      failures++; \
    } \
    else if (e_.fes != (want_fes) || e_.fei != (uint32_t) (want_fei) || \
             e_.msg[0] == '\0') { \
      fprintf (stderr, "FAIL: %s:%d: %s: FES %u FEI %u (want %u %u): %s\n", \
               __FILE__, __LINE__, #call, e_.fes, e_.fei, \
               (unsigned) (want_fes), (unsigned) (want_fei), e_.msg); \
      failures++; \
    } \
    else \
      printf ("  rejected: %s\n", e_.msg); \
  } while (0)

#define GOOD(call) \
  do { \
    struct pdu_error e_; \
    checks++; \
    if ((call (&e_)) != 0) { \
      fprintf (stderr, "FAIL: %s:%d: %s refused: %s\n", __FILE__, __LINE__, \
               #call, e_.msg); \
      failures++; \
    } \
  } while (0)

static struct tcp_params P; /* the parameters under test */

/* ---- sending ------------------------------------------------------- */

static void
test_icreq (void)
{
  struct nvme_tcp_icreq r;
  const uint8_t *b = (const uint8_t *) &r;
  struct tcp_params p = {
    .hdgst = true, .ddgst = true, .hpda = 0, .maxr2t = 4
  };
  unsigned i;

  printf ("ICReq encoding\n");
  memset (&r, 0xEE, sizeof r);
  tcp_build_icreq (&r, &p);
  CHECK (b[0] == 0x00 && b[1] == 0 && b[2] == 128 && b[3] == 0,
         "ICReq common header");
  CHECK (get_le32 (b + 4) == 128, "ICReq PLEN");
  CHECK (get_le16 (b + 8) == 0, "PFV 0");
  CHECK (b[10] == 0, "HPDA");
  CHECK (b[11] == 3, "DGST both: %u", b[11]);
  CHECK (get_le32 (b + 12) == 3, "MAXR2T is 0's based: %u", get_le32 (b + 12));
  for (i = 16; i < 128; i++)
    CHECK (b[i] == 0, "reserved byte %u not zero", i);
  p.hdgst = false;
  tcp_build_icreq (&r, &p);
  CHECK (b[11] == 2, "DGST data only");
}

static void
test_pdo (void)
{
  struct tcp_params p = { 0 };

  printf ("PDO and CPDA padding\n");
  CHECK (tcp_pdo (72, &p) == 72, "no digest, CPDA 0");
  p.hdgst = true;
  CHECK (tcp_pdo (72, &p) == 76, "digest, CPDA 0");
  p.cpda = 7; /* 32-byte alignment */
  CHECK (tcp_pdo (72, &p) == 96, "digest, CPDA 7: %u", tcp_pdo (72, &p));
  CHECK (tcp_pdo (24, &p) == 32, "H2CData, CPDA 7");
  p.cpda = 31; /* 128 bytes */
  CHECK (tcp_pdo (72, &p) == 128, "CPDA 31");
}

static void
test_cmd (void)
{
  uint8_t hdr[256];
  struct nvme_sqe sqe;
  struct tcp_params p = { .hdgst = true, .ddgst = true, .cpda = 3 };
  uint32_t n;
  const struct nvme_tcp_cmd_pdu *pdu = (const void *) hdr;

  printf ("CapsuleCmd encoding\n");
  memset (&sqe, 0, sizeof sqe);
  sqe.opcode = NVME_CMD_WRITE;
  PUT16 (sqe.cid, 7);
  PUT32 (sqe.nsid, 1);

  /* 4096 bytes in the capsule: header, digest, pad to 16, data, digest. */
  memset (hdr, 0xEE, sizeof hdr);
  n = tcp_build_cmd (hdr, &sqe, 4096, 4096, &p);
  CHECK (n == 80, "header bytes before data %u, want 80 (72+4 -> 16)", n);
  CHECK (hdr[0] == NVME_TCP_PDU_CMD, "type");
  CHECK (hdr[1] == (NVME_TCP_F_HDGST | NVME_TCP_F_DDGST), "flags %x", hdr[1]);
  CHECK (hdr[2] == 72 && hdr[3] == 80, "hlen %u pdo %u", hdr[2], hdr[3]);
  CHECK (get_le32 (hdr + 4) == 80 + 4096 + 4, "plen");
  CHECK (get_le32 (hdr + 72) == crc32c (hdr, 72), "header digest");
  CHECK (hdr[76] == 0 && hdr[79] == 0, "padding zeroed");
  CHECK ((pdu->sqe.flags & NVME_CMD_FLAGS_PSDT_MASK) == NVME_CMD_FLAGS_PSDT_SGL,
         "PSDT SGL");
  CHECK (pdu->sqe.dptr.sgl.id == NVME_SGL_ID_DATA_OFFSET, "in-capsule SGL");
  CHECK (GET32 (pdu->sqe.dptr.sgl.length) == 4096, "SGL length");
  CHECK (GET64 (pdu->sqe.dptr.sgl.addr) == 0, "SGL offset 0");
  CHECK (GET16 (pdu->sqe.cid) == 7 && pdu->sqe.opcode == NVME_CMD_WRITE,
         "SQE copied");

  /* Data by R2T: no data in the PDU, no DDGSTF, no PDO. */
  n = tcp_build_cmd (hdr, &sqe, 0, 1 << 20, &p);
  CHECK (n == 76, "header only: %u", n);
  CHECK (hdr[1] == NVME_TCP_F_HDGST, "only HDGSTF: %x", hdr[1]);
  CHECK (hdr[3] == 0 && get_le32 (hdr + 4) == 76, "pdo 0, plen 76");
  CHECK (pdu->sqe.dptr.sgl.id == NVME_SGL_ID_TRANSPORT, "transport SGL");
  CHECK (GET32 (pdu->sqe.dptr.sgl.length) == 1 << 20, "transport length");

  /* No digests. */
  p.hdgst = p.ddgst = false;
  p.cpda = 0;
  n = tcp_build_cmd (hdr, &sqe, 512, 512, &p);
  CHECK (n == 72 && hdr[1] == 0 && hdr[3] == 72 &&
           get_le32 (hdr + 4) == 72 + 512,
         "plain capsule");
}

static void
test_h2c_data (void)
{
  uint8_t hdr[256];
  struct tcp_params p = { .hdgst = false, .ddgst = true, .cpda = 0 };
  uint32_t n;

  printf ("H2CData encoding\n");
  n = tcp_build_h2c_data (hdr, 5, 0x1234, 8192, 4096, true, &p);
  CHECK (n == 24, "header bytes %u", n);
  CHECK (hdr[0] == NVME_TCP_PDU_H2C_DATA, "type");
  CHECK (hdr[1] == (NVME_TCP_F_DDGST | NVME_TCP_F_DATA_LAST), "flags %x",
         hdr[1]);
  CHECK (hdr[2] == 24 && hdr[3] == 24, "hlen pdo");
  CHECK (get_le32 (hdr + 4) == 24 + 4096 + 4, "plen");
  CHECK (get_le16 (hdr + 8) == 5, "CCCID at byte 8");
  CHECK (get_le16 (hdr + 10) == 0x1234, "TTAG at byte 10");
  CHECK (get_le32 (hdr + 12) == 8192, "DATAO at byte 12");
  CHECK (get_le32 (hdr + 16) == 4096, "DATAL at byte 16");
  n = tcp_build_h2c_data (hdr, 5, 1, 0, 4096, false, &p);
  CHECK (!(hdr[1] & NVME_TCP_F_DATA_LAST), "not last");
}

static void
test_h2c_split (void)
{
  uint32_t sent = 0, n, pieces = 0, sum = 0;
  bool last = false;

  printf ("R2T to H2CData splitting\n");
  /* 10000 bytes with MAXH2CDATA 4096: 4096, 4096, 1808 (last). */
  while ((n = tcp_h2c_next (10000, sent, 4096, &last)) > 0) {
    pieces++;
    sum += n;
    sent += n;
    CHECK (n <= 4096, "piece of %u", n);
    CHECK (last == (sent == 10000), "LAST flag on piece %u", pieces);
  }
  CHECK (pieces == 3 && sum == 10000, "%u pieces, %u bytes", pieces, sum);
  n = tcp_h2c_next (4096, 0, 4096, &last);
  CHECK (n == 4096 && last, "exactly one piece");
  n = tcp_h2c_next (131072, 0, 131072 * 2, &last);
  CHECK (n == 131072 && last, "R2T smaller than MAXH2CDATA");
}

static void
test_term_req (void)
{
  uint8_t buf[NVME_TCP_TERM_MAX_PLEN], bad[200];
  uint32_t n;
  char out[256];

  printf ("H2CTermReq encoding\n");
  memset (bad, 0x77, sizeof bad);
  n =
    tcp_build_term_req (buf, NVME_TCP_FES_INVALID_HEADER, 0x01020304, bad, 24);
  CHECK (n == 48, "plen %u", n);
  CHECK (buf[0] == NVME_TCP_PDU_H2C_TERM && buf[1] == 0 && buf[2] == 24 &&
           buf[3] == 0,
         "header");
  CHECK (get_le32 (buf + 4) == 48, "PLEN");
  CHECK (get_le16 (buf + 8) == 1, "FES at byte 8");
  CHECK (get_le32 (buf + 10) == 0x01020304, "FEI at byte 10 (not 12)");
  CHECK (buf[14] == 0 && buf[23] == 0, "reserved");
  CHECK (buf[24] == 0x77 && buf[47] == 0x77, "quoted header");
  n = tcp_build_term_req (buf, NVME_TCP_FES_HDGST_ERROR, 0, bad, sizeof bad);
  CHECK (n == NVME_TCP_TERM_MAX_PLEN, "quote capped at 128 bytes: %u", n);

  /* Decoding a C2HTermReq quoting a CapsuleCmd. */
  memset (bad, 0, sizeof bad);
  bad[0] = NVME_TCP_PDU_CMD;
  bad[2] = 72;
  put_le32 (bad + 4, 76);
  n = tcp_build_term_req (buf, NVME_TCP_FES_INVALID_HEADER, 3, bad, 72);
  buf[0] = NVME_TCP_PDU_C2H_TERM;
  tcp_describe_term_req (buf, n, out, sizeof out);
  CHECK (strstr (out, "Invalid PDU Header Field") && strstr (out, "byte 3") &&
           strstr (out, "CapsuleCmd"),
         "description: %s", out);
  printf ("  %s\n", out);
}

/* ---- ICResp -------------------------------------------------------- */

static struct nvme_tcp_icresp icresp;

static void
good_icresp (void)
{
  memset (&icresp, 0, sizeof icresp);
  icresp.ch.type = NVME_TCP_PDU_ICRESP;
  icresp.ch.hlen = 128;
  PUT32 (icresp.ch.plen, 128);
  icresp.digest = NVME_TCP_DIGEST_HDGST_ENABLE;
  PUT32 (icresp.maxh2cdata, 131072);
  icresp.cpda = 0;
}

static int
icresp_check (struct pdu_error *e)
{
  struct tcp_params p = { .hdgst = true, .ddgst = false };

  return tcp_check_icresp (&icresp, &p, e);
}

static void
test_icresp (void)
{
  struct tcp_params p = { .hdgst = true };
  struct pdu_error e;

  printf ("ICResp validation\n");
  good_icresp ();
  icresp.cpda = 5;
  CHECK (tcp_check_icresp (&icresp, &p, &e) == 0, "valid ICResp: %s", e.msg);
  CHECK (p.cpda == 5 && p.maxh2cdata == 131072, "parameters taken");

  good_icresp ();
  icresp.ch.type = NVME_TCP_PDU_RSP;
  BAD (icresp_check, NVME_TCP_FES_PDU_SEQUENCE, 0);
  good_icresp ();
  icresp.ch.hlen = 24;
  BAD (icresp_check, NVME_TCP_FES_INVALID_HEADER, 2);
  good_icresp ();
  icresp.ch.pdo = 8;
  BAD (icresp_check, NVME_TCP_FES_INVALID_HEADER, 3);
  good_icresp ();
  PUT32 (icresp.ch.plen, 132);
  BAD (icresp_check, NVME_TCP_FES_INVALID_HEADER, 4);
  good_icresp ();
  PUT16 (icresp.pfv, 1);
  BAD (icresp_check, NVME_TCP_FES_UNSUPPORTED_PARAM, 8);
  good_icresp ();
  icresp.cpda = 32;
  BAD (icresp_check, NVME_TCP_FES_UNSUPPORTED_PARAM, 10);
  good_icresp ();
  icresp.digest = 0; /* header digest not granted */
  BAD (icresp_check, NVME_TCP_FES_UNSUPPORTED_PARAM, 11);
  good_icresp ();
  icresp.digest = 3; /* data digest not asked for */
  BAD (icresp_check, NVME_TCP_FES_UNSUPPORTED_PARAM, 11);
  good_icresp ();
  PUT32 (icresp.maxh2cdata, 4092);
  BAD (icresp_check, NVME_TCP_FES_UNSUPPORTED_PARAM, 12);
  good_icresp ();
  PUT32 (icresp.maxh2cdata, 4098);
  BAD (icresp_check, NVME_TCP_FES_UNSUPPORTED_PARAM, 12);
  good_icresp ();
  PUT32 (icresp.maxh2cdata, 4096);
  GOOD (icresp_check);
}

/* ---- common header ----------------------------------------------- */

static struct nvme_tcp_ch ch;

static void
set_ch (uint8_t type, uint8_t flags, uint8_t hlen, uint8_t pdo, uint32_t plen)
{
  ch.type = type;
  ch.flags = flags;
  ch.hlen = hlen;
  ch.pdo = pdo;
  PUT32 (ch.plen, plen);
}

static int
ch_check (struct pdu_error *e)
{
  return tcp_check_ch (&ch, &P, e);
}

static void
test_ch (void)
{
  printf ("common header validation (header and data digests on)\n");
  P = (struct tcp_params){
    .hdgst = true, .ddgst = true, .maxr2t = 4, .maxh2cdata = 4096
  };
  set_ch (NVME_TCP_PDU_RSP, NVME_TCP_F_HDGST, 24, 0, 28);
  GOOD (ch_check);
  set_ch (NVME_TCP_PDU_R2T, NVME_TCP_F_HDGST, 24, 0, 28);
  GOOD (ch_check);
  set_ch (NVME_TCP_PDU_C2H_DATA, NVME_TCP_F_HDGST | NVME_TCP_F_DDGST, 24, 28,
          28 + 512 + 4);
  GOOD (ch_check);
  set_ch (NVME_TCP_PDU_C2H_DATA, NVME_TCP_F_HDGST | NVME_TCP_F_DDGST, 24, 32,
          32 + 512 + 4); /* padded */
  GOOD (ch_check);
  set_ch (NVME_TCP_PDU_C2H_TERM, 0, 24, 0, 24 + 72);
  GOOD (ch_check);

  set_ch (0x08, 0, 24, 0, 24); /* unused type */
  BAD (ch_check, NVME_TCP_FES_INVALID_HEADER, 0);
  set_ch (0x0A, 0, 24, 0, 24); /* unknown type */
  BAD (ch_check, NVME_TCP_FES_INVALID_HEADER, 0);
  set_ch (NVME_TCP_PDU_CMD, NVME_TCP_F_HDGST, 72, 0, 76); /* H2C only */
  BAD (ch_check, NVME_TCP_FES_INVALID_HEADER, 0);
  set_ch (NVME_TCP_PDU_H2C_DATA, NVME_TCP_F_HDGST, 24, 28, 600);
  BAD (ch_check, NVME_TCP_FES_INVALID_HEADER, 0);
  set_ch (NVME_TCP_PDU_ICREQ, 0, 128, 0, 128);
  BAD (ch_check, NVME_TCP_FES_INVALID_HEADER, 0);
  set_ch (NVME_TCP_PDU_ICRESP, 0, 128, 0, 128); /* after init */
  BAD (ch_check, NVME_TCP_FES_PDU_SEQUENCE, 0);
  set_ch (NVME_TCP_PDU_RSP, NVME_TCP_F_HDGST, 32, 0, 36);
  BAD (ch_check, NVME_TCP_FES_INVALID_HEADER, 2);
  set_ch (NVME_TCP_PDU_RSP, 0, 24, 0, 28); /* HDGSTF missing */
  BAD (ch_check, NVME_TCP_FES_INVALID_HEADER, 1);
  set_ch (NVME_TCP_PDU_RSP, NVME_TCP_F_HDGST | NVME_TCP_F_DDGST, 24, 0, 28);
  BAD (ch_check, NVME_TCP_FES_INVALID_HEADER, 1);
  set_ch (NVME_TCP_PDU_RSP, NVME_TCP_F_HDGST, 24, 24, 28);
  BAD (ch_check, NVME_TCP_FES_INVALID_HEADER, 3);
  set_ch (NVME_TCP_PDU_RSP, NVME_TCP_F_HDGST, 24, 0, 24); /* no digest room */
  BAD (ch_check, NVME_TCP_FES_INVALID_HEADER, 4);
  set_ch (NVME_TCP_PDU_R2T, NVME_TCP_F_HDGST, 24, 0, 1000);
  BAD (ch_check, NVME_TCP_FES_INVALID_HEADER, 4);
  set_ch (NVME_TCP_PDU_C2H_DATA, NVME_TCP_F_HDGST, 24, 28, 600); /* no DDGSTF */
  BAD (ch_check, NVME_TCP_FES_INVALID_HEADER, 1);
  set_ch (NVME_TCP_PDU_C2H_DATA, NVME_TCP_F_HDGST | NVME_TCP_F_DDGST, 24, 24,
          600); /* PDO inside the header digest */
  BAD (ch_check, NVME_TCP_FES_INVALID_HEADER, 3);
  set_ch (NVME_TCP_PDU_C2H_DATA, NVME_TCP_F_HDGST | NVME_TCP_F_DDGST, 24, 30,
          600); /* PDO not a multiple of 4 */
  BAD (ch_check, NVME_TCP_FES_INVALID_HEADER, 3);
  set_ch (NVME_TCP_PDU_C2H_DATA, NVME_TCP_F_HDGST | NVME_TCP_F_DDGST, 24, 28,
          32); /* no room for data */
  BAD (ch_check, NVME_TCP_FES_INVALID_HEADER, 4);
  set_ch (NVME_TCP_PDU_C2H_TERM, 0, 24, 0, 20);
  BAD (ch_check, NVME_TCP_FES_INVALID_HEADER, 4);
  set_ch (NVME_TCP_PDU_C2H_TERM, 0, 24, 0, 153);
  BAD (ch_check, NVME_TCP_FES_INVALID_HEADER, 4);
  set_ch (NVME_TCP_PDU_C2H_TERM, 0, 20, 0, 40);
  BAD (ch_check, NVME_TCP_FES_INVALID_HEADER, 2);

  printf ("common header validation (digests off)\n");
  P.hdgst = P.ddgst = false;
  set_ch (NVME_TCP_PDU_RSP, 0, 24, 0, 24);
  GOOD (ch_check);
  set_ch (NVME_TCP_PDU_C2H_DATA, 0, 24, 24, 24 + 4096);
  GOOD (ch_check);
  set_ch (NVME_TCP_PDU_RSP, NVME_TCP_F_HDGST, 24, 0, 28); /* unasked digest */
  BAD (ch_check, NVME_TCP_FES_INVALID_HEADER, 1);
  set_ch (NVME_TCP_PDU_C2H_DATA, NVME_TCP_F_DDGST, 24, 24, 24 + 4096 + 4);
  BAD (ch_check, NVME_TCP_FES_INVALID_HEADER, 1);
}

static void
test_hdgst (void)
{
  uint8_t hdr[28];
  struct pdu_error e;

  printf ("header digest\n");
  memset (hdr, 0, sizeof hdr);
  hdr[0] = NVME_TCP_PDU_RSP;
  hdr[2] = 24;
  put_le32 (hdr + 24, crc32c (hdr, 24));
  CHECK (tcp_check_hdgst (hdr, 24, &e) == 0, "good digest");
  hdr[10] ^= 1;
  CHECK (tcp_check_hdgst (hdr, 24, &e) < 0 && e.fes == NVME_TCP_FES_HDGST_ERROR,
         "bad digest");
  printf ("  rejected: %s\n", e.msg);
}

/* ---- CapsuleResp, C2HData, R2T ------------------------------------- */

static struct tcp_xfer req;
static struct tcp_xfer *reqp;
static struct nvme_tcp_rsp_pdu rsp;
static struct nvme_tcp_data_pdu data;
static struct nvme_tcp_r2t_pdu r2t;

static void
set_req (uint8_t dir, uint32_t len)
{
  memset (&req, 0, sizeof req);
  req.dir = dir;
  req.len = len;
  reqp = &req;
}

static int
rsp_check (struct pdu_error *e)
{
  return tcp_check_rsp (&rsp, reqp, 32, e);
}

static int
c2h_check (struct pdu_error *e)
{
  return tcp_check_c2h_data (&data, reqp, &P, e);
}

static int
r2t_check (struct pdu_error *e)
{
  return tcp_check_r2t (&r2t, reqp, &P, e);
}

static void
test_rsp (void)
{
  printf ("CapsuleResp validation\n");
  memset (&rsp, 0, sizeof rsp);
  PUT16 (rsp.cqe.cid, 3);
  set_req (TCP_XFER_NONE, 0);
  GOOD (rsp_check);
  reqp = NULL;
  BAD (rsp_check, NVME_TCP_FES_INVALID_HEADER, 20); /* CQE CID */
  set_req (TCP_XFER_NONE, 0);
  PUT16 (rsp.cqe.sqhd, 32);
  BAD (rsp_check, NVME_TCP_FES_INVALID_HEADER, 16); /* CQE SQHD */
  PUT16 (rsp.cqe.sqhd, 31);
  GOOD (rsp_check);
  PUT16 (rsp.cqe.sqhd, 0);
  /* A successful read must have received all its data. */
  set_req (TCP_XFER_C2H, 8192);
  req.c2h_received = 4096;
  BAD (rsp_check, NVME_TCP_FES_PDU_SEQUENCE, 0);
  req.c2h_received = 8192;
  GOOD (rsp_check);
  /* ... but an error status may come at any time. */
  req.c2h_received = 0;
  PUT16 (rsp.cqe.status, NVME_SC_LBA_RANGE << 1);
  GOOD (rsp_check);
  PUT16 (rsp.cqe.status, 0);
  /* A successful write must have had all of its data asked for. */
  set_req (TCP_XFER_H2C, 65536);
  req.inline_len = 0;
  req.r2t_end = 32768;
  BAD (rsp_check, NVME_TCP_FES_PDU_SEQUENCE, 0);
  req.r2t_end = 65536;
  GOOD (rsp_check);
  set_req (TCP_XFER_H2C, 4096);
  req.inline_len = 4096;
  GOOD (rsp_check);
}

static void
set_data (uint16_t cid, uint8_t flags, uint32_t datao, uint32_t datal)
{
  uint8_t pdo = 24 + (P.hdgst ? 4 : 0);

  memset (&data, 0, sizeof data);
  data.ch.type = NVME_TCP_PDU_C2H_DATA;
  data.ch.flags = flags;
  data.ch.hlen = 24;
  data.ch.pdo = pdo;
  PUT32 (data.ch.plen, pdo + datal + (P.ddgst ? 4 : 0));
  PUT16 (data.cccid, cid);
  PUT32 (data.datao, datao);
  PUT32 (data.datal, datal);
}

static void
test_c2h_data (void)
{
  printf ("C2HData validation\n");
  P = (struct tcp_params){
    .hdgst = true, .ddgst = true, .maxr2t = 4, .maxh2cdata = 4096
  };
  set_req (TCP_XFER_C2H, 8192);
  set_data (3, 0, 0, 4096);
  GOOD (c2h_check);
  req.c2h_received = 4096;
  set_data (3, NVME_TCP_F_DATA_LAST, 4096, 4096);
  GOOD (c2h_check);
  set_data (3, NVME_TCP_F_DATA_LAST | NVME_TCP_F_DATA_SUCCESS, 4096, 4096);
  GOOD (c2h_check);

  reqp = NULL;
  set_data (9, 0, 0, 512);
  BAD (c2h_check, NVME_TCP_FES_INVALID_HEADER, 8);
  set_req (TCP_XFER_H2C, 8192); /* data for a write */
  set_data (3, 0, 0, 512);
  BAD (c2h_check, NVME_TCP_FES_INVALID_HEADER, 8);
  set_req (TCP_XFER_NONE, 0); /* for a Flush */
  BAD (c2h_check, NVME_TCP_FES_INVALID_HEADER, 8);
  set_req (TCP_XFER_C2H, 8192);
  set_data (3, 0, 0, 0);
  BAD (c2h_check, NVME_TCP_FES_INVALID_HEADER, 16);
  set_data (3, 0, 4096, 4608); /* past the buffer */
  req.c2h_received = 4096;
  BAD (c2h_check, NVME_TCP_FES_DATA_OUT_OF_RANGE, 16);
  set_data (3, 0, 0xFFFFFF00, 0x200); /* offset overflow */
  BAD (c2h_check, NVME_TCP_FES_DATA_OUT_OF_RANGE, 16);
  set_data (3, 0, 0, 512); /* repeated offset */
  BAD (c2h_check, NVME_TCP_FES_INVALID_HEADER, 12);
  set_data (3, 0, 6144, 512); /* a gap */
  BAD (c2h_check, NVME_TCP_FES_INVALID_HEADER, 12);
  set_data (3, 0, 4096, 512);
  PUT32 (data.ch.plen, GET32 (data.ch.plen) + 4); /* PLEN disagrees */
  BAD (c2h_check, NVME_TCP_FES_INVALID_HEADER, 4);
  set_data (3, NVME_TCP_F_DATA_SUCCESS, 4096, 4096); /* SUCCESS w/o LAST */
  BAD (c2h_check, NVME_TCP_FES_INVALID_HEADER, 1);
  set_data (3, NVME_TCP_F_DATA_LAST | NVME_TCP_F_DATA_SUCCESS, 4096, 2048);
  BAD (c2h_check, NVME_TCP_FES_INVALID_HEADER, 1); /* short + SUCCESS */

  /* Padding: PLEN counts from PDO. */
  req.c2h_received = 0;
  set_data (3, 0, 0, 512);
  data.ch.pdo = 64;
  PUT32 (data.ch.plen, 64 + 512 + 4);
  GOOD (c2h_check);
}

static void
set_r2t (uint16_t cid, uint32_t r2to, uint32_t r2tl)
{
  memset (&r2t, 0, sizeof r2t);
  r2t.ch.type = NVME_TCP_PDU_R2T;
  r2t.ch.hlen = 24;
  PUT16 (r2t.cccid, cid);
  PUT16 (r2t.ttag, 1);
  PUT32 (r2t.r2to, r2to);
  PUT32 (r2t.r2tl, r2tl);
}

static void
test_r2t (void)
{
  printf ("R2T validation\n");
  set_req (TCP_XFER_H2C, 65536);
  set_r2t (3, 0, 65536);
  GOOD (r2t_check);
  req.inline_len = 0;
  req.r2t_end = 16384;
  req.r2t_outstanding = 1;
  set_r2t (3, 16384, 16384);
  GOOD (r2t_check);

  reqp = NULL;
  BAD (r2t_check, NVME_TCP_FES_INVALID_HEADER, 8);
  set_req (TCP_XFER_C2H, 65536); /* R2T for a read */
  BAD (r2t_check, NVME_TCP_FES_INVALID_HEADER, 8);
  set_req (TCP_XFER_H2C, 65536);
  set_r2t (3, 0, 0);
  BAD (r2t_check, NVME_TCP_FES_INVALID_HEADER, 16);
  set_r2t (3, 32768, 32769);
  BAD (r2t_check, NVME_TCP_FES_DATA_OUT_OF_RANGE, 16);
  set_r2t (3, 0xFFFFF000, 0x2000); /* wraps */
  BAD (r2t_check, NVME_TCP_FES_DATA_OUT_OF_RANGE, 16);
  req.r2t_end = 32768;
  set_r2t (3, 16384, 4096); /* asked again */
  BAD (r2t_check, NVME_TCP_FES_INVALID_HEADER, 12);
  set_req (TCP_XFER_H2C, 65536);
  req.inline_len = 8192; /* in-capsule part */
  set_r2t (3, 4096, 4096);
  BAD (r2t_check, NVME_TCP_FES_INVALID_HEADER, 12);
  set_req (TCP_XFER_H2C, 65536);
  req.r2t_outstanding = 4; /* MAXR2T reached */
  req.r2t_end = 16384;
  set_r2t (3, 16384, 4096);
  BAD (r2t_check, NVME_TCP_FES_R2T_LIMIT_EXCEEDED, 0);
}

static void
test_names (void)
{
  printf ("names\n");
  CHECK (strcmp (tcp_pdu_type_string (NVME_TCP_PDU_R2T), "R2T") == 0, "R2T");
  CHECK (strcmp (tcp_pdu_type_string (0x42), "unknown PDU") == 0, "unknown");
  CHECK (strcmp (tcp_fes_string (NVME_TCP_FES_DATA_OUT_OF_RANGE),
                 "Data Transfer Out of Range") == 0,
         "FES 4");
  CHECK (strcmp (tcp_fes_string (99), "unknown fatal error status") == 0,
         "FES 99");
}

int
main (void)
{
  test_icreq ();
  test_pdo ();
  test_cmd ();
  test_h2c_data ();
  test_h2c_split ();
  test_term_req ();
  test_icresp ();
  test_ch ();
  test_hdgst ();
  test_rsp ();
  test_c2h_data ();
  test_r2t ();
  test_names ();
  printf ("%d checks, %d failures\n", checks, failures);
  return failures ? 1 : 0;
}
