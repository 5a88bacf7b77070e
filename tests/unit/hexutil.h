/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hexutil.h - hex helpers shared by the unit tests (test code only). */
#ifndef SMB_TEST_HEXUTIL_H
#define SMB_TEST_HEXUTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static inline int hexutil_nibble(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/*
 * Decode a hex string (whitespace ignored) into a fresh heap buffer; the
 * caller frees it.  *len gets the byte count.  Aborts on malformed input
 * so a typo in a vector cannot pass silently.
 */
static inline unsigned char *hex_alloc(const char *hex, size_t *len)
{
	size_t n = 0, cap = strlen(hex) / 2 + 1;
	unsigned char *out = malloc(cap);
	int hi = -1;

	if (!out)
		abort();
	for (; *hex; hex++) {
		int v;

		if (*hex == ' ' || *hex == '\n' || *hex == '\t')
			continue;
		v = hexutil_nibble(*hex);
		if (v < 0)
			abort();
		if (hi < 0) {
			hi = v;
		} else {
			out[n++] = (unsigned char)(hi << 4 | v);
			hi = -1;
		}
	}
	if (hi >= 0)
		abort();
	*len = n;
	return out;
}

/* Lower-case hex of n bytes into out (2n+1 bytes). */
static inline char *hex_str(const unsigned char *d, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[d[i] >> 4];
		out[2 * i + 1] = digits[d[i] & 15];
	}
	out[2 * n] = 0;
	return out;
}

/* True if d[0..n) equals the hex string; prints both on a mismatch. */
static inline int hex_matches(const unsigned char *d, size_t n, const char *hex)
{
	size_t want_len;
	unsigned char *want = hex_alloc(hex, &want_len);
	int same = want_len == n && memcmp(d, want, n) == 0;

	if (!same) {
		char *got = malloc(2 * n + 1);

		if (!got)
			abort();
		fprintf(stderr, "got  %s\nwant %s\n", hex_str(d, n, got), hex);
		free(got);
	}
	free(want);
	return same;
}

#endif /* SMB_TEST_HEXUTIL_H */
