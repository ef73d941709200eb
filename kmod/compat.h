/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * compat.h - every kernel-version difference the module meets, in one
 * place, so that p2pguard_*.c read as if written for one kernel.
 *
 * Camera kernels run from 3.10 (Ingenic T10-T31) through 4.4 and 4.9
 * (HiSilicon, SigmaStar, Fullhan) to current ones; the changes that
 * matter here:
 *  - netfilter hook function: (hooknum, skb, in, out, okfn) until 3.12,
 *    (ops, skb, in, out, okfn) in 3.13-4.0, (ops, skb, state) in 4.1-4.3,
 *    (priv, skb, state) from 4.4;
 *  - nf_register_hooks() (global) until 4.12, nf_register_net_hooks()
 *    (per network namespace) from 4.13;
 *  - sk->sk_uid from 4.10, sock_i_uid() before;
 *  - a socket's cgroup v2 (sock_cgroup_ptr()) from 4.5, its 64-bit id as
 *    the BPF helper reads it from 4.18 (kn->id.id), kn->id from 5.5,
 *    cgroup_id() from 5.7;
 *  - kvmalloc() from 4.12, kvfree() from 3.15;
 *  - sysfs_emit() from 5.10, in_task() from 4.11, __ATTR_RW() from 3.11,
 *    READ_ONCE() from 3.19.
 */
#ifndef P2PGUARD_COMPAT_H
#define P2PGUARD_COMPAT_H

#include <linux/version.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/netfilter.h>
#include <linux/cgroup.h>
#include <linux/preempt.h>
#include <linux/rcupdate.h>
#include <linux/poll.h>
#include <linux/sysfs.h>
#include <net/sock.h>
#include <net/inet_sock.h>
#include <net/dst.h>

/* Is the kernel built against @a.@b.@c or newer? */
#define P2PG_KV(a, b, c)	(KERNEL_VERSION(a, b, c) <= LINUX_VERSION_CODE)

/* ---- UDP GSO ------------------------------------------------------------ */

/*
 * The segment size of a UDP GSO send (UDP_SEGMENT, 4.18), whose segments
 * the peer receives as datagrams of their own; 0 for any other skb.
 * Before 4.18 a UDP GSO skb is UFO's: one datagram, cut into IP fragments.
 */
static inline u32 p2pg_udp_gso_size(const struct sk_buff *skb)
{
#if P2PG_KV(4, 18, 0)
	if (skb_is_gso(skb) && (skb_shinfo(skb)->gso_type & SKB_GSO_UDP_L4))
		return skb_shinfo(skb)->gso_size;
#endif
	return 0;
}

/* ---- netfilter hook function -------------------------------------------- */

/*
 * P2PG_NF_HOOK(name) declares a hook function with the signature of the
 * kernel at hand; inside it, the skb is "skb" and the namespace of the
 * packet P2PG_NF_NET.
 */
#if P2PG_KV(4, 4, 0)
#define P2PG_NF_HOOK(name) \
	unsigned int name(void *priv, struct sk_buff *skb, \
			  const struct nf_hook_state *state)
#define P2PG_NF_NET	(state->net)
#elif P2PG_KV(4, 1, 0)
#define P2PG_NF_HOOK(name) \
	unsigned int name(const struct nf_hook_ops *ops, struct sk_buff *skb, \
			  const struct nf_hook_state *state)
#define P2PG_NF_NET	p2pg_skb_net(skb)
#elif P2PG_KV(3, 13, 0)
#define P2PG_NF_HOOK(name) \
	unsigned int name(const struct nf_hook_ops *ops, struct sk_buff *skb, \
			  const struct net_device *in, \
			  const struct net_device *out, \
			  int (*okfn)(struct sk_buff *))
#define P2PG_NF_NET	p2pg_skb_net(skb)
#else
#define P2PG_NF_HOOK(name) \
	unsigned int name(unsigned int hooknum, struct sk_buff *skb, \
			  const struct net_device *in, \
			  const struct net_device *out, \
			  int (*okfn)(struct sk_buff *))
#define P2PG_NF_NET	p2pg_skb_net(skb)
#endif

/*
 * Before 4.4 the hook is not told the namespace: the route, which is set
 * before LOCAL_OUT, knows it.
 */
static inline struct net *p2pg_skb_net(const struct sk_buff *skb)
{
	const struct dst_entry *dst = skb_dst(skb);

	return dst && dst->dev ? dev_net(dst->dev) : &init_net;
}

/*
 * Hooks per network namespace from 4.13; until then nf_register_hooks()
 * puts them in every namespace (from 4.3) or in the one global list.
 */
#if P2PG_KV(4, 13, 0)
#define P2PG_NF_PERNET	1
#else
#define P2PG_NF_PERNET	0
#endif

/* ---- socket identity ---------------------------------------------------- */

#if !P2PG_KV(4, 6, 0)
#define sk_to_full_sk(sk)	(sk)
#endif

#if !P2PG_KV(4, 1, 0)
#define sk_fullsock(sk)		(1)
#endif

/* The socket's owner as bpf_get_socket_uid() reports it. */
static inline u32 p2pg_sock_uid(struct sock *sk)
{
#if P2PG_KV(4, 10, 0)
	struct net *net;

	if (!sk)
		return overflowuid;
	sk = sk_to_full_sk(sk);
	if (!sk || !sk_fullsock(sk))
		return overflowuid;
	net = sock_net(sk);
	return from_kuid_munged(net->user_ns, sock_net_uid(net, sk));
#else
	if (!sk || !sk->sk_socket)
		return overflowuid;
	return from_kuid_munged(&init_user_ns, sock_i_uid(sk));
#endif
}

/* The socket's cgroup v2 id as bpf_skb_cgroup_id() reports it, else 0. */
static inline u64 p2pg_sock_cgroup_id(struct sock *sk)
{
#if defined(CONFIG_SOCK_CGROUP_DATA) && \
	P2PG_KV(4, 18, 0)
	struct cgroup *cgrp;

	if (!sk)
		return 0;
	sk = sk_to_full_sk(sk);
	if (!sk || !sk_fullsock(sk))
		return 0;
	cgrp = sock_cgroup_ptr(&sk->sk_cgrp_data);
#if P2PG_KV(5, 7, 0)
	return cgroup_id(cgrp);
#elif P2PG_KV(5, 5, 0)
	return cgrp->kn->id;
#else
	return cgrp->kn->id.id;
#endif
#else
	return 0;
#endif
}

/* ---- memory ------------------------------------------------------------- */

#if P2PG_KV(4, 12, 0)
#define p2pg_kvmalloc(size)	kvmalloc((size), GFP_KERNEL)
#else
static inline void *p2pg_kvmalloc(size_t size)
{
	void *p = NULL;

	if (size <= PAGE_SIZE << PAGE_ALLOC_COSTLY_ORDER)
		p = kmalloc(size, GFP_KERNEL | __GFP_NOWARN | __GFP_NORETRY);
	return p ? p : vmalloc(size);
}
#endif

#if !P2PG_KV(3, 15, 0)
static inline void kvfree(const void *p)
{
	if (is_vmalloc_addr(p))
		vfree(p);
	else
		kfree(p);
}
#endif

/* ---- small helpers ------------------------------------------------------ */

#if !P2PG_KV(5, 10, 0)
#define sysfs_emit(buf, ...)	scnprintf((buf), PAGE_SIZE, __VA_ARGS__)
#endif

/* Process context, BH disabled or not (in_interrupt() counts that too). */
#ifndef in_task
#define in_task()	(!(in_irq() || in_serving_softirq() || in_nmi()))
#endif

/* 3.11 and later. */
#ifndef __ATTR_RW
#define __ATTR_RW(_name)	__ATTR(_name, 0644, _name##_show, _name##_store)
#endif

#ifndef READ_ONCE
#define READ_ONCE(x)		ACCESS_ONCE(x)
#define WRITE_ONCE(x, v)	(ACCESS_ONCE(x) = (v))
#endif

#if P2PG_KV(4, 16, 0)
#define P2PG_POLL_T		__poll_t
#define P2PG_POLLIN		(EPOLLIN | EPOLLRDNORM)
#else
#define P2PG_POLL_T		unsigned int
#define P2PG_POLLIN		(POLLIN | POLLRDNORM)
#endif

#endif /* P2PGUARD_COMPAT_H */
