/* SPDX-License-Identifier: BSD-3-Clause */
/* NVMe/Eth link-local discovery (docs/nvme-eth.md, "Discovery"): a host
 * broadcasts PROBE, every controller on the link answers with PROBE_RESP
 * frames listing its subsystems and their namespaces.  Building both, and
 * checking every field of an answer before reporting any of it. */
#include <config.h>

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "eth-int.h"
#include "nvmf-wire.h"

#define FEI(type, field) ((uint32_t) offsetof (type, field))
#define ENTRY_HDR        ((uint32_t) sizeof (struct nvme_eth_disc_entry))
#define NS_DESC          ((uint32_t) sizeof (struct nvme_eth_disc_ns))

static uint32_t
pad4 (uint32_t n)
{
  return (n + 3) & ~3u;
}

size_t
eth_build_probe (void *buf, uint32_t nonce, uint16_t max_frame)
{
  struct nvme_eth_probe *p = buf;

  memset (p, 0, sizeof *p);
  eth_hdr_fill (p, NVME_ETH_PROBE, 0, sizeof *p, sizeof *p, 0, 0, 0, 0);
  PUT32 (p->nonce, nonce);
  PUT16 (p->max_frame, max_frame);
  eth_frame_seal (p, sizeof *p, NULL, 0);
  return sizeof *p;
}

/* Lay the entries out in frames of at most fmax bytes.  With frame NULL,
 * only count the frames; else build frame number `want` into it and
 * return its length in *len. */
static int
layout (const struct eth_disc_subsys *s, unsigned nr, uint32_t fmax,
        uint8_t *frame, int want, uint32_t *len)
{
  const uint32_t hdr = sizeof (struct nvme_eth_probe_resp);
  uint32_t used = hdr, entries = 0;
  int index = 0;
  unsigned i;

  for (i = 0; i < nr; i++) {
    size_t nqn_len = s[i].nqn ? strlen (s[i].nqn) : 0;
    uint32_t fixed = ENTRY_HDR + pad4 ((uint32_t) nqn_len);
    unsigned done = 0;

    if (nqn_len == 0 || nqn_len > NVMF_NQN_MAX_LEN || hdr + fixed > fmax)
      return -1;
    do {
      unsigned k = s[i].nr_ns - done, fit;

      if (used + fixed > fmax || (k > 0 && used + fixed + NS_DESC > fmax)) {
        if (index == want && frame) {
          *len = used;
          PUT16 (((struct nvme_eth_probe_resp *) frame)->nr_entries,
                 (uint16_t) entries);
          return 0;
        }
        index++;
        used = hdr;
        entries = 0;
      }
      fit = (fmax - used - fixed) / NS_DESC;
      if (k > fit)
        k = fit;
      if (index == want && frame) {
        struct nvme_eth_disc_entry *e = (void *) (frame + used);
        unsigned j;

        memset (e, 0, fixed);
        e->subtype = s[i].subtype;
        PUT16 (e->nqn_len, (uint16_t) nqn_len);
        PUT16 (e->nr_ns, (uint16_t) k);
        memcpy (frame + used + ENTRY_HDR, s[i].nqn, nqn_len);
        for (j = 0; j < k; j++) {
          struct nvme_eth_disc_ns *d =
            (void *) (frame + used + fixed + j * NS_DESC);

          PUT32 (d->nsid, s[i].ns[done + j].nsid);
          PUT32 (d->lba_size, s[i].ns[done + j].lba_size);
          PUT64 (d->size, s[i].ns[done + j].size);
        }
      }
      used += fixed + k * NS_DESC;
      entries++;
      if (entries > 0xFFFF)
        return -1;
      done += k;
    } while (done < s[i].nr_ns);
  }
  if (frame) {
    if (index != want)
      return -1;
    *len = used;
    PUT16 (((struct nvme_eth_probe_resp *) frame)->nr_entries,
           (uint16_t) entries);
    return 0;
  }
  return index + 1;
}

int
eth_build_probe_resp (const struct eth_frame *probe, const uint8_t mac[6],
                      uint16_t max_frame, const struct eth_disc_subsys *s,
                      unsigned nr,
                      void (*emit) (void *ctx, const void *frame, size_t len),
                      void *ctx)
{
  const struct nvme_eth_probe *p = (const void *) probe->buf;
  uint32_t fmax = GET16 (p->max_frame), len;
  uint8_t *frame;
  int count, i;

  if (probe->type != NVME_ETH_PROBE)
    return -1;
  if (max_frame < fmax)
    fmax = max_frame;
  count = layout (s, nr, fmax, NULL, -1, NULL);
  if (count < 0 || count > 255)
    return -1;
  frame = malloc (fmax);
  if (frame == NULL)
    return -1;
  for (i = 0; i < count; i++) {
    struct nvme_eth_probe_resp *r = (void *) frame;

    memset (frame, 0, sizeof *r);
    if (layout (s, nr, fmax, frame, i, &len) < 0) {
      free (frame);
      return -1;
    }
    eth_hdr_fill (r, NVME_ETH_PROBE_RESP, 0, sizeof *r, len, 0, 0, 0, 0);
    PUT32 (r->nonce, GET32 (p->nonce));
    memcpy (r->mac, mac, 6);
    r->frame_index = (uint8_t) i;
    r->frame_count = (uint8_t) count;
    PUT16 (r->max_frame, max_frame);
    eth_frame_seal (r, sizeof *r, frame + sizeof *r, len - sizeof *r);
    emit (ctx, frame, len);
  }
  free (frame);
  return count;
}

void
eth_disc_ns_at (const struct eth_disc_entry_info *e, unsigned i,
                struct eth_disc_ns_info *out)
{
  const uint8_t *d = e->ns_raw + (size_t) i * NS_DESC;

  out->nsid = get_le32 (d);
  out->lba_size = get_le32 (d + 4);
  out->size = get_le64 (d + 8);
}

/* Check (report NULL) or report every entry. */
static int
walk (const struct eth_frame *f, struct eth_error *e,
      void (*entry) (void *ctx, const uint8_t mac[6], unsigned frame_index,
                     unsigned frame_count, const struct eth_disc_entry_info *),
      void *ctx)
{
  const struct nvme_eth_probe_resp *r = (const void *) f->buf;
  uint32_t off = 0, n = f->data_len, i, k;
  unsigned nr = GET16 (r->nr_entries);
  struct eth_disc_entry_info info;

  for (i = 0; i < nr; i++) {
    const struct nvme_eth_disc_entry *d = (const void *) (f->data + off);
    uint32_t nqn_len, fixed, fei = (uint32_t) sizeof *r + off;

    if (n - off < ENTRY_HDR)
      return eth_error_set (e, NVME_ETH_ERR_INVALID_FIELD,
                            FEI (struct nvme_eth_probe_resp, nr_entries), true,
                            "PROBE_RESP announces %u entries, holds %" PRIu32,
                            nr, i);
    nqn_len = GET16 (d->nqn_len);
    fixed = ENTRY_HDR + pad4 (nqn_len);
    if (d->subtype != NVMF_SUBTYPE_NVM &&
        d->subtype != NVMF_SUBTYPE_CURRENT_DISC)
      return eth_error_set (e, NVME_ETH_ERR_INVALID_FIELD, fei, true,
                            "PROBE_RESP entry %" PRIu32 " has subtype %u", i,
                            d->subtype);
    if (nqn_len == 0 || nqn_len > NVMF_NQN_MAX_LEN)
      return eth_error_set (
        e, NVME_ETH_ERR_INVALID_FIELD, fei + 2, true,
        "PROBE_RESP entry %" PRIu32 " has a %" PRIu32 "-byte NQN", i, nqn_len);
    if ((uint64_t) fixed + (uint64_t) GET16 (d->nr_ns) * NS_DESC > n - off)
      return eth_error_set (e, NVME_ETH_ERR_INVALID_FIELD, fei + 4, true,
                            "PROBE_RESP entry %" PRIu32 " runs past the frame",
                            i);
    for (k = 0; k < nqn_len; k++) {
      uint8_t ch = f->data[off + ENTRY_HDR + k];

      if (ch < 0x20 || ch > 0x7E)
        return eth_error_set (e, NVME_ETH_ERR_INVALID_FIELD,
                              fei + ENTRY_HDR + k, true,
                              "PROBE_RESP entry %" PRIu32 " has byte 0x%02x "
                              "in its NQN",
                              i, ch);
    }
    if (entry) {
      info.subtype = d->subtype;
      memcpy (info.nqn, f->data + off + ENTRY_HDR, nqn_len);
      info.nqn[nqn_len] = '\0';
      info.nr_ns = GET16 (d->nr_ns);
      info.ns_raw = f->data + off + fixed;
      entry (ctx, r->mac, r->frame_index, r->frame_count, &info);
    }
    off += fixed + GET16 (d->nr_ns) * NS_DESC;
  }
  if (off != n)
    return eth_error_set (
      e, NVME_ETH_ERR_INVALID_FIELD, FEI (struct nvme_eth_hdr, length), true,
      "PROBE_RESP has %" PRIu32 " bytes after its entries", n - off);
  return 0;
}

int
eth_parse_probe_resp (const struct eth_frame *f, uint32_t nonce,
                      void (*entry) (void *ctx, const uint8_t mac[6],
                                     unsigned frame_index, unsigned frame_count,
                                     const struct eth_disc_entry_info *),
                      void *ctx, struct eth_error *e)
{
  const struct nvme_eth_probe_resp *r = (const void *) f->buf;

  if (f->type != NVME_ETH_PROBE_RESP)
    return eth_error_set (e, NVME_ETH_ERR_SEQUENCE,
                          FEI (struct nvme_eth_hdr, type), true,
                          "%s is not a PROBE_RESP", eth_type_string (f->type));
  if (GET32 (r->nonce) != nonce)
    return eth_error_set (e, NVME_ETH_ERR_INVALID_FIELD,
                          FEI (struct nvme_eth_probe_resp, nonce), true,
                          "PROBE_RESP answers another probe");
  if (walk (f, e, NULL, NULL) < 0)
    return -1;
  return walk (f, e, entry, ctx);
}
