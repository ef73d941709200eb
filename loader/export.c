// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * export.c - what p2pguardd counts, into the systems people already run:
 * a metrics file for node_exporter's textfile collector (export_textfile),
 * rewritten every export_interval seconds and on every state change; and
 * MQTT messages (export_mqtt_*) published through the firmware's
 * mosquitto_pub, spawned with an argv array (no shell), never waited for
 * in the loop, killed after export_mqtt_timeout, and rate-limited: what
 * exceeds the limit is dropped and counted.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/wait.h>

#include "events.h"
#include "metrics.h"
#include "p2pguardd.h"
#include "sys.h"

#define MQTT_CRED_DIR	"mqtt"		/* in run_dir: mosquitto_pub's options */

static long long mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* ---- the textfile --------------------------------------------------- */

/**
 * export_textfile() - rewrite <export_textfile>/p2pguard.prom now, by a
 * temporary file renamed over it (node_exporter never reads half of it;
 * it reads only *.prom, so the temporary file is not scraped).
 * @d: daemon.
 */
void export_textfile(struct daemon *d)
{
	struct p2pg_metrics m = { 0 };
	char path[PATH_MAX], *buf;
	size_t len = 64 * 1024;
	int n;

	if (!d->conf.export_textfile[0] || !d->be.ops)
		return;
	m.have_ctr = !d->be.ops->read_counters(&d->be, m.ctr);
	m.have_cfg = 1;
	m.p2p_on = d->p2p_on;
	m.generation = d->generation;
	m.mode = d->conf.mode;
	m.lockdown = d->conf.lockdown;
	m.enforced = d->enforced;
	m.backend = d->be.ops->name;
	m.have_mqtt = d->mqtt_on;
	m.mqtt_published = d->mqtt_published;
	m.mqtt_dropped = d->mqtt_dropped;
	m.mqtt_failed = d->mqtt_failed;
	buf = malloc(len);
	if (!buf)
		return;
	/* node_exporter's parser takes the 0.0.4 text format, not OpenMetrics. */
	n = p2pg_metrics_format(&m, 0, buf, len);
	snprintf(path, sizeof(path), "%s/%s", d->conf.export_textfile,
		 P2PG_METRICS_FILE);
	if (n < 0 || p2pg_write_file_atomic(path, buf, n)) {
		if (!d->textfile_failed)
			logmsg(LOG_WARNING, "cannot write %s: %s", path,
			       strerror(n < 0 ? -n : errno));
		d->textfile_failed = 1;
	} else if (d->textfile_failed) {
		logmsg(LOG_NOTICE, "%s written again", path);
		d->textfile_failed = 0;
	}
	free(buf);
}

/* ---- MQTT --------------------------------------------------------------- */

/*
 * Credentials stay out of argv (anyone may read /proc/PID/cmdline):
 * mosquitto_pub reads default options from $XDG_CONFIG_HOME/mosquitto_pub,
 * so "-u USER" and "-P PASSWORD" go into such a file in a directory of
 * run_dir only root can read.  The credentials file is judged like the
 * configuration: root's, and readable by nobody else.
 */
static int mqtt_credentials(struct daemon *d, char *why, size_t len)
{
	char user[256] = "", pass[256] = "", line[P2PG_LINE_MAX + 1],
	     dir[PATH_MAX], path[PATH_MAX + 32], out[600];
	const char *cred = d->conf.mqtt_credentials;
	struct stat st;
	FILE *f;
	int n;

	f = fopen(cred, "re");
	if (!f) {
		snprintf(why, len, "%s: %s", cred, strerror(errno));
		return -errno;
	}
	if (fstat(fileno(f), &st) || !p2pg_trusted_stat(&st) ||
	    (st.st_mode & 077)) {
		snprintf(why, len,
			 "%s must belong to root with mode 0600 or 0400 (uid %u, mode %04o)",
			 cred, (unsigned int)st.st_uid,
			 (unsigned int)(st.st_mode & 07777));
		fclose(f);
		return -EPERM;
	}
	while (p2pg_read_line(f, line, sizeof(line)) >= 0) {
		if (!strncmp(line, "username=", 9))
			snprintf(user, sizeof(user), "%s", line + 9);
		else if (!strncmp(line, "password=", 9))
			snprintf(pass, sizeof(pass), "%s", line + 9);
	}
	fclose(f);
	/* mosquitto_pub splits its options file's lines at blanks. */
	if (!user[0] || strpbrk(user, " \t") || strpbrk(pass, " \t")) {
		snprintf(why, len,
			 "%s needs username= (and password=) without blanks",
			 cred);
		return -EINVAL;
	}
	snprintf(dir, sizeof(dir), "%s/%s", d->conf.run_dir, MQTT_CRED_DIR);
	if (p2pg_mkdir_p(dir, 0700) || chmod(dir, 0700)) {
		snprintf(why, len, "%s: %s", dir, strerror(errno));
		return -errno;
	}
	n = snprintf(out, sizeof(out), "-u %s\n%s%s%s", user,
		     pass[0] ? "-P " : "", pass, pass[0] ? "\n" : "");
	snprintf(path, sizeof(path), "%s/mosquitto_pub", dir);
	if (p2pg_write_file_atomic(path, out, n) || chmod(path, 0600)) {
		snprintf(why, len, "%s: %s", path, strerror(errno));
		return -errno;
	}
	memset(pass, 0, sizeof(pass));
	memset(out, 0, sizeof(out));
	d->mqtt_cred = 1;
	return 0;
}

/*
 * The mosquitto_pub binary, as sshd's StrictModes (like source = command):
 * root runs it only when only root could have changed it, and only when
 * the configuration that names it is root's too.
 */
static int mqtt_pub_refused(const struct daemon *d, char *why, size_t len)
{
	struct stat st;

	if (d->conf.untrusted[0]) {
		snprintf(why, len, "%s", d->conf.untrusted);
		return -EPERM;
	}
	if (stat(d->conf.mqtt_pub, &st)) {
		snprintf(why, len, "%s: %s", d->conf.mqtt_pub, strerror(errno));
		return -errno;
	}
	if (!S_ISREG(st.st_mode) || !p2pg_trusted_stat(&st)) {
		snprintf(why, len,
			 "%s is owned by uid %u with mode %04o: it must be a file of root's, writable by nobody else",
			 d->conf.mqtt_pub, (unsigned int)st.st_uid,
			 (unsigned int)(st.st_mode & 07777));
		return -EPERM;
	}
	if (p2pg_trusted_parents(d->conf.mqtt_pub, why, len))
		return -EPERM;
	return 0;
}

/**
 * export_setup() - start the export the configuration asks for: the
 * textfile's timer, and MQTT once mosquitto_pub and the credentials pass.
 * @d: daemon.
 *
 * Return: 0, or a negative errno when a timer cannot be made (an MQTT
 * export that is refused is only logged, and said in the status file).
 */
int export_setup(struct daemon *d)
{
	struct itimerspec its = { 0 };
	char why[1024], host[64];
	int r;

	d->mqtt_on = 0;
	d->mqtt_cred = 0;
	d->mqtt_refused[0] = 0;
	its.it_value.tv_sec = its.it_interval.tv_sec =
		d->conf.export_interval_s;
	if (d->export_fd >= 0) {
		if (!d->conf.export_textfile[0])
			its.it_value.tv_sec = its.it_interval.tv_sec = 0;
		if (timerfd_settime(d->export_fd, 0, &its, NULL))
			return -errno;
	}
	snprintf(d->mqtt_topic, sizeof(d->mqtt_topic), "%s",
		 d->conf.mqtt_topic);
	if (!d->mqtt_topic[0]) {
		if (gethostname(host, sizeof(host)))
			snprintf(host, sizeof(host), "camera");
		host[sizeof(host) - 1] = 0;
		snprintf(d->mqtt_topic, sizeof(d->mqtt_topic), "p2pguard/%s",
			 host);
	}
	if (!d->conf.mqtt_host[0])
		return 0;
	r = mqtt_pub_refused(d, why, sizeof(why));
	if (!r && d->conf.mqtt_credentials[0])
		r = mqtt_credentials(d, why, sizeof(why));
	if (r) {
		snprintf(d->mqtt_refused, sizeof(d->mqtt_refused), "%s", why);
		logmsg(LOG_ERR, "MQTT export refused: %s", why);
		d->status_stale = 1;
		return 0;
	}
	d->mqtt_on = 1;
	d->status_stale = 1;	/* "mqtt=on" into the status file */
	d->mqtt_tokens = d->conf.mqtt_rate * 1000LL;
	d->mqtt_refill_ms = mono_ms();
	d->mqtt_state[0] = 0;	/* the state is published again */
	return 0;
}

static void tick_arm(struct daemon *d, int on)
{
	struct itimerspec its = { 0 };

	if (on)
		its.it_value.tv_sec = its.it_interval.tv_sec = 1;
	if (d->tick_fd >= 0)
		timerfd_settime(d->tick_fd, 0, &its, NULL);
}

/*
 * One mosquitto_pub: posix_spawn() (vfork and execve underneath: cheap
 * on a camera) with the arguments as an array, in a process group of its
 * own (killed whole on timeout), stdio on /dev/null, no signal blocked,
 * an environment of our own.  Return: 0, -EBUSY with every slot taken,
 * or a negative errno.
 */
static int mqtt_spawn(struct daemon *d, const char *topic, const char *msg,
		      int retain)
{
	char port[8], xdg[PATH_MAX + 32];
	char *argv[20], *envp[3];
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none, all;
	int i, a = 0, e = 0, r;
	pid_t pid;

	for (i = 0; i < MQTT_CHILDREN && d->mqtt_child[i].pid; i++)
		;
	if (i == MQTT_CHILDREN)
		return -EBUSY;
	snprintf(port, sizeof(port), "%d", d->conf.mqtt_port);
	argv[a++] = "mosquitto_pub";
	argv[a++] = "-h";
	argv[a++] = d->conf.mqtt_host;
	argv[a++] = "-p";
	argv[a++] = port;
	argv[a++] = "-q";
	argv[a++] = "1";
	if (d->conf.mqtt_client_id[0]) {
		/*
		 * A prefix, the pid appended: a broker disconnects a client
		 * when another connects with its id, and several may run.
		 */
		argv[a++] = "-I";
		argv[a++] = d->conf.mqtt_client_id;
	}
	if (retain)
		argv[a++] = "-r";
	argv[a++] = "-t";
	argv[a++] = (char *)topic;
	argv[a++] = "-m";
	argv[a++] = (char *)msg;
	argv[a] = NULL;
	envp[e++] = "PATH=/usr/sbin:/usr/bin:/sbin:/bin";
	/* mosquitto_pub's options file: the credentials, or none at all. */
	snprintf(xdg, sizeof(xdg), "XDG_CONFIG_HOME=%s/%s", d->conf.run_dir,
		 d->mqtt_cred ? MQTT_CRED_DIR : "none");
	envp[e++] = xdg;
	envp[e] = NULL;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	posix_spawnattr_init(&at);
	sigemptyset(&none);
	/* What the daemon may have ignored or handled, back to default. */
	sigemptyset(&all);
	sigaddset(&all, SIGPIPE);
	sigaddset(&all, SIGHUP);
	sigaddset(&all, SIGINT);
	sigaddset(&all, SIGTERM);
	sigaddset(&all, SIGCHLD);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setsigdefault(&at, &all);
	posix_spawnattr_setpgroup(&at, 0);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK |
				 POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);
	r = posix_spawn(&pid, d->conf.mqtt_pub, &fa, &at, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	if (r)
		return -r;
	d->mqtt_child[i].pid = pid;
	d->mqtt_child[i].deadline_ms = mono_ms() +
				       d->conf.mqtt_timeout_s * 1000LL;
	d->mqtt_published++;
	tick_arm(d, 1);
	return 0;
}

/* The token bucket: export_mqtt_rate a minute, as many at once at most. */
static int mqtt_take_token(struct daemon *d)
{
	long long now = mono_ms(), cap = d->conf.mqtt_rate * 1000LL;

	/* Tokens in thousandths: rate/60 per second is rate per 60000 ms. */
	d->mqtt_tokens += (now - d->mqtt_refill_ms) * d->conf.mqtt_rate / 60;
	d->mqtt_refill_ms = now;
	if (d->mqtt_tokens > cap)
		d->mqtt_tokens = cap;
	if (d->mqtt_tokens < 1000)
		return 0;
	d->mqtt_tokens -= 1000;
	return 1;
}

/**
 * export_event() - publish one drop event on <topic>/event, as the line
 * the event log holds, unless the rate limit says no (then counted).
 * @d:    daemon.
 * @json: the event as JSON (p2pg_event_json()).
 */
void export_event(struct daemon *d, const char *json)
{
	char topic[sizeof(d->mqtt_topic) + 8];

	if (!d->mqtt_on)
		return;
	snprintf(topic, sizeof(topic), "%s/event", d->mqtt_topic);
	if (!mqtt_take_token(d) || mqtt_spawn(d, topic, json, 0)) {
		d->mqtt_dropped++;
		tick_arm(d, 1);	/* the status file follows within a second */
	}
}

/*
 * The state as JSON; @with_ts adds when.  Published when it differs from
 * what was published last (retained: a new subscriber gets it at once).
 */
static void state_json(const struct daemon *d, char *buf, size_t len,
		       long long ts)
{
	char why[2048];

	p2pg_json_escape(why, sizeof(why), d->enforced ? "" : d->why);
	snprintf(buf, len,
		 "{\"ts\":%lld,\"enforced\":%s,\"reason\":\"%s\",\"p2p\":\"%s\",\"generation\":%u,\"mode\":\"%s\",\"lockdown\":\"%s\",\"backend\":\"%s\"}",
		 ts, d->enforced ? "true" : "false", why,
		 d->p2p_on ? "on" : "off", d->generation,
		 d->conf.mode == P2PG_MODE_AUDIT ? "audit" : "enforce",
		 d->conf.lockdown ? "on" : "off",
		 d->be.ops ? d->be.ops->name : "none");
}

static void publish_state(struct daemon *d)
{
	char topic[sizeof(d->mqtt_topic) + 8], now[sizeof(d->mqtt_state)],
	     msg[sizeof(d->mqtt_state) + 32];
	int r;

	state_json(d, now, sizeof(now), 0);
	if (!strcmp(now, d->mqtt_state))
		return;
	state_json(d, msg, sizeof(msg), (long long)time(NULL));
	snprintf(topic, sizeof(topic), "%s/state", d->mqtt_topic);
	/* State changes are few (debounced): not held to the rate limit. */
	r = mqtt_spawn(d, topic, msg, 1);
	if (r == -EBUSY) {
		tick_arm(d, 1);	/* tried again when a slot is free */
		return;
	}
	if (r) {
		d->mqtt_failed++;
		logmsg(LOG_WARNING, "MQTT: %s: %s", d->conf.mqtt_pub,
		       strerror(-r));
	}
	snprintf(d->mqtt_state, sizeof(d->mqtt_state), "%s", now);
}

/**
 * export_state() - the state changed (write_status()): published on MQTT,
 * and the textfile rewritten at once.
 * @d: daemon.
 */
void export_state(struct daemon *d)
{
	if (!d->export_ready)
		return;
	if (d->mqtt_on)
		publish_state(d);
	export_textfile(d);
}

/**
 * export_tick() - once a second while a mosquitto_pub runs: reap those
 * that ended, kill those past their time, retry a state not published.
 * @d: daemon.
 */
void export_tick(struct daemon *d)
{
	unsigned long long before = d->mqtt_failed;
	long long now = mono_ms();
	int i, busy = 0, status;

	for (i = 0; i < MQTT_CHILDREN; i++) {
		struct mqtt_child *c = &d->mqtt_child[i];
		pid_t w;

		if (!c->pid)
			continue;
		w = waitpid(c->pid, &status, WNOHANG);
		if (w == c->pid || (w < 0 && errno == ECHILD)) {
			if (w < 0 || c->killed || !WIFEXITED(status) ||
			    WEXITSTATUS(status))
				d->mqtt_failed++;
			c->pid = 0;
			c->killed = 0;
			continue;
		}
		if (now >= c->deadline_ms && !c->killed) {
			kill(-c->pid, SIGKILL);
			kill(c->pid, SIGKILL);
			c->killed = 1;
		}
		busy = 1;
	}
	if (d->mqtt_failed != before && !d->mqtt_warned) {
		logmsg(LOG_WARNING, "MQTT: %s failed or timed out (export_mqtt_host %s port %d); counted in mqtt_failed",
		       d->conf.mqtt_pub, d->conf.mqtt_host, d->conf.mqtt_port);
		d->mqtt_warned = 1;
	}
	if (d->mqtt_on) {
		char now_state[sizeof(d->mqtt_state)];

		state_json(d, now_state, sizeof(now_state), 0);
		if (strcmp(now_state, d->mqtt_state)) {
			publish_state(d);
			busy = 1;
		}
	}
	tick_arm(d, busy);
	export_counted(d);
}

/**
 * export_counted() - the MQTT counters moved: the status file (which
 * `p2pguardctl stats --openmetrics` reads them from) rewritten.
 * @d: daemon.
 */
void export_counted(struct daemon *d)
{
	unsigned long long sum = d->mqtt_published + d->mqtt_dropped +
				 d->mqtt_failed;
	char why[sizeof(d->why)];

	if (sum == d->mqtt_status_sum && !d->status_stale)
		return;
	d->status_stale = 0;
	d->mqtt_status_sum = sum;
	snprintf(why, sizeof(why), "%s", d->why);
	write_status(d, d->enforced ? NULL : why);
}

/**
 * export_wait() - at exit: give running mosquitto_pubs their time, then
 * kill them, so that none outlives the daemon by more than its timeout.
 * @d: daemon.
 */
void export_wait(struct daemon *d)
{
	long long end = mono_ms() + 2000;
	int i, left;

	do {
		left = 0;
		for (i = 0; i < MQTT_CHILDREN; i++) {
			pid_t p = d->mqtt_child[i].pid;

			if (!p)
				continue;
			if (waitpid(p, NULL, WNOHANG) == 0) {
				if (mono_ms() < end) {
					left = 1;
					continue;
				}
				kill(-p, SIGKILL);
				kill(p, SIGKILL);
				waitpid(p, NULL, 0);
			}
			d->mqtt_child[i].pid = 0;
		}
		if (left)
			usleep(50000);
	} while (left);
}
