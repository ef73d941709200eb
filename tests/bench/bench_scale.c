// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * bench_scale - ns per packet through BPF_PROG_TEST_RUN as the deny-lists
 * grow: the default policy plus N deny prefixes and N deny domains, for
 * each N given.  Prints an RST table, and with -d FILE the figures as
 * gnuplot data; asserts nothing about speed.
 *
 *   bench_scale [-r REPEAT] [-d FILE] N...
 *
 * The policy maps hold P2PG_PREFIX_MAX / P2PG_NAMES_MAX entries as
 * compiled; for larger lists this program raises max_entries before load
 * (p2pguardd sizes every map from the policy: userspace/mapsize.c).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "vectors.h"
#include "fdinfo.h"
#include "bench_common.h"
#include "kfeatures.h"
#include "policy.h"
#include "replay.h"
#include "p2pguard.skel.h"

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

/*
 * p2pg_runner_open() with room for @max_prefix prefixes and @max_names
 * names: open, resize, load, write @p (timed into @write_s), pin the CPU
 * (the program's caches are per-CPU).
 */
static int runner_open_sized(struct p2pg_runner *r, const struct p2pg_policy *p,
			     __u32 max_prefix, __u32 max_names, double *write_s)
{
	struct p2pg_features f;
	cpu_set_t set;
	double t0;
	int err, cpu;

	memset(r, 0, sizeof(*r));
	memset(&f, 0, sizeof(f));
	f.ringbuf = libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, NULL) == 1;
	f.sk_storage =
		libbpf_probe_bpf_map_type(BPF_MAP_TYPE_SK_STORAGE, NULL) == 1;
	f.gso_size = p2pg_probe_gso_size();
	r->skel = p2pg_skel_open(&f);
	if (!r->skel)
		return -errno;
	err = bpf_map__set_max_entries(r->skel->maps.p2pg_prefix4, max_prefix);
	if (!err)
		err = bpf_map__set_max_entries(r->skel->maps.p2pg_names,
					       max_names);
	if (!err)
		err = p2pguard_bpf__load(r->skel);
	if (err)
		goto fail;
	r->prog = bpf_program__fd(p2pg_skel_entry(r->skel));
	p2pg_skel_map_fds(r->skel, &r->fds);
	t0 = now_s();
	err = p2pg_policy_write_maps(p, &r->fds);
	*write_s = now_s() - t0;
	if (err)
		goto fail;
	cpu = sched_getcpu();
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (cpu < 0 || sched_setaffinity(0, sizeof(set), &set)) {
		err = -errno;
		goto fail;
	}
	return 0;
fail:
	p2pguard_bpf__destroy(r->skel);
	r->skel = NULL;
	return err;
}

#define NPKT 4

int main(int argc, char **argv)
{
	static struct vec_spec pk[NPKT];
	static const char *const what[NPKT] = {
		"WAN UDP", "DNS unlisted", "DNS listed", "deny prefix",
	};
	int repeat = 200000, empty, c, a;
	const char *datafile = NULL;
	char head[256];
	FILE *data = NULL;

	while ((c = getopt(argc, argv, "r:d:")) != -1) {
		if (c == 'r')
			repeat = atoi(optarg);
		else if (c == 'd')
			datafile = optarg;
		else
			return 2;
	}
	if (optind >= argc) {
		fprintf(stderr, "usage: bench_scale [-r REPEAT] [-d FILE] N...\n");
		return 2;
	}
	/* An ordinary 64-byte datagram to the Internet (RTP-like video). */
	memset(&pk[0], 0, sizeof(pk[0]));
	pk[0].name = "wan-udp-64";
	pk[0].l4proto = 17;
	pk[0].sport = 40000;
	pk[0].dport = 5004;
	pk[0].payload_len = 64;
	bench_payload(pk[0].payload, 64);
	vec_set_addr(&pk[0], "198.51.100.1");
	pk[1] = *vec_find("dns-example");
	pk[2] = *vec_find("dns-m1-iotcplatform");
	/* The same datagram to a deny-listed address (set per N below). */
	pk[3] = pk[0];
	pk[3].name = "wan-udp-64-denied";

	empty = p2pg_load_trivial();
	if (empty < 0) {
		fprintf(stderr, "bench_scale: cannot load the empty program: %s\n",
			strerror(errno));
		return 1;
	}
	if (datafile) {
		data = fopen(datafile, "w");
		if (!data)
			return 1;
		fprintf(data, "entries");
		for (c = 0; c < NPKT; c++)
			fprintf(data, " \"%s\"", what[c]);
		fprintf(data, " \"empty program\"\n");
	}
	bench_measured(head, sizeof(head));
	printf("%s, %d runs per packet, best of 5.\n\n", head, repeat);
	printf("========== ======== ======== ======== ======== ======= ========= ======== ========\n");
	printf("deny-list  WAN UDP  DNS      DNS      deny     empty   lists     policy   maps\n");
	printf("entries    64 B     unlisted listed   prefix   program memlock   build    write\n");
	printf("(each)     ns/pkt   ns/pkt   ns/pkt   ns/pkt   ns/pkt  KiB       s        s\n");
	printf("========== ======== ======== ======== ======== ======= ========= ======== ========\n");
	for (a = optind; a < argc; a++) {
		unsigned int n = strtoul(argv[a], NULL, 10);
		double ns[NPKT], e, build_s, write_s = 0, t0;
		struct p2pg_policy p;
		struct p2pg_runner r;
		__u32 maxp, maxn;
		char item[64];
		int k;

		if (n == 0 || n > BENCH_PREFIX_MAX) {
			fprintf(stderr, "bench_scale: N must be 1..%u\n",
				BENCH_PREFIX_MAX);
			return 2;
		}
		t0 = now_s();
		if (bench_policy(&p, n))
			return 1;
		build_s = now_s() - t0;
		bench_prefix(n / 2, item, sizeof(item), pk[3].daddr);
		/* Room for the defaults beside the N entries. */
		maxp = p.n_prefixes > P2PG_PREFIX_MAX ? p.n_prefixes :
		       P2PG_PREFIX_MAX;
		maxn = p.n_names > P2PG_NAMES_MAX ? p.n_names : P2PG_NAMES_MAX;
		if (runner_open_sized(&r, &p, maxp, maxn, &write_s)) {
			fprintf(stderr, "bench_scale: cannot load with %u entries: %s\n",
				n, strerror(errno));
			return 1;
		}
		printf("%10u", n);
		if (data)
			fprintf(data, "%u", n);
		for (k = 0; k < NPKT; k++) {
			__u8 frame[VEC_FRAME_MAX];
			size_t len = vec_frame(&pk[k], frame);
			unsigned int reason = 0;
			int v = p2pg_runner_run(&r, frame, len, &reason);

			/* The verdict is part of the figure: say if it is off. */
			if (v != (k < 2))
				fprintf(stderr, "bench_scale: %s with %u entries: %s (%s)\n",
					pk[k].name, n, v == 1 ? "pass" : "drop",
					p2pg_reason_name(reason));
			ns[k] = bench_ns_per_run(
				r.prog,
				frame, len, repeat);
			printf(" %8.0f", ns[k]);
			if (data)
				fprintf(data, " %.1f", ns[k]);
		}
		{
			__u8 frame[VEC_FRAME_MAX];
			size_t len = vec_frame(&pk[0], frame);

			e = bench_ns_per_run(empty, frame, len, repeat);
		}
		printf(" %7.0f %9.0f %8.2f %8.2f\n", e,
		       (fdinfo_memlock(r.fds.prefix4) + fdinfo_memlock(r.fds.names)) / 1024.0,
		       build_s, write_s);
		if (data)
			fprintf(data, " %.1f\n", e);
		p2pg_runner_close(&r);
		p2pg_policy_free(&p);
	}
	printf("========== ======== ======== ======== ======== ======= ========= ======== ========\n");
	if (data)
		fclose(data);
	close(empty);
	return 0;
}
