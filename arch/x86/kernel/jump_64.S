/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The x86_64 entry of a jump (jump.c).  A site's jmp goes to its
 * detour, whose first instruction calls here: the return address is
 * where the detour's copy of the covered instructions starts.  This
 * saves a whole struct pt_regs with the flags exact (the site may be
 * anywhere in a function, where they are live), lets the core run the
 * probes, and returns to the copy, or to where a pre-handler sent the
 * function, with every register and the flags as the handlers left
 * them.
 *
 * Stack, from the top (higher addresses) down, while the handler runs:
 *	return slot	the copy's address; the handler's answer
 *	flags slot	popped last, so the flags are exact at the ret
 *	struct pt_regs	with regs->sp where the site's stack was
 *
 * Reached by a direct call, no ENDBR.  Call depth tracking: the call is
 * not accounted (the detour has no accounting thunk), the RET is.
 */
#include <linux/linkage.h>
#include <linux/objtool.h>
#include <asm/asm.h>
#include <asm/nospec-branch.h>
#include <asm/segment.h>
#include <asm/unwind_hints.h>

/* offsets from %rsp once the registers are pushed; see trampoline.c */
#define KRP_REGS_FLAGS	(18 * 8)
#define KRP_FLAGS_SLOT	(21 * 8)
#define KRP_RET_SLOT	(22 * 8)

	.text
	.p2align 4
SYM_CODE_START(krp_jump_entry)
	UNWIND_HINT_FUNC
	ANNOTATE_NOENDBR
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
	/* regs->ip: the core sets it as an int3 there would */
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
	movq	%rsp, %rdi
	movq	KRP_RET_SLOT(%rsp), %rsi
	call	krp_jump_handler
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
	RET
SYM_CODE_END(krp_jump_entry)
_ASM_NOKPROBE(krp_jump_entry)
