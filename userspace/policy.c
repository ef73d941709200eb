// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * policy.c - the policy in memory: built-in lists, PPPP key derivation,
 * prefix and name look-ups for userspace, and writing it all to the maps.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "policy.h"
#include "p2pguard_blob.h"
#include "p2pguard_rules.h"	/* p2pg_domain_hash() */

const char *const p2pg_default_lan[] = {
	"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16",
	"169.254.0.0/16",		/* link-local */
	"224.0.0.0/4",			/* multicast: SSDP, mDNS */
	"255.255.255.255/32",		/* limited broadcast */
	"fe80::/10", "fc00::/7", "ff00::/8",
	NULL,
};

const char *const p2pg_default_loopback[] = {
	"127.0.0.0/8", "::1/128", NULL,
};

/* Rendezvous names, each with its public source in signatures.rst. */
const char *const p2pg_default_domains[] = {
	"iotcplatform.com", "kalayservice.com", "kalay.net.cn",	/* TUTK */
	"cloudlinks.cn", "cloud-links.net",			/* Gwell */
	"easy4ipcloud.com",					/* Dahua */
	"secu100.net", "xmeye.net", "xmcsrv.net",		/* Xiongmai */
	"p2p.reolink.com", "p2p1.reolink.com", "p2p2.reolink.com",
	"p2p3.reolink.com", "p2p4.reolink.com", "p2p5.reolink.com",
	"p2p6.reolink.com", "p2p7.reolink.com", "p2p8.reolink.com",
	"p2p9.reolink.com", "p2p10.reolink.com", "p2p11.reolink.com",
	NULL,
};

/*
 * CS2 PPPP PSKs (magicus/pppp-dissector PPPP.md): the server key first,
 * then the LAN keys with published prefixes.  First ciphertext bytes: b1
 * 2c 9f 49 d1 a9 aa 5b a5 2b 5d, all distinct.
 */
const char *const p2pg_default_pppp_keys[] = {
	"SSD@cs2-network.", "camera", "SHIX", "vstarcam2018",
	"VMSV", "FERRY@88", "mycamera", "Deng123abc", "Duncom",
	"JX20130716", "@@@@....", "hyWHzyhtzH", "JYDGAOZHANP2P",
	"SZGMBESTER",
	NULL,
};

/* keytable of magicus/pppp-dissector pppp_dissect.lua (datenstau crypt.js). */
const __u8 p2pg_pppp_shuffle[256] = {
	0x7C, 0x9C, 0xE8, 0x4A, 0x13, 0xDE, 0xDC, 0xB2,
	0x2F, 0x21, 0x23, 0xE4, 0x30, 0x7B, 0x3D, 0x8C,
	0xBC, 0x0B, 0x27, 0x0C, 0x3C, 0xF7, 0x9A, 0xE7,
	0x08, 0x71, 0x96, 0x00, 0x97, 0x85, 0xEF, 0xC1,
	0x1F, 0xC4, 0xDB, 0xA1, 0xC2, 0xEB, 0xD9, 0x01,
	0xFA, 0xBA, 0x3B, 0x05, 0xB8, 0x15, 0x87, 0x83,
	0x28, 0x72, 0xD1, 0x8B, 0x5A, 0xD6, 0xDA, 0x93,
	0x58, 0xFE, 0xAA, 0xCC, 0x6E, 0x1B, 0xF0, 0xA3,
	0x88, 0xAB, 0x43, 0xC0, 0x0D, 0xB5, 0x45, 0x38,
	0x4F, 0x50, 0x22, 0x66, 0x20, 0x7F, 0x07, 0x5B,
	0x14, 0x98, 0x1D, 0x9B, 0xA7, 0x2A, 0xB9, 0xA8,
	0xCB, 0xF1, 0xFC, 0x49, 0x47, 0x06, 0x3E, 0xB1,
	0x0E, 0x04, 0x3A, 0x94, 0x5E, 0xEE, 0x54, 0x11,
	0x34, 0xDD, 0x4D, 0xF9, 0xEC, 0xC7, 0xC9, 0xE3,
	0x78, 0x1A, 0x6F, 0x70, 0x6B, 0xA4, 0xBD, 0xA9,
	0x5D, 0xD5, 0xF8, 0xE5, 0xBB, 0x26, 0xAF, 0x42,
	0x37, 0xD8, 0xE1, 0x02, 0x0A, 0xAE, 0x5F, 0x1C,
	0xC5, 0x73, 0x09, 0x4E, 0x69, 0x24, 0x90, 0x6D,
	0x12, 0xB3, 0x19, 0xAD, 0x74, 0x8A, 0x29, 0x40,
	0xF5, 0x2D, 0xBE, 0xA5, 0x59, 0xE0, 0xF4, 0x79,
	0xD2, 0x4B, 0xCE, 0x89, 0x82, 0x48, 0x84, 0x25,
	0xC6, 0x91, 0x2B, 0xA2, 0xFB, 0x8F, 0xE9, 0xA6,
	0xB0, 0x9E, 0x3F, 0x65, 0xF6, 0x03, 0x31, 0x2E,
	0xAC, 0x0F, 0x95, 0x2C, 0x5C, 0xED, 0x39, 0xB7,
	0x33, 0x6C, 0x56, 0x7E, 0xB4, 0xA0, 0xFD, 0x7A,
	0x81, 0x53, 0x51, 0x86, 0x8D, 0x9F, 0x77, 0xFF,
	0x6A, 0x80, 0xDF, 0xE2, 0xBF, 0x10, 0xD7, 0x75,
	0x64, 0x57, 0x76, 0xF3, 0x55, 0xCD, 0xD0, 0xC8,
	0x18, 0xE6, 0x36, 0x41, 0x62, 0xCF, 0x99, 0xF2,
	0x32, 0x4C, 0x67, 0x60, 0x61, 0x92, 0xCA, 0xD3,
	0xEA, 0x63, 0x7D, 0x16, 0xB6, 0x8E, 0xD4, 0x68,
	0x35, 0xC3, 0x52, 0x9D, 0x46, 0x44, 0x1E, 0x17,
};

#define P2PG_REASON_NAME(sym, name) [P2PG_R_##sym] = name,
static const char *const reason_names[P2PG_R__COUNT] = {
	P2PG_REASONS(P2PG_REASON_NAME)
};
#undef P2PG_REASON_NAME

const char *p2pg_reason_name(unsigned int reason)
{
	return reason < P2PG_R__COUNT ? reason_names[reason] : "unknown";
}

int p2pg_reason_from_name(const char *name)
{
	int i;

	for (i = 0; i < P2PG_R__COUNT; i++)
		if (!strcmp(name, reason_names[i]))
			return i;
	return -1;
}

void p2pg_policy_init(struct p2pg_policy *p)
{
	memset(p, 0, sizeof(*p));
	p->cfg.mode = P2PG_MODE_ENFORCE;
	p->cfg.abi_version = P2PG_ABI_VERSION;
}

void p2pg_policy_free(struct p2pg_policy *p)
{
	size_t i;

	for (i = 0; i < p->n_names; i++)
		free(p->domains[i]);
	for (i = 0; i < P2PG_PPPP_SLOTS; i++)
		free(p->pppp_psk[i]);
	free(p->prefixes);
	free(p->names);
	free(p->domains);
	free(p->agent_cgroups);
	free(p->agent_uids);
	free(p->prefix_ix.slot);
	free(p->name_ix.slot);
	/* Safe to free again, and to reuse after p2pg_policy_init(). */
	p2pg_policy_init(p);
}

int p2pg_policy_init_defaults(struct p2pg_policy *p)
{
	int i, r = 0;

	p2pg_policy_init(p);
	for (i = 0; !r && p2pg_default_lan[i]; i++)
		r = p2pg_policy_add_prefix(p, p2pg_default_lan[i],
					   P2PG_NET_LAN);
	for (i = 0; !r && p2pg_default_loopback[i]; i++)
		r = p2pg_policy_add_prefix(p, p2pg_default_loopback[i],
					   P2PG_NET_LOOPBACK);
	for (i = 0; !r && p2pg_default_domains[i]; i++)
		r = p2pg_policy_add_domain(p, p2pg_default_domains[i]);
	for (i = 0; !r && p2pg_default_pppp_keys[i]; i++) {
		r = p2pg_policy_add_pppp_key(p, p2pg_default_pppp_keys[i]);
		r = r < 0 ? r : 0;
	}
	if (r)
		p2pg_policy_free(p);
	return r;
}

/* Zero the bits of @addr beyond @plen: one canonical key per prefix. */
static void prefix_mask(__u8 *addr, unsigned int bytes, unsigned int plen)
{
	unsigned int i;

	for (i = 0; i < bytes; i++) {
		if (plen >= 8) {
			plen -= 8;
			continue;
		}
		addr[i] &= (__u8)(0xff00 >> plen);
		plen = 0;
	}
}

static int parse_prefix(const char *cidr, struct p2pg_prefix *out)
{
	char buf[INET6_ADDRSTRLEN + 8], *slash, *end;
	unsigned long plen;
	unsigned int max;

	if (strlen(cidr) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, cidr);
	memset(out, 0, sizeof(*out));
	slash = strchr(buf, '/');
	if (slash)
		*slash++ = 0;
	if (inet_pton(AF_INET, buf, out->addr) == 1) {
		out->family = 4;
		max = 32;
	} else if (inet_pton(AF_INET6, buf, out->addr) == 1) {
		out->family = 6;
		max = 128;
	} else {
		return -EINVAL;
	}
	plen = max;
	if (slash) {
		/* Digits only: strtoul alone would take " 8", "+8", "". */
		if (*slash < '0' || *slash > '9')
			return -EINVAL;
		plen = strtoul(slash, &end, 10);
		if (*end || plen > max)
			return -EINVAL;
	}
	out->prefixlen = plen;
	prefix_mask(out->addr, max / 8, plen);
	return 0;
}

static int prefix_same(const struct p2pg_prefix *a, const struct p2pg_prefix *b)
{
	return a->family == b->family && a->prefixlen == b->prefixlen &&
	       !memcmp(a->addr, b->addr, sizeof(a->addr));
}

/* ---- the indexes: finding an entry without a scan ------------------------ */

/* MurmurHash3's 64-bit finaliser. */
static __u64 mix64(__u64 x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	return x ^ (x >> 33);
}

static __u64 prefix_hash(const void *key)
{
	const struct p2pg_prefix *e = key;
	__u64 a, b;

	memcpy(&a, e->addr, 8);
	memcpy(&b, e->addr + 8, 8);
	return mix64((e->family | (__u64)e->prefixlen << 8) ^
		     mix64(a ^ mix64(b)));
}

static int prefix_eq(const void *a, const void *b)
{
	return prefix_same(a, b);
}

static const void *prefix_at(const struct p2pg_policy *p, size_t i)
{
	return &p->prefixes[i];
}

static __u64 name_hash(const void *key)
{
	return mix64(*(const __u64 *)key);
}

static int name_eq(const void *a, const void *b)
{
	return *(const __u64 *)a == *(const __u64 *)b;
}

static const void *name_at(const struct p2pg_policy *p, size_t i)
{
	return &p->names[i];
}

/* One indexed array: its entries, how to hash and compare them. */
struct ix_kind {
	const void *(*at)(const struct p2pg_policy *p, size_t i);
	__u64 (*hash)(const void *key);
	int (*eq)(const void *a, const void *b);
	size_t ix_off;	/* offsetof(struct p2pg_policy, the index) */
};

static const struct ix_kind prefix_kind = {
	prefix_at, prefix_hash, prefix_eq,
	offsetof(struct p2pg_policy, prefix_ix),
};
static const struct ix_kind name_kind = {
	name_at, name_hash, name_eq, offsetof(struct p2pg_policy, name_ix),
};

/* The slot holding @key, or the empty one where it would go. */
static size_t *ix_find(const struct p2pg_policy *p, const struct ix_kind *k,
		       const void *key)
{
	const struct p2pg_index *ix = (const void *)((const char *)p +
						     k->ix_off);
	size_t i = k->hash(key) & ix->mask;

	while (ix->slot[i] && !k->eq(k->at(p, ix->slot[i] - 1), key))
		i = (i + 1) & ix->mask;
	return &ix->slot[i];
}

/*
 * Make the index hold the first @n entries with room for one more: built
 * afresh when it holds another count (or nothing), doubled when half
 * full.  Of equal entries, the first is the one found.
 */
static int ix_ensure(struct p2pg_policy *p, const struct ix_kind *k, size_t n)
{
	struct p2pg_index *ix = (void *)((char *)p + k->ix_off);
	size_t cap = 64, i, *s;

	if (ix->slot && ix->n == n && 2 * (n + 1) <= ix->mask + 1)
		return 0;
	while (cap < 4 * (n + 1))
		cap *= 2;
	s = calloc(cap, sizeof(*s));
	if (!s)
		return -ENOMEM;
	free(ix->slot);
	ix->slot = s;
	ix->mask = cap - 1;
	for (i = 0; i < n; i++) {
		size_t *slot = ix_find(p, k, k->at(p, i));

		if (!*slot)
			*slot = i + 1;
	}
	ix->n = n;
	return 0;
}

int p2pg_policy_add_prefix(struct p2pg_policy *p, const char *cidr,
			   int net_class)
{
	struct p2pg_prefix np;
	size_t *slot;

	if (net_class < P2PG_NET_WAN || net_class > P2PG_NET_LOOPBACK)
		return -EINVAL;
	if (parse_prefix(cidr, &np))
		return -EINVAL;
	np.net_class = net_class;
	if (ix_ensure(p, &prefix_kind, p->n_prefixes))
		return -ENOMEM;
	slot = ix_find(p, &prefix_kind, &np);
	if (*slot) {
		p->prefixes[*slot - 1].net_class = net_class;
		return 0;
	}
	if (p->n_prefixes == p->cap_prefixes) {
		size_t cap = p->cap_prefixes ? 2 * p->cap_prefixes : 32;
		struct p2pg_prefix *n = realloc(p->prefixes, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		p->prefixes = n;
		p->cap_prefixes = cap;
	}
	p->prefixes[p->n_prefixes++] = np;
	*slot = p->n_prefixes;
	p->prefix_ix.n = p->n_prefixes;
	return 0;
}

int p2pg_policy_add_domain(struct p2pg_policy *p, const char *name)
{
	const char *c;
	size_t *slot;
	char *copy;
	__u64 h;

	for (c = name; *c; c++)
		if ((unsigned char)*c <= ' ' || (unsigned char)*c >= 0x7f)
			return -EINVAL;
	if (p2pg_domain_hash(name, &h))
		return -EINVAL;
	if (ix_ensure(p, &name_kind, p->n_names))
		return -ENOMEM;
	slot = ix_find(p, &name_kind, &h);
	if (*slot)
		return 0;
	if (p->n_names == p->cap_names) {
		size_t cap = p->cap_names ? 2 * p->cap_names : 32;
		__u64 *n = realloc(p->names, cap * sizeof(*n));
		char **d;

		if (!n)
			return -ENOMEM;
		p->names = n;
		d = realloc(p->domains, cap * sizeof(*d));
		if (!d)
			return -ENOMEM;
		p->domains = d;
		p->cap_names = cap;
	}
	copy = strdup(name);
	if (!copy)
		return -ENOMEM;
	p->names[p->n_names] = h;
	p->domains[p->n_names++] = copy;
	*slot = p->n_names;
	p->name_ix.n = p->n_names;
	return 0;
}

__u8 p2pg_pppp_derive(const char *psk, struct p2pg_pppp_key *out)
{
	__u8 k[4] = { 0 };
	const unsigned char *c;
	unsigned int i;

	for (c = (const unsigned char *)psk; *c; c++) {
		k[0] += *c;
		k[1] -= *c;
		k[2] += *c / 3;
		k[3] ^= *c;
	}
	memset(out, 0, sizeof(*out));
	out->valid = 1;
	for (i = 0; i < 256; i++)
		out->dec[i] = p2pg_pppp_shuffle[(k[i & 3] + i) & 0xff];
	return 0xf1 ^ out->dec[0];
}

int p2pg_policy_add_pppp_key(struct p2pg_policy *p, const char *psk)
{
	struct p2pg_pppp_key key;
	__u8 slot;
	char *copy;

	if (!psk[0])
		return -EINVAL;
	slot = p2pg_pppp_derive(psk, &key);
	if (p->pppp[slot].valid) {
		/*
		 * The PSK is mashed into four sums, so anagrams are one key:
		 * only a different table is a collision.
		 */
		if (!memcmp(p->pppp[slot].dec, key.dec, sizeof(key.dec)))
			return slot;
		return -EEXIST;
	}
	copy = strdup(psk);
	if (!copy)
		return -ENOMEM;
	p->pppp[slot] = key;
	p->pppp_psk[slot] = copy;
	return slot;
}

int p2pg_policy_net_class(const struct p2pg_policy *p, int family,
			  const __u8 *addr)
{
	unsigned int bytes = family == 4 ? 4 : 16;
	int best = -1, cls = P2PG_NET_WAN;
	size_t i;

	for (i = 0; i < p->n_prefixes; i++) {
		const struct p2pg_prefix *e = &p->prefixes[i];
		__u8 a[16];

		if (e->family != family || (int)e->prefixlen <= best)
			continue;
		memcpy(a, addr, bytes);
		prefix_mask(a, bytes, e->prefixlen);
		if (!memcmp(a, e->addr, bytes)) {
			best = e->prefixlen;
			cls = e->net_class;
		}
	}
	return cls;
}

int p2pg_policy_has_name(const struct p2pg_policy *p, __u64 hash)
{
	size_t i;

	/* The index when it holds every name; else a policy made by hand. */
	if (p->name_ix.slot && p->name_ix.n == p->n_names)
		return !!*ix_find(p, &name_kind, &hash);
	for (i = 0; i < p->n_names; i++)
		if (p->names[i] == hash)
			return 1;
	return 0;
}

/* ---- the kernel module's blob ------------------------------------------- */

struct blob_prefix {
	struct p2pg_prefix e;
	size_t i;	/* position in the policy: first listed wins */
};

/* Family, then prefix length descending, then address: the blob's order. */
static int cmp_blob_prefix(const void *a, const void *b)
{
	const struct blob_prefix *x = a, *y = b;
	int c;

	if (x->e.family != y->e.family)
		return x->e.family < y->e.family ? -1 : 1;
	if (x->e.prefixlen != y->e.prefixlen)
		return x->e.prefixlen > y->e.prefixlen ? -1 : 1;
	c = memcmp(x->e.addr, y->e.addr, x->e.family == 4 ? 4 : 16);
	if (c)
		return c;
	return x->i < y->i ? -1 : x->i > y->i;
}

static int cmp_u32(const void *a, const void *b)
{
	__u32 x = *(const __u32 *)a, y = *(const __u32 *)b;

	return x < y ? -1 : x > y;
}

static int cmp_u64(const void *a, const void *b);

/* Sort @n elements of @esize at @dst in place, drop repeats; new count. */
static size_t sort_unique(void *dst, size_t n, size_t esize,
			  int (*cmp)(const void *, const void *))
{
	__u8 *b = dst;
	size_t i, k = 0;

	if (!n)
		return 0;
	qsort(b, n, esize, cmp);
	for (i = 1; i < n; i++)
		if (memcmp(b + k * esize, b + i * esize, esize))
			memcpy(b + ++k * esize, b + i * esize, esize);
	return k + 1;
}

#define BLOB_ALIGN(x)	(((x) + 7) & ~(__u64)7)

/*
 * struct p2pg_config's pppp_first: a bit per first ciphertext byte that
 * has a valid key in @p (the BPF program's quick answer reads it).
 */
static void p2pg_config_pppp_first(struct p2pg_config *cfg,
				   const struct p2pg_policy *p)
{
	__u32 i;

	memset(cfg->pppp_first, 0, sizeof(cfg->pppp_first));
	for (i = 0; i < P2PG_PPPP_SLOTS; i++)
		if (p->pppp[i].valid)
			cfg->pppp_first[i >> 3] |= 1 << (i & 7);
}

int p2pg_policy_to_blob(const struct p2pg_policy *p, void **blob,
			size_t *size)
{
	__u64 off[P2PG_SEC__COUNT], end = sizeof(struct p2pg_blob_hdr);
	size_t cnt[P2PG_SEC__COUNT] = { 0 }, i, k, n4, n6;
	struct blob_prefix *pre = NULL;
	struct p2pg_blob_hdr *h;
	__u8 *b;
	int s, err = -EINVAL;

	*blob = NULL;
	*size = 0;
	/* Canonical prefixes (host bits cleared, as the LPM trie ignores them). */
	pre = malloc((p->n_prefixes ? p->n_prefixes : 1) * sizeof(*pre));
	if (!pre)
		return -ENOMEM;
	for (i = 0; i < p->n_prefixes; i++) {
		const struct p2pg_prefix *e = &p->prefixes[i];
		unsigned int bytes = e->family == 4 ? 4 : 16;

		if ((e->family != 4 && e->family != 6) ||
		    e->prefixlen > bytes * 8 || e->net_class < P2PG_NET_LAN ||
		    e->net_class > P2PG_NET_LOOPBACK)
			goto out;
		pre[i].e = *e;
		pre[i].i = i;
		memset(pre[i].e.addr + bytes, 0, sizeof(e->addr) - bytes);
		prefix_mask(pre[i].e.addr, bytes, e->prefixlen);
	}
	qsort(pre, p->n_prefixes, sizeof(*pre), cmp_blob_prefix);
	/* Equal keys are adjacent, the first listed first: keep that one. */
	for (i = 0, k = 0, n4 = 0, n6 = 0; i < p->n_prefixes; i++) {
		if (i && pre[i].e.family == pre[k].e.family &&
		    pre[i].e.prefixlen == pre[k].e.prefixlen &&
		    !memcmp(pre[i].e.addr, pre[k].e.addr, 16)) {
			pre[i].e.family = 0;	/* dropped */
			continue;
		}
		k = i;
		if (pre[i].e.family == 4)
			n4++;
		else
			n6++;
	}
	cnt[P2PG_SEC_PREFIX4] = n4;
	cnt[P2PG_SEC_PREFIX6] = n6;
	cnt[P2PG_SEC_NAMES] = p->n_names;
	for (i = 0; i < P2PG_PPPP_SLOTS; i++) {
		if (!p->pppp[i].valid)
			continue;
		/* The module finds a key by its first byte: it must be so. */
		if ((0xf1 ^ p->pppp[i].dec[0]) != i)
			goto out;
		cnt[P2PG_SEC_PPPP]++;
	}
	cnt[P2PG_SEC_AGENT_CG] = p->n_agent_cgroups;
	cnt[P2PG_SEC_AGENT_UID] = p->n_agent_uids;

	/* Upper bound of the size (before duplicates go): fits or -EFBIG. */
	for (s = 0; s < P2PG_SEC__COUNT; s++) {
		off[s] = BLOB_ALIGN(end);
		end = off[s] + (__u64)cnt[s] * p2pg_blob_elem_size[s];
		if (end > P2PG_BLOB_MAX_SIZE) {
			err = -EFBIG;
			goto out;
		}
	}
	b = calloc(1, BLOB_ALIGN(end));
	if (!b) {
		err = -ENOMEM;
		goto out;
	}
	h = (struct p2pg_blob_hdr *)b;

	/* Prefixes. */
	{
		struct p2pg_blob_prefix4 *p4 = (void *)(b + off[P2PG_SEC_PREFIX4]);
		struct p2pg_blob_prefix6 *p6 = (void *)(b + off[P2PG_SEC_PREFIX6]);
		size_t k4 = 0, k6 = 0;

		for (i = 0; i < p->n_prefixes; i++) {
			const struct p2pg_prefix *e = &pre[i].e;

			if (e->family == 4) {
				memcpy(p4[k4].addr, e->addr, 4);
				p4[k4].prefixlen = e->prefixlen;
				p4[k4++].net_class = e->net_class;
			} else if (e->family == 6) {
				memcpy(p6[k6].addr, e->addr, 16);
				p6[k6].prefixlen = e->prefixlen;
				p6[k6++].net_class = e->net_class;
			}
		}
	}
	/* Sorted sets: copied, sorted and made unique in place. */
	if (p->n_names)
		memcpy(b + off[P2PG_SEC_NAMES], p->names,
		       p->n_names * sizeof(__u64));
	cnt[P2PG_SEC_NAMES] = sort_unique(b + off[P2PG_SEC_NAMES], p->n_names,
					  sizeof(__u64), cmp_u64);
	{
		struct p2pg_pppp_key *k = (void *)(b + off[P2PG_SEC_PPPP]);

		for (i = 0; i < P2PG_PPPP_SLOTS; i++) {
			if (!p->pppp[i].valid)
				continue;
			k->valid = 1;
			memcpy(k->dec, p->pppp[i].dec, sizeof(k->dec));
			k++;
		}
	}
	if (p->n_agent_cgroups)
		memcpy(b + off[P2PG_SEC_AGENT_CG], p->agent_cgroups,
		       p->n_agent_cgroups * sizeof(__u64));
	cnt[P2PG_SEC_AGENT_CG] = sort_unique(b + off[P2PG_SEC_AGENT_CG],
					     p->n_agent_cgroups, sizeof(__u64),
					     cmp_u64);
	if (p->n_agent_uids)
		memcpy(b + off[P2PG_SEC_AGENT_UID], p->agent_uids,
		       p->n_agent_uids * sizeof(__u32));
	cnt[P2PG_SEC_AGENT_UID] = sort_unique(b + off[P2PG_SEC_AGENT_UID],
					      p->n_agent_uids, sizeof(__u32),
					      cmp_u32);
	/*
	 * Repeats removed leave stale elements behind a section's new end;
	 * clear them, or the checker would see non-zero padding.
	 */
	end = sizeof(*h);
	for (s = 0; s < P2PG_SEC__COUNT; s++) {
		__u64 used = (__u64)cnt[s] * p2pg_blob_elem_size[s];
		__u64 next = s + 1 < P2PG_SEC__COUNT ? off[s + 1] :
			     BLOB_ALIGN(off[s] + used);

		memset(b + off[s] + used, 0, next - off[s] - used);
		h->sec[s].off = off[s];
		h->sec[s].count = cnt[s];
		end = next;
	}
	h->magic = P2PG_BLOB_MAGIC;
	h->abi_version = P2PG_ABI_VERSION;
	h->hdr_size = sizeof(*h);
	h->size = end;
	h->n_sec = P2PG_SEC__COUNT;
	h->cfg.generation = p->cfg.generation;
	h->cfg.p2p_enabled = !!p->cfg.p2p_enabled;
	h->cfg.mode = p->cfg.mode == P2PG_MODE_AUDIT ? P2PG_MODE_AUDIT :
						      P2PG_MODE_ENFORCE;
	h->cfg.lockdown = !!p->cfg.lockdown;
	h->cfg.abi_version = P2PG_ABI_VERSION;
	h->cfg.agents = (cnt[P2PG_SEC_AGENT_CG] ? P2PG_AGENTS_CGROUP : 0) |
			(cnt[P2PG_SEC_AGENT_UID] ? P2PG_AGENTS_UID : 0);
	p2pg_config_pppp_first(&h->cfg, p);
	*blob = b;
	*size = end;
	err = 0;
out:
	free(pre);
	return err;
}

/* ---- writing the maps --------------------------------------------------- */

/*
 * All keys of a hash or LPM map, collected before any delete: deleting
 * while walking with get_next_key can restart the walk.
 */
static int map_keys(int fd, size_t key_size, void **keys, size_t *n)
{
	size_t cap = 64, cnt = 0;
	__u8 *buf = malloc(cap * key_size), *nb;
	int err;

	if (!buf)
		return -ENOMEM;
	for (;;) {
		if (cnt == cap) {
			cap *= 2;
			nb = realloc(buf, cap * key_size);
			if (!nb) {
				free(buf);
				return -ENOMEM;
			}
			buf = nb;
		}
		/* The first call (no previous key) returns the first key. */
		err = bpf_map_get_next_key(fd, cnt ? buf + (cnt - 1) * key_size :
					   NULL, buf + cnt * key_size);
		if (err == -ENOENT)
			break;
		if (err) {
			free(buf);
			return err;
		}
		cnt++;
	}
	*keys = buf;
	*n = cnt;
	return 0;
}

/*
 * bpf_map_update_elem() of a hash or trie element, retried on ENOMEM.  A
 * map without preallocation takes its elements from per-CPU caches that
 * irq_work refills (6.1 on); where the CPU has no irq_work interrupt
 * (MIPS) the refill waits for the next timer tick, and a writer that adds
 * elements faster gets ENOMEM with memory free.  Up to about a second.
 */
static int map_update(int fd, const void *key, const void *val)
{
	int err, tries = 0;

	while ((err = bpf_map_update_elem(fd, key, val, BPF_ANY)) &&
	       errno == ENOMEM && ++tries < 500)
		usleep(2000);
	return err;
}

/* Prefix length, then address: the order sync_prefixes() searches in. */
static int cmp_prefix(const void *a, const void *b)
{
	const struct p2pg_prefix *x = a, *y = b;

	if (x->prefixlen != y->prefixlen)
		return x->prefixlen < y->prefixlen ? -1 : 1;
	return memcmp(x->addr, y->addr, sizeof(x->addr));
}

static int sync_prefixes(const struct p2pg_policy *p, int fd, int family)
{
	unsigned int bytes = family == 4 ? 4 : 16;
	size_t ksz = 4 + bytes, i, n, nw = 0;
	struct p2pg_prefix *wanted;
	__u8 key[20], *keys;
	void *kv;
	int err;

	for (i = 0; i < p->n_prefixes; i++) {
		const struct p2pg_prefix *e = &p->prefixes[i];
		struct p2pg_prefix_val v = { .net_class = e->net_class };
		__u32 plen = e->prefixlen;

		if (e->family != family)
			continue;
		memcpy(key, &plen, 4);
		memcpy(key + 4, e->addr, bytes);
		err = map_update(fd, key, &v);
		if (err)
			return err;
	}
	err = map_keys(fd, ksz, &kv, &n);
	if (err)
		return err;
	keys = kv;
	/* Both sides may hold 100,000 entries: sort, then bsearch. */
	wanted = malloc((p->n_prefixes ? p->n_prefixes : 1) * sizeof(*wanted));
	if (!wanted) {
		free(kv);
		return -ENOMEM;
	}
	for (i = 0; i < p->n_prefixes; i++)
		if (p->prefixes[i].family == family)
			wanted[nw++] = p->prefixes[i];
	qsort(wanted, nw, sizeof(*wanted), cmp_prefix);
	for (i = 0; i < n; i++) {
		__u8 *k = keys + i * ksz;
		struct p2pg_prefix want = { .family = family };
		__u32 plen;

		memcpy(&plen, k, 4);
		if (plen <= bytes * 8) {
			want.prefixlen = plen;
			memcpy(want.addr, k + 4, bytes);
			/*
			 * The trie matches only the first @plen bits, so a key
			 * with host bits set names the same entry.
			 */
			prefix_mask(want.addr, bytes, plen);
			if (nw && bsearch(&want, wanted, nw, sizeof(*wanted),
					  cmp_prefix))
				continue;
		}
		err = bpf_map_delete_elem(fd, k);
		if (err && err != -ENOENT)
			break;
		err = 0;
	}
	free(wanted);
	free(kv);
	return err;
}

static int cmp_u64(const void *a, const void *b)
{
	__u64 x = *(const __u64 *)a, y = *(const __u64 *)b;

	return x < y ? -1 : x > y;
}

static int sync_names(const struct p2pg_policy *p, int fd)
{
	struct p2pg_name_val v = { .deny = 1 };
	__u64 *sorted, *keys;
	size_t i, n;
	void *kv;
	int err = 0;

	for (i = 0; i < p->n_names; i++) {
		err = map_update(fd, &p->names[i], &v);
		if (err)
			return err;
	}
	err = map_keys(fd, sizeof(__u64), &kv, &n);
	if (err)
		return err;
	keys = kv;
	/* Up to P2PG_NAMES_MAX on each side: sort, then bsearch. */
	sorted = malloc((p->n_names ? p->n_names : 1) * sizeof(*sorted));
	if (!sorted) {
		free(kv);
		return -ENOMEM;
	}
	if (p->n_names)
		memcpy(sorted, p->names, p->n_names * sizeof(*sorted));
	qsort(sorted, p->n_names, sizeof(*sorted), cmp_u64);
	for (i = 0; i < n; i++) {
		if (p->n_names && bsearch(&keys[i], sorted, p->n_names,
					  sizeof(*sorted), cmp_u64))
			continue;
		err = bpf_map_delete_elem(fd, &keys[i]);
		if (err && err != -ENOENT)
			break;
		err = 0;
	}
	free(sorted);
	free(kv);
	return err;
}

static int sync_pppp(const struct p2pg_policy *p, int fd)
{
	struct p2pg_pppp_key empty;
	__u32 i;
	int err;

	for (i = 0; i < P2PG_PPPP_SLOTS; i++) {
		if (!p->pppp[i].valid)
			continue;
		err = bpf_map_update_elem(fd, &i, &p->pppp[i], BPF_ANY);
		if (err)
			return err;
	}
	memset(&empty, 0, sizeof(empty));
	for (i = 0; i < P2PG_PPPP_SLOTS; i++) {
		if (p->pppp[i].valid)
			continue;
		err = bpf_map_update_elem(fd, &i, &empty, BPF_ANY);
		if (err)
			return err;
	}
	return 0;
}

/* Agent maps: keys of @ksz (4 or 8) bytes, value 1. */
static int sync_agents(int fd, const void *ids, size_t n_ids, size_t ksz)
{
	const __u8 *want = ids;
	__u32 one = 1;
	size_t i, j, n;
	__u8 *keys;
	void *kv;
	int err;

	for (i = 0; i < n_ids; i++) {
		err = map_update(fd, want + i * ksz, &one);
		if (err)
			return err;
	}
	err = map_keys(fd, ksz, &kv, &n);
	if (err)
		return err;
	keys = kv;
	for (i = 0; i < n; i++) {
		int keep = 0;

		for (j = 0; j < n_ids && !keep; j++)
			keep = !memcmp(keys + i * ksz, want + j * ksz, ksz);
		if (keep)
			continue;
		err = bpf_map_delete_elem(fd, keys + i * ksz);
		if (err && err != -ENOENT)
			break;
		err = 0;
	}
	free(kv);
	return err;
}

int p2pg_policy_write_maps(const struct p2pg_policy *p,
			   const struct p2pg_map_fds *fds)
{
	struct p2pg_config cfg, cur;
	__u32 zero = 0, gen = p->cfg.generation;
	int err;

	/*
	 * The program files each destination's class under the generation
	 * (p2pg_dst_class()): the one written with new lists must be one the
	 * map never held since, whatever the caller asks for.
	 */
	if (!bpf_map_lookup_elem(fds->config, &zero, &cur) &&
	    (__s32)(gen - cur.generation) <= 0)
		gen = cur.generation + 1;

	err = sync_prefixes(p, fds->prefix4, 4);
	if (!err)
		err = sync_prefixes(p, fds->prefix6, 6);
	if (!err)
		err = sync_names(p, fds->names);
	if (!err)
		err = sync_pppp(p, fds->pppp);
	if (!err)
		err = sync_agents(fds->agent_cg, p->agent_cgroups,
				  p->n_agent_cgroups, sizeof(__u64));
	if (!err)
		err = sync_agents(fds->agent_uid, p->agent_uids,
				  p->n_agent_uids, sizeof(__u32));
	if (err)
		return err;

	memset(&cfg, 0, sizeof(cfg));
	cfg.generation = gen;
	cfg.p2p_enabled = !!p->cfg.p2p_enabled;
	cfg.mode = p->cfg.mode;
	cfg.lockdown = !!p->cfg.lockdown;
	cfg.abi_version = P2PG_ABI_VERSION;
	/* Bits only for maps with entries: the common case skips the look-up. */
	cfg.agents = (p->n_agent_cgroups ? P2PG_AGENTS_CGROUP : 0) |
		     (p->n_agent_uids ? P2PG_AGENTS_UID : 0);
	/* The keys just written, for the quick answer (after them). */
	p2pg_config_pppp_first(&cfg, p);
	return bpf_map_update_elem(fds->config, &zero, &cfg, BPF_ANY);
}

int p2pg_counters_read(int fd, struct p2pg_counter *out)
{
	int ncpu = libbpf_num_possible_cpus(), cpu, err = 0;
	struct p2pg_counter *v;
	__u32 key;

	if (ncpu < 0)
		return ncpu;
	/* 32-byte values: already the 8-byte multiple per-CPU maps use. */
	v = calloc(ncpu, sizeof(*v));
	if (!v)
		return -ENOMEM;
	memset(out, 0, P2PG_R__COUNT * sizeof(*out));
	for (key = 0; key < P2PG_R__COUNT; key++) {
		err = bpf_map_lookup_elem(fd, &key, v);
		if (err)
			break;
		for (cpu = 0; cpu < ncpu; cpu++) {
			out[key].packets += v[cpu].packets;
			out[key].bytes += v[cpu].bytes;
			out[key].drop_packets += v[cpu].drop_packets;
			out[key].drop_bytes += v[cpu].drop_bytes;
		}
	}
	free(v);
	return err;
}
