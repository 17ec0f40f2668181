/* SPDX-License-Identifier: BSD-3-Clause */
/* nvmeof-target: declarations shared by its files, grouped by the file that
 * defines them.  Global state is the parsed configuration (read-only once
 * serving starts), the controller registry and the counters; everything
 * else lives in a connection, a controller or a request. */
#ifndef NVMEOF_TARGET_H
#define NVMEOF_TARGET_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "parse-size.h"
#include <poll.h>
#include <pthread.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "nvme-wire.h"
#include "nvmf-wire.h"
#include "nvme-tcp-wire.h"
#include "dhchap.h"
#include "tls-psk.h"

#define TGT_DISCOVERY_NQN    "nqn.2014-08.org.nvmexpress.discovery"
#define TGT_DEFAULT_NQN      "nqn.2026-11.io.nvmeof:target"
#define TGT_NQN_MAX          223   /* bytes, the NUL not counted */
#define TGT_MQES             1023  /* CAP.MQES, 0's based */
#define TGT_AERL             3     /* Identify AERL, 0's based */
#define TGT_ADMIN_ICD        8192  /* admin in-capsule data (as Linux) */
#define TGT_MAX_R2T          16    /* cap on --maxr2t */
#define TGT_DEFAULT_POLL     1000  /* --poll-us */
#define TGT_DEFAULT_MAXQID   128   /* nvmet's default qid_max */
#define TGT_MAX_NSID         8192  /* nvmetcli's MAX_NSID */
#define TGT_TLS_HANDSHAKE_MS 10000 /* nvmet-tcp's tls_handshake_timeout */
#define TGT_CONNECT_TIMEOUT  10    /* --connect-timeout, s (as the above) */
#define TGT_ANAGRP_MAX       128   /* ANA groups: nvmet's NVMET_MAX_ANAGRPS */
#define TGT_ANATT            10    /* ANA transition time, s (as nvmet) */

/* NVMe statuses are handled as (SCT << 8) | SC, the NVME_SC_* and
 * NVMF_SC_* codes of the wire headers; DNR is added when the completion is
 * built. */

/* ---- backend.c: where a namespace's bytes live ---------------------- */
enum backend_kind { BACKEND_RAM, BACKEND_FILE, BACKEND_BLOCK };

struct backend {
  enum backend_kind kind;
  char *path;      /* file or device; NULL for RAM */
  int fd;          /* -1 for RAM */
  uint8_t *ram;    /* RAM contents (mmap) */
  uint64_t size;   /* bytes */
  unsigned lbsize; /* block device logical block size */
  int dio_fd;      /* the same opened with O_DIRECT (io_uring), or -1 */
  bool readonly;
  atomic_bool punch_ok;      /* FALLOC_FL_PUNCH_HOLE works */
  atomic_bool zero_range_ok; /* FALLOC_FL_ZERO_RANGE works */
};

/* spec is "ram:SIZE" or a path.  Returns 0, or -1 after printing one line. */
int backend_open (struct backend *be, const char *spec, bool readonly);
void backend_close (struct backend *be);
int backend_read (struct backend *be, void *buf, uint64_t off, size_t len);
int backend_write (struct backend *be, const void *buf, uint64_t off,
                   size_t len);
int backend_sync (struct backend *be, bool data_only);
int backend_zero (struct backend *be, uint64_t off, uint64_t len);
int backend_deallocate (struct backend *be, uint64_t off, uint64_t len);
/* The io_uring backend: open the namespace again with O_DIRECT as dio_fd
 * when the file system takes it and its alignment divides lba_size (and
 * the request buffers' 4096); else (one verbose line) buffered I/O. */
void backend_open_direct (struct backend *be, unsigned lba_size);
/* Parse "1G", "512k", "4096" into bytes.  -1 if invalid. */

/* ---- config.c: the model nvmetcli describes ------------------------- */
/* Write Protection Config (feature 84h) states. */
enum { WP_NONE = 0, WP_ON = 1, WP_POWER_CYCLE = 2, WP_PERMANENT = 3 };

struct tgt_ns {
  uint32_t nsid;
  struct backend be;
  unsigned lba_shift; /* 9 or 12 */
  uint64_t nlbas;
  uint8_t nguid[16]; /* all zero: absent */
  uint8_t uuid[16];
  uint8_t eui64[8];
  atomic_int wp;     /* WP_* */
  uint32_t anagrpid; /* ANA group, 1 .. TGT_ANAGRP_MAX */
  bool buffered_io;  /* no O_DIRECT (nvmet's attribute of that name) */
};

struct tgt_subsys {
  char nqn[TGT_NQN_MAX + 1];
  bool discovery;
  bool allow_any_host;
  char **hosts; /* allowed host NQNs */
  size_t nr_hosts;
  struct tgt_ns *ns; /* sorted by nsid */
  size_t nr_ns;
  char serial[21];
  char model[41];
  char firmware[9];
  uint32_t version; /* VS register value */
  uint16_t cntlid_min, cntlid_max;
  uint16_t max_qid;
  uint32_t nn; /* Identify NN */
  bool vwc;    /* report a volatile write cache */
};

struct tgt_referral {
  uint8_t trtype, adrfam, treq;
  uint8_t tsas; /* TCP: NVMF_TCP_SECTYPE_* */
  uint16_t portid;
  char traddr[256];
  char trsvcid[32];
};

struct tgt_port {
  uint16_t portid;
  uint8_t trtype, adrfam, treq;
  uint8_t tsas; /* NVMF_TCP_SECTYPE_NONE or _TLS13 (tls-config.c) */
  char traddr[256];
  char trsvcid[32];
  struct tgt_subsys **subsys; /* the NVM subsystems this port exposes */
  size_t nr_subsys;
  struct tgt_referral *refs;
  size_t nr_refs;
  uint32_t inline_data_size;
  int listen_fd;
  /* trtype NVME_ETH_TRTYPE: traddr is the interface (eth-listen.c). */
  uint16_t ethertype;
  uint8_t mac[6];
  struct eth_port *eth;
  /* ANA: this port's state of each group (NVME_ANA_*) and the change
   * count of its last change (ana.c); changed by the control socket. */
  _Atomic uint8_t ana_state[TGT_ANAGRP_MAX + 1];
  _Atomic uint64_t ana_chgcnt[TGT_ANAGRP_MAX + 1];
  atomic_bool down; /* "listener PORT down": not listening */
  /* Commands received on the port's queues (stats.c). */
  _Atomic uint64_t nr_admin, nr_io;
};

/* Fault injection (fault.c reads these; all 0 = off). */
struct fault_opts {
  uint64_t close_after, delay_ms, corrupt_hdgst, corrupt_ddgst;
  uint64_t termreq_after, bad_plen, bad_hlen, bad_pdo, unknown_cid;
  uint64_t data_overflow, hang_after;
  bool auth_close; /* close instead of sending Failure1 */
  bool once;       /* fire in the first connection only */
  bool admin;      /* count admin queues too */
};

/* A host as nvmet's configfs hosts/ directory describes it: its
 * DH-HMAC-CHAP secrets and parameters (auth-config.c), and its TLS PSK
 * (tls-config.c; nvmet keeps those in the kernel's keyring). */
struct tgt_host {
  char nqn[TGT_NQN_MAX + 1];
  bool has_key, has_ctrl_key;
  struct dhchap_key key;      /* dhchap_key: the host proves it knows it */
  struct dhchap_key ctrl_key; /* dhchap_ctrl_key: we prove we know it */
  uint8_t hashid;             /* dhchap_hash: NVMF_AUTH_HASH_* */
  uint8_t dhgid;              /* dhchap_dhgroup: NVMF_AUTH_DHGROUP_* */
  bool has_tls_key;
  struct tls_psk_key tls_key; /* the configured PSK ("NVMeTLSkey-1:") */
};

struct tgt_config {
  struct tgt_port *ports;
  size_t nr_ports;
  struct tgt_subsys **subsys; /* NVM subsystems */
  size_t nr_subsys;
  struct tgt_host *hosts; /* hosts with attributes (secrets) */
  size_t nr_hosts;
  struct tgt_subsys discovery;
  /* Tuning from the command line. */
  uint32_t maxh2cdata;
  uint32_t maxr2t;
  uint32_t poll_us; /* keep reading an idle connection this long */
  /* --connect-timeout: s for the ICReq, then as long for the Connect
   * (NVMe/Ethernet: for the Connect); 0: no limit. */
  uint32_t connect_timeout;
  uint8_t mdts;
  int backend;           /* IO_BACKEND_*: files and block devices */
  long inline_data_size; /* -1: not given */
  const char *stats_file;
  const char *control_path; /* --control: the control socket */
  bool verbose;
  struct fault_opts fault;
  uint64_t genctr; /* discovery log generation counter */
};

extern struct tgt_config cfg;

/* What the command line collected, for config_build. */
struct quick_ns {
  const char *spec; /* "ram:SIZE" or a path */
  unsigned lba_shift;
};

struct quick_opts {
  const char *config_file;
  const char **listen; /* -l, in order; none: not given */
  size_t nr_listen;
  const char *nqn;
  struct quick_ns *ns;
  size_t nr_ns;
  const char **hosts;
  size_t nr_hosts;
  bool write_protect;
  bool no_write_cache;
  bool buffered_io;        /* --buffered-io: no O_DIRECT for the namespaces */
  const char *dhchap_hash; /* --dhchap-hash, NULL: not given */
  const char *dhchap_dhgroup; /* --dhchap-dhgroup, NULL: not given */
  bool tls;                   /* --tls: the port requires TLS */
  bool tls_optional;          /* --tls-optional: TLS or not */
  const char **eth;           /* --eth IFACE: NVMe/Ethernet ports */
  size_t nr_eth;
  bool any_quick; /* a subsystem-describing flag was given */
};

/* Build cfg from the options (loading the JSON file if any).  Prints one
 * line and returns -1 on error. */
int config_build (const struct quick_opts *q);
void config_free (void);
/* Split "ADDR:PORT" / "[v6]:PORT" into the port.  -1 if malformed. */
int parse_listen (const char *s, struct tgt_port *port);
struct tgt_subsys *config_find_subsys (const struct tgt_port *port,
                                       const char *nqn);
bool subsys_allows_host (const struct tgt_subsys *ss, const char *hostnqn);
/* Name hostnqn among the hosts ss allows (once), which ends allowing any
 * host; -1 (said on stderr) when out of memory. */
int subsys_add_host (struct tgt_subsys *ss, const char *hostnqn);
struct tgt_ns *subsys_find_ns (const struct tgt_subsys *ss, uint32_t nsid);
/* Flush every file backend (at exit). */
void config_sync_all (void);

/* ---- auth-config.c: hosts and their DH-HMAC-CHAP secrets ------------- */
/* --dhchap-key / --dhchap-ctrl-key NQN=+FILE|NQN=- (ctrl: the latter):
 * read and check the secret now.  Prints one line and returns -1. */
int auth_secret_option (const char *opt, const char *arg, bool ctrl);
/* The reading part of such an option (--tls-key too): split NQN=VALUE,
 * refuse a literal, read the text from the file or standard input into
 * buf.  *loose: the file is readable by group or others.  Prints one line
 * and returns -1 (buf wiped). */
int auth_secret_arg (const char *opt, const char *arg,
                     char nqn[TGT_NQN_MAX + 1], char *buf, size_t len,
                     bool *loose);
/* The host of nqn in cfg.hosts, added with nvmet's defaults if new; NULL
 * after one line (out of memory). */
struct tgt_host *auth_host_get (const char *nqn);
/* Check a --dhchap-hash / --dhchap-dhgroup name.  -1 after one line. */
int auth_name_option (const char *opt, const char *name);
/* The quick mode's hosts: --dhchap-hash/--dhchap-dhgroup apply to every
 * host with a secret, and such a host is allowed on ss.  -1 after one
 * line. */
int auth_quick_finish (struct tgt_subsys *ss, const struct quick_opts *q);
/* The host of hostnqn if it must authenticate to ss: nvmet's rule (ss is
 * not the discovery subsystem, does not allow any host, allows this one,
 * and the host has a dhchap_key).  NULL: no authentication. */
const struct tgt_host *auth_host_for (const struct tgt_subsys *ss,
                                      const char *hostnqn);
/* Wipe and free every host (config_free). */
void auth_hosts_free (void);

/* ---- ctrl.c: controllers shared by their queues --------------------- */
struct conn;

struct tgt_ctrl {
  uint16_t cntlid;
  struct tgt_subsys *subsys;
  struct tgt_port *port;
  char hostnqn[TGT_NQN_MAX + 1];
  uint8_t hostid[16];
  _Atomic uint64_t last_ms; /* last command seen on any queue */
  _Atomic uint32_t kato_ms; /* 0: no keep-alive timeout */
  atomic_bool ready;        /* CSTS.RDY, for the command path */
  pthread_mutex_t lock;     /* protects what follows */
  bool tls;                 /* the admin queue runs over TLS */
  uint32_t cc, csts;
  uint16_t nr_io_queues; /* granted by Number of Queues; 0: unset */
  uint32_t aec;          /* Asynchronous Event Configuration */
  /* ANA change notice: occurred and not yet reported to an Asynchronous
   * Event Request; reported and masked until the host reads the ANA log
   * page without RAE (nvmet's rule: changes while masked are not queued,
   * the page the host reads shows them). */
  bool ana_pending, ana_masked;
  atomic_bool wce;      /* volatile write cache enabled */
  struct conn **queues; /* by QID, [0 .. subsys->max_qid] */
  unsigned refs;
  bool dead;
  struct tgt_ctrl *next; /* registry list */
};

/* Create a controller for the admin queue conn (dynamic model).  Returns
 * NULL if no CNTLID is free. */
struct tgt_ctrl *ctrl_create (struct tgt_subsys *ss, struct tgt_port *port,
                              const char *hostnqn, const uint8_t hostid[16],
                              uint32_t kato_ms, struct conn *admin);
/* Find a live controller and take a reference; NULL if none. */
struct tgt_ctrl *ctrl_get (struct tgt_subsys *ss, uint16_t cntlid);
void ctrl_put (struct tgt_ctrl *ctrl);
/* Attach an I/O queue.  Returns an NVMe status (0 = attached). */
uint16_t ctrl_add_queue (struct tgt_ctrl *ctrl, uint16_t qid, struct conn *c);
/* A queue's connection ends: detach it; the admin queue's end tears the
 * controller down.  Drops the queue's reference. */
void ctrl_remove_queue (struct tgt_ctrl *ctrl, uint16_t qid);
/* Close every connection of the controller (KATO expiry, admin gone). */
void ctrl_kill (struct tgt_ctrl *ctrl, const char *why);
/* Called periodically: tear down controllers whose KATO has expired, and
 * close queues that did not authenticate in time. */
void ctrl_check_kato (uint64_t now_ms);
void ctrl_touch (struct tgt_ctrl *ctrl);
uint64_t now_ms (void);
/* The ANA states of port changed: every controller of the port that
 * enabled the notice gets one (its admin queue is woken). */
void ctrl_ana_changed (struct tgt_port *port);
/* In a queue's thread: an Asynchronous Event Request of c that an event
 * pending on its controller completes (dw0 filled), or NULL. */
struct req *ctrl_aen_take (struct conn *c);
/* Get Log Page of the ANA log without RAE: the notice is unmasked. */
void ctrl_ana_log_read (struct tgt_ctrl *ctrl);

/* ---- conn.c, conn-thread.c: a thread per TCP connection ------------ */
/* REQ_AIO: operations in the queue's io_uring ring (aio.c). */
enum req_state { REQ_FREE, REQ_WAIT_DATA, REQ_DONE, REQ_AER, REQ_AIO };
/* Data direction of a command. */
enum req_dir { DIR_NONE, DIR_H2C, DIR_C2H };

struct r2t_win {
  uint32_t off, len, recvd;
  bool active;
};

struct req {
  enum req_state state;
  uint16_t idx; /* = TTAG */
  uint16_t cid;
  struct nvme_sqe sqe;
  /* Filled by the prepare step. */
  enum req_dir dir;
  uint32_t len;  /* data transfer length */
  uint8_t *data; /* where the data is or will be */
  struct tgt_ns *ns;
  void (*exec) (struct conn *c, struct req *r);
  bool ram_write; /* data goes straight into RAM */
  /* io_uring: operations not yet completed; aio_redone: an unsupported
   * fallocate was done again with blocking calls (once per command). */
  uint16_t aio_pending;
  bool aio_redone;
  /* Results. */
  uint16_t status; /* NVME_SC_* / NVMF_SC_* */
  uint32_t dw0, dw1;
  /* Write data transfer. */
  uint32_t r2t_next; /* next offset to ask for */
  uint32_t recvd;
  struct r2t_win r2t[TGT_MAX_R2T];
  /* Buffer for file I/O and admin data; kept across commands. */
  uint8_t *buf;
  size_t buf_cap;
  /* Send storage: referenced by the send batch until it is flushed. */
  uint8_t rsp_pdu[sizeof (struct nvme_tcp_rsp_pdu) + 4];
  uint8_t c2h_hdr[256]; /* C2HData header, HDGST, pad */
  uint8_t r2t_pdu[TGT_MAX_R2T][sizeof (struct nvme_tcp_r2t_pdu) + 4];
  uint8_t ddgst[4];
};

/* In-band authentication of one queue (auth.c).  The connection's thread
 * owns it; the main thread reads ok and deadline_ms (the watchdog). */
struct auth_xchg;
struct auth_queue {
  const struct tgt_host *host;  /* set: the queue must authenticate */
  atomic_bool ok;               /* authenticated */
  _Atomic uint64_t deadline_ms; /* not authenticated by then: closed */
  bool fatal;                   /* failed: end the controller after the flush */
  struct auth_xchg *x;          /* the exchange under way, NULL if none */
};

/* The per-connection state; defined in conn.c, used through these. */
struct conn_info {
  uint16_t qid;
  uint16_t sqsize; /* 0's based */
  bool connected;
  bool sqhd_disabled;
  bool close_after;  /* Disconnect: close once answered */
  bool ddgst;        /* data digests negotiated */
  unsigned nr_aer;   /* Asynchronous Event Requests held */
  struct aio *aio;   /* the queue's io_uring ring, or NULL: blocking I/O */
  unsigned aio_cmds; /* commands in that ring (REQ_AIO) */
  struct tgt_ctrl *ctrl;
  struct tgt_port *port;
  struct sockaddr_storage local;
  socklen_t local_len;
  char peer[64]; /* for log messages */
  struct auth_queue auth;
  /* TLS (tls.c): the queue runs over TLS with a PSK of this identity,
   * whose NQNs the Connect must name; tls_generated: a PSK that secure
   * channel concatenation generated ("NVMe1G"), which stands for the
   * queue's authentication. */
  bool tls;
  bool tls_generated;
  char tls_hostnqn[TGT_NQN_MAX + 1];
  char tls_subnqn[TGT_NQN_MAX + 1];
};

struct conn_info *conn_info (struct conn *c);
int conn_start (int fd, struct tgt_port *port);
/* Shut down every connection (SIGTERM) and wait for the threads. */
void conn_shutdown_all (void);
/* Ask a connection to stop: used by the controller teardown. */
void conn_kill (struct conn *c);
/* Wake a connection's thread to deliver an asynchronous event. */
void conn_wake (struct conn *c);
/* An Asynchronous Event Request c holds, or NULL (its own thread). */
struct req *conn_find_aer (struct conn *c);
/* Close every TCP connection of port (a listener taken down). */
void conn_kill_port (const struct tgt_port *port);
/* Called periodically (main thread): end the TCP connections that did
 * not send their ICReq or Connect within cfg.connect_timeout. */
void conn_check_setup (uint64_t now_ms);
/* Buffer of at least len bytes attached to the request (not zeroed).
 * NULL on allocation failure. */
uint8_t *req_buf (struct conn *c, struct req *r, size_t len);
/* After a Connect succeeded: set up the queue for sqsize+1 entries. */
int conn_set_queue (struct conn *c, uint16_t qid, uint16_t sqsize,
                    bool sqhd_disabled, struct tgt_ctrl *ctrl);
/* ---- cmd-fabrics.c ------------------------------------------------- */
/* Each prepare step validates the command, sets r->dir/len/data/exec and
 * returns 0, or returns an NVMe status to complete the command with. */
uint16_t fabrics_prepare (struct conn *c, struct req *r);

/* ---- auth.c: DH-HMAC-CHAP on each queue ------------------------------ */
/* After a successful Connect: whether the queue must authenticate (the
 * Connect response then carries NVMF_CONNECT_AUTHREQ_ATR). */
bool auth_connect (struct conn *c, const char *hostnqn);
/* AUTH_Send / AUTH_Receive (a fabrics_prepare step). */
uint16_t auth_prepare (struct conn *c, struct req *r);
/* A command other than a fabrics command must wait for authentication. */
bool auth_blocks (const struct conn_info *ci);
/* For the watchdog: the queue should have authenticated by now (true
 * once per queue). */
bool auth_expired (struct conn_info *ci, uint64_t now);
/* Wipe and free the exchange state (connection closing). */
void auth_queue_free (struct conn_info *ci);
/* The next AUTH_Receive would return Failure1 (--fault-auth-close). */
bool auth_failure_due (const struct conn_info *ci);

/* ---- concat.c: TLS PSKs generated by secure channel concatenation ---- */
/* Derive the TLS PSK and identity of a generated PSK (gen, len bytes, from
 * a DH-HMAC-CHAP exchange with hash hashid) and keep them for the
 * handshakes to come; *identity (idlen bytes) receives the identity.  -1
 * with err (no key material in it). */
int concat_psk_add (uint8_t hashid, const uint8_t *gen, size_t len,
                    const char *hostnqn, const char *subnqn, char *identity,
                    size_t idlen, char *err, size_t errlen);
/* The TLS PSK kept for this identity: true and *out filled, or false. */
bool concat_psk_find (const char *identity, struct tls_psk *out);
/* Wipe them all (at exit). */
void concat_psk_free_all (void);

/* ---- tls-config.c: ports' TSAS/TREQ, hosts' TLS PSKs ------------------ */
enum tgt_tls {
  TGT_TLS_NONE,     /* plain NVMe/TCP only */
  TGT_TLS_REQUIRED, /* TLS only */
  TGT_TLS_OPTIONAL, /* TLS or plain, told apart by the first byte */
};
enum tgt_tls port_tls (const struct tgt_port *port);
/* --tls-key NQN=+FILE|NQN=-: read and check the configured PSK now.
 * Prints one line and returns -1. */
int tls_key_option (const char *arg);
/* The quick mode's port (--tls, --tls-optional) and hosts (a host with a
 * TLS PSK is allowed on ss).  -1 after one line. */
int tls_quick_finish (struct tgt_port *port, struct tgt_subsys *ss,
                      const struct quick_opts *q);
/* Once configured: a port with TLS needs a host with a PSK.  -1 after one
 * line. */
int tls_config_check (void);
/* The host of hostnqn if it has a TLS PSK, else NULL. */
const struct tgt_host *tls_host_find (const char *hostnqn);

/* ---- tls.c: TLS on a connection ---------------------------------------- */
/* A Connect on a TLS queue must name its PSK identity's host and
 * subsystem: 0, or a Connect status (with *dw0, the attribute) after a
 * log line. */
uint16_t tls_check_connect (const struct conn_info *ci, const char *hostnqn,
                            const char *subnqn, uint32_t *dw0);

/* ---- cmd-admin.c ---------------------------------------------------- */
uint16_t admin_prepare (struct conn *c, struct req *r);

/* ---- cmd-io.c ------------------------------------------------------- */
uint16_t io_prepare (struct conn *c, struct req *r);
/* Total transfer size allowed by MDTS (0: unlimited). */
uint64_t max_transfer_bytes (void);
/* A completion of the queue's io_uring ring for r (REQ_AIO): true when
 * the command is finished (status set) and can be answered. */
bool io_complete (struct conn *c, struct req *r, int res);

/* ---- aio.c: the io_uring backend ------------------------------------ */
enum { IO_BACKEND_BLOCKING, IO_BACKEND_IO_URING };
struct aio;
/* At startup with --backend io_uring: if no ring can be set up here, say
 * so in one line and use the blocking backend; else open the file and
 * block-device namespaces for O_DIRECT where they allow it (but those
 * with buffered_io). */
void aio_start (void);
/* An I/O queue's ring; NULL (after a log line): blocking I/O. */
struct aio *aio_create (void);
/* Submit what is queued, wait for everything in flight, free. */
void aio_destroy (struct aio *a);
int aio_fd (const struct aio *a); /* readable when completions wait */
bool aio_idle (const struct aio *a);
/* Submit the queued operations: 0, or -1 if none could be. */
int aio_submit (struct aio *a);
/* Queue one operation for r (or a fallocate with a linked fdatasync):
 * 0, or -1 when the ring has no room (run it blocking instead). */
int aio_rw (struct aio *a, const struct req *r, int fd, bool write, void *buf,
            size_t len, uint64_t off, bool dsync);
int aio_fsync (struct aio *a, const struct req *r, int fd, bool datasync);
int aio_fallocate (struct aio *a, const struct req *r, int fd, int mode,
                   uint64_t off, uint64_t len, bool then_dsync);
/* The next completion (request index, result as -errno or bytes). */
bool aio_next (struct aio *a, uint16_t *idx, int *res);

/* ---- eth-listen.c, eth.c: NVMe over raw Ethernet ports -------------- */
/* Open every eth port's listening socket (before daemonizing, so that a
 * missing CAP_NET_RAW or interface is reported): -1 after one line. */
int eth_ports_open (void);
/* Start their threads (after daemonizing).  -1 after one line. */
int eth_ports_start (void);
/* End every association (TERM, SHUTDOWN) and wait for their threads. */
void eth_ports_shutdown (void);
/* Ask an association's thread to end (conn_kill of an eth queue). */
void eth_conn_kill (struct conn *c);
/* Wake an association's thread for an asynchronous event (conn_wake). */
void eth_conn_wake (struct conn *c);
/* The "eth" object of the statistics file (nothing without eth ports). */
struct json_object;
void eth_stats_json (struct json_object *root);

/* ---- ana.c: Asymmetric Namespace Access ------------------------------ */
/* "optimized", "non-optimized", "inaccessible", "persistent-loss",
 * "change" (nvmet's configfs names) and back; -1 for an unknown name. */
const char *ana_state_name (uint8_t state);
int ana_state_parse (const char *name);
/* A new port's states: group 1 optimized, the others inaccessible. */
void ana_port_init (struct tgt_port *port);
/* The status of an I/O command to ns through port: 0 when its group is
 * optimized or non-optimized there, else the ANA path status. */
uint16_t ana_io_status (const struct tgt_port *port, const struct tgt_ns *ns);
/* The ANA log page as a controller of ss on port sees it (rgo: groups
 * only), malloc'd; its size in *size.  NULL when out of memory. */
uint8_t *ana_log_build (const struct tgt_subsys *ss,
                        const struct tgt_port *port, bool rgo, size_t *size);
/* Set a group's state on a port (a change bumps the change count and
 * notifies the port's controllers). */
void ana_set (struct tgt_port *port, uint32_t grpid, uint8_t state);

/* ---- control.c: the control socket (--control) -------------------- */
/* Bind and listen (before daemonizing): -1 after one line. */
int control_open (const char *path);
/* Its descriptors for the main loop's poll (the listening socket and its
 * clients): how many were put at pfd (room for CONTROL_MAX_FDS). */
#define CONTROL_MAX_FDS 9
size_t control_pollfds (struct pollfd *pfd);
/* After poll: serve what pfd (from control_pollfds) says is ready. */
void control_serve (const struct pollfd *pfd, size_t n);
void control_close (void);

/* ---- main.c: listeners -------------------------------------------- */
/* Open a TCP port's listening socket: -1 after one line. */
int listen_port (struct tgt_port *port);

/* ---- discovery.c ---------------------------------------------------- */
/* Build the discovery log as the host of ctrl sees it through port.
 * Returns a malloc'd buffer and its size, or NULL. */
uint8_t *discovery_log_build (const struct tgt_ctrl *ctrl,
                              const struct sockaddr_storage *local,
                              size_t *size);

/* ---- stats.c -------------------------------------------------------- */
enum stat_id {
  STAT_READ,
  STAT_WRITE,
  STAT_WRITE_FUA,
  STAT_FLUSH,
  STAT_WRITE_ZEROES,
  STAT_WRITE_ZEROES_DEAC,
  STAT_DSM_DEALLOCATE,
  STAT_DSM_RANGES,
  STAT_IDENTIFY,
  STAT_KEEP_ALIVE,
  STAT_CONNECT,
  STAT_BYTES_READ,
  STAT_BYTES_WRITTEN,
  STAT_IO_URING_QUEUES,        /* queues that got an io_uring ring */
  STAT_IO_URING_MAX_IN_FLIGHT, /* most commands one queue had in its ring */
  STAT__MAX
};
void stat_add (enum stat_id id, uint64_t n);
/* Raise a maximum counter to n. */
void stat_max (enum stat_id id, uint64_t n);
uint64_t stat_get (enum stat_id id);
/* The counters as one line of JSON (the statistics file's contents, the
 * control socket's "stats"), malloc'd; NULL when out of memory. */
char *stats_text (void);
/* Rewrite cfg.stats_file atomically.  0 or -1 (message printed). */
int stats_write (void);

/* ---- fault.c -------------------------------------------------------- */
struct fault_state {
  bool armed;         /* faults apply to this connection */
  uint64_t cmds;      /* commands received */
  uint64_t responses; /* commands answered */
  uint64_t reads;     /* commands answered with data */
  uint64_t pdus;      /* PDUs sent */
  uint64_t data_pdus; /* C2HData PDUs sent */
  bool hung;
};
enum fault_action { FAULT_NONE, FAULT_CLOSE, FAULT_TERMREQ };
/* Tamperings of one outgoing PDU. */
#define F_BAD_PLEN      (1u << 0)
#define F_BAD_HLEN      (1u << 1)
#define F_BAD_PDO       (1u << 2)
#define F_UNKNOWN_CID   (1u << 3)
#define F_OVERFLOW      (1u << 4)
#define F_CORRUPT_HDGST (1u << 5)
#define F_CORRUPT_DDGST (1u << 6)

void fault_init (struct fault_state *f, bool io_queue);
/* On each received command (hang-after turns the connection silent). */
enum fault_action fault_on_command (struct fault_state *f);
void fault_delay (struct fault_state *f);
/* On each command answered (data: a read's C2HData carries the answer). */
unsigned fault_on_response (struct fault_state *f, bool data);
/* On each PDU sent. */
unsigned fault_on_pdu (struct fault_state *f, bool data);
bool fault_hung (const struct fault_state *f);

/* ---- options.c: the command line ------------------------------------ */
/* Parse argv into q, cfg (tuning), *foreground and *pidfile; exits after
 * one line on stderr if an option is wrong (or after --help, --version). */
void parse_options (int argc, char **argv, struct quick_opts *q,
                    bool *foreground, const char **pidfile);

/* ---- main.c --------------------------------------------------------- */
extern atomic_bool stopping; /* SIGTERM: answer nothing more */
/* stopping, or a SIGTERM/SIGINT that is pending but not handled yet (a
 * busy machine may run a connection thread before the signal handler). */
bool stop_requested (void);
/* One line on stderr, "nvmeof-target: " first; verbose only with -v. */
void log_msg (const char *fmt, ...)
  __attribute__((__format__ (__printf__, 1, 2)));
void log_verbose (const char *fmt, ...)
  __attribute__((__format__ (__printf__, 1, 2)));
/* "nvmeof-target: " and the message on stderr, then exit 1. */
void die (const char *fmt, ...)
  __attribute__((__format__ (__printf__, 1, 2), __noreturn__));

#endif /* NVMEOF_TARGET_H */
