/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * check.h - the tests' result lines, read by tests/run.sh:
 *   PASS <name>
 *   FAIL <name>: <why>
 *   SKIP <name>: <reason>
 * A test binary exits 1 when any FAIL was printed, 0 otherwise.
 */
#ifndef P2PGUARD_TEST_CHECK_H
#define P2PGUARD_TEST_CHECK_H

#include <stdio.h>
#include <stdarg.h>

static int check_failures;

static inline __attribute__((format(printf, 2, 3)))
int check(int ok, const char *fmt, ...)
{
	va_list ap;

	fputs(ok ? "PASS " : "FAIL ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	fflush(stdout);
	if (!ok)
		check_failures++;
	return ok;
}

static inline __attribute__((format(printf, 1, 2)))
void check_skip(const char *fmt, ...)
{
	va_list ap;

	fputs("SKIP ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	fflush(stdout);
}

static inline int check_exit(void)
{
	return check_failures ? 1 : 0;
}

#endif /* P2PGUARD_TEST_CHECK_H */
