// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * bench_tput - the pieces of the throughput benchmark (tests/bench/net.sh)
 * that are better in C than in shell.  Prints figures; asserts nothing.
 *
 *   bench_tput send udp|tcp ADDR PORT SIZE SECONDS
 *                  send for SECONDS: UDP datagrams of SIZE payload bytes
 *                  with sendmmsg, or a TCP stream in writes of SIZE bytes;
 *                  print "PACKETS BYTES SECONDS ERRORS ERRNO" (ERRNO of the
 *                  first failed send, 0 when none failed)
 *   bench_tput sink PORT
 *                  receive and discard UDP and TCP on PORT until SIGTERM
 *   bench_tput probe ADDR PORT pppp|stun|plain
 *                  send one datagram; print "sent" or "refused" (EPERM:
 *                  a cgroup or netfilter drop)
 *   bench_tput attach-empty CGROUP
 *                  attach the empty cgroup_skb program (r0 = 1) to CGROUP's
 *                  egress; never the cgroup2 root
 *   bench_tput lists conf|nft NPREFIX NDOMAINS
 *                  the synthetic lists as configuration lines or as
 *                  nftables set elements
 *   bench_tput stats SECONDS
 *                  keep the kernel's BPF run-time statistics on for
 *                  SECONDS or until SIGTERM (print "on" once they are)
 *
 * Addresses are the caller's: net.sh only uses its own namespaces.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "bench_common.h"
#include "conf.h"
#include "kfeatures.h"
#include "policy.h"

#define BATCH		32
#define MAX_CONNS	8

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	stop = 1;
}

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static int to_sin(const char *addr, const char *port, struct sockaddr_in *a)
{
	memset(a, 0, sizeof(*a));
	a->sin_family = AF_INET;
	a->sin_port = htons(atoi(port));
	if (inet_pton(AF_INET, addr, &a->sin_addr) != 1) {
		fprintf(stderr, "bench_tput: bad IPv4 address %s\n", addr);
		return -1;
	}
	return 0;
}

static int cmd_send(char **a)
{
	int tcp = !strcmp(a[0], "tcp"), fd, first_errno = 0;
	size_t size = atoi(a[3]);
	double seconds = atof(a[4]), t0, t = 0;
	unsigned long long pkts = 0, bytes = 0, errors = 0;
	struct sockaddr_in dst;
	__u8 *buf;

	if (to_sin(a[1], a[2], &dst) || !size || size > 1 << 20 ||
	    seconds <= 0)
		return 2;
	buf = malloc(size);
	if (!buf)
		return 2;
	bench_payload(buf, size);
	fd = socket(AF_INET, tcp ? SOCK_STREAM : SOCK_DGRAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&dst, sizeof(dst))) {
		fprintf(stderr, "bench_tput: %s %s:%s: %s\n", a[0], a[1], a[2],
			strerror(errno));
		return 1;
	}
	t0 = now_s();
	if (tcp) {
		do {
			ssize_t r = send(fd, buf, size, MSG_NOSIGNAL);

			if (r > 0) {
				bytes += r;
				pkts++;
			} else if (errno != EINTR) {
				errors++;
				first_errno = first_errno ? first_errno : errno;
				break;
			}
		} while ((t = now_s()) - t0 < seconds);
	} else {
		struct mmsghdr msgs[BATCH];
		struct iovec iov = { .iov_base = buf, .iov_len = size };
		int i;

		memset(msgs, 0, sizeof(msgs));
		for (i = 0; i < BATCH; i++) {
			msgs[i].msg_hdr.msg_iov = &iov;
			msgs[i].msg_hdr.msg_iovlen = 1;
		}
		do {
			int n = sendmmsg(fd, msgs, BATCH, 0);

			if (n > 0) {
				pkts += n;
				bytes += (unsigned long long)n * size;
			}
			/* A drop fails the datagram after the last one sent. */
			if (n < BATCH) {
				if (n < 0 || send(fd, buf, size, 0) < 0) {
					errors++;
					first_errno = first_errno ?
						      first_errno : errno;
				} else {
					pkts++;
					bytes += size;
				}
			}
		} while ((t = now_s()) - t0 < seconds);
	}
	t = now_s();
	close(fd);
	printf("%llu %llu %.6f %llu %d\n", pkts, bytes, t - t0, errors,
	       first_errno);
	free(buf);
	return 0;
}

static int listen_on(int type, int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons(port) };
	int fd = socket(AF_INET, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int one = 1;

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) ||
	    (type == SOCK_STREAM && listen(fd, 16))) {
		close(fd);
		return -1;
	}
	return fd;
}

static int cmd_sink(int port)
{
	static __u8 buf[256 * 1024];
	struct pollfd pfd[2 + MAX_CONNS];
	int n, i;

	pfd[0].fd = listen_on(SOCK_DGRAM, port);
	pfd[1].fd = listen_on(SOCK_STREAM, port);
	if (pfd[0].fd < 0 || pfd[1].fd < 0) {
		fprintf(stderr, "bench_tput: sink on port %d: %s\n", port,
			strerror(errno));
		return 1;
	}
	for (i = 0; i < 2 + MAX_CONNS; i++)
		pfd[i].events = POLLIN;
	for (i = 2; i < 2 + MAX_CONNS; i++)
		pfd[i].fd = -1;
	signal(SIGTERM, on_term);
	signal(SIGINT, on_term);
	printf("ready\n");
	fflush(stdout);
	while (!stop) {
		if (poll(pfd, 2 + MAX_CONNS, 200) <= 0)
			continue;
		if (pfd[0].revents)
			while (recv(pfd[0].fd, buf, sizeof(buf), 0) >= 0)
				;
		if (pfd[1].revents) {
			int fd = accept4(pfd[1].fd, NULL, NULL,
					 SOCK_NONBLOCK | SOCK_CLOEXEC);

			for (i = 2; fd >= 0 && i < 2 + MAX_CONNS; i++) {
				if (pfd[i].fd < 0) {
					pfd[i].fd = fd;
					fd = -1;
				}
			}
			if (fd >= 0)
				close(fd);
		}
		for (i = 2; i < 2 + MAX_CONNS; i++) {
			if (pfd[i].fd < 0 || !pfd[i].revents)
				continue;
			while ((n = recv(pfd[i].fd, buf, sizeof(buf), 0)) > 0)
				;
			if (n == 0 || (n < 0 && errno != EAGAIN)) {
				close(pfd[i].fd);
				pfd[i].fd = -1;
			}
		}
	}
	return 0;
}

static int cmd_probe(char **a)
{
	static const __u8 pppp_hello[4] = { 0xf1, 0x00, 0x00, 0x00 };
	/* RFC 5389 Binding Request, no attributes. */
	static const __u8 stun[20] = { 0x00, 0x01, 0x00, 0x00, 0x21, 0x12,
				       0xa4, 0x42, 'p', '2', 'p', 'g', 'b',
				       'e', 'n', 'c', 'h', 0, 0, 1 };
	struct sockaddr_in dst;
	__u8 plain[64];
	const void *p = plain;
	size_t len = sizeof(plain);
	int fd;

	if (to_sin(a[0], a[1], &dst))
		return 2;
	bench_payload(plain, sizeof(plain));
	if (!strcmp(a[2], "pppp")) {
		p = pppp_hello;
		len = sizeof(pppp_hello);
	} else if (!strcmp(a[2], "stun")) {
		p = stun;
		len = sizeof(stun);
	} else if (strcmp(a[2], "plain")) {
		return 2;
	}
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		return 1;
	if (sendto(fd, p, len, 0, (struct sockaddr *)&dst, sizeof(dst)) >= 0)
		printf("sent\n");
	else if (errno == EPERM)
		printf("refused\n");
	else
		printf("error:%s\n", strerror(errno));
	close(fd);
	return 0;
}

static int cmd_attach_empty(const char *cg)
{
	char path[4096];
	int prog, cg_fd;

	/* Only the root lacks cgroup.events: never attach to the root. */
	snprintf(path, sizeof(path), "%s/cgroup.events", cg);
	if (access(path, F_OK)) {
		fprintf(stderr, "bench_tput: %s is not a child cgroup\n", cg);
		return 1;
	}
	prog = p2pg_load_trivial();
	cg_fd = open(cg, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (prog < 0 || cg_fd < 0 ||
	    bpf_prog_attach(prog, cg_fd, BPF_CGROUP_INET_EGRESS, 0)) {
		fprintf(stderr, "bench_tput: attach to %s: %s\n", cg,
			strerror(errno));
		return 1;
	}
	/* The cgroup keeps the program until it is detached or removed. */
	close(prog);
	close(cg_fd);
	return 0;
}

static void print_list(const char *key, unsigned int n, int domains)
{
	unsigned int i;
	char item[64];

	for (i = 0; i < n; i++) {
		if (domains)
			bench_domain(i, item, sizeof(item));
		else
			bench_prefix(i, item, sizeof(item), NULL);
		if (key)	/* one value per line: each line appends */
			printf("%s = %s\n", key, item);
		else
			printf("\t\t%s,\n", item);
	}
}

static int cmd_lists(char **a)
{
	unsigned int np = atoi(a[1]), nd = atoi(a[2]);

	if (np > BENCH_PREFIX_MAX)
		return 2;
	if (!strcmp(a[0], "conf")) {
		/* All in the file: the daemon sizes its maps from it. */
		print_list("deny", np < P2PG_LIST_MAX ? np : P2PG_LIST_MAX, 0);
		print_list("deny_domains",
			   nd < P2PG_LIST_MAX ? nd : P2PG_LIST_MAX, 1);
	} else {
		print_list(NULL, np, 0);
	}
	return 0;
}

/* BPF_ENABLE_STATS: on while the fd is open, off when it closes. */
static int cmd_stats(int seconds)
{
	int fd = bpf_enable_stats(BPF_STATS_RUN_TIME);

	if (fd < 0) {
		fprintf(stderr, "bench_tput: BPF run-time statistics: %s\n",
			strerror(errno));
		return 1;
	}
	signal(SIGTERM, on_term);
	printf("on\n");
	fflush(stdout);
	while (!stop && seconds-- > 0)
		sleep(1);
	close(fd);
	return 0;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: bench_tput send udp|tcp ADDR PORT SIZE SECONDS\n"
		"       bench_tput sink PORT\n"
		"       bench_tput probe ADDR PORT pppp|stun|plain\n"
		"       bench_tput attach-empty CGROUP\n"
		"       bench_tput lists conf|nft NPREFIX NDOMAINS\n"
		"       bench_tput stats SECONDS\n");
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";

	if (!strcmp(cmd, "send") && argc == 7 &&
	    (!strcmp(argv[2], "udp") || !strcmp(argv[2], "tcp")))
		return cmd_send(argv + 2);
	if (!strcmp(cmd, "sink") && argc == 3)
		return cmd_sink(atoi(argv[2]));
	if (!strcmp(cmd, "probe") && argc == 5)
		return cmd_probe(argv + 2);
	if (!strcmp(cmd, "attach-empty") && argc == 3)
		return cmd_attach_empty(argv[2]);
	if (!strcmp(cmd, "lists") && argc == 5)
		return cmd_lists(argv + 2);
	if (!strcmp(cmd, "stats") && argc == 3)
		return cmd_stats(atoi(argv[2]));
	usage();
	return 2;
}
