// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * status.c - what p2pguardd says: its log (stderr in the foreground,
 * syslog once detached) and the status file p2pguardctl status reads.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "p2pguardd.h"
#include "sys.h"

static bool use_syslog;

/**
 * logmsg() - one line to the daemon's log.
 * @prio: syslog priority.
 * @fmt:  printf format.
 *
 * Every message is made safe as a whole: process names, settings values
 * and command output reach syslog and terminals with their control
 * characters and escape sequences visible (\x1b), never raw.
 */
void logmsg(int prio, const char *fmt, ...)
{
	char msg[2048], safe[4 * sizeof(msg)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	p2pg_text_escape(safe, sizeof(safe), msg);
	if (use_syslog)
		syslog(prio, "%s", safe);
	else
		fprintf(stderr, "p2pguardd: %s\n", safe);
}

/**
 * log_to_syslog() - log to syslog from now on: detached, stderr is
 * /dev/null.
 */
void log_to_syslog(void)
{
	use_syslog = true;
	openlog("p2pguardd", LOG_PID, LOG_DAEMON);
}

static const char *source_name(enum p2pg_source s)
{
	return s == P2PG_SOURCE_FILE ? "file" :
	       s == P2PG_SOURCE_COMMAND ? "command" : "state";
}

/**
 * write_status() - rewrite <run_dir>/status, what `p2pguardctl status`
 * shows; replaced atomically, so a reader never sees half of it.
 * @d:            daemon.
 * @not_enforced: why nothing is enforced, or NULL when it is.
 */
void write_status(struct daemon *d, const char *not_enforced)
{
	char buf[8192 + 2048], have[256], miss[256], path[PATH_MAX],
	     refused[2048], key[256];
	/* One line per key, whatever the values hold. */
	char reason[2048], cg[1024], pins[1024], mod[1024], detail[2048],
	     sstat[1024], pstat[2048];
	int n;

	d->enforced = !not_enforced;
	snprintf(d->why, sizeof(d->why), "%s", not_enforced ? not_enforced : "");
	have[0] = miss[0] = 0;
	if (d->probed) {
		p2pg_features_string(&d->feat, 0, have, sizeof(have));
		p2pg_features_string(&d->feat, 1, miss, sizeof(miss));
	}
	p2pg_text_escape(reason, sizeof(reason),
			 not_enforced ? not_enforced : "");
	p2pg_text_escape(cg, sizeof(cg), d->be.cgroup);
	p2pg_text_escape(pins, sizeof(pins), d->be.pin_dir);
	p2pg_text_escape(mod, sizeof(mod), d->be.module);
	p2pg_text_escape(detail, sizeof(detail),
			 d->conf.source == P2PG_SOURCE_COMMAND ? d->conf.command :
			 d->conf.source == P2PG_SOURCE_FILE ? d->conf.file :
			 d->conf.state_file);
	p2pg_text_escape(sstat, sizeof(sstat),
			 d->source_status[0] ? d->source_status : "ok");
	p2pg_text_escape(pstat, sizeof(pstat),
			 d->policy_status[0] ? d->policy_status : "ok");
	p2pg_text_escape(refused, sizeof(refused), d->mqtt_refused);
	p2pg_text_escape(key, sizeof(key),
			 d->conf.source == P2PG_SOURCE_FILE ? d->conf.key : "");
	n = snprintf(buf, sizeof(buf),
		     "enforced=%s\nreason=%s\nbackend=%s\nattach=%s\n"
		     "cgroup=%s\npin_dir=%s\nmodule=%s\np2p=%s\nmode=%s\n"
		     "lockdown=%s\n"
		     "source=%s\nsource_detail=%s\nsource_status=%s\n"
		     "generation=%u\napplied=%lld\npid=%d\nfeatures=%s\n"
		     "missing=%s\nsource_key=%s\npolicy_status=%s\n",
		     not_enforced ? "no" : "yes", reason,
		     d->be.ops ? d->be.ops->name : "none",
		     d->be.attach[0] ? d->be.attach : "none", cg, pins, mod,
		     d->p2p_on ? "on" : "off",
		     d->conf.mode == P2PG_MODE_AUDIT ? "audit" : "enforce",
		     d->conf.lockdown ? "on" : "off",
		     source_name(d->conf.source), detail, sstat, d->generation,
		     (long long)d->applied_at, (int)getpid(), have, miss, key,
		     pstat);
	if (d->conf.mqtt_host[0] && n > 0 && (size_t)n < sizeof(buf))
		n += snprintf(buf + n, sizeof(buf) - n,
			      "mqtt=%s\nmqtt_refused=%s\nmqtt_published=%llu\n"
			      "mqtt_dropped=%llu\nmqtt_failed=%llu\n",
			      d->mqtt_on ? "on" : "off", refused,
			      d->mqtt_published, d->mqtt_dropped,
			      d->mqtt_failed);
	if (n < 0 || (size_t)n >= sizeof(buf))
		n = strlen(buf);
	snprintf(path, sizeof(path), "%s/%s", d->conf.run_dir, P2PG_STATUS_FILE);
	if (p2pg_mkdir_p(d->conf.run_dir, 0755) ||
	    p2pg_write_file_atomic(path, buf, n))
		logmsg(LOG_WARNING, "cannot write %s: %s", path,
		       strerror(errno));
	export_state(d);
}

/**
 * not_enforced() - nothing is enforced: said loudly (LOG_CRIT), and in the
 * status file.  The caller decides the exit status.
 * @d:   daemon.
 * @fmt: printf format of the reason.
 */
void not_enforced(struct daemon *d, const char *fmt, ...)
{
	char why[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	logmsg(LOG_CRIT, "NOT ENFORCED: %s", why);
	write_status(d, why);
}
