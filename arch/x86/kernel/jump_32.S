/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The i386 entry of a jump (jump.c).  A site's jmp goes to its detour,
 * whose first instruction calls here: the return address is where the
 * detour's copy of the covered instructions starts.  This builds a
 * whole struct pt_regs with the flags exact (the site may be anywhere
 * in a function, where they are live), lets the core run the probes,
 * and returns to the copy, or to where a pre-handler sent the function,
 * with every register and the flags as the handlers left them.
 *
 * Stack, from the top (higher addresses) down, while the handler runs:
 *	return slot	the copy's address; the handler's answer
 *	flags slot	popped last, so the flags are exact at the ret
 *	struct pt_regs	with regs->sp where the site's stack was
 *
 * Unwinding from inside the handlers: %ebp holds the address of the
 * struct pt_regs, encoded as the kernel's entry code encodes it, so the
 * frame-pointer unwinder reads the site from regs->ip, which the core
 * sets before any handler runs, and goes on from regs->bp.
 */
#include <linux/linkage.h>
#include <asm/asm.h>
#include <asm/frame.h>
#include <asm/segment.h>

#include "regs_frame.inc"

	.text
	.p2align 4
SYM_CODE_START(krp_jump_entry)
	KRP_REGS_SAVE
	/* a site between std and cld: the handlers are C; popf restores DF */
	cld
	movl	%esp, %eax
	movl	KRP_RET_SLOT(%esp), %edx
	call	krp_jump_handler
	KRP_REGS_RESTORE
	RET
SYM_CODE_END(krp_jump_entry)
_ASM_NOKPROBE(krp_jump_entry)
