/* SPDX-License-Identifier: BSD-3-Clause */
/* Controllers: bring-up by the spec (admin queue, Connect, CAP/VS, enable,
 * Identify Controller, Number of Queues, I/O queues), failure, information
 * and an orderly close. */
#include <config.h>

#include <errno.h>
#include <inttypes.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "errors.h"
#include "nvmf-wire.h"

__thread bool in_bringup;

#define ADMIN_QUEUE_SIZE 32 /* like Linux NVME_AQ_DEPTH */
#define MAX_IO_QUEUES    256

void
ctrl_fail (struct nvmeof_ctrl *ctrl, int err, const char *fmt, ...)
{
  va_list ap;
  unsigned i;
  bool first = false;

  pthread_mutex_lock (&ctrl->fail_lock);
  if (!atomic_load (&ctrl->failed)) {
    va_start (ap, fmt);
    vsnprintf (ctrl->fail_msg, sizeof ctrl->fail_msg, fmt, ap);
    va_end (ap);
    ctrl->fail_err = err ? err : EIO;
    ctrl->failed_at_ms = now_ms ();
    atomic_store (&ctrl->failed, true);
    first = true;
  }
  else if (in_bringup || ctrl->rc_attempting) {
    /* A reconnect attempt failing: keep why, for when we give up. */
    va_start (ap, fmt);
    vsnprintf (ctrl->rc_last_err, sizeof ctrl->rc_last_err, fmt, ap);
    va_end (ap);
  }
  /* Each receiver then fails what is outstanding on its queue.  (Under
   * fail_lock so that the queues are not detached meanwhile; shutdown
   * takes no locks.)  Every time: a reconnect attempt that hangs must be
   * stopped too. */
  for (i = 0; i < ctrl->nr_ioq; i++)
    ctrl->ioq[i]->ops->shutdown (ctrl->ioq[i]);
  if (ctrl->admin)
    ctrl->admin->ops->shutdown (ctrl->admin);
  pthread_mutex_unlock (&ctrl->fail_lock);
  if (first)
    reconnect_wake (ctrl);
}

void
ctrl_set_failed_error (struct nvmeof_ctrl *ctrl, const char *what)
{
  char msg[sizeof ctrl->fail_msg + 64];
  int err;

  pthread_mutex_lock (&ctrl->fail_lock);
  msgf (msg, sizeof msg, "%s%s",
        ctrl->fail_msg[0] ? ctrl->fail_msg :
                            "the connection to the controller is closed",
        ctrl->rc_started && !ctrl->rc_gave_up && !atomic_load (&ctrl->closing) ?
          " (reconnecting)" :
          "");
  err = ctrl->fail_err ? ctrl->fail_err : EIO;
  pthread_mutex_unlock (&ctrl->fail_lock);
  /* Later commands fail with EIO, whatever the first failure was. */
  if (err == ETIMEDOUT)
    err = EIO;
  if (what)
    set_error (err, "%s: %s", what, msg);
  else
    set_error (err, "%s", msg);
  error_mark_path ();
}

/* Add or remove I/O queues while the timer thread and ctrl_fail may be
 * looking at them. */
static void
lock_queue_list (struct nvmeof_ctrl *ctrl)
{
  if (ctrl->timer_started)
    pthread_mutex_lock (&ctrl->timer_lock);
  pthread_mutex_lock (&ctrl->fail_lock);
}

static void
unlock_queue_list (struct nvmeof_ctrl *ctrl)
{
  pthread_mutex_unlock (&ctrl->fail_lock);
  if (ctrl->timer_started)
    pthread_mutex_unlock (&ctrl->timer_lock);
}

struct nvmeof_queue *
ctrl_io_queue (struct nvmeof_ctrl *ctrl)
{
  static atomic_uint next_slot;
  static __thread unsigned slot = UINT32_MAX;
  int cpu;

  if (ctrl->nr_ioq == 0)
    return NULL;
  /* The queue of the CPU the thread runs on, as the kernel's blk-mq does:
   * threads that share a CPU share a queue, so their commands go out and
   * come back in batches with one reader, and more queues than busy CPUs
   * cost nothing; threads on other CPUs use other queues. */
  cpu = sched_getcpu ();
  if (cpu >= 0)
    return ctrl->ioq[(unsigned) cpu % ctrl->nr_ioq];
  /* Else each thread keeps to one queue, assigned round robin. */
  if (slot == UINT32_MAX)
    slot = atomic_fetch_add (&next_slot, 1);
  return ctrl->ioq[slot % ctrl->nr_ioq];
}

/* Copy a space-padded identify string, trimmed. */
static void
copy_trimmed (char *dst, size_t dstlen, const char *src, size_t srclen)
{
  size_t n = srclen < dstlen - 1 ? srclen : dstlen - 1;

  memcpy (dst, src, n);
  dst[n] = '\0';
  while (n > 0 && (dst[n - 1] == ' ' || dst[n - 1] == '\0'))
    dst[--n] = '\0';
}

int
ctrl_identify (struct nvmeof_ctrl *ctrl, bool again)
{
  struct nvme_id_ctrl *id = malloc (sizeof *id);
  struct nvmeof_ctrl_info *info = &ctrl->info;
  uint64_t mdts_bytes;
  uint32_t max;

  if (id == NULL) {
    set_error (ENOMEM, "out of memory");
    return -1;
  }
  if (admin_identify (ctrl, NVME_ID_CNS_CTRL, 0, 0, id, NULL) < 0) {
    free (id);
    return -1;
  }
  if (again) {
    /* After a reconnect: it must be the same subsystem and device, and
     * nothing the library relies on may have changed. */
    char sn[sizeof info->serial], subnqn[sizeof info->subnqn];

    copy_trimmed (sn, sizeof sn, id->sn, sizeof id->sn);
    copy_trimmed (subnqn, sizeof subnqn, id->subnqn, sizeof id->subnqn);
    if (strcmp (sn, info->serial) != 0 || strcmp (subnqn, info->subnqn) != 0) {
      set_error (ENODEV,
                 "controller at %s is now %s (serial '%s'), not %s "
                 "(serial '%s') as before",
                 ctrl->addr, subnqn, sn, info->subnqn, info->serial);
      free (id);
      return -1;
    }
    free (id);
    return 0;
  }
  ctrl->id.mdts = id->mdts;
  ctrl->id.cntrltype = id->cntrltype;
  ctrl->id.ctratt = GET32 (id->ctratt);
  ctrl->id.lpa = id->lpa;
  ctrl->id.oncs = GET16 (id->oncs);
  ctrl->id.vwc = id->vwc;
  ctrl->id.sgls = GET32 (id->sgls);
  ctrl->id.ioccsz = GET32 (id->ioccsz);
  ctrl->id.icdoff = GET16 (id->icdoff);
  ctrl->id.maxcmd = GET16 (id->maxcmd);
  ctrl->id.nn = GET32 (id->nn);
  ctrl->id.kas = GET16 (id->kas);
  ctrl->id.rtd3e = GET32 (id->rtd3e);

  copy_trimmed (info->model, sizeof info->model, id->mn, sizeof id->mn);
  copy_trimmed (info->serial, sizeof info->serial, id->sn, sizeof id->sn);
  copy_trimmed (info->firmware, sizeof info->firmware, id->fr, sizeof id->fr);
  copy_trimmed (info->subnqn, sizeof info->subnqn, id->subnqn,
                sizeof id->subnqn);
  info->vid = GET16 (id->vid);
  info->ssvid = GET16 (id->ssvid);
  info->nn = ctrl->id.nn;
  info->oncs = ctrl->id.oncs;
  info->vwc = ctrl->id.vwc;
  free (id);

  /* MDTS is in units of the minimum memory page size (CAP.MPSMIN). */
  max = ctrl->ops->max_transfer;
  if (ctrl->id.mdts) {
    mdts_bytes = ctrl->id.mdts >= 32 ?
                   UINT64_MAX :
                   ((uint64_t) 4096 << NVME_CAP_MPSMIN (ctrl->cap))
                     << ctrl->id.mdts;
    if (mdts_bytes < max)
      max = mdts_bytes;
  }
  info->max_transfer = max;

  if (ctrl->id.cntrltype == NVME_CTRL_TYPE_DISCOVERY)
    info->discovery = true;
  if (!info->discovery && (ctrl->id.sgls & NVME_CTRL_SGLS_SUPPORT_MASK) == 0) {
    set_error (ENOTSUP,
               "controller at %s does not support SGLs, which "
               "NVMe over Fabrics requires",
               ctrl->addr);
    return -1;
  }
  return 0;
}

int
ctrl_negotiate_queues (struct nvmeof_ctrl *ctrl, unsigned *want)
{
  uint32_t cdw11, dw0;

  /* The controller may grant fewer (NSQA, NCQA, 0's based). */
  cdw11 = NVME_FEAT_NUM_QUEUES_CDW11 (*want - 1, *want - 1);
  if (nvmeof_set_features (ctrl, NVME_FEAT_NUM_QUEUES, 0, cdw11, &dw0) < 0) {
    set_error (nvmeof_get_errno (),
               "controller at %s: cannot set the number of I/O queues: %s",
               ctrl->addr, nvmeof_get_error ());
    return -1;
  }
  if (NVME_FEAT_NSQA (dw0) + 1 < *want)
    *want = NVME_FEAT_NSQA (dw0) + 1;
  if (NVME_FEAT_NCQA (dw0) + 1 < *want)
    *want = NVME_FEAT_NCQA (dw0) + 1;
  return 0;
}

static int
setup_io_queues (struct nvmeof_ctrl *ctrl)
{
  unsigned want = ctrl->opts.nr_io_queues, i;
  uint32_t inline_max = 0;
  struct nvmeof_queue **ioq;
  unsigned qsize = ctrl->opts.queue_size ? ctrl->opts.queue_size : 128;

  if (want == 0) {
    long n = sysconf (_SC_NPROCESSORS_ONLN);

    want = n > 0 ? (unsigned) n : 1;
  }
  if (want > MAX_IO_QUEUES)
    want = MAX_IO_QUEUES;
  if (ctrl_negotiate_queues (ctrl, &want) < 0)
    return -1;

  /* Queue size: at most CAP.MQES + 1 entries and MAXCMD commands. */
  if (qsize > NVME_CAP_MQES (ctrl->cap) + 1)
    qsize = NVME_CAP_MQES (ctrl->cap) + 1;
  if (ctrl->id.maxcmd && qsize > ctrl->id.maxcmd + 1u)
    qsize = ctrl->id.maxcmd + 1;
  if (qsize < 2) {
    set_error (EPROTO, "controller at %s reports a queue size of %u",
               ctrl->addr, qsize);
    return -1;
  }

  /* In-capsule data: IOCCSZ counts the 64-byte SQE; we need ICDOFF 0.
   * 16 x IOCCSZ does not fit 32 bits past 2^28, and no command carries
   * more than max_transfer. */
  if (ctrl->id.icdoff == 0 && ctrl->id.ioccsz > 4) {
    uint64_t bytes = (uint64_t) ctrl->id.ioccsz * 16 - 64;

    inline_max = bytes < ctrl->info.max_transfer ? (uint32_t) bytes :
                                                   ctrl->info.max_transfer;
  }

  ioq = calloc (want, sizeof *ioq);
  if (ioq == NULL) {
    set_error (ENOMEM, "out of memory");
    return -1;
  }
  lock_queue_list (ctrl);
  ctrl->ioq = ioq;
  unlock_queue_list (ctrl);
  for (i = 0; i < want; i++) {
    struct nvmeof_queue *q = ctrl->ops->queue_connect (ctrl, i + 1, qsize);

    if (q == NULL)
      return -1;
    q->inline_max = inline_max;
    lock_queue_list (ctrl);
    ctrl->ioq[i] = q;
    ctrl->nr_ioq = i + 1;
    unlock_queue_list (ctrl);
    if (atomic_load (&ctrl->failed))
      q->ops->shutdown (q);
    if (q->ops->queue_start (q) < 0)
      return -1;
    if (fabrics_connect (q, ctrl->info.cntlid, 0, NULL) < 0)
      return -1;
  }
  ctrl->info.nr_io_queues = want;
  ctrl->info.queue_size = qsize;
  ctrl->info.ioccsz_bytes = inline_max;
  return 0;
}

static void
format_addr (struct nvmeof_ctrl *ctrl)
{
  const char *port = opts_port (&ctrl->opts);

  if (ctrl->opts.transport == NVMEOF_TRANSPORT_ETH)
    snprintf (ctrl->addr, sizeof ctrl->addr, "%s/%s", ctrl->opts.host_iface,
              ctrl->opts.traddr);
  else if (strchr (ctrl->opts.traddr, ':'))
    snprintf (ctrl->addr, sizeof ctrl->addr, "[%s]:%s", ctrl->opts.traddr,
              port);
  else
    snprintf (ctrl->addr, sizeof ctrl->addr, "%s:%s", ctrl->opts.traddr, port);
}

static void ctrl_teardown (struct nvmeof_ctrl *ctrl);

/* Secure channel concatenation, as Linux's nvme_tcp_setup_ctrl: the admin
 * queue, connected without TLS, authenticates and so generates the TLS PSK
 * (auth.c); then it is connected again, over TLS with that PSK, for a new
 * association (the first one is left, as Linux leaves it: the connection
 * closes without a Disconnect). */
static int
concat_admin (struct nvmeof_ctrl *ctrl, uint32_t kato_ms)
{
  struct nvmeof_queue *admin = ctrl->admin;
  uint16_t cntlid;

  if (fabrics_connect (admin, NVMF_CNTLID_DYNAMIC, kato_ms, &cntlid) < 0)
    return -1;
  if (!ctrl->concat_psk_set) { /* not reached: auth_queue insists */
    set_error (EPROTO, "%s: concat: no TLS PSK was generated", ctrl->addr);
    return -1;
  }
  return admin->ops->queue_reconnect (admin);
}

int
ctrl_enable (struct nvmeof_ctrl *ctrl)
{
  uint32_t kato_ms = ctrl->opts.kato_s * 1000;
  uint64_t vs;

  if (ctrl->opts.concat && !ctrl->concat_psk_set &&
      concat_admin (ctrl, kato_ms) < 0)
    return -1;
  if (fabrics_connect (ctrl->admin, NVMF_CNTLID_DYNAMIC, kato_ms,
                       &ctrl->info.cntlid) < 0)
    return -1;
  ctrl->info.kato_ms = kato_ms;
  /* Keep-alive starts now: the controller's timer runs from Connect. */
  pthread_mutex_lock (&ctrl->timer_lock);
  if (ctrl->ka_interval_ms == 0)
    ctrl->ka_interval_ms = kato_ms / 2;
  pthread_cond_signal (&ctrl->timer_cond);
  pthread_mutex_unlock (&ctrl->timer_lock);

  if (fabrics_prop_get (ctrl, NVME_REG_CAP, true, &ctrl->cap) < 0 ||
      fabrics_prop_get (ctrl, NVME_REG_VS, false, &vs) < 0)
    return -1;
  ctrl->info.cap = ctrl->cap;
  ctrl->info.version = vs;
  return fabrics_enable (ctrl);
}

/* A bring-up step failed with this thread's error.  If the controller
 * failed meanwhile (a protocol violation or a lost connection, noticed on
 * the admin queue while the step's command waited), that is the cause:
 * put it first, then the step ("cannot set the number of I/O queues: ..."
 * would read as if the controller had refused the command). */
static void
cause_first (struct nvmeof_ctrl *ctrl, char *msg, size_t len)
{
  const char *step = nvmeof_get_error ();
  char cause[sizeof ctrl->fail_msg];
  size_t n = strlen (step), c;

  pthread_mutex_lock (&ctrl->fail_lock);
  msgf (cause, sizeof cause, "%s",
        atomic_load (&ctrl->failed) ? ctrl->fail_msg : "");
  pthread_mutex_unlock (&ctrl->fail_lock);
  c = strlen (cause);
  if (c == 0 || strncmp (step, cause, c) == 0) {
    msgf (msg, len, "%s", step);
    return;
  }
  /* The step's message ends with ": cause" (ctrl_set_failed_error). */
  if (n > c + 2 && strcmp (step + n - c, cause) == 0 &&
      strncmp (step + n - c - 2, ": ", 2) == 0)
    n -= c + 2;
  msgf (msg, len, "%s (noticed while: %.*s)", cause, (int) n, step);
}

/* Bring-up failed: tear down.  The orderly shutdown may set the error:
 * keep the first failure's, the real cause first. */
static void
connect_failed (struct nvmeof_ctrl *ctrl)
{
  char msg[1024];
  int e = nvmeof_get_errno ();

  cause_first (ctrl, msg, sizeof msg);
  ctrl_teardown (ctrl);
  set_error (e ? e : EIO, "%s", msg);
}

/* The first half of a connection: the admin queue, enabled and
 * identified.  NULL (error set) if it fails. */
static struct nvmeof_ctrl *
connect_admin (const struct nvmeof_opts *opts)
{
  struct nvmeof_ctrl *ctrl;

  ctrl = calloc (1, sizeof *ctrl);
  if (ctrl == NULL) {
    set_error (ENOMEM, "out of memory");
    return NULL;
  }
  ctrl->opts = *opts;
  ctrl->ops = opts->transport == NVMEOF_TRANSPORT_ETH ? &eth_transport_ops :
                                                        &tcp_transport_ops;
  ctrl->aio_fd = ctrl->aio_efd = -1;
  atomic_store (&ctrl->failfast, true); /* until reconnect_start */
  pthread_mutex_init (&ctrl->fail_lock, NULL);
  pthread_mutex_init (&ctrl->aio_lock, NULL);
  format_addr (ctrl);
  ctrl->timeout_ms = (opts->timeout_s ? opts->timeout_s : 30) * 1000;
  if (opts_resolve_host_identity (&ctrl->opts) < 0)
    goto err;
  if (ctrl->opts.connect_timeout_s == 0)
    ctrl->opts.connect_timeout_s = 10;
  ctrl->info.discovery = strcmp (opts->subnqn, NVMEOF_DISCOVERY_NQN) == 0;
  ctrl->info.hdr_digest = opts->hdr_digest;
  ctrl->info.data_digest = opts->data_digest;

  /* The I/O queues' connections join its epoll set as they connect. */
  if (aio_open (ctrl) < 0)
    goto err;
  /* Admin queue: connection, receiver, then every command is timed. */
  ctrl->admin = ctrl->ops->queue_connect (ctrl, 0, ADMIN_QUEUE_SIZE);
  if (ctrl->admin == NULL)
    goto err;
  ctrl->admin->inline_max = 8192;
  if (ctrl->admin->ops->queue_start (ctrl->admin) < 0)
    goto err;
  if (ctrl->ops == &tcp_transport_ops)
    ctrl->info.maxh2cdata = tcp_queue_maxh2cdata (ctrl->admin);
  if (timer_start (ctrl) < 0)
    goto err;

  if (ctrl_enable (ctrl) < 0 || ctrl_identify (ctrl, false) < 0)
    goto err;
  if (ctrl->id.ctratt & NVME_CTRL_CTRATT_TBKAS) {
    /* Traffic based keep alive: check four times per KATO and send only
     * when nothing else completed. */
    pthread_mutex_lock (&ctrl->timer_lock);
    ctrl->ka_interval_ms = ctrl->info.kato_ms / 4;
    pthread_mutex_unlock (&ctrl->timer_lock);
  }
  return ctrl;

err:
  connect_failed (ctrl);
  return NULL;
}

/* The second half: the I/O queues, the asynchronous API's pool and
 * reconnection.  Tears the controller down if it fails. */
static int
connect_io (struct nvmeof_ctrl *ctrl)
{
  if ((!ctrl->info.discovery && setup_io_queues (ctrl) < 0) ||
      aio_init (ctrl) < 0 || reconnect_start (ctrl) < 0) {
    connect_failed (ctrl);
    return -1;
  }
  return 0;
}

struct nvmeof_ctrl *
nvmeof_connect (const struct nvmeof_opts *opts)
{
  struct nvmeof_ctrl *ctrl;

  if (nvmeof_opts_validate (opts) < 0)
    return NULL;
  if (opts->nr_extra_paths > 0) /* url= given more than once */
    return mpath_connect_opts (opts);
  ctrl = connect_admin (opts);
  if (ctrl == NULL || connect_io (ctrl) < 0)
    return NULL;
  return ctrl;
}

/* Close ctrls[0..n-1] after a failure, keeping the failure's message. */
static void
close_many (struct nvmeof_ctrl **ctrls, unsigned n)
{
  char msg[1024];
  int e = nvmeof_get_errno ();
  unsigned i;

  msgf (msg, sizeof msg, "%s", nvmeof_get_error ());
  for (i = 0; i < n; i++) {
    nvmeof_close (ctrls[i]);
    ctrls[i] = NULL;
  }
  set_error (e ? e : EIO, "%s", msg);
}

/* Every admin queue first, then each controller's I/O queues: a target
 * that gives each new connection the next of its cores in turn (SPDK's
 * nvmf_tgt does) then spreads the I/O queues over consecutive cores.
 * Connected one by one, admin and I/O queues alternate, and with an even
 * number of cores every I/O queue lands on every other core. */
int
nvmeof_connect_many (const struct nvmeof_opts *opts, unsigned n,
                     struct nvmeof_ctrl **ctrls)
{
  unsigned i;

  if (ctrls == NULL || n == 0 || n > NVMEOF_CONNECT_MANY_MAX) {
    set_error (EINVAL,
               "nvmeof_connect_many: expected 1 to %u controllers and an "
               "array for them",
               NVMEOF_CONNECT_MANY_MAX);
    return -1;
  }
  if (nvmeof_opts_validate (opts) < 0)
    return -1;
  for (i = 0; i < n; i++)
    ctrls[i] = NULL;
  if (opts->nr_extra_paths > 0) {
    /* Multipath: each path has its own queues; one after another. */
    for (i = 0; i < n; i++)
      if ((ctrls[i] = mpath_connect_opts (opts)) == NULL) {
        close_many (ctrls, i);
        return -1;
      }
    return 0;
  }
  for (i = 0; i < n; i++)
    if ((ctrls[i] = connect_admin (opts)) == NULL) {
      close_many (ctrls, i);
      return -1;
    }
  for (i = 0; i < n; i++)
    if (connect_io (ctrls[i]) < 0) {
      ctrls[i] = NULL; /* torn down already */
      close_many (ctrls, n);
      return -1;
    }
  return 0;
}

static void
ctrl_teardown (struct nvmeof_ctrl *ctrl)
{
  struct nvmeof_queue **ioq;
  unsigned nr, i;

  /* No more reconnecting: held commands fail now. */
  atomic_store (&ctrl->closing, true);
  reconnect_stop (ctrl);
  atomic_store (&ctrl->failfast, true);
  reconnect_release_held (ctrl);

  /* Fail new I/O with a clear message, stop the I/O queues. */
  pthread_mutex_lock (&ctrl->fail_lock);
  if (!atomic_load (&ctrl->failed))
    msgf (ctrl->fail_msg, sizeof ctrl->fail_msg,
          "the connection to %s is being closed", ctrl->addr);
  pthread_mutex_unlock (&ctrl->fail_lock);

  /* The timer thread looks at the queues: detach them first. */
  lock_queue_list (ctrl);
  ioq = ctrl->ioq;
  nr = ctrl->nr_ioq;
  ctrl->ioq = NULL;
  ctrl->nr_ioq = 0;
  unlock_queue_list (ctrl);
  for (i = 0; i < nr; i++)
    if (ioq[i])
      ioq[i]->ops->shutdown (ioq[i]);
  for (i = 0; i < nr; i++)
    if (ioq[i])
      ioq[i]->ops->destroy (ioq[i]);
  free (ioq);

  /* Orderly shutdown: CC.SHN and wait for CSTS.SHST (bounded). */
  if (ctrl->enabled && !atomic_load (&ctrl->failed))
    fabrics_shutdown (ctrl);

  ctrl_fail (ctrl, EIO, "the connection to %s is closed", ctrl->addr);
  timer_stop (ctrl);
  if (ctrl->admin)
    ctrl->admin->ops->destroy (ctrl->admin);
  ctrl->admin = NULL;
  aio_drain (ctrl);
  aio_free_all (ctrl);
  pthread_mutex_destroy (&ctrl->fail_lock);
  pthread_mutex_destroy (&ctrl->aio_lock);
  opts_wipe (&ctrl->opts); /* our copy holds the DH-HMAC-CHAP secrets */
  auth_concat_forget (ctrl);
  free (ctrl);
}

void
nvmeof_close (struct nvmeof_ctrl *ctrl)
{
  if (ctrl == NULL)
    return;
  if (ctrl->mp) {
    mpath_close (ctrl);
    return;
  }
  ctrl_teardown (ctrl);
}

const struct nvmeof_ctrl_info *
nvmeof_ctrl_get_info (struct nvmeof_ctrl *ctrl)
{
  if (ctrl == NULL) {
    set_error (EINVAL, "nvmeof_ctrl_get_info: ctrl is NULL");
    return NULL;
  }
  return &ctrl->info;
}
