// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * metrics.c - the counters and the state as a Prometheus or OpenMetrics
 * exposition (metrics.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "metrics.h"

size_t p2pg_metrics_label_escape(char *dst, size_t size, const char *src)
{
	size_t n = 0;

	for (; *src; src++) {
		const char *e = NULL;
		size_t k;

		if (*src == '\\')
			e = "\\\\";
		else if (*src == '"')
			e = "\\\"";
		else if (*src == '\n')
			e = "\\n";
		k = e ? 2 : 1;
		if (n + k >= size)
			break;
		if (e)
			memcpy(dst + n, e, 2);
		else
			dst[n] = *src;
		n += k;
	}
	dst[n] = 0;
	return n;
}

struct out {
	char *buf;
	size_t len, n;
	int full;
};

static void put(struct out *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int r;

	if (o->full)
		return;
	va_start(ap, fmt);
	r = vsnprintf(o->buf + o->n, o->len - o->n, fmt, ap);
	va_end(ap);
	if (r < 0 || (size_t)r >= o->len - o->n) {
		o->full = 1;
		return;
	}
	o->n += r;
}

/*
 * The metadata of one family.  OpenMetrics names a counter family without
 * its _total suffix and gives the unit; the 0.0.4 format names it as its
 * samples are named.
 */
static void family(struct out *o, int om, const char *name, const char *type,
		   const char *unit, const char *help)
{
	int counter = !strcmp(type, "counter");
	const char *suffix = counter && !om ? "_total" : "";

	put(o, "# TYPE %s%s %s\n", name, suffix, type);
	if (om && unit)
		put(o, "# UNIT %s %s\n", name, unit);
	put(o, "# HELP %s%s %s\n", name, suffix, help);
}

static void gauge(struct out *o, int om, const char *name, const char *help,
		  unsigned long long v)
{
	family(o, om, name, "gauge", NULL, help);
	put(o, "%s %llu\n", name, v);
}

/* passed = counted - dropped; per-CPU sums read apart can cross. */
static unsigned long long passed(unsigned long long all,
				 unsigned long long dropped)
{
	return all > dropped ? all - dropped : 0;
}

int p2pg_metrics_format(const struct p2pg_metrics *m, int om, char *buf,
			size_t len)
{
	struct out o = { .buf = buf, .len = len };
	char be[64];
	unsigned int i;

	if (!len)
		return -ENOSPC;
	buf[0] = 0;
	if (m->have_ctr) {
		family(&o, om, "p2pguard_packets", "counter", NULL,
		       "Packets the egress filter judged, by reason and verdict.");
		for (i = 0; i < P2PG_R__COUNT; i++) {
			const struct p2pg_counter *c = &m->ctr[i];

			put(&o, "p2pguard_packets_total{reason=\"%s\",verdict=\"passed\"} %llu\n",
			    p2pg_reason_name(i),
			    passed(c->packets, c->drop_packets));
			put(&o, "p2pguard_packets_total{reason=\"%s\",verdict=\"dropped\"} %llu\n",
			    p2pg_reason_name(i),
			    (unsigned long long)c->drop_packets);
		}
		family(&o, om, "p2pguard_bytes", "counter", "bytes",
		       "Bytes of the packets the egress filter judged, by reason and verdict.");
		for (i = 0; i < P2PG_R__COUNT; i++) {
			const struct p2pg_counter *c = &m->ctr[i];

			put(&o, "p2pguard_bytes_total{reason=\"%s\",verdict=\"passed\"} %llu\n",
			    p2pg_reason_name(i),
			    passed(c->bytes, c->drop_bytes));
			put(&o, "p2pguard_bytes_total{reason=\"%s\",verdict=\"dropped\"} %llu\n",
			    p2pg_reason_name(i),
			    (unsigned long long)c->drop_bytes);
		}
	}
	gauge(&o, om, "p2pguard_enforced",
	      "1 when the policy is enforced, 0 when it is NOT ENFORCED.",
	      !!m->enforced);
	if (m->have_cfg) {
		gauge(&o, om, "p2pguard_p2p_enabled",
		      "The P2P switch: 1 on (P2P allowed), 0 off (blocked).",
		      !!m->p2p_on);
		gauge(&o, om, "p2pguard_generation",
		      "Generation of the policy in the kernel; it grows with every change.",
		      m->generation);
		gauge(&o, om, "p2pguard_audit_mode",
		      "1 in audit mode (judged and counted, nothing dropped).",
		      m->mode == P2PG_MODE_AUDIT);
		gauge(&o, om, "p2pguard_lockdown",
		      "1 when lockdown is on (local traffic only while P2P is off).",
		      !!m->lockdown);
	}
	p2pg_metrics_label_escape(be, sizeof(be), m->backend ? m->backend : "");
	family(&o, om, "p2pguard_backend", "gauge", NULL,
	       "What enforces in the kernel (label backend: ebpf or module); always 1.");
	put(&o, "p2pguard_backend{backend=\"%s\"} 1\n", be);
	if (m->have_mqtt) {
		family(&o, om, "p2pguard_mqtt_messages", "counter", NULL,
		       "MQTT messages: published (handed to mosquitto_pub), dropped (rate limit or too many running), failed (mosquitto_pub failed or timed out).");
		put(&o, "p2pguard_mqtt_messages_total{result=\"published\"} %llu\n",
		    m->mqtt_published);
		put(&o, "p2pguard_mqtt_messages_total{result=\"dropped\"} %llu\n",
		    m->mqtt_dropped);
		put(&o, "p2pguard_mqtt_messages_total{result=\"failed\"} %llu\n",
		    m->mqtt_failed);
	}
	if (om)
		put(&o, "# EOF\n");
	if (o.full) {
		buf[0] = 0;
		return -ENOSPC;
	}
	return (int)o.n;
}
