// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>

#include "platform.h"
#include "config.h"
#include "confedit.h"

static const char base[] = "# Site configuration\n"
			   "[global]\n"
			   "\tworkgroup = LAB\n"
			   "\n"
			   "# Team data\n"
			   "[data]\n"
			   "\tpath = /srv/data\n"
			   "\t; keep this note\n"
			   "\twriteable = no\n"
			   "\tcomment = old\n"
			   "\n"
			   "# Public files\n"
			   "[pub]\n"
			   "\tpath = /srv/pub\n";

static char err[512];

/* Edit text and return the result (caller frees), or NULL with err set. */
static char *edit(const char *text, enum smbd_share_op op, const char *share,
		  const char *const *opts, size_t nopts)
{
	size_t len;
	char *out;

	if (smbd_conf_edit_share(text, strlen(text), op, share, opts, nopts,
				 &out, &len, err, sizeof(err)))
		return NULL;
	assert_int_equal(strlen(out), len);
	return out;
}

/* The edited text must parse. */
static void assert_parses(const char *text, struct smbd_config *cfg)
{
	assert_int_equal(smbd_config_parse("t.conf", text, strlen(text), cfg,
					   err, sizeof(err)),
			 0);
}

static void test_add(void **state)
{
	static const char *const opts[] = { "path=/srv/new",
					    " Comment =  New share  ",
					    "guest ok=yes" };
	char *out = edit(base, SMBD_SHARE_ADD, "New", opts, 3);
	struct smbd_config cfg;

	assert_non_null(out);
	assert_string_equal(out, "# Site configuration\n"
				 "[global]\n"
				 "\tworkgroup = LAB\n"
				 "\n"
				 "# Team data\n"
				 "[data]\n"
				 "\tpath = /srv/data\n"
				 "\t; keep this note\n"
				 "\twriteable = no\n"
				 "\tcomment = old\n"
				 "\n"
				 "# Public files\n"
				 "[pub]\n"
				 "\tpath = /srv/pub\n"
				 "\n"
				 "[New]\n"
				 "\tpath = /srv/new\n"
				 "\tcomment = New share\n"
				 "\tguest ok = yes\n");
	assert_parses(out, &cfg);
	assert_int_equal(cfg.server.nshares, 3);
	assert_true(smbd_config_find_share(&cfg, "new")->guest_ok);
	smbd_config_free(&cfg);
	free(out);
}

static void test_add_to_empty_and_unterminated(void **state)
{
	static const char *const opts[] = { "path=/a" };
	char *out = edit("", SMBD_SHARE_ADD, "a", opts, 1);

	assert_non_null(out);
	assert_string_equal(out, "[a]\n\tpath = /a\n");
	free(out);
	out = edit("[global]\nworkgroup = W", SMBD_SHARE_ADD, "a", opts, 1);
	assert_non_null(out);
	assert_string_equal(out,
			    "[global]\nworkgroup = W\n\n[a]\n\tpath = /a\n");
	free(out);
}

static void test_add_existing(void **state)
{
	static const char *const opts[] = { "path=/x" };

	assert_null(edit(base, SMBD_SHARE_ADD, "DATA", opts, 1));
	assert_string_equal(err, "share 'DATA' already exists");
}

static void test_update(void **state)
{
	static const char *const opts[] = { "read only = no", "comment=new",
					    "browseable=no" };
	char *out = edit(base, SMBD_SHARE_UPDATE, "Data", opts, 3);
	struct smbd_config cfg;

	assert_non_null(out);
	/* Replaced in place (a synonym too), new keys after the last key. */
	assert_string_equal(out, "# Site configuration\n"
				 "[global]\n"
				 "\tworkgroup = LAB\n"
				 "\n"
				 "# Team data\n"
				 "[data]\n"
				 "\tpath = /srv/data\n"
				 "\t; keep this note\n"
				 "\tread only = no\n"
				 "\tcomment = new\n"
				 "\tbrowseable = no\n"
				 "\n"
				 "# Public files\n"
				 "[pub]\n"
				 "\tpath = /srv/pub\n");
	assert_parses(out, &cfg);
	assert_false(smbd_config_find_share(&cfg, "data")->read_only);
	assert_false(smbd_config_find_share(&cfg, "data")->browseable);
	assert_true(smbd_config_find_share(&cfg, "pub")->browseable);
	smbd_config_free(&cfg);
	free(out);
}

static void test_update_removes_duplicates(void **state)
{
	static const char *const opts[] = { "writable=yes" };
	char *out = edit("[s]\npath = /s\nread only = yes\nx = 1\n"
			 "write ok = no\n[t]\nread only = yes\npath = /t\n",
			 SMBD_SHARE_UPDATE, "s", opts, 1);

	assert_non_null(out);
	assert_string_equal(out, "[s]\npath = /s\n\twritable = yes\nx = 1\n"
				 "[t]\nread only = yes\npath = /t\n");
	free(out);
}

static void test_update_missing(void **state)
{
	static const char *const opts[] = { "path=/x" };

	assert_null(edit(base, SMBD_SHARE_UPDATE, "nope", opts, 1));
	assert_string_equal(err, "share 'nope' does not exist");
	assert_null(edit(base, SMBD_SHARE_DELETE, "nope", NULL, 0));
	assert_string_equal(err, "share 'nope' does not exist");
}

static void test_delete(void **state)
{
	char *out = edit(base, SMBD_SHARE_DELETE, "DATA", NULL, 0);

	assert_non_null(out);
	/* Its own comment goes; the next share's stays. */
	assert_string_equal(out, "# Site configuration\n"
				 "[global]\n"
				 "\tworkgroup = LAB\n"
				 "\n"
				 "# Public files\n"
				 "[pub]\n"
				 "\tpath = /srv/pub\n");
	free(out);
	out = edit(base, SMBD_SHARE_DELETE, "pub", NULL, 0);
	assert_non_null(out);
	assert_string_equal(out, "# Site configuration\n"
				 "[global]\n"
				 "\tworkgroup = LAB\n"
				 "\n"
				 "# Team data\n"
				 "[data]\n"
				 "\tpath = /srv/data\n"
				 "\t; keep this note\n"
				 "\twriteable = no\n"
				 "\tcomment = old\n"
				 "\n");
	free(out);
	out = edit("[only]\npath = /o\n", SMBD_SHARE_DELETE, "only", NULL, 0);
	assert_non_null(out);
	assert_string_equal(out, "");
	free(out);
}

static void test_bad_options(void **state)
{
	static const char *const unknown[] = { "frobnicate = 1" };
	static const char *const global[] = { "tcp port = 1" };
	static const char *const no_eq[] = { "path" };
	static const char *const twice[] = { "read only = no",
					     "writeable = yes" };
	static const char *const newline[] = { "comment = a\nb" };

	assert_null(edit(base, SMBD_SHARE_UPDATE, "data", unknown, 1));
	assert_string_equal(err, "option 'frobnicate': unknown share key");
	assert_null(edit(base, SMBD_SHARE_UPDATE, "data", global, 1));
	assert_string_equal(
		err, "option 'tcp port': a [global] key, not a share key");
	assert_null(edit(base, SMBD_SHARE_ADD, "x", no_eq, 1));
	assert_string_equal(err, "option 'path': expected key=value");
	assert_null(edit(base, SMBD_SHARE_UPDATE, "data", twice, 2));
	assert_string_equal(err, "option 'read only' given more than once");
	assert_null(edit(base, SMBD_SHARE_UPDATE, "data", newline, 1));
	assert_string_equal(err, "option 'comment': newline in value");
}

static void test_bad_share_names(void **state)
{
	assert_null(edit(base, SMBD_SHARE_ADD, "a/b", NULL, 0));
	assert_string_equal(err, "invalid share name 'a/b' (contains '/')");
	assert_null(edit(base, SMBD_SHARE_ADD, " a", NULL, 0));
	assert_string_equal(
		err, "invalid share name ' a' (leading or trailing blank)");
	assert_null(edit(base, SMBD_SHARE_DELETE, "Global", NULL, 0));
	assert_string_equal(err, "'Global' is not a share that can be edited");
	assert_null(edit(base, SMBD_SHARE_ADD, "IPC$", NULL, 0));
}

static void test_crlf_kept(void **state)
{
	static const char *const opts[] = { "comment=c" };
	char *out = edit("[s]\r\npath = /s\r\n[t]\r\npath = /t\r\n",
			 SMBD_SHARE_UPDATE, "t", opts, 1);

	assert_non_null(out);
	assert_string_equal(out, "[s]\r\npath = /s\r\n[t]\r\npath = /t\r\n"
				 "\tcomment = c\n");
	free(out);
}

static void test_nul_rejected(void **state)
{
	static const char text[] = "[s]\npath = /s\0\n";
	size_t len;
	char *out;

	assert_int_equal(smbd_conf_edit_share(text, sizeof(text) - 1,
					      SMBD_SHARE_DELETE, "s", NULL, 0,
					      &out, &len, err, sizeof(err)),
			 -1);
	assert_null(out);
	assert_string_equal(err, "NUL byte in configuration");
}

static void test_has_share(void **state)
{
	assert_int_equal(smbd_conf_has_share(base, strlen(base), "PUB"), 1);
	assert_int_equal(smbd_conf_has_share(base, strlen(base), "pu"), 0);
	assert_int_equal(smbd_conf_has_share("", 0, "pub"), 0);
	/*
	 * A header too long to be a share name matches nothing, even one
	 * whose first 255 bytes are a valid name.
	 */
	{
		char text[400] = "[", share[300] = "";

		for (int i = 0; i < 63; i++)
			strcat(share, "\xf0\x9f\x98\x80");
		strcat(share, "abc");
		assert_int_equal(strlen(share), 255);
		snprintf(text, sizeof(text), "[%szzz]\npath = /a\n", share);
		assert_int_equal(smbd_conf_has_share(text, strlen(text), share),
				 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add),
		cmocka_unit_test(test_add_to_empty_and_unterminated),
		cmocka_unit_test(test_add_existing),
		cmocka_unit_test(test_update),
		cmocka_unit_test(test_update_removes_duplicates),
		cmocka_unit_test(test_update_missing),
		cmocka_unit_test(test_delete),
		cmocka_unit_test(test_bad_options),
		cmocka_unit_test(test_bad_share_names),
		cmocka_unit_test(test_crlf_kept),
		cmocka_unit_test(test_nul_rejected),
		cmocka_unit_test(test_has_share),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
