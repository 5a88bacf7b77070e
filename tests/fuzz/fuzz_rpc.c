// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_rpc.c - libFuzzer target for the DCE/RPC pipes (srvsvc, wkssvc).
 * Input: a mode byte (bit 0: wkssvc, bit 1: bind first with a valid bind,
 * bit 2: use TRANSCEIVE rather than WRITE + READs), then PDUs framed by a
 * 16-bit little-endian length.  No allocation may outlive the pipe.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "platform.h"
#include "rpc_test_util.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static long live;

static void *f_alloc(size_t size, void *ctx)
{
	void *p = calloc(1, size ? size : 1);

	(void)ctx;
	if (p)
		live++;
	return p;
}

static void f_free(void *p, void *ctx)
{
	(void)ctx;
	if (p) {
		live--;
		free(p);
	}
}

static const struct smb_allocator f_mem = { .alloc = f_alloc, .free = f_free };
static struct fake_server shares;

static void write_seed(const char *dir, const char *name, u8 mode,
		       const u8 *const *pdus, const size_t *lens, int n)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f)
		return;
	fputc(mode, f);
	for (int i = 0; i < n; i++) {
		fputc((int)(lens[i] & 0xff), f);
		fputc((int)(lens[i] >> 8), f);
		fwrite(pdus[i], 1, lens[i], f);
	}
	fclose(f);
}

/* With FUZZ_SEEDS_OUT set, write a seed corpus and exit. */
static void seeds(const char *dir)
{
	static u8 bind[512], req[512], req2[512];
	static const u8 getinfo[] = { 0, 0, 2, 0, 3,   0, 0,	0, 0,	0,
				      0, 0, 3, 0, 0,   0, '\\', 0, 'S', 0,
				      0, 0, 0, 0, 101, 0, 0,	0 };
	const u8 *pdus[2];
	size_t lens[2];

	lens[0] = build_bind(bind, 1, UUID_SRVSVC, 3);
	pdus[0] = bind;
	write_seed(dir, "bind", 0, pdus, lens, 1);
	lens[1] = build_request(req, 2, 3, 0, 15, sizeof(net_share_enum_all_l1),
				net_share_enum_all_l1,
				sizeof(net_share_enum_all_l1));
	pdus[1] = req;
	write_seed(dir, "enum", 0, pdus, lens, 2);
	write_seed(dir, "enum-transceive", 4, pdus, lens, 2);
	write_seed(dir, "enum-autobind", 2, pdus + 1, lens + 1, 1);
	lens[1] = build_request(req2, 3, 3, 0, 21, sizeof(getinfo), getinfo,
				sizeof(getinfo));
	pdus[1] = req2;
	write_seed(dir, "getinfo", 0, pdus, lens, 2);
	lens[0] = build_bind(bind, 1, UUID_WKSSVC, 1);
	write_seed(dir, "wkssvc", 1, pdus, lens, 2);
	exit(0);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	(void)t_mem;
	fake_add(&shares, "share", "scratch", 0, 0);
	fake_add(&shares, "IPC$", "IPC Service", 0x80000003u, 0);
	if (getenv("FUZZ_SEEDS_OUT"))
		seeds(getenv("FUZZ_SEEDS_OUT"));
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct smb_rpc_provider prov = fake_provider(&shares);
	struct smb_rpc_pipe *p;
	static u8 out[8192];
	size_t got, left;
	const u8 *in;
	u8 mode;

	if (size < 1)
		return 0;
	mode = data[0];
	in = data + 1;
	left = size - 1;
	p = smb_rpc_pipe_open(&f_mem, (mode & 1) ? "wkssvc" : "srvsvc", &prov);
	if (!p)
		abort();
	if (mode & 2) {
		u8 bind[512];
		size_t n = build_bind(bind, 1,
				      (mode & 1) ? UUID_WKSSVC : UUID_SRVSVC,
				      (mode & 1) ? 1 : 3);

		smb_rpc_pipe_transceive(p, bind, n, out, sizeof(out), &got);
	}
	while (left >= 2) {
		size_t n = smb_get_le16(in);

		in += 2;
		left -= 2;
		if (n > left)
			n = left;
		if (mode & 4) {
			smb_rpc_pipe_transceive(p, in, n, out, sizeof(out),
						&got);
			if (got > sizeof(out))
				abort();
		} else if (smb_rpc_pipe_write(p, in, n) == STATUS_SUCCESS) {
			for (int i = 0; i < 64; i++) {
				u32 st = smb_rpc_pipe_read(p, out, 1000, &got);

				if (NT_STATUS_IS_ERROR(st))
					break;
				if (got > 1000)
					abort();
			}
		}
		in += n;
		left -= n;
	}
	smb_rpc_pipe_close(p);
	if (live != 0)
		abort();
	return 0;
}
