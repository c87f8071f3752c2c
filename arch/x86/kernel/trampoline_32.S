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

/* offsets from %esp once the registers are pushed; see trampoline.c */
#define KRP_REGS_FLAGS	(14 * 4)
#define KRP_FLAGS_SLOT	(17 * 4)
#define KRP_RET_SLOT	(18 * 4)

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
	pushfl
	pushl	$__KERNEL_DS
	/* regs->sp: just above the return slot */
	pushl	%esp
	addl	$12, (%esp)
	pushl	8(%esp)
	pushl	$__KERNEL_CS
	/* regs->ip: the core sets it to the real return address */
	pushl	$0
	pushl	$-1
	pushl	$0
	pushl	%fs
	pushl	%es
	pushl	%ds
	pushl	%eax
	pushl	%ebp
	pushl	%edi
	pushl	%esi
	pushl	%edx
	pushl	%ecx
	pushl	%ebx
	ENCODE_FRAME_POINTER
	movl	%esp, %eax
	leal	KRP_RET_SLOT(%esp), %edx
	call	krp_trampoline_handler
	movl	%eax, KRP_RET_SLOT(%esp)
	/* the flags as the handlers left them, for the popfl */
	movl	KRP_REGS_FLAGS(%esp), %eax
	movl	%eax, KRP_FLAGS_SLOT(%esp)
	popl	%ebx
	popl	%ecx
	popl	%edx
	popl	%esi
	popl	%edi
	popl	%ebp
	popl	%eax
	/* ds es fs gs orig_ax ip cs flags sp ss: nothing to restore */
	addl	$40, %esp
	popfl
	RET
SYM_CODE_END(krp_trampoline)
_ASM_NOKPROBE(krp_trampoline)
