/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * backend.h - the one interface to what enforces the policy in the kernel:
 * the eBPF program (backend_ebpf.c) or the kernel module
 * (backend_module.c).  p2pguardd loads, writes and follows it;
 * p2pguardctl reads and changes what a p2pguardd left in the kernel.
 * Neither asks which backend it holds: what differs is an operation, or
 * a flag in @caps.
 *
 * Every operation returns 0 or a negative errno.  A failing operation
 * leaves a sentence in be->msg saying why, for the caller to log or
 * print; only the caller turns a failure into an exit status.
 */
#ifndef P2PGUARD_BACKEND_H
#define P2PGUARD_BACKEND_H

#include <limits.h>
#include <stddef.h>

#include "mapsize.h"
#include "policy.h"

struct p2pg_backend;
struct p2pg_features;

/*
 * Capabilities.  P2PG_BE_HOLDS_DAEMON: a running p2pguardd keeps the
 * backend in use (the module's device is open), so unload waits for it to
 * exit.  P2PG_BE_OUTSIDE_KNOBS: mode and lockdown can be changed in the
 * kernel without p2pguardd (the module's sysfs files), so the kernel's
 * values are shown rather than the daemon's.
 */
#define P2PG_BE_HOLDS_DAEMON	(1u << 0)
#define P2PG_BE_OUTSIDE_KNOBS	(1u << 1)

/**
 * typedef p2pg_event_fn - receives one drop event.
 * @ctx: what was given to events_open.
 * @e:   the event; valid during the call only.
 */
typedef void (*p2pg_event_fn)(void *ctx, const struct p2pg_event *e);

/**
 * typedef p2pg_log_fn - where a backend says what it did or skipped.
 * @prio: syslog priority (LOG_ERR, LOG_WARNING, LOG_INFO ...).
 * @fmt:  printf format, one line without a newline.
 */
typedef void (*p2pg_log_fn)(int prio, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/**
 * struct p2pg_backend_ops - the operations of one backend.
 * @name:          "ebpf" or "module": in the log, the status file and the
 *                 configuration's "backend" key.
 * @kept:          what the kernel keeps across restarts, as the log says
 *                 it ("pinned", "the module's").
 * @caps:          P2PG_BE_* flags.
 * @load:          p2pguardd: get ready to take a policy, reusing what the
 *                 kernel keeps from an earlier run (the pinned maps, the
 *                 loaded module).  Enforces nothing new yet.
 * @enforce:       p2pguardd, after the first policy: make it apply
 *                 (attach and pin); sets be->attach.
 * @read_config:   the configuration the kernel enforces now.  -ENODATA:
 *                 the kernel holds none of ours yet (@cfg then has what
 *                 the kernel reports, its defaults).
 * @write_policy:  make the kernel's policy equal to @p.
 * @write_switch:  change only the switch and generation to @cfg's; NULL
 *                 when the backend takes whole policies only.
 * @set_p2p:       p2pguardctl: set the switch in the kernel without the
 *                 daemon, generation bumped.  -ENOENT: no policy of ours
 *                 in the kernel to change (not an error to report).
 * @read_counters: per-reason counters, P2PG_R__COUNT entries.
 * @verify:        p2pguardctl: 0 when what p2pguardd set up still
 *                 enforces (be->attach as the status file says); else why.
 * @present:       0 when the kernel holds this backend's enforcement
 *                 (pins, module loaded), else -ENOENT.
 * @events_open:   start the drop-event channel; returns its pollable fd.
 * @events_read:   the fd is readable: pass its events to the handler.
 *                 A negative errno when the channel ended (poll it no
 *                 more).
 * @unload:        remove enforcement from the kernel; be->msg then says
 *                 what was done, on success as on failure.
 * @kernel_files:  the backend's own files in the kernel, for p2pguardctl
 *                 status, and in *@label what they are; NULL (the op or
 *                 its result) when there are none to show.
 * @memory:        p2pguardctl status: what the enforcement holds in kernel
 *                 memory, up to @max tables into @out (a map each for
 *                 eBPF).  Returns how many, or a negative errno.
 * @close:         release what load and events_open took; enforcement
 *                 stays in the kernel.
 */
struct p2pg_backend_ops {
	const char *name;
	const char *kept;
	unsigned int caps;
	int (*load)(struct p2pg_backend *be);
	int (*enforce)(struct p2pg_backend *be);
	int (*read_config)(struct p2pg_backend *be, struct p2pg_config *cfg);
	int (*write_policy)(struct p2pg_backend *be,
			    const struct p2pg_policy *p);
	int (*write_switch)(struct p2pg_backend *be,
			    const struct p2pg_config *cfg);
	int (*set_p2p)(struct p2pg_backend *be, int on);
	int (*read_counters)(struct p2pg_backend *be,
			     struct p2pg_counter *out);
	int (*verify)(struct p2pg_backend *be);
	int (*present)(struct p2pg_backend *be);
	int (*events_open)(struct p2pg_backend *be, p2pg_event_fn fn,
			   void *ctx);
	int (*events_read)(struct p2pg_backend *be);
	int (*unload)(struct p2pg_backend *be);
	const char *(*kernel_files)(struct p2pg_backend *be,
				    const char **label);
	int (*memory)(struct p2pg_backend *be, struct p2pg_map_mem *out,
		      int max);
	void (*close)(struct p2pg_backend *be);
};

/**
 * struct p2pg_backend - one backend and what its caller tells it.
 * @ops:         the operations.
 * @pin_dir:     in: the bpffs directory of the pins (eBPF).
 * @cgroup_name: in, load: the cgroup to attach to, as configured (eBPF).
 * @module_file: in, load: the module file configured, "" to search for
 *               it (module).
 * @feat:        in, load: the probed kernel features (eBPF).
 * @sizes:       in, load: the maps' sizes (eBPF; p2pg_backend_init()
 *               sets the defaults and the floors).  A policy written
 *               later that needs more grows them (write_policy).
 * @log:         in: where notes and warnings go; NULL: nowhere.
 * @cgroup:      the cgroup attached to (out of load; in for unload of a
 *               legacy attachment): a path, "" for the module.
 * @module:      out of load: the module file loaded, "" when it was
 *               already loaded (module).
 * @detail:      out of load: what load found, for the log, or "".
 * @where:       out of load: what is enforced on, for the log.
 * @attach:      how the policy is hooked in: "link", "legacy",
 *               "netfilter"; out of enforce (in for unload).
 * @msg:         why the last operation failed; what unload did.
 * @priv:        the backend's own state.
 */
struct p2pg_backend {
	const struct p2pg_backend_ops *ops;
	char pin_dir[PATH_MAX];
	const char *cgroup_name;
	const char *module_file;
	const struct p2pg_features *feat;
	struct p2pg_map_sizes sizes;
	p2pg_log_fn log;
	char cgroup[PATH_MAX];
	char module[PATH_MAX];
	char detail[PATH_MAX + 32];
	char where[PATH_MAX + 32];
	char attach[16];
	char msg[1024];
	void *priv;
};

extern const struct p2pg_backend_ops p2pg_ebpf_backend;
extern const struct p2pg_backend_ops p2pg_module_backend;

/**
 * p2pg_backend_by_name() - the backend of a name.
 * @name: "ebpf" or "module".
 *
 * Return: its operations, or NULL.
 */
const struct p2pg_backend_ops *p2pg_backend_by_name(const char *name);

/**
 * p2pg_backend_init() - a backend with nothing loaded.
 * @be:      to fill.
 * @ops:     which one.
 * @pin_dir: bpffs directory of the pins.
 *
 * Return: 0.
 */
int p2pg_backend_init(struct p2pg_backend *be,
		      const struct p2pg_backend_ops *ops, const char *pin_dir);

/**
 * p2pg_backend_fail() - record why an operation failed.
 * @be:  backend.
 * @err: the negative errno to return.
 * @fmt: printf format of the sentence for be->msg.
 *
 * Return: @err, so that an operation can end with "return
 * p2pg_backend_fail(be, -errno, ...)".
 */
int p2pg_backend_fail(struct p2pg_backend *be, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/**
 * p2pg_backend_log() - a note through be->log, when there is one.
 * @be:   backend.
 * @prio: syslog priority.
 * @fmt:  printf format.
 */
void p2pg_backend_log(const struct p2pg_backend *be, int prio,
		      const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif /* P2PGUARD_BACKEND_H */
