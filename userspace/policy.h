/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * policy.h - the policy in memory, its defaults, and writing it to the BPF
 * maps.  Shared by p2pguardctl, p2pguardd and the tests (the tests' native
 * environment answers look-ups from the same struct the maps are filled
 * from, so both sides of a differential test see one policy).
 */
#ifndef P2PGUARD_POLICY_H
#define P2PGUARD_POLICY_H

#include <stddef.h>
#include <stdio.h>
#include "p2pguard_abi.h"

/**
 * struct p2pg_prefix - one destination prefix of any class.
 * @family:    4 or 6.
 * @prefixlen: 0..32 or 0..128.
 * @net_class: enum p2pg_net_class (LAN, ALLOW, DENY, LOOPBACK).
 * @addr:      network address, IPv4 in the first 4 bytes.
 */
struct p2pg_prefix {
	__u8 family;
	__u8 prefixlen;
	__u8 net_class;
	__u8 pad;
	__u8 addr[16];
};

/**
 * struct p2pg_index - a hash index over one of a policy's arrays, so that
 * adding n entries costs O(n) rather than a scan each.
 * @slot: open addressing, linear probing: an array index + 1, 0 empty.
 * @mask: slots - 1 (a power of two, at most half full).
 * @n:    how many leading array entries the index holds.  A count it
 *        did not make (an array shrunk or filled by hand) makes the next
 *        p2pg_policy_add_*() rebuild it.
 */
struct p2pg_index {
	size_t *slot;
	size_t mask;
	size_t n;
};

/**
 * struct p2pg_policy - everything the program's maps hold.
 * @cfg:        the switch (p2pg_config).
 * @prefixes:   LAN, allow, deny and loopback prefixes, both families.
 * @names:      deny-listed domain hashes (p2pg_domain_hash()).
 * @domains:    the same names as text, for display; @n_names entries.
 * @pppp:       PPPP key slots indexed by first ciphertext byte.
 * @pppp_psk:   the key string in each used slot (NULL when free).
 * @agent_cgroups, @agent_uids: agent identities.
 * @prefix_ix, @name_ix: the indexes of @prefixes and @names (policy.c).
 */
struct p2pg_policy {
	struct p2pg_config cfg;
	struct p2pg_prefix *prefixes;
	size_t n_prefixes, cap_prefixes;
	__u64 *names;
	char **domains;
	size_t n_names, cap_names;
	struct p2pg_pppp_key pppp[P2PG_PPPP_SLOTS];
	char *pppp_psk[P2PG_PPPP_SLOTS];
	__u64 *agent_cgroups;
	size_t n_agent_cgroups;
	__u32 *agent_uids;
	size_t n_agent_uids;
	struct p2pg_index prefix_ix, name_ix;
};

/* The built-in lists, NULL-terminated (documented in Documentation/). */
extern const char *const p2pg_default_lan[];
extern const char *const p2pg_default_loopback[];
extern const char *const p2pg_default_domains[];
extern const char *const p2pg_default_pppp_keys[];

/* The CS2 PPPP 256-byte shuffle table (public constant, see signatures.rst). */
extern const __u8 p2pg_pppp_shuffle[256];

/**
 * p2pg_reason_name() - stable name of a reason ("none", "cs2-pppp", ...).
 * @reason: enum p2pg_reason.
 *
 * Return: the name, or "unknown" when out of range.
 */
const char *p2pg_reason_name(unsigned int reason);

/**
 * p2pg_reason_from_name() - inverse of p2pg_reason_name().
 * @name: a stable reason name.
 *
 * Return: enum p2pg_reason, or -1.
 */
int p2pg_reason_from_name(const char *name);

/**
 * p2pg_policy_init() - an empty policy: P2P off, enforce, no lists.
 * @p: policy to initialise.
 */
void p2pg_policy_init(struct p2pg_policy *p);

/**
 * p2pg_policy_init_defaults() - the built-in policy: P2P off, enforce, the
 * default LAN and loopback prefixes, deny-listed domains and PPPP keys.
 * @p: policy to initialise.
 *
 * Return: 0 or a negative errno.
 */
int p2pg_policy_init_defaults(struct p2pg_policy *p);

/**
 * p2pg_policy_free() - release the lists of @p.
 * @p: policy.
 */
void p2pg_policy_free(struct p2pg_policy *p);

/**
 * p2pg_policy_add_prefix() - add "a.b.c.d/n", "a.b.c.d", "x::/n" or "x::".
 * @p:         policy.
 * @cidr:      prefix text.
 * @net_class: enum p2pg_net_class.
 *
 * A prefix already present is given the new class.
 *
 * Return: 0, or -EINVAL for bad text, -ENOMEM.
 */
int p2pg_policy_add_prefix(struct p2pg_policy *p, const char *cidr,
			   int net_class);

/**
 * p2pg_policy_add_domain() - deny-list a domain and all its subdomains.
 * @p:    policy.
 * @name: "iotcplatform.com".
 *
 * Return: 0 (also when already listed), -EINVAL, -ENOMEM.
 */
int p2pg_policy_add_domain(struct p2pg_policy *p, const char *name);

/**
 * p2pg_policy_add_pppp_key() - load a CS2 PPPP scramble key (PSK string).
 * @p:   policy.
 * @psk: "SSD@cs2-network.".
 *
 * Return: the slot (first ciphertext byte, 0..255), or -EEXIST when another
 * key already owns that first byte (reported, not overwritten), -EINVAL.
 */
int p2pg_policy_add_pppp_key(struct p2pg_policy *p, const char *psk);

/**
 * p2pg_pppp_derive() - the decode table of a PSK.
 * @psk: key string.
 * @out: filled: valid = 1, dec[] = shuffle[(k[c & 3] + c) & 0xff].
 *
 * Return: the first ciphertext byte every packet under this key has
 * (0xF1 ^ dec[0]).
 */
__u8 p2pg_pppp_derive(const char *psk, struct p2pg_pppp_key *out);

/**
 * p2pg_policy_net_class() - longest-prefix match, in userspace.
 * @p:      policy.
 * @family: 4 or 6.
 * @addr:   destination address.
 *
 * Return: enum p2pg_net_class, P2PG_NET_WAN when nothing matches.
 */
int p2pg_policy_net_class(const struct p2pg_policy *p, int family,
			  const __u8 *addr);

/**
 * p2pg_policy_has_name() - is @hash a deny-listed name hash?
 * @p:    policy.
 * @hash: p2pg_domain_hash() value.
 *
 * Return: 1 or 0.
 */
int p2pg_policy_has_name(const struct p2pg_policy *p, __u64 hash);

/**
 * p2pg_policy_to_blob() - the policy as one blob for the kernel module.
 * @p:    policy.
 * @blob: on success, a malloc()ed, 8-byte aligned blob; free() it.
 * @size: on success, its size in bytes (what one write(2) hands over).
 *
 * The layout is the one p2pg_blob_check() (common/p2pguard_blob.h) accepts:
 * struct p2pg_blob_hdr, then every section at an 8-byte aligned offset in
 * enum p2pg_blob_sec order, each sorted (prefixes by length descending,
 * then address; ids ascending) without duplicates, every pad byte zero.
 * @p->cfg is copied with its pads zeroed and abi_version set.  Sorting is
 * O(n log n): a policy of 100k entries costs milliseconds.
 *
 * Return: 0; -EINVAL when @p cannot be expressed (a prefix of class WAN, a
 * prefix length out of range, a PPPP slot that is not its key's first
 * byte); -EFBIG beyond P2PG_BLOB_MAX_SIZE; -ENOMEM.
 */
int p2pg_policy_to_blob(const struct p2pg_policy *p, void **blob,
			size_t *size);

/**
 * struct p2pg_map_fds - the policy maps of a loaded or pinned program.
 */
struct p2pg_map_fds {
	int config, prefix4, prefix6, names, pppp, agent_cg, agent_uid;
};

/**
 * p2pg_policy_write_maps() - make the maps equal to @p.
 * @p:   policy.
 * @fds: map file descriptors.
 *
 * New entries are written first, stale ones deleted after, the config
 * element last: a packet never sees a list emptier than both the old and
 * the new policy.  The generation written is @p->cfg.generation when that
 * is ahead of the map's, else the map's plus one: it always changes, which
 * is what retires the program's cached destination classes.
 *
 * Return: 0 or a negative errno.
 */
int p2pg_policy_write_maps(const struct p2pg_policy *p,
			   const struct p2pg_map_fds *fds);

/**
 * p2pg_counters_read() - per-reason counters summed over CPUs.
 * @fd:  p2pg_counters map.
 * @out: P2PG_R__COUNT entries.
 *
 * Return: 0 or a negative errno.
 */
int p2pg_counters_read(int fd, struct p2pg_counter *out);

#endif /* P2PGUARD_POLICY_H */
