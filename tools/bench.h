/* SPDX-License-Identifier: BSD-3-Clause */
/* nvmeof bench: state shared by cmd-bench.c (options, report) and
 * bench-engine.c (connections, workers, verification). */
#ifndef NVMEOF_BENCH_H
#define NVMEOF_BENCH_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "histogram.h"
#include "nvmeof-tool.h"

enum bench_mode {
  MODE_RANDREAD = 0,
  MODE_RANDWRITE,
  MODE_READ,
  MODE_WRITE,
  MODE_RANDRW,
};

enum bench_engine {
  ENGINE_ASYNC = 0,
  ENGINE_SYNC,
};

struct bench_worker;

/* One command's worth of state, reused for every I/O. */
struct bench_slot {
  struct bench_worker *w;
  unsigned idx;
  uint8_t *buf; /* bs bytes, page aligned */
  uint64_t offset;
  uint64_t t0_ns;
  bool is_read;
};

struct bench_worker {
  struct bench *b;
  unsigned idx;
  pthread_t thread;
  bool started;
  struct nvmeof_ctrl *ctrl; /* async: its own; sync: the shared one */
  struct nvmeof_ns *ns;     /* async: its own; sync: the shared one */
  bool owns_ctrl;
  struct bench_slot *slots;
  unsigned nr_slots;
  unsigned *free_slots; /* stack of idle slot indexes */
  unsigned nr_free;
  uint64_t rng;
  uint64_t seq_next, seq_first, seq_end; /* sequential cursor, in blocks */
  struct histogram hist;
  uint64_t ios, bytes, errors, verify_errors;
};

struct bench {
  struct cli cli;
  enum bench_mode mode;
  enum bench_engine engine;
  uint32_t bs, lba_size, nsid;
  unsigned qd, queues, rwmixread;
  double time_s;
  bool verify;
  uint64_t size, offset, nblocks;
  uint64_t seed; /* of the verify pattern */

  char nr_io_queues[16], queue_size[16]; /* option values we add */
  struct nvmeof_opts *opts;
  struct nvmeof_ctrl *ctrl; /* the first connection */
  struct nvmeof_ns *ns;     /* namespace handle on it */
  struct bench_worker *workers;
  unsigned nr_workers;
  atomic_bool stop;
  _Atomic uint64_t *written; /* verify: blocks written, one bit each */

  pthread_mutex_t err_lock;
  bool have_error;
  char first_error[1024]; /* the library's messages can be long */

  struct histogram total;
  uint64_t ios, bytes, errors, verify_errors;
};

/* cmd-bench.c */
const char *bench_mode_name (enum bench_mode m);

/* bench-engine.c.  All return -1 after printing one error line. */
typedef int (*bench_check_fn) (struct bench *b,
                               const struct nvmeof_ns_info *ni);
/* Connect (one controller per worker for async, one shared for sync),
 * open the namespace, call check, allocate slots and buffers. */
int bench_setup (struct bench *b, bench_check_fn check);
/* --verify with reads: write the pattern over the whole region first. */
int bench_prefill (struct bench *b);
/* Start the workers; they run until b->stop. */
int bench_start (struct bench *b);
void bench_join (struct bench *b);
/* --verify: read back every block written during the run. */
int bench_verify_written (struct bench *b);
void bench_teardown (struct bench *b);

#endif
