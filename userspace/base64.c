// SPDX-License-Identifier: GPL-2.0-or-later
/* base64.c - RFC 4648 section 4 base64, strict decoding. */
#include "platform.h"
#include "base64.h"

static const char alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t smbd_base64_encoded_len(size_t len)
{
	return (len + 2) / 3 * 4;
}

int smbd_base64_encode(const void *in, size_t len, char *out, size_t out_size)
{
	const u8 *p = in;
	size_t need, o = 0;

	if (len > (size_t)INT32_MAX / 4 * 3 - 3)
		goto no_room;
	need = smbd_base64_encoded_len(len);
	if (need >= out_size)
		goto no_room;
	for (size_t i = 0; i < len; i += 3) {
		size_t left = len - i;
		u32 v = (u32)p[i] << 16;

		if (left > 1)
			v |= (u32)p[i + 1] << 8;
		if (left > 2)
			v |= p[i + 2];
		out[o++] = alphabet[(v >> 18) & 63];
		out[o++] = alphabet[(v >> 12) & 63];
		out[o++] = left > 1 ? alphabet[(v >> 6) & 63] : '=';
		out[o++] = left > 2 ? alphabet[v & 63] : '=';
	}
	out[o] = '\0';
	return (int)o;
no_room:
	if (out_size)
		out[0] = '\0';
	return -1;
}

/* Value of one alphabet character, or -1. */
static int sextet(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

int smbd_base64_decode(const char *in, size_t len, u8 *out, size_t out_size)
{
	size_t o = 0;

	if (len % 4 || len / 4 * 3 > INT32_MAX)
		return -1;
	for (size_t i = 0; i < len; i += 4) {
		bool last = i + 4 == len;
		int pad = 0, s[4];
		u32 v = 0;

		for (int k = 0; k < 4; k++) {
			s[k] = sextet(in[i + k]);
			if (s[k] >= 0 && !pad)
				continue;
			/* '=' may only appear in the last two places of the last quantum. */
			if (!last || in[i + k] != '=' || k < 2)
				return -1;
			pad++;
			s[k] = 0;
		}
		for (int k = 0; k < 4; k++)
			v = v << 6 | (u32)s[k];
		/* Canonical form: bits not covered by output bytes must be zero. */
		if ((pad == 1 && (v & 0xff)) || (pad == 2 && (v & 0xffff)))
			return -1;
		if (o + 3 - (size_t)pad > out_size)
			return -1;
		out[o++] = (u8)(v >> 16);
		if (pad < 2)
			out[o++] = (u8)(v >> 8);
		if (pad < 1)
			out[o++] = (u8)v;
	}
	return (int)o;
}
