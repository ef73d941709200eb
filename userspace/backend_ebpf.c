// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * backend_ebpf.c - the eBPF backend: the embedded cgroup_skb program,
 * its maps pinned in bpffs (lists and counters survive restarts), and a
 * pinned link, or where the kernel has none a legacy attachment.  What
 * p2pguardctl reads it reads from the pins, so it works while p2pguardd
 * is down.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "backend.h"
#include "embedded_bpf.h"
#include "kfeatures.h"
#include "sys.h"
#include "p2pguard.skel.h"
#include "p2pguard_iter.skel.h"

/**
 * struct ebpf - the eBPF backend's state.
 * @skel:     the program loaded by load, until enforce attached it; NULL in
 *            p2pguardctl, which reads the pins.
 * @fds:      the policy maps of the program loaded: @skel's, then our own
 *            descriptors (@own_fds) once @skel is dropped.
 * @loaded:   @fds are valid.
 * @own_fds:  @fds are ours to close.
 * @sizes:    the sizes @skel's maps were created with.
 * @attached: enforce attached @skel: a program loaded since replaces it.
 * @ev_fd:    the events map, our own descriptor: the channel outlives a
 *            @skel replaced by a bigger one.
 * @rb:       ring buffer of drop events (5.8+) ...
 * @pb:       ... or the perf buffer where there is none.
 * @fn:       the event handler, and its @ctx.
 * @ctx:      see @fn.
 */
struct ebpf {
	struct p2pguard_bpf *skel;
	struct p2pg_map_fds fds;
	int loaded, own_fds;
	struct p2pg_map_sizes sizes;
	int attached;
	int ev_fd;
	struct ring_buffer *rb;
	struct perf_buffer *pb;
	p2pg_event_fn fn;
	void *ctx;
};

static struct ebpf *ebpf(struct p2pg_backend *be)
{
	struct ebpf *e = be->priv;

	if (!e) {
		e = calloc(1, sizeof(*e));
		if (e)
			e->ev_fd = -1;
		be->priv = e;
	}
	return e;
}

static int pin_fd(const struct p2pg_backend *be, const char *name)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", be->pin_dir, name);
	return bpf_obj_get(path);
}

/*
 * The pins are the enforcement: whoever may write their directory may
 * unlink the link and detach the program.  Created root's, mode 0700; an
 * existing one is used only when it is root's and writable by nobody
 * else, and the directories above it too (sticky ones, as bpffs mounted
 * without options, allowed: there others cannot remove our entries).
 */
static int pin_dir_check(struct p2pg_backend *be)
{
	const char *dir = be->pin_dir;
	char why[1024];
	struct stat st;

	if (mkdir(dir, 0700) == 0) {
		/* The umask must not loosen it. */
		if (chmod(dir, 0700))
			return p2pg_backend_fail(be, -errno,
						 "cannot chmod 0700 %s: %s",
						 dir, strerror(errno));
	} else if (errno == ENOENT) {
		if (p2pg_mkdir_p(dir, 0700) || chmod(dir, 0700))
			return p2pg_backend_fail(be, -errno,
						 "cannot create %s: %s", dir,
						 strerror(errno));
	} else if (errno != EEXIST) {
		return p2pg_backend_fail(be, -errno, "cannot create %s: %s",
					 dir, strerror(errno));
	}
	if (lstat(dir, &st))
		return p2pg_backend_fail(be, -errno, "pin directory %s: %s",
					 dir, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return p2pg_backend_fail(be, -ENOTDIR,
					 "pin directory %s is not a directory (a symbolic link?): remove it, or set pin_dir to another path",
					 dir);
	if (!p2pg_trusted_stat(&st))
		return p2pg_backend_fail(be, -EPERM,
					 "pin directory %s is owned by uid %u with mode %04o: anyone who can write it can remove the pins and end enforcement; remove it (rm -r %s) or make it root's with mode 0700, then start p2pguardd again",
					 dir, (unsigned int)st.st_uid,
					 (unsigned int)(st.st_mode & 07777),
					 dir);
	if (p2pg_trusted_parents(dir, why, sizeof(why)))
		return p2pg_backend_fail(be, -EPERM,
					 "pin directory %s refused: %s", dir,
					 why);
	return 0;
}

/*
 * State is pinned; not state: the per-packet window, a run's state
 * between its programs, who holds each window (runs of one program
 * only), the destination cache (filed under the generation, which the
 * next write changes) and the rodata knobs.
 */
static int pinnable(struct p2pguard_bpf *skel, struct bpf_map *map)
{
	return map != skel->maps.p2pg_scratch && map != skel->maps.p2pg_cont &&
	       map != skel->maps.p2pg_levels &&
	       map != skel->maps.p2pg_dcache && !bpf_map__is_internal(map) &&
	       bpf_map__autocreate(map);
}

/*
 * Refuse pinned maps whose layout differs from this binary's.  A pin of
 * another size only (a policy or a configuration that sized it otherwise)
 * is not reused: the program gets a map of its own size, which replaces
 * the pin once the program is attached (repin()).  Lists are written in
 * full before that; what other state such a map held starts afresh.
 */
static int check_pins(struct p2pg_backend *be, struct p2pguard_bpf *skel)
{
	struct bpf_map *map;
	int bad = 0;

	bpf_object__for_each_map(map, skel->obj) {
		struct bpf_map_info info = {};
		__u32 len = sizeof(info);
		const char *path = bpf_map__pin_path(map);
		int fd;

		if (!path)
			continue;
		fd = bpf_obj_get(path);
		if (fd < 0)
			continue;
		if (bpf_obj_get_info_by_fd(fd, &info, &len) ||
		    info.type != bpf_map__type(map) ||
		    info.key_size != bpf_map__key_size(map) ||
		    info.value_size != bpf_map__value_size(map)) {
			p2pg_backend_log(be, LOG_ERR,
					 "pin %s does not match this version's layout (type %u/%u, key %u/%u, value %u/%u); not reusing it",
					 path, info.type, bpf_map__type(map),
					 info.key_size, bpf_map__key_size(map),
					 info.value_size,
					 bpf_map__value_size(map));
			bad = 1;
		} else if (info.max_entries != bpf_map__max_entries(map) &&
			   bpf_map__type(map) != BPF_MAP_TYPE_PERF_EVENT_ARRAY) {
			p2pg_backend_log(be, LOG_INFO,
					 "pin %s holds %u entries, now sized %u: replaced once the program is attached",
					 path, info.max_entries,
					 bpf_map__max_entries(map));
			bpf_map__set_pin_path(map, NULL);
		}
		close(fd);
	}
	return bad ? -ENOTUNIQ : 0;
}

/*
 * The embedded program with maps of @sizes, its state maps pinned or
 * reused from the pins.  Return: the loaded skeleton, or NULL with
 * *@err set.
 */
static struct p2pguard_bpf *load_program(struct p2pg_backend *be,
					 const struct p2pg_map_sizes *sizes,
					 int *err)
{
	struct p2pguard_bpf *skel;
	struct bpf_map *map;

	skel = p2pg_skel_open(be->feat);
	if (!skel) {
		*err = -errno;
		return NULL;
	}
	*err = p2pg_map_sizes_apply(skel, sizes);
	bpf_object__for_each_map(map, skel->obj) {
		char path[PATH_MAX];

		if (*err || !pinnable(skel, map))
			continue;
		snprintf(path, sizeof(path), "%s/%s", be->pin_dir,
			 bpf_map__name(map));
		*err = bpf_map__set_pin_path(map, path);
	}
	if (!*err)
		*err = check_pins(be, skel);
	if (!*err)
		*err = p2pguard_bpf__load(skel);
	if (*err) {
		p2pguard_bpf__destroy(skel);
		return NULL;
	}
	return skel;
}

/*
 * Pin the maps check_pins() did not reuse, over the old pins: a new pin
 * aside, then rename(), so that a pin is never missing.
 */
static void repin(struct p2pg_backend *be, struct p2pguard_bpf *skel)
{
	struct bpf_map *map;

	bpf_object__for_each_map(map, skel->obj) {
		char path[PATH_MAX], tmp[PATH_MAX + 8];

		if (!pinnable(skel, map) || bpf_map__is_pinned(map))
			continue;
		snprintf(path, sizeof(path), "%s/%s", be->pin_dir,
			 bpf_map__name(map));
		snprintf(tmp, sizeof(tmp), "%s_new", path);
		unlink(tmp);
		if (bpf_obj_pin(bpf_map__fd(map), tmp) || rename(tmp, path)) {
			p2pg_backend_log(be, LOG_WARNING, "cannot pin %s: %s",
					 path, strerror(errno));
			continue;
		}
		bpf_map__set_pin_path(map, path);
	}
}

static void close_fds(struct ebpf *e)
{
	struct p2pg_map_fds *f = &e->fds;

	if (!e->own_fds)
		return;
	close(f->config);
	close(f->prefix4);
	close(f->prefix6);
	close(f->names);
	close(f->pppp);
	close(f->agent_cg);
	close(f->agent_uid);
	e->own_fds = 0;
}

static void use_program(struct ebpf *e, struct p2pguard_bpf *skel,
			const struct p2pg_map_sizes *sizes)
{
	close_fds(e);
	e->skel = skel;
	e->sizes = *sizes;
	p2pg_skel_map_fds(skel, &e->fds);
	e->loaded = 1;
}

static int dup_fd(int fd)
{
	return fcntl(fd, F_DUPFD_CLOEXEC, 3);
}

/*
 * Attached and pinned, the program needs nothing more of the skeleton:
 * keep descriptors of the maps written later and of the events map, and
 * free the rest (libbpf keeps the object's BTF, line information and
 * instructions until it is closed: resident memory for nothing).
 */
static void drop_skeleton(struct p2pg_backend *be, struct ebpf *e)
{
	struct p2pg_map_fds own, *f = &e->fds;
	struct bpf_map *ev = be->feat->ringbuf ? e->skel->maps.p2pg_events :
			     e->skel->maps.p2pg_perf_ev;

	own.config = dup_fd(f->config);
	own.prefix4 = dup_fd(f->prefix4);
	own.prefix6 = dup_fd(f->prefix6);
	own.names = dup_fd(f->names);
	own.pppp = dup_fd(f->pppp);
	own.agent_cg = dup_fd(f->agent_cg);
	own.agent_uid = dup_fd(f->agent_uid);
	if (e->ev_fd < 0)
		e->ev_fd = dup_fd(bpf_map__fd(ev));
	if (own.config < 0 || own.prefix4 < 0 || own.prefix6 < 0 ||
	    own.names < 0 || own.pppp < 0 || own.agent_cg < 0 ||
	    own.agent_uid < 0 || e->ev_fd < 0) {
		/* Out of descriptors: keep the skeleton, lose nothing. */
		e->fds = own;
		e->own_fds = 1;
		close_fds(e);
		p2pg_skel_map_fds(e->skel, &e->fds);
		return;
	}
	p2pguard_bpf__destroy(e->skel);
	e->skel = NULL;
	e->fds = own;
	e->own_fds = 1;
}

static int ebpf_load(struct p2pg_backend *be)
{
	struct ebpf *e = ebpf(be);
	struct p2pguard_bpf *skel;
	struct stat st;
	int r;

	if (!e)
		return p2pg_backend_fail(be, -ENOMEM, "out of memory");
	if (p2pg_cgroup_path(be->cgroup_name, be->cgroup, sizeof(be->cgroup)))
		return p2pg_backend_fail(be, -errno, "cgroup %s: %s",
					 be->cgroup_name, strerror(errno));
	/* Before touching any pin: a wrong target changes nothing. */
	errno = 0;
	if (stat(be->cgroup, &st) || !S_ISDIR(st.st_mode))
		return p2pg_backend_fail(be, errno ? -errno : -ENOTDIR,
					 "cgroup %s: %s", be->cgroup,
					 errno ? strerror(errno) :
					 "not a directory");
	r = pin_dir_check(be);
	if (r)
		return r;
	skel = load_program(be, &be->sizes, &r);
	if (!skel)
		return p2pg_backend_fail(be, r,
					 "cannot load the BPF program: %s",
					 r == -ENOTUNIQ ?
					 "pinned maps of another layout (run p2pguardctl unload first)" :
					 strerror(-r));
	use_program(e, skel, &be->sizes);
	snprintf(be->where, sizeof(be->where), "%s", be->cgroup);
	return 0;
}

static int find_attached(int cg_fd)
{
	__u32 ids[64], cnt = 64, flags = 0, i;

	if (bpf_prog_query(cg_fd, BPF_CGROUP_INET_EGRESS, 0, &flags, ids, &cnt))
		return -1;
	for (i = 0; i < cnt; i++) {
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info);
		int fd = bpf_prog_get_fd_by_id(ids[i]);

		if (fd < 0)
			continue;
		if (!bpf_obj_get_info_by_fd(fd, &info, &len) &&
		    (!strcmp(info.name, P2PG_PROG_ENTRY_NAME) ||
		     !strcmp(info.name, P2PG_PROG_FULL_NAME)))
			return fd;
		close(fd);
	}
	return -1;
}

/*
 * Attach once, replace atomically afterwards: a pinned link is updated in
 * place; a legacy attachment is swapped with BPF_F_REPLACE, or where that
 * is missing (< 5.6) the new program goes in before the old comes out.
 */
static int attach(struct p2pg_backend *be, struct p2pguard_bpf *skel)
{
	struct bpf_program *prog = p2pg_skel_entry(skel);
	char link_path[PATH_MAX], prog_path[PATH_MAX], tmp[PATH_MAX];
	struct bpf_link *link;
	int cg_fd, old, r, prog_fd;

	/* The programs p2pguard_full hands packets on to: none, no window. */
	if (!prog)
		return errno ? -errno : -EINVAL;
	prog_fd = bpf_program__fd(prog);
	snprintf(link_path, sizeof(link_path), "%s/%s", be->pin_dir,
		 P2PG_PIN_LINK);
	snprintf(prog_path, sizeof(prog_path), "%s/%s", be->pin_dir,
		 P2PG_PIN_PROG);
	cg_fd = open(be->cgroup, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cg_fd < 0)
		return -errno;
	/* Only an existing pin: libbpf would warn about a missing one. */
	link = access(link_path, F_OK) ? NULL : bpf_link__open(link_path);
	if (link) {
		r = bpf_link__update_program(link, prog);
		bpf_link__disconnect(link);
		bpf_link__destroy(link);
		if (r)
			goto out;
		snprintf(be->attach, sizeof(be->attach), "link");
		p2pg_backend_log(be, LOG_INFO,
				 "replaced the program in the pinned link");
	} else if (be->feat->link) {
		link = bpf_program__attach_cgroup(prog, cg_fd);
		r = libbpf_get_error(link);
		if (r)
			goto out;
		r = bpf_link__pin(link, link_path);
		bpf_link__disconnect(link);
		bpf_link__destroy(link);
		if (r)
			goto out;
		snprintf(be->attach, sizeof(be->attach), "link");
		p2pg_backend_log(be, LOG_INFO,
				 "attached to %s through a pinned link",
				 be->cgroup);
	} else {
		LIBBPF_OPTS(bpf_prog_attach_opts, opts,
			    .flags = BPF_F_ALLOW_MULTI);

		old = find_attached(cg_fd);
		if (old >= 0) {
			opts.flags |= BPF_F_REPLACE;
			opts.replace_prog_fd = old;
		}
		r = bpf_prog_attach_opts(prog_fd, cg_fd, BPF_CGROUP_INET_EGRESS,
					 &opts);
		if (r && old >= 0) {
			r = bpf_prog_attach(prog_fd, cg_fd,
					    BPF_CGROUP_INET_EGRESS,
					    BPF_F_ALLOW_MULTI);
			if (!r)
				bpf_prog_detach2(old, cg_fd,
						 BPF_CGROUP_INET_EGRESS);
		}
		if (old >= 0)
			close(old);
		if (r)
			goto out;
		snprintf(be->attach, sizeof(be->attach), "legacy");
		p2pg_backend_log(be, LOG_INFO,
				 "attached to %s (legacy multi attach: kernel has no cgroup links)",
				 be->cgroup);
	}
	/* Publish the program pin atomically: pin aside, then rename. */
	snprintf(tmp, sizeof(tmp), "%s/%s_new", be->pin_dir, P2PG_PIN_PROG);
	unlink(tmp);
	if (bpf_obj_pin(prog_fd, tmp) || rename(tmp, prog_path))
		p2pg_backend_log(be, LOG_WARNING,
				 "cannot pin the program at %s: %s",
				 prog_path, strerror(errno));
	r = 0;
out:
	close(cg_fd);
	return r;
}

/*
 * <pin_dir>/stats: a pinned iterator `cat` prints as one "reason packets
 * bytes" line per reason.  Needs vmlinux BTF (5.9+); its absence was
 * logged with the features.
 */
static void pin_stats_iter(struct p2pg_backend *be, struct ebpf *e)
{
	union bpf_iter_link_info info = {
		.map.map_fd = bpf_map__fd(e->skel->maps.p2pg_counters),
	};
	LIBBPF_OPTS(bpf_iter_attach_opts, opts, .link_info = &info,
		    .link_info_len = sizeof(info));
	struct p2pguard_iter *it;
	struct bpf_link *link;
	char path[PATH_MAX];

	if (!be->feat->btf)
		return;
	it = p2pguard_iter__open();
	p2pg_embedded_release();
	if (!it)
		goto fail;
	it->rodata->p2pg_nr_cpus = libbpf_num_possible_cpus();
	if (p2pguard_iter__load(it))
		goto fail;
	link = bpf_program__attach_iter(it->progs.p2pguard_stats, &opts);
	if (libbpf_get_error(link))
		goto fail;
	snprintf(path, sizeof(path), "%s/%s", be->pin_dir, P2PG_PIN_STATS_ITER);
	unlink(path);
	if (bpf_link__pin(link, path))
		p2pg_backend_log(be, LOG_WARNING, "cannot pin %s: %s", path,
				 strerror(errno));
	bpf_link__disconnect(link);
	bpf_link__destroy(link);
	p2pguard_iter__destroy(it);
	return;
fail:
	p2pg_backend_log(be, LOG_WARNING,
			 "no stats iterator (%s); use p2pguardctl stats",
			 strerror(errno));
	p2pguard_iter__destroy(it);
}

static int ebpf_enforce(struct p2pg_backend *be)
{
	struct ebpf *e = be->priv;
	int r = attach(be, e->skel);

	if (r)
		return p2pg_backend_fail(be, r, "cannot attach to %s: %s",
					 be->cgroup, strerror(-r));
	e->attached = 1;
	repin(be, e->skel);
	pin_stats_iter(be, e);
	drop_skeleton(be, e);
	return 0;
}

/* The config map: the loaded program's, else the pin (p2pguardctl). */
static int config_fd(struct p2pg_backend *be, int *owned)
{
	struct ebpf *e = be->priv;

	*owned = !(e && e->loaded);
	if (!*owned)
		return e->fds.config;
	return pin_fd(be, P2PG_MAP_CONFIG);
}

static int ebpf_read_config(struct p2pg_backend *be, struct p2pg_config *cfg)
{
	__u32 zero = 0;
	int owned, fd = config_fd(be, &owned), r;

	if (fd < 0)
		return p2pg_backend_fail(be, -errno, "no %s pinned in %s: %s",
					 P2PG_MAP_CONFIG, be->pin_dir,
					 strerror(errno));
	r = bpf_map_lookup_elem(fd, &zero, cfg) ? -errno : 0;
	if (owned)
		close(fd);
	if (r)
		return p2pg_backend_fail(be, r, "reading %s: %s",
					 P2PG_MAP_CONFIG, strerror(-r));
	return 0;
}

/*
 * A policy the maps cannot hold: a program with maps sized for it,
 * written in full, then put in the old one's place (the link updated in
 * place, or BPF_F_REPLACE) and its maps pinned over the old pins.  Until
 * the swap the old program enforces the old policy; if anything fails,
 * it goes on doing so.
 */
static int grow(struct p2pg_backend *be, struct ebpf *e,
		const struct p2pg_policy *p, const char *why)
{
	struct p2pg_map_sizes sizes = e->sizes;
	struct p2pg_map_fds fds;
	struct p2pguard_bpf *skel;
	int r;

	r = p2pg_map_sizes_policy(&sizes, p);
	if (r)
		return p2pg_backend_fail(be, r,
					 "the policy is too large for a map (%s); keeping the last policy",
					 why);
	skel = load_program(be, &sizes, &r);
	if (!skel)
		return p2pg_backend_fail(be, r,
					 "%s; cannot load a program with larger maps: %s; keeping the last policy",
					 why, strerror(-r));
	p2pg_skel_map_fds(skel, &fds);
	r = p2pg_policy_write_maps(p, &fds);
	if (!r && e->attached)
		r = attach(be, skel);
	if (r) {
		p2pguard_bpf__destroy(skel);
		return p2pg_backend_fail(be, r,
					 "%s; the program with larger maps failed: %s; keeping the last policy",
					 why, strerror(-r));
	}
	if (e->attached)
		repin(be, skel);
	p2pg_backend_log(be, LOG_NOTICE,
			 "%s: maps grown (prefixes %u/%u, names %u), program replaced",
			 why, sizes.prefix4, sizes.prefix6, sizes.names);
	p2pguard_bpf__destroy(e->skel);
	use_program(e, skel, &sizes);
	if (e->attached)
		drop_skeleton(be, e);
	return 0;
}

static int ebpf_write_policy(struct p2pg_backend *be,
			     const struct p2pg_policy *p)
{
	struct ebpf *e = be->priv;
	char why[128];
	int r;

	if (!p2pg_map_sizes_fits(&e->sizes, p, why, sizeof(why)))
		return grow(be, e, p, why);
	r = p2pg_policy_write_maps(p, &e->fds);
	if (r)
		return p2pg_backend_fail(be, r,
					 "writing the policy maps failed: %s",
					 strerror(-r));
	return 0;
}

static int ebpf_write_switch(struct p2pg_backend *be,
			     const struct p2pg_config *cfg)
{
	__u32 zero = 0;
	int owned, fd = config_fd(be, &owned), r;

	if (fd < 0)
		return p2pg_backend_fail(be, -errno, "no %s pinned in %s: %s",
					 P2PG_MAP_CONFIG, be->pin_dir,
					 strerror(errno));
	r = bpf_map_update_elem(fd, &zero, cfg, BPF_ANY) ? -errno : 0;
	if (owned)
		close(fd);
	if (r)
		return p2pg_backend_fail(be, r, "writing %s: %s",
					 P2PG_MAP_CONFIG, strerror(-r));
	return 0;
}

/* The switch in the config map, the generation bumped with it. */
static int ebpf_set_p2p(struct p2pg_backend *be, int on)
{
	struct p2pg_config cfg;
	int r;

	r = ebpf_read_config(be, &cfg);
	if (r)
		return r;
	cfg.p2p_enabled = on;
	cfg.generation++;
	return ebpf_write_switch(be, &cfg);
}

static int ebpf_read_counters(struct p2pg_backend *be,
			      struct p2pg_counter *out)
{
	int fd, r;

	fd = pin_fd(be, P2PG_MAP_COUNTERS);
	if (fd < 0)
		return p2pg_backend_fail(be, -errno,
					 "no counters pinned in %s: %s",
					 be->pin_dir, strerror(errno));
	r = p2pg_counters_read(fd, out);
	close(fd);
	if (r)
		return p2pg_backend_fail(be, r, "reading counters: %s",
					 strerror(-r));
	return 0;
}

/* The config pin, and the link pin when attached through a link. */
static int ebpf_verify(struct p2pg_backend *be)
{
	int fd;

	fd = pin_fd(be, P2PG_MAP_CONFIG);
	if (fd < 0)
		return p2pg_backend_fail(be, -ENOENT,
					 "the pins in %s are gone",
					 be->pin_dir);
	close(fd);
	if (strcmp(be->attach, "link"))
		return 0;
	fd = pin_fd(be, P2PG_PIN_LINK);
	if (fd < 0)
		return p2pg_backend_fail(be, -ENOENT,
					 "the link pin %s/%s is gone: nothing attached",
					 be->pin_dir, P2PG_PIN_LINK);
	close(fd);
	return 0;
}

static int ebpf_present(struct p2pg_backend *be)
{
	char path[PATH_MAX];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", be->pin_dir, P2PG_MAP_CONFIG);
	return stat(path, &st) ? -ENOENT : 0;
}

static int on_ring_event(void *ctx, void *data, size_t size)
{
	struct ebpf *e = ctx;

	if (size >= sizeof(struct p2pg_event))
		e->fn(e->ctx, data);
	return 0;
}

static void on_perf_event(void *ctx, int cpu, void *data, __u32 size)
{
	on_ring_event(ctx, data, size);
}

static int ebpf_events_open(struct p2pg_backend *be, p2pg_event_fn fn,
			    void *ctx)
{
	struct ebpf *e = be->priv;
	int fd;

	e->fn = fn;
	e->ctx = ctx;
	/* Ours: a program replaced by grow() closes its own. */
	if (e->ev_fd < 0 && e->skel)
		e->ev_fd = dup_fd(bpf_map__fd(be->feat->ringbuf ?
					      e->skel->maps.p2pg_events :
					      e->skel->maps.p2pg_perf_ev));
	if (e->ev_fd < 0)
		return p2pg_backend_fail(be, -EBADF, "no events map");
	if (be->feat->ringbuf) {
		e->rb = ring_buffer__new(e->ev_fd, on_ring_event, e, NULL);
		fd = e->rb ? ring_buffer__epoll_fd(e->rb) : -errno;
	} else {
		e->pb = perf_buffer__new(e->ev_fd, 8, on_perf_event, NULL, e,
					 NULL);
		fd = e->pb ? perf_buffer__epoll_fd(e->pb) : -errno;
	}
	if (fd < 0)
		return p2pg_backend_fail(be, fd, "%s", strerror(-fd));
	return fd;
}

static int ebpf_events_read(struct p2pg_backend *be)
{
	struct ebpf *e = be->priv;

	if (e->rb)
		ring_buffer__consume(e->rb);
	else if (e->pb)
		perf_buffer__consume(e->pb);
	return 0;
}

/*
 * A legacy attachment belongs to the cgroup: detached explicitly.  Then
 * every pin goes: removing the link pin drops the last reference, which
 * detaches the program.
 */
static int ebpf_unload(struct p2pg_backend *be)
{
	char path[PATH_MAX];
	int prog, cg;
	DIR *d;

	if (!strcmp(be->attach, "legacy")) {
		prog = pin_fd(be, P2PG_PIN_PROG);
		cg = open(be->cgroup, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (prog >= 0 && cg >= 0 &&
		    bpf_prog_detach2(prog, cg, BPF_CGROUP_INET_EGRESS))
			p2pg_backend_log(be, LOG_WARNING,
					 "detaching from %s: %s", be->cgroup,
					 strerror(errno));
		if (prog >= 0)
			close(prog);
		if (cg >= 0)
			close(cg);
	}
	d = opendir(be->pin_dir);
	if (d) {
		struct dirent *e;

		while ((e = readdir(d))) {
			if (e->d_name[0] == '.' && (!e->d_name[1] ||
			    (e->d_name[1] == '.' && !e->d_name[2])))
				continue;
			snprintf(path, sizeof(path), "%s/%s", be->pin_dir,
				 e->d_name);
			if (unlink(path))
				p2pg_backend_log(be, LOG_WARNING, "%s: %s",
						 path, strerror(errno));
		}
		closedir(d);
		rmdir(be->pin_dir);
	}
	snprintf(be->msg, sizeof(be->msg),
		 "program, link and pins removed from %s", be->pin_dir);
	return 0;
}

/* Add the maps of program @prog_fd to @ids (without repeats). */
static int add_prog_maps(int prog_fd, __u32 *ids, int n, int max)
{
	__u32 m[64];
	int k, i, j;

	k = p2pg_prog_maps(prog_fd, m, 64);
	for (i = 0; i < k && n < max; i++) {
		for (j = 0; j < n && ids[j] != m[i]; j++)
			;
		if (j == n)
			ids[n++] = m[i];
	}
	return n;
}

/*
 * Every map the enforcement holds: those of the pinned program and of
 * the programs in p2pg_progs, and the pinned ones (which outlive them).
 */
static int ebpf_memory(struct p2pg_backend *be, struct p2pg_map_mem *out,
		       int max)
{
	int ncpus = libbpf_num_possible_cpus(), n = 0, k = 0, fd, prog, i;
	__u32 ids[128], slot, prog_id;
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d;

	fd = pin_fd(be, P2PG_PIN_PROG);
	if (fd >= 0) {
		n = add_prog_maps(fd, ids, n, 128);
		close(fd);
	}
	fd = pin_fd(be, P2PG_MAP_PROGS);
	for (slot = 0; fd >= 0 && slot < P2PG_PROGS; slot++) {
		/* From user space a program array answers with the id. */
		if (!bpf_map_lookup_elem(fd, &slot, &prog_id)) {
			prog = bpf_prog_get_fd_by_id(prog_id);
			if (prog >= 0) {
				n = add_prog_maps(prog, ids, n, 128);
				close(prog);
			}
		}
	}
	if (fd >= 0)
		close(fd);
	d = opendir(be->pin_dir);
	while (d && (de = readdir(d)) && n < 128) {
		struct bpf_map_info info = {};
		__u32 len = sizeof(info);

		/* Maps only: the link and program pins are named otherwise. */
		if (strncmp(de->d_name, "p2pg_", 5))
			continue;
		snprintf(path, sizeof(path), "%s/%s", be->pin_dir, de->d_name);
		fd = bpf_obj_get(path);
		if (fd < 0)
			continue;
		if (!bpf_obj_get_info_by_fd(fd, &info, &len)) {
			for (i = 0; i < n && ids[i] != info.id; i++)
				;
			if (i == n)
				ids[n++] = info.id;
		}
		close(fd);
	}
	if (d)
		closedir(d);
	if (!n)
		return p2pg_backend_fail(be, -ENOENT,
					 "no program or maps pinned in %s",
					 be->pin_dir);
	for (i = 0; i < n && k < max; i++) {
		fd = bpf_map_get_fd_by_id(ids[i]);
		if (fd < 0)
			continue;
		if (!p2pg_map_mem_read(fd, &out[k], ncpus))
			k++;
		close(fd);
	}
	return k;
}

static void ebpf_close(struct p2pg_backend *be)
{
	struct ebpf *e = be->priv;

	if (!e)
		return;
	ring_buffer__free(e->rb);
	perf_buffer__free(e->pb);
	if (e->ev_fd >= 0)
		close(e->ev_fd);
	close_fds(e);
	p2pguard_bpf__destroy(e->skel);
	free(e);
	be->priv = NULL;
}

const struct p2pg_backend_ops p2pg_ebpf_backend = {
	.name = "ebpf",
	.kept = "pinned",
	.caps = 0,
	.load = ebpf_load,
	.enforce = ebpf_enforce,
	.read_config = ebpf_read_config,
	.write_policy = ebpf_write_policy,
	.write_switch = ebpf_write_switch,
	.set_p2p = ebpf_set_p2p,
	.read_counters = ebpf_read_counters,
	.verify = ebpf_verify,
	.present = ebpf_present,
	.events_open = ebpf_events_open,
	.events_read = ebpf_events_read,
	.unload = ebpf_unload,
	.memory = ebpf_memory,
	.close = ebpf_close,
};
