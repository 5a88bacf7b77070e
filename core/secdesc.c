// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * secdesc.c - security descriptor codec, access check and inheritance
 * ([MS-DTYP] 2.4.2, 2.4.4, 2.4.5, 2.4.6, 2.5.3.2, 2.5.3.4).
 */
#include "secdesc.h"
#include "smb2.h"

#define ACE_HEADER_SIZE 4 /* AceType, AceFlags, AceSize */
#define ACE_BASIC_SIZE 8 /* header + Mask */
#define S_IFMT_BITS 0170000u
#define INHERIT_FLAGS                                                    \
	(OBJECT_INHERIT_ACE | CONTAINER_INHERIT_ACE | INHERIT_ONLY_ACE | \
	 NO_PROPAGATE_INHERIT_ACE)
#define AUDIT_FLAGS (SUCCESSFUL_ACCESS_ACE_FLAG | FAILED_ACCESS_ACE_FLAG)
#define GENERIC_BITS \
	(GENERIC_READ | GENERIC_WRITE | GENERIC_EXECUTE | GENERIC_ALL)
#define DACL_CONTROL                                             \
	(SE_DACL_PRESENT | SE_DACL_DEFAULTED | SE_DACL_TRUSTED | \
	 SE_DACL_AUTO_INHERIT_REQ | SE_DACL_AUTO_INHERITED |     \
	 SE_DACL_PROTECTED)
#define SACL_CONTROL                                                      \
	(SE_SACL_PRESENT | SE_SACL_DEFAULTED | SE_SACL_AUTO_INHERIT_REQ | \
	 SE_SACL_AUTO_INHERITED | SE_SACL_PROTECTED)
/* Object ACE Flags field: which GUIDs follow the Mask (2.4.4.3). */
#define ACE_OBJECT_TYPE_PRESENT 0x1u
#define ACE_INHERITED_OBJECT_TYPE_PRESENT 0x2u

const struct smb_sid smb_sid_everyone = { 1, 1, { 0, 0, 0, 0, 0, 1 }, { 0 } };
const struct smb_sid smb_sid_creator_owner = { 1,
					       1,
					       { 0, 0, 0, 0, 0, 3 },
					       { 0 } };
const struct smb_sid smb_sid_creator_group = { 1,
					       1,
					       { 0, 0, 0, 0, 0, 3 },
					       { 1 } };
const struct smb_sid smb_sid_owner_rights = { 1,
					      1,
					      { 0, 0, 0, 0, 0, 3 },
					      { 4 } };
const struct smb_sid smb_sid_authenticated = { 1,
					       1,
					       { 0, 0, 0, 0, 0, 5 },
					       { 11 } };
const struct smb_sid smb_sid_anonymous = { 1, 1, { 0, 0, 0, 0, 0, 5 }, { 7 } };
const struct smb_sid smb_sid_guests = { 1,
					2,
					{ 0, 0, 0, 0, 0, 5 },
					{ 32, 546 } };

/* ---- SIDs ------------------------------------------------------------- */

u32 smb_sid_parse(const u8 *p, size_t avail, struct smb_sid *out, size_t *used)
{
	size_t size;
	int i;

	if (avail < 8 || p[0] != 1 || p[1] > SMB_SID_MAX_SUB)
		return STATUS_INVALID_SID;
	size = 8 + 4 * (size_t)p[1];
	if (avail < size)
		return STATUS_INVALID_SID;
	memset(out, 0, sizeof(*out));
	out->revision = 1;
	out->count = p[1];
	memcpy(out->authority, p + 2, 6);
	for (i = 0; i < out->count; i++)
		out->sub[i] = smb_get_le32(p + 8 + 4 * i);
	if (used)
		*used = size;
	return STATUS_SUCCESS;
}

size_t smb_sid_size(const struct smb_sid *s)
{
	return 8 + 4 * (size_t)s->count;
}

size_t smb_sid_put(u8 *p, const struct smb_sid *s)
{
	int i;

	p[0] = 1;
	p[1] = s->count;
	memcpy(p + 2, s->authority, 6);
	for (i = 0; i < s->count; i++)
		smb_put_le32(p + 8 + 4 * i, s->sub[i]);
	return smb_sid_size(s);
}

bool smb_sid_equal(const struct smb_sid *a, const struct smb_sid *b)
{
	int i;

	if (a->count != b->count || memcmp(a->authority, b->authority, 6))
		return false;
	for (i = 0; i < a->count; i++)
		if (a->sub[i] != b->sub[i])
			return false;
	return true;
}

void smb_sid_make(struct smb_sid *s, u64 authority, int count, const u32 *sub)
{
	int i;

	memset(s, 0, sizeof(*s));
	s->revision = 1;
	if (count > SMB_SID_MAX_SUB)
		count = SMB_SID_MAX_SUB;
	s->count = (u8)(count < 0 ? 0 : count);
	for (i = 0; i < 6; i++)
		s->authority[i] = (u8)(authority >> (8 * (5 - i)));
	for (i = 0; i < s->count; i++)
		s->sub[i] = sub[i];
}

void smb_sid_unix_user(struct smb_sid *s, u32 uid)
{
	const u32 sub[2] = { 1, uid };

	smb_sid_make(s, 22, 2, sub);
}

void smb_sid_unix_group(struct smb_sid *s, u32 gid)
{
	const u32 sub[2] = { 2, gid };

	smb_sid_make(s, 22, 2, sub);
}

/* Append one formatted number; false if it does not fit. */
static bool append_num(char *out, size_t size, size_t *n, const char *fmt,
		       unsigned long long v)
{
	char tmp[24];
	int k = smb_snprintf(tmp, sizeof(tmp), fmt, v);

	if (k < 0 || *n + (size_t)k >= size)
		return false;
	memcpy(out + *n, tmp, (size_t)k + 1);
	*n += (size_t)k;
	return true;
}

int smb_sid_to_string(const struct smb_sid *s, char *out, size_t size)
{
	u64 auth = 0;
	size_t n = 0;
	int i;

	for (i = 0; i < 6; i++)
		auth = auth << 8 | s->authority[i];
	if (!append_num(out, size, &n, "S-1-%llu", auth))
		return -1;
	for (i = 0; i < s->count; i++)
		if (!append_num(out, size, &n, "-%llu", s->sub[i]))
			return -1;
	return (int)n;
}

/* ---- ACEs and ACLs ------------------------------------------------------ */

static bool ace_is_object(u8 type)
{
	switch (type) {
	case ACCESS_ALLOWED_OBJECT_ACE_TYPE:
	case ACCESS_DENIED_OBJECT_ACE_TYPE:
	case SYSTEM_AUDIT_OBJECT_ACE_TYPE:
	case SYSTEM_ALARM_OBJECT_ACE_TYPE:
	case ACCESS_ALLOWED_CALLBACK_OBJECT_ACE_TYPE:
	case ACCESS_DENIED_CALLBACK_OBJECT_ACE_TYPE:
	case SYSTEM_AUDIT_CALLBACK_OBJECT_ACE_TYPE:
	case SYSTEM_ALARM_CALLBACK_OBJECT_ACE_TYPE:
		return true;
	default:
		return false;
	}
}

/*
 * Decode one ACE at p with room avail; false if it does not fit or its
 * SID is malformed.  Unknown types only need a header and a size.
 */
static bool ace_decode(const u8 *p, size_t avail, struct smb_ace *ace)
{
	size_t sid_off = ACE_BASIC_SIZE;

	if (avail < ACE_HEADER_SIZE)
		return false;
	memset(ace, 0, sizeof(*ace));
	ace->type = p[0];
	ace->flags = p[1];
	ace->size = smb_get_le16(p + 2);
	ace->raw = p;
	if (ace->size < ACE_BASIC_SIZE || ace->size > avail || (ace->size & 3))
		return false;
	ace->mask = smb_get_le32(p + 4);
	if (ace->type == ACCESS_ALLOWED_COMPOUND_ACE_TYPE ||
	    ace->type > SYSTEM_SCOPED_POLICY_ID_ACE_TYPE)
		return true; /* carried through, never evaluated */
	if (ace_is_object(ace->type)) {
		u32 oflags;

		if (ace->size < 12)
			return false;
		oflags = smb_get_le32(p + 8);
		sid_off = 12;
		if (oflags & ACE_OBJECT_TYPE_PRESENT)
			sid_off += 16;
		if (oflags & ACE_INHERITED_OBJECT_TYPE_PRESENT)
			sid_off += 16;
		if (sid_off > ace->size)
			return false;
	}
	if (smb_sid_parse(p + sid_off, ace->size - sid_off, &ace->sid, NULL))
		return false;
	ace->has_sid = true;
	return true;
}

u32 smb_acl_parse(const u8 *p, size_t avail, struct smb_acl *out)
{
	struct smb_ace ace;
	size_t pos = SMB_ACL_HEADER_SIZE;
	u16 size, count, i;

	memset(out, 0, sizeof(*out));
	if (avail < SMB_ACL_HEADER_SIZE)
		return STATUS_INVALID_ACL;
	/* [MS-DTYP] names 2 and 4; Windows and Samba also use 3. */
	if (p[0] < SMB_ACL_REVISION || p[0] > SMB_ACL_REVISION_DS)
		return STATUS_INVALID_ACL;
	size = smb_get_le16(p + 2);
	count = smb_get_le16(p + 4);
	if (size < SMB_ACL_HEADER_SIZE || size > avail)
		return STATUS_INVALID_ACL;
	/* Each ACE takes at least 8 bytes: a huge count fails here, fast. */
	if ((size_t)count * ACE_BASIC_SIZE > (size_t)size - SMB_ACL_HEADER_SIZE)
		return STATUS_INVALID_ACL;
	for (i = 0; i < count; i++) {
		if (!ace_decode(p + pos, size - pos, &ace))
			return STATUS_INVALID_ACL;
		pos += ace.size;
	}
	out->buf = p;
	out->size = size;
	out->count = count;
	return STATUS_SUCCESS;
}

bool smb_acl_next(const struct smb_acl *acl, struct smb_acl_iter *it,
		  struct smb_ace *ace)
{
	if (!acl->buf || it->index >= acl->count)
		return false;
	if (!it->offset)
		it->offset = SMB_ACL_HEADER_SIZE;
	if (it->offset > acl->size ||
	    !ace_decode(acl->buf + it->offset, acl->size - it->offset, ace))
		return false; /* cannot happen on a parsed ACL */
	it->offset += ace->size;
	it->index++;
	return true;
}

void smb_acl_begin(struct smb_acl_builder *b, u8 *buf, size_t cap)
{
	memset(b, 0, sizeof(*b));
	b->buf = buf;
	b->cap = cap;
	b->len = SMB_ACL_HEADER_SIZE;
	if (cap < SMB_ACL_HEADER_SIZE)
		b->overflow = true;
}

static u8 *acl_room(struct smb_acl_builder *b, size_t n)
{
	u8 *p;

	if (b->overflow || n > b->cap - b->len || b->len + n > 0xffff ||
	    b->count == 0xffff) {
		b->overflow = true;
		return NULL;
	}
	p = b->buf + b->len;
	b->len += n;
	b->count++;
	return p;
}

void smb_acl_add(struct smb_acl_builder *b, u8 type, u8 flags, u32 mask,
		 const struct smb_sid *sid)
{
	size_t size = ACE_BASIC_SIZE + smb_sid_size(sid);
	u8 *p = acl_room(b, size);

	if (!p)
		return;
	p[0] = type;
	p[1] = flags;
	smb_put_le16(p + 2, (u16)size);
	smb_put_le32(p + 4, mask);
	smb_sid_put(p + 8, sid);
}

void smb_acl_add_copy(struct smb_acl_builder *b, const struct smb_ace *ace,
		      u8 flags, u32 mask)
{
	u8 *p = acl_room(b, ace->size);

	if (!p)
		return;
	memcpy(p, ace->raw, ace->size);
	p[1] = flags;
	smb_put_le32(p + 4, mask);
}

u32 smb_acl_finish(struct smb_acl_builder *b, struct smb_acl *out)
{
	size_t pos = SMB_ACL_HEADER_SIZE, i;
	u8 rev = SMB_ACL_REVISION;

	memset(out, 0, sizeof(*out));
	if (b->overflow)
		return STATUS_BUFFER_TOO_SMALL;
	for (i = 0; i < b->count; i++) {
		if (ace_is_object(b->buf[pos]))
			rev = SMB_ACL_REVISION_DS;
		pos += smb_get_le16(b->buf + pos + 2);
	}
	b->buf[0] = rev;
	b->buf[1] = 0;
	smb_put_le16(b->buf + 2, (u16)b->len);
	smb_put_le16(b->buf + 4, b->count);
	smb_put_le16(b->buf + 6, 0);
	out->buf = b->buf;
	out->size = (u16)b->len;
	out->count = b->count;
	return STATUS_SUCCESS;
}

/* ---- security descriptors --------------------------------------------- */

/* The object at a header offset: 0 is "none", else inside the buffer. */
static u32 sd_offset(const u8 *buf, size_t len, int field, size_t *off)
{
	u32 v = smb_get_le32(buf + field);

	*off = v;
	if (v == 0)
		return STATUS_SUCCESS;
	if (v < SMB_SD_HEADER_SIZE || v >= len)
		return STATUS_INVALID_SECURITY_DESCR;
	return STATUS_SUCCESS;
}

static u32 sd_sid(const u8 *buf, size_t len, int field, bool *has,
		  struct smb_sid *sid)
{
	size_t off;
	u32 status = sd_offset(buf, len, field, &off);

	*has = false;
	if (status || !off)
		return status;
	status = smb_sid_parse(buf + off, len - off, sid, NULL);
	*has = !status;
	return status;
}

static u32 sd_acl(const u8 *buf, size_t len, int field, bool present,
		  struct smb_acl *acl)
{
	size_t off;
	u32 status = sd_offset(buf, len, field, &off);

	memset(acl, 0, sizeof(*acl));
	if (status || !off || !present)
		return status;
	return smb_acl_parse(buf + off, len - off, acl);
}

u32 smb_sd_parse(const u8 *buf, size_t len, struct smb_sd *out)
{
	u32 status;

	memset(out, 0, sizeof(*out));
	if (len < SMB_SD_HEADER_SIZE)
		return STATUS_INVALID_SECURITY_DESCR;
	if (buf[0] != 1)
		return STATUS_UNKNOWN_REVISION;
	out->control = smb_get_le16(buf + 2);
	if (!(out->control & SE_SELF_RELATIVE))
		return STATUS_INVALID_SECURITY_DESCR;
	status = sd_sid(buf, len, 4, &out->has_owner, &out->owner);
	if (!status)
		status = sd_sid(buf, len, 8, &out->has_group, &out->group);
	if (!status)
		status = sd_acl(buf, len, 12, out->control & SE_SACL_PRESENT,
				&out->sacl);
	if (!status)
		status = sd_acl(buf, len, 16, out->control & SE_DACL_PRESENT,
				&out->dacl);
	if (status)
		memset(out, 0, sizeof(*out));
	return status;
}

u32 smb_sd_encode(const struct smb_sd *sd, u32 secinfo, u8 *out, size_t avail,
		  size_t *need)
{
	bool owner = (secinfo & OWNER_SECURITY_INFORMATION) && sd->has_owner;
	bool group = (secinfo & GROUP_SECURITY_INFORMATION) && sd->has_group;
	bool dacl = (secinfo & DACL_SECURITY_INFORMATION) &&
		    (sd->control & SE_DACL_PRESENT);
	bool sacl = (secinfo & SACL_SECURITY_INFORMATION) &&
		    (sd->control & SE_SACL_PRESENT);
	size_t size = SMB_SD_HEADER_SIZE, pos = SMB_SD_HEADER_SIZE;
	u16 control = SE_SELF_RELATIVE;

	size += owner ? smb_sid_size(&sd->owner) : 0;
	size += group ? smb_sid_size(&sd->group) : 0;
	size += sacl && sd->sacl.buf ? sd->sacl.size : 0;
	size += dacl && sd->dacl.buf ? sd->dacl.size : 0;
	*need = size;
	if (avail < size)
		return STATUS_BUFFER_TOO_SMALL;
	memset(out, 0, SMB_SD_HEADER_SIZE);
	out[0] = 1;
	if (owner) {
		control |= sd->control & SE_OWNER_DEFAULTED;
		smb_put_le32(out + 4, (u32)pos);
		pos += smb_sid_put(out + pos, &sd->owner);
	}
	if (group) {
		control |= sd->control & SE_GROUP_DEFAULTED;
		smb_put_le32(out + 8, (u32)pos);
		pos += smb_sid_put(out + pos, &sd->group);
	}
	if (sacl) {
		control |= sd->control & SACL_CONTROL;
		if (sd->sacl.buf) {
			smb_put_le32(out + 12, (u32)pos);
			memcpy(out + pos, sd->sacl.buf, sd->sacl.size);
			pos += sd->sacl.size;
		}
	}
	if (dacl) {
		control |= sd->control & DACL_CONTROL;
		if (sd->dacl.buf) {
			smb_put_le32(out + 16, (u32)pos);
			memcpy(out + pos, sd->dacl.buf, sd->dacl.size);
		}
	}
	smb_put_le16(out + 2, control);
	return STATUS_SUCCESS;
}

/* POSIX rwx of one class to an access mask. */
static u32 rwx_to_mask(u32 rwx, bool is_dir, bool is_owner)
{
	/* Anyone may stat a file and read its (derived) ACL. */
	u32 mask = READ_CONTROL | FILE_READ_ATTRIBUTES | SYNCHRONIZE;

	if (rwx & 4)
		mask |= FILE_GENERIC_READ;
	if (rwx & 2) {
		mask |= FILE_GENERIC_WRITE;
		if (is_dir)
			mask |= FILE_DELETE_CHILD;
		if (is_owner)
			mask |= DELETE;
	}
	if (rwx & 1)
		mask |= FILE_GENERIC_EXECUTE;
	/* The owner can always chmod, chown (to itself) and set times. */
	if (is_owner)
		mask |= WRITE_DAC | WRITE_OWNER | FILE_WRITE_ATTRIBUTES;
	return mask;
}

void smb_sd_synthesize(const struct smb_stat *st, u8 *acl_buf,
		       struct smb_sd *out)
{
	struct smb_acl_builder b;
	u32 mode = st->mode & ~S_IFMT_BITS;

	memset(out, 0, sizeof(*out));
	out->control = SE_SELF_RELATIVE | SE_DACL_PRESENT;
	out->has_owner = out->has_group = true;
	smb_sid_unix_user(&out->owner, st->uid);
	smb_sid_unix_group(&out->group, st->gid);
	smb_acl_begin(&b, acl_buf, SMB_SYNTH_ACL_SIZE);
	smb_acl_add(&b, ACCESS_ALLOWED_ACE_TYPE, 0,
		    rwx_to_mask(mode >> 6 & 7, st->is_dir, true), &out->owner);
	smb_acl_add(&b, ACCESS_ALLOWED_ACE_TYPE, 0,
		    rwx_to_mask(mode >> 3 & 7, st->is_dir, false), &out->group);
	smb_acl_add(&b, ACCESS_ALLOWED_ACE_TYPE, 0,
		    rwx_to_mask(mode & 7, st->is_dir, false),
		    &smb_sid_everyone);
	smb_acl_finish(&b, &out->dacl); /* 3 ACEs of <= 24 bytes: fits */
}

/* ---- access check ----------------------------------------------------- */

void smb_token_init(struct smb_token *t, const struct smb_user *user,
		    bool is_guest, bool is_anonymous)
{
	memset(t, 0, sizeof(*t));
	if (is_anonymous || is_guest) {
		/*
		 * Never a Unix identity: an anonymous session has no account
		 * and a guest's may be unset (uid 0), which must not make it
		 * the owner of root's files.
		 */
		const struct smb_sid *who = is_anonymous ? &smb_sid_anonymous :
							   &smb_sid_guests;

		t->sids[t->nsids++] = *who;
		t->sids[t->nsids++] = *who;
		t->sids[t->nsids++] = smb_sid_everyone;
		return;
	}
	smb_sid_unix_user(&t->sids[t->nsids++], user->uid);
	smb_sid_unix_group(&t->sids[t->nsids++], user->gid);
	t->sids[t->nsids++] = smb_sid_everyone;
	t->sids[t->nsids++] = smb_sid_authenticated;
}

bool smb_token_has(const struct smb_token *t, const struct smb_sid *sid)
{
	int i;

	for (i = 0; i < t->nsids; i++)
		if (smb_sid_equal(&t->sids[i], sid))
			return true;
	return false;
}

u32 smb_map_generic_file(u32 mask)
{
	if (mask & GENERIC_READ)
		mask |= FILE_GENERIC_READ;
	if (mask & GENERIC_WRITE)
		mask |= FILE_GENERIC_WRITE;
	if (mask & GENERIC_EXECUTE)
		mask |= FILE_GENERIC_EXECUTE;
	if (mask & GENERIC_ALL)
		mask |= FILE_ALL_ACCESS;
	return mask & ~GENERIC_BITS;
}

u32 smb_access_granted(const struct smb_sd *sd, const struct smb_token *t)
{
	struct smb_ace ace;
	struct smb_acl_iter it = { 0, 0 };
	u32 allowed = 0, denied = 0, owner = 0;
	bool is_owner, owner_rights_ace = false;

	if (!(sd->control & SE_DACL_PRESENT) || !sd->dacl.buf)
		return FILE_ALL_ACCESS;
	is_owner = sd->has_owner && smb_token_has(t, &sd->owner);
	while (smb_acl_next(&sd->dacl, &it, &ace)) {
		bool owner_rights;
		u32 mask;

		if ((ace.flags & INHERIT_ONLY_ACE) || !ace.has_sid)
			continue;
		/* OWNER RIGHTS stands for the owner and replaces its
		 * implicit rights ([MS-DTYP] 2.5.3.2). */
		owner_rights = smb_sid_equal(&ace.sid, &smb_sid_owner_rights);
		owner_rights_ace |= owner_rights;
		if (owner_rights ? !is_owner : !smb_token_has(t, &ace.sid))
			continue;
		mask = smb_map_generic_file(ace.mask);
		switch (ace.type) {
		case ACCESS_ALLOWED_ACE_TYPE:
			allowed |= mask & ~denied;
			break;
		case ACCESS_DENIED_ACE_TYPE:
		case ACCESS_DENIED_OBJECT_ACE_TYPE:
		case ACCESS_DENIED_CALLBACK_ACE_TYPE:
		case ACCESS_DENIED_CALLBACK_OBJECT_ACE_TYPE:
			denied |= mask & ~allowed;
			break;
		default:
			break;
		}
	}
	if (is_owner && !owner_rights_ace)
		owner = READ_CONTROL | WRITE_DAC;
	return (allowed | owner) & ~(ACCESS_SYSTEM_SECURITY | MAXIMUM_ALLOWED);
}

u32 smb_access_check(const struct smb_sd *sd, const struct smb_token *t,
		     u32 desired, u32 *granted)
{
	bool want_max = desired & MAXIMUM_ALLOWED;
	u32 have = smb_access_granted(sd, t);

	desired = smb_map_generic_file(desired) & ~MAXIMUM_ALLOWED;
	*granted = 0;
	if (desired & ~have)
		return STATUS_ACCESS_DENIED;
	*granted = want_max ? (have | desired) : desired;
	if (want_max && !*granted)
		return STATUS_ACCESS_DENIED;
	return STATUS_SUCCESS;
}

u32 smb_acl_map_generic(const struct smb_acl *in, u8 *buf, size_t cap,
			struct smb_acl *out)
{
	struct smb_acl_iter it = { 0, 0 };
	struct smb_acl_builder b;
	struct smb_ace ace;

	memset(out, 0, sizeof(*out));
	if (!in->buf)
		return STATUS_SUCCESS;
	smb_acl_begin(&b, buf, cap);
	while (smb_acl_next(in, &it, &ace))
		smb_acl_add_copy(&b, &ace, ace.flags,
				 (ace.flags & INHERIT_ONLY_ACE) ?
					 ace.mask :
					 smb_map_generic_file(ace.mask));
	return smb_acl_finish(&b, out);
}

/* ---- inheritance ------------------------------------------------------ */

static bool is_basic_sid_ace(const struct smb_ace *ace)
{
	return ace->has_sid && ace->type <= SYSTEM_ALARM_ACE_TYPE;
}

/* The ACE as it applies to the new object itself. */
static void add_effective(struct smb_acl_builder *b, const struct smb_ace *ace,
			  const struct smb_sid *owner,
			  const struct smb_sid *group, u8 inherited)
{
	u8 flags = (ace->flags & AUDIT_FLAGS) | inherited;
	u32 mask = smb_map_generic_file(ace->mask);
	const struct smb_sid *sid = NULL;

	if (is_basic_sid_ace(ace)) {
		if (smb_sid_equal(&ace->sid, &smb_sid_creator_owner))
			sid = owner;
		else if (smb_sid_equal(&ace->sid, &smb_sid_creator_group))
			sid = group;
	}
	if (sid)
		smb_acl_add(b, ace->type, flags, mask, sid);
	else
		smb_acl_add_copy(b, ace, flags, mask);
}

static bool needs_split(const struct smb_ace *ace)
{
	if (ace->mask & GENERIC_BITS)
		return true;
	return is_basic_sid_ace(ace) &&
	       (smb_sid_equal(&ace->sid, &smb_sid_creator_owner) ||
		smb_sid_equal(&ace->sid, &smb_sid_creator_group));
}

static void inherit_dir(struct smb_acl_builder *b, const struct smb_ace *ace,
			const struct smb_sid *owner,
			const struct smb_sid *group, u8 inherited)
{
	u8 f = ace->flags;
	u8 keep = (f & (OBJECT_INHERIT_ACE | CONTAINER_INHERIT_ACE)) |
		  (f & AUDIT_FLAGS) | inherited;

	if (f & CONTAINER_INHERIT_ACE) {
		if (f & NO_PROPAGATE_INHERIT_ACE) {
			add_effective(b, ace, owner, group, inherited);
		} else if (needs_split(ace)) {
			add_effective(b, ace, owner, group, inherited);
			smb_acl_add_copy(b, ace, keep | INHERIT_ONLY_ACE,
					 ace->mask);
		} else {
			smb_acl_add_copy(b, ace, keep, ace->mask);
		}
	} else if ((f & OBJECT_INHERIT_ACE) &&
		   !(f & NO_PROPAGATE_INHERIT_ACE)) {
		/* Not for the directory itself, only for files below it. */
		smb_acl_add_copy(b, ace, keep | INHERIT_ONLY_ACE, ace->mask);
	}
}

u32 smb_acl_inherit(const struct smb_acl *parent, bool is_dir,
		    bool auto_inherit, const struct smb_sid *owner,
		    const struct smb_sid *group, u8 *buf, size_t cap,
		    struct smb_acl *out)
{
	u8 inherited = auto_inherit ? INHERITED_ACE : 0;
	struct smb_acl_builder b;
	struct smb_acl_iter it = { 0, 0 };
	struct smb_ace ace;
	u32 status;

	memset(out, 0, sizeof(*out));
	smb_acl_begin(&b, buf, cap);
	while (smb_acl_next(parent, &it, &ace)) {
		if (is_dir)
			inherit_dir(&b, &ace, owner, group, inherited);
		else if (ace.flags & OBJECT_INHERIT_ACE)
			add_effective(&b, &ace, owner, group, inherited);
	}
	if (!b.overflow && b.count == 0)
		return STATUS_SUCCESS;
	status = smb_acl_finish(&b, out);
	return status;
}
