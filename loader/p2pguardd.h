/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * p2pguardd.h - the daemon's parts and the state they share.  Each file
 * of loader/ has one role:
 *   main.c    options, the backend chosen, start-up order, daemonising,
 *             readiness;
 *   apply.c   the switch read and the policy written through the backend;
 *   loop.c    epoll over inotify, signals, timers and the event channel;
 *             reload on SIGHUP;
 *   status.c  the log and the status file;
 *   events.c  drop events: rate limit, log lines, the event log;
 *   mounts.c  bpffs and cgroup2, mounted when missing.
 * Everything that differs between the eBPF program and the kernel module
 * is behind struct p2pg_backend (userspace/backend.h).
 */
#ifndef P2PGUARD_P2PGUARDD_H
#define P2PGUARD_P2PGUARDD_H

#include <limits.h>
#include <stdbool.h>
#include <time.h>

#include "backend.h"
#include "conf.h"
#include "kfeatures.h"

/**
 * struct daemon - p2pguardd's state.
 * @be:            the backend; @be.ops NULL until one is chosen.
 * @conf:          the configuration in force.
 * @conf_path:     where it is read from (--config).
 * @cgroup_opt:    --cgroup, or NULL.
 * @pin_dir_opt:   --pin-dir, or NULL.
 * @feat:          the kernel's features, when @probed.
 * @probed:        @feat was filled.
 * @p2p_on:        the switch as last read (or adopted, or the default).
 * @have_value:    @p2p_on was read or adopted, not the default.
 * @source_status: why the switch could not be read last time, or "".
 * @generation:    the generation last written.
 * @applied_at:    when it was written.
 * @ev_fd:         the backend's event channel, -1 when there is none.
 * @ino_fd:        inotify, watching @wd.
 * @wd:            the watch on the settings file's directory, or -1.
 * @sig_fd:        signalfd of SIGHUP, SIGTERM and SIGINT.
 * @debounce_fd:   timerfd: read the switch once a burst of writes ended.
 * @recheck_fd:    timerfd: read the switch every recheck_s regardless.
 * @ep_fd:         epoll over all of the above.
 * @ev_sec:        the second @ev_count counts events in.
 * @ev_count:      events logged in @ev_sec (EVENTS_PER_SEC at most).
 */
struct daemon {
	struct p2pg_backend be;
	struct p2pg_conf conf;
	const char *conf_path;
	const char *cgroup_opt;
	const char *pin_dir_opt;
	struct p2pg_features feat;
	int probed;
	int p2p_on;
	int have_value;
	char source_status[1024];
	__u32 generation;
	time_t applied_at;
	int ev_fd;
	int ino_fd, wd, sig_fd, debounce_fd, recheck_fd, ep_fd;
	time_t ev_sec;
	int ev_count;
};

/* status.c */
void logmsg(int prio, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void log_to_syslog(void);
void write_status(struct daemon *d, const char *not_enforced);
void not_enforced(struct daemon *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* mounts.c */
int ensure_cgroup2(void);
int ensure_mounts(void);

/* events.c */
void on_event(void *ctx, const struct p2pg_event *e);

/* apply.c */
void adopt_previous(struct daemon *d);
void read_switch(struct daemon *d);
int apply_policy(struct daemon *d);
int apply_switch(struct daemon *d);
int command_refused(const struct p2pg_conf *c, char *err, size_t len);

/* loop.c */
int setup_loop(struct daemon *d);
int run_loop(struct daemon *d);

#endif /* P2PGUARD_P2PGUARDD_H */
