/* SPDX-License-Identifier: BSD-3-Clause */
/* NVMe/Eth frames without an association (initiator/eth-frame.c,
 * eth-disc.c): every frame type accepted and decoded, every malformed
 * frame refused by eth_frame_parse with the reason and the offset of the
 * field (or dropped silently: truncated, corrupt, another version), the
 * listener's stateless replies, and discovery (PROBE, PROBE_RESP split
 * over frames, and the refusal of bad answers). */
#include <config.h>

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eth-int.h"
#include "nvmf-wire.h"
#include "check.h"

static uint8_t fb[2048];

/* Seal the frame in fb (its own hlen, or len if shorter). */
static size_t
seal (size_t len)
{
  const struct nvme_eth_hdr *h = (const void *) fb;
  uint32_t hlen = h->hlen < len ? h->hlen : (uint32_t) len;

  eth_frame_seal (fb, hlen, fb + hlen, (uint32_t) len - hlen);
  return len;
}

/* Seal the header only, as with the data digest off (F_HCRC). */
static size_t
seal_hdr (size_t len)
{
  const struct nvme_eth_hdr *h = (const void *) fb;

  eth_frame_seal (fb, h->hlen, NULL, 0);
  return len;
}

/* ---- eth_frame_parse refusals ------------------------------------------ */

/* Refused with this reason and field offset (drop: silently). */
static void
refused (size_t len, uint16_t reason, uint32_t fei, bool drop, const char *what)
{
  struct eth_frame f;
  struct eth_error e;

  memset (&e, 0, sizeof e);
  checks++;
  if (eth_frame_parse (fb, len, &f, &e) == 0) {
    fprintf (stderr, "FAIL: %s accepted\n", what);
    failures++;
  }
  else if (e.reason != reason || e.fei != fei || e.drop != drop || !e.msg[0]) {
    fprintf (stderr, "FAIL: %s: reason %u fei %u drop %d (want %u %u %d): %s\n",
             what, e.reason, e.fei, e.drop, reason, fei, drop, e.msg);
    failures++;
  }
  else
    printf ("  refused (%s): %s\n", what, e.msg);
}

/* A well-formed frame of a type with data_len bytes of data, unsealed. */
static size_t
raw (uint8_t type, uint8_t flags, uint32_t data_len)
{
  unsigned hlen = nvme_eth_hlen (type);
  struct nvme_eth_hdr *h = (struct nvme_eth_hdr *) fb;

  memset (fb, 0, sizeof fb);
  eth_hdr_fill (fb, type, flags, (uint8_t) hlen, hlen + data_len, 1, 5, 6, 7);
  if (flags & NVME_ETH_F_ACK)
    PUT16 (h->wnd, 16);
  if (type == NVME_ETH_H2C_DATA || type == NVME_ETH_C2H_DATA ||
      type == NVME_ETH_C2H_DATA_RSP)
    put_le32 (fb + 40, data_len);
  if (type == NVME_ETH_R2T)
    put_le32 (fb + 40, 4096);
  if (type == NVME_ETH_ASSOC_REQ) {
    put_le32 (fb + 8, 0);
    put_le16 (fb + 32, 16);
    put_le16 (fb + 34, 1500);
    put_le16 (fb + 36, 32);
    put_le32 (fb + 40, 1000);
  }
  if (type == NVME_ETH_ASSOC_RESP) {
    put_le16 (fb + 34, 16);
    put_le16 (fb + 36, 1500);
    put_le16 (fb + 38, 32);
    put_le32 (fb + 40, 1000);
  }
  if (type == NVME_ETH_PROBE)
    put_le16 (fb + 36, 1500);
  if (type == NVME_ETH_PROBE_RESP)
    fb[43] = 1;
  return hlen + data_len;
}

static void
test_parse (void)
{
  struct eth_frame f;
  struct eth_error e;
  size_t n;
  static const uint8_t types[] = {
    NVME_ETH_ASSOC_REQ,  NVME_ETH_ASSOC_RESP,   NVME_ETH_TERM,
    NVME_ETH_TERM_ACK,   NVME_ETH_ACK,          NVME_ETH_KEEPALIVE,
    NVME_ETH_CMD,        NVME_ETH_RSP,          NVME_ETH_H2C_DATA,
    NVME_ETH_C2H_DATA,   NVME_ETH_R2T,          NVME_ETH_PROBE,
    NVME_ETH_PROBE_RESP, NVME_ETH_C2H_DATA_RSP,
  };
  unsigned i;

  /* Each type, well formed, is accepted and decoded. */
  for (i = 0; i < sizeof types; i++) {
    bool data = types[i] == NVME_ETH_CMD || types[i] == NVME_ETH_H2C_DATA ||
                types[i] == NVME_ETH_C2H_DATA || types[i] == NVME_ETH_TERM ||
                types[i] == NVME_ETH_C2H_DATA_RSP;

    n = seal (raw (types[i], NVME_ETH_F_ACK, data ? 8 : 0));
    CHECK (eth_frame_parse (fb, n, &f, &e) == 0 && f.type == types[i] &&
             f.len == n && f.qid == 1 &&
             f.dst_assoc == (types[i] == NVME_ETH_ASSOC_REQ ? 0u : 5u) &&
             f.src_assoc == 6 && f.seq == 7 && f.wnd == 16 &&
             f.data_len == (data ? 8u : 0u) && f.data == fb + f.hlen,
           "%s accepted: %s", eth_type_string (types[i]), e.msg);
  }
  /* Ethernet padding of a 32-byte frame up to 46 bytes is fine. */
  n = seal (raw (NVME_ETH_TERM_ACK, 0, 0));
  CHECK (eth_frame_parse (fb, 46, &f, &e) == 0 && f.len == 32,
         "padded TERM_ACK: %s", e.msg);

  refused (20, NVME_ETH_ERR_INVALID_FIELD, 4, true, "shorter than a header");
  n = seal (raw (NVME_ETH_CMD, NVME_ETH_F_ACK, 100));
  refused (n - 1, NVME_ETH_ERR_INVALID_FIELD, 4, true, "truncated");
  n = seal (raw (NVME_ETH_CMD, NVME_ETH_F_ACK, 100));
  refused (n + 10, NVME_ETH_ERR_INVALID_FIELD, 4, true, "trailing bytes");
  n = seal (raw (NVME_ETH_CMD, NVME_ETH_F_ACK, 100));
  fb[120] ^= 1;
  refused (n, NVME_ETH_ERR_INVALID_FIELD, 28, true, "CRC of the data");
  n = seal (raw (NVME_ETH_CMD, NVME_ETH_F_ACK, 100));
  fb[17] ^= 0x80;
  refused (n, NVME_ETH_ERR_INVALID_FIELD, 28, true, "CRC of the header");
  n = raw (NVME_ETH_KEEPALIVE, NVME_ETH_F_ACK, 0);
  put_le16 (fb + 4, 31);
  refused (seal (n), NVME_ETH_ERR_INVALID_FIELD, 4, true, "length 31");
  n = raw (NVME_ETH_KEEPALIVE, NVME_ETH_F_ACK, 0);
  fb[0] = 2;
  refused (seal (n), NVME_ETH_ERR_VERSION, 0, true, "version 2 KEEPALIVE");
  n = raw (NVME_ETH_ASSOC_REQ, 0, 0);
  fb[0] = 2;
  refused (seal (n), NVME_ETH_ERR_VERSION, 0, false,
           "version 2 ASSOC_REQ (gets a refusal)");
  n = raw (NVME_ETH_KEEPALIVE, NVME_ETH_F_ACK, 0);
  fb[1] = 0x7E;
  refused (seal (n), NVME_ETH_ERR_INVALID_FIELD, 1, false, "unknown type");
  n = raw (NVME_ETH_RSP, NVME_ETH_F_ACK, 0);
  fb[3] = 48;
  refused (seal (n), NVME_ETH_ERR_INVALID_FIELD, 3, false, "RSP HLEN 48");
  n = raw (NVME_ETH_RSP, NVME_ETH_F_ACK, 0);
  put_le16 (fb + 4, 40);
  refused (seal (40), NVME_ETH_ERR_INVALID_FIELD, 4, false,
           "RSP shorter than its header");
  n = raw (NVME_ETH_KEEPALIVE, NVME_ETH_F_ACK | 0x40, 0);
  refused (seal (n), NVME_ETH_ERR_INVALID_FIELD, 2, false, "unknown flag");
  n = raw (NVME_ETH_C2H_DATA, NVME_ETH_F_ACK | NVME_ETH_F_ICD, 8);
  refused (seal (n), NVME_ETH_ERR_INVALID_FIELD, 2, false, "ICD on C2H_DATA");
  n = raw (NVME_ETH_CMD, 0, 8);
  refused (seal (n), NVME_ETH_ERR_INVALID_FIELD, 2, false, "CMD without ACK");
  n = raw (NVME_ETH_KEEPALIVE, NVME_ETH_F_ACK, 0);
  put_le16 (fb + 24, 0);
  refused (seal (n), NVME_ETH_ERR_INVALID_FIELD, 24, false, "window 0");
  n = raw (NVME_ETH_KEEPALIVE, NVME_ETH_F_ACK, 0);
  put_le16 (fb + 24, 1025);
  refused (seal (n), NVME_ETH_ERR_INVALID_FIELD, 24, false, "window 1025");
  n = raw (NVME_ETH_RSP, NVME_ETH_F_ACK, 4);
  refused (seal (n), NVME_ETH_ERR_INVALID_FIELD, 4, false, "RSP with data");
  n = raw (NVME_ETH_TERM, 0, 65);
  refused (seal (n), NVME_ETH_ERR_INVALID_FIELD, 4, false, "TERM quoting 65");
  n = raw (NVME_ETH_ACK, NVME_ETH_F_ACK, 2);
  put_le16 (fb + 32, 8);
  refused (seal (n), NVME_ETH_ERR_INVALID_FIELD, 32, false,
           "ACK 8 bits in 2 bytes");
  n = raw (NVME_ETH_ACK, NVME_ETH_F_ACK, 0);
  put_le16 (fb + 32, 4);
  refused (seal (n), NVME_ETH_ERR_INVALID_FIELD, 32, false, "ACK 4 bits");
  n = raw (NVME_ETH_ACK, NVME_ETH_F_ACK, 129);
  put_le16 (fb + 32, 1032);
  refused (seal (n), NVME_ETH_ERR_INVALID_FIELD, 32, false, "ACK 1032 bits");
  n = raw (NVME_ETH_ACK, NVME_ETH_F_ACK, 0);
  fb[34] = 0x80;
  refused (seal (n), NVME_ETH_ERR_INVALID_FIELD, 34, false, "ACK flags");
  n = raw (NVME_ETH_ACK, 0, 0);
  refused (seal (n), NVME_ETH_ERR_INVALID_FIELD, 2, false, "ACK without ACK");
  n = raw (NVME_ETH_H2C_DATA, NVME_ETH_F_ACK, 8);
  put_le32 (fb + 40, 9);
  refused (seal (n), NVME_ETH_ERR_INVALID_FIELD, 40, false, "DATAL 9 of 8");
  n = raw (NVME_ETH_H2C_DATA, NVME_ETH_F_ACK, 0);
  refused (seal (n), NVME_ETH_ERR_INVALID_FIELD, 40, false, "no data");
  n = raw (NVME_ETH_R2T, NVME_ETH_F_ACK, 0);
  put_le32 (fb + 40, 0);
  refused (seal (n), NVME_ETH_ERR_INVALID_FIELD, 40, false, "R2T of 0 bytes");
  n = raw (NVME_ETH_ASSOC_REQ, 0, 0);
  put_le32 (fb + 8, 9);
  refused (seal (n), NVME_ETH_ERR_INVALID_FIELD, 8, false, "ASSOC_REQ to 9");
  n = raw (NVME_ETH_ASSOC_REQ, 0, 0);
  put_le32 (fb + 12, 0);
  refused (seal (n), NVME_ETH_ERR_INVALID_FIELD, 12, false, "ASSOC_REQ from 0");
  n = raw (NVME_ETH_ASSOC_REQ, 0, 0);
  put_le16 (fb + 32, 0);
  refused (seal (n), NVME_ETH_ERR_INVALID_FIELD, 32, false, "depth 0");
  n = raw (NVME_ETH_ASSOC_REQ, 0, 0);
  put_le16 (fb + 32, 1025);
  refused (seal (n), NVME_ETH_ERR_INVALID_FIELD, 32, false, "depth 1025");
  n = raw (NVME_ETH_ASSOC_REQ, 0, 0);
  put_le16 (fb + 34, 1279);
  refused (seal (n), NVME_ETH_ERR_INVALID_FIELD, 34, false, "max frame 1279");
  n = raw (NVME_ETH_ASSOC_REQ, 0, 0);
  put_le16 (fb + 36, 0);
  refused (seal (n), NVME_ETH_ERR_INVALID_FIELD, 36, false, "req window 0");
  n = raw (NVME_ETH_ASSOC_REQ, 0, 0);
  put_le32 (fb + 40, 0);
  refused (seal (n), NVME_ETH_ERR_INVALID_FIELD, 40, false, "keep-alive 0");
  n = raw (NVME_ETH_ASSOC_REQ, 0, 0);
  put_le32 (fb + 44, NVME_ETH_OPT_ALL);
  CHECK (eth_frame_parse (fb, seal (n), &f, &e) == 0,
         "ASSOC_REQ asking for every known option: %s", e.msg);
  n = raw (NVME_ETH_ASSOC_REQ, 0, 0);
  put_le32 (fb + 44, NVME_ETH_OPT_ALL + 1);
  refused (seal (n), NVME_ETH_ERR_UNSUPPORTED, 44, false, "an unknown option");
  n = raw (NVME_ETH_ASSOC_RESP, NVME_ETH_F_ACK, 0);
  put_le32 (fb + 52, 0x80000000u);
  refused (seal (n), NVME_ETH_ERR_UNSUPPORTED, 52, false,
           "ASSOC_RESP granting option 0x80000000");

  /* F_HCRC: the CRC covers the header; data changes go unseen. */
  n = raw (NVME_ETH_C2H_DATA, NVME_ETH_F_ACK | NVME_ETH_F_HCRC, 100);
  seal_hdr (n);
  fb[100] ^= 1;
  CHECK (eth_frame_parse (fb, n, &f, &e) == 0 && f.data_len == 100 &&
           (f.flags & NVME_ETH_F_HCRC),
         "HCRC C2H_DATA with changed data accepted: %s", e.msg);
  n = raw (NVME_ETH_C2H_DATA, NVME_ETH_F_ACK | NVME_ETH_F_HCRC, 100);
  seal_hdr (n);
  fb[44] ^= 1;
  refused (n, NVME_ETH_ERR_INVALID_FIELD, 28, true, "HCRC, header changed");
  n = raw (NVME_ETH_C2H_DATA, NVME_ETH_F_ACK | NVME_ETH_F_HCRC, 100);
  refused (seal (n), NVME_ETH_ERR_INVALID_FIELD, 28, true,
           "HCRC flag, CRC over the whole frame");
  n = raw (NVME_ETH_CMD, NVME_ETH_F_ACK | NVME_ETH_F_HCRC, 0);
  fb[3] = 200;
  refused (seal (n), NVME_ETH_ERR_INVALID_FIELD, 3, true,
           "HCRC with HLEN beyond the frame");
  n = raw (NVME_ETH_KEEPALIVE, NVME_ETH_F_ACK | NVME_ETH_F_HCRC, 0);
  refused (seal_hdr (n), NVME_ETH_ERR_INVALID_FIELD, 2, false,
           "HCRC on KEEPALIVE");
  n = raw (NVME_ETH_ASSOC_REQ, NVME_ETH_F_HCRC, 0);
  refused (seal_hdr (n), NVME_ETH_ERR_INVALID_FIELD, 2, false,
           "HCRC on ASSOC_REQ");

  /* C2H_DATA_RSP: DATAL is the data, the CID is the CQE's. */
  n = raw (NVME_ETH_C2H_DATA_RSP, NVME_ETH_F_ACK, 8);
  put_le32 (fb + 40, 9);
  refused (seal (n), NVME_ETH_ERR_INVALID_FIELD, 40, false,
           "C2H_DATA_RSP DATAL 9 of 8");
  n = raw (NVME_ETH_C2H_DATA_RSP, NVME_ETH_F_ACK, 0);
  refused (seal (n), NVME_ETH_ERR_INVALID_FIELD, 40, false,
           "C2H_DATA_RSP without data");
  n = raw (NVME_ETH_C2H_DATA_RSP, NVME_ETH_F_ACK, 8);
  put_le16 (fb + 32, 3);
  put_le16 (fb + 48 + 12, 4);
  refused (seal (n), NVME_ETH_ERR_INVALID_FIELD, 32, false,
           "C2H_DATA_RSP CID 3 with the CQE of 4");
  n = raw (NVME_ETH_C2H_DATA_RSP, NVME_ETH_F_ACK, 8);
  fb[3] = 48;
  refused (seal (n), NVME_ETH_ERR_INVALID_FIELD, 3, false,
           "C2H_DATA_RSP HLEN 48");
  n = raw (NVME_ETH_ASSOC_RESP, NVME_ETH_F_ACK, 0);
  put_le16 (fb + 34, 0);
  refused (seal (n), NVME_ETH_ERR_INVALID_FIELD, 34, false,
           "accepting ASSOC_RESP with depth 0");
  n = raw (NVME_ETH_ASSOC_RESP, NVME_ETH_F_ACK, 0);
  put_le16 (fb + 36, 1000);
  refused (seal (n), NVME_ETH_ERR_INVALID_FIELD, 36, false,
           "accepting ASSOC_RESP with max frame 1000");
  n = raw (NVME_ETH_ASSOC_RESP, NVME_ETH_F_ACK, 0);
  put_le32 (fb + 12, 0);
  refused (seal (n), NVME_ETH_ERR_INVALID_FIELD, 12, false,
           "accepting ASSOC_RESP from association 0");
  n = raw (NVME_ETH_ASSOC_RESP, 0, 0);
  put_le16 (fb + 32, NVME_ETH_ERR_RESOURCES);
  CHECK (eth_frame_parse (fb, seal (n), &f, &e) == 0,
         "a refusal's other fields are not checked: %s", e.msg);
  n = raw (NVME_ETH_PROBE, 0, 0);
  put_le16 (fb + 36, 100);
  refused (seal (n), NVME_ETH_ERR_INVALID_FIELD, 36, true, "PROBE frame 100");
  n = raw (NVME_ETH_PROBE_RESP, 0, 0);
  fb[42] = 1;
  refused (seal (n), NVME_ETH_ERR_INVALID_FIELD, 42, true, "PROBE_RESP 1 of 1");
}

/* ---- Stateless replies and discovery --------------------------------- */

struct disc_seen {
  unsigned entries, ns, frames_seen;
  char nqns[4][224];
  uint32_t nsid_sum;
};

static void
disc_entry (void *ctx, const uint8_t mac[6], unsigned index, unsigned count,
            const struct eth_disc_entry_info *info)
{
  struct disc_seen *d = ctx;
  struct eth_disc_ns_info ns;
  unsigned i;

  (void) count;
  CHECK (mac[5] == 0x42, "PROBE_RESP MAC");
  d->frames_seen |= 1u << index;
  if (d->entries < 4)
    memcpy (d->nqns[d->entries], info->nqn, sizeof info->nqn);
  d->entries++;
  for (i = 0; i < info->nr_ns; i++) {
    eth_disc_ns_at (info, i, &ns);
    d->nsid_sum += ns.nsid;
    CHECK (ns.lba_size == 4096 && ns.size == (uint64_t) ns.nsid << 30,
           "namespace %u descriptor", ns.nsid);
    d->ns++;
  }
}

static uint8_t resp_frames[8][2048];
static size_t resp_len[8];
static unsigned nresp;

static void
collect (void *ctx, const void *frame, size_t len)
{
  (void) ctx;
  if (nresp < 8 && len <= sizeof resp_frames[0]) {
    memcpy (resp_frames[nresp], frame, len);
    resp_len[nresp++] = len;
  }
}

static void
test_stateless (void)
{
  static const uint8_t mac[6] = { 2, 0, 0, 0, 0, 0x42 };
  struct eth_disc_ns_info ns[120];
  struct eth_disc_subsys subs[2] = {
    { NVMF_SUBTYPE_NVM, "nqn.2014-08.org.example:disk1", 120, ns },
    { NVMF_SUBTYPE_CURRENT_DISC, NVMF_DISCOVERY_NQN, 0, NULL },
  };
  uint8_t out[128];
  struct eth_frame f, req;
  struct eth_error e;
  struct disc_seen seen;
  size_t n;
  unsigned i;
  int count;

  /* A refusal of an ASSOC_REQ names the field and the host's id. */
  n = seal (raw (NVME_ETH_ASSOC_REQ, 0, 0));
  CHECK (eth_frame_parse (fb, n, &req, &e) == 0, "REQ: %s", e.msg);
  n = eth_build_assoc_refusal (out, &req, NVME_ETH_ERR_RESOURCES, 0);
  CHECK (n == 64 && eth_frame_parse (out, n, &f, &e) == 0 &&
           f.type == NVME_ETH_ASSOC_RESP && f.dst_assoc == 6 &&
           f.src_assoc == 0 && f.ack == 7 &&
           get_le16 (out + 32) == NVME_ETH_ERR_RESOURCES,
         "refusal: %s", e.msg);
  n = seal (raw (NVME_ETH_TERM, 0, 0));
  eth_frame_parse (fb, n, &req, &e);
  n = eth_build_term_ack (out, &req);
  CHECK (n == 32 && eth_frame_parse (out, n, &f, &e) == 0 &&
           f.type == NVME_ETH_TERM_ACK && f.dst_assoc == 6 && f.src_assoc == 5,
         "TERM_ACK to an unknown association: %s", e.msg);

  /* PROBE, and the answer: 120 namespaces do not fit in one 1280-byte
   * frame (73 do: 64 + 8 + 32 + 73 * 16 = 1272), so the subsystem is split
   * over two entries in two frames, the second also holding the discovery
   * subsystem. */
  n = eth_build_probe (fb, 0xABCD1234, 1280);
  CHECK (n == 48 && eth_frame_parse (fb, n, &req, &e) == 0 &&
           req.type == NVME_ETH_PROBE && get_le32 (fb + 32) == 0xABCD1234 &&
           get_le16 (fb + 36) == 1280,
         "PROBE: %s", e.msg);
  for (i = 0; i < 120; i++)
    ns[i] = (struct eth_disc_ns_info){ i + 1, 4096, (uint64_t) (i + 1) << 30 };
  nresp = 0;
  count = eth_build_probe_resp (&req, mac, 9000, subs, 2, collect, NULL);
  CHECK (count == 2 && nresp == 2 && resp_len[0] == 1272 &&
           resp_len[1] == 64 + 8 + 32 + 47 * 16 + 8 + 36,
         "PROBE_RESP frames: %d", count);
  memset (&seen, 0, sizeof seen);
  for (i = 0; i < nresp; i++) {
    CHECK (resp_len[i] <= 1280, "PROBE_RESP %u is %zu bytes", i, resp_len[i]);
    CHECK (eth_frame_parse (resp_frames[i], resp_len[i], &f, &e) == 0 &&
             eth_parse_probe_resp (&f, 0xABCD1234, disc_entry, &seen, &e) == 0,
           "PROBE_RESP %u: %s", i, e.msg);
  }
  CHECK (seen.ns == 120 && seen.nsid_sum == 120 * 121 / 2 &&
           seen.frames_seen == 3 && seen.entries == 3 &&
           strcmp (seen.nqns[0], "nqn.2014-08.org.example:disk1") == 0 &&
           strcmp (seen.nqns[1], "nqn.2014-08.org.example:disk1") == 0 &&
           strcmp (seen.nqns[2], NVMF_DISCOVERY_NQN) == 0,
         "discovery: %u entries, %u namespaces", seen.entries, seen.ns);

  /* Refusals: another probe's answer, a bad NQN byte, a bad subtype, an
   * entry running past the frame; nothing is reported then. */
  CHECK (eth_frame_parse (resp_frames[1], resp_len[1], &f, &e) == 0 &&
           eth_parse_probe_resp (&f, 1, disc_entry, &seen, &e) < 0 && e.drop,
         "PROBE_RESP for another nonce accepted");
  memset (&seen, 0, sizeof seen);
  memcpy (fb, resp_frames[1], resp_len[1]);
  fb[64 + 8 + 3] = 0x01;
  eth_frame_seal (fb, 64, fb + 64, (uint32_t) resp_len[1] - 64);
  CHECK (eth_frame_parse (fb, resp_len[1], &f, &e) == 0 &&
           eth_parse_probe_resp (&f, 0xABCD1234, disc_entry, &seen, &e) < 0 &&
           seen.entries == 0,
         "a control byte in a NQN accepted");
  memcpy (fb, resp_frames[1], resp_len[1]);
  fb[64] = 7;
  eth_frame_seal (fb, 64, fb + 64, (uint32_t) resp_len[1] - 64);
  CHECK (eth_frame_parse (fb, resp_len[1], &f, &e) == 0 &&
           eth_parse_probe_resp (&f, 0xABCD1234, disc_entry, &seen, &e) < 0,
         "subtype 7 accepted");
  memcpy (fb, resp_frames[1], resp_len[1]);
  put_le16 (fb + 64 + 4, 500);
  eth_frame_seal (fb, 64, fb + 64, (uint32_t) resp_len[1] - 64);
  CHECK (eth_frame_parse (fb, resp_len[1], &f, &e) == 0 &&
           eth_parse_probe_resp (&f, 0xABCD1234, disc_entry, &seen, &e) < 0,
         "an entry past the frame accepted");
  subs[0].nqn = "";
  CHECK (eth_build_probe_resp (&req, mac, 9000, subs, 1, collect, NULL) < 0,
         "an empty NQN announced");
}

/* ---- packs (option PACK, spec 4.1) ---------------------------------------- */

static void
test_pack (void)
{
  static uint8_t pk[4096], hdrs[4][96];
  struct eth_tx_frame tf[4];
  uint8_t data[1000];
  size_t n, m, k;

  printf ("packs: planned up to the limit, taken only whole and intact\n");
  memset (data, 0xA5, sizeof data);
  for (k = 0; k < 4; k++) {
    tf[k] = (struct eth_tx_frame){ .hdr = hdrs[k], .hdr_len = 96 };
    if (k == 2)
      tf[k].data = data, tf[k].data_len = sizeof data;
  }
  /* 96 + 96 + 1096 + 96 bytes. */
  CHECK (eth_pack_count (tf, 4, 0) == 1, "no packing: one frame each");
  CHECK (eth_pack_count (tf, 4, 1500) == 4, "all four in 1500 bytes");
  CHECK (eth_pack_count (tf, 4, 1288) == 3, "three in 1288 bytes");
  CHECK (eth_pack_count (tf, 4, 1287) == 2, "two in 1287 bytes");
  CHECK (eth_pack_count (tf, 4, 100) == 1, "one frame even when alone it "
                                           "does not fit");
  CHECK (eth_pack_count (tf + 3, 1, 1500) == 1, "the last one alone");

  /* Two frames back to back: a KEEPALIVE and a C2H_DATA of 100 bytes. */
  n = seal (raw (NVME_ETH_KEEPALIVE, NVME_ETH_F_ACK, 0));
  memcpy (pk, fb, n);
  m = seal (raw (NVME_ETH_C2H_DATA, NVME_ETH_F_ACK, 100));
  memcpy (pk + n, fb, m);
  CHECK (eth_pack_valid (pk, n + m), "two intact frames: a pack");
  CHECK (!eth_pack_valid (pk, n + m + 1), "a byte after the last: dropped");
  CHECK (!eth_pack_valid (pk, n + m - 1), "the last one cut short: dropped");
  pk[n + 40] ^= 1;
  CHECK (!eth_pack_valid (pk, n + m), "the second's CRC wrong: dropped");
  pk[n + 40] ^= 1;
  pk[4] = (uint8_t) (n + 1);
  CHECK (!eth_pack_valid (pk, n + m), "the first's length wrong: dropped");
  pk[4] = (uint8_t) n;
  pk[n] = 2;
  CHECK (!eth_pack_valid (pk, n + m), "the second of another version");
  pk[n] = 1;
  /* A frame that breaks the protocol but is intact (DATAL not its data):
   * the pack is taken, and the association refuses that frame. */
  m = raw (NVME_ETH_C2H_DATA, NVME_ETH_F_ACK, 100);
  put_le32 (fb + 40, 99);
  seal (m);
  memcpy (pk + n, fb, m);
  CHECK (eth_pack_valid (pk, n + m), "an intact but wrong frame: taken, "
                                     "then refused by the association");
}

int
main (void)
{
  test_parse ();
  test_stateless ();
  test_pack ();
  printf ("%d checks, %d failures\n", checks, failures);
  return failures ? 1 : 0;
}
