// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_secdesc.c - libFuzzer target for core/secdesc.c: whatever the bytes,
 * a descriptor that parses must re-encode to one that parses again and
 * encodes to the same bytes, and the access check and inheritance must
 * run over it without reading outside the input.
 */
#include <stdlib.h>
#include <string.h>

#include "platform.h"
#include "secdesc.h"
#include "smb2.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static u8 out1[SMB_SD_MAX_SIZE + 64], out2[SMB_SD_MAX_SIZE + 64];
static u8 inherit_buf[2 * SMB_SD_MAX_SIZE];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct smb_user user = { .uid = 1000, .gid = 100 };
	struct smb_token tok;
	struct smb_sd sd, again;
	struct smb_acl acl, inherited;
	size_t n1, n2;
	u32 granted;

	if (smb_acl_parse(data, size, &acl) == 0 && acl.size > size)
		abort();
	if (smb_sd_parse(data, size, &sd))
		return 0;
	if (smb_sd_encode(&sd, 0xf, out1, sizeof(out1), &n1))
		abort();
	if (smb_sd_parse(out1, n1, &again))
		abort();
	if (smb_sd_encode(&again, 0xf, out2, sizeof(out2), &n2) || n1 != n2 ||
	    memcmp(out1, out2, n1))
		abort();
	smb_token_init(&tok, &user, false, false);
	if (sd.has_owner)
		tok.sids[0] = sd.owner; /* exercise the owner paths */
	smb_access_check(&sd, &tok, MAXIMUM_ALLOWED, &granted);
	smb_access_check(&sd, &tok, GENERIC_READ | DELETE, &granted);
	if (sd.dacl.buf) {
		if (smb_acl_inherit(&sd.dacl, true, true, &tok.sids[0],
				    &tok.sids[1], inherit_buf,
				    sizeof(inherit_buf), &inherited) == 0 &&
		    inherited.buf &&
		    smb_acl_parse(inherited.buf, inherited.size, &acl))
			abort(); /* what we build must parse */
		if (smb_acl_inherit(&sd.dacl, false, false, &tok.sids[0],
				    &tok.sids[1], inherit_buf, 64,
				    &inherited) == 0 &&
		    inherited.buf && inherited.size > 64)
			abort();
	}
	return 0;
}
