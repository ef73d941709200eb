// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_bpf.c - the real BPF program, run with BPF_PROG_TEST_RUN (nothing
 * attached, no traffic sent); one case per subject, in files of their own:
 *   verdicts.c      every vector under the default policy: reason and
 *                   verdict; the same with P2P on, in audit mode (counters)
 *                   and in lockdown; p2pguard_full alone; the destination
 *                   cache;
 *   fallbacks.c     the old-kernel fallbacks (perf buffer, cookie LRU);
 *   streams.c       the TCP stream vectors, segment by segment;
 *   differential.c  the natively compiled classifier and the program agree
 *                   on every vector and on >= 100000 mutated packets,
 *                   under policies with allow/deny prefixes and agents;
 *   races.c         nesting levels held and destination cache entries
 *                   torn by runs that overlap on one CPU;
 *   replay.c        `p2pguardctl replay` on captures written here
 *                   (tests/lib/pcap_write.c: Ethernet, raw IP, Linux
 *                   cooked v1/v2, pcapng) and on broken ones.
 *
 * Usage: test_bpf [-l] [-t NAME[,NAME...]] [SEED [MUTATIONS]]
 * -l lists the cases, -t runs those whose name contains NAME (check.h);
 * SEED and MUTATIONS are the differential run's.
 * Needs root (or CAP_BPF + CAP_NET_ADMIN); prints SKIP and exits 0 when the
 * kernel cannot load BPF programs at all.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/libbpf.h>

#include "bpflog.h"
#include "check.h"
#include "kfeatures.h"
#include "test_bpf.h"

const struct vec_spec *vecs;
size_t n_vecs;
struct p2pg_runner runner;
__u64 diff_seed;
size_t diff_mutations = 100000;

int is_drop_reason(unsigned int reason)
{
	return reason != P2PG_R_NONE && reason != P2PG_R_NOT_IP;
}

const char *verdict_name(int v)
{
	return v == 1 ? "pass" : v == 0 ? "drop" : "error";
}

void hexdump(const char *indent, const __u8 *b, size_t n, size_t max)
{
	size_t i;

	for (i = 0; i < n && i < max; i++) {
		if (i % 32 == 0)
			printf("%s%s", i ? "\n" : "", indent);
		printf("%02x", b[i]);
	}
	if (n > max)
		printf(" ... (%zu bytes)", n);
	printf("\n");
}

/* What lockdown does to a vector's default-policy reason. */
unsigned int lockdown_expect(const struct p2pg_policy *p,
			     const struct vec_spec *v)
{
	if (v->expect != P2PG_R_NONE)
		return v->expect;
	return p2pg_policy_net_class(p, v->family, v->daddr) == P2PG_NET_WAN ?
	       P2PG_R_LOCKDOWN : P2PG_R_NONE;
}

/*
 * One test run of @v's frame; a UDP GSO send with its segment size and
 * count in the skb, as udp_send_skb() sets them.
 */
int vec_run(struct p2pg_runner *r, const struct vec_spec *v,
	    const __u8 *frame, size_t len, unsigned int *got)
{
	__u32 segs;

	if (!v->gso || v->payload_len <= v->gso)
		return p2pg_runner_run(r, frame, len, got);
	segs = (v->payload_len + v->gso - 1) / v->gso;
	return p2pg_runner_run_gso(r, frame, len, v->gso, segs, got);
}

static const struct check_test tests[] = {
	CHECK_TEST_ARG("vectors_default", test_vectors, SW_DEFAULT),
	CHECK_TEST_ARG("full_alone_default", test_full_alone, SW_DEFAULT),
	CHECK_TEST_ARG("vectors_p2p_on", test_vectors, SW_P2P_ON),
	CHECK_TEST_ARG("vectors_audit", test_vectors, SW_AUDIT),
	CHECK_TEST_ARG("vectors_lockdown", test_vectors, SW_LOCKDOWN),
	CHECK_TEST_ARG("full_alone_lockdown", test_full_alone, SW_LOCKDOWN),
	CHECK_TEST(empty_slots),
	CHECK_TEST_ARG("dst_cache_ipv4", test_dst_cache, 4),
	CHECK_TEST_ARG("dst_cache_ipv6", test_dst_cache, 6),
	CHECK_TEST(race_levels),
	CHECK_TEST(race_dcache),
	CHECK_TEST(fallbacks),
	CHECK_TEST(streams),
	CHECK_TEST(differential),
	CHECK_TEST(replay),
	CHECK_TEST(memlock),
	CHECK_TEST(large_lists),
};

int main(int argc, char **argv)
{
	int argi = check_options(argc, argv, tests, CHECK_COUNT(tests),
				 "[SEED [MUTATIONS]]");
	struct p2pg_policy p;
	int fd, err;

	diff_seed = argc > argi ? strtoull(argv[argi], NULL, 0) :
		    (__u64)time(NULL) ^ ((__u64)getpid() << 32);
	if (argc > argi + 1)
		diff_mutations = strtoul(argv[argi + 1], NULL, 0);
	p2pg_bpflog_setup(LIBBPF_WARN, NULL);
	vecs = vec_all(&n_vecs);
	if (!check(n_vecs > 0, "vectors: %zu", n_vecs))
		return check_exit();

	if (p2pg_policy_init_defaults(&p)) {
		check(0, "default policy");
		return check_exit();
	}
	err = p2pg_runner_open(&runner, &p);
	p2pg_policy_free(&p);
	if (err) {
		/* Not loadable at all is a skip; ours alone failing is a bug. */
		fd = p2pg_load_trivial();
		if (fd < 0) {
			check_skip("test_bpf: the kernel loads no cgroup_skb program here (%s%s); run as root on a kernel with BPF",
				   strerror(errno),
				   geteuid() ? ", not root" : "");
			return check_exit();
		}
		close(fd);
		check(0, "test_bpf: the kernel loads cgroup_skb programs but not p2pguard's: %s",
		      strerror(-err));
		return check_exit();
	}
	printf("test_bpf: %zu vectors\n", n_vecs);
	check_run(tests, CHECK_COUNT(tests));
	p2pg_runner_close(&runner);
	return check_exit();
}
