/* SPDX-License-Identifier: GPL-2.0-or-later */
/* platform.h - userspace glue around core/compat.h. */
#ifndef SMB_USER_PLATFORM_H
#define SMB_USER_PLATFORM_H

#include <stdio.h>
#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include <string.h>

/* With SMB_HOSTED, compat.h takes its types from libc instead of built-ins. */
#ifndef SMB_HOSTED
#define SMB_HOSTED 1
#endif
#include "compat.h"

void smb_set_log_level(int level);
int smb_get_log_level(void);
void smb_set_log_stream(FILE *f);

#endif
