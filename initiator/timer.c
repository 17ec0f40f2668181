/* SPDX-License-Identifier: BSD-3-Clause */
/* The controller thread: Keep Alive at KATO/2 (KATO/4 with traffic based
 * keep alive, skipped when other commands completed), and the command
 * timeout scan.  An expired command fails the controller: every
 * outstanding command fails (the expired one with ETIMEDOUT) and the
 * connections are shut down so that the receive threads exit. */
#include <config.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "internal.h"
#include "errors.h"
#include "lib-thread.h"

#define SCAN_INTERVAL_MS 1000

static bool
scan_queue (struct nvmeof_queue *q, uint64_t now, char *msg, size_t len)
{
  bool found = false;
  unsigned i;

  pthread_mutex_lock (&q->lock);
  for (i = 0; i < q->depth; i++) {
    struct nvmeof_req *req = &q->reqs[i];
    char cmd[160];

    if (!req->in_use || req->deadline_ms == 0 || req->deadline_ms > now ||
        req->timed_out)
      continue;
    req->timed_out = true;
    if (!found) {
      cmd_describe (&req->sqe, q->qid, cmd, sizeof cmd);
      msgf (msg, len, "%s timed out after %" PRIu32 " s", cmd,
            (req->timeout_ms + 999) / 1000);
      found = true;
    }
  }
  pthread_mutex_unlock (&q->lock);
  return found;
}

void
timer_scan (struct nvmeof_ctrl *ctrl, uint64_t now)
{
  char msg[256];
  unsigned i;
  bool found = false;

  if (ctrl->admin)
    found = scan_queue (ctrl->admin, now, msg, sizeof msg);
  for (i = 0; !found && i < ctrl->nr_ioq; i++)
    found = scan_queue (ctrl->ioq[i], now, msg, sizeof msg);
  if (found)
    ctrl_fail (ctrl, ETIMEDOUT, "controller at %s failed: %s", ctrl->addr, msg);
}

static void *
timer_thread (void *arg)
{
  struct nvmeof_ctrl *ctrl = arg;
  uint64_t next_ka = 0;
  uint32_t interval = 0;

  pthread_mutex_lock (&ctrl->timer_lock);
  while (!ctrl->timer_stop) {
    uint64_t now = now_ms (), wake;
    struct timespec ts;

    if (ctrl->ka_interval_ms != interval) {
      interval = ctrl->ka_interval_ms;
      next_ka = now + interval;
    }
    if (interval && now >= next_ka && !atomic_load (&ctrl->failed)) {
      bool tbkas = (ctrl->id.ctratt & NVME_CTRL_CTRATT_TBKAS) != 0;

      next_ka = now + interval;
      /* With TBKAS any completed command counts as keep-alive. */
      if (!(tbkas && atomic_exchange (&ctrl->comp_seen, false))) {
        pthread_mutex_unlock (&ctrl->timer_lock);
        admin_keep_alive_submit (ctrl);
        pthread_mutex_lock (&ctrl->timer_lock);
        if (ctrl->timer_stop)
          break;
      }
    }
    /* Under timer_lock: close detaches the queues under it. */
    timer_scan (ctrl, now);
    reconnect_check_failfast (ctrl, now);

    wake = now + SCAN_INTERVAL_MS;
    if (interval && next_ka < wake)
      wake = next_ka;
    ts.tv_sec = wake / 1000;
    ts.tv_nsec = (wake % 1000) * 1000000L;
    pthread_cond_timedwait (&ctrl->timer_cond, &ctrl->timer_lock, &ts);
  }
  pthread_mutex_unlock (&ctrl->timer_lock);
  return NULL;
}

int
timer_start (struct nvmeof_ctrl *ctrl)
{
  pthread_condattr_t attr;
  int r;

  pthread_mutex_init (&ctrl->timer_lock, NULL);
  pthread_condattr_init (&attr);
  pthread_condattr_setclock (&attr, CLOCK_MONOTONIC);
  pthread_cond_init (&ctrl->timer_cond, &attr);
  pthread_condattr_destroy (&attr);
  ctrl->timer_stop = false;
  r = lib_thread_create (&ctrl->timer_thread, timer_thread, ctrl);
  if (r != 0) {
    pthread_cond_destroy (&ctrl->timer_cond);
    pthread_mutex_destroy (&ctrl->timer_lock);
    set_error (r, "cannot start the controller thread: %s", strerror (r));
    return -1;
  }
  pthread_setname_np (ctrl->timer_thread, "nvmeof-timer");
  ctrl->timer_started = true;
  return 0;
}

void
timer_stop (struct nvmeof_ctrl *ctrl)
{
  if (!ctrl->timer_started)
    return;
  pthread_mutex_lock (&ctrl->timer_lock);
  ctrl->timer_stop = true;
  pthread_cond_signal (&ctrl->timer_cond);
  pthread_mutex_unlock (&ctrl->timer_lock);
  pthread_join (ctrl->timer_thread, NULL);
  pthread_cond_destroy (&ctrl->timer_cond);
  pthread_mutex_destroy (&ctrl->timer_lock);
  ctrl->timer_started = false;
}
