/* SPDX-License-Identifier: BSD-3-Clause */
/* The nvmeof command: small formatting helpers shared by the subcommands. */
#include <config.h>

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "nvmeof-tool.h"

int
output_json (json_object *obj)
{
  const char *s;
  int ret = 0;

  s = json_object_to_json_string_ext (obj, JSON_C_TO_STRING_PRETTY |
                                             JSON_C_TO_STRING_SPACED |
                                             JSON_C_TO_STRING_NOSLASHESCAPE);
  if (s == NULL || printf ("%s\n", s) < 0)
    ret = -1;
  json_object_put (obj);
  return ret;
}

void
output_trim (char *dst, size_t dstlen, const char *src, size_t srclen)
{
  size_t n = 0;

  if (dstlen == 0)
    return;
  while (n < srclen && n + 1 < dstlen && src[n] != '\0')
    n++;
  while (n > 0 && src[n - 1] == ' ')
    n--;
  memcpy (dst, src, n);
  dst[n] = '\0';
  /* Non-printable bytes from a broken peer must not reach the terminal. */
  for (size_t i = 0; i < n; i++)
    if ((unsigned char) dst[i] < 0x20 || (unsigned char) dst[i] > 0x7e)
      dst[i] = '?';
}

bool
output_all_zero (const uint8_t *p, size_t len)
{
  size_t i;

  for (i = 0; i < len; i++)
    if (p[i])
      return false;
  return true;
}

void
output_hex (char *dst, size_t dstlen, const uint8_t *p, size_t len)
{
  size_t i, o = 0;

  if (dstlen == 0)
    return;
  dst[0] = '\0';
  for (i = 0; i < len && o + 3 <= dstlen; i++)
    o += (size_t) snprintf (dst + o, dstlen - o, "%02x", p[i]);
}

void
output_uuid (char *dst, size_t dstlen, const uint8_t *p)
{
  snprintf (dst, dstlen,
            "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
            "%02x%02x%02x%02x%02x%02x",
            p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[9], p[10],
            p[11], p[12], p[13], p[14], p[15]);
}

void
output_human_size (char *dst, size_t dstlen, uint64_t bytes)
{
  static const char *const units[] = { "B",   "KiB", "MiB", "GiB",
                                       "TiB", "PiB", "EiB" };
  double v = (double) bytes;
  unsigned u = 0;

  while (v >= 1024 && u + 1 < sizeof units / sizeof units[0]) {
    v /= 1024;
    u++;
  }
  if (u == 0)
    snprintf (dst, dstlen, "%" PRIu64 " B", bytes);
  else
    snprintf (dst, dstlen, "%.2f %s", v, units[u]);
}

/* Identify capacities are 128-bit little-endian: long division by 10. */
void
output_u128 (char *dst, size_t dstlen, const uint8_t p[16])
{
  uint8_t n[16];
  char digits[48];
  size_t nd = 0, i;

  memcpy (n, p, 16);
  if (output_all_zero (n, 16)) {
    snprintf (dst, dstlen, "0");
    return;
  }
  while (!output_all_zero (n, 16) && nd < sizeof digits) {
    unsigned rem = 0;
    for (i = 16; i-- > 0;) {
      unsigned cur = (rem << 8) | n[i];
      n[i] = (uint8_t) (cur / 10);
      rem = cur % 10;
    }
    digits[nd++] = (char) ('0' + rem);
  }
  for (i = 0; i < nd && i + 1 < dstlen; i++)
    dst[i] = digits[nd - 1 - i];
  dst[i < dstlen ? i : dstlen - 1] = '\0';
}
