// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * p2pguard_dev.c - /dev/p2pguard: p2pguardd writes the policy blob to it
 * in one write(2) and reads drop events from it (struct p2pg_event
 * records, as the BPF program's ring buffer carries), with poll(2).
 *
 * Events: a bounded queue filled by the hooks; when it is full the newest
 * event is dropped and counted (events_lost in sysfs).  As in the BPF
 * program at most one event per destination (address, port, family) per
 * P2PG_EVENT_INTERVAL_NS, remembered in a small direct-mapped table: two
 * destinations sharing a slot each see the other as new.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/sched.h>
#include <linux/spinlock.h>
#include <linux/uaccess.h>
#include <linux/wait.h>
#include <linux/jhash.h>
#include <linux/ktime.h>
#include <linux/capability.h>

#include "compat.h"
#include "p2pguard_kmod.h"

struct p2pg_evlim {
	struct p2pg_ev_key key;
	u64 last;
};

static struct p2pg_event p2pg_evq[P2PG_EVQ_LEN];
static unsigned int p2pg_evq_head, p2pg_evq_count;
static u64 p2pg_evq_lost;
static struct p2pg_evlim p2pg_evlim[P2PG_EVLIM_SLOTS];
/* irqsave: pushed from the hooks, whatever context they run in. */
static DEFINE_SPINLOCK(p2pg_evq_lock);
static DECLARE_WAIT_QUEUE_HEAD(p2pg_evq_wait);

/* Too soon after the last event to this destination?  Lock held. */
static bool p2pg_ev_limited(const struct p2pg_event *ev)
{
	struct p2pg_ev_key k;
	struct p2pg_evlim *e;
	u64 now = ktime_to_ns(ktime_get());

	memset(&k, 0, sizeof(k));
	memcpy(k.daddr, ev->daddr, sizeof(k.daddr));
	k.dport = ev->dport;
	k.family = ev->family;
	e = &p2pg_evlim[jhash(&k, sizeof(k), 0) % P2PG_EVLIM_SLOTS];
	if (e->last && !memcmp(&e->key, &k, sizeof(k)) &&
	    now - e->last < P2PG_EVENT_INTERVAL_NS)
		return true;
	e->key = k;
	e->last = now;
	return false;
}

/**
 * p2pg_event_push() - queue an event for the readers of /dev/p2pguard.
 * @ev: the event; copied.
 *
 * Rate-limited per destination; dropped and counted when the queue is
 * full.  Any context.
 */
void p2pg_event_push(const struct p2pg_event *ev)
{
	unsigned long flags;
	bool queued = false;

	spin_lock_irqsave(&p2pg_evq_lock, flags);
	if (!p2pg_ev_limited(ev)) {
		if (p2pg_evq_count < P2PG_EVQ_LEN) {
			p2pg_evq[(p2pg_evq_head + p2pg_evq_count) %
				 P2PG_EVQ_LEN] = *ev;
			p2pg_evq_count++;
			queued = true;
		} else {
			p2pg_evq_lost++;
		}
	}
	spin_unlock_irqrestore(&p2pg_evq_lock, flags);
	if (queued)
		wake_up_interruptible(&p2pg_evq_wait);
}

/**
 * p2pg_events_lost() - events dropped because the queue was full.
 *
 * Return: the count since the module was loaded.
 */
u64 p2pg_events_lost(void)
{
	unsigned long flags;
	u64 n;

	spin_lock_irqsave(&p2pg_evq_lock, flags);
	n = p2pg_evq_lost;
	spin_unlock_irqrestore(&p2pg_evq_lock, flags);
	return n;
}

static bool p2pg_ev_pop(struct p2pg_event *ev)
{
	unsigned long flags;
	bool got = false;

	spin_lock_irqsave(&p2pg_evq_lock, flags);
	if (p2pg_evq_count) {
		*ev = p2pg_evq[p2pg_evq_head];
		p2pg_evq_head = (p2pg_evq_head + 1) % P2PG_EVQ_LEN;
		p2pg_evq_count--;
		got = true;
	}
	spin_unlock_irqrestore(&p2pg_evq_lock, flags);
	return got;
}

static bool p2pg_ev_ready(void)
{
	return READ_ONCE(p2pg_evq_count) != 0;
}

static int p2pg_dev_open(struct inode *inode, struct file *file)
{
	if (!capable(CAP_NET_ADMIN))
		return -EPERM;
	return nonseekable_open(inode, file);
}

/* The whole blob in one write; the offset is ignored. */
static ssize_t p2pg_dev_write(struct file *file, const char __user *ubuf,
			      size_t n, loff_t *ppos)
{
	void *blob;
	int err;

	/*
	 * As the sysfs switch: the writer, not only the opener, holds
	 * CAP_NET_ADMIN, so a descriptor handed on cannot change the policy.
	 */
	if (!capable(CAP_NET_ADMIN))
		return -EPERM;
	if (n > P2PG_BLOB_MAX_SIZE)
		return -EFBIG;
	/* At least one byte, so that an empty write is refused, not lost. */
	blob = p2pg_kvmalloc(n ? n : 1);
	if (!blob)
		return -ENOMEM;
	if (copy_from_user(blob, ubuf, n)) {
		kvfree(blob);
		return -EFAULT;
	}
	err = p2pg_policy_set_blob(blob, n);
	return err ? err : n;
}

/* Whole events, as many as fit, at least one; blocks unless O_NONBLOCK. */
static ssize_t p2pg_dev_read(struct file *file, char __user *ubuf,
			     size_t n, loff_t *ppos)
{
	struct p2pg_event ev;
	size_t done = 0;
	int err;

	if (n < sizeof(ev))
		return -EINVAL;
	for (;;) {
		if (p2pg_ev_pop(&ev))
			break;
		if (file->f_flags & O_NONBLOCK)
			return -EAGAIN;
		err = wait_event_interruptible(p2pg_evq_wait, p2pg_ev_ready());
		if (err)
			return err;
	}
	do {
		if (copy_to_user(ubuf + done, &ev, sizeof(ev)))
			return done ? done : -EFAULT;
		done += sizeof(ev);
	} while (n - done >= sizeof(ev) && p2pg_ev_pop(&ev));
	return done;
}

static P2PG_POLL_T p2pg_dev_poll(struct file *file, poll_table *wait)
{
	poll_wait(file, &p2pg_evq_wait, wait);
	return p2pg_ev_ready() ? P2PG_POLLIN : 0;
}

static const struct file_operations p2pg_dev_fops = {
	.owner = THIS_MODULE,
	.open = p2pg_dev_open,
	.read = p2pg_dev_read,
	.write = p2pg_dev_write,
	.poll = p2pg_dev_poll,
	.llseek = noop_llseek,
};

static struct miscdevice p2pg_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = P2PG_DEV_NAME,
	.fops = &p2pg_dev_fops,
	.mode = 0600,
};

/**
 * p2pg_dev_init() - create /dev/p2pguard.
 *
 * Return: 0 or a negative errno.
 */
int p2pg_dev_init(void)
{
	return misc_register(&p2pg_misc);
}

/**
 * p2pg_dev_exit() - remove /dev/p2pguard.
 */
void p2pg_dev_exit(void)
{
	misc_deregister(&p2pg_misc);
}
