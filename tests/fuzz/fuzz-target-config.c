/* SPDX-License-Identifier: BSD-3-Clause */
/* Fuzz target for nvmeof-target's JSON configuration (target/config-json.c
 * and what it calls: auth-config.c for hosts' DH-HMAC-CHAP secrets,
 * tls-config.c for TSAS and TLS keys, config.c for the model it builds).
 * Each input is the file --config reads (written to a memfd, read through
 * /proc/self/fd).  Every input must be accepted or refused with a message;
 * an accepted one must give a model whose invariants hold: NQNs of at most
 * 223 bytes, namespaces in increasing NSID order within 1..8192, each
 * port's subsystems among the configured ones, nothing leaked after
 * config_free.  Namespace paths other than "ram:" may open existing files
 * (read-only use; nothing is written), so run it as an ordinary user.
 *
 * libFuzzer: scripts/fuzz.sh.  Built-in driver (the unit test
 * "unit/fuzz-target-config"): see driver.c. */
#include <config.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include "target.h"
#include "driver.h"

/* ---- what main.c defines for the rest of nvmeof-target ---------------- */
atomic_bool stopping;

void
log_msg (const char *fmt, ...)
{
  (void) fmt;
}

void
log_verbose (const char *fmt, ...)
{
  (void) fmt;
}

bool
stop_requested (void)
{
  return false;
}

void
die (const char *fmt, ...)
{
  (void) fmt;
  FAILED ("die() called while loading a configuration");
}

static bool
in_subsys (const struct tgt_subsys *ss)
{
  size_t i;

  for (i = 0; i < cfg.nr_subsys; i++)
    if (cfg.subsys[i] == ss)
      return true;
  return false;
}

static void
check_model (void)
{
  size_t i, j;

  for (i = 0; i < cfg.nr_subsys; i++) {
    const struct tgt_subsys *ss = cfg.subsys[i];

    if (strnlen (ss->nqn, sizeof ss->nqn) > TGT_NQN_MAX || ss->nqn[0] == '\0')
      FAILED ("subsystem %zu has an NQN of %zu bytes", i, strlen (ss->nqn));
    for (j = 0; j < ss->nr_ns; j++) {
      if (ss->ns[j].nsid == 0 || ss->ns[j].nsid > TGT_MAX_NSID ||
          (j > 0 && ss->ns[j].nsid <= ss->ns[j - 1].nsid))
        FAILED ("subsystem %s: namespace %zu has NSID %u", ss->nqn, j,
                ss->ns[j].nsid);
      if (ss->ns[j].lba_shift != 9 && ss->ns[j].lba_shift != 12)
        FAILED ("NSID %u: LBA shift %u", ss->ns[j].nsid, ss->ns[j].lba_shift);
    }
    for (j = 0; j < ss->nr_hosts; j++)
      if (strlen (ss->hosts[j]) > TGT_NQN_MAX)
        FAILED ("host NQN of %zu bytes", strlen (ss->hosts[j]));
  }
  for (i = 0; i < cfg.nr_ports; i++)
    for (j = 0; j < cfg.ports[i].nr_subsys; j++)
      if (!in_subsys (cfg.ports[i].subsys[j]))
        FAILED ("port %u names a subsystem not in the model",
                cfg.ports[i].portid);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  static int fd = -1;
  static char path[64];
  struct quick_opts q = { 0 };

  if (fd == -1) {
    fd = memfd_create ("fuzz-target-config", MFD_CLOEXEC);
    if (fd == -1)
      FAILED ("memfd_create: %m");
    snprintf (path, sizeof path, "/proc/self/fd/%d", fd);
  }
  if (ftruncate (fd, 0) == -1 || pwrite (fd, data, size, 0) != (ssize_t) size)
    FAILED ("cannot write the input: %m");
  q.config_file = path;
  if (config_build (&q) == 0)
    check_model ();
  config_free ();
  return 0;
}

#ifndef FUZZ_LIBFUZZER
/* ---- Seeds for the built-in driver (driver.c): files like those
 * nvmetcli saves, with our extensions. */
static const char *const seeds[] = {
  "{\"hosts\": [{\"nqn\": \"nqn.2014-08.org.nvmexpress:uuid:a\"}],"
  " \"ports\": [{\"addr\": {\"adrfam\": \"ipv4\", \"traddr\": \"127.0.0.1\","
  " \"treq\": \"not specified\", \"trsvcid\": \"4420\", \"trtype\": \"tcp\","
  " \"tsas\": \"none\"}, \"ana_groups\": [{\"ana\": {\"state\": "
  "\"optimized\"}, \"grpid\": 1}], \"param\": {\"inline_data_size\": "
  "\"16384\", \"pi_enable\": \"0\"}, \"portid\": 1, \"referrals\": "
  "[{\"addr\": {\"adrfam\": \"ipv4\", \"portid\": \"7\", \"traddr\": "
  "\"127.0.0.2\", \"treq\": \"not specified\", \"trsvcid\": \"8009\", "
  "\"trtype\": \"tcp\"}, \"enable\": 1, \"name\": \"other\"}], "
  "\"subsystems\": [\"nqn.2026-11.io.test:one\", \"nqn.2026-11.io.test:two\"]"
  "}, {\"addr\": {\"adrfam\": \"ipv6\", \"traddr\": \"::1\", \"treq\": "
  "\"not specified\", \"trsvcid\": \"4421\", \"trtype\": \"tcp\", "
  "\"tsas\": \"none\"}, \"portid\": 2, \"referrals\": [], \"subsystems\": "
  "[\"nqn.2026-11.io.test:two\"]}], \"subsystems\": [{\"allowed_hosts\": "
  "[\"nqn.2014-08.org.nvmexpress:uuid:a\"], \"attr\": {\"allow_any_host\": "
  "\"0\", \"cntlid_max\": \"65519\", \"cntlid_min\": \"5\", \"firmware\": "
  "\"6.1.0\", \"ieee_oui\": \"0x000000\", \"model\": \"Test Model\", "
  "\"pi_enable\": \"0\", \"qid_max\": \"8\", \"serial\": "
  "\"0123456789abcdef\", \"version\": \"1.3\"}, \"namespaces\": "
  "[{\"ana\": {\"grpid\": \"1\"}, \"ana_grpid\": 1, \"device\": {\"nguid\": "
  "\"00000000-0000-0000-0000-000000000000\", \"path\": \"ram:1M\", "
  "\"uuid\": \"11111111-2222-3333-4444-555555555555\"}, \"enable\": 1, "
  "\"nsid\": 1, \"nvmeof\": {\"lba_size\": 4096}}, {\"device\": {\"path\": "
  "\"/nonexistent\"}, \"enable\": 0, \"nsid\": 2}], \"nqn\": "
  "\"nqn.2026-11.io.test:one\"}, {\"allowed_hosts\": [], \"attr\": "
  "{\"allow_any_host\": \"1\"}, \"namespaces\": [{\"device\": {\"path\": "
  "\"ram:64K\", \"eui64\": \"0011223344556677\"}, \"enable\": 1, \"nsid\": "
  "7}], \"nqn\": \"nqn.2026-11.io.test:two\"}]}",
  "{\"hosts\": [{\"nqn\": \"nqn.2014-08.org.nvmexpress:uuid:h\", "
  "\"dhchap_key\": \"DHHC-1:00:ia6zGodOr4SEG0Zzaw398rpY0wqipUWj4jWjUh4HWUz6a"
  "Q2n:\", \"dhchap_ctrl_key\": \"DHHC-1:03:ia6zGodOr4SEG0Zzaw398rpY0wqipUWj"
  "4jWjUh4HWUz6aQ2n:\", \"dhchap_hash\": \"hmac(sha512)\", "
  "\"dhchap_dhgroup\": \"ffdhe3072\", \"tls_key\": \"NVMeTLSkey-1:01:VRLbtnN"
  "9AQb2WXW3c9+wEf/DRLz0QuLdbYvEhwtdWwNf9LrZ:\"}], \"ports\": [{\"addr\": "
  "{\"trtype\": \"tcp\", \"adrfam\": \"ipv4\", \"traddr\": \"127.0.0.1\", "
  "\"trsvcid\": \"4420\"}, \"portid\": 1, \"subsystems\": "
  "[\"nqn.2026-11.io.test:a\"]}], \"subsystems\": [{\"nqn\": "
  "\"nqn.2026-11.io.test:a\", \"allowed_hosts\": "
  "[\"nqn.2014-08.org.nvmexpress:uuid:h\"], \"namespaces\": [{\"nsid\": 1, "
  "\"enable\": 1, \"device\": {\"path\": \"ram:4K\"}}]}]}",
  "{\"ports\": [{\"addr\": {\"trtype\": \"eth\", \"traddr\": \"veth0\"}, "
  "\"portid\": 3, \"subsystems\": [\"nqn.2026-11.io.test:e\"]}], "
  "\"subsystems\": [{\"nqn\": \"nqn.2026-11.io.test:e\", \"attr\": "
  "{\"allow_any_host\": \"1\"}, \"namespaces\": []}]}",
  "{}",
  "[]",
};

static const char *const tokens[] = {
  "\"nqn\": ",
  "\"nsid\": ",
  "\"subsystems\": [",
  "\"ports\": [",
  "\"hosts\": [",
  "\"namespaces\": [",
  "\"path\": \"ram:",
  "\"enable\": 1",
  "\"portid\": ",
  "\"attr\": {",
  "\"addr\": {",
  "\"trtype\": ",
  "\"ana_grpid\": ",
  "\"ana_groups\": [",
  "\"dhchap_key\": ",
  "\"tls_key\": ",
  "\"tsas\": ",
  "\"referrals\": [",
  "\"allowed_hosts\": [",
  "\"qid_max\": ",
  "\"cntlid_min\": ",
  "\"lba_size\": ",
  "4294967295",
  "-1",
  "1e99",
  "\"\\u0000\"",
  "null",
  "{",
  "}",
  "[",
  "]",
  ",",
  "\"",
  ":",
};

const struct fuzz_target fuzz_target = {
  .name = "fuzz-target-config",
  .what = "nvmeof-target's JSON configuration",
  .seed_strings = seeds,
  .nr_seed_strings = sizeof seeds / sizeof seeds[0],
  .tokens = tokens,
  .nr_tokens = sizeof tokens / sizeof tokens[0],
};
#endif /* !FUZZ_LIBFUZZER */
