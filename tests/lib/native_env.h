/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * native_env.h - the classifier (common/p2pguard_classify.h) compiled natively,
 * its environment answered from a struct p2pg_policy.
 */
#ifndef P2PGUARD_NATIVE_ENV_H
#define P2PGUARD_NATIVE_ENV_H

#include "policy.h"
#include "vectors.h"

/**
 * struct p2pg_native_env - what the BPF program gets from maps and helpers.
 * @policy:   the policy (names, PPPP keys, agents, prefixes).
 * @is_agent: what bpf_skb_cgroup_id()/bpf_get_socket_uid() would say.
 */
struct p2pg_native_env {
	const struct p2pg_policy *policy;
	int is_agent;
};

/**
 * native_classify() - p2pg_classify() over raw metadata and payload.
 * @env:     environment.
 * @m:       metadata (struct p2pg_meta from p2pguard_classify.h).
 * @payload: L4 payload; at most P2PG_WIN_SIZE bytes are used.
 * @len:     bytes in @payload.
 *
 * Fills the window's unused tail with garbage, so a signature that reads
 * past w->len shows up as a native/BPF disagreement.
 *
 * Return: enum p2pg_reason.
 */
struct p2pg_meta;
unsigned int native_classify(const struct p2pg_native_env *env,
			     const struct p2pg_meta *m, const __u8 *payload,
			     size_t len);

/**
 * native_head_wants_window() - p2pg_head_wants_window() over the head of
 * @payload (its first min(@len, P2PG_HEAD_SIZE) bytes).
 * @m:       metadata.
 * @payload: L4 payload.
 * @len:     bytes in @payload.
 *
 * Return: 1 when the head alone cannot decide.
 */
int native_head_wants_window(const struct p2pg_meta *m, const __u8 *payload,
			     size_t len);

/**
 * struct native_head_stats - p2pg_classify_head() checked on every
 * native_classify() call that p2pg_head_decides() lets the BPF program
 * judge from the head alone: it must give p2pg_classify()'s reason.
 * @decided:    calls where the head decides.
 * @hits:       of those, calls whose reason is not NONE.
 * @mismatches: of those, calls where the two reasons differ.
 * @quiet:      of the calls where the head decides, those p2pg_head_quiet()
 *              answers without the classifier (as the BPF program does).
 * @quiet_wrong: of those, calls whose reason is not NONE.
 */
struct native_head_stats {
	size_t decided, hits, mismatches, quiet, quiet_wrong;
};

extern struct native_head_stats native_head_stats;

/**
 * native_classify_vec() - metadata as the BPF program would derive it from
 * vec_frame(@v), then native_classify().
 * @env: environment.
 * @v:   packet.
 *
 * Return: enum p2pg_reason.
 */
unsigned int native_classify_vec(const struct p2pg_native_env *env,
				 const struct vec_spec *v);

/**
 * native_stream() - one segment of a TCP stream through the BPF program's
 * stream path, natively (p2pg_flow_plan(), the window, the classifier,
 * p2pg_flow_after()).
 * @env: environment (its policy's class look-ups).
 * @cfg: the switch, with the generation the connection is judged under.
 * @f:   the connection's memory (all zero for a new connection).
 * @v:   the segment (vec_stream_seg()): destination, ports, payload,
 *       sequence number.
 *
 * Return: enum p2pg_reason.
 */
struct p2pg_flow;
struct p2pg_config;
unsigned int native_stream(const struct p2pg_native_env *env,
			   const struct p2pg_config *cfg, struct p2pg_flow *f,
			   const struct vec_spec *v);

#endif /* P2PGUARD_NATIVE_ENV_H */
