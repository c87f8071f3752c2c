/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The hand-written targets of krp_test.ko on i386, so that each class of
 * instruction sits where the scenarios know it is (offsets and counts in
 * krp_test_targets.h; krp_test_targets_64.S has the same on x86_64).
 * The kernel's i386 convention (regparm 3): the argument in %eax, the
 * result in %eax.
 */
#include <linux/linkage.h>
#include <asm/asm.h>

	.text

/*
 * krp_test_ool(x): besides the frame, every instruction runs out of
 * line: register arithmetic, stack and frame accesses, flags carried
 * across instructions, a locked stack update, a per-CPU and a global
 * load, a prefixed instruction.
 */
	.globl	krp_test_ool
	.type	krp_test_ool, @function
krp_test_ool:
	push	%ebp
	mov	%esp, %ebp
	push	%ebx
	mov	%eax, %ebx
	lea	0x7(%eax,%eax,2), %ecx		/* +6 */
	imul	$5, %ecx, %edx
	shl	$2, %ebx
	add	%ebx, %edx
	sub	$0x10, %esp
	mov	%edx, 0x4(%esp)
	movl	$0x11, (%esp)
	mov	0x4(%esp), %eax
	add	(%esp), %eax
	mov	%eax, -0x8(%ebp)
	addl	$0x3, -0x8(%ebp)
	mov	-0x8(%ebp), %eax
	cmp	$0x64, %eax
	setg	%cl
	movzbl	%cl, %ecx
	bswap	%ecx
	bswap	%ecx
	xchg	%ecx, %edx
	add	%edx, %eax
	lock incl (%esp)
	mov	(%esp), %edx
	sub	$0x12, %edx
	add	%edx, %eax
	add	krp_test_ool_bias, %eax
	add	%fs:krp_test_pcpu, %eax
	pause
	add	$0x10, %esp
	pop	%ebx
	pop	%ebp
	ret
	.size	krp_test_ool, . - krp_test_ool

/*
 * krp_test_emu(x), x > 0: the control-flow and flags instructions krp
 * emulates, and two ud2 that never run and cannot be probed.
 */
	.globl	krp_test_emu
	.type	krp_test_emu, @function
krp_test_emu:
	push	%ebp
	mov	%esp, %ebp
	pushf
	cli
	mov	%eax, %ecx
	xor	%edx, %edx
1:	add	$3, %edx
	loop	1b
	jecxz	2f
	ud2
2:	mov	$3f, %ecx
	call	*%ecx
	mov	$4f, %ecx
	jmp	*%ecx
	ud2
4:	popf
	sti
	mov	%edx, %eax
	pop	%ebp
	ret
3:	add	$1, %edx
	ret
	.size	krp_test_emu, . - krp_test_emu

/*
 * krp_test_refused: never called; instructions krp must refuse to run
 * anywhere but in place, each at a known offset (see scenario_refuse).
 */
	.globl	krp_test_refused
	.type	krp_test_refused, @function
krp_test_refused:
	sti					/* +0: its shadow covers the hlt */
	hlt					/* +1 */
	popfw					/* +2: 66 9d, a prefixed popf */
	invept	(%esp), %eax			/* +4: has a fixup in KVM */
	rep movsb				/* +10: a string instruction */
	mov	%eax, %ss			/* +12: the interrupt shadow */
	ret
	.size	krp_test_refused, . - krp_test_refused

/*
 * krp_rel_opt(x) = x + 67 (scenario_opt_inside): a 3-byte lea at +3
 * whose last two bytes read as two one-byte incs, followed by enough
 * boostable code for the kernel's optimizer to put a 5-byte jump at +4.
 */
	.globl	krp_rel_opt
	.type	krp_rel_opt, @function
krp_rel_opt:
	push	%ebp
	mov	%esp, %ebp
	lea	0x40(%eax), %eax		/* +3: 8d 40 40 */
	add	$0x1, %eax
	add	$0x2, %eax
	pop	%ebp
	ret
	.size	krp_rel_opt, . - krp_rel_opt

/*
 * krp_test_ptr(b) = krp_test_ptr_ref(b): loads and stores through a
 * pointer, a locked update and two rep string instructions, none with
 * an exception fixup (scenario_extable_*).
 */
	.globl	krp_test_ptr
	.type	krp_test_ptr, @function
krp_test_ptr:
	push	%esi
	push	%edi
	mov	%eax, %edx
	mov	(%edx), %ecx			/* b[0] */
	add	0x4(%edx), %ecx			/* + b[1] */
	mov	%ecx, 0x8(%edx)			/* to b[2] */
	lock incl 0x8(%edx)
	lea	0xc(%edx), %esi			/* b[3..6] */
	lea	0x20(%edx), %edi		/* to b[8..11] */
	mov	$4, %ecx
	rep movsl
	lea	0x30(%edx), %edi		/* b[12..14] = 7 */
	mov	$7, %eax
	mov	$3, %ecx
	rep stosl
	mov	0x20(%edx), %eax		/* b[8] + b[11] + b[2] */
	add	0x2c(%edx), %eax
	add	0x8(%edx), %eax
	pop	%edi
	pop	%esi
	ret
	.size	krp_test_ptr, . - krp_test_ptr

/*
 * krp_test_fixup(p): never called; its first instruction, a load
 * through a pointer, has a fixup in this module's exception table.
 */
	.globl	krp_test_fixup
	.type	krp_test_fixup, @function
krp_test_fixup:
1:	mov	(%eax), %eax
2:	ret
	_ASM_EXTABLE(1b, 2b)
	.size	krp_test_fixup, . - krp_test_fixup

/*
 * krp_test_jump_fn(x) = krp_test_target(x + 1): its first three
 * instructions (push, mov, add: 6 bytes) run out of line and nothing
 * branches into them, so that krp's optimizer can put a jump over them.
 */
	.globl	krp_test_jump_fn
	.type	krp_test_jump_fn, @function
krp_test_jump_fn:
	push	%ebp
	mov	%esp, %ebp
	add	$1, %eax			/* +3 */
	call	krp_test_target			/* +6 */
	pop	%ebp
	ret
	.size	krp_test_jump_fn, . - krp_test_jump_fn

/*
 * krp_test_jump_tail(x) = krp_test_jump_fn(x), by a tail call: its one
 * instruction is a 5-byte jmp (spelled out, so that it is never the
 * 2-byte form), which krp's optimizer covers alone, its detour jumping
 * on to krp_test_jump_fn.
 */
	.globl	krp_test_jump_tail
	.type	krp_test_jump_tail, @function
krp_test_jump_tail:
	.byte	0xe9
	.long	krp_test_jump_fn - . - 4
	.size	krp_test_jump_tail, . - krp_test_jump_tail

/*
 * krp_test_jump_jl(x) = x + 1, or x + 2 while krp_test_key is on
 * (krp_test_key_set()): a 3-byte lea, then a static branch, its 5-byte
 * nop in the kernel's __jump_table (the entry static_branch_unlikely()
 * makes), inside the bytes a jump of krp's at the entry would cover.
 */
	.globl	krp_test_jump_jl
	.type	krp_test_jump_jl, @function
krp_test_jump_jl:
	lea	1(%eax), %eax
1:	.byte	0x3e, 0x8d, 0x74, 0x26, 0x00
	.pushsection __jump_table, "aw"
	_ASM_ALIGN
	.long	1b - .
	.long	2f - .
	_ASM_PTR krp_test_key - .
	.popsection
3:
	ret
2:	add	$1, %eax
	jmp	3b
	.size	krp_test_jump_jl, . - krp_test_jump_jl
