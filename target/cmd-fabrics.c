/* SPDX-License-Identifier: BSD-3-Clause */
/* Fabrics commands: Connect (admin and I/O queues, with the checks Linux
 * nvmet makes, and on a TLS queue those of its PSK identity: tls.c),
 * Property Get/Set (CAP, VS, CC, CSTS) and Disconnect;
 * AUTH_Send/AUTH_Receive are auth.c's.  Fabrics commands are never held
 * back by authentication (as in nvmet). */
#include <config.h>

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "target.h"

/* CAP: MQES, CQR, TO 7.5 s, the NVM command set, 4 KiB pages only. */
static uint64_t
cap_value (void)
{
  return (uint64_t) TGT_MQES | NVME_CAP_CQR | (15ull << NVME_CAP_TO_SHIFT) |
         ((uint64_t) NVME_CAP_CSS_NVM << NVME_CAP_CSS_SHIFT);
}

/* Copy an NQN field (256 bytes, NUL terminated within 224) into out.
 * false if it is not terminated in time or empty. */
static bool
get_nqn (const char *field, char out[TGT_NQN_MAX + 1])
{
  size_t n = strnlen (field, NVMF_NQN_SIZE);

  if (n == 0 || n > TGT_NQN_MAX)
    return false;
  memcpy (out, field, n);
  out[n] = '\0';
  return true;
}

static void
invalid_param (struct req *r, bool in_data, uint16_t offset)
{
  r->status = NVMF_SC_CONNECT_INVALID_PARAM;
  r->dw0 = offset | (in_data ? NVMF_CONNECT_IATTR_DATA : 0);
}

static void
exec_connect (struct conn *c, struct req *r)
{
  const struct nvmf_connect_cmd *cmd = (const void *) &r->sqe;
  const struct nvmf_connect_data *d = (const void *) r->data;
  struct conn_info *ci = conn_info (c);
  char subnqn[TGT_NQN_MAX + 1], hostnqn[TGT_NQN_MAX + 1];
  uint16_t qid = GET16 (cmd->qid), sqsize = GET16 (cmd->sqsize);
  bool sqflow_off = cmd->cattr & NVMF_CATTR_DISABLE_SQFLOW, ctrl_tls;
  struct tgt_subsys *ss;
  struct tgt_ctrl *ctrl;
  uint16_t st;

  stat_add (STAT_CONNECT, 1);
  if (GET16 (cmd->recfmt) != 0) {
    r->status = NVMF_SC_INCOMPATIBLE_FORMAT;
    return;
  }
  if (!get_nqn (d->subnqn, subnqn)) {
    invalid_param (r, true, offsetof (struct nvmf_connect_data, subnqn));
    return;
  }
  if (!get_nqn (d->hostnqn, hostnqn)) {
    invalid_param (r, true, offsetof (struct nvmf_connect_data, hostnqn));
    return;
  }
  if (sqsize == 0 || sqsize > TGT_MQES) {
    invalid_param (r, false, offsetof (struct nvmf_connect_cmd, sqsize));
    return;
  }
  st = tls_check_connect (ci, hostnqn, subnqn, &r->dw0);
  if (st) {
    r->status = st;
    return;
  }
  ss = config_find_subsys (ci->port, subnqn);
  if (!ss) {
    log_verbose ("%s: Connect to unknown subsystem %s", ci->peer, subnqn);
    invalid_param (r, true, offsetof (struct nvmf_connect_data, subnqn));
    return;
  }
  if (!subsys_allows_host (ss, hostnqn)) {
    log_msg ("%s: host %s is not allowed to connect to %s", ci->peer, hostnqn,
             subnqn);
    r->status = NVMF_SC_CONNECT_INVALID_HOST;
    r->dw0 =
      NVMF_CONNECT_IATTR_DATA | offsetof (struct nvmf_connect_data, hostnqn);
    return;
  }

  if (qid == 0) {
    if (GET16 (d->cntlid) != NVMF_CNTLID_DYNAMIC) {
      invalid_param (r, true, offsetof (struct nvmf_connect_data, cntlid));
      return;
    }
    ctrl = ctrl_create (ss, ci->port, hostnqn, d->hostid, GET32 (cmd->kato), c);
    if (!ctrl) {
      r->status = NVMF_SC_CTRL_BUSY;
      return;
    }
    pthread_mutex_lock (&ctrl->lock);
    ctrl->tls = ci->tls;
    pthread_mutex_unlock (&ctrl->lock);
    if (conn_set_queue (c, 0, sqsize, sqflow_off, ctrl) == -1) {
      ci->ctrl = ctrl; /* so that closing tears it down */
      r->status = NVME_SC_INTERNAL;
      return;
    }
  }
  else {
    if (ss->discovery) {
      invalid_param (r, false, offsetof (struct nvmf_connect_cmd, qid));
      return;
    }
    ctrl = ctrl_get (ss, GET16 (d->cntlid));
    if (!ctrl) {
      invalid_param (r, true, offsetof (struct nvmf_connect_data, cntlid));
      return;
    }
    if (strcmp (ctrl->hostnqn, hostnqn) != 0) {
      ctrl_put (ctrl);
      invalid_param (r, true, offsetof (struct nvmf_connect_data, hostnqn));
      return;
    }
    pthread_mutex_lock (&ctrl->lock);
    st = ctrl->csts & NVME_CSTS_RDY ? 0 : NVME_SC_CMD_SEQ_ERROR;
    ctrl_tls = ctrl->tls;
    pthread_mutex_unlock (&ctrl->lock);
    if (ctrl_tls && !ci->tls) {
      /* A TLS-optional port: no plain way into a TLS association. */
      log_msg ("%s: plain I/O queue Connect to controller %u, whose admin "
               "queue uses TLS: refused",
               ci->peer, ctrl->cntlid);
      ctrl_put (ctrl);
      r->status = NVMF_SC_CONNECT_INVALID_HOST;
      r->dw0 =
        NVMF_CONNECT_IATTR_DATA | offsetof (struct nvmf_connect_data, hostnqn);
      return;
    }
    if (!st)
      st = ctrl_add_queue (ctrl, qid, c);
    if (st) {
      ctrl_put (ctrl);
      r->status = st;
      if (st == NVMF_SC_CONNECT_INVALID_PARAM)
        r->dw0 = offsetof (struct nvmf_connect_cmd, qid);
      return;
    }
    if (conn_set_queue (c, qid, sqsize, sqflow_off, ctrl) == -1) {
      ci->ctrl = ctrl;
      ci->qid = qid;
      r->status = NVME_SC_INTERNAL;
      return;
    }
  }
  r->dw0 = ctrl->cntlid;
  if (auth_connect (c, hostnqn))
    r->dw0 |= NVMF_CONNECT_AUTHREQ_ATR;
  log_verbose ("%s: connected queue %u of controller %u (%s), sqsize %u%s%s",
               ci->peer, qid, ctrl->cntlid, ss->nqn, sqsize,
               sqflow_off ? ", SQ flow control off" : "",
               r->dw0 & NVMF_CONNECT_AUTHREQ_ATR ? ", must authenticate" : "");
}

static void
exec_prop_get (struct conn *c, struct req *r)
{
  const struct nvmf_prop_get_cmd *cmd = (const void *) &r->sqe;
  struct tgt_ctrl *ctrl = conn_info (c)->ctrl;
  uint32_t ofst = GET32 (cmd->ofst);
  uint64_t v = 0;

  pthread_mutex_lock (&ctrl->lock);
  switch (cmd->attrib & NVMF_PROP_ATTRIB_SIZE_MASK) {
  case NVMF_PROP_SIZE_8:
    if (ofst == NVME_REG_CAP)
      v = cap_value ();
    else
      r->status = NVME_SC_INVALID_FIELD;
    break;
  case NVMF_PROP_SIZE_4:
    switch (ofst) {
    case NVME_REG_CAP:
      v = (uint32_t) cap_value ();
      break;
    case NVME_REG_CAP + 4:
      v = cap_value () >> 32;
      break;
    case NVME_REG_VS:
      v = ctrl->subsys->version;
      break;
    case NVME_REG_CC:
      v = ctrl->cc;
      break;
    case NVME_REG_CSTS:
      v = ctrl->csts;
      break;
    default:
      r->status = NVME_SC_INVALID_FIELD;
    }
    break;
  default:
    r->status = NVME_SC_INVALID_FIELD;
  }
  pthread_mutex_unlock (&ctrl->lock);
  if (r->status == 0) {
    r->dw0 = (uint32_t) v;
    r->dw1 = v >> 32;
  }
}

/* CC.EN 0->1 with valid fields sets CSTS.RDY (else CFS), 1->0 resets;
 * CC.SHN sets CSTS.SHST complete after flushing the namespaces. */
static void
exec_prop_set (struct conn *c, struct req *r)
{
  const struct nvmf_prop_set_cmd *cmd = (const void *) &r->sqe;
  struct tgt_ctrl *ctrl = conn_info (c)->ctrl;
  struct tgt_subsys *ss = ctrl->subsys;
  uint32_t v = (uint32_t) GET64 (cmd->value), old;
  bool shutdown = false;
  size_t i;

  if ((cmd->attrib & NVMF_PROP_ATTRIB_SIZE_MASK) != NVMF_PROP_SIZE_4 ||
      GET32 (cmd->ofst) != NVME_REG_CC) {
    r->status = NVME_SC_INVALID_FIELD;
    return;
  }
  pthread_mutex_lock (&ctrl->lock);
  old = ctrl->cc;
  ctrl->cc = v;
  if ((v & NVME_CC_EN) && !(old & NVME_CC_EN)) {
    bool ok =
      (v & NVME_CC_MPS_MASK) == 0 && (v & NVME_CC_CSS_MASK) == NVME_CC_CSS_NVM;
    if (!ss->discovery)
      ok = ok && (v & NVME_CC_IOSQES_MASK) == NVME_CC_IOSQES (NVME_SQES_LOG2) &&
           (v & NVME_CC_IOCQES_MASK) == NVME_CC_IOCQES (NVME_CQES_LOG2);
    ctrl->csts = ok ? NVME_CSTS_RDY : NVME_CSTS_CFS;
  }
  else if (!(v & NVME_CC_EN) && (old & NVME_CC_EN))
    ctrl->csts = 0;
  atomic_store (&ctrl->ready, (ctrl->csts & NVME_CSTS_RDY) != 0);
  if ((v & NVME_CC_SHN_MASK) && !(old & NVME_CC_SHN_MASK)) {
    shutdown = true;
    ctrl->csts = (ctrl->csts & ~NVME_CSTS_SHST_MASK) | NVME_CSTS_SHST_COMPLETE;
  }
  else if (!(v & NVME_CC_SHN_MASK) && (old & NVME_CC_SHN_MASK))
    ctrl->csts &= ~NVME_CSTS_SHST_MASK;
  pthread_mutex_unlock (&ctrl->lock);
  if (shutdown) {
    for (i = 0; i < ss->nr_ns; i++)
      backend_sync (&ss->ns[i].be, false);
    log_verbose ("controller %u of %s: shutdown", ctrl->cntlid, ss->nqn);
  }
}

static void
exec_disconnect (struct conn *c, struct req *r)
{
  /* Complete, then close the queue (conn.c leaves after the flush). */
  conn_info (c)->close_after = true;
  (void) r;
}

uint16_t
fabrics_prepare (struct conn *c, struct req *r)
{
  const struct nvmf_cmd *cmd = (const void *) &r->sqe;
  struct conn_info *ci = conn_info (c);

  switch (cmd->fctype) {
  case NVMF_FCTYPE_CONNECT:
    if (ci->connected || ci->ctrl)
      return NVME_SC_CMD_SEQ_ERROR;
    r->dir = DIR_H2C;
    r->len = NVMF_CONNECT_DATA_LEN;
    r->data = req_buf (c, r, NVMF_CONNECT_DATA_LEN);
    if (!r->data)
      return NVME_SC_INTERNAL;
    r->exec = exec_connect;
    return 0;
  case NVMF_FCTYPE_PROP_GET:
  case NVMF_FCTYPE_PROP_SET:
    if (!ci->connected)
      return NVME_SC_CMD_SEQ_ERROR;
    if (ci->qid != 0)
      return NVME_SC_INVALID_OPCODE;
    r->exec =
      cmd->fctype == NVMF_FCTYPE_PROP_GET ? exec_prop_get : exec_prop_set;
    return 0;
  case NVMF_FCTYPE_AUTH_SEND:
  case NVMF_FCTYPE_AUTH_RECV:
    return auth_prepare (c, r);
  case NVMF_FCTYPE_DISCONNECT:
    if (!ci->connected)
      return NVME_SC_CMD_SEQ_ERROR;
    if (ci->qid == 0)
      return NVME_SC_INVALID_OPCODE;
    if (GET16 (((const struct nvmf_disconnect_cmd *) cmd)->recfmt) != 0)
      return NVMF_SC_INCOMPATIBLE_FORMAT;
    r->exec = exec_disconnect;
    return 0;
  default:
    return NVME_SC_INVALID_OPCODE;
  }
}
