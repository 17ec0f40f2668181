/* SPDX-License-Identifier: BSD-3-Clause */
/* Fault injection for tests (--fault-* options).  Counters are kept per
 * connection and, unless --fault-admin is given, only on I/O queues, so
 * that connecting succeeds and the fault hits I/O.  With --fault-once,
 * only the first fault to fire in the whole process fires. */
#include <config.h>

#include <string.h>
#include <time.h>

#include "target.h"

static atomic_bool fired;

void
fault_init (struct fault_state *f, bool io_queue)
{
  memset (f, 0, sizeof *f);
  f->armed =
    (io_queue || cfg.fault.admin) && !(cfg.fault.once && atomic_load (&fired));
}

/* A fault is due: may it fire? */
static bool
fire (struct fault_state *f)
{
  bool expected = false;

  if (!cfg.fault.once)
    return true;
  f->armed = false;
  return atomic_compare_exchange_strong (&fired, &expected, true);
}

static bool
due (struct fault_state *f, uint64_t setting, uint64_t count)
{
  return setting && count == setting && f->armed && fire (f);
}

enum fault_action
fault_on_command (struct fault_state *f)
{
  uint64_t n;

  if (!f->armed)
    return FAULT_NONE;
  n = ++f->cmds;
  /* "after N": command N+1 is the one that meets the fault. */
  if (due (f, cfg.fault.close_after, n - 1))
    return FAULT_CLOSE;
  if (due (f, cfg.fault.termreq_after, n - 1))
    return FAULT_TERMREQ;
  if (due (f, cfg.fault.hang_after, n - 1)) {
    log_msg ("fault injection: connection stops answering");
    f->hung = true;
  }
  return FAULT_NONE;
}

void
fault_delay (struct fault_state *f)
{
  struct timespec ts;

  if (!f->armed || !cfg.fault.delay_ms)
    return;
  ts.tv_sec = cfg.fault.delay_ms / 1000;
  ts.tv_nsec = (cfg.fault.delay_ms % 1000) * 1000000;
  while (nanosleep (&ts, &ts) == -1)
    ;
}

unsigned
fault_on_response (struct fault_state *f, bool data)
{
  unsigned t = 0;
  uint64_t n;

  if (!f->armed)
    return 0;
  n = ++f->responses;
  if (due (f, cfg.fault.bad_plen, n))
    t |= F_BAD_PLEN;
  if (due (f, cfg.fault.bad_hlen, n))
    t |= F_BAD_HLEN;
  if (due (f, cfg.fault.bad_pdo, n))
    t |= F_BAD_PDO;
  if (due (f, cfg.fault.unknown_cid, n))
    t |= F_UNKNOWN_CID;
  if (data && due (f, cfg.fault.data_overflow, ++f->reads))
    t |= F_OVERFLOW;
  if (t)
    log_msg ("fault injection: tampering with response %lu (0x%x)",
             (unsigned long) n, t);
  return t;
}

unsigned
fault_on_pdu (struct fault_state *f, bool data)
{
  unsigned t = 0;

  if (!f->armed)
    return 0;
  if (due (f, cfg.fault.corrupt_hdgst, ++f->pdus))
    t |= F_CORRUPT_HDGST;
  if (data && due (f, cfg.fault.corrupt_ddgst, ++f->data_pdus))
    t |= F_CORRUPT_DDGST;
  if (t)
    log_msg ("fault injection: corrupting a digest of PDU %lu (0x%x)",
             (unsigned long) f->pdus, t);
  return t;
}

bool
fault_hung (const struct fault_state *f)
{
  return f->hung;
}
