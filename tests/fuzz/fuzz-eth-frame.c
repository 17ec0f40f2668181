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
 * The two associations are connected to each other by a link in memory
 * (eth-link-mem.c: frames go across at once) and have a read and a write
 * outstanding.  They agree every option (C2H_DATA_RSP, F_HCRC, PACK: mode
 * 3 then reaches eth_pack_valid and the frames of a pack), or none
 * when bit 2 of the first byte is set at the input that sets them up.
 * The second byte nudges mode 1 and 2's numbers: bits 0-1 are added to
 * the sequence number; if bit 2 is set the ack is made right, plus bits
 * 4-7.  Every input must be accepted, dropped and counted, or refused
 * with a TERM and a one-line message; never a crash, an endless loop or
 * a read out of bounds.
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

#include "eth-link-mem.h"
#include "driver.h"

static uint8_t rd_buf[4096], wr_buf[20000];

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
    pair_seal (buf, len);
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
  pair.now_us += 100 + nudge;
  if (mode == 0)
    parse_only (copy, size - 2);
  else {
    if (pair.host == NULL || pair.host_closed || pair.ctrl_closed)
      pair_setup (data[0] & 4 ? 0 : NVME_ETH_OPT_ALL, rd_buf, sizeof rd_buf,
                  wr_buf, sizeof wr_buf);
    if (mode == 2) {
      pair_aim (copy, size - 2, pair.ctrl, nudge & 3, nudge & 4, nudge >> 4);
      eth_assoc_input (pair.ctrl, pair_host_mac, copy, size - 2, pair.now_us);
    }
    else {
      if (mode == 1)
        pair_aim (copy, size - 2, pair.host, nudge & 3, nudge & 4, nudge >> 4);
      eth_assoc_input (pair.host, pair_ctrl_mac, copy, size - 2, pair.now_us);
    }
    eth_assoc_poll (pair.host, pair.now_us);
    eth_assoc_poll (pair.ctrl, pair.now_us);
    pair_pump ();
  }
  free (copy);
  return 0;
}

#ifndef FUZZ_LIBFUZZER
/* ---- Seeds for the built-in driver (driver.c): one frame of each type
 * the associations take, for each mode. */

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
    n = 2 + pair_frame (tmp + 2, s[i].type, s[i].flags, s[i].data);
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
