/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * mapsize.h - how many entries each map of the program gets, and what a
 * map locks.  The policy maps are sized from the policy (its counts with
 * headroom, a floor below), the run-time maps from the configuration
 * (flows, event_buffer, event_destinations): the compiled max_entries
 * are only what a loader that sizes nothing would get.
 */
#ifndef P2PGUARD_MAPSIZE_H
#define P2PGUARD_MAPSIZE_H

#include <stddef.h>
#include <linux/types.h>

struct p2pg_policy;
struct p2pguard_bpf;

/*
 * Floors: room for a configuration's few entries beside the defaults, so
 * that the usual SIGHUP does not have to grow a map (the backend can: see
 * write_policy in backend.h).
 */
#define P2PG_SIZE_PREFIX_FLOOR	256
#define P2PG_SIZE_NAMES_FLOOR	256
#define P2PG_SIZE_AGENTS_FLOOR	64
#define P2PG_SIZE_STEP		256	/* policy maps: a multiple of this */

/* Defaults of the configuration's keys. */
#define P2PG_FLOWS_DEFAULT		1024	/* flows */
#define P2PG_EVENT_BUFFER_DEFAULT	16384	/* event_buffer, bytes */
#define P2PG_EVENT_DESTS_DEFAULT	256	/* event_destinations */

/**
 * struct p2pg_map_sizes - max_entries of the maps that are sized.
 * @prefix4:   p2pg_prefix4 (from the policy).
 * @prefix6:   p2pg_prefix6 (from the policy).
 * @names:     p2pg_names (from the policy).
 * @agent_cg:  p2pg_agent_cg (from the policy).
 * @agent_uid: p2pg_agent_uid (from the policy).
 * @flows:     p2pg_flow_lru, where there is no socket storage (flows).
 * @ev_limit:  p2pg_ev_limit, the events' rate limiter
 *             (event_destinations).
 * @events:    p2pg_events, the ring buffer's bytes (event_buffer).
 */
struct p2pg_map_sizes {
	__u32 prefix4, prefix6, names, agent_cg, agent_uid;
	__u32 flows, ev_limit, events;
};

/**
 * p2pg_size_fit() - entries for a map that must hold @count: a quarter
 * more, rounded up to P2PG_SIZE_STEP, at least @floor.
 * @count: entries to hold now.
 * @floor: the least size.
 *
 * Return: the size, or 0 beyond what max_entries can say.
 */
__u32 p2pg_size_fit(size_t count, __u32 floor);

/**
 * p2pg_map_sizes_init() - the run-time sizes from the configuration's
 * values and the policy maps at their floors.
 * @s:           to fill.
 * @flows:       the flows key (entries).
 * @event_bytes: the event_buffer key (bytes, a power of two, a page at
 *               least).
 * @event_dests: the event_destinations key (entries).
 */
void p2pg_map_sizes_init(struct p2pg_map_sizes *s, __u32 flows,
			 __u32 event_bytes, __u32 event_dests);

/**
 * p2pg_map_sizes_policy() - size the policy maps for @p.
 * @s: sizes; the run-time ones are left alone.
 * @p: policy.
 *
 * Return: 0, or -E2BIG when a list is beyond what a map can be sized for.
 */
int p2pg_map_sizes_policy(struct p2pg_map_sizes *s,
			  const struct p2pg_policy *p);

/**
 * p2pg_map_sizes_fits() - does @p fit maps of @s?
 * @s:    the sizes the maps were created with.
 * @p:    policy.
 * @what: if not NULL, on no: the first map too small, its need and size
 *        ("p2pg_names needs 300 entries, has 256").
 * @len:  size of @what.
 *
 * Return: 1 or 0.
 */
int p2pg_map_sizes_fits(const struct p2pg_map_sizes *s,
			const struct p2pg_policy *p, char *what, size_t len);

/**
 * p2pg_map_sizes_apply() - set max_entries of an opened, not loaded,
 * skeleton's maps.
 * @skel: from p2pg_skel_open().
 * @s:    sizes.
 *
 * Return: 0 or a negative errno from libbpf.
 */
int p2pg_map_sizes_apply(struct p2pguard_bpf *skel,
			 const struct p2pg_map_sizes *s);

/**
 * struct p2pg_map_mem - one map as p2pguardctl status shows it.
 * @id:          kernel map id.
 * @name:        the map's name.
 * @type:        enum bpf_map_type.
 * @max_entries: as created.
 * @key_size:    bytes.
 * @value_size:  bytes.
 * @flags:       map_flags.
 * @bytes:       what it locks (p2pg_map_memlock()).
 * @at_most:     1 when @bytes is a bound the map reaches only when full
 *               (allocated per element, BPF_F_NO_PREALLOC and LPM tries).
 * @per_socket:  1 for socket storage: nothing up front, per socket after.
 */
struct p2pg_map_mem {
	__u32 id;
	char name[16];
	__u32 type, max_entries, key_size, value_size, flags;
	__u64 bytes;
	int at_most, per_socket;
};

/**
 * p2pg_map_memlock() - an estimate of the memory a map locks, from what
 * bpf_map_info says of it.
 * @m:     type, sizes and flags filled; @bytes, @at_most and @per_socket
 *         are set.
 * @ncpus: possible CPUs (per-CPU maps hold a value for each).
 * @page:  the page size.
 *
 * Modelled on the kernel's own accounting (map_mem_usage(), and the
 * memlock bpftool shows): elements of the value rounded to 8 bytes, the
 * hash table's element header and buckets, the trie's node, the ring
 * buffer's data and its two control pages.  The kernel's figure differs by
 * its allocator's rounding and a few hundred bytes of map header: an
 * estimate, for sizing.
 */
void p2pg_map_memlock(struct p2pg_map_mem *m, int ncpus, long page);

/**
 * p2pg_map_mem_read() - fill @m from a map file descriptor.
 * @fd:    map.
 * @m:     filled.
 * @ncpus: possible CPUs.
 *
 * Return: 0 or a negative errno.
 */
int p2pg_map_mem_read(int fd, struct p2pg_map_mem *m, int ncpus);

/**
 * p2pg_prog_maps() - the maps a program uses, by id.
 * @prog_fd: program.
 * @ids:     filled with up to @max ids.
 * @max:     size of @ids.
 *
 * Return: how many, or a negative errno.
 */
int p2pg_prog_maps(int prog_fd, __u32 *ids, int max);

#endif /* P2PGUARD_MAPSIZE_H */
