/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * vectors.h - test packets built from the published protocol formats
 * (Documentation/signatures.rst names each one's source), shared by the
 * native unit tests, the BPF_PROG_TEST_RUN tests, the differential test
 * and the fuzzer seeds.
 */
#ifndef P2PGUARD_TEST_VECTORS_H
#define P2PGUARD_TEST_VECTORS_H

#include <stddef.h>
#include "p2pguard_abi.h"

#define VEC_PAYLOAD_MAX	1400
#define VEC_FRAME_MAX	1600

/* vec_spec.flags */
#define VEC_FRAGMENT	0x01	/* non-first fragment (IPv4 offset / IPv6 frag hdr) */
#define VEC_IPV6_EXT	0x02	/* IPv6: hop-by-hop + destination options before L4 */
#define VEC_FIRST_FRAG	0x04	/* first fragment (MF, offset 0) holding frag_keep
				 * payload bytes of the datagram */
#define VEC_IPV6_EXT_MANY 0x08	/* IPv6: 7 destination options headers */

/**
 * struct vec_spec - one packet, described; vec_frame() builds its bytes.
 * @name:    what it is ("pppp-plain-hello", "rtsp-to-lan", ...).
 * @family:  4 or 6.
 * @l4proto: 17 UDP, 136 UDP-Lite (coverage 0: all), 6 TCP, or another
 *           protocol number (no L4 header built).
 * @daddr:   destination address (IPv4 in the first 4 bytes).
 * @sport, @dport: ports, host order.
 * @flags:   VEC_*.
 * @payload, @payload_len: L4 payload.
 * @gso:     UDP GSO segment size (UDP_SEGMENT), 0 for none: the frame is
 *           the whole send, its segments are the datagrams.
 * @frag_keep: VEC_FIRST_FRAG: payload bytes the fragment holds.
 * @expect:  enum p2pg_reason under the default policy (P2P off, enforce,
 *           no lockdown, no agents).
 * @tcp_seq: TCP: the sequence number; 0 for the default, VEC_ISN.
 */
struct vec_spec {
	const char *name;
	int family;
	__u8 l4proto;
	__u8 daddr[16];
	__u16 sport, dport;
	__u32 flags;
	__u8 payload[VEC_PAYLOAD_MAX];
	size_t payload_len;
	__u32 gso;
	size_t frag_keep;
	unsigned int expect;
	__u32 tcp_seq;
};

/* The sequence number of a TCP vector's first payload byte. */
#define VEC_ISN		0x10000000U

#define VEC_STREAM_SEGS	32

/* vec_seg.flags */
#define VSEG_SWITCH	0x01	/* P2P goes off (a new configuration) first */

/**
 * struct vec_seg - one segment of a TCP stream vector.
 * @off:    stream offset of its first byte (its sequence number less
 *          VEC_ISN).
 * @len:    its bytes.
 * @flags:  VSEG_*.
 * @expect: its enum p2pg_reason, the connection's earlier segments sent
 *          as listed before it.
 */
struct vec_seg {
	__u16 off;
	__u16 len;
	__u8 flags;
	__u8 expect;
};

/**
 * struct vec_stream - a TCP connection's segments, in the order they are
 * sent: the stream shapes of the TCP bypasses and of ordinary traffic.
 * @name:   what it is.
 * @conn:   destination, ports; @conn.payload is the whole stream.
 * @p2p_on: P2P is on when the connection starts (VSEG_SWITCH turns it
 *          off).
 * @n_seg:  segments.
 * @seg:    the segments.
 */
struct vec_stream {
	const char *name;
	struct vec_spec conn;
	int p2p_on;
	size_t n_seg;
	struct vec_seg seg[VEC_STREAM_SEGS];
};

/**
 * vec_streams() - every TCP stream vector.
 * @n: set to the count.
 *
 * Return: a static array (built on first call).
 */
const struct vec_stream *vec_streams(size_t *n);

/**
 * vec_stream_seg() - segment @i of @s as a packet (sequence number set).
 * @s:   the stream.
 * @i:   the segment.
 * @out: the packet; vec_frame() builds its frame.
 */
void vec_stream_seg(const struct vec_stream *s, size_t i,
		    struct vec_spec *out);

/**
 * vec_all() - every positive and negative vector.
 * @n: set to the count.
 *
 * Return: a static array (built on first call).
 */
const struct vec_spec *vec_all(size_t *n);

/**
 * vec_find() - the vector of this name.
 * @name: vec_spec.name.
 *
 * Return: the vector; an unknown name is a bug in the caller: it is said
 * on stderr and the program exits with status 2.
 */
const struct vec_spec *vec_find(const char *name);

/**
 * vec_frame() - Ethernet + IPv4/IPv6 (+ extension headers) + UDP/TCP +
 * payload, with correct lengths, for BPF_PROG_TEST_RUN.
 * @v:   packet.
 * @buf: VEC_FRAME_MAX bytes.
 *
 * Return: frame length.
 */
size_t vec_frame(const struct vec_spec *v, __u8 *buf);

/**
 * vec_set_addr() - parse "192.0.2.1" or "2001:db8::1" into @v.
 * @v:    packet (family set from the text).
 * @text: address.
 */
void vec_set_addr(struct vec_spec *v, const char *text);

/**
 * vec_dns_query() - append a DNS query for @name (type A, class IN, no
 * EDNS) to @v's payload, with the 2-byte length first over TCP: the
 * vectors' own encoder, for tests that make names at run time.
 * @v:    the vector, its l4proto set.
 * @id:   the query's ID.
 * @name: a dotted name.
 */
void vec_dns_query(struct vec_spec *v, __u16 id, const char *name);

/**
 * vec_hash() - FNV-1a of @n bytes: how the live tests name a payload that
 * was sent or arrived.
 * @p: bytes.
 * @n: count.
 *
 * Return: the hash.
 */
__u32 vec_hash(const void *p, size_t n);

/**
 * vec_l4_csum() - UDP/TCP checksum over the pseudo-header (RFC 768,
 * RFC 8200 section 8.1), for packets a test builds whole.
 * @family: 4 or 6.
 * @saddr, @daddr: addresses, 4 or 16 bytes.
 * @proto: transport protocol number.
 * @l4: transport header (its checksum field zero) and payload.
 * @len: their length: the UDP datagram's, whole, when it is fragmented.
 *
 * Return: the checksum in host order; UDP's 0 is sent as 0xffff.
 */
__u16 vec_l4_csum(int family, const __u8 *saddr, const __u8 *daddr,
		  __u8 proto, const __u8 *l4, size_t len);

/* Scramblers, implemented in the tests from the published algorithms. */
void vec_pppp_scramble(const char *psk, const __u8 *in, __u8 *out, size_t n);
void vec_tutk_scramble(const __u8 *in, __u8 *out, size_t n);

#endif /* P2PGUARD_TEST_VECTORS_H */
