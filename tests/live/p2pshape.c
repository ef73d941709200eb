// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * p2pshape - the live bypass suite's traffic (issue 14): one named shape
 * of a packet, sent the way an SDK would send it, and a sink that logs
 * what arrives.  The payloads are the test vectors' (tests/lib/vectors.c);
 * a shape only changes how they are put on the wire.
 *
 *   p2pshape list                print the shapes, one a line: its name,
 *                                then "p2p" or "ordinary"
 *   p2pshape SHAPE ADDR [PORT]   send SHAPE to ADDR (its vector's port
 *                                unless PORT); print what the sink will log
 *                                for each datagram or connection that
 *                                arrives, then "fence LINE": an ordinary
 *                                datagram sent last, to the discard port
 *   p2pshape sink OUT [PROTO:PORT...]
 *                                listen on every port and protocol the
 *                                shapes use (and on udp:5301, tcp:8080...
 *                                for a PORT given to a sender), append
 *                                "PROTO PORT HASH LEN" per datagram and per
 *                                closed connection to OUT until SIGTERM
 *
 * The sender stays on one CPU, so its packets go through the veth in the
 * order they were sent: once the fence has arrived, everything before it
 * has arrived or never will.  Exit status: 0 when everything was sent or
 * refused with EPERM (what a drop on the cgroup egress hook returns),
 * 1 on any other error, 2 on bad usage, 3 when the kernel lacks the
 * protocol (UDP-Lite, deprecated); nothing is sent then.
 *
 * Only addresses the test put in its own network namespaces are used.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "vectors.h"

#ifndef SOL_UDP
#define SOL_UDP			17
#endif
#ifndef UDP_SEGMENT
#define UDP_SEGMENT		103
#endif
#ifndef IPPROTO_UDPLITE
#define IPPROTO_UDPLITE		136
#endif
#ifndef UDPLITE_SEND_CSCOV
#define UDPLITE_SEND_CSCOV	10
#endif

#define FENCE_PORT	9		/* discard */
#define NO_SUCH_PROTOCOL	3	/* exit status: not in this kernel */
#define BUF_MAX		65536	/* a UDP datagram, or a GSO batch */
#define MAX_SOCKS	64

enum how {
	UDP,		/* one datagram from an ordinary socket */
	UDP_V4MAPPED,	/* ... from an IPv6 socket to ::ffff:ADDR */
	UDP_IPOPT,	/* ... with an IPv4 Record Route option */
	UDP_KFRAG,	/* ... longer than the path MTU: the kernel fragments */
	GSO_CMSG,	/* segments of one UDP_SEGMENT send (control message) */
	GSO_SOCKOPT,	/* ... with UDP_SEGMENT set on the socket */
	UDPLITE,	/* a UDP-Lite socket, whole checksum coverage */
	UDPLITE_CSCOV,	/* ... coverage 8: the length field says 8 */
	TCP,		/* one connection: connect, write, close */
	RAW,		/* whole IP packet from a raw socket (CAP_NET_RAW) */
	RAW_EXT,	/* IPv6, more extension headers than the parser walks */
	RAW_TINYFRAG,	/* first fragment: the UDP header only */
};

enum build {
	AS_IS,
	DNS_MIXED_CASE,		/* the name in 0x20 mixed case */
};

/**
 * struct shape - one way of sending a vector.
 * @name:   what the command line calls it.
 * @vec:    the vector whose payload is sent.
 * @how:    the socket and options used.
 * @build:  how the payload is made from the vector.
 * @segs:   GSO only: the batch, 'P' for the vector, 'F' for filler.
 * @port:   destination port when not the vector's.
 * @p2p:    a P2P packet: nothing may arrive while P2P is off.
 */
struct shape {
	const char *name;
	const char *vec;
	enum how how;
	enum build build;
	const char *segs;
	__u16 port;
	int p2p;
};

/* P(): a P2P packet; O(): ordinary traffic. */
#define P(n, v, h, b, segs, port)	{ n, v, h, b, segs, port, 1 }
#define O(n, v, h, b, segs, port)	{ n, v, h, b, segs, port, 0 }
static const struct shape shapes[] = {
	/* P2P: nothing may arrive while P2P is off. */
	P("pppp-32100", "pppp-hello-32100", UDP, AS_IS, NULL, 0),
	P("gso-first", "pppp-p2p-req", GSO_CMSG, AS_IS, "PF", 0),
	P("gso-second", "pppp-p2p-req", GSO_CMSG, AS_IS, "FP", 0),
	P("gso-later", "pppp-p2p-req", GSO_CMSG, AS_IS, "FFP", 0),
	P("gso-sockopt", "pppp-p2p-req", GSO_SOCKOPT, AS_IS, "PFF", 0),
	P("udplite", "pppp-p2p-req", UDPLITE, AS_IS, NULL, 0),
	P("udplite-cscov", "pppp-p2p-req", UDPLITE_CSCOV, AS_IS, NULL, 0),
	P("stun-classic", "stun3489-binding", UDP, AS_IS, NULL, 3478),
	P("stun-classic-change", "stun3489-change-request", UDP, AS_IS, NULL,
	  3478),
	P("dns-port-5300", "dns-m1-iotcplatform", UDP, AS_IS, NULL, 5300),
	P("dns-second-question", "dns-second-question", UDP, AS_IS, NULL, 0),
	P("dns-mixed-case", "dns-m1-iotcplatform", UDP, DNS_MIXED_CASE, NULL,
	  0),
	P("dns-edns", "dns-tutk-master-aaaa", UDP, AS_IS, NULL, 0),
	P("v4mapped", "pppp-hello", UDP_V4MAPPED, AS_IS, NULL, 0),
	P("ip-options", "pppp-hello", UDP_IPOPT, AS_IS, NULL, 0),
	P("kernel-fragments", "pppp-drw-1200", UDP_KFRAG, AS_IS, NULL, 0),
	P("raw-ip", "pppp-hello", RAW, AS_IS, NULL, 0),
	P("raw-ipv6-ext", "pppp-hello", RAW_EXT, AS_IS, NULL, 0),
	P("raw-tiny-fragment", "pppp-p2p-req", RAW_TINYFRAG, AS_IS, NULL, 0),
	/* Ordinary: arrives either way. */
	O("rtsp", "rtsp-options", TCP, AS_IS, NULL, 0),
	O("http", "http-get-firmware", TCP, AS_IS, NULL, 0),
	O("quic", "quic-initial", UDP, AS_IS, NULL, 0),
	/* A QUIC stack's batch: ten datagrams in one send. */
	O("quic-gso", "quic-initial", GSO_CMSG, AS_IS, "PPPPPPPPPP", 0),
	O("ntp", "ntp-client", UDP, AS_IS, NULL, 0),
	O("dns", "dns-example", UDP, AS_IS, NULL, 0),
	O("dns-tcp", "dns-tcp-example", TCP, AS_IS, NULL, 0),
};

#define N_SHAPES	(sizeof(shapes) / sizeof(shapes[0]))

struct target {
	int family;			/* AF_INET or AF_INET6 */
	__u8 addr[16];
	__u16 port;
	struct sockaddr_storage ss;
	socklen_t len;
};

struct bytes {
	__u8 b[BUF_MAX];
	size_t n;
};

static int proto_of(const struct shape *s)
{
	if (s->how == UDPLITE || s->how == UDPLITE_CSCOV)
		return IPPROTO_UDPLITE;
	return s->how == TCP ? IPPROTO_TCP : IPPROTO_UDP;
}

static const char *proto_name(int proto)
{
	return proto == IPPROTO_TCP ? "tcp" :
	       proto == IPPROTO_UDPLITE ? "udplite" : "udp";
}

static __u16 port_of(const struct shape *s)
{
	return s->port ? s->port : vec_find(s->vec)->dport;
}

/* The one format of the sink's log and the sender's expectations. */
static void log_line(FILE *f, const char *prefix, int proto, int family,
		     __u16 port, const void *p, size_t n)
{
	fprintf(f, "%s%s%d %u %08x %zu\n", prefix, proto_name(proto), family,
		port, vec_hash(p, n), n);
}

static void put(struct bytes *d, const void *p, size_t n)
{
	if (d->n + n > sizeof(d->b)) {
		fprintf(stderr, "p2pshape: payload too long\n");
		exit(2);
	}
	memcpy(d->b + d->n, p, n);
	d->n += n;
}

static void put_be16(__u8 *p, __u16 x)
{
	p[0] = x >> 8;
	p[1] = x;
}

/* The payload the shape sends, made from its vector's. */
static void payload(const struct shape *s, struct bytes *d)
{
	const struct vec_spec *v = vec_find(s->vec);
	size_t i;
	int up = 0;

	d->n = 0;
	switch (s->build) {
	case AS_IS:
		put(d, v->payload, v->payload_len);
		break;
	case DNS_MIXED_CASE:
		/* Every other letter of the name in upper case (DNS 0x20). */
		put(d, v->payload, v->payload_len);
		for (i = 12; i < d->n && d->b[i]; i += d->b[i] + 1) {
			size_t k;

			for (k = i + 1; k <= i + d->b[i] && k < d->n; k++) {
				if (d->b[k] < 'a' || d->b[k] > 'z')
					continue;
				if (up)
					d->b[k] -= 'a' - 'A';
				up = !up;
			}
		}
		break;
	}
}

/* sin_port and sin6_port are at the same place. */
static void set_port(struct target *t, __u16 port)
{
	t->port = port;
	((struct sockaddr_in *)&t->ss)->sin_port = htons(port);
}

static int to_target(const char *text, __u16 port, struct target *t)
{
	struct addrinfo hints = { .ai_flags = AI_NUMERICHOST,
				  .ai_socktype = SOCK_DGRAM }, *ai;

	memset(t, 0, sizeof(*t));
	if (getaddrinfo(text, NULL, &hints, &ai))
		return -1;
	t->family = ai->ai_family;
	t->len = ai->ai_addrlen;
	memcpy(&t->ss, ai->ai_addr, ai->ai_addrlen);
	freeaddrinfo(ai);
	set_port(t, port);
	if (t->family == AF_INET)
		memcpy(t->addr, &((struct sockaddr_in *)&t->ss)->sin_addr, 4);
	else
		memcpy(t->addr, &((struct sockaddr_in6 *)&t->ss)->sin6_addr, 16);
	return 0;
}

static int fam4or6(const struct target *t)
{
	return t->family == AF_INET ? 4 : 6;
}

static int failed(const char *what)
{
	fprintf(stderr, "p2pshape: %s: %s\n", what, strerror(errno));
	return 1;
}

/* A send error is one unless it is EPERM: the egress hook dropped it. */
static int sent(ssize_t r, const char *what)
{
	return r < 0 && errno != EPERM ? failed(what) : 0;
}

static int send_udp(const struct shape *s, const struct target *t,
		    const struct bytes *d)
{
	static const __u8 rr[8] = { 7, 7, 4, 0, 0, 0, 0, 0 };	/* RFC 791 */
	struct target m = *t;
	int fd, mtu = 0, err = 0;
	socklen_t ml = sizeof(mtu);

	if (s->how == UDP_V4MAPPED) {
		char text[INET6_ADDRSTRLEN] = "::ffff:";

		inet_ntop(AF_INET, t->addr, text + 7, sizeof(text) - 7);
		to_target(text, t->port, &m);
	}
	fd = socket(m.family, SOCK_DGRAM, 0);
	if (fd < 0)
		return failed("socket");
	if (s->how == UDP_IPOPT &&
	    setsockopt(fd, IPPROTO_IP, IP_OPTIONS, rr, sizeof(rr)))
		err = failed("IP_OPTIONS");
	if (s->how == UDP_KFRAG) {
		/* Prove the path fragments it: the route's MTU is smaller. */
		if (connect(fd, (struct sockaddr *)&m.ss, m.len) ||
		    getsockopt(fd, IPPROTO_IP, IP_MTU, &mtu, &ml))
			err = failed("IPv4 path MTU");
		else if ((size_t)mtu >= 28 + d->n)
			err = fprintf(stderr,
				      "p2pshape: %s: path MTU %d does not fragment %zu bytes\n",
				      s->name, mtu, d->n) > 0;
	}
	if (!err)
		err = sent(sendto(fd, d->b, d->n, 0, (struct sockaddr *)&m.ss,
				  m.len), "sendto");
	close(fd);
	return err;
}

static int send_gso(const struct shape *s, const struct target *t,
		    const struct bytes *vecpay, struct bytes *batch,
		    size_t *segs, size_t *gso)
{
	char control[CMSG_SPACE(sizeof(__u16))] = { 0 };
	static __u8 filler[BUF_MAX];
	struct iovec iov;
	struct msghdr m = { 0 };
	struct cmsghdr *c;
	const char *p;
	__u16 size = vecpay->n;
	int fd, err = 0;

	/* Filler the same size as the vector: a batch of equal segments. */
	memset(filler, 'x', sizeof(filler));
	batch->n = 0;
	for (p = s->segs; *p; p++)
		put(batch, *p == 'P' ? vecpay->b : filler, vecpay->n);
	*segs = strlen(s->segs);
	*gso = size;
	fd = socket(t->family, SOCK_DGRAM, 0);
	if (fd < 0)
		return failed("socket");
	iov.iov_base = batch->b;
	iov.iov_len = batch->n;
	m.msg_name = (void *)&t->ss;
	m.msg_namelen = t->len;
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	if (s->how == GSO_CMSG) {
		m.msg_control = control;
		m.msg_controllen = sizeof(control);
		c = CMSG_FIRSTHDR(&m);
		c->cmsg_level = SOL_UDP;
		c->cmsg_type = UDP_SEGMENT;
		c->cmsg_len = CMSG_LEN(sizeof(__u16));
		memcpy(CMSG_DATA(c), &size, sizeof(size));
	} else {
		int v = size;

		if (setsockopt(fd, SOL_UDP, UDP_SEGMENT, &v, sizeof(v)))
			err = failed("UDP_SEGMENT");
	}
	if (!err)
		err = sent(sendmsg(fd, &m, 0), "sendmsg with UDP_SEGMENT");
	close(fd);
	return err;
}

static int send_udplite(const struct shape *s, const struct target *t,
			const struct bytes *d)
{
	int fd, err = 0, cov = 8;

	fd = socket(t->family, SOCK_DGRAM, IPPROTO_UDPLITE);
	if (fd < 0 && errno == EPROTONOSUPPORT)
		return NO_SUCH_PROTOCOL;
	if (fd < 0)
		return failed("UDP-Lite socket");
	if (s->how == UDPLITE_CSCOV &&
	    setsockopt(fd, IPPROTO_UDPLITE, UDPLITE_SEND_CSCOV, &cov,
		       sizeof(cov)))
		err = failed("UDPLITE_SEND_CSCOV");
	if (!err)
		err = sent(sendto(fd, d->b, d->n, 0,
				  (struct sockaddr *)&t->ss, t->len), "sendto");
	close(fd);
	return err;
}

/* Connect, write, close our side, wait until the sink has closed its. */
static int send_tcp(const struct target *t, const struct bytes *d)
{
	struct timeval tv = { .tv_sec = 3 };
	char buf[256];
	int fd, err;

	fd = socket(t->family, SOCK_STREAM, 0);
	if (fd < 0)
		return failed("socket");
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	err = connect(fd, (struct sockaddr *)&t->ss, t->len) ||
	      send(fd, d->b, d->n, MSG_NOSIGNAL) != (ssize_t)d->n ||
	      shutdown(fd, SHUT_WR);
	while (!err && recv(fd, buf, sizeof(buf), 0) > 0)
		;
	if (err)
		fprintf(stderr, "p2pshape: TCP: %s\n", strerror(errno));
	close(fd);
	return err;
}

/* Our source address toward @t: what the route would choose. */
static int source_of(const struct target *t, __u8 *src)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int fd = socket(t->family, SOCK_DGRAM, 0), r;

	if (fd < 0)
		return -1;
	r = connect(fd, (struct sockaddr *)&t->ss, t->len) ||
	    getsockname(fd, (struct sockaddr *)&ss, &len);
	close(fd);
	if (r)
		return -1;
	if (t->family == AF_INET)
		memcpy(src, &((struct sockaddr_in *)&ss)->sin_addr, 4);
	else
		memcpy(src, &((struct sockaddr_in6 *)&ss)->sin6_addr, 16);
	return 0;
}

/*
 * An IP packet to @t carrying @n bytes of the UDP datagram @l4 (header
 * included) from its byte @off; IPv6: @ext destination options headers
 * first.  @frag: a fragment, with @more fragments after it or not (IPv4:
 * in the header; IPv6: in a fragment header).
 */
static size_t ip_packet(const struct target *t, const __u8 *src, __u8 *pkt,
			int ext, int frag, size_t off, int more,
			const __u8 *l4, size_t n)
{
	size_t h;
	int i;

	if (t->family == AF_INET) {
		memset(pkt, 0, 20);
		pkt[0] = 0x45;
		put_be16(pkt + 2, 20 + n);
		put_be16(pkt + 4, frag ? 0x5a17 : 0);	/* 0: the kernel picks */
		put_be16(pkt + 6, frag ? (more ? 0x2000 : 0) | off / 8 : 0x4000);
		pkt[8] = 64;
		pkt[9] = IPPROTO_UDP;
		memcpy(pkt + 12, src, 4);
		memcpy(pkt + 16, t->addr, 4);
		h = 20;
	} else {
		__u8 *nh = pkt + 6;

		memset(pkt, 0, 40);
		pkt[0] = 0x60;
		pkt[7] = 64;
		memcpy(pkt + 8, src, 16);
		memcpy(pkt + 24, t->addr, 16);
		h = 40;
		for (i = 0; i < ext; i++) {
			/* Destination options: PadN, 8 bytes each. */
			static const __u8 opts[8] = { 0, 0, 1, 4, 0, 0, 0, 0 };

			*nh = IPPROTO_DSTOPTS;
			memcpy(pkt + h, opts, 8);
			nh = pkt + h;
			h += 8;
		}
		if (frag) {
			*nh = IPPROTO_FRAGMENT;
			memset(pkt + h, 0, 8);
			put_be16(pkt + h + 2, off | (more ? 1 : 0));
			put_be16(pkt + h + 6, 0x5a17);
			nh = pkt + h;
			h += 8;
		}
		*nh = IPPROTO_UDP;
		put_be16(pkt + 4, h - 40 + n);
	}
	memcpy(pkt + h, l4, n);
	return h + n;
}

static int send_raw(const struct shape *s, const struct target *t,
		    const struct bytes *d)
{
	const struct vec_spec *v = vec_find(s->vec);
	__u8 src[16], udp[BUF_MAX], pkt[BUF_MAX + 128];
	struct target dst = *t;
	size_t n = 8 + d->n, len;
	int fd, err = 0, ext = 0;

	/* Two more than the parser walks (common/p2pguard_abi.h). */
	if (s->how == RAW_EXT)
		ext = P2PG_IPV6_EXT_MAX + 2;
	if (n > sizeof(udp) || source_of(t, src))
		return failed("source address");
	put_be16(udp, v->sport);
	put_be16(udp + 2, t->port);
	put_be16(udp + 4, n);
	put_be16(udp + 6, 0);
	memcpy(udp + 8, d->b, d->n);
	put_be16(udp + 6, vec_l4_csum(fam4or6(t), src, t->addr, IPPROTO_UDP,
				      udp, n));
	/* IPPROTO_RAW: the header is ours (IP_HDRINCL); port 0 for IPv6. */
	set_port(&dst, 0);
	fd = socket(t->family, SOCK_RAW, IPPROTO_RAW);
	if (fd < 0)
		return failed("raw socket");
	if (s->how == RAW_TINYFRAG) {
		/* The UDP header alone, then the payload at offset 8. */
		len = ip_packet(t, src, pkt, 0, 1, 0, 1, udp, 8);
		err = sent(sendto(fd, pkt, len, 0, (struct sockaddr *)&dst.ss,
				  dst.len), "sendto first fragment");
		len = ip_packet(t, src, pkt, 0, 1, 8, 0, udp + 8, n - 8);
		err |= sent(sendto(fd, pkt, len, 0, (struct sockaddr *)&dst.ss,
				   dst.len), "sendto second fragment");
	} else {
		len = ip_packet(t, src, pkt, ext, 0, 0, 0, udp, n);
		err = sent(sendto(fd, pkt, len, 0, (struct sockaddr *)&dst.ss,
				  dst.len), "sendto");
	}
	close(fd);
	return err;
}

/* Keep to this CPU: the packets then reach the peer in sending order. */
static void stay_on_this_cpu(void)
{
	cpu_set_t set;
	int cpu = sched_getcpu();

	if (cpu < 0)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

static int send_fence(const struct shape *s, const struct target *t)
{
	struct timespec ts;
	struct target f;
	char text[128];
	int fd, n, err;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	n = snprintf(text, sizeof(text), "p2pshape fence %s %d %lld.%09ld",
		     s->name, (int)getpid(), (long long)ts.tv_sec, ts.tv_nsec);
	f = *t;
	set_port(&f, FENCE_PORT);
	fd = socket(f.family, SOCK_DGRAM, 0);
	if (fd < 0)
		return failed("socket");
	err = sendto(fd, text, n, 0, (struct sockaddr *)&f.ss, f.len) != n;
	if (err)
		fprintf(stderr, "p2pshape: fence: %s\n", strerror(errno));
	close(fd);
	log_line(stdout, "fence ", IPPROTO_UDP, fam4or6(t), FENCE_PORT, text,
		 n);
	return err;
}

/* Shapes that exist in one IP version only. */
static int family_fits(const struct shape *s, const struct target *t)
{
	if (s->how == UDP_V4MAPPED || s->how == UDP_IPOPT ||
	    s->how == UDP_KFRAG)
		return t->family == AF_INET;
	return s->how != RAW_EXT || t->family == AF_INET6;
}

static int cmd_send(const struct shape *s, const char *addr, __u16 port)
{
	struct bytes *d = calloc(1, sizeof(*d)), *batch = calloc(1, sizeof(*d));
	size_t segs = 1, gso = 0, i;
	struct target t;
	int err;

	if (!d || !batch || to_target(addr, port ? port : port_of(s), &t))
		return 2;
	if (!family_fits(s, &t)) {
		fprintf(stderr, "p2pshape: %s: not in this IP version\n",
			s->name);
		return 2;
	}
	stay_on_this_cpu();
	payload(s, d);
	switch (s->how) {
	case GSO_CMSG:
	case GSO_SOCKOPT:
		err = send_gso(s, &t, d, batch, &segs, &gso);
		break;
	case UDPLITE:
	case UDPLITE_CSCOV:
		err = send_udplite(s, &t, d);
		break;
	case TCP:
		err = send_tcp(&t, d);
		break;
	case RAW:
	case RAW_EXT:
	case RAW_TINYFRAG:
		err = send_raw(s, &t, d);
		break;
	default:
		err = send_udp(s, &t, d);
		break;
	}
	if (err == NO_SUCH_PROTOCOL)
		return err;
	/* What the sink logs when it arrives: one line per segment. */
	for (i = 0; i < segs; i++)
		log_line(stdout, "", proto_of(s), fam4or6(&t), t.port,
			 gso ? batch->b + i * gso : d->b, gso ? gso : d->n);
	err |= send_fence(s, &t);
	free(d);
	free(batch);
	return err;
}

/* ---- the sink ----------------------------------------------------------- */

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	stop = 1;
}

static int open_listener(int proto, __u16 port)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6,
				  .sin6_port = htons(port),
				  .sin6_addr = IN6ADDR_ANY_INIT };
	int type = proto == IPPROTO_TCP ? SOCK_STREAM : SOCK_DGRAM;
	int fd, zero = 0, one = 1;

	fd = socket(AF_INET6, type | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    proto == IPPROTO_UDPLITE ? IPPROTO_UDPLITE : 0);
	if (fd < 0)
		return -1;
	setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) ||
	    (proto == IPPROTO_TCP && listen(fd, 16))) {
		close(fd);
		return -1;
	}
	return fd;
}

/* 4 for IPv4 peers (v4-mapped on the dual-stack sockets), else 6. */
static int family_of(const struct sockaddr_in6 *a)
{
	return IN6_IS_ADDR_V4MAPPED(&a->sin6_addr) ? 4 : 6;
}

struct sock {
	int proto;		/* listener's protocol; 0 for a connection */
	__u16 port;
	int family;		/* connections: the peer's */
	struct bytes *in;	/* connections: what was read */
};

static int add_listener(struct pollfd *pfd, struct sock *sk, int n,
			int proto, __u16 port)
{
	int i;

	for (i = 0; i < n; i++)
		if (sk[i].proto == proto && sk[i].port == port)
			return n;
	pfd[n].fd = open_listener(proto, port);
	if (pfd[n].fd < 0 && errno == EPROTONOSUPPORT)
		return n;	/* the senders say so */
	if (pfd[n].fd < 0) {
		fprintf(stderr, "p2pshape sink: cannot listen on %s %u: %s\n",
			proto_name(proto), port, strerror(errno));
		exit(2);
	}
	pfd[n].events = POLLIN;
	sk[n] = (struct sock){ .proto = proto, .port = port };
	return n + 1;
}

static void sink_datagrams(FILE *f, int fd, const struct sock *sk)
{
	struct sockaddr_in6 from;
	socklen_t fl = sizeof(from);
	__u8 buf[BUF_MAX];
	ssize_t r;

	while ((r = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from,
			     &fl)) >= 0) {
		log_line(f, "", sk->proto, family_of(&from), sk->port, buf, r);
		fl = sizeof(from);
	}
}

static int sink_accept(struct pollfd *pfd, struct sock *sk, int n, int i)
{
	struct sockaddr_in6 from;
	socklen_t fl = sizeof(from);
	int fd = accept4(pfd[i].fd, (struct sockaddr *)&from, &fl,
			 SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (fd < 0)
		return n;
	if (n >= MAX_SOCKS) {
		close(fd);
		return n;
	}
	pfd[n].fd = fd;
	pfd[n].events = POLLIN;
	sk[n] = (struct sock){ .port = sk[i].port,
			       .family = family_of(&from),
			       .in = calloc(1, sizeof(struct bytes)) };
	return n + 1;
}

/* Read; at the end of the stream log it, close, return 1. */
static int sink_read(FILE *f, int fd, struct sock *sk)
{
	__u8 buf[BUF_MAX];
	ssize_t r = recv(fd, buf, sizeof(buf), 0);

	if (r > 0) {
		size_t room = sizeof(sk->in->b) - sk->in->n;

		put(sk->in, buf, (size_t)r < room ? (size_t)r : room);
		return 0;
	}
	if (r < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	log_line(f, "", IPPROTO_TCP, sk->family, sk->port, sk->in->b,
		 sk->in->n);
	free(sk->in);
	close(fd);
	return 1;
}

static int cmd_sink(const char *out, char **extra, int n_extra)
{
	struct pollfd pfd[MAX_SOCKS];
	struct sock sk[MAX_SOCKS];
	int n = 0, listeners, i, proto;
	char name[8];
	unsigned int port;
	size_t k;
	FILE *f = fopen(out, "a");

	if (!f)
		return 2;
	setvbuf(f, NULL, _IOLBF, 0);
	for (k = 0; k < N_SHAPES; k++)
		n = add_listener(pfd, sk, n, proto_of(&shapes[k]),
				 port_of(&shapes[k]));
	for (i = 0; i < n_extra; i++) {
		if (sscanf(extra[i], "%7[a-z]:%u", name, &port) != 2 ||
		    !port || port > 65535 || n >= MAX_SOCKS / 2)
			return 2;
		proto = !strcmp(name, "tcp") ? IPPROTO_TCP :
			!strcmp(name, "udplite") ? IPPROTO_UDPLITE :
			!strcmp(name, "udp") ? IPPROTO_UDP : -1;
		if (proto < 0)
			return 2;
		n = add_listener(pfd, sk, n, proto, port);
	}
	/* The fence last: a poll round logs the shapes' packets first. */
	n = add_listener(pfd, sk, n, IPPROTO_UDP, FENCE_PORT);
	listeners = n;
	signal(SIGTERM, on_term);
	signal(SIGINT, on_term);
	fprintf(f, "ready %d\n", n);
	while (!stop) {
		if (poll(pfd, n, 100) <= 0)
			continue;
		/* Connections (after the listeners) first, the fence last. */
		for (i = n - 1; i >= listeners; i--) {
			if (pfd[i].revents && sink_read(f, pfd[i].fd, &sk[i])) {
				pfd[i] = pfd[n - 1];
				sk[i] = sk[n - 1];
				n--;
			}
		}
		for (i = 0; i < listeners; i++) {
			if (!pfd[i].revents)
				continue;
			if (sk[i].proto == IPPROTO_TCP)
				n = sink_accept(pfd, sk, n, i);
			else
				sink_datagrams(f, pfd[i].fd, &sk[i]);
		}
	}
	fclose(f);
	return 0;
}

int main(int argc, char **argv)
{
	size_t k;

	if (argc == 2 && !strcmp(argv[1], "list")) {
		for (k = 0; k < N_SHAPES; k++)
			printf("%s %s\n", shapes[k].name,
			       shapes[k].p2p ? "p2p" : "ordinary");
		return 0;
	}
	if (argc >= 3 && !strcmp(argv[1], "sink"))
		return cmd_sink(argv[2], argv + 3, argc - 3);
	for (k = 0; argc >= 3 && argc <= 4 && k < N_SHAPES; k++)
		if (!strcmp(argv[1], shapes[k].name))
			return cmd_send(&shapes[k], argv[2],
					argc == 4 ? atoi(argv[3]) : 0);
	fprintf(stderr, "usage: see the comment at the top of p2pshape.c\n");
	return 2;
}
