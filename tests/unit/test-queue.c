/* SPDX-License-Identifier: BSD-3-Clause */
/* Queues (initiator/queue.c) over a fake transport: CIDs handed out from
 * the free stack and looked up by CID, a full queue (EAGAIN, or waiting
 * until a completion frees a CID), blocking batches completed by another
 * thread with the first failure's message, a dead queue failing
 * everything outstanding and new commands at once, the timeout scan
 * (timer.c) failing the controller with the command named, and the
 * command descriptions used in messages; commands held across a
 * reconnect and released; many threads waiting while
 * another completes, with and without polling before sleeping (a lost
 * wake-up hangs, and the alarm fails the test). */
#include <config.h>

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "errors.h"
#include "nvmf-wire.h"
#include "check.h"

/* The fake transport remembers what was submitted. */
struct fake_queue {
  struct nvmeof_queue q;
  struct nvmeof_req *sent[64];
  unsigned nr_sent;
  unsigned nr_done; /* of sent, completed by the stress completer */
  bool shut;
};

/* As the real transports: a request the queue cannot send now is parked
 * (held or failed); else the transport has it. */
static int
fake_submit (struct nvmeof_queue *q, struct nvmeof_req *req)
{
  struct fake_queue *f = (struct fake_queue *) q;

  queue_lock (q);
  if (req_must_park (q, req))
    req_park (q, req);
  else {
    req->owned = false;
    f->sent[f->nr_sent++ % 64] = req;
  }
  queue_unlock (q);
  return 0;
}

static void
fake_shutdown (struct nvmeof_queue *q)
{
  ((struct fake_queue *) q)->shut = true;
}

static const struct nvmeof_transport_ops fake_ops = {
  .name = "fake",
  .submit = fake_submit,
  .shutdown = fake_shutdown,
  .max_transfer = 65536,
};

static struct nvmeof_ctrl ctrl;
static struct fake_queue fq;

static void
setup (uint16_t size)
{
  memset (&ctrl, 0, sizeof ctrl);
  atomic_store (&ctrl.failfast, true); /* as before reconnect_start */
  pthread_mutex_init (&ctrl.fail_lock, NULL);
  ctrl.timeout_ms = 30000;
  snprintf (ctrl.addr, sizeof ctrl.addr, "192.0.2.1:4420");
  memset (&fq, 0, sizeof fq);
  if (queue_init (&fq.q, &ctrl, &fake_ops, 1, size) < 0) {
    fprintf (stderr, "queue_init: %s\n", nvmeof_get_error ());
    exit (1);
  }
  ctrl.ioq = malloc (sizeof *ctrl.ioq);
  ctrl.ioq[0] = &fq.q;
  ctrl.nr_ioq = 1;
}

static void
teardown (void)
{
  queue_free (&fq.q);
  free (ctrl.ioq);
  pthread_mutex_destroy (&ctrl.fail_lock);
}

static unsigned done_calls;

static void
count_done (struct nvmeof_queue *q, struct nvmeof_req *req)
{
  done_calls++;
}

static void
test_cids (void)
{
  struct nvmeof_req *r[8];
  unsigned i;
  bool distinct = true;

  printf ("CID allocation\n");
  setup (8); /* 8 entries: 7 commands at most */
  CHECK (fq.q.depth == 7, "depth %u", fq.q.depth);
  for (i = 0; i < 6; i++) {
    r[i] = req_alloc (&fq.q, false, count_done, NULL, 1000);
    CHECK (r[i] != NULL, "alloc %u", i);
  }
  CHECK (req_alloc (&fq.q, false, count_done, NULL, 1000) == NULL &&
           nvmeof_get_errno () == EAGAIN,
         "full queue: EAGAIN");
  printf ("  %s\n", nvmeof_get_error ());
  /* The last CID is kept for the commands that bring a controller up. */
  in_bringup = true;
  r[6] = req_alloc (&fq.q, false, count_done, NULL, 1000);
  CHECK (r[6] != NULL && r[6]->bringup, "the kept CID, for bring-up");
  CHECK (req_alloc (&fq.q, false, count_done, NULL, 1000) == NULL, "then none");
  in_bringup = false;
  for (i = 0; i < 7; i++)
    if (r[i]->cid != i)
      distinct = false;
  CHECK (distinct, "CIDs 0..6 in order");

  pthread_mutex_lock (&fq.q.lock);
  CHECK (req_lookup (&fq.q, 3) == r[3], "lookup by CID");
  CHECK (req_lookup (&fq.q, 7) == NULL, "CID out of range");
  CHECK (req_lookup (&fq.q, 0xFFFF) == NULL, "CID 0xFFFF");
  req_complete (&fq.q, r[3]);
  CHECK (req_lookup (&fq.q, 3) == NULL, "completed CID not outstanding");
  CHECK (done_calls == 1, "done ran once");
  pthread_mutex_unlock (&fq.q.lock);
  in_bringup = true;
  r[7] = req_alloc (&fq.q, false, count_done, NULL, 1000);
  in_bringup = false;
  CHECK (r[7] == r[3] && r[7]->gen == 2, "freed CID reused, generation %u",
         r[7]->gen);
  /* (Submitted: a failing queue then fails them.) */
  for (i = 0; i < 8; i++)
    if (i != 3)
      req_submit (&fq.q, r[i]);

  /* Dead queue: outstanding commands fail, new ones fail at once. */
  done_calls = 0;
  snprintf (ctrl.fail_msg, sizeof ctrl.fail_msg, "connection lost: test");
  atomic_store (&ctrl.failed, true);
  pthread_mutex_lock (&fq.q.lock);
  queue_fail_all (&fq.q, EIO);
  pthread_mutex_unlock (&fq.q.lock);
  CHECK (done_calls == 7, "all 7 outstanding failed: %u", done_calls);
  CHECK (req_alloc (&fq.q, true, count_done, NULL, 1000) == NULL &&
           nvmeof_get_errno () == EIO &&
           strstr (nvmeof_get_error (), "connection lost: test"),
         "dead queue: %s", nvmeof_get_error ());
  teardown ();
}

/* A "receiver" thread completing what the batch submitted. */
struct completer {
  unsigned n;
  uint16_t fail_status; /* for the second command */
};

static void *
complete_later (void *arg)
{
  struct completer *c = arg;
  unsigned i, done = 0;

  while (done < c->n) {
    usleep (1000);
    pthread_mutex_lock (&fq.q.lock);
    for (i = 0; i < fq.q.depth && done < c->n; i++) {
      struct nvmeof_req *req = &fq.q.reqs[i];

      if (!req->in_use)
        continue;
      req->status = (done == 1) ? c->fail_status : 0;
      req->result = 0x1234;
      req_complete (&fq.q, req);
      done++;
    }
    pthread_mutex_unlock (&fq.q.lock);
  }
  return NULL;
}

static void
test_batch (void)
{
  struct nvmeof_batch b;
  struct completer c = { .n = 10, .fail_status = NVME_SC_LBA_RANGE };
  pthread_t t;
  unsigned i;
  int r;

  printf ("blocking batch, more commands than the queue holds\n");
  setup (4); /* 3 at a time: the submitter must wait */
  batch_init (&b);
  pthread_create (&t, NULL, complete_later, &c);
  for (i = 0; i < 10; i++) {
    struct nvmeof_req *req = req_alloc_batch (&fq.q, &b);

    CHECK (req != NULL, "alloc %u", i);
    io_setup_rw (&req->sqe, NVME_CMD_READ, 1, i * 8, 8, 0);
    req_submit (&fq.q, req);
  }
  r = batch_wait (&fq.q, &b);
  pthread_join (t, NULL);
  CHECK (r == -1, "a failed command fails the batch");
  CHECK (nvmeof_get_status () == NVME_SC_LBA_RANGE &&
           nvmeof_get_errno () == EINVAL,
         "status %x errno %d", nvmeof_get_status (), nvmeof_get_errno ());
  CHECK (strstr (nvmeof_get_error (), "Read (queue 1, cid") &&
           strstr (nvmeof_get_error (), "LBA Out of Range"),
         "message: %s", nvmeof_get_error ());
  printf ("  %s\n", nvmeof_get_error ());
  CHECK (fq.q.nr_free == 3, "every CID back: %u", fq.q.nr_free);
  teardown ();
}

static void
test_timeout (void)
{
  struct nvmeof_req *req;
  uint64_t now = now_ms ();

  printf ("timeout scan\n");
  setup (8);
  req = req_alloc (&fq.q, false, count_done, NULL, 5000);
  io_setup_rw (&req->sqe, NVME_CMD_WRITE, 1, 2048, 8, 0);
  req_submit (&fq.q, req);
  timer_scan (&ctrl, now + 1000);
  CHECK (!req->timed_out && !atomic_load (&ctrl.failed), "not yet");
  timer_scan (&ctrl, now + 6000);
  CHECK (req->timed_out, "expired command marked");
  CHECK (atomic_load (&ctrl.failed) && ctrl.fail_err == ETIMEDOUT,
         "controller failed");
  CHECK (fq.shut, "queue shut down");
  CHECK (strstr (ctrl.fail_msg, "Write (queue 1, cid 0, nsid 1, lba 2048+8) "
                                "timed out after 5 s") != NULL,
         "message: %s", ctrl.fail_msg);
  printf ("  %s\n", ctrl.fail_msg);
  /* The receiver then fails it with ETIMEDOUT. */
  pthread_mutex_lock (&fq.q.lock);
  queue_fail_all (&fq.q, EIO);
  pthread_mutex_unlock (&fq.q.lock);
  CHECK (req->err == ETIMEDOUT, "err %d", req->err);
  teardown ();
}

/* Holding (reconnect.c): what may be repeated; outstanding and new
 * commands held while the controller is failed, sent again by
 * queue_resume with a new generation, failed (path errors) once failfast
 * is set; bring-up commands never held. */
static void
test_hold (void)
{
  static const struct {
    uint8_t opcode;
    uint16_t qid;
    bool repeat;
  } table[] = {
    { NVME_ADMIN_IDENTIFY, 0, true },
    { NVME_ADMIN_GET_LOG_PAGE, 0, true },
    { NVME_ADMIN_GET_FEATURES, 0, true },
    { NVME_ADMIN_SET_FEATURES, 0, false },
    { NVME_ADMIN_KEEP_ALIVE, 0, false },
    { NVME_ADMIN_ASYNC_EVENT, 0, false },
    { NVME_ADMIN_ABORT, 0, false },
    { NVME_ADMIN_FABRICS, 0, false },
    { NVME_CMD_READ, 1, true },
    { NVME_CMD_WRITE, 1, true },
    { NVME_CMD_FLUSH, 1, true },
    { NVME_CMD_WRITE_ZEROES, 1, true },
    { NVME_CMD_DSM, 1, true },
  };
  struct nvmeof_req *rd, *td, *bu, *nw;
  struct nvme_sqe sqe;
  unsigned i, sent;
  uint32_t gen;

  printf ("commands held across a reconnect\n");
  memset (&sqe, 0, sizeof sqe);
  for (i = 0; i < sizeof table / sizeof table[0]; i++) {
    sqe.opcode = table[i].opcode;
    CHECK (cmd_repeatable (&sqe, table[i].qid) == table[i].repeat,
           "%s: repeated %d", cmd_name (&sqe, table[i].qid), table[i].repeat);
  }

  setup (8);
  atomic_store (&ctrl.failfast, false); /* reconnecting: commands held */
  done_calls = 0;
  rd = req_alloc (&fq.q, false, count_done, NULL, 1000);
  td = req_alloc (&fq.q, false, count_done, NULL, 1000);
  in_bringup = true;
  bu = req_alloc (&fq.q, false, count_done, NULL, 1000);
  in_bringup = false;
  io_setup_rw (&rd->sqe, NVME_CMD_READ, 1, 0, 8, 0);
  io_setup_rw (&td->sqe, NVME_CMD_WRITE, 1, 8, 8, 0);
  io_setup_rw (&bu->sqe, NVME_CMD_READ, 1, 16, 8, 0);
  req_submit (&fq.q, rd);
  req_submit (&fq.q, td);
  req_submit (&fq.q, bu);
  CHECK (fq.nr_sent == 3 && !rd->owned, "sent");
  gen = rd->gen;

  /* The connection fails: outstanding commands are held. */
  snprintf (ctrl.fail_msg, sizeof ctrl.fail_msg, "connection lost: test");
  atomic_store (&ctrl.failed, true);
  pthread_mutex_lock (&fq.q.lock);
  td->timed_out = true;
  queue_fail_all (&fq.q, EIO);
  pthread_mutex_unlock (&fq.q.lock);
  CHECK (rd->held && td->held && !td->timed_out && rd->in_use,
         "outstanding commands held");
  CHECK (done_calls == 1 && !bu->in_use && bu->path_error && !bu->not_repeated,
         "a bring-up command fails");
  /* A new command is taken while the controller is failed, and held. */
  nw = req_alloc (&fq.q, false, count_done, NULL, 1000);
  CHECK (nw != NULL, "new command while failed: %s", nvmeof_get_error ());
  io_setup_rw (&nw->sqe, NVME_CMD_WRITE, 1, 24, 8, 0);
  req_submit (&fq.q, nw);
  CHECK (nw->held && fq.nr_sent == 3, "held, not sent");
  CHECK (rd->deadline_ms == 0, "no deadline while held");

  /* Back: everything held goes out again, as new. */
  atomic_store (&ctrl.failed, false);
  fq.q.dead = false;
  sent = fq.nr_sent;
  queue_resume (&fq.q);
  CHECK (fq.nr_sent == sent + 3, "3 sent again: %u", fq.nr_sent - sent);
  CHECK (!rd->held && !rd->owned && rd->gen == gen + 1 && rd->deadline_ms,
         "renewed: generation %u", rd->gen);
  CHECK (done_calls == 1, "none completed");

  /* Fails again, td having been answered with a status (its response
   * came while its data was still being sent): that is never repeated. */
  atomic_store (&ctrl.failed, true);
  pthread_mutex_lock (&fq.q.lock);
  td->resp_deferred = true;
  td->status = NVME_SC_LBA_RANGE;
  queue_fail_all (&fq.q, EIO);
  pthread_mutex_unlock (&fq.q.lock);
  CHECK (done_calls == 2 && !td->in_use && !td->path_error,
         "answered with a status: completed with it, not held");
  CHECK (rd->held && nw->held, "the others held again");
  /* Then fast-io-fail-tmo: held commands fail. */
  atomic_store (&ctrl.failfast, true);
  queue_release_held (&fq.q);
  CHECK (done_calls == 4 && !rd->in_use && !nw->in_use, "held ones failed");
  CHECK (rd->err == EIO && rd->path_error, "a path error");
  CHECK (req_alloc (&fq.q, true, count_done, NULL, 1000) == NULL &&
           nvmeof_get_errno () == EIO && error_is_path (),
         "then new commands fail at once: %s", nvmeof_get_error ());
  CHECK (fq.q.nr_free == fq.q.depth, "every CID back");
  teardown ();
}

static void
test_describe (void)
{
  struct nvme_sqe sqe;
  char buf[160];

  printf ("command descriptions\n");
  memset (&sqe, 0, sizeof sqe);
  sqe.opcode = NVME_ADMIN_IDENTIFY;
  PUT16 (sqe.cid, 2);
  PUT32 (sqe.cdw10, 1);
  cmd_describe (&sqe, 0, buf, sizeof buf);
  CHECK (strcmp (buf, "Identify (cid 2, cns 1, nsid 0)") == 0, "%s", buf);
  sqe.opcode = NVME_ADMIN_FABRICS;
  ((struct nvmf_cmd *) &sqe)->fctype = NVMF_FCTYPE_PROP_GET;
  PUT32 (((struct nvmf_prop_get_cmd *) &sqe)->ofst, NVME_REG_CSTS);
  cmd_describe (&sqe, 0, buf, sizeof buf);
  CHECK (strcmp (buf, "Fabrics Property Get CSTS (cid 2)") == 0, "%s", buf);
  io_setup_rw (&sqe, NVME_CMD_WRITE_ZEROES, 3, 1ull << 33, 65536, 0);
  cmd_describe (&sqe, 2, buf, sizeof buf);
  CHECK (strcmp (buf, "Write Zeroes (queue 2, cid 0, nsid 3, lba 8589934592"
                      "+65536)") == 0,
         "%s", buf);
  CHECK (strcmp (cmd_name (&sqe, 0), "Abort") == 0,
         "opcode 8 on the admin queue");
  sqe.opcode = 0x42;
  CHECK (strcmp (cmd_name (&sqe, 0), "admin command") == 0, "unknown admin");
  CHECK (strcmp (cmd_name (&sqe, 1), "I/O command") == 0, "unknown I/O");
}

/* Stress: THREADS blocking callers, one command each at a time, and a
 * completer that completes what was sent after a varying delay, under
 * queue_lock so that its wakes are deferred past the unlock. */
#define STRESS_THREADS 8
#define STRESS_ROUNDS  3000

static atomic_uint stress_left;
static atomic_uint stress_errors;

static void *
stress_caller (void *arg)
{
  unsigned i;

  (void) arg;
  for (i = 0; i < STRESS_ROUNDS; i++) {
    struct nvmeof_batch b;
    struct nvmeof_req *req;

    batch_init (&b);
    req = req_alloc_batch (&fq.q, &b);
    if (req == NULL) {
      atomic_fetch_add (&stress_errors, 1);
      break;
    }
    io_setup_rw (&req->sqe, NVME_CMD_READ, 1, i, 1, 0);
    req_submit (&fq.q, req);
    if (batch_wait (&fq.q, &b) != 0)
      atomic_fetch_add (&stress_errors, 1);
  }
  atomic_fetch_sub (&stress_left, 1);
  return NULL;
}

static void *
stress_completer (void *arg)
{
  unsigned spins = 0;

  (void) arg;
  while (atomic_load (&stress_left) > 0) {
    queue_lock (&fq.q);
    while (fq.nr_done != fq.nr_sent) {
      struct nvmeof_req *req = fq.sent[fq.nr_done++ % 64];

      req->status = 0;
      req_complete (&fq.q, req);
    }
    queue_unlock (&fq.q);
    /* Sometimes at once, sometimes after the waiters' polling is over. */
    spins++;
    if (spins % 7 == 0)
      usleep (spins % 3 == 0 ? 200 : 20);
    else
      sched_yield ();
  }
  return NULL;
}

static void
test_stress (uint64_t spin_ns)
{
  pthread_t t[STRESS_THREADS], c;
  unsigned i;

  printf ("%d threads waiting, polling %llu ns before sleeping\n",
          STRESS_THREADS, (unsigned long long) spin_ns);
  setup (STRESS_THREADS + 1);
  queue_set_spin_ns (spin_ns);
  atomic_store (&stress_left, STRESS_THREADS);
  atomic_store (&stress_errors, 0);
  for (i = 0; i < STRESS_THREADS; i++)
    pthread_create (&t[i], NULL, stress_caller, NULL);
  pthread_create (&c, NULL, stress_completer, NULL);
  for (i = 0; i < STRESS_THREADS; i++)
    pthread_join (t[i], NULL);
  pthread_join (c, NULL);
  CHECK (atomic_load (&stress_errors) == 0, "%u failed waits",
         atomic_load (&stress_errors));
  CHECK (fq.nr_done == STRESS_THREADS * STRESS_ROUNDS &&
           fq.q.nr_free == STRESS_THREADS,
         "%u completed, %u CIDs free", fq.nr_done, fq.q.nr_free);
  CHECK (fq.q.waiters == NULL && atomic_load (&fq.q.nr_waiters) == 0,
         "no waiter left linked");
  teardown ();
}

int
main (void)
{
  test_cids ();
  test_batch ();
  test_timeout ();
  test_hold ();
  test_describe ();
  /* A lost wake-up would hang: fail instead. */
  signal (SIGALRM, SIG_DFL);
  alarm (120);
  test_stress (0);
  test_stress (5000);
  test_stress (50000);
  alarm (0);
  printf ("%d checks, %d failures\n", checks, failures);
  return failures ? 1 : 0;
}
