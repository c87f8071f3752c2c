// SPDX-License-Identifier: GPL-2.0
/*
 * x86 glue of the return path: where the return address is at entry,
 * and the C half of the trampoline.
 */
#include <linux/build_bug.h>
#include <linux/kprobes.h>
#include <linux/linkage.h>
#include <linux/ptrace.h>
#include <asm/segment.h>

#include "internal.h"

__visible void krp_trampoline_callback(struct pt_regs *regs);

/* Called by krp_trampoline with @regs on the stack, see its layout. */
__visible void notrace krp_trampoline_callback(struct pt_regs *regs)
{
	unsigned long *flags_slot = (unsigned long *)(regs + 1);
	unsigned long *ret_slot = flags_slot + 1;

	regs->ss = __KERNEL_DS;
	regs->sp = (unsigned long)(ret_slot + 1);
	regs->flags = *flags_slot;
	regs->cs = __KERNEL_CS;
	regs->gs = 0;
	regs->ip = (unsigned long)krp_trampoline;
	regs->orig_ax = ~0UL;

	*ret_slot = krp_trampoline_handler(regs, ret_slot);
	*flags_slot = regs->flags;
}
NOKPROBE_SYMBOL(krp_trampoline_callback);

/**
 * krp_arch_init() - check what the trampoline assumes; hook int3 traps
 *
 * Return: 0 or a negative errno.
 */
int krp_arch_init(void)
{
	/* trampoline_32.S pushes 11 words and reserves 6 */
	BUILD_BUG_ON(sizeof(struct pt_regs) != 17 * sizeof(long));
	BUILD_BUG_ON(offsetof(struct pt_regs, ax) != 6 * sizeof(long));
	BUILD_BUG_ON(offsetof(struct pt_regs, gs) != 10 * sizeof(long));
	BUILD_BUG_ON(offsetof(struct pt_regs, ss) != 16 * sizeof(long));
	return krp_arch_text_init();
}

void krp_arch_exit(void)
{
	krp_arch_text_exit();
}
