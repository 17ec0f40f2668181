/* SPDX-License-Identifier: BSD-3-Clause */
/* NVMe base wire formats: submission/completion queue entries, SGL
 * descriptors, opcodes, status codes, Identify Controller/Namespace, DSM
 * ranges, log pages, features and controller properties.
 *
 * Follows the NVM Express Base Specification 2.0 (section 3.1.4 controller
 * properties, 4.1 SQE/CQE, 4.4 SGLs, 5.14 Get Log Page, 5.17 Identify,
 * 5.27 Set Features) and the NVM Command Set Specification 1.0 (3.2 I/O
 * commands, 4.1.5 Identify Namespace).  Offsets cross-checked against the
 * notes in /work/shared/reference/protocol-notes.md sections 2.2 and 2.4.
 *
 * Everything is little-endian (see wire-common.h).  Status codes are written
 * as (SCT << 8) | SC so that they compare directly with
 * NVME_STATUS_CODE (nvme_cqe_status (cqe)).
 */
#ifndef NVMEOF_NVME_WIRE_H
#define NVMEOF_NVME_WIRE_H

#include <stdbool.h>
#include <stdint.h>

#include "wire-common.h"

/* ------------------------------------------------------------------ */
/* SGL descriptor (Base 2.0 4.4): 16 bytes, identifier byte 15 =
 * type << 4 | subtype. */
struct nvme_sgl_desc {
  le64 addr;                    /* address, or offset for the Offset subtype */
  le32 length;
  uint8_t rsvd12[3];
  uint8_t id;                   /* SGL identifier: type[7:4], subtype[3:0] */
} NVME_PACKED;
WIRE_SIZE (struct nvme_sgl_desc, 16);
WIRE_OFFSET (struct nvme_sgl_desc, addr, 0);
WIRE_OFFSET (struct nvme_sgl_desc, length, 8);
WIRE_OFFSET (struct nvme_sgl_desc, rsvd12, 12);
WIRE_OFFSET (struct nvme_sgl_desc, id, 15);

#define NVME_SGL_TYPE_DATA_BLOCK        0x0
#define NVME_SGL_TYPE_BIT_BUCKET        0x1
#define NVME_SGL_TYPE_SEGMENT           0x2
#define NVME_SGL_TYPE_LAST_SEGMENT      0x3
#define NVME_SGL_TYPE_KEYED_DATA_BLOCK  0x4
#define NVME_SGL_TYPE_TRANSPORT_DATA    0x5
#define NVME_SGL_SUBTYPE_ADDRESS        0x0
#define NVME_SGL_SUBTYPE_OFFSET         0x1
#define NVME_SGL_SUBTYPE_TRANSPORT      0xA
#define NVME_SGL_ID(type, subtype)      ((uint8_t) (((type) << 4) | (subtype)))
#define NVME_SGL_ID_TYPE(id)            (((id) >> 4) & 0xF)
#define NVME_SGL_ID_SUBTYPE(id)         ((id) & 0xF)
/* Data Block + Offset: in-capsule data (address = offset into it). */
#define NVME_SGL_ID_DATA_OFFSET         0x01
/* Transport SGL Data Block + Transport: data moved by R2T/H2CData/C2HData. */
#define NVME_SGL_ID_TRANSPORT           0x5A

/* ------------------------------------------------------------------ */
/* Submission queue entry (Base 2.0 4.1): 64 bytes. */
struct nvme_sqe {
  uint8_t opcode;
  uint8_t flags;                /* FUSE[1:0], PSDT[7:6] */
  le16 cid;
  le32 nsid;
  le32 cdw2;
  le32 cdw3;
  le64 mptr;
  union {
    struct nvme_sgl_desc sgl;   /* PSDT = SGL (always over fabrics) */
    struct {
      le64 prp1;
      le64 prp2;
    } NVME_PACKED prp;
    uint8_t bytes[16];
  } NVME_PACKED dptr;
  le32 cdw10;
  le32 cdw11;
  le32 cdw12;
  le32 cdw13;
  le32 cdw14;
  le32 cdw15;
} NVME_PACKED;
WIRE_SIZE (struct nvme_sqe, 64);
WIRE_OFFSET (struct nvme_sqe, opcode, 0);
WIRE_OFFSET (struct nvme_sqe, flags, 1);
WIRE_OFFSET (struct nvme_sqe, cid, 2);
WIRE_OFFSET (struct nvme_sqe, nsid, 4);
WIRE_OFFSET (struct nvme_sqe, cdw2, 8);
WIRE_OFFSET (struct nvme_sqe, cdw3, 12);
WIRE_OFFSET (struct nvme_sqe, mptr, 16);
WIRE_OFFSET (struct nvme_sqe, dptr, 24);
WIRE_OFFSET (struct nvme_sqe, dptr.sgl, 24);
WIRE_OFFSET (struct nvme_sqe, dptr.sgl.id, 39);
WIRE_OFFSET (struct nvme_sqe, dptr.prp.prp1, 24);
WIRE_OFFSET (struct nvme_sqe, dptr.prp.prp2, 32);
WIRE_OFFSET (struct nvme_sqe, cdw10, 40);
WIRE_OFFSET (struct nvme_sqe, cdw11, 44);
WIRE_OFFSET (struct nvme_sqe, cdw12, 48);
WIRE_OFFSET (struct nvme_sqe, cdw13, 52);
WIRE_OFFSET (struct nvme_sqe, cdw14, 56);
WIRE_OFFSET (struct nvme_sqe, cdw15, 60);

/* SQE flags (CDW0 bits 15:8). */
#define NVME_CMD_FLAGS_FUSE_MASK        0x03
#define NVME_CMD_FLAGS_FUSE_FIRST       0x01
#define NVME_CMD_FLAGS_FUSE_SECOND      0x02
#define NVME_CMD_FLAGS_PSDT_MASK        0xC0
#define NVME_CMD_FLAGS_PSDT_PRP         0x00
#define NVME_CMD_FLAGS_PSDT_SGL         (1 << 6) /* SGL, MPTR contiguous */
#define NVME_CMD_FLAGS_PSDT_SGL_MPTR    (2 << 6) /* SGL, MPTR is an SGL */

/* Broadcast namespace id (Flush, Get Log Page ...). */
#define NVME_NSID_ALL                   0xFFFFFFFFu

/* ------------------------------------------------------------------ */
/* Completion queue entry (Base 2.0 4.2.1): 16 bytes. */
struct nvme_cqe {
  le32 dw0;                     /* command specific result */
  le32 dw1;
  le16 sqhd;
  le16 sqid;
  le16 cid;
  le16 status;                  /* P bit 0, status field bits 15:1 */
} NVME_PACKED;
WIRE_SIZE (struct nvme_cqe, 16);
WIRE_OFFSET (struct nvme_cqe, dw0, 0);
WIRE_OFFSET (struct nvme_cqe, dw1, 4);
WIRE_OFFSET (struct nvme_cqe, sqhd, 8);
WIRE_OFFSET (struct nvme_cqe, sqid, 10);
WIRE_OFFSET (struct nvme_cqe, cid, 12);
WIRE_OFFSET (struct nvme_cqe, status, 14);

#define NVME_CQE_PHASE                  0x0001 /* bit 0 of the status word */

/* The 15-bit status field, i.e. the CQE status word shifted right by one. */
static inline uint16_t
nvme_cqe_status (const struct nvme_cqe *cqe)
{
  return GET16 (cqe->status) >> 1;
}

/* Status field layout (Base 2.0 Figure 93). */
#define NVME_STATUS_SC_MASK             0x00FF
#define NVME_STATUS_SCT_SHIFT           8
#define NVME_STATUS_SCT_MASK            0x0700
#define NVME_STATUS_CRD_SHIFT           11
#define NVME_STATUS_CRD_MASK            0x1800
#define NVME_STATUS_MORE                0x2000
#define NVME_STATUS_DNR                 0x4000
#define NVME_STATUS_SC(s)               ((s) & NVME_STATUS_SC_MASK)
#define NVME_STATUS_SCT(s) \
  (((s) & NVME_STATUS_SCT_MASK) >> NVME_STATUS_SCT_SHIFT)
#define NVME_STATUS_CRD(s) \
  (((s) & NVME_STATUS_CRD_MASK) >> NVME_STATUS_CRD_SHIFT)
/* (SCT << 8) | SC, comparable with the NVME_SC_* / NVMF_SC_* codes. */
#define NVME_STATUS_CODE(s)             ((s) & 0x07FF)
#define NVME_SC(sct, sc)                ((uint16_t) (((sct) << 8) | (sc)))

/* Status code types. */
#define NVME_SCT_GENERIC                0x0
#define NVME_SCT_CMD_SPECIFIC           0x1
#define NVME_SCT_MEDIA                  0x2
#define NVME_SCT_PATH                   0x3
#define NVME_SCT_VENDOR                 0x7

/* Generic command status (SCT 0; Base 2.0 Figure 94, NVM CS 1.0 Fig. 12). */
#define NVME_SC_SUCCESS                 0x000
#define NVME_SC_INVALID_OPCODE          0x001
#define NVME_SC_INVALID_FIELD           0x002
#define NVME_SC_CID_CONFLICT            0x003
#define NVME_SC_DATA_XFER_ERROR         0x004
#define NVME_SC_ABORTED_POWER_LOSS      0x005
#define NVME_SC_INTERNAL                0x006
#define NVME_SC_ABORT_REQUESTED         0x007
#define NVME_SC_ABORTED_SQ_DELETED      0x008
#define NVME_SC_ABORTED_FAILED_FUSED    0x009
#define NVME_SC_ABORTED_MISSING_FUSED   0x00A
#define NVME_SC_INVALID_NS              0x00B /* invalid namespace or format */
#define NVME_SC_CMD_SEQ_ERROR           0x00C
#define NVME_SC_INVALID_SGL_SEG_DESC    0x00D
#define NVME_SC_INVALID_NUM_SGL_DESC    0x00E
#define NVME_SC_DATA_SGL_LEN_INVALID    0x00F
#define NVME_SC_MD_SGL_LEN_INVALID      0x010
#define NVME_SC_SGL_DESC_TYPE_INVALID   0x011
#define NVME_SC_INVALID_CMB_USE         0x012
#define NVME_SC_PRP_OFFSET_INVALID      0x013
#define NVME_SC_ATOMIC_WU_EXCEEDED      0x014
#define NVME_SC_OPERATION_DENIED        0x015
#define NVME_SC_SGL_OFFSET_INVALID      0x016
#define NVME_SC_HOSTID_INCONSISTENT     0x018
#define NVME_SC_KA_TIMER_EXPIRED        0x019
#define NVME_SC_KA_TIMEOUT_INVALID      0x01A
#define NVME_SC_ABORTED_PREEMPT         0x01B
#define NVME_SC_SANITIZE_FAILED         0x01C
#define NVME_SC_SANITIZE_IN_PROGRESS    0x01D
#define NVME_SC_SGL_GRANULARITY_INVALID 0x01E
#define NVME_SC_CMD_NOT_SUP_CMB_QUEUE   0x01F
#define NVME_SC_NS_WRITE_PROTECTED      0x020
#define NVME_SC_CMD_INTERRUPTED         0x021
#define NVME_SC_TRANSIENT_TRANSPORT     0x022
#define NVME_SC_LBA_RANGE               0x080 /* LBA out of range */
#define NVME_SC_CAP_EXCEEDED            0x081
#define NVME_SC_NS_NOT_READY            0x082
#define NVME_SC_RESERVATION_CONFLICT    0x083
#define NVME_SC_FORMAT_IN_PROGRESS      0x084

/* Command specific status (SCT 1; Base 2.0 Figure 95). */
#define NVME_SC_CQ_INVALID              0x100
#define NVME_SC_INVALID_QID             0x101
#define NVME_SC_INVALID_QUEUE_SIZE      0x102
#define NVME_SC_ABORT_LIMIT             0x103
#define NVME_SC_AER_LIMIT               0x105
#define NVME_SC_INVALID_FW_SLOT         0x106
#define NVME_SC_INVALID_FW_IMAGE        0x107
#define NVME_SC_INVALID_VECTOR          0x108
#define NVME_SC_INVALID_LOG_PAGE        0x109
#define NVME_SC_INVALID_FORMAT          0x10A
#define NVME_SC_INVALID_QUEUE_DELETION  0x10C
#define NVME_SC_FEATURE_NOT_SAVEABLE    0x10D
#define NVME_SC_FEATURE_NOT_CHANGEABLE  0x10E
#define NVME_SC_FEATURE_NOT_PER_NS      0x10F
#define NVME_SC_NS_INSUFFICIENT_CAP     0x115
#define NVME_SC_NS_ID_UNAVAILABLE       0x116
#define NVME_SC_NS_ALREADY_ATTACHED     0x118
#define NVME_SC_NS_IS_PRIVATE           0x119
#define NVME_SC_NS_NOT_ATTACHED         0x11A
#define NVME_SC_INVALID_CTRL_ID         0x11F
#define NVME_SC_ANA_GROUP_ID_INVALID    0x124
#define NVME_SC_ANA_ATTACH_FAILED       0x125
/* NVM command set specific (same SCT; the Fabrics codes in nvmf-wire.h
 * reuse 0x180.. for fabrics commands). */
#define NVME_SC_CONFLICTING_ATTRS       0x180
#define NVME_SC_INVALID_PI              0x181
#define NVME_SC_READ_ONLY               0x182 /* write to read only range */

/* Media and data integrity errors (SCT 2; NVM CS 1.0 Figure 13). */
#define NVME_SC_WRITE_FAULT             0x280
#define NVME_SC_UNRECOVERED_READ        0x281
#define NVME_SC_GUARD_CHECK             0x282
#define NVME_SC_APPTAG_CHECK            0x283
#define NVME_SC_REFTAG_CHECK            0x284
#define NVME_SC_COMPARE_FAILED          0x285
#define NVME_SC_ACCESS_DENIED           0x286
#define NVME_SC_UNWRITTEN_BLOCK         0x287

/* Path related status (SCT 3; Base 2.0 Figure 97). */
#define NVME_SC_INTERNAL_PATH_ERROR     0x300
#define NVME_SC_ANA_PERSISTENT_LOSS     0x301
#define NVME_SC_ANA_INACCESSIBLE        0x302
#define NVME_SC_ANA_TRANSITION          0x303
#define NVME_SC_CTRL_PATH_ERROR         0x360
#define NVME_SC_HOST_PATH_ERROR         0x370
#define NVME_SC_HOST_ABORTED_CMD        0x371

/* ------------------------------------------------------------------ */
/* Opcodes. */
#define NVME_ADMIN_GET_LOG_PAGE         0x02
#define NVME_ADMIN_IDENTIFY             0x06
#define NVME_ADMIN_ABORT                0x08
#define NVME_ADMIN_SET_FEATURES         0x09
#define NVME_ADMIN_GET_FEATURES         0x0A
#define NVME_ADMIN_ASYNC_EVENT          0x0C
#define NVME_ADMIN_KEEP_ALIVE           0x18
#define NVME_ADMIN_FABRICS              0x7F /* also valid on I/O queues */

#define NVME_CMD_FLUSH                  0x00
#define NVME_CMD_WRITE                  0x01
#define NVME_CMD_READ                   0x02
#define NVME_CMD_WRITE_ZEROES           0x08
#define NVME_CMD_DSM                    0x09

/* Read / Write / Write Zeroes: CDW10-11 SLBA, CDW12 as below. */
#define NVME_RW_NLB_MASK                0xFFFFu   /* 0's based */
#define NVME_RW_FUA                     (1u << 30)
#define NVME_RW_LR                      (1u << 31)
#define NVME_WZ_DEAC                    (1u << 25) /* deallocate */
/* Dataset Management: CDW10 NR[7:0] (0's based), CDW11 attributes. */
#define NVME_DSM_NR_MAX                 256
#define NVME_DSM_ATTR_IDR               0x1
#define NVME_DSM_ATTR_IDW               0x2
#define NVME_DSM_ATTR_DEALLOCATE        0x4

/* DSM range (NVM CS 1.0 Figure 39): 16 bytes. */
struct nvme_dsm_range {
  le32 attributes;              /* context attributes */
  le32 nlb;                     /* length in logical blocks (not 0's based) */
  le64 slba;
} NVME_PACKED;
WIRE_SIZE (struct nvme_dsm_range, 16);
WIRE_OFFSET (struct nvme_dsm_range, attributes, 0);
WIRE_OFFSET (struct nvme_dsm_range, nlb, 4);
WIRE_OFFSET (struct nvme_dsm_range, slba, 8);

/* Abort: CDW10 SQID[15:0], CID[31:16]. */
#define NVME_ABORT_CDW10(sqid, cid) \
  ((uint32_t) (sqid) | ((uint32_t) (cid) << 16))

/* ------------------------------------------------------------------ */
/* Identify (Base 2.0 5.17): CDW10 CNS[7:0], CNTID[31:16]. */
#define NVME_ID_CNS_NS                  0x00
#define NVME_ID_CNS_CTRL                0x01
#define NVME_ID_CNS_ACTIVE_NS_LIST      0x02
#define NVME_ID_CNS_NS_ID_DESC          0x03
#define NVME_ID_CNS_CS_NS               0x05
#define NVME_ID_CNS_CS_CTRL             0x06
#define NVME_IDENTIFY_LEN               4096
#define NVME_ID_ACTIVE_NS_LIST_MAX      1024 /* le32 entries per page */

/* Power state descriptor (Base 2.0 Figure 276): 32 bytes. */
struct nvme_psd {
  le16 mp;                      /* maximum power */
  uint8_t rsvd2;
  uint8_t flags;                /* MXPS bit 0, NOPS bit 1 */
  le32 enlat;
  le32 exlat;
  uint8_t rrt;
  uint8_t rrl;
  uint8_t rwt;
  uint8_t rwl;
  le16 idlp;
  uint8_t ips;
  uint8_t rsvd19;
  le16 actp;
  uint8_t apws;
  uint8_t rsvd23[9];
} NVME_PACKED;
WIRE_SIZE (struct nvme_psd, 32);
WIRE_OFFSET (struct nvme_psd, mp, 0);
WIRE_OFFSET (struct nvme_psd, rsvd2, 2);
WIRE_OFFSET (struct nvme_psd, flags, 3);
WIRE_OFFSET (struct nvme_psd, enlat, 4);
WIRE_OFFSET (struct nvme_psd, exlat, 8);
WIRE_OFFSET (struct nvme_psd, rrt, 12);
WIRE_OFFSET (struct nvme_psd, rrl, 13);
WIRE_OFFSET (struct nvme_psd, rwt, 14);
WIRE_OFFSET (struct nvme_psd, rwl, 15);
WIRE_OFFSET (struct nvme_psd, idlp, 16);
WIRE_OFFSET (struct nvme_psd, ips, 18);
WIRE_OFFSET (struct nvme_psd, rsvd19, 19);
WIRE_OFFSET (struct nvme_psd, actp, 20);
WIRE_OFFSET (struct nvme_psd, apws, 22);
WIRE_OFFSET (struct nvme_psd, rsvd23, 23);

/* Identify Controller data structure (Base 2.0 Figure 275): 4096 bytes.
 * String fields (sn, mn, fr, subnqn) are space- or NUL-padded, not
 * NUL-terminated. */
struct nvme_id_ctrl {
  le16 vid;
  le16 ssvid;
  char sn[20];
  char mn[40];
  char fr[8];
  uint8_t rab;
  uint8_t ieee[3];
  uint8_t cmic;
  uint8_t mdts;                 /* 2^mdts * CAP.MPSMIN pages; 0 = no limit */
  le16 cntlid;
  le32 ver;
  le32 rtd3r;
  le32 rtd3e;
  le32 oaes;
  le32 ctratt;
  le16 rrls;
  uint8_t rsvd102[9];
  uint8_t cntrltype;
  uint8_t fguid[16];
  le16 crdt1;
  le16 crdt2;
  le16 crdt3;
  uint8_t rsvd134[119];
  uint8_t nvmsr;
  uint8_t vwci;
  uint8_t mec;
  /* admin command set attributes */
  le16 oacs;
  uint8_t acl;
  uint8_t aerl;
  uint8_t frmw;
  uint8_t lpa;
  uint8_t elpe;
  uint8_t npss;
  uint8_t avscc;
  uint8_t apsta;
  le16 wctemp;
  le16 cctemp;
  le16 mtfa;
  le32 hmpre;
  le32 hmmin;
  uint8_t tnvmcap[16];
  uint8_t unvmcap[16];
  le32 rpmbs;
  le16 edstt;
  uint8_t dsto;
  uint8_t fwug;
  le16 kas;                     /* keep alive granularity, 100 ms units */
  le16 hctma;
  le16 mntmt;
  le16 mxtmt;
  le32 sanicap;
  le32 hmminds;
  le16 hmmaxd;
  le16 nsetidmax;
  le16 endgidmax;
  uint8_t anatt;
  uint8_t anacap;
  le32 anagrpmax;
  le32 nanagrpid;
  le32 pels;
  le16 domainid;
  uint8_t rsvd358[10];
  uint8_t megcap[16];
  uint8_t rsvd384[128];
  /* NVM command set attributes */
  uint8_t sqes;
  uint8_t cqes;
  le16 maxcmd;
  le32 nn;
  le16 oncs;
  le16 fuses;
  uint8_t fna;
  uint8_t vwc;
  le16 awun;
  le16 awupf;
  uint8_t icsvscc;
  uint8_t nwpc;
  le16 acwu;
  le16 ocfs;
  le32 sgls;
  le32 mnan;
  uint8_t maxdna[16];
  le32 maxcna;
  uint8_t rsvd564[204];
  char subnqn[256];
  uint8_t rsvd1024[768];
  /* fabrics specific */
  le32 ioccsz;                  /* 16-byte units, including the 64-byte SQE */
  le32 iorcsz;                  /* 16-byte units */
  le16 icdoff;                  /* 16-byte units */
  uint8_t fcatt;
  uint8_t msdbd;
  le16 ofcs;
  uint8_t rsvd1806[242];
  struct nvme_psd psd[32];
  uint8_t vs[1024];
} NVME_PACKED;
WIRE_SIZE (struct nvme_id_ctrl, 4096);
WIRE_OFFSET (struct nvme_id_ctrl, vid, 0);
WIRE_OFFSET (struct nvme_id_ctrl, ssvid, 2);
WIRE_OFFSET (struct nvme_id_ctrl, sn, 4);
WIRE_OFFSET (struct nvme_id_ctrl, mn, 24);
WIRE_OFFSET (struct nvme_id_ctrl, fr, 64);
WIRE_OFFSET (struct nvme_id_ctrl, rab, 72);
WIRE_OFFSET (struct nvme_id_ctrl, ieee, 73);
WIRE_OFFSET (struct nvme_id_ctrl, cmic, 76);
WIRE_OFFSET (struct nvme_id_ctrl, mdts, 77);
WIRE_OFFSET (struct nvme_id_ctrl, cntlid, 78);
WIRE_OFFSET (struct nvme_id_ctrl, ver, 80);
WIRE_OFFSET (struct nvme_id_ctrl, rtd3r, 84);
WIRE_OFFSET (struct nvme_id_ctrl, rtd3e, 88);
WIRE_OFFSET (struct nvme_id_ctrl, oaes, 92);
WIRE_OFFSET (struct nvme_id_ctrl, ctratt, 96);
WIRE_OFFSET (struct nvme_id_ctrl, rrls, 100);
WIRE_OFFSET (struct nvme_id_ctrl, rsvd102, 102);
WIRE_OFFSET (struct nvme_id_ctrl, cntrltype, 111);
WIRE_OFFSET (struct nvme_id_ctrl, fguid, 112);
WIRE_OFFSET (struct nvme_id_ctrl, crdt1, 128);
WIRE_OFFSET (struct nvme_id_ctrl, crdt2, 130);
WIRE_OFFSET (struct nvme_id_ctrl, crdt3, 132);
WIRE_OFFSET (struct nvme_id_ctrl, rsvd134, 134);
WIRE_OFFSET (struct nvme_id_ctrl, nvmsr, 253);
WIRE_OFFSET (struct nvme_id_ctrl, vwci, 254);
WIRE_OFFSET (struct nvme_id_ctrl, mec, 255);
WIRE_OFFSET (struct nvme_id_ctrl, oacs, 256);
WIRE_OFFSET (struct nvme_id_ctrl, acl, 258);
WIRE_OFFSET (struct nvme_id_ctrl, aerl, 259);
WIRE_OFFSET (struct nvme_id_ctrl, frmw, 260);
WIRE_OFFSET (struct nvme_id_ctrl, lpa, 261);
WIRE_OFFSET (struct nvme_id_ctrl, elpe, 262);
WIRE_OFFSET (struct nvme_id_ctrl, npss, 263);
WIRE_OFFSET (struct nvme_id_ctrl, avscc, 264);
WIRE_OFFSET (struct nvme_id_ctrl, apsta, 265);
WIRE_OFFSET (struct nvme_id_ctrl, wctemp, 266);
WIRE_OFFSET (struct nvme_id_ctrl, cctemp, 268);
WIRE_OFFSET (struct nvme_id_ctrl, mtfa, 270);
WIRE_OFFSET (struct nvme_id_ctrl, hmpre, 272);
WIRE_OFFSET (struct nvme_id_ctrl, hmmin, 276);
WIRE_OFFSET (struct nvme_id_ctrl, tnvmcap, 280);
WIRE_OFFSET (struct nvme_id_ctrl, unvmcap, 296);
WIRE_OFFSET (struct nvme_id_ctrl, rpmbs, 312);
WIRE_OFFSET (struct nvme_id_ctrl, edstt, 316);
WIRE_OFFSET (struct nvme_id_ctrl, dsto, 318);
WIRE_OFFSET (struct nvme_id_ctrl, fwug, 319);
WIRE_OFFSET (struct nvme_id_ctrl, kas, 320);
WIRE_OFFSET (struct nvme_id_ctrl, hctma, 322);
WIRE_OFFSET (struct nvme_id_ctrl, mntmt, 324);
WIRE_OFFSET (struct nvme_id_ctrl, mxtmt, 326);
WIRE_OFFSET (struct nvme_id_ctrl, sanicap, 328);
WIRE_OFFSET (struct nvme_id_ctrl, hmminds, 332);
WIRE_OFFSET (struct nvme_id_ctrl, hmmaxd, 336);
WIRE_OFFSET (struct nvme_id_ctrl, nsetidmax, 338);
WIRE_OFFSET (struct nvme_id_ctrl, endgidmax, 340);
WIRE_OFFSET (struct nvme_id_ctrl, anatt, 342);
WIRE_OFFSET (struct nvme_id_ctrl, anacap, 343);
WIRE_OFFSET (struct nvme_id_ctrl, anagrpmax, 344);
WIRE_OFFSET (struct nvme_id_ctrl, nanagrpid, 348);
WIRE_OFFSET (struct nvme_id_ctrl, pels, 352);
WIRE_OFFSET (struct nvme_id_ctrl, domainid, 356);
WIRE_OFFSET (struct nvme_id_ctrl, rsvd358, 358);
WIRE_OFFSET (struct nvme_id_ctrl, megcap, 368);
WIRE_OFFSET (struct nvme_id_ctrl, rsvd384, 384);
WIRE_OFFSET (struct nvme_id_ctrl, sqes, 512);
WIRE_OFFSET (struct nvme_id_ctrl, cqes, 513);
WIRE_OFFSET (struct nvme_id_ctrl, maxcmd, 514);
WIRE_OFFSET (struct nvme_id_ctrl, nn, 516);
WIRE_OFFSET (struct nvme_id_ctrl, oncs, 520);
WIRE_OFFSET (struct nvme_id_ctrl, fuses, 522);
WIRE_OFFSET (struct nvme_id_ctrl, fna, 524);
WIRE_OFFSET (struct nvme_id_ctrl, vwc, 525);
WIRE_OFFSET (struct nvme_id_ctrl, awun, 526);
WIRE_OFFSET (struct nvme_id_ctrl, awupf, 528);
WIRE_OFFSET (struct nvme_id_ctrl, icsvscc, 530);
WIRE_OFFSET (struct nvme_id_ctrl, nwpc, 531);
WIRE_OFFSET (struct nvme_id_ctrl, acwu, 532);
WIRE_OFFSET (struct nvme_id_ctrl, ocfs, 534);
WIRE_OFFSET (struct nvme_id_ctrl, sgls, 536);
WIRE_OFFSET (struct nvme_id_ctrl, mnan, 540);
WIRE_OFFSET (struct nvme_id_ctrl, maxdna, 544);
WIRE_OFFSET (struct nvme_id_ctrl, maxcna, 560);
WIRE_OFFSET (struct nvme_id_ctrl, rsvd564, 564);
WIRE_OFFSET (struct nvme_id_ctrl, subnqn, 768);
WIRE_OFFSET (struct nvme_id_ctrl, rsvd1024, 1024);
WIRE_OFFSET (struct nvme_id_ctrl, ioccsz, 1792);
WIRE_OFFSET (struct nvme_id_ctrl, iorcsz, 1796);
WIRE_OFFSET (struct nvme_id_ctrl, icdoff, 1800);
WIRE_OFFSET (struct nvme_id_ctrl, fcatt, 1802);
WIRE_OFFSET (struct nvme_id_ctrl, msdbd, 1803);
WIRE_OFFSET (struct nvme_id_ctrl, ofcs, 1804);
WIRE_OFFSET (struct nvme_id_ctrl, rsvd1806, 1806);
WIRE_OFFSET (struct nvme_id_ctrl, psd, 2048);
WIRE_OFFSET (struct nvme_id_ctrl, vs, 3072);

/* CMIC */
#define NVME_CTRL_CMIC_MULTI_PORT       (1u << 0)
#define NVME_CTRL_CMIC_MULTI_CTRL       (1u << 1)
#define NVME_CTRL_CMIC_ANA              (1u << 3)
/* ANACAP: the ANA states the controller reports. */
#define NVME_CTRL_ANACAP_OPTIMIZED      (1u << 0)
#define NVME_CTRL_ANACAP_NON_OPTIMIZED  (1u << 1)
#define NVME_CTRL_ANACAP_INACCESSIBLE   (1u << 2)
#define NVME_CTRL_ANACAP_PERSISTENT_LOSS (1u << 3)
#define NVME_CTRL_ANACAP_CHANGE         (1u << 4)
/* OAES: which asynchronous events the controller can send. */
#define NVME_CTRL_OAES_NS_ATTR          (1u << 8)
#define NVME_CTRL_OAES_FW_ACTIVATION    (1u << 9)
#define NVME_CTRL_OAES_ANA_CHANGE       (1u << 11)
#define NVME_CTRL_OAES_DISC_LOG_CHANGE  (1u << 31)
/* CTRATT.  TBKAS ("Traffic Based Keep Alive Support", added in NVMe 1.4)
 * is bit 6: Linux include/linux/nvme.h NVME_CTRL_ATTR_TBKAS = (1 << 6),
 * which nvmet advertises and core.c uses to halve the keep alive period. */
#define NVME_CTRL_CTRATT_HID_128_BIT    (1u << 0)
#define NVME_CTRL_CTRATT_TBKAS          (1u << 6)
/* CNTRLTYPE */
#define NVME_CTRL_TYPE_NOT_REPORTED     0
#define NVME_CTRL_TYPE_IO               1
#define NVME_CTRL_TYPE_DISCOVERY        2
#define NVME_CTRL_TYPE_ADMIN            3
/* OACS */
#define NVME_CTRL_OACS_SECURITY         (1u << 0)
#define NVME_CTRL_OACS_FORMAT           (1u << 1)
#define NVME_CTRL_OACS_FW               (1u << 2)
#define NVME_CTRL_OACS_NS_MGMT          (1u << 3)
#define NVME_CTRL_OACS_SELF_TEST        (1u << 4)
#define NVME_CTRL_OACS_DIRECTIVES       (1u << 5)
/* LPA */
#define NVME_CTRL_LPA_SMART_PER_NS      (1u << 0)
#define NVME_CTRL_LPA_CMD_EFFECTS       (1u << 1)
#define NVME_CTRL_LPA_EXTENDED          (1u << 2) /* NUMDU / LPOU usable */
/* SQES / CQES: required [3:0] and maximum [7:4] entry size, log2 bytes. */
#define NVME_CTRL_QES_MIN(x)            ((x) & 0xF)
#define NVME_CTRL_QES_MAX(x)            (((x) >> 4) & 0xF)
/* ONCS */
#define NVME_CTRL_ONCS_COMPARE          (1u << 0)
#define NVME_CTRL_ONCS_WRITE_UNCORR     (1u << 1)
#define NVME_CTRL_ONCS_DSM              (1u << 2)
#define NVME_CTRL_ONCS_WRITE_ZEROES     (1u << 3)
#define NVME_CTRL_ONCS_SAVE_FEATURES    (1u << 4)
#define NVME_CTRL_ONCS_RESERVATIONS     (1u << 5)
#define NVME_CTRL_ONCS_TIMESTAMP        (1u << 6)
#define NVME_CTRL_ONCS_VERIFY           (1u << 7)
#define NVME_CTRL_ONCS_COPY             (1u << 8)
/* VWC: bit 0 present; bits 2:1 flush with NSID FFFFFFFFh (2 = no, 3 = yes,
 * 0 = not indicated). */
#define NVME_CTRL_VWC_PRESENT           (1u << 0)
#define NVME_CTRL_VWC_FLUSH_BCAST_MASK  0x6
#define NVME_CTRL_VWC_FLUSH_BCAST_NO    0x4
#define NVME_CTRL_VWC_FLUSH_BCAST_YES   0x6
/* SGLS (SPDK struct spdk_nvme_cdata_sgls; Base 2.0 Figure 275 SGLS). */
#define NVME_CTRL_SGLS_SUPPORT_MASK     0x3
#define NVME_CTRL_SGLS_SUPPORTED        0x1 /* no alignment requirement */
#define NVME_CTRL_SGLS_SUPPORTED_DWORD  0x2 /* dword alignment required */
#define NVME_CTRL_SGLS_KEYED            (1u << 2)
#define NVME_CTRL_SGLS_BIT_BUCKET       (1u << 16)
#define NVME_CTRL_SGLS_MPTR_BYTE_ALIGN  (1u << 17)
#define NVME_CTRL_SGLS_OVERSIZED        (1u << 18)
#define NVME_CTRL_SGLS_MPTR_SGL         (1u << 19)
#define NVME_CTRL_SGLS_OFFSET           (1u << 20)
#define NVME_CTRL_SGLS_TRANSPORT        (1u << 21)
/* FCATT bit 0: 1 = static controller model, 0 = dynamic. */
#define NVME_CTRL_FCATT_STATIC          (1u << 0)

/* LBA format (NVM CS 1.0 Figure 98): 4 bytes. */
struct nvme_lbaf {
  le16 ms;                      /* metadata bytes per LBA */
  uint8_t lbads;                /* log2 of the LBA data size */
  uint8_t rp;                   /* relative performance [1:0] */
} NVME_PACKED;
WIRE_SIZE (struct nvme_lbaf, 4);
WIRE_OFFSET (struct nvme_lbaf, ms, 0);
WIRE_OFFSET (struct nvme_lbaf, lbads, 2);
WIRE_OFFSET (struct nvme_lbaf, rp, 3);

/* Identify Namespace data structure, NVM command set (NVM CS 1.0
 * Figure 97): 4096 bytes. */
struct nvme_id_ns {
  le64 nsze;
  le64 ncap;
  le64 nuse;
  uint8_t nsfeat;
  uint8_t nlbaf;                /* 0's based */
  uint8_t flbas;
  uint8_t mc;
  uint8_t dpc;
  uint8_t dps;
  uint8_t nmic;
  uint8_t rescap;
  uint8_t fpi;
  uint8_t dlfeat;
  le16 nawun;
  le16 nawupf;
  le16 nacwu;
  le16 nabsn;
  le16 nabo;
  le16 nabspf;
  le16 noiob;
  uint8_t nvmcap[16];
  le16 npwg;
  le16 npwa;
  le16 npdg;
  le16 npda;
  le16 nows;
  le16 mssrl;
  le32 mcl;
  uint8_t msrc;
  uint8_t rsvd81[11];
  le32 anagrpid;
  uint8_t rsvd96[3];
  uint8_t nsattr;
  le16 nvmsetid;
  le16 endgid;
  uint8_t nguid[16];
  uint8_t eui64[8];
  struct nvme_lbaf lbaf[64];
  uint8_t rsvd384[2688];
  uint8_t vs[1024];
} NVME_PACKED;
WIRE_SIZE (struct nvme_id_ns, 4096);
WIRE_OFFSET (struct nvme_id_ns, nsze, 0);
WIRE_OFFSET (struct nvme_id_ns, ncap, 8);
WIRE_OFFSET (struct nvme_id_ns, nuse, 16);
WIRE_OFFSET (struct nvme_id_ns, nsfeat, 24);
WIRE_OFFSET (struct nvme_id_ns, nlbaf, 25);
WIRE_OFFSET (struct nvme_id_ns, flbas, 26);
WIRE_OFFSET (struct nvme_id_ns, mc, 27);
WIRE_OFFSET (struct nvme_id_ns, dpc, 28);
WIRE_OFFSET (struct nvme_id_ns, dps, 29);
WIRE_OFFSET (struct nvme_id_ns, nmic, 30);
WIRE_OFFSET (struct nvme_id_ns, rescap, 31);
WIRE_OFFSET (struct nvme_id_ns, fpi, 32);
WIRE_OFFSET (struct nvme_id_ns, dlfeat, 33);
WIRE_OFFSET (struct nvme_id_ns, nawun, 34);
WIRE_OFFSET (struct nvme_id_ns, nawupf, 36);
WIRE_OFFSET (struct nvme_id_ns, nacwu, 38);
WIRE_OFFSET (struct nvme_id_ns, nabsn, 40);
WIRE_OFFSET (struct nvme_id_ns, nabo, 42);
WIRE_OFFSET (struct nvme_id_ns, nabspf, 44);
WIRE_OFFSET (struct nvme_id_ns, noiob, 46);
WIRE_OFFSET (struct nvme_id_ns, nvmcap, 48);
WIRE_OFFSET (struct nvme_id_ns, npwg, 64);
WIRE_OFFSET (struct nvme_id_ns, npwa, 66);
WIRE_OFFSET (struct nvme_id_ns, npdg, 68);
WIRE_OFFSET (struct nvme_id_ns, npda, 70);
WIRE_OFFSET (struct nvme_id_ns, nows, 72);
WIRE_OFFSET (struct nvme_id_ns, mssrl, 74);
WIRE_OFFSET (struct nvme_id_ns, mcl, 76);
WIRE_OFFSET (struct nvme_id_ns, msrc, 80);
WIRE_OFFSET (struct nvme_id_ns, rsvd81, 81);
WIRE_OFFSET (struct nvme_id_ns, anagrpid, 92);
WIRE_OFFSET (struct nvme_id_ns, rsvd96, 96);
WIRE_OFFSET (struct nvme_id_ns, nsattr, 99);
WIRE_OFFSET (struct nvme_id_ns, nvmsetid, 100);
WIRE_OFFSET (struct nvme_id_ns, endgid, 102);
WIRE_OFFSET (struct nvme_id_ns, nguid, 104);
WIRE_OFFSET (struct nvme_id_ns, eui64, 120);
WIRE_OFFSET (struct nvme_id_ns, lbaf, 128);
WIRE_OFFSET (struct nvme_id_ns, rsvd384, 384);
WIRE_OFFSET (struct nvme_id_ns, vs, 3072);

/* NSFEAT */
#define NVME_NS_NSFEAT_THIN_PROV        (1u << 0)
#define NVME_NS_NSFEAT_NSABP            (1u << 1) /* NAWUN/NAWUPF/NACWU valid */
#define NVME_NS_NSFEAT_DAE              (1u << 2)
#define NVME_NS_NSFEAT_UIDREUSE         (1u << 3)
/* OPTPERF: NPWG, NPWA, NPDG, NPDA and NOWS are valid.  NOIOB does not
 * depend on it (0 there means not reported). */
#define NVME_NS_NSFEAT_OPTPERF          (1u << 4)
/* FLBAS: format index bits 3:0 (low) and 6:5 (high, NVMe 2.0), bit 4 =
 * metadata transferred at the end of the data LBA (extended). */
#define NVME_NS_FLBAS_LOW_MASK          0x0F
#define NVME_NS_FLBAS_META_EXT          0x10
#define NVME_NS_FLBAS_HIGH_MASK         0x60
#define NVME_NS_FLBAS_HIGH_SHIFT        5

/* Index into nvme_id_ns.lbaf[] of the format in use (0..63). */
static inline unsigned
nvme_flbas_index (uint8_t flbas)
{
  return (flbas & NVME_NS_FLBAS_LOW_MASK)
    | (((flbas & NVME_NS_FLBAS_HIGH_MASK) >> NVME_NS_FLBAS_HIGH_SHIFT) << 4);
}

/* NMIC */
#define NVME_NS_NMIC_SHARED             (1u << 0)
/* NSATTR */
#define NVME_NS_NSATTR_WRITE_PROTECTED  (1u << 0)
/* DLFEAT: bits 2:0 what a read of deallocated blocks returns; bit 3 Write
 * Zeroes with DEAC deallocates; bit 4 guard field is the CRC of the data. */
#define NVME_NS_DLFEAT_READ_MASK        0x07
#define NVME_NS_DLFEAT_READ_NOT_REPORTED 0x00
#define NVME_NS_DLFEAT_READ_ZEROES      0x01
#define NVME_NS_DLFEAT_READ_ONES        0x02
#define NVME_NS_DLFEAT_WZ_DEAC          (1u << 3)
#define NVME_NS_DLFEAT_GUARD_CRC        (1u << 4)

/* Namespace Identification Descriptor header (Base 2.0 Figure 278);
 * nidl bytes of identifier follow.  The list is 4096 bytes, ended by a
 * descriptor with nidl = 0 (or the end of the page). */
struct nvme_ns_id_desc {
  uint8_t nidt;
  uint8_t nidl;
  uint8_t rsvd2[2];
} NVME_PACKED;
WIRE_SIZE (struct nvme_ns_id_desc, 4);
WIRE_OFFSET (struct nvme_ns_id_desc, nidt, 0);
WIRE_OFFSET (struct nvme_ns_id_desc, nidl, 1);
WIRE_OFFSET (struct nvme_ns_id_desc, rsvd2, 2);

#define NVME_NIDT_EUI64                 0x01
#define NVME_NIDT_EUI64_LEN             8
#define NVME_NIDT_NGUID                 0x02
#define NVME_NIDT_NGUID_LEN             16
#define NVME_NIDT_UUID                  0x03
#define NVME_NIDT_UUID_LEN              16
#define NVME_NIDT_CSI                   0x04
#define NVME_NIDT_CSI_LEN               1

/* Command set identifiers. */
#define NVME_CSI_NVM                    0x00

/* ------------------------------------------------------------------ */
/* Get Log Page (Base 2.0 5.16).  NUMD is the 0's based number of dwords:
 * CDW10 LID[7:0] LSP[14:8] RAE[15] NUMDL[31:16]; CDW11 NUMDU[15:0]
 * LSI[31:16]; CDW12 LPOL; CDW13 LPOU (byte offset, dword aligned). */
#define NVME_LOG_RAE                    (1u << 15)

static inline uint32_t
nvme_get_log_cdw10 (uint8_t lid, uint8_t lsp, bool rae, uint32_t numd0)
{
  return (uint32_t) lid | ((uint32_t) (lsp & 0x7F) << 8)
    | (rae ? NVME_LOG_RAE : 0) | ((numd0 & 0xFFFFu) << 16);
}

static inline uint32_t
nvme_get_log_cdw11 (uint32_t numd0)
{
  return numd0 >> 16;
}

static inline uint32_t
nvme_get_log_cdw12 (uint64_t offset)
{
  return (uint32_t) offset;
}

static inline uint32_t
nvme_get_log_cdw13 (uint64_t offset)
{
  return (uint32_t) (offset >> 32);
}

#define NVME_LOG_ERROR                  0x01
#define NVME_LOG_SMART                  0x02
#define NVME_LOG_FW_SLOT                0x03
#define NVME_LOG_CHANGED_NS             0x04
#define NVME_LOG_CMD_EFFECTS            0x05
#define NVME_LOG_ANA                    0x0C
#define NVME_LOG_DISCOVERY              0x70
#define NVME_LOG_CHANGED_NS_MAX         1024 /* le32 NSIDs in the page */
#define NVME_LOG_ERROR_ENTRY_LEN        64

/* Asymmetric Namespace Access log page (Base 2.0 5.16.1.13): a header,
 * then for each ANA group holding namespaces attached to the controller a
 * descriptor followed by its NNSIDS le32 NSIDs (none with RGO). */
#define NVME_LOG_ANA_LSP_RGO            0x01 /* return groups only */
struct nvme_ana_log_hdr {
  le64 chgcnt;
  le16 ngrps;
  uint8_t rsvd10[6];
} NVME_PACKED;
WIRE_SIZE (struct nvme_ana_log_hdr, 16);
WIRE_OFFSET (struct nvme_ana_log_hdr, chgcnt, 0);
WIRE_OFFSET (struct nvme_ana_log_hdr, ngrps, 8);

struct nvme_ana_group_desc {
  le32 grpid;
  le32 nnsids;
  le64 chgcnt;
  uint8_t state; /* ANA state, bits 3:0 */
  uint8_t rsvd17[15];
} NVME_PACKED;
WIRE_SIZE (struct nvme_ana_group_desc, 32);
WIRE_OFFSET (struct nvme_ana_group_desc, grpid, 0);
WIRE_OFFSET (struct nvme_ana_group_desc, nnsids, 4);
WIRE_OFFSET (struct nvme_ana_group_desc, chgcnt, 8);
WIRE_OFFSET (struct nvme_ana_group_desc, state, 16);

#define NVME_ANA_OPTIMIZED              0x1
#define NVME_ANA_NON_OPTIMIZED          0x2
#define NVME_ANA_INACCESSIBLE           0x3
#define NVME_ANA_PERSISTENT_LOSS        0x4
#define NVME_ANA_CHANGE                 0xF
#define NVME_ANA_STATE_MASK             0x0F

/* SMART / Health Information log (Base 2.0 Figure 207): 512 bytes.  The
 * 128-bit counters are little-endian byte arrays (low 8 bytes first). */
struct nvme_smart_log {
  uint8_t critical_warning;
  le16 temperature;             /* composite, kelvin */
  uint8_t avail_spare;          /* percent */
  uint8_t spare_thresh;
  uint8_t percent_used;
  uint8_t endu_grp_crit_warn;
  uint8_t rsvd7[25];
  uint8_t data_units_read[16];  /* thousands of 512-byte units */
  uint8_t data_units_written[16];
  uint8_t host_reads[16];       /* commands */
  uint8_t host_writes[16];
  uint8_t ctrl_busy_time[16];
  uint8_t power_cycles[16];
  uint8_t power_on_hours[16];
  uint8_t unsafe_shutdowns[16];
  uint8_t media_errors[16];
  uint8_t num_err_log_entries[16];
  uint8_t rsvd192[320];
} NVME_PACKED;
WIRE_SIZE (struct nvme_smart_log, 512);
WIRE_OFFSET (struct nvme_smart_log, critical_warning, 0);
WIRE_OFFSET (struct nvme_smart_log, temperature, 1);
WIRE_OFFSET (struct nvme_smart_log, avail_spare, 3);
WIRE_OFFSET (struct nvme_smart_log, spare_thresh, 4);
WIRE_OFFSET (struct nvme_smart_log, percent_used, 5);
WIRE_OFFSET (struct nvme_smart_log, endu_grp_crit_warn, 6);
WIRE_OFFSET (struct nvme_smart_log, data_units_read, 32);
WIRE_OFFSET (struct nvme_smart_log, data_units_written, 48);
WIRE_OFFSET (struct nvme_smart_log, host_reads, 64);
WIRE_OFFSET (struct nvme_smart_log, host_writes, 80);
WIRE_OFFSET (struct nvme_smart_log, ctrl_busy_time, 96);
WIRE_OFFSET (struct nvme_smart_log, power_cycles, 112);
WIRE_OFFSET (struct nvme_smart_log, power_on_hours, 128);
WIRE_OFFSET (struct nvme_smart_log, unsafe_shutdowns, 144);
WIRE_OFFSET (struct nvme_smart_log, media_errors, 160);
WIRE_OFFSET (struct nvme_smart_log, num_err_log_entries, 176);
WIRE_OFFSET (struct nvme_smart_log, rsvd192, 192);

/* Asynchronous Event Request completion DW0 (Base 2.0 Figure 150). */
#define NVME_AER_TYPE(dw0)              ((dw0) & 0x7)
#define NVME_AER_INFO(dw0)              (((dw0) >> 8) & 0xFF)
#define NVME_AER_LID(dw0)               (((dw0) >> 16) & 0xFF)
#define NVME_AER_TYPE_ERROR             0x0
#define NVME_AER_TYPE_SMART             0x1
#define NVME_AER_TYPE_NOTICE            0x2
#define NVME_AER_TYPE_IO_CMD_SPECIFIC   0x6
#define NVME_AER_TYPE_VENDOR            0x7
#define NVME_AER_NOTICE_NS_CHANGED      0x00
#define NVME_AER_NOTICE_FW_ACTIVATION   0x01
#define NVME_AER_NOTICE_ANA_CHANGE      0x03
#define NVME_AER_NOTICE_DISC_CHANGE     0xF0

/* ------------------------------------------------------------------ */
/* Features (Base 2.0 5.27.1).  CDW10 FID[7:0]; Set: SV bit 31; Get:
 * SEL[10:8]. */
#define NVME_FEAT_ARBITRATION           0x01
#define NVME_FEAT_POWER_MGMT            0x02
#define NVME_FEAT_TEMP_THRESH           0x04
#define NVME_FEAT_ERR_RECOVERY          0x05
#define NVME_FEAT_VOLATILE_WC           0x06
#define NVME_FEAT_NUM_QUEUES            0x07
#define NVME_FEAT_IRQ_COALESCE          0x08
#define NVME_FEAT_ASYNC_EVENT           0x0B
#define NVME_FEAT_KATO                  0x0F
#define NVME_FEAT_WRITE_PROTECT         0x84

#define NVME_FEAT_FID_MASK              0xFFu
#define NVME_FEAT_SV                    (1u << 31)
#define NVME_FEAT_SEL_SHIFT             8
#define NVME_FEAT_SEL_CURRENT           0
#define NVME_FEAT_SEL_DEFAULT           1
#define NVME_FEAT_SEL_SAVED             2
#define NVME_FEAT_SEL_SUPPORTED         3

/* Volatile Write Cache CDW11 / result. */
#define NVME_FEAT_VWC_WCE               (1u << 0)
/* Number of Queues: CDW11 NSQR[15:0] NCQR[31:16], result NSQA/NCQA, all
 * 0's based. */
#define NVME_FEAT_NUM_QUEUES_CDW11(nsqr0, ncqr0) \
  (((uint32_t) (nsqr0) & 0xFFFF) | ((uint32_t) (ncqr0) << 16))
#define NVME_FEAT_NSQA(dw0)             ((dw0) & 0xFFFF)
#define NVME_FEAT_NCQA(dw0)             (((dw0) >> 16) & 0xFFFF)
/* Asynchronous Event Configuration CDW11 (same bits as OAES). */
#define NVME_AEC_NS_ATTR                (1u << 8)
#define NVME_AEC_FW_ACTIVATION          (1u << 9)
#define NVME_AEC_ANA_CHANGE             (1u << 11)
#define NVME_AEC_DISC_LOG_CHANGE        (1u << 31)
/* Namespace Write Protection Config CDW11 WPS[2:0]. */
#define NVME_WP_NONE                    0
#define NVME_WP_WRITE_PROTECT           1
#define NVME_WP_UNTIL_POWER_CYCLE       2
#define NVME_WP_PERMANENT               3

/* ------------------------------------------------------------------ */
/* Controller properties (Base 2.0 3.1.4), read over fabrics with
 * Property Get. */
#define NVME_REG_CAP                    0x00 /* 8 bytes */
#define NVME_REG_VS                     0x08
#define NVME_REG_INTMS                  0x0C
#define NVME_REG_INTMC                  0x10
#define NVME_REG_CC                     0x14
#define NVME_REG_CSTS                   0x1C
#define NVME_REG_NSSR                   0x20
#define NVME_REG_AQA                    0x24
#define NVME_REG_ASQ                    0x28
#define NVME_REG_ACQ                    0x30

/* CAP (64 bits). */
#define NVME_CAP_MQES_SHIFT             0
#define NVME_CAP_MQES_MASK              0xFFFFull /* 0's based */
#define NVME_CAP_CQR                    (1ull << 16)
#define NVME_CAP_AMS_SHIFT              17
#define NVME_CAP_AMS_MASK               0x3ull
#define NVME_CAP_TO_SHIFT               24
#define NVME_CAP_TO_MASK                0xFFull  /* 500 ms units */
#define NVME_CAP_DSTRD_SHIFT            32
#define NVME_CAP_DSTRD_MASK             0xFull
#define NVME_CAP_NSSRS                  (1ull << 36)
#define NVME_CAP_CSS_SHIFT              37
#define NVME_CAP_CSS_MASK               0xFFull
#define NVME_CAP_CSS_NVM                0x01     /* within the CSS field */
#define NVME_CAP_CSS_IOCS               0x40
#define NVME_CAP_CSS_ADMIN_ONLY         0x80
#define NVME_CAP_MPSMIN_SHIFT           48
#define NVME_CAP_MPSMIN_MASK            0xFull   /* 2^(12+n) bytes */
#define NVME_CAP_MPSMAX_SHIFT           52
#define NVME_CAP_MPSMAX_MASK            0xFull
#define NVME_CAP_FIELD(cap, f) \
  (((uint64_t) (cap) >> NVME_CAP_##f##_SHIFT) & NVME_CAP_##f##_MASK)
#define NVME_CAP_MQES(cap)              NVME_CAP_FIELD (cap, MQES)
#define NVME_CAP_TO(cap)                NVME_CAP_FIELD (cap, TO)
#define NVME_CAP_DSTRD(cap)             NVME_CAP_FIELD (cap, DSTRD)
#define NVME_CAP_CSS(cap)               NVME_CAP_FIELD (cap, CSS)
#define NVME_CAP_MPSMIN(cap)            NVME_CAP_FIELD (cap, MPSMIN)
#define NVME_CAP_MPSMAX(cap)            NVME_CAP_FIELD (cap, MPSMAX)
#define NVME_CAP_TO_UNIT_MS             500

/* VS */
#define NVME_VS(mjr, mnr, ter) \
  (((uint32_t) (mjr) << 16) | ((uint32_t) (mnr) << 8) | (uint32_t) (ter))
#define NVME_VS_MJR(vs)                 (((vs) >> 16) & 0xFFFF)
#define NVME_VS_MNR(vs)                 (((vs) >> 8) & 0xFF)
#define NVME_VS_TER(vs)                 ((vs) & 0xFF)

/* CC (32 bits). */
#define NVME_CC_EN                      (1u << 0)
#define NVME_CC_CSS_SHIFT               4
#define NVME_CC_CSS_MASK                (0x7u << 4)
#define NVME_CC_CSS_NVM                 (0x0u << 4)
#define NVME_CC_CSS_ADMIN_ONLY          (0x7u << 4)
#define NVME_CC_MPS_SHIFT               7
#define NVME_CC_MPS_MASK                (0xFu << 7) /* 2^(12+n) bytes */
#define NVME_CC_AMS_SHIFT               11
#define NVME_CC_AMS_MASK                (0x7u << 11)
#define NVME_CC_AMS_RR                  (0x0u << 11)
#define NVME_CC_SHN_SHIFT               14
#define NVME_CC_SHN_MASK                (0x3u << 14)
#define NVME_CC_SHN_NONE                (0x0u << 14)
#define NVME_CC_SHN_NORMAL              (0x1u << 14)
#define NVME_CC_SHN_ABRUPT              (0x2u << 14)
#define NVME_CC_IOSQES_SHIFT            16
#define NVME_CC_IOSQES_MASK             (0xFu << 16)
#define NVME_CC_IOCQES_SHIFT            20
#define NVME_CC_IOCQES_MASK             (0xFu << 20)
#define NVME_CC_CRIME                   (1u << 24)
#define NVME_CC_MPS(n)                  ((uint32_t) (n) << NVME_CC_MPS_SHIFT)
#define NVME_CC_IOSQES(n)               ((uint32_t) (n) << NVME_CC_IOSQES_SHIFT)
#define NVME_CC_IOCQES(n)               ((uint32_t) (n) << NVME_CC_IOCQES_SHIFT)
#define NVME_SQES_LOG2                  6  /* 64-byte SQE */
#define NVME_CQES_LOG2                  4  /* 16-byte CQE */

/* CSTS (32 bits). */
#define NVME_CSTS_RDY                   (1u << 0)
#define NVME_CSTS_CFS                   (1u << 1)
#define NVME_CSTS_SHST_SHIFT            2
#define NVME_CSTS_SHST_MASK             (0x3u << 2)
#define NVME_CSTS_SHST_NORMAL           (0x0u << 2)
#define NVME_CSTS_SHST_OCCURRING        (0x1u << 2)
#define NVME_CSTS_SHST_COMPLETE         (0x2u << 2)
#define NVME_CSTS_NSSRO                 (1u << 4)
#define NVME_CSTS_PP                    (1u << 5)

/* NSSR: writing this value resets the NVM subsystem. */
#define NVME_NSSR_RESET                 0x4E564D65u /* "NVMe" */

#endif /* NVMEOF_NVME_WIRE_H */
