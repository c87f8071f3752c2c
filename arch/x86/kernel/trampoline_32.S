/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The i386 return trampoline.  Probed functions return here instead of
 * to their caller.  It builds a full struct pt_regs, lets the core run
 * the return handlers, and returns to the real caller with every
 * register and the flags as the handlers left them in pt_regs.  No trap
 * is taken.
 *
 * Stack, from the top (higher addresses) down, while the callback runs:
 *	return slot	where the probed function's return address was;
 *			filled with the real return address
 *	flags slot	popped last, so the flags are exact at the ret
 *	struct pt_regs	ss sp flags cs ip orig_ax gs fs es ds ax bp di si
 *			dx cx bx
 *
 * Unwinding from inside the handlers: %ebp holds the address of the
 * struct pt_regs, encoded as the kernel's entry code encodes it, so the
 * frame-pointer unwinder takes the registers for a frame: it reads the
 * caller from regs->ip, which the core sets to the real return address
 * before any handler runs, and goes on from the caller's %ebp in regs->bp.
 */
#include <linux/linkage.h>
#include <asm/asm.h>
#include <asm/frame.h>
#include <asm/segment.h>

#include "regs_frame.inc"

	.text
	.p2align 4
	/*
	 * Named for the kernel's own traces: they print a return address
	 * by the symbol of the byte before it, and one that krp redirected
	 * reads "krp_redirected+0x1/0x1 [krp]" there.
	 */
krp_redirected:
	int3
SYM_CODE_START_NOALIGN(krp_trampoline)
	pushl	$0
	KRP_REGS_SAVE
	movl	%esp, %eax
	leal	KRP_RET_SLOT(%esp), %edx
	call	krp_trampoline_handler
	KRP_REGS_RESTORE
	RET
SYM_CODE_END(krp_trampoline)
_ASM_NOKPROBE(krp_trampoline)
