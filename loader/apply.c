// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * apply.c - the switch as the settings say it, and the policy written
 * through the backend: in full at start-up and on SIGHUP, the switch
 * alone when only it changed.  The generation only ever goes up, whoever
 * wrote last.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include "p2pguardd.h"
#include "settings.h"
#include "sys.h"

/**
 * adopt_previous() - take the switch and generation the kernel holds from
 * a previous run as the last applied.
 * @d: daemon, its backend loaded.
 */
void adopt_previous(struct daemon *d)
{
	struct p2pg_config cfg;

	if (d->be.ops->read_config(&d->be, &cfg) ||
	    cfg.abi_version != P2PG_ABI_VERSION)
		return;
	d->generation = cfg.generation;
	d->p2p_on = cfg.p2p_enabled;
	d->have_value = 1;
	logmsg(LOG_INFO, "adopted %s state: generation %u, P2P %s",
	       d->be.ops->kept, cfg.generation,
	       cfg.p2p_enabled ? "on" : "off");
}

/**
 * read_switch() - read the switch; keep the last value (or the default)
 * when it is unreadable, and say why once.
 * @d: daemon.
 */
void read_switch(struct daemon *d)
{
	char why[1024] = "";
	int v = p2pg_settings_read(&d->conf, why, sizeof(why));

	if (v >= 0) {
		d->p2p_on = v;
		d->have_value = 1;
		d->source_status[0] = 0;
		return;
	}
	if (strcmp(d->source_status, why))
		logmsg(LOG_WARNING, "%s; keeping %s policy (P2P %s)", why,
		       d->have_value ? "the last applied" : "the default",
		       (d->have_value ? d->p2p_on : d->conf.default_on) ?
		       "on" : "off");
	snprintf(d->source_status, sizeof(d->source_status), "%s", why);
	if (!d->have_value)
		d->p2p_on = d->conf.default_on;
}

/*
 * Agent cgroups are ours: create them, so that the policy can name them at
 * boot, before `p2pguardctl exec-agent` starts anything inside.
 */
static void make_agent_cgroups(struct daemon *d)
{
	char path[PATH_MAX];
	int i;

	for (i = 0; i < d->conf.n_agent_cgroups; i++)
		if (p2pg_cgroup_path(d->conf.agent_cgroups[i], path,
				     sizeof(path)) || p2pg_mkdir_p(path, 0755))
			logmsg(LOG_WARNING, "agent cgroup %s: %s",
			       d->conf.agent_cgroups[i], strerror(errno));
}

/**
 * apply_policy() - write the whole policy, lists and switch (start-up,
 * SIGHUP, and backends without write_switch).
 * @d: daemon.
 *
 * Return: 0 or a negative errno (logged).
 */
int apply_policy(struct daemon *d)
{
	struct p2pg_config cur;
	struct p2pg_policy p;
	char err[512];
	int r;

	make_agent_cgroups(d);
	if (p2pg_conf_policy(&d->conf, d->p2p_on, &p, err, sizeof(err))) {
		logmsg(LOG_ERR, "policy: %s", err);
		snprintf(d->policy_status, sizeof(d->policy_status),
			 "policy: %s", err);
		return -EINVAL;
	}
	/* Ahead of the kernel's, as the map writer would make it anyway. */
	if (!d->be.ops->read_config(&d->be, &cur) &&
	    cur.generation > d->generation)
		d->generation = cur.generation;
	p.cfg.generation = ++d->generation;
	r = d->be.ops->write_policy(&d->be, &p);
	p2pg_policy_free(&p);
	if (r) {
		logmsg(LOG_ERR, "%s", d->be.msg);
		snprintf(d->policy_status, sizeof(d->policy_status), "%s",
			 d->be.msg);
		return r;
	}
	d->policy_status[0] = 0;
	d->applied_at = time(NULL);
	return 0;
}

/**
 * apply_switch() - make the kernel's switch equal to @d->p2p_on.
 * @d: daemon.
 *
 * Only the switch changed: one config write where the backend can, a
 * whole policy where it takes nothing less.  A switch flipped behind our
 * back (p2pguardctl p2p with the daemon down) bumped the kernel's
 * generation: never go below it.
 *
 * Return: 0 (also when nothing changed) or a negative errno.
 */
int apply_switch(struct daemon *d)
{
	struct p2pg_config cfg;
	int r;

	r = d->be.ops->read_config(&d->be, &cfg);
	if (r && r != -ENODATA)
		return r;
	if (!r && cfg.p2p_enabled == d->p2p_on && cfg.mode == d->conf.mode &&
	    cfg.lockdown == d->conf.lockdown)
		return 0;
	if (!r && cfg.generation > d->generation)
		d->generation = cfg.generation;
	if (!r && d->be.ops->write_switch) {
		cfg.p2p_enabled = d->p2p_on;
		cfg.generation = ++d->generation;
		r = d->be.ops->write_switch(&d->be, &cfg);
	} else {
		r = apply_policy(d);
	}
	if (r)
		return r;
	d->applied_at = time(NULL);
	logmsg(LOG_NOTICE, "P2P %s (generation %u)", d->p2p_on ? "on" : "off",
	       d->generation);
	return 0;
}

/**
 * command_refused() - sshd's StrictModes for source = command: root runs
 * only root's file.
 * @c:   configuration.
 * @err: why it is refused.
 * @len: size of @err.
 *
 * Return: 0, or -EPERM when the command would run a file others can change.
 */
int command_refused(const struct p2pg_conf *c, char *err, size_t len)
{
	if (c->source != P2PG_SOURCE_COMMAND || !c->untrusted[0])
		return 0;
	snprintf(err, len, "source = command refused: %s (the command would run as root)",
		 c->untrusted);
	return -EPERM;
}
