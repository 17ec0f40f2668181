/* SPDX-License-Identifier: BSD-3-Clause */
/* The thread-local error of libnvmeof: message, errno and NVMe status of
 * the calling thread's last failure. */
#include <config.h>

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "nvmeof.h"
#include "nvme-wire.h"
#include "errors.h"

#define ERROR_MAX 1024

/* Thread-local (not a pthread key): nothing to free at thread exit, and
 * the default TLS model works when the library is dlopen'ed (nbdkit). */
static __thread struct {
  char msg[ERROR_MAX];
  int errnum;
  uint16_t status;
  bool set;
  bool path; /* error_mark_path */
} last_error;

static void
store (int errnum, uint16_t status, const char *msg)
{
  size_t n = strlen (msg);

  if (n >= ERROR_MAX)
    n = ERROR_MAX - 1;
  memcpy (last_error.msg, msg, n);
  last_error.msg[n] = '\0';
  last_error.errnum = errnum;
  last_error.status = status;
  last_error.set = true;
  last_error.path = false;
  errno = errnum;
}

void
error_mark_path (void)
{
  last_error.path = true;
}

bool
error_is_path (void)
{
  return last_error.set && last_error.path;
}

void
set_error (int errnum, const char *fmt, ...)
{
  /* Format into a local buffer first: the arguments may point into the
   * current message (set_error (e, "%s: ...", nvmeof_get_error ())). */
  char buf[ERROR_MAX];
  va_list ap;

  va_start (ap, fmt);
  vsnprintf (buf, sizeof buf, fmt, ap);
  va_end (ap);
  store (errnum, 0, buf);
}

/* "<message>: <words> (sct X sc Y[, DNR])". */
static void
set_status (uint16_t status, const char *words, int errnum, const char *fmt,
            va_list ap)
{
  char buf[ERROR_MAX], suffix[160];
  size_t n, m;

  /* The status part always fits: the message gives way if needed. */
  snprintf (suffix, sizeof suffix, ": %s (sct %u sc 0x%02x%s)", words,
            (unsigned) NVME_STATUS_SCT (status),
            (unsigned) NVME_STATUS_SC (status),
            (status & NVME_STATUS_DNR) ? ", DNR" : "");
  m = strlen (suffix);
  vsnprintf (buf, sizeof buf - m, fmt, ap);
  n = strlen (buf);
  memcpy (buf + n, suffix, m + 1);
  /* A success status here is a caller bug; still report a failure. */
  if (errnum == 0)
    errnum = EIO;
  store (errnum, status, buf);
}

void
set_error_status (uint16_t status, const char *fmt, ...)
{
  va_list ap;

  va_start (ap, fmt);
  set_status (status, nvmeof_status_string (status),
              nvmeof_status_errno (status), fmt, ap);
  va_end (ap);
}

void
set_error_fabrics_status (uint16_t status, const char *fmt, ...)
{
  va_list ap;

  va_start (ap, fmt);
  set_status (status, status_string_fabrics (status),
              status_errno_fabrics (status), fmt, ap);
  va_end (ap);
}

const char *
error_quote (const char *s, size_t max, char *buf, size_t len)
{
  size_t n, i;

  if (len < 4) {
    if (len)
      buf[0] = '\0';
    return buf;
  }
  if (max > len - 4)
    max = len - 4;
  n = strnlen (s, max + 1);
  for (i = 0; i < n && i < max; i++)
    buf[i] = ((unsigned char) s[i] >= 0x20 && s[i] != 0x7f) ? s[i] : '?';
  if (n > max) {
    memcpy (buf + i, "...", 3);
    i += 3;
  }
  buf[i] = '\0';
  return buf;
}

const char *
nvmeof_get_error (void)
{
  return last_error.set ? last_error.msg : "no error";
}

int
nvmeof_get_errno (void)
{
  return last_error.set ? last_error.errnum : 0;
}

uint16_t
nvmeof_get_status (void)
{
  return last_error.set ? last_error.status : 0;
}
