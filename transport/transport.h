/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * transport.h - the transport abstraction shared by TCP and SMB Direct.
 *
 * A transport delivers whole SMB2 messages (a PDU: what follows the TCP
 * 4-byte length prefix, or a reassembled SMB Direct data transfer) to the
 * core and sends the core's replies.  SMB Direct additionally lets the core
 * move READ/WRITE payloads with RDMA Write/Read against buffers the client
 * registered; TCP leaves those hooks NULL and the core refuses RDMA channels.
 *
 * Kernel-clean: includes only core headers.
 */
#ifndef SMB_TRANSPORT_H
#define SMB_TRANSPORT_H

#include "../core/compat.h"
#include "../core/ops.h"

/* A remote buffer, as in an SMB2 READ/WRITE buffer descriptor ([MS-SMBD] 2.2.3.1). */
struct smb_rdma_desc {
	u64 offset;
	u32 token;
	u32 length;
};

struct smb_transport_limits {
	u32 max_pdu; /* largest PDU accepted; larger is a disconnect */
	u32 max_read; /* largest READ payload the transport can carry */
	u32 max_write;
	u32 max_rdma_descs; /* 0 when RDMA channels are unsupported */
	bool send_file; /* send_pdu_file may be used on this connection */
};

enum smb_transport_kind {
	SMB_TRANSPORT_TCP = 1,
	SMB_TRANSPORT_RDMA = 2,
};

struct smb_tconn; /* one transport connection, owned by the backend */

struct smb_transport_ops {
	const char *name;
	enum smb_transport_kind kind;
	/* Accept a connection from a listener (backend specific handle). */
	int (*accept)(void *listener, struct smb_tconn **out);
	/*
	 * Receive one PDU: returns 1 and sets *pdu and *len (valid until the next
	 * call) when a whole PDU is ready, 0 when more input is needed, <0 to
	 * drop the connection (peer closed, oversize or malformed frame).
	 */
	int (*recv_pdu)(struct smb_tconn *c, u8 **pdu, size_t *len);
	/* Send one PDU made of iovs; the transport adds its framing. */
	int (*send_pdu)(struct smb_tconn *c, const struct smb_iov *iov,
			int niov);
	/*
	 * Optional: send one PDU made of iovs followed by len bytes of file
	 * from offset, which the transport takes from the file itself
	 * (sendfile), not through a copy in memory.  Should the file end
	 * first, the rest is zeros: the framing already counts len.
	 * 0 when sent; 1, with nothing sent, when it cannot send this file
	 * so (the core then reads the data itself); <0 as send_pdu.
	 */
	int (*send_pdu_file)(struct smb_tconn *c, const struct smb_iov *iov,
			     int niov, struct smb_vfs_file *file, u64 offset,
			     size_t len);
	/* Copy client memory described by desc into buf (SMB2 WRITE). NULL on TCP. */
	int (*rdma_read)(struct smb_tconn *c, const struct smb_rdma_desc *desc,
			 int ndesc, void *buf, size_t len);
	/* Copy buf into client memory (SMB2 READ). NULL on TCP. */
	int (*rdma_write)(struct smb_tconn *c,
			  const struct smb_rdma_desc *desc, int ndesc,
			  const void *buf, size_t len);
	/*
	 * Optional (SMB Direct): memory for one READ/WRITE payload that the
	 * transport moves by RDMA without registering it per transfer.  NULL
	 * when none is free or len is larger than its buffers: the core then
	 * uses its allocator.  Give it back with io_buf_put unless it went to
	 * rdma_write_post.
	 */
	void *(*io_buf_get)(struct smb_tconn *c, size_t len);
	void (*io_buf_put)(struct smb_tconn *c, void *buf);
	/*
	 * Optional: RDMA Write of an io_buf_get buffer into client memory
	 * that returns once the transfer is posted.  The transport owns buf
	 * from the call on (also on failure) and releases it when the
	 * hardware is done.  What the connection sends afterwards (the READ
	 * response) reaches the client after the data.  0, or <0 when the
	 * connection is gone.
	 */
	int (*rdma_write_post)(struct smb_tconn *c,
			       const struct smb_rdma_desc *desc, int ndesc,
			       void *buf, size_t len);
	/* Drop the connection; later sends fail. Safe to call twice. */
	void (*disconnect)(struct smb_tconn *c);
	void (*get_limits)(struct smb_tconn *c,
			   struct smb_transport_limits *out);
	/* Peer address as text, for logs. */
	const char *(*peer_name)(struct smb_tconn *c);
};

#endif /* SMB_TRANSPORT_H */
