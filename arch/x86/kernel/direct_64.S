/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The x86_64 direct-call entry.  ftrace's direct call at a probed
 * function's fentry site goes to that function's stub (text.c), which
 * puts the function's hook (kernel/direct.h) in %r11 and jumps here.
 * ftrace's own trampoline, its list walk and its recursion bookkeeping
 * are not on the way.
 *
 * Most sites hold only return probes without entry handlers, which read
 * no register: krp_direct_entry saves only the argument registers and
 * %rax, which the function still needs, and passes the return slot.
 * When the core answers that the site needs registers, the same
 * registers are back and krp_direct_regs saves a whole struct pt_regs,
 * lets the core run the entry, and returns into the function with the
 * registers as the handlers left them.
 *
 * Stack on entry, as for a function called from the fentry site:
 *	8(%rsp)	the probed function's return address (the core may swap it)
 *	(%rsp)	where the function goes on: after its fentry call, or where
 *		an IPMODIFY ops sharing the function sent it
 *
 * The arithmetic flags are dead at a function's entry; only IF and DF,
 * which nothing here changes, are saved in regs->flags.  IBT: reached
 * by a direct jmp from a stub, no ENDBR.  Call depth tracking: the call
 * that led here is not accounted (the stub has no accounting thunk),
 * the RET at the end is: account for it once, first, where the flags
 * it changes are dead.
 */
#include <linux/linkage.h>
#include <linux/objtool.h>
#include <asm/asm.h>
#include <asm/nospec-branch.h>
#include <asm/segment.h>
#include <asm/unwind_hints.h>

#include "../../../kernel/direct.h"

/*
 * What the function's entry may still need: its argument registers and
 * %rax (for varargs), in the order of struct pt_regs, so that the whole
 * one continues from them.  %r10 and %r11 are scratch at a function's
 * first instruction, as ftrace's own trampoline treats them.
 */
.macro KRP_PUSH_ARGS
	pushq	%rdi
	pushq	%rsi
	pushq	%rdx
	pushq	%rcx
	pushq	%rax
	pushq	%r8
	pushq	%r9
.endm

.macro KRP_POP_ARGS
	popq	%r9
	popq	%r8
	popq	%rax
	popq	%rcx
	popq	%rdx
	popq	%rsi
	popq	%rdi
.endm

	.text
	.p2align 4
SYM_CODE_START(krp_direct_entry)
	UNWIND_HINT_FUNC
	ANNOTATE_NOENDBR
#if defined(CONFIG_MITIGATION_CALL_DEPTH_TRACKING) || defined(CONFIG_CALL_DEPTH_TRACKING)
	CALL_DEPTH_ACCOUNT
#endif
	cmpb	$0, KRP_DIRECT_HOOK_REGS(%r11)
	jne	krp_direct_regs
	KRP_PUSH_ARGS
	/* the return slot, above the seven and where the function goes on */
	leaq	(8 * 8)(%rsp), %rdi
	movq	%r11, %rsi
	call	krp_direct_lean
	/* the hook again, when the site needs registers */
	movq	%rax, %r11
	KRP_POP_ARGS
	testq	%r11, %r11
	jnz	krp_direct_regs
	RET
SYM_CODE_END(krp_direct_entry)
_ASM_NOKPROBE(krp_direct_entry)

	.p2align 4
SYM_CODE_START_LOCAL(krp_direct_regs)
	UNWIND_HINT_FUNC
	ANNOTATE_NOENDBR
	pushq	$__KERNEL_DS
	/* regs->sp: where the return address is */
	pushq	%rsp
	addq	$16, (%rsp)
	pushfq
	pushq	$__KERNEL_CS
	/* regs->ip: where the function goes on, as ftrace shows it */
	pushq	32(%rsp)
	pushq	$0
	KRP_PUSH_ARGS
	pushq	%r10
	pushq	%r11
	pushq	%rbx
	pushq	%rbp
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	movq	%rsp, %rdi
	movq	%r11, %rsi
	call	krp_direct_handler
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbp
	popq	%rbx
	popq	%r11
	popq	%r10
	KRP_POP_ARGS
	/* orig_ax ip cs flags sp ss */
	addq	$(6 * 8), %rsp
	RET
SYM_CODE_END(krp_direct_regs)
_ASM_NOKPROBE(krp_direct_regs)
