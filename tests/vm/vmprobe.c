// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * vmprobe - what the VM matrix asks a guest kernel that bpftool would
 * otherwise answer (bpftool is not in the guest):
 *
 *   vmprobe load
 *	load the embedded program exactly as p2pguardd does (same probes,
 *	same knobs, p2pg_skel_open()), attach nothing, pin nothing; print
 *	"INFO load=yes|no", "INFO insns=N" (the verifier's "processed N
 *	insns", any kernel, all programs together, each also on its own
 *	"INFO insns_entry=", "INFO insns_full=" ... line),
 *	"INFO verified_insns=N" (bpf_prog_info, 5.16+), "INFO jited=yes|no"
 *	(the entry's; "INFO jited_full=" and so on) and
 *	"INFO entry=NAME", the program p2pguardd would attach
 *	(p2pg_skel_entry()).  When the load fails, it loads
 *	again with the full log: the verifier's last 60 lines on "VERIFIER "
 *	lines, how it took the global functions' arguments (the log's
 *	first lines) on "VERIFIER-HEAD " lines; libbpf's messages on
 *	"LIBBPF " lines.  Every program of the object has its lines: the
 *	entry's keys have no suffix, the others' "_full", "_classify",
 *	"_gso" and "_emit".
 *   vmprobe attached CGROUP
 *	the cgroup_skb/egress programs attached to CGROUP: one
 *	"PROG id name verified_insns jited|interpreted" line each, then
 *	"INFO attached=N ours=N".
 *   vmprobe nocap-write FILE TEXT
 *	drop CAP_NET_ADMIN (effective and permitted; the rest stays, root
 *	stays root), then write TEXT to FILE: "INFO write=ok" or
 *	"INFO write=ERRNO-NAME" (the module's sysfs switch and device must
 *	answer EPERM).
 *
 * Exit status 0 when the question could be answered (load: when the
 * program loaded).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <linux/capability.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpflog.h"
#include "kfeatures.h"
#include "p2pguard_abi.h"
#include "p2pguard.skel.h"

/* Large enough for a full level-1 log of a rejected program on 5.10,
 * whose log does not rotate: the error is at the end. */
#define LOG_BIG		(192u << 20)
#define LOG_STATS	(64u << 10)

static void libbpf_line(enum libbpf_print_level level, const char *line)
{
	printf("LIBBPF %s\n", line);
}

/* The "processed N insns" figure of a BPF_LOG_STATS log, or -1. */
static long processed(const char *log)
{
	const char *p = strstr(log, "processed ");

	return p ? strtol(p + 10, NULL, 10) : -1;
}

/* verified_insns (0 before 5.16, which fill a shorter info) and whether
 * the JIT compiled the program (else the interpreter runs it). */
static void prog_facts(int prog_fd, const char *suffix)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(prog_fd, &info, &len))
		return;
	printf("INFO verified_insns%s=%u\nINFO jited%s=%s\n", suffix,
	       info.verified_insns, suffix,
	       info.jited_prog_len ? "yes" : "no");
}

/* Print the last @n lines of @log as VERIFIER lines. */
static void tail_lines(const char *log, int n)
{
	const char *p = log + strlen(log), *start;

	while (p > log && n >= 0) {
		p--;
		if (*p == '\n')
			n--;
	}
	start = p == log ? log : p + 1;
	while (*start) {
		const char *e = strchr(start, '\n');
		int len = e ? (int)(e - start) : (int)strlen(start);

		if (len)
			printf("VERIFIER %.*s\n", len, start);
		start += len + (e ? 1 : 0);
	}
}

/*
 * The lines of a full log that say how the global functions' arguments
 * were taken (they come first, before the instructions): "VERIFIER-HEAD".
 */
static void head_lines(const char *log)
{
	static const char *const keys[] = { "Validating", "btf_vmlinux",
					    "Arg#", "arg#", NULL };
	const char *p = log;
	int shown = 0, k;

	while (*p && shown < 10) {
		const char *e = strchr(p, '\n');
		int len = e ? (int)(e - p) : (int)strlen(p);

		for (k = 0; keys[k]; k++) {
			if (memmem(p, len, keys[k], strlen(keys[k]))) {
				printf("VERIFIER-HEAD %.*s\n", len, p);
				shown++;
				break;
			}
		}
		p += len + (e ? 1 : 0);
	}
}

/*
 * The programs, in the skeleton's order, and the suffix of their INFO
 * keys: the entry's have none ("insns_entry" for its count).
 */
#define NPROGS	5
static const char *const prog_key[NPROGS] = {
	"", "_full", "_classify", "_gso", "_emit"
};

static struct bpf_program *prog_of(struct p2pguard_bpf *skel, int k)
{
	struct bpf_program *const p[NPROGS] = {
		skel->progs.p2pguard_egress, skel->progs.p2pguard_full,
		skel->progs.p2pguard_classify, skel->progs.p2pguard_gso,
		skel->progs.p2pguard_emit,
	};

	return p[k];
}

/* The skeleton, each of its programs logging into its share of @log. */
static struct p2pguard_bpf *open_skel(const struct p2pg_features *f,
				      char *log, size_t size, __u32 level)
{
	struct p2pguard_bpf *skel = p2pg_skel_open(f);
	size_t share = size / NPROGS;
	int k;

	if (!skel)
		return NULL;
	for (k = 0; k < NPROGS; k++) {
		log[k * share] = 0;
		bpf_program__set_log_buf(prog_of(skel, k), log + k * share,
					 share);
		bpf_program__set_log_level(prog_of(skel, k), level);
	}
	return skel;
}

static int cmd_load(void)
{
	static char stats[NPROGS * LOG_STATS];
	struct bpf_program *entry;
	long ins[NPROGS], sum = 0;
	struct p2pg_features f;
	struct p2pguard_bpf *skel;
	char have[256], miss[256];
	char *big;
	int err, k;

	p2pg_features_probe(&f);
	p2pg_features_string(&f, 0, have, sizeof(have));
	p2pg_features_string(&f, 1, miss, sizeof(miss));
	printf("INFO features=%s\nINFO missing=%s\n", have, miss);
	skel = open_skel(&f, stats, sizeof(stats), 4);
	if (!skel) {
		printf("INFO load=no\nINFO why=open: %s\n", strerror(errno));
		return 1;
	}
	err = p2pguard_bpf__load(skel);
	for (k = 0; k < NPROGS; k++) {
		ins[k] = processed(stats + k * LOG_STATS);
		sum = sum >= 0 && ins[k] >= 0 ? sum + ins[k] : -1;
		printf("INFO insns%s=%ld\n", k ? prog_key[k] : "_entry",
		       ins[k]);
	}
	printf("INFO insns=%ld\n", sum);
	if (!err) {
		entry = p2pg_skel_entry(skel);
		printf("INFO load=yes\nINFO entry=%s\n",
		       entry ? bpf_program__name(entry) : "none");
		for (k = 0; k < NPROGS; k++) {
			prog_facts(bpf_program__fd(prog_of(skel, k)),
				   prog_key[k]);
			tail_lines(stats + k * LOG_STATS, 3);
		}
		p2pguard_bpf__destroy(skel);
		return entry ? 0 : 1;
	}
	printf("INFO load=no\nINFO why=%s\n", strerror(-err));
	for (k = 0; k < NPROGS; k++)
		tail_lines(stats + k * LOG_STATS, 3);
	p2pguard_bpf__destroy(skel);
	/* Again with the full log, for the verifier's own words. */
	big = mmap(NULL, LOG_BIG, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (big == MAP_FAILED)
		return 1;
	skel = open_skel(&f, big, LOG_BIG, 1);
	if (skel) {
		err = p2pguard_bpf__load(skel);
		for (k = 0; k < NPROGS; k++) {
			const char *log = big + k * (LOG_BIG / NPROGS);

			if (!*log)
				continue;
			printf("INFO full_log_bytes=%zu%s (%s)\n",
			       strlen(log),
			       err == -ENOSPC ? " (truncated)" : "",
			       bpf_program__name(prog_of(skel, k)));
			head_lines(log);
			tail_lines(log, 60);
		}
		p2pguard_bpf__destroy(skel);
	}
	munmap(big, LOG_BIG);
	return 1;
}

static int cmd_attached(const char *cgroup)
{
	__u32 ids[64], cnt = 64, flags = 0, i;
	int cg, ours = 0;

	cg = open(cgroup, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cg < 0 || bpf_prog_query(cg, BPF_CGROUP_INET_EGRESS, 0, &flags,
				     ids, &cnt)) {
		printf("INFO attached=error (%s)\n", strerror(errno));
		return 1;
	}
	for (i = 0; i < cnt; i++) {
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info);
		int fd = bpf_prog_get_fd_by_id(ids[i]);

		if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len)) {
			printf("PROG %u ? 0 ?\n", ids[i]);
		} else {
			printf("PROG %u %s %u %s\n", ids[i], info.name,
			       info.verified_insns,
			       info.jited_prog_len ? "jited" : "interpreted");
			ours += !strcmp(info.name, P2PG_PROG_ENTRY_NAME) ||
				!strcmp(info.name, P2PG_PROG_FULL_NAME);
		}
		if (fd >= 0)
			close(fd);
	}
	close(cg);
	printf("INFO attached=%u ours=%d\n", cnt, ours);
	return 0;
}

static int cmd_nocap_write(const char *path, const char *text)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct d[2];
	ssize_t n;
	int fd;

	if (syscall(SYS_capget, &h, d)) {
		printf("INFO capget=%s\n", strerror(errno));
		return 1;
	}
	d[0].effective &= ~(1U << CAP_NET_ADMIN);
	d[0].permitted &= ~(1U << CAP_NET_ADMIN);
	d[0].inheritable &= ~(1U << CAP_NET_ADMIN);
	if (syscall(SYS_capset, &h, d)) {
		printf("INFO capset=%s\n", strerror(errno));
		return 1;
	}
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		printf("INFO write=%s\n", errno == EPERM ? "EPERM" :
		       strerror(errno));
		return 0;
	}
	n = write(fd, text, strlen(text));
	printf("INFO write=%s\n", n >= 0 ? "ok" : errno == EPERM ? "EPERM" :
	       strerror(errno));
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	p2pg_bpflog_setup(LIBBPF_INFO, libbpf_line);
	if (argc == 2 && !strcmp(argv[1], "load"))
		return cmd_load();
	if (argc == 3 && !strcmp(argv[1], "attached"))
		return cmd_attached(argv[2]);
	if (argc == 4 && !strcmp(argv[1], "nocap-write"))
		return cmd_nocap_write(argv[2], argv[3]);
	fprintf(stderr, "usage: vmprobe load | vmprobe attached CGROUP | vmprobe nocap-write FILE TEXT\n");
	return 2;
}
