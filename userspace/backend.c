// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * backend.c - what both backends share: their names, setting one up, and
 * how an operation reports why it failed (backend.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "backend.h"

const struct p2pg_backend_ops *p2pg_backend_by_name(const char *name)
{
	if (!strcmp(name, p2pg_ebpf_backend.name))
		return &p2pg_ebpf_backend;
	if (!strcmp(name, p2pg_module_backend.name))
		return &p2pg_module_backend;
	return NULL;
}

int p2pg_backend_init(struct p2pg_backend *be,
		      const struct p2pg_backend_ops *ops, const char *pin_dir)
{
	memset(be, 0, sizeof(*be));
	be->ops = ops;
	snprintf(be->pin_dir, sizeof(be->pin_dir), "%s", pin_dir);
	p2pg_map_sizes_init(&be->sizes, P2PG_FLOWS_DEFAULT,
			    P2PG_EVENT_BUFFER_DEFAULT,
			    P2PG_EVENT_DESTS_DEFAULT);
	return 0;
}

int p2pg_backend_fail(struct p2pg_backend *be, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(be->msg, sizeof(be->msg), fmt, ap);
	va_end(ap);
	/* A caller's errno that was 0 must still read as a failure. */
	return err < 0 ? err : -EIO;
}

void p2pg_backend_log(const struct p2pg_backend *be, int prio,
		      const char *fmt, ...)
{
	char line[2048];
	va_list ap;

	if (!be->log)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	be->log(prio, "%s", line);
}
