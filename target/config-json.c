/* SPDX-License-Identifier: BSD-3-Clause */
/* Load the JSON that "nvmetcli save" writes for the Linux kernel target
 * (/etc/nvmet/config.json) into the target's model, with json-c.
 *
 * nvmetcli writes attributes as strings ("allow_any_host": "1") and a few
 * numbers as numbers ("nsid": 1, "enable": 1, "portid": 1); both forms are
 * accepted everywhere.  Keys this target has no use for (pi_enable, model
 * attributes it cannot honour ...) are ignored, so real files load
 * unchanged.  ANA as nvmetcli saves it: a namespace's "ana_grpid" (1 to
 * 128, default 1) and a port's "ana_groups" ([{"grpid": G, "ana":
 * {"state": "optimized"}}]; a group not listed keeps nvmet's initial
 * state: optimized for group 1, inaccessible for the others).  Our extensions: a device path "ram:SIZE" for a RAM
 * namespace, and an optional "nvmeof" object in a namespace
 * ({"lba_size": 512|4096, "write_protect": true, "eui64": "...",
 * "buffered_io": true}) and in a
 * subsystem ({"write_cache": false}). */
#include <config.h>

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <json-c/json.h>
#include <openssl/crypto.h>

#include "target.h"
#include "config-json.h"
#include "nvme-eth-wire.h"

static const char *cfgfile;

int
jerr (const char *path, const char *fmt, ...)
{
  va_list ap;

  fprintf (stderr, "nvmeof-target: %s: %s: ", cfgfile, path);
  va_start (ap, fmt);
  vfprintf (stderr, fmt, ap);
  va_end (ap);
  fputc ('\n', stderr);
  return -1;
}

/* A string value; *out NULL when absent.  -1 on a wrong type. */
int
get_str (json_object *o, const char *key, const char *path, const char **out)
{
  json_object *v;

  *out = NULL;
  if (!json_object_object_get_ex (o, key, &v) || v == NULL)
    return 0;
  if (!json_object_is_type (v, json_type_string))
    return jerr (path, "'%s' must be a string", key);
  *out = json_object_get_string (v);
  return 0;
}

/* An unsigned number, written as a number or a decimal/hex string. */
static int
get_uint (json_object *o, const char *key, const char *path, uint64_t min,
          uint64_t max, uint64_t *out, bool *present)
{
  json_object *v;
  const char *s;
  char *end;
  unsigned long long n;

  *present = false;
  if (!json_object_object_get_ex (o, key, &v) || v == NULL)
    return 0;
  if (json_object_is_type (v, json_type_int)) {
    int64_t i = json_object_get_int64 (v);
    if (i < 0 || (uint64_t) i < min || (uint64_t) i > max)
      goto range;
    *out = i;
  }
  else if (json_object_is_type (v, json_type_string)) {
    s = json_object_get_string (v);
    errno = 0;
    n = strtoull (s, &end, 0);
    if (errno || end == s || *end || s[0] == '-')
      return jerr (path, "'%s' must be a number, got '%s'", key, s);
    if (n < min || n > max)
      goto range;
    *out = n;
  }
  else
    return jerr (path, "'%s' must be a number", key);
  *present = true;
  return 0;
range:
  return jerr (path, "'%s' must be between %" PRIu64 " and %" PRIu64, key, min,
               max);
}

/* A boolean: true/false, 0/1 or "0"/"1" (nvmetcli writes strings). */
static int
get_bool (json_object *o, const char *key, const char *path, bool *out)
{
  json_object *v;
  const char *s;

  if (!json_object_object_get_ex (o, key, &v) || v == NULL)
    return 0;
  if (json_object_is_type (v, json_type_boolean)) {
    *out = json_object_get_boolean (v);
    return 0;
  }
  if (json_object_is_type (v, json_type_int)) {
    int64_t i = json_object_get_int64 (v);
    if (i == 0 || i == 1) {
      *out = i;
      return 0;
    }
  }
  if (json_object_is_type (v, json_type_string)) {
    s = json_object_get_string (v);
    if (strcmp (s, "0") == 0 || strcasecmp (s, "false") == 0) {
      *out = false;
      return 0;
    }
    if (strcmp (s, "1") == 0 || strcasecmp (s, "true") == 0) {
      *out = true;
      return 0;
    }
  }
  return jerr (path, "'%s' must be 0 or 1", key);
}

/* An optional sub-object or array of the given type; NULL when absent. */
int
get_typed (json_object *o, const char *key, const char *path, json_type type,
           json_object **out)
{
  json_object *v;

  *out = NULL;
  if (!json_object_object_get_ex (o, key, &v) || v == NULL)
    return 0;
  if (!json_object_is_type (v, type))
    return jerr (path, "'%s' must be %s", key,
                 type == json_type_array ? "a list" : "an object");
  *out = v;
  return 0;
}

/* Hex digits (dashes ignored) into n bytes: UUIDs, NGUIDs, EUI-64s. */
static int
parse_hex_id (const char *s, uint8_t *out, size_t n)
{
  size_t got = 0;
  int hi = -1;

  for (; *s; s++) {
    int d;
    if (*s == '-')
      continue;
    if (*s >= '0' && *s <= '9')
      d = *s - '0';
    else if (*s >= 'a' && *s <= 'f')
      d = *s - 'a' + 10;
    else if (*s >= 'A' && *s <= 'F')
      d = *s - 'A' + 10;
    else
      return -1;
    if (hi < 0)
      hi = d;
    else {
      if (got == n)
        return -1;
      out[got++] = hi << 4 | d;
      hi = -1;
    }
  }
  return got == n && hi < 0 ? 0 : -1;
}

int
check_nqn (const char *path, const char *key, const char *nqn)
{
  size_t len = strlen (nqn);

  if (len == 0 || len > TGT_NQN_MAX)
    return jerr (path, "'%s' must be 1 to %d bytes long", key, TGT_NQN_MAX);
  return 0;
}

static int
load_namespace (struct tgt_subsys *ss, json_object *n, const char *path)
{
  json_object *dev, *ext = NULL;
  const char *dpath, *s;
  uint64_t v, grpid = 1;
  bool present, enable = true, wp = false, buffered = false;
  struct tgt_ns *ns;
  struct stat st;
  unsigned shift = 0;

  if (!json_object_is_type (n, json_type_object))
    return jerr (path, "must be an object");
  if (get_uint (n, "nsid", path, 1, TGT_MAX_NSID, &v, &present) == -1)
    return -1;
  if (!present)
    return jerr (path, "'nsid' is missing");
  if (get_bool (n, "enable", path, &enable) == -1)
    return -1;
  if (get_uint (n, "ana_grpid", path, 1, TGT_ANAGRP_MAX, &grpid, &present) ==
      -1)
    return -1;
  if (get_typed (n, "device", path, json_type_object, &dev) == -1 ||
      get_typed (n, "nvmeof", path, json_type_object, &ext) == -1)
    return -1;
  if (!dev || get_str (dev, "path", path, &dpath) == -1 || !dpath)
    return jerr (path, "'device.path' is missing");
  if (!enable)
    return 0; /* disabled: invisible, as in nvmet */

  ns = &ss->ns[ss->nr_ns];
  memset (ns, 0, sizeof *ns);
  ns->be.fd = -1;
  ns->nsid = v;
  ns->anagrpid = grpid;
  if (get_str (dev, "uuid", path, &s) == -1)
    return -1;
  if (s && parse_hex_id (s, ns->uuid, 16) == -1)
    return jerr (path, "'device.uuid' must be a UUID, got '%s'", s);
  if (get_str (dev, "nguid", path, &s) == -1)
    return -1;
  if (s && parse_hex_id (s, ns->nguid, 16) == -1)
    return jerr (path, "'device.nguid' must be 32 hex digits, got '%s'", s);
  if (ext) {
    if (get_uint (ext, "lba_size", path, 512, 4096, &v, &present) == -1)
      return -1;
    if (present && v != 512 && v != 4096)
      return jerr (path, "'nvmeof.lba_size' must be 512 or 4096");
    if (present)
      shift = v == 512 ? 9 : 12;
    if (get_bool (ext, "write_protect", path, &wp) == -1 ||
        get_bool (ext, "buffered_io", path, &buffered) == -1 ||
        get_str (ext, "eui64", path, &s) == -1)
      return -1;
    if (s && parse_hex_id (s, ns->eui64, 8) == -1)
      return jerr (path, "'nvmeof.eui64' must be 16 hex digits, got '%s'", s);
  }
  atomic_init (&ns->wp, wp ? WP_PERMANENT : WP_NONE);
  if (backend_open (&ns->be, dpath, wp) == -1)
    return -1;
  ns->buffered_io = buffered;
  ss->nr_ns++;
  /* The LBA size nvmet would use: the device's logical block size, for a
   * file the file system's block size capped at 4096; RAM 512. */
  if (shift == 0) {
    shift = 9;
    if (ns->be.kind == BACKEND_FILE && fstat (ns->be.fd, &st) == 0 &&
        st.st_blksize >= 4096)
      shift = 12;
    else if (ns->be.kind == BACKEND_BLOCK && ns->be.lbsize >= 4096)
      shift = 12;
  }
  ns->lba_shift = shift;
  if (ns->uuid[0] == 0 && memcmp (ns->uuid, ns->uuid + 1, 15) == 0)
    ns_default_uuid (ss, ns);
  return ns_finish (ss, ns);
}

static int
load_subsystem (json_object *o, const char *path)
{
  struct tgt_subsys *ss;
  json_object *attr, *hosts, *nss, *ext;
  const char *nqn, *s;
  uint64_t v;
  bool present;
  size_t i;
  char p[160];

  if (!json_object_is_type (o, json_type_object))
    return jerr (path, "must be an object");
  if (get_str (o, "nqn", path, &nqn) == -1)
    return -1;
  if (!nqn)
    return jerr (path, "'nqn' is missing");
  if (check_nqn (path, "nqn", nqn) == -1)
    return -1;
  if (strcmp (nqn, TGT_DISCOVERY_NQN) == 0)
    return jerr (path, "'nqn' must not be the discovery NQN");
  for (i = 0; i < cfg.nr_subsys; i++)
    if (strcmp (cfg.subsys[i]->nqn, nqn) == 0)
      return jerr (path, "subsystem '%s' is defined twice", nqn);

  ss = calloc (1, sizeof *ss);
  if (!ss || config_add_subsys (ss) == -1) {
    free (ss);
    return jerr (path, "out of memory");
  }
  subsys_defaults (ss, nqn);
  ss->allow_any_host = false; /* nvmet's default */

  if (get_typed (o, "attr", path, json_type_object, &attr) == -1 ||
      get_typed (o, "allowed_hosts", path, json_type_array, &hosts) == -1 ||
      get_typed (o, "namespaces", path, json_type_array, &nss) == -1 ||
      get_typed (o, "nvmeof", path, json_type_object, &ext) == -1)
    return -1;
  if (attr) {
    if (get_bool (attr, "allow_any_host", path, &ss->allow_any_host) == -1)
      return -1;
    if (get_str (attr, "serial", path, &s) == -1)
      return -1;
    if (s)
      snprintf (ss->serial, sizeof ss->serial, "%s", s);
    if (get_str (attr, "model", path, &s) == -1)
      return -1;
    if (s)
      snprintf (ss->model, sizeof ss->model, "%s", s);
    if (get_str (attr, "firmware", path, &s) == -1)
      return -1;
    if (s)
      snprintf (ss->firmware, sizeof ss->firmware, "%s", s);
    if (get_str (attr, "version", path, &s) == -1)
      return -1;
    if (s) {
      unsigned mj, mn, te = 0;
      if (sscanf (s, "%u.%u.%u", &mj, &mn, &te) < 2 || mj > 0xFFFF ||
          mn > 0xFF || te > 0xFF)
        return jerr (path, "'attr.version' must be like 1.4, got '%s'", s);
      ss->version = mj << 16 | mn << 8 | te;
    }
    if (get_uint (attr, "cntlid_min", path, 1, 0xFFEF, &v, &present) == -1)
      return -1;
    if (present)
      ss->cntlid_min = v;
    if (get_uint (attr, "cntlid_max", path, 1, 0xFFEF, &v, &present) == -1)
      return -1;
    if (present)
      ss->cntlid_max = v;
    if (ss->cntlid_min > ss->cntlid_max)
      return jerr (path, "'attr.cntlid_min' is above 'attr.cntlid_max'");
    if (get_uint (attr, "qid_max", path, 1, 1024, &v, &present) == -1)
      return -1;
    if (present)
      ss->max_qid = v;
  }
  if (ext && get_bool (ext, "write_cache", path, &ss->vwc) == -1)
    return -1;

  if (hosts) {
    size_t n = json_object_array_length (hosts);
    ss->hosts = calloc (n ? n : 1, sizeof *ss->hosts);
    if (!ss->hosts)
      return jerr (path, "out of memory");
    for (i = 0; i < n; i++) {
      json_object *h = json_object_array_get_idx (hosts, i);
      snprintf (p, sizeof p, "%s.allowed_hosts[%zu]", path, i);
      if (!json_object_is_type (h, json_type_string))
        return jerr (p, "must be a host NQN string");
      if (check_nqn (p, "host", json_object_get_string (h)) == -1)
        return -1;
      ss->hosts[i] = strdup (json_object_get_string (h));
      if (!ss->hosts[i])
        return jerr (p, "out of memory");
      ss->nr_hosts++;
    }
  }
  if (nss) {
    size_t n = json_object_array_length (nss);
    ss->ns = calloc (n ? n : 1, sizeof *ss->ns);
    if (!ss->ns)
      return jerr (path, "out of memory");
    for (i = 0; i < n; i++) {
      snprintf (p, sizeof p, "%s.namespaces[%zu]", path, i);
      if (load_namespace (ss, json_object_array_get_idx (nss, i), p) == -1)
        return -1;
    }
  }
  return subsys_finish (ss);
}

/* Address fields shared by ports and referrals. */
static int
load_addr (json_object *addr, const char *path, uint8_t *trtype,
           uint8_t *adrfam, uint8_t *treq, uint8_t *tsas, char *traddr,
           size_t alen, char *trsvcid, size_t slen)
{
  const char *s;

  if (get_str (addr, "trtype", path, &s) == -1)
    return -1;
  *trtype = 0;
  if (s && strcmp (s, "tcp") == 0)
    *trtype = NVMF_TRTYPE_TCP;
  else if (s && strcmp (s, "rdma") == 0)
    *trtype = NVMF_TRTYPE_RDMA;
  else if (s && strcmp (s, "fc") == 0)
    *trtype = NVMF_TRTYPE_FC;
  else if (s && strcmp (s, "loop") == 0)
    *trtype = NVMF_TRTYPE_LOOP;
  else if (s && strcmp (s, "eth") == 0)
    *trtype = NVME_ETH_TRTYPE;
  if (get_str (addr, "adrfam", path, &s) == -1)
    return -1;
  *adrfam = 0;
  if (s && strcmp (s, "ipv4") == 0)
    *adrfam = NVMF_ADRFAM_IPV4;
  else if (s && strcmp (s, "ipv6") == 0)
    *adrfam = NVMF_ADRFAM_IPV6;
  else if (s && strcmp (s, "mac") == 0)
    *adrfam = NVME_ETH_ADRFAM;
  if (get_str (addr, "treq", path, &s) == -1)
    return -1;
  *treq = NVMF_TREQ_SECURE_NOT_SPECIFIED;
  if (s && strcmp (s, "required") == 0)
    *treq = NVMF_TREQ_SECURE_REQUIRED;
  else if (s && strcmp (s, "not required") == 0)
    *treq = NVMF_TREQ_SECURE_NOT_REQUIRED;
  *tsas = 0;
  if (*trtype == NVMF_TRTYPE_TCP &&
      tls_parse_tsas (addr, path, tsas, treq) == -1)
    return -1;
  if (get_str (addr, "traddr", path, &s) == -1)
    return -1;
  if (s && strlen (s) >= alen)
    return jerr (path, "'addr.traddr' is too long");
  snprintf (traddr, alen, "%s", s ? s : "");
  if (get_str (addr, "trsvcid", path, &s) == -1)
    return -1;
  if (s && strlen (s) >= slen)
    return jerr (path, "'addr.trsvcid' is too long");
  snprintf (trsvcid, slen, "%s", s ? s : "");
  return 0;
}

static int
load_referrals (struct tgt_port *port, json_object *refs, const char *path)
{
  size_t n = json_object_array_length (refs), i;
  char p[160];

  port->refs = calloc (n ? n : 1, sizeof *port->refs);
  if (!port->refs)
    return jerr (path, "out of memory");
  for (i = 0; i < n; i++) {
    json_object *r = json_object_array_get_idx (refs, i), *addr;
    struct tgt_referral *ref = &port->refs[port->nr_refs];
    bool enable = true, present;
    uint64_t v;

    snprintf (p, sizeof p, "%s.referrals[%zu]", path, i);
    if (!json_object_is_type (r, json_type_object))
      return jerr (p, "must be an object");
    if (get_bool (r, "enable", p, &enable) == -1 ||
        get_typed (r, "addr", p, json_type_object, &addr) == -1)
      return -1;
    if (!addr)
      return jerr (p, "'addr' is missing");
    if (load_addr (addr, p, &ref->trtype, &ref->adrfam, &ref->treq, &ref->tsas,
                   ref->traddr, sizeof ref->traddr, ref->trsvcid,
                   sizeof ref->trsvcid) == -1)
      return -1;
    if (get_uint (addr, "portid", p, 0, 0xFFFF, &v, &present) == -1)
      return -1;
    ref->portid = present ? v : 0;
    if (ref->traddr[0] == '\0')
      return jerr (p, "'addr.traddr' is missing");
    if (enable)
      port->nr_refs++;
  }
  return 0;
}

/* An eth port (our extension): traddr is the network interface, trsvcid
 * the EtherType (default 0x88b5), adrfam "mac" or absent. */
static int
eth_port_addr (struct tgt_port *port, const char *path)
{
  unsigned long v = NVME_ETH_ETHERTYPE;
  char *end;

  if (port->adrfam != 0 && port->adrfam != NVME_ETH_ADRFAM)
    return jerr (path, "'addr.adrfam' of an eth port must be 'mac' or absent");
  port->adrfam = NVME_ETH_ADRFAM;
  if (strlen (port->traddr) >= 16 || strchr (port->traddr, '/'))
    return jerr (path,
                 "'addr.traddr' of an eth port is a network interface, "
                 "got '%s'",
                 port->traddr);
  if (port->trsvcid[0]) {
    errno = 0;
    v = strtoul (port->trsvcid, &end, 0);
    if (errno || *end || port->trsvcid[0] == '-' || v < 0x600 || v > 0xFFFF)
      return jerr (path,
                   "'addr.trsvcid' of an eth port is an EtherType (0x0600 "
                   "to 0xffff, like 0x88b5), got '%s'",
                   port->trsvcid);
  }
  port->ethertype = v;
  snprintf (port->trsvcid, sizeof port->trsvcid, "0x%04lx", v);
  return 0;
}

/* A port's "ana_groups", as nvmet's ports/N/ana_groups/G/ana_state. */
static int
load_ana_groups (struct tgt_port *port, json_object *list, const char *path)
{
  size_t i, n = json_object_array_length (list);
  char p[128];

  for (i = 0; i < n; i++) {
    json_object *g = json_object_array_get_idx (list, i), *ana;
    const char *s = NULL;
    uint64_t grpid;
    bool present;
    int state;

    snprintf (p, sizeof p, "%s: ana_groups[%zu]", path, i);
    if (!json_object_is_type (g, json_type_object))
      return jerr (p, "must be an object");
    if (get_uint (g, "grpid", p, 1, TGT_ANAGRP_MAX, &grpid, &present) == -1)
      return -1;
    if (!present)
      return jerr (p, "'grpid' is missing");
    if (get_typed (g, "ana", p, json_type_object, &ana) == -1 ||
        (ana && get_str (ana, "state", p, &s) == -1))
      return -1;
    if (!s)
      continue; /* the port's initial state (ana_port_init) */
    state = ana_state_parse (s);
    if (state < 0)
      return jerr (p,
                   "'ana.state' must be optimized, non-optimized, "
                   "inaccessible, persistent-loss or change, got '%s'",
                   s);
    atomic_store (&port->ana_state[grpid], state);
  }
  return 0;
}

static int
load_port (json_object *o, const char *path)
{
  struct tgt_port *port, tmp;
  json_object *addr, *param, *subs, *refs, *anagrps;
  uint64_t v;
  bool present;
  size_t i, n;

  if (!json_object_is_type (o, json_type_object))
    return jerr (path, "must be an object");
  memset (&tmp, 0, sizeof tmp);
  if (get_uint (o, "portid", path, 0, 0xFFFF, &v, &present) == -1)
    return -1;
  if (!present)
    return jerr (path, "'portid' is missing");
  tmp.portid = v;
  if (get_typed (o, "addr", path, json_type_object, &addr) == -1 ||
      get_typed (o, "param", path, json_type_object, &param) == -1 ||
      get_typed (o, "subsystems", path, json_type_array, &subs) == -1 ||
      get_typed (o, "referrals", path, json_type_array, &refs) == -1 ||
      get_typed (o, "ana_groups", path, json_type_array, &anagrps) == -1)
    return -1;
  if (!addr)
    return jerr (path, "'addr' is missing");
  if (load_addr (addr, path, &tmp.trtype, &tmp.adrfam, &tmp.treq, &tmp.tsas,
                 tmp.traddr, sizeof tmp.traddr, tmp.trsvcid,
                 sizeof tmp.trsvcid) == -1)
    return -1;
  if (tmp.trtype != NVMF_TRTYPE_TCP && tmp.trtype != NVME_ETH_TRTYPE) {
    fprintf (stderr,
             "nvmeof-target: %s: %s: port %u is not a tcp port, "
             "ignored\n",
             cfgfile, path, tmp.portid);
    return 0;
  }
  if (tmp.tsas == NVMF_TCP_SECTYPE_NONE &&
      tmp.treq == NVMF_TREQ_SECURE_REQUIRED)
    return jerr (path, "'addr.treq' is 'required', but 'addr.tsas' is not "
                       "'tls1.3'");

  port = config_add_port ();
  if (!port)
    return -1;
  port->portid = tmp.portid;
  port->trtype = tmp.trtype;
  port->adrfam = tmp.adrfam;
  port->treq = tmp.treq;
  port->tsas = tmp.tsas;
  memcpy (port->traddr, tmp.traddr, sizeof port->traddr);
  memcpy (port->trsvcid, tmp.trsvcid, sizeof port->trsvcid);
  if (port->traddr[0] == '\0')
    return jerr (path, "'addr.traddr' is missing");
  if (port->trtype == NVME_ETH_TRTYPE) {
    if (eth_port_addr (port, path) == -1)
      return -1;
  }
  else {
    /* Check the address the way --listen does. */
    struct tgt_port chk;
    char buf[300];

    if (port->trsvcid[0] == '\0')
      snprintf (port->trsvcid, sizeof port->trsvcid, "4420");
    snprintf (buf, sizeof buf, strchr (port->traddr, ':') ? "[%s]:%s" : "%s:%s",
              port->traddr, port->trsvcid);
    if (parse_listen (buf, &chk) == -1)
      return jerr (path,
                   "'addr' must have a numeric IP address and port, "
                   "got '%s'",
                   buf);
    port->adrfam = chk.adrfam;
  }
  if (param) {
    if (get_uint (param, "inline_data_size", path, 0, 1 << 20, &v, &present) ==
        -1)
      return -1;
    if (present)
      port->inline_data_size = v;
  }
  n = subs ? json_object_array_length (subs) : 0;
  port->subsys = calloc (n ? n : 1, sizeof *port->subsys);
  if (!port->subsys)
    return jerr (path, "out of memory");
  for (i = 0; i < n; i++) {
    json_object *s = json_object_array_get_idx (subs, i);
    const char *nqn;
    size_t j;

    if (!json_object_is_type (s, json_type_string))
      return jerr (path, "'subsystems' must list subsystem NQNs");
    nqn = json_object_get_string (s);
    for (j = 0; j < cfg.nr_subsys; j++)
      if (strcmp (cfg.subsys[j]->nqn, nqn) == 0)
        break;
    if (j == cfg.nr_subsys)
      return jerr (path, "subsystem '%s' is not defined", nqn);
    port->subsys[port->nr_subsys++] = cfg.subsys[j];
  }
  if (refs && load_referrals (port, refs, path) == -1)
    return -1;
  if (anagrps && load_ana_groups (port, anagrps, path) == -1)
    return -1;
  return 0;
}

/* Parse the file with json-c, reporting where a syntax error is. */
static json_object *
parse_file (const char *file)
{
  json_tokener *tok;
  json_object *root;
  enum json_tokener_error err;
  FILE *fp;
  char *text = NULL;
  size_t len = 0, cap = 0, n;

  fp = fopen (file, "r");
  if (!fp) {
    fprintf (stderr, "nvmeof-target: %s: %s\n", file, strerror (errno));
    return NULL;
  }
  do {
    if (len == cap) {
      char *p;
      cap = cap ? cap * 2 : 65536;
      if (cap > (64u << 20) || !(p = realloc (text, cap))) {
        fprintf (stderr, "nvmeof-target: %s: too large\n", file);
        fclose (fp);
        free (text);
        return NULL;
      }
      text = p;
    }
    n = fread (text + len, 1, cap - len, fp);
    len += n;
  } while (n > 0);
  if (ferror (fp)) {
    fprintf (stderr, "nvmeof-target: %s: %s\n", file, strerror (errno));
    fclose (fp);
    free (text);
    return NULL;
  }
  fclose (fp);

  tok = json_tokener_new ();
  if (!tok) {
    free (text);
    return NULL;
  }
  root = json_tokener_parse_ex (tok, text ? text : "", len);
  err = json_tokener_get_error (tok);
  if (!root || err != json_tokener_success) {
    if (err == json_tokener_continue)
      fprintf (stderr,
               "nvmeof-target: %s: not valid JSON: unexpected end "
               "of file\n",
               file);
    else
      fprintf (stderr, "nvmeof-target: %s: not valid JSON: %s at byte %zu\n",
               file, json_tokener_error_desc (err),
               json_tokener_get_parse_end (tok));
    json_object_put (root);
    root = NULL;
  }
  else {
    size_t i;
    for (i = json_tokener_get_parse_end (tok); i < len; i++)
      if (!strchr (" \t\r\n", text[i]))
        break;
    if (i < len) {
      fprintf (stderr,
               "nvmeof-target: %s: not valid JSON: more text after "
               "the end, at byte %zu\n",
               file, i);
      json_object_put (root);
      root = NULL;
    }
  }
  json_tokener_free (tok);
  if (text)
    OPENSSL_cleanse (text, cap); /* it may hold secrets */
  free (text);
  return root;
}

int
config_load_json (const char *file)
{
  json_object *root, *list;
  size_t i, n;
  char p[64];
  int r = -1;

  cfgfile = file;
  root = parse_file (file);
  if (!root)
    return -1;
  if (!json_object_is_type (root, json_type_object)) {
    jerr ("top level", "must be an object");
    goto out;
  }
  if (get_typed (root, "hosts", "top level", json_type_array, &list) == -1)
    goto out;
  n = list ? json_object_array_length (list) : 0;
  for (i = 0; i < n; i++) {
    snprintf (p, sizeof p, "hosts[%zu]", i);
    if (auth_load_host (json_object_array_get_idx (list, i), p) == -1)
      goto out;
  }
  if (get_typed (root, "subsystems", "top level", json_type_array, &list) == -1)
    goto out;
  n = list ? json_object_array_length (list) : 0;
  for (i = 0; i < n; i++) {
    snprintf (p, sizeof p, "subsystems[%zu]", i);
    if (load_subsystem (json_object_array_get_idx (list, i), p) == -1)
      goto out;
  }
  if (get_typed (root, "ports", "top level", json_type_array, &list) == -1)
    goto out;
  n = list ? json_object_array_length (list) : 0;
  for (i = 0; i < n; i++) {
    snprintf (p, sizeof p, "ports[%zu]", i);
    if (load_port (json_object_array_get_idx (list, i), p) == -1)
      goto out;
  }
  auth_check_file_mode (file);
  r = 0;
out:
  json_object_put (root);
  return r;
}
