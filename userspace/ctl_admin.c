// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * ctl_admin.c - p2pguardctl status, stats, p2p, unload, events, top and
 * exec-agent.  They read the pins (eBPF backend) or the module's sysfs
 * files (module backend) and p2pguardd's run directory, so they work while
 * the daemon is down.  Only ctl_kernel_config() and ctl_counters() know
 * where the two backends keep the switch and the counters.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <dirent.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "conf.h"
#include "ctl.h"
#include "kmodule.h"
#include "policy.h"
#include "sys.h"

struct ctl_ctx {
	struct p2pg_conf conf;
	char status[4096];	/* p2pguardd's status file, "" when none */
	int module;		/* the kernel module backend */
	int json;
	int follow;
	int count;
};

static int status_get(const char *buf, const char *key, char *out,
		      size_t len);

/*
 * Which backend: what p2pguardd last said in its status file; else the
 * configuration's choice; for auto, the module when it is loaded and no
 * eBPF program is pinned.
 */
static void ctl_backend(struct ctl_ctx *c)
{
	char path[PATH_MAX], v[32];
	struct stat st;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", c->conf.run_dir, P2PG_STATUS_FILE);
	c->status[0] = 0;
	f = fopen(path, "re");
	if (f) {
		c->status[fread(c->status, 1, sizeof(c->status) - 1, f)] = 0;
		fclose(f);
	}
	if (status_get(c->status, "backend", v, sizeof(v)) &&
	    (!strcmp(v, "module") || !strcmp(v, "ebpf"))) {
		c->module = !strcmp(v, "module");
		return;
	}
	if (c->conf.backend != P2PG_BACKEND_AUTO) {
		c->module = c->conf.backend == P2PG_BACKEND_MODULE;
		return;
	}
	snprintf(path, sizeof(path), "%s/%s", c->conf.pin_dir, P2PG_MAP_CONFIG);
	c->module = p2pg_mod_loaded() && stat(path, &st);
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
		{ NULL, 0, NULL, 0 },
	};
	const char *conf_path = P2PG_CONF_PATH, *pin_dir = NULL;
	char err[512];
	int o;

	memset(c, 0, sizeof(*c));
	c->count = 10;
	optind = 1;
	while ((o = getopt_long(argc, argv, "+c:p:jfn:", opts, NULL)) != -1) {
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

static int pin_fd(const struct ctl_ctx *c, const char *name)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", c->conf.pin_dir, name);
	return bpf_obj_get(path);
}

/*
 * The switch the kernel enforces: the pinned config map, or the module's
 * sysfs files (@loaded: a policy was written since the module loaded).
 */
static int ctl_kernel_config(const struct ctl_ctx *c, struct p2pg_config *cfg,
			     int *loaded)
{
	__u32 zero = 0;
	int fd, r;

	*loaded = 1;
	if (c->module)
		return p2pg_mod_config(cfg, loaded);
	fd = pin_fd(c, P2PG_MAP_CONFIG);
	if (fd < 0)
		return -1;
	r = bpf_map_lookup_elem(fd, &zero, cfg);
	close(fd);
	return r ? -1 : 0;
}

/* Per-reason counters: the pinned per-CPU map, or the module's sysfs. */
static int ctl_counters(const struct ctl_ctx *c, struct p2pg_counter *out,
			char *why, size_t len)
{
	int fd, r;

	if (c->module) {
		if (!p2pg_mod_counters(out))
			return 0;
		snprintf(why, len, "no counters in %s/counters: %s",
			 p2pg_mod_sysfs(), strerror(errno));
		return -1;
	}
	fd = pin_fd(c, P2PG_MAP_COUNTERS);
	if (fd < 0) {
		snprintf(why, len, "no counters pinned in %s: %s",
			 c->conf.pin_dir, strerror(errno));
		return -1;
	}
	r = p2pg_counters_read(fd, out);
	close(fd);
	if (r) {
		snprintf(why, len, "reading counters: %s", strerror(-r));
		return -1;
	}
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

int p2pg_ctl_status(int argc, char **argv)
{
	static const char *const keys[] = {
		"backend", "attach", "cgroup", "module", "mode", "lockdown",
		"source", "source_detail", "source_status", "applied",
		"features", "missing", NULL,
	};
	struct p2pg_counter ctr[P2PG_R__COUNT];
	char path[PATH_MAX], v[512], why[512] = "";
	struct ctl_ctx c;
	struct p2pg_config cfg;
	int first, r, fd, enforced, have_cfg, have_ctr, loaded, i;
	const char *buf;

	r = ctl_init(&c, argc, argv, &first);
	if (r)
		return r;
	buf = c.status;
	snprintf(path, sizeof(path), "%s/%s", c.conf.run_dir, P2PG_STATUS_FILE);
	have_cfg = !ctl_kernel_config(&c, &cfg, &loaded);
	have_ctr = !ctl_counters(&c, ctr, v, sizeof(v));
	status_get(buf, "enforced", v, sizeof(v));
	enforced = !strcmp(v, "yes");
	if (!buf[0]) {
		snprintf(why, sizeof(why), "p2pguardd has not run (no %s)",
			 path);
		enforced = 0;
	} else if (!enforced) {
		status_get(buf, "reason", why, sizeof(why));
	} else if (c.module && !p2pg_mod_loaded()) {
		snprintf(why, sizeof(why),
			 "the kernel module is not loaded (no %s)",
			 p2pg_mod_sysfs());
		enforced = 0;
	} else if (c.module && (!have_cfg || !loaded)) {
		snprintf(why, sizeof(why),
			 "the kernel module has no policy from p2pguardd (%s)",
			 have_cfg ? "it was reloaded" : strerror(errno));
		enforced = 0;
	} else if (!have_cfg) {
		snprintf(why, sizeof(why), "the pins in %s are gone",
			 c.conf.pin_dir);
		enforced = 0;
	} else if (!c.module) {
		status_get(buf, "attach", v, sizeof(v));
		fd = pin_fd(&c, P2PG_PIN_LINK);
		if (!strcmp(v, "link") && fd < 0) {
			snprintf(why, sizeof(why),
				 "the link pin %s/%s is gone: nothing attached",
				 c.conf.pin_dir, P2PG_PIN_LINK);
			enforced = 0;
		}
		if (fd >= 0)
			close(fd);
	}
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
		if (have_ctr) {
			printf(",\"counters\":{");
			print_counters(&c, ctr, 1);
			printf("}");
		}
		printf("}\n");
	} else {
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
			/* The kernel's word over the daemon's where it has one. */
			if (c.module && have_cfg && !strcmp(keys[i], "mode"))
				snprintf(v, sizeof(v), "%s",
					 cfg.mode == P2PG_MODE_AUDIT ? "audit" :
					 "enforce");
			else if (c.module && have_cfg &&
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
		if (c.module)
			printf("%-11s %s\n", "sysfs", p2pg_mod_sysfs());
		if (have_ctr)
			print_counters(&c, ctr, 1);
	}
	p2pg_conf_free(&c.conf);
	return enforced ? 0 : 1;
}

int p2pg_ctl_stats(int argc, char **argv)
{
	struct p2pg_counter ctr[P2PG_R__COUNT];
	struct ctl_ctx c;
	char why[512];
	int first, r;

	r = ctl_init(&c, argc, argv, &first);
	if (r)
		return r;
	if (ctl_counters(&c, ctr, why, sizeof(why))) {
		fprintf(stderr, "p2pguardctl: %s\n", why);
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
	struct p2pg_config cfg;
	struct ctl_ctx c;
	char line[16];
	int first, r, on, fd;
	__u32 zero = 0;

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
	 * Also straight into the kernel, so it holds while p2pguardd is down:
	 * the pinned config, or the module's switch (which bumps its
	 * generation itself).
	 */
	fd = pin_fd(&c, P2PG_MAP_CONFIG);
	if (fd >= 0 && !bpf_map_lookup_elem(fd, &zero, &cfg)) {
		cfg.p2p_enabled = on;
		cfg.generation++;
		bpf_map_update_elem(fd, &zero, &cfg, BPF_ANY);
	}
	if (fd >= 0)
		close(fd);
	if (c.module && p2pg_mod_loaded() &&
	    p2pg_mod_write("p2p_enabled", on ? "1\n" : "0\n"))
		fprintf(stderr, "p2pguardctl: %s/p2p_enabled: %s\n",
			p2pg_mod_sysfs(), strerror(errno));
	printf("P2P %s\n", on ? "on" : "off");
	p2pg_conf_free(&c.conf);
	return 0;
}

/*
 * Module backend: p2pguardd holds the device open, which keeps the module
 * in use; it is stopped first, and given a moment to exit.
 */
static int unload_module(struct ctl_ctx *c, int pid)
{
	char path[PATH_MAX], status[256];
	int i, n;

	for (i = 0; pid && i < 50 && !kill(pid, 0); i++)
		usleep(100000);
	if (p2pg_mod_unload()) {
		if (errno == ENOENT) {
			printf("unloaded: the p2pguard module was not loaded\n");
		} else if (errno == ENOSYS) {
			fprintf(stderr, "p2pguardctl: this kernel cannot unload modules (no CONFIG_MODULE_UNLOAD): p2pguardd is stopped, the module stays until reboot\n");
			return 1;
		} else {
			fprintf(stderr, "p2pguardctl: cannot unload the p2pguard module: %s%s\n",
				strerror(errno),
				errno == EBUSY || errno == EWOULDBLOCK ||
				errno == EAGAIN ?
				" (in use: is p2pguardd, or another reader of " P2PG_DEV_PATH ", still running?)" :
				"");
			return 1;
		}
	} else {
		printf("unloaded: the p2pguard module is removed\n");
	}
	snprintf(path, sizeof(path), "%s/%s", c->conf.run_dir,
		 P2PG_STATUS_FILE);
	n = snprintf(status, sizeof(status),
		     "enforced=no\nreason=unloaded by p2pguardctl unload\nbackend=module\n");
	p2pg_write_file_atomic(path, status, n);
	return 0;
}

int p2pg_ctl_unload(int argc, char **argv)
{
	char path[PATH_MAX], *status, v[PATH_MAX];
	struct ctl_ctx c;
	int first, r, pid, prog, cg;
	DIR *d;

	r = ctl_init(&c, argc, argv, &first);
	if (r)
		return r;
	status = c.status;
	pid = daemon_running(&c);
	if (pid)
		kill(pid, SIGTERM);
	if (c.module) {
		r = unload_module(&c, pid);
		p2pg_conf_free(&c.conf);
		return r;
	}
	/* A legacy attachment belongs to the cgroup: detach it explicitly. */
	status_get(status, "attach", v, sizeof(v));
	if (!strcmp(v, "legacy")) {
		prog = pin_fd(&c, P2PG_PIN_PROG);
		status_get(status, "cgroup", v, sizeof(v));
		cg = open(v, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (prog >= 0 && cg >= 0 &&
		    bpf_prog_detach2(prog, cg, BPF_CGROUP_INET_EGRESS))
			fprintf(stderr, "p2pguardctl: detaching from %s: %s\n",
				v, strerror(errno));
		if (prog >= 0)
			close(prog);
		if (cg >= 0)
			close(cg);
	}
	/* Removing the link pin drops the last reference: detached. */
	d = opendir(c.conf.pin_dir);
	if (d) {
		struct dirent *e;

		while ((e = readdir(d))) {
			if (e->d_name[0] == '.' && (!e->d_name[1] ||
			    (e->d_name[1] == '.' && !e->d_name[2])))
				continue;
			snprintf(path, sizeof(path), "%s/%s", c.conf.pin_dir,
				 e->d_name);
			if (unlink(path))
				fprintf(stderr, "p2pguardctl: %s: %s\n", path,
					strerror(errno));
		}
		closedir(d);
		rmdir(c.conf.pin_dir);
	}
	snprintf(path, sizeof(path), "%s/%s", c.conf.run_dir, P2PG_STATUS_FILE);
	r = snprintf(status, sizeof(c.status),
		     "enforced=no\nreason=unloaded by p2pguardctl unload\n");
	p2pg_write_file_atomic(path, status, r);
	printf("unloaded: program, link and pins removed from %s\n",
	       c.conf.pin_dir);
	p2pg_conf_free(&c.conf);
	return 0;
}

int p2pg_event_json(const struct p2pg_event *e, long long ts,
		    const char *process, char *buf, unsigned int len)
{
	char addr[INET6_ADDRSTRLEN] = "?", name[P2PG_EVENT_QNAME + 1] = "",
	     proc[1024];
	unsigned int i = 0, n = 0;
	int r;

	inet_ntop(e->family == 6 ? AF_INET6 : AF_INET, e->daddr, addr,
		  sizeof(addr));
	/* Wire-form labels to dotted text, within the copied bytes. */
	while (i < P2PG_EVENT_QNAME && e->qname[i] && e->qname[i] < 64) {
		unsigned int l = e->qname[i++], k;

		for (k = 0; k < l && i < P2PG_EVENT_QNAME; k++, i++) {
			char ch = e->qname[i];

			name[n++] = (ch >= 0x21 && ch < 0x7f && ch != '"' &&
				     ch != '\\') ? ch : '?';
		}
		if (i < P2PG_EVENT_QNAME && e->qname[i])
			name[n++] = '.';
	}
	name[n] = 0;
	/* Process names are anyone's to choose: quotes, ESC, bad UTF-8. */
	p2pg_json_escape(proc, sizeof(proc), process);
	r = snprintf(buf, len,
			"{\"ts\":%lld,\"action\":\"%s\",\"reason\":\"%s\",\"proto\":\"%s\",\"dst\":\"%s\",\"port\":%u,\"uid\":%u,\"cgroup\":%llu,\"name\":\"%s\",\"process\":\"%s\"}",
			ts, e->flags & P2PG_EV_DROPPED ? "blocked" : "would-block",
			p2pg_reason_name(e->reason),
			e->l4proto == 6 ? "tcp" : e->l4proto == 17 ? "udp" : "ip",
			addr, e->dport, e->uid,
			(unsigned long long)e->cgroup_id, name, proc);
	return r < 0 ? 0 : (unsigned int)r < len ? r : (int)len - 1;
}

/* Append the UTF-8 form of @cp; invalid code points as U+FFFD. */
static size_t put_utf8(char *o, unsigned int cp)
{
	if (cp >= 0xd800 && cp <= 0xdfff)
		cp = 0xfffd;
	if (cp < 0x80) {
		o[0] = cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = 0xc0 | cp >> 6;
		o[1] = 0x80 | (cp & 0x3f);
		return 2;
	}
	o[0] = 0xe0 | cp >> 12;
	o[1] = 0x80 | ((cp >> 6) & 0x3f);
	o[2] = 0x80 | (cp & 0x3f);
	return 3;
}

/*
 * "key":value or "key":"value" out of one line of the event log, the
 * string unescaped.  A key that is missing, or a line that is no JSON,
 * leaves @out empty.
 *
 * Return: 1 found, 0 not.
 */
static int json_get(const char *line, const char *key, char *out, size_t len)
{
	char pat[64], hx[5];
	const char *p;
	size_t n = 0;

	out[0] = 0;
	snprintf(pat, sizeof(pat), "\"%s\":", key);
	/* A key, not the same text inside another value (after a ',' or '{'). */
	for (p = strstr(line, pat); p; p = strstr(p + 1, pat))
		if (p > line && (p[-1] == ',' || p[-1] == '{'))
			break;
	if (!p)
		return 0;
	p += strlen(pat);
	if (*p != '"') {
		n = strcspn(p, ",}\r\n");
		if (n >= len)
			n = len - 1;
		memcpy(out, p, n);
		out[n] = 0;
		return 1;
	}
	for (p++; *p && *p != '"'; p++) {
		char u[4];
		size_t k = 1;

		u[0] = *p;
		if (*p == '\\') {
			p++;
			switch (*p) {
			case 'b':
				u[0] = '\b';
				break;
			case 'f':
				u[0] = '\f';
				break;
			case 'n':
				u[0] = '\n';
				break;
			case 'r':
				u[0] = '\r';
				break;
			case 't':
				u[0] = '\t';
				break;
			case 'u':
				if (strspn(p + 1, "0123456789abcdefABCDEF") < 4)
					return 1;	/* cut short: keep what came */
				memcpy(hx, p + 1, 4);
				hx[4] = 0;
				k = put_utf8(u, strtoul(hx, NULL, 16));
				p += 4;
				break;
			case 0:
				return 1;
			default:
				u[0] = *p;	/* \" \\ \/ */
			}
		}
		if (n + k >= len)
			break;
		memcpy(out + n, u, k);
		n += k;
		out[n] = 0;
	}
	return 1;
}

int p2pg_event_text(const char *line, char *buf, size_t len)
{
	char ts[32], act[16], reason[32], proto[8], dst[64], port[8], uid[16],
	     name[80], proc[1024], sname[4 * 80], sproc[4 * 1024], when[32];
	struct tm tm;
	time_t t;

	/* No time, no event: a line of something else, or cut short. */
	if (line[0] != '{' || !json_get(line, "ts", ts, sizeof(ts)) ||
	    !ts[0]) {
		snprintf(buf, len, "(skipped a line that is no event)");
		return -1;
	}
	json_get(line, "action", act, sizeof(act));
	json_get(line, "reason", reason, sizeof(reason));
	json_get(line, "proto", proto, sizeof(proto));
	json_get(line, "dst", dst, sizeof(dst));
	json_get(line, "port", port, sizeof(port));
	json_get(line, "uid", uid, sizeof(uid));
	json_get(line, "name", name, sizeof(name));
	json_get(line, "process", proc, sizeof(proc));
	/* Unescaped from JSON: now made safe for a terminal. */
	p2pg_text_escape(sname, sizeof(sname), name);
	p2pg_text_escape(sproc, sizeof(sproc), proc);
	t = atoll(ts);
	localtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
	snprintf(buf, len, "%s %s %s %s:%s %s uid %s%s%s%s%s", when, act,
		 proto, dst, port, reason, uid, *sproc ? " " : "", sproc,
		 *sname ? " " : "", sname);
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

int p2pg_ctl_events(int argc, char **argv)
{
	char path[PATH_MAX], line[P2PG_LINE_MAX + 1];
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
		while (next_event_line(f, line, sizeof(line)))
			print_event_line(&c, line);
		if (i == 0 && c.follow) {
			/* Like tail -f; p2pguardd rotates by rename. */
			ino_t ino = 0;
			struct stat st;

			if (!fstat(fileno(f), &st))
				ino = st.st_ino;
			for (;;) {
				fflush(stdout);
				usleep(200000);
				clearerr(f);
				while (next_event_line(f, line, sizeof(line)))
					print_event_line(&c, line);
				if (!stat(path, &st) && st.st_ino != ino) {
					fclose(f);
					f = fopen(path, "re");
					if (!f)
						break;
					ino = st.st_ino;
				}
			}
		}
		if (f)
			fclose(f);
	}
	p2pg_conf_free(&c.conf);
	return 0;
}

struct top_row {
	char key[160];
	char dst[64], port[8], reason[32], name[80];
	long n;
};

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
	     reason[4 * 32], name[6 * 80];
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

			json_get(line, "dst", t.dst, sizeof(t.dst));
			json_get(line, "port", t.port, sizeof(t.port));
			json_get(line, "reason", t.reason, sizeof(t.reason));
			json_get(line, "name", t.name, sizeof(t.name));
			snprintf(t.key, sizeof(t.key), "%s|%s|%s|%s", t.dst,
				 t.port, t.reason, t.name);
			for (k = 0; k < nrows; k++)
				if (!strcmp(rows[k].key, t.key))
					break;
			if (k < nrows) {
				rows[k].n++;
				continue;
			}
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
		if (c.json)
			printf("%s{\"events\":%ld,\"dst\":\"%s\",\"port\":%d,\"reason\":\"%s\",\"name\":\"%s\"}",
			       k ? "," : "", rows[k].n, dst,
			       atoi(rows[k].port), reason, name);
		else
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
