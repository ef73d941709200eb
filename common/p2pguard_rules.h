/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * p2pguard_rules.h - the parts of the policy that read no packet and ask
 * no host: the packet metadata the classifier takes, the name-suffix hash,
 * the verdict rule and which reasons a connection keeps.
 *
 * Included by: p2pguard_parse.h and p2pguard_classify.h (and so by every
 * host of those), userspace/policy.c (p2pg_domain_hash() for the name
 * list), tests/unit/test_classify.c and tests/fuzz/fuzz_classify.c.
 * The includer supplies: nothing.  No environment, no libc, no kernel API
 * and no BPF helper: it builds in the kernel, in BPF and in userspace.
 */
#ifndef P2PGUARD_RULES_H
#define P2PGUARD_RULES_H

#include "p2pguard_abi.h"

/* Metadata flags. */
#define P2PG_META_FRAGMENT	0x01	/* non-first fragment: no L4 header */
#define P2PG_META_FLOW_CLEAN	0x02	/* TCP: first payload already judged */
#define P2PG_META_UNJUDGED	0x04	/* the parser could not judge it whole */
#define P2PG_META_AGENT		0x08	/* the sending socket is an agent's */

/**
 * struct p2pg_meta - what the caller knows about the packet.
 * @payload_len: L4 payload bytes in this packet (may exceed the window).
 * @sport:       source port, host order (0 when not UDP/TCP).
 * @dport:       destination port, host order.
 * @l4proto:     IP protocol number of the transport header.
 * @dst_class:   enum p2pg_net_class of the destination (LPM result).
 * @flags:       P2PG_META_*.
 * @flow_reason: reason recorded earlier on this TCP connection, or NONE.
 *
 * For a TCP segment judged with kept bytes of its stream (p2pg_flow_plan()),
 * @payload_len counts the stream's bytes from the window's start to the
 * segment's end, and the window's @seg says where the segment starts.
 *
 * P2PG_META_AGENT is the host's to set, before classification, from its
 * agent look-up (the sending socket's cgroup or uid).  The classifier
 * reads it for Internet destinations only (every other class has an
 * answer first), so a host may look agents up for those only, as the BPF
 * program and the module do.
 */
struct p2pg_meta {
	__u32 payload_len;
	__u16 sport;
	__u16 dport;
	__u8 l4proto;
	__u8 dst_class;
	__u8 flags;
	__u8 flow_reason;
};

/* ---- the name-suffix hash ----------------------------------------------- */

#define P2PG_FNV64_OFFSET	0xcbf29ce484222325ULL
#define P2PG_FNV64_PRIME	0x100000001b3ULL

static __always_inline __u8 p2pg_lower(__u8 c)
{
	return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

/**
 * p2pg_name_hash_step() - one step of the name-suffix hash.
 * @h: hash so far.
 * @c: next byte, taken from the end of the wire-form name backwards.
 *
 * Names are hashed backwards so that a single pass yields the hash of
 * every suffix: after consuming a label's length byte, @h is the hash of
 * the name from that label to the root.  Length bytes take part, which is
 * what makes matches fall on label boundaries.
 */
static __always_inline __u64 p2pg_name_hash_step(__u64 h, __u8 c)
{
	return (h ^ p2pg_lower(c)) * P2PG_FNV64_PRIME;
}

#ifndef __bpf__
/**
 * p2pg_domain_hash() - the p2pg_names key of a dotted domain name.
 * @dotted: "iotcplatform.com" (a trailing dot is allowed, case ignored).
 * @out:    the hash p2pg_dns() computes for this suffix.
 *
 * Userspace side of p2pg_name_hash_step(): builds the wire form in place
 * of the dots and hashes it backwards.
 *
 * Return: 0, or -1 when @dotted is not a valid name.
 */
static inline int p2pg_domain_hash(const char *dotted, __u64 *out)
{
	__u8 wire[P2PG_DNS_NAME_MAX];
	__u32 n = 0, lab = 0, i;
	__u64 h = P2PG_FNV64_OFFSET;
	int open = 0;

	for (i = 0; dotted[i]; i++) {
		if (dotted[i] == '.') {
			if (!open)	/* leading dot or empty label */
				return -1;
			open = 0;
			continue;
		}
		if (n + (open ? 1 : 2) > P2PG_DNS_NAME_MAX - 1)
			return -1;
		if (!open) {
			lab = n;
			wire[n++] = 0;
			open = 1;
		}
		wire[n++] = (__u8)dotted[i];
		if (++wire[lab] > 63)
			return -1;
	}
	if (n == 0)
		return -1;
	for (i = n; i > 0; i--)
		h = p2pg_name_hash_step(h, wire[i - 1]);
	*out = h;
	return 0;
}
#endif

/* ---- the verdict -------------------------------------------------------- */

/**
 * p2pg_verdict_drop() - does @reason drop under @cfg?
 * @cfg:    the switch.
 * @reason: result of p2pg_classify().
 *
 * Return: 1 to drop.  P2P on or audit mode never drop; they only count.
 */
static __always_inline int p2pg_verdict_drop(const struct p2pg_config *cfg,
					     __u32 reason)
{
	if (reason == P2PG_R_NONE || reason == P2PG_R_NOT_IP)
		return 0;
	return !cfg->p2p_enabled && cfg->mode == P2PG_MODE_ENFORCE;
}

/**
 * p2pg_flow_sticky() - should @reason be remembered for the connection?
 * @reason: result of p2pg_classify() on a TCP payload.
 *
 * Only payload signatures: prefix, agent and lockdown verdicts follow the
 * policy packet by packet anyway.
 */
static __always_inline int p2pg_flow_sticky(__u32 reason)
{
	return reason == P2PG_R_UPNP_MAP || reason == P2PG_R_XIONGMAI ||
	       reason == P2PG_R_DAHUA || reason == P2PG_R_STUN ||
	       reason == P2PG_R_PPPP || reason == P2PG_R_PPPP_SCRAMBLED ||
	       reason == P2PG_R_DNS_NAME;
}

#endif /* P2PGUARD_RULES_H */
