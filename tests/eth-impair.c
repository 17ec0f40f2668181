/* SPDX-License-Identifier: BSD-3-Clause */
/* eth-impair: a userspace link impairment bridge for the NVMe/Ethernet
 * tests, where the kernel has no sch_netem.  It joins two interfaces (the
 * middle ends of two veth pairs: nsA.vA <-> [vA' eth-impair vB'] <-> nsB.vB)
 * and forwards every frame from one to the other, unchanged (source and
 * destination MAC too), except that each frame, independently and with
 * the given probabilities, is
 *   --loss PCT        dropped;
 *   --corrupt PCT     sent with one random bit of its payload (after the
 *                     Ethernet header) flipped;
 *   --duplicate PCT   sent twice;
 *   --reorder PCT     held back until N later frames went out
 *                     (--reorder-frames N, default 3) or for X us
 *                     (--reorder-us X), at most 50 ms;
 * and every frame is delayed by --delay US, +- --jitter US (uniform; a
 * jittered frame may overtake others, as with netem).  --seed makes the
 * choices repeatable, --ethertype limits the impairments to one
 * EtherType (others are forwarded untouched).  Both directions are
 * impaired alike, each by its own thread: recvmmsg and sendmmsg in
 * batches, frames kept in a pool of buffers (no copy between receive and
 * send) and a heap ordered by release time.  Counters go to standard
 * error at exit (SIGTERM, SIGINT), and with --stats FILE as JSON.
 *
 * Usage: eth-impair [OPTIONS] IFACE1 IFACE2 (root, or CAP_NET_RAW). */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/if_packet.h>

#ifndef PACKET_IGNORE_OUTGOING
#define PACKET_IGNORE_OUTGOING 23
#endif

#define BATCH       64
#define POOL        8192  /* frames held per direction */
#define MAX_HOLD_US 50000 /* a reordered frame waits at most this */

struct opts {
  double loss, corrupt, dup, reorder; /* probabilities 0..1 */
  unsigned reorder_frames;
  uint64_t reorder_us, delay_us, jitter_us, seed;
  int ethertype; /* -1: all */
};

struct pending {
  uint64_t at;    /* release time, us; UINT64_MAX: held by count */
  uint64_t order; /* arrival order, to keep equal times in order */
  unsigned slot;
  unsigned len;
  unsigned hold; /* frames still to go before a held frame */
};

struct dir {
  char name[40];
  int in, out; /* sockets */
  int out_ifindex;
  struct opts o;
  uint64_t rng;
  uint8_t *pool;
  size_t slot_size;
  unsigned *free_slots, nr_free;
  struct pending *heap;
  unsigned nheap;
  struct pending *held;
  unsigned nheld;
  uint64_t order;
  /* counters */
  uint64_t rx, tx, lost, corrupted, duplicated, reordered, overflow, errors;
};

static atomic_bool stop;

static void
on_signal (int sig)
{
  (void) sig;
  atomic_store (&stop, true);
}

static uint64_t
now_us (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (uint64_t) ts.tv_sec * 1000000 + (uint64_t) ts.tv_nsec / 1000;
}

/* xorshift64*: fast, repeatable with --seed. */
static uint64_t
rnd (struct dir *d)
{
  d->rng ^= d->rng >> 12;
  d->rng ^= d->rng << 25;
  d->rng ^= d->rng >> 27;
  return d->rng * 0x2545F4914F6CDD1DULL;
}

static bool
chance (struct dir *d, double p)
{
  return p > 0 && (double) (rnd (d) >> 11) / 9007199254740992.0 < p;
}

/* ---- the heap of frames waiting for their time ------------------------ */

static bool
before (const struct pending *a, const struct pending *b)
{
  return a->at < b->at || (a->at == b->at && a->order < b->order);
}

static void
heap_push (struct dir *d, struct pending p)
{
  unsigned i = d->nheap++;

  while (i > 0 && before (&p, &d->heap[(i - 1) / 2])) {
    d->heap[i] = d->heap[(i - 1) / 2];
    i = (i - 1) / 2;
  }
  d->heap[i] = p;
}

static struct pending
heap_pop (struct dir *d)
{
  struct pending top = d->heap[0], last = d->heap[--d->nheap];
  unsigned i = 0;

  for (;;) {
    unsigned c = 2 * i + 1;
    if (c >= d->nheap)
      break;
    if (c + 1 < d->nheap && before (&d->heap[c + 1], &d->heap[c]))
      c++;
    if (!before (&d->heap[c], &last))
      break;
    d->heap[i] = d->heap[c];
    i = c;
  }
  d->heap[i] = last;
  return top;
}

/* ---- forwarding ---------------------------------------------------------- */

static uint8_t *
slot_buf (struct dir *d, unsigned slot)
{
  return d->pool + (size_t) slot * d->slot_size;
}

/* Schedule a received frame (in slot) by the impairments. */
static void
impair (struct dir *d, unsigned slot, unsigned len, uint64_t now)
{
  uint8_t *f = slot_buf (d, slot);
  uint16_t et = (uint16_t) (f[12] << 8 | f[13]);
  struct pending p = { .slot = slot, .len = len, .order = d->order++ };
  int64_t at = (int64_t) now;

  if (d->o.ethertype >= 0 && et != d->o.ethertype) {
    p.at = now;
    heap_push (d, p);
    return;
  }
  if (chance (d, d->o.loss)) {
    d->lost++;
    d->free_slots[d->nr_free++] = slot;
    return;
  }
  if (len > ETH_HLEN && chance (d, d->o.corrupt)) {
    uint64_t bit = rnd (d) % ((uint64_t) (len - ETH_HLEN) * 8);
    f[ETH_HLEN + bit / 8] ^= (uint8_t) (1u << (bit % 8));
    d->corrupted++;
  }
  at += (int64_t) d->o.delay_us;
  if (d->o.jitter_us)
    at +=
      (int64_t) (rnd (d) % (2 * d->o.jitter_us + 1)) - (int64_t) d->o.jitter_us;
  p.at = at < (int64_t) now ? now : (uint64_t) at;
  if (chance (d, d->o.dup) && d->nr_free > 0) {
    struct pending c = p;
    c.slot = d->free_slots[--d->nr_free];
    c.order = d->order++;
    memcpy (slot_buf (d, c.slot), f, len);
    heap_push (d, c);
    d->duplicated++;
  }
  if (chance (d, d->o.reorder)) {
    d->reordered++;
    if (d->o.reorder_us) {
      p.at += d->o.reorder_us;
    }
    else {
      p.hold = d->o.reorder_frames;
      p.at = now + MAX_HOLD_US; /* the most it waits */
      d->held[d->nheld++] = p;
      return;
    }
  }
  heap_push (d, p);
}

/* A frame went out: held frames get one closer to their turn. */
static void
count_down (struct dir *d, uint64_t now)
{
  unsigned i = 0;

  while (i < d->nheld) {
    struct pending *h = &d->held[i];
    if (h->hold > 0)
      h->hold--;
    if (h->hold == 0 || now >= h->at) {
      struct pending p = *h;
      p.at = now;
      d->held[i] = d->held[--d->nheld];
      heap_push (d, p);
      continue;
    }
    i++;
  }
}

static void
send_due (struct dir *d, uint64_t now)
{
  struct mmsghdr msgs[BATCH];
  struct iovec iov[BATCH];
  unsigned slots[BATCH], n = 0, i;
  struct sockaddr_ll to = { .sll_family = AF_PACKET,
                            .sll_ifindex = d->out_ifindex,
                            .sll_halen = 6 };

  /* Held frames whose time cap passed. */
  for (i = 0; i < d->nheld;) {
    if (now >= d->held[i].at) {
      struct pending p = d->held[i];
      d->held[i] = d->held[--d->nheld];
      heap_push (d, p);
    }
    else
      i++;
  }
  while (d->nheap > 0 && d->heap[0].at <= now) {
    struct pending p = heap_pop (d);

    memset (&msgs[n], 0, sizeof msgs[n]);
    iov[n].iov_base = slot_buf (d, p.slot);
    iov[n].iov_len = p.len;
    memcpy (to.sll_addr, iov[n].iov_base, 6);
    msgs[n].msg_hdr.msg_iov = &iov[n];
    msgs[n].msg_hdr.msg_iovlen = 1;
    msgs[n].msg_hdr.msg_name = &to;
    msgs[n].msg_hdr.msg_namelen = sizeof to;
    slots[n++] = p.slot;
    if (n == BATCH || d->nheap == 0 || d->heap[0].at > now) {
      int r = sendmmsg (d->out, msgs, n, 0);
      if (r < 0) {
        d->errors += n;
        r = 0;
      }
      d->tx += (unsigned) r;
      d->errors += n - (unsigned) r;
      for (i = 0; i < n; i++) {
        d->free_slots[d->nr_free++] = slots[i];
        if (d->nheld)
          count_down (d, now);
      }
      n = 0;
    }
  }
}

static void *
run (void *arg)
{
  struct dir *d = arg;
  struct mmsghdr msgs[BATCH];
  struct iovec iov[BATCH];
  unsigned slots[BATCH];

  while (!atomic_load (&stop)) {
    uint64_t now = now_us ();
    int timeout = 100, r, i, k;
    struct pollfd pfd = { .fd = d->in, .events = POLLIN };

    if (d->nheap > 0)
      timeout = d->heap[0].at <= now ? 0 : (int) ((d->heap[0].at - now) / 1000);
    if (d->nheld > 0 && timeout > 1)
      timeout = 1;
    if (timeout > 0 || d->nheap == 0)
      poll (&pfd, 1, timeout);
    /* Receive what is waiting, into free slots. */
    k = 0;
    while (k < BATCH && d->nr_free > 0) {
      slots[k] = d->free_slots[--d->nr_free];
      memset (&msgs[k], 0, sizeof msgs[k]);
      iov[k].iov_base = slot_buf (d, slots[k]);
      iov[k].iov_len = d->slot_size;
      msgs[k].msg_hdr.msg_iov = &iov[k];
      msgs[k].msg_hdr.msg_iovlen = 1;
      k++;
    }
    if (k == 0)
      d->overflow++;
    r = k ? recvmmsg (d->in, msgs, k, MSG_DONTWAIT, NULL) : 0;
    if (r < 0)
      r = 0;
    now = now_us ();
    for (i = 0; i < r; i++) {
      d->rx++;
      if ((msgs[i].msg_hdr.msg_flags & MSG_TRUNC) || msgs[i].msg_len < 14) {
        d->overflow++;
        d->free_slots[d->nr_free++] = slots[i];
        continue;
      }
      impair (d, slots[i], msgs[i].msg_len, now);
    }
    for (i = r; i < k; i++)
      d->free_slots[d->nr_free++] = slots[i];
    send_due (d, now_us ());
  }
  return NULL;
}

/* ---- setup --------------------------------------------------------------- */

static int
open_if (const char *ifname, int *ifindex, unsigned *mtu)
{
  struct sockaddr_ll sll = { .sll_family = AF_PACKET,
                             .sll_protocol = htons (ETH_P_ALL) };
  struct ifreq ifr;
  int fd, one = 1, buf = 32 << 20;

  *ifindex = (int) if_nametoindex (ifname);
  if (*ifindex == 0) {
    fprintf (stderr, "eth-impair: no such interface: %s\n", ifname);
    exit (1);
  }
  fd = socket (AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons (ETH_P_ALL));
  if (fd == -1) {
    fprintf (stderr, "eth-impair: AF_PACKET socket: %s (needs CAP_NET_RAW)\n",
             strerror (errno));
    exit (1);
  }
  memset (&ifr, 0, sizeof ifr);
  snprintf (ifr.ifr_name, sizeof ifr.ifr_name, "%s", ifname);
  if (ioctl (fd, SIOCGIFMTU, &ifr) == -1) {
    fprintf (stderr, "eth-impair: %s: SIOCGIFMTU: %s\n", ifname,
             strerror (errno));
    exit (1);
  }
  *mtu = (unsigned) ifr.ifr_mtu;
  setsockopt (fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof one);
  if (setsockopt (fd, SOL_SOCKET, SO_RCVBUFFORCE, &buf, sizeof buf) == -1)
    setsockopt (fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof buf);
  if (setsockopt (fd, SOL_SOCKET, SO_SNDBUFFORCE, &buf, sizeof buf) == -1)
    setsockopt (fd, SOL_SOCKET, SO_SNDBUF, &buf, sizeof buf);
  sll.sll_ifindex = *ifindex;
  if (bind (fd, (struct sockaddr *) &sll, sizeof sll) == -1) {
    fprintf (stderr, "eth-impair: bind %s: %s\n", ifname, strerror (errno));
    exit (1);
  }
  return fd;
}

static void
dir_init (struct dir *d, const char *name, int in, int out, int out_ifindex,
          size_t slot_size, const struct opts *o, uint64_t salt)
{
  unsigned i;

  snprintf (d->name, sizeof d->name, "%s", name);
  d->in = in;
  d->out = out;
  d->out_ifindex = out_ifindex;
  d->o = *o;
  d->rng = (o->seed ^ salt) * 0x9E3779B97F4A7C15ULL | 1;
  d->slot_size = slot_size;
  d->pool = malloc (slot_size * POOL);
  d->free_slots = malloc (POOL * sizeof *d->free_slots);
  d->heap = malloc (POOL * sizeof *d->heap);
  d->held = malloc (POOL * sizeof *d->held);
  if (!d->pool || !d->free_slots || !d->heap || !d->held) {
    fprintf (stderr, "eth-impair: out of memory\n");
    exit (1);
  }
  for (i = 0; i < POOL; i++)
    d->free_slots[d->nr_free++] = POOL - 1 - i;
}

static double
pct (const char *opt, const char *s)
{
  char *end;
  double v = strtod (s, &end);

  if (*end || end == s || v < 0 || v > 100) {
    fprintf (stderr, "eth-impair: --%s: expected a percentage, got '%s'\n", opt,
             s);
    exit (2);
  }
  return v / 100;
}

static uint64_t
num (const char *opt, const char *s)
{
  char *end;
  unsigned long long v;

  errno = 0;
  v = strtoull (s, &end, 0);
  if (errno || *end || end == s || s[0] == '-') {
    fprintf (stderr, "eth-impair: --%s: expected a number, got '%s'\n", opt, s);
    exit (2);
  }
  return v;
}

static void
report (FILE *fp, const struct dir *d, bool json)
{
  fprintf (fp,
           json ? "\"%s\": {\"rx\": %" PRIu64 ", \"tx\": %" PRIu64
                  ", \"lost\": %" PRIu64 ", \"corrupted\": %" PRIu64
                  ", \"duplicated\": %" PRIu64 ", \"reordered\": %" PRIu64
                  ", \"overflow\": %" PRIu64 ", \"errors\": %" PRIu64 "}" :
                  "eth-impair: %s: %" PRIu64 " received, %" PRIu64
                  " sent, %" PRIu64 " lost, %" PRIu64 " corrupted, %" PRIu64
                  " duplicated, %" PRIu64 " reordered, %" PRIu64
                  " overflows, %" PRIu64 " send errors\n",
           d->name, d->rx, d->tx, d->lost, d->corrupted, d->duplicated,
           d->reordered, d->overflow, d->errors);
}

int
main (int argc, char **argv)
{
  static const struct option lo[] = {
    { "loss", required_argument, NULL, 'l' },
    { "corrupt", required_argument, NULL, 'c' },
    { "duplicate", required_argument, NULL, 'd' },
    { "reorder", required_argument, NULL, 'r' },
    { "reorder-frames", required_argument, NULL, 'n' },
    { "reorder-us", required_argument, NULL, 'u' },
    { "delay", required_argument, NULL, 'D' },
    { "jitter", required_argument, NULL, 'j' },
    { "seed", required_argument, NULL, 's' },
    { "ethertype", required_argument, NULL, 'e' },
    { "pidfile", required_argument, NULL, 'p' },
    { "stats", required_argument, NULL, 'S' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  struct opts o = { .reorder_frames = 3, .seed = 1, .ethertype = -1 };
  const char *pidfile = NULL, *statsfile = NULL;
  struct dir ab = { 0 }, ba = { 0 };
  int c, fa, fb, ia, ib;
  unsigned ma, mb;
  pthread_t t1, t2;
  struct sigaction sa;

  while ((c = getopt_long (argc, argv, "", lo, NULL)) != -1) {
    switch (c) {
    case 'l':
      o.loss = pct ("loss", optarg);
      break;
    case 'c':
      o.corrupt = pct ("corrupt", optarg);
      break;
    case 'd':
      o.dup = pct ("duplicate", optarg);
      break;
    case 'r':
      o.reorder = pct ("reorder", optarg);
      break;
    case 'n':
      o.reorder_frames = (unsigned) num ("reorder-frames", optarg);
      break;
    case 'u':
      o.reorder_us = num ("reorder-us", optarg);
      break;
    case 'D':
      o.delay_us = num ("delay", optarg);
      break;
    case 'j':
      o.jitter_us = num ("jitter", optarg);
      break;
    case 's':
      o.seed = num ("seed", optarg);
      break;
    case 'e':
      o.ethertype = strcmp (optarg, "all") == 0 ?
                      -1 :
                      (int) (num ("ethertype", optarg) & 0xFFFF);
      break;
    case 'p':
      pidfile = optarg;
      break;
    case 'S':
      statsfile = optarg;
      break;
    case 'h':
      printf ("Usage: eth-impair [--loss PCT] [--corrupt PCT] "
              "[--duplicate PCT]\n"
              "  [--reorder PCT [--reorder-frames N | --reorder-us US]]\n"
              "  [--delay US [--jitter US]] [--seed N] [--ethertype "
              "0xNNNN|all]\n"
              "  [--pidfile FILE] [--stats FILE] IFACE1 IFACE2\n");
      return 0;
    default:
      return 2;
    }
  }
  if (argc - optind != 2) {
    fprintf (stderr, "eth-impair: expected two interfaces (see --help)\n");
    return 2;
  }
  fa = open_if (argv[optind], &ia, &ma);
  fb = open_if (argv[optind + 1], &ib, &mb);
  {
    char n1[40], n2[40];
    size_t slot = ETH_HLEN + 4 + (ma > mb ? ma : mb);

    snprintf (n1, sizeof n1, "%.15s->%.15s", argv[optind], argv[optind + 1]);
    snprintf (n2, sizeof n2, "%.15s->%.15s", argv[optind + 1], argv[optind]);
    dir_init (&ab, n1, fa, fb, ib, slot, &o, 0xA);
    dir_init (&ba, n2, fb, fa, ia, slot, &o, 0xB);
  }

  memset (&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigaction (SIGTERM, &sa, NULL);
  sigaction (SIGINT, &sa, NULL);
  if (pthread_create (&t1, NULL, run, &ab) ||
      pthread_create (&t2, NULL, run, &ba)) {
    fprintf (stderr, "eth-impair: pthread_create failed\n");
    return 1;
  }
  if (pidfile) {
    FILE *fp = fopen (pidfile, "w");
    if (!fp || fprintf (fp, "%ld\n", (long) getpid ()) < 0 || fclose (fp)) {
      fprintf (stderr, "eth-impair: %s: %s\n", pidfile, strerror (errno));
      return 1;
    }
  }
  pthread_join (t1, NULL);
  pthread_join (t2, NULL);
  report (stderr, &ab, false);
  report (stderr, &ba, false);
  if (statsfile) {
    FILE *fp = fopen (statsfile, "w");
    if (fp) {
      fputs ("{", fp);
      report (fp, &ab, true);
      fputs (", ", fp);
      report (fp, &ba, true);
      fputs ("}\n", fp);
      fclose (fp);
    }
  }
  free (ab.pool);
  free (ab.free_slots);
  free (ab.heap);
  free (ab.held);
  free (ba.pool);
  free (ba.free_slots);
  free (ba.heap);
  free (ba.held);
  close (fa);
  close (fb);
  return 0;
}
