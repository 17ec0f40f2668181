/* SPDX-License-Identifier: BSD-3-Clause */
/* nbdkit-nvmeof-plugin: serve the namespaces of a remote NVMe-oF subsystem
 * as NBD exports, through libnvmeof.  This file holds the configuration,
 * the controller's life cycle and the data callbacks; exports.c holds the
 * namespace table.  Byte-granular I/O (read-modify-write of partial LBAs
 * under a range lock) is common/aligned-io.c, shared with nvmeof-fuse. */
#include <config.h>

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugin.h"

/* -D nvmeof.io=1: log every request. */
NBDKIT_DLL_PUBLIC int nvmeof_debug_io = 0;

/* The parsed parameters: every key goes to the library's one parser. */
static struct nvmeof_opts *opts;

/* One controller per nbdkit process, shared by every NBD connection. */
static struct nvmeof_ctrl *ctrl;

static void
nvplug_unload (void)
{
  nvmeof_opts_free (opts);
  opts = NULL;
}

static int
ensure_opts (void)
{
  if (opts == NULL && (opts = nvmeof_opts_new ()) == NULL) {
    nbdkit_error ("nvmeof_opts_new: %s", nvmeof_get_error ());
    return -1;
  }
  return 0;
}

static int
nvplug_config (const char *key, const char *value)
{
  if (ensure_opts () == -1)
    return -1;
  if (!nvmeof_opts_is_key (key)) {
    nbdkit_error ("unknown parameter '%s'", key);
    return -1;
  }
  /* The library's message names the key and what was expected. */
  if (nvmeof_opts_set (opts, key, value) == -1) {
    nbdkit_error ("%s", nvmeof_get_error ());
    return -1;
  }
  return 0;
}

static int
nvplug_config_complete (void)
{
  if (ensure_opts () == -1)
    return -1;
  if (nvmeof_opts_validate (opts) == -1) {
    nbdkit_error ("%s", nvmeof_get_error ());
    return -1;
  }
  return 0;
}

/* The key a bare value (nbdkit nvmeof nvme+tcp://...) is given to. */
#define MAGIC_CONFIG_KEY "url"

/* --help, built from the library's key table so that every key is listed
 * once, with the same words as in nvmeof and nvmeof-fuse.  nbdkit reads
 * .config_help only to print --help, long after the constructor. */
static char nvplug_config_help[4096];

static void help_append (size_t *len, const char *fmt, ...)
  __attribute__((__format__ (__printf__, 2, 3)));

static void
help_append (size_t *len, const char *fmt, ...)
{
  va_list ap;
  int r;

  if (*len >= sizeof nvplug_config_help)
    return;
  va_start (ap, fmt);
  r = vsnprintf (nvplug_config_help + *len, sizeof nvplug_config_help - *len,
                 fmt, ap);
  va_end (ap);
  if (r > 0)
    *len += (size_t) r;
}

static void build_config_help (void) __attribute__((constructor));

static void
build_config_help (void)
{
  const struct nvmeof_key_info *keys;
  size_t n, i, len = 0;
  char left[64];

  keys = nvmeof_opts_keys (&n);
  for (i = 0; i < n; i++) {
    const struct nvmeof_key_info *k = &keys[i];
    bool magic = strcmp (k->name, MAGIC_CONFIG_KEY) == 0;

    snprintf (left, sizeof left, "%s%s=%s%s", magic ? "[" : "", k->name,
              magic ? "]" : "", k->metavar);
    /* "key=VALUE   Help (default: X)." with help in column 26. */
    if (strlen (left) < 26)
      help_append (&len, "%s%-26s", i ? "\n" : "", left);
    else
      help_append (&len, "%s%s\n%26s", i ? "\n" : "", left, "");
    help_append (&len, "%c%s", toupper ((unsigned char) k->help[0]),
                 k->help + 1);
    if (k->default_value)
      help_append (&len, " (default: %s)", k->default_value);
    help_append (&len, ".");
  }
}

static void
nvplug_dump_plugin (void)
{
  printf ("nvmeof_version=%s\n", nvmeof_version ());
  /* One line per built feature, so that tests can require them. */
  printf ("nvmeof_tcp=yes\n");
  printf ("nvmeof_tls=yes\n");
  printf ("nvmeof_dhchap=yes\n");
  printf ("nvmeof_eth=yes\n");
}

/* Connect and load the namespace table. */
static int
connect_ctrl (void)
{
  const struct nvmeof_ctrl_info *ci;

  ctrl = nvmeof_connect (opts);
  if (ctrl == NULL) {
    nbdkit_error ("%s", nvmeof_get_error ());
    return -1;
  }
  ci = nvmeof_ctrl_get_info (ctrl);
  if (ci->discovery) {
    /* A discovery URL: every portal it lists for the (one) NVM subsystem
     * is a path. */
    struct nvmeof_ctrl *disc = ctrl;

    ctrl = nvmeof_connect_discovered (disc, opts, NULL);
    nvmeof_close (disc);
    if (ctrl == NULL) {
      nbdkit_error ("discovery: %s", nvmeof_get_error ());
      return -1;
    }
    ci = nvmeof_ctrl_get_info (ctrl);
  }
  nbdkit_debug ("connected to %s (%s, serial %s, controller ID %u), "
                "%u I/O queues of %u entries",
                ci->subnqn, ci->model, ci->serial, ci->cntlid, ci->nr_io_queues,
                ci->queue_size);
  if (exports_load (ctrl, nvmeof_opts_get_nsid (opts), ci->subnqn) == -1) {
    exports_free ();
    nvmeof_close (ctrl);
    ctrl = NULL;
    return -1;
  }
  return 0;
}

static void
disconnect_ctrl (void)
{
  exports_free ();
  if (ctrl) {
    nvmeof_close (ctrl);
    ctrl = NULL;
  }
}

/* Before nbdkit forks into the background: connect once and let go, so
 * that a wrong address, NQN or nsid= fails here, on the terminal, rather
 * than in a daemon.  The library runs threads, which do not survive a
 * fork, so the controller we serve from is made in .after_fork. */
static int
nvplug_get_ready (void)
{
  if (connect_ctrl () == -1)
    return -1;
  disconnect_ctrl ();
  return 0;
}

static int
nvplug_after_fork (void)
{
  return connect_ctrl ();
}

static void
nvplug_cleanup (void)
{
  disconnect_ctrl ();
}

/* The data path is fully parallel: the library takes many commands at
 * once from many threads, over several I/O queues. */
#define THREAD_MODEL NBDKIT_THREAD_MODEL_PARALLEL

/* The handle is the namespace's entry: there is no per-connection state. */
static void *
nvplug_open (int readonly)
{
  return exports_find (nbdkit_export_name ());
}

static int64_t
nvplug_get_size (void *handle)
{
  struct nsent *ent = handle;

  return ent->info->size;
}

/* Powers of two only, as NBD requires of the minimum and preferred. */
static bool
is_pow2 (uint32_t x)
{
  return x != 0 && (x & (x - 1)) == 0;
}

static int
nvplug_block_size (void *handle, uint32_t *minimum, uint32_t *preferred,
                   uint32_t *maximum)
{
  struct nsent *ent = handle;
  uint32_t lba = ent->info->lba_size;
  uint32_t nows = ent->info->optimal_write_size;

  /* Smaller requests work (read-modify-write) but cost a round trip. */
  *minimum = lba;
  *preferred = lba > 4096 ? lba : 4096;
  if (is_pow2 (nows) && nows > *preferred && nows <= 32 * 1024 * 1024)
    *preferred = nows;
  /* The library splits requests larger than one command (max_transfer)
   * itself, in parallel over the queue; announcing that limit would only
   * make clients split them into more NBD round trips.  So no limit. */
  *maximum = 0xffffffff;
  return 0;
}

static int
nvplug_can_write (void *handle)
{
  struct nsent *ent = handle;

  return !ent->info->write_protected;
}

/* Always: Flush with no volatile write cache has nothing to do, and says
 * so quickly. */
static int
nvplug_can_flush (void *handle)
{
  return 1;
}

static int
nvplug_can_fua (void *handle)
{
  return NBDKIT_FUA_NATIVE;
}

static int
nvplug_can_trim (void *handle)
{
  struct nsent *ent = handle;

  return ent->info->has_deallocate;
}

/* Always: without Write Zeroes, aligned_io writes zeroes itself. */
static int
nvplug_can_zero (void *handle)
{
  return 1;
}

static int
nvplug_can_fast_zero (void *handle)
{
  struct nsent *ent = handle;

  return aligned_io_can_fast_zero (&ent->aio);
}

/* Safe: every NBD connection uses the same controller, so a write that
 * completed on one is seen by reads on all; and NVMe Flush is
 * namespace-wide (it commits every completed write to the namespace,
 * whichever queue carried it), as is FUA's effect on its own write.  So a
 * flush on any connection covers the writes of all of them. */
static int
nvplug_can_multi_conn (void *handle)
{
  return 1;
}

/* NBD can carry only a few errnos; nbdkit turns the others into EINVAL,
 * which would tell a client its request was wrong when the link failed. */
static int
nbd_errno (int err)
{
  switch (err) {
  case EPERM:
  case EIO:
  case ENOMEM:
  case EINVAL:
  case ENOSPC:
  case EOVERFLOW:
  case ENOTSUP:
  case EROFS:
  case EDQUOT:
  case EFBIG:
#if EOPNOTSUPP != ENOTSUP
  case EOPNOTSUPP:
#endif
    return err;
  case EACCES:
    return EPERM;
  default: /* connection lost, timeouts, digests ... */
    return EIO;
  }
}

int
nvplug_report_error (const char *what, int neg_errno)
{
  nbdkit_error ("%s: %s", what, aligned_io_get_error ());
  nbdkit_set_error (nbd_errno (-neg_errno));
  return -1;
}

#define DEBUG_IO(op, count, offset, flags) \
  do { \
    if (nvmeof_debug_io) \
      nbdkit_debug ("%s: nsid %" PRIu32 " count %" PRIu32 " offset %" PRIu64 \
                    " flags 0x%" PRIx32, \
                    (op), ent->nsid, (count), (offset), (flags)); \
  } while (0)

static int
nvplug_pread (void *handle, void *buf, uint32_t count, uint64_t offset,
              uint32_t flags)
{
  struct nsent *ent = handle;
  int r;

  DEBUG_IO ("pread", count, offset, flags);
  r = aligned_io_pread (&ent->aio, buf, count, offset);
  return r < 0 ? nvplug_report_error ("pread", r) : 0;
}

static int
nvplug_pwrite (void *handle, const void *buf, uint32_t count, uint64_t offset,
               uint32_t flags)
{
  struct nsent *ent = handle;
  unsigned f = (flags & NBDKIT_FLAG_FUA) ? ALIGNED_IO_FUA : 0;
  int r;

  DEBUG_IO ("pwrite", count, offset, flags);
  r = aligned_io_pwrite (&ent->aio, buf, count, offset, f);
  return r < 0 ? nvplug_report_error ("pwrite", r) : 0;
}

static int
nvplug_flush (void *handle, uint32_t flags)
{
  struct nsent *ent = handle;
  int r;

  DEBUG_IO ("flush", 0, (uint64_t) 0, flags);
  r = aligned_io_flush (&ent->aio);
  return r < 0 ? nvplug_report_error ("flush", r) : 0;
}

static int
nvplug_trim (void *handle, uint32_t count, uint64_t offset, uint32_t flags)
{
  struct nsent *ent = handle;
  unsigned f = (flags & NBDKIT_FLAG_FUA) ? ALIGNED_IO_FUA : 0;
  int r;

  DEBUG_IO ("trim", count, offset, flags);
  r = aligned_io_trim (&ent->aio, count, offset, f);
  return r < 0 ? nvplug_report_error ("trim", r) : 0;
}

static int
nvplug_zero (void *handle, uint32_t count, uint64_t offset, uint32_t flags)
{
  struct nsent *ent = handle;
  unsigned f = 0;
  int r;

  DEBUG_IO ("zero", count, offset, flags);
  if (flags & NBDKIT_FLAG_FUA)
    f |= ALIGNED_IO_FUA;
  if (flags & NBDKIT_FLAG_MAY_TRIM)
    f |= ALIGNED_IO_MAY_TRIM;
  if (flags & NBDKIT_FLAG_FAST_ZERO)
    f |= ALIGNED_IO_FAST_ZERO;
  r = aligned_io_zero (&ent->aio, count, offset, f);
  if (r == -ENOTSUP && (flags & NBDKIT_FLAG_FAST_ZERO)) {
    /* The expected answer to a fast zero we cannot do: not an error. */
    nbdkit_set_error (ENOTSUP);
    return -1;
  }
  return r < 0 ? nvplug_report_error ("zero", r) : 0;
}

static struct nbdkit_plugin plugin = {
  .name = "nvmeof",
  .longname = "nbdkit NVMe over Fabrics plugin",
  .version = PACKAGE_VERSION,
  .description = "Serve the namespaces of an NVMe-oF subsystem as exports",
  .unload = nvplug_unload,
  .config = nvplug_config,
  .config_complete = nvplug_config_complete,
  .config_help = nvplug_config_help,
  .magic_config_key = MAGIC_CONFIG_KEY,
  .dump_plugin = nvplug_dump_plugin,
  .get_ready = nvplug_get_ready,
  .after_fork = nvplug_after_fork,
  .cleanup = nvplug_cleanup,
  .list_exports = nvplug_list_exports,
  .default_export = nvplug_default_export,
  .open = nvplug_open,
  .export_description = nvplug_export_description,
  .get_size = nvplug_get_size,
  .block_size = nvplug_block_size,
  .can_write = nvplug_can_write,
  .can_flush = nvplug_can_flush,
  .can_fua = nvplug_can_fua,
  .can_trim = nvplug_can_trim,
  .can_zero = nvplug_can_zero,
  .can_fast_zero = nvplug_can_fast_zero,
  .can_multi_conn = nvplug_can_multi_conn,
  .pread = nvplug_pread,
  .pwrite = nvplug_pwrite,
  .flush = nvplug_flush,
  .trim = nvplug_trim,
  .zero = nvplug_zero,
  .errno_is_preserved = 0,
};

NBDKIT_REGISTER_PLUGIN (plugin)
