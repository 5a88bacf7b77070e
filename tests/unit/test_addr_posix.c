// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>

#include "platform.h"
#include "addr_posix.h"

/* What the callback saw, as "name" strings, and when to fail. */
struct seen {
	char names[8][SMB_ADDR_NAME_LEN];
	int n;
	int fail_at; /* 1-based call that returns -EADDRINUSE; 0: never */
};

static int record(void *ctx, const struct sockaddr *sa, socklen_t salen)
{
	struct seen *s = ctx;

	assert_true(salen == sizeof(struct sockaddr_in) ||
		    salen == sizeof(struct sockaddr_in6));
	if (s->n < 8)
		smb_sockaddr_name(sa, s->names[s->n], SMB_ADDR_NAME_LEN);
	s->n++;
	return s->n == s->fail_at ? -EADDRINUSE : 0;
}

static void test_literals(void **state)
{
	struct seen s = { 0 };

	assert_int_equal(smb_addr_list_foreach("127.0.0.1, [::1]\t10.0.0.7",
					       5445, "t", record, &s),
			 0);
	assert_int_equal(s.n, 3);
	assert_string_equal(s.names[0], "127.0.0.1:5445");
	assert_string_equal(s.names[1], "[::1]:5445");
	assert_string_equal(s.names[2], "10.0.0.7:5445");
}

static void test_interface(void **state)
{
	struct seen s = { 0 };

	/* Loopback has 127.0.0.1 (and ::1 where IPv6 is on). */
	assert_int_equal(smb_addr_list_foreach("lo", 445, "t", record, &s), 0);
	assert_true(s.n >= 1);
	for (int i = 0; i < s.n && i < 8; i++)
		assert_true(!strcmp(s.names[i], "127.0.0.1:445") ||
			    !strcmp(s.names[i], "[::1]:445"));
}

static void test_errors(void **state)
{
	char longname[200];
	struct seen s = { 0 };

	/* Empty lists are the caller's "every address". */
	assert_int_equal(smb_addr_list_foreach(NULL, 1, "t", record, &s),
			 -ENOENT);
	assert_int_equal(smb_addr_list_foreach(" ,\t ", 1, "t", record, &s),
			 -ENOENT);
	assert_int_equal(s.n, 0);
	assert_int_equal(smb_addr_list_foreach("no-such-if0", 1, "t", record,
					       &s),
			 -ENODEV);
	assert_int_equal(smb_addr_list_foreach("[]", 1, "t", record, &s),
			 -EINVAL);
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	assert_int_equal(smb_addr_list_foreach(longname, 1, "t", record, &s),
			 -EINVAL);
	assert_int_equal(s.n, 0);
	/* The first failure of the callback stops the walk. */
	s.fail_at = 2;
	assert_int_equal(smb_addr_list_foreach("127.0.0.1 127.0.0.2 127.0.0.3",
					       1, "t", record, &s),
			 -EADDRINUSE);
	assert_int_equal(s.n, 2);
}

static void test_sockaddr_name(void **state)
{
	struct sockaddr_in6 s6 = { .sin6_family = AF_INET6,
				   .sin6_port = htons(65535) };
	struct sockaddr_in s4 = { .sin_family = AF_INET, .sin_port = 0 };
	struct sockaddr su = { .sa_family = AF_UNIX };
	char out[SMB_ADDR_NAME_LEN];

	inet_pton(AF_INET6, "fe80::1:2", &s6.sin6_addr);
	smb_sockaddr_name((struct sockaddr *)&s6, out, sizeof(out));
	assert_string_equal(out, "[fe80::1:2]:65535");
	s4.sin_addr.s_addr = htonl(0x0a630001);
	smb_sockaddr_name((struct sockaddr *)&s4, out, sizeof(out));
	assert_string_equal(out, "10.99.0.1:0");
	smb_sockaddr_name(&su, out, sizeof(out));
	assert_string_equal(out, "?");
	/* Truncated, still terminated. */
	smb_sockaddr_name((struct sockaddr *)&s6, out, 6);
	assert_string_equal(out, "[fe80");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_literals),
		cmocka_unit_test(test_interface),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_sockaddr_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
