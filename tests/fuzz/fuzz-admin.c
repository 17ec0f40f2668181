/* SPDX-License-Identifier: BSD-3-Clause */
/* Fuzz target for what the host reads from a controller's admin queue:
 * Identify Controller (initiator/ctrl.c), the active namespace list
 * (admin.c), Identify Namespace and its Namespace Identification
 * Descriptor list (ns.c), and the discovery log with its GENCTR re-reads
 * (discovery.c), all through the library's own calls over a fake admin
 * queue (the transport ops of a queue whose submit answers each command at
 * once from the input: a 2-byte status, then the data the command reads).
 * Byte 0 of the input picks the MPSMIN of CAP and whether the controller
 * is a discovery controller's; the rest is the controller's answers, in
 * the order the host asks.  When the input runs out, commands succeed with
 * zeroed data.  Every call must return what it promises or -1 with a
 * message; nothing may hang (every loop must be bounded by the input or a
 * limit), read or allocate out of bounds.
 *
 * libFuzzer: scripts/fuzz.sh.  Built-in driver (the unit test
 * "unit/fuzz-admin"): see driver.c. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "discovery.h"
#include "errors.h"
#include "driver.h"

#define MAX_COMMANDS 4096 /* far more than any call should send */

static const uint8_t *in;
static size_t in_len, in_pos;
static unsigned nr_commands;

/* Answer req at once from the input: a status (2 bytes), the number of
 * data bytes that follow (2 bytes; the rest of what the command reads is
 * zeroes), those bytes. */
static int
fake_submit (struct nvmeof_queue *q, struct nvmeof_req *req)
{
  uint16_t status = 0;
  size_t n = 0;

  if (++nr_commands > MAX_COMMANDS)
    FAILED ("more than %u admin commands for one call", MAX_COMMANDS);
  if (in_len - in_pos >= 4) {
    status = get_le16 (in + in_pos) & 0x7FFF;
    n = get_le16 (in + in_pos + 2);
    in_pos += 4;
  }
  if (n > in_len - in_pos)
    n = in_len - in_pos;
  if (req->dir == REQ_DIR_C2H && req->len) {
    uint32_t k = n < req->len ? (uint32_t) n : req->len;

    memcpy (req->buf, in + in_pos, k);
    memset ((uint8_t *) req->buf + k, 0, req->len - k);
  }
  in_pos += n;
  if (getenv ("FUZZ_ADMIN_LOG")) {
    char what[160];

    cmd_describe (&req->sqe, 0, what, sizeof what);
    fprintf (stderr, "command %s: status 0x%x, %u bytes\n", what, status,
             req->dir == REQ_DIR_C2H ? req->len : 0);
  }
  queue_lock (q);
  req->status = status;
  req_complete (q, req);
  queue_unlock (q);
  return 0;
}

static void
fake_shutdown (struct nvmeof_queue *q)
{
  (void) q;
}

static const struct nvmeof_transport_ops fake_ops = {
  .name = "fake",
  .submit = fake_submit,
  .shutdown = fake_shutdown,
  .max_transfer = 1 << 20,
};

static void
check_error (const char *call)
{
  const char *msg = nvmeof_get_error ();

  if (getenv ("FUZZ_ADMIN_LOG")) /* when replaying an input */
    fprintf (stderr, "%s: %s\n", call, msg);
  if (msg == NULL || msg[0] == '\0' || strchr (msg, '\n'))
    FAILED ("%s failed with message '%s'", call, msg ? msg : "(null)");
}

static void
check_string (const char *s, size_t size, const char *what)
{
  if (strnlen (s, size) == size)
    FAILED ("%s is not terminated", what);
}

static void
run (struct nvmeof_ctrl *ctrl, bool discovery)
{
  uint32_t nsids[64];
  int64_t n;

  nr_commands = 0;
  if (ctrl_identify (ctrl, false) < 0) {
    check_error ("ctrl_identify");
    return;
  }
  check_string (ctrl->info.model, sizeof ctrl->info.model, "model");
  check_string (ctrl->info.serial, sizeof ctrl->info.serial, "serial");
  check_string (ctrl->info.subnqn, sizeof ctrl->info.subnqn, "subnqn");
  if (ctrl->info.max_transfer == 0 ||
      ctrl->info.max_transfer > fake_ops.max_transfer)
    FAILED ("max_transfer %u", ctrl->info.max_transfer);
  ctrl->info.discovery = discovery;

  if (discovery) {
    struct nvmeof_disc_entry *e = NULL;
    size_t count = 0, i;
    uint64_t genctr;

    nr_commands = 0;
    if (nvmeof_discover (ctrl, &e, &count, &genctr) < 0) {
      check_error ("nvmeof_discover");
      return;
    }
    if (count > DISC_MAX_RECORDS)
      FAILED ("%zu discovery records", count);
    for (i = 0; i < count; i++) {
      check_string (e[i].traddr, sizeof e[i].traddr, "traddr");
      check_string (e[i].trsvcid, sizeof e[i].trsvcid, "trsvcid");
      check_string (e[i].subnqn, sizeof e[i].subnqn, "subnqn");
    }
    if (getenv ("FUZZ_ADMIN_LOG"))
      fprintf (stderr, "discovery log: %zu records\n", count);
    free (e);
    return;
  }

  nr_commands = 0;
  n = nvmeof_list_namespaces (ctrl, nsids, 64);
  if (n < 0)
    check_error ("nvmeof_list_namespaces");
  else {
    int64_t i;

    for (i = 1; i < n && i < 64; i++)
      if (nsids[i] <= nsids[i - 1])
        FAILED ("namespace list not increasing: %u after %u", nsids[i],
                nsids[i - 1]);
  }
  {
    uint32_t nsid = n > 0 ? nsids[0] : 1;
    struct nvmeof_ns *ns;

    nr_commands = 0;
    ns = nvmeof_ns_open (ctrl, nsid);
    if (ns == NULL) {
      check_error ("nvmeof_ns_open");
      return;
    }
    {
      const struct nvmeof_ns_info *info = nvmeof_ns_get_info (ns);

      if (info->lba_size < 512 || (info->lba_size & (info->lba_size - 1)))
        FAILED ("LBA size %u", info->lba_size);
      if (info->max_transfer < info->lba_size)
        FAILED ("max_transfer %u below the LBA size %u", info->max_transfer,
                info->lba_size);
    }
    if (getenv ("FUZZ_ADMIN_LOG"))
      fprintf (stderr, "namespace %u: %u-byte blocks\n", nsid,
               nvmeof_ns_get_info (ns)->lba_size);
    nvmeof_ns_close (ns);
  }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  static struct nvmeof_ctrl ctrl;
  static struct nvmeof_queue q;

  if (size < 1)
    return 0;
  memset (&ctrl, 0, sizeof ctrl);
  pthread_mutex_init (&ctrl.fail_lock, NULL);
  ctrl.timeout_ms = 30000;
  ctrl.ops = &fake_ops;
  ctrl.cap = (uint64_t) (data[0] & 0x0F) << 52; /* CAP.MPSMIN */
  snprintf (ctrl.addr, sizeof ctrl.addr, "192.0.2.1:4420");
  snprintf (ctrl.opts.subnqn, sizeof ctrl.opts.subnqn, "nqn.fuzz");
  memset (&q, 0, sizeof q);
  if (queue_init (&q, &ctrl, &fake_ops, 0, 32) < 0)
    FAILED ("queue_init: %s", nvmeof_get_error ());
  ctrl.admin = &q;
  in = data + 1;
  in_len = size - 1;
  in_pos = 0;
  run (&ctrl, data[0] & 0x80);
  queue_free (&q);
  pthread_mutex_destroy (&ctrl.fail_lock);
  return 0;
}

#ifndef FUZZ_LIBFUZZER
/* ---- Seeds for the built-in driver (driver.c): an NVM controller with two
 * namespaces, and a discovery controller with two records. */

static size_t
put_answer (uint8_t *p, uint16_t status, uint16_t len)
{
  put_le16 (p, status);
  put_le16 (p + 2, len);
  return 4;
}

static size_t
put_id_ctrl (uint8_t *p, uint8_t cntrltype)
{
  struct nvme_id_ctrl *id = (struct nvme_id_ctrl *) (p + 4);

  put_answer (p, 0, 1024);
  memset (id, 0, 1024);
  memcpy (id->sn, "SERIAL0001          ", 20);
  memcpy (id->mn, "fuzz model", 10);
  memcpy (id->fr, "1.0     ", 8);
  id->mdts = 5;
  id->cntrltype = cntrltype;
  PUT32 (id->sgls, 1);
  PUT32 (id->ioccsz, 4);
  PUT32 (id->nn, 8);
  PUT16 (id->oncs, 0x0C);
  return 4 + 1024; /* the SUBNQN at 768 is empty */
}

static size_t
seed (size_t i, uint8_t *buf, size_t cap)
{
  static uint8_t tmp[2 * NVME_IDENTIFY_LEN + 64]; /* room for the structs */
  uint8_t *p = tmp + 1;
  size_t n;

  if (i >= 2)
    return 0;
  memset (tmp, 0, sizeof tmp);
  if (i == 0) {
    struct nvme_id_ns *id;
    uint8_t *d;

    tmp[0] = 0;
    p += put_id_ctrl (p, 1);
    p += put_answer (p, 0, 8); /* the active namespace list: 1, 7 */
    put_le32 (p, 1);
    put_le32 (p + 4, 7);
    p += 8;
    p += put_answer (p, 0, 256); /* Identify Namespace 1 */
    id = (struct nvme_id_ns *) p;
    PUT64 (id->nsze, 2048);
    PUT64 (id->ncap, 2048);
    id->nlbaf = 1;
    id->lbaf[0].lbads = 9;
    id->lbaf[1].lbads = 12;
    id->flbas = 1;
    p += 256;
    p += put_answer (p, 0, 40); /* descriptors: an NGUID and a UUID */
    d = p;
    d[0] = 2;
    d[1] = 16;
    memset (d + 4, 0xA5, 16);
    d[20] = 3;
    d[21] = 16;
    memset (d + 24, 0x5A, 16);
    p += 40;
  }
  else {
    struct nvmf_disc_log_hdr *h;

    tmp[0] = 0x80;
    p += put_id_ctrl (p, 2);
    p += put_answer (p, 0, 16); /* the header: GENCTR 5, 2 records */
    h = (struct nvmf_disc_log_hdr *) p;
    PUT64 (h->genctr, 5);
    PUT64 (h->numrec, 2);
    p += 16;
    p += put_answer (p, 0, 2 * sizeof (struct nvmf_disc_log_entry));
    {
      struct nvmf_disc_log_entry *e = (struct nvmf_disc_log_entry *) p;

      e[0].trtype = 3;
      e[0].adrfam = 1;
      e[0].subtype = 2;
      memcpy (e[0].trsvcid, "4420", 4);
      memcpy (e[0].traddr, "127.0.0.1", 9);
      memcpy (e[0].subnqn, "nqn.2026-11.io.test:a", 21);
      e[1] = e[0];
      e[1].subnqn[20] = 'b';
      p += 2 * sizeof *e;
    }
    p += put_answer (p, 0, 16); /* the header again: unchanged */
    put_le64 (p, 5);
    put_le64 (p + 8, 2);
    p += 16;
  }
  n = (size_t) (p - tmp);
  if (n > cap)
    n = cap;
  memcpy (buf, tmp, n);
  return n;
}

static const char *const tokens[] = {
  "\x00\x40",         "\x0b\x40",         "\x02\x40", "\xff\xff\xff\xff",
  "\x00\x00\x00\x00", "\x01\x00\x00\x00", "\x09",     "\x0c",
  "\x02\x10",         "\x03\x10",         "\x01\x08", "\x00\x00\x01\x00",
};

const struct fuzz_target fuzz_target = {
  .name = "fuzz-admin",
  .what = "Identify, namespace list and discovery log of the host",
  .seed = seed,
  .tokens = tokens,
  .nr_tokens = sizeof tokens / sizeof tokens[0],
};
#endif /* !FUZZ_LIBFUZZER */
