/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * ctl.h - p2pguardctl subcommands.  Each takes the arguments after its own
 * name (argv[0] is the subcommand) and returns the process exit status:
 *   0 ok (status: enforced), 1 failure or NOT ENFORCED, 2 usage.
 */
#ifndef P2PGUARD_CTL_H
#define P2PGUARD_CTL_H

#include <stddef.h>

int p2pg_ctl_status(int argc, char **argv);
int p2pg_ctl_stats(int argc, char **argv);
int p2pg_ctl_p2p(int argc, char **argv);
int p2pg_ctl_unload(int argc, char **argv);
int p2pg_ctl_events(int argc, char **argv);
int p2pg_ctl_top(int argc, char **argv);
int p2pg_ctl_exec_agent(int argc, char **argv);

/* Name of the drop-event log p2pguardd keeps in its run_dir (JSON lines). */
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

#endif /* P2PGUARD_CTL_H */
