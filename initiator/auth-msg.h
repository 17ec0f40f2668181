/* SPDX-License-Identifier: BSD-3-Clause */
/* The messages of in-band authentication (AUTH_Negotiate, DH-HMAC-CHAP
 * Challenge, Reply, Success1, Success2, AUTH_Failure1/2): built and parsed
 * here for both ends, so that every received message passes one validator
 * (and one fuzz harness).  The layouts are in nvmf-wire.h. */
#ifndef NVMEOF_AUTH_MSG_H
#define NVMEOF_AUTH_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Largest message either end sends or accepts: a Reply with two SHA-512
 * values and an ffdhe8192 value (16 + 64 + 64 + 1024), with room to
 * spare. */
#define AUTH_MSG_MAX 1280
/* Identifier lists in a Negotiate protocol descriptor. */
#define AUTH_IDS_MAX 30

enum auth_msg_kind {
  AUTH_MSG_NEGOTIATE = 1,
  AUTH_MSG_CHALLENGE,
  AUTH_MSG_REPLY,
  AUTH_MSG_SUCCESS1,
  AUTH_MSG_SUCCESS2,
  AUTH_MSG_FAILURE1,
  AUTH_MSG_FAILURE2,
};

/* A parsed message.  Pointers point into the buffer that was parsed. */
struct auth_msg {
  enum auth_msg_kind kind;
  uint16_t t_id;
  union {
    struct {
      uint8_t sc_c;
      bool dhchap; /* a DH-HMAC-CHAP descriptor was offered */
      uint8_t hashes[AUTH_IDS_MAX];
      uint8_t nr_hashes;
      uint8_t dhgroups[AUTH_IDS_MAX];
      uint8_t nr_dhgroups;
    } negotiate;
    struct {
      uint8_t hashid, dhgid, hl;
      uint32_t seqnum;
      const uint8_t *c1;  /* hl bytes */
      const uint8_t *dhv; /* dhvlen bytes, NULL for the null group */
      uint16_t dhvlen;
    } challenge;
    struct {
      uint8_t hl;
      bool cvalid;
      uint32_t seqnum;
      const uint8_t *r1, *c2; /* hl bytes each (c2 zeroes if !cvalid) */
      const uint8_t *dhv;
      uint16_t dhvlen;
    } reply;
    struct {
      uint8_t hl;
      bool rvalid;
      const uint8_t *r2; /* hl bytes when rvalid */
    } success1;
    struct {
      uint8_t rc, rce;
    } failure;
  } u;
};

/* Parse and validate a received message: from_ctrl selects the messages a
 * host may receive (Challenge, Success1, Failure1) or a controller may
 * (Negotiate, Reply, Success2, Failure2).  Checks the type and id, the
 * length against every length field, known hash and DH group ids with
 * their lengths (hl equal to the hash's length, dhvlen to the group's),
 * and reserved values the specification fixes.  -1 with err naming the
 * field and its value. */
int auth_msg_parse (const uint8_t *buf, size_t len, bool from_ctrl,
                    struct auth_msg *msg, char *err, size_t errlen);

/* Build messages into buf (AUTH_MSG_MAX bytes); each returns the length.
 * auth_build_negotiate offers the given hashes and DH groups with
 * DH-HMAC-CHAP as the one protocol. */
size_t auth_build_negotiate (uint8_t *buf, uint16_t t_id, uint8_t sc_c,
                             const uint8_t *hashes, size_t nr_hashes,
                             const uint8_t *dhgroups, size_t nr_dhgroups);
size_t auth_build_challenge (uint8_t *buf, uint16_t t_id, uint8_t hashid,
                             uint8_t dhgid, uint32_t seqnum, const uint8_t *c1,
                             size_t hl, const uint8_t *dhv, size_t dhvlen);
/* c2 NULL: no controller authentication (cvalid 0, S2 0, C2 zeroes). */
size_t auth_build_reply (uint8_t *buf, uint16_t t_id, const uint8_t *r1,
                         size_t hl, const uint8_t *c2, uint32_t seqnum,
                         const uint8_t *dhv, size_t dhvlen);
/* r2 NULL: rvalid 0 (no controller authentication). */
size_t auth_build_success1 (uint8_t *buf, uint16_t t_id, const uint8_t *r2,
                            size_t hl);
size_t auth_build_success2 (uint8_t *buf, uint16_t t_id);
/* Failure1 (from the controller, ctrl true) or Failure2 (from the host). */
size_t auth_build_failure (uint8_t *buf, bool ctrl, uint16_t t_id, uint8_t rc,
                           uint8_t rce);

/* The message's name for errors ("DH-HMAC-CHAP_Challenge" ...). */
const char *auth_msg_name (enum auth_msg_kind kind);

#endif /* NVMEOF_AUTH_MSG_H */
