/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * What the kernel says of a BPF object's descriptor in /proc/self/fdinfo,
 * for the tests and benchmarks that set it beside p2pguard's estimates.
 */
#ifndef P2PG_TESTS_FDINFO_H
#define P2PG_TESTS_FDINFO_H

/**
 * fdinfo_memlock() - bytes the kernel charges for a map.
 * @fd: the map's descriptor.
 *
 * Return: the "memlock:" line of the descriptor's fdinfo, 0 if unsaid.
 */
unsigned long long fdinfo_memlock(int fd);

#endif
