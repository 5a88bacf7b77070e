// SPDX-License-Identifier: GPL-2.0-or-later
/* The userspace services behind core/compat.h: mutex, log, snprintf. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "platform.h"

static void test_snprintf_truncates(void **state)
{
	char buf[8];

	assert_int_equal(smb_snprintf(buf, sizeof(buf), "%s", "abc"), 3);
	assert_string_equal(buf, "abc");
	/* truncated output reports what was written, not what was wanted */
	assert_int_equal(smb_snprintf(buf, sizeof(buf), "%s-%d", "abcdef", 42),
			 7);
	assert_string_equal(buf, "abcdef-");
}

static void test_log_levels_and_stream(void **state)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	smb_set_log_stream(f);
	smb_set_log_level(SMB_LOG_WARN);
	smb_info("not shown %d", 1);
	smb_warn("shown %d", 2);
	smb_set_log_level(SMB_LOG_DEBUG);
	smb_dbg("debug %s", "now");
	fflush(f);
	assert_null(strstr(text, "not shown"));
	assert_non_null(strstr(text, "warning: shown 2"));
	assert_non_null(strstr(text, "debug: debug now"));
	smb_set_log_stream(NULL);
	fclose(f);
	free(text);
	smb_set_log_level(SMB_LOG_WARN);
}

static struct smb_mutex *lock;
static long counter;

static void *bump(void *arg)
{
	for (int i = 0; i < 100000; i++) {
		smb_mutex_lock(lock);
		counter++;
		smb_mutex_unlock(lock);
	}
	return NULL;
}

static void test_mutex_excludes(void **state)
{
	pthread_t t[4];

	lock = smb_mutex_new();
	assert_non_null(lock);
	counter = 0;
	for (int i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&t[i], NULL, bump, NULL), 0);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	assert_int_equal(counter, 400000);
	smb_mutex_free(lock);
	smb_mutex_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_snprintf_truncates),
		cmocka_unit_test(test_log_levels_and_stream),
		cmocka_unit_test(test_mutex_excludes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
