/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * embedded_bpf_data.S - the BPF objects, gzip-compressed, in the binary.
 *
 * The skeletons' ELF bytes are most of what p2pguard adds to a camera's
 * flash; compressed they take a quarter.  The Makefile gzips the objects
 * into $(BUILD) and passes it to the assembler as an include directory;
 * userspace/embedded_bpf.c inflates them when a skeleton asks.
 */
	.section .rodata
	.balign 8
	.globl	p2pg_gz_p2pguard_bpf
p2pg_gz_p2pguard_bpf:
	.incbin	"p2pguard.bpf.o.gz"
	.globl	p2pg_gz_p2pguard_bpf_end
p2pg_gz_p2pguard_bpf_end:
	.balign 8
	.globl	p2pg_gz_p2pguard_iter
p2pg_gz_p2pguard_iter:
	.incbin	"p2pguard_iter.bpf.o.gz"
	.globl	p2pg_gz_p2pguard_iter_end
p2pg_gz_p2pguard_iter_end:
	.section .note.GNU-stack,"",%progbits
