// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * p2pguard_main.c - the kernel module's packet path: netfilter LOCAL_OUT
 * hooks for IPv4 and IPv6 in every network namespace, the policy swapped
 * under RCU, per-CPU counters, and module init and exit.
 *
 * The module is the backend for kernels without cgroup BPF (camera
 * kernels from 3.10 on).  What a packet is, and whether it drops, is
 * decided by the same code as in the BPF program: common/p2pguard_path.h
 * runs the parse, the blob look-ups and common/p2pguard_classify.h.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/init.h>
#include <linux/slab.h>
#include <linux/random.h>
#include <linux/skbuff.h>
#include <linux/net.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <linux/ktime.h>
#include <linux/sched.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

#include "compat.h"
#include "p2pguard_default_blob.h"
#include "p2pguard_kmod.h"

/* ---- the pure-C path, bound to the skb ---------------------------------- */

/**
 * struct p2pg_kctx - the packet as the path's host sees it (struct
 * p2pg_kenv.pkt): what p2pg_env_load() and p2pg_env_ident() read.
 * @skb:  the packet; at LOCAL_OUT skb->data is its network header.
 */
struct p2pg_kctx {
	const struct sk_buff *skb;
};

#include "p2pguard_path.h"

/*
 * The connection table's locks, one per group of buckets: a packet holds
 * its bucket's from the look-up to the last write (p2pg_path()).  Hooks run
 * with bottom halves disabled (p2pg_hook()).
 */
#define P2PG_KFLOW_LOCKS	64
static spinlock_t p2pg_kflow_locks[P2PG_KFLOW_LOCKS];

static __always_inline void p2pg_env_lock(struct p2pg_kenv *env, __u32 slot)
{
	spin_lock(&p2pg_kflow_locks[slot % P2PG_KFLOW_LOCKS]);
}

static __always_inline void p2pg_env_unlock(struct p2pg_kenv *env,
					    __u32 slot)
{
	spin_unlock(&p2pg_kflow_locks[slot % P2PG_KFLOW_LOCKS]);
}

/* Milliseconds modulo 2^32: the table compares differences only. */
static __always_inline __u32 p2pg_env_now(struct p2pg_kenv *env)
{
	return jiffies_to_msecs(jiffies);
}

static __always_inline const void *p2pg_env_load(struct p2pg_kenv *env,
						 __u32 off, __u32 len,
						 void *buf)
{
	const struct p2pg_kctx *c = env->pkt;

	if (off > INT_MAX || len > INT_MAX - off)
		return NULL;
	return skb_header_pointer(c->skb, off, len, buf);
}

static __always_inline void p2pg_env_ident(struct p2pg_kenv *env,
					   __u64 *cgroup_id, __u32 *uid)
{
	const struct p2pg_kctx *c = env->pkt;

	*cgroup_id = p2pg_sock_cgroup_id(c->skb->sk);
	*uid = p2pg_sock_uid(c->skb->sk);
}

/* ---- state -------------------------------------------------------------- */

/* In enum order: the X-macro defines both. */
#define P2PG_REASON_NAME(sym, str) str,
const char *const p2pg_reason_names[P2PG_R__COUNT] = {
	P2PG_REASONS(P2PG_REASON_NAME)
};

#undef P2PG_REASON_NAME

/*
 * Before p2pguardd writes a policy: the daemon's defaults, P2P off and
 * enforcing (p2pguard_default_blob.h): loopback and the LAN ranges are
 * not the Internet, so vendor daemons still talk to each other and to
 * the LAN.  Its view points into the constant blob; ->blob stays NULL
 * (policy_loaded reads 0, and nothing frees it).
 */
static struct p2pg_kpolicy p2pg_default_policy;

/* Set to &p2pg_default_policy before anything can read it. */
struct p2pg_kpolicy __rcu *p2pg_policy;

/* Serialises writers; readers only take rcu_read_lock(). */
static DEFINE_MUTEX(p2pg_policy_mutex);

static struct p2pg_kcounters __percpu *p2pg_counters;

/*
 * The payload window, 2,096 bytes with the DNS walk's scratch: per CPU
 * rather than on the stack, where LOCAL_OUT often runs deep (TCP transmit
 * from softirq) on the 8 KiB stacks of 32-bit camera SoCs.  The hook disables BH while it uses it,
 * so no softirq can start another packet on this CPU half-way through
 * (the BPF program solves the same with one window per nesting level).
 */
static struct p2pg_win __percpu *p2pg_scratch;

static struct p2pg_kflow_table *p2pg_flows;

/* ---- policy ------------------------------------------------------------- */

/* Publish @new, wait until no packet sees the old one, free the old one. */
static void p2pg_policy_replace(struct p2pg_kpolicy *new)
{
	struct p2pg_kpolicy *old;

	old = rcu_dereference_protected(p2pg_policy,
					lockdep_is_held(&p2pg_policy_mutex));
	rcu_assign_pointer(p2pg_policy, new);
	synchronize_rcu();
	if (old == &p2pg_default_policy)
		return;
	if (old->blob != new->blob)
		kvfree(old->blob);
	kfree(old);
}

/**
 * p2pg_policy_set_blob() - check a policy blob and make it the policy.
 * @blob: p2pg_kvmalloc()'d copy of what userspace wrote; taken over
 *        (freed here when refused).
 * @size: its size.
 *
 * Packets see the old policy or the new one, never a mix.  A refused blob
 * is logged with what is wrong with it and changes nothing.
 *
 * Return: 0, -EINVAL for a blob that fails p2pg_blob_check(), -ENOMEM.
 */
int p2pg_policy_set_blob(void *blob, u32 size)
{
	struct p2pg_kpolicy *new;
	const char *why;

	new = kzalloc(sizeof(*new), GFP_KERNEL);
	if (!new) {
		kvfree(blob);
		return -ENOMEM;
	}
	why = p2pg_blob_check(blob, size, &new->view);
	if (why) {
		pr_warn("policy refused: %s\n", why);
		kfree(new);
		kvfree(blob);
		return -EINVAL;
	}
	new->cfg = new->view.hdr->cfg;
	/* Derived from the sections, as the BPF loader sets it. */
	new->cfg.agents = (new->view.n[P2PG_SEC_AGENT_CG] ?
			   P2PG_AGENTS_CGROUP : 0) |
			  (new->view.n[P2PG_SEC_AGENT_UID] ?
			   P2PG_AGENTS_UID : 0);
	new->blob = blob;
	new->size = size;
	mutex_lock(&p2pg_policy_mutex);
	p2pg_policy_replace(new);
	mutex_unlock(&p2pg_policy_mutex);
	return 0;
}

/**
 * p2pg_policy_set_p2p() - flip the P2P switch of the current policy.
 * @on: 1 to allow P2P, 0 to block it.
 *
 * The lists stay; the generation is bumped, as the daemon does on every
 * change, so a reader can tell the policies apart.
 *
 * Return: 0, -EINVAL, -ENOMEM.
 */
int p2pg_policy_set_p2p(unsigned int on)
{
	struct p2pg_kpolicy *new;
	const struct p2pg_kpolicy *cur;

	if (on > 1)
		return -EINVAL;
	new = kmalloc(sizeof(*new), GFP_KERNEL);
	if (!new)
		return -ENOMEM;
	mutex_lock(&p2pg_policy_mutex);
	cur = rcu_dereference_protected(p2pg_policy,
					lockdep_is_held(&p2pg_policy_mutex));
	*new = *cur;
	new->cfg.p2p_enabled = on;
	new->cfg.generation++;
	p2pg_policy_replace(new);
	mutex_unlock(&p2pg_policy_mutex);
	return 0;
}

/* ---- counters ----------------------------------------------------------- */

/*
 * this_cpu_add(): a counter update is one operation that an interrupt on
 * this CPU cannot split (a single instruction, or interrupts off around
 * it on architectures without one), which is all a nested run needs.
 * 64-bit values read on a 32-bit CPU may be torn while a carry crosses
 * bit 32: a reading off by one carry, once per 2^32 packets or bytes.
 */
static void p2pg_count(unsigned int reason, u32 len, int dropped)
{
	struct p2pg_counter __percpu *c = &p2pg_counters->c[reason];

	this_cpu_add(c->packets, 1);
	this_cpu_add(c->bytes, len);
	if (dropped) {
		this_cpu_add(c->drop_packets, 1);
		this_cpu_add(c->drop_bytes, len);
	}
}

/**
 * p2pg_counters_sum() - one reason's counters summed over CPUs.
 * @reason: enum p2pg_reason.
 * @out:    the sums.
 */
void p2pg_counters_sum(unsigned int reason, struct p2pg_counter *out)
{
	int cpu;

	memset(out, 0, sizeof(*out));
	if (reason >= P2PG_R__COUNT)
		return;
	for_each_possible_cpu(cpu) {
		const struct p2pg_counter *c =
			&per_cpu_ptr(p2pg_counters, cpu)->c[reason];

		out->packets += c->packets;
		out->bytes += c->bytes;
		out->drop_packets += c->drop_packets;
		out->drop_bytes += c->drop_bytes;
	}
}

/* ---- the hooks ---------------------------------------------------------- */

static void p2pg_emit(const struct sk_buff *skb,
		      const struct p2pg_path_res *r,
		      const struct p2pg_win *w)
{
	struct p2pg_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.cgroup_id = p2pg_sock_cgroup_id(skb->sk);
	ev.uid = p2pg_sock_uid(skb->sk);
	ev.pid = in_task() ? task_tgid_nr(current) : 0;
	ev.reason = r->reason;
	ev.family = r->pkt.family;
	ev.l4proto = r->pkt.l4proto;
	ev.flags = r->drop ? P2PG_EV_DROPPED : P2PG_EV_AUDIT;
	ev.dport = r->m.dport;
	ev.len = skb->len;
	memcpy(ev.daddr, r->pkt.daddr, sizeof(ev.daddr));
	/* Name the blocked question: the header is 12 bytes (14 over TCP). */
	if (r->reason == P2PG_R_DNS_NAME) {
		u32 q = r->pkt.l4proto == P2PG_IPPROTO_TCP ? 14 : 12, i;

		for (i = 0; i < P2PG_EVENT_QNAME && q + i < w->len; i++)
			ev.qname[i] = w->b[q + i];
	}
	p2pg_event_push(&ev);
}

static void p2pg_log(const struct p2pg_path_res *r, u32 uid)
{
	const char *what = r->drop ? "drop" : "audit";
	const char *name = p2pg_reason_names[r->reason];

	if (r->pkt.family == 4)
		pr_info("%s %s: %pI4 proto %u port %u uid %u\n", what, name,
			r->pkt.daddr, r->pkt.l4proto, r->m.dport, uid);
	else
		pr_info("%s %s: %pI6c proto %u port %u uid %u\n", what, name,
			r->pkt.daddr, r->pkt.l4proto, r->m.dport, uid);
}

static unsigned int p2pg_hook(struct sk_buff *skb, struct net *net,
			      int family)
{
	const struct p2pg_kpolicy *pol;
	struct p2pg_path_res r;
	struct p2pg_kctx ctx;
	struct p2pg_win *w;
	int report;

	ctx.skb = skb;
	local_bh_disable();
	w = this_cpu_ptr(p2pg_scratch);
	/* Hooks run under RCU already; said here for the reader. */
	rcu_read_lock();
	pol = rcu_dereference(p2pg_policy);
	p2pg_path(&ctx, skb->len, family, &pol->view, &pol->cfg, p2pg_flows,
		  (u32)(unsigned long)net, p2pg_udp_gso_size(skb), w, &r);
	p2pg_count(r.reason, skb->len, r.drop);
	/* Events while P2P is off, as the BPF program: drops and audits. */
	report = r.reason != P2PG_R_NONE && r.reason != P2PG_R_NOT_IP &&
		 !pol->cfg.p2p_enabled;
	if (report)
		p2pg_emit(skb, &r, w);
	rcu_read_unlock();
	local_bh_enable();

	if (report && net_ratelimit())
		p2pg_log(&r, p2pg_sock_uid(skb->sk));
	return r.drop ? NF_DROP : NF_ACCEPT;
}

static P2PG_NF_HOOK(p2pg_hook4)
{
	return p2pg_hook(skb, P2PG_NF_NET, 4);
}

#if IS_ENABLED(CONFIG_IPV6)
static P2PG_NF_HOOK(p2pg_hook6)
{
	return p2pg_hook(skb, P2PG_NF_NET, 6);
}
#endif

/*
 * LOCAL_OUT, just before the filter table: after conntrack, mangle and
 * the OUTPUT NAT (DNAT), so the destination judged is the one the packet
 * goes to, as the BPF program (which runs after netfilter) sees it; and
 * before iptables' filter, so every packet a socket sends is counted and
 * judged whatever the firewall then does with it.
 */
static struct nf_hook_ops p2pg_nf_ops[] = {
	{
		.hook = p2pg_hook4,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_LOCAL_OUT,
		.priority = NF_IP_PRI_FILTER - 1,
	},
#if IS_ENABLED(CONFIG_IPV6)
	{
		.hook = p2pg_hook6,
		.pf = NFPROTO_IPV6,
		.hooknum = NF_INET_LOCAL_OUT,
		.priority = NF_IP6_PRI_FILTER - 1,
	},
#endif
};

#if P2PG_NF_PERNET
/*
 * From 4.13 hooks belong to one network namespace.  A cgroup BPF program
 * sees every socket of its cgroup whatever the namespace, and camera
 * firmware runs P2P agents in containers too: hook every namespace, those
 * that exist now and those created later.
 */
static int __net_init p2pg_net_init(struct net *net)
{
	return nf_register_net_hooks(net, p2pg_nf_ops,
				     ARRAY_SIZE(p2pg_nf_ops));
}

static void __net_exit p2pg_net_exit(struct net *net)
{
	nf_unregister_net_hooks(net, p2pg_nf_ops, ARRAY_SIZE(p2pg_nf_ops));
}

static struct pernet_operations p2pg_net_ops = {
	.init = p2pg_net_init,
	.exit = p2pg_net_exit,
};

static int p2pg_hooks_register(void)
{
	return register_pernet_subsys(&p2pg_net_ops);
}

static void p2pg_hooks_unregister(void)
{
	unregister_pernet_subsys(&p2pg_net_ops);
}
#else
static int p2pg_hooks_register(void)
{
	return nf_register_hooks(p2pg_nf_ops, ARRAY_SIZE(p2pg_nf_ops));
}

static void p2pg_hooks_unregister(void)
{
	nf_unregister_hooks(p2pg_nf_ops, ARRAY_SIZE(p2pg_nf_ops));
}
#endif

/* ---- module ------------------------------------------------------------- */

static void p2pg_free_state(void)
{
	struct p2pg_kpolicy *pol;

	pol = rcu_dereference_protected(p2pg_policy, 1);
	if (pol != &p2pg_default_policy) {
		kvfree(pol->blob);
		kfree(pol);
	}
	RCU_INIT_POINTER(p2pg_policy, &p2pg_default_policy);
	kvfree(p2pg_flows);
	free_percpu(p2pg_scratch);
	free_percpu(p2pg_counters);
}

static int __init p2pg_init(void)
{
	int err = -ENOMEM, i;
	const char *why;

	for (i = 0; i < P2PG_KFLOW_LOCKS; i++)
		spin_lock_init(&p2pg_kflow_locks[i]);
	why = p2pg_blob_check(p2pg_default_blob, sizeof(p2pg_default_blob),
			      &p2pg_default_policy.view);
	if (why) {
		/* Big endian: no lists (everything is the Internet) until then. */
		memset(&p2pg_default_policy, 0, sizeof(p2pg_default_policy));
		pr_warn("built-in default lists refused (%s): none until p2pguardd writes a policy\n",
			why);
	} else {
		p2pg_default_policy.cfg = p2pg_default_policy.view.hdr->cfg;
	}
	RCU_INIT_POINTER(p2pg_policy, &p2pg_default_policy);
	p2pg_counters = alloc_percpu(struct p2pg_kcounters);
	p2pg_scratch = alloc_percpu(struct p2pg_win);
	p2pg_flows = p2pg_kvmalloc(sizeof(*p2pg_flows));
	if (!p2pg_counters || !p2pg_scratch || !p2pg_flows)
		goto fail;
	memset(p2pg_flows, 0, sizeof(*p2pg_flows));
	get_random_bytes(&p2pg_flows->seed, sizeof(p2pg_flows->seed));

	err = p2pg_sysfs_init();
	if (err)
		goto fail;
	err = p2pg_dev_init();
	if (err)
		goto fail_sysfs;
	/* Last: from here packets are judged, with the policy in place. */
	err = p2pg_hooks_register();
	if (err)
		goto fail_dev;
	pr_info("loaded: P2P off, enforcing the default lists, until p2pguardd writes a policy\n");
	return 0;

fail_dev:
	p2pg_dev_exit();
fail_sysfs:
	p2pg_sysfs_exit();
fail:
	p2pg_free_state();
	return err;
}

static void __exit p2pg_exit(void)
{
	/* Unregistering waits for the hooks that are running. */
	p2pg_hooks_unregister();
	p2pg_dev_exit();
	p2pg_sysfs_exit();
	p2pg_free_state();
}

module_init(p2pg_init);
module_exit(p2pg_exit);

MODULE_LICENSE("Dual BSD/GPL");
MODULE_DESCRIPTION("p2pguard: block camera P2P NAT traversal while P2P is off");
MODULE_AUTHOR("p2pguard developers");
