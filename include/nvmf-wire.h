/* SPDX-License-Identifier: BSD-3-Clause */
/* NVMe over Fabrics wire formats: the Fabrics commands (Property Set/Get,
 * Connect, Authentication Send/Receive, Disconnect), their status codes,
 * the in-band authentication (DH-HMAC-CHAP) message headers and the
 * Discovery log page.
 *
 * Follows the NVM Express over Fabrics Specification 1.1a section 3.3
 * (Fabrics commands) and 5.4 (Discovery log page), which NVM Express Base
 * Specification 2.0 sections 6 (Fabrics command set), 5.16.1.23 (Discovery
 * log page) and 8.13 (in-band authentication, TP 8006) now contain.  Offsets
 * cross-checked with protocol-notes.md sections 2.3, 2.4 and 3.
 * All multi-byte fields are little-endian (see wire-common.h).
 */
#ifndef NVMEOF_NVMF_WIRE_H
#define NVMEOF_NVMF_WIRE_H

#include <stdint.h>

#include "wire-common.h"
#include "nvme-wire.h"

/* Fabrics command types (SQE byte 4, opcode NVME_ADMIN_FABRICS). */
#define NVMF_FCTYPE_PROP_SET            0x00
#define NVMF_FCTYPE_CONNECT             0x01
#define NVMF_FCTYPE_PROP_GET            0x04
#define NVMF_FCTYPE_AUTH_SEND           0x05
#define NVMF_FCTYPE_AUTH_RECV           0x06
#define NVMF_FCTYPE_DISCONNECT          0x08

/* Fabrics command status (SCT 1, written as (SCT << 8) | SC like the
 * NVME_SC_* codes; meaningful for fabrics commands only). */
#define NVMF_SC_INCOMPATIBLE_FORMAT     0x180
#define NVMF_SC_CTRL_BUSY               0x181
#define NVMF_SC_CONNECT_INVALID_PARAM   0x182
#define NVMF_SC_CONNECT_RESTART_DISC    0x183
#define NVMF_SC_CONNECT_INVALID_HOST    0x184
#define NVMF_SC_INVALID_QUEUE_TYPE      0x185
#define NVMF_SC_DISCOVER_RESTART        0x190
#define NVMF_SC_AUTH_REQUIRED           0x191

/* Any fabrics command, for reading the fctype. */
struct nvmf_cmd {
  uint8_t opcode;               /* NVME_ADMIN_FABRICS */
  uint8_t flags;
  le16 cid;
  uint8_t fctype;
  uint8_t rsvd5[35];
  uint8_t specific[24];
} NVME_PACKED;
WIRE_SIZE (struct nvmf_cmd, 64);
WIRE_OFFSET (struct nvmf_cmd, opcode, 0);
WIRE_OFFSET (struct nvmf_cmd, flags, 1);
WIRE_OFFSET (struct nvmf_cmd, cid, 2);
WIRE_OFFSET (struct nvmf_cmd, fctype, 4);
WIRE_OFFSET (struct nvmf_cmd, rsvd5, 5);
WIRE_OFFSET (struct nvmf_cmd, specific, 40);

/* ------------------------------------------------------------------ */
/* Connect command (Fabrics 1.1a 3.3 Figure 20). */
struct nvmf_connect_cmd {
  uint8_t opcode;
  uint8_t flags;
  le16 cid;
  uint8_t fctype;
  uint8_t rsvd5[19];
  struct nvme_sgl_desc sgl1;    /* the 1024-byte nvmf_connect_data */
  le16 recfmt;                  /* 0 */
  le16 qid;                     /* 0 = admin queue */
  le16 sqsize;                  /* 0's based */
  uint8_t cattr;
  uint8_t rsvd47;
  le32 kato;                    /* ms; 0 disables keep alive */
  uint8_t rsvd52[12];
} NVME_PACKED;
WIRE_SIZE (struct nvmf_connect_cmd, 64);
WIRE_OFFSET (struct nvmf_connect_cmd, opcode, 0);
WIRE_OFFSET (struct nvmf_connect_cmd, flags, 1);
WIRE_OFFSET (struct nvmf_connect_cmd, cid, 2);
WIRE_OFFSET (struct nvmf_connect_cmd, fctype, 4);
WIRE_OFFSET (struct nvmf_connect_cmd, rsvd5, 5);
WIRE_OFFSET (struct nvmf_connect_cmd, sgl1, 24);
WIRE_OFFSET (struct nvmf_connect_cmd, recfmt, 40);
WIRE_OFFSET (struct nvmf_connect_cmd, qid, 42);
WIRE_OFFSET (struct nvmf_connect_cmd, sqsize, 44);
WIRE_OFFSET (struct nvmf_connect_cmd, cattr, 46);
WIRE_OFFSET (struct nvmf_connect_cmd, rsvd47, 47);
WIRE_OFFSET (struct nvmf_connect_cmd, kato, 48);
WIRE_OFFSET (struct nvmf_connect_cmd, rsvd52, 52);

#define NVMF_CATTR_PRIO_MASK            0x03
#define NVMF_CATTR_DISABLE_SQFLOW       (1 << 2)

#define NVMF_CONNECT_DATA_LEN           1024
#define NVMF_CNTLID_DYNAMIC             0xFFFF /* any dynamic controller */
#define NVMF_NQN_SIZE                   256    /* field size */
#define NVMF_NQN_MAX_LEN                223    /* bytes, excluding NUL */

/* Connect data (Fabrics 1.1a Figure 21): 1024 bytes. */
struct nvmf_connect_data {
  uint8_t hostid[16];
  le16 cntlid;
  uint8_t rsvd18[238];
  char subnqn[256];
  char hostnqn[256];
  uint8_t rsvd768[256];
} NVME_PACKED;
WIRE_SIZE (struct nvmf_connect_data, 1024);
WIRE_OFFSET (struct nvmf_connect_data, hostid, 0);
WIRE_OFFSET (struct nvmf_connect_data, cntlid, 16);
WIRE_OFFSET (struct nvmf_connect_data, rsvd18, 18);
WIRE_OFFSET (struct nvmf_connect_data, subnqn, 256);
WIRE_OFFSET (struct nvmf_connect_data, hostnqn, 512);
WIRE_OFFSET (struct nvmf_connect_data, rsvd768, 768);

/* Connect response DW0 on success: CNTLID[15:0], AUTHREQ[31:16]. */
#define NVMF_CONNECT_CNTLID(dw0)        ((dw0) & 0xFFFF)
#define NVMF_CONNECT_AUTHREQ_ATR        (1u << 17) /* authentication required */
#define NVMF_CONNECT_AUTHREQ_ASCR       (1u << 18) /* secure channel concat. */
/* Connect response DW0 with NVMF_SC_CONNECT_INVALID_PARAM: IPO[15:0] is the
 * byte offset of the bad field; IATTR bit 0 (dw0 bit 16) set = offset is in
 * the Connect data, clear = in the SQE. */
#define NVMF_CONNECT_IPO(dw0)           ((dw0) & 0xFFFF)
#define NVMF_CONNECT_IATTR_DATA         (1u << 16)

/* ------------------------------------------------------------------ */
/* Property Set / Get (Fabrics 1.1a 3.3 Figures 28, 26). */
#define NVMF_PROP_ATTRIB_SIZE_MASK      0x07
#define NVMF_PROP_SIZE_4                0
#define NVMF_PROP_SIZE_8                1

struct nvmf_prop_set_cmd {
  uint8_t opcode;
  uint8_t flags;
  le16 cid;
  uint8_t fctype;
  uint8_t rsvd5[35];
  uint8_t attrib;
  uint8_t rsvd41[3];
  le32 ofst;
  le64 value;
  uint8_t rsvd56[8];
} NVME_PACKED;
WIRE_SIZE (struct nvmf_prop_set_cmd, 64);
WIRE_OFFSET (struct nvmf_prop_set_cmd, opcode, 0);
WIRE_OFFSET (struct nvmf_prop_set_cmd, flags, 1);
WIRE_OFFSET (struct nvmf_prop_set_cmd, cid, 2);
WIRE_OFFSET (struct nvmf_prop_set_cmd, fctype, 4);
WIRE_OFFSET (struct nvmf_prop_set_cmd, rsvd5, 5);
WIRE_OFFSET (struct nvmf_prop_set_cmd, attrib, 40);
WIRE_OFFSET (struct nvmf_prop_set_cmd, rsvd41, 41);
WIRE_OFFSET (struct nvmf_prop_set_cmd, ofst, 44);
WIRE_OFFSET (struct nvmf_prop_set_cmd, value, 48);
WIRE_OFFSET (struct nvmf_prop_set_cmd, rsvd56, 56);

/* Property Get: the value comes back in CQE DW0 (and DW1 for 8 bytes). */
struct nvmf_prop_get_cmd {
  uint8_t opcode;
  uint8_t flags;
  le16 cid;
  uint8_t fctype;
  uint8_t rsvd5[35];
  uint8_t attrib;
  uint8_t rsvd41[3];
  le32 ofst;
  uint8_t rsvd48[16];
} NVME_PACKED;
WIRE_SIZE (struct nvmf_prop_get_cmd, 64);
WIRE_OFFSET (struct nvmf_prop_get_cmd, opcode, 0);
WIRE_OFFSET (struct nvmf_prop_get_cmd, flags, 1);
WIRE_OFFSET (struct nvmf_prop_get_cmd, cid, 2);
WIRE_OFFSET (struct nvmf_prop_get_cmd, fctype, 4);
WIRE_OFFSET (struct nvmf_prop_get_cmd, rsvd5, 5);
WIRE_OFFSET (struct nvmf_prop_get_cmd, attrib, 40);
WIRE_OFFSET (struct nvmf_prop_get_cmd, rsvd41, 41);
WIRE_OFFSET (struct nvmf_prop_get_cmd, ofst, 44);
WIRE_OFFSET (struct nvmf_prop_get_cmd, rsvd48, 48);

/* ------------------------------------------------------------------ */
/* Disconnect (Fabrics 1.1a 3.3, deletes the I/O queue it is sent on). */
struct nvmf_disconnect_cmd {
  uint8_t opcode;
  uint8_t flags;
  le16 cid;
  uint8_t fctype;
  uint8_t rsvd5[19];
  struct nvme_sgl_desc sgl1;    /* unused */
  le16 recfmt;                  /* 0 */
  uint8_t rsvd42[22];
} NVME_PACKED;
WIRE_SIZE (struct nvmf_disconnect_cmd, 64);
WIRE_OFFSET (struct nvmf_disconnect_cmd, opcode, 0);
WIRE_OFFSET (struct nvmf_disconnect_cmd, flags, 1);
WIRE_OFFSET (struct nvmf_disconnect_cmd, cid, 2);
WIRE_OFFSET (struct nvmf_disconnect_cmd, fctype, 4);
WIRE_OFFSET (struct nvmf_disconnect_cmd, rsvd5, 5);
WIRE_OFFSET (struct nvmf_disconnect_cmd, sgl1, 24);
WIRE_OFFSET (struct nvmf_disconnect_cmd, recfmt, 40);
WIRE_OFFSET (struct nvmf_disconnect_cmd, rsvd42, 42);

/* ------------------------------------------------------------------ */
/* Authentication Send / Receive (Base 2.0 6.2, 6.3): CDW10 holds
 * rsvd[7:0] SPSP0[15:8] SPSP1[23:16] SECP[31:24]; CDW11 is TL (send) or
 * AL (receive), the payload length in bytes, described by sgl1. */
struct nvmf_auth_cmd {
  uint8_t opcode;
  uint8_t flags;
  le16 cid;
  uint8_t fctype;               /* AUTH_SEND or AUTH_RECV */
  uint8_t rsvd5[19];
  struct nvme_sgl_desc sgl1;
  uint8_t rsvd40;
  uint8_t spsp0;
  uint8_t spsp1;
  uint8_t secp;
  union {
    le32 tl;                    /* transfer length (send) */
    le32 al;                    /* allocation length (receive) */
  } NVME_PACKED;
  uint8_t rsvd48[16];
} NVME_PACKED;
WIRE_SIZE (struct nvmf_auth_cmd, 64);
WIRE_OFFSET (struct nvmf_auth_cmd, opcode, 0);
WIRE_OFFSET (struct nvmf_auth_cmd, flags, 1);
WIRE_OFFSET (struct nvmf_auth_cmd, cid, 2);
WIRE_OFFSET (struct nvmf_auth_cmd, fctype, 4);
WIRE_OFFSET (struct nvmf_auth_cmd, rsvd5, 5);
WIRE_OFFSET (struct nvmf_auth_cmd, sgl1, 24);
WIRE_OFFSET (struct nvmf_auth_cmd, rsvd40, 40);
WIRE_OFFSET (struct nvmf_auth_cmd, spsp0, 41);
WIRE_OFFSET (struct nvmf_auth_cmd, spsp1, 42);
WIRE_OFFSET (struct nvmf_auth_cmd, secp, 43);
WIRE_OFFSET (struct nvmf_auth_cmd, tl, 44);
WIRE_OFFSET (struct nvmf_auth_cmd, al, 44);
WIRE_OFFSET (struct nvmf_auth_cmd, rsvd48, 48);

/* Security protocol for in-band authentication. */
#define NVMF_AUTH_SECP_NVME             0xE9
#define NVMF_AUTH_SPSP0                 0x01
#define NVMF_AUTH_SPSP1                 0x01

/* Message classes (auth_type) and message ids (auth_id). */
#define NVMF_AUTH_TYPE_COMMON           0x00
#define NVMF_AUTH_TYPE_DHCHAP           0x01
#define NVMF_AUTH_ID_NEGOTIATE          0x00 /* common */
#define NVMF_AUTH_ID_DHCHAP_CHALLENGE   0x01
#define NVMF_AUTH_ID_DHCHAP_REPLY       0x02
#define NVMF_AUTH_ID_DHCHAP_SUCCESS1    0x03
#define NVMF_AUTH_ID_DHCHAP_SUCCESS2    0x04
#define NVMF_AUTH_ID_FAILURE2           0xF0 /* common, host -> controller */
#define NVMF_AUTH_ID_FAILURE1           0xF1 /* common, controller -> host */
/* Protocol identifier in the negotiate descriptors. */
#define NVMF_AUTH_PROTO_DHCHAP          0x01
/* SC_C: secure channel concatenation (NVMe Base 2.1; Linux's
 * NVME_AUTH_SECP_*, libnvme's NVMF_AUTH_SCC_*).  01h was Base 2.0's "SC",
 * now obsolete: NEWTLSPSK is 02h. */
#define NVMF_AUTH_SCC_NONE              0x00
#define NVMF_AUTH_SCC_OBSOLETE          0x01
#define NVMF_AUTH_SCC_NEW_TLS_PSK       0x02
#define NVMF_AUTH_SCC_REPLACE_TLS_PSK   0x03
/* Hash function identifiers. */
#define NVMF_AUTH_HASH_SHA256           0x01
#define NVMF_AUTH_HASH_SHA384           0x02
#define NVMF_AUTH_HASH_SHA512           0x03
/* Diffie-Hellman group identifiers (RFC 7919 groups). */
#define NVMF_AUTH_DHGROUP_NULL          0x00
#define NVMF_AUTH_DHGROUP_2048          0x01
#define NVMF_AUTH_DHGROUP_3072          0x02
#define NVMF_AUTH_DHGROUP_4096          0x03
#define NVMF_AUTH_DHGROUP_6144          0x04
#define NVMF_AUTH_DHGROUP_8192          0x05
/* Failure reason code and explanations. */
#define NVMF_AUTH_RC_FAILED             0x01
#define NVMF_AUTH_RCE_FAILED            0x01
#define NVMF_AUTH_RCE_PROTO_UNUSABLE    0x02
#define NVMF_AUTH_RCE_SCC_MISMATCH      0x03
#define NVMF_AUTH_RCE_HASH_UNUSABLE     0x04
#define NVMF_AUTH_RCE_DHGROUP_UNUSABLE  0x05
#define NVMF_AUTH_RCE_INCORRECT_PAYLOAD 0x06
#define NVMF_AUTH_RCE_INCORRECT_PROTO   0x07

/* AUTH_Negotiate: header, then napd nvmf_auth_proto_desc. */
struct nvmf_auth_negotiate {
  uint8_t auth_type;            /* NVMF_AUTH_TYPE_COMMON */
  uint8_t auth_id;              /* NVMF_AUTH_ID_NEGOTIATE */
  uint8_t rsvd2[2];
  le16 t_id;
  uint8_t sc_c;
  uint8_t napd;
} NVME_PACKED;
WIRE_SIZE (struct nvmf_auth_negotiate, 8);
WIRE_OFFSET (struct nvmf_auth_negotiate, auth_type, 0);
WIRE_OFFSET (struct nvmf_auth_negotiate, auth_id, 1);
WIRE_OFFSET (struct nvmf_auth_negotiate, rsvd2, 2);
WIRE_OFFSET (struct nvmf_auth_negotiate, t_id, 4);
WIRE_OFFSET (struct nvmf_auth_negotiate, sc_c, 6);
WIRE_OFFSET (struct nvmf_auth_negotiate, napd, 7);

#define NVMF_AUTH_IDLIST_HALF           30
struct nvmf_auth_proto_desc {
  uint8_t authid;               /* NVMF_AUTH_PROTO_DHCHAP */
  uint8_t rsvd1;
  uint8_t halen;                /* number of hash ids in idlist[0..29] */
  uint8_t dhlen;                /* number of DH group ids in idlist[30..59] */
  uint8_t idlist[60];
} NVME_PACKED;
WIRE_SIZE (struct nvmf_auth_proto_desc, 64);
WIRE_OFFSET (struct nvmf_auth_proto_desc, authid, 0);
WIRE_OFFSET (struct nvmf_auth_proto_desc, rsvd1, 1);
WIRE_OFFSET (struct nvmf_auth_proto_desc, halen, 2);
WIRE_OFFSET (struct nvmf_auth_proto_desc, dhlen, 3);
WIRE_OFFSET (struct nvmf_auth_proto_desc, idlist, 4);

/* DH-HMAC-CHAP_Challenge: header, then C1[hl], then DH value[dhvlen]. */
struct nvmf_dhchap_challenge {
  uint8_t auth_type;
  uint8_t auth_id;
  uint8_t rsvd2[2];
  le16 t_id;
  uint8_t hl;
  uint8_t rsvd7;
  uint8_t hashid;
  uint8_t dhgid;
  le16 dhvlen;
  le32 seqnum;
} NVME_PACKED;
WIRE_SIZE (struct nvmf_dhchap_challenge, 16);
WIRE_OFFSET (struct nvmf_dhchap_challenge, auth_type, 0);
WIRE_OFFSET (struct nvmf_dhchap_challenge, auth_id, 1);
WIRE_OFFSET (struct nvmf_dhchap_challenge, rsvd2, 2);
WIRE_OFFSET (struct nvmf_dhchap_challenge, t_id, 4);
WIRE_OFFSET (struct nvmf_dhchap_challenge, hl, 6);
WIRE_OFFSET (struct nvmf_dhchap_challenge, rsvd7, 7);
WIRE_OFFSET (struct nvmf_dhchap_challenge, hashid, 8);
WIRE_OFFSET (struct nvmf_dhchap_challenge, dhgid, 9);
WIRE_OFFSET (struct nvmf_dhchap_challenge, dhvlen, 10);
WIRE_OFFSET (struct nvmf_dhchap_challenge, seqnum, 12);

/* DH-HMAC-CHAP_Reply: header, then R1[hl], C2[hl], DH value[dhvlen]. */
struct nvmf_dhchap_reply {
  uint8_t auth_type;
  uint8_t auth_id;
  uint8_t rsvd2[2];
  le16 t_id;
  uint8_t hl;
  uint8_t rsvd7;
  uint8_t cvalid;               /* 1 = C2 valid (controller authentication) */
  uint8_t rsvd9;
  le16 dhvlen;
  le32 seqnum;                  /* S2; 0 if no controller authentication */
} NVME_PACKED;
WIRE_SIZE (struct nvmf_dhchap_reply, 16);
WIRE_OFFSET (struct nvmf_dhchap_reply, auth_type, 0);
WIRE_OFFSET (struct nvmf_dhchap_reply, auth_id, 1);
WIRE_OFFSET (struct nvmf_dhchap_reply, rsvd2, 2);
WIRE_OFFSET (struct nvmf_dhchap_reply, t_id, 4);
WIRE_OFFSET (struct nvmf_dhchap_reply, hl, 6);
WIRE_OFFSET (struct nvmf_dhchap_reply, rsvd7, 7);
WIRE_OFFSET (struct nvmf_dhchap_reply, cvalid, 8);
WIRE_OFFSET (struct nvmf_dhchap_reply, rsvd9, 9);
WIRE_OFFSET (struct nvmf_dhchap_reply, dhvlen, 10);
WIRE_OFFSET (struct nvmf_dhchap_reply, seqnum, 12);

/* DH-HMAC-CHAP_Success1: header, then R2[hl]. */
struct nvmf_dhchap_success1 {
  uint8_t auth_type;
  uint8_t auth_id;
  uint8_t rsvd2[2];
  le16 t_id;
  uint8_t hl;
  uint8_t rsvd7;
  uint8_t rvalid;               /* 1 = R2 valid */
  uint8_t rsvd9[7];
} NVME_PACKED;
WIRE_SIZE (struct nvmf_dhchap_success1, 16);
WIRE_OFFSET (struct nvmf_dhchap_success1, auth_type, 0);
WIRE_OFFSET (struct nvmf_dhchap_success1, auth_id, 1);
WIRE_OFFSET (struct nvmf_dhchap_success1, rsvd2, 2);
WIRE_OFFSET (struct nvmf_dhchap_success1, t_id, 4);
WIRE_OFFSET (struct nvmf_dhchap_success1, hl, 6);
WIRE_OFFSET (struct nvmf_dhchap_success1, rsvd7, 7);
WIRE_OFFSET (struct nvmf_dhchap_success1, rvalid, 8);
WIRE_OFFSET (struct nvmf_dhchap_success1, rsvd9, 9);

/* DH-HMAC-CHAP_Success2 (host -> controller, bidirectional only). */
struct nvmf_dhchap_success2 {
  uint8_t auth_type;
  uint8_t auth_id;
  uint8_t rsvd2[2];
  le16 t_id;
  uint8_t rsvd6[10];
} NVME_PACKED;
WIRE_SIZE (struct nvmf_dhchap_success2, 16);
WIRE_OFFSET (struct nvmf_dhchap_success2, auth_type, 0);
WIRE_OFFSET (struct nvmf_dhchap_success2, auth_id, 1);
WIRE_OFFSET (struct nvmf_dhchap_success2, rsvd2, 2);
WIRE_OFFSET (struct nvmf_dhchap_success2, t_id, 4);
WIRE_OFFSET (struct nvmf_dhchap_success2, rsvd6, 6);

/* AUTH_Failure1 / AUTH_Failure2. */
struct nvmf_auth_failure {
  uint8_t auth_type;            /* NVMF_AUTH_TYPE_COMMON */
  uint8_t auth_id;              /* FAILURE1 or FAILURE2 */
  uint8_t rsvd2[2];
  le16 t_id;
  uint8_t rc;
  uint8_t rce;
} NVME_PACKED;
WIRE_SIZE (struct nvmf_auth_failure, 8);
WIRE_OFFSET (struct nvmf_auth_failure, auth_type, 0);
WIRE_OFFSET (struct nvmf_auth_failure, auth_id, 1);
WIRE_OFFSET (struct nvmf_auth_failure, rsvd2, 2);
WIRE_OFFSET (struct nvmf_auth_failure, t_id, 4);
WIRE_OFFSET (struct nvmf_auth_failure, rc, 6);
WIRE_OFFSET (struct nvmf_auth_failure, rce, 7);

/* ------------------------------------------------------------------ */
/* Discovery log page (LID 0x70; Fabrics 1.1a 5.4 Figures 38, 39): a
 * 1024-byte header followed by NUMREC 1024-byte entries. */
#define NVMF_DISCOVERY_NQN              "nqn.2014-08.org.nvmexpress.discovery"
#define NVMF_DISC_PORT                  8009
#define NVMF_DEFAULT_PORT               4420

/* Get Log Page LSP bits for the discovery log. */
#define NVMF_DISC_LSP_EXTDLPE           (1u << 0)
#define NVMF_DISC_LSP_PLEO              (1u << 1)
#define NVMF_DISC_LSP_ALLSUBE           (1u << 2)

struct nvmf_disc_log_hdr {
  le64 genctr;
  le64 numrec;
  le16 recfmt;
  uint8_t rsvd18[1006];
} NVME_PACKED;
WIRE_SIZE (struct nvmf_disc_log_hdr, 1024);
WIRE_OFFSET (struct nvmf_disc_log_hdr, genctr, 0);
WIRE_OFFSET (struct nvmf_disc_log_hdr, numrec, 8);
WIRE_OFFSET (struct nvmf_disc_log_hdr, recfmt, 16);
WIRE_OFFSET (struct nvmf_disc_log_hdr, rsvd18, 18);

struct nvmf_disc_log_entry {
  uint8_t trtype;
  uint8_t adrfam;
  uint8_t subtype;
  uint8_t treq;
  le16 portid;
  le16 cntlid;
  le16 asqsz;
  le16 eflags;
  uint8_t rsvd12[20];
  char trsvcid[32];             /* space padded, not NUL terminated */
  uint8_t rsvd64[192];
  char subnqn[256];             /* NUL terminated (NQN rules) */
  char traddr[256];             /* space padded, not NUL terminated */
  union {
    uint8_t raw[256];
    struct {
      uint8_t sectype;
      uint8_t rsvd1[255];
    } NVME_PACKED tcp;
  } NVME_PACKED tsas;
} NVME_PACKED;
WIRE_SIZE (struct nvmf_disc_log_entry, 1024);
WIRE_OFFSET (struct nvmf_disc_log_entry, trtype, 0);
WIRE_OFFSET (struct nvmf_disc_log_entry, adrfam, 1);
WIRE_OFFSET (struct nvmf_disc_log_entry, subtype, 2);
WIRE_OFFSET (struct nvmf_disc_log_entry, treq, 3);
WIRE_OFFSET (struct nvmf_disc_log_entry, portid, 4);
WIRE_OFFSET (struct nvmf_disc_log_entry, cntlid, 6);
WIRE_OFFSET (struct nvmf_disc_log_entry, asqsz, 8);
WIRE_OFFSET (struct nvmf_disc_log_entry, eflags, 10);
WIRE_OFFSET (struct nvmf_disc_log_entry, rsvd12, 12);
WIRE_OFFSET (struct nvmf_disc_log_entry, trsvcid, 32);
WIRE_OFFSET (struct nvmf_disc_log_entry, rsvd64, 64);
WIRE_OFFSET (struct nvmf_disc_log_entry, subnqn, 256);
WIRE_OFFSET (struct nvmf_disc_log_entry, traddr, 512);
WIRE_OFFSET (struct nvmf_disc_log_entry, tsas, 768);
WIRE_OFFSET (struct nvmf_disc_log_entry, tsas.tcp.sectype, 768);

/* TRTYPE */
#define NVMF_TRTYPE_RDMA                1
#define NVMF_TRTYPE_FC                  2
#define NVMF_TRTYPE_TCP                 3
#define NVMF_TRTYPE_LOOP                254 /* intra-host */
/* ADRFAM */
#define NVMF_ADRFAM_IPV4                1
#define NVMF_ADRFAM_IPV6                2
#define NVMF_ADRFAM_IB                  3
#define NVMF_ADRFAM_FC                  4
#define NVMF_ADRFAM_LOOP                254
/* SUBTYPE */
#define NVMF_SUBTYPE_REFERRAL           1 /* another discovery service */
#define NVMF_SUBTYPE_NVM                2
#define NVMF_SUBTYPE_CURRENT_DISC       3 /* this discovery subsystem */
/* TREQ: secure channel [1:0], SQ flow control disable supported bit 2. */
#define NVMF_TREQ_SECURE_MASK           0x03
#define NVMF_TREQ_SECURE_NOT_SPECIFIED  0x00
#define NVMF_TREQ_SECURE_REQUIRED       0x01
#define NVMF_TREQ_SECURE_NOT_REQUIRED   0x02
#define NVMF_TREQ_DISABLE_SQFLOW        (1u << 2)
/* EFLAGS */
#define NVMF_EFLAGS_DUPRETINFO          (1u << 0)
#define NVMF_EFLAGS_EPCSD               (1u << 1)
#define NVMF_EFLAGS_NCC                 (1u << 2)
/* TSAS for TCP: SECTYPE. */
#define NVMF_TCP_SECTYPE_NONE           0
#define NVMF_TCP_SECTYPE_TLS12          1
#define NVMF_TCP_SECTYPE_TLS13          2

#endif /* NVMEOF_NVMF_WIRE_H */
