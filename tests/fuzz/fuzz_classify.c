// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * fuzz_classify - libFuzzer target for common/p2pguard_classify.h.
 *
 * Input, when byte 0's top bits are 00 (packet mode):
 *   0      l4proto: bit 0 TCP else UDP; bit 2 (with bits 3..5) another
 *          protocol number
 *   1      dport: < 0xe0 picks from the interesting ports, else raw (2..3)
 *   2..3   raw dport (big-endian)
 *   4..5   sport (big-endian)
 *   6      dst_class (mod 6: 5 = an out-of-range class value)
 *   7      bits 0..1 meta flags, bit 2 agent, bit 3 lockdown, bit 4
 *          audit; bits 5..7: flow_reason (0, or a sticky reason)
 *   8      payload_len: 0 = the payload's length, 1 = more than it has,
 *          2 = less, 3 = raw (bytes 9..10)
 *   9..10  raw length / delta
 *   11..   payload
 * Vector mode (byte 0 top bits 10): bytes 1..2 pick a vector of
 * tests/lib/vectors.c, byte 3 its flags (fragments, extension headers, a
 * UDP GSO segment size) and how much of it to keep, the
 * rest are (offset, xor) edits: mutations of real signatures, framed by
 * vec_frame() and parsed as the BPF program does (native_classify_vec()).
 * Stream mode (top bits 01): byte 1 picks a TCP stream vector
 * (vec_streams()), byte 2 sets P2P on or off at the start (bit 0) and a
 * configuration change before segment (byte 2 >> 1) % 16; the rest are
 * segments, 3 bytes each: offset and length into the stream's bytes (4
 * bits of the first byte move the offset, the second the length), an xor
 * for one of the segment's bytes.  The segments run through the BPF
 * program's stream path natively (native_stream()), twice on fresh
 * connections: the same reasons, in range; the kept bytes within bounds;
 * the switch changing no reason but lockdown.
 * Name mode (top bits 11): the rest, NUL-terminated, is a domain name:
 * p2pg_domain_hash() must not overflow, and a query for a name it accepts
 * must match a policy that lists it.
 *
 * Invariants: reason < P2PG_R__COUNT; the same input classifies the same
 * twice (the window's unused tail differs per call, so a read beyond
 * w->len that matters shows); P2P on and audit mode drop nothing; the
 * switch changes only lockdown verdicts; LAN, loopback, allow-listed and
 * denied destinations get only the reasons the policy allows them.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "native_env.h"
#include "vectors.h"
#include "policy.h"

/* p2pg_verdict_drop(), p2pg_domain_hash(), p2pg_flow_sticky(). */
#include "p2pguard_rules.h"

#define HDR	11

static const __u16 ports[] = {
	53, 1900, 5351, 32100, 10001, 51701, 8800, 9999, 443, 80, 123, 8086,
	3478, 0, 65535, 32108, 32761, 5000, 554, 2015,
};

static const __u8 sticky[] = {
	P2PG_R_NONE, P2PG_R_UPNP_MAP, P2PG_R_XIONGMAI, P2PG_R_DAHUA,
	P2PG_R_STUN, P2PG_R_NONE, P2PG_R_NONE, P2PG_R_NONE,
};

static struct p2pg_policy pol;

#define FUZZ_ASSERT(cond, ...)						\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "fuzz_classify: " __VA_ARGS__);	\
			fputc('\n', stderr);				\
			abort();					\
		}							\
	} while (0)

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	if (p2pg_policy_init_defaults(&pol)) {
		fprintf(stderr, "fuzz_classify: cannot build the policy\n");
		exit(1);
	}
	return 0;
}

/* Any valid name, as a query, must hit a policy that lists it. */
static void fuzz_name(const uint8_t *data, size_t size)
{
	char name[300];
	struct p2pg_policy p;
	struct p2pg_native_env env = { .policy = &p };
	struct p2pg_meta m = {
		.dport = 53, .l4proto = P2PG_IPPROTO_UDP,
		.dst_class = P2PG_NET_LAN,
	};
	__u8 q[P2PG_WIN_SIZE];
	size_t n = size < sizeof(name) - 1 ? size : sizeof(name) - 1, len = 12;
	const char *l;
	__u64 h, h2;
	unsigned int r;

	memcpy(name, data, n);
	name[n] = 0;
	if (p2pg_domain_hash(name, &h))
		return;
	/* Case and a trailing dot do not change the key. */
	{
		char up[sizeof(name) + 1];
		size_t i, k = strlen(name);

		for (i = 0; i < k; i++)
			up[i] = name[i] >= 'a' && name[i] <= 'z' ?
				name[i] - 32 : name[i];
		up[k] = 0;
		FUZZ_ASSERT(!p2pg_domain_hash(up, &h2) && h2 == h,
			    "case changes the hash of %s", name);
		if (k && name[k - 1] != '.') {
			up[k] = '.';
			up[k + 1] = 0;
			FUZZ_ASSERT(!p2pg_domain_hash(up, &h2) && h2 == h,
				    "trailing dot changes the hash of %s", name);
		}
	}
	p2pg_policy_init(&p);
	if (p2pg_policy_add_domain(&p, name)) {
		p2pg_policy_free(&p);
		return;
	}
	memset(q, 0, 12);
	q[2] = 0x01;			/* RD */
	q[5] = 1;			/* one question */
	for (l = name; *l; ) {
		const char *dot = strchr(l, '.');
		size_t k = dot ? (size_t)(dot - l) : strlen(l);

		q[len++] = k;
		memcpy(q + len, l, k);
		len += k;
		l += k + (dot ? 1 : 0);
	}
	q[len++] = 0;
	memcpy(q + len, "\x00\x01\x00\x01", 4);
	len += 4;
	m.payload_len = len;
	r = native_classify(&env, &m, q, len);
	FUZZ_ASSERT(r == P2PG_R_DNS_NAME, "query for listed %s: %s", name,
		    p2pg_reason_name(r));
	p2pg_policy_free(&p);
}

/* A vector, cut and edited; unedited it must give its expected reason. */
static void fuzz_vector(const uint8_t *data, size_t size)
{
	static struct vec_spec v;
	struct p2pg_native_env env = { .policy = &pol };
	const struct vec_spec *all;
	size_t n, i;
	unsigned int r, r2;
	int edited = 0;

	if (size < 3)
		return;
	all = vec_all(&n);
	v = all[(data[0] << 8 | data[1]) % n];
	if (data[2] & 0x80) {
		/* Fragments, extension headers, and a UDP GSO segment size. */
		v.flags = data[2] & (VEC_FRAGMENT | VEC_IPV6_EXT |
				     VEC_FIRST_FRAG | VEC_IPV6_EXT_MANY);
		v.gso = (const __u32[]){ 0, 16, 24, 200 }[(data[2] >> 4) & 3];
		edited = 1;
	}
	if (data[2] & 0x40 && v.payload_len) {
		v.payload_len -= (data[2] & 0x3f) % v.payload_len;
		edited = 1;
	}
	if (v.frag_keep > v.payload_len)
		v.frag_keep = v.payload_len;
	for (i = 3; i + 1 < size && v.payload_len; i += 2) {
		v.payload[data[i] % v.payload_len] ^= data[i + 1];
		edited = 1;
	}
	pol.cfg.lockdown = 0;
	pol.cfg.mode = P2PG_MODE_ENFORCE;
	pol.cfg.p2p_enabled = 0;
	r = native_classify_vec(&env, &v);
	r2 = native_classify_vec(&env, &v);
	FUZZ_ASSERT(r < P2PG_R__COUNT && r == r2, "vector %s: %s then %s",
		    v.name, p2pg_reason_name(r), p2pg_reason_name(r2));
	FUZZ_ASSERT(edited || r == v.expect, "vector %s: %s, expected %s",
		    v.name, p2pg_reason_name(r), p2pg_reason_name(v.expect));
	pol.cfg.p2p_enabled = 1;
	r2 = native_classify_vec(&env, &v);
	FUZZ_ASSERT(r2 == r, "vector %s: P2P switch changed %s into %s",
		    v.name, p2pg_reason_name(r), p2pg_reason_name(r2));
	pol.cfg.p2p_enabled = 0;
}

#define FUZZ_SEGS	24

/* Stream mode: see the comment at the top. */
static void fuzz_stream(const uint8_t *data, size_t size)
{
	struct p2pg_native_env env = { .policy = &pol };
	const struct vec_stream *st, *s;
	unsigned int first[FUZZ_SEGS];
	struct vec_spec v;
	size_t n, k, nseg, run;

	st = vec_streams(&n);
	if (size < 2)
		return;
	s = &st[data[0] % n];
	nseg = (size - 2) / 3;
	if (nseg > FUZZ_SEGS)
		nseg = FUZZ_SEGS;
	for (run = 0; run < 2; run++) {
		struct p2pg_config cfg = pol.cfg;
		struct p2pg_flow f;

		memset(&f, 0, sizeof(f));
		cfg.lockdown = 0;
		cfg.p2p_enabled = data[1] & 1;
		for (k = 0; k < nseg; k++) {
			const uint8_t *g = data + 2 + 3 * k;
			size_t off = (g[0] * 7) % (s->conn.payload_len + 1);
			size_t len = g[1] % 300;
			unsigned int r, r_on;
			struct p2pg_flow save;

			if (k == (size_t)((data[1] >> 1) % 16)) {
				cfg.p2p_enabled = 0;
				cfg.generation++;
			}
			if (off + len > s->conn.payload_len)
				len = s->conn.payload_len - off;
			v = s->conn;
			memcpy(v.payload, s->conn.payload + off, len);
			v.payload_len = len;
			if (len)
				v.payload[g[2] % len] ^= g[2] >> 4;
			v.tcp_seq = VEC_ISN + off;
			/* The switch changes no reason (no lockdown here). */
			save = f;
			cfg.p2p_enabled = !cfg.p2p_enabled;
			r_on = native_stream(&env, &cfg, &save, &v);
			cfg.p2p_enabled = !cfg.p2p_enabled;
			r = native_stream(&env, &cfg, &f, &v);
			FUZZ_ASSERT(r < P2PG_R__COUNT, "stream: reason %u", r);
			FUZZ_ASSERT(r == r_on, "stream: the switch turned %s into %s",
				    p2pg_reason_name(r), p2pg_reason_name(r_on));
			FUZZ_ASSERT(f.have <= P2PG_FLOW_KEEP,
				    "stream: %u bytes kept", f.have);
			FUZZ_ASSERT(!f.reason || p2pg_flow_sticky(f.reason),
				    "stream: %s remembered",
				    p2pg_reason_name(f.reason));
			if (run == 0)
				first[k] = r;
			else
				FUZZ_ASSERT(first[k] == r,
					    "stream %s segment %zu: %s then %s",
					    s->name, k,
					    p2pg_reason_name(first[k]),
					    p2pg_reason_name(r));
		}
	}
}

static void fuzz_input(const uint8_t *data, size_t size)
{
	struct p2pg_native_env env = { .policy = &pol };
	struct p2pg_meta m;
	const __u8 *pl;
	size_t plen;
	unsigned int r, r2, r_on, allowed;
	__u8 b7;

	if (size >= 1 && (data[0] & 0xc0) == 0xc0) {
		fuzz_name(data + 1, size - 1);
		return;
	}
	if (size >= 1 && (data[0] & 0xc0) == 0x80) {
		fuzz_vector(data + 1, size - 1);
		return;
	}
	if (size >= 1 && (data[0] & 0xc0) == 0x40) {
		fuzz_stream(data + 1, size - 1);
		return;
	}
	if (size < HDR)
		return;
	pl = data + HDR;
	plen = size - HDR;
	memset(&m, 0, sizeof(m));
	if (data[0] & 4)
		m.l4proto = (data[0] >> 3) & 7;	/* ICMP, IGMP, ... */
	else
		m.l4proto = data[0] & 1 ? P2PG_IPPROTO_TCP : P2PG_IPPROTO_UDP;
	m.dport = data[1] < 0xe0 ? ports[data[1] % (sizeof(ports) / 2)] :
				   (data[2] << 8 | data[3]);
	m.sport = data[4] << 8 | data[5];
	m.dst_class = data[6] % 6 == 5 ? data[6] : data[6] % 6;
	b7 = data[7];
	m.flags = b7 & 3;
	m.flow_reason = sticky[b7 >> 5];
	switch (data[8] & 3) {
	case 0:
		m.payload_len = plen;
		break;
	case 1:
		m.payload_len = plen + 1 + (data[9] << 8 | data[10]);
		break;
	case 2:
		m.payload_len = plen - (plen ? (data[9] % plen) + 1 : 0);
		break;
	default:
		m.payload_len = (__u32)data[9] << 8 | data[10];
		break;
	}
	env.is_agent = !!(b7 & 4);
	pol.cfg.lockdown = !!(b7 & 8);
	pol.cfg.mode = b7 & 16 ? P2PG_MODE_AUDIT : P2PG_MODE_ENFORCE;
	pol.cfg.p2p_enabled = 0;

	r = native_classify(&env, &m, pl, plen);
	r2 = native_classify(&env, &m, pl, plen);
	FUZZ_ASSERT(r < P2PG_R__COUNT, "reason %u out of range", r);
	FUZZ_ASSERT(r == r2, "not deterministic: %s then %s (a read past w->len?)",
		    p2pg_reason_name(r), p2pg_reason_name(r2));
	FUZZ_ASSERT(r != P2PG_R_NOT_IP, "classifier said not-ip");
	if (pol.cfg.mode == P2PG_MODE_AUDIT)
		FUZZ_ASSERT(!p2pg_verdict_drop(&pol.cfg, r), "audit mode drops");

	/* The switch: with P2P on nothing drops; only lockdown differs. */
	pol.cfg.p2p_enabled = 1;
	r_on = native_classify(&env, &m, pl, plen);
	FUZZ_ASSERT(!p2pg_verdict_drop(&pol.cfg, r_on), "P2P on drops %s",
		    p2pg_reason_name(r_on));
	FUZZ_ASSERT(r_on == r || (r == P2PG_R_LOCKDOWN && r_on == P2PG_R_NONE),
		    "P2P switch changed %s into %s", p2pg_reason_name(r),
		    p2pg_reason_name(r_on));
	pol.cfg.p2p_enabled = 0;

	/* What each destination class may be told (DNS names: any). */
	if (r == P2PG_R_DNS_NAME || (m.flow_reason && r == m.flow_reason))
		return;
	switch (m.dst_class) {
	case P2PG_NET_LOOPBACK:
	case P2PG_NET_ALLOW:
		allowed = r == P2PG_R_NONE;
		break;
	case P2PG_NET_DENY:
		allowed = r == P2PG_R_DENY_PREFIX;
		break;
	case P2PG_NET_LAN:
		allowed = r == P2PG_R_NONE || r == P2PG_R_UPNP_IGD ||
			  r == P2PG_R_UPNP_MAP || r == P2PG_R_NATPMP;
		break;
	default:
		allowed = r != P2PG_R_DENY_PREFIX;
		break;
	}
	FUZZ_ASSERT(allowed, "class %u got %s", m.dst_class,
		    p2pg_reason_name(r));
	/* Fragments have no payload: no payload reason. */
	if (m.flags & P2PG_META_FRAGMENT)
		FUZZ_ASSERT(r == P2PG_R_NONE || r == P2PG_R_DENY_PREFIX ||
			    r == P2PG_R_AGENT || r == P2PG_R_LOCKDOWN,
			    "fragment got %s", p2pg_reason_name(r));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_input(data, size);
	/* native_classify() checks the head path on every packet it runs. */
	FUZZ_ASSERT(!native_head_stats.mismatches,
		    "p2pg_classify_head() disagrees with p2pg_classify()");
	FUZZ_ASSERT(!native_head_stats.quiet_wrong,
		    "p2pg_head_quiet() said none where the classifier has a reason");
	return 0;
}
