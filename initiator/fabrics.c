/* SPDX-License-Identifier: BSD-3-Clause */
/* Fabrics commands: Connect (with a refused Connect explained in words),
 * Property Get/Set, and the enable and shutdown sequences (CC.EN then
 * CSTS.RDY bounded by CAP.TO; CC.SHN then CSTS.SHST, bounded). */
#include <config.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "internal.h"
#include "errors.h"
#include "hostid.h"
#include "nvmf-wire.h"

#define SHUTDOWN_TIMEOUT_MS     5000 /* like Linux's default shutdown_timeout */
#define SHUTDOWN_TIMEOUT_MAX_MS 60000

static const char *
connect_field (uint32_t dw0)
{
  uint16_t ipo = NVMF_CONNECT_IPO (dw0);

  if (dw0 & NVMF_CONNECT_IATTR_DATA) {
    if (ipo < 16)
      return "host ID";
    if (ipo < 18)
      return "controller ID";
    if (ipo >= 256 && ipo < 512)
      return "subsystem NQN";
    if (ipo >= 512 && ipo < 768)
      return "host NQN";
    return "Connect data";
  }
  switch (ipo) {
  case 42:
  case 43:
    return "queue ID";
  case 44:
  case 45:
    return "queue size (SQSIZE)";
  case 46:
    return "connect attributes (CATTR)";
  case 48:
  case 49:
  case 50:
  case 51:
    return "keep-alive timeout (KATO)";
  case 40:
  case 41:
    return "record format (RECFMT)";
  default:
    return "Connect command";
  }
}

void
fabrics_connect_error (char *buf, size_t len, uint16_t status, uint32_t dw0,
                       const char *hostnqn, const char *subnqn, uint16_t qid)
{
  switch (NVME_STATUS_CODE (status)) {
  case NVMF_SC_CONNECT_INVALID_HOST:
    msgf (buf, len, "host %s is not allowed on %s", hostnqn, subnqn);
    break;
  case NVMF_SC_CONNECT_INVALID_PARAM:
    if ((dw0 & NVMF_CONNECT_IATTR_DATA) && NVMF_CONNECT_IPO (dw0) == 256)
      msgf (buf, len,
            "subsystem %s was refused (no such subsystem, or "
            "it does not accept host %s)",
            subnqn, hostnqn);
    else
      msgf (buf, len,
            "Connect of queue %u to %s: the controller refused "
            "the %s (byte %u of the Connect %s)",
            qid, subnqn, connect_field (dw0), NVMF_CONNECT_IPO (dw0),
            (dw0 & NVMF_CONNECT_IATTR_DATA) ? "data" : "command");
    break;
  default:
    msgf (buf, len, "Connect of queue %u (host %s) to %s", qid, hostnqn,
          subnqn);
    break;
  }
}

int
fabrics_connect (struct nvmeof_queue *q, uint16_t cntlid, uint32_t kato_ms,
                 uint16_t *cntlid_out)
{
  struct nvmeof_ctrl *ctrl = q->ctrl;
  struct nvmf_connect_data data;
  struct nvmf_connect_cmd cmd;
  uint64_t result = 0;
  uint16_t status = 0;
  size_t n;

  memset (&data, 0, sizeof data);
  if (uuid_parse_bytes (ctrl->opts.hostid, data.hostid) < 0) {
    set_error (EINVAL, "hostid: '%s' is not a UUID", ctrl->opts.hostid);
    return -1;
  }
  PUT16 (data.cntlid, cntlid);
  n = strnlen (ctrl->opts.subnqn, NVMF_NQN_MAX_LEN + 1);
  memcpy (data.subnqn, ctrl->opts.subnqn,
          n > NVMF_NQN_MAX_LEN ? NVMF_NQN_MAX_LEN : n);
  n = strnlen (ctrl->opts.hostnqn, NVMF_NQN_MAX_LEN + 1);
  memcpy (data.hostnqn, ctrl->opts.hostnqn,
          n > NVMF_NQN_MAX_LEN ? NVMF_NQN_MAX_LEN : n);

  memset (&cmd, 0, sizeof cmd);
  cmd.opcode = NVME_ADMIN_FABRICS;
  cmd.fctype = NVMF_FCTYPE_CONNECT;
  PUT16 (cmd.recfmt, 0);
  PUT16 (cmd.qid, q->qid);
  PUT16 (cmd.sqsize, q->size - 1);
  if (q->qid != 0 && ctrl->opts.disable_sqflow)
    cmd.cattr |= NVMF_CATTR_DISABLE_SQFLOW;
  PUT32 (cmd.kato, kato_ms);

  if (queue_exec (q, (const struct nvme_sqe *) &cmd, &data, sizeof data,
                  REQ_DIR_H2C, &result, &status) < 0) {
    if (status) {
      char msg[768];

      fabrics_connect_error (msg, sizeof msg, status, (uint32_t) result,
                             ctrl->opts.hostnqn, ctrl->opts.subnqn, q->qid);
      set_error_fabrics_status (status, "%s: %s", ctrl->addr, msg);
    }
    return -1;
  }
  /* In-band authentication if the controller asks for it (or if a
   * controller key asks the controller to prove itself). */
  if (auth_queue (q, (uint32_t) result) < 0)
    return -1;
  if (q->qid == 0) {
    if (cntlid_out)
      *cntlid_out = NVMF_CONNECT_CNTLID ((uint32_t) result);
  }
  else if (NVMF_CONNECT_CNTLID ((uint32_t) result) != cntlid) {
    /* Some controllers leave it 0 on I/O queues; only a different valid
     * ID is suspicious. */
    if (NVMF_CONNECT_CNTLID ((uint32_t) result) != 0) {
      set_error (EPROTO,
                 "%s: Connect of queue %u answered controller ID %u, "
                 "expected %u",
                 ctrl->addr, q->qid, NVMF_CONNECT_CNTLID ((uint32_t) result),
                 cntlid);
      return -1;
    }
  }
  return 0;
}

int
fabrics_prop_get (struct nvmeof_ctrl *ctrl, uint32_t ofst, bool eight,
                  uint64_t *value)
{
  struct nvmf_prop_get_cmd cmd;
  uint64_t result = 0;

  memset (&cmd, 0, sizeof cmd);
  cmd.opcode = NVME_ADMIN_FABRICS;
  cmd.fctype = NVMF_FCTYPE_PROP_GET;
  cmd.attrib = eight ? NVMF_PROP_SIZE_8 : NVMF_PROP_SIZE_4;
  PUT32 (cmd.ofst, ofst);
  if (queue_exec (ctrl->admin, (const struct nvme_sqe *) &cmd, NULL, 0,
                  REQ_DIR_NONE, &result, NULL) < 0)
    return -1;
  *value = eight ? result : (uint32_t) result;
  return 0;
}

int
fabrics_prop_set (struct nvmeof_ctrl *ctrl, uint32_t ofst, bool eight,
                  uint64_t value)
{
  struct nvmf_prop_set_cmd cmd;

  memset (&cmd, 0, sizeof cmd);
  cmd.opcode = NVME_ADMIN_FABRICS;
  cmd.fctype = NVMF_FCTYPE_PROP_SET;
  cmd.attrib = eight ? NVMF_PROP_SIZE_8 : NVMF_PROP_SIZE_4;
  PUT32 (cmd.ofst, ofst);
  PUT64 (cmd.value, value);
  return queue_exec (ctrl->admin, (const struct nvme_sqe *) &cmd, NULL, 0,
                     REQ_DIR_NONE, NULL, NULL);
}

static void
sleep_ms (unsigned ms)
{
  struct timespec ts = { .tv_sec = ms / 1000,
                         .tv_nsec = (ms % 1000) * 1000000L };

  while (nanosleep (&ts, &ts) < 0 && errno == EINTR)
    ;
}

/* Poll CSTS until (csts & mask) == want, CFS, or the deadline; limit
 * names the bound that set timeout_ms, for the message. */
static int
wait_csts (struct nvmeof_ctrl *ctrl, uint32_t mask, uint32_t want,
           uint32_t timeout_ms, const char *what, const char *limit)
{
  uint64_t deadline = now_ms () + timeout_ms;
  unsigned delay = 1;

  for (;;) {
    uint64_t csts;

    if (fabrics_prop_get (ctrl, NVME_REG_CSTS, false, &csts) < 0)
      return -1;
    if (csts & NVME_CSTS_CFS) {
      set_error (EIO,
                 "controller at %s reports a fatal status (CSTS.CFS) "
                 "while %s",
                 ctrl->addr, what);
      return -1;
    }
    if ((csts & mask) == want)
      return 0;
    if (now_ms () >= deadline) {
      set_error (ETIMEDOUT,
                 "controller at %s: %s did not finish within %" PRIu32
                 " ms (%s; CSTS 0x%" PRIx64 ")",
                 ctrl->addr, what, timeout_ms, limit, csts);
      return -1;
    }
    sleep_ms (delay);
    if (delay < 100)
      delay *= 2;
  }
}

int
fabrics_enable (struct nvmeof_ctrl *ctrl)
{
  uint64_t cap = ctrl->cap;
  uint32_t css, mps = NVME_CAP_MPSMIN (cap), cc;
  uint32_t timeout_ms;
  uint64_t user_ms;
  char limit[96];

  /* The NVM command set, or admin only (discovery controllers). */
  if (NVME_CAP_CSS (cap) & NVME_CAP_CSS_NVM)
    css = NVME_CC_CSS_NVM;
  else if (NVME_CAP_CSS (cap) & NVME_CAP_CSS_ADMIN_ONLY)
    css = NVME_CC_CSS_ADMIN_ONLY;
  else {
    set_error (ENOTSUP,
               "controller at %s supports neither the NVM command "
               "set nor admin-only operation (CAP.CSS 0x%02x)",
               ctrl->addr, (unsigned) NVME_CAP_CSS (cap));
    return -1;
  }
  ctrl->page_size = 4096u << mps;
  cc = NVME_CC_EN | css | NVME_CC_MPS (mps) | NVME_CC_AMS_RR |
       NVME_CC_SHN_NONE | NVME_CC_IOSQES (NVME_SQES_LOG2) |
       NVME_CC_IOCQES (NVME_CQES_LOG2);
  if (fabrics_prop_set (ctrl, NVME_REG_CC, false, cc) < 0)
    return -1;
  ctrl->enabled = true;
  /* CAP.TO is in 500 ms units; 0 would be a broken controller: allow
   * 500 ms.  The user's connect-timeout wins when it is shorter (CAP.TO
   * may say 127.5 s). */
  timeout_ms =
    (NVME_CAP_TO (cap) ? NVME_CAP_TO (cap) : 1) * NVME_CAP_TO_UNIT_MS;
  user_ms = (uint64_t) ctrl->opts.connect_timeout_s * 1000;
  if (user_ms && user_ms < timeout_ms) {
    msgf (limit, sizeof limit,
          "connect-timeout=%" PRIu32 "; CAP.TO allows %" PRIu32 " ms",
          ctrl->opts.connect_timeout_s, timeout_ms);
    timeout_ms = (uint32_t) user_ms;
  }
  else
    msgf (limit, sizeof limit, "CAP.TO");
  return wait_csts (ctrl, NVME_CSTS_RDY, NVME_CSTS_RDY, timeout_ms,
                    "enabling (waiting for CSTS.RDY)", limit);
}

int
fabrics_shutdown (struct nvmeof_ctrl *ctrl)
{
  uint64_t cc;
  uint32_t timeout_ms = SHUTDOWN_TIMEOUT_MS;

  /* RTD3E (microseconds) if the controller says it needs longer. */
  if (ctrl->id.rtd3e / 1000 > timeout_ms)
    timeout_ms = ctrl->id.rtd3e / 1000;
  if (timeout_ms > SHUTDOWN_TIMEOUT_MAX_MS)
    timeout_ms = SHUTDOWN_TIMEOUT_MAX_MS;
  if (fabrics_prop_get (ctrl, NVME_REG_CC, false, &cc) < 0)
    return -1;
  cc = (cc & ~(uint64_t) NVME_CC_SHN_MASK) | NVME_CC_SHN_NORMAL;
  if (fabrics_prop_set (ctrl, NVME_REG_CC, false, cc) < 0)
    return -1;
  return wait_csts (ctrl, NVME_CSTS_SHST_MASK, NVME_CSTS_SHST_COMPLETE,
                    timeout_ms, "shutting down (waiting for CSTS.SHST)",
                    "the shutdown timeout: RTD3E, at least 5 s, at most 60 s");
}
