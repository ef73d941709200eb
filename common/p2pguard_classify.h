/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * p2pguard_classify.h - every P2P signature and the verdict order, written
 * once as pure C over a byte window plus packet metadata.
 *
 * Included by: bpf/p2pguard.bpf.c (the cgroup_skb program),
 * common/p2pguard_path.h (the kernel module's path, and
 * tests/unit/test_kmod_path.c), tests/lib/native_env.c (the native tests,
 * the fuzzer and the benchmarks).  What needs no host (struct p2pg_meta,
 * the name hash, the verdict rule) is p2pguard_rules.h: include that
 * instead where nothing is classified.
 *
 * The includer supplies its host, the one way every shared header that
 * needs one takes it (p2pguard_parse.h and p2pguard_path.h too): it
 * defines P2PG_ENV to its environment's type before the first #include,
 * and after the #include the p2pg_env_*() functions the header declares,
 * each with the environment as first argument.  Here:
 *
 *   static __always_inline int
 *   p2pg_env_name_denied(P2PG_ENV *env, __u64 hash);
 *	is @hash (p2pg_name_hash_step()) a deny-listed name suffix?
 *   static __always_inline const struct p2pg_pppp_key *
 *   p2pg_env_pppp_key(P2PG_ENV *env, __u32 first_byte);
 *	the PPPP key whose ciphertext starts with @first_byte, or NULL;
 *   static __always_inline int
 *   p2pg_env_pppp_first(P2PG_ENV *env, const struct p2pg_config *cfg,
 *			 __u32 first_byte);
 *	is there such a key (the quick answer's question: the BPF program
 *	reads @cfg's pppp_first instead of the key map)?
 *
 * and, in struct p2pg_meta, everything else it knows of the packet, the
 * agent verdict included (P2PG_META_AGENT).  A BPF includer may also point
 * P2PG_FORGET at its own code (see there): it shapes the verifier's work
 * and changes no answer; elsewhere its default is plain C.
 *
 * The same text compiles into the BPF program, the kernel module (C89
 * style, for old kernels) and userspace.  Hence:
 *  - no BPF helper, no libc and no kernel API in here: the host loads the
 *    bytes;
 *  - every index into the window is masked with P2PG_WIN_MASK, so the BPF
 *    verifier can prove each access in bounds; callers check semantics
 *    (index < len) themselves;
 *  - loops have constant bounds.
 */
#ifndef P2PGUARD_CLASSIFY_H
#define P2PGUARD_CLASSIFY_H

#include "p2pguard_rules.h"

#ifndef P2PG_ENV
#error "p2pguard_classify.h: define P2PG_ENV (the host's environment) first"
#endif

#ifdef __bpf__
#define P2PG_UNROLL _Pragma("unroll")
#else
#define P2PG_UNROLL
#endif

/*
 * Every signature at a fixed offset (all the UDP ones but DNS and SSDP,
 * and the TCP framings) reads only the first P2PG_HEAD_SIZE payload bytes.
 */
#define P2PG_HEAD_SIZE	24

/**
 * struct p2pg_head - the first payload bytes: small enough for the BPF
 * stack, enough for the fixed-offset signatures.
 * @b:     the bytes; first, so that a BPF caller can load them as words.
 * @len:   valid bytes in @b: min(payload bytes in the window, P2PG_HEAD_SIZE).
 * @plain: BPF only, a constant where the head is made: index @b without
 *         the mask (P2PG_B()).  Set by p2pg_classify_head()'s callers.
 */
struct p2pg_head {
	__u8 b[P2PG_HEAD_SIZE];
	__u32 len;
	__u32 plain;
};

/* The host's policy look-ups (see the top of this file). */
static __always_inline int p2pg_env_name_denied(P2PG_ENV *env, __u64 hash);
static __always_inline const struct p2pg_pppp_key *
p2pg_env_pppp_key(P2PG_ENV *env, __u32 first_byte);
static __always_inline int p2pg_env_pppp_first(P2PG_ENV *env,
					       const struct p2pg_config *cfg,
					       __u32 first_byte);

/*
 * Window index, masked into range.  In BPF the mask is an asm statement:
 * clang would otherwise drop it where it can prove the index small through
 * reasoning the verifier cannot follow.
 */
static __always_inline __u32 p2pg_idx(__u32 i)
{
#ifdef __bpf__
	__u64 x = i;

	asm volatile("%0 &= 511" : "+r"(x));
	return x;
#else
	return i & P2PG_WIN_MASK;
#endif
}

_Static_assert(P2PG_WIN_MASK == 511, "p2pg_idx() hard-codes the mask");

/*
 * In BPF, a head with @plain set (p2pg_classify_head()'s, on the stack) is
 * indexed without the mask: every index into it is a constant once
 * inlined, which the verifier checks as a fixed offset, where the masked
 * form costs several instructions a byte, a large part of an ordinary
 * datagram's run (performance.rst).  p2pg_classify()'s head keeps it:
 * there the plain form made the verifier's work and the function's stack
 * grow past their limits.
 *
 * A head's mask is an asm statement without "volatile": clang may not
 * see through it either, but knows it touches no memory.  A volatile one
 * may, for all clang knows, so after each masked byte of the branch a
 * plain head never takes, @plain and @len were loaded again and the head
 * stayed in memory (internals.rst, "A plain head's mask").  p2pg_match()
 * keeps the volatile one: without it p2pguard_gso()'s stack outgrew 512
 * bytes.
 */
#ifdef __bpf__
#define P2PG_IS_HEAD(w) \
	__builtin_types_compatible_p(__typeof__(*(w)), struct p2pg_head)
#define P2PG_PLAIN(w) \
	__builtin_choose_expr(P2PG_IS_HEAD(w), \
			      ((const struct p2pg_head *)(w))->plain, 0)

static __always_inline __u32 p2pg_head_idx(__u32 i)
{
	__u64 x = i;

	asm("%0 &= 511" : "+r"(x));
	return x;
}
#else
#define P2PG_IS_HEAD(w)		0
#define P2PG_PLAIN(w)		0
#define p2pg_head_idx(i)	p2pg_idx(i)
#endif

/* Index @i into @w's bytes, masked unless @w is a plain head. */
#define P2PG_IDX(w, i) \
	(P2PG_PLAIN(w) ? (i) : P2PG_IS_HEAD(w) ? p2pg_head_idx(i) : p2pg_idx(i))

#define P2PG_B(w, i)	((w)->b[P2PG_IDX(w, i)])

/*
 * P2PG_FORGET(w, x): x, with everything the BPF verifier knew about it
 * forgotten.  A scan that can stop at any of 512 places would otherwise
 * leave 512 different states to verify the rest of the program with.  The
 * BPF includer defines it as a store and load through the window's forget
 * word; elsewhere it is x.
 */
#ifndef P2PG_FORGET
#define P2PG_FORGET(w, x) (x)
#endif

/* Hides a value from clang's idiom recognition (no-op natively). */
#ifdef __bpf__
#define P2PG_OPAQUE(x) asm volatile("" : "+r"(x))
#else
#define P2PG_OPAQUE(x) do { } while (0)
#endif

/*
 * 1 when d == 0, computed without a branch: BPF has no setcc, and a branch
 * inside a scan loop doubles the verifier's states at every byte.
 */
static __always_inline __u32 p2pg_is_zero(__u32 d)
{
	__u64 x = d, nx = -x;

	P2PG_OPAQUE(nx);
	return 1 ^ (__u32)(((x | nx) >> 63) & 1);
}

/* 1 when @a < @b (both below 2^63), without a branch (as p2pg_is_zero()). */
static __always_inline __u64 p2pg_lt(__u64 a, __u64 b)
{
	__u64 d = a - b;

	P2PG_OPAQUE(d);
	return d >> 63;
}

/*
 * @c (0 or 1) ? @x : @y, without a branch (BPF has no select either).  A
 * product, not a mask: newer verifiers fork their state on "mask & K"
 * with the mask in [-1, 0].
 */
static __always_inline __u64 p2pg_sel(__u64 c, __u64 x, __u64 y)
{
	P2PG_OPAQUE(c);
	return y + c * (x - y);
}

/*
 * Multi-byte fields, over a window or a head (anything with ->b); the
 * offsets are masked like every other index.
 */
#define P2PG_BE16(w, off) \
	(((__u32)P2PG_B(w, off) << 8) | P2PG_B(w, (off) + 1))
#define P2PG_LE16(w, off) \
	(((__u32)P2PG_B(w, (off) + 1) << 8) | P2PG_B(w, off))
#define P2PG_BE32(w, off) \
	((P2PG_BE16(w, off) << 16) | P2PG_BE16(w, (off) + 2))
#define P2PG_LE32(w, off) \
	((P2PG_LE16(w, (off) + 2) << 16) | P2PG_LE16(w, off))

#define P2PG_C4(a, b, c, d) \
	(((__u32)(a) << 24) | ((__u32)(b) << 16) | ((__u32)(c) << 8) | (__u32)(d))

/*
 * Compare the bytes @b[@off..] (@len of them valid) with the first @n
 * bytes of @s, optionally case-folding @b (c | 0x20: @s must then be lower
 * case, digits and ":-./", which that leaves alone).  @s and @n are
 * constants at every call site, so with the loop unrolled the string
 * becomes immediates (no .rodata).  Use p2pg_match() on a window or head.
 */
static __always_inline int p2pg_match_bytes(const __u8 *b, __u32 len,
					    __u32 off, const char *s, __u32 n,
					    int fold, int plain)
{
	__u32 k;

	if (off + n > len)
		return 0;
	P2PG_UNROLL
	for (k = 0; k < n; k++) {
		__u8 c = b[plain ? off + k : p2pg_idx(off + k)];

		if (fold)
			c |= 0x20;
		if (c != (__u8)s[k])
			return 0;
	}
	return 1;
}

#define p2pg_match(w, off, s, n, fold) \
	p2pg_match_bytes((w)->b, (w)->len, off, s, n, fold, P2PG_PLAIN(w))

/*
 * Find the 4-byte big-endian @pattern in w[start, len); returns the offset
 * just past its first occurrence, or 0.  A rolling register makes it one
 * pass; the body has no branch (see p2pg_is_zero()).  With @fold, window
 * bytes are ORed with 0x20 and @pattern must be folded likewise.
 */
static __always_inline __u32 p2pg_find4(const struct p2pg_win *w, __u32 start,
					__u32 pattern, int fold)
{
	__u32 r = 0, i, found = 0, len = w->len;

	for (i = 0; i < P2PG_WIN_SIZE; i++) {
		__u32 c, hit;

		if (i >= len)
			break;
		if (i < start)
			continue;
		c = P2PG_B(w, i);
		if (fold)
			c |= 0x20;
		r = (r << 8) | c;
		if (i < start + 3)
			continue;
		hit = p2pg_is_zero(r ^ pattern) & p2pg_is_zero(found);
		found += hit * (i + 1);
	}
	return P2PG_FORGET(w, found);
}

/* ---- DNS ---------------------------------------------------------------- */

/* Shortest query a strict parse takes: header, a 1-byte label, types. */
#define P2PG_DNS_MIN		(12 + 3 + 4)

/*
 * Does a DNS message of @plen bytes whose first 12 bytes are the words
 * @a, @b, @c (big-endian) and whose byte 12 is @b12 start like a query
 * whose questions the classifier reads?  The header: QR 0, opcode QUERY,
 * no AA or TC (RD may be set); RA, Z and RCODE 0 (AD and CD may be set);
 * QDCOUNT 1..P2PG_DNS_QD_MAX; ANCOUNT and NSCOUNT 0; ARCOUNT 0 or 1
 * (EDNS); the first name starts with a label.  Over a head, the
 * necessary condition for p2pg_dns()'s strict form (the BPF
 * program then reads the window).
 */
static __always_inline int p2pg_dns_hdr_like(__u32 plen, __u32 a, __u32 b,
					     __u32 c, __u32 b12)
{
	/* Without a branch: one BPF verifier state out of it. */
	return (1 ^ p2pg_lt(plen, P2PG_DNS_MIN)) & p2pg_is_zero(a & 0xfecf) &
	       (1 ^ p2pg_is_zero(b >> 16)) &
	       p2pg_lt(b >> 16, P2PG_DNS_QD_MAX + 1) &
	       p2pg_is_zero(b & 0xffff) & p2pg_is_zero(c >> 16) &
	       p2pg_lt(c & 0xffff, 2) & (1 ^ p2pg_is_zero(b12)) &
	       p2pg_lt(b12, 64);
}

/*
 * p2pg_dns_hdr_like() over the first bytes of a window or head (which
 * are there to read, valid or not).
 */
#define p2pg_dns_head_like(w, plen)					\
	(p2pg_lt(12, (w)->len) &					\
	 p2pg_dns_hdr_like((plen), P2PG_BE32(w, 0), P2PG_BE32(w, 4),	\
			   P2PG_BE32(w, 8), P2PG_B(w, 12)))

/* p2pg_dns() */
#define P2PG_DNS_NOT		0	/* not a query it reads */
#define P2PG_DNS_CLEAN		1	/* every question judged, none listed */
#define P2PG_DNS_PARTIAL	2	/* a query not every question of which
					 * could be judged */
#define P2PG_DNS_LISTED		3	/* a question names a listed name */
/* Inside p2pg_dns() only: every question of a UDP query read. */
#define P2PG_DNS__READ		4

/*
 * Steps of p2pg_dns()'s walk, a bound it never reaches: one per TCP
 * message and one past the last, one per question.
 */
#define P2PG_DNS_STEPS \
	(P2PG_DNS_TCP_MSGS + 1 + P2PG_DNS_TCP_MSGS * P2PG_DNS_QD_MAX)

/* struct p2pg_dns_walk's end: the chain runs past the window. */
#define P2PG_DNS_OUT		0xffff

/*
 * p2pg_dns()'s verdict on a UDP query every question of which was read,
 * the last ending before @at; strict (@msg_len): the message ends there,
 * or after one EDNS OPT record.
 */
static __always_inline __u32 p2pg_dns_end(const struct p2pg_win *w,
					  __u32 at, __u32 more, __u32 msg_len)
{
	if (!msg_len)
		return more ? P2PG_DNS_PARTIAL : P2PG_DNS_CLEAN;
	if (P2PG_B(w, 11) == 0)
		return at == msg_len ? P2PG_DNS_CLEAN : P2PG_DNS_NOT;
	if (at + 11 > w->len || P2PG_B(w, at) != 0 ||
	    P2PG_BE16(w, at + 1) != 41 ||
	    at + 11 + P2PG_BE16(w, at + 9) != msg_len)
		return P2PG_DNS_NOT;
	return P2PG_DNS_CLEAN;
}

/**
 * p2pg_dns() - judge the DNS queries of the window.
 * @env:     environment (the name look-ups).
 * @cw:      the window; its @dns member is the walk's scratch.
 * @tcp:     1: the window is a DNS-over-TCP stream from the start of a
 *           message on (RFC 1035 4.2.2: each message after a BE16 length).
 * @msg_len: UDP: 0 for a query to port 53; else the datagram's length,
 *           and the message must parse strictly (p2pg_dns_head_like(),
 *           QTYPE 1..259, QCLASS IN or IN with the mDNS unicast bit,
 *           nothing after the questions but one EDNS OPT record, ending
 *           exactly at @msg_len) to count as a query at all.
 *
 * A query's header: QR 0, opcode QUERY, at least one question; up to
 * P2PG_DNS_QD_MAX questions are read, one after the other.  A question's
 * name is a chain of labels, lengths 1..63, ending in the root label and
 * at most P2PG_DNS_NAME_MAX bytes; a compression pointer or any other
 * length byte, or a name not whole in the window, leaves the question
 * (and those after it) unread.  A name whose suffix from some label on
 * is listed (p2pg_env_name_denied() over p2pg_name_hash_step(), taken
 * from the root label backwards) is listed.  To port 53 a listed name
 * decides, even with its QTYPE cut off; a question unread before it makes
 * the query P2PG_DNS_PARTIAL.  Over TCP each message of the window is
 * such a query (its length does not bound its questions); one whose
 * questions are not whole in the window is judged with the next segment
 * (its connection keeps it, p2pg_flow_after()), and a window with more
 * than P2PG_DNS_TCP_MSGS messages holds no real DNS stream: it counts as
 * listed (while P2P is off the connection is cut).
 *
 * No loop inside a loop, for the BPF verifier; three flat ones.  First,
 * back from the window's length to byte 12, where the chain of labels
 * from each byte stops (@dns.end: that of the byte one label on, or the
 * byte itself).
 * Then the walk, one step per message header or question, each name
 * read in one look-up there; a whole, well-formed name is recorded by
 * its root label (@dns.span).  Last, back from the highest root label
 * recorded (@dns.named is one past it), every byte is hashed, afresh
 * from each zero byte, and the hash looked up wherever the byte could be
 * a label length (1..63) and a recorded name ending at the next zero
 * byte covers it.  At a real label start that is the hash of the name's
 * suffix from there.  (Inside a label the only host-name bytes in 1..63
 * are '-' and the digits; a match there needs the bytes that follow to
 * spell a listed name's wire form.)  A name with a zero byte inside a
 * label has, below that byte, suffixes no listed name's wire form
 * equals; they are not looked up.
 *
 * Return: P2PG_DNS_*; over TCP, P2PG_DNS_LISTED or P2PG_DNS_CLEAN.
 */
static __always_inline __u32 p2pg_dns(P2PG_ENV *env,
				      const struct p2pg_win *cw, __u64 tcp,
				      __u64 msg_len)
{
	/* Scratch, written through the window as its forget word is. */
	struct p2pg_dns_walk *d = &((struct p2pg_win *)cw)->dns;
	const struct p2pg_win *w = cw;
	__u64 len = w->len, at = 0, hdr = 1, i, c, e, n;
	/* Not reached (P2PG_DNS_STEPS): fails closed all the same. */
	__u64 r = P2PG_DNS_LISTED;
	__u64 h = P2PG_FNV64_OFFSET;

	/*
	 * Most datagrams p2pg_dns_judge() sends here are no query at all
	 * (any UDP to the Internet): the first header, read before anything
	 * else (over TCP a later message may still be one).
	 */
	if (tcp ? !p2pg_lt(2 + 12, len) :
	    !(p2pg_lt(12, len) & p2pg_is_zero(P2PG_B(w, 2) & 0xf8) &
	      (1 ^ p2pg_is_zero(P2PG_BE16(w, 4))) &
	      (p2pg_is_zero(msg_len) | p2pg_dns_head_like(w, msg_len))))
		return tcp ? P2PG_DNS_CLEAN : P2PG_DNS_NOT;
	/*
	 * Back from @len, nothing above it (the selects below keep those
	 * bytes out), down to byte 12: no name starts in the first header,
	 * and the walk reads no chain from there.  The break tests a copy
	 * of @len the BPF verifier knows nothing of and which is dead after
	 * the loop: its 512 exits, each with its own range for the copy,
	 * meet as one state.  (A break on @len itself left a range per
	 * exit, and the walk was verified from each.)
	 */
	n = P2PG_FORGET(w, len);
	for (i = 1; i <= P2PG_WIN_SIZE; i++) {
		__u64 lab, next;

		if (i + 12 > n)
			break;
		at = n - i;
		c = P2PG_B(w, at);
		lab = (1 ^ p2pg_is_zero(c)) & p2pg_lt(c, 64);
		next = at + c + 1;
		e = p2pg_sel(p2pg_lt(next, len), d->end[p2pg_idx(next)],
			     P2PG_DNS_OUT);
		d->end[p2pg_idx(at)] = p2pg_sel(lab, e, at);
		d->span[p2pg_idx(at)] = 0;
	}
	at = 0;
	d->o = 0;
	d->ql = 0;
	d->more = 0;
	d->msgs = 0;
	d->named = 0;
	d->strict = p2pg_is_zero(msg_len) | p2pg_dns_head_like(w, msg_len);
	d->tcp = tcp;
	d->msg_len = msg_len;
	/*
	 * Every case of a step computed and the right one selected: the
	 * one branch, when the walk is done, keeps the BPF verifier to one
	 * state per step.  In 64 bits: no zero-extension (values stay far
	 * below 2^63, p2pg_lt()).
	 */
	for (i = 0; i < P2PG_DNS_STEPS; i++) {
		__u64 base, qd, ok, end, rec, qok, last, done, rn, v, o, t;
		__u64 stream = d->tcp, strict_len = d->msg_len;

		/* hdr: a message's header (over TCP, after its length). */
		o = d->o;
		base = p2pg_sel(stream, o + 2, 0);
		end = stream & (1 ^ p2pg_lt(o + 2 + 12, len));
		qd = P2PG_BE16(w, base + 4);
		ok = p2pg_lt(base + 12, len) &
		     p2pg_is_zero(P2PG_B(w, base + 2) & 0xf8) &
		     (1 ^ p2pg_is_zero(qd)) & d->strict;
		/* Else a question at @at: its name ends at @e. */
		e = p2pg_sel(p2pg_lt(at, len), d->end[p2pg_idx(at)],
			     P2PG_DNS_OUT);
		rec = p2pg_lt(e, len) & p2pg_is_zero(P2PG_B(w, e)) &
		      p2pg_lt(at, e) & p2pg_lt(e - at, P2PG_DNS_NAME_MAX);
		v = d->span[p2pg_idx(e)];
		d->span[p2pg_idx(e)] = p2pg_sel((1 ^ hdr) & rec &
						 p2pg_lt(v, e - at), e - at, v);
		/* One past the highest root recorded: where hashing starts. */
		t = (1 ^ hdr) & rec & p2pg_lt(d->named, e + 1);
		d->named = p2pg_sel(t, e + 1, d->named);
		/* QTYPE and QCLASS whole; strict: plausible. */
		t = P2PG_BE16(w, e + 1);
		qok = rec & (1 ^ p2pg_lt(len, e + 5)) &
		      (p2pg_is_zero(strict_len) |
		       ((1 ^ p2pg_is_zero(t)) & p2pg_lt(t, 260) &
			p2pg_is_zero((P2PG_BE16(w, e + 3) & 0x7fff) ^ 1)));
		last = qok & p2pg_is_zero(d->ql - 1);
		/*
		 * Done: UDP at a header not a query, a question unread or
		 * the last one read; TCP past the last message, or at a
		 * message too many.
		 */
		v = (1 ^ end) & p2pg_is_zero(d->msgs ^ P2PG_DNS_TCP_MSGS);
		done = p2pg_sel(hdr, p2pg_sel(stream, end | v, 1 ^ ok),
				(1 ^ stream) & ((1 ^ qok) | last));
		rn = p2pg_sel(hdr,
			      p2pg_sel(stream, p2pg_sel(end, P2PG_DNS_CLEAN,
						     P2PG_DNS_LISTED),
				       P2PG_DNS_NOT),
			      p2pg_sel(last, P2PG_DNS__READ,
				       p2pg_sel(p2pg_is_zero(strict_len),
						P2PG_DNS_PARTIAL,
						P2PG_DNS_NOT)));
		r = p2pg_sel(done, rn, r);
		if (done)
			break;
		/* The next step. */
		d->msgs += hdr & stream;
		d->o = p2pg_sel(hdr & stream, base + P2PG_BE16(w, o), o);
		d->ql = p2pg_sel(hdr,
				 p2pg_sel(p2pg_lt(qd, P2PG_DNS_QD_MAX), qd,
					  P2PG_DNS_QD_MAX),
				 d->ql - qok);
		d->more = p2pg_sel(hdr, p2pg_lt(P2PG_DNS_QD_MAX, qd), d->more);
		at = p2pg_sel(hdr, base + 12, e + 5);
		/* Back to a header: over TCP, after a message. */
		hdr = p2pg_sel(hdr, 1 ^ ok, (1 ^ qok) | last);
	}
	/* The same state after every step that ends the walk. */
	r = P2PG_FORGET(w, r);
	e = P2PG_FORGET(w, e);
	if (r == P2PG_DNS__READ)
		r = p2pg_dns_end(w, e + 5, d->more, d->msg_len);
	/* Strict: names count only in a query that parsed. */
	if (!d->named || r == P2PG_DNS_LISTED ||
	    (d->msg_len && r != P2PG_DNS_CLEAN))
		return r;
	/* One state into the hashing, whatever the verdict so far. */
	r = P2PG_FORGET(w, r);
	hdr = len;	/* now the lowest byte the names ending above cover */
	/* As the first loop: every recorded name lies in [12, @named). */
	n = P2PG_FORGET(w, d->named);
	for (i = 1; i <= P2PG_WIN_SIZE; i++) {
		__u64 z, look;

		if (i + 12 > n)
			break;
		at = n - i;
		c = P2PG_B(w, at);
		z = p2pg_is_zero(c);
		hdr = p2pg_sel(z, at - d->span[p2pg_idx(at)], hdr);
		h = p2pg_sel(z, P2PG_FNV64_OFFSET, p2pg_name_hash_step(h, c));
		look = (1 ^ z) & (1 ^ p2pg_lt(at, hdr)) & p2pg_lt(c, 64);
		/* A few look-ups a name, none outside the recorded ones. */
		if (look && p2pg_env_name_denied(env, h))
			r |= P2PG_DNS_LISTED;
	}
	return r;
}

/**
 * p2pg_dns_tcp_next() - where the first DNS message not yet whole starts.
 * @w:     as for p2pg_dns() over TCP.
 * @total: the stream's bytes from the window's start to the segment's end.
 *
 * Return: its offset from the window's start, @total or more when every
 * message is whole; where a length field lies beyond the window, the
 * message that starts there.
 */
static __always_inline __u32 p2pg_dns_tcp_next(const struct p2pg_win *w,
					       __u32 total)
{
	__u32 o = 0, k, n;

	for (k = 0; k < P2PG_DNS_TCP_MSGS; k++) {
		if (o + 2 > w->len)
			break;
		n = o + 2 + P2PG_BE16(w, o);
		if (n > total)
			break;
		o = n;
	}
	return o;
}

/* ---- router-opening requests (allowed LAN destinations) --------------- */

/* SSDP M-SEARCH whose ST asks for an Internet gateway. */
static __always_inline int p2pg_ssdp_igd(const struct p2pg_win *w)
{
	__u32 at, k;

	if (!p2pg_match(w, 0, "M-SEARCH", 8, 0))
		return 0;
	at = p2pg_find4(w, 8, P2PG_C4('\n' | 0x20, 's', 't', ':'), 1);
	if (!at)
		return 0;
	P2PG_UNROLL
	for (k = 0; k < 4; k++)
		if (at < w->len &&
		    (P2PG_B(w, at) == ' ' || P2PG_B(w, at) == '\t'))
			at++;
	if (!p2pg_match(w, at, "urn:schemas-upnp-org:", 21, 1))
		return 0;
	at += 21;
	return p2pg_match(w, at, "device:internetgatewaydevice:", 29, 1) ||
	       p2pg_match(w, at, "service:wanipconnection:", 24, 1) ||
	       p2pg_match(w, at, "service:wanpppconnection:", 25, 1);
}

/*
 * UPnP IGD SOAP requests that open the router: AddPortMapping,
 * AddAnyPortMapping (IGD v2) and AddPinhole (IPv6 firewall control).  The
 * SOAPAction header ("...#AddPortMapping") is the first "#Add" in them.
 */
static __always_inline int p2pg_upnp_add_mapping(const struct p2pg_win *w)
{
	__u32 at;

	if (!p2pg_match(w, 0, "POST ", 5, 0))
		return 0;
	at = p2pg_find4(w, 5, P2PG_C4('#', 'A', 'd', 'd'), 0);
	if (!at)
		return 0;
	return p2pg_match(w, at, "PortMapping", 11, 0) ||
	       p2pg_match(w, at, "AnyPortMapping", 14, 0) ||
	       p2pg_match(w, at, "Pinhole", 7, 0);
}

/* NAT-PMP (version 0) and PCP (version 2) requests to UDP 5351. */
static __always_inline int p2pg_natpmp(const struct p2pg_meta *m,
				       const struct p2pg_head *h)
{
	__u8 v;

	if (m->dport != 5351 || m->payload_len < 2 || h->len < 2)
		return 0;
	v = P2PG_B(h, 0);
	/* Requests only: the R bit (0x80 in byte 1) marks responses. */
	return (v == 0 || v == 2) && !(P2PG_B(h, 1) & 0x80);
}

/* @w may be NULL: see p2pg_decide(). */
static __always_inline __u32 p2pg_router_opening(const struct p2pg_meta *m,
						 const struct p2pg_win *w,
						 const struct p2pg_head *h)
{
	if (m->l4proto == P2PG_IPPROTO_UDP) {
		if (p2pg_natpmp(m, h))
			return P2PG_R_NATPMP;
		if (w && m->dport == 1900 && p2pg_ssdp_igd(w))
			return P2PG_R_UPNP_IGD;
	} else if (m->l4proto == P2PG_IPPROTO_TCP) {
		if (w && !(m->flags & P2PG_META_FLOW_CLEAN) &&
		    p2pg_upnp_add_mapping(w))
			return P2PG_R_UPNP_MAP;
	}
	return P2PG_R_NONE;
}

/* ---- UDP signatures ----------------------------------------------------- */

/*
 * PPPP message types (CS2 and its Yi and iLnk forks) as a 256-bit set: the
 * pppp.fdesc table plus the iLnk MGM/VGW ranges.  A type outside the set
 * makes an F1 packet not PPPP, which keeps the length check honest.
 */
static __always_inline int p2pg_pppp_type_known(__u32 t)
{
	__u64 m;

	t &= 0xff;
	if (t < 64)
		m = 0x2f0043037f030fULL;
	else if (t < 128)
		m = 0x1ff078f0000000fULL;
	else if (t < 192)
		m = 0x1fffffff001700bfULL;
	else
		m = 0x3f100030103007fULL;
	return (m >> (t & 63)) & 1;
}

/* CS2 PPPP in clear: F1 <known type> <BE16 length = payload - 4>. */
static __always_inline int p2pg_pppp_plain(const struct p2pg_meta *m,
					   const struct p2pg_head *h)
{
	return m->payload_len >= 4 && h->len >= 4 && P2PG_B(h, 0) == 0xf1 &&
	       p2pg_pppp_type_known(P2PG_B(h, 1)) &&
	       P2PG_BE16(h, 2) == m->payload_len - 4;
}

/*
 * CS2 PPPP scrambled with a known PSK.  The scramble is a chained XOR:
 * plain[i] = c[i] ^ dec[c[i-1]] with c[-1] = 0, so the first ciphertext
 * byte names the key and three table reads decode the header.
 */
static __always_inline int p2pg_pppp_scrambled(P2PG_ENV *env,
					       const struct p2pg_meta *m,
					       const struct p2pg_head *h)
{
	const struct p2pg_pppp_key *key;
	__u8 c0, c1, c2, c3;
	__u32 len;

	if (m->payload_len < 4 || h->len < 4)
		return 0;
	c0 = P2PG_B(h, 0);
	c1 = P2PG_B(h, 1);
	c2 = P2PG_B(h, 2);
	c3 = P2PG_B(h, 3);
	key = p2pg_env_pppp_key(env, c0);
	if (!key || !key->valid)
		return 0;
	if ((__u8)(c0 ^ key->dec[0]) != 0xf1)
		return 0;
	if (!p2pg_pppp_type_known(c1 ^ key->dec[c0]))
		return 0;
	len = ((__u32)(__u8)(c2 ^ key->dec[c1]) << 8) |
	      (__u8)(c3 ^ key->dec[c2]);
	return len == m->payload_len - 4;
}

/* iLnkP2P's own messages: A1 {00,01,02,04,06} <BE16 len>, and F2 10 00 00. */
static __always_inline int p2pg_ilnk(const struct p2pg_meta *m,
				     const struct p2pg_head *h)
{
	__u8 t;

	if (m->payload_len < 4 || h->len < 4)
		return 0;
	if (P2PG_B(h, 0) == 0xf2)
		return P2PG_B(h, 1) == 0x10 && P2PG_BE16(h, 2) == 0 &&
		       m->payload_len == 4;
	if (P2PG_B(h, 0) != 0xa1)
		return 0;
	t = P2PG_B(h, 1);
	if (t != 0 && t != 1 && t != 2 && t != 4 && t != 6)
		return 0;
	return P2PG_BE16(h, 2) == m->payload_len - 4;
}

static __always_inline __u32 p2pg_rotl32(__u32 x, __u32 n)
{
	return (x << n) | (x >> (32 - n));
}

/*
 * The magic half of p2pg_tutk()'s test alone: q0's low 16 bits are 0x0204
 * exactly when x0's bits 0..14 are 0x0102 and its bit 31 is clear, that is
 * t[11] = 0x02 ^ 'C' = 0x41 and t[9] & 0x7f = 0x01 ^ 'h' = 0x69 (and t[15]'s
 * top bit clear, left out here): two bytes of the first rotated word.  One
 * word, a rotation and a mask: an ordinary datagram fails it.
 */
static __always_inline int p2pg_tutk_magic(const struct p2pg_meta *m,
					   const struct p2pg_head *h)
{
	if (m->payload_len < 16 || h->len < 16)
		return 0;
	return (p2pg_rotl32(P2PG_LE32(h, 8), 11) & 0xff007f00) == 0x41006900;
}

/*
 * ThroughTek TUTK/Kalay IOTC: undo the unkeyed 16-byte "Charlie" TransCode
 * just far enough for bytes 0, 1, 4 and 5 of the header, which depend on
 * wire bytes 8..15 only.  Inverse block transform: rotate words left by
 * 3/7/11/15, apply the (self-inverse) byte shuffle, XOR "Charlie is the d",
 * rotate words left by 1/5/9/13.  Header: 04 02 ... LE16 length = len - 16.
 */
static __always_inline int p2pg_tutk(const struct p2pg_meta *m,
				     const struct p2pg_head *h)
{
	__u32 t2, t3, x0, x1, q0, q1;

	if (!p2pg_tutk_magic(m, h))
		return 0;
	/*
	 * Bytes 8..15 of the rotated block are t2's and t3's; named
	 * P2PG_TB(), not copied to an array, which cost 16 bytes of the BPF
	 * stack budget.
	 */
#define P2PG_TB(x, i)	((__u32)(__u8)((x) >> (8 * (i))))
	t2 = p2pg_rotl32(P2PG_LE32(h, 8), 11);
	t3 = p2pg_rotl32(P2PG_LE32(h, 12), 15);
	/* shuffle dst[k] = src[{11,9,8,15,13,10,12,14,...}[k]], then XOR. */
	x0 = (P2PG_TB(t2, 3) ^ 'C') | (P2PG_TB(t2, 1) ^ 'h') << 8 |
	     (P2PG_TB(t2, 0) ^ 'a') << 16 | (P2PG_TB(t3, 3) ^ 'r') << 24;
	x1 = (P2PG_TB(t3, 1) ^ 'l') | (P2PG_TB(t2, 2) ^ 'i') << 8 |
	     (P2PG_TB(t3, 0) ^ 'e') << 16 | (P2PG_TB(t3, 2) ^ ' ') << 24;
#undef P2PG_TB
	q0 = p2pg_rotl32(x0, 1);
	q1 = p2pg_rotl32(x1, 5);
	return (q0 & 0xffff) == 0x0204 && (q1 & 0xffff) == m->payload_len - 16;
}

/* Reolink BcUdp: LE32 magic 0x2a87cf3a/20/10 at offset 0. */
static __always_inline int p2pg_reolink(const struct p2pg_meta *m,
					const struct p2pg_head *h)
{
	__u32 magic;

	if (m->payload_len < 20 || h->len < 20)
		return 0;
	magic = P2PG_LE32(h, 0);
	if (magic == 0x2a87cf3a)	/* discovery: LE32 payload size at 4 */
		return P2PG_LE32(h, 4) == m->payload_len - 20;
	return magic == 0x2a87cf20 || magic == 0x2a87cf10;
}

/* STUN/TURN (RFC 5389): cookie 2112A442 at 4, type top bits 00, length. */
static __always_inline int p2pg_stun_at(const struct p2pg_head *h, __u32 off,
					__u32 msg_len, int exact, int inverted)
{
	__u32 inv = inverted ? 0xffffffff : 0, len;

	if (off + 20 > h->len || msg_len < 20)
		return 0;
	if ((P2PG_BE32(h, off + 4) ^ inv) != 0x2112a442)
		return 0;
	if ((P2PG_B(h, off) ^ inv) & 0xc0)
		return 0;
	len = (P2PG_BE16(h, off + 2) ^ inv) & 0xffff;
	if (len & 3)
		return 0;
	return exact ? len == msg_len - 20 : len <= msg_len - 20;
}

/*
 * Classic STUN (RFC 3489, no magic cookie): a Binding Request (0x0001) or
 * Shared Secret Request (0x0002), its BE16 length the payload's (@plen)
 * less the 20-byte header, a multiple of 4; @a is the first word,
 * big-endian.  Over a head, the necessary condition for p2pg_stun3489();
 * a message of exactly 20 bytes (no attributes) it decides alone.
 */
static __always_inline int p2pg_stun3489_hdr_like(__u32 plen, __u32 a)
{
	return plen >= 20 && (a >> 16) - 1 < 2 && (a & 0xffff) == plen - 20 &&
	       !(a & 3);
}

#define p2pg_stun3489_head_like(w, plen)				\
	((w)->len >= 4 && p2pg_stun3489_hdr_like((plen), P2PG_BE32(w, 0)))

/*
 * RFC 3489 attribute @t of @len bytes in a request: the known types with
 * their lengths (IPv4 addresses 8, CHANGE-REQUEST 4, MESSAGE-INTEGRITY
 * 20), the rest a multiple of 4; plus what the Vovida stun client and
 * servers of its time add: XOR-MAPPED-ADDRESS (0x0020, 0x8020), XOR-ONLY
 * (0x0021, empty) and SERVER (0x8022).
 */
static __always_inline int p2pg_stun3489_attr(__u32 t, __u32 len)
{
	if (len & 3)
		return 0;
	switch (t) {
	case 0x0001: case 0x0002: case 0x0004: case 0x0005: case 0x000b:
	case 0x0020: case 0x8020:
		return len == 8;
	case 0x0003:
		return len == 4;
	case 0x0008:
		return len == 20;
	case 0x0021:
		return len == 0;
	case 0x0006: case 0x0007: case 0x0009: case 0x000a: case 0x8022:
		return 1;
	}
	return 0;
}

/*
 * p2pg_stun3489_head_like(), then the attributes: type-length-value
 * records, each p2pg_stun3489_attr(), walking exactly to the end of the
 * payload, which must be whole in the window.  Attributes start at offset
 * 20, so only a 20-byte message is decided over a head (@w NULL).
 */
static __always_inline int p2pg_stun3489(const struct p2pg_meta *m,
					 const struct p2pg_win *w,
					 const struct p2pg_head *h)
{
	__u32 at = 20, end = m->payload_len, i, t, n;

	if (!p2pg_stun3489_head_like(h, end))
		return 0;
	if (end == 20)
		return 1;
	if (!w || end > w->len)
		return 0;
	for (i = 0; i < (P2PG_WIN_SIZE - 20) / 4; i++) {
		if (at == end)
			return 1;
		if (at + 4 > end)
			return 0;
		t = P2PG_BE16(w, at);
		n = P2PG_BE16(w, at + 2);
		if (!p2pg_stun3489_attr(t, n))
			return 0;
		/* One state per step, whichever attribute it was. */
		at = P2PG_FORGET(w, at + 4 + n);
		if (at > end)
			return 0;
	}
	return 0;
}

/* Dahua P2P: DHGET/DHPOST text over UDP, PTCP tunnel, bit-inverted STUN. */
static __always_inline int p2pg_dahua(const struct p2pg_meta *m,
				      const struct p2pg_head *h)
{
	if (p2pg_match(h, 0, "DHGET ", 6, 0) || p2pg_match(h, 0, "DHPOST", 6, 0))
		return 1;
	if (m->payload_len >= 24 && p2pg_match(h, 0, "PTCP", 4, 0))
		return 1;
	return m->l4proto == P2PG_IPPROTO_UDP &&
	       p2pg_stun_at(h, 0, m->payload_len, 1, 1);
}

/* Gwell/IoTVideo GUTES: 7E/7F <subtype> <LE16 total length = len>. */
static __always_inline int p2pg_gwell(const struct p2pg_meta *m,
				      const struct p2pg_head *h)
{
	__u8 b0;

	if (m->payload_len < 24 || h->len < 24)
		return 0;
	b0 = P2PG_B(h, 0);
	return (b0 == 0x7e || b0 == 0x7f) && P2PG_LE16(h, 2) == m->payload_len;
}

static __always_inline int p2pg_rdv_port(__u16 port)
{
	return port == 32100 || port == 10001 || port == 51701 ||
	       port == 8800 || port == 9999;
}

/* @w may be NULL: see p2pg_decide(). */
static __always_inline __u32 p2pg_udp_signatures(P2PG_ENV *env,
						 const struct p2pg_meta *m,
						 const struct p2pg_win *w,
						 const struct p2pg_head *h)
{
	if (p2pg_pppp_plain(m, h))
		return P2PG_R_PPPP;
	if (p2pg_ilnk(m, h))
		return P2PG_R_ILNK;
	if (p2pg_pppp_scrambled(env, m, h))
		return P2PG_R_PPPP_SCRAMBLED;
	if (p2pg_tutk(m, h))
		return P2PG_R_TUTK;
	if (p2pg_reolink(m, h))
		return P2PG_R_REOLINK;
	if (p2pg_dahua(m, h))
		return P2PG_R_DAHUA;
	if (p2pg_gwell(m, h))
		return P2PG_R_GWELL;
	if (p2pg_stun_at(h, 0, m->payload_len, 1, 0) ||
	    p2pg_stun3489(m, w, h))
		return P2PG_R_STUN;
	if (p2pg_rdv_port(m->dport))
		return P2PG_R_RDV_PORT;
	return P2PG_R_NONE;
}

/*
 * First payload bytes a UDP signature with a fixed first byte can start
 * with: PPPP F1, iLnk A1 and F2, Reolink 10/20/3A, Dahua 'D' (DHGET,
 * DHPOST) and 'P' (PTCP), Gwell 7E/7F.  A 256-bit set, one word per
 * quarter.
 */
#define P2PG_FB(b)	(1ULL << ((b) & 63))
#define P2PG_FIRST_BYTES_0	(P2PG_FB(0x10) | P2PG_FB(0x20) | P2PG_FB(0x3a))
#define P2PG_FIRST_BYTES_1	(P2PG_FB('D') | P2PG_FB('P') | P2PG_FB(0x7e) | \
				 P2PG_FB(0x7f))
#define P2PG_FIRST_BYTES_2	P2PG_FB(0xa1)
#define P2PG_FIRST_BYTES_3	(P2PG_FB(0xf1) | P2PG_FB(0xf2))

static __always_inline int p2pg_udp_first_byte(__u32 b)
{
	__u64 m;

	b &= 0xff;
	if (b < 64)
		m = P2PG_FIRST_BYTES_0;
	else if (b < 128)
		m = P2PG_FIRST_BYTES_1;
	else if (b < 192)
		m = P2PG_FIRST_BYTES_2;
	else
		m = P2PG_FIRST_BYTES_3;
	return (m >> (b & 63)) & 1;
}

/**
 * p2pg_udp_may_match() - could p2pg_classify() find anything here?
 * @env: environment (the scrambled-PPPP keys).
 * @cfg: the switch (p2pg_env_pppp_first()).
 * @m:   packet metadata.
 * @h:   the head.
 *
 * A necessary condition for every UDP signature, at a fraction of their
 * cost: the rendezvous ports; a first byte some signature starts with;
 * the STUN cookie, plain or bit-inverted (Dahua); TUTK's magic; a head
 * that starts a DNS query or a classic STUN request
 * (p2pg_head_wants_window()); a scrambled-PPPP key for the first byte.
 *
 * Return: 0 only when p2pg_udp_signatures() and the any-port DNS check
 * find nothing, over the head and over the window alike.
 */
static __always_inline int p2pg_udp_may_match(P2PG_ENV *env,
					      const struct p2pg_config *cfg,
					      const struct p2pg_meta *m,
					      const struct p2pg_head *h)
{
	__u32 cookie;

	if (p2pg_rdv_port(m->dport))
		return 1;
	if (m->payload_len < 4 || h->len < 4)
		return 0;
	if (p2pg_udp_first_byte(P2PG_B(h, 0)))
		return 1;
	if (h->len >= 8) {
		cookie = P2PG_BE32(h, 4);
		if (cookie == 0x2112a442 || cookie == (0x2112a442 ^ 0xffffffff))
			return 1;
		/*
		 * A DNS query has QDCOUNT 1..4 and ANCOUNT 0 here: the rest
		 * of p2pg_dns_head_like() only for those, which a media
		 * stream's timestamp almost never is.
		 */
		if (!(cookie & 0xfff8ffff) &&
		    p2pg_dns_head_like(h, m->payload_len))
			return 1;
	}
	if (p2pg_tutk_magic(m, h))
		return 1;
	/* Classic STUN's message type is 0x0001 or 0x0002. */
	if (!P2PG_B(h, 0) && p2pg_stun3489_head_like(h, m->payload_len))
		return 1;
	return p2pg_env_pppp_first(env, cfg, P2PG_B(h, 0));
}

/**
 * p2pg_head_wants_window() - does this head need the window after all?
 * @m: packet metadata; p2pg_head_decides(@m) is true.
 * @h: the head.
 *
 * A UDP datagram to the Internet whose head starts a DNS query
 * (p2pg_dns_head_like(): its names are read whatever the port) or a
 * classic STUN request (its attributes are walked to the end).
 * p2pg_head_quiet() is never 1 for these (p2pg_udp_may_match()), so a
 * caller asks this only when the head was not quiet.
 *
 * Return: 1 when the caller must classify over the window instead.
 */
static __always_inline int p2pg_head_wants_window(const struct p2pg_meta *m,
						  const struct p2pg_head *h)
{
	if (m->l4proto != P2PG_IPPROTO_UDP || m->dst_class != P2PG_NET_WAN ||
	    (m->flags & (P2PG_META_FRAGMENT | P2PG_META_UNJUDGED)))
		return 0;
	return p2pg_dns_head_like(h, m->payload_len) ||
	       p2pg_stun3489_head_like(h, m->payload_len);
}

/* ---- TCP signatures ----------------------------------------------------- */

/* Xiongmai cloud: HTTP POST whose JSON body names CfgProtocol/DssProtocol. */
static __always_inline int p2pg_xiongmai(const struct p2pg_win *w)
{
	__u32 at;

	if (!p2pg_match(w, 0, "POST ", 5, 0))
		return 0;
	/* The first 'col"' of such a request closes the JSON key. */
	at = p2pg_find4(w, 5, P2PG_C4('c', 'o', 'l', '"'), 0);
	if (at < 13)
		return 0;
	return p2pg_match(w, at - 13, "\"CfgProtocol\"", 13, 0) ||
	       p2pg_match(w, at - 13, "\"DssProtocol\"", 13, 0);
}

/*
 * TCP rendezvous ports, where the protocol reference names TCP: 32100, the
 * CS2 PPPP servers' port (CS2 has a TCP mode), and 65527, HLP2P's server
 * port.  The other rendezvous ports are UDP only.
 */
static __always_inline int p2pg_tcp_rdv_port(__u16 port)
{
	return port == 32100 || port == 65527;
}

/* Longest PPPP message over TCP: one that fits a datagram at the MTU. */
#define P2PG_PPPP_TCP_MAX	1400

/*
 * CS2 PPPP over TCP: the UDP header, plain or scrambled with a known key,
 * at a message start.  A stream has no datagram length to compare with,
 * so the message must be whole in the stream seen so far (what the UDP
 * check's length equality asks of a datagram) and not longer than a
 * datagram would be.
 */
static __always_inline __u32 p2pg_pppp_tcp(P2PG_ENV *env,
					   const struct p2pg_meta *m,
					   const struct p2pg_head *h)
{
	const struct p2pg_pppp_key *key;
	__u32 c0, c1, c2, c3, t, len, r = P2PG_R_PPPP;

	if (m->payload_len < 4 || h->len < 4)
		return P2PG_R_NONE;
	c0 = P2PG_B(h, 0);
	c1 = P2PG_B(h, 1);
	c2 = P2PG_B(h, 2);
	c3 = P2PG_B(h, 3);
	t = c1;
	len = c2 << 8 | c3;
	if (c0 != 0xf1) {
		key = p2pg_env_pppp_key(env, c0);
		if (!key || !key->valid || (__u8)(c0 ^ key->dec[0]) != 0xf1)
			return P2PG_R_NONE;
		t = c1 ^ key->dec[c0];
		len = ((__u32)(__u8)(c2 ^ key->dec[c1]) << 8) |
		      (__u8)(c3 ^ key->dec[c2]);
		r = P2PG_R_PPPP_SCRAMBLED;
	}
	if (!p2pg_pppp_type_known(t) || len > P2PG_PPPP_TCP_MAX ||
	    len > m->payload_len - 4)
		return P2PG_R_NONE;
	return r;
}

/* The TCP signatures that start at a message's first byte. */
static __always_inline __u32 p2pg_tcp_head_signatures(P2PG_ENV *env,
						      const struct p2pg_meta *m,
						      const struct p2pg_head *h)
{
	if (p2pg_dahua(m, h))
		return P2PG_R_DAHUA;
	/* TURN over TCP: bare STUN framing, or RFC 4571 length-prefixed. */
	if (p2pg_stun_at(h, 0, m->payload_len, 0, 0) ||
	    (m->payload_len >= 22 &&
	     p2pg_stun_at(h, 2, P2PG_BE16(h, 0), 1, 0)))
		return P2PG_R_STUN;
	return p2pg_pppp_tcp(env, m, h);
}

/*
 * p2pg_tcp_head_signatures() at window offset @at: the start of a segment
 * that follows kept bytes of its stream, which is where a later write
 * begins (STUN after a first, harmless write).
 */
static __always_inline __u32 p2pg_tcp_at(P2PG_ENV *env,
					 const struct p2pg_meta *m,
					 const struct p2pg_win *w, __u32 at)
{
	struct p2pg_meta sm = *m;
	struct p2pg_head h;
	__u32 k, n;

	if (at >= w->len || at >= m->payload_len)
		return P2PG_R_NONE;
	P2PG_UNROLL
	for (k = 0; k < P2PG_HEAD_SIZE; k++)
		h.b[k] = P2PG_B(w, at + k);
	n = w->len - at;
	h.len = n < P2PG_HEAD_SIZE ? n : P2PG_HEAD_SIZE;
	h.plain = 0;
	sm.payload_len = m->payload_len - at;
	return p2pg_tcp_head_signatures(env, &sm, &h);
}

/* @w may be NULL: see p2pg_decide(). */
static __always_inline __u32 p2pg_tcp_signatures(P2PG_ENV *env,
						 const struct p2pg_meta *m,
						 const struct p2pg_win *w,
						 const struct p2pg_head *h)
{
	__u32 r;

	if (w && p2pg_xiongmai(w))
		return P2PG_R_XIONGMAI;
	r = p2pg_tcp_head_signatures(env, m, h);
	if (!r && w && w->seg)
		r = p2pg_tcp_at(env, m, w, w->seg);
	return r;
}

/* ---- verdict ------------------------------------------------------------ */

/**
 * p2pg_wants_payload() - does classifying this packet read its payload?
 * @m: packet metadata.
 *
 * Lets the caller skip the copy for the hot paths: LAN video, clean TCP
 * connections, non-first fragments.
 */
static __always_inline int p2pg_wants_payload(const struct p2pg_meta *m)
{
	if (m->payload_len == 0 || (m->flags & P2PG_META_FRAGMENT))
		return 0;
	if (m->l4proto != P2PG_IPPROTO_UDP && m->l4proto != P2PG_IPPROTO_TCP)
		return 0;
	/* Bytes judged before: DNS over TCP is never clean otherwise. */
	if (m->l4proto == P2PG_IPPROTO_TCP && (m->flags & P2PG_META_FLOW_CLEAN))
		return 0;
	if (m->dport == 53)
		return 1;
	if (m->dst_class == P2PG_NET_LOOPBACK ||
	    m->dst_class == P2PG_NET_ALLOW || m->dst_class == P2PG_NET_DENY)
		return 0;
	if (m->l4proto == P2PG_IPPROTO_TCP)
		return !m->flow_reason && !(m->flags & P2PG_META_FLOW_CLEAN);
	if (m->dst_class == P2PG_NET_LAN)
		return m->dport == 1900 || m->dport == 5351;
	return 1;
}

/**
 * p2pg_head_decides() - is the head all that classifying this packet reads?
 * @m: packet metadata.
 *
 * True when p2pg_classify() reads no payload byte past the first
 * P2PG_HEAD_SIZE: no payload wanted at all, or UDP other than DNS and SSDP
 * (whose text is searched), unless p2pg_head_wants_window() says so once
 * the head is read.  Then p2pg_classify_head() over the head gives the
 * same reason as p2pg_classify() over the window (the tests check it on
 * every vector and mutated packet), and the caller can keep the head on
 * the stack instead of copying the window.
 */
static __always_inline int p2pg_head_decides(const struct p2pg_meta *m)
{
	if (!p2pg_wants_payload(m))
		return 1;
	return m->l4proto == P2PG_IPPROTO_UDP && m->dport != 53 &&
	       m->dport != 1900;
}

/*
 * Which DNS check applies to the packet, and its P2PG_DNS_* verdict
 * (P2PG_DNS_NOT when none): over TCP to port 53 every message of the
 * stream's window; UDP to port 53, or to the Internet on any port by a
 * strict parse.  Chosen without a branch on the packet, and made before
 * anything else branches on it: in BPF the walk is then verified once,
 * not once per way through the classifier.
 */
static __always_inline __u32 p2pg_dns_judge(P2PG_ENV *env,
					    const struct p2pg_meta *m,
					    const struct p2pg_win *w)
{
	__u64 p53 = p2pg_is_zero(m->dport ^ 53);
	__u64 t = p2pg_is_zero(m->l4proto ^ P2PG_IPPROTO_TCP);
	__u64 u = p2pg_is_zero(m->l4proto ^ P2PG_IPPROTO_UDP);
	__u64 wan = p2pg_is_zero(m->dst_class ^ P2PG_NET_WAN);
	__u64 frag = m->flags & P2PG_META_FRAGMENT;

	__u32 r = P2PG_DNS_NOT;

	if (p2pg_is_zero(frag) & ((p53 & t) | (u & (p53 | wan))))
		r = p2pg_dns(env, w, t,
			     p2pg_sel(u & (1 ^ p53), m->payload_len, 0));
	/* One state on, whichever way it went. */
	return P2PG_FORGET(w, r);
}

/*
 * The policy order over the window @w and its head @h, @dns the window's
 * p2pg_dns_judge().  @w is NULL in p2pg_classify_head(), for packets
 * p2pg_head_decides() accepts: none of the branches that read @w can
 * apply to them (DNS, SSDP, TCP payload), and the compiler drops them.
 */
static __always_inline __u32 p2pg_decide(P2PG_ENV *env,
					 const struct p2pg_config *cfg,
					 const struct p2pg_meta *m,
					 const struct p2pg_win *w,
					 const struct p2pg_head *h, __u32 dns)
{
	int frag = m->flags & P2PG_META_FRAGMENT;
	int udp = m->l4proto == P2PG_IPPROTO_UDP;
	int unjudged = m->flags & P2PG_META_UNJUDGED;
	__u64 agent = m->flags & P2PG_META_AGENT;
	__u32 r;

	/*
	 * The agent flag taken here, once: read at the end, the flags byte,
	 * with all the verifier has learnt of it on each path, stays alive
	 * through every signature, and BPF's verifier prunes fewer paths
	 * (internals.rst).
	 */
	P2PG_OPAQUE(agent);

	/* DNS: p2pg_dns_judge(), first. */
	if (dns == P2PG_DNS_LISTED)
		return P2PG_R_DNS_NAME;
	/* UDP questions it could not read: see below. */
	unjudged |= udp && dns == P2PG_DNS_PARTIAL;
	if (m->dst_class == P2PG_NET_LOOPBACK)
		return P2PG_R_NONE;
	if (m->dst_class == P2PG_NET_ALLOW)
		return P2PG_R_NONE;
	if (m->dst_class == P2PG_NET_DENY)
		return P2PG_R_DENY_PREFIX;
	if (m->flow_reason && m->flow_reason < P2PG_R__COUNT)
		return m->flow_reason;
	if (!frag) {
		r = p2pg_router_opening(m, w, h);
		if (r)
			return r;
	}
	if (m->dst_class == P2PG_NET_LAN)
		return P2PG_R_NONE;
	/* To the Internet, what cannot be judged whole fails closed. */
	if (unjudged)
		return P2PG_R_UNJUDGED;
	if (!frag) {
		r = P2PG_R_NONE;
		if (m->l4proto == P2PG_IPPROTO_UDP)
			r = p2pg_udp_signatures(env, m, w, h);
		else if (m->l4proto == P2PG_IPPROTO_TCP) {
			if (!(m->flags & P2PG_META_FLOW_CLEAN))
				r = p2pg_tcp_signatures(env, m, w, h);
			if (!r && p2pg_tcp_rdv_port(m->dport))
				r = P2PG_R_RDV_PORT;
		}
		if (r)
			return r;
	}
	if (agent)
		return P2PG_R_AGENT;
	if (cfg->lockdown && !cfg->p2p_enabled)
		return P2PG_R_LOCKDOWN;
	return P2PG_R_NONE;
}

/**
 * p2pg_classify() - the reason a packet would be dropped, or NONE.
 * @env: environment for policy look-ups.
 * @cfg: the switch (only lockdown and p2p_enabled are read).
 * @m:   packet metadata.
 * @w:   payload window; w->len may be 0 when p2pg_wants_payload() said no.
 *
 * The order is the policy (Documentation/signatures.rst): denied DNS names
 * whatever the resolver; loopback; allow-list; deny-list; the connection's
 * earlier verdict; router-opening requests; LAN; what cannot be judged;
 * signatures; agents; lockdown.
 *
 * Return: enum p2pg_reason.
 */
static __always_inline __u32 p2pg_classify(P2PG_ENV *env,
					   const struct p2pg_config *cfg,
					   const struct p2pg_meta *m,
					   const struct p2pg_win *w)
{
	__u32 dns = p2pg_dns_judge(env, m, w);
	struct p2pg_head h;
	__u32 k;

	/* Bytes past len are copied too: nothing reads them (h.len). */
	P2PG_UNROLL
	for (k = 0; k < P2PG_HEAD_SIZE; k++)
		h.b[k] = w->b[k];
	h.len = w->len < P2PG_HEAD_SIZE ? w->len : P2PG_HEAD_SIZE;
	h.plain = 0;
	return p2pg_decide(env, cfg, m, w, &h, dns);
}

/**
 * p2pg_classify_head() - p2pg_classify() from the head alone.
 * @env: environment for policy look-ups.
 * @cfg: the switch.
 * @m:   packet metadata; p2pg_head_decides(@m) must be true.
 * @h:   the first min(payload_len, P2PG_HEAD_SIZE) payload bytes, or none
 *       (h->len = 0) when p2pg_wants_payload() says no;
 *       p2pg_head_wants_window(@m, @h) must be false.
 *
 * Return: enum p2pg_reason, the same as p2pg_classify() would return.
 */
static __always_inline __u32 p2pg_classify_head(P2PG_ENV *env,
						const struct p2pg_config *cfg,
						const struct p2pg_meta *m,
						const struct p2pg_head *h)
{
	return p2pg_decide(env, cfg, m, (const struct p2pg_win *)0, h,
			   P2PG_DNS_NOT);
}

/**
 * p2pg_head_quiet() - is p2pg_classify_head()'s reason certainly NONE?
 * @env: environment for policy look-ups.
 * @cfg: the switch.
 * @m:   packet metadata, as for p2pg_classify_head().
 * @h:   the head, as for p2pg_classify_head().
 *
 * p2pg_decide()'s order with every step that could give a reason reduced
 * to a cheap necessary condition for it (p2pg_udp_may_match() for the
 * signatures), small enough to inline where the full classifier is a
 * function call: the BPF program asks it first, and ordinary packets (LAN
 * video, a media stream to the Internet, a clean TCP connection) end
 * there.  A 0 says nothing: the caller classifies.  The tests check on
 * every vector and mutated packet, and the fuzzer on every input, that a 1
 * never meets a reason.
 *
 * Return: 1 when p2pg_classify_head() would return NONE, else 0.
 */
static __always_inline int p2pg_head_quiet(P2PG_ENV *env,
					   const struct p2pg_config *cfg,
					   const struct p2pg_meta *m,
					   const struct p2pg_head *h)
{
	int frag = m->flags & P2PG_META_FRAGMENT;

	if (m->dst_class == P2PG_NET_LOOPBACK || m->dst_class == P2PG_NET_ALLOW)
		return 1;
	if (m->dst_class != P2PG_NET_LAN && m->dst_class != P2PG_NET_WAN)
		return 0;	/* deny-listed */
	if (m->flow_reason)
		return 0;
	if (!frag && m->l4proto == P2PG_IPPROTO_UDP && m->dport == 5351)
		return 0;	/* NAT-PMP, to the LAN too */
	if (m->dst_class == P2PG_NET_LAN)
		return 1;
	if (m->flags & P2PG_META_UNJUDGED)
		return 0;
	if ((m->flags & P2PG_META_AGENT) || (cfg->lockdown && !cfg->p2p_enabled))
		return 0;
	if (frag)
		return 1;
	if (m->l4proto == P2PG_IPPROTO_UDP)
		return !p2pg_udp_may_match(env, cfg, m, h);
	if (m->l4proto == P2PG_IPPROTO_TCP)
		return !p2pg_tcp_rdv_port(m->dport) &&
		       ((m->flags & P2PG_META_FLOW_CLEAN) || h->len == 0);
	return 1;
}

/* ---- TCP streams ---------------------------------------------------------
 *
 * A connection is judged as a stream: struct p2pg_flow keeps its first
 * P2PG_FLOW_KEEP bytes, reassembled by sequence number, and each segment
 * is judged over the kept bytes followed by its own (the window), so the
 * segment that completes a signature is the one dropped, and again when
 * TCP sends it again.  The connection is clean once its kept bytes reach
 * the bound; from then on a segment costs the flow look-up and
 * p2pg_flow_settled().  Three things start the kept bytes over at a
 * segment (the anchor): the stream's first payload; on a LAN connection a
 * segment that starts with "POST ", a new request to what may be the
 * router's UPnP control port; a segment after a gap, which only comes
 * from bytes this program did not see.  DNS over TCP (port 53) keeps the
 * message under way instead, and is never clean: every message is judged.
 * A change of configuration voids the clean verdict: the kept bytes are
 * judged again, under the new policy, with the next segment.
 */

/**
 * struct p2pg_seg - one TCP segment, as the stream needs it.
 * @seq:  sequence number of its first payload byte (a SYN's counted).
 * @len:  payload bytes.
 * @post: on a LAN connection, the payload starts with "POST ".
 */
struct p2pg_seg {
	__u32 seq;
	__u32 len;
	__u32 post;
};

/**
 * struct p2pg_plan - how the window of one segment is made.
 * @anchor: sequence number of the window's first byte.
 * @keep:   kept bytes (p2pg_flow.b) that come first.
 * @skip:   segment bytes left out before those placed after them.
 * @take:   most segment bytes placed at @keep; 0: none.
 * @judge:  0 when there is nothing to judge (bytes judged before, under
 *          this generation): the packet is classified as a clean one's.
 * @again:  the kept bytes start over at the segment after this judgement:
 *          a clean connection under a new generation, whose segment lies
 *          past the bound, is judged from there on anew.
 * @seq:    the segment's sequence number (p2pg_seg.seq).
 */
struct p2pg_plan {
	__u32 anchor;
	__u32 keep;
	__u32 skip;
	__u32 take;
	__u32 judge;
	__u32 again;
	__u32 seq;
};

/* Segment bytes after kept ones: the window's rest, a form BPF can bound. */
#define P2PG_FLOW_TAKE	(P2PG_WIN_SIZE - P2PG_FLOW_KEEP)

/**
 * p2pg_flow_reset() - forget a connection (its socket connects again).
 * @f: the connection.
 */
static __always_inline void p2pg_flow_reset(struct p2pg_flow *f)
{
	f->reason = P2PG_R_NONE;
	f->flags = 0;
	f->have = 0;
}

/**
 * p2pg_flow_settled() - nothing of this segment needs reading?
 * @f:    the connection.
 * @gen:  p2pg_config.generation.
 * @post: as p2pg_seg.post.
 *
 * Return: 1 when the connection is clean under this generation and the
 * segment starts no LAN request: the fast path.
 */
static __always_inline int p2pg_flow_settled(const struct p2pg_flow *f,
					     __u32 gen, __u32 post)
{
	return (f->flags & P2PG_FLOW_CLEAN) && f->generation == gen && !post;
}

/**
 * p2pg_flow_plan() - where a segment's bytes go in the window.
 * @f:   the connection, no sticky reason.
 * @gen: p2pg_config.generation.
 * @dns: the connection is DNS over TCP (port 53).
 * @s:   the segment.
 * @p:   the plan.
 *
 * A segment that starts within or right after the kept bytes is placed at
 * its stream offset after the kept bytes before it (a retransmission
 * covering new bytes is judged with them); one that adds nothing is not
 * judged again; one after a gap starts the kept bytes over.  A segment
 * that starts before the anchor carries bytes judged earlier, or sent
 * before the program saw the connection.  Under a new generation the
 * kept bytes are judged again in every case, and a clean connection's
 * segment past the bound is judged after them as a message start, its
 * stream kept anew from there (@p->again): a switch to off applies to the
 * connections already open.
 */
static __always_inline void p2pg_flow_plan(const struct p2pg_flow *f,
					   __u32 gen, int dns,
					   const struct p2pg_seg *s,
					   struct p2pg_plan *p)
{
	__u32 have = f->have, rel, end, mend;

	if (have > P2PG_FLOW_KEEP)
		have = P2PG_FLOW_KEEP;
	p->anchor = s->seq;
	p->keep = 0;
	p->skip = 0;
	p->take = P2PG_WIN_SIZE;
	p->judge = 1;
	p->again = 0;
	p->seq = s->seq;
	if (!(f->flags & P2PG_FLOW_ANCHOR) || s->post)
		return;
	rel = s->seq - f->anchor;
	end = rel + s->len;
	if (rel >= 0x80000000U || end >= 0x80000000U)
		goto kept;
	if (dns && have == P2PG_FLOW_KEEP) {
		/* A message longer than the kept bytes: its tail is skipped. */
		mend = 2 + ((__u32)f->b[0] << 8 | f->b[1]);
		if (mend > have) {
			if (end <= mend)
				goto kept;
			if (rel <= mend) {
				p->anchor = f->anchor + mend;
				p->skip = mend - rel;
			}
			return;
		}
	}
	if (rel > have) {
		if (dns || have < P2PG_FLOW_KEEP)
			return;		/* a gap */
		if (f->generation == gen)
			goto kept;	/* past the bound */
		p->anchor = f->anchor;
		p->keep = have;
		p->take = P2PG_FLOW_TAKE;
		p->again = 1;
		return;
	}
	if (end <= have)
		goto kept;		/* nothing new */
	p->anchor = f->anchor;
	p->keep = rel;
	p->take = rel ? P2PG_FLOW_TAKE : P2PG_WIN_SIZE;
	return;
kept:
	p->anchor = f->anchor;
	p->keep = have;
	p->take = 0;
	p->judge = f->generation != gen;
}

/**
 * p2pg_flow_after() - what the connection remembers of a judged segment.
 * @f:      the connection; every field but @b is written here.
 * @p:      the segment's plan.
 * @gen:    p2pg_config.generation.
 * @dns:    as for p2pg_flow_plan().
 * @reason: the segment's reason.
 * @total:  the stream's bytes from the window's start to the segment's
 *          end (p2pg_meta.payload_len).
 * @wlen:   bytes in the window.
 * @next:   DNS: p2pg_dns_tcp_next() over the window.
 *
 * Return: the stream offset, from the window's start, of the bytes the
 * caller copies into @f->b (@f->have of them; the window's first @wlen,
 * then the segment's), or P2PG_FLOW_NO_COPY.
 */
#define P2PG_FLOW_NO_COPY	0xffffffffU

static __always_inline __u32 p2pg_flow_after(struct p2pg_flow *f,
					     const struct p2pg_plan *p,
					     __u32 gen, int dns, __u32 reason,
					     __u32 total, __u32 wlen,
					     __u32 next)
{
	__u32 have;

	if (p2pg_flow_sticky(reason)) {
		f->reason = reason;
		return P2PG_FLOW_NO_COPY;
	}
	f->flags = P2PG_FLOW_ANCHOR;
	f->generation = gen;
	if (dns) {
		/* The message under way, from its length field on. */
		have = total > next ? total - next : 0;
		f->anchor = p->anchor + next;
		f->have = have < P2PG_FLOW_KEEP ? have : P2PG_FLOW_KEEP;
		return f->have && (p->take || next) ? next : P2PG_FLOW_NO_COPY;
	}
	f->anchor = p->anchor;
	if (!p->take) {
		if (f->have >= P2PG_FLOW_KEEP)
			f->flags |= P2PG_FLOW_CLEAN;
		return P2PG_FLOW_NO_COPY;
	}
	if (p->again) {
		/* The segment's bytes, from its start: a new anchor. */
		have = total - p->keep;
		f->anchor = p->seq;
		f->have = have < P2PG_FLOW_KEEP ? have : P2PG_FLOW_KEEP;
		if (f->have == P2PG_FLOW_KEEP)
			f->flags |= P2PG_FLOW_CLEAN;
		return f->have ? p->keep : P2PG_FLOW_NO_COPY;
	}
	have = wlen < P2PG_FLOW_KEEP ? wlen : P2PG_FLOW_KEEP;
	f->have = have;
	if (have == P2PG_FLOW_KEEP)
		f->flags |= P2PG_FLOW_CLEAN;
	return 0;
}

/*
 * Does the payload @b (at least 8 bytes of it) start a POST request?  On a
 * LAN connection such a segment starts the kept bytes over
 * (p2pg_seg.post).
 */
static __always_inline int p2pg_is_post(const __u8 *b)
{
	return b[0] == 'P' && b[1] == 'O' && b[2] == 'S' && b[3] == 'T' &&
	       b[4] == ' ';
}

#ifndef __bpf__
/**
 * p2pg_flow_window() - the window of a segment, in plain C.
 * @f:     the connection.
 * @p:     p2pg_flow_plan()'s plan.
 * @bytes: the segment's payload from byte @p->skip on (may be @w->b +
 *         @p->keep: a loader can fill the window in place).
 * @n:     bytes at @bytes.
 * @w:     the window: its first bytes, @w->len and @w->seg written.
 * @m:     the metadata: @m->payload_len (the segment's length on entry)
 *         written.
 *
 * The kernel module and the native tests; the BPF program does the same
 * with its own copies (p2pguard.bpf.c).
 */
static inline void p2pg_flow_window(const struct p2pg_flow *f,
				    const struct p2pg_plan *p,
				    const __u8 *bytes, __u32 n,
				    struct p2pg_win *w, struct p2pg_meta *m)
{
	__u32 i, take = 0, len = m->payload_len;

	for (i = 0; i < p->keep && i < P2PG_FLOW_KEEP; i++)
		w->b[i] = f->b[i];
	if (p->take) {
		take = n < p->take ? n : p->take;
		if (p->keep + take > P2PG_WIN_SIZE)
			take = P2PG_WIN_SIZE - p->keep;
		for (i = 0; i < take; i++)
			w->b[p->keep + i] = bytes[i];
	}
	w->len = p->keep + take;
	w->seg = p->skip == 0 && p->take ? p->keep : 0;
	m->payload_len = p->keep + (p->take && len > p->skip ?
				    len - p->skip : 0);
}

/**
 * p2pg_flow_keep() - copy the bytes p2pg_flow_after() asks for into @f->b.
 * @f:    the connection (@f->have set).
 * @from: p2pg_flow_after()'s answer, not P2PG_FLOW_NO_COPY.
 * @w:    the window; the bytes come from it when @from is 0.
 * @tail: else the segment's payload from byte @p->skip + @from - @p->keep
 *        on (@from is then at least @p->keep), @n bytes of it.
 * @n:    bytes at @tail.
 */
static inline void p2pg_flow_keep(struct p2pg_flow *f, __u32 from,
				  const struct p2pg_win *w, const __u8 *tail,
				  __u32 n)
{
	__u32 i, have = f->have;

	if (from == 0) {
		if (have > w->len)
			have = w->len;
		for (i = 0; i < have; i++)
			f->b[i] = w->b[i];
	} else {
		if (have > n)
			have = n;
		for (i = 0; i < have; i++)
			f->b[i] = tail[i];
	}
	f->have = have;
}
#endif

#endif /* P2PGUARD_CLASSIFY_H */
