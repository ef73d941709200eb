/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * replay.h - run packets through the real BPF program with
 * BPF_PROG_TEST_RUN: `p2pguardctl replay` and the tests share this.
 */
#ifndef P2PGUARD_REPLAY_H
#define P2PGUARD_REPLAY_H

#include <stddef.h>
#include <stdio.h>
#include "policy.h"

struct p2pguard_bpf;

/**
 * struct p2pg_runner - a loaded (never attached) program for test runs.
 * @skel: the skeleton.
 * @fds:  its policy maps.
 */
struct p2pg_runner {
	struct p2pguard_bpf *skel;
	struct p2pg_map_fds fds;
	int prog;	/* p2pg_skel_entry()'s fd */
};

/**
 * p2pg_runner_open() - load the embedded program (no attach, no pins),
 * its maps sized for @p as p2pguardd sizes them (mapsize.h), and write @p
 * to them.
 * @r: runner to fill.
 * @p: policy to load.
 *
 * Return: 0, or a negative errno with a message on stderr.
 */
int p2pg_runner_open(struct p2pg_runner *r, const struct p2pg_policy *p);

/**
 * p2pg_runner_run() - one BPF_PROG_TEST_RUN.
 * @r:      runner.
 * @frame:  Ethernet frame (the kernel strips the 14-byte header).
 * @len:    its length, at least 14.
 * @reason: set to the reason the program counted the packet under.
 *
 * Return: 1 pass, 0 drop, or a negative errno.
 */
int p2pg_runner_run(struct p2pg_runner *r, const void *frame, size_t len,
		    unsigned int *reason);

/**
 * p2pg_runner_run_gso() - p2pg_runner_run() for a UDP GSO send.
 * @r:        runner.
 * @frame:    Ethernet frame: the whole send.
 * @len:      its length, at least 14.
 * @gso_size: segment size (struct __sk_buff gso_size), 0 for none.
 * @gso_segs: segments (gso_segs).
 * @reason:   set to the reason the program counted the packet under.
 *
 * Return: 1 pass, 0 drop, or a negative errno (-EINVAL where the kernel's
 * test run takes no gso_size).
 */
int p2pg_runner_run_gso(struct p2pg_runner *r, const void *frame,
			size_t len, __u32 gso_size, __u32 gso_segs,
			unsigned int *reason);

/**
 * p2pg_runner_close() - unload.
 * @r: runner.
 */
void p2pg_runner_close(struct p2pg_runner *r);

/* Which packets of a capture replay judges (struct p2pg_replay_opts). */
enum p2pg_replay_dir {
	P2PG_DIR_AUTO = 0,	/* leave out those the capture marks inbound */
	P2PG_DIR_EGRESS,	/* and those to the device's own addresses */
	P2PG_DIR_BOTH,		/* every packet */
};

#define P2PG_REPLAY_SELF_MAX	64

/**
 * struct p2pg_replay_opts - `p2pguardctl replay` options.
 * @json:      one JSON object per line.
 * @p2p_on:    the switch (built-in policy only).
 * @audit:     audit mode (built-in policy only).
 * @lockdown:  lockdown (built-in policy only).
 * @policy:    the policy to judge with (p2pg_conf_policy() of a device's
 *             configuration), or NULL: the built-in one with the knobs.
 * @direction: enum p2pg_replay_dir.  Packets are left out when the
 *             capture marks them inbound (Linux cooked captures' packet
 *             type, pcapng's epb_flags), except with P2PG_DIR_BOTH; and
 *             when addressed to one of @self, with P2PG_DIR_EGRESS and,
 *             when @self is not empty, P2PG_DIR_AUTO.
 * @self:      the device's own addresses (16 bytes; IPv4 as ::ffff:a.b.c.d).
 * @n_self:    how many.
 * @no_reassembly: judge each packet as the capture holds it, fragments
 *             too (the program's own handling of a lone fragment).
 */
struct p2pg_replay_opts {
	int json;
	int p2p_on;
	int audit;
	int lockdown;
	const struct p2pg_policy *policy;
	int direction;
	__u8 self[P2PG_REPLAY_SELF_MAX][16];
	int n_self;
	int no_reassembly;
};

/**
 * p2pg_replay_add_self() - one of the device's own addresses.
 * @o:    options.
 * @text: an IPv4 or IPv6 address (a /prefix is ignored).
 *
 * Return: 0, -EINVAL for no address, -E2BIG past P2PG_REPLAY_SELF_MAX.
 */
int p2pg_replay_add_self(struct p2pg_replay_opts *o, const char *text);

/**
 * p2pg_replay_file() - replay a pcap or pcapng capture (Ethernet, raw IP,
 * Linux cooked v1 and v2), one output line per packet.
 * @path: capture file.
 * @o:    options (applied to the default policy).
 * @out:  where the lines go.
 *
 * Return: 0, or 1 with a clear message on stderr for a bad capture, 2 when
 * the program cannot be loaded.
 */
int p2pg_replay_file(const char *path, const struct p2pg_replay_opts *o,
		     FILE *out);

#endif /* P2PGUARD_REPLAY_H */
