/* SPDX-License-Identifier: BSD-3-Clause */
/* Wire format headers: build structs with the PUT accessors and check the
 * bytes land at the offsets the specifications give (sizes and offsets are
 * also asserted at compile time in the headers; this checks byte order and
 * the helpers). */
#include <stdio.h>
#include <stdint.h>
#include <string.h>

#include "wire-common.h"
#include "nvme-wire.h"
#include "nvmf-wire.h"
#include "nvme-tcp-wire.h"

static int failures;
static int checks;

static void
check (int ok, const char *what)
{
  checks++;
  if (!ok) {
    failures++;
    printf ("FAIL: %s\n", what);
  }
  else
    printf ("ok: %s\n", what);
}

/* Compare n bytes at offset off of buf with the expected bytes. */
static int
bytes_at (const void *buf, size_t off, const uint8_t *expect, size_t n)
{
  return memcmp ((const uint8_t *) buf + off, expect, n) == 0;
}

static void
test_term_pdu (void)
{
  struct nvme_tcp_term_pdu t;
  static const uint8_t fei[] = { 0x44, 0x33, 0x22, 0x11 };
  static const uint8_t fes[] = { 0x01, 0x00 };
  static const uint8_t plen[] = { 24, 0, 0, 0 };

  memset (&t, 0, sizeof t);
  t.ch.type = NVME_TCP_PDU_H2C_TERM;
  t.ch.hlen = sizeof t;
  PUT32 (t.ch.plen, NVME_TCP_TERM_MIN_PLEN);
  PUT16 (t.fes, NVME_TCP_FES_INVALID_HEADER);
  put_le32 (t.fei, 0x11223344);
  check (bytes_at (&t, 10, fei, 4),
         "TermReq FEI 0x11223344 is bytes 10..13 = 44 33 22 11");
  check (bytes_at (&t, 8, fes, 2), "TermReq FES 0x0001 at bytes 8..9");
  check (bytes_at (&t, 4, plen, 4), "TermReq PLEN 24 at bytes 4..7");
  check (((uint8_t *) &t)[0] == 0x02 && ((uint8_t *) &t)[2] == 24,
         "TermReq type byte 0 = 0x02, hlen byte 2 = 24");
  check (get_le32 (t.fei) == 0x11223344, "TermReq FEI reads back");
}

static void
test_connect (void)
{
  struct nvmf_connect_cmd c;
  struct nvmf_connect_data d;
  const uint8_t *b = (const uint8_t *) &c;
  static const uint8_t kato[] = { 0x30, 0x75, 0x00, 0x00 }; /* 30000 ms */
  static const uint8_t qid[] = { 0x03, 0x00 };
  static const uint8_t sqsize[] = { 0x7F, 0x00 };
  static const uint8_t cntlid[] = { 0xFF, 0xFF };
  uint32_t dw0;

  memset (&c, 0, sizeof c);
  c.opcode = NVME_ADMIN_FABRICS;
  c.flags = NVME_CMD_FLAGS_PSDT_SGL;
  PUT16 (c.cid, 0x1234);
  c.fctype = NVMF_FCTYPE_CONNECT;
  c.sgl1.id = NVME_SGL_ID_DATA_OFFSET;
  PUT32 (c.sgl1.length, NVMF_CONNECT_DATA_LEN);
  PUT16 (c.qid, 3);
  PUT16 (c.sqsize, 127);
  c.cattr = NVMF_CATTR_DISABLE_SQFLOW;
  PUT32 (c.kato, 30000);

  check (b[0] == 0x7F && b[1] == 0x40 && b[2] == 0x34 && b[3] == 0x12,
         "Connect opcode 0x7F, PSDT SGL flags 0x40, CID 0x1234 at bytes 0..3");
  check (b[4] == 0x01, "Connect FCTYPE 0x01 at byte 4");
  check (b[39] == 0x01 && b[32] == 0x00 && b[33] == 0x04,
         "Connect SGL1 id 0x01 at byte 39, length 1024 at bytes 32..35");
  check (bytes_at (&c, 42, qid, 2), "Connect QID 3 at bytes 42..43");
  check (bytes_at (&c, 44, sqsize, 2), "Connect SQSIZE 127 at bytes 44..45");
  check (b[46] == 0x04, "Connect CATTR disable-SQ-flow 0x04 at byte 46");
  check (bytes_at (&c, 48, kato, 4), "Connect KATO 30000 at bytes 48..51");

  memset (&d, 0, sizeof d);
  PUT16 (d.cntlid, NVMF_CNTLID_DYNAMIC);
  memcpy (d.subnqn, NVMF_DISCOVERY_NQN, sizeof NVMF_DISCOVERY_NQN);
  memcpy (d.hostnqn, "nqn.host", sizeof "nqn.host");
  check (bytes_at (&d, 16, cntlid, 2), "Connect data CNTLID at bytes 16..17");
  check (memcmp ((uint8_t *) &d + 256, "nqn.2014-08.org.nvmexpress.discovery",
                 37) == 0,
         "Connect data SUBNQN at byte 256");
  check (memcmp ((uint8_t *) &d + 512, "nqn.host", 9) == 0,
         "Connect data HOSTNQN at byte 512");

  /* Connect response DW0. */
  dw0 = 0x00020005u;
  check (NVMF_CONNECT_CNTLID (dw0) == 5 &&
           (dw0 & NVMF_CONNECT_AUTHREQ_ATR) != 0 &&
           (dw0 & NVMF_CONNECT_AUTHREQ_ASCR) == 0,
         "Connect response DW0 0x00020005: CNTLID 5, AUTHREQ.ATR set");
}

static void
test_sqe_cqe (void)
{
  struct nvme_sqe s;
  struct nvme_cqe q;
  const uint8_t *b = (const uint8_t *) &s;
  const uint8_t *qb = (const uint8_t *) &q;
  uint16_t st;

  memset (&s, 0, sizeof s);
  s.opcode = NVME_CMD_WRITE;
  PUT32 (s.nsid, 1);
  s.dptr.sgl.id = NVME_SGL_ID_TRANSPORT;
  PUT32 (s.dptr.sgl.length, 0x2000);
  PUT32 (s.cdw10, 0x89ABCDEF);
  PUT32 (s.cdw12, 7 | NVME_RW_FUA);
  PUT32 (s.cdw15, 0xA5A5A5A5);
  check (b[39] == 0x5A, "SQE SGL identifier 0x5A at byte 39");
  check (b[32] == 0x00 && b[33] == 0x20, "SQE SGL length at bytes 32..35");
  check (b[4] == 1, "SQE NSID at byte 4");
  check (b[40] == 0xEF && b[43] == 0x89, "SQE CDW10 at bytes 40..43");
  check (b[48] == 7 && b[51] == 0x40, "SQE CDW12 NLB 7 + FUA (bit 30)");
  check (b[60] == 0xA5 && b[63] == 0xA5, "SQE CDW15 at bytes 60..63");

  memset (&q, 0, sizeof q);
  PUT16 (q.cid, 0x0042);
  /* LBA out of range with DNR, phase 1. */
  PUT16 (q.status, (uint16_t) (((NVME_SC_LBA_RANGE | NVME_STATUS_DNR) << 1) |
                               NVME_CQE_PHASE));
  check (qb[12] == 0x42, "CQE CID at byte 12");
  check ((qb[14] & 1) == 1, "CQE phase bit is bit 0 of byte 14");
  check (qb[14] == 0x01 && qb[15] == 0x81,
         "CQE status word 0x8101 (SC 0x80, DNR, P) at bytes 14..15");
  st = nvme_cqe_status (&q);
  check (NVME_STATUS_SC (st) == 0x80 && NVME_STATUS_SCT (st) == 0 &&
           (st & NVME_STATUS_DNR) && !(st & NVME_STATUS_MORE) &&
           NVME_STATUS_CRD (st) == 0,
         "CQE status field: SC 0x80, SCT 0, DNR set, MORE clear, CRD 0");
  check (NVME_STATUS_CODE (st) == NVME_SC_LBA_RANGE,
         "NVME_STATUS_CODE compares with NVME_SC_LBA_RANGE");
  check (NVME_SC (NVME_SCT_MEDIA, 0x86) == NVME_SC_ACCESS_DENIED,
         "NVME_SC(media, 0x86) == NVME_SC_ACCESS_DENIED (0x286)");
}

static void
test_tcp_pdus (void)
{
  struct nvme_tcp_data_pdu d;
  struct nvme_tcp_r2t_pdu r;
  struct nvme_tcp_icreq ic;
  struct nvme_tcp_cmd_pdu cmd;
  const uint8_t *b;

  memset (&d, 0, sizeof d);
  d.ch.type = NVME_TCP_PDU_C2H_DATA;
  d.ch.flags = NVME_TCP_F_DATA_LAST | NVME_TCP_F_DATA_SUCCESS;
  PUT16 (d.cccid, 0x0102);
  PUT32 (d.datao, 0x00010000);
  PUT32 (d.datal, 0x1000);
  b = (const uint8_t *) &d;
  check (b[1] == 0x0C, "C2HData flags LAST|SUCCESS = 0x0C at byte 1");
  check (b[8] == 0x02 && b[9] == 0x01, "C2HData CCCID at bytes 8..9");
  check (b[14] == 0x01, "C2HData DATAO 0x10000 at bytes 12..15");
  check (b[17] == 0x10, "C2HData DATAL 0x1000 at bytes 16..19");

  memset (&r, 0, sizeof r);
  PUT16 (r.ttag, 0xBEEF);
  PUT32 (r.r2to, 0x11);
  PUT32 (r.r2tl, 0x22);
  b = (const uint8_t *) &r;
  check (b[10] == 0xEF && b[11] == 0xBE && b[12] == 0x11 && b[16] == 0x22,
         "R2T TTAG at 10, R2TO at 12, R2TL at 16");

  memset (&ic, 0, sizeof ic);
  ic.hpda = 3;
  ic.digest = NVME_TCP_DIGEST_HDGST_ENABLE | NVME_TCP_DIGEST_DDGST_ENABLE;
  PUT32 (ic.maxr2t, 0x0000FFFF);
  b = (const uint8_t *) &ic;
  check (b[10] == 3 && b[11] == 3 && b[12] == 0xFF && b[13] == 0xFF,
         "ICReq HPDA at 10, DGST at 11, MAXR2T at 12");

  memset (&cmd, 0, sizeof cmd);
  cmd.sqe.opcode = NVME_CMD_READ;
  cmd.sqe.dptr.sgl.id = NVME_SGL_ID_TRANSPORT;
  b = (const uint8_t *) &cmd;
  check (b[8] == 0x02 && b[8 + 39] == 0x5A,
         "CapsuleCmd SQE at byte 8 (SGL id at PDU byte 47)");

  check (nvme_tcp_pdu_hlen (NVME_TCP_PDU_ICREQ) == 128 &&
           nvme_tcp_pdu_hlen (NVME_TCP_PDU_ICRESP) == 128 &&
           nvme_tcp_pdu_hlen (NVME_TCP_PDU_H2C_TERM) == 24 &&
           nvme_tcp_pdu_hlen (NVME_TCP_PDU_C2H_TERM) == 24 &&
           nvme_tcp_pdu_hlen (NVME_TCP_PDU_CMD) == 72 &&
           nvme_tcp_pdu_hlen (NVME_TCP_PDU_RSP) == 24 &&
           nvme_tcp_pdu_hlen (NVME_TCP_PDU_H2C_DATA) == 24 &&
           nvme_tcp_pdu_hlen (NVME_TCP_PDU_C2H_DATA) == 24 &&
           nvme_tcp_pdu_hlen (NVME_TCP_PDU_R2T) == 24 &&
           nvme_tcp_pdu_hlen (0x08) == 0 && nvme_tcp_pdu_hlen (0xFF) == 0,
         "nvme_tcp_pdu_hlen per type, 0 for 0x08 and 0xFF");
  check (NVME_TCP_PDA_ALIGN (0) == 4 && NVME_TCP_PDA_ALIGN (31) == 128 &&
           NVME_TCP_MAX_PDO == 128,
         "PDA alignment (0 -> 4, 31 -> 128)");
}

static void
test_prop_disc_identify (void)
{
  struct nvmf_prop_set_cmd ps;
  struct nvmf_auth_cmd au;
  static struct nvmf_disc_log_entry e;
  static struct nvme_id_ctrl idc;
  static struct nvme_id_ns idn;
  const uint8_t *b;
  uint64_t cap;
  uint32_t cdw10;

  memset (&ps, 0, sizeof ps);
  ps.fctype = NVMF_FCTYPE_PROP_SET;
  ps.attrib = NVMF_PROP_SIZE_4;
  PUT32 (ps.ofst, NVME_REG_CC);
  PUT64 (ps.value, NVME_CC_EN | NVME_CC_IOSQES (6) | NVME_CC_IOCQES (4));
  b = (const uint8_t *) &ps;
  check (b[44] == 0x14 && b[48] == 0x01 && b[50] == 0x46,
         "Property Set OFST CC at 44, VALUE (EN|IOSQES 6|IOCQES 4) at 48");

  memset (&au, 0, sizeof au);
  au.secp = NVMF_AUTH_SECP_NVME;
  au.spsp0 = NVMF_AUTH_SPSP0;
  au.spsp1 = NVMF_AUTH_SPSP1;
  PUT32 (au.tl, 0x50);
  b = (const uint8_t *) &au;
  check (b[43] == 0xE9 && b[41] == 1 && b[42] == 1 && b[44] == 0x50,
         "Auth Send SECP 0xE9 at 43, SPSP0/1 at 41/42, TL at 44");

  memset (&e, 0, sizeof e);
  e.trtype = NVMF_TRTYPE_TCP;
  e.tsas.tcp.sectype = NVMF_TCP_SECTYPE_TLS13;
  PUT16 (e.portid, 0x0201);
  memcpy (e.trsvcid, "4420", 4);
  b = (const uint8_t *) &e;
  check (b[0] == 3 && b[768] == 2 && b[4] == 1 && b[5] == 2 &&
           memcmp (b + 32, "4420", 4) == 0,
         "Discovery entry TRTYPE at 0, PORTID at 4, TRSVCID at 32, "
         "TSAS.SECTYPE at 768");

  memset (&idc, 0, sizeof idc);
  PUT32 (idc.ctratt, NVME_CTRL_CTRATT_TBKAS);
  PUT32 (idc.sgls, NVME_CTRL_SGLS_SUPPORTED | NVME_CTRL_SGLS_TRANSPORT);
  PUT32 (idc.ioccsz, 4);
  idc.mdts = 5;
  b = (const uint8_t *) &idc;
  check (b[96] == 0x40, "Identify Controller CTRATT.TBKAS = bit 6 at byte 96");
  check (b[536] == 0x01 && b[538] == 0x20,
         "Identify Controller SGLS at 536 (bit 21 transport)");
  check (b[1792] == 4 && b[77] == 5, "Identify Controller IOCCSZ at 1792, "
                                     "MDTS at 77");

  memset (&idn, 0, sizeof idn);
  idn.flbas = 0x65; /* low 5, metadata extended, high 3 */
  idn.lbaf[53].lbads = 12;
  PUT64 (idn.nsze, 0x0102030405060708ull);
  b = (const uint8_t *) &idn;
  check (nvme_flbas_index (idn.flbas) == 53 && b[128 + 53 * 4 + 2] == 12,
         "FLBAS 0x65 -> LBAF index 53, lbaf[53].lbads at byte 342");
  check (nvme_flbas_index (0x04) == 4 && nvme_flbas_index (0x10) == 0,
         "FLBAS 0x04 -> 4, 0x10 (metadata bit only) -> 0");
  check (b[0] == 0x08 && b[7] == 0x01, "Identify Namespace NSZE at 0 (LE)");

  cdw10 = nvme_get_log_cdw10 (NVME_LOG_DISCOVERY, 0, false, 4096 / 4 - 1);
  check (cdw10 == 0x03FF0070u, "Get Log Page CDW10: LID 0x70, NUMDL 1023");
  check (nvme_get_log_cdw11 (0x12345u) == 1 &&
           nvme_get_log_cdw12 (0x100000400ull) == 0x400 &&
           nvme_get_log_cdw13 (0x100000400ull) == 1,
         "Get Log Page NUMDU and LPOL/LPOU split");

  cap = 0x00000020ull << 32 | 0x3C0103FFull; /* CSS NVM, TO 60, MQES 1023 */
  cap |= 1ull << 37;
  check (NVME_CAP_MQES (cap) == 1023 && (cap & NVME_CAP_CQR) &&
           NVME_CAP_TO (cap) == 60 && (NVME_CAP_CSS (cap) & NVME_CAP_CSS_NVM) &&
           NVME_CAP_MPSMIN (cap) == 0,
         "CAP: MQES 1023, CQR, TO 60 (30 s), CSS NVM, MPSMIN 0");
  check ((NVME_CC_SHN_NORMAL >> NVME_CC_SHN_SHIFT) == 1 &&
           (NVME_CSTS_SHST_COMPLETE >> NVME_CSTS_SHST_SHIFT) == 2,
         "CC.SHN normal = 1, CSTS.SHST complete = 2");
}

int
main (void)
{
  test_term_pdu ();
  test_connect ();
  test_sqe_cqe ();
  test_tcp_pdus ();
  test_prop_disc_identify ();

  printf ("%d checks, %d failed\n", checks, failures);
  return failures ? 1 : 0;
}
