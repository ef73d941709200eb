/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * p2pguard_blob.h - checking a policy blob and answering the classifier's
 * look-ups from it, in pure C.
 *
 * Included by: kmod/p2pguard_kmod.h (the module checks every blob
 * p2pguardd writes), common/p2pguard_path.h, userspace/policy.c (which
 * builds blobs, p2pg_policy_to_blob()), tests/unit/test_blob.c,
 * tests/fuzz/fuzz_blob.c and tests/live/fakedev.c, which run the very
 * same text on blobs that userspace built or that they mangled.
 * The includer supplies: nothing.  No libc and no kernel API in here: the
 * layout is in p2pguard_abi.h.
 */
#ifndef P2PGUARD_BLOB_H
#define P2PGUARD_BLOB_H

#include "p2pguard_abi.h"

/**
 * struct p2pg_blob_range - the entries of one prefix length.
 * @start, @end: [start, end) in the family's prefix section.
 * @plen:        the prefix length of all of them.
 */
struct p2pg_blob_range {
	__u32 start, end;
	__u32 plen;
};

/**
 * struct p2pg_blob_view - a checked blob, ready for look-ups.
 * @hdr:       the blob.
 * @p4, @p6:   prefix sections.
 * @names:     name hashes.
 * @agent_cg:  agent cgroup ids.
 * @agent_uid: agent uids.
 * @n:         element count of each section (enum p2pg_blob_sec).
 * @r4, @r6:   one range per prefix length present, longest first.
 * @n_r4, @n_r6: ranges used.
 * @pppp:      PPPP key by first ciphertext byte, NULL where none.
 */
struct p2pg_blob_view {
	const struct p2pg_blob_hdr *hdr;
	const struct p2pg_blob_prefix4 *p4;
	const struct p2pg_blob_prefix6 *p6;
	const __u64 *names;
	const __u64 *agent_cg;
	const __u32 *agent_uid;
	__u32 n[P2PG_SEC__COUNT];
	struct p2pg_blob_range r4[33], r6[129];
	__u32 n_r4, n_r6;
	const struct p2pg_pppp_key *pppp[P2PG_PPPP_SLOTS];
};

static const __u32 p2pg_blob_elem_size[P2PG_SEC__COUNT] = {
	[P2PG_SEC_PREFIX4] = sizeof(struct p2pg_blob_prefix4),
	[P2PG_SEC_PREFIX6] = sizeof(struct p2pg_blob_prefix6),
	[P2PG_SEC_NAMES] = sizeof(__u64),
	[P2PG_SEC_PPPP] = sizeof(struct p2pg_pppp_key),
	[P2PG_SEC_AGENT_CG] = sizeof(__u64),
	[P2PG_SEC_AGENT_UID] = sizeof(__u32),
};

/* Element @i of a section of __u32 (@size 4) or __u64 (@size 8). */
static inline __u64 p2pg_blob_elem(const void *a, __u32 size, __u32 i)
{
	return size == 8 ? ((const __u64 *)a)[i] : ((const __u32 *)a)[i];
}

/* Strictly ascending: sorted, no duplicates. */
static inline int p2pg_blob_ascending(const void *a, __u32 size, __u32 n)
{
	__u32 i;

	for (i = 1; i < n; i++)
		if (p2pg_blob_elem(a, size, i - 1) >= p2pg_blob_elem(a, size, i))
			return 0;
	return 1;
}

/* Binary search in an ascending section; 1 when @x is there. */
static inline int p2pg_blob_has(const void *a, __u32 size, __u32 n, __u64 x)
{
	__u32 lo = 0, hi = n;

	while (lo < hi) {
		__u32 mid = lo + (hi - lo) / 2;
		__u64 e = p2pg_blob_elem(a, size, mid);

		if (e == x)
			return 1;
		if (e < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

/* memcmp() without libc: <0, 0, >0. */
static inline int p2pg_blob_cmp(const __u8 *a, const __u8 *b, __u32 n)
{
	__u32 i;

	for (i = 0; i < n; i++)
		if (a[i] != b[i])
			return a[i] < b[i] ? -1 : 1;
	return 0;
}

/* The network part of byte @i of an address under a /@plen prefix. */
static inline __u8 p2pg_blob_mask(__u32 plen, __u32 i)
{
	__u32 keep = plen >= 8 * (i + 1) ? 8 : plen > 8 * i ? plen - 8 * i : 0;

	return keep ? (__u8)(0xff << (8 - keep)) : 0;
}

/* Are the bits of @a beyond @plen all zero? */
static inline int p2pg_blob_host_bits_clear(const __u8 *a, __u32 alen,
					    __u32 plen)
{
	__u32 i;

	for (i = 0; i < alen; i++)
		if (a[i] & (__u8)~p2pg_blob_mask(plen, i))
			return 0;
	return 1;
}

/* Prefix entries: lengths, classes, host bits, order; ranges filled. */
static inline const char *p2pg_blob_check_prefixes(const __u8 *base,
						   __u32 count, __u32 esize,
						   __u32 alen,
						   struct p2pg_blob_range *r,
						   __u32 *n_r)
{
	__u32 i, maxlen = alen * 8;

	*n_r = 0;
	for (i = 0; i < count; i++) {
		const __u8 *e = base + (unsigned long)i * esize;
		__u8 plen = e[alen], cls = e[alen + 1];

		if (plen > maxlen)
			return "prefix length out of range";
		if (cls != P2PG_NET_LAN && cls != P2PG_NET_ALLOW &&
		    cls != P2PG_NET_DENY && cls != P2PG_NET_LOOPBACK)
			return "unknown prefix class";
		if (e[alen + 2] || e[alen + 3])
			return "prefix pad not zero";
		if (!p2pg_blob_host_bits_clear(e, alen, plen))
			return "prefix has host bits set";
		if (i > 0) {
			const __u8 *p = e - esize;

			if (p[alen] < plen ||
			    (p[alen] == plen && p2pg_blob_cmp(p, e, alen) >= 0))
				return "prefixes not sorted or duplicated";
		}
		if (*n_r == 0 || r[*n_r - 1].plen != plen) {
			if (*n_r > maxlen)
				return "prefix lengths not grouped";
			r[*n_r].start = i;
			r[*n_r].plen = plen;
			(*n_r)++;
		}
		r[*n_r - 1].end = i + 1;
	}
	return (const char *)0;
}

/**
 * p2pg_blob_check() - check a blob and build its view.
 * @blob: the bytes, at least 8-byte aligned.
 * @size: how many.
 * @v:    filled when the blob is good.
 *
 * Everything the look-ups rely on is checked here, so they need no bounds
 * checks of their own: header, sizes, section bounds and alignment, order
 * and uniqueness, zero pad bytes, PPPP tables that agree with their slot.
 *
 * Return: NULL when the blob is good, else what is wrong with it.
 */
static inline const char *p2pg_blob_check(const void *blob, __u32 size,
					  struct p2pg_blob_view *v)
{
	const struct p2pg_blob_hdr *h = blob;
	const __u8 *b = blob;
	__u32 s, i, end = sizeof(*h);
	const char *why;

	if (size < sizeof(*h))
		return "shorter than the header";
	if (h->magic != P2PG_BLOB_MAGIC)
		return "bad magic (not a p2pguard policy, or other byte order)";
	if (h->abi_version != P2PG_ABI_VERSION)
		return "ABI version differs from the module's";
	if (h->hdr_size != sizeof(*h) || h->n_sec != P2PG_SEC__COUNT)
		return "header size or section count differs";
	if (h->size != size || size > P2PG_BLOB_MAX_SIZE)
		return "size field does not match the bytes written";
	if (h->cfg.p2p_enabled > 1 || h->cfg.mode > P2PG_MODE_AUDIT ||
	    h->cfg.lockdown > 1)
		return "switch values out of range";
	if (h->cfg.pad[0] || h->cfg.pad[1] || h->cfg.pad[2] || h->cfg.reserved)
		return "config pad not zero";

	for (s = 0; s < P2PG_SEC__COUNT; s++) {
		__u64 bytes = (__u64)h->sec[s].count * p2pg_blob_elem_size[s];
		__u32 off = h->sec[s].off;

		if (off & 7)
			return "section not 8-byte aligned";
		if (off < end)
			return "sections overlap or out of order";
		if (bytes > size || off > size - bytes)
			return "section beyond the end";
		/* Gaps (alignment) must be zero: nothing hidden. */
		for (i = end; i < off; i++)
			if (b[i])
				return "padding between sections not zero";
		end = off + (__u32)bytes;
		v->n[s] = h->sec[s].count;
	}
	for (i = end; i < size; i++)
		if (b[i])
			return "trailing bytes not zero";

	v->hdr = h;
	v->p4 = (const void *)(b + h->sec[P2PG_SEC_PREFIX4].off);
	v->p6 = (const void *)(b + h->sec[P2PG_SEC_PREFIX6].off);
	v->names = (const void *)(b + h->sec[P2PG_SEC_NAMES].off);
	v->agent_cg = (const void *)(b + h->sec[P2PG_SEC_AGENT_CG].off);
	v->agent_uid = (const void *)(b + h->sec[P2PG_SEC_AGENT_UID].off);

	why = p2pg_blob_check_prefixes((const __u8 *)v->p4, v->n[P2PG_SEC_PREFIX4],
				       sizeof(*v->p4), 4, v->r4, &v->n_r4);
	if (why)
		return why;
	why = p2pg_blob_check_prefixes((const __u8 *)v->p6, v->n[P2PG_SEC_PREFIX6],
				       sizeof(*v->p6), 16, v->r6, &v->n_r6);
	if (why)
		return why;
	if (!p2pg_blob_ascending(v->names, 8, v->n[P2PG_SEC_NAMES]))
		return "names not sorted or duplicated";
	if (!p2pg_blob_ascending(v->agent_cg, 8, v->n[P2PG_SEC_AGENT_CG]))
		return "agent cgroups not sorted or duplicated";
	if (!p2pg_blob_ascending(v->agent_uid, 4, v->n[P2PG_SEC_AGENT_UID]))
		return "agent uids not sorted or duplicated";

	for (i = 0; i < P2PG_PPPP_SLOTS; i++)
		v->pppp[i] = (const struct p2pg_pppp_key *)0;
	if (v->n[P2PG_SEC_PPPP] > P2PG_PPPP_SLOTS)
		return "more PPPP keys than slots";
	for (i = 0; i < v->n[P2PG_SEC_PPPP]; i++) {
		const struct p2pg_pppp_key *k = (const void *)
			(b + h->sec[P2PG_SEC_PPPP].off + i * sizeof(*k));
		__u8 slot = 0xf1 ^ k->dec[0];

		if (k->valid != 1 || k->pad[0] || k->pad[1] || k->pad[2])
			return "PPPP key not valid or pad not zero";
		if (v->pppp[slot])
			return "two PPPP keys for one first byte";
		v->pppp[slot] = k;
	}
	return (const char *)0;
}

/**
 * p2pg_blob_net_class() - longest-prefix match of a destination.
 * @v:      checked blob.
 * @family: 4 or 6.
 * @addr:   destination address (4 or 16 bytes).
 *
 * Return: enum p2pg_net_class; P2PG_NET_WAN when no prefix matches.
 */
static inline int p2pg_blob_net_class(const struct p2pg_blob_view *v,
				      int family, const __u8 *addr)
{
	const struct p2pg_blob_range *r = family == 4 ? v->r4 : v->r6;
	__u32 nr = family == 4 ? v->n_r4 : v->n_r6;
	__u32 alen = family == 4 ? 4 : 16;
	__u32 esize = family == 4 ? sizeof(*v->p4) : sizeof(*v->p6);
	const __u8 *base = family == 4 ? (const __u8 *)v->p4 :
					 (const __u8 *)v->p6;
	__u32 g, i;

	for (g = 0; g < nr; g++) {
		__u8 key[16];
		__u32 lo = r[g].start, hi = r[g].end, plen = r[g].plen;

		for (i = 0; i < alen; i++)
			key[i] = addr[i] & p2pg_blob_mask(plen, i);
		while (lo < hi) {
			__u32 mid = lo + (hi - lo) / 2;
			const __u8 *e = base + (unsigned long)mid * esize;
			int c = p2pg_blob_cmp(key, e, alen);

			if (c == 0)
				return e[alen + 1];
			if (c < 0)
				hi = mid;
			else
				lo = mid + 1;
		}
	}
	return P2PG_NET_WAN;
}

/**
 * p2pg_blob_name_denied() - is @hash a deny-listed name suffix?
 * @v:    checked blob.
 * @hash: p2pg_name_hash_step() result for one suffix.
 *
 * Return: 1 or 0.
 */
static inline int p2pg_blob_name_denied(const struct p2pg_blob_view *v,
					__u64 hash)
{
	return p2pg_blob_has(v->names, 8, v->n[P2PG_SEC_NAMES], hash);
}

/**
 * p2pg_blob_is_agent() - is a socket of this cgroup or uid an agent?
 * @v:         checked blob.
 * @cgroup_id: cgroup v2 id of the socket, 0 when unknown.
 * @uid:       socket owner.
 *
 * Return: 1 or 0.
 */
static inline int p2pg_blob_is_agent(const struct p2pg_blob_view *v,
				     __u64 cgroup_id, __u32 uid)
{
	if (cgroup_id &&
	    p2pg_blob_has(v->agent_cg, 8, v->n[P2PG_SEC_AGENT_CG], cgroup_id))
		return 1;
	return p2pg_blob_has(v->agent_uid, 4, v->n[P2PG_SEC_AGENT_UID], uid);
}

#endif /* P2PGUARD_BLOB_H */
