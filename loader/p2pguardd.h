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
#include <sys/types.h>

#include "backend.h"
#include "conf.h"
#include "kfeatures.h"

#define MQTT_CHILDREN	4	/* mosquitto_pubs running at once, at most */

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
 * @policy_status: why the last policy could not be written (the kernel
 *                 keeps the one before), or "".
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
 * @enforced:      what write_status() last said: 1 enforced.
 * @why:           why not, when not.
 * @export_fd:     timerfd: rewrite the textfile (export_textfile).
 * @tick_fd:       timerfd: once a second while a mosquitto_pub runs.
 * @export_ready:  export_setup() ran: state changes are exported.
 * @textfile_failed: the last textfile write failed (logged once).
 * @mqtt_on:       MQTT export configured and allowed.
 * @mqtt_cred:     credentials are in run_dir/mqtt/mosquitto_pub.
 * @mqtt_refused:  why the MQTT export is refused, or "".
 * @mqtt_topic:    the topic prefix in use.
 * @mqtt_state:    the state last published (without its time).
 * @mqtt_tokens:   rate limit bucket, in thousandths of a message.
 * @mqtt_refill_ms: when the bucket was last filled (CLOCK_MONOTONIC).
 * @mqtt_child:    running mosquitto_pubs.
 * @mqtt_published, @mqtt_dropped, @mqtt_failed: message counters.
 * @mqtt_warned:   a failure was logged (once).
 * @mqtt_status_sum: the MQTT counters' sum the status file last had.
 * @status_stale:  the status file lacks what export_setup() found.
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
	char policy_status[1024];
	__u32 generation;
	time_t applied_at;
	int ev_fd;
	int ino_fd, wd, sig_fd, debounce_fd, recheck_fd, ep_fd;
	time_t ev_sec;
	int ev_count;
	int enforced;
	char why[1024];
	int export_fd, tick_fd;
	int export_ready;
	int textfile_failed;
	int mqtt_on, mqtt_cred;
	char mqtt_refused[512];
	char mqtt_topic[160];
	char mqtt_state[8192];
	long long mqtt_tokens, mqtt_refill_ms;
	struct mqtt_child {
		pid_t pid;
		long long deadline_ms;
		int killed;
	} mqtt_child[MQTT_CHILDREN];
	unsigned long long mqtt_published, mqtt_dropped, mqtt_failed;
	int mqtt_warned;
	unsigned long long mqtt_status_sum;
	int status_stale;
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

/* export.c */
int export_setup(struct daemon *d);
void export_textfile(struct daemon *d);
void export_state(struct daemon *d);
void export_event(struct daemon *d, const char *json);
void export_tick(struct daemon *d);
void export_wait(struct daemon *d);
void export_counted(struct daemon *d);

/* loop.c */
int setup_loop(struct daemon *d);
int run_loop(struct daemon *d);

#endif /* P2PGUARD_P2PGUARDD_H */
