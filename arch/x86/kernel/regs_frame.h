/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The frame the return trampoline and the jump entry build (assembly
 * only): below a return slot, the flags, then a whole struct pt_regs
 * whose sp is just above the return slot; trampoline.c checks the
 * layout against struct pt_regs.  KRP_REGS_SAVE starts with the flags,
 * so that they are the probed code's, exact; KRP_REGS_RESTORE takes the
 * handler's answer (%eax/%rax) into the return slot and leaves every
 * register and the flags as the handlers left them in pt_regs, the
 * return slot on top for the RET.
 */
#ifndef KRP_REGS_FRAME_H
#define KRP_REGS_FRAME_H

#include <asm/frame.h>
#include <asm/nospec-branch.h>
#include <asm/segment.h>

#ifdef CONFIG_X86_64

/* offsets from %rsp once the registers are pushed */
#define KRP_REGS_FLAGS	(18 * 8)
#define KRP_FLAGS_SLOT	(21 * 8)
#define KRP_RET_SLOT	(22 * 8)

.macro KRP_REGS_SAVE
	pushfq
#if defined(CONFIG_MITIGATION_CALL_DEPTH_TRACKING) || defined(CONFIG_CALL_DEPTH_TRACKING)
	/* after pushfq: the accounting's sar changes the flags */
	CALL_DEPTH_ACCOUNT
#endif
	pushq	$__KERNEL_DS
	/* regs->sp: just above the return slot */
	pushq	%rsp
	addq	$24, (%rsp)
	pushq	16(%rsp)
	pushq	$__KERNEL_CS
	/* regs->ip: the core sets it */
	pushq	$0
	pushq	$-1
	pushq	%rdi
	pushq	%rsi
	pushq	%rdx
	pushq	%rcx
	pushq	%rax
	pushq	%r8
	pushq	%r9
	pushq	%r10
	pushq	%r11
	pushq	%rbx
	pushq	%rbp
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
.endm

.macro KRP_REGS_RESTORE
	movq	%rax, KRP_RET_SLOT(%rsp)
	/* the flags as the handlers left them, for the popfq */
	movq	KRP_REGS_FLAGS(%rsp), %rax
	movq	%rax, KRP_FLAGS_SLOT(%rsp)
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbp
	popq	%rbx
	popq	%r11
	popq	%r10
	popq	%r9
	popq	%r8
	popq	%rax
	popq	%rcx
	popq	%rdx
	popq	%rsi
	popq	%rdi
	/* orig_ax ip cs flags sp ss: nothing to restore */
	addq	$(6 * 8), %rsp
	popfq
.endm

#else /* CONFIG_X86_32 */

/* offsets from %esp once the registers are pushed */
#define KRP_REGS_FLAGS	(14 * 4)
#define KRP_FLAGS_SLOT	(17 * 4)
#define KRP_RET_SLOT	(18 * 4)

/*
 * Unwinding from inside the handlers: %ebp ends up holding the address
 * of the struct pt_regs, encoded as the kernel's entry code encodes it,
 * so the frame-pointer unwinder reads the frame's address from regs->ip,
 * which the core sets before any handler runs, and goes on from
 * regs->bp.
 */
.macro KRP_REGS_SAVE
	pushfl
	pushl	$__KERNEL_DS
	/* regs->sp: just above the return slot */
	pushl	%esp
	addl	$12, (%esp)
	pushl	8(%esp)
	pushl	$__KERNEL_CS
	/* regs->ip: the core sets it */
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
.endm

.macro KRP_REGS_RESTORE
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
.endm

#endif /* CONFIG_X86_64 */

#endif /* KRP_REGS_FRAME_H */
