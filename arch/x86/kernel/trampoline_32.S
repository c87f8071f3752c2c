/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The i386 return trampoline.  Probed functions return here instead of
 * to their caller.  It builds a full struct pt_regs, lets the core run
 * the return handlers, and returns to the real caller with every
 * register and the flags as the handlers left them in pt_regs.  No trap
 * is taken.
 *
 * Except where the core says the function was entered at an ftrace
 * site, a C function built with -pg (GCC then allocates no registers
 * across calls): its callers keep nothing a call may clobber, flags
 * included but AC, so only %eax and %edx come back from pt_regs, and
 * %ebp; the other callee-saved registers are the function's, which the
 * handler call kept.  An int3 site may be assembly whose callers keep
 * more, and a return with AC set may be inside a user-access region:
 * they get every register and the flags.
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
#include <asm/processor-flags.h>
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
	/* %edx: whether every register comes back (struct krp_ret_to) */
	testl	%edx, %edx
	jnz	.Lkrp_all_regs
	/*
	 * AC is the flag a callee keeps for its caller: a user-access
	 * region may call uaccess-safe functions (UBSAN's handlers), and a
	 * handler's own user access would leave it clear.
	 */
	testl	$X86_EFLAGS_AC, KRP_REGS_FLAGS(%esp)
	jnz	.Lkrp_all_regs
	/*
	 * a C function's return: the value, maybe the handlers', and %ebp,
	 * which the frame encoding took
	 */
	movl	%eax, KRP_RET_SLOT(%esp)
	movl	KRP_REGS_AX(%esp), %eax
	movl	KRP_REGS_DX(%esp), %edx
	movl	KRP_REGS_BP(%esp), %ebp
	addl	$KRP_RET_SLOT, %esp
	RET
.Lkrp_all_regs:
	KRP_REGS_RESTORE
	RET
SYM_CODE_END(krp_trampoline)
_ASM_NOKPROBE(krp_trampoline)
