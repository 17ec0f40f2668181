/* SPDX-License-Identifier: BSD-3-Clause */
/* A program built against the installed libnvmeof-dev (header, pkg-config
 * file, libnvmeof.so link) by tests/test-packages.sh, and run in the clean
 * root against the installed libnvmeof0: it reads the first LEN bytes of
 * namespace 1 of URL to standard output.
 *
 *   dev-read URL LEN
 */
#include <stdio.h>
#include <stdlib.h>

#include <nvmeof.h>

#define CHUNK (128 * 1024)

int
main (int argc, char **argv)
{
  struct nvmeof_opts *opts;
  struct nvmeof_ctrl *ctrl;
  struct nvmeof_ns *ns;
  static char buf[CHUNK];
  unsigned long long len, off;
  char *end;

  if (argc != 3) {
    fprintf (stderr, "usage: dev-read URL LEN\n");
    return 2;
  }
  len = strtoull (argv[2], &end, 10);
  if (*end != '\0' || len % CHUNK != 0) {
    fprintf (stderr, "dev-read: LEN must be a multiple of %d\n", CHUNK);
    return 2;
  }
  fprintf (stderr, "dev-read: libnvmeof %s\n", nvmeof_version ());

  opts = nvmeof_opts_new ();
  if (opts == NULL || nvmeof_opts_set (opts, "url", argv[1]) == -1) {
    fprintf (stderr, "dev-read: %s\n", nvmeof_get_error ());
    return 1;
  }
  ctrl = nvmeof_connect (opts);
  nvmeof_opts_free (opts);
  if (ctrl == NULL) {
    fprintf (stderr, "dev-read: %s\n", nvmeof_get_error ());
    return 1;
  }
  ns = nvmeof_ns_open (ctrl, 1);
  if (ns == NULL) {
    fprintf (stderr, "dev-read: %s\n", nvmeof_get_error ());
    nvmeof_close (ctrl);
    return 1;
  }
  for (off = 0; off < len; off += CHUNK) {
    if (nvmeof_read (ns, buf, CHUNK, off) == -1) {
      fprintf (stderr, "dev-read: %s\n", nvmeof_get_error ());
      break;
    }
    if (fwrite (buf, CHUNK, 1, stdout) != 1) {
      perror ("dev-read: stdout");
      break;
    }
  }
  nvmeof_ns_close (ns);
  nvmeof_close (ctrl);
  if (off < len || fflush (stdout) == EOF)
    return 1;
  return 0;
}
