// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * verdicts.c - test_bpf: every vector's reason and verdict under the four
 * switches (default, P2P on, audit, lockdown) and the counters they leave;
 * p2pguard_full judging alone as the entry does; empty slots of p2pg_progs
 * failing closed; the per-CPU destination cache retired by a list change.
 */
#include <errno.h>
#include <string.h>
#include <netinet/in.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "check.h"
#include "kfeatures.h"
#include "p2pguard.skel.h"
#include "test_bpf.h"

static int counters(struct p2pg_runner *r, struct p2pg_counter *c)
{
	return p2pg_counters_read(bpf_map__fd(r->skel->maps.p2pg_counters), c);
}

static const char *const sw_names[] = {
	"default", "p2p-on", "audit", "lockdown",
};

/* The switches of @sw on the default policy @p. */
static void sw_set(struct p2pg_policy *p, int sw)
{
	p->cfg.p2p_enabled = sw == SW_P2P_ON;
	p->cfg.mode = sw == SW_AUDIT ? P2PG_MODE_AUDIT : P2PG_MODE_ENFORCE;
	p->cfg.lockdown = sw == SW_LOCKDOWN;
}

void test_vectors(int sw)
{
	struct p2pg_runner *r = &runner;
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
	sw_set(&p, sw);
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
		if (want_drop)
			want_drops[want]++;
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
 * Where a kernel will not put p2pguard_full into p2pg_progs (its JIT
 * compiled one program and not the other), p2pguard_full is attached
 * alone (p2pg_skel_entry()): it must judge every vector as the entry
 * does, under the policy the maps hold now.
 */
static void full_alone(struct p2pg_runner *r, const char *label)
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

/*
 * The program caches each destination's class per CPU under the config
 * generation (p2pg_dst_class()).  A list change written the normal way,
 * with the caller's generation left as it was, must still retire the
 * cached class: classify to X, deny-list X, classify again.
 */
static void dst_cache(struct p2pg_runner *r, const char *addr,
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

/* p2pguard_full alone under the switches of @sw. */
void test_full_alone(int sw)
{
	struct p2pg_policy p;
	int err = p2pg_policy_init_defaults(&p);

	if (!err) {
		sw_set(&p, sw);
		err = p2pg_policy_write_maps(&p, &runner.fds);
		p2pg_policy_free(&p);
	}
	if (err) {
		check(0, "%s: p2pguard_full alone: policy (%s)", sw_names[sw],
		      strerror(-err));
		return;
	}
	full_alone(&runner, sw_names[sw]);
}

/* The destination cache of an IPv4 (@family 4) or IPv6 destination. */
void test_dst_cache(int family)
{
	if (family == 4)
		dst_cache(&runner, "198.51.100.77", "198.51.100.64/26");
	else
		dst_cache(&runner, "2001:db8::77", "2001:db8::/64");
}

/*
 * A slot of p2pg_progs found empty (the array emptied, or a program
 * refused) fails closed: what the missing program would have judged is
 * unjudgeable, dropped while P2P is off and passed while it is on.  An
 * empty event slot costs the event, never the verdict.
 */
void test_empty_slots(void)
{
	static const struct {
		__u32 slot;
		const char *prog, *vec;
		unsigned int want;	/* with the slot empty */
	} cases[] = {
		{ P2PG_PROG_CLASSIFY, "p2pguard_classify", "dns-example",
		  P2PG_R_UNJUDGED },
		{ P2PG_PROG_GSO, "p2pguard_gso", "gso-quic", P2PG_R_UNJUDGED },
		{ P2PG_PROG_EMIT, "p2pguard_emit", "pppp-hello", P2PG_R_PPPP },
	};
	struct p2pg_runner *r = &runner;
	int map = bpf_map__fd(r->skel->maps.p2pg_progs), fd, sw, err;
	__u8 frame[VEC_FRAME_MAX];
	struct p2pg_policy p;
	size_t c;

	for (c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		const struct vec_spec *v = vec_find(cases[c].vec);
		struct bpf_program *prog;

		prog = bpf_object__find_program_by_name(r->skel->obj,
							cases[c].prog);
		if (!check(v && prog, "empty slot %s: vector %s", cases[c].prog,
			   cases[c].vec))
			continue;
		fd = bpf_program__fd(prog);
		if (!check(!bpf_map_delete_elem(map, &cases[c].slot),
			   "empty slot %s: emptied", cases[c].prog))
			continue;
		for (sw = SW_DEFAULT; sw <= SW_P2P_ON; sw++) {
			unsigned int got = ~0u;
			int verdict, want_drop = sw == SW_DEFAULT;

			err = p2pg_policy_init_defaults(&p);
			if (!err) {
				sw_set(&p, sw);
				err = p2pg_policy_write_maps(&p, &r->fds);
				p2pg_policy_free(&p);
			}
			if (!check(!err, "empty slot %s: policy", cases[c].prog))
				break;
			verdict = vec_run(r, v, frame, vec_frame(v, frame),
					  &got);
			check(verdict == !want_drop && got == cases[c].want,
			      "empty slot %s, %s: %s: %s %s (want %s %s)",
			      cases[c].prog, sw_names[sw], v->name,
			      verdict_name(verdict), p2pg_reason_name(got),
			      verdict_name(!want_drop),
			      p2pg_reason_name(cases[c].want));
		}
		check(!bpf_map_update_elem(map, &cases[c].slot, &fd, BPF_ANY),
		      "empty slot %s: put back", cases[c].prog);
	}
}
