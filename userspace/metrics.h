/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * metrics.h - p2pguard's counters and state in the Prometheus text
 * formats: OpenMetrics 1.0 (`p2pguardctl stats --openmetrics`) and the
 * Prometheus text format 0.0.4 that node_exporter's textfile collector
 * parses (p2pguardd's export_textfile).  The same metric names in both.
 */
#ifndef P2PGUARD_METRICS_H
#define P2PGUARD_METRICS_H

#include <stddef.h>

#include "policy.h"

/* The file p2pguardd keeps in export_textfile (node_exporter reads *.prom). */
#define P2PG_METRICS_FILE	"p2pguard.prom"

/**
 * struct p2pg_metrics - what is exported.
 * @have_ctr:       @ctr was read.
 * @ctr:            per-reason counters, P2PG_R__COUNT entries.
 * @have_cfg:       @p2p_on, @generation, @mode, @lockdown were read.
 * @p2p_on:         the P2P switch in the kernel.
 * @generation:     the policy generation in the kernel.
 * @mode:           enum p2pg_mode.
 * @lockdown:       lockdown on.
 * @enforced:       1 enforced, 0 not.
 * @backend:        "ebpf", "module" or "" (label value: escaped).
 * @have_mqtt:      the MQTT export is configured: @mqtt_* are exported.
 * @mqtt_published: messages handed to mosquitto_pub.
 * @mqtt_dropped:   messages dropped (rate limit, too many running).
 * @mqtt_failed:    mosquitto_pub runs that failed or timed out.
 */
struct p2pg_metrics {
	int have_ctr;
	struct p2pg_counter ctr[P2PG_R__COUNT];
	int have_cfg;
	int p2p_on;
	unsigned int generation;
	int mode;
	int lockdown;
	int enforced;
	const char *backend;
	int have_mqtt;
	unsigned long long mqtt_published, mqtt_dropped, mqtt_failed;
};

/**
 * p2pg_metrics_format() - @m as a metrics exposition.
 * @m:           what to export.
 * @openmetrics: 1 OpenMetrics 1.0 (# UNIT, counter families named
 *               without _total, "# EOF"); 0 the Prometheus text format
 *               0.0.4 (what node_exporter's textfile collector reads).
 * @buf:         result, NUL-terminated.
 * @len:         size of @buf.
 *
 * Passed packets are those counted minus those dropped, per reason.
 * Label values are escaped (backslash, double quote, newline).
 *
 * Return: the length written, or -ENOSPC when @buf is too small.
 */
int p2pg_metrics_format(const struct p2pg_metrics *m, int openmetrics,
			char *buf, size_t len);

/**
 * p2pg_metrics_label_escape() - @src as an exposition label value:
 * backslash, double quote and newline as \\, \" and \n.
 * @dst:  result, NUL-terminated (2 * strlen(@src) + 1 always suffice).
 * @size: size of @dst (> 0).
 * @src:  text.
 *
 * Return: the length written.
 */
size_t p2pg_metrics_label_escape(char *dst, size_t size, const char *src);

#endif /* P2PGUARD_METRICS_H */
