/* SPDX-License-Identifier: BSD-3-Clause */
/* The discovery log page (70h) as a host sees it through a port: first
 * the discovery subsystem itself (subtype 3, as Linux nvmet reports it),
 * then the NVM subsystems of the port that allow this host, then the
 * port's referrals to other discovery services.  Each entry carries its
 * port's TREQ (secure channel required or not, SQ flow control disable)
 * and TSAS (for TCP, the security type: none or TLS 1.3), as nvmet's.
 * An NVMe/Ethernet port's entries (docs/nvme-eth.md, 15.1) carry its
 * TRTYPE and ADRFAM, its MAC address as TRADDR and its EtherType as
 * TRSVCID. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "target.h"
#include "nvme-eth-wire.h"

#define ADMIN_QUEUE_SIZE 32 /* ASQSZ, as nvmet reports */

/* ASCII fields of the log entry are padded with spaces. */
static void
put_spaced (char *dst, size_t n, const char *src)
{
  size_t len = strnlen (src, n);

  memset (dst, ' ', n);
  memcpy (dst, src, len);
}

/* A port listening on the wildcard address reports the address the host
 * reached it on, as nvmet does. */
static void
port_traddr (const struct tgt_port *port, const struct sockaddr_storage *local,
             char *out, size_t n)
{
  if (port->trtype == NVME_ETH_TRTYPE) {
    const uint8_t *m = port->mac;
    snprintf (out, n, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3],
              m[4], m[5]);
    return;
  }
  if (strcmp (port->traddr, "0.0.0.0") != 0 &&
      strcmp (port->traddr, "::") != 0) {
    snprintf (out, n, "%s", port->traddr);
    return;
  }
  if (local->ss_family == AF_INET)
    inet_ntop (AF_INET, &((const struct sockaddr_in *) local)->sin_addr, out,
               n);
  else if (local->ss_family == AF_INET6)
    inet_ntop (AF_INET6, &((const struct sockaddr_in6 *) local)->sin6_addr, out,
               n);
  else
    snprintf (out, n, "%s", port->traddr);
}

static void
fill_entry (struct nvmf_disc_log_entry *e, uint8_t trtype, uint8_t adrfam,
            uint8_t subtype, uint8_t treq, uint8_t tsas, uint16_t portid,
            const char *trsvcid, const char *subnqn, const char *traddr)
{
  e->trtype = trtype;
  e->adrfam = adrfam;
  e->subtype = subtype;
  e->treq = treq;
  PUT16 (e->portid, portid);
  PUT16 (e->cntlid, NVMF_CNTLID_DYNAMIC);
  PUT16 (e->asqsz, ADMIN_QUEUE_SIZE);
  put_spaced (e->trsvcid, sizeof e->trsvcid, trsvcid);
  snprintf (e->subnqn, sizeof e->subnqn, "%s", subnqn);
  put_spaced (e->traddr, sizeof e->traddr, traddr);
  if (trtype == NVMF_TRTYPE_TCP)
    e->tsas.tcp.sectype = tsas;
}

uint8_t *
discovery_log_build (const struct tgt_ctrl *ctrl,
                     const struct sockaddr_storage *local, size_t *size)
{
  const struct tgt_port *port = ctrl->port;
  struct nvmf_disc_log_hdr hdr;
  struct nvmf_disc_log_entry e;
  char traddr[256];
  uint8_t treq = port->treq | NVMF_TREQ_DISABLE_SQFLOW;
  size_t n = 1, i;
  uint8_t *buf;

  for (i = 0; i < port->nr_subsys; i++)
    n += subsys_allows_host (port->subsys[i], ctrl->hostnqn);
  n += port->nr_refs;
  *size = sizeof hdr + n * sizeof e;
  buf = calloc (1, *size);
  if (!buf)
    return NULL;
  memset (&hdr, 0, sizeof hdr);
  PUT64 (hdr.genctr, cfg.genctr);
  PUT64 (hdr.numrec, n);
  PUT16 (hdr.recfmt, 0);
  memcpy (buf, &hdr, sizeof hdr);

  port_traddr (port, local, traddr, sizeof traddr);
  n = 0;
  memset (&e, 0, sizeof e);
  fill_entry (&e, port->trtype, port->adrfam, NVMF_SUBTYPE_CURRENT_DISC, treq,
              port->tsas, port->portid, port->trsvcid, TGT_DISCOVERY_NQN,
              traddr);
  PUT16 (e.eflags, NVMF_EFLAGS_DUPRETINFO | NVMF_EFLAGS_EPCSD);
  memcpy (buf + sizeof hdr + n++ * sizeof e, &e, sizeof e);

  for (i = 0; i < port->nr_subsys; i++) {
    if (!subsys_allows_host (port->subsys[i], ctrl->hostnqn))
      continue;
    memset (&e, 0, sizeof e);
    fill_entry (&e, port->trtype, port->adrfam, NVMF_SUBTYPE_NVM, treq,
                port->tsas, port->portid, port->trsvcid, port->subsys[i]->nqn,
                traddr);
    memcpy (buf + sizeof hdr + n++ * sizeof e, &e, sizeof e);
  }
  for (i = 0; i < port->nr_refs; i++) {
    const struct tgt_referral *ref = &port->refs[i];

    memset (&e, 0, sizeof e);
    fill_entry (&e, ref->trtype, ref->adrfam, NVMF_SUBTYPE_REFERRAL, ref->treq,
                ref->tsas, ref->portid, ref->trsvcid, TGT_DISCOVERY_NQN,
                ref->traddr);
    memcpy (buf + sizeof hdr + n++ * sizeof e, &e, sizeof e);
  }
  return buf;
}
