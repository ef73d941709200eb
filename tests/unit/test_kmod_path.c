// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_kmod_path - the kernel module's packet path, compiled natively:
 * common/p2pguard_path.h (its parse, the look-ups from the policy blob, the
 * TCP connection memory and the classifier) over the frames of every
 * replay vector (tests/lib/vectors.c), with the policy serialised into a
 * blob and checked by p2pg_blob_check() as the module does.  In each
 * phase the other tests use (default, P2P on, audit, lockdown, agents by
 * uid and by cgroup, allow/deny extras) the reason must be the vector's
 * expected one, the verdict p2pg_verdict_drop()'s, and both the same as
 * the BPF program's native mirror (tests/lib/native_env.c) on the same
 * policy: same replay vectors, same verdicts.
 *
 * Output: PASS/FAIL/SKIP lines (tests/lib/check.h); exit 1 on any FAIL.
 * The parser's quick form (p2pg_parse_quick(), the BPF program's common
 * run) is checked here too, against p2pg_parse() on the same packets.
 * "test_kmod_path --bench [REPEAT]" prints the path's cost per packet
 * instead (make bench); -l lists the cases, -t NAME runs one (check.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/utsname.h>

#include "check.h"
#include "native_env.h"
#include "vectors.h"
#include "policy.h"

/* ---- the module's path over a byte array -------------------------------- */

/**
 * struct kp_ctx - a packet as the module's hook sees it.
 * @pkt: from the network header on.
 * @len: its length (skb->len).
 * @cg:  cgroup id of the sending socket.
 * @uid: its owner.
 */
struct kp_ctx {
	const __u8 *pkt;
	__u32 len;
	__u64 cg;
	__u32 uid;
};

#include "p2pguard_path.h"

/* The path's host (p2pguard_path.h): env->pkt is a struct kp_ctx. */

/* One packet at a time here: nothing to serialise. */
static __always_inline void p2pg_env_lock(struct p2pg_kenv *env, __u32 slot)
{
	(void)env;
	(void)slot;
}

static __always_inline void p2pg_env_unlock(struct p2pg_kenv *env,
					    __u32 slot)
{
	(void)env;
	(void)slot;
}

/* The connection table's clock: the tests move it (kp_crowd()). */
static __u32 kp_now;

static __always_inline __u32 p2pg_env_now(struct p2pg_kenv *env)
{
	(void)env;
	return kp_now;
}

static __always_inline const void *p2pg_env_load(struct p2pg_kenv *env,
						 __u32 off, __u32 len,
						 void *buf)
{
	const struct kp_ctx *c = env->pkt;

	/* Like skb_header_pointer(): no bytes beyond the packet. */
	if (off > c->len || len > c->len - off)
		return NULL;
	/* Through @buf on odd offsets, in place otherwise: both paths. */
	if (off & 1) {
		memcpy(buf, c->pkt + off, len);
		return buf;
	}
	return c->pkt + off;
}

static __always_inline void p2pg_env_ident(struct p2pg_kenv *env,
					   __u64 *cgroup_id, __u32 *uid)
{
	const struct kp_ctx *c = env->pkt;

	*cgroup_id = c->cg;
	*uid = c->uid;
}

/**
 * struct kp_policy - a policy as the module holds it: blob and view.
 * @blob: the serialised policy.
 * @size: its size.
 * @view: p2pg_blob_check()'s view.
 * @cfg:  the switch, as the module takes it: from the blob's header.
 */
struct kp_policy {
	void *blob;
	size_t size;
	struct p2pg_blob_view view;
	struct p2pg_config cfg;
};

static struct p2pg_win kp_win;	/* the module's per-CPU scratch */

static int kp_load(struct kp_policy *kp, const struct p2pg_policy *p,
		   const char *what)
{
	const char *why;
	int err;

	memset(kp, 0, sizeof(*kp));
	err = p2pg_policy_to_blob(p, &kp->blob, &kp->size);
	if (err) {
		check(0, "%s: p2pg_policy_to_blob: %s", what, strerror(-err));
		return -1;
	}
	why = p2pg_blob_check(kp->blob, kp->size, &kp->view);
	if (why) {
		check(0, "%s: blob refused: %s", what, why);
		free(kp->blob);
		return -1;
	}
	kp->cfg = kp->view.hdr->cfg;
	return 0;
}

/* Frame of @v without its Ethernet header; the family from its type. */
static size_t kp_packet(const struct vec_spec *v, __u8 *frame, int *family)
{
	size_t len = vec_frame(v, frame);

	*family = frame[12] == 0x86 && frame[13] == 0xdd ? 6 : 4;
	return len - 14;
}

/* As kp_run(), for a UDP GSO send of segments of @gso bytes. */
static __u32 kp_run_gso(const struct kp_policy *kp,
			struct p2pg_kflow_table *ft, const __u8 *pkt,
			size_t len, int family, __u64 cg, __u32 uid, __u32 gso,
			struct p2pg_path_res *r)
{
	struct kp_ctx c = { .pkt = pkt, .len = len, .cg = cg, .uid = uid };

	return p2pg_path(&c, len, family, &kp->view, &kp->cfg, ft, 1, gso,
			 &kp_win, r);
}

static __u32 kp_run(const struct kp_policy *kp, struct p2pg_kflow_table *ft,
		    const __u8 *pkt, size_t len, int family, __u64 cg,
		    __u32 uid, struct p2pg_path_res *r)
{
	return kp_run_gso(kp, ft, pkt, len, family, cg, uid, 0, r);
}

/* ---- phases ------------------------------------------------------------- */

enum kp_phase {
	KP_DEFAULT, KP_P2P_ON, KP_AUDIT, KP_LOCKDOWN, KP_AGENT_UID,
	KP_AGENT_CG, KP_EXTRAS, KP__COUNT
};

static const char *const kp_phase_names[KP__COUNT] = {
	"default", "p2p-on", "audit", "lockdown", "agent-uid", "agent-cgroup",
	"extras",
};

/* The sending socket in every phase; agents name it or another one. */
#define KP_UID		1000
#define KP_CG		0x100000123ULL

static int kp_add_u32(__u32 **a, size_t *n, __u32 x)
{
	__u32 *m = realloc(*a, (*n + 1) * sizeof(*m));

	if (!m)
		return -ENOMEM;
	m[(*n)++] = x;
	*a = m;
	return 0;
}

static int kp_add_u64(__u64 **a, size_t *n, __u64 x)
{
	__u64 *m = realloc(*a, (*n + 1) * sizeof(*m));

	if (!m)
		return -ENOMEM;
	m[(*n)++] = x;
	*a = m;
	return 0;
}

static int kp_phase_policy(struct p2pg_policy *p, enum kp_phase ph)
{
	/* As tests/bpf/test_bpf.c's differential: away from the vectors. */
	static const char *const allow[] = {
		"192.0.2.64/26", "198.51.100.200/29", "2001:db8:a::/48",
	};
	static const char *const deny[] = {
		"198.51.100.192/26", "10.99.0.0/16", "2001:db8:dead::/48",
	};
	size_t i;
	int err = p2pg_policy_init_defaults(p);

	p->cfg.p2p_enabled = ph == KP_P2P_ON;
	p->cfg.mode = ph == KP_AUDIT ? P2PG_MODE_AUDIT : P2PG_MODE_ENFORCE;
	p->cfg.lockdown = ph == KP_LOCKDOWN;
	if (!err && ph == KP_AGENT_UID)
		err = kp_add_u32(&p->agent_uids, &p->n_agent_uids, KP_UID);
	if (!err && ph == KP_AGENT_CG)
		err = kp_add_u64(&p->agent_cgroups, &p->n_agent_cgroups,
				 KP_CG);
	if (err || ph != KP_EXTRAS)
		return err;
	for (i = 0; !err && i < sizeof(allow) / sizeof(allow[0]); i++)
		err = p2pg_policy_add_prefix(p, allow[i], P2PG_NET_ALLOW);
	for (i = 0; !err && i < sizeof(deny) / sizeof(deny[0]); i++)
		err = p2pg_policy_add_prefix(p, deny[i], P2PG_NET_DENY);
	if (!err)
		err = p2pg_policy_add_domain(p, "rendezvous.example");
	/* Agents that are not the sender: they must change nothing. */
	if (!err)
		err = kp_add_u32(&p->agent_uids, &p->n_agent_uids, 4242);
	if (!err)
		err = kp_add_u32(&p->agent_uids, &p->n_agent_uids, 0);
	if (!err)
		err = kp_add_u64(&p->agent_cgroups, &p->n_agent_cgroups,
				 0x7fffdeadbeef0001ULL);
	return err;
}

/* The reason a vector must get in @ph (the default is vec_spec.expect). */
static unsigned int kp_expect(const struct p2pg_policy *p, enum kp_phase ph,
			      const struct vec_spec *v)
{
	int cls = p2pg_policy_net_class(p, v->family, v->daddr), wan;

	/* Denied names first, whatever the resolver; then allow and deny. */
	if (v->expect != P2PG_R_DNS_NAME && cls == P2PG_NET_ALLOW)
		return P2PG_R_NONE;
	if (v->expect != P2PG_R_DNS_NAME && cls == P2PG_NET_DENY)
		return P2PG_R_DENY_PREFIX;
	if (v->expect != P2PG_R_NONE)
		return v->expect;
	wan = cls == P2PG_NET_WAN;
	if (wan && ph == KP_LOCKDOWN)
		return P2PG_R_LOCKDOWN;
	if (wan && (ph == KP_AGENT_UID || ph == KP_AGENT_CG))
		return P2PG_R_AGENT;
	return P2PG_R_NONE;
}

static void kp_phase(int ph)
{
	const char *name = kp_phase_names[ph];
	struct p2pg_policy p;
	struct kp_policy kp;
	struct p2pg_native_env env;
	const struct vec_spec *vecs;
	__u8 frame[VEC_FRAME_MAX];
	size_t n, i, bad = 0, drops = 0, changed = 0;

	if (kp_phase_policy(&p, ph)) {
		check(0, "%s: cannot build the policy", name);
		p2pg_policy_free(&p);
		return;
	}
	if (kp_load(&kp, &p, name)) {
		p2pg_policy_free(&p);
		return;
	}
	check(kp.cfg.p2p_enabled == p.cfg.p2p_enabled &&
	      kp.cfg.mode == p.cfg.mode && kp.cfg.lockdown == p.cfg.lockdown,
	      "%s: the switch travels in the blob (p2p %u, mode %u, lockdown %u)",
	      name, kp.cfg.p2p_enabled, kp.cfg.mode, kp.cfg.lockdown);
	env.policy = &p;
	env.is_agent = ph == KP_AGENT_UID || ph == KP_AGENT_CG;

	vecs = vec_all(&n);
	for (i = 0; i < n; i++) {
		const struct vec_spec *v = &vecs[i];
		unsigned int want = kp_expect(&p, ph, v), bpf;
		struct p2pg_path_res r;
		int family, want_drop;
		size_t len = kp_packet(v, frame, &family);

		kp_run_gso(&kp, NULL, frame + 14, len, family, KP_CG, KP_UID,
			   v->gso, &r);
		bpf = native_classify_vec(&env, v);
		want_drop = want != P2PG_R_NONE && want != P2PG_R_NOT_IP &&
			    !p.cfg.p2p_enabled &&
			    p.cfg.mode == P2PG_MODE_ENFORCE;
		drops += r.drop;
		changed += want != v->expect;
		if (r.reason == want && bpf == want && r.drop == want_drop) {
			if (ph == KP_DEFAULT)
				check(1, "%s: %s: %s %s", name, v->name,
				      r.drop ? "drop" : "pass",
				      p2pg_reason_name(r.reason));
			continue;
		}
		bad++;
		check(0, "%s: %s: module %s %s, BPF mirror %s, want %s %s",
		      name, v->name, r.drop ? "drop" : "pass",
		      p2pg_reason_name(r.reason), p2pg_reason_name(bpf),
		      want_drop ? "drop" : "pass", p2pg_reason_name(want));
	}
	if (ph != KP_DEFAULT)
		check(!bad, "%s: %zu vectors through the module path, %zu wrong, %zu dropped",
		      name, n, bad, drops);
	/* A phase that changes nothing it should change proves nothing. */
	if (ph == KP_LOCKDOWN || ph == KP_AGENT_UID || ph == KP_AGENT_CG ||
	    ph == KP_EXTRAS)
		check(changed >= 5, "%s: %zu vectors change reason", name,
		      changed);
	if (ph == KP_P2P_ON || ph == KP_AUDIT)
		check(drops == 0, "%s: nothing dropped", name);
	free(kp.blob);
	p2pg_policy_free(&p);
}

/* ---- mutated vectors: module path vs the BPF mirror --------------------- */

static __u32 kp_rng = 0x2545f491;

static __u32 kp_rand(void)
{
	kp_rng ^= kp_rng << 13;
	kp_rng ^= kp_rng >> 17;
	kp_rng ^= kp_rng << 5;
	return kp_rng;
}

static void kp_mutations(void)
{
	struct p2pg_policy p;
	struct kp_policy kp;
	struct p2pg_native_env env;
	const struct vec_spec *vecs;
	static struct vec_spec m;
	__u8 frame[VEC_FRAME_MAX];
	size_t n, i, k, runs = 0, bad = 0;

	if (kp_phase_policy(&p, KP_EXTRAS) || kp_load(&kp, &p, "mutations")) {
		check(0, "mutations: cannot build the policy");
		p2pg_policy_free(&p);
		return;
	}
	env.policy = &p;
	env.is_agent = 0;
	vecs = vec_all(&n);
	for (i = 0; i < n; i++) {
		for (k = 0; k < 40; k++) {
			struct p2pg_path_res r;
			unsigned int bpf;
			int family, j;
			size_t len;

			m = vecs[i];
			/* A few bytes changed, sometimes the length too. */
			for (j = kp_rand() % 4; j >= 0 && m.payload_len; j--)
				m.payload[kp_rand() % m.payload_len] = kp_rand();
			if (kp_rand() % 4 == 0 && m.payload_len)
				m.payload_len = kp_rand() % (m.payload_len + 1);
			if (kp_rand() % 8 == 0)
				m.dport = (const __u16[]){ 53, 1900, 5351,
					32100, 8800, 47000 }[kp_rand() % 6];
			len = kp_packet(&m, frame, &family);
			kp_run_gso(&kp, NULL, frame + 14, len, family, KP_CG,
				   KP_UID, m.gso, &r);
			bpf = native_classify_vec(&env, &m);
			runs++;
			if (r.reason != bpf && bad++ < 5)
				printf("  %s mutation %zu: module %s, BPF mirror %s\n",
				       vecs[i].name, k,
				       p2pg_reason_name(r.reason),
				       p2pg_reason_name(bpf));
		}
	}
	check(!bad && runs > 4000,
	      "mutations: %zu mutated vectors, module path = BPF mirror (%zu differ)",
	      runs, bad);
	free(kp.blob);
	p2pg_policy_free(&p);
}

/* ---- TCP connection memory ---------------------------------------------- */

/* @payload_of's bytes on @conn's connection, with TCP flags @flags. */
static __u32 kp_tcp(const struct kp_policy *kp, struct p2pg_kflow_table *ft,
		    const char *conn, const char *payload_of, __u8 flags)
{
	const struct vec_spec *c = vec_find(conn), *pl = vec_find(payload_of);
	static struct vec_spec v;
	struct p2pg_path_res r;
	__u8 frame[VEC_FRAME_MAX];
	int family;
	size_t len;

	v = *c;
	memcpy(v.payload, pl->payload, pl->payload_len);
	v.payload_len = flags & P2PG_TCP_SYN ? 0 : pl->payload_len;
	len = kp_packet(&v, frame, &family);
	/* TCP flags: byte 13 of the header after the IP header. */
	frame[14 + (family == 4 ? 20 : 40) + 13] = flags;
	return kp_run(kp, ft, frame + 14, len, family, KP_CG, KP_UID, &r);
}

static void kp_flows(void)
{
	static struct p2pg_kflow_table ft;
	struct p2pg_policy p;
	struct kp_policy kp;
	const __u8 psh = 0x18, syn = P2PG_TCP_SYN;
	__u32 r1, r2, r3, r4;

	if (kp_phase_policy(&p, KP_DEFAULT) || kp_load(&kp, &p, "flows")) {
		check(0, "flows: cannot build the policy");
		p2pg_policy_free(&p);
		return;
	}
	ft.seed = 0x1234;
	/* A Dahua request: the rest of that connection keeps the reason. */
	r1 = kp_tcp(&kp, &ft, "dahua-dhget-tcp", "dahua-dhget-tcp", psh);
	r2 = kp_tcp(&kp, &ft, "dahua-dhget-tcp", "http-get-firmware", psh);
	check(r1 == P2PG_R_DAHUA && r2 == P2PG_R_DAHUA,
	      "flows: dahua, then plain HTTP on the same connection: %s, %s",
	      p2pg_reason_name(r1), p2pg_reason_name(r2));
	/* Without memory the second packet passes (the control). */
	r3 = kp_tcp(&kp, NULL, "dahua-dhget-tcp", "http-get-firmware", psh);
	check(r3 == P2PG_R_NONE, "flows: plain HTTP without memory: %s",
	      p2pg_reason_name(r3));
	/* A SYN opens a new connection on that 4-tuple: forgotten. */
	r3 = kp_tcp(&kp, &ft, "dahua-dhget-tcp", "http-get-firmware", syn);
	r4 = kp_tcp(&kp, &ft, "dahua-dhget-tcp", "http-get-firmware", psh);
	check(r3 == P2PG_R_NONE && r4 == P2PG_R_NONE,
	      "flows: SYN then plain HTTP on the same 4-tuple: %s, %s",
	      p2pg_reason_name(r3), p2pg_reason_name(r4));
	/*
	 * The same bytes again on a connection judged clean are a
	 * retransmission: not judged again (streams: kp_streams()).
	 */
	r1 = kp_tcp(&kp, &ft, "http-get-firmware", "http-get-firmware", psh);
	r2 = kp_tcp(&kp, &ft, "http-get-firmware", "http-get-firmware", psh);
	r3 = kp_tcp(&kp, &ft, "xiongmai-cfg", "xiongmai-cfg", psh);
	check(r1 == P2PG_R_NONE && r2 == P2PG_R_NONE && r3 == P2PG_R_XIONGMAI,
	      "flows: a clean request, sent again: %s, %s; xiongmai on its own: %s",
	      p2pg_reason_name(r1), p2pg_reason_name(r2),
	      p2pg_reason_name(r3));
	/* Sticky on LAN too: a UPnP AddPortMapping connection. */
	r1 = kp_tcp(&kp, &ft, "upnp-add-port-mapping", "upnp-add-port-mapping",
		    psh);
	r2 = kp_tcp(&kp, &ft, "upnp-add-port-mapping", "rtsp-options", psh);
	check(r1 == P2PG_R_UPNP_MAP && r2 == P2PG_R_UPNP_MAP,
	      "flows: upnp add-port-mapping, then more on it: %s, %s",
	      p2pg_reason_name(r1), p2pg_reason_name(r2));
	free(kp.blob);
	p2pg_policy_free(&p);
}

/*
 * TCP streams (vec_streams()) through the module's path and its
 * connection table: each segment's reason and verdict as the vector says,
 * and as the BPF program's stream path natively (native_stream()).
 */
static void kp_streams(void)
{
	static struct p2pg_kflow_table ft;
	struct p2pg_native_env env;
	const struct vec_stream *st;
	struct p2pg_policy p;
	struct kp_policy kp;
	size_t n, i, k, segs = 0, bad = 0;

	if (kp_phase_policy(&p, KP_DEFAULT) || kp_load(&kp, &p, "streams")) {
		check(0, "streams: cannot build the policy");
		p2pg_policy_free(&p);
		return;
	}
	env.policy = &p;
	env.is_agent = 0;
	st = vec_streams(&n);
	for (i = 0; i < n; i++) {
		const struct vec_stream *s = &st[i];
		struct p2pg_config ncfg = p.cfg;
		struct p2pg_flow f;

		memset(&ft, 0, sizeof(ft));
		ft.seed = 0x5eed + i;
		memset(&f, 0, sizeof(f));
		kp.cfg.p2p_enabled = s->p2p_on;
		ncfg.p2p_enabled = s->p2p_on;
		for (k = 0; k < s->n_seg; k++) {
			__u8 frame[VEC_FRAME_MAX];
			struct p2pg_path_res r;
			struct vec_spec v;
			unsigned int want = s->seg[k].expect, nat;
			int family;
			size_t len;

			if (s->seg[k].flags & VSEG_SWITCH) {
				kp.cfg.p2p_enabled = 0;
				kp.cfg.generation++;
				ncfg.p2p_enabled = 0;
				ncfg.generation++;
			}
			vec_stream_seg(s, k, &v);
			len = kp_packet(&v, frame, &family);
			kp_run(&kp, &ft, frame + 14, len, family, KP_CG, KP_UID,
			       &r);
			nat = native_stream(&env, &ncfg, &f, &v);
			segs++;
			if (r.reason == want && nat == want &&
			    r.drop == p2pg_verdict_drop(&kp.cfg, want))
				continue;
			bad++;
			printf("  %s: segment %zu [%u, +%u): module %s %s, native %s, want %s\n",
			       s->name, k, s->seg[k].off, s->seg[k].len,
			       p2pg_reason_name(r.reason),
			       r.drop ? "drop" : "pass",
			       p2pg_reason_name(nat), p2pg_reason_name(want));
			break;
		}
	}
	check(!bad, "streams: %zu TCP streams, %zu segments through the module's table, %zu wrong",
	      n, segs, bad);
	free(kp.blob);
	p2pg_policy_free(&p);
}

/*
 * A crowd: @n connections from ports @port.. to the "Internet", each one
 * packet of http-get-firmware's payload (fewer than the 256 bytes that
 * settle a connection: each stays being judged) or, with @flags other
 * than PSH|ACK, none.  Return: how many were judged unjudgeable.
 */
static size_t kp_crowd_send(const struct kp_policy *kp,
			    struct p2pg_kflow_table *ft, __u16 port, size_t n,
			    __u8 flags)
{
	const struct vec_spec *c = vec_find("http-get-firmware");
	static struct vec_spec v;
	__u8 frame[VEC_FRAME_MAX];
	struct p2pg_path_res r;
	size_t i, lost = 0, len;
	int family;

	for (i = 0; i < n; i++) {
		v = *c;
		v.sport = (__u16)(port + i);
		if (flags != 0x18)
			v.payload_len = 0;
		len = kp_packet(&v, frame, &family);
		frame[14 + (family == 4 ? 20 : 40) + 13] = flags;
		if (kp_run(kp, ft, frame + 14, len, family, KP_CG, KP_UID,
			   &r) == P2PG_R_UNJUDGED)
			lost++;
	}
	return lost;
}

static size_t kp_slots_used(const struct p2pg_kflow_table *ft)
{
	size_t i, used = 0;

	for (i = 0; i < P2PG_KFLOW_SLOTS; i++)
		used += ft->slot[i].tag != 0;
	return used;
}

/*
 * The connection table under pressure: every stream vector judged with a
 * crowd of connections, more than the table holds, sending between each
 * of its segments.  A connection still being judged keeps its memory
 * (else a signature split across the crowd would pass, as it did with
 * direct-mapped slots); the crowd's newcomers without a slot are
 * unjudgeable.  Then: pure ACKs take no slot, a RST frees one, and a slot
 * idle past P2PG_KFLOW_IDLE_MS is given to a newcomer.
 */
static void kp_crowd(void)
{
	static struct p2pg_kflow_table ft;
	const struct vec_stream *st;
	struct p2pg_policy p;
	struct kp_policy kp;
	size_t n, i, k, bad = 0, lost = 0, evicted = 0, before, used;
	/* Some 16 a bucket between segments, 32 to fill every bucket. */
	const size_t crowd = 4 * P2PG_KFLOW_SLOTS, fill = 8 * P2PG_KFLOW_SLOTS;

	if (kp_phase_policy(&p, KP_DEFAULT) || kp_load(&kp, &p, "crowd")) {
		check(0, "crowd: cannot build the policy");
		p2pg_policy_free(&p);
		return;
	}
	st = vec_streams(&n);
	for (i = 0; i < n; i++) {
		const struct vec_stream *s = &st[i];

		memset(&ft, 0, sizeof(ft));
		ft.seed = 0xc0de + i;
		kp_now = 1000;
		kp.cfg = p.cfg;
		kp.cfg.p2p_enabled = s->p2p_on;
		for (k = 0; k < s->n_seg; k++) {
			__u8 frame[VEC_FRAME_MAX];
			struct p2pg_path_res r;
			struct vec_spec v;
			unsigned int want = s->seg[k].expect;
			int family;
			size_t len;

			if (s->seg[k].flags & VSEG_SWITCH) {
				kp.cfg.p2p_enabled = 0;
				kp.cfg.generation++;
			}
			/* Ports far from the vectors' own; after the first. */
			if (k)
				lost += kp_crowd_send(&kp, &ft, 2000, crowd,
						      0x18);
			kp_now += 1000;
			vec_stream_seg(s, k, &v);
			len = kp_packet(&v, frame, &family);
			kp_run(&kp, &ft, frame + 14, len, family, KP_CG, KP_UID,
			       &r);
			if (r.reason == want)
				continue;
			/*
			 * A connection past the bound is clean: its slot may
			 * go to the crowd, and then it has none to come back
			 * to.  Unjudgeable, never passed where want drops.
			 */
			if (r.reason == P2PG_R_UNJUDGED &&
			    s->seg[k].off >= P2PG_FLOW_KEEP &&
			    r.drop >= p2pg_verdict_drop(&kp.cfg, want)) {
				evicted++;
				continue;
			}
			bad++;
			printf("  %s: segment %zu [%u, +%u) in a crowd: %s, want %s\n",
			       s->name, k, s->seg[k].off, s->seg[k].len,
			       p2pg_reason_name(r.reason),
			       p2pg_reason_name(want));
			break;
		}
	}
	check(!bad && lost > 0,
	      "crowd: %zu TCP streams with %zu connections sending between segments: %zu wrong, %zu clean ones unjudgeable after losing their slot, %zu crowd packets unjudgeable",
	      n, crowd, bad, evicted, lost);

	/* A full table: pure ACKs take nothing, a RST frees a slot. */
	memset(&ft, 0, sizeof(ft));
	ft.seed = 0xfee1;
	kp_now = 5000;
	kp.cfg = p.cfg;
	lost = kp_crowd_send(&kp, &ft, 2000, fill, 0x18);
	used = kp_slots_used(&ft);
	before = used;
	kp_crowd_send(&kp, &ft, 30000, fill, 0x10);
	check(used == P2PG_KFLOW_SLOTS && lost == fill - used &&
	      kp_slots_used(&ft) == before,
	      "crowd: %zu connections fill the %u slots (%zu unjudgeable); pure ACKs of %zu others take none (%zu used)",
	      fill, P2PG_KFLOW_SLOTS, lost, fill, kp_slots_used(&ft));
	kp_crowd_send(&kp, &ft, 2000, fill, 0x14);
	check(kp_slots_used(&ft) == 0,
	      "crowd: their RSTs free every slot (%zu used)",
	      kp_slots_used(&ft));
	/* Full again; idle past the bound, newcomers get slots. */
	kp_crowd_send(&kp, &ft, 2000, fill, 0x18);
	kp_now += P2PG_KFLOW_IDLE_MS;
	before = kp_crowd_send(&kp, &ft, 30000, 64, 0x18);
	kp_now += 1;
	lost = kp_crowd_send(&kp, &ft, 40000, 64, 0x18);
	check(before == 64 && lost == 0,
	      "crowd: newcomers to a full table: %zu of 64 unjudgeable at the idle bound, %zu of 64 past it",
	      before, lost);
	free(kp.blob);
	p2pg_policy_free(&p);
}

/* ---- parsing edges ------------------------------------------------------ */

static void kp_parse_edges(void)
{
	const struct vec_spec *v = vec_find("pppp-hello");
	struct p2pg_policy p;
	struct kp_policy kp;
	struct p2pg_path_res r;
	__u8 frame[VEC_FRAME_MAX];
	int family;
	size_t len;
	__u32 got;

	if (kp_phase_policy(&p, KP_DEFAULT) || kp_load(&kp, &p, "parse")) {
		check(0, "parse: cannot build the policy");
		p2pg_policy_free(&p);
		return;
	}
	len = kp_packet(v, frame, &family);
	got = kp_run(&kp, NULL, frame + 14, len, family, 0, 0, &r);
	check(got == P2PG_R_PPPP && r.drop && r.pkt.dport == v->dport &&
	      r.m.payload_len == v->payload_len,
	      "parse: %s: %s, dport %u, payload %u", v->name,
	      p2pg_reason_name(got), r.pkt.dport, r.m.payload_len);
	/* A UDP length beyond the packet: clamped to what is there. */
	frame[14 + 20 + 5] += 100;
	got = kp_run(&kp, NULL, frame + 14, len, family, 0, 0, &r);
	check(got == P2PG_R_PPPP && r.m.payload_len == v->payload_len,
	      "parse: UDP length 100 beyond the packet -> %s, payload %u",
	      p2pg_reason_name(got), r.m.payload_len);
	/* Cut inside the UDP header: no ports, no payload: fails closed. */
	got = kp_run(&kp, NULL, frame + 14, 24, family, 0, 0, &r);
	check(got == P2PG_R_UNJUDGED && r.drop && r.m.dport == 0 && !r.looked,
	      "parse: packet cut inside the UDP header -> %s",
	      p2pg_reason_name(got));
	/* Not the hook's family, or not IP at all: not-ip, passed. */
	got = kp_run(&kp, NULL, frame + 14, len, 6, 0, 0, &r);
	check(got == P2PG_R_NOT_IP && !r.drop,
	      "parse: IPv4 bytes at the IPv6 hook -> %s",
	      p2pg_reason_name(got));
	got = kp_run(&kp, NULL, frame + 14, 19, family, 0, 0, &r);
	check(got == P2PG_R_NOT_IP, "parse: 19-byte IPv4 packet -> %s",
	      p2pg_reason_name(got));
	free(kp.blob);
	p2pg_policy_free(&p);

	/* Before any blob the module runs the empty view: fail closed. */
	{
		static struct kp_policy empty;

		len = kp_packet(v, frame, &family);
		got = kp_run(&empty, NULL, frame + 14, len, family, 0, 0, &r);
		check(got == P2PG_R_PPPP && r.drop,
		      "parse: no policy yet: %s %s", r.drop ? "drop" : "pass",
		      p2pg_reason_name(got));
	}
}

/* ---- the parser's quick form -------------------------------------------- */

/*
 * p2pg_parse_quick() against p2pg_parse() on one packet, the way the BPF
 * program calls it: only with P2PG_QUICK_BYTES of linear data, from a
 * 4-byte aligned start.  Return: 1 quick took it, 0 it declined, -1 it
 * took it and disagrees with p2pg_parse() (or took what that rejects).
 */
static int kp_quick_one(const __u8 *pkt, size_t len, int family)
{
	static __u32 words[VEC_FRAME_MAX / 4 + 1];
	struct kp_ctx c = { .pkt = pkt, .len = len };
	struct p2pg_kenv env = { .pkt = &c };
	struct p2pg_pkt a, b;

	if (len < P2PG_QUICK_BYTES)
		return 0;
	memset(words, 0, sizeof(words));
	memcpy(words, pkt, len);
	memset(&b, 0x5a, sizeof(b));
	if (p2pg_parse_quick(words, len, family, &b))
		return 0;
	if (p2pg_parse(&env, len, family, &a))
		return -1;
	return memcmp(&a, &b, sizeof(a)) ? -1 : 1;
}

static void kp_parse_quick(void)
{
	/* Taken (1): the common packets; left to p2pg_parse() (0): others. */
	static const struct {
		const char *name;
		int want;
	} named[] = {
		{ "rtp-h264", 1 }, { "rtp-h264-wan", 1 },
		{ "rtp-h264-wan-v6", 1 }, { "quic-initial", 1 },
		{ "ntp-client", 1 }, { "pppp-drw-fragment", 0 },
		{ "pppp-drw-fragment-v6", 0 }, { "pppp-drw-fragment-ext", 0 },
		{ "http-get-firmware", 0 }, { "icmp-echo", 0 },
		{ "icmpv6-echo", 0 },
	};
	const struct vec_spec *vecs;
	__u8 frame[VEC_FRAME_MAX];
	size_t n, i, k, len, took = 0, runs = 0, bad = 0;
	int family, r, f;

	for (i = 0; i < sizeof(named) / sizeof(named[0]); i++) {
		len = kp_packet(vec_find(named[i].name), frame, &family);
		r = kp_quick_one(frame + 14, len, family);
		check(r == named[i].want, "quick parse: %s %s (%d)",
		      named[i].name, named[i].want ?
		      "taken, same as p2pg_parse()" : "left to p2pg_parse()", r);
	}
	/*
	 * Every vector at both hooks, then with header bytes changed (the
	 * version, header length, fragment field, protocol or next header,
	 * UDP length) and cut short: where quick takes a packet, it must
	 * find what p2pg_parse() finds.
	 */
	vecs = vec_all(&n);
	for (i = 0; i < n; i++) {
		for (k = 0; k < 200; k++) {
			static const __u8 hot[] = { 0, 6, 7, 9, 24, 25, 44, 45 };
			int j;

			len = kp_packet(&vecs[i], frame, &family);
			f = k < 2 ? (k ? 10 - family : family) : family;
			for (j = k < 2 ? -1 : (int)(kp_rand() % 3); j >= 0; j--) {
				__u8 at = hot[kp_rand() % sizeof(hot)];

				frame[14 + at] ^= 1u << (kp_rand() % 8);
			}
			if (k >= 2 && kp_rand() % 4 == 0)
				len = kp_rand() % (len + 1);
			r = kp_quick_one(frame + 14, len, f);
			runs++;
			took += r == 1;
			if (r < 0 && bad++ < 5)
				printf("  %s case %zu: quick parse differs\n",
				       vecs[i].name, k);
		}
	}
	check(!bad && took > runs / 10,
	      "quick parse: %zu packets, %zu taken, all as p2pg_parse() (%zu differ)",
	      runs, took, bad);
}

/* ---- --bench: the path's cost, natively (make bench) --------------------- */

static double kp_now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e9 + t.tv_nsec;
}

/*
 * ns per packet through p2pg_path() compiled for this machine, best of five
 * runs of @repeat: a proxy for the module's cost (no skb, no hook), for
 * seeing what a change to the path does.  Prints an RST table; asserts
 * nothing.
 */
static int kp_bench(int repeat)
{
	static const char *const names[] = {
		"rtp-h264", "rtp-h264-wan", "rtp-h264-wan-v6", "quic-initial",
		"http-get-firmware", "dns-example", "pppp-hello",
		"pppp-scr-SSD@cs2-network.-hello", "tutk-get-remote-ip",
		"stun-binding", "dns-m1-iotcplatform", "ssdp-igd",
	};
	struct p2pg_policy p;
	struct kp_policy kp;
	struct utsname u;
	time_t now = time(NULL);
	char date[32];
	size_t i;
	int k, j;

	if (p2pg_policy_init_defaults(&p) || kp_load(&kp, &p, "bench"))
		return 1;
	uname(&u);
	strftime(date, sizeof(date), "%Y-%m-%d", gmtime(&now));
	printf("Measured %s on %s %s, kernel %s; the module's path compiled for user space (gcc -O2), %d runs per packet, best of 5.\n\n",
	       date, u.nodename, u.machine, u.release, repeat);
	printf("=============================== ========= ====================\n");
	printf("packet                          ns/packet reason\n");
	printf("=============================== ========= ====================\n");
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		__u8 frame[VEC_FRAME_MAX];
		struct p2pg_path_res r;
		double best = 1e18, t;
		int family;
		size_t len = kp_packet(vec_find(names[i]), frame, &family);

		for (j = 0; j < 5; j++) {
			t = kp_now_ns();
			for (k = 0; k < repeat; k++)
				kp_run(&kp, NULL, frame + 14, len, family, 0, 0,
				       &r);
			t = (kp_now_ns() - t) / repeat;
			if (t < best)
				best = t;
		}
		printf("%-31.31s %9.1f %s\n", names[i], best,
		       p2pg_reason_name(r.reason));
	}
	printf("=============================== ========= ====================\n");
	free(kp.blob);
	p2pg_policy_free(&p);
	return 0;
}

static const struct check_test tests[] = {
	CHECK_TEST_ARG("phase_default", kp_phase, KP_DEFAULT),
	CHECK_TEST_ARG("phase_p2p_on", kp_phase, KP_P2P_ON),
	CHECK_TEST_ARG("phase_audit", kp_phase, KP_AUDIT),
	CHECK_TEST_ARG("phase_lockdown", kp_phase, KP_LOCKDOWN),
	CHECK_TEST_ARG("phase_agent_uid", kp_phase, KP_AGENT_UID),
	CHECK_TEST_ARG("phase_agent_cgroup", kp_phase, KP_AGENT_CG),
	CHECK_TEST_ARG("phase_extras", kp_phase, KP_EXTRAS),
	CHECK_TEST_FN("mutations", kp_mutations),
	CHECK_TEST_FN("flows", kp_flows),
	CHECK_TEST_FN("streams", kp_streams),
	CHECK_TEST_FN("crowd", kp_crowd),
	CHECK_TEST_FN("parse_edges", kp_parse_edges),
	CHECK_TEST_FN("parse_quick", kp_parse_quick),
};

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "--bench"))
		return kp_bench(argc > 2 ? atoi(argv[2]) : 1000000);

	check_options(argc, argv, tests, CHECK_COUNT(tests), "| --bench [REPEAT]");
	check_run(tests, CHECK_COUNT(tests));
	return check_exit();
}
