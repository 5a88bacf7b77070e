/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fsctl.h - the file-system FSCTLs of SMB2 IOCTL ([MS-SMB2] 3.3.5.15,
 * [MS-FSCC] 2.3): snapshots, sparse files, allocated ranges, zeroing,
 * server-side copy, reparse points, compression; and the status for the
 * rest.  Input parsers are separate and pure so they can be tested alone.
 */
#ifndef SMB_FSCTL_H
#define SMB_FSCTL_H

#include "internal.h"

#ifndef STATUS_INVALID_VIEW_SIZE
#define STATUS_INVALID_VIEW_SIZE 0xc000001fu
#endif

#define FSCTL_GET_COMPRESSION 0x0009003cu
#define FSCTL_SET_COMPRESSION 0x0009c040u
#define FSCTL_FILE_SYSTEM_DEVICE 0x0009u /* DeviceType of FS controls */

/* Server-side copy limits ([MS-SMB2] 3.3.5.15.6, Windows' defaults). */
#define SMB_COPYCHUNK_MAX_CHUNKS 256u
#define SMB_COPYCHUNK_MAX_CHUNK_SIZE (1024u * 1024u)
#define SMB_COPYCHUNK_MAX_TOTAL (16u * 1024u * 1024u)
#define SMB_RESUME_KEY_SIZE 24
#define SMB_COPYCHUNK_HDR 32 /* SourceKey, ChunkCount, Reserved */
#define SMB_COPYCHUNK_ENTRY 24
#define SMB_COPYCHUNK_RESP 12
#define SMB_RESILIENCY_REQ_SIZE 8 /* NETWORK_RESILIENCY_REQUEST */
/* Implementation-specific bounds of 3.3.5.15.9 (Windows uses 5 minutes). */
#define SMB_MAX_RESILIENCY_TIMEOUT_MS 300000u
#define SMB_DEFAULT_RESILIENCY_TIMEOUT_MS 120000u

/* ---- pure parsers ------------------------------------------------------- */
struct smb_fsctl_range {
	u64 offset;
	u64 length; /* QUERY_ALLOCATED_RANGES: Length; ZERO_DATA: end - off */
};

/*
 * FILE_ALLOCATED_RANGE_BUFFER ([MS-FSCC] 2.3.41): 16 bytes, offset and
 * length each at most INT64_MAX and their sum too.  Else
 * STATUS_INVALID_PARAMETER.
 */
u32 smb_fsctl_parse_qar(const u8 *in, size_t len, struct smb_fsctl_range *r);
/*
 * FILE_ZERO_DATA_INFORMATION ([MS-FSCC] 2.3.85): FileOffset and
 * BeyondFinalZero, offset <= beyond <= INT64_MAX; out->length is
 * beyond - offset.  Else STATUS_INVALID_PARAMETER.
 */
u32 smb_fsctl_parse_zero_data(const u8 *in, size_t len,
			      struct smb_fsctl_range *r);

struct smb_copychunk {
	u64 src_off, dst_off;
	u32 length;
};

/*
 * SRV_COPYCHUNK_COPY ([MS-SMB2] 2.2.31.1): the source key, the chunk
 * count, and every chunk inside len and the limits above (1 to 1 MiB each,
 * 16 MiB in all, ends within INT64_MAX).  Shorter than the key:
 * STATUS_INVALID_PARAMETER with *over_limits false.  Any other fault:
 * STATUS_INVALID_PARAMETER with *over_limits true, for which 3.3.5.15.6.2
 * answers with the limits.
 */
u32 smb_fsctl_parse_copychunk(const u8 *in, size_t len, const u8 **key,
			      u32 *count, bool *over_limits);
/*
 * NETWORK_RESILIENCY_REQUEST: the timeout in ms (0 means the default);
 * short input or a timeout above the maximum is INVALID_PARAMETER.
 */
u32 smb_fsctl_parse_resiliency(const u8 *in, size_t len, u32 *timeout_ms);
/* Chunk i of a request smb_fsctl_parse_copychunk accepted. */
void smb_fsctl_copychunk_at(const u8 *in, u32 i, struct smb_copychunk *c);

/* ---- the handler ---------------------------------------------------------- */
/*
 * Serve ctl on the open fid (already known to exist); in/in_len is the
 * checked input, max_out the MaxOutputResponse.  Unknown file-system
 * controls get STATUS_INVALID_DEVICE_REQUEST ([MS-FSA] 2.1.5.9), any other
 * unknown control STATUS_NOT_SUPPORTED ([MS-SMB2] 3.3.5.15).
 */
int smb_fsctl(struct smb_work *w, u32 ctl, const u8 *fid, const u8 *in,
	      u32 in_len, u32 max_out);

/* ioctl.c: an IOCTL response carrying out (out_len bytes) and status. */
int smb_ioctl_reply(struct smb_work *w, u32 ctl, const u8 *fid, const u8 *out,
		    size_t out_len, u32 status);

#endif /* SMB_FSCTL_H */
