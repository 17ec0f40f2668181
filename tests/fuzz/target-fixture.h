/* SPDX-License-Identifier: BSD-3-Clause */
/* What the fuzz harnesses of nvmeof-target (fuzz-target-conn.c,
 * fuzz-target-eth.c) share: the globals main.c defines for the rest of
 * the target, its configuration (two subsystems on one port) and the reset
 * that makes every input start from the same state. */
#ifndef NVMEOF_FUZZ_TARGET_FIXTURE_H
#define NVMEOF_FUZZ_TARGET_FIXTURE_H

#include "driver.h" /* FAILED */
#include "target.h"

/* A subsystem any host may use; one whose host must authenticate
 * (DH-HMAC-CHAP).  Each has namespace 1 in RAM. */
#define SUBNQN   "nqn.2026-11.io.nvmeof:fuzz"
#define HOSTNQN  "nqn.2014-08.org.nvmexpress:uuid:fuzz"
#define AUTHNQN  "nqn.2026-11.io.nvmeof:fuzz-auth"
#define AUTHHOST "nqn.2014-08.org.nvmexpress:uuid:fuzz-auth"

/* Build the target's configuration (once; later calls return at once):
 * the subsystems above, exposed on one port whose "addr" and "param"
 * members are port_json, like
 *   "\"addr\": {\"trtype\": \"tcp\", ...}, \"param\": {...}". */
void fixture_setup (const char *port_json);

/* Before each input: undo what an earlier input may have changed in the
 * configuration's state, so that an input replayed alone behaves as in a
 * campaign: the RAM namespaces read as zeroes again (the pages written
 * are dropped: this costs what was written, not the size) and their
 * write protection is back to none (Set Features 84h). */
void fixture_reset (void);

#endif
