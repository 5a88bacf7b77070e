/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tmpdir.h - scratch directories and files for unit tests. */
#ifndef SMBD_TEST_TMPDIR_H
#define SMBD_TEST_TMPDIR_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* mkdtemp under $TMPDIR or /tmp; aborts the test program on failure. */
static inline char *test_mkdtemp(void)
{
	const char *base = getenv("TMPDIR");
	char *dir;

	if (asprintf(&dir, "%s/smbdtest.XXXXXX", base ? base : "/tmp") < 0 ||
	    !mkdtemp(dir))
		abort();
	return dir;
}

/* dir/name as a malloc'ed string. */
static inline char *test_path(const char *dir, const char *name)
{
	char *p;

	if (asprintf(&p, "%s/%s", dir, name) < 0)
		abort();
	return p;
}

static inline void test_write(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	if (!f || fwrite(data, 1, len, f) != len || fclose(f))
		abort();
}

/* Number of entries in dir besides "." and "..". */
static inline int test_count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	return n;
}

/* Remove the (flat) scratch directory and free its name. */
static inline void test_rmdir(char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	while (d && (e = readdir(d))) {
		char *p;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		p = test_path(dir, e->d_name);
		unlink(p);
		free(p);
	}
	if (d)
		closedir(d);
	rmdir(dir);
	free(dir);
}

#endif
