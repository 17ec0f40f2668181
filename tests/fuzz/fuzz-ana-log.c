/* SPDX-License-Identifier: BSD-3-Clause */
/* Fuzz target for the ANA log page decoder of multipath
 * (mpath_ana_parse, initiator/multipath-ana.c).  The first two bytes of
 * an input are ANAGRPMAX (little-endian, 0: unchecked), the rest is the
 * page as a controller returned it.  Every page is accepted or refused
 * with one line; an accepted page's groups are within ANAGRPMAX, have a
 * valid state and a group ID once each, and the header, descriptors and
 * NSID lists they came from fit in the page; a refused page returns no
 * group.
 *
 * libFuzzer: scripts/fuzz.sh (make fuzz) builds and runs it.
 * Built-in driver (no libFuzzer, the unit test "unit/fuzz-ana-log"):
 *   see driver.c.
 */
#include <config.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "multipath.h"
#include "driver.h"

#define MAX_GROUPS 64

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  struct mpath_ana_group g[MAX_GROUPS];
  uint8_t *page;
  uint32_t grpmax;
  uint64_t chg = 0;
  size_t len, nr = 12345, i, k, off;
  char err[256];
  int r;

  if (size < 2)
    return 0;
  grpmax = get_le16 (data);
  len = size - 2;
  /* A copy of exactly len bytes, so that ASan sees any read past it. */
  page = malloc (len ? len : 1);
  if (page == NULL)
    return 0;
  memcpy (page, data + 2, len);
  err[0] = '\0';
  r = mpath_ana_parse (page, len, grpmax, g, MAX_GROUPS, &nr, &chg, err,
                       sizeof err);
  if (r == -1) {
    if (nr != 0)
      FAILED ("a refused page returned %zu groups", nr);
    if (err[0] == '\0' || strchr (err, '\n'))
      FAILED ("a refusal must be one line: '%s'", err);
    free (page);
    return 0;
  }
  if (r != 0)
    FAILED ("returned %d", r);
  if (nr > MAX_GROUPS || nr != get_le16 (page + 8))
    FAILED ("%zu groups for a header saying %u", nr, get_le16 (page + 8));
  /* Walk the page again: everything the groups came from is inside it. */
  off = 16;
  for (i = 0; i < nr; i++) {
    uint32_t nnsids;

    if (off + 32 > len)
      FAILED ("descriptor %zu past the page", i);
    if (get_le32 (page + off) != g[i].grpid)
      FAILED ("group %zu is not the page's", i);
    nnsids = get_le32 (page + off + 4);
    off += 32;
    if ((uint64_t) nnsids * 4 > len - off)
      FAILED ("NSIDs of group %zu past the page", i);
    off += (size_t) nnsids * 4;
    if (g[i].grpid == 0 || (grpmax && g[i].grpid > grpmax))
      FAILED ("group ID %u accepted (ANAGRPMAX %u)", g[i].grpid, grpmax);
    if (strcmp (mpath_ana_state_name (g[i].state), "unknown") == 0)
      FAILED ("state %u accepted", g[i].state);
    for (k = 0; k < i; k++)
      if (g[k].grpid == g[i].grpid)
        FAILED ("group %u twice", g[i].grpid);
    if (mpath_ana_lookup (g, nr, g[i].grpid) == 0)
      FAILED ("lookup of group %u", g[i].grpid);
  }
  free (page);
  return 0;
}

/* A good page: ANAGRPMAX 8, two groups, the first with two NSIDs. */
static size_t
seed (size_t i, uint8_t *buf, size_t cap)
{
  size_t n = 2 + 16 + 32 + 8 + 32;

  if (i > 1 || cap < n)
    return 0;
  memset (buf, 0, n);
  put_le16 (buf, i == 0 ? 8 : 0);
  put_le64 (buf + 2, 5);
  put_le16 (buf + 2 + 8, 2);
  put_le32 (buf + 18, 1);
  put_le32 (buf + 18 + 4, 2);
  buf[18 + 16] = 1;
  put_le32 (buf + 50, 1);
  put_le32 (buf + 54, 2);
  put_le32 (buf + 58, 2);
  put_le32 (buf + 58 + 4, 0);
  buf[58 + 16] = 3;
  return n;
}

static const char *const tokens[] = {
  "\xff\xff\xff\xff", "\x00\x00\x00\x00", "\x01\x00", "\x0f", "\x04",
};

const struct fuzz_target fuzz_target = {
  .name = "fuzz-ana-log",
  .what = "ANA log page decoder",
  .seed = seed,
  .tokens = tokens,
  .nr_tokens = sizeof tokens / sizeof tokens[0],
};
