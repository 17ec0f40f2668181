/* SPDX-License-Identifier: BSD-3-Clause */
/* The library's one NVMe status table: each status in words and as an
 * errno.  Front ends (nbdkit plugin, FUSE, CLI) use it through
 * nvmeof_status_string / nvmeof_status_errno, and set_error_status puts
 * the words into the thread's error message.
 *
 * Errno choices.  We follow the Linux host's nvme_error_status()
 * (drivers/nvme/host/core.c, status -> blk_status_t -> errno through
 * blk_errors[] in block/blk-core.c) except where a userspace caller is
 * better served by a more specific errno:
 *   kernel NOTSUPP (EOPNOTSUPP):  Invalid Opcode, Conflicting Attributes
 *     -> we keep EOPNOTSUPP for Invalid Opcode; Invalid Field and
 *     Conflicting Attributes become EINVAL (the request, not the feature,
 *     is wrong); Invalid Namespace becomes ENODEV (no such namespace).
 *   kernel NOSPC (ENOSPC):        Capacity Exceeded -> ENOSPC (same).
 *   kernel TARGET (EREMOTEIO):    LBA Out of Range -> EINVAL, as nbdkit
 *     answers an out-of-range request; Namespace Not Ready and Command
 *     Interrupted -> EAGAIN: transient, the kernel retries them unless
 *     DNR is set, and so may our caller.
 *   kernel MEDIUM (ENODATA):      Write Fault, Unrecovered Read Error,
 *     Compare Failure, Deallocated or Unwritten Block -> EIO (what a
 *     failing disk gives to read(2)); Attempted Write to Read Only Range
 *     -> EROFS, as is Namespace is Write Protected (the kernel has no
 *     mapping for it); Access Denied -> EACCES.
 *   kernel PROTECTION (EILSEQ):   guard/application/reference tag checks
 *     and Invalid Protection Information -> EILSEQ (same).
 *   kernel RESV_CONFLICT (EBADE): Reservation Conflict -> EBADE (same).
 *   kernel TRANSPORT (ENOLINK):   Host Pathing Error -> ENOLINK (same),
 *     and the other path errors likewise; ANA Transition -> EAGAIN.
 *   kernel ZONE_ACTIVE_RESOURCE (EOVERFLOW), ZONE_OPEN_RESOURCE
 *     (ETOOMANYREFS): same.
 *   anything else: EIO (kernel IOERR), including aborts and power loss.
 * Fabrics (Connect) statuses have no kernel errno mapping (the kernel logs
 * them); we use EACCES for Invalid Host and Authentication Required, EBUSY
 * for Controller Busy, EAGAIN for the "restart discovery" codes and EINVAL
 * for malformed-request codes.
 *
 * Command specific codes 80h..83h mean one thing for NVM I/O commands and
 * another for Fabrics commands.  The public functions, which do not know
 * the command, give the I/O meaning (what front ends see on the data path);
 * the Fabrics code uses status_string_fabrics / set_error_fabrics_status.
 *
 * Strings are constants: unknown codes give a constant phrase and the
 * numbers go into the error message (errors.c), never into a static buffer.
 */
#include <config.h>

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nvmeof.h"
#include "nvme-wire.h"
#include "nvmf-wire.h"
#include "errors.h"

/* Codes the wire headers do not name (only this table needs them). */
#define SC_LOCKDOWN_PROHIBITED         0x023 /* Base 2.0 Figure 94 */
#define SC_ADMIN_MEDIA_NOT_READY       0x024
#define SC_FW_NEEDS_CONVENTIONAL_RESET 0x10B /* Base 2.0 Figure 95 */
#define SC_FW_NEEDS_SUBSYS_RESET       0x110
#define SC_FW_NEEDS_RESET              0x111
#define SC_FW_NEEDS_MAX_TIME_VIOLATION 0x112
#define SC_FW_ACTIVATION_PROHIBITED    0x113
#define SC_OVERLAPPING_RANGE           0x114
#define SC_THIN_PROV_NOT_SUPPORTED     0x11B
#define SC_CTRL_LIST_INVALID           0x11C
#define SC_SELF_TEST_IN_PROGRESS       0x11D
#define SC_BOOT_PARTITION_WRITE_PROHIB 0x11E
#define SC_INSUFFICIENT_CAPACITY       0x126
#define SC_NS_ATTACH_LIMIT_EXCEEDED    0x127
#define SC_IOCS_NOT_SUPPORTED          0x129
#define SC_IOCS_NOT_ENABLED            0x12A
#define SC_CMD_SIZE_LIMIT_EXCEEDED     0x183 /* NVM CS 1.0 Figure 15 */
#define SC_ZONE_BOUNDARY_ERROR         0x1B8 /* Zoned NS CS 1.1 */
#define SC_ZONE_FULL                   0x1B9
#define SC_ZONE_READ_ONLY              0x1BA
#define SC_ZONE_OFFLINE                0x1BB
#define SC_ZONE_INVALID_WRITE          0x1BC
#define SC_ZONE_TOO_MANY_ACTIVE        0x1BD
#define SC_ZONE_TOO_MANY_OPEN          0x1BE
#define SC_ZONE_INVALID_TRANSITION     0x1BF
#define SC_STORAGE_TAG_CHECK           0x288 /* NVM CS 1.0 Figure 16 */

enum ctx {
  ANY,     /* the code means the same for every command */
  IO,      /* NVM I/O command meaning of 80h..83h */
  FABRICS, /* Fabrics command meaning of 80h..83h */
};

struct status_entry {
  uint16_t code; /* (SCT << 8) | SC */
  uint8_t ctx;
  int errnum;
  const char *words;
};

static const struct status_entry table[] = {
  /* Generic command status (SCT 0). */
  { NVME_SC_SUCCESS, ANY, 0, "Successful Completion" },
  { NVME_SC_INVALID_OPCODE, ANY, EOPNOTSUPP, "Invalid Command Opcode" },
  { NVME_SC_INVALID_FIELD, ANY, EINVAL, "Invalid Field in Command" },
  { NVME_SC_CID_CONFLICT, ANY, EIO, "Command ID Conflict" },
  { NVME_SC_DATA_XFER_ERROR, ANY, EIO, "Data Transfer Error" },
  { NVME_SC_ABORTED_POWER_LOSS, ANY, EIO,
    "Commands Aborted due to Power Loss Notification" },
  { NVME_SC_INTERNAL, ANY, EIO, "Internal Error" },
  { NVME_SC_ABORT_REQUESTED, ANY, EIO, "Command Abort Requested" },
  { NVME_SC_ABORTED_SQ_DELETED, ANY, EIO,
    "Command Aborted due to SQ Deletion" },
  { NVME_SC_ABORTED_FAILED_FUSED, ANY, EIO,
    "Command Aborted due to Failed Fused Command" },
  { NVME_SC_ABORTED_MISSING_FUSED, ANY, EIO,
    "Command Aborted due to Missing Fused Command" },
  { NVME_SC_INVALID_NS, ANY, ENODEV, "Invalid Namespace or Format" },
  { NVME_SC_CMD_SEQ_ERROR, ANY, EIO, "Command Sequence Error" },
  { NVME_SC_INVALID_SGL_SEG_DESC, ANY, EIO, "Invalid SGL Segment Descriptor" },
  { NVME_SC_INVALID_NUM_SGL_DESC, ANY, EIO,
    "Invalid Number of SGL Descriptors" },
  { NVME_SC_DATA_SGL_LEN_INVALID, ANY, EIO, "Data SGL Length Invalid" },
  { NVME_SC_MD_SGL_LEN_INVALID, ANY, EIO, "Metadata SGL Length Invalid" },
  { NVME_SC_SGL_DESC_TYPE_INVALID, ANY, EIO, "SGL Descriptor Type Invalid" },
  { NVME_SC_INVALID_CMB_USE, ANY, EIO,
    "Invalid Use of Controller Memory Buffer" },
  { NVME_SC_PRP_OFFSET_INVALID, ANY, EIO, "PRP Offset Invalid" },
  { NVME_SC_ATOMIC_WU_EXCEEDED, ANY, EINVAL, "Atomic Write Unit Exceeded" },
  { NVME_SC_OPERATION_DENIED, ANY, EACCES, "Operation Denied" },
  { NVME_SC_SGL_OFFSET_INVALID, ANY, EIO, "SGL Offset Invalid" },
  { NVME_SC_HOSTID_INCONSISTENT, ANY, EINVAL,
    "Host Identifier Inconsistent Format" },
  { NVME_SC_KA_TIMER_EXPIRED, ANY, ETIMEDOUT, "Keep Alive Timer Expired" },
  { NVME_SC_KA_TIMEOUT_INVALID, ANY, EINVAL, "Keep Alive Timeout Invalid" },
  { NVME_SC_ABORTED_PREEMPT, ANY, EIO,
    "Command Aborted due to Preempt and Abort" },
  { NVME_SC_SANITIZE_FAILED, ANY, EIO, "Sanitize Failed" },
  { NVME_SC_SANITIZE_IN_PROGRESS, ANY, EBUSY, "Sanitize In Progress" },
  { NVME_SC_SGL_GRANULARITY_INVALID, ANY, EIO,
    "SGL Data Block Granularity Invalid" },
  { NVME_SC_CMD_NOT_SUP_CMB_QUEUE, ANY, EOPNOTSUPP,
    "Command Not Supported for Queue in CMB" },
  { NVME_SC_NS_WRITE_PROTECTED, ANY, EROFS, "Namespace is Write Protected" },
  { NVME_SC_CMD_INTERRUPTED, ANY, EAGAIN, "Command Interrupted" },
  { NVME_SC_TRANSIENT_TRANSPORT, ANY, EAGAIN, "Transient Transport Error" },
  { SC_LOCKDOWN_PROHIBITED, ANY, EPERM,
    "Command Prohibited by Command and Feature Lockdown" },
  { SC_ADMIN_MEDIA_NOT_READY, ANY, EAGAIN, "Admin Command Media Not Ready" },
  { NVME_SC_LBA_RANGE, ANY, EINVAL, "LBA Out of Range" },
  { NVME_SC_CAP_EXCEEDED, ANY, ENOSPC, "Capacity Exceeded" },
  { NVME_SC_NS_NOT_READY, ANY, EAGAIN, "Namespace Not Ready" },
  { NVME_SC_RESERVATION_CONFLICT, ANY, EBADE, "Reservation Conflict" },
  { NVME_SC_FORMAT_IN_PROGRESS, ANY, EBUSY, "Format In Progress" },

  /* Command specific status (SCT 1), admin commands. */
  { NVME_SC_CQ_INVALID, ANY, EINVAL, "Completion Queue Invalid" },
  { NVME_SC_INVALID_QID, ANY, EINVAL, "Invalid Queue Identifier" },
  { NVME_SC_INVALID_QUEUE_SIZE, ANY, EINVAL, "Invalid Queue Size" },
  { NVME_SC_ABORT_LIMIT, ANY, EBUSY, "Abort Command Limit Exceeded" },
  { NVME_SC_AER_LIMIT, ANY, EBUSY,
    "Asynchronous Event Request Limit Exceeded" },
  { NVME_SC_INVALID_FW_SLOT, ANY, EINVAL, "Invalid Firmware Slot" },
  { NVME_SC_INVALID_FW_IMAGE, ANY, EINVAL, "Invalid Firmware Image" },
  { NVME_SC_INVALID_VECTOR, ANY, EINVAL, "Invalid Interrupt Vector" },
  { NVME_SC_INVALID_LOG_PAGE, ANY, EINVAL, "Invalid Log Page" },
  { NVME_SC_INVALID_FORMAT, ANY, EINVAL, "Invalid Format" },
  { SC_FW_NEEDS_CONVENTIONAL_RESET, ANY, EIO,
    "Firmware Activation Requires Conventional Reset" },
  { NVME_SC_INVALID_QUEUE_DELETION, ANY, EINVAL, "Invalid Queue Deletion" },
  { NVME_SC_FEATURE_NOT_SAVEABLE, ANY, EINVAL,
    "Feature Identifier Not Saveable" },
  { NVME_SC_FEATURE_NOT_CHANGEABLE, ANY, EINVAL, "Feature Not Changeable" },
  { NVME_SC_FEATURE_NOT_PER_NS, ANY, EINVAL, "Feature Not Namespace Specific" },
  { SC_FW_NEEDS_SUBSYS_RESET, ANY, EIO,
    "Firmware Activation Requires NVM Subsystem Reset" },
  { SC_FW_NEEDS_RESET, ANY, EIO,
    "Firmware Activation Requires Controller Level Reset" },
  { SC_FW_NEEDS_MAX_TIME_VIOLATION, ANY, EIO,
    "Firmware Activation Requires Maximum Time Violation" },
  { SC_FW_ACTIVATION_PROHIBITED, ANY, EPERM, "Firmware Activation Prohibited" },
  { SC_OVERLAPPING_RANGE, ANY, EINVAL, "Overlapping Range" },
  { NVME_SC_NS_INSUFFICIENT_CAP, ANY, ENOSPC,
    "Namespace Insufficient Capacity" },
  { NVME_SC_NS_ID_UNAVAILABLE, ANY, ENOSPC,
    "Namespace Identifier Unavailable" },
  { NVME_SC_NS_ALREADY_ATTACHED, ANY, EEXIST, "Namespace Already Attached" },
  { NVME_SC_NS_IS_PRIVATE, ANY, EINVAL, "Namespace Is Private" },
  { NVME_SC_NS_NOT_ATTACHED, ANY, EINVAL, "Namespace Not Attached" },
  { SC_THIN_PROV_NOT_SUPPORTED, ANY, EOPNOTSUPP,
    "Thin Provisioning Not Supported" },
  { SC_CTRL_LIST_INVALID, ANY, EINVAL, "Controller List Invalid" },
  { SC_SELF_TEST_IN_PROGRESS, ANY, EBUSY, "Device Self-test In Progress" },
  { SC_BOOT_PARTITION_WRITE_PROHIB, ANY, EPERM,
    "Boot Partition Write Prohibited" },
  { NVME_SC_INVALID_CTRL_ID, ANY, EINVAL, "Invalid Controller Identifier" },
  { NVME_SC_ANA_GROUP_ID_INVALID, ANY, EINVAL, "ANA Group Identifier Invalid" },
  { NVME_SC_ANA_ATTACH_FAILED, ANY, EIO, "ANA Attach Failed" },
  { SC_INSUFFICIENT_CAPACITY, ANY, ENOSPC, "Insufficient Capacity" },
  { SC_NS_ATTACH_LIMIT_EXCEEDED, ANY, ENOSPC,
    "Namespace Attachment Limit Exceeded" },
  { SC_IOCS_NOT_SUPPORTED, ANY, EOPNOTSUPP, "I/O Command Set Not Supported" },
  { SC_IOCS_NOT_ENABLED, ANY, EOPNOTSUPP, "I/O Command Set Not Enabled" },

  /* Command specific status (SCT 1), NVM I/O commands ... */
  { NVME_SC_CONFLICTING_ATTRS, IO, EINVAL, "Conflicting Attributes" },
  { NVME_SC_INVALID_PI, IO, EILSEQ, "Invalid Protection Information" },
  { NVME_SC_READ_ONLY, IO, EROFS, "Attempted Write to Read Only Range" },
  /* Linux calls 0x183 NVME_SC_ONCS_NOT_SUPPORTED and maps it to NOTSUPP;
   * nvmet returns it when the backend cannot do Write Zeroes or DSM (a
   * file on tmpfs): EOPNOTSUPP lets front ends fall back. */
  { SC_CMD_SIZE_LIMIT_EXCEEDED, IO, EOPNOTSUPP, "Command Size Limit Exceeded" },
  { SC_ZONE_BOUNDARY_ERROR, ANY, EINVAL, "Zoned Boundary Error" },
  { SC_ZONE_FULL, ANY, ENOSPC, "Zone Is Full" },
  { SC_ZONE_READ_ONLY, ANY, EROFS, "Zone Is Read Only" },
  { SC_ZONE_OFFLINE, ANY, EIO, "Zone Is Offline" },
  { SC_ZONE_INVALID_WRITE, ANY, EINVAL, "Zone Invalid Write" },
  { SC_ZONE_TOO_MANY_ACTIVE, ANY, EOVERFLOW, "Too Many Active Zones" },
  { SC_ZONE_TOO_MANY_OPEN, ANY, ETOOMANYREFS, "Too Many Open Zones" },
  { SC_ZONE_INVALID_TRANSITION, ANY, EINVAL, "Invalid Zone State Transition" },

  /* ... and Fabrics commands (Connect, Property Get/Set, Authentication).
   * 84h and above do not collide with NVM codes. */
  { NVMF_SC_INCOMPATIBLE_FORMAT, FABRICS, EINVAL, "Incompatible Format" },
  { NVMF_SC_CTRL_BUSY, FABRICS, EBUSY, "Controller Busy" },
  { NVMF_SC_CONNECT_INVALID_PARAM, FABRICS, EINVAL,
    "Connect Invalid Parameters" },
  { NVMF_SC_CONNECT_RESTART_DISC, FABRICS, EAGAIN,
    "Connect Restart Discovery" },
  { NVMF_SC_CONNECT_INVALID_HOST, ANY, EACCES, "Connect Invalid Host" },
  { NVMF_SC_INVALID_QUEUE_TYPE, ANY, EINVAL, "Invalid Queue Type" },
  { NVMF_SC_DISCOVER_RESTART, ANY, EAGAIN, "Discover Restart" },
  { NVMF_SC_AUTH_REQUIRED, ANY, EACCES, "Authentication Required" },

  /* Media and data integrity errors (SCT 2). */
  { NVME_SC_WRITE_FAULT, ANY, EIO, "Write Fault" },
  { NVME_SC_UNRECOVERED_READ, ANY, EIO, "Unrecovered Read Error" },
  { NVME_SC_GUARD_CHECK, ANY, EILSEQ, "End-to-end Guard Check Error" },
  { NVME_SC_APPTAG_CHECK, ANY, EILSEQ,
    "End-to-end Application Tag Check Error" },
  { NVME_SC_REFTAG_CHECK, ANY, EILSEQ, "End-to-end Reference Tag Check Error" },
  { NVME_SC_COMPARE_FAILED, ANY, EIO, "Compare Failure" },
  { NVME_SC_ACCESS_DENIED, ANY, EACCES, "Access Denied" },
  { NVME_SC_UNWRITTEN_BLOCK, ANY, EIO,
    "Deallocated or Unwritten Logical Block" },
  { SC_STORAGE_TAG_CHECK, ANY, EILSEQ, "End-to-end Storage Tag Check Error" },

  /* Path related status (SCT 3). */
  { NVME_SC_INTERNAL_PATH_ERROR, ANY, ENOLINK, "Internal Path Error" },
  { NVME_SC_ANA_PERSISTENT_LOSS, ANY, ENOLINK,
    "Asymmetric Access Persistent Loss" },
  { NVME_SC_ANA_INACCESSIBLE, ANY, ENOLINK, "Asymmetric Access Inaccessible" },
  { NVME_SC_ANA_TRANSITION, ANY, EAGAIN, "Asymmetric Access Transition" },
  { NVME_SC_CTRL_PATH_ERROR, ANY, ENOLINK, "Controller Pathing Error" },
  { NVME_SC_HOST_PATH_ERROR, ANY, ENOLINK, "Host Pathing Error" },
  { NVME_SC_HOST_ABORTED_CMD, ANY, EIO, "Command Aborted By Host" },
};

static const struct status_entry *
lookup (uint16_t status, enum ctx ctx)
{
  uint16_t code = NVME_STATUS_CODE (status); /* drops CRD, MORE, DNR */
  const struct status_entry *any = NULL;
  size_t i;

  for (i = 0; i < sizeof table / sizeof table[0]; i++) {
    if (table[i].code != code)
      continue;
    if (table[i].ctx == ctx)
      return &table[i];
    if (table[i].ctx == ANY)
      any = &table[i];
  }
  return any;
}

/* Words for codes not in the table, by status code type. */
static const char *
unknown_words (uint16_t status)
{
  switch (NVME_STATUS_SCT (status)) {
  case NVME_SCT_GENERIC:
    return "unknown generic status";
  case NVME_SCT_CMD_SPECIFIC:
    return "unknown command specific status";
  case NVME_SCT_MEDIA:
    return "unknown media or data integrity status";
  case NVME_SCT_PATH:
    return "unknown path related status";
  case NVME_SCT_VENDOR:
    return "vendor specific status";
  default:
    return "unknown status";
  }
}

static const char *
string_ctx (uint16_t status, enum ctx ctx)
{
  const struct status_entry *e = lookup (status, ctx);

  return e ? e->words : unknown_words (status);
}

static int
errno_ctx (uint16_t status, enum ctx ctx)
{
  const struct status_entry *e = lookup (status, ctx);

  if (e)
    return e->errnum;
  return NVME_STATUS_CODE (status) == 0 ? 0 : EIO;
}

const char *
nvmeof_status_string (uint16_t status)
{
  return string_ctx (status, IO);
}

int
nvmeof_status_errno (uint16_t status)
{
  return errno_ctx (status, IO);
}

const char *
status_string_fabrics (uint16_t status)
{
  return string_ctx (status, FABRICS);
}

int
status_errno_fabrics (uint16_t status)
{
  return errno_ctx (status, FABRICS);
}
