// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * p2pguard.bpf.c - cgroup_skb/egress program that makes the camera's
 * "P2P off" switch true.
 *
 * This file only finds the bytes: it parses IPv4/IPv6 and UDP/TCP, looks
 * the destination up in the prefix tries, copies the payload window and
 * hands everything to p2pg_classify() (p2pguard_classify.h), the one
 * implementation of the policy.  Then it counts, reports and decides.
 *
 * UAPI headers, not vmlinux.h: vendor camera kernels rarely carry BTF.
 */
#include <linux/bpf.h>		/* before bpf_helpers.h, which needs it */
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "p2pguard_abi.h"

/**
 * struct p2pg_bpf_env - the program as the shared code's host (P2PG_ENV:
 * p2pguard_classify.h says how a host plugs in).
 * @skb:   the packet, for p2pg_env_load() (the parser's reads).
 * @level: the nesting level, which names the window.
 *
 * The agent verdict is not here: the program looks agents up before the
 * classifier runs and hands it over as P2PG_META_AGENT (p2pg_agent()).
 */
struct p2pg_bpf_env {
	struct __sk_buff *skb;
	__u32 level;
};

/* Verifier hint (see p2pguard_classify.h): launder through map memory. */
static __always_inline __u32 p2pg_bpf_forget(const struct p2pg_win *w, __u32 x)
{
	volatile __u32 *slot = (volatile __u32 *)&((struct p2pg_win *)w)->forget;

	*slot = x;
	return *slot;
}

#define P2PG_FORGET(w, x) p2pg_bpf_forget((w), (x))

/*
 * @x, with what the verifier knew about it forgotten, for two ALU
 * instructions and no memory: it does not see that (x ^ u) ^ u is x when
 * @u is unknown to it, and the asm hides the identity from clang.
 */
static __always_inline __u64 p2pg_blur(__u64 x, __u64 u)
{
	asm volatile("%0 ^= %1; %0 ^= %1" : "+r"(x) : "r"(u));
	return x;
}
#define P2PG_ENV struct p2pg_bpf_env
#include "p2pguard_classify.h"

/* Offsets beyond this go through the helper (a bound for the verifier). */
#define P2PG_DIRECT_MAX	4096

#define SK_DROP	0
#define SK_PASS	1

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/*
 * Set by the loader before load from its kernel probes; the verifier
 * prunes the branch not taken, so an old kernel never sees the helper it
 * lacks.
 */
const volatile __u32 p2pg_use_ringbuf = 1;	/* else perf buffer (< 5.8) */
const volatile __u32 p2pg_use_sk_storage = 1;	/* else cookie LRU (< 5.2) */
/*
 * Tests only: with the cookie LRU, every packet's connection memory is the
 * entry of this key instead of the socket's cookie.  BPF_PROG_TEST_RUN
 * gives each run a new socket, so a stream of segments can only be tested
 * through it (tests/bpf/test_bpf.c).  0, the loader's value, prunes it.
 */
const volatile __u64 p2pg_test_flow_key = 0;
/* skb->gso_size (5.7); else a UDP GSO send is unjudgeable (signatures.rst). */
const volatile __u32 p2pg_use_gso_size = 1;
/*
 * Word loads straight from packet data (p2pg_probe_packet_words()).  Where
 * the CPU lacks efficient unaligned access (MIPS), the verifier refuses a
 * word at the IP header, which sits 2 bytes off alignment (NET_IP_ALIGN):
 * the helper copies instead, and the quick run is skipped.
 */
const volatile __u32 p2pg_use_packet_words = 1;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct p2pg_config);
} p2pg_config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, P2PG_PREFIX_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct p2pg_lpm4);
	__type(value, struct p2pg_prefix_val);
} p2pg_prefix4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, P2PG_PREFIX_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct p2pg_lpm6);
	__type(value, struct p2pg_prefix_val);
} p2pg_prefix6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, P2PG_NAMES_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u64);
	__type(value, struct p2pg_name_val);
} p2pg_names SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, P2PG_PPPP_SLOTS);
	__type(key, __u32);
	__type(value, struct p2pg_pppp_key);
} p2pg_pppp SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, P2PG_AGENTS_MAX);
	__type(key, __u64);
	__type(value, __u32);
} p2pg_agent_cg SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, P2PG_AGENTS_MAX);
	__type(key, __u32);
	__type(value, __u32);
} p2pg_agent_uid SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, P2PG_R__COUNT);
	__type(key, __u32);
	__type(value, struct p2pg_counter);
} p2pg_counters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 * 1024);
} p2pg_events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} p2pg_perf_ev SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, P2PG_EVENT_LIMIT_MAX);
	__type(key, struct p2pg_ev_key);
	__type(value, __u64);
} p2pg_ev_limit SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct p2pg_flow);
} p2pg_flows SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, P2PG_FLOWS_MAX);
	__type(key, __u64);
	__type(value, struct p2pg_flow);
} p2pg_flow_lru SEC(".maps");

/* An all-zero struct p2pg_flow, never written: the LRU's new entries. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct p2pg_flow);
} p2pg_flow_zero SEC(".maps");

/*
 * The payload window: too big for the 512-byte BPF stack.  One per nesting
 * level (P2PG_NEST_MAX, p2pg_hand_on()).
 *
 * With the window, a TCP segment's stream plan and segment facts: off the
 * stack, whose 512 bytes the chain of calls uses up (internals.rst).
 */
struct p2pg_scratch {
	struct p2pg_win w;
	struct p2pg_plan pl;
	struct p2pg_seg seg;
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, P2PG_NEST_MAX);
	__type(key, __u32);
	__type(value, struct p2pg_scratch);
} p2pg_scratch SEC(".maps");

/* Who holds each nesting level (struct p2pg_levels, p2pg_level_claim()). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct p2pg_levels);
} p2pg_levels SEC(".maps");

/* Destination classes, per CPU (struct p2pg_dcache, p2pg_dst_class()). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, P2PG_DCACHE_SLOTS);
	__type(key, __u32);
	__type(value, struct p2pg_dcache);
} p2pg_dcache SEC(".maps");

/* ---- the environment p2pg_classify() calls back into -------------------- */

static __always_inline int p2pg_env_name_denied(struct p2pg_bpf_env *env,
						__u64 hash)
{
	struct p2pg_name_val *v = bpf_map_lookup_elem(&p2pg_names, &hash);

	return v && v->deny;
}

static __always_inline const struct p2pg_pppp_key *
p2pg_env_pppp_key(struct p2pg_bpf_env *env, __u32 first_byte)
{
	__u32 k = first_byte & 0xff;

	return bpf_map_lookup_elem(&p2pg_pppp, &k);
}

/* The key map's valid bits, kept in the switch by the loader. */
static __always_inline int p2pg_env_pppp_first(struct p2pg_bpf_env *env,
					       const struct p2pg_config *cfg,
					       __u32 first_byte)
{
	return cfg->pppp_first[(first_byte & 0xff) >> 3] >>
	       (first_byte & 7) & 1;
}

/*
 * Is the sending socket an agent's (P2PG_META_AGENT)?  Looked up only when
 * agent maps hold entries (cfg->agents), so the common case costs nothing.
 */
static __always_inline __u32 p2pg_agent(struct __sk_buff *skb,
					const struct p2pg_config *cfg)
{
	if (cfg->agents & P2PG_AGENTS_CGROUP) {
		__u64 cg = bpf_skb_cgroup_id(skb);

		if (bpf_map_lookup_elem(&p2pg_agent_cg, &cg))
			return 1;
	}
	if (cfg->agents & P2PG_AGENTS_UID) {
		__u32 uid = bpf_get_socket_uid(skb);

		if (bpf_map_lookup_elem(&p2pg_agent_uid, &uid))
			return 1;
	}
	return 0;
}

/* ---- packet parsing ----------------------------------------------------- */

/*
 * Copy @len bytes (a constant, a multiple of 4) at offset @off of the
 * packet to @to straight from the linear data, by direct packet access
 * (which cgroup_skb programs have had since 4.20, when loaded with
 * CAP_SYS_ADMIN or CAP_BPF).  Headers sit at 4-byte aligned offsets, so
 * do the loads.
 * Return: 0, or -1 when the bytes are not all in the linear data.
 */
static __always_inline int p2pg_load_direct(struct __sk_buff *skb, __u32 off,
					    void *to, __u32 len)
{
	void *data = (void *)(long)skb->data;
	void *end = (void *)(long)skb->data_end;
	__u32 k;

	if (off >= P2PG_DIRECT_MAX)
		return -1;
	/*
	 * The bound again, on the very register added to the packet pointer:
	 * clang may test a copy, and verifiers before 5.11 (and 6.1 for
	 * 32-bit copies) do not carry a bound from one register to another.
	 */
	_Static_assert(!(P2PG_DIRECT_MAX & (P2PG_DIRECT_MAX - 1)), "a power of 2");
	asm volatile("%0 &= %1" : "+r"(off) : "i"(P2PG_DIRECT_MAX - 1));
	if (data + off + len > end)
		return -1;
	P2PG_UNROLL
	for (k = 0; k < len / 4; k++)
		((__u32 *)to)[k] = ((const __u32 *)(data + off))[k];
	return 0;
}

/*
 * p2pg_load_direct(), else bpf_skb_load_bytes(): a helper call, as costly
 * as much of the rest of a common packet's run (performance.rst).
 * Return: 0, or < 0 when the packet is shorter than @off + @len.
 */
static __always_inline int p2pg_load(struct __sk_buff *skb, __u32 off,
				     void *to, __u32 len)
{
	/* The knob apart: folded into the bounds test, 5.10 loses them. */
	if (p2pg_use_packet_words && !p2pg_load_direct(skb, off, to, len))
		return 0;
	return bpf_skb_load_bytes(skb, off, to, len);
}

/*
 * Parsing is common/p2pguard_parse.h, the kernel module's too; it reads
 * the packet through this.  Every length it asks for is a multiple of 4.
 */
#include "p2pguard_parse.h"

static __always_inline const void *p2pg_env_load(struct p2pg_bpf_env *env,
						 __u32 off, __u32 len,
						 void *buf)
{
	return p2pg_load(env->skb, off, buf, len) ? 0 : buf;
}

/* @p's destination address as four words, IPv4 in the first. */
static __always_inline void p2pg_daddr_words(const struct p2pg_pkt *p,
					     __u32 a[4])
{
	__builtin_memcpy(a, p->daddr, 16);
}

/* The cache entry for address @a (p2pg_daddr_words()). */
static __always_inline volatile struct p2pg_dcache *
p2pg_dcache_entry(const __u32 a[4])
{
	__u32 k = p2pg_dcache_slot(a);

	return bpf_map_lookup_elem(&p2pg_dcache, &k);
}

/* The class @c holds for address @a under generation @gen, or -1. */
static __always_inline int p2pg_dcache_read(volatile struct p2pg_dcache *c,
					    __u32 gen, __u32 family,
					    const __u32 a[4])
{
	__u32 s = c->seq;
	__u32 cls, check;

	if (!(s & 1) && c->generation == gen && c->family == family &&
	    c->addr[0] == a[0] && c->addr[1] == a[1] &&
	    c->addr[2] == a[2] && c->addr[3] == a[3]) {
		cls = c->net_class;
		check = c->check;
		if (c->seq == s &&
		    check == p2pg_dcache_check(gen, family, a, cls))
			return cls;
	}
	return -1;
}

/*
 * The destination's class (enum p2pg_net_class) from the prefix tries, or
 * from the per-CPU cache of earlier answers: a trie look-up is a large
 * part of an ordinary packet's run (performance.rst), and a camera talks
 * to few addresses.
 *
 * An answer holds for the lists it was looked up in, so it is filed under
 * the configuration's generation, which p2pg_policy_write_maps() changes
 * on every write and writes after the lists: an entry of another
 * generation is never used.
 *
 * Runs on one CPU can overlap: a softirq run interrupts a process-context
 * one and finishes first (they nest), and on kernels with CONFIG_PREEMPT
 * (5.11+, migrate_disable()) one task's run can be preempted by another's
 * (they interleave).  No atomics: the 32-bit JITs (ARM, MIPS) compile none
 * of the ones old kernels have.  So the entry is a sequence-counted record:
 *  - a reader takes it only when @seq was even before and unchanged after
 *    reading every field (a write in between, or under way, shows), and
 *    the check word matches the fields;
 *  - a writer writes only when @busy is clear, and sets it for the time
 *    of its write; then makes @seq odd, writes, makes it even again, and
 *    writes the check word last but one.  Between the test and the set
 *    of @busy a nested run may write the entry whole: it finishes before
 *    the outer run goes on, so writes never mix when runs nest, and @seq
 *    only grows.
 * Interleaved runs can both pass the test of @busy and mix two entries;
 * the check word (a function of every other field) then no longer matches,
 * unless a 32-bit collision, and the reader looks the tries up instead.
 * Volatile accesses keep the compiler to that order; on one CPU the
 * hardware keeps it for code that interrupts or preempts.
 */
static __always_inline __u8 p2pg_dst_class(const struct p2pg_config *cfg,
					   const struct p2pg_pkt *p)
{
	__u32 gen = cfg->generation, a[4];
	volatile struct p2pg_dcache *c;
	struct p2pg_prefix_val *pv;
	__u8 cls;
	int hit;

	p2pg_daddr_words(p, a);
	c = p2pg_dcache_entry(a);
	if (!c)
		return P2PG_NET_WAN;	/* cannot happen: array */
	hit = p2pg_dcache_read(c, gen, p->family, a);
	if (hit >= 0)
		return hit;

	if (p->family == 4) {
		struct p2pg_lpm4 key = { .prefixlen = 32 };

		__builtin_memcpy(key.addr, p->daddr, 4);
		pv = bpf_map_lookup_elem(&p2pg_prefix4, &key);
	} else {
		struct p2pg_lpm6 key = { .prefixlen = 128 };

		__builtin_memcpy(key.addr, p->daddr, 16);
		pv = bpf_map_lookup_elem(&p2pg_prefix6, &key);
	}
	cls = pv ? pv->net_class : P2PG_NET_WAN;

	if (!c->busy) {
		c->busy = 1;
		c->seq = c->seq + 1;
		c->generation = gen;
		c->family = p->family;
		c->addr[0] = a[0];
		c->addr[1] = a[1];
		c->addr[2] = a[2];
		c->addr[3] = a[3];
		c->net_class = cls;
		c->check = p2pg_dcache_check(gen, p->family, a, cls);
		c->seq = c->seq + 1;
		c->busy = 0;
	}
	return cls;
}

/* Does the payload at @poff (8 bytes or more) start with "POST "? */
static __always_inline int p2pg_peek_post(struct __sk_buff *skb, __u32 poff)
{
	__u8 b[8];

	if (p2pg_load(skb, poff, b, 8))
		return 0;
	return p2pg_is_post(b);
}

static __always_inline struct p2pg_flow *p2pg_flow_get(struct __sk_buff *skb)
{
	if (p2pg_use_sk_storage) {
		struct bpf_sock *sk = skb->sk;

		if (!sk)
			return 0;
		sk = bpf_sk_fullsock(sk);
		if (!sk)
			return 0;
		return bpf_sk_storage_get(&p2pg_flows, sk, 0,
					  BPF_SK_STORAGE_GET_F_CREATE);
	} else {
		/* Fallback: an LRU keyed by socket cookie (see signatures.rst). */
		__u64 cookie = p2pg_test_flow_key ? p2pg_test_flow_key :
			       bpf_get_socket_cookie(skb);
		struct p2pg_flow *f;
		__u32 zero = 0;

		if (!cookie)
			return 0;
		f = bpf_map_lookup_elem(&p2pg_flow_lru, &cookie);
		if (f)
			return f;
		/* A zeroed value to insert: too big for the stack. */
		f = bpf_map_lookup_elem(&p2pg_flow_zero, &zero);
		if (!f)
			return 0;
		bpf_map_update_elem(&p2pg_flow_lru, &cookie, f, BPF_NOEXIST);
		return bpf_map_lookup_elem(&p2pg_flow_lru, &cookie);
	}
}

/*
 * The programs p2pguard_full() hands a packet on to, and the slots of
 * p2pg_progs (P2PG_PROG_*), filled by p2pg_skel_entry() after load.  No
 * program calls another BPF function: the 32-bit ARM JIT compiles no
 * such call, and an interpreter refuses a program that has both calls
 * and tail calls (internals.rst).  Pinned with the other maps: the
 * kernel empties a program array when the last reference from user space
 * goes, and p2pguardd may exit or be killed while the program stays
 * attached.  A tail call that finds its slot empty fails closed.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, P2PG_PROGS);
	/* Sizes, not BTF types: the kernel takes none for program arrays. */
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} p2pg_progs SEC(".maps");

/*
 * What a run hands on to the program it tail-calls, in skb->cb: the
 * kernel saves those 20 bytes before it runs a cgroup program and
 * restores them after, so they are the run's own, however runs nest or
 * interleave on one CPU.  The rest is per CPU and nesting level, in
 * p2pg_scratch and p2pg_cont, which the token says the run still holds.
 */
#define P2PG_CB_TOK	0	/* the level's owner token; 0: no level held */
#define P2PG_CB_LEVEL	1	/* the nesting level held */
#define P2PG_CB_HOW	2	/* p2pguard_emit(): reason, P2PG_EMIT_DROPPED */

/*
 * skb->cb[@i], read and written through these only: with @skb hidden
 * from clang each time, it cannot keep a pointer into the context for a
 * later access, which the verifier refuses ("modified ctx ptr").
 */
static __always_inline __u32 p2pg_cb(struct __sk_buff *skb, int i)
{
	asm volatile("" : "+r"(skb));
	return skb->cb[i];
}

static __always_inline void p2pg_cb_set(struct __sk_buff *skb, int i,
					__u32 v)
{
	asm volatile("" : "+r"(skb));
	skb->cb[i] = v;
}

/* p2pguard_emit(): the packet is dropped. */
#define P2PG_EMIT_DROPPED	0x100

/*
 * struct p2pg_cont - a run's state between its programs, per CPU and
 * nesting level (element of p2pg_cont).  Not state: the loader does not
 * pin it.
 * @lens:    p2pg_lens() of the packet's metadata (a GSO send: no length).
 * @bits:    p2pg_bits(), P2PG_META_AGENT included.
 * @poff:    the payload's offset in the packet.
 * @seg:     the length p2pguard_classify() or'es into @lens: a GSO
 *           segment's, else 0.
 * @gso:     a UDP GSO send's segment size; 0: one window.
 * @total:   a GSO send's payload length.
 * @next:    a GSO send's next segment to judge.
 * @send:    a GSO send's reason so far.
 * @windows: a GSO send's segments judged through the window.
 * @stream:  the window holds the connection's stream (p2pg_stream_window()).
 */
struct p2pg_cont {
	__u64 lens;
	__u64 bits;
	__u32 poff;
	__u32 seg;
	__u32 gso;
	__u32 total;
	__u32 next;
	__u32 send;
	__u32 windows;
	__u32 stream;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, P2PG_NEST_MAX);
	__type(key, __u32);
	__type(value, struct p2pg_cont);
} p2pg_cont SEC(".maps");

static __always_inline void p2pg_count(__u32 reason, __u32 len, int dropped)
{
	struct p2pg_counter *c = bpf_map_lookup_elem(&p2pg_counters, &reason);

	if (!c)
		return;
	/* Per-CPU value: plain adds, no atomics. */
	c->packets++;
	c->bytes += len;
	if (dropped) {
		c->drop_packets++;
		c->drop_bytes += len;
	}
}

/*
 * struct p2pg_meta packed into two scalar words for the global functions
 * below (p2pg_lens(), p2pg_bits()), and unpacked there: the one layout.
 * Bits 32 and up of the second word are the caller's (the head's length).
 */
static __always_inline __u64 p2pg_lens(const struct p2pg_meta *m)
{
	return m->payload_len | (__u64)m->dport << 32 | (__u64)m->sport << 48;
}

static __always_inline __u64 p2pg_bits(const struct p2pg_meta *m)
{
	return m->l4proto | m->dst_class << 8 | m->flags << 16 |
	       (__u32)m->flow_reason << 24;
}

static __always_inline struct p2pg_meta p2pg_meta_unpack(__u64 lens,
							 __u64 bits)
{
	struct p2pg_meta m = {
		.payload_len = (__u32)lens,
		.dport = (__u16)(lens >> 32),
		.sport = (__u16)(lens >> 48),
		.l4proto = (__u8)bits,
		.dst_class = (__u8)(bits >> 8),
		.flags = (__u8)(bits >> 16),
		.flow_reason = (__u8)(bits >> 24),
	};

	return m;
}

/* p2pg_head_reason(): the head cannot decide, read the window. */
#define P2PG_HEAD_WINDOW	0x100

/*
 * The head's verdict (@h, of @m's packet or segment): quiet, a reason,
 * or P2PG_HEAD_WINDOW when the window must decide
 * (p2pg_head_wants_window()).
 */
static __always_inline __u32 p2pg_head_judge(const struct p2pg_config *cfg,
					     const struct p2pg_meta *m,
					     const struct p2pg_head *h)
{
	struct p2pg_bpf_env env = {};

	if (p2pg_head_quiet(&env, cfg, m, h))
		return P2PG_R_NONE;
	if (p2pg_head_wants_window(m, h))
		return P2PG_HEAD_WINDOW;
	return p2pg_classify_head(&env, cfg, m, h);
}

/*
 * The common packet: everything the classifier reads is in the first
 * P2PG_HEAD_SIZE payload bytes (p2pg_head_decides()), which fit on the
 * stack.  No window, so no nesting level and no 512-byte copy; and most
 * of these packets are answered by p2pg_head_quiet().
 * Return: the reason, or P2PG_HEAD_WINDOW when the head cannot decide.
 */
static __always_inline __u32 p2pg_head_reason(struct __sk_buff *skb,
					      const struct p2pg_config *cfg,
					      const struct p2pg_meta *m,
					      __u32 poff)
{
	struct p2pg_head h = {};
	__u32 n;

	/* Set apart: an initialiser would be copied from a constant pool. */
	h.plain = 1;

	if (poff && p2pg_wants_payload(m)) {
		__u64 x;

		n = m->payload_len;	/* >= 1 here */
		if (n > P2PG_HEAD_SIZE)
			n = P2PG_HEAD_SIZE;
		/*
		 * All 24 bytes when the linear data has them (bytes past n
		 * are not read: the head's length says n); else n, in
		 * [1, 32] in a form the verifier can see (see p2pg_idx()).
		 */
		x = n - 1;
		asm volatile("%0 &= 31" : "+r"(x));
		if ((p2pg_use_packet_words &&
		     !p2pg_load_direct(skb, poff, h.b, P2PG_HEAD_SIZE)) ||
		    !bpf_skb_load_bytes(skb, poff, h.b, x + 1))
			h.len = n;
	}
	return p2pg_head_judge(cfg, m, &h);
}

/*
 * Copy min(@len, P2PG_WIN_SIZE) payload bytes at @off into @w (@len >= 1).
 * Return: 0, or < 0 when the packet does not have them (w->len stays 0).
 */
static __always_inline int p2pg_window_load(struct __sk_buff *skb,
					    struct p2pg_win *w, __u32 off,
					    __u32 len)
{
	__u32 n = len;

	w->len = 0;
	if (n > P2PG_WIN_SIZE)
		n = P2PG_WIN_SIZE;
	/* [1, 512] in a form the verifier can see. */
	n = p2pg_idx(n - 1) + 1;
	if (bpf_skb_load_bytes(skb, off, w->b, n))
		return -1;
	w->len = n;
	return 0;
}

/*
 * The window of a segment whose connection keeps its stream, as
 * p2pg_flow_plan() said (p2pg_flow_window() in plain C): the kept bytes,
 * all of them copied (a constant length; only @pl->keep count), then the
 * segment's.  Return: 0, or -1 when the segment's bytes cannot be read.
 */
static __always_inline int p2pg_stream_window(struct __sk_buff *skb,
					      struct p2pg_meta *m,
					      const struct p2pg_flow *flow,
					      const struct p2pg_plan *pl,
					      __u32 poff, struct p2pg_win *w)
{
	__u32 keep = pl->keep, len = m->payload_len, n = 0, k;

	_Static_assert(P2PG_FLOW_KEEP == 256 && P2PG_FLOW_TAKE == 256,
		       "the masks below");
	P2PG_UNROLL
	for (k = 0; k < P2PG_FLOW_KEEP / 8; k++)
		((__u64 *)w->b)[k] = ((const __u64 *)flow->b)[k];
	if (pl->take && len > pl->skip) {
		n = len - pl->skip;
		if (n > pl->take)
			n = pl->take;
		/* Bounds the verifier can see: [1, 512], or 256 + [1, 256]. */
		if (!keep) {
			n = p2pg_idx(n - 1) + 1;
			if (bpf_skb_load_bytes(skb, poff + pl->skip, w->b, n))
				return -1;
		} else {
			keep = ((keep - 1) & 255) + 1;
			n = ((n - 1) & 255) + 1;
			if (bpf_skb_load_bytes(skb, poff + pl->skip,
					       w->b + keep, n))
				return -1;
		}
		len -= pl->skip;
	} else {
		len = 0;
	}
	w->len = keep + n;
	w->seg = !pl->skip && pl->take ? keep : 0;
	m->payload_len = keep + len;
	return 0;
}

/* The bytes p2pg_flow_after() asks for, into flow->b. */
static __always_inline void p2pg_stream_keep(struct __sk_buff *skb,
					     struct p2pg_flow *flow,
					     const struct p2pg_plan *pl,
					     const struct p2pg_win *w,
					     __u32 poff, __u32 from)
{
	__u32 k, n = flow->have;

	if (from == 0) {
		P2PG_UNROLL
		for (k = 0; k < P2PG_FLOW_KEEP / 8; k++)
			((__u64 *)flow->b)[k] = ((const __u64 *)w->b)[k];
	} else if (from != P2PG_FLOW_NO_COPY && n) {
		/* Past the kept bytes: from the segment itself. */
		n = ((n - 1) & 255) + 1;
		if (bpf_skb_load_bytes(skb, poff + pl->skip + from - pl->keep,
				       flow->b, n))
			flow->have = 0;
	}
}

/*
 * The window is per CPU and nesting level: a softirq (a TCP ACK, a
 * retransmit timer) can run this program on the same CPU while a
 * process-context run is half-way through, and on a kernel with
 * CONFIG_PREEMPT (5.11+) another task's run can.  A run holds a level
 * (its elements of p2pg_scratch and p2pg_cont) from p2pg_hand_on()'s
 * claim to its release, and says so with its token in the element's
 * @owner; nobody else writes the token.
 *
 * No atomics (the 32-bit JITs compile none that old kernels have), so the
 * claim is a plain test, then set.  Nested runs finish before the run
 * they interrupt goes on (LIFO): one that comes between the test and the
 * set of a level takes the level, uses it and frees it before the outer
 * run sets it, so two nested runs never share a level, and every level a
 * run takes it frees again: nothing to drift, as a counter can.  Runs of
 * two tasks can interleave: both may pass the test and share a level.
 * The later token stays; the run whose token is gone when its verdict is
 * due judges its packet unjudged (fail closed) and frees nothing.  When
 * a run is preempted in the middle of its window too and writes it after
 * the other's claim, the other's verdict would stand on bytes of both:
 * that needs preemption between two given instructions of two runs at
 * once (internals.rst).
 */
static __always_inline volatile __u32 *p2pg_level_claim(__u32 tok,
							 __u32 *level)
{
	volatile struct p2pg_levels *l;
	__u32 zero = 0, k;

	l = bpf_map_lookup_elem(&p2pg_levels, &zero);
	if (!l)
		return 0;	/* cannot happen: array */
	_Static_assert(P2PG_NEST_MAX == 4, "the tests below");
	if (!l->owner[0])
		k = 0;
	else if (!l->owner[1])
		k = 1;
	else if (!l->owner[2])
		k = 2;
	else if (!l->owner[3])
		k = 3;
	else
		return 0;
	/*
	 * Blurred: with the level known exactly on each of four paths, the
	 * verifier would check the window path once per level.
	 */
	k = p2pg_blur(k, tok) & (P2PG_NEST_MAX - 1);
	/* One store: between the test and it a nested run came and went. */
	l->owner[k] = tok;
	*level = k;
	return &l->owner[k];
}

/* Is the level whose owner word is @owner still the run's of token @tok? */
static __always_inline int p2pg_level_held(volatile __u32 *owner, __u32 tok)
{
	asm volatile("" ::: "memory");	/* after every use of the window */
	return *owner == tok;
}


/* The level the run of @skb holds, if it still holds it (P2PG_CB_TOK). */
static __always_inline volatile __u32 *p2pg_level_mine(struct __sk_buff *skb)
{
	__u32 zero = 0, tok = p2pg_cb(skb, P2PG_CB_TOK);
	__u32 k = p2pg_cb(skb, P2PG_CB_LEVEL) & (P2PG_NEST_MAX - 1);
	volatile struct p2pg_levels *l;

	if (!tok)
		return 0;
	l = bpf_map_lookup_elem(&p2pg_levels, &zero);
	if (!l || !p2pg_level_held(&l->owner[k], tok))
		return 0;	/* !l cannot happen: array */
	return &l->owner[k];
}

/* Free the run's level, if it still holds it (a later run's stays). */
static __always_inline void p2pg_level_free(struct __sk_buff *skb)
{
	volatile __u32 *owner = p2pg_level_mine(skb);

	if (owner)
		*owner = 0;
	p2pg_cb_set(skb, P2PG_CB_TOK, 0);
}

/*
 * What follows the classifier: count, report (p2pguard_emit(), a program
 * of its own: its event would not fit in the frames of the others beside
 * their own state), free the level, decide.
 */
static __always_inline int p2pg_finish(struct __sk_buff *skb,
				       const struct p2pg_config *cfg,
				       __u32 reason)
{
	int drop = p2pg_verdict_drop(cfg, reason);

	p2pg_count(reason, skb->len, drop);
	if (reason != P2PG_R_NONE && !cfg->p2p_enabled) {
		p2pg_cb_set(skb, P2PG_CB_HOW, reason |
				       (drop ? P2PG_EMIT_DROPPED : 0));
		bpf_tail_call(skb, &p2pg_progs, P2PG_PROG_EMIT);
		/* No slot or no tail call left: no event, same verdict. */
	}
	p2pg_level_free(skb);
	return drop ? SK_DROP : SK_PASS;
}

/*
 * DNS, SSDP, a TCP segment whose stream is judged (@flow: see
 * p2pg_flow_plan(); @post as p2pg_seg.post), one of a connection without
 * memory, a head that wants the window, a UDP GSO send (@gso): claim a
 * nesting level, fill its window and state, and hand the packet on to
 * p2pguard_classify() or p2pguard_gso().
 */
static __always_inline int p2pg_hand_on(struct __sk_buff *skb,
					const struct p2pg_config *cfg,
					const struct p2pg_pkt *p,
					struct p2pg_meta *m,
					struct p2pg_flow *flow, __u32 post,
					__u32 poff, __u32 gso)
{
	/* Odd: never 0, the free level's. */
	__u32 tok = bpf_get_prandom_u32() | 1, level = 0;
	volatile __u32 *owner = p2pg_level_claim(tok, &level);
	int dns = m->dport == 53;
	struct p2pg_scratch *sc;
	struct p2pg_cont *st;
	struct p2pg_win *w;

	/*
	 * Every level held: deeper than any real stack of softirqs, or
	 * tasks preempted in the middle of their runs.  Not judged.
	 */
	if (!owner)
		return p2pg_finish(skb, cfg, P2PG_R_UNJUDGED);
	asm volatile("" ::: "memory");	/* the claim before the window */
	p2pg_cb_set(skb, P2PG_CB_TOK, tok);
	p2pg_cb_set(skb, P2PG_CB_LEVEL, level);
	sc = bpf_map_lookup_elem(&p2pg_scratch, &level);
	st = bpf_map_lookup_elem(&p2pg_cont, &level);
	if (!sc || !st)
		return p2pg_finish(skb, cfg, P2PG_R_UNJUDGED);	/* arrays */
	w = &sc->w;
	w->len = 0;
	w->seg = 0;
	st->poff = poff;
	st->seg = 0;
	st->gso = gso;
	st->total = m->payload_len;
	st->next = 0;
	st->send = P2PG_R_NONE;
	st->windows = 0;
	st->stream = 0;
	if (gso) {
		st->lens = p2pg_lens(m) & ~0xffffffffULL;
		st->bits = p2pg_bits(m);
		bpf_tail_call(skb, &p2pg_progs, P2PG_PROG_GSO);
		return p2pg_finish(skb, cfg, P2PG_R_UNJUDGED);
	}
	if (flow) {
		/* The sequence number: bytes 4..7 of the TCP header. */
		if (p2pg_load(skb, p->l4off + 4, &sc->seg.seq, 4))
			return p2pg_finish(skb, cfg, P2PG_R_UNJUDGED);
		sc->seg.seq = bpf_ntohl(sc->seg.seq) +
			      !!(p->tcp_flags & P2PG_TCP_SYN);
		sc->seg.len = m->payload_len;
		sc->seg.post = post;
		p2pg_flow_plan(flow, cfg->generation, dns, &sc->seg, &sc->pl);
		if (!sc->pl.judge)
			m->flags |= P2PG_META_FLOW_CLEAN;	/* nothing new */
		else if (!p2pg_stream_window(skb, m, flow, &sc->pl, poff, w))
			st->stream = 1;
	} else if (poff && p2pg_wants_payload(m)) {
		p2pg_window_load(skb, w, poff, m->payload_len);
	}
	st->lens = p2pg_lens(m);
	st->bits = p2pg_bits(m);
	bpf_tail_call(skb, &p2pg_progs, P2PG_PROG_CLASSIFY);
	return p2pg_finish(skb, cfg, P2PG_R_UNJUDGED);
}

/*
 * Every packet p2pguard_egress() does not settle itself, from the start:
 * the general parse, the destination's class, connection memory, and the
 * head, or the window handed on to p2pguard_classify() or p2pguard_gso().
 * A program of its own, which p2pguard_egress() tail-calls (p2pg_progs):
 * the common run stays short, and this one has the verifier's 512 bytes
 * of stack and its instruction budget to itself, the entry's frame gone
 * (internals.rst).
 */
SEC("cgroup_skb/egress")
int p2pguard_full(struct __sk_buff *skb)
{
	struct p2pg_bpf_env env = { .skb = skb };
	struct p2pg_pkt p;
	struct p2pg_meta m = {};
	struct p2pg_flow *flow = 0;
	struct p2pg_config *cfg;
	__u32 zero = 0, poff, blur, gso = 0, reason;
	int family = 0;

	p2pg_cb_set(skb, P2PG_CB_TOK, 0);	/* no level yet */
	cfg = bpf_map_lookup_elem(&p2pg_config, &zero);
	if (!cfg)
		return SK_PASS;	/* cannot happen: array */

	if (skb->protocol == bpf_htons(ETH_P_IP))
		family = 4;
	else if (skb->protocol == bpf_htons(ETH_P_IPV6))
		family = 6;
	if (p2pg_parse(&env, skb->len, family, &p))
		goto not_ip;
	/* UDP-Lite is judged as UDP. */
	m.l4proto = p2pg_parse_is_udp(p.l4proto) ? P2PG_IPPROTO_UDP : p.l4proto;
	m.sport = p.sport;
	m.dport = p.dport;
	m.payload_len = p.payload_len;
	if (p.fragment)
		m.flags |= P2PG_META_FRAGMENT;
	if (p.unjudged)
		m.flags |= P2PG_META_UNJUDGED;
	poff = p.poff;
	/*
	 * A UDP GSO send becomes one datagram per gso_size payload bytes,
	 * each judged as such (p2pguard_gso()); more segments than the
	 * kernel makes are unjudgeable.  Where the kernel does not say the
	 * size (before 5.7), the send cannot be cut: unjudgeable
	 * (internals.rst).
	 */
	if (p.l4proto == P2PG_IPPROTO_UDP && poff) {
		if (p2pg_use_gso_size)
			gso = skb->gso_size;
		else if (skb->gso_segs > 1)
			m.flags |= P2PG_META_UNJUDGED;
		if (!gso || gso >= m.payload_len)
			gso = 0;	/* one datagram */
		else if (m.payload_len > gso * P2PG_GSO_SEGS_MAX)
			m.flags |= P2PG_META_UNJUDGED;
	}
	m.dst_class = p2pg_dst_class(cfg, &p);
	/*
	 * The parsers leave values the verifier knows exactly or within
	 * different bounds on each path (the family, header offsets, the
	 * fragment flag): it would verify everything below once per
	 * combination.  Blurred, the paths meet as one state (internals.rst
	 * has the figures).  Every use below checks what it needs.
	 */
	blur = skb->len;
	p.family = p2pg_blur(p.family, blur);
	poff = p2pg_blur(poff, blur);
	m.payload_len = p2pg_blur(m.payload_len, blur);
	m.flags = p2pg_blur(m.flags, blur);
	/* Consulted for Internet destinations only (struct p2pg_meta). */
	if (m.dst_class == P2PG_NET_WAN && p2pg_agent(skb, cfg))
		m.flags |= P2PG_META_AGENT;
	if (gso && !(m.flags & P2PG_META_UNJUDGED))
		return p2pg_hand_on(skb, cfg, &p, &m, 0, 0, poff, gso);
	/* Connection memory only where the classifier reads it. */
	if (m.l4proto == P2PG_IPPROTO_TCP && !(m.flags & P2PG_META_FRAGMENT) &&
	    (m.dst_class == P2PG_NET_WAN || m.dst_class == P2PG_NET_LAN))
		flow = p2pg_flow_get(skb);
	if (flow) {
		__u32 post;

		/* A SYN without ACK: the socket connects (again). */
		if ((p.tcp_flags & (P2PG_TCP_SYN | P2PG_TCP_ACK)) ==
		    P2PG_TCP_SYN)
			p2pg_flow_reset(flow);
		m.flow_reason = flow->reason;
		post = m.dst_class == P2PG_NET_LAN && poff &&
		       m.payload_len >= 8 && p2pg_peek_post(skb, poff);
		if (flow->reason) {
			/* The sticky reason decides (p2pg_decide()). */
		} else if (p2pg_flow_settled(flow, cfg->generation, post)) {
			m.flags |= P2PG_META_FLOW_CLEAN;
		} else if (m.payload_len && poff) {
			/* The stream: p2pg_flow_plan() in p2pg_hand_on(). */
			return p2pg_hand_on(skb, cfg, &p, &m, flow, post, poff,
					    0);
		}
	}
	if (p2pg_head_decides(&m)) {
		reason = p2pg_head_reason(skb, cfg, &m, poff);
		if (reason != P2PG_HEAD_WINDOW)
			return p2pg_finish(skb, cfg, reason);
	}
	return p2pg_hand_on(skb, cfg, &p, &m, 0, 0, poff, 0);

not_ip:
	p2pg_count(P2PG_R_NOT_IP, skb->len, 0);
	return SK_PASS;
}

/*
 * The window of the level the run holds (P2PG_CB_LEVEL), judged by
 * p2pg_classify(): the packet's (p2pg_hand_on()), or one GSO segment's
 * (p2pguard_gso(), to which it hands the send back).  Then the stream's
 * memory and p2pg_finish().
 */
SEC("cgroup_skb/egress")
int p2pguard_classify(struct __sk_buff *skb)
{
	__u32 level = p2pg_cb(skb, P2PG_CB_LEVEL) & (P2PG_NEST_MAX - 1);
	__u32 zero = 0;
	struct p2pg_bpf_env env = { .level = level };
	__u32 reason, next = 0, from;
	struct p2pg_scratch *sc;
	struct p2pg_config *cfg;
	struct p2pg_flow *flow;
	struct p2pg_cont *st;
	struct p2pg_meta m;
	struct p2pg_win *w;
	int dns;

	cfg = bpf_map_lookup_elem(&p2pg_config, &zero);
	sc = bpf_map_lookup_elem(&p2pg_scratch, &level);
	st = bpf_map_lookup_elem(&p2pg_cont, &level);
	if (!cfg || !sc || !st)
		return SK_PASS;	/* cannot happen: arrays */
	w = &sc->w;
	m = p2pg_meta_unpack(st->lens | st->seg, st->bits);
	reason = p2pg_classify(&env, cfg, &m, w);
	if (st->gso) {
		if (reason != P2PG_R_NONE)
			st->send = reason;
		st->next = st->next + 1;
		bpf_tail_call(skb, &p2pg_progs, P2PG_PROG_GSO);
		return p2pg_finish(skb, cfg, P2PG_R_UNJUDGED);
	}
	if (!p2pg_level_mine(skb))
		/* Another run wrote the window: unjudged, remember nothing. */
		return p2pg_finish(skb, cfg, P2PG_R_UNJUDGED);
	if (st->stream) {
		dns = m.dport == 53;
		if (dns && m.l4proto == P2PG_IPPROTO_TCP)
			next = p2pg_dns_tcp_next(w, m.payload_len);
		/* The connection's memory again: p2pguard_full() had it. */
		flow = p2pg_flow_get(skb);
		if (flow) {
			from = p2pg_flow_after(flow, &sc->pl, cfg->generation,
					       dns, reason, m.payload_len,
					       w->len, next);
			p2pg_stream_keep(skb, flow, &sc->pl, w, st->poff, from);
		}
	}
	return p2pg_finish(skb, cfg, reason);
}

/*
 * A UDP GSO send (p2pg_hand_on(): @total payload bytes at @poff, in
 * segments of @gso bytes; p2pg_gso_seg()): each segment judged as the
 * datagram it becomes, by its head where the head decides, else by its
 * window in p2pguard_classify(), which hands the send back.  The send
 * takes the first reason a segment has, agent and lockdown (which every
 * segment has) only when no segment has another (p2pg_gso_more()); a
 * segment that cannot be read is unjudgeable, and so is a send with more
 * than P2PG_GSO_WINDOWS_MAX segments that need the window: each costs two
 * of the 32 tail calls a packet may take (internals.rst).
 * P2PG_GSO_ROUND segments a run, then this program again.
 */
#define P2PG_GSO_ROUND		4

_Static_assert(1 + (P2PG_GSO_SEGS_MAX / P2PG_GSO_ROUND) +
	       2 * P2PG_GSO_WINDOWS_MAX + 1 <= 32,
	       "p2pguard_full(), the rounds, the windows and p2pguard_emit()");

SEC("cgroup_skb/egress")
int p2pguard_gso(struct __sk_buff *skb)
{
	__u32 level = p2pg_cb(skb, P2PG_CB_LEVEL) & (P2PG_NEST_MAX - 1);
	__u32 zero = 0;
	__u32 total, gso, poff, i, k, at, seg, n, r;
	struct p2pg_scratch *sc;
	struct p2pg_config *cfg;
	struct p2pg_cont *st;
	struct p2pg_head h;
	struct p2pg_meta m;
	__u64 x;

	cfg = bpf_map_lookup_elem(&p2pg_config, &zero);
	sc = bpf_map_lookup_elem(&p2pg_scratch, &level);
	st = bpf_map_lookup_elem(&p2pg_cont, &level);
	if (!cfg || !sc || !st)
		return SK_PASS;	/* cannot happen: arrays */
	/*
	 * In registers, not loaded from @st in the loop: then clang put the
	 * loads of the next round before the loop's head, which 5.10's
	 * verifier refused as a back-edge.
	 */
	total = st->total;
	gso = st->gso;
	poff = st->poff;
	k = st->next;
	for (i = 0; i < P2PG_GSO_ROUND; i++, k++) {
		if (!p2pg_gso_more(st->send) || k >= P2PG_GSO_SEGS_MAX)
			goto done;
		seg = p2pg_gso_seg(total, gso, k, &at);
		if (!seg)
			goto done;
		n = seg < P2PG_HEAD_SIZE ? seg : P2PG_HEAD_SIZE;
		/* [1, 32] bytes, as the verifier sees. */
		x = n - 1;
		asm volatile("%0 &= 31" : "+r"(x));
		if (bpf_skb_load_bytes(skb, poff + at, h.b, x + 1)) {
			st->send = P2PG_R_UNJUDGED;
			goto done;
		}
		h.len = n;
		h.plain = 1;
		m = p2pg_meta_unpack(st->lens | seg, st->bits);
		r = p2pg_head_decides(&m) ? p2pg_head_judge(cfg, &m, &h) :
					    P2PG_HEAD_WINDOW;
		if (r == P2PG_HEAD_WINDOW) {
			if (st->windows >= P2PG_GSO_WINDOWS_MAX ||
			    p2pg_window_load(skb, &sc->w, poff + at, seg)) {
				st->send = P2PG_R_UNJUDGED;
				goto done;
			}
			st->windows = st->windows + 1;
			st->next = k;
			st->seg = seg;
			bpf_tail_call(skb, &p2pg_progs, P2PG_PROG_CLASSIFY);
			st->send = P2PG_R_UNJUDGED;
			goto done;
		}
		if (r != P2PG_R_NONE)
			st->send = r;
	}
	if (p2pg_gso_more(st->send) && k < P2PG_GSO_SEGS_MAX &&
	    p2pg_gso_seg(total, gso, k, &at)) {
		st->next = k;
		bpf_tail_call(skb, &p2pg_progs, P2PG_PROG_GSO);
		st->send = P2PG_R_UNJUDGED;
	}
done:
	if (!p2pg_level_mine(skb))
		st->send = P2PG_R_UNJUDGED;	/* as p2pguard_classify() */
	return p2pg_finish(skb, cfg, st->send);
}

/*
 * Report a packet with a reason (P2PG_CB_HOW), at most one event per
 * destination and second, and return the verdict p2pg_finish() made.
 * A program of its own, reached only by such packets: its event and
 * rate-limit key would crowd the others' frames.  It parses the packet
 * again for the event's fields rather than take them through map memory
 * that a nested run could rewrite.
 */
SEC("cgroup_skb/egress")
int p2pguard_emit(struct __sk_buff *skb)
{
	struct p2pg_bpf_env env = { .skb = skb };
	__u32 how = p2pg_cb(skb, P2PG_CB_HOW), reason = how & 0xff;
	__u32 level = p2pg_cb(skb, P2PG_CB_LEVEL) & (P2PG_NEST_MAX - 1);
	int dropped = how & P2PG_EMIT_DROPPED, family = 0;
	struct p2pg_ev_key k = {};
	struct p2pg_event ev = {};
	struct p2pg_scratch *sc;
	__u64 now, *last;
	struct p2pg_pkt p;

	if (skb->protocol == bpf_htons(ETH_P_IP))
		family = 4;
	else if (skb->protocol == bpf_htons(ETH_P_IPV6))
		family = 6;
	if (p2pg_parse(&env, skb->len, family, &p))
		goto out;	/* cannot happen: parsed before */
	now = bpf_ktime_get_ns();
	__builtin_memcpy(k.daddr, p.daddr, 16);
	k.dport = p.dport;
	k.family = p.family;
	last = bpf_map_lookup_elem(&p2pg_ev_limit, &k);
	if (last && now - *last < P2PG_EVENT_INTERVAL_NS)
		goto out;
	bpf_map_update_elem(&p2pg_ev_limit, &k, &now, BPF_ANY);

	ev.cgroup_id = bpf_skb_cgroup_id(skb);
	ev.uid = bpf_get_socket_uid(skb);
	ev.reason = reason;
	ev.family = p.family;
	ev.l4proto = p.l4proto;	/* UDP-Lite's own number */
	ev.flags = dropped ? P2PG_EV_DROPPED : P2PG_EV_AUDIT;
	ev.dport = p.dport;
	ev.len = skb->len;
	__builtin_memcpy(ev.daddr, p.daddr, 16);
	/*
	 * Name the blocked question, from the window the run still holds:
	 * the header is 12 bytes (14 over TCP).
	 */
	sc = bpf_map_lookup_elem(&p2pg_scratch, &level);
	if (reason == P2PG_R_DNS_NAME && sc && p2pg_level_mine(skb)) {
		__u32 q = p.l4proto == P2PG_IPPROTO_TCP ? 14 : 12, i;

		for (i = 0; i < P2PG_EVENT_QNAME; i++) {
			if (q + i >= sc->w.len)
				break;
			ev.qname[i] = sc->w.b[q + i];
		}
	}
	if (p2pg_use_ringbuf)
		bpf_ringbuf_output(&p2pg_events, &ev, sizeof(ev), 0);
	else
		bpf_perf_event_output(skb, &p2pg_perf_ev, BPF_F_CURRENT_CPU,
				      &ev, sizeof(ev));
out:
	p2pg_level_free(skb);
	return dropped ? SK_DROP : SK_PASS;
}

/*
 * The head from packet words: this run is taken only where the kernel
 * takes word loads from the packet at any offset (p2pg_use_packet_words),
 * and clang copies bytes one at a time otherwise, its alignment unknown.
 */
static __always_inline void p2pg_head_words(struct p2pg_head *h,
					    const void *payload)
{
	const __u32 *s = payload;
	__u32 *d = (__u32 *)h->b;

	d[0] = s[0];
	d[1] = s[1];
	d[2] = s[2];
	d[3] = s[3];
	d[4] = s[4];
	d[5] = s[5];
}

/*
 * The common packet, settled inline: UDP behind a plain IPv4 or IPv6
 * header (p2pg_parse_quick()) to a destination the cache knows, which
 * p2pg_head_quiet() answers -- LAN video, a media stream to the Internet,
 * NTP, QUIC.  The steps of p2pg_head_reason(), specialised so that clang
 * folds what they cannot need: a whole head or none, so every length test
 * is constant, and only the head bytes the checks read are loaded,
 * straight from the packet.  Live, short straight-line code matters more
 * than the instruction count: between sends the rest of the stack evicts
 * the program from the caches (performance.rst).  Anything else goes to
 * p2pguard_full(), which starts over.  No call to another BPF function
 * here: an interpreter (32-bit ARM and MIPS) refuses a program that has
 * both those and a tail call.
 */
SEC("cgroup_skb/egress")
int p2pguard_egress(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *end = (void *)(long)skb->data_end;
	struct p2pg_bpf_env env = {};
	volatile struct p2pg_dcache *c;
	struct p2pg_meta m = {};
	struct p2pg_config *cfg;
	struct p2pg_head h, none = {};
	struct p2pg_pkt p;
	__u32 zero = 0, len = skb->len, a[4];
	int family, cls;

	if (!p2pg_use_packet_words)
		goto full;
	if (skb->protocol == bpf_htons(ETH_P_IP))
		family = 4;
	else if (skb->protocol == bpf_htons(ETH_P_IPV6))
		family = 6;
	else
		goto full;
	if (data + P2PG_QUICK_BYTES > end ||
	    p2pg_parse_quick((const __u32 *)data, len, family, &p))
		goto full;
	/* DNS and SSDP: the window (p2pg_head_decides()); GSO: segments. */
	if (p.dport == 53 || p.dport == 1900 || skb->gso_segs > 1)
		goto full;
	cfg = bpf_map_lookup_elem(&p2pg_config, &zero);
	if (!cfg)
		return SK_PASS;	/* cannot happen: array */
	/* A destination the cache does not know yet: the tries, in full. */
	p2pg_daddr_words(&p, a);
	c = p2pg_dcache_entry(a);
	if (!c)
		goto full;	/* cannot happen: array */
	cls = p2pg_dcache_read(c, cfg->generation, p.family, a);
	if (cls < 0)
		goto full;
	m.l4proto = p.l4proto;
	m.sport = p.sport;
	m.dport = p.dport;
	m.payload_len = p.payload_len;
	m.dst_class = cls;
	if (cls != P2PG_NET_WAN) {
		/*
		 * LAN, loopback, allow-list, deny-list: no payload byte
		 * counts (p2pg_wants_payload(); LAN port 5351 is never
		 * quiet).  A head of its own, and a test of its own: one head
		 * or one call shared with the branch below, clang keeps the
		 * head in memory and fills it with all 24 bytes.
		 */
		none.plain = 1;
		if (!p2pg_head_quiet(&env, cfg, &m, &none))
			goto full;
	} else {
		/* A whole head, or the full run. */
		if (m.payload_len < P2PG_HEAD_SIZE ||
		    data + p.poff + P2PG_HEAD_SIZE > end)
			goto full;
		/*
		 * The agent first: its helper calls between the copy and the
		 * tests make clang keep the head in memory.
		 */
		if (p2pg_agent(skb, cfg))
			m.flags |= P2PG_META_AGENT;
		p2pg_head_words(&h, data + p.poff);
		h.len = P2PG_HEAD_SIZE;
		h.plain = 1;
		if (!p2pg_head_quiet(&env, cfg, &m, &h))
			goto full;
	}
	p2pg_count(P2PG_R_NONE, len, 0);
	return SK_PASS;
full:
	bpf_tail_call(skb, &p2pg_progs, P2PG_PROG_FULL);
	/*
	 * Only an emptied program array gets here: nothing judged the
	 * packet, so while P2P is off it is dropped (fail closed).
	 */
	cfg = bpf_map_lookup_elem(&p2pg_config, &zero);
	return cfg && (cfg->p2p_enabled || cfg->mode == P2PG_MODE_AUDIT) ?
	       SK_PASS : SK_DROP;
}
