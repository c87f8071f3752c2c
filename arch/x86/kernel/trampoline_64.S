/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The x86_64 return trampoline.  Probed functions return here instead of
 * to their caller.  It builds a full struct pt_regs, lets the core run
 * the return handlers, and returns to the real caller with every
 * general register and the flags as the handlers left them in pt_regs.
 * No trap is taken.
 *
 * Except where the core says the function was entered at an ftrace
 * site: a C function built with -pg, where GCC does no interprocedural
 * register allocation, so its callers keep nothing that the C ABI lets
 * a call clobber, flags included but AC.  Then only %rax and %rdx come
 * back from pt_regs, as the handlers left them; the callee-saved
 * registers are still the function's, which the handler call kept.  An
 * int3 site may be an assembly function whose callers keep more
 * (put_user()'s helpers), and a return with AC set may be inside a
 * user-access region: they get every register and the flags.
 *
 * Stack, from the top (higher addresses) down, while the callback runs:
 *	return slot	where the probed function's return address was;
 *			filled with the real return address
 *	flags slot	popped last, so the flags are exact at the ret
 *	struct pt_regs	ss sp flags cs ip orig_ax di si dx cx ax r8 r9 r10
 *			r11 bx bp r12 r13 r14 r15
 *
 * Unwinding: once the return slot is pushed the trampoline looks like a
 * function entered by a call whose return address is that slot, so ORC
 * follows it from inside the handlers (to the real caller once the core
 * has filled the slot).  Before that push, and for a frame of a probed
 * function whose return address is still krp_trampoline, the caller is
 * known only to the core: the ORC unwinder (which looks return addresses
 * up at ip - 1, hence the int3 below) is told the state is undefined,
 * so it stops and calls the stack unreliable rather than walking on
 * through garbage.
 *
 * IBT (6.12): the trampoline is reached only by ret, never by an
 * indirect call or jmp, so it has no ENDBR.  Call depth tracking
 * (retbleed=stuff): a probed function returns twice for one call, here
 * and then to its caller, so the trampoline accounts for one call.
 */
#include <linux/linkage.h>
#include <linux/objtool.h>
#include <asm/asm.h>
#include <asm/nospec-branch.h>
#include <asm/processor-flags.h>
#include <asm/segment.h>
#include <asm/unwind_hints.h>

#include "regs_frame.inc"

/* 6.4 renamed the hint for a state ORC cannot describe. */
#ifdef UNWIND_HINT_TYPE_UNDEFINED
#define KRP_UNWIND_HINT_UNKNOWN	UNWIND_HINT_UNDEFINED
#else
#define KRP_UNWIND_HINT_UNKNOWN	UNWIND_HINT type=UNWIND_HINT_TYPE_CALL end=0
#endif

	.text
	.p2align 4
	/*
	 * Named for the kernel's own traces: they print a return address
	 * by the symbol of the byte before it, and one that krp redirected
	 * reads "krp_redirected+0x1/0x1 [krp]" there.
	 */
krp_redirected:
	KRP_UNWIND_HINT_UNKNOWN
	int3
SYM_CODE_START_NOALIGN(krp_trampoline)
	KRP_UNWIND_HINT_UNKNOWN
	ANNOTATE_NOENDBR
	pushq	$0
	UNWIND_HINT_FUNC
	KRP_REGS_SAVE
	movq	%rsp, %rdi
	leaq	KRP_RET_SLOT(%rsp), %rsi
	call	krp_trampoline_handler
	/* %rdx: whether every register comes back (struct krp_ret_to) */
	testq	%rdx, %rdx
	jnz	.Lkrp_all_regs
	/*
	 * AC is the flag a callee keeps for its caller: a user-access
	 * region may call uaccess-safe functions (UBSAN's handlers), and a
	 * handler's own user access would leave it clear.
	 */
	testl	$X86_EFLAGS_AC, KRP_REGS_FLAGS(%rsp)
	jnz	.Lkrp_all_regs
	/* a C function's return: the value, maybe the handlers' */
	movq	%rax, KRP_RET_SLOT(%rsp)
	movq	KRP_REGS_AX(%rsp), %rax
	movq	KRP_REGS_DX(%rsp), %rdx
	addq	$KRP_RET_SLOT, %rsp
	RET
.Lkrp_all_regs:
	KRP_REGS_RESTORE
	RET
SYM_CODE_END(krp_trampoline)
_ASM_NOKPROBE(krp_trampoline)
