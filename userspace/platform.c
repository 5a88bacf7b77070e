// SPDX-License-Identifier: GPL-2.0-or-later
/* platform.c - userspace implementations of the services core/compat.h declares. */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "platform.h"

struct smb_mutex {
	pthread_mutex_t m;
};

struct smb_mutex *smb_mutex_new(void)
{
	struct smb_mutex *m = calloc(1, sizeof(*m));

	if (m)
		pthread_mutex_init(&m->m, NULL);
	return m;
}

void smb_mutex_free(struct smb_mutex *m)
{
	if (!m)
		return;
	pthread_mutex_destroy(&m->m);
	free(m);
}

void smb_mutex_lock(struct smb_mutex *m)
{
	pthread_mutex_lock(&m->m);
}

void smb_mutex_unlock(struct smb_mutex *m)
{
	pthread_mutex_unlock(&m->m);
}

static int log_level = SMB_LOG_WARN;
static FILE *log_stream;

void smb_set_log_level(int level)
{
	__atomic_store_n(&log_level, level, __ATOMIC_RELAXED);
}

int smb_get_log_level(void)
{
	return __atomic_load_n(&log_level, __ATOMIC_RELAXED);
}

void smb_set_log_stream(FILE *f)
{
	log_stream = f;
}

void smb_log(int level, const char *fmt, ...)
{
	static const char *const names[] = { "error", "warning", "info",
					     "debug" };
	char line[1024];
	struct timespec ts;
	struct tm tm;
	va_list ap;

	if (level > smb_get_log_level())
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	fprintf(log_stream ? log_stream : stderr,
		"%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ %s: %s\n",
		tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000,
		names[level < 0 ? 0 : level > 3 ? 3 : level], line);
}

int smb_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if (size && (size_t)n >= size)
		n = (int)size - 1;
	return n;
}
