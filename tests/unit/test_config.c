// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <ctype.h>
#include <stdlib.h>
#include <unistd.h>

#include "platform.h"
#include "config.h"
#include "crypt.h"
#include "rdma_posix.h"
#include "smb2.h"
#include "tmpdir.h"

/* [MS-SMBD] 1.9: the SMB Direct port. */
#define SMB_RDMA_TEST_DEFAULT_PORT 5445

static char err[1024];

/* Warnings of the last parse, captured in memory. */
static char *warnings;
static size_t warnings_len;
static FILE *warn_file;

static int setup(void **state)
{
	warn_file = open_memstream(&warnings, &warnings_len);
	smbd_config_set_warn_stream(warn_file);
	return warn_file ? 0 : -1;
}

static int teardown(void **state)
{
	smbd_config_set_warn_stream(NULL);
	fclose(warn_file);
	free(warnings);
	warnings = NULL;
	return 0;
}

static int parse(const char *text, struct smbd_config *cfg)
{
	rewind(warn_file);
	fflush(warn_file);
	warnings_len = 0;
	if (warnings)
		warnings[0] = '\0';
	err[0] = '\0';
	int ret = smbd_config_parse("t.conf", text, strlen(text), cfg, err,
				    sizeof(err));
	fflush(warn_file);
	return ret;
}

static void expect_error(const char *text, const char *want)
{
	struct smbd_config cfg;

	assert_int_equal(parse(text, &cfg), -1);
	assert_string_equal(err, want);
	/* A failed parse leaves the defaults and nothing allocated. */
	assert_null(cfg.server.shares);
	assert_int_equal(cfg.server.nshares, 0);
	assert_int_equal(cfg.tcp_port, 445);
}

static void test_defaults(void **state)
{
	struct smbd_config cfg;
	const struct smb_server_config *s = &cfg.server;
	char host[256] = "", want[16];
	size_t n = 0;

	assert_int_equal(parse("", &cfg), 0);
	gethostname(host, sizeof(host) - 1);
	while (host[n] && host[n] != '.' && n < 15) {
		want[n] = (char)toupper((unsigned char)host[n]);
		n++;
	}
	want[n] = '\0';
	assert_string_equal(s->netbios_name, n ? want : "KSMBD SERVER");
	assert_true(strlen(s->netbios_name) <= 15);
	assert_string_equal(s->workgroup, "WORKGROUP");
	assert_string_equal(s->server_string, "SMB SERVER");
	assert_string_equal(s->guest_account, "nobody");
	assert_int_equal(s->signing, SMB_SIGNING_AUTO);
	assert_int_equal(s->map_to_guest, SMB_MAP_TO_GUEST_NEVER);
	assert_int_equal(s->min_dialect, SMB2_DIALECT_0210);
	assert_int_equal(s->max_dialect, SMB2_DIALECT_0311);
	assert_int_equal(s->max_read, 4 << 20);
	assert_int_equal(s->max_write, 4 << 20);
	assert_int_equal(s->max_trans, 8 << 20);
	assert_int_equal(s->max_credits, 8192);
	assert_int_equal(s->max_open_files, 10000);
	assert_int_equal(cfg.max_inflight, 8);
	assert_int_equal(s->nshares, 0);
	assert_null(s->shares);
	assert_string_equal(cfg.interfaces, "");
	assert_false(cfg.bind_interfaces_only);
	assert_int_equal(cfg.tcp_port, 445);
	assert_int_equal(cfg.log_level, SMB_LOG_WARN);
	for (int i = 0; i < 16; i++)
		assert_int_equal(s->server_guid[i], 0);

	/* Share defaults. */
	assert_int_equal(parse("[s]\npath = /srv\n", &cfg), 0);
	assert_int_equal(s->nshares, 1);
	assert_string_equal(s->shares[0].name, "s");
	assert_string_equal(s->shares[0].path, "/srv");
	assert_string_equal(s->shares[0].comment, "");
	assert_true(s->shares[0].browseable);
	assert_true(s->shares[0].read_only);
	assert_false(s->shares[0].guest_ok);
	assert_false(s->shares[0].is_pipe);
	assert_int_equal(s->shares[0].create_mask, 0744);
	assert_int_equal(s->shares[0].directory_mask, 0755);
	assert_null(s->shares[0].valid_users.names);
	assert_null(s->shares[0].invalid_users.names);
	assert_string_equal(warnings, "");
	smbd_config_free(&cfg);
}

static void test_every_global_key(void **state)
{
	struct smbd_config cfg;
	const struct smb_server_config *s = &cfg.server;

	assert_int_equal(parse("[global]\n"
			       "netbios name = FILER1\n"
			       "workgroup = LAB\n"
			       "server string = RDMA file server\n"
			       "interfaces = eth0, ib0  lo\n"
			       "bind interfaces only = yes\n"
			       "tcp port = 10445\n"
			       "server signing = mandatory\n"
			       "smb2 max read = 1M\n"
			       "smb2 max write = 2M\n"
			       "smb2 max trans = 512K\n"
			       "guest account = guest\n"
			       "map to guest = bad user\n"
			       "server min protocol = SMB2_02\n"
			       "server max protocol = SMB3_02\n"
			       "smb2 max credits = 512\n"
			       "max open files = 100\n"
			       "max requests per connection = 3\n"
			       "durable handle timeout = 120\n"
			       "log level = debug\n",
			       &cfg),
			 0);
	assert_string_equal(warnings, "");
	assert_string_equal(s->netbios_name, "FILER1");
	assert_string_equal(s->workgroup, "LAB");
	assert_string_equal(s->server_string, "RDMA file server");
	assert_string_equal(cfg.interfaces, "eth0 ib0 lo");
	assert_true(cfg.bind_interfaces_only);
	assert_int_equal(cfg.tcp_port, 10445);
	assert_int_equal(s->signing, SMB_SIGNING_MANDATORY);
	assert_int_equal(s->max_read, 1 << 20);
	assert_int_equal(s->max_write, 2 << 20);
	assert_int_equal(s->max_trans, 512 << 10);
	assert_string_equal(s->guest_account, "guest");
	assert_int_equal(s->map_to_guest, SMB_MAP_TO_GUEST_BAD_USER);
	assert_int_equal(s->min_dialect, SMB2_DIALECT_0202);
	assert_int_equal(s->max_dialect, SMB2_DIALECT_0302);
	assert_int_equal(s->max_credits, 512);
	assert_int_equal(s->max_open_files, 100);
	assert_int_equal(cfg.max_inflight, 3);
	assert_int_equal(cfg.durable_timeout_s, 120);
	assert_int_equal(cfg.log_level, SMB_LOG_DEBUG);
	smbd_config_free(&cfg);

	assert_int_equal(parse("[global]\nserver signing = DISABLED\n"
			       "map to guest = Bad  Password\nlog level = 0\n",
			       &cfg),
			 0);
	assert_int_equal(s->signing, SMB_SIGNING_DISABLED);
	assert_int_equal(s->map_to_guest, SMB_MAP_TO_GUEST_BAD_PASSWORD);
	assert_int_equal(cfg.log_level, SMB_LOG_ERR);
	assert_int_equal(parse("[global]\nserver signing = auto\n"
			       "map to guest = never\nlog level = 10\n",
			       &cfg),
			 0);
	assert_int_equal(s->signing, SMB_SIGNING_AUTO);
	assert_int_equal(s->map_to_guest, SMB_MAP_TO_GUEST_NEVER);
	assert_int_equal(cfg.log_level, SMB_LOG_DEBUG);
}

static void test_every_share_key(void **state)
{
	struct smbd_config cfg;
	const struct smb_share_config *sh;

	assert_int_equal(parse("[Data]\n"
			       "path = /srv/data\n"
			       "comment = Team data\n"
			       "browseable = no\n"
			       "read only = no\n"
			       "valid users = alice, bob\tcarol\n"
			       "invalid users = mallory\n"
			       "guest ok = yes\n"
			       "oplocks = no\n"
			       "create mask = 0640\n"
			       "directory mask = 750\n",
			       &cfg),
			 0);
	assert_string_equal(warnings, "");
	sh = smbd_config_find_share(&cfg, "DATA");
	assert_non_null(sh);
	assert_string_equal(sh->name, "Data");
	assert_string_equal(sh->path, "/srv/data");
	assert_string_equal(sh->comment, "Team data");
	assert_false(sh->browseable);
	assert_false(sh->read_only);
	assert_memory_equal(sh->valid_users.names, "alice\0bob\0carol\0\0", 17);
	assert_memory_equal(sh->invalid_users.names, "mallory\0\0", 9);
	assert_true(sh->guest_ok);
	assert_true(sh->no_oplocks);
	assert_int_equal(sh->create_mask, 0640);
	assert_int_equal(sh->directory_mask, 0750);
	assert_null(smbd_config_find_share(&cfg, "other"));
	smbd_config_free(&cfg);
	assert_null(cfg.server.shares);
}

static void test_synonyms(void **state)
{
	static const char *const text[] = {
		"[s]\npath=/s\nwriteable = yes\n",
		"[s]\npath=/s\nwritable = yes\n",
		"[s]\npath=/s\nwrite ok = yes\n",
		"[s]\npath=/s\nread only = no\n",
	};
	struct smbd_config cfg;

	for (int i = 0; i < 4; i++) {
		assert_int_equal(parse(text[i], &cfg), 0);
		assert_false(cfg.server.shares[0].read_only);
		smbd_config_free(&cfg);
	}
	/* The later line of one setting wins. */
	assert_int_equal(parse("[s]\npath=/s\nread only = no\nwriteable = no\n",
			       &cfg),
			 0);
	assert_true(cfg.server.shares[0].read_only);
	smbd_config_free(&cfg);
	assert_int_equal(parse("[s]\npath=/s\nbrowsable = no\n", &cfg), 0);
	assert_false(cfg.server.shares[0].browseable);
	smbd_config_free(&cfg);
}

static void test_sizes(void **state)
{
	static const struct {
		const char *v;
		u32 want;
	} ok[] = {
		{ "65536", 65536 },    { "64K", 65536 },   { "64k", 65536 },
		{ "1M", 1 << 20 },     { "1MB", 1 << 20 }, { "1MiB", 1 << 20 },
		{ "1024 K", 1 << 20 }, { "8m", 8 << 20 },  { "4mb", 4 << 20 },
	};
	static const char *const bad[] = {
		"65535",
		"8193K",
		"9M",
		"1G",
		"1T",
		"1E",
		"64X",
		"64KBB",
		"-1M",
		"",
		"M",
		"0x10000",
		"99999999999999999999999",
		"20000000000000000E",
	};
	struct smbd_config cfg;
	char text[128];

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		snprintf(text, sizeof(text), "[global]\nsmb2 max read = %s\n",
			 ok[i].v);
		assert_int_equal(parse(text, &cfg), 0);
		assert_int_equal(cfg.server.max_read, ok[i].want);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "[global]\nsmb2 max write = %s\n",
			 bad[i]);
		assert_int_equal(parse(text, &cfg), -1);
		assert_non_null(strstr(err, "t.conf:2: smb2 max write: "
					    "invalid value '"));
	}
	expect_error("[global]\nsmb2 max trans = 32K\n",
		     "t.conf:2: smb2 max trans: invalid value '32K' "
		     "(must be 64K..8M)");
	expect_error("[global]\nsmb2 max read = 4Q\n",
		     "t.conf:2: smb2 max read: invalid value '4Q' "
		     "(unknown size suffix)");
}

static void test_booleans(void **state)
{
	static const char *const yes[] = { "yes", "YES", "true", "True", "1" };
	static const char *const no[] = { "no", "No", "false", "FALSE", "0" };
	struct smbd_config cfg;
	char text[128];

	for (int i = 0; i < 5; i++) {
		snprintf(text, sizeof(text),
			 "[global]\nbind interfaces only = %s\n", yes[i]);
		assert_int_equal(parse(text, &cfg), 0);
		assert_true(cfg.bind_interfaces_only);
		snprintf(text, sizeof(text), "[s]\npath=/\nguest ok = %s\n",
			 no[i]);
		assert_int_equal(parse(text, &cfg), 0);
		assert_false(cfg.server.shares[0].guest_ok);
		smbd_config_free(&cfg);
	}
	expect_error("[s]\npath = /\nguest ok = maybe\n",
		     "t.conf:3: guest ok: invalid value 'maybe' "
		     "(expected yes/no/true/false/1/0)");
	expect_error("[global]\nbind interfaces only =\n",
		     "t.conf:2: bind interfaces only: invalid value '' "
		     "(expected yes/no/true/false/1/0)");
}

static void test_key_normalisation_and_comments(void **state)
{
	struct smbd_config cfg;

	assert_int_equal(parse("# comment\n"
			       "; another = comment\n"
			       "   [ global ]   \n"
			       "\t  SMB2   Max\tREAD  =   2M  \n"
			       "  # indented comment\n"
			       "Server String = a ; b # c\n",
			       &cfg),
			 0);
	assert_int_equal(cfg.server.max_read, 2 << 20);
	/* Only whole lines are comments: values keep '#' and ';'. */
	assert_string_equal(cfg.server.server_string, "a ; b # c");
	assert_string_equal(warnings, "");
}

static void test_unknown_key_warning(void **state)
{
	struct smbd_config cfg;

	assert_int_equal(parse("[global]\n"
			       "workgroup = W\n"
			       "Frobnicate  Level = 3\n"
			       "[s]\n"
			       "path = /s\n"
			       "veto files = /x/\n"
			       "tcp port = 99\n"
			       "bogus = 1\n",
			       &cfg),
			 0);
	assert_string_equal(
		warnings, "t.conf:3: unknown key 'frobnicate level' ignored\n"
			  "t.conf:6: key 'veto files' not supported yet, ignored\n"
			  "t.conf:7: global key 'tcp port' in share section "
			  "ignored\n"
			  "t.conf:8: unknown key 'bogus' ignored\n");
	/* The ignored global key did not take effect. */
	assert_int_equal(cfg.tcp_port, 445);
	assert_string_equal(cfg.server.workgroup, "W");
	smbd_config_free(&cfg);
}

static void test_invalid_values(void **state)
{
	expect_error("[global]\ntcp port = 0\n",
		     "t.conf:2: tcp port: invalid value '0' (out of range)");
	expect_error(
		"[global]\ntcp port = 65536\n",
		"t.conf:2: tcp port: invalid value '65536' (out of range)");
	expect_error("[global]\ntcp port = 44x\n",
		     "t.conf:2: tcp port: invalid value '44x' "
		     "(expected a number)");
	expect_error("[global]\nserver signing = required\n",
		     "t.conf:2: server signing: invalid value 'required' "
		     "(expected auto, mandatory or disabled)");
	expect_error("[global]\nmap to guest = bad uid\n",
		     "t.conf:2: map to guest: invalid value 'bad uid' "
		     "(expected never, bad user or bad password)");
	expect_error("[global]\nnetbios name = ABCDEFGHIJKLMNOP\n",
		     "t.conf:2: netbios name: invalid value 'ABCDEFGHIJKLMNOP' "
		     "(longer than 15 characters)");
	expect_error(
		"[global]\nworkgroup =\n",
		"t.conf:2: workgroup: invalid value '' (must not be empty)");
	expect_error("[global]\nsmb2 max credits = 0\n",
		     "t.conf:2: smb2 max credits: invalid value '0' "
		     "(out of range)");
	expect_error("[global]\nmax requests per connection = 257\n",
		     "t.conf:2: max requests per connection: invalid value "
		     "'257' (out of range)");
	expect_error("[global]\nlog level = loud\n",
		     "t.conf:2: log level: invalid value 'loud' "
		     "(expected 0..10 or error/warning/info/debug)");
	expect_error("[s]\npath = relative/dir\n",
		     "t.conf:2: path: invalid value 'relative/dir' "
		     "(must be an absolute path)");
	expect_error("[s]\npath = /s\ncreate mask = 0800\n",
		     "t.conf:3: create mask: invalid value '0800' "
		     "(expected an octal mode)");
	expect_error("[s]\npath = /s\ndirectory mask = 017777\n",
		     "t.conf:3: directory mask: invalid value '017777' "
		     "(out of range, max 07777)");
	expect_error("[s]\npath = /s\nvalid users = alice @staff\n",
		     "t.conf:3: valid users: invalid value 'alice @staff' "
		     "(groups (@name) are not supported yet)");
	expect_error("[s]\npath = /s\ninvalid users = a:b\n",
		     "t.conf:3: invalid users: invalid value 'a:b' "
		     "(invalid character in user name)");
	expect_error("[s]\npath = /s\ncomment = a\tb\n",
		     "t.conf:3: comment: invalid value 'a\tb' "
		     "(control character)");
}

static void test_protocols(void **state)
{
	static const struct {
		const char *v;
		u16 min, max;
	} cases[] = {
		{ "SMB2_02", SMB2_DIALECT_0202, SMB2_DIALECT_0202 },
		{ "smb2_10", SMB2_DIALECT_0210, SMB2_DIALECT_0210 },
		{ "SMB3_00", SMB2_DIALECT_0300, SMB2_DIALECT_0300 },
		{ "SMB3_02", SMB2_DIALECT_0302, SMB2_DIALECT_0302 },
		{ "SMB3_11", SMB2_DIALECT_0311, SMB2_DIALECT_0311 },
		{ "SMB2", SMB2_DIALECT_0202, SMB2_DIALECT_0210 },
		{ "SMB3", SMB2_DIALECT_0300, SMB2_DIALECT_0311 },
	};
	struct smbd_config cfg;
	char text[160];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(text, sizeof(text),
			 "[global]\nserver min protocol = %s\n"
			 "server max protocol = %s\n",
			 cases[i].v, cases[i].v);
		assert_int_equal(parse(text, &cfg), 0);
		assert_int_equal(cfg.server.min_dialect, cases[i].min);
		assert_int_equal(cfg.server.max_dialect, cases[i].max);
	}
	expect_error("[global]\nserver min protocol = NT1\n",
		     "t.conf:2: server min protocol: invalid value 'NT1' "
		     "(SMB1 is not supported)");
	expect_error("[global]\nserver max protocol = SMB4\n",
		     "t.conf:2: server max protocol: invalid value 'SMB4' "
		     "(expected SMB2_02, SMB2_10, SMB3_00, SMB3_02, SMB3_11, "
		     "SMB2 or SMB3)");
	expect_error("[global]\nserver max protocol = SMB2_10\n"
		     "server min protocol = SMB3_00\n",
		     "t.conf:3: server min protocol is above server max "
		     "protocol");
	/* Only the default max (SMB3_11) is above a configured min. */
	expect_error("[global]\nserver max protocol = SMB2_02\n",
		     "t.conf:2: server min protocol is above server max "
		     "protocol");
}

static void test_missing_path(void **state)
{
	expect_error("[global]\nworkgroup = W\n\n[docs]\ncomment = x\n",
		     "t.conf:4: [docs]: missing 'path'");
	expect_error("[empty]\n", "t.conf:1: [empty]: missing 'path'");
}

static void test_duplicate_share(void **state)
{
	expect_error("[a]\npath = /a\n[b]\npath = /b\n[A]\npath = /c\n",
		     "t.conf:5: [A]: duplicate share name");
}

static void test_share_names(void **state)
{
	struct smbd_config cfg;
	char text[400], name[100];

	memset(name, 'n', 80);
	name[80] = '\0';
	snprintf(text, sizeof(text), "[%s]\npath = /n\n", name);
	assert_int_equal(parse(text, &cfg), 0);
	assert_string_equal(cfg.server.shares[0].name, name);
	smbd_config_free(&cfg);
	/* 80 characters, more bytes: the limit counts characters. */
	snprintf(text, sizeof(text), "[%s\xc3\xa9]\npath = /n\n", name + 2);
	assert_int_equal(parse(text, &cfg), 0);
	smbd_config_free(&cfg);

	name[80] = 'n';
	name[81] = '\0';
	snprintf(text, sizeof(text), "[%s]\npath = /n\n", name);
	assert_int_equal(parse(text, &cfg), -1);
	assert_non_null(strstr(err, "invalid share name (longer than 80 "
				    "characters)"));
	/* 80 characters but 320 bytes: too big for the name field. */
	text[0] = '[';
	for (int i = 0; i < 80; i++)
		memcpy(text + 1 + 4 * i, "\xf0\x9f\x98\x80", 4);
	strcpy(text + 321, "]\npath = /n\n");
	assert_int_equal(parse(text, &cfg), -1);
	assert_non_null(strstr(err, "invalid share name (longer than 255 "
				    "bytes)"));
	expect_error("[a/b]\npath = /n\n",
		     "t.conf:1: [a/b]: invalid share name (contains '/')");
	expect_error("[a\\b]\npath = /n\n",
		     "t.conf:1: [a\\b]: invalid share name (contains '\\')");
	expect_error(
		"[a\x01]\npath = /n\n",
		"t.conf:1: [a\x01]: invalid share name (control character)");
	expect_error("[a\xff]\npath = /n\n",
		     "t.conf:1: [a\xff]: invalid share name (not valid UTF-8)");
	expect_error("[]\n", "t.conf:1: empty section name");
	expect_error("[  ]\n", "t.conf:1: empty section name");
}

static void test_ipc_section_ignored(void **state)
{
	struct smbd_config cfg;

	assert_int_equal(parse("[IPC$]\ncomment = pipes\nbogus = 1\n"
			       "[s]\npath = /s\n",
			       &cfg),
			 0);
	assert_int_equal(cfg.server.nshares, 1);
	assert_string_equal(cfg.server.shares[0].name, "s");
	assert_string_equal(warnings, "");
	smbd_config_free(&cfg);
}

static void test_global_share_defaults(void **state)
{
	struct smbd_config cfg;

	/* Share keys in [global] set defaults, wherever [global] is. */
	assert_int_equal(parse("[a]\npath = /a\n"
			       "[global]\nread only = no\nguest ok = yes\n"
			       "valid users = alice\n"
			       "[b]\npath = /b\nread only = yes\n"
			       "valid users =\n",
			       &cfg),
			 0);
	assert_int_equal(cfg.server.nshares, 2);
	assert_false(cfg.server.shares[0].read_only);
	assert_true(cfg.server.shares[0].guest_ok);
	assert_memory_equal(cfg.server.shares[0].valid_users.names, "alice\0\0",
			    7);
	assert_true(cfg.server.shares[1].read_only);
	assert_true(cfg.server.shares[1].guest_ok);
	assert_null(cfg.server.shares[1].valid_users.names);
	smbd_config_free(&cfg);
}

static void test_global_repeated(void **state)
{
	struct smbd_config cfg;

	assert_int_equal(parse("[global]\nworkgroup = ONE\ntcp port = 1000\n"
			       "[s]\npath = /s\n"
			       "[GLOBAL]\nworkgroup = TWO\n",
			       &cfg),
			 0);
	assert_string_equal(cfg.server.workgroup, "TWO");
	assert_int_equal(cfg.tcp_port, 1000);
	assert_int_equal(cfg.server.nshares, 1);
	smbd_config_free(&cfg);
}

static void test_syntax_errors(void **state)
{
	expect_error("[global]\njust some words\n",
		     "t.conf:2: expected 'key = value' or '[section]'");
	expect_error("[global\n", "t.conf:1: expected ']' at end of section "
				  "header");
	expect_error("[global] junk\n", "t.conf:1: expected ']' at end of "
					"section header");
	expect_error("workgroup = W\n",
		     "t.conf:1: 'workgroup' is outside of any section");
	expect_error("[global]\n = value\n",
		     "t.conf:2: missing key before '='");
}

static void test_line_endings_and_nul(void **state)
{
	struct smbd_config cfg;
	static const char nul[] = "[global]\nworkgroup = A\0B\n";
	char *text;

	/* No trailing newline, CRLF line ends. */
	assert_int_equal(parse("[s]\r\npath = /s\r\ncomment = c", &cfg), 0);
	assert_string_equal(cfg.server.shares[0].path, "/s");
	assert_string_equal(cfg.server.shares[0].comment, "c");
	smbd_config_free(&cfg);

	assert_int_equal(smbd_config_parse("t.conf", nul, sizeof(nul) - 1, &cfg,
					   err, sizeof(err)),
			 -1);
	assert_string_equal(err, "t.conf:2: NUL byte in file");

	/* Line limit: exactly SMBD_CONFIG_LINE_MAX is fine, one more is not. */
	text = malloc(SMBD_CONFIG_LINE_MAX + 64);
	assert_non_null(text);
	strcpy(text, "[global]\n# ");
	memset(text + 11, 'x', SMBD_CONFIG_LINE_MAX - 2);
	strcpy(text + 9 + SMBD_CONFIG_LINE_MAX, "\n");
	assert_int_equal(parse(text, &cfg), 0);
	strcpy(text + 9 + SMBD_CONFIG_LINE_MAX, "y\n");
	assert_int_equal(parse(text, &cfg), -1);
	assert_string_equal(err, "t.conf:2: line longer than 8191 bytes");
	free(text);

	/* A value too long for its field. */
	text = malloc(5000);
	assert_non_null(text);
	strcpy(text, "[s]\npath = /");
	memset(text + 12, 'p', 4200);
	text[4212] = '\0';
	assert_int_equal(parse(text, &cfg), -1);
	assert_non_null(strstr(err, "(too long)"));
	free(text);
}

static void test_load_file(void **state)
{
	char *dir = test_mkdtemp(), *path = test_path(dir, "ksmbd.conf");
	char *missing = test_path(dir, "missing.conf"), want[600];
	struct smbd_config cfg;

	test_write(path, "[global]\nbogus = 1\n[s]\npath = /srv\n", 35);
	assert_int_equal(smbd_config_load(path, &cfg, err, sizeof(err)), 0);
	assert_string_equal(cfg.path, path);
	assert_int_equal(cfg.server.nshares, 1);
	fflush(warn_file);
	snprintf(want, sizeof(want), "%s:2: unknown key 'bogus' ignored\n",
		 path);
	assert_non_null(strstr(warnings, want));
	smbd_config_free(&cfg);

	test_write(path, "[s]\npath = /srv\nbrowseable = sometimes\n", 39);
	assert_int_equal(smbd_config_load(path, &cfg, err, sizeof(err)), -1);
	snprintf(want, sizeof(want),
		 "%s:3: browseable: invalid value 'sometimes' "
		 "(expected yes/no/true/false/1/0)",
		 path);
	assert_string_equal(err, want);

	assert_int_equal(smbd_config_load(missing, &cfg, err, sizeof(err)), -1);
	assert_non_null(strstr(err, missing));
	free(path);
	free(missing);
	test_rmdir(dir);
}

/* The key table drives ksmbd.addshare's checks. */
static void test_key_scope(void **state)
{
	const char *setting;
	bool supported;

	assert_int_equal(smbd_config_key_scope("Write  OK", &supported,
					       &setting),
			 SMBD_KEY_SHARE);
	assert_true(supported);
	assert_string_equal(setting, "read only");
	assert_int_equal(smbd_config_key_scope("veto files", &supported, NULL),
			 SMBD_KEY_SHARE);
	assert_false(supported);
	assert_int_equal(smbd_config_key_scope("smb2 leases", &supported,
					       NULL),
			 SMBD_KEY_GLOBAL);
	assert_false(supported);
	/* Global policy, and (ours) a share's requirement. */
	assert_int_equal(smbd_config_key_scope("smb3 encryption", &supported,
					       NULL),
			 SMBD_KEY_SHARE);
	assert_true(supported);
	assert_int_equal(smbd_config_key_scope("nope", &supported, &setting),
			 SMBD_KEY_UNKNOWN);
	assert_false(supported);
	assert_null(setting);
}

/* "smb3 encryption" (ksmbd's values and Samba-style synonyms) and
 * "server multi channel support". */
static void test_encryption_and_multichannel(void **state)
{
	static const struct {
		const char *value;
		int mode;
	} modes[] = {
		{ "auto", SMB_ENCRYPT_AUTO },
		{ "mandatory", SMB_ENCRYPT_REQUIRED },
		{ "Yes", SMB_ENCRYPT_REQUIRED },
		{ "disabled", SMB_ENCRYPT_OFF },
		{ "no", SMB_ENCRYPT_OFF },
	};
	struct smbd_config cfg;
	char text[256];

	(void)state;
	assert_int_equal(parse("[s]\npath = /s\n", &cfg), 0);
	assert_int_equal(cfg.smb3_encryption, SMB_ENCRYPT_AUTO);
	assert_false(cfg.multichannel);
	assert_true(cfg.use_sendfile);
	assert_null(cfg.encrypt_shares.names);
	smbd_config_free(&cfg);
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		snprintf(text, sizeof(text),
			 "[global]\nsmb3 encryption = %s\n", modes[i].value);
		assert_int_equal(parse(text, &cfg), 0);
		assert_int_equal(cfg.smb3_encryption, modes[i].mode);
		smbd_config_free(&cfg);
	}
	assert_int_equal(parse("[global]\nsmb3 encryption = maybe\n", &cfg),
			 -1);
	assert_non_null(strstr(err, "expected yes, no or auto"));
	/* Per share: only the shares that require it are listed. */
	assert_int_equal(parse("[global]\n"
			       "server multi channel support = yes\n"
			       "[a]\npath = /a\nsmb3 encryption = yes\n"
			       "[b]\npath = /b\nsmb3 encryption = auto\n"
			       "[c]\npath = /c\nsmb3 encryption = mandatory\n",
			       &cfg),
			 0);
	assert_true(cfg.multichannel);
	assert_int_equal(cfg.smb3_encryption, SMB_ENCRYPT_AUTO);
	assert_non_null(cfg.encrypt_shares.names);
	assert_string_equal(cfg.encrypt_shares.names, "a");
	assert_string_equal(cfg.encrypt_shares.names + 2, "c");
	assert_int_equal(cfg.encrypt_shares.names[4], '\0');
	smbd_config_free(&cfg);
	assert_int_equal(parse("[s]\npath = /s\nsmb3 encryption = x\n", &cfg),
			 -1);
	assert_int_equal(parse("[global]\nserver multi channel support = 2\n",
			       &cfg),
			 -1);
	assert_int_equal(parse("[global]\nuse sendfile = no\n", &cfg), 0);
	assert_false(cfg.use_sendfile);
	smbd_config_free(&cfg);
	assert_int_equal(parse("[global]\nuse sendfile = often\n", &cfg), -1);
}

static void test_many_shares(void **state)
{
	size_t size = 300 * 40, len = 0;
	char *text = malloc(size);
	struct smbd_config cfg;

	assert_non_null(text);
	for (int i = 0; i < 300; i++)
		len += (size_t)snprintf(text + len, size - len,
					"[share%d]\npath = /s/%d\n", i, i);
	assert_int_equal(parse(text, &cfg), 0);
	assert_int_equal(cfg.server.nshares, 300);
	assert_string_equal(cfg.server.shares[299].path, "/s/299");
	smbd_config_free(&cfg);
	free(text);
}

static void test_transport(void **state)
{
	static const struct {
		const char *value;
		enum smbd_transport_mode mode;
	} ok[] = {
		{ "all", SMBD_TRANSPORT_ALL },
		{ "tcp", SMBD_TRANSPORT_TCP_ONLY },
		{ "RDMA", SMBD_TRANSPORT_RDMA_ONLY },
		{ "Tcp", SMBD_TRANSPORT_TCP_ONLY },
	};
	struct smbd_config cfg;
	char text[128];

	/* Defaults: both transports, SMB Direct on 5445. */
	assert_int_equal(parse("[global]\n", &cfg), 0);
	assert_int_equal(cfg.transport, SMBD_TRANSPORT_ALL);
	assert_int_equal(cfg.rdma_port, SMB_RDMA_TEST_DEFAULT_PORT);
	smbd_config_free(&cfg);
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		snprintf(text, sizeof(text), "[global]\ntransport = %s\n",
			 ok[i].value);
		assert_int_equal(parse(text, &cfg), 0);
		assert_int_equal(cfg.transport, ok[i].mode);
		assert_string_equal(warnings, "");
		smbd_config_free(&cfg);
	}
	assert_int_equal(parse("[global]\nrdma port = 15445\ntcp port = 10445\n"
			       "transport = rdma\n",
			       &cfg),
			 0);
	assert_int_equal(cfg.rdma_port, 15445);
	assert_int_equal(cfg.tcp_port, 10445);
	assert_int_equal(cfg.transport, SMBD_TRANSPORT_RDMA_ONLY);
	smbd_config_free(&cfg);
	expect_error("[global]\ntransport = iwarp\n",
		     "t.conf:2: transport: invalid value 'iwarp' "
		     "(expected rdma, tcp or all)");
	expect_error("[global]\ntransport =\n",
		     "t.conf:2: transport: invalid value '' "
		     "(expected rdma, tcp or all)");
	expect_error("[global]\ntransport = tcp rdma\n",
		     "t.conf:2: transport: invalid value 'tcp rdma' "
		     "(expected rdma, tcp or all)");
	expect_error("[global]\nrdma port = 0\n",
		     "t.conf:2: rdma port: invalid value '0' (out of range)");
	expect_error(
		"[global]\nrdma port = 65536\n",
		"t.conf:2: rdma port: invalid value '65536' (out of range)");
	/* Global keys in a share section are ignored with a warning. */
	assert_int_equal(parse("[s]\npath = /tmp\ntransport = tcp\n", &cfg), 0);
	assert_int_equal(cfg.transport, SMBD_TRANSPORT_ALL);
	assert_non_null(strstr(warnings, "global key 'transport'"));
	smbd_config_free(&cfg);
	assert_int_equal(smbd_config_key_scope("RDMA  Port", NULL, NULL),
			 SMBD_KEY_GLOBAL);
}

static void test_smbdirect_keys(void **state)
{
	const struct smbd_direct_config *d;
	struct smb_rdma_config rc;
	struct smbd_config cfg;

	/* Defaults: the engine's own, and nothing the engine would refuse. */
	assert_int_equal(parse("[global]\n", &cfg), 0);
	d = &cfg.smbdirect;
	assert_int_equal(d->max_read_size, 1 << 20);
	assert_int_equal(d->max_write_size, 1 << 20);
	assert_int_equal(d->receive_credits, 255);
	assert_int_equal(d->send_credits, 255);
	assert_int_equal(d->max_receive_size, 1364);
	assert_int_equal(d->max_send_size, 1364);
	assert_int_equal(d->max_fragmented_size, 1 << 20);
	smbd_config_rdma(&cfg, &rc);
	assert_int_equal(rc.engine.max_read_write_size, 1 << 20);
	assert_int_equal(rc.engine.recv_credit_max, 255);
	assert_int_equal(rc.engine.send_credit_target, 255);
	assert_int_equal(rc.engine.max_recv_size, 1364);
	assert_int_equal(rc.engine.max_send_size, 1364);
	assert_int_equal(rc.engine.max_fragmented_recv_size, 1 << 20);
	assert_int_equal(rc.max_read, 1 << 20);
	assert_int_equal(rc.max_write, 1 << 20);
	assert_int_equal(rc.backlog, 0);
	smbd_config_free(&cfg);

	assert_int_equal(parse("[global]\n"
			       "smb direct max read size = 4M\n"
			       "SMB Direct  Max Write Size = 512K\n"
			       "smb direct receive credits = 1024\n"
			       "smb direct send credits = 64\n"
			       "smb direct max receive size = 8K\n"
			       "smb direct max send size = 4096\n"
			       "smb direct max fragmented size = 8M\n",
			       &cfg),
			 0);
	assert_string_equal(warnings, "");
	assert_int_equal(d->max_read_size, 4 << 20);
	assert_int_equal(d->max_write_size, 512 << 10);
	assert_int_equal(d->receive_credits, 1024);
	assert_int_equal(d->send_credits, 64);
	assert_int_equal(d->max_receive_size, 8192);
	assert_int_equal(d->max_send_size, 4096);
	assert_int_equal(d->max_fragmented_size, 8 << 20);
	/* MaxReadWriteSize is the larger; each direction keeps its own. */
	smbd_config_rdma(&cfg, &rc);
	assert_int_equal(rc.engine.max_read_write_size, 4 << 20);
	assert_int_equal(rc.max_read, 4 << 20);
	assert_int_equal(rc.max_write, 512 << 10);
	assert_int_equal(rc.engine.recv_credit_max, 1024);
	assert_int_equal(rc.engine.send_credit_target, 64);
	assert_int_equal(rc.engine.max_recv_size, 8192);
	assert_int_equal(rc.engine.max_send_size, 4096);
	assert_int_equal(rc.engine.max_fragmented_recv_size, 8 << 20);
	smbd_config_free(&cfg);

	/* ksmbd-tools' "smbd max io size" sets both, later keys win. */
	assert_int_equal(parse("[global]\nsmbd max io size = 2M\n"
			       "smb direct max write size = 64K\n",
			       &cfg),
			 0);
	assert_int_equal(d->max_read_size, 2 << 20);
	assert_int_equal(d->max_write_size, 64 << 10);
	smbd_config_free(&cfg);
	/* The edges of every range. */
	assert_int_equal(parse("[global]\nsmb direct receive credits = 1\n"
			       "smb direct send credits = 4096\n"
			       "smb direct max receive size = 64K\n"
			       "smb direct max send size = 128\n"
			       "smb direct max fragmented size = 128K\n"
			       "smb direct max read size = 8M\n",
			       &cfg),
			 0);
	assert_int_equal(d->receive_credits, 1);
	assert_int_equal(d->send_credits, 4096);
	assert_int_equal(d->max_receive_size, 65536);
	assert_int_equal(d->max_send_size, 128);
	assert_int_equal(d->max_fragmented_size, 128 << 10);
	assert_int_equal(d->max_read_size, 8 << 20);
	smbd_config_free(&cfg);

	expect_error("[global]\nsmb direct max read size = 9M\n",
		     "t.conf:2: smb direct max read size: invalid value '9M' "
		     "(must be 64K..8M)");
	expect_error("[global]\nsmb direct max write size = 32K\n",
		     "t.conf:2: smb direct max write size: invalid value "
		     "'32K' (must be 64K..8M)");
	expect_error("[global]\nsmbd max io size = 0\n",
		     "t.conf:2: smbd max io size: invalid value '0' "
		     "(must be 64K..8M)");
	expect_error("[global]\nsmb direct receive credits = 0\n",
		     "t.conf:2: smb direct receive credits: invalid value '0' "
		     "(must be 1..4096)");
	expect_error("[global]\nsmb direct send credits = 65536\n",
		     "t.conf:2: smb direct send credits: invalid value "
		     "'65536' (must be 1..4096)");
	expect_error("[global]\nsmb direct send credits = 1K\n",
		     "t.conf:2: smb direct send credits: invalid value '1K' "
		     "(expected a number)");
	expect_error("[global]\nsmb direct max receive size = 127\n",
		     "t.conf:2: smb direct max receive size: invalid value "
		     "'127' (must be 128..64K)");
	expect_error("[global]\nsmb direct max send size = 65537\n",
		     "t.conf:2: smb direct max send size: invalid value "
		     "'65537' (must be 128..64K)");
	expect_error("[global]\nsmb direct max fragmented size = 131071\n",
		     "t.conf:2: smb direct max fragmented size: invalid value "
		     "'131071' (must be 128K..16M)");
	expect_error("[global]\nsmb direct max fragmented size = 17M\n",
		     "t.conf:2: smb direct max fragmented size: invalid value "
		     "'17M' (must be 128K..16M)");
	/* Registered memory per connection: credits x size at most 64M. */
	expect_error("[global]\nsmb direct max receive size = 64K\n"
		     "log level = 1\nsmb direct receive credits = 1025\n",
		     "t.conf:4: smb direct receive credits x smb direct max "
		     "receive size is above 64M per connection");
	expect_error("[global]\nsmb direct send credits = 4096\n"
		     "smb direct max send size = 16385\n",
		     "t.conf:3: smb direct send credits x smb direct max send "
		     "size is above 64M per connection");
	assert_int_equal(parse("[global]\nsmb direct max receive size = 64K\n"
			       "smb direct receive credits = 1024\n",
			       &cfg),
			 0);
	smbd_config_free(&cfg);
	/* In a share section: ignored with a warning. */
	assert_int_equal(parse("[s]\npath = /tmp\n"
			       "smb direct receive credits = 9\n",
			       &cfg),
			 0);
	assert_int_equal(cfg.smbdirect.receive_credits, 255);
	assert_non_null(strstr(warnings, "smb direct receive credits"));
	smbd_config_free(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_transport),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_every_global_key),
		cmocka_unit_test(test_every_share_key),
		cmocka_unit_test(test_synonyms),
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_booleans),
		cmocka_unit_test(test_key_normalisation_and_comments),
		cmocka_unit_test(test_unknown_key_warning),
		cmocka_unit_test(test_invalid_values),
		cmocka_unit_test(test_protocols),
		cmocka_unit_test(test_missing_path),
		cmocka_unit_test(test_duplicate_share),
		cmocka_unit_test(test_share_names),
		cmocka_unit_test(test_ipc_section_ignored),
		cmocka_unit_test(test_global_share_defaults),
		cmocka_unit_test(test_global_repeated),
		cmocka_unit_test(test_syntax_errors),
		cmocka_unit_test(test_line_endings_and_nul),
		cmocka_unit_test(test_load_file),
		cmocka_unit_test(test_key_scope),
		cmocka_unit_test(test_encryption_and_multichannel),
		cmocka_unit_test(test_many_shares),
		cmocka_unit_test(test_smbdirect_keys),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
