/* SPDX-License-Identifier: BSD-3-Clause */
/* Host identity: the host NQN and host ID, stable across runs. */
#ifndef NVMEOF_HOSTID_H
#define NVMEOF_HOSTID_H

#include <limits.h>
#include <stddef.h>
#include <stdbool.h>

/* Validate an NQN: "nqn.yyyy-mm.reverse.domain:..." or the UUID form
 * "nqn.2014-08.org.nvmexpress:uuid:<uuid>", at most 223 bytes.  On error
 * sets the library error naming what is wrong (with key as prefix). */
int nqn_validate (const char *key, const char *nqn);
/* A subsystem NQN: only length (1..223 bytes) and characters are checked,
 * since targets accept any name ("testnqn"). */
int subnqn_validate (const char *key, const char *nqn);
/* Validate and normalise a UUID string (36 chars, lower case). */
int uuid_validate (const char *key, const char *uuid, char out[37]);
int uuid_parse_bytes (const char *uuid, unsigned char out[16]);

/* Defaults, in order: the files (/etc/nvme/hostnqn, /etc/nvme/hostid, or
 * $NVMEOF_HOSTNQN_FILE / $NVMEOF_HOSTID_FILE for tests), else derived
 * stably from /etc/machine-id (or the DMI product UUID) as nvme-cli does.
 * *source says where the value came from. */
int hostnqn_default (char *buf, size_t len, const char **source);
int hostid_default (char *buf, size_t len, const char **source);
/* The same when the other half of the identity is already known (given
 * as an option): a missing host NQN file gives the UUID-form NQN of that
 * host ID, and a missing host ID file gives the UUID of a UUID-form host
 * NQN, so that the pair stays consistent.  NULL behaves as above.
 * $NVMEOF_MACHINE_ID_FILE replaces /etc/machine-id (for tests). */
int hostnqn_default_for_hostid (const char *hostid, char *buf, size_t len,
                                const char **source);
int hostid_default_for_hostnqn (const char *hostnqn, char *buf, size_t len,
                                const char **source);

/* ---- hostid-store.c: where the identity files are ---------------------- */
/* How each file of a place is named in sources and messages. */
struct id_labels {
  const char *nqn, *id;    /* the files */
  const char *uuid_in_nqn; /* a host ID taken from a UUID-form host NQN */
  const char *from_id;     /* a host NQN made from the host ID */
};
/* One place holding a host NQN and host ID pair. */
struct id_files {
  char nqn[PATH_MAX], id[PATH_MAX];
  const struct id_labels *labels;
  bool user; /* the user's configuration directory */
};
/* The system's files: /etc/nvme/hostnqn and hostid, or (tests)
 * $NVMEOF_HOSTNQN_FILE and $NVMEOF_HOSTID_FILE. */
void id_files_system (struct id_files *f);
/* The user's: $XDG_CONFIG_HOME/nvmeof/, else ~/.config/nvmeof/.  0 if
 * there is no home directory to name. */
int id_files_user (struct id_files *f);
/* A random identity, written once (root: the system's files, others or a
 * root that cannot write there: the user's) and said so on stderr; f
 * names the files that hold it then (ours or a faster process's).  -1
 * with the error set. */
int id_files_generate (struct id_files *f);

#endif
