/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the core needs to know about the architecture on its hit path,
 * inline: where the return address is, and where the trampoline is.
 */
#ifndef KRP_ARCH_H
#define KRP_ARCH_H

#include <linux/ptrace.h>

#include <krp_slots.h>

/* the return trampoline, arch/x86/kernel/trampoline_32.S */
extern char krp_trampoline[];

static __always_inline unsigned long krp_arch_trampoline(void)
{
	return (unsigned long)krp_trampoline;
}

/*
 * ftrace with SAVE_REGS, like an int3 on a function's first
 * instruction, leaves the return address at the top of the stack.
 */
static __always_inline unsigned long *krp_arch_ret_slot(struct pt_regs *regs)
{
	return (unsigned long *)kernel_stack_pointer(regs);
}

/* arch/x86/kernel/slots.S: KRP_NR_SLOTS slots of KRP_SLOT_SIZE bytes */
extern char krp_slot_area[];

/* arch/x86/kernel/text.c: the int3 and single-step trap hooks */
int krp_arch_text_init(void);
void krp_arch_text_exit(void);

#endif /* KRP_ARCH_H */
