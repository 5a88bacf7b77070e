// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "platform.h"
#include "srvsvc.h"
#include "wkssvc.h"
#include "rpc_test_util.h"

static struct fake_server srv;
static struct smb_rpc_provider prov;
static struct smb_rpc_pipe *pipe_;

static int setup(void **state)
{
	memset(&srv, 0, sizeof(srv));
	alloc_fail_after = -1;
	fake_add(&srv, "IPC$", "IPC Service (ksmbd-direct)",
		 STYPE_IPC | STYPE_SPECIAL, 0);
	fake_add(&srv, "data", "Data share", STYPE_DISKTREE, 0x30);
	fake_add(&srv, "homes", "", STYPE_DISKTREE, 0);
	prov = fake_provider(&srv);
	pipe_ = open_bound("srvsvc", &prov);
	return 0;
}

static int teardown(void **state)
{
	smb_rpc_pipe_close(pipe_);
	return 0;
}

/* A stub builder for requests. */
struct sb {
	u8 b[2048];
	size_t n;
};

static void sb_u32(struct sb *s, u32 v)
{
	while (s->n & 3)
		s->b[s->n++] = 0;
	smb_put_le32(s->b + s->n, v);
	s->n += 4;
}

static void sb_str(struct sb *s, const char *a)
{
	u32 len = (u32)strlen(a) + 1;

	sb_u32(s, len);
	sb_u32(s, 0);
	sb_u32(s, len);
	for (u32 i = 0; i < len; i++) {
		smb_put_le16(s->b + s->n, (u8)a[i]);
		s->n += 2;
	}
}

static void enum_req(struct sb *s, u32 level, u32 pref, bool resume_ptr,
		     u32 resume)
{
	s->n = 0;
	sb_u32(s, 0x20000);
	sb_str(s, "\\\\SRV");
	sb_u32(s, level);
	sb_u32(s, level);
	sb_u32(s, 0x20004);
	sb_u32(s, 0);
	sb_u32(s, 0);
	sb_u32(s, pref);
	sb_u32(s, resume_ptr ? 0x20008 : 0);
	if (resume_ptr)
		sb_u32(s, resume);
}

struct enum_result {
	u32 level, entries, total, resume, status;
	bool resume_ptr;
	char name[64][64], remark[64][64], path[64][64];
	u32 type[64], flags[64], max_uses[64], cur_uses[64];
};

/* Decode a NetrShareEnum response at levels 0, 1, 2 or 501. */
static void decode_enum(const u8 *b, size_t len, struct enum_result *r)
{
	struct dec d = { b, len, 0 };
	u32 ptrs[64][4];

	memset(r, 0, sizeof(*r));
	r->level = d_u32(&d);
	assert_int_equal(d_u32(&d), r->level);
	assert_int_not_equal(d_u32(&d), 0);
	r->entries = d_u32(&d);
	assert_true(r->entries <= 64);
	if (d_u32(&d)) {
		assert_int_equal(d_u32(&d), r->entries);
		for (u32 i = 0; i < r->entries; i++) {
			ptrs[i][0] = d_u32(&d);
			if (r->level == 0)
				continue;
			r->type[i] = d_u32(&d);
			ptrs[i][1] = d_u32(&d);
			if (r->level == 501)
				r->flags[i] = d_u32(&d);
			if (r->level != 2)
				continue;
			assert_int_equal(d_u32(&d), 0); /* permissions */
			r->max_uses[i] = d_u32(&d);
			r->cur_uses[i] = d_u32(&d);
			ptrs[i][2] = d_u32(&d);
			ptrs[i][3] = d_u32(&d);
			assert_int_equal(ptrs[i][3], 0); /* no password */
		}
		for (u32 i = 0; i < r->entries; i++) {
			assert_int_not_equal(ptrs[i][0], 0);
			d_str(&d, r->name[i], 64);
			if (r->level == 0)
				continue;
			assert_int_not_equal(ptrs[i][1], 0);
			d_str(&d, r->remark[i], 64);
			if (r->level == 2)
				d_str(&d, r->path[i], 64);
		}
	} else {
		assert_int_equal(r->entries, 0);
	}
	r->total = d_u32(&d);
	r->resume_ptr = d_u32(&d) != 0;
	if (r->resume_ptr)
		r->resume = d_u32(&d);
	r->status = d_u32(&d);
	assert_int_equal(d.pos, len);
}

static void run_enum(const u8 *stub, size_t len, struct enum_result *r)
{
	u8 *resp;
	size_t resp_len;

	assert_int_equal(rpc_call(pipe_, 15, stub, len, &resp, &resp_len), 0);
	decode_enum(resp, resp_len, r);
	test_free(resp);
}

static void test_share_enum_smbclient(void **state)
{
	struct enum_result r;

	run_enum(net_share_enum_all_l1, sizeof(net_share_enum_all_l1), &r);
	assert_int_equal(r.level, 1);
	assert_int_equal(r.entries, 3);
	assert_int_equal(r.total, 3);
	assert_int_equal(r.status, 0);
	assert_true(r.resume_ptr);
	assert_int_equal(r.resume, 0);
	assert_string_equal(r.name[0], "IPC$");
	assert_int_equal(r.type[0], 0x80000003u);
	assert_string_equal(r.remark[0], "IPC Service (ksmbd-direct)");
	assert_string_equal(r.name[1], "data");
	assert_int_equal(r.type[1], 0);
	assert_string_equal(r.remark[1], "Data share");
	assert_string_equal(r.name[2], "homes");
	assert_string_equal(r.remark[2], "");
}

static void test_share_enum_levels(void **state)
{
	struct enum_result r;
	struct sb s;

	enum_req(&s, 0, 0xffffffff, false, 0);
	run_enum(s.b, s.n, &r);
	assert_int_equal(r.entries, 3);
	assert_string_equal(r.name[1], "data");
	assert_false(r.resume_ptr);

	enum_req(&s, 2, 0xffffffff, true, 0);
	run_enum(s.b, s.n, &r);
	assert_int_equal(r.entries, 3);
	assert_string_equal(r.path[1], "C:\\srv\\data");
	assert_int_equal(r.max_uses[1], 0xffffffffu);
	assert_int_equal(r.cur_uses[1], 2);

	enum_req(&s, 501, 0xffffffff, true, 0);
	run_enum(s.b, s.n, &r);
	assert_int_equal(r.entries, 3);
	assert_int_equal(r.flags[1], 0x30);
}

/* Small PreferedMaximumLength: pages of whole entries via ResumeHandle. */
static void test_share_enum_resume(void **state)
{
	struct enum_result r;
	struct sb s;
	u32 resume = 0, seen = 0, calls = 0;
	char name[16];

	for (int i = 0; i < 20; i++) {
		snprintf(name, sizeof(name), "s%02d", i);
		fake_add(&srv, name, "c", STYPE_DISKTREE, 0);
	}
	do {
		enum_req(&s, 1, 40, true, resume);
		run_enum(s.b, s.n, &r);
		assert_int_equal(r.total, 23);
		assert_true(r.entries >= 1);
		for (u32 i = 0; i < r.entries; i++)
			assert_string_equal(r.name[i],
					    srv.shares[seen + i].name);
		seen += r.entries;
		if (seen < 23) {
			assert_int_equal(r.status, WERR_MORE_DATA);
			assert_int_equal(r.resume, seen);
		} else {
			assert_int_equal(r.status, 0);
			assert_int_equal(r.resume, 0);
		}
		resume = r.resume;
		calls++;
	} while (r.status == WERR_MORE_DATA && calls < 100);
	assert_int_equal(seen, 23);
	assert_true(calls > 3);
	/* Preferred length 0 still makes progress, one entry a call. */
	enum_req(&s, 1, 0, true, 0);
	run_enum(s.b, s.n, &r);
	assert_int_equal(r.entries, 1);
	assert_int_equal(r.status, WERR_MORE_DATA);
	/* A resume handle past the end: nothing more, success. */
	enum_req(&s, 1, 0xffffffff, true, 1000);
	run_enum(s.b, s.n, &r);
	assert_int_equal(r.entries, 0);
	assert_int_equal(r.status, 0);
	assert_int_equal(r.total, 23);
}

static void test_share_enum_bad_levels(void **state)
{
	u8 *resp;
	size_t len;
	struct sb s;
	struct dec d;

	/* 502 is a valid tag we do not serve: empty container. */
	enum_req(&s, 502, 0xffffffff, true, 0);
	assert_int_equal(rpc_call(pipe_, 15, s.b, s.n, &resp, &len), 0);
	d = (struct dec){ resp, len, 0 };
	assert_int_equal(d_u32(&d), 502);
	assert_int_equal(d_u32(&d), 502);
	assert_int_not_equal(d_u32(&d), 0);
	assert_int_equal(d_u32(&d), 0);
	assert_int_equal(d_u32(&d), 0);
	assert_int_equal(d_u32(&d), 0); /* total */
	assert_int_not_equal(d_u32(&d), 0);
	assert_int_equal(d_u32(&d), 0);
	assert_int_equal(d_u32(&d), WERR_INVALID_LEVEL);
	assert_int_equal(d.pos, len);
	test_free(resp);

	/* An unknown tag has no arm at all. */
	s.n = 0;
	sb_u32(&s, 0);
	sb_u32(&s, 7);
	sb_u32(&s, 7);
	sb_u32(&s, 0xffffffff);
	sb_u32(&s, 0);
	assert_int_equal(rpc_call(pipe_, 15, s.b, s.n, &resp, &len), 0);
	assert_int_equal(len, 20);
	assert_int_equal(smb_get_le32(resp), 7);
	assert_int_equal(smb_get_le32(resp + 4), 7);
	assert_int_equal(smb_get_le32(resp + 8), 0);
	assert_int_equal(smb_get_le32(resp + 16), WERR_INVALID_LEVEL);
	test_free(resp);

	/* Level and union discriminant disagree: undecodable. */
	enum_req(&s, 1, 0xffffffff, true, 0);
	smb_put_le32(s.b + 28, 2);
	assert_int_equal(rpc_call(pipe_, 15, s.b, s.n, &resp, &len),
			 NCA_S_FAULT_NDR);
}

/* A client that sends a filled container (legal NDR) is decoded. */
static void test_share_enum_filled_container(void **state)
{
	struct enum_result r;
	struct sb s;
	u8 *resp;
	size_t len;

	s.n = 0;
	sb_u32(&s, 0);
	sb_u32(&s, 1);
	sb_u32(&s, 1);
	sb_u32(&s, 0x20000);
	sb_u32(&s, 2); /* EntriesRead */
	sb_u32(&s, 0x20004); /* Buffer */
	sb_u32(&s, 2); /* max_count */
	sb_u32(&s, 0x20008);
	sb_u32(&s, 0);
	sb_u32(&s, 0); /* NULL remark */
	sb_u32(&s, 0x2000c);
	sb_u32(&s, 0);
	sb_u32(&s, 0x20010);
	sb_str(&s, "x");
	sb_str(&s, "y");
	sb_str(&s, "z");
	sb_u32(&s, 0xffffffff);
	sb_u32(&s, 0);
	run_enum(s.b, s.n, &r);
	assert_int_equal(r.entries, 3);
	/* Conformance disagreeing with EntriesRead. */
	smb_put_le32(s.b + 24, 3);
	assert_int_equal(rpc_call(pipe_, 15, s.b, s.n, &resp, &len),
			 NCA_S_FAULT_NDR);
	/* A count the stub cannot hold. */
	smb_put_le32(s.b + 16, 0x10000000);
	smb_put_le32(s.b + 24, 0x10000000);
	assert_int_equal(rpc_call(pipe_, 15, s.b, s.n, &resp, &len),
			 NCA_S_FAULT_NDR);
}

/* Every truncation of a valid request is an NDR fault. */
static void test_truncated_requests(void **state)
{
	struct sb s;
	u8 *resp;
	size_t len;

	for (size_t cut = 0; cut < sizeof(net_share_enum_all_l1); cut++)
		assert_int_equal(rpc_call(pipe_, 15, net_share_enum_all_l1, cut,
					  &resp, &len),
				 NCA_S_FAULT_NDR);
	s.n = 0;
	sb_u32(&s, 0);
	sb_str(&s, "data");
	sb_u32(&s, 1);
	for (size_t cut = 0; cut < s.n; cut++)
		assert_int_equal(rpc_call(pipe_, 16, s.b, cut, &resp, &len),
				 NCA_S_FAULT_NDR);
	for (size_t cut = 0; cut < 8; cut++)
		assert_int_equal(rpc_call(pipe_, 21, s.b, cut, &resp, &len),
				 NCA_S_FAULT_NDR);
}

static void expect_str(struct dec *d, const char *want)
{
	char str[64];

	d_str(d, str, sizeof(str));
	assert_string_equal(str, want);
}

/* The stub ends with the status; free the response. */
static void expect_tail(struct dec *d, u8 *resp, u32 status)
{
	assert_int_equal(d_u32(d), status);
	assert_int_equal(d->pos, d->len);
	test_free(resp);
}

/* NetrServerGetInfo / NetrWkstaGetInfo: ServerName, Level. */
static void level_req(struct sb *s, u32 level)
{
	s->n = 0;
	sb_u32(s, 0x20000);
	sb_str(s, "\\\\SRV");
	sb_u32(s, level);
}

static void get_info_req(struct sb *s, const char *share, u32 level)
{
	s->n = 0;
	sb_u32(s, 0x20000);
	sb_str(s, "\\\\SRV");
	sb_str(s, share);
	sb_u32(s, level);
}

static void test_share_get_info(void **state)
{
	struct sb s;
	struct dec d;
	u8 *resp;
	size_t len;

	get_info_req(&s, "DATA", 2);
	assert_int_equal(rpc_call(pipe_, 16, s.b, s.n, &resp, &len), 0);
	d = (struct dec){ resp, len, 0 };
	assert_int_equal(d_u32(&d), 2);
	assert_int_not_equal(d_u32(&d), 0);
	assert_int_not_equal(d_u32(&d), 0);
	assert_int_equal(d_u32(&d), STYPE_DISKTREE);
	assert_int_not_equal(d_u32(&d), 0);
	assert_int_equal(d_u32(&d), 0);
	assert_int_equal(d_u32(&d), 0xffffffffu);
	assert_int_equal(d_u32(&d), 2);
	assert_int_not_equal(d_u32(&d), 0);
	assert_int_equal(d_u32(&d), 0);
	expect_str(&d, "data");
	expect_str(&d, "Data share");
	expect_str(&d, "C:\\srv\\data");
	expect_tail(&d, resp, 0);

	get_info_req(&s, "IPC$", 0);
	assert_int_equal(rpc_call(pipe_, 16, s.b, s.n, &resp, &len), 0);
	d = (struct dec){ resp, len, 0 };
	assert_int_equal(d_u32(&d), 0);
	assert_int_not_equal(d_u32(&d), 0);
	assert_int_not_equal(d_u32(&d), 0);
	expect_str(&d, "IPC$");
	assert_int_equal(d_u32(&d), 0);
	test_free(resp);

	get_info_req(&s, "ipc$", 1);
	assert_int_equal(rpc_call(pipe_, 16, s.b, s.n, &resp, &len), 0);
	assert_int_equal(smb_get_le32(resp + 12), 0x80000003u);
	test_free(resp);

	get_info_req(&s, "data", 501);
	assert_int_equal(rpc_call(pipe_, 16, s.b, s.n, &resp, &len), 0);
	assert_int_equal(smb_get_le32(resp + 20), 0x30);
	test_free(resp);

	get_info_req(&s, "data", 1005);
	assert_int_equal(rpc_call(pipe_, 16, s.b, s.n, &resp, &len), 0);
	assert_int_equal(len, 16);
	assert_int_equal(smb_get_le32(resp), 1005);
	assert_int_equal(smb_get_le32(resp + 8), 0x30);
	assert_int_equal(smb_get_le32(resp + 12), 0);
	test_free(resp);
}

static void test_share_get_info_errors(void **state)
{
	struct sb s;
	u8 *resp;
	size_t len;

	get_info_req(&s, "nosuch", 1);
	assert_int_equal(rpc_call(pipe_, 16, s.b, s.n, &resp, &len), 0);
	assert_int_equal(len, 12);
	assert_int_equal(smb_get_le32(resp), 1);
	assert_int_equal(smb_get_le32(resp + 4), 0);
	assert_int_equal(smb_get_le32(resp + 8), NERR_NET_NAME_NOT_FOUND);
	test_free(resp);

	get_info_req(&s, "data", 502); /* a pointer arm we do not fill */
	assert_int_equal(rpc_call(pipe_, 16, s.b, s.n, &resp, &len), 0);
	assert_int_equal(len, 12);
	assert_int_equal(smb_get_le32(resp + 4), 0);
	assert_int_equal(smb_get_le32(resp + 8), WERR_INVALID_LEVEL);
	test_free(resp);

	get_info_req(&s, "data", 9999); /* the [default] arm: empty */
	assert_int_equal(rpc_call(pipe_, 16, s.b, s.n, &resp, &len), 0);
	assert_int_equal(len, 8);
	assert_int_equal(smb_get_le32(resp + 4), WERR_INVALID_LEVEL);
	test_free(resp);

	/* NetName with inconsistent counts. */
	get_info_req(&s, "data", 1);
	smb_put_le32(s.b + 36, 9); /* actual_count > max_count */
	assert_int_equal(rpc_call(pipe_, 16, s.b, s.n, &resp, &len),
			 NCA_S_FAULT_NDR);
	get_info_req(&s, "data", 1);
	smb_put_le32(s.b + 32, 1); /* nonzero offset */
	assert_int_equal(rpc_call(pipe_, 16, s.b, s.n, &resp, &len),
			 NCA_S_FAULT_NDR);
	get_info_req(&s, "data", 1);
	smb_put_le32(s.b + 28, 4); /* max_count < actual_count */
	assert_int_equal(rpc_call(pipe_, 16, s.b, s.n, &resp, &len),
			 NCA_S_FAULT_NDR);
}

static void test_server_get_info(void **state)
{
	static const u32 levels[] = { 100, 101, 102 };
	struct sb s;
	struct dec d;
	u8 *resp;
	size_t len;
	char str[64];

	for (size_t i = 0; i < 3; i++) {
		level_req(&s, levels[i]);
		assert_int_equal(rpc_call(pipe_, 21, s.b, s.n, &resp, &len), 0);
		d = (struct dec){ resp, len, 0 };
		assert_int_equal(d_u32(&d), levels[i]);
		assert_int_not_equal(d_u32(&d), 0);
		assert_int_equal(d_u32(&d), PLATFORM_ID_NT);
		assert_int_not_equal(d_u32(&d), 0);
		if (levels[i] >= 101) {
			assert_int_equal(d_u32(&d), 10);
			assert_int_equal(d_u32(&d), 0);
			assert_int_equal(d_u32(&d), 0x9003);
			assert_int_not_equal(d_u32(&d), 0);
		}
		if (levels[i] == 102) {
			for (int k = 0; k < 6; k++)
				d_u32(&d);
			assert_int_not_equal(d_u32(&d), 0);
		}
		expect_str(&d, "KSMBD-DIRECT");
		if (levels[i] >= 101) {
			expect_str(&d, "ksmbd-direct server");
		}
		if (levels[i] == 102)
			d_str(&d, str, sizeof(str));
		expect_tail(&d, resp, 0);
	}
	s.n = 0;
	sb_u32(&s, 0);
	sb_u32(&s, 103);
	assert_int_equal(rpc_call(pipe_, 21, s.b, s.n, &resp, &len), 0);
	assert_int_equal(len, 12);
	assert_int_equal(smb_get_le32(resp + 4), 0);
	assert_int_equal(smb_get_le32(resp + 8), WERR_INVALID_LEVEL);
	test_free(resp);
	/* Opnums we do not implement. */
	assert_int_equal(rpc_call(pipe_, 14, s.b, s.n, &resp, &len),
			 NCA_S_OP_RNG_ERROR);
}

static void test_wkssvc(void **state)
{
	struct smb_rpc_pipe *p = open_bound("\\PIPE\\wkssvc", &prov);
	struct sb s;
	struct dec d;
	u8 *resp;
	size_t len;

	level_req(&s, 100);
	assert_int_equal(rpc_call(p, 0, s.b, s.n, &resp, &len), 0);
	d = (struct dec){ resp, len, 0 };
	assert_int_equal(d_u32(&d), 100);
	assert_int_not_equal(d_u32(&d), 0);
	assert_int_equal(d_u32(&d), PLATFORM_ID_NT);
	assert_int_not_equal(d_u32(&d), 0);
	assert_int_not_equal(d_u32(&d), 0);
	assert_int_equal(d_u32(&d), 10);
	assert_int_equal(d_u32(&d), 0);
	expect_str(&d, "KSMBD-DIRECT");
	expect_str(&d, "WORKGROUP");
	expect_tail(&d, resp, 0);

	smb_put_le32(s.b + s.n - 4, 101);
	assert_int_equal(rpc_call(p, 0, s.b, s.n, &resp, &len), 0);
	assert_int_equal(len, 12);
	assert_int_equal(smb_get_le32(resp + 8), WERR_INVALID_LEVEL);
	test_free(resp);
	assert_int_equal(rpc_call(p, 0, s.b, 3, &resp, &len), NCA_S_FAULT_NDR);
	assert_int_equal(rpc_call(p, 1, s.b, s.n, &resp, &len),
			 NCA_S_OP_RNG_ERROR);
	smb_rpc_pipe_close(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_share_enum_smbclient,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_share_enum_levels, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_share_enum_resume, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_share_enum_bad_levels,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_share_enum_filled_container, setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncated_requests, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_share_get_info, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_share_get_info_errors,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_server_get_info, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_wkssvc, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
