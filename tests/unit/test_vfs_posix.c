// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "platform.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "smb2.h"
#include "vfs_posix.h"

/* Each test gets base/root (the share) and base/outside (must stay
 * untouchable), made fresh under a mkdtemp() directory. */
struct fixture {
	char base[256];
	char root[512];
	char outside[512];
	u32 opts;
	const struct smb_vfs_ops *ops;
	struct smb_vfs_share *share;
};

static const u32 opts_default = 0;
static const u32 opts_walk = SMB_POSIX_SHARE_NO_OPENAT2 |
			     SMB_POSIX_SHARE_NO_XATTRAT;

static void host_path(const struct fixture *fx, const char *rel, char *out)
{
	snprintf(out, PATH_MAX, "%s/%s", fx->root, rel);
}

static void host_write(const struct fixture *fx, const char *rel,
		       const char *text)
{
	char p[PATH_MAX];
	FILE *f;

	host_path(fx, rel, p);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void host_mkdir(const struct fixture *fx, const char *rel)
{
	char p[PATH_MAX];

	host_path(fx, rel, p);
	assert_int_equal(mkdir(p, 0755), 0);
}

static void host_symlink(const struct fixture *fx, const char *rel,
			 const char *target)
{
	char p[PATH_MAX];

	host_path(fx, rel, p);
	assert_int_equal(symlink(target, p), 0);
}

static bool host_exists(const char *abs)
{
	struct stat sb;

	return lstat(abs, &sb) == 0;
}

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	char secret[PATH_MAX + 16];
	FILE *f;

	assert_non_null(fx);
	fx->opts = *state ? *(const u32 *)*state : 0;
	/* TEST_VFS_DIR picks the file system under test (default /tmp). */
	snprintf(fx->base, sizeof(fx->base), "%s/test_vfs_posix.XXXXXX",
		 getenv("TEST_VFS_DIR") ? getenv("TEST_VFS_DIR") : "/tmp");
	assert_non_null(mkdtemp(fx->base));
	snprintf(fx->root, sizeof(fx->root), "%s/root", fx->base);
	snprintf(fx->outside, sizeof(fx->outside), "%s/outside", fx->base);
	assert_int_equal(mkdir(fx->root, 0755), 0);
	assert_int_equal(mkdir(fx->outside, 0755), 0);
	snprintf(secret, sizeof(secret), "%s/secret", fx->outside);
	f = fopen(secret, "w");
	assert_non_null(f);
	fputs("top secret", f);
	fclose(f);
	umask(022);
	fx->ops = smb_posix_vfs_ops();
	assert_int_equal(smb_posix_share_open_opts(fx->root, fx->opts,
						   &fx->share),
			 STATUS_SUCCESS);
	*state = fx;
	return 0;
}

static int rm_entry(const char *p, const struct stat *sb, int flag,
		    struct FTW *ftw)
{
	return remove(p);
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	fx->ops->share_close(fx->share);
	nftw(fx->base, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(fx);
	return 0;
}

static u32 do_open(struct fixture *fx, const char *path, u32 flags,
		   struct smb_vfs_file **f, struct smb_stat *st, bool *created)
{
	struct smb_stat tmp;
	bool c;

	return fx->ops->open(fx->share, path, flags, 0644, f, st ? st : &tmp,
			     created ? created : &c);
}

/* Expect open to fail with want, and to hand back no file. */
static void open_fails(struct fixture *fx, const char *path, u32 flags,
		       u32 want)
{
	struct smb_vfs_file *f = (void *)1;

	assert_int_equal(do_open(fx, path, flags, &f, NULL, NULL), want);
	assert_null(f);
}

static void read_all(struct fixture *fx, const char *path, char *buf,
		     size_t size)
{
	struct smb_vfs_file *f;
	size_t done;

	assert_int_equal(do_open(fx, path, SMB_VFS_O_READ, &f, NULL, NULL),
			 STATUS_SUCCESS);
	assert_int_equal(fx->ops->pread(f, buf, size - 1, 0, &done),
			 STATUS_SUCCESS);
	buf[done] = '\0';
	fx->ops->close(f);
}

static bool xattrs_supported(struct fixture *fx)
{
	char p[PATH_MAX];

	host_write(fx, "xattr_probe", "");
	host_path(fx, "xattr_probe", p);
	if (setxattr(p, "user.probe", "1", 1, 0)) {
		print_message("skipping xattr assertions: %s has no user "
			      "xattrs (%s)\n",
			      fx->root, strerror(errno));
		unlink(p);
		return false;
	}
	unlink(p);
	return true;
}

/* ---- files ------------------------------------------------------------ */

static void test_create_write_read(void **state)
{
	struct fixture *fx = *state;
	const u32 rw = SMB_VFS_O_READ | SMB_VFS_O_WRITE;
	struct smb_vfs_setattr sa = { 0 };
	struct smb_vfs_file *f;
	struct smb_stat st;
	bool created = false;
	char buf[256];
	size_t done;

	assert_int_equal(do_open(fx, "a.txt", rw | SMB_VFS_O_CREATE, &f, &st,
				 &created),
			 STATUS_SUCCESS);
	assert_true(created);
	assert_false(st.is_dir);
	assert_int_equal(st.size, 0);
	assert_true(S_ISREG(st.mode));
	assert_int_equal(st.mode & 0777, 0644 & ~022);
	assert_int_equal(st.attributes, FILE_ATTRIBUTE_ARCHIVE);

	assert_int_equal(fx->ops->pwrite(f, "hello world", 11, 0, &done),
			 STATUS_SUCCESS);
	assert_int_equal(done, 11);
	assert_int_equal(fx->ops->pwrite(f, "x", 0, 3, &done), STATUS_SUCCESS);
	assert_int_equal(done, 0);
	assert_int_equal(fx->ops->pread(f, buf, 5, 6, &done), STATUS_SUCCESS);
	assert_int_equal(done, 5);
	assert_memory_equal(buf, "world", 5);
	/* Short read at the end, nothing past it. */
	assert_int_equal(fx->ops->pread(f, buf, sizeof(buf), 8, &done),
			 STATUS_SUCCESS);
	assert_int_equal(done, 3);
	assert_int_equal(fx->ops->pread(f, buf, 10, 100, &done),
			 STATUS_SUCCESS);
	assert_int_equal(done, 0);
	assert_int_equal(fx->ops->pread(f, buf, 10, UINT64_MAX, &done),
			 STATUS_INVALID_PARAMETER);
	assert_int_equal(fx->ops->pwrite(f, "x", 1, (u64)INT64_MAX + 1, &done),
			 STATUS_INVALID_PARAMETER);
	assert_int_equal(fx->ops->fsync(f), STATUS_SUCCESS);

	/* Truncate, then extend with zeros. */
	sa.valid = SMB_VFS_SET_SIZE;
	sa.size = 5;
	assert_int_equal(fx->ops->setattr(f, &sa), STATUS_SUCCESS);
	assert_int_equal(fx->ops->fstat(f, &st), STATUS_SUCCESS);
	assert_int_equal(st.size, 5);
	sa.size = 4096 * 4;
	assert_int_equal(fx->ops->setattr(f, &sa), STATUS_SUCCESS);
	assert_int_equal(fx->ops->pread(f, buf, 8, 4, &done), STATUS_SUCCESS);
	assert_int_equal(done, 8);
	assert_memory_equal(buf, "o\0\0\0\0\0\0\0", 8);
	/* An allocation size below EOF cuts the file; above it keeps it. */
	sa.valid = SMB_VFS_SET_ALLOC;
	sa.size = 3;
	assert_int_equal(fx->ops->setattr(f, &sa), STATUS_SUCCESS);
	assert_int_equal(fx->ops->fstat(f, &st), STATUS_SUCCESS);
	assert_int_equal(st.size, 3);
	sa.size = 1 << 20;
	assert_int_equal(fx->ops->setattr(f, &sa), STATUS_SUCCESS);
	assert_int_equal(fx->ops->fstat(f, &st), STATUS_SUCCESS);
	assert_int_equal(st.size, 3);
	sa.valid = SMB_VFS_SET_SIZE;
	sa.size = UINT64_MAX;
	assert_int_equal(fx->ops->setattr(f, &sa), STATUS_INVALID_PARAMETER);
	fx->ops->close(f);

	/* Open-if on an existing file does not create; create-new collides. */
	created = true;
	assert_int_equal(do_open(fx, "a.txt", rw | SMB_VFS_O_CREATE, &f, &st,
				 &created),
			 STATUS_SUCCESS);
	assert_false(created);
	assert_int_equal(st.size, 3);
	fx->ops->close(f);
	open_fails(fx, "a.txt", rw | SMB_VFS_O_CREATE | SMB_VFS_O_EXCL,
		   STATUS_OBJECT_NAME_COLLISION);

	/* Overwrite. */
	assert_int_equal(do_open(fx, "a.txt", SMB_VFS_O_WRITE | SMB_VFS_O_TRUNC,
				 &f, &st, &created),
			 STATUS_SUCCESS);
	assert_false(created);
	assert_int_equal(st.size, 0);
	fx->ops->close(f);

	/* A read-only handle cannot write or resize. */
	host_write(fx, "b.txt", "bbb");
	assert_int_equal(do_open(fx, "b.txt", SMB_VFS_O_READ, &f, NULL, NULL),
			 STATUS_SUCCESS);
	assert_int_not_equal(fx->ops->pwrite(f, "x", 1, 0, &done),
			     STATUS_SUCCESS);
	sa.valid = SMB_VFS_SET_SIZE;
	sa.size = 1;
	assert_int_equal(fx->ops->setattr(f, &sa), STATUS_ACCESS_DENIED);
	fx->ops->close(f);
	read_all(fx, "b.txt", buf, sizeof(buf));
	assert_string_equal(buf, "bbb");

	/* Write-only create. */
	assert_int_equal(do_open(fx, "w.txt",
				 SMB_VFS_O_WRITE | SMB_VFS_O_CREATE, &f, NULL,
				 &created),
			 STATUS_SUCCESS);
	assert_true(created);
	assert_int_equal(fx->ops->pwrite(f, "abc", 3, 2, &done),
			 STATUS_SUCCESS);
	assert_int_not_equal(fx->ops->pread(f, buf, 3, 0, &done),
			     STATUS_SUCCESS);
	fx->ops->close(f);
	read_all(fx, "w.txt", buf, sizeof(buf));
	assert_memory_equal(buf, "\0\0abc", 6);
}

/* Opens that must fail, with the status they must give. */
static const struct {
	const char *path;
	u32 flags;
	u32 want;
} open_cases[] = {
	{ "missing", SMB_VFS_O_READ, STATUS_OBJECT_NAME_NOT_FOUND },
	{ "missing/x", SMB_VFS_O_READ, STATUS_OBJECT_PATH_NOT_FOUND },
	{ "missing/x", SMB_VFS_O_READ | SMB_VFS_O_CREATE,
	  STATUS_OBJECT_PATH_NOT_FOUND },
	{ "missing/x", SMB_VFS_O_CREATE | SMB_VFS_O_DIRECTORY,
	  STATUS_OBJECT_PATH_NOT_FOUND },
	{ "file/x", SMB_VFS_O_READ, STATUS_OBJECT_PATH_NOT_FOUND },
	{ "file/x", SMB_VFS_O_READ | SMB_VFS_O_CREATE,
	  STATUS_OBJECT_PATH_NOT_FOUND },
	{ "file/x", SMB_VFS_O_CREATE | SMB_VFS_O_DIRECTORY,
	  STATUS_OBJECT_PATH_NOT_FOUND },
	{ "dir/missing", SMB_VFS_O_READ, STATUS_OBJECT_NAME_NOT_FOUND },
	{ "dir", SMB_VFS_O_READ | SMB_VFS_O_NOT_DIRECTORY,
	  STATUS_FILE_IS_A_DIRECTORY },
	{ "dir", SMB_VFS_O_READ | SMB_VFS_O_NOT_DIRECTORY | SMB_VFS_O_CREATE,
	  STATUS_FILE_IS_A_DIRECTORY },
	{ "dir", SMB_VFS_O_WRITE | SMB_VFS_O_TRUNC,
	  STATUS_FILE_IS_A_DIRECTORY },
	{ "file", SMB_VFS_O_READ | SMB_VFS_O_DIRECTORY,
	  STATUS_NOT_A_DIRECTORY },
	{ "file", SMB_VFS_O_CREATE | SMB_VFS_O_DIRECTORY,
	  STATUS_NOT_A_DIRECTORY },
	{ "file", SMB_VFS_O_CREATE | SMB_VFS_O_DIRECTORY | SMB_VFS_O_EXCL,
	  STATUS_OBJECT_NAME_COLLISION },
	{ "file", SMB_VFS_O_CREATE | SMB_VFS_O_EXCL | SMB_VFS_O_WRITE,
	  STATUS_OBJECT_NAME_COLLISION },
	{ "x", SMB_VFS_O_DIRECTORY | SMB_VFS_O_NOT_DIRECTORY,
	  STATUS_INVALID_PARAMETER },
	{ "x", SMB_VFS_O_DIRECTORY | SMB_VFS_O_TRUNC,
	  STATUS_INVALID_PARAMETER },
	{ "", SMB_VFS_O_READ | SMB_VFS_O_NOT_DIRECTORY,
	  STATUS_FILE_IS_A_DIRECTORY },
	{ "", SMB_VFS_O_CREATE | SMB_VFS_O_EXCL, STATUS_OBJECT_NAME_COLLISION },
};

static void test_open_statuses(void **state)
{
	struct fixture *fx = *state;
	static const char *const bad[] = {
		"/abs", "a/../b", "./a", "a//b", "a/", "..", ".", "a/.", "../x",
	};
	char longname[400], p[PATH_MAX];
	struct smb_vfs_file *f;
	struct smb_stat st;
	bool created;
	size_t done;
	char buf[8];

	host_write(fx, "file", "data");
	host_mkdir(fx, "dir");
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		open_fails(fx, bad[i], SMB_VFS_O_READ | SMB_VFS_O_CREATE,
			   STATUS_OBJECT_NAME_INVALID);
	memset(longname, 'n', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	open_fails(fx, longname, SMB_VFS_O_READ | SMB_VFS_O_CREATE,
		   STATUS_OBJECT_NAME_INVALID);

	for (size_t i = 0; i < ARRAY_SIZE(open_cases); i++)
		open_fails(fx, open_cases[i].path, open_cases[i].flags,
			   open_cases[i].want);

	/* A directory opened for writing is still a (read-only) directory. */
	assert_int_equal(do_open(fx, "dir", SMB_VFS_O_WRITE, &f, &st, NULL),
			 STATUS_SUCCESS);
	assert_true(st.is_dir);
	assert_int_equal(fx->ops->pwrite(f, "x", 1, 0, &done),
			 STATUS_ACCESS_DENIED);
	assert_int_not_equal(fx->ops->pread(f, buf, 1, 0, &done),
			     STATUS_SUCCESS);
	fx->ops->close(f);

	/* The root. */
	assert_int_equal(do_open(fx, "", SMB_VFS_O_READ, &f, &st, NULL),
			 STATUS_SUCCESS);
	assert_true(st.is_dir);
	fx->ops->close(f);
	created = true;
	assert_int_equal(do_open(fx, "", SMB_VFS_O_CREATE | SMB_VFS_O_DIRECTORY,
				 &f, &st, &created),
			 STATUS_SUCCESS);
	assert_false(created);
	fx->ops->close(f);

	/* Attribute-only opens. */
	assert_int_equal(do_open(fx, "file", SMB_VFS_O_PATH_ONLY, &f, &st,
				 NULL),
			 STATUS_SUCCESS);
	assert_int_equal(st.size, 4);
	fx->ops->close(f);

	/* A FIFO is never opened for data (that could block forever). */
	host_path(fx, "fifo", p);
	assert_int_equal(mkfifo(p, 0644), 0);
	open_fails(fx, "fifo", SMB_VFS_O_READ, STATUS_ACCESS_DENIED);
	open_fails(fx, "fifo", SMB_VFS_O_WRITE | SMB_VFS_O_CREATE,
		   STATUS_ACCESS_DENIED);
	assert_int_equal(do_open(fx, "fifo", SMB_VFS_O_PATH_ONLY, &f, &st,
				 NULL),
			 STATUS_SUCCESS);
	assert_true(S_ISFIFO(st.mode));
	assert_int_equal(fx->ops->pread(f, buf, 1, 0, &done),
			 STATUS_ACCESS_DENIED);
	fx->ops->close(f);
}

static void test_directories(void **state)
{
	struct fixture *fx = *state;
	const u32 mkd = SMB_VFS_O_CREATE | SMB_VFS_O_DIRECTORY;
	struct smb_vfs_file *f;
	struct smb_stat st;
	bool created = false;
	struct stat sb;
	char p[PATH_MAX];

	assert_int_equal(fx->ops->open(fx->share, "d", mkd, 0750, &f, &st,
				       &created),
			 STATUS_SUCCESS);
	assert_true(created);
	assert_true(st.is_dir);
	assert_int_equal(st.mode & 0777, 0750);
	assert_int_equal(st.attributes, FILE_ATTRIBUTE_DIRECTORY);
	fx->ops->close(f);
	host_path(fx, "d", p);
	assert_int_equal(stat(p, &sb), 0);
	assert_true(S_ISDIR(sb.st_mode));

	assert_int_equal(do_open(fx, "d", mkd, &f, &st, &created),
			 STATUS_SUCCESS);
	assert_false(created);
	fx->ops->close(f);
	open_fails(fx, "d", mkd | SMB_VFS_O_EXCL, STATUS_OBJECT_NAME_COLLISION);

	assert_int_equal(do_open(fx, "d/e", mkd, &f, &st, &created),
			 STATUS_SUCCESS);
	assert_true(created);
	fx->ops->close(f);
	assert_int_equal(do_open(fx, "d/e/f.txt",
				 SMB_VFS_O_CREATE | SMB_VFS_O_WRITE, &f, &st,
				 &created),
			 STATUS_SUCCESS);
	assert_true(created);
	fx->ops->close(f);
	host_path(fx, "d/e/f.txt", p);
	assert_true(host_exists(p));
}

/* ---- listing ----------------------------------------------------------- */

struct listing {
	char names[64][64];
	struct smb_stat st[64];
	int n;
};

static void list_dir(struct fixture *fx, struct smb_vfs_file *d,
		     struct listing *l)
{
	struct smb_vfs_dirent *ent = malloc(sizeof(*ent));
	u32 status;

	assert_non_null(ent);
	l->n = 0;
	while ((status = fx->ops->readdir(d, ent)) == STATUS_SUCCESS) {
		assert_true(l->n < 64);
		assert_true(strlen(ent->name) < 64);
		strcpy(l->names[l->n], ent->name);
		l->st[l->n] = ent->st;
		l->n++;
	}
	assert_int_equal(status, STATUS_NO_MORE_FILES);
	/* And it stays at the end. */
	assert_int_equal(fx->ops->readdir(d, ent), STATUS_NO_MORE_FILES);
	free(ent);
}

static const struct smb_stat *find(const struct listing *l, const char *name)
{
	for (int i = 0; i < l->n; i++)
		if (!strcmp(l->names[i], name))
			return &l->st[i];
	return NULL;
}

static void test_readdir(void **state)
{
	struct fixture *fx = *state;
	struct listing *l = malloc(sizeof(*l));
	struct smb_vfs_file *d, *root;
	struct smb_stat dst, rst;
	const struct smb_stat *e;
	struct smb_vfs_dirent ent;

	assert_non_null(l);
	host_mkdir(fx, "d");
	host_write(fx, "d/f1", "12345");
	host_write(fx, "d/f2", "");
	host_mkdir(fx, "d/s");

	assert_int_equal(do_open(fx, "d", SMB_VFS_O_READ | SMB_VFS_O_DIRECTORY,
				 &d, &dst, NULL),
			 STATUS_SUCCESS);
	assert_int_equal(do_open(fx, "", SMB_VFS_O_READ, &root, &rst, NULL),
			 STATUS_SUCCESS);
	list_dir(fx, d, l);
	assert_int_equal(l->n, 5);
	assert_non_null(e = find(l, "."));
	assert_int_equal(e->ino, dst.ino);
	assert_true(e->is_dir);
	assert_non_null(e = find(l, ".."));
	assert_int_equal(e->ino, rst.ino);
	assert_non_null(e = find(l, "f1"));
	assert_int_equal(e->size, 5);
	assert_false(e->is_dir);
	assert_int_equal(e->attributes, FILE_ATTRIBUTE_ARCHIVE);
	assert_non_null(e = find(l, "f2"));
	assert_int_equal(e->size, 0);
	assert_non_null(e = find(l, "s"));
	assert_true(e->is_dir);
	assert_int_equal(e->attributes, FILE_ATTRIBUTE_DIRECTORY);

	/* Rewind gives the same listing again. */
	assert_int_equal(fx->ops->rewinddir(d), STATUS_SUCCESS);
	list_dir(fx, d, l);
	assert_int_equal(l->n, 5);
	fx->ops->close(d);

	/* The root's ".." is the root itself, never what lies above. */
	list_dir(fx, root, l);
	assert_non_null(e = find(l, ".."));
	assert_int_equal(e->ino, rst.ino);
	assert_int_equal(e->dev, rst.dev);
	assert_non_null(find(l, "d"));
	fx->ops->close(root);

	/* Not a directory. */
	assert_int_equal(do_open(fx, "d/f1", SMB_VFS_O_READ, &d, NULL, NULL),
			 STATUS_SUCCESS);
	assert_int_equal(fx->ops->readdir(d, &ent), STATUS_INVALID_PARAMETER);
	assert_int_equal(fx->ops->rewinddir(d), STATUS_INVALID_PARAMETER);
	fx->ops->close(d);
	free(l);
}

/* Enough entries to need several getdents64 buffers. */
static void test_readdir_large(void **state)
{
	struct fixture *fx = *state;
	struct smb_vfs_dirent *ent = malloc(sizeof(*ent));
	const int count = 3000;
	struct smb_vfs_file *d;
	char *seen = calloc((size_t)count, 1);
	char name[32];
	int n = 0, dots = 0;

	assert_non_null(ent);
	assert_non_null(seen);
	host_mkdir(fx, "big");
	for (int i = 0; i < count; i++) {
		snprintf(name, sizeof(name), "big/entry-%05d", i);
		host_write(fx, name, "");
	}
	assert_int_equal(do_open(fx, "big", SMB_VFS_O_READ, &d, NULL, NULL),
			 STATUS_SUCCESS);
	for (int pass = 0; pass < 2; pass++) {
		memset(seen, 0, (size_t)count);
		n = dots = 0;
		while (fx->ops->readdir(d, ent) == STATUS_SUCCESS) {
			int i;

			if (!strcmp(ent->name, ".") ||
			    !strcmp(ent->name, "..")) {
				dots++;
				continue;
			}
			assert_int_equal(sscanf(ent->name, "entry-%d", &i), 1);
			assert_true(i >= 0 && i < count);
			assert_false(seen[i]);
			seen[i] = 1;
			n++;
		}
		assert_int_equal(n, count);
		assert_int_equal(dots, 2);
		assert_int_equal(fx->ops->rewinddir(d), STATUS_SUCCESS);
	}
	fx->ops->close(d);
	free(seen);
	free(ent);
}

/* ---- namespace ----------------------------------------------------------- */

/* One namespace operation and the status it must give. */
enum ns_op { NS_UNLINK, NS_RMDIR, NS_RENAME, NS_RENAME_REPLACE };
struct ns_case {
	enum ns_op op;
	const char *path, *to;
	u32 want;
};

static void run_ns_cases(struct fixture *fx, const struct ns_case *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		u32 got;

		switch (c[i].op) {
		case NS_UNLINK:
			got = fx->ops->unlink(fx->share, c[i].path);
			break;
		case NS_RMDIR:
			got = fx->ops->rmdir(fx->share, c[i].path);
			break;
		default:
			got = fx->ops->rename(fx->share, c[i].path, c[i].to,
					      c[i].op == NS_RENAME_REPLACE);
			break;
		}
		if (got != c[i].want)
			print_error("case %zu (%s): 0x%08x\n", i, c[i].path,
				    got);
		assert_int_equal(got, c[i].want);
	}
}

static void test_unlink_rmdir(void **state)
{
	struct fixture *fx = *state;
	static const struct ns_case cases[] = {
		{ NS_UNLINK, "missing", NULL, STATUS_OBJECT_NAME_NOT_FOUND },
		{ NS_UNLINK, "nodir/x", NULL, STATUS_OBJECT_PATH_NOT_FOUND },
		{ NS_UNLINK, "f/x", NULL, STATUS_OBJECT_PATH_NOT_FOUND },
		{ NS_UNLINK, "d", NULL, STATUS_FILE_IS_A_DIRECTORY },
		{ NS_UNLINK, "", NULL, STATUS_ACCESS_DENIED },
		{ NS_UNLINK, "../outside/secret", NULL,
		  STATUS_OBJECT_NAME_INVALID },
		{ NS_UNLINK, "d/", NULL, STATUS_OBJECT_NAME_INVALID },
		{ NS_RMDIR, "d", NULL, STATUS_DIRECTORY_NOT_EMPTY },
		{ NS_RMDIR, "f", NULL, STATUS_NOT_A_DIRECTORY },
		{ NS_RMDIR, "", NULL, STATUS_ACCESS_DENIED },
		{ NS_RMDIR, "missing", NULL, STATUS_OBJECT_NAME_NOT_FOUND },
		{ NS_UNLINK, "f", NULL, STATUS_SUCCESS },
		{ NS_UNLINK, "d/inner", NULL, STATUS_SUCCESS },
		{ NS_RMDIR, "d", NULL, STATUS_SUCCESS },
		{ NS_RMDIR, "empty", NULL, STATUS_SUCCESS },
	};
	char p[PATH_MAX];

	host_write(fx, "f", "x");
	host_mkdir(fx, "d");
	host_write(fx, "d/inner", "x");
	host_mkdir(fx, "empty");
	run_ns_cases(fx, cases, ARRAY_SIZE(cases));
	host_path(fx, "d", p);
	assert_false(host_exists(p));
	host_path(fx, "f", p);
	assert_false(host_exists(p));
}

static void test_rename(void **state)
{
	struct fixture *fx = *state;
	static const struct ns_case fail[] = {
		{ NS_RENAME, "a", "b", STATUS_OBJECT_NAME_COLLISION },
		{ NS_RENAME, "missing", "x", STATUS_OBJECT_NAME_NOT_FOUND },
		{ NS_RENAME, "a", "nodir/x", STATUS_OBJECT_PATH_NOT_FOUND },
		{ NS_RENAME, "nodir/x", "y", STATUS_OBJECT_PATH_NOT_FOUND },
		/* Renaming onto a directory never replaces it. */
		{ NS_RENAME_REPLACE, "a", "d/sub", STATUS_ACCESS_DENIED },
		{ NS_RENAME_REPLACE, "d", "b", STATUS_ACCESS_DENIED },
		/* A directory into itself. */
		{ NS_RENAME, "d", "d/sub/d", STATUS_INVALID_PARAMETER },
		{ NS_RENAME, "", "x", STATUS_ACCESS_DENIED },
		{ NS_RENAME_REPLACE, "d", "", STATUS_ACCESS_DENIED },
		{ NS_RENAME_REPLACE, "d", "../escaped",
		  STATUS_OBJECT_NAME_INVALID },
	};
	static const struct ns_case moves[] = {
		{ NS_RENAME_REPLACE, "a", "b", STATUS_SUCCESS },
		{ NS_RENAME, "b", "d/c", STATUS_SUCCESS },
		{ NS_RENAME, "d", "moved", STATUS_SUCCESS },
	};
	char buf[64], p[PATH_MAX];

	host_write(fx, "a", "AAA");
	host_write(fx, "b", "BBB");
	host_mkdir(fx, "d");
	host_mkdir(fx, "d/sub");
	run_ns_cases(fx, fail, ARRAY_SIZE(fail));
	read_all(fx, "b", buf, sizeof(buf));
	assert_string_equal(buf, "BBB");
	run_ns_cases(fx, moves, ARRAY_SIZE(moves));
	host_path(fx, "a", p);
	assert_false(host_exists(p));
	host_path(fx, "b", p);
	assert_false(host_exists(p));
	read_all(fx, "moved/c", buf, sizeof(buf));
	assert_string_equal(buf, "AAA");
}

/* ---- metadata ------------------------------------------------------------ */

/* The attributes test_dos_attributes leaves, as a root listing sees them. */
/* SMB names are case-insensitive: lookups fall back to the on-disk case. */
static void test_case_insensitive(void **state)
{
	struct fixture *fx = *state;
	struct smb_vfs_file *f;
	char buf[64], p[PATH_MAX];
	bool created = true;

	host_mkdir(fx, "Dir");
	host_write(fx, "Dir/File.TXT", "data");
	read_all(fx, "dir/file.txt", buf, sizeof(buf));
	assert_string_equal(buf, "data");
	read_all(fx, "DIR/FILE.txt", buf, sizeof(buf));
	assert_string_equal(buf, "data");
	/* Creating an existing name in another case opens that file. */
	assert_int_equal(do_open(fx, "dir/FILE.txt",
				 SMB_VFS_O_READ | SMB_VFS_O_CREATE, &f, NULL,
				 &created),
			 STATUS_SUCCESS);
	assert_false(created);
	fx->ops->close(f);
	host_path(fx, "Dir/FILE.txt", p);
	assert_false(host_exists(p));
	/* A new name keeps its spelling, in the existing directory. */
	assert_int_equal(do_open(fx, "DIR/New.txt",
				 SMB_VFS_O_WRITE | SMB_VFS_O_CREATE, &f, NULL,
				 &created),
			 STATUS_SUCCESS);
	assert_true(created);
	fx->ops->close(f);
	host_path(fx, "Dir/New.txt", p);
	assert_true(host_exists(p));
	/* A change of case only renames, and other names find their file. */
	assert_int_equal(fx->ops->rename(fx->share, "dir/new.txt",
					 "dir/NEW.TXT", false),
			 STATUS_SUCCESS);
	host_path(fx, "Dir/NEW.TXT", p);
	assert_true(host_exists(p));
	assert_int_equal(fx->ops->rename(fx->share, "dir/new.txt",
					 "dir/file.txt", false),
			 STATUS_OBJECT_NAME_COLLISION);
	assert_int_equal(fx->ops->unlink(fx->share, "DIR/new.TXT"),
			 STATUS_SUCCESS);
	host_path(fx, "Dir/NEW.TXT", p);
	assert_false(host_exists(p));
	assert_int_equal(fx->ops->unlink(fx->share, "dir/missing"),
			 STATUS_OBJECT_NAME_NOT_FOUND);
}

static void check_listed_attrs(struct fixture *fx, struct smb_vfs_share *sh)
{
	struct listing *l = malloc(sizeof(*l));
	const struct smb_stat *e;
	struct smb_vfs_file *d;
	struct smb_stat st;
	bool created;

	assert_non_null(l);
	assert_int_equal(fx->ops->open(sh, "", SMB_VFS_O_READ, 0, &d, &st,
				       &created),
			 STATUS_SUCCESS);
	list_dir(fx, d, l);
	fx->ops->close(d);
	assert_non_null(e = find(l, "f"));
	assert_int_equal(e->attributes,
			 FILE_ATTRIBUTE_SYSTEM | FILE_ATTRIBUTE_ARCHIVE);
	assert_non_null(e = find(l, "d"));
	assert_int_equal(e->attributes,
			 FILE_ATTRIBUTE_DIRECTORY | FILE_ATTRIBUTE_HIDDEN);
	free(l);
}

static void test_dos_attributes(void **state)
{
	struct fixture *fx = *state;
	struct smb_vfs_setattr sa = { .valid = SMB_VFS_SET_ATTRIBUTES };
	struct smb_vfs_share *walk_share;
	struct smb_vfs_file *f, *d;
	struct smb_stat st;

	host_write(fx, "f", "x");
	host_mkdir(fx, "d");
	assert_int_equal(do_open(fx, "f", SMB_VFS_O_WRITE, &f, &st, NULL),
			 STATUS_SUCCESS);
	assert_int_equal(st.attributes, FILE_ATTRIBUTE_ARCHIVE);
	sa.attributes = FILE_ATTRIBUTE_HIDDEN | FILE_ATTRIBUTE_READONLY |
			FILE_ATTRIBUTE_DIRECTORY | FILE_ATTRIBUTE_TEMPORARY;
	assert_int_equal(fx->ops->setattr(f, &sa), STATUS_SUCCESS);
	assert_int_equal(fx->ops->fstat(f, &st), STATUS_SUCCESS);
	if (!xattrs_supported(fx)) {
		assert_int_equal(st.attributes, FILE_ATTRIBUTE_ARCHIVE);
		fx->ops->close(f);
		return;
	}
	assert_int_equal(st.attributes,
			 FILE_ATTRIBUTE_HIDDEN | FILE_ATTRIBUTE_READONLY);
	sa.attributes = FILE_ATTRIBUTE_NORMAL;
	assert_int_equal(fx->ops->setattr(f, &sa), STATUS_SUCCESS);
	assert_int_equal(fx->ops->fstat(f, &st), STATUS_SUCCESS);
	assert_int_equal(st.attributes, FILE_ATTRIBUTE_NORMAL);
	sa.attributes = FILE_ATTRIBUTE_SYSTEM | FILE_ATTRIBUTE_ARCHIVE;
	assert_int_equal(fx->ops->setattr(f, &sa), STATUS_SUCCESS);
	fx->ops->close(f);

	assert_int_equal(do_open(fx, "d", SMB_VFS_O_PATH_ONLY, &d, &st, NULL),
			 STATUS_SUCCESS);
	sa.attributes = FILE_ATTRIBUTE_HIDDEN;
	assert_int_equal(fx->ops->setattr(d, &sa), STATUS_SUCCESS);
	fx->ops->close(d);

	/* Persisted: a new handle, and the listing, see them. */
	assert_int_equal(do_open(fx, "f", SMB_VFS_O_READ, &f, &st, NULL),
			 STATUS_SUCCESS);
	assert_int_equal(st.attributes,
			 FILE_ATTRIBUTE_SYSTEM | FILE_ATTRIBUTE_ARCHIVE);
	fx->ops->close(f);
	check_listed_attrs(fx, fx->share);
	/* The same through the fallback that opens each entry. */
	assert_int_equal(smb_posix_share_open_opts(fx->root, opts_walk,
						   &walk_share),
			 STATUS_SUCCESS);
	check_listed_attrs(fx, walk_share);
	fx->ops->share_close(walk_share);
}

#define NT_1970 116444736000000000ull

static void test_times(void **state)
{
	struct fixture *fx = *state;
	struct smb_vfs_setattr sa = { 0 };
	struct smb_vfs_file *f;
	struct smb_stat st, st2;
	char p[PATH_MAX];
	struct stat sb;
	/* 2001-09-09T01:46:40.1234567Z and 1950-12-27T13:19:59.75Z */
	const u64 t_write = NT_1970 + 1000000000ull * 10000000 + 1234567;
	const u64 t_access = NT_1970 - 600000000ull * 10000000 - 2500000;
	const u64 t_create = NT_1970 + 500000000ull * 10000000 + 7;

	host_write(fx, "f", "x");
	assert_int_equal(do_open(fx, "f", SMB_VFS_O_WRITE, &f, &st, NULL),
			 STATUS_SUCCESS);
	/* Fresh file: all times close to now and ordered sensibly. */
	assert_true(st.write_time > NT_1970);
	assert_true(st.creation_time <= st.change_time);

	sa.valid = SMB_VFS_SET_WRITE | SMB_VFS_SET_ACCESS;
	sa.write_time = t_write;
	sa.access_time = t_access;
	assert_int_equal(fx->ops->setattr(f, &sa), STATUS_SUCCESS);
	assert_int_equal(fx->ops->fstat(f, &st), STATUS_SUCCESS);
	assert_int_equal(st.write_time, t_write);
	assert_int_equal(st.access_time, t_access);
	host_path(fx, "f", p);
	assert_int_equal(stat(p, &sb), 0);
	assert_int_equal(sb.st_mtim.tv_sec, 1000000000);
	assert_int_equal(sb.st_mtim.tv_nsec, 123456700);
	assert_int_equal(sb.st_atim.tv_sec, -600000001);
	assert_int_equal(sb.st_atim.tv_nsec, 750000000);

	/* Only the write time: access time untouched. */
	sa.valid = SMB_VFS_SET_WRITE;
	sa.write_time = NT_1970;
	assert_int_equal(fx->ops->setattr(f, &sa), STATUS_SUCCESS);
	assert_int_equal(fx->ops->fstat(f, &st), STATUS_SUCCESS);
	assert_int_equal(st.write_time, NT_1970);
	assert_int_equal(st.access_time, t_access);

	/* Change time cannot be set on Linux and is ignored. */
	sa.valid = SMB_VFS_SET_CHANGE;
	sa.change_time = t_write;
	assert_int_equal(fx->ops->setattr(f, &sa), STATUS_SUCCESS);

	sa.valid = SMB_VFS_SET_CREATION;
	sa.creation_time = t_create;
	assert_int_equal(fx->ops->setattr(f, &sa), STATUS_SUCCESS);
	assert_int_equal(fx->ops->fstat(f, &st2), STATUS_SUCCESS);
	if (xattrs_supported(fx))
		assert_int_equal(st2.creation_time, t_create);
	fx->ops->close(f);
}

static void test_statfs(void **state)
{
	struct fixture *fx = *state;
	struct smb_vfs_statfs sf;

	assert_int_equal(fx->ops->statfs(fx->share, &sf), STATUS_SUCCESS);
	assert_true(sf.total_units > 0);
	assert_true(sf.avail_units <= sf.total_units);
	assert_true(sf.free_units <= sf.total_units);
	assert_true(sf.bytes_per_sector > 0);
	assert_true(sf.sectors_per_unit > 0);
	assert_true(sf.max_name_len >= 255);
}

static void test_errno_mapping(void **state)
{
	static const struct {
		int err;
		u32 status;
	} map[] = {
		{ 0, STATUS_SUCCESS },
		{ ENOENT, STATUS_OBJECT_NAME_NOT_FOUND },
		{ ENOTDIR, STATUS_OBJECT_PATH_NOT_FOUND },
		{ EEXIST, STATUS_OBJECT_NAME_COLLISION },
		{ EACCES, STATUS_ACCESS_DENIED },
		{ EPERM, STATUS_ACCESS_DENIED },
		{ EISDIR, STATUS_FILE_IS_A_DIRECTORY },
		{ ENOTEMPTY, STATUS_DIRECTORY_NOT_EMPTY },
		{ ENOSPC, STATUS_DISK_FULL },
		{ EDQUOT, STATUS_DISK_QUOTA_EXCEEDED },
		{ EROFS, STATUS_MEDIA_WRITE_PROTECTED },
		{ ENAMETOOLONG, STATUS_OBJECT_NAME_INVALID },
		{ ELOOP, STATUS_OBJECT_PATH_NOT_FOUND },
		{ EMFILE, STATUS_TOO_MANY_OPENED_FILES },
		{ ENFILE, STATUS_TOO_MANY_OPENED_FILES },
		{ EBADF, STATUS_INVALID_HANDLE },
		{ EINVAL, STATUS_INVALID_PARAMETER },
		{ EFBIG, STATUS_FILE_TOO_LARGE },
		{ EXDEV, STATUS_NOT_SAME_DEVICE },
		{ ENOMEM, STATUS_NO_MEMORY },
		{ 99999, STATUS_UNSUCCESSFUL },
	};

	for (size_t i = 0; i < ARRAY_SIZE(map); i++)
		assert_int_equal(smb_errno_to_status(map[i].err),
				 map[i].status);
}

static void test_share_open_errors(void **state)
{
	struct fixture *fx = *state;
	struct smb_vfs_share *sh = (void *)1;
	char p[PATH_MAX];

	assert_int_equal(fx->ops->share_open(NULL, "/nonexistent/share/dir",
					     &sh),
			 STATUS_BAD_NETWORK_NAME);
	assert_null(sh);
	host_write(fx, "file", "");
	host_path(fx, "file", p);
	assert_int_equal(fx->ops->share_open(NULL, p, &sh),
			 STATUS_BAD_NETWORK_NAME);
	assert_int_equal(fx->ops->share_open(NULL, fx->root, &sh),
			 STATUS_SUCCESS);
	fx->ops->share_close(sh);
}

/*
 * Permission checks need an unprivileged caller: as root the test forks a
 * child that becomes "nobody".  Returns the number of the first failed
 * check (0 = all passed) so a child can report it as its exit status.
 */
static int unprivileged_checks(const struct fixture *fx)
{
	const struct smb_vfs_ops *ops = fx->ops;
	struct smb_vfs_dirent ent;
	struct smb_vfs_share *sh;
	struct smb_vfs_file *f;
	struct smb_stat st;
	size_t done;
	char buf[4];
	bool created;

	if (smb_posix_share_open_opts(fx->root, fx->opts, &sh))
		return 1;
	/* Unreadable file: attribute-only opens fall back to O_PATH. */
	if (ops->open(sh, "noread", SMB_VFS_O_READ, 0, &f, &st, &created) !=
	    STATUS_ACCESS_DENIED)
		return 2;
	if (ops->open(sh, "noread", SMB_VFS_O_PATH_ONLY, 0, &f, &st,
		      &created) ||
	    st.size != 4 || st.attributes != FILE_ATTRIBUTE_ARCHIVE)
		return 3;
	if (ops->fstat(f, &st) || st.size != 4)
		return 4;
	if (ops->pread(f, buf, 1, 0, &done) != STATUS_ACCESS_DENIED)
		return 5;
	ops->close(f);
	/* Unreadable directory: openable for attributes, not listable. */
	if (ops->open(sh, "nolist", SMB_VFS_O_READ, 0, &f, &st, &created) !=
	    STATUS_ACCESS_DENIED)
		return 6;
	if (ops->open(sh, "nolist", SMB_VFS_O_PATH_ONLY, 0, &f, &st,
		      &created) ||
	    !st.is_dir)
		return 7;
	if (ops->readdir(f, &ent) != STATUS_ACCESS_DENIED)
		return 8;
	ops->close(f);
	/* Untraversable directory. */
	if (ops->open(sh, "closed/inner", SMB_VFS_O_PATH_ONLY, 0, &f, &st,
		      &created) != STATUS_ACCESS_DENIED)
		return 9;
	/* Not ours to change. */
	if (ops->unlink(sh, "noread") != STATUS_ACCESS_DENIED)
		return 10;
	if (ops->open(sh, "new", SMB_VFS_O_WRITE | SMB_VFS_O_CREATE, 0644, &f,
		      &st, &created) != STATUS_ACCESS_DENIED)
		return 11;
	ops->share_close(sh);
	return 0;
}

static void test_permissions(void **state)
{
	struct fixture *fx = *state;
	char p[PATH_MAX];
	int status;
	pid_t pid;

	host_write(fx, "noread", "data");
	host_path(fx, "noread", p);
	assert_int_equal(chmod(p, 0), 0);
	host_mkdir(fx, "nolist");
	host_path(fx, "nolist", p);
	assert_int_equal(chmod(p, 0311), 0);
	host_mkdir(fx, "closed");
	host_write(fx, "closed/inner", "x");
	host_path(fx, "closed", p);
	assert_int_equal(chmod(p, 0600), 0);
	assert_int_equal(chmod(fx->base, 0755), 0);
	if (geteuid() != 0) {
		assert_int_equal(unprivileged_checks(fx), 0);
		return;
	}
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (setgid(65534) || setuid(65534))
			_exit(100);
		_exit(unprivileged_checks(fx));
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

struct worker {
	struct fixture *fx;
	struct smb_vfs_file *shared_dir;
	int id, failures;
};

/* Each worker churns its own files and lists a directory handle that all
 * of them share. */
static void *worker_main(void *arg)
{
	struct worker *w = arg;
	const struct smb_vfs_ops *ops = w->fx->ops;
	struct smb_vfs_dirent *ent = malloc(sizeof(*ent));
	char name[32], buf[32];

	for (int i = 0; ent && i < 200; i++) {
		struct smb_vfs_file *f;
		struct smb_stat st;
		size_t done;
		bool created;
		int len = snprintf(buf, sizeof(buf), "w%d-%d", w->id, i);

		snprintf(name, sizeof(name), "t%d", w->id);
		if (ops->open(w->fx->share, name,
			      SMB_VFS_O_READ | SMB_VFS_O_WRITE |
				      SMB_VFS_O_CREATE | SMB_VFS_O_TRUNC,
			      0644, &f, &st, &created) ||
		    ops->pwrite(f, buf, (size_t)len, 0, &done) ||
		    ops->pread(f, buf, sizeof(buf), 0, &done) ||
		    done != (size_t)len) {
			w->failures++;
			continue;
		}
		ops->close(f);
		if (i % 2 && ops->unlink(w->fx->share, name))
			w->failures++;
		if (ops->readdir(w->shared_dir, ent) == STATUS_NO_MORE_FILES)
			ops->rewinddir(w->shared_dir);
	}
	free(ent);
	return NULL;
}

static void test_threads(void **state)
{
	struct fixture *fx = *state;
	struct worker w[4];
	pthread_t th[4];
	struct smb_vfs_file *d;

	for (int i = 0; i < 20; i++) {
		char name[16];

		snprintf(name, sizeof(name), "pre%d", i);
		host_write(fx, name, "");
	}
	assert_int_equal(do_open(fx, "", SMB_VFS_O_READ, &d, NULL, NULL),
			 STATUS_SUCCESS);
	for (int i = 0; i < 4; i++) {
		w[i] = (struct worker){ .fx = fx, .shared_dir = d, .id = i };
		assert_int_equal(
			pthread_create(&th[i], NULL, worker_main, &w[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		assert_int_equal(pthread_join(th[i], NULL), 0);
		assert_int_equal(w[i].failures, 0);
	}
	fx->ops->close(d);
}

/* ---- confinement (run with openat2 and with the fallback walk) --------- */

static void assert_outside_intact(struct fixture *fx)
{
	char p[PATH_MAX + 16], buf[32] = { 0 };
	FILE *f;

	snprintf(p, sizeof(p), "%s/secret", fx->outside);
	f = fopen(p, "r");
	assert_non_null(f);
	assert_non_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	assert_string_equal(buf, "top secret");
	snprintf(p, sizeof(p), "%s/stolen", fx->outside);
	assert_false(host_exists(p));
	snprintf(p, sizeof(p), "%s/new", fx->outside);
	assert_false(host_exists(p));
	snprintf(p, sizeof(p), "%s/newdir", fx->outside);
	assert_false(host_exists(p));
}

static void make_escape_links(struct fixture *fx)
{
	char abs[PATH_MAX + 16];

	host_write(fx, "real.txt", "inside");
	host_mkdir(fx, "sub");
	host_write(fx, "sub/file", "subfile");
	host_symlink(fx, "passwd", "/etc/passwd");
	host_symlink(fx, "up", "../outside/secret");
	host_symlink(fx, "updir", "../outside");
	host_symlink(fx, "sub/esc", "../../outside/secret");
	snprintf(abs, sizeof(abs), "%s/real.txt", fx->root);
	host_symlink(fx, "abs_inside", abs); /* absolute, even if inside */
	host_symlink(fx, "tmp", "/tmp");
	host_symlink(fx, "dang", "../outside/new");
	host_symlink(fx, "proc", "/proc/self/root");
}

static void test_confine_symlinks(void **state)
{
	struct fixture *fx = *state;
	const u32 rd = SMB_VFS_O_READ;
	static const char *const escaping[] = {
		"passwd",     "up",  "updir/secret",	"sub/esc",
		"abs_inside", "tmp", "proc/etc/passwd",
	};
	struct smb_vfs_file *f;
	struct smb_stat st;

	make_escape_links(fx);
	for (size_t i = 0; i < ARRAY_SIZE(escaping); i++) {
		open_fails(fx, escaping[i], rd, STATUS_ACCESS_DENIED);
		open_fails(fx, escaping[i], SMB_VFS_O_PATH_ONLY,
			   STATUS_ACCESS_DENIED);
		open_fails(fx, escaping[i], SMB_VFS_O_WRITE | SMB_VFS_O_CREATE,
			   STATUS_ACCESS_DENIED);
		open_fails(fx, escaping[i],
			   SMB_VFS_O_WRITE | SMB_VFS_O_CREATE | SMB_VFS_O_TRUNC,
			   STATUS_ACCESS_DENIED);
	}
	open_fails(fx, "updir", rd | SMB_VFS_O_DIRECTORY, STATUS_ACCESS_DENIED);
	/* Creating through an escaping directory link or dangling link. */
	open_fails(fx, "updir/new", SMB_VFS_O_WRITE | SMB_VFS_O_CREATE,
		   STATUS_ACCESS_DENIED);
	open_fails(fx, "updir/newdir", SMB_VFS_O_CREATE | SMB_VFS_O_DIRECTORY,
		   STATUS_ACCESS_DENIED);
	open_fails(fx, "dang", SMB_VFS_O_WRITE | SMB_VFS_O_CREATE,
		   STATUS_ACCESS_DENIED);
	open_fails(fx, "dang", SMB_VFS_O_CREATE | SMB_VFS_O_DIRECTORY,
		   STATUS_ACCESS_DENIED);
	/* ".." handed in directly is refused before any lookup. */
	open_fails(fx, "../outside/secret", rd, STATUS_OBJECT_NAME_INVALID);
	open_fails(fx, "sub/../../outside/secret", rd,
		   STATUS_OBJECT_NAME_INVALID);

	/* Links that stay inside work, including via "..". */
	host_symlink(fx, "sub/back", "../real.txt");
	host_symlink(fx, "dlink", "sub");
	host_symlink(fx, "sub/dotty", "./../sub/./file");
	char buf[64];

	read_all(fx, "sub/back", buf, sizeof(buf));
	assert_string_equal(buf, "inside");
	read_all(fx, "dlink/file", buf, sizeof(buf));
	assert_string_equal(buf, "subfile");
	read_all(fx, "sub/dotty", buf, sizeof(buf));
	assert_string_equal(buf, "subfile");
	assert_int_equal(do_open(fx, "dlink", rd | SMB_VFS_O_DIRECTORY, &f, &st,
				 NULL),
			 STATUS_SUCCESS);
	assert_true(st.is_dir);
	fx->ops->close(f);
	assert_outside_intact(fx);
}

static void test_confine_chains_loops(void **state)
{
	struct fixture *fx = *state;
	char buf[64], deep[PATH_MAX];

	make_escape_links(fx);
	host_symlink(fx, "l1", "l2");
	host_symlink(fx, "l2", "sub/l3");
	host_symlink(fx, "sub/l3", "../real.txt");
	read_all(fx, "l1", buf, sizeof(buf));
	assert_string_equal(buf, "inside");

	host_symlink(fx, "e1", "e2");
	host_symlink(fx, "e2", "sub/esc");
	open_fails(fx, "e1", SMB_VFS_O_READ, STATUS_ACCESS_DENIED);

	host_symlink(fx, "loopa", "loopb");
	host_symlink(fx, "loopb", "loopa");
	host_symlink(fx, "self", "self");
	host_symlink(fx, "dirloop", "dirloop/x");
	open_fails(fx, "loopa", SMB_VFS_O_READ, STATUS_OBJECT_PATH_NOT_FOUND);
	open_fails(fx, "self", SMB_VFS_O_READ, STATUS_OBJECT_PATH_NOT_FOUND);
	open_fails(fx, "self/x", SMB_VFS_O_READ, STATUS_OBJECT_PATH_NOT_FOUND);
	open_fails(fx, "dirloop", SMB_VFS_O_READ, STATUS_OBJECT_PATH_NOT_FOUND);

	/* A chain just longer than the hop limit. */
	for (int i = 0; i < 45; i++) {
		char name[32], target[32];

		snprintf(name, sizeof(name), "c%d", i);
		snprintf(target, sizeof(target), "c%d", i + 1);
		host_symlink(fx, name, target);
	}
	host_write(fx, "c45", "end");
	open_fails(fx, "c0", SMB_VFS_O_READ, STATUS_OBJECT_PATH_NOT_FOUND);
	read_all(fx, "c10", buf, sizeof(buf));
	assert_string_equal(buf, "end");

	/* A middle component that is a link to a file. */
	host_symlink(fx, "flink", "real.txt");
	open_fails(fx, "flink/x", SMB_VFS_O_READ, STATUS_OBJECT_PATH_NOT_FOUND);
	/* A dangling link inside the root is not created through. */
	host_symlink(fx, "dangin", "nothere");
	open_fails(fx, "dangin", SMB_VFS_O_READ, STATUS_OBJECT_NAME_NOT_FOUND);
	open_fails(fx, "dangin", SMB_VFS_O_WRITE | SMB_VFS_O_CREATE,
		   STATUS_ACCESS_DENIED);
	host_path(fx, "nothere", deep);
	assert_false(host_exists(deep));
	assert_outside_intact(fx);
}

static void test_confine_namespace(void **state)
{
	struct fixture *fx = *state;
	static const struct ns_case denied[] = {
		/* Rename into, out of, or within an escaping directory link. */
		{ NS_RENAME, "real.txt", "updir/stolen", STATUS_ACCESS_DENIED },
		{ NS_RENAME, "updir/secret", "got", STATUS_ACCESS_DENIED },
		{ NS_RENAME_REPLACE, "updir/secret", "updir/stolen",
		  STATUS_ACCESS_DENIED },
		/* Unlink and rmdir through one. */
		{ NS_UNLINK, "updir/secret", NULL, STATUS_ACCESS_DENIED },
		{ NS_RMDIR, "updir/newdir", NULL, STATUS_ACCESS_DENIED },
		{ NS_UNLINK, "tmp/x", NULL, STATUS_ACCESS_DENIED },
		{ NS_UNLINK, "sub/esc/x", NULL, STATUS_ACCESS_DENIED },
	};
	static const struct ns_case allowed[] = {
		/* Inside links work for namespace operations too. */
		{ NS_RENAME, "real.txt", "dlink/moved", STATUS_SUCCESS },
		{ NS_UNLINK, "dlink/moved", NULL, STATUS_SUCCESS },
		/* Removing an escaping link removes only the link. */
		{ NS_UNLINK, "up", NULL, STATUS_SUCCESS },
		{ NS_UNLINK, "passwd", NULL, STATUS_SUCCESS },
		{ NS_RENAME, "updir", "updir2", STATUS_SUCCESS },
		{ NS_RMDIR, "updir2", NULL, STATUS_NOT_A_DIRECTORY },
	};
	char p[PATH_MAX + 16];

	make_escape_links(fx);
	host_symlink(fx, "dlink", "sub");
	snprintf(p, sizeof(p), "%s/newdir", fx->outside);
	assert_int_equal(mkdir(p, 0755), 0);
	run_ns_cases(fx, denied, ARRAY_SIZE(denied));
	assert_true(host_exists(p));
	assert_int_equal(rmdir(p), 0);
	assert_outside_intact(fx);

	run_ns_cases(fx, allowed, ARRAY_SIZE(allowed));
	assert_true(host_exists("/etc/passwd"));
	snprintf(p, sizeof(p), "%s/sub/moved", fx->root);
	assert_false(host_exists(p));
	snprintf(p, sizeof(p), "%s/real.txt", fx->root);
	assert_false(host_exists(p));
	assert_outside_intact(fx);
}

static void test_confine_listing(void **state)
{
	struct fixture *fx = *state;
	struct listing *l = malloc(sizeof(*l));
	const struct smb_stat *e;
	struct smb_vfs_file *d;
	struct stat passwd, sub;
	char p[PATH_MAX];

	assert_non_null(l);
	make_escape_links(fx);
	host_symlink(fx, "dlink", "sub");
	host_symlink(fx, "flink", "sub/file");
	assert_int_equal(stat("/etc/passwd", &passwd), 0);
	host_path(fx, "sub", p);
	assert_int_equal(stat(p, &sub), 0);

	assert_int_equal(do_open(fx, "", SMB_VFS_O_READ, &d, NULL, NULL),
			 STATUS_SUCCESS);
	list_dir(fx, d, l);
	fx->ops->close(d);
	/* Escaping links show only the link itself. */
	assert_non_null(e = find(l, "passwd"));
	assert_true(S_ISLNK(e->mode));
	assert_false(e->ino == passwd.st_ino && e->dev == passwd.st_dev);
	assert_int_equal(e->size, strlen("/etc/passwd"));
	assert_false(e->is_dir);
	assert_non_null(e = find(l, "updir"));
	assert_true(S_ISLNK(e->mode));
	assert_false(e->is_dir);
	assert_non_null(e = find(l, "dang"));
	assert_true(S_ISLNK(e->mode));
	/* Links that resolve inside show their target. */
	assert_non_null(e = find(l, "dlink"));
	assert_true(e->is_dir);
	assert_int_equal(e->ino, sub.st_ino);
	assert_int_equal(e->attributes, FILE_ATTRIBUTE_DIRECTORY);
	assert_non_null(e = find(l, "flink"));
	assert_true(S_ISREG(e->mode));
	assert_int_equal(e->size, strlen("subfile"));

	/* Listing through a link to a directory inside works. */
	assert_int_equal(do_open(fx, "dlink", SMB_VFS_O_READ, &d, NULL, NULL),
			 STATUS_SUCCESS);
	list_dir(fx, d, l);
	fx->ops->close(d);
	assert_non_null(find(l, "file"));
	assert_non_null(e = find(l, "esc"));
	assert_true(S_ISLNK(e->mode));
	free(l);
}

/* Same test, other resolver: distinct names for the result lines. */
#define WITH(fn, opts, suffix)                                   \
	{                                                        \
#fn suffix, fn, setup, teardown, (void *)&(opts) \
	}
#define BOTH(fn) WITH(fn, opts_default, ""), WITH(fn, opts_walk, "_walk")

struct stream_writer {
	const struct smb_vfs_ops *ops;
	struct smb_vfs_file *f;
	u64 first; /* writes bytes first, first + 2, ... */
};

static void *stream_writer_run(void *arg)
{
	struct stream_writer *sw = arg;
	size_t done;
	u64 off;

	for (off = sw->first; off < 400; off += 2)
		if (sw->ops->pwrite(sw->f, "x", 1, off, &done) || done != 1)
			return arg;
	return NULL;
}

/* Streams, EAs, sparse seeks and server-side copy on the real backend. */
static void test_streams_eas_sparse(void **state)
{
	struct fixture *fx = *state;
	const struct smb_vfs_ops *ops = fx->ops;
	struct smb_vfs_file *base, *s1, *s2, *dst;
	struct smb_stat st;
	struct stream_writer a, b;
	pthread_t ta, tb;
	char name[64], buf[512];
	u8 val[16];
	size_t done, vlen;
	u64 size, pos;
	bool created;
	void *ra, *rb;
	int i;

	host_write(fx, "f", "0123456789");
	assert_int_equal(ops->open(fx->share, "f", SMB_VFS_O_PATH_ONLY, 0,
				   &base, &st, NULL),
			 STATUS_SUCCESS);
	assert_int_equal(ops->stream_open(base, "S",
					  SMB_VFS_O_CREATE | SMB_VFS_O_WRITE |
						  SMB_VFS_O_READ,
					  &s1, &st, &created),
			 STATUS_SUCCESS);
	assert_true(created);
	assert_int_equal(st.size, 0);
	assert_int_equal(ops->stream_open(base, "s", SMB_VFS_O_WRITE, &s2, NULL,
					  &created),
			 STATUS_SUCCESS);
	assert_false(created);
	/* Two threads, two handles, interleaved bytes: none is lost. */
	a = (struct stream_writer){ ops, s1, 0 };
	b = (struct stream_writer){ ops, s2, 1 };
	assert_int_equal(pthread_create(&ta, NULL, stream_writer_run, &a), 0);
	assert_int_equal(pthread_create(&tb, NULL, stream_writer_run, &b), 0);
	pthread_join(ta, &ra);
	pthread_join(tb, &rb);
	assert_null(ra);
	assert_null(rb);
	assert_int_equal(ops->pread(s1, buf, sizeof(buf), 0, &done),
			 STATUS_SUCCESS);
	assert_int_equal(done, 400);
	for (i = 0; i < 400; i++)
		assert_int_equal(buf[i], 'x');
	/* The file's own data is untouched; the listing has the stream. */
	assert_int_equal(ops->fstat(base, &st), STATUS_SUCCESS);
	assert_int_equal(st.size, 10);
	assert_int_equal(ops->stream_list(base, 0, name, sizeof(name), &size),
			 STATUS_SUCCESS);
	assert_string_equal(name, "S");
	assert_int_equal(size, 400);
	assert_int_equal(ops->stream_list(base, 1, name, sizeof(name), &size),
			 STATUS_NO_MORE_FILES);
	assert_int_equal(ops->stream_list(base, 0, name, 1, &size),
			 STATUS_BUFFER_TOO_SMALL);
	/* Names that cannot be xattrs. */
	assert_int_equal(ops->stream_open(base, "a:b", SMB_VFS_O_CREATE, &dst,
					  NULL, NULL),
			 STATUS_OBJECT_NAME_INVALID);
	assert_int_equal(ops->stream_open(base, "", SMB_VFS_O_CREATE, &dst,
					  NULL, NULL),
			 STATUS_OBJECT_NAME_INVALID);
	assert_int_equal(ops->stream_rename(s2, "T", false), STATUS_SUCCESS);
	ops->close(s1);
	ops->close(s2);
	assert_int_equal(ops->stream_remove(base, "t"), STATUS_SUCCESS);
	assert_int_equal(ops->stream_remove(base, "t"),
			 STATUS_OBJECT_NAME_NOT_FOUND);
	/* EAs: set, list, replace, remove (removing a missing one is fine). */
	assert_int_equal(ops->ea_set(base, "EA1", (const u8 *)"v1", 2),
			 STATUS_SUCCESS);
	assert_int_equal(ops->ea_list(base, 0, name, sizeof(name), val,
				      sizeof(val), &vlen),
			 STATUS_SUCCESS);
	assert_string_equal(name, "EA1");
	assert_int_equal(vlen, 2);
	assert_int_equal(ops->ea_list(base, 0, name, sizeof(name), val, 1,
				      &vlen),
			 STATUS_BUFFER_TOO_SMALL);
	assert_int_equal(ops->ea_get(base, "EA1", val, sizeof(val), &vlen),
			 STATUS_SUCCESS);
	assert_int_equal(vlen, 2);
	assert_memory_equal(val, "v1", 2);
	assert_int_equal(ops->ea_get(base, "EA2", val, sizeof(val), &vlen),
			 STATUS_OBJECT_NAME_NOT_FOUND);
	assert_int_equal(ops->ea_get(base, "EA1", val, 1, &vlen),
			 STATUS_BUFFER_TOO_SMALL);
	assert_int_equal(ops->fstat(base, &st), STATUS_SUCCESS);
	assert_int_equal(st.ea_size, 16); /* 8 + "EA1" + NUL + 2 -> 16 */
	assert_int_equal(ops->ea_set(base, "EA1", NULL, 0), STATUS_SUCCESS);
	assert_int_equal(ops->ea_set(base, "EA1", NULL, 0), STATUS_SUCCESS);
	assert_int_equal(ops->ea_list(base, 0, name, sizeof(name), val,
				      sizeof(val), &vlen),
			 STATUS_NO_MORE_FILES);
	ops->close(base);
	/* Sparse: a hole between two written blocks; copy across files. */
	assert_int_equal(ops->open(fx->share, "sp",
				   SMB_VFS_O_CREATE | SMB_VFS_O_READ |
					   SMB_VFS_O_WRITE,
				   0644, &base, &st, NULL),
			 STATUS_SUCCESS);
	assert_int_equal(ops->pwrite(base, "d", 1, 1 << 20, &done),
			 STATUS_SUCCESS);
	assert_int_equal(ops->seek(base, 0, true, &pos), STATUS_SUCCESS);
	assert_int_equal(pos, 0);
	assert_int_equal(ops->seek(base, 0, false, &pos), STATUS_SUCCESS);
	assert_true(pos > 0 && pos <= 1 << 20);
	assert_int_equal(ops->seek(base, (1 << 20) + 1, false, &pos),
			 STATUS_END_OF_FILE);
	assert_int_equal(ops->punch_hole(base, 1 << 20, 1), STATUS_SUCCESS);
	assert_int_equal(ops->pread(base, buf, 1, 1 << 20, &done),
			 STATUS_SUCCESS);
	assert_int_equal(buf[0], 0);
	assert_int_equal(ops->pwrite(base, "abc", 3, 0, &done), STATUS_SUCCESS);
	assert_int_equal(ops->open(fx->share, "copy",
				   SMB_VFS_O_CREATE | SMB_VFS_O_WRITE |
					   SMB_VFS_O_READ,
				   0644, &dst, &st, NULL),
			 STATUS_SUCCESS);
	assert_int_equal(ops->copy_range(base, 0, dst, 5, 3, &size),
			 STATUS_SUCCESS);
	assert_int_equal(size, 3);
	assert_int_equal(ops->pread(dst, buf, 16, 0, &done), STATUS_SUCCESS);
	assert_int_equal(done, 8);
	assert_memory_equal(buf, "\0\0\0\0\0abc", 8);
	ops->close(dst);
	ops->close(base);
}

/*
 * size() is fstat's size without the attribute reads; the data
 * descriptor (for sendfile) exists only for a file's own data.
 */
static void test_size_and_data_fd(void **state)
{
	struct fixture *fx = *state;
	struct smb_vfs_file *f, *path_only, *stream, *dir;
	struct smb_stat st;
	struct stat sb;
	size_t done;
	u64 size = 0;

	assert_int_equal(do_open(fx, "z.bin",
				 SMB_VFS_O_READ | SMB_VFS_O_WRITE |
					 SMB_VFS_O_CREATE,
				 &f, &st, NULL),
			 STATUS_SUCCESS);
	assert_int_equal(fx->ops->pwrite(f, "hello world", 11, 0, &done),
			 STATUS_SUCCESS);
	assert_int_equal(fx->ops->size(f, &size), STATUS_SUCCESS);
	assert_int_equal(size, 11);
	assert_true(smb_posix_file_data_fd(f) >= 0);
	assert_int_equal(fstat(smb_posix_file_data_fd(f), &sb), 0);
	assert_int_equal(sb.st_size, 11);

	assert_int_equal(fx->ops->open(fx->share, "z.bin", SMB_VFS_O_PATH_ONLY,
				       0, &path_only, &st, NULL),
			 STATUS_SUCCESS);
	/* A stream: its own size, and no descriptor of its data. */
	assert_int_equal(fx->ops->stream_open(path_only, "S",
					      SMB_VFS_O_CREATE |
						      SMB_VFS_O_WRITE,
					      &stream, &st, NULL),
			 STATUS_SUCCESS);
	assert_int_equal(fx->ops->pwrite(stream, "abc", 3, 0, &done),
			 STATUS_SUCCESS);
	assert_int_equal(fx->ops->size(stream, &size), STATUS_SUCCESS);
	assert_int_equal(size, 3);
	assert_int_equal(smb_posix_file_data_fd(stream), -1);
	assert_int_equal(fx->ops->size(f, &size), STATUS_SUCCESS);
	assert_int_equal(size, 11);

	assert_int_equal(fx->ops->open(fx->share, "zd",
				       SMB_VFS_O_CREATE | SMB_VFS_O_DIRECTORY,
				       0755, &dir, &st, NULL),
			 STATUS_SUCCESS);
	assert_int_equal(smb_posix_file_data_fd(dir), -1);
	fx->ops->close(dir);
	fx->ops->close(stream);
	fx->ops->close(path_only);
	fx->ops->close(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		WITH(test_create_write_read, opts_default, ""),
		BOTH(test_open_statuses),
		BOTH(test_directories),
		BOTH(test_readdir),
		WITH(test_readdir_large, opts_default, ""),
		BOTH(test_unlink_rmdir),
		BOTH(test_rename),
		BOTH(test_case_insensitive),
		WITH(test_dos_attributes, opts_default, ""),
		WITH(test_times, opts_default, ""),
		WITH(test_statfs, opts_default, ""),
		WITH(test_errno_mapping, opts_default, ""),
		WITH(test_share_open_errors, opts_default, ""),
		BOTH(test_permissions),
		BOTH(test_threads),
		BOTH(test_streams_eas_sparse),
		WITH(test_size_and_data_fd, opts_default, ""),
		BOTH(test_confine_symlinks),
		BOTH(test_confine_chains_loops),
		BOTH(test_confine_namespace),
		BOTH(test_confine_listing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
