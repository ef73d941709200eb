/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * p2pguard_parse.h - finding the bytes of an outgoing IP packet, in pure C,
 * once for the BPF program, the kernel module and the native tests.
 *
 * Included by: bpf/p2pguard.bpf.c, common/p2pguard_path.h (the module and
 * tests/unit/test_kmod_path.c), tests/lib/native_env.c.
 * The includer supplies, as for every shared header that needs a host
 * (p2pguard_classify.h says how): P2PG_ENV, defined before the #include,
 * and after it
 *
 *   static __always_inline const void *
 *   p2pg_env_load(P2PG_ENV *env, __u32 off, __u32 len, void *buf);
 *
 * which returns @len bytes at @off from the network header on (in @buf or
 * wherever they already are, as skb_header_pointer() does), or NULL when
 * the packet is shorter: direct packet access or bpf_skb_load_bytes() in
 * bpf/p2pguard.bpf.c, skb_header_pointer() in kmod/, a byte array in the
 * tests.  Every @len asked for is a multiple of 4 (the BPF side's direct
 * loads are 32-bit).  p2pg_parse_quick(), p2pg_gso_seg() and
 * p2pg_gso_more() read no packet: they need no environment.  No libc, no
 * kernel API and no BPF helper in here.
 *
 * IPv4 (non-first fragments flagged), IPv6 with its extension headers
 * walked within P2PG_IPV6_EXT_MAX, UDP, UDP-Lite and TCP ports, and the
 * payload's offset and length, clamped to the bytes the packet really has
 * (GSO super-packets).  What it cannot follow to the end (too many
 * extension headers, a header cut short, a first fragment too short to
 * judge) it flags as unjudged: the classifier fails closed on those.
 */
#ifndef P2PGUARD_PARSE_H
#define P2PGUARD_PARSE_H

#include "p2pguard_rules.h"

#ifndef P2PG_ENV
#error "p2pguard_parse.h: define P2PG_ENV (the host's environment) first"
#endif

static __always_inline const void *
p2pg_env_load(P2PG_ENV *env, __u32 off, __u32 len, void *buf);

/*
 * A non-first fragment that starts this early would overwrite the
 * transport header or the head of the first one: no fragmenter makes one
 * (the IPv4 minimum MTU, 68, leaves a first fragment 48 bytes).
 */
#define P2PG_PARSE_FRAG_OFF_MIN	48

/* TCP flag bits (byte 13 of the header). */
#define P2PG_TCP_SYN		0x02
#define P2PG_TCP_RST		0x04
#define P2PG_TCP_ACK		0x10

/**
 * struct p2pg_pkt - what parsing found.
 * @l4off:       offset of the transport header.
 * @poff:        offset of the payload; 0 when there is none to read
 *               (fragment, other protocol, header beyond the packet).
 * @payload_len: L4 payload bytes, at most what the packet holds.
 * @sport:       source port, host order (0 when not UDP/TCP).
 * @dport:       destination port, host order.
 * @family:      4 or 6.
 * @l4proto:     transport protocol (after IPv6 extension headers).
 * @fragment:    1 for a non-first fragment: no transport header.
 * @tcp_flags:   TCP flags byte, 0 for other protocols.
 * @unjudged:    1 when the packet cannot be judged whole: more IPv6
 *               extension headers than walked, a header cut short or
 *               malformed, a first fragment without its transport header
 *               and the window (min(payload, P2PG_WIN_SIZE) bytes), a
 *               non-first fragment before P2PG_PARSE_FRAG_OFF_MIN.
 * @saddr:       source address, IPv4 in the first 4 bytes.
 * @daddr:       destination address, IPv4 in the first 4 bytes.
 */
struct p2pg_pkt {
	__u32 l4off;
	__u32 poff;
	__u32 payload_len;
	__u16 sport;
	__u16 dport;
	__u8 family;
	__u8 l4proto;
	__u8 fragment:1;
	__u8 unjudged:1;
	__u8 tcp_flags;
	__u8 saddr[16];
	__u8 daddr[16];
};

static inline void p2pg_parse_copy(__u8 *to, const __u8 *from, __u32 n)
{
	__u32 i;

	for (i = 0; i < n; i++)
		to[i] = from[i];
}

/*
 * Fragments.  Local sockets are seen before fragmentation, so these come
 * only from raw senders.  Non-first ones carry no L4 header; a first one
 * (more fragments follow, offset 0) is judged only if it holds enough
 * (p2pg_parse_l4()).  Return: 1 for a first fragment, else 0.
 */
static inline int p2pg_parse_frag(struct p2pg_pkt *p, __u32 off8, int more)
{
	if (off8) {
		p->fragment = 1;
		if (off8 * 8 < P2PG_PARSE_FRAG_OFF_MIN)
			p->unjudged = 1;
		return 0;
	}
	return more;
}

static inline int p2pg_parse_ipv4(P2PG_ENV *env, struct p2pg_pkt *p)
{
	__u8 buf[20];
	const __u8 *h = p2pg_env_load(env, 0, sizeof(buf), buf);
	__u32 frag;

	if (!h || h[0] >> 4 != 4)
		return -1;
	p->family = 4;
	p->l4off = (h[0] & 0x0f) * 4;
	p->l4proto = h[9];
	if (p->l4off < 20)
		p->unjudged = 1;
	p2pg_parse_copy(p->saddr, h + 12, 4);
	p2pg_parse_copy(p->daddr, h + 16, 4);
	frag = (h[6] << 8) | h[7];
	return p2pg_parse_frag(p, frag & 0x1fff, !!(frag & 0x2000));
}

/* Is @nh an IPv6 extension header the walk follows? */
static inline int p2pg_parse_is_ext(__u32 nh)
{
	return nh == P2PG_IPPROTO_HOPOPTS || nh == P2PG_IPPROTO_ROUTING ||
	       nh == P2PG_IPPROTO_DSTOPTS || nh == P2PG_IPPROTO_FRAGMENT ||
	       nh == P2PG_IPPROTO_AH;
}

static inline int p2pg_parse_ipv6(P2PG_ENV *env, struct p2pg_pkt *p)
{
	__u8 buf[8], eb[8];
	const __u8 *h = p2pg_env_load(env, 0, sizeof(buf), buf);
	const __u8 *a;
	__u32 off = 40, i;
	int first = 0;
	__u8 nh;

	if (!h || h[0] >> 4 != 6)
		return -1;
	nh = h[6];
	/*
	 * The addresses straight into @p: 32 bytes less of the BPF stack.
	 * saddr and daddr are one run of 32 bytes (tests/lib/native_env.c
	 * asserts it; checkpatch refuses _Static_assert here).
	 */
	a = p2pg_env_load(env, 8, 32, p->saddr);
	if (!a)
		return -1;
	if (a != p->saddr)
		p2pg_parse_copy(p->saddr, a, 32);
	p->family = 6;
	/* Walk extension headers, within a bound, to the transport header. */
	for (i = 0; i < P2PG_IPV6_EXT_MAX; i++) {
		const __u8 *e;

		if (!p2pg_parse_is_ext(nh))
			break;
		e = p2pg_env_load(env, off, sizeof(eb), eb);
		if (!e)
			break;	/* cut short inside the chain: see below */
		if (nh == P2PG_IPPROTO_FRAGMENT) {
			off += 8;
			first = p2pg_parse_frag(p, ((e[2] << 8) | e[3]) >> 3,
						e[3] & 1);
			if (p->fragment) {
				/* What follows is payload, not headers. */
				nh = e[0];
				break;
			}
		} else if (nh == P2PG_IPPROTO_AH) {
			off += (e[1] + 2) * 4;
		} else {
			off += (e[1] + 1) * 8;
		}
		nh = e[0];
	}
	/*
	 * Still an extension header: more than the walk allows, or a chain
	 * cut short.  The transport is not found.  (A check after the loop,
	 * not in it: 5.10's verifier refused the shape clang made of that.)
	 */
	if (!p->fragment && p2pg_parse_is_ext(nh))
		p->unjudged = 1;
	p->l4off = off;
	p->l4proto = nh;
	return first;
}

/* UDP's length field, less its own 8-byte header (0 if it lies). */
static inline __u32 p2pg_parse_udp_len(__u32 field)
{
	return field >= 8 ? field - 8 : 0;
}

/*
 * @plen, at most the bytes from @off (<= @len) to the packet's end: GSO
 * super-packets, and length fields beyond the packet.
 */
static inline __u32 p2pg_parse_clamp(__u32 plen, __u32 len, __u32 off)
{
	return plen > len - off ? len - off : plen;
}

/**
 * p2pg_parse_is_udp() - is @proto judged as UDP?
 * @proto: IP protocol number.
 *
 * UDP-Lite (RFC 3828) has UDP's header; its length field is the checksum
 * coverage, so its payload runs to the end of the packet.
 */
static inline int p2pg_parse_is_udp(__u32 proto)
{
	return proto == P2PG_IPPROTO_UDP || proto == P2PG_IPPROTO_UDPLITE;
}

/*
 * Ports and payload bounds: p->poff stays 0 when there is no payload.
 * @first: this is a first fragment (more follow); its UDP payload length
 * is the datagram's, and it must hold min(that, the window) bytes.
 */
static inline void p2pg_parse_l4(P2PG_ENV *env, __u32 len,
				 struct p2pg_pkt *p, int first)
{
	__u32 off = p->l4off, plen, need;
	__u8 buf[20];
	const __u8 *h;

	if (p->fragment || p->unjudged)
		return;
	if (p2pg_parse_is_udp(p->l4proto)) {
		h = p2pg_env_load(env, off, 8, buf);
		if (!h) {
			p->unjudged = 1;
			return;
		}
		p->sport = (h[0] << 8) | h[1];
		p->dport = (h[2] << 8) | h[3];
		off += 8;
		if (p->l4proto == P2PG_IPPROTO_UDP)
			plen = p2pg_parse_udp_len((h[4] << 8) | h[5]);
		else
			plen = 0xffffffff;
	} else if (p->l4proto == P2PG_IPPROTO_TCP) {
		h = p2pg_env_load(env, off, 20, buf);
		if (!h || h[12] >> 4 < 5) {
			p->unjudged = 1;
			return;
		}
		p->sport = (h[0] << 8) | h[1];
		p->dport = (h[2] << 8) | h[3];
		p->tcp_flags = h[13];
		off += (h[12] >> 4) * 4;
		plen = 0xffffffff;
	} else {
		return;
	}
	if (off > len) {
		p->unjudged = 1;
		return;
	}
	p->payload_len = p2pg_parse_clamp(plen, len, off);
	p->poff = off;
	if (first) {
		need = plen < P2PG_WIN_SIZE ? plen : P2PG_WIN_SIZE;
		if (len - off < need)
			p->unjudged = 1;
		else if (p->l4proto == P2PG_IPPROTO_UDP)
			p->payload_len = plen;	/* the datagram's */
	}
}

/**
 * p2pg_gso_seg() - one datagram of a UDP GSO send.
 * @total: payload bytes of the send (struct p2pg_pkt.payload_len).
 * @gso:   segment size (skb_shinfo(skb)->gso_size), 0 when not GSO.
 * @k:     which segment, from 0.
 * @at:    set to its offset from the first payload byte.
 *
 * The kernel cuts a UDP GSO send into datagrams of @gso payload bytes
 * each, the last one shorter, each with its own UDP header: the peer
 * receives those, so each is judged as a datagram of its own.  Not GSO,
 * the one datagram is the whole payload.
 *
 * Return: the segment's payload length; 0 when there is no segment @k.
 */
static inline __u32 p2pg_gso_seg(__u32 total, __u32 gso, __u32 k, __u32 *at)
{
	*at = k * gso;
	if (!gso)
		return k ? 0 : total;
	if (*at >= total)
		return 0;
	return total - *at < gso ? total - *at : gso;
}

/**
 * p2pg_gso_more() - judge the next segment of a UDP GSO send?
 * @reason: the send's reason so far (enum p2pg_reason).
 *
 * The send takes the first reason a segment has; agent and lockdown,
 * which every segment to the same destination has, only when no later
 * segment has a reason of its own, which says more in the event.
 *
 * Return: 1 while the send's reason can still change.
 */
static inline int p2pg_gso_more(__u32 reason)
{
	return reason == P2PG_R_NONE || reason == P2PG_R_AGENT ||
	       reason == P2PG_R_LOCKDOWN;
}

/**
 * p2pg_parse() - parse an outgoing IP packet.
 * @env:    the host, for p2pg_env_load().
 * @len:    bytes in the packet from the network header on (skb->len).
 * @family: 4 or 6: which hook saw it (the version nibble must agree).
 * @p:      filled; zeroed first.
 *
 * Return: 0, or -1 when this is not an IP packet of @family (counted as
 * not-ip and passed, as the BPF program does).  Always inline: left to
 * itself, clang makes a function of it, which the BPF program must not
 * call (internals.rst).
 */
static __always_inline int p2pg_parse(P2PG_ENV *env, __u32 len, int family,
				      struct p2pg_pkt *p)
{
	__u8 *z = (__u8 *)p;
	__u32 i;
	int first;

	for (i = 0; i < sizeof(*p); i++)
		z[i] = 0;
	if (family == 4)
		first = p2pg_parse_ipv4(env, p);
	else if (family == 6)
		first = p2pg_parse_ipv6(env, p);
	else
		first = -1;
	if (first < 0)
		return first;
	p2pg_parse_l4(env, len, p, first);
	return 0;
}

/* Bytes p2pg_parse_quick() reads: an IPv6 header and a UDP header. */
#define P2PG_QUICK_BYTES	48

/* Byte @k (0 first in memory) of a 32-bit word loaded from the packet. */
static inline __u32 p2pg_wb(__u32 w, __u32 k)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	return (w >> (24 - 8 * k)) & 0xff;
#else
	return (w >> (8 * k)) & 0xff;
#endif
}

/* The big-endian 16-bit field in bytes @k and @k + 1 of word @w. */
static inline __u32 p2pg_w16(__u32 w, __u32 k)
{
	return p2pg_wb(w, k) << 8 | p2pg_wb(w, k + 1);
}

/**
 * p2pg_parse_quick() - p2pg_parse() for the common packet, from words in place.
 * @h:      the packet from the network header on, 4-byte aligned, with
 *          P2PG_QUICK_BYTES of it readable (the BPF program's linear data,
 *          bounds checked by the caller).
 * @len:    bytes in the packet from the network header on (skb->len).
 * @family: 4 or 6, as for p2pg_parse().
 * @p:      filled when the return is 0.
 *
 * The common packet is UDP behind an IPv4 header without options or an
 * IPv6 header without extension headers, not a fragment.  For
 * it, this fills @p exactly as p2pg_parse() would (the tests check every
 * vector and mutated packet), with whole-word loads at fixed offsets and
 * no load callback: straight-line code, which keeps the BPF program's
 * common run short and small.
 *
 * Return: 0, or -1 for any other packet (ask p2pg_parse()).
 */
static inline int p2pg_parse_quick(const __u32 *h, __u32 len, int family,
				   struct p2pg_pkt *p)
{
	__u32 w0 = h[0], l4off, plen, i;
	__u8 *z = (__u8 *)p;

	if (family == 4) {
		/* Version 4 and 5 words of header: no options; no fragment. */
		if (p2pg_wb(w0, 0) != 0x45 ||
		    p2pg_wb(h[2], 1) != P2PG_IPPROTO_UDP ||
		    (p2pg_w16(h[1], 2) & 0x3fff))
			return -1;
		l4off = 20;
	} else if (family == 6) {
		if (p2pg_wb(w0, 0) >> 4 != 6 ||
		    p2pg_wb(h[1], 2) != P2PG_IPPROTO_UDP)
			return -1;
		l4off = 40;
	} else {
		return -1;
	}
	/* Shorter than the headers: p2pg_parse() handles it. */
	if (len < l4off + 8)
		return -1;
	for (i = 0; i < sizeof(*p); i++)
		z[i] = 0;
	p->family = family;
	p->l4off = l4off;
	p->l4proto = P2PG_IPPROTO_UDP;
	if (family == 4) {
		__builtin_memcpy(p->saddr, &h[3], 4);
		__builtin_memcpy(p->daddr, &h[4], 4);
	} else {
		__builtin_memcpy(p->saddr, &h[2], 16);
		__builtin_memcpy(p->daddr, &h[6], 16);
	}
	h += l4off / 4;
	p->sport = p2pg_w16(h[0], 0);
	p->dport = p2pg_w16(h[0], 2);
	plen = p2pg_parse_udp_len(p2pg_w16(h[1], 0));
	p->payload_len = p2pg_parse_clamp(plen, len, l4off + 8);
	p->poff = l4off + 8;
	return 0;
}

#endif /* P2PGUARD_PARSE_H */
