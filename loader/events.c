// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * events.c - drop events from the backend's channel: bounded per second,
 * logged, and appended to the event log p2pguardctl events and top read.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <sys/stat.h>
#include <unistd.h>

#include "events.h"
#include "p2pguardd.h"
#include "sys.h"

#define EVENTS_PER_SEC	20		/* syslog budget for drop events */

/* Append to the event log, rotated by rename past its size. */
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

/**
 * on_event() - the backend's event handler (p2pg_event_fn): logged and
 * appended to the event log, at most EVENTS_PER_SEC a second.
 * @ctx: the daemon.
 * @e:   the event.
 */
void on_event(void *ctx, const struct p2pg_event *e)
{
	struct daemon *d = ctx;
	char addr[INET6_ADDRSTRLEN] = "?", who[160];
	time_t now = time(NULL);

	if (now != d->ev_sec) {
		d->ev_sec = now;
		d->ev_count = 0;
	}
	/* The kernel limits per destination; this bounds the total. */
	if (++d->ev_count > EVENTS_PER_SEC)
		return;
	/*
	 * The program sees the socket's cgroup and uid, not the process;
	 * the module knows the sender's pid when it runs in its context.
	 */
	if (!(e->pid && !describe_pid(e->pid, who, sizeof(who))) &&
	    p2pg_describe_sender(e->cgroup_id, e->uid, who, sizeof(who)))
		snprintf(who, sizeof(who), "?");
	log_event(d, e, now, who);
	if (d->mqtt_on) {
		char json[2048];

		p2pg_event_json(e, now, who, json, sizeof(json));
		export_event(d, json);
	}
	inet_ntop(e->family == 6 ? AF_INET6 : AF_INET, e->daddr, addr,
		  sizeof(addr));
	logmsg(LOG_NOTICE, "%s %s to %s port %u (%s), process %s, uid %u, cgroup %llu",
	       e->flags & P2PG_EV_DROPPED ? "blocked" : "would block",
	       e->l4proto == 6 ? "tcp" : e->l4proto == 17 ? "udp" : "ip",
	       addr, e->dport, p2pg_reason_name(e->reason), who, e->uid,
	       (unsigned long long)e->cgroup_id);
}
