/* SPDX-License-Identifier: BSD-3-Clause */
/* The AF_PACKET link under the NVMe/Ethernet engine (eth-sock.h).
 *
 * Opening: the socket is created with protocol 0, so that it receives
 * nothing until the filter, the ring and the other options are in place;
 * binding it to the interface and the EtherType comes last.
 *
 * Receive: an mmap'd ring, frames read in place (eth-ring.c walks it and
 * checks what the kernel wrote there).  TPACKET_V2 by default:
 * one slot of the MTU per frame, each handed to userspace (and poll woken)
 * as it arrives, and given back as soon as it was handled.  TPACKET_V3
 * (NVMEOF_ETH_TPACKET=3) packs frames back to back in blocks, but hands a
 * block over only when it is full or its timer (tp_retire_blk_tov, at
 * least a millisecond) fires: a lone frame, such as the last of every
 * exchange, waits for the timer.  Measured over veth with
 * "test-eth-sock bench": one frame each way takes 9 us with V2 and
 * 1000 us with V3, at the same frames/s in bulk; V3 stays for
 * measurements.  Blocks are a power of two of pages holding BLOCK_FRAMES
 * frames of the MTU; the ring holds RING_FRAMES frames of the MTU by
 * default (at least 1 MiB).
 *
 * The kernel filter (classic BPF): EtherType; destination MAC ours (or
 * broadcast with cfg->broadcast); the destination association id at its
 * offset in our common header (unless ETH_SOCK_ANY_ASSOC), or any TERM
 * with cfg->any_term (a listener answers TERMs of associations that are
 * gone).  PACKET_IGNORE_OUTGOING keeps our own frames out.
 *
 * Send: sendmmsg, a batch of up to TX_BATCH frames per call, each
 * Ethernet frame gathered from iovecs (the Ethernet header, then the
 * engine's header and data of each frame packed into it: option PACK)
 * with no copy, on a second socket that receives nothing and that nobody
 * polls (eth_sock_open says why). */
#include <config.h>

#include <errno.h>
#include <stdarg.h>
#include <arpa/inet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/filter.h>
#include <linux/if_packet.h>

#include "eth-sock.h"
#include "eth-ring.h"

#ifndef PACKET_IGNORE_OUTGOING
#define PACKET_IGNORE_OUTGOING 23
#endif

#define TX_BATCH       64
#define RING_MIN       (1u << 20)
#define RING_MAX       (256u << 20)
#define RING_FRAMES    512 /* default ring: this many frames at the MTU */
#define BLOCK_FRAMES   4   /* frames of the largest size per block */
#define BLOCK_TOV_MS   1   /* a block not full is handed over after this */
#define FRAME_OVERHEAD 128 /* tpacket3_hdr, sockaddr_ll, alignment */
#define SNDBUF_BYTES   (8 << 20)

struct eth_sock {
  int fd;
  int txfd; /* sends: a socket nobody polls (see eth_sock_open) */
  int ifindex;
  unsigned mtu;
  uint16_t ethertype;
  uint8_t mac[6];
  char ifname[IF_NAMESIZE];

  /* Receive ring (walked by eth-ring.c). */
  struct eth_ring ring;
  size_t ring_len;
  uint64_t drops; /* ring full: PACKET_STATISTICS, summed */

  /* Send batch (under tx_lock). */
  pthread_mutex_t tx_lock;
  struct mmsghdr msgs[TX_BATCH];
  unsigned msg_frames[TX_BATCH];  /* engine frames in each message */
  struct iovec iov[TX_BATCH * 3]; /* the Ethernet header, 2 per frame */
  struct sockaddr_ll dst;
  uint8_t ethhdr[ETH_HLEN];
};

static void set_err (char *err, size_t errlen, const char *fmt, ...)
  __attribute__((__format__ (__printf__, 3, 4)));

static void
set_err (char *err, size_t errlen, const char *fmt, ...)
{
  va_list ap;

  if (!err || !errlen)
    return;
  va_start (ap, fmt);
  vsnprintf (err, errlen, fmt, ap);
  va_end (ap);
}

/* The one line for a missing CAP_NET_RAW. */
static void
no_cap_err (char *err, size_t errlen, const char *ifname)
{
  set_err (err, errlen,
           "raw Ethernet on %s needs CAP_NET_RAW in the network namespace "
           "that owns it: run as root, give the program the capability "
           "(setcap cap_net_raw+ep PROGRAM), or run it in a user and "
           "network namespace that owns the interface (unshare --user "
           "--map-root-user --net, then move the interface into it)",
           ifname);
}

static void
sys_err (char *err, size_t errlen, const char *what, const char *ifname)
{
  set_err (err, errlen, "%s: %s: %s", ifname, what, strerror (errno));
}

/* The classic BPF program: accept (whole frame) or drop.  Jumps name
 * labels, resolved once the program is complete. */
enum { L_NEXT, L_BCAST, L_ASSOC, L_ACCEPT, L_DROP, L__MAX };

struct bpf_prog {
  struct sock_filter f[24];
  uint8_t jt[24], jf[24]; /* labels */
  unsigned n, at[L__MAX];
};

static void
emit (struct bpf_prog *p, uint16_t code, uint32_t k, uint8_t jt, uint8_t jf)
{
  p->f[p->n] = (struct sock_filter) BPF_JUMP (code, k, 0, 0);
  p->jt[p->n] = jt;
  p->jf[p->n] = jf;
  p->n++;
}

static void
label (struct bpf_prog *p, unsigned l)
{
  p->at[l] = p->n;
}

static int
attach_filter (int fd, const struct eth_sock_config *cfg, uint16_t ethertype,
               const uint8_t mac[6])
{
  const uint16_t ld_w = BPF_LD | BPF_W | BPF_ABS,
                 ld_h = BPF_LD | BPF_H | BPF_ABS;
  const uint16_t ld_b = BPF_LD | BPF_B | BPF_ABS,
                 jeq = BPF_JMP | BPF_JEQ | BPF_K;
  const uint16_t ret = BPF_RET | BPF_K;
  uint32_t mac_hi = (uint32_t) mac[0] << 24 | (uint32_t) mac[1] << 16 |
                    (uint32_t) mac[2] << 8 | mac[3];
  uint32_t mac_lo = (uint32_t) mac[4] << 8 | mac[5];
  uint32_t id = cfg->dst_assoc;
  struct bpf_prog p = { .n = 0 };
  struct sock_fprog prog;
  unsigned i;

  emit (&p, ld_h, 12, 0, 0); /* EtherType */
  emit (&p, jeq, ethertype, L_NEXT, L_DROP);
  emit (&p, ld_w, 0, 0, 0); /* destination MAC, bytes 0-3 */
  /* Ours, or with cfg->broadcast ff:ff:ff:ff:ff:ff (bytes 0-3 of a
   * unicast MAC are never all ones, so A still decides). */
  emit (&p, jeq, mac_hi, L_NEXT, cfg->broadcast ? L_BCAST : L_DROP);
  emit (&p, ld_h, 4, 0, 0);
  emit (&p, jeq, mac_lo, L_ASSOC, L_DROP);
  if (cfg->broadcast) {
    label (&p, L_BCAST);
    emit (&p, jeq, 0xFFFFFFFF, L_NEXT, L_DROP);
    emit (&p, ld_h, 4, 0, 0);
    emit (&p, jeq, 0xFFFF, L_ASSOC, L_DROP);
  }
  label (&p, L_ASSOC);
  if (id != ETH_SOCK_ANY_ASSOC) {
    /* Bytes 8-11 of our header, little-endian; BPF loads big-endian. */
    uint32_t swapped =
      (id & 0xFF) << 24 | (id & 0xFF00) << 8 | (id >> 8 & 0xFF00) | id >> 24;

    emit (&p, ld_w, ETH_HLEN + 8, 0, 0);
    if (cfg->any_term) {
      emit (&p, jeq, swapped, L_ACCEPT, L_NEXT);
      emit (&p, ld_b, ETH_HLEN + 1, 0, 0); /* type */
      emit (&p, jeq, NVME_ETH_TERM, L_ACCEPT, L_DROP);
    }
    else
      emit (&p, jeq, swapped, L_ACCEPT, L_DROP);
  }
  label (&p, L_ACCEPT);
  emit (&p, ret, 0x40000, 0, 0); /* the whole frame */
  label (&p, L_DROP);
  emit (&p, ret, 0, 0, 0);

  for (i = 0; i < p.n; i++) {
    if (BPF_CLASS (p.f[i].code) != BPF_JMP)
      continue;
    if (p.jt[i] != L_NEXT)
      p.f[i].jt = (uint8_t) (p.at[p.jt[i]] - i - 1);
    if (p.jf[i] != L_NEXT)
      p.f[i].jf = (uint8_t) (p.at[p.jf[i]] - i - 1);
  }
  prog.len = p.n;
  prog.filter = p.f;
  return setsockopt (fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog);
}

/* Block size: BLOCK_FRAMES frames of the MTU, a power of two of pages. */
static unsigned
pick_block_size (unsigned mtu)
{
  unsigned want = BLOCK_FRAMES * (mtu + ETH_HLEN + FRAME_OVERHEAD) + 64;
  unsigned bs = (unsigned) sysconf (_SC_PAGESIZE);

  while (bs < want)
    bs <<= 1;
  return bs;
}

/* V3: blocks of BLOCK_FRAMES frames of the MTU; a frame takes what it
 * needs in the block.  V2: one slot per frame, of the MTU. */
static int
setup_ring (struct eth_sock *s, unsigned ring_bytes, char *err, size_t errlen)
{
  int v = s->ring.version;
  union {
    struct tpacket_req req2;
    struct tpacket_req3 req3;
  } u;

  if (setsockopt (s->fd, SOL_PACKET, PACKET_VERSION, &v, sizeof v) == -1) {
    sys_err (err, errlen, "PACKET_VERSION", s->ifname);
    return -1;
  }
  if (ring_bytes == 0)
    ring_bytes = RING_FRAMES * (s->mtu + ETH_HLEN + FRAME_OVERHEAD);
  if (ring_bytes < RING_MIN)
    ring_bytes = RING_MIN;
  if (ring_bytes > RING_MAX)
    ring_bytes = RING_MAX;
  memset (&u, 0, sizeof u);
  s->ring.block_size = pick_block_size (s->mtu);
  s->ring.nr_blocks =
    (ring_bytes + s->ring.block_size - 1) / s->ring.block_size;
  if (s->ring.nr_blocks < 4)
    s->ring.nr_blocks = 4;
  if (v == TPACKET_V3) {
    u.req3.tp_block_size = s->ring.block_size;
    u.req3.tp_block_nr = s->ring.nr_blocks;
    /* Not used by V3 but checked: a power of two dividing the block. */
    u.req3.tp_frame_size = TPACKET_ALIGNMENT << 7;
    u.req3.tp_frame_nr =
      s->ring.block_size / u.req3.tp_frame_size * s->ring.nr_blocks;
    u.req3.tp_retire_blk_tov = BLOCK_TOV_MS;
  }
  else {
    s->ring.frame_size =
      TPACKET_ALIGN (TPACKET2_HDRLEN) + 16 + ETH_HLEN + s->mtu;
    s->ring.frame_size = TPACKET_ALIGN (s->ring.frame_size);
    s->ring.frames_per_block = s->ring.block_size / s->ring.frame_size;
    s->ring.nr_frames = s->ring.frames_per_block * s->ring.nr_blocks;
    u.req2.tp_block_size = s->ring.block_size;
    u.req2.tp_block_nr = s->ring.nr_blocks;
    u.req2.tp_frame_size = s->ring.frame_size;
    u.req2.tp_frame_nr = s->ring.nr_frames;
  }
  if (setsockopt (s->fd, SOL_PACKET, PACKET_RX_RING, &u,
                  v == TPACKET_V3 ? sizeof u.req3 : sizeof u.req2) == -1) {
    sys_err (err, errlen, "PACKET_RX_RING", s->ifname);
    return -1;
  }
  s->ring_len = (size_t) s->ring.block_size * s->ring.nr_blocks;
  s->ring.base =
    mmap (NULL, s->ring_len, PROT_READ | PROT_WRITE, MAP_SHARED, s->fd, 0);
  if (s->ring.base == MAP_FAILED) {
    s->ring.base = NULL;
    sys_err (err, errlen, "mmap of the receive ring", s->ifname);
    return -1;
  }
  return 0;
}

static int
link_info (struct eth_sock *s, char *err, size_t errlen)
{
  struct ifreq ifr;

  memset (&ifr, 0, sizeof ifr);
  memcpy (ifr.ifr_name, s->ifname, sizeof ifr.ifr_name);
  if (ioctl (s->fd, SIOCGIFFLAGS, &ifr) == -1) {
    sys_err (err, errlen, "SIOCGIFFLAGS", s->ifname);
    return -1;
  }
  if (!(ifr.ifr_flags & IFF_UP)) {
    set_err (err, errlen, "interface %s is down (ip link set %s up)", s->ifname,
             s->ifname);
    return -1;
  }
  if (ioctl (s->fd, SIOCGIFMTU, &ifr) == -1) {
    sys_err (err, errlen, "SIOCGIFMTU", s->ifname);
    return -1;
  }
  s->mtu = ifr.ifr_mtu > NVME_ETH_MAX_FRAME ? NVME_ETH_MAX_FRAME : ifr.ifr_mtu;
  if (s->mtu < NVME_ETH_MIN_FRAME) {
    set_err (err, errlen,
             "interface %s: MTU %d is below 1280, the smallest NVMe/Ethernet "
             "max frame",
             s->ifname, ifr.ifr_mtu);
    return -1;
  }
  if (ioctl (s->fd, SIOCGIFHWADDR, &ifr) == -1) {
    sys_err (err, errlen, "SIOCGIFHWADDR", s->ifname);
    return -1;
  }
  if (ifr.ifr_hwaddr.sa_family != ARPHRD_ETHER) {
    set_err (err, errlen, "interface %s is not an Ethernet interface",
             s->ifname);
    return -1;
  }
  memcpy (s->mac, ifr.ifr_hwaddr.sa_data, 6);
  return 0;
}

struct eth_sock *
eth_sock_open (const struct eth_sock_config *cfg, char *err, size_t errlen)
{
  struct eth_sock *s;
  struct sockaddr_ll sll;
  int one = 1, sndbuf = SNDBUF_BYTES;
  unsigned i;

  if (!cfg->ifname || !*cfg->ifname || strlen (cfg->ifname) >= IF_NAMESIZE) {
    set_err (err, errlen, "no such network interface: '%s'",
             cfg->ifname ? cfg->ifname : "");
    return NULL;
  }
  s = calloc (1, sizeof *s);
  if (!s) {
    set_err (err, errlen, "%s: out of memory", cfg->ifname);
    return NULL;
  }
  s->fd = s->txfd = -1;
  snprintf (s->ifname, sizeof s->ifname, "%s", cfg->ifname);
  s->ethertype = cfg->ethertype ? cfg->ethertype : ETH_DEFAULT_ETHERTYPE;
  s->ring.version = TPACKET_V2;
  {
    const char *v = getenv ("NVMEOF_ETH_TPACKET");
    if (v && strcmp (v, "3") == 0)
      s->ring.version = TPACKET_V3;
  }
  pthread_mutex_init (&s->tx_lock, NULL);
  s->ifindex = (int) if_nametoindex (cfg->ifname);
  if (s->ifindex == 0) {
    set_err (err, errlen,
             "no such network interface: %s (ip link shows the interfaces "
             "of this network namespace)",
             cfg->ifname);
    goto fail;
  }
  /* Protocol 0: nothing is received until bind names the EtherType. */
  s->fd = socket (AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
  if (s->fd == -1) {
    if (errno == EPERM || errno == EACCES)
      no_cap_err (err, errlen, cfg->ifname);
    else
      sys_err (err, errlen, "AF_PACKET socket", cfg->ifname);
    goto fail;
  }
  if (link_info (s, err, errlen) == -1)
    goto fail;
  if (attach_filter (s->fd, cfg, s->ethertype, s->mac) == -1) {
    sys_err (err, errlen, "SO_ATTACH_FILTER", s->ifname);
    goto fail;
  }
  /* Our own frames: not for us (old kernels lack it: the filter's MAC
   * check keeps them out anyway, except broadcast ones). */
  setsockopt (s->fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof one);
  if (setup_ring (s, cfg->ring_bytes, err, errlen) == -1)
    goto fail;
  memset (&sll, 0, sizeof sll);
  sll.sll_family = AF_PACKET;
  sll.sll_protocol = htons (s->ethertype);
  sll.sll_ifindex = s->ifindex;
  if (bind (s->fd, (struct sockaddr *) &sll, sizeof sll) == -1) {
    sys_err (err, errlen, "bind", s->ifname);
    goto fail;
  }
  /* Frames go out through a second socket that receives nothing (protocol
   * 0) and that no poll waits on.  A sent frame's release, which veth does
   * in our own system call once the peer has its copy, wakes the waiters
   * of the socket that sent it (sock_def_write_space); on the receiving
   * socket that is the engine's epoll, a spin lock and a callback per
   * frame for nothing (6 % of the initiator's CPU at 4K reads). */
  s->txfd = socket (AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
  if (s->txfd == -1) {
    sys_err (err, errlen, "AF_PACKET socket", s->ifname);
    goto fail;
  }
  if (setsockopt (s->txfd, SOL_SOCKET, SO_SNDBUFFORCE, &sndbuf,
                  sizeof sndbuf) == -1)
    setsockopt (s->txfd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
  sll.sll_protocol = 0;
  if (bind (s->txfd, (struct sockaddr *) &sll, sizeof sll) == -1) {
    sys_err (err, errlen, "bind", s->ifname);
    goto fail;
  }

  /* The send batch's fixed parts. */
  s->dst.sll_family = AF_PACKET;
  s->dst.sll_protocol = htons (s->ethertype);
  s->dst.sll_ifindex = s->ifindex;
  s->dst.sll_halen = 6;
  memcpy (s->ethhdr + 6, s->mac, 6);
  s->ethhdr[12] = s->ethertype >> 8;
  s->ethhdr[13] = s->ethertype & 0xFF;
  for (i = 0; i < TX_BATCH; i++) {
    s->msgs[i].msg_hdr.msg_name = &s->dst;
    s->msgs[i].msg_hdr.msg_namelen = sizeof s->dst;
  }
  return s;

fail:
  eth_sock_close (s);
  return NULL;
}

void
eth_sock_close (struct eth_sock *s)
{
  if (!s)
    return;
  if (s->ring.base)
    munmap (s->ring.base, s->ring_len);
  if (s->fd >= 0)
    close (s->fd);
  if (s->txfd >= 0)
    close (s->txfd);
  pthread_mutex_destroy (&s->tx_lock);
  free (s);
}

const uint8_t *
eth_sock_mac (const struct eth_sock *s)
{
  return s->mac;
}

unsigned
eth_sock_mtu (const struct eth_sock *s)
{
  return s->mtu;
}

unsigned
eth_sock_rx_frames (const struct eth_sock *s)
{
  if (s->ring.version == TPACKET_V2)
    return s->ring.nr_frames;
  return (unsigned) (s->ring_len / (s->mtu + ETH_HLEN + FRAME_OVERHEAD));
}

int
eth_sock_ifindex (const struct eth_sock *s)
{
  return s->ifindex;
}

int
eth_sock_fd (const struct eth_sock *s)
{
  return s->fd;
}

int
eth_sock_rx (struct eth_sock *s, eth_sock_rx_fn fn, void *ctx, unsigned max)
{
  return eth_ring_rx (&s->ring, fn, ctx, max);
}

uint64_t
eth_sock_rx_drops (struct eth_sock *s)
{
  struct tpacket_stats_v3 st; /* V2's struct tpacket_stats is its start */
  socklen_t len = sizeof st;

  memset (&st, 0, sizeof st);
  /* The kernel resets its counters at each read. */
  if (getsockopt (s->fd, SOL_PACKET, PACKET_STATISTICS, &st, &len) == 0)
    s->drops += st.tp_drops;
  return s->drops;
}

int
eth_sock_wait (struct eth_sock *s, uint64_t timeout_us)
{
  struct pollfd pfd = { .fd = s->fd, .events = POLLIN };
  struct timespec ts;
  int r;

  if (eth_ring_ready (&s->ring))
    return 1;
  if (timeout_us == 0)
    return 0;
  ts.tv_sec = timeout_us / 1000000;
  ts.tv_nsec = (long) (timeout_us % 1000000) * 1000;
  r = ppoll (&pfd, 1, &ts, NULL);
  if (r == -1 && errno == EINTR)
    return 0;
  if (r > 0 && (pfd.revents & (POLLERR | POLLNVAL)))
    return -1;
  return r;
}

/* Send the prepared messages 0 .. n-1.  How many went out, or -1. */
static int
send_batch (struct eth_sock *s, unsigned n)
{
  unsigned done = 0;

  while (done < n) {
    int r = sendmmsg (s->txfd, s->msgs + done, n - done, 0);

    if (r > 0) {
      done += r;
      continue;
    }
    if (r == -1 && errno == EINTR)
      continue;
    /* Full queue (ENOBUFS, EAGAIN): the rest counts as lost.  A frame the
     * link cannot carry (EMSGSIZE) too: the engine sees it go unacked. */
    if (r == -1 && done == 0 && errno != ENOBUFS && errno != EAGAIN &&
        errno != EMSGSIZE)
      return -1;
    break;
  }
  return (int) done;
}

/* Prepare messages for up to TX_BATCH of the n frames f, packed into
 * Ethernet frames of at most pack_max bytes (0: one per message), each
 * gathered from iovecs (the Ethernet header, then each frame's header and
 * data) with no copy.  Returns the number of messages. */
static unsigned
prepare (struct eth_sock *s, const struct eth_tx_frame *f, unsigned n,
         uint32_t pack_max)
{
  unsigned m = 0, used = 0, v = 0;

  if (n > TX_BATCH)
    n = TX_BATCH;
  while (used < n) {
    unsigned k = eth_pack_count (f + used, n - used, pack_max), i;
    struct msghdr *h = &s->msgs[m].msg_hdr;

    h->msg_iov = &s->iov[v];
    s->iov[v].iov_base = s->ethhdr;
    s->iov[v++].iov_len = ETH_HLEN;
    for (i = 0; i < k; i++) {
      const struct eth_tx_frame *x = &f[used + i];

      s->iov[v].iov_base = (void *) x->hdr;
      s->iov[v++].iov_len = x->hdr_len;
      if (x->data && x->data_len) {
        s->iov[v].iov_base = (void *) x->data;
        s->iov[v++].iov_len = x->data_len;
      }
    }
    h->msg_iovlen = (size_t) (&s->iov[v] - h->msg_iov);
    s->msg_frames[m++] = k;
    used += k;
  }
  return m;
}

int
eth_sock_tx (struct eth_sock *s, const uint8_t dst[6],
             const struct eth_tx_frame *f, unsigned n, uint32_t pack_max)
{
  unsigned sent = 0;
  int r = 0;

  pthread_mutex_lock (&s->tx_lock);
  memcpy (s->ethhdr, dst, 6);
  memcpy (s->dst.sll_addr, dst, 6);
  while (sent < n) {
    unsigned k = prepare (s, f + sent, n - sent, pack_max), i;

    r = send_batch (s, k);
    if (r < 0)
      break;
    for (i = 0; i < (unsigned) r; i++)
      sent += s->msg_frames[i];
    if ((unsigned) r < k)
      break;
  }
  pthread_mutex_unlock (&s->tx_lock);
  if (r < 0 && sent == 0)
    return -1;
  return (int) sent;
}

int
eth_sock_tx_raw (struct eth_sock *s, const uint8_t dst[6], const void *frame,
                 size_t len)
{
  struct eth_tx_frame f = { .hdr = frame, .hdr_len = (uint32_t) len };

  return eth_sock_tx (s, dst, &f, 1, 0);
}

int
eth_mac_parse (const char *text, uint8_t mac[6])
{
  unsigned i;
  char sep = 0;

  if (!text)
    return -1;
  for (i = 0; i < 6; i++) {
    int hi, lo;
    const char *p = text + i * 3;

    hi = p[0];
    lo = hi ? p[1] : 0;
#define HEX(c) \
  ((c) >= '0' && (c) <= '9' ? (c) - '0' : \
   (c) >= 'a' && (c) <= 'f' ? (c) - 'a' + 10 : \
   (c) >= 'A' && (c) <= 'F' ? (c) - 'A' + 10 : \
                              -1)
    if (HEX (hi) < 0 || HEX (lo) < 0)
      return -1;
    mac[i] = (uint8_t) (HEX (hi) << 4 | HEX (lo));
#undef HEX
    if (i < 5) {
      if (p[2] != ':' && p[2] != '-')
        return -1;
      if (sep && p[2] != sep)
        return -1;
      sep = p[2];
    }
    else if (p[2] != '\0')
      return -1;
  }
  return 0;
}
