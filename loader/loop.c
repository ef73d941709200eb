// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * loop.c - following the switch: inotify on the settings file's
 * directory, a debounce timer behind it, a slow timer as a safety net,
 * SIGHUP to reload the configuration, SIGTERM and SIGINT to exit (the
 * enforcement stays), and the backend's drop-event channel.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>

#include "p2pguardd.h"
#include "settings.h"

#define DEBOUNCE_NS	2000000		/* editors write in bursts */

static int add_fd(struct daemon *d, int fd)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = fd };

	return epoll_ctl(d->ep_fd, EPOLL_CTL_ADD, fd, &ev);
}

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

/**
 * setup_loop() - the descriptors run_loop() waits on.
 * @d: daemon, its backend loaded.
 *
 * Return: 0, or a negative errno when the loop cannot run (a missing
 * event channel is only logged).
 */
int setup_loop(struct daemon *d)
{
	struct itimerspec its = { .it_interval.tv_sec = d->conf.recheck_s,
				  .it_value.tv_sec = d->conf.recheck_s };
	sigset_t set;
	int r;

	d->ep_fd = epoll_create1(EPOLL_CLOEXEC);
	d->ino_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	d->debounce_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
	d->recheck_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
	d->export_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
	d->tick_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	d->sig_fd = signalfd(-1, &set, SFD_CLOEXEC);
	if (d->ep_fd < 0 || d->ino_fd < 0 || d->debounce_fd < 0 ||
	    d->recheck_fd < 0 || d->sig_fd < 0 || d->export_fd < 0 ||
	    d->tick_fd < 0)
		return -errno;
	timerfd_settime(d->recheck_fd, 0, &its, NULL);
	d->wd = -1;
	watch_settings(d);
	if (add_fd(d, d->ino_fd) || add_fd(d, d->debounce_fd) ||
	    add_fd(d, d->recheck_fd) || add_fd(d, d->sig_fd) ||
	    add_fd(d, d->export_fd) || add_fd(d, d->tick_fd))
		return -errno;
	r = export_setup(d);
	if (r)
		return r;
	d->export_ready = 1;
	export_state(d);
	export_counted(d);
	d->ev_fd = d->be.ops->events_open(&d->be, on_event, d);
	if (d->ev_fd < 0) {
		logmsg(LOG_WARNING, "drop events unavailable: %s",
		       strerror(-d->ev_fd));
		d->ev_fd = -1;
	} else if (add_fd(d, d->ev_fd)) {
		logmsg(LOG_WARNING, "drop events unavailable: %s",
		       strerror(errno));
		d->ev_fd = -1;
	}
	return 0;
}

/* SIGHUP: the new configuration in full, or the running one kept. */
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
	if (export_setup(d))
		logmsg(LOG_WARNING, "export: %s", strerror(errno));
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

/* The event channel is readable; one that ended is polled no more. */
static void on_events(struct daemon *d)
{
	if (!d->be.ops->events_read(&d->be))
		return;
	logmsg(LOG_WARNING, "drop events: %s", d->be.msg);
	epoll_ctl(d->ep_fd, EPOLL_CTL_DEL, d->ev_fd, NULL);
	d->ev_fd = -1;
}

/**
 * run_loop() - follow the switch until SIGTERM or SIGINT.
 * @d: daemon, after setup_loop().
 *
 * Return: 0 on a signal to exit, or a negative errno when waiting failed.
 */
int run_loop(struct daemon *d)
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
				on_events(d);
			} else if (fd == d->export_fd) {
				if (read(fd, &ticks, sizeof(ticks)) > 0)
					export_textfile(d);
			} else if (fd == d->tick_fd) {
				if (read(fd, &ticks, sizeof(ticks)) > 0)
					export_tick(d);
			}
		}
	}
}
