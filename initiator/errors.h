/* SPDX-License-Identifier: BSD-3-Clause */
/* The library's thread-local error: set on every failure that reaches the
 * public API, read with nvmeof_get_error() and nvmeof_get_errno(). */
#ifndef NVMEOF_ERRORS_H
#define NVMEOF_ERRORS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Set the message and errno (errnum), NVMe status 0.  errno itself is
 * set to errnum too, for callers that look there. */
void set_error (int errnum, const char *fmt, ...)
  __attribute__((__format__ (__printf__, 2, 3)));
/* A command failed with an NVMe status: errno comes from the status table
 * and ": <status in words>" is appended to the message. */
void set_error_status (uint16_t status, const char *fmt, ...)
  __attribute__((__format__ (__printf__, 2, 3)));
/* The same for Fabrics commands (Connect, Property Get/Set, Authentication
 * Send/Receive), whose command specific codes 80h..83h differ from the NVM
 * I/O commands' (Incompatible Format, Controller Busy ...). */
void set_error_fabrics_status (uint16_t status, const char *fmt, ...)
  __attribute__((__format__ (__printf__, 2, 3)));

/* The error just set is a path error: the command failed with its
 * connection or its controller (no NVMe status), so that another path to
 * the subsystem may do it.  set_error* clears the mark. */
void error_mark_path (void);
bool error_is_path (void);

/* User text for a message: at most max bytes of s, control characters
 * replaced by '?', "..." appended if cut; written to buf (len bytes, at
 * least max + 4) and returned.  Keeps every message on one line. */
const char *error_quote (const char *s, size_t max, char *buf, size_t len);

/* status.c: the Fabrics meaning of a status (the public
 * nvmeof_status_string / nvmeof_status_errno give the NVM I/O meaning). */
const char *status_string_fabrics (uint16_t status);
int status_errno_fabrics (uint16_t status);

#endif
