/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * check.h - the tests' result lines, read by tests/run.sh:
 *   PASS <name>
 *   FAIL <name>: <why>
 *   SKIP <name>: <reason>
 * A test binary exits 1 when any FAIL was printed, 0 otherwise.
 *
 * A test program is a table of cases, each a function registered by name
 * as in the kernel selftests' prog_tests:
 *
 *	static const struct check_test tests[] = {
 *		CHECK_TEST(vectors),		runs test_vectors()
 *		CHECK_TEST_FN("flows", kp_flows),	runs kp_flows()
 *		CHECK_TEST_ARG("phase_audit", kp_phase, KP_AUDIT),
 *						runs kp_phase(KP_AUDIT)
 *	};
 *
 *	int main(int argc, char **argv)
 *	{
 *		int argi = check_options(argc, argv, tests,
 *					 CHECK_COUNT(tests), NULL);
 *		(set-up, with argv[argi] on as the program's own arguments)
 *		check_run(tests, CHECK_COUNT(tests));
 *		return check_exit();
 *	}
 *
 * and takes, before its own arguments:
 *   -l        list the cases (those -t selects, with -t) and exit
 *   -t NAMES  run only the cases NAMES selects: a comma-separated list of
 *             patterns, each a part of a name ("stream" selects
 *             "streams" and "tcp_streams") or, with * ? or [, a shell
 *             glob matched against the whole name ("vectors_*")
 * Each case run prints a line "# NAME" first.
 */
#ifndef P2PGUARD_TEST_CHECK_H
#define P2PGUARD_TEST_CHECK_H

#include <stddef.h>

struct check_test {
	const char *name;
	void (*run)(void);		/* or: */
	void (*run_arg)(int arg);	/* called with @arg */
	int arg;
};

/* The case NAME is the function test_NAME(void). */
#define CHECK_TEST(name)		{ #name, test_##name, NULL, 0 }
/* The case called @name is @fn(). */
#define CHECK_TEST_FN(name, fn)		{ name, fn, NULL, 0 }
/* The case called @name is @fn(@arg). */
#define CHECK_TEST_ARG(name, fn, a)	{ name, NULL, fn, a }
#define CHECK_COUNT(tests)		(sizeof(tests) / sizeof((tests)[0]))

__attribute__((format(printf, 2, 3)))
int check(int ok, const char *fmt, ...);
__attribute__((format(printf, 1, 2)))
void check_skip(const char *fmt, ...);
int check_exit(void);

/*
 * Parse -l, -t and -h.  Exits after -l or -h (status 0), on a usage error
 * and when -t selects no case (status 2); returns the index in @argv of
 * the program's own first argument.  @args describes those for the usage
 * line ("[SEED [MUTATIONS]]"), or is NULL.
 */
int check_options(int argc, char **argv, const struct check_test *tests,
		  size_t n, const char *args);
/* Whether -t selects the case called @name (every case without -t). */
int check_selected(const char *name);
/* Run the cases selected, in table order. */
void check_run(const struct check_test *tests, size_t n);

#endif /* P2PGUARD_TEST_CHECK_H */
