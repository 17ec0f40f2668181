/* SPDX-License-Identifier: BSD-3-Clause */
/* libnvmeof: a userspace NVMe over Fabrics initiator.
 *
 * Conventions:
 * - Functions returning int return 0 on success and -1 on failure; functions
 *   returning a pointer return NULL on failure.  On failure the calling
 *   thread's error is set: nvmeof_get_error() gives a message naming the
 *   command and, for NVMe failures, the status in words; nvmeof_get_errno()
 *   gives the matching errno (one table maps NVMe status to errno).
 * - Every function is safe to call from many threads at once on the same
 *   controller or namespace, except the *_close functions.
 * - Offsets and lengths of I/O are in bytes and must be multiples of the
 *   namespace's LBA size (else EINVAL).  Transfers larger than the
 *   controller's limit are split transparently.
 */
#ifndef NVMEOF_H
#define NVMEOF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define NVMEOF_DISCOVERY_NQN "nqn.2014-08.org.nvmexpress.discovery"
#define NVMEOF_NQN_MAX       223 /* bytes, without the terminating NUL */

/* ---- Errors (thread-local) ------------------------------------------- */
const char *nvmeof_get_error (void);
int nvmeof_get_errno (void);

/* NVMe status (the 15-bit status field of a completion: SCT in bits 10:8,
 * SC in bits 7:0, CRD 12:11, MORE 13, DNR 14) in words and as an errno.
 * These are the library's one status table; front ends use them. */
const char *nvmeof_status_string (uint16_t status);
int nvmeof_status_errno (uint16_t status);
/* The NVMe status of the calling thread's last failed command, or 0 if the
 * last failure was not an NVMe status (a transport error, a timeout ...). */
uint16_t nvmeof_get_status (void);

/* ---- Options ----------------------------------------------------------
 * One parser for every front end.  Keys follow nvme-cli and the kernel:
 *   url             nvme+tcp://host[:port]/subsystem-nqn[/nsid]
 *   transport       tcp
 *   traddr          host name or address
 *   trsvcid         port (default 4420; 8009 for the discovery NQN)
 *   nqn             subsystem NQN
 *   nsid            namespace ID (front ends: which namespace to use)
 *   hostnqn         host NQN (default: /etc/nvme/hostnqn, else derived)
 *   hostid          host ID, a UUID (default: /etc/nvme/hostid, else derived)
 *   hdr-digest      boolean
 *   data-digest     boolean
 *   nr-io-queues    1..256 (default: online CPUs, capped by the controller)
 *   queue-size      16..1024 (default 128)
 *   keep-alive-tmo  seconds, 0 disables (default 5)
 *   timeout         command timeout in seconds (default 30)
 *   connect-timeout seconds (default 10)
 *   ctrl-loss-tmo   seconds (default 600)
 *   reconnect-delay seconds (default 10)
 *   fast-io-fail-tmo seconds after a failure when held commands fail
 *                   (default -1: held until ctrl-loss-tmo; 0: not held)
 *   disable-sqflow  boolean: ask to disable SQ flow control (default false)
 *   dhchap-secret   the host's DH-HMAC-CHAP secret, as +FILE or - (stdin)
 *   dhchap-ctrl-secret  the controller's, for bidirectional authentication
 * Underscore spellings (nr_io_queues ...) are accepted too.  A bad key or
 * value fails with one line naming the key and what was expected.
 * Secret keys never take the secret itself (it would show in ps): "+FILE"
 * reads it from FILE (warning on stderr if group or others can read
 * FILE), "-" reads one line from standard input (echo off on a terminal).
 * Secrets appear in no message, and nvmeof_opts_free wipes them. */
struct nvmeof_opts;

/* The keys above, one entry each, in the order front ends list them, so
 * that every front end (option tables, --help) is built from this list.
 * The array is static; count receives its length.  Entries may gain
 * fields in a later soname only. */
struct nvmeof_key_info {
  const char *name;          /* "hdr-digest" ("hdr_digest" works too) */
  const char *metavar;       /* "BOOL", "SECS", "NQN", "+FILE|-" ... */
  bool boolean;              /* a front end may take the key alone as true */
  bool secret;               /* +FILE or - only, never a literal value */
  char shortopt;             /* nvme-cli's short option letter, 0 if none */
  const char *default_value; /* for help text, NULL if none */
  const char *help;          /* one line, lower case, no final period */
};
const struct nvmeof_key_info *nvmeof_opts_keys (size_t *count);

struct nvmeof_opts *nvmeof_opts_new (void);
void nvmeof_opts_free (struct nvmeof_opts *opts);
int nvmeof_opts_set (struct nvmeof_opts *opts, const char *key,
                     const char *value);
/* True if key names an option nvmeof_opts_set accepts. */
bool nvmeof_opts_is_key (const char *key);
/* Check the options are complete (an address and a subsystem NQN). */
int nvmeof_opts_validate (const struct nvmeof_opts *opts);
/* The namespace named by nsid= or the URL, or 0 if none was given. */
uint32_t nvmeof_opts_get_nsid (const struct nvmeof_opts *opts);
/* The effective host NQN and host ID (after defaults), and a short phrase
 * saying where each came from ("/etc/nvme/hostnqn", "derived from
 * /etc/machine-id", "option"). */
const char *nvmeof_opts_get_hostnqn (const struct nvmeof_opts *opts,
                                     const char **source);
const char *nvmeof_opts_get_hostid (const struct nvmeof_opts *opts,
                                    const char **source);

/* ---- Controllers ----------------------------------------------------- */
struct nvmeof_ctrl;

/* Connect, initialise and enable a controller and create its I/O queues. */
struct nvmeof_ctrl *nvmeof_connect (const struct nvmeof_opts *opts);
/* Orderly shutdown (CC.SHN, bounded) and free.  Outstanding commands fail. */
void nvmeof_close (struct nvmeof_ctrl *ctrl);

/* Connect n controllers (1..NVMEOF_CONNECT_MANY_MAX) with the same options
 * into ctrls[0..n-1]: every admin queue first, then each controller's I/O
 * queues, so that a target which gives each new connection the next of its
 * cores in turn (SPDK's nvmf_tgt) spreads the I/O queues over n cores.
 * 0, or -1 with none left connected. */
#define NVMEOF_CONNECT_MANY_MAX 256
int nvmeof_connect_many (const struct nvmeof_opts *opts, unsigned n,
                         struct nvmeof_ctrl **ctrls);

struct nvmeof_ctrl_info {
  char model[41];   /* Identify MN, trailing spaces removed */
  char serial[21];  /* SN */
  char firmware[9]; /* FR */
  char subnqn[256]; /* SUBNQN */
  uint16_t vid, ssvid;
  uint16_t cntlid;
  uint32_t version;      /* VS property */
  uint64_t cap;          /* CAP property */
  uint32_t max_transfer; /* bytes per command (MDTS and transport) */
  uint32_t nn;           /* number of namespaces (NN) */
  uint16_t oncs;         /* optional NVM commands */
  uint8_t vwc;           /* volatile write cache field */
  uint16_t nr_io_queues; /* I/O queues in use */
  uint16_t queue_size;   /* entries per I/O queue */
  uint32_t kato_ms;      /* keep-alive timeout in use, 0 if none */
  uint32_t ioccsz_bytes; /* in-capsule data for I/O commands */
  uint32_t maxh2cdata;   /* from ICResp */
  bool hdr_digest, data_digest;
  bool discovery; /* a discovery controller */
};
const struct nvmeof_ctrl_info *nvmeof_ctrl_get_info (struct nvmeof_ctrl *ctrl);

/* The active namespace IDs (Identify CNS 02h, paged past 1024), ascending.
 * Returns the count (possibly more than max: call again with a larger
 * array), or -1.  A list naming an NSID above NN, or more than
 * NVMEOF_MAX_NAMESPACES namespaces, is refused (EPROTO). */
#define NVMEOF_MAX_NAMESPACES 16384
int64_t nvmeof_list_namespaces (struct nvmeof_ctrl *ctrl, uint32_t *nsids,
                                size_t max);

/* Raw admin commands for tools: a 4096-byte Identify (cns, nsid, cntid), Get
 * Log Page (lid, lsp, nsid, offset), Get and Set Features. */
int nvmeof_identify (struct nvmeof_ctrl *ctrl, uint8_t cns, uint32_t nsid,
                     void *buf4096);
int nvmeof_get_log_page (struct nvmeof_ctrl *ctrl, uint8_t lid, uint8_t lsp,
                         uint32_t nsid, uint64_t offset, void *buf,
                         uint32_t len);
int nvmeof_get_features (struct nvmeof_ctrl *ctrl, uint8_t fid, uint32_t nsid,
                         uint32_t cdw11, uint32_t *result);
int nvmeof_set_features (struct nvmeof_ctrl *ctrl, uint8_t fid, uint32_t nsid,
                         uint32_t cdw11, uint32_t *result);

/* ---- Multipath ---------------------------------------------------------
 * A controller made of several paths (controllers) to one subsystem, as
 * the kernel's native multipath: nvmeof_connect does it when url= was
 * given more than once, nvmeof_connect_paths from separate options (the
 * first path's iopolicy= and ctrl-loss-tmo= apply to the whole).  Every
 * path must reach the same subsystem NQN, and a namespace opened on it
 * must show the same NGUID/EUI-64/UUID on every path.  The namespace and
 * I/O calls work on it as on one controller: each command goes to a path
 * the I/O policy picks among those whose ANA state allows I/O and is sent
 * again on another path if it fails with a path error; with no usable
 * path it waits up to ctrl-loss-tmo.  nvmeof_ctrl_get_info describes the
 * first path. */
struct nvmeof_ctrl *nvmeof_connect_paths (
  const struct nvmeof_opts *const *paths, size_t n);

struct nvmeof_path_info {
  char transport[8];   /* "tcp", "eth" */
  char traddr[256];    /* address (eth: the controller's MAC) */
  char trsvcid[33];    /* port ("" for eth) */
  char host_iface[16]; /* eth: the interface */
  uint16_t cntlid;     /* controller ID of the path's association */
  char state[16];      /* "live", "connecting", "dead" (gave up) */
  char ana_state[16];  /* of nsid's ANA group: "optimized", "non-optimized",
                          "inaccessible", "persistent-loss", "change";
                          "" if ANA is not reported (or nsid is 0) */
  uint64_t commands;   /* sent on this path by the multipath layer */
  char reason[256];    /* why a path that never connected is not live
                          ("connecting": the last attempt; "dead": why it
                          gave up); "" otherwise */
};
/* The paths of ctrl (one for an ordinary controller), with the ANA state
 * of namespace nsid's group on each.  Returns the count (possibly more
 * than max), or -1. */
int64_t nvmeof_ctrl_get_paths (struct nvmeof_ctrl *ctrl, uint32_t nsid,
                               struct nvmeof_path_info *paths, size_t max);
/* Discovery feeds multipath: connect every NVMe/TCP portal the discovery
 * controller disc lists for the NVM subsystem subnqn (NULL: the only one
 * it lists; several are refused, naming them), as paths with the other
 * options of opts (one portal: an ordinary controller).  disc stays open. */
struct nvmeof_ctrl *nvmeof_connect_discovered (struct nvmeof_ctrl *disc,
                                               const struct nvmeof_opts *opts,
                                               const char *subnqn);
/* The I/O policy's name ("failover", "round-robin", "queue-depth"). */
const char *nvmeof_ctrl_get_iopolicy (struct nvmeof_ctrl *ctrl);

/* ---- Namespaces ------------------------------------------------------ */
struct nvmeof_ns;

struct nvmeof_ns_info {
  uint32_t nsid;
  uint64_t nsze;                /* size in logical blocks */
  uint64_t size;                /* size in bytes */
  uint32_t lba_size;            /* bytes (from FLBAS incl. its high bits) */
  uint8_t lbaf;                 /* LBA format index in use */
  bool write_protected;         /* NSATTR or write-protect feature */
  bool volatile_write_cache;    /* Flush means something */
  bool has_write_zeroes;        /* ONCS bit 3 */
  bool has_deallocate;          /* ONCS bit 2 (Dataset Management) */
  bool wz_deallocate;           /* DLFEAT bit 3: Write Zeroes may deallocate */
  bool deallocated_reads_zero;  /* DLFEAT bits 2:0 == 1 */
  uint32_t max_transfer;        /* bytes per command */
  uint32_t max_write_zeroes;    /* bytes per Write Zeroes command */
  uint32_t optimal_io_boundary; /* NOIOB in bytes, 0 if not reported */
  uint32_t preferred_write_granularity; /* NPWG in bytes, 0 if none */
  uint32_t optimal_write_size;          /* NOWS in bytes, 0 if none */
  bool has_nguid, has_eui64, has_uuid;
  uint8_t nguid[16];
  uint8_t eui64[8];
  uint8_t uuid[16];
};

/* Identify the namespace and prepare it for I/O.  Namespaces formatted with
 * metadata or protection information are refused. */
struct nvmeof_ns *nvmeof_ns_open (struct nvmeof_ctrl *ctrl, uint32_t nsid);
void nvmeof_ns_close (struct nvmeof_ns *ns);
const struct nvmeof_ns_info *nvmeof_ns_get_info (struct nvmeof_ns *ns);

/* Flags for I/O. */
#define NVMEOF_FUA        (1u << 0) /* Write, Write Zeroes: force unit access */
#define NVMEOF_DEALLOCATE (1u << 1) /* Write Zeroes: may deallocate (DEAC) */

struct nvmeof_range {
  uint64_t offset; /* bytes */
  uint64_t length; /* bytes */
};

/* Blocking I/O. */
int nvmeof_read (struct nvmeof_ns *ns, void *buf, size_t len, uint64_t offset);
int nvmeof_write (struct nvmeof_ns *ns, const void *buf, size_t len,
                  uint64_t offset, unsigned flags);
int nvmeof_flush (struct nvmeof_ns *ns);
int nvmeof_write_zeroes (struct nvmeof_ns *ns, uint64_t len, uint64_t offset,
                         unsigned flags);
int nvmeof_deallocate (struct nvmeof_ns *ns, const struct nvmeof_range *ranges,
                       unsigned nr_ranges);

/* ---- Asynchronous I/O -------------------------------------------------
 * Submit with a callback; the callback runs in the thread that calls
 * nvmeof_ctrl_process(), never inside a submit call.  status is 0 on success
 * or -errno; nvme_status is the NVMe status (0 if the failure was not an
 * NVMe status).  The buffer must stay valid until the callback runs.
 * nvmeof_ctrl_get_fd() is readable when nvmeof_ctrl_process() has work:
 * callbacks ready to run or completions to read (poll it, don't read it).
 * Commands submitted by callbacks are sent together when
 * nvmeof_ctrl_process() returns. */
typedef void (*nvmeof_callback) (void *opaque, int status,
                                 uint16_t nvme_status);

int nvmeof_aio_read (struct nvmeof_ns *ns, void *buf, size_t len,
                     uint64_t offset, nvmeof_callback cb, void *opaque);
int nvmeof_aio_write (struct nvmeof_ns *ns, const void *buf, size_t len,
                      uint64_t offset, unsigned flags, nvmeof_callback cb,
                      void *opaque);
int nvmeof_aio_flush (struct nvmeof_ns *ns, nvmeof_callback cb, void *opaque);
int nvmeof_ctrl_get_fd (struct nvmeof_ctrl *ctrl);
/* Run the ready callbacks; returns how many ran, or -1. */
int nvmeof_ctrl_process (struct nvmeof_ctrl *ctrl);

/* ---- Discovery ------------------------------------------------------- */
struct nvmeof_disc_entry {
  uint8_t trtype;  /* 3 = TCP */
  uint8_t adrfam;  /* 1 = IPv4, 2 = IPv6 */
  uint8_t subtype; /* 1 referral, 2 NVM subsystem, 3 current DC */
  uint8_t treq;
  uint16_t portid;
  uint16_t cntlid;
  uint16_t asqsz;
  uint16_t eflags;
  uint8_t sectype; /* TSAS byte 0 for TCP */
  char trsvcid[33];
  char traddr[257];
  char subnqn[257];
};

/* Read the whole discovery log (log page 70h, in pages, re-read when GENCTR
 * changed underneath).  *entries is malloc'ed; free it with free(). */
int nvmeof_discover (struct nvmeof_ctrl *ctrl,
                     struct nvmeof_disc_entry **entries, size_t *count,
                     uint64_t *genctr);

/* Names for discovery fields, for printing. */
const char *nvmeof_trtype_string (uint8_t trtype);
const char *nvmeof_adrfam_string (uint8_t adrfam);
const char *nvmeof_subtype_string (uint8_t subtype);

/* ---- NVMe over raw Ethernet: discovery on the link ---------------------- */
/* What a controller said in answer to a probe (docs/nvme-eth.md, 15). */
struct nvmeof_eth_ns {
  uint32_t nsid;
  uint32_t lba_size; /* bytes */
  uint64_t size;     /* bytes */
};

struct nvmeof_eth_subsys {
  uint8_t subtype; /* 2 NVM subsystem, 3 discovery subsystem */
  char nqn[224];
  size_t nr_ns;
  struct nvmeof_eth_ns *ns;
};

struct nvmeof_eth_target {
  char iface[16];     /* the interface it answered on */
  char mac[18];       /* "02:00:00:00:00:01" */
  uint16_t max_frame; /* its link MTU */
  bool complete;      /* every frame of its answer arrived */
  size_t nr_subsys;
  struct nvmeof_eth_subsys *subsys;
};

/* Broadcast a probe on the interface of opts (host-iface=, or the URL
 * nvme+eth://IFACE, with ethertype=), twice more while waiting, and
 * collect the answers for wait_ms (0: 500 ms).  *targets (sorted by MAC,
 * possibly none) is freed with nvmeof_eth_targets_free.  -1 with the
 * error set if the link cannot be used (no interface, no CAP_NET_RAW). */
int nvmeof_eth_discover (const struct nvmeof_opts *opts, unsigned wait_ms,
                         struct nvmeof_eth_target **targets, size_t *count);
void nvmeof_eth_targets_free (struct nvmeof_eth_target *targets, size_t count);

/* ---- Version --------------------------------------------------------- */
const char *nvmeof_version (void);

#ifdef __cplusplus
}
#endif

#endif /* NVMEOF_H */
