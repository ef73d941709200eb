// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * native_env.c - common/p2pguard_classify.h compiled for the host, with the
 * environment the BPF program gets from its maps answered from a struct
 * p2pg_policy, and test frames parsed by the program's own parser
 * (common/p2pguard_parse.h).
 */
#include <string.h>

#include "native_env.h"

/**
 * struct native_host - this file as the shared code's host (P2PG_ENV).
 * @policy: the policy: the classifier's look-ups.
 * @pkt:    for p2pg_env_load(): a frame from the network header on.
 * @len:    its length.
 *
 * The agent verdict is the caller's (struct p2pg_native_env.is_agent),
 * handed to the classifier as P2PG_META_AGENT, as the BPF program does.
 */
struct native_host {
	const struct p2pg_policy *policy;
	const __u8 *pkt;
	size_t len;
};

#define P2PG_ENV struct native_host
#include "p2pguard_parse.h"
#include "p2pguard_classify.h"

static __always_inline int p2pg_env_name_denied(struct native_host *env,
						__u64 hash)
{
	return p2pg_policy_has_name(env->policy, hash);
}

static __always_inline const struct p2pg_pppp_key *
p2pg_env_pppp_key(struct native_host *env, __u32 first_byte)
{
	const struct p2pg_pppp_key *k = &env->policy->pppp[first_byte & 0xff];

	return k->valid ? k : NULL;
}

/* The keys, as the module asks; test_bpf holds the loader's bitmap to them. */
static __always_inline int p2pg_env_pppp_first(struct native_host *env,
					       const struct p2pg_config *cfg,
					       __u32 first_byte)
{
	(void)cfg;
	return p2pg_env_pppp_key(env, first_byte) != NULL;
}

/* A load past the end fails, as bpf_skb_load_bytes() does. */
static __always_inline const void *p2pg_env_load(struct native_host *env,
						 __u32 off, __u32 len,
						 void *buf)
{
	(void)buf;
	return off + len <= env->len ? env->pkt + off : NULL;
}

/* p2pg_parse_ipv6() loads both addresses into @saddr at once. */
_Static_assert(__builtin_offsetof(struct p2pg_pkt, daddr) ==
	       __builtin_offsetof(struct p2pg_pkt, saddr) + 16,
	       "saddr and daddr are one run of 32 bytes");

/* @m as the program hands it to the classifier: the agent verdict in it. */
static struct p2pg_meta native_meta(const struct p2pg_native_env *env,
				    const struct p2pg_meta *m)
{
	struct p2pg_meta mm = *m;

	if (env->is_agent)
		mm.flags |= P2PG_META_AGENT;
	return mm;
}

int native_head_wants_window(const struct p2pg_meta *m, const __u8 *payload,
			     size_t len)
{
	struct p2pg_head h;

	memset(&h, 0, sizeof(h));
	h.len = len < P2PG_HEAD_SIZE ? len : P2PG_HEAD_SIZE;
	memcpy(h.b, payload, h.len);
	return p2pg_head_wants_window(m, &h);
}

/*
 * The window persists between calls, as the BPF program's per-CPU scratch
 * does, and the counter picks how its unused tail is dirtied.
 */
static struct p2pg_win native_win;
struct native_head_stats native_head_stats;
static __u32 native_calls;

unsigned int native_classify(const struct p2pg_native_env *env,
			     const struct p2pg_meta *meta, const __u8 *payload,
			     size_t len)
{
	struct native_host e = { .policy = env->policy };
	struct p2pg_meta mm = native_meta(env, meta), *m = &mm;
	struct p2pg_win *w = &native_win;
	struct p2pg_head h;
	unsigned int r;
	__u32 x = 0x9e3779b9u * ++native_calls, i;
	size_t n = 0;

	/*
	 * As bpf/p2pguard.bpf.c: no copy unless the classifier wants the
	 * payload, then min(payload_len, 512) bytes.  @len bounds it too, for
	 * callers (the fuzzer) whose payload_len claims more than they have.
	 */
	if (p2pg_wants_payload(m)) {
		n = m->payload_len;
		if (n > len)
			n = len;
		if (n > P2PG_WIN_SIZE)
			n = P2PG_WIN_SIZE;
	}
	/*
	 * Garbage first, of a different kind on consecutive calls: random
	 * bytes; what the previous packet left (as in BPF); or this payload
	 * again, end to end (the likeliest bytes to complete a header).  A
	 * signature that reads past w->len then depends on the call, which
	 * the fuzzer's determinism check and the native/BPF comparison see.
	 */
	switch (native_calls % 3) {
	case 0:
		for (i = 0; i < P2PG_WIN_SIZE; i++) {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			w->b[i] = x >> 7;
		}
		break;
	case 1:
		break;
	default:
		for (i = 0; n && i < P2PG_WIN_SIZE; i++)
			w->b[i] = payload[i % n];
		break;
	}
	w->forget = 0;
	w->seg = 0;
	w->pad = 0;
	if (n)
		memcpy(w->b, payload, n);
	w->len = n;
	r = p2pg_classify(&e, &e.policy->cfg, m, w);
	if (p2pg_head_decides(m)) {
		/* The head as the program fills it; garbage past its len. */
		for (i = 0; i < P2PG_HEAD_SIZE; i++) {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			h.b[i] = x >> 7;
		}
		h.len = n < P2PG_HEAD_SIZE ? n : P2PG_HEAD_SIZE;
		if (h.len)
			memcpy(h.b, payload, h.len);
		/* Where the head needs the window, the program reads it. */
		if (!p2pg_head_wants_window(m, &h)) {
			native_head_stats.decided++;
			native_head_stats.hits += r != P2PG_R_NONE;
			native_head_stats.mismatches +=
				p2pg_classify_head(&e, &e.policy->cfg, m,
						   &h) != r;
		}
		if (p2pg_head_quiet(&e, &e.policy->cfg, m, &h)) {
			native_head_stats.quiet++;
			native_head_stats.quiet_wrong += r != P2PG_R_NONE;
		}
	}
	return r;
}

/*
 * The packet parse is the shared one, common/p2pguard_parse.h, over the
 * frame without its Ethernet header (what the program sees).
 */

/*
 * The metadata the program builds from the parse (p2pguard_full()).
 * Returns the payload offset (0: none), or -1 where the program goes to
 * not_ip.  @gso: the send's segment size, kept only where the program
 * cuts the send (else 0).
 */
static long native_parse(const struct p2pg_policy *pol, const __u8 *pkt,
			 size_t len, __u16 ethertype, __u32 *gso,
			 struct p2pg_meta *m)
{
	struct native_host k = { .policy = pol, .pkt = pkt, .len = len };
	struct p2pg_pkt p;
	int family = ethertype == 0x0800 ? 4 : ethertype == 0x86dd ? 6 : 0;

	if (p2pg_parse(&k, len, family, &p))
		return -1;
	m->l4proto = p2pg_parse_is_udp(p.l4proto) ? P2PG_IPPROTO_UDP :
		     p.l4proto;
	m->sport = p.sport;
	m->dport = p.dport;
	m->payload_len = p.payload_len;
	if (p.fragment)
		m->flags |= P2PG_META_FRAGMENT;
	if (p.unjudged)
		m->flags |= P2PG_META_UNJUDGED;
	if (p.l4proto != P2PG_IPPROTO_UDP || !p.poff || !*gso ||
	    *gso >= m->payload_len)
		*gso = 0;
	else if (m->payload_len > *gso * P2PG_GSO_SEGS_MAX)
		m->flags |= P2PG_META_UNJUDGED;
	m->dst_class = p2pg_policy_net_class(pol, p.family, p.daddr);
	return p.poff;
}

/*
 * Does this segment of a GSO send need its window, as the BPF program's
 * p2pguard_gso() decides: its head (the first bytes, at most
 * P2PG_HEAD_SIZE) cannot decide.
 */
static int native_seg_windowed(const struct p2pg_native_env *env,
			       const struct p2pg_meta *meta,
			       const __u8 *payload, size_t len)
{
	struct native_host e = { .policy = env->policy };
	struct p2pg_meta m = native_meta(env, meta);
	struct p2pg_head h = {};

	if (!p2pg_head_decides(&m))
		return 1;
	h.len = len < P2PG_HEAD_SIZE ? len : P2PG_HEAD_SIZE;
	memcpy(h.b, payload, h.len);
	return !p2pg_head_quiet(&e, &e.policy->cfg, &m, &h) &&
	       p2pg_head_wants_window(&m, &h);
}

unsigned int native_classify_vec(const struct p2pg_native_env *env,
				 const struct vec_spec *v)
{
	__u8 frame[VEC_FRAME_MAX];
	struct p2pg_meta m;
	size_t flen = vec_frame(v, frame);
	__u32 gso = v->gso, total, at, k, windows = 0;
	unsigned int r = P2PG_R_NONE, seg;
	long poff;

	memset(&m, 0, sizeof(m));
	/*
	 * BPF_PROG_TEST_RUN hands a cgroup_skb program the packet from the
	 * network header on, with a fresh socket: no flow state, so
	 * flow_reason stays NONE.
	 */
	poff = native_parse(env->policy, frame + 14, flen - 14,
			    frame[12] << 8 | frame[13], &gso, &m);
	if (poff < 0)
		return P2PG_R_NOT_IP;
	if (!poff)
		return native_classify(env, &m, NULL, 0);
	if (!gso || (m.flags & P2PG_META_UNJUDGED))
		return native_classify(env, &m, frame + 14 + poff,
				       flen - 14 - poff);
	/* A GSO send: each segment as a datagram (p2pg_gso_more()). */
	total = m.payload_len;
	for (k = 0; p2pg_gso_more(r); k++) {
		m.payload_len = p2pg_gso_seg(total, gso, k, &at);
		if (!m.payload_len)
			break;
		/* More segments than P2PG_GSO_WINDOWS_MAX need the window. */
		if (native_seg_windowed(env, &m, frame + 14 + poff + at,
					m.payload_len) &&
		    windows++ >= P2PG_GSO_WINDOWS_MAX) {
			r = P2PG_R_UNJUDGED;
			break;
		}
		seg = native_classify(env, &m, frame + 14 + poff + at,
				      m.payload_len);
		if (seg != P2PG_R_NONE)
			r = seg;
	}
	return r;
}

/*
 * The BPF program's TCP stream path (p2pguard_full() and
 * p2pguard_classify()), natively: the same shared steps over @f.
 */
unsigned int native_stream(const struct p2pg_native_env *env,
			   const struct p2pg_config *cfg, struct p2pg_flow *f,
			   const struct vec_spec *v)
{
	static struct p2pg_win w;
	struct native_host e = { .policy = env->policy };
	const __u8 *pl = v->payload;
	__u32 len = v->payload_len, r, next = 0, from, skip;
	struct p2pg_meta m;
	struct p2pg_plan plan;
	struct p2pg_seg seg;
	int dns = v->dport == 53;

	memset(&m, 0, sizeof(m));
	m.l4proto = P2PG_IPPROTO_TCP;
	m.sport = v->sport;
	m.dport = v->dport;
	m.payload_len = len;
	m.dst_class = p2pg_policy_net_class(env->policy, v->family, v->daddr);
	if (m.dst_class != P2PG_NET_WAN && m.dst_class != P2PG_NET_LAN)
		return native_classify(env, &m, pl, len);
	/* native_classify() sets it itself; the stream's classifier here. */
	if (env->is_agent)
		m.flags |= P2PG_META_AGENT;
	m.flow_reason = f->reason;
	seg.seq = v->tcp_seq ? v->tcp_seq : VEC_ISN;
	seg.len = len;
	seg.post = m.dst_class == P2PG_NET_LAN && len >= 8 && p2pg_is_post(pl);
	if (f->reason)
		return native_classify(env, &m, pl, len);
	if (p2pg_flow_settled(f, cfg->generation, seg.post) || !len) {
		if (len)
			m.flags |= P2PG_META_FLOW_CLEAN;
		return native_classify(env, &m, pl, len);
	}
	p2pg_flow_plan(f, cfg->generation, dns, &seg, &plan);
	if (!plan.judge) {
		m.flags |= P2PG_META_FLOW_CLEAN;
		return native_classify(env, &m, pl, len);
	}
	skip = plan.skip < len ? plan.skip : len;
	/* What the previous segment left past the new bytes stays there. */
	p2pg_flow_window(f, &plan, pl + skip, len - skip, &w, &m);
	r = p2pg_classify(&e, cfg, &m, &w);
	if (dns)
		next = p2pg_dns_tcp_next(&w, m.payload_len);
	from = p2pg_flow_after(f, &plan, cfg->generation, dns, r,
			       m.payload_len, w.len, next);
	if (from == 0) {
		p2pg_flow_keep(f, 0, &w, NULL, 0);
	} else if (from != P2PG_FLOW_NO_COPY) {
		__u32 at = plan.skip + from - plan.keep;

		p2pg_flow_keep(f, from, &w, pl + (at < len ? at : len),
			       at < len ? len - at : 0);
	}
	return r;
}
