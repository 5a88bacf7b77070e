// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vfs_posix.c - struct smb_vfs_ops on a Linux directory tree.
 *
 * Confinement: the share root is held open and every name is resolved
 * relative to it with openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS), so
 * symlinks that stay inside the root work and anything that would leave it
 * fails with EXDEV (reported as STATUS_ACCESS_DENIED).  Kernels without
 * openat2 get a component-by-component walk that never follows a symlink
 * by itself: it reads each link and substitutes its text, refusing
 * absolute targets and ".." above the root.  Namespace operations work on
 * the parent directory's fd plus the final name, so they cannot be steered
 * outside either.
 *
 * Windows metadata that POSIX lacks lives in user xattrs:
 *   user.smbdirect.dosattrib  u32 LE: READONLY, HIDDEN, SYSTEM, ARCHIVE,
 *                             SPARSE_FILE
 *   user.smbdirect.ctime      u64 LE: creation time set by a client (NT)
 *   user.smbdirect.sd         self-relative security descriptor (get_sd)
 *   user.smbdirect.stream.X   the bytes of named stream X
 *   user.smbdirect.ea.X       the value of EA X (upper case)
 * READONLY is kept only in the xattr (it does not touch the mode bits).
 * On file systems without user xattrs nothing persists and nothing fails,
 * except streams and EAs, which are then refused.
 *
 * Creation time: an explicitly set value (the xattr) wins, then the file
 * system's birth time (statx STATX_BTIME), then min(mtime, ctime).  The
 * xattr comes first so a client that sets a creation time reads it back.
 *
 * Directory listings report a symlink's target when the target resolves
 * inside the root (as open() would).  A dangling or escaping symlink is
 * listed with the link's own metadata, so nothing about an outside object
 * leaks, and it can still be deleted.
 *
 * ELOOP (a symlink loop or too many links) is reported as
 * STATUS_OBJECT_PATH_NOT_FOUND: the name cannot be resolved.
 * STATUS_STOPPED_ON_SYMLINK is a warning that needs a symlink error
 * response the core does not build.
 *
 * The only mutable state is per open file (the directory cursor, guarded by
 * a mutex); shares are immutable once opened.
 */
#include "platform.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <time.h>
#include <dirent.h>
#include <unistd.h>

#include "ea.h"
#include "notify_posix.h"
#include "smb2.h"
#include "utf16.h"
#include "vfs_posix.h"

#define XATTR_DOSATTRIB "user.smbdirect.dosattrib"
#define XATTR_CREATION "user.smbdirect.ctime"
/* The NT security descriptor, self-relative, as a client set it. */
#define XATTR_SD "user.smbdirect.sd"
/*
 * Linux cannot set a file's change time, but clients set it (and check it
 * reads back).  The set value is kept with the mtime it was set at, and
 * reported only while the file's data has not changed since.
 */
#define XATTR_CHANGE "user.smbdirect.chtime"
#define DOS_ATTR_MASK                                      \
	(FILE_ATTRIBUTE_READONLY | FILE_ATTRIBUTE_HIDDEN | \
	 FILE_ATTRIBUTE_SYSTEM | FILE_ATTRIBUTE_ARCHIVE |  \
	 FILE_ATTRIBUTE_SPARSE_FILE)

/* 100 ns intervals between 1601-01-01 and 1970-01-01. */
#define NT_EPOCH_DELTA 116444736000000000ull
#define NT_PER_SEC 10000000ull

#define MAX_SYMLINK_HOPS 40
#define LOOKUP_RETRIES 8 /* openat2 EAGAIN and open/replace races */
#define DIRBUF_SIZE 32768
#define IO_CHUNK (1u << 30)

/* getxattrat(2) arrived in Linux 6.13; older headers lack it. */
#ifndef SYS_getxattrat
#if defined(__x86_64__) || defined(__i386__) || defined(__aarch64__) ||   \
	defined(__arm__) || defined(__riscv) || defined(__loongarch__) || \
	defined(__powerpc__) || defined(__s390__)
#define SYS_getxattrat 464
#endif
#endif

#ifndef SYS_listxattrat
#ifdef SYS_getxattrat
#define SYS_listxattrat (SYS_getxattrat + 1) /* 465: added with it */
#endif
#endif

struct xattr_args_compat {
	u64 value;
	u32 size;
	u32 flags;
};

struct smb_vfs_share {
	int root_fd;
	dev_t root_dev;
	ino_t root_ino;
	bool use_openat2;
	bool use_xattrat;
};

struct smb_vfs_file {
	int fd;
	bool is_dir;
	bool path_only; /* an O_PATH fd: no data, no xattrs */
	bool writable;
	dev_t dev;
	ino_t ino;
	struct smb_vfs_share *share;
	char *path; /* relative to the root, as opened */
	char *stream; /* a named stream's xattr; fd is then the file's */
	pthread_mutex_t dir_lock;
	char *dirbuf;
	size_t dir_pos, dir_len;
};

/* The layout getdents64(2) fills in. */
struct kdirent64 {
	u64 d_ino;
	s64 d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

u32 smb_errno_to_status(int err)
{
	switch (err) {
	case 0:
		return STATUS_SUCCESS;
	case ENOENT:
		return STATUS_OBJECT_NAME_NOT_FOUND;
	case ENOTDIR:
	case ELOOP:
		return STATUS_OBJECT_PATH_NOT_FOUND;
	case EEXIST:
		return STATUS_OBJECT_NAME_COLLISION;
	case EACCES:
	case EPERM:
		return STATUS_ACCESS_DENIED;
	case EISDIR:
		return STATUS_FILE_IS_A_DIRECTORY;
	case ENOTEMPTY:
		return STATUS_DIRECTORY_NOT_EMPTY;
	case ENOSPC:
		return STATUS_DISK_FULL;
	case EDQUOT:
		return STATUS_DISK_QUOTA_EXCEEDED;
	case EROFS:
		return STATUS_MEDIA_WRITE_PROTECTED;
	case ENAMETOOLONG:
		return STATUS_OBJECT_NAME_INVALID;
	case EMFILE:
	case ENFILE:
		return STATUS_TOO_MANY_OPENED_FILES;
	case EBADF:
		return STATUS_INVALID_HANDLE;
	case EINVAL:
	case EOVERFLOW:
		return STATUS_INVALID_PARAMETER;
	case EFBIG:
		return STATUS_FILE_TOO_LARGE;
	case EXDEV:
		return STATUS_NOT_SAME_DEVICE;
	case ENOMEM:
		return STATUS_NO_MEMORY;
	case EBUSY:
	case ETXTBSY:
		return STATUS_SHARING_VIOLATION;
	case EMLINK:
		return STATUS_TOO_MANY_LINKS;
	case EOPNOTSUPP:
		return STATUS_NOT_SUPPORTED;
	case ENOSYS:
		return STATUS_NOT_IMPLEMENTED;
	case ENXIO:
	case ENODEV:
		return STATUS_NO_SUCH_DEVICE;
	case EIO:
		return STATUS_DATA_ERROR;
	default:
		return STATUS_UNSUCCESSFUL;
	}
}

/* Errors of a lookup: leaving the root (or losing a rename race while
 * checking that it did not) is an access failure. */
static u32 lookup_status(int err)
{
	if (err == EXDEV || err == EAGAIN)
		return STATUS_ACCESS_DENIED;
	return smb_errno_to_status(err);
}

/* ---- names ---------------------------------------------------------- */

/* The core validates too; a second check costs nothing. */
static bool path_is_valid(const char *path)
{
	const char *p = path;

	if (strlen(path) >= PATH_MAX)
		return false;
	if (!*p)
		return true;
	for (;;) {
		const char *slash = strchr(p, '/');
		size_t n = slash ? (size_t)(slash - p) : strlen(p);

		if (n == 0 || (n == 1 && p[0] == '.') ||
		    (n == 2 && p[0] == '.' && p[1] == '.'))
			return false;
		if (!slash)
			return true;
		p = slash + 1;
	}
}

/* Split a valid, non-empty path: parent (PATH_MAX buffer) and last name. */
static const char *split_path(const char *path, char *parent)
{
	const char *slash = strrchr(path, '/');

	if (!slash) {
		parent[0] = '\0';
		return path;
	}
	memcpy(parent, path, (size_t)(slash - path));
	parent[slash - path] = '\0';
	return slash + 1;
}

/* ---- confined lookup -------------------------------------------------- */

/* Open the real directory named by the components in dirs ("" = root). */
static int walk_dirs(const struct smb_vfs_share *sh, const char *dirs)
{
	int cur = openat(sh->root_fd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	const char *p = dirs;

	if (cur < 0)
		return -errno;
	while (*p) {
		const char *slash = strchr(p, '/');
		size_t n = slash ? (size_t)(slash - p) : strlen(p);
		char name[NAME_MAX + 1];
		int next, err;

		memcpy(name, p, n);
		name[n] = '\0';
		next = openat(cur, name,
			      O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		err = errno;
		close(cur);
		if (next < 0)
			return -err;
		cur = next;
		p = slash ? slash + 1 : p + n;
	}
	return cur;
}

/*
 * Fallback resolver for kernels without openat2: walk one component at a
 * time with O_NOFOLLOW, expanding symlinks by hand.  "done" holds the real
 * directories walked so far, so ".." re-walks from the root instead of
 * trusting the file system's "..".
 */
static int walk_open(const struct smb_vfs_share *sh, const char *path,
		     int flags, mode_t mode)
{
	char *rest = malloc(PATH_MAX), *done = malloc(PATH_MAX);
	char *link = malloc(PATH_MAX), *tmp = malloc(PATH_MAX);
	size_t pos = 0, done_len = 0;
	int hops = 0, cur = -1, ret;

	if (!rest || !done || !link || !tmp) {
		ret = -ENOMEM;
		goto out;
	}
	snprintf(rest, PATH_MAX, "%s", path);
	done[0] = '\0';
	cur = walk_dirs(sh, "");
	if (cur < 0) {
		ret = cur;
		goto out;
	}
	for (;;) {
		char name[NAME_MAX + 1];
		const char *slash;
		size_t n;
		bool last;
		int fd, err;
		ssize_t ln;

		if (!rest[pos]) {
			/* The path ends at a directory we walked into. */
			if ((flags & (O_CREAT | O_EXCL)) ==
			    (O_CREAT | O_EXCL)) {
				ret = -EEXIST;
				goto out;
			}
			fd = openat(cur, ".", (flags & ~O_CREAT) | O_CLOEXEC);
			ret = fd < 0 ? -errno : fd;
			goto out;
		}
		slash = strchr(rest + pos, '/');
		n = slash ? (size_t)(slash - (rest + pos)) : strlen(rest + pos);
		if (n > NAME_MAX) {
			ret = -ENAMETOOLONG;
			goto out;
		}
		memcpy(name, rest + pos, n);
		name[n] = '\0';
		pos += n + (slash ? 1 : 0);
		last = !slash;
		if (n == 0 || (n == 1 && name[0] == '.'))
			continue; /* from symlink text: "a//b", "./a" */
		if (n == 2 && name[0] == '.' && name[1] == '.') {
			char *up;

			if (!done_len) {
				ret = -EXDEV;
				goto out;
			}
			up = strrchr(done, '/');
			done_len = up ? (size_t)(up - done) : 0;
			done[done_len] = '\0';
			close(cur);
			cur = walk_dirs(sh, done);
			if (cur < 0) {
				ret = cur;
				goto out;
			}
			continue;
		}
		if (!last) {
			fd = openat(cur, name,
				    O_PATH | O_DIRECTORY | O_NOFOLLOW |
					    O_CLOEXEC);
			if (fd >= 0) {
				if (done_len + n + 2 > PATH_MAX) {
					close(fd);
					ret = -ENAMETOOLONG;
					goto out;
				}
				if (done_len)
					done[done_len++] = '/';
				memcpy(done + done_len, name, n + 1);
				done_len += n;
				close(cur);
				cur = fd;
				continue;
			}
			err = errno;
		} else {
			fd = openat(cur, name, flags | O_NOFOLLOW | O_CLOEXEC,
				    mode);
			if (fd >= 0) {
				struct stat sb;

				/* O_PATH|O_NOFOLLOW opens a symlink itself. */
				if (!(flags & O_PATH) || fstat(fd, &sb) ||
				    !S_ISLNK(sb.st_mode)) {
					ret = fd;
					goto out;
				}
				close(fd);
				err = ELOOP;
			} else {
				err = errno;
			}
		}
		if (err != ELOOP && err != ENOTDIR) {
			ret = -err;
			goto out;
		}
		ln = readlinkat(cur, name, link, PATH_MAX - 1);
		if (ln < 0) {
			ret = errno == EINVAL ? -err : -errno;
			goto out;
		}
		link[ln] = '\0';
		if (++hops > MAX_SYMLINK_HOPS) {
			ret = -ELOOP;
			goto out;
		}
		if (ln == 0) {
			ret = -ENOENT;
			goto out;
		}
		if (link[0] == '/') {
			ret = -EXDEV;
			goto out;
		}
		if (last)
			n = (size_t)snprintf(tmp, PATH_MAX, "%s", link);
		else
			n = (size_t)snprintf(tmp, PATH_MAX, "%s/%s", link,
					     rest + pos);
		if (n >= PATH_MAX) {
			ret = -ENAMETOOLONG;
			goto out;
		}
		memcpy(rest, tmp, n + 1);
		pos = 0;
	}
out:
	if (cur >= 0 && cur != ret)
		close(cur);
	free(rest);
	free(done);
	free(link);
	free(tmp);
	return ret;
}

/* Open path beneath the share root; returns an fd or -errno. */
static int resolve(const struct smb_vfs_share *sh, const char *path, int flags,
		   mode_t mode)
{
	struct open_how how = {
		.flags = (u64)(flags | O_CLOEXEC),
		.mode = (flags & O_CREAT) ? mode : 0,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS,
	};
	int i;

	if (!sh->use_openat2)
		return walk_open(sh, path, flags, mode);
	for (i = 0; i < LOOKUP_RETRIES; i++) {
		long fd = syscall(SYS_openat2, sh->root_fd, *path ? path : ".",
				  &how, sizeof(how));

		if (fd >= 0)
			return (int)fd;
		if (errno != EAGAIN && errno != EINTR)
			return -errno;
	}
	return -EAGAIN;
}

/* Status for a failed lookup of path: tell a missing last name from a
 * missing (or non-directory) parent. */
static u32 lookup_error(const struct smb_vfs_share *sh, const char *path,
			int err)
{
	char parent[PATH_MAX];
	int fd;

	if (err == ENOTDIR)
		return STATUS_OBJECT_PATH_NOT_FOUND;
	if (err != ENOENT)
		return lookup_status(err);
	if (!*path)
		return STATUS_OBJECT_NAME_NOT_FOUND;
	split_path(path, parent);
	fd = resolve(sh, parent, O_PATH | O_DIRECTORY, 0);
	if (fd < 0)
		return STATUS_OBJECT_PATH_NOT_FOUND;
	close(fd);
	return STATUS_OBJECT_NAME_NOT_FOUND;
}

/* ---- case-insensitive names -------------------------------------------- */

/*
 * SMB clients name files case-insensitively; the disk is case-sensitive.
 * When a path does not exist as spelled, each missing component is looked
 * up in its directory ignoring case, and the name found on disk is used.
 * Components that match nothing are kept as given (they may be created).
 */

/* Find name in the directory at dirpath ignoring case; 0 and out filled. */
static int ci_find(const struct smb_vfs_share *sh, const char *dirpath,
		   const char *name, char *out, size_t out_size)
{
	struct dirent *de;
	int fd = resolve(sh, dirpath, O_RDONLY | O_DIRECTORY, 0);
	int rc = -ENOENT;
	DIR *d;

	if (fd < 0)
		return fd;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -errno;
	}
	while ((de = readdir(d)) != NULL) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (smb_name_equal_ci(de->d_name, name) &&
		    strlen(de->d_name) < out_size) {
			strcpy(out, de->d_name);
			rc = 0;
			break;
		}
	}
	closedir(d);
	return rc;
}

static bool exists(const struct smb_vfs_share *sh, const char *path)
{
	int fd = resolve(sh, path, O_PATH | O_NOFOLLOW, 0);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

/*
 * The path to use for a lookup: path itself when it exists as spelled (or
 * is the root), else a copy in buf with every component found on disk
 * replaced by its on-disk spelling.
 */
static const char *ci_path(const struct smb_vfs_share *sh, const char *path,
			   char *buf)
{
	char comp[NAME_MAX + 1], real[NAME_MAX + 1];
	const char *p = path;
	size_t n = 0;
	bool missing = false;

	if (!*path || exists(sh, path))
		return path;
	buf[0] = '\0';
	while (*p) {
		const char *slash = strchr(p, '/');
		size_t len = slash ? (size_t)(slash - p) : strlen(p);

		if (len > NAME_MAX || n + len + 2 > PATH_MAX)
			return path;
		memcpy(comp, p, len);
		comp[len] = '\0';
		if (n)
			buf[n++] = '/';
		buf[n] = '\0';
		if (!missing) {
			memcpy(buf + n, comp, len + 1);
			if (!exists(sh, buf)) {
				/* buf without the last component is its directory */
				char dir[PATH_MAX];

				memcpy(dir, buf, n ? n - 1 : 0);
				dir[n ? n - 1 : 0] = '\0';
				if (ci_find(sh, dir, comp, real, sizeof(real)) == 0) {
					len = strlen(real);
					if (n + len + 2 > PATH_MAX)
						return path;
					memcpy(comp, real, len + 1);
				} else {
					missing = true;
				}
			}
		}
		memcpy(buf + n, comp, len + 1);
		n += len;
		p = slash ? slash + 1 : p + len;
	}
	return buf;
}

/* The parent directory of a non-empty path, and its last name. */
static u32 open_parent(const struct smb_vfs_share *sh, const char *path,
		       int *pfd, const char **last)
{
	char parent[PATH_MAX];
	int fd;

	if (!path_is_valid(path))
		return STATUS_OBJECT_NAME_INVALID;
	if (!*path)
		return STATUS_ACCESS_DENIED; /* the share root itself */
	*last = split_path(path, parent);
	fd = resolve(sh, parent, O_PATH | O_DIRECTORY, 0);
	if (fd < 0) {
		if (fd == -ENOENT || fd == -ENOTDIR)
			return STATUS_OBJECT_PATH_NOT_FOUND;
		return lookup_status(-fd);
	}
	*pfd = fd;
	return STATUS_SUCCESS;
}

/* ---- metadata --------------------------------------------------------- */

static u64 unix_to_nt(s64 sec, u32 nsec)
{
	u64 t;

	if (sec < -(s64)(NT_EPOCH_DELTA / NT_PER_SEC))
		return 0;
	if (sec > INT64_MAX - (s64)(NT_EPOCH_DELTA / NT_PER_SEC))
		return U64_MAX;
	t = (u64)(sec + (s64)(NT_EPOCH_DELTA / NT_PER_SEC));
	if (t > (U64_MAX - nsec / 100) / NT_PER_SEC)
		return U64_MAX;
	return t * NT_PER_SEC + nsec / 100;
}

static struct timespec nt_to_timespec(u64 nt)
{
	struct timespec ts;
	u64 d, rem;

	if (nt >= NT_EPOCH_DELTA) {
		d = nt - NT_EPOCH_DELTA;
		ts.tv_sec = (time_t)(d / NT_PER_SEC);
		ts.tv_nsec = (long)(d % NT_PER_SEC) * 100;
	} else {
		d = NT_EPOCH_DELTA - nt;
		rem = d % NT_PER_SEC;
		ts.tv_sec = -(time_t)(d / NT_PER_SEC);
		ts.tv_nsec = 0;
		if (rem) {
			ts.tv_sec -= 1;
			ts.tv_nsec = (long)(NT_PER_SEC - rem) * 100;
		}
	}
	return ts;
}

static u64 statx_nt(const struct statx_timestamp *t)
{
	return unix_to_nt(t->tv_sec, t->tv_nsec);
}

static bool xattr_unsupported(int err)
{
	return err == ENOTSUP || err == EOPNOTSUPP || err == ENOSYS;
}

/* One xattr of the object dirfd/name (name NULL: dirfd itself).  Returns
 * its length or -errno. */
static bool have_xattrat(const struct smb_vfs_share *sh)
{
#ifdef SYS_getxattrat
	return sh->use_xattrat;
#else
	return false;
#endif
}

static ssize_t get_xattr(const struct smb_vfs_share *sh, int dirfd,
			 const char *name, const char *attr, void *buf,
			 size_t size)
{
#ifdef SYS_getxattrat
	if (name && have_xattrat(sh)) {
		struct xattr_args_compat args = {
			.value = (u64)(uintptr_t)buf,
			.size = (u32)size,
		};
		long n = syscall(SYS_getxattrat, dirfd, name,
				 AT_SYMLINK_NOFOLLOW, attr, &args,
				 sizeof(args));

		return n < 0 ? -errno : n;
	}
#endif
	if (!name) {
		ssize_t n = fgetxattr(dirfd, attr, buf, size);

		return n < 0 ? -errno : n;
	}
	return -ENOTSUP;
}

struct smb_xattrs {
	bool has_dos, has_creation, has_change;
	u32 ea_size;
	u32 dos;
	u64 creation;
	u64 change, change_mtime;
};

#define XATTR_EA_PREFIX "user.smbdirect.ea."
#define XATTR_LIST_MAX 65536 /* Linux's XATTR_LIST_MAX */

/*
 * EaSize of dirfd/name (name NULL: dirfd itself): the FILE_FULL_EA_
 * INFORMATION list its EAs make, as smb_ea_full_size counts an entry.
 */
static u32 ea_list_size(const struct smb_vfs_share *sh, int dirfd,
			const char *name)
{
	size_t plen = strlen(XATTR_EA_PREFIX), size = 1024;
	u64 total = 0;
	ssize_t n = -1;
	char small[1024], *names = small, *p;

	/* Most files have a few short names: a big buffer only if needed. */
	for (;;) {
#ifdef SYS_listxattrat
		if (name && have_xattrat(sh))
			n = syscall(SYS_listxattrat, dirfd, name,
				    AT_SYMLINK_NOFOLLOW, names, size);
#endif
		if (!name)
			n = flistxattr(dirfd, names, size);
		if (n >= 0 || errno != ERANGE || names != small)
			break;
		size = XATTR_LIST_MAX;
		names = malloc(size);
		if (!names)
			return 0;
	}
	for (p = names; n > 0 && p < names + n; p += strlen(p) + 1) {
		ssize_t v;

		if (strncmp(p, XATTR_EA_PREFIX, plen) || !p[plen])
			continue;
		v = get_xattr(sh, dirfd, name, p, NULL, 0);
		if (v >= 0)
			total += smb_ea_full_size(strlen(p + plen), (size_t)v);
	}
	if (names != small)
		free(names);
	return (u32)min_t(u64, total, U32_MAX);
}

static void read_smb_xattrs(const struct smb_vfs_share *sh, int dirfd,
			    const char *name, struct smb_xattrs *x)
{
	u8 buf[8], chbuf[16];
	int fd = -1;

	memset(x, 0, sizeof(*x));
	if (name && !have_xattrat(sh)) {
		/* No getxattrat: open the entry itself (regular files and
		 * directories only, so FIFOs and devices are never opened). */
		fd = openat(dirfd, name,
			    O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_NOCTTY |
				    O_CLOEXEC);
		if (fd < 0)
			return;
		dirfd = fd;
		name = NULL;
	}
	x->ea_size = ea_list_size(sh, dirfd, name);
	if (get_xattr(sh, dirfd, name, XATTR_DOSATTRIB, buf, sizeof(buf)) ==
	    4) {
		x->has_dos = true;
		x->dos = smb_get_le32(buf) & DOS_ATTR_MASK;
	}
	if (get_xattr(sh, dirfd, name, XATTR_CREATION, buf, sizeof(buf)) == 8) {
		x->has_creation = true;
		x->creation = smb_get_le64(buf);
	}
	if (get_xattr(sh, dirfd, name, XATTR_CHANGE, chbuf, sizeof(chbuf)) ==
	    16) {
		x->has_change = true;
		x->change = smb_get_le64(chbuf);
		x->change_mtime = smb_get_le64(chbuf + 8);
	}
	if (fd >= 0)
		close(fd);
}

/*
 * Metadata of dirfd/name without following a final symlink (name NULL:
 * dirfd itself).  xattrs are read for regular files and directories.
 */
static int stat_at(const struct smb_vfs_share *sh, int dirfd, const char *name,
		   bool read_xattrs, struct smb_stat *st)
{
	struct statx sx;
	struct smb_xattrs x;
	int at = AT_NO_AUTOMOUNT | AT_STATX_SYNC_AS_STAT;
	u64 mtime, ctime;
	u32 attrs;

	at |= name ? AT_SYMLINK_NOFOLLOW : AT_EMPTY_PATH;
	if (statx(dirfd, name ? name : "", at, STATX_BASIC_STATS | STATX_BTIME,
		  &sx))
		return -errno;
	memset(st, 0, sizeof(*st));
	st->ino = sx.stx_ino;
	st->dev = makedev(sx.stx_dev_major, sx.stx_dev_minor);
	st->size = sx.stx_size;
	st->alloc_size = sx.stx_blocks * 512;
	st->nlink = sx.stx_nlink;
	st->mode = sx.stx_mode;
	st->uid = sx.stx_uid;
	st->gid = sx.stx_gid;
	st->is_dir = S_ISDIR(sx.stx_mode);
	st->access_time = statx_nt(&sx.stx_atime);
	st->write_time = statx_nt(&sx.stx_mtime);
	st->change_time = statx_nt(&sx.stx_ctime);
	mtime = st->write_time;
	ctime = st->change_time;

	memset(&x, 0, sizeof(x));
	if (read_xattrs && (S_ISREG(sx.stx_mode) || S_ISDIR(sx.stx_mode)))
		read_smb_xattrs(sh, dirfd, name, &x);
	st->ea_size = x.ea_size;
	if (x.has_change && x.change_mtime == mtime)
		st->change_time = x.change;
	if (x.has_creation)
		st->creation_time = x.creation;
	else if (sx.stx_mask & STATX_BTIME)
		st->creation_time = statx_nt(&sx.stx_btime);
	else
		st->creation_time = mtime < ctime ? mtime : ctime;

	if (x.has_dos)
		attrs = x.dos;
	else
		attrs = S_ISDIR(sx.stx_mode) ? 0 : FILE_ATTRIBUTE_ARCHIVE;
	if (st->is_dir)
		attrs |= FILE_ATTRIBUTE_DIRECTORY;
	else if (!attrs)
		attrs = FILE_ATTRIBUTE_NORMAL;
	st->attributes = attrs;
	return 0;
}

static u32 posix_fstat(struct smb_vfs_file *f, struct smb_stat *st)
{
	int r = stat_at(f->share, f->fd, NULL, !f->path_only, st);
	ssize_t n;

	if (r)
		return smb_errno_to_status(-r);
	if (f->stream) {
		/* A stream: the file's times and attributes, its own size. */
		n = fgetxattr(f->fd, f->stream, NULL, 0);
		if (n < 0)
			return errno == ENODATA ? STATUS_OBJECT_NAME_NOT_FOUND :
						  smb_errno_to_status(errno);
		st->size = (u64)n;
		st->alloc_size = ((u64)n + 4095) & ~4095ull;
		st->is_dir = false;
		st->attributes &= ~FILE_ATTRIBUTE_DIRECTORY;
		if (!st->attributes)
			st->attributes = FILE_ATTRIBUTE_NORMAL;
	}
	return STATUS_SUCCESS;
}

int smb_posix_file_data_fd(struct smb_vfs_file *f)
{
	return f->stream || f->is_dir || f->path_only ? -1 : f->fd;
}

static u32 posix_size(struct smb_vfs_file *f, u64 *size)
{
	struct stat sb;
	ssize_t n;

	if (f->stream) {
		n = fgetxattr(f->fd, f->stream, NULL, 0);
		if (n < 0)
			return errno == ENODATA ? STATUS_OBJECT_NAME_NOT_FOUND :
						  smb_errno_to_status(errno);
		*size = (u64)n;
		return STATUS_SUCCESS;
	}
	if (fstat(f->fd, &sb))
		return smb_errno_to_status(errno);
	*size = (u64)sb.st_size;
	return STATUS_SUCCESS;
}

/* ---- share ------------------------------------------------------------ */

u32 smb_posix_share_open_opts(const char *root_path, u32 opts,
			      struct smb_vfs_share **out)
{
	struct smb_vfs_share *sh;
	struct open_how how = { .flags = O_PATH | O_CLOEXEC,
				.resolve = RESOLVE_BENEATH };
	struct stat sb;
	long fd;
	int err;

	*out = NULL;
	sh = calloc(1, sizeof(*sh));
	if (!sh)
		return STATUS_NO_MEMORY;
	sh->root_fd = open(root_path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (sh->root_fd < 0 || fstat(sh->root_fd, &sb)) {
		err = errno;
		if (sh->root_fd >= 0)
			close(sh->root_fd);
		free(sh);
		if (err == ENOENT || err == ENOTDIR)
			return STATUS_BAD_NETWORK_NAME;
		return smb_errno_to_status(err);
	}
	sh->root_dev = sb.st_dev;
	sh->root_ino = sb.st_ino;

	/* Probe once; seccomp filters may answer EPERM instead of ENOSYS. */
	if (!(opts & SMB_POSIX_SHARE_NO_OPENAT2)) {
		fd = syscall(SYS_openat2, sh->root_fd, ".", &how, sizeof(how));
		if (fd >= 0) {
			close((int)fd);
			sh->use_openat2 = true;
		}
	}
#ifdef SYS_getxattrat
	if (!(opts & SMB_POSIX_SHARE_NO_XATTRAT)) {
		struct xattr_args_compat args = { 0 };

		if (syscall(SYS_getxattrat, sh->root_fd, ".", 0,
			    XATTR_DOSATTRIB, &args, sizeof(args)) >= 0 ||
		    (errno != ENOSYS && errno != EPERM && errno != EINVAL &&
		     errno != E2BIG))
			sh->use_xattrat = true;
	}
#endif
	*out = sh;
	return STATUS_SUCCESS;
}

static u32 posix_share_open(void *ctx, const char *root_path,
			    struct smb_vfs_share **out)
{
	return smb_posix_share_open_opts(root_path, 0, out);
}

static void posix_share_close(struct smb_vfs_share *sh)
{
	if (!sh)
		return;
	close(sh->root_fd);
	free(sh);
}

static u32 posix_statfs(struct smb_vfs_share *sh, struct smb_vfs_statfs *out)
{
	struct statvfs v;
	u64 unit;

	if (fstatvfs(sh->root_fd, &v))
		return smb_errno_to_status(errno);
	memset(out, 0, sizeof(*out));
	unit = v.f_frsize ? v.f_frsize : v.f_bsize;
	if (unit >= 512 && unit % 512 == 0 && unit / 512 <= U32_MAX) {
		out->bytes_per_sector = 512;
		out->sectors_per_unit = (u32)(unit / 512);
	} else {
		out->bytes_per_sector =
			(u32)(unit ? min_t(u64, unit, U32_MAX) : 512);
		out->sectors_per_unit = 1;
	}
	out->total_units = v.f_blocks;
	out->free_units = v.f_bfree;
	out->avail_units = v.f_bavail;
	out->max_name_len = (u32)v.f_namemax;
	out->fsid = v.f_fsid;
	return STATUS_SUCCESS;
}

/* ---- open ------------------------------------------------------------- */

static int access_mode(u32 flags)
{
	bool rd = flags & SMB_VFS_O_READ, wr = flags & SMB_VFS_O_WRITE;

	if (rd && wr)
		return O_RDWR;
	return wr ? O_WRONLY : O_RDONLY;
}

/* Data access requested, so an O_PATH fd will not do. */
static bool wants_data(u32 flags)
{
	return flags & (SMB_VFS_O_READ | SMB_VFS_O_WRITE | SMB_VFS_O_TRUNC);
}

enum open_result { OPEN_DONE, OPEN_EXISTS, OPEN_RETRY };

/* Create path; OPEN_EXISTS when something already has that name. */
static enum open_result create_object(const struct smb_vfs_share *sh,
				      const char *path, u32 flags, u32 mode,
				      int *fd_out, u32 *status)
{
	char parent[PATH_MAX];
	const char *last;
	int pfd, fd;

	*status = STATUS_SUCCESS;
	if (!*path)
		return OPEN_EXISTS;
	if (!(flags & SMB_VFS_O_DIRECTORY)) {
		fd = resolve(sh, path,
			     O_CREAT | O_EXCL | O_NONBLOCK | O_NOCTTY |
				     access_mode(flags),
			     mode & 07777);
		if (fd == -EEXIST)
			return OPEN_EXISTS;
		if (fd < 0) {
			*status = lookup_error(sh, path, -fd);
			return OPEN_DONE;
		}
		*fd_out = fd;
		return OPEN_DONE;
	}
	last = split_path(path, parent);
	pfd = resolve(sh, parent, O_PATH | O_DIRECTORY, 0);
	if (pfd < 0) {
		*status = (pfd == -ENOENT || pfd == -ENOTDIR) ?
				  STATUS_OBJECT_PATH_NOT_FOUND :
				  lookup_status(-pfd);
		return OPEN_DONE;
	}
	if (mkdirat(pfd, last, mode & 07777)) {
		int err = errno;

		close(pfd);
		if (err == EEXIST)
			return OPEN_EXISTS;
		*status = smb_errno_to_status(err);
		return OPEN_DONE;
	}
	/* Open exactly the entry just made: one name, no symlink. */
	fd = openat(pfd, last, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		*status = smb_errno_to_status(errno);
	else
		*fd_out = fd;
	close(pfd);
	return OPEN_DONE;
}

/*
 * Open an existing object.  An O_PATH probe learns its type first, so the
 * right flags are used and FIFOs or devices are never opened for data.
 */
static enum open_result open_existing(const struct smb_vfs_share *sh,
				      const char *path, u32 flags,
				      struct smb_vfs_file *f, u32 *status)
{
	struct stat probe_st, st;
	int probe, fd, oflags;
	bool is_dir, is_reg;

	*status = STATUS_SUCCESS;
	probe = resolve(sh, path, O_PATH, 0);
	if (probe < 0) {
		if (probe == -ENOENT && (flags & SMB_VFS_O_CREATE))
			return OPEN_RETRY; /* gone again: create it */
		*status = lookup_error(sh, path, -probe);
		return OPEN_DONE;
	}
	if (fstat(probe, &probe_st)) {
		*status = smb_errno_to_status(errno);
		close(probe);
		return OPEN_DONE;
	}
	is_dir = S_ISDIR(probe_st.st_mode);
	is_reg = S_ISREG(probe_st.st_mode);
	if ((flags & SMB_VFS_O_DIRECTORY) && !is_dir)
		*status = STATUS_NOT_A_DIRECTORY;
	else if ((flags & SMB_VFS_O_NOT_DIRECTORY) && is_dir)
		*status = STATUS_FILE_IS_A_DIRECTORY;
	else if (is_dir && (flags & SMB_VFS_O_TRUNC))
		*status = STATUS_FILE_IS_A_DIRECTORY;
	else if (!is_dir && !is_reg && wants_data(flags))
		*status = STATUS_ACCESS_DENIED;
	if (*status) {
		close(probe);
		return OPEN_DONE;
	}
	if (!is_dir && !is_reg)
		goto keep_probe;

	if (is_dir)
		oflags = O_RDONLY | O_DIRECTORY;
	else
		oflags = access_mode(flags) | O_NONBLOCK | O_NOCTTY |
			 ((flags & SMB_VFS_O_TRUNC) ? O_TRUNC : 0);
	fd = resolve(sh, path, oflags, 0);
	if (fd < 0) {
		bool need = is_dir ? (flags & SMB_VFS_O_READ) :
				     wants_data(flags);

		if ((fd == -EACCES || fd == -EPERM) && !need)
			goto keep_probe;
		close(probe);
		if (fd == -ENOENT || fd == -ENOTDIR || fd == -EISDIR)
			return OPEN_RETRY; /* replaced meanwhile */
		*status = lookup_error(sh, path, -fd);
		return OPEN_DONE;
	}
	close(probe);
	if (fstat(fd, &st)) {
		*status = smb_errno_to_status(errno);
		close(fd);
		return OPEN_DONE;
	}
	if (st.st_dev != probe_st.st_dev || st.st_ino != probe_st.st_ino) {
		close(fd);
		return OPEN_RETRY;
	}
	f->fd = fd;
	f->is_dir = is_dir;
	f->writable = !is_dir && (flags & SMB_VFS_O_WRITE);
	f->dev = st.st_dev;
	f->ino = st.st_ino;
	return OPEN_DONE;

keep_probe:
	f->fd = probe;
	f->is_dir = is_dir;
	f->path_only = true;
	f->dev = probe_st.st_dev;
	f->ino = probe_st.st_ino;
	return OPEN_DONE;
}

static void free_file(struct smb_vfs_file *f)
{
	if (!f)
		return;
	if (f->fd >= 0)
		close(f->fd);
	pthread_mutex_destroy(&f->dir_lock);
	free(f->dirbuf);
	free(f->path);
	free(f->stream);
	free(f);
}

/* The last step of an open: metadata for the caller, then the handle. */
static u32 hand_out(struct smb_vfs_file *f, struct smb_stat *st, bool *created,
		    bool made, struct smb_vfs_file **out)
{
	if (st) {
		u32 status = posix_fstat(f, st);

		if (status) {
			free_file(f);
			return status;
		}
	}
	if (created)
		*created = made;
	*out = f;
	return STATUS_SUCCESS;
}

static u32 posix_open(struct smb_vfs_share *sh, const char *path, u32 flags,
		      u32 mode, struct smb_vfs_file **out, struct smb_stat *st,
		      bool *created)
{
	char ci_buf[PATH_MAX];
	struct smb_vfs_file *f;
	enum open_result r = OPEN_RETRY;
	u32 status = STATUS_SUCCESS;
	bool made = false;
	int i, fd = -1;

	*out = NULL;
	if (created)
		*created = false;
	if (!path_is_valid(path))
		return STATUS_OBJECT_NAME_INVALID;
	path = ci_path(sh, path, ci_buf);
	if ((flags & SMB_VFS_O_DIRECTORY) &&
	    (flags & (SMB_VFS_O_NOT_DIRECTORY | SMB_VFS_O_TRUNC)))
		return STATUS_INVALID_PARAMETER;
	f = calloc(1, sizeof(*f));
	if (!f)
		return STATUS_NO_MEMORY;
	f->fd = -1;
	f->share = sh;
	pthread_mutex_init(&f->dir_lock, NULL);
	f->path = strdup(path);
	if (!f->path) {
		free_file(f);
		return STATUS_NO_MEMORY;
	}

	/* Create with O_EXCL first, so "created" is known without a race;
	 * if the name exists, open it, and if it vanishes, try again. */
	for (i = 0; r == OPEN_RETRY; i++) {
		if (i == LOOKUP_RETRIES) {
			/* Endless races, or a dangling symlink we will not
			 * create through. */
			status = STATUS_ACCESS_DENIED;
			break;
		}
		if (flags & SMB_VFS_O_CREATE) {
			r = create_object(sh, path, flags, mode, &fd, &status);
			if (r == OPEN_DONE) {
				made = !status;
				break;
			}
			if (flags & SMB_VFS_O_EXCL) {
				status = STATUS_OBJECT_NAME_COLLISION;
				break;
			}
		}
		r = open_existing(sh, path, flags, f, &status);
	}
	if (status) {
		free_file(f);
		return status;
	}
	if (made) {
		struct stat sb;

		f->fd = fd;
		f->is_dir = flags & SMB_VFS_O_DIRECTORY;
		f->writable = !f->is_dir && (flags & SMB_VFS_O_WRITE);
		if (!fstat(fd, &sb)) {
			f->dev = sb.st_dev;
			f->ino = sb.st_ino;
		}
	}
	return hand_out(f, st, created, made, out);
}

static void posix_close(struct smb_vfs_file *f)
{
	free_file(f);
}

/* ---- data ------------------------------------------------------------- */

/* pread/pwrite until len is done, EOF, or an error after some progress
 * (which is reported as a short transfer). */
static u32 transfer(struct smb_vfs_file *f, u8 *rbuf, const u8 *wbuf,
		    size_t len, u64 off, size_t *done)
{
	size_t moved = 0;

	*done = 0;
	if (f->path_only || (wbuf && f->is_dir))
		return STATUS_ACCESS_DENIED;
	if (off > INT64_MAX)
		return STATUS_INVALID_PARAMETER;
	while (moved < len) {
		size_t chunk = min_t(size_t, len - moved, IO_CHUNK);
		u64 pos;
		ssize_t n;

		if (smb_add_overflow(off, (u64)moved, &pos) ||
		    pos > INT64_MAX) {
			if (moved || rbuf)
				break;
			return STATUS_FILE_TOO_LARGE;
		}
		if (rbuf)
			n = pread(f->fd, rbuf + moved, chunk, (off_t)pos);
		else
			n = pwrite(f->fd, wbuf + moved, chunk, (off_t)pos);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && !moved)
			return smb_errno_to_status(errno);
		if (n == 0 && wbuf && !moved)
			return STATUS_DISK_FULL;
		if (n <= 0)
			break; /* EOF, or an error after progress */
		moved += (size_t)n;
	}
	*done = moved;
	return STATUS_SUCCESS;
}

static u32 stream_transfer(struct smb_vfs_file *f, u8 *rbuf, const u8 *wbuf,
			   size_t len, u64 off, size_t *done);
static u32 stream_set_size(struct smb_vfs_file *f, u32 valid, u64 size);

static u32 posix_pread(struct smb_vfs_file *f, void *buf, size_t len, u64 off,
		       size_t *done)
{
	if (f->stream)
		return stream_transfer(f, buf, NULL, len, off, done);
	return transfer(f, buf, NULL, len, off, done);
}

static u32 posix_pwrite(struct smb_vfs_file *f, const void *buf, size_t len,
			u64 off, size_t *done)
{
	if (f->stream)
		return stream_transfer(f, NULL, buf, len, off, done);
	return transfer(f, NULL, buf, len, off, done);
}

static u32 posix_fsync(struct smb_vfs_file *f)
{
	if (f->path_only)
		return STATUS_ACCESS_DENIED;
	if (fsync(f->fd) && errno != EINVAL)
		return smb_errno_to_status(errno);
	return STATUS_SUCCESS;
}

/* Store an xattr; file systems without user xattrs just do not persist. */
static u32 set_xattr(struct smb_vfs_file *f, const char *attr, const void *val,
		     size_t len)
{
	if (f->path_only)
		return STATUS_ACCESS_DENIED;
	if (fsetxattr(f->fd, attr, val, len, 0) && !xattr_unsupported(errno))
		return smb_errno_to_status(errno);
	return STATUS_SUCCESS;
}

static u32 set_size(struct smb_vfs_file *f, u32 valid, u64 size)
{
	struct stat sb;

	if (f->is_dir)
		return STATUS_INVALID_PARAMETER;
	if (!f->writable)
		return STATUS_ACCESS_DENIED;
	if (size > INT64_MAX)
		return STATUS_INVALID_PARAMETER;
	if ((valid & SMB_VFS_SET_SIZE) && ftruncate(f->fd, (off_t)size))
		return smb_errno_to_status(errno);
	if (!(valid & SMB_VFS_SET_ALLOC))
		return STATUS_SUCCESS;
	if (fstat(f->fd, &sb))
		return smb_errno_to_status(errno);
	/* An allocation below the end of file cuts the file there. */
	if ((u64)sb.st_size > size) {
		if (ftruncate(f->fd, (off_t)size))
			return smb_errno_to_status(errno);
		return STATUS_SUCCESS;
	}
	if (size && fallocate(f->fd, FALLOC_FL_KEEP_SIZE, 0, (off_t)size)) {
		if (errno == ENOSPC || errno == EDQUOT)
			return smb_errno_to_status(errno);
		/* Otherwise best effort: preallocation is only a hint. */
	}
	return STATUS_SUCCESS;
}

/*
 * FILE_ATTRIBUTE_SPARSE_FILE changes only through SMB_VFS_SET_SPARSE
 * (FSCTL_SET_SPARSE); the other DOS bits only through SET_ATTRIBUTES.
 */
static u32 set_dos_attributes(struct smb_vfs_file *f,
			      const struct smb_vfs_setattr *a)
{
	struct smb_stat st;
	u32 attrs, status;
	u8 buf[4];

	status = posix_fstat(f, &st);
	if (status)
		return status;
	attrs = st.attributes & DOS_ATTR_MASK;
	if (a->valid & SMB_VFS_SET_ATTRIBUTES)
		attrs = (attrs & FILE_ATTRIBUTE_SPARSE_FILE) |
			(a->attributes & DOS_ATTR_MASK &
			 ~FILE_ATTRIBUTE_SPARSE_FILE);
	if (a->valid & SMB_VFS_SET_SPARSE)
		attrs = (attrs & ~FILE_ATTRIBUTE_SPARSE_FILE) |
			(a->attributes & FILE_ATTRIBUTE_SPARSE_FILE);
	smb_put_le32(buf, attrs);
	return set_xattr(f, XATTR_DOSATTRIB, buf, 4);
}

static u32 posix_setattr(struct smb_vfs_file *f,
			 const struct smb_vfs_setattr *a)
{
	struct timespec ts[2] = { { .tv_nsec = UTIME_OMIT },
				  { .tv_nsec = UTIME_OMIT } };
	u8 buf[8];
	u32 status;
	int r;

	if (a->valid & (SMB_VFS_SET_SIZE | SMB_VFS_SET_ALLOC)) {
		status = f->stream ? stream_set_size(f, a->valid, a->size) :
				     set_size(f, a->valid, a->size);
		if (status)
			return status;
	}
	/* Times after the size change, which would bump mtime. */
	if (a->valid & SMB_VFS_SET_ACCESS)
		ts[0] = nt_to_timespec(a->access_time);
	if (a->valid & SMB_VFS_SET_WRITE)
		ts[1] = nt_to_timespec(a->write_time);
	if (a->valid & (SMB_VFS_SET_ACCESS | SMB_VFS_SET_WRITE)) {
		if (f->path_only)
			r = utimensat(f->fd, "", ts, AT_EMPTY_PATH);
		else
			r = futimens(f->fd, ts);
		if (r)
			return smb_errno_to_status(errno);
	}
	if (a->valid & SMB_VFS_SET_CREATION) {
		smb_put_le64(buf, a->creation_time);
		status = set_xattr(f, XATTR_CREATION, buf, 8);
		if (status)
			return status;
	}
	if (a->valid & (SMB_VFS_SET_ATTRIBUTES | SMB_VFS_SET_SPARSE)) {
		status = set_dos_attributes(f, a);
		if (status)
			return status;
	}
	if (a->valid & SMB_VFS_SET_CHANGE) {
		struct statx sx;
		u8 ch[16];

		/* Last, so the mtime recorded is the one that stays. */
		if (statx(f->fd, "", AT_EMPTY_PATH, STATX_MTIME, &sx))
			return smb_errno_to_status(errno);
		smb_put_le64(ch, a->change_time);
		smb_put_le64(ch + 8, statx_nt(&sx.stx_mtime));
		status = set_xattr(f, XATTR_CHANGE, ch, 16);
		if (status)
			return status;
	}
	return STATUS_SUCCESS;
}

/* ---- security descriptors -------------------------------------------- */

/*
 * O_PATH fds (opens without data access) take no f*xattr calls; their
 * /proc/self/fd link names the same object and does.
 */
static void proc_fd_path(const struct smb_vfs_file *f, char *out, size_t size)
{
	snprintf(out, size, "/proc/self/fd/%d", f->fd);
}

static u32 posix_get_sd(struct smb_vfs_file *f, void *buf, size_t size,
			size_t *len)
{
	char proc[64];
	ssize_t n;

	*len = 0;
	if (f->path_only) {
		proc_fd_path(f, proc, sizeof(proc));
		n = getxattr(proc, XATTR_SD, buf, size);
	} else {
		n = fgetxattr(f->fd, XATTR_SD, buf, size);
	}
	if (n >= 0) {
		*len = (size_t)n;
		return STATUS_SUCCESS;
	}
	if (errno == ERANGE) {
		n = f->path_only ? getxattr(proc, XATTR_SD, NULL, 0) :
				   fgetxattr(f->fd, XATTR_SD, NULL, 0);
		*len = n > 0 ? (size_t)n : 0;
		return STATUS_BUFFER_TOO_SMALL;
	}
	/* None stored, no user xattrs here, or not a file that has them. */
	if (errno == ENODATA || xattr_unsupported(errno) || errno == EPERM ||
	    errno == ENOENT)
		return STATUS_NOT_FOUND;
	return smb_errno_to_status(errno);
}

static u32 posix_set_sd(struct smb_vfs_file *f, const void *buf, size_t len)
{
	char proc[64];
	int r;

	if (f->path_only) {
		proc_fd_path(f, proc, sizeof(proc));
		r = setxattr(proc, XATTR_SD, buf, len, 0);
	} else {
		r = fsetxattr(f->fd, XATTR_SD, buf, len, 0);
	}
	if (!r)
		return STATUS_SUCCESS;
	/* A descriptor that silently did not stick would mislead the client. */
	if (xattr_unsupported(errno))
		return STATUS_NOT_SUPPORTED;
	return smb_errno_to_status(errno);
}

/* ---- directories ------------------------------------------------------ */

/* Does the handle's recorded path still name this directory? */
static bool dir_path_current(const struct smb_vfs_file *dir)
{
	struct stat sb;
	int fd = resolve(dir->share, dir->path, O_PATH | O_DIRECTORY, 0);
	bool same;

	if (fd < 0)
		return false;
	same = !fstat(fd, &sb) && sb.st_dev == dir->dev &&
	       sb.st_ino == dir->ino;
	close(fd);
	return same;
}

/*
 * A symlink entry: the target's metadata when it resolves inside the root,
 * else keep the link's own (already in *st).
 */
static void symlink_target_stat(const struct smb_vfs_file *dir,
				const char *name, struct smb_stat *st)
{
	const struct smb_vfs_share *sh = dir->share;
	char path[PATH_MAX];
	struct smb_stat tst;
	struct stat a, b;
	int n, fd, data_fd;

	n = snprintf(path, sizeof(path), "%s%s%s", dir->path,
		     *dir->path ? "/" : "", name);
	if (n < 0 || n >= (int)sizeof(path) || !dir_path_current(dir))
		return;
	fd = resolve(sh, path, O_PATH, 0);
	if (fd < 0)
		return;
	if (fstat(fd, &a)) {
		close(fd);
		return;
	}
	/* xattrs need a real fd: reopen regular files and directories and
	 * make sure the same object came back. */
	if (S_ISREG(a.st_mode) || S_ISDIR(a.st_mode)) {
		data_fd =
			resolve(sh, path,
				O_RDONLY | O_NONBLOCK | O_NOCTTY |
					(S_ISDIR(a.st_mode) ? O_DIRECTORY : 0),
				0);
		if (data_fd >= 0) {
			if (!fstat(data_fd, &b) && b.st_dev == a.st_dev &&
			    b.st_ino == a.st_ino) {
				close(fd);
				fd = data_fd;
			} else {
				close(data_fd);
			}
		}
	}
	if (!stat_at(sh, fd, NULL, true, &tst))
		*st = tst;
	close(fd);
}

static int entry_stat(const struct smb_vfs_file *dir, const char *name,
		      struct smb_stat *st)
{
	const struct smb_vfs_share *sh = dir->share;
	int r;

	if (!strcmp(name, "."))
		return stat_at(sh, dir->fd, NULL, true, st);
	if (!strcmp(name, "..") && dir->dev == sh->root_dev &&
	    dir->ino == sh->root_ino) {
		/* Never describe what lies above the share. */
		return stat_at(sh, dir->fd, NULL, true, st);
	}
	r = stat_at(sh, dir->fd, name, true, st);
	if (r)
		return r;
	if (S_ISLNK(st->mode)) {
		st->attributes = FILE_ATTRIBUTE_NORMAL;
		symlink_target_stat(dir, name, st);
	}
	return 0;
}

/* Enumeration needs a readable directory fd. */
static u32 dir_check(const struct smb_vfs_file *dir)
{
	if (!dir->is_dir)
		return STATUS_INVALID_PARAMETER;
	return dir->path_only ? STATUS_ACCESS_DENIED : STATUS_SUCCESS;
}

static u32 posix_readdir(struct smb_vfs_file *dir, struct smb_vfs_dirent *ent)
{
	u32 status = dir_check(dir);

	if (status)
		return status;
	pthread_mutex_lock(&dir->dir_lock);
	if (!dir->dirbuf) {
		dir->dirbuf = malloc(DIRBUF_SIZE);
		if (!dir->dirbuf) {
			status = STATUS_NO_MEMORY;
			goto out;
		}
	}
	for (;;) {
		const struct kdirent64 *d;
		const size_t hdr = offsetof(struct kdirent64, d_name);
		size_t name_max, name_len;

		if (dir->dir_pos >= dir->dir_len) {
			long n = syscall(SYS_getdents64, dir->fd, dir->dirbuf,
					 DIRBUF_SIZE);

			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0) {
				status = smb_errno_to_status(errno);
				goto out;
			}
			if (n == 0) {
				status = STATUS_NO_MORE_FILES;
				goto out;
			}
			dir->dir_pos = 0;
			dir->dir_len = (size_t)n;
		}
		d = (const struct kdirent64 *)(dir->dirbuf + dir->dir_pos);
		if (dir->dir_len - dir->dir_pos < hdr || d->d_reclen <= hdr ||
		    d->d_reclen > dir->dir_len - dir->dir_pos) {
			status = STATUS_INTERNAL_ERROR;
			goto out;
		}
		dir->dir_pos += d->d_reclen;
		name_max = d->d_reclen - hdr;
		name_len = strnlen(d->d_name, name_max);
		if (name_len == name_max || name_len >= sizeof(ent->name))
			continue;
		/* Entries removed since getdents are skipped. */
		if (entry_stat(dir, d->d_name, &ent->st))
			continue;
		memcpy(ent->name, d->d_name, name_len + 1);
		break;
	}
out:
	pthread_mutex_unlock(&dir->dir_lock);
	return status;
}

static u32 posix_rewinddir(struct smb_vfs_file *dir)
{
	u32 status = dir_check(dir);

	if (status)
		return status;
	pthread_mutex_lock(&dir->dir_lock);
	if (lseek(dir->fd, 0, SEEK_SET) < 0)
		status = smb_errno_to_status(errno);
	dir->dir_pos = dir->dir_len = 0;
	pthread_mutex_unlock(&dir->dir_lock);
	return status;
}

/* ---- namespace ---------------------------------------------------------- */

/* unlinkat() on path's parent: a lookup status, or the call's errno. */
static u32 remove_entry(const struct smb_vfs_share *sh, const char *path,
			int at_flags, int *err)
{
	char ci_buf[PATH_MAX];
	const char *last;
	u32 status;
	int pfd;

	if (path_is_valid(path))
		path = ci_path(sh, path, ci_buf);
	status = open_parent(sh, path, &pfd, &last);
	if (status)
		return status;
	*err = unlinkat(pfd, last, at_flags) ? errno : 0;
	close(pfd);
	return STATUS_SUCCESS;
}

static u32 posix_unlink(struct smb_vfs_share *sh, const char *path)
{
	int err;
	u32 status = remove_entry(sh, path, 0, &err);

	return status ? status : smb_errno_to_status(err);
}

static u32 posix_rmdir(struct smb_vfs_share *sh, const char *path)
{
	int err;
	u32 status = remove_entry(sh, path, AT_REMOVEDIR, &err);

	if (status)
		return status;
	if (err == ENOTDIR)
		return STATUS_NOT_A_DIRECTORY; /* the parent opened fine */
	if (err == EEXIST)
		return STATUS_DIRECTORY_NOT_EMPTY;
	return smb_errno_to_status(err);
}

static int rename_fds(int fpd, const char *from, int tpd, const char *to,
		      bool replace)
{
	struct stat fs, ts;

	if (replace) {
		/* Windows never replaces a directory by renaming onto it. */
		if (!fstatat(tpd, to, &ts, AT_SYMLINK_NOFOLLOW) &&
		    S_ISDIR(ts.st_mode) &&
		    (fstatat(fpd, from, &fs, AT_SYMLINK_NOFOLLOW) ||
		     fs.st_dev != ts.st_dev || fs.st_ino != ts.st_ino))
			return EACCES;
		return renameat(fpd, from, tpd, to) ? errno : 0;
	}
	if (!renameat2(fpd, from, tpd, to, RENAME_NOREPLACE))
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return errno;
	/* No RENAME_NOREPLACE on this file system: check, then rename. */
	if (!fstatat(tpd, to, &ts, AT_SYMLINK_NOFOLLOW))
		return EEXIST;
	return renameat(fpd, from, tpd, to) ? errno : 0;
}

static u32 posix_rename(struct smb_vfs_share *sh, const char *from,
			const char *to, bool replace)
{
	char from_buf[PATH_MAX], to_buf[PATH_MAX];
	const char *flast, *tlast, *fixed_to;
	int fpd, tpd, err;
	u32 status;

	if (path_is_valid(from) && path_is_valid(to)) {
		from = ci_path(sh, from, from_buf);
		fixed_to = ci_path(sh, to, to_buf);
		if (strcmp(fixed_to, from)) {
			to = fixed_to;
		} else if (strcmp(to, from)) {
			/* A change of case only: the source's directory, the
			 * new spelling of the name.
			 */
			const char *fslash = strrchr(from, '/');
			const char *tslash = strrchr(to, '/');
			size_t plen = fslash ? (size_t)(fslash - from) + 1 : 0;
			const char *tname = tslash ? tslash + 1 : to;

			if (plen + strlen(tname) < PATH_MAX) {
				memmove(to_buf, from, plen);
				strcpy(to_buf + plen, tname);
				to = to_buf;
			}
		}
	}
	status = open_parent(sh, from, &fpd, &flast);
	if (status)
		return status;
	status = open_parent(sh, to, &tpd, &tlast);
	if (status) {
		close(fpd);
		return status;
	}
	err = rename_fds(fpd, flast, tpd, tlast, replace);
	close(fpd);
	close(tpd);
	/* A directory and a non-directory never replace each other. */
	if (err == ENOTDIR || err == EISDIR)
		return STATUS_ACCESS_DENIED;
	return smb_errno_to_status(err);
}

/* ---- named streams and extended attributes ------------------------------ */

/*
 * Named streams and EAs live in user xattrs of the file:
 *   user.smbdirect.stream.<name>  the stream's bytes
 *   user.smbdirect.ea.<NAME>      one EA's value (name upper-cased)
 * Lookups ignore case, as Windows does; a stream keeps the spelling it was
 * created with.  A value holds at most XATTR_VALUE_MAX bytes (Linux's
 * XATTR_SIZE_MAX); file systems may allow less (ext4 without ea_inode: one
 * block for all of a file's xattrs), which shows as STATUS_DISK_FULL for a
 * stream write and STATUS_EA_TOO_LARGE for an EA.
 */
#define XATTR_STREAM_PREFIX "user.smbdirect.stream."
#define XATTR_VALUE_MAX 65536u
/*
 * A stream write reads the whole value, changes it and writes it back:
 * one lock for all of them keeps two writers (any threads, any handles)
 * from losing each other's bytes.  Values are small, so it is held briefly.
 */
static pthread_mutex_t stream_rmw_lock = PTHREAD_MUTEX_INITIALIZER;
#define XATTR_NAME_LEN 256 /* XATTR_NAME_MAX + 1 */
#define ZERO_CHUNK 65536u

/* An fd that can carry xattrs for f (O_PATH fds cannot); -errno. */
static int xattr_fd(const struct smb_vfs_file *f, bool *opened)
{
	struct stat sb;
	int fd;

	*opened = false;
	if (!f->path_only)
		return f->fd;
	fd = resolve(f->share, f->path,
		     O_RDONLY | O_NONBLOCK | O_NOCTTY | O_NOFOLLOW |
			     (f->is_dir ? O_DIRECTORY : 0),
		     0);
	if (fd < 0)
		return fd;
	if (fstat(fd, &sb) || sb.st_dev != f->dev || sb.st_ino != f->ino) {
		close(fd);
		return -ESTALE;
	}
	*opened = true;
	return fd;
}

static void xattr_fd_done(int fd, bool opened)
{
	if (opened)
		close(fd);
}

/* Every xattr name of fd, NUL-separated, in a malloc'd buffer; length or
 * -errno. */
static ssize_t list_names(int fd, char **out)
{
	ssize_t n;
	char *buf;
	int tries;

	*out = NULL;
	for (tries = 0; tries < LOOKUP_RETRIES; tries++) {
		n = flistxattr(fd, NULL, 0);
		if (n < 0)
			return xattr_unsupported(errno) ? 0 : -errno;
		buf = malloc((size_t)n + 1);
		if (!buf)
			return -ENOMEM;
		n = flistxattr(fd, buf, (size_t)n + 1);
		if (n >= 0) {
			buf[n] = '\0';
			*out = buf;
			return n;
		}
		free(buf);
		if (errno != ERANGE)
			return -errno;
	}
	return -EAGAIN;
}

/*
 * The index-th xattr under prefix (index >= 0), or the one whose suffix
 * equals want ignoring case (want != NULL).  Copies the full xattr name to
 * attr; 0, -ENOENT or another -errno.
 */
static int find_xattr(int fd, const char *prefix, const char *want, long index,
		      char attr[XATTR_NAME_LEN])
{
	size_t plen = strlen(prefix);
	char *names, *p;
	ssize_t n = list_names(fd, &names);
	int rc = -ENOENT;

	if (n < 0)
		return (int)n;
	for (p = names; names && p < names + n; p += strlen(p) + 1) {
		if (strncmp(p, prefix, plen) || !p[plen] ||
		    strlen(p) >= XATTR_NAME_LEN)
			continue;
		if (want ? !smb_name_equal_ci(p + plen, want) : index-- > 0)
			continue;
		strcpy(attr, p);
		rc = 0;
		break;
	}
	free(names);
	return rc;
}

/* The value of attr in a malloc'd buffer (at least one byte); -errno. */
static ssize_t read_value(int fd, const char *attr, u8 **out)
{
	u8 *buf = malloc(XATTR_VALUE_MAX);
	ssize_t n;

	*out = NULL;
	if (!buf)
		return -ENOMEM;
	n = fgetxattr(fd, attr, buf, XATTR_VALUE_MAX);
	if (n < 0) {
		n = -errno;
		free(buf);
		return n;
	}
	*out = buf;
	return n;
}

/* Does name fit an xattr under prefix? */
static bool xattr_name_fits(const char *prefix, const char *name)
{
	return *name && strlen(prefix) + strlen(name) < XATTR_NAME_LEN;
}

static u32 stream_errno(int err)
{
	if (err == ENOSPC || err == E2BIG)
		return STATUS_DISK_FULL;
	if (err == ENODATA)
		return STATUS_OBJECT_NAME_NOT_FOUND;
	return smb_errno_to_status(err);
}

static u32 posix_stream_open(struct smb_vfs_file *base, const char *name,
			     u32 flags, struct smb_vfs_file **out,
			     struct smb_stat *st, bool *created)
{
	char attr[XATTR_NAME_LEN];
	struct smb_vfs_file *f;
	bool made = false, opened;
	int fd, rc;

	*out = NULL;
	if (created)
		*created = false;
	if (!xattr_name_fits(XATTR_STREAM_PREFIX, name) || strchr(name, ':') ||
	    strchr(name, '/'))
		return STATUS_OBJECT_NAME_INVALID;
	fd = xattr_fd(base, &opened);
	if (fd < 0)
		return lookup_status(-fd);
	if (!opened) {
		/* The stream handle owns its fd. */
		fd = fcntl(base->fd, F_DUPFD_CLOEXEC, 0);
		if (fd < 0)
			return smb_errno_to_status(errno);
	}
	rc = find_xattr(fd, XATTR_STREAM_PREFIX, name, -1, attr);
	if (rc == 0 && (flags & SMB_VFS_O_CREATE) && (flags & SMB_VFS_O_EXCL))
		rc = -EEXIST;
	if (rc == -ENOENT && (flags & SMB_VFS_O_CREATE)) {
		snprintf(attr, sizeof(attr), "%s%s", XATTR_STREAM_PREFIX, name);
		rc = fsetxattr(fd, attr, "", 0, XATTR_CREATE) ? -errno : 0;
		made = rc == 0;
	} else if (rc == 0 && (flags & SMB_VFS_O_TRUNC)) {
		rc = fsetxattr(fd, attr, "", 0, XATTR_REPLACE) ? -errno : 0;
	}
	if (rc) {
		close(fd);
		return rc == -ENOENT ? STATUS_OBJECT_NAME_NOT_FOUND :
		       rc == -EEXIST ? STATUS_OBJECT_NAME_COLLISION :
				       stream_errno(-rc);
	}
	f = calloc(1, sizeof(*f));
	if (!f) {
		close(fd);
		return STATUS_NO_MEMORY;
	}
	pthread_mutex_init(&f->dir_lock, NULL);
	f->fd = fd;
	f->share = base->share;
	f->dev = base->dev;
	f->ino = base->ino;
	f->writable = flags & SMB_VFS_O_WRITE;
	f->path = strdup(base->path);
	f->stream = strdup(attr);
	if (!f->path || !f->stream) {
		free_file(f);
		return STATUS_NO_MEMORY;
	}
	return hand_out(f, st, created, made, out);
}

/* Size of the stream f is open on; -errno. */
static ssize_t stream_size(const struct smb_vfs_file *f)
{
	ssize_t n = fgetxattr(f->fd, f->stream, NULL, 0);

	return n < 0 ? -errno : n;
}

static u32 stream_rw(struct smb_vfs_file *f, u8 *rbuf, const u8 *wbuf,
		     size_t len, u64 off, size_t *done)
{
	ssize_t n;
	u8 *val;
	u32 status = STATUS_SUCCESS;

	n = read_value(f->fd, f->stream, &val);
	if (n < 0)
		return stream_errno((int)-n);
	if (rbuf) {
		if (off < (u64)n) {
			*done = min_t(size_t, len, (size_t)((u64)n - off));
			memcpy(rbuf, val + off, *done);
		}
	} else if (len) {
		if (off > XATTR_VALUE_MAX || len > XATTR_VALUE_MAX - off) {
			status = STATUS_DISK_FULL;
		} else {
			size_t end = (size_t)off + len;

			if (off > (u64)n)
				memset(val + n, 0, (size_t)off - (size_t)n);
			memcpy(val + off, wbuf, len);
			if (fsetxattr(f->fd, f->stream, val,
				      end > (size_t)n ? end : (size_t)n,
				      XATTR_REPLACE))
				status = stream_errno(errno);
			else
				*done = len;
		}
	}
	free(val);
	return status;
}

static u32 stream_transfer(struct smb_vfs_file *f, u8 *rbuf, const u8 *wbuf,
			   size_t len, u64 off, size_t *done)
{
	u32 status;

	*done = 0;
	if (wbuf && !f->writable)
		return STATUS_ACCESS_DENIED;
	if (rbuf)
		return stream_rw(f, rbuf, NULL, len, off, done);
	pthread_mutex_lock(&stream_rmw_lock);
	status = stream_rw(f, NULL, wbuf, len, off, done);
	pthread_mutex_unlock(&stream_rmw_lock);
	return status;
}

static u32 stream_set_size(struct smb_vfs_file *f, u32 valid, u64 size)
{
	ssize_t n;
	u8 *val;
	u32 status = STATUS_SUCCESS;

	if (!f->writable)
		return STATUS_ACCESS_DENIED;
	if (!(valid & SMB_VFS_SET_SIZE))
		return STATUS_SUCCESS; /* allocation is only a hint here */
	if (size > XATTR_VALUE_MAX)
		return STATUS_DISK_FULL;
	pthread_mutex_lock(&stream_rmw_lock);
	n = read_value(f->fd, f->stream, &val);
	if (n < 0) {
		pthread_mutex_unlock(&stream_rmw_lock);
		return stream_errno((int)-n);
	}
	if (size > (u64)n)
		memset(val + n, 0, (size_t)size - (size_t)n);
	if (fsetxattr(f->fd, f->stream, val, (size_t)size, XATTR_REPLACE))
		status = stream_errno(errno);
	pthread_mutex_unlock(&stream_rmw_lock);
	free(val);
	return status;
}

static u32 posix_stream_list(struct smb_vfs_file *f, u32 index, char *name,
			     size_t name_size, u64 *size)
{
	char attr[XATTR_NAME_LEN];
	bool opened;
	int fd = xattr_fd(f, &opened), rc;
	ssize_t n;

	if (fd < 0)
		return lookup_status(-fd);
	rc = find_xattr(fd, XATTR_STREAM_PREFIX, NULL, (long)index, attr);
	if (!rc) {
		n = fgetxattr(fd, attr, NULL, 0);
		rc = n < 0 ? -errno : 0;
		*size = n < 0 ? 0 : (u64)n;
	}
	xattr_fd_done(fd, opened);
	if (rc == -ENOENT || rc == -ENODATA)
		return STATUS_NO_MORE_FILES;
	if (rc)
		return smb_errno_to_status(-rc);
	if (strlen(attr) - strlen(XATTR_STREAM_PREFIX) >= name_size)
		return STATUS_BUFFER_TOO_SMALL;
	strcpy(name, attr + strlen(XATTR_STREAM_PREFIX));
	return STATUS_SUCCESS;
}

static u32 posix_stream_remove(struct smb_vfs_file *f, const char *name)
{
	char attr[XATTR_NAME_LEN];
	bool opened;
	int fd = xattr_fd(f, &opened), rc = 0;

	if (fd < 0)
		return lookup_status(-fd);
	if (name) {
		rc = find_xattr(fd, XATTR_STREAM_PREFIX, name, -1, attr);
		if (!rc && fremovexattr(fd, attr))
			rc = -errno;
	} else {
		while (!(rc = find_xattr(fd, XATTR_STREAM_PREFIX, NULL, 0,
					 attr)))
			if (fremovexattr(fd, attr)) {
				rc = -errno;
				break;
			}
		if (rc == -ENOENT)
			rc = 0;
	}
	xattr_fd_done(fd, opened);
	if (rc == -ENOENT || rc == -ENODATA)
		return STATUS_OBJECT_NAME_NOT_FOUND;
	return rc ? smb_errno_to_status(-rc) : STATUS_SUCCESS;
}

/*
 * Rename the open stream.  An existing target is replaced only when asked
 * and only while it is empty; NTFS refuses to drop a stream's data by
 * renaming over it (STATUS_INVALID_PARAMETER).
 */
/*
 * A named stream becomes the file's data: only while the file is empty
 * (the same rule as for replacing a named stream).  The handle then holds
 * the unnamed stream, through a fresh fd with the handle's access.
 */
static u32 stream_to_data(struct smb_vfs_file *f, bool replace)
{
	struct stat sb;
	ssize_t n;
	u8 *val;
	int fd;
	u32 status = STATUS_SUCCESS;

	if (fstat(f->fd, &sb))
		return smb_errno_to_status(errno);
	if (sb.st_size && !replace)
		return STATUS_OBJECT_NAME_COLLISION;
	if (sb.st_size || !S_ISREG(sb.st_mode))
		return STATUS_INVALID_PARAMETER;
	fd = resolve(f->share, f->path,
		     (f->writable ? O_RDWR : O_RDONLY) | O_NONBLOCK | O_NOCTTY,
		     0);
	if (fd < 0)
		return lookup_status(-fd);
	if (fstat(fd, &sb) || sb.st_dev != f->dev || sb.st_ino != f->ino) {
		close(fd);
		return STATUS_ACCESS_DENIED; /* replaced meanwhile */
	}
	n = read_value(f->fd, f->stream, &val);
	if (n < 0) {
		close(fd);
		return stream_errno((int)-n);
	}
	if (n && pwrite(fd, val, (size_t)n, 0) != n)
		status = STATUS_DISK_FULL;
	else if (fremovexattr(f->fd, f->stream) && errno != ENODATA)
		status = smb_errno_to_status(errno);
	free(val);
	if (status) {
		close(fd);
		return status;
	}
	close(f->fd);
	f->fd = fd;
	free(f->stream);
	f->stream = NULL;
	return STATUS_SUCCESS;
}

static u32 stream_rename_locked(struct smb_vfs_file *f, const char *to,
				bool replace)
{
	char attr[XATTR_NAME_LEN];
	ssize_t n;
	u8 *val;
	int rc;

	if (!f->stream)
		return STATUS_INVALID_PARAMETER;
	if (!*to)
		return stream_to_data(f, replace);
	if (!xattr_name_fits(XATTR_STREAM_PREFIX, to) || strchr(to, ':') ||
	    strchr(to, '/'))
		return STATUS_OBJECT_NAME_INVALID;
	rc = find_xattr(f->fd, XATTR_STREAM_PREFIX, to, -1, attr);
	if (rc == 0) {
		if (!strcmp(attr, f->stream))
			return STATUS_SUCCESS;
		if (!replace)
			return STATUS_OBJECT_NAME_COLLISION;
		n = fgetxattr(f->fd, attr, NULL, 0);
		if (n != 0)
			return STATUS_INVALID_PARAMETER;
	} else if (rc != -ENOENT) {
		return smb_errno_to_status(-rc);
	}
	n = read_value(f->fd, f->stream, &val);
	if (n < 0)
		return stream_errno((int)-n);
	if (rc == 0 && fremovexattr(f->fd, attr)) {
		free(val);
		return smb_errno_to_status(errno);
	}
	snprintf(attr, sizeof(attr), "%s%s", XATTR_STREAM_PREFIX, to);
	if (fsetxattr(f->fd, attr, val, (size_t)n, XATTR_CREATE)) {
		rc = errno;
		free(val);
		return stream_errno(rc);
	}
	free(val);
	if (fremovexattr(f->fd, f->stream) && errno != ENODATA)
		return smb_errno_to_status(errno);
	free(f->stream);
	f->stream = strdup(attr);
	return f->stream ? STATUS_SUCCESS : STATUS_NO_MEMORY;
}

static u32 posix_stream_rename(struct smb_vfs_file *f, const char *to,
			       bool replace)
{
	u32 status;

	pthread_mutex_lock(&stream_rmw_lock);
	status = stream_rename_locked(f, to, replace);
	pthread_mutex_unlock(&stream_rmw_lock);
	return status;
}

static u32 posix_ea_list(struct smb_vfs_file *f, u32 index, char *name,
			 size_t name_size, u8 *value, size_t value_size,
			 size_t *value_len)
{
	char attr[XATTR_NAME_LEN];
	bool opened;
	int fd = xattr_fd(f, &opened), rc;
	ssize_t n = 0;

	if (fd < 0)
		return lookup_status(-fd);
	rc = find_xattr(fd, XATTR_EA_PREFIX, NULL, (long)index, attr);
	if (!rc) {
		n = fgetxattr(fd, attr, value, value_size);
		if (n < 0)
			rc = -errno;
	}
	xattr_fd_done(fd, opened);
	if (rc == -ENOENT || rc == -ENODATA)
		return STATUS_NO_MORE_FILES;
	if (rc == -ERANGE)
		return STATUS_BUFFER_TOO_SMALL;
	if (rc)
		return smb_errno_to_status(-rc);
	if (strlen(attr) - strlen(XATTR_EA_PREFIX) >= name_size)
		return STATUS_BUFFER_TOO_SMALL;
	strcpy(name, attr + strlen(XATTR_EA_PREFIX));
	*value_len = (size_t)n;
	return STATUS_SUCCESS;
}

static u32 posix_ea_set(struct smb_vfs_file *f, const char *name,
			const u8 *value, size_t len)
{
	char attr[XATTR_NAME_LEN];
	bool opened;
	int fd, rc = 0;

	if (!xattr_name_fits(XATTR_EA_PREFIX, name))
		return STATUS_INVALID_EA_NAME;
	if (len > XATTR_VALUE_MAX)
		return STATUS_EA_TOO_LARGE;
	fd = xattr_fd(f, &opened);
	if (fd < 0)
		return lookup_status(-fd);
	snprintf(attr, sizeof(attr), "%s%s", XATTR_EA_PREFIX, name);
	if (len ? fsetxattr(fd, attr, value, len, 0) : fremovexattr(fd, attr))
		rc = errno;
	xattr_fd_done(fd, opened);
	if (!len && rc == ENODATA)
		return STATUS_SUCCESS;
	if (rc == ENOSPC || rc == E2BIG)
		return STATUS_EA_TOO_LARGE;
	if (xattr_unsupported(rc))
		return STATUS_EAS_NOT_SUPPORTED;
	return smb_errno_to_status(rc);
}

static u32 posix_ea_get(struct smb_vfs_file *f, const char *name, u8 *value,
			size_t value_size, size_t *value_len)
{
	char attr[XATTR_NAME_LEN];
	bool opened;
	int fd, err = 0;
	ssize_t n;

	if (!xattr_name_fits(XATTR_EA_PREFIX, name))
		return STATUS_OBJECT_NAME_NOT_FOUND;
	fd = xattr_fd(f, &opened);
	if (fd < 0)
		return lookup_status(-fd);
	snprintf(attr, sizeof(attr), "%s%s", XATTR_EA_PREFIX, name);
	n = fgetxattr(fd, attr, value, value_size);
	if (n < 0)
		err = errno;
	xattr_fd_done(fd, opened);
	if (err == ENODATA || xattr_unsupported(err))
		return STATUS_OBJECT_NAME_NOT_FOUND;
	if (err == ERANGE)
		return STATUS_BUFFER_TOO_SMALL;
	if (err)
		return smb_errno_to_status(err);
	*value_len = (size_t)n;
	return STATUS_SUCCESS;
}

/* ---- sparse files and server-side copy ---------------------------------- */

static u32 posix_seek(struct smb_vfs_file *f, u64 off, bool hole, u64 *out)
{
	off_t r;

	if (f->path_only)
		return STATUS_ACCESS_DENIED;
	if (off > INT64_MAX)
		return STATUS_INVALID_PARAMETER;
	if (f->stream) {
		ssize_t n = stream_size(f);

		if (n < 0)
			return stream_errno((int)-n);
		if (off >= (u64)n)
			return STATUS_END_OF_FILE;
		*out = hole ? (u64)n : off;
		return STATUS_SUCCESS;
	}
	r = lseek(f->fd, (off_t)off, hole ? SEEK_HOLE : SEEK_DATA);
	if (r < 0)
		return errno == ENXIO ? STATUS_END_OF_FILE :
					smb_errno_to_status(errno);
	*out = (u64)r;
	return STATUS_SUCCESS;
}

static u32 posix_punch_hole(struct smb_vfs_file *f, u64 off, u64 len)
{
	static const u8 zeros[ZERO_CHUNK];
	struct stat sb;
	u64 end;
	u32 status;

	if (f->path_only || f->is_dir || !f->writable)
		return STATUS_ACCESS_DENIED;
	if (off > INT64_MAX || len > INT64_MAX - off)
		return STATUS_INVALID_PARAMETER;
	if (!len)
		return STATUS_SUCCESS;
	if (!f->stream &&
	    !fallocate(f->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
		       (off_t)off, (off_t)len))
		return STATUS_SUCCESS;
	if (!f->stream && errno != EOPNOTSUPP && errno != ENOSYS)
		return smb_errno_to_status(errno);
	/* No hole punching here: write zeros, never past the end of file. */
	if (f->stream) {
		ssize_t n = stream_size(f);

		if (n < 0)
			return stream_errno((int)-n);
		sb.st_size = n;
	} else if (fstat(f->fd, &sb)) {
		return smb_errno_to_status(errno);
	}
	end = min_t(u64, off + len, (u64)sb.st_size);
	while (off < end) {
		size_t chunk = (size_t)min_t(u64, end - off, ZERO_CHUNK), done;

		status = f->stream ?
				 stream_transfer(f, NULL, zeros, chunk, off,
						 &done) :
				 transfer(f, NULL, zeros, chunk, off, &done);
		if (status)
			return status;
		if (!done)
			return STATUS_DISK_FULL;
		off += done;
	}
	return STATUS_SUCCESS;
}

/* Copy through a buffer: streams, or file systems without copy_file_range. */
static u32 copy_bounce(struct smb_vfs_file *src, u64 soff,
		       struct smb_vfs_file *dst, u64 doff, u64 len, u64 *done)
{
	u8 *buf = malloc(ZERO_CHUNK);
	u32 status = STATUS_SUCCESS;

	if (!buf)
		return STATUS_NO_MEMORY;
	while (*done < len) {
		size_t chunk = (size_t)min_t(u64, len - *done, ZERO_CHUNK);
		size_t got, put;

		status = posix_pread(src, buf, chunk, soff + *done, &got);
		if (status || !got)
			break;
		status = posix_pwrite(dst, buf, got, doff + *done, &put);
		if (status)
			break;
		*done += put;
		if (put < got)
			break;
	}
	free(buf);
	return status;
}

static u32 posix_copy_range(struct smb_vfs_file *src, u64 soff,
			    struct smb_vfs_file *dst, u64 doff, u64 len,
			    u64 *done)
{
	*done = 0;
	if (src->path_only || dst->path_only || !dst->writable)
		return STATUS_ACCESS_DENIED;
	if (soff > INT64_MAX || doff > INT64_MAX || len > INT64_MAX - soff ||
	    len > INT64_MAX - doff)
		return STATUS_INVALID_PARAMETER;
	while (!src->stream && !dst->stream && *done < len) {
		loff_t in = (loff_t)(soff + *done),
		       out = (loff_t)(doff + *done);
		ssize_t n = copy_file_range(
			src->fd, &in, dst->fd, &out,
			(size_t)min_t(u64, len - *done, IO_CHUNK), 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EXDEV || errno == EINVAL ||
			      errno == EOPNOTSUPP || errno == ENOSYS))
			break; /* fall back to a plain copy */
		if (n < 0)
			return smb_errno_to_status(errno);
		if (n == 0)
			return STATUS_SUCCESS; /* end of the source */
		*done += (u64)n;
	}
	if (*done == len)
		return STATUS_SUCCESS;
	return copy_bounce(src, soff, dst, doff, len, done);
}

static u32 posix_watch_add(struct smb_vfs_file *dir, bool tree,
			   smb_vfs_watch_fn cb, void *arg,
			   struct smb_vfs_watch **out)
{
	*out = NULL;
	if (!dir->is_dir || dir->stream)
		return STATUS_INVALID_PARAMETER;
	return smb_posix_watch_add(dir->fd, tree, cb, arg, out);
}

static const struct smb_vfs_ops posix_vfs_ops = {
	.share_open = posix_share_open,
	.share_close = posix_share_close,
	.statfs = posix_statfs,
	.open = posix_open,
	.close = posix_close,
	.fstat = posix_fstat,
	.size = posix_size,
	.pread = posix_pread,
	.pwrite = posix_pwrite,
	.fsync = posix_fsync,
	.setattr = posix_setattr,
	.readdir = posix_readdir,
	.rewinddir = posix_rewinddir,
	.unlink = posix_unlink,
	.rmdir = posix_rmdir,
	.rename = posix_rename,
	.get_sd = posix_get_sd,
	.set_sd = posix_set_sd,
	.stream_open = posix_stream_open,
	.stream_list = posix_stream_list,
	.stream_remove = posix_stream_remove,
	.stream_rename = posix_stream_rename,
	.ea_list = posix_ea_list,
	.ea_set = posix_ea_set,
	.ea_get = posix_ea_get,
	.seek = posix_seek,
	.punch_hole = posix_punch_hole,
	.copy_range = posix_copy_range,
	.watch_add = posix_watch_add,
	.watch_remove = smb_posix_watch_remove,
	.ctx = NULL,
};

const struct smb_vfs_ops *smb_posix_vfs_ops(void)
{
	return &posix_vfs_ops;
}
