/* SPDX-License-Identifier: BSD-3-Clause */
/* The parsed connection options (struct nvmeof_opts) shared by the
 * library's files.  Front ends see it only through nvmeof_opts_*. */
#ifndef NVMEOF_OPTS_H
#define NVMEOF_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nvmeof.h"

enum nvmeof_transport_type {
  NVMEOF_TRANSPORT_TCP = 0,
  NVMEOF_TRANSPORT_ETH = 1, /* raw Ethernet (AF_PACKET), docs/nvme-eth.md */
};

/* Longest secret text: DHHC-1 with a 64-byte key takes 103 bytes. */
#define OPTS_SECRET_MAX 255

/* Up to this many paths (url= given again) to one subsystem. */
#define OPTS_MAX_PATHS 16

/* One further path: what a URL names. */
struct opts_path {
  enum nvmeof_transport_type transport;
  char traddr[256];
  char trsvcid[33];
  char subnqn[NVMEOF_NQN_MAX + 1];
  char host_iface[16];
};

struct nvmeof_opts {
  enum nvmeof_transport_type transport;
  char traddr[256]; /* host name, IPv4 or IPv6 literal (no brackets);
                       eth: the controller's MAC, aa:bb:cc:dd:ee:ff */
  char trsvcid[33]; /* port; "" = default for the NQN */
  char subnqn[NVMEOF_NQN_MAX + 1];
  uint32_t nsid;                    /* 0 = not given */
  char hostnqn[NVMEOF_NQN_MAX + 1]; /* "" = default */
  char hostid[37];                  /* UUID string; "" = default */
  const char *hostnqn_source, *hostid_source;
  bool hdr_digest, data_digest;
  bool disable_sqflow;        /* Connect CATTR bit 2 on I/O queues */
  uint16_t nr_io_queues;      /* 0 = online CPUs */
  uint16_t queue_size;        /* default 128 */
  uint32_t kato_s;            /* keep-alive-tmo, default 5, 0 disables */
  uint32_t timeout_s;         /* command timeout, default 30 */
  uint32_t connect_timeout_s; /* default 10 */
  int32_t ctrl_loss_tmo_s;    /* default 600, -1 = forever */
  uint32_t reconnect_delay_s; /* default 10 */
  int32_t fast_io_fail_tmo_s; /* default -1 = off (reconnect.c) */
  /* DH-HMAC-CHAP secrets as read from +FILE or - ("DHHC-1:..."), "" if
   * none.  Never printed; wiped by opts_wipe. */
  char dhchap_secret[OPTS_SECRET_MAX + 1];
  char dhchap_ctrl_secret[OPTS_SECRET_MAX + 1];
  /* TLS: on (tls=, or implied by tls-key=), the configured PSK as read
   * ("NVMeTLSkey-1:..."; "" if none), the PSK identity's version, and
   * whether to derive the TLS PSK with libnvme 1.7-1.15's labels. */
  bool tls;
  char tls_key[OPTS_SECRET_MAX + 1];
  int tls_identity;
  bool tls_compat;
  /* Secure channel concatenation: the admin queue authenticates in plain
   * TCP with SC_C NEWTLSPSK, then every queue runs over TLS keyed by the
   * PSK that exchange generated (auth.c, ctrl.c). */
  bool concat;
  /* NVMe/Ethernet (transport=eth): the interface (IFNAMSIZ) and the
   * EtherType (0: 0x88B5). */
  char host_iface[16];
  uint16_t ethertype;
  /* Multipath (multipath.c): url= given more than once names further
   * paths to the same subsystem; iopolicy= spreads I/O over them. */
  unsigned nr_urls;        /* url= seen so far */
  unsigned nr_extra_paths; /* in extra_paths[] */
  struct opts_path extra_paths[OPTS_MAX_PATHS - 1];
  int iopolicy; /* enum mpath_iopolicy */
};

/* Fill the host NQN and host ID defaults in place (idempotent). */
int opts_resolve_host_identity (struct nvmeof_opts *opts);
/* opts-secret.c.  Wipe *opts (OPENSSL_cleanse): for anything holding a
 * copy of the options, before it is freed, so that no secret outlives it. */
void opts_wipe (struct nvmeof_opts *opts);
/* key=+FILE or key=-: the secret's text into out (OPTS_SECRET_MAX + 1
 * bytes) if check accepts it (0; else -1 and a sentence in err that does
 * not quote the text); out is left alone on failure. */
typedef int (*opts_secret_check_fn) (const char *text, char *err,
                                     size_t errlen);
int opts_set_secret (const char *key, const char *value, char *out,
                     opts_secret_check_fn check);
/* uri.c: a MAC address "aa:bb:cc:dd:ee:ff" (or with '-', hex digits in
 * either case), as NVMe/Ethernet names a controller.  0, -1 if text is not
 * one, -2 if it is not a station's (multicast, broadcast, all zero). */
int opts_parse_mac (const char *text, uint8_t mac[6]);
/* uri.c: a Linux interface name: 1 to 15 bytes, not "." or "..", no '/',
 * ':' or white space. */
bool opts_iface_valid (const char *name);
/* The effective port: trsvcid, or 8009 for the discovery NQN, else 4420. */
const char *opts_port (const struct nvmeof_opts *opts);

#endif
