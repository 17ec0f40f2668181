/* SPDX-License-Identifier: BSD-3-Clause */
/* Discovery log reading (initiator/discovery.c) against a fake log: the
 * entries decoded (padding stripped, referrals kept as such), reads in
 * pieces at the right offsets, a GENCTR change underneath (read again),
 * a log that never settles (EAGAIN), an absurd NUMREC, read errors, and
 * the names for printing. */
#include <config.h>

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "discovery.h"
#include "errors.h"
#include "check.h"

/* The fake controller's log and how it misbehaves. */
struct fake {
  uint8_t *log;
  size_t len;
  unsigned reads;
  unsigned change_on_read; /* bump GENCTR at this read (1-based) */
  bool always_change;
  int fail_on_read;
  uint32_t max_piece; /* largest read seen */
  bool bad_offset;
};

static void
pad_copy (char *dst, size_t n, const char *s, char pad)
{
  memset (dst, pad, n);
  memcpy (dst, s, strlen (s));
}

static void
make_log (struct fake *f, unsigned numrec, uint64_t genctr)
{
  struct nvmf_disc_log_hdr *h;
  unsigned i;

  f->len = sizeof *h + numrec * sizeof (struct nvmf_disc_log_entry);
  f->log = calloc (1, f->len);
  h = (void *) f->log;
  PUT64 (h->genctr, genctr);
  PUT64 (h->numrec, numrec);
  for (i = 0; i < numrec; i++) {
    struct nvmf_disc_log_entry *e =
      (void *) (f->log + sizeof *h + i * sizeof *e);
    char nqn[64], port[16];

    e->trtype = NVMF_TRTYPE_TCP;
    e->adrfam = NVMF_ADRFAM_IPV4;
    e->subtype = i == 0 ? NVMF_SUBTYPE_REFERRAL : NVMF_SUBTYPE_NVM;
    e->treq = NVMF_TREQ_SECURE_NOT_REQUIRED;
    PUT16 (e->portid, i + 1);
    PUT16 (e->cntlid, 0xFFFF);
    PUT16 (e->asqsz, 32);
    PUT16 (e->eflags, NVMF_EFLAGS_DUPRETINFO);
    e->tsas.tcp.sectype = NVMF_TCP_SECTYPE_NONE;
    snprintf (port, sizeof port, "%u", 4420 + i);
    pad_copy (e->trsvcid, sizeof e->trsvcid, port, ' ');
    pad_copy (e->traddr, sizeof e->traddr, "192.0.2.7", ' ');
    snprintf (nqn, sizeof nqn, "nqn.2026-11.io.nvmeof:sub%u", i);
    pad_copy (e->subnqn, sizeof e->subnqn, nqn, '\0');
  }
}

static int
fake_read (void *ctx, uint64_t offset, void *buf, uint32_t len)
{
  struct fake *f = ctx;

  f->reads++;
  if (f->fail_on_read && (int) f->reads == f->fail_on_read) {
    set_error (EIO, "Get Log Page: fake failure");
    return -1;
  }
  if (len > f->max_piece)
    f->max_piece = len;
  if (offset % 4 || len % 4 || offset + len > f->len + 4096)
    f->bad_offset = true;
  if (f->always_change || f->reads == f->change_on_read) {
    struct nvmf_disc_log_hdr *h = (void *) f->log;
    PUT64 (h->genctr, GET64 (h->genctr) + 1);
  }
  memset (buf, 0, len);
  if (offset < f->len)
    memcpy (buf, f->log + offset,
            len < f->len - offset ? len : f->len - offset);
  return 0;
}

static void
test_plain (void)
{
  struct fake f = { 0 };
  struct nvmeof_disc_entry *e = NULL;
  size_t n = 0;
  uint64_t gen = 0;

  printf ("three entries, one referral\n");
  make_log (&f, 3, 42);
  CHECK (disc_read_log (fake_read, &f, &e, &n, &gen) == 0, "read: %s",
         nvmeof_get_error ());
  CHECK (n == 3 && gen == 42, "n %zu gen %" PRIu64, n, gen);
  CHECK (f.reads == 3, "header, entries, header: %u reads", f.reads);
  CHECK (e[0].subtype == NVMF_SUBTYPE_REFERRAL, "referral kept");
  CHECK (strcmp (nvmeof_subtype_string (e[0].subtype),
                 "discovery subsystem referral") == 0,
         "referral named");
  CHECK (e[1].subtype == NVMF_SUBTYPE_NVM && e[1].trtype == NVMF_TRTYPE_TCP &&
           e[1].adrfam == NVMF_ADRFAM_IPV4,
         "entry 1 fields");
  CHECK (strcmp (e[1].traddr, "192.0.2.7") == 0, "traddr '%s'", e[1].traddr);
  CHECK (strcmp (e[2].trsvcid, "4422") == 0, "trsvcid '%s'", e[2].trsvcid);
  CHECK (strcmp (e[2].subnqn, "nqn.2026-11.io.nvmeof:sub2") == 0, "subnqn");
  CHECK (e[2].portid == 3 && e[2].cntlid == 0xFFFF && e[2].asqsz == 32 &&
           e[2].eflags == NVMF_EFLAGS_DUPRETINFO &&
           e[2].treq == NVMF_TREQ_SECURE_NOT_REQUIRED &&
           e[2].sectype == NVMF_TCP_SECTYPE_NONE,
         "numeric fields");
  CHECK (!f.bad_offset, "reads aligned and in range");
  free (e);
  free (f.log);
}

static void
test_pieces (void)
{
  struct fake f = { 0 };
  struct nvmeof_disc_entry *e = NULL;
  size_t n = 0, i;
  bool ok = true;

  printf ("200 entries, read in pieces\n");
  make_log (&f, 200, 1);
  CHECK (disc_read_log (fake_read, &f, &e, &n, NULL) == 0, "read: %s",
         nvmeof_get_error ());
  CHECK (n == 200, "n %zu", n);
  CHECK (f.reads == 1 + 4 + 1, "pieces of 64 entries: %u reads", f.reads);
  CHECK (f.max_piece <= 64 * 1024, "largest read %u", f.max_piece);
  for (i = 0; i < n; i++) {
    char want[64];

    snprintf (want, sizeof want, "nqn.2026-11.io.nvmeof:sub%zu", i);
    if (strcmp (e[i].subnqn, want) != 0)
      ok = false;
  }
  CHECK (ok, "every entry in order");
  free (e);
  free (f.log);
}

static void
test_genctr (void)
{
  struct fake f = { 0 };
  struct nvmeof_disc_entry *e = NULL;
  size_t n = 0;
  uint64_t gen = 0;

  printf ("GENCTR changes underneath: read again\n");
  make_log (&f, 2, 7);
  f.change_on_read = 2; /* while the entries are read */
  CHECK (disc_read_log (fake_read, &f, &e, &n, &gen) == 0, "read: %s",
         nvmeof_get_error ());
  CHECK (gen == 8 && n == 2, "the second pass is kept: gen %" PRIu64, gen);
  CHECK (f.reads == 6, "two passes: %u reads", f.reads);
  free (e);
  free (f.log);

  printf ("GENCTR never settles: EAGAIN\n");
  memset (&f, 0, sizeof f);
  make_log (&f, 1, 1);
  f.always_change = true;
  e = NULL;
  CHECK (disc_read_log (fake_read, &f, &e, &n, &gen) < 0, "accepted");
  CHECK (nvmeof_get_errno () == EAGAIN && e == NULL, "errno %d",
         nvmeof_get_errno ());
  CHECK (f.reads == 3 * DISC_MAX_RETRIES, "%u reads", f.reads);
  printf ("  %s\n", nvmeof_get_error ());
  free (f.log);
}

static void
test_errors (void)
{
  struct fake f = { 0 };
  struct nvmeof_disc_entry *e = NULL;
  size_t n = 0;
  struct nvmf_disc_log_hdr *h;

  printf ("empty log\n");
  make_log (&f, 0, 3);
  CHECK (disc_read_log (fake_read, &f, &e, &n, NULL) == 0 && n == 0 &&
           e != NULL,
         "empty log");
  free (e);
  free (f.log);

  printf ("absurd NUMREC\n");
  memset (&f, 0, sizeof f);
  make_log (&f, 1, 3);
  h = (void *) f.log;
  PUT64 (h->numrec, UINT64_C (1) << 40);
  CHECK (disc_read_log (fake_read, &f, &e, &n, NULL) < 0 &&
           nvmeof_get_errno () == EPROTO,
         "refused: %s", nvmeof_get_error ());
  free (f.log);

  printf ("NUMREC just above the bound: refused before anything is read\n");
  memset (&f, 0, sizeof f);
  make_log (&f, 1, 3);
  h = (void *) f.log;
  PUT64 (h->numrec, 65536);
  CHECK (disc_read_log (fake_read, &f, &e, &n, NULL) < 0 &&
           nvmeof_get_errno () == EPROTO && f.reads == 1,
         "NUMREC 65536: %u reads, %s", f.reads, nvmeof_get_error ());
  free (f.log);

  printf ("NUMREC at the bound: 1024 records in 16 pieces\n");
  memset (&f, 0, sizeof f);
  make_log (&f, 1024, 3);
  CHECK (disc_read_log (fake_read, &f, &e, &n, NULL) == 0 && n == 1024 &&
           f.reads == 1 + 16 + 1,
         "1024 records: %u reads, %s", f.reads, nvmeof_get_error ());
  free (e);
  free (f.log);

  printf ("read failure in the middle\n");
  memset (&f, 0, sizeof f);
  make_log (&f, 3, 3);
  f.fail_on_read = 2;
  CHECK (disc_read_log (fake_read, &f, &e, &n, NULL) < 0 &&
           nvmeof_get_errno () == EIO,
         "error passed on");
  free (f.log);

  printf ("fields without padding or terminator\n");
  {
    struct nvmf_disc_log_entry raw;
    struct nvmeof_disc_entry out;

    memset (&raw, 'x', sizeof raw);
    disc_decode_entry (&raw, &out);
    CHECK (strlen (out.trsvcid) == 32 && strlen (out.traddr) == 256 &&
             strlen (out.subnqn) == 256,
           "full-width fields terminated");
  }
}

static void
test_names (void)
{
  printf ("names\n");
  CHECK (strcmp (nvmeof_trtype_string (3), "tcp") == 0, "tcp");
  CHECK (strcmp (nvmeof_trtype_string (1), "rdma") == 0, "rdma");
  CHECK (strcmp (nvmeof_trtype_string (99), "unknown") == 0, "unknown");
  CHECK (strcmp (nvmeof_adrfam_string (2), "ipv6") == 0, "ipv6");
  CHECK (strcmp (nvmeof_subtype_string (2), "nvme subsystem") == 0, "nvm");
  CHECK (strcmp (nvmeof_subtype_string (3), "current discovery subsystem") == 0,
         "current");
}

int
main (void)
{
  test_plain ();
  test_pieces ();
  test_genctr ();
  test_errors ();
  test_names ();
  printf ("%d checks, %d failures\n", checks, failures);
  return failures ? 1 : 0;
}
