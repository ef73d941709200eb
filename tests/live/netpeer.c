// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * netpeer - the live tests' traffic: an emulated camera that sends every
 * test vector (tests/lib/vectors.c) through real sockets, sinks that
 * record what arrives, and the comparison.
 *
 *   netpeer sink ROLE OUT        listen on every port ROLE's vectors use
 *                                (ROLE = wan | lan), append one line per
 *                                datagram/connection to OUT until SIGTERM
 *   netpeer send WAN4 WAN6 LAN4 LAN6 EXPECT [ROUNDS]
 *                                send each vector ROUNDS times, mapping its
 *                                destination to the WAN or LAN host; write
 *                                what should arrive when P2P is off to EXPECT
 *   netpeer check EXPECT WANLOG LANLOG p2p-off|p2p-on|agent
 *                                PASS/FAIL per vector (agent: sent by an
 *                                agent with P2P off, so only LAN traffic
 *                                without a reason may arrive)
 *   netpeer flood ADDR PORT SECONDS
 *                                PPPP HELLO to ADDR:PORT every millisecond
 *   netpeer p2p-calls WAN4 SECONDS
 *                                every 100 ms, each IPv4 UDP P2P vector to
 *                                WAN4 (what vendor SDKs keep doing)
 *   netpeer session ADDR VECTOR GOFILE
 *                                TCP: VECTOR's payload, then, once GOFILE
 *                                exists, 15 more bytes on the same connection
 *   netpeer stream ADDR PORT SECONDS
 *                                a 2 Mbit/s TCP "RTSP" stream; prints bytes
 *   netpeer tcp-streams          the names of the TCP stream vectors
 *   netpeer tcp-stream NAME WAN4 LAN4 [GOFILE]
 *                                the stream vector NAME on one connection,
 *                                each new segment its own write
 *                                (TCP_NODELAY); before a segment that comes
 *                                after the switch, wait for GOFILE (P2P on
 *                                until then); print "PORT SENT OFF": bytes
 *                                sent, and bytes the sink gets with P2P off
 *                                (those before the first segment with a
 *                                reason sent while P2P is off)
 *
 * Only addresses the test put in its own network namespaces are used.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "vectors.h"
#include "policy.h"

#define MAX_SOCKS	256

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	stop = 1;
}

/* Which host a vector goes to: its destination's class decides. */
static int is_lan(const struct p2pg_policy *p, const struct vec_spec *v)
{
	return p2pg_policy_net_class(p, v->family, v->daddr) != P2PG_NET_WAN;
}

static int is_loopback(const struct p2pg_policy *p, const struct vec_spec *v)
{
	return p2pg_policy_net_class(p, v->family, v->daddr) ==
	       P2PG_NET_LOOPBACK;
}

/*
 * Vectors a socket can send as they are.  Not the UDP GSO sends: their
 * segments arrive as datagrams of their own, which the sink's hash of the
 * whole payload does not know (tests/live/test_bypass.sh sends them).
 */
static int sendable(const struct p2pg_policy *p, const struct vec_spec *v)
{
	return (v->l4proto == IPPROTO_UDP || v->l4proto == IPPROTO_TCP) &&
	       !v->flags && !v->gso && v->dport && v->payload_len &&
	       !is_loopback(p, v);
}

/* 4 for IPv4 peers (v4-mapped on our dual-stack sockets), else 6. */
static int family_of(const struct sockaddr_in6 *a)
{
	return IN6_IS_ADDR_V4MAPPED(&a->sin6_addr) ? 4 : 6;
}

static int open_listener(int proto, __u16 port)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6,
				  .sin6_port = htons(port),
				  .sin6_addr = IN6ADDR_ANY_INIT };
	int fd, zero = 0, one = 1;

	fd = socket(AF_INET6, (proto == IPPROTO_UDP ? SOCK_DGRAM : SOCK_STREAM) |
		    SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) ||
	    (proto == IPPROTO_TCP && listen(fd, 64))) {
		close(fd);
		return -1;
	}
	return fd;
}

struct conn {
	int fd;
	int family;
	__u16 port;
	__u8 buf[VEC_PAYLOAD_MAX + 64];
	size_t len;		/* bytes kept for the hash */
	unsigned long long total;	/* all bytes received */
};

static int cmd_sink(const char *role, const char *out)
{
	struct pollfd pfd[MAX_SOCKS];
	int proto[MAX_SOCKS], n = 0, i;
	__u16 port[MAX_SOCKS];
	struct conn *conns = calloc(MAX_SOCKS, sizeof(*conns));
	struct p2pg_policy p;
	const struct vec_stream *st;
	const struct vec_spec *v;
	size_t nv, ns, k;
	FILE *f;

	if (!conns || p2pg_policy_init_defaults(&p))
		return 2;
	f = fopen(out, "a");
	if (!f)
		return 2;
	setvbuf(f, NULL, _IOLBF, 0);
	v = vec_all(&nv);
	st = vec_streams(&ns);
	/* Every vector's port, and every TCP stream vector's. */
	for (k = 0; k < nv + ns; k++) {
		const struct vec_spec *x = k < nv ? &v[k] : &st[k - nv].conn;
		int dup = 0;

		if (!sendable(&p, x) || is_lan(&p, x) != !strcmp(role, "lan"))
			continue;
		for (i = 0; i < n; i++)
			dup |= proto[i] == x->l4proto && port[i] == x->dport;
		if (dup || n >= MAX_SOCKS / 2)
			continue;
		pfd[n].fd = open_listener(x->l4proto, x->dport);
		if (pfd[n].fd < 0) {
			fprintf(stderr, "sink: cannot listen on %s %u: %s\n",
				x->l4proto == IPPROTO_UDP ? "udp" : "tcp",
				x->dport, strerror(errno));
			return 2;
		}
		pfd[n].events = POLLIN;
		proto[n] = x->l4proto;
		port[n++] = x->dport;
	}
	signal(SIGTERM, on_term);
	signal(SIGINT, on_term);
	fprintf(f, "ready %d\n", n);
	while (!stop) {
		int nfds = n, c;

		/* Open TCP connections are polled after the listeners. */
		for (c = 0; c < MAX_SOCKS / 2 && nfds < MAX_SOCKS; c++) {
			if (!conns[c].fd)
				continue;
			pfd[nfds].fd = conns[c].fd;
			pfd[nfds].events = POLLIN;
			proto[nfds] = -1 - c;
			nfds++;
		}
		if (poll(pfd, nfds, 100) <= 0)
			continue;
		for (i = 0; i < nfds; i++) {
			__u8 buf[2048];
			ssize_t r;

			if (!(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			if (proto[i] == IPPROTO_UDP) {
				struct sockaddr_in6 from;
				socklen_t fl = sizeof(from);

				while ((r = recvfrom(pfd[i].fd, buf, sizeof(buf), 0,
						     (struct sockaddr *)&from,
						     &fl)) >= 0) {
					fprintf(f, "udp%d %u %08x %zd\n",
						family_of(&from), port[i],
						vec_hash(buf, r), r);
					fl = sizeof(from);
				}
			} else if (proto[i] == IPPROTO_TCP) {
				struct sockaddr_in6 from;
				socklen_t fl = sizeof(from);
				int fd = accept4(pfd[i].fd, (struct sockaddr *)&from,
						 &fl, SOCK_NONBLOCK | SOCK_CLOEXEC);

				for (c = 0; fd >= 0 && c < MAX_SOCKS / 2; c++) {
					if (conns[c].fd)
						continue;
					conns[c].fd = fd;
					conns[c].family = family_of(&from);
					conns[c].port = port[i];
					conns[c].len = 0;
					conns[c].total = 0;
					fd = -1;
				}
				if (fd >= 0)
					close(fd);
			} else {
				struct conn *cn = &conns[-1 - proto[i]];

				r = recv(cn->fd, buf, sizeof(buf), 0);
				if (r > 0) {
					size_t room = sizeof(cn->buf) - cn->len;

					cn->total += r;
					fprintf(f, "tcpdata%d %u %llu\n",
						cn->family, cn->port, cn->total);
					memcpy(cn->buf + cn->len, buf,
					       (size_t)r < room ? (size_t)r : room);
					cn->len += (size_t)r < room ? (size_t)r : room;
					continue;
				}
				if (r < 0 && errno == EAGAIN)
					continue;
				fprintf(f, "tcp%d %u %08x %zu %llu\n",
					cn->family, cn->port,
					vec_hash(cn->buf, cn->len), cn->len,
					cn->total);
				close(cn->fd);
				cn->fd = 0;
			}
		}
	}
	fclose(f);
	return 0;
}

static int to_addr(const char *text, struct sockaddr_storage *ss,
		   socklen_t *len, __u16 port)
{
	struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, text, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons(port);
		*len = sizeof(*a4);
		return AF_INET;
	}
	if (inet_pton(AF_INET6, text, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons(port);
		*len = sizeof(*a6);
		return AF_INET6;
	}
	return -1;
}

static void send_one(const struct vec_spec *v, const char *dst)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fam = to_addr(dst, &ss, &len, v->dport), fd;

	fd = socket(fam, v->l4proto == IPPROTO_UDP ? SOCK_DGRAM : SOCK_STREAM,
		    0);
	if (fd < 0)
		return;
	if (v->l4proto == IPPROTO_UDP) {
		sendto(fd, v->payload, v->payload_len, 0,
		       (struct sockaddr *)&ss, len);
	} else {
		struct timeval tv = { .tv_sec = 2 };
		struct linger lg = { .l_onoff = 1, .l_linger = 0 };

		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		if (!connect(fd, (struct sockaddr *)&ss, len)) {
			send(fd, v->payload, v->payload_len, MSG_NOSIGNAL);
			/* Give the data a moment, then close for the sink. */
			usleep(200000);
			setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
			shutdown(fd, SHUT_WR);
			usleep(50000);
		}
	}
	close(fd);
}

static int cmd_send(char **a, int rounds)
{
	const char *wan4 = a[0], *wan6 = a[1], *lan4 = a[2], *lan6 = a[3];
	struct p2pg_policy p;
	const struct vec_spec *v;
	size_t nv, k;
	FILE *f;
	int r;

	if (p2pg_policy_init_defaults(&p))
		return 2;
	f = fopen(a[4], "w");
	if (!f)
		return 2;
	v = vec_all(&nv);
	for (k = 0; k < nv; k++) {
		int lan = is_lan(&p, &v[k]);
		const char *dst = v[k].family == 4 ? (lan ? lan4 : wan4) :
				  (lan ? lan6 : wan6);

		if (!sendable(&p, &v[k]))
			continue;
		for (r = 0; r < rounds; r++)
			send_one(&v[k], dst);
		fprintf(f, "%s %s%d %u %08x %zu %d %s %s\n", lan ? "lan" : "wan",
			v[k].l4proto == IPPROTO_UDP ? "udp" : "tcp", v[k].family,
			v[k].dport,
			vec_hash(v[k].payload, v[k].payload_len), v[k].payload_len,
			rounds, p2pg_reason_name(v[k].expect), v[k].name);
	}
	fclose(f);
	p2pg_policy_free(&p);
	return 0;
}

static int count_in(const char *log, const char *proto, unsigned int port,
		    const char *hash)
{
	char line[256], pr[8], h[16];
	unsigned int po;
	int n = 0;
	FILE *f = fopen(log, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%7s %u %15s", pr, &po, h) == 3 &&
		    !strcmp(pr, proto) && po == port && !strcmp(h, hash))
			n++;
	fclose(f);
	return n;
}

static int cmd_check(char **a)
{
	char line[512], role[8], proto[8], hash[16], reason[64], name[128];
	int p2p_on = !strcmp(a[3], "p2p-on"), agent = !strcmp(a[3], "agent");
	unsigned int port;
	size_t len;
	int rounds;
	FILE *f = fopen(a[0], "r");

	if (!check(f != NULL, "live %s: list of sent vectors %s", a[3], a[0]))
		return 1;
	while (fgets(line, sizeof(line), f)) {
		int got, want;

		if (sscanf(line, "%7s %7s %u %15s %zu %d %63s %127s", role,
			   proto, &port, hash, &len, &rounds, reason,
			   name) != 8)
			continue;
		got = count_in(!strcmp(role, "lan") ? a[2] : a[1], proto, port,
			       hash);
		want = (p2p_on || !strcmp(reason, "none")) ? rounds : 0;
		if (agent && strcmp(role, "lan"))
			want = 0;
		check(got == want, "live %s %s: %s %s/%u arrived %d of %d sent (%s)",
		      a[3], name, role, proto, port, got, rounds, reason);
	}
	fclose(f);
	return check_exit();
}

/* A PPPP HELLO every millisecond: what a P2P daemon does when unanswered. */
static int cmd_flood(const char *dst, int port, int seconds)
{
	static const __u8 hello[4] = { 0xf1, 0x00, 0x00, 0x00 };
	struct sockaddr_storage ss;
	struct timespec t0, t;
	socklen_t len;
	long sent = 0;
	int fd;

	fd = socket(to_addr(dst, &ss, &len, port), SOCK_DGRAM, 0);
	if (fd < 0)
		return 2;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		/* A drop makes sendto() fail with EPERM: count attempts. */
		sendto(fd, hello, sizeof(hello), 0, (struct sockaddr *)&ss, len);
		sent++;
		usleep(1000);
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while (t.tv_sec - t0.tv_sec < seconds);
	printf("%ld\n", sent);
	return 0;
}

static int cmd_p2p_calls(const char *wan4, int seconds)
{
	struct p2pg_policy p;
	const struct vec_spec *v;
	struct timespec t0, t;
	size_t nv, k;
	long sent = 0;

	if (p2pg_policy_init_defaults(&p))
		return 2;
	v = vec_all(&nv);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		for (k = 0; k < nv; k++) {
			if (!sendable(&p, &v[k]) || is_lan(&p, &v[k]) ||
			    v[k].family != 4 || v[k].l4proto != IPPROTO_UDP ||
			    !strcmp(p2pg_reason_name(v[k].expect), "none"))
				continue;
			send_one(&v[k], wan4);
			sent++;
		}
		usleep(100000);
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while (t.tv_sec - t0.tv_sec < seconds);
	printf("%ld\n", sent);
	p2pg_policy_free(&p);
	return 0;
}

static int cmd_stream(const char *dst, int port, int seconds)
{
	static __u8 chunk[1250];
	struct sockaddr_storage ss;
	struct timespec t0, t;
	socklen_t len;
	long long bytes = 0;
	int fd;

	fd = socket(to_addr(dst, &ss, &len, port), SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&ss, len)) {
		printf("0\n");
		return 1;
	}
	/* RTP over RTSP interleaved: '$', channel, length, then RTP. */
	chunk[0] = '$';
	chunk[2] = (sizeof(chunk) - 4) >> 8;
	chunk[3] = (sizeof(chunk) - 4) & 0xff;
	chunk[4] = 0x80;
	chunk[5] = 96;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		ssize_t r = send(fd, chunk, sizeof(chunk), MSG_NOSIGNAL);

		if (r > 0)
			bytes += r;
		usleep(5000);
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while (t.tv_sec - t0.tv_sec < seconds);
	close(fd);
	printf("%lld\n", bytes);
	return 0;
}

static int cmd_session(const char *dst, const char *name, const char *go)
{
	static const char more[] = "SECOND-SEGMENT\n";
	const struct vec_spec *v;
	struct sockaddr_storage ss;
	socklen_t len;
	size_t nv, k;
	int fd, i;

	v = vec_all(&nv);
	for (k = 0; k < nv && strcmp(v[k].name, name); k++)
		;
	if (k == nv || v[k].l4proto != IPPROTO_TCP)
		return 2;
	fd = socket(to_addr(dst, &ss, &len, v[k].dport), SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&ss, len))
		return 1;
	send(fd, v[k].payload, v[k].payload_len, MSG_NOSIGNAL);
	for (i = 0; i < 200 && access(go, F_OK); i++)
		usleep(50000);
	send(fd, more, sizeof(more) - 1, MSG_NOSIGNAL);
	usleep(500000);
	close(fd);
	printf("%zu %zu\n", v[k].payload_len, sizeof(more) - 1);
	return 0;
}

static int cmd_tcp_streams(void)
{
	const struct vec_stream *st;
	size_t n, i;

	st = vec_streams(&n);
	for (i = 0; i < n; i++)
		printf("%s\n", st[i].name);
	return 0;
}

/* connect() within 2 s: a dropped SYN must not hang the test. */
static int connect_timeout(int fd, const struct sockaddr *sa, socklen_t len)
{
	struct pollfd pf = { .fd = fd, .events = POLLOUT };
	int fl = fcntl(fd, F_GETFL), err = 0;
	socklen_t el = sizeof(err);

	fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	if (connect(fd, sa, len) && errno != EINPROGRESS)
		return -1;
	if (poll(&pf, 1, 2000) != 1 ||
	    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) || err)
		return -1;
	fcntl(fd, F_SETFL, fl);
	return 0;
}

static int cmd_tcp_stream(const char *name, const char *wan4,
			  const char *lan4, const char *go)
{
	const struct vec_stream *st, *s = NULL;
	struct sockaddr_storage ss;
	struct p2pg_policy p;
	socklen_t len;
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	size_t n, i, sent = 0, off = 0;
	int fd, one = 1, blocked = 0, k, on;

	st = vec_streams(&n);
	for (i = 0; i < n; i++)
		if (!strcmp(st[i].name, name))
			s = &st[i];
	if (!s || p2pg_policy_init_defaults(&p))
		return 2;
	on = s->p2p_on && go;	/* without GOFILE, P2P is off throughout */
	fd = socket(to_addr(is_lan(&p, &s->conn) ? lan4 : wan4, &ss, &len,
			    s->conn.dport), SOCK_STREAM, 0);
	if (fd < 0)
		return 2;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect_timeout(fd, (struct sockaddr *)&ss, len)) {
		printf("%u 0 0\n", s->conn.dport);
		close(fd);
		return 0;
	}
	for (i = 0; i < s->n_seg; i++) {
		const struct vec_seg *g = &s->seg[i];

		/* Retransmissions are the kernel's: new bytes only. */
		if (g->off != sent)
			continue;
		if (g->flags & VSEG_SWITCH) {
			for (k = 0; go && k < 200 && access(go, F_OK); k++)
				usleep(50000);
			on = 0;
		}
		if (g->expect != P2PG_R_NONE && !on)
			blocked = 1;
		if (!blocked)
			off = g->off + g->len;
		if (send(fd, s->conn.payload + g->off, g->len, MSG_NOSIGNAL) !=
		    g->len)
			break;
		sent += g->len;
		usleep(20000);	/* each write its own segment */
	}
	usleep(300000);
	/* A reset: no retransmission outlives this stream into the next. */
	setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(fd);
	printf("%u %zu %zu\n", s->conn.dport, sent, off);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "sink"))
		return cmd_sink(argv[2], argv[3]);
	if ((argc == 7 || argc == 8) && !strcmp(argv[1], "send"))
		return cmd_send(argv + 2, argc == 8 ? atoi(argv[7]) : 1);
	if (argc == 6 && !strcmp(argv[1], "check"))
		return cmd_check(argv + 2);
	if (argc == 5 && !strcmp(argv[1], "flood"))
		return cmd_flood(argv[2], atoi(argv[3]), atoi(argv[4]));
	if (argc == 4 && !strcmp(argv[1], "p2p-calls"))
		return cmd_p2p_calls(argv[2], atoi(argv[3]));
	if (argc == 5 && !strcmp(argv[1], "session"))
		return cmd_session(argv[2], argv[3], argv[4]);
	if (argc == 2 && !strcmp(argv[1], "tcp-streams"))
		return cmd_tcp_streams();
	if ((argc == 5 || argc == 6) && !strcmp(argv[1], "tcp-stream"))
		return cmd_tcp_stream(argv[2], argv[3], argv[4],
				      argc == 6 ? argv[5] : NULL);
	if (argc == 5 && !strcmp(argv[1], "stream"))
		return cmd_stream(argv[2], atoi(argv[3]), atoi(argv[4]));
	fprintf(stderr, "usage: see the comment at the top of netpeer.c\n");
	return 2;
}
