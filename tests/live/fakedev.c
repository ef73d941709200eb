// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * fakedev - the kernel module's userspace interface, faked, so that the
 * module backend of p2pguardd and p2pguardctl can be tested on a machine
 * that must not load the module.
 *
 *   fakedev DIR -- COMMAND [ARGS]
 *
 * Creates DIR/sysfs laid out like /sys/kernel/p2pguard (every counter 0,
 * no policy loaded) and a SOCK_SEQPACKET socket pair; runs COMMAND with
 * one end as descriptor 3, P2PG_DEV_FD=3 and P2PG_SYSFS=DIR/sysfs.  A
 * sequenced-packet socket keeps message boundaries, so one write(2) of
 * the daemon is one message here, as it is one write to /dev/p2pguard.
 *
 * Each message received is a policy blob: saved as DIR/blob.N, checked
 * with p2pg_blob_check() (common/p2pguard_blob.h, the module's own code) and
 * summed up as one line of DIR/blobs.log:
 *   N ok gen=G p2p=P mode=M lockdown=L p4=.. p6=.. names=.. pppp=..
 *     cg=.. uid=.. class(198.51.100.7)=C agent(4242)=A
 *   N refused: WHY
 * An accepted blob updates DIR/sysfs as the module would.
 *
 * Lines written to the FIFO DIR/ctl send drop events, as the module's
 * read(2) returns them:
 *   event FAMILY ADDR PORT REASON PID      one struct p2pg_event
 *   batch K FAMILY ADDR PORT REASON        K records in one message,
 *                                          ports PORT .. PORT+K-1
 * COMMAND's exit status goes to DIR/cmd.rc.  fakedev exits when the other
 * end of the socket is closed by everyone holding it (the daemon exited).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "policy.h"
#include "p2pguard_blob.h"

static const char *dir;

static void put(const char *name, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void put(const char *name, const char *fmt, ...)
{
	char path[512], tmp[520];
	va_list ap;
	FILE *f;

	snprintf(path, sizeof(path), "%s/sysfs/%s", dir, name);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f) {
		perror(tmp);
		exit(1);
	}
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fclose(f);
	rename(tmp, path);
}

static void make_sysfs(void)
{
	char path[512];
	unsigned int r;

	snprintf(path, sizeof(path), "%s/sysfs", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/sysfs/counters", dir);
	mkdir(path, 0755);
	put("p2p_enabled", "0\n");
	put("mode", "enforce\n");
	put("lockdown", "0\n");
	put("generation", "0\n");
	put("abi_version", "%d\n", P2PG_ABI_VERSION);
	put("policy_loaded", "0\n");
	put("events_lost", "0\n");
	put("prefixes4", "0\n");
	put("prefixes6", "0\n");
	put("names", "0\n");
	put("pppp_keys", "0\n");
	put("agents", "0\n");
	for (r = 0; r < P2PG_R__COUNT; r++) {
		char n[128];

		snprintf(path, sizeof(path), "%s/sysfs/counters/%s", dir,
			 p2pg_reason_name(r));
		mkdir(path, 0755);
		snprintf(n, sizeof(n), "counters/%s/packets", p2pg_reason_name(r));
		put(n, "0\n");
		snprintf(n, sizeof(n), "counters/%s/bytes", p2pg_reason_name(r));
		put(n, "0\n");
		snprintf(n, sizeof(n), "counters/%s/drop_packets",
			 p2pg_reason_name(r));
		put(n, "0\n");
		snprintf(n, sizeof(n), "counters/%s/drop_bytes",
			 p2pg_reason_name(r));
		put(n, "0\n");
	}
}

static void on_blob(const void *blob, size_t size, int n)
{
	struct p2pg_blob_view v;
	const struct p2pg_config *c;
	char path[512];
	const char *why;
	__u8 a[4] = { 198, 51, 100, 7 };
	FILE *f, *log;

	snprintf(path, sizeof(path), "%s/blob.%d", dir, n);
	f = fopen(path, "w");
	if (f) {
		fwrite(blob, 1, size, f);
		fclose(f);
	}
	snprintf(path, sizeof(path), "%s/blobs.log", dir);
	log = fopen(path, "a");
	if (!log)
		return;
	why = p2pg_blob_check(blob, size, &v);
	if (why) {
		fprintf(log, "%d refused: %s\n", n, why);
		fclose(log);
		return;
	}
	c = &v.hdr->cfg;
	fprintf(log, "%d ok gen=%u p2p=%u mode=%u lockdown=%u p4=%u p6=%u names=%u pppp=%u cg=%u uid=%u class(198.51.100.7)=%d agent(4242)=%d\n",
		n, c->generation, c->p2p_enabled, c->mode, c->lockdown,
		v.n[P2PG_SEC_PREFIX4], v.n[P2PG_SEC_PREFIX6],
		v.n[P2PG_SEC_NAMES], v.n[P2PG_SEC_PPPP],
		v.n[P2PG_SEC_AGENT_CG], v.n[P2PG_SEC_AGENT_UID],
		p2pg_blob_net_class(&v, 4, a), p2pg_blob_is_agent(&v, 0, 4242));
	fclose(log);
	/* What the module shows once it swapped the blob in. */
	put("p2p_enabled", "%u\n", c->p2p_enabled);
	put("mode", "%s\n", c->mode ? "audit" : "enforce");
	put("lockdown", "%u\n", c->lockdown);
	put("generation", "%u\n", c->generation);
	put("prefixes4", "%u\n", v.n[P2PG_SEC_PREFIX4]);
	put("prefixes6", "%u\n", v.n[P2PG_SEC_PREFIX6]);
	put("names", "%u\n", v.n[P2PG_SEC_NAMES]);
	put("pppp_keys", "%u\n", v.n[P2PG_SEC_PPPP]);
	put("agents", "%u\n", v.n[P2PG_SEC_AGENT_CG] + v.n[P2PG_SEC_AGENT_UID]);
	put("policy_loaded", "1\n");
}

static int make_event(struct p2pg_event *e, int family, const char *addr,
		      unsigned int port, const char *reason, unsigned int pid)
{
	int r = p2pg_reason_from_name(reason);

	memset(e, 0, sizeof(*e));
	if (r < 0 || inet_pton(family == 6 ? AF_INET6 : AF_INET, addr,
			       e->daddr) != 1)
		return -1;
	e->reason = r;
	e->family = family;
	e->l4proto = 17;
	e->flags = P2PG_EV_DROPPED;
	e->dport = port;
	e->len = 60;
	e->uid = getuid();
	e->pid = pid;
	return 0;
}

static void on_ctl_line(int sock, char *line)
{
	struct p2pg_event ev[16];
	char addr[64], reason[64];
	unsigned int port, pid, k, i;
	int family;

	if (sscanf(line, "event %d %63s %u %63s %u", &family, addr, &port,
		   reason, &pid) == 5) {
		if (!make_event(ev, family, addr, port, reason, pid))
			send(sock, ev, sizeof(ev[0]), 0);
		else
			fprintf(stderr, "fakedev: bad event line: %s\n", line);
	} else if (sscanf(line, "batch %u %d %63s %u %63s", &k, &family, addr,
			  &port, reason) == 5 && k >= 1 && k <= 16) {
		for (i = 0; i < k; i++)
			if (make_event(&ev[i], family, addr, port + i, reason, 0))
				return;
		send(sock, ev, k * sizeof(ev[0]), 0);
	} else {
		fprintf(stderr, "fakedev: unknown line: %s\n", line);
	}
}

int main(int argc, char **argv)
{
	static __u8 buf[P2PG_BLOB_MAX_SIZE + 8] __attribute__((aligned(8)));
	char path[512], sysfs[512], line[512];
	size_t have = 0;
	int sv[2], ctl, n = 0, child_done = 0, status;
	pid_t child;

	if (argc < 4 || strcmp(argv[2], "--")) {
		fprintf(stderr, "usage: fakedev DIR -- COMMAND [ARGS]\n");
		return 2;
	}
	dir = argv[1];
	mkdir(dir, 0755);
	make_sysfs();
	snprintf(path, sizeof(path), "%s/ctl", dir);
	unlink(path);
	if (mkfifo(path, 0600) ||
	    (ctl = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC)) < 0 ||
	    socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv)) {
		perror("fakedev");
		return 1;
	}
	child = fork();
	if (child < 0)
		return 1;
	if (!child) {
		/* dup2() clears close-on-exec on the copy. */
		if (dup2(sv[1], 3) < 0)
			_exit(127);
		snprintf(sysfs, sizeof(sysfs), "%s/sysfs", dir);
		setenv("P2PG_DEV_FD", "3", 1);
		setenv("P2PG_SYSFS", sysfs, 1);
		execvp(argv[3], argv + 3);
		perror(argv[3]);
		_exit(127);
	}
	close(sv[1]);
	for (;;) {
		struct pollfd p[2] = {
			{ .fd = sv[0], .events = POLLIN },
			{ .fd = ctl, .events = POLLIN },
		};

		if (!child_done && waitpid(child, &status, WNOHANG) == child) {
			FILE *f;

			child_done = 1;
			snprintf(path, sizeof(path), "%s/cmd.rc", dir);
			f = fopen(path, "w");
			if (f) {
				fprintf(f, "%d\n", WIFEXITED(status) ?
					WEXITSTATUS(status) : 128);
				fclose(f);
			}
		}
		if (poll(p, 2, 100) < 0 && errno != EINTR)
			return 1;
		if (p[0].revents & POLLIN) {
			ssize_t r = recv(sv[0], buf, sizeof(buf), MSG_TRUNC);

			if (r > 0)
				on_blob(buf, r > (ssize_t)sizeof(buf) ?
					sizeof(buf) : (size_t)r, ++n);
			else if (r == 0)
				break;
		} else if (p[0].revents & (POLLHUP | POLLERR)) {
			break;
		}
		if (p[1].revents & POLLIN) {
			ssize_t r = read(ctl, line + have, sizeof(line) - 1 - have);
			char *nl;

			if (r > 0)
				have += r;
			line[have] = 0;
			while ((nl = strchr(line, '\n'))) {
				*nl = 0;
				on_ctl_line(sv[0], line);
				memmove(line, nl + 1, strlen(nl + 1) + 1);
				have = strlen(line);
			}
			if (have == sizeof(line) - 1)
				have = 0;
		}
	}
	if (!child_done)
		waitpid(child, &status, 0);
	return 0;
}
