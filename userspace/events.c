// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * events.c - the drop-event log's lines: written by p2pguardd as JSON,
 * read back by p2pguardctl events and top (events.h).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "events.h"
#include "policy.h"
#include "sys.h"

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
int p2pg_event_field(const char *line, const char *key, char *out,
		     size_t len)
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
	if (line[0] != '{' || !p2pg_event_field(line, "ts", ts, sizeof(ts)) ||
	    !ts[0]) {
		snprintf(buf, len, "(skipped a line that is no event)");
		return -1;
	}
	p2pg_event_field(line, "action", act, sizeof(act));
	p2pg_event_field(line, "reason", reason, sizeof(reason));
	p2pg_event_field(line, "proto", proto, sizeof(proto));
	p2pg_event_field(line, "dst", dst, sizeof(dst));
	p2pg_event_field(line, "port", port, sizeof(port));
	p2pg_event_field(line, "uid", uid, sizeof(uid));
	p2pg_event_field(line, "name", name, sizeof(name));
	p2pg_event_field(line, "process", proc, sizeof(proc));
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
