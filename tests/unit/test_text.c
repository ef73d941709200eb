// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_text - text that comes from outside p2pguard:
 *
 *  - p2pg_read_line() reads lines of any length whole; one longer than
 *    its buffer is reported and its tail never becomes a line of its own;
 *  - the settings reader (loader/settings.c) and the configuration parser
 *    (userspace/conf.c) on lines longer than 1,023 bytes and longer than
 *    P2PG_LINE_MAX; the map size keys (flows, event_buffer,
 *    event_destinations) and a list key of 100,000 values;
 *  - p2pg_json_escape() and p2pg_text_escape(): quotes, backslashes,
 *    control characters, ESC, C1 controls, invalid UTF-8, truncation;
 *  - a drop event whose process name holds a quote, a backslash and ESC
 *    is valid JSON with no forged key (p2pg_event_json()), and `events`
 *    prints it escaped (p2pg_event_text());
 *  - `events` on a line that lacks keys prints them empty, and skips a
 *    line that is no event;
 *  - the settings command: a timeout kills it and its process group;
 *    a configuration others can write is refused;
 *  - the metrics (userspace/metrics.c): label values escaped, both text
 *    formats, a buffer too small; the export keys refuse values that
 *    would become an option or a topic wildcard.
 *
 * Output: PASS/FAIL lines (tests/lib/check.h); exit 1 on any FAIL.
 * -l lists the cases, -t NAME runs those whose name contains NAME.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include "check.h"
#include "conf.h"
#include "events.h"
#include "metrics.h"
#include "policy.h"
#include "settings.h"
#include "sys.h"

static char dir[] = "/tmp/p2pguard-text.XXXXXX";

static void put_file(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "we");

	if (!f) {
		perror(path);
		exit(1);
	}
	fputs(text, f);
	fclose(f);
	chmod(path, mode);
}

static char *repeat(char ch, size_t n)
{
	char *s = malloc(n + 1);

	memset(s, ch, n);
	s[n] = 0;
	return s;
}

static void test_read_line(void)
{
	char path[128], buf[P2PG_LINE_MAX + 1], *a1100, *a4096, *a4097, *text;
	ssize_t n[8];
	int i = 0;
	FILE *f;

	a1100 = repeat('a', 1100);
	a4096 = repeat('b', P2PG_LINE_MAX);
	a4097 = repeat('c', P2PG_LINE_MAX + 1);
	if (asprintf(&text, "short\n%sp2p_enable=1\n%s\n%s\nafter\nlast",
		     a1100, a4096, a4097) < 0)
		exit(1);
	snprintf(path, sizeof(path), "%s/lines", dir);
	put_file(path, text, 0644);
	f = fopen(path, "re");
	while (i < 8 && (n[i] = p2pg_read_line(f, buf, sizeof(buf))) != -1) {
		if (i == 1)
			check(n[1] == 1112 && !strncmp(buf, a1100, 1100) &&
			      !strcmp(buf + 1100, "p2p_enable=1"),
			      "read_line: a line of 1,112 bytes is one line, whole (got %zd)",
			      n[1]);
		if (i == 2)
			check(n[2] == P2PG_LINE_MAX && !strcmp(buf, a4096),
			      "read_line: a line of exactly %d bytes fits (got %zd)",
			      P2PG_LINE_MAX, n[2]);
		if (i == 3)
			check(n[3] == P2PG_LINE_TOO_LONG &&
			      strlen(buf) == P2PG_LINE_MAX,
			      "read_line: a line of %d bytes is reported too long, its head kept (got %zd)",
			      P2PG_LINE_MAX + 1, n[3]);
		if (i == 4)
			check(n[4] == 5 && !strcmp(buf, "after"),
			      "read_line: the line after an over-long one is the next line, not its tail (got '%.20s')",
			      buf);
		if (i == 5)
			check(n[5] == 4 && !strcmp(buf, "last"),
			      "read_line: a last line without a newline is read");
		i++;
	}
	fclose(f);
	check(i == 6 && n[0] == 5, "read_line: 6 lines in all (got %d)", i);
	free(a1100);
	free(a4096);
	free(a4097);
	free(text);
}

/* The settings file: its tail after 1,023 bytes must not be a line. */
static void test_settings_lines(void)
{
	struct p2pg_conf c;
	char path[128], why[1024], *pad, *text;
	int v;

	p2pg_conf_defaults(&c);
	c.source = P2PG_SOURCE_FILE;
	snprintf(path, sizeof(path), "%s/camera.conf", dir);
	snprintf(c.file, sizeof(c.file), "%s", path);
	snprintf(c.key, sizeof(c.key), "p2p_enable");

	/* 1,023 bytes of a comment, then what read as "p2p_enable=1". */
	pad = repeat('x', 1021);
	if (asprintf(&text, "p2p_enable=0\n# %sp2p_enable=1\n", pad) < 0)
		exit(1);
	put_file(path, text, 0644);
	why[0] = 0;
	v = p2pg_settings_read(&c, why, sizeof(why));
	check(v == 0, "settings: a 1,035-byte comment ending in p2p_enable=1 stays a comment (P2P off, got %d %s)",
	      v, why);
	free(text);
	free(pad);

	/* A value line of 2,000 bytes: read whole, as one assignment. */
	pad = repeat(' ', 1990);
	if (asprintf(&text, "p2p_enable=0\np2p_enable=%son\n", pad) < 0)
		exit(1);
	put_file(path, text, 0644);
	v = p2pg_settings_read(&c, why, sizeof(why));
	check(v == 1, "settings: an assignment of 2,003 bytes is read whole (P2P on, got %d %s)",
	      v, why);
	free(text);
	free(pad);

	/* Longer than P2PG_LINE_MAX: an error, not two lines. */
	pad = repeat('y', P2PG_LINE_MAX);
	if (asprintf(&text, "p2p_enable=0\n# %s\np2p_enable=1\n", pad) < 0)
		exit(1);
	put_file(path, text, 0644);
	why[0] = 0;
	v = p2pg_settings_read(&c, why, sizeof(why));
	check(v == -1 && strstr(why, ":2: line longer than 4096 bytes"),
	      "settings: a line over %d bytes is an error with its line number (got %d '%s')",
	      P2PG_LINE_MAX, v, why);
	free(text);
	free(pad);
	p2pg_conf_free(&c);
}

/* The configuration parser: long lines whole, over-long ones refused. */
static void test_conf_lines(void)
{
	char path[128], err[1024], *pad, *text;
	struct p2pg_conf c;
	int r;

	snprintf(path, sizeof(path), "%s/p2pguard.conf", dir);
	pad = repeat('z', 1500);
	if (asprintf(&text, "# %s mode = audit\nlockdown = on\n", pad) < 0)
		exit(1);
	put_file(path, text, 0644);
	p2pg_conf_defaults(&c);
	r = p2pg_conf_load(&c, path, err, sizeof(err));
	check(r == 0 && c.mode == P2PG_MODE_ENFORCE && c.lockdown,
	      "conf: a 1,512-byte comment is one comment, its tail no key (got %d, mode %d: %s)",
	      r, c.mode, r ? err : "");
	p2pg_conf_free(&c);
	free(text);
	free(pad);

	pad = repeat('z', P2PG_LINE_MAX);
	if (asprintf(&text, "lockdown = on\n# %s\n", pad) < 0)
		exit(1);
	put_file(path, text, 0644);
	p2pg_conf_defaults(&c);
	r = p2pg_conf_load(&c, path, err, sizeof(err));
	check(r == -1 && strstr(err, ":2: line longer than 4096 bytes"),
	      "conf: a line over %d bytes is refused with its line number (got %d '%s')",
	      P2PG_LINE_MAX, r, r ? err : "");
	p2pg_conf_free(&c);
	free(text);
	free(pad);
}

static void test_escape(void)
{
	/* quote, backslash, ESC [31m, SOH, DEL, C1 CSI, bad byte, euro, tab */
	static const char in[] = "a\"b\\c\x1b[31m\x01\x7f\xc2\x9b\xff\xe2\x82\xac\t";
	char out[256];
	size_t n;

	n = p2pg_json_escape(out, sizeof(out), in);
	check(!strcmp(out, "a\\\"b\\\\c\\u001b[31m\\u0001\\u007f\\u009b\\ufffd\xe2\x82\xac\\u0009") &&
	      n == strlen(out),
	      "json escape: quote, backslash, ESC, C0, DEL, C1, bad UTF-8, tab (got %s)",
	      out);
	n = p2pg_text_escape(out, sizeof(out), in);
	check(!strcmp(out, "a\"b\\\\c\\x1b[31m\\x01\\x7f\\xc2\\x9b\\xff\xe2\x82\xac\\x09") &&
	      n == strlen(out),
	      "text escape: backslash doubled, ESC and controls as \\xHH, UTF-8 kept (got %s)",
	      out);
	check(!strchr(out, 0x1b), "text escape: no raw ESC byte left");

	/* Overlong '/', a surrogate, a cut sequence: each byte is invalid. */
	p2pg_json_escape(out, sizeof(out), "\xc0\xaf|\xed\xa0\x80|\xe2\x82");
	check(!strcmp(out, "\\ufffd\\ufffd|\\ufffd\\ufffd\\ufffd|\\ufffd\\ufffd"),
	      "json escape: overlong, surrogate and truncated UTF-8 replaced (got %s)",
	      out);

	/* Never half an escape: 9 bytes hold "ab" and not "\u001b". */
	n = p2pg_json_escape(out, 9, "ab\x1b\x1b");
	check(n == 8 && !strcmp(out, "ab\\u001b"),
	      "json escape: a short buffer ends between escapes (got %zu '%s')",
	      n, out);
	n = p2pg_json_escape(out, 8, "ab\x1b");
	check(n == 2 && !strcmp(out, "ab"),
	      "json escape: an escape that does not fit is left out whole (got %zu '%s')",
	      n, out);
	n = p2pg_text_escape(out, 5, "\xe2\x82\xac\xe2\x82\xac");
	check(n == 3 && !strcmp(out, "\xe2\x82\xac"),
	      "text escape: a UTF-8 character is never split (got %zu)", n);
}

/* Count the occurrences of @pat in @s. */
static int count(const char *s, const char *pat)
{
	int n = 0;

	for (s = strstr(s, pat); s; s = strstr(s + 1, pat))
		n++;
	return n;
}

static void test_events(void)
{
	struct p2pg_event e = { .cgroup_id = 7, .uid = 1000,
				.reason = P2PG_R_PPPP,
				.family = 4, .l4proto = 17,
				.flags = P2PG_EV_DROPPED, .dport = 32100,
				.daddr = { 198, 51, 100, 1 } };
	const char *evil = "x\",\"action\":\"allowed\x1b[2J\\[42]";
	char line[2048], text[8192];
	int n, i, ctl = 0;

	setenv("TZ", "UTC", 1);
	tzset();
	n = p2pg_event_json(&e, 0, evil, line, sizeof(line));
	for (i = 0; i < n; i++)
		if ((unsigned char)line[i] < 0x20)
			ctl++;
	check(n == (int)strlen(line) && !ctl,
	      "event json: no raw control byte (%d)", ctl);
	check(count(line, "\"action\":") == 1 &&
	      strstr(line, "\"process\":\"x\\\",\\\"action\\\":\\\"allowed\\u001b[2J\\\\[42]\"}"),
	      "event json: the process name is one escaped string, no forged key (%s)",
	      line);
	check(!p2pg_event_text(line, text, sizeof(text)) &&
	      !strcmp(text, "1970-01-01 00:00:00 blocked udp 198.51.100.1:32100 "
		      "cs2-pppp uid 1000 x\",\"action\":\"allowed\\x1b[2J\\\\[42]") &&
	      !strchr(text, 0x1b),
	      "events: the name unescaped from JSON, ESC shown as \\x1b (%s)",
	      text);
	n = p2pg_event_json(&e, 0, evil, line, 64);
	check(n == 63 && (int)strlen(line) == n,
	      "event json: a short buffer reports the length it holds (%d)", n);

	/* A line without most keys: shown empty, never stale or garbage. */
	memset(text, 'G', sizeof(text));
	check(!p2pg_event_text("{\"ts\":60,\"action\":\"blocked\"}", text,
			       sizeof(text)) &&
	      !strcmp(text, "1970-01-01 00:01:00 blocked  :  uid "),
	      "events: missing keys print empty (%s)", text);
	check(!p2pg_event_text("{\"ts\":60,\"process\":\"a\\\"b\",\"uid\":5}",
			       text, sizeof(text)) &&
	      !strcmp(text, "1970-01-01 00:01:00   :  uid 5 a\"b"),
	      "events: an escaped quote inside a value does not end it (%s)",
	      text);
	check(p2pg_event_text("{\"action\":\"blocked\"}", text,
			      sizeof(text)) == -1,
	      "events: a line without a time is skipped with a note (%s)",
	      text);
	check(p2pg_event_text("garbage", text, sizeof(text)) == -1,
	      "events: a line that is no JSON is skipped");
	check(!p2pg_event_text("{\"ts\":0,\"name\":\"a\\u0000\\u001b\"}", text,
			       sizeof(text)) && !strchr(text, 0x1b),
	      "events: \\u001b in the log is printed as \\x1b (%s)", text);
}

/* Running, not a zombie nobody reaped yet. */
static int pid_alive(const char *pidfile)
{
	char buf[256] = "", *p;
	FILE *f = fopen(pidfile, "re");
	int pid;

	if (!f)
		return 0;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = 0;
	fclose(f);
	pid = atoi(buf);
	if (pid <= 0)
		return 0;
	snprintf(buf, sizeof(buf), "/proc/%d/stat", pid);
	f = fopen(buf, "re");
	if (!f)
		return 0;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = 0;
	fclose(f);
	p = strrchr(buf, ')');
	return p && p[1] == ' ' && p[2] != 'Z';
}

static void test_command(void)
{
	char path[128], pidfile[160], why[1024];
	struct p2pg_conf c;
	struct timespec t0, t1;
	double secs;
	int v, i;

	snprintf(path, sizeof(path), "%s/p2pguard.conf", dir);
	snprintf(pidfile, sizeof(pidfile), "%s/bg.pid", dir);
	put_file(path, "source = command\ncommand = echo on\ncommand_timeout = 1\n",
		 0644);
	p2pg_conf_defaults(&c);
	if (p2pg_conf_load(&c, path, why, sizeof(why))) {
		check(0, "command: configuration loads: %s", why);
		return;
	}
	if (c.untrusted[0] && geteuid() == 0) {
		check(0, "command: a root-owned 0644 file is trusted (%s)",
		      c.untrusted);
		return;
	}
	if (c.untrusted[0]) {
		check_skip("command: not run as root (%s)", c.untrusted);
		return;
	}
	why[0] = 0;
	v = p2pg_settings_read(&c, why, sizeof(why));
	check(v == 1, "command: 'echo on' reads on (got %d %s)", v, why);

	/* A background child keeps the pipe and runs on: both killed. */
	snprintf(c.command, sizeof(c.command),
		 "sleep 30 & echo $! > %s; echo on; sleep 30", pidfile);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	v = p2pg_settings_read(&c, why, sizeof(why));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = t1.tv_sec - t0.tv_sec + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	check(v == -1 && strstr(why, "timed out after 1 s and was killed"),
	      "command: a command past command_timeout is an error (%d '%s')",
	      v, why);
	check(secs >= 0.9 && secs < 3, "command: given up after %.2f s", secs);
	for (i = 0; i < 50 && pid_alive(pidfile); i++)
		usleep(20000);
	check(!pid_alive(pidfile),
	      "command: its process group was killed (background sleep gone)");

	/* StrictModes: group-writable, then owned by someone else. */
	chmod(path, 0664);
	p2pg_conf_free(&c);
	p2pg_conf_defaults(&c);
	p2pg_conf_load(&c, path, why, sizeof(why));
	v = p2pg_settings_read(&c, why, sizeof(why));
	check(v == -1 && strstr(why, "refused") && strstr(why, "mode 0664"),
	      "command: a group-writable configuration is refused (%s)", why);
	chmod(path, 0644);
	if (chown(path, 65534, 65534) == 0) {
		p2pg_conf_free(&c);
		p2pg_conf_defaults(&c);
		p2pg_conf_load(&c, path, why, sizeof(why));
		v = p2pg_settings_read(&c, why, sizeof(why));
		check(v == -1 && strstr(why, "owned by uid 65534"),
		      "command: a configuration owned by another user is refused (%s)",
		      why);
	}
	/* A directory above that others may write (not sticky). */
	chown(path, 0, 0);
	chmod(dir, 0777);
	p2pg_conf_free(&c);
	p2pg_conf_defaults(&c);
	p2pg_conf_load(&c, path, why, sizeof(why));
	check(strstr(c.untrusted, dir) && strstr(c.untrusted, "mode 0777"),
	      "command: a world-writable directory above is named (%s)",
	      c.untrusted);
	chmod(dir, 01777);
	p2pg_conf_free(&c);
	p2pg_conf_defaults(&c);
	p2pg_conf_load(&c, path, why, sizeof(why));
	check(!c.untrusted[0], "command: a sticky directory above is allowed (%s)",
	      c.untrusted);
	chmod(dir, 0700);
	p2pg_conf_free(&c);
}

static void test_metrics(void)
{
	static char buf[64 * 1024];
	struct p2pg_metrics m = { 0 };
	char esc[64], path[128], err[1024];
	struct p2pg_conf c;
	int n, r;

	p2pg_metrics_label_escape(esc, sizeof(esc), "a\"b\\c\nd");
	check(!strcmp(esc, "a\\\"b\\\\c\\nd"),
	      "metrics: a label value's quote, backslash and newline escaped (%s)",
	      esc);
	m.have_ctr = 1;
	m.ctr[P2PG_R_STUN].packets = 10;
	m.ctr[P2PG_R_STUN].drop_packets = 4;
	m.ctr[P2PG_R_STUN].bytes = 1000;
	m.ctr[P2PG_R_STUN].drop_bytes = 400;
	m.enforced = 1;
	m.backend = "eb\"pf\n";
	n = p2pg_metrics_format(&m, 1, buf, sizeof(buf));
	check(n > 0 && strstr(buf, "# TYPE p2pguard_packets counter\n") &&
	      strstr(buf, "# UNIT p2pguard_bytes bytes\n") &&
	      strstr(buf, "p2pguard_packets_total{reason=\"stun-turn\",verdict=\"passed\"} 6\n") &&
	      strstr(buf, "p2pguard_bytes_total{reason=\"stun-turn\",verdict=\"dropped\"} 400\n") &&
	      strstr(buf, "p2pguard_backend{backend=\"eb\\\"pf\\n\"} 1\n") &&
	      n >= 6 && !strcmp(buf + n - 6, "# EOF\n"),
	      "metrics: OpenMetrics: counter family without _total, unit, passed = all - dropped, label escaped, # EOF last");
	n = p2pg_metrics_format(&m, 0, buf, sizeof(buf));
	check(n > 0 && strstr(buf, "# TYPE p2pguard_packets_total counter\n") &&
	      !strstr(buf, "# UNIT") && !strstr(buf, "# EOF"),
	      "metrics: Prometheus 0.0.4: counters typed by their _total name, no UNIT, no EOF");
	check(p2pg_metrics_format(&m, 1, buf, 100) == -ENOSPC && !buf[0],
	      "metrics: a buffer too small is -ENOSPC, nothing half written");

	snprintf(path, sizeof(path), "%s/p2pguard.conf", dir);
	put_file(path, "export_mqtt_topic = cams/#\n", 0644);
	p2pg_conf_defaults(&c);
	r = p2pg_conf_load(&c, path, err, sizeof(err));
	check(r == -1 && strstr(err, "export_mqtt_topic"),
	      "conf: an MQTT topic prefix with a wildcard is refused (%s)", err);
	p2pg_conf_free(&c);
	put_file(path, "export_mqtt_host = --help\n", 0644);
	p2pg_conf_defaults(&c);
	r = p2pg_conf_load(&c, path, err, sizeof(err));
	check(r == -1 && strstr(err, "export_mqtt_host"),
	      "conf: an MQTT host that would be an option is refused (%s)", err);
	p2pg_conf_free(&c);
	put_file(path, "export_textfile = rel/dir\n", 0644);
	p2pg_conf_defaults(&c);
	r = p2pg_conf_load(&c, path, err, sizeof(err));
	check(r == -1 && strstr(err, "absolute"),
	      "conf: a relative export_textfile is refused (%s)", err);
	p2pg_conf_free(&c);
	put_file(path, "export_textfile = /var/lib/node_exporter\nexport_mqtt_host = broker.lan\nexport_mqtt_rate = 12\nself_addresses = 192.0.2.1, 2001:db8::1\n", 0644);
	p2pg_conf_defaults(&c);
	r = p2pg_conf_load(&c, path, err, sizeof(err));
	check(r == 0 && c.export_interval_s == 15 && c.mqtt_rate == 12 &&
	      c.mqtt_port == 1883 && c.n_self_addrs == 2 &&
	      !strcmp(c.mqtt_pub, "/usr/bin/mosquitto_pub"),
	      "conf: export keys read, defaults kept (%s)", r ? err : "");
	p2pg_conf_free(&c);
}

/* The map size keys; a list key of 100,000 values (lists grow as read). */
static void test_conf_sizes(void)
{
	static const char *const bad[] = {
		"flows = 8\n", "flows = 2M\n", "flows = -1\n", "flows = 1x\n",
		"event_buffer = 12K\n", "event_buffer = 2K\n",
		"event_buffer = 32M\n", "event_destinations = 0\n", NULL,
	};
	char path[512], err[512];
	struct p2pg_conf c;
	FILE *f;
	int i, r;

	snprintf(path, sizeof(path), "%s/sizes.conf", dir);
	for (i = 0; bad[i]; i++) {
		put_file(path, bad[i], 0644);
		p2pg_conf_defaults(&c);
		r = p2pg_conf_load(&c, path, err, sizeof(err));
		check(r == -1 && strstr(err, ":1: "), "conf: '%.*s' refused (%s)",
		      (int)strlen(bad[i]) - 1, bad[i], err);
		p2pg_conf_free(&c);
	}
	put_file(path, "flows = 4K\nevent_buffer = 64k\nevent_destinations = 100\n",
		 0644);
	p2pg_conf_defaults(&c);
	check(c.flows == 1024 && c.event_buffer == 16384 &&
	      c.event_dests == 256, "conf: size defaults 1024, 16384, 256");
	r = p2pg_conf_load(&c, path, err, sizeof(err));
	check(!r && c.flows == 4096 && c.event_buffer == 65536 &&
	      c.event_dests == 100, "conf: flows 4K, event_buffer 64k, event_destinations 100 (%u %u %u)",
	      c.flows, c.event_buffer, c.event_dests);
	p2pg_conf_free(&c);
	f = fopen(path, "w");
	if (!check(f != NULL, "conf: %s", path))
		return;
	for (i = 0; i < 100000; i++)
		fprintf(f, "deny_domains = r%d.vendor.test\n", i);
	fclose(f);
	p2pg_conf_defaults(&c);
	r = p2pg_conf_load(&c, path, err, sizeof(err));
	check(!r && c.n_deny_domains == 100000 &&
	      !strcmp(c.deny_domains[99999], "r99999.vendor.test"),
	      "conf: 100,000 deny_domains lines read (%d)", c.n_deny_domains);
	p2pg_conf_free(&c);
}

static const struct check_test tests[] = {
	CHECK_TEST(read_line),
	CHECK_TEST(conf_sizes),
	CHECK_TEST(settings_lines),
	CHECK_TEST(conf_lines),
	CHECK_TEST(escape),
	CHECK_TEST(events),
	CHECK_TEST(command),
	CHECK_TEST(metrics),
};

int main(int argc, char **argv)
{
	char cmd[64];

	check_options(argc, argv, tests, CHECK_COUNT(tests), NULL);
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	check_run(tests, CHECK_COUNT(tests));
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd))
		fprintf(stderr, "cannot remove %s\n", dir);
	return check_exit();
}
