// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_bpf.c - the real BPF program, run with BPF_PROG_TEST_RUN (nothing
 * attached, no traffic sent):
 *   1. every vector under the default policy: reason and verdict;
 *   2. the same with P2P on, in audit mode (counters) and in lockdown,
 *      and with the old-kernel fallbacks (perf buffer, cookie LRU);
 *   3. differential: the natively compiled classifier and the program agree
 *      on every vector and on >= 100000 mutated packets, under policies
 *      with allow/deny prefixes and agents;
 *   4. `p2pguardctl replay` on captures written here (Ethernet, raw IP,
 *      Linux cooked v1/v2, pcapng) and on broken ones.
 *
 * Usage: test_bpf [SEED [MUTATIONS]]
 * Needs root (or CAP_BPF + CAP_NET_ADMIN); prints SKIP and exits 0 when the
 * kernel cannot load BPF programs at all.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
/* pcap/bpf.h and linux/bpf.h both define struct bpf_insn. */
#define PCAP_DONT_INCLUDE_PCAP_BPF_H
struct bpf_program;
#include <pcap/pcap.h>
#include <pcap/dlt.h>

#include "bpflog.h"
#include "kfeatures.h"
#include "policy.h"
#include "replay.h"
#include "sys.h"
#include "p2pguard.skel.h"
#include "../lib/check.h"
#include "../lib/native_env.h"
#include "../lib/vectors.h"

#define ETH_HDR		14
#define MISMATCH_SHOW	10

static const struct vec_spec *vecs;
static size_t n_vecs;

/* ---- helpers ------------------------------------------------------------ */

static int is_drop_reason(unsigned int reason)
{
	return reason != P2PG_R_NONE && reason != P2PG_R_NOT_IP;
}

static const char *verdict_name(int v)
{
	return v == 1 ? "pass" : v == 0 ? "drop" : "error";
}

static int counters(struct p2pg_runner *r, struct p2pg_counter *c)
{
	return p2pg_counters_read(bpf_map__fd(r->skel->maps.p2pg_counters), c);
}

static void hexdump(const char *indent, const __u8 *b, size_t n, size_t max)
{
	size_t i;

	for (i = 0; i < n && i < max; i++) {
		if (i % 32 == 0)
			printf("%s%s", i ? "\n" : "", indent);
		printf("%02x", b[i]);
	}
	if (n > max)
		printf(" ... (%zu bytes)", n);
	printf("\n");
}

static void addr_str(const struct vec_spec *v, char *buf, size_t len)
{
	inet_ntop(v->family == 6 ? AF_INET6 : AF_INET, v->daddr, buf, len);
}

/* What lockdown does to a vector's default-policy reason. */
static unsigned int lockdown_expect(const struct p2pg_policy *p,
				    const struct vec_spec *v)
{
	if (v->expect != P2PG_R_NONE)
		return v->expect;
	return p2pg_policy_net_class(p, v->family, v->daddr) == P2PG_NET_WAN ?
	       P2PG_R_LOCKDOWN : P2PG_R_NONE;
}

/*
 * The program caches each destination's class per CPU under the config
 * generation (p2pg_dst_class()).  A list change written the normal way,
 * with the caller's generation left as it was, must still retire the
 * cached class: classify to X, deny-list X, classify again.
 */
static void test_dst_cache(struct p2pg_runner *r, const char *addr,
			   const char *cidr)
{
	static const char text[] = "p2pguard destination cache test";
	struct p2pg_config c0, c1;
	struct p2pg_policy p;
	struct vec_spec v;
	__u8 frame[VEC_FRAME_MAX];
	unsigned int got;
	__u32 zero = 0;
	size_t len;
	int i, ok;

	memset(&v, 0, sizeof(v));
	v.name = "dst-cache";
	v.l4proto = IPPROTO_UDP;
	v.sport = 40000;
	v.dport = 5004;
	vec_set_addr(&v, addr);
	memcpy(v.payload, text, sizeof(text) - 1);
	v.payload_len = sizeof(text) - 1;
	len = vec_frame(&v, frame);

	if (!check(!p2pg_policy_init_defaults(&p), "dst cache %s: policy", addr))
		return;
	ok = !p2pg_policy_write_maps(&p, &r->fds);
	/* Twice: the second run is answered from the cache. */
	for (i = 0; ok && i < 2; i++) {
		got = ~0u;
		p2pg_runner_run(r, frame, len, &got);
		ok = check(got == P2PG_R_NONE, "dst cache %s: run %d before the change: %s",
			   addr, i, p2pg_reason_name(got));
	}
	ok = ok && !bpf_map_lookup_elem(r->fds.config, &zero, &c0);
	/* The caller's generation unchanged, as a careless writer would. */
	ok = ok && !p2pg_policy_add_prefix(&p, cidr, P2PG_NET_DENY) &&
	     !p2pg_policy_write_maps(&p, &r->fds) &&
	     !bpf_map_lookup_elem(r->fds.config, &zero, &c1);
	if (ok) {
		check(c1.generation != c0.generation,
		      "dst cache %s: a list write changes the generation (%u -> %u)",
		      addr, c0.generation, c1.generation);
		for (i = 0; i < 2; i++) {
			got = ~0u;
			p2pg_runner_run(r, frame, len, &got);
			check(got == P2PG_R_DENY_PREFIX,
			      "dst cache %s: run %d after deny-listing %s: %s",
			      addr, i, cidr, p2pg_reason_name(got));
		}
	} else {
		check(0, "dst cache %s: set-up", addr);
	}
	p2pg_policy_free(&p);
	/* And back: the default lists again, the same generation asked for. */
	if (!check(!p2pg_policy_init_defaults(&p) &&
		   !p2pg_policy_write_maps(&p, &r->fds),
		   "dst cache %s: default policy again", addr))
		return;
	got = ~0u;
	p2pg_runner_run(r, frame, len, &got);
	check(got == P2PG_R_NONE, "dst cache %s: after the entry is gone: %s",
	      addr, p2pg_reason_name(got));
	p2pg_policy_free(&p);
}

/*
 * One test run of @v's frame; a UDP GSO send with its segment size and
 * count in the skb, as udp_send_skb() sets them.
 */
static int vec_run(struct p2pg_runner *r, const struct vec_spec *v,
		   const __u8 *frame, size_t len, unsigned int *got)
{
	__u32 segs;

	if (!v->gso || v->payload_len <= v->gso)
		return p2pg_runner_run(r, frame, len, got);
	segs = (v->payload_len + v->gso - 1) / v->gso;
	return p2pg_runner_run_gso(r, frame, len, v->gso, segs, got);
}

/* ---- 1 and 2: vectors under the four switches --------------------------- */

enum sw_case { SW_DEFAULT, SW_P2P_ON, SW_AUDIT, SW_LOCKDOWN };

/*
 * Where a kernel will not put p2pguard_full into p2pg_progs (its JIT
 * compiled one program and not the other), p2pguard_full is attached
 * alone (p2pg_skel_entry()): it must judge every vector as the entry
 * does, under the policy the maps hold now.
 */
static void test_full_alone(struct p2pg_runner *r, const char *label)
{
	int entry = r->prog, full = bpf_program__fd(r->skel->progs.p2pguard_full);
	__u8 frame[VEC_FRAME_MAX];
	size_t i, bad = 0;

	for (i = 0; i < n_vecs; i++) {
		const struct vec_spec *v = &vecs[i];
		size_t len = vec_frame(v, frame);
		unsigned int got_e = ~0u, got_f = ~0u;
		int ve, vf;

		r->prog = entry;
		ve = p2pg_runner_run(r, frame, len, &got_e);
		r->prog = full;
		vf = p2pg_runner_run(r, frame, len, &got_f);
		if (ve != vf || got_e != got_f) {
			bad++;
			check(0, "%s: p2pguard_full alone: %s: %s %s, the entry %s %s",
			      label, v->name, verdict_name(vf),
			      p2pg_reason_name(got_f), verdict_name(ve),
			      p2pg_reason_name(got_e));
		}
	}
	r->prog = entry;
	check(!bad && n_vecs, "%s: p2pguard_full alone judges all %zu vectors as the entry does",
	      label, n_vecs);
}

static const char *const sw_names[] = {
	"default", "p2p-on", "audit", "lockdown",
};

static void test_vectors(struct p2pg_runner *r, enum sw_case sw)
{
	struct p2pg_counter before[P2PG_R__COUNT], after[P2PG_R__COUNT];
	__u64 want_pkts[P2PG_R__COUNT] = { 0 }, want_bytes[P2PG_R__COUNT] = { 0 };
	__u64 want_drops[P2PG_R__COUNT] = { 0 };
	struct p2pg_policy p;
	__u8 frame[VEC_FRAME_MAX];
	size_t i, bad = 0, wan_none = 0, lan_none = 0;
	int err, ctr_ok;

	if (p2pg_policy_init_defaults(&p)) {
		check(0, "%s: policy", sw_names[sw]);
		return;
	}
	p.cfg.p2p_enabled = sw == SW_P2P_ON;
	p.cfg.mode = sw == SW_AUDIT ? P2PG_MODE_AUDIT : P2PG_MODE_ENFORCE;
	p.cfg.lockdown = sw == SW_LOCKDOWN;
	err = p2pg_policy_write_maps(&p, &r->fds);
	if (!check(!err, "%s: write the policy maps (%s)", sw_names[sw],
		   strerror(-err)))
		goto out;
	if (!check(!counters(r, before), "%s: read counters", sw_names[sw]))
		goto out;

	for (i = 0; i < n_vecs; i++) {
		const struct vec_spec *v = &vecs[i];
		unsigned int want = v->expect, got = ~0u;
		size_t len = vec_frame(v, frame);
		int want_drop, verdict;

		if (sw == SW_LOCKDOWN) {
			want = lockdown_expect(&p, v);
			if (v->expect == P2PG_R_NONE && want == P2PG_R_LOCKDOWN)
				wan_none++;
			else if (v->expect == P2PG_R_NONE)
				lan_none++;
		}
		want_drop = is_drop_reason(want) && sw != SW_P2P_ON &&
			    sw != SW_AUDIT;
		verdict = vec_run(r, v, frame, len, &got);
		if (verdict == -EINVAL && v->gso) {
			/* Counted as expected below, for the counters. */
			if (sw == SW_DEFAULT)
				check_skip("default: %s: this kernel's test run takes no gso_size",
					   v->name);
			verdict = !want_drop;
			got = want;
			want_pkts[want]--;
			want_bytes[want] -= len - ETH_HDR;
			want_drops[want] -= want_drop;
		}
		want_pkts[want]++;
		want_bytes[want] += len - ETH_HDR;
		if (want_drop) {
			want_drops[want]++;
		}
		if (verdict == !want_drop && got == want) {
			/* Per-vector lines for the default policy only. */
			if (sw == SW_DEFAULT)
				check(1, "default: %s: %s %s", v->name,
				      verdict_name(verdict), p2pg_reason_name(got));
			continue;
		}
		bad++;
		if (verdict < 0)
			check(0, "%s: %s: test run failed: %s", sw_names[sw],
			      v->name, strerror(-verdict));
		else
			check(0, "%s: %s: got %s %s, want %s %s", sw_names[sw],
			      v->name, verdict_name(verdict),
			      p2pg_reason_name(got),
			      want_drop ? "drop" : "pass",
			      p2pg_reason_name(want));
	}
	if (sw != SW_DEFAULT)
		check(!bad, "%s: %zu vectors, %zu wrong", sw_names[sw], n_vecs,
		      bad);
	if (sw == SW_LOCKDOWN)
		check(wan_none && lan_none,
		      "lockdown: exercised by %zu WAN and %zu LAN/loopback vectors that pass by default",
		      wan_none, lan_none);

	/* The counters must have seen exactly these packets. */
	if (!check(!counters(r, after), "%s: read counters", sw_names[sw]))
		goto out;
	ctr_ok = 1;
	for (i = 0; i < P2PG_R__COUNT; i++) {
		__u64 dp = after[i].packets - before[i].packets;
		__u64 db = after[i].bytes - before[i].bytes;
		__u64 dd = after[i].drop_packets - before[i].drop_packets;

		if (dp == want_pkts[i] && db == want_bytes[i] &&
		    dd == want_drops[i])
			continue;
		ctr_ok = 0;
		printf("  %s counter %s: packets +%llu (want %llu), bytes +%llu (want %llu), drops +%llu (want %llu)\n",
		       sw_names[sw], p2pg_reason_name(i),
		       (unsigned long long)dp, (unsigned long long)want_pkts[i],
		       (unsigned long long)db, (unsigned long long)want_bytes[i],
		       (unsigned long long)dd, (unsigned long long)want_drops[i]);
	}
	check(ctr_ok, "%s: counters count every vector under its reason%s",
	      sw_names[sw], sw == SW_AUDIT || sw == SW_P2P_ON ?
	      ", none as dropped" : "");
out:
	p2pg_policy_free(&p);
}

/*
 * The program as loaded on kernels without ring buffer (< 5.8) and socket
 * storage (< 5.2): perf buffer and cookie LRU.  Verified here too, and
 * classifying the same.
 */
static void test_fallbacks(void)
{
	struct p2pg_runner r = { 0 };
	struct p2pg_features f;
	struct p2pg_policy p;
	__u8 frame[VEC_FRAME_MAX];
	size_t i, bad = 0;
	int err;

	memset(&f, 0, sizeof(f));
	r.skel = p2pg_skel_open(&f);
	if (!check(r.skel != NULL, "fallbacks: open the object"))
		return;
	err = p2pguard_bpf__load(r.skel);
	if (!check(!err, "fallbacks: program loads with perf buffer and cookie LRU (%s)",
		   strerror(-err)))
		goto out;
	r.prog = bpf_program__fd(p2pg_skel_entry(r.skel));
	r.fds.config = bpf_map__fd(r.skel->maps.p2pg_config);
	r.fds.prefix4 = bpf_map__fd(r.skel->maps.p2pg_prefix4);
	r.fds.prefix6 = bpf_map__fd(r.skel->maps.p2pg_prefix6);
	r.fds.names = bpf_map__fd(r.skel->maps.p2pg_names);
	r.fds.pppp = bpf_map__fd(r.skel->maps.p2pg_pppp);
	r.fds.agent_cg = bpf_map__fd(r.skel->maps.p2pg_agent_cg);
	r.fds.agent_uid = bpf_map__fd(r.skel->maps.p2pg_agent_uid);
	if (!check(!p2pg_policy_init_defaults(&p) &&
		   !p2pg_policy_write_maps(&p, &r.fds),
		   "fallbacks: default policy written"))
		goto out_policy;
	for (i = 0; i < n_vecs; i++) {
		const struct vec_spec *v = &vecs[i];
		unsigned int got = ~0u, want = v->expect;
		int verdict = vec_run(&r, v, frame, vec_frame(v, frame), &got);

		/* No gso_size knob: a GSO send to the Internet fails closed. */
		if (v->gso && v->payload_len > v->gso &&
		    p2pg_policy_net_class(&p, v->family, v->daddr) ==
		    P2PG_NET_WAN)
			want = P2PG_R_UNJUDGED;
		if (verdict == -EINVAL && v->gso)
			continue;	/* said by test_vectors() */
		if (got == want && verdict == !is_drop_reason(want))
			continue;
		if (bad++ < MISMATCH_SHOW)
			printf("  fallbacks: %s: got %s %s, want %s\n", v->name,
			       verdict_name(verdict), p2pg_reason_name(got),
			       p2pg_reason_name(want));
	}
	check(!bad, "fallbacks: %zu vectors, %zu wrong", n_vecs, bad);
out_policy:
	p2pg_policy_free(&p);
out:
	p2pguard_bpf__destroy(r.skel);
}

/*
 * TCP streams (vec_streams()) through the program: each segment in order
 * on one connection, its reason and verdict as the vector says.
 * BPF_PROG_TEST_RUN gives every run a new socket, so the connection's
 * memory is the cookie LRU's entry of the test key (p2pg_test_flow_key);
 * the stream code is the same as with socket storage, which the live
 * tests run (tests/live/test_tcp_streams.sh).  The native stream path
 * must agree on every segment.
 */
static void test_streams(void)
{
	struct p2pg_runner r = { 0 };
	struct p2pg_native_env env;
	const struct vec_stream *st;
	struct p2pg_features f;
	struct p2pg_policy p;
	struct p2pg_config cfg;
	size_t n, i, k, segs = 0, bad = 0;
	__u32 zero = 0;
	__u64 key = 1;
	int err, lru, cfd;

	memset(&f, 0, sizeof(f));
	f.ringbuf = libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, NULL) == 1;
	r.skel = p2pg_skel_open(&f);
	if (!check(r.skel != NULL, "streams: open the object"))
		return;
	r.skel->rodata->p2pg_test_flow_key = key;
	err = p2pguard_bpf__load(r.skel);
	if (!check(!err, "streams: program loads with the test key (%s)",
		   strerror(-err)))
		goto out;
	r.prog = bpf_program__fd(p2pg_skel_entry(r.skel));
	p2pg_skel_map_fds(r.skel, &r.fds);
	if (!check(!p2pg_policy_init_defaults(&p) &&
		   !p2pg_policy_write_maps(&p, &r.fds),
		   "streams: default policy written"))
		goto out_policy;
	env.policy = &p;
	env.is_agent = 0;
	lru = bpf_map__fd(r.skel->maps.p2pg_flow_lru);
	cfd = bpf_map__fd(r.skel->maps.p2pg_config);
	st = vec_streams(&n);
	for (i = 0; i < n; i++) {
		const struct vec_stream *s = &st[i];
		struct p2pg_flow nf;

		memset(&nf, 0, sizeof(nf));
		bpf_map_delete_elem(lru, &key);
		bpf_map_lookup_elem(cfd, &zero, &cfg);
		cfg.p2p_enabled = s->p2p_on;
		cfg.generation++;
		bpf_map_update_elem(cfd, &zero, &cfg, BPF_ANY);
		for (k = 0; k < s->n_seg; k++) {
			unsigned int want = s->seg[k].expect, got = ~0u, nat;
			__u8 frame[VEC_FRAME_MAX];
			struct vec_spec v;
			int verdict;

			if (s->seg[k].flags & VSEG_SWITCH) {
				cfg.p2p_enabled = 0;
				cfg.generation++;
				bpf_map_update_elem(cfd, &zero, &cfg, BPF_ANY);
			}
			vec_stream_seg(s, k, &v);
			verdict = p2pg_runner_run(&r, frame, vec_frame(&v, frame),
						  &got);
			nat = native_stream(&env, &cfg, &nf, &v);
			segs++;
			if (got == want && nat == want &&
			    verdict == !(is_drop_reason(want) && !cfg.p2p_enabled))
				continue;
			bad++;
			printf("  streams: %s: segment %zu [%u, +%u): %s %s, native %s, want %s\n",
			       s->name, k, s->seg[k].off, s->seg[k].len,
			       verdict_name(verdict), p2pg_reason_name(got),
			       p2pg_reason_name(nat), p2pg_reason_name(want));
			break;
		}
	}
	check(!bad, "streams: %zu TCP streams, %zu segments through the program, %zu wrong",
	      n, segs, bad);
out_policy:
	p2pg_policy_free(&p);
out:
	p2pguard_bpf__destroy(r.skel);
}

/* ---- 3: differential ---------------------------------------------------- */

static __u64 rng_state;

/* splitmix64: small, fast, and the same sequence everywhere for a seed. */
static __u64 rnd(void)
{
	__u64 z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static __u32 rnd_below(__u32 n)
{
	return (__u32)(rnd() % n);
}

static const __u16 interesting_ports[] = {
	53, 1900, 5351, 32100, 32108, 10001, 51701, 8800, 9999, 8086, 3478,
	443, 80, 554, 0, 65535,
};

/*
 * Destinations: each class of both families, and prefixes nested in
 * other prefixes so that the longest match decides.
 */
static const char *const dests[] = {
	"192.0.2.1", "192.0.2.77", "198.51.100.5", "198.51.100.195",
	"198.51.100.201",
	"192.168.1.10", "10.0.0.5", "10.99.1.1", "172.16.5.5",
	"169.254.1.1", "239.255.255.250", "255.255.255.255", "127.0.0.1",
	"2001:db8::1", "2001:db8:a::1", "2001:db8:dead::1", "fe80::1",
	"fd00::1", "ff02::c", "::1",
};

static const __u8 interesting_bytes[] = {
	0x00, 0x01, 0x02, 0x04, 0x06, 0x10, 0x12, 0x20, 0x21, 0x2c, 0x30,
	0x3a, 0x41, 0x7e, 0x7f, 0x80, 0x87, 0x9f, 0xa1, 0xa4, 0xb1, 0xcf,
	0xd0, 0xf1, 0xf2, 0xff, ' ', '#', '"', ':', '\n', '\r',
};

static void put_be16(__u8 *p, __u32 v)
{
	p[0] = v >> 8;
	p[1] = v;
}

/*
 * Mutate one packet.  Length fixes re-aim the length fields of the framing
 * formats at the new length, so that positives survive a length change as
 * often as negatives appear: both sides of every length check get hit.
 */
static void mutate(struct vec_spec *v)
{
	unsigned int k, n = 1 + rnd_below(4);
	size_t len;

	while (n--) {
		switch (rnd_below(12)) {
		case 0:
		case 1:	/* random bytes */
			for (k = 1 + rnd_below(6); k && v->payload_len; k--)
				v->payload[rnd_below(v->payload_len)] = rnd();
			break;
		case 2:	/* interesting bytes near the front */
			len = v->payload_len < 24 ? v->payload_len : 24;
			if (len)
				v->payload[rnd_below(len)] = interesting_bytes[
					rnd_below(sizeof(interesting_bytes))];
			break;
		case 3:	/* truncate */
			v->payload_len = v->payload_len ?
					 rnd_below(v->payload_len + 1) : 0;
			break;
		case 4:	/* extend, often across the window size */
			switch (rnd_below(4)) {
			case 0:
				len = P2PG_WIN_SIZE - 1 + rnd_below(3);
				break;
			case 1:
				len = rnd_below(VEC_PAYLOAD_MAX + 1);
				break;
			default:
				len = v->payload_len + 1 + rnd_below(32);
				break;
			}
			if (len > VEC_PAYLOAD_MAX)
				len = VEC_PAYLOAD_MAX;
			for (k = v->payload_len; k < len; k++)
				/* Random, or a copy of an earlier byte. */
				v->payload[k] = k && !rnd_below(4) ?
						v->payload[rnd_below(k)] : rnd();
			v->payload_len = len;
			break;
		case 5:	/* length fields follow the length */
			len = v->payload_len;
			if (len < 4)
				break;
			switch (rnd_below(4)) {
			case 0:	/* PPPP, iLnk, STUN: BE16 at 2 */
				put_be16(v->payload + 2, len - 4);
				break;
			case 1:
				put_be16(v->payload + 2, len >= 20 ? len - 20 : 0);
				break;
			case 2:	/* Gwell: LE16 total length */
				v->payload[2] = len;
				v->payload[3] = len >> 8;
				break;
			default: /* DNS over TCP: BE16 message length */
				put_be16(v->payload, len - 2);
				break;
			}
			break;
		case 6:
		case 7:	/* destination port */
			v->dport = rnd_below(3) ? interesting_ports[rnd_below(
					sizeof(interesting_ports) /
					sizeof(interesting_ports[0]))] :
				   rnd_below(65536);
			if (!rnd_below(4))
				v->sport = rnd_below(65536);
			break;
		case 8:
		case 9:	/* destination, and with it maybe the family */
			vec_set_addr(v, dests[rnd_below(sizeof(dests) /
							sizeof(dests[0]))]);
			break;
		case 10: /* fragment / IPv6 extension headers */
			v->flags ^= rnd_below(2) ? VEC_FRAGMENT : VEC_IPV6_EXT;
			break;
		default: /* transport */
			switch (rnd_below(8)) {
			case 0:
				v->l4proto = 1;		/* ICMP, no L4 parse */
				break;
			case 1:
			case 2:
			case 3:
				v->l4proto = 6;
				break;
			default:
				v->l4proto = 17;
				break;
			}
			break;
		}
	}
}

struct diff_stats {
	size_t runs, mismatches, errors;
	size_t hits[P2PG_R__COUNT];
};

static void diff_one(struct p2pg_runner *r, const struct p2pg_native_env *env,
		     const struct vec_spec *v, const char *phase,
		     struct diff_stats *st)
{
	const struct p2pg_config *cfg = &env->policy->cfg;
	__u8 frame[VEC_FRAME_MAX];
	unsigned int want, got = ~0u;
	int verdict, want_drop;
	size_t len;
	char dst[INET6_ADDRSTRLEN];

	len = vec_frame(v, frame);
	want = native_classify_vec(env, v);
	verdict = vec_run(r, v, frame, len, &got);
	if (verdict == -EINVAL && v->gso)
		return;	/* said once by test_vectors() */
	st->runs++;
	if (verdict < 0) {
		if (st->errors++ < MISMATCH_SHOW)
			printf("  %s: %s: test run failed: %s\n", phase, v->name,
			       strerror(-verdict));
		return;
	}
	if (want < P2PG_R__COUNT)
		st->hits[want]++;
	want_drop = is_drop_reason(want) && !cfg->p2p_enabled &&
		    cfg->mode == P2PG_MODE_ENFORCE;
	if (got == want && verdict == !want_drop)
		return;
	if (st->mismatches++ >= MISMATCH_SHOW)
		return;
	addr_str(v, dst, sizeof(dst));
	printf("  MISMATCH %s: base %s: native %s, bpf %s %s\n"
	       "    family %d proto %u dst %s sport %u dport %u flags %#x payload_len %zu is_agent %d lockdown %u\n"
	       "    payload:\n",
	       phase, v->name, p2pg_reason_name(want), verdict_name(verdict),
	       p2pg_reason_name(got), v->family, v->l4proto, dst, v->sport,
	       v->dport, v->flags, v->payload_len, env->is_agent,
	       cfg->lockdown);
	hexdump("      ", v->payload, v->payload_len, 128);
	printf("    frame:\n");
	hexdump("      ", frame, len, 160);
}

/* The cgroup of this process: the test run's socket is charged to it. */
static int own_cgroup_id(__u64 *id)
{
	char line[PATH_MAX], path[PATH_MAX];
	FILE *f = fopen("/proc/self/cgroup", "re");
	int found = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "0::", 3)) {
			line[strcspn(line, "\n")] = 0;
			found = 1;
			break;
		}
	}
	fclose(f);
	if (!found)
		return -1;
	/* Relative to the cgroup2 mount: drop the leading '/'. */
	if (p2pg_cgroup_path(line + 4 - (line[3] != '/'), path, sizeof(path)))
		return -1;
	return p2pg_cgroup_id(path, id);
}

static int add_agent_uid(struct p2pg_policy *p, __u32 uid)
{
	__u32 *n = realloc(p->agent_uids, (p->n_agent_uids + 1) * sizeof(*n));

	if (!n)
		return -ENOMEM;
	p->agent_uids = n;
	n[p->n_agent_uids++] = uid;
	return 0;
}

static int add_agent_cgroup(struct p2pg_policy *p, __u64 id)
{
	__u64 *n = realloc(p->agent_cgroups,
			   (p->n_agent_cgroups + 1) * sizeof(*n));

	if (!n)
		return -ENOMEM;
	p->agent_cgroups = n;
	n[p->n_agent_cgroups++] = id;
	return 0;
}

/*
 * Phases of the differential test.  BPF_PROG_TEST_RUN gives the packet a
 * socket of uid 0 charged to this process's cgroup: that is what the
 * native side's is_agent must say.
 */
enum diff_phase {
	PH_EXTRAS,	/* allow/deny prefixes, agents that do not match */
	PH_AGENT_UID,	/* uid 0 is an agent */
	PH_AGENT_CG,	/* this cgroup is an agent */
	PH_LOCKDOWN,
	PH_P2P_ON,	/* lockdown configured but P2P on: no lockdown */
	PH__COUNT
};

static const char *const phase_names[PH__COUNT] = {
	"extras", "agent-uid", "agent-cgroup", "lockdown", "p2p-on",
};

static int diff_policy(struct p2pg_policy *p, enum diff_phase ph, int *agent,
		       __u64 cg)
{
	static const char *const allow[] = {
		"192.0.2.64/26", "198.51.100.200/29", "2001:db8:a::/48",
	};
	/* The vectors' own WAN hosts stay outside the deny prefixes. */
	static const char *const deny[] = {
		"198.51.100.192/26", "10.99.0.0/16", "2001:db8:dead::/48",
	};
	size_t i;
	int err = p2pg_policy_init_defaults(p);

	for (i = 0; !err && i < sizeof(allow) / sizeof(allow[0]); i++)
		err = p2pg_policy_add_prefix(p, allow[i], P2PG_NET_ALLOW);
	for (i = 0; !err && i < sizeof(deny) / sizeof(deny[0]); i++)
		err = p2pg_policy_add_prefix(p, deny[i], P2PG_NET_DENY);
	if (!err)
		err = p2pg_policy_add_domain(p, "rendezvous.example");
	if (!err)
		err = add_agent_uid(p, ph == PH_AGENT_UID ? 0 : 4242);
	if (!err)
		err = add_agent_cgroup(p, ph == PH_AGENT_CG ? cg :
					  0x7fffdeadbeef0001ULL);
	p->cfg.lockdown = ph == PH_LOCKDOWN || ph == PH_P2P_ON;
	p->cfg.p2p_enabled = ph == PH_P2P_ON;
	*agent = ph == PH_AGENT_UID || ph == PH_AGENT_CG;
	return err;
}

static void test_differential(struct p2pg_runner *r, __u64 seed,
			      size_t mutations)
{
	struct native_head_stats head = native_head_stats;
	struct diff_stats st;
	struct vec_spec *v;
	__u64 cg = 0;
	int have_cg = !own_cgroup_id(&cg), ph;
	size_t i, per_phase, total = 0, k;

	v = malloc(sizeof(*v));
	if (!check(v != NULL, "differential: memory"))
		return;
	memset(&st, 0, sizeof(st));
	rng_state = seed;
	printf("differential: seed %llu (rerun: test_bpf %llu %zu)\n",
	       (unsigned long long)seed, (unsigned long long)seed, mutations);
	per_phase = (mutations + PH__COUNT - 1) / PH__COUNT;
	for (ph = 0; ph < PH__COUNT; ph++) {
		struct p2pg_native_env env;
		struct p2pg_policy p;
		size_t before = st.mismatches, runs = st.runs;
		int agent, err;

		if (ph == PH_AGENT_CG && !have_cg) {
			check_skip("differential agent-cgroup: cannot find this process's cgroup id");
			continue;
		}
		err = diff_policy(&p, ph, &agent, cg);
		if (!err)
			err = p2pg_policy_write_maps(&p, &r->fds);
		if (!check(!err, "differential %s: policy (%s)",
			   phase_names[ph], strerror(-err))) {
			p2pg_policy_free(&p);
			continue;
		}
		env.policy = &p;
		env.is_agent = agent;
		for (i = 0; i < n_vecs; i++)
			diff_one(r, &env, &vecs[i], phase_names[ph], &st);
		for (k = 0; k < per_phase; k++) {
			/* Mostly mutated vectors, some pure noise. */
			*v = vecs[rnd_below(n_vecs)];
			if (!rnd_below(16)) {
				v->payload_len = rnd_below(VEC_PAYLOAD_MAX + 1);
				for (i = 0; i < v->payload_len; i++)
					v->payload[i] = rnd();
			}
			mutate(v);
			diff_one(r, &env, v, phase_names[ph], &st);
		}
		total += per_phase;
		printf("  phase %s: %zu packets, %zu mismatches\n",
		       phase_names[ph], st.runs - runs, st.mismatches - before);
		p2pg_policy_free(&p);
	}
	printf("  reasons seen:");
	for (i = 0; i < P2PG_R__COUNT; i++)
		if (st.hits[i])
			printf(" %s=%zu", p2pg_reason_name(i), st.hits[i]);
	printf("\n");
	check(st.runs >= n_vecs + total && total >= mutations && !st.errors,
	      "differential: %zu packets run (%zu vectors x phases + %zu mutated), %zu test-run errors",
	      st.runs, n_vecs, total, st.errors);
	check(!st.mismatches,
	      "differential: native classifier and BPF program agree (%zu mismatches, seed %llu)",
	      st.mismatches, (unsigned long long)seed);
	/*
	 * The program judges most packets from the payload's head alone:
	 * natively, on the same packets, that must give the window's reason,
	 * P2P reasons included.
	 */
	head.decided = native_head_stats.decided - head.decided;
	head.hits = native_head_stats.hits - head.hits;
	head.mismatches = native_head_stats.mismatches - head.mismatches;
	check(!head.mismatches && head.hits > 1000 &&
	      head.decided > st.runs / 2,
	      "differential: p2pg_classify_head() agrees with p2pg_classify() on the %zu packets it decides (%zu not none, %zu mismatches, seed %llu)",
	      head.decided, head.hits, head.mismatches,
	      (unsigned long long)seed);
	free(v);
}

/* ---- 4: replay ---------------------------------------------------------- */

static char tmpdir[] = "/tmp/p2pg-test-bpf.XXXXXX";
static char ctl[PATH_MAX];

/* build/p2pguardctl, next to build/tests/test_bpf. */
static int find_ctl(void)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	char *slash;

	if (n < 0)
		return -1;
	self[n] = 0;
	slash = strrchr(self, '/');
	if (!slash)
		return -1;
	*slash = 0;
	snprintf(ctl, sizeof(ctl), "%s/../p2pguardctl", self);
	return access(ctl, X_OK);
}

static void tmp_path(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", tmpdir, name);
}

/* Expected result of one packet of a capture. */
struct want {
	const char *name;
	unsigned int reason;
	int drop;
	int vec;		/* index into vecs, or -1 */
};

struct run_result {
	int status;		/* from waitpid */
	size_t lines, bad;
	char err[1024];		/* stderr */
};

static const char *json_field(const char *line, const char *key)
{
	char pat[64];
	const char *p;

	snprintf(pat, sizeof(pat), "\"%s\":", key);
	p = strstr(line, pat);
	return p ? p + strlen(pat) : NULL;
}

static int json_string(const char *line, const char *key, char *out,
		       size_t len)
{
	const char *p = json_field(line, key);
	size_t n;

	if (!p || *p != '"')
		return -1;
	p++;
	n = strcspn(p, "\"");
	if (n >= len || p[n] != '"')
		return -1;
	memcpy(out, p, n);
	out[n] = 0;
	return 0;
}

/*
 * Run `p2pguardctl replay ARGS FILE`; with @want, check every output line
 * against it (JSON or text).
 */
static void run_replay(const char *args, const char *file, int json,
		       const struct want *want, size_t n_want,
		       struct run_result *res, const char *label)
{
	char cmd[PATH_MAX * 3 + 128], errfile[PATH_MAX], line[1024];
	FILE *f;
	size_t n;

	memset(res, 0, sizeof(*res));
	tmp_path(errfile, sizeof(errfile), "stderr.txt");
	snprintf(cmd, sizeof(cmd), "'%s' replay %s%s '%s' 2>'%s'", ctl,
		 json ? "--json " : "", args, file, errfile);
	f = popen(cmd, "r");
	if (!f) {
		res->status = -1;
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		char verdict[16] = "", reason[64] = "";
		unsigned long pkt = 0;
		const char *p;
		int ok;

		res->lines++;
		if (!want)
			continue;
		if (json) {
			p = json_field(line, "packet");
			ok = p && sscanf(p, "%lu", &pkt) == 1 &&
			     !json_string(line, "verdict", verdict,
					  sizeof(verdict)) &&
			     !json_string(line, "reason", reason,
					  sizeof(reason));
		} else {
			ok = sscanf(line, "%lu %15s %63s", &pkt, verdict,
				    reason) == 3;
		}
		if (ok && pkt == res->lines && pkt <= n_want &&
		    !strcmp(verdict, want[pkt - 1].drop ? "drop" : "pass") &&
		    p2pg_reason_from_name(reason) == (int)want[pkt - 1].reason)
			continue;
		if (res->bad++ < MISMATCH_SHOW) {
			const struct want *w = res->lines <= n_want ?
					       &want[res->lines - 1] : NULL;

			line[strcspn(line, "\n")] = 0;
			printf("  %s: line %zu '%s', want %s %s (%s)\n", label,
			       res->lines, line,
			       w ? (w->drop ? "drop" : "pass") : "-",
			       w ? p2pg_reason_name(w->reason) : "-",
			       w ? w->name : "extra line");
		}
	}
	res->status = pclose(f);
	f = fopen(errfile, "re");
	if (f) {
		n = fread(res->err, 1, sizeof(res->err) - 1, f);
		res->err[n] = 0;
		res->err[strcspn(res->err, "\n")] = 0;
		fclose(f);
	}
	unlink(errfile);
}

static int exited_with(const struct run_result *res, int code)
{
	return res->status != -1 && WIFEXITED(res->status) &&
	       WEXITSTATUS(res->status) == code;
}

static const char *status_str(const struct run_result *res, char *buf,
			      size_t len)
{
	if (res->status == -1)
		snprintf(buf, len, "could not run");
	else if (WIFSIGNALED(res->status))
		snprintf(buf, len, "killed by signal %d", WTERMSIG(res->status));
	else
		snprintf(buf, len, "exit %d", WEXITSTATUS(res->status));
	return buf;
}

/* Link-layer headers put in front of the IP packet for each DLT. */
static size_t l2_header(int dlt, __u16 proto, __u8 *h)
{
	switch (dlt) {
	case DLT_LINUX_SLL:
		memset(h, 0, 16);
		put_be16(h, 4);		/* sent by us */
		put_be16(h + 2, 1);	/* ARPHRD_ETHER */
		put_be16(h + 4, 6);
		memcpy(h + 6, "\x02\x00\x00\x00\x00\x01", 6);
		put_be16(h + 14, proto);
		return 16;
	case DLT_LINUX_SLL2:
		memset(h, 0, 20);
		put_be16(h, proto);
		h[7] = 2;		/* ifindex */
		put_be16(h + 8, 1);	/* ARPHRD_ETHER */
		h[10] = 4;		/* outgoing */
		h[11] = 6;
		memcpy(h + 12, "\x02\x00\x00\x00\x00\x01", 6);
		return 20;
	}
	return 0;
}

/*
 * Write the vectors as a capture of @dlt, plus for Ethernet an ARP frame
 * and a VLAN-tagged copy of the first dropping vector.  Fills @want.
 */
static int write_capture(const char *path, int dlt, struct want *want,
			 size_t *n_want)
{
	__u8 frame[VEC_FRAME_MAX], pkt[VEC_FRAME_MAX + 32];
	struct pcap_pkthdr h;
	pcap_dumper_t *d;
	pcap_t *p;
	size_t i, len, n = 0;
	int tagged = 0;

	p = pcap_open_dead(dlt, 65535);
	if (!p)
		return -1;
	d = pcap_dump_open(p, path);
	if (!d) {
		printf("  pcap_dump_open %s: %s\n", path, pcap_geterr(p));
		pcap_close(p);
		return -1;
	}
	memset(&h, 0, sizeof(h));
	for (i = 0; i < n_vecs; i++) {
		const struct vec_spec *v = &vecs[i];
		__u16 proto;

		/* A capture holds the segments of a GSO send, not the send. */
		if (v->gso)
			continue;
		len = vec_frame(v, frame);
		proto = frame[12] << 8 | frame[13];
		if (dlt == DLT_EN10MB) {
			memcpy(pkt, frame, len);
		} else {
			size_t hl = l2_header(dlt, proto, pkt);

			memcpy(pkt + hl, frame + ETH_HDR, len - ETH_HDR);
			len = len - ETH_HDR + hl;
		}
		h.ts.tv_sec = 1700000000 + n;
		h.caplen = h.len = len;
		pcap_dump((u_char *)d, &h, pkt);
		want[n].name = v->name;
		want[n].reason = v->expect;
		want[n].vec = i;
		want[n++].drop = is_drop_reason(v->expect);

		if (dlt == DLT_EN10MB && !tagged && is_drop_reason(v->expect)) {
			/* 802.1Q tag, VID 5, inserted after the MACs. */
			memcpy(pkt, frame, 12);
			memcpy(pkt + 12, "\x81\x00\x00\x05", 4);
			memcpy(pkt + 16, frame + 12, len - 12);
			h.caplen = h.len = len + 4;
			pcap_dump((u_char *)d, &h, pkt);
			want[n].name = "vlan-tagged copy";
			want[n].vec = i;
			want[n].reason = v->expect;
			want[n++].drop = 1;
			tagged = 1;
		}
	}
	if (dlt == DLT_EN10MB) {
		/* ARP request: not IP, passed without running the program. */
		memset(pkt, 0, 42);
		memset(pkt, 0xff, 6);
		memcpy(pkt + 6, "\x02\x00\x00\x00\x00\x01\x08\x06", 8);
		h.caplen = h.len = 42;
		pcap_dump((u_char *)d, &h, pkt);
		want[n].name = "arp";
		want[n].vec = -1;
		want[n].reason = P2PG_R_NOT_IP;
		want[n++].drop = 0;
	}
	pcap_dump_close(d);
	pcap_close(p);
	*n_want = n;
	return 0;
}

/* pcapng (SHB, IDB, EPBs) by hand: libpcap reads it but cannot write it. */
static int write_pcapng(const char *path, struct want *want, size_t *n_want)
{
	__u8 frame[VEC_FRAME_MAX], blk[VEC_FRAME_MAX + 64];
	FILE *f = fopen(path, "we");
	size_t i, len, n = 0;
	__u32 w[8];

	if (!f)
		return -1;
	/* Section header: type, length, byte-order magic, version 1.0. */
	w[0] = 0x0a0d0d0a; w[1] = 28; w[2] = 0x1a2b3c4d; w[3] = 0x00000001;
	w[4] = 0xffffffff; w[5] = 0xffffffff; w[6] = 28;
	fwrite(w, 4, 7, f);
	/* Interface description: Ethernet, no snaplen limit. */
	w[0] = 1; w[1] = 20; w[2] = 1; w[3] = 0; w[4] = 20;
	fwrite(w, 4, 5, f);
	for (i = 0; i < n_vecs; i++) {
		__u32 total, pad;

		if (vecs[i].gso)
			continue;	/* as in the pcap files */
		len = vec_frame(&vecs[i], frame);
		pad = (4 - len % 4) % 4;
		total = 32 + len + pad;
		w[0] = 6; w[1] = total; w[2] = 0; w[3] = 0; w[4] = (__u32)i;
		w[5] = len; w[6] = len;
		memcpy(blk, w, 28);
		memcpy(blk + 28, frame, len);
		memset(blk + 28 + len, 0, pad);
		memcpy(blk + 28 + len + pad, &total, 4);
		fwrite(blk, 1, total, f);
		want[n].name = vecs[i].name;
		want[n].vec = i;
		want[n].reason = vecs[i].expect;
		want[n++].drop = is_drop_reason(vecs[i].expect);
	}
	*n_want = n;
	return fclose(f);
}

static long file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) ? -1 : (long)st.st_size;
}

static void expect_failure(const char *label, const char *file,
			   const char *must_mention)
{
	struct run_result res;
	char s[64];

	run_replay("", file, 1, NULL, 0, &res, label);
	check(exited_with(&res, 1) && res.err[0] &&
	      (!must_mention || strstr(res.err, must_mention)),
	      "replay %s: %s, stderr '%s'", label,
	      status_str(&res, s, sizeof(s)), res.err);
}

static void test_replay(void)
{
	static const struct {
		int dlt;
		const char *name;
	} dlts[] = {
		{ DLT_EN10MB, "ethernet.pcap" },
		{ DLT_RAW, "raw.pcap" },
		{ DLT_LINUX_SLL, "sll.pcap" },
		{ DLT_LINUX_SLL2, "sll2.pcap" },
	};
	struct want *want, *alt;
	struct run_result res;
	struct p2pg_policy p;
	char path[PATH_MAX], bad[PATH_MAX], s[64];
	size_t n = 0, i, k;
	long size;
	FILE *f;

	if (!mkdtemp(tmpdir)) {
		check(0, "replay: mkdtemp: %s", strerror(errno));
		return;
	}
	want = calloc(n_vecs + 8, sizeof(*want));
	alt = calloc(n_vecs + 8, sizeof(*alt));
	if (!check(want && alt && !p2pg_policy_init_defaults(&p),
		   "replay: memory"))
		goto out;

	for (k = 0; k < sizeof(dlts) / sizeof(dlts[0]); k++) {
		tmp_path(path, sizeof(path), dlts[k].name);
		if (!check(!write_capture(path, dlts[k].dlt, want, &n),
			   "replay: write %s", dlts[k].name))
			continue;
		run_replay("", path, 1, want, n, &res, dlts[k].name);
		check(exited_with(&res, 0) && res.lines == n && !res.bad,
		      "replay --json %s: %zu of %zu packets as expected, %s%s%s",
		      dlts[k].name, res.lines - res.bad, n,
		      status_str(&res, s, sizeof(s)), res.err[0] ? ", stderr: " : "",
		      res.err);
		if (dlts[k].dlt != DLT_EN10MB) {
			unlink(path);
			continue;
		}
		/* Text output, and the switches, on the Ethernet capture. */
		run_replay("", path, 0, want, n, &res, "text");
		check(exited_with(&res, 0) && res.lines == n && !res.bad,
		      "replay (text) %s: %zu of %zu lines as expected, %s",
		      dlts[k].name, res.lines - res.bad, n,
		      status_str(&res, s, sizeof(s)));
		for (i = 0; i < n; i++) {
			alt[i] = want[i];
			alt[i].drop = 0;
		}
		run_replay("--p2p on", path, 1, alt, n, &res, "p2p-on");
		check(exited_with(&res, 0) && res.lines == n && !res.bad,
		      "replay --p2p on: every packet passes with its reason (%zu wrong), %s",
		      res.bad, status_str(&res, s, sizeof(s)));
		run_replay("--mode audit", path, 1, alt, n, &res, "audit");
		check(exited_with(&res, 0) && res.lines == n && !res.bad,
		      "replay --mode audit: every packet passes with its reason (%zu wrong), %s",
		      res.bad, status_str(&res, s, sizeof(s)));
		for (i = 0; i < n; i++) {
			alt[i] = want[i];
			if (want[i].vec < 0)
				continue;
			alt[i].reason = lockdown_expect(&p, &vecs[want[i].vec]);
			alt[i].drop = is_drop_reason(alt[i].reason);
		}
		run_replay("--lockdown", path, 1, alt, n, &res, "lockdown");
		check(exited_with(&res, 0) && res.lines == n && !res.bad,
		      "replay --lockdown: WAN packets that pass by default drop (%zu wrong), %s",
		      res.bad, status_str(&res, s, sizeof(s)));

		/* Broken: cut in the middle of the last packet. */
		size = file_size(path);
		tmp_path(bad, sizeof(bad), "truncated.pcap");
		f = fopen(bad, "we");
		if (f && size > 100) {
			FILE *in = fopen(path, "re");
			char *buf = malloc(size);
			size_t got = in && buf ? fread(buf, 1, size, in) : 0;

			fwrite(buf, 1, got - 20, f);
			free(buf);
			if (in)
				fclose(in);
		}
		if (f)
			fclose(f);
		run_replay("", bad, 1, want, n, &res, "truncated");
		check(exited_with(&res, 1) && strstr(res.err, "packet") &&
		      res.lines == n - 1 && res.bad == 0,
		      "replay truncated capture: %zu packets before the cut, %s, stderr '%s'",
		      res.lines, status_str(&res, s, sizeof(s)), res.err);
		unlink(bad);
		unlink(path);
	}

	tmp_path(path, sizeof(path), "capture.pcapng");
	if (check(!write_pcapng(path, want, &n), "replay: write pcapng")) {
		run_replay("", path, 1, want, n, &res, "pcapng");
		check(exited_with(&res, 0) && res.lines == n && !res.bad,
		      "replay --json capture.pcapng: %zu of %zu packets as expected, %s%s%s",
		      res.lines - res.bad, n, status_str(&res, s, sizeof(s)),
		      res.err[0] ? ", stderr: " : "", res.err);
	}
	unlink(path);

	/*
	 * A jumbo frame between two ordinary ones: more than a test run takes
	 * (about a page) on current kernels.  Either it is reported by
	 * number and skipped, or, should a kernel take it, run.
	 */
	tmp_path(path, sizeof(path), "jumbo.pcap");
	{
		pcap_t *pd = pcap_open_dead(DLT_EN10MB, 65535);
		pcap_dumper_t *d = pd ? pcap_dump_open(pd, path) : NULL;
		static __u8 jumbo[9014];
		struct pcap_pkthdr h;
		size_t len = vec_frame(&vecs[0], jumbo);

		memset(&h, 0, sizeof(h));
		if (d) {
			h.caplen = h.len = len;
			pcap_dump((u_char *)d, &h, jumbo);
			h.caplen = h.len = sizeof(jumbo);
			pcap_dump((u_char *)d, &h, jumbo);
			h.caplen = h.len = len;
			pcap_dump((u_char *)d, &h, jumbo);
			pcap_dump_close(d);
		}
		if (pd)
			pcap_close(pd);
	}
	run_replay("", path, 1, NULL, 0, &res, "jumbo");
	check((exited_with(&res, 1) && res.lines == 2 &&
	       strstr(res.err, "packet 2")) ||
	      (exited_with(&res, 0) && res.lines == 3),
	      "replay jumbo frame: %zu lines, %s, stderr '%s'", res.lines,
	      status_str(&res, s, sizeof(s)), res.err);
	unlink(path);

	/* Unknown link type: DLT_USER0 (147). */
	tmp_path(path, sizeof(path), "user0.pcap");
	{
		pcap_t *pd = pcap_open_dead(147, 65535);
		pcap_dumper_t *d = pd ? pcap_dump_open(pd, path) : NULL;
		struct pcap_pkthdr h = { .caplen = 4, .len = 4 };

		if (d) {
			pcap_dump((u_char *)d, &h, (const u_char *)"\xf1\0\0\0");
			pcap_dump_close(d);
		}
		if (pd)
			pcap_close(pd);
	}
	expect_failure("unknown link type 147", path, "147");
	unlink(path);

	tmp_path(path, sizeof(path), "notes.txt");
	f = fopen(path, "we");
	if (f) {
		fputs("this is not a capture, just some text long enough\n", f);
		fclose(f);
	}
	expect_failure("not a capture", path, path);
	unlink(path);

	tmp_path(path, sizeof(path), "empty.pcap");
	f = fopen(path, "we");
	if (f)
		fclose(f);
	expect_failure("empty file", path, NULL);
	unlink(path);

	tmp_path(path, sizeof(path), "missing.pcap");
	expect_failure("missing file", path, NULL);

	run_replay("--mode bogus", "x", 1, NULL, 0, &res, "usage");
	check(exited_with(&res, 2) && res.err[0],
	      "replay usage error: %s", status_str(&res, s, sizeof(s)));
out:
	p2pg_policy_free(&p);
	free(want);
	free(alt);
	if (rmdir(tmpdir))
		check(0, "replay: temporary directory %s not empty: %s",
		      tmpdir, strerror(errno));
}

/* ---- main --------------------------------------------------------------- */

int main(int argc, char **argv)
{
	__u64 seed = argc > 1 ? strtoull(argv[1], NULL, 0) :
		     (__u64)time(NULL) ^ ((__u64)getpid() << 32);
	size_t mutations = argc > 2 ? strtoul(argv[2], NULL, 0) : 100000;
	struct p2pg_runner r;
	struct p2pg_policy p;
	int fd, err;

	p2pg_bpflog_setup(LIBBPF_WARN, NULL);
	vecs = vec_all(&n_vecs);
	if (!check(n_vecs > 0, "vectors: %zu", n_vecs))
		return check_exit();

	if (p2pg_policy_init_defaults(&p)) {
		check(0, "default policy");
		return check_exit();
	}
	err = p2pg_runner_open(&r, &p);
	p2pg_policy_free(&p);
	if (err) {
		/* Not loadable at all is a skip; ours alone failing is a bug. */
		fd = p2pg_load_trivial();
		if (fd < 0) {
			check_skip("test_bpf: the kernel loads no cgroup_skb program here (%s%s); run as root on a kernel with BPF",
				   strerror(errno),
				   geteuid() ? ", not root" : "");
			return check_exit();
		}
		close(fd);
		check(0, "test_bpf: the kernel loads cgroup_skb programs but not p2pguard's: %s",
		      strerror(-err));
		return check_exit();
	}
	printf("test_bpf: %zu vectors\n", n_vecs);

	test_vectors(&r, SW_DEFAULT);
	test_full_alone(&r, sw_names[SW_DEFAULT]);
	test_vectors(&r, SW_P2P_ON);
	test_vectors(&r, SW_AUDIT);
	test_vectors(&r, SW_LOCKDOWN);
	test_full_alone(&r, sw_names[SW_LOCKDOWN]);
	test_dst_cache(&r, "198.51.100.77", "198.51.100.64/26");
	test_dst_cache(&r, "2001:db8::77", "2001:db8::/64");
	test_fallbacks();
	test_streams();
	test_differential(&r, seed, mutations);
	p2pg_runner_close(&r);

	if (find_ctl())
		check(0, "replay: %s not found: make build/p2pguardctl", ctl);
	else
		test_replay();
	return check_exit();
}
