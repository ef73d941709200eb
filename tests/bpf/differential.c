// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * differential.c - test_bpf: the natively compiled classifier and the
 * program agree on every vector and on mutated packets (100000 unless
 * test_bpf is told otherwise), under policies with allow/deny prefixes,
 * agents and lockdown; and p2pg_classify_head() agrees with
 * p2pg_classify() on the packets it decides.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "check.h"
#include "native_env.h"
#include "sys.h"
#include "test_bpf.h"

static void addr_str(const struct vec_spec *v, char *buf, size_t len)
{
	inet_ntop(v->family == 6 ? AF_INET6 : AF_INET, v->daddr, buf, len);
}

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

void test_differential(void)
{
	struct p2pg_runner *r = &runner;
	__u64 seed = diff_seed;
	size_t mutations = diff_mutations;
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
	printf("differential: seed %llu (rerun: test_bpf -t differential %llu %zu)\n",
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
