// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * bench_policy - building the policy as the deny-lists grow: the default
 * policy plus N deny prefixes and N deny domains added one by one
 * (p2pg_policy_add_prefix(), p2pg_policy_add_domain(), which refuse
 * duplicates), the kernel module's blob made from it, and the map sizes
 * p2pguardd would load with, with what the policy maps then lock at most
 * (mapsize.h's estimate).  Prints an RST table; asserts nothing.  Needs
 * no kernel.
 *
 *   bench_policy N...
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <bpf/libbpf.h>

#include "bench_common.h"
#include "mapsize.h"
#include "policy.h"

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

/* What a policy map of @n entries locks at most (mapsize.c). */
static double kib(__u32 type, __u32 key, __u32 value, __u32 n, __u32 flags)
{
	struct p2pg_map_mem m = {
		.type = type, .key_size = key, .value_size = value,
		.max_entries = n, .flags = flags,
	};

	p2pg_map_memlock(&m, 1, sysconf(_SC_PAGESIZE));
	return m.bytes / 1024.0;
}

int main(int argc, char **argv)
{
	char head[256];
	int a;

	if (argc < 2) {
		fprintf(stderr, "usage: bench_policy N...\n");
		return 2;
	}
	bench_measured(head, sizeof(head));
	printf("%s.\n\n", head);
	printf("========== ========== ========== ========= ========= ========= ==========\n");
	printf("deny-list  policy     module     prefix4   names     maps      the three\n");
	printf("entries    build      blob       entries   entries   prefix6   lock at\n");
	printf("(each)     ms         ms                             entries   most, KiB\n");
	printf("========== ========== ========== ========= ========= ========= ==========\n");
	for (a = 1; a < argc; a++) {
		unsigned int n = strtoul(argv[a], NULL, 10);
		struct p2pg_map_sizes s;
		struct p2pg_policy p;
		double t0, build, blob_t;
		size_t size;
		void *blob;

		if (n == 0 || n > BENCH_PREFIX_MAX) {
			fprintf(stderr, "bench_policy: N must be 1..%u\n",
				BENCH_PREFIX_MAX);
			return 2;
		}
		t0 = now_s();
		if (bench_policy(&p, n))
			return 1;
		build = now_s() - t0;
		t0 = now_s();
		if (p2pg_policy_to_blob(&p, &blob, &size))
			return 1;
		blob_t = now_s() - t0;
		free(blob);
		p2pg_map_sizes_init(&s, P2PG_FLOWS_DEFAULT,
				    P2PG_EVENT_BUFFER_DEFAULT,
				    P2PG_EVENT_DESTS_DEFAULT);
		if (p2pg_map_sizes_policy(&s, &p))
			return 1;
		printf("%10u %10.1f %10.1f %9u %9u %9u %10.0f\n", n,
		       build * 1e3, blob_t * 1e3, s.prefix4, s.names, s.prefix6,
		       kib(BPF_MAP_TYPE_LPM_TRIE, 8, 4, s.prefix4, 0) +
		       kib(BPF_MAP_TYPE_LPM_TRIE, 20, 4, s.prefix6, 0) +
		       kib(BPF_MAP_TYPE_HASH, 8, 8, s.names,
			   BPF_F_NO_PREALLOC));
		p2pg_policy_free(&p);
	}
	printf("========== ========== ========== ========= ========= ========= ==========\n");
	return 0;
}
