// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * p2pguard_sysfs.c - /sys/kernel/p2pguard/: the switch, the policy's
 * sizes and the per-reason counters, one decimal value per file, so that
 * a shell CGI can cat them (Documentation/ABI/testing/sysfs-kernel-p2pguard).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/capability.h>
#include <linux/kobject.h>
#include <linux/sysfs.h>
#include <linux/string.h>

#include "compat.h"
#include "p2pguard_kmod.h"

static struct kobject *p2pg_kobj;
static struct kobject *p2pg_counters_kobj;
static struct kobject *p2pg_reason_kobj[P2PG_R__COUNT];

/* ---- the switch and the policy ------------------------------------------ */

enum p2pg_attr_id {
	P2PG_A_P2P, P2PG_A_MODE, P2PG_A_LOCKDOWN, P2PG_A_GENERATION,
	P2PG_A_ABI, P2PG_A_LOADED, P2PG_A_LOST, P2PG_A_PREFIXES4,
	P2PG_A_PREFIXES6, P2PG_A_NAMES, P2PG_A_PPPP, P2PG_A_AGENTS,
};

/* One value of the current policy, read under RCU. */
static u64 p2pg_policy_value(enum p2pg_attr_id id)
{
	const struct p2pg_kpolicy *pol;
	u64 v = 0;

	rcu_read_lock();
	pol = rcu_dereference(p2pg_policy);
	switch (id) {
	case P2PG_A_P2P:
		v = pol->cfg.p2p_enabled;
		break;
	case P2PG_A_MODE:
		v = pol->cfg.mode;
		break;
	case P2PG_A_LOCKDOWN:
		v = pol->cfg.lockdown;
		break;
	case P2PG_A_GENERATION:
		v = pol->cfg.generation;
		break;
	case P2PG_A_LOADED:
		v = !!pol->blob;
		break;
	case P2PG_A_PREFIXES4:
		v = pol->view.n[P2PG_SEC_PREFIX4];
		break;
	case P2PG_A_PREFIXES6:
		v = pol->view.n[P2PG_SEC_PREFIX6];
		break;
	case P2PG_A_NAMES:
		v = pol->view.n[P2PG_SEC_NAMES];
		break;
	case P2PG_A_PPPP:
		v = pol->view.n[P2PG_SEC_PPPP];
		break;
	case P2PG_A_AGENTS:
		v = (u64)pol->view.n[P2PG_SEC_AGENT_CG] +
		    pol->view.n[P2PG_SEC_AGENT_UID];
		break;
	default:
		break;
	}
	rcu_read_unlock();
	return v;
}

#define P2PG_POLICY_ATTR(fname, id)					\
static ssize_t fname##_show(struct kobject *kobj,			\
			    struct kobj_attribute *attr, char *buf)	\
{									\
	return sysfs_emit(buf, "%llu\n",				\
			  (unsigned long long)p2pg_policy_value(id));	\
}									\
static struct kobj_attribute p2pg_attr_##fname = __ATTR_RO(fname)

P2PG_POLICY_ATTR(lockdown, P2PG_A_LOCKDOWN);
P2PG_POLICY_ATTR(generation, P2PG_A_GENERATION);
P2PG_POLICY_ATTR(policy_loaded, P2PG_A_LOADED);
P2PG_POLICY_ATTR(prefixes4, P2PG_A_PREFIXES4);
P2PG_POLICY_ATTR(prefixes6, P2PG_A_PREFIXES6);
P2PG_POLICY_ATTR(names, P2PG_A_NAMES);
P2PG_POLICY_ATTR(pppp_keys, P2PG_A_PPPP);
P2PG_POLICY_ATTR(agents, P2PG_A_AGENTS);

static ssize_t p2p_enabled_show(struct kobject *kobj,
				struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%llu\n",
			  (unsigned long long)p2pg_policy_value(P2PG_A_P2P));
}

/*
 * "0" or "1": flips the switch of the current policy.  The file is 0644,
 * but uid 0 is not enough: the writer needs CAP_NET_ADMIN, as for
 * /dev/p2pguard, so that root with its capabilities dropped (a container,
 * a sandboxed vendor daemon) cannot turn P2P on.
 */
static ssize_t p2p_enabled_store(struct kobject *kobj,
				 struct kobj_attribute *attr,
				 const char *buf, size_t count)
{
	unsigned int on;
	int err;

	if (!capable(CAP_NET_ADMIN))
		return -EPERM;
	err = kstrtouint(buf, 10, &on);
	if (err)
		return err;
	err = p2pg_policy_set_p2p(on);
	return err ? err : count;
}

static struct kobj_attribute p2pg_attr_p2p_enabled = __ATTR_RW(p2p_enabled);

static ssize_t mode_show(struct kobject *kobj, struct kobj_attribute *attr,
			 char *buf)
{
	return sysfs_emit(buf, "%s\n",
			  p2pg_policy_value(P2PG_A_MODE) == P2PG_MODE_AUDIT ?
			  "audit" : "enforce");
}

static struct kobj_attribute p2pg_attr_mode = __ATTR_RO(mode);

static ssize_t abi_version_show(struct kobject *kobj,
				struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n", P2PG_ABI_VERSION);
}

static struct kobj_attribute p2pg_attr_abi_version = __ATTR_RO(abi_version);

static ssize_t events_lost_show(struct kobject *kobj,
				struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%llu\n",
			  (unsigned long long)p2pg_events_lost());
}

static struct kobj_attribute p2pg_attr_events_lost = __ATTR_RO(events_lost);

static struct attribute *p2pg_attrs[] = {
	&p2pg_attr_p2p_enabled.attr,
	&p2pg_attr_mode.attr,
	&p2pg_attr_lockdown.attr,
	&p2pg_attr_generation.attr,
	&p2pg_attr_abi_version.attr,
	&p2pg_attr_policy_loaded.attr,
	&p2pg_attr_events_lost.attr,
	&p2pg_attr_prefixes4.attr,
	&p2pg_attr_prefixes6.attr,
	&p2pg_attr_names.attr,
	&p2pg_attr_pppp_keys.attr,
	&p2pg_attr_agents.attr,
	NULL,
};

static const struct attribute_group p2pg_group = {
	.attrs = p2pg_attrs,
};

/* ---- counters/<reason>/ ------------------------------------------------- */

enum p2pg_ctr_field { P2PG_C_PKTS, P2PG_C_BYTES, P2PG_C_DPKTS, P2PG_C_DBYTES };

/* Which reason a counters/<reason> directory is. */
static int p2pg_reason_of(const struct kobject *kobj)
{
	int r;

	for (r = 0; r < P2PG_R__COUNT; r++)
		if (p2pg_reason_kobj[r] == kobj)
			return r;
	return -1;
}

static ssize_t p2pg_counter_show(struct kobject *kobj, char *buf,
				 enum p2pg_ctr_field f)
{
	struct p2pg_counter c;
	int r = p2pg_reason_of(kobj);
	u64 v;

	if (r < 0)
		return -ENOENT;
	p2pg_counters_sum(r, &c);
	switch (f) {
	case P2PG_C_PKTS:
		v = c.packets;
		break;
	case P2PG_C_BYTES:
		v = c.bytes;
		break;
	case P2PG_C_DPKTS:
		v = c.drop_packets;
		break;
	default:
		v = c.drop_bytes;
		break;
	}
	return sysfs_emit(buf, "%llu\n", (unsigned long long)v);
}

#define P2PG_COUNTER_ATTR(fname, f)					\
static ssize_t fname##_show(struct kobject *kobj,			\
			    struct kobj_attribute *attr, char *buf)	\
{									\
	return p2pg_counter_show(kobj, buf, f);				\
}									\
static struct kobj_attribute p2pg_ctr_##fname = __ATTR_RO(fname)

P2PG_COUNTER_ATTR(packets, P2PG_C_PKTS);
P2PG_COUNTER_ATTR(bytes, P2PG_C_BYTES);
P2PG_COUNTER_ATTR(drop_packets, P2PG_C_DPKTS);
P2PG_COUNTER_ATTR(drop_bytes, P2PG_C_DBYTES);

static struct attribute *p2pg_ctr_attrs[] = {
	&p2pg_ctr_packets.attr,
	&p2pg_ctr_bytes.attr,
	&p2pg_ctr_drop_packets.attr,
	&p2pg_ctr_drop_bytes.attr,
	NULL,
};

static const struct attribute_group p2pg_ctr_group = {
	.attrs = p2pg_ctr_attrs,
};

/* ---- init and exit ------------------------------------------------------ */

/**
 * p2pg_sysfs_exit() - remove /sys/kernel/p2pguard (also a half-made one).
 */
void p2pg_sysfs_exit(void)
{
	int r;

	for (r = 0; r < P2PG_R__COUNT; r++) {
		if (!p2pg_reason_kobj[r])
			continue;
		sysfs_remove_group(p2pg_reason_kobj[r], &p2pg_ctr_group);
		kobject_put(p2pg_reason_kobj[r]);
		p2pg_reason_kobj[r] = NULL;
	}
	kobject_put(p2pg_counters_kobj);
	p2pg_counters_kobj = NULL;
	if (p2pg_kobj)
		sysfs_remove_group(p2pg_kobj, &p2pg_group);
	kobject_put(p2pg_kobj);
	p2pg_kobj = NULL;
}

/**
 * p2pg_sysfs_init() - create /sys/kernel/p2pguard and its files.
 *
 * Return: 0 or a negative errno.
 */
int p2pg_sysfs_init(void)
{
	int r, err;

	p2pg_kobj = kobject_create_and_add(P2PG_DEV_NAME, kernel_kobj);
	if (!p2pg_kobj)
		return -ENOMEM;
	err = sysfs_create_group(p2pg_kobj, &p2pg_group);
	if (err) {
		kobject_put(p2pg_kobj);
		p2pg_kobj = NULL;
		return err;
	}
	p2pg_counters_kobj = kobject_create_and_add("counters", p2pg_kobj);
	if (!p2pg_counters_kobj)
		goto nomem;
	for (r = 0; r < P2PG_R__COUNT; r++) {
		struct kobject *k;

		k = kobject_create_and_add(p2pg_reason_names[r],
					   p2pg_counters_kobj);
		if (!k)
			goto nomem;
		err = sysfs_create_group(k, &p2pg_ctr_group);
		if (err) {
			kobject_put(k);
			p2pg_sysfs_exit();
			return err;
		}
		p2pg_reason_kobj[r] = k;
	}
	return 0;

nomem:
	p2pg_sysfs_exit();
	return -ENOMEM;
}
