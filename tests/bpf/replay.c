// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * replay.c - test_bpf: `p2pguardctl replay` on captures of the vectors
 * written here (Ethernet, raw IP, Linux cooked v1/v2, pcapng) under each
 * switch, and on broken ones (truncated, jumbo frame, unknown link type,
 * not a capture, empty, missing).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <pcap/dlt.h>

#include "check.h"
#include "pcap_write.h"
#include "test_bpf.h"

static char tmpdir[] = "/tmp/p2pg-test-bpf.XXXXXX";
static char ctl[PATH_MAX];

/* build/p2pguardctl, next to build/tests/test_bpf. */
static int find_ctl(void)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	char *slash;

	if (n < 0)
		return -1;
	self[n] = 0;
	slash = strrchr(self, '/');
	if (!slash)
		return -1;
	*slash = 0;
	snprintf(ctl, sizeof(ctl), "%s/../p2pguardctl", self);
	return access(ctl, X_OK);
}

static void tmp_path(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", tmpdir, name);
}

/* Expected result of one packet of a capture. */
struct want {
	const char *name;
	unsigned int reason;
	int drop;
	int vec;		/* index into vecs, or -1 */
};

struct run_result {
	int status;		/* from waitpid */
	size_t lines, bad;
	char err[1024];		/* stderr */
};

static const char *json_field(const char *line, const char *key)
{
	char pat[64];
	const char *p;

	snprintf(pat, sizeof(pat), "\"%s\":", key);
	p = strstr(line, pat);
	return p ? p + strlen(pat) : NULL;
}

static int json_string(const char *line, const char *key, char *out,
		       size_t len)
{
	const char *p = json_field(line, key);
	size_t n;

	if (!p || *p != '"')
		return -1;
	p++;
	n = strcspn(p, "\"");
	if (n >= len || p[n] != '"')
		return -1;
	memcpy(out, p, n);
	out[n] = 0;
	return 0;
}

/*
 * Run `p2pguardctl replay ARGS FILE`; with @want, check every output line
 * against it (JSON or text).
 */
static void run_replay(const char *args, const char *file, int json,
		       const struct want *want, size_t n_want,
		       struct run_result *res, const char *label)
{
	char cmd[PATH_MAX * 3 + 128], errfile[PATH_MAX], line[1024];
	FILE *f;
	size_t n;

	memset(res, 0, sizeof(*res));
	tmp_path(errfile, sizeof(errfile), "stderr.txt");
	/* Each packet as captured: the program's own view of fragments. */
	snprintf(cmd, sizeof(cmd), "'%s' replay --no-reassembly %s%s '%s' 2>'%s'",
		 ctl, json ? "--json " : "", args, file, errfile);
	f = popen(cmd, "r");
	if (!f) {
		res->status = -1;
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		char verdict[16] = "", reason[64] = "";
		unsigned long pkt = 0;
		const char *p;
		int ok;

		res->lines++;
		if (!want)
			continue;
		if (json) {
			p = json_field(line, "packet");
			ok = p && sscanf(p, "%lu", &pkt) == 1 &&
			     !json_string(line, "verdict", verdict,
					  sizeof(verdict)) &&
			     !json_string(line, "reason", reason,
					  sizeof(reason));
		} else {
			ok = sscanf(line, "%lu %15s %63s", &pkt, verdict,
				    reason) == 3;
		}
		if (ok && pkt == res->lines && pkt <= n_want &&
		    !strcmp(verdict, want[pkt - 1].drop ? "drop" : "pass") &&
		    p2pg_reason_from_name(reason) == (int)want[pkt - 1].reason)
			continue;
		if (res->bad++ < MISMATCH_SHOW) {
			const struct want *w = res->lines <= n_want ?
					       &want[res->lines - 1] : NULL;

			line[strcspn(line, "\n")] = 0;
			printf("  %s: line %zu '%s', want %s %s (%s)\n", label,
			       res->lines, line,
			       w ? (w->drop ? "drop" : "pass") : "-",
			       w ? p2pg_reason_name(w->reason) : "-",
			       w ? w->name : "extra line");
		}
	}
	res->status = pclose(f);
	f = fopen(errfile, "re");
	if (f) {
		n = fread(res->err, 1, sizeof(res->err) - 1, f);
		res->err[n] = 0;
		res->err[strcspn(res->err, "\n")] = 0;
		fclose(f);
	}
	unlink(errfile);
}

static int exited_with(const struct run_result *res, int code)
{
	return res->status != -1 && WIFEXITED(res->status) &&
	       WEXITSTATUS(res->status) == code;
}

static const char *status_str(const struct run_result *res, char *buf,
			      size_t len)
{
	if (res->status == -1)
		snprintf(buf, len, "could not run");
	else if (WIFSIGNALED(res->status))
		snprintf(buf, len, "killed by signal %d", WTERMSIG(res->status));
	else
		snprintf(buf, len, "exit %d", WEXITSTATUS(res->status));
	return buf;
}

/*
 * Write the vectors as a capture of @dlt, plus for Ethernet an ARP frame
 * and a VLAN-tagged copy of the first dropping vector.  Fills @want.
 */
static int write_capture(const char *path, int dlt, struct want *want,
			 size_t *n_want)
{
	__u8 frame[VEC_FRAME_MAX], pkt[VEC_FRAME_MAX + 32];
	struct pcapw *w = pcapw_open(path, dlt);
	size_t i, len, n = 0;
	int tagged = 0;

	if (!w)
		return -1;
	for (i = 0; i < n_vecs; i++) {
		const struct vec_spec *v = &vecs[i];

		/* A capture holds the segments of a GSO send, not the send. */
		if (v->gso)
			continue;
		len = vec_frame(v, frame);
		pcapw_frame(w, frame, len);
		want[n].name = v->name;
		want[n].reason = v->expect;
		want[n].vec = i;
		want[n++].drop = is_drop_reason(v->expect);

		if (dlt == DLT_EN10MB && !tagged && is_drop_reason(v->expect)) {
			/* 802.1Q tag, VID 5, inserted after the MACs. */
			memcpy(pkt, frame, 12);
			memcpy(pkt + 12, "\x81\x00\x00\x05", 4);
			memcpy(pkt + 16, frame + 12, len - 12);
			pcapw_frame(w, pkt, len + 4);
			want[n].name = "vlan-tagged copy";
			want[n].vec = i;
			want[n].reason = v->expect;
			want[n++].drop = 1;
			tagged = 1;
		}
	}
	if (dlt == DLT_EN10MB) {
		/* ARP request: not IP, passed without running the program. */
		memset(pkt, 0, 42);
		memset(pkt, 0xff, 6);
		memcpy(pkt + 6, "\x02\x00\x00\x00\x00\x01\x08\x06", 8);
		pcapw_frame(w, pkt, 42);
		want[n].name = "arp";
		want[n].vec = -1;
		want[n].reason = P2PG_R_NOT_IP;
		want[n++].drop = 0;
	}
	*n_want = n;
	return pcapw_close(w);
}

/* The vectors as a pcapng capture (Ethernet). */
static int write_pcapng(const char *path, struct want *want, size_t *n_want)
{
	__u8 frame[VEC_FRAME_MAX];
	struct pcapw *w = pcapw_open_ng(path);
	size_t i, n = 0;

	if (!w)
		return -1;
	for (i = 0; i < n_vecs; i++) {
		if (vecs[i].gso)
			continue;	/* as in the pcap files */
		pcapw_frame(w, frame, vec_frame(&vecs[i], frame));
		want[n].name = vecs[i].name;
		want[n].vec = i;
		want[n].reason = vecs[i].expect;
		want[n++].drop = is_drop_reason(vecs[i].expect);
	}
	*n_want = n;
	return pcapw_close(w);
}

static long file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) ? -1 : (long)st.st_size;
}

static void expect_failure(const char *label, const char *file,
			   const char *must_mention)
{
	struct run_result res;
	char s[64];

	run_replay("", file, 1, NULL, 0, &res, label);
	check(exited_with(&res, 1) && res.err[0] &&
	      (!must_mention || strstr(res.err, must_mention)),
	      "replay %s: %s, stderr '%s'", label,
	      status_str(&res, s, sizeof(s)), res.err);
}

/* IPv4 fragment: UDP 198.51.100.2 -> 198.51.100.1, id @id, at @off. */
static size_t ip4_frag(__u8 *pkt, __u16 id, __u32 off, int mf,
		       const __u8 *data, size_t n)
{
	unsigned int sum = 0, i;

	memset(pkt, 0, 20);
	pkt[0] = 0x45;
	pkt[2] = (20 + n) >> 8;
	pkt[3] = (20 + n) & 0xff;
	pkt[4] = id >> 8;
	pkt[5] = id & 0xff;
	pkt[6] = (mf ? 0x20 : 0) | (off / 8) >> 8;
	pkt[7] = (off / 8) & 0xff;
	pkt[8] = 64;
	pkt[9] = 17;
	memcpy(pkt + 12, "\xc6\x33\x64\x02\xc6\x33\x64\x01", 8);
	for (i = 0; i < 20; i += 2)
		sum += pkt[i] << 8 | pkt[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	pkt[10] = ~sum >> 8;
	pkt[11] = ~sum & 0xff;
	memcpy(pkt + 20, data, n);
	return 20 + n;
}

/*
 * Reassembly: a 2000-byte STUN request in two fragments is judged once,
 * whole, under the number of the packet that completed it; a lone
 * fragment (its first never captured) is judged alone at the end.
 */
static void test_replay_fragments(void)
{
	static __u8 udp[2008], pkt[1600];
	char path[PATH_MAX], line[512], cmd[PATH_MAX * 2 + 64];
	int whole = 0, alone = 0, lines = 0;
	struct pcapw *w;
	FILE *f;

	memset(udp, 0, sizeof(udp));
	udp[0] = 0x9c;	/* source port 40000 */
	udp[1] = 0x40;
	udp[2] = 3478 >> 8;
	udp[3] = 3478 & 0xff;
	udp[4] = sizeof(udp) >> 8;
	udp[5] = sizeof(udp) & 0xff;
	/* STUN Binding Request, length 1980, one PADDING attribute. */
	memcpy(udp + 8, "\x00\x01\x07\xbc\x21\x12\xa4\x42", 8);
	memcpy(udp + 28, "\x00\x26\x07\xb8", 4);
	tmp_path(path, sizeof(path), "fragments.pcap");
	w = pcapw_open(path, DLT_RAW);
	if (!check(w != NULL, "replay fragments: write %s", path))
		return;
	pcapw_raw(w, pkt, ip4_frag(pkt, 7, 0, 1, udp, 1480));
	pcapw_raw(w, pkt, ip4_frag(pkt, 8, 1480, 0, udp + 1480, 100));
	pcapw_raw(w, pkt, ip4_frag(pkt, 7, 1480, 0, udp + 1480,
				    sizeof(udp) - 1480));
	pcapw_close(w);
	snprintf(cmd, sizeof(cmd), "'%s' replay --json '%s' 2>/dev/null", ctl,
		 path);
	f = popen(cmd, "r");
	while (f && fgets(line, sizeof(line), f)) {
		lines++;
		if (strstr(line, "\"packet\":3,\"verdict\":\"drop\"") &&
		    strstr(line, "\"fragments\":2") &&
		    strstr(line, "\"dport\":3478"))
			whole = lines;
		if (strstr(line, "\"packet\":2,\"verdict\":\"pass\""))
			alone = lines;
	}
	if (f)
		pclose(f);
	check(lines == 2 && whole == 1 && alone == 2,
	      "replay fragments: the datagram judged whole (STUN, dropped) at its last fragment, the lone fragment alone at the end (%d lines; whole at %d, alone at %d)",
	      lines, whole, alone);
	unlink(path);
}

void test_replay(void)
{
	static const struct {
		int dlt;
		const char *name;
	} dlts[] = {
		{ DLT_EN10MB, "ethernet.pcap" },
		{ DLT_RAW, "raw.pcap" },
		{ DLT_LINUX_SLL, "sll.pcap" },
		{ DLT_LINUX_SLL2, "sll2.pcap" },
	};
	struct want *want, *alt;
	struct run_result res;
	struct pcapw *w;
	struct p2pg_policy p;
	char path[PATH_MAX], bad[PATH_MAX], s[64];
	size_t n = 0, i, k;
	long size;
	FILE *f;

	if (find_ctl()) {
		check(0, "replay: %s not found: make build/p2pguardctl", ctl);
		return;
	}
	if (!mkdtemp(tmpdir)) {
		check(0, "replay: mkdtemp: %s", strerror(errno));
		return;
	}
	want = calloc(n_vecs + 8, sizeof(*want));
	alt = calloc(n_vecs + 8, sizeof(*alt));
	if (!check(want && alt && !p2pg_policy_init_defaults(&p),
		   "replay: memory"))
		goto out;

	for (k = 0; k < sizeof(dlts) / sizeof(dlts[0]); k++) {
		tmp_path(path, sizeof(path), dlts[k].name);
		if (!check(!write_capture(path, dlts[k].dlt, want, &n),
			   "replay: write %s", dlts[k].name))
			continue;
		run_replay("", path, 1, want, n, &res, dlts[k].name);
		check(exited_with(&res, 0) && res.lines == n && !res.bad,
		      "replay --json %s: %zu of %zu packets as expected, %s%s%s",
		      dlts[k].name, res.lines - res.bad, n,
		      status_str(&res, s, sizeof(s)), res.err[0] ? ", stderr: " : "",
		      res.err);
		if (dlts[k].dlt != DLT_EN10MB) {
			unlink(path);
			continue;
		}
		/* Text output, and the switches, on the Ethernet capture. */
		run_replay("", path, 0, want, n, &res, "text");
		check(exited_with(&res, 0) && res.lines == n && !res.bad,
		      "replay (text) %s: %zu of %zu lines as expected, %s",
		      dlts[k].name, res.lines - res.bad, n,
		      status_str(&res, s, sizeof(s)));
		for (i = 0; i < n; i++) {
			alt[i] = want[i];
			alt[i].drop = 0;
		}
		run_replay("--p2p on", path, 1, alt, n, &res, "p2p-on");
		check(exited_with(&res, 0) && res.lines == n && !res.bad,
		      "replay --p2p on: every packet passes with its reason (%zu wrong), %s",
		      res.bad, status_str(&res, s, sizeof(s)));
		run_replay("--mode audit", path, 1, alt, n, &res, "audit");
		check(exited_with(&res, 0) && res.lines == n && !res.bad,
		      "replay --mode audit: every packet passes with its reason (%zu wrong), %s",
		      res.bad, status_str(&res, s, sizeof(s)));
		for (i = 0; i < n; i++) {
			alt[i] = want[i];
			if (want[i].vec < 0)
				continue;
			alt[i].reason = lockdown_expect(&p, &vecs[want[i].vec]);
			alt[i].drop = is_drop_reason(alt[i].reason);
		}
		run_replay("--lockdown", path, 1, alt, n, &res, "lockdown");
		check(exited_with(&res, 0) && res.lines == n && !res.bad,
		      "replay --lockdown: WAN packets that pass by default drop (%zu wrong), %s",
		      res.bad, status_str(&res, s, sizeof(s)));

		/* Broken: cut in the middle of the last packet. */
		size = file_size(path);
		tmp_path(bad, sizeof(bad), "truncated.pcap");
		f = fopen(bad, "we");
		if (f && size > 100) {
			FILE *in = fopen(path, "re");
			char *buf = malloc(size);
			size_t got = in && buf ? fread(buf, 1, size, in) : 0;

			fwrite(buf, 1, got - 20, f);
			free(buf);
			if (in)
				fclose(in);
		}
		if (f)
			fclose(f);
		run_replay("", bad, 1, want, n, &res, "truncated");
		check(exited_with(&res, 1) && strstr(res.err, "packet") &&
		      res.lines == n - 1 && res.bad == 0,
		      "replay truncated capture: %zu packets before the cut, %s, stderr '%s'",
		      res.lines, status_str(&res, s, sizeof(s)), res.err);
		unlink(bad);
		unlink(path);
	}

	tmp_path(path, sizeof(path), "capture.pcapng");
	if (check(!write_pcapng(path, want, &n), "replay: write pcapng")) {
		run_replay("", path, 1, want, n, &res, "pcapng");
		check(exited_with(&res, 0) && res.lines == n && !res.bad,
		      "replay --json capture.pcapng: %zu of %zu packets as expected, %s%s%s",
		      res.lines - res.bad, n, status_str(&res, s, sizeof(s)),
		      res.err[0] ? ", stderr: " : "", res.err);
	}
	unlink(path);

	/*
	 * A jumbo frame between two ordinary ones: more than a test run takes
	 * (about a page) on current kernels.  Either it is reported by
	 * number and skipped, or, should a kernel take it, run.
	 */
	tmp_path(path, sizeof(path), "jumbo.pcap");
	w = pcapw_open(path, DLT_EN10MB);
	if (w) {
		static __u8 jumbo[9014];
		size_t len = vec_frame(&vecs[0], jumbo);

		pcapw_frame(w, jumbo, len);
		pcapw_frame(w, jumbo, sizeof(jumbo));
		pcapw_frame(w, jumbo, len);
		pcapw_close(w);
	}
	run_replay("", path, 1, NULL, 0, &res, "jumbo");
	check((exited_with(&res, 1) && res.lines == 2 &&
	       strstr(res.err, "packet 2")) ||
	      (exited_with(&res, 0) && res.lines == 3),
	      "replay jumbo frame: %zu lines, %s, stderr '%s'", res.lines,
	      status_str(&res, s, sizeof(s)), res.err);
	unlink(path);

	test_replay_fragments();

	/* Unknown link type: DLT_USER0 (147). */
	tmp_path(path, sizeof(path), "user0.pcap");
	w = pcapw_open(path, 147);
	if (w) {
		pcapw_raw(w, "\xf1\0\0\0", 4);
		pcapw_close(w);
	}
	expect_failure("unknown link type 147", path, "147");
	unlink(path);

	tmp_path(path, sizeof(path), "notes.txt");
	f = fopen(path, "we");
	if (f) {
		fputs("this is not a capture, just some text long enough\n", f);
		fclose(f);
	}
	expect_failure("not a capture", path, path);
	unlink(path);

	tmp_path(path, sizeof(path), "empty.pcap");
	f = fopen(path, "we");
	if (f)
		fclose(f);
	expect_failure("empty file", path, NULL);
	unlink(path);

	tmp_path(path, sizeof(path), "missing.pcap");
	expect_failure("missing file", path, NULL);

	run_replay("--mode bogus", "x", 1, NULL, 0, &res, "usage");
	check(exited_with(&res, 2) && res.err[0],
	      "replay usage error: %s", status_str(&res, s, sizeof(s)));
out:
	p2pg_policy_free(&p);
	free(want);
	free(alt);
	if (rmdir(tmpdir))
		check(0, "replay: temporary directory %s not empty: %s",
		      tmpdir, strerror(errno));
}
