// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * negotiate.c - SMB2 NEGOTIATE ([MS-SMB2] 2.2.3, 2.2.4, 3.3.5.4), the SMB1
 * multi-protocol negotiate that upgrades to SMB2 (3.3.5.3), and the 3.1.1
 * negotiate contexts and pre-authentication integrity hash.
 */
#include "crypt.h"
#include "internal.h"
#include "preauth.h"
#include "spnego.h"

#define STATUS_SMB_NO_PREAUTH_INTEGRITY_HASH_OVERLAP 0xc05d0000u
#define NEG_REQ_FIXED 36
#define NEG_RESP_FIXED 64
#define SECBUF_MAX 256

void smb_preauth_update(struct smb_conn *conn, u8 hash[64], const u8 *msg,
			size_t len)
{
	struct smb_iov iov = { (void *)msg, len };

	smb311_preauth_update(conn->srv->ops.crypto, hash, &iov, 1);
}

static bool dialect_enabled(const struct smb_server *srv, u16 d)
{
	switch (d) {
	case SMB2_DIALECT_0202:
	case SMB2_DIALECT_0210:
	case SMB2_DIALECT_0300:
	case SMB2_DIALECT_0302:
	case SMB2_DIALECT_0311:
		return d >= srv->cfg.min_dialect && d <= srv->cfg.max_dialect;
	default:
		return false;
	}
}

static void set_limits(struct smb_conn *conn)
{
	const struct smb_server_config *cfg = &conn->srv->cfg;
	u32 cap = conn->dialect == SMB2_DIALECT_0202 ? SMB2_MAX_SMALL_MTU :
						       U32_MAX;

	conn->max_read = min_t(u32, cfg->max_read, cap);
	conn->max_write = min_t(u32, cfg->max_write, cap);
	conn->max_trans = min_t(u32, cfg->max_trans, cap);
	if (conn->limits.max_read)
		conn->max_read = min_t(u32, conn->max_read,
				       conn->limits.max_read);
	if (conn->limits.max_write)
		conn->max_write = min_t(u32, conn->max_write,
					conn->limits.max_write);
	if (conn->limits.max_pdu) {
		u32 room = conn->limits.max_pdu > 1024 ?
				   conn->limits.max_pdu - 1024 :
				   conn->limits.max_pdu;

		/*
		 * Whole 64 KiB credit units (4 KiB pages when smaller): Linux
		 * cifs 6.1 over SMB Direct crashes writing with a wsize that
		 * is not a multiple of the page size (1 MiB - 1024 was).
		 */
		if (room >= 65536)
			room &= ~(u32)65535;
		else if (room >= 4096)
			room &= ~(u32)4095;

		/* Over SMB Direct large READ/WRITE data goes by RDMA, not
		 * inside the PDU: only the transport's read/write limit holds.
		 */
		if (!conn->limits.max_rdma_descs) {
			conn->max_read = min_t(u32, conn->max_read, room);
			conn->max_write = min_t(u32, conn->max_write, room);
		}
		conn->max_trans = min_t(u32, conn->max_trans, room);
	}
}

/* Parse the 3.1.1 negotiate contexts; fills conn and returns a status. */
static u32 parse_contexts(struct smb_work *w, u32 offset, u16 count,
			  bool *want_signing_ctx, bool *want_cipher_ctx)
{
	struct smb_conn *conn = w->conn;
	bool have_preauth = false, have_signing = false, have_cipher = false;
	u32 pos = offset;
	u16 i;

	if (count == 0)
		return STATUS_INVALID_PARAMETER;
	for (i = 0; i < count; i++) {
		const u8 *ctx, *data;
		u16 type, dlen;

		pos = (u32)SMB_ALIGN8(pos);
		ctx = smb_req_range(w, pos, 8);
		if (!ctx)
			return STATUS_INVALID_PARAMETER;
		type = smb_get_le16(ctx);
		dlen = smb_get_le16(ctx + 2);
		data = smb_req_range(w, pos + 8, dlen);
		if (!data)
			return STATUS_INVALID_PARAMETER;
		switch (type) {
		case SMB2_PREAUTH_INTEGRITY_CAPABILITIES: {
			u16 nalg, salt, j;
			bool sha512 = false;

			if (have_preauth || dlen < 4)
				return STATUS_INVALID_PARAMETER;
			have_preauth = true;
			nalg = smb_get_le16(data);
			salt = smb_get_le16(data + 2);
			if (nalg == 0 || 4 + 2u * nalg + salt > dlen)
				return STATUS_INVALID_PARAMETER;
			for (j = 0; j < nalg; j++)
				if (smb_get_le16(data + 4 + 2 * j) ==
				    SMB2_PREAUTH_INTEGRITY_SHA512)
					sha512 = true;
			if (!sha512)
				return STATUS_SMB_NO_PREAUTH_INTEGRITY_HASH_OVERLAP;
			break;
		}
		case SMB2_SIGNING_CAPABILITIES: {
			u16 nalg, j;
			bool gmac = false, cmac = false, hmac = false;

			if (have_signing || dlen < 2)
				return STATUS_INVALID_PARAMETER;
			have_signing = true;
			nalg = smb_get_le16(data);
			if (nalg == 0 || 2 + 2u * nalg > dlen)
				return STATUS_INVALID_PARAMETER;
			for (j = 0; j < nalg; j++) {
				u16 a = smb_get_le16(data + 2 + 2 * j);

				gmac |= a == SMB2_SIGNING_AES_GMAC;
				cmac |= a == SMB2_SIGNING_AES_CMAC;
				hmac |= a == SMB2_SIGNING_HMAC_SHA256;
			}
			/* Fastest first; AES-CMAC is the 3.x default otherwise. */
			conn->signing_algo = gmac ? SMB2_SIGNING_AES_GMAC :
					     cmac ? SMB2_SIGNING_AES_CMAC :
					     hmac ? SMB2_SIGNING_HMAC_SHA256 :
						    SMB2_SIGNING_AES_CMAC;
			*want_signing_ctx = true;
			break;
		}
		case SMB2_ENCRYPTION_CAPABILITIES: {
			u16 nciph;

			if (have_cipher || dlen < 2)
				return STATUS_INVALID_PARAMETER;
			have_cipher = true;
			nciph = smb_get_le16(data);
			if (nciph == 0 || 2 + 2u * nciph > dlen)
				return STATUS_INVALID_PARAMETER;
			conn->cipher = smb3_choose_cipher(conn->srv, data + 2,
							  nciph);
			*want_cipher_ctx = conn->srv->encrypt_mode !=
					   SMB_ENCRYPT_OFF;
			break;
		}
		default:
			/* Compression, netname, transport and RDMA
			 * transform capabilities are not offered (yet): a server
			 * that does not support a context omits it in the reply.
			 */
			break;
		}
		pos += 8 + dlen;
	}
	return have_preauth ? STATUS_SUCCESS : STATUS_INVALID_PARAMETER;
}

static size_t put_context(u8 *p, u16 type, const u8 *data, u16 len)
{
	smb_put_le16(p, type);
	smb_put_le16(p + 2, len);
	smb_put_le32(p + 4, 0);
	memcpy(p + 8, data, len);
	return 8 + (size_t)len;
}

/* The fixed part of a NEGOTIATE response and its security buffer. */
static void fill_neg_resp(struct smb_conn *conn, u8 *r, const u8 *secbuf,
			  int seclen)
{
	struct smb_server *srv = conn->srv;

	smb_put_le16(r, 65);
	smb_put_le16(r + 2, conn->server_security_mode);
	smb_put_le16(r + 4, conn->dialect);
	memcpy(r + 8, srv->cfg.server_guid, 16);
	smb_put_le32(r + 24, conn->server_caps);
	smb_put_le32(r + 28, conn->max_trans);
	smb_put_le32(r + 32, conn->max_read);
	smb_put_le32(r + 36, conn->max_write);
	smb_put_le64(r + 40, smb_now(srv));
	smb_put_le64(r + 48, 0);
	smb_put_le16(r + 56, SMB2_HDR_SIZE + NEG_RESP_FIXED);
	smb_put_le16(r + 58, (u16)seclen);
	memcpy(r + NEG_RESP_FIXED, secbuf, (size_t)seclen);
}

int smb2_negotiate(struct smb_work *w)
{
	struct smb_conn *conn = w->conn;
	struct smb_server *srv = conn->srv;
	const u8 *b = smb_req_body(w);
	size_t blen = smb_req_body_len(w);
	u8 secbuf[SECBUF_MAX];
	int seclen;
	u16 ndialects, i, best = 0;
	bool want_signing_ctx = false, want_cipher_ctx = false;
	u8 *r;
	size_t ctx_off, body_len;
	u32 st;

	if (conn->negotiated) {
		/* A second NEGOTIATE on a connection is a protocol violation. */
		smb_warn("second NEGOTIATE on a connection");
		return -1;
	}
	if (blen < NEG_REQ_FIXED || smb_get_le16(b) != NEG_REQ_FIXED)
		return smb_resp_error(w, STATUS_INVALID_PARAMETER);
	ndialects = smb_get_le16(b + 2);
	if (ndialects == 0 || NEG_REQ_FIXED + 2u * ndialects > blen)
		return smb_resp_error(w, STATUS_INVALID_PARAMETER);
	conn->nclient_dialects = 0;
	for (i = 0; i < ndialects; i++) {
		u16 d = smb_get_le16(b + NEG_REQ_FIXED + 2 * i);

		if (conn->nclient_dialects < ARRAY_SIZE(conn->client_dialects))
			conn->client_dialects[conn->nclient_dialects++] = d;
		if (dialect_enabled(srv, d) && d > best)
			best = d;
	}
	if (!best) {
		smb_info("NEGOTIATE: no dialect in common");
		return smb_resp_error(w, STATUS_NOT_SUPPORTED);
	}
	conn->dialect = best;
	conn->client_security_mode = smb_get_le16(b + 4);
	conn->client_caps = smb_get_le32(b + 8);
	memcpy(conn->client_guid, b + 12, 16);
	conn->signing_algo = SMB2_SIGNING_AES_CMAC;
	conn->cipher = 0;
	if (best == SMB2_DIALECT_0311) {
		st = parse_contexts(w, smb_get_le32(b + 28),
				    smb_get_le16(b + 32), &want_signing_ctx,
				    &want_cipher_ctx);
		if (st)
			return smb_resp_error(w, st);
		smb311_preauth_init(conn->preauth_hash);
		smb_preauth_update(conn, conn->preauth_hash, w->req, w->req_len);
	}

	conn->server_security_mode = SMB2_NEGOTIATE_SIGNING_ENABLED;
	if (conn->signing_required)
		conn->server_security_mode |= SMB2_NEGOTIATE_SIGNING_REQUIRED;
	conn->server_caps = 0;
	if (best >= SMB2_DIALECT_0210)
		conn->server_caps |= SMB2_GLOBAL_CAP_LARGE_MTU |
				     SMB2_GLOBAL_CAP_LEASING;
	if (best >= SMB2_DIALECT_0300 && srv->multichannel) {
		conn->server_caps |= SMB2_GLOBAL_CAP_MULTI_CHANNEL;
		/* Its sessions may get channels: PDUs take chan_lock. */
		__atomic_store_n(&conn->mc, true, __ATOMIC_RELEASE);
	}
	/* 3.0 and 3.0.2 have one cipher, offered by a capability bit. */
	if ((best == SMB2_DIALECT_0300 || best == SMB2_DIALECT_0302) &&
	    (conn->client_caps & SMB2_GLOBAL_CAP_ENCRYPTION) &&
	    srv->encrypt_mode != SMB_ENCRYPT_OFF) {
		conn->server_caps |= SMB2_GLOBAL_CAP_ENCRYPTION;
		conn->cipher = SMB2_ENCRYPTION_AES128_CCM;
	}
	set_limits(conn);

	seclen = spnego_neg_hints(secbuf, sizeof(secbuf));
	if (seclen < 0)
		return smb_resp_error(w, STATUS_INTERNAL_ERROR);
	ctx_off = SMB_ALIGN8(NEG_RESP_FIXED + (size_t)seclen);
	body_len = NEG_RESP_FIXED + (size_t)seclen;
	if (best == SMB2_DIALECT_0311)
		/* Each later context starts 8-aligned: up to 6 pad bytes. */
		body_len = ctx_off + 8 + 38 + (want_cipher_ctx ? 8 + 8 + 4 : 0) +
			   (want_signing_ctx ? 8 + 8 + 4 : 0);
	r = smb_resp_body(w, body_len);
	if (!r)
		return -1;
	fill_neg_resp(conn, r, secbuf, seclen);
	if (best == SMB2_DIALECT_0311) {
		u8 pa[38], *p = r + ctx_off;
		u16 nctx = 1;

		/* One hash (SHA-512) and a 32-byte salt. */
		smb_put_le16(pa, 1);
		smb_put_le16(pa + 2, 32);
		smb_put_le16(pa + 4, SMB2_PREAUTH_INTEGRITY_SHA512);
		if (srv->ops.random.bytes(srv->ops.random.ctx, pa + 6, 32))
			return -1;
		p += put_context(p, SMB2_PREAUTH_INTEGRITY_CAPABILITIES, pa, 38);
		if (want_cipher_ctx) {
			u8 ec[4];

			/* One cipher; 0 when none is shared ([MS-SMB2]
			 * 3.3.5.4). */
			p = r + SMB_ALIGN8((size_t)(p - r));
			smb_put_le16(ec, 1);
			smb_put_le16(ec + 2, conn->cipher);
			p += put_context(p, SMB2_ENCRYPTION_CAPABILITIES, ec, 4);
			nctx++;
		}
		if (want_signing_ctx) {
			u8 sg[4];

			p = r + SMB_ALIGN8((size_t)(p - r));
			smb_put_le16(sg, 1);
			smb_put_le16(sg + 2, conn->signing_algo);
			p += put_context(p, SMB2_SIGNING_CAPABILITIES, sg, 4);
			nctx++;
		}
		smb_put_le16(r + 6, nctx);
		smb_put_le32(r + 60, (u32)(SMB2_HDR_SIZE + ctx_off));
		smb_resp_set_body_len(w, (size_t)(p - r));
		w->preauth_target = conn->preauth_hash;
	}
	conn->negotiated = true;
	smb_info("negotiated dialect 0x%x", best);
	return 0;
}

/*
 * An SMB1 NEGOTIATE naming "SMB 2.002" and/or "SMB 2.???" is answered with
 * an SMB2 NEGOTIATE response: dialect 0x0202 when that is all we share, or
 * the wildcard 0x02ff asking the client to negotiate again in SMB2.
 */
int smb1_negotiate(struct smb_conn *conn, const u8 *pdu, size_t len)
{
	struct smb_server *srv = conn->srv;
	bool has_202 = false, has_wild = false;
	u8 secbuf[SECBUF_MAX];
	u8 *resp, *r;
	size_t pos, end, rlen;
	u16 bytecount, dialect;
	int seclen, rc;
	struct smb_iov iov;

	/* SMB1 header (32) + WordCount (1) + ByteCount (2); command 0x72. */
	if (conn->smb1_upgrade || len < 35 || pdu[4] != 0x72 || pdu[32] != 0)
		return -1;
	bytecount = smb_get_le16(pdu + 33);
	if (35u + bytecount > len)
		return -1;
	pos = 35;
	end = 35u + bytecount;
	while (pos < end) {
		size_t s;

		if (pdu[pos] != 0x02)
			return -1;
		s = ++pos;
		while (pos < end && pdu[pos])
			pos++;
		if (pos >= end)
			return -1;
		if (pos - s == 9 && !memcmp(pdu + s, "SMB 2.002", 9))
			has_202 = true;
		if (pos - s == 9 && !memcmp(pdu + s, "SMB 2.???", 9))
			has_wild = true;
		pos++;
	}
	if (has_wild && srv->cfg.max_dialect > SMB2_DIALECT_0202)
		dialect = SMB2_DIALECT_WILDCARD;
	else if (has_202 && dialect_enabled(srv, SMB2_DIALECT_0202))
		dialect = SMB2_DIALECT_0202;
	else
		return -1;

	seclen = spnego_neg_hints(secbuf, sizeof(secbuf));
	if (seclen < 0)
		return -1;
	rlen = SMB2_HDR_SIZE + NEG_RESP_FIXED + (size_t)seclen;
	resp = smb_alloc(srv, rlen);
	if (!resp)
		return -1;
	smb_put_le32(resp, SMB2_PROTO_ID);
	smb_put_le16(resp + SMB2_HDR_STRUCT_SIZE, SMB2_HDR_SIZE);
	smb_put_le16(resp + SMB2_HDR_COMMAND, SMB2_NEGOTIATE);
	smb_put_le16(resp + SMB2_HDR_CREDIT, 1);
	smb_put_le32(resp + SMB2_HDR_FLAGS, SMB2_FLAGS_SERVER_TO_REDIR);
	r = resp + SMB2_HDR_SIZE;
	conn->dialect = dialect;
	conn->server_security_mode = SMB2_NEGOTIATE_SIGNING_ENABLED |
				     (conn->signing_required ?
					      SMB2_NEGOTIATE_SIGNING_REQUIRED :
					      0);
	conn->server_caps = 0;
	set_limits(conn);
	fill_neg_resp(conn, r, secbuf, seclen);
	/* Message id 0 is spent; the SMB2 NEGOTIATE that follows uses 1. */
	smb_credits_consume(&conn->credits, 0, 1);
	smb_credits_grant(&conn->credits, 1, 1, srv->cfg.max_credits);
	if (dialect == SMB2_DIALECT_0202)
		conn->negotiated = true;
	else
		conn->smb1_upgrade = true;
	iov.base = resp;
	iov.len = rlen;
	rc = conn->t->send_pdu(conn->tc, &iov, 1) < 0 ? -1 : 0;
	smb_free(srv, resp);
	return rc;
}
