// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_fileops.c - libFuzzer target for the parsers of file-operation
 * inputs: FILE_FULL_EA_INFORMATION and FILE_GET_EA_INFORMATION lists
 * (SET_INFO, QUERY_INFO, the ExtA create context), the FSCTL inputs
 * (SRV_COPYCHUNK_COPY, allocated ranges, zero data) and stream rename
 * targets.  Whatever the bytes, an accepted list must walk inside the
 * buffer and end, and accepted values must respect their limits.
 */
#include <stdlib.h>

#include "platform.h"
#include "ea.h"
#include "fsctl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void walk_full(const u8 *buf, size_t len)
{
	struct smb_ea ea;
	size_t pos = 0, n = 0;
	u32 bad;

	if (smb_ea_check_full(buf, len, &bad)) {
		if (bad >= len && len)
			abort();
		return;
	}
	while (smb_ea_next_full(buf, len, &pos, &ea)) {
		const u8 *end = ea.value + ea.value_len;

		if (ea.name < buf || end > buf + len || ea.name[ea.name_len])
			abort();
		if (!smb_ea_name_valid(ea.name, ea.name_len))
			abort();
		if (++n > len)
			abort(); /* more entries than bytes: a loop */
	}
	if (!n)
		abort();
}

static void walk_get(const u8 *buf, size_t len)
{
	const u8 *name;
	size_t pos = 0, n = 0;
	u8 nl;

	if (smb_ea_check_get(buf, len))
		return;
	while (smb_ea_next_get(buf, len, &pos, &name, &nl)) {
		if (name + nl >= buf + len || name[nl])
			abort();
		if (++n > len)
			abort();
	}
}

static void fsctl_inputs(const u8 *buf, size_t len)
{
	struct smb_fsctl_range r;
	struct smb_copychunk c;
	const u8 *key;
	u32 count, i;
	bool over;

	if (!smb_fsctl_parse_copychunk(buf, len, &key, &count, &over)) {
		u64 total = 0;

		if (over || count > SMB_COPYCHUNK_MAX_CHUNKS ||
		    SMB_COPYCHUNK_HDR + (size_t)count * SMB_COPYCHUNK_ENTRY >
			    len)
			abort();
		for (i = 0; i < count; i++) {
			smb_fsctl_copychunk_at(buf, i, &c);
			total += c.length;
			if (!c.length ||
			    c.length > SMB_COPYCHUNK_MAX_CHUNK_SIZE)
				abort();
		}
		if (total > SMB_COPYCHUNK_MAX_TOTAL)
			abort();
	}
	if (!smb_fsctl_parse_qar(buf, len, &r) &&
	    r.offset + r.length > 0x7fffffffffffffffull)
		abort();
	if (!smb_fsctl_parse_zero_data(buf, len, &r) &&
	    r.offset + r.length > 0x7fffffffffffffffull)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct smb_stream_spec sn;

	walk_full(data, size);
	walk_get(data, size);
	fsctl_inputs(data, size);
	if (!smb_stream_from_wire(data, size, &sn) &&
	    (strchr(sn.name, ':') || strchr(sn.name, '/') ||
	     strchr(sn.name, '\\') || strlen(sn.name) >= sizeof(sn.name)))
		abort();
	return 0;
}
