// SPDX-License-Identifier: GPL-2.0-or-later
/* rc4.c - the RC4 stream cipher: key schedule, then keystream XOR. */
#include "rc4.h"

void smb_rc4(const u8 *key, size_t key_len, u8 *data, size_t len)
{
	u8 state[256], tmp;
	unsigned int i, j;
	size_t n;

	if (!key || key_len == 0)
		return;
	for (i = 0; i < 256; i++)
		state[i] = (u8)i;
	for (i = 0, j = 0; i < 256; i++) {
		j = (j + state[i] + key[i % key_len]) & 0xff;
		tmp = state[i];
		state[i] = state[j];
		state[j] = tmp;
	}
	for (n = 0, i = 0, j = 0; n < len; n++) {
		i = (i + 1) & 0xff;
		j = (j + state[i]) & 0xff;
		tmp = state[i];
		state[i] = state[j];
		state[j] = tmp;
		data[n] ^= state[(state[i] + state[j]) & 0xff];
	}
	smb_memzero_explicit(state, sizeof(state));
}
