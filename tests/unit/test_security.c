// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_security.c - core/security.c end to end through the SMB harness:
 * QUERY_INFO/SET_INFO security, the SecD create context, the DACL check on
 * open (MAXIMUM_ALLOWED, MxAc, owner rights, NULL and empty DACLs) and ACE
 * inheritance from a directory.  The harness logs on as alice, whose SIDs
 * are S-1-22-1-1000 and S-1-22-2-1000.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "platform.h"
#include "smb_harness.h"
#include "secdesc.h"

#define ALL_SECINFO                                                \
	(OWNER_SECURITY_INFORMATION | GROUP_SECURITY_INFORMATION | \
	 DACL_SECURITY_INFORMATION)

static struct h_client *on_share(void **state)
{
	struct h_client *c = h_client_new(*state);

	h_connect(c, SMB2_DIALECT_0311, "share");
	return c;
}

static void alice(struct smb_sid *user, struct smb_sid *group)
{
	smb_sid_unix_user(user, 1000);
	smb_sid_unix_group(group, 1000);
}

/* A self-relative descriptor: owner alice, the ACEs given, into out. */
static size_t make_sd(u8 *out, size_t cap, u16 control,
		      void (*add)(struct smb_acl_builder *b))
{
	struct smb_acl_builder b;
	struct smb_sd sd;
	u8 acl[512];
	size_t need;

	memset(&sd, 0, sizeof(sd));
	alice(&sd.owner, &sd.group);
	sd.has_owner = sd.has_group = true;
	sd.control = SE_SELF_RELATIVE | control;
	if (add) {
		smb_acl_begin(&b, acl, sizeof(acl));
		add(&b);
		assert_int_equal(smb_acl_finish(&b, &sd.dacl), 0);
	}
	assert_int_equal(smb_sd_encode(&sd, 0xf, out, cap, &need), 0);
	return need;
}

static u32 set_sd(struct h_client *c, const u8 fid[16], u32 secinfo,
		  const u8 *sd, size_t len)
{
	struct h_req r;

	h_build_set_info(c, &r, fid, SMB2_0_INFO_SECURITY, 0, sd, (u32)len);
	h_set32(&r, H_BODY + 12, secinfo);
	return h_call(c, &r);
}

static u32 get_sd(struct h_client *c, const u8 fid[16], u32 secinfo, u8 *out,
		  u32 *len)
{
	const u8 *p;
	u32 st = h_query_info(c, fid, SMB2_0_INFO_SECURITY, 0, 4096, secinfo,
			      &p, len);

	if (st == STATUS_SUCCESS)
		memcpy(out, p, *len);
	return st;
}

/* Only alice may read; she is denied write. */
static void aces_read_only(struct smb_acl_builder *b)
{
	struct smb_sid u, g;

	alice(&u, &g);
	smb_acl_add(b, ACCESS_DENIED_ACE_TYPE, 0, FILE_WRITE_DATA, &u);
	smb_acl_add(b, ACCESS_ALLOWED_ACE_TYPE, 0, GENERIC_READ | READ_CONTROL,
		    &u);
}

static void aces_inheritable(struct smb_acl_builder *b)
{
	struct smb_sid u, g;

	alice(&u, &g);
	/* For the directory itself only. */
	smb_acl_add(b, ACCESS_ALLOWED_ACE_TYPE, 0, FILE_ALL_ACCESS, &u);
	smb_acl_add(b, ACCESS_ALLOWED_ACE_TYPE,
		    OBJECT_INHERIT_ACE | CONTAINER_INHERIT_ACE, GENERIC_ALL,
		    &smb_sid_creator_owner);
	smb_acl_add(b, ACCESS_ALLOWED_ACE_TYPE, OBJECT_INHERIT_ACE,
		    FILE_GENERIC_READ, &smb_sid_everyone);
}

static void test_query_synthesized(void **state)
{
	struct h_client *c = on_share(state);
	u8 fid[16], out[4096];
	struct smb_sd sd;
	struct smb_sid want;
	struct h_req r;
	u32 len;

	h_open_rw(c, "plain.txt", FILE_CREATE, fid);
	assert_int_equal(get_sd(c, fid, ALL_SECINFO, out, &len), 0);
	assert_int_equal(smb_sd_parse(out, len, &sd), 0);
	smb_sid_unix_user(&want, (u32)getuid());
	assert_true(smb_sid_equal(&sd.owner, &want));
	assert_int_equal(sd.dacl.count, 3);
	/* Too small: STATUS_BUFFER_TOO_SMALL with the size needed. */
	h_build_query_info(c, &r, fid, SMB2_0_INFO_SECURITY, 0, 20,
			   ALL_SECINFO);
	assert_int_equal(h_call(c, &r), STATUS_BUFFER_TOO_SMALL);
	assert_int_equal(smb_get_le32(h_rbody(c) + 4), 4);
	assert_int_equal(smb_get_le32(h_rbody(c) + 8), len);
	/* The SACL needs ACCESS_SYSTEM_SECURITY, which no open has. */
	assert_int_equal(get_sd(c, fid, SACL_SECURITY_INFORMATION, out, &len),
			 STATUS_ACCESS_DENIED);
	h_close(c, fid);
	h_client_free(c);
}

static void test_set_and_enforce(void **state)
{
	struct h_client *c = on_share(state);
	u8 fid[16], fid2[16], sd[512], out[4096];
	struct smb_acl_iter it = { 0, 0 };
	struct smb_sd got;
	struct smb_ace ace;
	size_t n;
	u32 len;

	assert_int_equal(h_create(c, "guarded.txt",
				  H_RW | WRITE_DAC | WRITE_OWNER, H_SHARE_ALL,
				  FILE_CREATE, 0, fid),
			 STATUS_SUCCESS);
	n = make_sd(sd, sizeof(sd), SE_DACL_PRESENT, aces_read_only);
	/* alice takes ownership (she may: it is her own SID) and sets the
	 * DACL in one go. */
	assert_int_equal(set_sd(c, fid,
				OWNER_SECURITY_INFORMATION |
					DACL_SECURITY_INFORMATION,
				sd, n),
			 0);
	/* Read back: generic bits of the allow ACE were mapped. */
	assert_int_equal(get_sd(c, fid, ALL_SECINFO, out, &len), 0);
	assert_int_equal(smb_sd_parse(out, len, &got), 0);
	assert_int_equal(got.dacl.count, 2);
	assert_true(smb_acl_next(&got.dacl, &it, &ace));
	assert_true(smb_acl_next(&got.dacl, &it, &ace));
	assert_int_equal(ace.mask, FILE_GENERIC_READ | READ_CONTROL);
	h_close(c, fid);

	assert_int_equal(h_create(c, "guarded.txt", FILE_WRITE_DATA,
				  H_SHARE_ALL, FILE_OPEN, 0, fid2),
			 STATUS_ACCESS_DENIED);
	assert_int_equal(h_create(c, "guarded.txt", FILE_READ_DATA, H_SHARE_ALL,
				  FILE_OPEN, 0, fid2),
			 STATUS_SUCCESS);
	h_close(c, fid2);
	/* Its named streams are guarded by the same descriptor. */
	assert_int_equal(h_create(c, "guarded.txt:s", FILE_WRITE_DATA,
				  H_SHARE_ALL, FILE_OPEN_IF, 0, fid2),
			 STATUS_ACCESS_DENIED);
	/* ... refused before the stream was made. */
	assert_int_equal(h_create(c, "guarded.txt:s", FILE_READ_DATA,
				  H_SHARE_ALL, FILE_OPEN, 0, fid2),
			 STATUS_OBJECT_NAME_NOT_FOUND);
	assert_int_equal(h_create(c, "guarded.txt:s", FILE_READ_DATA,
				  H_SHARE_ALL, FILE_OPEN_IF, 0, fid2),
			 STATUS_SUCCESS);
	h_close(c, fid2);
	/* MAXIMUM_ALLOWED: what the DACL gives, plus the owner's
	 * WRITE_DAC and what the (POSIX-governed) parent adds. */
	assert_int_equal(h_create(c, "guarded.txt", MAXIMUM_ALLOWED,
				  H_SHARE_ALL, FILE_OPEN, 0, fid2),
			 STATUS_SUCCESS);
	{
		const u8 *p;
		u32 n2;

		assert_int_equal(h_query_info(c, fid2, SMB2_0_INFO_FILE,
					      FileAccessInformation, 4, 0, &p,
					      &n2),
				 0);
		assert_int_equal(smb_get_le32(p), FILE_GENERIC_READ |
							  READ_CONTROL |
							  WRITE_DAC | DELETE);
	}
	h_close(c, fid2);
	/* The owner may always rewrite the DACL: a NULL DACL opens it up. */
	assert_int_equal(h_create(c, "guarded.txt", WRITE_DAC, H_SHARE_ALL,
				  FILE_OPEN, 0, fid2),
			 STATUS_SUCCESS);
	n = make_sd(sd, sizeof(sd), SE_DACL_PRESENT, NULL);
	assert_int_equal(set_sd(c, fid2, DACL_SECURITY_INFORMATION, sd, n), 0);
	h_close(c, fid2);
	assert_int_equal(h_create(c, "guarded.txt", FILE_WRITE_DATA,
				  H_SHARE_ALL, FILE_OPEN, 0, fid2),
			 STATUS_SUCCESS);
	h_close(c, fid2);
	h_client_free(c);
}

static void test_set_refused(void **state)
{
	struct h_client *c = on_share(state);
	u8 fid[16], sd[512];
	struct smb_sd parsed;
	struct smb_sid stranger;
	size_t n;

	assert_int_equal(h_create(c, "r.txt", FILE_READ_DATA | READ_CONTROL,
				  H_SHARE_ALL, FILE_CREATE, 0, fid),
			 STATUS_SUCCESS);
	n = make_sd(sd, sizeof(sd), SE_DACL_PRESENT, aces_read_only);
	/* No WRITE_DAC / WRITE_OWNER on the handle. */
	assert_int_equal(set_sd(c, fid, DACL_SECURITY_INFORMATION, sd, n),
			 STATUS_ACCESS_DENIED);
	assert_int_equal(set_sd(c, fid, OWNER_SECURITY_INFORMATION, sd, n),
			 STATUS_ACCESS_DENIED);
	h_close(c, fid);
	h_open_rw(c, "r2.txt", FILE_CREATE, fid);
	h_close(c, fid);
	assert_int_equal(h_create(c, "r2.txt", WRITE_DAC | WRITE_OWNER,
				  H_SHARE_ALL, FILE_OPEN, 0, fid),
			 STATUS_SUCCESS);
	/* Malformed descriptors. */
	assert_int_equal(set_sd(c, fid, DACL_SECURITY_INFORMATION, sd, 19),
			 STATUS_INVALID_SECURITY_DESCR);
	sd[2] = 0x04;
	sd[3] = 0x00; /* not self-relative */
	assert_int_equal(set_sd(c, fid, DACL_SECURITY_INFORMATION, sd, n),
			 STATUS_INVALID_SECURITY_DESCR);
	/* Giving the file away to someone else is refused. */
	n = make_sd(sd, sizeof(sd), SE_DACL_PRESENT, aces_read_only);
	assert_int_equal(smb_sd_parse(sd, n, &parsed), 0);
	smb_sid_unix_user(&stranger, 4242);
	smb_sid_put(sd + smb_get_le32(sd + 4), &stranger);
	assert_int_equal(set_sd(c, fid, OWNER_SECURITY_INFORMATION, sd, n),
			 STATUS_INVALID_OWNER);
	h_close(c, fid);
	h_client_free(c);
}

static void test_secd_context_and_inheritance(void **state)
{
	struct h_client *c = on_share(state);
	u8 ctxbuf[600], sd[512], out[4096], dfid[16], fid[16];
	struct h_create cr = { "parent",
			       FILE_ALL_ACCESS,
			       H_SHARE_ALL,
			       FILE_CREATE,
			       FILE_DIRECTORY_FILE,
			       0,
			       ctxbuf,
			       0 };
	struct smb_acl_iter it = { 0, 0 };
	struct smb_sid u, g;
	struct smb_sd got;
	struct smb_ace ace;
	size_t n;
	u32 len;

	alice(&u, &g);
	/* A directory created with a SecD context carrying inheritable
	 * ACEs, in a parent whose DACL is auto-inherited. */
	n = make_sd(sd, sizeof(sd),
		    SE_DACL_PRESENT | SE_DACL_AUTO_INHERITED |
			    SE_DACL_AUTO_INHERIT_REQ,
		    aces_inheritable);
	memset(ctxbuf, 0, sizeof(ctxbuf));
	smb_put_le16(ctxbuf + 4, 16); /* NameOffset */
	smb_put_le16(ctxbuf + 6, 4);
	smb_put_le16(ctxbuf + 10, 24); /* DataOffset */
	smb_put_le32(ctxbuf + 12, (u32)n);
	memcpy(ctxbuf + 16, "SecD", 4);
	memcpy(ctxbuf + 24, sd, n);
	cr.contexts_len = 24 + n;
	assert_int_equal(h_create_ex(c, &cr, dfid), STATUS_SUCCESS);
	assert_int_equal(get_sd(c, dfid, ALL_SECINFO, out, &len), 0);
	assert_int_equal(smb_sd_parse(out, len, &got), 0);
	assert_int_equal(got.dacl.count, 3);
	assert_true(got.control & SE_DACL_AUTO_INHERITED);
	assert_false(got.control & SE_DACL_AUTO_INHERIT_REQ);
	h_close(c, dfid);

	/* A file below gets both OBJECT_INHERIT ACEs, CREATOR OWNER
	 * replaced by alice and GENERIC_ALL mapped. */
	h_open_rw(c, "parent\\child.txt", FILE_CREATE, fid);
	assert_int_equal(get_sd(c, fid, ALL_SECINFO, out, &len), 0);
	assert_int_equal(smb_sd_parse(out, len, &got), 0);
	assert_true(smb_sid_equal(&got.owner, &u));
	assert_true(smb_sid_equal(&got.group, &g));
	assert_int_equal(got.dacl.count, 2);
	assert_true(smb_acl_next(&got.dacl, &it, &ace));
	assert_true(smb_sid_equal(&ace.sid, &u));
	assert_int_equal(ace.mask, FILE_ALL_ACCESS);
	assert_int_equal(ace.flags, INHERITED_ACE);
	assert_true(smb_acl_next(&got.dacl, &it, &ace));
	assert_true(smb_sid_equal(&ace.sid, &smb_sid_everyone));
	assert_int_equal(ace.flags, INHERITED_ACE);
	h_close(c, fid);

	/* A SecD naming another owner is refused before anything is made. */
	smb_sid_unix_user(&u, 4242);
	smb_sid_put(ctxbuf + 24 + smb_get_le32(sd + 4), &u);
	cr.name = "other";
	assert_int_equal(h_create_ex(c, &cr, dfid), STATUS_INVALID_OWNER);
	assert_false(h_exists(((struct h_env *)*state)->rw, "other"));
	/* A malformed one too. */
	smb_put_le32(ctxbuf + 12, 12);
	cr.contexts_len = 24 + 16;
	assert_int_equal(h_create_ex(c, &cr, dfid),
			 STATUS_INVALID_SECURITY_DESCR);
	h_client_free(c);
}

static void test_empty_dacl_and_parent_add(void **state)
{
	struct h_client *c = on_share(state);
	u8 sd[512], dfid[16], fid[16];
	size_t n;

	assert_int_equal(h_create(c, "locked", FILE_ALL_ACCESS, H_SHARE_ALL,
				  FILE_CREATE, FILE_DIRECTORY_FILE, dfid),
			 STATUS_SUCCESS);
	/* An empty DACL: nothing for anyone but the owner's implicit
	 * READ_CONTROL | WRITE_DAC. */
	{
		struct smb_acl_builder b;
		struct smb_sd s;
		u8 acl[16];

		memset(&s, 0, sizeof(s));
		alice(&s.owner, &s.group);
		s.has_owner = s.has_group = true;
		s.control = SE_SELF_RELATIVE | SE_DACL_PRESENT;
		smb_acl_begin(&b, acl, sizeof(acl));
		assert_int_equal(smb_acl_finish(&b, &s.dacl), 0);
		assert_int_equal(smb_sd_encode(&s, 0xf, sd, sizeof(sd), &n), 0);
	}
	assert_int_equal(set_sd(c, dfid,
				OWNER_SECURITY_INFORMATION |
					DACL_SECURITY_INFORMATION,
				sd, n),
			 0);
	/* No FILE_ADD_FILE: a new name cannot be created... */
	assert_int_equal(h_create(c, "locked\\new.txt", H_RW, H_SHARE_ALL,
				  FILE_CREATE, 0, fid),
			 STATUS_ACCESS_DENIED);
	assert_int_equal(h_create(c, "locked\\new.txt", H_RW, H_SHARE_ALL,
				  FILE_OPEN_IF, 0, fid),
			 STATUS_ACCESS_DENIED);
	/* ...nor moved in by a rename. */
	h_open_rw(c, "outside.txt", FILE_CREATE, fid);
	assert_int_equal(h_rename(c, fid, "locked\\moved.txt", false),
			 STATUS_ACCESS_DENIED);
	assert_int_equal(h_rename(c, fid, "elsewhere.txt", false),
			 STATUS_SUCCESS);
	h_close(c, fid);
	h_close(c, dfid);
	/* ...and the directory itself opens only for what the owner has. */
	assert_int_equal(h_create(c, "locked", FILE_LIST_DIRECTORY, H_SHARE_ALL,
				  FILE_OPEN, FILE_DIRECTORY_FILE, dfid),
			 STATUS_ACCESS_DENIED);
	assert_int_equal(h_create(c, "locked", READ_CONTROL | WRITE_DAC,
				  H_SHARE_ALL, FILE_OPEN, FILE_DIRECTORY_FILE,
				  dfid),
			 STATUS_SUCCESS);
	h_close(c, dfid);
	h_client_free(c);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, h_setup, h_teardown)
	const struct CMUnitTest tests[] = {
		T(test_query_synthesized),
		T(test_set_and_enforce),
		T(test_set_refused),
		T(test_secd_context_and_inheritance),
		T(test_empty_dacl_and_parent_add),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
