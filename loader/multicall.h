/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * multicall.h - p2pguardd and p2pguardctl are one program (multicall.c):
 * a static build then carries one copy of libbpf, libelf and the C library.
 * The command line's entry, p2pguardctl_main(), is declared in ctl/ctl.h.
 */
#ifndef P2PGUARD_MULTICALL_H
#define P2PGUARD_MULTICALL_H

/**
 * p2pguardd_main() - the daemon (loader/main.c).
 * @argc: argument count.
 * @argv: arguments, argv[0] the name it was run by.
 *
 * Return: the process exit status.
 */
int p2pguardd_main(int argc, char **argv);

#endif /* P2PGUARD_MULTICALL_H */
