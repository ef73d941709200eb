// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * replay.c - packets through the real program with BPF_PROG_TEST_RUN:
 * nothing is attached and no traffic is sent.  Each packet's reason is
 * the counter its run moved.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/if_ether.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#ifndef P2PG_NO_PCAP
/* pcap/bpf.h and linux/bpf.h both define struct bpf_insn. */
#define PCAP_DONT_INCLUDE_PCAP_BPF_H
struct bpf_program;
#include <pcap/pcap.h>
#include <pcap/dlt.h>
#endif

#include "kfeatures.h"
#include "reasm.h"
#include "mapsize.h"
#include "replay.h"
#include "p2pguard.skel.h"

int p2pg_runner_open(struct p2pg_runner *r, const struct p2pg_policy *p)
{
	struct p2pg_map_sizes sizes;
	struct p2pg_features f;
	struct bpf_program *prog;
	int err;

	memset(r, 0, sizeof(*r));
	/* Only the knobs matter for a test run; no attach is probed. */
	memset(&f, 0, sizeof(f));
	f.ringbuf = libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, NULL) == 1;
	f.sk_storage =
		libbpf_probe_bpf_map_type(BPF_MAP_TYPE_SK_STORAGE, NULL) == 1;
	f.gso_size = p2pg_probe_gso_size();
	r->skel = p2pg_skel_open(&f);
	if (!r->skel) {
		err = errno ? -errno : -EINVAL;
		fprintf(stderr, "p2pguard: cannot open the BPF object: %s\n",
			strerror(-err));
		return err;
	}
	/* Sized as p2pguardd sizes them: any policy fits. */
	p2pg_map_sizes_init(&sizes, P2PG_FLOWS_DEFAULT,
			    P2PG_EVENT_BUFFER_DEFAULT, P2PG_EVENT_DESTS_DEFAULT);
	err = p2pg_map_sizes_policy(&sizes, p);
	if (!err)
		err = p2pg_map_sizes_apply(r->skel, &sizes);
	if (!err)
		err = p2pguard_bpf__load(r->skel);
	if (err) {
		fprintf(stderr, "p2pguard: cannot load the BPF program: %s%s\n",
			strerror(-err), err == -EPERM ?
			" (needs root or CAP_BPF+CAP_NET_ADMIN)" : "");
		goto fail;
	}
	prog = p2pg_skel_entry(r->skel);
	if (!prog) {
		err = errno ? -errno : -EINVAL;
		fprintf(stderr, "p2pguard: the kernel refused the program array p2pg_progs: %s\n",
			strerror(-err));
		goto fail;
	}
	r->prog = bpf_program__fd(prog);
	p2pg_skel_map_fds(r->skel, &r->fds);
	err = p2pg_policy_write_maps(p, &r->fds);
	if (err) {
		fprintf(stderr, "p2pguard: cannot write the policy maps: %s\n",
			strerror(-err));
		goto fail;
	}
	return 0;
fail:
	p2pg_runner_close(r);
	return err;
}

int p2pg_runner_run(struct p2pg_runner *r, const void *frame, size_t len,
		    unsigned int *reason)
{
	return p2pg_runner_run_gso(r, frame, len, 0, 0, reason);
}

int p2pg_runner_run_gso(struct p2pg_runner *r, const void *frame,
			size_t len, __u32 gso_size, __u32 gso_segs,
			unsigned int *reason)
{
	struct __sk_buff ctx = { .gso_size = gso_size, .gso_segs = gso_segs };
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = frame,
		    .data_size_in = len, .repeat = 1);
	struct p2pg_counter before[P2PG_R__COUNT], after[P2PG_R__COUNT];
	int prog = r->prog;
	int fd = bpf_map__fd(r->skel->maps.p2pg_counters), err;
	unsigned int k, moved = 0;

	if (len < ETH_HLEN)
		return -EINVAL;
	/* The skb's fields only when asked: kernels before 5.10 take none. */
	if (gso_size) {
		o.ctx_in = &ctx;
		o.ctx_size_in = sizeof(ctx);
	}
	/*
	 * Every run counts its packet under its reason, once: the reason is
	 * the one counter that moved (the program is attached nowhere, so
	 * nothing else runs it).
	 */
	err = p2pg_counters_read(fd, before);
	if (!err)
		err = bpf_prog_test_run_opts(prog, &o);
	if (!err)
		err = p2pg_counters_read(fd, after);
	if (err)
		return err;
	for (k = 0; k < P2PG_R__COUNT; k++) {
		if (after[k].packets == before[k].packets)
			continue;
		moved++;
		*reason = k;
	}
	if (moved != 1 || o.retval > 1)
		return -EIO;
	return (int)o.retval;
}

void p2pg_runner_close(struct p2pg_runner *r)
{
	p2pguard_bpf__destroy(r->skel);
	r->skel = NULL;
}

/* ---- captures ----------------------------------------------------------- */

int p2pg_replay_add_self(struct p2pg_replay_opts *o, const char *text)
{
	char buf[INET6_ADDRSTRLEN + 8];
	__u8 a[16];

	snprintf(buf, sizeof(buf), "%s", text);
	buf[strcspn(buf, "/")] = 0;
	memset(a, 0, sizeof(a));
	if (inet_pton(AF_INET, buf, a + 12) == 1)
		a[10] = a[11] = 0xff;
	else if (inet_pton(AF_INET6, buf, a) != 1)
		return -EINVAL;
	if (o->n_self >= P2PG_REPLAY_SELF_MAX)
		return -E2BIG;
	memcpy(o->self[o->n_self++], a, 16);
	return 0;
}

/* Built without libpcap (make PCAP=0, the default for STATIC=1). */
#ifdef P2PG_NO_PCAP
int p2pg_replay_file(const char *path, const struct p2pg_replay_opts *o,
		     FILE *out)
{
	fprintf(stderr,
		"p2pguardctl: replay: this build has no libpcap (built with PCAP=0)\n");
	return 2;
}
#else

/**
 * struct replay_frame - one packet as the program would see it.
 * @buf, @cap, @len: an Ethernet frame.
 * @proto:   ethertype, host order.
 * @inbound: 1 the capture marks it received, 0 sent, -1 it does not say.
 */
struct replay_frame {
	__u8 *buf;
	size_t cap, len;
	__u16 proto;
	int inbound;
};

static int frame_reserve(struct replay_frame *f, size_t len)
{
	__u8 *n;

	if (len <= f->cap)
		return 0;
	n = realloc(f->buf, len);
	if (!n)
		return -ENOMEM;
	f->buf = n;
	f->cap = len;
	return 0;
}

/* An Ethernet frame with a made-up header carrying @proto, then @l3. */
static int frame_synth(struct replay_frame *f, __u16 proto, const __u8 *l3,
		       size_t n)
{
	if (frame_reserve(f, ETH_HLEN + n))
		return -ENOMEM;
	memset(f->buf, 0, 12);
	f->buf[0] = 0x02;	/* locally administered, unicast */
	f->buf[6] = 0x02;
	f->buf[12] = proto >> 8;
	f->buf[13] = proto & 0xff;
	memcpy(f->buf + ETH_HLEN, l3, n);
	f->len = ETH_HLEN + n;
	f->proto = proto;
	return 0;
}

static __u16 be16_at(const __u8 *p)
{
	return (__u16)(p[0] << 8 | p[1]);
}

/*
 * The frame the program would see for one captured packet.  The kernel
 * strips the Ethernet header itself; anything else is rebuilt as Ethernet.
 * VLAN tags are removed: the socket's skb is untagged.  Leaves proto 0 for
 * a packet too short to say what it is.
 */
static int frame_from_capture(struct replay_frame *f, int dlt,
			      const __u8 *d, size_t n)
{
	unsigned int tags = 0;
	__u16 proto;

	f->len = 0;
	f->proto = 0;
	f->inbound = -1;
	switch (dlt) {
	case DLT_EN10MB:
		if (n < ETH_HLEN)
			return 0;
		proto = be16_at(d + 12);
		if (proto != ETH_P_8021Q && proto != ETH_P_8021AD) {
			if (frame_reserve(f, n))
				return -ENOMEM;
			memcpy(f->buf, d, n);
			f->len = n;
			f->proto = proto;
			return 0;
		}
		/* One or two (QinQ) tags of 4 bytes after the MAC addresses. */
		while ((proto == ETH_P_8021Q || proto == ETH_P_8021AD) &&
		       tags < 2 && n >= ETH_HLEN + 4 * (tags + 1)) {
			tags++;
			proto = be16_at(d + 12 + 4 * tags);
		}
		if (frame_synth(f, proto, d + ETH_HLEN + 4 * tags,
				n - ETH_HLEN - 4 * tags))
			return -ENOMEM;
		memcpy(f->buf, d, 12);
		return 0;
	case DLT_RAW:
	case DLT_IPV4:
	case DLT_IPV6:
		if (n < 1)
			return 0;
		if (d[0] >> 4 == 4)
			proto = ETH_P_IP;
		else if (d[0] >> 4 == 6)
			proto = ETH_P_IPV6;
		else
			proto = 0xffff;	/* not IP: reported as such */
		return frame_synth(f, proto, d, n);
	case DLT_LINUX_SLL:
		if (n < 16)
			return 0;
		/* Packet type: 4 sent by us (PACKET_OUTGOING), else received. */
		f->inbound = be16_at(d) != 4;
		return frame_synth(f, be16_at(d + 14), d + 16, n - 16);
	case DLT_LINUX_SLL2:
		if (n < 20)
			return 0;
		f->inbound = d[10] != 4;
		return frame_synth(f, be16_at(d), d + 20, n - 20);
	}
	return -EPROTONOSUPPORT;
}

static int dlt_supported(int dlt)
{
	return dlt == DLT_EN10MB || dlt == DLT_RAW || dlt == DLT_IPV4 ||
	       dlt == DLT_IPV6 || dlt == DLT_LINUX_SLL || dlt == DLT_LINUX_SLL2;
}

/*
 * The direction of each packet of a pcapng file, from its Enhanced Packet
 * Blocks' epb_flags (bits 0-1: 1 inbound, 2 outbound), in the order
 * libpcap returns the packets (EPB, SPB, and the obsolete PB): 1 inbound,
 * 0 outbound, -1 not said.  Nothing for a pcap file, or a pcapng file of
 * the other byte order than ours (left undirected).
 */
static void pcapng_directions(const char *path, signed char **dirs,
			      size_t *n)
{
	__u32 hdr[2], magic;
	signed char *v = NULL, *nv;
	size_t cap = 0, k = 0;
	long pos = 0;
	FILE *f;

	*dirs = NULL;
	*n = 0;
	f = fopen(path, "rb");
	if (!f)
		return;
	while (fseek(f, pos, SEEK_SET) == 0 &&
	       fread(hdr, 4, 2, f) == 2) {
		__u32 type = hdr[0], len = hdr[1];
		signed char dir = -1;

		if (pos == 0 && (type != 0x0a0d0d0a ||
				 fread(&magic, 4, 1, f) != 1 ||
				 magic != 0x1a2b3c4d))
			break;	/* a pcap file, or not ours to read */
		if (len < 12 || len % 4)
			break;
		if (type == 6 && len >= 32) {
			__u32 eh[5], cap_len, optpos;
			__u16 opt[2];
			__u32 flags;

			if (fread(eh, 4, 5, f) != 5)
				break;
			cap_len = eh[3];
			optpos = 28 + ((cap_len + 3) & ~3u);
			while (optpos + 4 <= len - 4) {
				if (fseek(f, pos + optpos, SEEK_SET) ||
				    fread(opt, 2, 2, f) != 2 || opt[0] == 0)
					break;
				if (opt[0] == 2 && opt[1] == 4 &&
				    fread(&flags, 4, 1, f) == 1) {
					if ((flags & 3) == 1)
						dir = 1;
					else if ((flags & 3) == 2)
						dir = 0;
				}
				optpos += 4 + ((opt[1] + 3u) & ~3u);
			}
		}
		if (type == 6 || type == 3 || type == 2) {
			if (k == cap) {
				cap = cap ? 2 * cap : 256;
				nv = realloc(v, cap);
				if (!nv)
					break;
				v = nv;
			}
			v[k++] = dir;
		}
		pos += len;
	}
	fclose(f);
	*dirs = v;
	*n = k;
}

/* Destination address for the output line, from the fixed IP offsets. */
static void frame_dst(const struct replay_frame *f, char *buf, size_t len)
{
	const __u8 *ip = f->buf + ETH_HLEN;
	size_t n = f->len - ETH_HLEN;

	buf[0] = 0;
	if (f->proto == ETH_P_IP && n >= 20 && ip[0] >> 4 == 4)
		inet_ntop(AF_INET, ip + 16, buf, len);
	else if (f->proto == ETH_P_IPV6 && n >= 40 && ip[0] >> 4 == 6)
		inet_ntop(AF_INET6, ip + 24, buf, len);
}

/*
 * Destination address (16 bytes, IPv4 mapped), transport protocol and
 * port; the port only of a whole datagram or a first fragment.
 */
static int frame_l4(const struct replay_frame *f, __u8 *addr, int *proto,
		    int *port)
{
	const __u8 *ip = f->buf + ETH_HLEN;
	size_t n = f->len - ETH_HLEN, hl;

	*proto = -1;
	*port = -1;
	memset(addr, 0, 16);
	if (f->proto == ETH_P_IP && n >= 20 && ip[0] >> 4 == 4) {
		addr[10] = addr[11] = 0xff;
		memcpy(addr + 12, ip + 16, 4);
		hl = (ip[0] & 15) * 4;
		*proto = ip[9];
		if (!(be16_at(ip + 6) & 0x1fff) && n >= hl + 4 &&
		    (ip[9] == 6 || ip[9] == 17))
			*port = be16_at(ip + hl + 2);
		return 0;
	}
	if (f->proto == ETH_P_IPV6 && n >= 40 && ip[0] >> 4 == 6) {
		memcpy(addr, ip + 24, 16);
		*proto = ip[6];
		if ((ip[6] == 6 || ip[6] == 17) && n >= 44)
			*port = be16_at(ip + 42);
		return 0;
	}
	return -1;
}

/* Is this packet left out (--direction)? */
static int left_out(const struct p2pg_replay_opts *o,
		    const struct replay_frame *f)
{
	int proto, port, i;
	__u8 a[16];

	if (o->direction == P2PG_DIR_BOTH)
		return 0;
	if (f->inbound == 1)
		return 1;
	if (o->direction == P2PG_DIR_AUTO && !o->n_self)
		return 0;
	if (frame_l4(f, a, &proto, &port))
		return 0;
	for (i = 0; i < o->n_self; i++)
		if (!memcmp(o->self[i], a, 16))
			return 1;
	return 0;
}

static void print_line(FILE *out, int json, unsigned long n,
		       const char *verdict, const char *reason, size_t len,
		       const char *dst, const struct replay_frame *f,
		       unsigned int frags)
{
	int proto, port;
	__u8 a[16];

	if (json) {
		fprintf(out,
			"{\"packet\":%lu,\"verdict\":\"%s\",\"reason\":\"%s\",\"len\":%zu",
			n, verdict, reason, len);
		if (dst[0])
			fprintf(out, ",\"dst\":\"%s\"", dst);
		if (!frame_l4(f, a, &proto, &port)) {
			fprintf(out, ",\"proto\":%d", proto);
			if (port >= 0)
				fprintf(out, ",\"dport\":%d", port);
		}
		if (frags)
			fprintf(out, ",\"fragments\":%u", frags);
		fputs("}\n", out);
	} else {
		fprintf(out, "%lu %s %s%s%s\n", n, verdict, reason,
			dst[0] ? " " : "", dst);
	}
}

/**
 * struct replay_ctx - one replay.
 * @o, @out, @path: as given.
 * @r:     the loaded program.
 * @alone: the frame of a fragment judged alone (its datagram given up).
 * @rc:    1 once a packet could not be judged.
 */
struct replay_ctx {
	const struct p2pg_replay_opts *o;
	FILE *out;
	const char *path;
	struct p2pg_runner r;
	struct replay_frame alone;
	int rc;
};

/* Run @f through the program and print its line. */
static void judge(struct replay_ctx *c, unsigned long n,
		  const struct replay_frame *f, size_t wire, size_t caplen,
		  unsigned int frags)
{
	char dst[INET6_ADDRSTRLEN];
	unsigned int reason = P2PG_R_NOT_IP;
	int v;

	frame_dst(f, dst, sizeof(dst));
	/* What the program would not parse is not run through it. */
	if (f->proto != ETH_P_IP && f->proto != ETH_P_IPV6) {
		print_line(c->out, c->o->json, n, "pass", "not-ip", wire, dst,
			   f, 0);
		return;
	}
	v = p2pg_runner_run(&c->r, f->buf, f->len, &reason);
	if (v < 0) {
		/* The kernel takes at most about a page per run. */
		fprintf(stderr,
			"p2pguardctl: %s: packet %lu (%zu bytes): test run failed: %s%s\n",
			c->path, n, caplen, strerror(-v),
			v == -EINVAL && f->len > 1514 ?
			" (too large for BPF_PROG_TEST_RUN: a TSO/GSO capture?)" :
			"");
		/* No line: verdicts are only "pass" and "drop". */
		c->rc = 1;
		return;
	}
	print_line(c->out, c->o->json, n, v ? "pass" : "drop",
		   p2pg_reason_name(reason), wire, dst, f, frags);
}

/*
 * A fragment of a datagram given up (never completed, overlapping, too
 * many at once): judged alone, as the capture holds it, under its own
 * packet number.
 */
static void judge_alone(void *ctx, unsigned long n, const __u8 *ip,
			size_t len)
{
	struct replay_ctx *c = ctx;

	if (frame_synth(&c->alone, ip[0] >> 4 == 6 ? ETH_P_IPV6 : ETH_P_IP,
			ip, len)) {
		c->rc = 1;
		return;
	}
	judge(c, n, &c->alone, len, len, 0);
}

int p2pg_replay_file(const char *path, const struct p2pg_replay_opts *o,
		     FILE *out)
{
	char errbuf[PCAP_ERRBUF_SIZE] = "";
	struct replay_ctx c = { .o = o, .out = out, .path = path };
	struct replay_frame f = { 0 };
	struct p2pg_reasm ra;
	struct pcap_pkthdr *h;
	struct p2pg_policy p;
	const u_char *d;
	unsigned long n = 0, left = 0;
	int dlt, res;
	signed char *dirs = NULL;
	size_t n_dirs = 0;
	pcap_t *pc;

	pc = pcap_open_offline(path, errbuf);
	if (!pc) {
		/* Some of libpcap's messages name the file already. */
		if (!strncmp(errbuf, path, strlen(path)))
			fprintf(stderr, "p2pguardctl: %s\n", errbuf);
		else
			fprintf(stderr, "p2pguardctl: %s: %s\n", path, errbuf);
		return 1;
	}
	dlt = pcap_datalink(pc);
	if (!dlt_supported(dlt)) {
		const char *name = pcap_datalink_val_to_name(dlt);

		fprintf(stderr,
			"p2pguardctl: %s: unsupported link type %d%s%s%s; replay reads Ethernet, raw IP and Linux cooked (SLL, SLL2) captures\n",
			path, dlt, name ? " (DLT_" : "", name ? name : "",
			name ? ")" : "");
		pcap_close(pc);
		return 1;
	}
	memset(&p, 0, sizeof(p));
	if (!o->policy && p2pg_policy_init_defaults(&p)) {
		fprintf(stderr, "p2pguardctl: out of memory\n");
		pcap_close(pc);
		return 2;
	}
	p.cfg.p2p_enabled = !!o->p2p_on;
	p.cfg.mode = o->audit ? P2PG_MODE_AUDIT : P2PG_MODE_ENFORCE;
	p.cfg.lockdown = !!o->lockdown;
	if (p2pg_runner_open(&c.r, o->policy ? o->policy : &p)) {
		p2pg_policy_free(&p);
		pcap_close(pc);
		return 2;
	}
	/* pcapng's epb_flags: libpcap keeps them to itself. */
	pcapng_directions(path, &dirs, &n_dirs);
	memset(&ra, 0, sizeof(ra));
	ra.alone = judge_alone;
	ra.ctx = &c;
	while ((res = pcap_next_ex(pc, &h, &d)) == 1) {
		unsigned int frags = 0;
		size_t wire = h->len, whole_len;
		__u8 *whole;
		int v = P2PG_REASM_NOT_FRAG;

		n++;
		if (frame_from_capture(&f, dlt, d, h->caplen)) {
			fprintf(stderr, "p2pguardctl: out of memory\n");
			c.rc = 1;
			break;
		}
		if (f.inbound < 0 && n <= n_dirs)
			f.inbound = dirs[n - 1];
		if (left_out(o, &f)) {
			left++;
			continue;
		}
		/* The program sees a local socket's datagram whole. */
		if (!o->no_reassembly &&
		    (f.proto == ETH_P_IP || f.proto == ETH_P_IPV6))
			v = p2pg_reasm_add(&ra, n, f.buf + ETH_HLEN,
					   f.len - ETH_HLEN, &whole,
					   &whole_len, &frags);
		if (v == P2PG_REASM_HELD)
			continue;
		if (v == P2PG_REASM_DONE) {
			v = frame_synth(&f, f.proto, whole, whole_len);
			free(whole);
			wire = whole_len;
		}
		if (v < 0) {
			fprintf(stderr, "p2pguardctl: out of memory\n");
			c.rc = 1;
			break;
		}
		judge(&c, n, &f, wire, h->caplen, frags);
	}
	if (p2pg_reasm_flush(&ra) || ra.dropped)
		fprintf(stderr,
			"p2pguardctl: %s: %lu fragmented datagram(s) not reassembled (fragments missing, overlapping, too large, or too many at once): their fragments judged alone\n",
			path, ra.dropped);
	if (left)
		fprintf(stderr, "p2pguardctl: %s: %lu inbound packet(s) left out (--direction)\n",
			path, left);
	p2pg_reasm_free(&ra);
	free(dirs);
	if (res == PCAP_ERROR) {
		fprintf(stderr, "p2pguardctl: %s: packet %lu: %s\n", path, n + 1,
			pcap_geterr(pc));
		c.rc = 1;
	}
	fflush(out);
	free(f.buf);
	free(c.alone.buf);
	p2pg_runner_close(&c.r);
	p2pg_policy_free(&p);
	pcap_close(pc);
	return c.rc;
}
#endif /* P2PG_NO_PCAP */
