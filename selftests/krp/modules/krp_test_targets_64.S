/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The hand-written targets of krp_test.ko on x86_64: the same symbols,
 * layouts and instruction classes as krp_test_targets_32.S, so that the
 * scenarios find each instruction where they look for it (offsets and
 * counts in krp_test_targets.h).  The SysV convention: the argument in
 * %edi, the result in %eax.
 *
 * objtool checks modules on both amd64 kernels.  Each function returns
 * with a bare ret, not the kernel's return thunk (RET): at load time the
 * kernel may rewrite a thunk jump into ret and int3 padding, and the
 * scenarios walk every byte of these functions expecting whole
 * instructions of a fixed layout.  The ret is therefore declared safe to
 * objtool, as are the indirect call and jump krp_test_emu makes on
 * purpose.  None of them is reached by an indirect branch from outside,
 * so none starts with ENDBR (6.12's IBT); C takes their addresses only
 * to probe them, hence ANNOTATE_NOENDBR.
 */
#include <linux/linkage.h>
#include <linux/objtool.h>
#include <asm/asm.h>
#include <asm/nospec-branch.h>
#include <asm/percpu.h>

	.text

/*
 * krp_test_int3_fn(x) = krp_test_target(x) + 1, framed as i386's
 * compiler frames it: the int3 scenarios expect a push of the frame
 * pointer first and four instructions before the ret.
 */
	.globl	krp_test_int3_fn
	.type	krp_test_int3_fn, @function
krp_test_int3_fn:
	ANNOTATE_NOENDBR
	push	%rbp
	mov	%rsp, %rbp
	call	krp_test_target
	add	$1, %eax
	pop	%rbp
	ANNOTATE_RETPOLINE_SAFE
	ret
	.size	krp_test_int3_fn, . - krp_test_int3_fn

/*
 * krp_test_int3_rec(n): n levels of real recursion, framed the same way;
 * a bare ret, so that every byte of it is an instruction the scenarios
 * can count (test and branch every call, the recursive path n of them).
 */
	.globl	krp_test_int3_rec
	.type	krp_test_int3_rec, @function
krp_test_int3_rec:
	ANNOTATE_NOENDBR
	push	%rbp
	mov	%rsp, %rbp
	xor	%eax, %eax
	test	%edi, %edi
	jle	1f
	sub	$1, %edi
	call	krp_test_int3_rec
	add	$1, %eax
1:	pop	%rbp
	ANNOTATE_RETPOLINE_SAFE
	ret
	.size	krp_test_int3_rec, . - krp_test_int3_rec

/*
 * krp_test_ool(x): besides the frame, every instruction runs out of
 * line: register arithmetic, stack and frame accesses, flags carried
 * across instructions, a locked stack update, a per-CPU (%gs) and a
 * RIP-relative global load, a prefixed instruction.  Its local lives
 * at 0xc(%rsp), where i386 has -0xc(%ebp): without frame pointers (both
 * amd64 kernels) %rbp is any pointer, and krp refuses it as a base.  The
 * lea sits at +6
 * and +5 is inside an instruction, as on i386; %rbx is saved and
 * restored as a compiler does, for the same six emulated instructions.
 */
	.globl	krp_test_ool
	.type	krp_test_ool, @function
krp_test_ool:
	ANNOTATE_NOENDBR
	push	%rbp
	mov	%rsp, %rbp
	mov	%edi, %esi
	lea	0x7(%rdi,%rdi,2), %ecx		/* +6 */
	push	%rbx
	imul	$5, %ecx, %edx
	shl	$2, %esi
	add	%esi, %edx
	sub	$0x10, %rsp
	mov	%edx, 0x4(%rsp)
	movl	$0x11, (%rsp)
	mov	0x4(%rsp), %eax
	add	(%rsp), %eax
	mov	%eax, 0xc(%rsp)
	addl	$0x3, 0xc(%rsp)
	mov	0xc(%rsp), %eax
	cmp	$0x64, %eax
	setg	%cl
	movzbl	%cl, %ecx
	bswap	%ecx
	bswap	%ecx
	xchg	%ecx, %edx
	add	%edx, %eax
	lock incl (%rsp)
	mov	(%rsp), %edx
	sub	$0x12, %edx
	add	%edx, %eax
	add	krp_test_ool_bias(%rip), %eax
	add	PER_CPU_VAR(krp_test_pcpu), %eax
	pause
	add	$0x10, %rsp
	pop	%rbx
	pop	%rbp
	ANNOTATE_RETPOLINE_SAFE
	ret
	.size	krp_test_ool, . - krp_test_ool

/*
 * krp_test_emu(x), x > 0: the control-flow and flags instructions krp
 * emulates, and two ud2 that never run and cannot be probed.  Its
 * indirect call and jump land inside it, which objtool cannot follow:
 * it is left out of objtool's stack checks (and has no ORC data).
 */
	.globl	krp_test_emu
	.type	krp_test_emu, @function
krp_test_emu:
	ANNOTATE_NOENDBR
	push	%rbp
	mov	%rsp, %rbp
	pushf
	cli
	mov	%edi, %ecx
	xor	%edx, %edx
1:	add	$3, %edx
	loop	1b
	jrcxz	2f
	ud2
2:	lea	3f(%rip), %rcx
	ANNOTATE_RETPOLINE_SAFE
	call	*%rcx
	lea	4f(%rip), %rcx
	ANNOTATE_RETPOLINE_SAFE
	jmp	*%rcx
	ud2
4:	popf
	sti
	mov	%edx, %eax
	pop	%rbp
	ANNOTATE_RETPOLINE_SAFE
	ret
3:	add	$1, %edx
	ANNOTATE_RETPOLINE_SAFE
	ret
	.size	krp_test_emu, . - krp_test_emu
	STACK_FRAME_NON_STANDARD krp_test_emu

/*
 * krp_test_refused: never called; instructions krp must refuse to run
 * anywhere but in place, each at the offset it has on i386 (see
 * scenario_refuse).  Its 16-bit popf is not a stack state objtool
 * models: left out of the stack checks.
 */
	.globl	krp_test_refused
	.type	krp_test_refused, @function
krp_test_refused:
	ANNOTATE_NOENDBR
	sti					/* +0: its shadow covers the hlt */
	hlt					/* +1 */
	popfw					/* +2: 66 9d, a prefixed popf */
	invept	(%rsp), %rax			/* +4: has a fixup in KVM */
	rep movsb				/* +10: a string instruction */
	mov	%eax, %ss			/* +12: the interrupt shadow */
	ANNOTATE_RETPOLINE_SAFE
	ret
	.size	krp_test_refused, . - krp_test_refused
	STACK_FRAME_NON_STANDARD krp_test_refused

/*
 * krp_rel_opt(x) = x + 67 (scenario_opt_inside): a 3-byte lea at +3, as
 * on i386 (a 2-byte push of %r12 makes up for the longer frame set-up),
 * followed by boostable code.  On i386 the lea's last two bytes also
 * read as two one-byte incs; here 0x40 is a REX prefix.
 */
	.globl	krp_rel_opt
	.type	krp_rel_opt, @function
krp_rel_opt:
	push	%rbp
	push	%r12
	lea	0x40(%rdi), %eax		/* +3: 8d 47 40 */
	add	$0x1, %eax
	add	$0x2, %eax
	pop	%r12
	pop	%rbp
	ANNOTATE_RETPOLINE_SAFE
	ret
	.size	krp_rel_opt, . - krp_rel_opt

/*
 * krp_test_ptr(b) = krp_test_ptr_ref(b): loads and stores through a
 * pointer register that needs REX.B, a locked update and two rep string
 * instructions, none with an exception fixup (scenario_extable_*).
 */
	.globl	krp_test_ptr
	.type	krp_test_ptr, @function
krp_test_ptr:
	ANNOTATE_NOENDBR
	mov	%rdi, %r8
	mov	(%r8), %ecx			/* b[0] */
	add	0x4(%r8), %ecx			/* + b[1] */
	mov	%ecx, 0x8(%r8)			/* to b[2] */
	lock incl 0x8(%r8)
	lea	0xc(%r8), %rsi			/* b[3..6] */
	lea	0x20(%r8), %rdi			/* to b[8..11] */
	mov	$4, %ecx
	rep movsl
	lea	0x30(%r8), %rdi			/* b[12..14] = 7 */
	mov	$7, %eax
	mov	$3, %ecx
	rep stosl
	mov	0x20(%r8), %eax			/* b[8] + b[11] + b[2] */
	add	0x2c(%r8), %eax
	add	0x8(%r8), %eax
	ANNOTATE_RETPOLINE_SAFE
	ret
	.size	krp_test_ptr, . - krp_test_ptr

/*
 * krp_test_fixup(p): never called; its first instruction, a load
 * through a pointer, has a fixup in this module's exception table.
 */
	.globl	krp_test_fixup
	.type	krp_test_fixup, @function
krp_test_fixup:
	ANNOTATE_NOENDBR
1:	mov	(%rdi), %eax
2:	ANNOTATE_RETPOLINE_SAFE
	ret
	_ASM_EXTABLE(1b, 2b)
	.size	krp_test_fixup, . - krp_test_fixup

/*
 * krp_test_jump_fn(x) = krp_test_target(x + 1): its first three
 * instructions (push, mov, add: 7 bytes) run out of line and nothing
 * branches into them, so that krp's optimizer can put a jump over them.
 */
	.globl	krp_test_jump_fn
	.type	krp_test_jump_fn, @function
krp_test_jump_fn:
	ANNOTATE_NOENDBR
	push	%rbp
	mov	%rsp, %rbp
	add	$1, %edi			/* +4 */
	call	krp_test_target			/* +7 */
	pop	%rbp
	ANNOTATE_RETPOLINE_SAFE
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
	ANNOTATE_NOENDBR
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
	ANNOTATE_NOENDBR
	lea	1(%rdi), %eax
1:	.byte	0x0f, 0x1f, 0x44, 0x00, 0x00
	.pushsection __jump_table, "aw"
	_ASM_ALIGN
	.long	1b - .
	.long	2f - .
	_ASM_PTR krp_test_key - .
	.popsection
3:
	ANNOTATE_RETPOLINE_SAFE
	ret
2:	add	$1, %eax
	jmp	3b
	.size	krp_test_jump_jl, . - krp_test_jump_jl
