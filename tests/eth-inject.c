/* SPDX-License-Identifier: BSD-3-Clause */
/* eth-inject: hostile NVMe/Ethernet frames at a host, for the tests.
 *
 *   eth-inject [--rate N] [--pidfile FILE] IFACE
 *
 * Runs in the controller's network namespace on IFACE, its end of the
 * link.  It watches the frames of our EtherType that the controller sends
 * (to learn the host's MAC and to have real frames to mangle) and, N times
 * a second (default 200), sends the host one frame of each kind in turn:
 *
 *   truncated   a real frame cut short
 *   length      a real frame whose length field says more than was sent,
 *               or less with more than Ethernet's padding after it (CRC
 *               redone over the length it claims, or left as it was)
 *   assoc       a real frame for another association (its destination id
 *               changed: the kernel's filter drops it) or from another
 *               association of the controller (its source id changed, CRC
 *               redone: it reaches the engine)
 *   spoofed     a real frame, unchanged, from another source MAC
 *   replayed    a real frame sent again, a while after the original
 *   crc         a real frame with one bit flipped
 *   garbage     random bytes of our EtherType
 *
 * None of them may do anything but be dropped (and counted) by the host:
 * a test runs I/O with checksums meanwhile.  At SIGTERM or SIGINT it
 * prints how many of each it sent and exits 0. */
#include <config.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <linux/if_packet.h>

#include "crc32c.h"
#include "nvme-eth-wire.h"

#define RING      64 /* real frames kept */
#define FRAME_MAX 9100
#define NR_KINDS  7

static const char *const kinds[NR_KINDS] = {
  "truncated", "length", "assoc", "spoofed", "replayed", "crc", "garbage",
};

struct saved {
  size_t len;
  uint8_t buf[ETH_HLEN + FRAME_MAX];
};

static volatile sig_atomic_t stop;
static struct saved ring[RING];
static struct saved old; /* a frame a second old, for replays */
static uint64_t old_at;
static unsigned ring_n, ring_next;
static uint8_t host_mac[6], ctrl_mac[6];
static int have_host;
static unsigned long sent[NR_KINDS];
static uint64_t rng;

static void
on_signal (int sig)
{
  (void) sig;
  stop = 1;
}

static uint64_t
rnd (void)
{
  rng ^= rng >> 12;
  rng ^= rng << 25;
  rng ^= rng >> 27;
  return rng * 0x2545F4914F6CDD1Dull;
}

static uint64_t
now_us (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (uint64_t) ts.tv_sec * 1000000 + (uint64_t) ts.tv_nsec / 1000;
}

/* The CRC of the frame (after the Ethernet header) over len bytes. */
static void
reseal (uint8_t *frame, size_t len)
{
  uint32_t c;

  if (len < sizeof (struct nvme_eth_hdr))
    return;
  memset (frame + 28, 0, 4);
  c = crc32c (frame, len);
  frame[28] = (uint8_t) c;
  frame[29] = (uint8_t) (c >> 8);
  frame[30] = (uint8_t) (c >> 16);
  frame[31] = (uint8_t) (c >> 24);
}

static void
usage (void)
{
  fprintf (stderr, "usage: eth-inject [--rate N] [--pidfile FILE] IFACE\n");
  exit (2);
}

int
main (int argc, char **argv)
{
  const char *ifname = NULL, *pidfile = NULL;
  unsigned rate = 200, kind = 0, i;
  struct sockaddr_ll sll;
  struct sigaction sa;
  uint64_t next;
  int fd, ifindex;

  for (i = 1; i < (unsigned) argc; i++) {
    if (strcmp (argv[i], "--rate") == 0 && i + 1 < (unsigned) argc) {
      char *end;

      rate = (unsigned) strtoul (argv[++i], &end, 10);
      if (*end || rate == 0 || rate > 100000)
        usage ();
    }
    else if (strcmp (argv[i], "--pidfile") == 0 && i + 1 < (unsigned) argc)
      pidfile = argv[++i];
    else if (argv[i][0] != '-' && ifname == NULL)
      ifname = argv[i];
    else
      usage ();
  }
  if (ifname == NULL)
    usage ();
  if (getrandom (&rng, sizeof rng, 0) != (ssize_t) sizeof rng || rng == 0)
    rng = 0x9E3779B97F4A7C15ull;
  ifindex = (int) if_nametoindex (ifname);
  if (ifindex == 0) {
    fprintf (stderr, "eth-inject: no interface %s\n", ifname);
    return 1;
  }
  /* Every frame, both ways (outgoing frames, the controller's, reach only
   * ETH_P_ALL sockets): ours are picked below. */
  fd = socket (AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons (ETH_P_ALL));
  if (fd < 0) {
    perror ("eth-inject: socket");
    return 1;
  }
  memset (&sll, 0, sizeof sll);
  sll.sll_family = AF_PACKET;
  sll.sll_protocol = htons (ETH_P_ALL);
  sll.sll_ifindex = ifindex;
  if (bind (fd, (struct sockaddr *) &sll, sizeof sll) < 0) {
    perror ("eth-inject: bind");
    return 1;
  }
  memset (&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigaction (SIGTERM, &sa, NULL);
  sigaction (SIGINT, &sa, NULL);
  if (pidfile) {
    FILE *f = fopen (pidfile, "w");

    if (f == NULL || fprintf (f, "%d\n", (int) getpid ()) < 0 || fclose (f)) {
      perror ("eth-inject: pidfile");
      return 1;
    }
  }

  next = now_us ();
  while (!stop) {
    struct pollfd pfd = { .fd = fd, .events = POLLIN };
    uint64_t now = now_us ();
    int t = next > now ? (int) ((next - now) / 1000) : 0;

    if (poll (&pfd, 1, t) < 0 && errno != EINTR)
      break;
    /* Learn from the controller's frames (outgoing on this interface). */
    while (pfd.revents & POLLIN) {
      struct sockaddr_ll from;
      socklen_t fl = sizeof from;
      struct saved *s = &ring[ring_next];
      ssize_t n = recvfrom (fd, s->buf, sizeof s->buf, MSG_DONTWAIT,
                            (struct sockaddr *) &from, &fl);

      if (n < 0)
        break;
      if (from.sll_pkttype != PACKET_OUTGOING ||
          (size_t) n < ETH_HLEN + sizeof (struct nvme_eth_hdr) ||
          (s->buf[0] & 1) ||
          (s->buf[12] << 8 | s->buf[13]) != NVME_ETH_ETHERTYPE)
        continue;
      memcpy (host_mac, s->buf, 6);
      memcpy (ctrl_mac, s->buf + 6, 6);
      have_host = 1;
      s->len = (size_t) n;
      ring_next = (ring_next + 1) % RING;
      if (ring_n < RING)
        ring_n++;
      if (now_us () - old_at > 1000000) {
        old = *s;
        old_at = now_us ();
      }
    }
    if (now_us () < next || !have_host || ring_n < 8)
      continue;
    next += 1000000 / rate;
    if (next < now_us ())
      next = now_us ();

    {
      /* A recent frame, or for replays one from a second ago. */
      const struct saved *src =
        kind == 4 ? &old :
                    &ring[(ring_next + RING - 1 - rnd () % ring_n) % RING];
      uint8_t out[ETH_HLEN + FRAME_MAX];
      uint8_t *f = out + ETH_HLEN;
      size_t len = src->len, flen = len - ETH_HLEN;

      memcpy (out, src->buf, len);
      memcpy (out, host_mac, 6);
      memcpy (out + 6, ctrl_mac, 6);
      switch (kind) {
      case 0: /* truncated */
        len = ETH_HLEN + 1 + (size_t) (rnd () % (flen - 1));
        break;
      case 1: { /* length field */
        uint64_t l = (uint64_t) (f[4] | f[5] << 8);
        uint16_t nl;

        /* Longer than sent, or shorter (at least a header) with more than
         * Ethernet's padding after it.  (A shorter length within the
         * padding of a small frame, CRC redone, is no longer a damaged
         * frame but a forged one that breaks the protocol, which ends the
         * association by design: docs/nvme-eth.md, 14 and 17.) */
        if ((rnd () & 1) || l <= 33 || flen <= NVME_ETH_MIN_PAYLOAD)
          nl = (uint16_t) (l + 1 + rnd () % 64);
        else
          nl = (uint16_t) (l - 1 - rnd () % (l - 33));

        f[4] = (uint8_t) nl;
        f[5] = (uint8_t) (nl >> 8);
        if (rnd () & 1)
          reseal (f, nl < flen ? nl : flen);
        break;
      }
      case 2: /* another association */
        if (rnd () & 1)
          f[8 + rnd () % 4] ^= (uint8_t) (1 + rnd () % 255);
        else {
          f[12 + rnd () % 4] ^= (uint8_t) (1 + rnd () % 255);
          reseal (f, flen);
        }
        break;
      case 3: /* spoofed source: locally administered, unicast */
        out[6] = 0x02;
        for (i = 7; i < 12; i++)
          out[i] = (uint8_t) rnd ();
        break;
      case 4: /* replayed: as it was */
        break;
      case 5: /* one bit */
        f[rnd () % flen] ^= (uint8_t) (1u << (rnd () % 8));
        break;
      default: /* garbage */
        len = ETH_HLEN + 46 + (size_t) (rnd () % 200);
        for (i = ETH_HLEN; i < len; i++)
          out[i] = (uint8_t) rnd ();
        break;
      }
      if (send (fd, out, len, MSG_DONTWAIT) == (ssize_t) len)
        sent[kind]++;
      kind = (kind + 1) % NR_KINDS;
    }
  }
  for (i = 0; i < NR_KINDS; i++)
    printf ("%s %lu\n", kinds[i], sent[i]);
  return 0;
}
