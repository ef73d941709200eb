// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * pcap_write.c - pcap (libpcap) and pcapng (by hand) captures of Ethernet
 * frames for the replay tests; see pcap_write.h.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
/* pcap/bpf.h and linux/bpf.h both define struct bpf_insn. */
#define PCAP_DONT_INCLUDE_PCAP_BPF_H
struct bpf_program;
#include <pcap/pcap.h>
#include <pcap/dlt.h>

#include "pcap_write.h"

#define ETH_HDR		14
#define PKT_MAX		65535

struct pcapw {
	pcap_t *pcap;		/* pcap files */
	pcap_dumper_t *dump;
	FILE *ng;		/* pcapng files */
	int dlt;
	int err;
	unsigned long n;	/* packets written */
	unsigned char buf[PKT_MAX + 64];
};

static void put_be16(unsigned char *p, unsigned int v)
{
	p[0] = v >> 8;
	p[1] = v;
}

struct pcapw *pcapw_open(const char *path, int dlt)
{
	struct pcapw *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	w->dlt = dlt;
	w->pcap = pcap_open_dead(dlt, PKT_MAX);
	if (!w->pcap)
		goto fail;
	w->dump = pcap_dump_open(w->pcap, path);
	if (!w->dump) {
		printf("  pcap_dump_open %s: %s\n", path,
		       pcap_geterr(w->pcap));
		pcap_close(w->pcap);
		goto fail;
	}
	return w;
fail:
	free(w);
	return NULL;
}

struct pcapw *pcapw_open_ng(const char *path)
{
	/* Section header: type, length, byte-order magic, version 1.0. */
	static const uint32_t shb[7] = {
		0x0a0d0d0a, 28, 0x1a2b3c4d, 0x00000001,
		0xffffffff, 0xffffffff, 28,
	};
	/* Interface description: Ethernet, no snaplen limit. */
	static const uint32_t idb[5] = { 1, 20, 1, 0, 20 };
	struct pcapw *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	w->dlt = DLT_EN10MB;
	w->ng = fopen(path, "we");
	if (!w->ng) {
		free(w);
		return NULL;
	}
	if (fwrite(shb, sizeof(shb), 1, w->ng) != 1 ||
	    fwrite(idb, sizeof(idb), 1, w->ng) != 1)
		w->err = 1;
	return w;
}

int pcapw_raw(struct pcapw *w, const void *pkt, size_t len)
{
	struct pcap_pkthdr h;
	uint32_t epb[7], total, pad;

	if (len > PKT_MAX)
		return w->err = -1;
	if (w->dump) {
		memset(&h, 0, sizeof(h));
		h.ts.tv_sec = 1700000000 + w->n++;
		h.caplen = h.len = len;
		pcap_dump((u_char *)w->dump, &h, pkt);
		return 0;
	}
	/* Enhanced packet block: interface 0, the packet number as time. */
	pad = (4 - len % 4) % 4;
	total = 32 + len + pad;
	epb[0] = 6;
	epb[1] = total;
	epb[2] = 0;
	epb[3] = 0;
	epb[4] = w->n++;
	epb[5] = len;
	epb[6] = len;
	memset(w->buf, 0, sizeof(epb) + len + pad);
	memcpy(w->buf, epb, sizeof(epb));
	memcpy(w->buf + sizeof(epb), pkt, len);
	memcpy(w->buf + sizeof(epb) + len + pad, &total, 4);
	if (fwrite(w->buf, 1, total, w->ng) != total)
		w->err = -1;
	return w->err;
}

/* The link-layer header of @dlt for an IP packet of EtherType @proto. */
static size_t l2_header(int dlt, unsigned int proto, unsigned char *h)
{
	switch (dlt) {
	case DLT_LINUX_SLL:
		memset(h, 0, 16);
		put_be16(h, 4);		/* sent by us */
		put_be16(h + 2, 1);	/* ARPHRD_ETHER */
		put_be16(h + 4, 6);
		memcpy(h + 6, "\x02\x00\x00\x00\x00\x01", 6);
		put_be16(h + 14, proto);
		return 16;
	case DLT_LINUX_SLL2:
		memset(h, 0, 20);
		put_be16(h, proto);
		h[7] = 2;		/* ifindex */
		put_be16(h + 8, 1);	/* ARPHRD_ETHER */
		h[10] = 4;		/* outgoing */
		h[11] = 6;
		memcpy(h + 12, "\x02\x00\x00\x00\x00\x01", 6);
		return 20;
	}
	return 0;	/* DLT_RAW */
}

int pcapw_frame(struct pcapw *w, const unsigned char *frame, size_t len)
{
	size_t hl;

	if (w->dlt == DLT_EN10MB)
		return pcapw_raw(w, frame, len);
	if (len < ETH_HDR || len > PKT_MAX)
		return w->err = -1;
	hl = l2_header(w->dlt, frame[12] << 8 | frame[13], w->buf);
	memcpy(w->buf + hl, frame + ETH_HDR, len - ETH_HDR);
	return pcapw_raw(w, w->buf, len - ETH_HDR + hl);
}

int pcapw_close(struct pcapw *w)
{
	int err;

	if (!w)
		return -1;
	err = w->err;
	if (w->dump) {
		pcap_dump_close(w->dump);
		pcap_close(w->pcap);
	}
	if (w->ng && fclose(w->ng))
		err = -1;
	free(w);
	return err;
}
