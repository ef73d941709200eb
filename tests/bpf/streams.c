// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * streams.c - test_bpf: the TCP stream vectors segment by segment through
 * the program, and the native stream path agreeing on each.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "check.h"
#include "kfeatures.h"
#include "native_env.h"
#include "p2pguard.skel.h"
#include "test_bpf.h"

/*
 * TCP streams (vec_streams()) through the program: each segment in order
 * on one connection, its reason and verdict as the vector says.
 * BPF_PROG_TEST_RUN gives every run a new socket, so the connection's
 * memory is the cookie LRU's entry of the test key (p2pg_test_flow_key);
 * the stream code is the same as with socket storage, which the live
 * tests run (tests/live/test_tcp_streams.sh).  The native stream path
 * must agree on every segment.
 */
void test_streams(void)
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
