/* SPDX-License-Identifier: BSD-3-Clause */
/* The library's threads start with asynchronous signals blocked
 * (lib-thread.h says why). */
#include <config.h>

#include <signal.h>

#include "lib-thread.h"

int
lib_thread_create (pthread_t *thread, void *(*fn) (void *), void *arg)
{
  static const int sync_signals[] = {
    SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGSYS,
  };
  sigset_t all, old;
  size_t i;
  int r, r2;

  sigfillset (&all);
  for (i = 0; i < sizeof sync_signals / sizeof sync_signals[0]; i++)
    sigdelset (&all, sync_signals[i]);
  r = pthread_sigmask (SIG_BLOCK, &all, &old);
  if (r != 0)
    return r;
  /* (The new thread inherits the mask; the caller gets its own back.) */
  r = pthread_create (thread, NULL, fn, arg);
  r2 = pthread_sigmask (SIG_SETMASK, &old, NULL);
  return r != 0 ? r : r2;
}
