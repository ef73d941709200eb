// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * kfeatures.c - kernel feature probes and opening the embedded object.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "embedded_bpf.h"
#include "kfeatures.h"
#include "policy.h"
#include "sys.h"
#include "p2pguard.skel.h"

int p2pg_load_trivial(void)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = 1 },
		{ .code = BPF_JMP | BPF_EXIT },
	};

	return bpf_prog_load(BPF_PROG_TYPE_CGROUP_SKB, "p2pg_probe", "GPL",
			     insns, 2, NULL);
}

/*
 * A load, like the program's own: an older kernel refuses the offset.
 */
int p2pg_probe_gso_size(void)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_LDX | BPF_MEM | BPF_W, .dst_reg = 0, .src_reg = 1,
		  .off = offsetof(struct __sk_buff, gso_size) },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = 1 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	int fd = bpf_prog_load(BPF_PROG_TYPE_CGROUP_SKB, "p2pg_probe", "GPL",
			       insns, 3, NULL);

	if (fd < 0)
		return 0;
	close(fd);
	return 1;
}

/*
 * A word read at the start of packet data, as the program's parser does:
 * refused where the CPU lacks efficient unaligned access (MIPS), the IP
 * header being 2 bytes off alignment there.
 */
int p2pg_probe_packet_words(void)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_LDX | BPF_MEM | BPF_W, .dst_reg = 2, .src_reg = 1,
		  .off = offsetof(struct __sk_buff, data) },
		{ .code = BPF_LDX | BPF_MEM | BPF_W, .dst_reg = 3, .src_reg = 1,
		  .off = offsetof(struct __sk_buff, data_end) },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_X, .dst_reg = 4, .src_reg = 2 },
		{ .code = BPF_ALU64 | BPF_ADD | BPF_K, .dst_reg = 4, .imm = 4 },
		{ .code = BPF_JMP | BPF_JGT | BPF_X, .dst_reg = 4, .src_reg = 3,
		  .off = 1 },
		{ .code = BPF_LDX | BPF_MEM | BPF_W, .dst_reg = 0, .src_reg = 2 },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = 1 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	int fd = bpf_prog_load(BPF_PROG_TYPE_CGROUP_SKB, "p2pg_probe", "GPL",
			       insns, sizeof(insns) / sizeof(insns[0]), NULL);

	if (fd < 0)
		return 0;
	close(fd);
	return 1;
}

void p2pg_features_probe(struct p2pg_features *f)
{
	char path[PATH_MAX];
	int fd, r;

	memset(f, 0, sizeof(*f));
	fd = p2pg_load_trivial();
	if (fd < 0) {
		/* ENOSYS: no bpf(2) at all; anything else: the type is missing. */
		f->bpf_syscall = errno != ENOSYS;
	} else {
		f->bpf_syscall = 1;
		f->cgroup_skb = 1;
		/* EBADF for the bad cgroup fd means the attach path exists. */
		r = bpf_prog_detach2(fd, -1, BPF_CGROUP_INET_EGRESS);
		f->cgroup_bpf = r < 0 && errno == EBADF;
		r = bpf_link_create(fd, -1, BPF_CGROUP_INET_EGRESS, NULL);
		f->link = r < 0 && errno == EBADF;
		if (r >= 0)
			close(r);
		close(fd);
		f->gso_size = p2pg_probe_gso_size();
		f->packet_words = p2pg_probe_packet_words();
	}
	f->cgroup2 = p2pg_cgroup2_mount(path, sizeof(path)) == 0;
	f->ringbuf = libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, NULL) == 1;
	f->sk_storage =
		libbpf_probe_bpf_map_type(BPF_MAP_TYPE_SK_STORAGE, NULL) == 1;
	f->btf = access("/sys/kernel/btf/vmlinux", R_OK) == 0;
}

void p2pg_features_string(const struct p2pg_features *f, int missing,
			  char *buf, size_t len)
{
	const struct {
		const char *name;
		int have;
	} t[] = {
		{ "bpf_syscall", f->bpf_syscall }, { "cgroup_skb", f->cgroup_skb },
		{ "cgroup_bpf", f->cgroup_bpf }, { "cgroup2", f->cgroup2 },
		{ "cgroup_link", f->link }, { "ringbuf", f->ringbuf },
		{ "sk_storage", f->sk_storage }, { "btf", f->btf },
		{ "gso_size", f->gso_size }, { "packet_words", f->packet_words },
	};
	size_t i, off = 0;

	buf[0] = 0;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		if (!t[i].have != !!missing)
			continue;
		off += snprintf(buf + off, off < len ? len - off : 0, "%s%s",
				off ? " " : "", t[i].name);
	}
}

const char *p2pg_features_fatal(const struct p2pg_features *f)
{
	if (!f->bpf_syscall)
		return "the kernel has no bpf() system call (CONFIG_BPF_SYSCALL)";
	if (!f->cgroup_skb)
		return "the kernel cannot load cgroup_skb programs (CONFIG_CGROUP_BPF)";
	if (!f->cgroup_bpf)
		return "the kernel cannot attach programs to cgroups (CONFIG_CGROUP_BPF)";
	if (!f->cgroup2)
		return "no cgroup2 hierarchy is mounted and none could be mounted (CONFIG_CGROUPS)";
	return NULL;
}

struct p2pguard_bpf *p2pg_skel_open(const struct p2pg_features *f)
{
	struct p2pguard_bpf *skel = p2pguard_bpf__open();

	p2pg_embedded_release();
	if (!skel)
		return NULL;
	skel->rodata->p2pg_use_ringbuf = f->ringbuf;
	skel->rodata->p2pg_use_sk_storage = f->sk_storage;
	skel->rodata->p2pg_use_gso_size = f->gso_size;
	skel->rodata->p2pg_use_packet_words = f->packet_words;
	/*
	 * Only one of each pair is created: a map the kernel lacks cannot be,
	 * and its fallback twin would lock memory for nothing.  The code that
	 * uses the other is pruned by the verifier through the knobs.
	 */
	bpf_map__set_autocreate(f->ringbuf ? skel->maps.p2pg_perf_ev :
				skel->maps.p2pg_events, false);
	bpf_map__set_autocreate(f->sk_storage ? skel->maps.p2pg_flow_lru :
				skel->maps.p2pg_flows, false);
	return skel;
}

struct bpf_program *p2pg_skel_entry(struct p2pguard_bpf *skel)
{
	const struct {
		__u32 slot;
		struct bpf_program *prog;
	} cont[] = {
		{ P2PG_PROG_CLASSIFY, skel->progs.p2pguard_classify },
		{ P2PG_PROG_GSO, skel->progs.p2pguard_gso },
		{ P2PG_PROG_EMIT, skel->progs.p2pguard_emit },
	};
	int map = bpf_map__fd(skel->maps.p2pg_progs), fd;
	__u32 k = P2PG_PROG_FULL;
	size_t i;

	for (i = 0; i < sizeof(cont) / sizeof(cont[0]); i++) {
		fd = bpf_program__fd(cont[i].prog);
		if (bpf_map_update_elem(map, &cont[i].slot, &fd, BPF_ANY))
			return NULL;
	}
	fd = bpf_program__fd(skel->progs.p2pguard_full);
	if (!bpf_map_update_elem(map, &k, &fd, BPF_ANY))
		return skel->progs.p2pguard_egress;
	return skel->progs.p2pguard_full;
}

void p2pg_skel_map_fds(const struct p2pguard_bpf *skel,
		       struct p2pg_map_fds *fds)
{
	fds->config = bpf_map__fd(skel->maps.p2pg_config);
	fds->prefix4 = bpf_map__fd(skel->maps.p2pg_prefix4);
	fds->prefix6 = bpf_map__fd(skel->maps.p2pg_prefix6);
	fds->names = bpf_map__fd(skel->maps.p2pg_names);
	fds->pppp = bpf_map__fd(skel->maps.p2pg_pppp);
	fds->agent_cg = bpf_map__fd(skel->maps.p2pg_agent_cg);
	fds->agent_uid = bpf_map__fd(skel->maps.p2pg_agent_uid);
}
