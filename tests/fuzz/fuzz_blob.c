// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * fuzz_blob - libFuzzer target for the kernel module's blob checker and
 * look-ups (common/p2pguard_blob.h) and for p2pg_policy_to_blob().
 *
 * Byte 0 picks the mode (low two bits), the rest is its input:
 *   0  raw bytes handed to p2pg_blob_check();
 *   1  (offset lo, offset hi, xor) edits of a good blob (the default policy
 *      plus agents and extra prefixes): near-valid blobs reach the deep
 *      checks;
 *   2  a good header whose sections (count each from one byte, packed at
 *      8-byte offsets) are filled with the remaining bytes;
 *   3  a policy built from the bytes (prefixes, names, agents, switch),
 *      which p2pg_policy_to_blob() must turn into a blob the checker
 *      accepts and that answers as the policy does.
 *
 * Whenever the checker accepts, every look-up runs over what the blob
 * holds (ASan/UBSan watch the reads) and must agree with it: each listed
 * prefix matches (not WAN), each name and agent is found, each PPPP key
 * sits in its first-byte slot.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"
#include "p2pguard_blob.h"

#define FUZZ_ASSERT(cond, ...)						\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "fuzz_blob: " __VA_ARGS__);	\
			fputc('\n', stderr);				\
			abort();					\
		}							\
	} while (0)

static void *seed;
static size_t seed_size;
static struct p2pg_blob_view view;

int LLVMFuzzerInitialize(int *argc, char **argv[])
{
	struct p2pg_policy p;
	static __u32 uids[] = { 0, 33, 1000 };
	static __u64 cgs[] = { 7, 42 };

	if (p2pg_policy_init_defaults(&p) ||
	    p2pg_policy_add_prefix(&p, "198.51.100.0/24", P2PG_NET_ALLOW) ||
	    p2pg_policy_add_prefix(&p, "2001:db8::/32", P2PG_NET_DENY)) {
		fprintf(stderr, "fuzz_blob: cannot build the policy\n");
		exit(1);
	}
	p.agent_uids = uids;
	p.n_agent_uids = 3;
	p.agent_cgroups = cgs;
	p.n_agent_cgroups = 2;
	if (p2pg_policy_to_blob(&p, &seed, &seed_size) ||
	    p2pg_blob_check(seed, seed_size, &view)) {
		fprintf(stderr, "fuzz_blob: the seed blob is not good\n");
		exit(1);
	}
	p.agent_uids = NULL;
	p.agent_cgroups = NULL;
	p.n_agent_uids = p.n_agent_cgroups = 0;
	p2pg_policy_free(&p);
	return 0;
}

/* Every look-up over what an accepted blob holds. */
static void exercise(const struct p2pg_blob_view *v, const __u8 *data,
		     size_t size)
{
	__u8 a[16] = { 0 };
	__u32 i;

	for (i = 0; i < v->n[P2PG_SEC_PREFIX4]; i++)
		FUZZ_ASSERT(p2pg_blob_net_class(v, 4, v->p4[i].addr) !=
			    P2PG_NET_WAN, "listed IPv4 prefix %u not found", i);
	for (i = 0; i < v->n[P2PG_SEC_PREFIX6]; i++)
		FUZZ_ASSERT(p2pg_blob_net_class(v, 6, v->p6[i].addr) !=
			    P2PG_NET_WAN, "listed IPv6 prefix %u not found", i);
	for (i = 0; i < v->n[P2PG_SEC_NAMES]; i++)
		FUZZ_ASSERT(p2pg_blob_name_denied(v, v->names[i]),
			    "listed name %u not found", i);
	for (i = 0; i < v->n[P2PG_SEC_AGENT_CG]; i++)
		FUZZ_ASSERT(!v->agent_cg[i] ||
			    p2pg_blob_is_agent(v, v->agent_cg[i], ~0U - 1),
			    "listed agent cgroup %u not found", i);
	for (i = 0; i < v->n[P2PG_SEC_AGENT_UID]; i++)
		FUZZ_ASSERT(p2pg_blob_is_agent(v, 0, v->agent_uid[i]),
			    "listed agent uid %u not found", i);
	for (i = 0; i < P2PG_PPPP_SLOTS; i++)
		FUZZ_ASSERT(!v->pppp[i] || (0xf1 ^ v->pppp[i]->dec[0]) == i,
			    "PPPP key in slot %u is another slot's", i);
	/* Addresses and hashes from the input itself. */
	memcpy(a, data, size < 16 ? size : 16);
	p2pg_blob_net_class(v, 4, a);
	p2pg_blob_net_class(v, 6, a);
	if (size >= 8) {
		__u64 h;

		memcpy(&h, data, 8);
		p2pg_blob_name_denied(v, h);
		p2pg_blob_is_agent(v, h, (__u32)h);
	}
}

/* Checked from an 8-aligned copy of exactly @size bytes (ASan sees it). */
static void check_bytes(const __u8 *b, size_t size, const __u8 *data,
			size_t dsize)
{
	void *copy = malloc(size ? size : 1);

	memcpy(copy, b, size);
	if (!p2pg_blob_check(copy, size, &view))
		exercise(&view, data, dsize);
	free(copy);
}

static void mode_edits(const __u8 *d, size_t n)
{
	__u8 *b = malloc(seed_size);
	size_t i;

	memcpy(b, seed, seed_size);
	for (i = 0; i + 3 <= n; i += 3)
		b[(d[i] | d[i + 1] << 8) % seed_size] ^= d[i + 2];
	check_bytes(b, seed_size, d, n);
	free(b);
}

static void mode_sections(const __u8 *d, size_t n)
{
	struct p2pg_blob_hdr h = *(const struct p2pg_blob_hdr *)seed;
	size_t off = sizeof(h), i, s, k = 0;
	__u8 *b;

	if (n < P2PG_SEC__COUNT + 4)
		return;
	memcpy(&h.cfg, d, 4);	/* generation */
	for (s = 0; s < P2PG_SEC__COUNT; s++) {
		/* Few PPPP keys, and a count may overshoot on purpose. */
		__u32 c = s == P2PG_SEC_PPPP ? d[4 + s] % 4 : d[4 + s] % 40;

		h.sec[s].off = off;
		h.sec[s].count = c;
		off = (off + (size_t)c * p2pg_blob_elem_size[s] + 7) & ~(size_t)7;
	}
	d += 4 + P2PG_SEC__COUNT;
	n -= 4 + P2PG_SEC__COUNT;
	h.size = off;
	b = calloc(1, off);
	memcpy(b, &h, sizeof(h));
	for (i = sizeof(h); i < off && k < n; i++)
		b[i] = d[k++];
	check_bytes(b, off, d, n);
	free(b);
}

/* A policy from the bytes: the writer must always produce a good blob. */
static void mode_policy(const __u8 *d, size_t n)
{
	struct p2pg_policy p;
	void *blob;
	size_t size, i;
	const char *why;
	int r;

	p2pg_policy_init(&p);
	if (n < 1)
		return;
	p.cfg.p2p_enabled = d[0] & 1;
	p.cfg.mode = (d[0] >> 1) & 1;
	p.cfg.lockdown = (d[0] >> 2) & 1;
	d++;
	n--;
	p.prefixes = calloc(n / 18 + 1, sizeof(*p.prefixes));
	p.names = calloc(n / 8 + 1, sizeof(*p.names));
	p.domains = calloc(n / 8 + 1, sizeof(*p.domains));
	p.agent_uids = calloc(n / 4 + 1, sizeof(*p.agent_uids));
	p.agent_cgroups = calloc(n / 8 + 1, sizeof(*p.agent_cgroups));
	/* Records: tag byte, then its payload. */
	for (i = 0; i < n;) {
		__u8 tag = d[i++];

		if ((tag & 3) == 0 && i + 17 <= n) {
			struct p2pg_prefix *e = &p.prefixes[p.n_prefixes++];

			e->family = tag & 4 ? 6 : 4;
			e->prefixlen = d[i] % (e->family == 4 ? 33 : 129);
			e->net_class = P2PG_NET_LAN + (tag >> 3) % 4;
			/* Host bits as given: the writer must clear them. */
			memcpy(e->addr, d + i + 1, e->family == 4 ? 4 : 16);
			i += 17;
		} else if ((tag & 3) == 1 && i + 8 <= n) {
			memcpy(&p.names[p.n_names++], d + i, 8);
			i += 8;
		} else if ((tag & 3) == 2 && i + 4 <= n) {
			memcpy(&p.agent_uids[p.n_agent_uids++], d + i, 4);
			i += 4;
		} else if ((tag & 3) == 3 && i + 8 <= n) {
			memcpy(&p.agent_cgroups[p.n_agent_cgroups++], d + i, 8);
			i += 8;
		} else {
			break;
		}
	}
	p.cap_prefixes = p.n_prefixes;
	p.cap_names = p.n_names;
	r = p2pg_policy_to_blob(&p, &blob, &size);
	FUZZ_ASSERT(!r, "p2pg_policy_to_blob failed: %d", r);
	why = p2pg_blob_check(blob, size, &view);
	FUZZ_ASSERT(!why, "p2pg_policy_to_blob made a bad blob: %s", why);
	exercise(&view, d, n);
	/* Each listed prefix, host bits cleared, answers as the policy does. */
	for (i = 0; i < p.n_prefixes; i++) {
		struct p2pg_prefix *e = &p.prefixes[i];
		unsigned int bytes = e->family == 4 ? 4 : 16, b;

		for (b = e->prefixlen; b < bytes * 8; b++)
			e->addr[b / 8] &= ~(0x80 >> (b % 8));
	}
	for (i = 0; i < p.n_prefixes; i++) {
		const struct p2pg_prefix *e = &p.prefixes[i];

		FUZZ_ASSERT(p2pg_blob_net_class(&view, e->family, e->addr) ==
			    p2pg_policy_net_class(&p, e->family, e->addr),
			    "prefix %zu: blob and policy differ", i);
	}
	for (i = 0; i < p.n_names; i++)
		FUZZ_ASSERT(p2pg_blob_name_denied(&view, p.names[i]),
			    "name %zu lost", i);
	FUZZ_ASSERT(view.hdr->cfg.p2p_enabled == p.cfg.p2p_enabled &&
		    view.hdr->cfg.mode == p.cfg.mode &&
		    view.hdr->cfg.lockdown == p.cfg.lockdown,
		    "switch not carried");
	free(blob);
	p2pg_policy_free(&p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	switch (data[0] & 3) {
	case 0:
		check_bytes(data + 1, size - 1, data + 1, size - 1);
		break;
	case 1:
		mode_edits(data + 1, size - 1);
		break;
	case 2:
		mode_sections(data + 1, size - 1);
		break;
	default:
		mode_policy(data + 1, size - 1);
		break;
	}
	return 0;
}
