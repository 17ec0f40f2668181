/* SPDX-License-Identifier: BSD-3-Clause */
/* The library's thread-local error: set on every failure that reaches the
 * public API, read with nvmeof_get_error() and nvmeof_get_errno(). */
#ifndef NVMEOF_ERRORS_H
#define NVMEOF_ERRORS_H

#include <stdint.h>

/* Set the message and errno (errnum), NVMe status 0. */
void set_error (int errnum, const char *fmt, ...)
  __attribute__((__format__ (__printf__, 2, 3)));
/* A command failed with an NVMe status: errno comes from the status table
 * and ": <status in words>" is appended to the message. */
void set_error_status (uint16_t status, const char *fmt, ...)
  __attribute__((__format__ (__printf__, 2, 3)));

#endif
