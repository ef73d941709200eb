/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * reasm.h - a small, bounded IPv4 and IPv6 fragment reassembler for
 * `p2pguardctl replay`: a local socket's datagram reaches the egress
 * program whole (the kernel fragments after it), so a capture's
 * fragments are put back together before they are judged.
 */
#ifndef P2PGUARD_REASM_H
#define P2PGUARD_REASM_H

#include <stddef.h>
#include <linux/types.h>

#define P2PG_REASM_SLOTS	8	/* datagrams in progress at once */
#define P2PG_REASM_FRAGS	48	/* fragments of one datagram */
#define P2PG_REASM_MAX		65535	/* bytes of one datagram's payload */

/**
 * struct p2pg_reasm_slot - one datagram in progress.
 * @used:     in use.
 * @v6:       IPv6.
 * @key:      source, destination, identification, protocol.
 * @hdr:      the headers before the fragmented part (IPv4: the first
 *            fragment's; IPv6: the unfragmentable part), @hdr_len bytes.
 * @nh_off:   IPv6: offset in @hdr of the next-header byte to rewrite.
 * @nh:       IPv6: the fragment header's next header.
 * @data:     payload, P2PG_REASM_MAX bytes.
 * @off, @len: each fragment's place in @data, @n of them.
 * @total:    payload length, once the last fragment was seen; else 0.
 * @have:     payload bytes seen.
 * @seq:      age, for eviction.
 * @first_seen: the fragment at offset 0 is in.
 * @pkt, @raw, @raw_len: each fragment as captured, and its number, for
 *            judging it alone when the datagram is given up.
 */
struct p2pg_reasm_slot {
	int used, v6;
	__u8 key[40];
	__u8 hdr[256];
	size_t hdr_len, nh_off;
	__u8 nh;
	__u8 *data;
	__u32 off[P2PG_REASM_FRAGS], len[P2PG_REASM_FRAGS];
	unsigned int n;
	__u32 total, have;
	unsigned long seq;
	int first_seen;
	unsigned long pkt[P2PG_REASM_FRAGS];
	__u8 *raw[P2PG_REASM_FRAGS];
	size_t raw_len[P2PG_REASM_FRAGS];
};

/**
 * typedef p2pg_reasm_alone_fn - a fragment whose datagram was given up,
 * to be judged alone, as captured.
 * @ctx: p2pg_reasm.ctx.
 * @pkt: its packet number.
 * @ip:  the fragment from its IP header on.
 * @len: its length.
 */
typedef void (*p2pg_reasm_alone_fn)(void *ctx, unsigned long pkt,
				    const __u8 *ip, size_t len);

/**
 * struct p2pg_reasm - the reassembler.
 * @slot:     datagrams in progress.
 * @seq:      counter for @slot[].seq.
 * @dropped:  datagrams given up (evicted, overlapping, too large, or
 *            incomplete at p2pg_reasm_flush()).
 * @alone:    called for each fragment of a datagram given up, in the
 *            order they came (may be NULL).
 * @ctx:      for @alone.
 */
struct p2pg_reasm {
	struct p2pg_reasm_slot slot[P2PG_REASM_SLOTS];
	unsigned long seq;
	unsigned long dropped;
	p2pg_reasm_alone_fn alone;
	void *ctx;
};

/* p2pg_reasm_add() results. */
#define P2PG_REASM_NOT_FRAG	0	/* judge it alone, as it is */
#define P2PG_REASM_HELD		1	/* a fragment, kept until the rest */
#define P2PG_REASM_DONE		2	/* the datagram is whole: in @out */

/**
 * p2pg_reasm_add() - one IP packet.
 * @r:     reassembler (zeroed, then @alone and @ctx set).
 * @pkt:   its packet number.
 * @ip:    the packet from its IP header on.
 * @len:   its length.
 * @out:   on P2PG_REASM_DONE, the whole datagram (malloc'ed, the caller
 *         frees it).
 * @out_len: its length.
 * @frags: on P2PG_REASM_DONE, how many fragments it was made of.
 *
 * A datagram whose fragments overlap, or that would exceed 65535 bytes
 * or P2PG_REASM_FRAGS fragments, is given up and counted in
 * @r->dropped, as is the oldest one when more than P2PG_REASM_SLOTS are
 * in progress: its fragments go to @r->alone, and this one is
 * P2PG_REASM_NOT_FRAG.
 *
 * Return: P2PG_REASM_NOT_FRAG, P2PG_REASM_HELD, P2PG_REASM_DONE, or a
 * negative errno (-ENOMEM).
 */
int p2pg_reasm_add(struct p2pg_reasm *r, unsigned long pkt, const __u8 *ip,
		   size_t len, __u8 **out, size_t *out_len,
		   unsigned int *frags);

/**
 * p2pg_reasm_flush() - give up every datagram still incomplete (the end
 * of the capture): their fragments go to @r->alone, oldest first.
 * @r: reassembler.
 *
 * Return: how many datagrams were given up.
 */
unsigned int p2pg_reasm_flush(struct p2pg_reasm *r);

/**
 * p2pg_reasm_free() - release what is held.
 * @r: reassembler.
 */
void p2pg_reasm_free(struct p2pg_reasm *r);

#endif /* P2PGUARD_REASM_H */
