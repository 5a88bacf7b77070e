/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fileutil.h - whole-file read and atomic replace for the config files. */
#ifndef SMBD_FILEUTIL_H
#define SMBD_FILEUTIL_H

#include <sys/types.h>

#include "platform.h"

/*
 * Read all of path (at most max_size bytes) into a malloc'ed buffer with a
 * NUL appended (not counted in *len).  Returns 0, or -1 with errno set and
 * "PATH: reason" in err.  errno is ENOENT for a missing file and EFBIG for
 * one larger than max_size.
 */
int smbd_read_file(const char *path, size_t max_size, char **buf, size_t *len,
		   char *err, size_t err_size);

/*
 * Replace path with data atomically: write a temporary file in the same
 * directory, fsync it, chmod it to mode and rename it over path.  Readers
 * see either the old or the new file, never a partial one.  Returns 0, or
 * -1 with "PATH: reason" in err (the temporary file is removed).
 */
int smbd_write_file_atomic(const char *path, const void *data, size_t len,
			   mode_t mode, char *err, size_t err_size);

#endif
