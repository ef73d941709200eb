/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * bench_common.h - what the benchmarks share: the synthetic deny-lists
 * (the same entries for p2pguard's maps and for the nftables set), the
 * ordinary payload the throughput runs send, and the "Measured ..." line.
 */
#ifndef P2PGUARD_BENCH_COMMON_H
#define P2PGUARD_BENCH_COMMON_H

#include <stddef.h>
#include <linux/types.h>

/*
 * Deny prefixes are /32s in 198.18.0.0/15 (RFC 2544 benchmarking range),
 * spread over the range rather than consecutive: 2^17 of them at most.
 * They are map and set entries only; no packet is ever sent to them.
 */
#define BENCH_PREFIX_MAX	(1u << 17)

/**
 * bench_prefix() - the @i-th synthetic deny prefix.
 * @i:    index, below BENCH_PREFIX_MAX (distinct for distinct @i).
 * @buf:  "198.18.x.y/32".
 * @len:  size of @buf.
 * @addr: if not NULL, the address in network order.
 */
void bench_prefix(unsigned int i, char *buf, size_t len, __u8 addr[4]);

/**
 * bench_domain() - the @i-th synthetic deny-listed domain, under .test
 * (RFC 2606), "r<i>.vendor<i % 97>.test".
 * @i:   index.
 * @buf: result.
 * @len: size of @buf.
 */
void bench_domain(unsigned int i, char *buf, size_t len);

/**
 * bench_policy() - the defaults plus @n synthetic deny prefixes and @n
 * deny-listed domains (bench_prefix(), bench_domain()), as the scale and
 * policy benchmarks measure them.
 * @p: initialised here; the caller frees it with p2pg_policy_free().
 * @n: entries of each kind, at most BENCH_PREFIX_MAX.
 *
 * Return: 0, or -1 when the policy refuses an entry or runs out of memory.
 */
struct p2pg_policy;
int bench_policy(struct p2pg_policy *p, unsigned int n);

/**
 * bench_payload() - an ordinary UDP payload (RTP-like video bytes) that
 * matches no P2P signature; the throughput runs send it.
 * @buf: filled.
 * @len: bytes to fill.
 */
void bench_payload(__u8 *buf, size_t len);

/**
 * bench_ns_per_run() - kernel-measured ns per BPF_PROG_TEST_RUN run,
 * @repeat runs in the kernel, best of five.
 * @fd:     program.
 * @frame:  Ethernet frame.
 * @len:    its length.
 * @repeat: runs per measurement.
 *
 * Return: ns per run, or -1.
 */
double bench_ns_per_run(int fd, const void *frame, size_t len, int repeat);

/**
 * bench_measured() - "Measured DATE on HOST ARCH (N CPUs), kernel K" for
 * the head of every table.
 * @buf: result.
 * @len: size of @buf.
 */
void bench_measured(char *buf, size_t len);

#endif /* P2PGUARD_BENCH_COMMON_H */
