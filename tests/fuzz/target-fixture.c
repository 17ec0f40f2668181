/* SPDX-License-Identifier: BSD-3-Clause */
/* The fixture the harnesses of nvmeof-target share (target-fixture.h). */
#include <config.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "target-fixture.h"

/* ---- what main.c defines for the rest of nvmeof-target ---------------- */
atomic_bool stopping;

/* Quiet, but for FUZZ_TARGET_LOG=1 (when replaying an input). */
static void
vlog (const char *fmt, va_list ap)
{
  static int on = -1;

  if (on == -1)
    on = getenv ("FUZZ_TARGET_LOG") != NULL;
  if (on) {
    fputs ("nvmeof-target: ", stderr);
    vfprintf (stderr, fmt, ap);
    fputc ('\n', stderr);
  }
}

void
log_msg (const char *fmt, ...)
{
  va_list ap;

  va_start (ap, fmt);
  vlog (fmt, ap);
  va_end (ap);
}

void
log_verbose (const char *fmt, ...)
{
  va_list ap;

  va_start (ap, fmt);
  vlog (fmt, ap);
  va_end (ap);
}

bool
stop_requested (void)
{
  return false;
}

void
die (const char *fmt, ...)
{
  va_list ap;

  va_start (ap, fmt);
  vfprintf (stderr, fmt, ap);
  va_end (ap);
  abort ();
}

/* ---- the fixture --------------------------------------------------------- */

void
fixture_setup (const char *port_json)
{
  static bool done;
  static const char head[] =
    "{\"hosts\": [{\"nqn\": \"" AUTHHOST "\", \"dhchap_key\": "
    "\"DHHC-1:00:ia6zGodOr4SEG0Zzaw398rpY0wqipUWj4jWjUh4HWUz6aQ2n:\"}],"
    " \"ports\": [{";
  static const char tail[] =
    ", \"portid\": 1, \"subsystems\": [\"" SUBNQN "\", \"" AUTHNQN "\"]}],"
    " \"subsystems\": [{\"nqn\": \"" SUBNQN "\", \"attr\": "
    "{\"allow_any_host\": \"1\"}, \"namespaces\": [{\"nsid\": 1, "
    "\"enable\": 1, \"device\": {\"path\": \"ram:1M\"}}]},"
    " {\"nqn\": \"" AUTHNQN "\", \"allowed_hosts\": [\"" AUTHHOST "\"],"
    " \"namespaces\": [{\"nsid\": 1, \"enable\": 1, \"device\": "
    "{\"path\": \"ram:64K\"}}]}]}";
  struct quick_opts q = { 0 };
  char path[64];
  FILE *fp;
  int fd;

  if (done)
    return;
  done = true;
  cfg.poll_us = 0;
  /* (Private, as a file holding secrets must be.) */
  fd = memfd_create ("fuzz-target.json", MFD_CLOEXEC);
  fp = fd == -1 || fchmod (fd, 0600) == -1 ? NULL : fdopen (dup (fd), "w");
  if (fp == NULL || fprintf (fp, "%s%s%s", head, port_json, tail) < 0 ||
      fclose (fp) != 0)
    FAILED ("cannot write the configuration: %m");
  snprintf (path, sizeof path, "/proc/self/fd/%d", fd);
  q.config_file = path;
  if (config_build (&q) == -1 || cfg.nr_ports != 1)
    FAILED ("the target's configuration did not build");
  close (fd);
}

void
fixture_reset (void)
{
  size_t i, j;

  for (i = 0; i < cfg.nr_subsys; i++)
    for (j = 0; j < cfg.subsys[i]->nr_ns; j++) {
      struct tgt_ns *ns = &cfg.subsys[i]->ns[j];

      /* (The configuration asks for no write protection.) */
      atomic_store (&ns->wp, WP_NONE);
      if (ns->be.kind == BACKEND_RAM &&
          madvise (ns->be.ram, ns->be.size, MADV_DONTNEED) == -1)
        FAILED ("madvise of a RAM namespace: %m");
    }
}
