// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Tests for core/ea.c: FILE_FULL_EA_INFORMATION / FILE_GET_EA_INFORMATION
 * parsing (well formed and malformed lists), encoding, and EAs set and read
 * back through SET_INFO, QUERY_INFO and the ExtA create context.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "platform.h"
#include "smb_harness.h"
#include "ea.h"

/* Append one FULL_EA entry at off; returns the entry's unpadded size. */
static size_t full_entry(u8 *buf, size_t off, const char *name,
			 const char *value)
{
	size_t nl = strlen(name), vl = strlen(value);

	smb_put_le32(buf + off, 0);
	buf[off + 4] = 0;
	buf[off + 5] = (u8)nl;
	smb_put_le16(buf + off + 6, (u16)vl);
	memcpy(buf + off + 8, name, nl + 1);
	memcpy(buf + off + 9 + nl, value, vl);
	return 9 + nl + vl;
}

/* Two entries "Alpha"="one" and "beta"="2"; returns the list length. */
static size_t two_entries(u8 *buf)
{
	size_t a = full_entry(buf, 0, "Alpha", "one");
	size_t next = (a + 3) & ~(size_t)3;

	memset(buf + a, 0, next - a);
	smb_put_le32(buf, (u32)next);
	return next + full_entry(buf, next, "beta", "2");
}

static void test_full_list_ok(void **state)
{
	u8 buf[128];
	size_t len = two_entries(buf), pos = 0;
	struct smb_ea ea;
	u32 bad = 99;
	char up[16];

	(void)state;
	assert_int_equal(smb_ea_check_full(buf, len, &bad), STATUS_SUCCESS);
	assert_int_equal(bad, 0);
	assert_true(smb_ea_next_full(buf, len, &pos, &ea));
	assert_int_equal(ea.name_len, 5);
	assert_memory_equal(ea.name, "Alpha", 5);
	assert_int_equal(ea.value_len, 3);
	assert_memory_equal(ea.value, "one", 3);
	smb_ea_name_upper(ea.name, ea.name_len, up);
	assert_string_equal(up, "ALPHA");
	assert_true(smb_ea_next_full(buf, len, &pos, &ea));
	assert_memory_equal(ea.name, "beta", 4);
	assert_false(smb_ea_next_full(buf, len, &pos, &ea));
	assert_int_equal(smb_ea_full_size(5, 3), 20);
}

static void test_full_list_malformed(void **state)
{
	u8 buf[128];
	size_t len = two_entries(buf);
	u32 bad;

	(void)state;
	/* Empty and truncated buffers. */
	assert_int_equal(smb_ea_check_full(buf, 0, &bad),
			 STATUS_EA_LIST_INCONSISTENT);
	assert_int_equal(smb_ea_check_full(buf, 7, &bad),
			 STATUS_EA_LIST_INCONSISTENT);
	assert_int_equal(smb_ea_check_full(buf, len - 1, &bad),
			 STATUS_EA_LIST_INCONSISTENT);
	assert_int_equal(bad, 20); /* the second entry is the short one */
	/* NextEntryOffset past the end, misaligned, inside the entry. */
	smb_put_le32(buf, 0x1000);
	assert_int_equal(smb_ea_check_full(buf, len, &bad),
			 STATUS_EA_LIST_INCONSISTENT);
	assert_int_equal(bad, 0);
	smb_put_le32(buf, 18);
	assert_int_equal(smb_ea_check_full(buf, len, &bad),
			 STATUS_EA_LIST_INCONSISTENT);
	smb_put_le32(buf, 4);
	assert_int_equal(smb_ea_check_full(buf, len, &bad),
			 STATUS_EA_LIST_INCONSISTENT);
	/* An offset equal to the rest would point at nothing. */
	smb_put_le32(buf, (u32)len);
	assert_int_equal(smb_ea_check_full(buf, len, &bad),
			 STATUS_EA_LIST_INCONSISTENT);
	smb_put_le32(buf, 20);
	/* Name length past the buffer, and a missing NUL. */
	buf[5] = 200;
	assert_int_equal(smb_ea_check_full(buf, len, &bad),
			 STATUS_EA_LIST_INCONSISTENT);
	buf[5] = 5;
	buf[13] = 'x';
	assert_int_equal(smb_ea_check_full(buf, len, &bad),
			 STATUS_EA_LIST_INCONSISTENT);
	buf[13] = 0;
	/* Value length past the buffer. */
	smb_put_le16(buf + 6, 0xffff);
	assert_int_equal(smb_ea_check_full(buf, len, &bad),
			 STATUS_EA_LIST_INCONSISTENT);
	smb_put_le16(buf + 6, 3);
	/* Unknown flags. */
	buf[4] = 0x01;
	assert_int_equal(smb_ea_check_full(buf, len, &bad),
			 STATUS_EA_LIST_INCONSISTENT);
	buf[4] = SMB_FILE_NEED_EA;
	assert_int_equal(smb_ea_check_full(buf, len, &bad), STATUS_SUCCESS);
	/* Reserved characters and empty names. */
	buf[9] = '*';
	assert_int_equal(smb_ea_check_full(buf, len, &bad),
			 STATUS_INVALID_EA_NAME);
	buf[9] = 'l';
	len = full_entry(buf, 0, "", "v");
	assert_int_equal(smb_ea_check_full(buf, len, &bad),
			 STATUS_INVALID_EA_NAME);
	assert_false(smb_ea_name_valid((const u8 *)"a\x01", 2));
	assert_false(smb_ea_name_valid((const u8 *)"a:b", 3));
	assert_true(smb_ea_name_valid((const u8 *)"user.x y", 8));
}

static void test_get_list(void **state)
{
	u8 buf[64];
	size_t pos = 0;
	const u8 *name;
	u8 nl;

	(void)state;
	memset(buf, 0, sizeof(buf));
	smb_put_le32(buf, 12);
	buf[4] = 3;
	memcpy(buf + 5, "abc", 4);
	buf[16] = 2;
	memcpy(buf + 17, "xy", 3);
	assert_int_equal(smb_ea_check_get(buf, 20), STATUS_SUCCESS);
	assert_true(smb_ea_next_get(buf, 20, &pos, &name, &nl));
	assert_int_equal(nl, 3);
	assert_memory_equal(name, "abc", 3);
	assert_true(smb_ea_next_get(buf, 20, &pos, &name, &nl));
	assert_memory_equal(name, "xy", 2);
	assert_false(smb_ea_next_get(buf, 20, &pos, &name, &nl));
	/* Malformed: short, offset loops back, name past the end, no NUL. */
	assert_int_equal(smb_ea_check_get(buf, 4), STATUS_EA_LIST_INCONSISTENT);
	assert_int_equal(smb_ea_check_get(buf, 19),
			 STATUS_EA_LIST_INCONSISTENT);
	smb_put_le32(buf, 0xfffffffcu);
	assert_int_equal(smb_ea_check_get(buf, 20),
			 STATUS_EA_LIST_INCONSISTENT);
	smb_put_le32(buf, 0);
	buf[4] = 60;
	assert_int_equal(smb_ea_check_get(buf, 20),
			 STATUS_EA_LIST_INCONSISTENT);
	buf[4] = 2;
	assert_int_equal(smb_ea_check_get(buf, 20),
			 STATUS_EA_LIST_INCONSISTENT); /* name[2] is 'c' */
}

static void test_put_full(void **state)
{
	u8 out[32];

	(void)state;
	assert_int_equal(smb_ea_put_full(out, sizeof(out), 0, "AB",
					 (const u8 *)"xyz", 3),
			 14);
	assert_int_equal(out[5], 2);
	assert_int_equal(smb_get_le16(out + 6), 3);
	assert_memory_equal(out + 8, "AB\0xyz", 6);
	assert_int_equal(
		smb_ea_put_full(out, 13, 0, "AB", (const u8 *)"xyz", 3), 0);
}

/* ---- through the wire ------------------------------------------------ */

static struct h_client *with_ea_file(void **state, u8 fid[16])
{
	struct h_client *c = h_client_new(*state);

	h_connect(c, SMB2_DIALECT_0311, "share");
	assert_int_equal(h_create(c, "ea.txt",
				  H_RW | FILE_READ_EA | FILE_WRITE_EA,
				  H_SHARE_ALL, FILE_CREATE, 0, fid),
			 STATUS_SUCCESS);
	return c;
}

static void test_set_query_eas(void **state)
{
	u8 fid[16] = { 0 }, buf[128], get[16];
	struct h_client *c = with_ea_file(state, fid);
	size_t len = two_entries(buf);
	const u8 *o = NULL;
	u32 n = 0;
	struct h_req r;

	assert_int_equal(h_query_info(c, fid, SMB2_0_INFO_FILE,
				      FileFullEaInformation, 200, 0, &o, &n),
			 STATUS_NO_EAS_ON_FILE);
	assert_int_equal(h_set_info(c, fid, FileFullEaInformation, buf,
				    (u32)len),
			 STATUS_SUCCESS);
	assert_int_equal(h_query_info(c, fid, SMB2_0_INFO_FILE,
				      FileFullEaInformation, 200, 0, &o, &n),
			 STATUS_SUCCESS);
	/* Stored in upper case; both come back (order of the backend). */
	assert_true(n >= 20 + 14);
	assert_true(!memcmp(o + 8, "ALPHA", 6) || !memcmp(o + 8, "BETA", 5));
	/* FileEaInformation: the list size. */
	assert_int_equal(h_query_info(c, fid, SMB2_0_INFO_FILE,
				      FileEaInformation, 4, 0, &o, &n),
			 STATUS_SUCCESS);
	assert_int_equal(smb_get_le32(o), 20 + 16);
	/* The directory listing reports the same EaSize. */
	{
		u8 root[16] = { 0 };
		const u8 *b, *e;

		assert_int_equal(h_create(c, "", FILE_LIST_DIRECTORY,
					  H_SHARE_ALL, FILE_OPEN,
					  FILE_DIRECTORY_FILE, root),
				 STATUS_SUCCESS);
		assert_int_equal(h_query_dir(c, root,
					     FileFullDirectoryInformation, 0,
					     "ea.txt", 4096),
				 STATUS_SUCCESS);
		b = h_rbody(c);
		e = h_rhdr(c) + smb_get_le16(b + 2);
		assert_int_equal(smb_get_le32(e + 64), 20 + 16);
	}
	/* Too small for one entry, and for all of them. */
	assert_int_equal(h_query_info(c, fid, SMB2_0_INFO_FILE,
				      FileFullEaInformation, 10, 0, &o, &n),
			 STATUS_BUFFER_TOO_SMALL);
	assert_int_equal(h_query_info(c, fid, SMB2_0_INFO_FILE,
				      FileFullEaInformation, 24, 0, &o, &n),
			 STATUS_BUFFER_OVERFLOW);
	/* A get list picks one, by any case; an absent one is empty. */
	memset(get, 0, sizeof(get));
	get[4] = 4;
	memcpy(get + 5, "BeTa", 5);
	h_build_query_info(c, &r, fid, SMB2_0_INFO_FILE, FileFullEaInformation,
			   200, 0);
	h_set16(&r, H_BODY + 8, (u16)r.len);
	h_set32(&r, H_BODY + 12, 10);
	h_put(&r, get, 10);
	assert_int_equal(h_call(c, &r), STATUS_SUCCESS);
	assert_int_equal(smb_get_le32(h_rbody(c) + 4), 14);
	get[4] = 3;
	memcpy(get + 5, "zzz", 4);
	h_build_query_info(c, &r, fid, SMB2_0_INFO_FILE, FileFullEaInformation,
			   200, 0);
	h_set16(&r, H_BODY + 8, (u16)r.len);
	h_set32(&r, H_BODY + 12, 9);
	h_put(&r, get, 9);
	assert_int_equal(h_call(c, &r), STATUS_SUCCESS);
	assert_int_equal(smb_get_le16(h_rbody(c) + 8 + 6), 0);
	/* Removing by an empty value; malformed lists change nothing. */
	len = full_entry(buf, 0, "alpha", "");
	assert_int_equal(h_set_info(c, fid, FileFullEaInformation, buf,
				    (u32)len),
			 STATUS_SUCCESS);
	smb_put_le32(buf, 0x40);
	assert_int_equal(h_set_info(c, fid, FileFullEaInformation, buf,
				    (u32)len),
			 STATUS_EA_LIST_INCONSISTENT);
	assert_int_equal(h_query_info(c, fid, SMB2_0_INFO_FILE,
				      FileEaInformation, 4, 0, &o, &n),
			 STATUS_SUCCESS);
	assert_int_equal(smb_get_le32(o), 16);
	h_client_free(c);
}

static void test_exta_context(void **state)
{
	struct h_client *c = h_client_new(*state);
	u8 ctxbuf[128], list[64], fid[16] = { 0 };
	size_t len = full_entry(list, 0, "Made", "by-create");
	struct h_create cr = { .name = "exta.txt",
			       .access = H_RW | FILE_READ_EA,
			       .share = H_SHARE_ALL,
			       .disposition = FILE_CREATE,
			       .contexts = ctxbuf };
	const u8 *o = NULL;
	u32 n = 0;

	h_connect(c, SMB2_DIALECT_0311, "share");
	memset(ctxbuf, 0, sizeof(ctxbuf));
	smb_put_le16(ctxbuf + 4, 16);
	smb_put_le16(ctxbuf + 6, 4);
	smb_put_le16(ctxbuf + 10, 24);
	smb_put_le32(ctxbuf + 12, (u32)len);
	memcpy(ctxbuf + 16, "ExtA", 4);
	memcpy(ctxbuf + 24, list, len);
	cr.contexts_len = 24 + len;
	assert_int_equal(h_create_ex(c, &cr, fid), STATUS_SUCCESS);
	assert_int_equal(h_query_info(c, fid, SMB2_0_INFO_FILE,
				      FileFullEaInformation, 200, 0, &o, &n),
			 STATUS_SUCCESS);
	assert_memory_equal(o + 8, "MADE", 5);
	assert_memory_equal(o + 13, "by-create", 9);
	h_client_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_list_ok),
		cmocka_unit_test(test_full_list_malformed),
		cmocka_unit_test(test_get_list),
		cmocka_unit_test(test_put_full),
		cmocka_unit_test_setup_teardown(test_set_query_eas, h_setup,
						h_teardown),
		cmocka_unit_test_setup_teardown(test_exta_context, h_setup,
						h_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
