/* SPDX-License-Identifier: BSD-3-Clause */
/* nvmeof connect, list-connections, disconnect: the background
 * connections' state (connections-state.c). */
#ifndef NVMEOF_CONNECTIONS_H
#define NVMEOF_CONNECTIONS_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "nvmeof-tool.h"

#define CONN_MAX_ID 100000
/* Room for the state directory's path, and a connection's file's. */
#define CONN_DIR_MAX   512
#define CONN_FILE_MAX  (CONN_DIR_MAX + 64)
#define CONN_MAX_NSIDS 1024
/* How long connect waits for the process to serve (seconds). */
#define CONN_START_TIMEOUT 60
/* How long disconnect waits for it to exit before killing it. */
#define CONN_STOP_TIMEOUT 30

/* One connection's record (info.json). */
struct conn_info {
  unsigned id;
  char kind[8];        /* "nbd" (nbdkit) or "fuse" (nvmeof-fuse) */
  char url[1024];      /* as given */
  char subnqn[256];    /* the subsystem's, from Identify */
  char transport[8];   /* the controller's address: "tcp", "eth" */
  char traddr[256];    /* IP address or MAC */
  char trsvcid[33];    /* port ("" for eth) */
  char host_iface[16]; /* eth: the interface ("" for tcp) */
  char path[PATH_MAX]; /* the NBD socket or the mount point */
  uint32_t nsids[CONN_MAX_NSIDS];
  size_t nr_nsids;
  pid_t pid;
  uint64_t starttime; /* /proc/PID/stat field 22, at connect */
  char boot_id[40];
};

/* The state directory ($XDG_RUNTIME_DIR/nvmeof, else /run/nvmeof for root,
 * /tmp/nvmeof-UID for others), created 0700; refused unless a directory
 * of ours with mode 0700.  -1 after a message. */
int conn_state_dir (const struct cli *cli, char *buf, size_t len);
/* A new connection directory STATE/N (the lowest free N). */
int conn_dir_create (const struct cli *cli, const char *state, unsigned *id,
                     char *dir, size_t len);
/* Remove a connection directory and the files it may hold. */
void conn_dir_remove (const char *dir);
/* info.json, written atomically; read and validated (-1 with *why). */
int conn_info_write (const struct cli *cli, const char *dir,
                     const struct conn_info *ci);
int conn_info_read (const char *dir, unsigned id, struct conn_info *ci,
                    const char **why);
/* This boot's ID; a process's start time (and state letter). */
int conn_boot_id (char id[40]);
int conn_proc_starttime (pid_t pid, uint64_t *starttime, char *state);
/* The recorded process still runs: same pid, start time and boot. */
bool conn_alive (const struct conn_info *ci);
/* Seconds since the process started. */
double conn_uptime (const struct conn_info *ci);
/* A FUSE file system is mounted on path (as /proc/self/mountinfo says). */
bool conn_fuse_mounted (const char *path);
/* fusermount3 -u [-z] path: 0 if it succeeded. */
int conn_unmount (const char *path, bool lazy);
/* After a crash: unmount a dead FUSE mount, remove the socket and the
 * directory.  Nothing is signalled. */
void conn_clean_stale (const char *dir, const struct conn_info *ci);
/* Stop cleanly: unmount (FUSE) or SIGTERM (nbdkit), wait up to timeout_s,
 * then SIGKILL (an error); remove what is left.  -1 after a message. */
int conn_stop (const struct cli *cli, const char *dir,
               const struct conn_info *ci, unsigned timeout_s);
/* For each live connection in id order (stale ones are cleaned and
 * reported on stderr on the way).  -1 if fn failed for any. */
typedef int (*conn_fn) (const struct cli *cli, const char *dir,
                        struct conn_info *ci, void *data);
int conn_foreach (const struct cli *cli, conn_fn fn, void *data);

#endif
