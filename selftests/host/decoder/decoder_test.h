/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Host-side test of krp's x86 instruction decoder: declarations shared by
 * its parts.  Only main.c prints TAP result lines (kselftest.h keeps its
 * counters per translation unit); the other parts return verdicts and
 * print "# " diagnostics through diag() (helpers.c).
 */
#ifndef KRP_DECODER_TEST_H
#define KRP_DECODER_TEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "insn.h"

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

/*
 * The kernel's __printf() for user space.  Spelled with GCC's alternate
 * keyword __attribute, which checkpatch does not ask to replace by the
 * very macro being defined here.
 */
#ifndef __printf
#define __printf(a, b) __attribute((format(printf, a, b)))
#endif

/* helpers.c: a "# " diagnostic line; a page whose successor faults */
__printf(1, 2) void diag(const char *fmt, ...);
uint8_t *guard_page(void);

/* unit.c: hand-written cases of tricky encodings */
unsigned int unit_count(void);
bool unit_run(unsigned int i, const char **name);
unsigned long fuzz_run(uint8_t *guard, unsigned long count,
		       unsigned long *valid);

/* bzimage.c: the vmlinux ELF inside a bzImage, cached by checksum */
int vmlinux_from_bzimage(const char *vmlinuz, char *out, size_t outlen);
int elf_uncompressed(const char *path, char *out, size_t outlen);

/* kernel.c: a stock kernel's vmlinux and sample modules */
struct stock_kernel {
	const char *root;	/* its unpacked packages */
	char image[4200];	/* boot/vmlinuz-<release> */
	char release[256];
	char arch[8];		/* i386 or x86_64 */
	char vmlinux[4200];	/* extracted */
	int mode;		/* KRP_INSN_MODE_32 or _64 */
	unsigned int nsec;	/* executable sections of the vmlinux */
	char **mods;		/* sample modules, sorted */
	size_t nmods;
};

int kernel_open(struct stock_kernel *k, const char *root);
void kernel_close(struct stock_kernel *k);

/* elf.c: the executable sections of an ELF file */
struct elf_section {
	char name[64];
	uint64_t addr;
	uint64_t size;
	const uint8_t *data;
};

struct elf_file {
	void *map;
	size_t map_len;
	int bits;			/* 32 or 64 */
	unsigned int nr;
	struct elf_section *sec;	/* SHF_EXECINSTR, SHT_PROGBITS only */
};

int elf_open(struct elf_file *ef, const char *path);
void elf_close(struct elf_file *ef);

/* objdump.c: every instruction objdump finds in a file, decoded again */
struct cmp_result {
	unsigned long insns;		/* instructions objdump reported */
	unsigned long bad;		/* of which (bad) or .byte: no length */
	unsigned long bad_refused;	/* of those, the decoder refuses too */
	unsigned long bad_decoded;	/* of those, the decoder decodes */
	unsigned long byte_mismatch;	/* objdump's bytes are not the file's */
	unsigned long len_mismatch;	/* our length differs or we failed */
	unsigned long flow_checked;	/* instructions with a flow class */
	unsigned long flow_mismatch;	/* our flags disagree with objdump's */
	unsigned long rip_checked;	/* RIP-relative targets compared */
	unsigned long rip_mismatch;
	unsigned long trunc_mismatch;	/* a byte short was not -ENODATA */
	unsigned long gaps;		/* objdump's sweep restarted */
	unsigned long conv_fwait;	/* objdump merged fwait + x87 */
	unsigned long conv_prefix;	/* objdump split prefixes off */
	unsigned long conv_refused;	/* objdump decodes, we refuse */
	unsigned long sweep_stops;	/* instructions in our own sweep */
	unsigned long sweep_extra;	/* our stops objdump does not have */
	unsigned long sweep_missed;	/* objdump's starts we step over */
	unsigned long sweep_bad;	/* sections where the sweeps differ */
	bool sweep_done;		/* a section was swept (no restarts) */
	bool objdump_failed;
};

void cmp_file(const char *file, const struct elf_file *ef, int mode,
	      struct cmp_result *res);
void cmp_add(struct cmp_result *sum, const struct cmp_result *r);

#endif /* KRP_DECODER_TEST_H */
