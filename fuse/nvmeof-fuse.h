/* SPDX-License-Identifier: BSD-3-Clause */
/* nvmeof-fuse: each active namespace of an NVMe-oF subsystem as a regular
 * file n<NSID> in a FUSE mount.  Shared declarations of nvmeof-fuse.c
 * (connection, mount, main loop), cmdline.c and operations.c (the FUSE
 * low-level operations). */
#ifndef NVMEOF_FUSE_H
#define NVMEOF_FUSE_H

/* The one place the libfuse API version is chosen: 3.12 is the first with
 * the opaque fuse_loop_config (fuse_loop_cfg_*); older 3.x libraries use
 * the old struct (see nvmeof-fuse.c). */
#define FUSE_USE_VERSION 312

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include <sys/types.h>

#include <fuse_lowlevel.h>

#include "aligned-io.h"
#include "nvmeof.h"

/* Largest read or write request we ask the kernel for: 1 MiB is libfuse's
 * limit (FUSE_MAX_MAX_PAGES 256 pages) and needs Linux 4.20+ max_pages;
 * older kernels grant 128 KiB. */
#define NVMEOF_FUSE_MAX_REQUEST (1024 * 1024)

/* Inode numbers: the root directory is FUSE_ROOT_ID (1), the file of
 * files[i] is i + NVMEOF_FUSE_FIRST_INO. */
#define NVMEOF_FUSE_FIRST_INO 2

struct nsfile {
  uint32_t nsid;
  char name[16]; /* "n1" */
  struct nvmeof_ns *ns;
  struct aligned_io aio; /* byte-granular I/O with RMW */
  bool aio_ready;
  uint64_t size;
  uint32_t lba_size;
  bool read_only;    /* write-protected namespace, or -o ro */
  bool punch_by_dsm; /* deallocate reads back zeroes */
  bool has_write_zeroes;
};

struct nvmeof_fuse {
  /* Command line. */
  const char *url;
  const char *mountpoint;
  bool foreground, debug, verbose, single_thread;
  bool read_only; /* -o ro */
  bool direct_io; /* page-cache policy, see nvmeof-fuse(1) */
  unsigned max_threads;

  /* Connection and namespaces (sorted by NSID). */
  struct nvmeof_ctrl *ctrl;
  struct nsfile *files;
  size_t nr_files;

  /* Attributes. */
  uid_t uid;
  gid_t gid;
  struct timespec mount_time;

  /* What the kernel actually sent (reported with -v at exit). */
  atomic_uint_fast64_t max_read_seen, max_write_seen;
};

/* cmdline.c: parse the command line into nf, libfuse's args and the
 * connection options.  0 to go on, 1 after --help or --version (exit 0),
 * -1 after printing one error line. */
int nvmeof_fuse_parse_args (int argc, char **argv, struct nvmeof_fuse *nf,
                            struct fuse_args *args,
                            struct nvmeof_opts **opts_ret);

/* operations.c */
extern const struct fuse_lowlevel_ops nvmeof_fuse_ops;
/* Set up the per-thread read buffers (once, before the loop). */
int nvmeof_fuse_ops_init (void);

#endif
