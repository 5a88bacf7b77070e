// SPDX-License-Identifier: GPL-2.0-or-later
/* Tests for core/create.c: CREATE (dispositions, paths, contexts), CLOSE. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "platform.h"
#include "smb_harness.h"

static struct h_client *on_share(void **state, const char *share)
{
	struct h_client *c = h_client_new(*state);

	h_connect(c, SMB2_DIALECT_0311, share);
	return c;
}

static u32 action(struct h_client *c)
{
	return smb_get_le32(h_rbody(c) + 4);
}

static void test_dispositions(void **state)
{
	struct h_client *c = on_share(state, "share");
	u8 fid[16] = { 0 };
	const u8 *b;

	h_open_rw(c, "a.txt", FILE_CREATE, fid);
	assert_int_equal(action(c), FILE_CREATED);
	b = h_rbody(c);
	assert_int_equal(smb_get_le64(b + 48), 0);
	assert_true(smb_get_le32(b + 56) &
		    (FILE_ATTRIBUTE_ARCHIVE | FILE_ATTRIBUTE_NORMAL));
	assert_int_equal(h_write(c, fid, "0123456789", 10, 0), STATUS_SUCCESS);
	assert_int_equal(h_close(c, fid), STATUS_SUCCESS);
	assert_true(h_exists(c->env->rw, "a.txt"));

	assert_int_equal(h_create(c, "a.txt", H_RW, 0, FILE_CREATE, 0, fid),
			 STATUS_OBJECT_NAME_COLLISION);
	h_open_rw(c, "a.txt", FILE_OPEN, fid);
	assert_int_equal(action(c), FILE_OPENED);
	assert_int_equal(smb_get_le64(h_rbody(c) + 48), 10);
	assert_int_equal(h_close(c, fid), STATUS_SUCCESS);
	h_open_rw(c, "a.txt", FILE_OPEN_IF, fid);
	assert_int_equal(action(c), FILE_OPENED);
	assert_int_equal(h_close(c, fid), STATUS_SUCCESS);
	h_open_rw(c, "a.txt", FILE_OVERWRITE_IF, fid);
	assert_int_equal(action(c), FILE_OVERWRITTEN);
	assert_int_equal(smb_get_le64(h_rbody(c) + 48), 0);
	assert_int_equal(h_close(c, fid), STATUS_SUCCESS);
	h_open_rw(c, "a.txt", FILE_SUPERSEDE, fid);
	assert_int_equal(action(c), FILE_SUPERSEDED);
	assert_int_equal(h_close(c, fid), STATUS_SUCCESS);
	h_open_rw(c, "b.txt", FILE_OVERWRITE_IF, fid);
	assert_int_equal(action(c), FILE_CREATED);
	assert_int_equal(h_close(c, fid), STATUS_SUCCESS);
	assert_int_equal(h_create(c, "nope.txt", H_RW, 0, FILE_OPEN, 0, fid),
			 STATUS_OBJECT_NAME_NOT_FOUND);
	assert_int_equal(h_create(c, "nope.txt", H_RW, 0, FILE_OVERWRITE, 0,
				  fid),
			 STATUS_OBJECT_NAME_NOT_FOUND);
	assert_int_equal(h_create(c, "nodir\\x.txt", H_RW, 0, FILE_CREATE, 0,
				  fid),
			 STATUS_OBJECT_PATH_NOT_FOUND);
	/* The share root itself. */
	assert_int_equal(h_create(c, "", FILE_READ_ATTRIBUTES, H_SHARE_ALL,
				  FILE_OPEN, 0, fid),
			 STATUS_SUCCESS);
	assert_true(smb_get_le32(h_rbody(c) + 56) & FILE_ATTRIBUTE_DIRECTORY);
	assert_int_equal(h_close(c, fid), STATUS_SUCCESS);
	h_client_free(c);
}

static void test_directories(void **state)
{
	struct h_client *c = on_share(state, "share");
	u8 fid[16] = { 0 };

	assert_int_equal(h_create(c, "d", FILE_LIST_DIRECTORY, H_SHARE_ALL,
				  FILE_CREATE, FILE_DIRECTORY_FILE, fid),
			 STATUS_SUCCESS);
	assert_int_equal(action(c), FILE_CREATED);
	assert_true(smb_get_le32(h_rbody(c) + 56) & FILE_ATTRIBUTE_DIRECTORY);
	assert_int_equal(h_close(c, fid), STATUS_SUCCESS);
	assert_int_equal(h_create(c, "d", H_RW, H_SHARE_ALL, FILE_OPEN,
				  FILE_NON_DIRECTORY_FILE, fid),
			 STATUS_FILE_IS_A_DIRECTORY);
	/* Without either option a directory opens fine. */
	assert_int_equal(h_create(c, "d", FILE_READ_ATTRIBUTES, H_SHARE_ALL,
				  FILE_OPEN, 0, fid),
			 STATUS_SUCCESS);
	assert_int_equal(h_close(c, fid), STATUS_SUCCESS);
	assert_int_equal(h_create(c, "d", H_RW, H_SHARE_ALL, FILE_OVERWRITE_IF,
				  0, fid),
			 STATUS_INVALID_PARAMETER);
	h_open_rw(c, "d\\f", FILE_CREATE, fid);
	assert_int_equal(h_close(c, fid), STATUS_SUCCESS);
	assert_int_equal(h_create(c, "d\\f", FILE_LIST_DIRECTORY, H_SHARE_ALL,
				  FILE_OPEN, FILE_DIRECTORY_FILE, fid),
			 STATUS_NOT_A_DIRECTORY);
	/* A directory may not be created with OVERWRITE_IF. */
	assert_int_equal(h_create(c, "e", FILE_LIST_DIRECTORY, H_SHARE_ALL,
				  FILE_OVERWRITE_IF, FILE_DIRECTORY_FILE, fid),
			 STATUS_INVALID_PARAMETER);
	/* Trailing backslash. */
	assert_int_equal(h_create(c, "d\\", FILE_LIST_DIRECTORY, H_SHARE_ALL,
				  FILE_OPEN, FILE_DIRECTORY_FILE, fid),
			 STATUS_SUCCESS);
	assert_int_equal(h_close(c, fid), STATUS_SUCCESS);
	h_client_free(c);
}

static void test_path_escapes(void **state)
{
	struct h_client *c = on_share(state, "share");
	u8 fid[16] = { 0 };
	char link[400];

	h_put_file(c->env, "in.txt", "x", 1);
	assert_int_equal(h_create(c, "..\\ro", FILE_READ_ATTRIBUTES,
				  H_SHARE_ALL, FILE_OPEN, 0, fid),
			 STATUS_OBJECT_PATH_SYNTAX_BAD);
	assert_int_equal(h_create(c, "a\\..\\..\\x", H_RW, 0, FILE_OPEN_IF, 0,
				  fid),
			 STATUS_OBJECT_PATH_SYNTAX_BAD);
	/* A stream suffix must not hide "." or "..". */
	assert_int_equal(h_create(c, "..::$DATA", FILE_READ_ATTRIBUTES,
				  H_SHARE_ALL, FILE_OPEN, 0, fid),
			 STATUS_OBJECT_PATH_SYNTAX_BAD);
	assert_int_equal(h_create(c, "a\\..:$DATA", FILE_READ_ATTRIBUTES,
				  H_SHARE_ALL, FILE_OPEN, 0, fid),
			 STATUS_OBJECT_PATH_SYNTAX_BAD);
	assert_int_equal(h_create(c, ".::$DATA", FILE_READ_ATTRIBUTES,
				  H_SHARE_ALL, FILE_OPEN, 0, fid),
			 STATUS_OBJECT_NAME_INVALID);
	assert_int_equal(h_create(c, "\\in.txt", H_RW, 0, FILE_OPEN, 0, fid),
			 STATUS_INVALID_PARAMETER);
	assert_int_equal(h_create(c, ".\\in.txt", H_RW, 0, FILE_OPEN, 0, fid),
			 STATUS_OBJECT_NAME_INVALID);
	assert_int_equal(h_create(c, "a*b", H_RW, 0, FILE_OPEN_IF, 0, fid),
			 STATUS_OBJECT_NAME_INVALID);
	assert_int_equal(h_create(c, "a\\\\b", H_RW, 0, FILE_OPEN_IF, 0, fid),
			 STATUS_OBJECT_NAME_INVALID);
	assert_int_equal(h_create(c, "in.txt:stream", H_RW, 0, FILE_OPEN, 0,
				  fid),
			 STATUS_OBJECT_NAME_NOT_FOUND);
	assert_int_equal(h_create(c, "in.txt::$DATA", H_RW, 0, FILE_OPEN, 0,
				  fid),
			 STATUS_SUCCESS);
	assert_int_equal(h_close(c, fid), STATUS_SUCCESS);
	/* A symlink leading out of the share. */
	snprintf(link, sizeof(link), "%s/esc", c->env->rw);
	assert_int_equal(symlink(c->env->base, link), 0);
	assert_int_equal(h_create(c, "esc\\ro", FILE_READ_ATTRIBUTES,
				  H_SHARE_ALL, FILE_OPEN, 0, fid),
			 STATUS_ACCESS_DENIED);
	assert_int_equal(h_create(c, "esc\\new", H_RW, 0, FILE_CREATE, 0, fid),
			 STATUS_ACCESS_DENIED);
	assert_false(h_exists(c->env->base, "new"));
	h_client_free(c);
}

static void test_malformed_create(void **state)
{
	struct h_client *c = on_share(state, "share");
	struct h_create cr = { "m.txt", H_RW, 0, FILE_OPEN_IF, 0, 0, NULL, 0 };
	struct h_req r;

	h_build_create(c, &r, &cr);
	h_set16(&r, H_BODY, 56);
	assert_int_equal(h_call(c, &r), STATUS_INVALID_PARAMETER);
	h_build_create(c, &r, &cr);
	h_set16(&r, H_BODY + 44, 0xfff0); /* NameOffset */
	assert_int_equal(h_call(c, &r), STATUS_INVALID_PARAMETER);
	h_build_create(c, &r, &cr);
	h_set16(&r, H_BODY + 46, 0xfffe); /* NameLength */
	assert_int_equal(h_call(c, &r), STATUS_INVALID_PARAMETER);
	h_build_create(c, &r, &cr);
	h_set16(&r, H_BODY + 46, 9); /* odd */
	assert_int_equal(h_call(c, &r), STATUS_INVALID_PARAMETER);
	h_build_create(c, &r, &cr);
	r.len = H_BODY + 40;
	assert_int_equal(h_call(c, &r), STATUS_INVALID_PARAMETER);
	h_build_create(c, &r, &cr);
	h_set32(&r, H_BODY + 36, 6); /* disposition */
	assert_int_equal(h_call(c, &r), STATUS_INVALID_PARAMETER);
	h_build_create(c, &r, &cr);
	h_set32(&r, H_BODY + 4, 4); /* impersonation */
	assert_int_equal(h_call(c, &r), STATUS_BAD_IMPERSONATION_LEVEL);
	h_build_create(c, &r, &cr);
	h_set32(&r, H_BODY + 40, FILE_DIRECTORY_FILE | FILE_NON_DIRECTORY_FILE);
	assert_int_equal(h_call(c, &r), STATUS_INVALID_PARAMETER);
	h_build_create(c, &r, &cr);
	h_set32(&r, H_BODY + 40, 0x01000000u); /* beyond the options mask */
	assert_int_equal(h_call(c, &r), STATUS_INVALID_PARAMETER);
	h_build_create(c, &r, &cr);
	h_set32(&r, H_BODY + 32, 8); /* share access */
	assert_int_equal(h_call(c, &r), STATUS_INVALID_PARAMETER);
	h_build_create(c, &r, &cr);
	h_set32(&r, H_BODY + 28, 0x80000000u); /* attributes */
	assert_int_equal(h_call(c, &r), STATUS_INVALID_PARAMETER);
	h_build_create(c, &r, &cr);
	h_set32(&r, H_BODY + 24, 0x00000200u); /* reserved access bit */
	assert_int_equal(h_call(c, &r), STATUS_ACCESS_DENIED);
	h_build_create(c, &r, &cr);
	h_set32(&r, H_BODY + 24, ACCESS_SYSTEM_SECURITY);
	assert_int_equal(h_call(c, &r), STATUS_PRIVILEGE_NOT_HELD);
	h_build_create(c, &r, &cr);
	h_set32(&r, H_BODY + 40, FILE_OPEN_BY_FILE_ID);
	assert_int_equal(h_call(c, &r), STATUS_NOT_SUPPORTED);
	h_build_create(c, &r, &cr);
	h_set32(&r, H_BODY + 40, FILE_DELETE_ON_CLOSE); /* without DELETE */
	assert_int_equal(h_call(c, &r), STATUS_ACCESS_DENIED);
	assert_false(h_exists(c->env->rw, "m.txt"));
	h_client_free(c);
}

static void test_contexts(void **state)
{
	struct h_client *c = on_share(state, "share");
	u8 buf[256], fid[16] = { 0 };
	struct h_create cr = { "ctx.txt", H_RW, 0, FILE_OPEN_IF, 0, 0, buf, 0 };
	const u8 *b, *p;
	u8 ts[32] = { 0 };
	size_t n;

	n = h_cctx(buf, "MxAc", ts, 8, false);
	/* Not granted without a batch oplock: no answer (test_durable). */
	n += h_cctx(buf + n, "DH2Q", ts, 32, false);
	n += h_cctx(buf + n, "QFid", NULL, 0, true);
	cr.contexts_len = n;
	assert_int_equal(h_create_ex(c, &cr, fid), STATUS_SUCCESS);
	b = h_rbody(c);
	assert_int_equal(smb_get_le32(b + 80), 64 + 88);
	p = h_rhdr(c) + smb_get_le32(b + 80);
	assert_true(smb_get_le32(b + 80) + (size_t)smb_get_le32(b + 84) <=
		    c->last->len);
	assert_memory_equal(p + 16, "MxAc", 4);
	assert_int_equal(smb_get_le32(p + 24), STATUS_SUCCESS);
	assert_int_equal(smb_get_le32(p + 28), FILE_ALL_ACCESS);
	p += smb_get_le32(p);
	assert_memory_equal(p + 16, "QFid", 4);
	assert_int_equal(smb_get_le32(p + 12), 32);
	assert_int_equal(smb_get_le32(p), 0);
	assert_int_equal(h_close(c, fid), STATUS_SUCCESS);

	/* ExtA that is not a FILE_FULL_EA_INFORMATION list. */
	cr.contexts_len = h_cctx(buf, "ExtA", "abcd", 4, true);
	assert_int_equal(h_create_ex(c, &cr, fid), STATUS_INVALID_PARAMETER);

	/* Broken chains. */
	n = h_cctx(buf, "MxAc", ts, 8, false);
	n += h_cctx(buf + n, "QFid", NULL, 0, true);
	cr.contexts_len = n;
	smb_put_le32(buf, 33); /* Next not a multiple of 8 */
	assert_int_equal(h_create_ex(c, &cr, fid), STATUS_INVALID_PARAMETER);
	smb_put_le32(buf, 0x1000); /* Next past the end */
	assert_int_equal(h_create_ex(c, &cr, fid), STATUS_INVALID_PARAMETER);
	smb_put_le32(buf, 8); /* Next smaller than a context */
	assert_int_equal(h_create_ex(c, &cr, fid), STATUS_INVALID_PARAMETER);
	smb_put_le32(buf, 32);
	smb_put_le16(buf + 6, 0xfff0); /* NameLength past the context */
	assert_int_equal(h_create_ex(c, &cr, fid), STATUS_INVALID_PARAMETER);
	smb_put_le16(buf + 6, 3); /* names are four bytes at least */
	assert_int_equal(h_create_ex(c, &cr, fid), STATUS_INVALID_PARAMETER);
	smb_put_le16(buf + 6, 0);
	assert_int_equal(h_create_ex(c, &cr, fid), STATUS_INVALID_PARAMETER);
	smb_put_le16(buf + 6, 4);
	smb_put_le32(buf + 12, 0xfffffff0u); /* DataLength near U32_MAX */
	assert_int_equal(h_create_ex(c, &cr, fid), STATUS_INVALID_PARAMETER);
	smb_put_le32(buf + 12, 8);
	smb_put_le16(buf + 10, 4); /* DataOffset inside the context header */
	assert_int_equal(h_create_ex(c, &cr, fid), STATUS_INVALID_PARAMETER);
	cr.contexts_len = 10; /* shorter than one context */
	assert_int_equal(h_create_ex(c, &cr, fid), STATUS_INVALID_PARAMETER);
	/* Contexts offset/length past the PDU. */
	{
		struct h_req r;

		cr.contexts_len = h_cctx(buf, "MxAc", ts, 8, true);
		h_build_create(c, &r, &cr);
		h_set32(&r, H_BODY + 52, 0xfffffff0u);
		assert_int_equal(h_call(c, &r), STATUS_INVALID_PARAMETER);
		h_build_create(c, &r, &cr);
		h_set32(&r, H_BODY + 48, 0xfffffff8u);
		assert_int_equal(h_call(c, &r), STATUS_INVALID_PARAMETER);
		h_build_create(c, &r, &cr);
		h_set32(&r, H_BODY + 48, smb_get_le32(r.p + H_BODY + 48) + 4);
		assert_int_equal(h_call(c, &r), STATUS_INVALID_PARAMETER);
	}
	h_client_free(c);
}

static void test_read_only_share(void **state)
{
	struct h_client *c = h_client_new(*state);
	u8 fid[16] = { 0 };
	char p[400];
	int fd;

	snprintf(p, sizeof(p), "%s/r.txt", c->env->ro);
	fd = open(p, O_CREAT | O_WRONLY, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "ro", 2), 2);
	close(fd);
	h_connect(c, SMB2_DIALECT_0302, "ro");
	assert_int_equal(h_create(c, "new.txt", H_RW, 0, FILE_CREATE, 0, fid),
			 STATUS_ACCESS_DENIED);
	assert_int_equal(h_create(c, "new.txt", FILE_READ_DATA, 0, FILE_OPEN_IF,
				  0, fid),
			 STATUS_ACCESS_DENIED);
	assert_int_equal(h_create(c, "r.txt", FILE_WRITE_DATA, H_SHARE_ALL,
				  FILE_OPEN, 0, fid),
			 STATUS_ACCESS_DENIED);
	assert_int_equal(h_create(c, "r.txt", FILE_READ_DATA | DELETE,
				  H_SHARE_ALL, FILE_OPEN, 0, fid),
			 STATUS_ACCESS_DENIED);
	assert_int_equal(h_create(c, "r.txt", FILE_READ_DATA, H_SHARE_ALL,
				  FILE_OVERWRITE_IF, 0, fid),
			 STATUS_ACCESS_DENIED);
	assert_int_equal(h_create(c, "d", FILE_LIST_DIRECTORY, H_SHARE_ALL,
				  FILE_CREATE, FILE_DIRECTORY_FILE, fid),
			 STATUS_ACCESS_DENIED);
	/* Reading existing files works, OPEN_IF included. */
	assert_int_equal(h_create(c, "r.txt", FILE_READ_DATA, H_SHARE_ALL,
				  FILE_OPEN_IF, 0, fid),
			 STATUS_SUCCESS);
	assert_int_equal(h_close(c, fid), STATUS_SUCCESS);
	assert_int_equal(h_create(c, "r.txt", MAXIMUM_ALLOWED, H_SHARE_ALL,
				  FILE_OPEN, 0, fid),
			 STATUS_SUCCESS);
	assert_int_equal(h_read(c, fid, 2, 0, NULL, NULL), STATUS_SUCCESS);
	assert_int_equal(h_write(c, fid, "x", 1, 0), STATUS_ACCESS_DENIED);
	assert_int_equal(h_set_delete(c, fid, true), STATUS_ACCESS_DENIED);
	assert_int_equal(h_close(c, fid), STATUS_SUCCESS);
	assert_false(h_exists(c->env->ro, "new.txt"));
	assert_true(h_exists(c->env->ro, "r.txt"));
	h_client_free(c);
}

static void test_close(void **state)
{
	struct h_client *c = on_share(state, "share");
	u8 fid[16] = { 0 }, bogus[16];
	struct h_req r;
	const u8 *b;

	h_open_rw(c, "c.txt", FILE_CREATE, fid);
	assert_int_equal(h_write(c, fid, "abc", 3, 0), STATUS_SUCCESS);
	h_build_fid_req(c, &r, SMB2_CLOSE, 0, fid);
	h_set16(&r, H_BODY, 25);
	assert_int_equal(h_call(c, &r), STATUS_INVALID_PARAMETER);
	h_build_fid_req(c, &r, SMB2_CLOSE, SMB2_CLOSE_FLAG_POSTQUERY_ATTRIB,
			fid);
	assert_int_equal(h_call(c, &r), STATUS_SUCCESS);
	b = h_rbody(c);
	assert_int_equal(smb_get_le16(b), 60);
	assert_int_equal(smb_get_le16(b + 2), SMB2_CLOSE_FLAG_POSTQUERY_ATTRIB);
	assert_int_equal(smb_get_le64(b + 48), 3);
	assert_int_equal(h_close(c, fid), STATUS_FILE_CLOSED);
	memset(bogus, 0x33, sizeof(bogus));
	assert_int_equal(h_close(c, bogus), STATUS_FILE_CLOSED);
	/* Unrelated all-ones FileId. */
	assert_int_equal(h_close(c, h_fid_none), STATUS_FILE_CLOSED);
	h_client_free(c);
}

static void test_open_file_limit(void **state)
{
	struct h_env *e = *state;
	struct h_client *c;
	u8 f1[16] = { 0 }, f2[16] = { 0 }, f3[16] = { 0 };

	e->cfg.max_open_files = 2;
	h_env_start(e);
	c = on_share(state, "share");
	h_open_rw(c, "1", FILE_CREATE, f1);
	h_open_rw(c, "2", FILE_CREATE, f2);
	assert_int_equal(h_create(c, "3", H_RW, 0, FILE_CREATE, 0, f3),
			 STATUS_TOO_MANY_OPENED_FILES);
	assert_false(h_exists(e->rw, "3"));
	assert_int_equal(h_close(c, f1), STATUS_SUCCESS);
	h_open_rw(c, "3", FILE_CREATE, f3);
	h_client_free(c);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, h_setup, h_teardown)
	const struct CMUnitTest tests[] = {
		T(test_dispositions), T(test_directories),
		T(test_path_escapes), T(test_malformed_create),
		T(test_contexts),     T(test_read_only_share),
		T(test_close),	      T(test_open_file_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
