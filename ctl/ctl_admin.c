// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * ctl_admin.c - p2pguardctl status, stats, p2p, unload, events, top and
 * exec-agent.  They read what p2pguardd left in the kernel through the
 * backend interface (userspace/backend.h: the pins, or the module's sysfs
 * files) and p2pguardd's run directory, so they work while the daemon is
 * down.  Only ctl_backend() chooses a backend; nothing else asks which
 * one it is.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <dirent.h>
#include <time.h>
#include <unistd.h>
#include <syslog.h>
#include <bpf/libbpf.h>

#include "backend.h"
#include "conf.h"
#include "ctl.h"
#include "events.h"
#include "metrics.h"
#include "policy.h"
#include "sys.h"

struct ctl_ctx {
	struct p2pg_conf conf;
	char status[4096];	/* p2pguardd's status file, "" when none */
	struct p2pg_backend be;
	int json;
	int openmetrics;
	int follow;
	int count;
	long long since;	/* events --since SECS: seconds back, or -1 */
	long tail;		/* events --tail N: the last N, or -1 */
};

static int status_get(const char *buf, const char *key, char *out,
		      size_t len);

/* Warnings of the backend's operations, as the command's own. */
static void ctl_log(int prio, const char *fmt, ...)
{
	va_list ap;

	if (prio > LOG_WARNING)
		return;
	fputs("p2pguardctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/*
 * Which backend: what p2pguardd last said in its status file; else the
 * configuration's choice; for auto, the module when it is loaded and no
 * eBPF program is pinned.
 */
static void ctl_backend(struct ctl_ctx *c)
{
	const struct p2pg_backend_ops *ops = NULL;
	struct p2pg_backend ebpf, mod;
	char path[PATH_MAX], v[32];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", c->conf.run_dir, P2PG_STATUS_FILE);
	c->status[0] = 0;
	f = fopen(path, "re");
	if (f) {
		c->status[fread(c->status, 1, sizeof(c->status) - 1, f)] = 0;
		fclose(f);
	}
	if (status_get(c->status, "backend", v, sizeof(v)))
		ops = p2pg_backend_by_name(v);
	if (!ops && c->conf.backend == P2PG_BACKEND_MODULE)
		ops = &p2pg_module_backend;
	else if (!ops && c->conf.backend == P2PG_BACKEND_EBPF)
		ops = &p2pg_ebpf_backend;
	if (!ops) {
		p2pg_backend_init(&mod, &p2pg_module_backend, c->conf.pin_dir);
		p2pg_backend_init(&ebpf, &p2pg_ebpf_backend, c->conf.pin_dir);
		ops = !mod.ops->present(&mod) && ebpf.ops->present(&ebpf) ?
		      mod.ops : ebpf.ops;
	}
	p2pg_backend_init(&c->be, ops, c->conf.pin_dir);
	c->be.log = ctl_log;
	/* How p2pguardd attached, and where: what unload undoes. */
	status_get(c->status, "attach", c->be.attach, sizeof(c->be.attach));
	status_get(c->status, "cgroup", c->be.cgroup, sizeof(c->be.cgroup));
}

/* Common options: --config FILE, --pin-dir DIR, --json, --follow. */
static int ctl_init(struct ctl_ctx *c, int argc, char **argv, int *first)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "pin-dir", required_argument, NULL, 'p' },
		{ "json", no_argument, NULL, 'j' },
		{ "follow", no_argument, NULL, 'f' },
		{ "count", required_argument, NULL, 'n' },
		{ "openmetrics", no_argument, NULL, 'o' },
		{ "since", required_argument, NULL, 's' },
		{ "tail", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	const char *conf_path = P2PG_CONF_PATH, *pin_dir = NULL;
	char err[512];
	int o;

	memset(c, 0, sizeof(*c));
	c->count = 10;
	c->since = -1;
	c->tail = -1;
	optind = 1;
	while ((o = getopt_long(argc, argv, "+c:p:jfn:os:t:", opts, NULL)) != -1) {
		switch (o) {
		case 'c':
			conf_path = optarg;
			break;
		case 'p':
			pin_dir = optarg;
			break;
		case 'j':
			c->json = 1;
			break;
		case 'f':
			c->follow = 1;
			break;
		case 'n':
			c->count = atoi(optarg);
			break;
		case 'o':
			c->openmetrics = 1;
			break;
		case 's':
			c->since = strtoll(optarg, &end, 10);
			if (!*optarg || *end || c->since < 0) {
				fprintf(stderr, "p2pguardctl: --since takes seconds, not '%s'\n",
					optarg);
				return 2;
			}
			break;
		case 't':
			c->tail = strtol(optarg, &end, 10);
			if (!*optarg || *end || c->tail < 0) {
				fprintf(stderr, "p2pguardctl: --tail takes a count, not '%s'\n",
					optarg);
				return 2;
			}
			break;
		default:
			return 2;
		}
	}
	p2pg_conf_defaults(&c->conf);
	if (p2pg_conf_load(&c->conf, conf_path, err, sizeof(err))) {
		fprintf(stderr, "p2pguardctl: %s\n", err);
		return 1;
	}
	if (pin_dir)
		snprintf(c->conf.pin_dir, sizeof(c->conf.pin_dir), "%s",
			 pin_dir);
	*first = optind;
	ctl_backend(c);
	return 0;
}

/* "key=value" from p2pguardd's status file. */
static int status_get(const char *buf, const char *key, char *out, size_t len)
{
	size_t klen = strlen(key);
	const char *p = buf;

	while (p && *p) {
		if (!strncmp(p, key, klen) && p[klen] == '=') {
			size_t n = strcspn(p + klen + 1, "\n");

			if (n >= len)
				n = len - 1;
			memcpy(out, p + klen + 1, n);
			out[n] = 0;
			return 1;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	out[0] = 0;
	return 0;
}

/* A JSON string of text from outside (p2pg_json_escape()). */
static void json_str(FILE *f, const char *s)
{
	size_t len = 6 * strlen(s) + 1;
	char *e = malloc(len);

	if (!e) {
		fputs("\"\"", f);
		return;
	}
	p2pg_json_escape(e, len, s);
	fprintf(f, "\"%s\"", e);
	free(e);
}

static int daemon_running(const struct ctl_ctx *c)
{
	char path[PATH_MAX], buf[32] = "";
	FILE *f;
	int pid;

	snprintf(path, sizeof(path), "%s/p2pguardd.pid", c->conf.run_dir);
	f = fopen(path, "re");
	if (!f)
		return 0;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = 0;
	fclose(f);
	pid = atoi(buf);
	return pid > 0 && kill(pid, 0) == 0 ? pid : 0;
}

/*
 * The counters table of stats, and of status (@seen_only: the reasons that
 * counted packets, under a "counters:" label).  JSON: the members of an
 * object, reason name to counters, without the braces.
 */
static void print_counters(const struct ctl_ctx *c,
			   const struct p2pg_counter *ctr, int seen_only)
{
	const char *lead = seen_only ? "            " : "";
	unsigned int i, n = 0;

	/* status before the first packet: no table, not a bare header. */
	for (i = 0; seen_only && i < P2PG_R__COUNT && !ctr[i].packets; i++)
		;
	if (i == P2PG_R__COUNT)
		return;
	if (!c->json)
		printf("%s%-24s %12s %14s %12s %14s\n",
		       seen_only ? "counters:   " : "", "reason", "packets",
		       "bytes", "dropped", "dropped_bytes");
	for (i = 0; i < P2PG_R__COUNT; i++) {
		if (seen_only && !ctr[i].packets)
			continue;
		if (c->json)
			printf("%s\"%s\":{\"packets\":%llu,\"bytes\":%llu,\"drop_packets\":%llu,\"drop_bytes\":%llu}",
			       n ? "," : "", p2pg_reason_name(i),
			       (unsigned long long)ctr[i].packets,
			       (unsigned long long)ctr[i].bytes,
			       (unsigned long long)ctr[i].drop_packets,
			       (unsigned long long)ctr[i].drop_bytes);
		else
			printf("%s%-24s %12llu %14llu %12llu %14llu\n", lead,
			       p2pg_reason_name(i),
			       (unsigned long long)ctr[i].packets,
			       (unsigned long long)ctr[i].bytes,
			       (unsigned long long)ctr[i].drop_packets,
			       (unsigned long long)ctr[i].drop_bytes);
		n++;
	}
}

/*
 * The status file's "applied" (seconds since the epoch) as a person reads
 * it: local time and how long ago.  Left as it is when it is no number.
 */
static void format_applied(char *v, size_t len)
{
	char *end, when[64];
	long long t = strtoll(v, &end, 10), ago;
	time_t tt = (time_t)t;
	struct tm tm;

	if (end == v || *end || t <= 0 || !localtime_r(&tt, &tm) ||
	    !strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S %Z", &tm))
		return;
	ago = (long long)time(NULL) - t;
	if (ago >= 0)
		snprintf(v, len, "%s (%lld s ago)", when, ago);
	else
		snprintf(v, len, "%s", when);
}

/*
 * Enforced or not, and why not: p2pguardd's word, then the backend's
 * check that what it set up is still in place.
 */
static int ctl_enforced(struct ctl_ctx *c, char *why, size_t len)
{
	char path[PATH_MAX], v[16];
	int enforced;

	why[0] = 0;
	status_get(c->status, "enforced", v, sizeof(v));
	enforced = !strcmp(v, "yes");
	if (!c->status[0]) {
		snprintf(path, sizeof(path), "%s/%s", c->conf.run_dir,
			 P2PG_STATUS_FILE);
		snprintf(why, len, "p2pguardd has not run (no %s)", path);
		enforced = 0;
	} else if (!enforced) {
		status_get(c->status, "reason", why, len);
	} else if (c->be.ops->verify(&c->be)) {
		snprintf(why, len, "%s", c->be.msg);
		enforced = 0;
	}
	return enforced;
}

static int cmp_map_mem(const void *a, const void *b)
{
	return strcmp(((const struct p2pg_map_mem *)a)->name,
		      ((const struct p2pg_map_mem *)b)->name);
}

/*
 * Kernel memory of the enforcement, table by table (a map each for eBPF,
 * bpf_map_info through p2pg_map_memlock(): an estimate), and the total.
 */
static void print_memory(struct ctl_ctx *c)
{
	struct p2pg_map_mem m[128];
	unsigned long long total = 0;
	int n, i, bound = 0;

	n = c->be.ops->memory ? c->be.ops->memory(&c->be, m, 128) : -ENOTSUP;
	if (n <= 0)
		return;
	qsort(m, n, sizeof(m[0]), cmp_map_mem);
	for (i = 0; i < n; i++) {
		total += m[i].bytes;
		bound |= m[i].at_most;
	}
	if (c->json) {
		printf(",\"memory\":{\"total_bytes\":%llu,\"maps\":[", total);
		for (i = 0; i < n; i++) {
			const char *t = m[i].type ?
				libbpf_bpf_map_type_str(m[i].type) : "module";

			printf("%s{\"name\":", i ? "," : "");
			json_str(stdout, m[i].name);
			printf(",\"type\":");
			json_str(stdout, t ? t : "unknown");
			printf(",\"max_entries\":%u,\"key_size\":%u,\"value_size\":%u,\"bytes\":%llu,\"at_most\":%s,\"per_socket\":%s}",
			       m[i].max_entries, m[i].key_size,
			       m[i].value_size,
			       (unsigned long long)m[i].bytes,
			       m[i].at_most ? "true" : "false",
			       m[i].per_socket ? "true" : "false");
		}
		printf("]}");
		return;
	}
	printf("memory:     %.1f KiB locked in the kernel%s (estimate)\n",
	       total / 1024.0, bound ? " at most" : "");
	printf("  %-18s %-16s %10s %12s\n", "table", "type", "entries",
	       "bytes");
	for (i = 0; i < n; i++) {
		const char *t = m[i].type ?
			libbpf_bpf_map_type_str(m[i].type) : "module";

		printf("  %-18s %-16s %10u %12llu%s\n", m[i].name,
		       t ? t : "unknown", m[i].max_entries,
		       (unsigned long long)m[i].bytes,
		       m[i].per_socket ? " per socket" :
		       m[i].at_most ? " at most" : "");
	}
}

int p2pg_ctl_status(int argc, char **argv)
{
	static const char *const keys[] = {
		"backend", "attach", "cgroup", "module", "mode", "lockdown",
		"source", "source_detail", "source_status", "applied",
		"features", "missing", "policy_status", NULL,
	};
	struct p2pg_counter ctr[P2PG_R__COUNT];
	char v[512], why[512] = "";
	struct ctl_ctx c;
	struct p2pg_config cfg;
	int first, r, enforced, have_cfg, have_ctr, i;
	const char *buf, *label, *files;

	r = ctl_init(&c, argc, argv, &first);
	if (r)
		return r;
	buf = c.status;
	/* -ENODATA: the module's defaults, still worth showing. */
	r = c.be.ops->read_config(&c.be, &cfg);
	have_cfg = !r || r == -ENODATA;
	have_ctr = !c.be.ops->read_counters(&c.be, ctr);
	enforced = ctl_enforced(&c, why, sizeof(why));
	if (c.json) {
		printf("{\"enforced\":%s,\"reason\":", enforced ? "true" : "false");
		json_str(stdout, why);
		printf(",\"p2p\":\"%s\",\"generation\":%u,\"daemon\":\"%s\"",
		       have_cfg ? (cfg.p2p_enabled ? "on" : "off") : "unknown",
		       have_cfg ? cfg.generation : 0,
		       daemon_running(&c) ? "running" : "not running");
		for (i = 0; keys[i]; i++) {
			status_get(buf, keys[i], v, sizeof(v));
			printf(",\"%s\":", keys[i]);
			json_str(stdout, v);
		}
		/* applied as a number too; the settings key of source = file. */
		status_get(buf, "applied", v, sizeof(v));
		printf(",\"applied_epoch\":%lld,\"source_key\":",
		       strtoll(v, NULL, 10));
		status_get(buf, "source_key", v, sizeof(v));
		if (!v[0] && c.conf.source == P2PG_SOURCE_FILE)
			snprintf(v, sizeof(v), "%s", c.conf.key);
		json_str(stdout, v);
		if (have_ctr) {
			printf(",\"counters\":{");
			print_counters(&c, ctr, 1);
			printf("}");
		}
		print_memory(&c);
		printf("}\n");
	} else {
		/* The kernel's word over the daemon's where it has one. */
		int knobs = c.be.ops->caps & P2PG_BE_OUTSIDE_KNOBS;

		if (enforced)
			printf("ENFORCED\n");
		else
			printf("NOT ENFORCED: %s\n", why);
		printf("p2p:        %s\n", have_cfg ?
		       (cfg.p2p_enabled ? "on" : "off") : "unknown");
		if (have_cfg)
			printf("generation: %u\n", cfg.generation);
		printf("daemon:     %s\n",
		       daemon_running(&c) ? "running" : "not running");
		for (i = 0; keys[i]; i++) {
			if (knobs && have_cfg && !strcmp(keys[i], "mode"))
				snprintf(v, sizeof(v), "%s",
					 cfg.mode == P2PG_MODE_AUDIT ? "audit" :
					 "enforce");
			else if (knobs && have_cfg &&
				 !strcmp(keys[i], "lockdown"))
				snprintf(v, sizeof(v), "%s",
					 cfg.lockdown ? "on" : "off");
			else if (!status_get(buf, keys[i], v, sizeof(v)))
				continue;
			else if (!strcmp(keys[i], "applied"))
				format_applied(v, sizeof(v));
			/* Keys of the other backend, or nothing to say. */
			if (*v)
				printf("%-11s %s\n", keys[i], v);
		}
		files = c.be.ops->kernel_files ?
			c.be.ops->kernel_files(&c.be, &label) : NULL;
		if (files)
			printf("%-11s %s\n", label, files);
		if (have_ctr)
			print_counters(&c, ctr, 1);
		print_memory(&c);
	}
	p2pg_conf_free(&c.conf);
	return enforced ? 0 : 1;
}

/* The status file's counter KEY as a number, 0 when it has none. */
static unsigned long long status_num(const struct ctl_ctx *c, const char *key)
{
	char v[32];

	status_get(c->status, key, v, sizeof(v));
	return strtoull(v, NULL, 10);
}

/* stats --openmetrics: the exposition p2pguardd's textfile holds too. */
static int print_openmetrics(struct ctl_ctx *c)
{
	struct p2pg_metrics m = { 0 };
	struct p2pg_config cfg;
	char why[512], mqtt[8], *buf;
	size_t len = 64 * 1024;
	int r;

	r = c->be.ops->read_counters(&c->be, m.ctr);
	if (r) {
		fprintf(stderr, "p2pguardctl: %s\n", c->be.msg);
		return 1;
	}
	m.have_ctr = 1;
	r = c->be.ops->read_config(&c->be, &cfg);
	if (!r || r == -ENODATA) {
		m.have_cfg = 1;
		m.p2p_on = cfg.p2p_enabled;
		m.generation = cfg.generation;
		m.mode = cfg.mode;
		m.lockdown = cfg.lockdown;
	}
	m.enforced = ctl_enforced(c, why, sizeof(why));
	m.backend = c->be.ops->name;
	m.have_mqtt = status_get(c->status, "mqtt", mqtt, sizeof(mqtt)) &&
		      !strcmp(mqtt, "on");
	m.mqtt_published = status_num(c, "mqtt_published");
	m.mqtt_dropped = status_num(c, "mqtt_dropped");
	m.mqtt_failed = status_num(c, "mqtt_failed");
	buf = malloc(len);
	if (!buf) {
		fprintf(stderr, "p2pguardctl: out of memory\n");
		return 1;
	}
	r = p2pg_metrics_format(&m, 1, buf, len);
	if (r >= 0)
		fputs(buf, stdout);
	else
		fprintf(stderr, "p2pguardctl: %s\n", strerror(-r));
	free(buf);
	return r < 0;
}

int p2pg_ctl_stats(int argc, char **argv)
{
	struct p2pg_counter ctr[P2PG_R__COUNT];
	struct ctl_ctx c;
	int first, r;

	r = ctl_init(&c, argc, argv, &first);
	if (r)
		return r;
	if (c.openmetrics) {
		r = print_openmetrics(&c);
		p2pg_conf_free(&c.conf);
		return r;
	}
	if (c.be.ops->read_counters(&c.be, ctr)) {
		fprintf(stderr, "p2pguardctl: %s\n", c.be.msg);
		return 1;
	}
	if (c.json)
		printf("{\"reasons\":{");
	print_counters(&c, ctr, 0);
	if (c.json)
		printf("}}\n");
	p2pg_conf_free(&c.conf);
	return 0;
}

int p2pg_ctl_p2p(int argc, char **argv)
{
	struct ctl_ctx c;
	char line[16];
	int first, r, on;

	r = ctl_init(&c, argc, argv, &first);
	if (r)
		return r;
	if (first != argc - 1 || (on = p2pg_parse_switch(argv[first])) < 0) {
		fprintf(stderr, "usage: p2pguardctl p2p on|off\n");
		return 2;
	}
	if (c.conf.source != P2PG_SOURCE_STATE) {
		if (c.conf.source == P2PG_SOURCE_FILE)
			fprintf(stderr,
				"p2pguardctl: the P2P switch lives in %s (key %s): change it there, or set source = state\n",
				c.conf.file, c.conf.key);
		else
			fprintf(stderr,
				"p2pguardctl: the P2P switch is read by the command '%s': change the setting it reads, or set source = state\n",
				c.conf.command);
		return 1;
	}
	r = snprintf(line, sizeof(line), "p2p=%s\n", on ? "on" : "off");
	if (p2pg_write_file_atomic(c.conf.state_file, line, r)) {
		fprintf(stderr, "p2pguardctl: %s: %s\n", c.conf.state_file,
			strerror(errno));
		return 1;
	}
	/*
	 * Also straight into the kernel, so it holds while p2pguardd is down
	 * (the generation bumped, so the daemon never goes below it).  No
	 * policy there: nothing to change.
	 */
	r = c.be.ops->set_p2p(&c.be, on);
	if (r && r != -ENOENT)
		fprintf(stderr, "p2pguardctl: %s\n", c.be.msg);
	printf("P2P %s\n", on ? "on" : "off");
	p2pg_conf_free(&c.conf);
	return 0;
}

/*
 * p2pguardd first (SIGTERM): where it holds the backend in use (the
 * module's device), it is given a moment to exit.  The status file then
 * says who unloaded, and which backend.
 */
int p2pg_ctl_unload(int argc, char **argv)
{
	char path[PATH_MAX], *status;
	struct ctl_ctx c;
	int first, r, pid, i;

	r = ctl_init(&c, argc, argv, &first);
	if (r)
		return r;
	status = c.status;
	pid = daemon_running(&c);
	if (pid)
		kill(pid, SIGTERM);
	for (i = 0; pid && (c.be.ops->caps & P2PG_BE_HOLDS_DAEMON) &&
	     i < 50 && !kill(pid, 0); i++)
		usleep(100000);
	r = c.be.ops->unload(&c.be);
	if (r) {
		fprintf(stderr, "p2pguardctl: %s\n", c.be.msg);
		p2pg_conf_free(&c.conf);
		return 1;
	}
	snprintf(path, sizeof(path), "%s/%s", c.conf.run_dir, P2PG_STATUS_FILE);
	r = snprintf(status, sizeof(c.status),
		     "enforced=no\nreason=unloaded by p2pguardctl unload\nbackend=%s\n",
		     c.be.ops->name);
	p2pg_write_file_atomic(path, status, r);
	printf("unloaded: %s\n", c.be.msg);
	p2pg_conf_free(&c.conf);
	return 0;
}

static void print_event_line(const struct ctl_ctx *c, const char *line)
{
	char out[8192];

	if (c->json) {
		/* Our own lines, escaped when written; a stray one is left out. */
		if (line[0] == '{')
			printf("%s\n", line);
		return;
	}
	if (p2pg_event_text(line, out, sizeof(out)))
		fprintf(stderr, "p2pguardctl: events: %s\n", out);
	else
		printf("%s\n", out);
}

/* The event log, oldest part first: rotated (events.log.1), then current. */
static FILE *open_event_log(const struct ctl_ctx *c, int rotated, char *path,
			    size_t len)
{
	snprintf(path, len, "%s/%s%s", c->conf.run_dir, P2PG_EVENTS_FILE,
		 rotated ? ".1" : "");
	return fopen(path, "re");
}

/* The next line of the event log; an over-long one is reported. */
static int next_event_line(FILE *f, char *line, size_t len)
{
	ssize_t n;

	while ((n = p2pg_read_line(f, line, len)) == P2PG_LINE_TOO_LONG)
		fprintf(stderr, "p2pguardctl: events: skipped a line longer than %zu bytes\n",
			len - 1);
	return n >= 0;
}

/* Like tail -f from where @f is; p2pguardd rotates by rename. */
static void follow_log(const struct ctl_ctx *c, FILE *f, const char *path)
{
	char line[P2PG_LINE_MAX + 1];
	ino_t ino = 0;
	struct stat st;

	if (!fstat(fileno(f), &st))
		ino = st.st_ino;
	for (;;) {
		fflush(stdout);
		usleep(200000);
		clearerr(f);
		while (next_event_line(f, line, sizeof(line)))
			print_event_line(c, line);
		if (!stat(path, &st) && st.st_ino != ino) {
			fclose(f);
			f = fopen(path, "re");
			if (!f)
				return;
			ino = st.st_ino;
		}
	}
}

/**
 * struct back_lines - lines collected from the end of the event log.
 * @v:      the lines, newest first.
 * @n:      how many.
 * @cutoff: stop at a line older than this (seconds since the epoch), or -1.
 * @max:    stop after this many, or -1.
 * @done:   a limit was reached.
 */
struct back_lines {
	char **v;
	size_t n;
	long long cutoff;
	long max;
	int done;
};

static int back_add(struct back_lines *b, const char *line, size_t len)
{
	char ts[32], *l, **v;

	if (!len || len > P2PG_LINE_MAX)
		return 0;	/* blank, or what the forward reader skips */
	l = strndup(line, len);
	if (!l)
		return -ENOMEM;
	if (b->cutoff >= 0 && p2pg_event_field(l, "ts", ts, sizeof(ts)) &&
	    strtoll(ts, NULL, 10) < b->cutoff) {
		free(l);
		b->done = 1;
		return 0;
	}
	v = realloc(b->v, (b->n + 1) * sizeof(*v));
	if (!v) {
		free(l);
		return -ENOMEM;
	}
	b->v = v;
	b->v[b->n++] = l;
	if (b->max >= 0 && (long)b->n >= b->max)
		b->done = 1;
	return 0;
}

/*
 * The lines of one file of the event log from its end backwards, in
 * blocks, until @b's limits are reached: the log is in time order, so
 * --since and --tail read only what they print.
 */
static int scan_back(const char *path, struct back_lines *b)
{
	char *acc = NULL, *n;
	size_t acc_len = 0, i;
	struct stat st;
	off_t pos;
	int fd, r = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	if (fstat(fd, &st)) {
		r = -errno;
		goto out;
	}
	pos = st.st_size;
	while (!b->done && !r) {
		size_t chunk = pos > 4096 ? 4096 : (size_t)pos;

		if (!chunk) {
			r = back_add(b, acc, acc_len);	/* the first line */
			break;
		}
		/* A line longer than any we write is dropped, not kept. */
		if (acc_len > 2 * P2PG_LINE_MAX)
			acc_len = 0;
		n = malloc(chunk + acc_len);
		if (!n) {
			r = -ENOMEM;
			break;
		}
		pos -= chunk;
		if (pread(fd, n, chunk, pos) != (ssize_t)chunk) {
			free(n);
			r = -EIO;
			break;
		}
		memcpy(n + chunk, acc, acc_len);
		free(acc);
		acc = n;
		acc_len += chunk;
		/* The newline ending the file ends the last line, no more. */
		if (pos + (off_t)acc_len == st.st_size && acc_len &&
		    acc[acc_len - 1] == '\n')
			acc_len--;
		for (i = acc_len; i > 0 && !b->done && !r; i--) {
			if (acc[i - 1] != '\n')
				continue;
			r = back_add(b, acc + i, acc_len - i);
			acc_len = i - 1;
		}
	}
out:
	free(acc);
	close(fd);
	return r;
}

/* events --since / --tail: newest lines first, printed oldest first. */
static int events_back(struct ctl_ctx *c)
{
	struct back_lines b = { .cutoff = -1, .max = c->tail };
	char path[PATH_MAX];
	int i, r = 0;
	size_t k;
	FILE *f;

	if (c->since >= 0)
		b.cutoff = (long long)time(NULL) - c->since;
	for (i = 0; i <= 1 && !b.done && !r; i++) {
		snprintf(path, sizeof(path), "%s/%s%s", c->conf.run_dir,
			 P2PG_EVENTS_FILE, i ? ".1" : "");
		r = scan_back(path, &b);
	}
	for (k = b.n; k > 0; k--)
		if (!r)
			print_event_line(c, b.v[k - 1]);
	for (k = 0; k < b.n; k++)
		free(b.v[k]);
	free(b.v);
	if (r) {
		fprintf(stderr, "p2pguardctl: events: %s\n", strerror(-r));
		return 1;
	}
	if (c->follow) {
		f = open_event_log(c, 0, path, sizeof(path));
		if (f && !fseek(f, 0, SEEK_END))
			follow_log(c, f, path);
		else if (f)
			fclose(f);
	}
	return 0;
}

int p2pg_ctl_events(int argc, char **argv)
{
	char path[PATH_MAX], line[P2PG_LINE_MAX + 1];
	struct ctl_ctx c;
	int first, r, i;
	FILE *f;

	r = ctl_init(&c, argc, argv, &first);
	if (r)
		return r;
	if (c.since >= 0 || c.tail >= 0) {
		r = events_back(&c);
		p2pg_conf_free(&c.conf);
		return r;
	}
	for (i = 1; i >= 0; i--) {
		f = open_event_log(&c, i, path, sizeof(path));
		if (!f)
			continue;
		while (next_event_line(f, line, sizeof(line)))
			print_event_line(&c, line);
		if (i == 0 && c.follow) {
			follow_log(&c, f, path);	/* closes it */
			f = NULL;
		}
		if (f)
			fclose(f);
	}
	p2pg_conf_free(&c.conf);
	return 0;
}

#define TOP_PROCS	8	/* process names kept per destination */

struct top_row {
	char key[160];
	char dst[64], port[8], reason[32], name[80];
	char procs[TOP_PROCS][80];
	int n_procs;
	long n;
};

/* Another process seen sending to @t's destination, once each. */
static void top_add_proc(struct top_row *t, const char *proc)
{
	int i;

	if (!proc[0])
		return;
	for (i = 0; i < t->n_procs; i++)
		if (!strcmp(t->procs[i], proc))
			return;
	if (t->n_procs < TOP_PROCS)
		snprintf(t->procs[t->n_procs++], sizeof(t->procs[0]), "%s",
			 proc);
}

static int top_cmp(const void *a, const void *b)
{
	const struct top_row *x = a, *y = b;

	return (y->n > x->n) - (y->n < x->n);
}

int p2pg_ctl_top(int argc, char **argv)
{
	struct top_row *rows = NULL;
	size_t nrows = 0, k;
	char path[PATH_MAX], line[P2PG_LINE_MAX + 1], dst[4 * 64],
	     reason[4 * 32], name[6 * 80], proc[80];
	struct ctl_ctx c;
	int first, r, i;
	FILE *f;

	r = ctl_init(&c, argc, argv, &first);
	if (r)
		return r;
	for (i = 1; i >= 0; i--) {
		f = open_event_log(&c, i, path, sizeof(path));
		if (!f)
			continue;
		while (next_event_line(f, line, sizeof(line))) {
			struct top_row t = { .n = 1 };

			p2pg_event_field(line, "dst", t.dst, sizeof(t.dst));
			p2pg_event_field(line, "port", t.port, sizeof(t.port));
			p2pg_event_field(line, "reason", t.reason, sizeof(t.reason));
			p2pg_event_field(line, "name", t.name, sizeof(t.name));
			p2pg_event_field(line, "process", proc, sizeof(proc));
			snprintf(t.key, sizeof(t.key), "%s|%s|%s|%s", t.dst,
				 t.port, t.reason, t.name);
			for (k = 0; k < nrows; k++)
				if (!strcmp(rows[k].key, t.key))
					break;
			if (k < nrows) {
				rows[k].n++;
				top_add_proc(&rows[k], proc);
				continue;
			}
			top_add_proc(&t, proc);
			rows = realloc(rows, (nrows + 1) * sizeof(*rows));
			if (!rows) {
				fclose(f);
				return 1;
			}
			rows[nrows++] = t;
		}
		fclose(f);
	}
	qsort(rows, nrows, sizeof(*rows), top_cmp);
	if (c.json)
		printf("[");
	else
		printf("%8s  %-40s %-6s %-22s %s\n", "events", "destination",
		       "port", "reason", "name");
	for (k = 0; k < nrows && (int)k < c.count; k++) {
		/* Unescaped from the log: escaped again for where it goes. */
		size_t (*esc)(char *, size_t, const char *) =
			c.json ? p2pg_json_escape : p2pg_text_escape;

		esc(dst, sizeof(dst), rows[k].dst);
		esc(reason, sizeof(reason), rows[k].reason);
		esc(name, sizeof(name), rows[k].name);
		if (c.json) {
			int j;

			printf("%s{\"events\":%ld,\"dst\":\"%s\",\"port\":%d,\"reason\":\"%s\",\"name\":\"%s\",\"processes\":[",
			       k ? "," : "", rows[k].n, dst,
			       atoi(rows[k].port), reason, name);
			for (j = 0; j < rows[k].n_procs; j++) {
				fputs(j ? "," : "", stdout);
				json_str(stdout, rows[k].procs[j]);
			}
			printf("]}");
		} else
			printf("%8ld  %-40s %-6s %-22s %s\n", rows[k].n, dst,
			       rows[k].port, reason, name);
	}
	if (c.json)
		printf("]\n");
	free(rows);
	p2pg_conf_free(&c.conf);
	return 0;
}

int p2pg_ctl_exec_agent(int argc, char **argv)
{
	char path[PATH_MAX], pid[32];
	struct ctl_ctx c;
	int first, r, fd, n;

	r = ctl_init(&c, argc, argv, &first);
	if (r)
		return r;
	if (first < argc && !strcmp(argv[first], "--"))
		first++;
	if (first >= argc) {
		fprintf(stderr, "usage: p2pguardctl exec-agent -- COMMAND [ARGS]\n");
		return 2;
	}
	if (!c.conf.n_agent_cgroups) {
		fprintf(stderr,
			"p2pguardctl: no agent_cgroups in the configuration\n");
		return 1;
	}
	/* Sockets take the cgroup of the process that creates them. */
	if (p2pg_cgroup_path(c.conf.agent_cgroups[0], path, sizeof(path)) ||
	    p2pg_mkdir_p(path, 0755)) {
		fprintf(stderr, "p2pguardctl: agent cgroup %s: %s\n",
			c.conf.agent_cgroups[0], strerror(errno));
		return 1;
	}
	strncat(path, "/cgroup.procs", sizeof(path) - strlen(path) - 1);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	n = snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
	if (fd < 0 || write(fd, pid, n) != n) {
		fprintf(stderr, "p2pguardctl: joining %s: %s\n", path,
			strerror(errno));
		return 1;
	}
	close(fd);
	execvp(argv[first], argv + first);
	fprintf(stderr, "p2pguardctl: %s: %s\n", argv[first], strerror(errno));
	return 127;
}
