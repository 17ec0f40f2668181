/* SPDX-License-Identifier: BSD-3-Clause */
/* nvmeof identify: Identify Controller, or Identify Namespace with --nsid,
 * field by field (names as in the NVMe specification and nvme-cli). */
#include <config.h>

#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nvme-wire.h"
#include "nvmeof-tool.h"

enum { OPT_NSID = CLI_CMD_OPT_BASE };

static const struct option identify_longopts[] = {
  { "nsid", required_argument, NULL, OPT_NSID },
  { NULL, 0, NULL, 0 },
};

static const struct cli_cmd identify_cmd = {
  .name = "identify",
  .synopsis = "nvmeof identify URL [--nsid=N] [OPTIONS]",
  .help =
    "Print the Identify Controller data of the controller at URL or, with\n"
    "--nsid (or a URL ending in /NSID), the Identify Namespace data and the\n"
    "namespace identification descriptors of that namespace.\n"
    "\n"
    "Options:\n"
    "      --nsid=N                     identify namespace N\n",
  .longopts = identify_longopts,
  .connects = true,
};

/* How to show a field. */
enum ftype {
  F_DEC,   /* unsigned, decimal */
  F_HEX,   /* unsigned, 0x... */
  F_STR,   /* padded ASCII */
  F_BYTES, /* hex string, no separators */
  F_U128,  /* 128-bit little-endian count */
  F_IEEE,  /* 24-bit OUI, little-endian */
};

struct field {
  const char *name;
  size_t off, len;
  enum ftype type;
};

#define FC(f, t) \
  { \
#f, offsetof(struct nvme_id_ctrl, f), \
      sizeof(((struct nvme_id_ctrl *) 0)->f), t \
  }
#define FN(f, t) \
  { \
#f, offsetof(struct nvme_id_ns, f), sizeof(((struct nvme_id_ns *) 0)->f), \
      t \
  }

static const struct field ctrl_fields[] = {
  FC (vid, F_HEX),       FC (ssvid, F_HEX),     FC (sn, F_STR),
  FC (mn, F_STR),        FC (fr, F_STR),        FC (rab, F_DEC),
  FC (ieee, F_IEEE),     FC (cmic, F_HEX),      FC (mdts, F_DEC),
  FC (cntlid, F_HEX),    FC (ver, F_HEX),       FC (rtd3r, F_HEX),
  FC (rtd3e, F_HEX),     FC (oaes, F_HEX),      FC (ctratt, F_HEX),
  FC (rrls, F_HEX),      FC (cntrltype, F_DEC), FC (fguid, F_BYTES),
  FC (crdt1, F_DEC),     FC (crdt2, F_DEC),     FC (crdt3, F_DEC),
  FC (nvmsr, F_DEC),     FC (vwci, F_DEC),      FC (mec, F_DEC),
  FC (oacs, F_HEX),      FC (acl, F_DEC),       FC (aerl, F_DEC),
  FC (frmw, F_HEX),      FC (lpa, F_HEX),       FC (elpe, F_DEC),
  FC (npss, F_DEC),      FC (avscc, F_HEX),     FC (apsta, F_HEX),
  FC (wctemp, F_DEC),    FC (cctemp, F_DEC),    FC (mtfa, F_DEC),
  FC (hmpre, F_DEC),     FC (hmmin, F_DEC),     FC (tnvmcap, F_U128),
  FC (unvmcap, F_U128),  FC (rpmbs, F_DEC),     FC (edstt, F_DEC),
  FC (dsto, F_DEC),      FC (fwug, F_DEC),      FC (kas, F_DEC),
  FC (hctma, F_HEX),     FC (mntmt, F_DEC),     FC (mxtmt, F_DEC),
  FC (sanicap, F_HEX),   FC (hmminds, F_DEC),   FC (hmmaxd, F_DEC),
  FC (nsetidmax, F_DEC), FC (endgidmax, F_DEC), FC (anatt, F_DEC),
  FC (anacap, F_HEX),    FC (anagrpmax, F_DEC), FC (nanagrpid, F_DEC),
  FC (pels, F_DEC),      FC (domainid, F_DEC),  FC (megcap, F_U128),
  FC (sqes, F_HEX),      FC (cqes, F_HEX),      FC (maxcmd, F_DEC),
  FC (nn, F_DEC),        FC (oncs, F_HEX),      FC (fuses, F_HEX),
  FC (fna, F_HEX),       FC (vwc, F_HEX),       FC (awun, F_DEC),
  FC (awupf, F_DEC),     FC (icsvscc, F_DEC),   FC (nwpc, F_HEX),
  FC (acwu, F_DEC),      FC (ocfs, F_HEX),      FC (sgls, F_HEX),
  FC (mnan, F_DEC),      FC (maxdna, F_U128),   FC (maxcna, F_DEC),
  FC (subnqn, F_STR),    FC (ioccsz, F_DEC),    FC (iorcsz, F_DEC),
  FC (icdoff, F_DEC),    FC (fcatt, F_HEX),     FC (msdbd, F_DEC),
  FC (ofcs, F_HEX),
};

static const struct field ns_fields[] = {
  FN (nsze, F_DEC),    FN (ncap, F_DEC),     FN (nuse, F_DEC),
  FN (nsfeat, F_HEX),  FN (nlbaf, F_DEC),    FN (flbas, F_HEX),
  FN (mc, F_HEX),      FN (dpc, F_HEX),      FN (dps, F_HEX),
  FN (nmic, F_HEX),    FN (rescap, F_HEX),   FN (fpi, F_HEX),
  FN (dlfeat, F_HEX),  FN (nawun, F_DEC),    FN (nawupf, F_DEC),
  FN (nacwu, F_DEC),   FN (nabsn, F_DEC),    FN (nabo, F_DEC),
  FN (nabspf, F_DEC),  FN (noiob, F_DEC),    FN (nvmcap, F_U128),
  FN (npwg, F_DEC),    FN (npwa, F_DEC),     FN (npdg, F_DEC),
  FN (npda, F_DEC),    FN (nows, F_DEC),     FN (mssrl, F_DEC),
  FN (mcl, F_DEC),     FN (msrc, F_DEC),     FN (anagrpid, F_DEC),
  FN (nsattr, F_HEX),  FN (nvmsetid, F_DEC), FN (endgid, F_DEC),
  FN (nguid, F_BYTES), FN (eui64, F_BYTES),
};

static uint64_t
field_uint (const uint8_t *p, size_t len)
{
  switch (len) {
  case 1:
    return p[0];
  case 2:
    return get_le16 (p);
  case 3:
    return (uint64_t) p[0] | (uint64_t) p[1] << 8 | (uint64_t) p[2] << 16;
  case 4:
    return get_le32 (p);
  case 8:
    return get_le64 (p);
  default:
    return 0;
  }
}

/* Print (normal) or add to obj (JSON) the given fields of a 4096-byte
 * Identify structure. */
static void
show_fields (const uint8_t *data, const struct field *f, size_t n,
             json_object *obj)
{
  char buf[300];
  size_t i;

  for (i = 0; i < n; i++) {
    const uint8_t *p = data + f[i].off;
    uint64_t v;

    switch (f[i].type) {
    case F_STR:
      output_trim (buf, sizeof buf, (const char *) p, f[i].len);
      if (obj)
        json_object_object_add (obj, f[i].name, json_object_new_string (buf));
      else
        printf ("%-10s: %s\n", f[i].name, buf);
      break;
    case F_BYTES:
      output_hex (buf, sizeof buf, p, f[i].len);
      if (obj)
        json_object_object_add (obj, f[i].name, json_object_new_string (buf));
      else
        printf ("%-10s: %s\n", f[i].name, buf);
      break;
    case F_U128:
      output_u128 (buf, sizeof buf, p);
      if (obj) /* may not fit a JSON integer */
        json_object_object_add (obj, f[i].name, json_object_new_string (buf));
      else
        printf ("%-10s: %s\n", f[i].name, buf);
      break;
    case F_DEC:
    case F_HEX:
    case F_IEEE:
      v = field_uint (p, f[i].len);
      if (obj)
        json_object_object_add (obj, f[i].name, json_object_new_uint64 (v));
      else if (f[i].type == F_DEC)
        printf ("%-10s: %" PRIu64 "\n", f[i].name, v);
      else
        printf ("%-10s: 0x%" PRIx64 "\n", f[i].name, v);
      break;
    }
  }
}

/* What the library negotiated: not in Identify, but what users ask. */
static void
show_connection (const struct nvmeof_ctrl_info *ci, json_object *obj)
{
  if (obj) {
    json_object *c = json_object_new_object ();
    json_object_object_add (c, "version", json_object_new_uint64 (ci->version));
    json_object_object_add (c, "cap", json_object_new_uint64 (ci->cap));
    json_object_object_add (c, "max_transfer",
                            json_object_new_uint64 (ci->max_transfer));
    json_object_object_add (c, "nr_io_queues",
                            json_object_new_int (ci->nr_io_queues));
    json_object_object_add (c, "queue_size",
                            json_object_new_int (ci->queue_size));
    json_object_object_add (c, "kato_ms", json_object_new_uint64 (ci->kato_ms));
    json_object_object_add (c, "ioccsz_bytes",
                            json_object_new_uint64 (ci->ioccsz_bytes));
    json_object_object_add (c, "maxh2cdata",
                            json_object_new_uint64 (ci->maxh2cdata));
    json_object_object_add (c, "hdr_digest",
                            json_object_new_boolean (ci->hdr_digest));
    json_object_object_add (c, "data_digest",
                            json_object_new_boolean (ci->data_digest));
    json_object_object_add (c, "discovery",
                            json_object_new_boolean (ci->discovery));
    json_object_object_add (obj, "connection", c);
    return;
  }
  printf ("Connection:\n");
  printf ("  version      : %u.%u.%u\n", NVME_VS_MJR (ci->version),
          NVME_VS_MNR (ci->version), NVME_VS_TER (ci->version));
  printf ("  cap          : %#" PRIx64 "\n", ci->cap);
  printf ("  max transfer : %" PRIu32 " bytes\n", ci->max_transfer);
  printf ("  I/O queues   : %u x %u entries\n", ci->nr_io_queues,
          ci->queue_size);
  printf ("  keep-alive   : %" PRIu32 " ms\n", ci->kato_ms);
  printf ("  in-capsule   : %" PRIu32 " bytes\n", ci->ioccsz_bytes);
  printf ("  maxh2cdata   : %" PRIu32 " bytes\n", ci->maxh2cdata);
  printf ("  digests      : header %s, data %s\n",
          ci->hdr_digest ? "on" : "off", ci->data_digest ? "on" : "off");
}

static int
identify_ctrl (struct cli *cli, struct nvmeof_ctrl *ctrl, uint8_t *data)
{
  json_object *obj = NULL;

  if (nvmeof_identify (ctrl, NVME_ID_CNS_CTRL, 0, data) == -1)
    return cli_lib_error (cli, NULL);
  if (cli->format == OUTPUT_JSON)
    obj = json_object_new_object ();
  else
    printf ("NVME Identify Controller:\n");
  show_fields (data, ctrl_fields, sizeof ctrl_fields / sizeof ctrl_fields[0],
               obj);
  show_connection (nvmeof_ctrl_get_info (ctrl), obj);
  if (obj)
    return output_json (obj) == 0 ? 0 : 1;
  return 0;
}

/* The Namespace Identification Descriptor list (CNS 03h), validated. */
static void
show_descriptors (const uint8_t *d, json_object *obj)
{
  size_t off = 0;
  char buf[64];

  while (off + sizeof (struct nvme_ns_id_desc) <= NVME_IDENTIFY_LEN) {
    const struct nvme_ns_id_desc *h = (const void *) (d + off);
    const uint8_t *id = d + off + sizeof *h;
    const char *name = NULL;

    if (h->nidl == 0)
      break;
    if (off + sizeof *h + h->nidl > NVME_IDENTIFY_LEN)
      break; /* truncated: ignore the rest */
    switch (h->nidt) {
    case NVME_NIDT_EUI64:
      if (h->nidl == NVME_NIDT_EUI64_LEN) {
        name = "nid_eui64";
        output_hex (buf, sizeof buf, id, 8);
      }
      break;
    case NVME_NIDT_NGUID:
      if (h->nidl == NVME_NIDT_NGUID_LEN) {
        name = "nid_nguid";
        output_hex (buf, sizeof buf, id, 16);
      }
      break;
    case NVME_NIDT_UUID:
      if (h->nidl == NVME_NIDT_UUID_LEN) {
        name = "nid_uuid";
        output_uuid (buf, sizeof buf, id);
      }
      break;
    case NVME_NIDT_CSI:
      if (h->nidl == NVME_NIDT_CSI_LEN) {
        name = "nid_csi";
        snprintf (buf, sizeof buf, "%u", id[0]);
      }
      break;
    }
    if (name) {
      if (obj)
        json_object_object_add (obj, name, json_object_new_string (buf));
      else
        printf ("%-10s: %s\n", name, buf);
    }
    off += sizeof *h + h->nidl;
  }
}

static int
identify_ns (struct cli *cli, struct nvmeof_ctrl *ctrl, uint32_t nsid,
             uint8_t *data)
{
  const struct nvme_id_ns *ns = (const void *) data;
  json_object *obj = NULL, *lbafs = NULL;
  unsigned nlbaf, i, in_use;
  char what[32];

  snprintf (what, sizeof what, "namespace %" PRIu32, nsid);
  if (nvmeof_identify (ctrl, NVME_ID_CNS_NS, nsid, data) == -1)
    return cli_lib_error (cli, what);
  /* An inactive NSID gives an all-zero structure (NVMe Base 2.0 5.17.2). */
  if (get_le64 (&ns->nsze) == 0)
    return cli_error (cli, "%s is not active", what);
  if (cli->format == OUTPUT_JSON)
    obj = json_object_new_object ();
  else
    printf ("NVME Identify Namespace %" PRIu32 ":\n", nsid);
  show_fields (data, ns_fields, sizeof ns_fields / sizeof ns_fields[0], obj);

  nlbaf = ns->nlbaf + 1u; /* 0's based; at most 64 */
  if (nlbaf > 64)
    nlbaf = 64;
  in_use = nvme_flbas_index (ns->flbas);
  if (obj)
    lbafs = json_object_new_array ();
  for (i = 0; i < nlbaf; i++) {
    unsigned ms = get_le16 (&ns->lbaf[i].ms);
    unsigned lbads = ns->lbaf[i].lbads, rp = ns->lbaf[i].rp & 3;
    if (lbafs) {
      json_object *l = json_object_new_object ();
      json_object_object_add (l, "ms", json_object_new_int ((int) ms));
      json_object_object_add (l, "ds", json_object_new_int ((int) lbads));
      json_object_object_add (l, "rp", json_object_new_int ((int) rp));
      json_object_array_add (lbafs, l);
    }
    else
      printf ("lbaf %2u   : ms:%-3u lbads:%-2u rp:%u%s\n", i, ms, lbads, rp,
              i == in_use ? " (in use)" : "");
  }
  if (obj)
    json_object_object_add (obj, "lbafs", lbafs);

  /* Descriptors are optional before NVMe 1.3: no list is not an error. */
  if (nvmeof_identify (ctrl, NVME_ID_CNS_NS_ID_DESC, nsid, data) == 0)
    show_descriptors (data, obj);
  if (obj)
    return output_json (obj) == 0 ? 0 : 1;
  return 0;
}

static int
identify_opt (void *data, int c, const char *arg)
{
  struct cli *cli = data;

  if (c == OPT_NSID) {
    /* Forwarded, so that --nsid and URL/NSID are checked alike. */
    return cli_add_kv (cli, "nsid", arg);
  }
  return -1;
}

int
cmd_identify (int argc, char **argv)
{
  struct cli cli = { 0 };
  struct nvmeof_opts *opts = NULL;
  struct nvmeof_ctrl *ctrl;
  uint8_t *data;
  uint32_t nsid;
  int r;

  r = cli_parse (&cli, &identify_cmd, argc, argv, identify_opt, &cli);
  if (r != 0)
    return r == 1 ? 0 : 1;
  ctrl = cli_connect (&cli, false, &opts);
  if (ctrl == NULL)
    return 1;
  nsid = nvmeof_opts_get_nsid (opts);
  nvmeof_opts_free (opts);

  data = aligned_alloc (4096, NVME_IDENTIFY_LEN);
  if (data == NULL) {
    nvmeof_close (ctrl);
    return cli_error (&cli, "out of memory");
  }
  if (nsid == 0)
    r = identify_ctrl (&cli, ctrl, data);
  else
    r = identify_ns (&cli, ctrl, nsid, data);
  free (data);
  nvmeof_close (ctrl);
  return r;
}
