/* SPDX-License-Identifier: GPL-2.0-or-later */
/* shortname.h - 8.3 alternate names for FileAlternateNameInformation. */
#ifndef SMB_SHORTNAME_H
#define SMB_SHORTNAME_H

#include "compat.h"

#define SMB_SHORT_NAME_MAX 13 /* "BASENAME.EXT" + NUL */

/*
 * The 8.3 name of a (UTF-8) file name: the name itself, upper-cased, when
 * it already is a valid 8.3 name; otherwise a deterministic mangled name
 * "PREFI~XY.EXT" whose two characters come from a hash of the full name.
 * Returns the length written to out, or -1 for an empty name.
 */
int smb_short_name(const char *name, char out[SMB_SHORT_NAME_MAX]);

#endif
