// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_blob - the kernel module's policy blob: p2pg_policy_to_blob()
 * (userspace/policy.c) against p2pg_blob_check() and the look-ups of
 * common/p2pguard_blob.h, the very text the module compiles.
 *
 *  - the default policy and random policies (every class and prefix
 *    length, both families, names, PPPP keys, agents, repeats) serialize
 *    to blobs the checker accepts;
 *  - differential: the blob's answers equal the policy's own, for each
 *    prefix's first and last address, the addresses just outside, and
 *    random addresses; names, agents and PPPP slots likewise;
 *  - 100k entries serialize quickly and check;
 *  - every kind of corruption is refused with its reason, and a bit-flip
 *    sweep over a small blob never misbehaves;
 *  - sizing (userspace/mapsize.c), what the eBPF backend's maps get for a
 *    policy: counts to sizes (a quarter more, in steps, a floor), the
 *    default policy at the floors, a policy that outgrows its maps told
 *    apart from one that fits, and the memlock estimate by map type.
 *
 * Output: PASS/FAIL lines (tests/lib/check.h); exit 1 on any FAIL.
 * -l lists the cases, -t NAME runs those whose name contains NAME.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <linux/bpf.h>

#include "check.h"
#include "mapsize.h"
#include "policy.h"
#include "p2pguard_blob.h"
#include "p2pguard_default_blob.h"

static __u64 rng_state = 0x9e3779b97f4a7c15ULL;

static __u64 rnd(void)
{
	/* xorshift64*: deterministic, so a failure reproduces. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

static void rnd_bytes(__u8 *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		b[i] = rnd();
}

static void mask(__u8 *a, unsigned int bytes, unsigned int plen)
{
	unsigned int i;

	for (i = 0; i < bytes; i++) {
		unsigned int keep = plen >= 8 * (i + 1) ? 8 :
				    plen > 8 * i ? plen - 8 * i : 0;

		a[i] &= keep ? (__u8)(0xff << (8 - keep)) : 0;
	}
}

/* Big-endian +1 / -1 over @bytes, wrapping. */
static void addr_step(__u8 *a, unsigned int bytes, int up)
{
	int i;

	for (i = bytes - 1; i >= 0; i--) {
		if (up) {
			if (++a[i])
				return;
		} else {
			if (a[i]--)
				return;
		}
	}
}

/* Text form, for the policy's own parser. */
static int add_prefix_bin(struct p2pg_policy *p, int family, const __u8 *a,
			  unsigned int plen, int cls)
{
	char txt[INET6_ADDRSTRLEN + 8];
	size_t n;

	inet_ntop(family == 4 ? AF_INET : AF_INET6, a, txt, sizeof(txt));
	n = strlen(txt);
	snprintf(txt + n, sizeof(txt) - n, "/%u", plen);
	return p2pg_policy_add_prefix(p, txt, cls);
}

/* A policy with nested prefixes: few anchors, many lengths around each. */
static void random_policy(struct p2pg_policy *p, int n4, int n6, int names,
			  int keys, int agents)
{
	__u8 anchors4[8][4], anchors6[8][16], a[16];
	char name[64];
	int i, k;

	p2pg_policy_init(p);
	p->cfg.p2p_enabled = rnd() & 1;
	p->cfg.mode = rnd() & 1;
	p->cfg.lockdown = rnd() & 1;
	p->cfg.generation = rnd();
	for (i = 0; i < 8; i++) {
		rnd_bytes(anchors4[i], 4);
		rnd_bytes(anchors6[i], 16);
	}
	for (i = 0; i < n4 + n6; i++) {
		int v4 = i < n4, bytes = v4 ? 4 : 16;
		unsigned int plen = rnd() % (v4 ? 33 : 129);

		memcpy(a, v4 ? anchors4[rnd() & 7] : anchors6[rnd() & 7], bytes);
		/* A random bit flipped below the length: siblings, cousins. */
		if (plen && (rnd() & 1)) {
			unsigned int bit = rnd() % plen;

			a[bit / 8] ^= 0x80 >> (bit % 8);
		}
		mask(a, bytes, plen);
		if (add_prefix_bin(p, v4 ? 4 : 6, a, plen,
				   P2PG_NET_LAN + rnd() % 4))
			fprintf(stderr, "add_prefix failed\n");
	}
	for (i = 0; i < names; i++) {
		int labels = 1 + rnd() % 3, off = 0;

		for (k = 0; k < labels; k++)
			off += snprintf(name + off, sizeof(name) - off, "%sl%llx",
					k ? "." : "",
					(unsigned long long)(rnd() % 100000));
		snprintf(name + off, sizeof(name) - off, ".test");
		p2pg_policy_add_domain(p, name);
	}
	for (i = 0; i < keys; i++) {
		snprintf(name, sizeof(name), "key%llx",
			 (unsigned long long)rnd());
		p2pg_policy_add_pppp_key(p, name);	/* -EEXIST is fine */
	}
	/* Agents with repeats: the configuration may list one twice. */
	p->agent_cgroups = calloc(agents + 1, sizeof(__u64));
	p->agent_uids = calloc(agents + 1, sizeof(__u32));
	for (i = 0; i < agents; i++) {
		p->agent_cgroups[i] = i && (rnd() & 3) == 0 ?
			p->agent_cgroups[i - 1] : 1 + rnd() % 5000;
		p->agent_uids[i] = i && (rnd() & 3) == 0 ?
			p->agent_uids[i - 1] : rnd() % 70000;
	}
	p->n_agent_cgroups = p->n_agent_uids = agents;
}

static int policy_is_agent(const struct p2pg_policy *p, __u64 cg, __u32 uid)
{
	size_t i;

	for (i = 0; cg && i < p->n_agent_cgroups; i++)
		if (p->agent_cgroups[i] == cg)
			return 1;
	for (i = 0; i < p->n_agent_uids; i++)
		if (p->agent_uids[i] == uid)
			return 1;
	return 0;
}

static size_t n_family(const struct p2pg_policy *p, int family)
{
	size_t i, n = 0;

	for (i = 0; i < p->n_prefixes; i++)
		n += p->prefixes[i].family == family;
	return n;
}

/* Everything the blob answers equals what the policy answers. */
static int differential(const char *what, const struct p2pg_policy *p,
			const struct p2pg_blob_view *v, int n_random,
			size_t stride)
{
	long checked = 0, bad = 0;
	size_t i;
	int j, f;

	/* The policy's own look-up is linear: @stride thins out big ones. */
	for (i = 0; i < p->n_prefixes; i += stride) {
		const struct p2pg_prefix *e = &p->prefixes[i];
		unsigned int bytes = e->family == 4 ? 4 : 16, b;
		__u8 first[16], last[16], x[16];

		memcpy(first, e->addr, 16);
		memcpy(last, e->addr, 16);
		for (b = e->prefixlen; b < bytes * 8; b++)
			last[b / 8] |= 0x80 >> (b % 8);
		for (j = 0; j < 4; j++) {
			memcpy(x, j < 2 ? first : last, 16);
			if (j == 1)
				addr_step(x, bytes, 0);	/* just below */
			if (j == 3)
				addr_step(x, bytes, 1);	/* just above */
			checked++;
			if (p2pg_blob_net_class(v, e->family, x) !=
			    p2pg_policy_net_class(p, e->family, x) && bad++ < 5)
				fprintf(stderr, "%s: prefix %zu edge %d differs\n",
					what, i, j);
		}
	}
	for (j = 0; j < n_random; j++) {
		__u8 x[16];

		f = j & 1 ? 6 : 4;
		rnd_bytes(x, 16);
		/* Half near a listed prefix, so that they hit often. */
		if (p->n_prefixes && (rnd() & 1)) {
			const struct p2pg_prefix *e =
				&p->prefixes[rnd() % p->n_prefixes];

			f = e->family;
			memcpy(x, e->addr, e->prefixlen / 8);
		}
		checked++;
		if (p2pg_blob_net_class(v, f, x) != p2pg_policy_net_class(p, f, x) &&
		    bad++ < 5)
			fprintf(stderr, "%s: random address %d differs\n", what, j);
	}
	for (i = 0; i < p->n_names; i++, checked++)
		if (!p2pg_blob_name_denied(v, p->names[i]))
			bad++;
	for (j = 0; j < n_random; j++, checked++) {
		__u64 h = rnd();

		if (p2pg_blob_name_denied(v, h) != p2pg_policy_has_name(p, h))
			bad++;
	}
	for (j = 0; j < P2PG_PPPP_SLOTS; j++, checked++) {
		const struct p2pg_pppp_key *k = v->pppp[j];

		if (!!k != !!p->pppp[j].valid ||
		    (k && memcmp(k->dec, p->pppp[j].dec, 256)))
			bad++;
	}
	for (i = 0; i < p->n_agent_uids; i++, checked++)
		bad += !p2pg_blob_is_agent(v, 0, p->agent_uids[i]);
	for (i = 0; i < p->n_agent_cgroups; i++, checked++)
		bad += !p2pg_blob_is_agent(v, p->agent_cgroups[i], 123456789);
	for (j = 0; j < n_random; j++, checked++) {
		__u64 cg = rnd() % 6000;
		__u32 uid = rnd() % 80000;

		if (p2pg_blob_is_agent(v, cg, uid) != policy_is_agent(p, cg, uid))
			bad++;
	}
	checked++;
	if (v->hdr->cfg.p2p_enabled != p->cfg.p2p_enabled ||
	    v->hdr->cfg.mode != p->cfg.mode ||
	    v->hdr->cfg.lockdown != p->cfg.lockdown ||
	    v->hdr->cfg.generation != p->cfg.generation ||
	    v->hdr->cfg.abi_version != P2PG_ABI_VERSION)
		bad++;
	return check(bad == 0, "%s: blob answers = policy answers (%ld look-ups, %ld differ)",
		     what, checked, bad);
}

static struct p2pg_blob_view view;

static void test_default(void)
{
	struct p2pg_policy p;
	const char *why;
	void *blob;
	size_t size;
	int r;

	p2pg_policy_init_defaults(&p);
	p.cfg.generation = 7;
	r = p2pg_policy_to_blob(&p, &blob, &size);
	if (!check(!r, "default policy: serialized (%zu bytes)", r ? 0 : size))
		return;
	why = p2pg_blob_check(blob, size, &view);
	check(!why, "default policy: blob accepted%s%s", why ? ": " : "",
	      why ? why : "");
	if (!why) {
		check(view.n[P2PG_SEC_PREFIX4] == n_family(&p, 4) &&
		      view.n[P2PG_SEC_PREFIX6] == n_family(&p, 6) &&
		      view.n[P2PG_SEC_NAMES] == p.n_names &&
		      view.n[P2PG_SEC_PPPP] == 14 &&
		      view.n[P2PG_SEC_AGENT_CG] == 0 &&
		      view.n[P2PG_SEC_AGENT_UID] == 0,
		      "default policy: counts (%u v4, %u v6, %u names, %u keys)",
		      view.n[0], view.n[1], view.n[2], view.n[3]);
		check(size % 8 == 0 && size == view.hdr->size,
		      "default policy: size %zu is the header's and 8-aligned",
		      size);
		differential("default policy", &p, &view, 20000, 1);
	}
	free(blob);
	p2pg_policy_free(&p);
}

/*
 * The kernel module's built-in policy (kmod/p2pguard_default_blob.h) is
 * byte for byte what the daemon's defaults give today, and the module's
 * view of it classifies loopback and the LAN as such.
 */
static void test_module_default(void)
{
	static const struct {
		int family;
		const char *addr;
		int cls;
	} dst[] = {
		{ 4, "127.0.0.1", P2PG_NET_LOOPBACK },
		{ 4, "192.168.1.20", P2PG_NET_LAN },
		{ 4, "10.1.2.3", P2PG_NET_LAN },
		{ 6, "::1", P2PG_NET_LOOPBACK },
		{ 6, "fe80::1", P2PG_NET_LAN },
		{ 4, "198.51.100.1", P2PG_NET_WAN },
		{ 6, "2001:db8::1", P2PG_NET_WAN },
	};
	struct p2pg_blob_view v;
	struct p2pg_policy p;
	__u8 a[16];
	const char *why;
	void *blob;
	size_t size, i;

	if (!check(!p2pg_policy_init_defaults(&p) &&
		   !p2pg_policy_to_blob(&p, &blob, &size),
		   "module default: today's defaults serialized"))
		return;
	check(size == sizeof(p2pg_default_blob) &&
	      !memcmp(blob, p2pg_default_blob, size),
	      "module default: kmod/p2pguard_default_blob.h is current (%zu and %zu bytes; make default-blob)",
	      size, sizeof(p2pg_default_blob));
	free(blob);
	p2pg_policy_free(&p);
	why = p2pg_blob_check(p2pg_default_blob, sizeof(p2pg_default_blob), &v);
	if (!check(!why, "module default: the module accepts it%s%s",
		   why ? ": " : "", why ? why : ""))
		return;
	for (i = 0; i < sizeof(dst) / sizeof(dst[0]); i++) {
		inet_pton(dst[i].family == 4 ? AF_INET : AF_INET6,
			  dst[i].addr, a);
		check(p2pg_blob_net_class(&v, dst[i].family, a) == dst[i].cls,
		      "module default: %s is of class %d", dst[i].addr,
		      dst[i].cls);
	}
	check(!v.hdr->cfg.p2p_enabled && v.hdr->cfg.mode == P2PG_MODE_ENFORCE,
	      "module default: P2P off, enforce");
}

static void test_random(void)
{
	int round, good = 0, rounds = 40;

	for (round = 0; round < rounds; round++) {
		struct p2pg_policy p;
		const char *why;
		char what[64];
		void *blob;
		size_t size;

		/* Some rounds with empty sections, some with one family. */
		random_policy(&p, round % 5 ? 300 : 0, round % 7 ? 300 : 0,
			      round % 3 ? 200 : 0, round % 4 ? 30 : 0,
			      round % 6 ? 40 : 0);
		snprintf(what, sizeof(what), "random policy %d", round);
		if (p2pg_policy_to_blob(&p, &blob, &size)) {
			check(0, "%s: serialized", what);
			p2pg_policy_free(&p);
			continue;
		}
		why = p2pg_blob_check(blob, size, &view);
		if (!check(!why, "%s: %zu prefixes, %zu names -> %zu bytes accepted%s%s",
			   what, p.n_prefixes, p.n_names, size, why ? ": " : "",
			   why ? why : "")) {
			free(blob);
			p2pg_policy_free(&p);
			continue;
		}
		good += differential(what, &p, &view, 3000, 1);
		free(blob);
		p2pg_policy_free(&p);
	}
	check(good == rounds, "random policies: %d of %d agree", good, rounds);
}

/* 100k prefixes and 100k names, filled directly (add_* check for repeats). */
static void test_large(void)
{
	struct p2pg_policy p;
	struct timespec t0, t1;
	const char *why;
	void *blob;
	size_t size, i, n = 100000;
	double ms;

	p2pg_policy_init(&p);
	p.prefixes = calloc(n, sizeof(*p.prefixes));
	p.names = calloc(n, sizeof(*p.names));
	p.domains = calloc(n, sizeof(*p.domains));
	if (!p.prefixes || !p.names || !p.domains) {
		check(0, "100k: memory");
		return;
	}
	for (i = 0; i < n; i++) {
		struct p2pg_prefix *e = &p.prefixes[i];

		e->family = i & 1 ? 6 : 4;
		e->prefixlen = e->family == 4 ? 16 + rnd() % 17 : 32 + rnd() % 97;
		e->net_class = P2PG_NET_LAN + rnd() % 4;
		rnd_bytes(e->addr, e->family == 4 ? 4 : 16);
		mask(e->addr, e->family == 4 ? 4 : 16, e->prefixlen);
		p.names[i] = rnd();
	}
	p.n_prefixes = p.cap_prefixes = n;
	p.n_names = p.cap_names = n;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (!check(!p2pg_policy_to_blob(&p, &blob, &size), "100k: serialized")) {
		p2pg_policy_free(&p);
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6;
	/* A figure, not a goal: make bench (bench_policy) measures speed. */
	printf("INFO 100k prefixes + 100k names: %zu bytes in %.1f ms\n",
	       size, ms);
	why = p2pg_blob_check(blob, size, &view);
	check(!why, "100k: blob accepted%s%s", why ? ": " : "", why ? why : "");
	if (!why)
		differential("100k", &p, &view, 200, 997);
	free(blob);
	p2pg_policy_free(&p);
}

static void test_refused_by_writer(void)
{
	struct p2pg_policy p;
	void *blob;
	size_t size, i, n = P2PG_BLOB_MAX_SIZE / 8 + 1;
	int r;

	p2pg_policy_init(&p);
	p2pg_policy_add_prefix(&p, "198.51.100.0/24", P2PG_NET_WAN);
	r = p2pg_policy_to_blob(&p, &blob, &size);
	check(r == -EINVAL, "writer: a prefix of class WAN is refused (%d)", r);
	p2pg_policy_free(&p);

	p2pg_policy_init(&p);
	p.names = malloc(n * sizeof(*p.names));
	p.domains = calloc(n, sizeof(*p.domains));
	for (i = 0; p.names && i < n; i++)
		p.names[i] = i;
	p.n_names = p.cap_names = p.names ? n : 0;
	r = p2pg_policy_to_blob(&p, &blob, &size);
	check(r == -EFBIG, "writer: %zu names (over %u bytes) refused with EFBIG (%d)",
	      n, P2PG_BLOB_MAX_SIZE, r);
	p2pg_policy_free(&p);

	/* Repeats (three of one key) and host bits: the first listed wins. */
	p2pg_policy_init(&p);
	p.prefixes = calloc(4, sizeof(*p.prefixes));
	for (i = 0; i < 3; i++) {
		p.prefixes[i].family = 4;
		p.prefixes[i].prefixlen = 24;
		p.prefixes[i].net_class = P2PG_NET_ALLOW + i;
		memcpy(p.prefixes[i].addr, "\xc6\x33\x64\x00", 4);
	}
	p.prefixes[3] = p.prefixes[0];
	p.prefixes[3].prefixlen = 16;
	p.prefixes[3].addr[3] = 0x7f;	/* host bits */
	p.n_prefixes = p.cap_prefixes = 4;
	r = p2pg_policy_to_blob(&p, &blob, &size);
	if (check(!r, "writer: repeated prefixes serialized (%d)", r)) {
		const char *why = p2pg_blob_check(blob, size, &view);
		__u8 a[4] = { 198, 51, 100, 9 }, o[4] = { 198, 51, 7, 1 };

		check(!why && view.n[P2PG_SEC_PREFIX4] == 2 &&
		      p2pg_blob_net_class(&view, 4, a) == P2PG_NET_ALLOW &&
		      p2pg_blob_net_class(&view, 4, o) == P2PG_NET_ALLOW,
		      "writer: three of one prefix become one, the first listed; host bits cleared (%s)",
		      why ? why : "accepted");
		free(blob);
	}
	p2pg_policy_free(&p);

	/* A PPPP slot that is not its key's first byte. */
	p2pg_policy_init(&p);
	r = p2pg_policy_add_pppp_key(&p, "camera");
	p.pppp[(r + 1) & 0xff] = p.pppp[r];
	p.pppp[r].valid = 0;
	r = p2pg_policy_to_blob(&p, &blob, &size);
	check(r == -EINVAL, "writer: a PPPP key in the wrong slot is refused (%d)",
	      r);
	p2pg_policy_free(&p);
}

/* ---- corruptions --------------------------------------------------------- */

static void *base_blob;
static size_t base_size;

#define HDR(b)	((struct p2pg_blob_hdr *)(b))

static void *dup_blob(size_t size)
{
	void *b = calloc(1, size > base_size ? size : base_size);

	memcpy(b, base_blob, base_size);
	return b;
}

static void expect_refused(const char *what, void *b, size_t size,
			   const char *want)
{
	const char *why = p2pg_blob_check(b, size, &view);

	check(why && strstr(why, want), "refused: %s (\"%s\")", what,
	      why ? why : "ACCEPTED");
}

static __u8 *sec(void *b, int s)
{
	return (__u8 *)b + HDR(b)->sec[s].off;
}

static void test_corruptions(void)
{
	struct p2pg_policy p;
	const char *why;
	__u8 *b, *e;
	size_t k, refused = 0, accepted = 0, n;

	/* Every section used, odd counts: gaps and trailing bytes exist. */
	p2pg_policy_init_defaults(&p);
	p2pg_policy_add_prefix(&p, "2001:db8::/32", P2PG_NET_DENY);
	p2pg_policy_add_prefix(&p, "198.51.100.0/24", P2PG_NET_ALLOW);
	p.agent_cgroups = calloc(2, sizeof(__u64));
	p.agent_uids = calloc(3, sizeof(__u32));
	p.agent_cgroups[0] = 42;
	p.agent_cgroups[1] = 7;
	p.agent_uids[0] = 1000;
	p.agent_uids[1] = 0;
	p.agent_uids[2] = 33;
	p.n_agent_cgroups = 2;
	p.n_agent_uids = 3;
	if (p2pg_policy_to_blob(&p, &base_blob, &base_size) ||
	    !check(!p2pg_blob_check(base_blob, base_size, &view),
		   "corruption base: %zu bytes accepted", base_size))
		return;
	check(HDR(base_blob)->sec[P2PG_SEC_NAMES].off >
	      HDR(base_blob)->sec[P2PG_SEC_PREFIX6].off +
	      20 * view.n[P2PG_SEC_PREFIX6] &&
	      base_size > HDR(base_blob)->sec[P2PG_SEC_AGENT_UID].off + 12,
	      "corruption base: has a gap and trailing pad");
	differential("corruption base", &p, &view, 2000, 1);

	b = dup_blob(0);
	HDR(b)->magic ^= 1;
	expect_refused("bad magic", b, base_size, "bad magic");
	free(b);
	b = dup_blob(0);
	HDR(b)->abi_version++;
	expect_refused("ABI version", b, base_size, "ABI version");
	free(b);
	b = dup_blob(0);
	HDR(b)->hdr_size += 8;
	expect_refused("header size", b, base_size, "header size");
	free(b);
	b = dup_blob(0);
	HDR(b)->n_sec--;
	expect_refused("section count", b, base_size, "section count");
	free(b);
	b = dup_blob(base_size + 8);
	expect_refused("size field smaller than the bytes", b, base_size + 8,
		       "size field");
	HDR(b)->size += 8;
	expect_refused("size field larger than the bytes", b, base_size,
		       "size field");
	free(b);

	/* Truncated at every 8-byte boundary, with and without size fixed. */
	n = 0;
	for (k = 0; k < base_size; k += 8) {
		const char *w1, *w2;

		b = dup_blob(0);
		w1 = p2pg_blob_check(b, k, &view);
		HDR(b)->size = k;
		w2 = p2pg_blob_check(b, k, &view);
		n += w1 && w2;
		free(b);
	}
	check(n == base_size / 8, "refused: truncated at each of %zu 8-byte boundaries (%zu refused)",
	      base_size / 8, n);

	b = dup_blob(0);
	HDR(b)->cfg.p2p_enabled = 2;
	expect_refused("p2p_enabled = 2", b, base_size, "switch values");
	free(b);
	b = dup_blob(0);
	HDR(b)->cfg.mode = 2;
	expect_refused("mode = 2", b, base_size, "switch values");
	free(b);
	b = dup_blob(0);
	HDR(b)->cfg.lockdown = 9;
	expect_refused("lockdown = 9", b, base_size, "switch values");
	free(b);
	b = dup_blob(0);
	HDR(b)->cfg.pad[1] = 1;
	expect_refused("config pad", b, base_size, "config pad");
	free(b);
	b = dup_blob(0);
	HDR(b)->cfg.reserved = 1;
	expect_refused("config reserved", b, base_size, "config pad");
	free(b);

	/* Sections. */
	b = dup_blob(0);
	HDR(b)->sec[P2PG_SEC_NAMES].off += 4;
	expect_refused("misaligned section", b, base_size, "8-byte aligned");
	free(b);
	b = dup_blob(0);
	HDR(b)->sec[P2PG_SEC_PREFIX6].off = HDR(b)->sec[P2PG_SEC_PREFIX4].off;
	expect_refused("overlapping sections", b, base_size, "overlap");
	free(b);
	b = dup_blob(0);
	HDR(b)->sec[P2PG_SEC_PREFIX4].off = 8;
	expect_refused("section over the header", b, base_size, "overlap");
	free(b);
	b = dup_blob(0);
	HDR(b)->sec[P2PG_SEC_AGENT_UID].count = 0x40000000;
	expect_refused("section count beyond the end", b, base_size,
		       "beyond the end");
	free(b);
	b = dup_blob(0);
	HDR(b)->sec[P2PG_SEC_AGENT_UID].off = 0xfffffff8;
	expect_refused("section offset beyond the end", b, base_size,
		       "beyond the end");
	free(b);
	b = dup_blob(0);
	sec(b, P2PG_SEC_NAMES)[-1] = 1;
	expect_refused("non-zero gap between sections", b, base_size,
		       "padding between sections");
	free(b);
	b = dup_blob(0);
	((__u8 *)b)[base_size - 1] = 1;
	expect_refused("non-zero trailing pad", b, base_size, "trailing");
	free(b);

	/* Prefix entries. */
	b = dup_blob(0);
	e = sec(b, P2PG_SEC_PREFIX4);
	memcpy(e + 8, e, 8);
	expect_refused("duplicate IPv4 prefix", b, base_size, "not sorted or duplicated");
	free(b);
	b = dup_blob(0);
	e = sec(b, P2PG_SEC_PREFIX4);
	{
		__u8 t[8];

		memcpy(t, e, 8);
		memcpy(e, e + 8, 8);
		memcpy(e + 8, t, 8);
	}
	expect_refused("unsorted IPv4 prefixes", b, base_size, "not sorted");
	free(b);
	b = dup_blob(0);
	e = sec(b, P2PG_SEC_PREFIX6);
	{
		__u8 t[20];

		memcpy(t, e, 20);
		memcpy(e, e + 20, 20);
		memcpy(e + 20, t, 20);
	}
	expect_refused("unsorted IPv6 prefixes", b, base_size, "not sorted");
	free(b);
	b = dup_blob(0);
	e = sec(b, P2PG_SEC_PREFIX4) + 8 * (view.n[P2PG_SEC_PREFIX4] - 1);
	e[3] |= 1;		/* the last entry is the shortest: host bits */
	expect_refused("IPv4 host bits", b, base_size, "host bits");
	free(b);
	b = dup_blob(0);
	e = sec(b, P2PG_SEC_PREFIX6) + 20 * (view.n[P2PG_SEC_PREFIX6] - 1);
	e[15] |= 1;
	expect_refused("IPv6 host bits", b, base_size, "host bits");
	free(b);
	b = dup_blob(0);
	sec(b, P2PG_SEC_PREFIX4)[4] = 33;
	expect_refused("IPv4 prefix length 33", b, base_size, "length out of range");
	free(b);
	b = dup_blob(0);
	sec(b, P2PG_SEC_PREFIX6)[16] = 129;
	expect_refused("IPv6 prefix length 129", b, base_size, "length out of range");
	free(b);
	b = dup_blob(0);
	sec(b, P2PG_SEC_PREFIX4)[5] = P2PG_NET_WAN;
	expect_refused("class WAN", b, base_size, "unknown prefix class");
	free(b);
	b = dup_blob(0);
	sec(b, P2PG_SEC_PREFIX6)[17] = 5;
	expect_refused("class 5", b, base_size, "unknown prefix class");
	free(b);
	b = dup_blob(0);
	sec(b, P2PG_SEC_PREFIX4)[7] = 1;
	expect_refused("prefix pad", b, base_size, "prefix pad");
	free(b);

	/* Sorted sets. */
	b = dup_blob(0);
	((__u64 *)sec(b, P2PG_SEC_NAMES))[1] = ((__u64 *)sec(b, P2PG_SEC_NAMES))[0];
	expect_refused("duplicate name", b, base_size, "names not sorted");
	free(b);
	b = dup_blob(0);
	((__u64 *)sec(b, P2PG_SEC_NAMES))[0] = ~0ULL;
	expect_refused("unsorted names", b, base_size, "names not sorted");
	free(b);
	b = dup_blob(0);
	((__u64 *)sec(b, P2PG_SEC_AGENT_CG))[0] = 43;
	expect_refused("unsorted agent cgroups", b, base_size, "agent cgroups");
	free(b);
	b = dup_blob(0);
	((__u32 *)sec(b, P2PG_SEC_AGENT_UID))[1] = 0;
	expect_refused("duplicate agent uid", b, base_size, "agent uids");
	free(b);

	/* PPPP keys. */
	b = dup_blob(0);
	e = sec(b, P2PG_SEC_PPPP);
	memcpy(e + 260, e, 260);
	expect_refused("two keys for one slot", b, base_size, "two PPPP keys");
	free(b);
	b = dup_blob(0);
	sec(b, P2PG_SEC_PPPP)[0] = 0;
	expect_refused("key not valid", b, base_size, "PPPP key not valid");
	free(b);
	b = dup_blob(0);
	sec(b, P2PG_SEC_PPPP)[2] = 1;
	expect_refused("key pad", b, base_size, "PPPP key not valid");
	free(b);
	{
		/* 257 keys: more than there are first bytes. */
		size_t koff = sizeof(struct p2pg_blob_hdr), kend = koff + 257 * 260;
		size_t sz = (kend + 7) & ~7UL;
		struct p2pg_blob_hdr *h;
		int s;

		b = calloc(1, sz);
		h = (void *)b;
		*h = *HDR(base_blob);
		h->size = sz;
		for (s = 0; s < P2PG_SEC__COUNT; s++) {
			h->sec[s].off = s <= P2PG_SEC_PPPP ? koff : sz;
			h->sec[s].count = s == P2PG_SEC_PPPP ? 257 : 0;
		}
		for (k = 0; k < 257; k++)
			b[koff + k * 260] = 1;
		expect_refused("257 PPPP keys", b, sz, "more PPPP keys");
		free(b);
	}
	b = calloc(1, P2PG_BLOB_MAX_SIZE + 8);
	memcpy(b, base_blob, base_size);
	HDR(b)->size = P2PG_BLOB_MAX_SIZE + 8;
	expect_refused("oversize with a matching size field", b,
		       P2PG_BLOB_MAX_SIZE + 8, "size field");
	free(b);
	expect_refused("empty", base_blob, 0, "shorter than the header");

	/*
	 * Every bit of the blob flipped in turn: either refused, or a blob
	 * whose look-ups answer for what it holds.  Flips in the magic word
	 * and in the switch's pads must all be refused.
	 */
	n = 0;
	for (k = 0; k < base_size * 8; k++) {
		b = dup_blob(0);
		b[k / 8] ^= 1 << (k % 8);
		why = p2pg_blob_check(b, base_size, &view);
		if (why) {
			refused++;
		} else {
			__u8 a[16] = { 0 };
			__u32 i;

			accepted++;
			if (k / 8 < 4)
				n++;	/* a magic flip accepted: wrong */
			for (i = 0; i < view.n[P2PG_SEC_PREFIX4]; i++)
				n += p2pg_blob_net_class(&view, 4,
							 view.p4[i].addr) == P2PG_NET_WAN;
			for (i = 0; i < view.n[P2PG_SEC_PREFIX6]; i++)
				n += p2pg_blob_net_class(&view, 6,
							 view.p6[i].addr) == P2PG_NET_WAN;
			for (i = 0; i < view.n[P2PG_SEC_NAMES]; i++)
				n += !p2pg_blob_name_denied(&view, view.names[i]);
			for (i = 0; i < view.n[P2PG_SEC_AGENT_UID]; i++)
				n += !p2pg_blob_is_agent(&view, 0, view.agent_uid[i]);
			for (i = 0; i < P2PG_PPPP_SLOTS; i++)
				n += view.pppp[i] &&
				     (0xf1 ^ view.pppp[i]->dec[0]) != i;
			p2pg_blob_net_class(&view, 4, a);
			p2pg_blob_net_class(&view, 6, a);
		}
		free(b);
	}
	check(n == 0 && refused > 0 && accepted > 0,
	      "bit-flip sweep: %zu flips refused, %zu accepted, %zu wrong answers",
	      refused, accepted, n);
	free(base_blob);
	p2pg_policy_free(&p);
}

static void test_sizing(void)
{
	struct p2pg_map_sizes s;
	struct p2pg_policy p;
	struct p2pg_map_mem m;
	char what[128], name[64];
	int i;

	check(p2pg_size_fit(0, 256) == 256, "fit: nothing -> the floor (%u)",
	      p2pg_size_fit(0, 256));
	check(p2pg_size_fit(204, 256) == 256,
	      "fit: 204 + a quarter is 255 -> 256 (%u)",
	      p2pg_size_fit(204, 256));
	check(p2pg_size_fit(206, 256) == 512,
	      "fit: 206 + a quarter is 257 -> 512 (%u)",
	      p2pg_size_fit(206, 256));
	check(p2pg_size_fit(100000, 256) == 125184,
	      "fit: 100,000 -> 125,184 (%u)", p2pg_size_fit(100000, 256));
	check(p2pg_size_fit((size_t)1 << 31, 256) == 0,
	      "fit: beyond max_entries -> 0 (%u)",
	      p2pg_size_fit((size_t)1 << 31, 256));

	if (!check(!p2pg_policy_init_defaults(&p), "sizing: default policy"))
		return;
	p2pg_map_sizes_init(&s, 1024, 16384, 256);
	i = p2pg_map_sizes_policy(&s, &p);
	check(!i &&
	      s.prefix4 == P2PG_SIZE_PREFIX_FLOOR &&
	      s.prefix6 == P2PG_SIZE_PREFIX_FLOOR &&
	      s.names == P2PG_SIZE_NAMES_FLOOR &&
	      s.agent_cg == P2PG_SIZE_AGENTS_FLOOR && s.flows == 1024 &&
	      s.ev_limit == 256 && s.events == 16384,
	      "sizing: the default policy at the floors (%u %u %u %u), run-time sizes as configured",
	      s.prefix4, s.prefix6, s.names, s.agent_cg);
	check(p2pg_map_sizes_fits(&s, &p, NULL, 0), "sizing: the default policy fits");
	/* Growth: names past the floor. */
	for (i = 0; i < 300; i++) {
		snprintf(name, sizeof(name), "n%d.grow.test", i);
		p2pg_policy_add_domain(&p, name);
	}
	what[0] = 0;
	check(!p2pg_map_sizes_fits(&s, &p, what, sizeof(what)) &&
	      strstr(what, P2PG_MAP_NAMES " needs 321 entries, has 256"),
	      "sizing: 321 names do not fit the floor: '%s'", what);
	i = p2pg_map_sizes_policy(&s, &p);
	check(!i && s.names == 512 &&
	      s.prefix4 == P2PG_SIZE_PREFIX_FLOOR &&
	      p2pg_map_sizes_fits(&s, &p, NULL, 0),
	      "sizing: resized, names %u, prefixes left at %u, and it fits",
	      s.names, s.prefix4);
	p2pg_policy_free(&p);

	/* Estimates: by hand for a few, beside the kernel's where exact. */
	memset(&m, 0, sizeof(m));
	m.type = BPF_MAP_TYPE_RINGBUF;
	m.max_entries = 16384;
	p2pg_map_memlock(&m, 2, 4096);
	check(m.bytes == 16384 + 8192 && !m.at_most,
	      "estimate: a 16 KiB ring buffer, its two pages: %llu",
	      (unsigned long long)m.bytes);
	m.type = BPF_MAP_TYPE_PERCPU_ARRAY;
	m.max_entries = 4;
	m.value_size = 20;
	p2pg_map_memlock(&m, 2, 4096);
	check(m.bytes == 4 * (sizeof(void *) + 24 * 2),
	      "estimate: per-CPU array, values rounded to 8 for 2 CPUs: %llu",
	      (unsigned long long)m.bytes);
	m.type = BPF_MAP_TYPE_HASH;
	m.flags = BPF_F_NO_PREALLOC;
	p2pg_map_memlock(&m, 2, 4096);
	check(m.at_most, "estimate: a hash map without preallocation is a bound");
	m.type = BPF_MAP_TYPE_SK_STORAGE;
	p2pg_map_memlock(&m, 2, 4096);
	check(m.per_socket && !m.bytes, "estimate: socket storage is per socket");
	m.type = BPF_MAP_TYPE_ARRAY;
	m.max_entries = 1;
	m.value_size = 24;
	m.flags = BPF_F_MMAPABLE;
	p2pg_map_memlock(&m, 2, 4096);
	check(m.bytes == 4096 && !m.at_most,
	      "estimate: an mmapable array (.rodata) is whole pages: %llu",
	      (unsigned long long)m.bytes);
}

static const struct check_test tests[] = {
	CHECK_TEST(default),
	CHECK_TEST(module_default),
	CHECK_TEST(random),
	CHECK_TEST(large),
	CHECK_TEST(refused_by_writer),
	CHECK_TEST(corruptions),
	CHECK_TEST(sizing),
};

int main(int argc, char **argv)
{
	check_options(argc, argv, tests, CHECK_COUNT(tests), NULL);
	check_run(tests, CHECK_COUNT(tests));
	return check_exit();
}
