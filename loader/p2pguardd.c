// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * p2pguardd - keeps the kernel policy equal to the camera's P2P switch.
 *
 * Start-up, in the order that keeps the device safe: read the
 * configuration; pick the backend (the eBPF program where a cgroup_skb
 * program can attach, else the kernel module); for eBPF, make sure bpffs
 * and cgroup2 are mounted, load the embedded program reusing pinned maps
 * (lists and counters survive restarts), write the policy, only then
 * attach (or atomically replace the attached program) and pin everything;
 * for the module, load it when it is not loaded and write the policy blob
 * to its device.  Fail loudly when nothing can be enforced.  Only then
 * detach from the terminal, so an init script that waits for us knows the
 * policy is in force before the vendor daemons start.  Then follow the
 * switch: inotify on the settings file's directory, SIGHUP, and a slow
 * timer as a safety net.  SIGTERM leaves enforcement in place: the pinned
 * link, or the loaded module, outlives the process.
 *
 * The two backends share everything but the few operations of struct
 * backend: opening, reading and writing the policy, enforcing, events.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/mount.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/timerfd.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>
#include <linux/magic.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "conf.h"
#include "ctl.h"
#include "kfeatures.h"
#include "kmodule.h"
#include "multicall.h"
#include "policy.h"
#include "settings.h"
#include "sys.h"
#include "p2pguard.skel.h"
#include "p2pguard_iter.skel.h"

#define DEBOUNCE_NS	2000000		/* editors write in bursts */
#define EVENTS_PER_SEC	20		/* syslog budget for drop events */

static bool use_syslog;

/*
 * Every message made safe as a whole: process names, settings values and
 * command output reach syslog and terminals with their control
 * characters and escape sequences visible (\x1b), never raw.
 */
static __attribute__((format(printf, 2, 3)))
void logmsg(int prio, const char *fmt, ...)
{
	char msg[2048], safe[4 * sizeof(msg)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	p2pg_text_escape(safe, sizeof(safe), msg);
	if (use_syslog)
		syslog(prio, "%s", safe);
	else
		fprintf(stderr, "p2pguardd: %s\n", safe);
}

struct daemon;

/**
 * struct backend - what differs between the eBPF program and the module.
 * @name:         "ebpf" or "module", as logged and in the status file.
 * @open:         get ready to take a policy; returns an exit status
 *                (fail() said why).
 * @read_config:  the switch the kernel enforces now; -ENODATA when it has
 *                none of ours yet.
 * @write_policy: make the kernel's policy equal to @p (logs failures).
 * @write_switch: change only the switch; NULL: write the whole policy.
 * @enforce:      after the first policy: attach; returns an exit status.
 * @events_open:  start the drop-event channel; its pollable fd, or -1.
 * @events_read:  the channel is readable: handle what it has.
 * @close:        release everything (enforcement stays).
 */
struct backend {
	const char *name;
	int (*open)(struct daemon *d);
	int (*read_config)(struct daemon *d, struct p2pg_config *cfg);
	int (*write_policy)(struct daemon *d, const struct p2pg_policy *p);
	int (*write_switch)(struct daemon *d, const struct p2pg_config *cfg);
	int (*enforce)(struct daemon *d);
	int (*events_open)(struct daemon *d);
	void (*events_read)(struct daemon *d);
	void (*close)(struct daemon *d);
};

struct daemon {
	const struct backend *be;
	struct p2pg_conf conf;
	const char *conf_path;
	const char *cgroup_opt;
	const char *pin_dir_opt;
	char cgroup[PATH_MAX];
	char pin_dir[PATH_MAX];
	struct p2pg_features feat;
	int probed;
	struct p2pguard_bpf *skel;
	struct p2pg_map_fds fds;
	const char *attach_kind;
	int p2p_on;
	int have_value;
	char source_status[1024];
	__u32 generation;
	time_t applied_at;
	struct ring_buffer *rb;
	struct perf_buffer *pb;
	int dev_fd;			/* module: /dev/p2pguard */
	char dev_path[PATH_MAX];
	char module_path[PATH_MAX];	/* module: the file we loaded, or "" */
	int ev_fd;			/* the backend's event channel */
	int ino_fd, wd, sig_fd, debounce_fd, recheck_fd, ep_fd;
	time_t ev_sec;
	int ev_count;
};

static const struct backend ebpf_backend, module_backend;

static const char *source_name(enum p2pg_source s)
{
	return s == P2PG_SOURCE_FILE ? "file" :
	       s == P2PG_SOURCE_COMMAND ? "command" : "state";
}

/* /run/p2pguard/status: what `p2pguardctl status` shows. */
static void write_status(struct daemon *d, const char *not_enforced)
{
	char buf[8192], have[256], miss[256], path[PATH_MAX];
	/* One line per key, whatever the values hold. */
	char reason[2048], cg[1024], pins[1024], mod[1024], detail[2048],
	     sstat[1024];
	int n;

	have[0] = miss[0] = 0;
	if (d->probed) {
		p2pg_features_string(&d->feat, 0, have, sizeof(have));
		p2pg_features_string(&d->feat, 1, miss, sizeof(miss));
	}
	p2pg_text_escape(reason, sizeof(reason),
			 not_enforced ? not_enforced : "");
	p2pg_text_escape(cg, sizeof(cg), d->cgroup);
	p2pg_text_escape(pins, sizeof(pins), d->pin_dir);
	p2pg_text_escape(mod, sizeof(mod), d->module_path);
	p2pg_text_escape(detail, sizeof(detail),
			 d->conf.source == P2PG_SOURCE_COMMAND ? d->conf.command :
			 d->conf.source == P2PG_SOURCE_FILE ? d->conf.file :
			 d->conf.state_file);
	p2pg_text_escape(sstat, sizeof(sstat),
			 d->source_status[0] ? d->source_status : "ok");
	n = snprintf(buf, sizeof(buf),
		     "enforced=%s\nreason=%s\nbackend=%s\nattach=%s\n"
		     "cgroup=%s\npin_dir=%s\nmodule=%s\np2p=%s\nmode=%s\n"
		     "lockdown=%s\n"
		     "source=%s\nsource_detail=%s\nsource_status=%s\n"
		     "generation=%u\napplied=%lld\npid=%d\nfeatures=%s\n"
		     "missing=%s\n",
		     not_enforced ? "no" : "yes", reason,
		     d->be ? d->be->name : "none",
		     d->attach_kind ? d->attach_kind : "none", cg, pins, mod,
		     d->p2p_on ? "on" : "off",
		     d->conf.mode == P2PG_MODE_AUDIT ? "audit" : "enforce",
		     d->conf.lockdown ? "on" : "off",
		     source_name(d->conf.source), detail, sstat, d->generation, (long long)d->applied_at, (int)getpid(),
		     have, miss);
	snprintf(path, sizeof(path), "%s/%s", d->conf.run_dir, P2PG_STATUS_FILE);
	if (p2pg_mkdir_p(d->conf.run_dir, 0755) ||
	    p2pg_write_file_atomic(path, buf, n))
		logmsg(LOG_WARNING, "cannot write %s: %s", path,
		       strerror(errno));
}

static int fail(struct daemon *d, const char *fmt, ...)
{
	char why[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	logmsg(LOG_CRIT, "NOT ENFORCED: %s", why);
	write_status(d, why);
	return 1;
}

static int is_fs(const char *path, long magic)
{
	struct statfs st;

	return !statfs(path, &st) && st.f_type == magic;
}

/* A cgroup2 hierarchy, mounted when missing. */
static int ensure_cgroup2(struct daemon *d)
{
	char cg[PATH_MAX];

	if (p2pg_cgroup2_mount(cg, sizeof(cg)) == 0)
		return 0;
	/* Hybrid layouts put v2 beside the v1 controllers. */
	snprintf(cg, sizeof(cg), "%s",
		 is_fs("/sys/fs/cgroup", TMPFS_MAGIC) ?
		 "/sys/fs/cgroup/unified" : "/sys/fs/cgroup");
	if (p2pg_mkdir_p(cg, 0755) ||
	    mount("cgroup2", cg, "cgroup2", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  NULL)) {
		logmsg(LOG_WARNING, "cannot mount cgroup2 at %s: %s", cg,
		       strerror(errno));
		return -1;
	}
	logmsg(LOG_INFO, "mounted cgroup2 at %s", cg);
	(void)d;
	return 0;
}

/* bpffs at /sys/fs/bpf and a cgroup2 hierarchy, mounted when missing. */
static int ensure_mounts(struct daemon *d)
{
	if (!is_fs("/sys/fs/bpf", BPF_FS_MAGIC)) {
		if (p2pg_mkdir_p("/sys/fs/bpf", 0700) ||
		    mount("bpf", "/sys/fs/bpf", "bpf", 0, "mode=0700"))
			logmsg(LOG_WARNING, "cannot mount bpffs at /sys/fs/bpf: %s",
			       strerror(errno));
		else
			logmsg(LOG_INFO, "mounted bpffs at /sys/fs/bpf");
	}
	return ensure_cgroup2(d);
}

/* Refuse pinned maps whose layout differs from this binary's. */
static int check_pins(struct daemon *d)
{
	struct bpf_map *map;
	int bad = 0;

	bpf_object__for_each_map(map, d->skel->obj) {
		struct bpf_map_info info = {};
		__u32 len = sizeof(info);
		char path[PATH_MAX];
		int fd;

		if (!bpf_map__autocreate(map) || bpf_map__is_internal(map))
			continue;
		snprintf(path, sizeof(path), "%s/%s", d->pin_dir,
			 bpf_map__name(map));
		fd = bpf_obj_get(path);
		if (fd < 0)
			continue;
		if (bpf_obj_get_info_by_fd(fd, &info, &len) ||
		    info.type != bpf_map__type(map) ||
		    info.key_size != bpf_map__key_size(map) ||
		    info.value_size != bpf_map__value_size(map) ||
		    (info.max_entries != bpf_map__max_entries(map) &&
		     bpf_map__type(map) != BPF_MAP_TYPE_PERF_EVENT_ARRAY)) {
			logmsg(LOG_ERR,
			       "pin %s does not match this version's layout (type %u/%u, key %u/%u, value %u/%u, entries %u/%u); not reusing it",
			       path, info.type, bpf_map__type(map),
			       info.key_size, bpf_map__key_size(map),
			       info.value_size, bpf_map__value_size(map),
			       info.max_entries, bpf_map__max_entries(map));
			bad = 1;
		}
		close(fd);
	}
	return bad ? -1 : 0;
}

static int load_program(struct daemon *d)
{
	struct bpf_map *map;
	int err;

	d->skel = p2pg_skel_open(&d->feat);
	if (!d->skel)
		return -errno;
	bpf_object__for_each_map(map, d->skel->obj) {
		char path[PATH_MAX];

		/*
		 * Not state: the per-packet window, a GSO send's loop
		 * state, the destination cache (filed under the generation,
		 * which the next write changes) and the rodata knobs.
		 */
		if (map == d->skel->maps.p2pg_scratch ||
		    map == d->skel->maps.p2pg_gso ||
		    map == d->skel->maps.p2pg_dcache ||
		    bpf_map__is_internal(map) || !bpf_map__autocreate(map))
			continue;
		snprintf(path, sizeof(path), "%s/%s", d->pin_dir,
			 bpf_map__name(map));
		err = bpf_map__set_pin_path(map, path);
		if (err)
			return err;
	}
	if (check_pins(d))
		return -ENOTUNIQ;
	err = p2pguard_bpf__load(d->skel);
	if (err)
		return err;
	p2pg_skel_map_fds(d->skel, &d->fds);
	return 0;
}

/* What the kernel holds from a previous run: the last applied. */
static void adopt_previous(struct daemon *d)
{
	struct p2pg_config cfg;

	if (d->be->read_config(d, &cfg) || cfg.abi_version != P2PG_ABI_VERSION)
		return;
	d->generation = cfg.generation;
	d->p2p_on = cfg.p2p_enabled;
	d->have_value = 1;
	logmsg(LOG_INFO, "adopted %s state: generation %u, P2P %s",
	       d->be == &module_backend ? "the module's" : "pinned",
	       cfg.generation, cfg.p2p_enabled ? "on" : "off");
}

/* Read the switch; keep the last value (or the default) when unreadable. */
static void read_switch(struct daemon *d)
{
	char why[1024] = "";
	int v = p2pg_settings_read(&d->conf, why, sizeof(why));

	if (v >= 0) {
		d->p2p_on = v;
		d->have_value = 1;
		d->source_status[0] = 0;
		return;
	}
	if (strcmp(d->source_status, why))
		logmsg(LOG_WARNING, "%s; keeping %s policy (P2P %s)", why,
		       d->have_value ? "the last applied" : "the default",
		       (d->have_value ? d->p2p_on : d->conf.default_on) ?
		       "on" : "off");
	snprintf(d->source_status, sizeof(d->source_status), "%s", why);
	if (!d->have_value)
		d->p2p_on = d->conf.default_on;
}

/*
 * Agent cgroups are ours: create them, so that the policy can name them at
 * boot, before `p2pguardctl exec-agent` starts anything inside.
 */
static void make_agent_cgroups(struct daemon *d)
{
	char path[PATH_MAX];
	int i;

	for (i = 0; i < d->conf.n_agent_cgroups; i++)
		if (p2pg_cgroup_path(d->conf.agent_cgroups[i], path,
				     sizeof(path)) || p2pg_mkdir_p(path, 0755))
			logmsg(LOG_WARNING, "agent cgroup %s: %s",
			       d->conf.agent_cgroups[i], strerror(errno));
}

/* Full policy write: lists and switch (start-up and SIGHUP). */
static int apply_policy(struct daemon *d)
{
	struct p2pg_config cur;
	struct p2pg_policy p;
	char err[512];
	int r;

	make_agent_cgroups(d);
	if (p2pg_conf_policy(&d->conf, d->p2p_on, &p, err, sizeof(err))) {
		logmsg(LOG_ERR, "policy: %s", err);
		return -EINVAL;
	}
	/* Ahead of the kernel's, as the map writer would make it anyway. */
	if (!d->be->read_config(d, &cur) && cur.generation > d->generation)
		d->generation = cur.generation;
	p.cfg.generation = ++d->generation;
	r = d->be->write_policy(d, &p);
	p2pg_policy_free(&p);
	if (r)
		return r;
	d->applied_at = time(NULL);
	return 0;
}

/*
 * Only the switch changed: one config write on eBPF, a whole blob on the
 * module.  A switch flipped behind our back (p2pguardctl p2p with the
 * daemon down) bumped the kernel's generation: never go below it.
 */
static int apply_switch(struct daemon *d)
{
	struct p2pg_config cfg;
	int r;

	r = d->be->read_config(d, &cfg);
	if (r && r != -ENODATA)
		return r;
	if (!r && cfg.p2p_enabled == d->p2p_on && cfg.mode == d->conf.mode &&
	    cfg.lockdown == d->conf.lockdown)
		return 0;
	if (!r && cfg.generation > d->generation)
		d->generation = cfg.generation;
	if (!r && d->be->write_switch) {
		cfg.p2p_enabled = d->p2p_on;
		cfg.generation = ++d->generation;
		r = d->be->write_switch(d, &cfg);
	} else {
		r = apply_policy(d);
	}
	if (r)
		return r;
	d->applied_at = time(NULL);
	logmsg(LOG_NOTICE, "P2P %s (generation %u)", d->p2p_on ? "on" : "off",
	       d->generation);
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
static int attach(struct daemon *d)
{
	struct bpf_program *prog = p2pg_skel_entry(d->skel);
	int prog_fd = bpf_program__fd(prog);
	char link_path[PATH_MAX], prog_path[PATH_MAX], tmp[PATH_MAX];
	struct bpf_link *link;
	int cg_fd, old, r;

	snprintf(link_path, sizeof(link_path), "%s/%s", d->pin_dir,
		 P2PG_PIN_LINK);
	snprintf(prog_path, sizeof(prog_path), "%s/%s", d->pin_dir,
		 P2PG_PIN_PROG);
	cg_fd = open(d->cgroup, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
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
		d->attach_kind = "link";
		logmsg(LOG_INFO, "replaced the program in the pinned link");
	} else if (d->feat.link) {
		link = bpf_program__attach_cgroup(prog, cg_fd);
		r = libbpf_get_error(link);
		if (r)
			goto out;
		r = bpf_link__pin(link, link_path);
		bpf_link__disconnect(link);
		bpf_link__destroy(link);
		if (r)
			goto out;
		d->attach_kind = "link";
		logmsg(LOG_INFO, "attached to %s through a pinned link",
		       d->cgroup);
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
		d->attach_kind = "legacy";
		logmsg(LOG_INFO, "attached to %s (legacy multi attach: kernel has no cgroup links)",
		       d->cgroup);
	}
	/* Publish the program pin atomically: pin aside, then rename. */
	snprintf(tmp, sizeof(tmp), "%s/%s_new", d->pin_dir, P2PG_PIN_PROG);
	unlink(tmp);
	if (bpf_obj_pin(prog_fd, tmp) || rename(tmp, prog_path))
		logmsg(LOG_WARNING, "cannot pin the program at %s: %s",
		       prog_path, strerror(errno));
	r = 0;
out:
	close(cg_fd);
	return r;
}

/* Append to the event log `p2pguardctl events` and `top` read. */
static void log_event(struct daemon *d, const struct p2pg_event *e,
		      time_t now, const char *process)
{
	char path[PATH_MAX], old[PATH_MAX], line[2048];
	struct stat st;
	int n, fd;

	snprintf(path, sizeof(path), "%s/%s", d->conf.run_dir,
		 P2PG_EVENTS_FILE);
	if (!stat(path, &st) && st.st_size > P2PG_EVENTS_MAX_BYTES) {
		snprintf(old, sizeof(old), "%s.1", path);
		rename(path, old);
	}
	n = p2pg_event_json(e, now, process, line, sizeof(line) - 1);
	line[n++] = '\n';
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd >= 0) {
		if (write(fd, line, n) != n)
			logmsg(LOG_WARNING, "%s: short write", path);
		close(fd);
	}
}

/*
 * /sys/fs/bpf/p2pguard/stats: a pinned iterator `cat` prints as one
 * "reason packets bytes" line per reason.  Needs vmlinux BTF (5.9+); its
 * absence was logged with the features.
 */
static void pin_stats_iter(struct daemon *d)
{
	union bpf_iter_link_info info = {
		.map.map_fd = bpf_map__fd(d->skel->maps.p2pg_counters),
	};
	LIBBPF_OPTS(bpf_iter_attach_opts, opts, .link_info = &info,
		    .link_info_len = sizeof(info));
	struct p2pguard_iter *it;
	struct bpf_link *link;
	char path[PATH_MAX];

	if (!d->feat.btf)
		return;
	it = p2pguard_iter__open();
	if (!it)
		goto fail;
	it->rodata->p2pg_nr_cpus = libbpf_num_possible_cpus();
	if (p2pguard_iter__load(it))
		goto fail;
	link = bpf_program__attach_iter(it->progs.p2pguard_stats, &opts);
	if (libbpf_get_error(link))
		goto fail;
	snprintf(path, sizeof(path), "%s/%s", d->pin_dir, P2PG_PIN_STATS_ITER);
	unlink(path);
	if (bpf_link__pin(link, path))
		logmsg(LOG_WARNING, "cannot pin %s: %s", path, strerror(errno));
	bpf_link__disconnect(link);
	bpf_link__destroy(link);
	p2pguard_iter__destroy(it);
	return;
fail:
	logmsg(LOG_WARNING, "no stats iterator (%s); use p2pguardctl stats",
	       strerror(errno));
	p2pguard_iter__destroy(it);
}

/* "comm[pid]" of a live process. */
static int describe_pid(__u32 pid, char *buf, size_t len)
{
	char path[64], comm[64];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%u/comm", pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	if (!fgets(comm, sizeof(comm), f))
		comm[0] = 0;
	fclose(f);
	comm[strcspn(comm, "\n")] = 0;
	snprintf(buf, len, "%s[%u]", comm, pid);
	return 0;
}

static int on_event(void *ctx, void *data, size_t size)
{
	struct daemon *d = ctx;
	const struct p2pg_event *e = data;
	char addr[INET6_ADDRSTRLEN] = "?", who[160];
	time_t now = time(NULL);

	if (size < sizeof(*e))
		return 0;
	if (now != d->ev_sec) {
		d->ev_sec = now;
		d->ev_count = 0;
	}
	/* The kernel limits per destination; this bounds the total. */
	if (++d->ev_count > EVENTS_PER_SEC)
		return 0;
	/*
	 * The program sees the socket's cgroup and uid, not the process;
	 * the module knows the sender's pid when it runs in its context.
	 */
	if (!(e->pid && !describe_pid(e->pid, who, sizeof(who))) &&
	    p2pg_describe_sender(e->cgroup_id, e->uid, who, sizeof(who)))
		snprintf(who, sizeof(who), "?");
	log_event(d, e, now, who);
	inet_ntop(e->family == 6 ? AF_INET6 : AF_INET, e->daddr, addr,
		  sizeof(addr));
	logmsg(LOG_NOTICE, "%s %s to %s port %u (%s), process %s, uid %u, cgroup %llu",
	       e->flags & P2PG_EV_DROPPED ? "blocked" : "would block",
	       e->l4proto == 6 ? "tcp" : e->l4proto == 17 ? "udp" : "ip",
	       addr, e->dport, p2pg_reason_name(e->reason), who, e->uid,
	       (unsigned long long)e->cgroup_id);
	return 0;
}

static void on_perf_event(void *ctx, int cpu, void *data, __u32 size)
{
	on_event(ctx, data, size);
}

static int add_fd(struct daemon *d, int fd)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = fd };

	return epoll_ctl(d->ep_fd, EPOLL_CTL_ADD, fd, &ev);
}

/* ---- the eBPF backend ----------------------------------------------------- */

/*
 * The pins are the enforcement: whoever may write their directory may
 * unlink the link and detach the program.  Created root's, mode 0700; an
 * existing one is used only when it is root's and writable by nobody
 * else, and the directories above it too (sticky ones, as bpffs mounted
 * without options, allowed: there others cannot remove our entries).
 */
static int pin_dir_check(struct daemon *d)
{
	char why[1024];
	struct stat st;

	if (mkdir(d->pin_dir, 0700) == 0) {
		/* The umask must not loosen it. */
		if (chmod(d->pin_dir, 0700))
			return fail(d, "cannot chmod 0700 %s: %s", d->pin_dir,
				    strerror(errno));
	} else if (errno == ENOENT) {
		if (p2pg_mkdir_p(d->pin_dir, 0700) || chmod(d->pin_dir, 0700))
			return fail(d, "cannot create %s: %s", d->pin_dir,
				    strerror(errno));
	} else if (errno != EEXIST) {
		return fail(d, "cannot create %s: %s", d->pin_dir,
			    strerror(errno));
	}
	if (lstat(d->pin_dir, &st))
		return fail(d, "pin directory %s: %s", d->pin_dir,
			    strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return fail(d, "pin directory %s is not a directory (a symbolic link?): remove it, or set pin_dir to another path",
			    d->pin_dir);
	if (!p2pg_trusted_stat(&st))
		return fail(d, "pin directory %s is owned by uid %u with mode %04o: anyone who can write it can remove the pins and end enforcement; remove it (rm -r %s) or make it root's with mode 0700, then start p2pguardd again",
			    d->pin_dir, (unsigned int)st.st_uid,
			    (unsigned int)(st.st_mode & 07777), d->pin_dir);
	if (p2pg_trusted_parents(d->pin_dir, why, sizeof(why)))
		return fail(d, "pin directory %s refused: %s", d->pin_dir,
			    why);
	return 0;
}

static int ebpf_open(struct daemon *d)
{
	struct stat st;
	int r;

	if (p2pg_cgroup_path(d->cgroup_opt ? d->cgroup_opt : d->conf.cgroup,
			     d->cgroup, sizeof(d->cgroup)))
		return fail(d, "cgroup %s: %s",
			    d->cgroup_opt ? d->cgroup_opt : d->conf.cgroup,
			    strerror(errno));
	/* Before touching any pin: a wrong target changes nothing. */
	errno = 0;
	if (stat(d->cgroup, &st) || !S_ISDIR(st.st_mode))
		return fail(d, "cgroup %s: %s", d->cgroup,
			    errno ? strerror(errno) : "not a directory");
	r = pin_dir_check(d);
	if (r)
		return r;
	r = load_program(d);
	if (r)
		return fail(d, "cannot load the BPF program: %s",
			    r == -ENOTUNIQ ?
			    "pinned maps of another layout (run p2pguardctl unload first)" :
			    strerror(-r));
	return 0;
}

static int ebpf_read_config(struct daemon *d, struct p2pg_config *cfg)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(d->fds.config, &zero, cfg) ? -errno : 0;
}

static int ebpf_write_policy(struct daemon *d, const struct p2pg_policy *p)
{
	int r = p2pg_policy_write_maps(p, &d->fds);

	if (r)
		logmsg(LOG_ERR, "writing the policy maps failed: %s",
		       strerror(-r));
	return r;
}

static int ebpf_write_switch(struct daemon *d, const struct p2pg_config *cfg)
{
	__u32 zero = 0;

	return bpf_map_update_elem(d->fds.config, &zero, cfg, BPF_ANY) ?
	       -errno : 0;
}

static int ebpf_enforce(struct daemon *d)
{
	int r = attach(d);

	if (r)
		return fail(d, "cannot attach to %s: %s", d->cgroup,
			    strerror(-r));
	pin_stats_iter(d);
	return 0;
}

static int ebpf_events_open(struct daemon *d)
{
	if (d->feat.ringbuf) {
		d->rb = ring_buffer__new(bpf_map__fd(d->skel->maps.p2pg_events),
					 on_event, d, NULL);
		return d->rb ? ring_buffer__epoll_fd(d->rb) : -1;
	}
	d->pb = perf_buffer__new(bpf_map__fd(d->skel->maps.p2pg_perf_ev),
				 8, on_perf_event, NULL, d, NULL);
	return d->pb ? perf_buffer__epoll_fd(d->pb) : -1;
}

static void ebpf_events_read(struct daemon *d)
{
	if (d->rb)
		ring_buffer__consume(d->rb);
	else if (d->pb)
		perf_buffer__consume(d->pb);
}

static void ebpf_close(struct daemon *d)
{
	ring_buffer__free(d->rb);
	perf_buffer__free(d->pb);
	p2pguard_bpf__destroy(d->skel);
}

static const struct backend ebpf_backend = {
	.name = "ebpf",
	.open = ebpf_open,
	.read_config = ebpf_read_config,
	.write_policy = ebpf_write_policy,
	.write_switch = ebpf_write_switch,
	.enforce = ebpf_enforce,
	.events_open = ebpf_events_open,
	.events_read = ebpf_events_read,
	.close = ebpf_close,
};

/* ---- the kernel module backend -------------------------------------------- */

static int module_open(struct daemon *d)
{
	char abi[16] = "";

	if (!p2pg_mod_loaded()) {
		if (p2pg_mod_find(d->conf.module, d->module_path,
				  sizeof(d->module_path)))
			return fail(d, "the kernel module is not loaded and %s: %s",
				    d->conf.module[0] ? d->conf.module :
				    "no " P2PG_MODULE_FILE " in /lib/modules/$(uname -r)/{extra,updates} or /lib/modules",
				    strerror(errno));
		if (p2pg_mod_load(d->module_path))
			return fail(d, "cannot load the kernel module %s: %s",
				    d->module_path, errno == ENOSYS ?
				    "this kernel has no module support (CONFIG_MODULES)" :
				    strerror(errno));
		if (!p2pg_mod_loaded())
			return fail(d, "%s is loaded but %s did not appear",
				    d->module_path, p2pg_mod_sysfs());
		logmsg(LOG_NOTICE, "loaded the kernel module %s",
		       d->module_path);
	}
	if (!p2pg_mod_read("abi_version", abi, sizeof(abi)) &&
	    atoi(abi) != P2PG_ABI_VERSION)
		return fail(d, "the loaded module speaks ABI %s, p2pguardd ABI %d: install matching versions",
			    abi, P2PG_ABI_VERSION);
	d->dev_fd = p2pg_mod_open_dev(d->dev_path, sizeof(d->dev_path));
	if (d->dev_fd < 0)
		return fail(d, "cannot open %s: %s", d->dev_path,
			    strerror(errno));
	d->attach_kind = "netfilter";
	return 0;
}

static int module_read_config(struct daemon *d, struct p2pg_config *cfg)
{
	int loaded;

	if (p2pg_mod_config(cfg, &loaded))
		return -errno;
	return loaded ? 0 : -ENODATA;
}

/* The whole policy in one write(2): the module swaps it in or refuses. */
static int module_write_policy(struct daemon *d, const struct p2pg_policy *p)
{
	size_t size;
	void *blob;
	ssize_t n;
	int r, e;

	r = p2pg_policy_to_blob(p, &blob, &size);
	if (r) {
		logmsg(LOG_ERR, "cannot build the policy blob: %s", strerror(-r));
		return r;
	}
	n = write(d->dev_fd, blob, size);
	e = errno;
	free(blob);
	if (n == (ssize_t)size)
		return 0;
	if (n < 0 && e == EINVAL)
		logmsg(LOG_ERR, "the kernel module refused the policy of generation %u (the kernel log says why: \"p2pguard: policy refused: ...\"); it keeps enforcing the previous one",
		       p->cfg.generation);
	else if (n < 0)
		logmsg(LOG_ERR, "writing the policy (%zu bytes) to %s failed: %s; the module keeps the previous one",
		       size, d->dev_path, strerror(e));
	else
		logmsg(LOG_ERR, "%s took %zd of %zu policy bytes",
		       d->dev_path, n, size);
	return n < 0 ? -e : -EIO;
}

static int module_enforce(struct daemon *d)
{
	/* The hooks run from module load on: nothing to attach. */
	return 0;
}

static int module_events_open(struct daemon *d)
{
	return d->dev_fd;
}

/* Whole struct p2pg_event records, as many as the buffer takes. */
static void module_events_read(struct daemon *d)
{
	struct p2pg_event ev[32];
	ssize_t n;
	int i, k;

	/* Bounded: the loop also has the switch to follow. */
	for (i = 0; i < 32; i++) {
		n = read(d->dev_fd, ev, sizeof(ev));
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n <= 0) {
			/* Never from the device; a channel that ended. */
			logmsg(LOG_WARNING, "drop events: %s: %s", d->dev_path,
			       n ? strerror(errno) : "end of file");
			epoll_ctl(d->ep_fd, EPOLL_CTL_DEL, d->ev_fd, NULL);
			d->ev_fd = -1;
			return;
		}
		if (n % sizeof(ev[0]))
			logmsg(LOG_WARNING, "drop events: %zd bytes is no whole number of records",
			       n);
		for (k = 0; k < n / (ssize_t)sizeof(ev[0]); k++)
			on_event(d, &ev[k], sizeof(ev[k]));
	}
}

static void module_close(struct daemon *d)
{
	/* The module keeps the policy: closing changes nothing. */
	if (d->dev_fd >= 0)
		close(d->dev_fd);
}

static const struct backend module_backend = {
	.name = "module",
	.open = module_open,
	.read_config = module_read_config,
	.write_policy = module_write_policy,
	.enforce = module_enforce,
	.events_open = module_events_open,
	.events_read = module_events_read,
	.close = module_close,
};

/* ---- the event loop ------------------------------------------------------- */

static void watch_settings(struct daemon *d)
{
	const char *path = p2pg_settings_watch_path(&d->conf);
	char dir[PATH_MAX];

	if (d->wd >= 0)
		inotify_rm_watch(d->ino_fd, d->wd);
	d->wd = -1;
	if (!path)
		return;
	snprintf(dir, sizeof(dir), "%s", path);
	/* The directory, not the file: tools save by rename. */
	d->wd = inotify_add_watch(d->ino_fd, dirname(dir),
				  IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE |
				  IN_DELETE | IN_MOVED_FROM | IN_ATTRIB);
	if (d->wd < 0)
		logmsg(LOG_WARNING, "cannot watch %s (%s); re-reading every %d s",
		       dir, strerror(errno), d->conf.recheck_s);
}

static int setup_loop(struct daemon *d)
{
	struct itimerspec its = { .it_interval.tv_sec = d->conf.recheck_s,
				  .it_value.tv_sec = d->conf.recheck_s };
	sigset_t set;

	d->ep_fd = epoll_create1(EPOLL_CLOEXEC);
	d->ino_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	d->debounce_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
	d->recheck_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	d->sig_fd = signalfd(-1, &set, SFD_CLOEXEC);
	if (d->ep_fd < 0 || d->ino_fd < 0 || d->debounce_fd < 0 ||
	    d->recheck_fd < 0 || d->sig_fd < 0)
		return -errno;
	timerfd_settime(d->recheck_fd, 0, &its, NULL);
	d->wd = -1;
	watch_settings(d);
	if (add_fd(d, d->ino_fd) || add_fd(d, d->debounce_fd) ||
	    add_fd(d, d->recheck_fd) || add_fd(d, d->sig_fd))
		return -errno;
	d->ev_fd = d->be->events_open(d);
	if (d->ev_fd < 0 || add_fd(d, d->ev_fd)) {
		logmsg(LOG_WARNING, "drop events unavailable: %s",
		       strerror(errno));
		d->ev_fd = -1;
	}
	return 0;
}

/* sshd's StrictModes for source = command: root runs only root's file. */
static int command_refused(const struct p2pg_conf *c, char *err,
			   size_t len)
{
	if (c->source != P2PG_SOURCE_COMMAND || !c->untrusted[0])
		return 0;
	snprintf(err, len, "source = command refused: %s (the command would run as root)",
		 c->untrusted);
	return -1;
}

static void reload(struct daemon *d)
{
	struct p2pg_conf c;
	char err[512];

	p2pg_conf_defaults(&c);
	if (p2pg_conf_load(&c, d->conf_path, err, sizeof(err)) ||
	    command_refused(&c, err, sizeof(err))) {
		logmsg(LOG_ERR, "%s; keeping the running configuration", err);
		p2pg_conf_free(&c);
		return;
	}
	/* Where we attach and pin is fixed for the life of the process. */
	p2pg_conf_free(&d->conf);
	d->conf = c;
	read_switch(d);
	if (!apply_policy(d))
		logmsg(LOG_NOTICE, "configuration reloaded: P2P %s (generation %u)",
		       d->p2p_on ? "on" : "off", d->generation);
	watch_settings(d);
	write_status(d, NULL);
}

static void on_inotify(struct daemon *d)
{
	const char *path = p2pg_settings_watch_path(&d->conf);
	char buf[4096] __attribute__((aligned(8))), base[PATH_MAX];
	const char *name;
	bool ours = false;
	ssize_t n;

	if (!path)
		return;
	snprintf(base, sizeof(base), "%s", path);
	name = basename(base);
	while ((n = read(d->ino_fd, buf, sizeof(buf))) > 0) {
		char *p;

		for (p = buf; p < buf + n;) {
			struct inotify_event *e = (struct inotify_event *)p;

			if (e->len && !strcmp(e->name, name))
				ours = true;
			p += sizeof(*e) + e->len;
		}
	}
	if (ours) {
		struct itimerspec its = { .it_value.tv_nsec = DEBOUNCE_NS };

		timerfd_settime(d->debounce_fd, 0, &its, NULL);
	}
}

static int run_loop(struct daemon *d)
{
	for (;;) {
		struct epoll_event evs[8];
		int n, i;

		n = epoll_wait(d->ep_fd, evs, 8, -1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		for (i = 0; i < n; i++) {
			int fd = evs[i].data.fd;
			__u64 ticks;

			if (fd == d->ino_fd) {
				on_inotify(d);
			} else if (fd == d->debounce_fd || fd == d->recheck_fd) {
				if (read(fd, &ticks, sizeof(ticks)) < 0)
					continue;
				read_switch(d);
				if (apply_switch(d) == 0)
					write_status(d, NULL);
			} else if (fd == d->sig_fd) {
				struct signalfd_siginfo si;

				if (read(fd, &si, sizeof(si)) != sizeof(si))
					continue;
				if (si.ssi_signo == SIGHUP) {
					reload(d);
				} else {
					logmsg(LOG_INFO, "signal %u: exiting, enforcement stays in place",
					       si.ssi_signo);
					return 0;
				}
			} else if (fd == d->ev_fd) {
				d->be->events_read(d);
			}
		}
	}
}

/* Mount bpffs and cgroup2, probe the kernel, say what it lacks. */
static void probe_ebpf(struct daemon *d)
{
	char have[256], miss[256];

	ensure_mounts(d);
	p2pg_features_probe(&d->feat);
	d->probed = 1;
	p2pg_features_string(&d->feat, 0, have, sizeof(have));
	p2pg_features_string(&d->feat, 1, miss, sizeof(miss));
	logmsg(LOG_INFO, "kernel features: %s%s%s", have,
	       *miss ? "; missing: " : "", miss);
	if (p2pg_features_fatal(&d->feat) &&
	    d->conf.backend != P2PG_BACKEND_EBPF)
		return;	/* the module's kernel: the eBPF details do not matter */
	if (!d->feat.link)
		logmsg(LOG_WARNING, "no cgroup bpf_link (< 5.7): legacy attachment");
	if (!d->feat.ringbuf)
		logmsg(LOG_WARNING, "no BPF ring buffer (< 5.8): events through a perf buffer");
	if (!d->feat.sk_storage)
		logmsg(LOG_WARNING, "no socket storage (< 5.2): TCP verdicts kept in an LRU by socket cookie");
	if (!d->feat.btf)
		logmsg(LOG_WARNING, "no vmlinux BTF: no stats iterator; read counters with p2pguardctl stats");
}

static int libbpf_log(enum libbpf_print_level level, const char *fmt,
		      va_list ap)
{
	char buf[8192], *line, *save = NULL;

	if (level == LIBBPF_DEBUG)
		return 0;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	/* One log line per line: the verifier's log comes as one message. */
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		logmsg(level == LIBBPF_WARN ? LOG_WARNING : LOG_INFO,
		       "libbpf: %s", line);
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: p2pguardd [--foreground] [--once] [--config FILE] [--cgroup PATH]\n"
		"                 [--pin-dir DIR]\n"
		"Keeps the kernel P2P policy equal to the device's P2P switch.\n"
		"  -f, --foreground  stay in the foreground, log to stderr\n"
		"  -1, --once        apply the policy, attach, and exit\n"
		"  -c, --config FILE configuration (default " P2PG_CONF_PATH ")\n"
		"  -g, --cgroup PATH cgroup to enforce on (default: the cgroup2 root)\n"
		"  -p, --pin-dir DIR bpffs directory (default " P2PG_PIN_DIR ")\n"
		"Exit status: 0 enforcing (or exited on SIGTERM with enforcement left\n"
		"in place), 1 nothing enforced (reason logged and in the status file,\n"
		"default " P2PG_RUN_DIR "/" P2PG_STATUS_FILE "), 2 usage or configuration error.\n");
}

int p2pguardd_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "foreground", no_argument, NULL, 'f' },
		{ "once", no_argument, NULL, '1' },
		{ "config", required_argument, NULL, 'c' },
		{ "cgroup", required_argument, NULL, 'g' },
		{ "pin-dir", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct daemon d = { .conf_path = P2PG_CONF_PATH, .wd = -1,
			    .dev_fd = -1, .ev_fd = -1 };
	int foreground = 0, once = 0, ready_fd = -1, c, r;
	char err[512], pid_path[PATH_MAX];
	const char *fatal;

	while ((c = getopt_long(argc, argv, "f1c:g:p:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			foreground = 1;
			break;
		case '1':
			once = 1;
			break;
		case 'c':
			d.conf_path = optarg;
			break;
		case 'g':
			d.cgroup_opt = optarg;
			break;
		case 'p':
			d.pin_dir_opt = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	libbpf_set_print(libbpf_log);
	p2pg_conf_defaults(&d.conf);
	if (p2pg_conf_load(&d.conf, d.conf_path, err, sizeof(err)) ||
	    command_refused(&d.conf, err, sizeof(err))) {
		logmsg(LOG_ERR, "%s", err);
		return 2;
	}
	snprintf(d.pin_dir, sizeof(d.pin_dir), "%s",
		 d.pin_dir_opt ? d.pin_dir_opt : d.conf.pin_dir);

	if (d.conf.backend != P2PG_BACKEND_MODULE) {
		probe_ebpf(&d);
		fatal = p2pg_features_fatal(&d.feat);
		if (!fatal)
			d.be = &ebpf_backend;
		else if (d.conf.backend == P2PG_BACKEND_EBPF)
			d.be = &ebpf_backend;
		else
			logmsg(LOG_WARNING, "eBPF cannot enforce here (%s): using the kernel module",
			       fatal);
		if (fatal && d.be)
			return fail(&d, "%s", fatal);
	}
	if (!d.be) {
		d.be = &module_backend;
		/* Agent cgroups are named by cgroup2 ids: mount it for them. */
		if (d.conf.n_agent_cgroups)
			ensure_cgroup2(&d);
	}
	r = d.be->open(&d);
	if (r)
		return r;
	if (d.be == &module_backend)
		logmsg(LOG_NOTICE, "backend: module (%s)",
		       d.module_path[0] ? d.module_path : "already loaded");
	else
		logmsg(LOG_NOTICE, "backend: ebpf");
	adopt_previous(&d);
	read_switch(&d);
	if (apply_policy(&d))
		return fail(&d, "cannot write the policy");
	r = d.be->enforce(&d);
	if (r)
		return r;
	write_status(&d, NULL);
	logmsg(LOG_NOTICE, "enforcing on %s: P2P %s, %s%s (generation %u)",
	       d.be == &module_backend ? "every socket (kernel module)" :
	       d.cgroup, d.p2p_on ? "on" : "off",
	       d.conf.mode == P2PG_MODE_AUDIT ? "audit" : "enforce",
	       d.conf.lockdown ? ", lockdown" : "", d.generation);
	if (once)
		return 0;

	if (!foreground) {
		/*
		 * Detach only now that the policy is in force, and let the
		 * parent exit only once the child has its pid file and event
		 * loop: an init script that waits for us sees a running daemon.
		 */
		int ready[2], fd;
		char c = 0;
		pid_t pid;

		if (pipe2(ready, O_CLOEXEC) || (pid = fork()) < 0) {
			logmsg(LOG_ERR, "fork: %s", strerror(errno));
			return 1;
		}
		if (pid > 0) {
			close(ready[1]);
			/* EOF without a byte: the child failed and said why. */
			return read(ready[0], &c, 1) == 1 ? 0 : 1;
		}
		close(ready[0]);
		setsid();
		if (chdir("/"))
			logmsg(LOG_WARNING, "chdir /: %s", strerror(errno));
		fd = open("/dev/null", O_RDWR | O_CLOEXEC);
		if (fd >= 0) {
			dup2(fd, 0);
			dup2(fd, 1);
			dup2(fd, 2);
			close(fd);
		}
		use_syslog = true;
		openlog("p2pguardd", LOG_PID, LOG_DAEMON);
		write_status(&d, NULL);
		ready_fd = ready[1];
	}
	{
		char pid[32];
		int n = snprintf(pid, sizeof(pid), "%d\n", (int)getpid());

		snprintf(pid_path, sizeof(pid_path), "%s/p2pguardd.pid",
			 d.conf.run_dir);
		p2pg_write_file_atomic(pid_path, pid, n);
	}
	r = setup_loop(&d);
	if (r) {
		logmsg(LOG_ERR, "event loop: %s; enforcement stays, the switch is no longer followed",
		       strerror(-r));
		return 1;
	}
	if (ready_fd >= 0) {
		if (write(ready_fd, "", 1) != 1)
			logmsg(LOG_WARNING, "cannot signal readiness: %s",
			       strerror(errno));
		close(ready_fd);
	}
	r = run_loop(&d);
	unlink(pid_path);
	d.be->close(&d);
	p2pg_conf_free(&d.conf);
	return r ? 1 : 0;
}
