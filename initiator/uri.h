/* SPDX-License-Identifier: BSD-3-Clause */
/* NVMe-oF URIs (NVMe Boot Specification):
 *   nvme+tcp://host[:port]/subsystem-nqn[/nsid]
 *   nvme+eth://... is reserved for the raw-Ethernet transport. */
#ifndef NVMEOF_URI_H
#define NVMEOF_URI_H

#include <stdint.h>

#include "opts.h"

/* Parse into opts (transport, traddr, trsvcid, subnqn, nsid).  On error
 * sets the library error ("url: ... at character N") and returns -1. */
int uri_parse (const char *uri, struct nvmeof_opts *opts);

#endif
