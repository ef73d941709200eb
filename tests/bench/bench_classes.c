// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * bench_classes - ns per packet through BPF_PROG_TEST_RUN for each packet
 * class, beside the empty cgroup_skb program, in one run.  Prints an RST
 * table; asserts nothing about speed.
 *
 *   bench_classes [REPEAT]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "vectors.h"
#include "bench_common.h"
#include "kfeatures.h"
#include "policy.h"
#include "replay.h"
#include "p2pguard.skel.h"

/*
 * Ordinary traffic, which the per-reason choice below would leave out:
 * LAN video, the same stream to the Internet, a DNS query for a name that
 * is not listed, NTP and QUIC.
 */
static const char *const ordinary[] = {
	"rtp-h264", "rtp-h264-wan", "rtp-h264-wan-v6", "dns-example",
	"dns-tcp-example", "ntp-client", "quic-initial",
};

/*
 * One vector per (reason, family, protocol, flags), each packet class,
 * and the ordinary ones by name.
 */
static int first_of_class(const struct vec_spec *v, size_t i)
{
	size_t k;

	for (k = 0; k < sizeof(ordinary) / sizeof(ordinary[0]); k++)
		if (!strcmp(v[i].name, ordinary[k]))
			return 1;
	for (k = 0; k < i; k++)
		if (v[k].expect == v[i].expect && v[k].family == v[i].family &&
		    v[k].l4proto == v[i].l4proto && v[k].flags == v[i].flags)
			return 0;
	return 1;
}

int main(int argc, char **argv)
{
	int repeat = argc > 1 ? atoi(argv[1]) : 200000, empty, prog;
	struct p2pg_policy p;
	struct p2pg_runner r;
	const struct vec_spec *v;
	struct utsname u;
	__u8 frame[VEC_FRAME_MAX];
	char date[32];
	time_t now = time(NULL);
	size_t nv, len, k;

	if (p2pg_policy_init_defaults(&p) || p2pg_runner_open(&r, &p)) {
		fprintf(stderr, "bench: cannot load the program\n");
		return 1;
	}
	empty = p2pg_load_trivial();
	if (empty < 0) {
		fprintf(stderr, "bench: cannot load the empty program: %s\n",
			strerror(errno));
		return 1;
	}
	prog = r.prog;
	uname(&u);
	strftime(date, sizeof(date), "%Y-%m-%d", gmtime(&now));
	printf("Measured %s on %s %s (%ld CPUs), kernel %s, %d runs per class, best of 5.\n\n",
	       date, u.nodename, u.machine, sysconf(_SC_NPROCESSORS_ONLN),
	       u.release, repeat);
	printf("=========================== ========== ========== =================\n");
	printf("packet class                p2pguard   empty prog verdict (reason)\n");
	printf("                            ns/packet  ns/packet\n");
	printf("=========================== ========== ========== =================\n");
	v = vec_all(&nv);
	for (k = 0; k < nv; k++) {
		const struct vec_spec *c = &v[k];
		unsigned int reason = 0;
		double a, b;
		int verdict;

		if (!first_of_class(v, k))
			continue;
		len = vec_frame(c, frame);
		verdict = p2pg_runner_run(&r, frame, len, &reason);
		a = bench_ns_per_run(prog, frame, len, repeat);
		b = bench_ns_per_run(empty, frame, len, repeat);
		printf("%-27.27s %10.0f %10.0f %s (%s)\n", c->name, a, b,
		       verdict == 1 ? "pass" : "drop", p2pg_reason_name(reason));
	}
	printf("=========================== ========== ========== =================\n");
	close(empty);
	p2pg_runner_close(&r);
	p2pg_policy_free(&p);
	return 0;
}
