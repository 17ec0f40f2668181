/* SPDX-License-Identifier: BSD-3-Clause */
/* The library's own threads (receive, timer, reconnect, path threads). */
#ifndef NVMEOF_LIB_THREAD_H
#define NVMEOF_LIB_THREAD_H

#include <pthread.h>

/* pthread_create, but the thread starts with every asynchronous signal
 * blocked, so that a signal sent to the process reaches one of the
 * application's threads, which may be waiting for it (nvmeof-fuse's loop
 * ends on SIGHUP or SIGTERM only if a FUSE thread sees it; nbdkit's
 * likewise), and never one of ours, which would run the handler and go
 * back to its poll.  Synchronous ones (SIGSEGV, SIGBUS, SIGFPE, SIGILL,
 * SIGTRAP, SIGSYS) stay as they were.  Returns 0 or an error number. */
int lib_thread_create (pthread_t *thread, void *(*fn) (void *), void *arg);

#endif
