/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tcp_frame.h - Direct TCP framing ([MS-SMB2] 2.1), without any I/O.
 *
 * Every SMB2 message on port 445 is preceded by a 4-byte header: a zero
 * byte, then the message length as a 24-bit big-endian number.  The header
 * layout is that of an RFC 1002 session packet, so a server also sees the
 * other RFC 1002 packet types from some clients: a SESSION KEEP ALIVE
 * (0x85) is ignored, a SESSION REQUEST (0x81) is refused with a NEGATIVE
 * SESSION RESPONSE (Direct TCP has no NetBIOS names), and any other type is
 * a protocol error that ends the connection.
 *
 * The framer owns a small staging buffer for headers and short messages.
 * Once a header is parsed it allocates the whole message, and the caller's
 * reads then land straight in it, so large WRITE payloads are copied from
 * the socket only once.  Complete messages are handed over to the caller,
 * who frees them with smb_tcp_frame_free_pdu().  The framer writes every
 * byte of what it allocates before reading it, so its allocator need not
 * zero memory.
 *
 * Typical use with a socket:
 *
 *	for (;;) {
 *		r = smb_tcp_frame_next(f, &pdu, &len);
 *		if (r != SMB_TCP_FRAME_NEED_MORE)
 *			break;		// a PDU, a session request or an error
 *		smb_tcp_frame_rx_space(f, &buf, &room);
 *		n = recv(fd, buf, room, 0);
 *		smb_tcp_frame_rx_commit(f, n);
 *	}
 *
 * or push bytes from elsewhere with smb_tcp_frame_feed().  Not thread-safe:
 * one framer belongs to one connection's reader.
 *
 * Kernel-clean: includes only core headers.
 */
#ifndef SMB_TCP_FRAME_H
#define SMB_TCP_FRAME_H

#include "../core/compat.h"
#include "../core/ops.h"

#define SMB_TCP_HDR_SIZE 4
/* The length field has 24 bits. */
#define SMB_TCP_MAX_LENGTH 0xffffffu
/* Room for the SMB2 header, a READ/WRITE request and a transform header. */
#define SMB_TCP_PDU_HEADROOM (64u * 1024)
#define SMB_TCP_DEFAULT_MAX_IO (8u * 1024 * 1024)
#define SMB_TCP_DEFAULT_MAX_PDU (SMB_TCP_DEFAULT_MAX_IO + SMB_TCP_PDU_HEADROOM)
#define SMB_TCP_DEFAULT_STAGE (16u * 1024)

/* RFC 1002 4.3.1 session packet types. */
#define SMB_TCP_TYPE_MESSAGE 0x00
#define SMB_TCP_TYPE_SESSION_REQUEST 0x81
#define SMB_TCP_TYPE_POSITIVE_RESPONSE 0x82
#define SMB_TCP_TYPE_NEGATIVE_RESPONSE 0x83
#define SMB_TCP_TYPE_KEEP_ALIVE 0x85
/* RFC 1002 4.3.4 NEGATIVE SESSION RESPONSE error: not listening on called name. */
#define SMB_TCP_NEG_NOT_LISTENING_CALLED 0x80

/* Results of smb_tcp_frame_next(); errors are negative and sticky. */
enum smb_tcp_frame_result {
	SMB_TCP_FRAME_NEED_MORE = 0,
	SMB_TCP_FRAME_PDU = 1,
	/* A NetBIOS session request: send the rejection, then disconnect. */
	SMB_TCP_FRAME_SESSION_REQUEST = 2,
	SMB_TCP_FRAME_ERR_TYPE = -1, /* unknown packet type */
	SMB_TCP_FRAME_ERR_EMPTY = -2, /* zero-length message */
	SMB_TCP_FRAME_ERR_TOO_BIG = -3, /* length above max_pdu */
	SMB_TCP_FRAME_ERR_NOMEM = -4,
	SMB_TCP_FRAME_ERR_CLOSED = -5, /* after a session request */
	SMB_TCP_FRAME_ERR_INVAL = -6, /* bad argument */
};

struct smb_tcp_frame {
	struct smb_allocator mem;
	u32 max_pdu;
	u8 *stage;
	size_t stage_size;
	size_t stage_start; /* unparsed bytes are stage[start, end) */
	size_t stage_end;
	u8 *pdu; /* message being assembled, pdu_len bytes allocated */
	u32 pdu_len;
	u32 pdu_have;
	u32 skip; /* keep-alive payload bytes still to discard */
	int error; /* sticky once negative */
};

/*
 * Largest PDU for negotiated limits: the biggest of max_trans, max_read and
 * max_write plus header room, clamped to what the length field can carry.
 */
static inline u32 smb_tcp_max_pdu_for(u32 max_trans, u32 max_read,
				      u32 max_write)
{
	u32 m = max_trans;
	u32 r;

	if (max_read > m)
		m = max_read;
	if (max_write > m)
		m = max_write;
	if (smb_add_overflow(m, SMB_TCP_PDU_HEADROOM, &r) ||
	    r > SMB_TCP_MAX_LENGTH)
		return SMB_TCP_MAX_LENGTH;
	return r;
}

/*
 * Set up f.  max_pdu (1..SMB_TCP_MAX_LENGTH) bounds one message; stage_size
 * (0 = SMB_TCP_DEFAULT_STAGE, at least SMB_TCP_HDR_SIZE) is the staging
 * buffer.  Returns 0 or a negative SMB_TCP_FRAME_ERR_*.
 */
int smb_tcp_frame_init(struct smb_tcp_frame *f, const struct smb_allocator *mem,
		       u32 max_pdu, size_t stage_size);
/* Free the staging buffer and any partial message. */
void smb_tcp_frame_destroy(struct smb_tcp_frame *f);

/*
 * Parse what has been received.  Returns SMB_TCP_FRAME_PDU with *pdu (now
 * owned by the caller) and *len set, SMB_TCP_FRAME_NEED_MORE, or
 * SMB_TCP_FRAME_SESSION_REQUEST / a negative error after which the
 * connection must be dropped.
 */
int smb_tcp_frame_next(struct smb_tcp_frame *f, u8 **pdu, size_t *len);
void smb_tcp_frame_free_pdu(struct smb_tcp_frame *f, u8 *pdu);

/*
 * Where the next received bytes should go.  *room is 0 only when staged
 * input must first be parsed with smb_tcp_frame_next().  Reading straight
 * into a partly received message never reads past its end.
 */
int smb_tcp_frame_rx_space(struct smb_tcp_frame *f, u8 **buf, size_t *room);
/* Account n bytes written at the rx_space pointer (n <= room). */
int smb_tcp_frame_rx_commit(struct smb_tcp_frame *f, size_t n);

/*
 * Copy up to len bytes of input into the framer; *consumed says how many
 * were taken (fewer when smb_tcp_frame_next() must run first).
 */
int smb_tcp_frame_feed(struct smb_tcp_frame *f, const u8 *data, size_t len,
		       size_t *consumed);

/* Write the 4-byte header for a message of len bytes; -1 if too long. */
int smb_tcp_frame_header(u8 hdr[SMB_TCP_HDR_SIZE], size_t len);
/* The NEGATIVE SESSION RESPONSE to send for a session request; 5 bytes. */
size_t smb_tcp_frame_session_reject(u8 out[5]);

#endif /* SMB_TCP_FRAME_H */
