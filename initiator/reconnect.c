/* SPDX-License-Identifier: BSD-3-Clause */
/* Reconnecting a failed controller.
 *
 * When a controller fails (ctrl_fail: a lost connection, a timeout, a
 * protocol error), every outstanding command fails and new ones fail at
 * once with the failure's message.  If ctrl-loss-tmo is not 0, this
 * thread then tries every reconnect-delay seconds to bring the controller
 * up again on the same queue structures: new connections (ICReq), a new
 * association (Connect with a dynamic controller ID, CC.EN), a check that
 * Identify still shows the same subsystem and serial number, the same
 * number of I/O queues, then each I/O queue's Connect (with secure channel
 * concatenation, the admin queue first authenticates without TLS for a
 * new PSK, see ctrl_enable).  Only when all of
 * that worked is the controller live again.  After ctrl-loss-tmo seconds
 * (-1: never) it gives up for good.
 *
 * Commands are not retried: the application sees the failure and may
 * retry, which then succeeds once the controller is back.
 */
#include <config.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "internal.h"
#include "errors.h"

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
    /* Live again: new commands go through. */
    ctrl->fail_msg[0] = '\0';
    ctrl->rc_last_err[0] = '\0';
    ctrl->fail_err = 0;
    ctrl->reconnects++;
    atomic_store (&ctrl->failed, false);
    pthread_mutex_unlock (&ctrl->fail_lock);
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
      pthread_mutex_unlock (&ctrl->fail_lock);
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
  r = pthread_create (&ctrl->rc_thread, NULL, reconnect_thread, ctrl);
  if (r != 0) {
    pthread_cond_destroy (&ctrl->rc_cond);
    pthread_mutex_destroy (&ctrl->rc_lock);
    set_error (r, "cannot start the reconnect thread: %s", strerror (r));
    return -1;
  }
  pthread_setname_np (ctrl->rc_thread, "nvmeof-reconn");
  pthread_mutex_lock (&ctrl->fail_lock);
  ctrl->rc_started = true;
  pthread_mutex_unlock (&ctrl->fail_lock);
  return 0;
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
