/* SPDX-License-Identifier: BSD-3-Clause */
/* Conventions shared by every wire-format header of nvmeof.
 *
 * NVMe, NVMe over Fabrics and NVMe/TCP are little-endian on the wire.  Fields
 * carry their byte order in their type (le16, le32, le64) and are converted
 * only with the accessors below, at the boundary.  Wire structs have no
 * bitfields: masks and shift constants take their place.  Every struct is
 * packed through NVME_PACKED and followed by _Static_assert checks of its
 * size and of the offset of every field the code reads or writes.
 */
#ifndef NVMEOF_WIRE_COMMON_H
#define NVMEOF_WIRE_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <endian.h>

#if defined(__GNUC__) || defined(__clang__)
#define NVME_PACKED __attribute__((__packed__))
#else
#error "nvmeof wire headers need a compiler with __attribute__((packed))"
#endif

/* Little-endian on the wire.  Distinct names so that a reader sees the byte
 * order; the accessors below are the only way values move in or out. */
typedef uint16_t le16;
typedef uint32_t le32;
typedef uint64_t le64;

/* Size and offset assertions, one line each. */
#define WIRE_SIZE(type, n) \
  _Static_assert (sizeof (type) == (n), #type " must be " #n " bytes")
#define WIRE_OFFSET(type, field, off) \
  _Static_assert (offsetof (type, field) == (off), \
                  #type "." #field " must be at byte " #off)

/* Packed structs may place fields at unaligned addresses: go through memcpy
 * so that no unaligned pointer is ever dereferenced (UBSan checks this). */
static inline uint16_t
get_le16 (const void *p)
{
  uint16_t v;
  memcpy (&v, p, sizeof v);
  return le16toh (v);
}

static inline uint32_t
get_le32 (const void *p)
{
  uint32_t v;
  memcpy (&v, p, sizeof v);
  return le32toh (v);
}

static inline uint64_t
get_le64 (const void *p)
{
  uint64_t v;
  memcpy (&v, p, sizeof v);
  return le64toh (v);
}

static inline void
put_le16 (void *p, uint16_t v)
{
  v = htole16 (v);
  memcpy (p, &v, sizeof v);
}

static inline void
put_le32 (void *p, uint32_t v)
{
  v = htole32 (v);
  memcpy (p, &v, sizeof v);
}

static inline void
put_le64 (void *p, uint64_t v)
{
  v = htole64 (v);
  memcpy (p, &v, sizeof v);
}

/* Field accessors: GET16(s->field), PUT32(s->field, v). */
#define GET16(f) get_le16 (&(f))
#define GET32(f) get_le32 (&(f))
#define GET64(f) get_le64 (&(f))

#define PUT16(f, v) put_le16 (&(f), (v))
#define PUT32(f, v) put_le32 (&(f), (v))
#define PUT64(f, v) put_le64 (&(f), (v))

#endif /* NVMEOF_WIRE_COMMON_H */
