/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * ctl.h - p2pguardctl and its subcommands.  Each subcommand takes the
 * arguments after its own name (argv[0] is the subcommand) and returns the
 * process exit status:
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

/**
 * p2pguardctl_main() - the command line (ctl/p2pguardctl.c).
 * @argc: argument count.
 * @argv: arguments, argv[0] the name it was run by.
 *
 * Return: the process exit status.
 */
int p2pguardctl_main(int argc, char **argv);

#endif /* P2PGUARD_CTL_H */
