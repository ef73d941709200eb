// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * fallbacks.c - test_bpf: the program as loaded on old kernels (perf
 * buffer instead of ring buffer, cookie LRU instead of socket storage)
 * judges every vector as the current one does.
 */
#include <errno.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "check.h"
#include "kfeatures.h"
#include "p2pguard.skel.h"
#include "test_bpf.h"

/*
 * The program as loaded on kernels without ring buffer (< 5.8) and socket
 * storage (< 5.2): perf buffer and cookie LRU.  Verified here too, and
 * classifying the same.
 */
void test_fallbacks(void)
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
