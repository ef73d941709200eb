/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * p2pguard_kmod.h - what the module's files share: the policy as
 * published under RCU, the counters, the event queue, and the init and
 * exit functions of each part.
 */
#ifndef P2PGUARD_KMOD_H
#define P2PGUARD_KMOD_H

#include <linux/types.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <linux/skbuff.h>

#include "p2pguard_abi.h"
#include "p2pguard_blob.h"

/**
 * struct p2pg_kpolicy - one whole policy, as packets see it.
 * @cfg:  the switch; starts as the blob's, p2p_enabled may be flipped
 *        through sysfs (a new struct sharing the same blob).
 * @blob: the checked blob (kvmalloc'd), NULL for the policy before any.
 * @size: its size.
 * @view: look-up view into @blob.
 *
 * Never changed once published: a writer publishes a new one and frees
 * the old after a grace period.
 */
struct p2pg_kpolicy {
	struct p2pg_config cfg;
	void *blob;
	u32 size;
	struct p2pg_blob_view view;
};

extern struct p2pg_kpolicy __rcu *p2pg_policy;

/* The stable reason names of P2PG_REASONS ("none", "cs2-pppp", ...). */
extern const char *const p2pg_reason_names[P2PG_R__COUNT];

int p2pg_policy_set_blob(void *blob, u32 size);
int p2pg_policy_set_p2p(unsigned int on);

/* Per-CPU counters: one struct p2pg_counter per reason. */
struct p2pg_kcounters {
	struct p2pg_counter c[P2PG_R__COUNT];
};

void p2pg_counters_sum(unsigned int reason, struct p2pg_counter *out);

/* Events (p2pguard_dev.c). */
void p2pg_event_push(const struct p2pg_event *ev);
u64 p2pg_events_lost(void);
int p2pg_dev_init(void);
void p2pg_dev_exit(void);

/* sysfs (p2pguard_sysfs.c). */
int p2pg_sysfs_init(void);
void p2pg_sysfs_exit(void);

#endif /* P2PGUARD_KMOD_H */
