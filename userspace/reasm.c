// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * reasm.c - IPv4 and IPv6 fragments back into datagrams (reasm.h).
 * Bounded in every way: slots, fragments per datagram, bytes.
 * Overlapping fragments give the datagram up (RFC 5722 for IPv6; for
 * IPv4 an overlap in a capture of local sends means a broken capture).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "reasm.h"

static __u16 be16(const __u8 *p)
{
	return (__u16)(p[0] << 8 | p[1]);
}

static void put16(__u8 *p, __u16 v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static void slot_free(struct p2pg_reasm_slot *s)
{
	unsigned int i;

	for (i = 0; i < s->n; i++)
		free(s->raw[i]);
	free(s->data);
	memset(s, 0, sizeof(*s));
}

/* Given up: each fragment judged alone, in the order they came. */
static void slot_give_up(struct p2pg_reasm *r, struct p2pg_reasm_slot *s)
{
	unsigned int i;

	r->dropped++;
	for (i = 0; r->alone && i < s->n; i++)
		r->alone(r->ctx, s->pkt[i], s->raw[i], s->raw_len[i]);
	slot_free(s);
}

/* The slot for @key, a free one, or the oldest one given up. */
static struct p2pg_reasm_slot *slot_get(struct p2pg_reasm *r, int v6,
					const __u8 *key)
{
	struct p2pg_reasm_slot *s, *free_s = NULL, *old = NULL;
	int i;

	for (i = 0; i < P2PG_REASM_SLOTS; i++) {
		s = &r->slot[i];
		if (s->used && s->v6 == v6 && !memcmp(s->key, key, 40))
			return s;
		if (!s->used && !free_s)
			free_s = s;
		if (s->used && (!old || s->seq < old->seq))
			old = s;
	}
	if (!free_s) {
		slot_give_up(r, old);
		free_s = old;
	}
	s = free_s;
	s->data = malloc(P2PG_REASM_MAX);
	if (!s->data)
		return NULL;
	s->used = 1;
	s->v6 = v6;
	memcpy(s->key, key, 40);
	s->seq = ++r->seq;
	return s;
}

/*
 * Add [off, off + n) of payload, and the fragment as captured; 0, -1
 * when the datagram is given up (this fragment is then judged alone by
 * the caller), or -ENOMEM.
 */
static int slot_put(struct p2pg_reasm *r, struct p2pg_reasm_slot *s,
		    __u32 off, const __u8 *p, __u32 n, int last,
		    unsigned long pkt, const __u8 *ip, size_t ip_len)
{
	unsigned int i;

	if (off + n > P2PG_REASM_MAX || s->n == P2PG_REASM_FRAGS ||
	    (s->total && off + n > s->total))
		goto give_up;
	for (i = 0; i < s->n; i++)
		if (off < s->off[i] + s->len[i] && s->off[i] < off + n)
			goto give_up;
	if (last) {
		if (s->total)
			goto give_up;	/* two last fragments */
		s->total = off + n;
		for (i = 0; i < s->n; i++)
			if (s->off[i] + s->len[i] > s->total)
				goto give_up;
	}
	s->raw[s->n] = malloc(ip_len);
	if (!s->raw[s->n])
		return -ENOMEM;
	memcpy(s->raw[s->n], ip, ip_len);
	s->raw_len[s->n] = ip_len;
	s->pkt[s->n] = pkt;
	memcpy(s->data + off, p, n);
	s->off[s->n] = off;
	s->len[s->n++] = n;
	s->have += n;
	return 0;
give_up:
	slot_give_up(r, s);
	return -1;
}

/* The whole datagram: @s's headers, then its payload; the slot freed. */
static int slot_done(struct p2pg_reasm_slot *s, __u8 **out, size_t *out_len,
		     unsigned int *frags)
{
	size_t len = s->hdr_len + s->total;
	__u8 *o = malloc(len);

	if (!o)
		return -ENOMEM;
	memcpy(o, s->hdr, s->hdr_len);
	memcpy(o + s->hdr_len, s->data, s->total);
	if (!s->v6) {
		unsigned int sum = 0, i;

		put16(o + 2, len);
		put16(o + 6, 0);	/* no MF, offset 0 */
		put16(o + 10, 0);
		for (i = 0; i < s->hdr_len; i += 2)
			sum += be16(o + i);
		while (sum >> 16)
			sum = (sum & 0xffff) + (sum >> 16);
		put16(o + 10, ~sum & 0xffff);
	} else {
		put16(o + 4, len - 40);
		o[s->nh_off] = s->nh;
	}
	*out = o;
	*out_len = len;
	*frags = s->n;
	slot_free(s);
	return P2PG_REASM_DONE;
}

static int add4(struct p2pg_reasm *r, unsigned long pkt, const __u8 *ip,
		size_t len,
		__u8 **out, size_t *out_len, unsigned int *frags)
{
	size_t hl = (ip[0] & 15) * 4, tot = be16(ip + 2);
	__u16 fo = be16(ip + 6);
	__u32 off = (fo & 0x1fff) * 8;
	int mf = !!(fo & 0x2000);
	struct p2pg_reasm_slot *s;
	__u8 key[40] = { 0 };
	int v;

	if (!mf && !off)
		return P2PG_REASM_NOT_FRAG;
	if (hl < 20 || tot < hl || tot > len)
		return P2PG_REASM_NOT_FRAG;	/* judged as it is */
	memcpy(key, ip + 12, 8);	/* source, destination */
	memcpy(key + 8, ip + 4, 2);	/* identification */
	key[10] = ip[9];		/* protocol */
	s = slot_get(r, 0, key);
	if (!s)
		return -ENOMEM;
	v = slot_put(r, s, off, ip + hl, tot - hl, !mf, pkt, ip, len);
	if (v)
		return v < -1 ? v : P2PG_REASM_NOT_FRAG;
	if (!off) {
		memcpy(s->hdr, ip, hl);
		s->hdr_len = hl;
		s->first_seen = 1;
	}
	if (s->first_seen && s->total && s->have == s->total)
		return slot_done(s, out, out_len, frags);
	return P2PG_REASM_HELD;
}

static int add6(struct p2pg_reasm *r, unsigned long pkt, const __u8 *ip,
		size_t len,
		__u8 **out, size_t *out_len, unsigned int *frags)
{
	size_t end = 40 + be16(ip + 4), pos = 40, nh_off = 6;
	__u8 nh = ip[6], key[40];
	struct p2pg_reasm_slot *s;
	__u16 fo;
	__u32 off;
	int mf, v;

	if (end > len)
		return P2PG_REASM_NOT_FRAG;
	/* Hop-by-hop, routing, destination options: before the fragment. */
	while (nh == 0 || nh == 43 || nh == 60) {
		if (pos + 8 > end)
			return P2PG_REASM_NOT_FRAG;
		nh_off = pos;
		nh = ip[pos];
		pos += (ip[pos + 1] + 1) * 8;
	}
	if (nh != 44 || pos + 8 > end || pos > sizeof(s->hdr))
		return P2PG_REASM_NOT_FRAG;
	fo = be16(ip + pos + 2);
	off = fo & 0xfff8;
	mf = fo & 1;
	if (!off && !mf)
		return P2PG_REASM_NOT_FRAG;	/* an atomic fragment */
	memcpy(key, ip + 8, 32);
	memcpy(key + 32, ip + pos + 4, 4);
	memset(key + 36, 0, 4);
	s = slot_get(r, 1, key);
	if (!s)
		return -ENOMEM;
	v = slot_put(r, s, off, ip + pos + 8, end - pos - 8, !mf, pkt, ip,
		     len);
	if (v)
		return v < -1 ? v : P2PG_REASM_NOT_FRAG;
	if (!off) {
		memcpy(s->hdr, ip, pos);
		s->hdr_len = pos;
		s->nh_off = nh_off;
		s->nh = ip[pos];
		s->first_seen = 1;
	}
	if (s->first_seen && s->total && s->have == s->total)
		return slot_done(s, out, out_len, frags);
	return P2PG_REASM_HELD;
}

int p2pg_reasm_add(struct p2pg_reasm *r, unsigned long pkt, const __u8 *ip,
		   size_t len, __u8 **out, size_t *out_len,
		   unsigned int *frags)
{
	if (len >= 20 && ip[0] >> 4 == 4)
		return add4(r, pkt, ip, len, out, out_len, frags);
	if (len >= 40 && ip[0] >> 4 == 6)
		return add6(r, pkt, ip, len, out, out_len, frags);
	return P2PG_REASM_NOT_FRAG;
}

unsigned int p2pg_reasm_flush(struct p2pg_reasm *r)
{
	unsigned int n = 0;
	int i, oldest;

	for (;;) {
		oldest = -1;
		for (i = 0; i < P2PG_REASM_SLOTS; i++)
			if (r->slot[i].used && (oldest < 0 ||
			    r->slot[i].seq < r->slot[oldest].seq))
				oldest = i;
		if (oldest < 0)
			return n;
		slot_give_up(r, &r->slot[oldest]);
		n++;
	}
}

void p2pg_reasm_free(struct p2pg_reasm *r)
{
	int i;

	for (i = 0; i < P2PG_REASM_SLOTS; i++)
		slot_free(&r->slot[i]);
}
