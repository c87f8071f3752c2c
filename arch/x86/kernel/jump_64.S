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

#include "regs_frame.inc"

	.text
	.p2align 4
SYM_CODE_START(krp_jump_entry)
	UNWIND_HINT_FUNC
	ANNOTATE_NOENDBR
	KRP_REGS_SAVE
	/* a site between std and cld: the handlers are C; popf restores DF */
	cld
	movq	%rsp, %rdi
	movq	KRP_RET_SLOT(%rsp), %rsi
	call	krp_jump_handler
	KRP_REGS_RESTORE
	RET
SYM_CODE_END(krp_jump_entry)
_ASM_NOKPROBE(krp_jump_entry)
