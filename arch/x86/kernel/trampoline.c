// SPDX-License-Identifier: GPL-2.0
/*
 * The C half of the return trampoline (trampoline_32.S, trampoline_64.S):
 * it completes the struct pt_regs the assembly built and hands the stack
 * slot to the core's return handler.  The assembly's layout is checked
 * against struct pt_regs here, at build time, for each width.
 */
#include <linux/build_bug.h>
#include <linux/kprobes.h>
#include <linux/linkage.h>
#include <linux/ptrace.h>
#include <asm/segment.h>

#include "arch.h"

__visible void krp_trampoline_callback(struct pt_regs *regs);

#ifdef CONFIG_X86_64
/* trampoline_64.S pushes 15 words and reserves 6 */
static_assert(sizeof(struct pt_regs) == 21 * sizeof(long));
static_assert(offsetof(struct pt_regs, r15) == 0);
static_assert(offsetof(struct pt_regs, bx) == 5 * sizeof(long));
static_assert(offsetof(struct pt_regs, ax) == 10 * sizeof(long));
static_assert(offsetof(struct pt_regs, di) == 14 * sizeof(long));
static_assert(offsetof(struct pt_regs, orig_ax) == 15 * sizeof(long));
static_assert(offsetof(struct pt_regs, ss) == 20 * sizeof(long));
#else
/* trampoline_32.S pushes 11 words and reserves 6 */
static_assert(sizeof(struct pt_regs) == 17 * sizeof(long));
static_assert(offsetof(struct pt_regs, ax) == 6 * sizeof(long));
static_assert(offsetof(struct pt_regs, gs) == 10 * sizeof(long));
static_assert(offsetof(struct pt_regs, ss) == 16 * sizeof(long));
#endif

/* Called by krp_trampoline with @regs on the stack, see its layout. */
__visible void notrace krp_trampoline_callback(struct pt_regs *regs)
{
	unsigned long *flags_slot = (unsigned long *)(regs + 1);
	unsigned long *ret_slot = flags_slot + 1;

	regs->ss = __KERNEL_DS;
	regs->sp = (unsigned long)(ret_slot + 1);
	regs->flags = *flags_slot;
	regs->cs = __KERNEL_CS;
#ifdef CONFIG_X86_32
	regs->gs = 0;
#endif
	/* regs->ip: the core sets it to the real return address */
	regs->orig_ax = ~0UL;

	*ret_slot = krp_trampoline_handler(regs, ret_slot);
	*flags_slot = regs->flags;
}
NOKPROBE_SYMBOL(krp_trampoline_callback);
