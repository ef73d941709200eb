/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * p2pguard_abi.h - the one ABI shared by the BPF program (bpf/), the loader
 * (loader/), the CLI (userspace/), the tests, and the kernel module (kmod/).
 *
 * Included by: every other header of common/, bpf/p2pguard.bpf.c and
 * bpf/p2pguard_iter.bpf.c, kmod/p2pguard_kmod.h, userspace/ (policy.h,
 * kmodule.h), tests/ (vectors.h, vmprobe.c).
 * The includer supplies: nothing.  It builds in the kernel, in BPF and in
 * userspace alike, and needs only <linux/types.h>.
 *
 * Every struct that crosses the kernel/user boundary has explicit padding
 * and a _Static_assert on its size, so that a 32-bit ARM loader and a 64-bit
 * kernel, or an old pin and a new binary, agree byte for byte.  Changing a
 * layout means bumping P2PG_ABI_VERSION: the loader refuses pins whose
 * layout does not match instead of reusing them.
 */
#ifndef P2PGUARD_ABI_H
#define P2PGUARD_ABI_H

#if defined(__KERNEL__)
#include <linux/types.h>
#elif defined(__bpf__)
#include <linux/types.h>
#else
#include <linux/types.h>
#include <stddef.h>
#endif

/* The kernel and bpf_helpers.h have it; userspace libcs need not. */
#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

#define P2PG_ABI_VERSION	3

#define P2PG_STRUCT_SIZE(type, size) \
	_Static_assert(sizeof(type) == (size), "ABI: size of " #type)

/* Where the loader pins everything; --pin-dir overrides the directory. */
#define P2PG_PIN_DIR		"/sys/fs/bpf/p2pguard"
#define P2PG_PIN_PROG		"prog"
#define P2PG_PIN_LINK		"link"
#define P2PG_PIN_STATS_ITER	"stats"

/* Map names as the kernel shows them (bpftool map show); at most 15 chars. */
#define P2PG_MAP_CONFIG		"p2pg_config"
#define P2PG_MAP_PREFIX4	"p2pg_prefix4"
#define P2PG_MAP_PREFIX6	"p2pg_prefix6"
#define P2PG_MAP_NAMES		"p2pg_names"
#define P2PG_MAP_PPPP		"p2pg_pppp"
#define P2PG_MAP_AGENT_CG	"p2pg_agent_cg"
#define P2PG_MAP_AGENT_UID	"p2pg_agent_uid"
#define P2PG_MAP_COUNTERS	"p2pg_counters"
#define P2PG_MAP_EVENTS		"p2pg_events"
#define P2PG_MAP_PERF_EVENTS	"p2pg_perf_ev"
#define P2PG_MAP_PROGS		"p2pg_progs"

/*
 * Names of the programs, and their slots in p2pg_progs: the entry
 * tail-calls p2pguard_full, which hands packets on to the others
 * (bpf/p2pguard.bpf.c).
 */
#define P2PG_PROG_ENTRY_NAME	"p2pguard_egress"
#define P2PG_PROG_FULL_NAME	"p2pguard_full"
#define P2PG_PROG_FULL		0
#define P2PG_PROG_CLASSIFY	1	/* "p2pguard_classify": the window */
#define P2PG_PROG_GSO		2	/* "p2pguard_gso": a GSO send */
#define P2PG_PROG_EMIT		3	/* "p2pguard_emit": the event */
#define P2PG_PROGS		4

/*
 * The kernel module's fixed tables, which p2pguardctl status reports: its
 * TCP connection slots (p2pguard_path.h, a power of two, in buckets of
 * P2PG_KFLOW_WAYS), its event queue and the events' rate limiter slots
 * (kmod/p2pguard_dev.c).
 */
#define P2PG_KFLOW_SLOTS	1024
#define P2PG_KFLOW_WAYS		4
#define P2PG_EVQ_LEN		256
#define P2PG_EVLIM_SLOTS	256

/* Sizes of the policy maps (max_entries). */
#define P2PG_PREFIX_MAX		16384	/* loader may raise it */
#define P2PG_NAMES_MAX		16384	/* loader may raise it */
#define P2PG_AGENTS_MAX		256
#define P2PG_PPPP_SLOTS		256
#define P2PG_EVENT_LIMIT_MAX	4096
#define P2PG_FLOWS_MAX		16384

/*
 * Payload window: how many bytes of L4 payload the program copies for the
 * classifier.  A power of two so that an index can be masked into range,
 * which is what lets the verifier accept variable offsets.
 */
#define P2PG_WIN_SIZE		512
#define P2PG_WIN_MASK		(P2PG_WIN_SIZE - 1)

/* Longest DNS name (RFC 1035) and label count the classifier walks. */
#define P2PG_DNS_NAME_MAX	255
#define P2PG_DNS_LABELS_MAX	32

/* Bound on IPv6 extension headers walked before giving up. */
#define P2PG_IPV6_EXT_MAX	6

/* Questions of one DNS query the classifier judges (QDCOUNT above: unjudged). */
#define P2PG_DNS_QD_MAX		4

/*
 * DNS messages walked in one TCP window.  The smallest real query takes
 * 2 + 12 + 2 + 4 bytes, so 512 bytes hold at most 25 of them.
 */
#define P2PG_DNS_TCP_MSGS	32

/*
 * Segments of one UDP GSO send judged one by one: 64, the kernel's
 * UDP_MAX_SEGMENTS up to 6.8.  A send of more (newer kernels allow 128)
 * is unjudgeable: each segment judged costs the verifier its loop's body
 * once more, and 128 would pass its limit (internals.rst has the
 * figures).
 */
#define P2PG_GSO_SEGS_MAX	64
/*
 * Segments of one UDP GSO send judged through the window (those whose
 * head cannot decide: DNS, SSDP...); a send with more is unjudgeable.
 * Each costs the BPF program two tail calls, of the 32 a packet may take.
 */
#define P2PG_GSO_WINDOWS_MAX	4

/*
 * IP protocol numbers (IANA), the one definition the shared code, the BPF
 * program and the module use: no system header is needed for them.  The
 * IPv6 extension headers are those p2pg_parse() walks.
 */
#define P2PG_IPPROTO_HOPOPTS	0
#define P2PG_IPPROTO_TCP	6
#define P2PG_IPPROTO_UDP	17
#define P2PG_IPPROTO_ROUTING	43
#define P2PG_IPPROTO_FRAGMENT	44
#define P2PG_IPPROTO_AH		51
#define P2PG_IPPROTO_DSTOPTS	60
#define P2PG_IPPROTO_UDPLITE	136

enum p2pg_mode {
	P2PG_MODE_ENFORCE = 0,
	P2PG_MODE_AUDIT = 1,
};

/*
 * Reasons: one list, expanded into the enum here and into the stable names
 * userspace prints (replay --json, stats).  Append only: the numbers are
 * counter indices in pinned maps.
 */
#define P2PG_REASONS(X)						\
	X(NONE,		"none")					\
	X(NOT_IP,	"not-ip")				\
	X(UPNP_IGD,	"upnp-igd-search")			\
	X(UPNP_MAP,	"upnp-add-port-mapping")		\
	X(NATPMP,	"nat-pmp-pcp")				\
	X(DNS_NAME,	"dns-deny-name")			\
	X(DENY_PREFIX,	"deny-prefix")				\
	X(PPPP,		"cs2-pppp")				\
	X(PPPP_SCRAMBLED, "cs2-pppp-scrambled")			\
	X(ILNK,		"ilnkp2p")				\
	X(TUTK,		"tutk-kalay")				\
	X(REOLINK,	"reolink-bcudp")			\
	X(DAHUA,	"dahua-p2p")				\
	X(GWELL,	"gwell-iotvideo")			\
	X(STUN,		"stun-turn")				\
	X(XIONGMAI,	"xiongmai-cloud")			\
	X(RDV_PORT,	"rendezvous-port")			\
	X(AGENT,	"agent")				\
	X(LOCKDOWN,	"lockdown")				\
	X(UNJUDGED,	"unjudgeable")

#define P2PG_REASON_ENUM(sym, name) P2PG_R_##sym,
enum p2pg_reason {
	P2PG_REASONS(P2PG_REASON_ENUM)
	P2PG_R__COUNT
};
#undef P2PG_REASON_ENUM

/* Value of the LPM tries: what a destination prefix is. */
enum p2pg_net_class {
	P2PG_NET_WAN = 0,	/* no entry: the Internet */
	P2PG_NET_LAN = 1,
	P2PG_NET_ALLOW = 2,
	P2PG_NET_DENY = 3,
	P2PG_NET_LOOPBACK = 4,
};

/**
 * struct p2pg_config - the switch: the single element of p2pg_config.
 * @generation:  bumped by the loader on every change, so a reader can tell
 *               which policy a counter snapshot was taken under.
 * @p2p_enabled: 1 = the user allows P2P: nothing is dropped.
 * @mode:        enum p2pg_mode.
 * @lockdown:    1 = while P2P is off, drop every non-LAN destination that is
 *               not allow-listed (the answer to unknown SDKs).
 * @abi_version: P2PG_ABI_VERSION of the loader that wrote it.
 * @agents:      P2PG_AGENTS_* bits: which agent maps hold entries, so that
 *               the common case costs no look-up.
 * @pppp_first:  bit (b & 7) of byte b >> 3 set when p2pg_pppp holds a
 *               valid key for first ciphertext byte b: the BPF program's
 *               quick answer tests it instead of looking the key up (one
 *               cache line fewer per datagram); written after the keys.
 *
 * All zero (a fresh map) means P2P off, enforce: the program fails closed.
 */
struct p2pg_config {
	__u32 generation;
	__u8 p2p_enabled;
	__u8 mode;
	__u8 lockdown;
	__u8 abi_version;
	__u8 agents;
	__u8 pad[3];
	__u32 reserved;
	__u8 pppp_first[32];
};
P2PG_STRUCT_SIZE(struct p2pg_config, 48);

#define P2PG_AGENTS_CGROUP	0x01
#define P2PG_AGENTS_UID		0x02

/* LPM trie keys: prefix length first, as struct bpf_lpm_trie_key wants. */
struct p2pg_lpm4 {
	__u32 prefixlen;
	__u8 addr[4];
};
P2PG_STRUCT_SIZE(struct p2pg_lpm4, 8);

struct p2pg_lpm6 {
	__u32 prefixlen;
	__u8 addr[16];
};
P2PG_STRUCT_SIZE(struct p2pg_lpm6, 20);

/* Value of p2pg_prefix4/6: enum p2pg_net_class. */
struct p2pg_prefix_val {
	__u8 net_class;
	__u8 pad[3];
};
P2PG_STRUCT_SIZE(struct p2pg_prefix_val, 4);

/*
 * p2pg_names key: 64-bit FNV-1a over the DNS wire form of a name suffix,
 * taken backwards (see p2pg_name_hash_step()); value: nonzero = deny.
 */
struct p2pg_name_val {
	__u32 deny;
	__u32 pad;
};
P2PG_STRUCT_SIZE(struct p2pg_name_val, 8);

/**
 * struct p2pg_pppp_key - one CS2 PPPP scramble key, ready for decoding.
 * @valid: 1 when this slot holds a key.
 * @dec:   dec[c] is the key byte XORed into the byte that follows
 *         ciphertext byte c (the chained-XOR table for this PSK).
 *
 * p2pg_pppp is indexed by the first ciphertext byte, which is a constant
 * per PSK (0xF1 ^ dec[0]), so a lookup both identifies the key and fetches
 * its table.  The loader derives @dec from the key string.
 */
struct p2pg_pppp_key {
	__u8 valid;
	__u8 pad[3];
	__u8 dec[256];
};
P2PG_STRUCT_SIZE(struct p2pg_pppp_key, 260);

/**
 * struct p2pg_counter - per-CPU counter of one reason (p2pg_counters).
 * @packets, @bytes:           every packet classified with this reason.
 * @drop_packets, @drop_bytes: those actually dropped (0 in audit mode and
 *                             while P2P is on).
 *
 * Per-CPU so that plain adds suffice: no 64-bit atomics, which the 32-bit
 * ARM and MIPS JITs lack.  Readers sum over CPUs.
 */
struct p2pg_counter {
	__u64 packets;
	__u64 bytes;
	__u64 drop_packets;
	__u64 drop_bytes;
};
P2PG_STRUCT_SIZE(struct p2pg_counter, 32);

#define P2PG_EVENT_QNAME		64

#define P2PG_EV_DROPPED		0x01	/* dropped, not only classified */
#define P2PG_EV_AUDIT		0x02	/* would have dropped (audit mode) */

/**
 * struct p2pg_event - one drop event (ring buffer or perf buffer).
 * @cgroup_id: cgroup v2 id of the sending socket.
 * @uid:       socket owner uid.
 * @pid:       sender's pid where the backend knows it, else 0.
 * @reason:    enum p2pg_reason.
 * @family:    4 or 6.
 * @l4proto:   P2PG_IPPROTO_UDP, P2PG_IPPROTO_TCP, ...
 * @flags:     P2PG_EV_*.
 * @dport:     destination port, host order.
 * @len:       packet length.
 * @daddr:     destination address; IPv4 in the first 4 bytes.
 * @qname:     dns-deny-name drops: the start of the question in DNS wire
 *             form (length-prefixed labels), then the rest of this
 *             packet's bytes, then zeros; else zero.
 */
struct p2pg_event {
	__u64 cgroup_id;
	__u32 uid;
	__u32 pid;
	__u8 reason;
	__u8 family;
	__u8 l4proto;
	__u8 flags;
	__u16 dport;
	__u16 pad;
	__u32 len;
	__u32 pad2;
	__u8 daddr[16];
	__u8 qname[P2PG_EVENT_QNAME];
};
P2PG_STRUCT_SIZE(struct p2pg_event, 48 + P2PG_EVENT_QNAME);

/* Key of the in-kernel event rate limiter (one event per destination/s). */
struct p2pg_ev_key {
	__u8 daddr[16];
	__u16 dport;
	__u8 family;
	__u8 pad;
};
P2PG_STRUCT_SIZE(struct p2pg_ev_key, 20);

#define P2PG_EVENT_INTERVAL_NS	1000000000ULL

/*
 * Per-TCP-connection memory (socket storage, the cookie-keyed fallback, or
 * the kernel module's connection table): the sticky reason and the stream
 * (see p2pg_flow_plan() in p2pguard_classify.h).
 */
#define P2PG_FLOW_KEEP		256	/* stream bytes kept: a power of two */
#define P2PG_FLOW_CLEAN		0x01	/* kept bytes complete to the bound, judged clean */
#define P2PG_FLOW_ANCHOR	0x02	/* @anchor and @b hold a judged stream */

/**
 * struct p2pg_flow - what the program remembers of one TCP connection.
 * @reason:     sticky reason seen on the connection, or NONE.
 * @flags:      P2PG_FLOW_*.
 * @have:       valid bytes in @b, at most P2PG_FLOW_KEEP.
 * @anchor:     TCP sequence number of @b[0]: the stream's first payload
 *              byte, the start of a request (LAN "POST ") or of the DNS
 *              message under way (port 53).
 * @generation: p2pg_config.generation the bytes were last judged under.
 * @pad:        zero.
 * @b:          the stream's bytes from @anchor on, as they were sent.
 */
struct p2pg_flow {
	__u8 reason;
	__u8 flags;
	__u16 have;
	__u32 anchor;
	__u32 generation;
	__u32 pad;
	__u8 b[P2PG_FLOW_KEEP];
};
P2PG_STRUCT_SIZE(struct p2pg_flow, 16 + P2PG_FLOW_KEEP);

/**
 * struct p2pg_dns_walk - what the DNS walk of a window (p2pg_dns() in
 * p2pguard_classify.h) learns of it.  Scratch: written through the
 * classifier's window, like @forget there; nothing in it lasts from one
 * packet to the next.
 * @end:   per byte: where the chain of labels read from there stops (a
 *         byte that is no label length 1..63, the root label among them),
 *         or 0xffff when it runs past the window.
 * @span:  at the root label (zero byte) ending a whole, well-formed
 *         question name: the longest such name's bytes before it (1..254);
 *         else 0.
 * @named: one past the highest root label @span records, 0 while none.
 * @o, @ql, @more, @msgs: the walk's state from one step to the
 *         next; @tcp, @msg_len, @strict: its arguments.  Here, not in
 *         registers, which the BPF program's stack has no room to spill.
 */
struct p2pg_dns_walk {
	__u16 end[P2PG_WIN_SIZE];
	__u8 span[P2PG_WIN_SIZE];
	__u32 o;
	__u32 ql;
	__u32 more;
	__u32 msgs;
	__u32 named;
	__u32 tcp;
	__u32 msg_len;
	__u32 strict;
};
P2PG_STRUCT_SIZE(struct p2pg_dns_walk, 3 * P2PG_WIN_SIZE + 32);

/**
 * struct p2pg_win - the payload window handed to the classifier; in BPF the
 * one element of the per-CPU map p2pg_scratch.
 * @len:         valid bytes in @b, at most P2PG_WIN_SIZE.
 * @forget:      verifier-hint slot (P2PG_FORGET in p2pguard_classify.h).
 * @seg:         TCP: where in @b this segment's bytes start when kept bytes
 *               of its stream come first (p2pg_flow_plan()), else 0.
 * @pad:         zero; keeps @b 16-byte aligned.
 * @b:           the first @len payload bytes (for TCP, of the stream).
 * @dns:         the DNS walk's scratch (struct p2pg_dns_walk).
 */
struct p2pg_win {
	__u32 len;
	__u32 forget;
	__u32 seg;
	__u32 pad;
	__u8 b[P2PG_WIN_SIZE];
	struct p2pg_dns_walk dns;
};
P2PG_STRUCT_SIZE(struct p2pg_win, 16 + 4 * P2PG_WIN_SIZE + 32);

/*
 * The BPF program's per-CPU working maps that races leave in states a
 * test must be able to set up (tests/bpf/races.c).  Not pinned: not state.
 */
#define P2PG_NEST_MAX		4	/* nesting levels (p2pg_levels) */
#define P2PG_DCACHE_SLOTS	16	/* p2pg_dcache: a power of two */

/**
 * struct p2pg_levels - who holds each nesting level's window on this CPU
 * (p2pg_level_claim() in bpf/p2pguard.bpf.c).
 * @owner: the holding run's token (odd), 0 when the level is free.
 */
struct p2pg_levels {
	__u32 owner[P2PG_NEST_MAX];
};
P2PG_STRUCT_SIZE(struct p2pg_levels, 4 * P2PG_NEST_MAX);

/**
 * struct p2pg_dcache - a destination's class, remembered per CPU
 * (p2pg_dst_class() in bpf/p2pguard.bpf.c), in slot p2pg_dcache_slot().
 * @seq:        odd while a write is under way.
 * @busy:       set while a run writes the entry.
 * @generation: p2pg_config.generation the class was looked up under.
 * @family:     4 or 6; 0 for an empty entry.
 * @addr:       the destination, IPv4 in the first word.
 * @net_class:  enum p2pg_net_class.
 * @check:      p2pg_dcache_check() of the four fields above.
 */
struct p2pg_dcache {
	__u32 seq;
	__u32 busy;
	__u32 generation;
	__u32 family;
	__u32 addr[4];
	__u32 net_class;
	__u32 check;
};
P2PG_STRUCT_SIZE(struct p2pg_dcache, 40);

/* The slot of address @a (four words, IPv4 in the first). */
static __always_inline __u32 p2pg_dcache_slot(const __u32 a[4])
{
	_Static_assert(P2PG_DCACHE_SLOTS == 16, "the hash keeps 4 bits");
	return (a[0] ^ a[1] ^ a[2] ^ a[3]) * 0x9e3779b1u >> 28;
}

/*
 * A check word over an entry's fields, so that an entry mixed from two
 * writes is not used (p2pg_dst_class() says when that happens): one
 * product per field by its own odd constant (one-to-one, so an entry
 * whose fields differ from a write's in one field never matches), the
 * products xor'ed.  Independent products, not a chain: the common run
 * computes this on every cached destination, and six multiplications in
 * a row were most of its cost.  32-bit words only, for the 32-bit JITs.
 */
static __always_inline __u32 p2pg_dcache_check(__u32 gen, __u32 family,
					       const __u32 a[4], __u32 cls)
{
	__u32 h = (gen ^ 0x9e3779b9u) * 0x85ebca6bu ^
		  (family | cls << 8) * 0xc2b2ae35u ^
		  a[0] * 0x27d4eb2fu ^ a[1] * 0x165667b1u ^
		  a[2] * 0x9e3779b1u ^ a[3] * 0x85ebca77u;

	return h ^ h >> 16;
}

/* ---- the kernel module's policy blob (kmod/) ------------------------------
 *
 * Where no cgroup_skb program can run, p2pguardd hands the whole policy to
 * the kernel module as one blob, written to P2PG_DEV_PATH in a single
 * write(2).  The module checks every byte (common/p2pguard_blob.h) before it
 * swaps the blob in under RCU; a blob that fails is refused with EINVAL and
 * the old policy stays.  Host byte order: writer and reader are one machine.
 *
 * Layout: struct p2pg_blob_hdr, then the sections it points at, each at an
 * 8-byte aligned offset, in enum p2pg_blob_sec order, not overlapping.
 * Every section is sorted ascending without duplicates, so the module can
 * binary-search it in place; pad bytes are zero.
 */
#define P2PG_BLOB_MAGIC		0x47503250	/* "P2PG" in little endian */
#define P2PG_BLOB_MAX_SIZE	(16U << 20)
#define P2PG_DEV_NAME		"p2pguard"
#define P2PG_DEV_PATH		"/dev/p2pguard"
#define P2PG_SYSFS_DIR		"/sys/kernel/p2pguard"

enum p2pg_blob_sec {
	P2PG_SEC_PREFIX4 = 0,	/* struct p2pg_blob_prefix4 */
	P2PG_SEC_PREFIX6,	/* struct p2pg_blob_prefix6 */
	P2PG_SEC_NAMES,		/* __u64 p2pg_domain_hash() values */
	P2PG_SEC_PPPP,		/* struct p2pg_pppp_key, valid = 1 */
	P2PG_SEC_AGENT_CG,	/* __u64 cgroup ids */
	P2PG_SEC_AGENT_UID,	/* __u32 uids */
	P2PG_SEC__COUNT
};

/**
 * struct p2pg_blob_section - where one section is.
 * @off:   byte offset from the start of the blob, a multiple of 8.
 * @count: number of elements.
 */
struct p2pg_blob_section {
	__u32 off;
	__u32 count;
};
P2PG_STRUCT_SIZE(struct p2pg_blob_section, 8);

/**
 * struct p2pg_blob_hdr - start of a policy blob.
 * @magic:       P2PG_BLOB_MAGIC.
 * @abi_version: P2PG_ABI_VERSION.
 * @hdr_size:    sizeof(struct p2pg_blob_hdr).
 * @size:        bytes in the whole blob, header included.
 * @n_sec:       P2PG_SEC__COUNT.
 * @cfg:         the switch, as in p2pg_config (cfg.agents is ignored: the
 *               module knows from the agent sections).
 * @sec:         the sections.
 */
struct p2pg_blob_hdr {
	__u32 magic;
	__u16 abi_version;
	__u16 hdr_size;
	__u32 size;
	__u32 n_sec;
	struct p2pg_config cfg;
	struct p2pg_blob_section sec[P2PG_SEC__COUNT];
};
P2PG_STRUCT_SIZE(struct p2pg_blob_hdr, 64 + 8 * P2PG_SEC__COUNT);

/*
 * Prefix entries, sorted by prefix length descending, then address
 * ascending (memcmp): a longest-prefix match walks the lengths present,
 * longest first, with one binary search each.  Host bits are zero.
 */
struct p2pg_blob_prefix4 {
	__u8 addr[4];
	__u8 prefixlen;
	__u8 net_class;		/* enum p2pg_net_class, not WAN */
	__u8 pad[2];
};
P2PG_STRUCT_SIZE(struct p2pg_blob_prefix4, 8);

struct p2pg_blob_prefix6 {
	__u8 addr[16];
	__u8 prefixlen;
	__u8 net_class;
	__u8 pad[2];
};
P2PG_STRUCT_SIZE(struct p2pg_blob_prefix6, 20);

#endif /* P2PGUARD_ABI_H */
