/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rpc_test_util.h - shared helpers for the DCE/RPC unit tests: a leak-
 * checking allocator, a fake share provider, PDU builders written from
 * C706 ch. 12 field by field, and a tiny independent NDR decoder for
 * responses.  Include after cmocka.h and platform.h.
 */
#ifndef RPC_TEST_UTIL_H
#define RPC_TEST_UTIL_H

#include <stdlib.h>
#include <strings.h>
#include "rpc.h"
#include "smb2.h"

#define UNUSED __attribute__((unused))

/* ---- allocator: cmocka's, so leaks fail the test; can fail on demand */
static int alloc_fail_after = -1; /* -1: never */

static void *t_alloc(size_t size, void *ctx)
{
	(void)ctx;
	if (alloc_fail_after == 0)
		return NULL;
	if (alloc_fail_after > 0)
		alloc_fail_after--;
	return test_calloc(1, size);
}

static void t_free(void *p, void *ctx)
{
	(void)ctx;
	test_free(p);
}

static const struct smb_allocator t_mem = { .alloc = t_alloc, .free = t_free };

/* ---- fake provider ------------------------------------------------- */
struct fake_share {
	char name[80];
	char comment[80];
	char path[80];
	u32 type;
	u32 flags;
};

struct fake_server {
	struct fake_share shares[512];
	int n;
};

static int fake_count(void *ctx)
{
	return ((struct fake_server *)ctx)->n;
}

static void fake_fill(const struct fake_share *s,
		      struct smb_rpc_share_info *out)
{
	out->name = s->name;
	out->comment = s->comment;
	out->path = s->path;
	out->type = s->type;
	out->flags = s->flags;
	out->current_uses = 2;
}

static int fake_get(void *ctx, int i, struct smb_rpc_share_info *out)
{
	struct fake_server *srv = ctx;

	if (i < 0 || i >= srv->n)
		return -1;
	fake_fill(&srv->shares[i], out);
	return 0;
}

static int fake_find(void *ctx, const char *name,
		     struct smb_rpc_share_info *out)
{
	struct fake_server *srv = ctx;

	for (int i = 0; i < srv->n; i++) {
		if (!strcasecmp(srv->shares[i].name, name)) {
			fake_fill(&srv->shares[i], out);
			return 0;
		}
	}
	return -1;
}

static void fake_server_info(void *ctx, struct smb_rpc_server_info *out)
{
	(void)ctx;
	out->netbios_name = "KSMBD-DIRECT";
	out->domain = "WORKGROUP";
	out->comment = "ksmbd-direct server";
	out->version_major = 10;
	out->version_minor = 0;
	out->server_type = 0x00009003u;
}

static UNUSED void fake_add(struct fake_server *srv, const char *name,
			    const char *comment, u32 type, u32 flags)
{
	struct fake_share *s = &srv->shares[srv->n++];

	snprintf(s->name, sizeof(s->name), "%s", name);
	snprintf(s->comment, sizeof(s->comment), "%s", comment);
	snprintf(s->path, sizeof(s->path), "C:\\srv\\%s", name);
	s->type = type;
	s->flags = flags;
}

static UNUSED struct smb_rpc_provider fake_provider(struct fake_server *srv)
{
	struct smb_rpc_provider p = {
		.share_count = fake_count,
		.share_get = fake_get,
		.share_find = fake_find,
		.server_info = fake_server_info,
		.ctx = srv,
	};
	return p;
}

/* ---- PDU builders (little-endian, C706 12.6) ------------------------ */
static const u8 UUID_SRVSVC[16] = { 0xc8, 0x4f, 0x32, 0x4b, 0x70, 0x16,
				    0xd3, 0x01, 0x12, 0x78, 0x5a, 0x47,
				    0xbf, 0x6e, 0xe1, 0x88 };
static const u8 UUID_WKSSVC[16] = { 0x98, 0xd0, 0xff, 0x6b, 0x12, 0xa1,
				    0x10, 0x36, 0x98, 0x33, 0x46, 0xc3,
				    0xf8, 0x7e, 0x34, 0x5a };
static const u8 UUID_NDR[16] = {
	0x04, 0x5d, 0x88, 0x8a, 0xeb, 0x1c, 0xc9, 0x11,
	0x9f, 0xe8, 0x08, 0x00, 0x2b, 0x10, 0x48, 0x60
};
static const u8 UUID_NDR64[16] = { 0x33, 0x05, 0x71, 0x71, 0xba, 0xbe,
				   0x37, 0x49, 0x83, 0x19, 0xb5, 0xdb,
				   0xef, 0x9c, 0xcc, 0x36 };
static const u8 UUID_BTFN[16] = { 0x2c, 0x1c, 0xb7, 0x6c, 0x12, 0x98,
				  0x40, 0x45, 0x03, 0x00, 0x00, 0x00,
				  0x00, 0x00, 0x00, 0x00 };

static void put_hdr(u8 *b, u8 ptype, u8 flags, u16 frag_len, u32 call_id)
{
	b[0] = 5;
	b[1] = 0;
	b[2] = ptype;
	b[3] = flags;
	b[4] = 0x10;
	b[5] = b[6] = b[7] = 0;
	smb_put_le16(b + 8, frag_len);
	smb_put_le16(b + 10, 0);
	smb_put_le32(b + 12, call_id);
}

struct ctx_prop {
	u16 id;
	const u8 *abstract;
	u32 abstract_ver;
	int n_ts;
	const u8 *ts[3];
	u32 ts_ver[3];
};

/* A bind (11) or alter_context (14) PDU; returns its length. */
static size_t build_bind_ex(u8 *b, u8 ptype, u32 call_id, u16 max_xmit,
			    u16 max_recv, const struct ctx_prop *ctx, int n)
{
	size_t pos = 28;

	memset(b, 0, 28);
	smb_put_le16(b + 16, max_xmit);
	smb_put_le16(b + 18, max_recv);
	smb_put_le32(b + 20, 0);
	b[24] = (u8)n;
	for (int i = 0; i < n; i++) {
		smb_put_le16(b + pos, ctx[i].id);
		b[pos + 2] = (u8)ctx[i].n_ts;
		b[pos + 3] = 0;
		memcpy(b + pos + 4, ctx[i].abstract, 16);
		smb_put_le32(b + pos + 20, ctx[i].abstract_ver);
		pos += 24;
		for (int t = 0; t < ctx[i].n_ts; t++) {
			memcpy(b + pos, ctx[i].ts[t], 16);
			smb_put_le32(b + pos + 16, ctx[i].ts_ver[t]);
			pos += 20;
		}
	}
	put_hdr(b, ptype, 3, (u16)pos, call_id);
	return pos;
}

/* The bind smbclient sends: one context, srvsvc v3.0 over NDR v2. */
static UNUSED size_t build_bind(u8 *b, u32 call_id, const u8 *abstract, u32 ver)
{
	struct ctx_prop c = { 0, abstract, ver, 1, { UUID_NDR }, { 2 } };

	return build_bind_ex(b, 11, call_id, 4280, 4280, &c, 1);
}

/* A request (0) PDU carrying stub bytes; returns its length. */
static UNUSED size_t build_request(u8 *b, u32 call_id, u8 flags, u16 ctx_id,
				   u16 opnum, u32 alloc_hint, const u8 *stub,
				   size_t stub_len)
{
	put_hdr(b, 0, flags, (u16)(24 + stub_len), call_id);
	smb_put_le32(b + 16, alloc_hint);
	smb_put_le16(b + 20, ctx_id);
	smb_put_le16(b + 22, opnum);
	memcpy(b + 24, stub, stub_len);
	return 24 + stub_len;
}

/* Open srvsvc (or name) and bind it; the bind_ack is consumed. */
static UNUSED struct smb_rpc_pipe *
open_bound(const char *name, const struct smb_rpc_provider *prov)
{
	struct smb_rpc_pipe *p = smb_rpc_pipe_open(&t_mem, name, prov);
	u8 b[512], out[512];
	size_t n, got;

	assert_non_null(p);
	n = build_bind(b, 1, strstr(name, "wkssvc") ? UUID_WKSSVC : UUID_SRVSVC,
		       strstr(name, "wkssvc") ? 1 : 3);
	assert_int_equal(smb_rpc_pipe_transceive(p, b, n, out, sizeof(out),
						 &got),
			 STATUS_SUCCESS);
	assert_int_equal(out[2], 12);
	return p;
}

/*
 * Run one call: send stub as a single request, read every response
 * fragment and reassemble the stub into *resp (test_malloc'ed).  Returns
 * 0 or the fault status.
 */
static UNUSED u32 rpc_call(struct smb_rpc_pipe *p, u16 opnum, const u8 *stub,
			   size_t stub_len, u8 **resp, size_t *resp_len)
{
	static u32 call_id = 100;
	u8 *req = test_malloc(24 + stub_len), frag[4280];
	size_t got, total = 0;
	u32 fault = 0;
	u8 *acc = NULL;
	bool last = false;

	assert_true(24 + stub_len <= 4280);
	build_request(req, ++call_id, 3, 0, opnum, (u32)stub_len, stub,
		      stub_len);
	assert_int_equal(smb_rpc_pipe_write(p, req, 24 + stub_len),
			 STATUS_SUCCESS);
	test_free(req);
	while (!last) {
		assert_int_equal(smb_rpc_pipe_read(p, frag, sizeof(frag), &got),
				 STATUS_SUCCESS);
		assert_true(got >= 24);
		assert_int_equal(smb_get_le16(frag + 8), got);
		assert_int_equal(smb_get_le32(frag + 12), call_id);
		if (frag[2] == 3) {
			assert_int_equal(got, 32);
			fault = smb_get_le32(frag + 24);
			break;
		}
		assert_int_equal(frag[2], 2);
		assert_int_equal(!!(frag[3] & 1), total == 0);
		last = frag[3] & 2;
		acc = test_realloc(acc, total + got - 24 + 1);
		memcpy(acc + total, frag + 24, got - 24);
		total += got - 24;
	}
	*resp = acc;
	*resp_len = total;
	return fault;
}

/*
 * NetrShareEnum as smbclient sends it for `smbclient -L` (written from
 * the IDL of [MS-SRVS] 3.1.4.8): ServerName "\\SRV", level 1, an empty
 * SHARE_INFO_1_CONTAINER, MAX_PREFERRED_LENGTH, ResumeHandle -> 0.
 */
static UNUSED const u8 net_share_enum_all_l1[] = {
	0x00, 0x00, 0x02, 0x00, /* ServerName referent */
	0x06, 0x00, 0x00, 0x00, /* max_count */
	0x00, 0x00, 0x00, 0x00, /* offset */
	0x06, 0x00, 0x00, 0x00, /* actual_count */
	'\\', 0,    '\\', 0,	'S',  0,    'R',  0,
	'V',  0,    0,	  0,	0x01, 0x00, 0x00, 0x00, /* InfoStruct.Level */
	0x01, 0x00, 0x00, 0x00, /* union discriminant */
	0x04, 0x00, 0x02, 0x00, /* Level1 container referent */
	0x00, 0x00, 0x00, 0x00, /* EntriesRead */
	0x00, 0x00, 0x00, 0x00, /* Buffer NULL */
	0xff, 0xff, 0xff, 0xff, /* PreferedMaximumLength */
	0x08, 0x00, 0x02, 0x00, /* ResumeHandle referent */
	0x00, 0x00, 0x00, 0x00, /* *ResumeHandle */
};

/* ---- a small NDR decoder, independent of core/ndr.c --------------- */
struct dec {
	const u8 *b;
	size_t len, pos;
};

static u32 d_u32(struct dec *d)
{
	d->pos = (d->pos + 3) & ~(size_t)3;
	assert_true(d->pos + 4 <= d->len);
	d->pos += 4;
	return smb_get_le32(d->b + d->pos - 4);
}

/* A conformant varying UTF-16 string, ASCII/Latin-1 only, into out. */
static UNUSED void d_str(struct dec *d, char *out, size_t size)
{
	u32 max = d_u32(d), off = d_u32(d), act = d_u32(d);

	assert_int_equal(off, 0);
	assert_int_equal(max, act);
	assert_true(act >= 1 && act <= size);
	assert_true(d->pos + act * 2 <= d->len);
	for (u32 i = 0; i < act; i++) {
		u16 c = smb_get_le16(d->b + d->pos + i * 2);

		assert_true(c < 0x100);
		out[i] = (char)c;
	}
	assert_int_equal(out[act - 1], 0);
	d->pos += act * 2;
}

#endif
