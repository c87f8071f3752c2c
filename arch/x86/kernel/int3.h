/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What int3.c's decisions share with jump.c, which copies several
 * instructions where int3.c copies one.
 */
#ifndef KRP_X86_INT3_H
#define KRP_X86_INT3_H

#include <linux/types.h>

#include "arch.h"
#include "insn.h"

#define KRP_INT3	0xcc

/* The decoder's mode for the kernel's own text. */
#define KRP_INSN_MODE_TEXT \
	(IS_ENABLED(CONFIG_X86_64) ? KRP_INSN_MODE_64 : KRP_INSN_MODE_32)

size_t krp_text_read(unsigned long addr, u8 *buf, krp_orig_byte_t orig_byte);
const char *krp_ool_refusal(const struct krp_insn *insn, unsigned long addr);

#endif /* KRP_X86_INT3_H */
