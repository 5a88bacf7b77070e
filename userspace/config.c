// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * config.c - ksmbd.conf parser.
 *
 * The text is first split into sections and "key = value" entries, then the
 * [global] sections are applied (share keys there become share defaults),
 * then every share section on top of those defaults.  Doing it in two steps
 * makes share defaults in [global] work whatever their position in the file.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <unistd.h>

#include "platform.h"
#include "config.h"
#include "crypt.h"
#include "fileutil.h"
#include "rdma_posix.h"
#include "smb2.h"
#include "utf16.h"

enum key_id {
	K_UNSUPPORTED,
	/* [global] */
	K_NETBIOS_NAME,
	K_WORKGROUP,
	K_SERVER_STRING,
	K_INTERFACES,
	K_BIND_INTERFACES_ONLY,
	K_TCP_PORT,
	K_TRANSPORT,
	K_RDMA_PORT,
	K_SERVER_SIGNING,
	K_MAX_READ,
	K_MAX_WRITE,
	K_MAX_TRANS,
	K_GUEST_ACCOUNT,
	K_MAP_TO_GUEST,
	K_MIN_PROTOCOL,
	K_MAX_PROTOCOL,
	K_MAX_CREDITS,
	K_MAX_OPEN_FILES,
	K_MAX_INFLIGHT,
	K_LOG_LEVEL,
	K_DURABLE_TIMEOUT,
	K_MULTICHANNEL,
	K_USE_SENDFILE,
	K_SMB3_ENCRYPTION, /* global policy, or one share's requirement */
	K_SMBD_MAX_READ,
	K_SMBD_MAX_WRITE,
	K_SMBD_MAX_IO, /* ksmbd-tools' "smbd max io size": both of the above */
	K_SMBD_RECV_CREDITS,
	K_SMBD_SEND_CREDITS,
	K_SMBD_MAX_RECV_SIZE,
	K_SMBD_MAX_SEND_SIZE,
	K_SMBD_MAX_FRAG_SIZE,
	/* shares */
	K_PATH,
	K_COMMENT,
	K_BROWSEABLE,
	K_READ_ONLY,
	K_WRITEABLE,
	K_VALID_USERS,
	K_INVALID_USERS,
	K_GUEST_OK,
	K_OPLOCKS,
	K_CREATE_MASK,
	K_DIRECTORY_MASK,
};

struct key_def {
	const char *name;
	u8 id;
	u8 scope;
	const char *setting; /* for synonyms; NULL means name */
};

#define G SMBD_KEY_GLOBAL
#define S SMBD_KEY_SHARE

/* Every key ksmbd-tools knows, plus "log level"; K_UNSUPPORTED = not yet. */
static const struct key_def keys[] = {
	{ "netbios name", K_NETBIOS_NAME, G, NULL },
	{ "workgroup", K_WORKGROUP, G, NULL },
	{ "server string", K_SERVER_STRING, G, NULL },
	{ "interfaces", K_INTERFACES, G, NULL },
	{ "bind interfaces only", K_BIND_INTERFACES_ONLY, G, NULL },
	{ "tcp port", K_TCP_PORT, G, NULL },
	{ "transport", K_TRANSPORT, G, NULL },
	{ "rdma port", K_RDMA_PORT, G, NULL },
	{ "server signing", K_SERVER_SIGNING, G, NULL },
	{ "smb2 max read", K_MAX_READ, G, NULL },
	{ "smb2 max write", K_MAX_WRITE, G, NULL },
	{ "smb2 max trans", K_MAX_TRANS, G, NULL },
	{ "guest account", K_GUEST_ACCOUNT, G, NULL },
	{ "map to guest", K_MAP_TO_GUEST, G, NULL },
	{ "server min protocol", K_MIN_PROTOCOL, G, NULL },
	{ "server max protocol", K_MAX_PROTOCOL, G, NULL },
	{ "smb2 max credits", K_MAX_CREDITS, G, NULL },
	{ "max open files", K_MAX_OPEN_FILES, G, NULL },
	{ "max requests per connection", K_MAX_INFLIGHT, G, NULL },
	{ "log level", K_LOG_LEVEL, G, NULL },
	{ "durable handle timeout", K_DURABLE_TIMEOUT, G, NULL },
	{ "use sendfile", K_USE_SENDFILE, G, NULL },
	{ "smb direct max read size", K_SMBD_MAX_READ, G, NULL },
	{ "smb direct max write size", K_SMBD_MAX_WRITE, G, NULL },
	{ "smbd max io size", K_SMBD_MAX_IO, G, NULL },
	{ "smb direct receive credits", K_SMBD_RECV_CREDITS, G, NULL },
	{ "smb direct send credits", K_SMBD_SEND_CREDITS, G, NULL },
	{ "smb direct max receive size", K_SMBD_MAX_RECV_SIZE, G, NULL },
	{ "smb direct max send size", K_SMBD_MAX_SEND_SIZE, G, NULL },
	{ "smb direct max fragmented size", K_SMBD_MAX_FRAG_SIZE, G, NULL },
	{ "deadtime", K_UNSUPPORTED, G, NULL },
	{ "durable handles", K_UNSUPPORTED, G, NULL },
	{ "ipc timeout", K_UNSUPPORTED, G, NULL },
	{ "kerberos keytab file", K_UNSUPPORTED, G, NULL },
	{ "kerberos service name", K_UNSUPPORTED, G, NULL },
	{ "max active sessions", K_UNSUPPORTED, G, NULL },
	{ "max ip connections", K_UNSUPPORTED, G, NULL },
	{ "restrict anonymous", K_UNSUPPORTED, G, NULL },
	{ "root directory", K_UNSUPPORTED, G, NULL },
	{ "server multi channel support", K_MULTICHANNEL, G, NULL },
	{ "share:fake_fscaps", K_UNSUPPORTED, G, NULL },
	{ "smb2 leases", K_UNSUPPORTED, G, NULL },
	{ "smb3 encryption", K_SMB3_ENCRYPTION, S, NULL },

	{ "path", K_PATH, S, NULL },
	{ "comment", K_COMMENT, S, NULL },
	{ "browseable", K_BROWSEABLE, S, NULL },
	{ "browsable", K_BROWSEABLE, S, "browseable" },
	{ "read only", K_READ_ONLY, S, NULL },
	{ "writeable", K_WRITEABLE, S, "read only" },
	{ "writable", K_WRITEABLE, S, "read only" },
	{ "write ok", K_WRITEABLE, S, "read only" },
	{ "valid users", K_VALID_USERS, S, NULL },
	{ "invalid users", K_INVALID_USERS, S, NULL },
	{ "guest ok", K_GUEST_OK, S, NULL },
	{ "oplocks", K_OPLOCKS, S, NULL },
	{ "create mask", K_CREATE_MASK, S, NULL },
	{ "directory mask", K_DIRECTORY_MASK, S, NULL },
	{ "admin users", K_UNSUPPORTED, S, NULL },
	{ "crossmnt", K_UNSUPPORTED, S, NULL },
	{ "follow symlinks", K_UNSUPPORTED, S, NULL },
	{ "force create mode", K_UNSUPPORTED, S, NULL },
	{ "force directory mode", K_UNSUPPORTED, S, NULL },
	{ "force group", K_UNSUPPORTED, S, NULL },
	{ "force user", K_UNSUPPORTED, S, NULL },
	{ "hide dot files", K_UNSUPPORTED, S, NULL },
	{ "hosts allow", K_UNSUPPORTED, S, NULL },
	{ "hosts deny", K_UNSUPPORTED, S, NULL },
	{ "inherit owner", K_UNSUPPORTED, S, NULL },
	{ "max connections", K_UNSUPPORTED, S, NULL },
	{ "read list", K_UNSUPPORTED, S, NULL },
	{ "store dos attributes", K_UNSUPPORTED, S, NULL },
	{ "veto files", K_UNSUPPORTED, S, NULL },
	{ "vfs objects", K_UNSUPPORTED, S, NULL },
	{ "write list", K_UNSUPPORTED, S, NULL },
};

#undef G
#undef S

static FILE *warn_stream;

void smbd_config_set_warn_stream(FILE *f)
{
	warn_stream = f;
}

static void warn(const char *file, int line, const char *fmt, ...)
{
	FILE *f = warn_stream ? warn_stream : stderr;
	va_list ap;

	fprintf(f, "%s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fputc('\n', f);
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

void smbd_config_normalize_key(const char *key, size_t len, char *out,
			       size_t out_size)
{
	size_t o = 0;
	bool gap = false;

	for (size_t i = 0; i < len && key[i]; i++) {
		if (is_blank(key[i])) {
			gap = o > 0;
			continue;
		}
		if (gap && o + 1 < out_size)
			out[o++] = ' ';
		gap = false;
		if (o + 1 < out_size)
			out[o++] = (char)tolower((unsigned char)key[i]);
	}
	out[o] = '\0';
}

static const struct key_def *find_key(const char *key)
{
	char norm[64];

	smbd_config_normalize_key(key, strlen(key), norm, sizeof(norm));
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (!strcmp(keys[i].name, norm))
			return &keys[i];
	return NULL;
}

enum smbd_key_scope smbd_config_key_scope(const char *key, bool *supported,
					  const char **setting)
{
	const struct key_def *k = find_key(key);

	if (supported)
		*supported = k && k->id != K_UNSUPPORTED;
	if (setting)
		*setting = k ? (k->setting ? k->setting : k->name) : NULL;
	return k ? k->scope : SMBD_KEY_UNKNOWN;
}

int smbd_config_check_share_name(const char *name, char *why, size_t why_size)
{
	size_t chars = 0;

	if (!*name) {
		snprintf(why, why_size, "empty");
		return -1;
	}
	if (is_blank(name[0]) || is_blank(name[strlen(name) - 1])) {
		snprintf(why, why_size, "leading or trailing blank");
		return -1;
	}
	for (const char *p = name; *p;) {
		u32 cp;
		int n = smb_utf8_decode(p, &cp);

		if (n <= 0) {
			snprintf(why, why_size, "not valid UTF-8");
			return -1;
		}
		if (cp < 0x20 || cp == 0x7f) {
			snprintf(why, why_size, "control character");
			return -1;
		}
		if (cp == '/' || cp == '\\') {
			snprintf(why, why_size, "contains '%c'", (char)cp);
			return -1;
		}
		p += n;
		chars++;
	}
	if (chars > SMBD_SHARE_NAME_MAX) {
		snprintf(why, why_size, "longer than %d characters",
			 SMBD_SHARE_NAME_MAX);
		return -1;
	}
	/* 80 characters of UTF-8 can exceed the byte size of the field. */
	if (strlen(name) >= SMB_NAME_MAX) {
		snprintf(why, why_size, "longer than %d bytes",
			 SMB_NAME_MAX - 1);
		return -1;
	}
	return 0;
}

/* ---- defaults -------------------------------------------------------- */

static void default_netbios_name(char *out, size_t size)
{
	char host[256];
	size_t n = 0;

	if (gethostname(host, sizeof(host)) == 0) {
		host[sizeof(host) - 1] = '\0';
		/* A NetBIOS name is at most 15 characters; use the short name. */
		while (host[n] && host[n] != '.' && n < 15 && n + 1 < size) {
			out[n] = (char)toupper((unsigned char)host[n]);
			n++;
		}
	}
	out[n] = '\0';
	if (!n)
		snprintf(out, size, "KSMBD SERVER");
}

static void share_defaults(struct smb_share_config *sh)
{
	memset(sh, 0, sizeof(*sh));
	sh->browseable = true;
	sh->read_only = true;
	sh->create_mask = 0744;
	sh->directory_mask = 0755;
}

void smbd_config_defaults(struct smbd_config *cfg)
{
	struct smb_server_config *s = &cfg->server;

	memset(cfg, 0, sizeof(*cfg));
	default_netbios_name(s->netbios_name, sizeof(s->netbios_name));
	snprintf(s->workgroup, sizeof(s->workgroup), "WORKGROUP");
	snprintf(s->server_string, sizeof(s->server_string), "SMB SERVER");
	snprintf(s->guest_account, sizeof(s->guest_account), "nobody");
	s->signing = SMB_SIGNING_AUTO;
	s->map_to_guest = SMB_MAP_TO_GUEST_NEVER;
	s->min_dialect = SMB2_DIALECT_0210;
	s->max_dialect = SMB2_DIALECT_0311;
	s->max_read = 4u << 20;
	s->max_write = 4u << 20;
	s->max_trans = 8u << 20;
	s->max_credits = 8192;
	s->max_open_files = 10000;
	cfg->tcp_port = 445;
	cfg->rdma_port = 5445;
	cfg->transport = SMBD_TRANSPORT_ALL;
	cfg->log_level = SMB_LOG_WARN;
	cfg->max_inflight = 8;
	cfg->durable_timeout_s = 300;
	cfg->use_sendfile = true;
	cfg->smbdirect = (struct smbd_direct_config){
		.max_read_size = SMBDIRECT_DEFAULT_MAX_READ_WRITE,
		.max_write_size = SMBDIRECT_DEFAULT_MAX_READ_WRITE,
		.max_receive_size = SMBDIRECT_DEFAULT_MAX_RECV_SIZE,
		.max_send_size = SMBDIRECT_DEFAULT_MAX_SEND_SIZE,
		.max_fragmented_size = SMBDIRECT_DEFAULT_MAX_FRAGMENTED_RECV,
		.receive_credits = SMBDIRECT_DEFAULT_RECV_CREDIT_MAX,
		.send_credits = SMBDIRECT_DEFAULT_SEND_CREDIT_TARGET,
	};
}

void smbd_config_rdma(const struct smbd_config *cfg,
		      struct smb_rdma_config *out)
{
	const struct smbd_direct_config *d = &cfg->smbdirect;

	memset(out, 0, sizeof(*out));
	out->max_read = d->max_read_size;
	out->max_write = d->max_write_size;
	/* MaxReadWriteSize covers both directions ([MS-SMBD] 2.2.2). */
	out->engine.max_read_write_size = d->max_read_size > d->max_write_size ?
						  d->max_read_size :
						  d->max_write_size;
	out->engine.max_recv_size = d->max_receive_size;
	out->engine.max_send_size = d->max_send_size;
	out->engine.max_fragmented_recv_size = d->max_fragmented_size;
	out->engine.recv_credit_max = d->receive_credits;
	out->engine.send_credit_target = d->send_credits;
}

static void free_share(struct smb_share_config *sh)
{
	free(sh->valid_users.names);
	free(sh->invalid_users.names);
	sh->valid_users.names = NULL;
	sh->invalid_users.names = NULL;
}

void smbd_config_free(struct smbd_config *cfg)
{
	free(cfg->encrypt_shares.names);
	cfg->encrypt_shares.names = NULL;
	for (int i = 0; i < cfg->server.nshares; i++)
		free_share(&cfg->server.shares[i]);
	free(cfg->server.shares);
	cfg->server.shares = NULL;
	cfg->server.nshares = 0;
}

const struct smb_share_config *
smbd_config_find_share(const struct smbd_config *cfg, const char *name)
{
	for (int i = 0; i < cfg->server.nshares; i++)
		if (smb_name_equal_ci(cfg->server.shares[i].name, name))
			return &cfg->server.shares[i];
	return NULL;
}

/* ---- value parsers: each returns NULL or why the value is invalid ---- */

static const char *parse_bool(const char *v, bool *out)
{
	static const char *const yes[] = { "yes", "true", "1" };
	static const char *const no[] = { "no", "false", "0" };

	for (int i = 0; i < 3; i++) {
		if (!strcasecmp(v, yes[i])) {
			*out = true;
			return NULL;
		}
		if (!strcasecmp(v, no[i])) {
			*out = false;
			return NULL;
		}
	}
	return "expected yes/no/true/false/1/0";
}

/* Decimal digits only, no sign; "" is invalid. */
static const char *parse_decimal(const char **p, u64 *out)
{
	u64 v = 0;

	if (!isdigit((unsigned char)**p))
		return "expected a number";
	for (; isdigit((unsigned char)**p); (*p)++) {
		if (v > (UINT64_MAX - 9) / 10)
			return "number too large";
		v = v * 10 + (u64)(**p - '0');
	}
	*out = v;
	return NULL;
}

static const char *parse_uint(const char *v, u64 min, u64 max, u64 *out)
{
	const char *why = parse_decimal(&v, out);

	if (why)
		return why;
	if (*v)
		return "expected a number";
	if (*out < min || *out > max)
		return "out of range";
	return NULL;
}

/* A size: number with optional K/M/G/T/P/E suffix (powers of 1024). */
static const char *parse_size(const char *v, u64 min, u64 max, u64 *out)
{
	static const char suffixes[] = "KMGTPE";
	const char *why = parse_decimal(&v, out);
	const char *s;
	int shift = 0;

	if (why)
		return why;
	while (is_blank(*v))
		v++;
	if (*v) {
		s = strchr(suffixes, toupper((unsigned char)*v));
		if (!s)
			return "unknown size suffix";
		shift = 10 * (int)(s - suffixes + 1);
		v++;
		/* "4M", "4MB" and "4MiB" all mean 4 * 2^20. */
		if (*v == 'i' || *v == 'I')
			v++;
		if (*v == 'b' || *v == 'B')
			v++;
		if (*v)
			return "unknown size suffix";
	}
	if (*out > (UINT64_MAX >> shift))
		return "number too large";
	*out <<= shift;
	if (*out < min || *out > max)
		return "out of range";
	return NULL;
}

static const char *parse_mask(const char *v, u32 *out)
{
	u32 m = 0;

	if (!*v)
		return "expected an octal mode";
	for (; *v; v++) {
		if (*v < '0' || *v > '7')
			return "expected an octal mode";
		m = m * 8 + (u32)(*v - '0');
		if (m > 07777)
			return "out of range, max 07777";
	}
	*out = m;
	return NULL;
}

/* One of a fixed set of words, ignoring case; the table ends with NULL. */
struct choice {
	const char *name;
	int value;
};

static bool parse_choice(const char *v, const struct choice *c, int *out)
{
	for (; c->name; c++) {
		if (!strcasecmp(v, c->name)) {
			*out = c->value;
			return true;
		}
	}
	return false;
}

static const char *parse_encryption(const char *v, int *out)
{
	static const struct choice modes[] = {
		{ "auto", SMB_ENCRYPT_AUTO },
		{ "default", SMB_ENCRYPT_AUTO },
		{ "desired", SMB_ENCRYPT_AUTO },
		{ "if_required", SMB_ENCRYPT_AUTO },
		{ "yes", SMB_ENCRYPT_REQUIRED },
		{ "true", SMB_ENCRYPT_REQUIRED },
		{ "1", SMB_ENCRYPT_REQUIRED },
		{ "mandatory", SMB_ENCRYPT_REQUIRED },
		{ "required", SMB_ENCRYPT_REQUIRED },
		{ "no", SMB_ENCRYPT_OFF },
		{ "false", SMB_ENCRYPT_OFF },
		{ "0", SMB_ENCRYPT_OFF },
		{ "disabled", SMB_ENCRYPT_OFF },
		{ "off", SMB_ENCRYPT_OFF },
		{ NULL, 0 },
	};

	if (!parse_choice(v, modes, out))
		return "expected yes, no or auto";
	return NULL;
}

/* Append name to a "a\0b\0\0" list. */
static const char *name_list_add(struct smb_name_list *l, const char *name)
{
	size_t used = 0, n = strlen(name) + 1;
	char *bigger;

	if (l->names)
		while (l->names[used])
			used += strlen(l->names + used) + 1;
	bigger = realloc(l->names, used + n + 1);
	if (!bigger)
		return "out of memory";
	memcpy(bigger + used, name, n);
	bigger[used + n] = '\0';
	l->names = bigger;
	return NULL;
}

static const char *parse_dialect(const char *v, bool is_min, u16 *out)
{
	static const struct {
		const char *name;
		u16 dialect;
	} names[] = {
		{ "SMB2_02", SMB2_DIALECT_0202 },
		{ "SMB2_10", SMB2_DIALECT_0210 },
		{ "SMB3_00", SMB2_DIALECT_0300 },
		{ "SMB3_02", SMB2_DIALECT_0302 },
		{ "SMB3_11", SMB2_DIALECT_0311 },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!strcasecmp(v, names[i].name)) {
			*out = names[i].dialect;
			return NULL;
		}
	}
	/* A family name means its lowest member as a minimum, highest as max. */
	if (!strcasecmp(v, "SMB2")) {
		*out = is_min ? SMB2_DIALECT_0202 : SMB2_DIALECT_0210;
		return NULL;
	}
	if (!strcasecmp(v, "SMB3")) {
		*out = is_min ? SMB2_DIALECT_0300 : SMB2_DIALECT_0311;
		return NULL;
	}
	if (!strcasecmp(v, "NT1") || !strcasecmp(v, "LANMAN1") ||
	    !strcasecmp(v, "LANMAN2") || !strcasecmp(v, "CORE") ||
	    !strcasecmp(v, "COREPLUS"))
		return "SMB1 is not supported";
	return "expected SMB2_02, SMB2_10, SMB3_00, SMB3_02, SMB3_11, SMB2 or SMB3";
}

static const char *parse_log_level(const char *v, int *out)
{
	static const char *const names[] = { "error", "warning", "info",
					     "debug" };
	u64 n;

	for (int i = 0; i < 4; i++) {
		if (!strcasecmp(v, names[i])) {
			*out = i;
			return NULL;
		}
	}
	if (!strcasecmp(v, "warn")) {
		*out = SMB_LOG_WARN;
		return NULL;
	}
	/* Samba's 0..10 scale: 3 and above is all we have, debug. */
	if (parse_uint(v, 0, 10, &n))
		return "expected 0..10 or error/warning/info/debug";
	*out = n > SMB_LOG_DEBUG ? SMB_LOG_DEBUG : (int)n;
	return NULL;
}

static const char *copy_string(const char *v, char *out, size_t size,
			       bool allow_empty)
{
	size_t n = strlen(v);

	if (!n && !allow_empty)
		return "must not be empty";
	if (n >= size)
		return "too long";
	for (const char *p = v; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return "control character";
	memcpy(out, v, n + 1);
	return NULL;
}

/* NetBIOS names and workgroups: 1..15 printable ASCII characters. */
static const char *copy_netbios(const char *v, char *out, size_t size)
{
	size_t n = strlen(v);

	if (!n)
		return "must not be empty";
	if (n > 15)
		return "longer than 15 characters";
	for (const char *p = v; *p; p++)
		if (*p < 0x20 || *p > 0x7e)
			return "only printable ASCII allowed";
	return copy_string(v, out, size, false);
}

/* A user name as it may appear in ksmbdpwd.db. */
static const char *check_user_name(const char *name, size_t len)
{
	if (len >= sizeof(((struct smb_user *)0)->name))
		return "user name too long";
	if (name[0] == '@')
		return "groups (@name) are not supported yet";
	for (size_t i = 0; i < len; i++)
		if (name[i] == ':' || (unsigned char)name[i] < 0x20)
			return "invalid character in user name";
	return NULL;
}

/* "a, b c" -> "a\0b\0c\0\0"; "" -> NULL. */
static const char *parse_user_list(const char *v, struct smb_name_list *out)
{
	size_t len = strlen(v), o = 0;
	char *names = malloc(len + 2);
	const char *why;

	if (!names)
		return "out of memory";
	while (*v) {
		size_t n = strcspn(v, ", \t");

		if (n) {
			why = check_user_name(v, n);
			if (why) {
				free(names);
				return why;
			}
			memcpy(names + o, v, n);
			o += n;
			names[o++] = '\0';
		}
		v += n;
		v += strspn(v, ", \t");
	}
	free(out->names);
	out->names = NULL;
	if (!o) {
		free(names);
		return NULL;
	}
	names[o] = '\0';
	out->names = names;
	return NULL;
}

static char *dup_name_list(const struct smb_name_list *l)
{
	size_t n = 0;
	char *copy;

	if (!l->names)
		return NULL;
	while (l->names[n])
		n += strlen(l->names + n) + 1;
	copy = malloc(n + 1);
	if (copy)
		memcpy(copy, l->names, n + 1);
	return copy;
}

/* ---- applying entries ---------------------------------------------- */

#define IO_MIN (64u << 10)
#define IO_MAX (8u << 20)

/* Bounds of the "smb direct" keys; see docs/config.md for the reasons. */
#define SMBD_CREDITS_MAX 4096u
#define SMBD_MSG_MAX (64u << 10)
#define SMBD_FRAG_MAX (16u << 20)
#define SMBD_RING_MAX (64u << 20) /* credits x message size, per connection */

static const char *smbd_size(const char *v, u64 min, u64 max, const char *range,
			     u32 *out)
{
	u64 n;
	const char *why = parse_size(v, min, max, &n);

	if (why)
		return strcmp(why, "out of range") ? why : range;
	*out = (u32)n;
	return NULL;
}

static const char *apply_smbdirect(struct smbd_direct_config *d, int id,
				   const char *v)
{
	const char *why;
	u64 n;

	switch (id) {
	case K_SMBD_MAX_READ:
		return smbd_size(v, IO_MIN, IO_MAX, "must be 64K..8M",
				 &d->max_read_size);
	case K_SMBD_MAX_WRITE:
		return smbd_size(v, IO_MIN, IO_MAX, "must be 64K..8M",
				 &d->max_write_size);
	case K_SMBD_MAX_IO:
		why = smbd_size(v, IO_MIN, IO_MAX, "must be 64K..8M",
				&d->max_read_size);
		d->max_write_size = d->max_read_size;
		return why;
	case K_SMBD_RECV_CREDITS:
	case K_SMBD_SEND_CREDITS:
		why = parse_uint(v, 1, SMBD_CREDITS_MAX, &n);
		if (why)
			return strcmp(why, "out of range") ? why :
							     "must be 1..4096";
		*(id == K_SMBD_RECV_CREDITS ? &d->receive_credits :
					      &d->send_credits) = (u16)n;
		return NULL;
	case K_SMBD_MAX_RECV_SIZE:
		return smbd_size(v, SMBDIRECT_MIN_RECEIVE_SIZE, SMBD_MSG_MAX,
				 "must be 128..64K", &d->max_receive_size);
	case K_SMBD_MAX_SEND_SIZE:
		return smbd_size(v, SMBDIRECT_MIN_RECEIVE_SIZE, SMBD_MSG_MAX,
				 "must be 128..64K", &d->max_send_size);
	case K_SMBD_MAX_FRAG_SIZE:
		return smbd_size(v, SMBDIRECT_MIN_FRAGMENTED_SIZE,
				 SMBD_FRAG_MAX, "must be 128K..16M",
				 &d->max_fragmented_size);
	}
	return "internal error: not a global key";
}

static bool is_smbdirect_key(int id)
{
	return id >= K_SMBD_MAX_READ && id <= K_SMBD_MAX_FRAG_SIZE;
}

static const char *apply_global(struct smbd_config *cfg, int id, const char *v)
{
	struct smb_server_config *s = &cfg->server;
	const char *why;
	u64 n;

	switch (id) {
	case K_NETBIOS_NAME:
		return copy_netbios(v, s->netbios_name,
				    sizeof(s->netbios_name));
	case K_WORKGROUP:
		return copy_netbios(v, s->workgroup, sizeof(s->workgroup));
	case K_SERVER_STRING:
		return copy_string(v, s->server_string,
				   sizeof(s->server_string), true);
	case K_INTERFACES: {
		char list[sizeof(cfg->interfaces)];
		size_t o = 0;

		/* Store as one space-separated list. */
		for (v += strspn(v, ", \t"); *v; v += strspn(v, ", \t")) {
			size_t len = strcspn(v, ", \t");

			if (o + len + 1 >= sizeof(list))
				return "too long";
			if (o)
				list[o++] = ' ';
			memcpy(list + o, v, len);
			o += len;
			v += len;
		}
		list[o] = '\0';
		return copy_string(list, cfg->interfaces,
				   sizeof(cfg->interfaces), true);
	}
	case K_BIND_INTERFACES_ONLY:
		return parse_bool(v, &cfg->bind_interfaces_only);
	case K_TCP_PORT:
		why = parse_uint(v, 1, 65535, &n);
		if (!why)
			cfg->tcp_port = (u16)n;
		return why;
	case K_RDMA_PORT:
		why = parse_uint(v, 1, 65535, &n);
		if (!why)
			cfg->rdma_port = (u16)n;
		return why;
	case K_TRANSPORT: {
		static const struct choice transports[] = {
			{ "all", SMBD_TRANSPORT_ALL },
			{ "tcp", SMBD_TRANSPORT_TCP_ONLY },
			{ "rdma", SMBD_TRANSPORT_RDMA_ONLY },
			{ NULL, 0 },
		};
		int t;

		if (!parse_choice(v, transports, &t))
			return "expected rdma, tcp or all";
		cfg->transport = t;
		return NULL;
	}
	case K_SERVER_SIGNING: {
		static const struct choice policies[] = {
			{ "auto", SMB_SIGNING_AUTO },
			{ "mandatory", SMB_SIGNING_MANDATORY },
			{ "disabled", SMB_SIGNING_DISABLED },
			{ NULL, 0 },
		};
		int p;

		if (!parse_choice(v, policies, &p))
			return "expected auto, mandatory or disabled";
		s->signing = p;
		return NULL;
	}
	case K_MAX_READ:
	case K_MAX_WRITE:
	case K_MAX_TRANS:
		why = parse_size(v, IO_MIN, IO_MAX, &n);
		if (why)
			return strcmp(why, "out of range") ? why :
							     "must be 64K..8M";
		*(id == K_MAX_READ  ? &s->max_read :
		  id == K_MAX_WRITE ? &s->max_write :
				      &s->max_trans) = (u32)n;
		return NULL;
	case K_GUEST_ACCOUNT:
		return copy_string(v, s->guest_account,
				   sizeof(s->guest_account), false);
	case K_MAP_TO_GUEST: {
		char norm[32];

		static const struct choice modes[] = {
			{ "never", SMB_MAP_TO_GUEST_NEVER },
			{ "bad user", SMB_MAP_TO_GUEST_BAD_USER },
			{ "bad password", SMB_MAP_TO_GUEST_BAD_PASSWORD },
			{ NULL, 0 },
		};
		int m;

		smbd_config_normalize_key(v, strlen(v), norm, sizeof(norm));
		if (!parse_choice(norm, modes, &m))
			return "expected never, bad user or bad password";
		s->map_to_guest = m;
		return NULL;
	}
	case K_MIN_PROTOCOL:
		return parse_dialect(v, true, &s->min_dialect);
	case K_MAX_PROTOCOL:
		return parse_dialect(v, false, &s->max_dialect);
	case K_MAX_CREDITS:
		why = parse_uint(v, 1, 65535, &n);
		if (!why)
			s->max_credits = (u32)n;
		return why;
	case K_MAX_OPEN_FILES:
		why = parse_uint(v, 1, 1u << 20, &n);
		if (!why)
			s->max_open_files = (u32)n;
		return why;
	case K_MAX_INFLIGHT:
		why = parse_uint(v, 1, 256, &n);
		if (!why)
			cfg->max_inflight = (int)n;
		return why;
	case K_MULTICHANNEL:
		return parse_bool(v, &cfg->multichannel);
	case K_USE_SENDFILE:
		return parse_bool(v, &cfg->use_sendfile);
	case K_LOG_LEVEL:
		return parse_log_level(v, &cfg->log_level);
	case K_DURABLE_TIMEOUT:
		/* Seconds a v2 durable handle may wait for its client. */
		why = parse_uint(v, 1, 3600, &n);
		if (!why)
			cfg->durable_timeout_s = (u32)n;
		return why;
	default:
		return apply_smbdirect(&cfg->smbdirect, id, v);
	}
}

static const char *apply_share(struct smb_share_config *sh, int id,
			       const char *v)
{
	const char *why;
	bool b;

	switch (id) {
	case K_PATH:
		if (v[0] != '/')
			return "must be an absolute path";
		return copy_string(v, sh->path, sizeof(sh->path), false);
	case K_COMMENT:
		return copy_string(v, sh->comment, sizeof(sh->comment), true);
	case K_BROWSEABLE:
		return parse_bool(v, &sh->browseable);
	case K_READ_ONLY:
		return parse_bool(v, &sh->read_only);
	case K_WRITEABLE:
		why = parse_bool(v, &b);
		if (!why)
			sh->read_only = !b;
		return why;
	case K_VALID_USERS:
		return parse_user_list(v, &sh->valid_users);
	case K_INVALID_USERS:
		return parse_user_list(v, &sh->invalid_users);
	case K_GUEST_OK:
		return parse_bool(v, &sh->guest_ok);
	case K_OPLOCKS:
		why = parse_bool(v, &b);
		if (!why)
			sh->no_oplocks = !b;
		return why;
	case K_CREATE_MASK:
		return parse_mask(v, &sh->create_mask);
	case K_DIRECTORY_MASK:
		return parse_mask(v, &sh->directory_mask);
	}
	return "internal error: not a share key";
}

/* ---- splitting the text -------------------------------------------- */

struct entry {
	char *key; /* normalised */
	char *value; /* trimmed */
	int line;
};

struct section {
	char *name;
	int line;
	size_t first, count; /* range in parser.entries */
};

struct parser {
	const char *file;
	char *text; /* mutable copy; keys and values point into it */
	struct entry *entries;
	size_t nentries;
	struct section *sections;
	size_t nsections;
	struct smbd_config *cfg;
	struct smb_share_config share_template;
	int min_line, max_line; /* where the protocol range was set */
	int smbdirect_line; /* the last "smb direct" key */
	char *err;
	size_t err_size;
};

static int fail(struct parser *p, int line, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(p->err, p->err_size, "%s:%d: ", p->file, line);

	if (n < 0 || (size_t)n >= p->err_size)
		return -1;
	va_start(ap, fmt);
	vsnprintf(p->err + n, p->err_size - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

static char *trim(char *s, char *end)
{
	while (s < end && is_blank(*s))
		s++;
	while (end > s && is_blank(end[-1]))
		end--;
	*end = '\0';
	return s;
}

static int grow(void **arr, size_t n, size_t elem)
{
	void *bigger;

	/* The capacity is n rounded up to a power of two: full at those. */
	if (n & (n - 1))
		return 0;
	if (n > SIZE_MAX / 2 / elem)
		return -1;
	bigger = realloc(*arr, (n ? 2 * n : 1) * elem);
	if (!bigger)
		return -1;
	*arr = bigger;
	return 0;
}

static int add_section(struct parser *p, char *name, int line)
{
	if (grow((void **)&p->sections, p->nsections, sizeof(*p->sections)))
		return fail(p, line, "out of memory");
	p->sections[p->nsections++] = (struct section){ .name = name,
							.line = line,
							.first = p->nentries };
	return 0;
}

static int add_entry(struct parser *p, char *key, char *value, int line)
{
	if (grow((void **)&p->entries, p->nentries, sizeof(*p->entries)))
		return fail(p, line, "out of memory");
	p->entries[p->nentries++] =
		(struct entry){ .key = key, .value = value, .line = line };
	p->sections[p->nsections - 1].count++;
	return 0;
}

static int split_line(struct parser *p, char *s, char *end, int line)
{
	char *eq, *key;

	s = trim(s, end);
	end = s + strlen(s);
	if (!*s || *s == '#' || *s == ';')
		return 0;
	if (*s == '[') {
		char *close = strrchr(s, ']');

		if (!close || close[1])
			return fail(p, line,
				    "expected ']' at end of section header");
		s = trim(s + 1, close);
		if (!*s)
			return fail(p, line, "empty section name");
		return add_section(p, s, line);
	}
	eq = strchr(s, '=');
	if (!eq)
		return fail(p, line, "expected 'key = value' or '[section]'");
	key = trim(s, eq);
	if (!*key)
		return fail(p, line, "missing key before '='");
	if (!p->nsections)
		return fail(p, line, "'%s' is outside of any section", key);
	/* Normalising never lengthens the key, so do it in place. */
	smbd_config_normalize_key(key, strlen(key), key, strlen(key) + 1);
	return add_entry(p, key, trim(eq + 1, end), line);
}

static int split_text(struct parser *p, size_t len)
{
	char *s = p->text, *end = p->text + len;
	int line = 1;

	for (; s < end; line++) {
		char *nl = memchr(s, '\n', (size_t)(end - s));
		char *eol = nl ? nl : end;

		if (memchr(s, '\0', (size_t)(eol - s)))
			return fail(p, line, "NUL byte in file");
		if (eol - s > SMBD_CONFIG_LINE_MAX)
			return fail(p, line, "line longer than %d bytes",
				    SMBD_CONFIG_LINE_MAX);
		if (eol > s && eol[-1] == '\r')
			eol[-1] = ' ';
		if (split_line(p, s, eol, line))
			return -1;
		s = eol + 1;
	}
	return 0;
}

/* ---- applying sections --------------------------------------------- */

static int invalid(struct parser *p, const struct entry *e, const char *why)
{
	/* Keep the reason visible after a long value. */
	if (strlen(e->value) > 80)
		return fail(p, e->line, "%s: invalid value '%.64s...' (%s)",
			    e->key, e->value, why);
	return fail(p, e->line, "%s: invalid value '%s' (%s)", e->key, e->value,
		    why);
}

/* The implemented key of e, or NULL after warning that it is ignored. */
static const struct key_def *usable_key(struct parser *p, const struct entry *e)
{
	const struct key_def *k = find_key(e->key);

	if (!k)
		warn(p->file, e->line, "unknown key '%s' ignored", e->key);
	else if (k->id == K_UNSUPPORTED)
		warn(p->file, e->line, "key '%s' not supported yet, ignored",
		     e->key);
	else
		return k;
	return NULL;
}

static int apply_global_section(struct parser *p, const struct section *sec)
{
	for (size_t i = sec->first; i < sec->first + sec->count; i++) {
		const struct entry *e = &p->entries[i];
		const struct key_def *k = usable_key(p, e);
		const char *why;

		if (!k)
			continue;
		if (k->id == K_SMB3_ENCRYPTION)
			why = parse_encryption(e->value,
					       &p->cfg->smb3_encryption);
		else if (k->scope == SMBD_KEY_GLOBAL)
			why = apply_global(p->cfg, k->id, e->value);
		else
			why = apply_share(&p->share_template, k->id, e->value);
		if (why)
			return invalid(p, e, why);
		if (k->id == K_MIN_PROTOCOL)
			p->min_line = e->line;
		if (k->id == K_MAX_PROTOCOL)
			p->max_line = e->line;
		if (is_smbdirect_key(k->id))
			p->smbdirect_line = e->line;
	}
	return 0;
}

static int apply_share_section(struct parser *p, const struct section *sec,
			       struct smb_share_config *sh)
{
	for (size_t i = sec->first; i < sec->first + sec->count; i++) {
		const struct entry *e = &p->entries[i];
		const struct key_def *k = usable_key(p, e);
		const char *why;

		if (!k)
			continue;
		if (k->scope == SMBD_KEY_GLOBAL) {
			warn(p->file, e->line,
			     "global key '%s' in share section ignored",
			     e->key);
			continue;
		}
		if (k->id == K_SMB3_ENCRYPTION) {
			int mode;

			why = parse_encryption(e->value, &mode);
			if (!why && mode == SMB_ENCRYPT_REQUIRED)
				why = name_list_add(&p->cfg->encrypt_shares,
						    sh->name);
		} else {
			why = apply_share(sh, k->id, e->value);
		}
		if (why)
			return invalid(p, e, why);
	}
	return 0;
}

static int add_share(struct parser *p, const struct section *sec)
{
	struct smb_server_config *s = &p->cfg->server;
	const struct smb_share_config *dup;
	struct smb_share_config *sh;
	char why[64];

	if (smbd_config_check_share_name(sec->name, why, sizeof(why)))
		return fail(p, sec->line, "[%s]: invalid share name (%s)",
			    sec->name, why);
	dup = smbd_config_find_share(p->cfg, sec->name);
	if (dup)
		return fail(p, sec->line, "[%s]: duplicate share name",
			    sec->name);
	if (s->nshares == INT32_MAX ||
	    grow((void **)&s->shares, (size_t)s->nshares, sizeof(*s->shares)))
		return fail(p, sec->line, "out of memory");
	sh = &s->shares[s->nshares];
	*sh = p->share_template;
	sh->valid_users.names = dup_name_list(&p->share_template.valid_users);
	sh->invalid_users.names =
		dup_name_list(&p->share_template.invalid_users);
	if ((p->share_template.valid_users.names && !sh->valid_users.names) ||
	    (p->share_template.invalid_users.names &&
	     !sh->invalid_users.names)) {
		free_share(sh);
		return fail(p, sec->line, "out of memory");
	}
	s->nshares++;
	memcpy(sh->name, sec->name, strlen(sec->name) + 1);
	if (apply_share_section(p, sec, sh))
		return -1;
	if (!sh->path[0])
		return fail(p, sec->line, "[%s]: missing 'path'", sec->name);
	return 0;
}

/* Registered buffers per connection: credits x message size, capped. */
static int check_smbdirect(struct parser *p)
{
	const struct smbd_direct_config *d = &p->cfg->smbdirect;

	if ((u64)d->receive_credits * d->max_receive_size > SMBD_RING_MAX)
		return fail(p, p->smbdirect_line,
			    "smb direct receive credits x smb direct max "
			    "receive size is above 64M per connection");
	if ((u64)d->send_credits * d->max_send_size > SMBD_RING_MAX)
		return fail(p, p->smbdirect_line,
			    "smb direct send credits x smb direct max send "
			    "size is above 64M per connection");
	return 0;
}

static int apply_all(struct parser *p)
{
	struct smb_server_config *s = &p->cfg->server;

	for (size_t i = 0; i < p->nsections; i++)
		if (!strcasecmp(p->sections[i].name, "global") &&
		    apply_global_section(p, &p->sections[i]))
			return -1;
	for (size_t i = 0; i < p->nsections; i++) {
		const struct section *sec = &p->sections[i];

		/* IPC$ is built into the core; a declared one is ignored. */
		if (!strcasecmp(sec->name, "global") ||
		    !strcasecmp(sec->name, "ipc$"))
			continue;
		if (add_share(p, sec))
			return -1;
	}
	if (s->min_dialect > s->max_dialect)
		return fail(p,
			    p->min_line > p->max_line ? p->min_line :
							p->max_line,
			    "server min protocol is above server max protocol");
	return check_smbdirect(p);
}

int smbd_config_parse(const char *name, const char *text, size_t len,
		      struct smbd_config *cfg, char *err, size_t err_size)
{
	struct parser p = {
		.file = name, .cfg = cfg, .err = err, .err_size = err_size
	};
	int ret = -1;

	smbd_config_defaults(cfg);
	share_defaults(&p.share_template);
	if (err_size)
		err[0] = '\0';
	if (len > SMBD_CONFIG_MAX_SIZE) {
		snprintf(err, err_size, "%s: file too large", name);
		return -1;
	}
	p.text = malloc(len + 1);
	if (!p.text) {
		snprintf(err, err_size, "%s: out of memory", name);
		return -1;
	}
	memcpy(p.text, text, len);
	p.text[len] = '\0';
	if (!split_text(&p, len) && !apply_all(&p))
		ret = 0;
	free_share(&p.share_template);
	free(p.entries);
	free(p.sections);
	free(p.text);
	if (ret) {
		smbd_config_free(cfg);
		smbd_config_defaults(cfg);
	}
	return ret;
}

int smbd_config_load(const char *path, struct smbd_config *cfg, char *err,
		     size_t err_size)
{
	char *text;
	size_t len;
	int ret;

	smbd_config_defaults(cfg);
	if (smbd_read_file(path, SMBD_CONFIG_MAX_SIZE, &text, &len, err,
			   err_size))
		return -1;
	ret = smbd_config_parse(path, text, len, cfg, err, err_size);
	free(text);
	if (!ret)
		snprintf(cfg->path, sizeof(cfg->path), "%s", path);
	return ret;
}
