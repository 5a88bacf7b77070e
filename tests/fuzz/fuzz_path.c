// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_path.c - libFuzzer target for smb_path_from_wire() and its stream
 * form: whatever the wire name, an accepted path must be relative,
 * '/'-separated and free of "." and ".." components, and a stream name
 * never holds a separator.
 */
#include <stdlib.h>

#include "platform.h"
#include "internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_path(const char *p)
{
	const char *c = p;

	if (p[0] == '/' || strchr(p, '\\'))
		abort();
	for (;;) {
		const char *e = strchr(c, '/');
		size_t n = e ? (size_t)(e - c) : strlen(c);

		if (n == 0 && (e || c != p))
			abort(); /* empty component */
		if ((n == 1 && c[0] == '.') ||
		    (n == 2 && c[0] == '.' && c[1] == '.'))
			abort();
		if (!e)
			break;
		c = e + 1;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char out[4096];
	char small[16];

	if (smb_path_from_wire(data, size, out, sizeof(out)) == 0)
		check_path(out);
	{
		static struct smb_stream_spec sn;

		if (smb_path_from_wire_stream(data, size, out, sizeof(out),
					      &sn) == 0) {
			check_path(out);
			if (strchr(sn.name, ':') || strchr(sn.name, '/') ||
			    strchr(sn.name, '\\') ||
			    (sn.name[0] && !sn.present))
				abort();
		}
	}
	if (smb_path_from_wire(data, size, small, sizeof(small)) == 0) {
		if (strlen(small) >= sizeof(small))
			abort();
		check_path(small);
	}
	return 0;
}
