/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * p2pguard_path.h - the kernel module's whole packet path, in pure C:
 * parse (p2pguard_parse.h, the BPF program's parser too), destination
 * class, agent and look-ups from the policy blob (p2pguard_blob.h), TCP
 * connection memory, and the one classifier (p2pguard_classify.h), in the
 * order bpf/p2pguard.bpf.c runs them.
 *
 * Included by: kmod/p2pguard_main.c, which wraps it around an skb, and
 * tests/unit/test_kmod_path.c, which runs the same text over byte arrays:
 * that is how the replay vectors check the module's verdicts without a
 * kernel.
 * The includer supplies its host as p2pguard_classify.h says, with one
 * difference: the environment is this header's own, struct p2pg_kenv
 * (P2PG_ENV is defined here), whose @pkt is the host's packet.  This
 * header answers the classifier's look-ups from the blob itself; after
 * the #include the host defines
 *
 *   static __always_inline const void *
 *   p2pg_env_load(struct p2pg_kenv *env, __u32 off, __u32 len, void *buf);
 *	the packet's bytes, as p2pguard_parse.h says;
 *   static __always_inline void
 *   p2pg_env_ident(struct p2pg_kenv *env, __u64 *cgroup_id, __u32 *uid);
 *	the sending socket's cgroup v2 id (0 when unknown) and uid, asked
 *	only for Internet destinations while the policy names agents;
 *   static __always_inline void
 *   p2pg_env_lock(struct p2pg_kenv *env, __u32 slot);
 *   static __always_inline void
 *   p2pg_env_unlock(struct p2pg_kenv *env, __u32 slot);
 *	which serialise the packets that use one bucket of the connection
 *	table (a spin lock per group of buckets in the kernel, nothing
 *	natively);
 *   static __always_inline __u32 p2pg_env_now(struct p2pg_kenv *env);
 *	a clock in milliseconds, modulo 2^32: the connection table's idle
 *	times.
 */
#ifndef P2PGUARD_PATH_H
#define P2PGUARD_PATH_H

#include "p2pguard_abi.h"
#include "p2pguard_blob.h"

/**
 * struct p2pg_kenv - the host of the module's path.
 * @v:   the policy blob's view: the classifier's look-ups.
 * @pkt: the host's packet, for its p2pg_env_load() and p2pg_env_ident().
 */
struct p2pg_kenv {
	const struct p2pg_blob_view *v;
	const void *pkt;
};

#define P2PG_ENV struct p2pg_kenv
#include "p2pguard_parse.h"
#include "p2pguard_classify.h"

static __always_inline void p2pg_env_ident(struct p2pg_kenv *env,
					   __u64 *cgroup_id, __u32 *uid);
static __always_inline void p2pg_env_lock(struct p2pg_kenv *env, __u32 slot);
static __always_inline void p2pg_env_unlock(struct p2pg_kenv *env,
					    __u32 slot);
static __always_inline __u32 p2pg_env_now(struct p2pg_kenv *env);

static __always_inline int p2pg_env_name_denied(struct p2pg_kenv *env,
						__u64 hash)
{
	return p2pg_blob_name_denied(env->v, hash);
}

static __always_inline const struct p2pg_pppp_key *
p2pg_env_pppp_key(struct p2pg_kenv *env, __u32 first_byte)
{
	return env->v->pppp[first_byte & 0xff];
}

/* The blob's keys are at hand: no bitmap kept beside them. */
static __always_inline int p2pg_env_pppp_first(struct p2pg_kenv *env,
					       const struct p2pg_config *cfg,
					       __u32 first_byte)
{
	const struct p2pg_pppp_key *k = p2pg_env_pppp_key(env, first_byte);

	return k && k->valid;
}

/*
 * The agent verdict, for P2PG_META_AGENT.  The classifier reads it for
 * Internet destinations only (every other class has its answer first),
 * and the BPF program likewise looks agents up for those only: so the
 * socket is looked at only then, and only while the policy names agents.
 */
static __always_inline int p2pg_path_agent(struct p2pg_kenv *env,
					   const struct p2pg_meta *m)
{
	__u64 cg = 0;
	__u32 uid = 0;

	if (m->dst_class != P2PG_NET_WAN ||
	    (!env->v->n[P2PG_SEC_AGENT_CG] && !env->v->n[P2PG_SEC_AGENT_UID]))
		return 0;
	p2pg_env_ident(env, &cg, &uid);
	return p2pg_blob_is_agent(env->v, cg, uid);
}

/* ---- TCP connection memory ----------------------------------------------
 *
 * The BPF program keeps struct p2pg_flow in the socket (socket storage).
 * The module keeps it in a fixed table keyed by the connection: network
 * namespace, family, addresses and ports, each slot a tag from the key's
 * hash and the same struct p2pg_flow, used by the same stream code
 * (p2pg_flow_plan() and p2pg_flow_after() in p2pguard_classify.h).  The
 * table is set-associative: the key's bucket, P2PG_KFLOW_WAYS slots,
 * comes from other bits of the same hash.  A packet holds its bucket's
 * lock (p2pg_env_lock()) from the look-up to the last write.
 *
 * A connection still being judged (its kept bytes short of the bound, or
 * a sticky reason) is never forgotten to make room while it is in use:
 * forgetting it would judge its next segment without the bytes before
 * it, so a signature split across that boundary would pass.  A newcomer
 * takes a free slot, else that of a clean connection (which a later
 * payload can still catch), else that of the connection idle longest
 * past P2PG_KFLOW_IDLE_MS (no packet at all, not even a retransmission,
 * whose back-off TCP caps at two minutes).  With none to take, its
 * payload to the Internet is unjudgeable (dropped while P2P is off); to
 * the LAN it is judged alone.  Pure ACKs and FINs take no slot; a RST
 * frees its connection's.
 *
 * Limits, compared with socket storage:
 *  - a connection idle past P2PG_KFLOW_IDLE_MS can lose its memory to a
 *    newcomer in a full bucket; its next payload then starts a stream;
 *  - a tag collision (1 in 2^31 for two keys of one bucket) would let one
 *    connection read the other's state;
 *  - a new connection on a 4-tuple still in the table starts afresh only
 *    when its SYN is seen (a SYN without ACK resets the slot).
 */
#define P2PG_KFLOW_VALID	0x01	/* in the tag: the slot is in use */
#define P2PG_KFLOW_BUCKETS	(P2PG_KFLOW_SLOTS / P2PG_KFLOW_WAYS)
#define P2PG_KFLOW_IDLE_MS	180000	/* past TCP's 120 s longest back-off */

/**
 * struct p2pg_kflow - one slot of the module's connection table.
 * @tag:  the key's tag, P2PG_KFLOW_VALID set; 0 when free.
 * @seen: p2pg_env_now() at the connection's last packet.
 * @f:    the connection's memory.
 */
struct p2pg_kflow {
	__u32 tag;
	__u32 seen;
	struct p2pg_flow f;
};

/**
 * struct p2pg_kflow_table - the module's TCP connection memory.
 * @seed: hash seed (random in the module).
 * @slot: the slots, P2PG_KFLOW_WAYS per bucket.
 */
struct p2pg_kflow_table {
	__u32 seed;
	__u32 pad;
	struct p2pg_kflow slot[P2PG_KFLOW_SLOTS];
};

/* Murmur3's 32-bit finaliser: every input bit reaches every output bit. */
static inline __u32 p2pg_kflow_mix(__u32 h)
{
	h ^= h >> 16;
	h *= 0x85ebca6b;
	h ^= h >> 13;
	h *= 0xc2b2ae35;
	h ^= h >> 16;
	return h;
}

static inline __u32 p2pg_kflow_hash(const struct p2pg_kflow_table *t,
				    const struct p2pg_pkt *p, __u32 netns)
{
	__u32 h = t->seed ^ netns, i, n = p->family == 4 ? 4 : 16;

	h = p2pg_kflow_mix(h ^ ((__u32)p->family << 16) ^ p->l4proto);
	h = p2pg_kflow_mix(h ^ ((__u32)p->sport << 16 | p->dport));
	for (i = 0; i < n; i += 4) {
		h = p2pg_kflow_mix(h ^ ((__u32)p->saddr[i] << 24 |
					(__u32)p->saddr[i + 1] << 16 |
					(__u32)p->saddr[i + 2] << 8 |
					p->saddr[i + 3]));
		h = p2pg_kflow_mix(h ^ ((__u32)p->daddr[i] << 24 |
					(__u32)p->daddr[i + 1] << 16 |
					(__u32)p->daddr[i + 2] << 8 |
					p->daddr[i + 3]));
	}
	return h;
}

/*
 * How readily a slot is given to a newcomer: a free one first, then a
 * clean connection's, then the longest idle past P2PG_KFLOW_IDLE_MS; 0
 * for a connection still being judged and in use, which is kept.
 */
static inline __u32 p2pg_kflow_spare(const struct p2pg_kflow *k, __u32 now)
{
	__u32 idle = now - k->seen;

	if (!k->tag)
		return 0xffffffffU;
	if ((k->f.flags & P2PG_FLOW_CLEAN) && !k->f.reason)
		return 0xfffffffeU;
	if (idle <= P2PG_KFLOW_IDLE_MS)
		return 0;
	return idle < 0xfffffffdU ? idle : 0xfffffffdU;
}

/**
 * p2pg_kflow_slot() - the slot of a connection, or one for it.
 * @t:      the table.
 * @bucket: the key's bucket (its hash's low bits).
 * @tag:    the key's tag.
 * @now:    p2pg_env_now().
 * @claim:  take a slot when the connection has none (p2pg_kflow_spare()).
 *
 * A slot taken is emptied and tagged; every slot returned is stamped
 * @now.  The caller holds the bucket's lock.
 * Return: the slot, or NULL (none, or none to take).
 */
static inline struct p2pg_kflow *p2pg_kflow_slot(struct p2pg_kflow_table *t,
						 __u32 bucket, __u32 tag,
						 __u32 now, int claim)
{
	struct p2pg_kflow *b = &t->slot[bucket * P2PG_KFLOW_WAYS];
	struct p2pg_kflow *k = (struct p2pg_kflow *)0;
	__u32 i, best = 0, spare;

	for (i = 0; i < P2PG_KFLOW_WAYS; i++) {
		if (b[i].tag == tag) {
			b[i].seen = now;
			return &b[i];
		}
	}
	if (!claim)
		return k;
	for (i = 0; i < P2PG_KFLOW_WAYS; i++) {
		spare = p2pg_kflow_spare(&b[i], now);
		if (spare > best) {
			best = spare;
			k = &b[i];
		}
	}
	if (k) {
		k->tag = tag;
		k->seen = now;
		p2pg_flow_reset(&k->f);
	}
	return k;
}

/* ---- the path ----------------------------------------------------------- */

/*
 * The first min(payload length, @max) payload bytes at @off (the payload's,
 * or a GSO segment's) into @buf, when the classifier wants them.
 * Return: how many, 0 when none were read.
 */
static inline __u32 p2pg_path_payload(struct p2pg_kenv *env,
				      const struct p2pg_pkt *p,
				      const struct p2pg_meta *m, __u32 off,
				      __u8 *buf, __u32 max)
{
	const __u8 *b;
	__u32 n;

	if (!p->poff || !p2pg_wants_payload(m))
		return 0;
	n = m->payload_len;	/* >= 1 here */
	if (n > max)
		n = max;
	b = p2pg_env_load(env, off, n, buf);
	if (!b)
		return 0;
	if (b != buf)
		p2pg_parse_copy(buf, b, n);
	return n;
}

/**
 * struct p2pg_path_res - what the path decided about one packet.
 * @pkt:    parse result (family, addresses, ports, ...).
 * @m:      the classifier's metadata.
 * @reason: enum p2pg_reason.
 * @drop:   1 to drop (p2pg_verdict_drop()).
 * @looked: 1 when the payload window was filled.
 */
struct p2pg_path_res {
	struct p2pg_pkt pkt;
	struct p2pg_meta m;
	__u32 reason;
	int drop;
	int looked;
};

/*
 * Does the payload start a POST request?  Only asked on LAN connections
 * (p2pg_seg.post).
 */
static inline __u32 p2pg_path_post(struct p2pg_kenv *env,
				   const struct p2pg_pkt *p, __u32 len)
{
	__u8 buf[8];
	const __u8 *b;

	if (!p->poff || len < 8)
		return 0;
	b = p2pg_env_load(env, p->poff, 8, buf);
	return b && p2pg_is_post(b);
}

/*
 * A segment of a connection whose bytes are being kept: its window as
 * p2pg_flow_plan() says (p2pg_flow_window(), the segment's bytes loaded
 * in place), the classifier, then what the connection keeps.
 */
static inline __u32 p2pg_path_stream(struct p2pg_kenv *env,
				     const struct p2pg_config *cfg,
				     const struct p2pg_pkt *p,
				     struct p2pg_meta *m, struct p2pg_flow *f,
				     const struct p2pg_plan *pl, int dns,
				     struct p2pg_win *w, int *looked)
{
	__u32 n = 0, reason, from, next = 0;
	__u8 *to = w->b + pl->keep;
	const __u8 *b;

	if (pl->take && p->poff && m->payload_len > pl->skip) {
		n = m->payload_len - pl->skip;
		if (n > pl->take)
			n = pl->take;
		if (pl->keep + n > P2PG_WIN_SIZE)
			n = P2PG_WIN_SIZE - pl->keep;
		b = p2pg_env_load(env, p->poff + pl->skip, n, to);
		if (!b)
			return p2pg_classify(env, cfg, m, w);	/* w->len 0 */
		if (b != to)
			p2pg_parse_copy(to, b, n);
	}
	p2pg_flow_window(f, pl, to, n, w, m);
	*looked = 1;
	reason = p2pg_classify(env, cfg, m, w);
	if (dns)
		next = p2pg_dns_tcp_next(w, m->payload_len);
	from = p2pg_flow_after(f, pl, cfg->generation, dns, reason,
			       m->payload_len, w->len, next);
	if (from == 0) {
		p2pg_flow_keep(f, 0, w, (const __u8 *)0, 0);
	} else if (from != P2PG_FLOW_NO_COPY) {
		/* DNS: the message under way starts past the kept bytes. */
		b = p2pg_env_load(env, p->poff + pl->skip + from - pl->keep,
				  f->have, f->b);
		p2pg_flow_keep(f, from, w, b, b ? f->have : 0);
	}
	return reason;
}

/*
 * Judge the datagram or segment whose payload (@m->payload_len bytes) is
 * at @off, as the BPF program does: the first bytes only, no window, and
 * the quick answer before the classifier, where the head decides; else
 * the window.  Sets @r->looked when payload bytes were read.  @windows,
 * for the segments of a GSO send: how many were judged through the
 * window so far; past P2PG_GSO_WINDOWS_MAX a segment that needs it is
 * unjudgeable (the BPF program's p2pguard_gso()).
 */
static inline __u32 p2pg_path_judge(struct p2pg_kenv *env,
				    const struct p2pg_config *cfg,
				    const struct p2pg_meta *m, __u32 off,
				    struct p2pg_win *w, struct p2pg_path_res *r,
				    __u32 *windows)
{
	if (p2pg_head_decides(m)) {
		struct p2pg_head h;

		h.len = p2pg_path_payload(env, &r->pkt, m, off, h.b,
					  P2PG_HEAD_SIZE);
		h.plain = 0;
		r->looked = h.len != 0;
		if (p2pg_head_quiet(env, cfg, m, &h))
			return P2PG_R_NONE;
		if (!p2pg_head_wants_window(m, &h))
			return p2pg_classify_head(env, cfg, m, &h);
	}
	if (windows && (*windows)++ >= P2PG_GSO_WINDOWS_MAX)
		return P2PG_R_UNJUDGED;
	w->len = p2pg_path_payload(env, &r->pkt, m, off, w->b, P2PG_WIN_SIZE);
	r->looked = w->len != 0;
	return p2pg_classify(env, cfg, m, w);
}

/*
 * The segment's stream (@stream: p2pg_flow_plan() said judge), a UDP GSO
 * send segment by segment, or the packet alone.  Return: the reason.
 */
static inline __u32 p2pg_path_decide(struct p2pg_kenv *env,
				     const struct p2pg_config *cfg,
				     const struct p2pg_pkt *p,
				     struct p2pg_meta *m, struct p2pg_flow *f,
				     const struct p2pg_plan *pl, int dns,
				     int stream, __u32 gso, struct p2pg_win *w,
				     struct p2pg_path_res *r)
{
	__u32 reason, total, at, k, sr, windows = 0;

	if (stream)
		return p2pg_path_stream(env, cfg, p, m, f, pl, dns, w,
					&r->looked);
	if (!gso || (m->flags & P2PG_META_UNJUDGED))
		return p2pg_path_judge(env, cfg, m, p->poff, w, r,
				       (__u32 *)0);
	total = m->payload_len;
	reason = P2PG_R_NONE;
	for (k = 0; p2pg_gso_more(reason); k++) {
		m->payload_len = p2pg_gso_seg(total, gso, k, &at);
		if (!m->payload_len)
			break;
		sr = p2pg_path_judge(env, cfg, m, p->poff + at, w, r,
				     &windows);
		if (sr != P2PG_R_NONE)
			reason = sr;
	}
	m->payload_len = total;
	return reason;
}

/*
 * A TCP segment of a connection with memory @f (its slot's lock held):
 * settled, its stream judged, or a sticky reason.  Return: the reason.
 */
static inline __u32 p2pg_path_conn(struct p2pg_kenv *env,
				   const struct p2pg_config *cfg,
				   const struct p2pg_pkt *p,
				   struct p2pg_meta *m, struct p2pg_flow *f,
				   __u32 gso, struct p2pg_win *w,
				   struct p2pg_path_res *r)
{
	int dns = m->dport == 53, stream = 0;
	struct p2pg_seg seg;
	struct p2pg_plan pl;
	const __u8 *sq;
	__u8 buf[4];

	/* The sequence number: bytes 4..7 of the TCP header. */
	sq = p2pg_env_load(env, p->l4off + 4, 4, buf);
	seg.seq = (sq ? (__u32)sq[0] << 24 | sq[1] << 16 |
		   sq[2] << 8 | sq[3] : 0) +
		  (p->tcp_flags & P2PG_TCP_SYN ? 1 : 0);
	seg.len = m->payload_len;
	seg.post = m->dst_class == P2PG_NET_LAN &&
		   p2pg_path_post(env, p, m->payload_len);
	m->flow_reason = f->reason;
	if (!f->reason) {
		if (p2pg_flow_settled(f, cfg->generation, seg.post)) {
			m->flags |= P2PG_META_FLOW_CLEAN;
		} else if (m->payload_len && p->poff) {
			p2pg_flow_plan(f, cfg->generation, dns, &seg, &pl);
			if (pl.judge)
				stream = 1;
			else
				m->flags |= P2PG_META_FLOW_CLEAN;
		}
	}
	return p2pg_path_decide(env, cfg, p, m, f, &pl, dns, stream, gso, w,
				r);
}

/**
 * p2pg_path() - classify one outgoing packet as bpf/p2pguard.bpf.c does.
 * @pkt:   the host's packet (struct p2pg_kenv.pkt), for its
 *         p2pg_env_load() and p2pg_env_ident().
 * @len:   bytes from the network header on (skb->len).
 * @family: 4 or 6.
 * @v:     the policy blob's view.
 * @cfg:   the switch.
 * @flows: TCP connection memory, or NULL for none (every packet then
 *         looks like the first of its connection).
 * @netns: network namespace identity, part of the connection key.
 * @gso:   UDP GSO segment size (skb_shinfo(skb)->gso_size of a
 *         SKB_GSO_UDP_L4 skb), else 0: each segment is judged as the
 *         datagram it becomes, the first reason stands.
 * @w:     the payload window (scratch memory; w->len and w->b written).
 * @r:     the result.
 *
 * Counting and events are the caller's.  Return: @r->reason.
 */
static inline __u32 p2pg_path(const void *pkt, __u32 len, int family,
			      const struct p2pg_blob_view *v,
			      const struct p2pg_config *cfg,
			      struct p2pg_kflow_table *flows, __u32 netns,
			      __u32 gso, struct p2pg_win *w,
			      struct p2pg_path_res *r)
{
	struct p2pg_pkt *p = &r->pkt;
	struct p2pg_meta *m = &r->m;
	struct p2pg_kflow *k = (struct p2pg_kflow *)0;
	struct p2pg_plan pl;
	struct p2pg_kenv env;

	m->payload_len = 0;
	m->sport = 0;
	m->dport = 0;
	m->l4proto = 0;
	m->dst_class = 0;
	m->flags = 0;
	m->flow_reason = 0;
	r->drop = 0;
	r->looked = 0;
	w->len = 0;
	w->seg = 0;
	env.v = v;
	env.pkt = pkt;
	if (p2pg_parse(&env, len, family, p)) {
		r->reason = P2PG_R_NOT_IP;
		return r->reason;
	}
	m->payload_len = p->payload_len;
	m->sport = p->sport;
	m->dport = p->dport;
	/* UDP-Lite is judged as UDP. */
	m->l4proto = p2pg_parse_is_udp(p->l4proto) ? P2PG_IPPROTO_UDP :
		     p->l4proto;
	if (p->fragment)
		m->flags |= P2PG_META_FRAGMENT;
	if (p->unjudged)
		m->flags |= P2PG_META_UNJUDGED;
	/* A UDP GSO send: its segments (p2pg_gso_seg()), at most the kernel's. */
	if (p->l4proto != P2PG_IPPROTO_UDP || !p->poff || !gso ||
	    gso >= m->payload_len)
		gso = 0;
	else if (m->payload_len > gso * P2PG_GSO_SEGS_MAX)
		m->flags |= P2PG_META_UNJUDGED;
	m->dst_class = p2pg_blob_net_class(v, p->family, p->daddr);
	if (p2pg_path_agent(&env, m))
		m->flags |= P2PG_META_AGENT;

	/* Connection memory only where the classifier reads it. */
	if (flows && p->l4proto == P2PG_IPPROTO_TCP && !p->fragment &&
	    (m->dst_class == P2PG_NET_WAN || m->dst_class == P2PG_NET_LAN)) {
		__u32 h = p2pg_kflow_hash(flows, p, netns);
		__u32 bucket = h & (P2PG_KFLOW_BUCKETS - 1);
		/* A SYN without ACK opens a connection: forget the slot. */
		int open = (p->tcp_flags & (P2PG_TCP_SYN | P2PG_TCP_ACK)) ==
			   P2PG_TCP_SYN;
		int data = m->payload_len && p->poff;

		/* Held from the look-up to the last write. */
		p2pg_env_lock(&env, bucket);
		k = p2pg_kflow_slot(flows, bucket,
				    p2pg_kflow_mix(h) | P2PG_KFLOW_VALID,
				    p2pg_env_now(&env), open || data);
		if (k) {
			if (open)
				p2pg_flow_reset(&k->f);
			r->reason = p2pg_path_conn(&env, cfg, p, m, &k->f, gso,
						   w, r);
			/* A reset ends the connection: nothing follows. */
			if (p->tcp_flags & P2PG_TCP_RST)
				k->tag = 0;
		}
		p2pg_env_unlock(&env, bucket);
		/* No memory to judge its stream by (see above). */
		if (!k && data && m->dst_class == P2PG_NET_WAN)
			m->flags |= P2PG_META_UNJUDGED;
	}
	if (!k)
		r->reason = p2pg_path_decide(&env, cfg, p, m,
					     (struct p2pg_flow *)0, &pl, 0, 0,
					     gso, w, r);

	r->drop = p2pg_verdict_drop(cfg, r->reason);
	return r->reason;
}

#endif /* P2PGUARD_PATH_H */
