/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * bpflog.h - the one libbpf print callback of the tree.  Each program
 * says how much of libbpf's output it wants and where a line goes.
 */
#ifndef P2PGUARD_BPFLOG_H
#define P2PGUARD_BPFLOG_H

#include <bpf/libbpf.h>

/**
 * typedef p2pg_bpflog_line_fn - receives one line of libbpf's output.
 * @level: LIBBPF_WARN or LIBBPF_INFO.
 * @line:  the line, without its newline.
 */
typedef void (*p2pg_bpflog_line_fn)(enum libbpf_print_level level,
				    const char *line);

/**
 * p2pg_bpflog_setup() - route libbpf's messages (libbpf_set_print()).
 * @max:  the most verbose level passed on: LIBBPF_WARN for the command
 *        line and the tests (a verifier rejection is worth seeing, the
 *        chatter is not), LIBBPF_INFO for the daemon's log.
 * @line: called once per line, since the verifier's log comes as one
 *        message of many lines; NULL: each message to stderr as it is.
 */
void p2pg_bpflog_setup(enum libbpf_print_level max, p2pg_bpflog_line_fn line);

#endif /* P2PGUARD_BPFLOG_H */
