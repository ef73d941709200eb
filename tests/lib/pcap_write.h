/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * pcap_write.h - captures written for the replay tests (test_bpf): pcap
 * files through libpcap, of any link type, and pcapng files by hand
 * (libpcap reads pcapng but cannot write it).  The packets are Ethernet
 * frames as tests/lib/vectors.c builds them; pcapw_frame() puts the link
 * type's own header in place of the Ethernet header.  Needs -lpcap.
 */
#ifndef P2PGUARD_TEST_PCAP_WRITE_H
#define P2PGUARD_TEST_PCAP_WRITE_H

#include <stddef.h>

struct pcapw;

/* A pcap file of link type @dlt (DLT_EN10MB, DLT_RAW, DLT_LINUX_SLL...). */
struct pcapw *pcapw_open(const char *path, int dlt);
/* A pcapng file: a section, one Ethernet interface, enhanced packets. */
struct pcapw *pcapw_open_ng(const char *path);
/*
 * The Ethernet frame @frame as a packet of the file's link type: kept
 * whole for Ethernet, its header replaced by the link type's for raw IP
 * and Linux cooked captures (v1 and v2).
 */
int pcapw_frame(struct pcapw *w, const unsigned char *frame, size_t len);
/* @len bytes as the packet, whatever the link type. */
int pcapw_raw(struct pcapw *w, const void *pkt, size_t len);
/* Flush and close; non-zero if any write failed. */
int pcapw_close(struct pcapw *w);

#endif /* P2PGUARD_TEST_PCAP_WRITE_H */
