// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Tests for core/notify.c and userspace/notify_posix.c: CHANGE_NOTIFY
 * ([MS-SMB2] 2.2.35, 2.2.36, 3.3.5.19) end to end over the POSIX backend's
 * inotify watches.  Changes are made directly in the share's directory
 * (what inotify sees from any writer), so the final responses arrive from
 * the watcher thread while the test thread only waits.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "platform.h"
#include "smb_harness.h"

#include <time.h>

#define N_ALL 0x00000fffu
#define N_NAME (FILE_NOTIFY_CHANGE_FILE_NAME | FILE_NOTIFY_CHANGE_DIR_NAME)
#define N_DIR_ACCESS (FILE_LIST_DIRECTORY | FILE_READ_ATTRIBUTES | SYNCHRONIZE)

struct n_rec {
	u32 action;
	char name[256];
};

static struct h_client *n_client(void **state)
{
	struct h_client *c = h_client_new(*state);

	h_connect(c, SMB2_DIALECT_0311, "share");
	return c;
}

static void n_open_dir(struct h_client *c, const char *name, u32 access,
		       u8 fid[16])
{
	assert_int_equal(h_create(c, name, access, H_SHARE_ALL, FILE_OPEN_IF,
				  FILE_DIRECTORY_FILE, fid),
			 STATUS_SUCCESS);
}

static void n_build(struct h_client *c, struct h_req *r, const u8 fid[16],
		    u16 flags, u32 out_len, u32 filter)
{
	h_req_init(c, r, SMB2_CHANGE_NOTIFY);
	h_put16(r, 32);
	h_put16(r, flags);
	h_put32(r, out_len);
	h_put(r, fid, 16);
	h_put32(r, filter);
	h_put32(r, 0);
}

static u32 n_call(struct h_client *c, const u8 fid[16], u16 flags, u32 out_len,
		  u32 filter)
{
	struct h_req r;

	n_build(c, &r, fid, flags, out_len, filter);
	return h_call(c, &r);
}

/* Send a CHANGE_NOTIFY expected to go async; returns its AsyncId. */
static u64 n_pending(struct h_client *c, const u8 fid[16], u16 flags,
		     u32 out_len, u32 filter)
{
	u8 *h;

	assert_int_equal(n_call(c, fid, flags, out_len, filter),
			 STATUS_PENDING);
	h = h_rhdr(c);
	assert_true(smb_get_le32(h + SMB2_HDR_FLAGS) &
		    SMB2_FLAGS_ASYNC_COMMAND);
	assert_true(smb_get_le64(h + SMB2_HDR_ASYNC_ID) != 0);
	return smb_get_le64(h + SMB2_HDR_ASYNC_ID);
}

/* Wait (at most 5 s) for the server to send something from elsewhere. */
static bool n_wait_sent(struct h_client *c, int before)
{
	for (int i = 0; i < 5000; i++) {
		if (__atomic_load_n(&c->tc.sent, __ATOMIC_ACQUIRE) > before)
			return true;
		usleep(1000);
	}
	return false;
}

static u32 n_final(struct h_client *c, u64 id, int sent_before);
static u64 n_pending(struct h_client *c, const u8 fid[16], u16 flags,
		     u32 out_len, u32 filter);
static void n_touch(struct h_env *e, const char *rel);

/*
 * Wait until the watcher thread has taken in every change made so far:
 * it handles changes in order, so once a change made now in another
 * watched directory is answered, the earlier ones have been handled.
 */
static void n_sync(struct h_client *c)
{
	static int seq;
	char name[64];
	u8 fid[16];
	u64 id;
	int sent;

	assert_int_equal(h_create(c, "sync", FILE_LIST_DIRECTORY | SYNCHRONIZE,
				  H_SHARE_ALL, FILE_OPEN_IF,
				  FILE_DIRECTORY_FILE, fid),
			 STATUS_SUCCESS);
	id = n_pending(c, fid, 0, 4096, FILE_NOTIFY_CHANGE_FILE_NAME);
	sent = c->tc.sent;
	snprintf(name, sizeof(name), "sync/%d", seq++);
	n_touch(c->env, name);
	assert_int_equal(n_final(c, id, sent), STATUS_SUCCESS);
	assert_int_equal(h_close(c, fid), STATUS_SUCCESS);
}

/* The final response of async request id; returns its status. */
static u32 n_final(struct h_client *c, u64 id, int sent_before)
{
	u8 *h;

	assert_true(n_wait_sent(c, sent_before));
	assert_non_null(h_recv(c));
	assert_int_equal(c->bad_signatures, 0);
	h = h_rhdr(c);
	assert_int_equal(smb_get_le16(h + SMB2_HDR_COMMAND),
			 SMB2_CHANGE_NOTIFY);
	assert_true(smb_get_le32(h + SMB2_HDR_FLAGS) &
		    SMB2_FLAGS_ASYNC_COMMAND);
	assert_true(smb_get_le64(h + SMB2_HDR_ASYNC_ID) == id);
	assert_int_equal(smb_get_le16(h + SMB2_HDR_CREDIT), 0);
	return h_status_of(h);
}

/*
 * Parse the last response's FILE_NOTIFY_INFORMATION chain ([MS-FSCC]
 * 2.4.42) into recs; returns the count (-1 when malformed).
 */
static int n_records(struct h_client *c, struct n_rec *recs, int max)
{
	const u8 *b = h_rbody(c);
	size_t body_len = c->last->len - SMB2_HDR_SIZE;
	u32 off, len, pos = 0;
	int n = 0;

	assert_int_equal(smb_get_le16(b), 9);
	off = smb_get_le16(b + 2);
	len = smb_get_le32(b + 4);
	if (len == 0)
		return 0;
	assert_int_equal(off, SMB2_HDR_SIZE + 8);
	assert_true(8 + (size_t)len <= body_len);
	b += 8;
	for (;;) {
		u32 next, name_len;

		if (n == max || pos + 12 > len || (pos & 3))
			return -1;
		next = smb_get_le32(b + pos);
		recs[n].action = smb_get_le32(b + pos + 4);
		name_len = smb_get_le32(b + pos + 8);
		if (pos + 12 + (u64)name_len > len ||
		    smb_utf16_to_utf8(b + pos + 12, name_len, recs[n].name,
				      sizeof(recs[n].name)) < 0)
			return -1;
		n++;
		if (!next)
			return pos + 12 + name_len == len ? n : -1;
		pos += next;
	}
}

static void n_touch(struct h_env *e, const char *rel)
{
	h_put_file(e, rel, "x", 1);
}

static void n_mkdir(struct h_env *e, const char *rel)
{
	char p[1024];

	snprintf(p, sizeof(p), "%s/%s", e->rw, rel);
	assert_int_equal(mkdir(p, 0755), 0);
}

static void n_rename(struct h_env *e, const char *from, const char *to)
{
	char a[1024], b[1024];

	snprintf(a, sizeof(a), "%s/%s", e->rw, from);
	snprintf(b, sizeof(b), "%s/%s", e->rw, to);
	assert_int_equal(rename(a, b), 0);
}

static void send_cancel(struct h_client *c, u64 async_id)
{
	struct h_req r;

	h_build_small(c, &r, SMB2_CANCEL);
	c->mid--;
	h_req_flags(&r, SMB2_FLAGS_ASYNC_COMMAND);
	h_set64(&r, SMB2_HDR_ASYNC_ID, async_id);
	assert_int_equal(h_send(c, &r), 0);
}

/* Cancel id and expect STATUS_CANCELLED: it had not completed. */
static void n_cancel(struct h_client *c, u64 id)
{
	int sent = c->tc.sent;

	send_cancel(c, id);
	assert_int_equal(n_final(c, id, sent), STATUS_CANCELLED);
	assert_null(c->tc.head);
}

/* ---- malformed and refused requests -------------------------------------- */

static void test_malformed(void **state)
{
	struct h_client *c = n_client(state);
	u8 dir[16], file[16], bad[16];
	struct h_req r;

	n_open_dir(c, "d", N_DIR_ACCESS, dir);
	h_open_rw(c, "f.txt", FILE_OPEN_IF, file);
	/* Truncated: StructureSize says 32, the body has 16 bytes. */
	n_build(c, &r, dir, 0, 100, N_ALL);
	r.len = SMB2_HDR_SIZE + 16;
	assert_int_equal(h_call(c, &r), STATUS_INVALID_PARAMETER);
	/* Wrong StructureSize. */
	n_build(c, &r, dir, 0, 100, N_ALL);
	h_set16(&r, SMB2_HDR_SIZE, 33);
	assert_int_equal(h_call(c, &r), STATUS_INVALID_PARAMETER);
	/* Only the header. */
	n_build(c, &r, dir, 0, 100, N_ALL);
	r.len = SMB2_HDR_SIZE;
	assert_int_equal(h_call(c, &r), STATUS_INVALID_PARAMETER);
	/* Unknown handle. */
	memset(bad, 0x5a, sizeof(bad));
	assert_int_equal(n_call(c, bad, 0, 100, N_ALL), STATUS_FILE_CLOSED);
	/* A file, not a directory. */
	assert_int_equal(n_call(c, file, 0, 100, N_ALL),
			 STATUS_INVALID_PARAMETER);
	/* An empty filter; unknown bits alone wait for nothing. */
	assert_int_equal(n_call(c, dir, 0, 100, 0), STATUS_INVALID_PARAMETER);
	n_cancel(c, n_pending(c, dir, 0, 100, 0x80000000u));
	/* Once the handle watches, later requests keep the first filter:
	 * an empty one is accepted then. */
	n_cancel(c, n_pending(c, dir, 0, 100, 0));
	/* Output larger than MaxTransactSize. */
	assert_int_equal(n_call(c, dir, 0, c->max_trans + 1, N_ALL),
			 STATUS_INVALID_PARAMETER);
	assert_int_equal(n_call(c, dir, 0, 0xffffffffu, N_ALL),
			 STATUS_INVALID_PARAMETER);
	assert_int_equal(h_close(c, file), STATUS_SUCCESS);
	assert_int_equal(h_close(c, dir), STATUS_SUCCESS);
	/* No FILE_LIST_DIRECTORY on the handle. */
	n_open_dir(c, "d", FILE_READ_ATTRIBUTES | SYNCHRONIZE, dir);
	assert_int_equal(n_call(c, dir, 0, 100, N_ALL), STATUS_ACCESS_DENIED);
	assert_int_equal(h_close(c, dir), STATUS_SUCCESS);
	h_client_free(c);
}

/* ---- changes ------------------------------------------------------------- */

static void test_added_removed(void **state)
{
	struct h_client *c = n_client(state);
	struct n_rec recs[8];
	u8 dir[16];
	u64 id;
	int sent;

	n_open_dir(c, "d", N_DIR_ACCESS, dir);
	id = n_pending(c, dir, 0, 4096, N_NAME);
	sent = c->tc.sent;
	n_touch(*state, "d/new.txt");
	assert_int_equal(n_final(c, id, sent), STATUS_SUCCESS);
	assert_int_equal(n_records(c, recs, 8), 1);
	assert_int_equal(recs[0].action, FILE_ACTION_ADDED);
	assert_string_equal(recs[0].name, "new.txt");
	/* Removed while no request waits: kept for the next one. */
	id = n_pending(c, dir, 0, 4096, N_NAME);
	sent = c->tc.sent;
	n_mkdir(*state, "d/sub");
	assert_int_equal(n_final(c, id, sent), STATUS_SUCCESS);
	assert_int_equal(n_records(c, recs, 8), 1);
	assert_int_equal(recs[0].action, FILE_ACTION_ADDED);
	assert_string_equal(recs[0].name, "sub");
	{
		char p[1024];

		snprintf(p, sizeof(p), "%s/d/new.txt",
			 ((struct h_env *)*state)->rw);
		assert_int_equal(unlink(p), 0);
	}
	n_sync(c);
	assert_int_equal(n_call(c, dir, 0, 4096, N_NAME), STATUS_SUCCESS);
	assert_int_equal(n_records(c, recs, 8), 1);
	assert_int_equal(recs[0].action, FILE_ACTION_REMOVED);
	assert_string_equal(recs[0].name, "new.txt");
	assert_int_equal(h_close(c, dir), STATUS_SUCCESS);
	h_client_free(c);
}

static void test_buffered_and_filtered(void **state)
{
	struct h_client *c = n_client(state);
	struct n_rec recs[8];
	u8 dir[16];
	u64 id;
	int sent;

	n_open_dir(c, "d", N_DIR_ACCESS, dir);
	/* The watch starts with the first request. */
	id = n_pending(c, dir, 0, 4096, FILE_NOTIFY_CHANGE_FILE_NAME);
	n_cancel(c, id);
	n_touch(*state, "d/a");
	n_touch(*state, "d/b");
	n_mkdir(*state, "d/dir"); /* DIR_NAME: not asked for */
	n_sync(c);
	assert_int_equal(n_call(c, dir, 0, 4096, FILE_NOTIFY_CHANGE_FILE_NAME),
			 STATUS_SUCCESS);
	assert_int_equal(n_records(c, recs, 8), 2);
	assert_int_equal(recs[0].action, FILE_ACTION_ADDED);
	assert_string_equal(recs[0].name, "a");
	assert_int_equal(recs[1].action, FILE_ACTION_ADDED);
	assert_string_equal(recs[1].name, "b");
	/* Nothing left: the next one waits. */
	id = n_pending(c, dir, 0, 4096, FILE_NOTIFY_CHANGE_FILE_NAME);
	sent = c->tc.sent;
	n_rename(*state, "d/a", "d/c");
	assert_int_equal(n_final(c, id, sent), STATUS_SUCCESS);
	/* Both halves of a rename in one answer. */
	assert_int_equal(n_records(c, recs, 8), 2);
	assert_int_equal(recs[0].action, FILE_ACTION_RENAMED_OLD_NAME);
	assert_string_equal(recs[0].name, "a");
	assert_int_equal(recs[1].action, FILE_ACTION_RENAMED_NEW_NAME);
	assert_string_equal(recs[1].name, "c");
	assert_int_equal(h_close(c, dir), STATUS_SUCCESS);
	h_client_free(c);
}

static void test_tiny_and_huge_output(void **state)
{
	struct h_client *c = n_client(state);
	struct n_rec recs[4];
	u8 dir[16];
	u64 id;
	int sent;

	n_open_dir(c, "d", N_DIR_ACCESS, dir);
	/* No room at all: the change is answered as NOTIFY_ENUM_DIR. */
	id = n_pending(c, dir, 0, 0, FILE_NOTIFY_CHANGE_FILE_NAME);
	sent = c->tc.sent;
	n_touch(*state, "d/one");
	assert_int_equal(n_final(c, id, sent), STATUS_NOTIFY_ENUM_DIR);
	assert_int_equal(n_records(c, recs, 4), 0);
	/* Its first request sized the handle's buffer: nothing fits, ever. */
	n_touch(*state, "d/two");
	n_sync(c);
	assert_int_equal(n_call(c, dir, 0, 4096, FILE_NOTIFY_CHANGE_FILE_NAME),
			 STATUS_NOTIFY_ENUM_DIR);
	assert_int_equal(h_close(c, dir), STATUS_SUCCESS);
	n_open_dir(c, "d", N_DIR_ACCESS, dir);
	id = n_pending(c, dir, 0, 4096, FILE_NOTIFY_CHANGE_FILE_NAME);
	n_cancel(c, id);
	/* Room for the header but not the name. */
	id = n_pending(c, dir, 0, 13, FILE_NOTIFY_CHANGE_FILE_NAME);
	sent = c->tc.sent;
	n_touch(*state, "d/a-long-name.txt");
	assert_int_equal(n_final(c, id, sent), STATUS_NOTIFY_ENUM_DIR);
	assert_int_equal(n_records(c, recs, 4), 0);
	/* Exactly MaxTransactSize is fine. */
	id = n_pending(c, dir, 0, c->max_trans, FILE_NOTIFY_CHANGE_FILE_NAME);
	n_cancel(c, id);
	/* Buffered changes larger than the next request: ENUM_DIR at once,
	 * and the buffer is empty afterwards.
	 */
	for (int i = 0; i < 10; i++) {
		char name[64];

		snprintf(name, sizeof(name), "d/file-%02d.txt", i);
		n_touch(*state, name);
	}
	n_sync(c);
	assert_int_equal(n_call(c, dir, 0, 40, FILE_NOTIFY_CHANGE_FILE_NAME),
			 STATUS_NOTIFY_ENUM_DIR);
	assert_int_equal(n_records(c, recs, 4), 0);
	id = n_pending(c, dir, 0, 4096, FILE_NOTIFY_CHANGE_FILE_NAME);
	n_cancel(c, id);
	assert_int_equal(h_close(c, dir), STATUS_SUCCESS);
	h_client_free(c);
}

static void test_overflow_bounded(void **state)
{
	struct h_client *c = n_client(state);
	struct n_rec recs[4];
	u8 dir[16];
	u64 id;

	n_open_dir(c, "d", N_DIR_ACCESS, dir);
	/* The first request bounds what the handle keeps. */
	id = n_pending(c, dir, 0, 64, FILE_NOTIFY_CHANGE_FILE_NAME);
	n_cancel(c, id);
	for (int i = 0; i < 50; i++) {
		char name[64];

		snprintf(name, sizeof(name), "d/f%02d", i);
		n_touch(*state, name);
	}
	n_sync(c);
	/* Even a large request now learns only that changes were lost. */
	assert_int_equal(n_call(c, dir, 0, 65536, FILE_NOTIFY_CHANGE_FILE_NAME),
			 STATUS_NOTIFY_ENUM_DIR);
	assert_int_equal(n_records(c, recs, 4), 0);
	assert_int_equal(h_close(c, dir), STATUS_SUCCESS);
	h_client_free(c);
}

static void test_tree(void **state)
{
	struct h_client *c = n_client(state);
	struct n_rec recs[4];
	u8 dir[16], flat[16];
	u64 id, flat_id;
	int sent;

	n_mkdir(*state, "d");
	n_mkdir(*state, "d/s1");
	n_mkdir(*state, "d/s1/s2");
	n_open_dir(c, "d", N_DIR_ACCESS, dir);
	n_open_dir(c, "d", N_DIR_ACCESS, flat);
	flat_id = n_pending(c, flat, 0, 4096, N_NAME);
	id = n_pending(c, dir, SMB2_WATCH_TREE, 4096, N_NAME);
	sent = c->tc.sent;
	n_touch(*state, "d/s1/s2/deep.txt");
	assert_int_equal(n_final(c, id, sent), STATUS_SUCCESS);
	assert_int_equal(n_records(c, recs, 4), 1);
	assert_int_equal(recs[0].action, FILE_ACTION_ADDED);
	assert_string_equal(recs[0].name, "s1\\s2\\deep.txt");
	/* A directory made later is watched too. */
	id = n_pending(c, dir, SMB2_WATCH_TREE, 4096, N_NAME);
	sent = c->tc.sent;
	n_mkdir(*state, "d/s1/new");
	assert_int_equal(n_final(c, id, sent), STATUS_SUCCESS);
	assert_int_equal(n_records(c, recs, 4), 1);
	assert_string_equal(recs[0].name, "s1\\new");
	n_sync(c);
	id = n_pending(c, dir, SMB2_WATCH_TREE, 4096, N_NAME);
	sent = c->tc.sent;
	n_touch(*state, "d/s1/new/x");
	assert_int_equal(n_final(c, id, sent), STATUS_SUCCESS);
	assert_int_equal(n_records(c, recs, 4), 1);
	assert_string_equal(recs[0].name, "s1\\new\\x");
	/* The flat watch saw none of it. */
	n_cancel(c, flat_id);
	assert_int_equal(h_close(c, flat), STATUS_SUCCESS);
	assert_int_equal(h_close(c, dir), STATUS_SUCCESS);
	h_client_free(c);
}

/* ---- ends of a pending request ------------------------------------------- */

static void test_close_cleanup(void **state)
{
	struct h_client *c = n_client(state);
	struct h_req r;
	u8 dir[16];
	u64 id;

	n_open_dir(c, "d", N_DIR_ACCESS, dir);
	id = n_pending(c, dir, 0, 4096, N_ALL);
	/* Two requests on one handle both wait; CLOSE ends both first. */
	(void)id;
	n_pending(c, dir, 0, 4096, N_ALL);
	h_build_fid_req(c, &r, SMB2_CLOSE, 0, dir);
	assert_int_equal(h_send(c, &r), 0);
	for (int i = 0; i < 2; i++) {
		assert_non_null(h_recv(c));
		assert_int_equal(smb_get_le16(h_rhdr(c) + SMB2_HDR_COMMAND),
				 SMB2_CHANGE_NOTIFY);
		assert_int_equal(h_rstatus(c), STATUS_NOTIFY_CLEANUP);
		assert_int_equal(smb_get_le16(h_rbody(c)), 9);
	}
	assert_non_null(h_recv(c));
	assert_int_equal(smb_get_le16(h_rhdr(c) + SMB2_HDR_COMMAND),
			 SMB2_CLOSE);
	assert_int_equal(h_rstatus(c), STATUS_SUCCESS);
	/* Changes after the close reach nobody. */
	n_touch(*state, "d/late");
	n_sync(c);
	assert_null(c->tc.head);
	h_client_free(c);
}

static void test_tdis_and_logoff(void **state)
{
	struct h_client *c = n_client(state);
	u8 dir[16];
	struct h_req r;

	n_open_dir(c, "d", N_DIR_ACCESS, dir);
	n_pending(c, dir, 0, 4096, N_ALL);
	h_build_small(c, &r, SMB2_TREE_DISCONNECT);
	assert_int_equal(h_send(c, &r), 0);
	assert_non_null(h_recv(c));
	assert_int_equal(h_rstatus(c), STATUS_NOTIFY_CLEANUP);
	assert_non_null(h_recv(c));
	assert_int_equal(smb_get_le16(h_rhdr(c) + SMB2_HDR_COMMAND),
			 SMB2_TREE_DISCONNECT);
	assert_int_equal(h_tree_connect(c, "share"), STATUS_SUCCESS);
	n_open_dir(c, "d", N_DIR_ACCESS, dir);
	n_pending(c, dir, SMB2_WATCH_TREE, 4096, N_ALL);
	h_build_small(c, &r, SMB2_LOGOFF);
	assert_int_equal(h_send(c, &r), 0);
	assert_non_null(h_recv(c));
	assert_int_equal(h_rstatus(c), STATUS_NOTIFY_CLEANUP);
	assert_non_null(h_recv(c));
	assert_int_equal(smb_get_le16(h_rhdr(c) + SMB2_HDR_COMMAND),
			 SMB2_LOGOFF);
	h_client_free(c);
}

/* The connection goes away with requests pending and changes coming. */
static void test_conn_gone(void **state)
{
	struct h_client *c = n_client(state);
	u8 dir[16], dir2[16];

	n_mkdir(*state, "d");
	n_mkdir(*state, "d/s");
	n_open_dir(c, "d", N_DIR_ACCESS, dir);
	n_open_dir(c, "d\\s", N_DIR_ACCESS, dir2);
	n_pending(c, dir, SMB2_WATCH_TREE, 4096, N_ALL);
	n_pending(c, dir2, 0, 0, N_ALL);
	for (int i = 0; i < 20; i++) {
		char name[64];

		snprintf(name, sizeof(name), "d/s/f%d", i);
		n_touch(*state, name);
	}
	/* Freed while the watcher thread may be delivering. */
	h_client_free(c);
	n_touch(*state, "d/s/after");
	/* The watches are gone: a new client sees the watcher still work. */
	c = n_client(state);
	n_sync(c);
	h_client_free(c);
}

/* A related CREATE + CHANGE_NOTIFY: the CREATE answers, then the interim. */
static void test_compound_interim(void **state)
{
	struct h_client *c = n_client(state);
	struct h_create cr = { .name = "cd",
			       .access = N_DIR_ACCESS,
			       .share = H_SHARE_ALL,
			       .disposition = FILE_OPEN_IF,
			       .options = FILE_DIRECTORY_FILE };
	static const u8 related[16] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
					0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
					0xff, 0xff, 0xff, 0xff };
	struct h_req reqs[2];
	u64 id;

	h_build_create(c, &reqs[0], &cr);
	n_build(c, &reqs[1], related, 0, 4096, N_ALL);
	h_req_flags(&reqs[1], SMB2_FLAGS_RELATED_OPERATIONS);
	assert_int_equal(h_send_chain(c, reqs, 2), 0);
	assert_non_null(h_recv(c));
	assert_int_equal(h_rstatus(c), STATUS_SUCCESS);
	assert_int_equal(smb_get_le16(h_rhdr(c) + SMB2_HDR_COMMAND),
			 SMB2_CREATE);
	assert_non_null(h_recv(c));
	assert_int_equal(h_rstatus(c), STATUS_PENDING);
	id = smb_get_le64(h_rhdr(c) + SMB2_HDR_ASYNC_ID);
	n_cancel(c, id);
	h_client_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_malformed, h_setup,
						h_teardown),
		cmocka_unit_test_setup_teardown(test_added_removed, h_setup,
						h_teardown),
		cmocka_unit_test_setup_teardown(test_buffered_and_filtered,
						h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_tiny_and_huge_output,
						h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_overflow_bounded, h_setup,
						h_teardown),
		cmocka_unit_test_setup_teardown(test_tree, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_close_cleanup, h_setup,
						h_teardown),
		cmocka_unit_test_setup_teardown(test_tdis_and_logoff, h_setup,
						h_teardown),
		cmocka_unit_test_setup_teardown(test_conn_gone, h_setup,
						h_teardown),
		cmocka_unit_test_setup_teardown(test_compound_interim, h_setup,
						h_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
