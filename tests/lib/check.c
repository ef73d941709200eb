// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * check.c - result lines and the case table of a test program (check.h).
 */
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

static int check_failures;
static const char *check_names;	/* -t, or NULL for every case */

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

int check_exit(void)
{
	return check_failures ? 1 : 0;
}

/* One pattern of -t, @len bytes long, against a case name. */
static int check_match(const char *pat, size_t len, const char *name)
{
	char buf[128];

	if (!len || len >= sizeof(buf))
		return 0;
	memcpy(buf, pat, len);
	buf[len] = 0;
	if (strpbrk(buf, "*?["))
		return !fnmatch(buf, name, 0);
	return strstr(name, buf) != NULL;
}

int check_selected(const char *name)
{
	const char *p = check_names;
	size_t len;

	if (!p)
		return 1;
	for (;;) {
		len = strcspn(p, ",");
		if (check_match(p, len, name))
			return 1;
		if (!p[len])
			return 0;
		p += len + 1;
	}
}

static void check_usage(FILE *f, const char *prog, const char *args)
{
	fprintf(f, "usage: %s [-l] [-t NAME[,NAME...]]%s%s\n"
		"  -l  list the cases (those -t selects)\n"
		"  -t  run the cases whose name contains a NAME, or matches it\n"
		"      whole when it has * ? or [ (a shell glob)\n",
		prog, args ? " " : "", args ? args : "");
}

int check_options(int argc, char **argv, const struct check_test *tests,
		  size_t n, const char *args)
{
	size_t i, selected = 0;
	int c, list = 0;

	/* '+': the program's own arguments follow the options. */
	while ((c = getopt(argc, argv, "+lt:h")) != -1) {
		switch (c) {
		case 'l':
			list = 1;
			break;
		case 't':
			check_names = optarg;
			break;
		case 'h':
			check_usage(stdout, argv[0], args);
			exit(0);
		default:
			check_usage(stderr, argv[0], args);
			exit(2);
		}
	}
	for (i = 0; i < n; i++) {
		if (!check_selected(tests[i].name))
			continue;
		selected++;
		if (list)
			printf("%s\n", tests[i].name);
	}
	if (list)
		exit(0);
	if (!selected) {
		fprintf(stderr, "%s: no case matches '%s' (-l lists them)\n",
			argv[0], check_names);
		exit(2);
	}
	return optind;
}

void check_run(const struct check_test *tests, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (!check_selected(tests[i].name))
			continue;
		printf("# %s\n", tests[i].name);
		fflush(stdout);
		if (tests[i].run)
			tests[i].run();
		else
			tests[i].run_arg(tests[i].arg);
	}
}
