/* SPDX-License-Identifier: BSD-3-Clause */
/* Admin commands: Identify, Get Log Page (split to the transfer limit),
 * Get/Set Features, the active namespace list, and Keep Alive. */
#include <config.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "errors.h"

int
admin_identify (struct nvmeof_ctrl *ctrl, uint8_t cns, uint32_t nsid,
                uint16_t cntid, void *buf4096, uint16_t *status_out)
{
  struct nvme_sqe sqe;

  memset (&sqe, 0, sizeof sqe);
  sqe.opcode = NVME_ADMIN_IDENTIFY;
  PUT32 (sqe.nsid, nsid);
  PUT32 (sqe.cdw10, (uint32_t) cns | (uint32_t) cntid << 16);
  return queue_exec (ctrl->admin, &sqe, buf4096, NVME_IDENTIFY_LEN, REQ_DIR_C2H,
                     NULL, status_out);
}

int
nvmeof_identify (struct nvmeof_ctrl *ctrl, uint8_t cns, uint32_t nsid,
                 void *buf4096)
{
  ctrl = mpath_admin_ctrl (ctrl); /* multipath: a live path's */
  if (ctrl == NULL || buf4096 == NULL) {
    set_error (EINVAL, "nvmeof_identify: ctrl and buf must not be NULL");
    return -1;
  }
  return admin_identify (ctrl, cns, nsid, 0, buf4096, NULL);
}

int
nvmeof_get_log_page (struct nvmeof_ctrl *ctrl, uint8_t lid, uint8_t lsp,
                     uint32_t nsid, uint64_t offset, void *buf, uint32_t len)
{
  uint32_t chunk, done = 0;

  ctrl = mpath_admin_ctrl (ctrl); /* multipath: a live path's */
  if (ctrl == NULL || (buf == NULL && len)) {
    set_error (EINVAL, "nvmeof_get_log_page: ctrl and buf must not be NULL");
    return -1;
  }
  if (len == 0 || len % 4 != 0 || offset % 4 != 0) {
    set_error (EINVAL,
               "Get Log Page 0x%02x: length %" PRIu32 " and offset %" PRIu64
               " must be non-zero multiples of 4 bytes",
               lid, len, offset);
    return -1;
  }
  /* Pieces of at most the transfer limit (and 4 KiB if the controller
   * cannot take log page offsets, in which case only one piece works). */
  chunk = ctrl->info.max_transfer ? ctrl->info.max_transfer : 4096;
  chunk &= ~3u;
  while (done < len) {
    uint32_t n = len - done < chunk ? len - done : chunk;
    uint64_t off = offset + done;
    struct nvme_sqe sqe;

    memset (&sqe, 0, sizeof sqe);
    sqe.opcode = NVME_ADMIN_GET_LOG_PAGE;
    PUT32 (sqe.nsid, nsid);
    PUT32 (sqe.cdw10, nvme_get_log_cdw10 (lid, lsp, false, n / 4 - 1));
    PUT32 (sqe.cdw11, nvme_get_log_cdw11 (n / 4 - 1));
    PUT32 (sqe.cdw12, nvme_get_log_cdw12 (off));
    PUT32 (sqe.cdw13, nvme_get_log_cdw13 (off));
    if (queue_exec (ctrl->admin, &sqe, (uint8_t *) buf + done, n, REQ_DIR_C2H,
                    NULL, NULL) < 0)
      return -1;
    done += n;
  }
  return 0;
}

static int
features (struct nvmeof_ctrl *ctrl, uint8_t opcode, uint8_t fid, uint32_t nsid,
          uint32_t cdw11, uint32_t *result)
{
  struct nvme_sqe sqe;
  uint64_t res = 0;

  ctrl = mpath_admin_ctrl (ctrl); /* multipath: a live path's */
  if (ctrl == NULL) {
    set_error (EINVAL, "%s: ctrl is NULL",
               opcode == NVME_ADMIN_GET_FEATURES ? "nvmeof_get_features" :
                                                   "nvmeof_set_features");
    return -1;
  }
  memset (&sqe, 0, sizeof sqe);
  sqe.opcode = opcode;
  PUT32 (sqe.nsid, nsid);
  PUT32 (sqe.cdw10, fid);
  PUT32 (sqe.cdw11, cdw11);
  if (queue_exec (ctrl->admin, &sqe, NULL, 0, REQ_DIR_NONE, &res, NULL) < 0)
    return -1;
  if (result)
    *result = (uint32_t) res;
  return 0;
}

int
nvmeof_get_features (struct nvmeof_ctrl *ctrl, uint8_t fid, uint32_t nsid,
                     uint32_t cdw11, uint32_t *result)
{
  return features (ctrl, NVME_ADMIN_GET_FEATURES, fid, nsid, cdw11, result);
}

int
nvmeof_set_features (struct nvmeof_ctrl *ctrl, uint8_t fid, uint32_t nsid,
                     uint32_t cdw11, uint32_t *result)
{
  return features (ctrl, NVME_ADMIN_SET_FEATURES, fid, nsid, cdw11, result);
}

int64_t
nvmeof_list_namespaces (struct nvmeof_ctrl *ctrl, uint32_t *nsids, size_t max)
{
  uint32_t *page;
  uint32_t start = 0;
  int64_t count = 0;

  ctrl = mpath_admin_ctrl (ctrl); /* multipath: a live path's */
  if (ctrl == NULL || (nsids == NULL && max > 0)) {
    set_error (EINVAL, "nvmeof_list_namespaces: ctrl and nsids must not be "
                       "NULL");
    return -1;
  }
  if (ctrl->info.discovery) {
    set_error (EINVAL,
               "nvmeof_list_namespaces: %s is a discovery controller "
               "and has no namespaces",
               ctrl->addr);
    return -1;
  }
  page = malloc (NVME_IDENTIFY_LEN);
  if (page == NULL) {
    set_error (ENOMEM, "out of memory");
    return -1;
  }
  /* CNS 02h lists up to 1024 active NSIDs greater than NSID: continue
   * from the last one while pages come back full.  Bounded: no NSID above
   * NN (when reported), and at most NVMEOF_MAX_NAMESPACES in all, so a
   * list that never ends is refused after 16 pages. */
  for (;;) {
    unsigned i;
    uint32_t last = start;
    uint32_t nn = ctrl->id.nn;

    if (admin_identify (ctrl, NVME_ID_CNS_ACTIVE_NS_LIST, start, 0, page,
                        NULL) < 0) {
      free (page);
      return -1;
    }
    for (i = 0; i < NVME_ID_ACTIVE_NS_LIST_MAX; i++) {
      uint32_t id = get_le32 (&page[i]);

      if (id == 0)
        break;
      if (id <= last || id >= NVME_NSID_ALL) {
        set_error (EPROTO,
                   "controller at %s: the active namespace list is "
                   "not in increasing order (%" PRIu32 " after %" PRIu32 ")",
                   ctrl->addr, id, last);
        free (page);
        return -1;
      }
      if (nn && id > nn) {
        set_error (EPROTO,
                   "controller at %s: the active namespace list names "
                   "NSID %" PRIu32 ", above the %" PRIu32
                   " namespaces (NN) of Identify Controller",
                   ctrl->addr, id, nn);
        free (page);
        return -1;
      }
      if (count >= NVMEOF_MAX_NAMESPACES) {
        set_error (EPROTO,
                   "controller at %s: the active namespace list goes on "
                   "past %d namespaces (NSID %" PRIu32 "), more than this "
                   "library reads (NN is %" PRIu32 ")",
                   ctrl->addr, NVMEOF_MAX_NAMESPACES, id, nn);
        free (page);
        return -1;
      }
      if ((size_t) count < max)
        nsids[count] = id;
      count++;
      last = id;
    }
    if (i < NVME_ID_ACTIVE_NS_LIST_MAX)
      break;
    start = last;
  }
  free (page);
  return count;
}

/* ---- Keep Alive --------------------------------------------------------- */

static void
ka_done (struct nvmeof_queue *q, struct nvmeof_req *req)
{
  struct nvmeof_ctrl *ctrl = q->ctrl;

  atomic_store (&ctrl->ka_outstanding, false);
  /* A failed queue fails the keep-alive too: nothing more to say. */
  if (req->status && !req->err)
    ctrl_fail (ctrl, EIO, "connection to %s lost: Keep Alive failed: %s",
               ctrl->addr, nvmeof_status_string (req->status));
}

int
admin_keep_alive_submit (struct nvmeof_ctrl *ctrl)
{
  struct nvmeof_req *req;
  uint32_t timeout = ctrl->timeout_ms;

  if (atomic_exchange (&ctrl->ka_outstanding, true))
    return 0; /* the last one is still on its way */
  /* A controller that does not answer a keep-alive within KATO is as good
   * as gone: do not wait the whole command timeout for it. */
  if (ctrl->info.kato_ms && ctrl->info.kato_ms < timeout)
    timeout = ctrl->info.kato_ms < 2000 ? 2000 : ctrl->info.kato_ms;
  req = req_alloc (ctrl->admin, false, ka_done, NULL, timeout);
  if (req == NULL) {
    atomic_store (&ctrl->ka_outstanding, false);
    return -1;
  }
  req->sqe.opcode = NVME_ADMIN_KEEP_ALIVE;
  return req_submit (ctrl->admin, req);
}
