// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_secdesc.c - core/secdesc.c: known-answer vectors worked out by hand
 * from [MS-DTYP] 2.4.2.2 (SID), 2.4.4 (ACE), 2.4.5 (ACL) and 2.4.6
 * (self-relative SECURITY_DESCRIPTOR), malformed inputs, the access check
 * (2.5.3.2) and inheritance (2.5.3.4).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "platform.h"
#include "secdesc.h"
#include "smb2.h"

#define GUARD 0xa5

static void check_guard(const u8 *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		assert_int_equal(p[i], GUARD);
}

static void check_zero(const u8 *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		assert_int_equal(p[i], 0);
}

static struct smb_stat file_stat(void)
{
	struct smb_stat st;

	memset(&st, 0, sizeof(st));
	st.mode = 0100754;
	st.uid = 1000;
	st.gid = 100;
	return st;
}

static struct smb_stat dir_stat(void)
{
	struct smb_stat st = file_stat();

	st.mode = 040755;
	st.is_dir = true;
	return st;
}

/* The descriptor of a file with no stored one, as QUERY_INFO encodes it. */
static u32 synth_encode(u32 secinfo, const struct smb_stat *st, u8 *out,
			size_t avail, size_t *written)
{
	u8 acl[SMB_SYNTH_ACL_SIZE];
	struct smb_sd sd;

	smb_sd_synthesize(st, acl, &sd);
	return smb_sd_encode(&sd, secinfo, out, avail, written);
}

/* ---- security descriptor --------------------------------------------- */

/*
 * uid 1000, gid 100, mode 0754, worked out by hand from [MS-DTYP] 2.4.6,
 * 2.4.5, 2.4.4.2 and 2.4.2.2.
 */
/* clang-format off */
static const u8 sd_0754[128] = {
	/* header: Revision 1, Control SE_SELF_RELATIVE|SE_DACL_PRESENT,
	 * OffsetOwner 20, OffsetGroup 36, OffsetSacl 0, OffsetDacl 52 */
	0x01, 0x00, 0x04, 0x80, 0x14, 0x00, 0x00, 0x00, 0x24, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x34, 0x00, 0x00, 0x00,
	/* owner S-1-22-1-1000 */
	0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x16,
	0x01, 0x00, 0x00, 0x00, 0xe8, 0x03, 0x00, 0x00,
	/* group S-1-22-2-100 */
	0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x16,
	0x02, 0x00, 0x00, 0x00, 0x64, 0x00, 0x00, 0x00,
	/* ACL: revision 2, size 76, 3 ACEs */
	0x02, 0x00, 0x4c, 0x00, 0x03, 0x00, 0x00, 0x00,
	/* owner rwx: generic read|write|execute, DELETE, WRITE_DAC|OWNER */
	0x00, 0x00, 0x18, 0x00, 0xbf, 0x01, 0x1f, 0x00,
	0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x16,
	0x01, 0x00, 0x00, 0x00, 0xe8, 0x03, 0x00, 0x00,
	/* group r-x */
	0x00, 0x00, 0x18, 0x00, 0xa9, 0x00, 0x12, 0x00,
	0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x16,
	0x02, 0x00, 0x00, 0x00, 0x64, 0x00, 0x00, 0x00,
	/* Everyone (S-1-1-0) r-- */
	0x00, 0x00, 0x14, 0x00, 0x89, 0x00, 0x12, 0x00,
	0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
	0x00, 0x00, 0x00, 0x00,
};
/* clang-format on */

static void test_secdesc_full(void **state)
{
	struct smb_stat st = file_stat();
	u8 buf[256];
	size_t w;

	memset(buf, GUARD, sizeof(buf));
	assert_int_equal(synth_encode(OWNER_SECURITY_INFORMATION |
					      GROUP_SECURITY_INFORMATION |
					      DACL_SECURITY_INFORMATION,
				      &st, buf, sizeof(buf), &w),
			 0);
	assert_int_equal(w, sizeof(sd_0754));
	assert_memory_equal(buf, sd_0754, sizeof(sd_0754));
	check_guard(buf + w, 8);

	/* Exact size fits; one byte less reports the size needed. */
	assert_int_equal(synth_encode(7, &st, buf, 128, &w), 0);
	memset(buf, GUARD, sizeof(buf));
	assert_int_equal(synth_encode(7, &st, buf, 127, &w),
			 STATUS_BUFFER_TOO_SMALL);
	assert_int_equal(w, 128);
	check_guard(buf, sizeof(buf));
	assert_int_equal(synth_encode(7, &st, buf, 0, &w),
			 STATUS_BUFFER_TOO_SMALL);
	assert_int_equal(w, 128);
}

static void test_secdesc_parts(void **state)
{
	struct smb_stat st = file_stat();
	u8 buf[256];
	size_t w;

	/* Group only. */
	assert_int_equal(synth_encode(GROUP_SECURITY_INFORMATION, &st, buf,
				      sizeof(buf), &w),
			 0);
	assert_int_equal(w, 36);
	assert_int_equal(smb_get_le16(buf + 2), 0x8000);
	assert_int_equal(smb_get_le32(buf + 4), 0);
	assert_int_equal(smb_get_le32(buf + 8), 20);
	assert_int_equal(smb_get_le32(buf + 12), 0);
	assert_int_equal(smb_get_le32(buf + 16), 0);
	assert_memory_equal(buf + 20, sd_0754 + 36, 16);

	/* DACL only. */
	assert_int_equal(synth_encode(DACL_SECURITY_INFORMATION, &st, buf,
				      sizeof(buf), &w),
			 0);
	assert_int_equal(w, 96);
	assert_int_equal(smb_get_le16(buf + 2), 0x8004);
	assert_int_equal(smb_get_le32(buf + 16), 20);
	assert_memory_equal(buf + 20, sd_0754 + 52, 76);

	/* SACL asked for: there is none, only the header comes back. */
	assert_int_equal(synth_encode(SACL_SECURITY_INFORMATION, &st, buf,
				      sizeof(buf), &w),
			 0);
	assert_int_equal(w, 20);
	assert_int_equal(smb_get_le16(buf + 2), 0x8000);
	check_zero(buf + 4, 16);
}

static void test_secdesc_directory(void **state)
{
	struct smb_stat st = dir_stat();
	u8 buf[256];
	size_t w;

	st.mode = 040700;
	assert_int_equal(synth_encode(DACL_SECURITY_INFORMATION, &st, buf,
				      sizeof(buf), &w),
			 0);
	/* Owner rwx on a directory adds FILE_DELETE_CHILD. */
	assert_int_equal(smb_get_le32(buf + 20 + 8 + 4), 0x001f01ff);
	/* Nothing for group and others beyond stat and ACL reading. */
	assert_int_equal(smb_get_le32(buf + 20 + 8 + 24 + 4), 0x00120080);
	assert_int_equal(smb_get_le32(buf + 20 + 8 + 48 + 4), 0x00120080);
}

/* ---- SIDs ------------------------------------------------------------- */

static void test_sid_known_answer(void **state)
{
	/* S-1-5-32-546 (Guests): revision 1, 2 sub-authorities, authority
	 * 5 big-endian, sub-authorities little-endian. */
	static const u8 guests[16] = { 0x01, 0x02, 0, 0, 0,    0,    0, 0x05,
				       0x20, 0,	   0, 0, 0x22, 0x02, 0, 0 };
	struct smb_sid sid;
	char text[80];
	u8 out[SMB_SID_MAX_SIZE];
	size_t used;

	(void)state;
	assert_int_equal(smb_sid_parse(guests, sizeof(guests), &sid, &used), 0);
	assert_int_equal(used, 16);
	assert_true(smb_sid_equal(&sid, &smb_sid_guests));
	assert_int_equal(smb_sid_to_string(&sid, text, sizeof(text)), 12);
	assert_string_equal(text, "S-1-5-32-546");
	assert_int_equal(smb_sid_put(out, &sid), 16);
	assert_memory_equal(out, guests, 16);
	smb_sid_unix_user(&sid, 4294967295u);
	smb_sid_to_string(&sid, text, sizeof(text));
	assert_string_equal(text, "S-1-22-1-4294967295");
	smb_sid_unix_group(&sid, 0);
	smb_sid_to_string(&sid, text, sizeof(text));
	assert_string_equal(text, "S-1-22-2-0");
	/* Too small an output buffer. */
	assert_int_equal(smb_sid_to_string(&sid, text, 8), -1);
}

static void test_sid_malformed(void **state)
{
	u8 buf[8 + 4 * 16];
	struct smb_sid sid;

	(void)state;
	memset(buf, 0, sizeof(buf));
	buf[0] = 1;
	buf[1] = 15; /* the most allowed */
	assert_int_equal(smb_sid_parse(buf, 8 + 60, &sid, NULL), 0);
	assert_int_equal(sid.count, 15);
	/* One byte short of its sub-authorities. */
	assert_int_equal(smb_sid_parse(buf, 8 + 59, &sid, NULL),
			 STATUS_INVALID_SID);
	buf[1] = 16;
	assert_int_equal(smb_sid_parse(buf, sizeof(buf), &sid, NULL),
			 STATUS_INVALID_SID);
	buf[1] = 0;
	buf[0] = 2; /* revision */
	assert_int_equal(smb_sid_parse(buf, sizeof(buf), &sid, NULL),
			 STATUS_INVALID_SID);
	buf[0] = 1;
	assert_int_equal(smb_sid_parse(buf, 7, &sid, NULL), STATUS_INVALID_SID);
	assert_int_equal(smb_sid_parse(buf, 8, &sid, NULL), 0); /* S-1-0 */
}

/* ---- descriptors: round trip and malformed ---------------------------- */

static void test_sd_parse_roundtrip(void **state)
{
	struct smb_acl_iter it = { 0, 0 };
	struct smb_sd sd;
	struct smb_ace ace;
	char text[80];
	u8 out[256];
	size_t need;
	int n = 0;

	(void)state;
	assert_int_equal(smb_sd_parse(sd_0754, sizeof(sd_0754), &sd), 0);
	assert_int_equal(sd.control, SE_SELF_RELATIVE | SE_DACL_PRESENT);
	assert_true(sd.has_owner && sd.has_group);
	smb_sid_to_string(&sd.owner, text, sizeof(text));
	assert_string_equal(text, "S-1-22-1-1000");
	smb_sid_to_string(&sd.group, text, sizeof(text));
	assert_string_equal(text, "S-1-22-2-100");
	assert_null(sd.sacl.buf);
	assert_int_equal(sd.dacl.size, 76);
	assert_int_equal(sd.dacl.count, 3);
	while (smb_acl_next(&sd.dacl, &it, &ace)) {
		assert_int_equal(ace.type, ACCESS_ALLOWED_ACE_TYPE);
		assert_true(ace.has_sid);
		n++;
	}
	assert_int_equal(n, 3);
	assert_true(smb_sid_equal(&ace.sid, &smb_sid_everyone));
	assert_int_equal(ace.mask, 0x00120089);
	assert_int_equal(smb_sd_encode(&sd, 0xf, out, sizeof(out), &need), 0);
	assert_int_equal(need, sizeof(sd_0754));
	assert_memory_equal(out, sd_0754, need);
	/* Nothing selected: the bare header. */
	assert_int_equal(smb_sd_encode(&sd, 0, out, sizeof(out), &need), 0);
	assert_int_equal(need, 20);
	assert_int_equal(smb_get_le16(out + 2), SE_SELF_RELATIVE);
	check_zero(out + 4, 16);
}

static void test_sd_malformed(void **state)
{
	u8 b[sizeof(sd_0754)];
	struct smb_sd sd;

	(void)state;
#define MUTATE(off, val, expect)                                           \
	do {                                                               \
		memcpy(b, sd_0754, sizeof(b));                             \
		b[off] = (u8)(val);                                        \
		assert_int_equal(smb_sd_parse(b, sizeof(b), &sd), expect); \
	} while (0)
	MUTATE(0, 2, STATUS_UNKNOWN_REVISION);
	MUTATE(3, 0x00, STATUS_INVALID_SECURITY_DESCR); /* not self-relative */
	MUTATE(4, 4, STATUS_INVALID_SECURITY_DESCR); /* owner in the header */
	MUTATE(4, 128, STATUS_INVALID_SECURITY_DESCR); /* owner at the end */
	MUTATE(4, 124, STATUS_INVALID_SID); /* owner runs past the end */
	MUTATE(7, 0x80, STATUS_INVALID_SECURITY_DESCR); /* huge offset */
	MUTATE(8 + 3, 0xff, STATUS_INVALID_SECURITY_DESCR);
	MUTATE(21, 16, STATUS_INVALID_SID); /* 16 sub-authorities */
	MUTATE(16, 124, STATUS_INVALID_ACL); /* DACL too short for a header */
	MUTATE(52, 1, STATUS_INVALID_ACL); /* ACL revision 1 */
	MUTATE(52, 5, STATUS_INVALID_ACL); /* ACL revision 5 */
	MUTATE(52, 3, 0); /* revision 3, as Samba's smbcacls sends */
	MUTATE(54, 77, STATUS_INVALID_ACL); /* AclSize past the buffer */
	MUTATE(54, 4, STATUS_INVALID_ACL); /* AclSize below the header */
	MUTATE(54, 60, STATUS_INVALID_ACL); /* AclSize cuts the last ACE */
	MUTATE(56, 4, STATUS_INVALID_ACL); /* AceCount too big */
	MUTATE(57, 0xff, STATUS_INVALID_ACL); /* AceCount huge */
	MUTATE(62, 0, STATUS_INVALID_ACL); /* AceSize 0 */
	MUTATE(62, 0x1a, STATUS_INVALID_ACL); /* AceSize not a multiple of 4 */
	MUTATE(62, 0x60, STATUS_INVALID_ACL); /* AceSize past AclSize */
	MUTATE(60 + 8 + 1, 9, STATUS_INVALID_ACL); /* ACE SID past the ACE */
	/* A DACL offset without SE_DACL_PRESENT is ignored. */
	MUTATE(2, 0x00, 0);
	assert_null(sd.dacl.buf);
	/* SE_DACL_PRESENT with offset 0 is the NULL DACL. */
	memcpy(b, sd_0754, sizeof(b));
	memset(b + 16, 0, 4);
	assert_int_equal(smb_sd_parse(b, sizeof(b), &sd), 0);
	assert_true(sd.control & SE_DACL_PRESENT);
	assert_null(sd.dacl.buf);
	/* Truncated at every length. */
	for (size_t n = 0; n < 20; n++)
		assert_int_equal(smb_sd_parse(sd_0754, n, &sd),
				 STATUS_INVALID_SECURITY_DESCR);
	for (size_t n = 20; n < sizeof(sd_0754); n++)
		assert_int_not_equal(smb_sd_parse(sd_0754, n, &sd), 0);
#undef MUTATE
}

/* An ACCESS_ALLOWED_OBJECT ACE and a callback ACE are kept byte for byte. */
static void test_sd_object_aces_preserved(void **state)
{
	/* clang-format off */
	static const u8 acl[] = {
		0x04, 0x00, 0x48, 0x00, 0x02, 0x00, 0x00, 0x00,
		/* ACCESS_ALLOWED_OBJECT: mask, Flags=1 (ObjectType), GUID,
		 * SID S-1-1-0 */
		0x05, 0x00, 0x28, 0x00, 0x01, 0x00, 0x00, 0x00,
		0x01, 0x00, 0x00, 0x00,
		1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
		0x01, 0x01, 0, 0, 0, 0, 0, 0x01, 0, 0, 0, 0,
		/* ACCESS_DENIED_CALLBACK: mask 1, S-1-1-0, 4 bytes app data */
		0x0a, 0x00, 0x18, 0x00, 0x01, 0x00, 0x00, 0x00,
		0x01, 0x01, 0, 0, 0, 0, 0, 0x01, 0, 0, 0, 0,
		'a', 'r', 't', 'x',
	};
	/* clang-format on */
	u8 buf[20 + sizeof(acl)], out[sizeof(buf)];
	struct smb_token tok;
	struct smb_user user = { .uid = 5, .gid = 6 };
	struct smb_sd sd;
	size_t need;

	(void)state;
	memset(buf, 0, 20);
	buf[0] = 1;
	smb_put_le16(buf + 2, SE_SELF_RELATIVE | SE_DACL_PRESENT);
	smb_put_le32(buf + 16, 20);
	memcpy(buf + 20, acl, sizeof(acl));
	assert_int_equal(smb_sd_parse(buf, sizeof(buf), &sd), 0);
	assert_int_equal(sd.dacl.count, 2);
	assert_int_equal(smb_sd_encode(&sd, 0xf, out, sizeof(out), &need), 0);
	assert_int_equal(need, sizeof(buf));
	assert_memory_equal(out, buf, sizeof(buf));
	/* The object ACE grants nothing; the deny callback denies. */
	smb_token_init(&tok, &user, false, false);
	assert_int_equal(smb_access_granted(&sd, &tok), 0);
	/* An object ACE whose GUIDs do not fit. */
	buf[20 + 8 + 8] = 3; /* both GUIDs: 12 + 32 + SID > 0x28 */
	assert_int_equal(smb_sd_parse(buf, sizeof(buf), &sd),
			 STATUS_INVALID_ACL);
}

static void test_sd_encode_sizes(void **state)
{
	struct smb_sd sd;
	u8 out[256];
	size_t need;

	(void)state;
	assert_int_equal(smb_sd_parse(sd_0754, sizeof(sd_0754), &sd), 0);
	memset(out, GUARD, sizeof(out));
	assert_int_equal(smb_sd_encode(&sd, 0xf, out, 127, &need),
			 STATUS_BUFFER_TOO_SMALL);
	assert_int_equal(need, 128);
	check_guard(out, sizeof(out));
	/* A NULL DACL: present, no offset. */
	sd.dacl.buf = NULL;
	assert_int_equal(smb_sd_encode(&sd, DACL_SECURITY_INFORMATION, out,
				       sizeof(out), &need),
			 0);
	assert_int_equal(need, 20);
	assert_int_equal(smb_get_le16(out + 2),
			 SE_SELF_RELATIVE | SE_DACL_PRESENT);
	assert_int_equal(smb_get_le32(out + 16), 0);
}

/* ---- access check ------------------------------------------------------ */

struct test_acl {
	u8 buf[512];
	struct smb_acl_builder b;
	struct smb_sd sd;
};

static void acl_start(struct test_acl *t)
{
	memset(t, 0, sizeof(*t));
	smb_acl_begin(&t->b, t->buf, sizeof(t->buf));
}

static void acl_done(struct test_acl *t, const struct smb_sid *owner)
{
	t->sd.control = SE_SELF_RELATIVE | SE_DACL_PRESENT;
	if (owner) {
		t->sd.has_owner = true;
		t->sd.owner = *owner;
	}
	assert_int_equal(smb_acl_finish(&t->b, &t->sd.dacl), 0);
}

static struct smb_token alice_token(void)
{
	struct smb_user u;
	struct smb_token t;

	memset(&u, 0, sizeof(u));
	u.uid = 1000;
	u.gid = 100;
	smb_token_init(&t, &u, false, false);
	return t;
}

static void test_access_null_and_empty_dacl(void **state)
{
	struct smb_token tok = alice_token();
	struct test_acl t;
	struct smb_sid other;
	u32 granted;

	(void)state;
	smb_sid_unix_user(&other, 7);
	memset(&t.sd, 0, sizeof(t.sd));
	t.sd.control = SE_SELF_RELATIVE | SE_DACL_PRESENT; /* NULL DACL */
	assert_int_equal(smb_access_granted(&t.sd, &tok), FILE_ALL_ACCESS);
	t.sd.control = SE_SELF_RELATIVE; /* no DACL at all */
	assert_int_equal(smb_access_check(&t.sd, &tok, GENERIC_ALL, &granted),
			 0);
	assert_int_equal(granted, FILE_ALL_ACCESS);
	/* An empty DACL grants nothing, not even to MAXIMUM_ALLOWED... */
	acl_start(&t);
	acl_done(&t, &other);
	assert_int_equal(smb_access_granted(&t.sd, &tok), 0);
	assert_int_equal(smb_access_check(&t.sd, &tok, MAXIMUM_ALLOWED,
					  &granted),
			 STATUS_ACCESS_DENIED);
	/* ...except the owner's implicit READ_CONTROL | WRITE_DAC. */
	acl_start(&t);
	acl_done(&t, &tok.sids[0]);
	assert_int_equal(smb_access_granted(&t.sd, &tok),
			 READ_CONTROL | WRITE_DAC);
	assert_int_equal(smb_access_check(&t.sd, &tok, WRITE_DAC, &granted), 0);
	assert_int_equal(smb_access_check(&t.sd, &tok, FILE_READ_DATA,
					  &granted),
			 STATUS_ACCESS_DENIED);
}

static void test_access_order_and_generic(void **state)
{
	struct smb_token tok = alice_token();
	struct test_acl t;
	struct smb_sid other;
	u32 granted;

	(void)state;
	smb_sid_unix_user(&other, 7);
	/* Deny write to Everyone, then allow generic all to alice's group:
	 * the earlier deny wins for the bits it names. */
	acl_start(&t);
	smb_acl_add(&t.b, ACCESS_DENIED_ACE_TYPE, 0, FILE_WRITE_DATA,
		    &smb_sid_everyone);
	smb_acl_add(&t.b, ACCESS_ALLOWED_ACE_TYPE, 0, GENERIC_ALL,
		    &tok.sids[1]);
	/* Not alice: ignored. */
	smb_acl_add(&t.b, ACCESS_DENIED_ACE_TYPE, 0, FILE_READ_DATA, &other);
	/* Inherit-only: not for this object. */
	smb_acl_add(&t.b, ACCESS_DENIED_ACE_TYPE, INHERIT_ONLY_ACE,
		    FILE_READ_DATA, &smb_sid_everyone);
	acl_done(&t, &other);
	assert_int_equal(smb_access_granted(&t.sd, &tok),
			 FILE_ALL_ACCESS & ~FILE_WRITE_DATA);
	assert_int_equal(smb_access_check(&t.sd, &tok, GENERIC_READ, &granted),
			 0);
	assert_int_equal(granted, FILE_GENERIC_READ);
	assert_int_equal(smb_access_check(&t.sd, &tok,
					  FILE_READ_DATA | FILE_WRITE_DATA,
					  &granted),
			 STATUS_ACCESS_DENIED);
	assert_int_equal(granted, 0);
	assert_int_equal(
		smb_access_check(&t.sd, &tok, MAXIMUM_ALLOWED, &granted), 0);
	assert_int_equal(granted, FILE_ALL_ACCESS & ~FILE_WRITE_DATA);
	/* Allow first, then deny: the deny cannot take back what was given. */
	acl_start(&t);
	smb_acl_add(&t.b, ACCESS_ALLOWED_ACE_TYPE, 0, FILE_GENERIC_READ,
		    &smb_sid_authenticated);
	smb_acl_add(&t.b, ACCESS_DENIED_ACE_TYPE, 0, FILE_ALL_ACCESS,
		    &tok.sids[0]);
	acl_done(&t, &other);
	assert_int_equal(smb_access_granted(&t.sd, &tok), FILE_GENERIC_READ);
	/* A guest is not an authenticated user. */
	{
		struct smb_user g = { .uid = 99, .gid = 99, .is_guest = true };
		struct smb_token gt;

		smb_token_init(&gt, &g, true, false);
		assert_true(smb_token_has(&gt, &smb_sid_guests));
		assert_false(smb_token_has(&gt, &smb_sid_authenticated));
		/* A guest with uid 0 is still not root. */
		g.uid = 0;
		smb_token_init(&gt, &g, true, false);
		smb_sid_unix_user(&other, 0);
		assert_false(smb_token_has(&gt, &other));
		smb_token_init(&gt, &g, false, true);
		assert_true(smb_token_has(&gt, &smb_sid_anonymous));
		assert_false(smb_token_has(&gt, &other));
		assert_int_equal(smb_access_granted(&t.sd, &gt), 0);
	}
}

/* ---- inheritance ------------------------------------------------------- */

struct want_ace {
	u8 type, flags;
	u32 mask;
	const struct smb_sid *sid;
};

static void check_acl(const struct smb_acl *acl, const struct want_ace *w,
		      int n)
{
	struct smb_acl_iter it = { 0, 0 };
	struct smb_ace ace;
	int i = 0;

	assert_int_equal(acl->count, n);
	while (smb_acl_next(acl, &it, &ace)) {
		assert_true(i < n);
		assert_int_equal(ace.type, w[i].type);
		assert_int_equal(ace.flags, w[i].flags);
		assert_int_equal(ace.mask, w[i].mask);
		assert_true(smb_sid_equal(&ace.sid, w[i].sid));
		i++;
	}
	assert_int_equal(i, n);
}

static void test_inheritance(void **state)
{
	struct smb_token tok = alice_token();
	const struct smb_sid *owner = &tok.sids[0], *group = &tok.sids[1];
	struct smb_sid user7;
	struct test_acl t;
	struct smb_acl out;
	u8 buf[1024];
	const u8 OI = OBJECT_INHERIT_ACE, CI = CONTAINER_INHERIT_ACE,
		 NP = NO_PROPAGATE_INHERIT_ACE, IO = INHERIT_ONLY_ACE,
		 ID = INHERITED_ACE;
	const u8 AL = ACCESS_ALLOWED_ACE_TYPE, DN = ACCESS_DENIED_ACE_TYPE;

	(void)state;
	smb_sid_unix_user(&user7, 7);
	acl_start(&t);
	smb_acl_add(&t.b, AL, OI | CI, GENERIC_ALL, &smb_sid_everyone); /* a */
	smb_acl_add(&t.b, DN, CI, FILE_WRITE_DATA, &user7); /* b */
	smb_acl_add(&t.b, AL, OI, FILE_GENERIC_READ, group); /* c */
	smb_acl_add(&t.b, AL, OI | CI | NP, FILE_GENERIC_WRITE,
		    &smb_sid_creator_owner); /* d */
	smb_acl_add(&t.b, AL, 0, FILE_ALL_ACCESS, &user7); /* e */
	smb_acl_add(&t.b, AL, OI | IO, FILE_EXECUTE, &user7); /* f */
	acl_done(&t, NULL);

	{
		const struct want_ace file[] = {
			{ AL, ID, FILE_ALL_ACCESS, &smb_sid_everyone },
			{ AL, ID, FILE_GENERIC_READ, group },
			{ AL, ID, FILE_GENERIC_WRITE, owner },
			{ AL, ID, FILE_EXECUTE, &user7 },
		};

		assert_int_equal(smb_acl_inherit(&t.sd.dacl, false, true, owner,
						 group, buf, sizeof(buf), &out),
				 0);
		check_acl(&out, file, 4);
	}
	{
		const struct want_ace dir[] = {
			{ AL, ID, FILE_ALL_ACCESS, &smb_sid_everyone },
			{ AL, OI | CI | IO | ID, GENERIC_ALL,
			  &smb_sid_everyone },
			{ DN, CI | ID, FILE_WRITE_DATA, &user7 },
			{ AL, OI | IO | ID, FILE_GENERIC_READ, group },
			{ AL, ID, FILE_GENERIC_WRITE, owner },
			{ AL, OI | IO | ID, FILE_EXECUTE, &user7 },
		};

		assert_int_equal(smb_acl_inherit(&t.sd.dacl, true, true, owner,
						 group, buf, sizeof(buf), &out),
				 0);
		check_acl(&out, dir, 6);
	}
	/* Too small an output buffer. */
	assert_int_equal(smb_acl_inherit(&t.sd.dacl, true, true, owner, group,
					 buf, 40, &out),
			 STATUS_BUFFER_TOO_SMALL);
	/* Nothing inheritable. */
	acl_start(&t);
	smb_acl_add(&t.b, AL, 0, FILE_ALL_ACCESS, &user7);
	smb_acl_add(&t.b, AL, CI, FILE_ALL_ACCESS, &user7);
	acl_done(&t, NULL);
	assert_int_equal(smb_acl_inherit(&t.sd.dacl, false, true, owner, group,
					 buf, sizeof(buf), &out),
			 0);
	assert_null(out.buf);
}

/* Seed corpus for tests/fuzz/fuzz_secdesc.c (SECDESC_SEEDS_OUT=dir). */
static void write_seeds(const char *dir)
{
	u8 null_dacl[sizeof(sd_0754)];
	const struct {
		const char *name;
		const u8 *data;
		size_t len;
	} seeds[] = {
		{ "sd_0754", sd_0754, sizeof(sd_0754) },
		{ "null_dacl", null_dacl, sizeof(null_dacl) },
	};
	char path[512];

	memcpy(null_dacl, sd_0754, sizeof(null_dacl));
	memset(null_dacl + 16, 0, 4);
	for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
		FILE *f;

		snprintf(path, sizeof(path), "%s/%s", dir, seeds[i].name);
		f = fopen(path, "wb");
		if (!f)
			continue;
		fwrite(seeds[i].data, 1, seeds[i].len, f);
		fclose(f);
	}
}

int main(void)
{
	if (getenv("SECDESC_SEEDS_OUT"))
		write_seeds(getenv("SECDESC_SEEDS_OUT"));

	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_secdesc_full),
		cmocka_unit_test(test_secdesc_parts),
		cmocka_unit_test(test_secdesc_directory),
		cmocka_unit_test(test_sid_known_answer),
		cmocka_unit_test(test_sid_malformed),
		cmocka_unit_test(test_sd_parse_roundtrip),
		cmocka_unit_test(test_sd_malformed),
		cmocka_unit_test(test_sd_object_aces_preserved),
		cmocka_unit_test(test_sd_encode_sizes),
		cmocka_unit_test(test_access_null_and_empty_dacl),
		cmocka_unit_test(test_access_order_and_generic),
		cmocka_unit_test(test_inheritance),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
