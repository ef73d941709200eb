/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * test_bpf.h - what the files of test_bpf share: the vectors, the program
 * loaded once by main() (test_bpf.c), the helpers every subject uses, and
 * the cases that the table in test_bpf.c registers.
 */
#ifndef P2PGUARD_TEST_BPF_H
#define P2PGUARD_TEST_BPF_H

#include <stddef.h>
#include <linux/types.h>

#include "policy.h"
#include "replay.h"
#include "vectors.h"

#define ETH_HDR		14
#define MISMATCH_SHOW	10

/* Every vector (vec_all()). */
extern const struct vec_spec *vecs;
extern size_t n_vecs;
/* The program as p2pguardd loads it, under the policy a case writes. */
extern struct p2pg_runner runner;
/* The differential run's: test_bpf [-t NAMES] [SEED [MUTATIONS]]. */
extern __u64 diff_seed;
extern size_t diff_mutations;

int is_drop_reason(unsigned int reason);
const char *verdict_name(int v);
void hexdump(const char *indent, const __u8 *b, size_t n, size_t max);
/* What lockdown does to a vector's default-policy reason. */
unsigned int lockdown_expect(const struct p2pg_policy *p,
			     const struct vec_spec *v);
int vec_run(struct p2pg_runner *r, const struct vec_spec *v,
	    const __u8 *frame, size_t len, unsigned int *got);

/* The switches the vectors run under (verdicts.c). */
enum sw_case { SW_DEFAULT, SW_P2P_ON, SW_AUDIT, SW_LOCKDOWN };

/* verdicts.c */
void test_vectors(int sw);
void test_full_alone(int sw);
void test_empty_slots(void);
void test_dst_cache(int family);
/* races.c */
void test_race_levels(void);
void test_race_dcache(void);
/* fallbacks.c */
void test_fallbacks(void);
/* streams.c */
void test_streams(void);
/* differential.c */
void test_differential(void);
/* replay.c */
void test_replay(void);
/* sizing.c */
void test_memlock(void);
void test_large_lists(void);

#endif /* P2PGUARD_TEST_BPF_H */
