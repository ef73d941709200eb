// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * bench_classes - ns per packet through BPF_PROG_TEST_RUN for each packet
 * class, beside the empty cgroup_skb program, in one run.  Prints an RST
 * table; asserts nothing about speed.
 *
 *   bench_classes [REPEAT]
 *   bench_classes -j [REPEAT]
 *
 * -j: the interpreter (net.core.bpf_jit_enable=0) against the JIT (=1),
 * the program loaded once under each, as p2pguardd loads it (its probes,
 * its knobs: the entry's quick run where the kernel takes packet words);
 * for the VM guests (tests/vm/guest/test.sh, VM_BENCH=1), whose CPUs are
 * emulated: the ratios are the figures.  The setting is restored.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
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

#define JIT_SYSCTL	"/proc/sys/net/core/bpf_jit_enable"

/*
 * The program as p2pguardd would run it, and the empty one, under one JIT
 * setting.
 */
struct jit_run {
	struct p2pguard_bpf *skel;
	struct p2pg_map_fds fds;
	int prog, empty;
};

static int jit_set(const char *v)
{
	int fd = open(JIT_SYSCTL, O_WRONLY), ok;

	if (fd < 0)
		return -1;
	ok = write(fd, v, strlen(v)) == (ssize_t)strlen(v);
	close(fd);
	return ok ? 0 : -1;
}

/* Was program @fd JIT-compiled? */
static int jited(int fd)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	return !bpf_obj_get_info_by_fd(fd, &info, &len) && info.jited_prog_len;
}

static int jit_load(struct jit_run *j, const struct p2pg_features *f,
		    const struct p2pg_policy *p)
{
	struct bpf_program *entry;

	memset(j, 0, sizeof(*j));
	j->skel = p2pg_skel_open(f);
	if (!j->skel || p2pguard_bpf__load(j->skel))
		return -1;
	entry = p2pg_skel_entry(j->skel);
	if (!entry)
		return -1;
	j->prog = bpf_program__fd(entry);
	p2pg_skel_map_fds(j->skel, &j->fds);
	j->empty = p2pg_load_trivial();
	return j->empty < 0 || p2pg_policy_write_maps(p, &j->fds) ? -1 : 0;
}

/*
 * What runs under one setting: p2pguard_egress and the four programs of
 * p2pg_progs it leads to (p2pguard_full alone, were it refused there);
 * each JIT-compiled or not.
 */
static void jit_describe(const char *setting, const struct jit_run *j)
{
	struct bpf_program *const progs[] = {
		j->skel->progs.p2pguard_full, j->skel->progs.p2pguard_classify,
		j->skel->progs.p2pguard_gso, j->skel->progs.p2pguard_emit,
	};
	int entry = j->prog == bpf_program__fd(j->skel->progs.p2pguard_egress);
	size_t k;

	printf("- %s: ", setting);
	if (entry)
		printf("``p2pguard_egress`` (%s), then ",
		       jited(j->prog) ? "JIT" : "interpreter");
	for (k = 0; k < sizeof(progs) / sizeof(progs[0]); k++)
		printf("%s``%s`` (%s)", k ? ", " : "",
		       bpf_program__name(progs[k]),
		       jited(bpf_program__fd(progs[k])) ? "JIT" : "interpreter");
	printf("; the empty program: %s.\n",
	       jited(j->empty) ? "JIT" : "interpreter");
}

static int jit_compare(int repeat, const struct p2pg_policy *p)
{
	struct jit_run run[2];
	struct p2pg_features f;
	const struct vec_spec *v;
	__u8 frame[VEC_FRAME_MAX];
	char old[8] = "", head[160];
	size_t nv, len, k;
	int fd, i, n, bad = 0;

	fd = open(JIT_SYSCTL, O_RDONLY);
	n = fd < 0 ? -1 : read(fd, old, sizeof(old) - 1);
	if (fd >= 0)
		close(fd);
	if (n <= 0) {
		fprintf(stderr, "bench: no %s (a kernel without CONFIG_BPF_JIT)\n",
			JIT_SYSCTL);
		return 1;
	}
	old[n] = 0;
	p2pg_features_probe(&f);
	for (i = 0; i < 2 && !bad; i++) {
		if (jit_set(i ? "1" : "0")) {
			fprintf(stderr, "bench: cannot set %s to %d (CONFIG_BPF_JIT_ALWAYS_ON?)\n",
				JIT_SYSCTL, i);
			bad = 1;
		} else if (jit_load(&run[i], &f, p)) {
			fprintf(stderr, "bench: cannot load the programs with %s = %d\n",
				JIT_SYSCTL, i);
			bad = 1;
		}
	}
	jit_set(old);
	if (bad)
		return 1;
	bench_measured(head, sizeof(head));
	printf("%s, %d runs per class, best of 5.  BPF_PROG_TEST_RUN's ns per packet, the interpreter\n"
	       "(``bpf_jit_enable=0``) against the JIT (``=1``); on an emulated CPU only the ratios\n"
	       "mean anything.\n\n", head, repeat);
	jit_describe("``bpf_jit_enable=0``", &run[0]);
	jit_describe("``bpf_jit_enable=1``", &run[1]);
	printf("\n");
	printf("=========================== ========== ========== ======== ========== ========== ========\n");
	printf("packet class                p2pguard   p2pguard   interp/  empty prog empty prog interp/\n");
	printf("                            interp. ns JIT ns     JIT      interp. ns JIT ns     JIT\n");
	printf("=========================== ========== ========== ======== ========== ========== ========\n");
	v = vec_all(&nv);
	for (k = 0; k < nv; k++) {
		double a[2], b[2];

		if (!first_of_class(v, k))
			continue;
		len = vec_frame(&v[k], frame);
		for (i = 0; i < 2; i++) {
			a[i] = bench_ns_per_run(run[i].prog, frame, len, repeat);
			b[i] = bench_ns_per_run(run[i].empty, frame, len, repeat);
		}
		printf("%-27.27s %10.0f %10.0f %8.2f %10.0f %10.0f %8.2f\n",
		       v[k].name, a[0], a[1], a[1] > 0 ? a[0] / a[1] : 0,
		       b[0], b[1], b[1] > 0 ? b[0] / b[1] : 0);
	}
	printf("=========================== ========== ========== ======== ========== ========== ========\n");
	for (i = 0; i < 2; i++) {
		close(run[i].empty);
		p2pguard_bpf__destroy(run[i].skel);
	}
	return 0;
}

int main(int argc, char **argv)
{
	int jit = argc > 1 && !strcmp(argv[1], "-j");
	int repeat, empty, prog;
	struct p2pg_policy p;
	struct p2pg_runner r;
	const struct vec_spec *v;
	struct utsname u;
	__u8 frame[VEC_FRAME_MAX];
	char date[32];
	time_t now = time(NULL);
	size_t nv, len, k;

	if (jit) {
		argv++;
		argc--;
	}
	repeat = argc > 1 ? atoi(argv[1]) : 200000;
	if (jit) {
		if (p2pg_policy_init_defaults(&p))
			return 1;
		jit = jit_compare(repeat, &p);
		p2pg_policy_free(&p);
		return jit;
	}
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
