// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * rpc.c - connection-oriented DCE/RPC over a named pipe (C706 ch. 12,
 * [MS-RPCE] 2.2 and 3.3): bind/alter_context negotiation, request
 * reassembly, response fragmentation and faults.
 */
#include "rpc.h"
#include "ndr.h"
#include "smb2.h"
#include "srvsvc.h"
#include "utf16.h"
#include "wkssvc.h"

/* PDU types (C706 12.6.4). */
#define PTYPE_REQUEST 0
#define PTYPE_RESPONSE 2
#define PTYPE_FAULT 3
#define PTYPE_BIND 11
#define PTYPE_BIND_ACK 12
#define PTYPE_BIND_NAK 13
#define PTYPE_ALTER_CONTEXT 14
#define PTYPE_ALTER_CONTEXT_RESP 15
#define PTYPE_AUTH3 16
#define PTYPE_CO_CANCEL 18
#define PTYPE_ORPHANED 19

#define PFC_FIRST_FRAG 0x01
#define PFC_LAST_FRAG 0x02
#define PFC_DID_NOT_EXECUTE 0x20
#define PFC_OBJECT_UUID 0x80

/* drep[0]: high nibble integer order (1 = little-endian), low nibble
 * character set (0 = ASCII). */
#define DREP_LE_ASCII 0x10

#define HDR_LEN 16
#define REQ_HDR_LEN 24
#define RESP_HDR_LEN 24
#define FAULT_LEN 32
#define SYNTAX_LEN 20 /* p_syntax_id_t: uuid + u32 version */

/* Presentation context results ([MS-RPCE] 2.2.2.4). */
#define RESULT_ACCEPTANCE 0
#define RESULT_PROVIDER_REJECTION 2
#define RESULT_NEGOTIATE_ACK 3
#define REASON_ABSTRACT_NOT_SUPPORTED 1
#define REASON_TRANSFER_NOT_SUPPORTED 2
#define REASON_LOCAL_LIMIT_EXCEEDED 3

/* bind_nak reasons (C706 12.6.4.4, [MS-RPCE] 2.2.2.5). */
#define NAK_NOT_SPECIFIED 0
#define NAK_LOCAL_LIMIT_EXCEEDED 2
#define NAK_PROTOCOL_VERSION 4
#define NAK_AUTH_TYPE_NOT_RECOGNIZED 8

/* Bind time feature negotiation bits ([MS-RPCE] 3.3.1.5.3). */
#define BTFN_KEEP_CONNECTION_ON_ORPHAN 0x0002

/* Most contexts one bind/alter_context may propose (keeps acks small). */
#define MAX_PROPOSED_CONTEXTS 16

static const u8 ndr20_syntax[SYNTAX_LEN] = {
	0x04, 0x5d, 0x88, 0x8a, 0xeb, 0x1c, 0xc9, 0x11, 0x9f, 0xe8,
	0x08, 0x00, 0x2b, 0x10, 0x48, 0x60, 0x02, 0x00, 0x00, 0x00,
};
/* 6cb71c2c-9812-4540-XXXX-...: first 8 bytes fixed, then the bitmask. */
static const u8 btfn_prefix[8] = { 0x2c, 0x1c, 0xb7, 0x6c,
				   0x12, 0x98, 0x40, 0x45 };

static const struct smb_rpc_iface *const ifaces[] = {
	&smb_srvsvc_iface,
	&smb_wkssvc_iface,
};

struct reassembly {
	u8 *buf;
	size_t len;
	size_t cap;
	u32 call_id;
	u16 ctx_id;
	u16 opnum;
	bool active;
	bool discarding; /* drop the rest of a failed call's fragments */
};

struct smb_rpc_pipe {
	struct smb_allocator mem;
	struct smb_rpc_provider prov;
	const struct smb_rpc_iface *iface;
	bool bound;
	u8 rpc_vers_minor;
	u16 max_xmit; /* largest fragment we send */
	u16 max_recv;
	u32 assoc_group;
	u16 ctx_ids[SMB_RPC_MAX_CONTEXTS];
	unsigned int n_ctx;
	struct reassembly req;
	/* Reply PDUs waiting to be read: out[out_pos, out_len). */
	u8 *out;
	size_t out_pos;
	size_t out_len;
	size_t out_cap;
	size_t msg_left; /* bytes left of the PDU at out_pos */
	/* Bytes of an incomplete incoming PDU. */
	size_t in_len;
	u8 in[SMB_RPC_MAX_FRAG];
};

/* "srvsvc", "\srvsvc", "PIPE\srvsvc", "\PIPE\srvsvc" -> its interface. */
static const struct smb_rpc_iface *find_iface(const char *name)
{
	static const char prefix[] = "pipe\\";
	size_t i;

	if (!name)
		return NULL;
	if (name[0] == '\\')
		name++;
	for (i = 0; i < sizeof(prefix) - 1; i++) {
		char c = name[i];

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c != prefix[i])
			break;
	}
	if (i == sizeof(prefix) - 1)
		name += i;
	for (i = 0; i < ARRAY_SIZE(ifaces); i++)
		if (smb_name_equal_ci(name, ifaces[i]->pipe_name))
			return ifaces[i];
	return NULL;
}

bool smb_rpc_pipe_supported(const char *name)
{
	return find_iface(name) != NULL;
}

struct smb_rpc_pipe *smb_rpc_pipe_open(const struct smb_allocator *mem,
				       const char *name,
				       const struct smb_rpc_provider *prov)
{
	const struct smb_rpc_iface *iface = find_iface(name);
	struct smb_rpc_pipe *p;

	if (!iface || !mem || !prov)
		return NULL;
	p = mem->alloc(sizeof(*p), mem->ctx);
	if (!p)
		return NULL;
	memset(p, 0, sizeof(*p));
	p->mem = *mem;
	p->prov = *prov;
	p->iface = iface;
	p->max_xmit = SMB_RPC_MAX_FRAG;
	p->max_recv = SMB_RPC_MAX_FRAG;
	return p;
}

static void reassembly_reset(struct smb_rpc_pipe *p)
{
	if (p->req.buf)
		p->mem.free(p->req.buf, p->mem.ctx);
	memset(&p->req, 0, sizeof(p->req));
}

void smb_rpc_pipe_close(struct smb_rpc_pipe *p)
{
	if (!p)
		return;
	reassembly_reset(p);
	if (p->out)
		p->mem.free(p->out, p->mem.ctx);
	p->mem.free(p, p->mem.ctx);
}

size_t smb_rpc_pipe_pending(const struct smb_rpc_pipe *p)
{
	return p->out_len - p->out_pos;
}

/*
 * Reserve len bytes at the end of the output queue; NULL when memory is
 * short or more than limit bytes would be pending.
 */
static u8 *out_reserve(struct smb_rpc_pipe *p, size_t len, size_t limit)
{
	size_t pending = p->out_len - p->out_pos, need, cap;
	u8 *nb;

	if (smb_add_overflow(pending, len, &need) || need > limit)
		return NULL;
	if (p->out_pos && p->out_len + len > p->out_cap) {
		memmove(p->out, p->out + p->out_pos, pending);
		p->out_pos = 0;
		p->out_len = pending;
	}
	if (need > p->out_cap) {
		cap = p->out_cap ? p->out_cap : 1024;
		while (cap < need)
			cap *= 2;
		nb = p->mem.alloc(cap, p->mem.ctx);
		if (!nb)
			return NULL;
		if (pending)
			memcpy(nb, p->out + p->out_pos, pending);
		if (p->out)
			p->mem.free(p->out, p->mem.ctx);
		p->out = nb;
		p->out_cap = cap;
		p->out_pos = 0;
		p->out_len = pending;
	}
	nb = p->out + p->out_len;
	p->out_len += len;
	return nb;
}

static void put_header(u8 *h, const struct smb_rpc_pipe *p, u8 ptype, u8 flags,
		       size_t frag_len, u32 call_id)
{
	h[0] = 5;
	h[1] = p->rpc_vers_minor;
	h[2] = ptype;
	h[3] = flags;
	h[4] = DREP_LE_ASCII;
	h[5] = 0;
	h[6] = 0;
	h[7] = 0;
	smb_put_le16(h + 8, (u16)frag_len);
	smb_put_le16(h + 10, 0);
	smb_put_le32(h + 12, call_id);
}

/*
 * Control PDUs (faults, acks, naks) are small and may exceed the pending
 * limit slightly so that a refusal can always be queued.
 */
#define CONTROL_SLACK 1024u

static void queue_fault(struct smb_rpc_pipe *p, u32 call_id, u16 ctx_id,
			u32 status)
{
	u8 *f = out_reserve(p, FAULT_LEN, SMB_RPC_MAX_PENDING + CONTROL_SLACK);

	if (!f)
		return;
	put_header(f, p, PTYPE_FAULT,
		   PFC_FIRST_FRAG | PFC_LAST_FRAG | PFC_DID_NOT_EXECUTE,
		   FAULT_LEN, call_id);
	smb_put_le32(f + 16, 0); /* alloc_hint */
	smb_put_le16(f + 20, ctx_id);
	f[22] = 0; /* cancel_count */
	f[23] = 0;
	smb_put_le32(f + 24, status);
	smb_put_le32(f + 28, 0);
}

static void queue_bind_nak(struct smb_rpc_pipe *p, u32 call_id, u16 reason)
{
	const size_t len = 24;
	u8 *n = out_reserve(p, len, SMB_RPC_MAX_PENDING + CONTROL_SLACK);

	if (!n)
		return;
	memset(n, 0, len);
	put_header(n, p, PTYPE_BIND_NAK, PFC_FIRST_FRAG | PFC_LAST_FRAG, len,
		   call_id);
	smb_put_le16(n + 16, reason);
	n[18] = 1; /* n_protocols: we speak 5.0 */
	n[19] = 5;
	n[20] = 0;
}

static bool ctx_known(const struct smb_rpc_pipe *p, u16 ctx_id)
{
	unsigned int i;

	for (i = 0; i < p->n_ctx; i++)
		if (p->ctx_ids[i] == ctx_id)
			return true;
	return false;
}

static bool ctx_add(struct smb_rpc_pipe *p, u16 ctx_id)
{
	if (ctx_known(p, ctx_id))
		return true;
	if (p->n_ctx >= SMB_RPC_MAX_CONTEXTS)
		return false;
	p->ctx_ids[p->n_ctx++] = ctx_id;
	return true;
}

static bool is_our_abstract(const struct smb_rpc_pipe *p, const u8 *syn)
{
	u32 ver = smb_get_le32(syn + 16);

	return memcmp(syn, p->iface->uuid, 16) == 0 &&
	       (u16)ver == p->iface->version_major &&
	       (u16)(ver >> 16) <= p->iface->version_minor;
}

/*
 * Judge one proposed presentation context and fill its 24-byte result.
 * Returns true when the context was accepted.
 */
static bool judge_context(struct smb_rpc_pipe *p, const u8 *elem, u8 n_ts,
			  u8 *res)
{
	const u8 *abstract = elem + 4;
	const u8 *ts = elem + 4 + SYNTAX_LEN;
	u16 ctx_id = smb_get_le16(elem);
	unsigned int i;

	memset(res, 0, 24);
	for (i = 0; i < n_ts; i++) {
		const u8 *t = ts + (size_t)i * SYNTAX_LEN;

		if (memcmp(t, btfn_prefix, sizeof(btfn_prefix)) == 0) {
			/* Bits 8..9 of the "uuid" carry what the client
			 * offers; we can keep pipes open on orphans. */
			smb_put_le16(res, RESULT_NEGOTIATE_ACK);
			smb_put_le16(res + 2,
				     smb_get_le16(t + 8) &
					     BTFN_KEEP_CONNECTION_ON_ORPHAN);
			return false;
		}
	}
	smb_put_le16(res, RESULT_PROVIDER_REJECTION);
	if (!is_our_abstract(p, abstract)) {
		smb_put_le16(res + 2, REASON_ABSTRACT_NOT_SUPPORTED);
		return false;
	}
	for (i = 0; i < n_ts; i++) {
		const u8 *t = ts + (size_t)i * SYNTAX_LEN;

		if (memcmp(t, ndr20_syntax, SYNTAX_LEN) != 0)
			continue;
		if (!ctx_add(p, ctx_id)) {
			smb_put_le16(res + 2, REASON_LOCAL_LIMIT_EXCEEDED);
			return false;
		}
		smb_put_le16(res, RESULT_ACCEPTANCE);
		memcpy(res + 4, ndr20_syntax, SYNTAX_LEN);
		return true;
	}
	smb_put_le16(res + 2, REASON_TRANSFER_NOT_SUPPORTED);
	return false;
}

/*
 * bind and alter_context share a body (C706 12.6.4.3/12.6.4.1): max_xmit,
 * max_recv, assoc_group, then the context list.  Returns false on a
 * malformed body.
 */
static bool handle_bind(struct smb_rpc_pipe *p, const u8 *pdu, size_t len,
			bool alter)
{
	u32 call_id = smb_get_le32(pdu + 12);
	u8 results[MAX_PROPOSED_CONTEXTS * 24];
	char sec_addr[32];
	size_t pos = 28, sec_len = 0, body, ack_len;
	unsigned int n_ctx, i, accepted = 0;
	u16 client_xmit, client_recv;
	u8 *a;

	if (len < 28)
		return false;
	client_xmit = smb_get_le16(pdu + 16);
	client_recv = smb_get_le16(pdu + 18);
	n_ctx = pdu[24];
	if (n_ctx == 0 || n_ctx > MAX_PROPOSED_CONTEXTS) {
		if (alter)
			return false;
		queue_bind_nak(p, call_id,
			       n_ctx ? NAK_LOCAL_LIMIT_EXCEEDED :
				       NAK_NOT_SPECIFIED);
		return true;
	}
	/* Validate the whole list before changing any state. */
	for (i = 0; i < n_ctx; i++) {
		size_t elem_len;

		if (len - pos < 4 + SYNTAX_LEN)
			return false;
		elem_len = 4 + SYNTAX_LEN + (size_t)pdu[pos + 2] * SYNTAX_LEN;
		if (pdu[pos + 2] == 0 || len - pos < elem_len)
			return false;
		pos += elem_len;
	}
	if (!alter) {
		if (client_xmit < SMB_RPC_MIN_FRAG ||
		    client_recv < SMB_RPC_MIN_FRAG) {
			queue_bind_nak(p, call_id, NAK_LOCAL_LIMIT_EXCEEDED);
			return true;
		}
		p->rpc_vers_minor = pdu[1];
		p->max_xmit = min_t(u16, client_recv, SMB_RPC_MAX_FRAG);
		p->max_recv = min_t(u16, client_xmit, SMB_RPC_MAX_FRAG);
		p->assoc_group = smb_get_le32(pdu + 20);
		if (!p->assoc_group)
			p->assoc_group = 0x000053f0u;
		sec_len = (size_t)smb_snprintf(sec_addr, sizeof(sec_addr),
					       "\\PIPE\\%s",
					       p->iface->pipe_name) +
			  1;
	}
	pos = 28;
	for (i = 0; i < n_ctx; i++) {
		u8 n_ts = pdu[pos + 2];

		if (judge_context(p, pdu + pos, n_ts, results + i * 24))
			accepted++;
		pos += 4 + SYNTAX_LEN + (size_t)n_ts * SYNTAX_LEN;
	}
	if (accepted)
		p->bound = true;

	body = 24 + 2 + sec_len;
	body = (body + 3) & ~(size_t)3;
	ack_len = body + 4 + (size_t)n_ctx * 24;
	a = out_reserve(p, ack_len, SMB_RPC_MAX_PENDING + CONTROL_SLACK);
	if (!a)
		return true;
	memset(a, 0, ack_len);
	put_header(a, p, alter ? PTYPE_ALTER_CONTEXT_RESP : PTYPE_BIND_ACK,
		   PFC_FIRST_FRAG | PFC_LAST_FRAG, ack_len, call_id);
	smb_put_le16(a + 16, p->max_xmit);
	smb_put_le16(a + 18, p->max_recv);
	smb_put_le32(a + 20, p->assoc_group);
	smb_put_le16(a + 24, (u16)sec_len);
	if (sec_len)
		memcpy(a + 26, sec_addr, sec_len);
	a[body] = (u8)n_ctx;
	memcpy(a + body + 4, results, (size_t)n_ctx * 24);
	return true;
}

/* Queue a response stub as fragments of at most max_xmit bytes. */
static bool queue_response(struct smb_rpc_pipe *p, u32 call_id, u16 ctx_id,
			   const u8 *stub, size_t stub_len)
{
	/* Every fragment but the last carries a multiple of 8 bytes so the
	 * next one starts NDR-aligned. */
	size_t chunk = ((size_t)p->max_xmit - RESP_HDR_LEN) & ~(size_t)7;
	size_t nfrag = stub_len ? (stub_len + chunk - 1) / chunk : 1;
	size_t total = stub_len + nfrag * RESP_HDR_LEN, off = 0;
	u8 *o = out_reserve(p, total, SMB_RPC_MAX_PENDING);

	if (!o)
		return false;
	do {
		size_t n = min_t(size_t, chunk, stub_len - off);
		u8 flags = 0;

		if (off == 0)
			flags |= PFC_FIRST_FRAG;
		if (off + n == stub_len)
			flags |= PFC_LAST_FRAG;
		put_header(o, p, PTYPE_RESPONSE, flags, RESP_HDR_LEN + n,
			   call_id);
		smb_put_le32(o + 16, (u32)(stub_len - off)); /* alloc_hint */
		smb_put_le16(o + 20, ctx_id);
		o[22] = 0;
		o[23] = 0;
		if (n)
			memcpy(o + RESP_HDR_LEN, stub + off, n);
		o += RESP_HDR_LEN + n;
		off += n;
	} while (off < stub_len);
	return true;
}

static void run_call(struct smb_rpc_pipe *p)
{
	struct smb_ndr_reader in;
	struct smb_ndr_writer out;
	u32 fault;

	smb_ndr_reader_init(&in, p->req.buf, p->req.len);
	smb_ndr_writer_init(&out, &p->mem, SMB_RPC_MAX_STUB);
	fault = p->iface->dispatch(&p->prov, p->req.opnum, &in, &out);
	if (!fault && !smb_ndr_writer_ok(&out))
		fault = NCA_S_FAULT_REMOTE_NO_MEMORY;
	if (!fault &&
	    !queue_response(p, p->req.call_id, p->req.ctx_id, out.buf, out.len))
		fault = NCA_S_FAULT_REMOTE_NO_MEMORY;
	if (fault)
		queue_fault(p, p->req.call_id, p->req.ctx_id, fault);
	smb_ndr_writer_free(&out);
}

/*
 * Append stub bytes to the call being reassembled.  Returns 0, or the
 * fault status: 5 past SMB_RPC_MAX_STUB, no-memory when allocation fails.
 */
static u32 reassembly_append(struct smb_rpc_pipe *p, const u8 *data, size_t n,
			     u32 alloc_hint)
{
	struct reassembly *r = &p->req;
	size_t need, cap;
	u8 *nb;

	if (smb_add_overflow(r->len, n, &need) || need > SMB_RPC_MAX_STUB)
		return NCA_S_FAULT_ACCESS_DENIED;
	if (need > r->cap) {
		/* The hint is only a hint: never trust it past 64 KiB. */
		cap = r->cap ? r->cap * 2 :
			       min_t(size_t, alloc_hint, 64 * 1024);
		if (cap < need)
			cap = need;
		if (cap > SMB_RPC_MAX_STUB)
			cap = SMB_RPC_MAX_STUB;
		nb = p->mem.alloc(cap, p->mem.ctx);
		if (!nb)
			return NCA_S_FAULT_REMOTE_NO_MEMORY;
		if (r->len)
			memcpy(nb, r->buf, r->len);
		if (r->buf)
			p->mem.free(r->buf, p->mem.ctx);
		r->buf = nb;
		r->cap = cap;
	}
	if (n)
		memcpy(r->buf + r->len, data, n);
	r->len = need;
	return 0;
}

static void handle_request(struct smb_rpc_pipe *p, const u8 *pdu, size_t len)
{
	u32 call_id = smb_get_le32(pdu + 12);
	u8 flags = pdu[3];
	size_t stub_off = REQ_HDR_LEN;
	u16 ctx_id, opnum;
	u32 alloc_hint, fault;

	if (len < REQ_HDR_LEN) {
		queue_fault(p, call_id, 0, NCA_S_PROTO_ERROR);
		return;
	}
	alloc_hint = smb_get_le32(pdu + 16);
	ctx_id = smb_get_le16(pdu + 20);
	opnum = smb_get_le16(pdu + 22);
	if (flags & PFC_OBJECT_UUID)
		stub_off += 16;
	if (len < stub_off) {
		queue_fault(p, call_id, ctx_id, NCA_S_PROTO_ERROR);
		return;
	}

	if (p->req.discarding && p->req.call_id == call_id &&
	    !(flags & PFC_FIRST_FRAG)) {
		if (flags & PFC_LAST_FRAG)
			reassembly_reset(p);
		return;
	}
	if (flags & PFC_FIRST_FRAG) {
		if (p->req.active) {
			/* A new call before the last one finished: no
			 * concurrent multiplexing was negotiated. */
			reassembly_reset(p);
			queue_fault(p, call_id, ctx_id, NCA_S_PROTO_ERROR);
			goto discard;
		}
		reassembly_reset(p);
		if (!p->bound) {
			queue_fault(p, call_id, ctx_id, NCA_S_PROTO_ERROR);
			goto discard;
		}
		if (!ctx_known(p, ctx_id)) {
			queue_fault(p, call_id, ctx_id, NCA_S_UNK_IF);
			goto discard;
		}
		p->req.active = true;
		p->req.call_id = call_id;
		p->req.ctx_id = ctx_id;
		p->req.opnum = opnum;
	} else if (!p->req.active || p->req.call_id != call_id) {
		/* Later fragments' ctx_id and opnum repeat the first's;
		 * the first one's are what counts. */
		reassembly_reset(p);
		queue_fault(p, call_id, ctx_id, NCA_S_PROTO_ERROR);
		goto discard;
	}
	/* [MS-RPCE]: an oversized request faults with status 5. */
	fault = reassembly_append(p, pdu + stub_off, len - stub_off,
				  alloc_hint);
	if (fault) {
		reassembly_reset(p);
		queue_fault(p, call_id, ctx_id, fault);
		goto discard;
	}
	if (!(flags & PFC_LAST_FRAG))
		return;
	run_call(p);
	reassembly_reset(p);
	return;
discard:
	if (!(flags & PFC_LAST_FRAG)) {
		p->req.discarding = true;
		p->req.call_id = call_id;
	}
}

/* Process one complete PDU of frag_len bytes. */
static void handle_pdu(struct smb_rpc_pipe *p, const u8 *pdu, size_t len)
{
	u8 ptype = pdu[2];
	bool le = (pdu[4] & 0xf0) == (DREP_LE_ASCII & 0xf0);
	u32 call_id = le ? smb_get_le32(pdu + 12) : smb_get_be32(pdu + 12);
	u16 auth_len = smb_get_le16(pdu + 10);

	if (pdu[0] != 5 || pdu[1] > 1) {
		if (ptype == PTYPE_BIND)
			queue_bind_nak(p, call_id, NAK_PROTOCOL_VERSION);
		else
			queue_fault(p, call_id, 0, NCA_S_PROTO_ERROR);
		return;
	}
	if (pdu[4] != DREP_LE_ASCII) {
		/* Big-endian or EBCDIC peers: we marshal NDR LE only. */
		if (ptype == PTYPE_BIND)
			queue_bind_nak(p, call_id, NAK_NOT_SPECIFIED);
		else
			queue_fault(p, call_id, 0, NCA_S_PROTO_ERROR);
		return;
	}
	if (auth_len) {
		if (ptype == PTYPE_BIND)
			queue_bind_nak(p, call_id,
				       NAK_AUTH_TYPE_NOT_RECOGNIZED);
		else if (ptype != PTYPE_AUTH3)
			queue_fault(p, call_id, 0, NCA_S_FAULT_ACCESS_DENIED);
		return;
	}
	switch (ptype) {
	case PTYPE_BIND:
		if (p->bound)
			queue_bind_nak(p, call_id, NAK_NOT_SPECIFIED);
		else if (!handle_bind(p, pdu, len, false))
			queue_bind_nak(p, call_id, NAK_NOT_SPECIFIED);
		return;
	case PTYPE_ALTER_CONTEXT:
		if (!p->bound || !handle_bind(p, pdu, len, true))
			queue_fault(p, call_id, 0, NCA_S_PROTO_ERROR);
		return;
	case PTYPE_REQUEST:
		handle_request(p, pdu, len);
		return;
	case PTYPE_ORPHANED:
		if ((p->req.active || p->req.discarding) &&
		    p->req.call_id == call_id)
			reassembly_reset(p);
		return;
	case PTYPE_AUTH3:
	case PTYPE_CO_CANCEL:
		/* No reply: calls run to completion before we read on. */
		return;
	default:
		queue_fault(p, call_id, 0, NCA_S_PROTO_ERROR);
		return;
	}
}

/* frag_length, in the byte order drep announces. */
static size_t frag_length(const u8 *h)
{
	return (h[4] & 0xf0) == (DREP_LE_ASCII & 0xf0) ?
		       smb_get_le16(h + 8) :
		       ((size_t)h[8] << 8 | h[9]);
}

u32 smb_rpc_pipe_write(struct smb_rpc_pipe *p, const u8 *data, size_t len)
{
	if (smb_rpc_pipe_pending(p) >= SMB_RPC_MAX_PENDING)
		return STATUS_INSUFFICIENT_RESOURCES;
	while (len) {
		size_t n = min_t(size_t, len, sizeof(p->in) - p->in_len);
		size_t flen;

		memcpy(p->in + p->in_len, data, n);
		p->in_len += n;
		data += n;
		len -= n;
		while (p->in_len >= HDR_LEN) {
			flen = frag_length(p->in);
			if (flen < HDR_LEN || flen > sizeof(p->in)) {
				/* Unframeable: answer once, drop the rest
				 * of this write. */
				queue_fault(p, smb_get_le32(p->in + 12), 0,
					    NCA_S_PROTO_ERROR);
				p->in_len = 0;
				return STATUS_SUCCESS;
			}
			if (p->in_len < flen)
				break;
			/* Many small PDUs in one write must not queue
			 * replies without bound either. */
			if (smb_rpc_pipe_pending(p) >= SMB_RPC_MAX_PENDING) {
				p->in_len = 0;
				return STATUS_INSUFFICIENT_RESOURCES;
			}
			handle_pdu(p, p->in, flen);
			memmove(p->in, p->in + flen, p->in_len - flen);
			p->in_len -= flen;
		}
	}
	return STATUS_SUCCESS;
}

u32 smb_rpc_pipe_read(struct smb_rpc_pipe *p, u8 *buf, size_t len,
		      size_t *out_len)
{
	size_t n;

	*out_len = 0;
	if (p->out_pos == p->out_len)
		return STATUS_PIPE_EMPTY;
	if (!p->msg_left)
		p->msg_left = smb_get_le16(p->out + p->out_pos + 8);
	n = min_t(size_t, len, p->msg_left);
	memcpy(buf, p->out + p->out_pos, n);
	p->out_pos += n;
	p->msg_left -= n;
	*out_len = n;
	if (p->out_pos == p->out_len) {
		p->out_pos = 0;
		p->out_len = 0;
	}
	return p->msg_left ? STATUS_BUFFER_OVERFLOW : STATUS_SUCCESS;
}

u32 smb_rpc_pipe_transceive(struct smb_rpc_pipe *p, const u8 *in, size_t in_len,
			    u8 *out, size_t out_size, size_t *out_len)
{
	u32 status;

	*out_len = 0;
	if (smb_rpc_pipe_pending(p))
		return STATUS_PIPE_BUSY;
	status = smb_rpc_pipe_write(p, in, in_len);
	if (status)
		return status;
	return smb_rpc_pipe_read(p, out, out_size, out_len);
}
