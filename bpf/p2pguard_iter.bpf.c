// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * p2pguard_iter.bpf.c - `cat /sys/fs/bpf/p2pguard/stats`: a map-element
 * iterator over p2pg_counters that prints one "reason packets bytes" line
 * per reason, summed over CPUs in the kernel.
 *
 * Iterators are tracing programs and need vmlinux BTF (5.9+); p2pguardd
 * pins this only where the kernel has it.  The context types are declared
 * here with preserve_access_index instead of pulling in vmlinux.h.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "p2pguard_abi.h"

struct seq_file;
struct bpf_map;

struct bpf_iter_meta {
	struct seq_file *seq;
	__u64 session_id;
	__u64 seq_num;
} __attribute__((preserve_access_index));

struct bpf_iter__bpf_map_elem {
	struct bpf_iter_meta *meta;
	struct bpf_map *map;
	void *key;
	void *value;
} __attribute__((preserve_access_index));

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Possible CPUs: the per-CPU value holds that many counters. */
const volatile __u32 p2pg_nr_cpus = 1;

#define P2PG_REASON_NAME(sym, name) name,
static const char p2pg_names_tab[P2PG_R__COUNT][24] = {
	P2PG_REASONS(P2PG_REASON_NAME)
};

SEC("iter/bpf_map_elem")
int p2pguard_stats(struct bpf_iter__bpf_map_elem *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	__u64 packets = 0, bytes = 0;
	__u32 *key = ctx->key, cpu, k;
	__u8 *val = ctx->value;

	if (!key || !val)
		return 0;
	k = *key;
	for (cpu = 0; cpu < 1024 && cpu < p2pg_nr_cpus; cpu++) {
		struct p2pg_counter *c = (void *)(val + cpu * sizeof(*c));

		packets += c->packets;
		bytes += c->bytes;
	}
	if (k < P2PG_R__COUNT)
		BPF_SEQ_PRINTF(seq, "%s %llu %llu\n", p2pg_names_tab[k],
			       packets, bytes);
	return 0;
}
