/* SPDX-License-Identifier: GPL-2.0 */
/*
 * x86_64-only targets of krp_test.ko: the long-mode forms krp emulates
 * or runs out of line (REX-prefixed push, pop and test, REX.W
 * arithmetic, movsxd, RIP-relative loads, stores, lea and push, call
 * and jmp through a RIP-relative pointer, VEX-encoded BMI instructions,
 * one with a RIP-relative operand), and the long-mode forms it must
 * refuse.  scenario_lm_* (krp_test_longmode.c) probe every byte.
 *
 * Each instruction is written through LM or RF, which record its
 * offset in a table: the scenarios know every boundary without a
 * decoder of their own.  krp_test_lm runs each of its instructions
 * exactly once a call.  The functions return with a bare ret, whose
 * byte the scenarios probe (the kernel may rewrite a return-thunk jump
 * at load time), and their indirect branches are deliberate: both are
 * declared safe to objtool, and the functions are left out of its
 * stack checks, which cannot follow a jmp through memory.
 */
#include <linux/linkage.h>
#include <linux/objtool.h>
#include <asm/asm.h>
#include <asm/nospec-branch.h>

.macro LM insn:vararg
771:	\insn
	.pushsection .rodata, "a"
	.byte	771b - krp_test_lm
	.popsection
.endm

.macro RF insn:vararg
772:	\insn
	.pushsection .rodata, "a"
	.byte	772b - krp_test_lm_refused
	.popsection
.endm

.macro FM insn:vararg
773:	\insn
	.pushsection .rodata, "a"
	.byte	773b - krp_test_lm_form
	.popsection
.endm

	.data
	.balign	8
	.globl	krp_test_lm_data, krp_test_lm_store, krp_test_lm_seen
	.globl	krp_test_lm_mask, krp_test_lm_jmpptr
krp_test_lm_data:
	.quad	1000, 20000
krp_test_lm_store:
	.quad	0
krp_test_lm_seen:
	.quad	0
krp_test_lm_fnptr:
	.quad	krp_test_lm_add5
krp_test_lm_jmpptr:
	.quad	.Llm_back
krp_test_lm_mask:
	.long	0xff

	.text

/* the targets of krp_test_lm's calls, not probed */
SYM_FUNC_START(krp_test_lm_add5)
	add	$5, %rdx
	RET
SYM_FUNC_END(krp_test_lm_add5)

SYM_FUNC_START(krp_test_lm_add7)
	add	$7, %rdx
	RET
SYM_FUNC_END(krp_test_lm_add7)

/*
 * krp_test_lm(x): see krp_test_lm_ref() in krp_test_longmode.c for
 * what it computes.  The comments say how krp runs each instruction.
 */
	.pushsection .rodata, "a"
	.globl	krp_test_lm_offs
krp_test_lm_offs:
	.popsection

	.globl	krp_test_lm
	.type	krp_test_lm, @function
krp_test_lm:
	ANNOTATE_NOENDBR
	LM	push	%rbp				/* emulated */
	LM	mov	%rsp, %rbp			/* emulated: REX.W */
	LM	push	%r12				/* emulated: REX.B */
	LM	push	%r13				/* emulated */
	LM	mov	%rdi, %r12			/* out of line */
	LM	movslq	%edi, %r13			/* movsxd, not arpl */
	LM	lea	krp_test_lm_data(%rip), %rsi	/* RIP-relative lea */
	LM	mov	%rsi, krp_test_lm_seen(%rip)	/* ... store */
	LM	mov	krp_test_lm_data+8(%rip), %rdx	/* ... load */
	LM	mov	%r12, krp_test_lm_store(%rip)
	LM	add	krp_test_lm_store(%rip), %rdx
	LM	movabs	$0x100000000, %r11		/* a 64-bit immediate */
	LM	add	%r11, %rdx
	LM	test	%r12, %r12			/* emulated, 64 bits */
	LM	.byte	0x79, 0x00			/* jns +0: emulated */
	LM	test	%r13d, %r13d			/* emulated, 32 bits */
	LM	.byte	0x0f, 0x84, 0, 0, 0, 0		/* je +0, rel32 */
	LM	nopw	0x0(%rax,%rax,1)		/* emulated: 66 0f 1f */
	LM	push	krp_test_lm_data(%rip)		/* out of line */
	LM	pop	%rcx				/* emulated */
	LM	add	%rcx, %rdx
	ANNOTATE_RETPOLINE_SAFE
	LM	call	*krp_test_lm_fnptr(%rip)	/* emulated */
	ANNOTATE_RETPOLINE_SAFE
	LM	jmp	*krp_test_lm_jmpptr(%rip)	/* emulated */
	/* an indirect jmp lands here: a live ENDBR under IBT (6.12) */
.Llm_back:
	ENDBR
	LM	andn	krp_test_lm_mask(%rip), %r12d, %eax /* VEX, RIP */
	LM	mov	$3, %ecx
	LM	shlx	%ecx, %eax, %eax		/* VEX */
	LM	add	%rax, %rdx
	LM	call	krp_test_lm_add7		/* emulated */
	LM	.byte	0xeb, 0x00			/* jmp +0: emulated */
	LM	mov	%rdx, %rax
	LM	pop	%r13				/* emulated: REX.B */
	LM	pop	%r12				/* emulated: not %rsp */
	LM	pop	%rbp				/* emulated */
	ANNOTATE_RETPOLINE_SAFE
	LM	ret					/* emulated */
.Llm_end:
	.size	krp_test_lm, . - krp_test_lm
	STACK_FRAME_NON_STANDARD krp_test_lm

	.pushsection .rodata, "a"
	.globl	krp_test_lm_offs_end
krp_test_lm_offs_end:
	.globl	krp_test_lm_endbr
krp_test_lm_endbr:
	.byte	.Llm_back - krp_test_lm
	.globl	krp_test_lm_len
krp_test_lm_len:
	.byte	.Llm_end - krp_test_lm
	.popsection

/*
 * krp_test_lm_refused: never called; long-mode instructions krp must
 * refuse to run anywhere but in place, exception tables or not.
 */
	.pushsection .rodata, "a"
	.globl	krp_test_lm_refused_offs
krp_test_lm_refused_offs:
	.popsection

	.globl	krp_test_lm_refused
	.type	krp_test_lm_refused, @function
krp_test_lm_refused:
	ANNOTATE_NOENDBR
	RF	swapgs
	RF	wrgsbase %rax
1:	RF	mov	(%r12), %eax		/* with an exception fixup */
2:	RF	syscall
	_ASM_EXTABLE(1b, 2b)
	RF	iretq
	ANNOTATE_RETPOLINE_SAFE
	RF	jmp	*(%rax)			/* through a pointer */
	ANNOTATE_RETPOLINE_SAFE
	RF	call	*0x8(%rsp)		/* through the stack */
	RF	ud2
.Lrf_end:
	.size	krp_test_lm_refused, . - krp_test_lm_refused
	STACK_FRAME_NON_STANDARD krp_test_lm_refused

	.pushsection .rodata, "a"
	.globl	krp_test_lm_refused_offs_end
krp_test_lm_refused_offs_end:
	.globl	krp_test_lm_refused_len
krp_test_lm_refused_len:
	.byte	.Lrf_end - krp_test_lm_refused
	.popsection

/*
 * krp_test_lm_form: never called; long-mode forms krp refuses where it
 * cannot search the exception tables (extable=N), and runs out of line
 * where they show no fixup.
 */
	.pushsection .rodata, "a"
	.globl	krp_test_lm_form_offs
krp_test_lm_form_offs:
	.popsection

	.globl	krp_test_lm_form
	.type	krp_test_lm_form, @function
krp_test_lm_form:
	ANNOTATE_NOENDBR
	FM	mov	(%r12), %eax		/* REX.B: a pointer, not %rsp */
	FM	mov	0x8(%r13), %eax		/* nor %rbp */
	FM	mov	%fs:0x10, %eax		/* %fs is user space's */
	FM	rdmsr
	FM	rep movsq
.Lfm_end:
	ANNOTATE_RETPOLINE_SAFE
	ret
	.size	krp_test_lm_form, . - krp_test_lm_form

	.pushsection .rodata, "a"
	.globl	krp_test_lm_form_offs_end
krp_test_lm_form_offs_end:
	.globl	krp_test_lm_form_len
krp_test_lm_form_len:
	.byte	.Lfm_end - krp_test_lm_form
	.popsection
