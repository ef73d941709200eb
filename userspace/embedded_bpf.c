// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * embedded_bpf.c - inflating the BPF objects embedded compressed
 * (embedded_bpf_data.S).  zlib is linked anyway: libelf and libbpf need it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <zlib.h>

#include "embedded_bpf.h"

#define P2PG_EMBEDDED_MAX	4

static struct {
	const unsigned char *gz;
	void *elf;
	size_t size;
} p2pg_inflated[P2PG_EMBEDDED_MAX];

/* gzip's trailer ends with the input size modulo 2^32 (RFC 1952). */
static size_t gz_isize(const unsigned char *gz, const unsigned char *end)
{
	if (end - gz < 18)
		return 0;
	return (size_t)end[-4] | (size_t)end[-3] << 8 |
	       (size_t)end[-2] << 16 | (size_t)end[-1] << 24;
}

const void *p2pg_embedded_elf(const unsigned char *gz,
			      const unsigned char *end, size_t *sz)
{
	size_t want = gz_isize(gz, end);
	z_stream s = { 0 };
	unsigned char *out;
	int i, r;

	*sz = 0;
	for (i = 0; i < P2PG_EMBEDDED_MAX && p2pg_inflated[i].gz; i++) {
		if (p2pg_inflated[i].gz == gz) {
			*sz = p2pg_inflated[i].size;
			return p2pg_inflated[i].elf;
		}
	}
	if (i == P2PG_EMBEDDED_MAX || !want)
		goto corrupt;
	out = malloc(want);
	if (!out) {
		fprintf(stderr, "p2pguard: no memory for the BPF object (%zu bytes)\n",
			want);
		return NULL;
	}
	/* 16 + MAX_WBITS: a gzip stream, not a bare zlib one. */
	if (inflateInit2(&s, 16 + MAX_WBITS) != Z_OK) {
		free(out);
		goto corrupt;
	}
	s.next_in = (unsigned char *)gz;
	s.avail_in = (uInt)(end - gz);
	s.next_out = out;
	s.avail_out = (uInt)want;
	r = inflate(&s, Z_FINISH);
	inflateEnd(&s);
	if (r != Z_STREAM_END || s.total_out != want) {
		free(out);
		goto corrupt;
	}
	p2pg_inflated[i].gz = gz;
	p2pg_inflated[i].elf = out;
	p2pg_inflated[i].size = want;
	*sz = want;
	return out;
corrupt:
	fprintf(stderr, "p2pguard: the embedded BPF object is corrupt\n");
	return NULL;
}

void p2pg_embedded_release(void)
{
	int i;

	for (i = 0; i < P2PG_EMBEDDED_MAX; i++) {
		free(p2pg_inflated[i].elf);
		p2pg_inflated[i].gz = NULL;
		p2pg_inflated[i].elf = NULL;
		p2pg_inflated[i].size = 0;
	}
}
