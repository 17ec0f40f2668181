/* SPDX-License-Identifier: BSD-3-Clause */
/* Identify Namespace decoding (initiator/ns.c): the LBA format from FLBAS
 * including its high index bits, sizes, write protection, DLFEAT,
 * NOIOB/NPWG/NOWS, identifiers; refusal of inactive namespaces, metadata,
 * protection information and bad formats; the Namespace Identification
 * Descriptor list (NGUID, EUI-64, UUID, unknown and malformed ones). */
#include <config.h>

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "check.h"

static struct nvme_id_ns id;
static struct nvmeof_ns_info info;
static char err[256];

static void
base_ns (void)
{
  memset (&id, 0, sizeof id);
  PUT64 (id.nsze, 2048);
  PUT64 (id.ncap, 2048);
  id.nlbaf = 1; /* two formats */
  id.lbaf[0].lbads = 9;
  id.lbaf[1].lbads = 12;
  id.flbas = 0;
}

static int
parse (void)
{
  return ns_parse_identify (&id, 1, &info, err, sizeof err);
}

static void
test_identify (void)
{
  int r;

  printf ("Identify Namespace\n");
  base_ns ();
  CHECK (parse () == 0, "plain: %s", err);
  CHECK (info.lba_size == 512 && info.size == 2048 * 512 && info.lbaf == 0,
         "512-byte LBAs");
  CHECK (!info.write_protected && !info.has_nguid && !info.has_eui64,
         "defaults");
  CHECK (info.optimal_io_boundary == 0 && info.preferred_write_granularity == 0,
         "no hints");

  base_ns ();
  id.flbas = 1;
  CHECK (parse () == 0 && info.lba_size == 4096 && info.size == 2048 * 4096ull,
         "format 1: 4096-byte LBAs");

  /* FLBAS bits 6:5 are bits 5:4 of the index (NVMe 2.0). */
  base_ns ();
  id.nlbaf = 20;
  id.lbaf[17].lbads = 12;
  id.flbas = 0x21; /* low 1, high 1 -> 17 */
  CHECK (parse () == 0 && info.lbaf == 17 && info.lba_size == 4096,
         "high index bits: lbaf %u size %u", info.lbaf, info.lba_size);
  id.nlbaf = 15; /* index 17 beyond NLBAF */
  r = parse ();
  CHECK (r == -EPROTO, "index beyond NLBAF: %d", r);
  printf ("  refused: %s\n", err);

  base_ns ();
  PUT64 (id.nsze, 0);
  r = parse ();
  CHECK (r == -ENOENT, "inactive namespace: %d", r);
  printf ("  refused: %s\n", err);

  base_ns ();
  PUT16 (id.lbaf[0].ms, 8);
  r = parse ();
  CHECK (r == -ENOTSUP && strstr (err, "metadata"), "metadata: %s", err);
  printf ("  refused: %s\n", err);

  base_ns ();
  id.dps = 1;
  r = parse ();
  CHECK (r == -ENOTSUP && strstr (err, "protection"), "PI: %s", err);
  printf ("  refused: %s\n", err);

  base_ns ();
  id.lbaf[0].lbads = 8;
  CHECK (parse () == -ENOTSUP, "256-byte blocks refused");
  id.lbaf[0].lbads = 40;
  CHECK (parse () == -ENOTSUP, "absurd block size refused");

  base_ns ();
  PUT64 (id.nsze, UINT64_MAX / 2);
  CHECK (parse () == -EPROTO, "size overflow refused: %s", err);

  base_ns ();
  id.nsattr = NVME_NS_NSATTR_WRITE_PROTECTED;
  id.dlfeat = NVME_NS_DLFEAT_WZ_DEAC | NVME_NS_DLFEAT_READ_ZEROES;
  PUT16 (id.noiob, 256);
  id.nsfeat = NVME_NS_NSFEAT_OPTPERF;
  PUT16 (id.npwg, 7); /* 0's based */
  PUT16 (id.nows, 15);
  memset (id.nguid, 0xAB, 16);
  memset (id.eui64, 0xCD, 8);
  CHECK (parse () == 0, "features: %s", err);
  CHECK (info.write_protected, "write protected");
  CHECK (info.wz_deallocate && info.deallocated_reads_zero, "DLFEAT");
  CHECK (info.optimal_io_boundary == 256 * 512, "NOIOB %u",
         info.optimal_io_boundary);
  CHECK (info.preferred_write_granularity == 8 * 512, "NPWG %u",
         info.preferred_write_granularity);
  CHECK (info.optimal_write_size == 16 * 512, "NOWS %u",
         info.optimal_write_size);
  CHECK (info.has_nguid && info.nguid[15] == 0xAB, "NGUID");
  CHECK (info.has_eui64 && info.eui64[7] == 0xCD, "EUI-64");

  /* Hints of 65535 blocks of 1 MiB do not fit 32 bits: dropped, not cut
   * short. */
  id.lbaf[0].lbads = 20;
  PUT16 (id.noiob, 0xFFFF);
  PUT16 (id.npwg, 0xFFFF);
  PUT16 (id.nows, 0xFFFE);
  CHECK (parse () == 0, "large hints: %s", err);
  CHECK (
    info.optimal_io_boundary == 0 && info.preferred_write_granularity == 0 &&
      info.optimal_write_size == 0,
    "NOIOB/NPWG/NOWS overflowing 32 bits: %u %u %u", info.optimal_io_boundary,
    info.preferred_write_granularity, info.optimal_write_size);
  PUT16 (id.noiob, 4095);
  PUT16 (id.nows, 4094);
  CHECK (parse () == 0 && info.optimal_io_boundary == 4095u << 20 &&
           info.optimal_write_size == 4095u << 20,
         "the largest that fit: %u %u", info.optimal_io_boundary,
         info.optimal_write_size);
  id.lbaf[0].lbads = 9;

  /* NPWG/NOWS count only with OPTPERF. */
  id.nsfeat = 0;
  CHECK (parse () == 0 && info.preferred_write_granularity == 0 &&
           info.optimal_write_size == 0,
         "no OPTPERF");
}

static size_t
add_desc (uint8_t *p, size_t off, uint8_t type, uint8_t len, uint8_t fill)
{
  p[off] = type;
  p[off + 1] = len;
  memset (p + off + 4, fill, len);
  return off + 4 + len;
}

static void
test_descriptors (void)
{
  uint8_t page[4096];
  size_t off = 0;
  int r;

  printf ("Namespace Identification Descriptors\n");
  memset (page, 0, sizeof page);
  off = add_desc (page, off, NVME_NIDT_EUI64, 8, 0x11);
  off = add_desc (page, off, 0x7F, 5, 0x99); /* unknown: skipped */
  off = add_desc (page, off, NVME_NIDT_NGUID, 16, 0x22);
  off = add_desc (page, off, NVME_NIDT_UUID, 16, 0x33);
  off = add_desc (page, off, NVME_NIDT_CSI, 1, 0);
  memset (&info, 0, sizeof info);
  r = ns_parse_descriptors (page, sizeof page, &info, err, sizeof err);
  CHECK (r == 0, "list: %s", err);
  CHECK (info.has_eui64 && info.eui64[0] == 0x11, "EUI-64");
  CHECK (info.has_nguid && info.nguid[0] == 0x22, "NGUID");
  CHECK (info.has_uuid && info.uuid[15] == 0x33, "UUID");

  memset (page, 0, sizeof page);
  add_desc (page, 0, NVME_NIDT_UUID, 8, 0x33); /* wrong length */
  r = ns_parse_descriptors (page, sizeof page, &info, err, sizeof err);
  CHECK (r == -EPROTO, "bad UUID length accepted");
  printf ("  refused: %s\n", err);

  /* A descriptor running past the end of the data. */
  memset (page, 0, sizeof page);
  add_desc (page, 0, NVME_NIDT_EUI64, 8, 0x11);
  add_desc (page, 12, NVME_NIDT_NGUID, 16, 0x22);
  r = ns_parse_descriptors (page, 30, &info, err, sizeof err);
  CHECK (r == -EPROTO, "overrun accepted (%d)", r);
  printf ("  refused: %s\n", err);

  memset (page, 0, sizeof page);
  memset (&info, 0, sizeof info);
  r = ns_parse_descriptors (page, sizeof page, &info, err, sizeof err);
  CHECK (r == 0 && !info.has_uuid, "empty list");
}

int
main (void)
{
  test_identify ();
  test_descriptors ();
  printf ("%d checks, %d failures\n", checks, failures);
  return failures ? 1 : 0;
}
