// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_classify - native unit tests of common/p2pguard_classify.h: every
 * vector of tests/lib/vectors.c, known-answer tests of the scramblers the
 * vectors are built with, the name hash, the verdict, the policy knobs
 * (lockdown, agents, allow and deny prefixes) and per-signature edge cases.
 *
 * Output: PASS/FAIL/SKIP lines (tests/lib/check.h); exit 1 on any FAIL.
 * -l lists the cases, -t NAME runs those whose name contains NAME.
 */
#define _GNU_SOURCE		/* memmem */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "native_env.h"
#include "vectors.h"
#include "policy.h"

/*
 * p2pg_domain_hash(), p2pg_verdict_drop() and struct p2pg_meta:
 * classification itself goes through native_classify(), whose environment
 * answers from the policy.
 */
#include "p2pguard_rules.h"

static struct p2pg_policy defpol;

static const char *rname(unsigned int r)
{
	return p2pg_reason_name(r);
}

static void hex(char *out, size_t outsz, const __u8 *p, size_t n)
{
	size_t i;

	out[0] = 0;
	for (i = 0; i < n && 2 * i + 3 <= outsz; i++)
		snprintf(out + 2 * i, 3, "%02x", p[i]);
}

/* Classify @v under @p and compare with @want. */
static void expect_vec(const struct p2pg_policy *p, int agent,
		       const char *what, const char *name, unsigned int want)
{
	struct p2pg_native_env env = { .policy = p, .is_agent = agent };
	const struct vec_spec *v = vec_find(name);
	unsigned int r = native_classify_vec(&env, v);

	check(r == want, "%s: %s -> %s%s%s", what, name, rname(r),
	      r == want ? "" : ", expected ", r == want ? "" : rname(want));
}

/* ---- every vector under the default policy ------------------------------ */

static void test_vectors(void)
{
	struct p2pg_native_env env = { .policy = &defpol };
	const struct vec_spec *v;
	size_t n, i, j, pos = 0;
	int dup = 0;

	v = vec_all(&n);
	for (i = 0; i < n; i++) {
		unsigned int r = native_classify_vec(&env, &v[i]);
		char h[41];

		pos += v[i].expect != P2PG_R_NONE;
		if (r == v[i].expect) {
			check(1, "vector %s (IPv%d proto %u dport %u): %s",
			      v[i].name, v[i].family, v[i].l4proto, v[i].dport,
			      rname(r));
			continue;
		}
		hex(h, sizeof(h), v[i].payload, v[i].payload_len);
		check(0, "vector %s (IPv%d proto %u dport %u): %s, expected %s; payload[%zu] %s...",
		      v[i].name, v[i].family, v[i].l4proto, v[i].dport,
		      rname(r), rname(v[i].expect), v[i].payload_len, h);
	}
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			dup |= !strcmp(v[i].name, v[j].name);
	check(!dup && n > 100 && pos > 50 && n - pos > 30,
	      "vector table: %zu vectors, %zu positive, names unique", n, pos);
	/* What the BPF program judges from the head alone (native_env.c). */
	check(!native_head_stats.mismatches && native_head_stats.hits > 20,
	      "head: p2pg_classify_head() agrees with p2pg_classify() on the %zu vectors it decides (%zu not none, %zu mismatches)",
	      native_head_stats.decided, native_head_stats.hits,
	      native_head_stats.mismatches);
	check(!native_head_stats.quiet_wrong && native_head_stats.quiet > 10,
	      "quiet: p2pg_head_quiet() answers %zu of those without the classifier, never one with a reason (%zu wrong)",
	      native_head_stats.quiet, native_head_stats.quiet_wrong);
}

/*
 * The packets the quick answer is for must get it: a media stream to the
 * LAN and to the Internet, a ping.  Otherwise the BPF program calls the
 * classifier for every ordinary packet and only the benchmarks notice.
 */
static void test_quiet(void)
{
	static const char *const ordinary[] = {
		"rtp-h264", "rtp-h264-wan", "rtp-h264-wan-v6", "icmp-echo",
		"icmpv6-echo", "onvif-ws-discovery",
	};
	struct p2pg_native_env env = { .policy = &defpol };
	size_t i, q;

	for (i = 0; i < sizeof(ordinary) / sizeof(ordinary[0]); i++) {
		q = native_head_stats.quiet;
		native_classify_vec(&env, vec_find(ordinary[i]));
		check(native_head_stats.quiet == q + 1,
		      "quiet: %s is answered without the classifier",
		      ordinary[i]);
	}
	/* Not when the policy could give a reason: lockdown, an agent. */
	env.is_agent = 1;
	q = native_head_stats.quiet;
	native_classify_vec(&env, vec_find("rtp-h264-wan"));
	check(native_head_stats.quiet == q,
	      "quiet: not for an agent's datagram to the Internet");
}

/* Every vector's frame: lengths and checksums a kernel would accept. */
static __u32 sum16(__u32 s, const __u8 *p, size_t n)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		s += (__u32)p[i] << 8 | p[i + 1];
	if (n & 1)
		s += (__u32)p[n - 1] << 8;
	return s;
}

static int folds_to_ffff(__u32 s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return s == 0xffff;
}

static const char *frame_problem(const struct vec_spec *v)
{
	__u8 f[VEC_FRAME_MAX];
	size_t len = vec_frame(v, f), l4off, l4len;
	const __u8 *ip = f + 14, *l4;
	int l4hdr = !(v->flags & VEC_FRAGMENT) &&
		    (v->l4proto == 6 || v->l4proto == 17 || v->l4proto == 136);
	int first = !!(v->flags & VEC_FIRST_FRAG);
	size_t keep = first ? v->frag_keep : v->payload_len;
	__u32 ps;

	if (len > VEC_FRAME_MAX)
		return "too long";
	if (v->family == 4) {
		if (f[12] != 0x08 || f[13] != 0x00 || ip[0] != 0x45)
			return "ethertype/version";
		if ((size_t)(ip[2] << 8 | ip[3]) != len - 14)
			return "IPv4 total length";
		if (!folds_to_ffff(sum16(0, ip, 20)))
			return "IPv4 header checksum";
		if (!(v->flags & VEC_FRAGMENT) !=
		    !((ip[6] << 8 | ip[7]) & 0x1fff))
			return "IPv4 fragment offset";
		if (!first != !(ip[6] & 0x20))
			return "IPv4 more-fragments flag";
		if (memcmp(ip + 16, v->daddr, 4) || ip[9] != v->l4proto)
			return "IPv4 daddr/protocol";
		l4off = 20;
		ps = sum16(0, ip + 12, 8);
	} else {
		size_t off = 40;
		__u8 nh = ip[6];

		if (f[12] != 0x86 || f[13] != 0xdd || ip[0] >> 4 != 6)
			return "ethertype/version";
		if ((size_t)(ip[4] << 8 | ip[5]) != len - 54)
			return "IPv6 payload length";
		if (memcmp(ip + 24, v->daddr, 16))
			return "IPv6 daddr";
		if (v->flags & VEC_IPV6_EXT) {
			if (nh != 0 || ip[off] != 60 || ip[off + 1] != 0)
				return "hop-by-hop header";
			nh = ip[off + 8];
			off += 16;
		}
		if (v->flags & VEC_IPV6_EXT_MANY) {
			int k;

			for (k = 0; k < 7; k++, off += 8)
				if (nh != 60 || ip[off + 1] != 0)
					return "destination options chain";
				else
					nh = ip[off];
		}
		if (v->flags & (VEC_FRAGMENT | VEC_FIRST_FRAG)) {
			if (nh != 44 ||
			    !((ip[off + 2] << 8 | ip[off + 3]) & 0xfff8) ==
			    !first || (ip[off + 3] & 1) != first)
				return "fragment header";
			nh = ip[off];
			off += 8;
		}
		if (nh != v->l4proto)
			return "IPv6 next header";
		l4off = off;
		ps = sum16(0, ip + 8, 32);
	}
	l4 = ip + l4off;
	l4len = len - 14 - l4off;
	if (!l4hdr)
		return l4len == v->payload_len &&
		       !memcmp(l4, v->payload, l4len) ? NULL : "raw payload";
	if ((l4[0] << 8 | l4[1]) != v->sport ||
	    (l4[2] << 8 | l4[3]) != v->dport)
		return "ports";
	/* A first fragment's UDP length is the whole datagram's. */
	if (v->l4proto == 17 &&
	    (size_t)(l4[4] << 8 | l4[5]) != l4len - keep + v->payload_len)
		return "UDP length";
	if (v->l4proto == 136 && (l4[4] << 8 | l4[5]) != 0)
		return "UDP-Lite checksum coverage";
	if (v->l4proto == 6 && (l4[12] >> 4 != 5 || l4[13] != 0x18))
		return "TCP doff/flags";
	/* The checksum covers bytes a first fragment does not carry. */
	if (!first &&
	    !folds_to_ffff(sum16(ps + v->l4proto + l4len, l4, l4len)))
		return "L4 checksum";
	if (memcmp(l4 + l4len - keep, v->payload, keep))
		return "payload";
	return NULL;
}

static void test_frames(void)
{
	const struct vec_spec *v;
	const char *bad = NULL;
	size_t n, i, at = 0;

	v = vec_all(&n);
	for (i = 0; i < n && !bad; i++) {
		bad = frame_problem(&v[i]);
		at = i;
	}
	if (bad)
		check(0, "vec_frame: %s: bad %s", v[at].name, bad);
	else
		check(1, "vec_frame: lengths, checksums, headers of %zu frames",
		      n);
}

/* ---- scrambler known answers ------------------------------------------- */

/*
 * p2p-protocols.md §3.1.4: scrambled headers per PSK, derived there with
 * the pppp_dissect.lua table and cross-checked against datenstau/A9_PPPP's
 * hard-coded "camera" LAN search 2cba5f5d.  Empty cells: not in the table.
 */
static const char *const pppp_plain_hdr[] = {
	"f1000000", "f1300000", "f1e00000", "f1e10000", "f1f00000",
	"f1010010", "f1100028", "f112002c", "f1160044", "f1200024",
	"f1410014", "f1420014", "f1d0",
};

#define PPPP_COLS (sizeof(pppp_plain_hdr) / sizeof(pppp_plain_hdr[0]))

static const struct {
	const char *psk;
	const char *hdr[PPPP_COLS];
} pppp_kat[] = {
	{ "SSD@cs2-network.", { "b196ec02", "b1a6bb9a", "b176202e", "b177dfaa",
	  "b1666e0d", "b1977d89", "b18647e6", "b184006c", "b180e707",
	  "b1b669fb", "b1d7d1be", "b1d4f92e", "b146" } },
	{ "camera", { "2c8ab914", "2cba5f5d", "2c6ada84", "2c6b0ad7",
	  "2c7a4555", "2c8b8217", "2c9a54c5", "2c989cf2", "2c9cde6f",
	  "2caabd83", "2ccb6293", "2cc872e4", "2c5a" } },
	{ "SHIX", { "9f912a19", "9fa1eeb9", "9f71d6f0", "9f70fbde", "9f61eb8e",
	  "9f908d88", "9f81b5fd", "9f832422", "9f87b3a9", "9fb1a43c",
	  "9fd030f8", "9fd3cda7", "9f41" } },
	{ "vstarcam2018", { "4985f1a0", "49b573d5", "4965fe3e", "4964126f",
	  "497550bb", "4984b045", "4995ddb6", "4997e01c", "49932dd8",
	  "49a5d5b5", "49c4ea36", "49c79f5c", "4955" } },
	{ "VMSV", { "d1ae96e8", "d19e23ab", "d14e9550", "d14fc7cf", "d15e51de",
	  "d1af9ffd", "", "d1bc2f53", "", "d18e521d", "d1ef7b39", "d1ec5896",
	  "d17e" } },
	{ "FERRY@88", { "a91abf57", "a92a6297", "a9faf6b0", "a9fbf70b",
	  "a9ea826e", "a91bd602", "", "a908881f", "", "a93ab65c", "a95ba441",
	  "a9581299", "a9ca" } },
	{ "mycamera", { "aa56c9f8", "aa66af5c", "aab6770a", "aab7b44a",
	  "aaa63967", "aa575ead", "", "aa44ad12", "", "aa7690ec", "aa17c262",
	  "aa149455", "aa86" } },
	{ "Deng123abc", { "5be263f3", "5bd2e68e", "5b020b02", "5b03e5a2",
	  "5b12c41e", "5be3499c", "", "5bf03b49", "", "5bc280b1", "5ba300be",
	  "5ba076ba", "5b32" } },
	{ "Duncom", { "a5a3e69e", "a5938099", "a543d8f0", "a5427b0f",
	  "a553b363", "a5a2c7ce", "", "a5b1665e", "", "a5836cfb", "a5e28f8b",
	  "a5e1e556", "a573" } },
	{ "JX20130716", { "2b1b15c8", "2b2b1b15", "2bfb7b24", "2bfaf6b0",
	  "2beb44f8", "2b1abf90", "", "2b09e275", "", "2b3b7f97", "2b5a3c7b",
	  "2b59a1ed", "2bcb" } },
	{ "@@@@....", { "5d487c5a", "5d782818", "5da80ef4", "5da96394",
	  "5db87828", "5d49b375", "", "5d5a673d", "", "5d681fe5", "5d099800",
	  "5d0abe13", "5d98" } },
};

static size_t unhex(const char *s, __u8 *out)
{
	size_t n = 0;

	for (; s[0] && s[1]; s += 2) {
		unsigned int b;

		sscanf(s, "%2x", &b);
		out[n++] = b;
	}
	return n;
}

static void test_pppp_kat(void)
{
	size_t k, c;

	for (k = 0; k < sizeof(pppp_kat) / sizeof(pppp_kat[0]); k++) {
		struct p2pg_pppp_key key;
		int bad = 0, cells = 0;
		char got[9] = "";
		__u8 slot;

		for (c = 0; c < PPPP_COLS; c++) {
			__u8 in[4], want[4], out[4];
			size_t n;

			if (!pppp_kat[k].hdr[c][0])
				continue;
			n = unhex(pppp_plain_hdr[c], in);
			unhex(pppp_kat[k].hdr[c], want);
			vec_pppp_scramble(pppp_kat[k].psk, in, out, n);
			cells++;
			if (memcmp(out, want, n) && !bad) {
				bad = 1;
				hex(got, sizeof(got), out, n);
				printf("  %s %s: got %s want %s\n",
				       pppp_kat[k].psk, pppp_plain_hdr[c], got,
				       pppp_kat[k].hdr[c]);
			}
		}
		check(!bad, "pppp scramble KAT %s: %d headers of §3.1.4",
		      pppp_kat[k].psk, cells);

		/* The loader's decode table must undo the scramble. */
		slot = p2pg_pppp_derive(pppp_kat[k].psk, &key);
		{
			__u8 want0;

			unhex(pppp_kat[k].hdr[0], &want0);
			check(slot == want0 && key.valid,
			      "pppp derive %s: slot %02x (want %02x)",
			      pppp_kat[k].psk, slot, want0);
		}
		check(defpol.pppp[slot].valid &&
		      !memcmp(defpol.pppp[slot].dec, key.dec, 256),
		      "pppp default policy holds %s in slot %02x",
		      pppp_kat[k].psk, slot);
	}

	/* Whole-packet decode: plain[i] = c[i] ^ dec[c[i - 1]], c[-1] = 0. */
	{
		const struct vec_spec *v = vec_find("pppp-scr-SSD@cs2-network.-dev-lgn");
		struct p2pg_pppp_key key;
		__u8 plain[64], prev = 0;
		size_t i;

		p2pg_pppp_derive("SSD@cs2-network.", &key);
		for (i = 0; i < v->payload_len; i++) {
			plain[i] = v->payload[i] ^ key.dec[prev];
			prev = v->payload[i];
		}
		check(v->payload_len == 44 && plain[0] == 0xf1 &&
		      plain[1] == 0x10 && plain[2] == 0 && plain[3] == 0x28 &&
		      !memcmp(plain + 4, "VSTA", 4),
		      "pppp decode table inverts vec_pppp_scramble over 44 bytes");
	}
}

/*
 * TUTK: p2p-protocols.md §3.4.3 gives, for plaintext 04 02 <ver> <mode>
 * with a body under 256 bytes, wire bytes 8, 10 and 11, and four whole
 * 16-byte masks (?? = bytes that follow the random 12..15, unchecked).
 */
static void test_tutk_kat(void)
{
	static const struct {
		__u8 ver, mode, w8, w10, w11;
	} tab[] = {
		{ 0x12, 0x02, 0x2d, 0x08, 0x2d },
		{ 0x12, 0x0a, 0x2d, 0x08, 0x2d },
		{ 0x12, 0x0b, 0x2d, 0x08, 0x3d },
		{ 0x19, 0x02, 0x3d, 0xa8, 0x2d },
		{ 0x19, 0x0a, 0x3d, 0xa8, 0x2d },
		{ 0x19, 0x0b, 0x3d, 0xa8, 0x3d },
		{ 0x1a, 0x02, 0x2d, 0x88, 0x2d },
		{ 0x1a, 0x0a, 0x2d, 0x88, 0x2d },
		{ 0x1a, 0x0b, 0x2d, 0x88, 0x3d },
	};
	static const struct {
		const char *what;
		__u8 ver, mode;
		__u16 len, cmd, dir;
		const char *mask;	/* wire 0, 1, 8..15 */
	} masks[] = {
		{ "GetRemoteIP", 0x19, 0x02, 112, 0x0203, 0x0034,
		  "2e0d3d2da82d40e6cade" },
		{ "LAN disco 0x0601", 0x19, 0x02, 68, 0x0601, 0x0021,
		  "6e4c3d2da82d00e7cada" },
		{ "Wyze msgDisco", 0x1a, 0x02, 88, 0x0601, 0x0021,
		  "6e4c2d2d882dc0e6cadc" },
		{ "camera ping 0x0428", 0x12, 0x0a, 24, 0x0428, 0x0012,
		  "4c6f2d2d082dc0eecad8" },
	};
	__u8 p[32], w[32], want[10];
	size_t i, k;
	int bad = 0;

	for (i = 0; i < sizeof(tab) / sizeof(tab[0]); i++) {
		for (k = 0; k < 16; k++)
			p[k] = 0x5a ^ (k * 37);	/* the rest: arbitrary */
		p[0] = 0x04;
		p[1] = 0x02;
		p[2] = tab[i].ver;
		p[3] = tab[i].mode;
		p[5] = 0;			/* body < 256 bytes */
		vec_tutk_scramble(p, w, 16);
		if (w[8] != tab[i].w8 || w[10] != tab[i].w10 ||
		    w[11] != tab[i].w11) {
			printf("  ver %02x mode %02x: %02x %02x %02x\n",
			       tab[i].ver, tab[i].mode, w[8], w[10], w[11]);
			bad = 1;
		}
	}
	check(!bad, "tutk scramble KAT: wire bytes 8/10/11 for 9 version/mode pairs (§3.4.3)");

	for (i = 0; i < sizeof(masks) / sizeof(masks[0]); i++) {
		memset(p, 0, sizeof(p));
		p[0] = 0x04;
		p[1] = 0x02;
		p[2] = masks[i].ver;
		p[3] = masks[i].mode;
		p[4] = masks[i].len - 16;
		p[8] = masks[i].cmd;
		p[9] = masks[i].cmd >> 8;
		p[10] = masks[i].dir;
		p[11] = masks[i].dir >> 8;
		vec_tutk_scramble(p, w, 16);
		unhex(masks[i].mask, want);
		check(w[0] == want[0] && w[1] == want[1] &&
		      !memcmp(w + 8, want + 2, 8),
		      "tutk scramble KAT: %s mask (§3.4.3)", masks[i].what);
	}

	/* Zero tails: the 12-byte one reads "Charlie is t" (§3.4.3). */
	memset(p, 0, sizeof(p));
	vec_tutk_scramble(p, w, 28);
	check(!memcmp(w + 16, "Charlie is t", 12),
	      "tutk scramble KAT: zero 12-byte tail is \"Charlie is t\"");
	/* go2rtc swap(): n = 2, 4, 8 reorder the XORed key bytes. */
	vec_tutk_scramble(p, w, 2);
	check(!memcmp(w, "hC", 2), "tutk scramble KAT: 2-byte tail swapped");
	vec_tutk_scramble(p, w, 4);
	check(!memcmp(w, "arCh", 4), "tutk scramble KAT: 4-byte tail swapped");
	vec_tutk_scramble(p, w, 8);
	check(!memcmp(w, " lraheiC", 8), "tutk scramble KAT: 8-byte tail swapped");
	/* Blocks are independent: a zero block scrambles the same anywhere. */
	vec_tutk_scramble(p, w, 32);
	check(!memcmp(w, w + 16, 16), "tutk scramble: zero blocks identical");
}

/* ---- name hash ---------------------------------------------------------- */

static void test_domain_hash(void)
{
	char l63[64], l64[65], long_ok[260], long_bad[260];
	__u64 a = 0, b = 0, c = 0;
	int ra, rb;

	ra = p2pg_domain_hash("iotcplatform.com", &a);
	rb = p2pg_domain_hash("xiotcplatform.com", &b);
	check(!ra && !rb && a != b,
	      "domain hash: xiotcplatform.com differs from iotcplatform.com");
	check(p2pg_policy_has_name(&defpol, a) &&
	      !p2pg_policy_has_name(&defpol, b),
	      "domain hash: default policy lists iotcplatform.com, not xiotcplatform.com");
	rb = p2pg_domain_hash("iotcplatform.com.", &b);
	check(!rb && a == b, "domain hash: trailing dot ignored");
	rb = p2pg_domain_hash("IotcPlatform.COM", &b);
	check(!rb && a == b, "domain hash: case ignored");
	rb = p2pg_domain_hash("m1.iotcplatform.com", &b);
	check(!rb && a != b, "domain hash: subdomain hashes differently");
	/* "a.bc" and "ab.c" have the same letters: lengths must matter. */
	ra = p2pg_domain_hash("a.bc", &a);
	rb = p2pg_domain_hash("ab.c", &b);
	check(!ra && !rb && a != b, "domain hash: label boundaries count");

	check(p2pg_domain_hash("", &c) == -1, "domain hash: \"\" rejected");
	check(p2pg_domain_hash(".", &c) == -1, "domain hash: \".\" rejected");
	check(p2pg_domain_hash("a..b", &c) == -1, "domain hash: \"a..b\" rejected");
	check(p2pg_domain_hash(".a", &c) == -1, "domain hash: \".a\" rejected");
	check(p2pg_domain_hash("a.b..", &c) == -1,
	      "domain hash: \"a.b..\" rejected");
	memset(l63, 'a', 63);
	l63[63] = 0;
	memset(l64, 'a', 64);
	l64[64] = 0;
	check(p2pg_domain_hash(l63, &c) == 0, "domain hash: 63-char label accepted");
	check(p2pg_domain_hash(l64, &c) == -1, "domain hash: 64-char label rejected");
	/* 253 characters is the longest name (255 bytes of wire form). */
	snprintf(long_ok, sizeof(long_ok), "%s.%s.%s.%.61s", l63, l63, l63, l63);
	snprintf(long_bad, sizeof(long_bad), "%s.%s.%s.%.62s", l63, l63, l63, l63);
	check(strlen(long_ok) == 253 && p2pg_domain_hash(long_ok, &c) == 0,
	      "domain hash: 253-char name accepted");
	check(strlen(long_bad) == 254 && p2pg_domain_hash(long_bad, &c) == -1,
	      "domain hash: 254-char name rejected");
}

/* ---- verdict ------------------------------------------------------------ */

static void test_verdict(void)
{
	int p2p, mode;
	unsigned int r;

	for (p2p = 0; p2p <= 1; p2p++) {
		for (mode = P2PG_MODE_ENFORCE; mode <= P2PG_MODE_AUDIT;
		     mode++) {
			struct p2pg_config cfg = { .p2p_enabled = p2p,
						   .mode = mode };
			int bad = 0, drops = 0;

			for (r = 0; r < P2PG_R__COUNT; r++) {
				int want = !p2p && mode == P2PG_MODE_ENFORCE &&
					   r != P2PG_R_NONE &&
					   r != P2PG_R_NOT_IP;
				int got = p2pg_verdict_drop(&cfg, r);

				drops += got;
				if (got != want) {
					printf("  reason %s: drop %d\n",
					       rname(r), got);
					bad = 1;
				}
			}
			check(!bad, "verdict: P2P %s, %s: %d of %d reasons drop",
			      p2p ? "on" : "off",
			      mode == P2PG_MODE_ENFORCE ? "enforce" : "audit",
			      drops, P2PG_R__COUNT);
		}
	}
	/* Lockdown and agents change what is classified, not the verdict. */
	{
		struct p2pg_config cfg = { .lockdown = 1, .agents = 3 };

		check(p2pg_verdict_drop(&cfg, P2PG_R_LOCKDOWN) &&
		      p2pg_verdict_drop(&cfg, P2PG_R_AGENT) &&
		      !p2pg_verdict_drop(&cfg, P2PG_R_NONE),
		      "verdict: lockdown/agent reasons drop, none passes");
	}
}

/* ---- policy knobs ------------------------------------------------------- */

static int policy_with(struct p2pg_policy *p, const char *cidr, int cls)
{
	if (p2pg_policy_init_defaults(p))
		return -1;
	if (cidr && p2pg_policy_add_prefix(p, cidr, cls)) {
		p2pg_policy_free(p);
		return -1;
	}
	return 0;
}

static void test_lockdown(void)
{
	struct p2pg_policy p;

	if (policy_with(&p, NULL, 0)) {
		check(0, "lockdown: cannot build the policy");
		return;
	}
	p.cfg.lockdown = 1;
	expect_vec(&p, 0, "lockdown", "http-get-firmware", P2PG_R_LOCKDOWN);
	expect_vec(&p, 0, "lockdown", "tls13-client-hello-v6", P2PG_R_LOCKDOWN);
	expect_vec(&p, 0, "lockdown", "ntp-client", P2PG_R_LOCKDOWN);
	expect_vec(&p, 0, "lockdown", "dns-example", P2PG_R_LOCKDOWN);
	expect_vec(&p, 0, "lockdown", "icmp-echo", P2PG_R_LOCKDOWN);
	expect_vec(&p, 0, "lockdown", "pppp-drw-fragment", P2PG_R_LOCKDOWN);
	/* Signatures keep their own reason. */
	expect_vec(&p, 0, "lockdown", "stun-binding", P2PG_R_STUN);
	expect_vec(&p, 0, "lockdown", "dns-m1-iotcplatform", P2PG_R_DNS_NAME);
	/* LAN and loopback are not affected. */
	expect_vec(&p, 0, "lockdown", "rtsp-reply", P2PG_R_NONE);
	expect_vec(&p, 0, "lockdown", "rtsp-reply-v6", P2PG_R_NONE);
	expect_vec(&p, 0, "lockdown", "onvif-ws-discovery", P2PG_R_NONE);
	expect_vec(&p, 0, "lockdown", "dns-reolink-parent", P2PG_R_NONE);
	expect_vec(&p, 0, "lockdown", "pppp-hello-loopback", P2PG_R_NONE);
	/* Agents come before lockdown. */
	expect_vec(&p, 1, "lockdown+agent", "http-get-firmware", P2PG_R_AGENT);
	/* With P2P on nothing is locked down. */
	p.cfg.p2p_enabled = 1;
	expect_vec(&p, 0, "lockdown, P2P on", "http-get-firmware", P2PG_R_NONE);
	expect_vec(&p, 0, "lockdown, P2P on", "ntp-client-v6", P2PG_R_NONE);
	/* ...but signatures are still classified (and counted). */
	expect_vec(&p, 0, "lockdown, P2P on", "pppp-hello", P2PG_R_PPPP);
	check(!p2pg_verdict_drop(&p.cfg, P2PG_R_PPPP),
	      "lockdown, P2P on: cs2-pppp is not dropped");
	p2pg_policy_free(&p);

	/* An allow-listed prefix is exempt from lockdown. */
	if (policy_with(&p, "198.51.100.0/24", P2PG_NET_ALLOW)) {
		check(0, "lockdown: cannot build the policy");
		return;
	}
	p.cfg.lockdown = 1;
	expect_vec(&p, 0, "lockdown, allow 198.51.100.0/24", "http-get-firmware",
		   P2PG_R_NONE);
	expect_vec(&p, 0, "lockdown, allow 198.51.100.0/24", "ntp-client",
		   P2PG_R_LOCKDOWN);
	p2pg_policy_free(&p);
}

static void test_agent(void)
{
	expect_vec(&defpol, 1, "agent", "http-get-firmware", P2PG_R_AGENT);
	expect_vec(&defpol, 1, "agent", "quic-initial-v6", P2PG_R_AGENT);
	expect_vec(&defpol, 1, "agent", "icmp-echo", P2PG_R_AGENT);
	expect_vec(&defpol, 1, "agent", "rtsp-reply", P2PG_R_NONE);
	expect_vec(&defpol, 1, "agent", "rtp-h264", P2PG_R_NONE);
	expect_vec(&defpol, 1, "agent", "ssdp-dial", P2PG_R_NONE);
	expect_vec(&defpol, 1, "agent", "pppp-hello-loopback-v6", P2PG_R_NONE);
	expect_vec(&defpol, 1, "agent", "stun-binding", P2PG_R_STUN);
	expect_vec(&defpol, 1, "agent", "ssdp-igd", P2PG_R_UPNP_IGD);
	expect_vec(&defpol, 1, "agent", "dns-iotcplatform-lan", P2PG_R_DNS_NAME);
}

static void test_prefixes(void)
{
	struct p2pg_policy p;

	if (policy_with(&p, "198.51.100.0/24", P2PG_NET_DENY) ||
	    p2pg_policy_add_prefix(&p, "2001:db8::95/128", P2PG_NET_DENY)) {
		check(0, "deny prefix: cannot build the policy");
		return;
	}
	expect_vec(&p, 0, "deny 198.51.100.0/24", "http-get-firmware",
		   P2PG_R_DENY_PREFIX);
	expect_vec(&p, 0, "deny 198.51.100.0/24", "quic-initial",
		   P2PG_R_DENY_PREFIX);
	expect_vec(&p, 0, "deny 198.51.100.0/24", "pppp-hello",
		   P2PG_R_DENY_PREFIX);
	expect_vec(&p, 0, "deny 198.51.100.0/24", "dns-easy4ip",
		   P2PG_R_DNS_NAME);
	expect_vec(&p, 0, "deny 198.51.100.0/24", "ntp-client", P2PG_R_NONE);
	expect_vec(&p, 0, "deny 2001:db8::95/128", "http-get-firmware-v6",
		   P2PG_R_DENY_PREFIX);
	expect_vec(&p, 0, "deny 2001:db8::95/128", "tls13-client-hello-v6",
		   P2PG_R_NONE);
	p2pg_policy_free(&p);

	if (policy_with(&p, "198.51.100.0/24", P2PG_NET_ALLOW) ||
	    p2pg_policy_add_prefix(&p, "2001:db8::7", P2PG_NET_ALLOW)) {
		check(0, "allow prefix: cannot build the policy");
		return;
	}
	expect_vec(&p, 0, "allow 198.51.100.0/24", "pppp-hello", P2PG_R_NONE);
	expect_vec(&p, 0, "allow 198.51.100.0/24", "stun-binding", P2PG_R_NONE);
	expect_vec(&p, 0, "allow 198.51.100.0/24", "xiongmai-cfg", P2PG_R_NONE);
	expect_vec(&p, 0, "allow 198.51.100.0/24", "reolink-discovery",
		   P2PG_R_NONE);
	expect_vec(&p, 0, "allow 198.51.100.0/24", "tutk-get-remote-ip",
		   P2PG_R_NONE);
	expect_vec(&p, 1, "allow 198.51.100.0/24 + agent", "http-get-firmware",
		   P2PG_R_NONE);
	/* Denied names stay denied whatever the resolver. */
	expect_vec(&p, 0, "allow 198.51.100.0/24", "dns-easy4ip",
		   P2PG_R_DNS_NAME);
	/* Outside the prefix nothing changes. */
	expect_vec(&p, 0, "allow 198.51.100.0/24", "tutk-ping", P2PG_R_TUTK);
	expect_vec(&p, 0, "allow 2001:db8::7", "pppp-hello-v6", P2PG_R_NONE);
	expect_vec(&p, 0, "allow 2001:db8::7", "pppp-dev-lgn-v6", P2PG_R_PPPP);
	p2pg_policy_free(&p);

	/* A longer LAN prefix inside a denied one wins (LPM). */
	if (policy_with(&p, "192.168.0.0/16", P2PG_NET_DENY) ||
	    p2pg_policy_add_prefix(&p, "192.168.1.1/32", P2PG_NET_LAN)) {
		check(0, "LPM: cannot build the policy");
		return;
	}
	expect_vec(&p, 0, "deny 192.168/16, LAN 192.168.1.1/32", "natpmp-map-udp",
		   P2PG_R_NATPMP);
	expect_vec(&p, 0, "deny 192.168/16, LAN 192.168.1.1/32", "rtsp-reply",
		   P2PG_R_DENY_PREFIX);
	p2pg_policy_free(&p);
}

/* ---- per-signature edge cases ------------------------------------------- */

/* Payload to an Internet host on UDP/TCP port 47000 (no rendezvous port). */
static unsigned int cls(__u8 proto, __u16 dport, int dst_class,
			const __u8 *p, size_t n)
{
	struct p2pg_native_env env = { .policy = &defpol };
	struct p2pg_meta m = {
		.payload_len = n, .sport = 40000, .dport = dport,
		.l4proto = proto, .dst_class = dst_class,
	};

	return native_classify(&env, &m, p, n);
}

static unsigned int udp_wan(const __u8 *p, size_t n)
{
	return cls(P2PG_IPPROTO_UDP, 47000, P2PG_NET_WAN, p, n);
}

/* A positive control and its broken twin, named together. */
static void pair(const char *what, unsigned int want, const __u8 *good,
		 size_t gn, const __u8 *bad, size_t bn)
{
	unsigned int rg = udp_wan(good, gn), rb = udp_wan(bad, bn);
	char h[65];

	check(rg == want, "edge %s: control -> %s (want %s)", what, rname(rg),
	      rname(want));
	hex(h, sizeof(h), bad, bn);
	check(rb == P2PG_R_NONE, "edge %s -> %s (want none) [%zu B %s%s]",
	      what, rname(rb), bn, h, bn > 32 ? "..." : "");
}

static void test_pppp_edges(void)
{
	__u8 g[64], b[64];
	__u8 s[64];

	memcpy(g, "\xf1\x00\x00\x00", 4);
	memcpy(b, "\xf1\x00\x00\x01", 4);
	pair("pppp hello, length 1 in a 4-byte packet", P2PG_R_PPPP, g, 4, b, 4);
	memset(b, 0, sizeof(b));
	memcpy(b, "\xf1\x00\x00\x00", 4);
	pair("pppp hello with one extra byte", P2PG_R_PPPP, g, 4, b, 5);
	memset(g, 0x41, sizeof(g));
	memcpy(g, "\xf1\x10\x00\x28", 4);
	memcpy(b, g, sizeof(g));
	pair("pppp dev-lgn one byte short", P2PG_R_PPPP, g, 44, b, 43);
	pair("pppp dev-lgn one byte long", P2PG_R_PPPP, g, 44, b, 45);
	memcpy(b, "\xf1\x05\x00\x28", 4);
	pair("pppp unknown type 0x05", P2PG_R_PPPP, g, 44, b, 44);
	memcpy(b, "\xf1\x07\x00\x28", 4);
	pair("pppp unknown type 0x07", P2PG_R_PPPP, g, 44, b, 44);
	pair("pppp header truncated to 3 bytes", P2PG_R_PPPP, g, 44, g, 3);

	/* Scrambled: a wrong length, an unknown type, a foreign key. */
	memcpy(g, "\xf1\x00\x00\x00", 4);
	vec_pppp_scramble("SSD@cs2-network.", g, s, 4);
	memcpy(b, "\xf1\x00\x00\x00\x00", 5);
	vec_pppp_scramble("SSD@cs2-network.", b, b, 5);
	pair("pppp scrambled hello with one extra byte", P2PG_R_PPPP_SCRAMBLED,
	     s, 4, b, 5);
	memcpy(b, "\xf1\x05\x00\x00", 4);
	vec_pppp_scramble("camera", b, b, 4);
	vec_pppp_scramble("camera", g, s, 4);
	pair("pppp scrambled unknown type 0x05", P2PG_R_PPPP_SCRAMBLED, s, 4,
	     b, 4);
	{
		static const char *const foreign[] = {
			"p2pguard-test", "hyWHzyhtzH", "SZGMBESTER", "Welcome",
		};
		struct p2pg_pppp_key k;
		size_t i;
		int done = 0;

		for (i = 0; i < 4 && !done; i++) {
			__u8 slot = p2pg_pppp_derive(foreign[i], &k);

			if (defpol.pppp[slot].valid)
				continue;
			vec_pppp_scramble(foreign[i], g, b, 4);
			vec_pppp_scramble("SHIX", g, s, 4);
			pair("pppp scrambled with a key not in the policy",
			     P2PG_R_PPPP_SCRAMBLED, s, 4, b, 4);
			done = 1;
		}
		if (!done)
			check_skip("edge pppp foreign key: every candidate's slot is taken");
	}
	vec_pppp_scramble("vstarcam2018", g, s, 4);
	pair("pppp scrambled truncated to 3 bytes", P2PG_R_PPPP_SCRAMBLED, s, 4,
	     s, 3);

	/* iLnk */
	memset(g, 0x42, sizeof(g));
	memcpy(g, "\xa1\x00\x00\x14", 4);
	memcpy(b, g, sizeof(g));
	b[1] = 0x03;
	pair("ilnk A1 type 0x03", P2PG_R_ILNK, g, 24, b, 24);
	pair("ilnk A1 00 one byte short", P2PG_R_ILNK, g, 24, g, 23);
	memcpy(g, "\xf2\x10\x00\x00", 4);
	memcpy(b, g, 4);
	pair("ilnk F2 10 with a body", P2PG_R_ILNK, g, 4, b, 5);
	b[1] = 0x11;
	pair("ilnk F2 11", P2PG_R_ILNK, g, 4, b, 4);
}

static void tutk_msg(__u8 *out, size_t n, __u8 magic1, int len_delta)
{
	__u8 p[256];
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (__u8)(i * 29 + 7);
	p[0] = 0x04;
	p[1] = magic1;
	p[2] = 0x19;
	p[3] = 0x02;
	p[4] = (__u8)(n - 16 + len_delta);
	p[5] = (__u8)((n - 16 + len_delta) >> 8);
	vec_tutk_scramble(p, out, n);
}

static void test_other_edges(void)
{
	__u8 g[128], b[128];
	size_t i;

	/* TUTK */
	tutk_msg(g, 40, 0x02, 0);
	tutk_msg(b, 40, 0x02, 1);
	pair("tutk length field one too big", P2PG_R_TUTK, g, 40, b, 40);
	tutk_msg(b, 40, 0x02, -1);
	pair("tutk length field one too small", P2PG_R_TUTK, g, 40, b, 40);
	tutk_msg(b, 40, 0x03, 0);
	pair("tutk magic 04 03", P2PG_R_TUTK, g, 40, b, 40);
	tutk_msg(g, 16, 0x02, 0);
	tutk_msg(b, 15, 0x02, 1);	/* length field 0 as if 16 bytes */
	pair("tutk 15-byte message", P2PG_R_TUTK, g, 16, b, 15);

	/* Reolink */
	memset(g, 0x33, sizeof(g));
	memcpy(g, "\x3a\xcf\x87\x2a\x28\x00\x00\x00", 8);	/* size 40 */
	memcpy(b, g, sizeof(g));
	pair("reolink discovery size one byte short", P2PG_R_REOLINK, g, 60, b,
	     59);
	memcpy(g, "\x20\xcf\x87\x2a", 4);
	memcpy(b, g, 4);
	pair("reolink ack shorter than its 20-byte header", P2PG_R_REOLINK, g,
	     20, b, 19);
	b[0] = 0x11;
	pair("reolink magic 0x2a87cf11", P2PG_R_REOLINK, g, 28, b, 28);

	/* Dahua */
	memcpy(g, "DHGET /probe/p2psrv HTTP/1.1\r\n\r\n", 32);
	memcpy(b, "DHGETX/probe/p2psrv HTTP/1.1\r\n\r\n", 32);
	pair("dahua DHGET without the space", P2PG_R_DAHUA, g, 32, b, 32);
	pair("dahua DHGET truncated to \"DHGET\"", P2PG_R_DAHUA, g, 32, g, 5);
	memset(g, 0, sizeof(g));
	memcpy(g, "PTCP", 4);
	pair("dahua PTCP shorter than its 24-byte header", P2PG_R_DAHUA, g, 24,
	     g, 23);
	{
		const struct vec_spec *v = vec_find("dahua-inverted-stun");

		memcpy(g, v->payload, v->payload_len);
		memcpy(b, v->payload, v->payload_len);
		pair("dahua inverted stun one byte short", P2PG_R_DAHUA, g,
		     v->payload_len, b, v->payload_len - 1);
	}

	/* Gwell */
	memset(g, 0x55, sizeof(g));
	memcpy(g, "\x7f\x15\x28\x00", 4);
	memcpy(b, g, sizeof(g));
	b[2] = 0x29;
	pair("gwell length field 41 in 40 bytes", P2PG_R_GWELL, g, 40, b, 40);
	b[2] = 0x28;
	b[0] = 0x7d;
	pair("gwell first byte 7d", P2PG_R_GWELL, g, 40, b, 40);
	memcpy(b, "\x7f\x15\x17\x00", 4);
	memcpy(g, "\x7f\x15\x18\x00", 4);
	pair("gwell 23 bytes (header is 24)", P2PG_R_GWELL, g, 24, b, 23);

	/* STUN */
	memset(g, 0, sizeof(g));
	memcpy(g, "\x00\x01\x00\x00\x21\x12\xa4\x42", 8);
	for (i = 8; i < 20; i++)
		g[i] = i * 11;
	memcpy(b, g, 20);
	b[3] = 2;
	pair("stun length 2 (not a multiple of 4)", P2PG_R_STUN, g, 20, b, 22);
	b[3] = 8;
	pair("stun length 8 with 4 attribute bytes", P2PG_R_STUN, g, 20, b, 24);
	memcpy(b, g, 20);
	b[0] = 0x40;
	pair("stun type with top bits 01", P2PG_R_STUN, g, 20, b, 20);
	memcpy(b, g, 20);
	b[7] = 0x43;
	/* Without the cookie, type 0x0003 is no classic (RFC 3489) request. */
	b[1] = 0x03;
	pair("stun cookie 2112a443", P2PG_R_STUN, g, 20, b, 20);
	pair("stun 19 bytes", P2PG_R_STUN, g, 20, g, 19);
}

/* Every positive UDP vector cut below 4 bytes, sent to a neutral port. */
static void test_truncated(void)
{
	const struct vec_spec *v;
	size_t n, i, k, tried = 0;
	int bad = 0;

	v = vec_all(&n);
	for (i = 0; i < n; i++) {
		if (v[i].l4proto != P2PG_IPPROTO_UDP || v[i].flags ||
		    v[i].expect == P2PG_R_NONE ||
		    v[i].expect == P2PG_R_RDV_PORT)
			continue;
		for (k = 0; k < 4 && k < v[i].payload_len; k++) {
			unsigned int r = udp_wan(v[i].payload, k);

			tried++;
			if (r != P2PG_R_NONE) {
				printf("  %s cut to %zu: %s\n", v[i].name, k,
				       rname(r));
				bad = 1;
			}
		}
	}
	check(!bad && tried > 100,
	      "edge truncation: %zu prefixes (< 4 bytes) of UDP positives -> none",
	      tried);
}

static void test_tcp_router_dns_edges(void)
{
	const struct vec_spec *v;
	__u8 b[VEC_PAYLOAD_MAX];
	unsigned int r;
	char *at;

	/* Xiongmai: the key must be quoted; GET is not the cloud's POST. */
	v = vec_find("xiongmai-cfg");
	memcpy(b, v->payload, v->payload_len);
	at = memmem(b, v->payload_len, "\"CfgProtocol\"", 13);
	r = cls(P2PG_IPPROTO_TCP, 8086, P2PG_NET_WAN, b, v->payload_len);
	check(r == P2PG_R_XIONGMAI && at, "edge xiongmai: control -> %s",
	      rname(r));
	if (at) {
		at[12] = ':';
		r = cls(P2PG_IPPROTO_TCP, 8086, P2PG_NET_WAN, b, v->payload_len);
		check(r == P2PG_R_NONE, "edge xiongmai key without closing quote -> %s",
		      rname(r));
		memcpy(b, v->payload, v->payload_len);
		memcpy(b, "GET  ", 5);
		r = cls(P2PG_IPPROTO_TCP, 8086, P2PG_NET_WAN, b, v->payload_len);
		check(r == P2PG_R_NONE, "edge xiongmai JSON in a GET -> %s",
		      rname(r));
		r = cls(P2PG_IPPROTO_TCP, 8086, P2PG_NET_WAN, v->payload,
			at - (char *)b + 10);
		check(r == P2PG_R_NONE, "edge xiongmai cut inside the key -> %s",
		      rname(r));
	}
	/* A clean TCP flow is not re-read. */
	{
		struct p2pg_native_env env = { .policy = &defpol };
		struct p2pg_meta m = {
			.payload_len = v->payload_len, .dport = 8086,
			.l4proto = P2PG_IPPROTO_TCP, .dst_class = P2PG_NET_WAN,
			.flags = P2PG_META_FLOW_CLEAN,
		};

		r = native_classify(&env, &m, v->payload, v->payload_len);
		check(r == P2PG_R_NONE, "edge xiongmai on a flow already judged clean -> %s",
		      rname(r));
		m.flags = 0;
		m.flow_reason = P2PG_R_DAHUA;
		r = native_classify(&env, &m, v->payload, v->payload_len);
		check(r == P2PG_R_DAHUA, "edge flow verdict sticks -> %s",
		      rname(r));
	}

	/* UPnP: only Add* actions open the router. */
	v = vec_find("upnp-add-port-mapping");
	memcpy(b, v->payload, v->payload_len);
	at = memmem(b, v->payload_len, "#AddPortMapping", 15);
	if (at) {
		memcpy(at, "#DelPortMapping", 15);
		r = cls(P2PG_IPPROTO_TCP, 5000, P2PG_NET_LAN, b, v->payload_len);
		check(r == P2PG_R_NONE, "edge upnp #DelPortMapping -> %s",
		      rname(r));
	} else {
		check(0, "edge upnp: no #AddPortMapping in the vector");
	}
	/* SSDP: the ST value decides, not a gateway named elsewhere. */
	{
		static const char m[] =
			"M-SEARCH * HTTP/1.1\r\n"
			"HOST: 239.255.255.250:1900\r\n"
			"ST: ssdp:all\r\n"
			"USER-AGENT: urn:schemas-upnp-org:device:InternetGatewayDevice:1\r\n"
			"\r\n";
		static const char cut[] =
			"M-SEARCH * HTTP/1.1\r\n"
			"ST: urn:schemas-upnp-org:device:InternetGateway";

		r = cls(P2PG_IPPROTO_UDP, 1900, P2PG_NET_LAN, (const __u8 *)m,
			sizeof(m) - 1);
		check(r == P2PG_R_NONE, "edge ssdp IGD only in USER-AGENT -> %s",
		      rname(r));
		r = cls(P2PG_IPPROTO_UDP, 1900, P2PG_NET_LAN, (const __u8 *)cut,
			sizeof(cut) - 1);
		check(r == P2PG_R_NONE, "edge ssdp cut inside the ST value -> %s",
		      rname(r));
		r = cls(P2PG_IPPROTO_UDP, 1901, P2PG_NET_LAN,
			vec_find("ssdp-igd")->payload,
			vec_find("ssdp-igd")->payload_len);
		check(r == P2PG_R_NONE, "edge ssdp IGD search to port 1901 -> %s",
		      rname(r));
	}
	/* NAT-PMP/PCP: requests only, versions 0 and 2. */
	{
		static const __u8 resp[] = { 0x00, 0x81, 0x00, 0x00 };
		static const __u8 v1[] = { 0x01, 0x01, 0x00, 0x00 };

		r = cls(P2PG_IPPROTO_UDP, 5351, P2PG_NET_LAN, resp, 4);
		check(r == P2PG_R_NONE, "edge nat-pmp response (R bit) -> %s",
		      rname(r));
		r = cls(P2PG_IPPROTO_UDP, 5351, P2PG_NET_LAN, v1, 4);
		check(r == P2PG_R_NONE, "edge nat-pmp version 1 -> %s", rname(r));
		r = cls(P2PG_IPPROTO_UDP, 5351, P2PG_NET_LAN, v1 + 1, 1);
		check(r == P2PG_R_NONE, "edge nat-pmp 1-byte packet -> %s",
		      rname(r));
	}
	/* DNS: queries only, whole question needed. */
	v = vec_find("dns-m1-iotcplatform");
	memcpy(b, v->payload, v->payload_len);
	b[2] |= 0x80;			/* QR: a response */
	r = cls(P2PG_IPPROTO_UDP, 53, P2PG_NET_LAN, b, v->payload_len);
	check(r == P2PG_R_NONE, "edge dns response for a denied name -> %s",
	      rname(r));
	memcpy(b, v->payload, v->payload_len);
	b[2] |= 0x28;			/* opcode 5: UPDATE */
	r = cls(P2PG_IPPROTO_UDP, 53, P2PG_NET_LAN, b, v->payload_len);
	check(r == P2PG_R_NONE, "edge dns UPDATE for a denied name -> %s",
	      rname(r));
	memcpy(b, v->payload, v->payload_len);
	b[5] = 0;			/* QDCOUNT 0 */
	r = cls(P2PG_IPPROTO_UDP, 53, P2PG_NET_LAN, b, v->payload_len);
	check(r == P2PG_R_NONE, "edge dns with no question -> %s", rname(r));
	/* Cut before the root label: "m1.iotcplatform.co" + garbage. */
	r = cls(P2PG_IPPROTO_UDP, 53, P2PG_NET_LAN, v->payload, 12 + 19);
	check(r == P2PG_R_NONE, "edge dns question cut before its end -> %s",
	      rname(r));
	r = cls(P2PG_IPPROTO_UDP, 53, P2PG_NET_LAN, v->payload, 12 + 21);
	check(r == P2PG_R_DNS_NAME, "edge dns question whole, no QTYPE -> %s",
	      rname(r));
	r = cls(P2PG_IPPROTO_UDP, 5353, P2PG_NET_LAN, v->payload,
		v->payload_len);
	check(r == P2PG_R_NONE, "edge denied name over mDNS port 5353 -> %s",
	      rname(r));
	/* A fragment is never read as DNS. */
	{
		struct p2pg_native_env env = { .policy = &defpol };
		struct p2pg_meta m = {
			.payload_len = v->payload_len, .dport = 53,
			.l4proto = P2PG_IPPROTO_UDP, .dst_class = P2PG_NET_LAN,
			.flags = P2PG_META_FRAGMENT,
		};

		r = native_classify(&env, &m, v->payload, v->payload_len);
		check(r == P2PG_R_NONE, "edge dns bytes in a fragment -> %s",
		      rname(r));
	}
}

/* The window: payload_len beyond 512 bytes, signature bytes inside. */
static void test_window(void)
{
	const struct vec_spec *v = vec_find("pppp-drw-1200");
	struct p2pg_native_env env = { .policy = &defpol };
	struct p2pg_meta m = {
		.payload_len = v->payload_len, .dport = 47000,
		.l4proto = P2PG_IPPROTO_UDP, .dst_class = P2PG_NET_WAN,
	};
	unsigned int r1, r2;

	r1 = native_classify(&env, &m, v->payload, v->payload_len);
	r2 = native_classify(&env, &m, v->payload, 512);
	check(r1 == P2PG_R_PPPP && r2 == r1,
	      "window: 1200-byte DRW judged on its first 512 bytes (%s, %s)",
	      rname(r1), rname(r2));
	m.payload_len = 1199;
	r1 = native_classify(&env, &m, v->payload, 512);
	check(r1 == P2PG_R_NONE, "window: DRW length field vs payload_len 1199 -> %s",
	      rname(r1));
}

/*
 * TCP streams (vec_streams()): each segment in order on one connection,
 * the switch as the stream says, through the BPF program's stream path
 * natively.  With P2P on at the start, a segment's reason is the same
 * (the switch changes verdicts, not reasons).
 */
static void test_streams(void)
{
	struct p2pg_native_env env = { .policy = &defpol };
	const struct vec_stream *st;
	size_t n, i, k, segs = 0, bad = 0;

	st = vec_streams(&n);
	for (i = 0; i < n; i++) {
		const struct vec_stream *s = &st[i];
		struct p2pg_config cfg = defpol.cfg;
		struct p2pg_flow f;
		struct vec_spec v;

		memset(&f, 0, sizeof(f));
		cfg.p2p_enabled = s->p2p_on;
		for (k = 0; k < s->n_seg; k++) {
			unsigned int got;

			if (s->seg[k].flags & VSEG_SWITCH) {
				cfg.p2p_enabled = 0;
				cfg.generation++;
			}
			vec_stream_seg(s, k, &v);
			got = native_stream(&env, &cfg, &f, &v);
			segs++;
			if (got == s->seg[k].expect)
				continue;
			bad++;
			printf("  %s: segment %zu [%u, +%u): %s, want %s\n",
			       s->name, k, s->seg[k].off, s->seg[k].len,
			       rname(got), rname(s->seg[k].expect));
			break;
		}
	}
	check(!bad && n >= 20, "streams: %zu TCP streams, %zu segments, %zu wrong",
	      n, segs, bad);
}

/*
 * The false-positive figures of signatures.rst for the two checks that
 * read every Internet UDP datagram whatever its port: a strict DNS query
 * (p2pg_dns() with a length) and classic STUN (p2pg_stun3489()).
 * Every vector that is not DNS, sent as Internet UDP to port 4433, and a
 * million random datagrams: how many start like either (the window is
 * read) and how many get a reason from them.
 */
static void test_fp_any_port(void)
{
	const struct vec_spec *vecs;
	size_t n, i, like = 0, hits = 0, rnd_like = 0, rnd_hits = 0;
	size_t ordinary = 0;
	__u8 buf[1400];
	__u32 x = 0x2545f491, r, len, k;

	vecs = vec_all(&n);
	for (i = 0; i < n; i++) {
		const struct vec_spec *v = &vecs[i];
		struct p2pg_meta m = {
			.payload_len = v->payload_len, .dport = 4433,
			.l4proto = P2PG_IPPROTO_UDP, .dst_class = P2PG_NET_WAN,
		};

		/* Not DNS or STUN themselves, only sent where they pass. */
		if (v->expect != P2PG_R_NONE || !v->payload_len ||
		    !strncmp(v->name, "dns-", 4) ||
		    !strncmp(v->name, "stun", 4))
			continue;
		ordinary++;
		like += native_head_wants_window(&m, v->payload,
						 v->payload_len);
		r = udp_wan(v->payload, v->payload_len);
		if (r == P2PG_R_DNS_NAME || r == P2PG_R_STUN ||
		    r == P2PG_R_UNJUDGED) {
			printf("  %s: %s\n", v->name, p2pg_reason_name(r));
			hits++;
		}
	}
	check(!hits && ordinary > 30,
	      "false positives: any-port DNS and classic STUN over the %zu ordinary vectors as Internet UDP: %zu start like them, %zu get a reason",
	      ordinary, like, hits);
	for (k = 0; k < 1000000; k++) {
		struct p2pg_meta m = {
			.dport = 4433, .l4proto = P2PG_IPPROTO_UDP,
			.dst_class = P2PG_NET_WAN,
		};

		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		len = 1 + x % sizeof(buf);
		for (i = 0; i < len; i++) {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			buf[i] = x >> 11;
		}
		m.payload_len = len;
		if (!native_head_wants_window(&m, buf, len))
			continue;	/* then neither check can match */
		rnd_like++;
		r = udp_wan(buf, len);
		rnd_hits += r == P2PG_R_DNS_NAME || r == P2PG_R_STUN ||
			    r == P2PG_R_UNJUDGED;
	}
	check(rnd_hits == 0 && rnd_like < 10,
	      "false positives: 1,000,000 random datagrams: %zu start like a DNS query or classic STUN, %zu get a reason",
	      rnd_like, rnd_hits);
}

static const struct check_test tests[] = {
	CHECK_TEST(pppp_kat),
	CHECK_TEST(tutk_kat),
	CHECK_TEST(frames),
	CHECK_TEST(vectors),
	CHECK_TEST(quiet),
	CHECK_TEST(domain_hash),
	CHECK_TEST(verdict),
	CHECK_TEST(lockdown),
	CHECK_TEST(agent),
	CHECK_TEST(prefixes),
	CHECK_TEST(pppp_edges),
	CHECK_TEST(other_edges),
	CHECK_TEST(truncated),
	CHECK_TEST(tcp_router_dns_edges),
	CHECK_TEST(window),
	CHECK_TEST(streams),
	CHECK_TEST(fp_any_port),
};

int main(int argc, char **argv)
{
	int r;

	check_options(argc, argv, tests, CHECK_COUNT(tests), NULL);
	r = p2pg_policy_init_defaults(&defpol);
	if (r) {
		printf("FAIL policy: p2pg_policy_init_defaults: %s\n",
		       strerror(-r));
		return 1;
	}
	check_run(tests, CHECK_COUNT(tests));
	p2pg_policy_free(&defpol);
	return check_exit();
}
