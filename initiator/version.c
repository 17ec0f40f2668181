/* SPDX-License-Identifier: BSD-3-Clause */
#include <config.h>

#include "nvmeof.h"

const char *
nvmeof_version (void)
{
  return PACKAGE_VERSION;
}
