// SPDX-License-Identifier: GPL-2.0-or-later
/* fileutil.c - whole-file read and atomic replace. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "platform.h"
#include "fileutil.h"

int smbd_read_file(const char *path, size_t max_size, char **buf, size_t *len,
		   char *err, size_t err_size)
{
	size_t used = 0, cap = 4096;
	char *data = NULL;
	int fd, saved;

	*buf = NULL;
	*len = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		goto fail;
	for (;;) {
		ssize_t n;

		if (!data || used == cap) {
			char *bigger;

			if (data)
				cap *= 2;
			bigger = realloc(data, cap + 1);
			if (!bigger) {
				errno = ENOMEM;
				goto fail;
			}
			data = bigger;
		}
		n = read(fd, data + used, cap - used);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto fail;
		if (n == 0)
			break;
		used += (size_t)n;
		if (used > max_size) {
			errno = EFBIG;
			goto fail;
		}
	}
	close(fd);
	data[used] = '\0';
	*buf = data;
	*len = used;
	return 0;
fail:
	saved = errno;
	if (fd >= 0)
		close(fd);
	free(data);
	snprintf(err, err_size, "%s: %s", path,
		 saved == EFBIG ? "file too large" : strerror(saved));
	errno = saved;
	return -1;
}

static int write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Make the rename itself durable; failure here is not fatal. */
static void sync_parent_dir(const char *path)
{
	char *copy = strdup(path);
	int fd;

	if (!copy)
		return;
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	free(copy);
}

int smbd_write_file_atomic(const char *path, const void *data, size_t len,
			   mode_t mode, char *err, size_t err_size)
{
	size_t plen = strlen(path);
	char *tmp = malloc(plen + sizeof(".XXXXXX"));
	int fd = -1, saved;

	if (!tmp) {
		errno = ENOMEM;
		goto fail;
	}
	memcpy(tmp, path, plen);
	memcpy(tmp + plen, ".XXXXXX", sizeof(".XXXXXX"));
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		goto fail;
	if (fchmod(fd, mode) || write_all(fd, data, len) || fsync(fd))
		goto fail_unlink;
	if (close(fd)) {
		fd = -1;
		goto fail_unlink;
	}
	fd = -1;
	if (rename(tmp, path))
		goto fail_unlink;
	sync_parent_dir(path);
	free(tmp);
	return 0;
fail_unlink:
	saved = errno;
	unlink(tmp);
	errno = saved;
fail:
	saved = errno;
	if (fd >= 0)
		close(fd);
	free(tmp);
	snprintf(err, err_size, "%s: %s", path, strerror(saved));
	errno = saved;
	return -1;
}
