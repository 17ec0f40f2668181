/* SPDX-License-Identifier: BSD-3-Clause */
/* Reconnecting a failed controller, and holding its commands meanwhile.
 *
 * When a controller fails (ctrl_fail: a lost connection, a timeout, a
 * protocol error), every queue is shut down.  If ctrl-loss-tmo is not 0,
 * this thread then tries every reconnect-delay seconds to bring the
 * controller up again on the same queue structures: new connections
 * (ICReq, or new NVMe/Ethernet associations), a new association (Connect
 * with a dynamic controller ID, CC.EN), a check that Identify still shows
 * the same subsystem and serial number, the same number of I/O queues,
 * then each I/O queue's Connect (with secure channel concatenation, the
 * admin queue first authenticates without TLS for a new PSK, see
 * ctrl_enable).  Only when all of that worked is the controller live
 * again.  After ctrl-loss-tmo seconds (-1: never) it gives up for good.
 *
 * Commands are held, as Linux's nvme host holds them: one that was
 * outstanding when its connection failed, or that is issued while the
 * controller is failed, keeps its CID, its buffer and its completion
 * (queue.c: req->held; nothing is allocated) and is sent again on the new
 * connection once the controller is live (queue_resume); its caller sees
 * nothing but the delay.  Only what may be repeated safely is held: the
 * whole I/O command set (Read, Write, Flush, Write Zeroes, Dataset
 * Management) and, of the admin set, Identify, Get Log Page and Get
 * Features, which only read; Set Features and every other admin command,
 * Fabrics commands and those that bring the controller up fail with the
 * failure (and a message saying they were not repeated).  A command the
 * controller answered with a status is never repeated: only those whose
 * answer was lost (a lost connection, a timeout, a transport error) are.
 *
 * Held commands fail (EIO, a path error: error_mark_path) when
 * fast-io-fail-tmo seconds have passed since the failure (the controller
 * thread checks every second; new commands then fail at once too, while
 * reconnecting goes on; a successful reconnect ends that), when it gives
 * up after ctrl-loss-tmo, or at nvmeof_close, each with a message naming
 * why.  fast-io-fail-tmo 0 fails them at once, as before holding existed;
 * -1 (the default, as Linux's) holds them until ctrl-loss-tmo.
 */
#include <config.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "internal.h"
#include "errors.h"
#include "lib-thread.h"

static bool
stop_requested (struct nvmeof_ctrl *ctrl)
{
  return atomic_load (&ctrl->closing);
}

static void
shutdown_all (struct nvmeof_ctrl *ctrl)
{
  unsigned i;

  pthread_mutex_lock (&ctrl->fail_lock);
  for (i = 0; i < ctrl->nr_ioq; i++)
    ctrl->ioq[i]->ops->shutdown (ctrl->ioq[i]);
  ctrl->admin->ops->shutdown (ctrl->admin);
  pthread_mutex_unlock (&ctrl->fail_lock);
}

/* One attempt.  0 when the controller is live again. */
static int
attempt (struct nvmeof_ctrl *ctrl)
{
  struct nvmeof_queue *admin = ctrl->admin;
  unsigned want = ctrl->nr_ioq, i;

  /* A generated TLS PSK served one association: the admin queue starts
   * without TLS and generates another (Linux revokes it likewise). */
  auth_concat_forget (ctrl);
  if (admin->ops->queue_reconnect (admin) < 0)
    return -1;
  if (stop_requested (ctrl) || ctrl_enable (ctrl) < 0 ||
      ctrl_identify (ctrl, true) < 0)
    return -1;
  if (!ctrl->info.discovery) {
    if (ctrl_negotiate_queues (ctrl, &want) < 0)
      return -1;
    if (want < ctrl->nr_ioq) {
      set_error (EIO, "controller at %s now grants %u I/O queues, not %u",
                 ctrl->addr, want, ctrl->nr_ioq);
      return -1;
    }
  }
  for (i = 0; i < ctrl->nr_ioq; i++) {
    struct nvmeof_queue *q = ctrl->ioq[i];

    if (stop_requested (ctrl) || q->ops->queue_reconnect (q) < 0 ||
        fabrics_connect (q, ctrl->info.cntlid, 0, NULL) < 0)
      return -1;
  }
  return 0;
}

static void
try_reconnect (struct nvmeof_ctrl *ctrl)
{
  unsigned i;
  int r;

  pthread_mutex_lock (&ctrl->fail_lock);
  ctrl->rc_attempting = true;
  pthread_mutex_unlock (&ctrl->fail_lock);
  in_bringup = true;
  r = attempt (ctrl);
  in_bringup = false;

  pthread_mutex_lock (&ctrl->fail_lock);
  ctrl->rc_attempting = false;
  if (r == 0 && !stop_requested (ctrl)) {
    /* Live again: new commands go through, then the held ones. */
    ctrl->fail_msg[0] = '\0';
    ctrl->rc_last_err[0] = '\0';
    ctrl->fail_err = 0;
    ctrl->reconnects++;
    ctrl->ff_expired = false;
    atomic_store (&ctrl->failfast, ctrl->opts.fast_io_fail_tmo_s == 0);
    atomic_store (&ctrl->failed, false);
    pthread_mutex_unlock (&ctrl->fail_lock);
    /* (A submitter decides to hold under q->lock, after reading failed:
     * each queue is resumed after failed was cleared, so no command is
     * held after its queue was resumed.) */
    queue_resume (ctrl->admin);
    for (i = 0; i < ctrl->nr_ioq; i++)
      queue_resume (ctrl->ioq[i]);
    return;
  }
  if (ctrl->rc_last_err[0] == '\0' || r < 0)
    msgf (ctrl->rc_last_err, sizeof ctrl->rc_last_err, "%s",
          nvmeof_get_error ());
  pthread_mutex_unlock (&ctrl->fail_lock);
  /* Leave every queue stopped for the next attempt. */
  shutdown_all (ctrl);
}

/* Wait on rc_cond (rc_lock held) until the deadline or closing. */
static void
wait_until (struct nvmeof_ctrl *ctrl, uint64_t deadline)
{
  while (!stop_requested (ctrl) && now_ms () < deadline) {
    struct timespec ts = {
      .tv_sec = deadline / 1000,
      .tv_nsec = (deadline % 1000) * 1000000L,
    };

    pthread_cond_timedwait (&ctrl->rc_cond, &ctrl->rc_lock, &ts);
  }
}

static void *
reconnect_thread (void *arg)
{
  struct nvmeof_ctrl *ctrl = arg;
  int32_t loss_tmo = ctrl->opts.ctrl_loss_tmo_s;
  uint64_t delay = (uint64_t) ctrl->opts.reconnect_delay_s * 1000;

  if (delay == 0)
    delay = 1000;
  pthread_mutex_lock (&ctrl->rc_lock);
  while (!stop_requested (ctrl)) {
    uint64_t failed_at;
    bool gave_up;

    if (!atomic_load (&ctrl->failed)) {
      pthread_cond_wait (&ctrl->rc_cond, &ctrl->rc_lock);
      continue;
    }
    pthread_mutex_lock (&ctrl->fail_lock);
    failed_at = ctrl->failed_at_ms;
    gave_up = ctrl->rc_gave_up;
    pthread_mutex_unlock (&ctrl->fail_lock);
    if (gave_up) {
      pthread_cond_wait (&ctrl->rc_cond, &ctrl->rc_lock);
      continue;
    }
    wait_until (ctrl, now_ms () + delay);
    if (stop_requested (ctrl))
      break;
    pthread_mutex_unlock (&ctrl->rc_lock);
    try_reconnect (ctrl);
    pthread_mutex_lock (&ctrl->rc_lock);
    if (atomic_load (&ctrl->failed) && loss_tmo >= 0 &&
        now_ms () - failed_at >= (uint64_t) loss_tmo * 1000) {
      char msg[sizeof ctrl->fail_msg];

      pthread_mutex_lock (&ctrl->fail_lock);
      msgf (msg, sizeof msg,
            "%s; gave up reconnecting after %" PRId32 " s (ctrl-loss-tmo)%s%s",
            ctrl->fail_msg, loss_tmo,
            ctrl->rc_last_err[0] ? ", last attempt: " : "", ctrl->rc_last_err);
      memcpy (ctrl->fail_msg, msg, sizeof ctrl->fail_msg);
      ctrl->fail_msg[sizeof ctrl->fail_msg - 1] = '\0';
      ctrl->rc_gave_up = true;
      atomic_store (&ctrl->failfast, true);
      pthread_mutex_unlock (&ctrl->fail_lock);
      /* Held commands fail, with that message.  (Not under rc_lock,
       * which is below q->lock.) */
      pthread_mutex_unlock (&ctrl->rc_lock);
      reconnect_release_held (ctrl);
      pthread_mutex_lock (&ctrl->rc_lock);
    }
  }
  pthread_mutex_unlock (&ctrl->rc_lock);
  return NULL;
}

int
reconnect_start (struct nvmeof_ctrl *ctrl)
{
  pthread_condattr_t attr;
  int r;

  if (ctrl->opts.ctrl_loss_tmo_s == 0 || ctrl->ops->queue_reconnect == NULL)
    return 0;
  pthread_condattr_init (&attr);
  pthread_condattr_setclock (&attr, CLOCK_MONOTONIC);
  pthread_cond_init (&ctrl->rc_cond, &attr);
  pthread_condattr_destroy (&attr);
  pthread_mutex_init (&ctrl->rc_lock, NULL);
  r = lib_thread_create (&ctrl->rc_thread, reconnect_thread, ctrl);
  if (r != 0) {
    pthread_cond_destroy (&ctrl->rc_cond);
    pthread_mutex_destroy (&ctrl->rc_lock);
    set_error (r, "cannot start the reconnect thread: %s", strerror (r));
    return -1;
  }
  pthread_setname_np (ctrl->rc_thread, "nvmeof-reconn");
  pthread_mutex_lock (&ctrl->fail_lock);
  ctrl->rc_started = true;
  /* From now on a failure holds commands (unless fast-io-fail-tmo=0). */
  atomic_store (&ctrl->failfast, ctrl->opts.fast_io_fail_tmo_s == 0);
  pthread_mutex_unlock (&ctrl->fail_lock);
  return 0;
}

void
reconnect_release_held (struct nvmeof_ctrl *ctrl)
{
  unsigned i;

  if (ctrl->admin)
    queue_release_held (ctrl->admin);
  for (i = 0; i < ctrl->nr_ioq; i++)
    if (ctrl->ioq[i])
      queue_release_held (ctrl->ioq[i]);
}

void
reconnect_check_failfast (struct nvmeof_ctrl *ctrl, uint64_t now)
{
  int32_t tmo = ctrl->opts.fast_io_fail_tmo_s;
  bool expired = false;

  if (tmo <= 0 || !atomic_load (&ctrl->failed))
    return;
  pthread_mutex_lock (&ctrl->fail_lock);
  if (atomic_load (&ctrl->failed) && ctrl->rc_started && !ctrl->ff_expired &&
      !ctrl->rc_gave_up && !atomic_load (&ctrl->closing) &&
      now - ctrl->failed_at_ms >= (uint64_t) tmo * 1000) {
    char msg[sizeof ctrl->fail_msg];

    msgf (msg, sizeof msg,
          "%s; fast-io-fail-tmo (%" PRId32 " s) expired: I/O fails while "
          "reconnecting goes on",
          ctrl->fail_msg, tmo);
    memcpy (ctrl->fail_msg, msg, sizeof ctrl->fail_msg);
    ctrl->ff_expired = true;
    atomic_store (&ctrl->failfast, true);
    expired = true;
  }
  pthread_mutex_unlock (&ctrl->fail_lock);
  if (expired)
    reconnect_release_held (ctrl);
}

void
reconnect_wake (struct nvmeof_ctrl *ctrl)
{
  bool started;

  pthread_mutex_lock (&ctrl->fail_lock);
  started = ctrl->rc_started;
  pthread_mutex_unlock (&ctrl->fail_lock);
  if (!started)
    return;
  pthread_mutex_lock (&ctrl->rc_lock);
  pthread_cond_signal (&ctrl->rc_cond);
  pthread_mutex_unlock (&ctrl->rc_lock);
}

/* With ctrl->closing set: stop any attempt quickly and wait for the
 * thread. */
void
reconnect_stop (struct nvmeof_ctrl *ctrl)
{
  if (!ctrl->rc_started)
    return;
  reconnect_wake (ctrl);
  /* Only a failed controller may have an attempt under way; a live one
   * must stay up for its orderly shutdown. */
  if (atomic_load (&ctrl->failed))
    shutdown_all (ctrl);
  pthread_join (ctrl->rc_thread, NULL);
  pthread_mutex_lock (&ctrl->fail_lock);
  ctrl->rc_started = false;
  pthread_mutex_unlock (&ctrl->fail_lock);
  pthread_cond_destroy (&ctrl->rc_cond);
  pthread_mutex_destroy (&ctrl->rc_lock);
}
