// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * races.c - the states that runs overlapping on one CPU leave in the
 * program's per-CPU maps, set up by hand, and what the program makes of
 * them: nesting levels held by runs that are not finished (nested, or
 * preempted on a CONFIG_PREEMPT kernel), and destination cache entries
 * mixed from two writes or with a write under way (p2pg_level_claim(),
 * p2pg_dst_class() in bpf/p2pguard.bpf.c).  The program has no atomics
 * (the 32-bit JITs compile none), so these states are its own to handle.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "check.h"
#include "kfeatures.h"
#include "p2pguard.skel.h"
#include "test_bpf.h"

/* Every possible CPU's element 0 of p2pg_levels set to @l. */
static int levels_set(const struct p2pg_levels *l)
{
	int fd = bpf_map__fd(runner.skel->maps.p2pg_levels);
	int n = libbpf_num_possible_cpus(), i, err;
	struct p2pg_levels *v;
	__u32 zero = 0;

	if (n <= 0)
		return -EINVAL;
	v = calloc(n, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		v[i] = *l;
	err = bpf_map_update_elem(fd, &zero, v, BPF_ANY) ? -errno : 0;
	free(v);
	return err;
}

/* Is element 0 of p2pg_levels @l on every possible CPU? */
static int levels_are(const struct p2pg_levels *l)
{
	int fd = bpf_map__fd(runner.skel->maps.p2pg_levels);
	int n = libbpf_num_possible_cpus(), i, same = 1;
	struct p2pg_levels *v;
	__u32 zero = 0;

	if (n <= 0)
		return 0;
	v = calloc(n, sizeof(*v));
	if (!v)
		return 0;
	if (bpf_map_lookup_elem(fd, &zero, v))
		same = 0;
	for (i = 0; same && i < n; i++)
		same = !memcmp(&v[i], l, sizeof(*l));
	free(v);
	return same;
}

/* A vector that takes the window path and has no reason: DNS, UDP. */
static const struct vec_spec *window_vector(void)
{
	size_t i;

	for (i = 0; i < n_vecs; i++)
		if (vecs[i].l4proto == IPPROTO_UDP && vecs[i].dport == 53 &&
		    !vecs[i].gso && !vecs[i].frag_keep &&
		    vecs[i].expect == P2PG_R_NONE)
			return &vecs[i];
	return NULL;
}

/*
 * Nesting levels: a run takes the first free one and frees it again; with
 * every level held, the packet is not judged (fail closed), never passed
 * unjudged.
 */
void test_race_levels(void)
{
	const struct vec_spec *v = window_vector();
	struct p2pg_levels free_ = {}, first = { .owner = { 5 } };
	struct p2pg_levels all = { .owner = { 5, 7, 9, 11 } };
	__u8 frame[VEC_FRAME_MAX];
	struct p2pg_policy p;
	unsigned int got;
	size_t len;
	int verdict;

	if (!check(v != NULL, "levels: a UDP DNS vector without a reason"))
		return;
	if (!check(!p2pg_policy_init_defaults(&p) &&
		   !p2pg_policy_write_maps(&p, &runner.fds), "levels: policy"))
		return;
	p2pg_policy_free(&p);
	len = vec_frame(v, frame);

	/* Level 0 held by an unfinished run: this one takes level 1. */
	if (check(!levels_set(&first), "levels: hold level 0")) {
		got = ~0u;
		verdict = p2pg_runner_run(&runner, frame, len, &got);
		check(verdict == 1 && got == P2PG_R_NONE,
		      "levels: %s with level 0 held: %s, %s", v->name,
		      verdict_name(verdict), p2pg_reason_name(got));
		check(levels_are(&first),
		      "levels: level 0 still its holder's, level 1 freed again");
	}
	/* All held: not judged, so dropped while P2P is off. */
	if (check(!levels_set(&all), "levels: hold every level")) {
		got = ~0u;
		verdict = p2pg_runner_run(&runner, frame, len, &got);
		check(verdict == 0 && got == P2PG_R_UNJUDGED,
		      "levels: %s with every level held: %s, %s (want drop, unjudged)",
		      v->name, verdict_name(verdict), p2pg_reason_name(got));
		check(levels_are(&all), "levels: nobody else's level freed");
	}
	/* Free again: judged as before. */
	if (check(!levels_set(&free_), "levels: free every level")) {
		got = ~0u;
		verdict = p2pg_runner_run(&runner, frame, len, &got);
		check(verdict == 1 && got == P2PG_R_NONE,
		      "levels: %s with every level free: %s, %s", v->name,
		      verdict_name(verdict), p2pg_reason_name(got));
		check(levels_are(&free_), "levels: every level free after the run");
	}
}

/*
 * The cache slot of @a: on every possible CPU set to @e (when @e), and
 * read into @e from the first CPU whose entry holds @a (when not @set).
 * Return: 0, or -1 when no CPU's entry holds @a.
 */
static int dcache_slot_io(const __u32 a[4], struct p2pg_dcache *e, int set)
{
	int fd = bpf_map__fd(runner.skel->maps.p2pg_dcache);
	int n = libbpf_num_possible_cpus(), i, ret = -1;
	__u32 k = p2pg_dcache_slot(a);
	struct p2pg_dcache *v;

	if (n <= 0)
		return -1;
	v = calloc(n, sizeof(*v));
	if (!v)
		return -1;
	if (set) {
		for (i = 0; i < n; i++)
			v[i] = *e;
		ret = bpf_map_update_elem(fd, &k, v, BPF_ANY) ? -1 : 0;
	} else if (!bpf_map_lookup_elem(fd, &k, v)) {
		for (i = 0; i < n && ret; i++)
			if (v[i].family == 4 && !memcmp(v[i].addr, a, 16)) {
				*e = v[i];
				ret = 0;
			}
	}
	free(v);
	return ret;
}

/*
 * Destination cache entries: a consistent entry is used (so the cases
 * after it can tell), one whose check word does not match its fields (two
 * writes mixed) or whose sequence count is odd (a write under way) is not.
 */
void test_race_dcache(void)
{
	static const char text[] = "p2pguard destination cache race";
	struct p2pg_dcache e, deny;
	struct p2pg_policy p;
	struct vec_spec v;
	__u8 frame[VEC_FRAME_MAX];
	unsigned int got;
	__u32 a[4] = {};
	size_t len;

	memset(&v, 0, sizeof(v));
	v.name = "dcache-race";
	v.l4proto = IPPROTO_UDP;
	v.sport = 40000;
	v.dport = 5004;
	vec_set_addr(&v, "198.51.100.78");	/* the Internet, by default */
	memcpy(v.payload, text, sizeof(text) - 1);
	v.payload_len = sizeof(text) - 1;
	len = vec_frame(&v, frame);
	memcpy(a, v.daddr, 4);

	if (!check(!p2pg_policy_init_defaults(&p) &&
		   !p2pg_policy_write_maps(&p, &runner.fds), "dcache: policy"))
		return;
	p2pg_policy_free(&p);
	got = ~0u;
	p2pg_runner_run(&runner, frame, len, &got);
	if (!check(got == P2PG_R_NONE, "dcache: first run: %s",
		   p2pg_reason_name(got)) ||
	    !check(!dcache_slot_io(a, &e, 0) && e.net_class == P2PG_NET_WAN &&
		   !(e.seq & 1) && !e.busy,
		   "dcache: the run filed the destination, as the Internet"))
		return;

	/* The same entry saying deny-listed, consistently: used. */
	deny = e;
	deny.net_class = P2PG_NET_DENY;
	deny.check = p2pg_dcache_check(deny.generation, deny.family,
				       deny.addr, deny.net_class);
	got = ~0u;
	if (check(!dcache_slot_io(a, &deny, 1), "dcache: write a consistent entry")) {
		p2pg_runner_run(&runner, frame, len, &got);
		check(got == P2PG_R_DENY_PREFIX,
		      "dcache: a consistent entry is used: %s",
		      p2pg_reason_name(got));
	}

	/* Its class from another write, the check word from the first. */
	deny.check = e.check;
	got = ~0u;
	if (check(!dcache_slot_io(a, &deny, 1), "dcache: write a mixed entry")) {
		p2pg_runner_run(&runner, frame, len, &got);
		check(got == P2PG_R_NONE,
		      "dcache: an entry mixed from two writes is not used: %s",
		      p2pg_reason_name(got));
	}

	/* Consistent again, but a write is under way (odd count). */
	deny.check = p2pg_dcache_check(deny.generation, deny.family,
				       deny.addr, deny.net_class);
	deny.seq |= 1;
	deny.busy = 1;
	got = ~0u;
	if (check(!dcache_slot_io(a, &deny, 1), "dcache: write an entry under way")) {
		p2pg_runner_run(&runner, frame, len, &got);
		check(got == P2PG_R_NONE,
		      "dcache: an entry with a write under way is not used: %s",
		      p2pg_reason_name(got));
		/* And the writer below it is left to finish its write. */
		check(!dcache_slot_io(a, &e, 0) && e.net_class == P2PG_NET_DENY &&
		      e.busy == 1,
		      "dcache: a run does not write over a write under way");
	}
	memset(&e, 0, sizeof(e));
	dcache_slot_io(a, &e, 1);
}
