/* SPDX-License-Identifier: BSD-3-Clause */
/* Multipath pieces that need no controller: the I/O policies' choice
 * (multipath-policy.c), the ANA log page decoder with hostile pages
 * (multipath-ana.c: every count bounded by the page's length), which
 * failures are path errors, and the iopolicy names. */
#include <config.h>

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "multipath.h"
#include "check.h"

/* ---- policies ------------------------------------------------------- */

static void
test_failover (void)
{
  struct mpath_pview v[3] = {
    { true, true, 0 },
    { true, true, 0 },
    { true, false, 0 },
  };
  unsigned cur = 2;
  int current = -1, i, r;

  /* The first optimized path, kept while it stays usable. */
  for (i = 0; i < 10; i++) {
    r = mpath_policy_select (MPATH_FAILOVER, v, 3, &cur, &current);
    CHECK (r == 0, "failover chose %d, expected 0", r);
  }
  v[0].usable = false;
  r = mpath_policy_select (MPATH_FAILOVER, v, 3, &cur, &current);
  CHECK (r == 1, "failover after path 0 went: %d, expected 1", r);
  /* Path 0 back: stay on 1 (it is still optimized). */
  v[0].usable = true;
  r = mpath_policy_select (MPATH_FAILOVER, v, 3, &cur, &current);
  CHECK (r == 1, "failover went back to %d, expected to stay on 1", r);
  /* Only the non-optimized one left. */
  v[0].usable = v[1].usable = false;
  r = mpath_policy_select (MPATH_FAILOVER, v, 3, &cur, &current);
  CHECK (r == 2, "failover to the non-optimized path: %d", r);
  /* An optimized path back: leave the non-optimized one. */
  v[1].usable = true;
  r = mpath_policy_select (MPATH_FAILOVER, v, 3, &cur, &current);
  CHECK (r == 1, "failover back to optimized: %d", r);
  v[0].usable = v[1].usable = v[2].usable = false;
  r = mpath_policy_select (MPATH_FAILOVER, v, 3, &cur, &current);
  CHECK (r == -1, "no usable path: %d", r);
  CHECK (mpath_policy_select (MPATH_FAILOVER, v, 0, &cur, &current) == -1,
         "no paths at all");
}

static void
test_round_robin (void)
{
  struct mpath_pview v[3] = {
    { true, true, 0 },
    { true, true, 0 },
    { true, true, 0 },
  };
  unsigned cur = 2, count[3] = { 0 };
  int current = -1, i, r, last = -1;

  for (i = 0; i < 300; i++) {
    r = mpath_policy_select (MPATH_ROUND_ROBIN, v, 3, &cur, &current);
    CHECK (r >= 0 && r < 3 && r != last, "round-robin repeated %d", r);
    if (r >= 0 && r < 3)
      count[r]++;
    last = r;
  }
  CHECK (count[0] == 100 && count[1] == 100 && count[2] == 100,
         "round-robin spread %u %u %u", count[0], count[1], count[2]);
  /* Non-optimized paths are skipped while an optimized one is usable. */
  v[1].optimized = false;
  for (i = 0; i < 10; i++) {
    r = mpath_policy_select (MPATH_ROUND_ROBIN, v, 3, &cur, &current);
    CHECK (r == 0 || r == 2, "round-robin used non-optimized path %d", r);
  }
  v[0].usable = v[2].usable = false;
  r = mpath_policy_select (MPATH_ROUND_ROBIN, v, 3, &cur, &current);
  CHECK (r == 1, "round-robin fell back to non-optimized: %d", r);
}

static void
test_queue_depth (void)
{
  struct mpath_pview v[3] = {
    { true, true, 5 },
    { true, true, 2 },
    { true, true, 9 },
  };
  unsigned cur = 0, count[3] = { 0 };
  int current = -1, i, r;

  r = mpath_policy_select (MPATH_QUEUE_DEPTH, v, 3, &cur, &current);
  CHECK (r == 1, "queue-depth chose %d, expected the shallowest 1", r);
  v[1].usable = false;
  r = mpath_policy_select (MPATH_QUEUE_DEPTH, v, 3, &cur, &current);
  CHECK (r == 0, "queue-depth chose %d, expected 0", r);
  /* Equal depths: spread, not always the first. */
  v[0].inflight = v[1].inflight = v[2].inflight = 0;
  v[1].usable = true;
  for (i = 0; i < 30; i++) {
    r = mpath_policy_select (MPATH_QUEUE_DEPTH, v, 3, &cur, &current);
    if (r >= 0 && r < 3)
      count[r]++;
  }
  CHECK (count[0] == 10 && count[1] == 10 && count[2] == 10,
         "queue-depth ties spread %u %u %u", count[0], count[1], count[2]);
  /* An optimized path beats a shallower non-optimized one. */
  v[0].optimized = false;
  v[0].inflight = 0;
  v[1].inflight = 50;
  v[2].usable = false;
  r = mpath_policy_select (MPATH_QUEUE_DEPTH, v, 3, &cur, &current);
  CHECK (r == 1, "queue-depth preferred non-optimized path %d", r);
}

static void
test_names (void)
{
  CHECK (mpath_iopolicy_parse ("failover") == MPATH_FAILOVER, "failover");
  CHECK (mpath_iopolicy_parse ("round-robin") == MPATH_ROUND_ROBIN, "rr");
  CHECK (mpath_iopolicy_parse ("queue-depth") == MPATH_QUEUE_DEPTH, "qd");
  CHECK (mpath_iopolicy_parse ("numa") == -1, "numa is refused");
  CHECK (mpath_iopolicy_parse ("") == -1, "empty is refused");
  CHECK (strcmp (mpath_iopolicy_name (MPATH_ROUND_ROBIN), "round-robin") == 0,
         "name");
}

static void
test_path_errors (void)
{
  /* SCT 3 without DNR: path errors (ANA states, internal path error). */
  CHECK (mpath_is_path_error (0x302, 0), "ANA inaccessible");
  CHECK (mpath_is_path_error (0x301, 0), "ANA persistent loss");
  CHECK (mpath_is_path_error (0x303, 0), "ANA transition");
  CHECK (mpath_is_path_error (0x300, 0), "internal path error");
  CHECK (!mpath_is_path_error (0x302 | NVME_STATUS_DNR, 0), "DNR stops it");
  /* Media errors (SCT 2) and generic ones are the caller's. */
  CHECK (!mpath_is_path_error (0x281, 0), "unrecovered read error");
  CHECK (!mpath_is_path_error (0x002, 0), "invalid field");
  /* No status: the transport's failures retry, our checks do not. */
  CHECK (mpath_is_path_error (0, EIO), "lost connection");
  CHECK (mpath_is_path_error (0, ETIMEDOUT), "timeout");
  CHECK (mpath_is_path_error (0, ECONNRESET), "reset");
  CHECK (!mpath_is_path_error (0, EINVAL), "a bad request");
  CHECK (!mpath_is_path_error (0, 0), "no failure");
}

/* ---- the ANA log page --------------------------------------------------- */

static uint8_t page[4096];
static struct mpath_ana_group g[8];
static char err[256];

/* A header and n descriptors, descriptor i with grpid i+1, state s[i]
 * and k[i] NSIDs.  Returns the length. */
static size_t
make_page (unsigned n, const uint8_t *s, const uint32_t *k)
{
  size_t off = 16;
  unsigned i, j;

  memset (page, 0, sizeof page);
  put_le64 (page, 7);
  put_le16 (page + 8, (uint16_t) n);
  for (i = 0; i < n; i++) {
    put_le32 (page + off, i + 1);
    put_le32 (page + off + 4, k[i]);
    put_le64 (page + off + 8, 3);
    page[off + 16] = s[i];
    off += 32;
    for (j = 0; j < k[i]; j++, off += 4)
      put_le32 (page + off, j + 1);
  }
  return off;
}

static int
parse (size_t len, uint32_t grpmax, size_t *nr)
{
  uint64_t chg = 0;

  err[0] = '\0';
  return mpath_ana_parse (page, len, grpmax, g, 8, nr, &chg, err, sizeof err);
}

static void
test_ana_parse (void)
{
  const uint8_t s[3] = { NVME_ANA_OPTIMIZED, NVME_ANA_INACCESSIBLE,
                         NVME_ANA_CHANGE | 0xF0 };
  const uint32_t k[3] = { 2, 0, 1 };
  size_t len, nr = 99;

  len = make_page (3, s, k);
  CHECK (parse (len, 16, &nr) == 0, "a good page: %s", err);
  CHECK (nr == 3, "3 groups, got %zu", nr);
  CHECK (mpath_ana_lookup (g, nr, 1) == NVME_ANA_OPTIMIZED, "group 1");
  CHECK (mpath_ana_lookup (g, nr, 2) == NVME_ANA_INACCESSIBLE, "group 2");
  CHECK (mpath_ana_lookup (g, nr, 3) == NVME_ANA_CHANGE,
         "group 3: reserved high bits ignored");
  CHECK (mpath_ana_lookup (g, nr, 4) == 0, "group 4 is not there");
  /* Longer than needed (a zero-padded read) is fine. */
  CHECK (parse (sizeof page, 0, &nr) == 0 && nr == 3, "padded: %s", err);
  /* No groups. */
  len = make_page (0, s, k);
  CHECK (parse (len, 16, &nr) == 0 && nr == 0, "empty page: %s", err);

  /* Hostile pages. */
  CHECK (parse (8, 16, &nr) == -1 && strstr (err, "header"), "short header: %s",
         err);
  len = make_page (3, s, k);
  CHECK (parse (len - 1, 16, &nr) == -1 && strstr (err, "past the end"),
         "last NSID cut: %s", err);
  CHECK (parse (16 + 31, 16, &nr) == -1 && strstr (err, "runs past"),
         "descriptor cut: %s", err);
  put_le16 (page + 8, 60000);
  CHECK (parse (len, 16, &nr) == -1 && strstr (err, "ANAGRPMAX"),
         "more groups than ANAGRPMAX: %s", err);
  CHECK (parse (len, 0, &nr) == -1 && strstr (err, "we keep"),
         "more groups than we keep: %s", err);
  CHECK (parse (sizeof page, 0, &nr) == -1, "count larger than the page");
  len = make_page (3, s, k);
  put_le32 (page + 16 + 4, 0xFFFFFFFFu); /* NNSIDS: 16 GiB of NSIDs */
  CHECK (parse (len, 16, &nr) == -1 && strstr (err, "namespaces"),
         "huge NNSIDS: %s", err);
  len = make_page (3, s, k);
  put_le32 (page + 16, 0);
  CHECK (parse (len, 16, &nr) == -1 && strstr (err, "group ID 0"),
         "group ID 0: %s", err);
  len = make_page (3, s, k);
  put_le32 (page + 16, 17);
  CHECK (parse (len, 16, &nr) == -1 && strstr (err, "group ID 17"),
         "group ID above ANAGRPMAX: %s", err);
  len = make_page (3, s, k);
  page[16 + 16] = 0x5;
  CHECK (parse (len, 16, &nr) == -1 && strstr (err, "not an ANA state"),
         "state 5: %s", err);
  len = make_page (3, s, k);
  put_le32 (page + 16 + 32 + 8, 1); /* descriptor 2 says group 1 */
  CHECK (parse (len, 16, &nr) == -1 && strstr (err, "twice"),
         "a group twice: %s", err);
  CHECK (parse (0, 16, &nr) == -1, "empty buffer");
  CHECK (nr == 0, "nothing returned from a refused page");
}

int
main (void)
{
  test_failover ();
  test_round_robin ();
  test_queue_depth ();
  test_names ();
  test_path_errors ();
  test_ana_parse ();
  printf ("%d checks, %d failures\n", checks, failures);
  return failures ? 1 : 0;
}
