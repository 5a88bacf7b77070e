// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * md4.c - MD4 as specified in RFC 1320.  NTLM needs it for the NT hash and
 * nothing else; keeping it here means no backend must enable a legacy
 * crypto provider.
 */
#include "md4.h"
#include "utf16.h"

#define ROTL(x, n) (((x) << (n)) | ((x) >> (32 - (n))))
#define F(x, y, z) (((x) & (y)) | (~(x) & (z)))
#define G(x, y, z) (((x) & (y)) | ((x) & (z)) | ((y) & (z)))
#define H(x, y, z) ((x) ^ (y) ^ (z))

static void md4_block(u32 st[4], const u8 *blk)
{
	static const u8 r2[16] = { 0, 4, 8, 12, 1, 5, 9, 13,
				   2, 6, 10, 14, 3, 7, 11, 15 };
	static const u8 r3[16] = { 0, 8, 4, 12, 2, 10, 6, 14,
				   1, 9, 5, 13, 3, 11, 7, 15 };
	static const u8 s1[4] = { 3, 7, 11, 19 };
	static const u8 s2[4] = { 3, 5, 9, 13 };
	static const u8 s3[4] = { 3, 9, 11, 15 };
	u32 x[16], v[4], t;
	int i;

	for (i = 0; i < 16; i++)
		x[i] = smb_get_le32(blk + 4 * i);
	for (i = 0; i < 4; i++)
		v[i] = st[i];
	/* Each step updates v[(4 - i) % 4] from the other three, rotating roles. */
	for (i = 0; i < 16; i++) {
		u32 *a = &v[(4 - i % 4) % 4], b = v[(5 - i % 4) % 4],
		    c = v[(6 - i % 4) % 4], d = v[(7 - i % 4) % 4];

		t = *a + F(b, c, d) + x[i];
		*a = ROTL(t, s1[i % 4]);
	}
	for (i = 0; i < 16; i++) {
		u32 *a = &v[(4 - i % 4) % 4], b = v[(5 - i % 4) % 4],
		    c = v[(6 - i % 4) % 4], d = v[(7 - i % 4) % 4];

		t = *a + G(b, c, d) + x[r2[i]] + 0x5a827999u;
		*a = ROTL(t, s2[i % 4]);
	}
	for (i = 0; i < 16; i++) {
		u32 *a = &v[(4 - i % 4) % 4], b = v[(5 - i % 4) % 4],
		    c = v[(6 - i % 4) % 4], d = v[(7 - i % 4) % 4];

		t = *a + H(b, c, d) + x[r3[i]] + 0x6ed9eba1u;
		*a = ROTL(t, s3[i % 4]);
	}
	for (i = 0; i < 4; i++)
		st[i] += v[i];
}

void smb_md4(const void *data, size_t len, u8 out[SMB_MD4_SIZE])
{
	u32 st[4] = { 0x67452301u, 0xefcdab89u, 0x98badcfeu, 0x10325476u };
	const u8 *p = data;
	u8 tail[128];
	size_t rest = len % 64, full = len - rest, tail_len;
	size_t i;

	for (i = 0; i < full; i += 64)
		md4_block(st, p + i);
	memset(tail, 0, sizeof(tail));
	if (rest)
		memcpy(tail, p + full, rest);
	tail[rest] = 0x80;
	tail_len = rest < 56 ? 64 : 128;
	smb_put_le64(tail + tail_len - 8, (u64)len * 8);
	md4_block(st, tail);
	if (tail_len == 128)
		md4_block(st, tail + 64);
	for (i = 0; i < 4; i++)
		smb_put_le32(out + 4 * i, st[i]);
	smb_memzero_explicit(tail, sizeof(tail));
}

int smb_nt_hash(const char *password_utf8, u8 out[SMB_MD4_SIZE])
{
	u8 buf[512];
	int n = smb_utf8_to_utf16(password_utf8, buf, sizeof(buf));

	if (n < 0)
		return -1;
	smb_md4(buf, (size_t)n, out);
	smb_memzero_explicit(buf, sizeof(buf));
	return 0;
}
