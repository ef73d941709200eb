/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * events.h - the drop-event log p2pguardd keeps in its run_dir, one JSON
 * object a line, and what p2pguardctl reads back out of it.  Shared by
 * both, and tested on text from outside (tests/unit/test_text.c).
 */
#ifndef P2PGUARD_EVENTS_H
#define P2PGUARD_EVENTS_H

#include <stddef.h>

/* The log's name in run_dir, and the size at which it is rotated. */
#define P2PG_EVENTS_FILE	"events.log"
#define P2PG_EVENTS_MAX_BYTES	(256 * 1024)

struct p2pg_event;

/**
 * p2pg_event_json() - one drop event as the JSON object `events --json`
 * prints and p2pguardd appends to its event log.
 * @e:   event.
 * @ts:  when it was received (seconds since the epoch).
 * @process: who sent it ("comm[pid] ...", p2pg_describe_sender()), or "".
 * @buf: result.
 * @len: size of @buf.
 *
 * Return: length written.
 */
int p2pg_event_json(const struct p2pg_event *e, long long ts,
		    const char *process, char *buf, unsigned int len);

/**
 * p2pg_event_text() - one line of the event log as `events` prints it:
 * the JSON unescaped, then escaped for a terminal (p2pg_text_escape()).
 * A key the line lacks is shown empty.
 * @line: one line of the event log, without its newline.
 * @buf:  result.
 * @len:  size of @buf.
 *
 * Return: 0, or -1 when the line is no event (no "ts"): @buf says so.
 */
int p2pg_event_text(const char *line, char *buf, size_t len);

/**
 * p2pg_event_field() - "key":value or "key":"value" out of one line of the
 * event log, the string unescaped.  A key that is missing, or a line that
 * is no JSON, leaves @out empty.
 * @line: one line of the event log.
 * @key:  the key.
 * @out:  the value.
 * @len:  size of @out.
 *
 * Return: 1 found, 0 not.
 */
int p2pg_event_field(const char *line, const char *key, char *out,
		     size_t len);

#endif /* P2PGUARD_EVENTS_H */
