/* SPDX-License-Identifier: BSD-3-Clause */
/* NVMe-oF URIs (NVMe Boot Specification), and NVMe over raw Ethernet's:
 *   nvme+tcp://host[:port]/subsystem-nqn[/nsid]
 *   nvme+eth://iface/mac/subsystem-nqn[/nsid]   (docs/nvme-eth.md) */
#ifndef NVMEOF_URI_H
#define NVMEOF_URI_H

#include <stdint.h>

#include "opts.h"

/* Parse into opts (transport, traddr, trsvcid, subnqn, nsid, host_iface).  On error
 * sets the library error ("url: ... at character N") and returns -1. */
int uri_parse (const char *uri, struct nvmeof_opts *opts);

#endif
