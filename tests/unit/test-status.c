/* SPDX-License-Identifier: BSD-3-Clause */
/* The NVMe status table: words and errno for a sample of statuses of each
 * type, the Fabrics meaning of the colliding command specific codes,
 * unknown codes, CRD/MORE/DNR bits ignored by the mapping, and the
 * messages set_error_status builds. */
#include <config.h>

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>

#include "nvmeof.h"
#include "nvme-wire.h"
#include "nvmf-wire.h"
#include "errors.h"
#include "check.h"

static const struct {
  uint16_t status;
  const char *words;
  int errnum;
} samples[] = {
  { NVME_SC_SUCCESS, "Successful Completion", 0 },
  { NVME_SC_INVALID_OPCODE, "Invalid Command Opcode", EOPNOTSUPP },
  { NVME_SC_INVALID_FIELD, "Invalid Field in Command", EINVAL },
  { NVME_SC_DATA_XFER_ERROR, "Data Transfer Error", EIO },
  { NVME_SC_ABORTED_POWER_LOSS,
    "Commands Aborted due to Power Loss Notification", EIO },
  { NVME_SC_ABORT_REQUESTED, "Command Abort Requested", EIO },
  { NVME_SC_INVALID_NS, "Invalid Namespace or Format", ENODEV },
  { NVME_SC_NS_WRITE_PROTECTED, "Namespace is Write Protected", EROFS },
  { NVME_SC_CMD_INTERRUPTED, "Command Interrupted", EAGAIN },
  { NVME_SC_LBA_RANGE, "LBA Out of Range", EINVAL },
  { NVME_SC_CAP_EXCEEDED, "Capacity Exceeded", ENOSPC },
  { NVME_SC_NS_NOT_READY, "Namespace Not Ready", EAGAIN },
  { NVME_SC_RESERVATION_CONFLICT, "Reservation Conflict", EBADE },
  { NVME_SC_INVALID_QUEUE_SIZE, "Invalid Queue Size", EINVAL },
  { NVME_SC_INVALID_LOG_PAGE, "Invalid Log Page", EINVAL },
  { NVME_SC_FEATURE_NOT_CHANGEABLE, "Feature Not Changeable", EINVAL },
  { NVME_SC_CONFLICTING_ATTRS, "Conflicting Attributes", EINVAL },
  { NVME_SC_INVALID_PI, "Invalid Protection Information", EILSEQ },
  { NVME_SC_READ_ONLY, "Attempted Write to Read Only Range", EROFS },
  { NVMF_SC_CONNECT_INVALID_HOST, "Connect Invalid Host", EACCES },
  { NVMF_SC_AUTH_REQUIRED, "Authentication Required", EACCES },
  { NVMF_SC_DISCOVER_RESTART, "Discover Restart", EAGAIN },
  { NVME_SC_WRITE_FAULT, "Write Fault", EIO },
  { NVME_SC_UNRECOVERED_READ, "Unrecovered Read Error", EIO },
  { NVME_SC_GUARD_CHECK, "End-to-end Guard Check Error", EILSEQ },
  { NVME_SC_ACCESS_DENIED, "Access Denied", EACCES },
  { NVME_SC_UNWRITTEN_BLOCK, "Deallocated or Unwritten Logical Block", EIO },
  { NVME_SC_ANA_TRANSITION, "Asymmetric Access Transition", EAGAIN },
  { NVME_SC_HOST_PATH_ERROR, "Host Pathing Error", ENOLINK },
  { NVME_SC_HOST_ABORTED_CMD, "Command Aborted By Host", EIO },
};

static void
test_samples (void)
{
  size_t i;
  /* CRD (bits 12:11), MORE (13) and DNR (14) never change the mapping. */
  static const uint16_t extra[] = {
    0, NVME_STATUS_DNR, NVME_STATUS_MORE, 0x1800, 0x7800,
  };

  printf ("samples: %zu statuses in words and as errno, with and without "
          "CRD/MORE/DNR\n",
          sizeof samples / sizeof samples[0]);
  for (i = 0; i < sizeof samples / sizeof samples[0]; i++) {
    size_t j;

    for (j = 0; j < sizeof extra / sizeof extra[0]; j++) {
      uint16_t s = samples[i].status | extra[j];

      CHECK (strcmp (nvmeof_status_string (s), samples[i].words) == 0,
             "0x%04x: '%s' != '%s'", s, nvmeof_status_string (s),
             samples[i].words);
      CHECK (nvmeof_status_errno (s) == samples[i].errnum,
             "0x%04x: errno %d != %d", s, nvmeof_status_errno (s),
             samples[i].errnum);
    }
  }
}

static void
test_fabrics (void)
{
  printf ("fabrics: 80h..83h mean Fabrics statuses for Fabrics commands\n");
  CHECK (strcmp (status_string_fabrics (NVMF_SC_INCOMPATIBLE_FORMAT),
                 "Incompatible Format") == 0,
         "0x180");
  CHECK (
    strcmp (status_string_fabrics (NVMF_SC_CTRL_BUSY), "Controller Busy") == 0,
    "0x181");
  CHECK (status_errno_fabrics (NVMF_SC_CTRL_BUSY) == EBUSY, "0x181 errno");
  CHECK (strcmp (status_string_fabrics (NVMF_SC_CONNECT_INVALID_PARAM),
                 "Connect Invalid Parameters") == 0,
         "0x182");
  CHECK (status_errno_fabrics (NVMF_SC_CONNECT_INVALID_PARAM) == EINVAL,
         "0x182 errno");
  CHECK (strcmp (status_string_fabrics (NVMF_SC_CONNECT_RESTART_DISC),
                 "Connect Restart Discovery") == 0,
         "0x183");
  CHECK (status_errno_fabrics (NVMF_SC_CONNECT_INVALID_HOST |
                               NVME_STATUS_DNR) == EACCES,
         "0x184 errno");
  printf ("fabrics: codes that do not collide read the same either way\n");
  CHECK (strcmp (status_string_fabrics (NVME_SC_INVALID_FIELD),
                 "Invalid Field in Command") == 0,
         "generic via fabrics");
  CHECK (strcmp (status_string_fabrics (NVMF_SC_AUTH_REQUIRED),
                 nvmeof_status_string (NVMF_SC_AUTH_REQUIRED)) == 0,
         "0x191");
}

static void
test_unknown (void)
{
  printf ("unknown: constant phrases by status code type, errno EIO\n");
  CHECK (strcmp (nvmeof_status_string (0x07F), "unknown generic status") == 0,
         "0x07f: %s", nvmeof_status_string (0x07F));
  CHECK (strcmp (nvmeof_status_string (0x1FF),
                 "unknown command specific status") == 0,
         "0x1ff");
  CHECK (strcmp (nvmeof_status_string (0x2FF),
                 "unknown media or data integrity status") == 0,
         "0x2ff");
  CHECK (strcmp (nvmeof_status_string (0x3FF), "unknown path related status") ==
           0,
         "0x3ff");
  CHECK (strcmp (nvmeof_status_string (0x412), "unknown status") == 0, "sct 4");
  CHECK (strcmp (nvmeof_status_string (0x701), "vendor specific status") == 0,
         "sct 7");
  CHECK (nvmeof_status_errno (0x07F) == EIO &&
           nvmeof_status_errno (0x701) == EIO &&
           nvmeof_status_errno (0x7FFF) == EIO,
         "unknown errno");
  CHECK (nvmeof_status_string (0x7F) == nvmeof_status_string (0x4000 | 0x7E),
         "unknown strings are shared constants");
}

static void
test_messages (void)
{
  const char *msg;

  printf ("messages: set_error_status appends words, sct, sc and DNR\n");
  set_error_status (NVME_SC_LBA_RANGE | NVME_STATUS_DNR, "read: nsid %u", 1);
  msg = nvmeof_get_error ();
  CHECK (strcmp (msg, "read: nsid 1: LBA Out of Range (sct 0 sc 0x80, DNR)") ==
           0,
         "'%s'", msg);
  CHECK (nvmeof_get_errno () == EINVAL, "errno %d", nvmeof_get_errno ());
  CHECK (errno == EINVAL, "errno not set");
  CHECK (nvmeof_get_status () == (NVME_SC_LBA_RANGE | NVME_STATUS_DNR),
         "status 0x%x", nvmeof_get_status ());

  set_error_status (0x2FF, "write");
  CHECK (strcmp (nvmeof_get_error (),
                 "write: unknown media or data integrity status (sct 2 sc "
                 "0xff)") == 0,
         "'%s'", nvmeof_get_error ());
  CHECK (nvmeof_get_errno () == EIO, "unknown errno");

  printf ("messages: Fabrics variant uses the Fabrics meaning\n");
  set_error_fabrics_status (NVMF_SC_CTRL_BUSY, "connect: admin queue");
  CHECK (strcmp (nvmeof_get_error (), "connect: admin queue: Controller Busy "
                                      "(sct 1 sc 0x81)") == 0,
         "'%s'", nvmeof_get_error ());
  CHECK (nvmeof_get_errno () == EBUSY, "errno %d", nvmeof_get_errno ());

  printf ("messages: set_error clears the status; errno is set\n");
  set_error (ETIMEDOUT, "read: timed out after %d s", 30);
  CHECK (strcmp (nvmeof_get_error (), "read: timed out after 30 s") == 0,
         "'%s'", nvmeof_get_error ());
  CHECK (nvmeof_get_errno () == ETIMEDOUT && nvmeof_get_status () == 0,
         "errno/status");
  printf ("messages: the old message may be an argument of the new one\n");
  set_error (EIO, "connect: %s", nvmeof_get_error ());
  CHECK (strcmp (nvmeof_get_error (), "connect: read: timed out after 30 s") ==
           0,
         "'%s'", nvmeof_get_error ());

  printf ("messages: a long message keeps the status part\n");
  {
    char big[3000];

    memset (big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    set_error_status (NVME_SC_INVALID_FIELD, "%s", big);
    msg = nvmeof_get_error ();
    CHECK (strlen (msg) >= 1000 && strlen (msg) < 1024, "length %zu",
           strlen (msg));
    CHECK (strstr (msg, ": Invalid Field in Command (sct 0 sc 0x02)") != NULL,
           "status part lost");
    set_error (EIO, "%s", big);
    CHECK (strlen (nvmeof_get_error ()) == 1023, "plain length %zu",
           strlen (nvmeof_get_error ()));
  }
}

static void *
thread_fn (void *arg)
{
  bool *ok = arg;

  *ok =
    nvmeof_get_errno () == 0 && strcmp (nvmeof_get_error (), "no error") == 0;
  set_error (EPIPE, "thread");
  return NULL;
}

static void
test_thread_local (void)
{
  pthread_t t;
  bool ok = false;

  printf ("threads: each thread has its own error\n");
  set_error (ENOSPC, "main");
  if (pthread_create (&t, NULL, thread_fn, &ok) != 0 ||
      pthread_join (t, NULL) != 0) {
    CHECK (false, "pthread");
    return;
  }
  CHECK (ok, "new thread saw another thread's error");
  CHECK (strcmp (nvmeof_get_error (), "main") == 0 &&
           nvmeof_get_errno () == ENOSPC,
         "main thread's error changed");
}

int
main (void)
{
  test_samples ();
  test_fabrics ();
  test_unknown ();
  test_messages ();
  test_thread_local ();
  if (failures) {
    fprintf (stderr, "test-status: %d failures\n", failures);
    return 1;
  }
  printf ("test-status: all checks passed\n");
  return 0;
}
