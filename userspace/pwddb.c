// SPDX-License-Identifier: GPL-2.0-or-later
/* pwddb.c - ksmbdpwd.db: "user:base64(NT hash)" lines. */
#include <errno.h>
#include <pwd.h>
#include <stdlib.h>
#include <unistd.h>

#include "platform.h"
#include "base64.h"
#include "fileutil.h"
#include "pwddb.h"
#include "utf16.h"

struct pwddb_user {
	char name[SMBD_USER_NAME_MAX + 1];
	u8 nt_hash[16];
};

struct smbd_pwddb {
	struct pwddb_user *users;
	size_t count, cap;
};

struct smbd_pwddb *smbd_pwddb_new(void)
{
	return calloc(1, sizeof(struct smbd_pwddb));
}

void smbd_pwddb_free(struct smbd_pwddb *db)
{
	if (!db)
		return;
	/* The hashes are password equivalents: do not leave them in the heap. */
	if (db->users)
		explicit_bzero(db->users, db->cap * sizeof(*db->users));
	free(db->users);
	free(db);
}

size_t smbd_pwddb_count(const struct smbd_pwddb *db)
{
	return db->count;
}

int smbd_pwddb_check_name(const char *name, char *why, size_t why_size)
{
	size_t len = strlen(name);

	if (!len || len > SMBD_USER_NAME_MAX) {
		snprintf(why, why_size, "user name must be 1..%d bytes",
			 SMBD_USER_NAME_MAX);
		return -1;
	}
	for (const char *p = name; *p;) {
		u32 cp;
		int n = smb_utf8_decode(p, &cp);

		if (n <= 0) {
			snprintf(why, why_size, "user name is not valid UTF-8");
			return -1;
		}
		if (cp < 0x20 || cp == 0x7f || cp == ':') {
			snprintf(
				why, why_size,
				"user name contains ':' or a control character");
			return -1;
		}
		p += n;
	}
	return 0;
}

static struct pwddb_user *find(const struct smbd_pwddb *db, const char *name)
{
	for (size_t i = 0; i < db->count; i++)
		if (smb_name_equal_ci(db->users[i].name, name))
			return &db->users[i];
	return NULL;
}

static int append(struct smbd_pwddb *db, const char *name, const u8 hash[16])
{
	struct pwddb_user *u;

	if (db->count == db->cap) {
		size_t cap = db->cap ? 2 * db->cap : 16;
		struct pwddb_user *bigger;

		if (cap > SIZE_MAX / sizeof(*bigger))
			return -1;
		bigger = calloc(cap, sizeof(*bigger));
		if (!bigger)
			return -1;
		/* Copy rather than realloc so no stale copy of a hash is freed. */
		if (db->users) {
			memcpy(bigger, db->users, db->count * sizeof(*bigger));
			explicit_bzero(db->users, db->cap * sizeof(*bigger));
		}
		free(db->users);
		db->users = bigger;
		db->cap = cap;
	}
	u = &db->users[db->count++];
	snprintf(u->name, sizeof(u->name), "%s", name);
	memcpy(u->nt_hash, hash, 16);
	return 0;
}

/* Parse one non-blank line; returns NULL or why it is malformed. */
static const char *parse_line(struct smbd_pwddb *db, char *line, char *why,
			      size_t why_size)
{
	char *colon = strchr(line, ':');
	u8 hash[16];
	int n;

	if (!colon)
		return "expected 'user:hash'";
	*colon = '\0';
	if (smbd_pwddb_check_name(line, why, why_size))
		return why;
	n = smbd_base64_decode(colon + 1, strlen(colon + 1), hash,
			       sizeof(hash));
	if (n != 16)
		return "hash is not base64 of 16 bytes";
	if (find(db, line))
		return "duplicate user";
	if (append(db, line, hash))
		return "out of memory";
	explicit_bzero(hash, sizeof(hash));
	return NULL;
}

static int parse(struct smbd_pwddb *db, const char *path, char *text,
		 size_t len, char *err, size_t err_size)
{
	char *s = text, *end = text + len;

	for (int line = 1; s < end; line++) {
		char *nl = memchr(s, '\n', (size_t)(end - s));
		char *eol = nl ? nl : end;
		char reason[96];
		const char *why;

		if (eol > s && eol[-1] == '\r')
			eol--;
		*eol = '\0';
		if (strlen(s) != (size_t)(eol - s))
			why = "NUL byte in line";
		else if (!s[strspn(s, " \t")])
			why = NULL; /* blank */
		else
			why = parse_line(db, s, reason, sizeof(reason));
		if (why) {
			snprintf(err, err_size, "%s:%d: %s", path, line, why);
			return -1;
		}
		s = (nl ? nl : end) + 1;
	}
	return 0;
}

int smbd_pwddb_load(const char *path, struct smbd_pwddb **out, char *err,
		    size_t err_size)
{
	struct smbd_pwddb *db;
	char *text;
	size_t len;
	int ret;

	*out = NULL;
	db = smbd_pwddb_new();
	if (!db) {
		snprintf(err, err_size, "%s: out of memory", path);
		return -1;
	}
	if (smbd_read_file(path, SMBD_PWDDB_MAX_SIZE, &text, &len, err,
			   err_size)) {
		if (errno == ENOENT) {
			*out = db;
			return 0;
		}
		smbd_pwddb_free(db);
		return -1;
	}
	ret = parse(db, path, text, len, err, err_size);
	explicit_bzero(text, len);
	free(text);
	if (ret) {
		smbd_pwddb_free(db);
		return -1;
	}
	*out = db;
	return 0;
}

int smbd_pwddb_lookup(void *ctx, const char *name, struct smb_user *out)
{
	const struct pwddb_user *u = find(ctx, name);
	struct passwd pw, *found = NULL;
	char buf[4096];

	if (!u)
		return -1;
	memset(out, 0, sizeof(*out));
	snprintf(out->name, sizeof(out->name), "%s", u->name);
	memcpy(out->nt_hash, u->nt_hash, 16);
	/* Files are owned by the local account of that name, if any. */
	if (!getpwnam_r(u->name, &pw, buf, sizeof(buf), &found) && found) {
		out->uid = (u32)found->pw_uid;
		out->gid = (u32)found->pw_gid;
	} else {
		out->uid = (u32)getuid();
		out->gid = (u32)getgid();
	}
	return 0;
}

static int check_name(const char *name, char *err, size_t err_size)
{
	char why[96];

	if (!smbd_pwddb_check_name(name, why, sizeof(why)))
		return 0;
	snprintf(err, err_size, "%s", why);
	return -1;
}

int smbd_pwddb_add(struct smbd_pwddb *db, const char *name,
		   const u8 nt_hash[16], char *err, size_t err_size)
{
	if (check_name(name, err, err_size))
		return -1;
	if (find(db, name)) {
		snprintf(err, err_size, "user '%s' already exists", name);
		return -1;
	}
	if (append(db, name, nt_hash)) {
		snprintf(err, err_size, "out of memory");
		return -1;
	}
	return 0;
}

int smbd_pwddb_update(struct smbd_pwddb *db, const char *name,
		      const u8 nt_hash[16], char *err, size_t err_size)
{
	struct pwddb_user *u = find(db, name);

	if (!u) {
		snprintf(err, err_size, "user '%s' does not exist", name);
		return -1;
	}
	memcpy(u->nt_hash, nt_hash, 16);
	return 0;
}

int smbd_pwddb_delete(struct smbd_pwddb *db, const char *name, char *err,
		      size_t err_size)
{
	struct pwddb_user *u = find(db, name);
	size_t i;

	if (!u) {
		snprintf(err, err_size, "user '%s' does not exist", name);
		return -1;
	}
	i = (size_t)(u - db->users);
	memmove(u, u + 1, (db->count - i - 1) * sizeof(*u));
	db->count--;
	explicit_bzero(&db->users[db->count], sizeof(*u));
	return 0;
}

int smbd_pwddb_save(const struct smbd_pwddb *db, const char *path, char *err,
		    size_t err_size)
{
	/* name ':' base64(16) '\n' */
	const size_t line_max = SMBD_USER_NAME_MAX + 1 + 24 + 1;
	size_t len = 0;
	char *text;
	int ret;

	if (db->count > SIZE_MAX / line_max - 1) {
		snprintf(err, err_size, "%s: too many users", path);
		return -1;
	}
	text = malloc(db->count * line_max + 1);
	if (!text) {
		snprintf(err, err_size, "%s: out of memory", path);
		return -1;
	}
	for (size_t i = 0; i < db->count; i++) {
		const struct pwddb_user *u = &db->users[i];
		size_t n = strlen(u->name);

		memcpy(text + len, u->name, n);
		len += n;
		text[len++] = ':';
		len += (size_t)smbd_base64_encode(u->nt_hash, 16, text + len,
						  25);
		text[len++] = '\n';
	}
	ret = smbd_write_file_atomic(path, text, len, 0600, err, err_size);
	explicit_bzero(text, len);
	free(text);
	return ret;
}
