/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ops.h - everything the core needs from the world, as ops tables.
 *
 * The core never allocates, hashes, touches a file, reads a clock or sends a
 * byte by itself: a platform (userspace/ or kernel/) fills these tables and
 * hands them to smb_server_new().  Every op that can fail returns an NT
 * status (0 == STATUS_SUCCESS) so backends map their own errors once.
 */
#ifndef SMB_OPS_H
#define SMB_OPS_H

#include "compat.h"

/* A scatter/gather element, used for hashing, signing and sending. */
struct smb_iov {
	void *base;
	size_t len;
};

/* ---- memory ---------------------------------------------------------- */
struct smb_allocator {
	void *(*alloc)(size_t size, void *ctx); /* zeroed memory or NULL */
	void (*free)(void *ptr, void *ctx);
	void *ctx;
	/* Optional: memory the caller overwrites before reading (READ data). */
	void *(*alloc_uninit)(size_t size, void *ctx);
};

/* ---- crypto ---------------------------------------------------------- */
enum smb_hash_alg {
	SMB_HASH_MD5 = 1,
	SMB_HASH_SHA256 = 2,
	SMB_HASH_SHA512 = 3,
};

enum smb_cipher_alg {
	SMB_CIPHER_AES128_CCM = 1,
	SMB_CIPHER_AES128_GCM = 2,
	SMB_CIPHER_AES256_CCM = 3,
	SMB_CIPHER_AES256_GCM = 4,
};

#define SMB_MD5_SIZE 16
#define SMB_SHA256_SIZE 32
#define SMB_SHA512_SIZE 64

/*
 * MD4 and RC4 are needed only by NTLM and are implemented in the core
 * (core/md4.c, core/rc4.c), so no backend has to enable legacy algorithms.
 * Each op returns 0 on success, nonzero on failure.
 */
struct smb_crypto_ops {
	/* Digest of the concatenated iovs. */
	int (*hash)(enum smb_hash_alg alg, const struct smb_iov *iov, int niov,
		    u8 *out);
	/* HMAC of the concatenated iovs (MD5 or SHA-256). */
	int (*hmac)(enum smb_hash_alg alg, const u8 *key, size_t key_len,
		    const struct smb_iov *iov, int niov, u8 *out);
	/* AES-128-CMAC, 16-byte tag. */
	int (*aes_cmac)(const u8 key[16], const struct smb_iov *iov, int niov,
			u8 mac[16]);
	/* AES-128-GMAC: GCM with all data as AAD, 12-byte nonce. */
	int (*aes_gmac)(const u8 key[16], const u8 nonce[12],
			const struct smb_iov *iov, int niov, u8 mac[16]);
	/*
	 * AEAD for SMB3 encryption: encrypt/decrypt data in place, aad is the
	 * transform header's authenticated part.  nonce_len is 11 (CCM) or
	 * 12 (GCM).  decrypt fails on a tag mismatch.
	 */
	int (*aead_encrypt)(enum smb_cipher_alg alg, const u8 *key,
			    size_t key_len, const u8 *nonce, size_t nonce_len,
			    const u8 *aad, size_t aad_len,
			    const struct smb_iov *data, int ndata, u8 tag[16]);
	int (*aead_decrypt)(enum smb_cipher_alg alg, const u8 *key,
			    size_t key_len, const u8 *nonce, size_t nonce_len,
			    const u8 *aad, size_t aad_len,
			    const struct smb_iov *data, int ndata,
			    const u8 tag[16]);
};

/* ---- clock and randomness -------------------------------------------- */
struct smb_clock_ops {
	/* Wall clock as an NT time: 100 ns units since 1601-01-01 UTC. */
	u64 (*now_nt)(void *ctx);
	/* Monotonic milliseconds for timeouts. */
	u64 (*monotonic_ms)(void *ctx);
	void *ctx;
};

struct smb_random_ops {
	/* Cryptographically strong bytes; returns 0 on success. */
	int (*bytes)(void *ctx, void *buf, size_t len);
	void *ctx;
};

/* ---- user database --------------------------------------------------- */
struct smb_user {
	char name[64];
	u8 nt_hash[16]; /* MD4(UTF-16LE(password)) */
	u32 uid;
	u32 gid;
	bool is_guest;
};

struct smb_user_ops {
	/*
	 * Look a user up by account name (UTF-8, compared case-insensitively
	 * as ksmbd does).  Returns 0 and fills *out, or nonzero if unknown.
	 */
	int (*lookup)(void *ctx, const char *name, struct smb_user *out);
	void *ctx;
};

/* ---- VFS --------------------------------------------------------------- */
/*
 * Paths given to the VFS are UTF-8, relative to the share root, components
 * separated by '/', already validated by the core: no empty, "." or ".."
 * components, no leading '/'.  "" names the share root itself.  The backend
 * must still confine every lookup to the root (symlinks, races).
 */
struct smb_vfs_share; /* a share root opened by the backend */
struct smb_vfs_file; /* an open file or directory */

struct smb_stat {
	u64 ino;
	u64 dev;
	u64 size;
	u64 alloc_size;
	u32 nlink;
	u32 mode; /* POSIX mode bits incl. type */
	u32 uid;
	u32 gid;
	u64 creation_time; /* NT times */
	u64 access_time;
	u64 write_time;
	u64 change_time;
	u32 attributes; /* FILE_ATTRIBUTE_*, as stored/derived by backend */
	bool is_dir;
	/* EaSize: bytes of the file's EAs as a FILE_FULL_EA_INFORMATION
	 * list, each entry 4-aligned; 0 when none (or no EA support). */
	u32 ea_size;
};

/* Flags for smb_vfs_ops.open(). */
#define SMB_VFS_O_READ 0x0001u
#define SMB_VFS_O_WRITE 0x0002u
#define SMB_VFS_O_CREATE 0x0004u /* create if missing */
#define SMB_VFS_O_EXCL 0x0008u /* with CREATE: fail if it exists */
#define SMB_VFS_O_TRUNC 0x0010u
#define SMB_VFS_O_DIRECTORY 0x0020u /* must be (or create) a directory */
#define SMB_VFS_O_NOT_DIRECTORY 0x0040u /* must not be a directory */
#define SMB_VFS_O_PATH_ONLY 0x0080u /* no data access (attributes only) */

struct smb_vfs_dirent {
	char name[1024]; /* UTF-8, NUL-terminated */
	struct smb_stat st;
};

struct smb_vfs_statfs {
	u64 total_units;
	u64 free_units;
	u64 avail_units;
	u32 sectors_per_unit;
	u32 bytes_per_sector;
	u32 max_name_len;
	u64 fsid;
};

/* What smb_vfs_ops.setattr() changes: fields whose flag is set. */
#define SMB_VFS_SET_ATTRIBUTES 0x01u
#define SMB_VFS_SET_CREATION 0x02u
#define SMB_VFS_SET_ACCESS 0x04u
#define SMB_VFS_SET_WRITE 0x08u
#define SMB_VFS_SET_CHANGE 0x10u
#define SMB_VFS_SET_SIZE 0x20u
#define SMB_VFS_SET_ALLOC 0x40u
/* FILE_ATTRIBUTE_SPARSE_FILE from attributes (FSCTL_SET_SPARSE). */
#define SMB_VFS_SET_SPARSE 0x80u
struct smb_vfs_setattr {
	u32 valid;
	u32 attributes;
	u64 creation_time, access_time, write_time, change_time;
	u64 size;
};

/* A directory watch (smb_vfs_ops.watch_add) and its callback. */
#define SMB_VFS_CHANGE_MORE 0x80000000u
struct smb_vfs_watch;
typedef void (*smb_vfs_watch_fn)(void *arg, u32 action, u32 changes,
				 const char *name);

struct smb_vfs_ops {
	/* Open a share's root directory; fails if it does not exist. */
	u32 (*share_open)(void *ctx, const char *root_path,
			  struct smb_vfs_share **out);
	void (*share_close)(struct smb_vfs_share *share);
	u32 (*statfs)(struct smb_vfs_share *share, struct smb_vfs_statfs *out);

	/*
	 * Open or create path under share.  mode is POSIX permission bits for
	 * a created object (already masked by the share's create/directory
	 * mask).  On success fills *st and sets *created when it made the
	 * object.  Errors: STATUS_OBJECT_NAME_NOT_FOUND,
	 * STATUS_OBJECT_PATH_NOT_FOUND, STATUS_OBJECT_NAME_COLLISION,
	 * STATUS_FILE_IS_A_DIRECTORY, STATUS_NOT_A_DIRECTORY,
	 * STATUS_ACCESS_DENIED (also for escapes from the root), ...
	 */
	u32 (*open)(struct smb_vfs_share *share, const char *path, u32 flags,
		    u32 mode, struct smb_vfs_file **out, struct smb_stat *st,
		    bool *created);
	void (*close)(struct smb_vfs_file *f);
	u32 (*fstat)(struct smb_vfs_file *f, struct smb_stat *st);
	/* Optional: the size alone (fstat's st.size), for every large READ. */
	u32 (*size)(struct smb_vfs_file *f, u64 *size);
	/* Read up to len at off; *done gets the byte count (0 at EOF). */
	u32 (*pread)(struct smb_vfs_file *f, void *buf, size_t len, u64 off,
		     size_t *done);
	u32 (*pwrite)(struct smb_vfs_file *f, const void *buf, size_t len,
		      u64 off, size_t *done);
	u32 (*fsync)(struct smb_vfs_file *f);
	u32 (*setattr)(struct smb_vfs_file *f, const struct smb_vfs_setattr *a);
	/*
	 * Directory enumeration on an open directory: next entry (including
	 * "." and ".."), STATUS_NO_MORE_FILES at the end.  rewind restarts.
	 */
	u32 (*readdir)(struct smb_vfs_file *dir, struct smb_vfs_dirent *ent);
	u32 (*rewinddir)(struct smb_vfs_file *dir);
	/* Namespace operations, paths as for open(). */
	u32 (*unlink)(struct smb_vfs_share *share, const char *path);
	u32 (*rmdir)(struct smb_vfs_share *share, const char *path);
	u32 (*rename)(struct smb_vfs_share *share, const char *from,
		      const char *to, bool replace);
	/*
	 * The security descriptor stored for an open file (opaque bytes to
	 * the backend).  get_sd: *len gets its size; STATUS_NOT_FOUND when
	 * none is stored, STATUS_BUFFER_TOO_SMALL when size is too small.
	 * set_sd replaces it.  Both NULL: descriptors are never stored.
	 */
	u32 (*get_sd)(struct smb_vfs_file *f, void *buf, size_t size,
		      size_t *len);
	u32 (*set_sd)(struct smb_vfs_file *f, const void *buf, size_t len);

	/*
	 * Optional (NULL: not offered).  Named streams ([MS-FSCC] 2.1.5.3):
	 * stream_open opens the stream name (UTF-8, no ':') of the file or
	 * directory base (which may be an attribute-only open); flags as for
	 * open (CREATE, EXCL, TRUNC, READ, WRITE).  The handle works with
	 * pread, pwrite, fstat (size: the stream's), setattr (SIZE on the
	 * stream; times and attributes on the file) and close.  Streams past
	 * the backend's size limit fail with STATUS_DISK_FULL.
	 */
	u32 (*stream_open)(struct smb_vfs_file *base, const char *name,
			   u32 flags, struct smb_vfs_file **out,
			   struct smb_stat *st, bool *created);
	/* The index-th named stream of f (from 0): name and size;
	 * STATUS_NO_MORE_FILES past the last. */
	u32 (*stream_list)(struct smb_vfs_file *f, u32 index, char *name,
			   size_t name_size, u64 *size);
	/* Remove the named stream name of f's file; NULL removes them all. */
	u32 (*stream_remove)(struct smb_vfs_file *f, const char *name);
	/* Rename the stream open as f; replace as for rename().  to "" makes
	 * it the file's unnamed stream (only while that one is empty). */
	u32 (*stream_rename)(struct smb_vfs_file *f, const char *to,
			     bool replace);
	/*
	 * Extended attributes ([MS-FSCC] 2.4.15), names upper-cased ASCII by
	 * the core: the index-th EA with its value (STATUS_NO_MORE_FILES
	 * past the last, STATUS_BUFFER_TOO_SMALL if it does not fit the
	 * buffers); ea_set with
	 * len 0 removes the EA (a missing one is not an error).
	 */
	u32 (*ea_list)(struct smb_vfs_file *f, u32 index, char *name,
		       size_t name_size, u8 *value, size_t value_size,
		       size_t *value_len);
	u32 (*ea_set)(struct smb_vfs_file *f, const char *name, const u8 *value,
		      size_t len);
	/* One EA by name: STATUS_OBJECT_NAME_NOT_FOUND when absent. */
	u32 (*ea_get)(struct smb_vfs_file *f, const char *name, u8 *value,
		      size_t value_size, size_t *value_len);
	/*
	 * Sparse files: the first offset >= off holding data (hole false)
	 * or a hole (hole true); STATUS_END_OF_FILE when off is at or past
	 * the end (SEEK_DATA/SEEK_HOLE).  punch_hole zeroes a range without
	 * changing the size, freeing blocks where it can.
	 */
	u32 (*seek)(struct smb_vfs_file *f, u64 off, bool hole, u64 *out);
	u32 (*punch_hole)(struct smb_vfs_file *f, u64 off, u64 len);
	/* Server-side copy of len bytes; *done gets what was copied. */
	u32 (*copy_range)(struct smb_vfs_file *src, u64 src_off,
			  struct smb_vfs_file *dst, u64 dst_off, u64 len,
			  u64 *done);
	/*
	 * Optional (NULL: CHANGE_NOTIFY is not offered).  watch_add reports
	 * changes in the open directory dir (its whole subtree when tree) to
	 * cb, from any thread, until watch_remove returns (which waits for a
	 * running cb; never call it from cb).  cb gets a FILE_ACTION_*, the
	 * FILE_NOTIFY_CHANGE_* bits the change matches and the name relative
	 * to dir ('/'-separated UTF-8); action 0 means changes were lost.
	 * SMB_VFS_CHANGE_MORE in changes: more changes follow at once (the
	 * rest of a batch; a RENAMED_OLD_NAME always has it).
	 */
	u32 (*watch_add)(struct smb_vfs_file *dir, bool tree,
			 smb_vfs_watch_fn cb, void *arg,
			 struct smb_vfs_watch **out);
	void (*watch_remove)(struct smb_vfs_watch *w);
	void *ctx;
};

/* ---- network interfaces ---------------------------------------------- */
/* Capability bits of NETWORK_INTERFACE_INFO ([MS-SMB2] 2.2.32.5). */
#define SMB_NETIF_RSS_CAPABLE 0x00000001u
#define SMB_NETIF_RDMA_CAPABLE 0x00000002u
/* Address families as SockAddr_Storage encodes them (2.2.32.5.1). */
#define SMB_NETIF_INET 0x0002
#define SMB_NETIF_INET6 0x0017

/* One address of a local interface (FSCTL_QUERY_NETWORK_INTERFACE_INFO). */
struct smb_netif {
	u32 if_index; /* nonzero; the same for every address of an interface */
	u32 capability; /* SMB_NETIF_*_CAPABLE */
	u64 link_speed; /* bits per second */
	u16 family; /* SMB_NETIF_INET or SMB_NETIF_INET6 */
	u8 addr[16]; /* network byte order; IPv4 uses the first 4 bytes */
};

struct smb_netif_ops {
	/*
	 * Fill out[0..max) with the addresses clients may connect to;
	 * returns how many (0..max), or <0 on failure.  May run on any
	 * thread.  NULL: the server does not answer interface queries.
	 */
	int (*list)(void *ctx, struct smb_netif *out, int max);
	void *ctx;
};

#endif /* SMB_OPS_H */
