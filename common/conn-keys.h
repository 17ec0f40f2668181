/* SPDX-License-Identifier: BSD-3-Clause */
/* The connection keys a command line offers as options (nvmeof,
 * nvmeof-fuse): the library's key table but for the URL (given as an
 * argument) and the NSID (a command's own option where it has one). */
#ifndef NVMEOF_CONN_KEYS_H
#define NVMEOF_CONN_KEYS_H

#include <stddef.h>

#include "nvmeof.h"

#define CONN_KEYS_MAX 0x40

/* Fill keys (CONN_KEYS_MAX entries) from nvmeof_opts_keys; returns how
 * many.  A key past CONN_KEYS_MAX would be missing from --help, which
 * test-nvmeof-docs.sh notices. */
size_t conn_keys_load (const struct nvmeof_key_info **keys);

#endif
