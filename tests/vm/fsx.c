// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fsx.c - random read/write/truncate checking of one file, in the manner
 * of the classic file system exerciser: every operation is applied to the
 * file and to a copy in memory, every read is compared with the copy, and
 * a difference stops the run with the operations that led to it.
 *
 *   fsx [-n OPS] [-s SEED] [-l MAXLEN] [-o MAXOP] [-r] FILE
 *
 * -r closes and reopens the file now and then (and checks it whole), so
 * the server sees fresh opens, not only one handle's cache.  Bounded: OPS
 * operations on a file of at most MAXLEN bytes.  Exit 0 on no difference.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define HISTORY 32

enum op_kind { OP_READ, OP_WRITE, OP_TRUNCATE, OP_FSYNC, OP_REOPEN };

static const char *const op_names[] = { "read", "write", "truncate",
					"fsync", "reopen" };

struct op {
	unsigned long n;
	enum op_kind kind;
	uint64_t offset, length;
};

static struct op history[HISTORY];
static unsigned long nops_done;
static uint64_t rng_state;
static const char *path;
static int fd = -1;
static unsigned char *shadow, *scratch;
static uint64_t file_len, max_len, max_op;

/* xorshift64*: reproducible from the seed alone. */
static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}

static uint64_t rnd_below(uint64_t n)
{
	return n ? rnd() % n : 0;
}

static void record(enum op_kind kind, uint64_t offset, uint64_t length)
{
	struct op *o = &history[nops_done % HISTORY];

	o->n = nops_done;
	o->kind = kind;
	o->offset = offset;
	o->length = length;
}

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2),
						     noreturn));

static void fail(const char *fmt, ...)
{
	va_list ap;
	unsigned long first = nops_done >= HISTORY ? nops_done - HISTORY + 1 : 0;
	unsigned long i;

	fprintf(stderr, "fsx: %s: op %lu: ", path, nops_done);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nfsx: last operations (file length %" PRIu64 "):\n",
		file_len);
	for (i = first; i <= nops_done; i++) {
		const struct op *o = &history[i % HISTORY];

		if (o->n != i)
			continue;
		fprintf(stderr, "  %6lu %-8s offset %" PRIu64 " length %" PRIu64
				"\n",
			o->n, op_names[o->kind], o->offset, o->length);
	}
	exit(1);
}

static void full_pread(uint64_t offset, uint64_t length)
{
	uint64_t done = 0;

	while (done < length) {
		ssize_t r = pread(fd, scratch + done, length - done,
				  (off_t)(offset + done));

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			fail("pread: %s", strerror(errno));
		if (r == 0)
			fail("pread: end of file at %" PRIu64 ", expected %" PRIu64,
			     offset + done, file_len);
		done += (uint64_t)r;
	}
}

static void compare(uint64_t offset, uint64_t length)
{
	uint64_t i;

	full_pread(offset, length);
	for (i = 0; i < length; i++)
		if (scratch[i] != shadow[offset + i])
			fail("data differs at %" PRIu64 ": got 0x%02x, expected "
			     "0x%02x",
			     offset + i, scratch[i], shadow[offset + i]);
}

static void check_size(void)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		fail("fstat: %s", strerror(errno));
	if ((uint64_t)st.st_size != file_len)
		fail("size is %lld, expected %" PRIu64, (long long)st.st_size,
		     file_len);
}

static void do_read(void)
{
	uint64_t offset, length;

	if (file_len == 0) {
		record(OP_READ, 0, 0);
		return;
	}
	offset = rnd_below(file_len);
	length = 1 + rnd_below(max_op);
	if (length > file_len - offset)
		length = file_len - offset;
	record(OP_READ, offset, length);
	compare(offset, length);
}

static void do_write(void)
{
	uint64_t offset = rnd_below(max_len);
	uint64_t length = 1 + rnd_below(max_op);
	uint64_t i, done = 0;

	if (length > max_len - offset)
		length = max_len - offset;
	record(OP_WRITE, offset, length);
	/* A gap between the old end and the write reads back as zeros. */
	if (offset > file_len)
		memset(shadow + file_len, 0, offset - file_len);
	for (i = 0; i < length; i++)
		shadow[offset + i] = (unsigned char)(rnd() >> 56);
	while (done < length) {
		ssize_t r = pwrite(fd, shadow + offset + done, length - done,
				   (off_t)(offset + done));

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			fail("pwrite: %s", r < 0 ? strerror(errno) : "0 bytes");
		done += (uint64_t)r;
	}
	if (offset + length > file_len)
		file_len = offset + length;
}

static void do_truncate(void)
{
	uint64_t len = rnd_below(max_len + 1);

	record(OP_TRUNCATE, len, 0);
	if (ftruncate(fd, (off_t)len) < 0)
		fail("ftruncate: %s", strerror(errno));
	if (len > file_len)
		memset(shadow + file_len, 0, len - file_len);
	file_len = len;
	check_size();
}

static void open_file(int flags)
{
	fd = open(path, O_RDWR | flags, 0644);
	if (fd < 0)
		fail("open: %s", strerror(errno));
}

static void do_reopen(void)
{
	record(OP_REOPEN, 0, file_len);
	if (close(fd) < 0)
		fail("close: %s", strerror(errno));
	open_file(0);
	check_size();
	compare(0, file_len);
}

static void usage(void)
{
	fprintf(stderr, "usage: fsx [-n OPS] [-s SEED] [-l MAXLEN] [-o MAXOP] "
			"[-r] FILE\n");
	exit(2);
}

int main(int argc, char **argv)
{
	unsigned long nops = 10000;
	uint64_t seed = 1;
	bool reopen = false;
	int c;

	max_len = 256 * 1024;
	max_op = 64 * 1024;
	while ((c = getopt(argc, argv, "n:s:l:o:r")) != -1) {
		switch (c) {
		case 'n':
			nops = strtoul(optarg, NULL, 0);
			break;
		case 's':
			seed = strtoull(optarg, NULL, 0);
			break;
		case 'l':
			max_len = strtoull(optarg, NULL, 0);
			break;
		case 'o':
			max_op = strtoull(optarg, NULL, 0);
			break;
		case 'r':
			reopen = true;
			break;
		default:
			usage();
		}
	}
	if (optind != argc - 1 || max_len == 0 || max_op == 0)
		usage();
	path = argv[optind];
	rng_state = seed ? seed : 1;
	shadow = calloc(1, max_len);
	scratch = malloc(max_len);
	if (!shadow || !scratch) {
		fprintf(stderr, "fsx: out of memory\n");
		return 2;
	}
	open_file(O_CREAT | O_TRUNC);
	for (nops_done = 0; nops_done < nops; nops_done++) {
		unsigned int pick = (unsigned int)rnd_below(100);

		if (pick < 40)
			do_read();
		else if (pick < 80)
			do_write();
		else if (pick < 92)
			do_truncate();
		else if (pick < 96 || !reopen) {
			record(OP_FSYNC, 0, 0);
			if (fsync(fd) < 0)
				fail("fsync: %s", strerror(errno));
		} else
			do_reopen();
	}
	nops_done = nops ? nops - 1 : 0;
	check_size();
	compare(0, file_len);
	close(fd);
	printf("fsx: %s: %lu operations, seed %" PRIu64 ", final length %" PRIu64
	       ", no difference\n",
	       path, nops, seed, file_len);
	return 0;
}
