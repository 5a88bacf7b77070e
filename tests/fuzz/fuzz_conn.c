// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_conn.c - libFuzzer target for the whole SMB2 engine: arbitrary PDUs
 * into smb_conn_input(), on a fresh connection or after a scripted
 * NEGOTIATE + SESSION_SETUP + TREE_CONNECT so the command handlers are
 * reached.  Every run must leave no allocation behind.
 *
 * Input: a mode byte, then either one PDU or (mode bit 7) PDUs framed by a
 * 16-bit little-endian length.  Mode bits: 0 log on first; 1 fix up each
 * header (next message id, our session and tree, SIGNED cleared); 2-3
 * signing algorithm for 3.1.1; 4-5 dialect; 6 connect IPC$ not "share".
 *
 * A durable open outlives its connection until its timeout, and a break
 * waits for its acknowledgement: after each run the clock jumps a day and
 * the server's timers run, so what remains after that is a leak.
 *
 * The share is a scratch directory on the machine's disk: allocation
 * sizes (which the POSIX backend turns into fallocate) are cut to 1 MiB,
 * and the share is emptied every 256 runs or once it holds 64 MiB.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "platform.h"
#include "smb_harness.h"

#include "crypt.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct h_env *env;
static long base_allocs;
static unsigned long runs;
static u64 fuzz_now_ms = 1000;
static struct smb_vfs_ops fuzz_vfs;
static u32 (*posix_setattr)(struct smb_vfs_file *f,
			    const struct smb_vfs_setattr *a);
static unsigned long long share_bytes;

#define FUZZ_MAX_ALLOC (1u << 20)
#define FUZZ_MAX_SHARE_BYTES (64ull << 20)

static u32 fuzz_setattr(struct smb_vfs_file *f, const struct smb_vfs_setattr *a)
{
	struct smb_vfs_setattr capped = *a;

	if ((capped.valid & SMB_VFS_SET_ALLOC) && capped.size > FUZZ_MAX_ALLOC)
		capped.size = FUZZ_MAX_ALLOC;
	return posix_setattr(f, &capped);
}

static u64 fuzz_monotonic_ms(void *ctx)
{
	(void)ctx;
	return fuzz_now_ms;
}

/* Let every timeout pass: kept durable opens close, breaks time out. */
static void run_all_timers(void)
{
	for (int i = 0; i < 8; i++) {
		fuzz_now_ms += 24ull * 3600 * 1000;
		if (smb_server_tick(env->srv) == U64_MAX)
			break;
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	env = h_env_new();
	env->srv->ops.clock.monotonic_ms = fuzz_monotonic_ms;
	fuzz_vfs = *env->srv->ops.vfs;
	posix_setattr = fuzz_vfs.setattr;
	fuzz_vfs.setattr = fuzz_setattr;
	env->srv->ops.vfs = &fuzz_vfs;
	base_allocs = h_live_allocs;
	return 0;
}

static int usage_cb(const char *path, const struct stat *sb, int flag,
		    struct FTW *ftw)
{
	(void)path;
	(void)flag;
	(void)ftw;
	share_bytes += (unsigned long long)sb->st_blocks * 512;
	return 0;
}

static int wipe_cb(const char *path, const struct stat *sb, int flag,
		   struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	if (ftw->level > 0) {
		chmod(path, 0755);
		remove(path);
	}
	return 0;
}

/* Keep the share small and the runs comparable. */
static void wipe_share(void)
{
	nftw(env->rw, wipe_cb, 16, FTW_DEPTH | FTW_PHYS);
}

static int feed(struct h_client *c, const u8 *p, size_t n, u8 mode)
{
	u8 *buf = malloc(n ? n : 1);
	int rc;

	if (!buf)
		abort();
	memcpy(buf, p, n);
	if ((mode & 2) && n >= SMB2_HDR_SIZE &&
	    smb_get_le32(buf) == SMB2_PROTO_ID) {
		u16 charge = smb_get_le16(buf + SMB2_HDR_CREDIT_CHARGE);

		smb_put_le64(buf + SMB2_HDR_MESSAGE_ID, c->mid);
		c->mid += charge ? charge : 1;
		smb_put_le64(buf + SMB2_HDR_SESSION_ID, c->s.id);
		smb_put_le32(buf + SMB2_HDR_TREE_ID, c->tid);
		smb_put_le32(buf + SMB2_HDR_FLAGS,
			     smb_get_le32(buf + SMB2_HDR_FLAGS) &
				     ~SMB2_FLAGS_SIGNED);
	}
	rc = smb_conn_input(c->conn, buf, n);
	free(buf);
	h_drain(c);
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const u16 dialects[] = { SMB2_DIALECT_0311, SMB2_DIALECT_0302,
					SMB2_DIALECT_0210, SMB2_DIALECT_0202 };
	static const u16 algos[] = { SMB2_SIGNING_HMAC_SHA256,
				     SMB2_SIGNING_AES_CMAC,
				     SMB2_SIGNING_AES_GMAC, 0xffff };
	struct h_client *c;
	const u8 *p;
	size_t left;
	u8 mode;

	if (size < 1)
		return 0;
	mode = data[0];
	p = data + 1;
	left = size - 1;
	/* Odd sizes: multichannel on (chan_lock, binding checks). */
	smb_server_set_multichannel(env->srv, size & 1);
	/* Sizes 2 and 3 mod 4: a transport that sends READ data by file. */
	c = (size & 2) ? h_client_new_sendfile(env) : h_client_new(env);
	if (mode & 1) {
		h_login(c, dialects[(mode >> 4) & 3], algos[(mode >> 2) & 3]);
		h_tree_connect(c, (mode & 0x40) ? "IPC$" : "share");
		h_drain(c);
	}
	if (!(mode & 0x80)) {
		feed(c, p, left, mode);
	} else {
		while (left >= 2) {
			size_t n = smb_get_le16(p);

			p += 2;
			left -= 2;
			if (n > left)
				n = left;
			if (feed(c, p, n, mode) < 0)
				break;
			p += n;
			left -= n;
		}
	}
	h_client_free(c);
	run_all_timers();
	if (h_live_allocs != base_allocs) {
		fprintf(stderr, "leak: %ld allocations live\n",
			h_live_allocs - base_allocs);
		abort();
	}
	share_bytes = 0;
	if (++runs % 16 == 0)
		nftw(env->rw, usage_cb, 16, FTW_PHYS);
	if (runs % 256 == 0 || share_bytes > FUZZ_MAX_SHARE_BYTES)
		wipe_share();
	return 0;
}
