/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rpc.h - connection-oriented DCE/RPC (C706 ch. 12, [MS-RPCE]) over an SMB2
 * named pipe on IPC$.  A pipe object is sans-I/O: the SMB2 layer feeds it
 * the bytes of WRITE and FSCTL_PIPE_TRANSCEIVE requests and drains it with
 * READ.  No authentication: binds with auth_length != 0 are refused.
 *
 * Wiring (SMB2 layer, IPC$ tree):
 *   CREATE "srvsvc"  -> smb_rpc_pipe_supported(), smb_rpc_pipe_open()
 *   WRITE            -> smb_rpc_pipe_write()
 *   READ             -> smb_rpc_pipe_read()
 *   IOCTL FSCTL_PIPE_TRANSCEIVE -> smb_rpc_pipe_transceive()
 *   CLOSE            -> smb_rpc_pipe_close()
 * The pipe is message mode: a read returns at most one PDU (fragment), and
 * STATUS_BUFFER_OVERFLOW when that PDU did not fit (rest on the next read).
 * A read with nothing pending returns STATUS_PIPE_EMPTY at once: Windows
 * would block until the server writes, but our server answers every
 * complete request synchronously, so nothing would ever arrive.
 * One pipe object is used by one caller at a time (no internal locking).
 */
#ifndef SMB_RPC_H
#define SMB_RPC_H

#include "compat.h"
#include "ops.h"

struct smb_ndr_reader;
struct smb_ndr_writer;

/* [MS-SRVS] 2.2.2.4 share types. */
#define STYPE_DISKTREE 0x00000000u
#define STYPE_PRINTQ 0x00000001u
#define STYPE_DEVICE 0x00000002u
#define STYPE_IPC 0x00000003u
#define STYPE_TEMPORARY 0x40000000u
#define STYPE_SPECIAL 0x80000000u

struct smb_rpc_share_info {
	const char *name;
	const char *comment;
	u32 type; /* STYPE_DISKTREE, or STYPE_IPC | STYPE_SPECIAL for IPC$ */
	/* Local path as Windows shows it at level 2, e.g. "C:\\srv\\data". */
	const char *path;
	u32 max_uses; /* 0xffffffff: unlimited */
	u32 current_uses;
	u32 flags; /* shi501/1005 flags (CSC caching, ...) */
};

struct smb_rpc_server_info {
	const char *netbios_name;
	const char *domain; /* workgroup, for wkssvc */
	const char *comment;
	u32 version_major, version_minor;
	u32 server_type; /* SV_TYPE_* bits */
};

/*
 * Callbacks into the server.  Strings returned must stay valid until the
 * RPC call returns (they are marshalled straight away).
 */
struct smb_rpc_provider {
	/* Number of browseable shares (IPC$ included) for NetrShareEnum. */
	int (*share_count)(void *ctx);
	/* The index'th browseable share; 0 on success. */
	int (*share_get)(void *ctx, int index, struct smb_rpc_share_info *out);
	/* Any share by name, case-insensitively; 0 on success. */
	int (*share_find)(void *ctx, const char *name,
			  struct smb_rpc_share_info *out);
	void (*server_info)(void *ctx, struct smb_rpc_server_info *out);
	void *ctx;
};

/* Largest fragment we send or accept (what Windows uses on pipes). */
#define SMB_RPC_MAX_FRAG 4280u
/* C706 MustRecvFragSize: a peer that cannot take this much is refused. */
#define SMB_RPC_MIN_FRAG 1432u
/* Bound on a reassembled request's stub and on a response's stub. */
#define SMB_RPC_MAX_STUB (1024u * 1024u)
/* Bound on response bytes waiting to be read. */
#define SMB_RPC_MAX_PENDING (2u * 1024u * 1024u)
/* Presentation contexts one association can hold. */
#define SMB_RPC_MAX_CONTEXTS 8

/* Fault status codes (C706 appendix E, [MS-RPCE] 2.2.2.11). */
#define NCA_S_OP_RNG_ERROR 0x1c010002u
#define NCA_S_UNK_IF 0x1c010003u
#define NCA_S_PROTO_ERROR 0x1c01000bu
#define NCA_S_FAULT_REMOTE_NO_MEMORY 0x1c00001bu
#define NCA_S_FAULT_NDR 0x000006f7u /* RPC_X_BAD_STUB_DATA */
#define NCA_S_FAULT_ACCESS_DENIED 0x00000005u /* oversized request, auth */

/*
 * An interface served on a pipe.  dispatch() decodes the request stub,
 * runs the call and marshals the response stub; it returns 0, or a fault
 * status (NCA_S_OP_RNG_ERROR for an unknown opnum, NCA_S_FAULT_NDR for a
 * stub it cannot decode).  Errors of the call itself go in the stub.
 */
struct smb_rpc_iface {
	const char *pipe_name; /* "srvsvc" */
	u8 uuid[16]; /* abstract syntax, in wire byte order */
	u16 version_major;
	u16 version_minor;
	u32 (*dispatch)(const struct smb_rpc_provider *prov, u16 opnum,
			struct smb_ndr_reader *in, struct smb_ndr_writer *out);
};

struct smb_rpc_pipe;

/*
 * True for the pipes we serve: "srvsvc", "\\srvsvc", "PIPE\\srvsvc",
 * "\\PIPE\\srvsvc" (case-insensitive), and the same for "wkssvc".
 */
bool smb_rpc_pipe_supported(const char *name);
/* NULL if the name is not supported or memory is short. */
struct smb_rpc_pipe *smb_rpc_pipe_open(const struct smb_allocator *mem,
				       const char *name,
				       const struct smb_rpc_provider *prov);
void smb_rpc_pipe_close(struct smb_rpc_pipe *p);
/*
 * Feed written bytes.  Complete PDUs are processed at once and their
 * replies queued for reading.  Returns STATUS_SUCCESS (all bytes taken,
 * protocol errors become fault/bind_nak PDUs), or
 * STATUS_INSUFFICIENT_RESOURCES when too much output is unread or memory
 * is short.
 */
u32 smb_rpc_pipe_write(struct smb_rpc_pipe *p, const u8 *data, size_t len);
/*
 * Read the next reply message.  STATUS_SUCCESS with the (rest of the)
 * message, STATUS_BUFFER_OVERFLOW with len bytes when more of it remains,
 * STATUS_PIPE_EMPTY with *out_len = 0 when nothing is pending.
 */
u32 smb_rpc_pipe_read(struct smb_rpc_pipe *p, u8 *buf, size_t len,
		      size_t *out_len);
/*
 * FSCTL_PIPE_TRANSCEIVE: write in, then read one message into out.
 * STATUS_PIPE_BUSY (nothing written) when unread output is pending
 * ([MS-FSCC] 2.3.48); STATUS_BUFFER_OVERFLOW when the reply did not fit,
 * its remainder readable with smb_rpc_pipe_read().
 */
u32 smb_rpc_pipe_transceive(struct smb_rpc_pipe *p, const u8 *in, size_t in_len,
			    u8 *out, size_t out_size, size_t *out_len);
/* Bytes of reply data waiting (for FSCTL_PIPE_PEEK). */
size_t smb_rpc_pipe_pending(const struct smb_rpc_pipe *p);

#endif /* SMB_RPC_H */
