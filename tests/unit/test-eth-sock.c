/* SPDX-License-Identifier: BSD-3-Clause */
/* The AF_PACKET link (eth-sock.c) over a veth pair in a network namespace
 * of its own (created with unshare, gone when the test exits): frames both
 * ways at MTU 1500 and 9000, the kernel filter (another EtherType, another
 * destination MAC, broadcast, another association id, TERM for any
 * association), a burst larger than the receive ring, the error messages
 * (unknown interface, interface down, no CAP_NET_RAW) and eth_mac_parse.
 * Needs root (CAP_SYS_ADMIN for the namespace) and veth: exits 77 without.
 *
 * "test-eth-sock bench [SECONDS]" measures the link alone instead: frames/s
 * and MiB/s one way at MTU 1500 and 9000, and the round trip of one frame
 * each way.  "test-eth-sock bench SECONDS NS-A IF-A NS-B IF-B" measures
 * between two interfaces of existing network namespaces (ip netns), at
 * their MTU: through tests/eth-impair, for example. */
#include <config.h>

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/wait.h>

#include "check.h"
#include "crc32c.h"
#include "eth-sock.h"

#define ETHERTYPE 0x88B5

static uint64_t
now_us (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (uint64_t) ts.tv_sec * 1000000 + (uint64_t) ts.tv_nsec / 1000;
}

static int
sh (const char *cmd)
{
  int r = system (cmd);

  return r == 0 ? 0 : -1;
}

/* A test frame: our common header's layout where the filter looks (type
 * at 1, dst_assoc at 8), then a counter and a pattern. */
static size_t
make_frame (uint8_t *buf, size_t len, uint8_t type, uint32_t dst_assoc,
            uint32_t n)
{
  size_t i;

  memset (buf, 0, len < 32 ? len : 32);
  buf[0] = NVME_ETH_VERSION;
  buf[1] = type;
  put_le32 (buf + 8, dst_assoc);
  put_le32 (buf + 16, n);
  for (i = 32; i < len; i++)
    buf[i] = (uint8_t) (n * 7 + i);
  return len;
}

struct rx_log {
  unsigned n;
  uint32_t last_seq;
  uint8_t last_type;
  uint32_t last_assoc;
  size_t last_len;
  uint8_t last_src[6];
  unsigned bad; /* pattern mismatches */
  bool in_order;
  uint64_t bytes;
};

static void
rx_fn (void *ctx, const uint8_t src[6], const uint8_t *frame, size_t len)
{
  struct rx_log *l = ctx;
  uint32_t seq = len >= 20 ? get_le32 (frame + 16) : 0;
  size_t i;

  if (l->n > 0 && seq != l->last_seq + 1)
    l->in_order = false;
  l->n++;
  l->bytes += len;
  l->last_seq = seq;
  l->last_type = frame[1];
  l->last_assoc = get_le32 (frame + 8);
  l->last_len = len;
  memcpy (l->last_src, src, 6);
  for (i = 32; i < len; i++)
    if (frame[i] != (uint8_t) (seq * 7 + i)) {
      l->bad++;
      break;
    }
}

/* Receive for up to timeout_us or until want frames came. */
static void
drain (struct eth_sock *s, struct rx_log *l, unsigned want, uint64_t timeout_us)
{
  uint64_t end = now_us () + timeout_us;

  while (l->n < want) {
    uint64_t now = now_us ();
    if (now >= end)
      break;
    eth_sock_wait (s, end - now);
    eth_sock_rx (s, rx_fn, l, 0);
  }
}

static void
log_init (struct rx_log *l)
{
  memset (l, 0, sizeof *l);
  l->in_order = true;
}

static struct eth_sock *
open_sock (const char *ifname, uint16_t ethertype, uint32_t assoc, bool bcast,
           bool any_term, unsigned ring)
{
  struct eth_sock_config c = { .ifname = ifname,
                               .ethertype = ethertype,
                               .dst_assoc = assoc,
                               .broadcast = bcast,
                               .any_term = any_term,
                               .ring_bytes = ring };
  char err[512];
  struct eth_sock *s = eth_sock_open (&c, err, sizeof err);

  if (!s)
    fprintf (stderr, "eth_sock_open %s: %s\n", ifname, err);
  return s;
}

static int
set_mtu (unsigned mtu)
{
  char cmd[128];

  snprintf (cmd, sizeof cmd,
            "ip link set ethA mtu %u && ip link set ethB mtu %u", mtu, mtu);
  return sh (cmd);
}

/* ---- the tests ---------------------------------------------------------- */

/* Packed frames as received: each Ethernet frame walked by the frames'
 * length fields (bytes 4-5), every frame checked as rx_fn checks one. */
struct pack_log {
  struct rx_log l;
  unsigned eth_frames;
  size_t largest;
};

static void
pack_fn (void *ctx, const uint8_t src[6], const uint8_t *frame, size_t len)
{
  struct pack_log *p = ctx;
  size_t off = 0;

  p->eth_frames++;
  if (len > p->largest)
    p->largest = len;
  while (off + 32 <= len) {
    size_t flen = get_le16 (frame + off + 4);

    if (flen < 32 || off + flen > len) {
      p->l.bad++;
      return;
    }
    rx_fn (&p->l, src, frame + off, flen);
    off += flen;
  }
  if (off != len)
    p->l.bad++;
}

/* B -> A with frames packed into Ethernet frames of up to the MTU
 * (option PACK): as many Ethernet frames as eth_pack_count plans (N is
 * below a sendmmsg batch of 64 frames, which would end a pack early),
 * every frame in order and intact. */
static void
test_packed (struct eth_sock *a, struct eth_sock *b, unsigned mtu)
{
  enum { N = 60 };
  struct eth_tx_frame f[N];
  static uint8_t hdrs[N][32], data[N][4500];
  struct pack_log p;
  unsigned i, want = 0;

  memset (&p, 0, sizeof p);
  log_init (&p.l);
  for (i = 0; i < N; i++) {
    uint32_t dlen = i % 4 == 0 ? 0 : 1 + (i * 37) % (mtu / 2), j;

    make_frame (hdrs[i], 32, NVME_ETH_C2H_DATA, 0x11111111, i);
    put_le16 (hdrs[i] + 4, (uint16_t) (32 + dlen));
    for (j = 0; j < dlen; j++)
      data[i][j] = (uint8_t) (i * 7 + 32 + j);
    f[i] = (struct eth_tx_frame){ .hdr = hdrs[i],
                                  .hdr_len = 32,
                                  .data = dlen ? data[i] : NULL,
                                  .data_len = dlen };
  }
  for (i = 0; i < N; want++)
    i += eth_pack_count (f + i, N - i, mtu);
  CHECK (eth_sock_tx (b, eth_sock_mac (a), f, N, mtu) == N, "packed batch");
  while (p.l.n < N && p.eth_frames < want) {
    if (eth_sock_wait (a, 2000000) <= 0)
      break;
    eth_sock_rx (a, pack_fn, &p, 0);
  }
  CHECK (p.l.n == N && p.l.in_order && p.l.bad == 0,
         "MTU %u packed: %u frames, in order %d, bad %u", mtu, p.l.n,
         p.l.in_order, p.l.bad);
  CHECK (p.eth_frames == want && want < N / 2 && p.largest <= mtu,
         "MTU %u packed: %u Ethernet frames (planned %u), largest %zu", mtu,
         p.eth_frames, want, p.largest);
}

static void
test_both_ways (unsigned mtu)
{
  struct eth_sock *a, *b;
  uint8_t *buf = malloc (65536);
  struct rx_log l;
  unsigned i;

  CHECK (set_mtu (mtu) == 0, "set MTU %u", mtu);
  a = open_sock ("ethA", 0, 0x11111111, false, false, 0);
  b = open_sock ("ethB", 0, 0x22222222, false, false, 0);
  CHECK (a && b, "open at MTU %u", mtu);
  if (!a || !b)
    goto out;
  CHECK (eth_sock_mtu (a) == mtu && eth_sock_mtu (b) == mtu, "MTU %u: %u %u",
         mtu, eth_sock_mtu (a), eth_sock_mtu (b));
  CHECK (eth_sock_fd (a) >= 0 && eth_sock_ifindex (a) > 0, "fd, ifindex");
  CHECK (memcmp (eth_sock_mac (a), eth_sock_mac (b), 6) != 0, "two MACs");

  /* A -> B: every size up to the MTU, in order, intact. */
  log_init (&l);
  for (i = 0; i < 200; i++) {
    size_t len = 32 + (size_t) i * (mtu - 32) / 199;
    make_frame (buf, len, NVME_ETH_KEEPALIVE, 0x22222222, i);
    CHECK (eth_sock_tx_raw (a, eth_sock_mac (b), buf, len) == 1, "tx %u", i);
  }
  drain (b, &l, 200, 2000000);
  CHECK (l.n == 200 && l.in_order && l.bad == 0,
         "MTU %u A->B: %u frames, in order %d, bad %u", mtu, l.n, l.in_order,
         l.bad);
  CHECK (l.last_len == mtu, "largest frame %zu", l.last_len);
  CHECK (memcmp (l.last_src, eth_sock_mac (a), 6) == 0, "source MAC");

  /* B -> A in batches through eth_sock_tx (header and data iovecs). */
  {
    struct eth_tx_frame f[100];
    static uint8_t hdrs[100][32];
    uint8_t *data = calloc (1, mtu);

    log_init (&l);
    for (i = 0; i < 100; i++) {
      make_frame (buf, mtu, NVME_ETH_C2H_DATA, 0x11111111, i);
      memcpy (hdrs[i], buf, 32);
      f[i].hdr = hdrs[i];
      f[i].hdr_len = 32;
      f[i].data = i % 2 ? data : NULL; /* odd: data, even: header only */
      f[i].data_len = i % 2 ? mtu - 32 : 0;
    }
    for (i = 32; i < mtu; i++)
      data[i - 32] = 0;
    /* The pattern depends on the frame number: send header-only frames
     * and check sizes; data frames carry zeros (pattern checked in A->B). */
    CHECK (eth_sock_tx (b, eth_sock_mac (a), f, 100, 0) == 100, "batch of 100");
    drain (a, &l, 100, 2000000);
    CHECK (l.n == 100 && l.in_order, "MTU %u B->A batch: %u, in order %d", mtu,
           l.n, l.in_order);
    free (data);
  }

  test_packed (a, b, mtu);

  /* Larger than the MTU: not sent, not an error of the socket. */
  make_frame (buf, mtu + 1, NVME_ETH_KEEPALIVE, 0x22222222, 0);
  CHECK (eth_sock_tx_raw (a, eth_sock_mac (b), buf, mtu + 1) == 0,
         "a frame above the MTU is not sent");

out:
  eth_sock_close (a);
  eth_sock_close (b);
  free (buf);
}

static void
test_filter (void)
{
  struct eth_sock *a, *b, *other, *lst, *any;
  uint8_t buf[256];
  static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
  static const uint8_t foreign[6] = { 0x02, 0, 0, 0, 0, 0x99 };
  struct rx_log l, ll, la;

  set_mtu (1500);
  a = open_sock ("ethA", 0, ETH_SOCK_ANY_ASSOC, false, false, 0);
  other = open_sock ("ethA", 0x88B6, ETH_SOCK_ANY_ASSOC, false, false, 0);
  b = open_sock ("ethB", 0, 0x22222222, false, false, 0);
  lst = open_sock ("ethB", 0, 0, true, true, 0);
  any = open_sock ("ethB", 0, ETH_SOCK_ANY_ASSOC, false, false, 0);
  CHECK (a && other && b && lst && any, "open");
  if (!a || !other || !b || !lst || !any)
    goto out;

  /* 1: ours; 2: another EtherType; 3: another MAC; 4: another
   * association; 5: broadcast to association 0 (PROBE); 6: a TERM to an
   * association nobody has; 7: ours again. */
  make_frame (buf, 64, NVME_ETH_KEEPALIVE, 0x22222222, 1);
  eth_sock_tx_raw (a, eth_sock_mac (b), buf, 64);
  make_frame (buf, 64, NVME_ETH_KEEPALIVE, 0x22222222, 2);
  eth_sock_tx_raw (other, eth_sock_mac (b), buf, 64);
  make_frame (buf, 64, NVME_ETH_KEEPALIVE, 0x22222222, 3);
  eth_sock_tx_raw (a, foreign, buf, 64);
  make_frame (buf, 64, NVME_ETH_KEEPALIVE, 0x22222223, 4);
  eth_sock_tx_raw (a, eth_sock_mac (b), buf, 64);
  make_frame (buf, 64, NVME_ETH_PROBE, 0, 5);
  eth_sock_tx_raw (a, bcast, buf, 64);
  make_frame (buf, 64, NVME_ETH_TERM, 0x33333333, 6);
  eth_sock_tx_raw (a, eth_sock_mac (b), buf, 64);
  make_frame (buf, 64, NVME_ETH_KEEPALIVE, 0x22222222, 7);
  eth_sock_tx_raw (a, eth_sock_mac (b), buf, 64);

  log_init (&l);
  log_init (&ll);
  log_init (&la);
  drain (b, &l, 2, 1000000);
  drain (lst, &ll, 2, 1000000);
  drain (any, &la, 4, 1000000);
  /* Give stray frames time to show up. */
  usleep (20000);
  drain (b, &l, 100, 20000);
  drain (lst, &ll, 100, 20000);
  drain (any, &la, 100, 20000);
  CHECK (l.n == 2 && l.last_seq == 7, "association socket: %u frames, last %u",
         l.n, l.last_seq);
  CHECK (ll.n == 2 && ll.last_seq == 6 && ll.last_type == NVME_ETH_TERM,
         "listener: %u frames (PROBE and TERM), last %u", ll.n, ll.last_seq);
  CHECK (la.n == 4, "any association, unicast only: %u frames", la.n);
  /* Our own frames never come back on the sending side. */
  log_init (&l);
  drain (a, &l, 1, 20000);
  CHECK (l.n == 0, "own frames ignored: %u", l.n);

out:
  eth_sock_close (a);
  eth_sock_close (other);
  eth_sock_close (b);
  eth_sock_close (lst);
  eth_sock_close (any);
}

/* More frames than the ring holds, unread: the kernel drops the excess,
 * what is read is intact and in order, and the ring works afterwards. */
static void
test_burst (unsigned mtu)
{
  const unsigned ring = 1u << 20;
  unsigned capacity = ring / (mtu + 14 + 80), n = capacity * 3, i;
  struct eth_sock *a, *b;
  uint8_t *buf = malloc (mtu);
  struct rx_log l;

  set_mtu (mtu);
  a = open_sock ("ethA", 0, ETH_SOCK_ANY_ASSOC, false, false, 0);
  b = open_sock ("ethB", 0, ETH_SOCK_ANY_ASSOC, false, false, ring);
  CHECK (a && b, "open");
  if (!a || !b)
    goto out;
  for (i = 0; i < n; i++) {
    make_frame (buf, mtu, NVME_ETH_C2H_DATA, 1, i);
    eth_sock_tx_raw (a, eth_sock_mac (b), buf, mtu);
  }
  usleep (20000);
  log_init (&l);
  drain (b, &l, n, 50000);
  CHECK (l.n > 0 && l.n < n && l.bad == 0,
         "MTU %u burst of %u into a ring of ~%u: %u received, bad %u", mtu, n,
         capacity, l.n, l.bad);
  {
    uint64_t drops = eth_sock_rx_drops (b);
    CHECK (drops > 0 && l.n + drops == n,
           "MTU %u: %u received + %llu dropped by the kernel = %u sent", mtu,
           l.n, (unsigned long long) drops, n);
  }
  /* Afterwards: everything arrives again. */
  log_init (&l);
  for (i = 0; i < capacity / 2; i++) {
    make_frame (buf, mtu, NVME_ETH_C2H_DATA, 1, 100000 + i);
    eth_sock_tx_raw (a, eth_sock_mac (b), buf, mtu);
    if (i % 16 == 15)
      eth_sock_rx (b, rx_fn, &l, 0);
  }
  drain (b, &l, capacity / 2, 2000000);
  CHECK (l.n == capacity / 2 && l.in_order && l.bad == 0,
         "after the burst: %u of %u, in order %d", l.n, capacity / 2,
         l.in_order);
  /* max: frames handed a few at a time. */
  log_init (&l);
  for (i = 0; i < 10; i++) {
    make_frame (buf, 100, NVME_ETH_C2H_DATA, 1, i);
    eth_sock_tx_raw (a, eth_sock_mac (b), buf, 100);
  }
  usleep (10000);
  eth_sock_wait (b, 100000);
  CHECK (eth_sock_rx (b, rx_fn, &l, 3) == 3, "max 3");
  drain (b, &l, 10, 1000000);
  CHECK (l.n == 10 && l.in_order, "rest after max: %u, in order %d", l.n,
         l.in_order);
out:
  eth_sock_close (a);
  eth_sock_close (b);
  free (buf);
}

static void
test_errors (void)
{
  struct eth_sock_config c = { .ifname = "nosuch0" };
  char err[512];
  pid_t pid;
  int status;

  CHECK (eth_sock_open (&c, err, sizeof err) == NULL, "unknown interface");
  CHECK (strstr (err, "nosuch0") != NULL, "names the interface: %s", err);
  sh ("ip link add ethDown type veth peer name ethDown2");
  c.ifname = "ethDown";
  CHECK (eth_sock_open (&c, err, sizeof err) == NULL, "interface down");
  CHECK (strstr (err, "ethDown") && strstr (err, "down"), "says down: %s", err);
  /* Without CAP_NET_RAW: one line that names it and the ways to get it. */
  pid = fork ();
  if (pid == 0) {
    c.ifname = "ethA";
    if (setresgid (65534, 65534, 65534) == -1 ||
        setresuid (65534, 65534, 65534) == -1)
      _exit (3);
    if (eth_sock_open (&c, err, sizeof err) != NULL)
      _exit (1);
    fprintf (stderr, "(as nobody: %s)\n", err);
    _exit (strstr (err, "CAP_NET_RAW") && strstr (err, "setcap") &&
               strstr (err, "unshare") && !strchr (err, '\n') ?
             0 :
             2);
  }
  waitpid (pid, &status, 0);
  CHECK (WIFEXITED (status) && WEXITSTATUS (status) == 0,
         "no CAP_NET_RAW message (status %d)", status);
}

static void
test_mac_parse (void)
{
  uint8_t m[6];

  CHECK (eth_mac_parse ("02:00:5e:10:AB:ff", m) == 0 && m[0] == 2 &&
           m[4] == 0xab && m[5] == 0xff,
         "colons");
  CHECK (eth_mac_parse ("02-00-5e-10-ab-ff", m) == 0 && m[3] == 0x10, "dashes");
  CHECK (eth_mac_parse ("02:00-5e:10:ab:ff", m) == -1, "mixed separators");
  CHECK (eth_mac_parse ("02:00:5e:10:ab", m) == -1, "short");
  CHECK (eth_mac_parse ("02:00:5e:10:ab:ff:00", m) == -1, "long");
  CHECK (eth_mac_parse ("2:00:5e:10:ab:ff", m) == -1, "one digit");
  CHECK (eth_mac_parse ("02:00:5e:10:ab:fg", m) == -1, "not hex");
  CHECK (eth_mac_parse ("", m) == -1 && eth_mac_parse (NULL, m) == -1, "empty");
}

/* ---- benchmark: the link alone ----------------------------------------- */

struct bench_rx {
  struct eth_sock *s;
  struct rx_log l;
  volatile bool stop;
};

static void
bench_count (void *ctx, const uint8_t src[6], const uint8_t *frame, size_t len)
{
  struct rx_log *l = ctx;

  (void) src;
  (void) frame;
  l->n++;
  l->bytes += len;
}

static void *
bench_rx_thread (void *arg)
{
  struct bench_rx *r = arg;

  while (!r->stop) {
    eth_sock_wait (r->s, 10000);
    eth_sock_rx (r->s, bench_count, &r->l, 0);
  }
  return NULL;
}

/* Make the calling thread's network namespace NAME (ip netns), or fd. */
static void
enter_ns (const char *name, int fd)
{
  char path[256];

  if (name) {
    snprintf (path, sizeof path, "/var/run/netns/%s", name);
    fd = open (path, O_RDONLY | O_CLOEXEC);
  }
  if (fd < 0 || setns (fd, CLONE_NEWNET) == -1) {
    fprintf (stderr, "network namespace %s: %s\n", name ? name : "(self)",
             strerror (errno));
    exit (1);
  }
  if (name)
    close (fd);
}

/* ns: NULL, or NS-A IF-A NS-B IF-B. */
static void
bench (unsigned mtu, double seconds, char **ns)
{
  struct eth_sock *a, *b;
  struct bench_rx r = { 0 };
  pthread_t t;
  struct eth_tx_frame f[64];
  uint8_t hdr[64], *data;
  uint64_t sent = 0, start, end, rtt_total = 0;
  unsigned i, rtts = 0;

  if (ns) {
    int self = open ("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);

    enter_ns (ns[0], -1);
    a = open_sock (ns[1], 0, ETH_SOCK_ANY_ASSOC, false, false, 0);
    enter_ns (ns[2], -1);
    b = open_sock (ns[3], 0, ETH_SOCK_ANY_ASSOC, false, false, 0);
    enter_ns (NULL, self);
    close (self);
    if (!a || !b)
      exit (1);
    mtu =
      eth_sock_mtu (a) < eth_sock_mtu (b) ? eth_sock_mtu (a) : eth_sock_mtu (b);
  }
  else {
    set_mtu (mtu);
    a = open_sock ("ethA", 0, ETH_SOCK_ANY_ASSOC, false, false, 0);
    b = open_sock ("ethB", 0, ETH_SOCK_ANY_ASSOC, false, false, 0);
    if (!a || !b)
      exit (1);
  }
  data = calloc (1, mtu);
  make_frame (hdr, 64, NVME_ETH_C2H_DATA, 1, 0);
  for (i = 0; i < 64; i++)
    f[i] = (struct eth_tx_frame){
      .hdr = hdr, .hdr_len = 32, .data = data, .data_len = mtu - 32
    };
  r.s = b;
  pthread_create (&t, NULL, bench_rx_thread, &r);
  start = now_us ();
  end = start + (uint64_t) (seconds * 1e6);
  while (now_us () < end) {
    int k = eth_sock_tx (a, eth_sock_mac (b), f, 64, 0);
    if (k > 0)
      sent += k;
    /* Don't run far ahead of the receiver (no flow control here). */
    while (sent > r.l.n + 256 && now_us () < end)
      sched_yield ();
  }
  usleep (20000);
  r.stop = true;
  pthread_join (t, NULL);
  {
    double secs = (double) (now_us () - start) / 1e6;
    printf ("MTU %5u: %.0f frames/s, %.1f MiB/s of frames "
            "(%llu sent, %u received)\n",
            mtu, r.l.n / secs, r.l.bytes / secs / 1048576.0,
            (unsigned long long) sent, r.l.n);
  }
  /* Round trip of one small frame each way, waiting in poll. */
  for (i = 0; i < 2000; i++) {
    struct rx_log l;
    uint64_t t0 = now_us ();

    log_init (&l);
    eth_sock_tx_raw (a, eth_sock_mac (b), hdr, 64);
    drain (b, &l, 1, 1000000);
    eth_sock_tx_raw (b, eth_sock_mac (a), hdr, 64);
    log_init (&l);
    drain (a, &l, 1, 1000000);
    rtt_total += now_us () - t0;
    rtts++;
  }
  printf ("MTU %5u: round trip of one frame each way: %.1f us\n", mtu,
          (double) rtt_total / rtts);
  eth_sock_close (a);
  eth_sock_close (b);
  free (data);
}

int
main (int argc, char **argv)
{
  bool do_bench = argc > 1 && strcmp (argv[1], "bench") == 0;

  if (do_bench && argc == 7) {
    setvbuf (stdout, NULL, _IOLBF, 0);
    bench (0, strtod (argv[2], NULL), argv + 3);
    return 0;
  }
  if (geteuid () != 0) {
    printf ("SKIP: test-eth-sock needs root (a network namespace and a "
            "veth pair)\n");
    return 77;
  }
  if (unshare (CLONE_NEWNET) == -1) {
    printf ("SKIP: cannot create a network namespace: %s\n", strerror (errno));
    return 77;
  }
  if (sh ("ip link add ethA type veth peer name ethB 2>/dev/null") == -1) {
    printf ("SKIP: cannot create a veth pair (no veth?)\n");
    return 77;
  }
  if (sh ("ip link set ethA up && ip link set ethB up") == -1) {
    printf ("FAIL: cannot set the veth pair up\n");
    return 1;
  }
  setvbuf (stdout, NULL, _IOLBF, 0);
  if (do_bench) {
    double secs = argc > 2 ? strtod (argv[2], NULL) : 3;
    bench (1500, secs, NULL);
    bench (9000, secs, NULL);
    return 0;
  }
  test_mac_parse ();
  test_errors ();
  test_both_ways (1500);
  test_both_ways (9000);
  test_filter ();
  test_burst (1500);
  test_burst (9000);
  printf ("%d checks, %d failures\n", checks, failures);
  return failures ? 1 : 0;
}
