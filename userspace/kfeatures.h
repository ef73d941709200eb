/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * kfeatures.h - what the running kernel can do for p2pguard, probed the way
 * systemd does it (load or call with bad fds and read the errno), and the
 * one place that opens the embedded BPF object accordingly.
 */
#ifndef P2PGUARD_KFEATURES_H
#define P2PGUARD_KFEATURES_H

#include <stddef.h>

struct p2pguard_bpf;

/**
 * struct p2pg_features - probe results (1 = present).
 * @bpf_syscall: bpf(2) works (CONFIG_BPF_SYSCALL).
 * @cgroup_skb:  cgroup_skb programs load.
 * @cgroup_bpf:  programs attach to cgroups (CONFIG_CGROUP_BPF).
 * @cgroup2:     a cgroup2 hierarchy is mounted.
 * @link:        cgroup bpf_link (5.7).
 * @ringbuf:     BPF ring buffer (5.8); else perf buffer.
 * @sk_storage:  socket storage (5.2); else socket-cookie LRU.
 * @btf:         vmlinux BTF (/sys/kernel/btf/vmlinux).
 * @gso_size:    struct __sk_buff gso_size (5.7); else a UDP GSO send to
 *               the Internet is unjudgeable.
 * @packet_words: word loads straight from packet data (not on MIPS);
 *               else bpf_skb_load_bytes() copies, and no quick run.
 */
struct p2pg_features {
	int bpf_syscall;
	int cgroup_skb;
	int cgroup_bpf;
	int cgroup2;
	int link;
	int ringbuf;
	int sk_storage;
	int btf;
	int gso_size;
	int packet_words;
};

/**
 * p2pg_features_probe() - probe the running kernel.
 * @f: results.
 */
void p2pg_features_probe(struct p2pg_features *f);

/**
 * p2pg_probe_gso_size() - may a cgroup_skb program read skb->gso_size?
 *
 * Return: 1 where it may (5.7 and later), else 0.
 */
int p2pg_probe_gso_size(void);

/**
 * p2pg_probe_packet_words() - may a program read a word at packet data?
 *
 * Return: 1 where the verifier takes it, 0 where it refuses a misaligned
 * packet access (CPUs without efficient unaligned access: MIPS).
 */
int p2pg_probe_packet_words(void);

/**
 * p2pg_features_string() - "link ringbuf sk_storage btf" style list.
 * @f:       probe results.
 * @missing: 0 for what is present, 1 for what is missing.
 * @buf:     result.
 * @len:     size of @buf.
 */
void p2pg_features_string(const struct p2pg_features *f, int missing,
			  char *buf, size_t len);

/**
 * p2pg_features_fatal() - why nothing can be enforced, or NULL.
 * @f: probe results.
 *
 * Return: a sentence naming the missing kernel option, or NULL when a
 * cgroup_skb program can be attached.
 */
const char *p2pg_features_fatal(const struct p2pg_features *f);

/**
 * p2pg_load_trivial() - load "r0 = 1; exit", the smallest cgroup_skb
 * program: the probes' subject and the benchmarks' empty baseline.
 *
 * Return: program fd, or -1 (errno set).
 */
int p2pg_load_trivial(void);

/**
 * p2pg_skel_open() - open the embedded object with its knobs set for @f
 * (ring buffer or perf buffer, socket storage or cookie LRU), not loaded.
 * @f: probe results.
 *
 * Return: the skeleton, or NULL (errno set).
 */
struct p2pguard_bpf *p2pg_skel_open(const struct p2pg_features *f);

/**
 * p2pg_skel_entry() - the program to attach or run, once loaded.
 * @skel: loaded skeleton.
 *
 * Puts the programs p2pguard_full hands packets on to (p2pguard_classify,
 * p2pguard_gso, p2pguard_emit) into p2pg_progs, then p2pguard_full, which
 * the entry p2pguard_egress tail-calls, and returns the entry.  None of
 * them calls another BPF function, so a JIT compiles all or none of them
 * (internals.rst); were p2pguard_full refused all the same, it is the
 * program, judging every packet without the entry's quick run.
 *
 * Return: the program, or NULL (errno set) when a program p2pguard_full
 * hands on to cannot be put in place: nothing could judge a window.
 */
struct bpf_program *p2pg_skel_entry(struct p2pguard_bpf *skel);

struct p2pg_map_fds;

/**
 * p2pg_skel_map_fds() - the policy map fds of a loaded skeleton.
 * @skel: loaded skeleton.
 * @fds:  filled.
 */
void p2pg_skel_map_fds(const struct p2pguard_bpf *skel,
		       struct p2pg_map_fds *fds);

#endif /* P2PGUARD_KFEATURES_H */
