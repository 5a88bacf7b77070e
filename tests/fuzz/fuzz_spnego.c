// SPDX-License-Identifier: GPL-2.0-or-later
/* fuzz_spnego.c - libFuzzer target for the SPNEGO parser and builder. */
#include "platform.h"
#include "spnego.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Read every byte a parsed field points at, so ASan sees a bad span. */
static unsigned touch(const u8 *p, size_t n)
{
	unsigned x = 0;

	for (size_t i = 0; p && i < n; i++)
		x += p[i];
	return x;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct spnego_token t;
	static u8 out[8192];
	volatile unsigned sink = 0;

	spnego_is_raw_ntlmssp(data, size);
	if (spnego_parse(data, size, &t))
		return 0;
	sink += touch(t.mech_token, t.mech_token_len);
	sink += touch(t.mech_types, t.mech_types_len);
	sink += touch(t.mech_list_mic, t.mech_list_mic_len);
	if (t.mech_token_len <= 4096)
		spnego_build_resp_mic(
			SPNEGO_ACCEPT_INCOMPLETE, true, t.mech_token,
			t.mech_token_len, t.mech_list_mic,
			t.mech_list_mic_len > 64 ? 0 : t.mech_list_mic_len, out,
			sizeof(out));
	(void)sink;
	return 0;
}
