// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * bpflog.c - the libbpf print callback (bpflog.h).  libbpf takes one
 * global callback without a context pointer: the choice lives here.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "bpflog.h"

static enum libbpf_print_level bpflog_max = LIBBPF_WARN;
static p2pg_bpflog_line_fn bpflog_line;

static int bpflog_print(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	char buf[8192], *line, *save = NULL;

	if (level > bpflog_max)
		return 0;
	if (!bpflog_line)
		return vfprintf(stderr, fmt, ap);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		bpflog_line(level, line);
	return 0;
}

void p2pg_bpflog_setup(enum libbpf_print_level max, p2pg_bpflog_line_fn line)
{
	bpflog_max = max;
	bpflog_line = line;
	libbpf_set_print(bpflog_print);
}
