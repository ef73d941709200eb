/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * embedded_bpf.h - the skeletons' ELF bytes, kept compressed in the binary
 * (userspace/embedded_bpf_data.S) and inflated on first use.  The Makefile
 * rewrites each generated skeleton's <name>__elf_bytes() to call
 * p2pg_embedded_elf() instead of holding the bytes itself.
 */
#ifndef P2PGUARD_EMBEDDED_BPF_H
#define P2PGUARD_EMBEDDED_BPF_H

#include <stddef.h>

/**
 * p2pg_embedded_elf() - the ELF bytes of an embedded BPF object.
 * @gz:  start of its gzip stream.
 * @end: end of it.
 * @sz:  set to the ELF size, 0 on failure.
 *
 * Inflated once per object and kept until p2pg_embedded_release() (libbpf
 * reads the object from this memory while a skeleton opens).
 *
 * Return: the bytes, or NULL (out of memory, corrupt stream) after saying
 * why on stderr: opening the skeleton then fails with its own message.
 */
const void *p2pg_embedded_elf(const unsigned char *gz,
			      const unsigned char *end, size_t *sz);

/**
 * p2pg_embedded_release() - free the inflated objects.
 *
 * Once a skeleton is open, libbpf has copied what it keeps (the programs'
 * instructions, BTF, the maps' initial data) and closed the ELF: the
 * inflated bytes, 150 KB, would only sit in the daemon's resident memory.
 * A skeleton opened later inflates them again.
 */
void p2pg_embedded_release(void);

#endif /* P2PGUARD_EMBEDDED_BPF_H */
