// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * bench_common.c - lists, payload and headers shared by the benchmarks.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "bench_common.h"
#include "policy.h"

void bench_prefix(unsigned int i, char *buf, size_t len, __u8 addr[4])
{
	/* An odd multiplier is a bijection modulo 2^17: no duplicates. */
	unsigned int a = (i * 7919u) & (BENCH_PREFIX_MAX - 1);
	__u8 b[4] = { 198, 18 + (a >> 16), (a >> 8) & 0xff, a & 0xff };

	snprintf(buf, len, "%u.%u.%u.%u/32", b[0], b[1], b[2], b[3]);
	if (addr)
		memcpy(addr, b, 4);
}

void bench_domain(unsigned int i, char *buf, size_t len)
{
	snprintf(buf, len, "r%u.vendor%u.test", i, i % 97);
}

int bench_policy(struct p2pg_policy *p, unsigned int n)
{
	char item[64];
	unsigned int i;

	if (p2pg_policy_init_defaults(p))
		return -1;
	for (i = 0; i < n; i++) {
		bench_prefix(i, item, sizeof(item), NULL);
		if (p2pg_policy_add_prefix(p, item, P2PG_NET_DENY))
			return -1;
		bench_domain(i, item, sizeof(item));
		if (p2pg_policy_add_domain(p, item))
			return -1;
	}
	return 0;
}

void bench_payload(__u8 *buf, size_t len)
{
	size_t k;

	/* RTP version 2, payload type 96, then H.264-ish filler. */
	for (k = 0; k < len; k++)
		buf[k] = k == 0 ? 0x80 : k == 1 ? 0x60 : 0x20 + (k * 37) % 90;
}

double bench_ns_per_run(int fd, const void *frame, size_t len, int repeat)
{
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = frame,
		    .data_size_in = len, .repeat = repeat);
	double best = 1e18;
	int i;

	/* Best of five: the least disturbed by the rest of the machine. */
	for (i = 0; i < 5; i++) {
		if (bpf_prog_test_run_opts(fd, &o))
			return -1;
		if (o.duration < best)
			best = o.duration;
	}
	return best;
}

void bench_measured(char *buf, size_t len)
{
	time_t now = time(NULL);
	struct utsname u;
	char date[32];

	uname(&u);
	strftime(date, sizeof(date), "%Y-%m-%d", gmtime(&now));
	snprintf(buf, len, "Measured %s on %s %s (%ld CPUs), kernel %s", date,
		 u.nodename, u.machine, sysconf(_SC_NPROCESSORS_ONLN),
		 u.release);
}
