// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * mapsize.c - sizing the program's maps from the policy and the
 * configuration, and estimating what a map locks (mapsize.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "mapsize.h"
#include "policy.h"
#include "p2pguard.skel.h"

__u32 p2pg_size_fit(size_t count, __u32 floor)
{
	unsigned long long n = count + count / 4;

	n = (n + P2PG_SIZE_STEP - 1) / P2PG_SIZE_STEP * P2PG_SIZE_STEP;
	if (n < floor)
		n = floor;
	return n > 0x7fffffffULL ? 0 : (__u32)n;
}

void p2pg_map_sizes_init(struct p2pg_map_sizes *s, __u32 flows,
			 __u32 event_bytes, __u32 event_dests)
{
	memset(s, 0, sizeof(*s));
	s->prefix4 = s->prefix6 = P2PG_SIZE_PREFIX_FLOOR;
	s->names = P2PG_SIZE_NAMES_FLOOR;
	s->agent_cg = s->agent_uid = P2PG_SIZE_AGENTS_FLOOR;
	s->flows = flows;
	s->ev_limit = event_dests;
	s->events = event_bytes;
}

/* Entries each policy map must hold for @p. */
static void policy_counts(const struct p2pg_policy *p, size_t *n4, size_t *n6)
{
	size_t i;

	*n4 = *n6 = 0;
	for (i = 0; i < p->n_prefixes; i++) {
		if (p->prefixes[i].family == 4)
			(*n4)++;
		else
			(*n6)++;
	}
}

int p2pg_map_sizes_policy(struct p2pg_map_sizes *s,
			  const struct p2pg_policy *p)
{
	size_t n4, n6;

	policy_counts(p, &n4, &n6);
	s->prefix4 = p2pg_size_fit(n4, P2PG_SIZE_PREFIX_FLOOR);
	s->prefix6 = p2pg_size_fit(n6, P2PG_SIZE_PREFIX_FLOOR);
	s->names = p2pg_size_fit(p->n_names, P2PG_SIZE_NAMES_FLOOR);
	s->agent_cg = p2pg_size_fit(p->n_agent_cgroups,
				    P2PG_SIZE_AGENTS_FLOOR);
	s->agent_uid = p2pg_size_fit(p->n_agent_uids, P2PG_SIZE_AGENTS_FLOOR);
	if (!s->prefix4 || !s->prefix6 || !s->names || !s->agent_cg ||
	    !s->agent_uid)
		return -E2BIG;
	return 0;
}

int p2pg_map_sizes_fits(const struct p2pg_map_sizes *s,
			const struct p2pg_policy *p, char *what, size_t len)
{
	const struct {
		const char *name;
		size_t need;
		__u32 have;
	} t[] = {
		{ P2PG_MAP_PREFIX4, 0, s->prefix4 },
		{ P2PG_MAP_PREFIX6, 0, s->prefix6 },
		{ P2PG_MAP_NAMES, p->n_names, s->names },
		{ P2PG_MAP_AGENT_CG, p->n_agent_cgroups, s->agent_cg },
		{ P2PG_MAP_AGENT_UID, p->n_agent_uids, s->agent_uid },
	};
	size_t n[2], i;

	policy_counts(p, &n[0], &n[1]);
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		size_t need = i < 2 ? n[i] : t[i].need;

		if (need <= t[i].have)
			continue;
		if (what)
			snprintf(what, len, "%s needs %zu entries, has %u",
				 t[i].name, need, t[i].have);
		return 0;
	}
	return 1;
}

int p2pg_map_sizes_apply(struct p2pguard_bpf *skel,
			 const struct p2pg_map_sizes *s)
{
	long page = sysconf(_SC_PAGESIZE);
	__u32 rb = page > 0 ? (__u32)page : 4096;
	const struct {
		struct bpf_map *map;
		__u32 n;
	} t[] = {
		{ skel->maps.p2pg_prefix4, s->prefix4 },
		{ skel->maps.p2pg_prefix6, s->prefix6 },
		{ skel->maps.p2pg_names, s->names },
		{ skel->maps.p2pg_agent_cg, s->agent_cg },
		{ skel->maps.p2pg_agent_uid, s->agent_uid },
		{ skel->maps.p2pg_flow_lru, s->flows },
		{ skel->maps.p2pg_ev_limit, s->ev_limit },
		{ skel->maps.p2pg_events, 0 },
	};
	size_t i;
	int err;

	/* A power of two, a page at least: what the kernel takes. */
	while (rb < s->events && rb < (1u << 30))
		rb *= 2;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		__u32 n = t[i].map == skel->maps.p2pg_events ? rb : t[i].n;

		if (!n)
			return -EINVAL;
		err = bpf_map__set_max_entries(t[i].map, n);
		if (err)
			return err;
	}
	return 0;
}

static __u64 round8(__u64 x)
{
	return (x + 7) & ~7ULL;
}

static __u64 pow2(__u64 x)
{
	__u64 n = 1;

	while (n < x)
		n *= 2;
	return n;
}

void p2pg_map_memlock(struct p2pg_map_mem *m, int ncpus, long page)
{
	/* struct htab_elem: list node, free-list or LRU node, hash. */
	__u64 ptr = sizeof(void *), helem = 6 * ptr;
	__u64 n = m->max_entries, k = round8(m->key_size);
	__u64 v = round8(m->value_size), b = 0;

	m->at_most = 0;
	m->per_socket = 0;
	if (page <= 0)
		page = 4096;
	if (ncpus < 1)
		ncpus = 1;
	switch (m->type) {
	case BPF_MAP_TYPE_ARRAY:
	case BPF_MAP_TYPE_CGROUP_STORAGE:
		b = n * v;
		/* Mapped into user space (.rodata): whole pages. */
		if (m->flags & BPF_F_MMAPABLE)
			b = (b + page - 1) / page * page;
		break;
	case BPF_MAP_TYPE_PERCPU_ARRAY:
		/* A pointer per element to its per-CPU values. */
		b = n * (ptr + v * ncpus);
		break;
	case BPF_MAP_TYPE_PROG_ARRAY:
	case BPF_MAP_TYPE_PERF_EVENT_ARRAY:
	case BPF_MAP_TYPE_ARRAY_OF_MAPS:
		b = n * ptr;
		break;
	case BPF_MAP_TYPE_HASH:
	case BPF_MAP_TYPE_LRU_HASH:
		/* Buckets (a list head and a lock) for a power of two. */
		b = n * (helem + k + v) + pow2(n) * 2 * ptr;
		m->at_most = !!(m->flags & BPF_F_NO_PREALLOC);
		break;
	case BPF_MAP_TYPE_PERCPU_HASH:
	case BPF_MAP_TYPE_LRU_PERCPU_HASH:
		b = n * (helem + k + ptr + v * ncpus) + pow2(n) * 2 * ptr;
		m->at_most = !!(m->flags & BPF_F_NO_PREALLOC);
		break;
	case BPF_MAP_TYPE_LPM_TRIE:
		/* struct lpm_trie_node: RCU head, two children, length. */
		b = n * (5 * ptr + (m->key_size > 4 ? m->key_size - 4 : 0) +
			 m->value_size);
		m->at_most = 1;
		break;
	case BPF_MAP_TYPE_RINGBUF:
		b = n + 2 * page;
		break;
	case BPF_MAP_TYPE_SK_STORAGE:
		m->per_socket = 1;
		break;
	default:
		b = n * (k + v);
		break;
	}
	m->bytes = b;
}

int p2pg_map_mem_read(int fd, struct p2pg_map_mem *m, int ncpus)
{
	struct bpf_map_info info;
	__u32 len = sizeof(info);

	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	memset(m, 0, sizeof(*m));
	m->id = info.id;
	snprintf(m->name, sizeof(m->name), "%s", info.name);
	m->type = info.type;
	m->max_entries = info.max_entries;
	m->key_size = info.key_size;
	m->value_size = info.value_size;
	m->flags = info.map_flags;
	p2pg_map_memlock(m, ncpus, sysconf(_SC_PAGESIZE));
	return 0;
}

int p2pg_prog_maps(int prog_fd, __u32 *ids, int max)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info);

	memset(&info, 0, sizeof(info));
	info.nr_map_ids = max;
	info.map_ids = (__u64)(unsigned long)ids;
	if (bpf_obj_get_info_by_fd(prog_fd, &info, &len))
		return -errno;
	return info.nr_map_ids < (__u32)max ? (int)info.nr_map_ids : max;
}
