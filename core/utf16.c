// SPDX-License-Identifier: GPL-2.0-or-later
/* utf16.c - conversions between the wire's UTF-16LE and the VFS's UTF-8. */
#include "utf16.h"

static int put_utf8(u32 cp, char *out, size_t out_size, size_t *pos)
{
	u8 b[4];
	int n, i;

	if (cp < 0x80) {
		b[0] = (u8)cp;
		n = 1;
	} else if (cp < 0x800) {
		b[0] = (u8)(0xc0 | (cp >> 6));
		b[1] = (u8)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		b[0] = (u8)(0xe0 | (cp >> 12));
		b[1] = (u8)(0x80 | ((cp >> 6) & 0x3f));
		b[2] = (u8)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		b[0] = (u8)(0xf0 | (cp >> 18));
		b[1] = (u8)(0x80 | ((cp >> 12) & 0x3f));
		b[2] = (u8)(0x80 | ((cp >> 6) & 0x3f));
		b[3] = (u8)(0x80 | (cp & 0x3f));
		n = 4;
	}
	/* Keep one byte for the terminator. */
	if (*pos + (size_t)n >= out_size)
		return -1;
	for (i = 0; i < n; i++)
		out[(*pos)++] = (char)b[i];
	return 0;
}

int smb_utf16_to_utf8(const u8 *in, size_t len, char *out, size_t out_size)
{
	size_t i, pos = 0;

	if ((len & 1) || out_size == 0)
		return -1;
	for (i = 0; i < len; i += 2) {
		u32 cp = smb_get_le16(in + i);

		if (cp == 0)
			return -1;
		if (cp >= 0xd800 && cp <= 0xdbff) {
			u32 lo;

			if (i + 4 > len)
				return -1;
			lo = smb_get_le16(in + i + 2);
			if (lo < 0xdc00 || lo > 0xdfff)
				return -1;
			cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			i += 2;
		} else if (cp >= 0xdc00 && cp <= 0xdfff) {
			return -1;
		}
		if (put_utf8(cp, out, out_size, &pos))
			return -1;
	}
	out[pos] = '\0';
	if (pos > 0x7fffffff)
		return -1;
	return (int)pos;
}

int smb_utf8_decode(const char *str, u32 *cp)
{
	const u8 *s = (const u8 *)str;
	u32 c = s[0];
	int n, i;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if ((c & 0xe0) == 0xc0) {
		n = 2;
		c &= 0x1f;
	} else if ((c & 0xf0) == 0xe0) {
		n = 3;
		c &= 0x0f;
	} else if ((c & 0xf8) == 0xf0) {
		n = 4;
		c &= 0x07;
	} else {
		return -1;
	}
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return -1;
		c = (c << 6) | (s[i] & 0x3f);
	}
	/* Reject overlong forms, surrogates and out-of-range values. */
	if ((n == 2 && c < 0x80) || (n == 3 && c < 0x800) ||
	    (n == 4 && c < 0x10000) || c > 0x10ffff ||
	    (c >= 0xd800 && c <= 0xdfff))
		return -1;
	*cp = c;
	return n;
}

int smb_utf8_to_utf16(const char *in, u8 *out, size_t out_size)
{
	size_t pos = 0;

	while (*in) {
		u32 cp;
		int n = smb_utf8_decode(in, &cp);

		if (n < 0)
			return -1;
		in += n;
		if (cp >= 0x10000) {
			if (pos + 4 > out_size)
				return -1;
			cp -= 0x10000;
			smb_put_le16(out + pos, (u16)(0xd800 + (cp >> 10)));
			smb_put_le16(out + pos + 2, (u16)(0xdc00 + (cp & 0x3ff)));
			pos += 4;
		} else {
			if (pos + 2 > out_size)
				return -1;
			smb_put_le16(out + pos, (u16)cp);
			pos += 2;
		}
		if (pos > 0x7fffffff)
			return -1;
	}
	return (int)pos;
}

int smb_utf8_utf16_len(const char *in)
{
	size_t len = 0;

	while (*in) {
		u32 cp;
		int n = smb_utf8_decode(in, &cp);

		if (n < 0)
			return -1;
		in += n;
		len += cp >= 0x10000 ? 4 : 2;
		if (len > 0x7fffffff)
			return -1;
	}
	return (int)len;
}

u32 smb_upcase(u32 cp)
{
	if (cp >= 'a' && cp <= 'z')
		return cp - 32;
	/* Latin-1 lower case letters except the division sign and y-diaeresis. */
	if (cp >= 0xe0 && cp <= 0xfe && cp != 0xf7)
		return cp - 32;
	if (cp == 0xff)
		return 0x178;
	/* Latin Extended-A: pairs, upper case at even code points. */
	if (cp >= 0x100 && cp <= 0x17f && cp != 0x131 && cp != 0x138 &&
	    cp != 0x149 && cp != 0x17f) {
		if ((cp >= 0x139 && cp <= 0x148) || (cp >= 0x179 && cp <= 0x17e))
			return (cp & 1) ? cp : cp - 1;
		return (cp & 1) ? cp - 1 : cp;
	}
	/* Greek and Cyrillic basic blocks. */
	if (cp >= 0x3b1 && cp <= 0x3c9 && cp != 0x3c2)
		return cp - 32;
	if (cp >= 0x430 && cp <= 0x44f)
		return cp - 32;
	if (cp >= 0x450 && cp <= 0x45f)
		return cp - 80;
	return cp;
}

bool smb_name_equal_ci(const char *a, const char *b)
{
	while (*a && *b) {
		u32 ca, cb;
		int na = smb_utf8_decode(a, &ca);
		int nb = smb_utf8_decode(b, &cb);

		if (na < 0 || nb < 0)
			return false;
		if (smb_upcase(ca) != smb_upcase(cb))
			return false;
		a += na;
		b += nb;
	}
	return *a == *b;
}
