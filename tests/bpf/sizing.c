// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * sizing.c - the maps sized from the policy (userspace/mapsize.c):
 *
 *  - memlock: the estimate (p2pg_map_memlock()) beside the kernel's own
 *    figure for a map whose figure is exact enough (the sizing itself is
 *    test_blob's);
 *  - large_lists: 100,000 deny prefixes and 100,000 deny domains beside
 *    the defaults, far beyond the 16,384 entries the program is compiled
 *    with: the runner sizes the maps as p2pguardd does, and the last
 *    prefix and the last domain listed are enforced (BPF_PROG_TEST_RUN),
 *    an unlisted address is not.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "check.h"
#include "fdinfo.h"
#include "mapsize.h"
#include "test_bpf.h"

void test_memlock(void)
{
	struct p2pg_map_mem m;
	unsigned long long k;

	/* The PPPP array: 256 values of 260 bytes, one allocation. */
	if (!check(!p2pg_map_mem_read(runner.fds.pppp, &m,
				     libbpf_num_possible_cpus()),
		   "estimate: bpf_map_info of p2pg_pppp"))
		return;
	k = fdinfo_memlock(runner.fds.pppp);
	check(m.bytes == 256 * 264, "estimate: p2pg_pppp %llu bytes",
	      (unsigned long long)m.bytes);
	if (k)
		check(k >= m.bytes && k < m.bytes + m.bytes / 4,
		      "estimate: p2pg_pppp, the kernel says %llu, we %llu",
		      k, (unsigned long long)m.bytes);
}

#define LARGE_N	100000

/* The @i-th synthetic entry: a /32 in 198.18.0.0/15 (RFC 2544), a name. */
static void large_prefix(unsigned int i, char *buf, size_t len)
{
	snprintf(buf, len, "198.%u.%u.%u/32", 18 + (i >> 16), (i >> 8) & 0xff,
		 i & 0xff);
}

static void large_domain(unsigned int i, char *buf, size_t len)
{
	snprintf(buf, len, "r%u.vendor%u.test", i, i % 97);
}

/* A DNS query for @name (one question, type A) to 192.0.2.53. */
static void dns_query(struct vec_spec *v, const char *name)
{
	memset(v, 0, sizeof(*v));
	v->name = "large-lists-dns";
	v->family = 4;
	v->l4proto = 17;
	v->sport = 40000;
	v->dport = 53;
	vec_set_addr(v, "192.0.2.53");
	vec_dns_query(v, 0x1234, name);
}

/* A datagram of ordinary bytes to @addr, port 5004. */
static void datagram(struct vec_spec *v, const char *addr)
{
	memset(v, 0, sizeof(*v));
	v->name = "large-lists-udp";
	v->family = 4;
	v->l4proto = 17;
	v->sport = 40000;
	v->dport = 5004;
	vec_set_addr(v, addr);
	memcpy(v->payload, "\x80\x60ordinary video bytes", 22);
	v->payload_len = 22;
}

static void expect(struct p2pg_runner *r, const struct vec_spec *v,
		   unsigned int want, const char *what)
{
	__u8 frame[VEC_FRAME_MAX];
	size_t len = vec_frame(v, frame);
	unsigned int got = ~0u;
	int verdict = p2pg_runner_run(r, frame, len, &got);

	check(got == want && verdict == (want == P2PG_R_NONE),
	      "large lists: %s: %s, %s (want %s)", what,
	      verdict_name(verdict), p2pg_reason_name(got),
	      p2pg_reason_name(want));
}

void test_large_lists(void)
{
	struct p2pg_map_mem m4, mn;
	struct p2pg_policy p;
	struct p2pg_runner r;
	struct vec_spec v;
	char item[64], last[64];
	unsigned int i;
	int ok = 1;

	if (!check(!p2pg_policy_init_defaults(&p), "large lists: policy"))
		return;
	for (i = 0; ok && i < LARGE_N; i++) {
		large_prefix(i, item, sizeof(item));
		ok = !p2pg_policy_add_prefix(&p, item, P2PG_NET_DENY);
		large_domain(i, item, sizeof(item));
		ok = ok && !p2pg_policy_add_domain(&p, item);
	}
	if (!check(ok && p.n_names > LARGE_N,
		   "large lists: %u prefixes and %u names added (%zu names in all)",
		   LARGE_N, LARGE_N, p.n_names)) {
		p2pg_policy_free(&p);
		return;
	}
	if (!check(!p2pg_runner_open(&r, &p),
		   "large lists: loaded and written")) {
		p2pg_policy_free(&p);
		return;
	}
	if (check(!p2pg_map_mem_read(r.fds.prefix4, &m4, 1) &&
		  !p2pg_map_mem_read(r.fds.names, &mn, 1),
		  "large lists: bpf_map_info"))
		check(m4.max_entries > 16384 && m4.max_entries >= LARGE_N &&
		      mn.max_entries >= LARGE_N,
		      "large lists: sized past the compiled 16,384: prefix4 %u, names %u",
		      m4.max_entries, mn.max_entries);
	large_prefix(LARGE_N - 1, last, sizeof(last));
	*strchr(last, '/') = 0;
	datagram(&v, last);
	expect(&r, &v, P2PG_R_DENY_PREFIX, "a datagram to the last prefix");
	large_prefix(LARGE_N / 2, item, sizeof(item));
	*strchr(item, '/') = 0;
	datagram(&v, item);
	expect(&r, &v, P2PG_R_DENY_PREFIX, "a datagram to the middle prefix");
	datagram(&v, "198.19.255.254");
	expect(&r, &v, P2PG_R_NONE, "a datagram to an unlisted address");
	large_domain(LARGE_N - 1, item, sizeof(item));
	snprintf(last, sizeof(last), "cdn.%s", item);
	dns_query(&v, last);
	expect(&r, &v, P2PG_R_DNS_NAME, "a query for a name under the last domain");
	dns_query(&v, "unlisted.vendor1.test");
	expect(&r, &v, P2PG_R_NONE, "a query for an unlisted name");
	p2pg_runner_close(&r);
	p2pg_policy_free(&p);
}
