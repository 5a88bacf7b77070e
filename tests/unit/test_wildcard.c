// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <time.h>

#include "platform.h"
#include "wildcard.h"

struct wc_case {
	const char *pattern;
	const char *name;
	bool match;
};

static void run_table(const struct wc_case *t, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		bool got = smb_wildcard_match(t[i].pattern, t[i].name);

		if (got != t[i].match)
			fail_msg("pattern \"%s\" name \"%s\": got %d want %d",
				 t[i].pattern, t[i].name, got, t[i].match);
	}
}

/* '*', '?' and literals, [MS-FSA] 2.1.4.4. */
static void test_star_and_question(void **state)
{
	static const struct wc_case t[] = {
		{ "*", "foo", true },
		{ "*", "a.b.c", true },
		{ "*.*", "foo", true }, /* special case: no dot needed */
		{ "*.*", ".profile", true },
		{ "*.txt", "a.txt", true },
		{ "*.txt", ".txt", true },
		{ "*.txt", "a.txt.bak", false },
		{ "*.txt", "atxt", false },
		{ "a*", "a", true },
		{ "*a", "bca", true },
		{ "*a", "ab", false },
		{ "**", "x", true },
		{ "*?", "a", true },
		{ "a*b*c", "aXbYc", true },
		{ "a*b*c", "aXbY", false },
		{ "a?c", "abc", true },
		{ "a?c", "a.c", true }, /* '?' also matches a dot */
		{ "a?c", "ac", false },
		{ "???", "ab", false },
		{ "???", "abc", true },
		{ "abc", "abc", true },
		{ "abc", "abd", false },
		{ "abc", "ab", false },
		{ "ab", "abc", false },
		{ "*.?", "x.y", true },
		{ "*.?", "x.", false },
	};

	run_table(t, ARRAY_SIZE(t));
}

/* Empty strings: [MS-FSA] 2.1.4.4 part 1. */
static void test_empty(void **state)
{
	static const struct wc_case t[] = {
		{ "", "", true },
		{ "", "a", false },
		{ "*", "", false },
		{ "a", "", false },
	};

	run_table(t, ARRAY_SIZE(t));
}

/* DOS_STAR '<', DOS_QM '>', DOS_DOT '"'. */
static void test_dos_wildcards(void **state)
{
	static const struct wc_case t[] = {
		/* '<' stops before the final dot. */
		{ "<", "abc", true },
		{ "<", "a.b", false },
		{ "<.txt", "a.txt", true },
		{ "<.txt", "a.b.txt", true },
		{ "<.txt", "abc", false },
		{ "<.b", "a.b.b", true },
		{ "a<", "a", true },
		/* Win32 "*.*" translated: "<\"*" matches everything. */
		{ "<\"*", "foo", true },
		{ "<\"*", "a.b.c", true },
		{ "<\"*", "a.", true },
		/* '>' is any char, or nothing at a dot or the end. */
		{ ">>>.txt", "ab.txt", true },
		{ ">>>.txt", "abc.txt", true },
		{ ">>>.txt", ".txt", true },
		{ ">>>.txt", "abcd.txt", false },
		{ "a>", "a", true },
		{ "a>", "ab", true },
		{ "a>", "abc", false },
		{ ">", ".", false },
		{ "a>b", "a.b", false },
		{ "a>.b", "a.b", true },
		/* '"' is a dot, or nothing past the end of the name. */
		{ "foo\"", "foo", true },
		{ "foo\"", "foo.", true },
		{ "foo\"", "foox", false },
		{ "a\"b", "a.b", true },
		{ "a\"b", "ab", false },
		{ "<\"txt", "x.txt", true },
	};

	run_table(t, ARRAY_SIZE(t));
}

static void test_case_insensitive(void **state)
{
	static const struct wc_case t[] = {
		{ "*.TXT", "readme.txt", true },
		{ "README.*", "ReadMe.md", true },
		{ "\xc3\x84"
		  "BC*",
		  "\xc3\xa4"
		  "bcd",
		  true }, /* Ä vs ä */
		{ "\xd0\x9f\xd0\xa0\xd0\x98?",
		  "\xd0\xbf\xd1\x80\xd0\xb8\xd1\x8f", true }, /* ПРИ? vs прия */
		{ "?", "\xf0\x9f\x98\x80", true }, /* one code point */
		{ "??", "\xf0\x9f\x98\x80", false },
		{ "\xc3\xa9", "e", false },
	};

	run_table(t, ARRAY_SIZE(t));
}

static void test_invalid_and_limits(void **state)
{
	char big[SMB_WILDCARD_MAX_PATTERN + 2];

	assert_false(smb_wildcard_match("a*", "a\xff"));
	assert_false(smb_wildcard_match("\xc3", "a"));
	assert_false(smb_wildcard_match("?", "\xc3"));
	/* "*" is answered before the name is looked at. */
	assert_true(smb_wildcard_match("*", "\xff"));

	memset(big, '*', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_false(smb_wildcard_match(big, "a"));
	big[SMB_WILDCARD_MAX_PATTERN] = '\0';
	assert_true(smb_wildcard_match(big, "a"));

	assert_true(smb_wildcard_has_wild("a*"));
	assert_true(smb_wildcard_has_wild("a<"));
	assert_true(smb_wildcard_has_wild("\""));
	assert_false(smb_wildcard_has_wild("plain.txt"));
	assert_false(smb_wildcard_has_wild(""));
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Backtracking matchers blow up here; this one must stay polynomial. */
static void test_pathological(void **state)
{
	char name[2100];
	char pattern[SMB_WILDCARD_MAX_PATTERN + 1];
	double t0 = now_ms();

	memset(name, 'a', 200);
	name[200] = '\0';
	assert_false(smb_wildcard_match("*a*a*a*a*a*b", name));
	assert_false(smb_wildcard_match("<a<a<a<a<a<a<b", name));
	assert_false(
		smb_wildcard_match("*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b", name));
	name[199] = 'b';
	assert_true(smb_wildcard_match("*a*a*a*a*a*b", name));

	/* Worst case: a full-size pattern against a long name. */
	for (size_t i = 0; i < SMB_WILDCARD_MAX_PATTERN; i++)
		pattern[i] = (i & 1) ? 'a' : '*';
	pattern[SMB_WILDCARD_MAX_PATTERN - 1] = 'b';
	pattern[SMB_WILDCARD_MAX_PATTERN] = '\0';
	memset(name, 'a', 2000);
	name[2000] = '\0';
	assert_false(smb_wildcard_match(pattern, name));

	/* Generous bound even for ASan/UBSan builds. */
	assert_true(now_ms() - t0 < 2000.0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_star_and_question),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_dos_wildcards),
		cmocka_unit_test(test_case_insensitive),
		cmocka_unit_test(test_invalid_and_limits),
		cmocka_unit_test(test_pathological),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
