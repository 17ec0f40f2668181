/* SPDX-License-Identifier: BSD-3-Clause */
/* libnvmeof internals: struct nvmeof_ctrl -> struct nvmeof_queue ->
 * struct nvmeof_req, the transport ops table and the functions the files
 * of the initiator share.  Grouped by the file that defines them.
 *
 * Locking, outermost first (a thread holding one lock may only take
 * those below it):
 *   ctrl->timer_lock    the controller thread; the list of I/O queues
 *   transport rx lock   the right to read one queue's connection
 *   transport send lock serialises writes on one queue's connection (its
 *                       holder may only trylock the rx lock)
 *   Ethernet alock      every call into a queue's NVMe/Eth engine (eth.h)
 *   q->lock             CIDs, request state, q->dead; completions run under it
 *   ctrl->aio_lock      the async pool and ready list
 *   ctrl->rc_lock       the reconnect thread's condition variable
 *   ctrl->fail_lock     failure state and message; the list of I/O queues
 *   TCP fd_lock         a queue's socket against shutdown (a leaf)
 * A request is completed exactly once, under q->lock, by the queue's
 * receive side (or by the transport when the queue dies): submitters never
 * complete their own requests, so a request's buffer is touched by the
 * library only while the request is outstanding.
 */
#ifndef NVMEOF_INTERNAL_H
#define NVMEOF_INTERNAL_H

#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <pthread.h>

#include "nvmeof.h"
#include "nvme-wire.h"
#include "opts.h"
#include "tls-session.h"
#include "multipath.h"

struct nvmeof_ctrl;
struct nvmeof_queue;
struct nvmeof_req;

/* Direction of a command's data. */
enum req_dir {
  REQ_DIR_NONE = 0,
  REQ_DIR_C2H = 1, /* controller to host: Read, Identify ... */
  REQ_DIR_H2C = 2, /* host to controller: Write, Connect ... */
};

/* One command slot; reqs[cid] of its queue.  Fields below "transport" are
 * owned by the transport while the request is outstanding. */
struct nvmeof_req {
  struct nvme_sqe sqe; /* as sent (CID filled by the queue) */
  uint16_t cid;
  bool in_use;
  uint8_t dir;          /* enum req_dir */
  void *buf;            /* data buffer (the caller's) */
  uint32_t len;         /* its length in bytes */
  uint32_t gen;         /* bumped at every allocation */
  uint64_t deadline_ms; /* monotonic; 0 = none */
  uint32_t timeout_ms;  /* what the deadline was set from */
  bool timed_out;
  /* Holding across a reconnect (queue.c, reconnect.c), under q->lock:
   * bringup: allocated to bring the controller up, never held; owned:
   * allocated or being sent again and not yet handed to the transport
   * (its submitter parks it if the queue failed); held: its connection
   * failed, it keeps its CID, buffer and done() to be sent again once the
   * controller is back; not_repeated: failed with its connection while
   * others are held, not being a command that may be repeated. */
  bool bringup;
  bool owned;
  bool held;
  bool not_repeated;
  /* Completion, filled before done() runs. */
  uint16_t status;    /* NVMe status (15 bits), 0 = success */
  uint64_t result;    /* CQE DW0 | DW1 << 32 */
  int err;            /* errno of a transport failure, else 0 */
  bool path_error;    /* failed with its connection (or its controller's
                         failure): no NVMe status, another path may do */
  const char *errmsg; /* static text for err (e.g. "data digest
                                   error"), NULL: the controller's message */
  /* Called under q->lock when the request completes; then the CID is
   * freed.  ctx belongs to the caller (a batch, an async op ...). */
  void (*done) (struct nvmeof_queue *q, struct nvmeof_req *req);
  void *ctx;
  /* Transport state (TCP). */
  uint32_t inline_len;      /* bytes sent in the capsule */
  uint32_t c2h_received;    /* C2HData bytes received so far */
  uint32_t r2t_end;         /* end of the highest range an R2T asked */
  uint16_t r2t_outstanding; /* R2Ts received and not yet being sent */
  bool tx_busy;             /* an H2CData PDU of it is being sent */
  bool resp_deferred;       /* completion waits for tx_busy to clear */
  bool ddgst_error;
};

/* A queue (admin or I/O).  The transport allocates a larger struct that
 * starts with this one. */
struct nvmeof_queue {
  struct nvmeof_ctrl *ctrl;
  const struct nvmeof_transport_ops *ops;
  uint16_t qid;
  uint16_t size;       /* entries: Connect SQSIZE + 1 */
  uint16_t depth;      /* at most this many outstanding (size-1) */
  uint32_t inline_max; /* in-capsule data bytes for commands */
  pthread_mutex_t lock;
  struct nvmeof_req *reqs; /* [depth], indexed by CID */
  uint16_t *free_cids;     /* stack of free CIDs */
  unsigned nr_free;
  bool dead; /* failed or closing: no new commands */
  bool locks_init;
  /* Leader/follower receiving (transports with ops->wait, caller_rx set):
   * one waiting thread at a time reads the connection itself (the
   * leader); the others sleep on their batch until the leader completes
   * their commands, or hands the role on when its own are done.  Under
   * lock, but for the atomic count. */
  bool caller_rx;               /* set by the transport */
  bool rx_leader;               /* a thread is in ops->wait */
  struct queue_waiter *waiters; /* followers, polling or asleep */
  unsigned nr_cid_waiters;      /* of them, waiting for a free CID */
  atomic_uint nr_waiters;       /* how many (read without the lock) */
};

/* A thread waiting on a queue for done (q, arg) to become true: a batch to
 * complete, a CID to be freed.  done is also called without q->lock by a
 * leader (it must only load what it reads atomically). */
typedef bool (*queue_done_fn) (struct nvmeof_queue *q, void *arg);
struct queue_waiter {
  uint32_t word;     /* futex: bumped to wake the waiter */
  uint32_t sleeping; /* in futex_wait, so a wake needs the system call */
  bool for_cid;      /* waits for a free CID */
  queue_done_fn done;
  void *arg;
  struct queue_waiter *next;
};

/* The transport ops table: one per transport (tcp.c, with TLS inside;
 * eth.c for raw Ethernet).  All functions set the library error on failure. */
struct nvmeof_transport_ops {
  const char *name;
  /* Allocate a queue, connect it (bounded by the connect timeout) and run
   * the transport's own initialisation (ICReq/ICResp for TCP).  Does not
   * send the Fabrics Connect. */
  struct nvmeof_queue *(*queue_connect) (struct nvmeof_ctrl *ctrl, uint16_t qid,
                                         uint16_t size);
  /* Start the receiver (a thread per queue for TCP). */
  int (*queue_start) (struct nvmeof_queue *q);
  /* Send the command capsule of req (allocated on q, SQE filled but for
   * the data pointer) and its in-capsule data.  Returns -1 if the queue
   * failed: the request is then failed by the receiver, not here. */
  int (*submit) (struct nvmeof_queue *q, struct nvmeof_req *req);
  /* Optional (else submit is used): queue req to be sent by the next
   * flush, so that many commands go out in one write. */
  void (*enqueue) (struct nvmeof_queue *q, struct nvmeof_req *req);
  /* Optional: send what is queued (blocking while the connection is full,
   * bounded by the command timeout).  -1 if the queue failed.  With
   * lazy, the transport may leave it to a leader that will wake soon for
   * other commands' completions (the caller then waits on q). */
  int (*flush) (struct nvmeof_queue *q, bool lazy);
  /* Optional: the caller became the queue's leader (caller_rx): receive
   * in this thread until done (q, arg) or the queue failed. */
  void (*wait) (struct nvmeof_queue *q, queue_done_fn done, void *arg);
  /* Optional: without waiting, receive what has arrived if no one else is
   * receiving, and send what is queued (nvmeof_ctrl_process).  With a
   * budget (bytes), the transport may stop once it has received that
   * much: true if it stopped with more to read. */
  bool (*progress) (struct nvmeof_queue *q, size_t budget);
  /* Optional: the connection's file descriptor, or -1. */
  int (*pollfd) (struct nvmeof_queue *q);
  /* Stop the queue: make the receiver exit and fail what is outstanding.
   * Idempotent, from any thread, takes no queue locks. */
  void (*shutdown) (struct nvmeof_queue *q);
  /* After shutdown: wait for the receiver and free everything. */
  void (*destroy) (struct nvmeof_queue *q);
  /* After the queue failed: wait for the receiver, connect again (with
   * the transport's initialisation) and restart the receiver.  The caller
   * then sends the Fabrics Connect. */
  int (*queue_reconnect) (struct nvmeof_queue *q);
  /* Largest data transfer of one command the transport supports. */
  uint32_t max_transfer;
};

extern const struct nvmeof_transport_ops tcp_transport_ops;
/* NVMe over raw Ethernet (eth.c, docs/nvme-eth.md). */
extern const struct nvmeof_transport_ops eth_transport_ops;
/* tcp.c: MAXH2CDATA of a connected queue (for nvmeof_ctrl_info). */
uint32_t tcp_queue_maxh2cdata (struct nvmeof_queue *q);

/* A group of blocking commands on one queue, on the caller's stack. */
struct nvmeof_batch {
  struct queue_waiter *waiter; /* its thread, while it sleeps */
  unsigned pending;            /* submitted, not completed */
  int err;                     /* first failure's errno, 0 if none */
  uint16_t status;             /* its NVMe status, 0 if none */
  uint64_t result;             /* result of the last completion */
  bool fabrics;                /* the failure was a Fabrics command's */
  bool path_error;             /* ... and was a path error */
  char msg[384];               /* first failure's message */
};

/* Asynchronous operations (aio.c): one per nvmeof_aio_* call. */
struct nvmeof_aio_op {
  nvmeof_callback cb;
  void *opaque;
  unsigned pending; /* under ctrl->aio_lock */
  int err;
  uint16_t status;
  bool path_error; /* the first failure was a path error */
  char msg[256];
  struct nvmeof_aio_op *next;
};

/* Identify Controller facts the library uses. */
struct ctrl_ident {
  uint8_t mdts;
  uint8_t cntrltype;
  uint32_t ctratt;
  uint8_t lpa;
  uint16_t oncs;
  uint8_t vwc;
  uint32_t sgls;
  uint32_t ioccsz; /* 16-byte units */
  uint16_t icdoff;
  uint16_t maxcmd;
  uint32_t nn;
  uint16_t kas;
  uint32_t rtd3e;
};

struct nvmeof_ctrl {
  struct nvmeof_opts opts; /* our copy, host identity resolved */
  const struct nvmeof_transport_ops *ops;
  char addr[300]; /* "127.0.0.1:4420", for messages */
  struct nvmeof_ctrl_info info;
  struct ctrl_ident id;
  uint64_t cap;
  uint32_t page_size;  /* CC.MPS in bytes */
  uint32_t timeout_ms; /* command timeout */
  struct nvmeof_queue *admin;
  struct nvmeof_queue **ioq;
  unsigned nr_ioq;
  bool enabled; /* CC.EN was set: shut down on close */
  /* Failure (ctrl_fail): the first message wins. */
  pthread_mutex_t fail_lock;
  atomic_bool failed;
  atomic_bool closing; /* nvmeof_close has begun */
  int fail_err;
  char fail_msg[512];
  uint64_t failed_at_ms;
  /* Held commands (reconnect.c): while failfast is false, commands of a
   * failed controller wait for the reconnect; it is true before the
   * reconnect thread starts, with fast-io-fail-tmo=0, once
   * fast-io-fail-tmo expired (ff_expired, under fail_lock) until the
   * next reconnect, after giving up and while closing. */
  atomic_bool failfast;
  bool ff_expired;
  /* Reconnecting (reconnect.c), under fail_lock unless said otherwise. */
  pthread_t rc_thread;
  bool rc_started;
  bool rc_attempting;
  bool rc_gave_up;
  unsigned reconnects; /* successful ones */
  char rc_last_err[384];
  pthread_mutex_t rc_lock; /* for rc_cond only */
  pthread_cond_t rc_cond;
  /* The controller thread (timer.c). */
  pthread_t timer_thread;
  bool timer_started;
  pthread_mutex_t timer_lock;
  pthread_cond_t timer_cond;
  bool timer_stop;
  uint32_t ka_interval_ms; /* 0 = no keep-alive */
  atomic_bool comp_seen;   /* a command completed (TBKAS) */
  atomic_bool ka_outstanding;
  /* Asynchronous API (aio.c). */
  pthread_mutex_t aio_lock;
  struct nvmeof_aio_op *aio_ops; /* pool */
  struct nvmeof_aio_op *aio_free;
  struct nvmeof_aio_op *ready_head, *ready_tail;
  int aio_fd;  /* epoll: aio_efd and the I/O queues' connections */
  int aio_efd; /* eventfd: readable when callbacks are ready */
  atomic_bool aio_signalled; /* aio_efd was written since it was read */
  /* Secure channel concatenation (opts.concat, auth.c): the TLS PSK and
   * identity that the admin queue's DH-HMAC-CHAP exchange generated; every
   * queue's TLS handshake uses it until a reconnect forgets it and
   * generates another.  Written and read only by the thread bringing the
   * controller up (nvmeof_connect, then the reconnect thread); wiped by
   * auth_concat_forget. */
  bool concat_psk_set;
  struct tls_psk concat_psk;
  /* Multipath (multipath.h): set on a controller made of paths, which
   * has no queues of its own; the public calls hand it to multipath.c. */
  struct mpath *mp;
};

struct nvmeof_ns {
  struct nvmeof_ctrl *ctrl;
  struct nvmeof_ns_info info;
  uint32_t lba_shift;
  uint32_t max_blocks;    /* per Read/Write command */
  uint32_t max_wz_blocks; /* per Write Zeroes command */
  struct mpath_ns *mpns;  /* a multipath controller's namespace */
};

/* ---- queue.c ---------------------------------------------------------- */
int queue_init (struct nvmeof_queue *q, struct nvmeof_ctrl *ctrl,
                const struct nvmeof_transport_ops *ops, uint16_t qid,
                uint16_t size);
void queue_free (struct nvmeof_queue *q);
/* Take a free request (waiting while the queue is full if wait), with
 * done/ctx set and the deadline armed.  NULL with the error set if the queue
 * is dead (or full and !wait: EAGAIN). */
struct nvmeof_req *req_alloc (struct nvmeof_queue *q, bool wait,
                              void (*done) (struct nvmeof_queue *,
                                            struct nvmeof_req *),
                              void *ctx, uint32_t timeout_ms);
/* As req_alloc, and count the request in batch (under the same lock). */
struct nvmeof_req *req_alloc_batch (struct nvmeof_queue *q,
                                    struct nvmeof_batch *batch);
/* The outstanding request with this CID, or NULL.  Under q->lock. */
struct nvmeof_req *req_lookup (struct nvmeof_queue *q, uint16_t cid);
/* Complete a request: run done() and free the CID.  Under q->lock. */
void req_complete (struct nvmeof_queue *q, struct nvmeof_req *req);
/* The queue's connection failed: mark the queue dead; hold every
 * outstanding request that may be repeated while the controller holds
 * commands (ctrl->failfast false), fail the others with err (a request
 * that timed out: ETIMEDOUT).  Under q->lock. */
void queue_fail_all (struct nvmeof_queue *q, int err);
/* May req (not answered by the controller) be sent again on a new
 * connection?  All of the I/O command set; Identify, Get Log Page and Get
 * Features of the admin set. */
bool cmd_repeatable (const struct nvme_sqe *sqe, uint16_t qid);
/* The transport, handed req (under q->lock): must it not go out now (the
 * queue is dead, or the controller failed and req does not bring it up)? */
static inline bool
req_must_park (struct nvmeof_queue *q, struct nvmeof_req *req)
{
  return q->dead || (atomic_load (&q->ctrl->failed) && !req->bringup);
}
/* Then hold it (if it may wait for the reconnect) or fail it.  Under
 * q->lock. */
void req_park (struct nvmeof_queue *q, struct nvmeof_req *req);
/* Fail the queue's held requests if ctrl->failfast is set.  Takes
 * q->lock. */
void queue_release_held (struct nvmeof_queue *q);
/* After a successful reconnect: send the held requests again on the new
 * connection, and wake the threads waiting on the queue (one of them
 * reads it).  Takes q->lock. */
void queue_resume (struct nvmeof_queue *q);
/* Send an allocated request (ops->submit). */
int req_submit (struct nvmeof_queue *q, struct nvmeof_req *req);
/* Queue an allocated request; queue_flush sends what is queued. */
void req_queue (struct nvmeof_queue *q, struct nvmeof_req *req);
int queue_flush (struct nvmeof_queue *q);
/* The same from a thread about to wait on q: if a leader is receiving
 * for other outstanding commands, it sends ours with the next batch. */
int queue_flush_lazy (struct nvmeof_queue *q);

/* ---- queue-wait.c ----------------------------------------------------- */
/* q->lock for code that completes requests: the waiters they wake are
 * woken only when queue_unlock has let go of the lock. */
void queue_lock (struct nvmeof_queue *q);
void queue_unlock (struct nvmeof_queue *q);
/* Under q->lock: wait until done (q, arg), as the leader if nobody reads
 * the connection, else as a follower; *slot (if not NULL) points at the
 * waiter while it sleeps.  Returns with q->lock held. */
void queue_wait (struct nvmeof_queue *q, bool for_cid, queue_done_fn done,
                 void *arg, struct queue_waiter **slot);
/* Under q->lock: wake the thread of a completed batch, a thread waiting
 * for a CID, everyone. */
void queue_wake_batch (struct nvmeof_queue *q, struct nvmeof_batch *b);
void queue_wake_cid (struct nvmeof_queue *q);
void queue_wake_all (struct nvmeof_queue *q);
/* How long a waiting thread polls (yielding the CPU between looks) before
 * it sleeps, in ns: NVMEOF_SPIN_US, default 50 µs; 0 never polls. */
uint64_t queue_spin_ns (void);
void queue_set_spin_ns (uint64_t ns); /* for tests */

void batch_init (struct nvmeof_batch *b);
/* Wait for every command of the batch; then 0, or -1 with the error set
 * from the first failure. */
int batch_wait (struct nvmeof_queue *q, struct nvmeof_batch *b);
void batch_req_done (struct nvmeof_queue *q, struct nvmeof_req *req);
/* Record a failure that happened before submission (the error already
 * set in this thread) in the batch. */
void batch_fail_local (struct nvmeof_queue *q, struct nvmeof_batch *b);

/* Run one command and wait for it.  The SQE's CID and data pointer are
 * filled here.  On an NVMe status, if status_out is not NULL it receives
 * the status (and the error is set as usual). */
int queue_exec (struct nvmeof_queue *q, const struct nvme_sqe *sqe, void *buf,
                uint32_t len, enum req_dir dir, uint64_t *result,
                uint16_t *status_out);

/* A short description of a command for messages:
 * "Read (cid 12, nsid 1, lba 2048+8)", "Identify (cns 1)" ... */
void cmd_describe (const struct nvme_sqe *sqe, uint16_t qid, char *buf,
                   size_t len);
const char *cmd_name (const struct nvme_sqe *sqe, uint16_t qid);
uint64_t now_ns (void); /* CLOCK_MONOTONIC */
uint64_t now_ms (void);
/* snprintf for messages, where cutting a long message short is fine. */
void msgf (char *buf, size_t len, const char *fmt, ...)
  __attribute__((__format__ (__printf__, 3, 4)));

/* ---- ctrl.c ------------------------------------------------------------ */
/* Set in a thread bringing a controller up again: its commands may go out
 * while the controller is marked failed (all other commands fail fast). */
extern __thread bool in_bringup;
/* Connect the admin queue (Fabrics), CAP/VS, enable (CC.EN, CSTS.RDY). */
int ctrl_enable (struct nvmeof_ctrl *ctrl);
/* Identify Controller; again: only check it is still the same one. */
int ctrl_identify (struct nvmeof_ctrl *ctrl, bool again);
/* Set Features Number of Queues: *want lowered to what is granted. */
int ctrl_negotiate_queues (struct nvmeof_ctrl *ctrl, unsigned *want);
/* Declare the controller failed: the first message wins (it is the text
 * every later error quotes), every queue is shut down so that outstanding
 * commands fail and new ones fail fast. */
void ctrl_fail (struct nvmeof_ctrl *ctrl, int err, const char *fmt, ...)
  __attribute__((__format__ (__printf__, 3, 4)));
/* Set the calling thread's error from the controller's failure. */
void ctrl_set_failed_error (struct nvmeof_ctrl *ctrl, const char *what);
struct nvmeof_queue *ctrl_io_queue (struct nvmeof_ctrl *ctrl);

/* ---- fabrics.c --------------------------------------------------------- */
int fabrics_connect (struct nvmeof_queue *q, uint16_t cntlid, uint32_t kato_ms,
                     uint16_t *cntlid_out);
int fabrics_prop_get (struct nvmeof_ctrl *ctrl, uint32_t ofst, bool eight,
                      uint64_t *value);
int fabrics_prop_set (struct nvmeof_ctrl *ctrl, uint32_t ofst, bool eight,
                      uint64_t value);
int fabrics_enable (struct nvmeof_ctrl *ctrl);
int fabrics_shutdown (struct nvmeof_ctrl *ctrl);
/* Describe a failed Connect ("host X is not allowed on Y", "the subsystem
 * NQN (byte 256 of the data) was refused" ...). */
void fabrics_connect_error (char *buf, size_t len, uint16_t status,
                            uint32_t dw0, const char *hostnqn,
                            const char *subnqn, uint16_t qid);

/* ---- auth.c ------------------------------------------------------------- */
/* After a successful Connect of q, whose CQE DW0 is connect_dw0: run
 * DH-HMAC-CHAP if the controller requires it (AUTHREQ.ATR, or ASCR with
 * concat), with the secrets of the options; refuse what cannot be done
 * safely (a controller key for a controller that does not authenticate).
 * With concat, the plain admin queue's exchange asks for a new TLS PSK
 * (SC_C NEWTLSPSK) and leaves it in ctrl->concat_psk.  0 when the queue
 * may be used. */
int auth_queue (struct nvmeof_queue *q, uint32_t connect_dw0);
/* Wipe the generated TLS PSK (before a reconnect, and at close). */
void auth_concat_forget (struct nvmeof_ctrl *ctrl);

/* ---- admin.c ------------------------------------------------------------ */
int admin_identify (struct nvmeof_ctrl *ctrl, uint8_t cns, uint32_t nsid,
                    uint16_t cntid, void *buf4096, uint16_t *status_out);
int admin_keep_alive_submit (struct nvmeof_ctrl *ctrl);

/* ---- ns.c ---------------------------------------------------------------- */
/* Decode Identify Namespace data into info; on failure a negative errno
 * and a sentence in err. */
int ns_parse_identify (const struct nvme_id_ns *id, uint32_t nsid,
                       struct nvmeof_ns_info *info, char *err, size_t errlen);
/* Decode a Namespace Identification Descriptor list (CNS 03h). */
int ns_parse_descriptors (const uint8_t *page, size_t len,
                          struct nvmeof_ns_info *info, char *err,
                          size_t errlen);

/* ---- reconnect.c -------------------------------------------------------- */
/* The reconnect thread (if ctrl-loss-tmo is not 0): after a failure, tries
 * every reconnect-delay seconds to bring the controller up again on the
 * same queues, until ctrl-loss-tmo.  Meanwhile commands are held (until
 * fast-io-fail-tmo) and sent again once it is back. */
int reconnect_start (struct nvmeof_ctrl *ctrl);
void reconnect_wake (struct nvmeof_ctrl *ctrl);
void reconnect_stop (struct nvmeof_ctrl *ctrl);
/* The controller thread, every second: fast-io-fail-tmo expired since the
 * failure?  Then held and new commands fail, while reconnecting goes on.
 * With the list of queues stable (timer_lock). */
void reconnect_check_failfast (struct nvmeof_ctrl *ctrl, uint64_t now);
/* failfast was set (expiry, giving up, closing): fail every held
 * command. */
void reconnect_release_held (struct nvmeof_ctrl *ctrl);

/* ---- timer.c ------------------------------------------------------------ */
int timer_start (struct nvmeof_ctrl *ctrl);
void timer_stop (struct nvmeof_ctrl *ctrl);
/* Check every queue for expired commands (also called by tests). */
void timer_scan (struct nvmeof_ctrl *ctrl, uint64_t now);

/* ---- aio.c -------------------------------------------------------------- */
/* The pool: as many operations as the I/O queues hold commands. */
int aio_init (struct nvmeof_ctrl *ctrl);
void aio_free_all (struct nvmeof_ctrl *ctrl);
/* Fail and run what is left at close. */
void aio_drain (struct nvmeof_ctrl *ctrl);
/* The epoll set of nvmeof_ctrl_get_fd: made before the I/O queues. */
int aio_open (struct nvmeof_ctrl *ctrl);
/* Watch an I/O queue's connection in it (after connecting), or stop
 * (when the connection failed, so that a dead socket does not keep the
 * descriptor readable). */
void aio_watch (struct nvmeof_ctrl *ctrl, int fd, bool on);
/* True in a thread running nvmeof_ctrl_process on ctrl: submissions wait
 * for its end to be sent together. */
bool aio_in_process (struct nvmeof_ctrl *ctrl);

/* ---- io.c --------------------------------------------------------------- */
/* Fill a Read/Write/Write Zeroes SQE. */
void io_setup_rw (struct nvme_sqe *sqe, uint8_t opcode, uint32_t nsid,
                  uint64_t slba, uint32_t nlb, uint32_t cdw12_flags);
/* Check an I/O's alignment and range (fn names the API call). */
int io_check (struct nvmeof_ns *ns, const char *fn, uint64_t len,
              uint64_t offset);
/* The calling thread's I/O queue, or NULL with the error set. */
struct nvmeof_queue *io_queue (struct nvmeof_ns *ns, const char *fn);
/* Submit the pieces of a Read, Write or Write Zeroes on q, each request
 * from alloc (q, ctx).  Stops at the first allocation failure (-1, error
 * set); *submitted counts what went out. */
typedef struct nvmeof_req *(*io_alloc_fn) (struct nvmeof_queue *q, void *ctx);
int io_submit (struct nvmeof_ns *ns, struct nvmeof_queue *q, uint8_t opcode,
               void *buf, uint64_t len, uint64_t offset, uint32_t cdw12_flags,
               io_alloc_fn alloc, void *ctx, unsigned *submitted);

#endif /* NVMEOF_INTERNAL_H */
